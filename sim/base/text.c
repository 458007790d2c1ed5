#include "base/text.h"
#include <ctype.h>
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
