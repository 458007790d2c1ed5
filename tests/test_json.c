/* JSON writer: exact expected text, compact and indented, escaping, numbers, misuse. */
#include "harness.h"
#include "base/json.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *buf;
    size_t len;
    FILE *f;
    json_w w;
} jbuf;

static void jopen(jbuf *j, int indent)
{
    j->buf = NULL;
    j->len = 0;
    j->f = open_memstream(&j->buf, &j->len);
    assert_non_null(j->f);
    json_init(&j->w, j->f, indent);
}

/* Finishes, checks json_finish's result and the text, frees. */
static void jcheck(jbuf *j, int want_rc, const char *want)
{
    int rc = json_finish(&j->w);
    fclose(j->f);
    if (rc != want_rc || (want && strcmp(j->buf, want) != 0))
        fail_msg("json_finish %d (want %d), text:\n%s\nwant:\n%s", rc, want_rc, j->buf,
                 want ? want : "(any)");
    free(j->buf);
}

static void write_doc(json_w *w)
{
    json_begin_object(w);
    json_kv_u64(w, "cycles", UINT64_MAX);
    json_kv_str(w, "name", "tpu \"v1\"\\x");
    json_key(w, "xs");
    json_begin_array(w);
    json_i64(w, INT64_MIN);
    json_double(w, 0.5);
    json_bool(w, true);
    json_null(w);
    json_end_array(w);
    json_key(w, "empty");
    json_begin_object(w);
    json_end_object(w);
    json_key(w, "none");
    json_begin_array(w);
    json_end_array(w);
    json_kv_bool(w, "ok", false);
    json_end_object(w);
}

static void compact_text(void **state)
{
    (void)state;
    jbuf j;
    jopen(&j, 0);
    write_doc(&j.w);
    jcheck(&j, 0,
           "{\"cycles\":18446744073709551615,\"name\":\"tpu \\\"v1\\\"\\\\x\","
           "\"xs\":[-9223372036854775808,0.5,true,null],\"empty\":{},\"none\":[],\"ok\":false}");
}

static void indented_text(void **state)
{
    (void)state;
    jbuf j;
    jopen(&j, 2);
    write_doc(&j.w);
    jcheck(&j, 0,
           "{\n"
           "  \"cycles\": 18446744073709551615,\n"
           "  \"name\": \"tpu \\\"v1\\\"\\\\x\",\n"
           "  \"xs\": [\n"
           "    -9223372036854775808,\n"
           "    0.5,\n"
           "    true,\n"
           "    null\n"
           "  ],\n"
           "  \"empty\": {},\n"
           "  \"none\": [],\n"
           "  \"ok\": false\n"
           "}\n");
}

/* A flat array stays on one line in an indented document (config show --json's dtypes), and so
 * does what is nested in it; compact output is unchanged; the next key is indented again. */
static void flat_arrays(void **state)
{
    (void)state;
    jbuf j;
    jopen(&j, 2);
    json_begin_object(&j.w);
    json_key(&j.w, "dtypes");
    json_begin_array_flat(&j.w);
    json_str(&j.w, "int8");
    json_str(&j.w, "bf16");
    json_begin_object(&j.w);
    json_kv_u64(&j.w, "a", 1);
    json_kv_u64(&j.w, "b", 2);
    json_end_object(&j.w);
    json_end_array(&j.w);
    json_key(&j.w, "none");
    json_begin_array_flat(&j.w);
    json_end_array(&j.w);
    json_key(&j.w, "xs");
    json_begin_array(&j.w);
    json_u64(&j.w, 1);
    json_end_array(&j.w);
    json_end_object(&j.w);
    jcheck(&j, 0, "{\n  \"dtypes\": [\"int8\", \"bf16\", {\"a\": 1, \"b\": 2}],\n  \"none\": [],\n"
                  "  \"xs\": [\n    1\n  ]\n}\n");
    jopen(&j, 0);
    json_begin_array_flat(&j.w);
    json_u64(&j.w, 1);
    json_u64(&j.w, 2);
    json_end_array(&j.w);
    jcheck(&j, 0, "[1,2]");
}

static void escapes_and_doubles(void **state)
{
    (void)state;
    jbuf j;
    jopen(&j, 0);
    json_begin_array(&j.w);
    json_str(&j.w, "a\nb\tc\rd\be\ff\x01g\x1f");
    json_str(&j.w, "caf\xc3\xa9");            /* UTF-8 passes through */
    json_strn(&j.w, "x\0y", 3);              /* an embedded NUL is escaped */
    json_double(&j.w, 0.1);                  /* %.17g: 0.10000000000000001 */
    json_double(&j.w, -2.0);
    json_double(&j.w, 1e300);
    json_double(&j.w, NAN);
    json_double(&j.w, INFINITY);
    json_double(&j.w, -INFINITY);
    json_kv_i64(&j.w, "k", 1);               /* misuse: a key inside an array */
    json_end_array(&j.w);
    jcheck(&j, -1,
           "[\"a\\nb\\tc\\rd\\be\\ff\\u0001g\\u001f\",\"caf\xc3\xa9\",\"x\\u0000y\","
           "0.10000000000000001,-2,1.0000000000000001e+300,null,null,null");
}

