/* The loader's working state, shared by its two files and internal to sim/config/:
 * config.c collects, overrides and resolves the keys (steps 1-4 of its design note); check.c
 * applies the rules between keys (step 5) and positions its errors with the state kept here. */
#ifndef TP_CONFIG_LOAD_H
#define TP_CONFIG_LOAD_H
#include <stdbool.h>
#include "base/units.h"
#include "config/config.h"
#include "config/keys.h"

#define CFG_MAX_ITEMS 8      /* items of a list value (dtypes) */
#define CFG_MAX_NS 192       /* section names remembered for positions */
#define CFG_MAX_PATH 96      /* longest dotted key path */

__extension__ typedef unsigned __int128 cfg_u128;

typedef struct {
    const char *file;     /* file name for file positions */
    int line, col;        /* 1-based; 0 = unknown */
    const char *flag;     /* the --set text when the value came from the command line */
} cfg_loc;

/* One key's value as written, before conversion. */
typedef struct {
    bool set;
    cfg_loc loc;          /* of the value */
    cfg_loc key_loc;      /* of the key (files only) */
    bool quoted;          /* single- or double-quoted scalar */
    bool is_seq;
    char text[128];
    int n_items;
    char items[CFG_MAX_ITEMS][32];
    cfg_loc item_loc[CFG_MAX_ITEMS];
    units_time time;      /* KT_TIME*: parsed, converted once the clock is known */
    int set_seq;          /* order of the --set that gave it (1, 2, ...); 0 = from the file */
} cfg_raw;

typedef struct {
    char path[CFG_MAX_PATH];
    cfg_loc loc;
} cfg_ns;

typedef struct {
    const char *name;     /* source name used in positions */
    cfg_raw *raw;         /* cfg_n_keys entries */
    bool explicit_blk[CFG_BLK__COUNT];   /* the section was written (file or --set) */
    cfg_loc blk_loc[CFG_BLK__COUNT];     /* where it was first written */
    bool present_blk[CFG_BLK__COUNT];    /* written, or automatic under a present parent */
    cfg_ns ns[CFG_MAX_NS];
    int n_ns;
    cfg_loc root;
    int n_sets_applied;
    tp_err *err;
} cfg_ctx;

/* Reports an error at l about key `path` (may be NULL) into x->err; returns code. */
tp_status cfg_fail(cfg_ctx *x, tp_status code, const cfg_loc *l, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Innermost written section (or the root) above path, for "missing key" positions. */
cfg_loc cfg_section_loc(const cfg_ctx *x, const char *path);
/* "path: required key is missing (hint)", hint may be NULL, positioned at the innermost written
 * section above path; when that is not the key's own section the message names the absent one
 * ("(tpu: has no acc: section; hint)"), so that a position at the top of the file is explained. */
tp_status cfg_fail_missing(cfg_ctx *x, const char *path, const char *hint);
/* Where key idx was given, else its section. */
cfg_loc cfg_key_loc(const cfg_ctx *x, int idx);
/* v within k's range, else an error at l showing `shown` (or v formatted in k's unit). */
tp_status cfg_check_range(cfg_ctx *x, const cfg_key *k, const cfg_loc *l, uint64_t v, const char *shown);
/* Index of a key path the code names literally; asserts that the table has it. */
int cfg_kidx(const char *path);

/* The rules between keys (check.c), run once every key is converted: acc entries vs size,
 * bandwidth vs bytes per cycle, latencies unless ideal, the interleave granule, placement names
 * a defined memory, totals within what tpusim can simulate. They may fill in derived fields
 * (acc.entries from acc.size, bytes_per_s from bytes_per_cycle_per_channel). */
tp_status cfg_check_tpu(cfg_ctx *x, tp_config *c);
tp_status cfg_check_gpu(cfg_ctx *x, tp_config *c);
#endif
