/* Matmul issue: one matrix queue per MXU; each matmul instruction is `repeat` MXU ops, one per
 * weight tile it pops from the MXU's FIFO.
 *
 * NOTES ON THE DESIGN OF MATMUL ISSUE
 *
 * 1. When. A matmul is timed as soon as its FIFO holds its tiles and every instruction it
 *    depends on has begun (their ends are known), possibly before its operands are there:
 *    mxu_time_op2(weights_ready, inputs_ready) gives each op's t0 and end in closed form
 *    (tpu/mxu.h, docs/mxu.md), possibly in the future. weights_ready is the end of the tile's
 *    loadw; inputs_ready the scoreboard's ready time (sb.c).
 *
 * 2. The UB read port (mem/sram.h, a calendar of reservations) must deliver the op's A rows,
 *    m * k elements: read = ceil(bytes / read bandwidth) cycles at the whole port. When that
 *    fits in the op's stream of T cycles, the rows are read as they stream, at
 *    ceil(bytes / T) bytes per cycle over the stream (the rest of the port stays free for the
 *    DMA and the other MXUs); when it is longer, at the whole port, beginning lead = read - T
 *    cycles before the stream so that every row is read before it enters the array
 *    (mm_ub_read_lead):
 *        lead = max(0, read - T),   want = max(inputs_ready, t0 - lead)
 *    If the port is not free for `read` cycles from `want` (it is busy, or t0 - lead is before
 *    inputs_ready), the op is re-timed with inputs_ready = (the port's first free stretch) +
 *    lead, and its wait is named ub_bandwidth. The port is then reserved from t0 - lead.
 *
 * 3. FIFO. Each op releases its tile's slots when it has shifted it in: ws/is at t0, os at its
 *    stream end (wbuf.c).
 *
 * 4. Values are taken when the op is timed: the fast engine computes them at once
 *    (mxu_fast_values, on the machine's pool for large ops); the per-PE engine gets private
 *    copies of the operands then (which is when the hardware's values are defined) and is
 *    advanced in simulated time before any other instruction applies values at that time
 *    (mm_advance_pe), so it writes the accumulators in event order. At the run's end the
 *    MXU's stats and the matmuls' times are taken from the per-PE engine's own timing, and
 *    each op is compared with the closed form the scheduler used (mm_finish_pe says why).
 *
 * 6. os chains (tpu/mxu.h): the ops of an os matmul are one chain, and `hold` carries it on to
 *    the next matmul of the MXU (the validator checks it has the same rows, m and n): every op
 *    but the last holds, and the chain writes the accumulators once, overwriting unless its
 *    first op accumulates. The per-PE engine keeps the partial sums in its PEs; the fast engine
 *    collects the chain's operands and computes its values at the last op, with kc = the
 *    chain's K (one partial sum, as the PEs form it).
 *
 * 5. Causes (STATS_MXU_*): busy, weight_shift and fill_drain from the MXU model's by_cause; its
 *    idle cycles before an op are split (mxu_account): those before the instruction reached
 *    the head of its queue are idle (or issue_blocked when the issuer was stopped), the rest
 *    go to what the op waited for: wait_weights (its loadw), wait_inputs (a load into the UB),
 *    ub_bandwidth, dependency (any other hazard). Drain cycles go the same way once the
 *    instruction is there and the array itself would have let the op start
 *    (mxu_timing.free_start): the op would have streamed under the drain had it not waited, so
 *    the drain is exposed by the wait, not by the pipeline. tpu_finish_stats later splits busy into busy
 *    (useful MACs) and padding.
 */
#include "tpu/tpu_int.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* What an op waited for after its instruction reached the MXU (idle and issue_blocked, the
 * cycles before it arrived, are charged by position in mxu_account). */
stats_mxu_cause mm_cause_of(cause c)
{
    switch (c) {
    case C_WEIGHTS: return STATS_MXU_WAIT_WEIGHTS;
    case C_INPUTS: return STATS_MXU_WAIT_INPUTS;
    case C_UB_BW: return STATS_MXU_UB_BANDWIDTH;
    case C_DEPENDENCY: case C_WBUF_FULL: case C_DMA_ENGINES: return STATS_MXU_DEPENDENCY;
    default: return STATS_MXU_IDLE;
    }
}

mm_ub_read mm_ub_read_lead(uint64_t read_cycles, uint64_t stream_cycles, uint64_t t0,
                           uint64_t inputs_ready)
{
    mm_ub_read r;
    r.lead = read_cycles > stream_cycles ? read_cycles - stream_cycles : 0;
    r.want = t0 >= inputs_ready + r.lead ? t0 - r.lead : inputs_ready;
    return r;
}

