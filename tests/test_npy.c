/* .npy I/O: round trips, the written header byte for byte against numpy's rule worked by hand,
 * version 2.0 / 1-D / big-endian reads, float32 -> bf16 on read, and each malformed file (bytes
 * written by hand) with its message. */
#include "harness.h"
#include "base/npy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tpath(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", th_tmpdir(), name);
    return buf;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A file with the given version, header text (length field = its length) and data bytes. */
static void write_npy_raw(const char *path, unsigned major, const char *header, const void *data,
                          size_t dlen)
{
    unsigned char buf[4096];
    size_t hl = strlen(header), n = 0;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    n = 8;
    buf[n++] = (unsigned char)(hl & 0xff);
    buf[n++] = (unsigned char)((hl >> 8) & 0xff);
    if (major >= 2) {
        buf[n++] = (unsigned char)((hl >> 16) & 0xff);
        buf[n++] = (unsigned char)(hl >> 24);
    }
    assert_true(n + hl + dlen <= sizeof buf);
    memcpy(buf + n, header, hl);
    n += hl;
    if (dlen)
        memcpy(buf + n, data, dlen);
    write_bytes(path, buf, n + dlen);
}

static void written_header_matches_numpy(void **state)
{
    (void)state;
    /* numpy.save of a (2, 3) int32 array, version 1.0:
     *   dict "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"   59 chars
     *   + 21 - len("2") = 20 spaces (room to grow the first dimension in place)
     *   + 1 final '\n': 80 bytes; 10 + 80 = 90, next multiple of 64 is 128, so 38 more spaces
     *   go before the '\n'. Header length field = 59 + 20 + 38 + 1 = 118 = 0x76 0x00. */
    char p[512];
    int32_t data[6] = {1, -2, 3, -4, 5, 2147483647};
    tp_err err;
    assert_int_equal(npy_write(tpath(p, sizeof p, "h.npy"), "<i4", 2, 3, data, &err), TP_OK);
    unsigned char want[128 + 24];
    memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
    const char *dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
    memcpy(want + 10, dict, 59);
    memset(want + 69, ' ', 20 + 38);
    want[127] = '\n';
    memcpy(want + 128, data, sizeof data);
    unsigned char got[sizeof want + 8];
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(got, 1, sizeof got, f);
    fclose(f);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(got, want, sizeof want);
}

static void round_trips(void **state)
{
    (void)state;
    char p[512];
    tp_err err;
    npy_mat m;
    const int8_t i8[6] = {-128, 127, 0, 1, -1, 5};
    const int32_t i32[2] = {INT32_MIN, INT32_MAX};
    const float f32[3] = {1.5f, -0.0f, 3e38f};
    const uint16_t bf[4] = {0x3f80, 0x7fc0, 0x8000, 0x0001};
    struct { const char *descr; const void *data; uint32_t r, c; npy_dtype dt; size_t bytes; } cases[] = {
        {"|i1", i8, 2, 3, NPY_INT8, sizeof i8},
        {"<i4", i32, 2, 1, NPY_INT32, sizeof i32},
        {"<f4", f32, 1, 3, NPY_F32, sizeof f32},
        {"<u2", bf, 2, 2, NPY_BF16, sizeof bf},
        {"<u2", bf, 0, 4, NPY_BF16, 0},              /* an empty array survives too */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tpath(p, sizeof p, "rt.npy");
        assert_int_equal(npy_write(p, cases[i].descr, cases[i].r, cases[i].c, cases[i].data, &err), TP_OK);
        assert_int_equal(npy_read(p, &m, &err), TP_OK);
        assert_string_equal(m.descr, cases[i].descr);
        assert_int_equal(m.dtype, cases[i].dt);
        assert_int_equal(m.rows, cases[i].r);
        assert_int_equal(m.cols, cases[i].c);
        if (cases[i].bytes)
            assert_memory_equal(m.data, cases[i].data, cases[i].bytes);
        npy_free(&m);
        assert_null(m.data);
    }
    /* "<i1" is accepted for writing and reads back as "|i1" */
    assert_int_equal(npy_write(p, "<i1", 2, 3, i8, &err), TP_OK);
    assert_int_equal(npy_read(p, &m, &err), TP_OK);
    assert_string_equal(m.descr, "|i1");
    npy_free(&m);
    /* 1000 rows: the growth padding shrinks by 3 digits and the file still lines up on 64 */
    int32_t *big = calloc(1000 * 2, sizeof *big);
    assert_non_null(big);
    big[1999] = 77;
    assert_int_equal(npy_write(p, "<i4", 1000, 2, big, &err), TP_OK);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), 128 + 8000);
    fclose(f);
    assert_int_equal(npy_read(p, &m, &err), TP_OK);
    assert_int_equal(((int32_t *)m.data)[1999], 77);
    npy_free(&m);
    free(big);
}

