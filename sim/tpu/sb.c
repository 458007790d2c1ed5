/* The scoreboard: instruction footprints and the hazards between them.
 *
 * NOTES ON THE DESIGN OF THE SCOREBOARD
 *
 * 1. Footprints. Every instruction has one, set at issue (sb_footprint): UB byte ranges read
 *    and written, accumulator rows read and written, the DRAM tensor block it reads or writes.
 *        load      writes UB [ub, ub + span)            reads   its tensor block
 *        loadw     (the weight FIFO is its own resource: wbuf.c)  reads its tensor block
 *        matmul    reads  UB [ub, ub + span of m rows of k*repeat elements)
 *                  writes acc rows [acc, acc + m) (and reads them too with accumulate)
 *        activate  reads  acc rows [acc, acc + m), the bias (n x 4 bytes) if any
 *                  writes UB [ub, ub + span of m rows of n outputs)
 *        store     reads  UB [ub, ub + span)            writes  its tensor block
 *    span(rows, row_bytes, stride) = (rows - 1) * stride + row_bytes (stride 0 = packed rows).
 *
 * 2. Hazards. A younger instruction X may begin only after each older in-flight instruction Y
 *    of the same core that conflicts:
 *        RAW (X reads what Y writes)   -> after Y.end
 *        WAW (both write)              -> after Y.end
 *        WAR (X writes what Y reads)   -> after Y.read_done (matmul: its last row streamed)
 *    Exception: matmuls on the same MXU are ordered by the MXU's own pipeline (results reach the
 *    accumulators in issue order), so accumulate chains into the same rows do not stall.
 *    DRAM blocks conflict when they are of the same tensor, overlap, and one is a store.
 *
 * 3. Cached readiness. While some conflicting Y has not begun, X is blocked by it (its times
 *    are unknown); X remembers the first such Y (blocked_by) and asks only about it until it has
 *    begun, and then resumes the scan at Y with what the older ones gave (dep_ready, dep_why):
 *    those have begun, so their terms are final. Some of them may have retired meanwhile, which
 *    a fresh scan would not see; their terms are at most their end, so at most the present
 *    cycle, and a ready time at or before the present cycle means "now" to every caller (the
 *    wait's name is read only when it is later), so the two scans agree. Once every conflicting
 *    Y has begun, the cycle X may begin is final (dep_known) and is never recomputed: a later
 *    instruction cannot add a hazard to an older one. So a head that waits costs O(1) per event
 *    once its producers are timed, and each older instruction is looked at once.
 *
 * 4. The binding dependency names the wait: the latest Y is a load (X waits for "inputs"), a
 *    loadw ("weights"), anything else ("dependency").
 *
 * 5. Order (tpu.vpu.in_order): a matmul X may not begin before an older in-flight activate Y
 *    of its core has begun (X waits until Y.start, "dependency"), whatever their footprints.
 *    This is TPUv1's single in-order CISC pipeline, where a MatrixMultiply cannot pass an
 *    Activate that waits for its accumulator rows. Off by default: the queues pass each other.
 *
 * 6. Rows (per-row readiness). Results leave their unit row by row: the MXU writes accumulator
 *    row i of a ws/is op at t0 + i + R + C - 1 (an os drain writes row m-1 first and row 0
 *    last, one a cycle), the vector unit writes its output rows at n / elems_per_cycle cycles
 *    a row, a load writes its UB rows at the DMA's pace. Their readers take the rows in turn:
 *    an activate reads accumulator row q at s + floor(q n / elems_per_cycle), a store UB row q
 *    at s + setup + floor(q row_bytes / rate), a ws/is matmul A row q at t0 - lead +
 *    floor(q row_bytes / rate) (the UB read of mm.c note 2; os reads every row from t0 - lead).
 *    Each of these instructions carries the rows it writes (rw: ready(q) = end - floor(d num /
 *    den), d = the rows written after row q) and reads (rr: read(q) = begin + lead +
 *    floor(q num / den)); the paces are the units' own, so ready(q) is never earlier than the
 *    unit really finishes row q. A RAW between two such row sets is then satisfied from the
 *    begin b = max over the reader's rows q of ready(q') - (read(q) - b) (q' the writer rows
 *    row q overlaps), never later than the writer's end (sb_row_ready): the reader may begin
 *    while the writer's later rows are still on their way, and still reads every row after it
 *    is final. Anything else (WAW, WAR, DRAM, transposed blocks, a bias, rows that do not map
 *    row to row, the scalesim timing, held os ops) waits for the end as in note 2.
 *
 * 7. Values (machine.c note 4) move when an instruction begins; one that began early under
 *    note 6 moves its values when its producers' rows are all there: vals_need = the cycle the
 *    last accumulator row it reads is written (an activate, vpu.c; the per-PE engine has
 *    written it by then) and the latest value time of the other instructions it conflicts
 *    with. A store also ends no earlier than that value time (it begins no earlier than the
 *    value time less its fewest cycles, min_cycles), so every value moves before its
 *    instruction retires. machine.c applies a pending one
 *    at that cycle, in program order, before anything else happens at that cycle. A matmul,
 *    whose values are taken when it is timed, is timed no earlier than its vals_need (it waits
 *    there, "dependency"), so it never reads a UB row or overwrites an accumulator row whose
 *    values have not moved yet.
 *
 * 8. The cost of note 6. Looking at every reader row costs O(rows) per hazard, and a search
 *    simulates thousands of 1024-row tiles (the UB column blocks of one tile row are 256 B
 *    rows 2048 B apart, interleaved with the next block's). Where both sides' rows are the same
 *    stride apart, reader row q meets at most writer rows k + q and k + q + 1 (k and the
 *    offset within a stride from the two bases), and each term ready(k + j + q) - read(q) is a
 *    difference of two floors of linear functions of q: from q to q + P, P the period of both
 *    floors' fractions, it changes by one integer, so over each residue class modulo P its
 *    maximum is at the class's first or last q. sb_row_ready takes that, O(min(P, rows)) per
 *    hazard; sb_row_ready_scan is the row-by-row definition, kept for the other layouts and as
 *    the test's oracle (test_scoreboard.c compares the two on random row sets).
 */
