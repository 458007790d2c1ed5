/* GEMM kernels: hand-worked cases where the accumulation order decides the bits (checked on
 * the reference, the portable blocked kernel and the fast kernel), then hundreds of seeded
 * random shapes where all three must agree bit for bit, including NaN, Inf, -0.0, subnormals,
 * cancelling sums, strided and transposed operands, accumulate on and off, and 1-3 threads;
 * every kernel this CPU has also runs each shape on a persistent worker pool (num_gemm_pool).
 * The pool itself: every task runs exactly once, on a participant the pool has; scratch and
 * big buffers. */
#include "harness.h"
#include "base/rng.h"
#include "num/gemm.h"
#include "num/pool.h"
#include <stdlib.h>
#include <string.h>

/* bf16 bit patterns used below */
#define BF_ZERO 0x0000u
#define BF_NZERO 0x8000u
#define BF_ONE 0x3f80u      /* 1.0 */
#define BF_TWO24 0x4b80u    /* 2^24: exponent 127+24 = 151 = 0x97, 0x97 << 7 = 0x4b80 */
#define BF_INF 0x7f80u
#define BF_NINF 0xff80u
#define BF_P75 0x1a00u      /* 2^-75: exponent 52 = 0x34 */
#define BF_P74 0x1a80u      /* 2^-74: exponent 53 = 0x35 */

typedef void (*gemm_fn)(tp_dtype, const num_gemm_args *, int);

static void ref_adapter(tp_dtype dt, const num_gemm_args *g, int threads)
{
    (void)threads;
    num_gemm_ref(dt, g);
}

static const gemm_fn impls[] = {ref_adapter, num_gemm_portable, num_gemm};
static const char *const impl_names[] = {"ref", "portable", "fast"};
#define N_IMPLS 3

/* A pool of 3 participants shared by the random-shape tests (made by the group's setup). */
static num_pool *test_pool;

static int group_setup(void **state)
{
    (void)state;
    return num_pool_new(3, &test_pool, NULL) == TP_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    num_pool_free(test_pool);
    test_pool = NULL;
    return 0;
}

/* One-row times one-column dot product C(0,0) = sum_k a[k] b[k] with chunk kc; C starts at c0
 * when accumulating. Returns the fp32 bits each implementation produced, checked equal. */
static uint32_t dot_bf16(const uint16_t *a, const uint16_t *b, uint32_t k, uint32_t kc,
                         bool accumulate, uint32_t c0_bits)
{
    uint32_t out[N_IMPLS];
    for (int x = 0; x < N_IMPLS; x++) {
        float c = dtype_bits_f32(c0_bits);
        num_gemm_args g = {a, 1, 1, b, 1, 1, &c, 1, 1, 1, k, kc, accumulate};
        impls[x](TP_BF16, &g, 1);
        out[x] = dtype_f32_bits(c);
        if (out[x] != out[0])
            fail_msg("%s gives 0x%08x, ref 0x%08x", impl_names[x], out[x], out[0]);
    }
    return out[0];
}

