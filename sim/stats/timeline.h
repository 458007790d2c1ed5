/* A recording of what the units did, cycle by cycle, for `--trace` (report/trace.h writes it as
 * a Chrome/Perfetto trace; docs/trace.md). The machines fill it when given one: a machine holds
 * a `timeline *` that is NULL when nobody records, so recording costs one pointer test.
 *
 * Shape of the data:
 *  - tracks: one per unit (a DMA engine, an MXU, the vector unit, a DRAM channel, an SM, the L2,
 *    a unit's "cause" track ...), each with a name ("dma0", "mxu0 cause"), a group (the Chrome
 *    process it is drawn in: "core0", "dram", "gpu") and a kind (the stats kind of the unit:
 *    "dma", "mxu", "vpu", "mem", "sm", "l2", or "cause"). tl_track finds or makes one, so a
 *    second run recording into the same timeline (model's layers) reuses its tracks.
 *  - slices: [start, end) in cycles on one track, a name (the opcode, "burst", a cause name) and
 *    up to TL_MAX_ARGS key/value arguments (unsigned, signed, double or string). Rule (checked
 *    by tl_finish): the slices of one track nest or follow each other, never partly overlap:
 *    for two slices a, b of a track with a.start <= b.start, either b.start >= a.end (follows)
 *    or b.end <= a.end (nests). A zero-length slice (start == end) is allowed.
 *  - counters: a series (name, group, unit such as "entries" or "B/cycle") and its samples
 *    (cycle, value); a sample holds until the next sample of its series.
 *  - every recorded cycle has `offset` added (a caller running several programs one after the
 *    other, as `model` does, moves it to each run's start).
 *  - strings (names, groups, kinds, argument keys and string values) are interned: copied into
 *    the timeline and referred to by a number; tl_str gives the text back.
 *
 * The cap (the rule docs/trace.md states): at most `cap` events (slices plus counter samples)
 * are kept, the first `cap` in recording order; later ones are counted in `dropped` and not
 * stored, so memory stays bounded. The machines record each instruction when it begins, so what
 * is kept is roughly the run's beginning; per track, the kept slices are the first ones it
 * recorded. cap == 0 keeps everything. A subset of non-crossing slices is non-crossing, so
 * dropping never breaks the nesting rule. Tracks and series are never dropped, nor the samples
 * of a tl_rate (at most TL_RATE_WINDOWS + 1 per series, written at the run's end): they are
 * not counted in kept or dropped.
 *
 * Use:  timeline tl; tl_init(&tl, TL_DEFAULT_CAP);  tl.clock_hz = ...;
 *       uint32_t t = tl_track(&tl, "core0", "dma0", "dma");
 *       uint32_t s = tl_slice(&tl, t, start, end, "load");  tl_arg_u64(&tl, s, "bytes", 4096);
 *       uint32_t q = tl_series(&tl, "core0", "load queue", "entries");  tl_count(&tl, q, c, 3);
 *       tl_finish(&tl, &err);  ... read tl.tracks, tl.slices, tl.args, tl.samples ...
 *       tl_free(&tl);
 * Failing allocations while recording do not stop the machine: the timeline remembers it
 * (`nomem`) and tl_finish returns TP_ERR_NOMEM.
 */
#ifndef TP_STATS_TIMELINE_H
#define TP_STATS_TIMELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

#define TL_DEFAULT_CAP 1000000u     /* events kept by default (docs/trace.md: the cap) */
#define TL_MAX_ARGS 16u             /* arguments per slice */
#define TL_NONE UINT32_MAX          /* "no slice" (dropped, or not recording) */

typedef enum { TL_ARG_U64, TL_ARG_I64, TL_ARG_F64, TL_ARG_STR } tl_arg_kind;

typedef struct {
    uint32_t key;           /* interned string */
    uint32_t kind;          /* tl_arg_kind */
    union {
        uint64_t u;
        int64_t i;
        double f;
        uint32_t s;         /* interned string */
    } v;
} tl_arg;

typedef struct {
    uint32_t group, name, kind;     /* interned strings */
    uint64_t n_slices;              /* slices kept on it */
    uint64_t n_dropped;             /* slices recorded on it beyond the cap */
    uint64_t lane_end;              /* tl_lane: the end of its last slice given a lane */
    uint32_t lane_next;             /* tl_lane: its overflow lane "<name> #2" ... (TL_NONE) */
} tl_track_info;

typedef struct {
    uint32_t track;
    uint32_t name;                  /* interned string */
    uint64_t start, end;            /* cycles (offset included); end >= start, exclusive */
    uint32_t arg0, n_args;          /* its arguments: args[arg0 .. arg0 + n_args) */
} tl_slice_info;

typedef struct {
    uint32_t group, name, unit;     /* interned strings */
} tl_series_info;

typedef struct {
    uint32_t series;
    uint64_t cycle;                 /* offset included */
    double value;
} tl_sample;

