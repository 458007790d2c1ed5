/* The TPU instruction set: instruction records, an in-memory program builder, the opcode table
 * and a printer to .tpu text (which the assembler, tpu/asm.h, reads back to the same program).
 *
 * A small CISC ISA in the spirit of TPUv1 (Read_Host_Memory, Read_Weights, MatrixMultiply,
 * Activate, Write_Host_Memory) and Gemmini (mvin, preload, compute, mvout). docs/isa.md has the
 * full table with timing; one line each here:
 *
 *   load     UB <- T[r0:r0+rows, c0:c0+cols]   DMA, 2-D strided read of a DRAM tensor into the
 *            unified buffer; row i lands at ub_addr + i*ub_stride (bytes). transpose: the
 *            cols x rows transpose is written instead (row j of UB = column c0+j of the block).
 *   loadw    FIFO[mxu] <- T[block]            DMA, pushes one k x n weight tile (k = rows, n = cols,
 *            or swapped with transpose) onto the MXU's weight FIFO; mxus=N: onto the FIFOs of
 *            MXUs mxu .. mxu+N-1 at once (one read, broadcast on chip).
 *   matmul   ACC[acc_row..+m] (+)= UB[A: m x k] * FIFO.head (k x n), `repeat` times: op j pops the
 *            FIFO head, reads A columns [j*k, (j+1)*k) (UB ub_addr + j*k*elem, row stride
 *            ub_stride) and accumulates into the same m accumulator rows; op 0 overwrites unless
 *            `accumulate`, ops 1.. always accumulate (a K loop in one instruction).
 *   activate UB <- f(ACC[acc_row..+rows, 0:cols] (+ bias)) converted to out dtype (int8 requant
 *            with scale, bf16 rounding, or raw int32 / float32), row i at ub_addr + i*ub_stride.
 *            os: the `repeat` ops are one stream (the partial sums stay in the PEs, one drain);
 *            `hold` keeps them in the array after the last op too, and the next matmul of the
 *            MXU continues them (a K loop across instructions: its tiles load while it streams).
 *   store    T[block] <- UB                   DMA, 2-D strided write of UB rows into a tensor;
 *            transpose: UB row j holds column c0+j of the block (is programs store C^T this way).
 *   fence    later instructions of this core issue only when all earlier ones have finished.
 *   halt     end of this core's stream (optional; the end of the program also halts).
 *
 * Addresses: the unified buffer is byte-addressed per core (0 .. tpu.ub.size_bytes). The
 * accumulators are addressed by row in one flat space per core: MXU u owns rows
 * [u*acc.entries, (u+1)*acc.entries); a row holds array.cols 32-bit values (int32 or fp32).
 * Tensors live in off-chip memory: load reads from the memory tpu.place_inputs names, loadw from
 * tpu.place_weights, store writes to tpu.place_outputs.
 *
 * The builder performs no checks beyond memory; isa_validate (and machine_load) checks a program
 * against a machine and reports the first problem at the instruction's source position (for a
 * program built in memory: "<name>:<index+1>: ..." where index is the instruction's 0-based
 * position). Every isa_* function that adds something returns its index (>= 0) or -1 when
 * out of memory (the builder then stays valid and further calls keep failing).
 */
#ifndef TP_TPU_ISA_H
#define TP_TPU_ISA_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "base/err.h"
#include "base/npy.h"
#include "config/config.h"
#include "num/num.h"

typedef enum {
    ISA_LOAD = 0,   /* DRAM tensor block -> UB (DMA) */
    ISA_LOADW,      /* DRAM tensor block -> weight FIFO of one MXU (DMA) */
    ISA_MATMUL,     /* UB rows x FIFO head -> accumulator rows (MXU) */
    ISA_ACTIVATE,   /* accumulator rows -> function -> UB (vector unit) */
    ISA_STORE,      /* UB -> DRAM tensor block (DMA) */
    ISA_FENCE,      /* wait for all earlier instructions of the core */
    ISA_HALT,       /* end of the core's stream */
    ISA_OP__COUNT
} isa_opcode;

typedef enum {
    ISA_ACT_NONE = 0,  /* identity */
    ISA_ACT_RELU,      /* max(x, 0) */
    ISA_ACT_RELU6,     /* min(max(x, 0), 6), on the accumulator value (int32 or fp32) */
    ISA_ACT__COUNT
} isa_act;

/* Per-unit queues an instruction issues into: the DMA queues (whose heads the machine begins
 * oldest first at one cycle, as they share the engines), the vector unit, then one matrix queue
 * per MXU (ISA_Q_MATRIX + mxu), tried in this order. */
