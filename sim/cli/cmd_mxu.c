/* tpusim mxu M N K: one GEMM through the matrix unit alone, with ideal memory.
 *
 * The GEMM is tiled into folds (mxu_gemm_fold: ws K-tiles of R x N-tiles of C, os M-tiles of R
 * x N-tiles of C, is K-tiles of R x M-tiles of C), all ready at cycle 0. The fast engine times
 * them with mxu_time_op and computes values with one num_gemm call (kc = R for ws/is, K for os);
 * the per-PE engine runs them register by register. Either way the accumulators are checked
 * bit for bit against num_gemm_ref with the same kc (exit 1 on a mismatch; --no-check skips it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/json.h"
#include "base/npy.h"
#include "base/rng.h"
#include "base/progress.h"
#include "cli/cli.h"
#include "num/gemm.h"
#include "report/bound.h"
#include "report/report.h"
#include "report/html.h"
#include "stats/timeline.h"
#include "tpu/mxu.h"
#include "tpu/mxu_trace.h"

#define MXU_CLI_MAX_DIM (1u << 20)             /* per dimension */
#define MXU_CLI_MAX_ELEMS (UINT64_C(1) << 28)  /* per matrix: 1 GiB of accumulators */
#define MXU_VCD_MAX_PE_CYCLES (UINT64_C(20000000))

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tpusim mxu M N K [-c CONFIG] [--set PATH=VALUE]... [--dtype int8|bf16]\n"
            "                 [--dataflow ws|os|is] [--engine fast|pe] [--a A.npy --b B.npy]\n"
            "                 [--out C.npy|-] [--seed S] [--json FILE|-] [--vcd FILE|-] [--html FILE]\n"
            "                 [--no-check] [--quiet]\n\n"
            "Runs C[M x N] = A[M x K] * B[K x N] through the matrix unit alone (ideal memory),\n"
            "checks the accumulators bit for bit against the reference GEMM and reports cycles,\n"
            "utilization and cycles by cause.\n\n"
            "  --dtype      input type (default: int8 if the machine has it, else bf16)\n"
            "  --dataflow   override tpu.array.dataflow\n"
            "  --engine     fast (closed-form timing, blocked GEMM; default) or pe (every PE\n"
            "               register every cycle)\n"
            "  --a, --b     input matrices (.npy: int8 '|i1', bf16 bits '<u2', or float32 '<f4'\n"
            "               rounded to bf16); default: seeded random inputs\n"
            "  --out        write the accumulators: int32 '<i4' (int8) or float32 '<f4' (bf16)\n"
            "  --seed       seed of the random inputs (default 1)\n"
            "  --json       write the report as JSON to FILE ('-' = stdout, replacing the text)\n"
            "  --vcd        (--engine pe) dump every PE register per cycle as a VCD file, with\n"
            "               clk, the cycle counter, each cycle's cause and the fold (docs/mxu.md)\n"
            "  --html       write a self-contained HTML page: the figures, and with --engine pe on\n"
            "               arrays up to 16x16 the registers animated cycle by cycle (docs/html.md)\n"
            "  --no-check   skip the reference GEMM (a plain triple loop: minutes for 4096^3)\n"
            "  --quiet      (--engine pe) no progress bar (folds done, rate, ETA); it is drawn on\n"
            "               stderr only when stderr is a terminal\n");
}

typedef struct {
    cli_machine_opts mo;
    uint32_t m, n, k;
    int npos;
    const char *dtype, *engine, *a_path, *b_path, *out_path, *json_path, *vcd_path, *html_path;
    uint64_t seed;
    bool no_check, quiet;
} mxu_args;

