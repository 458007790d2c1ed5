/* The reference GEMM and the bitwise comparison: see ref.h. */
#define _DEFAULT_SOURCE 1   /* sysconf's _SC_NPROCESSORS_ONLN */
#include "work/ref.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "num/num.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define REF_HAVE_AVX2 1
#include <immintrin.h>
#else
#define REF_HAVE_AVX2 0
#endif

/* ---- the reference's own matrix product ---------------------------------------------------
 *
 * NOTES ON THE DESIGN OF THE REFERENCE PRODUCT (ref_matmul)
 * It shares no code with the machine's kernels (num/gemm.c): it only reads the same
 * definition (docs/numerics.md) and the scalar rules of num/num.h. It is laid out differently
 * on purpose, so that one mistake cannot hide in both:
 * 1. The whole of A is converted once into groups of REF_MR = 6 rows stored k-major
 *    (group g, step k: rows 6g..6g+5 at ag[k*6 + r]) and the whole of B into strips of
 *    REF_NR = 16 columns stored k-major (strip s, step k: bs[k*16 + j]), fp32 (bf16 is a 16-bit
 *    shift, exact) or int32; rows and columns past the matrix are zero.
 * 2. C is cut into blocks of REF_RB rows x REF_CB columns, the tasks of plain threads that take
 *    the next block from an atomic counter. Every element is computed by one task, in an order
 *    fixed by kc alone, so the thread count never changes a bit.
 * 3. Within a block, K is walked in slices made of whole chunks (at least REF_KS steps, one
 *    chunk if it is longer), then 16-column strips, then 6-row groups; for each chunk of the
 *    slice a 6 x 16 tile P starts at +0.0, adds fma(a, b, P) for k ascending and is stored into
 *    C (the very first chunk, when not accumulating) or added to it. Tiles that stick out of C
 *    work on a 6 x 16 copy.
 * 4. NaNs are made canonical once, after the last slice. NaN is sticky under fma and add, so
 *    this gives the same bits as canonicalising at every store.
 * int8: int32 products (exact) and sums modulo 2^32 in uint32_t / vector lanes, same walk.
 * The AVX2 + FMA tile is chosen at run time (its own CPU check); the portable tile is plain C
 * with fmaf and stays selectable (REF_PATH_PORTABLE) so the tests run both.
 */

enum {
    REF_MR = 6,       /* rows of a tile (an A group) */
    REF_NR = 16,      /* columns of a tile (a B strip) */
    REF_RB = 96,      /* rows of a task's block (a multiple of REF_MR) */
    REF_CB = 256,     /* columns of a task's block (a multiple of REF_NR) */
    REF_KS = 256,     /* K slice: whole chunks of at least this many steps (L1/L2-sized) */
    REF_SMALL = 1 << 20,   /* below m*n*k this, one thread */
    REF_THREADS_MAX = 64
};

typedef struct {
    tp_dtype dt;
    const num_gemm_args *g;
    uint32_t kc;               /* effective chunk */
    uint32_t groups, strips;   /* A groups, B strips */
    uint32_t blocks_m, blocks; /* task t is block (t % blocks_m, t / blocks_m) */
    void *ag, *bs;             /* converted A groups and B strips (4-byte elements) */
    bool avx2;                 /* which tile */
    atomic_uint next;          /* next task */
    atomic_uint next_conv;     /* next conversion job (A groups, then B strips) */
} ref_ctx;

static uint32_t ref_min(uint32_t a, uint32_t b) { return a < b ? a : b; }

/* conversion job x: A group x (x < groups), else B strip x - groups */
static void ref_convert(ref_ctx *rc, uint32_t x)
{
    const num_gemm_args *g = rc->g;
    const size_t k = g->k;
    if (x < rc->groups) {
        uint32_t *d = (uint32_t *)rc->ag + (size_t)x * k * REF_MR;
        for (uint32_t r = 0; r < REF_MR; r++) {
            uint32_t i = x * REF_MR + r;
            for (size_t kk = 0; kk < k; kk++) {
                uint32_t v = 0;
                if (i < g->m) {
                    size_t at = (size_t)i * g->a_rs + kk * g->a_cs;
                    v = rc->dt == TP_BF16 ? (uint32_t)((const uint16_t *)g->a)[at] << 16
                                          : (uint32_t)(int32_t)((const int8_t *)g->a)[at];
                }
                d[kk * REF_MR + r] = v;
            }
        }
    } else {
        uint32_t s = x - rc->groups;
        uint32_t *d = (uint32_t *)rc->bs + (size_t)s * k * REF_NR;
        for (size_t kk = 0; kk < k; kk++)
            for (uint32_t j = 0; j < REF_NR; j++) {
                uint32_t jj = s * REF_NR + j, v = 0;
                if (jj < g->n) {
                    size_t at = kk * g->b_rs + (size_t)jj * g->b_cs;
                    v = rc->dt == TP_BF16 ? (uint32_t)((const uint16_t *)g->b)[at] << 16
                                          : (uint32_t)(int32_t)((const int8_t *)g->b)[at];
                }
                d[kk * REF_NR + j] = v;
            }
    }
}

