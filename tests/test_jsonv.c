/* jsonv (tests/tools/): the strict JSON parser behind json_validate, with the line:col of each
 * rejection; exact numbers; every supported schema keyword accepting and refusing, with the
 * pinned message and JSON Pointer; schema errors; and jv_run's exit status and one-line output. */
#include "harness.h"
#include "tools/jsonv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses text (which may hold NULs: n bytes) and expects it to fail with "LINE:COL: msg". */
static void reject_n(const char *text, size_t n, const char *want)
{
    jv_perror e;
    char got[256];
    jv_value *v = jv_parse(text, n, &e);
    if (v) {
        jv_free(v);
        fail_msg("parsed, expected \"%s\": %s", want, text);
    }
    snprintf(got, sizeof got, "%d:%d: %s", e.line, e.col, e.msg);
    if (strcmp(got, want) != 0)
        fail_msg("for %s\n got: %s\nwant: %s", text, got, want);
}

static void reject(const char *text, const char *want) { reject_n(text, strlen(text), want); }

static jv_value *parse_ok(const char *text)
{
    jv_perror e;
    jv_value *v = jv_parse(text, strlen(text), &e);
    if (!v)
        fail_msg("for %s: %d:%d: %s", text, e.line, e.col, e.msg);
    return v;
}

static void accept(const char *text) { jv_free(parse_ok(text)); }

/* Checks the schema (it must be usable), validates doc: want NULL = valid, else the message. */
static void check(const char *schema, const char *doc, const char *want)
{
    jv_value *s = parse_ok(schema), *d = parse_ok(doc);
    char *bad = jv_schema_check(s);
    if (bad) {
        fail_msg("schema %s refused: %s", schema, bad);
    }
    char *got = jv_validate(s, d);
    jv_free(s);
    jv_free(d);
    if (!want && got)
        fail_msg("schema %s, doc %s: expected valid, got: %s", schema, doc, got);
    if (want && (!got || strcmp(got, want) != 0))
        fail_msg("schema %s, doc %s\n got: %s\nwant: %s", schema, doc, got ? got : "(valid)", want);
    free(got);
}

/* The schema must be refused with exactly this message. */
static void bad_schema(const char *schema, const char *want)
{
    jv_value *s = parse_ok(schema);
    char *got = jv_schema_check(s);
    jv_free(s);
    if (!got || strcmp(got, want) != 0)
        fail_msg("schema %s\n got: %s\nwant: %s", schema, got ? got : "(accepted)", want);
    free(got);
}

static void parser_accepts(void **state)
{
    (void)state;
    accept("{}");
    accept("[]");
    accept(" \t\r\n{ \"a\" : [ 1 , -2.5e+3 , true , false , null , \"x\" ] } \n");
    accept("0");
    accept("-0");
    accept("\"\"");
    accept("null");
    accept("[[[[[]]]]]");
    accept("{\"a\":{\"a\":1}}");              /* the same name at two levels is fine */
    accept("{\"a\":1,\"A\":2,\"a \":3}");
    accept("\"\x7f caf\xc3\xa9 \xf0\x9f\x98\x80\"");    /* DEL and UTF-8 are allowed raw */

    jv_value *v = parse_ok("[\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\\u0000z\"]");
    assert_int_equal(v->kind, JV_ARRAY);
    assert_int_equal(v->n, 1);
    const jv_value *s = v->items[0];
    static const char want[] = "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z";
    assert_int_equal(s->kind, JV_STRING);
    assert_int_equal(s->len, sizeof want - 1);
    assert_memory_equal(s->s, want, sizeof want - 1);
    jv_free(v);

    v = parse_ok("{\"b\":true,\"a\":[null]}");
    assert_int_equal(v->n, 2);
    assert_string_equal(v->members[0].key, "b");   /* document order is kept */
    assert_int_equal(v->members[0].value->kind, JV_BOOL);
    assert_int_equal(v->members[0].value->b, 1);
    assert_int_equal(jv_get(v, "a")->items[0]->kind, JV_NULL);
    assert_null(jv_get(v, "c"));
    jv_free(v);
}