static int parse_args(int argc, char **argv, mxu_args *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->engine = "fast";
    static const char *const single[] = {"--dtype", "--engine", "--a", "--b", "--out", "--json", "--vcd", "--html", "--seed", NULL};
    cli_seen seen = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        int r = cli_machine_opt(&o->mo, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -1;
        }
        const char **dst = NULL;
        if (!strcmp(a, "--dtype")) dst = &o->dtype;
        else if (!strcmp(a, "--engine")) dst = &o->engine;
        else if (!strcmp(a, "--a")) dst = &o->a_path;
        else if (!strcmp(a, "--b")) dst = &o->b_path;
        else if (!strcmp(a, "--out")) dst = &o->out_path;
        else if (!strcmp(a, "--json")) dst = &o->json_path;
        else if (!strcmp(a, "--vcd")) dst = &o->vcd_path;
        else if (!strcmp(a, "--html")) dst = &o->html_path;
        if (dst) {
            if (!(v = cli_value(argc, argv, &i)) || (dst == &o->html_path && cli_html_check_path(v)))
                return 2;
            *dst = v;
            continue;
        }
        if (!strcmp(a, "--no-check")) {
            o->no_check = true;
            continue;
        }
        if (!strcmp(a, "--quiet")) {
            o->quiet = true;
            continue;
        }
        if (!strcmp(a, "--seed")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, 0, UINT64_MAX, &o->seed))
                return 2;
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage_error("mxu: unknown flag '%s' (try 'tpusim mxu --help')", a);
        if (o->npos >= 3)
            return cli_usage_error("mxu: unexpected argument '%s' (expected M N K)", a);
        {
            static const char *const names[3] = {"M", "N", "K"};
            uint32_t *dims[3] = {&o->m, &o->n, &o->k};
            if (cli_parse_u32(names[o->npos], a, 1, MXU_CLI_MAX_DIM, dims[o->npos]))
                return 2;
            o->npos++;
        }
    }
    if (o->npos < 3)
        return cli_usage_error("mxu: expected M N K (try 'tpusim mxu --help')");
    machine_engine e;
    if (machine_engine_parse(o->engine, &e))
        return cli_usage_error("--engine: unknown engine '%s' (expected fast or pe)", o->engine);
    if (!o->a_path != !o->b_path)
        return cli_usage_error("%s: --a and --b go together", o->a_path ? "--a" : "--b");
    if (o->vcd_path && strcmp(o->engine, "pe"))
        return cli_usage_error("--vcd: needs --engine pe (the fast engine has no per-PE registers)");
    return 0;
}

/* Reads an input .npy, requiring rows x cols. */
static int read_input(const char *path, const char *what, tp_dtype dt, uint32_t rows, uint32_t cols,
                      npy_mat *m)
{
    tp_err err = {0};
    if (npy_read_as(path, npy_dtype_of_input(dt), m, &err) != TP_OK)
        return cli_fail(&err);
    if (m->rows != rows || m->cols != cols)
        return cli_usage_error("%s: shape %ux%u, expected %s = %ux%u", path, m->rows, m->cols, what,
                               rows, cols);
    return 0;
}

static void *random_input(rng_state *r, tp_dtype dt, uint64_t n)
{
    void *x = malloc(n ? n * dtype_in_bytes(dt) : 1);
    if (!x)
        return NULL;
    for (uint64_t i = 0; i < n; i++) {
        if (dt == TP_INT8)
            ((int8_t *)x)[i] = rng_i8(r);
        else
            ((uint16_t *)x)[i] = rng_bf16_normalish(r, false);
    }
    return x;
}

/* First element where got and want differ (bitwise), formatted; 0 if equal. */
static int first_mismatch(tp_dtype dt, const void *got, const void *want, uint32_t m, uint32_t n,
                          char *msg, size_t cap)
{
    for (uint64_t i = 0; i < (uint64_t)m * n; i++) {
        if (!memcmp((const char *)got + i * 4, (const char *)want + i * 4, 4))
            continue;
        if (dt == TP_INT8)
            snprintf(msg, cap, "C[%llu][%llu] = %d, reference %d", (unsigned long long)(i / n),
                     (unsigned long long)(i % n), ((const int32_t *)got)[i], ((const int32_t *)want)[i]);
        else
            snprintf(msg, cap, "C[%llu][%llu] = %.9g (0x%08x), reference %.9g (0x%08x)",
                     (unsigned long long)(i / n), (unsigned long long)(i % n), ((const float *)got)[i],
                     dtype_f32_bits(((const float *)got)[i]), ((const float *)want)[i],
                     dtype_f32_bits(((const float *)want)[i]));
        return 1;
    }
    return 0;
}

typedef struct {
    uint64_t cycles, macs, folds, pe_cycles;
    uint64_t causes[MXU_CAUSE__COUNT];
    double utilization, wall_s;
    int check_ok;           /* 1 passed, 0 failed, -1 skipped */
    char mismatch[160];
} mxu_result;

