/* The vector unit: activate reads accumulator rows, adds a bias, applies ReLU / ReLU6, converts
 * (int8 requantization or bf16 rounding) and writes the results into the UB.
 *
 * NOTES ON THE DESIGN OF THE VECTOR UNIT
 *
 * 1. One in-order queue. Its head begins when its hazards allow (sb.c: typically the RAW on the
 *    accumulator rows a matmul writes), and only at the current event time, like the DMA: it
 *    reserves the UB write port, whose calendar only moves forward.
 *
 * 2. Timing of an activate of m x n elements begun at s (vpu_time). It streams its rows
 *    (sb.c note 6): it begins when its first accumulator row is final, and takes row q when
 *    the row is final (sb_acc_rows_in) and the unit is done with row q - 1, n elements at
 *    elems_per_cycle a cycle; `own` is when it is done with the last row:
 *        own = s + ceil(m * n / elems_per_cycle)        when every row is final at s
 *        ub_end = ub0 + ceil(out_bytes / rate), rate = min(elems_per_cycle x out bytes,
 *                 out_bytes / (own - s), write bandwidth), ub0 = the first cycle at or after s from which the UB write
 *                 port has that rate to spare (mem/sram.h)
 *        end = max(own, ub_end)
 *    The accumulators' bandwidth is not modelled (their bytes are counted).
 *
 * 3. Causes (STATS_VPU_*): busy for ceil(m * n / elems_per_cycle) cycles from s, dependency
 *    for the rest of [s, own) (waiting for rows), ub_bandwidth for [own, end). Between
 *    instructions: dependency (its head waits on a hazard, usually the MXU's results),
 *    issue_blocked (no instruction: the issuer is stopped at another unit's full queue), idle
 *    (no instruction and none on its way).
 *
 * 4. Values move when it begins; the arithmetic is the ISA's (docs/isa.md): int8: int32 add
 *    with wrap, clamp, num_requant_i8 (round half to even, saturate); bf16: fp32 add, clamp,
 *    dtype_f32_to_bf16 (round to nearest even).
 */
#include "tpu/tpu_int.h"
#include <string.h>

stats_vpu_cause vpu_cause_of(cause c)
{
    switch (c) {
    case C_ISSUE_BLOCKED: return STATS_VPU_ISSUE_BLOCKED;
    case C_IDLE: return STATS_VPU_IDLE;
    default: return STATS_VPU_DEPENDENCY;
    }
}

vpu_times vpu_time(uint64_t s, uint64_t elems, uint64_t elems_per_cycle, uint64_t ub_end)
{
    vpu_times v;
    v.own = s + util_ceil_div(elems, elems_per_cycle);
    v.end = util_max(v.own, ub_end);
    return v;
}

static void values_activate(machine *m, core_state *cs, const isa_instr *in)
{
    uint32_t cols = m->t->array.cols;
    size_t ab = dtype_acc_bytes(m->prog.dtype);   /* an accumulator (and bias) element: int32 or fp32 */
    size_t ob = npy_dtype_size(in->out_dtype);
    size_t stride = in->ub_stride ? in->ub_stride : in->n * ob;
    if (!in->has_bias && in->act == ISA_ACT_NONE && ob == ab) {
        /* nothing to add, clamp or convert: the general loop below would copy each accumulator
         * value unchanged, so copy the rows */
        for (uint32_t r = 0; r < in->m; r++)
            memcpy(cs->ub_data + in->ub_addr + r * stride,
                   cs->acc_data + ((size_t)(in->acc_row + r) * cols) * ab, (size_t)in->n * ab);
        return;
    }
    for (uint32_t r = 0; r < in->m; r++) {
        uint8_t *acc = cs->acc_data + ((size_t)(in->acc_row + r) * cols) * ab;
        uint8_t *out = cs->ub_data + in->ub_addr + r * stride;
        for (uint32_t c = 0; c < in->n; c++) {
            if (m->prog.dtype == TP_INT8) {
                int32_t v, b;
                memcpy(&v, acc + c * ab, sizeof v);
                if (in->has_bias) {
                    memcpy(&b, cs->ub_data + in->bias_addr + r * in->bias_stride + c * ab, sizeof b);
                    v = num_i32_add(v, b);
                }
                if (in->act != ISA_ACT_NONE && v < 0)
                    v = 0;
                if (in->act == ISA_ACT_RELU6 && v > 6)
                    v = 6;
                if (in->out_dtype == NPY_INT8) {
                    int8_t q = num_requant_i8(v, in->scale);
                    memcpy(out + c * sizeof q, &q, sizeof q);
                } else
                    memcpy(out + c * sizeof v, &v, sizeof v);
            } else {
                float v, b;
                memcpy(&v, acc + c * ab, sizeof v);
                if (in->has_bias) {
                    memcpy(&b, cs->ub_data + in->bias_addr + r * in->bias_stride + c * ab, sizeof b);
                    v = num_f32_add(v, b);
                }
                if (in->act != ISA_ACT_NONE && v < 0.0f)
                    v = 0.0f;
                if (in->act == ISA_ACT_RELU6 && v > 6.0f)
                    v = 6.0f;
                if (in->out_dtype == NPY_BF16) {
                    uint16_t h = dtype_f32_to_bf16(v);
                    memcpy(out + c * sizeof h, &h, sizeof h);
                } else
                    memcpy(out + c * sizeof v, &v, sizeof v);
            }
        }
    }
}

