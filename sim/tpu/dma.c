/* The DMA engines of a core: load (DRAM -> UB), loadw (DRAM -> weight FIFO), store (UB -> DRAM).
 *
 * NOTES ON THE DESIGN OF THE DMA
 *
 * 1. Three in-order queues (load, loadw, store) share the core's dma.engines engines. The head
 *    of a queue begins when its hazards allow (sb.c), a loadw also when its FIFO slots are free
 *    (wbuf.c), and an engine is free; it takes the engine that is free first (lowest number on
 *    a tie). DMA instructions begin only at the current event time: they share the off-chip
 *    memories' channels, whose next-free times are reservations, so deciding no earlier than
 *    needed never lets a later request jump a queue.
 *
 * 2. Timing of a transfer of `bytes` begun at s (dma_time):
 *        own         = s + setup + ceil(bytes / bytes_per_cycle)   the engine's own cycles
 *        mem_end     = the memory's answer for the block (mem/dram.h) issued at s + setup:
 *                      when its last byte has arrived (reads) or been written (writes);
 *        mem_sent    = mem_end less the memory's latency: its last burst left the queue
 *        ub_end      = its UB writes (load) or reads (store) done (mem/sram.h; 0 for loadw)
 *        end         = max(own, mem_end, ub_end)                   the instruction ends
 *        engine free = max(own, mem_sent)
 *    The engine is occupied for its own cycles and until its last burst has left the memory's
 *    queue (backpressure), not for the memory's latency: transfers pipeline behind each other
 *    as a DMA engine with outstanding requests does. A load's UB writes trail the data coming
 *    back (dma_ub_write_want): they end with the last byte if the port is free, so they do not
 *    hold the port during the memory's latency. A store reads the UB from s + setup. Both move
 *    their bytes through the UB at the engine's bytes_per_cycle (at most the port's bandwidth),
 *    leaving the rest of the port to the MXUs and the vector unit.
 *
 * 3. Causes of each engine (STATS_DMA_*): busy for [s, own), off_chip for [own, engine free)
 *    (held by the memory: queueing behind other transfers, bandwidth). Between transfers, the
 *    reason the queue heads were held when last looked at: wbuf_full (a loadw waits for FIFO
 *    slots), dependency (a hazard), issue_blocked (no instruction: the issuer is stopped at
 *    another unit's full queue), idle (no instruction and none on its way). While every engine
 *    is occupied the waiting head charges nothing new: each engine is already busy/off_chip.
 *
 * 4. Values move when the transfer begins (machine.c, note 4): the block is copied into the UB,
 *    the FIFO entry, or the tensor at once.
 *
 * 5. A separate weight memory has its own fetcher (dma_weight_fetcher). When the weights are
 *    placed in tpu.weight_mem and a core has at least two engines, engine 0 is the weight
 *    fetcher: it serves the loadw queue alone, one tile after another, and loads and stores
 *    share the other engines. This is TPUv1's memory system [J17 Sec. 2: "the weights ... are
 *    staged through an on-chip Weight FIFO that reads from an off-chip 8 GiB DRAM called Weight
 *    Memory"; "a programmable DMA controller transfers data to or from CPU Host memory and the
 *    Unified Buffer"]: the DDR3 feeds only the FIFO, and PCIe traffic never holds a weight fetch
 *    (nor the reverse). Otherwise any queue takes any engine (note 1); on TPUv1 shared engines
 *    ran two loadw's at once, each at half the weight memory's rate, so their tiles arrived in
 *    pairs, and a long PCIe input load (MLP0's 400 KB: ~17,800 cycles) took an engine the next
 *    loadw then waited for (docs/validation.md).
 *    [J17] N. P. Jouppi et al., ISCA 2017 (configs/tpu-v1.yaml).
 */
#include "tpu/tpu_int.h"
#include "base/units.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

stats_dma_cause dma_cause_of(cause c)
{
    switch (c) {
    case C_ISSUE_BLOCKED: return STATS_DMA_ISSUE_BLOCKED;
    case C_WBUF_FULL: return STATS_DMA_WBUF_FULL;
    case C_WEIGHTS: case C_INPUTS: case C_DEPENDENCY: case C_UB_BW: return STATS_DMA_DEPENDENCY;
    default: return STATS_DMA_IDLE;   /* C_DMA_ENGINES: every engine is busy until it clears */
    }
}

