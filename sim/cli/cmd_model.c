/* tpusim model WORKLOAD: runs a list of GEMM layers (work/workload.h) on the machine and
 * prints per-layer and total results.
 *
 * The graph. A layer's A is the output of the layer its file names (`input: fc1`), or comes
 * from off-chip memory when it names none; layers are never connected by shape.
 * Chaining (as on TPUv1): the machine can keep an output in the UB only for the NEXT layer of
 * the file, in the same program on one core, and not with the is dataflow (whose stationary
 * operand, a layer's A, comes through the weight FIFO from off-chip memory). So a layer chains from the previous one when it
 * names that layer as its input, it is that layer's only reader, both have the same dtype and
 * repeat count, and the machine has one core: the output is activated into a UB region in the
 * input dtype (int8 requantized with the layer's scale, bf16 rounded; ReLU when the layer's
 * epilogue says so) and the next layer's matmuls read it from there, so it never goes off-chip.
 * Two such regions alternate at the top of the UB, and the layers' tiles are chosen for the UB
 * that remains; if the regions would take more than half the UB, the output goes off-chip and
 * back instead. Every other connection goes through off-chip memory: the producer stores its C
 * (its group's last output) and the reader loads it as its A, converted to the input dtype the
 * same way (the conversion itself is not timed).
 * A layer's cycles are measured inside its group's run: from the end of the previous layer's
 * last instruction to the end of its own. `repeat` runs a layer (or a chained group) that many
 * times back to back: its cycles are multiplied.
 * With data (the default), every output that goes off-chip (each group's last) is checked bit
 * for bit against the reference, which follows the same graph: a group's reference input is
 * its producer's reference output (converted as above) or, without one, the same random input
 * the machine reads; inside a group the reference chains the layers with the same conversions
 * (tiler/run.h's order). The machine's input is its producer's machine output.
 * --train (work/train.h) replaces the file's layers by the training step's GEMMs before any of
 * this: they carry their transposes into the GEMM problem (and the bindings of A and B), and a
 * dgrad's input is its reader's dgrad, so the same graph, chaining and check apply; the report
 * adds a phase column and the per-phase block (train_print, train_json). On a GPU config the
 * step runs in model_train_gpu, one kernel per GEMM. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"
#include "base/progress.h"
#include "base/rng.h"
#include "cli/cli.h"
#include "cli/cli_gpu.h"
#include "base/text.h"
#include "num/gemm.h"
#include "report/bound.h"
#include "report/report.h"
#include "num/pool.h"
#include "tiler/run.h"
#include "tiler/tiler.h"
#include "work/fill.h"
#include "work/ref.h"
#include "work/train.h"
#include "work/workload.h"
#include "gpu/gpu.h"
#include "gpu/kernel.h"

static const char usage_text[] =
    "usage: tpusim model WORKLOAD [-c CONFIG] [--set PATH=VALUE]... [--dtype int8|bf16|fp16]\n"
    "                   [--dataflow ws|os|is] [--engine fast|pe] [--fast-forward on|off] [--json FILE|-]\n"
    "                   [--no-data] [--no-check] [--seed S]\n"
    "                   [--plot FILE.svg|-] [--trace FILE|-] [--trace-cap N] [--html FILE] [--quiet] [--train]\n"
    "                   [-g GPU_CONFIG|analogous [--gpu-dtype D]]\n"
    "WORKLOAD is a YAML layer list (kernels/workloads/*.yaml) or a SCALE-Sim topology CSV\n"
    "(GEMM form 'Layer, M, N, K,' or conv form, lowered by im2col). A YAML layer reads the\n"
    "output of the earlier layer its 'input:' names, else its own input from off-chip memory;\n"
    "CSV layers are independent (docs/workloads.md).\n"
    CLI_HELP_FAST_FORWARD
    "On a GPU config each layer is one kernel (chosen by the heuristic search) reading its input\n"
    "from DRAM, timing only; --dtype fp16 runs on GPUs only (docs/gpu.md).\n"
    "--plot draws the roofline through gnuplot: each layer a point under the machine's roof\n"
    "(docs/plots.md). A progress bar (layers done, rate, ETA) is drawn on stderr when it is a\n"
    "terminal, and a workload estimated at 1 GiB or 10 s or more says so in one line before it\n"
    "runs (docs/tiler.md); --quiet leaves both out.\n"

    "--trace writes a Chrome/Perfetto trace, the layers one after the other, each repeated\n"
    "layer once; with -g, the GPU's run beside the TPU's (docs/trace.md).\n"
    "--train runs a training step: every layer's forward GEMM, then from the last layer to the\n"
    "first its input gradient dX = dY . W^T (B transposed) and weight gradient dW = X^T . dY\n"
    "(A transposed), 3x the forward MACs; per-phase and total figures (docs/workloads.md).\n"
    "-g GPU_CONFIG (or -g analogous) [--gpu-dtype D] also runs each layer on the GPU and prints a\n"
    "per-layer table of both machines and the totals as 'tpusim compare' does (docs/compare.md);\n"
    "the TPU is then configs/tpu-v4.yaml without -c; --set gpu.KEY=V applies to the GPU config.\n";

/* How a layer gets its input. */
typedef enum {
    LINK_NONE,               /* no input: named: off-chip memory */
    LINK_UB,                 /* chained: its producer (the previous layer) left it in the UB */
    /* through off-chip memory, because ... */
    LINK_NOT_NEXT,           /* the producer is not the previous layer */
    LINK_SHARED,             /* the producer feeds several layers */
    LINK_CORES,              /* several cores: each layer runs on its own */
    LINK_REPEAT,             /* the two repeat counts differ */
    LINK_DATAFLOW,           /* is: A is the stationary operand, loaded through the weight FIFO */
    LINK_NO_ROOM             /* the regions or the layers' tiles do not fit the UB */
} link_kind;

typedef struct {
    const workload_layer *layer;   /* as the file gives it */
    gemm_problem pb;
    tiler_plan plan;
    bool in_ub, out_ub;      /* chained from the previous / into the next layer */
    uint64_t cycles;         /* one run */
    uint32_t repeat;
    bool checked, match;
    int64_t input;           /* the producing layer (workload_layer.input), -1: none */
    uint32_t readers;        /* layers that name this one as their input */
    size_t last_reader;      /* the last of them (valid when readers > 0) */
    link_kind link;
    /* an output stored off-chip that later layers read: converted to the input dtype as the
     * readers load it (machine's and reference's); freed after the last reader's group */
    void *out_mach, *out_ref;
} layer_run;

static uint64_t ub_bytes_of(const gemm_problem *pb)
{
    return (uint64_t)pb->batch * pb->m * pb->n * dtype_in_bytes(pb->dtype);
}

/* Layer x can be chained from x - 1 (the UB region and tiles permitting): see the top note. */
static bool chains(const tp_config *cfg, const layer_run *L, size_t x)
{
    return cfg->tpu.cores == 1 && cfg->tpu.array.dataflow != TP_DF_IS && x > 0 && L[x].input == (int64_t)x - 1 &&
           L[x - 1].readers == 1 &&
           L[x - 1].pb.dtype == L[x].pb.dtype && L[x - 1].repeat == L[x].repeat;
}

/* Why layer x, which names an input, does not read it from the UB (or LINK_UB if it does). */
static link_kind link_of(const tp_config *cfg, const layer_run *L, size_t x)
{
    if (L[x].in_ub)
        return LINK_UB;
    if (L[x].input != (int64_t)x - 1)
        return LINK_NOT_NEXT;
    if (L[x - 1].readers > 1)
        return LINK_SHARED;
    if (cfg->tpu.cores > 1)
        return LINK_CORES;
    if (cfg->tpu.array.dataflow == TP_DF_IS)
        return LINK_DATAFLOW;
    if (L[x - 1].repeat != L[x].repeat)
        return LINK_REPEAT;
    return LINK_NO_ROOM;
}

/* An off-chip output C (the layer's out_dtype, its epilogue applied) as its readers load it:
 * in the input dtype, converted as a chained output is (int8 requantized with the layer's
 * scale, bf16 rounded; a requant epilogue's output already is). NULL when out of memory. */
