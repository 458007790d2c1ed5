/* .npy reader and writer.
 *
 * File layout (NumPy's format.py, NEP 1):
 *   bytes 0-5   "\x93NUMPY"
 *   byte  6, 7  major, minor version (1.0; 2.0 and 3.0 have a 4-byte header length)
 *   bytes 8-9   header length, little-endian uint16 (v1) | bytes 8-11 uint32 (v2, v3)
 *   header      a Python dict literal, e.g. {'descr': '<i4', 'fortran_order': False,
 *               'shape': (2, 3), } then spaces and '\n' so that the data starts at a multiple
 *               of 64 bytes
 *   data        rows*cols elements, C order
 * The reader parses the dict with a small tokenizer (keys in any order, any whitespace, a
 * trailing comma, single or double quotes), checks every field, computes the data size with
 * overflow checks and the NPY_MAX_ELEMS cap, then reads exactly that many bytes and requires
 * end of file right after them. Nothing is read or indexed past the bytes actually held.
 */
#include "base/npy.h"
#include "base/atomic_file.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define NPY_MAX_HEADER_BYTES 100000u   /* numpy itself refuses headers over 10000 bytes */
#define NPY_ALIGN 64u
#define NPY_GROWTH_DIGITS 21u          /* numpy leaves room to grow the first dimension in place */

static const char *const descrs[NPY_DTYPE__COUNT] = {"|i1", "<i4", "<f4", "<u2"};
static const char *const names[NPY_DTYPE__COUNT] = {"int8", "int32", "float32", "bf16"};
static const size_t sizes[NPY_DTYPE__COUNT] = {1, 4, 4, 2};

const char *npy_dtype_descr(npy_dtype dt) { return (unsigned)dt < NPY_DTYPE__COUNT ? descrs[dt] : "?"; }
const char *npy_dtype_name(npy_dtype dt) { return (unsigned)dt < NPY_DTYPE__COUNT ? names[dt] : "?"; }
size_t npy_dtype_size(npy_dtype dt) { return (unsigned)dt < NPY_DTYPE__COUNT ? sizes[dt] : 0; }

npy_dtype npy_dtype_of_input(tp_dtype dt)
{
    return dt == TP_INT8 ? NPY_INT8 : NPY_BF16;
}

