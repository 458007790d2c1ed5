/* The config loader: YAML text + --set overrides -> a validated tp_config.
 *
 * DESIGN
 * 1. Read. libyaml's document loader builds a node tree; every node carries its 0-based start
 *    mark, printed 1-based as file:line:col. A syntax error prints libyaml's problem mark.
 * 2. Collect. The tree is walked once. Every mapping key is joined to its parent's dotted path
 *    and looked up in the key table (keys.c): a leaf's value is copied, as text with its
 *    position, into `raw[key]`; a section recurses; anything else is an unknown key, reported
 *    with the closest known key ("did you mean"). libyaml accepts duplicate keys, so the walk
 *    checks them itself (within a mapping, and per full path so that `tpu.ub.size` cannot be
 *    given twice in two spellings). Nothing is converted yet.
 * 3. Override. Each --set PATH=VALUE parses VALUE with libyaml (so it is read exactly like a
 *    scalar in a file) and replaces raw[PATH]; its position is the flag itself.
 * 4. Resolve. Sections (tpu, tpu.weight_mem, gpu.mma.bf16, ...) are present if written (or, for
 *    tpu.dram and gpu.dram, if their parent is). For every key of a present section the raw
 *    text, else the table's default (parsed by the same code), is converted and range-checked;
 *    a missing required key is reported at the innermost section that was written. Times are
 *    converted to cycles last, once the clocks are known.
 * 5. Check. The rules between keys (check.c) come after that: acc entries vs size, bandwidth
 *    vs bytes per cycle, placement names a defined memory, total PEs and on-chip bytes within
 *    what tpusim can simulate. The loader's state they need to position errors is in load.h.
 * Every error stops the load with one line: "file:line:col: key.path: message", or
 * "--set PATH=VALUE: message" when the flag is at fault.
 */
#include "config/config.h"
#include "base/yaml_depth.h"
#include "base/readfile.h"
#include "base/text.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "base/units.h"
#include "config/keys.h"
#include "config/load.h"

#define MAX_FILE_BYTES (4u << 20)

/* ---- errors ----------------------------------------------------------------------------- */

static size_t flag_path_len(const char *flag)
{
    const char *eq = strchr(flag, '=');
    return eq ? (size_t)(eq - flag) : strlen(flag);
}

static tp_status failv(cfg_ctx *x, tp_status code, const cfg_loc *l, const char *path, const char *fmt,
                       va_list ap)
{
    char body[360];
    vsnprintf(body, sizeof body, fmt, ap);
    if (l->flag) {
        /* the flag already names its own key; name another key only when it is at fault */
        if (path && (strlen(path) != flag_path_len(l->flag) || strncmp(path, l->flag, strlen(path))))
            return tp_err_set(x->err, code, "--set %s: %s: %s", l->flag, path, body);
        return tp_err_set(x->err, code, "--set %s: %s", l->flag, body);
    }
    if (path)
        return tp_err_at(x->err, code, l->file, l->line, l->col, "%s: %s", path, body);
    return tp_err_at(x->err, code, l->file, l->line, l->col, "%s", body);
}

tp_status cfg_fail(cfg_ctx *x, tp_status code, const cfg_loc *l, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tp_status st = failv(x, code, l, path, fmt, ap);
    va_end(ap);
    return st;
}

static cfg_loc mark_loc(const cfg_ctx *x, yaml_mark_t m)
{
    cfg_loc l = {x->name, (int)m.line + 1, (int)m.column + 1, NULL};
    return l;
}

/* ---- key lookup and suggestions ------------------------------------------------------------ */

/* A section name: some key lives below it. */
static bool is_namespace(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < cfg_n_keys; i++)
        if (!strncmp(cfg_keys[i].path, path, n) && cfg_keys[i].path[n] == '.')
            return true;
    return false;
}

/* The component of key path k right below `parent` ("" = root) into out; 0 if k is not below. */
static int child_of(const char *k, const char *parent, char *out, size_t cap)
{
    size_t n = strlen(parent);
    const char *c;
    size_t len;
    if (n) {
        if (strncmp(k, parent, n) || k[n] != '.')
            return 0;
        c = k + n + 1;
    } else {
        c = k;
    }
    len = strcspn(c, ".");
    if (len >= cap)
        return 0;
    memcpy(out, c, len);
    out[len] = 0;
    return 1;
}

/* Builds "unknown key 'P' (did you mean 'Q'?)" or "... (known keys in S: a, b, c)". The
 * suggestion is the sibling with the smallest edit distance if it is close (at most 2 edits and
 * at most half the name), else a key of the same name elsewhere in the section (tpu.rows ->
 * tpu.array.rows). */
