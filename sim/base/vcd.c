/* VCD writer (see vcd.h).
 *
 * Identifiers are the shortest strings over the 94 printable ASCII characters '!'..'~', in
 * declaration order. A value change is written as "b<bits> <id>" for vectors (leading zeros
 * dropped, as VCD allows), "<0|1><id>" for 1-bit wires and "r<value> <id>" for reals, under a "#<time>" line that is written
 * only before the first change at that time. */
#include "base/vcd.h"
#include "base/atomic_file.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[8];
    unsigned width;         /* 0: a real variable, value holds its double's bits */
    uint64_t value;
} vcd_sig;

struct vcd_w {
    afile af;               /* a temporary renamed into place by vcd_close */
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
    return vcd_open_ts(path, comment, "1ns", out, err);
}

tp_status vcd_open_ts(const char *path, const char *comment, const char *timescale, vcd_w **out,
                      tp_err *err)
{
    vcd_w *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory for the VCD writer", path);
    tp_status st = afile_open(&v->af, NULL, path, false, err);   /* "-": stdout */
    if (st != TP_OK) {
        free(v);
        return st;
    }
    v->f = v->af.f;
    snprintf(v->path, sizeof v->path, "%s", path);
    fprintf(v->f, "$comment\n  %s\n$end\n$timescale %s $end\n", comment, timescale);
    *out = v;
    return TP_OK;
}

tp_status vcd_timescale_for_clock(uint64_t clock_hz, char ts[8], uint64_t *half_units, bool *exact,
                                  tp_err *err)
{
    static const char *const unit[6] = {"s", "ms", "us", "ns", "ps", "fs"};
    const uint64_t fs_per_s = UINT64_C(1000000000000000);
    uint64_t half_fs, u = fs_per_s * 100;   /* candidate unit in fs, from 100 s down */
    if (clock_hz == 0 || clock_hz > fs_per_s / 2)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "VCD: no time unit for a clock of %llu Hz",
                          (unsigned long long)clock_hz);
    *exact = fs_per_s % (2 * clock_hz) == 0;
    /* half a period in fs, rounded to nearest: (1e15 + hz) / (2 hz) */
    half_fs = *exact ? fs_per_s / (2 * clock_hz) : (fs_per_s + clock_hz) / (2 * clock_hz);
    for (int e = 17; e >= 0; e--, u /= 10) {     /* u = 10^e fs */
        if (e > 15 || half_fs % u != 0)          /* no unit above 1 s ("10s" is not VCD) */
            continue;
        snprintf(ts, 8, "%d%s", e % 3 == 0 ? 1 : e % 3 == 1 ? 10 : 100, unit[5 - e / 3]);
        *half_units = half_fs / u;
        return TP_OK;
    }
    return TP_OK;   /* not reached: u = 1 fs divides everything */
}

void vcd_scope_begin(vcd_w *v, const char *name) { fprintf(v->f, "$scope module %s $end\n", name); }
void vcd_scope_end(vcd_w *v) { fputs("$upscope $end\n", v->f); }

/* Declares a signal; width 0 = a real variable. */
static int declare(vcd_w *v, const char *name, unsigned width)
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
    s->width = width > 64 ? 64 : width;
    s->value = 0;
    k = v->n;
    do {                             /* base-94 digits, least significant first */
        s->id[i++] = (char)('!' + k % 94);
        k /= 94;
    } while (k > 0 && i < 7);
    s->id[i] = 0;
    if (width == 0)
        fprintf(v->f, "$var real 64 %s %s $end\n", s->id, name);
    else
        fprintf(v->f, "$var wire %u %s %s $end\n", s->width, s->id, name);
    return v->n++;
}

int vcd_wire(vcd_w *v, const char *name, unsigned width) { return declare(v, name, width < 1 ? 1 : width); }
int vcd_real(vcd_w *v, const char *name) { return declare(v, name, 0); }

static void put_value(vcd_w *v, const vcd_sig *s)
{
    if (s->width == 0) {
        double d;
        memcpy(&d, &s->value, sizeof d);
        if (isnan(d))
            fprintf(v->f, "rnan %s\n", s->id);
        else if (isinf(d))
            fprintf(v->f, "r%sinf %s\n", d < 0 ? "-" : "", s->id);
        else
            fprintf(v->f, "r%.17g %s\n", d, s->id);
        return;
    }
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
    if (s->width == 0)
        return;                         /* a real: vcd_set_real */
    if (s->width < 64)
        value &= (UINT64_C(1) << s->width) - 1;
    if (s->value == value)
        return;
    vcd_time(v, t);
    s->value = value;
    put_value(v, s);
}

void vcd_set_real(vcd_w *v, uint64_t t, int var, double value)
{
    vcd_sig *s;
    uint64_t bits;
    if (var < 0 || var >= v->n || v->sig[var].width != 0)
        return;
    s = &v->sig[var];
    memcpy(&bits, &value, sizeof bits);
    if (s->value == bits)
        return;
    vcd_time(v, t);
    s->value = bits;
    put_value(v, s);
}

void vcd_time(vcd_w *v, uint64_t t)
{
    if (t != v->last_time || !v->time_written) {
        fprintf(v->f, "#%llu\n", (unsigned long long)t);
        v->last_time = t;
        v->time_written = 1;
    }
}

tp_status vcd_close(vcd_w *v, tp_err *err)
{
    tp_status st = TP_OK;
    int bad;
    if (!v)
        return TP_OK;
    bad = ferror(v->f);
    if (v->failed) {
        afile_abort(&v->af);   /* an incomplete trace is not renamed into place */
        st = tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory while declaring signals", v->path);
    } else if (afile_commit(&v->af, bad, err) != TP_OK) {
        st = TP_ERR_IO;
    }
    free(v->sig);
    free(v);
    return st;
}
