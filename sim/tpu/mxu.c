/* MXU fast engine: the closed-form timing of one op (THE timing equation, in mxu_time_op2) and
 * the op's values through num_gemm.
 *
 * NOTES ON THE DESIGN OF THE TIMING
 *  1. Everything is relative to t0, the cycle the op's first streamed row enters array row 0.
 *     The input skew delays array row r by r cycles, so PE(r,c) sees streamed row i at
 *     t0 + i + r + c (ws/is) or K step k at t0 + k + r + c (os).
 *  2. ws/is: partial sums run down all R rows; the bottom of column c emits row i at
 *     t0 + i + R + c; the de-skew delays column c by C-1-c, so the accumulators write the whole
 *     row i at t0 + i + R + C - 1. end = t0 + T + R + C - 1 (exclusive).
 *  3. ws/is weights shift in from the top of each column, weight_rows_per_cycle rows per cycle:
 *     L = ceil(k/rpc). The columns' shift chains are skewed like the data: column c shifts
 *     during [S + c, S + c + L), S = the shift's start (column 0's), so each column's shift
 *     follows the wave that frees it and the tile is complete in column c exactly when the
 *     next op's first row reaches it (t0 >= S + L for every column). With double buffering the
 *     shift fills shadow registers and each PE copies shadow -> active when the op's first row
 *     passes it (a swap wave that leaves column c's bottom PE at t0 + R - 1 + c); column c's
 *     shift rewrites all of the column's shadow registers, so it may start in the cycle the swap
 *     wave leaves the column: S = t0 + R - 1. Without double buffering the shift rewrites the
 *     active weights, so it may start in the cycle the op's last row is used by the column's
 *     bottom PE: S = t0 + T - 1 + R - 1. A register read and written in the same cycle gives the
 *     old value to the reader. weight_shift counts the cycles column 0's chain moves.
 *  4. os: the K steps stream (A from the left, B from the top); after its last MAC each column
 *     drains its R accumulators down the column, one row per cycle, bottom row first, starting
 *     the cycle after the bottom PE's last MAC (column c: t0 + T + R - 1 + c). Row r of a column
 *     is free once it has passed its value down (r + 1 drain cycles); the next op's wavefront
 *     travels at the same speed, so it never catches the drain iff it enters after column 0's
 *     drain has begun: next t0 >= t0 + T + R. Outputs are de-skewed as in 2, so the last row
 *     (array row 0) is written at t0 + T + R - 1 + (C - 1) + (R - 1): end = t0 + T + 2R + C - 2.
 *  5. scalesim: SCALE-Sim v2's accounting, folds strictly back to back, each costing the full
 *     array's fill and drain (ws/is 2R + C + T - 2 including R cycles of preload; os R + C + T - 2).
 *  7. os chains: a held op's partial sums stay in the PEs; the next op's K steps enter right
 *     behind its last one (t0 >= prev.t0 + prev.T) and accumulate onto them, exactly as a longer
 *     stream would, so nothing drains until the chain's last op. The held op has ended once its
 *     last K step has left PE(R-1,C-1): t0 + T - 1 + (R-1) + (C-1) + 1.
 *  6. Causes of the cycles [prev stream end, t0 + T): weight_shift where the op's shift interval
 *     [shift_start, shift_start + L) meets the gap before t0; fill_drain where the gap lies before
 *     the previous op's end; idle for the rest of the gap; busy for the T streaming cycles.
 */
#include "tpu/mxu.h"
#include "base/util.h"
#include <assert.h>
#include "num/gemm.h"

/* The array's own causes are the shared record's MXU causes of the same name (stats/stats.h);
 * busy there is split further into busy and padding by useful MACs. */
static const stats_mxu_cause shared_cause[MXU_CAUSE__COUNT] = {
    [MXU_BUSY] = STATS_MXU_BUSY,
    [MXU_WEIGHT_SHIFT] = STATS_MXU_WEIGHT_SHIFT,
    [MXU_FILL_DRAIN] = STATS_MXU_FILL_DRAIN,
    [MXU_IDLE] = STATS_MXU_IDLE,
};

stats_mxu_cause mxu_shared_cause(mxu_cause c)
{
    return (unsigned)c < MXU_CAUSE__COUNT ? shared_cause[c] : STATS_MXU_IDLE;
}

const char *mxu_cause_name(mxu_cause c)
{
    return (unsigned)c < MXU_CAUSE__COUNT ? stats_cause_name(STATS_KIND_MXU, shared_cause[c]) : "?";
}