static void unknown_key_msg(const char *path, char *msg, size_t cap)
{
    char parent[256], child[64], best[330] = "", list[240] = "";
    char seen[64][32];
    int n_seen = 0, best_d = 99;
    size_t ln = 0, top;
    const char *last = strrchr(path, '.');
    if (last) {
        snprintf(parent, sizeof parent, "%.*s", (int)(last - path), path);
        last++;
    } else {
        parent[0] = 0;
        last = path;
    }
    for (size_t i = 0; i < cfg_n_keys; i++) {
        bool dup = false;
        if (!child_of(cfg_keys[i].path, parent, child, sizeof child))
            continue;
        for (int j = 0; j < n_seen && !dup; j++)
            dup = !strcmp(seen[j], child);
        if (dup || n_seen >= 64)
            continue;
        snprintf(seen[n_seen++], sizeof seen[0], "%.31s", child);
        int d = text_edit_distance(last, child, false);
        if (d < best_d) {
            best_d = d;
            snprintf(best, sizeof best, "%s%s%s", parent, parent[0] ? "." : "", child);
        }
        if (ln + strlen(child) + 8 < sizeof list)
            ln += (size_t)snprintf(list + ln, sizeof list - ln, "%s%s", ln ? ", " : "", child);
    }
    if (best_d <= 2 && best_d * 2 <= (int)strlen(last)) {
        snprintf(msg, cap, "unknown key '%s' (did you mean '%s'?)", path, best);
        return;
    }
    top = strcspn(path, ".");
    for (size_t i = 0; top < strlen(path) && i < cfg_n_keys; i++) {
        const char *k = cfg_keys[i].path;
        if (strncmp(k, path, top) || k[top] != '.')
            continue;
        for (const char *c = k + top + 1; c; c = strchr(c, '.') ? strchr(c, '.') + 1 : NULL) {
            size_t len = strcspn(c, ".");
            if (len == strlen(last) && !strncmp(c, last, len)) {
                snprintf(msg, cap, "unknown key '%s' (did you mean '%.*s'?)", path, (int)(c - k) + (int)len, k);
                return;
            }
        }
    }
    if (n_seen)
        snprintf(msg, cap, "unknown key '%s' (known keys%s%s: %s)", path, parent[0] ? " in " : " here",
                 parent, list);
    else
        snprintf(msg, cap, "unknown key '%s'", path);
}

/* ---- collecting raw values ---------------------------------------------------------------- */

static void mark_blocks(cfg_ctx *x, const char *path, const cfg_loc *l)
{
    for (size_t b = 0; b < cfg_n_blocks; b++)
        if (cfg_path_has_prefix(path, cfg_blocks[b].prefix)) {
            if (!x->explicit_blk[b])
                x->blk_loc[b] = *l;
            x->explicit_blk[b] = true;
        }
}

static void add_ns(cfg_ctx *x, const char *path, const cfg_loc *l)
{
    for (int i = 0; i < x->n_ns; i++)
        if (!strcmp(x->ns[i].path, path))
            return;
    if (x->n_ns < CFG_MAX_NS) {
        snprintf(x->ns[x->n_ns].path, CFG_MAX_PATH, "%.95s", path);
        x->ns[x->n_ns].loc = *l;
        x->n_ns++;
    }
}