#include "tpu/tpu_int.h"
#include <assert.h>
#include <string.h>

static bool overlap(range a, range b)
{
    return a.lo < a.hi && b.lo < b.hi && a.lo < b.hi && b.lo < a.hi;
}

static uint64_t span(uint64_t rows, uint64_t row_bytes, uint64_t stride)
{
    if (!rows || !row_bytes)
        return 0;
    return (rows - 1) * (stride ? stride : row_bytes) + row_bytes;
}

/* Note 6: a row set of rows rows of row_bytes at base, stride apart (0: packed), num / den
 * cycles per row. */
static rowset rows_of(uint64_t base, uint32_t rows, uint64_t row_bytes, uint64_t stride, bool acc,
                      uint64_t num, uint64_t den)
{
    rowset r = {base, stride ? stride : row_bytes, row_bytes, rows, acc, false, false, 0, num, den ? den : 1};
    if (!row_bytes || r.stride < row_bytes)
        r.rows = 0;   /* rows that overlap each other: no row model */
    return r;
}

static uint64_t fl_div(uint64_t a, uint64_t num, uint64_t den) { return a * num / den; }

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b, b = t;
    }
    return a;
}

/* The rows' terms of note 6: writer row qw is final at end - floor(after(qw) num / den) (after:
 * the rows it writes later), reader row q is read floor(q num / den) after the reader's lead. */
static int64_t w_ready(const rowset *rw, uint64_t end, uint64_t qw)
{
    uint64_t after = rw->desc ? qw : rw->rows - 1 - qw;
    return (int64_t)end - (int64_t)fl_div(after, rw->num, rw->den);
}

static int64_t r_read(const rowset *rr, uint64_t q) { return rr->lead + (int64_t)fl_div(q, rr->num, rr->den); }

