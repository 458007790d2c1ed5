/* The MXU per-PE register tracer (see mxu_trace.h): declares the clock, the cycle counter, the
 * cycle's cause and the op signals, then one scope per PE with the registers the dataflow has;
 * on each observed cycle it raises clk, sets every signal, and lowers clk half a period later.
 * Cycles the engine skipped (nothing in the array) are filled in as idle clock cycles before the
 * next observed one. The VCD writer (base/vcd.h) writes only the values that changed. */
#include "tpu/mxu_trace.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include "base/vcd.h"

enum { SIG_A, SIG_AV, SIG_W, SIG_WV, SIG_WS, SIG_PS, SIG_PV, SIG__COUNT };
enum { TOP_CLK, TOP_CYCLE, TOP_CAUSE, TOP_FOLD, TOP_FOLD_V, TOP_STEP, TOP_SHIFT, TOP_SHIFT_V,
       TOP_ACC, TOP_ACC_I, TOP_ACC_V, TOP__COUNT };

/* the cause signal is 2 bits wide and holds enum mxu_cause */
static_assert(MXU_CAUSE__COUNT <= 4, "the VCD cause signal is 2 bits wide");

struct mxu_trace {
    vcd_w *v;
    mxu_params p;
    uint64_t half;          /* half a clock period in VCD time units */
    uint64_t next;          /* the first cycle not yet written */
    int top[TOP__COUNT];
    int *wire;              /* R*C*SIG__COUNT wire indices, -1 where absent */
};

/* int8 as its 8-bit pattern (a wire); bf16 values are reals (set_in) */
static void set_in(mxu_trace *t, uint64_t x, int w, const void *arr, size_t i)
{
    if (t->p.dtype == TP_INT8)
        vcd_set(t->v, x, w, (uint8_t)((const int32_t *)arr)[i]);
    else
        vcd_set_real(t->v, x, w, ((const float *)arr)[i]);
}

static void set_sum(mxu_trace *t, uint64_t x, int w, const void *arr, size_t i)
{
    if (t->p.dtype == TP_INT8)
        vcd_set(t->v, x, w, ((const uint32_t *)arr)[i]);
    else
        vcd_set_real(t->v, x, w, ((const float *)arr)[i]);
}

static int in_var(mxu_trace *t, const char *name)
{
    return t->p.dtype == TP_INT8 ? vcd_wire(t->v, name, 8) : vcd_real(t->v, name);
}

static int sum_var(mxu_trace *t, const char *name)
{
    return t->p.dtype == TP_INT8 ? vcd_wire(t->v, name, 32) : vcd_real(t->v, name);
}

tp_status mxu_trace_open(const char *path, const mxu_params *p, uint64_t clock_hz, mxu_trace **out,
                         tp_err *err)
{
    mxu_trace *t;
    tp_status st;
    char comment[1024], name[32], ts[8];
    bool exact;
    uint64_t half;
    const int os = p->dataflow == TP_DF_OS;
    size_t n = (size_t)p->rows * p->cols;
    *out = NULL;
    if ((st = vcd_timescale_for_clock(clock_hz, ts, &half, &exact, err)) != TP_OK)
        return st;
    if (!(t = calloc(1, sizeof *t)) || !(t->wire = malloc(n * SIG__COUNT * sizeof *t->wire))) {
        if (t)
            free(t);
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory", path);
    }
    t->p = *p;
    t->half = half;
    snprintf(comment, sizeof comment,
             "tpusim MXU per-PE registers: %ux%u %s %s, clock %.6g MHz.\n"
             "  One clock cycle = %llu time units of %s (%s); cycle x starts at x * %llu.\n"
             "  clk is 1 in the first half of each cycle; cycle = the cycle number.\n"
             "  cause: 0 busy, 1 weight_shift, 2 fill_drain, 3 idle.\n"
             "  fold/step: the op streaming into array row 0 (fold_valid), and its element;\n"
             "  shift_fold: the op whose weights shift (shift_valid); acc_fold/acc_index: the\n"
             "  accumulator write (acc_valid; %s of C). %s values are %s.",
             p->rows, p->cols, cfg_dataflow_name(p->dataflow), dtype_name(p->dtype),
             (double)clock_hz / 1e6, (unsigned long long)(2 * half), ts,
             exact ? "exact" : "the half period rounded to the nearest unit",
             (unsigned long long)(2 * half), p->dataflow == TP_DF_IS ? "column" : "row",
             dtype_name(p->dtype),
             p->dtype == TP_INT8 ? "8-bit, sums 32-bit two's complement vectors"
                                 : "reals (exact bf16 operands, fp32 sums)");
    if ((st = vcd_open_ts(path, comment, ts, &t->v, err)) != TP_OK) {
        free(t->wire);
        free(t);
        return st;
    }
    vcd_scope_begin(t->v, "mxu");
    t->top[TOP_CLK] = vcd_wire(t->v, "clk", 1);
    t->top[TOP_CYCLE] = vcd_wire(t->v, "cycle", 64);
    t->top[TOP_CAUSE] = vcd_wire(t->v, "cause", 2);
    t->top[TOP_FOLD] = vcd_wire(t->v, "fold", 32);
    t->top[TOP_FOLD_V] = vcd_wire(t->v, "fold_valid", 1);
    t->top[TOP_STEP] = vcd_wire(t->v, "step", 32);
    t->top[TOP_SHIFT] = os ? -1 : vcd_wire(t->v, "shift_fold", 32);
    t->top[TOP_SHIFT_V] = os ? -1 : vcd_wire(t->v, "shift_valid", 1);
    t->top[TOP_ACC] = vcd_wire(t->v, "acc_fold", 32);
    t->top[TOP_ACC_I] = vcd_wire(t->v, "acc_index", 32);
    t->top[TOP_ACC_V] = vcd_wire(t->v, "acc_valid", 1);
    for (uint32_t r = 0; r < p->rows; r++)
        for (uint32_t c = 0; c < p->cols; c++) {
            int *w = &t->wire[((size_t)r * p->cols + c) * SIG__COUNT];
            snprintf(name, sizeof name, "pe_%u_%u", r, c);
            vcd_scope_begin(t->v, name);
            w[SIG_A] = in_var(t, "a");
            w[SIG_AV] = vcd_wire(t->v, "a_valid", 1);
            w[SIG_W] = in_var(t, os ? "b" : "w");
            w[SIG_WV] = os ? vcd_wire(t->v, "b_valid", 1) : -1;
            w[SIG_WS] = !os && p->weight_double_buffer ? in_var(t, "w_shadow") : -1;
            w[SIG_PS] = sum_var(t, os ? "acc" : "psum");
            w[SIG_PV] = vcd_wire(t->v, os ? "acc_valid" : "psum_valid", 1);
            vcd_scope_end(t->v);
        }
    vcd_scope_end(t->v);
    vcd_end_definitions(t->v);
    *out = t;
    return TP_OK;
}