typedef struct {
    uint64_t cap;                   /* events kept at most (0 = all) */
    uint64_t kept, dropped;         /* events (slices + samples) stored / counted beyond the cap */
    uint64_t offset;                /* added to every cycle recorded */
    double clock_hz;                /* cycles per second of the recorded cycles (0 = unknown) */
    bool nomem;                     /* an allocation failed while recording */
    bool finished;                  /* tl_finish succeeded: slices sorted per track */

    tl_track_info *tracks;
    uint32_t n_tracks, cap_tracks;
    tl_slice_info *slices;          /* after tl_finish: by track, then start, then longest first */
    size_t n_slices, cap_slices;
    tl_arg *args;
    size_t n_args, cap_args;
    tl_series_info *series;
    uint32_t n_series, cap_series;
    tl_sample *samples;             /* after tl_finish: by series, then cycle (stable) */
    size_t n_samples, cap_samples;

    char *strs;                     /* interned strings, each NUL-terminated, by offset */
    size_t n_strs, cap_strs;
    uint32_t *hash;                 /* open addressing: offset + 1 into strs, 0 = empty */
    uint32_t n_hash, cap_hash;
} timeline;

void tl_init(timeline *tl, uint64_t cap);
void tl_free(timeline *tl);

/* The interned number of a string (TL_NONE when out of memory), and its text back. */
uint32_t tl_intern(timeline *tl, const char *s);
const char *tl_str(const timeline *tl, uint32_t id);

/* The track (group, name), made with `kind` if new; TL_NONE when out of memory. */
uint32_t tl_track(timeline *tl, const char *group, const char *name, const char *kind);
/* For a unit whose work items may overlap in time (an activate may begin before the previous
 * one's UB writes are done): the track to record [start, end) on so that it follows the last
 * one given there: `track` itself if its last lane slice ended by start, else its overflow lane
 * "<name> #2" (then "#3" ...) in the same group and kind, made when first needed. Call it with
 * nondecreasing starts per track; children go on the track it returned. */
uint32_t tl_lane(timeline *tl, uint32_t track, uint64_t start, uint64_t end);
/* Records [start, end) (plus offset) on a track; returns the slice's number for tl_arg_*, or
 * TL_NONE when dropped (beyond the cap, or out of memory; then tl_arg_* do nothing).
 * end < start is a bug (asserted). */
uint32_t tl_slice(timeline *tl, uint32_t track, uint64_t start, uint64_t end, const char *name);
/* Arguments of the slice just recorded (slice must be the last one tl_slice returned). Keys are
 * unique per slice; "start_cycle" and "end_cycle" are the writer's (report/trace.h). */
void tl_arg_u64(timeline *tl, uint32_t slice, const char *key, uint64_t v);
void tl_arg_i64(timeline *tl, uint32_t slice, const char *key, int64_t v);
void tl_arg_f64(timeline *tl, uint32_t slice, const char *key, double v);
void tl_arg_str(timeline *tl, uint32_t slice, const char *key, const char *v);

/* The counter series (group, name), made with `unit` if new; TL_NONE when out of memory. */
uint32_t tl_series(timeline *tl, const char *group, const char *name, const char *unit);
/* A sample: the series has `value` from cycle (plus offset) on. */
void tl_count(timeline *tl, uint32_t series, uint64_t cycle, double value);

/* An achieved-rate counter in the making (bytes per cycle of a memory, say): amounts spread
 * evenly over the cycles they took, summed per window. Windows start TL_RATE_WIDTH0 cycles wide
 * and double (merging pairs) whenever the run outgrows TL_RATE_WINDOWS of them, so a run of any
 * length has at most that many samples. tl_rate_emit writes one sample per window (the
 * window's amount / its width, at its first cycle) and a 0 at the latest end of an amount
 * (or the last window's start, if later). */
#define TL_RATE_WINDOWS 1024u
#define TL_RATE_WIDTH0 16u
typedef struct {
    double *amount;                 /* per window */
    uint32_t n, cap;                /* windows used, allocated */
    uint64_t width;                 /* cycles per window */
    uint64_t last;                  /* the latest end of an amount added */
    bool nomem;
} tl_rate;
void tl_rate_init(tl_rate *r);
void tl_rate_free(tl_rate *r);
/* Adds `amount` spread over [s, e) (s == e: all in s's window). */
void tl_rate_add(tl_rate *r, uint64_t s, uint64_t e, double amount);
void tl_rate_emit(timeline *tl, const tl_rate *r, uint32_t series);

/* Sorts slices (by track, start, longer first) and samples (by series, cycle) and checks the
 * nesting rule. TP_ERR_NOMEM if recording lost events to memory; TP_ERR_INTERNAL naming the
 * track and both slices when two slices of a track partly overlap. Recording may go on after
 * it (tl_finish again before reading). */
tp_status tl_finish(timeline *tl, tp_err *err);

/* The first slice of `track` after tl_finish (slices of a track are contiguous) and how many. */
size_t tl_track_slices(const timeline *tl, uint32_t track, size_t *n);
#endif
