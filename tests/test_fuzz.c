/* Seeded mutation fuzzing of the input parsers: whatever bytes arrive, a parser either accepts
 * them or returns an error with a one-line, non-empty message. It never crashes, hangs or reads
 * out of bounds (the sanitizer build of this runner turns any of those into a failure).
 *
 * Each case starts from a valid input (the embedded default machine's YAML, a .npy file written by
 * npy_write) and applies a few random edits: flip a byte, delete a span, duplicate a span, insert a
 * YAML-significant character, truncate. Seeds are fixed, so failures reproduce.
 *
 * Each parser gets FUZZ_CASES inputs; TP_FUZZ_ITERS=N (N >= FUZZ_CASES) in the environment gives it
 * N instead (make check-all runs many more). The seeds stay fixed, so a longer run reproduces too. */
#include "harness.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/npy.h"
#include "base/rng.h"
#include "config/config.h"
#include "work/workload.h"

enum { FUZZ_CASES = 600, FUZZ_CASES_MAX = 100000000 };

/* The number of inputs per parser: FUZZ_CASES, or TP_FUZZ_ITERS when it is set. The variable
 * only raises the count: a value that is not a whole number in FUZZ_CASES..FUZZ_CASES_MAX fails
 * the test rather than being ignored. Called before a test allocates anything. */
static int fuzz_cases(void)
{
    const char *s = getenv("TP_FUZZ_ITERS");
    char *end;
    long n;
    if (!s || !*s)
        return FUZZ_CASES;
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || *end || n < FUZZ_CASES || n > FUZZ_CASES_MAX)
        fail_msg("TP_FUZZ_ITERS='%s': expected a whole number from %d to %d", s, FUZZ_CASES,
                 FUZZ_CASES_MAX);
    return (int)n;
}

static size_t mutate(rng_state *r, char *buf, size_t len, size_t cap)
{
    static const char specials[] = ":-[]{},#&*!|>'\"%@` \n\t0123456789.";
    int edits = 1 + (int)rng_below(r, 4);
    for (int e = 0; e < edits && len > 0; e++) {
        size_t at = (size_t)rng_below(r, len);
        switch (rng_below(r, 6)) {
        case 0: /* flip a byte */
            buf[at] = (char)rng_u32(r);
            break;
        case 1: { /* delete a span */
            size_t n = 1 + (size_t)rng_below(r, 16);
            if (at + n > len)
                n = len - at;
            memmove(buf + at, buf + at + n, len - at - n);
            len -= n;
            break;
        }
        case 2: { /* duplicate a span */
            size_t n = 1 + (size_t)rng_below(r, 24);
            if (at + n > len)
                n = len - at;
            if (len + n <= cap) {
                memmove(buf + at + n, buf + at, len - at);
                len += n;
            }
            break;
        }
        case 3: /* insert a significant character */
            if (len + 1 <= cap) {
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = specials[rng_below(r, sizeof specials - 1)];
                len++;
            }
            break;
        case 4: /* truncate */
            len = at;
            break;
        default: /* replace a digit run's first digit with a huge number */
            if (len + 12 <= cap && buf[at] >= '0' && buf[at] <= '9') {
                memmove(buf + at + 12, buf + at, len - at);
                memcpy(buf + at, "999999999999", 12);
                len += 12;
            }
            break;
        }
    }
    return len;
}

static void assert_one_line_error(const tp_err *err)
{
    assert_true(err->code != TP_OK);
    assert_true(err->msg[0] != '\0');
    assert_null(strchr(err->msg, '\n'));
}

static void config_yaml_mutations(void **state)
{
    (void)state;
    const int n_cases = fuzz_cases();
    const char *base = cfg_default_yaml();
    size_t base_len = strlen(base), cap = base_len * 2 + 64;
    char *buf = malloc(cap + 1);
    tp_config *cfg = malloc(sizeof *cfg);
    rng_state r;
    int accepted = 0, refused = 0;
    assert_non_null(buf);
    assert_non_null(cfg);
    rng_init(&r, 20261122);
    for (int i = 0; i < n_cases; i++) {
        tp_err err = {0};
        memcpy(buf, base, base_len);
        size_t len = mutate(&r, buf, base_len, cap);
        buf[len] = '\0';
        if (cfg_load_string("fuzz.yaml", buf, NULL, 0, cfg, &err) == TP_OK) {
            accepted++;
        } else {
            assert_one_line_error(&err);
            refused++;
        }
    }
    /* both outcomes occur: the mutations are neither all harmless nor all fatal */
    assert_true(accepted > 0);
    assert_true(refused > 0);
    free(buf);
    free(cfg);
}

