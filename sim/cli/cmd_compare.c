/* tpusim compare M N K -c TPU_CONFIG -g GPU_CONFIG: one GEMM on a TPU (the tiler's search and
 * run, as `gemm` does) and on a GPU (one CUTLASS-style kernel, as `gemm -c gpu-X.yaml` does),
 * printed as one table with a column per machine and a TPU / GPU ratio column; the JSON carries
 * both runs under "tpu" and "gpu" and the ratios under "compare" (docs/compare.md). Each column
 * names the model's validated error for that chip (report/validated.h). Both machines fill the
 * same stats record, so every row reads the record alone.
 * `gemm M N K -g GPU` is this command under gemm's name (cli_compare_gemm); `model -g` prints
 * its totals with the same table (cli_compare_table) after its per-layer one
 * (cli_compare_layers). `-g analogous`, or `gpu: analogous` in the TPU config when -g is absent,
 * derives the GPU from the TPU config (config/analogous.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/json.h"
#include "base/units.h"
#include "base/text.h"
#include "config/analogous.h"
#include "cli/cli.h"
#include "cli/cli_gpu.h"
#include "gpu/gpu.h"
#include "gpu/kernel.h"
#include "report/bound.h"
#include "report/report.h"
#include "report/validated.h"
#include "tiler/run.h"
#include "tiler/tiler.h"

#define COMPARE_DEFAULT_TPU "configs/tpu-v4.yaml"

static const char usage_text[] =
    "usage: tpusim compare M N K [-c TPU_CONFIG] -g GPU_CONFIG|analogous [--dtype int8|bf16|fp16] [--gpu-dtype D]\n"
    "                     [--transpose-a] [--transpose-b] [--json FILE|-] [--html FILE] [--set PATH=VALUE]...\n"
    "                     [--no-data] [--trace FILE|-] [--trace-cap N]\n"
    "Runs C[M,N] = A[M,K] . B[K,N] on a TPU (tiled by the tiler's search, as gemm does) and on a GPU\n"
    "(one kernel chosen by the heuristic search, timing only, as gemm -c gpu-X.yaml does) and prints\n"
    "one table: a column per machine and their ratio (TPU / GPU). Without -c the TPU is the whole\n"
    "chip of " COMPARE_DEFAULT_TPU " (chip against chip).\n"
    "-g analogous derives the GPU from the TPU config: the same peak MACs per cycle, clock, DRAM\n"
    "and on-chip SRAM (docs/gpu.md, 'The analogy'; tpusim config show -c TPU -g analogous prints\n"
    "it); a TPU config with 'gpu: analogous' makes it the GPU when -g is absent.\n"
    "--dtype sets both sides (default: the TPU's, int8 where it has it); --gpu-dtype sets the GPU's\n"
    "alone. A dtype the GPU lacks is refused, naming what it has; nothing is substituted.\n"
    "--set tpu.KEY=V applies to the TPU config, --set gpu.KEY=V to the GPU config.\n"
    "--no-data: the TPU side is timing only too (by default it computes C and checks it against the\n"
    "reference; the cycles are the same either way).\n";

/* One side of the comparison. */
typedef struct {
    cli_machine_opts mo;
    tp_config *cfg;
    gemm_problem pb;
    bool fp16;             /* GPU: the problem runs on the fp16 tensor cores */
    tp_stats s;
    const char *dtype;     /* the side's dtype as named in the table */
    report_bound b;
    /* TPU */
    tiler_plan plan;
    bool checked, match;
    char mismatch[200];
    /* GPU */
    gpu_run_info ri;
} side;

/* The default TPU config: from the working directory, else beside the binary (build/VARIANT/). */
const char *cli_default_tpu_path(char *buf, size_t cap)
{
    if (access(COMPARE_DEFAULT_TPU, R_OK) == 0)
        return COMPARE_DEFAULT_TPU;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(buf, cap, "%s/../../%s", exe, COMPARE_DEFAULT_TPU);
            if (access(buf, R_OK) == 0)
                return buf;
        }
    }
    return COMPARE_DEFAULT_TPU;   /* cfg_load names it in its error */
}