dma_times dma_time(uint64_t s, uint64_t setup_cycles, uint64_t bytes, uint64_t bytes_per_cycle,
                   uint64_t mem_end, uint64_t mem_sent, uint64_t ub_end)
{
    dma_times d;
    d.own = s + setup_cycles + util_ceil_div(bytes, bytes_per_cycle);
    d.end = util_max(d.own, util_max(mem_end, ub_end));
    d.engine_free = util_max(d.own, mem_sent);
    return d;
}

uint64_t dma_ub_write_want(uint64_t first, uint64_t mem_end, uint64_t ub_cycles)
{
    return mem_end > first + ub_cycles ? mem_end - ub_cycles : first;
}

bool dma_weight_fetcher(const machine *m)
{
    return m->t->place_weights == TP_MEM_WEIGHT && tpu_n_engines(m) >= 2;
}

/* The engine for an instruction of opcode op: of those it may use (note 5), the one free
 * first (lowest number on a tie). */
static uint32_t engine_pick(machine *m, core_state *cs, isa_opcode op)
{
    uint32_t lo = 0, hi = tpu_n_engines(m);
    if (dma_weight_fetcher(m)) {
        if (op == ISA_LOADW)
            hi = 1;
        else
            lo = 1;
    }
    uint32_t best = lo;
    for (uint32_t e = lo + 1; e < hi; e++)
        if (cs->engine_free[e] < cs->engine_free[best])
            best = e;
    return best;
}

/* Issues a DMA block access; returns when its last byte has arrived (reads) or been written
 * (writes). *sent gets the cycle its last burst left the memory's queue, which is the access's
 * end less the memory's latency: from then on the DMA engine is free to issue the next
 * transfer while this one's data is still in flight. */
tp_mem_id dma_mem_of(const tp_tpu_cfg *t, isa_opcode op)
{
    return op == ISA_LOAD ? t->place_inputs : op == ISA_LOADW ? t->place_weights : t->place_outputs;
}

dma_pattern dma_pattern_of(const machine *m, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    uint64_t eb = npy_dtype_size(t->dtype);
    dma_pattern p;
    p.id = dma_mem_of(m->t, in->op);
    p.addr = m->tbase[in->blk.tensor] + ((uint64_t)in->blk.r0 * t->cols + in->blk.c0) * eb;
    p.rows = in->blk.rows;
    p.row_bytes = (uint64_t)in->blk.cols * eb;
    p.stride = (uint64_t)t->cols * eb;
    return p;
}

static uint64_t mem_access(machine *m, tp_mem_id id, bool write, uint64_t issue, const isa_instr *in,
                           uint64_t *sent)
{
    offchip *oc = &m->mem[id];
    dma_pattern p = dma_pattern_of(m, in);
    assert(p.id == id);
    uint64_t end = dram_access_2d(&oc->d, write, issue, p.addr, p.rows, p.row_bytes, p.stride, NULL);
    const tp_mem_cfg *mc = &m->t->mem[id];
    if (oc->d.past_limit && m->rc == TP_OK) {   /* the run ends here, refused */
        char path[32];
        snprintf(path, sizeof path, "tpu.%s", cfg_mem_name(id));
        m->rc = dram_check_limit(&oc->d, path, "tpu.clock", m->err);
    }
    uint64_t lat = mc->ideal ? 0 : write ? mc->write_latency_cycles : mc->read_latency_cycles;
    *sent = end - lat;
    return end;
}

__extension__ typedef unsigned __int128 u128;

