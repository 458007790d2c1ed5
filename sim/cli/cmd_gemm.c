/* tpusim gemm M N K: the main job. Tiles one GEMM for the machine (tiler/tiler.h), runs the
 * program on the full machine, checks the result against the independent reference
 * (tiler/run.h) and prints the report (text, and JSON under a "tpu" key).
 * With no arguments at all (plain `tpusim`), runs 512x512x512 on the embedded default machine. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"
#include "base/progress.h"
#include "base/npy.h"
#include "cli/cli.h"
#include "report/html.h"
#include "report/report.h"
#include "num/pool.h"
#include "tiler/run.h"
#include "tiler/tiler.h"
#include "work/err.h"

static const char usage_text[] =
    "usage: tpusim gemm M N K [-c CONFIG] [--set PATH=VALUE]... [--dtype int8|bf16|fp16]\n"
    "                  [--dataflow ws|os|is] [--engine fast|pe] [--fast-forward on|off]\n"
    "                  [--tile auto|TMxTNxTK] [--order mnk|nmk|...] [--double-buffer on|off|auto]\n"
    "                  [--epilogue none|relu|requant] [--requant-scale F] [--split-k N]\n"
    "                  [--show-search [all|exhaustive]] [--emit FILE.tpu|-]\n"
    "                  [--a A.npy --b B.npy] [--out C.npy|-] [--transpose-a] [--transpose-b] [--batch B]\n"
    "                  [--no-data] [--no-check] [--error] [--json FILE|-] [--html FILE] [--seed S] [--threads N]\n"
    "                  [--trace FILE|-] [--trace-cap N] [--quiet] [-g GPU_CONFIG|analogous [--gpu-dtype D]]\n"
    "Runs C[M,N] = A[M,K] . B[K,N] tiled on the whole machine, checks it against the reference\n"
    "and prints cycles, utilization, stalls, bytes per memory level and the roofline bound.\n"
    CLI_HELP_FAST_FORWARD
    "A progress bar (instructions retired, rate, ETA) is drawn on stderr when it is a terminal,\n"
    "and a run estimated at 1 GiB or 10 s or more says so in one line before it starts (what\n"
    "--no-data would take too; docs/tiler.md); --quiet leaves both out.\n"
    "--out writes C: with epilogue none the raw accumulators (<i4 for int8, <f4 for bf16).\n"
    "'-' is stdout for --json, --emit, --out and --trace; stdout then carries that output alone.\n"
    "--trace writes a Chrome/Perfetto trace of every unit (docs/trace.md; at most --trace-cap\n"
    "events, default 1000000, 0 = all).\n"
    "--html FILE writes a self-contained page of the run: figures, categories, roofline (docs/html.md).\n"
    "--error also prints C's error against a float64 reference of the real inputs (the float32\n"
    "values of --a/--b files, else the inputs as run); float32 files with --dtype int8 are\n"
    "quantized (symmetric, one scale per tensor) and C x scale_a x scale_b is compared.\n"
    "--show-search lists the best candidates of the tiling search (all of them with 'all');\n"
    "'exhaustive' also simulates every candidate on the whole problem and compares (slow).\n"
    "--threads N: the value kernels' threads and the search's simulations at once (default: the\n"
    "online CPUs); the results are the same whatever N is.\n"
    "On a GPU config (configs/gpu-*.yaml) the run is one CUTLASS-style kernel, timing only (values\n"
    "are not computed: --a, --b, --out and the TPU's tiling flags are refused); --dtype fp16 runs\n"
    "on GPUs only, and --gpu-kernel SPEC gives the kernel instead of the heuristic search:\n"
    "  SPEC = BMxBNxBK/WMxWN/sSTAGES[/kSPLIT][/wSWIZZLE][/naive], e.g. 128x256x32/64x64/s3/k1/w4\n"
    "  (CTA tile, warp tile, cp.async stages, split-K, rasterization swizzle, unswizzled smem).\n"
    "-g GPU_CONFIG (or -g analogous) [--gpu-dtype D] runs the GEMM on a TPU and on a GPU as\n"
    "'tpusim compare' does and prints its table (docs/compare.md); the TPU is configs/tpu-v4.yaml\n"
    "without -c.\n";

/* What the plan does that was not asked for (tiler_notes), printed and written with the plan. */
typedef struct {
    tiler_note n[TILER_NOTE__COUNT];
    size_t count;
} plan_notes;

static bool has_note(const plan_notes *pn, tiler_note_kind k)
{
    for (size_t i = 0; i < pn->count; i++)
        if (pn->n[i].kind == k)
            return true;
    return false;
}

