/* Workload files -> a list of GEMM layers (see workload.h for both formats).
 *
 * Design notes
 *  1. Both parsers fill the same workload and validate every number the same way
 *     (parse_dim): a whole decimal number in [1, GEMM_MAX_DIM], else a positioned error.
 *  2. YAML goes through libyaml's document API; every node carries its start mark (0-based),
 *     printed 1-based. Unknown keys are errors (a misspelt "repeats" must not be ignored).
 *  3. The CSV reader is a plain line/field splitter (SCALE-Sim files have no quoting); columns
 *     are 1-based byte offsets of the field's first non-blank character.
 *  4. input: NAME is resolved once the whole list is read (so a later layer's name can be told
 *     apart from an unknown one): it must name exactly one earlier layer whose M x N is this
 *     layer's M x K. The error points at the value. CSV layers are all independent.
 *  5. im2col follows SCALE-Sim's own arithmetic (topology_utils.topo_calc_hyperparams):
 *     out = ceil((in - f + s) / s) = ceil((in - f) / s) + 1. For ResNet-50's Conv1
 *     (224, 7, stride 2) that is 110, not the 109 of floor((in - f) / s) + 1.
 */
#include "work/workload.h"
#include "base/yaml_one.h"
#include "base/readfile.h"
#include "base/text.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const char *workload_phase_name(workload_phase p)
{
    static const char *const names[WORKLOAD_PHASE__COUNT] = {"forward", "dgrad", "wgrad"};
    return p < WORKLOAD_PHASE__COUNT ? names[p] : "?";
}

uint32_t workload_conv_out(uint32_t in, uint32_t f, uint32_t stride)
{
    return (in - f + stride - 1) / stride + 1;
}

/* a * b, or UINT64_MAX if the product does not fit */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

uint64_t workload_layer_macs(const workload_layer *l)
{
    return mul_sat((uint64_t)l->m * l->n, l->k);
}

uint64_t workload_total_macs(const workload *w)
{
    uint64_t t = 0;
    for (size_t i = 0; i < w->n_layers; i++) {
        uint64_t x = mul_sat(workload_layer_macs(&w->layers[i]), w->layers[i].repeat);
        t = x > UINT64_MAX - t ? UINT64_MAX : t + x;
    }
    return t;
}

void workload_free(workload *w)
{
    if (!w)
        return;
    free(w->layers);
    memset(w, 0, sizeof *w);
}

