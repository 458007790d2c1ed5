/* What bounds a run: one sentence built from the stats record alone (machine-neutral: it reads
 * categories, levels and the record's cause vocabulary, never a machine's internals).
 *
 * The rule (docs/output.md, "The bound"):
 *  1. Take the compute units that did MACs (all compute units if none did) and sum their cycles
 *     by comparison category.
 *  2. A compute unit's idle cycles count as waiting for off-chip memory up to the cycles an
 *     off-chip level had a request in flight that the unit did not already spend waiting for
 *     off-chip data (nothing was issued to it while data was on its way: the head and tail of a
 *     run of loads and stores). This is an estimate: the record does not say which cycles
 *     overlap.
 *  3. If useful compute is at least half of those cycles, the run is compute-bound. Otherwise the
 *     largest other category bounds it; off-chip memory is then split into bandwidth or latency:
 *     bandwidth when an off-chip level moved at least 60% of its peak or the transfer engines
 *     (kind dma) were held by the memory's back-pressure (cause off_chip) at least half of the
 *     time, latency when the level moved at most 30% of its peak and back-pressure held the
 *     engines less than 25% of the time, both otherwise.
 *  4. When some compute units did no MACs, the sentence leads with how many had work and the
 *     run's utilization, then says the above of the ones at work.
 */
#ifndef TP_REPORT_BOUND_H
#define TP_REPORT_BOUND_H
#include <stdint.h>
#include <stdio.h>
#include "stats/stats.h"

typedef enum {
    BOUND_OFF_CHIP_NONE = 0,    /* the bound is not off-chip memory */
    BOUND_OFF_CHIP_BANDWIDTH,
    BOUND_OFF_CHIP_LATENCY,
    BOUND_OFF_CHIP_BOTH
} bound_off_chip;
const char *bound_off_chip_name(bound_off_chip o);   /* NULL, "bandwidth", "latency", "both" */

typedef struct {
    stats_category category;        /* what bounds the run */
    double share;                   /* its share of the compute units' cycles (idle folded in
                                       for off-chip memory when rule 2 applies) */
    int lead_kind;                  /* the leading cause of that category: kind and cause */
    int lead_cause;                 /* -1 when there is none */
    bound_off_chip off_chip;
    bool idle_folded;               /* rule 2 moved idle cycles into off-chip memory */
    double idle_folded_share;       /* ... this share of the compute units' cycles */
    /* off-chip figures used in the sentence */
    const char *level;              /* the busiest off-chip level (NULL when there is none) */
    double level_utilization;       /* its bandwidth utilization (bus bytes / peak x cycles) */
    double level_in_flight;         /* fraction of cycles with a request in flight */
    double backpressure;            /* mean fraction of cycles the dma units were held (off_chip) */
    uint32_t n_compute;             /* compute units considered */
    char sentence[512];
    char label[48];                 /* short form for a table column: "compute", "pipeline",
                                       "DRAM latency", "DRAM bw", "DRAM bw+latency",
                                       "on-chip data", "sync" ... */
} report_bound;

void report_bound_of(const tp_stats *s, report_bound *b);
#endif
