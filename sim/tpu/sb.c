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
 *    begun. Once every conflicting Y has begun, the cycle X may begin is final (dep_known) and
 *    is never recomputed: a later instruction cannot add a hazard to an older one. So a head
 *    that waits costs O(1) per event once its producers are timed.
 *
 * 4. The binding dependency names the wait: the latest Y is a load (X waits for "inputs"), a
 *    loadw ("weights"), anything else ("dependency").
 *
 * 5. Order (tpu.vpu.in_order): a matmul X may not begin before an older in-flight activate Y
 *    of its core has begun (X waits until Y.start, "dependency"), whatever their footprints.
 *    This is TPUv1's single in-order CISC pipeline, where a MatrixMultiply cannot pass an
 *    Activate that waits for its accumulator rows. Off by default: the queues pass each other.
 */
#include "tpu/tpu_int.h"

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

void sb_footprint(machine *m, uint32_t i)
{
    const isa_instr *in = &m->prog.ins[i];
    flight *f = &m->fl[i];
    f->tensor = -1;
    switch (in->op) {
    case ISA_LOAD: {
        uint64_t eb = npy_dtype_size(m->prog.tensors[in->blk.tensor].dtype);
        uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows, cols = in->transpose ? in->blk.rows : in->blk.cols;
        f->ub_w = (range){in->ub_addr, in->ub_addr + span(rows, cols * eb, in->ub_stride)};
        f->tensor = in->blk.tensor;
        break;
    }
    case ISA_LOADW:
        f->tensor = in->blk.tensor;
        break;
    case ISA_MATMUL: {
        /* the UB read range needs k, from its FIFO tile (known by the program-order replay) */
        uint64_t row = (uint64_t)f->mm_k * in->repeat * dtype_in_bytes(m->prog.dtype);
        f->ub_r = (range){in->ub_addr, in->ub_addr + span(in->m, row, in->ub_stride)};
        f->acc_w = (range){in->acc_row, in->acc_row + in->m};
        if (in->accumulate)
            f->acc_r = f->acc_w;
        break;
    }
    case ISA_ACTIVATE:
        f->acc_r = (range){in->acc_row, in->acc_row + in->m};
        f->ub_w = (range){in->ub_addr, in->ub_addr + span(in->m, (uint64_t)in->n * npy_dtype_size(in->out_dtype),
                                                          in->ub_stride)};
        if (in->has_bias)
            f->ub_r2 = (range){in->bias_addr, in->bias_addr + (in->bias_stride ? (uint64_t)(in->m - 1) * in->bias_stride : 0) +
                                                  (uint64_t)in->n * 4};
        break;
    case ISA_STORE: {
        uint64_t eb = npy_dtype_size(m->prog.tensors[in->blk.tensor].dtype);
        uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows, cols = in->transpose ? in->blk.rows : in->blk.cols;
        f->ub_r = (range){in->ub_addr, in->ub_addr + span(rows, cols * eb, in->ub_stride)};
        f->tensor = in->blk.tensor;
        f->dram_write = true;
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
    if (fx->blocked_by && !m->fl[fx->blocked_by - 1].started) {
        d.blocked = true;
        d.why = dep_kind(&m->prog.ins[fx->blocked_by - 1]);
        return d;
    }
    for (uint32_t k = 0; k < cs->n_inflight; k++) {
        uint32_t y = cs->inflight[k];
        if (y >= x)
            break;   /* the list is in program order: the rest are younger */
        const flight *fy = &m->fl[y];
        const isa_instr *iy = &m->prog.ins[y];
        bool same_mxu_mm = ix->op == ISA_MATMUL && iy->op == ISA_MATMUL && ix->mxu == iy->mxu;
        bool raw = overlap(fx->ub_r, fy->ub_w) || overlap(fx->ub_r2, fy->ub_w) ||
                   (!same_mxu_mm && overlap(fx->acc_r, fy->acc_w));
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
                raw = true;
        }
        bool order = ix->op == ISA_MATMUL && iy->op == ISA_ACTIVATE && m->t->vpu.in_order;   /* note 5 */
        if (!raw && !waw && !war && !order)
            continue;
        if (!fy->started) {
            d.blocked = true;
            d.why = dep_kind(iy);
            fx->blocked_by = y + 1;
            return d;
        }
        uint64_t t = (raw || waw) ? fy->end : 0;
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
