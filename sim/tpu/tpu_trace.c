/* The TPU machine's --trace recording (stats/timeline.h, docs/trace.md). Nothing here decides
 * anything: every call records times the blocks have already computed, so a run's cycles and
 * stats are the same with and without a timeline.
 *
 * Tracks of core c (group "core<c>"):
 *   "dma<e>"        per DMA engine: a slice per transfer, [begin, engine free): the engine is
 *                   occupied for its own cycles and until its last burst has left the memory's
 *                   queue (dma.c note 2), so transfers on one engine follow each other. Args: the
 *                   instruction, the block, bytes, and the cycles own / engine_free / done (the
 *                   data in place, after the memory's latency, which may overlap the next
 *                   transfer and so is not part of the slice).
 *   "dma<e> cause"  the engine's cycle accounting, a slice per run of one cause (busy, off_chip,
 *                   dependency, wbuf_full, issue_blocked, idle): every cycle in exactly one.
 *   "mxu<u>"        per MXU: a slice per matmul instruction over its ops' streams, [first op's
 *                   t0, last op's stream end), with a child slice per op when it has several
 *                   (repeat > 1). Streams of one MXU follow each other; the weight shift before
 *                   and the drain after a stream overlap the neighbours' streams, so they are
 *                   args (shift_start_cycle, done_cycle) and the gap causes, not slices.
 *   "vpu", "vpu cause"  the vector unit: a slice per activate [begin, end), and its accounting.
 * Counters: "<queue> queue" (entries) per unit queue of each core, sampled when it changes.
 * Off-chip memories: group "mem", tracks "<memory> ch<i>" (mem/dram.h's dram_trace).
 */
#include "tpu/tpu_int.h"
#include <stdio.h>
#include <stdlib.h>

static const char *queue_name(uint32_t q, char *buf, size_t cap)
{
    static const char *const names[] = { [Q_LOAD] = "load", [Q_WEIGHT] = "loadw", [Q_VECTOR] = "vector",
                                         [Q_STORE] = "store" };
    if (q < Q_MXU0)
        snprintf(buf, cap, "%s queue", names[q]);
    else
        snprintf(buf, cap, "mxu%u queue", q - Q_MXU0);
    return buf;
}

tp_status tpu_trace_setup(machine *m)
{
    timeline *tl = m->tl;
    if (!tl)
        return TP_OK;
    const tp_tpu_cfg *t = m->t;
    if (tl->clock_hz == 0)
        tl->clock_hz = (double)t->clock_hz;
    char g[32], n[48];
    for (uint32_t c = 0; c < t->cores; c++) {
        core_state *cs = &m->cores[c];
        uint32_t ne = tpu_n_engines(m), nq = Q_MXU0 + t->mxus_per_core;
        cs->tl_dma = calloc(ne, sizeof *cs->tl_dma);
        cs->tl_mxu = calloc(t->mxus_per_core, sizeof *cs->tl_mxu);
        cs->tl_q = calloc(nq, sizeof *cs->tl_q);
        if (!cs->tl_dma || !cs->tl_mxu || !cs->tl_q)
            return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory for the trace's tracks");
        snprintf(g, sizeof g, "core%u", c);
        for (uint32_t e = 0; e < ne; e++) {
            snprintf(n, sizeof n, "dma%u", e);
            cs->tl_dma[e] = tl_track(tl, g, n, "dma");
            snprintf(n, sizeof n, "dma%u cause", e);
            acct_trace(&cs->dma[e], tl, tl_track(tl, g, n, "cause"), STATS_KIND_DMA);
        }
        for (uint32_t u = 0; u < t->mxus_per_core; u++) {
            snprintf(n, sizeof n, "mxu%u", u);
            cs->tl_mxu[u] = tl_track(tl, g, n, "mxu");
        }
        cs->tl_vpu = tl_track(tl, g, "vpu", "vpu");
        acct_trace(&cs->vpu, tl, tl_track(tl, g, "vpu cause", "cause"), STATS_KIND_VPU);
        for (uint32_t q = 0; q < nq; q++) {
            cs->tl_q[q] = tl_series(tl, g, queue_name(q, n, sizeof n), "entries");
            tl_count(tl, cs->tl_q[q], 0, 0);
        }
    }
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (m->mem[id].present)
            dram_trace(&m->mem[id].d, tl, "mem", cfg_mem_name((tp_mem_id)id));
    return TP_OK;
}

void tpu_trace_end(machine *m)
{
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (m->mem[id].present)
            dram_trace_end(&m->mem[id].d);
}

void tpu_trace_free(core_state *cs)
{
    free(cs->tl_dma);
    free(cs->tl_mxu);
    free(cs->tl_q);
}

void tpu_trace_queue(machine *m, core_state *cs, uint32_t q)
{
    tl_count(m->tl, cs->tl_q[q], m->now, cs->q[q].n);
}