void npy_free(npy_mat *m)
{
    if (!m)
        return;
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* Parses a descr string. Sets *dt and *swap (big-endian multi-byte data). 0 ok, -1 unknown. */
static int parse_descr(const char *s, npy_dtype *dt, bool *swap)
{
    if (strlen(s) != 3)
        return -1;
    char order = s[0];
    const char *code = s + 1;
    if (!strcmp(code, "i1")) {
        if (order != '|' && order != '<' && order != '>' && order != '=')
            return -1;
        *dt = NPY_INT8;
        *swap = false;
        return 0;
    }
    if (order != '<' && order != '>' && order != '=')
        return -1;
    if (!strcmp(code, "i4"))
        *dt = NPY_INT32;
    else if (!strcmp(code, "f4"))
        *dt = NPY_F32;
    else if (!strcmp(code, "u2"))
        *dt = NPY_BF16;
    else
        return -1;
    *swap = order == '>';
    return 0;
}

/* ---- header dict tokenizer ------------------------------------------------------------------ */

typedef struct {
    const char *s;   /* header text (not NUL-terminated) */
    size_t n, pos;
    const char *path;
    size_t base;     /* file offset of s[0], for messages */
    tp_err *err;
} hdr;

static tp_status hdr_fail_at(hdr *h, size_t pos, const char *what)
{
    return tp_err_at(h->err, TP_ERR_NPY, h->path, 0, 0, "malformed header at byte %zu: %s",
                     h->base + pos, what);
}

static tp_status hdr_fail(hdr *h, const char *what)
{
    return hdr_fail_at(h, h->pos, what);
}

static void skip_ws(hdr *h)
{
    while (h->pos < h->n && (h->s[h->pos] == ' ' || h->s[h->pos] == '\t' ||
                             h->s[h->pos] == '\n' || h->s[h->pos] == '\r'))
        h->pos++;
}

static bool peek_is(hdr *h, char c)
{
    skip_ws(h);
    return h->pos < h->n && h->s[h->pos] == c;
}

static bool accept(hdr *h, char c)
{
    if (!peek_is(h, c))
        return false;
    h->pos++;
    return true;
}

/* A quoted string into out (cap bytes incl. NUL). */
static tp_status parse_str(hdr *h, char *out, size_t cap, const char *what)
{
    skip_ws(h);
    if (h->pos >= h->n || (h->s[h->pos] != '\'' && h->s[h->pos] != '"'))
        return hdr_fail(h, what);
    char q = h->s[h->pos++];
    size_t len = 0;
    while (h->pos < h->n && h->s[h->pos] != q) {
        if (len + 1 >= cap)
            return hdr_fail(h, "string too long");
        out[len++] = h->s[h->pos++];
    }
    if (h->pos >= h->n)
        return hdr_fail(h, "unterminated string");
    h->pos++;
    out[len] = '\0';
    return TP_OK;
}

static bool accept_word(hdr *h, const char *w)
{
    skip_ws(h);
    size_t len = strlen(w);
    if (h->n - h->pos >= len && !memcmp(h->s + h->pos, w, len)) {
        h->pos += len;
        return true;
    }
    return false;
}

/* Shape tuple: "(" [int ("," int)* [","]] ")". Dimensions beyond 8 are counted but not kept. */
static tp_status parse_shape(hdr *h, uint64_t dims[8], int *ndim)
{
    if (!accept(h, '('))
        return hdr_fail(h, "expected '(' to start the shape");
    *ndim = 0;
    for (;;) {
        if (accept(h, ')'))
            return TP_OK;
        skip_ws(h);
        if (h->pos >= h->n || h->s[h->pos] < '0' || h->s[h->pos] > '9')
            return hdr_fail(h, "expected a dimension (a whole number) in the shape");
        uint64_t v = 0;
        size_t start = h->pos;
        while (h->pos < h->n && h->s[h->pos] >= '0' && h->s[h->pos] <= '9') {
            unsigned d = (unsigned)(h->s[h->pos++] - '0');
            if (v > (UINT64_MAX - d) / 10)
                return hdr_fail_at(h, start, "dimension too large");
            v = v * 10 + d;
        }
        (void)accept(h, 'L');   /* Python 2 long suffix */
        if (*ndim < 8)
            dims[*ndim] = v;
        (*ndim)++;
        if (accept(h, ','))
            continue;
        if (accept(h, ')'))
            return TP_OK;
        return hdr_fail(h, "expected ',' or ')' in the shape");
    }
}

typedef struct {
    char descr[16];
    bool fortran;
    uint64_t dims[8];
    int ndim;
} hdr_fields;

static tp_status parse_dict(hdr *h, hdr_fields *f)
{
    bool have_descr = false, have_fortran = false, have_shape = false;
    tp_status st;
    if (!accept(h, '{'))
        return hdr_fail(h, "expected '{'");
    for (;;) {
        if (accept(h, '}'))
            break;
        char key[32];
        skip_ws(h);
        size_t key_pos = h->pos;
        if ((st = parse_str(h, key, sizeof key, "expected a quoted key or '}'")) != TP_OK)
            return st;
        if (!accept(h, ':'))
            return hdr_fail(h, "expected ':' after a key");
        if (!strcmp(key, "descr")) {
            if ((st = parse_str(h, f->descr, sizeof f->descr, "descr must be a dtype string such as '<f4'")) != TP_OK)
                return st;
            have_descr = true;
        } else if (!strcmp(key, "fortran_order")) {
            if (accept_word(h, "True"))
                f->fortran = true;
            else if (accept_word(h, "False"))
                f->fortran = false;
            else
                return hdr_fail(h, "fortran_order must be True or False");
            have_fortran = true;
        } else if (!strcmp(key, "shape")) {
            if ((st = parse_shape(h, f->dims, &f->ndim)) != TP_OK)
                return st;
            have_shape = true;
        } else {
            char what[80];
            snprintf(what, sizeof what, "unexpected key '%s'", key);
            return hdr_fail_at(h, key_pos, what);
        }
        if (accept(h, ','))
            continue;
        if (accept(h, '}'))
            break;
        return hdr_fail(h, "expected ',' or '}'");
    }
    skip_ws(h);
    if (h->pos != h->n)
        return hdr_fail(h, "unexpected text after the header dict");
    if (!have_descr)
        return tp_err_at(h->err, TP_ERR_NPY, h->path, 0, 0, "malformed header: no 'descr' key");
    if (!have_fortran)
        return tp_err_at(h->err, TP_ERR_NPY, h->path, 0, 0, "malformed header: no 'fortran_order' key");
    if (!have_shape)
        return tp_err_at(h->err, TP_ERR_NPY, h->path, 0, 0, "malformed header: no 'shape' key");
    return TP_OK;
}

/* ---- reader ---------------------------------------------------------------------------------- */

static tp_status read_exact(FILE *fp, void *buf, size_t n, size_t *got)
{
    *got = fread(buf, 1, n, fp);
    return *got == n ? TP_OK : TP_ERR_IO;
}

/* A stream that cannot seek (a pipe) cannot be measured first: its buffer grows with the bytes
 * that arrive, so a header claiming 8 GiB costs memory only for the data actually sent. */
static tp_status read_growing(FILE *fp, size_t nbytes, void **out, size_t *got)
{
    size_t have = 0, n = 0;
    char *buf = NULL;
    *got = 0;
    for (;;) {
        if (n == have) {
            size_t want = have ? have * 2 : (size_t)1 << 20;
            if (want > nbytes)
                want = nbytes;
            char *p = realloc(buf, want ? want : 1);
            if (!p) {
                free(buf);
                *out = NULL;
                return TP_ERR_NOMEM;
            }
            buf = p;
            have = want;
        }
        size_t r = have > n ? fread(buf + n, 1, have - n, fp) : 0;
        n += r;
        *got = n;
        if (n == nbytes || r == 0)
            break;
    }
    *out = buf;
    return TP_OK;
}

static void byteswap(void *data, size_t count, size_t size)
{
    unsigned char *p = data;
    for (size_t i = 0; i < count; i++, p += size)
        for (size_t a = 0, b = size - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

tp_status npy_read(const char *path, npy_mat *m, tp_err *err)
{
    memset(m, 0, sizeof *m);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return tp_err_at(err, TP_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    tp_status st = TP_OK;
    char *htext = NULL;
    size_t got;
    unsigned char pre[12] = {0};

    if (read_exact(fp, pre, 8, &got) != TP_OK || memcmp(pre, "\x93NUMPY", 6) != 0) {
        if (ferror(fp))
            st = tp_err_at(err, TP_ERR_IO, path, 0, 0, "read error: %s", strerror(errno));
        else if (got == 0)
            st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "the file is empty (not a .npy file)");
        else if (got >= 6 && memcmp(pre, "\x93NUMPY", 6) == 0)
            st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "truncated: file ends inside the preamble");
        else
            st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "bad magic (not a .npy file)");
        goto end;
    }
    unsigned major = pre[6], minor = pre[7];
    if (major < 1 || major > 3 || minor != 0) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "unsupported .npy version %u.%u (1.0, 2.0, 3.0 are read)",
                       major, minor);
        goto end;
    }
    size_t lenbytes = major == 1 ? 2 : 4;
    if (read_exact(fp, pre + 8, lenbytes, &got) != TP_OK) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "truncated: file ends inside the preamble");
        goto end;
    }
    uint32_t hlen = major == 1 ? (uint32_t)pre[8] | (uint32_t)pre[9] << 8
                               : (uint32_t)pre[8] | (uint32_t)pre[9] << 8 |
                                     (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
    if (hlen > NPY_MAX_HEADER_BYTES) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "header length %u is over the %u-byte limit", hlen,
                       NPY_MAX_HEADER_BYTES);
        goto end;
    }
    htext = malloc(hlen ? hlen : 1);
    if (!htext) {
        st = tp_err_at(err, TP_ERR_NOMEM, path, 0, 0, "out of memory reading the header");
        goto end;
    }
    if (read_exact(fp, htext, hlen, &got) != TP_OK) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "truncated: header says %u bytes, file has %zu", hlen, got);
        goto end;
    }
    hdr h = {htext, hlen, 0, path, 8 + lenbytes, err};
    hdr_fields f;
    memset(&f, 0, sizeof f);
    if ((st = parse_dict(&h, &f)) != TP_OK)
        goto end;
    npy_dtype dt;
    bool swap;
    if (parse_descr(f.descr, &dt, &swap) != 0) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0,
                       "unsupported dtype '%s' (supported: '|i1' int8, '<i4' int32, '<f4' float32, "
                       "'<u2' bf16 bits)", f.descr);
        goto end;
    }
    if (f.fortran) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0,
                       "fortran_order is True; only C-order arrays are supported (save with "
                       "numpy.ascontiguousarray)");
        goto end;
    }
    if (f.ndim == 0 || f.ndim > 2) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "%d-D array; only 1-D (read as 1 x N) and 2-D arrays are supported",
                       f.ndim);
        goto end;
    }
    uint64_t rows = f.ndim == 1 ? 1 : f.dims[0], cols = f.ndim == 1 ? f.dims[0] : f.dims[1];
    if (rows > NPY_MAX_ELEMS || cols > NPY_MAX_ELEMS || (cols && rows > NPY_MAX_ELEMS / cols)) {
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0,
                       "shape (%llu, %llu) is too large (at most %llu elements)",
                       (unsigned long long)rows, (unsigned long long)cols,
                       (unsigned long long)NPY_MAX_ELEMS);
        goto end;
    }
    size_t count = (size_t)(rows * cols), nbytes = count * sizes[dt];
    /* a short file is refused before its shape's bytes are allocated (a 128-byte file may
     * claim 8 GiB); a stream that cannot seek is found short by the read below instead */
    off_t here = ftello(fp);
    bool seekable = here >= 0 && fseeko(fp, 0, SEEK_END) == 0;
    if (seekable) {
        off_t end = ftello(fp);
        if (fseeko(fp, here, SEEK_SET) != 0) {
            st = tp_err_at(err, TP_ERR_IO, path, 0, 0, "seek error: %s", strerror(errno));
            goto end;
        }
        if (end >= here && (uint64_t)(end - here) < nbytes) {
            st = tp_err_at(err, TP_ERR_NPY, path, 0, 0,
                           "truncated: shape (%llu, %llu) needs %zu bytes of data, file has %llu",
                           (unsigned long long)rows, (unsigned long long)cols, nbytes,
                           (unsigned long long)(end - here));
            goto end;
        }
    }
    void *data = NULL;
    if (seekable) {
        data = malloc(nbytes ? nbytes : 1);
        if (!data) {
            st = tp_err_at(err, TP_ERR_NOMEM, path, 0, 0, "out of memory for %zu bytes of data", nbytes);
            goto end;
        }
        read_exact(fp, data, nbytes, &got);
    } else if ((st = read_growing(fp, nbytes, &data, &got)) != TP_OK) {
        st = tp_err_at(err, TP_ERR_NOMEM, path, 0, 0, "out of memory for %zu bytes of data (after %zu arrived)", nbytes, got);
        goto end;
    }
    if (got != nbytes) {
        free(data);
        st = ferror(fp) ? tp_err_at(err, TP_ERR_IO, path, 0, 0, "read error: %s", strerror(errno))
                        : tp_err_at(err, TP_ERR_NPY, path, 0, 0,
                                    "truncated: shape (%llu, %llu) needs %zu bytes of data, file has %zu",
                                    (unsigned long long)rows, (unsigned long long)cols, nbytes, got);
        goto end;
    }
    if (fgetc(fp) != EOF) {
        free(data);
        st = tp_err_at(err, TP_ERR_NPY, path, 0, 0, "extra bytes after the %zu bytes of data for shape (%llu, %llu)",
                       nbytes, (unsigned long long)rows, (unsigned long long)cols);
        goto end;
    }
    if (swap)
        byteswap(data, count, sizes[dt]);
    snprintf(m->descr, sizeof m->descr, "%s", descrs[dt]);
    m->dtype = dt;
    m->rows = (uint32_t)rows;
    m->cols = (uint32_t)cols;
    m->data = data;