static void chunk_order_changes_rounding(void **state)
{
    (void)state;
    /* a = [1, 1, 1, 1], b = [2^24, 0, 1, 1].
     * kc = 4 (OS, one chunk): P = 2^24; + 0 = 2^24; + 1 = 2^24 + 1 is a tie between 2^24 and
     *   2^24 + 2 (fp32 spacing at 2^24 is 2), even mantissa wins: 2^24; + 1 again: 2^24.
     *   Result 2^24 = 0x4b800000.
     * kc = 2 (WS/IS with 2 array rows): P0 = 2^24 + 0 = 2^24, P1 = 1 + 1 = 2, C = 2^24 + 2 =
     *   16777218, exactly representable: 0x4b800001.
     * kc = 1: chunks of one product each, C adds 2^24, 0, 1, 1 in turn: the same ties as kc = 4,
     *   so 0x4b800000. */
    const uint16_t a[4] = {BF_ONE, BF_ONE, BF_ONE, BF_ONE};
    const uint16_t b[4] = {BF_TWO24, BF_ZERO, BF_ONE, BF_ONE};
    assert_int_equal(dot_bf16(a, b, 4, 4, false, 0), 0x4b800000u);
    assert_int_equal(dot_bf16(a, b, 4, 0, false, 0), 0x4b800000u);   /* kc 0 means K */
    assert_int_equal(dot_bf16(a, b, 4, 9, false, 0), 0x4b800000u);   /* kc > K means K */
    assert_int_equal(dot_bf16(a, b, 4, 2, false, 0), 0x4b800001u);
    assert_int_equal(dot_bf16(a, b, 4, 1, false, 0), 0x4b800000u);
    /* kc = 3: P0 = 2^24 + 0 + 1 -> 2^24 (tie to even), P1 = 1, C = 2^24 + 1 -> 2^24. */
    assert_int_equal(dot_bf16(a, b, 4, 3, false, 0), 0x4b800000u);
    /* accumulate onto C = 1.0 with kc = 2: C = 1 + 2^24 -> 2^24 (tie, even), then + 2:
     * 2^24 + 2 = 0x4b800001. With kc = 4: 1 + P (P = 2^24) -> 2^24. */
    assert_int_equal(dot_bf16(a, b, 4, 2, true, 0x3f800000u), 0x4b800001u);
    assert_int_equal(dot_bf16(a, b, 4, 4, true, 0x3f800000u), 0x4b800000u);
}

static void fused_mac_and_subnormals(void **state)
{
    (void)state;
    /* a = [2^-75, 2^-75], b = [2^-74, 2^-75]. Products 2^-149 (the smallest fp32 subnormal,
     * bits 0x00000001) and 2^-150 (half of it). Fused: P = 2^-149, then 2^-149 + 2^-150 =
     * 1.5 ulp is a tie between 1 ulp (odd) and 2 ulp (even): 2^-148 = 0x00000002.
     * Multiply-then-add would round 2^-150 to 0 first (tie to even) and give 0x00000001.
     * Subnormals are kept, not flushed: a flush-to-zero machine would give 0. */
    const uint16_t a[2] = {BF_P75, BF_P75};
    const uint16_t b[2] = {BF_P74, BF_P75};
    assert_int_equal(dot_bf16(a, b, 2, 2, false, 0), 0x00000002u);
    /* kc = 1: P0 = 2^-149, P1 = fma(2^-75, 2^-75, 0) = round(2^-150) = 0 (tie to even);
     * C = 2^-149 + 0 = 0x00000001. */
    assert_int_equal(dot_bf16(a, b, 2, 1, false, 0), 0x00000001u);
}

static void specials(void **state)
{
    (void)state;
    /* Inf * 0 is NaN, stored as the canonical 0x7fc00000 */
    const uint16_t a1[2] = {BF_INF, BF_ONE}, b1[2] = {BF_ZERO, BF_ONE};
    assert_int_equal(dot_bf16(a1, b1, 2, 2, false, 0), 0x7fc00000u);
    /* +Inf and -Inf in different chunks: each chunk is finite-or-inf on its own (P0 = +Inf,
     * P1 = -Inf) and C = Inf + -Inf = NaN */
    const uint16_t a2[2] = {BF_INF, BF_NINF}, b2[2] = {BF_ONE, BF_ONE};
    assert_int_equal(dot_bf16(a2, b2, 2, 1, false, 0), 0x7fc00000u);
    /* +Inf alone stays +Inf */
    assert_int_equal(dot_bf16(a2, b2, 1, 1, false, 0), 0x7f800000u);
    /* a NaN input with a payload and negative sign (0xff81) still comes out canonical */
    const uint16_t a3[1] = {0xff81u}, b3[1] = {BF_ONE};
    assert_int_equal(dot_bf16(a3, b3, 1, 1, false, 0), 0x7fc00000u);
    /* accumulating onto a NaN C gives the canonical NaN */
    assert_int_equal(dot_bf16(b3, b3, 1, 1, true, 0xffc00123u), 0x7fc00000u);
    /* -0.0 * 1 = -0.0, but P starts at +0.0: +0.0 + -0.0 = +0.0 (round to nearest) */
    const uint16_t a4[1] = {BF_NZERO};
    assert_int_equal(dot_bf16(a4, b3, 1, 1, false, 0), 0x00000000u);
    /* accumulate onto C = -0.0: -0.0 + P (+0.0) = +0.0 */
    assert_int_equal(dot_bf16(a4, b3, 1, 1, true, 0x80000000u), 0x00000000u);
    /* K = 0: C = +0.0 without accumulate; unchanged with accumulate */
    assert_int_equal(dot_bf16(a4, b3, 0, 1, false, 0x40400000u), 0x00000000u);
    assert_int_equal(dot_bf16(a4, b3, 0, 1, true, 0x40400000u), 0x40400000u);
}