static bool is_null_scalar(const yaml_node_t *v)
{
    const char *s;
    if (v->type != YAML_SCALAR_NODE || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    s = (const char *)v->data.scalar.value;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* What a value of type t looks like, for "expected ..." messages, into buf (use EXPECT(t)). The
 * names of enums and dtypes come from their tables (keys.c). */
static const char *expect_what(cfg_ktype t, char *buf, size_t cap)
{
    char names[96];
    switch (t) {
    case KT_U32:
    case KT_U64: return "a whole number";
    case KT_BOOL: return "true or false";
    case KT_SIZE: return "a size such as 24MiB";
    case KT_BW: return "a bandwidth such as 900GB/s";
    case KT_FREQ: return "a frequency such as 940MHz";
    case KT_TIME32:
    case KT_TIME64: return "a number of cycles or a time such as 100ns";
    case KT_DURATION: return "a time with a unit such as 3us";
    case KT_DATAFLOW:
    case KT_TIMING:
    case KT_MEMID:
    case KT_WSCHED:
        snprintf(buf, cap, "one of %s", cfg_ktype_values(t, ", ", names, sizeof names));
        return buf;
    case KT_DTYPES:
        snprintf(buf, cap, "a list of dtypes such as [%s]", cfg_ktype_values(t, ", ", names, sizeof names));
        return buf;
    case KT_PJ: return "a non-negative number";
    case KT_STR: return "text";
    default: return "a value";
    }
}
/* The buffer lives until the end of the enclosing block (a compound literal). */
#define EXPECT(t) expect_what((t), (char[128]){0}, 128)

/* Stores the value node v of key idx into raw. With val_loc_override (a --set, positioned at the
 * flag) it replaces an earlier value; from a file a second value for the same path is an error. */
static tp_status store_leaf(cfg_ctx *x, int idx, yaml_document_t *doc, yaml_node_t *v, const cfg_loc *key_loc,
                            const cfg_loc *val_loc_override)
{
    const cfg_key *k = &cfg_keys[idx];
    cfg_raw *r = &x->raw[idx];
    cfg_loc vl = val_loc_override ? *val_loc_override : mark_loc(x, v->start_mark);
    if (r->set && !val_loc_override)
        return cfg_fail(x, TP_ERR_CONFIG, key_loc, NULL, "duplicate key '%s' (first given at line %d, column %d)",
                        k->path, r->key_loc.line, r->key_loc.col);
    memset(r, 0, sizeof *r);
    r->set = true;
    r->loc = vl;
    r->key_loc = *key_loc;
    if (val_loc_override)
        r->set_seq = ++x->n_sets_applied;
    if (v->type == YAML_MAPPING_NODE)
        return cfg_fail(x, TP_ERR_CONFIG, &vl, k->path, "expected %s, got a mapping", EXPECT(k->type));
    if (v->type == YAML_SEQUENCE_NODE) {
        if (k->type != KT_DTYPES)
            return cfg_fail(x, TP_ERR_CONFIG, &vl, k->path, "expected %s, got a list", EXPECT(k->type));
        r->is_seq = true;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(doc, *it);
            cfg_loc el = val_loc_override ? *val_loc_override : mark_loc(x, e->start_mark);
            if (e->type != YAML_SCALAR_NODE)
                return cfg_fail(x, TP_ERR_CONFIG, &el, k->path, "list items must be dtype names such as int8");
            if (r->n_items >= CFG_MAX_ITEMS)
                return cfg_fail(x, TP_ERR_CONFIG, &el, k->path, "too many items (at most %d)", CFG_MAX_ITEMS);
            if (strlen((const char *)e->data.scalar.value) >= sizeof r->items[0])
                return cfg_fail(x, TP_ERR_CONFIG, &el, k->path, "item too long");
            snprintf(r->items[r->n_items], sizeof r->items[0], "%s", (const char *)e->data.scalar.value);
            r->item_loc[r->n_items++] = el;
        }
        return TP_OK;
    }
    if (is_null_scalar(v))
        return cfg_fail(x, TP_ERR_CONFIG, &vl, k->path, "missing value: expected %s", EXPECT(k->type));
    if (v->data.scalar.length >= sizeof r->text || strlen((const char *)v->data.scalar.value) != v->data.scalar.length)
        return cfg_fail(x, TP_ERR_CONFIG, &vl, k->path, "value too long or contains a NUL byte");
    memcpy(r->text, v->data.scalar.value, v->data.scalar.length);
    r->text[v->data.scalar.length] = 0;
    r->quoted = v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (k->type == KT_DTYPES) {
        /* a single name is a one-item list */
        snprintf(r->items[0], sizeof r->items[0], "%.31s", r->text);
        r->item_loc[0] = vl;
        r->n_items = 1;
    }
    return TP_OK;
}

static tp_status walk_mapping(cfg_ctx *x, yaml_document_t *doc, yaml_node_t *m, const char *prefix, int depth)
{
    tp_status st;
    if (depth > 8)
        return cfg_fail(x, TP_ERR_CONFIG, &(cfg_loc){x->name, (int)m->start_mark.line + 1, (int)m->start_mark.column + 1, NULL},
                        prefix, "nested too deeply");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        cfg_loc kl = mark_loc(x, k->start_mark);
        const char *key;
        char path[256];
        int idx;
        if (k->type != YAML_SCALAR_NODE || !k->data.scalar.length)
            return cfg_fail(x, TP_ERR_CONFIG, &kl, prefix[0] ? prefix : NULL, "keys must be plain names");
        key = (const char *)k->data.scalar.value;
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = yaml_document_get_node(doc, q->key);
            if (k2->type == YAML_SCALAR_NODE && !strcmp((const char *)k2->data.scalar.value, key))
                return cfg_fail(x, TP_ERR_CONFIG, &kl, NULL, "duplicate key '%s%s%s' (first given at line %d, column %d)",
                                prefix, prefix[0] ? "." : "", key, (int)k2->start_mark.line + 1,
                                (int)k2->start_mark.column + 1);
        }
        if (strlen(prefix) + strlen(key) + 2 > CFG_MAX_PATH) {
            char msg[400];
            snprintf(path, sizeof path, "%s%s%.60s", prefix, prefix[0] ? "." : "", key);
            unknown_key_msg(path, msg, sizeof msg);
            return cfg_fail(x, TP_ERR_CONFIG, &kl, NULL, "%s", msg);
        }
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
        idx = cfg_key_find(path);
        bool ns = is_namespace(path);
        /* `gpu` is a key and a section: a value is the key (gpu: analogous), a mapping the section */
        if (idx >= 0 && (!ns || (v->type == YAML_SCALAR_NODE && !is_null_scalar(v)))) {
            if (!ns)   /* a section's own key does not make the section present */
                mark_blocks(x, path, &kl);
            if ((st = store_leaf(x, idx, doc, v, &kl, NULL)) != TP_OK)
                return st;
        } else if (ns) {
            mark_blocks(x, path, &kl);
            add_ns(x, path, &kl);
            if (v->type == YAML_MAPPING_NODE) {
                if ((st = walk_mapping(x, doc, v, path, depth + 1)) != TP_OK)
                    return st;
            } else if (!is_null_scalar(v)) {
                char msg[400], c0[64] = "";
                for (size_t i = 0; i < cfg_n_keys && !c0[0]; i++)
                    child_of(cfg_keys[i].path, path, c0, sizeof c0);
                cfg_loc vl = mark_loc(x, v->start_mark);
                snprintf(msg, sizeof msg, "expected a mapping of keys (such as '%s:'), got %s", c0,
                         v->type == YAML_SEQUENCE_NODE ? "a list" : "a single value");
                return cfg_fail(x, TP_ERR_CONFIG, &vl, path, "%s", msg);
            }
        } else {
            char msg[400];
            unknown_key_msg(path, msg, sizeof msg);
            return cfg_fail(x, TP_ERR_CONFIG, &kl, NULL, "%s", msg);
        }
    }
    return TP_OK;
}

