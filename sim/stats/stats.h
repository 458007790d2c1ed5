/* The stats record of one run: what every machine model (the TPU machine, later the GPU model)
 * fills and what report.{c,h} prints. Plain data plus one allocated array of units.
 *
 * Invariants (checked by stats_check):
 *   - for every unit, the cycles of its causes sum to `cycles` (the run's total);
 *   - utilization = macs / (cycles * peak_macs_per_cycle), 0 when cycles is 0;
 *   - bytes per level are exact byte counts of data moved (bursts count whole bursts on the bus
 *     in `bus_bytes`; `bytes` is what the program asked for).
 */
#ifndef TP_STATS_STATS_H
#define TP_STATS_STATS_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"

#define STATS_MAX_CAUSES 16
#define STATS_NAME 32

/* One unit's timeline: each cycle of the run in exactly one cause. */
typedef struct {
    char name[STATS_NAME];          /* "core0.mxu0", "core0.dma", "core0.vpu", "dram" */
    char kind[16];                  /* "mxu" "dma" "vpu" "mem" */
    uint32_t n_causes;
    char cause[STATS_MAX_CAUSES][24];   /* snake_case names (JSON keys), e.g. "busy", "weights" */
    uint64_t cycles[STATS_MAX_CAUSES];
} stats_unit;

/* One level of the memory hierarchy. */
typedef struct {
    char name[STATS_NAME];          /* "dram", "weight_mem", "host", "ub", "acc", "wbuf" */
    bool off_chip;
    uint64_t read_bytes, write_bytes;   /* bytes the program moved */
    uint64_t bus_bytes;             /* off-chip: bytes on the bus (whole bursts), else 0 */
    double peak_bytes_per_s;        /* 0 when ideal or not meaningful */
    double achieved_bytes_per_s;    /* (read + write) / run time */
} stats_level;

typedef struct {
    char machine[64];               /* config name */
    char engine[8];                 /* "fast" / "pe" */
    char dtype[8];                  /* "int8" / "bf16" */
    char dataflow[4];               /* "ws" "os" "is" */
    bool timing_only;               /* values were not computed */
    uint64_t clock_hz;
    uint64_t cycles;                /* total cycles of the run */
    double seconds;                 /* cycles / clock_hz */
    uint64_t instructions;
    uint64_t macs;                  /* useful multiply-accumulates */
    uint64_t peak_macs_per_cycle;   /* of the whole chip */
    uint32_t mxus_used;             /* MXUs that ran at least one op */
    double utilization;
    uint32_t n_units, cap_units;
    stats_unit *units;
    uint32_t n_levels;
    stats_level levels[16];
    bool has_energy;
    double energy_pj;               /* total */
    double energy_mac_pj, energy_offchip_pj, energy_onchip_pj;  /* breakdown */
} tp_stats;

void stats_init(tp_stats *s);
void stats_free(tp_stats *s);
/* Copies src into *dst (deep); returns TP_ERR_NOMEM on failure. */
tp_status stats_copy(tp_stats *dst, const tp_stats *src, tp_err *err);
/* Adds a unit with no causes; returns it or NULL when out of memory. */
stats_unit *stats_add_unit(tp_stats *s, const char *name, const char *kind);
/* Adds `cycles` to a unit's cause (created on first use; at most STATS_MAX_CAUSES). */
void stats_unit_add(stats_unit *u, const char *cause, uint64_t cycles);
uint64_t stats_unit_cause(const stats_unit *u, const char *cause);   /* 0 if absent */
const stats_unit *stats_find_unit(const tp_stats *s, const char *name);
stats_level *stats_add_level(tp_stats *s, const char *name, bool off_chip);
const stats_level *stats_find_level(const tp_stats *s, const char *name);
/* Sets utilization, seconds and achieved bandwidths from the counters. */
void stats_finish(tp_stats *s);
/* Checks the invariants above; TP_ERR_INTERNAL naming the unit whose causes don't sum. */
tp_status stats_check(const tp_stats *s, tp_err *err);
#endif
