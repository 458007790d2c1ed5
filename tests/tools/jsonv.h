/* jsonv: a strict RFC 8259 JSON parser and a validator for a small subset of JSON Schema
 * (draft 2020-12), used only by the tests: tests/tools/json_validate.c is the program, and
 * tests/test_jsonv.c the unit tests. The supported keywords are listed in jsonv.c. */
#ifndef TESTS_TOOLS_JSONV_H
#define TESTS_TOOLS_JSONV_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JV_MAX_DEPTH 512   /* arrays and objects nested deeper than this are refused */

typedef enum { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_kind;

typedef struct jv_value jv_value;

typedef struct {
    char *key;          /* decoded, NUL-terminated (it may also hold NULs: use key_len) */
    size_t key_len;
    size_t off;         /* byte offset of the key's opening quote */
    jv_value *value;
} jv_member;

struct jv_value {
    jv_kind kind;
    size_t off;         /* byte offset of the value's first character in the text */
    int b;              /* JV_BOOL: 0 or 1 */
    char *s;            /* JV_STRING: the decoded UTF-8 (NUL-terminated, may hold NULs);   */
    size_t len;         /* JV_NUMBER: the literal exactly as written                      */
    /* JV_NUMBER */
    int is_int;         /* written without a fraction or an exponent: 1 and -0, not 1.0 or 1e3 */
    int neg;            /* written with a leading '-' */
    int u64_ok;         /* an integer whose magnitude fits in uint64_t, which is u64 */
    uint64_t u64;
    char *dig;          /* exact value = (neg ? -1 : 1) * 0.dig * 10^e10, dig with no leading */
    size_t ndig;        /* or trailing zeros; zero has ndig 0                               */
    long e10;
    /* JV_ARRAY: n items; JV_OBJECT: n members in document order */
    size_t n;
    jv_value **items;
    jv_member *members;
};

typedef struct {
    size_t off;         /* byte offset of the error */
    int line, col;      /* 1-based; col counts UTF-8 characters */
    char msg[160];
} jv_perror;

/* Parses text[0..len) as one JSON document. NULL on error, with *err filled. */
jv_value *jv_parse(const char *text, size_t len, jv_perror *err);
void jv_free(jv_value *v);

/* Exact comparison of two JV_NUMBERs by value (1 == 1.0 == 10e-1): <0, 0 or >0. */
int jv_num_cmp(const jv_value *a, const jv_value *b);
/* JSON equality: numbers by value, objects regardless of member order. */
int jv_equal(const jv_value *a, const jv_value *b);
/* The member `key` of an object, or NULL. */
const jv_value *jv_get(const jv_value *obj, const char *key);

/* Checks that `schema` uses only the supported subset correctly. NULL when it does, else a
 * malloc'd "POINTER: what is wrong" (POINTER into the schema; "(root)" for the root). */
char *jv_schema_check(const jv_value *schema);
/* Validates doc against a schema that passed jv_schema_check. NULL when valid, else a malloc'd
 * "POINTER: what is wrong" for the first failure (POINTER into doc; "(root)" for the root). */
char *jv_validate(const jv_value *schema, const jv_value *doc);

/* The whole program: json_validate SCHEMA DOC ("-" = stdin). Prints at most one line on err
 * and returns the exit status: 0 valid, 1 invalid or malformed DOC, 2 unreadable file or a
 * bad schema. */
int jv_run(const char *schema_path, const char *doc_path, FILE *err);
#endif
