/* Plots through gnuplot: see plot.h for how gnuplot is run and why the output is deterministic.
 *
 * NOTES
 * 1. The data goes inline: every plotted element is one '-' block of the script ending in
 *    "e", written in the order of the plot command's elements. Numbers are written with %.17g
 *    so gnuplot sees exactly the values it was given.
 * 2. Strings inside the script (titles, labels, column names) go in single quotes, where
 *    gnuplot knows no escapes but '' for a quote; control characters become spaces, so a name
 *    cannot end a command. Layer names inside a data block go in double quotes, with any
 *    double quote turned into a single one.
 * 3. Counting what was drawn: gnuplot's svg terminal draws each point as one
 *    <use xlink:href='#gpPtN' ...> element and each key entry of a style with points as one
 *    more; tests count them (tests/test_plot.c).
 * 4. A sweep's first axis is drawn on a log scale when its values are numbers, all positive,
 *    and span two decades or more (the largest at least 100 times the smallest: batch 1 to
 *    16384, bandwidth 16 GB/s to 3 TB/s), where a linear axis would crush the small values into
 *    one pixel column; otherwise linear. */
#include "report/plot.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/atomic_file.h"
#include "base/readfile.h"

bool plot_find_gnuplot(char *buf, size_t cap)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return false;
    const char *p = path;
    for (;;) {
        const char *e = strchr(p, ':');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        int n = len ? snprintf(buf, cap, "%.*s/gnuplot", (int)len, p) : snprintf(buf, cap, "./gnuplot");
        if (n > 0 && (size_t)n < cap && access(buf, X_OK) == 0)
            return true;
        if (!e)
            return false;
        p = e + 1;
    }
}

/* Note 2: a single-quoted gnuplot string. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'')
            fputs("''", f);
        else
            fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('\'', f);
}

/* Note 2: a double-quoted string inside a data block. */
static void put_data_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c == '"' ? '\'' : c < 0x20 || c == 0x7f ? ' ' : c, f);
    }
    fputc('"', f);
}

static void put_header(FILE *f, const char *title, const char *xlabel, const char *ylabel)
{
    fprintf(f, "set terminal svg size %d,%d fixed noenhanced font 'sans,12' background rgb 'white'\n", PLOT_WIDTH_PX,
            PLOT_HEIGHT_PX);
    fputs("set output\nset encoding utf8\nset grid\nset key outside right top\nset title ", f);
    put_quoted(f, title);
    fputs("\nset xlabel ", f);
    put_quoted(f, xlabel);
    fputs("\nset ylabel ", f);
    put_quoted(f, ylabel);
    fputc('\n', f);
}

/* Runs gnuplot on the script in `script` (a tmpfile, fully written) with its stdout going to
 * svg_path through an atomic file. */
static tp_status run_gnuplot(FILE *script, const char *flag, const char *svg_path, tp_err *err)
{
    char gp[4096];
    if (!plot_find_gnuplot(gp, sizeof gp))
        return tp_err_set(err, TP_ERR_UNSUPPORTED, PLOT_NO_GNUPLOT);
    if (fflush(script) || ferror(script) || fseek(script, 0, SEEK_SET))
        return tp_err_set(err, TP_ERR_IO, "%s %s: cannot write gnuplot's script: %s", flag, svg_path, strerror(errno));
    FILE *errf = tmpfile();
    if (!errf)
        return tp_err_set(err, TP_ERR_IO, "%s %s: cannot make a temporary file: %s", flag, svg_path, strerror(errno));
    afile a;
    tp_status st = afile_open(&a, flag, svg_path, false, err);
    if (st != TP_OK) {
        fclose(errf);
        return st;
    }
    fflush(a.f);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        afile_abort(&a);
        fclose(errf);
        return tp_err_set(err, TP_ERR_IO, "%s %s: cannot start gnuplot: %s", flag, svg_path, strerror(e));
    }
    if (pid == 0) {   /* the child: only async-signal-safe calls until exec */
        if (dup2(fileno(script), 0) < 0 || dup2(fileno(a.f), 1) < 0 || dup2(fileno(errf), 2) < 0)
            _exit(126);
        char *const args[] = {gp, NULL};
        execv(gp, args);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) {
            ws = -1;
            break;
        }
    bool ok = ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (ok) {
        fclose(errf);
        /* gnuplot wrote through the descriptor; the stream itself holds nothing */
        return afile_commit(&a, false, err);
    }
    char line[300] = "";
    rewind(errf);
    while (fgets(line, sizeof line, errf)) {   /* gnuplot's message: the first non-blank line */
        line[strcspn(line, "\r\n")] = '\0';
        if (line[strspn(line, " \t^")])
            break;
        line[0] = '\0';
    }
    fclose(errf);
    afile_abort(&a);
    if (ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "%s %s: cannot run %s", flag, svg_path, gp);
    return tp_err_set(err, TP_ERR_IO, "%s %s: gnuplot failed (%s %d)%s%s", flag, svg_path,
                      ws != -1 && WIFSIGNALED(ws) ? "signal" : "exit",
                      ws == -1 ? -1 : WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws), line[0] ? ": " : "",
                      line + strspn(line, " \t"));
}

