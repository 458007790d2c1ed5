/* tpusim sweep SWEEP.yaml: runs every point of a sweep (work/sweep.h) in-process, timing only,
 * on -j N threads, and writes one CSV row per point (docs/sweeps.md, docs/output.md).
 *
 * NOTES ON THE DESIGN OF THE SWEEP RUN
 *
 * 1. Nothing runs before everything is checked. The sweep file is parsed (every error at its
 *    line:col), each key axis's values are applied alone to the base machine (and the gpu:
 *    axis's configs), and then every point's machine is built and its dtype and fixed tile
 *    checked. Any refusal is one line and exit 2 before the first point runs.
 * 2. A point is a pure function of its index: its machine is the base config's text with the
 *    point's --set overrides, its run is timing only, and its row is formatted from the stats
 *    record alone. So the rows are the same whatever -j, --shard or --resume did, and the
 *    finished file is the same bytes.
 * 3. The --csv file while running: the header is written first (one write), then each finished
 *    point's row is appended with ONE write(2) on an O_APPEND descriptor, under the writers'
 *    mutex, so rows never interleave and a killed run (SIGINT, SIGTERM, kill -9) leaves whole
 *    rows in completion order. At the end the file is rewritten in point order through
 *    base/atomic_file.h (a temporary renamed over it): a signal during that rewrite removes the
 *    temporary and leaves the appended file, which --resume reads.
 * 4. --resume reads the file back (work/sweep.h sweep_csv_parse): a header from another sweep,
 *    other inputs, another build or another shard is refused; a torn last line (only a crash
 *    inside a write could leave one) is cut off; the points present are kept as written and
 *    the others run.
 * 5. --shard I/N runs the points p with p mod N = I - 1 and marks the file "# shard: I/N";
 *    --merge checks that the shards are one sweep and build, each shard once, none missing,
 *    each complete, and writes the rows in point order under the unsharded header: the same
 *    bytes as an unsharded run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/json.h"
#include "base/progress.h"
#include "base/readfile.h"
#include "base/sha256.h"
#include "base/text.h"
#include "cli/cli.h"
#include "gpu/gpu.h"
#include "report/bound.h"
#include "report/plot.h"
#include "report/report.h"
#include "tiler/run.h"
#include "tiler/tiler.h"
#include "work/sweep.h"
#include "work/workload.h"

static const char usage_text[] =
    "usage: tpusim sweep SWEEP.yaml [--csv FILE|-] [--json FILE|-] [-j N] [--shard I/N] [--resume]\n"
    "                   [--plot METRIC] [--quiet]\n"
    "       tpusim sweep --merge SHARD.csv... --csv OUT [--json FILE|-] [SWEEP.yaml]\n"
    "Runs every point of a sweep: a base machine, a GEMM list or a workload, and axes over config\n"
    "keys (tpu.array.rows: [64, 128]), dataflow, dtype, tile and gpu (a compare); the points are\n"
    "their cartesian product, first axis outermost. Each point runs in-process, timing only.\n"
    "  --csv FILE    the CSV (default: stdout): a '#' header with the sweep's sha256, its inputs'\n"
    "                sha256, tpusim's version and commit, then one row per point. Rows are\n"
    "                appended as points finish; the finished file is rewritten in point order.\n"
    "  --json FILE   the same points as JSON (docs/output.md)\n"
    "  -j N          run N points at a time on N threads (1 .. 256, default 1); same output\n"
    "  --shard I/N   run only the points p with p mod N = I - 1 (I from 1 to N, as Slurm's\n"
    "                --array=1-N and GNU parallel's {#} count); the file says which shard it is\n"
    "  --resume      keep the points already in --csv FILE (from the same sweep and build) and\n"
    "                run the rest; a missing or header-only file runs every point\n"
    "  --plot METRIC draw METRIC (a numeric column: cycles, utilization, ops_per_s, ...) against\n"
    "                the first axis that varies (the GEMM list's m, n or k first), a line per\n"
    "                value of the second, into FILE.svg beside\n"
    "                --csv FILE.csv, through gnuplot (docs/plots.md); the CSV is written either way\n"
    "  --quiet       no progress bar (points done, rate, ETA; drawn only when stderr is a terminal)\n"
    "  --merge F...  join the shard files of one sweep into the CSV an unsharded run writes\n"
    "                (with SWEEP.yaml also given, the shards must come from it)\n"
    "Exit: 0 all points ran, 2 bad input (before any point runs) or points that could not run\n"
    "(their rows have status error). docs/sweeps.md describes the file format and cluster use.\n";

#define SWEEP_MAX_JOBS 256
#define MAX_COLS 96
#define ROW_CAP 8192

/* ---- columns -------------------------------------------------------------------------------- */

typedef enum { COL_STR, COL_U64, COL_F64 } col_type;

/* The figures of one machine, after its prefix ("" or "gpu_"). */
static const char *const fig_u64[] = {"cycles", "offchip_bytes", "offchip_bus_bytes"};
static const char *const fig_f64[] = {"seconds", "utilization", "ops_per_s", "peak_ops_per_s",
                                      "intensity_ops_per_byte", "roofline_ops_per_s"};

/* A column's JSON type, from its name alone (so --merge, which has no sweep file, types it too). */
static col_type col_type_of(const char *name)
{
    if (!strcmp(name, "time_ratio"))
        return COL_F64;
    if (!strncmp(name, "gpu_", 4))
        name += 4;
    if (!strcmp(name, "point") || !strcmp(name, "m") || !strcmp(name, "n") || !strcmp(name, "k") ||
        !strncmp(name, "cycles_", 7))
        return COL_U64;
    for (size_t i = 0; i < sizeof fig_u64 / sizeof fig_u64[0]; i++)
        if (!strcmp(name, fig_u64[i]))
            return COL_U64;
    for (size_t i = 0; i < sizeof fig_f64 / sizeof fig_f64[0]; i++)
        if (!strcmp(name, fig_f64[i]))
            return COL_F64;
    return COL_STR;
}

typedef struct {
    const char *name[MAX_COLS];
    char store[MAX_COLS][128];
    int n;
} columns;

static void col_add(columns *c, const char *prefix, const char *name)
{
    snprintf(c->store[c->n], sizeof c->store[c->n], "%s%s", prefix, name);
    c->name[c->n] = c->store[c->n];
    c->n++;
}

static void col_figures(columns *c, const char *prefix)
{
    col_add(c, prefix, "cycles");
    col_add(c, prefix, "seconds");
    col_add(c, prefix, "utilization");
    col_add(c, prefix, "ops_per_s");
    col_add(c, prefix, "peak_ops_per_s");
    col_add(c, prefix, "offchip_bytes");
    col_add(c, prefix, "offchip_bus_bytes");
    col_add(c, prefix, "intensity_ops_per_byte");
    col_add(c, prefix, "roofline_ops_per_s");
    col_add(c, prefix, "bound");
    col_add(c, prefix, "bound_off_chip");
    for (int k = 0; k < STATS_CAT__COUNT; k++) {
        char nm[64];
        snprintf(nm, sizeof nm, "cycles_%s", stats_category_name((stats_category)k));
        col_add(c, prefix, nm);
    }
}

/* ---- the run's shared, read-only state ------------------------------------------------------- */

typedef struct {
    const char *path;        /* file name */
    char *text;              /* its contents */
    size_t len;
} input_file;

typedef struct {
    sweep_spec spec;
    input_file base;         /* the base config's text (the embedded default's when no base:) */
    bool tpu;                /* the base is a TPU (else a GPU config) */
    input_file gpus[SWEEP_MAX_VALUES > 64 ? 64 : SWEEP_MAX_VALUES];   /* the gpu: axis's configs */
    size_t n_gpus;
    const sweep_axis *gpu_axis, *dtype_axis, *tile_axis;
    size_t gpu_ax, dtype_ax, tile_ax;   /* their indices */
    workload wl;             /* workload: */
    bool has_wl;
    columns cols;
    sweep_meta meta;
} sweep_run;

