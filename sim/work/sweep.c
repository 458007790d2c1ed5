/* Sweep files and the sweep CSV's text (work/sweep.h). The parse follows workload.c's habits:
 * libyaml's document API, the depth cap before the document is built, every error at the
 * node it is about (1-based line:col). */
#include "work/sweep.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "base/readfile.h"
#include "base/sha256.h"
#include "base/text.h"
#include "base/yaml_one.h"
#include "config/config.h"
#include "work/gemm.h"

typedef struct {
    yaml_document_t *doc;
    const char *file;
    tp_err *err;
} scx;

static int nline(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static int ncol(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static tp_status s_fail(scx *c, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static tp_status s_fail(scx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[440];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tp_err_at(c->err, TP_ERR_PARSE, c->file, nline(n), ncol(n), "%s", msg);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A whole number in [min, max], written in decimal. */
static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!s || !*s || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
            return -1;
    }
    if (v < min)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static tp_status parse_gemms(scx *c, const yaml_node_t *v, sweep_spec *s)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return s_fail(c, v, "gemms: expected a list of [M, N, K], e.g. [[512, 512, 512]]");
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0)
        return s_fail(c, v, "gemms: empty list (give at least one [M, N, K])");
    if (n > SWEEP_MAX_GEMMS)
        return s_fail(c, v, "gemms: %zu GEMMs, at most %u", n, SWEEP_MAX_GEMMS);
    s->gemms = calloc(n, sizeof *s->gemms);
    if (!s->gemms)
        return tp_err_set(c->err, TP_ERR_NOMEM, "out of memory for %zu GEMMs", n);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *g = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        if (g->type != YAML_SEQUENCE_NODE || g->data.sequence.items.top - g->data.sequence.items.start != 3)
            return s_fail(c, g, "gemms: expected [M, N, K] (three whole numbers)");
        uint32_t d[3];
        static const char *const names[3] = {"M", "N", "K"};
        for (int j = 0; j < 3; j++) {
            yaml_node_t *x = yaml_document_get_node(c->doc, g->data.sequence.items.start[j]);
            const char *t = scalar(x);
            if (parse_u32(t, 1, GEMM_MAX_DIM, &d[j]))
                return s_fail(c, x, "gemms: %s: expected a whole number from 1 to %u, got '%s'", names[j], GEMM_MAX_DIM,
                              t ? t : "(not a number)");
        }
        s->gemms[i] = (sweep_gemm){d[0], d[1], d[2], nline(g), ncol(g)};
    }
    s->n_gemms = n;
    return TP_OK;
}

static const char *const special_axes[] = {"dataflow", "dtype", "tile", "gpu"};

/* Checks an axis value that tpusim parses itself (the key axes' values go to the config loader). */
static tp_status check_value(scx *c, const sweep_axis *a, const yaml_node_t *x, const char *t)
{
    switch (a->kind) {
    case SWEEP_AXIS_DATAFLOW: {
        tp_dataflow df;
        if (cfg_dataflow_parse(t, &df))
            return s_fail(c, x, "dataflow: unknown dataflow '%s' (expected ws, os or is)", t);
        return TP_OK;
    }
    case SWEEP_AXIS_DTYPE:
        if (strcmp(t, "int8") && strcmp(t, "bf16") && strcmp(t, "fp16"))
            return s_fail(c, x, "dtype: unknown dtype '%s' (expected int8, bf16 or fp16)", t);
        return TP_OK;
    case SWEEP_AXIS_TILE: {
        if (!strcmp(t, "auto"))
            return TP_OK;
        uint32_t d[3];
        char buf[64];
        const char *p = t;
        for (int j = 0; j < 3; j++) {
            size_t n = strcspn(p, "x");
            if (n == 0 || n >= sizeof buf || (j < 2 && p[n] != 'x') || (j == 2 && p[n]))
                return s_fail(c, x, "tile: expected auto or TMxTNxTK (e.g. 128x128x64), got '%s'", t);
            memcpy(buf, p, n);
            buf[n] = 0;
            if (parse_u32(buf, 1, GEMM_MAX_DIM, &d[j]))
                return s_fail(c, x, "tile: expected auto or TMxTNxTK (e.g. 128x128x64), got '%s'", t);
            p += n + (j < 2);
        }
        return TP_OK;
    }
    case SWEEP_AXIS_GPU:
        if (!*t)
            return s_fail(c, x, "gpu: expected a GPU config file, e.g. configs/gpu-a100.yaml");
        return TP_OK;
    default:
        return TP_OK;
    }
}