uint64_t sb_row_ready_scan(const rowset *rw, uint64_t end, const rowset *rr)
{
    if (!rw->rows || !rr->rows || rw->acc != rr->acc)
        return end;
    int64_t need = INT64_MIN;
    uint32_t nq = rr->stream ? 1 : rr->rows;   /* a streaming reader begins with its first row */
    uint64_t wlo = rw->base, whi = rw->base + (uint64_t)(rw->rows - 1) * rw->stride + rw->row_bytes;
    for (uint32_t q = 0; q < nq; q++) {
        uint64_t lo = rr->base + (uint64_t)q * rr->stride, hi = lo + rr->row_bytes;
        if (hi <= wlo || lo >= whi)
            continue;
        uint64_t q1 = lo <= wlo ? 0 : (lo - wlo) / rw->stride, q2 = (hi - 1 - wlo) / rw->stride;
        if (q2 >= rw->rows)
            q2 = rw->rows - 1;
        int64_t rd = r_read(rr, q);
        for (uint64_t qw = q1; qw <= q2; qw++) {
            uint64_t a = wlo + qw * rw->stride;
            if (a >= hi || a + rw->row_bytes <= lo)
                continue;   /* the gap between two writer rows */
            int64_t ready = w_ready(rw, end, qw);
            if (ready - rd > need)
                need = ready - rd;
        }
    }
    if (need == INT64_MIN)
        return rr->stream ? 0 : end;   /* no row overlaps (only the hulls did): the stream's later rows */
    return need < 0 ? 0 : (uint64_t)need < end ? (uint64_t)need : end;
}

/* Rows the same stride apart on both sides (note 8): reader row q overlaps writer rows k + q
 * (when the reader's offset d within a stride is below the writer's row_bytes) and k + q + 1
 * (when it reaches into the next stride), k = floor((rr base - rw base) / stride). For each of
 * the two the term ready(k + j + q) - read(q) is taken over the q that map to a writer row;
 * h(q) = floor(after num_w / den_w) + floor(q num_r / den_r) changes by the same integer D from
 * q to q + P (P = the period of both floors' fractions), so in each residue class of q modulo P
 * its minimum is at the class's first q (D >= 0) or its last (D < 0). */
static uint64_t row_ready_strided(const rowset *rw, uint64_t end, const rowset *rr)
{
    int64_t s = (int64_t)rw->stride, diff = (int64_t)rr->base - (int64_t)rw->base;
    int64_t k = diff >= 0 ? diff / s : -((-diff + s - 1) / s), d = diff - k * s;   /* 0 <= d < s */
    uint64_t pw = rw->den / gcd64(rw->num, rw->den), pr = rr->den / gcd64(rr->num, rr->den);
    uint64_t pa = pw / gcd64(pw, pr), rows = util_max(rw->rows, rr->rows);
    uint64_t per = pa > rows / pr ? rows : pa * pr;   /* a period past every row is as good as none */
    int64_t need = INT64_MIN;
    for (int j = 0; j < 2; j++) {
        if (j == 0 ? d >= (int64_t)rw->row_bytes : d + (int64_t)rr->row_bytes <= s)
            continue;   /* no overlap with this writer row */
        int64_t off = k + j;   /* reader row q meets writer row off + q */
        int64_t qa = off < 0 ? -off : 0, qb = (int64_t)rr->rows - 1;
        if ((int64_t)rw->rows - 1 - off < qb)
            qb = (int64_t)rw->rows - 1 - off;
        if (qa > qb)
            continue;
        uint64_t len = (uint64_t)(qb - qa) + 1, cls = per < len ? per : len;
        for (uint64_t r = 0; r < cls; r++) {
            uint64_t q = (uint64_t)qa + r, last = q + (len - 1 - r) / per * per;
            int64_t t = w_ready(rw, end, (uint64_t)off + q) - r_read(rr, q);
            if (last != q) {   /* the class's last q, if the term grows along the class */
                int64_t tl = w_ready(rw, end, (uint64_t)off + last) - r_read(rr, last);
                if (tl > t)
                    t = tl;
            }
            if (t > need)
                need = t;
        }
    }
    if (need == INT64_MIN)
        return end;   /* no row overlaps (only the hulls did) */
    return need < 0 ? 0 : (uint64_t)need < end ? (uint64_t)need : end;
}

