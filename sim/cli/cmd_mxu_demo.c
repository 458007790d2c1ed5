/* tpusim mxu-demo: the per-PE engine's registers printed cycle by cycle, for following the
 * wavefront by eye. Small inputs (int8 in -3..3, bf16 in -2..2 by halves) keep the numbers short.
 * Arrays larger than 16x16 are refused: the printout would not fit a screen; up to 8x8 every line
 * fits 80 columns.
 *
 * Every register is labelled with the matrix element it holds (a[i][k], b[k][j], c[i][j], with
 * the GEMM's indices). The labels come from the timing equations of docs/mxu.md, using each
 * fold's start cycle t0 from a first run of the engine without printing:
 *   ws: PE(r,c) holds a[i][k0+r] and the partial sum of c[i][j0+c] over k0..k0+r at cycle
 *       t0 + i + r + c; b[k0+k][j0+j] is stationary in PE(k,j).
 *   is: PE(r,c) holds b[k0+r][j] and the partial sum of c[i0+c][j] at t0 + j + r + c;
 *       a[i0+i][k0+k] is stationary in PE(k,i).
 *   os: PE(r,c) holds a[i0+r][k], b[k][j0+c] and c[i0+r][j0+c] summed over 0..k at
 *       t0 + k + r + c; then column c drains down from t0 + T + R - 1 + c.
 * The demo checks every label against the register's value (a partial sum against the same
 * ascending-k sum computed here) and stops with an internal error if one disagrees, so a label
 * never tells a story the engine did not compute. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "cli/cli.h"
#include "num/gemm.h"
#include "tpu/mxu.h"

#define DEMO_MAX_DIM 16u
#define DEMO_MAX_GEMM 64u
#define DEMO_WIDTH 80          /* the terminal the printout is made for (up to 8x8 arrays) */
#define CELL 8                 /* characters of one PE's label or value */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tpusim mxu-demo [-c CONFIG] [--set PATH=VALUE]... [M N K] [--dtype int8|bf16]\n"
            "                      [--dataflow ws|os|is] [--seed S]\n\n"
            "Prints every PE of the array cycle by cycle while one GEMM C = A * B (default 4 4 4)\n"
            "runs through it on the per-PE engine. Each register is labelled with the element it\n"
            "holds: a[i][k] of A, b[k][j] of B, c[i][j] of C (a partial sum), and its value below.\n"
            "ws: b[k][j] stays in PE(k,j), rows of A stream from the left, partial sums move down.\n"
            "is: a[i][k] stays in PE(k,i), columns of B stream from the left.\n"
            "os: c[i][j] accumulates in PE(i,j), A streams from the left and B from the top.\n"
            "Also shown: the input skew, the de-skew and what the accumulators hold. Without -c the\n"
            "embedded machine is shrunk to a 4x4 array (as configs/teach-4x4.yaml). Arrays up to\n"
            "16x16 (up to 8x8 fits 80 columns) and M, N, K up to %u.\n", DEMO_MAX_GEMM);
}

/* One fold: its op, where its tile sits in the GEMM, and its timing from the first run. */
typedef struct {
    mxu_op op;
    uint32_t i0, j0, k0;
    mxu_timing tm;
} demo_fold;

typedef struct {
    char lab[16];
    char val[16];
} demo_cell;

typedef struct {
    FILE *f;
    uint32_t R, C, M, N, K;
    tp_dtype dt;
    tp_dataflow df;
    bool db;                    /* ws/is weight double buffer */
    uint32_t rpc;               /* ws/is weight rows shifted per cycle */
    const void *a, *b;          /* the GEMM's inputs: int8_t or bf16 bits */
    const void *c;              /* the accumulators (written by the engine as results arrive) */
    uint8_t *written;           /* M*N: elements of C written so far */
    demo_fold *fold;
    uint64_t folds;
    demo_cell *cell;            /* R*C scratch */
    uint64_t bad;               /* labels that disagreed with their register */
    char bad_msg[160];
} demo;

/* ---- text ------------------------------------------------------------------------------ */

/* Prints s as words wrapped to DEMO_WIDTH - 1 columns, continuation lines indented by `indent`. */
static void wrap(FILE *f, int indent, const char *s)
{
    int col = 0;
    while (*s == ' ')
        s++;
    while (*s) {
        int n = (int)strcspn(s, " ");
        if (col > indent && col + 1 + n > DEMO_WIDTH - 1) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > 0) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", n, s);
        col += n;
        s += n;
        while (*s == ' ')
            s++;
    }
    fputc('\n', f);
}