static tp_status parse_axis(scx *c, const yaml_node_t *k, const yaml_node_t *v, sweep_axis *a)
{
    const char *name = scalar(k);
    if (!name)
        return s_fail(c, k, "axes: an axis name is a config key path or dataflow, dtype, tile, gpu");
    if (strlen(name) >= sizeof a->name)
        return s_fail(c, k, "axes: axis name too long");
    snprintf(a->name, sizeof a->name, "%s", name);
    a->line = nline(k);
    a->col = ncol(k);
    int sp = text_lookup(name, special_axes, 4);
    if (sp >= 0) {
        a->kind = sp == 0 ? SWEEP_AXIS_DATAFLOW : sp == 1 ? SWEEP_AXIS_DTYPE : sp == 2 ? SWEEP_AXIS_TILE : SWEEP_AXIS_GPU;
        if (sp == 0)
            snprintf(a->key, sizeof a->key, "tpu.array.dataflow");
    } else {
        size_t nk = cfg_key_count();
        bool found = false;
        const char **paths = calloc(nk + 4, sizeof *paths);
        if (!paths)
            return tp_err_set(c->err, TP_ERR_NOMEM, "out of memory for the key table");
        for (size_t i = 0; i < nk; i++) {
            cfg_key_info ki;
            cfg_key_get(i, &ki);
            paths[i] = ki.path;
            found = found || !strcmp(ki.path, name);
        }
        for (size_t i = 0; i < 4; i++)
            paths[nk + i] = special_axes[i];
        if (!found) {
            const char *near = text_closest(name, paths, nk + 4, 3, false);
            char hint[160] = "";
            if (near)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
            free(paths);
            return s_fail(c, k, "unknown axis '%s'%s: an axis is a config key path (tpusim config show lists them) "
                                "or dataflow, dtype, tile, gpu", name, hint);
        }
        free(paths);
        a->kind = SWEEP_AXIS_KEY;
        snprintf(a->key, sizeof a->key, "%s", name);
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return s_fail(c, v, "%s: expected a list of values, e.g. [a, b]", name);
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0)
        return s_fail(c, v, "%s: empty list (an axis needs at least one value)", name);
    if (n > SWEEP_MAX_VALUES)
        return s_fail(c, v, "%s: %zu values, at most %u", name, n, SWEEP_MAX_VALUES);
    a->values = calloc(n, sizeof *a->values);
    if (!a->values)
        return tp_err_set(c->err, TP_ERR_NOMEM, "out of memory for %zu values", n);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *x = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        const char *t = scalar(x);
        if (!t)
            return s_fail(c, x, "%s: expected a single value (a number, a size, a name), not a list or mapping", name);
        if (strlen(t) > 120)
            return s_fail(c, x, "%s: value longer than 120 characters", name);
        for (const char *q = t; *q; q++)
            if ((unsigned char)*q < 0x20 || *q == 0x7f)
                return s_fail(c, x, "%s: control character in a value", name);
        tp_status st = check_value(c, a, x, t);
        if (st != TP_OK)
            return st;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(a->values[j].text, t))
                return s_fail(c, x, "%s: value '%s' given twice (first at %d:%d)", name, t, a->values[j].line,
                              a->values[j].col);
        if (!(a->values[i].text = dup_str(t)))
            return tp_err_set(c->err, TP_ERR_NOMEM, "out of memory for a value");
        a->values[i].line = nline(x);
        a->values[i].col = ncol(x);
        a->n_values = i + 1;
    }
    return TP_OK;
}

