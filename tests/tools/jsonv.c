/* jsonv: strict JSON parser and JSON Schema subset validator (test tool only).
 *
 * Parser: RFC 8259, strictly. Refused, with the line:col of the offending character: trailing
 * commas, leading zeros, malformed numbers, invalid escapes, \u escapes that leave a surrogate
 * unpaired, unescaped control characters (< 0x20) in strings, invalid UTF-8 in strings, any
 * non-ASCII byte outside strings (a byte order mark included), duplicate member names, anything
 * after the document, and nesting deeper than JV_MAX_DEPTH. Numbers are kept as written:
 * an integer literal (no fraction, no exponent) is "integer" and "number"; 1.0 and 1e3 are only
 * "number" (stricter than JSON Schema, which calls 1.0 an integer). Integers of any size keep
 * their exact value; those up to 2^64-1 in magnitude are also available as a uint64_t.
 * Comparisons (minimum, enum, const...) are exact decimal comparisons, never via double.
 *
 * Schema subset (draft 2020-12 keywords; any other keyword is an error, so a typo cannot
 * silently accept everything). A schema is an object or a boolean (true: anything, false:
 * nothing).
 *   type                 a name or a non-empty array of unique names: object, array, string,
 *                        integer, number, boolean, null
 *   properties           object of schemas, applied to the members of that name
 *   required             array of unique strings
 *   additionalProperties a schema (false: no other member) for members not in properties
 *   items                a schema, applied to every item of an array
 *   minItems, minLength  non-negative integers; minLength counts Unicode code points
 *   enum                 non-empty array of values;  const  a value
 *   minimum, maximum, exclusiveMinimum, exclusiveMaximum   numbers
 *   $ref                 only "#/$defs/NAME" (NAME with ~0 and ~1 escapes), resolved against
 *                        the root's $defs; a cycle of $refs that consumes nothing is an error
 *   $defs                object of schemas, at the root only
 *   anyOf, oneOf         non-empty arrays of schemas
 *   $schema, $id, $comment, title, description   strings, ignored
 * As in JSON Schema, a keyword applies only to the kinds it is about (properties to objects,
 * minimum to numbers...). The keywords of a schema are checked in a fixed order (type, const,
 * enum, the numeric bounds, minLength, required, the members in document order, minItems, the
 * items, $ref, anyOf, oneOf) and only the first failure is reported.
 *
 * Messages name a JSON Pointer (RFC 6901: "/" and "~" in names written "~1" and "~0"; control
 * characters written \u00XX to keep the message on one line), "(root)" for the whole document. */