static void int8_wraps_in_every_kernel(void **state)
{
    (void)state;
    /* C = INT32_MAX accumulated with 1*1 wraps to INT32_MIN; a row of -128 * -128 = 16384
     * products: 3 of them (49152) onto INT32_MAX - 49151 = 2^31 - 49152:
     * 2^31 - 49152 + 49152 = 2^31 wraps to -2^31. */
    for (int x = 0; x < N_IMPLS; x++) {
        int8_t one = 1;
        int32_t c = INT32_MAX;
        num_gemm_args g = {&one, 1, 1, &one, 1, 1, &c, 1, 1, 1, 1, 1, true};
        impls[x](TP_INT8, &g, 1);
        assert_int_equal(c, INT32_MIN);
        int8_t a[3] = {-128, -128, -128};
        c = INT32_MAX - 49151;
        num_gemm_args g2 = {a, 3, 1, a, 1, 1, &c, 1, 1, 1, 3, 2, true};
        impls[x](TP_INT8, &g2, 1);
        assert_int_equal(c, INT32_MIN);
        /* not accumulating: C = 3 * 16384 regardless of the old C */
        c = 12345;
        g2.accumulate = false;
        impls[x](TP_INT8, &g2, 1);
        assert_int_equal(c, 49152);
    }
}

static void small_matrix_by_hand(void **state)
{
    (void)state;
    /* int8 2x3 times 3x2, A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]:
     * C = [[1*7+2*9+3*11, 1*8+2*10+3*12], [4*7+5*9+6*11, 4*8+5*10+6*12]] = [[58,64],[139,154]].
     * B is given transposed (stored 2x3: [[7,9,11],[8,10,12]], b_rs = 1, b_cs = 3) and C has a
     * padded row stride 3 whose padding must stay untouched. */
    const int8_t a[6] = {1, 2, 3, 4, 5, 6};
    const int8_t bt[6] = {7, 9, 11, 8, 10, 12};
    for (int x = 0; x < N_IMPLS; x++) {
        int32_t c[6] = {-1, -1, -1, -1, -1, -1};
        num_gemm_args g = {a, 3, 1, bt, 1, 3, c, 3, 2, 2, 3, 1, false};
        impls[x](TP_INT8, &g, 2);
        assert_int_equal(c[0], 58);
        assert_int_equal(c[1], 64);
        assert_int_equal(c[2], -1);
        assert_int_equal(c[3], 139);
        assert_int_equal(c[4], 154);
        assert_int_equal(c[5], -1);
    }
}

/* ---- random agreement --------------------------------------------------------------------- */

typedef struct {
    tp_dtype dt;
    uint32_t m, n, k, kc;
    bool a_trans, b_trans, accumulate;
    uint32_t a_pad, b_pad, c_pad;
    int threads;
    int values;     /* 0 normal-ish, 1 with specials, 2 cancelling powers of two */
} gcase;

