/* The key table: internal to sim/config/. One row per config key; parsing, validation,
 * --set, `config show`, the JSON form and docs/config.md are all driven from it. */
#ifndef TP_CONFIG_KEYS_H
#define TP_CONFIG_KEYS_H
#include <stddef.h>
#include <stdint.h>
#include "config/config.h"

typedef enum {
    KT_U32,       /* whole number, uint32_t field */
    KT_U64,       /* whole number, uint64_t field */
    KT_BOOL,      /* true | false, bool field */
    KT_SIZE,      /* bytes with units (24MiB), uint64_t field */
    KT_BW,        /* bytes per second with units (900GB/s), uint64_t field */
    KT_FREQ,      /* Hz with units (940MHz), uint64_t field */
    KT_TIME32,    /* cycles, or a time (100ns) converted with the section's clock; uint32_t */
    KT_TIME64,    /* same, uint64_t field */
    KT_DURATION,  /* a time with a unit (3us), never converted through a clock: uint64_t picoseconds */
    KT_DATAFLOW,  /* ws | os | is, tp_dataflow field */
    KT_TIMING,    /* pipelined | scalesim, tp_timing field */
    KT_MEMID,     /* dram | weight_mem | host, tp_mem_id field */
    KT_WSCHED,    /* gto | lrr, tp_wsched field */
    KT_DTYPES,    /* list of int8 | bf16, bool[TP_DTYPE__COUNT] field */
    KT_PJ,        /* non-negative decimal (picojoules), double field */
    KT_STR,       /* text, char[64] field */
    KT__COUNT
} cfg_ktype;

typedef enum {
    KR_DEFAULT,        /* `def` applies when the key is absent */
    KR_REQUIRED,       /* must be given when its section is present */
    KR_OPTIONAL,       /* may be absent; the loader's cross-checks decide (field stays 0) */
    KR_UNLESS_IDEAL,   /* required unless the memory section has ideal: true */
} cfg_kreq;

typedef struct {
    const char *path;
    cfg_ktype type;
    const char *unit;     /* human unit for docs and show */
    cfg_kreq req;
    const char *def;      /* YAML text of the default (KR_DEFAULT only) */
    uint64_t min, max;    /* range: value for numbers/sizes/bandwidths/clocks, cycles for times */
    size_t off;           /* offsetof(tp_config, field) */
    const char *doc;
    const char *alt;      /* the sibling key that says the same thing another way ("size" beside
                             tpu.acc.entries): a --set of one replaces the other written in the
                             file; NULL if none */
} cfg_key;

/* The value names of the enum key types, in enum order (tp_dataflow, tp_timing, tp_mem_id):
 * the one place they are written. Parsing, `config show`, docs/config.md and the "expected one
 * of ..." messages all read them from here. */
typedef struct {
    const char *const *names;
    int count;
} cfg_enum;
/* The names of an enum key type (KT_DATAFLOW, KT_TIMING, KT_MEMID, KT_WSCHED); NULL for any other type. */
const cfg_enum *cfg_ktype_enum(cfg_ktype t);
/* The names a KT_DATAFLOW, KT_TIMING, KT_MEMID, KT_WSCHED or KT_DTYPES (the dtypes) value may take,
 * joined by sep into buf ("ws, os, is"); "" for other types. Returns buf. */
const char *cfg_ktype_values(cfg_ktype t, const char *sep, char *buf, size_t cap);
/* The enum key k's value in c, as its index in cfg_ktype_enum(k->type); and the reverse. */
int cfg_key_get_enum(const cfg_key *k, const tp_config *c);
void cfg_key_set_enum(const cfg_key *k, tp_config *c, int v);
/* Index of s among the names of enum type t, or -1. */
int cfg_enum_parse(cfg_ktype t, const char *s);

/* Sections that can be present or absent as a whole, one row each in cfg_blocks (in this order:
 * a parent before its children). A key belongs to the longest section whose prefix it starts
 * with; the root (the `name` key) is always present. The loader keeps per-section state in
 * arrays of CFG_BLK__COUNT, so adding a section here sizes them. */
typedef enum {
    CFG_BLK_TPU,
    CFG_BLK_TPU_DRAM,
    CFG_BLK_TPU_WEIGHT_MEM,
    CFG_BLK_TPU_HOST,
    CFG_BLK_TPU_ENERGY,
    CFG_BLK_GPU,
    CFG_BLK_GPU_DRAM,
    CFG_BLK_GPU_MMA_INT8,
    CFG_BLK_GPU_MMA_BF16,
    CFG_BLK_GPU_MMA_FP16,
    CFG_BLK_GPU_ENERGY,
    CFG_BLK__COUNT
} cfg_block_id;

typedef struct {
    const char *prefix;
    size_t present_off;   /* offsetof(tp_config, ...present) */
    int automatic;        /* present whenever its parent section is */
    const char *doc;
} cfg_block;

extern const cfg_key cfg_keys[];
extern const size_t cfg_n_keys;
extern const cfg_block cfg_blocks[CFG_BLK__COUNT];
extern const size_t cfg_n_blocks;   /* CFG_BLK__COUNT */

/* Index of the key with this exact path, or -1. */
int cfg_key_find(const char *path);
/* path is prefix itself or lies below it ("tpu.ub.size" is below "tpu.ub", not below "tpu.u"). */
int cfg_path_has_prefix(const char *path, const char *prefix);
/* Index of key i's alternative (cfg_keys[i].alt in the same section), or -1 if it has none. */
int cfg_key_alt(int i);
/* Index of the section a key path belongs to, or -1 for the root. */
int cfg_block_of(const char *path);
/* Name of a key type for docs ("integer", "size", ..., "enum", "list"). */
const char *cfg_ktype_name(cfg_ktype t);
/* A KT_DURATION value (picoseconds) in the largest of s, ms, us, ns, ps that writes it whole
 * ("3us", "21us", "1500ns", "0s"); parses back to the same value. Returns buf. */
const char *cfg_fmt_duration(uint64_t ps, char *buf, size_t cap);
/* Formats a key's current value from a loaded config into buf (human units). Returns buf. */
const char *cfg_key_format(const cfg_key *k, const tp_config *c, char *buf, size_t cap);
#endif
