/* Numerical error of a GEMM result against a float64 reference of the same real inputs
 * (`tpusim gemm --error`, docs/numerics.md "Error against fp64").
 *
 * The real inputs are float64 matrices in the stored layout of work/gemm.h: the float32 values of
 * --a/--b files as given, or the int8 / bf16 values the GEMM ran on. The reference is
 *     ref[i][j] = sum over k ascending of A[i][k] * B[k][j]      in float64
 * (each product of two float32 is exact in float64; only the float64 sum rounds, at 2^-53 per
 * step: negligible next to bf16's and int8's errors). The measured result is C times c_scale
 * (1 for raw bf16/fp32 accumulators; scale_a * scale_b for an int8 GEMM of quantized inputs).
 *
 * Figures, over the batch * M * N elements:
 *     max_abs   = max |C * c_scale - ref|
 *     max_ref   = max |ref|
 *     rel       = max_abs / max_ref       (norm-wise: relative to the largest reference value, so
 *                                         a near-zero reference element cannot blow it up; 0 when
 *                                         max_ref = 0 and max_abs = 0, +inf when only max_ref = 0)
 *     rms       = sqrt(mean((C * c_scale - ref)^2))
 *     nonfinite = elements of C that are NaN or Inf (left out of the figures above)
 *
 * Quantization (err_quantize_i8): symmetric, one scale per tensor, scale = max|x| / 127
 * (1 when every x is 0), q = x / scale rounded to nearest, ties to even, clamped to -127..127.
 */
#ifndef TP_WORK_ERR_H
#define TP_WORK_ERR_H
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/npy.h"
#include "work/gemm.h"

typedef struct {
    double max_abs, max_ref, rel, rms;
    uint64_t count;        /* finite elements compared */
    uint64_t nonfinite;    /* NaN or Inf elements of C */
} gemm_error;

/* n values of file dtype dt (int8, int32, float32, bf16 bits) as float64. */
void err_to_f64(npy_dtype dt, const void *src, size_t n, double *dst);

/* Quantizes n float32 values to int8 as above; returns the scale. A NaN or Inf input gives
 * TP_ERR_USAGE naming `what` (e.g. "--a a.npy") and the element. */
tp_status err_quantize_i8(const char *what, const float *x, size_t n, int8_t *q, double *scale, tp_err *err);

/* The figures of C (dtype c_dt: int32 or float32, batch * M rows of N) against the float64
 * reference of a and b (stored layouts of pb). TP_ERR_NOMEM if the reference does not fit. */
tp_status err_gemm(const gemm_problem *pb, const double *a, const double *b, npy_dtype c_dt, const void *c,
                   double c_scale, gemm_error *out, tp_err *err);
#endif
