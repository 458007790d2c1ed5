/* A tiny streaming JSON writer to a FILE*.
 *
 * The writer tracks nesting and inserts commas and (with indent > 0) newlines itself:
 *     json_w w; json_init(&w, stdout, 2);
 *     json_begin_object(&w);
 *       json_key(&w, "cycles"); json_u64(&w, 1234);
 *       json_kv_str(&w, "name", "tpu \"v1\"");
 *       json_key(&w, "xs"); json_begin_array(&w); json_i64(&w, -1); json_double(&w, 0.5); json_end_array(&w);
 *     json_end_object(&w);
 *     if (json_finish(&w) != 0) ... (unbalanced, misuse or a write error)
 * indent 0 gives compact output with no spaces: {"cycles":1234,"name":"tpu \"v1\"","xs":[-1,0.5]}
 * indent n gives one value per line, n spaces per level, ": " after keys, empty containers as
 * {} and [], and a final newline after the top-level value (as Python's json.dumps(indent=n) plus "\n").
 * Strings: " \\ and control characters are escaped (\b \f \n \r \t, others \u00XX); well-formed
 * UTF-8 passes through, and each byte that is not part of a well-formed UTF-8 character (a file
 * name or CSV field in another encoding) is written as \ufffd, so the output is always valid JSON.
 * Integers are exact (uint64/int64). Doubles print with %.17g (round-trip exact); NaN and +-Inf,
 * which JSON cannot hold, print as null.
 * Misuse (a value where a key is needed, a key in an array, closing the wrong container, nesting
 * deeper than JSON_MAX_DEPTH) sets the error flag and writes nothing more.
 */
#ifndef TP_BASE_JSON_H
#define TP_BASE_JSON_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 64

typedef struct {
    FILE *f;
    int indent;                          /* spaces per level; 0 = compact */
    int depth;                           /* open containers */
    char kind[JSON_MAX_DEPTH];           /* '{' or '[' per open container */
    bool has_items[JSON_MAX_DEPTH];      /* the container already holds a value */
    bool flat[JSON_MAX_DEPTH];           /* the container is written on one line */
    bool want_value;                     /* a key was written; its value comes next */
    bool done;                           /* the top-level value is complete */
    bool failed;                         /* misuse or a write error */
} json_w;

void json_init(json_w *w, FILE *f, int indent);
void json_begin_object(json_w *w);
void json_end_object(json_w *w);
void json_begin_array(json_w *w);
/* An array written on one line even when pretty-printing: ["int8", "bf16"] (items separated by
 * ", ", as Python's json.dumps without indent); containers inside it are flat too. */
void json_begin_array_flat(json_w *w);
void json_end_array(json_w *w);
void json_key(json_w *w, const char *key);
void json_str(json_w *w, const char *s);
void json_strn(json_w *w, const char *s, size_t len);
void json_u64(json_w *w, uint64_t v);
void json_i64(json_w *w, int64_t v);
void json_double(json_w *w, double v);
/* v with at most `decimals` (0..17) digits after the point, trailing zeros dropped: 0.032, 5
 * (for figures of a known resolution, e.g. a trace's microseconds to the picosecond). */
void json_fixed(json_w *w, double v, int decimals);
void json_bool(json_w *w, bool v);
void json_null(json_w *w);
/* key + value in one call */
void json_kv_str(json_w *w, const char *key, const char *v);
void json_kv_u64(json_w *w, const char *key, uint64_t v);
void json_kv_i64(json_w *w, const char *key, int64_t v);
void json_kv_double(json_w *w, const char *key, double v);
void json_kv_bool(json_w *w, const char *key, bool v);
/* 0 if exactly one complete top-level value was written without misuse or write error, else -1.
 * Flushes the FILE. */
int json_finish(json_w *w);
#endif
