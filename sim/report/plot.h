/* Plots as SVG, drawn by gnuplot (Debian gnuplot-nox), run as a child process.
 *
 * Two plots:
 *  - plot_csv_metric: one numeric column of a CSV (a sweep's output) against a first column,
 *    one line per value of an optional second column;
 *  - plot_roofline: layers as points (ops per off-chip byte, achieved ops/s) under one or more
 *    machines' roofs, log-log, each roof with its ridge point marked.
 *
 * How gnuplot is run. The script, with the data inline ('-' blocks), is written to an unnamed
 * temporary file (tmpfile) that becomes gnuplot's stdin; gnuplot writes the SVG to its stdout,
 * which is the descriptor of an atomic output file (base/atomic_file.h), and its stderr goes to
 * another temporary, whose first line names the failure if it exits non-zero. So no pipe can
 * fill up or break (no SIGPIPE), and a failed plot leaves the previous SVG in place. gnuplot is
 * looked up on PATH first: when it is absent the call fails with PLOT_NO_GNUPLOT (the message
 * tells the user how to install it) and writes nothing.
 *
 * Determinism: gnuplot 5.4's svg terminal embeds no date, host or random id (only its version
 * in <desc>), and every number is handed to it in full precision (%.17g), so the same input
 * and the same gnuplot give the same bytes. The terminal is `noenhanced`, so underscores in
 * column and layer names are shown as written, not as subscripts. */
#ifndef TP_REPORT_PLOT_H
#define TP_REPORT_PLOT_H
#include <stdbool.h>
#include <stddef.h>
#include "base/err.h"

/* The one line (after "tpusim: ") when gnuplot is not on PATH. */
#define PLOT_NO_GNUPLOT "--plot: gnuplot not found; install it with: sudo apt-get install gnuplot-nox"

/* The SVG canvas (pixels). */
#define PLOT_WIDTH_PX 900
#define PLOT_HEIGHT_PX 600

/* gnuplot's path on PATH into buf (true), or false when there is none. */
bool plot_find_gnuplot(char *buf, size_t cap);

/* Plots column `metric` of the CSV at csv_path against column x_col, one line per distinct
 * value of series_col (in the order they first appear; NULL = one line), into svg_path ("-" =
 * stdout). The CSV: lines starting with '#' (comments) first, then a header row of column
 * names, then one row per point; fields separated by ',', optionally in double quotes ("" for
 * a quote); blank lines are skipped. The metric must be numeric (every row a finite number).
 * A numeric x is plotted as numbers, each line sorted by x; any other x as categories in the
 * order they first appear. Errors (one line, TP_ERR_USAGE for a bad column, TP_ERR_PARSE for
 * a malformed CSV, TP_ERR_IO, PLOT_NO_GNUPLOT as TP_ERR_UNSUPPORTED):
 *   "--plot cycles: no column 'cycles' in s.csv (numeric columns: m, n, util)"
 *   "--plot dataflow: column 'dataflow' of s.csv is not numeric (line 4: 'ws'); numeric
 *    columns: m, n, util"
 * On failure svg_path is untouched. */
tp_status plot_csv_metric(const char *csv_path, const char *svg_path, const char *metric, const char *x_col,
                          const char *series_col, tp_err *err);

/* One point of a roofline: a layer's run. */
typedef struct {
    const char *name;         /* the layer, written beside its point */
    const char *series;       /* the machine it ran on ("TPU", "GPU"): one legend entry and
                                 point style per distinct series, in order of first appearance */
    double intensity;         /* ops per off-chip bus byte (stats' intensity) */
    double ops_per_s;         /* achieved ops per second */
} plot_point;

/* One roof: min(peak_ops_per_s, intensity x peak_bytes_per_s), its ridge point at
 * peak_ops_per_s / peak_bytes_per_s ops per byte. */
typedef struct {
    const char *name;         /* "TPU default int8" */
    double peak_ops_per_s;
    double peak_bytes_per_s;  /* off-chip; INFINITY (or 0) = no memory roof, only the flat one */
} plot_roof;

typedef struct {
    const char *title;        /* the plot's title, e.g. "model mlp: roofline" */
    const plot_point *points;
    size_t n_points;
    const plot_roof *roofs;   /* at least one */
    size_t n_roofs;
} plot_roofline_spec;

/* Draws the roofline into svg_path ("-" = stdout); flag names the option in messages
 * ("--plot"). Points that cannot sit on log axes (intensity or ops/s not finite and positive:
 * a run with no off-chip traffic, or no time) are left out and counted in a note on the plot.
 * Errors as plot_csv_metric's; TP_ERR_USAGE when there is no roof or a roof's peak is not
 * positive. */
tp_status plot_roofline(const plot_roofline_spec *s, const char *flag, const char *svg_path, tp_err *err);
#endif