/* The shared stats record of the run: one mxu unit, no memory levels (ideal memory). The
 * standalone MXU's causes map onto the shared ones: busy -> busy (in proportion to the useful
 * MACs) + padding (the rest of the streaming cycles), weight_shift -> weight_shift,
 * fill_drain -> fill_drain, idle -> idle. */
static tp_status mxu_stats(const tp_config *cfg, const mxu_params *p, const mxu_args *o, const mxu_result *r,
                           tp_stats *s, tp_err *err)
{
    stats_init(s);
    snprintf(s->machine_kind, sizeof s->machine_kind, "tpu");
    snprintf(s->machine, sizeof s->machine, "%.63s", cfg->tpu.name[0] ? cfg->tpu.name : cfg->source);
    snprintf(s->dtype, sizeof s->dtype, "%s", dtype_name(p->dtype));
    snprintf(s->compute_unit, sizeof s->compute_unit, "MXU");
    stats_set_attr(s, "engine", o->engine);
    stats_set_attr(s, "dataflow", cfg_dataflow_name(p->dataflow));
    s->clock_hz = cfg->tpu.clock_hz;
    s->cycles = r->cycles;
    s->instructions = r->folds;
    s->macs = r->macs;
    s->peak_macs_per_cycle = (double)p->rows * p->cols;
    s->compute_units = 1;
    s->compute_units_used = r->macs ? 1 : 0;
    stats_unit *u = stats_add_unit(s, "mxu", STATS_KIND_MXU);
    if (!u)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory for the MXU's stats record");
    uint64_t streaming = r->causes[MXU_BUSY], useful = r->macs / ((uint64_t)p->rows * p->cols);
    if (useful > streaming)
        useful = streaming;
    u->cycles[STATS_MXU_BUSY] = useful;
    u->cycles[STATS_MXU_PADDING] = streaming - useful;
    u->cycles[STATS_MXU_WEIGHT_SHIFT] = r->causes[MXU_WEIGHT_SHIFT];
    u->cycles[STATS_MXU_FILL_DRAIN] = r->causes[MXU_FILL_DRAIN];
    u->cycles[STATS_MXU_IDLE] = r->causes[MXU_IDLE];
    u->macs = r->macs;
    stats_finish(s);
    return stats_check(s, err);
}

static report_check check_of(const mxu_result *r)
{
    return r->check_ok < 0 ? REPORT_CHECK_NOT_CHECKED : r->check_ok ? REPORT_CHECK_MATCH : REPORT_CHECK_MISMATCH;
}

static void print_text(FILE *f, const tp_config *cfg, const mxu_params *p, const mxu_args *o,
                       const mxu_result *r, const tp_stats *s)
{
    fprintf(f, "tpusim mxu: C[%ux%u] = A[%ux%u] * B[%ux%u], %s, on %s (%ux%u %s array)\n", o->m, o->n,
            o->m, o->k, o->k, o->n, dtype_name(p->dtype), cfg->tpu.name[0] ? cfg->tpu.name : cfg->source,
            p->rows, p->cols, cfg_dataflow_name(p->dataflow));
    fprintf(f, "engine %s, timing %s, weights %s, %u weight row%s/cycle\n", o->engine,
            cfg_timing_name(p->timing), p->weight_double_buffer ? "double-buffered" : "single-buffered",
            p->weight_rows_per_cycle, p->weight_rows_per_cycle == 1 ? "" : "s");
    fprintf(f, "  folds        %llu\n", (unsigned long long)r->folds);
    fprintf(f, "  cycles       %llu\n", (unsigned long long)r->cycles);
    fprintf(f, "  MACs         %llu\n", (unsigned long long)r->macs);
    fprintf(f, "  utilization  %.2f%%  (MACs / (cycles x %u PEs))\n", 100.0 * r->utilization,
            p->rows * p->cols);
    fprintf(f, "  cycles by cause:\n");
    const stats_unit *u = &s->units[0];
    for (uint32_t c = 0; c < stats_kind_causes(u->kind); c++) {
        /* the standalone MXU never waits on memory or other units: print what it can charge */
        if (c != STATS_MXU_BUSY && c != STATS_MXU_PADDING && c != STATS_MXU_WEIGHT_SHIFT &&
            c != STATS_MXU_FILL_DRAIN && c != STATS_MXU_IDLE)
            continue;
        fprintf(f, "    %-12s %12llu  %5.1f%%\n", stats_cause_name(u->kind, c), (unsigned long long)u->cycles[c],
                r->cycles ? 100.0 * (double)u->cycles[c] / (double)r->cycles : 0.0);
    }
    if (r->pe_cycles)
        fprintf(f, "  per-PE engine: %llu PE-cycles in %.3f s (%.1f M PE-cycles/s)\n",
                (unsigned long long)r->pe_cycles, r->wall_s,
                r->wall_s > 0 ? (double)r->pe_cycles / r->wall_s / 1e6 : 0.0);
    if (r->check_ok < 0)
        fprintf(f, "  check        not checked (--no-check)\n");
    else if (r->check_ok)
        fprintf(f, "  check        passed (bit-identical to the reference GEMM, kc = %u)\n",
                mxu_gemm_kc(p, o->k));
    else
        fprintf(f, "  check        FAILED: %s\n", r->mismatch);
    report_bound b;
    report_bound_of(s, &b);
    fprintf(f, "\n%s\n", b.sentence);
}