end:
    free(htext);
    fclose(fp);
    return st;
}

tp_status npy_read_as(const char *path, npy_dtype want, npy_mat *m, tp_err *err)
{
    tp_status st = npy_read(path, m, err);
    if (st != TP_OK)
        return st;
    if (m->dtype == want)
        return TP_OK;
    if (want == NPY_BF16 && m->dtype == NPY_F32) {
        /* rounded in place: element i (2 bytes) is written after element i (4 bytes) is read */
        const float *src = m->data;
        uint16_t *dst = m->data;
        size_t count = (size_t)m->rows * m->cols;
        for (size_t i = 0; i < count; i++) {
            float v;
            memcpy(&v, &src[i], sizeof v);
            dst[i] = dtype_f32_to_bf16(v);
        }
        m->dtype = NPY_BF16;
        snprintf(m->descr, sizeof m->descr, "%s", descrs[NPY_BF16]);
        return TP_OK;
    }
    npy_dtype have = m->dtype;
    npy_free(m);
    return tp_err_at(err, TP_ERR_NPY, path, 0, 0, "dtype is %s ('%s'), expected %s ('%s')%s",
                     names[have], descrs[have], names[want], descrs[want],
                     want == NPY_BF16 ? " or float32 ('<f4')" : "");
}

/* ---- writer ---------------------------------------------------------------------------------- */