/* Note 5: splits an op's idle cycles by where they lie: those before the instruction reached
 * the head of its queue are idle, or issue_blocked from the cycle the issuer was stopped at a
 * full queue that held it back; those after it arrived go to what the op waited for. */
static void mxu_account(const machine *m, mxu_unit *mu, const mxu_op *op, const mxu_state *before,
                        const mxu_timing *tm, uint64_t free_start, const pe_op_rec *r)
{
    const mxu_params *p = &m->mp;
    uint64_t arrived = r->head_since, timed = util_max(r->timed_at, arrived);
    stats_mxu_cause held = mm_cause_of((cause)r->held), waited = mm_cause_of((cause)r->waited);
    mu->cyc[STATS_MXU_BUSY] += tm->by_cause[MXU_BUSY];
    mu->cyc[STATS_MXU_WEIGHT_SHIFT] += tm->by_cause[MXU_WEIGHT_SHIFT];
    /* drain cycles once the instruction is there and the array itself would have let the op
     * start: the wait's (before it was timed: what held it; after: what it waited for) */
    uint64_t from = util_max(free_start, arrived);
    uint64_t fd = tm->by_cause[MXU_FILL_DRAIN], fd_keep = mxu_fill_drain_before(p, op, before, tm, from);
    uint64_t fd_held = mxu_fill_drain_before(p, op, before, tm, util_max(from, timed)) - fd_keep;
    mu->cyc[STATS_MXU_FILL_DRAIN] += fd_keep;
    mu->cyc[held] += fd_held;
    mu->cyc[waited] += fd - fd_keep - fd_held;
    /* idle cycles: before arrival idle (issue_blocked while the issuer was stopped); then as
     * the drain's */
    uint64_t idle = tm->by_cause[MXU_IDLE];
    uint64_t pre = mxu_idle_before(p, op, before, tm, arrived), blocked = 0;
    if (r->head_blocked_since != NEVER)
        blocked = pre - mxu_idle_before(p, op, before, tm, r->head_blocked_since);
    uint64_t idle_held = mxu_idle_before(p, op, before, tm, timed) - pre;
    mu->cyc[STATS_MXU_IDLE] += pre - blocked;
    mu->cyc[STATS_MXU_ISSUE_BLOCKED] += blocked;
    mu->cyc[held] += idle_held;
    mu->cyc[waited] += idle - pre - idle_held;
}

/* Fast engine values of one matmul op (mxu_fast_values), run on the machine's pool so that no
 * call starts threads or allocates scratch. The pool starts its threads only once an op is
 * large enough to use them (a program of small ops never has threads spinning beside it).
 * Without memory for a pool, threads are started for the call. */
static void values_matmul_fast(machine *m, const mxu_issue *is, int threads)
{
    bool full = threads != 1;
    if (m->pool && full && !m->pool_full) {   /* grow the caller-only pool */
        num_pool_free(m->pool);
        m->pool = NULL;
    }
    if (!m->pool) {
        if (num_pool_new(full ? m->threads : 1, &m->pool, NULL) != TP_OK) {
            mxu_fast_values(&m->mp, is, NULL, threads);
            return;
        }
        m->pool_full = full;
    }
    mxu_fast_values(&m->mp, is, m->pool, threads);
}

void mm_advance_pe(machine *m, core_state *cs, uint64_t t)
{
    if (m->engine != MACHINE_PE || m->timing_only)
        return;
    for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
        uint32_t id;
        mxu_unit *mu = &cs->mxu[u];
        if (mu->pe)
            while (mxu_pe_advance(mu->pe, t, &id))
                if (id < mu->pe_n) {
                    free(mu->pe_bufs[id]);
                    mu->pe_bufs[id] = NULL;
                }
    }
}

