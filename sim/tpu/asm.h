/* The assembler: .tpu text -> isa_program (tpu/isa.h). Syntax in docs/isa.md:
 *
 *   ; comment (also #)
 *   .dtype int8                       matrix-unit input dtype (int8 | bf16), before instructions
 *   .tensor A int8 64 32              DRAM tensor: name dtype rows cols (dtypes int8 int32 float32 bf16)
 *   .ub a_tile 0 0x800                named UB region: name base size_bytes
 *   .acc c_acc 0 64                   named accumulator region: name first_row rows
 *   core 1                            following instructions run on core 1
 *   load a_tile, A[0:64, 0:32]        (ranges are half-open, like Python slices)
 *   loadw 0, B[0:32, 0:16]
 *   matmul 0, c_acc, a_tile, 64, accumulate, repeat=2
 *   activate out_tile, c_acc, 64, 16, relu, out=int8, scale=0.25, bias=b_row
 *   store C[0:64, 0:16], out_tile
 *   fence
 *   halt
 * Numbers are decimal or 0x hex; a region may be offset, `a_tile+128`.
 * Errors: TP_ERR_ASM "file:line:col: message" for unknown mnemonics (with "did you mean"),
 * bad operands, unknown names, out-of-range addresses, regions exceeding a buffer and dtype
 * mismatches. asm_parse checks syntax and names, then runs isa_validate against the machine so
 * every range error is reported at its position.
 * Limits: at most 16Mi instructions (twice the tiler's bound, so `gemm --emit` output assembles),
 * 4096 tensors and 4096 regions; tensor dimensions at most 2^24; files at most 1 GiB.
 */
#ifndef TP_TPU_ASM_H
#define TP_TPU_ASM_H
#include "base/err.h"
#include "config/config.h"
#include "tpu/isa.h"

/* Parses and validates text (name is used in messages). On failure *p is freed and empty. */
tp_status asm_parse(const char *name, const char *text, const tp_tpu_cfg *t, isa_program *p,
                    tp_err *err);
/* Reads a file and parses it (TP_ERR_IO if it cannot be read). */
tp_status asm_parse_file(const char *path, const tp_tpu_cfg *t, isa_program *p, tp_err *err);
#endif