/* The file's base name without directory and extension: the default workload name. */
static void base_name(char *dst, size_t cap, const char *path)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    size_t n = strlen(s);
    const char *dot = strrchr(s, '.');
    if (dot && dot != s)
        n = (size_t)(dot - s);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static void copy_str(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static tp_status push_layer(workload *w, const workload_layer *l, size_t *cap, const char *file,
                            tp_err *err)
{
    if (w->n_layers >= WORKLOAD_MAX_LAYERS)
        return tp_err_at(err, TP_ERR_PARSE, file, l->line, 1, "more than %u layers", WORKLOAD_MAX_LAYERS);
    if (w->n_layers == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        workload_layer *p = realloc(w->layers, nc * sizeof *p);
        if (!p)
            return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory for %zu layers", file, nc);
        w->layers = p;
        *cap = nc;
    }
    w->layers[w->n_layers++] = *l;
    return TP_OK;
}

/* A whole decimal number in [min, max] (surrounding blanks allowed). */
static tp_status parse_num(const char *s, size_t n, uint32_t min, uint32_t max, const char *what,
                           const char *file, int line, int col, uint32_t *out, tp_err *err)
{
    char buf[64];
    size_t a = 0, b = n;
    while (a < b && isspace((unsigned char)s[a]))
        a++;
    while (b > a && isspace((unsigned char)s[b - 1]))
        b--;
    copy_str(buf, sizeof buf, s + a, b - a);
    bool ok = b > a && b - a < sizeof buf;
    for (size_t i = a; ok && i < b; i++)
        ok = isdigit((unsigned char)s[i]) != 0;
    unsigned long long v = 0;
    if (ok) {
        errno = 0;
        v = strtoull(buf, NULL, 10);
        ok = errno == 0;
    }
    if (!ok || v < min || v > max)
        return tp_err_at(err, TP_ERR_PARSE, file, line, col,
                         "%s: expected a whole number in [%u, %u], got '%s'", what, min, max, buf);
    *out = (uint32_t)v;
    return TP_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* YAML                                                                                      */

typedef struct {
    yaml_document_t *doc;
    const char *file;
    tp_err *err;
} ycx;

static int mline(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static int mcol(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static tp_status y_fail(ycx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tp_status y_fail(ycx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tp_err_at(c->err, TP_ERR_PARSE, c->file, mline(n), mcol(n), "%s", msg);
}

static tp_status y_num(ycx *c, const yaml_node_t *n, const char *key, uint32_t min, uint32_t max,
                       uint32_t *out)
{
    const char *s = scalar(n);
    if (!s)
        return tp_err_at(c->err, TP_ERR_PARSE, c->file, mline(n), mcol(n),
                         "%s: expected a whole number, got a %s", key,
                         n->type == YAML_MAPPING_NODE ? "mapping" : "list");
    return parse_num(s, strlen(s), min, max, key, c->file, mline(n), mcol(n), out, c->err);
}

static tp_status y_dtype(ycx *c, const yaml_node_t *n, tp_dtype *out)
{
    const char *s = scalar(n);
    if (!s || dtype_parse(s, out))
        return y_fail(c, n, "dtype: expected int8 or bf16, got '%s'", s ? s : "(not a scalar)");
    return TP_OK;
}

/* Key slot `slot` of a mapping was first given by node *first; a second one is an error. */
static tp_status y_once(ycx *c, const yaml_node_t **first, const yaml_node_t *k, const char *key)
{
    if (*first)
        return y_fail(c, k, "duplicate key '%s' (first given at line %d, column %d)", key, mline(*first),
                      mcol(*first));
    *first = k;
    return TP_OK;
}

static tp_status y_layer(ycx *c, const yaml_node_t *n, workload_layer *l)
{
    if (n->type != YAML_MAPPING_NODE)
        return y_fail(c, n, "%s: a layer must be a mapping with name, M, N, K", "layers");
    memset(l, 0, sizeof *l);
    l->repeat = 1;
    l->line = mline(n);
    l->input = -1;
    l->fwd = -1;
    bool have[3] = {false, false, false};
    static const char *const slots[] = {"name", "M", "N", "K", "repeat", "dtype", "epilogue", "input", "tile", "order"};
    const yaml_node_t *first[sizeof slots / sizeof slots[0]] = {NULL};
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = scalar(k);
        tp_status st = TP_OK;
        if (!key)
            return y_fail(c, k, "%s: keys must be plain words", "layers");
        /* M and m (N/n, K/k) are one key */
        for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
            if (!strcmp(key, slots[i]) || (slots[i][1] == 0 && key[0] == slots[i][0] + 32 && key[1] == 0))
                if ((st = y_once(c, &first[i], k, key)) != TP_OK)
                    return st;
        if (!strcmp(key, "name")) {
            const char *s = scalar(v);
            if (!s)
                return y_fail(c, v, "%s: expected a string", "name");
            copy_str(l->name, sizeof l->name, s, strlen(s));
        } else if (!strcmp(key, "M") || !strcmp(key, "m")) {
            st = y_num(c, v, "M", 1, GEMM_MAX_DIM, &l->m);
            have[0] = true;
        } else if (!strcmp(key, "N") || !strcmp(key, "n")) {
            st = y_num(c, v, "N", 1, GEMM_MAX_DIM, &l->n);
            have[1] = true;
        } else if (!strcmp(key, "K") || !strcmp(key, "k")) {
            st = y_num(c, v, "K", 1, GEMM_MAX_DIM, &l->k);
            have[2] = true;
        } else if (!strcmp(key, "repeat")) {
            st = y_num(c, v, "repeat", 1, WORKLOAD_MAX_REPEAT, &l->repeat);
        } else if (!strcmp(key, "dtype")) {
            st = y_dtype(c, v, &l->dtype);
            l->has_dtype = true;
        } else if (!strcmp(key, "epilogue")) {
            const char *s = scalar(v);
            gemm_epilogue e;
            if (!s || gemm_epilogue_parse(s, &e))
                return y_fail(c, v, "epilogue: expected none, relu or requant, got '%s'",
                              s ? s : "(not a scalar)");
            l->epilogue = e;
        } else if (!strcmp(key, "input")) {
            /* resolved by y_inputs once every layer is read */
            const char *s = scalar(v);
            if (!s || !s[0])
                return y_fail(c, v, "input: expected the name of an earlier layer");
            if (strlen(s) >= sizeof l->input_name)
                return y_fail(c, v, "input: a layer name has at most %zu characters", sizeof l->input_name - 1);
            copy_str(l->input_name, sizeof l->input_name, s, strlen(s));
            l->input_line = mline(v);
            l->input_col = mcol(v);
        } else if (!strcmp(key, "tile")) {
            const char *s = scalar(v);
            if (!s || gemm_parse_tile(s, &l->tm, &l->tn, &l->tk))
                return y_fail(c, v, "tile: expected MxNxK (three sizes of at least 1), got '%s'", s ? s : "(not a scalar)");
        } else if (!strcmp(key, "order")) {
            const char *s = scalar(v);
            if (!s || gemm_parse_order(s, l->order))
                return y_fail(c, v, "order: expected a permutation of m, n, k, got '%s'", s ? s : "(not a scalar)");
        } else {
            return y_fail(c, k, "unknown layer key '%s' (expected name, M, N, K, repeat, dtype, epilogue, input, tile, "
                          "order)", key);
        }
        if (st != TP_OK)
            return st;
    }
    static const char *const dims[3] = {"M", "N", "K"};
    for (int i = 0; i < 3; i++)
        if (!have[i])
            return tp_err_at(c->err, TP_ERR_PARSE, c->file, mline(n), mcol(n),
                             "layer '%s' has no %s", l->name[0] ? l->name : "(unnamed)", dims[i]);
    return TP_OK;
}

/* Resolves every layer's input: NAME to the index of the one earlier layer of that name, and
 * checks the shapes meet (the producer's M x N is the reader's M x K). */
static tp_status y_inputs(ycx *c, workload *w)
{
    for (size_t i = 0; i < w->n_layers; i++) {
        workload_layer *l = &w->layers[i];
        if (!l->input_name[0])
            continue;
        const char *nm = l->input_name;
        size_t hits = 0, first = 0, second = 0;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(w->layers[j].name, nm)) {
                if (hits == 0)
                    first = j;
                else if (hits == 1)
                    second = j;
                hits++;
            }
        if (hits > 1)
            return tp_err_at(c->err, TP_ERR_PARSE, c->file, l->input_line, l->input_col,
                             "input: %zu earlier layers are named '%s' (lines %d and %d); give them distinct names",
                             hits, nm, w->layers[first].line, w->layers[second].line);
        if (hits == 0) {
            if (!strcmp(l->name, nm))
                return tp_err_at(c->err, TP_ERR_PARSE, c->file, l->input_line, l->input_col,
                                 "input: layer '%s' cannot read its own output", nm);
            for (size_t j = i + 1; j < w->n_layers; j++)
                if (!strcmp(w->layers[j].name, nm))
                    return tp_err_at(c->err, TP_ERR_PARSE, c->file, l->input_line, l->input_col,
                                     "input: layer '%s' (line %d) comes after '%s'; a layer reads only an "
                                     "earlier layer's output", nm, w->layers[j].line, l->name);
            /* the earlier layers are the names that could have been meant */
            const char **cands = malloc((i ? i : 1) * sizeof *cands);
            if (!cands)
                return tp_err_set(c->err, TP_ERR_NOMEM, "%s: out of memory for the names to suggest", c->file);
            for (size_t j = 0; j < i; j++)
                cands[j] = w->layers[j].name;
            const char *best = text_closest(nm, cands, i, 2, false);
            tp_status st = best ? tp_err_at(c->err, TP_ERR_PARSE, c->file, l->input_line, l->input_col,
                                            "input: no earlier layer is named '%s' (did you mean '%s'?)", nm, best)
                                : tp_err_at(c->err, TP_ERR_PARSE, c->file, l->input_line, l->input_col,
                                            "input: no earlier layer is named '%s'", nm);
            free(cands);
            return st;
        }
        const workload_layer *p = &w->layers[first];
        if (p->m != l->m || p->n != l->k)
            return tp_err_at(c->err, TP_ERR_PARSE, c->file, l->input_line, l->input_col,
                             "input: '%s' gives %ux%u (M x N) but '%s' reads %ux%u (M x K)", p->name, p->m,
                             p->n, l->name, l->m, l->k);
        l->input = (int64_t)first;
    }
    return TP_OK;
}

static tp_status y_root(ycx *c, const yaml_node_t *root, workload *w)
{
    if (!root)
        return tp_err_at(c->err, TP_ERR_PARSE, c->file, 1, 1, "empty workload (expected 'layers:')");
    if (root->type != YAML_MAPPING_NODE)
        return y_fail(c, root, "%s: the top level must be a mapping with 'layers:'", "workload");
    const yaml_node_t *layers = NULL;
    static const char *const slots[] = {"name", "dtype", "layers"};
    const yaml_node_t *first[3] = {NULL, NULL, NULL};
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = scalar(k);
        if (!key)
            return y_fail(c, k, "%s: keys must be plain words", "workload");
        for (size_t i = 0; i < 3; i++) {
            tp_status st;
            if (!strcmp(key, slots[i]) && (st = y_once(c, &first[i], k, key)) != TP_OK)
                return st;
        }
        if (!strcmp(key, "name")) {
            const char *s = scalar(v);
            if (!s)
                return y_fail(c, v, "%s: expected a string", "name");
            copy_str(w->name, sizeof w->name, s, strlen(s));
        } else if (!strcmp(key, "dtype")) {
            tp_status st = y_dtype(c, v, &w->dtype);
            if (st != TP_OK)
                return st;
            w->has_dtype = true;
        } else if (!strcmp(key, "layers")) {
            if (v->type != YAML_SEQUENCE_NODE)
                return y_fail(c, v, "%s: expected a list of layers", "layers");
            layers = v;
        } else {
            return y_fail(c, k, "unknown key '%s' (expected name, dtype, layers)", key);
        }
    }
    if (!layers)
        return y_fail(c, root, "%s: no 'layers:' list", "workload");
    size_t cap = 0;
    for (yaml_node_item_t *it = layers->data.sequence.items.start; it < layers->data.sequence.items.top; it++) {
        workload_layer l;
        tp_status st = y_layer(c, yaml_document_get_node(c->doc, *it), &l);
        if (st == TP_OK)
            st = push_layer(w, &l, &cap, c->file, c->err);
        if (st != TP_OK)
            return st;
    }
    if (w->n_layers == 0)
        return y_fail(c, layers, "%s: the list is empty", "layers");
    return y_inputs(c, w);
}

/* On a failed parse: frees what was read but keeps w->source, which the caller's message names. */
static void free_keeping_source(workload *w)
{
    char src[sizeof w->source];
    memcpy(src, w->source, sizeof src);
    workload_free(w);
    memcpy(w->source, src, sizeof src);
}

/* yaml_load_one's walk: the root of the workload's one document */
typedef struct {
    workload *w;
    const char *name;   /* the file, in messages */
} y_walk_ctx;

static tp_status y_walk(void *ctx, yaml_document_t *doc, const yaml_node_t *root, tp_err *err)
{
    y_walk_ctx *x = ctx;
    ycx c = {doc, x->name, err};
    return y_root(&c, root, x->w);
}

tp_status workload_parse_yaml(const char *name, const char *text, size_t len, workload *w, tp_err *err)
{
    memset(w, 0, sizeof *w);
    copy_str(w->source, sizeof w->source, name, strlen(name));
    base_name(w->name, sizeof w->name, name);
    y_walk_ctx x = {w, name};
    tp_status st = yaml_load_one(name, "a workload", text, len, y_walk, &x, err);
    if (st != TP_OK)
        free_keeping_source(w);
    return st;
}

/* ---------------------------------------------------------------------------------------- */
/* SCALE-Sim topology CSV                                                                    */

#define CSV_MAX_FIELDS 64
typedef struct {
    const char *s[CSV_MAX_FIELDS];   /* field starts (not NUL-terminated) */
    size_t n[CSV_MAX_FIELDS];        /* field lengths */
    int col[CSV_MAX_FIELDS];         /* 1-based column of the field's first non-blank byte */
    int count;                       /* fields before the last comma-less remainder */
} csv_row;

/* Splits one line (without its newline) at commas. Fields beyond CSV_MAX_FIELDS are dropped
 * (extra trailing columns are ignored anyway). */
static void csv_split(const char *line, size_t len, csv_row *r)
{
    size_t start = 0;
    r->count = 0;
    for (size_t i = 0; i <= len && r->count < CSV_MAX_FIELDS; i++) {
        if (i == len || line[i] == ',') {
            size_t a = start, b = i;
            while (a < b && isspace((unsigned char)line[a]))
                a++;
            while (b > a && isspace((unsigned char)line[b - 1]))
                b--;
            r->s[r->count] = line + a;
            r->n[r->count] = b - a;
            r->col[r->count] = (int)(a < b ? a : start) + 1;
            r->count++;
            start = i + 1;
        }
    }
}

static bool field_is(const csv_row *r, int i, const char *word)
{
    size_t n = strlen(word);
    if (i >= r->count || r->n[i] != n)
        return false;
    for (size_t j = 0; j < n; j++)
        if (tolower((unsigned char)r->s[i][j]) != tolower((unsigned char)word[j]))
            return false;
    return true;
}

static bool field_has(const csv_row *r, int i, const char *word)
{
    char buf[128];
    if (i >= r->count)
        return false;
    copy_str(buf, sizeof buf, r->s[i], r->n[i]);
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return strstr(buf, word) != NULL;
}

static bool row_blank(const csv_row *r)
{
    for (int i = 0; i < r->count; i++)
        if (r->n[i])
            return false;
    return true;
}

tp_status workload_parse_csv(const char *name, const char *text, size_t len, workload *w, tp_err *err)
{
    memset(w, 0, sizeof *w);
    copy_str(w->source, sizeof w->source, name, strlen(name));
    base_name(w->name, sizeof w->name, name);
    enum { FORM_NONE, FORM_GEMM, FORM_CONV } form = FORM_NONE;
    bool stride_w_col = false;
    size_t cap = 0, pos = 0;
    int line = 0;
    tp_status st = TP_OK;
    csv_row r;
    while (pos < len && st == TP_OK) {
        size_t e = pos;
        while (e < len && text[e] != '\n')
            e++;
        size_t l = e - pos;
        if (l && text[pos + l - 1] == '\r')
            l--;
        line++;
        csv_split(text + pos, l, &r);
        pos = e + 1;
        if (form == FORM_NONE) {
            /* the header row decides the form */
            if (field_is(&r, 1, "M") && field_is(&r, 2, "N") && field_is(&r, 3, "K"))
                form = FORM_GEMM;
            else if (field_has(&r, 1, "ifmap") && r.count >= 8) {
                form = FORM_CONV;
                stride_w_col = field_has(&r, 8, "stride");
            } else {
                st = tp_err_at(err, TP_ERR_PARSE, name, line, 1,
                               "not a SCALE-Sim topology header: expected 'Layer, M, N, K,' or "
                               "'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                               "Channels, Num Filter, Strides,'");
            }
            continue;
        }
        if (row_blank(&r))
            continue;
        workload_layer ly;
        memset(&ly, 0, sizeof ly);
        ly.line = line;
        ly.repeat = 1;
        ly.input = -1;   /* a topology file does not say how its layers connect */
        ly.fwd = -1;
        copy_str(ly.name, sizeof ly.name, r.s[0], r.n[0]);
        int need = form == FORM_GEMM ? 4 : 8;
        if (r.count < need) {
            st = tp_err_at(err, TP_ERR_PARSE, name, line, (int)l + 1, "expected %d columns (%s), found %d",
                           need, form == FORM_GEMM ? "Layer, M, N, K" :
                           "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides",
                           r.count);
            break;
        }
#define NUM(i, what, max, dst) \
        if (st == TP_OK) st = parse_num(r.s[i], r.n[i], 1, (max), (what), name, line, r.col[i], (dst), err)
        if (form == FORM_GEMM) {
            NUM(1, "M", GEMM_MAX_DIM, &ly.m);
            NUM(2, "N", GEMM_MAX_DIM, &ly.n);
            NUM(3, "K", GEMM_MAX_DIM, &ly.k);
        } else {
            ly.conv = true;
            NUM(1, "IFMAP Height", GEMM_MAX_DIM, &ly.in_h);
            NUM(2, "IFMAP Width", GEMM_MAX_DIM, &ly.in_w);
            NUM(3, "Filter Height", GEMM_MAX_DIM, &ly.f_h);
            NUM(4, "Filter Width", GEMM_MAX_DIM, &ly.f_w);
            NUM(5, "Channels", GEMM_MAX_DIM, &ly.channels);
            NUM(6, "Num Filter", GEMM_MAX_DIM, &ly.filters);
            NUM(7, "Strides", GEMM_MAX_DIM, &ly.stride_h);
            ly.stride_w = ly.stride_h;
            if (stride_w_col && r.count > 8)
                NUM(8, "Stride width", GEMM_MAX_DIM, &ly.stride_w);
            if (st != TP_OK)
                break;
            if (ly.f_h > ly.in_h)
                st = tp_err_at(err, TP_ERR_PARSE, name, line, r.col[3],
                               "Filter Height %u is larger than IFMAP Height %u", ly.f_h, ly.in_h);
            else if (ly.f_w > ly.in_w)
                st = tp_err_at(err, TP_ERR_PARSE, name, line, r.col[4],
                               "Filter Width %u is larger than IFMAP Width %u", ly.f_w, ly.in_w);
            if (st != TP_OK)
                break;
            ly.out_h = workload_conv_out(ly.in_h, ly.f_h, ly.stride_h);
            ly.out_w = workload_conv_out(ly.in_w, ly.f_w, ly.stride_w);
            bool depthwise = strstr(ly.name, "DP") != NULL;
            uint64_t m = (uint64_t)ly.out_h * ly.out_w;
            uint64_t k = (uint64_t)ly.f_h * ly.f_w * (depthwise ? 1u : ly.channels);
            if (m > GEMM_MAX_DIM || k > GEMM_MAX_DIM) {
                st = tp_err_at(err, TP_ERR_PARSE, name, line, 1,
                               "layer '%s' lowers to M=%llu, K=%llu: over the limit of %u", ly.name,
                               (unsigned long long)m, (unsigned long long)k, GEMM_MAX_DIM);
                break;
            }
            ly.m = (uint32_t)m;
            ly.n = ly.filters;
            ly.k = (uint32_t)k;
            if (depthwise) {
                if (ly.channels > WORKLOAD_MAX_REPEAT) {
                    st = tp_err_at(err, TP_ERR_PARSE, name, line, r.col[5],
                                   "depthwise layer '%s': at most %u channels", ly.name, WORKLOAD_MAX_REPEAT);
                    break;
                }
                ly.repeat = ly.channels;
            }
        }
#undef NUM
        if (st == TP_OK)
            st = push_layer(w, &ly, &cap, name, err);
    }
    if (st == TP_OK && form == FORM_NONE)
        st = tp_err_at(err, TP_ERR_PARSE, name, 1, 1, "empty topology file (expected a header row)");
    if (st == TP_OK && w->n_layers == 0)
        st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "no layers after the header row");
    if (st != TP_OK)
        free_keeping_source(w);
    return st;
}

/* ---------------------------------------------------------------------------------------- */

#define WORKLOAD_MAX_FILE_BYTES (64u << 20)

tp_status workload_load(const char *path, workload *w, tp_err *err)
{
    memset(w, 0, sizeof *w);
    char *buf = NULL;
    size_t n = 0;
    /* the limits apply as the file streams in (a NUL byte or the 64 MiB cap stops the read) */
    tp_status st = read_text_file(path, "workload", WORKLOAD_MAX_FILE_BYTES, &buf, &n, err);
    if (st == TP_OK) {
        size_t pl = strlen(path);
        bool csv = pl >= 4 && (!strcmp(path + pl - 4, ".csv") || !strcmp(path + pl - 4, ".CSV"));
        st = csv ? workload_parse_csv(path, buf, n, w, err) : workload_parse_yaml(path, buf, n, w, err);
    }
    free(buf);
    return st;
}