static int write_json(const char *path, cli_html *h, const cli_machine_opts *mo, const tp_config *cfg,
                      const mxu_params *p, const mxu_args *o, const mxu_result *r, const tp_stats *s)
{
    cli_doc doc;
    FILE *f = cli_doc_open(&doc, path, h);
    if (!f)
        return 2;
    json_w w;
    cli_json_begin(&w, f, "mxu");
    json_key(&w, "tpu");
    json_begin_object(&w);
    report_json_members(s, &w);
    cli_json_config(&w, mo, cfg);
    json_key(&w, "gemm");
    json_begin_object(&w);
    json_kv_u64(&w, "m", o->m);
    json_kv_u64(&w, "n", o->n);
    json_kv_u64(&w, "k", o->k);
    json_end_object(&w);
    json_key(&w, "mxu");
    json_begin_object(&w);
    json_kv_str(&w, "timing", cfg_timing_name(p->timing));
    json_kv_u64(&w, "rows", p->rows);
    json_kv_u64(&w, "cols", p->cols);
    json_kv_bool(&w, "weight_double_buffer", p->weight_double_buffer);
    json_kv_u64(&w, "weight_rows_per_cycle", p->weight_rows_per_cycle);
    json_kv_u64(&w, "folds", r->folds);
    json_kv_u64(&w, "kc", mxu_gemm_kc(p, o->k));
    json_end_object(&w);
    json_kv_str(&w, "check", report_check_name(check_of(r)));
    if (!r->check_ok)
        json_kv_str(&w, "mismatch", r->mismatch);
    json_end_object(&w);
    json_end_object(&w);
    return cli_doc_close(&doc, json_finish(&w) != 0);
}

/* --vcd and --html both watch the registers: one observer that calls each. */
typedef struct {
    mxu_trace *vcd;
    html_rec *rec;
} pe_watchers;

static void watch(void *ctx, const mxu_pe_view *v)
{
    pe_watchers *w = ctx;
    if (w->vcd)
        mxu_trace_observe(w->vcd, v);
    if (w->rec)
        html_rec_observe(w->rec, v);
}

/* Runs the folds on the per-PE engine; fills r's cycles and causes. clock_hz: the VCD's clock.
 * rec (NULL = none) records the registers for --html. */