static tp_status yaml_fail(cfg_ctx *x, yaml_parser_t *ps, const char *text, size_t len, const cfg_loc *flag_loc)
{
    char msg[300];
    int line, col;
    snprintf(msg, sizeof msg, "YAML syntax error: %s%s%s%s", ps->problem ? ps->problem : "malformed YAML",
             ps->context ? " (" : "", ps->context ? ps->context : "", ps->context ? ")" : "");
    if (flag_loc)
        return cfg_fail(x, TP_ERR_PARSE, flag_loc, NULL, "%s", msg);
    if (ps->error == YAML_READER_ERROR) {
        text_line_col(text, len, ps->problem_offset, &line, &col);
    } else {
        line = (int)ps->problem_mark.line + 1;
        col = (int)ps->problem_mark.column + 1;
    }
    cfg_loc l = {x->name, line, col, NULL};
    return cfg_fail(x, TP_ERR_PARSE, &l, NULL, "%s", msg);
}

static tp_status collect_file(cfg_ctx *x, const char *yaml)
{
    yaml_parser_t ps;
    yaml_document_t doc, doc2;
    yaml_node_t *root;
    tp_status st = TP_OK;
    size_t len = strlen(yaml);
    x->root = (cfg_loc){x->name, 1, 1, NULL};
    if ((st = yaml_check_depth(x->name, NULL, yaml, len, YAML_MAX_DEPTH, x->err)) != TP_OK)
        return st;
    if (!yaml_parser_initialize(&ps))
        return tp_err_set(x->err, TP_ERR_NOMEM, "%s: out of memory for the YAML parser", x->name);
    yaml_parser_set_input_string(&ps, (const unsigned char *)yaml, len);
    if (!yaml_parser_load(&ps, &doc)) {
        st = yaml_fail(x, &ps, yaml, len, NULL);
        yaml_parser_delete(&ps);
        return st;
    }
    root = yaml_document_get_root_node(&doc);
    if (!root) {
        st = cfg_fail(x, TP_ERR_CONFIG, &x->root, NULL, "empty config: expected a tpu: or gpu: section");
    } else if (root->type != YAML_MAPPING_NODE) {
        cfg_loc l = mark_loc(x, root->start_mark);
        st = cfg_fail(x, TP_ERR_CONFIG, &l, NULL, "expected a mapping with a tpu: or gpu: section, got %s",
                      root->type == YAML_SEQUENCE_NODE ? "a list" : "a single value");
    } else {
        x->root = mark_loc(x, root->start_mark);
        st = walk_mapping(x, &doc, root, "", 0);
    }
    yaml_document_delete(&doc);
    if (st == TP_OK) {
        /* exactly one document */
        if (!yaml_parser_load(&ps, &doc2)) {
            st = yaml_fail(x, &ps, yaml, len, NULL);
        } else {
            yaml_node_t *r2 = yaml_document_get_root_node(&doc2);
            if (r2) {
                cfg_loc l = mark_loc(x, r2->start_mark);
                st = cfg_fail(x, TP_ERR_CONFIG, &l, NULL, "a config holds one YAML document; found a second one");
            }
            yaml_document_delete(&doc2);
        }
    }
    yaml_parser_delete(&ps);
    return st;
}

