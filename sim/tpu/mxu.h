/* The matrix unit (MXU): an R x C systolic array of multiply-accumulate PEs, modelled by two
 * engines that agree to the cycle and the bit (docs/mxu.md has the equations, worked examples
 * and wavefront diagrams).
 *
 *  - Fast engine: mxu_time_op() gives one op's timing in closed form, O(1); values come from
 *    num_gemm() with kc = the op's k (one partial sum per op, see "Values" below).
 *  - Per-PE engine (mxu_pe_*): every PE register (activation, weight, shadow weight, partial sum,
 *    valid and control bits) moves every cycle; a small sequencer injects operands with the
 *    input skew, loads weights through the shift chain and writes de-skewed results into the
 *    caller's accumulators. It reports the same cycles, per-cause cycles and bits.
 *
 * One MXU op: C[m x n] (+)= A[m x k] * B[k x n]. The dataflow decides what stays in the array:
 *   ws: B tile (k x n) stationary, k <= rows, n <= cols; the m rows of A stream   (T = m)
 *   is: A^T tile (k x m) stationary, k <= rows, m <= cols; the n columns of B stream (T = n)
 *   os: C tile (m x n) stationary in the PEs, m <= rows, n <= cols; K steps stream (T = k)
 * T is the op's stream length: the cycles its operands occupy the array's input ports.
 *
 * Timing (pipelined; cycles are 0-based, intervals half-open, "end" is exclusive):
 *   t0 = the cycle the op's first streamed row enters array row 0.
 *   ws/is: L = ceil(k / weight_rows_per_cycle) cycles of weight shift, starting at ws_start:
 *     ws_start = max(weights_ready, W), W = the cycle the previous tile frees the register the
 *       shift writes (column c's chain runs c cycles behind column 0's, like the data):
 *       double buffer: prev.t0 + R - 1 (the swap wave leaves column 0's bottom PE);
 *       no double buffer: prev.t0 + prev.T + R - 2 (the last row leaves column 0's bottom PE).
 *     t0  = max(inputs_ready, prev.t0 + prev.T, ws_start + L)
 *     end = t0 + T + R + C - 1    (de-skewed row i is written at t0 + i + R + C - 1)
 *   os: t0  = max(inputs_ready, weights_ready, prev.t0 + prev.T + R)  (the drain frees row 0)
 *       end = t0 + T + 2R + C - 2
 *   os chains: an op with `hold` does not drain: end = t0 + T + R + C - 2 (its last MAC leaves
 *       PE(R-1,C-1)) and the next op continues its partial sums from t0 = max(ready, prev.t0 +
 *       prev.T): the PEs simply go on accumulating, so a chain of ops is one K stream of the sum
 *       of their k with a single drain. The op after a held op has its m and n; the chain writes
 *       the accumulators once, at its last op's drain (overwriting unless the chain's first op
 *       accumulates: the machine passes that flag on to every op of the chain). Values: one
 *       partial sum over the whole chain (kc = the chain's K). Ignored by the scalesim timing.
 * Timing (scalesim): folds back to back, each exactly SCALE-Sim v2's per-fold cost with the
 *   full R and C: ws/is 2R + C + T - 2 (R of them preload), os R + C + T - 2.
 *   t0 = max(ready, prev.end) (+ R for ws/is), end = start + per_fold.
 *
 * Cycle causes: every cycle of an MXU's timeline [0, until) is exactly one of
 *   busy:        an op's operands stream into the array (T cycles per op)
 *   weight_shift: not streaming, a weight shift is running (exposed weight load)
 *   fill_drain:  not streaming, no shift, but an op's results are still on their way
 *   idle:        nothing in flight (waiting for operands to be ready)
 * mxu_time_op's by_cause covers [previous op's stream end, this op's stream end); mxu_close()
 * covers the tail [last stream end, until). They sum to `until`.
 *
 * Values: each op forms ONE partial sum per output that starts at +0.0 and adds products in
 *   ascending k (bf16: fmaf, int8: wrap mod 2^32); the accumulator then stores it
 *   (accumulate == false) or adds it (fp32 add / wrap). That is num_gemm with kc = op.k.
 *   A GEMM tiled into ws/is ops along K (ascending K-tiles of R rows, accumulate from the second)
 *   therefore equals num_gemm with kc = R; os ops hold the whole K: kc = K. bf16 NaN results are
 *   stored as the canonical NaN (num_f32_canon), as num_gemm stores them.
 */