static uint16_t bf16_value(rng_state *r, int values)
{
    if (values == 2) {
        /* +-2^e, e in [-3, 20]: big terms cancel and leave small ones, order-sensitive */
        uint16_t e = (uint16_t)(127 - 3 + rng_below(r, 24));
        return (uint16_t)((rng_below(r, 2) << 15) | (e << 7));
    }
    if (values == 3) {
        /* tiny values whose products are fp32 subnormals or underflow */
        uint16_t e = (uint16_t)(40 + rng_below(r, 30));
        return (uint16_t)((rng_below(r, 2) << 15) | (e << 7) | rng_below(r, 128));
    }
    return rng_bf16_normalish(r, values == 1);
}

static void run_case(const gcase *t, rng_state *r, int idx)
{
    size_t in = dtype_in_bytes(t->dt);
    size_t a_rs = t->a_trans ? 1 : (size_t)t->k + t->a_pad, a_cs = t->a_trans ? (size_t)t->m + t->a_pad : 1;
    size_t b_rs = t->b_trans ? 1 : (size_t)t->n + t->b_pad, b_cs = t->b_trans ? (size_t)t->k + t->b_pad : 1;
    size_t a_len = t->a_trans ? a_cs * t->k : a_rs * t->m;
    size_t b_len = t->b_trans ? b_cs * t->n : b_rs * t->k;
    size_t ldc = (size_t)t->n + t->c_pad, c_len = ldc * t->m;
    void *a = malloc(a_len * in + 1), *b = malloc(b_len * in + 1);
    uint32_t *c0 = malloc(c_len * 4 + 4), *c[N_IMPLS];
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c0);
    for (size_t x = 0; x < a_len; x++) {
        if (t->dt == TP_BF16)
            ((uint16_t *)a)[x] = bf16_value(r, t->values);
        else
            ((int8_t *)a)[x] = rng_i8(r);
    }
    for (size_t x = 0; x < b_len; x++) {
        if (t->dt == TP_BF16)
            ((uint16_t *)b)[x] = bf16_value(r, t->values == 2 ? 0 : t->values);
        else
            ((int8_t *)b)[x] = rng_i8(r);
    }
    for (size_t x = 0; x < c_len; x++)
        c0[x] = t->dt == TP_BF16 ? dtype_f32_bits(dtype_bf16_to_f32(rng_bf16_normalish(r, t->values == 1)))
                                 : (uint32_t)rng_u64(r);
    for (int x = 0; x < N_IMPLS; x++) {
        c[x] = malloc(c_len * 4 + 4);
        assert_non_null(c[x]);
        memcpy(c[x], c0, c_len * 4);
        num_gemm_args g = {a, a_rs, a_cs, b, b_rs, b_cs, c[x], ldc, t->m, t->n, t->k, t->kc,
                           t->accumulate};
        impls[x](t->dt, &g, t->threads);
    }
    for (int x = 1; x < N_IMPLS; x++)
        for (size_t e = 0; e < c_len; e++)
            if (c[x][e] != c[0][e])
                fail_msg("case %d (%s %ux%ux%u kc=%u at=%d bt=%d acc=%d thr=%d vals=%d): %s C[%zu][%zu] "
                         "= 0x%08x, ref 0x%08x",
                         idx, dtype_name(t->dt), t->m, t->n, t->k, t->kc, t->a_trans, t->b_trans,
                         t->accumulate, t->threads, t->values, impl_names[x], e / ldc, e % ldc,
                         c[x][e], c[0][e]);
    /* every kernel this CPU has, on the shared pool with at most t->threads of its threads */
    uint32_t *cp = malloc(c_len * 4 + 4);
    assert_non_null(cp);
    for (int kk = NUM_KERNEL_PORTABLE; kk < NUM_KERNEL__COUNT; kk++) {
        if (!num_gemm_kernel_available((num_kernel)kk))
            continue;
        memcpy(cp, c0, c_len * 4);
        num_gemm_args g = {a, a_rs, a_cs, b, b_rs, b_cs, cp, ldc, t->m, t->n, t->k, t->kc,
                           t->accumulate};
        num_gemm_pool(t->dt, &g, test_pool, t->threads, (num_kernel)kk);
        for (size_t e = 0; e < c_len; e++)
            if (cp[e] != c[0][e])
                fail_msg("case %d (%s %ux%ux%u kc=%u acc=%d thr=%d): pool + %s C[%zu][%zu] = 0x%08x, "
                         "ref 0x%08x", idx, dtype_name(t->dt), t->m, t->n, t->k, t->kc,
                         t->accumulate, t->threads, num_gemm_kernel_label((num_kernel)kk), e / ldc,
                         e % ldc, cp[e], c[0][e]);
    }
    free(cp);
    /* padding columns of C are never written */
    for (size_t e = 0; e < c_len; e++)
        if (e % ldc >= t->n)
            assert_int_equal(c[0][e], c0[e]);
    for (int x = 0; x < N_IMPLS; x++)
        free(c[x]);
    free(a);
    free(b);
    free(c0);
}