static tp_status apply_set(cfg_ctx *x, const char *set)
{
    const char *eq = strchr(set, '=');
    char path[CFG_MAX_PATH];
    cfg_loc l = {x->name, 0, 0, set};
    yaml_parser_t ps;
    yaml_document_t doc;
    yaml_node_t *root;
    tp_status st;
    int idx;
    if (!eq || eq == set)
        return cfg_fail(x, TP_ERR_USAGE, &l, NULL, "expected PATH=VALUE, e.g. --set tpu.array.rows=64");
    if ((size_t)(eq - set) >= sizeof path) {
        char msg[400];
        snprintf(path, sizeof path, "%.*s", 60, set);
        unknown_key_msg(path, msg, sizeof msg);
        return cfg_fail(x, TP_ERR_USAGE, &l, NULL, "%s", msg);
    }
    snprintf(path, sizeof path, "%.*s", (int)(eq - set), set);
    idx = cfg_key_find(path);
    if (idx < 0) {
        char msg[400];
        if (is_namespace(path)) {
            char c0[64] = "";
            for (size_t i = 0; i < cfg_n_keys && !c0[0]; i++)
                child_of(cfg_keys[i].path, path, c0, sizeof c0);
            return cfg_fail(x, TP_ERR_USAGE, &l, NULL, "'%s' is a section, not a key: set one of its keys, e.g. '%s.%s'",
                            path, path, c0);
        }
        unknown_key_msg(path, msg, sizeof msg);
        return cfg_fail(x, TP_ERR_USAGE, &l, NULL, "%s", msg);
    }
    if ((st = yaml_check_depth(x->name, set, eq + 1, strlen(eq + 1), YAML_MAX_DEPTH, x->err)) != TP_OK)
        return st;
    if (!yaml_parser_initialize(&ps))
        return tp_err_set(x->err, TP_ERR_NOMEM, "--set %s: out of memory for the YAML parser", set);
    yaml_parser_set_input_string(&ps, (const unsigned char *)(eq + 1), strlen(eq + 1));
    if (!yaml_parser_load(&ps, &doc)) {
        st = yaml_fail(x, &ps, eq + 1, strlen(eq + 1), &l);
        yaml_parser_delete(&ps);
        return st;
    }
    root = yaml_document_get_root_node(&doc);
    if (!root) {
        st = cfg_fail(x, TP_ERR_CONFIG, &l, NULL, "missing value: expected %s", EXPECT(cfg_keys[idx].type));
    } else {
        /* a --set of one of two alternative keys replaces the other one written in the file */
        int ia = cfg_key_alt(idx);
        if (ia >= 0 && x->raw[ia].set && !x->raw[ia].loc.flag)
            memset(&x->raw[ia], 0, sizeof x->raw[ia]);
        if (!is_namespace(path))   /* --set gpu=analogous does not make a gpu: section */
            mark_blocks(x, path, &l);
        st = store_leaf(x, idx, &doc, root, &l, &l);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&ps);
    return st;
}

/* ---- resolving ------------------------------------------------------------------------------ */

static void set_u(tp_config *c, const cfg_key *k, uint64_t v)
{
    char *p = (char *)c + k->off;
    if (k->type == KT_U32 || k->type == KT_TIME32) {
        uint32_t w = (uint32_t)v;
        memcpy(p, &w, sizeof w);
    } else {
        memcpy(p, &v, sizeof v);
    }
}

/* The innermost written section (or the root) above path: its position into *out, and the length
 * of its path (0 = the root). */
static size_t written_section(const cfg_ctx *x, const char *path, cfg_loc *out)
{
    cfg_loc best = x->root;
    size_t best_len = 0;
    for (int i = 0; i < x->n_ns; i++) {
        size_t n = strlen(x->ns[i].path);
        if (cfg_path_has_prefix(path, x->ns[i].path) && n > best_len) {
            best = x->ns[i].loc;
            best_len = n;
        }
    }
    for (size_t b = 0; b < cfg_n_blocks; b++) {
        size_t n = strlen(cfg_blocks[b].prefix);
        if (x->explicit_blk[b] && cfg_path_has_prefix(path, cfg_blocks[b].prefix) && n > best_len) {
            best = x->blk_loc[b];
            best_len = n;
        }
    }
    *out = best;
    return best_len;
}

cfg_loc cfg_section_loc(const cfg_ctx *x, const char *path)
{
    cfg_loc l;
    written_section(x, path, &l);
    return l;
}

tp_status cfg_fail_missing(cfg_ctx *x, const char *path, const char *hint)
{
    cfg_loc l;
    char why[200] = "";
    size_t n = written_section(x, path, &l);
    const char *rest = path + n + (n ? 1 : 0);   /* below the written section: "acc.entries" */
    size_t sub = strcspn(rest, ".");
    bool absent = n && rest[sub] == '.';         /* the key's own section was not written */
    if (absent)
        snprintf(why, sizeof why, " (%.*s: has no %.*s: section%s%s)", (int)n, path, (int)sub, rest,
                 hint ? "; " : "", hint ? hint : "");
    else if (hint)
        snprintf(why, sizeof why, " (%s)", hint);
    return cfg_fail(x, TP_ERR_CONFIG, &l, path, "required key is missing%s", why);
}

cfg_loc cfg_key_loc(const cfg_ctx *x, int idx)
{
    return x->raw[idx].set ? x->raw[idx].loc : cfg_section_loc(x, cfg_keys[idx].path);
}

