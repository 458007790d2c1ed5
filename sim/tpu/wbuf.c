/* The weight FIFO of each MXU: a ring of weight tiles that loadw pushes and matmuls consume.
 *
 * NOTES ON THE DESIGN OF THE WEIGHT FIFO
 *
 * 1. Slots. The FIFO holds wbuf.depth_tiles slots; a tile of k rows takes isa_tile_slots(k)
 *    of them (1 for ws/is, ceil(k / rows) for os, which streams B). It is a separate in-order
 *    resource, not part of the scoreboard: a loadw needs free slots (wbuf_space, else the DMA
 *    waits "wbuf_full"); a matmul op needs its tile's loadw to have ended (weights_ready).
 *
 * 2. The ring, from f_head:
 *        [ popped: handed to matmuls, slots not yet free | held: waiting for a matmul ]
 *          f_popped entries                                f_n - f_popped entries
 *    A tile leaves (its slots free) when its op has shifted it in: ws/is at the op's t0, os at
 *    its stream end (fifo_entry.release, NEVER until the op is timed). Popped entries leave in
 *    order, so a loadw that needs slots waits for the first release after which enough are
 *    free. Invariants (wbuf_check): f_popped <= f_n <= depth, f_used_slots = the slots of the
 *    f_n entries <= depth, releases of popped entries non-decreasing where known.
 *
 * 3. The k of every matmul's tiles is known before the run: the FIFO is in order, so replaying
 *    loadw pushes and matmul pops in program order (isa_fifos, which isa_validate uses to check
 *    that no FIFO over- or underflows) gives each matmul its tiles. The scoreboard needs k for
 *    the matmul's UB read range at issue, before its loadw has begun.
 */
#include "tpu/tpu_int.h"
#include <assert.h>

void wbuf_check(const machine *m, const mxu_unit *mu)
{
    uint32_t depth = m->t->wbuf.depth_tiles;
    assert(mu->f_popped <= mu->f_n && mu->f_n <= depth && mu->f_head < depth);
#ifdef TP_DEBUG
    uint32_t slots = 0;
    uint64_t last = 0;
    for (uint32_t j = 0; j < mu->f_n; j++) {
        const fifo_entry *fe = &mu->fifo[(mu->f_head + j) % depth];
        slots += fe->slots;
        if (j < mu->f_popped && fe->release != NEVER) {
            assert(fe->release >= last);
            last = fe->release;
        }
        if (j >= mu->f_popped)
            assert(fe->release == NEVER);
    }
    assert(slots == mu->f_used_slots);
#endif
    assert(mu->f_used_slots <= depth);
}

uint64_t wbuf_space(machine *m, mxu_unit *mu, uint32_t slots)
{
    uint32_t depth = m->t->wbuf.depth_tiles;
    while (mu->f_popped && mu->fifo[mu->f_head].release <= m->now) {
        mu->f_used_slots -= mu->fifo[mu->f_head].slots;
        mu->f_head = (mu->f_head + 1) % depth;
        mu->f_n--;
        mu->f_popped--;
    }
    if (mu->f_used_slots + slots <= depth && mu->f_n < depth)
        return m->now;
    /* walk the popped entries in order: when enough slots leave */
    uint32_t used = mu->f_used_slots, n = mu->f_n;
    for (uint32_t j = 0; j < mu->f_popped; j++) {
        fifo_entry *fe = &mu->fifo[(mu->f_head + j) % depth];
        if (fe->release == NEVER)
            return NEVER;
        used -= fe->slots;
        n--;
        if (used + slots <= depth && n < depth)
            return fe->release;
    }
    return NEVER;
}

fifo_entry *wbuf_push(machine *m, mxu_unit *mu, uint32_t x, uint32_t slots)
{
    uint32_t depth = m->t->wbuf.depth_tiles;
    assert(mu->f_n < depth && mu->f_used_slots + slots <= depth);
    const isa_instr *in = &m->prog.ins[x];
    fifo_entry *fe = &mu->fifo[(mu->f_head + mu->f_n) % depth];
    fe->release = NEVER;
    fe->slots = slots;
    fe->ins = x;
    fe->k = in->transpose ? in->blk.cols : in->blk.rows;
    fe->n = in->transpose ? in->blk.rows : in->blk.cols;
    mu->f_n++;
    mu->f_used_slots += slots;
    wbuf_check(m, mu);
    return fe;
}

bool wbuf_has(const mxu_unit *mu, uint32_t n)
{
    return mu->f_n >= mu->f_popped + n;
}

fifo_entry *wbuf_next(machine *m, mxu_unit *mu)
{
    assert(mu->f_popped < mu->f_n);
    return &mu->fifo[(mu->f_head + mu->f_popped) % m->t->wbuf.depth_tiles];
}

void wbuf_pop(machine *m, mxu_unit *mu, uint64_t release)
{
    wbuf_next(m, mu)->release = release;
    mu->f_popped++;
    wbuf_check(m, mu);
}

tp_status wbuf_replay_k(machine *m)
{
    isa_fifos ff;
    if (isa_fifos_init(&ff, m->t)) {
        isa_fifos_free(&ff);
        return TP_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < m->prog.n_ins; i++) {
        const isa_instr *in = &m->prog.ins[i];
        if (in->op == ISA_LOADW) {
            for (unsigned u = 0; u < isa_loadw_count(in); u++)
                isa_fifos_push(&ff, isa_fifo_of(m->t, in) + u, isa_loadw_tile(m->t, in));
        } else if (in->op == ISA_MATMUL) {
            uint32_t g = isa_fifo_of(m->t, in);
            assert(ff.cnt[g] >= in->repeat);   /* isa_validate checked it */
            m->mm_k[i] = isa_fifos_peek(&ff, g, 0).k;
            isa_fifos_pop(&ff, g, in->repeat);
        }
    }
    isa_fifos_free(&ff);
    return TP_OK;
}