static uint32_t pick_dim(rng_state *r)
{
    switch (rng_below(r, 4)) {
    case 0: return 1 + (uint32_t)rng_below(r, 4);
    case 1: return 1 + (uint32_t)rng_below(r, 20);
    default: return 1 + (uint32_t)rng_below(r, 45);
    }
}

static void random_shapes_agree(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 20261122);
    for (int idx = 0; idx < 400; idx++) {
        gcase t;
        t.dt = rng_below(&r, 3) ? TP_BF16 : TP_INT8;
        t.m = pick_dim(&r);
        t.n = pick_dim(&r);
        t.k = pick_dim(&r);
        if (idx % 7 == 0)
            t.k = 1 + (uint32_t)rng_below(&r, 300);
        if (idx % 10 == 3) {   /* several tiles, so 2-3 threads really split the work */
            t.m = 1 + (uint32_t)rng_below(&r, 250);
            t.n = 1 + (uint32_t)rng_below(&r, 300);
            t.k = 1 + (uint32_t)rng_below(&r, 40);
        }
        switch (rng_below(&r, 6)) {
        case 0: t.kc = 1; break;
        case 1: t.kc = 3; break;
        case 2: t.kc = t.k; break;
        case 3: t.kc = 0; break;
        default: t.kc = 2 + (uint32_t)rng_below(&r, 32); break;   /* an array's row count */
        }
        t.a_trans = rng_below(&r, 2);
        t.b_trans = rng_below(&r, 2);
        t.accumulate = rng_below(&r, 2);
        t.a_pad = rng_below(&r, 3) ? 0 : (uint32_t)rng_below(&r, 5);
        t.b_pad = rng_below(&r, 3) ? 0 : (uint32_t)rng_below(&r, 5);
        t.c_pad = rng_below(&r, 3) ? 0 : (uint32_t)rng_below(&r, 5);
        t.threads = (int)rng_below(&r, 4);   /* 0 = default, 1, 2, 3 */
        t.values = (int)rng_below(&r, 4);
        run_case(&t, &r, idx);
    }
}

static void large_shapes_agree(void **state)
{
    (void)state;
    /* shapes that cross the kernels' tile (96 x 512) and K-block (256) boundaries, so several
     * tiles run on several threads and long chunks are parked between K blocks */
    static const gcase cases[] = {
        {TP_BF16, 200, 40, 600, 600, false, false, false, 0, 0, 0, 2, 0},   /* OS: one long chunk */
        {TP_BF16, 200, 40, 600, 300, false, true, true, 0, 1, 2, 3, 2},     /* chunk split in 2 */
        {TP_BF16, 130, 37, 530, 257, true, false, false, 1, 0, 0, 2, 1},    /* odd pieces */
        {TP_BF16, 97, 530, 70, 16, false, false, true, 0, 0, 3, 2, 0},      /* 2x2 tiles */
        {TP_BF16, 7, 1100, 40, 128, false, false, false, 0, 0, 0, 2, 3},    /* 3 tiles along N */
        {TP_INT8, 150, 530, 300, 128, false, true, true, 0, 0, 1, 2, 0},
        {TP_INT8, 100, 20, 513, 513, true, false, false, 2, 0, 0, 2, 0},
        /* the machine's ws matmul on a 128x128 array: kc = k = 128, n = 128, accumulating,
         * many rows so that the rows are cut into several tiles for 2 and 3 threads */
        {TP_BF16, 301, 128, 128, 128, false, false, true, 0, 0, 0, 2, 0},
        {TP_BF16, 301, 128, 128, 128, false, false, true, 0, 0, 0, 3, 2},
        {TP_BF16, 301, 128, 128, 128, false, false, false, 0, 0, 0, 0, 1},
    };
    rng_state r;
    rng_init(&r, 7);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i], &r, (int)i);
}

