/* --trace end to end below the CLI: what the machines record (against their own stats and
 * against docs/mxu.md's equations), that recording changes no figure, and the writer's JSON
 * (strictly parsed, checked against docs/trace.schema.json, its exact times). */
#include "harness.h"
#include "support.h"
#include "gpu/gpu.h"
#include "report/trace.h"
#include "stats/timeline.h"
#include "tiler/run.h"
#include "tiler/tiler.h"
#include "tools/jsonv.h"
#include "tpu/asm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kernels/gemm_single.tpu: C[64 x 32] = A[64 x 32] B[32 x 32] on the default 32 x 32 ws array */
static const char single_tile[] =
    ".dtype int8\n"
    ".tensor A int8 64 32\n.tensor B int8 32 32\n.tensor C int32 64 32\n"
    "load 0, A[0:64, 0:32]\n"
    "loadw 0, B[0:32, 0:32]\n"
    "matmul 0, 0, 0, 64\n"
    "activate 2048, 0, 64, 32, out=int32\n"
    "store C[0:64, 0:32], 2048\n"
    "halt\n";

static uint32_t find_track(const timeline *tl, const char *group, const char *name)
{
    for (uint32_t i = 0; i < tl->n_tracks; i++)
        if (!strcmp(tl_str(tl, tl->tracks[i].group), group) && !strcmp(tl_str(tl, tl->tracks[i].name), name))
            return i;
    return TL_NONE;
}

static const tl_arg *find_arg(const timeline *tl, const tl_slice_info *s, const char *key)
{
    for (uint32_t a = 0; a < s->n_args; a++)
        if (!strcmp(tl_str(tl, tl->args[s->arg0 + a].key), key))
            return &tl->args[s->arg0 + a];
    return NULL;
}

/* Cycles on track t of slices named `name` (NULL: all). */
static uint64_t track_cycles(const timeline *tl, uint32_t t, const char *name)
{
    size_t n, f = tl_track_slices(tl, t, &n);
    uint64_t sum = 0;
    for (size_t i = f; i < f + n; i++)
        if (!name || !strcmp(tl_str(tl, tl->slices[i].name), name))
            sum += tl->slices[i].end - tl->slices[i].start;
    return sum;
}

/* What every TPU trace must agree with in its run's record: each DMA engine's and the vector
 * unit's cause track, cause by cause, is the unit's cycles; each MXU's instruction slices add
 * up to its streaming cycles (busy + padding); the transfers' bytes are the off-chip bytes
 * asked for; the channel bursts' bytes are each memory's bus bytes; nothing ends after the
 * run. */
