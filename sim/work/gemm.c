/* The GEMM problem's names and limits: see gemm.h. */
#include "work/gemm.h"
#include "base/text.h"
#include <inttypes.h>
#include <string.h>

static const char *const epi_names[GEMM_EPI__COUNT] = {
    [GEMM_EPI_NONE] = "none", [GEMM_EPI_RELU] = "relu", [GEMM_EPI_REQUANT] = "requant"};

const char *gemm_epilogue_name(gemm_epilogue e)
{
    return (unsigned)e < GEMM_EPI__COUNT ? epi_names[e] : "?";
}

int gemm_epilogue_parse(const char *s, gemm_epilogue *out)
{
    int i = text_lookup(s, epi_names, GEMM_EPI__COUNT);
    if (i < 0)
        return -1;
    *out = (gemm_epilogue)i;
    return 0;
}

npy_dtype gemm_out_dtype(tp_dtype dt, gemm_epilogue e)
{
    if (e == GEMM_EPI_REQUANT)
        return dt == TP_INT8 ? NPY_INT8 : NPY_BF16;
    return dt == TP_INT8 ? NPY_INT32 : NPY_F32;
}

tp_status gemm_check_sizes(const gemm_problem *pb, tp_err *err)
{
    uint64_t a = (uint64_t)pb->batch * pb->m * pb->k, b = (uint64_t)pb->batch * pb->k * pb->n;
    uint64_t c = (uint64_t)pb->batch * pb->m * pb->n;
    uint64_t big = a > b ? a : b;
    big = big > c ? big : c;
    if ((uint64_t)pb->batch * pb->m > UINT32_MAX || (uint64_t)pb->batch * pb->k > UINT32_MAX ||
        (uint64_t)pb->batch * pb->n > UINT32_MAX || big > NPY_MAX_ELEMS)
        return tp_err_set(err, TP_ERR_NOMEM,
                          "gemm %ux%ux%u (batch %u): a matrix of %" PRIu64 " elements is over the limit of %llu "
                          "(use --no-data for a timing-only run)",
                          pb->m, pb->n, pb->k, pb->batch, big, (unsigned long long)NPY_MAX_ELEMS);
    return TP_OK;
}

int gemm_parse_tile(const char *s, uint32_t *tm, uint32_t *tn, uint32_t *tk)
{
    uint32_t v[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t x = 0;
        while (*p >= '0' && *p <= '9') {
            x = x * 10 + (uint64_t)(*p - '0');
            if (x > GEMM_MAX_DIM)
                return -1;
            p++;
        }
        if (x == 0)
            return -1;
        v[i] = (uint32_t)x;
        if (i < 2 && *p++ != 'x')
            return -1;
    }
    if (*p)
        return -1;
    *tm = v[0];
    *tn = v[1];
    *tk = v[2];
    return 0;
}

int gemm_parse_order(const char *s, char out[4])
{
    if (strlen(s) != 3 || !strchr(s, 'm') || !strchr(s, 'n') || !strchr(s, 'k'))
        return -1;
    memcpy(out, s, 4);
    return 0;
}