static void *as_input(const layer_run *r, const void *c)
{
    const gemm_problem *pb = &r->pb;
    size_t nc = (size_t)pb->batch * pb->m * pb->n, ib = dtype_in_bytes(pb->dtype);
    void *a = malloc(nc * ib);
    if (!a)
        return NULL;
    if (r->plan.out_dtype == npy_dtype_of_input(pb->dtype)) {
        memcpy(a, c, nc * ib);
    } else if (pb->dtype == TP_INT8) {
        const int32_t *x = c;
        int8_t *o = a;
        for (size_t j = 0; j < nc; j++)
            o[j] = num_requant_i8(x[j], r->plan.requant_scale);
    } else {
        const float *x = c;
        uint16_t *o = a;
        for (size_t j = 0; j < nc; j++)
            o[j] = dtype_f32_to_bf16(x[j]);
    }
    return a;
}

static tp_status plan_layer(const tp_config *cfg, uint64_t reserve, layer_run *lr, gemm_epilogue epi, int threads,
                            tp_err *err)
{
    tp_config c = *cfg;
    if (reserve >= c.tpu.ub.size_bytes)
        return tp_err_set(err, TP_ERR_USAGE, "no room in the unified buffer");
    c.tpu.ub.size_bytes -= reserve;
    tiler_opts o;
    memset(&o, 0, sizeof o);
    o.double_buffer = -1;
    o.epilogue = epi;
    o.tm = lr->layer->tm;   /* the file's tile: and order: (0, "": the search's) */
    o.tn = lr->layer->tn;
    o.tk = lr->layer->tk;
    memcpy(o.order, lr->layer->order, sizeof o.order);
    o.threads = threads;
    return tiler_search(&c, &lr->pb, &o, &lr->plan, NULL, NULL, NULL, err);
}

/* The reference chain of a group: returns the last layer's output (malloc'd). */
static void *reference_chain(const layer_run *L, size_t n, const void *a0, void *const *bs, int threads)
{
    void *a = (void *)a0, *c = NULL;
    for (size_t i = 0; i < n; i++) {
        const gemm_problem *pb = &L[i].pb;
        size_t nc = (size_t)pb->batch * pb->m * pb->n;
        c = malloc(nc * 4);
        ref_spec rs = tiler_ref_spec(&L[i].plan);
        if (i + 1 < n)   /* chained: relu (if any) on the accumulator, then the input dtype */
            rs.epilogue = rs.epilogue == GEMM_EPI_RELU ? GEMM_EPI_RELU : GEMM_EPI_NONE;
        if (c && ref_gemm(pb, &rs, a, bs[i], c, threads, NULL) != TP_OK) {
            free(c);
            c = NULL;
        }
        if (!c) {   /* out of memory: the previous layer's output goes too */
            if (a != a0)
                free(a);
            break;
        }
        if (i + 1 < n) {
            if (pb->dtype == TP_INT8) {
                int32_t *x = c;
                int8_t *o = c;
                for (size_t j = 0; j < nc; j++)
                    o[j] = num_requant_i8(x[j], L[i].plan.requant_scale);
            } else {
                float *x = c;
                uint16_t *o = c;
                for (size_t j = 0; j < nc; j++)
                    o[j] = dtype_f32_to_bf16(x[j]);
            }
        }
        if (a != a0)
            free(a);
        a = c;
    }
    return c;
}

/* Runs layers [first, last] as one program. The first layer's A is its producer's stored
 * output (out_mach, and out_ref for the reference) when it names one, else random; the last
 * layer's output is kept in out_mach / out_ref when later layers read it. */
static tp_status run_group(const tp_config *cfg, const workload *w, layer_run *L, size_t first, size_t last,
                           uint64_t region, machine_engine engine, bool ff_off, bool data, bool check, uint64_t seed,
                           tp_stats *gstats, timeline *tl, tp_err *err)
{
    size_t n = last - first + 1;
    const layer_run *prod = L[first].input >= 0 ? &L[L[first].input] : NULL;
    isa_program p;
    char name[200];
    snprintf(name, sizeof name, "%s:%s", w->name, w->layers[first].name);
    isa_init(&p, name, L[first].pb.dtype);
    uint32_t *end_ins = calloc(n, sizeof *end_ins);
    void *a0 = NULL, *cN = NULL, *ref = NULL;
    void **bs = calloc(n, sizeof *bs);
    machine *mc = NULL;
    tp_status st = end_ins && bs ? TP_OK : tp_err_set(err, TP_ERR_NOMEM, "out of memory for the chain of %zu layers' bookkeeping", n);
    uint64_t top = cfg->tpu.ub.size_bytes;
    for (size_t i = 0; i < n && st == TP_OK; i++) {
        char pre[32];
        snprintf(pre, sizeof pre, "L%zu.", first + i);
        tiler_chain ch = {pre, i > 0, top - region * (1 + (i - 1) % 2), i + 1 < n, top - region * (1 + i % 2)};
        st = tiler_generate_into(&cfg->tpu, &L[first + i].pb, &L[first + i].plan, &ch, &p, err);
        end_ins[i] = p.n_ins;
    }
    if (st == TP_OK)
        st = machine_new(cfg, engine, &mc, err);
    if (st == TP_OK)
        st = machine_load_take(mc, &p, err);
    if (st == TP_OK)
        machine_set_fast_forward(mc, !ff_off);
    if (st == TP_OK && !data)
        machine_set_timing_only(mc, true);
    if (st == TP_OK && data) {
        rng_state r;
        rng_init(&r, seed);
        const gemm_problem *p0 = &L[first].pb, *pN = &L[last].pb;
        size_t ib = dtype_in_bytes(p0->dtype);
        npy_dtype idt = npy_dtype_of_input(p0->dtype);
        for (size_t i = 0; i < n && st == TP_OK; i++)
            st = gemm_check_sizes(&L[first + i].pb, err);
        if (st == TP_OK) {
            if (!prod)
                a0 = malloc((size_t)p0->batch * p0->m * p0->k * ib);
            cN = calloc((size_t)pN->batch * pN->m * pN->n, npy_dtype_size(L[last].plan.out_dtype));
            if ((!prod && !a0) || !cN)
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the layer data");
            else if (prod && (!prod->out_mach || (check && !prod->out_ref)))
                st = tp_err_set(err, TP_ERR_INTERNAL, "layer %zu: its input's output was not kept", first);
        }
        if (st == TP_OK) {
            if (!prod)
                fill_random(p0->dtype, a0, (size_t)p0->batch * p0->m * p0->k, &r);
            char nm[64];
            snprintf(nm, sizeof nm, "L%zu.A", first);
            /* stored as work/gemm.h says: K x M rows when transposed (a wgrad's X) */
            st = machine_bind(mc, nm, prod ? prod->out_mach : a0, p0->batch * (p0->transpose_a ? p0->k : p0->m),
                              p0->transpose_a ? p0->m : p0->k, idt, err);
        }
        for (size_t i = 0; i < n && st == TP_OK; i++) {
            const gemm_problem *pb = &L[first + i].pb;
            size_t nb = (size_t)pb->batch * pb->k * pb->n;
            if (!(bs[i] = malloc(nb * ib))) {
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the layer data");
                break;
            }
            fill_random(pb->dtype, bs[i], nb, &r);
            char nm[64];
            snprintf(nm, sizeof nm, "L%zu.B", first + i);
            st = machine_bind(mc, nm, bs[i], pb->batch * (pb->transpose_b ? pb->n : pb->k),
                              pb->transpose_b ? pb->k : pb->n, idt, err);
        }
        if (st == TP_OK) {
            char nm[64];
            snprintf(nm, sizeof nm, "L%zu.C", last);
            st = machine_bind(mc, nm, cN, pN->batch * pN->m, pN->n, L[last].plan.out_dtype, err);
        }
    }
    if (st == TP_OK) {
        machine_set_trace(mc, tl);
        st = machine_run(mc, err);
    }
    if (st == TP_OK) {
        uint64_t prev = 0;
        uint32_t i0 = 0;
        for (size_t i = 0; i < n && st == TP_OK; i++) {
            uint64_t e = prev;
            for (uint32_t k = i0; k < end_ins[i] && st == TP_OK; k++) {
                uint64_t s0, e0;
                st = machine_instr_times(mc, k, &s0, &e0, err);
                if (e0 > e)
                    e = e0;
            }
            L[first + i].cycles = e - prev;
            prev = e;
            i0 = end_ins[i];
        }
        /* the run's own total may include a tail after the last instruction (drain): give it
         * to the last layer so the layers sum to the run */
        uint64_t total = machine_stats(mc)->cycles;
        if (st == TP_OK && total > prev)
            L[last].cycles += total - prev;
        /* --trace: a slice per layer on the "layers" track, the group once (its repeats are
         * not replayed: docs/trace.md) */
        uint64_t t0 = 0;
        for (size_t i = 0; i < n && tl && st == TP_OK; i++) {
            const layer_run *l = &L[first + i];
            uint32_t s = tl_slice(tl, tl_track(tl, "model", "layers", "layer"), t0, t0 + l->cycles,
                                  w->layers[first + i].name);
            tl_arg_u64(tl, s, "layer", first + i);
            tl_arg_u64(tl, s, "m", l->pb.m);
            tl_arg_u64(tl, s, "n", l->pb.n);
            tl_arg_u64(tl, s, "k", l->pb.k);
            tl_arg_u64(tl, s, "repeat", l->repeat);
            tl_arg_u64(tl, s, "group_first_layer", first);
            t0 += l->cycles;
        }
        if (st == TP_OK)
            st = stats_copy(gstats, machine_stats(mc), err);
    }
    if (st == TP_OK && data && check) {
        ref = reference_chain(&L[first], n, prod ? prod->out_ref : a0, bs, 0);
        const gemm_problem *pN = &L[last].pb;
        size_t bytes = (size_t)pN->batch * pN->m * pN->n * npy_dtype_size(L[last].plan.out_dtype);
        bool ok = ref && !memcmp(ref, cN, bytes);
        for (size_t i = 0; i < n; i++) {
            L[first + i].checked = true;
            L[first + i].match = ok;
        }
        if (!ref)
            st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the reference");
    }
    /* later layers read this output from off-chip memory */
    if (st == TP_OK && data && L[last].readers > 0) {
        L[last].out_mach = as_input(&L[last], cN);
        if (ref)
            L[last].out_ref = as_input(&L[last], ref);
        if (!L[last].out_mach || (ref && !L[last].out_ref))
            st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for layer %zu's output", last);
    }
    for (size_t i = 0; i < n; i++)
        if (bs)
            free(bs[i]);
    free(bs);
    free(ref);
    free(a0);
    free(cN);
    free(end_ins);
    machine_free(mc);
    isa_free(&p);
    return st;
}

