/* Helpers shared by several test groups (tests/support_*.c). Include after harness.h. */
#ifndef TESTS_SUPPORT_H
#define TESTS_SUPPORT_H
#include <stdint.h>
#include "stats/stats.h"

/* Assembles `text` for a machine (cfg_path relative to the repository root, NULL = the embedded
 * default, then n_sets --set overrides), runs it timing-only on the fast engine, and fills the
 * start and end cycles of its first n instructions. If st is not NULL it receives a copy of the
 * run's stats (free it with stats_free). Any failure fails the current test. */
void ts_run_timing(const char *cfg_path, const char *const *sets, int n_sets, const char *text,
                   uint32_t n, uint64_t *start, uint64_t *end, tp_stats *st);
#endif
