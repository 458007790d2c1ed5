/* Writing a recorded timeline (stats/timeline.h) as a Chrome/Perfetto trace: the JSON
 * trace-event format that ui.perfetto.dev and chrome://tracing open (docs/trace.md).
 *
 *   {"traceEvents": [ ... one event per line ... ],
 *    "displayTimeUnit": "ns",
 *    "otherData": {"tool": "tpusim", "version", "command", "clock_hz", "cycle_us",
 *                  "cap", "events_recorded", "events_kept", "events_dropped", "note"?,
 *                  "dropped_by_track"?}}
 * Events: "M" metadata naming each group (a process: pid 1, 2, ... in order of first use) and
 * each track (a thread: tid = track number + 1) and their sort order; "X" complete events, one
 * per slice, ts and dur in microseconds (cycle / clock_hz * 1e6, dur = ts(end) - ts(start)),
 * args = the slice's args plus start_cycle and end_cycle; "C" counter samples, args
 * {unit: value} (of samples at one cycle the last, and only changes). A clock of 0 writes one
 * cycle as one microsecond. Several timelines (compare: the TPU's and the GPU's, each at its
 * own clock) go into one trace side by side, their processes numbered on; otherData then also
 * has "parts": [{"clock_hz", "cycle_us", "events_kept", "events_dropped"}] in that order.
 */
#ifndef TP_REPORT_TRACE_H
#define TP_REPORT_TRACE_H
#include <stdio.h>
#include "base/err.h"
#include "stats/timeline.h"

typedef struct {
    const char *version;    /* tpusim's version (otherData) */
    const char *command;    /* the sub-command ("gemm", "run", "model", "compare") */
} trace_info;

/* "kept the first N of M events (cap C)" into buf when the cap dropped events of any of the n
 * timelines (N, M summed over them), else "". */
void trace_cap_note(timeline *const *tls, size_t n, char *buf, size_t cap);
/* Finishes each timeline (tl_finish: the nesting check) and writes them to f. TP_ERR_INTERNAL
 * for crossing slices, TP_ERR_NOMEM, TP_ERR_IO when the writer failed. */
tp_status trace_write(timeline *const *tls, size_t n, const trace_info *info, FILE *f, tp_err *err);
#endif