static void input_free(input_file *f)
{
    free(f->text);
    f->text = NULL;
}

static void sweep_run_free(sweep_run *r)
{
    sweep_free(&r->spec);
    input_free(&r->base);
    for (size_t i = 0; i < r->n_gpus; i++)
        input_free(&r->gpus[i]);
    if (r->has_wl)
        workload_free(&r->wl);
}

/* ---- one point --------------------------------------------------------------------------------- */

/* The dtype a point runs on a TPU: the dtype axis's value, else the machine's default. */
static tp_status tpu_dtype(const tp_config *cfg, const char *name, tp_dtype *dt, tp_err *err)
{
    if (!name) {
        *dt = cli_default_dtype(cfg);
        return TP_OK;
    }
    if (!strcmp(name, "fp16") || dtype_parse(name, dt))
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "dtype %s: a TPU runs int8 or bf16", name);
    return cfg_tpu_require_dtype(cfg, *dt, err);
}

/* The same on a GPU, as cli_gpu_resolve_dtype decides it (without printing). */
static tp_status gpu_dtype(const tp_config *cfg, const char *name, tp_dtype *dt, bool *fp16, tp_err *err)
{
    *fp16 = false;
    if (!name) {
        *dt = cfg_gpu_supports(&cfg->gpu, TP_INT8) ? TP_INT8 : TP_BF16;
        *fp16 = *dt == TP_BF16 && !cfg_gpu_supports(&cfg->gpu, TP_BF16) && cfg->gpu.mma_fp16.present;
        return TP_OK;
    }
    if (!strcmp(name, "fp16")) {
        if (!cfg->gpu.mma_fp16.present)
            return tp_err_set(err, TP_ERR_UNSUPPORTED, "GPU '%s' does not support fp16", cfg->gpu.name);
        *dt = TP_BF16;
        *fp16 = true;
        return TP_OK;
    }
    if (dtype_parse(name, dt))
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "unknown dtype '%s'", name);
    if (!cfg_gpu_supports(&cfg->gpu, *dt))
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "GPU '%s' does not support %s", cfg->gpu.name, name);
    return TP_OK;
}

/* Point p's machines: the base with the point's non-gpu keys, and (a compare) its GPU config
 * with the gpu.* keys. */
static tp_status point_configs(const sweep_run *r, const size_t idx[SWEEP_MAX_AXES], tp_config *base,
                               tp_config *gpu, tp_err *err)
{
    char sets[SWEEP_MAX_AXES][160];
    const char *sp[SWEEP_MAX_AXES];
    int n = 0;
    for (size_t i = 0; i < r->spec.n_axes; i++) {
        const sweep_axis *a = &r->spec.axes[i];
        if (!a->key[0] || (r->tpu && !strncmp(a->key, "gpu.", 4)))
            continue;
        snprintf(sets[n], sizeof sets[n], "%s=%s", a->key, a->values[idx[i]].text);
        sp[n] = sets[n];
        n++;
    }
    tp_status st = cfg_load_string(r->base.path, r->base.text, sp, n, base, err);
    if (st != TP_OK || !r->gpu_axis)
        return st;
    n = 0;
    for (size_t i = 0; i < r->spec.n_axes; i++) {
        const sweep_axis *a = &r->spec.axes[i];
        if (!a->key[0] || strncmp(a->key, "gpu.", 4))
            continue;
        snprintf(sets[n], sizeof sets[n], "%s=%s", a->key, a->values[idx[i]].text);
        sp[n] = sets[n];
        n++;
    }
    const input_file *g = &r->gpus[idx[r->gpu_ax]];
    return cfg_load_string(g->path, g->text, sp, n, gpu, err);
}

/* A GPU workload as `model -c gpu-X.yaml` runs it: each layer one kernel, repeats applied. */
static tp_status gpu_workload(const tp_config *cfg, const workload *w, const char *dtype_s, tp_stats *total,
                              tp_err *err)
{
    tp_dtype cli_dt = TP_INT8;
    bool cli_fp16 = false;
    tp_status st = dtype_s ? gpu_dtype(cfg, dtype_s, &cli_dt, &cli_fp16, err) : TP_OK;
    for (size_t i = 0; i < w->n_layers && st == TP_OK; i++) {
        const workload_layer *l = &w->layers[i];
        bool fp16 = false;
        tp_dtype dt;
        if (l->has_dtype || (!dtype_s && w->has_dtype))
            dt = l->has_dtype ? l->dtype : w->dtype;
        else if (dtype_s)
            dt = cli_dt, fp16 = cli_fp16;
        else
            st = gpu_dtype(cfg, NULL, &dt, &fp16, err);
        if (st == TP_OK && !fp16 && !cfg_gpu_supports(&cfg->gpu, dt))
            st = tp_err_set(err, TP_ERR_UNSUPPORTED, "layer '%s': GPU '%s' does not support %s", l->name,
                            cfg->gpu.name, dtype_name(dt));
        if (st != TP_OK)
            break;
        gemm_problem pb = {l->m, l->n, l->k, 1, dt, false, false};
        gpu_run_opts o;
        memset(&o, 0, sizeof o);
        o.fp16 = fp16;
        tp_stats s;
        stats_init(&s);
        st = gpu_run_gemm_opts(cfg, &pb, &o, &s, NULL, err);
        if (st == TP_OK)
            st = report_stats_add(total, &s, l->repeat, err);
        stats_free(&s);
    }
    if (st == TP_OK)
        stats_finish(total);
    return st;
}

/* What one point produced. */
typedef struct {
    tp_stats s;              /* the base machine's run */
    tiler_plan plan;         /* TPU GEMM points */
    bool has_plan;
    bool compare;
    tp_stats g;              /* the gpu: axis's run */
} point_result;

/* The tiler options of a tile: value (auto: the search's choice of everything). */
static void tile_opts(const char *tile, tiler_opts *to)
{
    memset(to, 0, sizeof *to);
    to->double_buffer = -1;
    if (tile && strcmp(tile, "auto"))
        (void)tiler_parse_tile(tile, &to->tm, &to->tn, &to->tk);   /* checked by the parse */
}

/* A fixed tile must fit on its own (as gemm --tile checks it): its overflow, not a search failure. */
static tp_status tile_fits(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *to, tp_err *err)
{
    if (!to->tm)
        return TP_OK;
    tiler_plan probe;
    memset(&probe, 0, sizeof probe);
    probe.tm = to->tm;
    probe.tn = to->tn;
    probe.tk = to->tk;
    memcpy(probe.order, "mnk", 4);
    probe.double_buffer = false;
    return tiler_plan_derive(&cfg->tpu, pb, &probe, err);
}

static tp_status tpu_gemm(const tp_config *cfg, const gemm_problem *pb, const char *tile, point_result *out,
                          tp_err *err)
{
    tiler_opts to;
    tile_opts(tile, &to);
    tp_status st = tile_fits(cfg, pb, &to, err);
    if (st == TP_OK)
        st = tiler_search(cfg, pb, &to, &out->plan, NULL, NULL, NULL, err);
    if (st != TP_OK)
        return st;
    tiler_run_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.engine = MACHINE_FAST;
    ro.seed = 1;
    ro.timing_only = true;
    ro.threads = 1;
    tiler_result res;
    if ((st = tiler_run(cfg, pb, &out->plan, &ro, &res, err)) != TP_OK)
        return st;
    st = stats_copy(&out->s, &res.stats, err);
    tiler_result_free(&res);
    out->has_plan = st == TP_OK;
    return st;
}