static void wrapf(FILE *f, int indent, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void wrapf(FILE *f, int indent, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    wrap(f, indent, buf);
}

/* "a[i][k]", or "a12,34" when the bracketed form is wider than a cell. */
static void label(char *buf, size_t cap, char m, uint64_t x, uint64_t y)
{
    char t[64];
    snprintf(t, sizeof t, "%c[%u][%u]", m, (unsigned)x, (unsigned)y);   /* indices < 64 */
    if (strlen(t) > CELL)
        snprintf(t, sizeof t, "%c%u,%u", m, (unsigned)x, (unsigned)y);
    snprintf(buf, cap, "%.*s", (int)(cap - 1), t);
}

static void fmt_num(char *buf, size_t cap, tp_dtype dt, double v)
{
    if (dt == TP_INT8)
        snprintf(buf, cap, "%lld", (long long)v);
    else {
        snprintf(buf, cap, "%.6g", v);
        if (strlen(buf) > CELL)
            snprintf(buf, cap, "%.2g", v);
    }
}

/* Prints a grid of labels with their values under them (a row's value line only if it has a
 * value; a grid without labels as one line per row); an all-empty grid as one line. No trailing
 * spaces. */
static void print_grid(demo *d, const char *title)
{
    char line[DEMO_MAX_DIM * (CELL + 1) + 16];
    bool labels = false, any = false;
    for (size_t e = 0; e < (size_t)d->R * d->C; e++) {
        labels |= d->cell[e].lab[0] != 0;
        any |= d->cell[e].val[0] != 0;
    }
    if (!any) {
        wrapf(d->f, 2, "%s%sall empty", title, title[0] ? " " : "");
        return;
    }
    if (title[0])
        wrap(d->f, 2, title);
    for (int part = -1; part < (int)d->R * 2; part++) {
        const uint32_t r = part < 0 ? 0 : (uint32_t)part / 2;
        const bool val_line = part >= 0 && part % 2;
        bool row_has = false;
        int n;
        if (part >= 0 && !val_line && !labels)
            continue;               /* values only: no label lines */
        for (uint32_t c = 0; part >= 0 && c < d->C; c++)
            row_has |= d->cell[(size_t)r * d->C + c].val[0] != 0;
        if (val_line && !row_has)
            continue;
        n = snprintf(line, sizeof line, part < 0 || (val_line && labels) ? "     " : "  r%-2u", r);
        for (uint32_t c = 0; c < d->C; c++) {
            const demo_cell *e = &d->cell[(size_t)r * d->C + c];
            char colname[16];
            const char *s;
            if (part < 0) {
                snprintf(colname, sizeof colname, "col %u", c);
                s = colname;
            } else
                s = val_line ? e->val : e->lab;
            n += snprintf(line + n, sizeof line - (size_t)n, " %*s", CELL, s);
        }
        while (n > 0 && line[n - 1] == ' ')
            line[--n] = 0;
        fprintf(d->f, "%s\n", line);
    }
}

/* ---- the GEMM's elements --------------------------------------------------------------- */

static double in_at(tp_dtype dt, const void *x, size_t i)
{
    return dt == TP_INT8 ? (double)((const int8_t *)x)[i] : (double)dtype_bf16_to_f32(((const uint16_t *)x)[i]);
}
static double A(const demo *d, uint32_t i, uint32_t k) { return in_at(d->dt, d->a, (size_t)i * d->K + k); }
static double B(const demo *d, uint32_t k, uint32_t j) { return in_at(d->dt, d->b, (size_t)k * d->N + j); }

/* The partial sum of c[i][j] over k = k0..k1-1 in ascending k from +0 (fp32 fmaf, int32 wrap),
 * as its 32-bit pattern: what docs/mxu.md says a PE holds. */
static uint32_t partial(const demo *d, uint32_t i, uint32_t j, uint32_t k0, uint32_t k1)
{
    if (d->dt == TP_INT8) {
        uint32_t s = 0;
        for (uint32_t k = k0; k < k1; k++)
            s += (uint32_t)(int32_t)(A(d, i, k) * B(d, k, j));
        return s;
    }
    float p = 0.0f;
    for (uint32_t k = k0; k < k1; k++)
        p = fmaf((float)A(d, i, k), (float)B(d, k, j), p);
    return dtype_f32_bits(p);
}

static double reg_in(tp_dtype dt, const void *arr, size_t i)
{
    return dt == TP_INT8 ? (double)((const int32_t *)arr)[i] : (double)((const float *)arr)[i];
}
static uint32_t reg_sum_bits(tp_dtype dt, const void *arr, size_t i)
{
    return dt == TP_INT8 ? ((const uint32_t *)arr)[i] : dtype_f32_bits(((const float *)arr)[i]);
}
static double sum_value(tp_dtype dt, uint32_t bits)
{
    if (dt == TP_INT8)
        return (double)num_wrap_i32(bits);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static void disagree(demo *d, uint64_t x, uint32_t r, uint32_t c, const char *what)
{
    if (!d->bad++)
        snprintf(d->bad_msg, sizeof d->bad_msg, "mxu-demo: cycle %llu, PE(%u,%u): the register "
                 "does not hold %s", (unsigned long long)x, r, c, what);
}

/* ---- which element a register holds ---------------------------------------------------- */

/* The fold whose streamed element `step` passes PE(r,c) at cycle x (x = t0 + step + r + c), or
 * -1. Consecutive folds never share the input ports, so at most one matches. */
static int64_t streamed(const demo *d, uint64_t x, uint32_t r, uint32_t c, uint64_t *step)
{
    for (uint64_t f = 0; f < d->folds; f++) {
        const mxu_timing *t = &d->fold[f].tm;
        uint64_t first = t->start + r + c, T = t->stream_end - t->start;
        if (x >= first && x - first < T) {
            *step = x - first;
            return (int64_t)f;
        }
    }
    return -1;
}

/* A moving input register: the label it should have and the value it must hold. */
static void in_cell(demo *d, demo_cell *e, uint64_t x, uint32_t r, uint32_t c, bool valid, double got,
                    char m, uint64_t x1, uint64_t y1, double want)
{
    if (!valid) {
        snprintf(e->lab, sizeof e->lab, ".");
        e->val[0] = 0;
        return;
    }
    label(e->lab, sizeof e->lab, m, x1, y1);
    fmt_num(e->val, sizeof e->val, d->dt, got);
    if (got != want)
        disagree(d, x, r, c, e->lab);
}

static void pad_cell(demo *d, demo_cell *e, double got)
{
    snprintf(e->lab, sizeof e->lab, "pad");
    fmt_num(e->val, sizeof e->val, d->dt, got);
}

/* ws/is: the streamed operand and the partial sums. */
static void cells_ws_is(demo *d, const mxu_pe_view *v, bool sums)
{
    const bool is = d->df == TP_DF_IS;
    for (uint32_t r = 0; r < d->R; r++)
        for (uint32_t c = 0; c < d->C; c++) {
            size_t e = (size_t)r * d->C + c;
            demo_cell *cl = &d->cell[e];
            uint64_t s = 0;
            int64_t f = streamed(d, v->cycle, r, c, &s);
            const demo_fold *fd = f >= 0 ? &d->fold[f] : NULL;
            bool valid = sums ? (v->psum_valid[e] & 1) : (v->a_valid[e] & 1);
            if (!sums) {
                bool want = fd && r < fd->op.k;
                if (valid != want)
                    disagree(d, v->cycle, r, c, want ? "a streamed element" : "nothing");
                if (is)
                    in_cell(d, cl, v->cycle, r, c, valid, reg_in(d->dt, v->a, e), 'b', fd ? fd->k0 + r : 0,
                            fd ? fd->j0 + s : 0, fd && want ? B(d, fd->k0 + r, fd->j0 + (uint32_t)s) : 0);
                else
                    in_cell(d, cl, v->cycle, r, c, valid, reg_in(d->dt, v->a, e), 'a', fd ? fd->i0 + s : 0,
                            fd ? fd->k0 + r : 0, fd && want ? A(d, fd->i0 + (uint32_t)s, fd->k0 + r) : 0);
                continue;
            }
            if (!valid) {
                snprintf(cl->lab, sizeof cl->lab, ".");
                cl->val[0] = 0;
                continue;
            }
            uint32_t bits = reg_sum_bits(d->dt, v->psum, e);
            if (!fd || c >= (is ? fd->op.m : fd->op.n)) {
                pad_cell(d, cl, sum_value(d->dt, bits));
                continue;
            }
            uint32_t i = is ? fd->i0 + c : fd->i0 + (uint32_t)s, j = is ? fd->j0 + (uint32_t)s : fd->j0 + c;
            uint32_t k1 = fd->k0 + (r + 1 < fd->op.k ? r + 1 : fd->op.k);
            label(cl->lab, sizeof cl->lab, 'c', i, j);
            fmt_num(cl->val, sizeof cl->val, d->dt, sum_value(d->dt, bits));
            if (bits != partial(d, i, j, fd->k0, k1))
                disagree(d, v->cycle, r, c, "the partial sum the label says");
        }
}

/* os: which = 0 the A register, 1 the B register, 2 the accumulators. */
static void cells_os(demo *d, const mxu_pe_view *v, int which)
{
    for (uint32_t r = 0; r < d->R; r++)
        for (uint32_t c = 0; c < d->C; c++) {
            size_t e = (size_t)r * d->C + c;
            demo_cell *cl = &d->cell[e];
            uint64_t s = 0;
            int64_t f = streamed(d, v->cycle, r, c, &s);
            const demo_fold *fd = f >= 0 ? &d->fold[f] : NULL;
            if (which == 0 || which == 1) {
                bool valid = which ? (v->w_valid[e] & 1) : (v->a_valid[e] & 1);
                bool want = fd && (which ? c < fd->op.n : r < fd->op.m);
                if (valid != want)
                    disagree(d, v->cycle, r, c, want ? "a streamed element" : "nothing");
                if (which)
                    in_cell(d, cl, v->cycle, r, c, valid, reg_in(d->dt, v->w, e), 'b', s, fd ? fd->j0 + c : 0,
                            want ? B(d, (uint32_t)s, fd->j0 + c) : 0);
                else
                    in_cell(d, cl, v->cycle, r, c, valid, reg_in(d->dt, v->a, e), 'a', fd ? fd->i0 + r : 0, s,
                            want ? A(d, fd->i0 + r, (uint32_t)s) : 0);
                continue;
            }
            if (!(v->psum_valid[e] & 1)) {
                snprintf(cl->lab, sizeof cl->lab, ".");
                cl->val[0] = 0;
                continue;
            }
            /* the latest fold that claims this accumulator: computing (k steps so far) or, in
             * drain step q of column c, holding row r - q - 1 of its tile */
            uint32_t bits = reg_sum_bits(d->dt, v->psum, e);
            int64_t claim = -1;
            uint32_t row = 0, k1 = 0;
            for (uint64_t g = d->folds; g-- > 0 && claim < 0;) {
                const demo_fold *h = &d->fold[g];
                const uint64_t t0 = h->tm.start, T = h->tm.stream_end - h->tm.start;
                const uint64_t drain = t0 + T + d->R - 1 + c;
                if (v->cycle < t0 + r + c)
                    continue;
                if (v->cycle < drain) {
                    claim = (int64_t)g;
                    row = r;
                    k1 = (uint32_t)(v->cycle - t0 - r - c + 1 < T ? v->cycle - t0 - r - c + 1 : T);
                } else if (v->cycle - drain < d->R && r > v->cycle - drain) {
                    claim = (int64_t)g;
                    row = r - (uint32_t)(v->cycle - drain) - 1;
                    k1 = (uint32_t)T;
                }
            }
            if (claim < 0 || row >= d->fold[claim].op.m || c >= d->fold[claim].op.n) {
                pad_cell(d, cl, sum_value(d->dt, bits));
                continue;
            }
            const demo_fold *h = &d->fold[claim];
            label(cl->lab, sizeof cl->lab, 'c', h->i0 + row, h->j0 + c);
            fmt_num(cl->val, sizeof cl->val, d->dt, sum_value(d->dt, bits));
            if (bits != partial(d, h->i0 + row, h->j0 + c, 0, k1))
                disagree(d, v->cycle, r, c, "the partial sum the label says");
        }
}

/* ws/is: a stationary register grid (active or shadow) as fold f's tile, checked. */
static void cells_tile(demo *d, const mxu_pe_view *v, const void *reg, uint64_t f)
{
    const demo_fold *fd = &d->fold[f];
    const bool is = d->df == TP_DF_IS;
    /* the next fold's shift, c cycles behind in column c, may already be rewriting a column of
     * a wide array: such columns hold values on their way, not this tile */
    uint64_t next = f + 1 < d->folds ? d->fold[f + 1].tm.shift_start : UINT64_MAX;
    for (uint32_t r = 0; r < d->R; r++)
        for (uint32_t c = 0; c < d->C; c++) {
            size_t e = (size_t)r * d->C + c;
            demo_cell *cl = &d->cell[e];
            double got = reg_in(d->dt, reg, e);
            if (next != UINT64_MAX && v->cycle >= next + c) {
                snprintf(cl->lab, sizeof cl->lab, "~");
                fmt_num(cl->val, sizeof cl->val, d->dt, got);
                continue;
            }
            if (r >= fd->op.k || c >= (is ? fd->op.m : fd->op.n)) {
                snprintf(cl->lab, sizeof cl->lab, ".");
                cl->val[0] = 0;
                continue;
            }
            if (is)
                label(cl->lab, sizeof cl->lab, 'a', fd->i0 + c, fd->k0 + r);
            else
                label(cl->lab, sizeof cl->lab, 'b', fd->k0 + r, fd->j0 + c);
            fmt_num(cl->val, sizeof cl->val, d->dt, got);
            if (got != (is ? A(d, fd->i0 + c, fd->k0 + r) : B(d, fd->k0 + r, fd->j0 + c)))
                disagree(d, v->cycle, r, c, cl->lab);
        }
}

/* Values only (the weight shift chain while it moves). */
static void cells_values(demo *d, const void *reg)
{
    for (size_t e = 0; e < (size_t)d->R * d->C; e++) {
        d->cell[e].lab[0] = 0;
        fmt_num(d->cell[e].val, sizeof d->cell[e].val, d->dt, reg_in(d->dt, reg, e));
    }
}

/* ---- skew, de-skew, accumulators -------------------------------------------------------- */

/* "x[a..b][y]" or "x[a][y]"; the varying index first (row) or second (col). */
static int range_label(char *buf, size_t cap, char m, bool vary_first, uint64_t lo, uint64_t hi, uint64_t fixed)
{
    char r[32];
    if (lo == hi)
        snprintf(r, sizeof r, "%llu", (unsigned long long)lo);
    else
        snprintf(r, sizeof r, "%llu..%llu", (unsigned long long)lo, (unsigned long long)hi);
    return vary_first ? snprintf(buf, cap, "%c[%s][%llu]", m, r, (unsigned long long)fixed)
                      : snprintf(buf, cap, "%c[%llu][%s]", m, (unsigned long long)fixed, r);
}

/* The input skew: the elements of fold f's stream released for array row (or os: column) q that
 * wait in its delay line (x - q < t0 + s <= x: released, not yet entered). */
static void print_skew(demo *d, uint64_t x)
{
    char buf[2048];
    int n = 0;
    bool any = false;
    for (int side = 0; side < (d->df == TP_DF_OS ? 2 : 1); side++) {
        uint32_t lanes = side ? d->C : d->R;
        n = snprintf(buf, sizeof buf, "%s", side ? "input skew, top (B column j waits j cycles):"
                                                 : d->df == TP_DF_OS ? "input skew, left (A row i waits i cycles):"
                                                                     : "input skew (array row r waits r cycles):");
        any = false;
        for (uint32_t q = 1; q < lanes; q++)
            for (uint64_t f = 0; f < d->folds; f++) {
                const demo_fold *fd = &d->fold[f];
                const uint64_t t0 = fd->tm.start, T = fd->tm.stream_end - t0;
                /* released steps s with t0 + s <= x and t0 + s + q > x */
                if (x < t0 || q >= (d->df == TP_DF_OS ? (side ? fd->op.n : fd->op.m) : fd->op.k))
                    continue;
                uint64_t hi = x - t0, lo = x - t0 + 1 > q ? x - t0 + 1 - q : 0;
                if (hi >= T)
                    hi = T - 1;
                if (lo > hi)
                    continue;
                char e[64];
                if (d->df == TP_DF_WS)
                    range_label(e, sizeof e, 'a', true, fd->i0 + lo, fd->i0 + hi, fd->k0 + q);
                else if (d->df == TP_DF_IS)
                    range_label(e, sizeof e, 'b', false, fd->j0 + lo, fd->j0 + hi, fd->k0 + q);
                else if (side)
                    range_label(e, sizeof e, 'b', true, lo, hi, fd->j0 + q);
                else
                    range_label(e, sizeof e, 'a', false, lo, hi, fd->i0 + q);
                n += snprintf(buf + n, sizeof buf - (size_t)n, " %s%u: %s", side ? "col" : "row", q, e);
                any = true;
            }
        if (any)
            wrap(d->f, 4, buf);
    }
}

/* The de-skew: results that left the bottom of column c and wait C - 1 - c cycles so that a whole
 * row (is: column) of C is written at once. ws/is: stream element s of fold f is in column c's
 * de-skew during [t0 + s + R + c, t0 + s + R + C - 1); os: row R-1-q, drained at step q, during
 * [base + c + q, base + C - 1 + q), base = t0 + T + R - 1. */
static void print_deskew(demo *d, uint64_t x)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "de-skew (column c waits C-1-c cycles):");
    bool any = false;
    for (uint32_t c = 0; c + 1 < d->C; c++)
        for (uint64_t f = 0; f < d->folds; f++) {
            const demo_fold *fd = &d->fold[f];
            const uint64_t t0 = fd->tm.start, T = fd->tm.stream_end - t0;
            const bool os = d->df == TP_DF_OS, is = d->df == TP_DF_IS;
            const uint64_t base = os ? t0 + T + d->R - 1 : t0 + d->R, len = os ? d->R : T;
            if (c >= (is ? fd->op.m : fd->op.n) || x < base + c)
                continue;
            /* steps q with base + c + q <= x < base + C - 1 + q */
            uint64_t hi = x - base - c, lo = x + 2 > base + d->C ? x + 2 - base - d->C : 0;
            if (hi >= len)
                hi = len - 1;
            if (os) {   /* rows R-1-q that exist in the tile */
                uint64_t top = d->R - 1 - lo, bot = d->R - 1 - hi;   /* rows bot..top */
                if (bot >= fd->op.m || lo > hi)
                    continue;
                if (top >= fd->op.m)
                    top = fd->op.m - 1;
                lo = bot;
                hi = top;
            }
            if (lo > hi)
                continue;
            char e[64];
            if (is)
                range_label(e, sizeof e, 'c', false, fd->j0 + lo, fd->j0 + hi, fd->i0 + c);
            else if (os)
                range_label(e, sizeof e, 'c', true, fd->i0 + lo, fd->i0 + hi, fd->j0 + c);
            else
                range_label(e, sizeof e, 'c', true, fd->i0 + lo, fd->i0 + hi, fd->j0 + c);
            n += snprintf(buf + n, sizeof buf - (size_t)n, " col%u: %s", c, e);
            any = true;
        }
    if (any)
        wrap(d->f, 4, buf);
}