/* The clock and the per-cycle signals of cycle x; v NULL = a skipped (idle) cycle. */
static void clock_cycle(mxu_trace *t, uint64_t x, const mxu_pe_view *v)
{
    const uint64_t rise = 2 * t->half * x;
    const int *g = t->top;
    vcd_set(t->v, rise, g[TOP_CLK], 1);
    vcd_set(t->v, rise, g[TOP_CYCLE], x);
    vcd_set(t->v, rise, g[TOP_CAUSE], v ? (uint64_t)v->cause : MXU_IDLE);
    vcd_set(t->v, rise, g[TOP_FOLD_V], v && v->stream_op >= 0);
    if (v && v->stream_op >= 0) {
        vcd_set(t->v, rise, g[TOP_FOLD], (uint64_t)v->stream_op);
        vcd_set(t->v, rise, g[TOP_STEP], (uint64_t)v->stream_index);
    }
    vcd_set(t->v, rise, g[TOP_SHIFT_V], v && v->shift_op >= 0);
    if (v && v->shift_op >= 0)
        vcd_set(t->v, rise, g[TOP_SHIFT], (uint64_t)v->shift_op);
    vcd_set(t->v, rise, g[TOP_ACC_V], v && v->acc_op >= 0);
    if (v && v->acc_op >= 0) {
        vcd_set(t->v, rise, g[TOP_ACC], (uint64_t)v->acc_op);
        vcd_set(t->v, rise, g[TOP_ACC_I], (uint64_t)v->acc_index);
    }
}

void mxu_trace_observe(void *tracer, const mxu_pe_view *view)
{
    mxu_trace *t = tracer;
    const uint64_t x = view->cycle;
    const uint64_t rise = 2 * t->half * x;   /* from here: the registers after cycle x */
    const size_t n = (size_t)view->rows * view->cols;
    for (; t->next < x; t->next++) {          /* cycles the engine skipped: idle */
        clock_cycle(t, t->next, NULL);
        vcd_set(t->v, 2 * t->half * t->next + t->half, t->top[TOP_CLK], 0);
    }
    clock_cycle(t, x, view);
    for (size_t i = 0; i < n; i++) {
        const int *w = &t->wire[i * SIG__COUNT];
        set_in(t, rise, w[SIG_A], view->a, i);
        vcd_set(t->v, rise, w[SIG_AV], view->a_valid[i] & 1);
        set_in(t, rise, w[SIG_W], view->w, i);
        if (view->w_valid)
            vcd_set(t->v, rise, w[SIG_WV], view->w_valid[i] & 1);
        if (view->ws)
            set_in(t, rise, w[SIG_WS], view->ws, i);
        set_sum(t, rise, w[SIG_PS], view->psum, i);
        vcd_set(t->v, rise, w[SIG_PV], view->psum_valid[i] & 1);
    }
    vcd_set(t->v, rise + t->half, t->top[TOP_CLK], 0);
    t->next = x + 1;
}

tp_status mxu_trace_close(mxu_trace *t, tp_err *err)
{
    tp_status st;
    if (!t)
        return TP_OK;
    vcd_time(t->v, 2 * t->half * t->next);   /* the end of the last cycle */
    st = vcd_close(t->v, err);
    free(t->wire);
    free(t);
    return st;
}
