/* The reference result of a GEMM problem (work/gemm.h) and the bitwise comparison with a
 * machine's result. Independent of every machine model: it never looks at a program, only at
 * the problem and the accumulation order the machine states it follows.
 *
 * Order: for each batch, num_gemm (num/gemm.h, same bits as num_gemm_ref) with the accumulation
 * chunk kc. With split-K (0 < k_part < K) the K range is cut into parts of k_part (the last
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
 * undefined. */
tp_status ref_gemm(const gemm_problem *pb, const ref_spec *rs, const void *a, const void *b, void *c,
                   int threads, tp_err *err);

/* Compares a machine's C with the reference's, bit for bit (a NaN compares by its bits too):
 * batch * M * N elements of dtype dt. true when equal; otherwise false, and msg (cap bytes)
 * names the first differing element, e.g.
 * "C[0, 3] is 1.5 (0x3fc00000) but the reference gives nan (0x7fc00000)"
 * (row within its batch element; " (batch element)" follows C[..] when batch > 1). */
bool ref_compare(const gemm_problem *pb, npy_dtype dt, const void *got, const void *want, char *msg,
                 size_t cap);
#endif