static void other_layouts(void **state)
{
    (void)state;
    char p[512];
    tp_err err;
    npy_mat m;
    /* version 2.0, double quotes, keys in another order, no trailing comma, extra spaces */
    const int32_t d[3] = {7, 8, 9};
    write_npy_raw(tpath(p, sizeof p, "v2.npy"), 2,
                  "{\"shape\": ( 1 , 3 ), \"descr\": \"<i4\", \"fortran_order\": False}   \n", d, sizeof d);
    assert_int_equal(npy_read(p, &m, &err), TP_OK);
    assert_int_equal(m.rows, 1);
    assert_int_equal(m.cols, 3);
    assert_memory_equal(m.data, d, sizeof d);
    npy_free(&m);
    /* 1-D (N,) reads as 1 x N */
    const int8_t v[4] = {1, 2, 3, 4};
    write_npy_raw(tpath(p, sizeof p, "1d.npy"), 1, "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }\n",
                  v, sizeof v);
    assert_int_equal(npy_read(p, &m, &err), TP_OK);
    assert_int_equal(m.rows, 1);
    assert_int_equal(m.cols, 4);
    npy_free(&m);
    /* big-endian int32 0x01020304 stored as bytes 01 02 03 04 */
    const unsigned char be[4] = {1, 2, 3, 4};
    write_npy_raw(tpath(p, sizeof p, "be.npy"), 1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1, 1), }\n",
                  be, sizeof be);
    assert_int_equal(npy_read(p, &m, &err), TP_OK);
    assert_string_equal(m.descr, "<i4");
    assert_int_equal(((int32_t *)m.data)[0], 0x01020304);
    npy_free(&m);
}

static void read_as_converts_or_refuses(void **state)
{
    (void)state;
    char p[512], msg[600];
    tp_err err;
    npy_mat m;
    /* float32 where bf16 is wanted: rounded to nearest even.
     * 0x3f808000 (1 + 2^-8) is a tie between 0x3f80 and 0x3f81 -> 0x3f80 (even);
     * 0x3f818000 ties between 0x3f81 and 0x3f82 -> 0x3f82; 0x7f7fffff (FLT_MAX) -> Inf 0x7f80. */
    const uint32_t fb[3] = {0x3f808000u, 0x3f818000u, 0x7f7fffffu};
    assert_int_equal(npy_write(tpath(p, sizeof p, "f.npy"), "<f4", 1, 3, fb, &err), TP_OK);
    assert_int_equal(npy_read_as(p, NPY_BF16, &m, &err), TP_OK);
    assert_int_equal(m.dtype, NPY_BF16);
    assert_string_equal(m.descr, "<u2");
    assert_int_equal(((uint16_t *)m.data)[0], 0x3f80);
    assert_int_equal(((uint16_t *)m.data)[1], 0x3f82);
    assert_int_equal(((uint16_t *)m.data)[2], 0x7f80);
    npy_free(&m);
    /* the same dtype passes unchanged */
    assert_int_equal(npy_read_as(p, NPY_F32, &m, &err), TP_OK);
    npy_free(&m);
    /* int32 where int8 is wanted: an error naming both */
    const int32_t i[1] = {1};
    assert_int_equal(npy_write(tpath(p, sizeof p, "i.npy"), "<i4", 1, 1, i, &err), TP_OK);
    assert_int_equal(npy_read_as(p, NPY_INT8, &m, &err), TP_ERR_NPY);
    snprintf(msg, sizeof msg, "%s: dtype is int32 ('<i4'), expected int8 ('|i1')", p);
    assert_string_equal(err.msg, msg);
    assert_null(m.data);
    assert_int_equal(npy_read_as(p, NPY_BF16, &m, &err), TP_ERR_NPY);
    snprintf(msg, sizeof msg, "%s: dtype is int32 ('<i4'), expected bf16 ('<u2') or float32 ('<f4')", p);
    assert_string_equal(err.msg, msg);
    assert_int_equal(npy_dtype_of_input(TP_INT8), NPY_INT8);
    assert_int_equal(npy_dtype_of_input(TP_BF16), NPY_BF16);
}