#include "jsonv.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory and strings ---------------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("json_validate: out of memory\n", stderr);
        exit(2);
    }
    return q;
}

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_addn(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_add(sbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

static void sb_addf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    sb_addn(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

static char *sb_take(sbuf *b)
{
    if (!b->p)
        sb_addn(b, "", 0);
    char *p = b->p;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

/* Length of the well-formed UTF-8 character at s[0..n), or 0 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t k;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        k = 3;
        if (c == 0xe0)
            lo = 0xa0;
        if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < k; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return k;
}

/* Appends s[0..n) as the body of a JSON string (no quotes). */
static void sb_add_escaped(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_addn(b, e, 2);
        } else if (c == '\n')
            sb_add(b, "\\n");
        else if (c == '\t')
            sb_add(b, "\\t");
        else if (c == '\r')
            sb_add(b, "\\r");
        else if (c < 0x20 || c == 0x7f)
            sb_addf(b, "\\u%04x", c);
        else
            sb_addn(b, (const char *)&c, 1);
    }
}

/* ---- parser ------------------------------------------------------------------------------ */

typedef struct {
    const unsigned char *t;
    size_t len, pos;
    int depth;
    jv_perror *err;
} parser;

static void pfail(parser *ps, size_t off, const char *fmt, ...)
{
    va_list ap;
    ps->err->off = off;
    va_start(ap, fmt);
    vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
    va_end(ap);
}

static void skip_ws(parser *ps)
{
    while (ps->pos < ps->len) {
        unsigned char c = ps->t[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        ps->pos++;
    }
}

/* "unexpected ..." for the character at the current position (or the end). */
static void pfail_unexpected(parser *ps, const char *what)
{
    if (ps->pos >= ps->len)
        pfail(ps, ps->pos, "unexpected end of input");
    else {
        unsigned char c = ps->t[ps->pos];
        if (c > 0x20 && c < 0x7f)
            pfail(ps, ps->pos, "%s, got '%c'", what, c);
        else
            pfail(ps, ps->pos, "%s, got byte 0x%02x", what, c);
    }
}

static jv_value *new_value(jv_kind k, size_t off)
{
    jv_value *v = xrealloc(NULL, sizeof *v);
    memset(v, 0, sizeof *v);
    v->kind = k;
    v->off = off;
    return v;
}

void jv_free(jv_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; v->kind == JV_ARRAY && i < v->n; i++)
        jv_free(v->items[i]);
    for (size_t i = 0; v->kind == JV_OBJECT && i < v->n; i++) {
        free(v->members[i].key);
        jv_free(v->members[i].value);
    }
    free(v->items);
    free(v->members);
    free(v->s);
    free(v->dig);
    free(v);
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static jv_value *parse_number(parser *ps)
{
    const unsigned char *t = ps->t;
    size_t start = ps->pos, p = ps->pos, int_beg, int_end, frac_beg = 0, frac_end = 0;
    int neg = 0, is_int = 1;
    long exp = 0;
    if (t[p] == '-') {
        neg = 1;
        p++;
    }
    if (p >= ps->len || !is_digit(t[p])) {
        pfail(ps, start, "invalid number");
        return NULL;
    }
    int_beg = p;
    if (t[p] == '0') {
        p++;
        if (p < ps->len && is_digit(t[p])) {
            pfail(ps, start, "leading zero in number");
            return NULL;
        }
    } else
        while (p < ps->len && is_digit(t[p]))
            p++;
    int_end = p;
    if (p < ps->len && t[p] == '.') {
        is_int = 0;
        p++;
        frac_beg = p;
        while (p < ps->len && is_digit(t[p]))
            p++;
        frac_end = p;
        if (frac_end == frac_beg) {
            pfail(ps, start, "invalid number");
            return NULL;
        }
    }
    if (p < ps->len && (t[p] == 'e' || t[p] == 'E')) {
        int eneg = 0;
        is_int = 0;
        p++;
        if (p < ps->len && (t[p] == '+' || t[p] == '-'))
            eneg = t[p++] == '-';
        if (p >= ps->len || !is_digit(t[p])) {
            pfail(ps, start, "invalid number");
            return NULL;
        }
        while (p < ps->len && is_digit(t[p])) {
            if (exp < 100000000L)   /* saturate: 10^(1e8) is beyond anything compared */
                exp = exp * 10 + (t[p] - '0');
            p++;
        }
        if (eneg)
            exp = -exp;
    }
    jv_value *v = new_value(JV_NUMBER, start);
    v->len = p - start;
    v->s = xrealloc(NULL, v->len + 1);
    memcpy(v->s, t + start, v->len);
    v->s[v->len] = 0;
    v->neg = neg;
    v->is_int = is_int;
    if (is_int) {
        uint64_t u = 0;
        v->u64_ok = 1;
        for (size_t i = int_beg; i < int_end; i++) {
            unsigned d = t[i] - '0';
            if (u > (UINT64_MAX - d) / 10) {
                v->u64_ok = 0;
                break;
            }
            u = u * 10 + d;
        }
        if (v->u64_ok)
            v->u64 = u;
    }
    /* 0.dig * 10^e10: the digits of the integer and fraction parts, then normalized */
    size_t nint = int_end - int_beg, nfrac = frac_end - frac_beg;
    char *d = xrealloc(NULL, nint + nfrac + 1);
    memcpy(d, t + int_beg, nint);
    if (nfrac)
        memcpy(d + nint, t + frac_beg, nfrac);
    size_t n = nint + nfrac, lead = 0;
    long e10 = (long)nint + exp;
    while (lead < n && d[lead] == '0')
        lead++;
    e10 -= (long)lead;
    memmove(d, d + lead, n - lead);
    n -= lead;
    while (n > 0 && d[n - 1] == '0')
        n--;
    d[n] = 0;
    v->dig = d;
    v->ndig = n;
    v->e10 = n ? e10 : 0;
    ps->pos = p;
    return v;
}

static int hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], h;
        if (c >= '0' && c <= '9')
            h = c - '0';
        else if (c >= 'a' && c <= 'f')
            h = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            h = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + h;
    }
    *out = v;
    return 0;
}

static void sb_add_utf8(sbuf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sb_addn(b, u, n);
}

