/* The TPU machine: in-order issue into per-unit queues, a scoreboard over buffer ranges, and a
 * discrete-event loop that jumps from event to event. This file holds the lifecycle, issue,
 * retire, the event loop and the run; each block has its own file with its own notes
 * (tpu/tpu_int.h lists them): sb.c, wbuf.c, dma.c, vpu.c, mm.c, tpu_stats.c.
 *
 * NOTES ON THE DESIGN OF THE MACHINE
 *
 * 1. Units per core: an issuer; DMA engines serving three in-order queues (load, loadw, store;
 *    dma.c); one in-order matrix queue per MXU (mm.c) with its weight FIFO (wbuf.c); the
 *    vector unit's queue (vpu.c). Queues hold QUEUE_DEPTH instructions; the issuer takes the
 *    program in order, one core's stream at a time, and stops when the target queue is full
 *    (the starved units name that wait "issue_blocked") or at a fence until every earlier
 *    instruction of the core has ended. Issue itself takes no time. Shared by all cores: the
 *    off-chip memories (mem/dram.h).
 *
 * 2. Scoreboard (sb.c). Every instruction has a footprint (UB bytes, accumulator rows, a DRAM
 *    block); a younger instruction begins only after the older in-flight instructions of its
 *    core that conflict: RAW and WAW after their end, WAR after their read_done. Weight FIFO
 *    slots are a separate in-order resource (wbuf.c).
 *
 * 3. Time. An instruction's times become known when it begins: DMA, vector and store begin
 *    only at the current event time (dma.c, vpu.c); a matmul is timed as soon as every
 *    instruction it depends on has begun, in closed form, possibly in the future (mm.c).
 *    Events are "re-evaluate core c at cycle t", in the event queue (stats/evq.h) ordered by
 *    (t, c); at each the core retires what has ended, issues and begins what it can until
 *    nothing changes (step_core), and schedules a wake-up at every known future time something
 *    may change (an end, a read_done, a free engine or slot: tpu_wake). Cost is O(log events +
 *    in-flight) per event (the scoreboard result of an instruction is cached once all its
 *    producers have begun); nothing loops per cycle or per byte.
 *
 * 4. Values move at a defined point: when an instruction begins (matmul: when it is timed). By
 *    the scoreboard every producer it reads has begun (and so applied its values) and every
 *    reader of what it overwrites has applied its values, so event order gives the program's
 *    meaning. With --engine pe the matmul values come from the per-PE engine, advanced in
 *    simulated time before any instruction applies values at that time (mm.c, note 4).
 *
 * 5. Every cycle of every unit has one cause (stats/stats.h): the blocks name their waits with
 *    the machine's reasons (enum cause, tpu_int.h), which each unit kind maps to its causes
 *    (mm_cause_of, dma_cause_of, vpu_cause_of); MXU causes come from the MXU model and mm.c's
 *    split of its idle cycles, DMA and vector causes from per-unit accounting (stats/acct.h)
 *    noted at every event where the unit waits (step_core), off-chip memories from their
 *    in-flight time (tpu_stats.c). idle always means: no instruction for the unit and none on
 *    its way (the issuer is not stopped); issue_blocked: no instruction because the in-order
 *    issuer is stopped at another unit's full queue.
 *
 * 6. An instruction's life (flight, tpu_int.h), and the function that moves it on:
 *
 *      not issued --issue()--> issued --dma_try / vpu_try / mm_try--> begun --time--> ended
 *                          in its unit's queue      start, end, read_done    now >= end
 *                          and cs->inflight;        known; values applied        |
 *                          footprint set            (f->started)             retire()
 *                          (sb_footprint)                                        v
 *                                                                  retired: off cs->inflight
 *    A fence is begun and ended by issue() when nothing of its core is in flight; a halt ends
 *    the core's stream. A begun instruction leaves its queue at once (the next head may begin
 *    at the same cycle); it stays in cs->inflight, as a producer the scoreboard must see,
 *    until retire() finds it ended.
 *
 * 7. Invariants, asserted after every step of a core (assert_core_state, under TP_DEBUG; the
 *    cheap ones always): every queue holds at most QUEUE_DEPTH instructions, none of them
 *    begun, and all of them in cs->inflight; cs->inflight is strictly increasing (program
 *    order) and holds only the core's instructions, none begun and ended; cs->min_end is the
 *    earliest end among its begun ones (NEVER if none); the next instruction to issue has not
 *    begun; each weight FIFO's counts hold (wbuf_check); a done core has nothing in flight.
 *    Time never moves back (machine_run).
 *
 * 8. Order at one event. The three DMA queues share the engines: their heads begin oldest first
 *    (program order), each queue until its head is held, so a later load cannot take an engine
 *    from an earlier weight load that is ready at the same cycle. Then the vector queue and
 *    each MXU's queue, drained in that order (they use no engine).
 */
