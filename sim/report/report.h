/* Printing a run's stats: a text table for people and JSON for tools (the json.h writer).
 * `tpusim run` and `tpusim gemm` both use these. */
#ifndef TP_REPORT_REPORT_H
#define TP_REPORT_REPORT_H
#include <stdio.h>
#include "base/json.h"
#include "stats/stats.h"

/* Text report: totals, utilization, per-unit cause breakdown (cycles and % of total), bytes and
 * achieved bandwidth per memory level, energy when configured. */
void report_text(const tp_stats *s, FILE *f);
/* The line "the N MXUs at work (of M) by category: compute 96.8%, ..." (the compute units that
 * did MACs, all of them if none did), after `lead`; nothing without compute units. */
void report_categories(const tp_stats *s, const char *lead, FILE *f);
/* Those units' cycles summed by category into cat (what that line and the bound read); returns
 * the sum of cat. *n_compute: the units summed, *n_all: the compute units (either may be NULL). */
uint64_t report_compute_categories(const tp_stats *s, uint64_t cat[STATS_CAT__COUNT], uint32_t *n_compute,
                                   uint32_t *n_all);
/* "1.983 TOPS of 2.048 peak (utilization 96.81%)": achieved and peak in one unit that fits the
 * achieved figure (GOPS, TOPS, ...; FLOPS for bf16), without exponents. */
void report_ops_line(const tp_stats *s, char *buf, size_t cap);
/* A duration in the unit that fits: "135.4 us", "4.21 ms", "1.54 s". */
void report_time(double seconds, char *buf, size_t cap);
/* The JSON document (docs/output.md, docs/output.schema.json). Version 3 of the schema (3 added the compare document; the others are unchanged): every
 * command writes {"schema_version": 4, "tpusim": {"version", "commit"}, "command", "categories",
 * "tpu": {run}}. */
#define REPORT_SCHEMA_VERSION 4

/* One vocabulary for result checks, in every command. */
typedef enum {
    REPORT_CHECK_MATCH = 0,     /* bit for bit equal to the reference */
    REPORT_CHECK_MISMATCH,
    REPORT_CHECK_NOT_CHECKED,   /* values computed, no reference compared (--no-check, run) */
    REPORT_CHECK_TIMING_ONLY    /* no values computed (--no-data, --timing-only) */
} report_check;
const char *report_check_name(report_check c);   /* "match" "mismatch" "not_checked" "timing_only" */

/* Opens the top-level object and writes schema_version, tpusim, command and categories. */
void report_json_begin(json_w *w, const char *version, const char *commit, const char *command);
/* "categories": {kind: {cause: category}} for every kind and cause of the record. */
void report_json_categories(json_w *w);
/* Writes the stats as members of an already open object (the run): machine, the machine's
 * attributes (engine, dataflow), dtype, timing_only, cycles, clock_hz, seconds, instructions,
 * macs, peak_macs_per_cycle, compute_unit(s), utilization, ops_per_s, peak_ops_per_s,
 * intensity_ops_per_byte, roofline_ops_per_s, offchip_bytes, offchip_bus_bytes,
 * units: {name: {kind, cycles_by_cause (every cause of the kind), cycles_by_category, macs}},
 * memory: {level: {kind, read_bytes, write_bytes, bus_bytes, peak_bytes_per_s (null when
 * unbounded), peak_read/write_bytes_per_s, achieved_bytes_per_s, bandwidth_utilization,
 * read/write_utilization, shared_bus, in_flight_cycles}}, energy_pj (when configured), bound. */
void report_json_members(const tp_stats *s, json_w *w);
/* "bound": {category, cause, off_chip, share, label, sentence} (report/bound.h). */
void report_json_bound(const tp_stats *s, json_w *w);

/* Adds `times` runs of part to sum (a model's layers as one record): counters add up, units and
 * levels are matched by name (a unit absent from a part counts as idle through it), and the
 * first part gives the machine's figures. Call stats_finish on sum afterwards. */
tp_status report_stats_add(tp_stats *sum, const tp_stats *part, uint64_t times, tp_err *err);
#endif