/* The args every instruction's slice carries: its number and source position. */
static void instr_args(machine *m, uint32_t sl, uint32_t x)
{
    const isa_instr *in = &m->prog.ins[x];
    tl_arg_u64(m->tl, sl, "index", x);
    if (in->line)
        tl_arg_u64(m->tl, sl, "line", (uint64_t)in->line);
}

void tpu_trace_dma(machine *m, core_state *cs, uint32_t eng, uint32_t x, uint64_t bytes,
                   uint64_t s, const dma_times *dt)
{
    const isa_instr *in = &m->prog.ins[x];
    timeline *tl = m->tl;
    uint32_t sl = tl_slice(tl, cs->tl_dma[eng], s, dt->engine_free, isa_ops[in->op].mnemonic);
    instr_args(m, sl, x);
    tl_arg_str(tl, sl, "tensor", m->prog.tensors[in->blk.tensor].name);
    tl_arg_u64(tl, sl, "r0", in->blk.r0);
    tl_arg_u64(tl, sl, "c0", in->blk.c0);
    tl_arg_u64(tl, sl, "rows", in->blk.rows);
    tl_arg_u64(tl, sl, "cols", in->blk.cols);
    tl_arg_u64(tl, sl, "bytes", bytes);
    if (in->op == ISA_LOADW)
        tl_arg_u64(tl, sl, "mxu", in->mxu);
    else
        tl_arg_u64(tl, sl, "ub_addr", in->ub_addr);
    tl_arg_u64(tl, sl, "own_end_cycle", dt->own);
    tl_arg_u64(tl, sl, "done_cycle", dt->end);
}

void tpu_trace_vpu(machine *m, core_state *cs, uint32_t x, uint64_t s, uint64_t end)
{
    const isa_instr *in = &m->prog.ins[x];
    timeline *tl = m->tl;
    uint32_t sl = tl_slice(tl, tl_lane(tl, cs->tl_vpu, s, end), s, end, isa_ops[in->op].mnemonic);
    instr_args(m, sl, x);
    tl_arg_u64(tl, sl, "rows", in->m);
    tl_arg_u64(tl, sl, "cols", in->n);
    tl_arg_u64(tl, sl, "acc_row", in->acc_row);
    tl_arg_u64(tl, sl, "ub_addr", in->ub_addr);
    tl_arg_str(tl, sl, "act", isa_act_name(in->act));
    tl_arg_str(tl, sl, "out", npy_dtype_name(in->out_dtype));
}

/* The args of an op's timing: its shape and where its weight shift and drain lie. */
static void op_args(timeline *tl, uint32_t sl, const mxu_op *op, const mxu_timing *tm)
{
    tl_arg_u64(tl, sl, "m", op->m);
    tl_arg_u64(tl, sl, "n", op->n);
    tl_arg_u64(tl, sl, "k", op->k);
    tl_arg_u64(tl, sl, "shift_start_cycle", tm->shift_start);
    tl_arg_u64(tl, sl, "done_cycle", tm->end);   /* its results are in the accumulators */
    tl_arg_u64(tl, sl, "gap_idle", tm->by_cause[MXU_IDLE]);
    tl_arg_u64(tl, sl, "gap_weight_shift", tm->by_cause[MXU_WEIGHT_SHIFT]);
    tl_arg_u64(tl, sl, "gap_fill_drain", tm->by_cause[MXU_FILL_DRAIN]);
}

void tpu_trace_mm_op(machine *m, core_state *cs, uint32_t x, uint32_t j, const mxu_op *op,
                     const mxu_timing *tm)
{
    const isa_instr *in = &m->prog.ins[x];
    if (in->repeat == 1)
        return;   /* the instruction's slice says it all */
    uint32_t sl = tl_slice(m->tl, cs->tl_mxu[in->mxu], tm->start, tm->stream_end, "op");
    tl_arg_u64(m->tl, sl, "op", j);
    op_args(m->tl, sl, op, tm);
}

void tpu_trace_mm(machine *m, core_state *cs, uint32_t x, uint64_t start, uint64_t stream_end,
                  const mxu_op *op, const mxu_timing *tm)
{
    const isa_instr *in = &m->prog.ins[x];
    timeline *tl = m->tl;
    uint32_t sl = tl_slice(tl, cs->tl_mxu[in->mxu], start, stream_end, isa_ops[in->op].mnemonic);
    instr_args(m, sl, x);
    tl_arg_u64(tl, sl, "repeat", in->repeat);
    tl_arg_u64(tl, sl, "acc_row", in->acc_row);
    tl_arg_u64(tl, sl, "ub_addr", in->ub_addr);
    tl_arg_u64(tl, sl, "accumulate", in->accumulate);
    if (in->repeat == 1)
        op_args(tl, sl, op, tm);
}
