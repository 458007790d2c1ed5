/* tpusim npy: make and look at the .npy matrices the other commands read and write, without
 * needing NumPy (students run the kernels with `npy rand` inputs and read C with `npy show`).
 *
 *   tpusim npy rand ROWS COLS -o FILE|- [--dtype int8|bf16|float32] [--seed S] [--specials]
 *   tpusim npy show FILE [--max ROWSxCOLS]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/npy.h"
#include "base/rng.h"
#include "cli/cli.h"

static const char usage_text[] =
    "usage: tpusim npy rand ROWS COLS -o FILE|- [--dtype int8|bf16|float32] [--seed S] [--specials]\n"
    "       tpusim npy show FILE [--max ROWSxCOLS]\n\n"
    "rand   writes a seeded random matrix: int8 uniform over -128..127 ('|i1'), or bf16 bit\n"
    "       patterns ('<u2') of magnitude 1/16..16; --specials mixes in bf16 zeros, Inf, NaN and\n"
    "       subnormals; float32 ('<f4') is uniform in [-1, 1) (the real inputs of `gemm --error`).\n"
    "       The same seed gives the same file.\n"
    "show   prints a .npy file's dtype and shape and its values (bf16 as numbers), at most\n"
    "       16x16 of them unless --max says otherwise.\n";

#define NPY_CLI_MAX_DIM (1u << 20)

static int npy_rand(int argc, char **argv)
{
    const char *out = NULL, *dtype_s = NULL;
    uint32_t dims[2] = {0, 0}, nd = 0;
    uint64_t seed = 1;
    bool specials = false;
    tp_dtype dt = TP_INT8;
    bool f32 = false;   /* --dtype float32: uniform in [-1, 1) */
    static const char *const single[] = {"-o|--out", "--dtype", "--seed", NULL};
    cli_seen seen = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (!(out = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--dtype")) {
            if (!(dtype_s = cli_value(argc, argv, &i)))
                return 2;
            f32 = !strcmp(dtype_s, "float32");
            if (!f32 && dtype_parse(dtype_s, &dt))
                return cli_usage_error("--dtype: unknown dtype '%s' (expected int8, bf16 or float32)", dtype_s);
        } else if (!strcmp(a, "--seed")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, 0, UINT64_MAX, &seed))
                return 2;
        } else if (!strcmp(a, "--specials")) {
            specials = true;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("npy rand: unknown flag '%s' (try 'tpusim npy --help')", a);
        } else {
            static const char *const names[2] = {"ROWS", "COLS"};
            if (nd == 2)
                return cli_usage_error("npy rand: unexpected argument '%s' (ROWS COLS already given)", a);
            if (cli_parse_u32(names[nd], a, 1, NPY_CLI_MAX_DIM, &dims[nd]))
                return 2;
            nd++;
        }
    }
    if (nd != 2)
        return cli_usage_error("npy rand: expected ROWS COLS (two whole numbers), got %u of them", nd);
    if (!out)
        return cli_usage_error("npy rand: -o FILE is required");
    if (cli_check_outputs(&(cli_output){"-o", out}, 1))
        return 2;
    if (specials && (dt != TP_BF16 || f32))
        return cli_usage_error("--specials: only bf16 has special values (use --dtype bf16)");
    uint64_t n = (uint64_t)dims[0] * dims[1];
    if (n > NPY_MAX_ELEMS)
        return cli_usage_error("npy rand: %u x %u is more than %llu elements", dims[0], dims[1],
                               (unsigned long long)NPY_MAX_ELEMS);
    size_t eb = f32 ? 4 : dtype_in_bytes(dt);
    void *data = malloc((size_t)n * eb);
    if (!data)
        return cli_usage_error("npy rand: out of memory for %u x %u", dims[0], dims[1]);
    rng_state r;
    rng_init(&r, seed);
    for (uint64_t i = 0; i < n; i++) {
        if (f32)   /* 2 x a 53-bit unit draw - 1, rounded to float32 */
            ((float *)data)[i] = (float)(2.0 * rng_unit(&r) - 1.0);
        else if (dt == TP_INT8)
            ((int8_t *)data)[i] = rng_i8(&r);
        else
            ((uint16_t *)data)[i] = rng_bf16_normalish(&r, specials);
    }
    tp_err err = {0};
    /* "-" is stdout; a file goes to a temporary renamed into place */
    tp_status st = npy_write_flag("-o", out, f32 ? "<f4" : npy_dtype_descr(npy_dtype_of_input(dt)), dims[0], dims[1], data, &err);
    free(data);
    return st == TP_OK ? 0 : cli_fail(&err);
}

static void print_elem(const npy_mat *m, uint64_t i)
{
    switch (m->dtype) {
    case NPY_INT8: printf("%5d", ((const int8_t *)m->data)[i]); break;
    case NPY_INT32: printf("%12" PRId32, ((const int32_t *)m->data)[i]); break;
    case NPY_F32: printf("%14.7g", (double)((const float *)m->data)[i]); break;
    case NPY_BF16: printf("%11.4g", (double)dtype_bf16_to_f32(((const uint16_t *)m->data)[i])); break;
    default: break;
    }
}

static int npy_show(int argc, char **argv)
{
    const char *path = NULL;
    uint32_t max_r = 16, max_c = 16;
    static const char *const single[] = {"--max", NULL};
    cli_seen seen = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        if (!strcmp(a, "--max")) {
            char *x;
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            x = strchr(v, 'x');
            if (!x)
                return cli_usage_error("--max %s: expected ROWSxCOLS, e.g. 8x8", v);
            *x = '\0';
            int bad = cli_parse_u32("--max rows", v, 1, NPY_CLI_MAX_DIM, &max_r) ||
                      cli_parse_u32("--max cols", x + 1, 1, NPY_CLI_MAX_DIM, &max_c);
            *x = 'x';
            if (bad)
                return 2;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("npy show: unknown flag '%s' (try 'tpusim npy --help')", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("npy show: unexpected argument '%s' (one file)", a);
        }
    }
    if (!path)
        return cli_usage_error("npy show: expected a .npy FILE");
    npy_mat m = {0};
    tp_err err = {0};
    if (npy_read(path, &m, &err) != TP_OK)
        return cli_fail(&err);
    printf("%s: %s ('%s'), %u x %u\n", path, npy_dtype_name(m.dtype), m.descr, m.rows, m.cols);
    uint32_t sr = m.rows < max_r ? m.rows : max_r, sc = m.cols < max_c ? m.cols : max_c;
    for (uint32_t r = 0; r < sr; r++) {
        for (uint32_t c = 0; c < sc; c++)
            print_elem(&m, (uint64_t)r * m.cols + c);
        printf("%s\n", sc < m.cols ? "  ..." : "");
    }
    if (sr < m.rows)
        printf("  ... (%u more rows)\n", m.rows - sr);
    npy_free(&m);
    return 0;
}

int cmd_npy(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("npy: expected a sub-command, rand or show (try 'tpusim npy --help')");
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "rand"))
        return npy_rand(argc - 1, argv + 1);
    if (!strcmp(argv[1], "show"))
        return npy_show(argc - 1, argv + 1);
    return cli_usage_error("npy: unknown sub-command '%s' (expected rand or show)", argv[1]);
}