int cli_load_gpu_side(cli_machine_opts *gmo, const tp_config *tpu, tp_config *gcfg)
{
    tp_err err = {0};
    if (!strcmp(gmo->config_path, "analogous")) {
        if (gmo->n_sets) {
            char v[80];
            snprintf(v, sizeof v, "%s", gmo->sets[0]);
            return cli_usage_error("--set %s: not with -g analogous (the GPU is derived from the TPU config: "
                                   "set its tpu.* keys)", v);
        }
        if (cfg_analogous_gpu(tpu, gcfg, NULL, &err) != TP_OK)
            return cli_fail(&err);
        return 0;
    }
    if (access(gmo->config_path, F_OK) != 0)
        return cli_usage_error("-g %s: no such file (expected a GPU config such as configs/gpu-a100.yaml, or analogous)",
                               gmo->config_path);
    if (cfg_load(gmo->config_path, gmo->sets, gmo->n_sets, gcfg, &err) != TP_OK) {
        tp_err e2 = {0};
        tp_err_set(&e2, err.code, "-g: %s", err.msg);
        return cli_fail(&e2);
    }
    if (!gcfg->gpu.present)
        return cli_usage_error("-g %s: '%s' is not a GPU config (it has no gpu: section; or give -g analogous)",
                               gmo->config_path, gcfg->name);
    return 0;
}

/* Off-chip bytes read and written: every off-chip level summed (the record sums the bus bytes). */
static void offchip(const tp_stats *s, uint64_t *rd, uint64_t *wr)
{
    *rd = *wr = 0;
    for (uint32_t i = 0; i < s->n_levels; i++)
        if (s->levels[i].kind == STATS_LEVEL_OFF_CHIP) {
            *rd += s->levels[i].read_bytes;
            *wr += s->levels[i].write_bytes;
        }
}

static void offchip_names(const tp_stats *s, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < s->n_levels && n < cap; i++)
        if (s->levels[i].kind == STATS_LEVEL_OFF_CHIP)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "+" : "", s->levels[i].name);
    if (!n)
        snprintf(buf, cap, "none");
}

static const char *ops_unit(const char *dtype)
{
    return !strcmp(dtype, "int8") ? "TOPS" : "TFLOPS";
}

static void ratio(double a, double b, char *buf, size_t cap)
{
    if (b > 0 && isfinite(a / b))
        snprintf(buf, cap, "%.3g", a / b);
    else
        snprintf(buf, cap, "-");
}

/* One row of the table: label, TPU, GPU, ratio (without trailing blanks). */
static void row(FILE *f, const char *label, const char *a, const char *b, const char *r)
{
    char line[512];
    int n = snprintf(line, sizeof line, "  %-30s %-24s %-24s %s", label, a, b, r);
    if (n > (int)sizeof line - 1)
        n = (int)sizeof line - 1;
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = 0;
    fprintf(f, "%s\n", line);
}

static void row_num(FILE *f, const char *label, const char *a, const char *b, double x, double y)
{
    char r[32];
    ratio(x, y, r, sizeof r);
    row(f, label, a, b, r);
}

static void row_bytes(FILE *f, const char *label, uint64_t x, uint64_t y)
{
    char a[32], b[32];
    units_fmt_bytes(x, false, a, sizeof a);
    units_fmt_bytes(y, false, b, sizeof b);
    row_num(f, label, a, b, (double)x, (double)y);
}

void cli_compare_title(char *buf, size_t cap, const char *what, bool chip, const tp_config *t, const tp_config *g)
{
    snprintf(buf, cap, "%s: %s, %s (%u core(s) x %u MXU(s)) against %s (%u SMs)", what,
             chip ? "chip against chip" : "as configured", SHOWN(t->tpu.name), t->tpu.cores, t->tpu.mxus_per_core,
             SHOWN(g->gpu.name), g->gpu.sms);
}