typedef enum {
    ISA_Q_LOAD = 0,  /* load */
    ISA_Q_WEIGHT,    /* loadw */
    ISA_Q_VECTOR,    /* activate */
    ISA_Q_STORE,     /* store */
    ISA_Q_MATRIX,    /* matmul (the first MXU's; MXU u's is ISA_Q_MATRIX + u) */
    ISA_Q_NONE = 255 /* fence, halt: the issuer handles them, no unit queue */
} isa_queue;

typedef struct {
    const char *mnemonic;   /* "load" ... */
    isa_queue queue;        /* unit queue; ISA_Q_NONE for fence/halt (handled by the issuer) */
    const char *syntax;     /* operand summary, for messages and docs */
} isa_opinfo;
extern const isa_opinfo isa_ops[ISA_OP__COUNT];
const char *isa_act_name(isa_act a);           /* "none" "relu" "relu6" */
int isa_act_parse(const char *s, isa_act *out); /* 0 ok, -1 unknown */

/* A DRAM tensor declared by the program and bound to data (or none) by the machine. */
typedef struct {
    char name[48];
    npy_dtype dtype;        /* element type: int8, int32, float32, bf16 bits */
    uint32_t rows, cols;
    int line;               /* declaration line in the source (0 for built programs) */
} isa_tensor;

/* A rectangular block of a tensor. */
typedef struct {
    int32_t tensor;         /* index into program tensors */
    uint32_t r0, c0, rows, cols;
} isa_block;

typedef struct {
    isa_opcode op;
    uint16_t core;          /* TensorCore that executes it */
    uint16_t mxu;           /* loadw, matmul: MXU within the core */
    uint16_t mxus;          /* loadw: the tile goes onto MXUs mxu .. mxu + mxus - 1 in one transfer
                               (0 or 1: one MXU) */
    bool transpose;         /* load, loadw: write the block transposed; store: the UB holds it transposed */
    bool accumulate;        /* matmul: op 0 adds into the accumulators instead of overwriting */
    bool hold;              /* matmul, os: the partial sums stay in the array for the next matmul */
    isa_act act;            /* activate */
    npy_dtype out_dtype;    /* activate: int8 (requant), bf16 (round), int32 / float32 (raw) */
    uint32_t repeat;        /* matmul: consecutive FIFO tiles consumed (>= 1) */
    uint32_t m;             /* matmul: A rows; activate: rows */
    uint32_t n;             /* activate: columns */
    uint64_t ub_addr;       /* load/store/activate/matmul: UB byte address */
    uint64_t ub_stride;     /* bytes between consecutive rows in UB (0 = packed row length) */
    uint64_t acc_row;       /* matmul, activate: accumulator row (flat per-core space) */
    bool has_bias;          /* activate: add UB row at bias_addr (cols int32 / fp32) first */
    uint64_t bias_addr;
    uint64_t bias_stride;   /* activate: bytes between the bias rows of consecutive output rows
                               (0: one bias row for every row) */
    float scale;            /* activate to int8: requantization scale */
    isa_block blk;          /* load, loadw, store */
    int line, col;          /* source position (1-based); 0 for built programs */
} isa_instr;

typedef struct {
    char name[256];         /* file name or a label for built programs (used in messages) */
    tp_dtype dtype;         /* matrix-unit input dtype (`.dtype int8|bf16`), default int8 */
    isa_tensor *tensors;
    uint32_t n_tensors, cap_tensors;
    isa_instr *ins;
    uint32_t n_ins, cap_ins;
    bool oom;               /* an allocation failed; the program is incomplete */
    /* Named buffer regions from the text form (kept so the printer can show them). */
    struct isa_region { char name[48]; bool acc; uint64_t base, size; } *regions;
    uint32_t n_regions, cap_regions;
} isa_program;

/* --- builder ---------------------------------------------------------------------------- */
void isa_init(isa_program *p, const char *name, tp_dtype dt);
void isa_free(isa_program *p);
/* Declares a tensor; returns its index or -1 (out of memory, or a name already declared). */
int isa_add_tensor(isa_program *p, const char *name, npy_dtype dt, uint32_t rows, uint32_t cols);
int isa_find_tensor(const isa_program *p, const char *name);   /* index or -1 */
/* Appends a fully specified instruction (copied); returns its index or -1. */
int isa_emit(isa_program *p, const isa_instr *in);
/* Convenience emitters (ub_stride 0 = packed). */
int isa_load(isa_program *p, unsigned core, uint64_t ub_addr, uint64_t ub_stride, int tensor,
             uint32_t r0, uint32_t c0, uint32_t rows, uint32_t cols, bool transpose);
int isa_loadw(isa_program *p, unsigned core, unsigned mxu, int tensor,
              uint32_t r0, uint32_t c0, uint32_t rows, uint32_t cols, bool transpose);