tp_status npy_write_flag(const char *flag, const char *path, const char *descr, uint32_t rows, uint32_t cols,
                         const void *data, tp_err *err)
{
    npy_dtype dt;
    bool swap;
    if (parse_descr(descr, &dt, &swap) != 0 || swap || descr[0] == '=')
        return tp_err_at(err, TP_ERR_NPY, path, 0, 0, "cannot write dtype '%s' (use '|i1', '<i4', '<f4' or '<u2')",
                         descr);
    /* numpy: "{'descr': ..., 'fortran_order': False, 'shape': (R, C), }", then spaces so the
     * first dimension could grow to 21 digits in place, then padding spaces and '\n' so that
     * magic (8) + length (2) + header is a multiple of 64 (1 to 64 padding bytes). */
    char head[256];
    int len = snprintf(head, sizeof head, "{'descr': '%s', 'fortran_order': False, 'shape': (%u, %u), }",
                       descrs[dt], rows, cols);
    char rowtxt[16];
    int rowlen = snprintf(rowtxt, sizeof rowtxt, "%u", rows);
    for (int i = rowlen; i < (int)NPY_GROWTH_DIGITS; i++)
        head[len++] = ' ';
    unsigned hlen = (unsigned)len + 1;               /* with the final newline */
    unsigned pad = NPY_ALIGN - (10 + hlen) % NPY_ALIGN;
    for (unsigned i = 0; i < pad; i++)
        head[len++] = ' ';
    head[len++] = '\n';
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(len & 0xff),
                             (unsigned char)(len >> 8)};
    /* a temporary renamed into place on success: a full disk or a signal never leaves a
     * truncated .npy, and the previous file survives ("-" is stdout) */
    afile af;
    tp_status st = afile_open(&af, flag, path, true, err);
    if (st != TP_OK)
        return st;
    FILE *fp = af.f;
    size_t nbytes = (size_t)rows * cols * sizes[dt];
    bool ok = fwrite(pre, 1, sizeof pre, fp) == sizeof pre &&
              fwrite(head, 1, (size_t)len, fp) == (size_t)len &&
              (nbytes == 0 || fwrite(data, 1, nbytes, fp) == nbytes);
    return afile_commit(&af, !ok, err);
}

tp_status npy_write(const char *path, const char *descr, uint32_t rows, uint32_t cols,
                    const void *data, tp_err *err)
{
    return npy_write_flag(NULL, path, descr, rows, cols, data, err);
}