/* The accumulator write of this cycle and what C holds now ('.' = not written yet). */
static void print_acc(demo *d, const mxu_pe_view *v)
{
    const demo_fold *fd = &d->fold[v->acc_op];
    const bool is = d->df == TP_DF_IS;
    const uint32_t idx = (uint32_t)v->acc_index, len = is ? fd->op.m : fd->op.n;
    char buf[2048], e[64], num[24];
    int n;
    if (is)
        range_label(e, sizeof e, 'c', true, fd->i0, fd->i0 + len - 1, fd->j0 + idx);
    else
        range_label(e, sizeof e, 'c', false, fd->j0, fd->j0 + len - 1, fd->i0 + idx);
    n = snprintf(buf, sizeof buf, "accumulators %s %s (%s %u of fold %lld)%s", fd->op.accumulate ? "+=" : "<-",
                 e, is ? "column" : "row", is ? fd->j0 + idx : fd->i0 + idx, (long long)v->acc_op,
                 fd->op.accumulate ? ", now" : " =");
    for (uint32_t q = 0; q < len; q++) {
        uint32_t i = is ? fd->i0 + q : fd->i0 + idx, j = is ? fd->j0 + idx : fd->j0 + q;
        size_t at = (size_t)i * d->N + j;
        d->written[at] = 1;
        fmt_num(num, sizeof num, d->dt, sum_value(d->dt, ((const uint32_t *)d->c)[at]));
        n += snprintf(buf + n, sizeof buf - (size_t)n, " %s", num);
    }
    wrap(d->f, 4, buf);
    if ((size_t)d->N * (CELL + 1) + 5 > DEMO_WIDTH)
        return;   /* C too wide to print whole: the write line above says it all */
    fprintf(d->f, "accumulators now hold C ('.' = not written yet):\n");
    for (uint32_t i = 0; i < d->M; i++) {
        n = snprintf(buf, sizeof buf, "     ");
        for (uint32_t j = 0; j < d->N; j++) {
            size_t at = (size_t)i * d->N + j;
            if (d->written[at])
                fmt_num(num, sizeof num, d->dt, sum_value(d->dt, ((const uint32_t *)d->c)[at]));
            else
                snprintf(num, sizeof num, ".");
            n += snprintf(buf + n, sizeof buf - (size_t)n, " %*s", CELL, num);
        }
        fprintf(d->f, "%s\n", buf);
    }
}