static void print_text(const gemm_problem *pb, const tiler_plan *pl, const tiler_result *r,
                       const tp_config *cfg, bool timing_only, bool check, const plan_notes *pn, FILE *f)
{
    fprintf(f, "gemm %ux%ux%u %s on %s (%s, %s)\n", pb->m, pb->n, pb->k, dtype_name(pb->dtype), cfg->tpu.name,
            cfg_dataflow_name(cfg->tpu.array.dataflow), stats_attr_get(&r->stats, "engine"));
    if (pb->batch > 1)
        fprintf(f, "  batch            %u\n", pb->batch);
    if (pb->transpose_a || pb->transpose_b)
        fprintf(f, "  stored           %s%s%s\n", pb->transpose_a ? "A transposed (K x M)" : "",
                pb->transpose_a && pb->transpose_b ? ", " : "", pb->transpose_b ? "B transposed (N x K)" : "");
    fprintf(f, "  tiling           %ux%ux%u order %s, double buffering %s, epilogue %s%s\n", pl->tm, pl->tn,
            pl->tk, pl->order,
            pl->double_buffer ? "on" : has_note(pn, TILER_NOTE_DOUBLE_BUFFER_OFF) ? "off (on does not fit)" : "off",
            gemm_epilogue_name(pl->epilogue), pl->a_panel ? "; A row panel kept in the UB" : "");
    fprintf(f, "  spread           %u core(s), %u MXU(s); K chunk per op %u (reference kc = %u)\n",
            pl->cores_used, pl->mxus_used, pl->kop, pl->kc);
    if (pl->split_k > 1)
        fprintf(f, "  split-K          %u parts of K = %u on different MXUs, summed in part order (C = Pp + C)\n",
                pl->split_k, pl->k_part);
    for (size_t i = 0; i < pn->count; i++)
        fprintf(f, "  note             %s\n", pn->n[i].msg);
    if (timing_only)
        fprintf(f, "  result           not computed (--no-data: timing only)\n");
    else if (!check)
        fprintf(f, "  result           not checked (--no-check)\n");
    else
        fprintf(f, "  result           %s\n", r->match ? "matches the reference bit for bit" : "MISMATCH");
    if (r->ff_skipped)   /* docs/performance.md "The exact fast-forward" */
        fprintf(f, "  fast-forward     %llu of the %llu instructions jumped over: their loop's whole state repeated "
                "(the same figures as --fast-forward off)\n", (unsigned long long)r->ff_skipped,
                (unsigned long long)r->stats.instructions);
    fprintf(f, "\n");
    report_text(&r->stats, f);
}

/* The tiling search as the text table shows it, or as JSON (search.candidates[]): the best
 * SEARCH_SHOWN candidates and every simulated one, or all of them with --show-search all. */
#define SEARCH_SHOWN 10

typedef struct {
    bool shown;                 /* --show-search */
    bool all;                   /* --show-search all: every candidate */
    bool exhaustive;            /* --show-search exhaustive: every candidate simulated whole */
    bool fixed;                 /* no search: --tile, --order and --double-buffer all given */
    const tiler_candidate *cands;
    size_t n_cands;
    uint64_t rows;              /* rows of A and C in the simulated slice */
} search_view;

static bool same_plan(const tiler_plan *a, const tiler_plan *b)
{
    return !memcmp(a, b, sizeof *a);
}

/* Whether candidate i is listed: all of them, or the best SEARCH_SHOWN and every simulated one
 * (so the chosen one is always there); and how many are. */
static bool search_lists(const search_view *sv, size_t i)
{
    return sv->all || i < SEARCH_SHOWN || sv->cands[i].simulated;
}

static size_t search_listed(const search_view *sv)
{
    size_t n = 0;
    for (size_t i = 0; i < sv->n_cands; i++)
        n += search_lists(sv, i);
    return n;
}

static void search_counts(const search_view *sv, size_t *simulated, size_t *programs)
{
    *simulated = *programs = 0;
    for (size_t i = 0; i < sv->n_cands; i++) {
        *simulated += sv->cands[i].simulated;
        *programs += sv->cands[i].simulated && !sv->cands[i].same_program;
    }
}

static void print_search(const search_view *sv, const tiler_plan *plan, FILE *f)
{
    if (sv->fixed) {
        fprintf(f, "tiling search: none (--tile, --order and --double-buffer all given); estimate %llu cycles\n\n",
                (unsigned long long)plan->est_cycles);
        return;
    }
    size_t simulated, programs, listed = search_listed(sv);
    search_counts(sv, &simulated, &programs);
    if (sv->n_cands == 1)
        fprintf(f, "tiling search: 1 candidate fits, chosen without simulating\n");
    else {
        char distinct[48] = "";
        if (programs < simulated)
            snprintf(distinct, sizeof distinct, " (%zu distinct program%s)", programs, programs == 1 ? "" : "s");
        fprintf(f, "tiling search: %zu candidates fit, ranked by the analytic estimate; the best %zu simulated%s\n"
                   "(timing only) on a slice of %llu row%s of A and C, all of N and K; * = fewest simulated cycles, chosen\n",
                sv->n_cands, simulated, distinct, (unsigned long long)sv->rows, sv->rows == 1 ? "" : "s");
    }
    fprintf(f, "  %-18s %-5s %-4s %-5s %14s %14s\n", "tile", "order", "db", "split", "estimate", "simulated");
    for (size_t i = 0; i < sv->n_cands; i++) {
        const tiler_candidate *c = &sv->cands[i];
        char tile[48], simc[24];
        if (!search_lists(sv, i))
            continue;
        snprintf(tile, sizeof tile, "%ux%ux%u", c->plan.tm, c->plan.tn, c->plan.tk);
        if (c->simulated)
            snprintf(simc, sizeof simc, "%llu", (unsigned long long)c->cycles);
        else
            snprintf(simc, sizeof simc, "-");
        fprintf(f, "%s %-18s %-5s %-4s %-5u %14llu %14s\n", same_plan(&c->plan, plan) ? "*" : " ", tile, c->plan.order,
                c->plan.double_buffer ? "on" : "off", c->plan.split_k > 1 ? c->plan.split_k : 1,
                (unsigned long long)c->plan.est_cycles, simc);
    }
    if (listed < sv->n_cands)
        fprintf(f, "  ... %zu more, none simulated (--show-search all lists every candidate)\n", sv->n_cands - listed);
    fprintf(f, "\n");
}