uint64_t sb_row_ready(const rowset *rw, uint64_t end, const rowset *rr)
{
    if (rw->rows && rr->rows && rw->acc == rr->acc && !rr->stream && rr->stride == rw->stride &&
        rw->num && rr->num && rw->den && rr->den)
        return row_ready_strided(rw, end, rr);
    return sb_row_ready_scan(rw, end, rr);
}

void sb_footprint(machine *m, uint32_t i)
{
    const isa_instr *in = &m->prog.ins[i];
    flight *f = &m->fl[i];
    const sram *ub = &m->cores[in->core].ub;
    f->tensor = -1;
    f->rw.rows = f->rr.rows = 0;
    f->vals_need = f->min_cycles = 0;
    f->vals_pending = false;
    switch (in->op) {
    case ISA_LOAD: {
        uint64_t eb = npy_dtype_size(m->prog.tensors[in->blk.tensor].dtype);
        uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows, cols = in->transpose ? in->blk.rows : in->blk.cols;
        f->ub_w = (range){in->ub_addr, in->ub_addr + span(rows, cols * eb, in->ub_stride)};
        f->tensor = in->blk.tensor;
        if (!in->transpose)   /* rows at the DMA's pace (its UB writes are no faster) */
            f->rw = rows_of(in->ub_addr, rows, cols * eb, in->ub_stride, false, cols * eb, m->t->dma.bytes_per_cycle);
        break;
    }
    case ISA_LOADW:
        f->tensor = in->blk.tensor;
        break;
    case ISA_MATMUL: {
        /* the UB read range needs k, from its FIFO tile (known by the program-order replay) */
        uint64_t row = (uint64_t)m->mm_k[i] * in->repeat * dtype_in_bytes(m->prog.dtype);
        f->ub_r = (range){in->ub_addr, in->ub_addr + span(in->m, row, in->ub_stride)};
        f->acc_w = (range){in->acc_row, in->acc_row + in->m};
        if (in->accumulate)
            f->acc_r = f->acc_w;
        if (m->mp.timing != TP_TIMING_PIPELINED)
            break;   /* scalesim: no row model */
        bool os = m->mp.dataflow == TP_DF_OS;
        if (!in->hold) {   /* one accumulator row a cycle; os drains the last row first */
            f->rw = rows_of(in->acc_row, in->m, 1, 1, true, 1, 1);
            f->rw.desc = os;
        }
        /* A rows as mm.c note 2 reads them: from t0 - lead, at the stream's pace or the port's */
        mxu_op op = {in->m, m->t->array.cols, m->mm_k[i], false, false};
        uint64_t a_bytes = (uint64_t)in->m * m->mm_k[i] * dtype_in_bytes(m->prog.dtype);
        uint64_t rd = sram_cycles(ub, false, a_bytes), T = mxu_op_stream_cycles(&m->mp, &op);
        uint64_t rate = rd > T ? sram_rate(ub, false, 0) : util_ceil_div(a_bytes, T);
        uint64_t rb = (uint64_t)m->mm_k[i] * dtype_in_bytes(m->prog.dtype);
        f->rr = rows_of(in->ub_addr, in->m, row, in->ub_stride, false, os || !rate ? 0 : rb, rate);
        f->rr.lead = -(int64_t)mm_ub_read_lead(rd, T, 0, 0).lead;
        break;
    }
    case ISA_ACTIVATE:
        f->acc_r = (range){in->acc_row, in->acc_row + in->m};
        f->ub_w = (range){in->ub_addr, in->ub_addr + span(in->m, (uint64_t)in->n * npy_dtype_size(in->out_dtype),
                                                          in->ub_stride)};
        if (in->has_bias)
            f->ub_r2 = (range){in->bias_addr, in->bias_addr + (in->bias_stride ? (uint64_t)(in->m - 1) * in->bias_stride : 0) +
                                                  (uint64_t)in->n * 4};
        /* it reads and writes a row every n / elems_per_cycle cycles */
        f->rr = rows_of(in->acc_row, in->m, 1, 1, true, in->n, m->t->vpu.elems_per_cycle);
        f->rr.stream = true;
        f->min_cycles = util_ceil_div((uint64_t)in->m * in->n, m->t->vpu.elems_per_cycle);
        f->rw = rows_of(in->ub_addr, in->m, (uint64_t)in->n * npy_dtype_size(in->out_dtype), in->ub_stride, false, in->n,
                        m->t->vpu.elems_per_cycle);
        break;
    case ISA_STORE: {
        uint64_t eb = npy_dtype_size(m->prog.tensors[in->blk.tensor].dtype);
        uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows, cols = in->transpose ? in->blk.rows : in->blk.cols;
        f->ub_r = (range){in->ub_addr, in->ub_addr + span(rows, cols * eb, in->ub_stride)};
        f->tensor = in->blk.tensor;
        f->dram_write = true;
        if (!in->transpose) {   /* its UB reads: from s + setup at the engine's rate */
            uint64_t rate = sram_rate(ub, false, m->t->dma.bytes_per_cycle);
            f->rr = rows_of(in->ub_addr, rows, cols * eb, in->ub_stride, false, rate ? cols * eb : 0, rate);
            f->rr.lead = m->t->dma.setup_cycles;
        }
        f->min_cycles = m->t->dma.setup_cycles + util_ceil_div((uint64_t)rows * cols * eb, m->t->dma.bytes_per_cycle);
        break;
    }
    default:
        break;
    }
    if (f->tensor >= 0) {
        f->r0 = in->blk.r0;
        f->r1 = in->blk.r0 + in->blk.rows;
        f->c0 = in->blk.c0;
        f->c1 = in->blk.c0 + in->blk.cols;
    }
}