/* Parses the string at ps->pos (a '"'); its decoded bytes go to *out (malloc'd) and *n. */
static int parse_string(parser *ps, char **out, size_t *n)
{
    const unsigned char *t = ps->t;
    size_t start = ps->pos, p = ps->pos + 1;
    sbuf b = {0};
    sb_addn(&b, "", 0);
    for (;;) {
        if (p >= ps->len) {
            pfail(ps, start, "unterminated string");
            goto fail;
        }
        unsigned char c = t[p];
        if (c == '"') {
            p++;
            break;
        }
        if (c == '\\') {
            if (p + 1 >= ps->len) {
                pfail(ps, start, "unterminated string");
                goto fail;
            }
            unsigned char e = t[p + 1];
            const char *simple = NULL;
            switch (e) {
            case '"': simple = "\""; break;
            case '\\': simple = "\\"; break;
            case '/': simple = "/"; break;
            case 'b': simple = "\b"; break;
            case 'f': simple = "\f"; break;
            case 'n': simple = "\n"; break;
            case 'r': simple = "\r"; break;
            case 't': simple = "\t"; break;
            default: break;
            }
            if (simple) {
                sb_addn(&b, simple, 1);
                p += 2;
                continue;
            }
            if (e != 'u') {
                if (e > 0x20 && e < 0x7f)
                    pfail(ps, p, "invalid escape '\\%c' in string", e);
                else
                    pfail(ps, p, "invalid escape in string");
                goto fail;
            }
            unsigned cp, lo;
            if (p + 6 > ps->len || hex4(t + p + 2, &cp) < 0) {
                pfail(ps, p, "invalid \\u escape in string");
                goto fail;
            }
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                pfail(ps, p, "unpaired surrogate \\%.5s in string", (const char *)t + p + 1);
                goto fail;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (p + 12 > ps->len || t[p + 6] != '\\' || t[p + 7] != 'u' ||
                    hex4(t + p + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
                    pfail(ps, p, "unpaired surrogate \\%.5s in string", (const char *)t + p + 1);
                    goto fail;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            }
            sb_add_utf8(&b, cp);
            p += 6;
            continue;
        }
        if (c < 0x20) {
            pfail(ps, p, "unescaped control character 0x%02x in string", c);
            goto fail;
        }
        size_t k = utf8_len(t + p, ps->len - p);
        if (!k) {
            pfail(ps, p, "invalid UTF-8 in string");
            goto fail;
        }
        sb_addn(&b, (const char *)t + p, k);
        p += k;
    }
    ps->pos = p;
    *n = b.n;
    *out = sb_take(&b);
    return 0;
fail:
    free(b.p);
    return -1;
}

static jv_value *parse_value(parser *ps);

static int member_cmp(const void *a, const void *b)
{
    const jv_member *x = *(const jv_member *const *)a, *y = *(const jv_member *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->key_len != y->key_len)
        return x->key_len < y->key_len ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Duplicate member names: reports the repeat that comes first in the text. */
static int check_duplicates(parser *ps, const jv_value *o)
{
    if (o->n < 2)
        return 0;
    const jv_member **m = xrealloc(NULL, o->n * sizeof *m);
    const jv_member *dup = NULL;
    for (size_t i = 0; i < o->n; i++)
        m[i] = &o->members[i];
    qsort(m, o->n, sizeof *m, member_cmp);
    for (size_t i = 1; i < o->n; i++)
        if (m[i]->key_len == m[i - 1]->key_len && !memcmp(m[i]->key, m[i - 1]->key, m[i]->key_len) &&
            (!dup || m[i]->off < dup->off))
            dup = m[i];
    free(m);
    if (!dup)
        return 0;
    sbuf b = {0};
    sb_add_escaped(&b, dup->key, dup->key_len);
    pfail(ps, dup->off, "duplicate member \"%s\"", b.p);
    free(b.p);
    return -1;
}

static jv_value *parse_container(parser *ps, int is_obj)
{
    size_t start = ps->pos, cap = 0, comma = 0;
    if (++ps->depth > JV_MAX_DEPTH) {
        pfail(ps, start, "nesting deeper than %d levels", JV_MAX_DEPTH);
        return NULL;
    }
    jv_value *v = new_value(is_obj ? JV_OBJECT : JV_ARRAY, start);
    char close = is_obj ? '}' : ']';
    ps->pos++;
    skip_ws(ps);
    if (ps->pos < ps->len && ps->t[ps->pos] == (unsigned char)close) {
        ps->pos++;
        ps->depth--;
        return v;
    }
    for (;;) {
        skip_ws(ps);
        if (comma && ps->pos < ps->len && ps->t[ps->pos] == (unsigned char)close) {
            pfail(ps, comma, "trailing comma in %s", is_obj ? "object" : "array");
            goto fail;
        }
        if (v->n == cap) {
            cap = cap ? cap * 2 : 8;
            if (is_obj)
                v->members = xrealloc(v->members, cap * sizeof *v->members);
            else
                v->items = xrealloc(v->items, cap * sizeof *v->items);
        }
        if (is_obj) {
            jv_member *m = &v->members[v->n];
            if (ps->pos >= ps->len || ps->t[ps->pos] != '"') {
                pfail_unexpected(ps, "expected a member name");
                goto fail;
            }
            m->off = ps->pos;
            if (parse_string(ps, &m->key, &m->key_len) < 0)
                goto fail;
            m->value = NULL;
            v->n++;
            skip_ws(ps);
            if (ps->pos >= ps->len || ps->t[ps->pos] != ':') {
                pfail_unexpected(ps, "expected ':' after a member name");
                goto fail;
            }
            ps->pos++;
            skip_ws(ps);
            if (!(m->value = parse_value(ps)))
                goto fail;
        } else {
            jv_value *item = parse_value(ps);
            if (!item)
                goto fail;
            v->items[v->n++] = item;
        }
        skip_ws(ps);
        if (ps->pos < ps->len && ps->t[ps->pos] == ',') {
            comma = ps->pos++;
            continue;
        }
        if (ps->pos < ps->len && ps->t[ps->pos] == (unsigned char)close) {
            ps->pos++;
            break;
        }
        pfail_unexpected(ps, is_obj ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
        goto fail;
    }
    if (is_obj && check_duplicates(ps, v) < 0)
        goto fail;
    ps->depth--;
    return v;
fail:
    jv_free(v);
    return NULL;
}

static jv_value *parse_value(parser *ps)
{
    static const char *const lit[] = {"null", "false", "true"};
    if (ps->pos >= ps->len) {
        pfail(ps, ps->pos, "unexpected end of input");
        return NULL;
    }
    unsigned char c = ps->t[ps->pos];
    if (c == '{' || c == '[')
        return parse_container(ps, c == '{');
    if (c == '"') {
        jv_value *v = new_value(JV_STRING, ps->pos);
        if (parse_string(ps, &v->s, &v->len) < 0) {
            jv_free(v);
            return NULL;
        }
        return v;
    }
    if (c == '-' || is_digit(c))
        return parse_number(ps);
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lit[i]);
        if (c == (unsigned char)lit[i][0]) {
            if (ps->len - ps->pos < n || memcmp(ps->t + ps->pos, lit[i], n) != 0) {
                pfail(ps, ps->pos, "invalid literal (expected %s)", lit[i]);
                return NULL;
            }
            jv_value *v = new_value(i == 0 ? JV_NULL : JV_BOOL, ps->pos);
            v->b = i == 2;
            ps->pos += n;
            return v;
        }
    }
    pfail_unexpected(ps, "expected a value");
    return NULL;
}

jv_value *jv_parse(const char *text, size_t len, jv_perror *err)
{
    parser ps = {(const unsigned char *)text, len, 0, 0, err};
    memset(err, 0, sizeof *err);
    skip_ws(&ps);
    jv_value *v = parse_value(&ps);
    if (v) {
        skip_ws(&ps);
        if (ps.pos < len) {
            pfail_unexpected(&ps, "expected the end of the document");
            jv_free(v);
            v = NULL;
        }
    }
    if (!v) {
        err->line = 1;
        err->col = 1;
        for (size_t i = 0; i < err->off && i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c == '\n') {
                err->line++;
                err->col = 1;
            } else if ((c & 0xc0) != 0x80)
                err->col++;
        }
    }
    return v;
}