static void parser_rejects_with_line_col(void **state)
{
    (void)state;
    reject("", "1:1: unexpected end of input");
    reject("  \n ", "2:2: unexpected end of input");
    reject("[1,2,]", "1:5: trailing comma in array");
    reject("{\"a\":1,\n  }", "1:7: trailing comma in object");
    reject("[,]", "1:2: expected a value, got ','");
    reject("{,}", "1:2: expected a member name, got ','");
    reject("{\"a\" 1}", "1:6: expected ':' after a member name, got '1'");
    reject("{a:1}", "1:2: expected a member name, got 'a'");
    reject("[1 2]", "1:4: expected ',' or ']' in array, got '2'");
    reject("{\"a\":1 \"b\":2}", "1:8: expected ',' or '}' in object, got '\"'");
    reject("[1", "1:3: unexpected end of input");
    reject("{\"a\":", "1:6: unexpected end of input");
    reject("{\"a\":1}}", "1:8: expected the end of the document, got '}'");
    reject("1 2", "1:3: expected the end of the document, got '2'");
    reject("{} x", "1:4: expected the end of the document, got 'x'");
    reject("\xef\xbb\xbf{}", "1:1: expected a value, got byte 0xef");   /* no byte order mark */
    reject_n("[1,\0]", 5, "1:4: expected a value, got byte 0x00");
    /* numbers */
    reject("01", "1:1: leading zero in number");
    reject("[-012]", "1:2: leading zero in number");
    reject("-", "1:1: invalid number");
    reject("1.", "1:1: invalid number");
    reject("[1.e5]", "1:2: invalid number");
    reject("1e", "1:1: invalid number");
    reject("1e+", "1:1: invalid number");
    reject(".5", "1:1: expected a value, got '.'");
    reject("+1", "1:1: expected a value, got '+'");
    reject("-a", "1:1: invalid number");
    reject("0x10", "1:2: expected the end of the document, got 'x'");
    reject("NaN", "1:1: expected a value, got 'N'");
    reject("Infinity", "1:1: expected a value, got 'I'");
    /* literals */
    reject("tru", "1:1: invalid literal (expected true)");
    reject("[nul]", "1:2: invalid literal (expected null)");
    reject("True", "1:1: expected a value, got 'T'");
    reject("falsey", "1:6: expected the end of the document, got 'y'");
    /* strings */
    reject("\"abc", "1:1: unterminated string");
    reject("[\"a\\", "1:2: unterminated string");
    reject("\"a\\x\"", "1:3: invalid escape '\\x' in string");
    reject("\"\\'\"", "1:2: invalid escape '\\'' in string");
    reject("\"\\u12g4\"", "1:2: invalid \\u escape in string");
    reject("\"\\u12\"", "1:2: invalid \\u escape in string");
    reject("\"x\\ud800\"", "1:3: unpaired surrogate \\ud800 in string");
    reject("\"\\uD800\\u0041\"", "1:2: unpaired surrogate \\uD800 in string");
    reject("\"\\ud800\\ud800\"", "1:2: unpaired surrogate \\ud800 in string");
    reject("\"\\udc00\"", "1:2: unpaired surrogate \\udc00 in string");
    reject("\"\\ude00\\ud83d\"", "1:2: unpaired surrogate \\ude00 in string");
    reject("\"a\tb\"", "1:3: unescaped control character 0x09 in string");
    reject("{\"k\":\"line\nbreak\"}", "1:11: unescaped control character 0x0a in string");
    reject_n("\"a\0\"", 4, "1:3: unescaped control character 0x00 in string");
    reject("\"caf\xe9\"", "1:5: invalid UTF-8 in string");           /* Latin-1 */
    reject("\"\xc0\xaf\"", "1:2: invalid UTF-8 in string");          /* overlong '/' */
    reject("\"\xed\xa0\x80\"", "1:2: invalid UTF-8 in string");      /* a raw surrogate */
    reject("\"\xf4\x90\x80\x80\"", "1:2: invalid UTF-8 in string");  /* above U+10FFFF */
    reject("\"\xe2\x82\"", "1:2: invalid UTF-8 in string");          /* truncated */
    /* columns count characters, not bytes */
    reject("[\"\xc3\xa9\xe2\x82\xac\", 01]", "1:8: leading zero in number");
    reject("{\n  \"a\": 1,\n  \"b\": [tru]\n}", "3:9: invalid literal (expected true)");
}

static void duplicate_members_and_depth(void **state)
{
    (void)state;
    reject("{\"a\":1,\"b\":2,\"a\":3}", "1:14: duplicate member \"a\"");
    reject("{\"a\":1,\n\"b\":2,\n\"b\":3,\"a\":4}", "3:1: duplicate member \"b\"");
    reject("{\"x\":{\"\\u0061\":1,\"a\":2}}", "1:18: duplicate member \"a\"");   /* after decoding */
    reject("{\"\\n\":1,\"\\n\":2}", "1:9: duplicate member \"\\n\"");
    /* JV_MAX_DEPTH levels are fine, one more is not */
    size_t n = JV_MAX_DEPTH + 1;
    char *t = malloc(2 * n + 1);
    assert_non_null(t);
    memset(t, '[', n);
    memset(t + n, ']', n);
    t[2 * n] = 0;
    reject(t, "1:513: nesting deeper than 512 levels");
    t[n - 1] = ' ';
    t[n] = ' ';
    accept(t);
    free(t);
}