/* One 6 x 16 tile over the chunks of [k0, k1) (k0 starts a chunk): portable C. c has row
 * stride ldc; `store` says the chunk starting at k == 0 is stored, not added. */
static void tile_f32_c(const float *ag, const float *bs, uint32_t k0, uint32_t k1, uint32_t kc,
                       bool store, float *c, size_t ldc)
{
    for (uint32_t c0 = k0; c0 < k1; c0 += kc) {
        uint32_t c1 = ref_min(c0 + kc, k1);
        float p[REF_MR][REF_NR];
        for (int r = 0; r < REF_MR; r++)
            for (int j = 0; j < REF_NR; j++)
                p[r][j] = 0.0f;
        for (uint32_t k = c0; k < c1; k++)
            for (int r = 0; r < REF_MR; r++)
                for (int j = 0; j < REF_NR; j++)
                    p[r][j] = fmaf(ag[(size_t)k * REF_MR + r], bs[(size_t)k * REF_NR + j], p[r][j]);
        bool st = store && c0 == 0;
        for (int r = 0; r < REF_MR; r++)
            for (int j = 0; j < REF_NR; j++)
                c[r * ldc + j] = st ? p[r][j] : c[r * ldc + j] + p[r][j];
    }
}

static void tile_i32_c(const uint32_t *ag, const uint32_t *bs, uint32_t k0, uint32_t k1, uint32_t kc,
                       bool store, uint32_t *c, size_t ldc)
{
    for (uint32_t c0 = k0; c0 < k1; c0 += kc) {
        uint32_t c1 = ref_min(c0 + kc, k1);
        uint32_t p[REF_MR][REF_NR] = {{0}};
        for (uint32_t k = c0; k < c1; k++)
            for (int r = 0; r < REF_MR; r++)
                for (int j = 0; j < REF_NR; j++)
                    p[r][j] += ag[(size_t)k * REF_MR + r] * bs[(size_t)k * REF_NR + j];
        bool st = store && c0 == 0;
        for (int r = 0; r < REF_MR; r++)
            for (int j = 0; j < REF_NR; j++)
                c[r * ldc + j] = st ? p[r][j] : c[r * ldc + j] + p[r][j];
    }
}

#if REF_HAVE_AVX2
#define REF_AVX2 __attribute__((target("avx2,fma")))
/* tile_f32_c with 12 accumulators of 8 lanes (6 rows x 2 vectors), two B vectors and a
 * broadcast A: 15 of the 16 ymm registers */
REF_AVX2 static void tile_f32_avx2(const float *ag, const float *bs, uint32_t k0, uint32_t k1,
                                   uint32_t kc, bool store, float *c, size_t ldc)
{
    for (uint32_t c0 = k0; c0 < k1; c0 += kc) {
        uint32_t c1 = ref_min(c0 + kc, k1);
        __m256 p00 = _mm256_setzero_ps(), p01 = p00, p10 = p00, p11 = p00, p20 = p00, p21 = p00,
               p30 = p00, p31 = p00, p40 = p00, p41 = p00, p50 = p00, p51 = p00;
        const float *a = ag + (size_t)c0 * REF_MR, *b = bs + (size_t)c0 * REF_NR;
        for (uint32_t k = c0; k < c1; k++, a += REF_MR, b += REF_NR) {
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
            __m256 x = _mm256_broadcast_ss(a);
            p00 = _mm256_fmadd_ps(x, b0, p00);
            p01 = _mm256_fmadd_ps(x, b1, p01);
            x = _mm256_broadcast_ss(a + 1);
            p10 = _mm256_fmadd_ps(x, b0, p10);
            p11 = _mm256_fmadd_ps(x, b1, p11);
            x = _mm256_broadcast_ss(a + 2);
            p20 = _mm256_fmadd_ps(x, b0, p20);
            p21 = _mm256_fmadd_ps(x, b1, p21);
            x = _mm256_broadcast_ss(a + 3);
            p30 = _mm256_fmadd_ps(x, b0, p30);
            p31 = _mm256_fmadd_ps(x, b1, p31);
            x = _mm256_broadcast_ss(a + 4);
            p40 = _mm256_fmadd_ps(x, b0, p40);
            p41 = _mm256_fmadd_ps(x, b1, p41);
            x = _mm256_broadcast_ss(a + 5);
            p50 = _mm256_fmadd_ps(x, b0, p50);
            p51 = _mm256_fmadd_ps(x, b1, p51);
        }
        __m256 p[REF_MR][2] = {{p00, p01}, {p10, p11}, {p20, p21}, {p30, p31}, {p40, p41}, {p50, p51}};
        bool st = store && c0 == 0;
        for (int r = 0; r < REF_MR; r++)
            for (int h = 0; h < 2; h++) {
                float *x = c + r * ldc + 8 * h;
                _mm256_storeu_ps(x, st ? p[r][h] : _mm256_add_ps(_mm256_loadu_ps(x), p[r][h]));
            }
    }
}

