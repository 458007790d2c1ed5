/* Exact fast-forward of a timing-only run: finds two moments at which the whole machine state
 * is the same up to a shift in time and in instruction numbers, checks that the instructions
 * ahead repeat the ones between them, and jumps over the repetitions in one step.
 *
 * NOTES ON THE DESIGN OF THE FAST-FORWARD
 *
 * 1. The argument. The machine is deterministic, and its evolution is invariant under a shift
 *    of time: every rule compares or subtracts cycles, none reads a cycle's absolute value (the
 *    value 0, which a zero-filled record holds for "never set", stays 0 under a shift; it is
 *    kept apart in the comparison, note 3). Let S(a) be the state at the end of the event at
 *    which the issuer passed an anchor instruction (note 4), with times counted from that
 *    event's cycle and instruction numbers from the next one to issue, i. If S(a) == S(b),
 *    b later, with P = i_b - i_a instructions and D = t_b - t_a cycles between them, and the
 *    instructions i_b .. i_b + R*P are each the same as the one P before it (note 5), then
 *    from b the machine does exactly what it did from a, shifted by D and P, for R periods:
 *    between a and b it read only the state and the instructions up to i_b (the issuer looks
 *    at the next instruction's queue before it stops, hence the one past the last period).
 *    So the state R periods later is S(b) shifted by R*D and R*P, and every counter has grown
 *    by R times what it grew from a to b. ff_after_step moves the state there at once.
 *
 * 2. The state (walk): every field of the machine that a later step reads, with the part of
 *    the flight records that the in-flight instructions, the FIFOs' tiles and the scoreboard's
 *    blocked_by refer to; counters (cycles by cause, bytes, MACs, ops), which no rule reads,
 *    are kept out of the comparison and scaled instead. One walk serves the four uses (compare,
 *    shift, read counters, scale counters), so the list of fields is written once. A field the
 *    walk missed would make the two runs differ, which tests/test_ff.c checks on many random
 *    machines, shapes, dataflows and tilings against the run with fast-forward off.
 *
 * 3. What is compared loosely, and why that is exact. Times are compared relative to the
 *    event's cycle, NEVER and 0 as themselves. A time every later use takes the maximum of with
 *    the present, or compares with it, is compared clamped at the present (tm_past): an
 *    off-chip channel's next-free time, the memory's in-flight end, a flight's read_done,
 *    vals_need, vals_at and its cached dep_ready (whose cause, dep_why, is read only when
 *    dep_ready is later than the present: sb.c note 3). The event queue is compared as a set
 *    (it returns duplicates once). DRAM blocks (rows and columns of a tensor) are not
 *    compared, so the fast-forward requires (dram_blocks_apart, before the first jump) that no
 *    tensor is both read and written and that no two stores overlap: then no DRAM block ever
 *    conflicts with another.
 *
 * 4. Anchors. Comparing the state at every event would cost as much as the run; it is compared
 *    only after an event at which the issuer passed an instruction of an anchor opcode: store
 *    (an output tile) and the rarest opcode that occurs at least three times. The last FF_RING
 *    states are kept; of the earlier states equal to the present one, the one whose period
 *    jumps over the most is taken, and only when it jumps FF_MIN_REPEATS periods or more, or to
 *    the program's end, or the ring is full: a longer period may be about to show itself (the
 *    state of a loop one level out), and a short jump would throw its states away.
 *
 * 5. Instructions are the same when every field is, except the block's place (r0, c0) and the
 *    source position, and their off-chip accesses put the same bursts on each channel: the same
 *    address modulo the memory's interleave period (burst x granule x channels), or else the
 *    same counts from dram_channel_bursts, which is all of an access's timing that its address
 *    decides (mem/dram.h).
 *
 * 6. After a jump, the flights referred to are copied P*R records on (shifted); the times of
 *    the instructions jumped over are filled at the run's end (ff_fill), each from the one P
 *    before it, so machine_instr_times and the run's end (ff_last_end) see every instruction.
 *    Those the jump went past ([from, end) of the skip, less the copies) keep their times in a
 *    compact array, not in their flight records, which stay untouched: a long run jumps over
 *    millions of instructions, and touching their records (432 B each) cost most of its time
 *    and memory in fresh pages. The states kept from the matched one on are of the periodic
 *    part: they stay, moved on by the jump.
 *
 * 7. The cost bound. A state costs a walk of its words (thousands when many instructions are in
 *    flight), and an anchor can come every few instructions, so taking a state at every anchor
 *    can cost more than the simulation it might save (the tiling search's short estimate
 *    prefixes, which rarely repeat, ran four times slower). So a state is taken at every
 *    stride-th anchor, and the stride doubles (up to FF_STRIDE_MAX) after a state equal to no
 *    earlier one when the words walked so far are more than FF_WORDS_PER_INS per instruction
 *    issued (plus FF_SLACK): the walks then cost well under the simulation (a word costs about
 *    a 150th of an instruction's simulation on the fast engine). Sampling costs no exactness,
 *    and a repetition is still found (states that repeat every p anchors repeat every
 *    p / gcd(p, s) samples of stride s), but later and with a longer period when gcd(p, s) < p,
 *    so a short program may jump over less (tests/test_ff.c measures it).
 *
 * Where any condition fails the run is simply simulated: never approximated.
 */