/* Note 4: hands one op to the per-PE engine with private copies of its operands. */
static tp_status issue_pe(machine *m, mxu_unit *mu, mxu_issue *is, const fifo_entry *fe, const pe_op_rec *rec)
{
    unsigned e = dtype_in_bytes(m->prog.dtype);
    if (mu->pe_n == mu->pe_cap) {
        uint32_t nc = mu->pe_cap ? mu->pe_cap * 2 : PE_OPS_INITIAL;
        pe_op_rec *q = realloc(mu->pe_ops, nc * sizeof *q);
        void **qb = q ? realloc(mu->pe_bufs, nc * sizeof *qb) : NULL;
        if (q)
            mu->pe_ops = q;
        if (qb)
            mu->pe_bufs = qb;
        if (!q || !qb)
            return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory");
        mu->pe_cap = nc;
    }
    size_t abytes = (size_t)is->op.m * fe->k * e, bbytes = (size_t)fe->k * fe->n * e;
    uint8_t *buf = malloc(abytes + bbytes);
    if (!buf)
        return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory");
    for (uint32_t r = 0; r < is->op.m; r++)
        memcpy(buf + (size_t)r * fe->k * e, (const uint8_t *)is->a + (size_t)r * is->a_rs * e, (size_t)fe->k * e);
    memcpy(buf + abytes, fe->data, bbytes);
    is->a = buf;
    is->a_rs = fe->k;
    is->b = buf + abytes;
    uint32_t id;
    tp_status rc = mxu_pe_issue(mu->pe, is, &id, m->err);
    if (rc) {
        free(buf);
        return rc;
    }
    assert(id == mu->pe_n);   /* records are kept by the engine's issue ids */
    mu->pe_bufs[mu->pe_n] = buf;
    mu->pe_ops[mu->pe_n++] = *rec;
    return TP_OK;
}

/* Notes 1 and 2: times op on MXU mu from weights_ready and inputs_ready, re-timed after the UB
 * read port when the port cannot deliver its A rows (a_bytes) in time, and books the port.
 * *before gets the pipeline state before the op; returns the inputs_ready it was timed with
 * (later than inputs_ready when the port held it back). */
static uint64_t time_op(machine *m, core_state *cs, mxu_unit *mu, const mxu_op *op, uint64_t a_bytes,
                        uint64_t weights_ready, uint64_t inputs_ready, mxu_state *before, mxu_timing *tm)
{
    *before = mu->st;
    mxu_time_op2(&m->mp, &mu->st, op, weights_ready, inputs_ready, tm);
    uint64_t rd = sram_cycles(&cs->ub, false, a_bytes), T = mxu_op_stream_cycles(&m->mp, op);
    mm_ub_read ur = mm_ub_read_lead(rd, T, tm->start, inputs_ready);
    /* the rows are read as they stream (a row per cycle), or at the whole port when it is slower */
    uint64_t rate = rd > T ? 0 : util_ceil_div(a_bytes, T);
    uint64_t u0 = sram_earliest(&cs->ub, false, ur.want, a_bytes, rate);
    if (u0 + ur.lead > tm->start) {   /* the UB read port is busy or too slow: start later */
        mu->st = *before;
        inputs_ready = u0 + ur.lead;
        mxu_time_op2(&m->mp, &mu->st, op, weights_ready, inputs_ready, tm);
    }
    sram_reserve(&cs->ub, false, tm->start - ur.lead, a_bytes, rate);
    return inputs_ready;
}

/* Grows *buf to hold need bytes (doubling); false when out of memory. */
static bool grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t c = need > 2 * *cap ? need : 2 * *cap;
    uint8_t *q = realloc(*buf, c);
    if (!q)
        return false;
    *buf = q;
    *cap = c;
    return true;
}

/* Note 6: appends an os op's operands (A rows m x k from the UB, the tile k x n) to its MXU's
 * chain, A transposed so that each op's k rows go at the end. */
static tp_status chain_append(machine *m, mxu_unit *mu, const mxu_issue *is, uint32_t k)
{
    unsigned e = dtype_in_bytes(m->prog.dtype);
    uint32_t mm = is->op.m, n = is->op.n;
    if (!grow(&mu->ch_at, &mu->ch_cap_at, (size_t)(mu->ch_k + k) * mm * e) ||
        !grow(&mu->ch_b, &mu->ch_cap_b, (size_t)(mu->ch_k + k) * n * e))
        return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory for an os chain's operands");
    const uint8_t *a = is->a;
    for (uint32_t kk = 0; kk < k; kk++)
        for (uint32_t i = 0; i < mm; i++)
            memcpy(mu->ch_at + ((size_t)(mu->ch_k + kk) * mm + i) * e, a + ((size_t)i * is->a_rs + kk) * e, e);
    memcpy(mu->ch_b + (size_t)mu->ch_k * n * e, is->b, (size_t)k * n * e);
    mu->ch_k += k;
    return TP_OK;
}

/* Note 4: op j of matmul `in` (tile fe) computes its values now (fast engine) or is handed to
 * the per-PE engine with rec. */
