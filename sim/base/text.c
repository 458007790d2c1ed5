#include "base/text.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int same(char x, char y, bool fold_case)
{
    if (fold_case)
        return tolower((unsigned char)x) == tolower((unsigned char)y);
    return x == y;
}

int text_edit_distance(const char *a, const char *b, bool fold_case)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    int d[TEXT_EDIT_MAX + 1][TEXT_EDIT_MAX + 1];
    if (la > TEXT_EDIT_MAX || lb > TEXT_EDIT_MAX)
        return TEXT_EDIT_FAR;
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int v = d[i - 1][j - 1] + !same(a[i - 1], b[j - 1], fold_case);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2], fold_case) &&
                same(a[i - 2], b[j - 1], fold_case) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

const char *text_closest(const char *s, const char *const *cands, size_t n, int max_dist,
                         bool fold_case)
{
    const char *best = NULL;
    int best_d = max_dist + 1;
    for (size_t i = 0; i < n; i++) {
        int d = text_edit_distance(s, cands[i], fold_case);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    if (best && best_d * 2 > (int)strlen(s))
        return NULL;
    return best;
}

void text_line_col(const char *text, size_t len, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int text_lookup(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(s, names[i]))
            return (int)i;
    return -1;
}

/* Length of the valid UTF-8 sequence at p (2..4), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f)))
        return 0;   /* overlong, or a surrogate */
    if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f)))
        return 0;
    return n;
}

static bool needs_escape(const unsigned char *p, size_t *len)
{
    if (*p < 0x20 || *p == 0x7f) {
        *len = 1;
        return true;
    }
    if (*p < 0x80) {
        *len = 1;
        return false;
    }
    size_t n = utf8_len(p);
    if (!n) {
        *len = 1;
        return true;
    }
    *len = n;
    return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;   /* C1 control */
}

char *text_escape(const char *s, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    if (!cap)
        return out;
    while (*p) {
        size_t len;
        char piece[8];
        size_t pn;
        if (needs_escape(p, &len)) {
            if (len == 2)   /* a C1 control, U+0080..U+009F */
                pn = (size_t)snprintf(piece, sizeof piece, "\\u%04x", (unsigned)p[1]);
            else if (*p == '\n')
                pn = (size_t)snprintf(piece, sizeof piece, "\\n");
            else if (*p == '\r')
                pn = (size_t)snprintf(piece, sizeof piece, "\\r");
            else if (*p == '\t')
                pn = (size_t)snprintf(piece, sizeof piece, "\\t");
            else
                pn = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *p);
        } else {
            memcpy(piece, p, len);
            pn = len;
        }
        if (o + pn + 1 > cap)
            break;
        memcpy(out + o, piece, pn);
        o += pn;
        p += len;
    }
    out[o] = 0;
    return out;
}

const char *text_shown(const char *s, char *buf, size_t cap)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len;
        if (needs_escape(p, &len))
            return text_escape(s, buf, cap);
        p += len;
    }
    return s;
}
