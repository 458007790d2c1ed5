/* The GPU side of `tpusim gemm` and `tpusim model` (docs/gpu.md): one CUTLASS-style kernel per
 * GEMM on the SIMT GPU model (gpu/gpu.h), timing only: the values are never computed, so there
 * is nothing to check, read or write. The report is the TPU's (report_text, the bound sentence)
 * under a header naming the kernel, its occupancy and waves; the JSON run sits under "gpu". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"
#include "base/progress.h"
#include "cli/cli.h"
#include "cli/cli_gpu.h"
#include "base/text.h"
#include "gpu/gpu.h"
#include "gpu/kernel.h"
#include "report/bound.h"
#include "report/report.h"
#include "work/workload.h"

/* The kernel of --gpu-kernel SPEC for the input type, checked against the chip; one line
 * naming the flag on error. */
static int parse_kernel(const tp_gpu_cfg *g, gpu_in in, const char *spec, gpu_kernel *k)
{
    tp_err err = {0}, e2 = {0};
    tp_status st = gpu_kernel_parse(g, in, spec, k, &err);
    if (st == TP_OK)
        st = gpu_kernel_check(g, k, NULL, &err);
    if (st == TP_OK)
        return 0;
    if (!strncmp(err.msg, "kernel '", 8))   /* the parser's message names the text already */
        tp_err_set(&e2, st, "--gpu-kernel: %s", err.msg);
    else
        tp_err_set(&e2, st, "--gpu-kernel %s: %s", spec, err.msg);
    return cli_fail(&e2);
}

/* ", 1530 MHz boost" after the sustained clock where the config gives one below the boost clock:
 * the run's cycles and peak are at the sustained clock, the datasheet's peak at the boost. */
static const char *boost_note(const tp_gpu_cfg *g, char *b, size_t n)
{
    if (g->sustained_clock_hz == g->clock_hz)
        return "";
    snprintf(b, n, " sustained, %.4g MHz boost", (double)g->clock_hz / 1e6);
    return b;
}

static void print_header(const tp_config *cfg, const gemm_problem *pb, bool fp16, bool given,
                         const gpu_run_info *ri, const tp_stats *s, FILE *f)
{
    const tp_gpu_cfg *g = &cfg->gpu;
    char kb[48], t[32], bn[48];
    uint64_t slots = (uint64_t)g->sms * ri->kinfo.occupancy, lookups = ri->l2_hits + ri->l2_misses;
    fprintf(f, "gemm %ux%ux%u %s on %s (GPU, %u SMs at %.4g MHz%s)\n", pb->m, pb->n, pb->k,
            fp16 ? "fp16" : dtype_name(pb->dtype), g->name, g->sms, (double)g->sustained_clock_hz / 1e6,
            boost_note(g, bn, sizeof bn));
    if (pb->batch > 1)
        fprintf(f, "  batch            %u\n", pb->batch);
    if (pb->transpose_a || pb->transpose_b)
        fprintf(f, "  stored           %s%s%s\n", pb->transpose_a ? "A transposed (K x M)" : "",
                pb->transpose_a && pb->transpose_b ? ", " : "", pb->transpose_b ? "B transposed (N x K)" : "");
    fprintf(f, "  kernel           %s (%s), MMA %ux%ux%u%s%s%s\n", gpu_kernel_format(&ri->kernel, kb, sizeof kb),
            given ? "given by --gpu-kernel" : "chosen by the heuristic search", ri->kernel.im, ri->kernel.in,
            ri->kernel.ik, ri->kernel.simt ? " on the SIMT lanes (dp4a)" : ri->kernel.wgmma ? " warpgroup" : "",
            ri->kernel.tma ? ", tiles by TMA" : "", ri->kernel.split_k > 1 ? ", split-K" : "");
    fprintf(f, "  occupancy        %u CTA(s) per SM (bound by %s): %u threads, %u registers per thread, %" PRIu64
               " bytes of shared memory per CTA\n",
            ri->kinfo.occupancy, ri->kinfo.limit, ri->kinfo.threads, ri->kinfo.regs_per_thread, ri->kinfo.smem_bytes);
    fprintf(f, "  waves            %" PRIu64 " CTAs in %" PRIu64 " wave(s) of %" PRIu64, ri->ctas, ri->waves, slots);
    if (ri->skipped_waves)
        fprintf(f, " (%" PRIu64 " steady wave(s) not simulated, repeated from the one before)", ri->skipped_waves);
    fputc('\n', f);
    fprintf(f, "  L2               %" PRIu64 " hits, %" PRIu64 " misses of the loads' line lookups (%.1f%% hits)\n",
            ri->l2_hits, ri->l2_misses, lookups ? 100.0 * (double)ri->l2_hits / (double)lookups : 0.0);
    report_time((double)g->launch_overhead_ps / 1e12, t, sizeof t);
    fprintf(f, "  launch           %s fixed overhead (%" PRIu64 " cycles) included in the time\n", t, ri->launch_cycles);
    fprintf(f, "  result           not computed (the GPU model is timing only)\n\n");
    report_text(s, f);
}