#ifndef TP_TPU_MXU_H
#define TP_TPU_MXU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "config/config.h"
#include "num/num.h"
#include "num/pool.h"
#include "stats/stats.h"

/* The largest array either engine accepts (rows and cols each). */
#define MXU_MAX_DIM 4096u

typedef struct {
    uint32_t rows, cols;            /* PEs: R rows (hold K for ws/is, M for os), C columns */
    tp_dataflow dataflow;
    tp_dtype dtype;
    tp_timing timing;               /* pipelined (the model above) or scalesim */
    bool weight_double_buffer;      /* ws/is: shadow weight registers */
    uint32_t weight_rows_per_cycle; /* ws/is: rows the weight shift advances per cycle (>= 1) */
} mxu_params;

/* Fills p from a loaded machine's tpu.array section and a dtype (no check that the machine
 * supports the dtype: cfg_tpu_require_dtype does that). */
void mxu_params_from_cfg(mxu_params *p, const tp_tpu_cfg *t, tp_dtype dt);
/* Checks p (dimensions 1..MXU_MAX_DIM, rows_per_cycle >= 1, enums in range). */
tp_status mxu_params_check(const mxu_params *p, tp_err *err);

typedef enum {
    MXU_BUSY = 0,       /* "busy" */
    MXU_WEIGHT_SHIFT,   /* "weight_shift" */
    MXU_FILL_DRAIN,     /* "fill_drain" */
    MXU_IDLE,           /* "idle" */
    MXU_CAUSE__COUNT
} mxu_cause;
/* The shared record's MXU cause of the same meaning, and its name (stats/stats.h). */
stats_mxu_cause mxu_shared_cause(mxu_cause c);
const char *mxu_cause_name(mxu_cause c);

/* One MXU op: C[m x n] (+)= A[m x k] * B[k x n]; the stationary operand must fit the array. */
typedef struct {
    uint32_t m, n, k;
    bool accumulate;    /* add into the accumulators (else overwrite) */
    bool hold;          /* os: the partial sums stay in the PEs (no drain) and the next op, of the
                           same m x n, continues them: one longer K stream (see "Chains") */
} mxu_op;

/* Checks that op has m, n, k >= 1 and that its stationary part fits p's array; the message
 * names the dimension, e.g. "mxu op: k = 40 exceeds the array's 32 rows (ws)". */
tp_status mxu_op_check(const mxu_params *p, const mxu_op *op, tp_err *err);
/* Streamed length T (ws m, is n, os k) and stationary load cycles L (ws/is ceil(k/rpc), os 0). */
uint64_t mxu_op_stream_cycles(const mxu_params *p, const mxu_op *op);
uint64_t mxu_op_load_cycles(const mxu_params *p, const mxu_op *op);

/* Pipeline state carried between consecutive ops of one MXU: plain data, copyable, comparable.
 * Zero-initialise it (mxu_state_init) before the first op. */
typedef struct {
    uint32_t ops;               /* ops timed so far */
    uint64_t stream_end;        /* prev.t0 + prev.T: input ports free; timeline accounted to here */
    uint64_t next_start_min;    /* earliest t0 of the next op from the array itself */
    uint64_t next_shift_min;    /* earliest weight-shift start of the next op (ws/is) */
    uint64_t busy_until;        /* latest end so far: all results in the accumulators */
    bool held;                  /* os: the last op held its partial sums; the next continues them */
} mxu_state;
void mxu_state_init(mxu_state *st);

typedef struct {
    uint64_t shift_start;   /* ws/is: first cycle of the weight shift (os: = start) */
    uint64_t start;         /* t0: first streamed row enters the array */
    uint64_t stream_end;    /* start + T: the input ports are free */
    uint64_t end;           /* exclusive: every result is in the accumulators */
    uint64_t busy_until;    /* the MXU's latest end after this op (>= end) */
    uint64_t free_start;    /* the earliest t0 the array itself allowed: had the operands been
                               ready at the gap's start, t0 would have been this (closed form
                               only; the per-PE engine leaves it 0) */
    uint64_t by_cause[MXU_CAUSE__COUNT]; /* cycles of [prev stream_end, stream_end) by cause */
} mxu_timing;