/* Writes `bytes` to bad.npy, expects npy_read to fail with code and "<path>: <want>". */
static void expect_bad(const void *bytes, size_t len, tp_status code, const char *want)
{
    char p[512], msg[700];
    tp_err err;
    npy_mat m;
    write_bytes(tpath(p, sizeof p, "bad.npy"), bytes, len);
    assert_int_equal(npy_read(p, &m, &err), code);
    assert_int_equal(err.code, code);
    snprintf(msg, sizeof msg, "%s: %s", p, want);
    assert_string_equal(err.msg, msg);
    assert_null(m.data);
}

/* As expect_bad for a version 1.0 file with this header and data. */
static void expect_bad_header(const char *header, const void *data, size_t dlen, const char *want)
{
    char p[512], msg[700];
    tp_err err;
    npy_mat m;
    write_npy_raw(tpath(p, sizeof p, "badh.npy"), 1, header, data, dlen);
    assert_int_equal(npy_read(p, &m, &err), TP_ERR_NPY);
    snprintf(msg, sizeof msg, "%s: %s", p, want);
    assert_string_equal(err.msg, msg);
    assert_null(m.data);
}

static void malformed_files(void **state)
{
    (void)state;
    const unsigned char zeros[16] = {0};
    expect_bad("PK\x03\x04 not npy", 12, TP_ERR_NPY, "bad magic (not a .npy file)");
    expect_bad("", 0, TP_ERR_NPY, "the file is empty (not a .npy file)");
    expect_bad("\x93N", 2, TP_ERR_NPY, "bad magic (not a .npy file)");   /* too short for the magic */
    expect_bad("\x93NUMPY\x01", 7, TP_ERR_NPY, "truncated: file ends inside the preamble");
    expect_bad("\x93NUMPY\x01\x00\x10", 9, TP_ERR_NPY, "truncated: file ends inside the preamble");
    expect_bad("\x93NUMPY\x04\x00\x10\x00", 10, TP_ERR_NPY,
               "unsupported .npy version 4.0 (1.0, 2.0, 3.0 are read)");
    expect_bad("\x93NUMPY\x01\x00\x40\x00{'descr'", 17, TP_ERR_NPY,
               "truncated: header says 64 bytes, file has 7");
    expect_bad("\x93NUMPY\x02\x00\xff\xff\xff\x7f", 12, TP_ERR_NPY,
               "header length 2147483647 is over the 100000-byte limit");

    const char *ok_tail = "'fortran_order': False, 'shape': (1, 2), }\n";
    char h[256];
    snprintf(h, sizeof h, "{'descr': '<f8', %s", ok_tail);
    expect_bad_header(h, zeros, 16, "unsupported dtype '<f8' (supported: '|i1' int8, '<i4' int32, "
                                    "'<f4' float32, '<u2' bf16 bits)");
    expect_bad_header("{'descr': '<i4', 'fortran_order': True, 'shape': (1, 2), }\n", zeros, 8,
                      "fortran_order is True; only C-order arrays are supported (save with "
                      "numpy.ascontiguousarray)");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2, 1), }\n", zeros, 8,
                      "3-D array; only 1-D (read as 1 x N) and 2-D arrays are supported");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (), }\n", zeros, 4,
                      "0-D array; only 1-D (read as 1 x N) and 2-D arrays are supported");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (100000, 100000), }\n", zeros, 8,
                      "shape (100000, 100000) is too large (at most 2147483648 elements)");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n",
                      zeros, 8, "shape (4294967296, 4294967296) is too large (at most 2147483648 elements)");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999, 1), }\n",
                      zeros, 8, "malformed header at byte 61: dimension too large");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }\n", zeros, 7,
                      "truncated: shape (1, 2) needs 8 bytes of data, file has 7");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }\n", zeros, 9,
                      "extra bytes after the 8 bytes of data for shape (1, 2)");
    /* header syntax: byte offsets count from the start of the file (header starts at 10) */
    expect_bad_header("['descr']\n", zeros, 0, "malformed header at byte 10: expected '{'");
    expect_bad_header("{'descr': '<i4' 'fortran_order': False}\n", zeros, 0,
                      "malformed header at byte 26: expected ',' or '}'");
    expect_bad_header("{'descr': '<i4', 'fortran_order': Maybe, 'shape': (1,)}\n", zeros, 0,
                      "malformed header at byte 44: fortran_order must be True or False");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, x)}\n", zeros, 0,
                      "malformed header at byte 64: expected a dimension (a whole number) in the shape");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), 'extra': 1}\n", zeros, 0,
                      "malformed header at byte 68: unexpected key 'extra'");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2)} junk\n", zeros, 0,
                      "malformed header at byte 68: unexpected text after the header dict");
    expect_bad_header("{'descr' '<i4'}\n", zeros, 0, "malformed header at byte 19: expected ':' after a key");
    expect_bad_header("{'descr': '<i4\n", zeros, 0, "malformed header at byte 25: unterminated string");
    expect_bad_header("{'descr': '<i4', 'shape': (1, 2)}\n", zeros, 8,
                      "malformed header: no 'fortran_order' key");
    expect_bad_header("{'fortran_order': False, 'shape': (1, 2)}\n", zeros, 8, "malformed header: no 'descr' key");
    expect_bad_header("{'descr': '<i4', 'fortran_order': False}\n", zeros, 8, "malformed header: no 'shape' key");
}