tp_status dma_check_bound(const machine *m, const isa_program *p, tp_err *err)
{
    u128 bytes[TP_MEM__COUNT] = {0};
    for (uint32_t i = 0; i < p->n_ins; i++) {
        const isa_instr *in = &p->ins[i];
        if (in->op != ISA_LOAD && in->op != ISA_LOADW && in->op != ISA_STORE)
            continue;
        tp_mem_id id = dma_mem_of(m->t, in->op);   /* a loadw: one read, however many FIFOs it feeds */
        bytes[id] += (uint64_t)in->blk.rows * in->blk.cols * npy_dtype_size(p->tensors[in->blk.tensor].dtype);
    }
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        const tp_mem_cfg *mc = &m->t->mem[id];
        if (!m->mem[id].present || mc->ideal || !bytes[id] || !mc->bytes_per_s)
            continue;
        /* bytes * clock < 2^64 * 2^64 always fits; a quotient past the limit is refused */
        u128 cyc = (bytes[id] * m->t->clock_hz + mc->bytes_per_s - 1) / mc->bytes_per_s;
        if (cyc <= TP_COUNT_MAX)
            continue;
        char bw[32], hz[32];
        return tp_err_set(err, TP_ERR_RANGE,
                          "tpu.%s.bandwidth=%s at tpu.clock=%s: the program moves %.4g bytes over tpu.%s, at "
                          "least %.3g cycles, past the %.3g (2^63) cycles tpusim counts; refused before the run",
                          cfg_mem_name((tp_mem_id)id), units_fmt_bandwidth(mc->bytes_per_s, bw, sizeof bw),
                          units_fmt_freq(m->t->clock_hz, hz, sizeof hz), (double)bytes[id],
                          cfg_mem_name((tp_mem_id)id), (double)cyc, (double)TP_COUNT_MAX);
    }
    return TP_OK;
}

/* ---- values ------------------------------------------------------------------------------ */

/* One element of eb bytes (1, 2 or 4: constant-size copies the compiler inlines). */
static inline void copy_elem(uint8_t *dst, const uint8_t *src, size_t eb)
{
    switch (eb) {
    case 1: *dst = *src; break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    default: memcpy(dst, src, eb); break;
    }
}

static void values_load(machine *m, core_state *cs, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    size_t eb = npy_dtype_size(t->dtype);
    const uint8_t *src = m->tdata[in->blk.tensor];
    uint8_t *ub = cs->ub_data + in->ub_addr;
    if (!in->transpose) {
        size_t row = in->blk.cols * eb, stride = in->ub_stride ? in->ub_stride : row;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            memcpy(ub + r * stride, src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0) * eb, row);
    } else {
        size_t row = in->blk.rows * eb, stride = in->ub_stride ? in->ub_stride : row;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            for (uint32_t c = 0; c < in->blk.cols; c++)
                copy_elem(ub + c * stride + r * eb, src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0 + c) * eb, eb);
    }
}

static void values_store(machine *m, core_state *cs, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    size_t eb = npy_dtype_size(t->dtype);
    uint8_t *dst = m->tdata[in->blk.tensor];
    if (!in->transpose) {
        size_t row = in->blk.cols * eb, stride = in->ub_stride ? in->ub_stride : row;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            memcpy(dst + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0) * eb, cs->ub_data + in->ub_addr + r * stride, row);
        return;
    }
    /* UB row c holds column c0 + c of the block (blk.rows elements) */
    size_t row = in->blk.rows * eb, stride = in->ub_stride ? in->ub_stride : row;
    for (uint32_t c = 0; c < in->blk.cols; c++)
        for (uint32_t r = 0; r < in->blk.rows; r++)
            copy_elem(dst + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0 + c) * eb,
                      cs->ub_data + in->ub_addr + c * stride + r * eb, eb);
}

static tp_status values_loadw(machine *m, fifo_entry *fe, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    size_t eb = npy_dtype_size(t->dtype);
    size_t need = (size_t)in->blk.rows * in->blk.cols * eb;
    if (fe->cap < need) {
        void *q = realloc(fe->data, need);
        if (!q)
            return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory for a weight tile");
        fe->data = q;
        fe->cap = need;
    }
    const uint8_t *src = m->tdata[in->blk.tensor];
    uint8_t *dst = fe->data;
    /* tile is k x n row-major: k = rows (or cols when transposed) */
    if (!in->transpose) {
        size_t row = (size_t)in->blk.cols * eb;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            memcpy(dst + r * row, src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0) * eb, row);
        return TP_OK;
    }
    for (uint32_t r = 0; r < in->blk.rows; r++)
        for (uint32_t c = 0; c < in->blk.cols; c++)
            copy_elem(dst + ((size_t)c * in->blk.rows + r) * eb,
                      src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0 + c) * eb, eb);
    return TP_OK;
}