#include "tpu/tpu_int.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#ifndef FF_RING
#define FF_RING 64          /* anchor states kept */
#endif
#define FF_MIN_INS 16       /* shorter programs are not worth a look */
#define FF_MIN_REPEATS 4   /* periods a jump skips at least, unless the ring is full */
#define FF_KEY 24           /* words of an instruction's key (ins_key) */
#define FF_KEYS_MAX 65536   /* the longest period whose keys repeats() keeps (12 MiB) */
#define FF_WORDS_PER_INS 64 /* a state's words per instruction simulated, at most (note 7) */
#define FF_STRIDE_MAX 4096  /* anchors per state, at most (note 7) */
#define FF_SLACK 16384      /* words walked before the bound applies (note 7) */

enum { W_SER, W_SHIFT, W_CNT_GET, W_CNT_ADD };

typedef struct {
    int mode;
    machine *m;
    uint64_t now;           /* W_SER: times relative to it */
    uint32_t base;          /* W_SER: instruction numbers relative to it */
    uint64_t dt;            /* W_SHIFT: cycles; W_CNT_ADD: periods (R) */
    uint32_t di;            /* W_SHIFT: instructions */
    uint64_t *v;            /* W_SER, W_CNT_GET: output; W_CNT_ADD: the earlier counters */
    size_t n, cap;
    bool oom;
} walker;

/* Doubles w's buffer; false when out of memory (then w->oom). */
static __attribute__((noinline)) bool grow(walker *w)
{
    size_t c = w->cap ? 2 * w->cap : 1024;
    uint64_t *p = realloc(w->v, c * sizeof *p);
    if (!p) {
        w->oom = true;
        return false;
    }
    w->v = p;
    w->cap = c;
    return true;
}

static inline void put(walker *w, uint64_t x)
{
    if (__builtin_expect(w->n == w->cap, 0) && !grow(w))
        return;
    w->v[w->n++] = x;
}

static void raw(walker *w, uint64_t x)
{
    if (w->mode == W_SER)
        put(w, x);
}

static void tm(walker *w, uint64_t *p)
{
    if (w->mode == W_SER) {
        put(w, *p == 0 ? 0 : *p == NEVER ? 1 : 2);
        put(w, *p == 0 || *p == NEVER ? 0 : *p - w->now);
    } else if (w->mode == W_SHIFT && *p != 0 && *p != NEVER) {
        *p += w->dt;
    }
}

/* A time that every later use takes the maximum of with the present (note 3). */
static void tm_past(walker *w, uint64_t *p)
{
    if (w->mode == W_SER)
        put(w, *p > w->now ? *p - w->now : 0);
    else if (w->mode == W_SHIFT)
        *p = (*p > w->now ? *p : w->now) + w->dt;
}

static void idx(walker *w, uint32_t *p)
{
    if (w->mode == W_SER)
        put(w, (uint64_t)((int64_t)*p - (int64_t)w->base));
    else if (w->mode == W_SHIFT)
        *p += w->di;
}

static void cnt(walker *w, uint64_t *p)
{
    if (w->mode == W_CNT_GET)
        put(w, *p);
    else if (w->mode == W_CNT_ADD) {
        assert(w->n < w->cap);
        *p += w->dt * (*p - w->v[w->n++]);
    }
}

static void cnt32(walker *w, uint32_t *p)
{
    uint64_t x = *p;
    cnt(w, &x);
    *p = (uint32_t)x;
}

static void rng(walker *w, const range *r)
{
    raw(w, r->lo);
    raw(w, r->hi);
}

static void rows(walker *w, const rowset *r)
{
    raw(w, r->base);
    raw(w, r->stride);
    raw(w, r->row_bytes);
    raw(w, r->rows);
    raw(w, (uint64_t)r->acc | (uint64_t)r->desc << 1 | (uint64_t)r->stream << 2);
    raw(w, (uint64_t)r->lead);
    raw(w, r->num);
    raw(w, r->den);
}