static tp_status parse_root(scx *c, const yaml_node_t *root, sweep_spec *s)
{
    if (!root)
        return tp_err_at(c->err, TP_ERR_PARSE, c->file, 1, 1, "empty sweep file (expected base:, gemms: or workload:, axes:)");
    if (root->type != YAML_MAPPING_NODE)
        return s_fail(c, root, "a sweep file is a mapping with base:, gemms: or workload:, and axes:");
    static const char *const keys[] = {"base", "gemms", "workload", "axes"};
    const yaml_node_t *seen[4] = {NULL, NULL, NULL, NULL};
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *ks = scalar(k);
        int ki = ks ? text_lookup(ks, keys, 4) : -1;
        if (ki < 0) {
            const char *near = ks ? text_closest(ks, keys, 4, 2, false) : NULL;
            return s_fail(c, k, "unknown key '%s'%s%s%s (a sweep has base, gemms, workload and axes)", ks ? ks : "?",
                          near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
        if (seen[ki])
            return s_fail(c, k, "%s: given twice (first at %d:%d)", ks, nline(seen[ki]), ncol(seen[ki]));
        seen[ki] = k;
        tp_status st = TP_OK;
        if (ki == 0 || ki == 2) {
            const char *t = scalar(v);
            if (!t || !*t)
                return s_fail(c, v, "%s: expected a file name", ks);
            char *d = dup_str(t);
            if (!d)
                return tp_err_set(c->err, TP_ERR_NOMEM, "out of memory");
            if (ki == 0) {
                s->base = d;
                s->base_line = nline(v);
                s->base_col = ncol(v);
            } else {
                s->workload = d;
                s->workload_line = nline(v);
                s->workload_col = ncol(v);
            }
        } else if (ki == 1) {
            st = parse_gemms(c, v, s);
        } else {
            if (v->type != YAML_MAPPING_NODE)
                return s_fail(c, v, "axes: expected a mapping of axis: [values], e.g. tpu.array.rows: [64, 128]");
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top && st == TP_OK; q++) {
                yaml_node_t *ak = yaml_document_get_node(c->doc, q->key);
                yaml_node_t *av = yaml_document_get_node(c->doc, q->value);
                if (s->n_axes == SWEEP_MAX_AXES)
                    return s_fail(c, ak, "axes: more than %d axes", SWEEP_MAX_AXES);
                const char *an = scalar(ak);
                for (size_t j = 0; an && j < s->n_axes; j++)
                    if (!strcmp(s->axes[j].name, an))
                        return s_fail(c, ak, "axis '%s' given twice (first at %d:%d)", an, s->axes[j].line,
                                      s->axes[j].col);
                st = parse_axis(c, ak, av, &s->axes[s->n_axes]);
                s->n_axes++;   /* counted even on failure: sweep_free frees its values */
                /* dataflow and tpu.array.dataflow are one key */
                const sweep_axis *na = &s->axes[s->n_axes - 1];
                for (size_t j = 0; st == TP_OK && na->key[0] && j + 1 < s->n_axes; j++)
                    if (!strcmp(s->axes[j].key, na->key))
                        st = s_fail(c, ak, "axis '%s' sets the key %s, which axis '%s' (%d:%d) already sets", na->name,
                                    na->key, s->axes[j].name, s->axes[j].line, s->axes[j].col);
            }
        }
        if (st != TP_OK)
            return st;
    }
    if (!seen[1] && !seen[2])
        return s_fail(c, root, "a sweep needs gemms: [[M, N, K], ...] or workload: FILE");
    if (seen[1] && seen[2])
        return s_fail(c, seen[2], "workload: give gemms: or workload:, not both (gemms at %d:%d)", nline(seen[1]),
                      ncol(seen[1]));
    const sweep_axis *tile = sweep_find_axis(s, SWEEP_AXIS_TILE);
    if (tile && s->workload)
        return tp_err_at(c->err, TP_ERR_PARSE, c->file, tile->line, tile->col,
                         "tile: applies to gemms only (a workload's layers take their tile: from the workload file)");
    uint64_t n = s->n_gemms ? s->n_gemms : 1;
    for (size_t i = 0; i < s->n_axes; i++) {
        n *= s->axes[i].n_values;
        if (n > SWEEP_MAX_POINTS)
            return tp_err_at(c->err, TP_ERR_PARSE, c->file, s->axes[i].line, s->axes[i].col,
                             "%s: the sweep would have more than %u points", s->axes[i].name, SWEEP_MAX_POINTS);
    }
    s->n_points = n;
    return TP_OK;
}