static void assert_trace_matches(const timeline *tl, const tp_stats *st)
{
    uint64_t dma_bytes = 0;
    for (uint32_t u = 0; u < st->n_units; u++) {
        const stats_unit *su = &st->units[u];
        char group[64], name[80];
        const char *dot = strchr(su->name, '.');
        if (su->kind == STATS_KIND_MEM || !dot)
            continue;
        snprintf(group, sizeof group, "%.*s", (int)(dot - su->name), su->name);
        if (su->kind == STATS_KIND_MXU) {
            uint32_t t = find_track(tl, group, dot + 1);
            assert_int_not_equal(t, TL_NONE);
            assert_int_equal(track_cycles(tl, t, "matmul"),
                             su->cycles[STATS_MXU_BUSY] + su->cycles[STATS_MXU_PADDING]);
            continue;
        }
        snprintf(name, sizeof name, "%s cause", dot + 1);
        uint32_t t = find_track(tl, group, name);
        assert_int_not_equal(t, TL_NONE);
        for (uint32_t c = 0; c < stats_kind_causes(su->kind); c++)
            assert_int_equal(track_cycles(tl, t, stats_cause_name(su->kind, c)), su->cycles[c]);
        assert_int_equal(track_cycles(tl, t, NULL), st->cycles);   /* every cycle, once */
        if (su->kind == STATS_KIND_DMA) {
            size_t n, f = tl_track_slices(tl, find_track(tl, group, dot + 1), &n);
            for (size_t i = f; i < f + n; i++) {
                const tl_arg *a = find_arg(tl, &tl->slices[i], "bytes");
                assert_non_null(a);
                dma_bytes += a->v.u;
            }
        }
    }
    uint64_t asked = 0;
    for (uint32_t l = 0; l < st->n_levels; l++) {
        const stats_level *lv = &st->levels[l];
        if (lv->kind != STATS_LEVEL_OFF_CHIP)
            continue;
        asked += lv->read_bytes + lv->write_bytes;
        uint64_t bus = 0;
        bool channels = false;
        for (uint32_t t = 0; t < tl->n_tracks; t++) {
            char prefix[80];
            snprintf(prefix, sizeof prefix, "%s ch", lv->name);
            if (strcmp(tl_str(tl, tl->tracks[t].group), "mem") ||
                strncmp(tl_str(tl, tl->tracks[t].name), prefix, strlen(prefix)))
                continue;
            channels = true;
            size_t n, f = tl_track_slices(tl, t, &n);
            for (size_t i = f; i < f + n; i++)
                bus += find_arg(tl, &tl->slices[i], "bus_bytes")->v.u;
        }
        if (channels)
            assert_int_equal(bus, lv->bus_bytes);
    }
    assert_int_equal(dma_bytes, asked);
    for (size_t i = 0; i < tl->n_slices; i++)
        assert_true(tl->slices[i].end <= st->cycles);
}

/* The single-tile GEMM by hand (docs/mxu.md): ws streams T = m = 64 rows, all of them useful
 * (n = 32 = cols, k = 32 = rows: no padding), so the MXU track holds one matmul slice of 64
 * cycles, from the instruction's own start. The transfers are 64x32 int8 (2048 bytes), 32x32
 * int8 (1024) and 64x32 int32 (8192). Run cycles, stats: as without the trace. */
static void single_tile_by_hand(void **state)
{
    (void)state;
    tp_config cfg;
    tp_err err = {0};
    ts_load_cfg(&cfg, NULL, 0);
    isa_program p;
    if (asm_parse("single.tpu", single_tile, &cfg.tpu, &p, &err))
        fail_msg("%s", err.msg);
    machine *m;
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
    assert_int_equal(machine_load(m, &p, &err), TP_OK);
    machine_set_timing_only(m, true);
    assert_int_equal(machine_run(m, &err), TP_OK);
    tp_stats plain;
    stats_init(&plain);
    assert_int_equal(stats_copy(&plain, machine_stats(m), &err), TP_OK);
    timeline tl;
    tl_init(&tl, 0);
    machine_set_trace(m, &tl);
    assert_int_equal(machine_run(m, &err), TP_OK);
    const tp_stats *st = machine_stats(m);
    ts_assert_same_timing(&plain, st);
    assert_int_equal(tl_finish(&tl, &err), TP_OK);
    assert_true(tl.clock_hz == (double)cfg.tpu.clock_hz);
    uint32_t mxu = find_track(&tl, "core0", "mxu0");
    assert_int_not_equal(mxu, TL_NONE);
    size_t n, f = tl_track_slices(&tl, mxu, &n);
    assert_int_equal(n, 1);
    const tl_slice_info *s = &tl.slices[f];
    assert_string_equal(tl_str(&tl, s->name), "matmul");
    assert_int_equal(s->end - s->start, 64);
    uint64_t s0, e0;
    assert_int_equal(machine_instr_times(m, 2, &s0, &e0, &err), TP_OK);
    assert_int_equal(s->start, s0);
    assert_int_equal(find_arg(&tl, s, "index")->v.u, 2);
    assert_int_equal(find_arg(&tl, s, "line")->v.u, 7);
    assert_int_equal(find_arg(&tl, s, "m")->v.u, 64);
    assert_int_equal(find_arg(&tl, s, "done_cycle")->v.u, e0);
    const stats_unit *mu = stats_find_unit(st, "core0.mxu0");
    assert_non_null(mu);
    assert_int_equal(mu->cycles[STATS_MXU_BUSY], 64);
    assert_int_equal(mu->cycles[STATS_MXU_PADDING], 0);
    /* the three transfers, by instruction */
    const uint64_t bytes[5] = {2048, 1024, 0, 0, 8192};
    int seen = 0;
    for (size_t i = 0; i < tl.n_slices; i++) {
        const tl_slice_info *x = &tl.slices[i];
        if (strcmp(tl_str(&tl, tl.tracks[x->track].kind), "dma"))
            continue;
        uint64_t idx = find_arg(&tl, x, "index")->v.u;
        assert_int_equal(find_arg(&tl, x, "bytes")->v.u, bytes[idx]);
        assert_int_equal(machine_instr_times(m, (uint32_t)idx, &s0, &e0, &err), TP_OK);
        assert_int_equal(x->start, s0);
        assert_int_equal(find_arg(&tl, x, "done_cycle")->v.u, e0);
        seen++;
    }
    assert_int_equal(seen, 3);
    assert_trace_matches(&tl, st);
    /* a second run into the same timeline at an offset: the same tracks, every slice moved */
    size_t before = tl.n_slices;
    tl.offset = 1000;
    assert_int_equal(machine_run(m, &err), TP_OK);
    assert_int_equal(tl_finish(&tl, &err), TP_OK);
    assert_int_equal(tl.n_slices, 2 * before);
    f = tl_track_slices(&tl, mxu, &n);
    assert_int_equal(n, 2);
    assert_int_equal(tl.slices[f + 1].start, s0 = tl.slices[f].start + 1000);
    tl_free(&tl);
    stats_free(&plain);
    machine_free(m);
    isa_free(&p);
}