REF_AVX2 static void tile_i32_avx2(const uint32_t *ag, const uint32_t *bs, uint32_t k0, uint32_t k1,
                                   uint32_t kc, bool store, uint32_t *c, size_t ldc)
{
    (void)kc;   /* sums modulo 2^32: one pass over [k0, k1) gives the same bits */
    __m256i p[REF_MR][2];
    for (int r = 0; r < REF_MR; r++)
        p[r][0] = p[r][1] = _mm256_setzero_si256();
    const uint32_t *a = ag + (size_t)k0 * REF_MR, *b = bs + (size_t)k0 * REF_NR;
    for (uint32_t k = k0; k < k1; k++, a += REF_MR, b += REF_NR) {
        __m256i b0 = _mm256_loadu_si256((const __m256i *)b), b1 = _mm256_loadu_si256((const __m256i *)(b + 8));
        for (int r = 0; r < REF_MR; r++) {
            __m256i x = _mm256_set1_epi32((int)a[r]);
            p[r][0] = _mm256_add_epi32(p[r][0], _mm256_mullo_epi32(x, b0));
            p[r][1] = _mm256_add_epi32(p[r][1], _mm256_mullo_epi32(x, b1));
        }
    }
    bool st = store && k0 == 0;
    for (int r = 0; r < REF_MR; r++)
        for (int h = 0; h < 2; h++) {
            __m256i *x = (__m256i *)(c + r * ldc + 8 * h);
            _mm256_storeu_si256(x, st ? p[r][h] : _mm256_add_epi32(_mm256_loadu_si256(x), p[r][h]));
        }
}

static bool ref_cpu_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

static void ref_tile(const ref_ctx *rc, uint32_t grp, uint32_t strip, uint32_t k0, uint32_t k1,
                     void *c, size_t ldc)
{
    const size_t k = rc->g->k;
    const uint32_t *ag = (const uint32_t *)rc->ag + (size_t)grp * k * REF_MR;
    const uint32_t *bs = (const uint32_t *)rc->bs + (size_t)strip * k * REF_NR;
    bool store = !rc->g->accumulate;
#if REF_HAVE_AVX2
    if (rc->avx2) {
        if (rc->dt == TP_BF16)
            tile_f32_avx2((const float *)ag, (const float *)bs, k0, k1, rc->kc, store, c, ldc);
        else
            tile_i32_avx2(ag, bs, k0, k1, rc->kc, store, c, ldc);
        return;
    }
#endif
    if (rc->dt == TP_BF16)
        tile_f32_c((const float *)ag, (const float *)bs, k0, k1, rc->kc, store, c, ldc);
    else
        tile_i32_c(ag, bs, k0, k1, rc->kc, store, c, ldc);
}

static void ref_block(const ref_ctx *rc, uint32_t bi, uint32_t bj)
{
    const num_gemm_args *g = rc->g;
    uint32_t i0 = bi * REF_RB, i1 = ref_min(i0 + REF_RB, g->m);
    uint32_t j0 = bj * REF_CB, j1 = ref_min(j0 + REF_CB, g->n);
    /* slices of whole chunks: ceil(REF_KS / kc) chunks, or one chunk when kc >= REF_KS */
    uint32_t slice = rc->kc >= REF_KS ? rc->kc : (REF_KS + rc->kc - 1) / rc->kc * rc->kc;
    for (uint32_t k0 = 0; k0 < g->k; k0 += slice) {
        uint32_t k1 = g->k - k0 < slice ? g->k : k0 + slice;
        for (uint32_t j = j0; j < j1; j += REF_NR)
            for (uint32_t i = i0; i < i1; i += REF_MR) {
                uint32_t mr = ref_min(REF_MR, i1 - i), nr = ref_min(REF_NR, j1 - j);
                uint32_t *c = (uint32_t *)g->c + (size_t)i * g->ldc + j;
                if (mr == REF_MR && nr == REF_NR) {
                    ref_tile(rc, i / REF_MR, j / REF_NR, k0, k1, c, g->ldc);
                    continue;
                }
                uint32_t t[REF_MR * REF_NR] = {0};
                for (uint32_t r = 0; r < mr; r++)
                    memcpy(t + r * REF_NR, c + r * g->ldc, nr * 4u);
                ref_tile(rc, i / REF_MR, j / REF_NR, k0, k1, t, REF_NR);
                for (uint32_t r = 0; r < mr; r++)
                    memcpy(c + r * g->ldc, t + r * REF_NR, nr * 4u);
            }
    }
    if (rc->dt == TP_BF16)
        for (uint32_t i = i0; i < i1; i++) {
            float *row = (float *)g->c + (size_t)i * g->ldc;
            for (uint32_t j = j0; j < j1; j++)
                row[j] = num_f32_canon(row[j]);
        }
}

