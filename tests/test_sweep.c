/* Sweeps (work/sweep.h) and SHA-256 (base/sha256.h): the file's parse and its errors, the
 * expansion of points, shards, the key checks, and the CSV text that --resume and --merge read.
 * Expectations are computed by hand here (the point decomposition, shard sizes) or are the
 * published FIPS 180-2 example digests. */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/sha256.h"
#include "config/config.h"
#include "work/sweep.h"

static void sha256_published_vectors(void **state)
{
    (void)state;
    char hex[65];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";   /* 448 bits: two blocks of padding */
    sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    sha256_ctx c;
    sha256_init(&c);
    char a[1024];   /* pieces of up to 1009 bytes */
    memset(a, 'a', sizeof a);
    size_t left = 1000000, step = 1;
    while (left) {
        size_t n = step < left ? step : left;
        sha256_update(&c, a, n);
        left -= n;
        step = step % 997 + 13;
    }
    sha256_final_hex(&c, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static const char good[] = "# a comment\n"
                           "gemms: [[64, 32, 16], [128, 128, 128]]\n"
                           "axes:\n"
                           "  tpu.array.rows: [8, 16, 32]\n"
                           "  dataflow: [ws, os]\n"
                           "  tile: [auto, 8x8x8]\n";

static void parse_and_expand(void **state)
{
    (void)state;
    sweep_spec s;
    tp_err err = {0};
    assert_int_equal(sweep_parse("g.yaml", good, strlen(good), &s, &err), TP_OK);
    assert_int_equal(s.n_gemms, 2);
    assert_int_equal(s.gemms[1].m, 128);
    assert_int_equal(s.gemms[0].n, 32);
    assert_int_equal(s.gemms[0].k, 16);
    assert_int_equal(s.n_axes, 3);
    assert_int_equal(s.axes[0].kind, SWEEP_AXIS_KEY);
    assert_string_equal(s.axes[0].key, "tpu.array.rows");
    assert_int_equal(s.axes[1].kind, SWEEP_AXIS_DATAFLOW);
    assert_string_equal(s.axes[1].key, "tpu.array.dataflow");
    assert_int_equal(s.axes[2].kind, SWEEP_AXIS_TILE);
    assert_null(s.base);
    /* positions: "16" is on line 4, column 23 ("  tpu.array.rows: [8, " is 22 bytes) */
    assert_int_equal(s.axes[0].values[1].line, 4);
    assert_int_equal(s.axes[0].values[1].col, 23);
    assert_int_equal(s.n_points, 2 * 3 * 2 * 2);
    /* p = ((g * 3 + r) * 2 + d) * 2 + t, the last axis fastest */
    for (uint64_t p = 0; p < s.n_points; p++) {
        size_t g, idx[SWEEP_MAX_AXES];
        sweep_point(&s, p, &g, idx);
        assert_int_equal(((g * 3 + idx[0]) * 2 + idx[1]) * 2 + idx[2], p);
        assert_true(g < 2 && idx[0] < 3 && idx[1] < 2 && idx[2] < 2);
    }
    size_t g, idx[SWEEP_MAX_AXES];
    sweep_point(&s, 17, &g, idx);   /* 17 = 12 + 5: gemm 1, rows index 1 (16), os, auto... 5 = (1*2+0)*2+1 */
    assert_int_equal(g, 1);
    assert_string_equal(s.axes[0].values[idx[0]].text, "16");
    assert_string_equal(s.axes[1].values[idx[1]].text, "ws");
    assert_string_equal(s.axes[2].values[idx[2]].text, "8x8x8");
    char sets[SWEEP_MAX_AXES][160];
    assert_int_equal(sweep_point_sets(&s, idx, "tpu.", sets), 2);
    assert_string_equal(sets[0], "tpu.array.rows=16");
    assert_string_equal(sets[1], "tpu.array.dataflow=ws");
    /* the fingerprint is the file's bytes' */
    char hex[65];
    sha256_hex(good, strlen(good), hex);
    assert_string_equal(s.sha256, hex);
    sweep_free(&s);
}

/* One parse that must fail with exactly msg. */
static void expect_error(const char *text, const char *msg)
{
    sweep_spec s;
    tp_err err = {0};
    assert_int_not_equal(sweep_parse("b.yaml", text, strlen(text), &s, &err), TP_OK);
    assert_string_equal(err.msg, msg);
    sweep_free(&s);
}

static void parse_errors_positioned(void **state)
{
    (void)state;
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  tpu.array.rowz: [8]\n",
                 "b.yaml:3:3: unknown axis 'tpu.array.rowz' (did you mean 'tpu.array.rows'?): an axis is a config key "
                 "path (tpusim config show lists them) or dataflow, dtype, tile, gpu");
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  tpu.array.rows: []\n",
                 "b.yaml:3:19: tpu.array.rows: empty list (an axis needs at least one value)");
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  dataflow: [ws, ws]\n",
                 "b.yaml:3:18: dataflow: value 'ws' given twice (first at 3:14)");
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  dtype: [int4]\n",
                 "b.yaml:3:11: dtype: unknown dtype 'int4' (expected int8, bf16 or fp16)");
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  tile: [8x8]\n",
                 "b.yaml:3:10: tile: expected auto or TMxTNxTK (e.g. 128x128x64), got '8x8'");
    expect_error("gemms: [[8, 0, 8]]\n", "b.yaml:1:13: gemms: N: expected a whole number from 1 to 16777216, got '0'");
    expect_error("gemms: []\n", "b.yaml:1:8: gemms: empty list (give at least one [M, N, K])");
    expect_error("gemm: [[8, 8, 8]]\n",
                 "b.yaml:1:1: unknown key 'gemm' (did you mean 'gemms'?) (a sweep has base, gemms, workload and axes)");
    expect_error("axes:\n  dataflow: [ws]\n", "b.yaml:1:1: a sweep needs gemms: [[M, N, K], ...] or workload: FILE");
    expect_error("workload: w.yaml\naxes:\n  tile: [auto]\n",
                 "b.yaml:3:3: tile: applies to gemms only (a workload's layers take their tile: from the workload file)");
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  dataflow: [ws]\n  tpu.array.dataflow: [os]\n",
                 "b.yaml:4:3: axis 'tpu.array.dataflow' sets the key tpu.array.dataflow, which axis 'dataflow' (3:3) already sets");
    expect_error("gemms: [[8, 8, 8]]\naxes:\n  dataflow: ws\n", "b.yaml:3:13: dataflow: expected a list of values, e.g. [a, b]");
    expect_error("gemms: [[8, 8, 8]]\naxes: [\n", "b.yaml:3:1: did not find expected node content");
}