void cli_json_gpu_kernel_info(json_w *w, const gpu_run_info *ri, bool given)
{
    const gpu_kernel *k = &ri->kernel;
    json_key(w, "kernel_info");
    json_begin_object(w);
    json_kv_bool(w, "given", given);
    json_key(w, "cta_tile");
    json_begin_array(w);
    json_u64(w, k->bm);
    json_u64(w, k->bn);
    json_u64(w, k->bk);
    json_end_array(w);
    json_key(w, "warp_tile");
    json_begin_array(w);
    json_u64(w, k->wm);
    json_u64(w, k->wn);
    json_end_array(w);
    json_key(w, "mma");
    json_begin_array(w);
    json_u64(w, k->im);
    json_u64(w, k->in);
    json_u64(w, k->ik);
    json_end_array(w);
    json_kv_u64(w, "stages", k->stages);
    json_kv_u64(w, "split_k", k->split_k);
    json_kv_u64(w, "swizzle", k->swizzle);
    json_kv_str(w, "smem_layout", gpu_smem_layout_name(k->layout));
    json_kv_str(w, "input", gpu_in_name(k->input));
    json_kv_str(w, "path", k->simt ? "dp4a" : k->wgmma ? "wgmma" : "mma");
    json_kv_bool(w, "tma", k->tma);
    json_kv_u64(w, "threads", ri->kinfo.threads);
    json_kv_u64(w, "regs_per_thread", ri->kinfo.regs_per_thread);
    json_kv_u64(w, "smem_bytes", ri->kinfo.smem_bytes);
    json_kv_u64(w, "occupancy", ri->kinfo.occupancy);
    json_kv_str(w, "occupancy_limit", ri->kinfo.limit);
    json_kv_u64(w, "ctas", ri->ctas);
    json_kv_u64(w, "waves", ri->waves);
    json_kv_u64(w, "skipped_waves", ri->skipped_waves);
    json_kv_u64(w, "l2_hits", ri->l2_hits);
    json_kv_u64(w, "l2_misses", ri->l2_misses);
    json_kv_u64(w, "launch_cycles", ri->launch_cycles);
    json_kv_u64(w, "kernel_cycles", ri->kernel_cycles);
    json_end_object(w);
}