/* A flight record (tpu_int.h), all but its DRAM block (note 3). W_SER and W_SHIFT. */
static void walk_flight(walker *w, flight *f)
{
    raw(w, f->started);
    tm(w, &f->start);
    tm(w, &f->end);
    tm_past(w, &f->read_done);   /* note 3: a term of later instructions' waits */
    rng(w, &f->ub_r);
    rng(w, &f->ub_r2);
    rng(w, &f->ub_w);
    rng(w, &f->acc_r);
    rng(w, &f->acc_w);
    raw(w, f->dep_known);
    raw(w, f->dep_ready > w->now || w->mode != W_SER ? f->dep_why : 0xff);   /* note 3 */
    tm_past(w, &f->dep_ready);
    if (f->blocked_by) {
        uint32_t b = f->blocked_by - 1;
        idx(w, &b);
        f->blocked_by = b + 1;
    } else {
        raw(w, UINT64_MAX);
    }
    rows(w, &f->rw);
    rows(w, &f->rr);
    tm_past(w, &f->vals_need);   /* note 3: compared with the present */
    tm_past(w, &f->vals_at);
    raw(w, f->min_cycles);
    raw(w, f->vals_pending);
    raw(w, (uint64_t)(int64_t)f->tensor);
    raw(w, f->dram_write);
}

/* Note 5: instruction x's key, FF_KEY words; word FF_ADDR is its DRAM address modulo the
 * interleave period (0 for the others). */
#define FF_ADDR 22
static void ins_key(const machine *m, uint32_t x, uint64_t *k)
{
    const isa_instr *in = &m->prog.ins[x];
    uint32_t scale;
    memcpy(&scale, &in->scale, sizeof scale);
    uint64_t addr = 0;
    if (in->op == ISA_LOAD || in->op == ISA_LOADW || in->op == ISA_STORE) {
        uint64_t p = m->ff.period;
        addr = dma_pattern_of(m, in).addr;
        addr = p & (p - 1) ? addr % p : addr & (p - 1);   /* a power of two as a rule */
    }
    uint64_t w[FF_KEY] = {
        in->op, in->core, in->mxu, in->mxus, in->transpose, in->accumulate, in->hold, in->act, in->out_dtype,
        in->repeat, in->m, in->n, in->ub_addr, in->ub_stride, in->acc_row, in->has_bias, in->bias_addr,
        in->bias_stride, scale, (uint64_t)(int64_t)in->blk.tensor, in->blk.rows, in->blk.cols, addr, m->mm_k[x]};
    memcpy(k, w, sizeof w);
}

/* The bursts per channel of x's off-chip access (none for an ideal memory): all its address
 * decides (mem/dram.h); returns the count of words written to cnt. */
static uint32_t ins_bursts(const machine *m, uint32_t x, uint64_t *cnt)
{
    dma_pattern p = dma_pattern_of(m, &m->prog.ins[x]);
    const dram *d = &m->mem[p.id].d;
    if (d->cfg.ideal)
        return 0;
    dram_channel_bursts(d, p.addr, p.rows, p.row_bytes, p.stride, cnt);
    return d->cfg.channels;
}

/* Instructions a and b, of keys ka and kb, are the same (note 5). */
static bool keys_same(const machine *m, uint32_t a, const uint64_t *ka, uint32_t b, const uint64_t *kb)
{
    if (ka[FF_ADDR] == kb[FF_ADDR])
        return !memcmp(ka, kb, FF_KEY * sizeof *ka);
    if (memcmp(ka, kb, FF_ADDR * sizeof *ka) ||
        memcmp(ka + FF_ADDR + 1, kb + FF_ADDR + 1, (FF_KEY - FF_ADDR - 1) * sizeof *ka))
        return false;
    uint64_t ca[DRAM_MAX_CHANNELS], cb[DRAM_MAX_CHANNELS];
    uint32_t n = ins_bursts(m, a, ca);
    return n == ins_bursts(m, b, cb) && !memcmp(ca, cb, n * sizeof *ca);
}

static bool ins_same(const machine *m, uint32_t a, uint32_t b)
{
    uint64_t ka[FF_KEY], kb[FF_KEY];
    ins_key(m, a, ka);
    ins_key(m, b, kb);
    return keys_same(m, a, ka, b, kb);
}

static int cmp_event(const void *x, const void *y)
{
    const evq_event *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->prio != b->prio)
        return a->prio < b->prio ? -1 : 1;
    return a->unit < b->unit ? -1 : a->unit > b->unit;
}

static void walk_acct(walker *w, acct *a)
{
    tm(w, &a->cursor);
    raw(w, a->reason);
    raw(w, a->idle);
    for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
        cnt(w, &a->cyc[c]);
}

/* The whole state of a one-core machine (note 2); the flights are walked by the caller in
 * W_SHIFT (they move, ff_jump). */