void vpu_values(machine *m, core_state *cs, uint32_t x) { values_activate(m, cs, &m->prog.ins[x]); }

bool vpu_try(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why)
{
    const isa_instr *in = &m->prog.ins[x];
    sb_dep d = sb_deps(m, cs, x);
    if (d.blocked) {
        *why = d.why == C_IDLE ? C_DEPENDENCY : d.why;
        return false;
    }
    if (d.ready > m->now) {
        tpu_wake(m, c, d.ready);
        *why = d.why == C_IDLE ? C_DEPENDENCY : d.why;
        return false;
    }
    uint64_t s = m->now, elems = (uint64_t)in->m * in->n, epc = m->t->vpu.elems_per_cycle;
    uint64_t out_bytes = elems * npy_dtype_size(in->out_dtype);
    /* note 5: row by row, each when it is final and the unit is done with the one before */
    flight *f = &m->fl[x];
    uint64_t cur = s * epc, own = s, pn = 0, pd = 0;   /* own: the last row done; pn/pd: its pace */
    uint64_t *done = m->row_scratch;   /* the cycle each row is final, then the cycle it is done */
    sb_acc_rows_in(m, cs, x, done);
    for (uint32_t q = 0; q < in->m; q++) {
        uint64_t in_q = done[q];
        f->vals_need = util_max(f->vals_need, in_q);   /* sb.c note 7: the rows it reads are there */
        cur = util_max(cur, in_q * epc) + in->n;
        own = done[q] = util_ceil_div(cur, epc);
    }
    for (uint32_t q = 0; q + 1 < in->m; q++) {   /* the slowest pace of the rows after each */
        uint64_t a = own - done[q], b = in->m - 1 - q;
        if (!pd || a * pd < pn * b) {
            pn = a;
            pd = b;
        }
    }
    /* it writes as it computes: elems_per_cycle results a cycle at most, spread over the
     * cycles its rows take to come */
    uint64_t rate = util_min(epc * npy_dtype_size(in->out_dtype), util_ceil_div(out_bytes, own - s));
    uint64_t ub_end = sram_book(&cs->ub, true, s, out_bytes, rate);
    if (in->has_bias && in->bias_stride) {   /* a bias row per output row: read as it computes */
        uint64_t ab = dtype_acc_bytes(m->prog.dtype);
        ub_end = util_max(ub_end, sram_book(&cs->ub, false, s, elems * ab, (uint64_t)m->t->vpu.elems_per_cycle * ab));
    } else if (in->has_bias)
        cs->ub.read_bytes += (uint64_t)in->n * dtype_acc_bytes(m->prog.dtype);
    vpu_times vt = vpu_time(s, elems, epc, util_max(ub_end, own));
    uint64_t busy = util_ceil_div(elems, epc);
    if (f->rw.rows) {   /* sb.c note 6: its output rows, at the pace they came out */
        f->rw.num = pd ? pn : 0;
        f->rw.den = pd ? pd : 1;
        if (ub_end > own) {   /* the UB port is later: its rows at the port's pace */
            uint64_t r = sram_rate(&cs->ub, true, rate), rb = f->rw.row_bytes;
            if (r && rb * f->rw.den < f->rw.num * r) {
                f->rw.num = rb;
                f->rw.den = r;
            } else if (!r) {
                f->rw.num = 0;
                f->rw.den = 1;
            }
        }
    }
    m->acc_read_bytes += elems * dtype_acc_bytes(m->prog.dtype);
    mm_advance_pe(m, cs, s);
    if (sb_vals_now(m, c, x, s) && !m->timing_only)
        values_activate(m, cs, in);
    f->started = true;
    f->start = s;
    f->end = f->read_done = vt.end;
    tpu_note_end(cs, vt.end);
    if (m->tl)
        tpu_trace_vpu(m, cs, x, s, vt.end);
    /* its own cycles, then the waits for rows (dependency) and for the UB port */
    acct_span(&cs->vpu, s, s + busy, STATS_VPU_BUSY);
    acct_span(&cs->vpu, s + busy, util_max(s + busy, own), STATS_VPU_DEPENDENCY);
    acct_span(&cs->vpu, util_max(s + busy, own), vt.end, STATS_VPU_UB_BANDWIDTH);
    tpu_wake(m, c, vt.end);
    return true;
}