/* ---- values ------------------------------------------------------------------------------ */

int jv_num_cmp(const jv_value *a, const jv_value *b)
{
    int sa = a->ndig ? (a->neg ? -1 : 1) : 0, sb = b->ndig ? (b->neg ? -1 : 1) : 0;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    int mag;   /* |a| vs |b| */
    if (a->e10 != b->e10)
        mag = a->e10 < b->e10 ? -1 : 1;
    else {
        size_t n = a->ndig < b->ndig ? a->ndig : b->ndig;
        int c = memcmp(a->dig, b->dig, n);
        mag = c ? (c < 0 ? -1 : 1) : a->ndig == b->ndig ? 0 : a->ndig < b->ndig ? -1 : 1;
    }
    return sa < 0 ? -mag : mag;
}

const jv_value *jv_get(const jv_value *obj, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; obj && obj->kind == JV_OBJECT && i < obj->n; i++)
        if (obj->members[i].key_len == n && !memcmp(obj->members[i].key, key, n))
            return obj->members[i].value;
    return NULL;
}

static const jv_value *get_n(const jv_value *obj, const char *key, size_t n)
{
    for (size_t i = 0; obj && obj->kind == JV_OBJECT && i < obj->n; i++)
        if (obj->members[i].key_len == n && !memcmp(obj->members[i].key, key, n))
            return obj->members[i].value;
    return NULL;
}

int jv_equal(const jv_value *a, const jv_value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case JV_NULL: return 1;
    case JV_BOOL: return a->b == b->b;
    case JV_NUMBER: return jv_num_cmp(a, b) == 0;
    case JV_STRING: return a->len == b->len && !memcmp(a->s, b->s, a->len);
    case JV_ARRAY:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++)
            if (!jv_equal(a->items[i], b->items[i]))
                return 0;
        return 1;
    case JV_OBJECT:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++) {
            const jv_value *o = get_n(b, a->members[i].key, a->members[i].key_len);
            if (!o || !jv_equal(a->members[i].value, o))
                return 0;
        }
        return 1;
    }
    return 0;
}

static void sb_add_json(sbuf *b, const jv_value *v)
{
    switch (v->kind) {
    case JV_NULL: sb_add(b, "null"); break;
    case JV_BOOL: sb_add(b, v->b ? "true" : "false"); break;
    case JV_NUMBER: sb_addn(b, v->s, v->len); break;
    case JV_STRING:
        sb_add(b, "\"");
        sb_add_escaped(b, v->s, v->len);
        sb_add(b, "\"");
        break;
    case JV_ARRAY:
        sb_add(b, "[");
        for (size_t i = 0; i < v->n && b->n < 200; i++) {
            if (i)
                sb_add(b, ",");
            sb_add_json(b, v->items[i]);
        }
        sb_add(b, "]");
        break;
    case JV_OBJECT:
        sb_add(b, "{");
        for (size_t i = 0; i < v->n && b->n < 200; i++) {
            if (i)
                sb_add(b, ",");
            sb_add(b, "\"");
            sb_add_escaped(b, v->members[i].key, v->members[i].key_len);
            sb_add(b, "\":");
            sb_add_json(b, v->members[i].value);
        }
        sb_add(b, "}");
        break;
    }
}

#define SHOW_MAX 48   /* longest value text shown in a message, in bytes */

/* A value for a message: compact JSON, or for containers (if !full) just "object"/"array";
 * text longer than SHOW_MAX is cut (at a character boundary) and ends in "...". */
static void sb_add_shown(sbuf *out, const jv_value *v, int full)
{
    if (!full && (v->kind == JV_OBJECT || v->kind == JV_ARRAY)) {
        sb_add(out, v->kind == JV_OBJECT ? "object" : "array");
        return;
    }
    sbuf b = {0};
    sb_add_json(&b, v);
    if (b.n > SHOW_MAX) {
        size_t n = SHOW_MAX;
        while (n > 0 && ((unsigned char)b.p[n] & 0xc0) == 0x80)
            n--;
        sb_addn(out, b.p, n);
        sb_add(out, "...");
    } else
        sb_addn(out, b.p, b.n);
    free(b.p);
}

/* ---- JSON Pointer paths ------------------------------------------------------------------ */

typedef struct {
    const char *key;   /* NULL: an array index */
    size_t len;        /* key length, or the index */
} seg;

typedef struct {
    seg *s;
    size_t n, cap;
} jpath;

static void path_push(jpath *p, const char *key, size_t len)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->s = xrealloc(p->s, p->cap * sizeof *p->s);
    }
    p->s[p->n].key = key;
    p->s[p->n].len = len;
    p->n++;
}

static void path_pop(jpath *p) { p->n--; }

static void sb_add_pointer(sbuf *b, const jpath *p)
{
    for (size_t i = 0; i < p->n; i++) {
        sb_add(b, "/");
        if (!p->s[i].key) {
            sb_addf(b, "%zu", p->s[i].len);
            continue;
        }
        for (size_t j = 0; j < p->s[i].len; j++) {
            unsigned char c = (unsigned char)p->s[i].key[j];
            if (c == '~')
                sb_add(b, "~0");
            else if (c == '/')
                sb_add(b, "~1");
            else if (c < 0x20 || c == 0x7f)
                sb_addf(b, "\\u%04x", c);
            else
                sb_addn(b, (const char *)&c, 1);
        }
    }
}