/* yaml_load_one's walk: the root of the sweep file's one document */
typedef struct {
    sweep_spec *s;
    const char *name;   /* the file, in messages */
} s_walk_ctx;

static tp_status s_walk(void *ctx, yaml_document_t *doc, const yaml_node_t *root, tp_err *err)
{
    s_walk_ctx *x = ctx;
    scx c = {doc, x->name, err};
    return parse_root(&c, root, x->s);
}

tp_status sweep_parse(const char *name, const char *text, size_t len, sweep_spec *s, tp_err *err)
{
    memset(s, 0, sizeof *s);
    snprintf(s->source, sizeof s->source, "%s", name);
    sha256_hex(text, len, s->sha256);
    s_walk_ctx x = {s, name};
    tp_status st = yaml_load_one(name, "a sweep file", text, len, s_walk, &x, err);
    if (st != TP_OK) {
        char src[sizeof s->source];
        memcpy(src, s->source, sizeof src);
        sweep_free(s);
        memcpy(s->source, src, sizeof src);
    }
    return st;
}

tp_status sweep_load(const char *path, sweep_spec *s, tp_err *err)
{
    char *text = NULL;
    size_t len = 0;
    memset(s, 0, sizeof *s);
    tp_status st = read_text_file(path, "sweep file", SWEEP_MAX_FILE_BYTES, &text, &len, err);
    if (st != TP_OK)
        return st;
    st = sweep_parse(path, text, len, s, err);
    free(text);
    return st;
}

void sweep_free(sweep_spec *s)
{
    free(s->base);
    free(s->workload);
    free(s->gemms);
    for (size_t i = 0; i < s->n_axes; i++) {
        for (size_t j = 0; j < s->axes[i].n_values; j++)
            free(s->axes[i].values[j].text);
        free(s->axes[i].values);
    }
    memset(s, 0, sizeof *s);
}

const sweep_axis *sweep_find_axis(const sweep_spec *s, sweep_axis_kind kind)
{
    for (size_t i = 0; i < s->n_axes; i++)
        if (s->axes[i].kind == kind)
            return &s->axes[i];
    return NULL;
}

void sweep_point(const sweep_spec *s, uint64_t p, size_t *gemm, size_t idx[SWEEP_MAX_AXES])
{
    for (size_t i = s->n_axes; i-- > 0;) {
        idx[i] = (size_t)(p % s->axes[i].n_values);
        p /= s->axes[i].n_values;
    }
    *gemm = (size_t)p;
}

int sweep_point_sets(const sweep_spec *s, const size_t idx[SWEEP_MAX_AXES], const char *prefix, char (*sets)[160])
{
    int n = 0;
    for (size_t i = 0; i < s->n_axes; i++) {
        const sweep_axis *a = &s->axes[i];
        if (!a->key[0] || strncmp(a->key, prefix, strlen(prefix)))
            continue;
        snprintf(sets[n++], 160, "%s=%s", a->key, a->values[idx[i]].text);
    }
    return n;
}