#include "tpu/tpu_int.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "base/text.h"
#include "num/gemm.h"

static const char *const engine_names[MACHINE__ENGINES] = {[MACHINE_FAST] = "fast", [MACHINE_PE] = "pe"};

const char *machine_engine_name(machine_engine e)
{
    return (unsigned)e < MACHINE__ENGINES ? engine_names[e] : "?";
}

int machine_engine_parse(const char *s, machine_engine *out)
{
    int i = text_lookup(s, engine_names, MACHINE__ENGINES);
    if (i < 0)
        return -1;
    *out = (machine_engine)i;
    return 0;
}

static tp_status fault(machine *m, uint32_t i, tp_status code, const char *msg)
{
    const isa_instr *in = &m->prog.ins[i];
    if (in->line > 0)
        return tp_err_at(m->err, code, m->prog.name, in->line, in->col, "%s", msg);
    return tp_err_at(m->err, code, m->prog.name, (int)i + 1, 0, "%s", msg);
}

/* ---- lifecycle --------------------------------------------------------------------------- */

static void free_run_state(machine *m)
{
    if (m->cores) {
        for (uint32_t c = 0; c < m->t->cores; c++) {
            core_state *cs = &m->cores[c];
            free(cs->prog);
            free(cs->inflight);
            if (cs->q)
                for (uint32_t q = 0; q < Q_MXU0 + m->t->mxus_per_core; q++)
                    free(cs->q[q].idx);
            free(cs->q);
            free(cs->engine_free);
            free(cs->dma);
            if (cs->mxu)
                for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
                    mxu_unit *mu = &cs->mxu[u];
                    if (mu->fifo)
                        for (uint32_t s = 0; s < m->t->wbuf.depth_tiles; s++)
                            free(mu->fifo[s].data);
                    free(mu->fifo);
                    if (mu->pe)
                        mxu_pe_free(mu->pe);
                    free(mu->pe_ops);
                    for (uint32_t k = 0; k < mu->pe_n; k++)
                        free(mu->pe_bufs[k]);
                    free(mu->pe_bufs);
                    free(mu->ch_at);
                    free(mu->ch_b);
                }
            free(cs->mxu);
            tpu_trace_free(cs);
            num_big_free(cs->ub_data);
            num_big_free(cs->acc_data);
        }
        free(m->cores);
        m->cores = NULL;
    }
    free(m->fl);
    m->fl = NULL;
    free(m->mm_k);
    m->mm_k = NULL;
    evq_free(&m->events);
    ff_free(m);
}

static void free_bindings(machine *m)
{
    if (m->tdata)
        for (uint32_t i = 0; i < m->prog.n_tensors; i++)
            if (m->town[i])
                free(m->tdata[i]);
    free(m->tdata);
    free(m->town);
    free(m->tbase);
    m->tdata = NULL;
    m->town = NULL;
    m->tbase = NULL;
}

tp_status machine_new(const tp_config *cfg, machine_engine engine, machine **out, tp_err *err)
{
    *out = NULL;
    tp_status st = cfg_tpu_check(cfg, err);   /* the loader's rules, for configs built by hand */
    if (st != TP_OK)
        return st;
    const tp_tpu_cfg *t = &cfg->tpu;
    if (engine == MACHINE_PE && t->array.timing == TP_TIMING_SCALESIM)
        return tp_err_set(err, TP_ERR_UNSUPPORTED,
                          "--engine pe: the per-PE engine does not model tpu.array.timing=scalesim (use --engine fast)");
    machine *m = calloc(1, sizeof *m);
    if (!m)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory");
    m->cfg = *cfg;
    m->t = &m->cfg.tpu;
    m->engine = engine;
    m->ff.on = true;
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        if (!m->t->mem[id].present)
            continue;
        m->mem[id].present = true;
        tp_status rc = dram_init(&m->mem[id].d, &m->t->mem[id], m->t->clock_hz, err);
        if (rc) {
            free(m);
            return rc;
        }
    }
    *out = m;
    return TP_OK;
}

void machine_set_trace(machine *m, timeline *tl)
{
    m->tl = tl;
}