static tp_status op_values(machine *m, core_state *cs, mxu_unit *mu, const isa_instr *in, uint32_t j,
                           const fifo_entry *fe, const mxu_op *op, uint64_t weights_ready, uint64_t inputs_ready,
                           const pe_op_rec *rec)
{
    unsigned e = dtype_in_bytes(m->prog.dtype);
    uint32_t cols = m->t->array.cols;
    mxu_issue is;
    memset(&is, 0, sizeof is);
    is.op = *op;
    is.a = cs->ub_data + in->ub_addr + (size_t)j * fe->k * e;
    is.a_rs = (in->ub_stride ? in->ub_stride : (uint64_t)fe->k * in->repeat * e) / e;
    is.a_cs = 1;
    is.b = fe->data;
    is.b_rs = fe->n;
    is.b_cs = 1;
    is.c = cs->acc_data + (size_t)in->acc_row * cols * dtype_acc_bytes(m->prog.dtype);
    is.ldc = cols;
    is.weights_ready = weights_ready;
    is.inputs_ready = inputs_ready;
    if (m->engine == MACHINE_PE)
        return issue_pe(m, mu, &is, fe, rec);
    if (op->hold || mu->ch_k) {   /* note 6: an os chain's values come at its last op */
        tp_status rc = chain_append(m, mu, &is, fe->k);
        if (rc || op->hold)
            return rc;
        is.op.k = mu->ch_k;
        is.a = mu->ch_at;
        is.a_rs = 1;
        is.a_cs = op->m;
        is.b = mu->ch_b;
        is.b_rs = op->n;
        mu->ch_k = 0;
    }
    /* threads pay off only for large ops; waking them costs more than a small op */
    uint64_t op_macs = (uint64_t)is.op.m * is.op.n * is.op.k;
    values_matmul_fast(m, &is, op_macs >= PARALLEL_MIN_MACS ? m->threads : 1);
    return TP_OK;
}

bool mm_try(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why)
{
    const isa_instr *in = &m->prog.ins[x];
    mxu_unit *mu = &cs->mxu[in->mxu];
    /* its tiles: the FIFO entries after the ones already handed out */
    if (!wbuf_has(mu, in->repeat)) {
        *why = mu->held = C_WEIGHTS;
        return false;
    }
    sb_dep d = sb_deps(m, cs, x);
    if (d.blocked) {
        *why = d.why == C_IDLE ? C_DEPENDENCY : d.why;
        mu->held = (uint8_t)*why;
        return false;
    }
    if (m->fl[x].vals_need > m->now) {   /* sb.c note 7: an older instruction's values move later */
        tpu_wake(m, c, m->fl[x].vals_need);
        *why = mu->held = C_DEPENDENCY;
        return false;
    }
    uint64_t inputs_ready = util_max(m->now, d.ready);
    cause dep_cause = d.ready > m->now ? (d.why == C_IDLE ? C_DEPENDENCY : d.why) : C_INPUTS;
    bool pe = m->engine == MACHINE_PE && !m->timing_only;
    flight *f = &m->fl[x];
    bool os = m->mp.dataflow == TP_DF_OS;
    mm_advance_pe(m, cs, m->now);
    uint64_t tr_start = 0, tr_end = 0;   /* --trace: the instruction's streams */
    mxu_op tr_op;
    mxu_timing tr_tm;
    for (uint32_t j = 0; j < in->repeat; j++) {
        fifo_entry *fe = wbuf_next(m, mu);
        uint64_t weights_ready = util_max(m->now, m->fl[fe->ins].end);
        /* note 6: os ops of one matmul are one chain, and hold extends it to the next matmul */
        mxu_op op = {in->m, fe->n, fe->k, j > 0 || in->accumulate, os && (j + 1 < in->repeat || in->hold)};
        if (os && mu->st.held)
            op.accumulate = mu->chain_acc;   /* the chain writes once, as its first op says */
        else
            mu->chain_acc = op.accumulate;
        mxu_state before;
        mxu_timing tm;
        uint64_t a_bytes = (uint64_t)in->m * fe->k * dtype_in_bytes(m->prog.dtype);
        uint64_t in_ready = time_op(m, cs, mu, &op, a_bytes, weights_ready, inputs_ready, &before, &tm);
        cause waited = in_ready > inputs_ready ? C_UB_BW : weights_ready > inputs_ready ? C_WEIGHTS : dep_cause;
        pe_op_rec rec = {tm, op, x, j, mu->head_since, mu->head_blocked_since, m->now, (uint8_t)waited, mu->held};
        if (!pe)   /* the per-PE engine's ops are charged at the end, as it ran them */
            mxu_account(m, mu, &op, &before, &tm, tm.free_start, &rec);
        uint64_t release = os ? tm.stream_end : tm.start;
        m->macs += (uint64_t)in->m * fe->n * fe->k;
        mu->macs += (uint64_t)in->m * fe->n * fe->k;
        if (!op.hold) {   /* a held op writes nothing: its chain writes at the last op */
            m->acc_write_bytes += (uint64_t)in->m * fe->n * dtype_acc_bytes(m->prog.dtype);
            if (op.accumulate)
                m->acc_read_bytes += (uint64_t)in->m * fe->n * dtype_acc_bytes(m->prog.dtype);
        }
        if (m->tl) {
            tpu_trace_mm_op(m, cs, x, j, &op, &tm);
            if (j == 0)
                tr_start = tm.start;
            tr_end = tm.stream_end;
            tr_op = op;
            tr_tm = tm;
        }
        if (j == 0)
            f->start = tm.start;
        f->end = util_max(f->end, tm.end);
        f->read_done = util_max(f->read_done, tm.stream_end);
        mu->used = true;
        tpu_wake(m, c, release);
        if (!m->timing_only) {
            if ((m->rc = op_values(m, cs, mu, in, j, fe, &op, weights_ready, in_ready, &rec)))
                return false;
        }
        wbuf_pop(m, mu, release);
    }
    f->started = true;
    if (m->tl)
        tpu_trace_mm(m, cs, x, tr_start, tr_end, &tr_op, &tr_tm);
    tpu_note_end(cs, f->end);
    tpu_wake(m, c, f->end);
    tpu_wake(m, c, f->read_done);
    return true;
}

