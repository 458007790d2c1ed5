/* The exact fast-forward (sim/tpu/ff.c): on random machines, shapes, dataflows and tilings a
 * timing-only run with it gives the same cycles, every cause of every unit, every byte counter
 * and every instruction's start and end as the same run with every event simulated
 * (machine_set_fast_forward off); enough of the runs really jump for that to mean something;
 * and what it must not touch (traces, values, several cores) it leaves alone.
 * TP_FF_CASES sets the number of random cases (default 40; check-all runs 1000, and 12 under
 * valgrind). */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "tiler/tiler.h"
#include "tpu/machine.h"
#include "support.h"

typedef struct {
    tp_stats st;
    uint64_t *start, *end;
    uint64_t skipped;
} ff_run;

static void run_prog(const tp_config *cfg, const isa_program *p, bool ff, ff_run *o)
{
    tp_err err = {0};
    machine *m;
    if (machine_new(cfg, MACHINE_FAST, &m, &err) || machine_load(m, p, &err))
        fail_msg("%s", err.msg);
    machine_set_timing_only(m, true);
    machine_set_fast_forward(m, ff);
    if (machine_run(m, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(stats_copy(&o->st, machine_stats(m), &err), TP_OK);
    o->start = malloc(sizeof *o->start * p->n_ins);
    o->end = malloc(sizeof *o->end * p->n_ins);
    assert_non_null(o->start);
    assert_non_null(o->end);
    for (uint32_t i = 0; i < p->n_ins; i++)
        if (machine_instr_times(m, i, &o->start[i], &o->end[i], &err)) {
            if (p->ins[i].op != ISA_HALT)
                fail_msg("instruction %u: %s", i, err.msg);
            o->start[i] = o->end[i] = UINT64_MAX;
        }
    o->skipped = machine_ff_skipped(m);
    machine_free(m);
}

static void run_free(ff_run *o)
{
    stats_free(&o->st);
    free(o->start);
    free(o->end);
}

/* Runs p both ways and compares; returns the instructions the fast-forward jumped over. */
static uint64_t same_both_ways(const tp_config *cfg, const isa_program *p, const char *what)
{
    ff_run on, off;
    run_prog(cfg, p, true, &on);
    run_prog(cfg, p, false, &off);
    assert_int_equal(off.skipped, 0);
    if (on.st.cycles != off.st.cycles)
        fail_msg("%s: %llu cycles with the fast-forward, %llu without", what, (unsigned long long)on.st.cycles,
                 (unsigned long long)off.st.cycles);
    for (uint32_t i = 0; i < p->n_ins; i++)
        if (on.start[i] != off.start[i] || on.end[i] != off.end[i])
            fail_msg("%s: instruction %u runs [%llu, %llu) with the fast-forward, [%llu, %llu) without", what, i,
                     (unsigned long long)on.start[i], (unsigned long long)on.end[i],
                     (unsigned long long)off.start[i], (unsigned long long)off.end[i]);
    for (uint32_t u = 0; u < on.st.n_units && u < off.st.n_units; u++)
        for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
            if (on.st.units[u].cycles[c] != off.st.units[u].cycles[c])
                fail_msg("%s: %s cause %u: %llu cycles with the fast-forward, %llu without", what, on.st.units[u].name,
                         c, (unsigned long long)on.st.units[u].cycles[c], (unsigned long long)off.st.units[u].cycles[c]);
    ts_assert_same_timing(&on.st, &off.st);
    uint64_t s = on.skipped;
    run_free(&on);
    run_free(&off);
    return s;
}

static uint32_t pick(rng_state *r, const uint32_t *v, uint32_t n) { return v[rng_below(r, n)]; }

static void random_tilings_jump_exactly(void **state)
{
    (void)state;
    const char *env = getenv("TP_FF_CASES");
    int cases = env ? atoi(env) : 40;
    rng_state r;
    rng_init(&r, 20261203);
    static const char *const cfgs[] = {NULL, "configs/edge-8x8.yaml", "configs/tpu-v4-core.yaml", "configs/tpu-v1.yaml"};
    static const uint32_t arrays[] = {4, 8, 16, 32};
    static const char *const orders[] = {"mnk", "mkn", "nmk", "nkm", "kmn", "knm"};
    int done = 0, jumped = 0, tries = 0, even_done = 0, even_jumped = 0;
    uint64_t skipped = 0, total = 0;
    while (done < cases) {
        assert_true(++tries < cases * 20);   /* the generator finds plans that fit */
        char s[8][64];
        const char *sets[8];
        int n = 0;
        uint32_t rows = pick(&r, arrays, 4), cols = rng_below(&r, 3) ? rows : pick(&r, arrays, 4);
        snprintf(s[n++], 64, "tpu.array.rows=%u", rows);
        snprintf(s[n++], 64, "tpu.array.cols=%u", cols);
        snprintf(s[n++], 64, "tpu.array.dataflow=%s", (const char *[]){"ws", "os", "is"}[rng_below(&r, 3)]);
        snprintf(s[n++], 64, "tpu.wbuf.depth_tiles=%u", 1 + (unsigned)rng_below(&r, 4));
        snprintf(s[n++], 64, "tpu.mxus_per_core=%u", 1 + (unsigned)rng_below(&r, 2));
        snprintf(s[n++], 64, "tpu.cores=1");
        if (rng_below(&r, 2))
            snprintf(s[n++], 64, "tpu.dma.engines=%u", 1 + (unsigned)rng_below(&r, 3));
        for (int k = 0; k < n; k++)
            sets[k] = s[k];
        const char *cp = cfgs[rng_below(&r, 4)];
        tp_config cfg;
        tp_err err = {0};
        char path[512];
        if (cfg_load(cp ? th_path(path, sizeof path, cp) : NULL, sets, n, &cfg, &err))
            continue;   /* a combination the config refuses (e.g. its memory placement) */
        /* half of them of sizes that repeat (multiples of 32, as layers are), half any size */
        bool even = rng_below(&r, 2);
        uint32_t dim[3];
        for (int d = 0; d < 3; d++)
            dim[d] = even ? 32 * (1 + (uint32_t)rng_below(&r, 8)) : 1 + (uint32_t)rng_below(&r, 300);
        gemm_problem pb = {dim[0], dim[1], dim[2], 1, rng_below(&r, 2) ? TP_BF16 : TP_INT8, rng_below(&r, 4) == 0,
                           rng_below(&r, 4) == 0};
        if (cfg_tpu_require_dtype(&cfg, pb.dtype, &err))
            pb.dtype = pb.dtype == TP_INT8 ? TP_BF16 : TP_INT8;
        if (cfg_tpu_require_dtype(&cfg, pb.dtype, &err))
            continue;
        tiler_plan pl;
        memset(&pl, 0, sizeof pl);
        pl.tm = rows * (1 + (uint32_t)rng_below(&r, 4));
        pl.tn = cols * (1 + (uint32_t)rng_below(&r, 4));
        pl.tk = rows * (1 + (uint32_t)rng_below(&r, 4));
        memcpy(pl.order, orders[rng_below(&r, 6)], 4);
        pl.double_buffer = rng_below(&r, 2);
        pl.epilogue = (gemm_epilogue)rng_below(&r, 2);
        pl.split_k = 1;
        if (tiler_plan_derive(&cfg.tpu, &pb, &pl, &err))
            continue;
        isa_program p;
        if (tiler_generate(&cfg.tpu, &pb, &pl, &p, &err))
            fail_msg("%s", err.msg);
        char what[2048], setl[640] = "";
        for (int k = 0; k < n; k++)
            snprintf(setl + strlen(setl), sizeof setl - strlen(setl), " --set %s", s[k]);
        snprintf(what, sizeof what, "case %d: gemm %u %u %u -c %s%s --dtype %s%s%s --tile %ux%ux%u --order %s "
                 "--double-buffer %s --epilogue %s", done, pb.m, pb.n, pb.k, cp ? cp : "(default)", setl,
                 dtype_name(pb.dtype), pb.transpose_a ? " --transpose-a" : "", pb.transpose_b ? " --transpose-b" : "",
                 pl.tm, pl.tn, pl.tk, pl.order, pl.double_buffer ? "on" : "off", pl.epilogue ? "relu" : "none");
        uint64_t sk = same_both_ways(&cfg, &p, what);
        if (getenv("TP_FF_VERBOSE"))
            printf("# %s: %llu of %u instructions jumped over\n", what, (unsigned long long)sk, p.n_ins);
        skipped += sk;
        total += p.n_ins;
        jumped += sk > 0;
        even_done += even;
        even_jumped += even && sk > 0;
        done++;
        isa_free(&p);
    }
    printf("# %d random tilings, %d of them fast-forwarded (%d of the %d of sizes in 32s), %llu of %llu instructions "
           "jumped over\n", done, jumped, even_jumped, even_done, (unsigned long long)skipped, (unsigned long long)total);
    /* not vacuous: a good part of the cases of sizes in 32s jump, and a good part of all the
     * instructions is jumped over (the others rarely repeat: an odd row length puts each tile's
     * bursts on other channels). A quarter of them: 7 of the 23 here, 223 of 517 in 1000 cases
     * (the cost bound, ff.c note 7, leaves some short programs unjumped) */
    assert_true(even_jumped * 4 >= even_done);
    assert_true(skipped * 4 >= total);
}

/* A long GEMM on a small array jumps over almost all of it, to the same cycles; the run with a
 * trace, with values or on two cores never jumps (ff.c: they are simulated). */
static void what_jumps_and_what_does_not(void **state)
{
    (void)state;
    const char *sets[] = {"tpu.array.rows=8", "tpu.array.cols=8", "tpu.array.dataflow=ws"};
    tp_config cfg;
    ts_load_cfg(&cfg, sets, 3);
    gemm_problem pb = {256, 256, 256, 1, TP_INT8, false, false};
    tiler_plan pl;
    memset(&pl, 0, sizeof pl);
    pl.tm = 32;
    pl.tn = 8;
    pl.tk = 32;
    memcpy(pl.order, "mnk", 4);
    pl.split_k = 1;
    tp_err err = {0};
    assert_int_equal(tiler_plan_derive(&cfg.tpu, &pb, &pl, &err), TP_OK);
    isa_program p;
    assert_int_equal(tiler_generate(&cfg.tpu, &pb, &pl, &p, &err), TP_OK);
    uint64_t sk = same_both_ways(&cfg, &p, "256^3 on 8x8");
    /* eight m iterations of 32 tiles: the first two are simulated (the second is the period the
     * third is compared with), the remaining six less the last tile's lookahead are jumped over */
    if (sk * 10 < (uint64_t)p.n_ins * 7)
        fail_msg("256^3 on 8x8: jumped over %llu of %u instructions, expected at least 70%%", (unsigned long long)sk,
                 p.n_ins);
    /* with values: simulated in full, the same cycles as timing only */
    machine *m;
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
    assert_int_equal(machine_load(m, &p, &err), TP_OK);
    assert_int_equal(machine_run(m, &err), TP_OK);
    assert_int_equal(machine_ff_skipped(m), 0);
    uint64_t cyc = machine_stats(m)->cycles;
    /* with a trace: simulated in full */
    timeline tl;
    tl_init(&tl, 0);
    machine_set_timing_only(m, true);
    machine_set_trace(m, &tl);
    assert_int_equal(machine_run(m, &err), TP_OK);
    assert_int_equal(machine_ff_skipped(m), 0);
    assert_int_equal(machine_stats(m)->cycles, cyc);
    machine_set_trace(m, NULL);
    tl_free(&tl);
    /* timing only, no trace: jumps, the same cycles */
    assert_int_equal(machine_run(m, &err), TP_OK);
    assert_int_equal(machine_ff_skipped(m), sk);
    assert_int_equal(machine_stats(m)->cycles, cyc);
    machine_free(m);
    isa_free(&p);
}

TH_GROUP(ff)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_tilings_jump_exactly),
        cmocka_unit_test(what_jumps_and_what_does_not),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
