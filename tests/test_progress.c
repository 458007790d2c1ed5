/* The progress bar (base/progress.h): its line, rate and ETA with an injected clock, the
 * throttle, the erase at the end, and silence when disabled. */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/progress.h"

static double fake_clock(void *ctx) { return *(const double *)ctx; }

static void rate_strings(void **state)
{
    (void)state;
    char b[32];
    progress_format_rate(0, b, sizeof b);
    assert_string_equal(b, "0");
    progress_format_rate(12.5, b, sizeof b);
    assert_string_equal(b, "12.5");
    progress_format_rate(999, b, sizeof b);
    assert_string_equal(b, "999");
    progress_format_rate(1234, b, sizeof b);          /* 1.234k to 3 digits */
    assert_string_equal(b, "1.23k");
    progress_format_rate(2.5e6, b, sizeof b);
    assert_string_equal(b, "2.5M");
    progress_format_rate(999.6, b, sizeof b);         /* rounds up to 1000: shown as 1k */
    assert_string_equal(b, "1k");
    progress_format_rate(-1, b, sizeof b);
    assert_string_equal(b, "0");
}

static void eta_strings(void **state)
{
    (void)state;
    char b[32];
    progress_format_eta(0, b, sizeof b);
    assert_string_equal(b, "0:00");
    progress_format_eta(4.4, b, sizeof b);
    assert_string_equal(b, "0:04");
    progress_format_eta(754, b, sizeof b);            /* 12 min 34 s */
    assert_string_equal(b, "12:34");
    progress_format_eta(3723, b, sizeof b);           /* 1 h 2 min 3 s */
    assert_string_equal(b, "1:02:03");
    progress_format_eta(-1, b, sizeof b);
    assert_string_equal(b, "--:--");
}

static void line_from_fake_times(void **state)
{
    (void)state;
    double now = 100.0;
    progress p;
    progress_init_with(&p, 200, "gemm", "instructions", NULL, false, fake_clock, &now);
    progress_update(&p, 50);
    char line[256];
    /* 50 of 200 in 2 s: 25/s, 150 left at 25/s = 6 s; a quarter of 20 cells filled */
    progress_format(&p, 102.0, line, sizeof line);
    assert_string_equal(line, "gemm [#####...............]  25%  25 instructions/s  ETA 0:06");
    progress_update(&p, 200);
    progress_format(&p, 104.0, line, sizeof line);   /* 200 in 4 s = 50/s, nothing left */
    assert_string_equal(line, "gemm [####################] 100%  50 instructions/s  ETA 0:00");
    progress_update(&p, 500);                         /* clamped to the total */
    assert_int_equal(p.done, 200);
    progress_format(&p, 100.0, line, sizeof line);   /* no time has passed: rate 0, ETA unknown */
    assert_string_equal(line, "gemm [####################] 100%  0 instructions/s  ETA --:--");
    progress_init_with(&p, 0, "sweep", "points", NULL, false, fake_clock, &now);
    progress_update(&p, 3000);
    progress_format(&p, 101.0, line, sizeof line);   /* no total: count and rate only */
    assert_string_equal(line, "sweep  3000 points  3k points/s");
}

/* what the bar wrote to a stream */
static char *drawn(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    char *s = calloc((size_t)n + 1, 1);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    return s;
}

static void throttle_and_erase(void **state)
{
    (void)state;
    double now = 0.0;
    FILE *f = tmpfile();
    assert_non_null(f);
    progress p;
    progress_init_with(&p, 10, "model", "layers", f, true, fake_clock, &now);
    now = 0.01;
    progress_update(&p, 1);   /* first update: drawn */
    now = 0.05;
    progress_update(&p, 2);   /* 40 ms later: throttled */
    now = 0.2;
    progress_update(&p, 5);   /* 150 ms after the last draw: drawn */
    progress_finish(&p);
    char *s = drawn(f);
    char want[512], l1[200], l2[200];
    progress_format(&(progress){.total = 10, .done = 1, .t0_s = 0, .label = "model", .unit = "layers"}, 0.01, l1,
                    sizeof l1);
    progress_format(&(progress){.total = 10, .done = 5, .t0_s = 0, .label = "model", .unit = "layers"}, 0.2, l2,
                    sizeof l2);
    snprintf(want, sizeof want, "\r%s\033[K\r%s\033[K\r\033[K", l1, l2);
    assert_string_equal(s, want);
    assert_non_null(strstr(l2, " 50%  25 layers/s  ETA 0:00"));   /* 5 in 0.2 s, 5 left: 0.2 s */
    free(s);
    fclose(f);
}

static void disabled_writes_nothing(void **state)
{
    (void)state;
    double now = 0.0;
    FILE *f = tmpfile();
    assert_non_null(f);
    progress p;
    progress_init_with(&p, 10, "gemm", "instructions", f, false, fake_clock, &now);
    for (int i = 0; i <= 10; i++) {
        now += 1.0;
        progress_update(&p, (uint64_t)i);
    }
    progress_finish(&p);
    progress_cb(&p, 3, 20);   /* the callback form sets the total too */
    assert_int_equal(p.total, 20);
    assert_int_equal(p.done, 3);
    fflush(f);
    assert_int_equal(ftell(f), 0);
    fclose(f);
    /* progress_init draws only on a terminal stderr, and never when not enabled (--quiet) */
    progress_init(&p, 10, "gemm", "instructions", true);
    assert_int_equal(p.enabled, isatty(fileno(stderr)) != 0);
    progress_init(&p, 10, "gemm", "instructions", false);
    assert_false(p.enabled);
}

TH_GROUP(progress)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rate_strings),
        cmocka_unit_test(eta_strings),
        cmocka_unit_test(line_from_fake_times),
        cmocka_unit_test(throttle_and_erase),
        cmocka_unit_test(disabled_writes_nothing),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