static void numbers_exact(void **state)
{
    (void)state;
    jv_value *v = parse_ok("[18446744073709551615, 18446744073709551616, -0, 1.0, 1e3, 1.5, -7, 0]");
    const jv_value *const *x = (const jv_value *const *)v->items;
    assert_true(x[0]->is_int && x[0]->u64_ok);
    assert_true(x[0]->u64 == UINT64_MAX);
    assert_string_equal(x[0]->s, "18446744073709551615");
    assert_true(x[1]->is_int);                /* an integer still, just not a uint64_t */
    assert_false(x[1]->u64_ok);
    assert_true(x[2]->is_int && x[2]->neg && x[2]->u64_ok && x[2]->u64 == 0);
    assert_false(x[3]->is_int);
    assert_false(x[4]->is_int);
    assert_false(x[5]->is_int);
    assert_true(x[6]->is_int && x[6]->neg && x[6]->u64 == 7);
    assert_true(jv_num_cmp(x[0], x[1]) < 0);   /* 2^64-1 < 2^64, exactly */
    assert_true(jv_num_cmp(x[1], x[0]) > 0);
    assert_int_equal(jv_num_cmp(x[2], x[7]), 0);   /* -0 == 0 */
    assert_true(jv_num_cmp(x[6], x[7]) < 0);
    jv_free(v);

    /* equal values, different spellings */
    v = parse_ok("[1, 1.0, 10e-1, 0.1e1, 100e-2, 1.000]");
    for (size_t i = 1; i < v->n; i++) {
        assert_int_equal(jv_num_cmp(v->items[0], v->items[i]), 0);
        assert_true(jv_equal(v->items[0], v->items[i]));
    }
    jv_free(v);
    /* strictly increasing, including beyond double precision and range */
    v = parse_ok("[-1e400, -2, -1.5, -1, -0.5, -1e-400, 0, 1e-400, 0.5, 0.999999999999999999999, 1,"
                 " 1.000000000000000000001, 18446744073709551615, 18446744073709551615.5,"
                 " 18446744073709551616, 1e400]");
    for (size_t i = 1; i < v->n; i++) {
        if (!(jv_num_cmp(v->items[i - 1], v->items[i]) < 0 && jv_num_cmp(v->items[i], v->items[i - 1]) > 0))
            fail_msg("%s < %s", v->items[i - 1]->s, v->items[i]->s);
    }
    jv_free(v);
    /* equality of containers: numbers by value, members in any order */
    v = parse_ok("[{\"a\":[1,{\"b\":null}],\"c\":\"x\"}, {\"c\":\"x\",\"a\":[1.0,{\"b\":null}]},"
                 " {\"c\":\"x\",\"a\":[1,{\"b\":false}]}, {\"c\":\"x\"}, [1,2], [2,1]]");
    assert_true(jv_equal(v->items[0], v->items[1]));
    assert_false(jv_equal(v->items[0], v->items[2]));
    assert_false(jv_equal(v->items[0], v->items[3]));
    assert_false(jv_equal(v->items[4], v->items[5]));
    jv_free(v);
}