void cli_compare_table(const char *title, const cli_cmp_side *t, const cli_cmp_side *g, const char *result, FILE *f)
{
    const tp_stats *ts = t->s, *gs = g->s;
    const tp_tpu_cfg *tc = &t->cfg->tpu;
    const tp_gpu_cfg *gc = &g->cfg->gpu;
    char a[96], b[96], r[32];
    fprintf(f, "%s\n", title);
    row(f, "", "TPU", "GPU", "TPU / GPU");
    row(f, "machine", SHOWN(ts->machine), SHOWN(gs->machine), "");
    snprintf(a, sizeof a, "TPU, %u cores x %u MXUs", tc->cores, tc->mxus_per_core);
    snprintf(b, sizeof b, "GPU, %u SMs", gc->sms);
    row(f, "kind", a, b, "");
    row(f, "dtype", t->dtype, g->dtype, "");
    row(f, "tiling / kernel", t->how, g->how, "");
    snprintf(a, sizeof a, "%llu", (unsigned long long)ts->cycles);
    snprintf(b, sizeof b, "%llu", (unsigned long long)gs->cycles);
    row_num(f, "cycles", a, b, (double)ts->cycles, (double)gs->cycles);
    snprintf(a, sizeof a, "%.4g MHz", (double)ts->clock_hz / 1e6);
    snprintf(b, sizeof b, "%.4g MHz%s", (double)gs->clock_hz / 1e6,
             gc->sustained_clock_hz != gc->clock_hz ? " sustained" : "");   /* below the boost clock */
    row_num(f, "clock", a, b, (double)ts->clock_hz, (double)gs->clock_hz);
    report_time(ts->seconds, a, sizeof a);
    report_time(gs->seconds, b, sizeof b);
    row_num(f, "time (GPU: launch included)", a, b, ts->seconds, gs->seconds);
    snprintf(a, sizeof a, "%.4g %s", ts->ops_per_s / 1e12, ops_unit(ts->dtype));
    snprintf(b, sizeof b, "%.4g %s", gs->ops_per_s / 1e12, ops_unit(gs->dtype));
    row_num(f, "achieved", a, b, ts->ops_per_s, gs->ops_per_s);
    snprintf(a, sizeof a, "%.4g %s", ts->peak_ops_per_s / 1e12, ops_unit(ts->dtype));
    snprintf(b, sizeof b, "%.4g %s", gs->peak_ops_per_s / 1e12, ops_unit(gs->dtype));
    row_num(f, "peak", a, b, ts->peak_ops_per_s, gs->peak_ops_per_s);
    snprintf(a, sizeof a, "%.2f%%", 100.0 * ts->utilization);
    snprintf(b, sizeof b, "%.2f%%", 100.0 * gs->utilization);
    row_num(f, "utilization", a, b, ts->utilization, gs->utilization);

    uint64_t tcat[STATS_CAT__COUNT], gcat[STATS_CAT__COUNT];
    uint64_t tt = report_compute_categories(ts, tcat, NULL, NULL);
    uint64_t gt = report_compute_categories(gs, gcat, NULL, NULL);
    snprintf(a, sizeof a, "%% of the %ss' cycles", ts->compute_unit);
    snprintf(b, sizeof b, "%% of the %ss' cycles", gs->compute_unit);
    row(f, "cycles by category", a, b, "");
    for (int c = 0; c < STATS_CAT__COUNT; c++) {
        char label[40];
        snprintf(label, sizeof label, "  %s", stats_category_name((stats_category)c));
        snprintf(a, sizeof a, "%.1f%%", tt ? 100.0 * (double)tcat[c] / (double)tt : 0.0);
        snprintf(b, sizeof b, "%.1f%%", gt ? 100.0 * (double)gcat[c] / (double)gt : 0.0);
        row(f, label, a, b, "");
    }

    uint64_t tr, tw, gr, gw;
    offchip(ts, &tr, &tw);
    offchip(gs, &gr, &gw);
    offchip_names(ts, a, sizeof a);
    offchip_names(gs, b, sizeof b);
    row(f, "off-chip memory (DRAM)", a, b, "");
    row_bytes(f, "  read", tr, gr);
    row_bytes(f, "  written", tw, gw);
    row_bytes(f, "  on the bus", ts->offchip_bus_bytes, gs->offchip_bus_bytes);
    row(f, "on-chip levels (read+written)", "", "", "");
    for (int pass = 0; pass < 2; pass++) {
        const tp_stats *s = pass ? gs : ts;
        for (uint32_t i = 0; i < s->n_levels; i++) {
            const stats_level *l = &s->levels[i];
            if (l->kind == STATS_LEVEL_OFF_CHIP)
                continue;
            char label[64], v[32];
            snprintf(label, sizeof label, "  %s (%s)", l->name, stats_level_kind_name(l->kind));
            units_fmt_bytes(l->read_bytes + l->write_bytes, false, v, sizeof v);
            row(f, label, pass ? "-" : v, pass ? v : "-", "");
        }
    }
    if (ts->has_energy && gs->has_energy) {
        units_fmt_energy(ts->energy_pj, a, sizeof a);
        units_fmt_energy(gs->energy_pj, b, sizeof b);
        row_num(f, "energy", a, b, ts->energy_pj, gs->energy_pj);
        /* ops per joule: (ops/s) / (J/s) */
        double tp = 2.0 * (double)ts->macs / (ts->energy_pj * 1e-12), gp = 2.0 * (double)gs->macs / (gs->energy_pj * 1e-12);
        snprintf(a, sizeof a, "%.4g %s/W", tp / 1e12, ops_unit(ts->dtype));
        snprintf(b, sizeof b, "%.4g %s/W", gp / 1e12, ops_unit(gs->dtype));
        row_num(f, "performance per watt", a, b, tp, gp);
    } else {
        const char *tn = ts->has_energy ? NULL : ts->machine, *gn = gs->has_energy ? NULL : gs->machine;
        fprintf(f, "  energy: not compared: %s%s%s %s no energy table\n", tn ? SHOWN(tn) : "", tn && gn ? " and " : "",
                gn ? SHOWN(gn) : "", tn && gn ? "have" : "has");
    }
    ratio(ts->seconds, gs->seconds, r, sizeof r);
    fprintf(f, "\n  time ratio (TPU / GPU seconds): %s: %s\n", r,
            ts->seconds < gs->seconds ? "the TPU is faster" : ts->seconds > gs->seconds ? "the GPU is faster" : "a tie");
    fprintf(f, "\nbound\n  TPU: %s\n  GPU: %s\n", t->b->sentence, g->b->sentence);
    fprintf(f, "\nvalidated (how far to trust each column)\n");
    for (int pass = 0; pass < 2; pass++) {
        const cli_cmp_side *sd = pass ? g : t;
        fprintf(f, "  %s %s: %s", pass ? "GPU" : "TPU", SHOWN(sd->s->machine), report_validated(sd->s->machine));
        if (sd->n_sets)
            fprintf(f, " (for the shipped config; this run overrides %d key(s))", sd->n_sets);
        fputc('\n', f);
    }
    fprintf(f, "\nresult: %s\n", result);
}

