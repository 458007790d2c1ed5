/* The GEMM problem, as every machine model takes it (the TPU's tiler, a GPU's CTA-tiled kernel,
 * the reference): C[M,N] = A[M,K] . B[K,N] in int8 or bf16, A and/or B stored transposed,
 * `batch` independent products stacked along the rows, then an epilogue on C.
 *
 * Stored layouts (row-major, batch after batch):
 *   A: batch * M rows of K elements, or batch * K rows of M when transpose_a
 *   B: batch * K rows of N elements, or batch * N rows of K when transpose_b
 *   C: batch * M rows of N elements, of gemm_out_dtype(dtype, epilogue)
 *
 * Epilogues, on the int32 / fp32 accumulator value x (num/num.h):
 *   none     C = x (raw: '<i4' for int8, '<f4' for bf16)
 *   relu     C = x < 0 ? 0 : x (NaN and -0.0 pass unchanged), still raw
 *   requant  int8: C = num_requant_i8(x, scale) ('|i1'); bf16: C = dtype_f32_to_bf16(x) ('<u2')
 */
#ifndef TP_WORK_GEMM_H
#define TP_WORK_GEMM_H
#include <stdbool.h>
#include <stdint.h>
#include "base/dtype.h"
#include "base/err.h"
#include "base/npy.h"

#define GEMM_MAX_DIM (1u << 24)      /* 16M: any real layer; M*N*K may reach 2^72 (see workload_layer_macs) */

typedef enum { GEMM_EPI_NONE = 0, GEMM_EPI_RELU, GEMM_EPI_REQUANT, GEMM_EPI__COUNT } gemm_epilogue;
const char *gemm_epilogue_name(gemm_epilogue e);            /* "none" "relu" "requant" */
int gemm_epilogue_parse(const char *s, gemm_epilogue *out); /* 0 ok, -1 unknown */

typedef struct {
    uint32_t m, n, k;        /* per batch */
    uint32_t batch;          /* independent GEMMs stacked along rows of A, B and C (>= 1) */
    tp_dtype dtype;
    bool transpose_a;        /* A stored K x M (per batch) */
    bool transpose_b;        /* B stored N x K (per batch) */
} gemm_problem;

/* C's file dtype: '<i4' / '<f4' (none, relu), '|i1' / '<u2' (requant of int8 / bf16). */
npy_dtype gemm_out_dtype(tp_dtype dt, gemm_epilogue e);
/* Refuses a problem one of whose stored matrices (A, B or C, batch included) has more than
 * NPY_MAX_ELEMS elements or more than UINT32_MAX rows (TP_ERR_NOMEM, naming the shape). */
tp_status gemm_check_sizes(const gemm_problem *pb, tp_err *err);
/* "MxNxK" (each 1..GEMM_MAX_DIM) -> 0 and the three sizes; -1 otherwise. */
int gemm_parse_tile(const char *s, uint32_t *tm, uint32_t *tn, uint32_t *tk);
/* A permutation of m, n, k ("mnk" ...) -> 0 and a copy in out; -1 otherwise. */
int gemm_parse_order(const char *s, char out[4]);
#endif