static void keyword_type(void **state)
{
    (void)state;
    check("{\"type\":\"integer\"}", "18446744073709551615", NULL);
    check("{\"type\":\"integer\"}", "-3", NULL);
    check("{\"type\":\"integer\"}", "1.5", "(root): expected integer, got 1.5");
    check("{\"type\":\"integer\"}", "1.0", "(root): expected integer, got 1.0");
    check("{\"type\":\"integer\"}", "1e3", "(root): expected integer, got 1e3");
    check("{\"type\":\"number\"}", "1e3", NULL);
    check("{\"type\":\"number\"}", "7", NULL);
    check("{\"type\":\"number\"}", "\"7\"", "(root): expected number, got \"7\"");
    check("{\"type\":\"string\"}", "\"\"", NULL);
    check("{\"type\":\"string\"}", "null", "(root): expected string, got null");
    check("{\"type\":\"boolean\"}", "false", NULL);
    check("{\"type\":\"boolean\"}", "0", "(root): expected boolean, got 0");
    check("{\"type\":\"null\"}", "null", NULL);
    check("{\"type\":\"null\"}", "[]", "(root): expected null, got array");
    check("{\"type\":\"object\"}", "{}", NULL);
    check("{\"type\":\"object\"}", "[{}]", "(root): expected object, got array");
    check("{\"type\":\"array\"}", "{\"a\":1}", "(root): expected array, got object");
    check("{\"type\":[\"integer\",\"null\"]}", "null", NULL);
    check("{\"type\":[\"integer\",\"null\"]}", "2", NULL);
    check("{\"type\":[\"integer\",\"null\"]}", "true", "(root): expected integer or null, got true");
    check("{\"type\":[\"object\",\"array\",\"null\"]}", "\"s\"",
          "(root): expected object, array or null, got \"s\"");
    /* long values are cut in messages */
    check("{\"type\":\"number\"}", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
          "(root): expected number, got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
    check("{\"type\":\"number\"}", "\"tab\\there\\u0001\"",
          "(root): expected number, got \"tab\\there\\u0001\"");
}

static void keyword_object(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"object\",\"required\":[\"cycles\",\"name\"],"
                    "\"properties\":{\"cycles\":{\"type\":\"integer\"},\"name\":{\"type\":\"string\"}}}";
    check(s, "{\"name\":\"x\",\"cycles\":3}", NULL);
    check(s, "{\"name\":\"x\",\"cycles\":3,\"extra\":[]}", NULL);       /* allowed by default */
    check(s, "{\"name\":\"x\"}", "(root): missing required member \"cycles\"");
    check(s, "{\"cycles\":1}", "(root): missing required member \"name\"");
    check(s, "{\"cycles\":1.5,\"name\":2}", "/cycles: expected integer, got 1.5");   /* document order */
    check(s, "{\"name\":2,\"cycles\":1.5}", "/name: expected string, got 2");
    /* properties/required apply only to objects */
    check("{\"required\":[\"a\"],\"properties\":{\"a\":false}}", "[1]", NULL);
    check("{\"required\":[\"a\\\"b\"]}", "{}", "(root): missing required member \"a\\\"b\"");
    /* additionalProperties */
    const char *closed = "{\"properties\":{\"a\":{}},\"additionalProperties\":false}";
    check(closed, "{\"a\":1}", NULL);
    check(closed, "{\"a\":1,\"extra\":2}", "/extra: member not allowed");
    check("{\"properties\":{\"a\":false}}", "{\"a\":1}", "/a: member not allowed");
    const char *map = "{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"string\"}},"
                      "\"additionalProperties\":{\"type\":\"integer\",\"minimum\":0}}";
    check(map, "{\"total\":\"t\",\"busy\":3,\"idle\":0}", NULL);
    check(map, "{\"busy\":3,\"idle\":-1}", "/idle: expected at least 0, got -1");
    check(map, "{\"total\":3}", "/total: expected string, got 3");
    check("{\"additionalProperties\":true}", "{\"x\":1}", NULL);
}

static void keyword_array(void **state)
{
    (void)state;
    const char *s = "{\"type\":\"array\",\"minItems\":2,\"items\":{\"type\":\"integer\"}}";
    check(s, "[1,2,3]", NULL);
    check(s, "[1]", "(root): expected at least 2 items, got 1");
    check(s, "[]", "(root): expected at least 2 items, got 0");
    check(s, "[1,2,\"3\"]", "/2: expected integer, got \"3\"");
    check("{\"minItems\":1}", "[]", "(root): expected at least 1 item, got 0");
    check("{\"minItems\":1}", "\"not an array\"", NULL);
    check("{\"minItems\":0}", "[]", NULL);
    check("{\"items\":false}", "[]", NULL);
    check("{\"items\":false}", "[0]", "/0: item not allowed");
    check("{\"items\":{\"items\":{\"type\":\"null\"}}}", "[[null],[null,0]]", "/1/1: expected null, got 0");
}

static void keyword_enum_const(void **state)
{
    (void)state;
    const char *e = "{\"enum\":[\"ws\",\"os\",\"is\",null,2]}";
    check(e, "\"os\"", NULL);
    check(e, "null", NULL);
    check(e, "2.0", NULL);   /* by value */
    check(e, "\"OS\"", "(root): expected one of \"ws\", \"os\", \"is\", null, 2, got \"OS\"");
    check(e, "{\"a\":[1]}", "(root): expected one of \"ws\", \"os\", \"is\", null, 2, got {\"a\":[1]}");
    check("{\"enum\":[{\"a\":[1,2]}]}", "{\"a\":[1,2.0]}", NULL);
    check("{\"enum\":[{\"a\":[1,2]}]}", "{\"a\":[2,1]}",
          "(root): expected one of {\"a\":[1,2]}, got {\"a\":[2,1]}");
    check("{\"const\":\"tpusim\"}", "\"tpusim\"", NULL);
    check("{\"const\":\"tpusim\"}", "\"tpusim \"", "(root): expected \"tpusim\", got \"tpusim \"");
    check("{\"const\":1}", "1e0", NULL);
    check("{\"const\":1}", "true", "(root): expected 1, got true");
    check("{\"const\":false}", "0", "(root): expected false, got 0");
    check("{\"const\":[]}", "[null]", "(root): expected [], got [null]");
    check("{\"const\":{\"a\":\"\\u0000\"}}", "{\"a\":\"\"}",
          "(root): expected {\"a\":\"\\u0000\"}, got {\"a\":\"\"}");
}

static void keyword_numeric_bounds(void **state)
{
    (void)state;
    const char *s = "{\"minimum\":0,\"maximum\":18446744073709551615}";
    check(s, "0", NULL);
    check(s, "18446744073709551615", NULL);
    check(s, "18446744073709551616",
          "(root): expected at most 18446744073709551615, got 18446744073709551616");
    check(s, "18446744073709551615.0001",
          "(root): expected at most 18446744073709551615, got 18446744073709551615.0001");
    check(s, "-1", "(root): expected at least 0, got -1");
    check(s, "-1e-300", "(root): expected at least 0, got -1e-300");
    check(s, "-0", NULL);
    check(s, "\"-1\"", NULL);   /* bounds apply to numbers only */
    check("{\"exclusiveMinimum\":0}", "1e-9", NULL);
    check("{\"exclusiveMinimum\":0}", "0", "(root): expected more than 0, got 0");
    check("{\"exclusiveMinimum\":0.5}", "0.50", "(root): expected more than 0.5, got 0.50");
    check("{\"exclusiveMaximum\":1}", "0.999", NULL);
    check("{\"exclusiveMaximum\":1}", "1.0", "(root): expected less than 1, got 1.0");
    check("{\"minimum\":-2.5}", "-2.5", NULL);
    check("{\"minimum\":-2.5}", "-2.51", "(root): expected at least -2.5, got -2.51");
    check("{\"maximum\":1e2}", "100", NULL);
    check("{\"maximum\":1e2}", "101", "(root): expected at most 1e2, got 101");
}

static void keyword_min_length(void **state)
{
    (void)state;
    check("{\"minLength\":1}", "\"x\"", NULL);
    check("{\"minLength\":1}", "\"\"", "(root): expected at least 1 character, got 0");
    check("{\"minLength\":3}", "\"\xc3\xa9\xe2\x82\xac\"", "(root): expected at least 3 characters, got 2");
    check("{\"minLength\":3}", "\"\xc3\xa9\xe2\x82\xac\\ud83d\\ude00\"", NULL);   /* code points */
    check("{\"minLength\":3}", "12", NULL);
}

static void pointer_escaping(void **state)
{
    (void)state;
    const char *s = "{\"additionalProperties\":{\"additionalProperties\":{\"type\":\"integer\"}}}";
    check(s, "{\"a/b\":{\"c~d\":1.5}}", "/a~1b/c~0d: expected integer, got 1.5");
    check(s, "{\"~1\":{\"/\":1.5}}", "/~01/~1: expected integer, got 1.5");
    check(s, "{\"\":{\" \":1.5}}", "// : expected integer, got 1.5");
    check(s, "{\"line\\nbreak\":{\"caf\xc3\xa9\":null}}",
          "/line\\u000abreak/caf\xc3\xa9: expected integer, got null");
    check("{\"items\":{\"properties\":{\"x\":{\"items\":{\"type\":\"string\"}}}}}",
          "[{}, {\"x\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",7]}]",
          "/1/x/10: expected string, got 7");
    check("{\"properties\":{\"tpu\":{\"required\":[\"cycles\"]}}}", "{\"tpu\":{}}",
          "/tpu: missing required member \"cycles\"");
    check("false", "1", "(root): value not allowed");
    check("true", "[{\"any\":1}]", NULL);
    check("{}", "[{\"any\":1}]", NULL);
}

