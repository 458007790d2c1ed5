/* Input limits applied while reading: read_text_file (NUL bytes, caps) and the YAML depth cap. */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/readfile.h"
#include "base/yaml_depth.h"

static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void text_file_limits(void **state)
{
    (void)state;
    char path[512], want[700];
    char *text;
    size_t len;
    tp_err err = {0};
    snprintf(path, sizeof path, "%s/limits.txt", th_tmpdir());
    write_bytes(path, "ab\ncd\n", 6);
    assert_int_equal(read_text_file(path, "program", 100, &text, &len, &err), TP_OK);
    assert_int_equal(len, 6);
    assert_string_equal(text, "ab\ncd\n");
    free(text);
    /* a NUL on line 2, column 2 */
    write_bytes(path, "ab\nc\0d\n", 7);
    assert_int_equal(read_text_file(path, "program", 100, &text, &len, &err), TP_ERR_PARSE);
    snprintf(want, sizeof want, "%s:2:2: NUL byte in a program (not a text file)", path);
    assert_string_equal(err.msg, want);
    assert_null(text);
    /* one byte over the cap */
    write_bytes(path, "0123456789", 10);
    assert_int_equal(read_text_file(path, "workload", 9, &text, &len, &err), TP_ERR_IO);
    snprintf(want, sizeof want, "%s: larger than 9B, the limit for a workload", path);
    assert_string_equal(err.msg, want);
    assert_int_equal(read_text_file(path, "workload", 10, &text, &len, &err), TP_OK);
    free(text);
    /* a stream that never ends stops at its first block */
    assert_int_equal(read_text_file("/dev/zero", "YAML file", 1u << 30, &text, &len, &err), TP_ERR_PARSE);
    assert_string_equal(err.msg, "/dev/zero:1:1: NUL byte in a YAML file (not a text file)");
}

static void yaml_depth_cap(void **state)
{
    (void)state;
    tp_err err = {0};
    char buf[256];
    /* 64 levels are fine, the 65th is refused where it opens */
    memset(buf, '[', 64);
    memset(buf + 64, ']', 64);
    buf[128] = 0;
    assert_int_equal(yaml_check_depth("d.yaml", NULL, buf, strlen(buf), YAML_MAX_DEPTH, &err), TP_OK);
    memset(buf, '[', 65);
    memset(buf + 65, ']', 65);
    buf[130] = 0;
    assert_int_equal(yaml_check_depth("d.yaml", NULL, buf, strlen(buf), YAML_MAX_DEPTH, &err), TP_ERR_PARSE);
    assert_string_equal(err.msg, "d.yaml:1:65: YAML nesting is deeper than 64 levels");
    const char *block = "a:\n  b:\n    c: [1]\n";
    /* the document's mapping, a:, b: and c's list: four levels */
    assert_int_equal(yaml_check_depth("b.yaml", NULL, block, strlen(block), 4, &err), TP_OK);
    assert_int_equal(yaml_check_depth("b.yaml", NULL, block, strlen(block), 3, &err), TP_ERR_PARSE);
    assert_string_equal(err.msg, "b.yaml:3:8: YAML nesting is deeper than 3 levels");
    assert_int_equal(yaml_check_depth("x", "tpu.array.dtypes=[[[", "[[[", 3, 2, &err), TP_ERR_PARSE);
    assert_string_equal(err.msg, "--set tpu.array.dtypes=[[[: YAML nesting is deeper than 2 levels");
    /* a syntax error is the real parser's to report */
    assert_int_equal(yaml_check_depth("s.yaml", NULL, "a: [1, 2", 8, 64, &err), TP_OK);
}

TH_GROUP(limits)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_file_limits),
        cmocka_unit_test(yaml_depth_cap),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
