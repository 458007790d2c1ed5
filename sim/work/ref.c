/* The reference GEMM and the bitwise comparison: see ref.h. */
#include "work/ref.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "num/gemm.h"
#include "num/num.h"

/* One problem's accumulators (no epilogue) for batch element bi, possibly split along K. */
static tp_status ref_batch(const gemm_problem *pb, const ref_spec *rs, const void *a, const void *b, void *c,
                           uint32_t bi, int threads, tp_err *err)
{
    const size_t ib = dtype_in_bytes(pb->dtype);
    const size_t m = pb->m, n = pb->n, k = pb->k;
    num_gemm_args g;
    memset(&g, 0, sizeof g);
    g.a = (const char *)a + (size_t)bi * m * k * ib;
    if (pb->transpose_a) {
        g.a_rs = 1;
        g.a_cs = m;
    } else {
        g.a_rs = k;
        g.a_cs = 1;
    }
    g.b = (const char *)b + (size_t)bi * k * n * ib;
    if (pb->transpose_b) {
        g.b_rs = 1;
        g.b_cs = k;
    } else {
        g.b_rs = n;
        g.b_cs = 1;
    }
    g.c = (char *)c + (size_t)bi * m * n * 4;
    g.ldc = n;
    g.m = pb->m;
    g.n = pb->n;
    g.k = pb->k;
    g.kc = rs->kc;
    g.accumulate = false;
    if (rs->k_part == 0 || rs->k_part >= pb->k) {
        num_gemm(pb->dtype, &g, threads);
        return TP_OK;
    }
    /* split-K: part sums P_p over [p*k_part, (p+1)*k_part), then C = P_p + C in part order */
    void *part = malloc(m * n * 4);
    if (!part)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory for the reference's split-K part sums (%zu bytes)",
                          m * n * 4);
    for (uint32_t k0 = 0; k0 < pb->k; k0 += rs->k_part) {
        num_gemm_args gp = g;
        gp.k = pb->k - k0 < rs->k_part ? pb->k - k0 : rs->k_part;
        gp.a = (const char *)g.a + (size_t)k0 * g.a_cs * ib;
        gp.b = (const char *)g.b + (size_t)k0 * g.b_rs * ib;
        gp.c = k0 == 0 ? g.c : part;
        num_gemm(pb->dtype, &gp, threads);
        if (k0 == 0)
            continue;
        for (size_t i = 0; i < m * n; i++) {
            if (pb->dtype == TP_INT8)
                ((int32_t *)g.c)[i] = num_i32_add(((int32_t *)part)[i], ((int32_t *)g.c)[i]);
            else
                ((float *)g.c)[i] = num_f32_add(((float *)part)[i], ((float *)g.c)[i]);
        }
    }
    free(part);
    return TP_OK;
}

tp_status ref_gemm(const gemm_problem *pb, const ref_spec *rs, const void *a, const void *b, void *c,
                   int threads, tp_err *err)
{
    for (uint32_t bi = 0; bi < pb->batch; bi++) {
        tp_status st = ref_batch(pb, rs, a, b, c, bi, threads, err);
        if (st != TP_OK)
            return st;
    }
    /* epilogue, in place (raw outputs are 4 bytes; int8 / bf16 outputs are packed afterwards) */
    size_t total = (size_t)pb->batch * pb->m * pb->n;
    if (rs->epilogue == GEMM_EPI_NONE)
        return TP_OK;
    if (pb->dtype == TP_INT8) {
        int32_t *x = c;
        if (rs->epilogue == GEMM_EPI_RELU) {
            for (size_t i = 0; i < total; i++)
                x[i] = x[i] < 0 ? 0 : x[i];
        } else {
            int8_t *o = c;
            for (size_t i = 0; i < total; i++)
                o[i] = num_requant_i8(x[i], rs->requant_scale);
        }
    } else {
        float *x = c;
        if (rs->epilogue == GEMM_EPI_RELU) {
            for (size_t i = 0; i < total; i++)
                x[i] = x[i] < 0.0f ? 0.0f : x[i];
        } else {
            uint16_t *o = c;
            for (size_t i = 0; i < total; i++)
                o[i] = dtype_f32_to_bf16(x[i]);
        }
    }
    return TP_OK;
}

static void describe(char *buf, size_t cap, npy_dtype dt, const void *p, size_t i)
{
    switch (dt) {
    case NPY_INT8: snprintf(buf, cap, "%d", ((const int8_t *)p)[i]); break;
    case NPY_INT32: snprintf(buf, cap, "%d", ((const int32_t *)p)[i]); break;
    case NPY_F32: {
        float f = ((const float *)p)[i];
        snprintf(buf, cap, "%.9g (0x%08x)", (double)f, dtype_f32_bits(f));
        break;
    }
    default: {
        uint16_t u = ((const uint16_t *)p)[i];
        snprintf(buf, cap, "%.4g (0x%04x)", (double)dtype_bf16_to_f32(u), u);
        break;
    }
    }
}

bool ref_compare(const gemm_problem *pb, npy_dtype dt, const void *got, const void *want, char *msg,
                 size_t cap)
{
    const size_t nc = (size_t)pb->batch * pb->m * pb->n, ob = npy_dtype_size(dt);
    if (memcmp(want, got, nc * ob) == 0)
        return true;
    size_t i = 0;
    while (i < nc && !memcmp((const char *)want + i * ob, (const char *)got + i * ob, ob))
        i++;
    char g[48], w[48];
    describe(g, sizeof g, dt, got, i);
    describe(w, sizeof w, dt, want, i);
    size_t row = i / pb->n, col = i % pb->n;
    snprintf(msg, cap, "C[%zu, %zu]%s is %s but the reference gives %s", row % pb->m, col,
             pb->batch > 1 ? " (batch element)" : "", g, w);
    return false;
}