static void json_gemm(json_w *w, const gemm_problem *pb, const tiler_plan *pl)
{
    json_key(w, "gemm");
    json_begin_object(w);
    cli_json_gemm_members(w, pb, pl);
    json_end_object(w);
}

void cli_compare_json(json_w *w, const tp_stats *t, const tp_stats *g, const char *tdt, const char *gdt)
{
    json_key(w, "compare");
    json_begin_object(w);
    json_kv_double(w, "time_ratio", t->seconds / g->seconds);
    json_key(w, "utilization");
    json_begin_object(w);
    json_kv_double(w, "tpu", t->utilization);
    json_kv_double(w, "gpu", g->utilization);
    json_end_object(w);
    json_key(w, "dtype");
    json_begin_object(w);
    json_kv_str(w, "tpu", tdt);
    json_kv_str(w, "gpu", gdt);
    json_end_object(w);
    json_key(w, "validated");
    json_begin_object(w);
    json_kv_str(w, "tpu", report_validated(t->machine));
    json_kv_str(w, "gpu", report_validated(g->machine));
    json_end_object(w);
    json_end_object(w);
}

static int write_json(const char *path, cli_html *h, const char *cmd, const side *t, const side *g, bool no_data)
{
    cli_doc doc;
    FILE *f = cli_doc_open(&doc, path, h);
    if (!f)
        return 2;
    json_w w;
    cli_json_begin(&w, f, cmd);
    json_key(&w, "tpu");
    json_begin_object(&w);
    report_json_members(&t->s, &w);
    cli_json_config(&w, &t->mo, t->cfg);
    json_gemm(&w, &t->pb, &t->plan);
    report_check check = no_data ? REPORT_CHECK_TIMING_ONLY : t->match ? REPORT_CHECK_MATCH : REPORT_CHECK_MISMATCH;
    json_kv_str(&w, "check", report_check_name(check));
    if (check == REPORT_CHECK_MISMATCH)
        json_kv_str(&w, "mismatch", t->mismatch);
    json_end_object(&w);
    json_key(&w, "gpu");
    json_begin_object(&w);
    report_json_members(&g->s, &w);
    cli_json_config(&w, &g->mo, g->cfg);
    json_gemm(&w, &g->pb, NULL);
    cli_json_gpu_kernel_info(&w, &g->ri, false);
    json_kv_double(&w, "launch_overhead_seconds", (double)g->cfg->gpu.launch_overhead_ps / 1e12);
    json_kv_str(&w, "check", report_check_name(REPORT_CHECK_TIMING_ONLY));
    json_end_object(&w);
    cli_compare_json(&w, &t->s, &g->s, t->dtype, g->dtype);
    json_end_object(&w);
    return cli_doc_close(&doc, json_finish(&w) != 0);
}