/* sb.c note 7: a store whose values moved later than its begin (only a store reads rows that
 * another instruction may still be writing when it begins). */
void dma_values(machine *m, core_state *cs, uint32_t x)
{
    assert(m->prog.ins[x].op == ISA_STORE);
    values_store(m, cs, &m->prog.ins[x]);
}

/* ---- beginning a transfer ---------------------------------------------------------------- */

bool dma_try(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why)
{
    const isa_instr *in = &m->prog.ins[x];
    sb_dep d = sb_deps(m, cs, x);
    if (d.blocked) {
        *why = C_DEPENDENCY;
        return false;
    }
    uint64_t t = util_max(m->now, d.ready);
    cause w = d.ready > m->now ? C_DEPENDENCY : C_IDLE;
    mxu_unit *mu = NULL;
    uint32_t slots = 0;
    if (in->op == ISA_LOADW) {
        mu = &cs->mxu[in->mxu];
        slots = isa_loadw_tile(m->t, in).slots;
        uint64_t f = 0;
        for (unsigned u = 0; u < isa_loadw_count(in) && f != NEVER; u++)   /* every FIFO it feeds */
            f = util_max(f, wbuf_space(m, mu + u, slots));
        if (f == NEVER) {
            *why = C_WBUF_FULL;
            return false;
        }
        if (f > t) {
            t = f;
            w = C_WBUF_FULL;
        }
    }
    uint32_t eng = engine_pick(m, cs, in->op);
    if (cs->engine_free[eng] > t) {
        t = cs->engine_free[eng];
        w = C_DMA_ENGINES;
    }
    if (t > m->now) {
        tpu_wake(m, c, t);
        *why = w;
        return false;
    }
    /* begin now */
    uint64_t s = m->now, setup = m->t->dma.setup_cycles;
    const isa_tensor *tt = &m->prog.tensors[in->blk.tensor];
    uint64_t bytes = (uint64_t)in->blk.rows * in->blk.cols * npy_dtype_size(tt->dtype);
    uint64_t mem_end, sent, ub_end = 0;
    mm_advance_pe(m, cs, s);
    bool vals = sb_vals_now(m, c, x, s) && !m->timing_only;   /* sb.c note 7 */
    if (in->op == ISA_LOAD) {
        mem_end = mem_access(m, m->t->place_inputs, false, s + setup, in, &sent);
        uint64_t rate = m->t->dma.bytes_per_cycle, ucyc = sram_cycles_at(&cs->ub, true, bytes, rate);
        ub_end = sram_book(&cs->ub, true, dma_ub_write_want(s + setup, mem_end, ucyc), bytes, rate);
        if (vals)
            values_load(m, cs, in);
    } else if (in->op == ISA_LOADW) {
        mem_end = mem_access(m, m->t->place_weights, false, s + setup, in, &sent);
        for (unsigned u = 0; u < isa_loadw_count(in); u++) {   /* one read, broadcast to each FIFO */
            fifo_entry *fe = wbuf_push(m, mu + u, x, slots);
            m->wbuf_bytes += bytes;
            if (vals && (m->rc = values_loadw(m, fe, in)))
                return false;
        }
    } else {   /* store */
        assert(in->op == ISA_STORE);
        ub_end = sram_book(&cs->ub, false, s + setup, bytes, m->t->dma.bytes_per_cycle);
        mem_end = mem_access(m, m->t->place_outputs, true, s + setup, in, &sent);
        if (vals)
            values_store(m, cs, in);
    }
    dma_times dt = dma_time(s, setup, bytes, m->t->dma.bytes_per_cycle, mem_end, sent, ub_end);
    flight *f = &m->fl[x];
    f->started = true;
    f->start = s;
    f->end = f->read_done = dt.end;
    cs->engine_free[eng] = dt.engine_free;
    tpu_note_end(cs, dt.end);
    if (m->tl)
        tpu_trace_dma(m, cs, eng, x, bytes, s, &dt);
    acct_span(&cs->dma[eng], s, dt.own, STATS_DMA_BUSY);
    acct_span(&cs->dma[eng], dt.own, dt.engine_free, STATS_DMA_OFF_CHIP);
    tpu_wake(m, c, dt.end);
    return true;
}