/* Note 4. Why the per-PE engine's own timing feeds the stats: the scheduler must time a
 * matmul when it is issued (dependents need its end), and only the closed form can do that, so
 * instruction order and every other unit's timeline come from it in both engines. Were the
 * MXU's stats and the matmuls' times also taken from the closed form, a run with --engine pe
 * would report the fast engine's numbers whatever the per-PE engine did, and comparing the two
 * engines' stats (tests/test_machine.c, assert_same_timing) would hold by construction. So
 * here each op's causes, its start, stream end and end, and the MXU's tail are the ones the
 * per-PE engine observed cycle by cycle. Each op is also compared with the closed form, and
 * a difference stops the run: the scheduler's use of the closed form was then wrong. */
tp_status mm_finish_pe(machine *m)
{
    if (m->engine != MACHINE_PE || m->timing_only)
        return TP_OK;
    for (uint32_t c = 0; c < m->t->cores; c++)
        for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
            mxu_unit *mu = &m->cores[c].mxu[u];
            mxu_state before;   /* the per-PE engine's pipeline as its ops left it */
            mxu_state_init(&before);
            mxu_pe_finish(mu->pe);
            for (uint32_t id = 0; id < mu->pe_n; id++) {
                const pe_op_rec *r = &mu->pe_ops[id];
                const mxu_timing *pt = mxu_pe_op_timing(mu->pe, id), *ft = &r->expect;
                if (!pt)
                    return tp_err_set(m->err, TP_ERR_INTERNAL, "core %u mxu %u op %u: the per-PE engine did not "
                                      "finish it%s%s", c, u, id, mxu_pe_fault(mu->pe) ? ": " : "",
                                      mxu_pe_fault(mu->pe) ? mxu_pe_fault(mu->pe) : "");
                mxu_account(m, mu, &r->op, &before, pt, ft->free_start, r);
                flight *f = &m->fl[r->ins];
                if (r->j == 0) {
                    f->start = pt->start;
                    f->end = pt->end;
                    f->read_done = pt->stream_end;
                } else {
                    f->end = util_max(f->end, pt->end);
                    f->read_done = util_max(f->read_done, pt->stream_end);
                }
                before.ops++;
                before.stream_end = pt->stream_end;
                before.busy_until = pt->busy_until;
                if (pt->start != ft->start || pt->end != ft->end || pt->stream_end != ft->stream_end ||
                    pt->shift_start != ft->shift_start || memcmp(pt->by_cause, ft->by_cause, sizeof pt->by_cause))
                    return tp_err_set(m->err, TP_ERR_INTERNAL,
                                      "core %u mxu %u op %u: per-PE timing (start %llu, end %llu) differs from the "
                                      "closed form (start %llu, end %llu)", c, u, id,
                                      (unsigned long long)pt->start, (unsigned long long)pt->end,
                                      (unsigned long long)ft->start, (unsigned long long)ft->end);
            }
        }
    return TP_OK;
}
