/* Helpers shared by several test groups (tests/support_*.c). Include after harness.h. */
#ifndef TESTS_SUPPORT_H
#define TESTS_SUPPORT_H
#include <stdbool.h>
#include <stdint.h>
#include "base/rng.h"
#include "stats/stats.h"
#include "tpu/machine.h"

/* Assembles `text` for a machine (cfg_path relative to the repository root, NULL = the embedded
 * default, then n_sets --set overrides), runs it timing-only on the fast engine, and fills the
 * start and end cycles of its first n instructions. If st is not NULL it receives a copy of the
 * run's stats (free it with stats_free). Any failure fails the current test. */
void ts_run_timing(const char *cfg_path, const char *const *sets, int n_sets, const char *text,
                   uint32_t n, uint64_t *start, uint64_t *end, tp_stats *st);

/* cfg_load of the embedded default with n --set overrides; a failure fails the test. */
void ts_load_cfg(tp_config *cfg, const char *const *sets, int n);

/* One run's stats and a copy of its tensor C (NULL in timing-only runs). */
typedef struct {
    tp_stats st;
    void *c;
    size_t c_bytes;
} ts_outcome;
/* Runs p on a machine for cfg with engine eng (one thread) and tensors A and B bound to a and b
 * (unless timing_only); any failure fails the test. Free o with ts_outcome_free. */
void ts_run(const tp_config *cfg, const isa_program *p, machine_engine eng, bool timing_only, void *a, void *b,
            ts_outcome *o);
void ts_outcome_free(ts_outcome *o);
/* Same cycles, same MACs, same units with the same cycles for every cause, same bytes (asked
 * for, on the bus) and in-flight cycles of every level. */
void ts_assert_same_timing(const tp_stats *x, const tp_stats *y);

/* A random tiled GEMM program (tests/test_machine.c's engines-agree test): */
typedef struct {
    uint32_t M, N, K, kt;      /* kt: K per weight tile (the reference's kc) */
    tp_dtype dt;
    bool ta, tb;               /* A stored as K x M, B as N x K (loaded with transpose) */
} ts_gemm_case;
void ts_gen_gemm(const tp_tpu_cfg *t, rng_state *r, ts_gemm_case *gc, isa_program *p);

/* A random instruction soup on core 0 over tensors A, B (inputs) and C (outputs) of 8 x 8:
 * loads, weight loads, matmuls, activates, stores and fences over overlapping ranges; the
 * caller keeps it only if isa_validate accepts it. */
typedef struct {
    uint32_t mxus;          /* MXUs used (<= 8) */
    uint32_t dim;           /* blocks, matmul rows: 1..dim (<= 8) */
    uint32_t acc_entries;   /* accumulator rows per MXU (> dim) */
    uint32_t tiles;         /* FIFO tiles pushed and not yet used, per MXU, at most */
    uint32_t ub_slots, ub_slot_bytes;   /* UB addresses: 0, slot, ..., (slots - 1) x slot */
    bool os;                /* the machine is os: matmuls may hold their sums for the next */
} ts_soup_shape;
void ts_soup(const ts_soup_shape *sh, rng_state *r, tp_dtype dt, isa_program *p);
#endif
