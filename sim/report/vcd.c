/* VCD writer and the MXU register tracer (see vcd.h).
 *
 * Identifiers are the shortest strings over the 94 printable ASCII characters '!'..'~', in
 * declaration order. A value change is written as "b<bits> <id>" for vectors (leading zeros
 * dropped, as VCD allows) and "<0|1><id>" for 1-bit wires, under a "#<time>" line that is written
 * only before the first change at that time. */
#include "report/vcd.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[8];
    unsigned width;
    uint64_t value;
} vcd_sig;

struct vcd_w {
    FILE *f;
    char path[256];
    vcd_sig *sig;
    int n, cap;
    uint64_t last_time;
    int time_written;       /* "#last_time" already written */
    int failed;             /* an allocation failed */
};

tp_status vcd_open(const char *path, const char *comment, vcd_w **out, tp_err *err)
{
    vcd_w *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory", path);
    if (!(v->f = strcmp(path, "-") ? fopen(path, "w") : stdout)) {   /* "-": stdout */
        tp_status st = tp_err_set(err, TP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        free(v);
        return st;
    }
    snprintf(v->path, sizeof v->path, "%s", path);
    fprintf(v->f, "$comment\n  %s\n$end\n$timescale 1ns $end\n", comment);
    *out = v;
    return TP_OK;
}

void vcd_scope_begin(vcd_w *v, const char *name) { fprintf(v->f, "$scope module %s $end\n", name); }
void vcd_scope_end(vcd_w *v) { fputs("$upscope $end\n", v->f); }

int vcd_wire(vcd_w *v, const char *name, unsigned width)
{
    vcd_sig *s;
    int k, i = 0;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        vcd_sig *n = realloc(v->sig, (size_t)cap * sizeof *n);
        if (!n) {
            v->failed = 1;
            return -1;
        }
        v->sig = n;
        v->cap = cap;
    }
    s = &v->sig[v->n];
    s->width = width < 1 ? 1 : width > 64 ? 64 : width;
    s->value = 0;
    k = v->n;
    do {                             /* base-94 digits, least significant first */
        s->id[i++] = (char)('!' + k % 94);
        k /= 94;
    } while (k > 0 && i < 7);
    s->id[i] = 0;
    fprintf(v->f, "$var wire %u %s %s $end\n", s->width, s->id, name);
    return v->n++;
}

static void put_value(vcd_w *v, const vcd_sig *s)
{
    if (s->width == 1) {
        fprintf(v->f, "%c%s\n", s->value ? '1' : '0', s->id);
        return;
    }
    char bits[65];
    int n = 0, top = 63;
    while (top > 0 && !((s->value >> top) & 1))
        top--;
    for (int b = top; b >= 0; b--)
        bits[n++] = (char)('0' + ((s->value >> b) & 1));
    bits[n] = 0;
    fprintf(v->f, "b%s %s\n", bits, s->id);
}

void vcd_end_definitions(vcd_w *v)
{
    fputs("$enddefinitions $end\n#0\n$dumpvars\n", v->f);
    for (int i = 0; i < v->n; i++)
        put_value(v, &v->sig[i]);
    fputs("$end\n", v->f);
    v->last_time = 0;
    v->time_written = 1;
}

void vcd_set(vcd_w *v, uint64_t t, int wire, uint64_t value)
{
    vcd_sig *s;
    if (wire < 0 || wire >= v->n)
        return;
    s = &v->sig[wire];
    if (s->width < 64)
        value &= (UINT64_C(1) << s->width) - 1;
    if (s->value == value)
        return;
    if (t != v->last_time || !v->time_written) {
        fprintf(v->f, "#%llu\n", (unsigned long long)t);
        v->last_time = t;
        v->time_written = 1;
    }
    s->value = value;
    put_value(v, s);
}

tp_status vcd_close(vcd_w *v, tp_err *err)
{
    tp_status st = TP_OK;
    int bad;
    if (!v)
        return TP_OK;
    bad = ferror(v->f);
    if ((v->f == stdout ? fflush(v->f) : fclose(v->f)) != 0 || bad)
        st = tp_err_set(err, TP_ERR_IO, "%s: write failed", v->path);
    else if (v->failed)
        st = tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory while declaring signals", v->path);
    free(v->sig);
    free(v);
    return st;
}

/* ---- MXU tracer ------------------------------------------------------------------------ */

enum { SIG_A, SIG_AV, SIG_W, SIG_WV, SIG_WS, SIG_PS, SIG_PV, SIG__COUNT };

struct vcd_mxu {
    vcd_w *v;
    mxu_params p;
    int *wire;              /* R*C*SIG__COUNT wire indices, -1 where absent */
};

/* Bits of an input-register element: int8 as 8 bits, bf16 as its 16-bit pattern. */
static uint64_t in_bits(tp_dtype dt, const void *arr, size_t i)
{
    if (dt == TP_INT8)
        return (uint8_t)((const int32_t *)arr)[i];
    return num_f32_bits(((const float *)arr)[i]) >> 16;
}

static uint64_t sum_bits(tp_dtype dt, const void *arr, size_t i)
{
    if (dt == TP_INT8)
        return ((const uint32_t *)arr)[i];
    return num_f32_bits(((const float *)arr)[i]);
}

tp_status vcd_mxu_open(const char *path, const mxu_params *p, vcd_mxu **out, tp_err *err)
{
    vcd_mxu *t;
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
             p->rows, p->cols, cfg_dataflow_name(p->dataflow), num_dtype_name(p->dtype));
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

void vcd_mxu_observe(void *tracer, const mxu_pe_view *view)
{
    vcd_mxu *t = tracer;
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

tp_status vcd_mxu_close(vcd_mxu *t, tp_err *err)
{
    tp_status st;
    if (!t)
        return TP_OK;
    st = vcd_close(t->v, err);
    free(t->wire);
    free(t);
    return st;
}