/* "POINTER: " + msg, malloc'd. */
static char *located(const char *ptr, const char *msg)
{
    sbuf b = {0};
    sb_add(&b, *ptr ? ptr : "(root)");
    sb_add(&b, ": ");
    sb_add(&b, msg);
    return sb_take(&b);
}

/* ---- schema check ------------------------------------------------------------------------ */

static const char *const type_names[] = {"object", "array", "string", "integer", "number", "boolean", "null"};

static int type_index(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (strlen(type_names[i]) == n && !memcmp(type_names[i], s, n))
            return i;
    return -1;
}

static const char *const keywords[] = {
    "type", "properties", "required", "additionalProperties", "items", "minItems", "minLength",
    "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "$ref",
    "$defs", "anyOf", "oneOf", "$schema", "$id", "$comment", "title", "description",
};

typedef struct {
    const jv_value *defs;   /* the root's $defs, or NULL */
    jpath p;
    sbuf msg;               /* the first problem, or empty */
} checker;

static int cfail(checker *c, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sbuf ptr = {0};
    sb_add_pointer(&ptr, &c->p);
    char *l = located(ptr.p ? ptr.p : "", tmp);
    sb_add(&c->msg, l);
    free(l);
    free(ptr.p);
    return -1;
}

static int cfail_got(checker *c, const char *what, const jv_value *v)
{
    sbuf b = {0};
    sb_add_shown(&b, v, 0);
    cfail(c, "expected %s, got %s", what, b.p);
    free(b.p);
    return -1;
}

/* The definition a $ref names ("#/$defs/NAME"): its index in defs' members, -1 if the form is
 * not supported, -2 if there is no such definition. */
static long ref_target(const jv_value *defs, const jv_value *ref)
{
    static const char pre[] = "#/$defs/";
    size_t np = sizeof pre - 1;
    if (ref->len <= np || memcmp(ref->s, pre, np) != 0)
        return -1;
    char *name = xrealloc(NULL, ref->len);
    size_t n = 0;
    long r = -2;
    for (size_t i = np; i < ref->len; i++) {
        char ch = ref->s[i];
        if (ch == '/') {
            r = -1;
            goto out;
        }
        if (ch == '~') {
            char e = i + 1 < ref->len ? ref->s[i + 1] : 0;
            if (e != '0' && e != '1') {
                r = -1;
                goto out;
            }
            ch = e == '0' ? '~' : '/';
            i++;
        }
        name[n++] = ch;
    }
    for (size_t i = 0; defs && i < defs->n; i++)
        if (defs->members[i].key_len == n && !memcmp(defs->members[i].key, name, n)) {
            r = (long)i;
            break;
        }
out:
    free(name);
    return r;
}

static int check_schema(checker *c, const jv_value *s, int root);

static int check_schema_array(checker *c, const jv_value *v)
{
    if (v->kind != JV_ARRAY || v->n == 0)
        return cfail_got(c, "a non-empty array of schemas", v);
    for (size_t i = 0; i < v->n; i++) {
        path_push(&c->p, NULL, i);
        if (check_schema(c, v->items[i], 0) < 0)
            return -1;
        path_pop(&c->p);
    }
    return 0;
}

static int check_keyword(checker *c, const char *k, const jv_value *v, int root)
{
    if (!strcmp(k, "type")) {
        if (v->kind == JV_STRING) {
            if (type_index(v->s, v->len) < 0)
                return cfail_got(c, "a type name", v);
            return 0;
        }
        if (v->kind != JV_ARRAY || v->n == 0)
            return cfail_got(c, "a type name or a non-empty array of them", v);
        for (size_t i = 0; i < v->n; i++) {
            path_push(&c->p, NULL, i);
            const jv_value *t = v->items[i];
            if (t->kind != JV_STRING || type_index(t->s, t->len) < 0)
                return cfail_got(c, "a type name", t);
            for (size_t j = 0; j < i; j++)
                if (jv_equal(v->items[j], t))
                    return cfail(c, "type \"%s\" listed twice", t->s);
            path_pop(&c->p);
        }
        return 0;
    }
    if (!strcmp(k, "properties") || !strcmp(k, "$defs")) {
        if (!strcmp(k, "$defs") && !root)
            return cfail(c, "$defs is only supported at the root");
        if (v->kind != JV_OBJECT)
            return cfail_got(c, "an object of schemas", v);
        for (size_t i = 0; i < v->n; i++) {
            path_push(&c->p, v->members[i].key, v->members[i].key_len);
            if (check_schema(c, v->members[i].value, 0) < 0)
                return -1;
            path_pop(&c->p);
        }
        return 0;
    }
    if (!strcmp(k, "required")) {
        if (v->kind != JV_ARRAY)
            return cfail_got(c, "an array of member names", v);
        for (size_t i = 0; i < v->n; i++) {
            path_push(&c->p, NULL, i);
            if (v->items[i]->kind != JV_STRING)
                return cfail_got(c, "a member name (a string)", v->items[i]);
            for (size_t j = 0; j < i; j++)
                if (jv_equal(v->items[j], v->items[i])) {
                    sbuf b = {0};
                    sb_add_shown(&b, v->items[i], 1);
                    cfail(c, "member %s listed twice", b.p);
                    free(b.p);
                    return -1;
                }
            path_pop(&c->p);
        }
        return 0;
    }
    if (!strcmp(k, "additionalProperties") || !strcmp(k, "items"))
        return check_schema(c, v, 0);
    if (!strcmp(k, "minItems") || !strcmp(k, "minLength")) {
        if (v->kind != JV_NUMBER || !v->is_int || (v->neg && v->ndig) || !v->u64_ok)
            return cfail_got(c, "a non-negative integer", v);
        return 0;
    }
    if (!strcmp(k, "enum")) {
        if (v->kind != JV_ARRAY || v->n == 0)
            return cfail_got(c, "a non-empty array", v);
        return 0;
    }
    if (!strcmp(k, "minimum") || !strcmp(k, "maximum") || !strcmp(k, "exclusiveMinimum") ||
        !strcmp(k, "exclusiveMaximum")) {
        if (v->kind != JV_NUMBER)
            return cfail_got(c, "a number", v);
        return 0;
    }
    if (!strcmp(k, "$ref")) {
        if (v->kind != JV_STRING)
            return cfail_got(c, "a string", v);
        long t = ref_target(c->defs, v);
        if (t == -1)
            return cfail(c, "unsupported reference \"%s\" (only #/$defs/NAME)", v->s);
        if (t == -2)
            return cfail(c, "no definition for \"%s\"", v->s);
        return 0;
    }
    if (!strcmp(k, "anyOf") || !strcmp(k, "oneOf"))
        return check_schema_array(c, v);
    if (!strcmp(k, "const"))
        return 0;
    /* $schema, $id, $comment, title, description */
    if (v->kind != JV_STRING)
        return cfail_got(c, "a string", v);
    return 0;
}