tp_status sweep_check_keys(const sweep_spec *s, const char *cfg_name, const char *yaml, const char *prefix, tp_err *err)
{
    tp_config *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory for a config");
    tp_status st = TP_OK;
    for (size_t i = 0; i < s->n_axes && st == TP_OK; i++) {
        const sweep_axis *a = &s->axes[i];
        if (!a->key[0] || strncmp(a->key, prefix, strlen(prefix)))
            continue;
        for (size_t j = 0; j < a->n_values && st == TP_OK; j++) {
            char set[160];
            snprintf(set, sizeof set, "%s=%s", a->key, a->values[j].text);
            const char *sets[1] = {set};
            tp_err e = {0};
            if (cfg_load_string(cfg_name, yaml, sets, 1, cfg, &e) == TP_OK)
                continue;
            /* the loader names the flag ("--set PATH=VALUE: why"); here the value's position does */
            const char *why = e.msg;
            char lead[200];
            snprintf(lead, sizeof lead, "--set %s: ", set);
            if (!strncmp(why, lead, strlen(lead)))
                why += strlen(lead);
            st = tp_err_at(err, e.code == TP_ERR_NOMEM ? TP_ERR_NOMEM : TP_ERR_CONFIG, s->source, a->values[j].line,
                           a->values[j].col, "%s: %s: %s", a->name, a->values[j].text, why);
        }
    }
    free(cfg);
    return st;
}

int sweep_parse_shard(const char *text, uint32_t *i, uint32_t *n)
{
    const char *slash = text ? strchr(text, '/') : NULL;
    char a[16];
    if (!slash || (size_t)(slash - text) >= sizeof a)
        return -1;
    memcpy(a, text, (size_t)(slash - text));
    a[slash - text] = 0;
    uint32_t x, y;
    if (parse_u32(a, 1, 1000000, &x) || parse_u32(slash + 1, 1, 1000000, &y) || x > y)
        return -1;
    *i = x;
    *n = y;
    return 0;
}

uint64_t sweep_shard_points(uint64_t total, uint32_t i, uint32_t n)
{
    if (n == 0)
        return total;
    /* points p = i-1, i-1+n, ... below total */
    return total > (uint64_t)(i - 1) ? (total - (i - 1) + n - 1) / n : 0;
}

/* ---- CSV ------------------------------------------------------------------------------------ */

size_t sweep_meta_format(const sweep_meta *m, char *buf, size_t cap)
{
    int n = snprintf(buf, cap,
                     "# format: tpusim-sweep-csv %d\n# sweep_sha256: %s\n# inputs_sha256: %s\n# tpusim_version: %s\n"
                     "# tpusim_commit: %s\n# points: %" PRIu64 "\n",
                     m->format, m->sweep_sha256, m->inputs_sha256, m->version, m->commit, m->points);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    if (m->shard_n) {
        int k = snprintf(buf + n, cap - (size_t)n, "# shard: %u/%u\n", m->shard_i, m->shard_n);
        if (k < 0 || (size_t)k >= cap - (size_t)n)
            return 0;
        n += k;
    }
    return (size_t)n;
}

int sweep_csv_append(char *buf, size_t cap, size_t *len, const char *field)
{
    size_t n = *len;
    bool quote = strpbrk(field, ",\"\r\n") != NULL;
    size_t need = (n > 0) + strlen(field) + (quote ? 2 : 0);
    for (const char *q = field; quote && *q; q++)
        need += *q == '"';
    if (n + need + 1 > cap)
        return -1;
    if (n > 0)
        buf[n++] = ',';
    if (quote)
        buf[n++] = '"';
    for (const char *q = field; *q; q++) {
        if (*q == '"')
            buf[n++] = '"';
        buf[n++] = *q;
    }
    if (quote)
        buf[n++] = '"';
    buf[n] = 0;
    *len = n;
    return 0;
}

