/* Sweeps: one YAML file naming a base machine, a GEMM list or a workload, and axes whose
 * cartesian product is the sweep's points (`tpusim sweep`, docs/sweeps.md); and the sweep CSV's
 * text format (header, rows, shards), which --resume and --merge read back.
 *
 *   base: configs/tpu-v4-core.yaml        # optional: the embedded default machine; a GPU config too
 *   gemms: [[512, 512, 512], [1024, 128, 1024]]    # or:  workload: kernels/workloads/X.yaml
 *   axes:                                 # first axis outermost, the last one varies fastest
 *     tpu.array.rows: [32, 64, 128]       # any config key by its path (config show lists them)
 *     tpu.dram.bandwidth: [300GB/s, 600GB/s]
 *     dataflow: [ws, os, is]              # short for tpu.array.dataflow
 *     dtype: [int8, bf16]                 # int8 | bf16 | fp16
 *     tile: [auto, 128x128x64]            # gemms only: auto (the search) or TMxTNxTK
 *     gpu: [configs/gpu-a100.yaml]        # a compare: each point also runs on this GPU
 *
 * Points. The GEMM list, when given, is the outermost dimension, then the axes in file order:
 * point p (0-based) has gemm index p / (product of the axes' lengths) and, for axis a, value
 * index (p / (product of the lengths of the axes after a)) mod (length of a). Shard I/N
 * (1 <= I <= N) holds the points with p mod N == I - 1 (dealt round-robin, so the shards share
 * the slow corners of the space evenly).
 *
 * Every error is one line "file:line:col: message" at the offending key or value; paths in the
 * file are taken relative to the current directory, as on the command line.
 *
 * The CSV (docs/output.md "The sweep CSV"): comment lines "# KEY: VALUE" (format, sweep_sha256,
 * inputs_sha256, tpusim_version, tpusim_commit, points, and shard for a shard's file), the
 * column header line, then one row per point whose first field is the point index. */
#ifndef TP_WORK_SWEEP_H
#define TP_WORK_SWEEP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_VALUES 4096          /* values of one axis */
#define SWEEP_MAX_GEMMS 4096
#define SWEEP_MAX_POINTS 10000000u     /* the product */
#define SWEEP_MAX_FILE_BYTES (4u << 20)
#define SWEEP_FORMAT 1                 /* "# format: tpusim-sweep-csv 1" */

typedef enum {
    SWEEP_AXIS_KEY,        /* a config key path: each value is a --set PATH=VALUE */
    SWEEP_AXIS_DATAFLOW,   /* dataflow: the key tpu.array.dataflow */
    SWEEP_AXIS_DTYPE,      /* dtype: int8 | bf16 | fp16 */
    SWEEP_AXIS_TILE,       /* tile: auto | TMxTNxTK */
    SWEEP_AXIS_GPU,        /* gpu: a GPU config file per value (a compare) */
    SWEEP_AXIS__COUNT
} sweep_axis_kind;

typedef struct {
    char *text;            /* the scalar as written (malloc'd) */
    int line, col;         /* 1-based position in the sweep file */
} sweep_value;

typedef struct {
    sweep_axis_kind kind;
    char name[96];         /* as written: the CSV column of its values */
    char key[96];          /* KEY and DATAFLOW: the config key path; "" otherwise */
    int line, col;         /* of the name */
    sweep_value *values;
    size_t n_values;
} sweep_axis;

typedef struct {
    uint32_t m, n, k;
    int line, col;
} sweep_gemm;

typedef struct {
    char source[1024];     /* the sweep file's name, for messages */
    char *base;            /* base: the machine's config file; NULL = the embedded default */
    int base_line, base_col;
    char *workload;        /* workload: a workload file; NULL with gemms */
    int workload_line, workload_col;
    sweep_gemm *gemms;
    size_t n_gemms;
    sweep_axis axes[SWEEP_MAX_AXES];
    size_t n_axes;
    uint64_t n_points;
    char sha256[65];       /* of the file's bytes */
} sweep_spec;

/* Reads and parses a sweep file (at most SWEEP_MAX_FILE_BYTES). On failure *s is empty
 * (sweep_free accepts it) and err says where. */
tp_status sweep_load(const char *path, sweep_spec *s, tp_err *err);
tp_status sweep_parse(const char *name, const char *text, size_t len, sweep_spec *s, tp_err *err);
void sweep_free(sweep_spec *s);
/* The axis named `name`, or NULL. */
const sweep_axis *sweep_find_axis(const sweep_spec *s, sweep_axis_kind kind);