static int check_schema(checker *c, const jv_value *s, int root)
{
    if (s->kind == JV_BOOL)
        return 0;
    if (s->kind != JV_OBJECT)
        return cfail_got(c, "a schema (an object or a boolean)", s);
    for (size_t i = 0; i < s->n; i++) {
        const jv_member *m = &s->members[i];
        size_t k;
        for (k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
            if (strlen(keywords[k]) == m->key_len && !memcmp(keywords[k], m->key, m->key_len))
                break;
        if (k == sizeof keywords / sizeof keywords[0]) {
            sbuf b = {0};
            sb_add_escaped(&b, m->key, m->key_len);
            cfail(c, "unknown keyword \"%s\"", b.p);
            free(b.p);
            return -1;
        }
        path_push(&c->p, m->key, m->key_len);
        if (check_keyword(c, keywords[k], m->value, root) < 0)
            return -1;
        path_pop(&c->p);
    }
    return 0;
}

/* $refs followed without moving into the instance (through $ref, anyOf and oneOf) must not
 * loop. state: 0 unvisited, 1 on the current chain, 2 done; chain holds the current chain. */
static int find_cycle(checker *c, const jv_value *s, int *state, size_t *chain, size_t *nchain);

static int visit_def(checker *c, size_t d, int *state, size_t *chain, size_t *nchain)
{
    if (state[d] == 2)
        return 0;
    if (state[d] == 1) {
        sbuf b = {0};
        size_t from = 0;
        while (chain[from] != d)
            from++;
        c->p.n = 0;
        path_push(&c->p, "$defs", 5);
        path_push(&c->p, c->defs->members[d].key, c->defs->members[d].key_len);
        for (size_t i = from; i < *nchain; i++) {
            sb_add(&b, "#/$defs/");
            sb_add_escaped(&b, c->defs->members[chain[i]].key, c->defs->members[chain[i]].key_len);
            sb_add(&b, " -> ");
        }
        sb_add(&b, "#/$defs/");
        sb_add_escaped(&b, c->defs->members[d].key, c->defs->members[d].key_len);
        cfail(c, "$ref cycle %s", b.p);
        free(b.p);
        return -1;
    }
    state[d] = 1;
    chain[(*nchain)++] = d;
    if (find_cycle(c, c->defs->members[d].value, state, chain, nchain) < 0)
        return -1;
    (*nchain)--;
    state[d] = 2;
    return 0;
}

static int find_cycle(checker *c, const jv_value *s, int *state, size_t *chain, size_t *nchain)
{
    if (s->kind != JV_OBJECT)
        return 0;
    const jv_value *ref = jv_get(s, "$ref");
    if (ref && visit_def(c, (size_t)ref_target(c->defs, ref), state, chain, nchain) < 0)
        return -1;
    for (int k = 0; k < 2; k++) {
        const jv_value *alts = jv_get(s, k ? "oneOf" : "anyOf");
        for (size_t i = 0; alts && i < alts->n; i++)
            if (find_cycle(c, alts->items[i], state, chain, nchain) < 0)
                return -1;
    }
    return 0;
}

char *jv_schema_check(const jv_value *schema)
{
    checker c = {0};
    int rc = 0;
    if (schema->kind == JV_OBJECT && (c.defs = jv_get(schema, "$defs")) && c.defs->kind != JV_OBJECT) {
        path_push(&c.p, "$defs", 5);
        rc = cfail_got(&c, "an object of schemas", c.defs);
    }
    if (rc == 0)
        rc = check_schema(&c, schema, 1);
    if (rc == 0 && c.defs && c.defs->n) {
        int *state = xrealloc(NULL, c.defs->n * sizeof *state);
        size_t *chain = xrealloc(NULL, c.defs->n * sizeof *chain), nchain = 0;
        memset(state, 0, c.defs->n * sizeof *state);
        for (size_t d = 0; rc == 0 && d < c.defs->n; d++)
            rc = visit_def(&c, d, state, chain, &nchain);
        free(state);
        free(chain);
    }
    free(c.p.s);
    return rc ? sb_take(&c.msg) : NULL;
}

/* ---- validation -------------------------------------------------------------------------- */

typedef struct {
    const jv_value *defs;
    jpath p;
    sbuf ptr, msg;   /* the failure: pointer into the document and what is wrong */
} validator;

static int vfail(validator *c, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    c->ptr.n = c->msg.n = 0;
    sb_addn(&c->ptr, "", 0);
    sb_add_pointer(&c->ptr, &c->p);
    sb_addn(&c->msg, "", 0);
    sb_add(&c->msg, tmp);
    return -1;
}

/* vfail with "... got <v>" appended, v shown in full (1) or by kind for containers (0). */
static int vfail_got(validator *c, const char *what, const jv_value *v, int full)
{
    sbuf b = {0};
    sb_add(&b, what);
    sb_add(&b, ", got ");
    sb_add_shown(&b, v, full);
    c->ptr.n = 0;
    sb_addn(&c->ptr, "", 0);
    sb_add_pointer(&c->ptr, &c->p);
    c->msg.n = 0;
    sb_addn(&c->msg, b.p, b.n);
    free(b.p);
    return -1;
}

static int has_type(const jv_value *v, int t)
{
    switch (t) {
    case 0: return v->kind == JV_OBJECT;
    case 1: return v->kind == JV_ARRAY;
    case 2: return v->kind == JV_STRING;
    case 3: return v->kind == JV_NUMBER && v->is_int;
    case 4: return v->kind == JV_NUMBER;
    case 5: return v->kind == JV_BOOL;
    default: return v->kind == JV_NULL;
    }
}

static int check_type(validator *c, const jv_value *t, const jv_value *v)
{
    size_t n = t->kind == JV_ARRAY ? t->n : 1;
    for (size_t i = 0; i < n; i++) {
        const jv_value *name = t->kind == JV_ARRAY ? t->items[i] : t;
        if (has_type(v, type_index(name->s, name->len)))
            return 0;
    }
    sbuf b = {0};
    sb_add(&b, "expected ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_add(&b, i + 1 == n ? " or " : ", ");
        sb_add(&b, t->kind == JV_ARRAY ? t->items[i]->s : t->s);
    }
    vfail_got(c, b.p, v, 0);
    free(b.p);
    return -1;
}

static size_t utf8_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xc0) != 0x80;
    return k;
}

