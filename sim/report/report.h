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
/* Writes the stats as one JSON object's members into an already open object of w:
 * cycles, seconds, clock_hz, instructions, macs, peak_macs_per_cycle, utilization, mxus, engine,
 * dtype, dataflow, timing_only, units: {name: {kind, cycles_by_cause: {...}}},
 * memory: {level: {read_bytes, write_bytes, bus_bytes, achieved_bytes_per_s, peak_bytes_per_s}},
 * energy_pj (only when configured). */
void report_json_members(const tp_stats *s, json_w *w);
/* A whole JSON document {"tpu": {...}} to f, indent 2. Returns 0 or -1 on a write error. */
int report_json(const tp_stats *s, FILE *f);
#endif