static void key_values_checked_on_the_machine(void **state)
{
    (void)state;
    const char *t = "gemms: [[8, 8, 8]]\naxes:\n  tpu.array.rows: [8, 0]\n  tpu.dram.bandwidth: [1GB/s]\n";
    sweep_spec s;
    tp_err err = {0};
    assert_int_equal(sweep_parse("k.yaml", t, strlen(t), &s, &err), TP_OK);
    assert_int_not_equal(sweep_check_keys(&s, "default", cfg_default_yaml(), "tpu.", &err), TP_OK);
    assert_string_equal(err.msg, "k.yaml:3:23: tpu.array.rows: 0: must be at least 1, got 0");
    /* keys of another prefix are not applied */
    assert_int_equal(sweep_check_keys(&s, "default", cfg_default_yaml(), "gpu.", &err), TP_OK);
    sweep_free(&s);
    t = "gemms: [[8, 8, 8]]\naxes:\n  tpu.dram.bandwidth: [100GB/s, fast]\n";
    assert_int_equal(sweep_parse("k.yaml", t, strlen(t), &s, &err), TP_OK);
    assert_int_not_equal(sweep_check_keys(&s, "default", cfg_default_yaml(), "tpu.", &err), TP_OK);
    assert_string_equal(err.msg, "k.yaml:3:33: tpu.dram.bandwidth: fast: expected a bandwidth such as 900GB/s, got 'fast' (not a number)");
    sweep_free(&s);
}

static void shards(void **state)
{
    (void)state;
    uint32_t i, n;
    assert_int_equal(sweep_parse_shard("2/3", &i, &n), 0);
    assert_int_equal(i, 2);
    assert_int_equal(n, 3);
    assert_int_equal(sweep_parse_shard("1/1", &i, &n), 0);
    assert_int_equal(sweep_parse_shard("0/3", &i, &n), -1);
    assert_int_equal(sweep_parse_shard("4/3", &i, &n), -1);
    assert_int_equal(sweep_parse_shard("3", &i, &n), -1);
    assert_int_equal(sweep_parse_shard("a/b", &i, &n), -1);
    assert_int_equal(sweep_parse_shard("1/3x", &i, &n), -1);
    /* 10 points in 3 shards: {0,3,6,9} {1,4,7} {2,5,8} */
    assert_int_equal(sweep_shard_points(10, 1, 3), 4);
    assert_int_equal(sweep_shard_points(10, 2, 3), 3);
    assert_int_equal(sweep_shard_points(10, 3, 3), 3);
    assert_int_equal(sweep_shard_points(2, 3, 3), 0);
    assert_int_equal(sweep_shard_points(10, 0, 0), 10);
    for (uint64_t p = 0; p < 10; p++) {
        int owners = 0;
        for (uint32_t s = 1; s <= 3; s++)
            owners += sweep_in_shard(p, s, 3);
        assert_int_equal(owners, 1);
        assert_true(sweep_in_shard(p, 1 + (uint32_t)(p % 3), 3));
    }
}