int cli_gemm_gpu(const cli_machine_opts *mo, const tp_config *cfg, const cli_gpu_gemm_args *a)
{
    const tp_gpu_cfg *g = &cfg->gpu;
    gemm_problem pb = {a->m, a->n, a->k, a->batch ? a->batch : 1, TP_INT8, a->transpose_a, a->transpose_b};
    gpu_run_opts o;
    gpu_kernel k;
    gpu_run_info ri;
    tp_stats s;
    tp_err err = {0};
    int rc;
    memset(&o, 0, sizeof o);
    if ((rc = cli_gpu_resolve_dtype(cfg, a->dtype, &pb.dtype, &o.fp16)) != 0)
        return rc;
    if (a->kernel) {
        if ((rc = parse_kernel(g, o.fp16 ? GPU_IN_FP16 : gpu_in_of(pb.dtype), a->kernel, &k)) != 0)
            return rc;
        o.kernel = &k;
    }
    stats_init(&s);
    timeline tl;
    bool page = a->html && a->html->path;
    tl_init(&tl, cli_timeline_cap(a->trace_path, a->trace_cap));
    o.trace = a->trace_path || page ? &tl : NULL;   /* the page embeds the timeline too */
    timeline *tls[1] = {&tl};
    cli_trace_src src = {tls, 1, "gemm"};
    if (a->html) {
        a->html->write_trace = cli_trace_embed;
        a->html->trace_ctx = &src;
    }
    if (gpu_run_gemm_opts(cfg, &pb, &o, &s, &ri, &err) != TP_OK) {
        tl_free(&tl);
        return cli_fail(&err);
    }
    bool json_stdout = (a->json_path && !strcmp(a->json_path, "-")) || (a->trace_path && !strcmp(a->trace_path, "-"));
    if (!json_stdout)
        print_header(cfg, &pb, o.fp16, a->kernel != NULL, &ri, &s, stdout);
    rc = 0;
    if (a->json_path || (a->html && a->html->path)) {
        cli_doc doc;
        FILE *f = cli_doc_open(&doc, a->json_path, a->html);
        if (!f) {
            stats_free(&s);
            tl_free(&tl);
            return 2;
        }
        json_w w;
        cli_json_begin(&w, f, "gemm");
        json_key(&w, "gpu");
        json_begin_object(&w);
        report_json_members(&s, &w);   /* with the record's attributes: kernel, occupancy, waves, l2_hits, ... */
        cli_json_config(&w, mo, cfg);
        json_key(&w, "gemm");
        json_begin_object(&w);
        cli_json_gemm_members(&w, &pb, NULL);
        json_end_object(&w);
        cli_json_gpu_kernel_info(&w, &ri, a->kernel != NULL);
        json_kv_double(&w, "launch_overhead_seconds", (double)g->launch_overhead_ps / 1e12);
        json_kv_str(&w, "check", report_check_name(REPORT_CHECK_TIMING_ONLY));
        json_end_object(&w);
        json_end_object(&w);
        rc = cli_doc_close(&doc, json_finish(&w) != 0);
        if (!rc && a->html && a->html->path)
            rc = cli_html_write(a->html);
        if (a->html)
            cli_html_free(a->html);
    }
    if (!rc && a->trace_path)
        rc = cli_trace_write(a->trace_path, &tl, "gemm");
    tl_free(&tl);
    stats_free(&s);
    return rc;
}

/* ---- model ------------------------------------------------------------------------------------ */

static void print_model(const workload *w, const tp_config *cfg, const cli_gpu_layer *L, const tp_stats *total,
                        const report_bound *tb, FILE *out)
{
    const tp_gpu_cfg *g = &cfg->gpu;
    double ops_scale = total->peak_ops_per_s >= 1e12 ? 1e12 : 1e9;
    uint64_t tot_cyc = 0, tot_macs = 0;
    char bn[48];
    fprintf(out, "model %s: %zu layer(s) on %s (GPU, %u SMs at %.4g MHz%s; each layer one kernel reading its input "
                 "from DRAM; timing only)\n",
            SHOWN(w->name), w->n_layers, SHOWN(g->name), g->sms, (double)g->sustained_clock_hz / 1e6,
            boost_note(g, bn, sizeof bn));
    fprintf(out, "  %-14s %-5s %7s %7s %7s %6s %-28s %5s %14s %8s %10s  %s\n", "layer", "dtype", "M", "N", "K", "repeat",
            "kernel", "waves", "cycles", "util%", ops_scale >= 1e12 ? "T(FL)OPS" : "G(FL)OPS", "bound");
    for (size_t i = 0; i < w->n_layers; i++) {
        const cli_gpu_layer *l = &L[i];
        char kb[48];
        uint32_t rep = w->layers[i].repeat;
        tot_cyc += l->s.cycles * rep;
        tot_macs += l->s.macs * rep;
        fprintf(out, "  %-14s %-5s %7u %7u %7u %6u %-28s %5" PRIu64 " %14" PRIu64 " %8.2f %10.4g  %s\n", SHOWN(w->layers[i].name),
                l->s.dtype, l->pb.m, l->pb.n, l->pb.k, rep, gpu_kernel_format(&l->ri.kernel, kb, sizeof kb), l->ri.waves,
                l->s.cycles * rep, 100.0 * l->s.utilization, l->s.ops_per_s / ops_scale, l->b.label);
    }
    char t[32];
    report_time(total->seconds, t, sizeof t);
    fprintf(out, "  %-14s %71s %14" PRIu64 " %8.2f %10.4g\n", "total", "", tot_cyc, 100.0 * total->utilization,
            total->ops_per_s / ops_scale);
    fprintf(out, "  time %s at %.4g MHz; %" PRIu64 " MACs; each kernel's fixed launch overhead included; kernels chosen "
                 "by the heuristic search; values not computed (the GPU model is timing only)\n",
            t, (double)total->clock_hz / 1e6, tot_macs);
    /* where the cycles went, and the memory traffic, over the whole workload */
    report_categories(total, "\n  ", out);
    for (uint32_t i = 0; i < total->n_levels; i++) {
        const stats_level *l = &total->levels[i];
        fprintf(out, "  memory %-10s read %.4g MB, written %.4g MB, on the bus %.4g MB; %.1f%% of peak bandwidth\n", l->name,
                (double)l->read_bytes / 1e6, (double)l->write_bytes / 1e6, (double)l->bus_bytes / 1e6,
                100.0 * l->bandwidth_utilization);
    }
    fprintf(out, "\n%s\n", tb->sentence);
}