void mxu_params_from_cfg(mxu_params *p, const tp_tpu_cfg *t, tp_dtype dt)
{
    p->rows = t->array.rows;
    p->cols = t->array.cols;
    p->dataflow = t->array.dataflow;
    p->dtype = dt;
    p->timing = t->array.timing;
    p->weight_double_buffer = t->array.weight_double_buffer;
    p->weight_rows_per_cycle = t->array.weight_rows_per_cycle;
}

tp_status mxu_params_check(const mxu_params *p, tp_err *err)
{
    if (p->rows < 1 || p->rows > MXU_MAX_DIM || p->cols < 1 || p->cols > MXU_MAX_DIM)
        return tp_err_set(err, TP_ERR_CONFIG, "mxu: array %ux%u is outside 1x1..%ux%u", p->rows,
                          p->cols, MXU_MAX_DIM, MXU_MAX_DIM);
    if ((unsigned)p->dataflow >= TP_DF__COUNT || (unsigned)p->dtype >= TP_DTYPE__COUNT ||
        (unsigned)p->timing >= TP_TIMING__COUNT)
        return tp_err_set(err, TP_ERR_CONFIG, "mxu: unknown dataflow, dtype or timing");
    if (p->weight_rows_per_cycle < 1)
        return tp_err_set(err, TP_ERR_CONFIG, "mxu: weight_rows_per_cycle must be at least 1");
    return TP_OK;
}

tp_status mxu_op_check(const mxu_params *p, const mxu_op *op, tp_err *err)
{
    const char *df = cfg_dataflow_name(p->dataflow);
    if (op->m < 1 || op->n < 1 || op->k < 1)
        return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: m, n and k must be at least 1 (got %u x %u x %u)",
                          op->m, op->n, op->k);
    if (op->hold && p->dataflow != TP_DF_OS)
        return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: hold needs the os dataflow (not %s)", df);
    switch (p->dataflow) {
    case TP_DF_WS:
        if (op->k > p->rows)
            return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: k = %u exceeds the array's %u rows (%s)",
                              op->k, p->rows, df);
        if (op->n > p->cols)
            return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: n = %u exceeds the array's %u cols (%s)",
                              op->n, p->cols, df);
        break;
    case TP_DF_IS:
        if (op->k > p->rows)
            return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: k = %u exceeds the array's %u rows (%s)",
                              op->k, p->rows, df);
        if (op->m > p->cols)
            return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: m = %u exceeds the array's %u cols (%s)",
                              op->m, p->cols, df);
        break;
    case TP_DF_OS:
        if (op->m > p->rows)
            return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: m = %u exceeds the array's %u rows (%s)",
                              op->m, p->rows, df);
        if (op->n > p->cols)
            return tp_err_set(err, TP_ERR_PROGRAM, "mxu op: n = %u exceeds the array's %u cols (%s)",
                              op->n, p->cols, df);
        break;
    default:
        return tp_err_set(err, TP_ERR_INTERNAL, "mxu op: unknown dataflow");
    }
    return TP_OK;
}

uint64_t mxu_op_stream_cycles(const mxu_params *p, const mxu_op *op)
{
    switch (p->dataflow) {
    case TP_DF_WS: return op->m;
    case TP_DF_IS: return op->n;
    default: return op->k;
    }
}

uint64_t mxu_op_load_cycles(const mxu_params *p, const mxu_op *op)
{
    if (p->dataflow == TP_DF_OS)
        return 0;
    return ((uint64_t)op->k + p->weight_rows_per_cycle - 1) / p->weight_rows_per_cycle;
}

void mxu_state_init(mxu_state *st)
{
    st->ops = 0;
    st->stream_end = 0;
    st->next_start_min = 0;
    st->next_shift_min = 0;
    st->busy_until = 0;
    st->held = false;
}