/* json_fixed: at most `decimals` digits after the point, trailing zeros and a bare point
 * dropped, -0 as 0, NaN as null (a trace's microseconds to the picosecond). */
static void fixed_decimals(void **state)
{
    (void)state;
    jbuf j;
    jopen(&j, 0);
    json_begin_array(&j.w);
    json_fixed(&j.w, 0.032, 6);
    json_fixed(&j.w, 0.0024, 6);
    json_fixed(&j.w, 40.170213, 6);
    json_fixed(&j.w, 5.0, 6);
    json_fixed(&j.w, 1e-7, 6);
    json_fixed(&j.w, -0.0000001, 6);
    json_fixed(&j.w, 2.5, 0);
    json_fixed(&j.w, 123456789.125, 3);
    json_fixed(&j.w, NAN, 6);
    json_end_array(&j.w);
    jcheck(&j, 0, "[0.032,0.0024,40.170213,5,0,0,2,123456789.125,null]");
}

static void misuse_is_reported(void **state)
{
    (void)state;
    jbuf j;
    /* a value in an object without a key */
    jopen(&j, 0);
    json_begin_object(&j.w);
    json_u64(&j.w, 1);
    json_end_object(&j.w);
    jcheck(&j, -1, "{");
    /* closing the wrong container */
    jopen(&j, 0);
    json_begin_array(&j.w);
    json_end_object(&j.w);
    jcheck(&j, -1, "[");
    /* unclosed */
    jopen(&j, 0);
    json_begin_array(&j.w);
    jcheck(&j, -1, "[");
    /* two top-level values */
    jopen(&j, 0);
    json_u64(&j.w, 1);
    json_u64(&j.w, 2);
    jcheck(&j, -1, "1");
    /* nothing written */
    jopen(&j, 0);
    jcheck(&j, -1, "");
    /* a key whose value never comes */
    jopen(&j, 0);
    json_begin_object(&j.w);
    json_key(&j.w, "a");
    json_end_object(&j.w);
    jcheck(&j, -1, "{\"a\":");
    /* a lone scalar is a complete document */
    jopen(&j, 2);
    json_str(&j.w, "x");
    jcheck(&j, 0, "\"x\"\n");
    /* nesting deeper than JSON_MAX_DEPTH fails */
    jopen(&j, 0);
    for (int i = 0; i < JSON_MAX_DEPTH + 1; i++)
        json_begin_array(&j.w);
    jcheck(&j, -1, NULL);
}

/* Every byte that is not part of a well-formed UTF-8 character becomes \ufffd (RFC 3629 by
 * hand: 0xff never occurs; C0 AF is an overlong '/'; ED A0 80 a surrogate; E2 82 a truncated
 * euro sign; F4 90 80 80 is above U+10FFFF), so a CSV layer name in Latin-1 still gives JSON. */
static void invalid_utf8_replaced(void **state)
{
    (void)state;
    jbuf j;
    jopen(&j, 0);
    json_begin_array(&j.w);
    json_str(&j.w, "l\xff" "1");
    json_str(&j.w, "\xc0\xaf");
    json_str(&j.w, "\xed\xa0\x80");
    json_str(&j.w, "\xe2\x82");
    json_str(&j.w, "\xf4\x90\x80\x80");
    /* well-formed: 2, 3 and 4 bytes, the largest code point, and a Latin-1 e-acute alone */
    json_str(&j.w, "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf caf\xe9");
    json_end_array(&j.w);
    jcheck(&j, 0,
           "[\"l\\ufffd1\",\"\\ufffd\\ufffd\",\"\\ufffd\\ufffd\\ufffd\",\"\\ufffd\\ufffd\","
           "\"\\ufffd\\ufffd\\ufffd\\ufffd\","
           "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf caf\\ufffd\"]");
}

TH_GROUP(json)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compact_text),
        cmocka_unit_test(indented_text),
        cmocka_unit_test(flat_arrays),
        cmocka_unit_test(escapes_and_doubles),
        cmocka_unit_test(fixed_decimals),
        cmocka_unit_test(misuse_is_reported),
        cmocka_unit_test(invalid_utf8_replaced),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