static void walk(walker *w)
{
    machine *m = w->m;
    core_state *cs = &m->cores[0];
    const tp_tpu_cfg *t = m->t;
    raw(w, cs->n_inflight);
    raw(w, cs->n_pending);
    for (uint32_t j = 0; j < cs->n_inflight; j++) {
        uint32_t x = cs->inflight[j];
        idx(w, &cs->inflight[j]);
        if (w->mode == W_SER) {
            uint64_t k[FF_KEY], c[DRAM_MAX_CHANNELS];
            ins_key(m, x, k);
            k[FF_ADDR] = 0;   /* the bursts per channel instead (note 5) */
            for (int i = 0; i < FF_KEY; i++)
                put(w, k[i]);
            uint32_t nc = k[0] == ISA_LOAD || k[0] == ISA_LOADW || k[0] == ISA_STORE ? ins_bursts(m, x, c) : 0;
            for (uint32_t i = 0; i < nc; i++)
                put(w, c[i]);
            walk_flight(w, &m->fl[x]);
            if (m->fl[x].blocked_by)   /* sb_deps reads whether it has begun */
                raw(w, m->fl[m->fl[x].blocked_by - 1].started);
        }
    }
    for (uint32_t q = 0; q < Q_MXU0 + t->mxus_per_core; q++) {
        queue *qu = &cs->q[q];
        raw(w, qu->n);
        for (uint32_t j = 0; j < qu->n; j++)
            idx(w, &qu->idx[(qu->head + j) % QUEUE_DEPTH]);
    }
    for (uint32_t e = 0; e < tpu_n_engines(m); e++)
        tm(w, &cs->engine_free[e]);
    for (uint32_t u = 0; u < t->mxus_per_core; u++) {
        mxu_unit *mu = &cs->mxu[u];
        cnt32(w, &mu->st.ops);
        tm(w, &mu->st.stream_end);
        tm(w, &mu->st.next_start_min);
        tm(w, &mu->st.next_shift_min);
        tm(w, &mu->st.busy_until);
        raw(w, mu->st.held);
        raw(w, mu->f_n);
        raw(w, mu->f_used_slots);
        raw(w, mu->f_popped);
        for (uint32_t j = 0; j < mu->f_n; j++) {
            fifo_entry *fe = &mu->fifo[(mu->f_head + j) % t->wbuf.depth_tiles];
            tm(w, &fe->release);
            raw(w, fe->slots);
            if (w->mode == W_SER)   /* mm_try reads its loadw's end */
                tm(w, &m->fl[fe->ins].end);
            idx(w, &fe->ins);
            raw(w, fe->k);
            raw(w, fe->n);
        }
        for (uint32_t c = 0; c < STATS_MXU__COUNT; c++)
            cnt(w, &mu->cyc[c]);
        cnt(w, &mu->macs);
        tm(w, &mu->head_since);
        raw(w, mu->held);
        tm(w, &mu->head_blocked_since);
        raw(w, mu->used);
        raw(w, mu->chain_acc);
        raw(w, mu->ch_k);
    }
    tm(w, &cs->min_end);
    raw(w, cs->issue_blocked);
    if (cs->issue_blocked || w->mode != W_SER)
        tm(w, &cs->blocked_since);
    raw(w, cs->done);
    for (uint32_t e = 0; e < tpu_n_engines(m); e++)
        walk_acct(w, &cs->dma[e]);
    walk_acct(w, &cs->vpu);
    for (int s = 0; s < 2; s++) {
        raw(w, cs->ub.n_res[s]);
        for (uint32_t r = 0; r < cs->ub.n_res[s]; r++) {
            tm(w, &cs->ub.res[s][r].begin);
            tm(w, &cs->ub.res[s][r].end);
            raw(w, cs->ub.res[s][r].rate);
        }
    }
    cnt(w, &cs->ub.read_bytes);
    cnt(w, &cs->ub.write_bytes);
    cnt(w, &m->acc_read_bytes);
    cnt(w, &m->acc_write_bytes);
    cnt(w, &m->wbuf_bytes);
    cnt(w, &m->macs);
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        if (!m->mem[id].present)
            continue;
        dram *d = &m->mem[id].d;
        dram_ticks bps = d->cfg.bytes_per_s, now_t = (dram_ticks)w->now * bps;
        for (uint32_t c = 0; c < d->cfg.channels && c < DRAM_MAX_CHANNELS; c++) {   /* note 3 */
            if (w->mode == W_SER) {
                dram_ticks r = d->next_free[c] > now_t ? d->next_free[c] - now_t : 0;
                put(w, (uint64_t)r);
                put(w, (uint64_t)(r >> 64));
            } else if (w->mode == W_SHIFT) {
                d->next_free[c] = (d->next_free[c] > now_t ? d->next_free[c] : now_t) + (dram_ticks)w->dt * bps;
            }
        }
        tm_past(w, &d->inflight_until);
        cnt(w, &d->read_bytes);
        cnt(w, &d->write_bytes);
        cnt(w, &d->bus_bytes);
        cnt(w, &d->accesses);
        cnt(w, &d->inflight_cycles);
        raw(w, d->past_limit);
    }
    evq *q = &m->events;
    if (w->mode == W_SER) {   /* as a set (note 3) */
        evq_event *e = malloc((q->n ? q->n : 1) * sizeof *e);
        if (!e) {
            w->oom = true;
            return;
        }
        memcpy(e, q->heap, q->n * sizeof *e);
        qsort(e, q->n, sizeof *e, cmp_event);
        for (uint32_t j = 0; j < q->n; j++)
            if (j == 0 || cmp_event(&e[j], &e[j - 1])) {
                put(w, e[j].t - w->now);
                put(w, (uint64_t)e[j].prio << 32 | e[j].unit);
            }
        free(e);
        put(w, q->has_last);
        put(w, q->last.t - w->now);
        put(w, (uint64_t)q->last.prio << 32 | q->last.unit);
    } else if (w->mode == W_SHIFT) {   /* a uniform shift keeps the heap's order */
        evq_shift(q, w->dt);
    }
}