/* --show-search exhaustive: every candidate simulated on the whole problem, the best 10 by
 * cycles, and the chosen plan's cycles against the best (the search's check, for one GEMM). */
static bool same_choice(const tiler_plan *a, const tiler_plan *b)
{
    return a->tm == b->tm && a->tn == b->tn && a->tk == b->tk && !strcmp(a->order, b->order) &&
           a->double_buffer == b->double_buffer && (a->split_k > 1 ? a->split_k : 1) == (b->split_k > 1 ? b->split_k : 1);
}

static int cmp_cycles(const void *x, const void *y)
{
    const tiler_candidate *a = x, *b = y;
    return a->cycles < b->cycles ? -1 : a->cycles > b->cycles;
}

static tp_status print_exhaustive(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *to,
                                  const tiler_plan *plan, FILE *f, tp_err *err)
{
    tiler_candidate *c = NULL;
    size_t n = 0, best = 0;
    tp_status st = tiler_search_exhaustive(cfg, pb, to, &c, &n, &best, err);
    if (st != TP_OK)
        return st;
    size_t programs = 0;
    uint64_t chosen = 0;
    for (size_t i = 0; i < n; i++) {
        programs += !c[i].same_program;
        if (same_choice(&c[i].plan, plan))
            chosen = c[i].cycles;
    }
    /* how well the estimate ranked: the exhaustive best's place in the estimate order */
    size_t best_rank = best + 1;
    (void)best_rank;
    qsort(c, n, sizeof *c, cmp_cycles);
    fprintf(f, "exhaustive search: %zu candidates, each simulated (timing only) on the whole problem "
               "(%zu distinct programs); the best 10 by cycles, * = the search's choice\n", n, programs);
    fprintf(f, "  %-18s %-5s %-4s %-5s %14s %14s\n", "tile", "order", "db", "split", "estimate", "simulated");
    for (size_t i = 0; i < n && i < 10; i++) {
        char tile[48];
        snprintf(tile, sizeof tile, "%ux%ux%u", c[i].plan.tm, c[i].plan.tn, c[i].plan.tk);
        fprintf(f, "%s %-18s %-5s %-4s %-5u %14llu %14llu\n", same_choice(&c[i].plan, plan) ? "*" : " ", tile,
                c[i].plan.order, c[i].plan.double_buffer ? "on" : "off", c[i].plan.split_k > 1 ? c[i].plan.split_k : 1,
                (unsigned long long)c[i].plan.est_cycles, (unsigned long long)c[i].cycles);
    }
    if (chosen)
        fprintf(f, "chosen %llu cycles, exhaustive best %llu: ratio %.4f (the best is %zu of %zu by estimate)\n\n",
                (unsigned long long)chosen, (unsigned long long)c[0].cycles, (double)chosen / (double)c[0].cycles,
                best_rank, n);
    else
        fprintf(f, "chosen plan is not in the search space (given flags); exhaustive best %llu cycles\n\n",
                (unsigned long long)c[0].cycles);
    free(c);
    return TP_OK;
}

