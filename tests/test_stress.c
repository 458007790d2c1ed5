/* Stress: random programs on a 2 x 2 array with tiny buffers (a few UB bytes, 4 or 64
 * accumulator rows, a one- or two-tile weight FIFO, one DMA engine or two, narrow UB ports, one
 * or two DRAM channels), every dataflow and dtype; the fast engine, the per-PE engine and a
 * timing-only run must agree on the cycles, every unit's every cause, the bytes of every level
 * and the bits, and tiled GEMMs must equal the reference.
 *
 * Built as usual it runs with the machine's normal sizes. `make test` also builds it as the
 * stress variant (Makefile VARIANT=stress, as Lua's ltests.h shrinks its buffers "to give some
 * bugs a chance"): one-entry unit queues (QUEUE_DEPTH=1), a 2-entry UB reservation calendar
 * that merges at once (SRAM_MAX_RESERVATIONS=2), per-PE op records and the event queue growing
 * from 1, tensors packed at 64-byte alignment, and the machine's invariants asserted after every
 * step (TP_DEBUG). */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "num/gemm.h"
#include "support.h"

#define N_SETS 12

/* A random tiny machine: 2 x 2, dataflow, dtype-independent knobs; s holds the strings. */
static void tiny_cfg(rng_state *r, bool gemm, tp_config *cfg, char s[N_SETS][64])
{
    const char *sets[N_SETS];
    const char *df = (const char *[]){"ws", "os", "is"}[rng_below(r, 3)];
    snprintf(s[0], 64, "tpu.array.rows=2");
    snprintf(s[1], 64, "tpu.array.cols=2");
    snprintf(s[2], 64, "tpu.array.dataflow=%s", df);
    snprintf(s[3], 64, "tpu.array.weight_double_buffer=%s", rng_below(r, 2) ? "true" : "false");
    snprintf(s[4], 64, "tpu.wbuf.depth_tiles=%u", 1 + (unsigned)rng_below(r, 2));
    snprintf(s[5], 64, "tpu.mxus_per_core=%u", 1 + (unsigned)rng_below(r, 2));
    snprintf(s[6], 64, "tpu.ub.size=%s", gemm ? "4KiB" : "128");
    snprintf(s[7], 64, "tpu.acc.entries=%u", gemm ? 64u : 4u);
    snprintf(s[8], 64, "tpu.ub.bytes_per_cycle=%u", 1 + (unsigned)rng_below(r, 4));
    snprintf(s[9], 64, "tpu.dma.engines=%u", 1 + (unsigned)rng_below(r, 2));
    snprintf(s[10], 64, "tpu.dram.channels=%u", 1 + (unsigned)rng_below(r, 2));
    snprintf(s[11], 64, "tpu.dram.read_latency=%u", (unsigned)rng_below(r, 40));
    for (int k = 0; k < N_SETS; k++)
        sets[k] = s[k];
    ts_load_cfg(cfg, sets, N_SETS);
}

static void fill(void *x, size_t n, tp_dtype dt, rng_state *r)
{
    for (size_t i = 0; i < n; i++) {
        if (dt == TP_INT8)
            ((int8_t *)x)[i] = rng_i8(r);
        else
            ((uint16_t *)x)[i] = rng_bf16_normalish(r, false);
    }
}

/* The three runs of p agree; returns the fast run's outcome in *f (free it). */
static void three_agree(const tp_config *cfg, const isa_program *p, void *a, void *b, ts_outcome *f,
                        const char *what, int iter)
{
    ts_outcome pe, t;
    ts_run(cfg, p, MACHINE_FAST, false, a, b, f);
    ts_run(cfg, p, MACHINE_PE, false, a, b, &pe);
    ts_run(cfg, p, MACHINE_FAST, true, NULL, NULL, &t);
    if (memcmp(f->c, pe.c, f->c_bytes))
        fail_msg("%s %d: the engines differ in values", what, iter);
    ts_assert_same_timing(&f->st, &pe.st);
    ts_assert_same_timing(&f->st, &t.st);
    assert_int_equal(stats_check(&f->st, NULL), TP_OK);
    ts_outcome_free(&pe);
    ts_outcome_free(&t);
}