/* Timing of one op whose weights (ws/is stationary tile; ignored by os) are available from
 * weights_ready and whose streamed operands are available from inputs_ready, after the ops
 * already in st. Closed form, O(1). Updates st. Precondition: mxu_op_check(p, op) == TP_OK. */
void mxu_time_op2(const mxu_params *p, mxu_state *st, const mxu_op *op,
                  uint64_t weights_ready, uint64_t inputs_ready, mxu_timing *out);
/* Of the idle cycles of an op timed by mxu_time_op2 from state *before (by_cause[MXU_IDLE], which
 * lie in its gap [before->stream_end, tm->start)), those before cycle x. x >= tm->start gives
 * them all. The machine splits an op's idle cycles by what held the instruction back then. */
uint64_t mxu_idle_before(const mxu_params *p, const mxu_op *op, const mxu_state *before,
                         const mxu_timing *tm, uint64_t x);
/* Of the fill_drain cycles of that gap, those before cycle x (x >= tm->start: all of them). The
 * machine charges the drain cycles after both the array's own limit (tm->free_start) and the
 * instruction's arrival to what the op waited for: had it not waited, it would have streamed
 * while the previous op drained. */
uint64_t mxu_fill_drain_before(const mxu_params *p, const mxu_op *op, const mxu_state *before,
                               const mxu_timing *tm, uint64_t x);
/* Same with one ready cycle for both. */
void mxu_time_op(const mxu_params *p, mxu_state *st, const mxu_op *op, uint64_t ready_cycle,
                 mxu_timing *out);
/* Adds the tail [st->stream_end, until) to by_cause: fill_drain until st->busy_until, then idle.
 * until >= st->stream_end (a smaller until adds nothing). */
void mxu_close(const mxu_state *st, uint64_t until, uint64_t by_cause[MXU_CAUSE__COUNT]);

/* Operands of one op for the engines that compute values. Strides count elements.
 * a: A (m x k), int8_t or uint16_t bf16 bits; b: B (k x n); c: accumulators C (m x n), int32_t
 * (int8) or float (bf16), element (i,j) at c[i*ldc + j]. */
typedef struct {
    mxu_op op;
    const void *a; size_t a_rs, a_cs;
    const void *b; size_t b_rs, b_cs;
    void *c; size_t ldc;
    uint64_t weights_ready, inputs_ready;
} mxu_issue;

/* One GEMM C[M x N] (+)= A[M x K] * B[K x N] on this MXU alone, tiled into ops (folds):
 *   ws: for each N-tile of C columns, K-tiles of R rows ascending (m = M);
 *   os: for each M-tile of R rows, N-tiles of C columns (k = K);
 *   is: for each M-tile of C columns, K-tiles of R rows ascending (n = N).
 * The first K-tile of an output block overwrites (unless accumulate), later ones add.
 * A, B, C are contiguous row-major (A: M x K, B: K x N, C: M x N accumulators). */
uint64_t mxu_gemm_fold_count(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K);
/* Fold number `index` (0 <= index < count) as an issue, ready at cycle 0. */
void mxu_gemm_fold(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K, const void *a,
                   const void *b, void *c, bool accumulate, uint64_t index, mxu_issue *out);
/* Fold number `index`'s op alone (shape and accumulate flag, for timing without operands). */
void mxu_gemm_fold_op(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K, uint64_t index,
                      mxu_op *op);
/* The kc of the accumulation order a tiled GEMM on this MXU implies (ws/is: rows; os: K). */
uint32_t mxu_gemm_kc(const mxu_params *p, uint32_t K);

/* Fast engine values of one op: the GEMM with kc = op.k, on `pool` (NULL = threads started for
 * this call) with at most `threads` threads, as num_gemm_pool. The one place that rule lives. */
void mxu_fast_values(const mxu_params *p, const mxu_issue *is, num_pool *pool, int threads);