static void csv_fields(void **state)
{
    (void)state;
    char row[128];
    size_t len = 0;
    assert_int_equal(sweep_csv_append(row, sizeof row, &len, "12"), 0);
    assert_int_equal(sweep_csv_append(row, sizeof row, &len, "a,\"b\""), 0);
    assert_int_equal(sweep_csv_append(row, sizeof row, &len, ""), 0);
    assert_int_equal(sweep_csv_append(row, sizeof row, &len, "300GB/s"), 0);
    assert_string_equal(row, "12,\"a,\"\"b\"\"\",,300GB/s");
    assert_int_equal(len, strlen(row));
    char out[128], *f[8];
    assert_int_equal(sweep_csv_split(row, len, out, sizeof out, f, 8), 4);
    assert_string_equal(f[0], "12");
    assert_string_equal(f[1], "a,\"b\"");
    assert_string_equal(f[2], "");
    assert_string_equal(f[3], "300GB/s");
    assert_int_equal(sweep_csv_split("a\"b", 3, out, sizeof out, f, 8), -1);    /* quote in a plain field */
    assert_int_equal(sweep_csv_split("\"ab", 3, out, sizeof out, f, 8), -1);    /* unterminated */
    assert_int_equal(sweep_csv_split("\"a\"b", 4, out, sizeof out, f, 8), -1);  /* text after the quote */
    char small[8];
    size_t sl = 0;
    assert_int_equal(sweep_csv_append(small, sizeof small, &sl, "12345678"), -1);   /* does not fit */
}

static void meta_of(sweep_meta *m, uint64_t points, uint32_t si, uint32_t sn)
{
    memset(m, 0, sizeof *m);
    m->format = SWEEP_FORMAT;
    memset(m->sweep_sha256, 'a', 64);
    memset(m->inputs_sha256, 'b', 64);
    strcpy(m->version, "0.2.0");
    strcpy(m->commit, "0123456789ab");
    m->points = points;
    m->shard_i = si;
    m->shard_n = sn;
}

static void csv_read_back(void **state)
{
    (void)state;
    sweep_meta m;
    meta_of(&m, 5, 2, 2);
    char text[2048];
    size_t n = sweep_meta_format(&m, text, sizeof text);
    assert_true(n > 0);
    assert_non_null(strstr(text, "# shard: 2/2\n"));
    assert_non_null(strstr(text, "# points: 5\n"));
    size_t header = n + (size_t)snprintf(text + n, sizeof text - n, "point,x,error\n");
    /* shard 2/2 holds points 1 and 3; rows in completion order, then a torn one */
    snprintf(text + header, sizeof text - header, "3,b,\n1,\"a,z\",\n1,a");
    sweep_csv c;
    tp_err err = {0};
    assert_int_equal(sweep_csv_parse("r.csv", text, strlen(text), &c, &err), TP_OK);
    assert_true(c.has_meta);
    assert_true(sweep_meta_same_run(&c.meta, &m));
    assert_int_equal(c.meta.shard_i, 2);
    assert_string_equal(c.columns, "point,x,error");
    assert_int_equal(c.n_columns, 3);
    assert_int_equal(c.header_bytes, header);
    assert_int_equal(c.n_rows, 2);
    assert_int_equal(c.point[0], 3);
    assert_int_equal(c.point[1], 1);
    assert_memory_equal(text + c.row_off[1], "1,\"a,z\",", c.row_len[1]);
    assert_true(c.torn);
    assert_int_equal(c.good_bytes, strlen(text) - 3);   /* without "1,a" */
    sweep_csv_free(&c);
    /* a point of the other shard, a duplicate, a short row, a point past the sweep */
    const char *bad[][2] = {{"2,b,\n", "r.csv:9:1: point 2 is not in shard 2/2"},
                            {"1,b,\n1,c,\n", "r.csv:10:1: point 1 given twice"},
                            {"1,b\n", "r.csv:9:1: row has 2 fields, the header 3"},
                            {"7,b,\n", "r.csv:9:1: point '7' is not a point of this sweep (0 .. 4)"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text + header, sizeof text - header, "%s", bad[i][0]);
        assert_int_not_equal(sweep_csv_parse("r.csv", text, strlen(text), &c, &err), TP_OK);
        assert_string_equal(err.msg, bad[i][1]);
    }
    /* the same header from another build is another run */
    sweep_meta o = m;
    strcpy(o.commit, "ffffffffffff");
    assert_false(sweep_meta_same_run(&o, &m));
    o = m;
    o.shard_i = 1;   /* another shard of the same run */
    assert_true(sweep_meta_same_run(&o, &m));
    /* an empty file: no header, no error (resume runs every point) */
    assert_int_equal(sweep_csv_parse("e.csv", "", 0, &c, &err), TP_OK);
    assert_false(c.has_meta);
    assert_null(c.columns);
    sweep_csv_free(&c);
    /* a header key missing */
    const char *nokey = "# format: tpusim-sweep-csv 1\npoint,x\n";
    assert_int_not_equal(sweep_csv_parse("h.csv", nokey, strlen(nokey), &c, &err), TP_OK);
    assert_string_equal(err.msg, "h.csv:2:1: the sweep CSV header lacks '# sweep_sha256: ...'");
}

TH_GROUP(sweep)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_published_vectors),
        cmocka_unit_test(parse_and_expand),
        cmocka_unit_test(parse_errors_positioned),
        cmocka_unit_test(key_values_checked_on_the_machine),
        cmocka_unit_test(shards),
        cmocka_unit_test(csv_fields),
        cmocka_unit_test(csv_read_back),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
