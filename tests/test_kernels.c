/* Every GEMM code path against the plain triple loop (num_gemm_ref, the test oracle):
 * - the reference's own product (work/ref.c ref_matmul), portable and AVX2 paths, 1-3 threads,
 *   on many small and odd shapes and a few big enough to be cut into blocks and threads;
 * - every machine kernel this CPU has (portable, AVX2, AVX-512) on edge tiles of every size,
 *   K not a multiple of the vector width, kc chunks shorter and longer than the K block, with
 *   NaN / Inf / -0.0 / subnormal inputs;
 * - the TPUSIM_KERNEL override and its names;
 * - the reasoning that lets the kernels use fp32 FMA: a bf16 x bf16 product is exact in fp32
 *   unless it is below fp32's normal range, so fma(a, b, c) == a * b + c (one rounding) there,
 *   and the fused form decides where it is not (docs/numerics.md). */
#include "harness.h"
#include "base/rng.h"
#include "num/gemm.h"
#include "num/pool.h"
#include "work/ref.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bf16 inputs: mostly normal values, with specials (NaN with payloads, +-Inf, +-0) and tiny
 * values whose products are fp32 subnormals or underflow */
static uint16_t kval(rng_state *r, int mix)
{
    uint64_t x = rng_below(r, 100);
    if (mix == 0 || x < 80)
        return rng_bf16_normalish(r, false);
    if (x < 90) {
        static const uint16_t sp[] = {0x7f80u, 0xff80u, 0x0000u, 0x8000u, 0x7fc0u, 0xff81u, 0x7f81u};
        return sp[rng_below(r, sizeof sp / sizeof sp[0])];
    }
    uint16_t e = (uint16_t)(30 + rng_below(r, 40));   /* 2^-97 .. 2^-58: products near 2^-149 */
    return (uint16_t)((rng_below(r, 2) << 15) | (e << 7) | rng_below(r, 128));
}

typedef struct {
    tp_dtype dt;
    uint32_t m, n, k, kc;
    bool a_trans, b_trans, accumulate;
    uint32_t pad;   /* extra elements per row of A, B and C */
    int mix;        /* 0: normal values only; 1: specials and subnormals too */
} kcase;

typedef struct {
    void *a, *b;
    uint32_t *c0, *want, *got;
    num_gemm_args g;   /* c points at got */
    size_t c_len;
} kdata;

static void kdata_make(kdata *d, const kcase *t, rng_state *r)
{
    size_t in = dtype_in_bytes(t->dt);
    size_t a_rs = t->a_trans ? 1 : (size_t)t->k + t->pad, a_cs = t->a_trans ? (size_t)t->m + t->pad : 1;
    size_t b_rs = t->b_trans ? 1 : (size_t)t->n + t->pad, b_cs = t->b_trans ? (size_t)t->k + t->pad : 1;
    size_t a_len = t->a_trans ? a_cs * t->k : a_rs * t->m, b_len = t->b_trans ? b_cs * t->n : b_rs * t->k;
    size_t ldc = (size_t)t->n + t->pad;
    d->c_len = ldc * t->m;
    d->a = malloc(a_len * in + 1);
    d->b = malloc(b_len * in + 1);
    d->c0 = malloc(d->c_len * 4 + 4);
    d->want = malloc(d->c_len * 4 + 4);
    d->got = malloc(d->c_len * 4 + 4);
    assert_true(d->a && d->b && d->c0 && d->want && d->got);
    for (size_t x = 0; x < a_len; x++) {
        if (t->dt == TP_BF16)
            ((uint16_t *)d->a)[x] = kval(r, t->mix);
        else
            ((int8_t *)d->a)[x] = rng_i8(r);
    }
    for (size_t x = 0; x < b_len; x++) {
        if (t->dt == TP_BF16)
            ((uint16_t *)d->b)[x] = kval(r, t->mix);
        else
            ((int8_t *)d->b)[x] = rng_i8(r);
    }
    for (size_t x = 0; x < d->c_len; x++)   /* C's old values: added to when accumulating */
        d->c0[x] = t->dt == TP_BF16 ? dtype_f32_bits(dtype_bf16_to_f32(kval(r, t->mix))) : rng_u32(r);
    num_gemm_args g = {d->a, a_rs, a_cs, d->b, b_rs, b_cs, d->want, ldc, t->m, t->n, t->k, t->kc,
                       t->accumulate};
    memcpy(d->want, d->c0, d->c_len * 4);
    num_gemm_ref(t->dt, &g);   /* the oracle */
    g.c = d->got;
    d->g = g;
}

static void kdata_free(kdata *d)
{
    free(d->a);
    free(d->b);
    free(d->c0);
    free(d->want);
    free(d->got);
}