static int validate(validator *c, const jv_value *s, const jv_value *v);

/* anyOf (one = 0) or oneOf (one = 1). */
static int check_alternatives(validator *c, const jv_value *alts, const jv_value *v, int one)
{
    const char *kw = one ? "oneOf" : "anyOf";
    sbuf all = {0}, base = {0};
    long first = -1;
    sb_add_pointer(&base, &c->p);
    for (size_t i = 0; i < alts->n; i++) {
        if (validate(c, alts->items[i], v) == 0) {
            if (!one)
                goto ok;
            if (first >= 0) {
                free(all.p);
                free(base.p);
                return vfail(c, "matches both %s/%ld and %s/%zu, expected exactly one", kw, first, kw, i);
            }
            first = (long)i;
            continue;
        }
        /* remember this alternative's failure, its pointer relative to ours */
        sb_add(&all, all.n ? "; " : "");
        if (c->ptr.n > base.n) {
            sb_addn(&all, c->ptr.p + base.n, c->ptr.n - base.n);
            sb_add(&all, ": ");
        }
        sb_addn(&all, c->msg.p, c->msg.n);
    }
    if (first >= 0)
        goto ok;
    /* reported at the anyOf/oneOf's own pointer (the alternatives popped back to it) */
    vfail(c, "no %s alternative matched: ", kw);
    sb_addn(&c->msg, all.p, all.n);
    free(all.p);
    free(base.p);
    return -1;
ok:
    free(all.p);
    free(base.p);
    return 0;
}

