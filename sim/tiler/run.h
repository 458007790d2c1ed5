/* Running a tiled GEMM on the machine: inputs (given or seeded random), the machine run, the
 * independent reference check, and the derived figures a report needs. Shared by `tpusim gemm`
 * and `tpusim model`.
 *
 * Reference: for each batch, num_gemm (num/gemm.h, same bits as num_gemm_ref) with
 * kc = plan.kc, the accumulation chunk the tiler's program implies (with split-K: one such sum
 * per part of plan.k_part, added as C = P_p + C in ascending part order), then the epilogue
 * exactly as the vector unit defines it: relu = (x < 0 ? 0 : x) on the int32 / fp32 accumulator
 * (NaN and -0.0 pass unchanged),
 * requant = num_requant_i8(x, scale) for int8 and dtype_f32_to_bf16(x) for bf16. The comparison is
 * bitwise (NaN compares by bits too).
 */
#ifndef TP_TILER_RUN_H
#define TP_TILER_RUN_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "base/err.h"
#include "base/rng.h"
#include "config/config.h"
#include "stats/stats.h"
#include "tiler/tiler.h"
#include "tpu/machine.h"

typedef struct {
    machine_engine engine;
    bool timing_only;        /* no values: no matrices are allocated */
    bool check;              /* compare with the reference (ignored when timing_only) */
    uint64_t seed;           /* random inputs when a / b are NULL */
    const void *a, *b;       /* caller's inputs in the stored layout (A: batch*M x K, or batch*K x M if
                                transposed; B likewise), dtype = problem dtype; NULL = random */
    int threads;             /* value kernels; 0 = default */
} tiler_run_opts;

typedef struct {
    tiler_plan plan;
    tp_stats stats;          /* deep copy of the machine's stats */
    void *a, *b, *c;         /* owned matrices (NULL when timing only) */
    bool checked;            /* the reference check ran */
    bool match;              /* ... and every element matched */
    char mismatch[200];      /* the first differing element, when !match */
    uint64_t macs;           /* useful MACs: batch * M * N * K */
    uint64_t offchip_bytes;  /* read + write bytes of every off-chip level */
    double ops_per_s;        /* achieved 2 * macs / seconds */
    double peak_ops_per_s;
    double intensity;        /* 2 * macs / offchip_bytes (ops per byte) */
    double roofline_ops_per_s; /* min(peak, intensity * off-chip bandwidth) */
} tiler_result;

/* Runs plan (derived with tiler_plan_derive or chosen by tiler_search) on cfg. On failure *r
 * is freed. A result mismatch is not a failure: r->match says it. */
tp_status tiler_run(const tp_config *cfg, const tiler_problem *pb, const tiler_plan *plan,
                    const tiler_run_opts *o, tiler_result *r, tp_err *err);
void tiler_result_free(tiler_result *r);

/* The reference result of plan's program on a, b into c (batch*M x N of plan.out_dtype). */
void tiler_reference(const tiler_problem *pb, const tiler_plan *plan, const void *a, const void *b,
                     void *c, int threads);
/* Fills n inputs of dtype dt from r: int8 uniform over all 256 values; bf16 finite normal values
 * of random sign with |x| in [2^-4, 2^4) (biased exponent 123..130, any fraction). One draw
 * from r seeds the matrix; chunks of 65536 values then come from their own splitmix streams
 * (seeded by splitmix(base + chunk)), filled by several threads; the values do not depend on
 * the thread count. */
void tiler_fill_random(tp_dtype dt, void *p, size_t n, rng_state *r);
/* Elements of one stored input (batch * M * K or batch * K * N); refuses more than NPY_MAX_ELEMS. */
tp_status tiler_check_sizes(const tiler_problem *pb, tp_err *err);
#endif