static void kdata_expect(const kdata *d, const kcase *t, const char *who, int idx)
{
    for (size_t e = 0; e < d->c_len; e++)
        if (d->got[e] != d->want[e])
            fail_msg("case %d (%s %ux%ux%u kc=%u at=%d bt=%d acc=%d pad=%u mix=%d): %s C[%zu][%zu] = "
                     "0x%08x, oracle 0x%08x", idx, dtype_name(t->dt), t->m, t->n, t->k, t->kc,
                     t->a_trans, t->b_trans, t->accumulate, t->pad, t->mix, who, e / d->g.ldc,
                     e % d->g.ldc, d->got[e], d->want[e]);
}

static void run_ref_paths(const kcase *t, rng_state *r, int idx)
{
    kdata d;
    kdata_make(&d, t, r);
    for (int path = REF_PATH_AUTO; path <= REF_PATH_AVX2; path++) {
        if (!ref_path_available((ref_path)path))
            continue;
        for (int threads = 1; threads <= 3; threads++) {
            memcpy(d.got, d.c0, d.c_len * 4);
            assert_int_equal(ref_matmul(t->dt, &d.g, threads, (ref_path)path, NULL), TP_OK);
            char who[48];
            snprintf(who, sizeof who, "ref_matmul path %d threads %d", path, threads);
            kdata_expect(&d, t, who, idx);
        }
    }
    kdata_free(&d);
}

static uint32_t odd_dim(rng_state *r)
{
    switch (rng_below(r, 4)) {
    case 0: return 1 + (uint32_t)rng_below(r, 5);
    case 1: return 1 + (uint32_t)rng_below(r, 21);
    case 2: return 15 + (uint32_t)rng_below(r, 4);   /* around the 16-wide strips */
    default: return 1 + (uint32_t)rng_below(r, 70);
    }
}

static uint32_t pick_kc(rng_state *r, uint32_t k)
{
    switch (rng_below(r, 5)) {
    case 0: return 1;
    case 1: return 0;
    case 2: return k;
    case 3: return 2 + (uint32_t)rng_below(r, 40);
    default: return 128;
    }
}

static void reference_product_matches_oracle(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 20261202);
    for (int idx = 0; idx < 300; idx++) {
        kcase t;
        t.dt = rng_below(&r, 3) ? TP_BF16 : TP_INT8;
        t.m = odd_dim(&r);
        t.n = odd_dim(&r);
        t.k = idx % 5 == 0 ? 1 + (uint32_t)rng_below(&r, 600) : odd_dim(&r);   /* slices of REF_KS */
        t.kc = pick_kc(&r, t.k);
        t.a_trans = rng_below(&r, 2);
        t.b_trans = rng_below(&r, 2);
        t.accumulate = rng_below(&r, 2);
        t.pad = rng_below(&r, 3) ? 0 : (uint32_t)rng_below(&r, 4);
        t.mix = (int)rng_below(&r, 2);
        run_ref_paths(&t, &r, idx);
    }
}

static void reference_product_blocks_and_threads(void **state)
{
    (void)state;
    /* above 2^20 MACs the reference uses its threads; 64 x 256 blocks and 256-deep slices */
    static const kcase cases[] = {
        {TP_BF16, 150, 300, 40, 128, false, false, false, 0, 1},
        {TP_BF16, 130, 270, 300, 128, true, false, true, 1, 1},
        {TP_BF16, 67, 513, 700, 0, false, true, false, 0, 1},    /* one chunk longer than a slice */
        {TP_BF16, 129, 257, 100, 7, false, false, true, 2, 0},
        {TP_INT8, 131, 259, 300, 128, true, true, true, 3, 0},
        {TP_INT8, 64, 512, 513, 0, false, false, false, 0, 0},
    };
    rng_state r;
    rng_init(&r, 7);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_ref_paths(&cases[i], &r, (int)i);
}

