/* The MXU per-PE register tracer (see mxu_trace.h): declares one scope per PE with the
 * registers the dataflow has, then on each observed cycle sets every wire; the VCD writer
 * (base/vcd.h) writes only the values that changed. */
#include "tpu/mxu_trace.h"
#include <stdio.h>
#include <stdlib.h>
#include "base/vcd.h"

enum { SIG_A, SIG_AV, SIG_W, SIG_WV, SIG_WS, SIG_PS, SIG_PV, SIG__COUNT };

struct mxu_trace {
    vcd_w *v;
    mxu_params p;
    int *wire;              /* R*C*SIG__COUNT wire indices, -1 where absent */
};

/* Bits of an input-register element: int8 as 8 bits, bf16 as its 16-bit pattern. */
static uint64_t in_bits(tp_dtype dt, const void *arr, size_t i)
{
    if (dt == TP_INT8)
        return (uint8_t)((const int32_t *)arr)[i];
    return dtype_f32_bits(((const float *)arr)[i]) >> 16;
}

static uint64_t sum_bits(tp_dtype dt, const void *arr, size_t i)
{
    if (dt == TP_INT8)
        return ((const uint32_t *)arr)[i];
    return dtype_f32_bits(((const float *)arr)[i]);
}

tp_status mxu_trace_open(const char *path, const mxu_params *p, mxu_trace **out, tp_err *err)
{
    mxu_trace *t;
    tp_status st;
    char comment[256], name[32];
    const unsigned in_w = p->dtype == TP_INT8 ? 8 : 16;
    const int os = p->dataflow == TP_DF_OS;
    size_t n = (size_t)p->rows * p->cols;
    *out = NULL;
    if (!(t = calloc(1, sizeof *t)) || !(t->wire = malloc(n * SIG__COUNT * sizeof *t->wire))) {
        if (t)
            free(t);
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory", path);
    }
    t->p = *p;
    snprintf(comment, sizeof comment,
             "tpusim MXU per-PE registers: %ux%u %s %s; one time unit = one clock cycle",
             p->rows, p->cols, cfg_dataflow_name(p->dataflow), dtype_name(p->dtype));
    if ((st = vcd_open(path, comment, &t->v, err)) != TP_OK) {
        free(t->wire);
        free(t);
        return st;
    }
    vcd_scope_begin(t->v, "mxu");
    for (uint32_t r = 0; r < p->rows; r++)
        for (uint32_t c = 0; c < p->cols; c++) {
            int *w = &t->wire[((size_t)r * p->cols + c) * SIG__COUNT];
            snprintf(name, sizeof name, "pe_%u_%u", r, c);
            vcd_scope_begin(t->v, name);
            w[SIG_A] = vcd_wire(t->v, "a", in_w);
            w[SIG_AV] = vcd_wire(t->v, "a_valid", 1);
            w[SIG_W] = vcd_wire(t->v, os ? "b" : "w", in_w);
            w[SIG_WV] = os ? vcd_wire(t->v, "b_valid", 1) : -1;
            w[SIG_WS] = !os && p->weight_double_buffer ? vcd_wire(t->v, "w_shadow", in_w) : -1;
            w[SIG_PS] = vcd_wire(t->v, os ? "acc" : "psum", 32);
            w[SIG_PV] = vcd_wire(t->v, os ? "acc_valid" : "psum_valid", 1);
            vcd_scope_end(t->v);
        }
    vcd_scope_end(t->v);
    vcd_end_definitions(t->v);
    *out = t;
    return TP_OK;
}

void mxu_trace_observe(void *tracer, const mxu_pe_view *view)
{
    mxu_trace *t = tracer;
    const uint64_t x = view->cycle;   /* time t shows the registers PEs work with in cycle t */
    const size_t n = (size_t)view->rows * view->cols;
    const tp_dtype dt = view->dtype;
    for (size_t i = 0; i < n; i++) {
        const int *w = &t->wire[i * SIG__COUNT];
        vcd_set(t->v, x, w[SIG_A], in_bits(dt, view->a, i));
        vcd_set(t->v, x, w[SIG_AV], view->a_valid[i] & 1);
        vcd_set(t->v, x, w[SIG_W], in_bits(dt, view->w, i));
        if (view->w_valid)
            vcd_set(t->v, x, w[SIG_WV], view->w_valid[i] & 1);
        if (view->ws)
            vcd_set(t->v, x, w[SIG_WS], in_bits(dt, view->ws, i));
        vcd_set(t->v, x, w[SIG_PS], sum_bits(dt, view->psum, i));
        vcd_set(t->v, x, w[SIG_PV], view->psum_valid[i] & 1);
    }
}

tp_status mxu_trace_close(mxu_trace *t, tp_err *err)
{
    tp_status st;
    if (!t)
        return TP_OK;
    st = vcd_close(t->v, err);
    free(t->wire);
    free(t);
    return st;
}