/* ---- CSV ---------------------------------------------------------------------------------- */

typedef struct {
    char **cell;          /* rows x cols, row-major; row 0 is the header */
    size_t rows, cols;
    int *line;            /* each row's line number in the file */
} csv_table;

static void csv_free(csv_table *t)
{
    if (t->cell)
        for (size_t i = 0; i < t->rows * t->cols; i++)
            free(t->cell[i]);
    free(t->cell);
    free(t->line);
    memset(t, 0, sizeof *t);
}

/* Splits one line (no newline) into fields; *nf their count. Returns NULL on a broken quote
 * (*bad_col its 1-based column) or out of memory (*bad_col 0). */
static char **csv_split(const char *s, size_t *nf, size_t *bad_col)
{
    size_t cap = 8, n = 0, len = strlen(s);
    char **f = malloc(cap * sizeof *f);
    char *buf = malloc(len + 1);
    const char *p = s;
    *bad_col = 0;
    if (!f || !buf)
        goto fail;
    for (;;) {
        size_t o = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            const char *q0 = p++;
            for (;;) {
                if (!*p) {
                    *bad_col = (size_t)(q0 - s) + 1;
                    goto fail;
                }
                if (*p == '"' && p[1] == '"') {
                    buf[o++] = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    buf[o++] = *p++;
                }
            }
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p && *p != ',') {
                *bad_col = (size_t)(p - s) + 1;
                goto fail;
            }
        } else {
            while (*p && *p != ',')
                buf[o++] = *p++;
            while (o && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
                o--;
        }
        buf[o] = '\0';
        if (n == cap) {
            char **g = realloc(f, 2 * cap * sizeof *f);
            if (!g)
                goto fail;
            f = g;
            cap *= 2;
        }
        if (!(f[n] = strdup(buf)))
            goto fail;
        n++;
        if (*p != ',')
            break;
        p++;
    }
    free(buf);
    *nf = n;
    return f;
fail:
    for (size_t i = 0; f && i < n; i++)
        free(f[i]);
    free(f);
    free(buf);
    return NULL;
}