/* Note 4: the wait an older instruction imposes is named by what it is. */
static cause dep_kind(const isa_instr *older)
{
    return older->op == ISA_LOAD ? C_INPUTS : older->op == ISA_LOADW ? C_WEIGHTS : C_DEPENDENCY;
}

sb_dep sb_deps(machine *m, core_state *cs, uint32_t x)
{
    sb_dep d = {false, 0, C_IDLE};
    flight *fx = &m->fl[x];
    const isa_instr *ix = &m->prog.ins[x];
    if (fx->dep_known) {
        d.ready = fx->dep_ready;
        d.why = (cause)fx->dep_why;
        return d;
    }
    uint32_t k = 0;
    if (fx->blocked_by) {
        uint32_t b = fx->blocked_by - 1;
        if (!m->fl[b].started) {
            d.blocked = true;
            d.why = dep_kind(&m->prog.ins[b]);
            return d;
        }
        d.ready = fx->dep_ready;   /* note 3: resume at b with the older ones' result */
        d.why = (cause)fx->dep_why;
        while (k < cs->n_inflight && cs->inflight[k] < b)
            k++;
    }
    for (; k < cs->n_inflight; k++) {
        uint32_t y = cs->inflight[k];
        if (y >= x)
            break;   /* the list is in program order: the rest are younger */
        const flight *fy = &m->fl[y];
        const isa_instr *iy = &m->prog.ins[y];
        bool same_mxu_mm = ix->op == ISA_MATMUL && iy->op == ISA_MATMUL && ix->mxu == iy->mxu;
        bool raw_ub = overlap(fx->ub_r, fy->ub_w), raw_acc = !same_mxu_mm && overlap(fx->acc_r, fy->acc_w);
        bool raw_end = overlap(fx->ub_r2, fy->ub_w);   /* RAWs that wait for the end (note 6) */
        bool raw = raw_ub || raw_end || raw_acc;
        bool waw = overlap(fx->ub_w, fy->ub_w) || (!same_mxu_mm && overlap(fx->acc_w, fy->acc_w));
        bool war = overlap(fx->ub_w, fy->ub_r) || overlap(fx->ub_w, fy->ub_r2) ||
                   (!same_mxu_mm && overlap(fx->acc_w, fy->acc_r));
        if (fx->tensor >= 0 && fx->tensor == fy->tensor && (fx->dram_write || fy->dram_write) &&
            fx->r0 < fy->r1 && fy->r0 < fx->r1 && fx->c0 < fy->c1 && fy->c0 < fx->c1) {
            if (fx->dram_write && fy->dram_write)
                waw = true;
            else if (fx->dram_write)
                war = true;
            else
                raw = raw_end = true;
        }
        bool order = ix->op == ISA_MATMUL && iy->op == ISA_ACTIVATE && m->t->vpu.in_order;   /* note 5 */
        if (!raw && !waw && !war && !order)
            continue;
        if (!fy->started) {
            fx->dep_ready = d.ready;   /* note 3: the scan so far, resumed at y */
            fx->dep_why = (uint8_t)d.why;
            fx->blocked_by = y + 1;
            d.blocked = true;
            d.why = dep_kind(iy);
            return d;
        }
        uint64_t t = (raw_end || waw) ? fy->end : 0;
        if (raw_ub || raw_acc) {   /* note 6: the rows, one after another */
            const rowset *w = &fy->rw, *r = &fx->rr;
            bool same = w->rows && r->rows && w->acc == raw_acc && r->acc == raw_acc && !(raw_ub && raw_acc);
            t = util_max(t, same ? sb_row_ready(w, fy->end, r) : fy->end);
            /* note 7: it does not end before the values it reads are there */
            if (iy->op != ISA_MATMUL && ix->op != ISA_MATMUL && fy->vals_at > fx->min_cycles)
                t = util_max(t, fy->vals_at - fx->min_cycles);
        }
        /* note 7: when its values may move (an activate adds its accumulator rows': vpu.c) */
        if (iy->op != ISA_MATMUL && (raw || waw || war))
            fx->vals_need = util_max(fx->vals_need, fy->vals_at);
        if (war && fy->read_done > t)
            t = fy->read_done;
        if (order && fy->start > t)
            t = fy->start;
        if (t > d.ready) {
            d.why = dep_kind(iy);
            d.ready = t;
        }
    }
    fx->dep_known = true;
    fx->dep_ready = d.ready;
    fx->dep_why = (uint8_t)d.why;
    return d;
}