/* ---- setup -------------------------------------------------------------------------------- */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* Note 3: no tensor both read and written, no two stores overlapping (a bitmap per written
 * tensor, a word at a time). One pass over the program, then one over its stores per written
 * tensor. */
static bool dram_blocks_apart(const machine *m)
{
    const isa_program *p = &m->prog;
    uint8_t *rd = calloc(p->n_tensors ? p->n_tensors : 1, 1), *wr = calloc(p->n_tensors ? p->n_tensors : 1, 1);
    uint32_t n_st = m->op_count[ISA_STORE], j = 0;
    uint32_t *st = malloc((n_st ? n_st : 1) * sizeof *st);
    bool ok = rd && wr && st;
    for (uint32_t i = 0; ok && i < p->n_ins; i++) {
        const isa_instr *in = &p->ins[i];
        if (in->op == ISA_LOAD || in->op == ISA_LOADW) {
            rd[in->blk.tensor] = 1;
        } else if (in->op == ISA_STORE) {
            wr[in->blk.tensor] = 1;
            assert(j < n_st);
            st[j++] = i;
        }
    }
    for (uint32_t t = 0; ok && t < p->n_tensors; t++) {
        if (!wr[t])
            continue;
        const isa_tensor *tt = &p->tensors[t];
        uint64_t words = ((uint64_t)tt->cols + 63) / 64;
        if (rd[t] || (uint64_t)tt->rows * words > (1ull << 25)) {
            ok = false;
            break;
        }
        uint64_t nw = (uint64_t)tt->rows * words;
        uint64_t *bits = calloc((size_t)(nw ? nw : 1), sizeof *bits);
        if (!bits) {
            ok = false;
            break;
        }
        for (uint32_t s = 0; ok && s < n_st; s++) {
            const isa_instr *in = &p->ins[st[s]];
            if (in->blk.tensor != (int32_t)t)
                continue;
            for (uint32_t r = in->blk.r0; ok && r < in->blk.r0 + in->blk.rows; r++)
                for (uint32_t c = in->blk.c0; ok && c < in->blk.c0 + in->blk.cols;) {
                    uint32_t n = 64 - c % 64;
                    if (n > in->blk.c0 + in->blk.cols - c)
                        n = in->blk.c0 + in->blk.cols - c;
                    uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << (c % 64);
                    uint64_t *wd = &bits[(uint64_t)r * words + c / 64];
                    if (*wd & mask)
                        ok = false;
                    *wd |= mask;
                    c += n;
                }
        }
        free(bits);
    }
    free(st);
    free(rd);
    free(wr);
    return ok;
}

void ff_init(machine *m)
{
    ff_state *f = &m->ff;
    f->active = false;
    f->n_snap = f->head = 0;
    f->n_skips = f->n_refs = 0;
    f->stride = 1;
    f->tick = 0;
    f->walked = 0;
    f->skipped = 0;
    if (!f->on || m->t->cores != 1 || m->engine != MACHINE_FAST || !m->timing_only || m->tl || m->pe_obs ||
        m->prog.n_ins < FF_MIN_INS)
        return;
    const uint32_t *count = m->op_count;   /* setup_run's */
    int best = -1;
    for (int op = ISA_LOAD; op <= ISA_STORE; op++)
        if (count[op] >= 3 && (best < 0 || count[op] < count[best]))
            best = op;
    if (best < 0)
        return;
    f->anchors = 1u << best | (count[ISA_STORE] >= 3 ? 1u << ISA_STORE : 0);
    uint64_t period = 1;
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        const dram *d = &m->mem[id].d;
        if (!m->mem[id].present || d->cfg.ideal)
            continue;
        uint64_t p = (uint64_t)d->granule_bursts * d->cfg.channels * d->cfg.burst_bytes;
        period = period / gcd64(period, p) * p;
        if (period > (1ull << 40))
            return;
    }
    f->period = period;
    f->apart = -1;   /* dram_blocks_apart, asked at the first jump (most runs never get there) */
    f->active = true;
}