/* The report's line saying how the layers connect: the chains kept in the UB, the inputs
 * that go through off-chip memory (and why), e.g.
 *   "  chains: fc1 -> fc2 -> fc3 in the unified buffer; every other input from off-chip memory" */
static void print_links(FILE *out, const workload *w, const layer_run *L, const size_t *gfirst, size_t ng)
{
    size_t n_chained = 0, n_off = 0;
    fputs("  chains:", out);
    for (size_t g = 0; g < ng; g++) {
        if (gfirst[g + 1] - gfirst[g] < 2)
            continue;
        fprintf(out, "%s", n_chained++ ? "," : "");
        for (size_t x = gfirst[g]; x < gfirst[g + 1]; x++)
            fprintf(out, "%s%s", x > gfirst[g] ? " -> " : " ", SHOWN(w->layers[x].name));
    }
    fputs(n_chained ? " in the unified buffer" : " none in the unified buffer", out);
    for (size_t x = 0; x < w->n_layers; x++) {
        if (L[x].link == LINK_NONE || L[x].link == LINK_UB)
            continue;
        char pb[4 * sizeof w->layers[0].name];
        const char *pn = text_shown(w->layers[L[x].input].name, pb, sizeof pb);
        fprintf(out, "%s %s -> %s (", n_off++ ? "," : "; through off-chip memory:", pn, SHOWN(w->layers[x].name));
        switch (L[x].link) {
        case LINK_NOT_NEXT: fputs("not the previous layer", out); break;
        case LINK_SHARED: fprintf(out, "%s feeds %u layers", pn, L[L[x].input].readers); break;
        case LINK_CORES: fputs("several cores: each layer runs on its own", out); break;
        case LINK_REPEAT: fprintf(out, "repeat %u, then %u", L[L[x].input].repeat, L[x].repeat); break;
        case LINK_DATAFLOW: fputs("is: A is the stationary operand, loaded through the weight FIFO", out); break;
        default: fputs("no room in the unified buffer", out); break;
        }
        fputc(')', out);
    }
    fputs(n_chained || n_off ? "; every other input from off-chip memory\n"
                             : " (no layer names an input: each reads its own from off-chip memory)\n", out);
}

/* A workload's run (the layers' groups, plans and runs, and the whole workload as one record):
 * what cmd_model prints and cli_model_total returns. model_exec_free releases it, also after a
 * failed model_exec_run. */
typedef struct {
    layer_run *L;
    size_t n_layers;
    size_t *gfirst, ng;          /* group g is layers gfirst[g] .. gfirst[g + 1] - 1 */
    uint64_t *greg;              /* its UB region bytes */
    tp_stats *gstats;            /* one run of each group */
    report_bound *gb;            /* each group's bound */
    tp_stats total;              /* the whole workload, repeats applied (stats_finish'ed) */
} model_exec;

static void model_exec_free(model_exec *x)
{
    for (size_t g = 0; x->gstats && g < x->ng; g++)
        stats_free(&x->gstats[g]);
    free(x->gstats);
    free(x->gfirst);
    free(x->greg);
    for (size_t i = 0; x->L && i < x->n_layers; i++) {
        free(x->L[i].out_mach);
        free(x->L[i].out_ref);
    }
    free(x->L);
    free(x->gb);
    stats_free(&x->total);
    memset(x, 0, sizeof *x);
}

/* Runs workload w (read from path) on cfg; dtype_s (NULL = each layer's, the workload's or the
 * machine's default dtype) as cli_dt. On failure *errp says why and *x holds what was made. */