static tp_status run_point(const sweep_run *r, uint64_t p, point_result *out, tp_err *err)
{
    size_t gi, idx[SWEEP_MAX_AXES];
    sweep_point(&r->spec, p, &gi, idx);
    tp_config *cfg = malloc(sizeof *cfg), *gcfg = r->gpu_axis ? malloc(sizeof *gcfg) : NULL;
    tp_status st = cfg && (gcfg || !r->gpu_axis) ? TP_OK : tp_err_set(err, TP_ERR_NOMEM, "out of memory for a config");
    if (st == TP_OK)
        st = point_configs(r, idx, cfg, gcfg, err);
    const char *dts = r->dtype_axis ? r->dtype_axis->values[idx[r->dtype_ax]].text : NULL;
    const char *tile = r->tile_axis ? r->tile_axis->values[idx[r->tile_ax]].text : NULL;
    if (st == TP_OK && r->tpu) {
        if (r->has_wl) {
            st = cli_model_total(cfg, &r->wl, dts, &out->s, err);
        } else {
            gemm_problem pb = {r->spec.gemms[gi].m, r->spec.gemms[gi].n, r->spec.gemms[gi].k, 1, TP_INT8, false, false};
            st = tpu_dtype(cfg, dts, &pb.dtype, err);
            if (st == TP_OK)
                st = tpu_gemm(cfg, &pb, tile, out, err);
            if (st == TP_OK && gcfg) {
                /* the GPU runs the TPU's dtype, as compare does */
                bool fp16;
                gemm_problem gp = pb;
                st = gpu_dtype(gcfg, dtype_name(pb.dtype), &gp.dtype, &fp16, err);
                gpu_run_opts o;
                memset(&o, 0, sizeof o);
                o.fp16 = fp16;
                if (st == TP_OK)
                    st = gpu_run_gemm_opts(gcfg, &gp, &o, &out->g, NULL, err);
                out->compare = st == TP_OK;
            }
        }
        if (st == TP_OK && r->has_wl && gcfg) {
            tp_dtype dt;
            st = tpu_dtype(cfg, dts, &dt, err);
            if (st == TP_OK)
                st = gpu_workload(gcfg, &r->wl, dts ? dts : NULL, &out->g, err);
            out->compare = st == TP_OK;
        }
    } else if (st == TP_OK) {
        if (r->has_wl) {
            st = gpu_workload(cfg, &r->wl, dts, &out->s, err);
        } else {
            gemm_problem pb = {r->spec.gemms[gi].m, r->spec.gemms[gi].n, r->spec.gemms[gi].k, 1, TP_INT8, false, false};
            bool fp16;
            st = gpu_dtype(cfg, dts, &pb.dtype, &fp16, err);
            gpu_run_opts o;
            memset(&o, 0, sizeof o);
            o.fp16 = fp16;
            if (st == TP_OK)
                st = gpu_run_gemm_opts(cfg, &pb, &o, &out->s, NULL, err);
        }
    }
    free(cfg);
    free(gcfg);
    return st;
}

/* ---- rows --------------------------------------------------------------------------------------- */

static int put_u64(char *row, size_t *len, uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%" PRIu64, v);
    return sweep_csv_append(row, ROW_CAP, len, b);
}

/* Doubles in the fewest of 15, 16, 17 significant digits that read back as the same double (so
 * the JSON, made from the CSV, has the run's exact values); inf and nan by name. */
static int put_f64(char *row, size_t *len, double v)
{
    char b[40];
    if (isinf(v))
        snprintf(b, sizeof b, "%s", v > 0 ? "inf" : "-inf");
    else if (isnan(v))
        snprintf(b, sizeof b, "nan");
    else
        for (int prec = 15; prec <= 17; prec++) {   /* the shortest text that reads back as v */
            snprintf(b, sizeof b, "%.*g", prec, v);
            if (strtod(b, NULL) == v)
                break;
        }
    return sweep_csv_append(row, ROW_CAP, len, b);
}

static int put_str(char *row, size_t *len, const char *s)
{
    return sweep_csv_append(row, ROW_CAP, len, s);
}

static int put_figures(char *row, size_t *len, const tp_stats *s)
{
    int bad = 0;
    bad |= put_u64(row, len, s->cycles);
    bad |= put_f64(row, len, s->seconds);
    bad |= put_f64(row, len, s->utilization);
    bad |= put_f64(row, len, s->ops_per_s);
    bad |= put_f64(row, len, s->peak_ops_per_s);
    bad |= put_u64(row, len, s->offchip_bytes);
    bad |= put_u64(row, len, s->offchip_bus_bytes);
    bad |= put_f64(row, len, s->intensity);
    bad |= put_f64(row, len, s->roofline_ops_per_s);
    report_bound b;
    report_bound_of(s, &b);
    bad |= put_str(row, len, stats_category_name(b.category));
    const char *oc = bound_off_chip_name(b.off_chip);
    bad |= put_str(row, len, oc ? oc : "");
    uint64_t cat[STATS_CAT__COUNT];
    report_compute_categories(s, cat, NULL, NULL);
    for (int k = 0; k < STATS_CAT__COUNT; k++)
        bad |= put_u64(row, len, cat[k]);
    return bad;
}

static int put_empty(char *row, size_t *len, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad |= put_str(row, len, "");
    return bad;
}

/* Figure columns of one machine (col_figures). */
#define N_FIGURES (11 + STATS_CAT__COUNT)

/* Point p's row, with its newline, into row (ROW_CAP bytes); returns its length. */
static size_t format_row(const sweep_run *r, uint64_t p, tp_status st, const point_result *pr, const tp_err *err,
                         char *row)
{
    size_t len = 0, gi, idx[SWEEP_MAX_AXES];
    sweep_point(&r->spec, p, &gi, idx);
    row[0] = 0;
    int bad = put_u64(row, &len, p);
    if (!r->has_wl) {
        bad |= put_u64(row, &len, r->spec.gemms[gi].m);
        bad |= put_u64(row, &len, r->spec.gemms[gi].n);
        bad |= put_u64(row, &len, r->spec.gemms[gi].k);
    }
    for (size_t i = 0; i < r->spec.n_axes; i++)
        bad |= put_str(row, &len, r->spec.axes[i].values[idx[i]].text);
    bad |= put_str(row, &len, st == TP_OK ? "ok" : "error");
    bool plan_cols = r->tpu && !r->has_wl;
    if (st == TP_OK) {
        bad |= put_figures(row, &len, &pr->s);
        if (plan_cols) {
            char tile[48];
            snprintf(tile, sizeof tile, "%ux%ux%u", pr->plan.tm, pr->plan.tn, pr->plan.tk);
            bad |= put_str(row, &len, tile);
            bad |= put_str(row, &len, pr->plan.order);
            bad |= put_str(row, &len, pr->plan.double_buffer ? "on" : "off");
        } else if (!r->tpu && !r->has_wl) {
            const char *k = stats_attr_get(&pr->s, "kernel");
            bad |= put_str(row, &len, k ? k : "");
        }
        if (r->gpu_axis) {
            bad |= put_figures(row, &len, &pr->g);
            if (!r->has_wl) {
                const char *k = stats_attr_get(&pr->g, "kernel");
                bad |= put_str(row, &len, k ? k : "");
            }
            /* the TPU's time over the GPU's, as compare's "time ratio" */
            bad |= put_f64(row, &len, pr->g.seconds > 0 ? pr->s.seconds / pr->g.seconds : NAN);
        }
        bad |= put_str(row, &len, "");
    } else {
        int n = N_FIGURES + (plan_cols ? 3 : !r->tpu && !r->has_wl ? 1 : 0) +
                (r->gpu_axis ? N_FIGURES + !r->has_wl + 1 : 0);
        bad |= put_empty(row, &len, n);
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        for (char *q = msg; *q; q++)
            if (*q == '\n' || *q == '\r')
                *q = ' ';
        bad |= put_str(row, &len, msg);
    }
    if (bad || len + 2 > ROW_CAP) {   /* cannot happen with the caps on names and values */
        len = 0;
        put_u64(row, &len, p);
        for (int i = 1; i + 1 < r->cols.n; i++)
            put_str(row, &len, "");
        put_str(row, &len, "row too long");
    }
    row[len++] = '\n';
    row[len] = 0;
    return len;
}