void machine_free(machine *m)
{
    if (!m)
        return;
    for (int id = 0; id < TP_MEM__COUNT; id++) {   /* a failed run's recording: drop it */
        tl_rate_free(&m->mem[id].d.tl_bw);
        m->mem[id].d.tl = NULL;
    }
    free_run_state(m);
    free(m->row_scratch);
    free_bindings(m);
    isa_free(&m->prog);
    stats_free(&m->stats);
    num_pool_free(m->pool);
    free(m);
}

void machine_set_timing_only(machine *m, bool on) { m->timing_only = on; }
void machine_set_fast_forward(machine *m, bool on) { m->ff.on = on; }
uint64_t machine_ff_skipped(const machine *m) { return m->ff.skipped; }
uint32_t machine_queue_depth(void) { return QUEUE_DEPTH; }
void machine_set_threads(machine *m, int threads)
{
    if (threads != m->threads) {   /* the pool is sized for the old count: make it anew */
        num_pool_free(m->pool);
        m->pool = NULL;
        m->pool_full = false;
    }
    m->threads = threads;
}

static tp_status copy_program(isa_program *dst, const isa_program *src)
{
    isa_init(dst, src->name, src->dtype);
    dst->tensors = malloc(sizeof *src->tensors * (src->n_tensors ? src->n_tensors : 1));
    dst->ins = malloc(sizeof *src->ins * (src->n_ins ? src->n_ins : 1));
    dst->regions = malloc(sizeof *src->regions * (src->n_regions ? src->n_regions : 1));
    if (!dst->tensors || !dst->ins || !dst->regions) {
        isa_free(dst);
        return TP_ERR_NOMEM;
    }
    if (src->n_tensors)
        memcpy(dst->tensors, src->tensors, sizeof *src->tensors * src->n_tensors);
    if (src->n_ins)
        memcpy(dst->ins, src->ins, sizeof *src->ins * src->n_ins);
    if (src->n_regions)
        memcpy(dst->regions, src->regions, sizeof *src->regions * src->n_regions);
    dst->n_tensors = dst->cap_tensors = src->n_tensors;
    dst->n_ins = dst->cap_ins = src->n_ins;
    dst->n_regions = dst->cap_regions = src->n_regions;
    return TP_OK;
}

/* machine_load and machine_load_take: `take` moves the caller's arrays into the machine instead
 * of copying them (a 4096^3 timing-only program is 2.4M instructions, 280 MB a copy). */
static tp_status load_program(machine *m, const isa_program *p, isa_program *take, tp_err *err)
{
    tp_status rc = isa_validate(p, m->t, err);
    if (rc)
        return rc;
    mxu_params_from_cfg(&m->mp, m->t, p->dtype);
    /* A matmul's FIFO tile is the stationary operand and its UB rows stream, so on the array ws
     * and is are one motion: which matrix is stationary is the program's choice (for is the
     * tiler puts A^T in the FIFO, B^T in the UB and stores C^T; docs/isa.md). */
    if (m->mp.dataflow == TP_DF_IS)
        m->mp.dataflow = TP_DF_WS;
    if ((rc = mxu_params_check(&m->mp, err)))
        return rc;
    if ((rc = dma_check_bound(m, p, err)))   /* counts that would pass 2^63: refused at once */
        return rc;
    free_run_state(m);
    free_bindings(m);
    isa_free(&m->prog);
    m->loaded = false;
    if (take) {   /* take == p */
        m->prog = *take;
        isa_init(take, m->prog.name, m->prog.dtype);
        p = &m->prog;
    } else if (copy_program(&m->prog, p)) {
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory loading %s", p->name);
    }
    uint32_t nt = p->n_tensors ? p->n_tensors : 1;
    m->tdata = calloc(nt, sizeof *m->tdata);
    m->town = calloc(nt, sizeof *m->town);
    m->tbase = calloc(nt, sizeof *m->tbase);
    if (!m->tdata || !m->town || !m->tbase)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory loading %s", p->name);
    /* DRAM layout: tensors one after another in declaration order, TENSOR_ALIGN_BYTES aligned. */
    uint64_t a = 0;
    for (uint32_t i = 0; i < p->n_tensors; i++) {
        m->tbase[i] = a;
        uint64_t bytes = (uint64_t)p->tensors[i].rows * p->tensors[i].cols * npy_dtype_size(p->tensors[i].dtype);
        a += (bytes + TENSOR_ALIGN_BYTES - 1) & ~(uint64_t)(TENSOR_ALIGN_BYTES - 1);
    }
    m->loaded = true;
    return TP_OK;
}