void sb_acc_rows_in(const machine *m, const core_state *cs, uint32_t x, uint64_t *t)
{
    const isa_instr *in = &m->prog.ins[x];
    uint64_t lo = in->acc_row, hi = lo + in->m;
    memset(t, 0, (size_t)in->m * sizeof *t);
    for (uint32_t k = 0; k < cs->n_inflight && cs->inflight[k] < x; k++) {
        const flight *fy = &m->fl[cs->inflight[k]];
        uint64_t a = util_max(lo, fy->acc_w.lo), b = util_min(hi, fy->acc_w.hi);
        if (a >= b)
            continue;   /* it writes none of the rows x reads */
        assert(fy->started);   /* sb_deps let x begin */
        for (uint64_t row = a; row < b; row++) {
            uint64_t r = fy->rw.rows && fy->rw.acc ? (uint64_t)w_ready(&fy->rw, fy->end, row - fy->rw.base) : fy->end;
            t[row - lo] = util_max(t[row - lo], r);
        }
    }
}

bool sb_vals_now(machine *m, uint32_t c, uint32_t x, uint64_t s)
{
    flight *f = &m->fl[x];
    f->vals_at = util_max(s, f->vals_need);
    f->vals_pending = f->vals_at > s && !m->timing_only;
    if (f->vals_pending) {
        m->cores[c].n_pending++;
        tpu_wake(m, c, f->vals_at);
    }
    return !f->vals_pending;
}