static tp_status csv_load(const char *path, csv_table *t, tp_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f)
        return tp_err_set(err, TP_ERR_IO, "--plot: cannot open %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t lcap = 0, rcap = 0;
    ssize_t got;
    int ln = 0;
    tp_status st = TP_OK;
    while (st == TP_OK && (got = getline(&line, &lcap, f)) >= 0) {
        ln++;
        if ((size_t)got != strlen(line)) {
            st = tp_err_at(err, TP_ERR_PARSE, path, ln, (int)strlen(line) + 1, "a NUL byte in a CSV line");
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[strspn(line, " \t")])
            continue;   /* blank */
        if (line[strspn(line, " \t")] == '#' && t->rows == 0)
            continue;   /* comments before the header */
        size_t nf, bad;
        char **fl = csv_split(line, &nf, &bad);
        if (!fl) {
            st = bad ? tp_err_at(err, TP_ERR_PARSE, path, ln, (int)bad, "unterminated or misplaced quote")
                     : tp_err_set(err, TP_ERR_NOMEM, "--plot: out of memory reading %s", path);
            break;
        }
        if (t->rows == 0)
            t->cols = nf;
        if (nf != t->cols) {
            st = tp_err_at(err, TP_ERR_PARSE, path, ln, 0, "%zu fields where the header has %zu", nf, t->cols);
        } else if (t->rows == rcap) {
            size_t nc = rcap ? 2 * rcap : 16;
            char **c2 = realloc(t->cell, nc * t->cols * sizeof *c2);
            if (c2)
                t->cell = c2;
            int *l2 = c2 ? realloc(t->line, nc * sizeof *l2) : NULL;
            if (l2)
                t->line = l2;
            if (!c2 || !l2)
                st = tp_err_set(err, TP_ERR_NOMEM, "--plot: out of memory reading %s", path);
            else
                rcap = nc;
        }
        if (st == TP_OK) {
            memcpy(t->cell + t->rows * t->cols, fl, nf * sizeof *fl);
            t->line[t->rows++] = ln;
        } else {
            for (size_t i = 0; i < nf; i++)
                free(fl[i]);
        }
        free(fl);
    }
    if (st == TP_OK && ferror(f))
        st = tp_err_set(err, TP_ERR_IO, "--plot: cannot read %s: %s", path, strerror(errno));
    if (st == TP_OK && t->rows == 0)
        st = tp_err_set(err, TP_ERR_PARSE, "--plot: %s has no header row", path);
    free(line);
    fclose(f);
    if (st != TP_OK)
        csv_free(t);
    return st;
}

static const char *cell(const csv_table *t, size_t r, size_t c) { return t->cell[r * t->cols + c]; }

static bool parse_num(const char *s, double *v)
{
    char *e;
    errno = 0;
    double x = strtod(s, &e);
    if (e == s || *e || !isfinite(x))
        return false;
    *v = x;
    return true;
}

/* The first row (1-based file line) where column c is not a number, 0 if every row is. */
static size_t non_numeric_row(const csv_table *t, size_t c)
{
    double v;
    for (size_t r = 1; r < t->rows; r++)
        if (!parse_num(cell(t, r, c), &v))
            return r;
    return 0;
}

static void numeric_list(const csv_table *t, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < t->cols && t->rows > 1; c++)
        if (!non_numeric_row(t, c) && o < cap) {
            int n = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", cell(t, 0, c));
            o += n > 0 ? (size_t)n : 0;
        }
    if (!buf[0])
        snprintf(buf, cap, "none");
}

static long find_col(const csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (!strcmp(cell(t, 0, c), name))
            return (long)c;
    return -1;
}

typedef struct {
    double x;
    size_t row;
} xrow;

static int cmp_xrow(const void *a, const void *b)
{
    const xrow *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return p->row < q->row ? -1 : p->row > q->row;   /* stable: file order */
}

/* Index of s in the first n entries of v (strings), or n. */
static size_t str_index(const char *const *v, size_t n, const char *s)
{
    size_t i = 0;
    while (i < n && strcmp(v[i], s))
        i++;
    return i;
}