tp_status machine_load(machine *m, const isa_program *p, tp_err *err)
{
    return load_program(m, p, NULL, err);
}

tp_status machine_load_take(machine *m, isa_program *p, tp_err *err)
{
    return load_program(m, p, p, err);
}

tp_status machine_bind(machine *m, const char *name, void *data, uint32_t rows, uint32_t cols, npy_dtype dt,
                       tp_err *err)
{
    if (!m->loaded)
        return tp_err_set(err, TP_ERR_USAGE, "machine_bind: no program loaded");
    int i = isa_find_tensor(&m->prog, name);
    if (i < 0)
        return tp_err_set(err, TP_ERR_USAGE, "%s: the program declares no tensor '%s'", m->prog.name, name);
    const isa_tensor *t = &m->prog.tensors[i];
    if (t->rows != rows || t->cols != cols || t->dtype != dt)
        return tp_err_set(err, TP_ERR_USAGE, "tensor %s: given %u x %u %s but the program declares %u x %u %s",
                          name, rows, cols, npy_dtype_name(dt), t->rows, t->cols, npy_dtype_name(t->dtype));
    if (m->town[i])
        free(m->tdata[i]);
    m->tdata[i] = data;
    m->town[i] = false;
    return TP_OK;
}

void *machine_tensor_data(const machine *m, const char *name)
{
    if (!m->loaded || m->timing_only)
        return NULL;
    int i = isa_find_tensor(&m->prog, name);
    return i < 0 ? NULL : m->tdata[i];
}

const tp_stats *machine_stats(const machine *m) { return &m->stats; }

tp_status machine_instr_times(const machine *m, uint32_t i, uint64_t *start, uint64_t *end, tp_err *err)
{
    if (!m->fl || i >= m->prog.n_ins)
        return tp_err_set(err, TP_ERR_USAGE, "machine_instr_times: instruction %u did not run", i);
    if (m->fl[i].started) {
        *start = m->fl[i].start;
        *end = m->fl[i].end;
        return TP_OK;
    }
    if (ff_times(m, i, start, end))   /* jumped over by the fast-forward */
        return TP_OK;
    return tp_err_set(err, TP_ERR_USAGE, "machine_instr_times: instruction %u did not run", i);
}

/* ---- services to the blocks -------------------------------------------------------------- */

void tpu_note_end(core_state *cs, uint64_t end)
{
    if (end < cs->min_end)
        cs->min_end = end;
}

void tpu_wake(machine *m, uint32_t c, uint64_t t)
{
    if (t != NEVER && t > m->now && m->rc == TP_OK)
        m->rc = evq_push(&m->events, t, 0, c, m->err);
}

uint32_t tpu_n_engines(const machine *m)
{
    return m->t->dma.engines ? m->t->dma.engines : 1;
}

/* ---- the core's step --------------------------------------------------------------------- */

#ifdef TP_DEBUG
/* Note 7, after a step: the queues, the in-flight list, min_end, the FIFOs. O(in-flight). */
static void assert_core_state(const machine *m, const core_state *cs)
{
    uint32_t nq = Q_MXU0 + m->t->mxus_per_core, queued = 0;
    for (uint32_t qi = 0; qi < nq; qi++) {
        const queue *q = &cs->q[qi];
        assert(q->n <= QUEUE_DEPTH && q->head < QUEUE_DEPTH);
        for (uint32_t j = 0; j < q->n; j++) {
            uint32_t x = q->idx[(q->head + j) % QUEUE_DEPTH], k = 0;
            assert(!m->fl[x].started);   /* issued, not begun */
            while (k < cs->n_inflight && cs->inflight[k] != x)
                k++;
            assert(k < cs->n_inflight);  /* and in flight */
        }
        queued += q->n;
    }
    assert(queued <= cs->n_inflight);
    uint64_t me = NEVER;
    uint32_t pending = 0;
    for (uint32_t j = 0; j < cs->n_inflight; j++) {
        uint32_t y = cs->inflight[j];
        const flight *f = &m->fl[y];
        pending += f->vals_pending;
        assert(j == 0 || cs->inflight[j - 1] < y);   /* program order */
        assert(m->prog.ins[y].core == (uint32_t)(cs - m->cores));
        if (f->started) {
            assert(f->end > m->now);                 /* retire() took the ended ones */
            if (f->end < me)
                me = f->end;
        }
    }
    assert(cs->min_end == me);
    assert(cs->n_pending == pending);   /* apply_pending's count */
    assert(cs->next >= cs->n_prog || !m->fl[cs->prog[cs->next]].started);   /* not yet issued */
    assert(!cs->done || (cs->n_inflight == 0 && cs->next == cs->n_prog));
    for (uint32_t u = 0; u < m->t->mxus_per_core; u++)
        wbuf_check(m, &cs->mxu[u]);
}
#else
#define assert_core_state(m, cs) ((void)0)
#endif

