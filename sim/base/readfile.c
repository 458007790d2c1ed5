#include "base/readfile.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/text.h"
#include "base/units.h"

tp_status read_text_file(const char *path, const char *what, size_t cap, char **text, size_t *len, tp_err *err)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tp_err_set(err, TP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t n = 0, have = 0;
    char *buf = NULL;
    tp_status st = TP_OK;
    enum { CHUNK = 1 << 16 };
    errno = 0;
    for (;;) {
        if (have - n < CHUNK + 1) {
            size_t want = have ? have * 2 : CHUNK * 2;
            if (want > cap + CHUNK + 1)
                want = cap + CHUNK + 1;
            char *p = realloc(buf, want);
            if (!p) {
                st = tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory reading %zu bytes", path, want);
                break;
            }
            buf = p;
            have = want;
        }
        size_t got = fread(buf + n, 1, CHUNK, f);
        const char *nul = memchr(buf + n, 0, got);
        n += got;
        if (nul) {
            int line, col;
            text_line_col(buf, n, (size_t)(nul - buf), &line, &col);
            st = tp_err_at(err, TP_ERR_PARSE, path, line, col, "NUL byte in a %s (not a text file)", what);
            break;
        }
        if (n > cap) {
            char c[32];
            st = tp_err_set(err, TP_ERR_IO, "%s: larger than %s, the limit for a %s", path,
                            units_fmt_size(cap, c, sizeof c), what);
            break;
        }
        if (got < CHUNK) {
            if (ferror(f))
                st = tp_err_set(err, TP_ERR_IO, "%s: read error: %s", path, strerror(errno ? errno : EIO));
            break;
        }
    }
    fclose(f);
    if (st != TP_OK) {
        free(buf);
        return st;
    }
    buf[n] = 0;
    *text = buf;
    *len = n;
    return TP_OK;
}