static void build_columns(sweep_run *r)
{
    columns *c = &r->cols;
    c->n = 0;
    col_add(c, "", "point");
    if (!r->has_wl) {
        col_add(c, "", "m");
        col_add(c, "", "n");
        col_add(c, "", "k");
    }
    for (size_t i = 0; i < r->spec.n_axes; i++)
        col_add(c, "", r->spec.axes[i].name);
    col_add(c, "", "status");
    col_figures(c, "");
    if (r->tpu && !r->has_wl) {
        col_add(c, "", "tile");
        col_add(c, "", "order");
        col_add(c, "", "double_buffer");
    } else if (!r->tpu && !r->has_wl) {
        col_add(c, "", "kernel");
    }
    if (r->gpu_axis) {
        col_figures(c, "gpu_");
        if (!r->has_wl)
            col_add(c, "gpu_", "kernel");
        col_add(c, "", "time_ratio");
    }
    col_add(c, "", "error");
}

static size_t header_text(const sweep_meta *m, const columns *c, char *buf, size_t cap)
{
    size_t n = sweep_meta_format(m, buf, cap);
    if (!n)
        return 0;
    buf[n] = 0;
    size_t len = n;
    for (int i = 0; i < c->n; i++)
        if (sweep_csv_append(buf + n, cap - n - 1, &(size_t){len - n}, c->name[i]) == 0)
            len = n + strlen(buf + n);
        else
            return 0;
    if (len + 2 > cap)
        return 0;
    buf[len++] = '\n';
    buf[len] = 0;
    return len;
}

/* ---- the workers --------------------------------------------------------------------------------- */

typedef struct {
    const sweep_run *r;
    const uint64_t *pending;    /* the points to run */
    size_t n_pending;
    size_t next;             /* the next pending entry to take (under mu) */
    char **rows;             /* rows[slot]: the row of point (slot * N + I - 1), malloc'd */
    uint32_t shard_i, shard_n;
    int fd;                  /* the --csv file (O_APPEND), -1 for stdout */
    const char *csv_path;
    pthread_mutex_t mu;
    int write_errno;         /* the first failed write's errno */
    uint64_t failed;         /* points whose run failed */
    uint64_t first_failed;
    char first_msg[512];
    progress *bar;           /* points done (under mu) */
    uint64_t done;
} work_queue;

static size_t slot_of(uint64_t p, uint32_t n)
{
    return n ? (size_t)(p / n) : (size_t)p;
}

static void *worker(void *arg)
{
    work_queue *q = arg;
    char *row = malloc(ROW_CAP);
    if (!row) {
        pthread_mutex_lock(&q->mu);
        if (!q->write_errno)
            q->write_errno = ENOMEM;
        pthread_mutex_unlock(&q->mu);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&q->mu);
        size_t t = q->next < q->n_pending && !q->write_errno ? q->next++ : q->n_pending;
        pthread_mutex_unlock(&q->mu);
        if (t >= q->n_pending)
            break;
        uint64_t p = q->pending[t];
        point_result pr;
        memset(&pr, 0, sizeof pr);
        stats_init(&pr.s);
        stats_init(&pr.g);
        tp_err err = {0};
        tp_status st = run_point(q->r, p, &pr, &err);
        size_t len = format_row(q->r, p, st, &pr, &err, row);
        stats_free(&pr.s);
        stats_free(&pr.g);
        char *copy = malloc(len + 1);
        if (copy)
            memcpy(copy, row, len + 1);
        pthread_mutex_lock(&q->mu);
        if (!copy && !q->write_errno)
            q->write_errno = ENOMEM;
        if (copy) {
            q->rows[slot_of(p, q->shard_n)] = copy;
            if (st != TP_OK && q->failed++ == 0) {
                q->first_failed = p;
                snprintf(q->first_msg, sizeof q->first_msg, "%s", err.msg);
            }
            /* one write(2) per row: a kill leaves whole rows (note 3) */
            if (q->fd >= 0 && !q->write_errno) {
                ssize_t w = write(q->fd, copy, len);
                if (w != (ssize_t)len)
                    q->write_errno = w < 0 ? errno : ENOSPC;
            }
        }
        progress_update(q->bar, ++q->done);
        pthread_mutex_unlock(&q->mu);
    }
    free(row);
    return NULL;
}

/* ---- output -------------------------------------------------------------------------------------- */

/* The JSON document of the rows (each a CSV line with its newline). */
static void write_json_doc(FILE *f, const sweep_meta *m, const char *colline, char *const *rows, size_t n_rows)
{
    json_w w;
    cli_json_begin(&w, f, "sweep");
    json_key(&w, "sweep");
    json_begin_object(&w);
    json_kv_str(&w, "sweep_sha256", m->sweep_sha256);
    json_kv_str(&w, "inputs_sha256", m->inputs_sha256);
    json_kv_u64(&w, "points", m->points);
    json_key(&w, "shard");
    if (m->shard_n) {
        char s[32];
        snprintf(s, sizeof s, "%u/%u", m->shard_i, m->shard_n);
        json_str(&w, s);
    } else {
        json_null(&w);
    }
    size_t clen = strlen(colline);
    char *cbuf = malloc(clen + 1);
    char *cf[MAX_COLS + 1];
    int nc = cbuf ? sweep_csv_split(colline, clen, cbuf, clen + 1, cf, MAX_COLS + 1) : 0;
    json_key(&w, "columns");
    json_begin_array_flat(&w);
    for (int i = 0; i < nc; i++)
        json_str(&w, cf[i]);
    json_end_array(&w);
    json_key(&w, "rows");
    json_begin_array(&w);
    char *rb = malloc(ROW_CAP);
    for (size_t i = 0; i < n_rows && rb; i++) {
        char *f2[MAX_COLS + 1];
        size_t len = strlen(rows[i]);
        int nf = sweep_csv_split(rows[i], len ? len - 1 : 0, rb, ROW_CAP, f2, MAX_COLS + 1);
        json_begin_object(&w);
        for (int j = 0; j < nf && j < nc; j++) {
            json_key(&w, cf[j]);
            if (!f2[j][0]) {
                json_null(&w);
                continue;
            }
            switch (col_type_of(cf[j])) {
            case COL_U64:
                json_u64(&w, strtoull(f2[j], NULL, 10));
                break;
            case COL_F64: {
                double v = strtod(f2[j], NULL);
                if (isfinite(v))
                    json_double(&w, v);
                else
                    json_null(&w);   /* JSON has no inf: an unbounded intensity */
                break;
            }
            default:
                json_str(&w, f2[j]);
            }
        }
        json_end_object(&w);
    }
    free(rb);
    free(cbuf);
    json_end_array(&w);
    json_end_object(&w);
    json_end_object(&w);
    (void)json_finish(&w);
}