void cli_json_gpu_model(json_w *jw, const cli_machine_opts *mo, const tp_config *cfg, const workload *w,
                        const cli_gpu_model *m)
{
#define j (*jw)
    const cli_gpu_layer *L = m->L;
    const tp_stats *total = &m->total;
    uint64_t tot_cyc = 0, tot_macs = 0;
    report_json_members(total, &j);   /* the whole workload as one run: repeats applied */
    cli_json_config(&j, mo, cfg);
    json_key(&j, "workload");
    json_begin_object(&j);
    json_kv_str(&j, "name", w->name);
    json_kv_str(&j, "source", w->source);
    json_end_object(&j);
    json_key(&j, "layers");
    json_begin_array(&j);
    for (size_t i = 0; i < w->n_layers; i++) {
        const cli_gpu_layer *l = &L[i];
        uint32_t rep = w->layers[i].repeat;
        char kb[48];
        tot_cyc += l->s.cycles * rep;
        tot_macs += l->s.macs * rep;
        json_begin_object(&j);
        json_kv_str(&j, "name", w->layers[i].name);
        if (w->layers[i].fwd >= 0)   /* a training step's GEMM (model --train) */
            cli_json_train_layer(&j, &w->layers[i]);
        json_kv_str(&j, "dtype", l->s.dtype);
        json_kv_u64(&j, "m", l->pb.m);
        json_kv_u64(&j, "n", l->pb.n);
        json_kv_u64(&j, "k", l->pb.k);
        json_kv_u64(&j, "repeat", rep);
        json_kv_u64(&j, "cycles", l->s.cycles * rep);
        json_kv_u64(&j, "cycles_per_run", l->s.cycles);
        json_kv_u64(&j, "macs", l->s.macs * rep);
        json_kv_double(&j, "seconds", l->s.seconds * rep);
        json_kv_double(&j, "ops_per_s", l->s.ops_per_s);
        json_kv_double(&j, "utilization", l->s.utilization);
        json_kv_str(&j, "kernel", gpu_kernel_format(&l->ri.kernel, kb, sizeof kb));
        json_kv_u64(&j, "occupancy", l->ri.kinfo.occupancy);
        json_kv_u64(&j, "ctas", l->ri.ctas);
        json_kv_u64(&j, "waves", l->ri.waves);
        json_key(&j, "input");
        if (w->layers[i].input >= 0)
            json_str(&j, w->layers[w->layers[i].input].name);
        else
            json_null(&j);
        json_kv_str(&j, "check", report_check_name(REPORT_CHECK_TIMING_ONLY));
        json_kv_str(&j, "bound", stats_category_name(l->b.category));
        json_end_object(&j);
    }
    json_end_array(&j);
    json_key(&j, "total");
    json_begin_object(&j);
    json_kv_u64(&j, "cycles", tot_cyc);
    json_kv_u64(&j, "macs", tot_macs);
    json_kv_double(&j, "seconds", total->seconds);
    json_kv_double(&j, "ops_per_s", total->ops_per_s);
    json_kv_double(&j, "utilization", total->utilization);
    json_end_object(&j);
    json_kv_str(&j, "check", report_check_name(REPORT_CHECK_TIMING_ONLY));
#undef j
}

static int write_model_json(const char *path, cli_html *h, const cli_machine_opts *mo, const tp_config *cfg,
                            const workload *w, const cli_gpu_model *m)
{
    cli_doc doc;
    FILE *f = cli_doc_open(&doc, path, h);
    if (!f)
        return 2;
    json_w j;
    cli_json_begin(&j, f, "model");
    json_key(&j, "gpu");
    json_begin_object(&j);
    cli_json_gpu_model(&j, mo, cfg, w, m);
    json_end_object(&j);
    json_end_object(&j);
    return cli_doc_close(&doc, json_finish(&j) != 0);
}