static int run_pe(const mxu_params *p, uint64_t clock_hz, const mxu_args *o, const void *a,
                  const void *b, void *c, mxu_result *r, html_rec *rec)
{
    pe_watchers wt = {NULL, rec};
    tp_err err = {0};
    mxu_pe *pe = NULL;
    mxu_trace *vcd = NULL;
    struct timespec t0, t1;
    int rc = 0;
    if (mxu_pe_new(p, &pe, &err) != TP_OK) {
        fprintf(stderr, "tpusim: --engine pe: %s\n", err.msg);
        return tp_exit_code(err.code);
    }
    if (o->vcd_path) {
        if (mxu_trace_open(o->vcd_path, p, clock_hz, &vcd, &err) != TP_OK) {
            mxu_pe_free(pe);
            return cli_fail(&err);
        }
    }
    wt.vcd = vcd;
    if (vcd || rec)
        mxu_pe_set_observer(pe, watch, &wt);
    for (uint64_t i = 0; i < r->folds; i++) {
        mxu_issue is;
        mxu_gemm_fold(p, o->m, o->n, o->k, a, b, c, false, i, &is);
        if (mxu_pe_issue(pe, &is, NULL, &err) != TP_OK) {
            rc = cli_fail(&err);
            goto end;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    progress bar;   /* folds ended; on a terminal stderr only, not with --quiet */
    progress_init(&bar, r->folds, "mxu", "folds", !o->quiet);
    /* mxu_pe_finish's loop, with the bar: advance to each op's end while one has not ended
     * (counted in issue order, so two ops ending at one cycle are both seen) */
    for (uint64_t done = 0; !mxu_pe_fault(pe);) {
        while (done < r->folds && mxu_pe_op_timing(pe, (uint32_t)done))
            done++;
        progress_update(&bar, done);
        if (done == r->folds)
            break;
        mxu_pe_advance(pe, UINT64_MAX, NULL);
    }
    progress_finish(&bar);
    mxu_pe_finish(pe);   /* what remains: nothing, unless a fault stopped the loop */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (mxu_pe_fault(pe)) {
        fprintf(stderr, "tpusim: internal error: %s\n", mxu_pe_fault(pe));
        rc = 3;
        goto end;
    }
    r->cycles = mxu_pe_now(pe);
    r->pe_cycles = mxu_pe_pe_cycles(pe);
    memset(r->causes, 0, sizeof r->causes);
    for (uint32_t i = 0; i < r->folds; i++) {
        const mxu_timing *t = mxu_pe_op_timing(pe, i);
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            r->causes[k] += t->by_cause[k];
    }
    mxu_pe_close(pe, r->cycles, r->causes);
    /* the page labels each register from the folds' tiles and start cycles (as mxu-demo) */
    for (uint64_t i = 0; rec && i < r->folds; i++) {
        mxu_issue is;
        mxu_gemm_fold(p, o->m, o->n, o->k, a, b, c, false, i, &is);
        size_t co = (size_t)((const char *)is.c - (const char *)c) / 4;
        size_t ao = (size_t)((const char *)is.a - (const char *)a) / dtype_in_bytes(p->dtype);
        if (html_rec_fold(rec, i, &is.op, (uint32_t)(co / o->n), (uint32_t)(co % o->n), (uint32_t)(ao % o->k),
                          mxu_pe_op_timing(pe, (uint32_t)i), &err) != TP_OK) {
            rc = cli_fail(&err);
            goto end;
        }
    }
    if (rec)
        html_rec_set_cycles(rec, r->cycles);
end:
    if (vcd && mxu_trace_close(vcd, &err) != TP_OK && !rc)
        rc = cli_fail(&err);
    mxu_pe_free(pe);
    return rc;
}

/* --html's timeline of the MXU alone: each fold's weight shift, operand stream and drain, on a
 * track each (a fold's shift and drain overlap its neighbours' stream), from the closed form's
 * timing, which the per-PE engine equals to the cycle. The slices name the fold, its op's
 * m x n x k and its cycles by cause. */
static void fold_slices(timeline *tl, uint32_t tr[3], uint64_t i, const mxu_op *op, const mxu_timing *t)
{
    static const char *const phase[3] = {"weight shift", "stream", "drain"};
    uint64_t b[4] = {t->shift_start, t->start, t->stream_end, t->end};
    for (int ph = 0; ph < 3; ph++) {
        if (b[ph + 1] <= b[ph])
            continue;
        uint32_t s = tl_slice(tl, tl_lane(tl, tr[ph], b[ph], b[ph + 1]), b[ph], b[ph + 1], phase[ph]);
        tl_arg_u64(tl, s, "fold", i);
        char ops[64];
        snprintf(ops, sizeof ops, "%ux%ux%u%s", op->m, op->n, op->k, op->accumulate ? " accumulate" : "");
        tl_arg_str(tl, s, "operands", ops);
        if (ph == 1)
            for (int k = 0; k < MXU_CAUSE__COUNT; k++)
                if (t->by_cause[k])
                    tl_arg_u64(tl, s, mxu_cause_name((mxu_cause)k), t->by_cause[k]);
    }
}

int cmd_mxu(int argc, char **argv)
{
    mxu_args o;
    tp_config *cfg = NULL;
    tp_err err = {0};
    mxu_params p;
    mxu_result r;
    npy_mat am = {0}, bm = {0};
    void *a = NULL, *b = NULL, *c = NULL, *ref = NULL;
    tp_dtype dt = TP_INT8;
    tp_stats stats;
    cli_html html = {0};
    timeline tl;             /* --html: the folds' timeline (fold_slices) */
    uint32_t tr[3] = {0, 0, 0};
    tl_init(&tl, CLI_HTML_TRACE_CAP);
    int rc;

    stats_init(&stats);

    if ((rc = parse_args(argc, argv, &o)) != 0)
        return rc < 0 ? 0 : rc;
    /* "-" is stdout for --json, --out and --vcd; then stdout carries only that output */
    if (cli_stdout_clash("--json", o.json_path, "--out", o.out_path) ||
        cli_stdout_clash("--json", o.json_path, "--vcd", o.vcd_path) ||
        cli_stdout_clash("--out", o.out_path, "--vcd", o.vcd_path))
        return 2;
    {
        const cli_output outs[] = {{"--json", o.json_path}, {"--out", o.out_path}, {"--vcd", o.vcd_path},
                                   {"--html", o.html_path}};
        if (cli_check_outputs(outs, 4))
            return 2;
    }
    bool stdout_taken = (o.json_path && !strcmp(o.json_path, "-")) || (o.out_path && !strcmp(o.out_path, "-")) ||
                        (o.vcd_path && !strcmp(o.vcd_path, "-"));
    if ((uint64_t)o.m * o.k > MXU_CLI_MAX_ELEMS || (uint64_t)o.k * o.n > MXU_CLI_MAX_ELEMS ||
        (uint64_t)o.m * o.n > MXU_CLI_MAX_ELEMS)
        return cli_usage_error("mxu: %ux%ux%u is too large (at most %llu elements per matrix)", o.m, o.n,
                               o.k, (unsigned long long)MXU_CLI_MAX_ELEMS);
    if (!(cfg = malloc(sizeof *cfg)))
        return cli_usage_error("out of memory for the machine description (%zu bytes)", sizeof *cfg);
    if ((rc = cli_load_machine(&o.mo, cfg)) != 0)
        goto end;
    if ((rc = cli_resolve_dtype(cfg, o.dtype, &dt)) != 0)
        goto end;
    mxu_params_from_cfg(&p, &cfg->tpu, dt);
    if (mxu_params_check(&p, &err) != TP_OK) {
        rc = cli_fail(&err);
        goto end;
    }
    if (!strcmp(o.engine, "pe") && p.timing != TP_TIMING_PIPELINED) {
        rc = cli_usage_error("--engine pe: the per-PE engine models tpu.array.timing=pipelined only, "
                             "not %s (use --engine fast)", cfg_timing_name(p.timing));
        goto end;
    }

    /* inputs */
    if (o.a_path) {
        if ((rc = read_input(o.a_path, "M x K", dt, o.m, o.k, &am)) != 0 ||
            (rc = read_input(o.b_path, "K x N", dt, o.k, o.n, &bm)) != 0)
            goto end;
        a = am.data;
        b = bm.data;
    } else {
        rng_state rs;
        rng_init(&rs, o.seed);
        a = random_input(&rs, dt, (uint64_t)o.m * o.k);
        b = random_input(&rs, dt, (uint64_t)o.k * o.n);
        if (!a || !b) {
            rc = cli_usage_error("mxu: out of memory for the inputs");
            goto end;
        }
    }
    c = malloc((size_t)o.m * o.n * 4);
    ref = o.no_check ? NULL : malloc((size_t)o.m * o.n * 4);
    if (!c || (!ref && !o.no_check)) {
        rc = cli_usage_error("mxu: out of memory for the accumulators");
        goto end;
    }

    /* timing: the closed form always (it sizes the VCD check); the per-PE engine if asked */
    memset(&r, 0, sizeof r);
    r.folds = mxu_gemm_fold_count(&p, o.m, o.n, o.k);
    r.macs = (uint64_t)o.m * o.n * o.k;
    if (o.html_path) {
        tl.clock_hz = cfg->tpu.clock_hz;
        tr[0] = tl_track(&tl, "mxu", "weight shift", "mxu");
        tr[1] = tl_track(&tl, "mxu", "stream", "mxu");
        tr[2] = tl_track(&tl, "mxu", "drain", "mxu");
    }
    {
        mxu_state st;
        mxu_timing t;
        mxu_state_init(&st);
        for (uint64_t i = 0; i < r.folds; i++) {
            mxu_op op;
            mxu_gemm_fold_op(&p, o.m, o.n, o.k, i, &op);
            mxu_time_op(&p, &st, &op, 0, &t);
            if (o.html_path)
                fold_slices(&tl, tr, i, &op, &t);
            for (int k = 0; k < MXU_CAUSE__COUNT; k++)
                r.causes[k] += t.by_cause[k];
        }
        r.cycles = st.busy_until;
        mxu_close(&st, r.cycles, r.causes);
    }
    if (o.vcd_path && (double)r.cycles * p.rows * p.cols > (double)MXU_VCD_MAX_PE_CYCLES) {
        rc = cli_usage_error("--vcd: a %ux%u array x %llu cycles is too large for a VCD file (limit %llu "
                             "PE-cycles); use a smaller array or GEMM",
                             p.rows, p.cols, (unsigned long long)r.cycles,
                             (unsigned long long)MXU_VCD_MAX_PE_CYCLES);
        goto end;
    }
    if (!strcmp(o.engine, "pe")) {
        uint64_t fast_cycles = r.cycles;
        if (o.html_path && html_rec_new(&p, o.m, o.n, o.k, a, b, &html.rec, &err) != TP_OK) {
            rc = cli_fail(&err);
            goto end;
        }
        if ((rc = run_pe(&p, cfg->tpu.clock_hz, &o, a, b, c, &r, html.rec)) != 0)
            goto end;
        if (r.cycles != fast_cycles) {
            fprintf(stderr, "tpusim: internal error: the per-PE engine took %llu cycles, the closed form "
                            "says %llu\n", (unsigned long long)r.cycles, (unsigned long long)fast_cycles);
            rc = 3;
            goto end;
        }
    } else {
        num_gemm_args g = {a, o.k, 1, b, o.n, 1, c, o.n, o.m, o.n, o.k, mxu_gemm_kc(&p, o.k), false};
        num_gemm(dt, &g, 0);
    }
    r.utilization = r.cycles ? (double)r.macs / ((double)r.cycles * p.rows * p.cols) : 0.0;

    /* check against the independent reference */
    if (o.no_check) {
        r.check_ok = -1;
    } else {
        num_gemm_args g = {a, o.k, 1, b, o.n, 1, ref, o.n, o.m, o.n, o.k, mxu_gemm_kc(&p, o.k), false};
        num_gemm_ref(dt, &g);
        r.check_ok = !first_mismatch(dt, c, ref, o.m, o.n, r.mismatch, sizeof r.mismatch);
    }

    if (o.out_path && npy_write_flag("--out", o.out_path, dt == TP_INT8 ? "<i4" : "<f4", o.m, o.n, c, &err) != TP_OK) {
        rc = cli_fail(&err);
        goto end;
    }
    if (mxu_stats(cfg, &p, &o, &r, &stats, &err) != TP_OK) {
        rc = cli_fail(&err);
        goto end;
    }
    if (!stdout_taken)
        print_text(stdout, cfg, &p, &o, &r, &stats);
    html.path = o.html_path;
    html.argc = argc;
    html.argv = argv;
    if (!html.rec)
        html.array_note = "the registers are recorded by the per-PE engine: run with --engine pe";
    if ((o.json_path || o.html_path) && (rc = write_json(o.json_path, &html, &o.mo, cfg, &p, &o, &r, &stats)) != 0)
        goto end;
    timeline *tls[1] = {&tl};
    cli_trace_src src = {tls, 1, "mxu"};
    html.write_trace = cli_trace_embed;
    html.trace_ctx = &src;
    if (o.html_path && (rc = cli_html_write(&html)) != 0)
        goto end;
    if (!r.check_ok) {
        fprintf(stderr, "tpusim: mxu: result differs from the reference: %s\n", r.mismatch);
        rc = 1;
    }
end:
    if (o.a_path) {
        npy_free(&am);
        npy_free(&bm);
    } else {
        free(a);
        free(b);
    }
    free(c);
    free(ref);
    free(cfg);
    stats_free(&stats);
    cli_html_free(&html);
    tl_free(&tl);
    return rc;
}