static const char *fmt_val(cfg_ktype t, uint64_t v, char *buf, size_t cap)
{
    switch (t) {
    case KT_SIZE: return units_fmt_size(v, buf, cap);
    case KT_BW: return units_fmt_bandwidth(v, buf, cap);
    case KT_FREQ: return units_fmt_freq(v, buf, cap);
    default:
        snprintf(buf, cap, "%llu", (unsigned long long)v);
        return buf;
    }
}

tp_status cfg_check_range(cfg_ctx *x, const cfg_key *k, const cfg_loc *l, uint64_t v, const char *shown)
{
    char a[40], b[40];
    if (v < k->min)
        return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "must be at least %s, got %s", fmt_val(k->type, k->min, a, sizeof a),
                        shown ? shown : fmt_val(k->type, v, b, sizeof b));
    if (v > k->max)
        return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "must be at most %s, got %s", fmt_val(k->type, k->max, a, sizeof a),
                        shown ? shown : fmt_val(k->type, v, b, sizeof b));
    return TP_OK;
}

static bool parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        *out = true;
    else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        *out = false;
    else
        return false;
    return true;
}

/* digits[.digits] -> double; no sign, no exponent, so that a typo is not read as a number */
static bool parse_decimal(const char *s, double *out)
{
    const char *p = s;
    char *end;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    *out = strtod(s, &end);
    return true;
}

/* Converts raw value r of key k into config c (times are only parsed here, see resolve_times). */
static tp_status convert(cfg_ctx *x, const cfg_key *k, cfg_raw *r, tp_config *c)
{
    char *field = (char *)c + k->off;
    const char *why = NULL;
    const cfg_loc *l = &r->loc;
    uint64_t v;
    /* a number, a quantity with a unit (24MiB, 900GB/s, 1GHz, 100ns) or a boolean is written
     * plain: a quoted one is a string in YAML, and likely a mistake (docs/config.md) */
    bool numeric = k->type == KT_U32 || k->type == KT_U64 || k->type == KT_BOOL || k->type == KT_PJ ||
                   k->type == KT_SIZE || k->type == KT_BW || k->type == KT_FREQ || k->type == KT_TIME32 ||
                   k->type == KT_TIME64 || k->type == KT_DURATION;
    if (numeric && r->quoted)
        return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s, got the quoted string '%s'", EXPECT(k->type),
                        r->text);
    switch (k->type) {
    case KT_U32:
    case KT_U64:
        if (units_parse_uint(r->text, &v, &why))
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s, got '%s' (%s)", EXPECT(k->type), r->text, why);
        if (cfg_check_range(x, k, l, v, NULL))
            return TP_ERR_CONFIG;
        set_u(c, k, v);
        return TP_OK;
    case KT_SIZE:
    case KT_BW:
    case KT_FREQ: {
        int rc = k->type == KT_SIZE ? units_parse_size(r->text, &v, &why)
               : k->type == KT_BW   ? units_parse_bandwidth(r->text, &v, &why)
                                    : units_parse_freq(r->text, &v, &why);
        if (rc)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s, got '%s' (%s)", EXPECT(k->type), r->text, why);
        if (cfg_check_range(x, k, l, v, r->text))
            return TP_ERR_CONFIG;
        set_u(c, k, v);
        return TP_OK;
    }
    case KT_TIME32:
    case KT_TIME64:
        if (units_parse_time(r->text, &r->time, &why))
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s, got '%s' (%s)", EXPECT(k->type), r->text, why);
        return TP_OK;
    case KT_DURATION: {   /* exact picoseconds; no clock is involved (a bare 0 is 0 in any unit) */
        char shown[32];
        if (units_parse_time(r->text, &r->time, &why))
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s, got '%s' (%s)", EXPECT(k->type), r->text, why);
        if (r->time.is_cycles && r->time.cycles != 0)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path,
                            "expected %s, got '%s' (a time, not cycles: it is not converted through a clock)",
                            EXPECT(k->type), r->text);
        v = 0;   /* picoseconds, rounded up (a time finer than 1 ps is never written in practice) */
        if (!r->time.is_cycles && units_time_cycles(&r->time, 1000000000000ull, &v, &why))
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "'%s': %s", r->text, why);
        if (v < k->min || v > k->max)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "must be %s %s, got '%s'", v < k->min ? "at least" : "at most",
                            cfg_fmt_duration(v < k->min ? k->min : k->max, shown, sizeof shown), r->text);
        set_u(c, k, v);
        return TP_OK;
    }
    case KT_BOOL: {
        bool b;
        if (!parse_bool(r->text, &b))
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected true or false, got '%s'", r->text);
        *(bool *)field = b;
        return TP_OK;
    }
    case KT_DATAFLOW:
    case KT_TIMING:
    case KT_MEMID:
    case KT_WSCHED: {
        int i = cfg_enum_parse(k->type, r->text);
        if (i < 0)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s, got '%s'", EXPECT(k->type), r->text);
        cfg_key_set_enum(k, c, i);
        return TP_OK;
    }
    case KT_DTYPES: {
        bool *d = (bool *)field;
        memset(d, 0, sizeof(bool) * TP_DTYPE__COUNT);
        if (r->n_items == 0)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "the list is empty: give at least one of int8, bf16");
        for (int i = 0; i < r->n_items; i++) {
            tp_dtype dt;
            if (dtype_parse(r->items[i], &dt))
                return cfg_fail(x, TP_ERR_CONFIG, &r->item_loc[i], k->path, "unknown dtype '%s' (expected int8 or bf16%s)",
                                r->items[i], strchr(r->items[i], ',') ? "; write a list as [int8, bf16]" : "");
            if (d[dt])
                return cfg_fail(x, TP_ERR_CONFIG, &r->item_loc[i], k->path, "'%s' is listed twice", r->items[i]);
            d[dt] = true;
        }
        return TP_OK;
    }
    case KT_PJ: {
        double dv;
        if (!parse_decimal(r->text, &dv))
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "expected %s such as 0.2, got '%s'", EXPECT(k->type), r->text);
        if (dv < (double)k->min || dv > (double)k->max)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "must be between %llu and %llu, got %s",
                            (unsigned long long)k->min, (unsigned long long)k->max, r->text);
        *(double *)field = dv;
        return TP_OK;
    }
    case KT_STR: {
        size_t n = strlen(r->text);
        if (n < k->min || n > k->max)
            return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "must be %llu to %llu characters long",
                            (unsigned long long)k->min, (unsigned long long)k->max);
        for (const char *p = r->text; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return cfg_fail(x, TP_ERR_CONFIG, l, k->path, "contains a control character");
        memcpy(field, r->text, n + 1);
        return TP_OK;
    }
    default:
        return cfg_fail(x, TP_ERR_INTERNAL, l, k->path, "key has no type");
    }
}