static void demo_observe(void *ctx, const mxu_pe_view *v)
{
    demo *d = ctx;
    const uint64_t x = v->cycle;
    fprintf(d->f, "cycle %llu  [%s]\n", (unsigned long long)x, mxu_cause_name(v->cause));
    if (v->stream_op >= 0) {
        const demo_fold *fd = &d->fold[v->stream_op];
        const uint64_t s = (uint64_t)v->stream_index;
        char e1[64], e2[64];
        if (d->df == TP_DF_WS) {
            range_label(e1, sizeof e1, 'a', false, fd->k0, fd->k0 + fd->op.k - 1, fd->i0 + s);
            wrapf(d->f, 4, "fold %lld streams: row %llu of A (%s) enters from the left",
                  (long long)v->stream_op, (unsigned long long)(fd->i0 + s), e1);
        } else if (d->df == TP_DF_IS) {
            range_label(e1, sizeof e1, 'b', true, fd->k0, fd->k0 + fd->op.k - 1, fd->j0 + s);
            wrapf(d->f, 4, "fold %lld streams: column %llu of B (%s) enters from the left",
                  (long long)v->stream_op, (unsigned long long)(fd->j0 + s), e1);
        } else {
            range_label(e1, sizeof e1, 'a', true, fd->i0, fd->i0 + fd->op.m - 1, s);
            range_label(e2, sizeof e2, 'b', false, fd->j0, fd->j0 + fd->op.n - 1, s);
            wrapf(d->f, 4, "fold %lld streams step k = %llu: %s from the left, %s from the top",
                  (long long)v->stream_op, (unsigned long long)s, e1, e2);
        }
    }
    print_skew(d, x);
    if (d->df != TP_DF_OS) {
        /* the stationary tile: labelled once, in the cycle its last column's shift ends (column
         * c's chain runs c cycles behind column 0's, so column c is complete just as the fold's
         * first row reaches it; the register the shift writes still holds the tile) */
        bool tile = false;
        for (uint64_t f = 0; f < d->folds; f++) {
            uint64_t L = (d->fold[f].op.k + d->rpc - 1) / d->rpc;
            if (d->fold[f].tm.shift_start + L + d->C - 2 == x) {
                tile = true;
                cells_tile(d, v, d->db ? v->ws : v->w, f);
                wrapf(d->f, 4, "fold %llu's tile is loaded%s: %s, stationary while the fold streams (column c "
                      "shifts c cycles after column 0, behind the same skew as the data; '~': the next tile "
                      "already shifting in)",
                      (unsigned long long)f, d->db ? " into the shadow registers (each PE takes it as the "
                                                     "fold's first element passes)" : "",
                      d->df == TP_DF_IS ? "a[i][k] in PE(k,i)" : "b[k][j] in PE(k,j)");
                print_grid(d, "");
            }
        }
        if (v->shift_op >= 0 && !tile) {
            cells_values(d, d->db ? v->ws : v->w);
            wrapf(d->f, 4, "weight shift of fold %lld: %s enter the %s registers from the top; tile row q "
                  "reaches array row q with the last shift (values):", (long long)v->shift_op,
                  d->df == TP_DF_IS ? "rows k of A^T (a[i][k])" : "rows k of B (b[k][j])",
                  d->db ? "shadow" : "weight");
            print_grid(d, "");
        }
        cells_ws_is(d, v, false);
        print_grid(d, d->df == TP_DF_IS ? "B streaming, moving right:" : "A streaming, moving right:");
        cells_ws_is(d, v, true);
        print_grid(d, "partial sums c[i][j] (moving down; a label's sum covers the rows above):");
    } else {
        cells_os(d, v, 0);
        print_grid(d, "A streaming from the left, a[i][k] moving right:");
        cells_os(d, v, 1);
        print_grid(d, "B streaming from the top, b[k][j] moving down:");
        cells_os(d, v, 2);
        print_grid(d, "C stationary: c[i][j] accumulating in PE(i,j) (after its last k step the column drains "
                      "down):");
    }
    print_deskew(d, x);
    if (v->acc_op >= 0)
        print_acc(d, v);
    fputc('\n', d->f);
}

