/* The reference result of a GEMM problem (work/gemm.h) and the bitwise comparison with a
 * machine's result. Independent of every machine model: it never looks at a program, only at
 * the problem and the accumulation order the machine states it follows.
 *
 * Order: for each batch, ref_matmul (below: the order of num/gemm.h and docs/numerics.md, with
 * the accumulation chunk kc, computed by code of its own, not the machine's kernels). With split-K (0 < k_part < K) the K range is cut into parts of k_part (the last
 * shorter), each part's sum P_p is formed the same way from +0.0, and the parts are added in
 * ascending order, C = ((P0 + P1) + P2) ..., computed as C = P_p + C: int32 wraps
 * (num_i32_add), fp32 is num_f32_add (round to nearest even, a NaN is the canonical 0x7fc00000,
 * as the vector unit's add). Then the epilogue (work/gemm.h) on every element.
 */
#ifndef TP_WORK_REF_H
#define TP_WORK_REF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/npy.h"
#include "num/gemm.h"
#include "work/gemm.h"

typedef struct {
    uint32_t kc;             /* accumulation chunk of each sum (num_gemm kc; 0 = the whole K) */
    uint32_t k_part;         /* split-K: K length of each part but the last; 0 or >= K: no split */
    gemm_epilogue epilogue;
    float requant_scale;     /* scale of the int8 requant epilogue */
} ref_spec;

/* C of problem pb from A and B (stored layouts of work/gemm.h) into c, which must hold
 * batch * M * N * 4 bytes (the raw accumulators are formed in place; a requant epilogue then
 * packs its 1- or 2-byte results at the start). threads as for num_gemm (0 = default).
 * Fails only when memory for the split-K part sums is missing (TP_ERR_NOMEM); c is then
 * undefined. The converted inputs (ref_matmul) need 4 bytes per element of one batch element's
 * A and B on top. */
tp_status ref_gemm(const gemm_problem *pb, const ref_spec *rs, const void *a, const void *b, void *c,
                   int threads, tp_err *err);
/* The most memory ref_gemm of pb allocates for itself at once, in bytes: the converted A and B
 * of one batch element (of one split-K part), and with split-K the part sums. */
uint64_t ref_gemm_scratch_bytes(const gemm_problem *pb, const ref_spec *rs);

/* The reference's matrix product: the bits of num_gemm_ref (the plain triple loop, the test
 * oracle) for every input, by separate code that shares nothing with num/gemm.c's kernels:
 * whole-matrix conversion into 6-row groups and 16-column strips, 6 x 16 tiles, its own
 * threads (threads <= 0: the online CPUs; one thread below 2^20 MACs) and its own CPU check.
 * path: REF_PATH_AUTO (AVX2 + FMA when the CPU has them), REF_PATH_PORTABLE (plain C with
 * fmaf) or REF_PATH_AVX2 (runs as AUTO when the CPU lacks it). Fails only when memory for
 * the converted inputs (4 bytes per element of A and B) is missing (TP_ERR_NOMEM). */
typedef enum { REF_PATH_AUTO = 0, REF_PATH_PORTABLE, REF_PATH_AVX2 } ref_path;
tp_status ref_matmul(tp_dtype dt, const num_gemm_args *g, int threads, ref_path path, tp_err *err);
bool ref_path_available(ref_path path);   /* built in and supported by this CPU */

/* Compares a machine's C with the reference's, bit for bit (a NaN compares by its bits too):
 * batch * M * N elements of dtype dt. true when equal; otherwise false, and msg (cap bytes)
 * names the first differing element, e.g.
 * "C[0, 3] is 1.5 (0x3fc00000) but the reference gives nan (0x7fc00000)"
 * (row within its batch element; " (batch element)" follows C[..] when batch > 1). */
bool ref_compare(const gemm_problem *pb, npy_dtype dt, const void *got, const void *want, char *msg,
                 size_t cap);
#endif