static tp_status model_exec_run(const tp_config *cfgp, const workload *wp, const char *path, const char *dtype_s,
                                tp_dtype cli_dt, machine_engine engine, bool ff_off, bool no_data, bool no_check, uint64_t seed,
                                bool show_progress, int search_threads, timeline *tl, model_exec *mx, tp_err *errp)
{
    const tp_config cfg = *cfgp;
    const workload w = *wp;
    tp_err err = {0};
    tp_stats total;
    stats_init(&total);
    report_bound *gb = NULL;
    memset(mx, 0, sizeof *mx);
    stats_init(&mx->total);
    layer_run *L = calloc(w.n_layers, sizeof *L);
    if (!L)
        return tp_err_set(errp, TP_ERR_NOMEM, "out of memory for the layer table");
    tp_status st = TP_OK;
    for (size_t i = 0; i < w.n_layers && st == TP_OK; i++) {
        const workload_layer *l = &w.layers[i];
        /* a layer's own dtype, else --dtype, else the workload's default, else the machine's */
        tp_dtype dt = l->has_dtype ? l->dtype : dtype_s ? cli_dt : w.has_dtype ? w.dtype
                      : cli_default_dtype(&cfg);
        if (!cfg.tpu.array.dtypes[dt])
            st = tp_err_at(&err, TP_ERR_UNSUPPORTED, path, l->line, 0,
                           "layer '%s': machine '%s' does not support %s", l->name, cfg.tpu.name,
                           dtype_name(dt));
        L[i].pb = (gemm_problem){l->m, l->n, l->k, 1, dt, l->transpose_a, l->transpose_b};
        L[i].layer = l;
        /* a stored output is read as a plain A (train.h: only dgrads, whose A is not transposed) */
        if (l->input >= 0 && l->transpose_a)
            st = tp_err_set(&err, TP_ERR_INTERNAL, "layer '%s': a transposed A cannot be another layer's output", l->name);
        L[i].repeat = l->repeat;
        L[i].input = l->input;
        if (st == TP_OK && l->input >= 0) {
            layer_run *pr = &L[l->input];
            /* a layer reads its input in its own dtype; the producer computes in its own */
            if (pr->pb.dtype != dt)
                st = tp_err_at(&err, TP_ERR_PARSE, path, l->input_line, l->input_col,
                               "input: '%s' computes in %s but '%s' in %s; a layer reads an input of its own dtype",
                               w.layers[l->input].name, dtype_name(pr->pb.dtype), l->name, dtype_name(dt));
            pr->readers++;
            pr->last_reader = i;
        }
    }
    /* groups and plans */
    tp_stats *gstats = NULL;
    size_t *gfirst = calloc(w.n_layers + 1, sizeof *gfirst), ng = 0;
    uint64_t *greg = calloc(w.n_layers + 1, sizeof *greg);
    if (!gfirst || !greg)
        st = tp_err_set(&err, TP_ERR_NOMEM, "out of memory for the layer groups of %zu layers", w.n_layers);
    for (size_t i = 0; i < w.n_layers && st == TP_OK;) {
        size_t j = i;
        uint64_t region = 0;
        if (cfg.tpu.cores == 1)
            while (j + 1 < w.n_layers && chains(&cfg, L, j + 1)) {
                uint64_t r = ub_bytes_of(&L[j].pb);
                uint64_t reg = r > region ? r : region;
                if (2 * reg > cfg.tpu.ub.size_bytes / 2)
                    break;
                region = reg;
                j++;
            }
        bool planned = false;
        if (j > i) {
            tp_err e2 = {0};
            tp_status s2 = TP_OK;
            uint64_t reserve = region * (j - i >= 2 ? 2 : 1);
            for (size_t x = i; x <= j && s2 == TP_OK; x++)
                s2 = plan_layer(&cfg, reserve, &L[x], w.layers[x].epilogue, search_threads, &e2);
            planned = s2 == TP_OK;
            if (!planned)
                j = i;
        }
        if (!planned) {
            region = 0;
            st = plan_layer(&cfg, 0, &L[i], w.layers[i].epilogue, search_threads, &err);
            if (st != TP_OK) {
                char msg[sizeof err.msg];
                snprintf(msg, sizeof msg, "%s", err.msg);
                st = tp_err_at(&err, st, path, w.layers[i].line, 0, "layer '%s': %s", w.layers[i].name, msg);
            }
        }
        for (size_t x = i; x <= j; x++) {
            L[x].in_ub = x > i;
            L[x].out_ub = x < j;
        }
        gfirst[ng] = i;
        greg[ng++] = region;
        i = j + 1;
    }
    if (gfirst)
        gfirst[ng] = w.n_layers;
    for (size_t x = 0; x < w.n_layers; x++)
        L[x].link = L[x].input < 0 ? LINK_NONE : link_of(&cfg, L, x);
    gstats = calloc(ng ? ng : 1, sizeof *gstats);
    if (!gstats && st == TP_OK)
        st = tp_err_set(&err, TP_ERR_NOMEM, "out of memory for the stats of %zu layer groups", ng);
    if (st == TP_OK && show_progress) {   /* a big run says what it will take (cli.h) */
        uint64_t peak = 0, tpeak = 0, ins = 0;
        double secs = 0, tsecs = 0;
        for (size_t g = 0; g < ng; g++) {   /* a group is one program: its layers' costs add up */
            uint64_t gbytes = 0, tgbytes = 0;
            for (size_t x = gfirst[g]; x < gfirst[g + 1]; x++) {
                uint64_t b, tb;
                double sx, tsx;
                tiler_run_cost(&cfg, &L[x].pb, &L[x].plan, L[x].plan.instructions, no_data, !no_check, &b, &sx);
                tiler_run_cost(&cfg, &L[x].pb, &L[x].plan, L[x].plan.instructions, true, false, &tb, &tsx);
                gbytes += b;
                tgbytes += tb;
                secs += sx;
                tsecs += tsx;
                ins += L[x].plan.instructions;
            }
            peak = gbytes > peak ? gbytes : peak;
            tpeak = tgbytes > tpeak ? tgbytes : tpeak;
        }
        char what[160], detail[160];
        snprintf(what, sizeof what, "model %s", w.name);
        snprintf(detail, sizeof detail, "%zu layers, at most %llu instructions%s", w.n_layers, (unsigned long long)ins,
                 no_data ? "; less where the fast-forward jumps" : no_check ? ", values computed" : ", values computed and checked");
        cli_big_run_note(what, peak, secs, detail, no_data, "--no-data", tpeak, tsecs);
    }
    progress bar;   /* layers done; on a terminal stderr only, not with --quiet */
    progress_init(&bar, w.n_layers, "model", "layers", show_progress);
    for (size_t g = 0; g < ng && st == TP_OK; g++) {
        progress_update(&bar, gfirst[g]);
        stats_init(&gstats[g]);
        st = run_group(&cfg, &w, L, gfirst[g], gfirst[g + 1] - 1, greg[g], engine, ff_off, !no_data, !no_check,
                       seed + g, &gstats[g], tl, &err);
        if (tl)
            tl->offset += gstats[g].cycles;   /* --trace: the next group follows */
        /* stored outputs whose last reader has now run */
        for (size_t x = gfirst[g]; x < gfirst[g + 1]; x++)
            if (L[x].input >= 0 && L[L[x].input].last_reader == x) {
                layer_run *pr = &L[L[x].input];
                free(pr->out_mach);
                free(pr->out_ref);
                pr->out_mach = pr->out_ref = NULL;
            }
    }
    progress_finish(&bar);
    if (st != TP_OK)
        goto out;

    /* the whole workload as one record (the groups' stats, repeats applied) for the stall and
     * memory summary and the bound */
    gb = calloc(ng ? ng : 1, sizeof *gb);
    if (!gb) {
        st = tp_err_set(&err, TP_ERR_NOMEM, "out of memory for the bound of each layer group");
        goto out;
    }
    for (size_t g = 0; g < ng && st == TP_OK; g++) {
        report_bound_of(&gstats[g], &gb[g]);
        st = report_stats_add(&total, &gstats[g], L[gfirst[g]].repeat, &err);
        if (st == TP_ERR_RANGE) {   /* name the layer whose repeat passed the limit */
            char why[sizeof err.msg];
            snprintf(why, sizeof why, "%s", err.msg);
            const workload_layer *l = L[gfirst[g]].layer;
            tp_err_at(&err, st, path, l->line, 0, "layer '%s' (repeat %u): %s", l->name, l->repeat, why);
        }
    }
    if (st == TP_OK)
        stats_finish(&total);
out:
    mx->L = L;
    mx->n_layers = w.n_layers;
    mx->gfirst = gfirst;
    mx->ng = ng;
    mx->greg = greg;
    mx->gstats = gstats;
    mx->gb = gb;
    mx->total = total;
    if (st != TP_OK && errp)
        *errp = err;
    return st;
}

tp_status cli_model_total(const tp_config *cfg, const workload *w, const char *dtype_s, tp_stats *total, tp_err *err)
{
    tp_dtype dt = TP_INT8;
    if (dtype_s && dtype_parse(dtype_s, &dt))
        return tp_err_set(err, TP_ERR_USAGE, "unknown dtype '%s'", dtype_s);
    model_exec mx;
    /* one search thread: a sweep runs its points on threads of its own */
    tp_status st = model_exec_run(cfg, w, w->source, dtype_s, dt, MACHINE_FAST, false, true, true, 1, false, 1, NULL,
                                  &mx, err);
    if (st == TP_OK)
        st = stats_copy(total, &mx.total, err);
    model_exec_free(&mx);
    return st;
}

/* ---- --train: a training step's per-phase totals, for either machine ---------------------- */

typedef struct {
    uint64_t gemms[WORKLOAD_PHASE__COUNT];
    uint64_t cycles[WORKLOAD_PHASE__COUNT];   /* repeats applied */
    uint64_t macs[WORKLOAD_PHASE__COUNT];     /* repeats applied */
} train_totals;

static void train_add(train_totals *t, workload_phase ph, uint64_t cycles, uint64_t macs)
{
    t->gemms[ph]++;
    t->cycles[ph] += cycles;
    t->macs[ph] += macs;
}

static const char *const train_phase_title[WORKLOAD_PHASE__COUNT] = {
    "forward", "input gradient (dgrad)", "weight gradient (wgrad)"};

/* One phase's (or, ph == WORKLOAD_PHASE__COUNT, the step's) gemms, cycles and MACs. */
static void train_sum(const train_totals *t, int ph, uint64_t *g, uint64_t *c, uint64_t *m)
{
    *g = *c = *m = 0;
    for (int p = 0; p < WORKLOAD_PHASE__COUNT; p++)
        if (ph == WORKLOAD_PHASE__COUNT || p == ph) {
            *g += t->gemms[p];
            *c += t->cycles[p];
            *m += t->macs[p];
        }
}

/* utilization = MACs / (cycles x peak MACs per cycle), as stats_finish has it */
static double train_util(uint64_t cycles, uint64_t macs, double peak_macs_per_cycle)
{
    return cycles && peak_macs_per_cycle > 0 ? (double)macs / ((double)cycles * peak_macs_per_cycle) : 0;
}

