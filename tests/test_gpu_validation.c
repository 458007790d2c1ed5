/* The GPU model against published measurements (tests/data/validation/gpu/, sources in each
 * file's header): the A100 bf16 rows from LLMCompass (host-timed torch.matmul, so run with
 * gpu.launch_overhead=21us, the fixed cost LLMCompass models for the same data; the chip was
 * not throttled, so at the boost clock) and the V100 fp16 DeepBench rows (back-to-back cuBLAS
 * calls: the config's device-side launch overhead). Efficiency = 2MNK / seconds / dense
 * datasheet peak (312 and 125 TFLOPS). Prints the table docs/validation.md carries.
 *
 * The targets (issue 10): |error| <= 10 points where the measured efficiency is >= 50%,
 * <= 15 below; every A100 row and >= 90% of the V100 rows; median |error| <= 5 points per set.
 * Asserted here are those targets (docs/validation.md, "GPU"). The V100 runs at the sustained
 * clock its config derives from a measured tensor-core loop; sustained_clocks_cited checks each
 * config's clock against tests/data/validation/gpu/sustained_clocks.csv. */
#include "harness.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "gpu/gpu.h"

#define V100_WITHIN_PCT 90      /* the target; achieved: 70 of 75 rows (93%) */
#define V100_MEDIAN_POINTS 5.0  /* the target; achieved: 3.3 */

#if defined(__SANITIZE_ADDRESS__)
#define V100_STRIDE 8   /* the sanitizer build runs every 8th V100 row (the same code, in time)
                           and checks the set's figures only in the release build */
#else
#define V100_STRIDE 1
#endif

typedef struct {
    int rows, within, scored;
    double err[128];
} tally;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One row: runs it, prints a table line, tallies the error in points. */
static void row(const tp_config *c, tally *t, const char *gpu, uint32_t m, uint32_t n, uint32_t k, bool ta, bool tb,
                bool fp16, double peak_tflops, double measured_tflops, const char *how, const char *cfg,
                const char *sets)
{
    gemm_problem pb;
    gpu_run_opts o;
    gpu_run_info info;
    tp_stats s;
    tp_err e = {0};
    double meas, pred, err;
    memset(&pb, 0, sizeof pb);
    memset(&o, 0, sizeof o);
    pb.m = m, pb.n = n, pb.k = k, pb.batch = 1, pb.dtype = TP_BF16;
    pb.transpose_a = ta, pb.transpose_b = tb;
    o.fp16 = fp16;
    stats_init(&s);
    if (gpu_run_gemm_opts(c, &pb, &o, &s, &info, &e) != TP_OK)
        fail_msg("%ux%ux%u: %s", m, n, k, e.msg);
    assert_int_equal(stats_check(&s, &e), TP_OK);
    meas = 100.0 * measured_tflops / peak_tflops;
    pred = 100.0 * 2.0 * m * n * k / s.seconds / (peak_tflops * 1e12);
    err = pred - meas;
    /* the last column: the command that reproduces the row (tests/cli/47_gpu.sh runs it) */
    printf("| %s | %u x %u x %u%s%s | %s | %.1f%% | %.1f%% | %+.1f | %s | `tpusim gemm %u %u %u -c %s --dtype %s --no-data%s%s%s` |\n",
           gpu, m, n, k, ta ? " (A^T)" : "", tb ? " (B^T)" : "", how, meas, pred, err, stats_attr_get(&s, "kernel"), m, n,
           k, cfg, fp16 ? "fp16" : "bf16", ta ? " --transpose-a" : "", tb ? " --transpose-b" : "", sets);
    t->err[t->rows++] = fabs(err);
    t->scored++;
    if (fabs(err) <= (meas >= 50.0 ? 10.0 : 15.0))
        t->within++;
    stats_free(&s);
}

static FILE *open_data(const char *rel)
{
    char path[512];
    FILE *f = fopen(th_path(path, sizeof path, rel), "r");
    if (!f)
        fail_msg("cannot open %s", rel);
    return f;
}

static void a100_bf16_llmcompass(void **state)
{
    (void)state;
    const char *sets[] = {"gpu.launch_overhead=21us"};
    tp_config *c = calloc(1, sizeof *c);
    char path[512], line[256];
    tp_err e = {0};
    tally t;
    FILE *f;
    memset(&t, 0, sizeof t);
    assert_non_null(c);
    if (cfg_load(th_path(path, sizeof path, "configs/gpu-a100.yaml"), sets, 1, c, &e) != TP_OK)
        fail_msg("%s", e.msg);
    f = open_data("tests/data/validation/gpu/a100_bf16_gemm_measured.csv");
    printf("| GPU | shape | measured how | published | tpusim | error (points) | kernel chosen | command |\n"
           "|---|---|---|---|---|---|---|---|\n");
    while (fgets(line, sizeof line, f)) {
        unsigned m, n, k;
        double ms, tf;
        if (line[0] == '#' || sscanf(line, "%u,%u,%u,%lf,%lf", &m, &n, &k, &ms, &tf) != 5)
            continue;
        row(c, &t, "A100 SXM bf16", m, n, k, false, false, false, 312.0, tf,
            "host-timed torch.matmul; `--set gpu.launch_overhead=21us`", "configs/gpu-a100.yaml",
            " --set gpu.launch_overhead=21us");
    }
    fclose(f);
    printf("A100: %d of %d rows within target, median |error| %.1f points\n", t.within, t.scored,
           median(t.err, t.rows));
    /* achieved: every row within 10 points, the median within 5 */
    assert_int_equal(t.within, t.scored);
    assert_true(median(t.err, t.rows) <= 5.0);
    free(c);
}