static int validate(validator *c, const jv_value *s, const jv_value *v)
{
    if (s->kind == JV_BOOL) {
        if (s->b)
            return 0;
        if (c->p.n == 0)
            return vfail(c, "value not allowed");
        return vfail(c, c->p.s[c->p.n - 1].key ? "member not allowed" : "item not allowed");
    }
    const jv_value *k;
    if ((k = jv_get(s, "type")) && check_type(c, k, v) < 0)
        return -1;
    if ((k = jv_get(s, "const")) && !jv_equal(k, v)) {
        sbuf b = {0};
        sb_add(&b, "expected ");
        sb_add_shown(&b, k, 1);
        vfail_got(c, b.p, v, 1);
        free(b.p);
        return -1;
    }
    if ((k = jv_get(s, "enum"))) {
        size_t i;
        for (i = 0; i < k->n; i++)
            if (jv_equal(k->items[i], v))
                break;
        if (i == k->n) {
            sbuf b = {0};
            sb_add(&b, "expected one of ");
            for (i = 0; i < k->n; i++) {
                if (i)
                    sb_add(&b, ", ");
                if (b.n > 200) {
                    sb_add(&b, "...");
                    break;
                }
                sb_add_shown(&b, k->items[i], 1);
            }
            vfail_got(c, b.p, v, 1);
            free(b.p);
            return -1;
        }
    }
    if (v->kind == JV_NUMBER) {
        static const struct {
            const char *kw, *what;
            int below_ok, equal_ok, above_ok;   /* which outcomes of value vs bound pass */
        } bounds[] = {
            {"minimum", "at least", 0, 1, 1},
            {"maximum", "at most", 1, 1, 0},
            {"exclusiveMinimum", "more than", 0, 0, 1},
            {"exclusiveMaximum", "less than", 1, 0, 0},
        };
        for (int i = 0; i < 4; i++) {
            if (!(k = jv_get(s, bounds[i].kw)))
                continue;
            int r = jv_num_cmp(v, k);
            int bad = !(r < 0 ? bounds[i].below_ok : r == 0 ? bounds[i].equal_ok : bounds[i].above_ok);
            if (bad) {
                sbuf b = {0};
                sb_add(&b, "expected ");
                sb_add(&b, bounds[i].what);
                sb_add(&b, " ");
                sb_add_shown(&b, k, 1);
                vfail_got(c, b.p, v, 1);
                free(b.p);
                return -1;
            }
        }
    }
    if (v->kind == JV_STRING && (k = jv_get(s, "minLength"))) {
        size_t n = utf8_count(v->s, v->len);
        if (!k->u64_ok || n < k->u64)
            return vfail(c, "expected at least %s character%s, got %zu", k->s, k->u64 == 1 ? "" : "s", n);
    }
    if (v->kind == JV_OBJECT) {
        const jv_value *props = jv_get(s, "properties"), *add = jv_get(s, "additionalProperties");
        if ((k = jv_get(s, "required")))
            for (size_t i = 0; i < k->n; i++)
                if (!get_n(v, k->items[i]->s, k->items[i]->len)) {
                    sbuf b = {0};
                    sb_add_escaped(&b, k->items[i]->s, k->items[i]->len);
                    vfail(c, "missing required member \"%s\"", b.p);
                    free(b.p);
                    return -1;
                }
        for (size_t i = 0; (props || add) && i < v->n; i++) {
            const jv_member *m = &v->members[i];
            const jv_value *sub = get_n(props, m->key, m->key_len);
            if (!sub)
                sub = add;
            if (!sub)
                continue;
            path_push(&c->p, m->key, m->key_len);
            int r = validate(c, sub, m->value);
            path_pop(&c->p);
            if (r < 0)
                return -1;
        }
    }
    if (v->kind == JV_ARRAY) {
        if ((k = jv_get(s, "minItems")) && (!k->u64_ok || v->n < k->u64))
            return vfail(c, "expected at least %s item%s, got %zu", k->s, k->u64 == 1 ? "" : "s", v->n);
        if ((k = jv_get(s, "items")))
            for (size_t i = 0; i < v->n; i++) {
                path_push(&c->p, NULL, i);
                int r = validate(c, k, v->items[i]);
                path_pop(&c->p);
                if (r < 0)
                    return -1;
            }
    }
    if ((k = jv_get(s, "$ref")) && validate(c, c->defs->members[ref_target(c->defs, k)].value, v) < 0)
        return -1;
    if ((k = jv_get(s, "anyOf")) && check_alternatives(c, k, v, 0) < 0)
        return -1;
    if ((k = jv_get(s, "oneOf")) && check_alternatives(c, k, v, 1) < 0)
        return -1;
    return 0;
}

char *jv_validate(const jv_value *schema, const jv_value *doc)
{
    validator c = {0};
    char *r = NULL;
    c.defs = jv_get(schema, "$defs");
    if (validate(&c, schema, doc) < 0)
        r = located(c.ptr.p, c.msg.p);
    free(c.p.s);
    free(c.ptr.p);
    free(c.msg.p);
    return r;
}

/* ---- the program ------------------------------------------------------------------------- */

/* Reads a whole file ("-": stdin) into *buf, *len. -1 with errno set on failure. */
static int read_all(const char *name, char **buf, size_t *len)
{
    FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
    sbuf b = {0};
    char tmp[65536];
    size_t k;
    if (!f)
        return -1;
    errno = 0;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        sb_addn(&b, tmp, k);
    int bad = ferror(f);
    int e = errno ? errno : EIO;
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(b.p);
        errno = e;
        return -1;
    }
    *len = b.n;
    *buf = sb_take(&b);
    return 0;
}

/* Reads and parses one file; prints the one-line error and returns NULL on failure, with *rc
 * the exit status to use (2 if unreadable, parse_rc if malformed). */
static jv_value *load(const char *path, const char *shown, FILE *err, int parse_rc, int *rc)
{
    char *text;
    size_t len;
    jv_perror pe;
    if (read_all(path, &text, &len) < 0) {
        fprintf(err, "%s: cannot read: %s\n", shown, strerror(errno));
        *rc = 2;
        return NULL;
    }
    jv_value *v = jv_parse(text, len, &pe);
    free(text);
    if (!v) {
        fprintf(err, "%s:%d:%d: %s\n", shown, pe.line, pe.col, pe.msg);
        *rc = parse_rc;
    }
    return v;
}

int jv_run(const char *schema_path, const char *doc_path, FILE *err)
{
    int rc = 0;
    const char *doc_name = strcmp(doc_path, "-") ? doc_path : "<stdin>";
    jv_value *schema = load(schema_path, schema_path, err, 2, &rc), *doc;
    char *msg;
    if (!schema)
        return rc;
    if ((msg = jv_schema_check(schema))) {
        fprintf(err, "%s: %s\n", schema_path, msg);
        free(msg);
        jv_free(schema);
        return 2;
    }
    if (!(doc = load(doc_path, doc_name, err, 1, &rc))) {
        jv_free(schema);
        return rc;
    }
    if ((msg = jv_validate(schema, doc))) {
        fprintf(err, "%s: %s\n", doc_name, msg);
        free(msg);
        rc = 1;
    }
    jv_free(doc);
    jv_free(schema);
    return rc;
}