/* The report block: a line per phase and the step's total. */
static void train_print(FILE *out, const train_totals *t, double hz, double peak_macs_per_cycle)
{
    fprintf(out, "\n  %-24s %6s %14s %12s %18s %8s\n", "training step", "GEMMs", "cycles", "time", "MACs", "util%");
    for (int ph = 0; ph <= WORKLOAD_PHASE__COUNT; ph++) {
        uint64_t g, c, m;
        char tm[32];
        train_sum(t, ph, &g, &c, &m);
        report_time((double)c / hz, tm, sizeof tm);
        fprintf(out, "  %-24s %6" PRIu64 " %14" PRIu64 " %12s %18" PRIu64 " %8.2f\n",
                ph < WORKLOAD_PHASE__COUNT ? train_phase_title[ph] : "step (total)", g, c, tm, m,
                100 * train_util(c, m, peak_macs_per_cycle));
    }
}

/* "train": {"forward": {...}, "dgrad": {...}, "wgrad": {...}, "total": {...}}, each
 * {gemms, cycles, seconds, macs, utilization} with repeats applied (docs/output.md). */
static void train_json(json_w *j, const train_totals *t, double hz, double peak_macs_per_cycle)
{
    json_key(j, "train");
    json_begin_object(j);
    for (int ph = 0; ph <= WORKLOAD_PHASE__COUNT; ph++) {
        uint64_t g, c, m;
        train_sum(t, ph, &g, &c, &m);
        json_key(j, ph < WORKLOAD_PHASE__COUNT ? workload_phase_name((workload_phase)ph) : "total");
        json_begin_object(j);
        json_kv_u64(j, "gemms", g);
        json_kv_u64(j, "cycles", c);
        json_kv_double(j, "seconds", (double)c / hz);
        json_kv_u64(j, "macs", m);
        json_kv_double(j, "utilization", train_util(c, m, peak_macs_per_cycle));
        json_end_object(j);
    }
    json_end_object(j);
}

/* The GPU's per-phase totals of a training step run by cli_gpu_model_run (repeats applied). */
static void train_of_gpu(train_totals *t, const workload *w, const cli_gpu_model *gm)
{
    for (size_t i = 0; i < w->n_layers; i++)
        train_add(t, w->layers[i].phase, gm->L[i].s.cycles * w->layers[i].repeat, gm->L[i].s.macs * w->layers[i].repeat);
}

/* --train on a GPU config: the step's GEMMs one kernel each (gpu_run_gemm_opts with the GEMM's
 * transposes), timing only, as `model` runs a GPU's layers: a GEMM's dtype is its layer's, else
 * --dtype, else the workload's, else the chip's (int8 where it has it, else bf16, else fp16).
 * The text is the GPU model's table with the phase and the training block; the JSON is the
 * GPU model's (under "gpu") with each layer's phase and transposes and the "train" object.
 * --trace, --html and --plot are model -c GPU's, the step's GEMMs as its layers. */