/* sb.c note 7: moves the values of the instructions that began before their producers' rows
 * were all there, once they are (at vals_at), in program order. */
static void apply_pending(machine *m, core_state *cs)
{
    for (uint32_t j = 0; j < cs->n_inflight && cs->n_pending; j++) {
        flight *f = &m->fl[cs->inflight[j]];
        if (!f->vals_pending || f->vals_at > m->now)
            continue;
        assert(f->vals_at == m->now);   /* the core was woken at that cycle */
        mm_advance_pe(m, cs, m->now);
        f->vals_pending = false;
        cs->n_pending--;
        if (m->prog.ins[cs->inflight[j]].op == ISA_ACTIVATE)
            vpu_values(m, cs, cs->inflight[j]);
        else
            dma_values(m, cs, cs->inflight[j]);
    }
}

static void retire(machine *m, core_state *cs)
{
    if (m->now < cs->min_end)
        return;   /* nothing has ended yet */
    uint32_t k = 0;
    uint64_t me = NEVER;
    for (uint32_t j = 0; j < cs->n_inflight; j++) {
        uint32_t y = cs->inflight[j];
        const flight *f = &m->fl[y];
        assert(!(f->started && f->end <= m->now && f->vals_pending));   /* vals_at <= end */
        if (!(f->started && f->end <= m->now)) {
            cs->inflight[k++] = y;
            if (f->started && f->end < me)
                me = f->end;
        }
    }
    cs->n_inflight = k;
    cs->min_end = me;
}


/* The unit queue of an instruction (isa_ops' table), MXU u's matrix queue being Q_MXU0 + u. */
static uint32_t queue_of(const isa_instr *in)
{
    isa_queue q = isa_ops[in->op].queue;
    return q == ISA_Q_MATRIX ? (uint32_t)Q_MXU0 + in->mxu : (uint32_t)q;
}

static bool issue(machine *m, core_state *cs)
{
    bool progress = false, was_blocked = cs->issue_blocked;
    cs->issue_blocked = false;
    while (cs->next < cs->n_prog) {
        uint32_t x = cs->prog[cs->next];
        const isa_instr *in = &m->prog.ins[x];
        if (in->op == ISA_HALT) {
            cs->next = cs->n_prog;
            progress = true;
            break;
        }
        if (in->op == ISA_FENCE) {
            if (cs->n_inflight)
                break;
            m->fl[x].started = true;
            m->fl[x].start = m->fl[x].end = m->now;
            cs->next++;
            progress = true;
            continue;
        }
        queue *q = &cs->q[queue_of(in)];
        assert(q->n <= QUEUE_DEPTH);
        if (q->n == QUEUE_DEPTH) {
            cs->issue_blocked = true;
            if (!was_blocked)
                cs->blocked_since = m->now;
            break;
        }
        sb_footprint(m, x);
        q->idx[(q->head + q->n) % QUEUE_DEPTH] = x;
        if (q->n == 0 && in->op == ISA_MATMUL) {   /* it arrives at its MXU now */
            cs->mxu[in->mxu].head_since = m->now;
            cs->mxu[in->mxu].held = C_DEPENDENCY;
            cs->mxu[in->mxu].head_blocked_since = was_blocked ? cs->blocked_since : NEVER;
        }
        q->n++;
        if (m->tl)
            tpu_trace_queue(m, cs, queue_of(in));
        assert(cs->n_inflight == 0 || cs->inflight[cs->n_inflight - 1] < x);   /* program order */
        cs->inflight[cs->n_inflight++] = x;
        cs->next++;
        progress = true;
    }
    return progress;
}

/* Tries the head of queue qi: begins it (and pops it) or says why not. */
static bool try_head(machine *m, uint32_t c, core_state *cs, uint32_t qi, cause *why)
{
    queue *q = &cs->q[qi];
    uint32_t x = q->idx[q->head];
    const isa_instr *in = &m->prog.ins[x];
    bool ok;
    *why = C_DEPENDENCY;
    if (in->op == ISA_MATMUL)
        ok = mm_try(m, c, cs, x, why);
    else if (in->op == ISA_ACTIVATE)
        ok = vpu_try(m, c, cs, x, why);
    else
        ok = dma_try(m, c, cs, x, why);
    if (!ok)
        return false;
    q->head = (q->head + 1) % QUEUE_DEPTH;
    q->n--;
    if (m->tl)
        tpu_trace_queue(m, cs, qi);
    if (qi >= Q_MXU0) {   /* the next one was already queued */
        cs->mxu[qi - Q_MXU0].head_since = m->now;
        cs->mxu[qi - Q_MXU0].head_blocked_since = NEVER;
        cs->mxu[qi - Q_MXU0].held = C_DEPENDENCY;
    }
    return true;
}