static void io_errors(void **state)
{
    (void)state;
    char p[512];
    tp_err err;
    npy_mat m;
    snprintf(p, sizeof p, "%s/does-not-exist.npy", th_tmpdir());
    assert_int_equal(npy_read(p, &m, &err), TP_ERR_IO);
    assert_non_null(strstr(err.msg, "does-not-exist.npy: cannot open: "));
    /* a directory opens but cannot be read */
    assert_int_equal(npy_read(th_tmpdir(), &m, &err), TP_ERR_IO);
    snprintf(p, sizeof p, "%s: read error: Is a directory", th_tmpdir());
    assert_string_equal(err.msg, p);
    int32_t x = 0;
    snprintf(p, sizeof p, "%s/no-such-dir/x.npy", th_tmpdir());
    assert_int_equal(npy_write(p, "<i4", 1, 1, &x, &err), TP_ERR_IO);
    assert_non_null(strstr(err.msg, "x.npy: cannot open for writing: "));
    assert_int_equal(npy_write(p, "<f8", 1, 1, &x, &err), TP_ERR_NPY);
    assert_non_null(strstr(err.msg, "cannot write dtype '<f8' (use '|i1', '<i4', '<f4' or '<u2')"));
}

TH_GROUP(npy)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(written_header_matches_numpy),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(other_layouts),
        cmocka_unit_test(read_as_converts_or_refuses),
        cmocka_unit_test(malformed_files),
        cmocka_unit_test(io_errors),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