static void ref_and_defs(void **state)
{
    (void)state;
    const char *s = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$id\":\"t\","
                    "\"title\":\"t\",\"description\":\"d\",\"$comment\":\"c\","
                    "\"type\":\"object\",\"properties\":{\"units\":{\"type\":\"object\","
                    "\"additionalProperties\":{\"$ref\":\"#/$defs/unit\"}},"
                    "\"odd\":{\"$ref\":\"#/$defs/a~1b~0c\"}},"
                    "\"$defs\":{\"unit\":{\"type\":\"object\",\"required\":[\"cycles\"],\"properties\":"
                    "{\"cycles\":{\"$ref\":\"#/$defs/count\"},\"sub\":{\"$ref\":\"#/$defs/unit\"}}},"
                    "\"count\":{\"type\":\"integer\",\"minimum\":0},"
                    "\"a/b~c\":{\"const\":1}}}";
    check(s, "{\"units\":{\"core0.mxu0\":{\"cycles\":18446744073709551615}}}", NULL);
    check(s, "{\"units\":{\"core0.mxu0\":{\"cycles\":-1}}}",
          "/units/core0.mxu0/cycles: expected at least 0, got -1");
    check(s, "{\"units\":{\"u\":{\"cycles\":1,\"sub\":{\"cycles\":1,\"sub\":{}}}}}",
          "/units/u/sub/sub: missing required member \"cycles\"");
    check(s, "{\"odd\":1}", NULL);
    check(s, "{\"odd\":2}", "/odd: expected 1, got 2");
    /* $ref and its sibling keywords both apply */
    const char *both = "{\"$defs\":{\"n\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/n\",\"maximum\":3}";
    check(both, "3", NULL);
    check(both, "4", "(root): expected at most 3, got 4");
    check(both, "2.5", "(root): expected integer, got 2.5");
    /* a recursive $ref through properties is fine: the document bounds it */
    check("{\"$defs\":{\"t\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/t\"}}},"
          "\"$ref\":\"#/$defs/t\"}",
          "[[],[[[]]],[[0]]]", "/2/0/0: expected array, got 0");
}