/* Point p's GEMM index (0 without gemms) and each axis's value index. p < s->n_points. */
void sweep_point(const sweep_spec *s, uint64_t p, size_t *gemm, size_t idx[SWEEP_MAX_AXES]);
/* The --set texts of point p's key axes whose key starts with prefix ("tpu.", "gpu."; "" = all):
 * "PATH=VALUE" in axis order into sets[i] (cap bytes each); returns their number. */
int sweep_point_sets(const sweep_spec *s, const size_t idx[SWEEP_MAX_AXES], const char *prefix, char (*sets)[160]);
/* Applies each value of every key axis whose key starts with prefix, alone, to the machine in
 * yaml (named cfg_name): the first that the config loader refuses is an error at the value,
 * "SWEEP:L:C: PATH: VALUE: why". */
tp_status sweep_check_keys(const sweep_spec *s, const char *cfg_name, const char *yaml, const char *prefix,
                           tp_err *err);

/* "I/N" -> 0 and *i, *n (1 <= I <= N <= 1000000); -1 otherwise. */
int sweep_parse_shard(const char *text, uint32_t *i, uint32_t *n);
/* Whether point p belongs to shard i of n (n = 0: no sharding, every point). */
static inline bool sweep_in_shard(uint64_t p, uint32_t i, uint32_t n)
{
    return n == 0 || p % n == (uint64_t)(i - 1);
}
/* Points of shard i of n among total. */
uint64_t sweep_shard_points(uint64_t total, uint32_t i, uint32_t n);

/* ---- the CSV text --------------------------------------------------------------------------- */

/* The comment header of a sweep CSV. */
typedef struct {
    int format;                 /* SWEEP_FORMAT */
    char sweep_sha256[65];
    char inputs_sha256[65];
    char version[32];
    char commit[48];
    uint64_t points;            /* of the whole sweep */
    uint32_t shard_i, shard_n;  /* 0/0: not a shard */
} sweep_meta;

/* The comment lines of m, each ending with "\n", into buf (NUL-terminated); returns the length,
 * or 0 if cap is too small. */
size_t sweep_meta_format(const sweep_meta *m, char *buf, size_t cap);
/* Appends field to the row being built in buf (length *len, capacity cap), quoted as RFC 4180
 * does when it holds a comma, a quote or a line break (quotes doubled), preceded by a comma
 * unless it is the row's first field (*len == 0). Returns -1 if it does not fit. */
int sweep_csv_append(char *buf, size_t cap, size_t *len, const char *field);
/* Splits one row (without its newline) into NUL-terminated fields stored in out (cap bytes),
 * field pointers in f[0, max). Returns the number of fields, -1 when malformed (a quote
 * inside an unquoted field, an unterminated quoted field, text after a closing quote) or when
 * it does not fit. */
int sweep_csv_split(const char *row, size_t len, char *out, size_t cap, char **f, int max);

/* A sweep CSV read back (--resume, --merge). */
typedef struct {
    sweep_meta meta;
    bool has_meta;              /* the comment header was there and complete */
    char *columns;              /* the column header line (malloc'd, no newline); NULL if absent */
    size_t n_columns;
    size_t header_bytes;        /* the comment lines and the column line with their newlines */
    uint64_t *point;            /* each whole row's point index, in file order */
    size_t *row_off, *row_len;  /* ... its byte range in the text (without the newline) */
    size_t n_rows;
    size_t good_bytes;          /* the text up to the end of the last whole line */
    bool torn;                  /* the text ends in a line without its newline */
} sweep_csv;

/* Parses text (a whole file; `name` for messages). A last line without a newline is a torn row
 * (torn = true, not in the rows). Errors (TP_ERR_PARSE, "NAME:LINE: ..."): a missing or malformed
 * comment header, a row whose point index is not a number below meta.points, that is given
 * twice, or whose field count differs from the column header's. An empty text is a file with
 * no header (has_meta false, no error). On failure *c is empty (sweep_csv_free accepts it). */
tp_status sweep_csv_parse(const char *name, const char *text, size_t len, sweep_csv *c, tp_err *err);
void sweep_csv_free(sweep_csv *c);
/* Whether two headers say the same sweep and build (every field but the shard). */
bool sweep_meta_same_run(const sweep_meta *a, const sweep_meta *b);
#endif
