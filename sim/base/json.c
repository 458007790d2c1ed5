/* Streaming JSON writer. Invariant: before every value or key, `separate` writes what separates it
 * from the previous item in the enclosing container (a comma if it has items, then a newline and
 * indentation when pretty-printing); after a key, the value follows ": " (":" compact) with no
 * separator. Once `failed` is set nothing more is written. */
#include "base/json.h"
#include <inttypes.h>
#include <math.h>
#include <string.h>

void json_init(json_w *w, FILE *f, int indent)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->indent = indent < 0 ? 0 : indent;
}

static void put(json_w *w, const char *s, size_t n)
{
    if (!w->failed && n && fwrite(s, 1, n, w->f) != n)
        w->failed = true;
}

static void puts_(json_w *w, const char *s)
{
    put(w, s, strlen(s));
}

static void newline_indent(json_w *w, int depth)
{
    if (w->indent == 0)
        return;
    put(w, "\n", 1);
    for (int i = 0; i < depth * w->indent; i++)
        put(w, " ", 1);
}

/* What goes before an item of the innermost container: a comma after an earlier item, then a
 * newline and indentation, or (flat) a space after the comma. */
static void separate(json_w *w)
{
    bool flat = w->flat[w->depth - 1];
    if (w->has_items[w->depth - 1])
        put(w, flat && w->indent ? ", " : ",", flat && w->indent ? 2 : 1);
    if (!flat)
        newline_indent(w, w->depth);
}

/* Checks that a value may come now and writes its separator. Returns false on misuse. */
static bool begin_value(json_w *w)
{
    if (w->failed)
        return false;
    if (w->want_value) {
        w->want_value = false;
        return true;
    }
    if (w->depth == 0) {
        if (w->done) {
            w->failed = true;            /* a second top-level value */
            return false;
        }
        return true;
    }
    if (w->kind[w->depth - 1] != '[') {
        w->failed = true;                /* a value in an object needs a key first */
        return false;
    }
    separate(w);
    return true;
}

static void end_value(json_w *w)
{
    if (w->depth == 0) {
        w->done = true;
        if (w->indent)
            put(w, "\n", 1);
    } else {
        w->has_items[w->depth - 1] = true;
    }
}

static void open_container(json_w *w, char kind, bool flat)
{
    if (!begin_value(w))
        return;
    if (w->depth >= JSON_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    put(w, kind == '{' ? "{" : "[", 1);
    w->kind[w->depth] = kind;
    w->has_items[w->depth] = false;
    w->flat[w->depth] = flat || (w->depth > 0 && w->flat[w->depth - 1]);
    w->depth++;
}

static void close_container(json_w *w, char kind)
{
    if (w->failed)
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->want_value) {
        w->failed = true;
        return;
    }
    w->depth--;
    if (w->has_items[w->depth] && !w->flat[w->depth])
        newline_indent(w, w->depth);
    put(w, kind == '{' ? "}" : "]", 1);
    end_value(w);
}

void json_begin_object(json_w *w) { open_container(w, '{', false); }
void json_end_object(json_w *w) { close_container(w, '{'); }
void json_begin_array(json_w *w) { open_container(w, '[', false); }
void json_begin_array_flat(json_w *w) { open_container(w, '[', true); }
void json_end_array(json_w *w) { close_container(w, '['); }

/* Length of the well-formed UTF-8 sequence at s[0, n) (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), or 0 if s[0] does not start one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;   /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static void write_string(json_w *w, const char *s, size_t len)
{
    put(w, "\"", 1);
    size_t run = 0;   /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = NULL;
        char buf[8];
        if (ch >= 0x80) {
            size_t n = utf8_len((const unsigned char *)s + i, len - i);
            if (n) {
                i += n - 1;              /* a whole character passes through */
                continue;
            }
            esc = "\\ufffd";            /* not UTF-8: the replacement character */
        }
        switch (esc ? 0 : ch) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (!esc && ch < 0x20) {
                snprintf(buf, sizeof buf, "\\u%04x", ch);
                esc = buf;
            }
        }
        if (esc) {
            put(w, s + run, i - run);
            puts_(w, esc);
            run = i + 1;
        }
    }
    put(w, s + run, len - run);
    put(w, "\"", 1);
}

void json_key(json_w *w, const char *key)
{
    if (w->failed)
        return;
    if (w->depth == 0 || w->kind[w->depth - 1] != '{' || w->want_value) {
        w->failed = true;
        return;
    }
    separate(w);
    write_string(w, key, strlen(key));
    puts_(w, w->indent ? ": " : ":");
    w->want_value = true;
}

void json_strn(json_w *w, const char *s, size_t len)
{
    if (!begin_value(w))
        return;
    write_string(w, s, len);
    end_value(w);
}

void json_str(json_w *w, const char *s)
{
    json_strn(w, s, strlen(s));
}

static void scalar(json_w *w, const char *text)
{
    if (!begin_value(w))
        return;
    puts_(w, text);
    end_value(w);
}

void json_u64(json_w *w, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    scalar(w, buf);
}

void json_i64(json_w *w, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    scalar(w, buf);
}

void json_double(json_w *w, double v)
{
    char buf[40];
    if (isnan(v) || isinf(v))
        snprintf(buf, sizeof buf, "null");
    else
        snprintf(buf, sizeof buf, "%.17g", v);
    scalar(w, buf);
}

void json_fixed(json_w *w, double v, int decimals)
{
    char buf[360];
    if (isnan(v) || isinf(v) || fabs(v) >= 1e300) {
        json_double(w, v);
        return;
    }
    snprintf(buf, sizeof buf, "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    if (!strcmp(buf, "-0"))
        strcpy(buf, "0");
    scalar(w, buf);
}

void json_bool(json_w *w, bool v) { scalar(w, v ? "true" : "false"); }
void json_null(json_w *w) { scalar(w, "null"); }

void json_kv_str(json_w *w, const char *key, const char *v) { json_key(w, key); json_str(w, v); }
void json_kv_u64(json_w *w, const char *key, uint64_t v) { json_key(w, key); json_u64(w, v); }
void json_kv_i64(json_w *w, const char *key, int64_t v) { json_key(w, key); json_i64(w, v); }
void json_kv_double(json_w *w, const char *key, double v) { json_key(w, key); json_double(w, v); }
void json_kv_bool(json_w *w, const char *key, bool v) { json_key(w, key); json_bool(w, v); }

int json_finish(json_w *w)
{
    if (fflush(w->f) != 0 || ferror(w->f))
        w->failed = true;
    return (!w->failed && w->done && w->depth == 0) ? 0 : -1;
}