static void machine_kernels_on_edges_and_specials(void **state)
{
    (void)state;
    /* every available kernel, on a 2-thread pool and on the caller alone: m covers every edge
     * height of a 6-row micro-tile, n every edge width of 16- and 32-wide tiles, k odd and even
     * around the int16 pairs, kc shorter and longer than the 256-deep K block */
    num_pool *pool;
    assert_int_equal(num_pool_new(2, &pool, NULL), TP_OK);
    rng_state r;
    rng_init(&r, 99);
    int idx = 0;
    for (uint32_t m = 1; m <= 13; m += 3)
        for (uint32_t n = 1; n <= 70; n += 23)
            for (int dt = 0; dt < 2; dt++) {
                kcase t;
                t.dt = dt ? TP_INT8 : TP_BF16;
                t.m = m + (uint32_t)rng_below(&r, 3);
                t.n = n + (uint32_t)rng_below(&r, 10);
                t.k = (uint32_t)(idx % 3 == 0 ? 257 + rng_below(&r, 300) : 1 + rng_below(&r, 40));
                t.kc = idx % 4 == 0 ? 300 : pick_kc(&r, t.k);
                t.a_trans = idx % 5 == 1;
                t.b_trans = idx % 3 == 2;
                t.accumulate = idx % 2;
                t.pad = (uint32_t)(idx % 3);
                t.mix = 1;
                kdata d;
                kdata_make(&d, &t, &r);
                for (int kk = NUM_KERNEL_PORTABLE; kk < NUM_KERNEL__COUNT; kk++) {
                    if (!num_gemm_kernel_available((num_kernel)kk))
                        continue;
                    for (int threads = 1; threads <= 2; threads++) {
                        memcpy(d.got, d.c0, d.c_len * 4);
                        num_gemm_pool(t.dt, &d.g, pool, threads, (num_kernel)kk);
                        kdata_expect(&d, &t, num_gemm_kernel_label((num_kernel)kk), idx);
                    }
                }
                kdata_free(&d);
                idx++;
            }
    num_pool_free(pool);
}

static void kernel_names_and_override(void **state)
{
    (void)state;
    num_kernel k;
    assert_true(num_gemm_kernel_parse("portable", &k));
    assert_int_equal(k, NUM_KERNEL_PORTABLE);
    assert_true(num_gemm_kernel_parse("avx2", &k));
    assert_int_equal(k, NUM_KERNEL_AVX2);
    assert_true(num_gemm_kernel_parse("avx2-fma", &k));   /* the label is accepted too */
    assert_int_equal(k, NUM_KERNEL_AVX2);
    assert_true(num_gemm_kernel_parse("avx512", &k));
    assert_int_equal(k, NUM_KERNEL_AVX512);
    assert_true(num_gemm_kernel_parse("avx512-vnni", &k));
    assert_int_equal(k, NUM_KERNEL_AVX512_VNNI);
    assert_true(num_gemm_kernel_parse("auto", &k));
    assert_int_equal(k, NUM_KERNEL_AUTO);
    assert_false(num_gemm_kernel_parse("AVX2", &k));
    assert_false(num_gemm_kernel_parse("", &k));
    assert_false(num_gemm_kernel_parse("sse", &k));
    assert_string_equal(num_gemm_kernel_label(NUM_KERNEL_AVX512), "avx512");
    assert_string_equal(num_gemm_kernel_label(NUM_KERNEL_AVX512_VNNI), "avx512-vnni");
    /* VNNI is an extension of AVX-512: a CPU with the one has the other */
    assert_true(!num_gemm_kernel_available(NUM_KERNEL_AVX512_VNNI) || num_gemm_kernel_available(NUM_KERNEL_AVX512));

    /* the override: AUTO runs the named kernel when the CPU has it, and num_gemm_kernel_name
     * says so; a kernel the CPU lacks leaves AUTO's own choice */
    const char *old = getenv(NUM_KERNEL_ENV);
    char saved[32] = "";
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    assert_int_equal(unsetenv(NUM_KERNEL_ENV), 0);
    const char *best = num_gemm_kernel_name();
    const char *expect_best = num_gemm_kernel_available(NUM_KERNEL_AVX512_VNNI) ? "avx512-vnni"
                              : num_gemm_kernel_available(NUM_KERNEL_AVX512) ? "avx512"
                              : num_gemm_kernel_available(NUM_KERNEL_AVX2) ? "avx2-fma" : "portable";
    assert_string_equal(best, expect_best);
    assert_int_equal(setenv(NUM_KERNEL_ENV, "portable", 1), 0);
    assert_string_equal(num_gemm_kernel_name(), "portable");
    for (int kk = NUM_KERNEL_PORTABLE; kk < NUM_KERNEL__COUNT; kk++) {
        static const char *const env[] = {"auto", "portable", "avx2", "avx512", "avx512-vnni"};
        assert_int_equal(setenv(NUM_KERNEL_ENV, env[kk], 1), 0);
        assert_string_equal(num_gemm_kernel_name(),
                            num_gemm_kernel_available((num_kernel)kk) ? num_gemm_kernel_label((num_kernel)kk)
                                                                      : expect_best);
    }
    assert_int_equal(setenv(NUM_KERNEL_ENV, "nonsense", 1), 0);
    assert_string_equal(num_gemm_kernel_name(), expect_best);
    /* a forced portable run gives the oracle's bits (it is the path the env var selects) */
    assert_int_equal(setenv(NUM_KERNEL_ENV, "portable", 1), 0);
    rng_state r;
    rng_init(&r, 5);
    kcase t = {TP_BF16, 37, 41, 300, 128, false, true, true, 1, 1};
    kdata d;
    kdata_make(&d, &t, &r);
    memcpy(d.got, d.c0, d.c_len * 4);
    num_gemm(t.dt, &d.g, 2);
    kdata_expect(&d, &t, "num_gemm with TPUSIM_KERNEL=portable", 0);
    kdata_free(&d);
    if (old)
        setenv(NUM_KERNEL_ENV, saved, 1);
    else
        unsetenv(NUM_KERNEL_ENV);
}