tp_status plot_csv_metric(const char *csv_path, const char *svg_path, const char *metric, const char *x_col,
                          const char *series_col, tp_err *err)
{
    csv_table t;
    tp_status st = csv_load(csv_path, &t, err);
    if (st != TP_OK)
        return st;
    char nums[400];
    numeric_list(&t, nums, sizeof nums);
    long mc = find_col(&t, metric), xc = find_col(&t, x_col), sc = series_col ? find_col(&t, series_col) : -1;
    size_t bad = 0;
    FILE *f = NULL;
    const char **xs = NULL, **ss = NULL;
    xrow *order = NULL;
    size_t nx = 0, ns = 0, n = t.rows - 1;
    if (mc < 0)
        st = tp_err_set(err, TP_ERR_USAGE, "--plot %s: no column '%s' in %s (numeric columns: %s)", metric, metric,
                        csv_path, nums);
    else if (n == 0)
        st = tp_err_set(err, TP_ERR_USAGE, "--plot %s: %s has no rows to plot", metric, csv_path);
    else if ((bad = non_numeric_row(&t, (size_t)mc)) != 0)
        st = tp_err_set(err, TP_ERR_USAGE, "--plot %s: column '%s' of %s is not numeric (line %d: '%s'); numeric columns: %s",
                        metric, metric, csv_path, t.line[bad], cell(&t, bad, (size_t)mc), nums);
    else if (xc < 0)
        st = tp_err_set(err, TP_ERR_USAGE, "--plot %s: no column '%s' (the first axis) in %s", metric, x_col, csv_path);
    else if (series_col && sc < 0)
        st = tp_err_set(err, TP_ERR_USAGE, "--plot %s: no column '%s' (the second axis) in %s", metric, series_col,
                        csv_path);
    bool x_numeric = st == TP_OK && !non_numeric_row(&t, (size_t)xc);
    if (st == TP_OK) {
        xs = calloc(n, sizeof *xs);
        ss = calloc(n, sizeof *ss);
        order = calloc(n, sizeof *order);
        f = tmpfile();
        if (!xs || !ss || !order)
            st = tp_err_set(err, TP_ERR_NOMEM, "--plot: out of memory for %zu rows", n);
        else if (!f)
            st = tp_err_set(err, TP_ERR_IO, "--plot: cannot make a temporary file: %s", strerror(errno));
    }
    if (st == TP_OK) {
        /* the series in order of first appearance; categorical x values likewise */
        for (size_t r = 1; r <= n; r++) {
            const char *sv = sc >= 0 ? cell(&t, r, (size_t)sc) : "";
            if (str_index(ss, ns, sv) == ns)
                ss[ns++] = sv;
            const char *xv = cell(&t, r, (size_t)xc);
            if (!x_numeric && str_index(xs, nx, xv) == nx)
                xs[nx++] = xv;
        }
        char title[400];
        snprintf(title, sizeof title, "%s against %s%s%s", metric, x_col, series_col ? ", a line per " : "",
                 series_col ? series_col : "");
        put_header(f, title, x_col, metric);
        if (x_numeric) {   /* positive values over two decades or more: a log x axis (note 4) */
            double lo = INFINITY, hi = 0, x;
            for (size_t r = 1; r <= n; r++)
                if (parse_num(cell(&t, r, (size_t)xc), &x)) {
                    lo = x < lo ? x : lo;
                    hi = x > hi ? x : hi;
                }
            if (lo > 0 && isfinite(lo) && hi >= 100 * lo)
                fputs("set logscale x 10\nset format x '%g'\n", f);
        }
        if (!x_numeric) {   /* categories at 0, 1, ... with their names as tics */
            fputs("set xtics (", f);
            for (size_t i = 0; i < nx; i++) {
                fputs(i ? ", " : "", f);
                put_quoted(f, xs[i]);
                fprintf(f, " %zu", i);
            }
            fprintf(f, ")\nset xrange [-0.5:%g]\n", (double)nx - 0.5);
        }
        fputs("plot ", f);
        for (size_t i = 0; i < ns; i++) {
            char st_title[400];
            if (series_col)
                snprintf(st_title, sizeof st_title, "%s=%s", series_col, ss[i]);
            else
                snprintf(st_title, sizeof st_title, "%s", metric);
            fprintf(f, "%s'-' using 1:2 with linespoints lw 2 pt %zu ps 1 title ", i ? ", \\\n  " : "", 1 + i % 13);
            put_quoted(f, st_title);
        }
        fputc('\n', f);
        for (size_t i = 0; i < ns; i++) {   /* note 1: one block per series, sorted by x */
            size_t k = 0;
            for (size_t r = 1; r <= n; r++) {
                if (sc >= 0 && strcmp(cell(&t, r, (size_t)sc), ss[i]))
                    continue;
                double x = 0;
                if (x_numeric)
                    parse_num(cell(&t, r, (size_t)xc), &x);
                else
                    x = (double)str_index(xs, nx, cell(&t, r, (size_t)xc));
                order[k++] = (xrow){x, r};
            }
            qsort(order, k, sizeof *order, cmp_xrow);
            for (size_t j = 0; j < k; j++) {
                double y = 0;
                parse_num(cell(&t, order[j].row, (size_t)mc), &y);
                fprintf(f, "%.17g %.17g\n", order[j].x, y);
            }
            fputs("e\n", f);
        }
        st = run_gnuplot(f, "--plot", svg_path, err);
    }
    if (f)
        fclose(f);
    free(xs);
    free(ss);
    free(order);
    csv_free(&t);
    return st;
}