/* Tiled GEMMs on several machines and dataflows, with the fast and the per-PE engine: the same
 * stats with and without the trace, the slices nest (tl_finish), and assert_trace_matches. */
static void tiled_gemms_match_their_stats(void **state)
{
    (void)state;
    static const struct {
        const char *cfg, *set;
        uint32_t m, n, k;
        machine_engine eng;
    } cases[] = {
        {NULL, NULL, 300, 200, 500, MACHINE_FAST},
        {NULL, "tpu.array.dataflow=os", 200, 96, 300, MACHINE_FAST},
        {NULL, "tpu.array.dataflow=is", 130, 70, 90, MACHINE_FAST},
        {"configs/tpu-v4.yaml", NULL, 1024, 512, 768, MACHINE_FAST},
        {"configs/teach-4x4.yaml", NULL, 12, 10, 9, MACHINE_PE},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tp_config cfg;
        tp_err err = {0};
        char path[512];
        const char *sets[1] = {cases[c].set};
        if (cfg_load(cases[c].cfg ? th_path(path, sizeof path, cases[c].cfg) : NULL, sets, cases[c].set ? 1 : 0,
                     &cfg, &err))
            fail_msg("%s", err.msg);
        gemm_problem pb = {cases[c].m, cases[c].n, cases[c].k, 1, TP_INT8, false, false};
        tiler_opts to;
        memset(&to, 0, sizeof to);
        to.double_buffer = -1;
        tiler_plan plan;
        size_t nc = 0;
        if (tiler_search(&cfg, &pb, &to, &plan, NULL, &nc, NULL, &err))
            fail_msg("%s", err.msg);
        tiler_run_opts ro;
        memset(&ro, 0, sizeof ro);
        ro.engine = cases[c].eng;
        ro.timing_only = cases[c].eng == MACHINE_FAST;
        ro.threads = 1;
        tiler_result a, b;
        if (tiler_run(&cfg, &pb, &plan, &ro, &a, &err))
            fail_msg("%s", err.msg);
        timeline tl;
        tl_init(&tl, 0);
        ro.trace = &tl;
        if (tiler_run(&cfg, &pb, &plan, &ro, &b, &err))
            fail_msg("%s", err.msg);
        ts_assert_same_timing(&a.stats, &b.stats);
        if (tl_finish(&tl, &err))
            fail_msg("case %zu: %s", c, err.msg);
        assert_trace_matches(&tl, &b.stats);
        tiler_result_free(&a);
        tiler_result_free(&b);
        tl_free(&tl);
    }
}