static void config_set_mutations(void **state)
{
    (void)state;
    static const char *const paths[] = {"tpu.array.rows", "tpu.dram.bandwidth", "tpu.clock",
                                        "tpu.array.dataflow", "tpu.ub.size", "tpu.dram.ideal"};
    static const char *const values[] = {"", "0", "-1", "1e400", "64KiB", "3.35TB/s", "x",
                                         "[1, 2]", "{a: 1}", "99999999999999999999999", "1.5",
                                         "true", "ws", "~", "'quoted'", "64 KiB", "&a 1"};
    tp_config *cfg = malloc(sizeof *cfg);
    char set[128];
    assert_non_null(cfg);
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++)
        for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
            const char *sets[1] = {set};
            tp_err err = {0};
            snprintf(set, sizeof set, "%s=%s", paths[p], values[v]);
            if (cfg_load(NULL, sets, 1, cfg, &err) != TP_OK) {
                assert_one_line_error(&err);
                /* a --set error names the flag */
                assert_non_null(strstr(err.msg, "--set"));
            }
        }
    free(cfg);
}

static void npy_mutations(void **state)
{
    (void)state;
    const int n_cases = fuzz_cases();
    char path[512], mpath[512];
    const char *dir = th_tmpdir();
    int32_t data[6 * 5];
    rng_state r;
    int refused = 0;
    for (int i = 0; i < 30; i++)
        data[i] = i * 1000 - 7;
    snprintf(path, sizeof path, "%s/fuzz_base.npy", dir);
    snprintf(mpath, sizeof mpath, "%s/fuzz_mut.npy", dir);
    tp_err err = {0};
    assert_int_equal(npy_write(path, "<i4", 6, 5, data, &err), TP_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char base[512];
    size_t base_len = fread(base, 1, sizeof base, f);
    fclose(f);
    assert_true(base_len > 128);
    char buf[1024];
    rng_init(&r, 7);
    for (int i = 0; i < n_cases; i++) {
        memcpy(buf, base, base_len);
        size_t len = mutate(&r, buf, base_len, sizeof buf);
        f = fopen(mpath, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, len, f), len);
        fclose(f);
        npy_mat m = {0};
        tp_err e2 = {0};
        if (npy_read(mpath, &m, &e2) == TP_OK) {
            /* an accepted file's data fits in what was read */
            assert_true((size_t)m.rows * m.cols * npy_dtype_size(m.dtype) <= len);
        } else {
            assert_one_line_error(&e2);
            assert_non_null(strstr(e2.msg, "fuzz_mut.npy"));
            refused++;
        }
        npy_free(&m);
    }
    assert_true(refused > 0);
}

/* Workload files (YAML and SCALE-Sim CSV): an accepted file has only layers within the documented
 * limits; a refused one has a one-line error that starts with the file name. */
static void workload_mutations(void **state)
{
    (void)state;
    static const char *const bases[2] = {
        "name: fz\ndtype: int8\nlayers:\n"
        "  - {name: a, M: 128, N: 256, K: 64, repeat: 3}\n"
        "  - name: b\n    M: 7\n    N: 9\n    K: 11\n    epilogue: relu\n    dtype: bf16\n",
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
        "Conv1, 224, 224, 7, 7, 3, 64, 2,\n"
        "CB2a_DP, 56, 56, 3, 3, 64, 1, 1,\n"
        "FC, 1, 1, 1, 1, 2048, 1000, 1,\n",
    };
    static const char *const names[2] = {"fuzz.yaml", "fuzz.csv"};
    const int n_cases = fuzz_cases();
    char buf[1024];
    rng_state r;
    rng_init(&r, 11);
    for (int form = 0; form < 2; form++) {
        size_t base_len = strlen(bases[form]);
        int accepted = 0, refused = 0;
        for (int i = 0; i < n_cases; i++) {
            memcpy(buf, bases[form], base_len);
            size_t len = mutate(&r, buf, base_len, sizeof buf - 1);
            buf[len] = '\0';
            workload w;
            tp_err err = {0};
            tp_status st = form ? workload_parse_csv(names[form], buf, len, &w, &err)
                                : workload_parse_yaml(names[form], buf, len, &w, &err);
            if (st == TP_OK) {
                accepted++;
                assert_true(w.n_layers >= 1);
                for (size_t l = 0; l < w.n_layers; l++) {
                    assert_in_range(w.layers[l].m, 1, GEMM_MAX_DIM);
                    assert_in_range(w.layers[l].n, 1, GEMM_MAX_DIM);
                    assert_in_range(w.layers[l].k, 1, GEMM_MAX_DIM);
                    assert_in_range(w.layers[l].repeat, 1, WORKLOAD_MAX_REPEAT);
                }
            } else {
                assert_one_line_error(&err);
                assert_int_equal(strncmp(err.msg, names[form], strlen(names[form])), 0);
                assert_null(w.layers);
                refused++;
            }
            workload_free(&w);
        }
        assert_true(accepted > 0);
        assert_true(refused > 0);
    }
}

TH_GROUP(fuzz)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_yaml_mutations),
        cmocka_unit_test(config_set_mutations),
        cmocka_unit_test(npy_mutations),
        cmocka_unit_test(workload_mutations),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
