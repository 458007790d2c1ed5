/* Running a tiled GEMM: see run.h. The reference (work/ref.h) is independent of the machine:
 * it never looks at the program, only at the problem and the accumulation order the plan
 * states (tiler_ref_spec). */
#include "tiler/run.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "num/pool.h"
#include "work/fill.h"

void tiler_result_free(tiler_result *r)
{
    if (!r)
        return;
    stats_free(&r->stats);
    num_big_free(r->a);
    num_big_free(r->b);
    num_big_free(r->c);
    memset(r, 0, sizeof *r);
}

ref_spec tiler_ref_spec(const tiler_plan *plan)
{
    ref_spec rs;
    memset(&rs, 0, sizeof rs);
    rs.kc = plan->kc;
    rs.k_part = plan->split_k > 1 ? plan->k_part : 0;
    rs.epilogue = plan->epilogue;
    rs.requant_scale = plan->requant_scale;
    return rs;
}

#define REF_ELEM_BYTES 4   /* the reference's C: fp32 or int32 sums */

/* Elements of A, B and C (batch included). */
static void sizes(const gemm_problem *pb, size_t *na, size_t *nb, size_t *nc)
{
    *na = (size_t)pb->batch * pb->m * pb->k;
    *nb = (size_t)pb->batch * pb->k * pb->n;
    *nc = (size_t)pb->batch * pb->m * pb->n;
}

double tiler_run_seconds(uint64_t n_ins, double macs, uint64_t fresh_bytes)
{
    return (double)n_ins * TILER_SECONDS_PER_INS + macs / TILER_MACS_PER_SECOND +
           (double)fresh_bytes / TILER_FRESH_BYTES_PER_SECOND;
}

void tiler_run_cost(const tp_config *cfg, const gemm_problem *pb, const tiler_plan *plan, uint64_t n_ins,
                    bool timing_only, bool check, uint64_t *bytes, double *seconds)
{
    *bytes = machine_run_bytes(&cfg->tpu, n_ins, pb->dtype, true);
    if (timing_only) {
        *seconds = tiler_run_seconds(n_ins, 0, 0);
        return;
    }
    size_t na, nb, nc;
    sizes(pb, &na, &nb, &nc);
    /* fresh: the UB and accumulators, the matrices, and when checked the reference's C and copies */
    ref_spec rs = tiler_ref_spec(plan);
    uint64_t fresh = machine_run_bytes(&cfg->tpu, n_ins, pb->dtype, false) - *bytes +
                     (uint64_t)(na + nb) * dtype_in_bytes(pb->dtype) + (uint64_t)nc * npy_dtype_size(plan->out_dtype) +
                     (check ? (uint64_t)nc * REF_ELEM_BYTES + ref_gemm_scratch_bytes(pb, &rs) : 0);
    *bytes += fresh;
    *seconds = tiler_run_seconds(n_ins, (double)pb->batch * pb->m * pb->n * pb->k * (check ? 2 : 1), fresh);
}

tp_status tiler_run(const tp_config *cfg, const gemm_problem *pb, const tiler_plan *plan,
                    const tiler_run_opts *o, tiler_result *r, tp_err *err)
{
    memset(r, 0, sizeof *r);
    stats_init(&r->stats);
    r->plan = *plan;
    isa_program p;
    machine *mc = NULL;
    void *ref = NULL;
    tp_status st = tiler_generate(&cfg->tpu, pb, plan, &p, err);
    uint64_t n_ins = p.n_ins;
    if (st == TP_OK)
        st = machine_new(cfg, o->engine, &mc, err);
    if (st == TP_OK)
        st = machine_load_take(mc, &p, err);
    if (st == TP_OK && o->before_run)   /* a program the machine accepted */
        o->before_run(o->before_run_ctx, n_ins);
    if (st == TP_OK)
        machine_set_progress(mc, o->progress, o->progress_ctx);
    const size_t ib = dtype_in_bytes(pb->dtype), ob = npy_dtype_size(plan->out_dtype);
    size_t na, nb, nc;
    sizes(pb, &na, &nb, &nc);
    const npy_dtype idt = npy_dtype_of_input(pb->dtype);
    if (st == TP_OK)
        machine_set_fast_forward(mc, !o->no_fast_forward);
    if (st == TP_OK && o->timing_only) {
        machine_set_timing_only(mc, true);
    } else if (st == TP_OK) {
        st = gemm_check_sizes(pb, err);
        if (st == TP_OK) {
            /* big buffers (num/pool.h): first touches fault in 2 MiB pages where possible */
            r->a = num_big_alloc(na * ib);
            r->b = num_big_alloc(nb * ib);
            r->c = num_big_alloc(nc * ob);
            if (!r->a || !r->b || !r->c)
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the matrices of gemm %ux%ux%u",
                                pb->m, pb->n, pb->k);
        }
        if (st == TP_OK) {
            rng_state rs;
            rng_init(&rs, o->seed);
            if (o->a)
                memcpy(r->a, o->a, na * ib);
            else
                fill_random(pb->dtype, r->a, na, &rs);
            if (o->b)
                memcpy(r->b, o->b, nb * ib);
            else
                fill_random(pb->dtype, r->b, nb, &rs);
            uint32_t ar = pb->transpose_a ? pb->batch * pb->k : pb->batch * pb->m;
            uint32_t ac = pb->transpose_a ? pb->m : pb->k;
            uint32_t br = pb->transpose_b ? pb->batch * pb->n : pb->batch * pb->k;
            uint32_t bc = pb->transpose_b ? pb->k : pb->n;
            machine_set_threads(mc, o->threads);
            st = machine_bind(mc, "A", r->a, ar, ac, idt, err);
            if (st == TP_OK)
                st = machine_bind(mc, "B", r->b, br, bc, idt, err);
            if (st == TP_OK)
                st = machine_bind(mc, "C", r->c, pb->batch * pb->m, pb->n, plan->out_dtype, err);
        }
    }
    if (st == TP_OK && o->observer)
        machine_set_mxu_observer(mc, o->observer, o->observer_ctx);
    if (st == TP_OK) {
        machine_set_trace(mc, o->trace);
        st = machine_run(mc, err);
    }
    if (st == TP_OK && o->after_run)
        o->after_run(o->observer_ctx, mc);
    if (st == TP_OK) {
        r->ff_skipped = machine_ff_skipped(mc);
        st = stats_copy(&r->stats, machine_stats(mc), err);
    }
    if (st == TP_OK && !o->timing_only && o->check) {
        ref = num_big_alloc(nc * REF_ELEM_BYTES);
        if (!ref)
            st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the reference result");
        else {
            ref_spec rs = tiler_ref_spec(plan);
            st = ref_gemm(pb, &rs, r->a, r->b, ref, o->threads, err);
            if (st == TP_OK) {
                r->checked = true;
                r->match = ref_compare(pb, plan->out_dtype, r->c, ref, r->mismatch, sizeof r->mismatch);
            }
        }
    }
    if (st == TP_OK) {   /* the derived figures are the stats record's (stats_finish) */
        const tp_stats *s = &r->stats;
        r->macs = (uint64_t)pb->batch * pb->m * pb->n * pb->k;
        r->offchip_bytes = s->offchip_bytes;
        r->peak_ops_per_s = s->peak_ops_per_s;
        r->ops_per_s = s->ops_per_s;
        r->intensity = s->intensity;
        r->roofline_ops_per_s = s->roofline_ops_per_s;
    }
    num_big_free(ref);
    machine_free(mc);
    isa_free(&p);
    if (st != TP_OK)
        tiler_result_free(r);
    return st;
}