static uint64_t max2(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min2(uint64_t a, uint64_t b) { return a < b ? a : b; }
/* length of [lo, hi), 0 if empty */
static uint64_t span(uint64_t lo, uint64_t hi) { return hi > lo ? hi - lo : 0; }

/* Note 6 over the part [g0, x) of an op's gap [g0, t0) (x <= t0): *wl cycles of weight shift
 * [shift, shift + load), *fd of the previous ops' drain (before prev_end) outside the shift. */
static void gap_causes(uint64_t g0, uint64_t x, uint64_t shift, uint64_t load, uint64_t t0, uint64_t prev_end,
                       uint64_t *wl, uint64_t *fd)
{
    uint64_t wl_lo = max2(g0, shift), wl_hi = min2(x, min2(t0, shift + load));
    uint64_t fd_hi = min2(x, min2(t0, prev_end));
    *wl = span(wl_lo, wl_hi);
    *fd = span(g0, fd_hi) - span(max2(g0, wl_lo), min2(fd_hi, wl_hi));
}

/* Note 6 over the part of an op's gap before x: *idle and *fd cycles (0 if x <= the gap). */
static void gap_before(const mxu_params *p, const mxu_op *op, const mxu_state *before, const mxu_timing *tm,
                       uint64_t x, uint64_t *idle, uint64_t *fd)
{
    uint64_t g0 = before->stream_end, t0 = tm->start, a = min2(x, t0), load, wl;
    *idle = *fd = 0;
    if (a <= g0)
        return;
    if (p->timing == TP_TIMING_SCALESIM)
        load = p->dataflow == TP_DF_OS ? 0 : p->rows;
    else
        load = mxu_op_load_cycles(p, op);   /* os: 0 */
    gap_causes(g0, a, tm->shift_start, load, t0, before->busy_until, &wl, fd);
    *idle = (a - g0) - wl - *fd;
}

uint64_t mxu_idle_before(const mxu_params *p, const mxu_op *op, const mxu_state *before,
                         const mxu_timing *tm, uint64_t x)
{
    uint64_t idle, fd;
    gap_before(p, op, before, tm, x, &idle, &fd);
    return idle;
}

uint64_t mxu_fill_drain_before(const mxu_params *p, const mxu_op *op, const mxu_state *before,
                               const mxu_timing *tm, uint64_t x)
{
    uint64_t idle, fd;
    gap_before(p, op, before, tm, x, &idle, &fd);
    return fd;
}

void mxu_time_op2(const mxu_params *p, mxu_state *st, const mxu_op *op,
                  uint64_t weights_ready, uint64_t inputs_ready, mxu_timing *out)
{
    const uint64_t R = p->rows, C = p->cols;
    const uint64_t T = mxu_op_stream_cycles(p, op);
    const uint64_t g0 = st->stream_end;          /* the gap before this op starts here */
    const uint64_t prev_end = st->busy_until;
    uint64_t shift, load, t0, end;

    assert(mxu_op_check(p, op, NULL) == TP_OK);
    if (p->timing == TP_TIMING_SCALESIM) {
        /* note 5: one fold = [fold, fold + per_fold), after the previous fold's end */
        uint64_t fold = max2(max2(weights_ready, inputs_ready), prev_end);
        load = p->dataflow == TP_DF_OS ? 0 : R;
        out->free_start = max2(g0, prev_end) + load;
        shift = fold;
        t0 = fold + load;
        end = t0 + R + C + T - 2;
        st->next_start_min = end;
    } else if (p->dataflow == TP_DF_OS) {
        /* note 4; a held op (note 7) does not drain and its continuation follows its stream */
        load = 0;
        out->free_start = max2(g0, st->next_start_min);
        t0 = max2(max2(weights_ready, inputs_ready), st->next_start_min);
        shift = t0;
        end = op->hold ? t0 + T + R + C - 2 : t0 + T + 2 * R + C - 2;
        st->next_start_min = op->hold ? t0 + T : t0 + T + R;
    } else {
        /* notes 2 and 3 */
        load = mxu_op_load_cycles(p, op);
        out->free_start = max2(max2(g0, st->next_start_min), st->next_shift_min + load);
        shift = max2(weights_ready, st->next_shift_min);
        t0 = max2(max2(inputs_ready, st->next_start_min), shift + load);
        end = t0 + T + R + C - 1;
        st->next_start_min = t0 + T;
        st->next_shift_min = p->weight_double_buffer ? t0 + R - 1 : t0 + T + R - 2;
    }

    /* note 6: causes of [g0, t0 + T) */
    {
        uint64_t wl, fd;
        gap_causes(g0, t0, shift, load, t0, prev_end, &wl, &fd);
        out->by_cause[MXU_BUSY] = T;
        out->by_cause[MXU_WEIGHT_SHIFT] = wl;
        out->by_cause[MXU_FILL_DRAIN] = fd;
        out->by_cause[MXU_IDLE] = (t0 - g0) - wl - fd;
    }
    st->ops++;
    st->held = op->hold && p->dataflow == TP_DF_OS && p->timing != TP_TIMING_SCALESIM;
    st->stream_end = t0 + T;
    st->busy_until = max2(prev_end, end);
    out->shift_start = shift;
    out->start = t0;
    out->stream_end = t0 + T;
    out->end = end;
    out->busy_until = st->busy_until;
}

void mxu_time_op(const mxu_params *p, mxu_state *st, const mxu_op *op, uint64_t ready_cycle,
                 mxu_timing *out)
{
    mxu_time_op2(p, st, op, ready_cycle, ready_cycle, out);
}

void mxu_close(const mxu_state *st, uint64_t until, uint64_t by_cause[MXU_CAUSE__COUNT])
{
    uint64_t fd = span(st->stream_end, min2(until, st->busy_until));
    by_cause[MXU_FILL_DRAIN] += fd;
    by_cause[MXU_IDLE] += span(st->stream_end, until) - fd;
}

void mxu_fast_values(const mxu_params *p, const mxu_issue *is, num_pool *pool, int threads)
{
    num_gemm_args g = {
        .a = is->a, .a_rs = is->a_rs, .a_cs = is->a_cs,
        .b = is->b, .b_rs = is->b_rs, .b_cs = is->b_cs,
        .c = is->c, .ldc = is->ldc,
        .m = is->op.m, .n = is->op.n, .k = is->op.k, .kc = is->op.k,
        .accumulate = is->op.accumulate,
    };
    num_gemm_pool(p->dtype, &g, pool, threads, NUM_KERNEL_AUTO);
}


uint64_t mxu_gemm_fold_count(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K)
{
    switch (p->dataflow) {
    case TP_DF_WS: return util_ceil_div(K, p->rows) * util_ceil_div(N, p->cols);
    case TP_DF_IS: return util_ceil_div(K, p->rows) * util_ceil_div(M, p->cols);
    default: return util_ceil_div(M, p->rows) * util_ceil_div(N, p->cols);
    }
}

uint32_t mxu_gemm_kc(const mxu_params *p, uint32_t K)
{
    return p->dataflow == TP_DF_OS ? K : p->rows;
}

/* Fold `index` of a GEMM: its op and the origin (i0, j0, k0) of its block. */
static void fold_at(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K, uint64_t index,
                    mxu_op *op, uint32_t *i0, uint32_t *j0, uint32_t *k0)
{
    uint32_t m = M, n = N, k = K;
    *i0 = *j0 = *k0 = 0;
    if (p->dataflow == TP_DF_OS) {
        uint64_t nt = util_ceil_div(N, p->cols);
        *i0 = (uint32_t)(index / nt) * p->rows;
        *j0 = (uint32_t)(index % nt) * p->cols;
        m = M - *i0 < p->rows ? M - *i0 : p->rows;
        n = N - *j0 < p->cols ? N - *j0 : p->cols;
    } else {
        uint64_t kt = util_ceil_div(K, p->rows), outer = index / kt;
        *k0 = (uint32_t)(index % kt) * p->rows;
        k = K - *k0 < p->rows ? K - *k0 : p->rows;
        if (p->dataflow == TP_DF_WS) {
            *j0 = (uint32_t)outer * p->cols;
            n = N - *j0 < p->cols ? N - *j0 : p->cols;
        } else {
            *i0 = (uint32_t)outer * p->cols;
            m = M - *i0 < p->cols ? M - *i0 : p->cols;
        }
    }
    *op = (mxu_op){m, n, k, *k0 > 0, false};
}

void mxu_gemm_fold_op(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K, uint64_t index,
                      mxu_op *op)
{
    uint32_t i0, j0, k0;
    fold_at(p, M, N, K, index, op, &i0, &j0, &k0);
}

void mxu_gemm_fold(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K, const void *a,
                   const void *b, void *c, bool accumulate, uint64_t index, mxu_issue *out)
{
    const size_t in_b = dtype_in_bytes(p->dtype), acc_b = dtype_acc_bytes(p->dtype);
    uint32_t i0, j0, k0;
    fold_at(p, M, N, K, index, &out->op, &i0, &j0, &k0);
    out->op.accumulate |= accumulate;
    out->a = (const char *)a + ((size_t)i0 * K + k0) * in_b;
    out->a_rs = K;
    out->a_cs = 1;
    out->b = (const char *)b + ((size_t)k0 * N + j0) * in_b;
    out->b_rs = N;
    out->b_cs = 1;
    out->c = (char *)c + ((size_t)i0 * N + j0) * acc_b;
    out->ldc = N;
    out->weights_ready = 0;
    out->inputs_ready = 0;
}
