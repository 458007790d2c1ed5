/* report/plot.h: SVGs through gnuplot. A CSV metric against the first axis with a line per
 * value of the second, on the hand-written tests/data/sweep_small.csv; a roofline of points
 * under two roofs; the one-line errors; gnuplot missing from PATH. The SVG checks read what
 * gnuplot drew: its root, its texts, and one <use ... translate(...)> element per point drawn
 * (plot.c note 3: plus one per key entry of a style with points). Without gnuplot installed
 * the drawing tests are skipped (make and make test install it when root). */
#include "harness.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "report/plot.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = calloc((size_t)n + 1, 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    return s;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Points drawn: <use> elements placed with translate() (the <defs> ones carry no transform). */
static size_t drawn_points(const char *svg) { return count(svg, "' transform='translate("); }

static bool has_text(const char *svg, const char *t)
{
    char b[300];
    snprintf(b, sizeof b, "<text>%s</text>", t);
    return strstr(svg, b) != NULL;
}

static void need_gnuplot(void)
{
    char gp[4096];
    if (!plot_find_gnuplot(gp, sizeof gp))
        skip();
}

static const char *csv_path(void)
{
    static char p[4096];
    return th_path(p, sizeof p, "tests/data/sweep_small.csv");
}

static void out_path(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", th_tmpdir(), name); }

static void csv_lines_per_series(void **state)
{
    (void)state;
    need_gnuplot();
    char svg[4200];
    out_path(svg, sizeof svg, "cycles.svg");
    tp_err err = {0};
    assert_int_equal(plot_csv_metric(csv_path(), svg, "cycles", "m", "dataflow", &err), TP_OK);
    char *s = slurp(svg);
    assert_non_null(s);
    assert_true(!strncmp(s, "<?xml", 5));
    assert_non_null(strstr(s, "<svg"));
    assert_non_null(strstr(s, "</svg>"));
    assert_true(has_text(s, "dataflow=ws"));   /* one legend entry per value of the second axis */
    assert_true(has_text(s, "dataflow=os"));
    assert_true(has_text(s, "m"));             /* x axis: the first axis */
    assert_true(has_text(s, "cycles"));        /* y axis: the metric */
    /* the file's 6 rows, plus the two key samples */
    assert_int_equal(drawn_points(s), 6 + 2);
    /* each series is one polyline: the key sample's segment, then its 3 points (M L L) */
    assert_int_equal(count(s, "  '/>\t<use xlink:href='#gpPt"), 2);
    /* the same input gives the same bytes */
    char svg2[4200];
    out_path(svg2, sizeof svg2, "cycles2.svg");
    assert_int_equal(plot_csv_metric(csv_path(), svg2, "cycles", "m", "dataflow", &err), TP_OK);
    char *s2 = slurp(svg2);
    assert_non_null(s2);
    assert_string_equal(s, s2);
    free(s);
    free(s2);
}

static void csv_one_line_and_categories(void **state)
{
    (void)state;
    need_gnuplot();
    char svg[4200];
    out_path(svg, sizeof svg, "util.svg");
    tp_err err = {0};
    /* no second axis: one line titled by the metric, every row a point */
    assert_int_equal(plot_csv_metric(csv_path(), svg, "utilization", "m", NULL, &err), TP_OK);
    char *s = slurp(svg);
    assert_non_null(s);
    assert_int_equal(drawn_points(s), 6 + 1);
    assert_true(has_text(s, "utilization"));
    free(s);
    /* a text first axis: its values in order of appearance as the tics, a line per m */
    assert_int_equal(plot_csv_metric(csv_path(), svg, "cycles", "dataflow", "m", &err), TP_OK);
    s = slurp(svg);
    assert_non_null(s);
    assert_true(has_text(s, "ws"));
    assert_true(has_text(s, "os"));
    assert_true(has_text(s, "m=128"));
    assert_true(has_text(s, "m=256"));
    assert_true(has_text(s, "m=512"));
    assert_int_equal(drawn_points(s), 6 + 3);
    free(s);
}

/* plot.c note 4: a positive first axis spanning two decades is drawn on a log scale (decade
 * tics 1, 10, 100, 1000, 10000, no linear 500-step tics); one spanning less stays linear */
static void csv_log_first_axis(void **state)
{
    (void)state;
    need_gnuplot();
    char csv[4200], svg[4200];
    out_path(csv, sizeof csv, "wide.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("point,m,cycles\n0,1,100\n1,64,900\n2,4096,50000\n", f);
    fclose(f);
    out_path(svg, sizeof svg, "wide.svg");
    tp_err err = {0};
    assert_int_equal(plot_csv_metric(csv, svg, "cycles", "m", NULL, &err), TP_OK);
    char *s = slurp(svg);
    assert_non_null(s);
    assert_true(has_text(s, "1") && has_text(s, "10") && has_text(s, "100") && has_text(s, "1000"));
    assert_false(has_text(s, "500"));
    assert_int_equal(drawn_points(s), 3 + 1);
    free(s);
    f = fopen(csv, "w");
    assert_non_null(f);
    fputs("point,m,cycles\n0,1000,100\n1,2000,900\n2,4000,50000\n", f);   /* 4x: linear */
    fclose(f);
    assert_int_equal(plot_csv_metric(csv, svg, "cycles", "m", NULL, &err), TP_OK);
    s = slurp(svg);
    assert_non_null(s);
    assert_true(has_text(s, " 1500") && has_text(s, " 2500"));   /* gnuplot's default format: a leading space */
    free(s);
}

static void csv_errors(void **state)
{
    (void)state;
    char svg[1024], want[2400];
    out_path(svg, sizeof svg, "kept.svg");
    FILE *f = fopen(svg, "w");
    assert_non_null(f);
    fputs("old\n", f);
    fclose(f);
    tp_err err = {0};
    assert_int_equal(plot_csv_metric(csv_path(), svg, "joules", "m", "dataflow", &err), TP_ERR_USAGE);
    snprintf(want, sizeof want, "--plot joules: no column 'joules' in %s (numeric columns: m, cycles, utilization)",
             csv_path());
    assert_string_equal(err.msg, want);
    /* "bound" is text from its first row (file line 4) on */
    assert_int_equal(plot_csv_metric(csv_path(), svg, "bound", "m", "dataflow", &err), TP_ERR_USAGE);
    snprintf(want, sizeof want,
             "--plot bound: column 'bound' of %s is not numeric (line 4: 'memory'); numeric columns: m, cycles, utilization",
             csv_path());
    assert_string_equal(err.msg, want);
    assert_int_equal(plot_csv_metric(csv_path(), svg, "cycles", "n", "dataflow", &err), TP_ERR_USAGE);
    snprintf(want, sizeof want, "--plot cycles: no column 'n' (the first axis) in %s", csv_path());
    assert_string_equal(err.msg, want);
    assert_int_equal(plot_csv_metric(csv_path(), svg, "cycles", "m", "tile", &err), TP_ERR_USAGE);
    snprintf(want, sizeof want, "--plot cycles: no column 'tile' (the second axis) in %s", csv_path());
    assert_string_equal(err.msg, want);
    /* a malformed CSV: the position of the broken quote */
    char bad[1024];
    out_path(bad, sizeof bad, "bad.csv");
    f = fopen(bad, "w");
    assert_non_null(f);
    fputs("# comment\nm,cycles\n1,2\n3,\"4\n", f);
    fclose(f);
    assert_int_equal(plot_csv_metric(bad, svg, "cycles", "m", NULL, &err), TP_ERR_PARSE);
    snprintf(want, sizeof want, "%s:4:3: unterminated or misplaced quote", bad);
    assert_string_equal(err.msg, want);
    f = fopen(bad, "w");
    assert_non_null(f);
    fputs("m,cycles\n1,2,3\n", f);
    fclose(f);
    assert_int_equal(plot_csv_metric(bad, svg, "cycles", "m", NULL, &err), TP_ERR_PARSE);
    snprintf(want, sizeof want, "%s:2: 3 fields where the header has 2", bad);
    assert_string_equal(err.msg, want);
    f = fopen(bad, "w");
    assert_non_null(f);
    fwrite("m,cycles\n1,2\0x\n", 1, 15, f);
    fclose(f);
    assert_int_equal(plot_csv_metric(bad, svg, "cycles", "m", NULL, &err), TP_ERR_PARSE);
    snprintf(want, sizeof want, "%s:2:4: a NUL byte in a CSV line", bad);
    assert_string_equal(err.msg, want);
    /* every failure left the previous file as it was */
    char *s = slurp(svg);
    assert_non_null(s);
    assert_string_equal(s, "old\n");
    free(s);
}

static void roofline_points_and_roofs(void **state)
{
    (void)state;
    need_gnuplot();
    const plot_point pts[] = {
        {"fc1", "TPU", 50, 2e12}, {"fc2", "TPU", 300, 8e12}, {"attn_qk", "GPU", 40, 5e13},
        {"nomem", "GPU", INFINITY, 1e12},   /* no off-chip traffic: left out, counted in a note */
    };
    const plot_roof roofs[] = {{"TPU v1", 9.2e13, 3.4e10}, {"GPU A100", 3.12e14, 1.5e12}};
    plot_roofline_spec sp = {"model mlp: roofline", pts, 4, roofs, 2};
    char svg[4200];
    out_path(svg, sizeof svg, "roof.svg");
    tp_err err = {0};
    assert_int_equal(plot_roofline(&sp, "--plot", svg, &err), TP_OK);
    char *s = slurp(svg);
    assert_non_null(s);
    assert_non_null(strstr(s, "<svg"));
    assert_true(has_text(s, "TPU"));
    assert_true(has_text(s, "GPU"));
    assert_true(has_text(s, "fc1"));
    assert_true(has_text(s, "attn_qk"));   /* noenhanced: the underscore is no subscript */
    assert_true(has_text(s, "arithmetic intensity (ops per off-chip byte)"));
    assert_true(has_text(s, "ops per second"));
    /* ridges at peak / bandwidth: 9.2e13 / 3.4e10 = 2705.9, 3.12e14 / 1.5e12 = 208 */
    assert_true(has_text(s, "ridge 2706 ops/B"));
    assert_true(has_text(s, "ridge 208 ops/B"));
    assert_true(has_text(s, "1 point(s) not shown: no off-chip traffic or no time"));
    /* 3 layers + 2 ridge points, and the key's samples: ridge points, TPU, GPU */
    assert_int_equal(drawn_points(s), 3 + 2 + 3);
    free(s);
    /* no roof, or a roof without a peak: refused */
    sp.n_roofs = 0;
    assert_int_equal(plot_roofline(&sp, "--plot", svg, &err), TP_ERR_USAGE);
    const plot_roof zero = {"broken", 0, 1e9};
    sp.roofs = &zero;
    sp.n_roofs = 1;
    assert_int_equal(plot_roofline(&sp, "--plot", svg, &err), TP_ERR_USAGE);
    assert_non_null(strstr(err.msg, "roof 'broken' has no peak ops/s"));
}

static void gnuplot_missing(void **state)
{
    (void)state;
    char svg[4200];
    out_path(svg, sizeof svg, "absent.svg");
    remove(svg);
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    setenv("PATH", th_tmpdir(), 1);   /* a directory without gnuplot */
    tp_err err = {0};
    char gp[4096];
    bool found = plot_find_gnuplot(gp, sizeof gp);
    tp_status st1 = plot_csv_metric(csv_path(), svg, "cycles", "m", "dataflow", &err);
    char msg1[sizeof err.msg];
    snprintf(msg1, sizeof msg1, "%s", err.msg);
    const plot_point p = {"fc1", "TPU", 10, 1e12};
    const plot_roof r = {"TPU", 1e13, 1e11};
    plot_roofline_spec sp = {"t", &p, 1, &r, 1};
    tp_status st2 = plot_roofline(&sp, "--plot", svg, &err);
    if (saved)
        setenv("PATH", saved, 1);
    else
        unsetenv("PATH");
    free(saved);
    assert_false(found);
    assert_int_equal(st1, TP_ERR_UNSUPPORTED);
    assert_string_equal(msg1, "--plot: gnuplot not found; install it with: sudo apt-get install gnuplot-nox");
    assert_int_equal(st2, TP_ERR_UNSUPPORTED);
    assert_string_equal(err.msg, PLOT_NO_GNUPLOT);
    struct stat sb;
    assert_int_not_equal(stat(svg, &sb), 0);   /* nothing written */
}

TH_GROUP(plot)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_lines_per_series),
        cmocka_unit_test(csv_one_line_and_categories),
        cmocka_unit_test(csv_log_first_axis),
        cmocka_unit_test(csv_errors),
        cmocka_unit_test(roofline_points_and_roofs),
        cmocka_unit_test(gnuplot_missing),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