static void step_core(machine *m, uint32_t c)
{
    core_state *cs = &m->cores[c];
    uint32_t nq = Q_MXU0 + m->t->mxus_per_core;
    bool progress = true;
    apply_pending(m, cs);
    retire(m, cs);
    sram_retire(&cs->ub, m->now);
    while (progress && m->rc == TP_OK) {
        progress = false;
        if (cs->next < cs->n_prog && m->prog.ins[cs->prog[cs->next]].op == ISA_FENCE)
            retire(m, cs);   /* a fence needs to see what ended at this very cycle */
        if (issue(m, cs))
            progress = true;
        cause dma_why = cs->issue_blocked ? C_ISSUE_BLOCKED : C_IDLE, vpu_why = dma_why;
        bool dma_any = false;
        /* note 8: the DMA queues share the engines, so their heads begin oldest first (in
         * program order) until each is held; then the vector queue and each MXU's, in order */
        bool held[ISA_Q_MATRIX] = {false};
        while (m->rc == TP_OK) {
            uint32_t best = ISA_Q_MATRIX;
            for (uint32_t d = ISA_Q_LOAD; d <= ISA_Q_STORE; d++)
                if (d != ISA_Q_VECTOR && !held[d] && cs->q[d].n &&
                    (best == ISA_Q_MATRIX || cs->q[d].idx[cs->q[d].head] < cs->q[best].idx[cs->q[best].head]))
                    best = d;
            if (best == ISA_Q_MATRIX)
                break;
            cause why;
            if (try_head(m, c, cs, best, &why)) {
                progress = true;
                continue;
            }
            held[best] = true;
            if (!dma_any || why != C_IDLE) {
                dma_why = why;
                dma_any = true;
            }
        }
        for (uint32_t qi = ISA_Q_VECTOR; qi < nq && m->rc == TP_OK; qi = qi == ISA_Q_VECTOR ? Q_MXU0 : qi + 1)
            while (cs->q[qi].n) {
                cause why;
                if (!try_head(m, c, cs, qi, &why)) {
                    if (qi == Q_VECTOR)
                        vpu_why = why;
                    break;
                }
                progress = true;
            }
        if (!progress) {
            for (uint32_t e = 0; e < tpu_n_engines(m); e++)
                acct_note(&cs->dma[e], m->now, dma_cause_of(dma_why));
            acct_note(&cs->vpu, m->now, vpu_cause_of(vpu_why));
        }
    }
    /* every begun instruction already woke this core at its end (or has ended by now) */
    retire(m, cs);
    if (cs->next == cs->n_prog && cs->n_inflight == 0)
        cs->done = true;
    assert_core_state(m, cs);
}

/* ---- run --------------------------------------------------------------------------------- */

/* Sets the message naming what could not be allocated; returns TP_ERR_NOMEM. */
static tp_status nomem(machine *m, const char *what, uint32_t core)
{
    return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory setting up the machine: %s of core %u", what, core);
}

uint64_t machine_run_bytes(const tp_tpu_cfg *t, uint64_t n_ins, tp_dtype dtype, bool timing_only)
{
    /* the program's instructions, their flights and matmul k, and each core's stream and
     * in-flight list */
    uint64_t b = n_ins * (sizeof(isa_instr) + sizeof(flight) + 3 * sizeof(uint32_t));
    if (!timing_only)
        b += (uint64_t)t->cores * (t->ub.size_bytes + (uint64_t)t->acc.entries * t->mxus_per_core *
                                   t->array.cols * dtype_acc_bytes(dtype));
    return b;
}