int isa_matmul(isa_program *p, unsigned core, unsigned mxu, uint64_t acc_row, uint64_t ub_addr,
               uint64_t ub_stride, uint32_t m, bool accumulate, uint32_t repeat);
int isa_activate(isa_program *p, unsigned core, uint64_t ub_addr, uint64_t ub_stride,
                 uint64_t acc_row, uint32_t rows, uint32_t cols, isa_act act, npy_dtype out,
                 float scale, bool has_bias, uint64_t bias_addr);
int isa_store(isa_program *p, unsigned core, int tensor, uint32_t r0, uint32_t c0, uint32_t rows,
              uint32_t cols, uint64_t ub_addr, uint64_t ub_stride);
/* loadw onto `count` consecutive MXUs from mxu (one transfer). */
int isa_loadw_n(isa_program *p, unsigned core, unsigned mxu, unsigned count, int tensor, uint32_t r0,
                uint32_t c0, uint32_t rows, uint32_t cols, bool transpose);
/* The MXUs a loadw feeds (>= 1). */
static inline unsigned isa_loadw_count(const isa_instr *in) { return in->mxus > 1 ? in->mxus : 1; }
/* store with transpose: the UB holds the block's transpose (cols rows of `rows` elements). */
int isa_store_t(isa_program *p, unsigned core, int tensor, uint32_t r0, uint32_t c0, uint32_t rows,
                uint32_t cols, uint64_t ub_addr, uint64_t ub_stride, bool transpose);
/* matmul with hold (os only): its partial sums stay in the array and the next matmul of the
 * same MXU continues them (same accumulator rows, m and tile n); isa_matmul is hold = false. */
int isa_matmul_h(isa_program *p, unsigned core, unsigned mxu, uint64_t acc_row, uint64_t ub_addr,
                 uint64_t ub_stride, uint32_t m, bool accumulate, uint32_t repeat, bool hold);
int isa_fence(isa_program *p, unsigned core);
int isa_halt(isa_program *p, unsigned core);

/* Weight FIFO slots a tile with k rows occupies (1 for ws/is; ceil(k / rows) for os). */
uint32_t isa_tile_slots(const tp_tpu_cfg *t, uint32_t k);
/* Checks a program against a machine: every address, size, dtype, MXU and core in range, the
 * weight FIFO never over- or underflows in program order, operand limits of the dataflow
 * (ws and is: k <= rows, n <= cols; os: m <= rows, n <= cols).
 * First problem -> TP_ERR_PROGRAM (or TP_ERR_ASM for text programs) at the instruction. */
tp_status isa_validate(const isa_program *p, const tp_tpu_cfg *t, tp_err *err);

/* The weight FIFOs replayed in program order, which isa_validate and the machine share (the
 * FIFO is in order, so the tiles a matmul finds are known statically). FIFO g is MXU
 * g % mxus_per_core of core g / mxus_per_core; each is a ring of depth_tiles tiles that loadw
 * pushed and no matmul has consumed yet. Only shapes and counts matter here. */
typedef struct { uint32_t k, n, slots; } isa_tile;
typedef struct {
    uint32_t depth, n_fifos;
    isa_tile *ring;                 /* n_fifos x depth */
    uint32_t *head, *cnt, *used;    /* per FIFO: oldest tile, tiles held, slots they occupy */
} isa_fifos;
/* For machine t, every FIFO empty. TP_ERR_NOMEM (no message; f freeable) when out of memory. */
tp_status isa_fifos_init(isa_fifos *f, const tp_tpu_cfg *t);
void isa_fifos_free(isa_fifos *f);
/* The FIFO of a loadw or matmul, and the tile a loadw pushes (k x n, its slots). */
uint32_t isa_fifo_of(const tp_tpu_cfg *t, const isa_instr *in);
isa_tile isa_loadw_tile(const tp_tpu_cfg *t, const isa_instr *in);
/* Push one tile (the caller has checked cnt < depth); the j-th oldest held tile (j < cnt);
 * drop the n oldest (n <= cnt). */
void isa_fifos_push(isa_fifos *f, uint32_t g, isa_tile tile);
isa_tile isa_fifos_peek(const isa_fifos *f, uint32_t g, uint32_t j);
void isa_fifos_pop(isa_fifos *f, uint32_t g, uint32_t n);

/* Writes the program as .tpu text that the assembler reads back to the same instructions. */
void isa_print(const isa_program *p, FILE *f);
/* One instruction as text (no newline), e.g. "matmul 0, 128, 0x400, 64, accumulate, repeat=4". */
void isa_format(const isa_program *p, const isa_instr *in, char *buf, size_t cap);
#endif