static void *ref_worker(void *arg)
{
    ref_ctx *rc = arg;
    for (uint32_t x; (x = atomic_fetch_add(&rc->next, 1)) < rc->blocks;)
        ref_block(rc, x % rc->blocks_m, x / rc->blocks_m);
    return NULL;
}

static void *ref_conv_worker(void *arg)
{
    ref_ctx *rc = arg;
    for (uint32_t x; (x = atomic_fetch_add(&rc->next_conv, 1)) < rc->groups + rc->strips;)
        ref_convert(rc, x);
    return NULL;
}

/* Runs fn on `threads` threads (the caller is one of them); fewer if some cannot start. */
static void ref_run(void *(*fn)(void *), ref_ctx *rc, int threads)
{
    pthread_t tid[REF_THREADS_MAX];
    int started = 0;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, fn, rc) == 0)
            started++;
    fn(rc);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

bool ref_path_available(ref_path path)
{
    switch (path) {
    case REF_PATH_AUTO:
    case REF_PATH_PORTABLE:
        return true;
    case REF_PATH_AVX2:
#if REF_HAVE_AVX2
        return ref_cpu_avx2();
#else
        return false;
#endif
    default:
        return false;
    }
}

/* Bytes of the converted A (6-row groups) and B (16-column strips) of an m x n x k product. */
static void pack_bytes(uint32_t m, uint32_t n, uint32_t k, size_t *a_bytes, size_t *b_bytes)
{
    *a_bytes = (size_t)((m + REF_MR - 1) / REF_MR) * REF_MR * k * 4;
    *b_bytes = (size_t)((n + REF_NR - 1) / REF_NR) * REF_NR * k * 4;
}

uint64_t ref_gemm_scratch_bytes(const gemm_problem *pb, const ref_spec *rs)
{
    bool split = rs->k_part != 0 && rs->k_part < pb->k;
    size_t a, b;
    pack_bytes(pb->m, pb->n, split ? rs->k_part : pb->k, &a, &b);
    return (uint64_t)a + b + (split ? (uint64_t)pb->m * pb->n * 4 : 0);
}

tp_status ref_matmul(tp_dtype dt, const num_gemm_args *g, int threads, ref_path path, tp_err *err)
{
    if (g->m == 0 || g->n == 0)
        return TP_OK;
    if (g->k == 0) {
        if (!g->accumulate)
            for (uint32_t i = 0; i < g->m; i++)
                memset((char *)g->c + (size_t)i * g->ldc * 4, 0, (size_t)g->n * 4);
        return TP_OK;
    }
    ref_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.dt = dt;
    rc.g = g;
    rc.kc = (g->kc == 0 || g->kc > g->k) ? g->k : g->kc;
    rc.groups = (g->m + REF_MR - 1) / REF_MR;
    rc.strips = (g->n + REF_NR - 1) / REF_NR;
    rc.blocks_m = (g->m + REF_RB - 1) / REF_RB;
    rc.blocks = rc.blocks_m * ((g->n + REF_CB - 1) / REF_CB);
    rc.avx2 = path != REF_PATH_PORTABLE && ref_path_available(REF_PATH_AVX2);
    size_t a_bytes, b_bytes;
    pack_bytes(g->m, g->n, g->k, &a_bytes, &b_bytes);
    rc.ag = malloc(a_bytes);
    rc.bs = malloc(b_bytes);
    if (!rc.ag || !rc.bs) {
        free(rc.ag);
        free(rc.bs);
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory for the reference's converted inputs (%zu bytes)",
                          a_bytes + b_bytes);
    }
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : (int)n;
    }
    if ((uint64_t)g->m * g->n * g->k < REF_SMALL)
        threads = 1;
    if (threads > REF_THREADS_MAX)
        threads = REF_THREADS_MAX;
    atomic_init(&rc.next, 0);
    atomic_init(&rc.next_conv, 0);
    ref_run(ref_conv_worker, &rc, threads);
    ref_run(ref_worker, &rc, threads);
    free(rc.ag);
    free(rc.bs);
    return TP_OK;
}

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
        return ref_matmul(pb->dtype, &g, threads, REF_PATH_AUTO, err);
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
        tp_status st = ref_matmul(pb->dtype, &gp, threads, REF_PATH_AUTO, err);
        if (st != TP_OK) {
            free(part);
            return st;
        }
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