/* The GPU model: same stats with and without the trace; a cta slice per CTA on the slot
 * tracks, each holding its mainloop and epilogue; every slot's cause track covers the run. A
 * run whose steady waves are skipped has one "skipped steady waves" slice of the skipped time. */
static void gpu_trace(void **state)
{
    (void)state;
    static const struct {
        const char *cfg;
        uint32_t m, n, k;
    } cases[] = {{"configs/gpu-a100.yaml", 1024, 1024, 512}, {"configs/gpu-t4.yaml", 2048, 2048, 512}};
    for (size_t c = 0; c < 2; c++) {
        tp_config cfg;
        tp_err err = {0};
        char path[512];
        if (cfg_load(th_path(path, sizeof path, cases[c].cfg), NULL, 0, &cfg, &err))
            fail_msg("%s", err.msg);
        gemm_problem pb = {cases[c].m, cases[c].n, cases[c].k, 1, TP_INT8, false, false};
        gpu_run_opts o;
        memset(&o, 0, sizeof o);
        tp_stats a, b;
        gpu_run_info ia, ib;
        stats_init(&a);
        stats_init(&b);
        assert_int_equal(gpu_run_gemm_opts(&cfg, &pb, &o, &a, &ia, &err), TP_OK);
        timeline tl;
        tl_init(&tl, 0);
        o.trace = &tl;
        assert_int_equal(gpu_run_gemm_opts(&cfg, &pb, &o, &b, &ib, &err), TP_OK);
        ts_assert_same_timing(&a, &b);
        if (tl_finish(&tl, &err))
            fail_msg("%s", err.msg);
        uint64_t ctas = 0, skipped = 0;
        for (size_t i = 0; i < tl.n_slices; i++) {
            const char *nm = tl_str(&tl, tl.slices[i].name);
            ctas += !strcmp(nm, "cta");
            if (!strcmp(nm, "skipped steady waves")) {
                skipped += find_arg(&tl, &tl.slices[i], "ctas")->v.u;
                assert_true(tl.slices[i].end > tl.slices[i].start);
            }
            assert_true(tl.slices[i].end <= b.cycles);
        }
        assert_int_equal(ctas + skipped, ib.ctas);
        assert_int_equal(skipped, ib.skipped_waves * cfg.gpu.sms * ib.kinfo.occupancy);
        if (c == 1)
            assert_true(ib.skipped_waves > 0);   /* the case is there for it */
        for (uint32_t i = 0; i < cfg.gpu.sms && !ib.skipped_waves; i++)
            for (uint32_t j = 0; j < ib.kinfo.occupancy; j++) {
                char nm[48];
                snprintf(nm, sizeof nm, "sm%u.%u cause", i, j);
                uint32_t t = find_track(&tl, "gpu", nm);
                assert_int_not_equal(t, TL_NONE);
                assert_int_equal(track_cycles(&tl, t, NULL), b.cycles);
            }
        tl_free(&tl);
        stats_free(&a);
        stats_free(&b);
    }
}

/* Reads a whole file (test helper); NUL-terminated. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return s;
}

static jv_value *parse_file(const char *path)
{
    size_t n;
    char *s = slurp(path, &n);
    jv_perror pe;
    jv_value *v = jv_parse(s, n, &pe);
    if (!v)
        fail_msg("%s:%d:%d: %s", path, pe.line, pe.col, pe.msg);
    free(s);
    return v;
}

/* The writer by hand: a timeline at 1.25 GHz (0.8 ns a cycle) with a slice [5, 8) and a
 * counter, capped at 2 of 3 events. The file parses strictly, fits docs/trace.schema.json,
 * and holds ts 0.004 and dur 0.0024 (us), the args, the counter, the cap's note. */