static void *small_inputs(rng_state *r, tp_dtype dt, size_t n)
{
    void *x = malloc(n * dtype_in_bytes(dt));
    if (!x)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int64_t v = rng_range(r, dt == TP_INT8 ? -3 : -4, dt == TP_INT8 ? 3 : 4);
        if (dt == TP_INT8)
            ((int8_t *)x)[i] = (int8_t)v;
        else
            ((uint16_t *)x)[i] = dtype_f32_to_bf16((float)v * 0.5f);
    }
    return x;
}

/* A matrix in bands of at most 9 columns (so a line fits 80 columns). */
static void print_matrix(FILE *f, const char *name, tp_dtype dt, const void *x, uint32_t rows,
                         uint32_t cols, bool acc)
{
    enum { BAND = 9 };
    char buf[24];
    for (uint32_t j0 = 0; j0 < cols; j0 += BAND) {
        const uint32_t j1 = cols - j0 > BAND ? j0 + BAND : cols;
        if (cols <= BAND)
            fprintf(f, "%s =\n", name);
        else
            fprintf(f, "%s, columns %u..%u =\n", name, j0, j1 - 1);
        for (uint32_t i = 0; i < rows; i++) {
            for (uint32_t j = j0; j < j1; j++) {
                size_t k = (size_t)i * cols + j;
                if (acc && dt == TP_INT8)
                    snprintf(buf, sizeof buf, "%d", ((const int32_t *)x)[k]);
                else if (acc)
                    snprintf(buf, sizeof buf, "%.4g", ((const float *)x)[k]);
                else if (dt == TP_INT8)
                    snprintf(buf, sizeof buf, "%d", ((const int8_t *)x)[k]);
                else
                    snprintf(buf, sizeof buf, "%.3g", dtype_bf16_to_f32(((const uint16_t *)x)[k]));
                fprintf(f, " %7s", buf);
            }
            fputc('\n', f);
        }
    }
}