static void v100_fp16_deepbench(void **state)
{
    (void)state;
    tp_config *c = calloc(1, sizeof *c);
    char path[512], line[256];
    tp_err e = {0};
    tally t;
    FILE *f;
    int i = 0;
    memset(&t, 0, sizeof t);
    assert_non_null(c);
    if (cfg_load(th_path(path, sizeof path, "configs/gpu-v100.yaml"), NULL, 0, c, &e) != TP_OK)
        fail_msg("%s", e.msg);
    f = open_data("tests/data/validation/gpu/v100_fp16_deepbench.csv");
    printf("| GPU | shape | measured how | published | tpusim | error (points) | kernel chosen | command |\n"
           "|---|---|---|---|---|---|---|---|\n");
    while (fgets(line, sizeof line, f)) {
        unsigned m, n, k;
        char ta, tb;
        double ms, tf;
        if (line[0] == '#' || sscanf(line, "%u,%u,%u,%c,%c,%lf,%lf", &m, &n, &k, &ta, &tb, &ms, &tf) != 7)
            continue;
        if (i++ % V100_STRIDE == 0)
            row(c, &t, "V100 SXM2 fp16", m, n, k, ta == 'T', tb == 'T', true, 125.0, tf,
                "DeepBench, back-to-back cuBLAS", "configs/gpu-v100.yaml", "");
    }
    fclose(f);
    printf("V100: %d of %d rows within target, median |error| %.1f points\n", t.within, t.scored,
           median(t.err, t.rows));
    assert_true(t.scored > 0);
    if (V100_STRIDE == 1) {
        assert_true(t.within * 100 >= V100_WITHIN_PCT * t.scored);
        assert_true(median(t.err, t.rows) <= V100_MEDIAN_POINTS);
    }
    free(c);
}

/* Each config's gpu.sustained_clock is the one its source gives (sustained_clocks.csv, sources
 * in its header): a tensor-core loop's measured / theoretical TFLOPS at the boost clock scales
 * the boost clock (a loop within 1% of its theoretical figure shows no throttling: no sustained
 * clock is set), an observed clock is the clock. The loop's theoretical figure is also the
 * config's own fp16 peak at its boost clock, to 0.1 TFLOPS. */
static void sustained_clocks_cited(void **state)
{
    (void)state;
    char line[256];
    int rows = 0;
    FILE *f = open_data("tests/data/validation/gpu/sustained_clocks.csv");
    while (fgets(line, sizeof line, f)) {
        char chip[64], kind[16], rest[160], cfgpath[96], path[512];
        double boost, meas = 0, theo = 0, obs = 0, want;
        tp_config *c;
        tp_err e = {0};
        if (line[0] == '#' || !strncmp(line, "chip,", 5))
            continue;
        assert_int_equal(sscanf(line, "%63[^,],%15[^,],%lf,%159[^\n]", chip, kind, &boost, rest), 4);
        if (!strcmp(kind, "loop"))
            assert_int_equal(sscanf(rest, "%lf,%lf,,%95s", &meas, &theo, cfgpath), 3);
        else
            assert_int_equal(sscanf(rest, ",,%lf,%95s", &obs, cfgpath), 2);
        c = calloc(1, sizeof *c);
        assert_non_null(c);
        if (cfg_load(th_path(path, sizeof path, cfgpath), NULL, 0, c, &e) != TP_OK)
            fail_msg("%s", e.msg);
        assert_true(fabs((double)c->gpu.clock_hz / 1e6 - boost) < 0.5);
        if (!strcmp(kind, "loop")) {
            double peak = 2.0 * c->gpu.sms * cfg_gpu_fp16_macs_per_sm_cycle(&c->gpu) * (double)c->gpu.clock_hz;
            assert_true(fabs(peak / 1e12 - theo) < 0.1);
            want = meas / theo >= 0.99 ? boost : boost * meas / theo;
        } else
            want = obs;
        printf("%s: %s, sustained clock %.0f MHz (config %s: %.0f MHz)\n", chip, kind, want, cfgpath,
               (double)c->gpu.sustained_clock_hz / 1e6);
        assert_true(fabs((double)c->gpu.sustained_clock_hz / 1e6 - want) < 1.0);
        free(c);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 3);
}

TH_GROUP(gpu_validation)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a100_bf16_llmcompass),
        cmocka_unit_test(v100_fp16_deepbench),
        cmocka_unit_test(sustained_clocks_cited),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