static void soups_on_a_tiny_machine(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 4242);
    int ran = 0;
    for (int iter = 0; iter < 400; iter++) {
        tp_config cfg;
        char s[N_SETS][64];
        tiny_cfg(&r, false, &cfg, s);
        /* blocks of up to 2 x 2, 4 accumulator rows per MXU, at most the FIFO's tiles pushed,
         * UB addresses 0, 16, ..., 112 */
        ts_soup_shape shape = {cfg.tpu.mxus_per_core, 2, 4, cfg.tpu.wbuf.depth_tiles, 8, 16,
                               cfg.tpu.array.dataflow == TP_DF_OS};
        tp_dtype dt = rng_below(&r, 2) ? TP_BF16 : TP_INT8;
        isa_program p;
        ts_soup(&shape, &r, dt, &p);
        tp_err err = {0};
        if (isa_validate(&p, &cfg.tpu, &err)) {
            isa_free(&p);
            continue;
        }
        ran++;
        uint8_t a[8 * 8 * 2], b[8 * 8 * 2];
        fill(a, 64, dt, &r);
        fill(b, 64, dt, &r);
        ts_outcome f;
        three_agree(&cfg, &p, a, b, &f, "soup", iter);
        ts_outcome_free(&f);
        isa_free(&p);
    }
    assert_true(ran > 100);
}

static void tiled_gemms_on_a_tiny_machine(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 99);
    for (int iter = 0; iter < 40; iter++) {
        tp_config cfg;
        char s[N_SETS][64];
        tiny_cfg(&r, true, &cfg, s);
        ts_gemm_case gc = {1 + (uint32_t)rng_below(&r, 12), 1 + (uint32_t)rng_below(&r, 12),
                           1 + (uint32_t)rng_below(&r, 12), 0, rng_below(&r, 2) ? TP_BF16 : TP_INT8,
                           rng_below(&r, 2) == 1, rng_below(&r, 2) == 1};
        isa_program p;
        ts_gen_gemm(&cfg.tpu, &r, &gc, &p);
        tp_err err = {0};
        if (isa_validate(&p, &cfg.tpu, &err))
            fail_msg("gemm %d: %s", iter, err.msg);
        size_t e = dtype_in_bytes(gc.dt);
        void *a = malloc((size_t)gc.M * gc.K * e), *b = malloc((size_t)gc.K * gc.N * e);
        void *ref = calloc((size_t)gc.M * gc.N, 4);
        fill(a, (size_t)gc.M * gc.K, gc.dt, &r);
        fill(b, (size_t)gc.K * gc.N, gc.dt, &r);
        /* transposed storage is just strides for the reference */
        num_gemm_args g = {a, gc.ta ? 1 : gc.K, gc.ta ? gc.M : 1, b, gc.tb ? 1 : gc.N, gc.tb ? gc.K : 1,
                           ref, gc.N, gc.M, gc.N, gc.K, gc.kt, false};
        num_gemm_ref(gc.dt, &g);
        ts_outcome f;
        three_agree(&cfg, &p, a, b, &f, "gemm", iter);
        if (memcmp(f.c, ref, f.c_bytes))
            fail_msg("gemm %d (%s, M=%u N=%u K=%u): result differs from num_gemm_ref", iter, s[2], gc.M, gc.N, gc.K);
        assert_int_equal(f.st.macs, (uint64_t)gc.M * gc.N * gc.K);
        ts_outcome_free(&f);
        free(a);
        free(b);
        free(ref);
        isa_free(&p);
    }
}

TH_GROUP(stress)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(soups_on_a_tiny_machine),
        cmocka_unit_test(tiled_gemms_on_a_tiny_machine),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