int sweep_csv_split(const char *row, size_t len, char *out, size_t cap, char **f, int max)
{
    size_t i = 0, o = 0;
    int nf = 0;
    for (;;) {
        if (nf == max || o >= cap)
            return -1;
        f[nf++] = out + o;
        if (i < len && row[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return -1;   /* unterminated */
                if (row[i] == '"') {
                    if (i + 1 < len && row[i + 1] == '"') {
                        if (o + 1 >= cap)
                            return -1;
                        out[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (o + 1 >= cap)
                    return -1;
                out[o++] = row[i++];
            }
            if (i < len && row[i] != ',')
                return -1;   /* text after the closing quote */
        } else {
            while (i < len && row[i] != ',') {
                if (row[i] == '"' || o + 1 >= cap)
                    return -1;
                out[o++] = row[i++];
            }
        }
        out[o++] = 0;
        if (i >= len)
            return nf;
        i++;   /* the comma */
    }
}

static const char *const meta_keys[] = {"format", "sweep_sha256", "inputs_sha256", "tpusim_version",
                                        "tpusim_commit", "points", "shard"};
#define N_META (sizeof meta_keys / sizeof meta_keys[0])

static bool is_hex64(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 64;
}

/* One "# KEY: VALUE" line into m; seen[] marks the keys given. */
static tp_status meta_line(const char *name, int line, const char *t, size_t n, sweep_meta *m, bool seen[N_META],
                           tp_err *err)
{
    char buf[200];
    if (n < 2 || n >= sizeof buf || t[1] != ' ')
        return tp_err_at(err, TP_ERR_PARSE, name, line, 1, "not a sweep CSV header line (expected '# KEY: VALUE')");
    memcpy(buf, t + 2, n - 2);
    buf[n - 2] = 0;
    char *colon = strstr(buf, ": ");
    if (!colon)
        return tp_err_at(err, TP_ERR_PARSE, name, line, 1, "not a sweep CSV header line (expected '# KEY: VALUE')");
    *colon = 0;
    const char *v = colon + 2;
    int k = text_lookup(buf, meta_keys, N_META);
    if (k < 0)
        return tp_err_at(err, TP_ERR_PARSE, name, line, 3, "unknown sweep CSV header key '%s'", buf);
    if (seen[k])
        return tp_err_at(err, TP_ERR_PARSE, name, line, 3, "header key '%s' given twice", buf);
    seen[k] = true;
    bool ok = true;
    uint32_t u;
    switch (k) {
    case 0:
        ok = !strncmp(v, "tpusim-sweep-csv ", 17) && parse_u32(v + 17, 1, 1000, &u) == 0;
        if (ok)
            m->format = (int)u;
        break;
    case 1:
    case 2:
        ok = is_hex64(v);
        if (ok)
            memcpy(k == 1 ? m->sweep_sha256 : m->inputs_sha256, v, 65);
        break;
    case 3:
    case 4:
        ok = *v && strlen(v) < (k == 3 ? sizeof m->version : sizeof m->commit);
        if (ok)
            memcpy(k == 3 ? m->version : m->commit, v, strlen(v) + 1);
        break;
    case 5: {
        char *end;
        errno = 0;
        unsigned long long p = strtoull(v, &end, 10);
        ok = *v >= '0' && *v <= '9' && !*end && !errno && p >= 1 && p <= SWEEP_MAX_POINTS;
        m->points = p;
        break;
    }
    default:
        ok = sweep_parse_shard(v, &m->shard_i, &m->shard_n) == 0;
        break;
    }
    if (!ok)
        return tp_err_at(err, TP_ERR_PARSE, name, line, (int)(v - buf) + 3, "%s: bad value '%s'", buf, v);
    return TP_OK;
}

tp_status sweep_csv_parse(const char *name, const char *text, size_t len, sweep_csv *c, tp_err *err)
{
    memset(c, 0, sizeof *c);
    bool seen[N_META] = {false};
    size_t off = 0;
    int line = 0;
    tp_status st = TP_OK;
    size_t cap_rows = 0;
    char *fields = NULL;
    char **fp = NULL;
    uint8_t *have = NULL;
    while (off < len && st == TP_OK) {
        const char *nl = memchr(text + off, '\n', len - off);
        line++;
        if (!nl) {
            c->torn = true;
            break;
        }
        size_t n = (size_t)(nl - (text + off));
        const char *t = text + off;
        if (!c->columns && t[0] == '#') {
            st = meta_line(name, line, t, n, &c->meta, seen, err);
        } else if (!c->columns) {
            for (size_t k = 0; k + 1 < N_META && st == TP_OK; k++)   /* every key but shard */
                if (!seen[k])
                    st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "the sweep CSV header lacks '# %s: ...'",
                                   meta_keys[k]);
            if (st != TP_OK)
                break;
            c->has_meta = true;
            if (c->meta.format != SWEEP_FORMAT) {
                st = tp_err_at(err, TP_ERR_PARSE, name, 1, 1, "sweep CSV format %d, this tpusim reads format %d",
                               c->meta.format, SWEEP_FORMAT);
                break;
            }
            if (!(c->columns = malloc(n + 1))) {
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory");
                break;
            }
            memcpy(c->columns, t, n);
            c->columns[n] = 0;
            c->n_columns = 1;
            for (size_t i = 0; i < n; i++)
                c->n_columns += t[i] == ',';
            if (strncmp(c->columns, "point,", 6)) {
                st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "the column header must start with 'point,'");
                break;
            }
            c->header_bytes = off + n + 1;
            fields = malloc(n + 4096 + len / 1024);
            fp = malloc(c->n_columns * sizeof *fp + 1);
            have = calloc((size_t)c->meta.points, 1);
            if (!fields || !fp || !have)
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory reading %s", name);
        } else {
            /* a row: point index first, the column count of the header */
            size_t cap = n + 1;
            char *row = malloc(cap);
            char **f = malloc((c->n_columns + 1) * sizeof *f);
            int nf = row && f ? sweep_csv_split(t, n, row, cap, f, (int)c->n_columns + 1) : -2;
            if (nf == -2)
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory");
            else if (nf != (int)c->n_columns)
                st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "row has %d fields, the header %zu", nf < 0 ? 0 : nf,
                               c->n_columns);
            uint64_t p = 0;
            if (st == TP_OK) {
                char *end;
                errno = 0;
                p = strtoull(f[0], &end, 10);
                if (f[0][0] < '0' || f[0][0] > '9' || *end || errno || p >= c->meta.points)
                    st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "point '%s' is not a point of this sweep (0 .. %" PRIu64 ")",
                                   f[0], c->meta.points - 1);
                else if (have[p])
                    st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "point %" PRIu64 " given twice", p);
                else if (c->meta.shard_n && !sweep_in_shard(p, c->meta.shard_i, c->meta.shard_n))
                    st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "point %" PRIu64 " is not in shard %u/%u", p,
                                   c->meta.shard_i, c->meta.shard_n);
            }
            free(row);
            free(f);
            if (st == TP_OK && c->n_rows == cap_rows) {
                size_t nc = cap_rows ? 2 * cap_rows : 256;
                uint64_t *np = realloc(c->point, nc * sizeof *np);
                if (np)
                    c->point = np;
                size_t *no = np ? realloc(c->row_off, nc * sizeof *no) : NULL;
                if (no)
                    c->row_off = no;
                size_t *nl2 = no ? realloc(c->row_len, nc * sizeof *nl2) : NULL;
                if (nl2)
                    c->row_len = nl2;
                if (!nl2)
                    st = tp_err_set(err, TP_ERR_NOMEM, "out of memory");
                else
                    cap_rows = nc;
            }
            if (st == TP_OK) {
                have[p] = 1;
                c->point[c->n_rows] = p;
                c->row_off[c->n_rows] = off;
                c->row_len[c->n_rows] = n;
                c->n_rows++;
            }
        }
        off += n + 1;
        if (st == TP_OK)
            c->good_bytes = off;
    }
    if (st == TP_OK && !c->columns && len > 0 && !c->torn) {
        /* only comment lines: a header without its column line is not a file we wrote */
        st = tp_err_at(err, TP_ERR_PARSE, name, line, 1, "the sweep CSV header has no column line");
    }
    free(fields);
    free(fp);
    free(have);
    if (st != TP_OK)
        sweep_csv_free(c);
    return st;
}

void sweep_csv_free(sweep_csv *c)
{
    free(c->columns);
    free(c->point);
    free(c->row_off);
    free(c->row_len);
    memset(c, 0, sizeof *c);
}

bool sweep_meta_same_run(const sweep_meta *a, const sweep_meta *b)
{
    return a->format == b->format && !strcmp(a->sweep_sha256, b->sweep_sha256) &&
           !strcmp(a->inputs_sha256, b->inputs_sha256) && !strcmp(a->version, b->version) &&
           !strcmp(a->commit, b->commit) && a->points == b->points;
}