static int model_train_gpu(const cli_machine_opts *mo, const tp_config *cfg, const char *path, const char *dtype_s,
                           const char *json_path, const char *plot_path, const char *trace_path,
                           uint64_t trace_cap, cli_html *h, bool quiet)
{
    timeline tl;   /* --trace, --html: the step's GEMMs one after the other, as model -c GPU */
    tl_init(&tl, cli_timeline_cap(trace_path, trace_cap));
    timeline *tls[1] = {&tl};
    cli_trace_src src = {tls, 1, "model"};
    h->write_trace = cli_trace_embed;
    h->trace_ctx = &src;
    tp_err err = {0};
    tp_dtype cli_dt = TP_INT8;
    bool cli_fp16 = false;
    int rc = 0;
    if (dtype_s && (rc = cli_gpu_resolve_dtype(cfg, dtype_s, &cli_dt, &cli_fp16)) != 0)
        return rc;
    workload f, w;
    if (workload_load(path, &f, &err) != TP_OK) {
        tl_free(&tl);
        return cli_fail(&err);
    }
    tp_status st = train_expand(&f, &w, &err);
    workload_free(&f);
    if (st != TP_OK) {
        tl_free(&tl);
        return cli_fail(&err);
    }
    size_t n = w.n_layers;
    /* every GEMM one kernel, with its transposes (cli_gpu_model_run, as model -c GPU runs) */
    cli_gpu_dtype given = {cli_dt, cli_fp16};
    cli_gpu_model gm = {0};
    stats_init(&gm.total);
    train_totals tt = {{0}, {0}, {0}};
    st = cli_gpu_model_run(cfg, &w, path, dtype_s ? &given : NULL, NULL, quiet, trace_path || h->path ? &tl : NULL,
                           &gm, &err);
    if (st != TP_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    train_of_gpu(&tt, &w, &gm);
    const tp_stats total = gm.total;
    const report_bound tb = gm.tb;
    double hz = (double)total.clock_hz;
    if ((!json_path || strcmp(json_path, "-")) && (!plot_path || strcmp(plot_path, "-")) &&
        (!trace_path || strcmp(trace_path, "-"))) {   /* stdout carries the JSON, SVG or trace alone */
        FILE *out = stdout;
        double ops_scale = total.peak_ops_per_s >= 1e12 ? 1e12 : 1e9;
        fprintf(out, "model %s, training step: %zu GEMM(s) on %s (GPU, %u SMs at %.4g MHz; each GEMM one kernel "
                     "reading its inputs from DRAM; timing only)\n",
                SHOWN(w.name), n, SHOWN(cfg->gpu.name), cfg->gpu.sms, (double)cfg->gpu.sustained_clock_hz / 1e6);
        fprintf(out, "  %-18s %-7s %-5s %7s %7s %7s %6s %-28s %5s %14s %8s %10s  %s\n", "GEMM", "phase", "dtype", "M", "N",
                "K", "repeat", "kernel", "waves", "cycles", "util%", ops_scale >= 1e12 ? "T(FL)OPS" : "G(FL)OPS", "bound");
        for (size_t i = 0; i < n; i++) {
            const workload_layer *l = &w.layers[i];
            char kb[48];
            fprintf(out, "  %-18s %-7s %-5s %7u %7u %7u %6u %-28s %5" PRIu64 " %14" PRIu64 " %8.2f %10.4g  %s\n",
                    SHOWN(l->name), workload_phase_name(l->phase), gm.L[i].s.dtype, l->m, l->n, l->k, l->repeat,
                    gpu_kernel_format(&gm.L[i].ri.kernel, kb, sizeof kb), gm.L[i].ri.waves, gm.L[i].s.cycles * l->repeat,
                    100.0 * gm.L[i].s.utilization, gm.L[i].s.ops_per_s / ops_scale, gm.L[i].b.label);
        }
        train_print(out, &tt, hz, total.peak_macs_per_cycle);
        fputs("  each kernel's fixed launch overhead included; kernels chosen by the heuristic search; values not "
              "computed (the GPU model is timing only)\n", out);
        report_categories(&total, "\n  ", out);
        fprintf(out, "\n%s\n", tb.sentence);
    }
    if (json_path || h->path) {
        cli_doc doc;
        FILE *jf = cli_doc_open(&doc, json_path, h);
        if (!jf) {
            rc = 2;
            goto done;
        }
        json_w j;
        cli_json_begin(&j, jf, "model");
        json_key(&j, "gpu");
        json_begin_object(&j);
        cli_json_gpu_model(&j, mo, cfg, &w, &gm);   /* the layers carry their phase (fwd >= 0) */
        train_json(&j, &tt, hz, total.peak_macs_per_cycle);
        json_end_object(&j);
        json_end_object(&j);
        rc = cli_doc_close(&doc, json_finish(&j) != 0);
    }
    if (!rc)
        rc = cli_gpu_model_outputs(trace_path, &tl, h, plot_path, cfg, &w, &gm);
done:
    cli_html_free(h);
    tl_free(&tl);
    cli_gpu_model_free(&gm);
    workload_free(&w);
    return rc;
}

/* -g: the dtype a side ran, named as compare's table names it ("int8", or "mixed" when the
 * layers differ); L for the TPU's layers, else g for the GPU's. */
static const char *layer_dtypes(const workload *w, const layer_run *L, const cli_gpu_model *g)
{
    const char *first = NULL;
    for (size_t i = 0; i < w->n_layers; i++) {
        const char *d = L ? dtype_name(L[i].pb.dtype) : g->L[i].fp16 ? "fp16" : dtype_name(g->L[i].pb.dtype);
        if (first && strcmp(first, d))
            return "mixed";
        first = d;
    }
    return first ? first : "none";
}

/* -g: the per-layer table of both machines, then the totals as compare's table. */
static void print_compare(FILE *f, const workload *w, const tp_config *cfg, const tp_config *gcfg, bool chip,
                          const layer_run *L, uint64_t peak, const tp_stats *total, const report_bound *tb,
                          const cli_machine_opts *gmo, const cli_machine_opts *mo, const cli_gpu_model *gm,
                          const char *check)
{
    char title[700], what[200], nb[4 * sizeof w->name];
    cli_cmp_layer *tl = calloc(w->n_layers ? w->n_layers : 1, sizeof *tl);
    cli_cmp_layer *gl = calloc(w->n_layers ? w->n_layers : 1, sizeof *gl);
    double hz = (double)cfg->tpu.clock_hz;
    snprintf(what, sizeof what, "model %s", text_shown(w->name, nb, sizeof nb));
    cli_compare_title(title, sizeof title, what, chip, cfg, gcfg);
    fprintf(f, "%s; %zu layer(s), each on both machines\n", title, w->n_layers);
    for (size_t i = 0; tl && gl && i < w->n_layers; i++) {
        const layer_run *r = &L[i];
        uint64_t macs = (uint64_t)r->pb.m * r->pb.n * r->pb.k;
        tl[i].cycles = r->cycles * r->repeat;
        tl[i].seconds = (double)tl[i].cycles / hz;
        tl[i].utilization = r->cycles ? (double)macs / ((double)r->cycles * (double)peak) : 0;
        gl[i].cycles = gm->L[i].s.cycles * r->repeat;
        gl[i].seconds = gm->L[i].s.seconds * r->repeat;
        gl[i].utilization = gm->L[i].s.utilization;
    }
    if (tl && gl)
        cli_compare_layers(w, tl, gl, f);
    free(tl);
    free(gl);
    fprintf(f, "\n");
    snprintf(what, sizeof what, "totals over the %zu layer(s) (repeats applied)", w->n_layers);
    cli_cmp_side tv = {cfg, total, layer_dtypes(w, L, NULL), "per layer (above)", tb, mo->n_sets};
    cli_cmp_side gv = {gcfg, &gm->total, layer_dtypes(w, NULL, gm), "per layer (above)", &gm->tb, gmo->n_sets};
    char result[200];
    snprintf(result, sizeof result, "TPU %s; GPU not computed (the GPU model is timing only)", check);
    cli_compare_table(what, &tv, &gv, result, f);
}

int cmd_model(int argc, char **argv)
{
    cli_machine_opts mo = {0};
    const char *path = NULL;
    cli_run_opts rop;
    cli_run_opts_init(&rop, CLI_RUN_DTYPE | CLI_RUN_ENGINE | CLI_RUN_JSON | CLI_RUN_SEED |
                                CLI_RUN_NO_DATA | CLI_RUN_NO_CHECK | CLI_RUN_FP16 | CLI_RUN_QUIET |
                                CLI_RUN_TRACE);
    const char *tpu_only = NULL;    /* the first flag that only a TPU run takes */
    const char *plot_path = NULL;   /* --plot FILE.svg */
    bool train = false;             /* --train: the training step of the workload (work/train.h) */
    static const char *const single[] = {"--plot", "-g|--gpu", "--gpu-dtype", NULL};
    cli_seen seen = {0};
    mo.gpu_ok = true;
    /* -g: the GPU side (docs/compare.md); --set gpu.* then goes to its config */
    cli_machine_opts gmo = {0};
    const char *gpu_dtype = NULL;
    bool with_gpu = false;
    for (int i = 1; i < argc; i++)
        with_gpu = with_gpu || !strcmp(argv[i], "-g") || !strcmp(argv[i], "--gpu");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (with_gpu && (!strcmp(a, "--set") || !strncmp(a, "--set=", 6))) {
            const char *v = a[5] == '=' ? a + 6 : i + 1 < argc ? argv[i + 1] : NULL;
            while (v && *v == ' ')
                v++;
            if (v && !strncmp(v, "gpu.", 4)) {
                if (cli_machine_opt(&gmo, argc, argv, &i) < 0)
                    return 2;
                continue;
            }
        }
        if (!tpu_only && (!strcmp(a, "--engine") || !strcmp(a, "--fast-forward") || !strcmp(a, "--dataflow") ||
                          !strcmp(a, "--seed")))
            tpu_only = a;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
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
        } else if (!strcmp(a, "--plot")) {
            if (!(plot_path = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--train")) {
            train = true;
        } else if (!strcmp(a, "-g") || !strcmp(a, "--gpu")) {
            if (!(gmo.config_path = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--gpu-dtype")) {
            if (!(gpu_dtype = cli_value(argc, argv, &i)))
                return 2;
            if (strcmp(gpu_dtype, "int8") && strcmp(gpu_dtype, "bf16") && strcmp(gpu_dtype, "fp16"))
                return cli_usage_error("--gpu-dtype: unknown dtype '%s' (expected int8, bf16 or fp16)", gpu_dtype);
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("model: unknown flag '%s' (try 'tpusim model --help')", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("model: unexpected argument '%s' (one workload file)", a);
        }
    }
    const char *json_path = rop.json_path, *dtype_s = rop.dtype;
    bool no_data = rop.no_data, no_check = rop.no_check;
    uint64_t seed = rop.seed;
    machine_engine engine = rop.engine;
    if (!path)
        return cli_usage_error("model: expected a workload file (YAML or SCALE-Sim CSV)");
    const char *trace_path = rop.trace_path;
    const cli_output outs[] = {{"--json", json_path}, {"--plot", plot_path}, {"--trace", trace_path},
                               {"--html", rop.html_path}};
    if (cli_check_outputs(outs, 4))
        return 2;
    cli_html html = {.path = rop.html_path, .argc = argc, .argv = argv, .array_note = CLI_HTML_NO_ARRAY};
    tp_dtype cli_dt = TP_INT8;
    if (dtype_s && strcmp(dtype_s, "fp16") && cli_parse_dtype(dtype_s, &cli_dt))
        return 2;
    if (gpu_dtype && !with_gpu)
        return cli_usage_error("--gpu-dtype: only with -g GPU_CONFIG (it sets the GPU side's dtype)");
    bool chip = with_gpu && !mo.config_path;   /* -g without -c: chip against chip, as compare */
    char defpath[4200];
    if (chip)
        mo.config_path = cli_default_tpu_path(defpath, sizeof defpath);
    tp_config cfg;
    int rc = cli_load_machine(&mo, &cfg);
    if (rc)
        return rc;
    if (with_gpu && !cfg.tpu.present)
        return cli_usage_error("-c %s: '%s' is a GPU config; with -g, -c names the TPU", mo.config_path, cfg.name);
    tp_config gcfg_store, *gcfg = NULL;
    cli_gpu_dtype gdt_given, gdt_fallback;
    const char *gd = gpu_dtype ? gpu_dtype : dtype_s;
    if (with_gpu) {
        gcfg = &gcfg_store;
        rc = cli_load_gpu_side(&gmo, &cfg, gcfg);
        if (!rc && gd)
            rc = cli_gpu_resolve_dtype(gcfg, gd, &gdt_given.dt, &gdt_given.fp16);
        if (!rc && !gd)   /* the layers without a dtype run the TPU's default on both */
            rc = cli_gpu_resolve_dtype(gcfg, dtype_name(cli_default_dtype(&cfg)), &gdt_fallback.dt, &gdt_fallback.fp16);
        if (rc)
            return rc;
    }
    if (!cfg.tpu.present) {   /* a GPU config: timing only, each layer one kernel */
        if (tpu_only)
            return cli_usage_error("%s: not for GPU '%s' (%s)", tpu_only, cfg.gpu.name,
                                   strcmp(tpu_only, "--seed") ? "a TPU simulation flag"
                                                              : "the GPU model is timing only: no values are computed");
        if (train)
            return model_train_gpu(&mo, &cfg, path, dtype_s, json_path, plot_path, trace_path, rop.trace_cap, &html,
                                   rop.quiet);
        return cli_model_gpu(&mo, &cfg, path, dtype_s, json_path, plot_path, rop.quiet, trace_path,
                             rop.trace_cap, &html);
    }
    if (dtype_s && !strcmp(dtype_s, "fp16"))
        return cli_resolve_dtype(&cfg, dtype_s, &cli_dt);
    tp_err err = {0};
    workload w;
    if (workload_load(path, &w, &err) != TP_OK)
        return cli_fail(&err);
    if (train) {   /* the step's GEMMs replace the file's layers */
        workload t;
        tp_status ts = train_expand(&w, &t, &err);
        workload_free(&w);
        if (ts != TP_OK)
            return cli_fail(&err);
        w = t;
    }
    train_totals tt = {{0}, {0}, {0}};
    timeline tl, gtl;   /* the TPU's and, with -g, the GPU's: one trace, one process each */
    tl_init(&tl, cli_timeline_cap(trace_path, rop.trace_cap));
    tl_init(&gtl, cli_timeline_cap(trace_path, rop.trace_cap));
    timeline *tls[2] = {&tl, &gtl};
    const size_t ntl = gcfg ? 2 : 1;
    cli_trace_src src = {tls, ntl, "model"};
    html.write_trace = cli_trace_embed;   /* the page embeds the timeline --trace writes */
    html.trace_ctx = &src;
    model_exec mx;
    tp_status st = model_exec_run(&cfg, &w, path, dtype_s, cli_dt, engine, rop.ff_off, no_data, no_check, seed, !rop.quiet,
                                  num_pool_threads_default(), trace_path || html.path ? &tl : NULL, &mx, &err);
    layer_run *L = mx.L;
    tp_stats *gstats = mx.gstats;
    size_t *gfirst = mx.gfirst, ng = mx.ng;
    report_bound *gb = mx.gb;
    tp_stats total = mx.total;
    cli_gpu_model gm = {0};   /* -g: the GPU's run of the workload */
    stats_init(&gm.total);
    if (st == TP_OK && gcfg)
        st = cli_gpu_model_run(gcfg, &w, path, gd ? &gdt_given : NULL, gd ? NULL : &gdt_fallback, rop.quiet,
                                trace_path || html.path ? &gtl : NULL, &gm, &err);
    if (st != TP_OK) {
        rc = cli_fail(&err);
        goto done;
    }
    rc = 0;
    /* report: the layers, and the whole workload as one record */
    uint64_t peak = cfg_tpu_peak_macs_per_cycle(&cfg.tpu), tot_cyc = 0, tot_macs = 0;
    double hz = (double)cfg.tpu.clock_hz;
    bool all_ok = true, any_checked = false;
    /* stdout carries the JSON or the SVG alone when either goes there */
    /* stdout carries the JSON, the SVG or the trace alone when one goes there */
    FILE *out = (json_path && !strcmp(json_path, "-")) || (plot_path && !strcmp(plot_path, "-")) ||
                (trace_path && !strcmp(trace_path, "-")) ? NULL : stdout;
    FILE *cmp_out = gcfg ? out : NULL;   /* -g: the comparison's tables instead of the TPU's */
    if (gcfg)
        out = NULL;
    if (out) {
        char nb[4 * sizeof w.name];
        fprintf(out, train ? "model %s, training step: %zu GEMM(s) on %s (%s, %u core(s) x %u MXU(s) of %ux%u)\n"
                           : "model %s: %zu layer(s) on %s (%s, %u core(s) x %u MXU(s) of %ux%u)\n",
                text_shown(w.name, nb, sizeof nb), w.n_layers, SHOWN(cfg.tpu.name), cfg_dataflow_name(cfg.tpu.array.dataflow), cfg.tpu.cores, cfg.tpu.mxus_per_core,
                cfg.tpu.array.rows, cfg.tpu.array.cols);
        if (train)
            fprintf(out, "  %-18s %-7s ", "GEMM", "phase");
        fprintf(out, train ? "%s%-5s %7s %7s %7s %6s %-16s %-4s %14s %8s %10s  %-18s %s\n"
                           : "  %-14s %-5s %7s %7s %7s %6s %-16s %-4s %14s %8s %10s  %-18s %s\n", train ? "" : "layer", "dtype", "M", "N",
                "K", "repeat", "tile", "ub", "cycles", "util%", total.peak_ops_per_s >= 1e12 ? "T(FL)OPS" : "G(FL)OPS",
                "bound", "result");
    }
    double ops_scale = total.peak_ops_per_s >= 1e12 ? 1e12 : 1e9;
    for (size_t i = 0; i < w.n_layers; i++) {
        const layer_run *r = &L[i];
        uint64_t macs = (uint64_t)r->pb.m * r->pb.n * r->pb.k;
        uint64_t cyc = r->cycles * r->repeat;
        tot_cyc += cyc;
        tot_macs += macs * r->repeat;
        if (r->checked && !r->match)
            all_ok = false;
        if (r->checked)
            any_checked = true;
        if (train)
            train_add(&tt, w.layers[i].phase, cyc, macs * r->repeat);
        if (out) {
            char tile[48];
            size_t g = 0;
            while (g + 1 < ng && gfirst[g + 1] <= i)
                g++;
            snprintf(tile, sizeof tile, "%ux%ux%u", r->plan.tm, r->plan.tn, r->plan.tk);
            double util = r->cycles ? (double)macs / ((double)r->cycles * (double)peak) : 0;
            double ops = r->cycles ? 2.0 * (double)macs / ((double)r->cycles / hz) / ops_scale : 0;
            if (train)
                fprintf(out, "  %-18s %-7s ", SHOWN(w.layers[i].name), workload_phase_name(w.layers[i].phase));
            fprintf(out, train ? "%s%-5s %7u %7u %7u %6u %-16s %-4s %14" PRIu64 " %8.2f %10.4g  %-18s %s\n"
                               : "  %-14s %-5s %7u %7u %7u %6u %-16s %-4s %14" PRIu64 " %8.2f %10.4g  %-18s %s\n",
                    train ? "" : SHOWN(w.layers[i].name), dtype_name(r->pb.dtype), r->pb.m, r->pb.n, r->pb.k, r->repeat, tile,
                    r->in_ub && r->out_ub ? "i/o" : r->in_ub ? "in" : r->out_ub ? "out" : "-", cyc, 100 * util, ops,
                    gb[g].label, no_data ? "no data" : !r->checked ? "not checked" : r->match ? "ok" : "MISMATCH");
        }
    }
    double tot_s = (double)tot_cyc / hz;
    double tot_util = tot_cyc ? (double)tot_macs / ((double)tot_cyc * (double)peak) : 0;
    report_bound tb;
    report_bound_of(&total, &tb);
    if (out) {
        char t[32];
        report_time(tot_s, t, sizeof t);
        fprintf(out, "  %-14s %*s %14" PRIu64 " %8.2f %10.4g\n", "total", train ? 69 : 56, "", tot_cyc, 100 * tot_util,
                tot_s > 0 ? 2.0 * (double)tot_macs / tot_s / ops_scale : 0.0);
        fprintf(out, "  time %s at %.4g MHz; %" PRIu64 " MACs; ub: in = input read from the unified buffer, "
                "out = output kept there for the next layer, - = both off-chip; bound: what bounds the layer's run "
                "(its chained group's)\n",
                t, hz / 1e6, tot_macs);
        print_links(out, &w, L, gfirst, ng);
        if (train)
            train_print(out, &tt, hz, (double)peak);
        /* where the cycles went, and the memory traffic, over the whole workload */
        report_categories(&total, "\n  ", out);
        for (uint32_t i = 0; i < total.n_levels; i++) {
            const stats_level *l = &total.levels[i];
            uint64_t asked = l->read_bytes + l->write_bytes;
            if (l->kind != STATS_LEVEL_OFF_CHIP || (!asked && !l->bus_bytes))
                continue;
            fprintf(out, "  memory %-10s read %.4g MB, written %.4g MB, on the bus %.4g MB (%.2fx); %.1f%% of peak "
                         "bandwidth; a request in flight %.1f%% of cycles\n",
                    l->name, (double)l->read_bytes / 1e6, (double)l->write_bytes / 1e6, (double)l->bus_bytes / 1e6,
                    asked ? (double)l->bus_bytes / (double)asked : 0.0, 100.0 * l->bandwidth_utilization,
                    total.cycles ? 100.0 * (double)l->in_flight_cycles / (double)total.cycles : 0.0);
        }
        fprintf(out, "\n%s\n", tb.sentence);
    }
    train_totals gtt = {{0}, {0}, {0}};   /* -g --train: the GPU's per-phase totals */
    if (gcfg && train)
        train_of_gpu(&gtt, &w, &gm);
    if (cmp_out) {
        print_compare(cmp_out, &w, &cfg, gcfg, chip, L, peak, &total, &tb, &gmo, &mo, &gm,
                      no_data ? "not computed (--no-data: timing only)" : !all_ok ? "MISMATCH"
                      : any_checked ? "matches the reference bit for bit" : "not checked (--no-check)");
        if (train) {   /* the step's phases on each machine, at its own clock and peak */
            fprintf(cmp_out, "\nTPU %s", cfg.tpu.name);
            train_print(cmp_out, &tt, hz, (double)peak);
            fprintf(cmp_out, "\nGPU %s", gcfg->gpu.name);
            train_print(cmp_out, &gtt, (double)gm.total.clock_hz, gm.total.peak_macs_per_cycle);
        }
    }
    if (json_path || html.path) {
        cli_doc doc;
        FILE *f = cli_doc_open(&doc, json_path, &html);
        if (!f) {
            rc = 2;
            goto done;
        }
        json_w j;
        cli_json_begin(&j, f, "model");
        json_key(&j, "tpu");
        json_begin_object(&j);
        /* the whole workload as one run: repeats applied */
        report_json_members(&total, &j);
        cli_json_config(&j, &mo, &cfg);
        json_key(&j, "workload");
        json_begin_object(&j);
        json_kv_str(&j, "name", w.name);
        json_kv_str(&j, "source", w.source);
        json_end_object(&j);
        json_key(&j, "layers");
        json_begin_array(&j);
        for (size_t i = 0; i < w.n_layers; i++) {
            const layer_run *r = &L[i];
            uint64_t macs = (uint64_t)r->pb.m * r->pb.n * r->pb.k;
            size_t g = 0;
            while (g + 1 < ng && gfirst[g + 1] <= i)
                g++;
            json_begin_object(&j);
            json_kv_str(&j, "name", w.layers[i].name);
            if (train)
                cli_json_train_layer(&j, &w.layers[i]);
            json_kv_str(&j, "dtype", dtype_name(r->pb.dtype));
            json_kv_u64(&j, "m", r->pb.m);
            json_kv_u64(&j, "n", r->pb.n);
            json_kv_u64(&j, "k", r->pb.k);
            json_kv_u64(&j, "repeat", r->repeat);
            json_kv_u64(&j, "cycles", r->cycles * r->repeat);
            json_kv_u64(&j, "cycles_per_run", r->cycles);
            json_kv_u64(&j, "macs", macs * r->repeat);
            json_kv_double(&j, "seconds", (double)(r->cycles * r->repeat) / hz);
            json_kv_double(&j, "ops_per_s", r->cycles ? 2.0 * (double)macs / ((double)r->cycles / hz) : 0);
            json_kv_double(&j, "utilization", r->cycles ? (double)macs / ((double)r->cycles * (double)peak) : 0);
            json_kv_u64(&j, "mxus", r->plan.mxus_used);
            json_key(&j, "tile");
            json_begin_array(&j);
            json_u64(&j, r->plan.tm);
            json_u64(&j, r->plan.tn);
            json_u64(&j, r->plan.tk);
            json_end_array(&j);
            json_kv_str(&j, "order", r->plan.order);
            json_kv_bool(&j, "double_buffer", r->plan.double_buffer);
            json_kv_str(&j, "epilogue", gemm_epilogue_name(r->plan.epilogue));
            json_key(&j, "input");
            if (r->input >= 0)
                json_str(&j, w.layers[r->input].name);
            else
                json_null(&j);
            json_kv_bool(&j, "input_from_ub", r->in_ub);
            json_kv_bool(&j, "output_to_ub", r->out_ub);
            json_kv_str(&j, "check", report_check_name(no_data ? REPORT_CHECK_TIMING_ONLY : !r->checked ? REPORT_CHECK_NOT_CHECKED
                                                       : r->match ? REPORT_CHECK_MATCH : REPORT_CHECK_MISMATCH));
            json_kv_u64(&j, "group", g);
            json_kv_str(&j, "bound", stats_category_name(gb[g].category));
            json_end_object(&j);
        }
        json_end_array(&j);
        /* one run per group of chained layers (a lone layer is a group of one): its full stats
         * (stall breakdown by unit, bytes per memory level), for ONE run (repeats not applied) */
        json_key(&j, "groups");
        json_begin_array(&j);
        for (size_t g = 0; g < ng; g++) {
            json_begin_object(&j);
            json_kv_u64(&j, "first_layer", gfirst[g]);
            json_kv_u64(&j, "last_layer", gfirst[g + 1] - 1);
            json_kv_u64(&j, "repeat", L[gfirst[g]].repeat);
            report_json_members(&gstats[g], &j);
            json_end_object(&j);
        }
        json_end_array(&j);
        json_key(&j, "total");
        json_begin_object(&j);
        json_kv_u64(&j, "cycles", tot_cyc);
        json_kv_u64(&j, "macs", tot_macs);
        json_kv_double(&j, "seconds", tot_s);
        json_kv_double(&j, "ops_per_s", tot_s > 0 ? 2.0 * (double)tot_macs / tot_s : 0);
        json_kv_double(&j, "utilization", tot_util);
        json_end_object(&j);
        if (train)
            train_json(&j, &tt, hz, (double)peak);
        json_kv_str(&j, "check", report_check_name(no_data ? REPORT_CHECK_TIMING_ONLY : !all_ok ? REPORT_CHECK_MISMATCH
                                                   : any_checked ? REPORT_CHECK_MATCH : REPORT_CHECK_NOT_CHECKED));
        json_end_object(&j);
        if (gcfg) {   /* -g: the GPU's run as model -c GPU writes it, and the ratios */
            json_key(&j, "gpu");
            json_begin_object(&j);
            cli_json_gpu_model(&j, &gmo, gcfg, &w, &gm);
            if (train)
                train_json(&j, &gtt, (double)gm.total.clock_hz, gm.total.peak_macs_per_cycle);
            json_end_object(&j);
            cli_compare_json(&j, &total, &gm.total, layer_dtypes(&w, L, NULL), layer_dtypes(&w, NULL, &gm));
        }
        json_end_object(&j);
        if ((rc = cli_doc_close(&doc, json_finish(&j) != 0)) != 0 || (html.path && (rc = cli_html_write(&html)) != 0)) {
            goto done;
        }
    }
    if (trace_path && (rc = cli_trace_write_n(trace_path, tls, ntl, "model")) != 0)
        goto done;
    /* the roofline after the other outputs: a missing gnuplot costs only the plot */
    if (plot_path) {
        plot_point *pts = calloc(w.n_layers ? 2 * w.n_layers : 1, sizeof *pts);
        cli_roofs roofs = {0};
        if (!pts) {
            rc = cli_fail(&(tp_err){TP_ERR_NOMEM, "out of memory for the roofline's points"});
        } else {
            size_t np = w.n_layers;
            for (size_t i = 0; i < w.n_layers; i++) {
                const layer_run *r = &L[i];
                size_t g = 0;
                while (g + 1 < ng && gfirst[g + 1] <= i)
                    g++;
                char rn[96];
                snprintf(rn, sizeof rn, "TPU %s %s", cfg.tpu.name, dtype_name(r->pb.dtype));
                cli_roof_add(&roofs, rn, gstats[g].peak_ops_per_s, gstats[g].offchip_peak_bytes_per_s);
                /* a chained group's layers share its off-chip traffic: its intensity */
                pts[i] = (plot_point){w.layers[i].name, "TPU", gstats[g].intensity,
                                      r->cycles ? 2.0 * (double)r->pb.m * r->pb.n * r->pb.k / ((double)r->cycles / hz) : 0};
            }
            for (size_t i = 0; gcfg && i < w.n_layers; i++) {   /* -g: both machines under their roofs */
                const cli_gpu_layer *gl = &gm.L[i];
                char rn[96];
                snprintf(rn, sizeof rn, "GPU %s %s", gcfg->gpu.name, gl->fp16 ? "fp16" : dtype_name(gl->pb.dtype));
                cli_roof_add(&roofs, rn, gl->s.peak_ops_per_s, gl->s.offchip_peak_bytes_per_s);
                pts[np++] = (plot_point){w.layers[i].name, "GPU", gl->s.intensity, gl->s.ops_per_s};
            }
            char title[300];
            if (gcfg)
                snprintf(title, sizeof title, "model %s on %s and %s: roofline", w.name, cfg.tpu.name, gcfg->gpu.name);
            else
                snprintf(title, sizeof title, "model %s on %s: roofline", w.name, cfg.tpu.name);
            int prc = cli_plot_roofline(plot_path, title, pts, np, &roofs);
            if (!rc)
                rc = prc;
        }
        free(pts);
    }
    if (!all_ok) {
        fprintf(stderr, "tpusim: model %s: a layer's result differs from the reference\n", w.name);
        rc = tp_exit_code(TP_ERR_MISMATCH);
    }
done:
    cli_gpu_model_free(&gm);
    tl_free(&tl);
    tl_free(&gtl);
    cli_html_free(&html);
    model_exec_free(&mx);
    workload_free(&w);
    return rc;
}