void cli_gpu_model_free(cli_gpu_model *m)
{
    for (size_t i = 0; m->L && i < m->n; i++)
        stats_free(&m->L[i].s);
    free(m->L);
    m->L = NULL;
    stats_free(&m->total);
}

tp_status cli_gpu_model_run(const tp_config *cfg, const workload *wl, const char *path, const cli_gpu_dtype *given,
                            const cli_gpu_dtype *fallback, bool quiet, timeline *tl, cli_gpu_model *m, tp_err *err)
{
    const workload w = *wl;
    bool record = tl != NULL;
    tp_dtype cli_dt = given ? given->dt : TP_INT8, fb_dt = fallback ? fallback->dt : TP_INT8;
    bool cli_fp16 = given && given->fp16, fb_fp16 = fallback && fallback->fp16;
    memset(m, 0, sizeof *m);
    stats_init(&m->total);
    cli_gpu_layer *L = m->L = calloc(w.n_layers ? w.n_layers : 1, sizeof *L);
    m->n = w.n_layers;
    tp_stats *total = &m->total;
    tp_status st = L ? TP_OK : tp_err_set(err, TP_ERR_NOMEM, "out of memory for %zu layers' GPU records", w.n_layers);
    if (!L)
        m->n = 0;
    for (size_t i = 0; L && i < w.n_layers; i++)
        stats_init(&L[i].s);
    progress bar;   /* layers done; on a terminal stderr only, not with --quiet */
    progress_init(&bar, w.n_layers, "model", "layers", !quiet);
    for (size_t i = 0; i < w.n_layers && st == TP_OK; i++) {
        progress_update(&bar, i);
        const workload_layer *l = &w.layers[i];
        cli_gpu_layer *g = &L[i];
        /* a layer's own dtype, else --dtype, else the workload's default, else the chip's */
        bool fp16 = false;
        tp_dtype dt;
        if (l->has_dtype || (!given && w.has_dtype))
            dt = l->has_dtype ? l->dtype : w.dtype;
        else if (given)
            dt = cli_dt, fp16 = cli_fp16;
        else if (fallback)
            dt = fb_dt, fp16 = fb_fp16;
        else {   /* int8 where the chip has it, else bf16, else fp16 (cli_gpu_resolve_dtype) */
            dt = cfg_gpu_supports(&cfg->gpu, TP_INT8) ? TP_INT8 : TP_BF16;
            fp16 = dt == TP_BF16 && !cfg_gpu_supports(&cfg->gpu, TP_BF16) && cfg->gpu.mma_fp16.present;
        }
        if (!fp16 && !cfg_gpu_supports(&cfg->gpu, dt)) {
            char list[64];
            cli_gpu_dtype_list(cfg, list, sizeof list);
            st = tp_err_at(err, TP_ERR_UNSUPPORTED, path, l->line, 0, "layer '%s': GPU '%s' does not support %s (it supports: %s%s)",
                           l->name, cfg->gpu.name, dtype_name(dt), list,
                           cfg->gpu.mma_fp16.present && !l->has_dtype ? "; --dtype fp16 runs it as fp16" : "");
            break;
        }
        g->pb = (gemm_problem){l->m, l->n, l->k, 1, dt, l->transpose_a, l->transpose_b};   /* --train's transposes */
        g->fp16 = fp16;
        gpu_run_opts o;
        memset(&o, 0, sizeof o);
        o.fp16 = fp16;
        o.trace = tl;
        st = gpu_run_gemm_opts(cfg, &g->pb, &o, &g->s, &g->ri, err);
        if (st == TP_OK && record) {
            uint32_t s = tl_slice(tl, tl_track(tl, "model", "layers", "layer"), 0, g->s.cycles, l->name);
            tl_arg_u64(tl, s, "layer", i);
            tl_arg_u64(tl, s, "m", l->m);
            tl_arg_u64(tl, s, "n", l->n);
            tl_arg_u64(tl, s, "k", l->k);
            tl_arg_u64(tl, s, "repeat", l->repeat);
            tl->offset += g->s.cycles;
        }
        if (st != TP_OK) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            st = tp_err_at(err, st, path, l->line, 0, "layer '%s': %s", l->name, msg);
            break;
        }
        report_bound_of(&g->s, &g->b);
        st = report_stats_add(total, &g->s, l->repeat, err);
    }
    progress_finish(&bar);
    if (st != TP_OK) {
        cli_gpu_model_free(m);
        return st;
    }
    stats_finish(total);
    report_bound_of(total, &m->tb);
    return TP_OK;
}