/* What stays, what streams, for the dataflow: printed once before the cycles. */
static void print_legend(FILE *f, tp_dataflow df, bool db)
{
    if (df == TP_DF_WS)
        wrapf(f, 2, "ws (weight stationary): B stays in the array, b[k][j] in PE(k,j), loaded by a weight "
              "shift from the top%s. The rows of A stream in from the left: a[i][k] enters array row k "
              "and moves right one PE per cycle. Partial sums of c[i][j] start at 0 in row 0 and move "
              "down column j, adding a[i][k] * b[k][j] in PE(k,j); below the array the de-skew lines "
              "the columns up and row i of C reaches the accumulators.",
              db ? " into shadow registers while the previous fold computes" : "");
    else if (df == TP_DF_IS)
        wrapf(f, 2, "is (input stationary): A^T stays in the array, a[i][k] in PE(k,i), loaded by a weight "
              "shift from the top%s. The columns of B stream in from the left: b[k][j] enters array row k "
              "and moves right one PE per cycle. Partial sums of c[i][j] move down column i; below the "
              "array the de-skew lines the columns up and column j of C reaches the accumulators.",
              db ? " into shadow registers while the previous fold computes" : "");
    else
        wrap(f, 2, "os (output stationary): C stays in the array, c[i][j] accumulating in PE(i,j); nothing "
             "is preloaded. A streams in from the left (a[i][k] enters array row i, moving right) and B from "
             "the top (b[k][j] enters column j, moving down); they meet in PE(i,j) at step k. After the "
             "last step each column drains its sums down, and the de-skew writes row i of C into the "
             "accumulators.");
    wrap(f, 2, "Each row starts one cycle after the one above (the input skew), so the operands form a "
               "diagonal wavefront. Each PE below shows the element it holds after the cycle (a[i][k] of A, "
               "b[k][j] of B, c[i][j] of C) and its value underneath; '.' is an empty register, 'pad' a "
               "register outside the GEMM (a partial tile).");
}