void ff_free(machine *m)
{
    ff_state *f = &m->ff;
    for (uint32_t s = 0; s < FF_RING && f->snap; s++) {
        free(f->snap[s].state);
        free(f->snap[s].counters);
    }
    free(f->snap);
    free(f->skips);
    free(f->refs);
    free(f->times);
    f->snap = NULL;
    f->skips = NULL;
    f->refs = NULL;
    f->times = NULL;
    f->n_snap = f->head = f->n_skips = f->cap_skips = f->n_refs = f->cap_refs = 0;
}

/* ---- the jump ------------------------------------------------------------------------------ */

/* A state's hash: only a filter before the full comparison, so any function of the words will
 * do; four lanes, because one chain waits on each multiply. */
static uint64_t hash_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_words(const uint64_t *v, size_t n)
{
    uint64_t h[4] = {1469598103934665603ull, 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++)
            h[l] = hash_mix(h[l], v[i + l]);
    for (; i < n; i++)
        h[0] = hash_mix(h[0], v[i]);
    uint64_t r = n;
    for (int l = 0; l < 4; l++)
        r = hash_mix(r, h[l]);
    return r;
}

static int cmp_desc(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a > b ? -1 : a < b;
}

/* Notes 1 and 6: moves the state R periods of P instructions and D cycles on, from the
 * counters of the earlier anchor state s. */
static bool jump(machine *m, const ff_snap *s, uint32_t P, uint64_t D, uint64_t R)
{
    core_state *cs = &m->cores[0];
    ff_state *f = &m->ff;
    uint32_t di = (uint32_t)(R * P);
    uint64_t dt = R * D;
    /* the flights referred to: in flight, the FIFOs' tiles' loadws, what blocks the in-flight */
    uint32_t nref = cs->n_inflight * 2;
    for (uint32_t u = 0; u < m->t->mxus_per_core; u++)
        nref += cs->mxu[u].f_n;
    uint32_t *ref = malloc((nref ? nref : 1) * sizeof *ref);
    if (f->n_skips == f->cap_skips) {
        uint32_t c = f->cap_skips ? 2 * f->cap_skips : 8;
        ff_skip *p = realloc(f->skips, c * sizeof *p);
        if (p) {
            f->skips = p;
            f->cap_skips = c;
        }
    }
    if (ref && f->cap_refs - f->n_refs < nref) {   /* room for this jump's copies */
        uint32_t c = f->cap_refs ? f->cap_refs : 64;
        while (c - f->n_refs < nref)
            c *= 2;
        uint32_t *p = realloc(f->refs, (size_t)c * sizeof *p);
        if (p) {
            f->refs = p;
            f->cap_refs = c;
        }
    }
    if (!ref || f->n_skips == f->cap_skips || f->cap_refs - f->n_refs < nref) {
        free(ref);
        return false;
    }
    uint32_t n = 0;
    for (uint32_t j = 0; j < cs->n_inflight; j++) {
        uint32_t x = cs->inflight[j];
        ref[n++] = x;
        if (m->fl[x].blocked_by)
            ref[n++] = m->fl[x].blocked_by - 1;
    }
    for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
        const mxu_unit *mu = &cs->mxu[u];
        for (uint32_t j = 0; j < mu->f_n; j++)
            ref[n++] = mu->fifo[(mu->f_head + j) % m->t->wbuf.depth_tiles].ins;
    }
    qsort(ref, n, sizeof *ref, cmp_desc);   /* descending: a copy never overwrites a source */
    uint32_t lo = cs->next, ref0 = f->n_refs;
    walker w = {.mode = W_SHIFT, .m = m, .now = m->now, .dt = dt, .di = di};
    for (uint32_t j = 0; j < n; j++) {
        if (j && ref[j] == ref[j - 1])
            continue;
        uint32_t x = ref[j];
        if (x < lo)
            lo = x;
        flight fx = m->fl[x];
        walk_flight(&w, &fx);
        const isa_instr *in = &m->prog.ins[x + di];
        fx.r0 = in->blk.r0;
        fx.r1 = in->blk.r0 + in->blk.rows;
        fx.c0 = in->blk.c0;
        fx.c1 = in->blk.c0 + in->blk.cols;
        m->fl[x + di] = fx;
        f->refs[f->n_refs++] = x + di;
    }
    free(ref);
    for (uint32_t a = ref0, b = f->n_refs; a + 1 < b; a++, b--) {   /* ascending */
        uint32_t x = f->refs[a];
        f->refs[a] = f->refs[b - 1];
        f->refs[b - 1] = x;
    }
    walker wc = {.mode = W_CNT_ADD, .m = m, .dt = R, .v = s->counters, .cap = s->n_counters};
    walk(&wc);
    walk(&w);
    f->skips[f->n_skips++] = (ff_skip){lo, cs->next + di, P, D, cs->next, ref0, f->n_refs - ref0};
    cs->next += di;
    m->now += dt;
    f->skipped += di;
    return true;
}