static void any_of_one_of(void **state)
{
    (void)state;
    const char *nullable = "{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"null\"}]}";
    check(nullable, "null", NULL);
    check(nullable, "5", NULL);
    check(nullable, "1.5",
          "(root): no anyOf alternative matched: expected integer, got 1.5; expected null, got 1.5");
    const char *deep = "{\"properties\":{\"u\":{\"anyOf\":[{\"type\":\"null\"},"
                       "{\"properties\":{\"cycles\":{\"type\":\"integer\"}}}]}}}";
    check(deep, "{\"u\":{\"cycles\":2}}", NULL);
    check(deep, "{\"u\":{\"cycles\":2.5}}",
          "/u: no anyOf alternative matched: expected null, got object; /cycles: expected integer, got 2.5");
    const char *one = "{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\",\"minimum\":10},"
                      "{\"type\":\"string\"}]}";
    check(one, "3", NULL);
    check(one, "10.5", NULL);
    check(one, "\"s\"", NULL);
    check(one, "12", "(root): matches both oneOf/0 and oneOf/1, expected exactly one");
    check(one, "null", "(root): no oneOf alternative matched: expected integer, got null; "
          "expected number, got null; expected string, got null");
    /* a bound alone ignores other kinds, so a string matches both of these */
    check("{\"oneOf\":[{\"minimum\":10},{\"type\":\"string\"}]}", "\"s\"",
          "(root): matches both oneOf/0 and oneOf/1, expected exactly one");
    check("{\"oneOf\":[true,false]}", "[]", NULL);
    check("{\"anyOf\":[false]}", "[]", "(root): no anyOf alternative matched: value not allowed");
    /* nested, and combined with $ref */
    check("{\"$defs\":{\"i\":{\"type\":\"integer\"}},\"anyOf\":[{\"$ref\":\"#/$defs/i\"},"
          "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"boolean\"}]}]}",
          "null",
          "(root): no anyOf alternative matched: expected integer, got null; no anyOf alternative matched: "
          "expected string, got null; expected boolean, got null");
}