/* The TPU side: the tiler's search, then the run (as gemm does without tiling flags). */
static int run_tpu(side *t, bool no_data, timeline *tl)
{
    tp_err err = {0};
    tiler_opts to;
    memset(&to, 0, sizeof to);
    to.double_buffer = -1;
    size_t n_cands = 0;
    uint64_t rows = 0;
    if (!no_data && gemm_check_sizes(&t->pb, &err) != TP_OK)
        return cli_fail(&err);
    if (tiler_search(t->cfg, &t->pb, &to, &t->plan, NULL, &n_cands, &rows, &err) != TP_OK)
        return cli_fail(&err);
    tiler_run_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.engine = MACHINE_FAST;
    ro.seed = 1;
    ro.timing_only = no_data;
    ro.check = !no_data;
    ro.trace = tl;
    tiler_result res;
    if (tiler_run(t->cfg, &t->pb, &t->plan, &ro, &res, &err) != TP_OK)
        return cli_fail(&err);
    tp_status st = stats_copy(&t->s, &res.stats, &err);
    t->checked = res.checked;
    t->match = res.match;
    snprintf(t->mismatch, sizeof t->mismatch, "%s", res.mismatch);
    tiler_result_free(&res);
    if (st != TP_OK)
        return cli_fail(&err);
    report_bound_of(&t->s, &t->b);
    return 0;
}

static int run_gpu(side *g, timeline *tl)
{
    tp_err err = {0};
    gpu_run_opts o;
    memset(&o, 0, sizeof o);
    o.fp16 = g->fp16;
    o.trace = tl;
    if (gpu_run_gemm_opts(g->cfg, &g->pb, &o, &g->s, &g->ri, &err) != TP_OK)
        return cli_fail(&err);
    report_bound_of(&g->s, &g->b);
    return 0;
}

/* gemm -g's flags that only the TPU's own run takes (compare's TPU side is the search's plan) */
static const char *const gemm_only[] = {"--tile", "--order", "--double-buffer", "--epilogue", "--requant-scale",
                                        "--split-k", "--show-search", "--emit", "--a", "--b", "--out", "--error",
                                        "--batch", "--threads", "--engine", "--seed", "--dataflow", "--no-check",
                                        "--gpu-kernel", NULL};