/* ---- Per-PE engine --------------------------------------------------------------------------
 * Usage: mxu_pe_new; mxu_pe_issue each op in order (ready cycles >= mxu_pe_now());
 * mxu_pe_advance(limit) simulates cycles, stopping right after the cycle in which an op's last
 * result is written (returns 1 and its id) or when limit is reached (returns 0). Ops may be
 * issued at any time before their ready cycles (an event-driven caller issues at the current
 * cycle and advances to its next event). Results are written into the issue's c at the cycle
 * they reach the accumulators. mxu_pe_op_timing() then gives the same mxu_timing as the fast
 * engine. Cycles in which the array holds nothing and nothing may start are skipped (no
 * register changes), so idle stretches cost nothing. The scalesim timing is not modelled per PE:
 * mxu_pe_new refuses it (TP_ERR_UNSUPPORTED). */
typedef struct mxu_pe mxu_pe;

tp_status mxu_pe_new(const mxu_params *p, mxu_pe **out, tp_err *err);
void mxu_pe_free(mxu_pe *pe);
/* Queues an op (copied; operands must stay valid until the op ends). *id = issue index. */
tp_status mxu_pe_issue(mxu_pe *pe, const mxu_issue *is, uint32_t *id, tp_err *err);
int mxu_pe_advance(mxu_pe *pe, uint64_t limit, uint32_t *done_id);
/* Runs until every issued op has ended. */
void mxu_pe_finish(mxu_pe *pe);
uint64_t mxu_pe_now(const mxu_pe *pe);                  /* cycles simulated so far */
/* Timing of an op that has ended (NULL before). */
const mxu_timing *mxu_pe_op_timing(const mxu_pe *pe, uint32_t id);
/* Adds the causes of the tail [last op's stream end, until) as observed: the cycles simulated
 * since then, plus [now, until) as idle. Call it after mxu_pe_finish, with until >= now. */
void mxu_pe_close(const mxu_pe *pe, uint64_t until, uint64_t by_cause[MXU_CAUSE__COUNT]);
/* PE-cycles simulated (R*C per simulated, non-skipped cycle): for speed reports. */
uint64_t mxu_pe_pe_cycles(const mxu_pe *pe);

/* NULL, or a one-line description of the first internal inconsistency the engine detected
 * between its data path and its control path (a bug; tests require NULL). */
const char *mxu_pe_fault(const mxu_pe *pe);

/* Read-only view of the registers after a cycle, for VCD and the teaching printout.
 * Element (r,c) at index r*cols + c. a, w, ws hold int32_t (int8 values) or float (bf16 values,
 * exact); psum holds uint32_t (int32 bit patterns) or float. Valid arrays: bit 0 = valid; a_valid
 * also carries bit 1 = first row of an op, bit 2 = last row. */
typedef struct {
    uint64_t cycle;             /* the cycle just simulated */
    uint32_t rows, cols;
    tp_dtype dtype;
    tp_dataflow dataflow;
    const void *a;              /* activation register (ws: A row element; is: B; os: A) */
    const uint8_t *a_valid;
    const void *w;              /* ws/is: active weight; os: B operand register */
    const uint8_t *w_valid;     /* os: B valid; ws/is: NULL */
    const void *ws;             /* ws/is: shadow weight (double buffer) or NULL */
    const void *psum;           /* ws/is: partial sum moving down; os: accumulator */
    const uint8_t *psum_valid;
    mxu_cause cause;            /* what this cycle counted as */
    int64_t acc_op;             /* op whose results the accumulators took this cycle, or -1 */
    int64_t acc_index;          /* which: ws/os row i of C, is column i of C; -1 if none */
    int64_t stream_op;          /* op whose streamed element entered array row 0 this cycle, or -1 */
    int64_t stream_index;       /* which element: ws row of A, is column of B, os K step; or -1 */
    int64_t shift_op;           /* ws/is: op whose weights the shift chain moved this cycle, or -1 */
} mxu_pe_view;
typedef void (*mxu_pe_observer)(void *ctx, const mxu_pe_view *v);
/* Calls fn after every simulated cycle (skipped idle cycles are not reported). */
void mxu_pe_set_observer(mxu_pe *pe, mxu_pe_observer fn, void *ctx);
#endif