int cmd_mxu_demo(int argc, char **argv)
{
    cli_machine_opts mo;
    const char *dtype = NULL;
    uint64_t seed = 1;
    uint32_t dims[3] = {4, 4, 4};
    int npos = 0, rc = 0;
    tp_config *cfg = NULL;
    tp_err err = {0};
    mxu_params p;
    tp_dtype dt = TP_INT8;
    mxu_pe *pe = NULL;
    void *a = NULL, *b = NULL, *c = NULL, *ref = NULL;
    demo d = {0};

    memset(&mo, 0, sizeof mo);
    static const char *const single[] = {"--dtype", "--seed", NULL};
    cli_seen seen = {0};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        int r = cli_machine_opt(&mo, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(s, "--dtype")) {
            if (!(dtype = cli_value(argc, argv, &i)))
                return 2;
            continue;
        }
        if (!strcmp(s, "--seed")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, 0, UINT64_MAX, &seed))
                return 2;
            continue;
        }
        if (s[0] == '-' && s[1])
            return cli_usage_error("mxu-demo: unknown flag '%s' (try 'tpusim mxu-demo --help')", s);
        if (npos >= 3)
            return cli_usage_error("mxu-demo: unexpected argument '%s' (expected M N K)", s);
        {
            static const char *const names[3] = {"M", "N", "K"};
            if (cli_parse_u32(names[npos], s, 1, DEMO_MAX_GEMM, &dims[npos]))
                return 2;
            npos++;
        }
    }
    if (npos != 0 && npos != 3)
        return cli_usage_error("mxu-demo: expected M N K together (got %d of them)", npos);
    if (!mo.config_path) {
        /* the embedded machine shrunk to a 4x4 array; the user's --set still apply after */
        static const char *const small[2] = {"tpu.array.rows=4", "tpu.array.cols=4"};
        if (mo.n_sets + 2 > CLI_MAX_SETS)
            return cli_usage_error("--set: at most %d overrides", CLI_MAX_SETS - 2);
        memmove(mo.sets + 2, mo.sets, (size_t)mo.n_sets * sizeof mo.sets[0]);
        mo.sets[0] = small[0];
        mo.sets[1] = small[1];
        mo.n_sets += 2;
    }
    if (!(cfg = malloc(sizeof *cfg)))
        return cli_usage_error("out of memory for the machine description (%zu bytes)", sizeof *cfg);
    if ((rc = cli_load_machine(&mo, cfg)) != 0)
        goto end;
    if ((rc = cli_resolve_dtype(cfg, dtype, &dt)) != 0)
        goto end;
    mxu_params_from_cfg(&p, &cfg->tpu, dt);
    p.timing = TP_TIMING_PIPELINED;   /* the demo shows the registers, which follow this timing */
    if (p.rows > DEMO_MAX_DIM || p.cols > DEMO_MAX_DIM) {
        rc = cli_usage_error("mxu-demo: a %ux%u array is too large to print (at most %ux%u; try -c "
                             "configs/teach-4x4.yaml or --set tpu.array.rows=4 --set tpu.array.cols=4)",
                             p.rows, p.cols, DEMO_MAX_DIM, DEMO_MAX_DIM);
        goto end;
    }
    {
        const uint32_t M = dims[0], N = dims[1], K = dims[2];
        const size_t in_b = dtype_in_bytes(dt);
        uint64_t folds = mxu_gemm_fold_count(&p, M, N, K);
        rng_state rs;
        rng_init(&rs, seed);
        a = small_inputs(&rs, dt, (size_t)M * K);
        b = small_inputs(&rs, dt, (size_t)K * N);
        c = calloc((size_t)M * N, 4);
        ref = malloc((size_t)M * N * 4);
        d.written = calloc((size_t)M * N, 1);
        d.fold = calloc(folds, sizeof *d.fold);
        d.cell = calloc((size_t)p.rows * p.cols, sizeof *d.cell);
        if (!a || !b || !c || !ref || !d.written || !d.fold || !d.cell) {
            rc = cli_usage_error("mxu-demo: out of memory for the %ux%ux%u matrices and the %ux%u array's cells", M, N, K,
                                 p.rows, p.cols);
            goto end;
        }
        d.f = stdout;
        d.R = p.rows;
        d.C = p.cols;
        d.M = M;
        d.N = N;
        d.K = K;
        d.dt = dt;
        d.df = p.dataflow;
        d.db = p.weight_double_buffer;
        d.rpc = p.weight_rows_per_cycle;
        d.a = a;
        d.b = b;
        d.c = c;
        d.folds = folds;
        /* run 1, silent: each fold's start cycle, which the labels are derived from */
        for (int pass = 0; pass < 2; pass++) {
            if (mxu_pe_new(&p, &pe, &err) != TP_OK) {
                rc = cli_fail(&err);
                goto end;
            }
            if (pass == 1) {
                wrapf(stdout, 2, "mxu-demo: C[%ux%u] = A[%ux%u] * B[%ux%u], %s, %ux%u %s array, %s, %llu fold%s",
                       M, N, M, K, K, N, dtype_name(dt), p.rows, p.cols, cfg_dataflow_name(p.dataflow),
                       p.dataflow == TP_DF_OS ? "nothing preloaded"
                       : p.weight_double_buffer ? "double-buffered weights" : "single-buffered weights",
                       (unsigned long long)folds, folds == 1 ? "" : "s");
                print_matrix(stdout, "A", dt, a, M, K, false);
                print_matrix(stdout, "B", dt, b, K, N, false);
                for (uint64_t i = 0; i < folds; i++) {
                    const demo_fold *fd = &d.fold[i];
                    wrapf(stdout, 2, "fold %llu: c[%u..%u][%u..%u] %s a[%u..%u][%u..%u] * b[%u..%u][%u..%u]",
                           (unsigned long long)i, fd->i0, fd->i0 + fd->op.m - 1, fd->j0, fd->j0 + fd->op.n - 1,
                           fd->op.accumulate ? "+=" : "=", fd->i0, fd->i0 + fd->op.m - 1, fd->k0,
                           fd->k0 + fd->op.k - 1, fd->k0, fd->k0 + fd->op.k - 1, fd->j0, fd->j0 + fd->op.n - 1);
                }
                putchar('\n');
                print_legend(stdout, p.dataflow, p.weight_double_buffer);
                putchar('\n');
                mxu_pe_set_observer(pe, demo_observe, &d);
            }
            memset(c, 0, (size_t)M * N * 4);
            for (uint64_t i = 0; i < folds; i++) {
                mxu_issue is;
                mxu_gemm_fold(&p, M, N, K, a, b, c, false, i, &is);
                if (pass == 0) {
                    size_t co = (size_t)((const char *)is.c - (const char *)c) / 4;
                    size_t ao = (size_t)((const char *)is.a - (const char *)a) / in_b;
                    d.fold[i].op = is.op;
                    d.fold[i].i0 = (uint32_t)(co / N);
                    d.fold[i].j0 = (uint32_t)(co % N);
                    d.fold[i].k0 = (uint32_t)(ao % K);
                }
                if (mxu_pe_issue(pe, &is, NULL, &err) != TP_OK) {
                    rc = cli_fail(&err);
                    goto end;
                }
            }
            mxu_pe_finish(pe);
            if (mxu_pe_fault(pe)) {
                fprintf(stderr, "tpusim: internal error: %s\n", mxu_pe_fault(pe));
                rc = 3;
                goto end;
            }
            if (pass == 0) {
                for (uint32_t i = 0; i < folds; i++)
                    d.fold[i].tm = *mxu_pe_op_timing(pe, i);
                mxu_pe_free(pe);
                pe = NULL;
            }
        }
        if (d.bad) {
            fflush(stdout);
            fprintf(stderr, "tpusim: internal error: %s (%llu labels disagree)\n", d.bad_msg,
                    (unsigned long long)d.bad);
            rc = 3;
            goto end;
        }
        for (uint32_t i = 0; i < folds; i++) {
            const mxu_timing *t = mxu_pe_op_timing(pe, i);
            if (p.dataflow == TP_DF_OS)
                wrapf(stdout, 2, "fold %u: C stays in the PEs, nothing preloaded; k steps stream %llu..%llu, "
                      "results in by cycle %llu", i, (unsigned long long)t->start,
                       (unsigned long long)t->stream_end - 1, (unsigned long long)t->end - 1);
            else
                wrapf(stdout, 2, "fold %u: weights shift from cycle %llu, streams %llu..%llu, results in by "
                      "cycle %llu", i, (unsigned long long)t->shift_start, (unsigned long long)t->start,
                       (unsigned long long)t->stream_end - 1, (unsigned long long)t->end - 1);
        }
        print_matrix(stdout, "C", dt, c, M, N, true);
        num_gemm_args g = {a, K, 1, b, N, 1, ref, N, M, N, K, mxu_gemm_kc(&p, K), false};
        num_gemm_ref(dt, &g);
        if (memcmp(c, ref, (size_t)M * N * 4)) {
            fprintf(stderr, "tpusim: mxu-demo: result differs from the reference GEMM\n");
            rc = 1;
        } else {
            wrapf(stdout, 2, "%llu cycles; check passed (bit-identical to the reference GEMM; every label "
                  "matched its register)", (unsigned long long)mxu_pe_now(pe));
        }
    }
end:
    mxu_pe_free(pe);
    free(a);
    free(b);
    free(c);
    free(ref);
    free(d.written);
    free(d.fold);
    free(d.cell);
    free(cfg);
    return rc;
}