static int gpu_model_plot(const char *plot_path, const tp_config *cfg, const workload *w, const cli_gpu_model *m)
{
    plot_point *pts = calloc(w->n_layers ? w->n_layers : 1, sizeof *pts);
    cli_roofs roofs = {0};
    if (!pts)
        return cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory for the roofline's points"});
    for (size_t i = 0; i < w->n_layers; i++) {
        const cli_gpu_layer *l = &m->L[i];
        char rn[96];
        snprintf(rn, sizeof rn, "GPU %s %s", cfg->gpu.name, l->fp16 ? "fp16" : dtype_name(l->pb.dtype));
        cli_roof_add(&roofs, rn, l->s.peak_ops_per_s, l->s.offchip_peak_bytes_per_s);
        pts[i] = (plot_point){w->layers[i].name, "GPU", l->s.intensity, l->s.ops_per_s};
    }
    char title[300];
    snprintf(title, sizeof title, "model %s on %s: roofline", w->name, cfg->gpu.name);
    int rc = cli_plot_roofline(plot_path, title, pts, w->n_layers, &roofs);
    free(pts);
    return rc;
}

int cli_gpu_model_outputs(const char *trace_path, timeline *tl, cli_html *h, const char *plot_path,
                          const tp_config *cfg, const workload *w, const cli_gpu_model *m)
{
    int rc = 0;
    if (trace_path)
        rc = cli_trace_write(trace_path, tl, "model");
    if (!rc && h->path)
        rc = cli_html_write(h);
    /* the roofline after the other outputs: a missing gnuplot costs only the plot */
    if (!rc && plot_path)
        rc = gpu_model_plot(plot_path, cfg, w, m);
    return rc;
}

int cli_model_gpu(const cli_machine_opts *mo, const tp_config *cfg, const char *path, const char *dtype_s,
                  const char *json_path, const char *plot_path, bool quiet, const char *trace_path,
                  uint64_t trace_cap, cli_html *h)
{
    timeline tl;   /* --trace: the layers one after the other, each repeated layer once */
    tl_init(&tl, cli_timeline_cap(trace_path, trace_cap));
    timeline *tls[1] = {&tl};
    cli_trace_src src = {tls, 1, "model"};
    h->write_trace = cli_trace_embed;   /* the page embeds the timeline too */
    h->trace_ctx = &src;
    bool record = trace_path || h->path;
    tp_err err = {0};
    workload w;
    int rc = 0;
    tp_dtype cli_dt = TP_INT8;
    bool cli_fp16 = false;
    if (dtype_s && (rc = cli_gpu_resolve_dtype(cfg, dtype_s, &cli_dt, &cli_fp16)) != 0)
        return rc;
    if (workload_load(path, &w, &err) != TP_OK)
        return cli_fail(&err);
    cli_gpu_model m;
    cli_gpu_dtype given = {cli_dt, cli_fp16};
    if (cli_gpu_model_run(cfg, &w, path, dtype_s ? &given : NULL, NULL, quiet, record ? &tl : NULL, &m, &err) != TP_OK) {
        tl_free(&tl);
        workload_free(&w);
        return cli_fail(&err);
    }
    cli_gpu_layer *L = m.L;
    tp_stats *total = &m.total;
    if ((!json_path || strcmp(json_path, "-")) && (!plot_path || strcmp(plot_path, "-")) &&
        (!trace_path || strcmp(trace_path, "-")))
        print_model(&w, cfg, L, total, &m.tb, stdout);   /* stdout carries the JSON, SVG or trace alone */
    if (json_path || h->path)
        rc = write_model_json(json_path, h, mo, cfg, &w, &m);
    if (!rc)
        rc = cli_gpu_model_outputs(trace_path, &tl, h, plot_path, cfg, &w, &m);
    cli_html_free(h);
    tl_free(&tl);
    cli_gpu_model_free(&m);
    workload_free(&w);
    return rc;
}