static void threads_and_name(void **state)
{
    (void)state;
    assert_true(num_gemm_threads_default() >= 1);
    const char *name = num_gemm_kernel_name();
    assert_true(!strcmp(name, "avx512-vnni") || !strcmp(name, "avx512") || !strcmp(name, "avx2-fma") ||
                !strcmp(name, "portable"));
    assert_true(num_gemm_kernel_available(NUM_KERNEL_AUTO));
    assert_true(num_gemm_kernel_available(NUM_KERNEL_PORTABLE));
    assert_false(num_gemm_kernel_available(NUM_KERNEL__COUNT));
    assert_string_equal(num_gemm_kernel_label(NUM_KERNEL_PORTABLE), "portable");
    assert_string_equal(num_gemm_kernel_label(NUM_KERNEL_AVX2), "avx2-fma");
    assert_string_equal(num_gemm_kernel_label(NUM_KERNEL_AVX512), "avx512");
    /* AUTO picks the widest kernel the host runs, and num_gemm_kernel_name reports it (unless
     * TPUSIM_KERNEL chooses another) */
    if (getenv(NUM_KERNEL_ENV))
        return;
    if (num_gemm_kernel_available(NUM_KERNEL_AVX512_VNNI))
        assert_string_equal(name, "avx512-vnni");
    else if (num_gemm_kernel_available(NUM_KERNEL_AVX512))
        assert_string_equal(name, "avx512");
    else if (num_gemm_kernel_available(NUM_KERNEL_AVX2))
        assert_string_equal(name, "avx2-fma");
    else
        assert_string_equal(name, "portable");
}

/* ---- the worker pool ---------------------------------------------------------------------- */

typedef struct {
    unsigned runs[1000];   /* times each task ran */
    int worker[1000];      /* the participant that ran it */
} task_log;

static void log_task(void *arg, int worker, uint32_t task)
{
    task_log *lg = arg;
    lg->runs[task]++;
    lg->worker[task] = worker;
}