static void json_search(json_w *w, const search_view *sv, const tiler_plan *plan)
{
    json_key(w, "search");
    json_begin_object(w);
    json_kv_bool(w, "searched", !sv->fixed);
    json_kv_u64(w, "slice_rows", sv->fixed ? 0 : sv->rows);
    size_t simulated = 0, programs = 0;
    if (!sv->fixed)
        search_counts(sv, &simulated, &programs);
    json_kv_u64(w, "candidates_total", sv->fixed ? 1 : sv->n_cands);
    json_kv_u64(w, "candidates_simulated", simulated);
    json_key(w, "candidates");
    json_begin_array(w);
    for (size_t i = 0; i < (sv->fixed ? 1 : sv->n_cands); i++) {
        if (!sv->fixed && !search_lists(sv, i))
            continue;
        const tiler_plan *p = sv->fixed ? plan : &sv->cands[i].plan;
        json_begin_object(w);
        cli_json_tile(w, p);
        json_kv_str(w, "order", p->order);
        json_kv_bool(w, "double_buffer", p->double_buffer);
        json_kv_u64(w, "split_k", p->split_k > 1 ? p->split_k : 1);
        json_kv_u64(w, "estimate_cycles", p->est_cycles);
        json_key(w, "simulated_cycles");
        if (!sv->fixed && sv->cands[i].simulated)
            json_u64(w, sv->cands[i].cycles);
        else
            json_null(w);
        json_kv_bool(w, "chosen", sv->fixed || same_plan(p, plan));
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
}

static int write_json(const char *path, cli_html *h, const cli_machine_opts *mo, const tp_config *cfg,
                      const gemm_problem *pb, const tiler_plan *pl, const plan_notes *pn, const tiler_result *r,
                      report_check check, const search_view *sv)
{
    cli_doc doc;
    FILE *f = cli_doc_open(&doc, path, h);
    if (!f)
        return 2;
    json_w w;
    cli_json_begin(&w, f, "gemm");
    json_key(&w, "tpu");
    json_begin_object(&w);
    report_json_members(&r->stats, &w);
    cli_json_config(&w, mo, cfg);
    json_key(&w, "gemm");
    json_begin_object(&w);
    cli_json_gemm_members(&w, pb, pl);
    json_key(&w, "notes");
    json_begin_array(&w);
    for (size_t i = 0; i < pn->count; i++) {
        json_begin_object(&w);
        json_kv_str(&w, "kind", tiler_note_name(pn->n[i].kind));
        json_kv_str(&w, "message", pn->n[i].msg);
        json_end_object(&w);
    }
    json_end_array(&w);
    json_end_object(&w);
    if (sv->shown)
        json_search(&w, sv, pl);
    json_kv_str(&w, "check", report_check_name(check));
    if (check == REPORT_CHECK_MISMATCH)
        json_kv_str(&w, "mismatch", r->mismatch);
    json_end_object(&w);
    json_end_object(&w);
    return cli_doc_close(&doc, json_finish(&w) != 0);
}

/* An input's real values for --error (float64, stored layout) and its quantization scale. */
typedef struct {
    double *real;    /* NULL: the values the GEMM ran on (taken from the result) */
    double scale;    /* int8 quantization scale of a float32 file; 0 if not quantized */
} input_real;

/* Reads an input .npy and checks its shape against the stored layout. A float32 file where int8
 * is wanted is quantized (work/err.h); with want_real a float32 file's values are kept. */
static int read_input(const char *flag, const char *path, tp_dtype dt, uint32_t rows, uint32_t cols,
                      npy_mat *m, bool want_real, input_real *ir)
{
    tp_err err = {0};
    npy_mat raw = {0};
    if (npy_read(path, &raw, &err) != TP_OK)
        return cli_fail(&err);
    if (raw.rows != rows || raw.cols != cols) {
        cli_usage_error("%s %s: shape is %u x %u but this gemm needs %u x %u", flag, path, raw.rows, raw.cols,
                        rows, cols);
        npy_free(&raw);
        return 2;
    }
    size_t n = (size_t)rows * cols;
    if (raw.dtype == NPY_F32 && want_real && !(ir->real = malloc((n ? n : 1) * sizeof *ir->real))) {
        npy_free(&raw);
        tp_err_set(&err, TP_ERR_NOMEM, "%s %s: out of memory", flag, path);
        return cli_fail(&err);
    }
    if (ir->real)
        err_to_f64(NPY_F32, raw.data, n, ir->real);
    if (raw.dtype == NPY_F32 && dt == TP_INT8) {
        char what[600];
        snprintf(what, sizeof what, "%s %s", flag, path);
        memset(m, 0, sizeof *m);
        memcpy(m->descr, "|i1", 4);
        m->dtype = NPY_INT8;
        m->rows = rows;
        m->cols = cols;
        if (!(m->data = malloc(n ? n : 1))) {
            npy_free(&raw);
            tp_err_set(&err, TP_ERR_NOMEM, "%s: out of memory", what);
            return cli_fail(&err);
        }
        tp_status st = err_quantize_i8(what, raw.data, n, m->data, &ir->scale, &err);
        npy_free(&raw);
        if (st != TP_OK) {
            npy_free(m);
            return cli_fail(&err);
        }
        return 0;
    }
    npy_free(&raw);
    if (npy_read_as(path, npy_dtype_of_input(dt), m, &err) != TP_OK)
        return cli_fail(&err);
    return 0;
}

/* --error: the figures of res.c against the float64 reference (work/err.h), one line. */
static int print_error(const gemm_problem *pb, const tiler_plan *plan, const tiler_result *res,
                       const input_real ir[2])
{
    size_t na = (size_t)pb->batch * pb->m * pb->k, nb = (size_t)pb->batch * pb->k * pb->n;
    double *a = ir[0].real, *b = ir[1].real, *own_a = NULL, *own_b = NULL;
    npy_dtype in = npy_dtype_of_input(pb->dtype);
    tp_err err = {0};
    if ((!a && !(a = own_a = malloc((na ? na : 1) * sizeof *a))) ||
        (!b && !(b = own_b = malloc((nb ? nb : 1) * sizeof *b)))) {
        free(own_a);
        tp_err_set(&err, TP_ERR_NOMEM, "--error: out of memory for the float64 inputs");
        return cli_fail(&err);
    }
    if (own_a)
        err_to_f64(in, res->a, na, own_a);
    if (own_b)
        err_to_f64(in, res->b, nb, own_b);
    bool quant = ir[0].scale > 0 || ir[1].scale > 0;
    double c_scale = (ir[0].scale > 0 ? ir[0].scale : 1) * (ir[1].scale > 0 ? ir[1].scale : 1);
    gemm_error ge;
    tp_status st = err_gemm(pb, a, b, plan->out_dtype, res->c, c_scale, &ge, &err);
    free(own_a);
    free(own_b);
    if (st != TP_OK)
        return cli_fail(&err);
    const char *ref = ir[0].real && ir[1].real ? "the float32 inputs"
                      : ir[0].real ? "A as float32, B as run" : ir[1].real ? "A as run, B as float32"
                      : pb->dtype == TP_BF16 ? "the bf16 inputs" : "the int8 inputs";
    if (quant)
        printf("quantized    --a, --b float32 -> int8 with scales %.6g and %.6g; C x %.6g is compared\n",
               ir[0].scale > 0 ? ir[0].scale : 1, ir[1].scale > 0 ? ir[1].scale : 1, c_scale);
    printf("error        max abs %.4g, relative %.4g (max abs / max |ref| %.4g), rms %.4g over %llu elements",
           ge.max_abs, ge.rel, ge.max_ref, ge.rms, (unsigned long long)ge.count);
    if (ge.nonfinite)
        printf(", %llu NaN/Inf left out", (unsigned long long)ge.nonfinite);
    printf("; reference: float64 sums of %s\n", ref);
    return 0;
}

/* A big run's note (cli_big_run_note), once its program is made. */
typedef struct {
    const tp_config *cfg;
    const gemm_problem *pb;
    const tiler_plan *plan;
    bool timing_only, check;
} big_note;

static void big_note_print(void *ctx, uint64_t n_ins)
{
    const big_note *b = ctx;
    const gemm_problem *pb = b->pb;
    uint64_t bytes, tbytes;
    double secs, tsecs;
    tiler_run_cost(b->cfg, pb, b->plan, n_ins, b->timing_only, b->check, &bytes, &secs);
    tiler_run_cost(b->cfg, pb, b->plan, n_ins, true, false, &tbytes, &tsecs);
    char what[96], batch[32] = "", detail[160];
    if (pb->batch > 1)
        snprintf(batch, sizeof batch, " batch %u", pb->batch);
    snprintf(what, sizeof what, "gemm %ux%ux%u%s %s", pb->m, pb->n, pb->k, batch, dtype_name(pb->dtype));
    if (b->timing_only)
        snprintf(detail, sizeof detail, "%llu instructions; less where the fast-forward jumps",
                 (unsigned long long)n_ins);
    else
        snprintf(detail, sizeof detail, "%.3g MACs computed%s, %llu instructions",
                 (double)pb->batch * pb->m * pb->n * pb->k, b->check ? " and checked" : "", (unsigned long long)n_ins);
    cli_big_run_note(what, bytes, secs, detail, b->timing_only, "--no-data", tbytes, tsecs);
}

int cmd_gemm(int argc, char **argv)
{
    /* -g GPU_CONFIG: the GEMM on both machines, as compare runs it (docs/compare.md) */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-g") || !strcmp(argv[i], "--gpu"))
            return cli_compare_gemm(argc, argv, "gemm");
    cli_machine_opts mo = {0};
    gemm_problem pb = {0};
    tiler_opts to;
    memset(&to, 0, sizeof to);
    to.double_buffer = -1;
    tiler_run_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.seed = 1;
    ro.check = true;
    const char *a_path = NULL, *b_path = NULL, *out_path = NULL, *json_path = NULL, *emit_path = NULL;
    const char *gpu_kernel = NULL, *tpu_only = NULL, *tpu_why = NULL;   /* --gpu-kernel; the first TPU-only flag */
    static const struct {
        const char *flag, *why;
    } tpu_flags[] = {
        {"--a", "the GPU model is timing only: no values are computed, so no inputs are read"},
        {"--error", "the GPU model is timing only: no values are computed, so there is no error"},
        {"--b", "the GPU model is timing only: no values are computed, so no inputs are read"},
        {"--out", "the GPU model is timing only: no values are computed, so there is no C to write"},
        {"--seed", "the GPU model is timing only: no values are computed"},
        {"--emit", "a GPU run has no TPU program"},
        {"--engine", "a TPU simulation flag"},
        {"--threads", "a TPU simulation flag"},
        {"--dataflow", "a TPU simulation flag"},
        {"--epilogue", "a TPU tiler flag; the GPU kernel writes C as is"},
        {"--requant-scale", "a TPU tiler flag; the GPU kernel writes C as is"},
        {"--tile", "a TPU tiler flag; give a GPU kernel with --gpu-kernel SPEC"},
        {"--order", "a TPU tiler flag; give a GPU kernel with --gpu-kernel SPEC"},
        {"--double-buffer", "a TPU tiler flag; give a GPU kernel with --gpu-kernel SPEC"},
        {"--split-k", "a TPU tiler flag; give a GPU kernel with --gpu-kernel SPEC (split-K as /kN)"},
        {"--show-search", "a TPU tiler flag; the GPU kernel's search is not listed"},
    };
    uint32_t dims[3] = {512, 512, 512}, ndims = 0;
    bool show_all = false, show_exhaustive = false, want_error = false;
    input_real ir[2] = {{NULL, 0}, {NULL, 0}};
    cli_run_opts rop;
    cli_run_opts_init(&rop, CLI_RUN_DTYPE | CLI_RUN_ENGINE | CLI_RUN_JSON | CLI_RUN_SEED |
                                CLI_RUN_NO_DATA | CLI_RUN_NO_CHECK | CLI_RUN_FP16 | CLI_RUN_QUIET |
                                CLI_RUN_TRACE);
    mo.gpu_ok = true;
    pb.batch = 1;
    static const char *const single[] = {"--gpu-kernel", "--tile", "--order", "--double-buffer", "--epilogue",
                                         "--requant-scale", "--split-k", "--emit", "--a", "--b", "--out", "--batch",
                                         "--threads", NULL};
    cli_seen seen = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        for (size_t t = 0; !tpu_only && t < sizeof tpu_flags / sizeof tpu_flags[0]; t++)
            if (!strcmp(a, tpu_flags[t].flag))
                tpu_only = a, tpu_why = tpu_flags[t].why;
        int r = cli_machine_opt(&mo, argc, argv, &i);
        if (r == 0)
            r = cli_run_opt(&rop, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 0;
        } else if (!strcmp(a, "--gpu-kernel")) {
            if (!(gpu_kernel = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--tile")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if (strcmp(v, "auto") && tiler_parse_tile(v, &to.tm, &to.tn, &to.tk))
                return cli_usage_error("--tile %s: expected auto or TMxTNxTK, e.g. 512x256x256", v);
        } else if (!strcmp(a, "--order")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if (strcmp(v, "auto") && tiler_parse_order(v, to.order))
                return cli_usage_error("--order %s: expected a permutation of m, n, k such as mnk", v);
        } else if (!strcmp(a, "--double-buffer")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if (!strcmp(v, "on"))
                to.double_buffer = 1;
            else if (!strcmp(v, "off"))
                to.double_buffer = 0;
            else if (!strcmp(v, "auto"))
                to.double_buffer = -1;
            else
                return cli_usage_error("--double-buffer %s: expected on, off or auto", v);
        } else if (!strcmp(a, "--epilogue")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if (gemm_epilogue_parse(v, &to.epilogue))
                return cli_usage_error("--epilogue %s: expected none, relu or requant", v);
        } else if (!strcmp(a, "--requant-scale")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            char *end;
            double s = strtod(v, &end);
            /* as a float it must stay positive: 0 would silently mean the default 1/256 */
            if (*end || !(s > 0) || !isfinite(s) || s > 1e30 || !((float)s > 0))
                return cli_usage_error("--requant-scale %s: expected a positive number", v);
            to.requant_scale = (float)s;
        } else if (!strcmp(a, "--split-k")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if (cli_parse_u32("--split-k", v, 1, TILER_MAX_SPLIT_K, &to.split_k))
                return 2;
        } else if (!strcmp(a, "--show-search")) {
            /* an optional word: M, N and K are numbers, so "all" cannot be one of them */
            to.show_search = true;
            if (i + 1 < argc && !strcmp(argv[i + 1], "all")) {
                show_all = true;
                i++;
            } else if (i + 1 < argc && !strcmp(argv[i + 1], "exhaustive")) {
                show_exhaustive = true;
                i++;
            }
        } else if (!strcmp(a, "--emit")) {
            if (!(emit_path = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--a")) {
            if (!(a_path = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--b")) {
            if (!(b_path = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--out")) {
            if (!(out_path = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--error")) {
            want_error = true;
        } else if (!strcmp(a, "--transpose-a")) {
            pb.transpose_a = true;
        } else if (!strcmp(a, "--transpose-b")) {
            pb.transpose_b = true;
        } else if (!strcmp(a, "--batch")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u32("--batch", v, 1, 1u << 20, &pb.batch))
                return 2;
        } else if (!strcmp(a, "--threads")) {
            uint32_t th;
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u32("--threads", v, 1, 1024, &th))
                return 2;
            ro.threads = (int)th;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("gemm: unknown flag '%s' (try 'tpusim gemm --help')", a);
        } else {
            static const char *const names[3] = {"M", "N", "K"};
            if (ndims == 3)
                return cli_usage_error("gemm: unexpected argument '%s' (M N K already given)", a);
            if (cli_parse_u32(names[ndims], a, 1, GEMM_MAX_DIM, &dims[ndims]))
                return 2;
            ndims++;
        }
    }
    const char *dtype_s = rop.dtype;
    bool no_data = rop.no_data, no_check = rop.no_check;
    json_path = rop.json_path;
    ro.engine = rop.engine;
    ro.no_fast_forward = rop.ff_off;
    ro.seed = rop.seed;
    if (argc > 0 && ndims != 3)
        return cli_usage_error("gemm: expected M N K (three whole numbers), got %u of them", ndims);
    if (no_data && (a_path || b_path || out_path))
        return cli_usage_error("--no-data: cannot be combined with %s (no values are computed)",
                               a_path ? "--a" : b_path ? "--b" : "--out");
    if (want_error && no_data)
        return cli_usage_error("--error: cannot be combined with --no-data (no values are computed)");
    if ((a_path != NULL) != (b_path != NULL))
        return cli_usage_error("%s: give both --a and --b (or neither, for random inputs)", a_path ? "--a" : "--b");
    /* "-" is stdout for every output; then stdout carries only that output */
    if (cli_stdout_clash("--json", json_path, "--emit", emit_path) || cli_stdout_clash("--json", json_path, "--out", out_path) ||
        cli_stdout_clash("--emit", emit_path, "--out", out_path))
        return 2;
    const char *trace_path = rop.trace_path;
    {
        const cli_output outs[] = {{"--json", json_path}, {"--emit", emit_path}, {"--out", out_path},
                                   {"--trace", trace_path}, {"--html", rop.html_path}};
        if (cli_check_outputs(outs, 5))
            return 2;
    }
    bool json_stdout = json_path && !strcmp(json_path, "-"), emit_stdout = emit_path && !strcmp(emit_path, "-"),
         out_stdout = out_path && !strcmp(out_path, "-");
    json_stdout = json_stdout || (trace_path && !strcmp(trace_path, "-"));   /* stdout is taken */
    tp_config cfg;
    int rc = cli_load_machine(&mo, &cfg);
    if (rc)
        return rc;
    if (!cfg.tpu.present) {   /* a GPU config (cli_load_machine let nothing else through) */
        if (tpu_only)
            return cli_usage_error("%s: not for GPU '%s' (%s)", tpu_only, cfg.gpu.name, tpu_why);
        cli_html gh = {.path = rop.html_path, .argc = argc, .argv = argv, .array_note = CLI_HTML_NO_ARRAY};
        cli_gpu_gemm_args ga = {dims[0], dims[1], dims[2], pb.batch, pb.transpose_a, pb.transpose_b, dtype_s, gpu_kernel,
                                json_path, trace_path, rop.trace_cap, &gh};
        return cli_gemm_gpu(&mo, &cfg, &ga);
    }
    if (gpu_kernel)
        return cli_usage_error("--gpu-kernel: machine '%s' is a TPU (the flag gives a GPU config's kernel)", cfg.tpu.name);
    tp_err err = {0};
    if ((rc = cli_resolve_dtype(&cfg, dtype_s, &pb.dtype)) != 0)
        return rc;
    /* a scale that nothing uses would be silently ignored */
    if (to.requant_scale != 0.0f && (to.epilogue != GEMM_EPI_REQUANT || pb.dtype != TP_INT8))
        return cli_usage_error("--requant-scale: applies only to int8 with --epilogue requant (here: %s, epilogue %s)",
                               dtype_name(pb.dtype), gemm_epilogue_name(to.epilogue));
    pb.m = dims[0];
    pb.n = dims[1];
    pb.k = dims[2];
    if (!no_data && gemm_check_sizes(&pb, &err) != TP_OK)
        return cli_fail(&err);
    if (want_error && to.epilogue != GEMM_EPI_NONE)
        return cli_usage_error("--error: compares the raw accumulators, so it needs --epilogue none (got %s)",
                               gemm_epilogue_name(to.epilogue));

    /* inputs */
    npy_mat am = {0}, bm = {0};
    if (a_path) {
        if ((rc = read_input("--a", a_path, pb.dtype, pb.transpose_a ? pb.batch * pb.k : pb.batch * pb.m,
                             pb.transpose_a ? pb.m : pb.k, &am, want_error, &ir[0])))
            return rc;
        if ((rc = read_input("--b", b_path, pb.dtype, pb.transpose_b ? pb.batch * pb.n : pb.batch * pb.k,
                             pb.transpose_b ? pb.k : pb.n, &bm, want_error, &ir[1]))) {
            npy_free(&am);
            free(ir[0].real);
            return rc;
        }
        ro.a = am.data;
        ro.b = bm.data;
    }

    /* plan */
    tiler_plan plan;
    tiler_candidate *cands = NULL;
    size_t n_cands = 0;
    uint64_t search_rows = 0;
    tp_status st;
    bool search_fixed = false;
    if (to.tm && to.order[0] && to.double_buffer >= 0) {
        memset(&plan, 0, sizeof plan);
        plan.tm = to.tm;
        plan.tn = to.tn;
        plan.tk = to.tk;
        memcpy(plan.order, to.order, 4);
        plan.double_buffer = to.double_buffer != 0;
        plan.epilogue = to.epilogue;
        plan.requant_scale = to.requant_scale;
        plan.split_k = to.split_k;
        st = tiler_plan_derive(&cfg.tpu, &pb, &plan, &err);
        search_fixed = true;
    } else {
        if (to.tm) {
            /* a fixed tile must fit on its own: report its overflow, not a search failure */
            tiler_plan probe;
            memset(&probe, 0, sizeof probe);
            probe.tm = to.tm;
            probe.tn = to.tn;
            probe.tk = to.tk;
            memcpy(probe.order, to.order[0] ? to.order : "mnk", 4);
            probe.double_buffer = to.double_buffer == 1;
            probe.epilogue = to.epilogue;
            probe.split_k = to.split_k;
            st = tiler_plan_derive(&cfg.tpu, &pb, &probe, &err);
            if (st != TP_OK) {
                npy_free(&am);
                npy_free(&bm);
                free(ir[0].real);
                free(ir[1].real);
                return cli_fail(&err);
            }
        }
        to.threads = ro.threads ? ro.threads : num_pool_threads_default();   /* the search's estimates and finalists */
        st = tiler_search(&cfg, &pb, &to, &plan, to.show_search ? &cands : NULL, &n_cands, &search_rows, &err);
    }
    if (st != TP_OK) {
        npy_free(&am);
        npy_free(&bm);
        free(ir[0].real);
        free(ir[1].real);
        return cli_fail(&err);
    }
    search_view sv = {to.show_search, show_all, show_exhaustive, search_fixed, cands, n_cands, search_rows};
    plan_notes pn;
    pn.count = tiler_notes(&cfg.tpu, &pb, &to, &plan, pn.n);
    if (to.show_search && !json_stdout && !emit_stdout && !out_stdout)
        print_search(&sv, &plan, stdout);
    if (show_exhaustive && !json_stdout && !emit_stdout && !out_stdout) {
        st = print_exhaustive(&cfg, &pb, &to, &plan, stdout, &err);
        if (st != TP_OK) {
            free(cands);
            npy_free(&am);
            npy_free(&bm);
            free(ir[0].real);
            free(ir[1].real);
            return cli_fail(&err);
        }
    }
    if (emit_path) {
        isa_program p;
        st = tiler_generate(&cfg.tpu, &pb, &plan, &p, &err);
        afile ef;
        FILE *f = NULL;
        if (st == TP_OK && afile_open(&ef, "--emit", emit_path, false, &err) == TP_OK)
            f = ef.f;
        else if (st == TP_OK)
            st = err.code;
        if (f) {
            fprintf(f, "; tpusim gemm %u %u %u%s%s%s, %s, on %s (%s %ux%u, %u core(s) x %u MXU(s))\n"
                       "; tiling %ux%ux%u order %s, double buffering %s, epilogue %s%s; reference kc = %u\n"
                       "; run it: tpusim run -c CONFIG FILE --in A=a.npy --in B=b.npy --out C=c.npy\n",
                    pb.m, pb.n, pb.k, pb.batch > 1 ? " (batched)" : "", pb.transpose_a ? " --transpose-a" : "",
                    pb.transpose_b ? " --transpose-b" : "", dtype_name(pb.dtype), cfg.tpu.name,
                    cfg_dataflow_name(cfg.tpu.array.dataflow), cfg.tpu.array.rows, cfg.tpu.array.cols,
                    cfg.tpu.cores, cfg.tpu.mxus_per_core, plan.tm, plan.tn, plan.tk, plan.order,
                    plan.double_buffer ? "on" : "off", gemm_epilogue_name(plan.epilogue),
                    plan.split_k > 1 ? ", split-K" : "", plan.kc);
            for (size_t i = 0; i < pn.count; i++)
                fprintf(f, "; note: %s\n", pn.n[i].msg);
            isa_print(&p, f);
            st = afile_commit(&ef, false, &err);
        }
        isa_free(&p);
        if (st != TP_OK) {
            free(cands);
            npy_free(&am);
            npy_free(&bm);
            free(ir[0].real);
            free(ir[1].real);
            return cli_fail(&err);
        }
    }

    /* run */
    ro.timing_only = no_data;
    ro.check = !no_check;
    big_note bn = {&cfg, &pb, &plan, no_data, !no_check};
    if (!rop.quiet) {   /* a big run says what it will take (cli.h) */
        ro.before_run = big_note_print;
        ro.before_run_ctx = &bn;
    }
    cli_html html = {.path = rop.html_path, .argc = argc, .argv = argv, .array_note = NULL};
    if ((rc = cli_html_machine_rec(&html, &cfg, pb.dtype, ro.engine == MACHINE_PE, !no_data)) != 0) {
        free(cands);
        npy_free(&am);
        npy_free(&bm);
        return rc;
    }
    if (html.rec) {
        ro.observer = html_rec_observe;
        ro.observer_ctx = html.rec;
        ro.after_run = cli_html_after_run;
    }
    tiler_result res;
    progress bar;   /* instructions retired; on a terminal stderr only, not with --quiet */
    progress_init(&bar, 0, "gemm", "instructions", !rop.quiet);
    ro.progress = progress_cb;
    ro.progress_ctx = &bar;
    timeline tl;
    tl_init(&tl, cli_timeline_cap(trace_path, rop.trace_cap));
    ro.trace = trace_path || html.path ? &tl : NULL;   /* the page embeds the timeline too */
    st = tiler_run(&cfg, &pb, &plan, &ro, &res, &err);
    progress_finish(&bar);
    npy_free(&am);
    npy_free(&bm);
    if (st != TP_OK) {
        tl_free(&tl);
        free(cands);
        cli_html_free(&html);
        return cli_fail(&err);
    }
    if (!json_stdout && !emit_stdout && !out_stdout)
        print_text(&pb, &plan, &res, &cfg, no_data, !no_check, &pn, stdout);
    rc = 0;
    if (want_error && !json_stdout && !emit_stdout && !out_stdout)
        rc = print_error(&pb, &plan, &res, ir);
    free(ir[0].real);
    free(ir[1].real);
    report_check check = no_data ? REPORT_CHECK_TIMING_ONLY : no_check ? REPORT_CHECK_NOT_CHECKED
                         : res.match ? REPORT_CHECK_MATCH : REPORT_CHECK_MISMATCH;
    if (!rc && (json_path || html.path))
        rc = write_json(json_path, &html, &mo, &cfg, &pb, &plan, &pn, &res, check, &sv);
    if (!rc && trace_path)
        rc = cli_trace_write(trace_path, &tl, "gemm");
    timeline *tls[1] = {&tl};
    cli_trace_src src = {tls, 1, "gemm"};
    html.write_trace = cli_trace_embed;
    html.trace_ctx = &src;
    if (!rc && html.path)
        rc = cli_html_write(&html);
    tl_free(&tl);
    cli_html_free(&html);
    free(cands);
    if (!rc && out_path) {
        /* "-" is stdout; a file is written to a temporary and renamed into place */
        if (npy_write_flag("--out", out_path, npy_dtype_descr(plan.out_dtype), pb.batch * pb.m, pb.n,
                      res.c, &err) != TP_OK)
            rc = cli_fail(&err);
    }
    if (!rc && res.checked && !res.match) {
        fprintf(stderr, "tpusim: gemm %ux%ux%u: result mismatch: %s\n", pb.m, pb.n, pb.k, res.mismatch);
        rc = tp_exit_code(TP_ERR_MISMATCH);
    }
    tiler_result_free(&res);
    return rc;
}