static tp_status setup_run(machine *m)
{
    const tp_tpu_cfg *t = m->t;
    uint32_t n = m->prog.n_ins;
    m->fl = calloc(n ? n : 1, sizeof *m->fl);   /* fresh pages: only the records used are touched */
    m->mm_k = calloc(n ? n : 1, sizeof *m->mm_k);
    m->cores = calloc(t->cores, sizeof *m->cores);
    if (!m->row_scratch)   /* the machine's for its life: sized by its config, no run reads it unset */
        m->row_scratch = malloc(sizeof *m->row_scratch * ((size_t)t->mxus_per_core * t->acc.entries + 1));
    if (!m->fl || !m->mm_k || !m->cores || !m->row_scratch)
        return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory setting up the machine: run state of %u instructions", n);
    uint32_t depth = t->wbuf.depth_tiles;
    if (wbuf_replay_k(m))   /* k of each matmul's tiles (wbuf.c, note 3) */
        return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory setting up the machine: the weight FIFOs' replay");
    /* one pass over the program: each core's share, and each opcode's count (ff_init) */
    memset(m->op_count, 0, sizeof m->op_count);
    for (uint32_t i = 0; i < n; i++) {
        m->cores[m->prog.ins[i].core].n_prog++;
        m->op_count[m->prog.ins[i].op]++;
    }
    for (uint32_t c = 0; c < t->cores; c++) {
        core_state *cs = &m->cores[c];
        uint32_t cnt = cs->n_prog;
        cs->n_prog = 0;
        cs->prog = malloc(sizeof *cs->prog * (cnt ? cnt : 1));
        cs->inflight = malloc(sizeof *cs->inflight * (cnt ? cnt : 1));
        cs->q = calloc(Q_MXU0 + t->mxus_per_core, sizeof *cs->q);
        cs->engine_free = calloc(tpu_n_engines(m), sizeof *cs->engine_free);
        cs->dma = calloc(tpu_n_engines(m), sizeof *cs->dma);
        cs->mxu = calloc(t->mxus_per_core, sizeof *cs->mxu);
        if (!cs->prog || !cs->inflight || !cs->q || !cs->engine_free || !cs->dma || !cs->mxu)
            return nomem(m, "the instruction streams and units", c);
        if (t->cores == 1) {   /* the whole program, in order: no need to read it again */
            for (uint32_t i = 0; i < n; i++)
                cs->prog[i] = i;
            cs->n_prog = n;
        } else {
            for (uint32_t i = 0; i < n; i++)
                if (m->prog.ins[i].core == c)
                    cs->prog[cs->n_prog++] = i;
        }
        for (uint32_t q = 0; q < Q_MXU0 + t->mxus_per_core; q++)
            if (!(cs->q[q].idx = malloc(sizeof(uint32_t) * QUEUE_DEPTH)))
                return nomem(m, "the unit queues", c);
        for (uint32_t u = 0; u < t->mxus_per_core; u++) {
            mxu_unit *mu = &cs->mxu[u];
            mxu_state_init(&mu->st);
            if (!(mu->fifo = calloc(depth, sizeof *mu->fifo)))
                return nomem(m, "the weight FIFOs", c);
            if (m->engine == MACHINE_PE && !m->timing_only) {
                tp_status rc = mxu_pe_new(&m->mp, &mu->pe, m->err);
                if (rc)
                    return rc;
                if (c == 0 && u == 0 && m->pe_obs)
                    mxu_pe_set_observer(mu->pe, m->pe_obs, m->pe_obs_ctx);
            }
        }
        sram_init(&cs->ub, t->ub.size_bytes, t->ub.banks, t->ub.read_ports, t->ub.write_ports, t->ub.bytes_per_cycle);
        if (!m->timing_only) {
            /* zeroed; big buffers, so first touches fault in 2 MiB pages where possible */
            cs->ub_data = num_big_alloc(t->ub.size_bytes);
            cs->acc_data = num_big_alloc((size_t)t->acc.entries * t->mxus_per_core * t->array.cols *
                                          dtype_acc_bytes(m->prog.dtype));
            if (!cs->ub_data || !cs->acc_data)
                return tp_err_set(m->err, TP_ERR_NOMEM,
                                  "out of memory setting up the machine: the unified buffer (%llu bytes) and "
                                  "accumulators of core %u", (unsigned long long)t->ub.size_bytes, c);
        }
        for (uint32_t e = 0; e < tpu_n_engines(m); e++)
            acct_init(&cs->dma[e], STATS_DMA_IDLE);
        acct_init(&cs->vpu, STATS_VPU_IDLE);
        cs->min_end = NEVER;
    }
    if (!m->timing_only) {
        for (uint32_t i = 0; i < m->prog.n_tensors; i++)
            if (!m->tdata[i]) {
                const isa_tensor *tt = &m->prog.tensors[i];
                m->tdata[i] = calloc((size_t)tt->rows * tt->cols, npy_dtype_size(tt->dtype));
                if (!m->tdata[i])
                    return tp_err_set(m->err, TP_ERR_NOMEM,
                                      "out of memory for tensor '%s' (%u x %u %s = %llu bytes)", tt->name,
                                      tt->rows, tt->cols, npy_dtype_name(tt->dtype),
                                      (unsigned long long)tt->rows * tt->cols * npy_dtype_size(tt->dtype));
                m->town[i] = true;
            } else if (m->town[i]) {
                const isa_tensor *tt = &m->prog.tensors[i];
                memset(m->tdata[i], 0, (size_t)tt->rows * tt->cols * npy_dtype_size(tt->dtype));
            }
    }
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (m->mem[id].present)
            dram_reset(&m->mem[id].d);
    tp_status rc = tpu_trace_setup(m);
    if (rc)
        return rc;
    evq_init(&m->events);
    evq_future_only(&m->events);   /* tpu_wake wakes only later than the present */
    m->now = 0;
    m->macs = m->acc_read_bytes = m->acc_write_bytes = m->wbuf_bytes = 0;
    return TP_OK;
}