static void pool_runs_every_task_once(void **state)
{
    (void)state;
    num_pool *p;
    assert_int_equal(num_pool_new(3, &p, NULL), TP_OK);
    int n = num_pool_threads(p);
    assert_true(n >= 1 && n <= 3);   /* 3, unless the system refused a thread */
    static task_log lg;
    /* back-to-back runs (threads still spinning) with every worker cap and task count,
     * including no tasks, fewer tasks than threads, and a cap above the pool's size */
    static const uint32_t counts[] = {0, 1, 2, 5, 64, 1000};
    for (int rep = 0; rep < 40; rep++)
        for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
            int cap = rep % 5;   /* 0 = all, 1 = caller only, 2, 3, 4 (> pool) */
            memset(&lg, 0, sizeof lg);
            num_pool_run(p, counts[ci], cap, log_task, &lg);
            for (uint32_t t = 0; t < counts[ci]; t++) {
                if (lg.runs[t] != 1)
                    fail_msg("rep %d: task %u of %u ran %u times", rep, t, counts[ci], lg.runs[t]);
                assert_true(lg.worker[t] >= 0 && lg.worker[t] < n);
                if (cap == 1)
                    assert_int_equal(lg.worker[t], 0);   /* the caller alone */
                else if (cap > 1)
                    assert_true(lg.worker[t] < cap);
            }
            for (uint32_t t = counts[ci]; t < 1000; t++)
                assert_int_equal(lg.runs[t], 0);
        }
    num_pool_free(p);
    num_pool_free(NULL);
    assert_int_equal(num_pool_threads(NULL), 1);
    /* threads = 0 means the default; a pool of one has no threads */
    assert_int_equal(num_pool_new(0, &p, NULL), TP_OK);
    assert_true(num_pool_threads(p) >= 1 && num_pool_threads(p) <= num_pool_threads_default());
    num_pool_free(p);
    assert_int_equal(num_pool_new(1, &p, NULL), TP_OK);
    assert_int_equal(num_pool_threads(p), 1);
    memset(&lg, 0, sizeof lg);
    num_pool_run(p, 7, 0, log_task, &lg);
    for (uint32_t t = 0; t < 7; t++) {
        assert_int_equal(lg.runs[t], 1);
        assert_int_equal(lg.worker[t], 0);
    }
    num_pool_free(p);
    /* no pool: the caller runs everything */
    memset(&lg, 0, sizeof lg);
    num_pool_run(NULL, 5, 3, log_task, &lg);
    for (uint32_t t = 0; t < 5; t++) {
        assert_int_equal(lg.runs[t], 1);
        assert_int_equal(lg.worker[t], 0);
    }
    assert_int_equal(lg.runs[5], 0);
}

static void pool_scratch_and_big_buffers(void **state)
{
    (void)state;
    num_pool *p;
    assert_int_equal(num_pool_new(2, &p, NULL), TP_OK);
    unsigned char *s0 = num_pool_scratch(p, 0, 1000);
    assert_non_null(s0);
    assert_int_equal((uintptr_t)s0 % 64, 0);
    memset(s0, 0xab, 1000);
    /* a smaller request keeps the buffer and its contents */
    assert_ptr_equal(num_pool_scratch(p, 0, 10), s0);
    assert_int_equal(s0[999], 0xab);
    /* each worker has its own */
    unsigned char *s1 = num_pool_scratch(p, 1, 1000);
    assert_non_null(s1);
    assert_ptr_not_equal(s1, s0);
    /* growing gives at least the new size */
    unsigned char *g = num_pool_scratch(p, 0, 300000);
    assert_non_null(g);
    memset(g, 1, 300000);
    assert_null(num_pool_scratch(p, -1, 8));
    assert_null(num_pool_scratch(p, NUM_POOL_MAX, 8));
    num_pool_free(p);

    /* big buffers: zeroed, 64-byte aligned, writable to the last byte; small ones too */
    static const size_t sizes[] = {1, 100, (1u << 20) - 1, (3u << 20) + 5, 5u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *b = num_big_alloc(sizes[i]);
        assert_non_null(b);
        assert_int_equal((uintptr_t)b % 64, 0);
        for (size_t x = 0; x < sizes[i]; x += 4093)
            assert_int_equal(b[x], 0);
        assert_int_equal(b[sizes[i] - 1], 0);
        memset(b, 0x5a, sizes[i]);
        num_big_free(b);
    }
    num_big_free(NULL);
    assert_null(num_big_alloc(SIZE_MAX - 10));   /* refused, not wrapped around */
}

TH_GROUP(gemm)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chunk_order_changes_rounding),
        cmocka_unit_test(fused_mac_and_subnormals),
        cmocka_unit_test(specials),
        cmocka_unit_test(int8_wraps_in_every_kernel),
        cmocka_unit_test(small_matrix_by_hand),
        cmocka_unit_test(random_shapes_agree),
        cmocka_unit_test(large_shapes_agree),
        cmocka_unit_test(threads_and_name),
        cmocka_unit_test(pool_runs_every_task_once),
        cmocka_unit_test(pool_scratch_and_big_buffers),
    };
    return TH_RUN(ctx, tests, group_setup, group_teardown);
}
