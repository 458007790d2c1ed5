/* Error of a GEMM result against a float64 reference: see work/err.h. */
#include "work/err.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void err_to_f64(npy_dtype dt, const void *src, size_t n, double *dst)
{
    for (size_t i = 0; i < n; i++) {
        switch (dt) {
        case NPY_INT8: dst[i] = ((const int8_t *)src)[i]; break;
        case NPY_INT32: dst[i] = ((const int32_t *)src)[i]; break;
        case NPY_F32: dst[i] = ((const float *)src)[i]; break;
        case NPY_BF16: dst[i] = dtype_bf16_to_f32(((const uint16_t *)src)[i]); break;
        default: dst[i] = 0; break;
        }
    }
}

tp_status err_quantize_i8(const char *what, const float *x, size_t n, int8_t *q, double *scale, tp_err *err)
{
    double amax = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return tp_err_set(err, TP_ERR_USAGE, "%s: element %zu is %g: int8 quantization needs finite values",
                              what, i, (double)x[i]);
        amax = fmax(amax, fabs((double)x[i]));
    }
    double s = amax > 0 ? amax / 127.0 : 1.0;
    for (size_t i = 0; i < n; i++) {
        double v = nearbyint((double)x[i] / s);   /* the default rounding: to nearest, ties to even */
        q[i] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
    }
    *scale = s;
    return TP_OK;
}

tp_status err_gemm(const gemm_problem *pb, const double *a, const double *b, npy_dtype c_dt, const void *c,
                   double c_scale, gemm_error *out, tp_err *err)
{
    const size_t M = pb->m, N = pb->n, K = pb->k;
    double *row = malloc((N ? N : 1) * sizeof *row);
    memset(out, 0, sizeof *out);
    if (!row)
        return tp_err_set(err, TP_ERR_NOMEM, "--error: out of memory for the float64 reference");
    double sq = 0;
    for (size_t bt = 0; bt < pb->batch; bt++) {
        const double *ab = a + bt * M * K, *bb = b + bt * K * N;
        for (size_t i = 0; i < M; i++) {
            for (size_t j = 0; j < N; j++)
                row[j] = 0;
            for (size_t k = 0; k < K; k++) {
                double x = pb->transpose_a ? ab[k * M + i] : ab[i * K + k];
                for (size_t j = 0; j < N; j++)
                    row[j] += x * (pb->transpose_b ? bb[j * K + k] : bb[k * N + j]);
            }
            size_t at = (bt * M + i) * N;
            for (size_t j = 0; j < N; j++) {
                double got = c_dt == NPY_INT32 ? (double)((const int32_t *)c)[at + j] : (double)((const float *)c)[at + j];
                out->max_ref = fmax(out->max_ref, fabs(row[j]));
                if (!isfinite(got)) {
                    out->nonfinite++;
                    continue;
                }
                double d = fabs(got * c_scale - row[j]);
                out->max_abs = fmax(out->max_abs, d);
                sq += d * d;
                out->count++;
            }
        }
    }
    free(row);
    out->rms = out->count ? sqrt(sq / (double)out->count) : 0;
    out->rel = out->max_ref > 0 ? out->max_abs / out->max_ref : out->max_abs > 0 ? INFINITY : 0;
    return TP_OK;
}