void machine_set_progress(machine *m, machine_progress_fn fn, void *ctx)
{
    m->progress = fn;
    m->progress_ctx = ctx;
}

/* Instructions retired so far over every core (issued less those still in flight). */
static uint64_t retired_count(const machine *m)
{
    uint64_t n = 0;
    for (uint32_t c = 0; c < m->t->cores; c++)
        n += m->cores[c].next - m->cores[c].n_inflight;
    return n;
}

tp_status machine_run(machine *m, tp_err *err)
{
    if (!m->loaded)
        return tp_err_set(err, TP_ERR_USAGE, "machine_run: no program loaded");
    free_run_state(m);
    m->err = err;
    m->rc = TP_OK;
    if (err)
        err->msg[0] = '\0';
    tp_status rc = setup_run(m);   /* every failure sets its own message */
    if (rc)
        return rc;
    for (uint32_t c = 0; c < m->t->cores && m->rc == TP_OK; c++)
        m->rc = evq_push(&m->events, 0, 0, c, err);
    ff_init(m);
    evq_event ev;
    while (m->rc == TP_OK && evq_pop(&m->events, &ev)) {
        assert(ev.t >= m->now);   /* time only moves forward */
        m->now = ev.t;
        if (!m->cores[ev.unit].done) {
            uint32_t before = m->cores[ev.unit].next;
            step_core(m, ev.unit);
            if (m->ff.active && m->cores[ev.unit].next != before && m->rc == TP_OK)
                ff_after_step(m, before);   /* ff.c: one core, so ev.unit is 0 */
        }
        if (m->progress)
            m->progress(m->progress_ctx, retired_count(m), m->prog.n_ins);
    }
    if (m->rc)
        return m->rc;
    uint64_t total = 0;
    for (uint32_t c = 0; c < m->t->cores; c++) {
        core_state *cs = &m->cores[c];
        if (!cs->done) {
            uint32_t x = cs->next < cs->n_prog ? cs->prog[cs->next] : cs->inflight[0];
            return fault(m, x, TP_ERR_PROGRAM, "the machine deadlocked here (no unit can make progress)");
        }
    }
    if ((rc = mm_finish_pe(m)))   /* with the per-PE engine, the matmuls' times are its own */
        return rc;
    ff_fill(m);   /* the times of the instructions a fast-forward jumped over */
    total = ff_last_end(m);
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (m->mem[id].present && m->mem[id].d.inflight_until > total)
            total = m->mem[id].d.inflight_until;
    tpu_finish_stats(m, total);
    if (m->tl)
        tpu_trace_end(m);
    if (m->rc)
        return m->rc;
    return stats_check(&m->stats, err);
}

void machine_set_mxu_observer(machine *m, mxu_pe_observer fn, void *ctx)
{
    m->pe_obs = fn;
    m->pe_obs_ctx = ctx;
}

uint32_t machine_mxu_pe_ops(const machine *m)
{
    return m->cores && m->cores[0].mxu && m->cores[0].mxu[0].pe ? m->cores[0].mxu[0].pe_n : 0;
}

const mxu_timing *machine_mxu_pe_op(const machine *m, uint32_t i, mxu_op *op)
{
    if (i >= machine_mxu_pe_ops(m))
        return NULL;
    const mxu_unit *mu = &m->cores[0].mxu[0];
    *op = mu->pe_ops[i].op;
    return mxu_pe_op_timing(mu->pe, i);
}
