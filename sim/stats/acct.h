/* Per-unit cycle accounting both machines use: a unit's timeline, charged cause by cause as
 * simulated time advances, so that every cycle of the run lands in exactly one cause.
 *
 * Cycles before `cursor` are charged. `reason` is the cause of the wait observed since the
 * cursor: acct_note changes it (charging the cycles up to now to the old reason), acct_span
 * charges an interval of work to a cause (the part not already charged: a unit whose work
 * overlaps takes the union) and charges the wait before it to the current reason.
 * Causes are the unit kind's cause numbers (stats/stats.h).
 *
 * Use:  acct a; acct_init(&a, IDLE);  acct_note(&a, now, WHY);  acct_span(&a, s, e, BUSY);
 *       acct_close(&a, total);  then a.cyc[cause] for each cause.
 */
#ifndef TP_STATS_ACCT_H
#define TP_STATS_ACCT_H
#include <stdint.h>
#include "stats/stats.h"
#include "stats/timeline.h"

typedef struct {
    uint64_t cursor;                    /* cycles before this are charged */
    uint32_t reason;                    /* the cause of the wait since cursor */
    uint32_t idle;                      /* the kind's idle cause (the reason after work) */
    uint64_t cyc[STATS_MAX_CAUSES];     /* cycles per cause */
    /* --trace: each charged interval also becomes a slice named by its cause on track tl_track
     * (adjacent intervals of one cause merge into one slice); tl NULL = not recording */
    timeline *tl;
    uint32_t tl_track;
    stats_kind tl_kind;                 /* the kind whose cause names the slices carry */
    bool tl_open;                       /* a slice [tl_s, tl_e) of tl_cause is pending */
    uint32_t tl_cause;
    uint64_t tl_s, tl_e;
} acct;

void acct_init(acct *a, uint32_t idle_cause);
/* Charges [cursor, t) to the current reason. */
void acct_flush(acct *a, uint64_t t);
/* From `now` on, the unit waits for `why`. */
void acct_note(acct *a, uint64_t now, uint32_t why);
/* Charges [s, e) to `cause` where not yet charged; the reason becomes idle. */
void acct_span(acct *a, uint64_t s, uint64_t e, uint32_t cause);
/* Charges everything up to `total` (the wait since the last note as noted); with a trace,
 * records the pending slice. */
void acct_close(acct *a, uint64_t total);
/* From now on (after acct_init) records every charge as a slice on `track` of tl, named by
 * stats_cause_name(kind, cause). Charges never overlap, so the slices follow each other. */
void acct_trace(acct *a, timeline *tl, uint32_t track, stats_kind kind);
#endif