static bool block_present(const cfg_ctx *x, const char *path)
{
    int b = cfg_block_of(path);
    /* a key named as its section (`gpu: analogous` in a TPU config) is not inside it */
    return b < 0 || x->present_blk[b] || !strcmp(path, cfg_blocks[b].prefix);
}

/* `gpu: analogous` (config/analogous.h) names the GPU derived from this config's tpu: section:
 * the only value, and only beside a tpu: section. */
static tp_status check_gpu_peer(cfg_ctx *x)
{
    int i = cfg_key_find("gpu");
    if (i < 0 || !x->raw[i].set)
        return TP_OK;
    cfg_loc l = x->raw[i].loc;
    if (strcmp(x->raw[i].text, "analogous"))
        return cfg_fail(x, TP_ERR_CONFIG, &l, "gpu", "expected 'analogous' (the GPU derived from this config's tpu: "
                        "section) or a mapping of GPU keys (such as 'clock:'), got '%s'", x->raw[i].text);
    if (!x->explicit_blk[CFG_BLK_TPU])
        return cfg_fail(x, TP_ERR_CONFIG, &l, "gpu", "'analogous' derives the GPU from this config's tpu: section, "
                        "and it has none");
    return TP_OK;
}

static tp_status resolve_presence(cfg_ctx *x, tp_config *c)
{
    for (size_t b = 0; b < cfg_n_blocks; b++) {
        int parent = -1;
        size_t plen = 0;
        for (size_t q = 0; q < cfg_n_blocks; q++) {
            size_t n = strlen(cfg_blocks[q].prefix);
            if (q != b && n < strlen(cfg_blocks[b].prefix) && cfg_path_has_prefix(cfg_blocks[b].prefix, cfg_blocks[q].prefix) && n > plen) {
                parent = (int)q;
                plen = n;
            }
        }
        /* parents come first in the table, so present_blk[parent] is final */
        bool parent_ok = parent < 0 || x->present_blk[parent];
        x->present_blk[b] = parent_ok && (x->explicit_blk[b] || cfg_blocks[b].automatic);
        *(bool *)((char *)c + cfg_blocks[b].present_off) = x->present_blk[b];
    }
    if (!c->tpu.present && !c->gpu.present)
        return cfg_fail(x, TP_ERR_CONFIG, &x->root, NULL, "expected a tpu: or gpu: section (or both)");
    return TP_OK;
}

/* Given values first (so a bad value is reported before a key missing elsewhere), then the
 * defaults and the required keys of every present section. */