/* Instructions at and after `from` that repeat the P before them, counted up to the end.
 * Each key is made once: a ring holds the last P (FF_KEYS_MAX at most; past that, or when the
 * ring cannot be had, each pair's two keys are made, as ins_same does). */
static uint64_t repeats(const machine *m, uint32_t from, uint32_t P)
{
    uint32_t y = from;
    uint64_t (*ring)[FF_KEY] = P <= FF_KEYS_MAX ? malloc((size_t)P * sizeof *ring) : NULL;
    if (!ring) {
        while (y < m->prog.n_ins && ins_same(m, y, y - P))
            y++;
        return y - from;
    }
    /* ring[(y - from) % P] is y - P's key: made in the first period, then kept from y's */
    for (uint32_t j = 0; y < m->prog.n_ins; y++, j = j + 1 == P ? 0 : j + 1) {
        uint64_t k[FF_KEY];
        if (y - from < P)
            ins_key(m, y - P, ring[j]);
        ins_key(m, y, k);
        if (!keys_same(m, y - P, ring[j], y, k))
            break;
        memcpy(ring[j], k, sizeof k);
    }
    free(ring);
    return y - from;
}

void ff_after_step(machine *m, uint32_t before)
{
    ff_state *f = &m->ff;
    core_state *cs = &m->cores[0];
    bool anchor = false;
    for (uint32_t i = before; i < cs->next && !anchor; i++)
        anchor = f->anchors >> m->prog.ins[i].op & 1;
    if (!anchor || cs->done || ++f->tick < f->stride)
        return;
    f->tick = 0;
    if (!f->snap && !(f->snap = calloc(FF_RING, sizeof *f->snap))) {
        f->active = false;
        return;
    }
    ff_snap *cur = &f->snap[f->head];
    walker w = {.mode = W_SER, .m = m, .now = m->now, .base = cs->next, .v = cur->state, .cap = cur->cap_state};
    walk(&w);
    cur->state = w.v;
    cur->cap_state = w.cap;
    walker wc = {.mode = W_CNT_GET, .m = m, .v = cur->counters, .cap = cur->cap_counters};
    walk(&wc);
    cur->counters = wc.v;
    cur->cap_counters = wc.cap;
    if (w.oom || wc.oom) {
        f->active = false;
        return;
    }
    cur->n_state = w.n;
    cur->n_counters = wc.n;
    f->walked += w.n + wc.n;
    cur->hash = hash_words(w.v, w.n);
    cur->next = cs->next;
    cur->now = m->now;
    /* every earlier state equal to this one; the one that jumps over the most wins */
    uint32_t best = 0, bP = 0;
    bool to_end = false;   /* the best repeats to the program's end: nothing longer does better */
    uint64_t bD = 0, bR = 0;
    for (uint32_t k = 1; k <= f->n_snap && k < FF_RING; k++) {
        const ff_snap *s = &f->snap[(f->head + FF_RING - k) % FF_RING];
        if (s->hash != cur->hash || s->n_state != cur->n_state || memcmp(s->state, cur->state, w.n * sizeof *w.v))
            continue;
        uint32_t P = cur->next - s->next;
        /* a period also reads the instruction after it (the issuer looks at its queue): that one
         * must repeat too */
        uint64_t L = P ? repeats(m, cur->next, P) : 0, D = cur->now - s->now, R = L ? (L - 1) / P : 0;
        /* far below the counts' limit (base/util.h), without an overflow of R * D */
        bool far = m->now < TP_COUNT_MAX / 4 && D && R <= (TP_COUNT_MAX / 4 - m->now) / D;
        if (P == 0 || R == 0 || !far || R * P <= bR * bP)
            continue;
        best = k;
        to_end = cur->next + L == m->prog.n_ins;
        bP = P;
        bD = D;
        bR = R;
    }
    /* a few periods only: a longer period may come (its states are still to be taken), which a
     * jump would lose, so wait unless the ring is full */
    if (best && (bR >= FF_MIN_REPEATS || to_end || f->n_snap >= FF_RING - 1) && f->apart < 0)
        f->apart = dram_blocks_apart(m);
    if (best && !f->apart) {
        f->active = false;
        return;
    }
    if (best && (bR >= FF_MIN_REPEATS || to_end || f->n_snap >= FF_RING - 1)) {
        const ff_snap *s = &f->snap[(f->head + FF_RING - best) % FF_RING];
        uint64_t *d = malloc((cur->n_counters ? cur->n_counters : 1) * sizeof *d);
        if (!d || !jump(m, s, bP, bD, bR)) {
            free(d);
            f->active = false;
            return;
        }
        for (size_t q = 0; q < cur->n_counters; q++)
            d[q] = cur->counters[q] - s->counters[q];
        /* the states from s on are of the periodic part: they stay, moved on as the machine was */
        for (uint32_t k = 0; k <= best; k++) {
            ff_snap *t = &f->snap[(f->head + FF_RING - k) % FF_RING];
            for (size_t q = 0; q < t->n_counters; q++)
                t->counters[q] += bR * d[q];
            t->next += (uint32_t)(bR * bP);
            t->now += bR * bD;
        }
        free(d);
        f->n_snap = best;
    } else if (!best && f->walked > (uint64_t)FF_WORDS_PER_INS * cs->next + FF_SLACK && f->stride < FF_STRIDE_MAX) {
        f->stride *= 2;   /* the walks cost too much for what they find (note 7) */
    }
    f->head = (f->head + 1) % FF_RING;
    if (f->n_snap < FF_RING)
        f->n_snap++;
}

