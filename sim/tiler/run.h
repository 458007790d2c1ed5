/* Running a tiled GEMM on the machine: inputs (given, or seeded random from work/fill.h), the
 * machine run, the independent reference check (work/ref.h) and the derived figures a report
 * needs. Shared by `tpusim gemm` and `tpusim model`.
 *
 * The reference follows the order the plan's program accumulates in (tiler_ref_spec): kc =
 * plan.kc, the accumulation chunk the program implies, and with split-K one such sum per part
 * of plan.k_part, added as C = P_p + C in ascending part order; then the plan's epilogue.
 */
#ifndef TP_TILER_RUN_H
#define TP_TILER_RUN_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "base/err.h"
#include "config/config.h"
#include "stats/stats.h"
#include "tiler/tiler.h"
#include "tpu/machine.h"
#include "work/gemm.h"
#include "work/ref.h"

typedef struct {
    machine_engine engine;
    bool no_fast_forward;    /* --fast-forward off (machine_set_fast_forward) */
    bool timing_only;        /* no values: no matrices are allocated */
    bool check;              /* compare with the reference (ignored when timing_only) */
    uint64_t seed;           /* random inputs when a / b are NULL */
    const void *a, *b;       /* caller's inputs in the stored layout (A: batch*M x K, or batch*K x M if
                                transposed; B likewise), dtype = problem dtype; NULL = random */
    int threads;             /* value kernels; 0 = default */
    machine_progress_fn progress;   /* the run's progress (machine_set_progress), NULL = none */
    void *progress_ctx;
    timeline *trace;         /* --trace: the machine records into it (NULL: no recording) */
    /* the HTML report (engine pe): passed to machine_set_mxu_observer, and after_run is called
     * with the machine once it has run (NULL = none) */
    mxu_pe_observer observer;
    void *observer_ctx;
    void (*after_run)(void *ctx, const machine *m);
    /* called once the program is made and the machine has accepted it, before anything big is
     * allocated or run, with its length (tiler_run_cost); NULL = none */
    void (*before_run)(void *ctx, uint64_t n_ins);
    void *before_run_ctx;
} tiler_run_opts;

typedef struct {
    tiler_plan plan;
    tp_stats stats;          /* deep copy of the machine's stats */
    void *a, *b, *c;         /* owned matrices (NULL when timing only) */
    bool checked;            /* the reference check ran */
    bool match;              /* ... and every element matched */
    char mismatch[200];      /* the first differing element, when !match */
    uint64_t macs;           /* useful MACs: batch * M * N * K */
    uint64_t ff_skipped;     /* instructions the fast-forward jumped over (machine_ff_skipped) */
    /* copies of the stats record's derived figures (stats/stats.h) */
    uint64_t offchip_bytes;  /* requested read + write bytes of every off-chip level */
    double ops_per_s;        /* achieved 2 * macs / seconds */
    double peak_ops_per_s;
    double intensity;        /* 2 * macs / off-chip bus bytes (ops per byte) */
    double roofline_ops_per_s; /* stats_finish's roofline bound */
} tiler_result;

/* Runs plan (derived with tiler_plan_derive or chosen by tiler_search) on cfg. On failure *r
 * is freed. A result mismatch is not a failure: r->match says it. */
tp_status tiler_run(const tp_config *cfg, const gemm_problem *pb, const tiler_plan *plan,
                    const tiler_run_opts *o, tiler_result *r, tp_err *err);
void tiler_result_free(tiler_result *r);

/* What tiler_run of a program of n_ins instructions will take: *bytes of memory (the
 * machine's run state, machine_run_bytes, and with values the matrices and, when checked, the
 * reference's C and its own copies, ref_gemm_scratch_bytes) and *seconds, about: every
 * instruction simulated at TILER_SECONDS_PER_INS (the fast-forward only lowers it), and with
 * values every MAC of the run and of the check at TILER_MACS_PER_SECOND and every fresh byte
 * first touched at TILER_FRESH_BYTES_PER_SECOND. The rates were measured on docs/tiler.md's
 * 2-core VMs; a guide, not a bound (docs/tiler.md "A big run says so first"). */
#define TILER_SECONDS_PER_INS 2e-6           /* 4096^3 on 32x32, fast-forward off: 4.54 s for 2.37 M */
#define TILER_MACS_PER_SECOND 6.7e10         /* the reference check of bf16 4096^3 on tpu-v4-core: 6.9e10 in 1.02 s */
#define TILER_FRESH_BYTES_PER_SECOND 2.5e8   /* first touches: 0.15-1.25 GB/s (2 MiB pages the slower) */
void tiler_run_cost(const tp_config *cfg, const gemm_problem *pb, const tiler_plan *plan, uint64_t n_ins,
                    bool timing_only, bool check, uint64_t *bytes, double *seconds);
/* tiler_run_cost's time: n_ins instructions simulated, macs MACs computed (every pass counted)
 * and fresh_bytes first touched, at the rates above. */
double tiler_run_seconds(uint64_t n_ins, double macs, uint64_t fresh_bytes);

/* The reference's order for plan's program: kc, the split-K part length (0 without split-K),
 * the epilogue and its scale. */
ref_spec tiler_ref_spec(const tiler_plan *plan);
#endif