static tp_status resolve_keys(cfg_ctx *x, tp_config *c)
{
    tp_status st;
    for (size_t i = 0; i < cfg_n_keys; i++)
        if (x->raw[i].set && block_present(x, cfg_keys[i].path) &&
            (st = convert(x, &cfg_keys[i], &x->raw[i], c)) != TP_OK)
            return st;
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        cfg_raw *r = &x->raw[i];
        if (!block_present(x, k->path))
            continue;
        if (!r->set) {
            if (k->req == KR_REQUIRED)
                return cfg_fail_missing(x, k->path, NULL);
            if (k->req != KR_DEFAULT)
                continue;
            /* the default goes through the same conversion; positioned at its section */
            cfg_raw d;
            memset(&d, 0, sizeof d);
            d.loc = cfg_section_loc(x, k->path);
            snprintf(d.text, sizeof d.text, "%s", k->def);
            if (k->type == KT_DTYPES) {
                snprintf(d.items[0], sizeof d.items[0], "%s", k->def);
                d.item_loc[0] = d.loc;
                d.n_items = 1;
            }
            if ((st = convert(x, k, &d, c)) != TP_OK)
                return st;
            r->time = d.time;
        }
    }
    return TP_OK;
}

/* Times -> cycles of their section's clock, now that clocks are known. */
static tp_status resolve_times(cfg_ctx *x, tp_config *c)
{
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        cfg_raw *r = &x->raw[i];
        uint64_t hz, cyc;
        const char *why;
        if ((k->type != KT_TIME32 && k->type != KT_TIME64) || !block_present(x, k->path))
            continue;
        if (!r->set && k->req != KR_DEFAULT)
            continue;
        hz = !strncmp(k->path, "gpu.", 4) ? c->gpu.clock_hz : c->tpu.clock_hz;
        cfg_loc l = cfg_key_loc(x, (int)i);
        if (units_time_cycles(&r->time, hz, &cyc, &why))
            return cfg_fail(x, TP_ERR_CONFIG, &l, k->path, "'%s': %s", r->text, why);
        if (cyc < k->min || cyc > k->max) {
            char shown[200], hzs[32];
            if (r->time.is_cycles)
                snprintf(shown, sizeof shown, "%llu", (unsigned long long)cyc);
            else
                snprintf(shown, sizeof shown, "%s = %llu cycles at %s", r->text, (unsigned long long)cyc,
                         units_fmt_freq(hz, hzs, sizeof hzs));
            return cfg_fail(x, TP_ERR_CONFIG, &l, k->path, "must be %s %llu cycles, got %s",
                            cyc < k->min ? "at least" : "at most",
                            (unsigned long long)(cyc < k->min ? k->min : k->max), shown);
        }
        set_u(c, k, cyc);
    }
    return TP_OK;
}

/* "configs/tpu-v1.yaml" -> "tpu-v1" */
static void base_name(const char *path, char *out, size_t cap)
{
    const char *b = strrchr(path, '/');
    size_t n;
    b = b ? b + 1 : path;
    n = strlen(b);
    if (n > 5 && !strcmp(b + n - 5, ".yaml"))
        n -= 5;
    else if (n > 4 && !strcmp(b + n - 4, ".yml"))
        n -= 4;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, b, n);
    out[n] = 0;
}

tp_status cfg_load_string(const char *name, const char *yaml, const char *const *sets, int n_sets,
                          tp_config *out, tp_err *err)
{
    cfg_ctx *x;
    tp_status st = TP_OK;
    memset(out, 0, sizeof *out);
    if (!name)
        name = "<string>";
    snprintf(out->source, sizeof out->source, "%s", name);
    x = calloc(1, sizeof *x);
    if (!x || !(x->raw = calloc(cfg_n_keys, sizeof *x->raw))) {
        free(x);
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory loading %s", name);
    }
    x->name = name;
    x->err = err;
    st = collect_file(x, yaml ? yaml : "");
    for (int i = 0; st == TP_OK && i < n_sets; i++)
        st = apply_set(x, sets[i]);
    if (st == TP_OK)
        st = check_gpu_peer(x);
    if (st == TP_OK)
        st = resolve_presence(x, out);
    if (st == TP_OK)
        st = resolve_keys(x, out);
    if (st == TP_OK)
        st = resolve_times(x, out);
    if (st == TP_OK && out->tpu.present)
        st = cfg_check_tpu(x, out);
    if (st == TP_OK && out->gpu.present)
        st = cfg_check_gpu(x, out);
    if (st == TP_OK) {
        if (!out->name[0])
            base_name(name, out->name, sizeof out->name);
        snprintf(out->tpu.name, sizeof out->tpu.name, "%s", out->name);
        snprintf(out->gpu.name, sizeof out->gpu.name, "%s", out->name);
    }
    free(x->raw);
    free(x);
    return st;
}

tp_status cfg_load(const char *path, const char *const *sets, int n_sets, tp_config *out, tp_err *err)
{
    char *buf;
    size_t n;
    tp_status st;
    if (!path)
        return cfg_load_string("<default>", cfg_default_yaml(), sets, n_sets, out, err);
    memset(out, 0, sizeof *out);
    /* the limits apply as the file streams in: /dev/zero stops at its first NUL */
    if ((st = read_text_file(path, "YAML file", MAX_FILE_BYTES, &buf, &n, err)) != TP_OK)
        return st;
    st = cfg_load_string(path, buf, sets, n_sets, out, err);
    free(buf);
    return st;
}