int cli_compare_gemm(int argc, char **argv, const char *cmd)
{
    bool gemm = strcmp(cmd, "compare") != 0;
    side t, g;
    memset(&t, 0, sizeof t);
    memset(&g, 0, sizeof g);
    stats_init(&t.s);
    stats_init(&g.s);
    cli_run_opts rop;
    cli_run_opts_init(&rop, CLI_RUN_DTYPE | CLI_RUN_FP16 | CLI_RUN_JSON | CLI_RUN_NO_DATA | CLI_RUN_TRACE |
                                (gemm ? CLI_RUN_QUIET : 0));
    timeline tl_t, tl_g;   /* --trace: the TPU's and the GPU's runs, each at its clock */
    tl_init(&tl_t, TL_DEFAULT_CAP);
    tl_init(&tl_g, TL_DEFAULT_CAP);
    const char *gpu_dtype = NULL;
    bool ta = false, tb = false;
    uint32_t dims[3] = {0, 0, 0}, ndims = 0;
    static const char *const single[] = {"-g|--gpu", "--gpu-dtype", NULL};
    cli_seen seen = {0};
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_once(&seen, single, argc, argv, i))
            goto out;
        for (int q = 0; gemm && gemm_only[q]; q++)
            if (!strcmp(a, gemm_only[q])) {
                cli_usage_error("%s: not taken with -g (gemm -g runs the GEMM as compare does: the tiler's search "
                                "on the TPU, the heuristic kernel on the GPU)", a);
                goto out;
            }
        int r = 0;
        if (!strcmp(a, "-c") || !strcmp(a, "--config") || !strncmp(a, "--config=", 9)) {
            r = cli_machine_opt(&t.mo, argc, argv, &i);
        } else if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
            /* the key's prefix says which config it overrides */
            const char *v = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[i + 1] : NULL;
            while (v && *v == ' ')
                v++;
            if (v && !strncmp(v, "gpu.", 4))
                r = cli_machine_opt(&g.mo, argc, argv, &i);
            else if (v && strncmp(v, "tpu.", 4) && strncmp(v, "gpu=", 4) && strchr(v, '=')) {
                cli_usage_error("--set %s: %s runs two configs; give a tpu.* or a gpu.* key", v, cmd);
                goto out;
            } else
                r = cli_machine_opt(&t.mo, argc, argv, &i);
        } else {
            r = cli_run_opt(&rop, argc, argv, &i);
        }
        if (r < 0)
            goto out;
        if (r > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(a, "-g") || !strcmp(a, "--gpu")) {
            if (!(g.mo.config_path = cli_value(argc, argv, &i)))
                goto out;
        } else if (!strcmp(a, "--gpu-dtype")) {
            if (!(gpu_dtype = cli_value(argc, argv, &i)))
                goto out;
            if (strcmp(gpu_dtype, "int8") && strcmp(gpu_dtype, "bf16") && strcmp(gpu_dtype, "fp16")) {
                cli_usage_error("--gpu-dtype: unknown dtype '%s' (expected int8, bf16 or fp16)", gpu_dtype);
                goto out;
            }
        } else if (!strcmp(a, "--transpose-a")) {
            ta = true;
        } else if (!strcmp(a, "--transpose-b")) {
            tb = true;
        } else if (a[0] == '-' && a[1]) {
            cli_usage_error("%s: unknown flag '%s' (try 'tpusim %s --help')", cmd, a, cmd);
            goto out;
        } else {
            static const char *const names[3] = {"M", "N", "K"};
            if (ndims == 3) {
                cli_usage_error("%s: unexpected argument '%s' (M N K already given)", cmd, a);
                goto out;
            }
            if (cli_parse_u32(names[ndims], a, 1, GEMM_MAX_DIM, &dims[ndims]))
                goto out;
            ndims++;
        }
    }
    if (ndims != 3) {
        cli_usage_error("%s: expected M N K (three whole numbers), got %u of them", cmd, ndims);
        goto out;
    }
    {
        const cli_output outs[] = {{"--json", rop.json_path}, {"--trace", rop.trace_path}, {"--html", rop.html_path}};
        if (cli_check_outputs(outs, 3))
            goto out;
    }
    bool chip = t.mo.config_path == NULL;
    char defpath[4200];
    if (chip)
        t.mo.config_path = cli_default_tpu_path(defpath, sizeof defpath);
    t.cfg = calloc(1, sizeof *t.cfg);
    g.cfg = calloc(1, sizeof *g.cfg);
    if (!t.cfg || !g.cfg) {
        rc = cli_usage_error("out of memory for two configs");
        goto out;
    }
    if ((rc = cli_load_machine(&t.mo, t.cfg)) != 0)
        goto out;
    if (!g.mo.config_path && !strcmp(t.cfg->gpu_peer, "analogous"))
        g.mo.config_path = "analogous";   /* the TPU config's gpu: analogous */
    if (!g.mo.config_path) {
        rc = cli_usage_error("compare: -g GPU_CONFIG is required (e.g. -g configs/gpu-a100.yaml, or -g analogous)");
        goto out;
    }
    if ((rc = cli_load_gpu_side(&g.mo, t.cfg, g.cfg)) != 0)
        goto out;
    /* dtypes: --dtype both sides (default the TPU's), --gpu-dtype the GPU's alone; never substituted */
    t.pb = (gemm_problem){dims[0], dims[1], dims[2], 1, TP_INT8, ta, tb};
    if ((rc = cli_resolve_dtype(t.cfg, rop.dtype, &t.pb.dtype)) != 0)
        goto out;
    t.dtype = dtype_name(t.pb.dtype);
    g.pb = t.pb;
    g.dtype = gpu_dtype ? gpu_dtype : rop.dtype ? rop.dtype : t.dtype;
    if ((rc = cli_gpu_resolve_dtype(g.cfg, g.dtype, &g.pb.dtype, &g.fp16)) != 0)
        goto out;
    tl_t.cap = tl_g.cap = cli_timeline_cap(rop.trace_path, rop.trace_cap);
    bool record = rop.trace_path || rop.html_path;   /* the page embeds the timelines too */
    if ((rc = run_tpu(&t, rop.no_data, record ? &tl_t : NULL)) != 0 ||
        (rc = run_gpu(&g, record ? &tl_g : NULL)) != 0)
        goto out;
    bool json_stdout = (rop.json_path && !strcmp(rop.json_path, "-")) || (rop.trace_path && !strcmp(rop.trace_path, "-"));
    if (!json_stdout) {
        char title[600], what[80];
        snprintf(what, sizeof what, "%s %ux%ux%u%s%s", cmd, t.pb.m, t.pb.n, t.pb.k, t.pb.transpose_a ? " --transpose-a" : "",
                 t.pb.transpose_b ? " --transpose-b" : "");
        cli_compare_title(title, sizeof title, what, chip, t.cfg, g.cfg);
        cli_cmp_side tv = {t.cfg, &t.s, t.dtype, "", &t.b, t.mo.n_sets}, gv = {g.cfg, &g.s, g.dtype, "", &g.b, g.mo.n_sets};
        snprintf(tv.how, sizeof tv.how, "%ux%ux%u %s%s", t.plan.tm, t.plan.tn, t.plan.tk, t.plan.order,
                 t.plan.double_buffer ? " db" : "");
        gpu_kernel_format(&g.ri.kernel, gv.how, sizeof gv.how);
        char result[160];
        snprintf(result, sizeof result, "TPU %s; GPU not computed (the GPU model is timing only)",
                 rop.no_data ? "not computed (--no-data: timing only)"
                 : t.match ? "matches the reference bit for bit" : "MISMATCH");
        cli_compare_table(title, &tv, &gv, result, stdout);
    }
    rc = 0;
    cli_html html = {.path = rop.html_path, .argc = argc, .argv = argv, .array_note = CLI_HTML_NO_ARRAY};
    if (rop.json_path || html.path)
        rc = write_json(rop.json_path, &html, cmd, &t, &g, rop.no_data);
    timeline *both[2] = {&tl_t, &tl_g};
    if (!rc && rop.trace_path)
        rc = cli_trace_write_n(rop.trace_path, both, 2, cmd);
    cli_trace_src src = {both, 2, cmd};
    html.write_trace = cli_trace_embed;
    html.trace_ctx = &src;
    if (!rc && html.path)
        rc = cli_html_write(&html);
    cli_html_free(&html);
    if (!rc && t.checked && !t.match) {
        fprintf(stderr, "tpusim: %s %ux%ux%u: TPU result mismatch: %s\n", cmd, t.pb.m, t.pb.n, t.pb.k, t.mismatch);
        rc = tp_exit_code(TP_ERR_MISMATCH);
    }