/* ---- roofline ----------------------------------------------------------------------------- */

static bool on_log_axes(const plot_point *p) { return isfinite(p->intensity) && p->intensity > 0 && isfinite(p->ops_per_s) && p->ops_per_s > 0; }
static bool has_memory_roof(const plot_roof *r) { return isfinite(r->peak_bytes_per_s) && r->peak_bytes_per_s > 0; }

tp_status plot_roofline(const plot_roofline_spec *s, const char *flag, const char *svg_path, tp_err *err)
{
    if (!s->n_roofs)
        return tp_err_set(err, TP_ERR_USAGE, "%s %s: a roofline needs a machine's roof", flag, svg_path);
    for (size_t i = 0; i < s->n_roofs; i++)
        if (!(isfinite(s->roofs[i].peak_ops_per_s) && s->roofs[i].peak_ops_per_s > 0))
            return tp_err_set(err, TP_ERR_USAGE, "%s %s: roof '%s' has no peak ops/s", flag, svg_path, s->roofs[i].name);
    /* the axes: a factor 4 around every point and ridge, at least two decades of intensity */
    double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0;
    size_t hidden = 0;
    for (size_t i = 0; i < s->n_points; i++) {
        const plot_point *p = &s->points[i];
        if (!on_log_axes(p)) {
            hidden++;
            continue;
        }
        xmin = fmin(xmin, p->intensity);
        xmax = fmax(xmax, p->intensity);
        ymin = fmin(ymin, p->ops_per_s);
        ymax = fmax(ymax, p->ops_per_s);
    }
    for (size_t i = 0; i < s->n_roofs; i++) {
        const plot_roof *r = &s->roofs[i];
        ymax = fmax(ymax, r->peak_ops_per_s);
        if (has_memory_roof(r)) {
            double ridge = r->peak_ops_per_s / r->peak_bytes_per_s;
            xmin = fmin(xmin, ridge);
            xmax = fmax(xmax, ridge);
        }
    }
    if (!(xmax > 0)) {   /* neither a point nor a ridge: intensity 1 in the middle */
        xmin = xmax = 1;
    }
    xmin /= 4;
    xmax *= 4;
    if (xmax < 100 * xmin) {
        double mid = sqrt(xmin * xmax);
        xmin = mid / 10;
        xmax = mid * 10;
    }
    for (size_t i = 0; i < s->n_roofs; i++)   /* the roofs' feet at the left edge */
        if (has_memory_roof(&s->roofs[i]))
            ymin = fmin(ymin, fmin(s->roofs[i].peak_ops_per_s, s->roofs[i].peak_bytes_per_s * xmin));
    if (!isfinite(ymin))
        ymin = ymax / 100;
    ymin /= 4;
    ymax *= 2;
    /* the series, in order of first appearance */
    const char **ser = calloc(s->n_points ? s->n_points : 1, sizeof *ser);
    FILE *f = tmpfile();
    if (!ser || !f) {
        free(ser);
        if (f)
            fclose(f);
        return tp_err_set(err, TP_ERR_IO, "%s %s: cannot make a temporary file", flag, svg_path);
    }
    size_t ns = 0;
    for (size_t i = 0; i < s->n_points; i++) {
        const char *nm = s->points[i].series ? s->points[i].series : "";
        if (on_log_axes(&s->points[i]) && str_index(ser, ns, nm) == ns)
            ser[ns++] = nm;
    }
    put_header(f, s->title ? s->title : "roofline", "arithmetic intensity (ops per off-chip byte)", "ops per second");
    fputs("set key inside left top box opaque font 'sans,10'\nset logscale xy 10\nset format y '%.0s%c'\nset format x '%g'\n", f);
    fprintf(f, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n", xmin, xmax, ymin, ymax);
    int tag = 1;
    for (size_t i = 0; i < s->n_roofs; i++) {   /* the ridge points' labels */
        const plot_roof *r = &s->roofs[i];
        if (!has_memory_roof(r))
            continue;
        char lab[120];
        snprintf(lab, sizeof lab, "ridge %.4g ops/B", r->peak_ops_per_s / r->peak_bytes_per_s);
        fprintf(f, "set label %d ", tag++);
        put_quoted(f, lab);
        fprintf(f, " at %.17g,%.17g offset 0.5,0.8 left\n", r->peak_ops_per_s / r->peak_bytes_per_s, r->peak_ops_per_s);
    }
    if (hidden) {
        char lab[160];
        snprintf(lab, sizeof lab, "%zu point(s) not shown: no off-chip traffic or no time", hidden);
        fprintf(f, "set label %d ", tag++);
        put_quoted(f, lab);
        fputs(" at graph 0.02,0.04 left\n", f);
    }
    /* elements: each roof's line, the ridge points, then per series its points and its labels */
    fputs("plot ", f);
    const char *sep = "";
    for (size_t i = 0; i < s->n_roofs; i++) {
        const plot_roof *r = &s->roofs[i];
        char t[300];
        if (has_memory_roof(r))
            snprintf(t, sizeof t, "%s roof: %.4g ops/s, %.4g B/s", r->name, r->peak_ops_per_s, r->peak_bytes_per_s);
        else
            snprintf(t, sizeof t, "%s roof: %.4g ops/s", r->name, r->peak_ops_per_s);
        fprintf(f, "%s'-' using 1:2 with lines lw 2 dt %zu lc rgb 'black' title ", sep, 1 + i % 5);
        put_quoted(f, t);
        sep = ", \\\n  ";
    }
    bool any_ridge = false;
    for (size_t i = 0; i < s->n_roofs; i++)
        any_ridge = any_ridge || has_memory_roof(&s->roofs[i]);
    if (any_ridge) {
        fprintf(f, "%s'-' using 1:2 with points pt 6 ps 1.5 lc rgb 'black' title 'ridge points'", sep);
        sep = ", \\\n  ";
    }
    for (size_t i = 0; i < ns; i++) {
        fprintf(f, "%s'-' using 1:2 with points pt %zu ps 1.3 lc %zu title ", sep, i % 2 ? (size_t)9 : (size_t)7, 1 + i);
        put_quoted(f, ser[i][0] ? ser[i] : "runs");
        fprintf(f, ", \\\n  '-' using 1:2:3 with labels left offset 0.6,0.4 font 'sans,9' tc lt %zu notitle", 1 + i);
    }
    fputc('\n', f);
    for (size_t i = 0; i < s->n_roofs; i++) {   /* note 1: the roof lines */
        const plot_roof *r = &s->roofs[i];
        if (has_memory_roof(r)) {
            double ridge = r->peak_ops_per_s / r->peak_bytes_per_s;
            fprintf(f, "%.17g %.17g\n", xmin, fmin(r->peak_ops_per_s, r->peak_bytes_per_s * xmin));
            if (ridge > xmin && ridge < xmax)
                fprintf(f, "%.17g %.17g\n", ridge, r->peak_ops_per_s);
        } else {
            fprintf(f, "%.17g %.17g\n", xmin, r->peak_ops_per_s);
        }
        fprintf(f, "%.17g %.17g\ne\n", xmax, has_memory_roof(r) ? fmin(r->peak_ops_per_s, r->peak_bytes_per_s * xmax)
                                                                  : r->peak_ops_per_s);
    }
    if (any_ridge) {
        for (size_t i = 0; i < s->n_roofs; i++)
            if (has_memory_roof(&s->roofs[i]))
                fprintf(f, "%.17g %.17g\n", s->roofs[i].peak_ops_per_s / s->roofs[i].peak_bytes_per_s,
                        s->roofs[i].peak_ops_per_s);
        fputs("e\n", f);
    }
    for (size_t i = 0; i < ns; i++)
        for (int pass = 0; pass < 2; pass++) {   /* the points, then the same with their names */
            for (size_t k = 0; k < s->n_points; k++) {
                const plot_point *p = &s->points[k];
                if (!on_log_axes(p) || strcmp(p->series ? p->series : "", ser[i]))
                    continue;
                fprintf(f, "%.17g %.17g", p->intensity, p->ops_per_s);
                if (pass) {
                    fputc(' ', f);
                    put_data_string(f, p->name ? p->name : "");
                }
                fputc('\n', f);
            }
            fputs("e\n", f);
        }
    tp_status st = run_gnuplot(f, flag, svg_path, err);
    fclose(f);
    free(ser);
    return st;
}