/* Note 6: the instructions jumped over take the times of the one P before them, D cycles
 * later, in ascending order (so that one jumped over may be the source of a later one): those
 * in flight at the jump, [lo, from), which the machine left behind for their copies P*R on,
 * into their flight records; [from, end) less the copied records into f->times, so that their
 * flight records, never simulated, are never touched. */
void ff_fill(machine *m)
{
    ff_state *f = &m->ff;
    if (!f->n_skips)
        return;
    f->times = calloc(m->prog.n_ins, sizeof *f->times);   /* fresh pages: only these are touched */
    if (!f->times) {
        m->rc = tp_err_set(m->err, TP_ERR_NOMEM, "out of memory: the times of %llu instructions jumped over",
                           (unsigned long long)f->skipped);
        return;
    }
    for (uint32_t k = 0; k < f->n_skips; k++) {
        const ff_skip *s = &f->skips[k];
        const uint32_t *r = f->refs + s->ref0, *r_end = r + s->n_ref;
        for (uint32_t y = s->lo; y < s->end; y++) {
            if (y < s->from && m->fl[y].started)
                continue;
            while (r < r_end && *r < y)
                r++;
            if (r < r_end && *r == y)
                continue;   /* a copied record, simulated on */
            uint64_t st, en;
            const flight *src = NULL;   /* the source's record when it has one */
            if (ff_times(m, y - s->P, &st, &en)) {
            } else if ((src = &m->fl[y - s->P])->started) {
                st = src->start;
                en = src->end;
            } else {
                continue;
            }
            if (y < s->from) {
                flight *fy = &m->fl[y];
                fy->started = true;
                fy->start = st + s->D;
                fy->end = en + s->D;
                fy->read_done = src && src->read_done ? src->read_done + s->D : 0;   /* as simulated */
                continue;
            }
            f->times[y][0] = st + s->D;
            f->times[y][1] = en + s->D;   /* > 0: D > 0 */
        }
    }
}

bool ff_times(const machine *m, uint32_t i, uint64_t *start, uint64_t *end)
{
    const ff_state *f = &m->ff;
    if (!f->times || i >= m->prog.n_ins || !f->times[i][1])
        return false;
    *start = f->times[i][0];
    *end = f->times[i][1];
    return true;
}

uint64_t ff_last_end(const machine *m)
{
    const ff_state *f = &m->ff;
    uint64_t total = 0;
    uint32_t i = 0, n = m->prog.n_ins;
    for (uint32_t k = 0; k <= f->n_skips; k++) {
        const ff_skip *s = k < f->n_skips ? &f->skips[k] : NULL;
        uint32_t upto = s ? s->from : n;   /* simulated: their records */
        for (; i < upto; i++)
            if (m->fl[i].started && m->fl[i].end > total)
                total = m->fl[i].end;
        if (!s)
            break;
        for (uint32_t j = 0; j < s->n_ref; j++) {   /* copied into the jump: simulated on */
            const flight *fr = &m->fl[f->refs[s->ref0 + j]];
            if (fr->started && fr->end > total)
                total = fr->end;
        }
        for (; i < s->end; i++)   /* jumped over */
            if (f->times && f->times[i][1] > total)
                total = f->times[i][1];
    }
    return total;
}