static void schema_errors(void **state)
{
    (void)state;
    bad_schema("{\"typ\":\"string\"}", "(root): unknown keyword \"typ\"");
    bad_schema("{\"properties\":{\"a\":{\"requried\":[]}}}", "/properties/a: unknown keyword \"requried\"");
    bad_schema("{\"anyOf\":[{}, {\"patternProperties\":{}}]}",
          "/anyOf/1: unknown keyword \"patternProperties\"");
    bad_schema("{\"items\":{\"type\":\"strin\"}}", "/items/type: expected a type name, got \"strin\"");
    bad_schema("{\"type\":[]}", "/type: expected a type name or a non-empty array of them, got array");
    bad_schema("{\"type\":[\"null\",3]}", "/type/1: expected a type name, got 3");
    bad_schema("{\"type\":[\"null\",\"null\"]}", "/type/1: type \"null\" listed twice");
    bad_schema("{\"type\":1}", "/type: expected a type name or a non-empty array of them, got 1");
    bad_schema("{\"properties\":[]}", "/properties: expected an object of schemas, got array");
    bad_schema("{\"properties\":{\"a\":3}}",
          "/properties/a: expected a schema (an object or a boolean), got 3");
    bad_schema("[]", "(root): expected a schema (an object or a boolean), got array");
    bad_schema("{\"required\":\"a\"}", "/required: expected an array of member names, got \"a\"");
    bad_schema("{\"required\":[\"a\",1]}", "/required/1: expected a member name (a string), got 1");
    bad_schema("{\"required\":[\"a\",\"a\"]}", "/required/1: member \"a\" listed twice");
    bad_schema("{\"additionalProperties\":null}",
          "/additionalProperties: expected a schema (an object or a boolean), got null");
    bad_schema("{\"items\":[{}]}", "/items: expected a schema (an object or a boolean), got array");
    bad_schema("{\"minItems\":-1}", "/minItems: expected a non-negative integer, got -1");
    bad_schema("{\"minLength\":1.0}", "/minLength: expected a non-negative integer, got 1.0");
    bad_schema("{\"minLength\":18446744073709551616}",
          "/minLength: expected a non-negative integer, got 18446744073709551616");
    bad_schema("{\"enum\":[]}", "/enum: expected a non-empty array, got array");
    bad_schema("{\"enum\":1}", "/enum: expected a non-empty array, got 1");
    bad_schema("{\"minimum\":\"0\"}", "/minimum: expected a number, got \"0\"");
    bad_schema("{\"exclusiveMaximum\":true}", "/exclusiveMaximum: expected a number, got true");
    bad_schema("{\"anyOf\":[]}", "/anyOf: expected a non-empty array of schemas, got array");
    bad_schema("{\"oneOf\":{}}", "/oneOf: expected a non-empty array of schemas, got object");
    bad_schema("{\"oneOf\":[{},1]}", "/oneOf/1: expected a schema (an object or a boolean), got 1");
    bad_schema("{\"description\":3}", "/description: expected a string, got 3");
    /* $ref and $defs */
    bad_schema("{\"$ref\":\"#/definitions/a\"}",
          "/$ref: unsupported reference \"#/definitions/a\" (only #/$defs/NAME)");
    bad_schema("{\"$ref\":\"other.json#/$defs/a\"}",
          "/$ref: unsupported reference \"other.json#/$defs/a\" (only #/$defs/NAME)");
    bad_schema("{\"$defs\":{\"a\":{\"b\":{}}},\"$ref\":\"#/$defs/a/b\"}", "/$defs/a: unknown keyword \"b\"");
    bad_schema("{\"$defs\":{\"a\":{}},\"$ref\":\"#/$defs/a/b\"}",
          "/$ref: unsupported reference \"#/$defs/a/b\" (only #/$defs/NAME)");
    bad_schema("{\"$defs\":{\"a\":{}},\"$ref\":\"#/$defs/a~2\"}",
          "/$ref: unsupported reference \"#/$defs/a~2\" (only #/$defs/NAME)");
    bad_schema("{\"$ref\":\"#\"}", "/$ref: unsupported reference \"#\" (only #/$defs/NAME)");
    bad_schema("{\"$defs\":{\"a\":{}},\"properties\":{\"x\":{\"$ref\":\"#/$defs/b\"}}}",
          "/properties/x/$ref: no definition for \"#/$defs/b\"");
    bad_schema("{\"properties\":{\"x\":{\"$ref\":\"#/$defs/b\"}}}",
          "/properties/x/$ref: no definition for \"#/$defs/b\"");
    bad_schema("{\"$ref\":3}", "/$ref: expected a string, got 3");
    bad_schema("{\"$defs\":[]}", "/$defs: expected an object of schemas, got array");
    bad_schema("{\"$defs\":{\"a\":7}}", "/$defs/a: expected a schema (an object or a boolean), got 7");
    bad_schema("{\"items\":{\"$defs\":{}}}", "/items/$defs: $defs is only supported at the root");
    /* in-place $ref loops would never end; through items or properties they are fine */
    bad_schema("{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/a\"}}}", "/$defs/a: $ref cycle #/$defs/a -> #/$defs/a");
    bad_schema("{\"$defs\":{\"a\":{\"anyOf\":[{\"type\":\"null\"},{\"$ref\":\"#/$defs/b\"}]},"
               "\"b\":{\"oneOf\":[{\"$ref\":\"#/$defs/c\"}]},\"c\":{\"$ref\":\"#/$defs/a\"}}}",
               "/$defs/a: $ref cycle #/$defs/a -> #/$defs/b -> #/$defs/c -> #/$defs/a");
    bad_schema("{\"$defs\":{\"ok\":{\"items\":{\"$ref\":\"#/$defs/b\"}},\"b\":{\"$ref\":\"#/$defs/c\"},"
               "\"c\":{\"$ref\":\"#/$defs/b\"}}}",
               "/$defs/b: $ref cycle #/$defs/b -> #/$defs/c -> #/$defs/b");
    jv_value *s = parse_ok("{\"$defs\":{\"t\":{\"properties\":{\"k\":{\"$ref\":\"#/$defs/t\"}}}}}");
    assert_null(jv_schema_check(s));
    jv_free(s);
}

/* jv_run on files in the test's temporary directory: exit status and the exact stderr. */
typedef char tpath[512];