static void writer_json(void **state)
{
    (void)state;
    timeline tl;
    tl_init(&tl, 2);
    tl.clock_hz = 1.25e9;
    uint32_t t = tl_track(&tl, "core0", "dma0", "dma");
    uint32_t s = tl_slice(&tl, t, 5, 8, "load \"x\"");
    tl_arg_str(&tl, s, "tensor", "A\tB");
    tl_arg_u64(&tl, s, "bytes", 4096);
    uint32_t q = tl_series(&tl, "core0", "load queue", "entries");
    tl_count(&tl, q, 5, 3);
    tl_slice(&tl, t, 8, 9, "dropped");
    char path[512];
    snprintf(path, sizeof path, "%s/trace_writer.json", th_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    tp_err err = {0};
    trace_info info = {"9.9.9", "run"};
    timeline *one = &tl;
    assert_int_equal(trace_write(&one, 1, &info, f, &err), TP_OK);
    fclose(f);
    char schema_path[512];
    jv_value *schema = parse_file(th_path(schema_path, sizeof schema_path, "docs/trace.schema.json"));
    jv_value *doc = parse_file(path);
    char *why = jv_validate(schema, doc);
    if (why)
        fail_msg("%s", why);
    const jv_value *ev = jv_get(doc, "traceEvents");
    assert_non_null(ev);
    const jv_value *x = NULL, *cnt = NULL;
    for (size_t i = 0; i < ev->n; i++) {
        const char *ph = jv_get(ev->items[i], "ph")->s;
        if (!strcmp(ph, "X"))
            x = ev->items[i];
        if (!strcmp(ph, "C"))
            cnt = ev->items[i];
    }
    assert_non_null(x);
    assert_string_equal(jv_get(x, "name")->s, "load \"x\"");
    assert_string_equal(jv_get(x, "ts")->dig, "4");   /* 0.004: digits 4, exponent -2 */
    assert_int_equal(jv_get(x, "ts")->e10, -2);
    assert_string_equal(jv_get(x, "dur")->dig, "24");  /* 0.0024 */
    assert_int_equal(jv_get(x, "dur")->e10, -2);
    const jv_value *args = jv_get(x, "args");
    assert_int_equal(jv_get(args, "start_cycle")->u64, 5);
    assert_int_equal(jv_get(args, "end_cycle")->u64, 8);
    assert_int_equal(jv_get(args, "bytes")->u64, 4096);
    assert_string_equal(jv_get(args, "tensor")->s, "A\tB");
    assert_non_null(cnt);   /* the second event: kept */
    assert_string_equal(jv_get(cnt, "name")->s, "load queue");
    assert_int_equal(jv_get(jv_get(cnt, "args"), "entries")->u64, 3);
    assert_string_equal(jv_get(cnt, "ts")->dig, "4");
    const jv_value *od = jv_get(doc, "otherData");
    assert_string_equal(jv_get(od, "note")->s, "kept the first 2 of 3 events (cap 2)");
    assert_int_equal(jv_get(od, "events_dropped")->u64, 1);
    assert_int_equal(jv_get(jv_get(od, "dropped_by_track"), "core0/dma0")->u64, 1);
    assert_string_equal(jv_get(od, "version")->s, "9.9.9");
    assert_string_equal(jv_get(doc, "displayTimeUnit")->s, "ns");
    char note[100];
    trace_cap_note(&one, 1, note, sizeof note);
    assert_string_equal(note, "kept the first 2 of 3 events (cap 2)");
    jv_free(doc);
    (void)q;
    tl_free(&tl);
    jv_free(schema);
}

TH_GROUP(trace)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_tile_by_hand),
        cmocka_unit_test(tiled_gemms_match_their_stats),
        cmocka_unit_test(gpu_trace),
        cmocka_unit_test(writer_json),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