static void fused_equals_unfused_for_exact_products(void **state)
{
    (void)state;
    /* a, b bf16 (8-bit significands): a*b has at most 16 significant bits, so it is exact in
     * fp32 (24 bits) whenever it is normal. Then fmaf(a, b, c) rounds the exact a*b + c once,
     * and so does (a*b) + c: the bits agree for every c. Checked on 200000 random triples, and
     * the exactness itself in double (a*b in double is always exact: 16 <= 53 bits). */
    rng_state r;
    rng_init(&r, 31337);
    int normal = 0;
    for (int i = 0; i < 200000; i++) {
        uint16_t ab = (uint16_t)rng_u32(&r), bb = (uint16_t)rng_u32(&r);
        float a = dtype_bf16_to_f32(ab), b = dtype_bf16_to_f32(bb);
        float c = dtype_bits_f32(rng_u32(&r));
        volatile float prod = a * b;   /* volatile: a separate rounding, never contracted */
        if (!isfinite(a) || !isfinite(b) || !isfinite(c) || !isfinite(prod) ||
            (prod != 0.0f && fabsf(prod) < 1.17549435e-38f) ||
            (prod == 0.0f && a != 0.0f && b != 0.0f))
            continue;   /* overflow, underflow and specials: below */
        assert_true((double)prod == (double)a * (double)b);
        volatile float sum = prod + c;
        uint32_t fused = dtype_f32_bits(fmaf(a, b, c)), unfused = dtype_f32_bits(sum);
        if (fused != unfused)
            fail_msg("a 0x%04x b 0x%04x c 0x%08x: fma 0x%08x, a*b+c 0x%08x", ab, bb, dtype_f32_bits(c),
                     fused, unfused);
        normal++;
    }
    assert_true(normal > 50000);
    /* below the normal range they differ, and the fused form is the defined one:
     * 2^-75 * 2^-75 = 2^-150 rounds to 0 alone, but fmaf(2^-75, 2^-75, 2^-149) = 1.5 * 2^-149
     * is a tie that goes to the even 2 * 2^-149 = 0x00000002 (docs/numerics.md); the oracle,
     * the reference and every kernel give 0x00000002 for the dot product [2^-75, 2^-75] .
     * [2^-74, 2^-75] in one chunk. */
    float t75 = dtype_bf16_to_f32(0x1a00u), t74 = dtype_bf16_to_f32(0x1a80u);
    volatile float p2 = t75 * t75;
    assert_int_equal(dtype_f32_bits(p2), 0u);
    assert_int_equal(dtype_f32_bits(fmaf(t75, t75, t75 * t74)), 2u);
    const uint16_t a[2] = {0x1a00u, 0x1a00u}, b[2] = {0x1a80u, 0x1a00u};
    for (int kk = NUM_KERNEL_PORTABLE; kk < NUM_KERNEL__COUNT; kk++) {
        if (!num_gemm_kernel_available((num_kernel)kk))
            continue;
        float c = 1.0f;
        num_gemm_args g = {a, 1, 1, b, 1, 1, &c, 1, 1, 1, 2, 0, false};
        num_gemm_pool(TP_BF16, &g, NULL, 1, (num_kernel)kk);
        assert_int_equal(dtype_f32_bits(c), 2u);
    }
    for (int path = REF_PATH_PORTABLE; path <= REF_PATH_AVX2; path++) {
        float c = 1.0f;
        num_gemm_args g = {a, 1, 1, b, 1, 1, &c, 1, 1, 1, 2, 0, false};
        assert_int_equal(ref_matmul(TP_BF16, &g, 1, (ref_path)path, NULL), TP_OK);
        assert_int_equal(dtype_f32_bits(c), 2u);
    }
}

TH_GROUP(kernels)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_product_matches_oracle),
        cmocka_unit_test(reference_product_blocks_and_threads),
        cmocka_unit_test(machine_kernels_on_edges_and_specials),
        cmocka_unit_test(kernel_names_and_override),
        cmocka_unit_test(fused_equals_unfused_for_exact_products),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