/* Writes the finished file: header then rows, through a temporary renamed into place (or stdout). */
static int write_outputs(const char *csv_path, const char *json_path, const char *header, const sweep_meta *m,
                         const char *colline, char *const *rows, size_t n_rows)
{
    int rc = 0;
    if (csv_path) {
        afile af;
        FILE *f = cli_out_open(&af, "--csv", csv_path, false);
        if (!f)
            return 2;
        fputs(header, f);
        for (size_t i = 0; i < n_rows; i++)
            fputs(rows[i], f);
        if ((rc = cli_out_close(&af, false)) != 0)
            return rc;
    }
    if (json_path) {
        afile af;
        FILE *f = cli_out_open(&af, "--json", json_path, false);
        if (!f)
            return 2;
        write_json_doc(f, m, colline, rows, n_rows);
        rc = cli_out_close(&af, ferror(f) != 0);
    }
    return rc;
}

/* ---- setting up: every check before the first point (note 1) --------------------------------- */

static int fail_at(const sweep_spec *s, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail_at(const sweep_spec *s, int line, int col, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tpusim: %s:%d:%d: %s\n", s->source, line, col, msg);
    return 2;
}

static int read_input(const char *path, const char *what, input_file *f, const sweep_spec *s, int line, int col)
{
    tp_err err = {0};
    f->path = path;
    if (read_text_file(path, what, 4u << 20, &f->text, &f->len, &err) != TP_OK)
        return fail_at(s, line, col, "%s", err.msg);
    return 0;
}

static void hash_input(sha256_ctx *h, const char *role, const input_file *f)
{
    char head[64];
    int n = snprintf(head, sizeof head, "%s %zu\n", role, f->len);
    sha256_update(h, head, (size_t)n);
    sha256_update(h, f->text, f->len);
}

/* Parses the sweep, loads its inputs and checks every axis and point. Prints and returns 2 on a
 * problem. */
static int setup(const char *path, sweep_run *r)
{
    tp_err err = {0};
    if (sweep_load(path, &r->spec, &err) != TP_OK)
        return cli_fail(&err);
    sweep_spec *s = &r->spec;
    int rc;
    /* the base machine */
    if (s->base) {
        if ((rc = read_input(s->base, "YAML file", &r->base, s, s->base_line, s->base_col)) != 0)
            return rc;
    } else {
        r->base.path = "default";
        const char *y = cfg_default_yaml();
        r->base.len = strlen(y);
        if (!(r->base.text = malloc(r->base.len + 1)))
            return cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
        memcpy(r->base.text, y, r->base.len + 1);
    }
    tp_config *cfg = malloc(sizeof *cfg), *gcfg = malloc(sizeof *gcfg);
    if (!cfg || !gcfg) {
        free(cfg);
        free(gcfg);
        return cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
    }
    rc = 0;
    if (cfg_load_string(r->base.path, r->base.text, NULL, 0, cfg, &err) != TP_OK) {
        rc = s->base ? fail_at(s, s->base_line, s->base_col, "base: %s", err.msg) : cli_fail(&err);
        goto out;
    }
    r->tpu = cfg->tpu.present;
    if (!r->tpu && !cfg->gpu.present) {
        rc = fail_at(s, s->base_line, s->base_col, "base: %s has neither a tpu: nor a gpu: section", r->base.path);
        goto out;
    }
    for (size_t i = 0; i < s->n_axes; i++) {
        const sweep_axis *a = &s->axes[i];
        if (a->kind == SWEEP_AXIS_GPU)
            r->gpu_axis = a, r->gpu_ax = i;
        if (a->kind == SWEEP_AXIS_DTYPE)
            r->dtype_axis = a, r->dtype_ax = i;
        if (a->kind == SWEEP_AXIS_TILE)
            r->tile_axis = a, r->tile_ax = i;
        if (!r->tpu && (a->kind == SWEEP_AXIS_DATAFLOW || a->kind == SWEEP_AXIS_TILE || a->kind == SWEEP_AXIS_GPU ||
                        !strncmp(a->key, "tpu.", 4))) {
            rc = fail_at(s, a->line, a->col, "%s: the base machine '%s' is a GPU (this axis is for a TPU%s)", a->name,
                         cfg->gpu.name, a->kind == SWEEP_AXIS_GPU ? "; a compare's base is a TPU" : "");
            goto out;
        }
        if (r->tpu && !strncmp(a->key, "gpu.", 4) && !sweep_find_axis(s, SWEEP_AXIS_GPU)) {
            rc = fail_at(s, a->line, a->col, "%s: a gpu.* key needs a gpu: axis (the GPU configs of a compare)", a->name);
            goto out;
        }
    }
    /* key values, each alone on the machine it applies to */
    if (sweep_check_keys(s, r->base.path, r->base.text, r->tpu ? "tpu." : "gpu.", &err) != TP_OK ||
        sweep_check_keys(s, r->base.path, r->base.text, "name", &err) != TP_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (r->gpu_axis) {
        if (r->gpu_axis->n_values > sizeof r->gpus / sizeof r->gpus[0]) {
            rc = fail_at(s, r->gpu_axis->line, r->gpu_axis->col, "gpu: at most %zu GPU configs",
                         sizeof r->gpus / sizeof r->gpus[0]);
            goto out;
        }
        for (size_t j = 0; j < r->gpu_axis->n_values; j++) {
            const sweep_value *v = &r->gpu_axis->values[j];
            if ((rc = read_input(v->text, "YAML file", &r->gpus[j], s, v->line, v->col)) != 0)
                goto out;
            r->n_gpus = j + 1;
            if (cfg_load_string(v->text, r->gpus[j].text, NULL, 0, gcfg, &err) != TP_OK) {
                rc = fail_at(s, v->line, v->col, "gpu: %s", err.msg);
                goto out;
            }
            if (!gcfg->gpu.present) {
                rc = fail_at(s, v->line, v->col, "gpu: '%s' is not a GPU config (it has no gpu: section)", v->text);
                goto out;
            }
            if (sweep_check_keys(s, v->text, r->gpus[j].text, "gpu.", &err) != TP_OK) {
                rc = cli_fail(&err);
                goto out;
            }
        }
    }
    if (s->workload) {
        input_file wf;
        if ((rc = read_input(s->workload, "workload", &wf, s, s->workload_line, s->workload_col)) != 0)
            goto out;
        free(wf.text);
        if (workload_load(s->workload, &r->wl, &err) != TP_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        r->has_wl = true;
    }
    /* every point's machines, dtype and fixed tile (note 1) */
    for (uint64_t p = 0; p < s->n_points; p++) {
        size_t gi, idx[SWEEP_MAX_AXES];
        sweep_point(s, p, &gi, idx);
        char where[600] = "";
        size_t wl = 0;
        for (size_t i = 0; i < s->n_axes && wl < sizeof where - 1; i++)
            wl += (size_t)snprintf(where + wl, sizeof where - wl, "%s%s=%s", i ? ", " : "", s->axes[i].name,
                                   s->axes[i].values[idx[i]].text);
        if (wl >= sizeof where)
            wl = sizeof where - 1;
        /* the position of a combination's error: its last axis's value (or the GEMM) */
        int line = s->n_axes ? s->axes[s->n_axes - 1].values[idx[s->n_axes - 1]].line : s->n_gemms ? s->gemms[gi].line : 1;
        int col = s->n_axes ? s->axes[s->n_axes - 1].values[idx[s->n_axes - 1]].col : s->n_gemms ? s->gemms[gi].col : 1;
        if (point_configs(r, idx, cfg, gcfg, &err) != TP_OK) {
            rc = fail_at(s, line, col, "point %" PRIu64 " (%s): %s", p, where, err.msg);
            goto out;
        }
        const char *dts = r->dtype_axis ? r->dtype_axis->values[idx[r->dtype_ax]].text : NULL;
        int dl = r->dtype_axis ? r->dtype_axis->values[idx[r->dtype_ax]].line : line;
        int dc = r->dtype_axis ? r->dtype_axis->values[idx[r->dtype_ax]].col : col;
        tp_dtype dt;
        bool fp16;
        tp_status st = TP_OK;
        if (r->tpu && (!r->has_wl || dts))
            st = tpu_dtype(cfg, dts, &dt, &err);
        else if (!r->tpu && (!r->has_wl || dts))
            st = gpu_dtype(cfg, dts, &dt, &fp16, &err);
        if (st == TP_OK && r->gpu_axis && (!r->has_wl || dts))
            st = gpu_dtype(gcfg, r->tpu ? dtype_name(dt) : dts, &dt, &fp16, &err);
        if (st != TP_OK) {
            rc = fail_at(s, dl, dc, "point %" PRIu64 " (%s): %s", p, where, err.msg);
            goto out;
        }
        if (r->tile_axis && r->tpu && !r->has_wl) {
            const sweep_value *tv = &r->tile_axis->values[idx[r->tile_ax]];
            gemm_problem pb = {s->gemms[gi].m, s->gemms[gi].n, s->gemms[gi].k, 1, TP_INT8, false, false};
            tiler_opts to;
            (void)tpu_dtype(cfg, dts, &pb.dtype, NULL);
            tile_opts(tv->text, &to);
            if (tile_fits(cfg, &pb, &to, &err) != TP_OK) {
                rc = fail_at(s, tv->line, tv->col, "point %" PRIu64 " (%s): %s", p, where, err.msg);
                goto out;
            }
        }
    }
    /* the fingerprints */
    sha256_ctx h;
    sha256_init(&h);
    hash_input(&h, "base", &r->base);
    for (size_t j = 0; j < r->n_gpus; j++)
        hash_input(&h, "gpu", &r->gpus[j]);
    if (s->workload) {
        input_file wf = {s->workload, NULL, 0};
        if (read_text_file(s->workload, "workload", 64u << 20, &wf.text, &wf.len, &err) != TP_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        hash_input(&h, "workload", &wf);
        free(wf.text);
    }
    r->meta.format = SWEEP_FORMAT;
    memcpy(r->meta.sweep_sha256, s->sha256, 65);
    sha256_final_hex(&h, r->meta.inputs_sha256);
    snprintf(r->meta.version, sizeof r->meta.version, "%s", cli_version());
    snprintf(r->meta.commit, sizeof r->meta.commit, "%s", cli_commit());
    r->meta.points = s->n_points;
    build_columns(r);
out:
    free(cfg);
    free(gcfg);
    return rc;
}

/* ---- --merge ------------------------------------------------------------------------------------ */

static int cmp_u64p(const void *a, const void *b)
{
    uint64_t x = **(const uint64_t *const *)a, y = **(const uint64_t *const *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    uint64_t point;
    char *row;
} keyed_row;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed_row *x = a, *y = b;
    return x->point < y->point ? -1 : x->point > y->point;
}

static int do_merge(char **files, int n_files, const char *sweep_path, const char *csv_path, const char *json_path)
{
    (void)cmp_u64p;
    int rc = 2;
    sweep_csv *c = calloc((size_t)n_files, sizeof *c);
    char **texts = calloc((size_t)n_files, sizeof *texts);
    keyed_row *rows = NULL;
    size_t n_rows = 0;
    tp_err err = {0};
    sweep_spec spec;
    bool have_spec = false;
    if (!c || !texts) {
        rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
        goto out;
    }
    if (sweep_path) {
        if (sweep_load(sweep_path, &spec, &err) != TP_OK) {
            rc = cli_fail(&err);
            goto out;
        }
        have_spec = true;
    }
    uint64_t total = 0;
    for (int i = 0; i < n_files; i++) {
        size_t len;
        if (read_text_file(files[i], "sweep CSV", (size_t)1 << 34, &texts[i], &len, &err) != TP_OK ||
            sweep_csv_parse(files[i], texts[i], len, &c[i], &err) != TP_OK) {
            rc = cli_usage_error("--merge %s", err.msg);
            goto out;
        }
        const sweep_meta *m = &c[i].meta;
        if (!c[i].has_meta) {
            rc = cli_usage_error("--merge %s: not a sweep CSV (no header)", files[i]);
            goto out;
        }
        if (c[i].torn) {
            rc = cli_usage_error("--merge %s: its last row is torn (the run was interrupted; finish it with --resume)",
                                 files[i]);
            goto out;
        }
        if (!m->shard_n) {
            rc = cli_usage_error("--merge %s: not a shard's file (no '# shard: I/N' line)", files[i]);
            goto out;
        }
        if (have_spec && strcmp(m->sweep_sha256, spec.sha256)) {
            rc = cli_usage_error("--merge %s: from a different sweep than %s (sweep_sha256 %.12s..., the file's is %.12s...)",
                                 files[i], sweep_path, m->sweep_sha256, spec.sha256);
            goto out;
        }
        if (i > 0) {
            const sweep_meta *m0 = &c[0].meta;
            const char *what = strcmp(m->sweep_sha256, m0->sweep_sha256) ? "a different sweep (sweep_sha256)"
                               : strcmp(m->inputs_sha256, m0->inputs_sha256) ? "different inputs (inputs_sha256)"
                               : strcmp(m->version, m0->version) || strcmp(m->commit, m0->commit) ? "a different build of tpusim"
                               : m->points != m0->points ? "a sweep of a different size"
                               : m->shard_n != m0->shard_n ? "a different shard count"
                               : strcmp(c[i].columns, c[0].columns) ? "a different column set" : NULL;
            if (what) {
                rc = cli_usage_error("--merge %s: from %s than %s", files[i], what, files[0]);
                goto out;
            }
            for (int j = 0; j < i; j++)
                if (c[j].meta.shard_i == m->shard_i) {
                    rc = cli_usage_error("--merge %s: shard %u/%u again (also %s)", files[i], m->shard_i, m->shard_n,
                                         files[j]);
                    goto out;
                }
        }
        uint64_t want = sweep_shard_points(m->points, m->shard_i, m->shard_n);
        if (c[i].n_rows != want) {
            rc = cli_usage_error("--merge %s: shard %u/%u is incomplete: %zu of its %" PRIu64
                                 " points (finish it with --resume)", files[i], m->shard_i, m->shard_n, c[i].n_rows, want);
            goto out;
        }
        total += c[i].n_rows;
    }
    {
        uint32_t n = c[0].meta.shard_n;
        if ((uint32_t)n_files != n) {
            for (uint32_t s = 1; s <= n; s++) {
                bool found = false;
                for (int i = 0; i < n_files; i++)
                    found = found || c[i].meta.shard_i == s;
                if (!found) {
                    rc = cli_usage_error("--merge: shard %u/%u is missing", s, n);
                    goto out;
                }
            }
        }
    }
    rows = calloc(total ? total : 1, sizeof *rows);
    if (!rows) {
        rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
        goto out;
    }
    for (int i = 0; i < n_files; i++)
        for (size_t j = 0; j < c[i].n_rows; j++) {
            size_t len = c[i].row_len[j];
            char *row = malloc(len + 2);
            if (!row) {
                rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
                goto out;
            }
            memcpy(row, texts[i] + c[i].row_off[j], len);
            row[len] = '\n';
            row[len + 1] = 0;
            rows[n_rows++] = (keyed_row){c[i].point[j], row};
        }
    qsort(rows, n_rows, sizeof *rows, cmp_keyed);
    {
        sweep_meta m = c[0].meta;
        m.shard_i = m.shard_n = 0;
        char header[4096];
        size_t hl = sweep_meta_format(&m, header, sizeof header - 2);
        snprintf(header + hl, sizeof header - hl, "%s\n", c[0].columns);
        char **rp = malloc((n_rows ? n_rows : 1) * sizeof *rp);
        if (!rp) {
            rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
            goto out;
        }
        for (size_t i = 0; i < n_rows; i++)
            rp[i] = rows[i].row;
        rc = write_outputs(csv_path ? csv_path : "-", json_path, header, &m, c[0].columns, rp, n_rows);
        free(rp);
    }
out:
    for (size_t i = 0; rows && i < n_rows; i++)
        free(rows[i].row);
    free(rows);
    for (int i = 0; c && i < n_files; i++) {
        sweep_csv_free(&c[i]);
        free(texts ? texts[i] : NULL);
    }
    free(c);
    free(texts);
    if (have_spec)
        sweep_free(&spec);
    return rc;
}

/* ---- the command --------------------------------------------------------------------------------- */

/* A sweep file's name, among --merge's shard files. */
static bool is_yaml(const char *a)
{
    size_t n = strlen(a);
    return (n > 5 && !strcmp(a + n - 5, ".yaml")) || (n > 4 && !strcmp(a + n - 4, ".yml"));
}

int cmd_sweep(int argc, char **argv)
{
    const char *path = NULL, *csv_path = NULL, *json_path = NULL, *shard_s = NULL, *plot_metric = NULL;
    bool quiet = false;
    char svg_path[4096] = "";
    uint32_t jobs = 1, shard_i = 0, shard_n = 0;
    bool resume = false, merge = false;
    char **merge_files = calloc((size_t)(argc > 0 ? argc : 1), sizeof *merge_files);
    int n_merge = 0;
    static const char *const single[] = {"--csv", "--json", "-j|--jobs", "--shard", "--plot", NULL};
    cli_seen seen = {0};
    int rc = 2;
    if (!merge_files)
        return cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (cli_once(&seen, single, argc, argv, i))
            goto done;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            rc = 0;
            goto done;
        } else if (!strcmp(a, "--plot")) {
            if (!(plot_metric = cli_value(argc, argv, &i)))
                goto done;
        } else if (!strcmp(a, "--quiet")) {
            quiet = true;
        } else if (!strcmp(a, "--csv")) {
            if (!(csv_path = cli_value(argc, argv, &i)))
                goto done;
        } else if (!strcmp(a, "--json")) {
            if (!(json_path = cli_value(argc, argv, &i)))
                goto done;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u32(a, v, 1, SWEEP_MAX_JOBS, &jobs))
                goto done;
        } else if (!strncmp(a, "-j", 2) && a[2]) {
            if (cli_parse_u32("-j", a + 2, 1, SWEEP_MAX_JOBS, &jobs))
                goto done;
        } else if (!strcmp(a, "--shard")) {
            if (!(shard_s = cli_value(argc, argv, &i)))
                goto done;
            if (sweep_parse_shard(shard_s, &shard_i, &shard_n)) {
                cli_usage_error("--shard %s: expected I/N with 1 <= I <= N (e.g. 2/8)", shard_s);
                goto done;
            }
        } else if (!strcmp(a, "--resume")) {
            resume = true;
        } else if (!strcmp(a, "--merge")) {
            merge = true;
            /* the shard files: every argument up to the next flag, and .csv ones after it */
            while (i + 1 < argc && argv[i + 1][0] != '-' && !is_yaml(argv[i + 1]))
                merge_files[n_merge++] = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            cli_usage_error("sweep: unknown flag '%s' (try 'tpusim sweep --help')", a);
            goto done;
        } else if (merge && !is_yaml(a)) {
            merge_files[n_merge++] = argv[i];
        } else if (!path) {
            path = a;
        } else {
            cli_usage_error("sweep: unexpected argument '%s' (one sweep file)", a);
            goto done;
        }
    }
    if (csv_path && json_path && cli_stdout_clash("--csv", csv_path, "--json", json_path))
        goto done;
    if (plot_metric) {   /* FILE.svg beside --csv FILE.csv */
        if (merge) {
            cli_usage_error("--plot: not with --merge (plot the merged file with: tpusim sweep SWEEP.yaml --resume "
                            "--csv MERGED.csv --plot %s; every point is there, none runs)", plot_metric);
            goto done;
        }
        if (!csv_path || !strcmp(csv_path, "-")) {
            cli_usage_error("--plot %s: needs --csv FILE (the plot is written beside it, FILE.svg)", plot_metric);
            goto done;
        }
        size_t cl = strlen(csv_path);
        int base = cl > 4 && !strcmp(csv_path + cl - 4, ".csv") ? (int)(cl - 4) : (int)cl;
        if (cl + 5 > sizeof svg_path) {
            cli_usage_error("--csv %s: the path is too long for its plot's name", csv_path);
            goto done;
        }
        snprintf(svg_path, sizeof svg_path, "%.*s.svg", base, csv_path);
    }
    {
        const cli_output outs[] = {{"--csv", csv_path}, {"--json", json_path}, {"--plot", svg_path[0] ? svg_path : NULL}};
        if (cli_check_outputs(outs, 3))
            goto done;
    }
    if (merge) {
        if (resume || shard_n || jobs != 1) {
            cli_usage_error("--merge: cannot be combined with %s", resume ? "--resume" : shard_n ? "--shard" : "-j");
            goto done;
        }
        if (n_merge == 0) {
            cli_usage_error("--merge: expected the shard files (--merge a.csv b.csv ...)");
            goto done;
        }
        if (!csv_path && !json_path) {
            cli_usage_error("--merge: give --csv OUT (or --json FILE) for the merged file");
            goto done;
        }
        for (int i = 0; i < n_merge; i++)
            if (csv_path && strcmp(csv_path, "-") && afile_same(csv_path, merge_files[i])) {
                cli_usage_error("--csv %s: is also a --merge input; write the merged file elsewhere", csv_path);
                goto done;
            }
        rc = do_merge(merge_files, n_merge, path, csv_path, json_path);
        goto done;
    }
    if (!path) {
        cli_usage_error("sweep: expected a sweep file (kernels/sweeps/*.yaml), or --merge SHARD.csv...");
        goto done;
    }
    if (resume && (!csv_path || !strcmp(csv_path, "-"))) {
        cli_usage_error("--resume: needs --csv FILE (the file of the run to resume)");
        goto done;
    }
    sweep_run *r = calloc(1, sizeof *r);
    if (!r) {
        rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
        goto done;
    }
    if ((rc = setup(path, r)) != 0) {
        sweep_run_free(r);
        free(r);
        goto done;
    }
    rc = 2;
    /* --plot's metric, a numeric column, and its axes: the first dimension that varies across,
     * the second's values as lines. The GEMM list is the outermost dimension (its column the
     * first of m, n, k whose values differ), then the axes in file order; a dimension of one
     * value is left out, and a sweep of one point plots against the point index. */
    const char *dims[2] = {NULL, NULL};
    int nd = 0;
    if (!r->has_wl && r->spec.n_gemms > 1) {
        const sweep_gemm *g = r->spec.gemms;
        bool vm = false, vn = false, vk = false;
        for (size_t i = 1; i < r->spec.n_gemms; i++) {
            vm = vm || g[i].m != g[0].m;
            vn = vn || g[i].n != g[0].n;
            vk = vk || g[i].k != g[0].k;
        }
        if (vm || vn || vk)
            dims[nd++] = vm ? "m" : vn ? "n" : "k";
    }
    for (size_t i = 0; i < r->spec.n_axes && nd < 2; i++)
        if (r->spec.axes[i].n_values > 1)
            dims[nd++] = r->spec.axes[i].name;
    const char *plot_x = nd ? dims[0] : "point", *plot_series = dims[1];
    if (plot_metric) {
        bool found = false;
        char numeric[2048] = "";
        size_t nl = 0;
        for (int c = 0; c < r->cols.n; c++) {
            if (col_type_of(r->cols.name[c]) == COL_STR || !strcmp(r->cols.name[c], "point"))
                continue;
            found = found || !strcmp(r->cols.name[c], plot_metric);
            if (nl < sizeof numeric)
                nl += (size_t)snprintf(numeric + nl, sizeof numeric - nl, "%s%s", nl ? ", " : "", r->cols.name[c]);
        }
        if (!found) {
            cli_usage_error("--plot %s: not a numeric column of this sweep's CSV (numeric columns: %s)", plot_metric,
                            numeric);
            sweep_run_free(r);
            free(r);
            goto done;
        }
    }
    r->meta.shard_i = shard_i;
    r->meta.shard_n = shard_n;
    char header[16384];
    size_t hlen = header_text(&r->meta, &r->cols, header, sizeof header);
    uint64_t n_mine = sweep_shard_points(r->spec.n_points, shard_i, shard_n);
    char **rows = calloc(n_mine ? n_mine : 1, sizeof *rows);
    uint64_t *pending = calloc(n_mine ? n_mine : 1, sizeof *pending);
    char *old = NULL;
    sweep_csv prev;
    memset(&prev, 0, sizeof prev);
    int fd = -1;
    uint64_t kept = 0;
    if (!hlen || !rows || !pending) {
        tp_err e = {0};
        tp_err_set(&e, TP_ERR_NOMEM, "out of memory for %" PRIu64 " rows", n_mine);
        rc = cli_fail(&e);
        goto finish;
    }
    const char *colline = strrchr(header, '#');   /* the column line follows the last comment line */
    colline = strchr(colline, '\n') + 1;
    char colbuf[16384];
    snprintf(colbuf, sizeof colbuf, "%.*s", (int)(strlen(colline) - 1), colline);
    bool file_out = csv_path && strcmp(csv_path, "-");
    bool fresh = true;
    if (resume) {
        /* note 4: the file of the same sweep, build and shard; its whole rows are kept */
        size_t len = 0;
        tp_err err = {0};
        struct stat stt;
        if (stat(csv_path, &stt) == 0) {
            if (read_text_file(csv_path, "sweep CSV", (size_t)1 << 34, &old, &len, &err) != TP_OK ||
                sweep_csv_parse(csv_path, old, len, &prev, &err) != TP_OK) {
                rc = cli_usage_error("--resume %s", err.msg);
                goto finish;
            }
            if (prev.columns) {
                const sweep_meta *m = &prev.meta;
                const char *what = strcmp(m->sweep_sha256, r->meta.sweep_sha256) ? "a different sweep (sweep_sha256 differs)"
                                   : strcmp(m->inputs_sha256, r->meta.inputs_sha256) ? "different inputs (the base, gpu or workload files changed: inputs_sha256 differs)"
                                   : strcmp(m->version, r->meta.version) || strcmp(m->commit, r->meta.commit) ? "a different build of tpusim"
                                   : m->shard_i != shard_i || m->shard_n != shard_n ? "a different shard"
                                   : strcmp(prev.columns, colbuf) ? "a different column set" : NULL;
                if (what) {
                    if (!strcmp(what, "a different build of tpusim"))
                        rc = cli_usage_error("--resume %s: written by %s (%s commit %s; this is %s commit %s)", csv_path,
                                             what, m->version, m->commit, r->meta.version, r->meta.commit);
                    else
                        rc = cli_usage_error("--resume %s: written by %s", csv_path, what);
                    goto finish;
                }
                fresh = false;
                for (size_t i = 0; i < prev.n_rows; i++) {
                    uint64_t p = prev.point[i];
                    size_t rl = prev.row_len[i];
                    char *row = malloc(rl + 2);
                    if (!row) {
                        rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory"});
                        goto finish;
                    }
                    memcpy(row, old + prev.row_off[i], rl);
                    row[rl] = '\n';
                    row[rl + 1] = 0;
                    rows[slot_of(p, shard_n)] = row;
                    kept++;
                }
            }
        }
    }
    size_t n_pending = 0;
    for (uint64_t p = shard_n ? shard_i - 1 : 0; p < r->spec.n_points; p += shard_n ? shard_n : 1)
        if (!rows[slot_of(p, shard_n)])
            pending[n_pending++] = p;
    if (file_out) {
        /* note 3: the header first, then one write per row */
        fd = open(csv_path, O_WRONLY | O_CREAT | O_APPEND | (fresh ? O_TRUNC : 0), 0666);
        if (fd < 0) {
            rc = cli_usage_error("--csv %s: cannot open for writing: %s", csv_path, strerror(errno));
            goto finish;
        }
        if (!fresh && prev.torn && ftruncate(fd, (off_t)prev.good_bytes) != 0) {
            rc = cli_usage_error("--csv %s: cannot cut its torn last row: %s", csv_path, strerror(errno));
            goto finish;
        }
        if (fresh && write(fd, header, hlen) != (ssize_t)hlen) {
            rc = cli_usage_error("--csv %s: write error: %s", csv_path, strerror(errno));
            goto finish;
        }
    }
    work_queue q;
    memset(&q, 0, sizeof q);
    q.r = r;
    q.pending = pending;
    q.n_pending = n_pending;
    q.rows = rows;
    q.shard_i = shard_i;
    q.shard_n = shard_n;
    q.fd = fd;
    q.csv_path = csv_path;
    progress bar;   /* points done; on a terminal stderr only, not with --quiet */
    progress_init(&bar, n_pending, "sweep", "points", !quiet);
    q.bar = &bar;
    pthread_mutex_init(&q.mu, NULL);
    uint32_t nt = jobs < n_pending ? jobs : (uint32_t)(n_pending ? n_pending : 1);
    pthread_t th[SWEEP_MAX_JOBS];
    uint32_t started = 0;
    for (uint32_t t = 1; t < nt; t++) {
        if (pthread_create(&th[t], NULL, worker, &q) != 0)
            break;
        started = t;
    }
    worker(&q);
    for (uint32_t t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&q.mu);
    progress_finish(&bar);
    if (q.write_errno) {
        rc = cli_usage_error("--csv %s: write error: %s", csv_path ? csv_path : "-", strerror(q.write_errno));
        goto finish;
    }
    /* note 3: the finished file in point order, atomically */
    rc = write_outputs(csv_path ? csv_path : json_path ? NULL : "-", json_path, header, &r->meta, colbuf, rows,
                       (size_t)n_mine);
    if (rc == 0 && file_out && !(json_path && !strcmp(json_path, "-")))
        printf("sweep %s: %" PRIu64 " point(s)%s, %zu run, %" PRIu64 " kept from --resume, %" PRIu64 " failed -> %s\n",
               r->spec.source, n_mine, shard_n ? " of this shard" : "", n_pending, kept, q.failed, csv_path);
    if (rc == 0 && plot_metric) {   /* after the CSV: a missing gnuplot costs only the plot */
        tp_err perr = {0};
        if (plot_csv_metric(csv_path, svg_path, plot_metric, plot_x, plot_series, &perr) != TP_OK)
            rc = cli_fail(&perr);
    }
    if (rc == 0 && q.failed) {
        char shown[520];
        fprintf(stderr, "tpusim: sweep %s: %" PRIu64 " of %" PRIu64 " point(s) could not run (status error in their rows); "
                        "first: point %" PRIu64 ": %s\n",
                r->spec.source, q.failed, n_mine, q.first_failed, text_shown(q.first_msg, shown, sizeof shown));
        rc = 2;
    }
finish:
    if (fd >= 0)
        close(fd);
    for (uint64_t i = 0; rows && i < n_mine; i++)
        free(rows[i]);
    free(rows);
    free(pending);
    free(old);
    sweep_csv_free(&prev);
    sweep_run_free(r);
    free(r);
done:
    free(merge_files);
    return rc;
}