/* Writes text to th_tmpdir()/name; its path goes in p. */
static const char *tmpfile_with(tpath p, const char *name, const char *text)
{
    snprintf(p, sizeof(tpath), "%s/%s", th_tmpdir(), name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return p;
}

static void run_expect(const char *schema, const char *doc, int want_rc, const char *want_err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&buf, &len);
    assert_non_null(err);
    int rc = jv_run(schema, doc, err);
    fclose(err);
    if (rc != want_rc || strcmp(buf, want_err) != 0)
        fail_msg("jv_run %s %s: exit %d, stderr \"%s\"; want exit %d, \"%s\"", schema, doc, rc, buf,
                 want_rc, want_err);
    free(buf);
}

static void run_exit_status_and_message(void **state)
{
    (void)state;
    char want[1024];
    tpath ps, pok, pr[3], pb, pbs[2];
    const char *s = tmpfile_with(ps, "s.json",
        "{\"type\":\"object\",\"required\":[\"tpu\"],\"properties\":{\"tpu\":{\"type\":\"object\","
        "\"required\":[\"cycles\"],\"additionalProperties\":false,\"properties\":{\"cycles\":"
        "{\"type\":\"integer\",\"minimum\":0},\"units\":{\"additionalProperties\":{\"properties\":"
        "{\"cycles_by_cause\":{\"additionalProperties\":{\"type\":\"integer\"}}}}}}}}}\n");
    const char *ok = tmpfile_with(pok, "ok.json", "{\"tpu\": {\"cycles\": 18446744073709551615,\n"
                                  "  \"units\": {\"core0.mxu0\": {\"cycles_by_cause\": {\"busy\": 1}}}}}\n");
    run_expect(s, ok, 0, "");
    const char *r = tmpfile_with(pr[0], "r.json", "{\"tpu\": {\"cycles\": 3,\n"
                                 "  \"units\": {\"core0.mxu0\": {\"cycles_by_cause\": {\"busy\": 1.5}}}}}\n");
    snprintf(want, sizeof want,
             "%s: /tpu/units/core0.mxu0/cycles_by_cause/busy: expected integer, got 1.5\n", r);
    run_expect(s, r, 1, want);
    r = tmpfile_with(pr[1], "r2.json", "{\"tpu\": {}}");
    snprintf(want, sizeof want, "%s: /tpu: missing required member \"cycles\"\n", r);
    run_expect(s, r, 1, want);
    r = tmpfile_with(pr[2], "r3.json", "{\"tpu\": {\"cycles\": 1, \"extra\": 0}}");
    snprintf(want, sizeof want, "%s: /tpu/extra: member not allowed\n", r);
    run_expect(s, r, 1, want);
    /* a malformed document: exit 1, with line:col */
    r = tmpfile_with(pb, "bad.json", "{\"tpu\": {\"cycles\": 1,}\n}");
    snprintf(want, sizeof want, "%s:1:21: trailing comma in object\n", r);
    run_expect(s, r, 1, want);
    /* a malformed or unsupported schema, or an unreadable file: exit 2 */
    const char *bs = tmpfile_with(pbs[0], "bs.json",
          "{\n  \"type\": \"object\",\n  \"properties\": {\"a\": {}},\n}");
    snprintf(want, sizeof want, "%s:3:26: trailing comma in object\n", bs);
    run_expect(bs, ok, 2, want);
    bs = tmpfile_with(pbs[1], "bs2.json", "{\"properties\": {\"a\": {\"tpye\": \"integer\"}}}");
    snprintf(want, sizeof want, "%s: /properties/a: unknown keyword \"tpye\"\n", bs);
    run_expect(bs, ok, 2, want);
    snprintf(want, sizeof want, "%s/missing.json: cannot read: No such file or directory\n", th_tmpdir());
    tpath missing;
    snprintf(missing, sizeof missing, "%s/missing.json", th_tmpdir());
    run_expect(s, missing, 2, want);
    run_expect(missing, ok, 2, want);
    snprintf(want, sizeof want, "%s: cannot read: Is a directory\n", th_tmpdir());
    run_expect(s, th_tmpdir(), 2, want);
}

TH_GROUP(jsonv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parser_accepts),
        cmocka_unit_test(parser_rejects_with_line_col),
        cmocka_unit_test(duplicate_members_and_depth),
        cmocka_unit_test(numbers_exact),
        cmocka_unit_test(keyword_type),
        cmocka_unit_test(keyword_object),
        cmocka_unit_test(keyword_array),
        cmocka_unit_test(keyword_enum_const),
        cmocka_unit_test(keyword_numeric_bounds),
        cmocka_unit_test(keyword_min_length),
        cmocka_unit_test(pointer_escaping),
        cmocka_unit_test(ref_and_defs),
        cmocka_unit_test(any_of_one_of),
        cmocka_unit_test(schema_errors),
        cmocka_unit_test(run_exit_status_and_message),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