out:
    tl_free(&tl_t);
    tl_free(&tl_g);
    stats_free(&t.s);
    stats_free(&g.s);
    free(t.cfg);
    free(g.cfg);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    return cli_compare_gemm(argc, argv, "compare");
}

void cli_compare_layers(const workload *w, const cli_cmp_layer *t, const cli_cmp_layer *g, FILE *f)
{
    fprintf(f, "  %-14s %7s %7s %7s %6s  %14s %11s %7s  %14s %11s %7s  %s\n", "layer", "M", "N", "K", "repeat",
            "TPU cycles", "time", "util%", "GPU cycles", "time", "util%", "TPU / GPU time");
    for (size_t i = 0; i < w->n_layers; i++) {
        const workload_layer *l = &w->layers[i];
        char ta[32], ga[32], r[32];
        report_time(t[i].seconds, ta, sizeof ta);
        report_time(g[i].seconds, ga, sizeof ga);
        ratio(t[i].seconds, g[i].seconds, r, sizeof r);
        fprintf(f, "  %-14s %7u %7u %7u %6u  %14llu %11s %7.2f  %14llu %11s %7.2f  %s\n", SHOWN(l->name), l->m, l->n, l->k,
                l->repeat, (unsigned long long)t[i].cycles, ta, 100.0 * t[i].utilization, (unsigned long long)g[i].cycles,
                ga, 100.0 * g[i].utilization, r);
    }
}
