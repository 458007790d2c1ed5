/* The GPU model's entry point: one CUTLASS-style GEMM kernel on a SIMT GPU config, timing only
 * (values are not computed), filling the shared stats record (docs/gpu.md).
 *
 * NOTES ON THE DESIGN OF THE GPU RUN
 *
 * 1. Two levels. gpu_sm_step_run (sm.c) simulates one CTA's main loop on one SM warp
 *    instruction by warp instruction, with data in shared memory, and yields the K-step's
 *    period, the first K-step's length, the drain and the causes of a K-step. This run then
 *    plays every K-step of every CTA of the grid against the shared L2 and DRAM as events
 *    (stats/evq) in time order:
 *        X_0     = arrival of stage 0                       (the CTA's start issued stages
 *                                                            0 .. stages-2: the prologue)
 *        at X_s    issue stage s + stages - 1 (if any)       (cp.async into the freed buffer)
 *        P_s     = max(X_s, pipe_free of the SM);  pipe_free = P_s + pipe cycles of a K-step
 *        B_s     = P_s + (s == 0 ? first : period)        (the barrier of step s)
 *        X_{s+1} = max(B_s, arrival of stage s+1)
 *        end     = B_last + drain, then the epilogue: C staged through shared memory
 *                  (bm x bn x 4 bytes written and read at the port's rate) and written
 *                  through L2 to DRAM; the SM's slot takes the next CTA of the grid.
 *    A stage's arrival = max(L2 bandwidth queue end, the DRAM accesses of its L2 misses) +
 *    the L2 latency. Occupancy CTAs share an SM; the SM's tensor pipes are the shared resource
 *    (pipe_free), which is exact for one CTA per SM and an approximation for more.
 * 2. Waves. CTAs are dispatched in grid order (rasterized, kernel.h note 5) to free CTA slots,
 *    all slots of all SMs at the start: wave and tile quantization fall out.
 * 3. Time. The simulation runs in cycles of gpu.sustained_clock (= gpu.clock unless given):
 *    DRAM and L2 bandwidths become bytes per sustained cycle. The fixed launch overhead is a
 *    time (gpu.launch_overhead, picoseconds, never converted through a clock); it is put in
 *    front of the kernel as L = round(overhead x sustained clock) cycles charged `launch`, so
 *        seconds = (L + kernel cycles) / sustained clock = overhead + kernel cycles / f_sus
 *    up to half a cycle of rounding.
 * 4. Accounting per SM: each CTA slot has a timeline (stats/acct): launch, then per CTA
 *    cp_async_wait until its first stage arrives, each K-step's causes from the SM model
 *    (busy split into busy and padding by the CTA's useful fraction), cache / dram for waits on
 *    a stage (cache: L2, dram), mma_latency for the drain, smem_bandwidth for the epilogue, wave_tail after its
 *    last CTA. The SM's busy and padding are the sum over its slots (its tensor pipes are
 *    shared); its other cycles are split in proportion to the slots' other causes.
 * 5. Steady waves (an approximation, unless opts.exact): with more than GPU_WAVES_SIMULATED + 1
 *    full waves, the first GPU_WAVES_SIMULATED are simulated; when the first CTA of the next
 *    wave is dispatched, the wave just finished (from the dispatch of its first CTA to now,
 *    T cycles) is taken to repeat for all but the last full wave: time jumps by (waves
 *    skipped) x T, counters and causes grow by that many times the last wave's growth, the
 *    skipped CTAs' MACs are counted exactly; the last full wave and the partial one are
 *    simulated. L2 contents are not advanced through the skipped CTAs. tests/test_gpu.c
 *    measures the error against the exact run.
 */
#ifndef TP_GPU_GPU_H
#define TP_GPU_GPU_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "config/config.h"
#include "gpu/kernel.h"
#include "gpu/sm.h"
#include "stats/stats.h"
#include "stats/timeline.h"
#include "work/gemm.h"

typedef struct {
    const gpu_kernel *kernel;   /* NULL: gpu_kernel_choose */
    bool fp16;                  /* run a 16-bit problem on the fp16 tensor cores (V100, Turing) */
    bool exact;                 /* simulate every wave (no steady-wave skipping, note 5) */
    timeline *trace;            /* --trace: record into it (docs/trace.md; NULL: none). Group
                                   "gpu": per SM a cause track "sm<i>" and per CTA slot
                                   "sm<i>.<j>" (a slice per CTA, children mainloop and epilogue)
                                   with its cause track; "l2" transfers, a "grid" track (the
                                   kernel, skipped steady waves); group "gpu mem": DRAM channels.
                                   Skipped waves (note 5) have no slices of their own. */
} gpu_run_opts;

#define GPU_WAVES_SIMULATED 3   /* full waves simulated before steady ones are skipped */

/* What the run decided and saw, beside the stats record. */
typedef struct {
    gpu_kernel kernel;
    gpu_kernel_info kinfo;
    gpu_sm_step step;
    uint64_t ctas, waves;           /* waves = ceil(ctas / (sms x occupancy)) */
    uint64_t l2_hits, l2_misses;    /* line lookups of the loads */
    uint64_t launch_cycles, kernel_cycles;
    uint64_t skipped_waves;         /* steady waves not simulated (note 5) */
    double seconds;
} gpu_run_info;

/* Runs C = A . B of pb on cfg's GPU with kernel k (NULL = choose) and fills *out (stats_init'ed
 * by the caller or fresh; it is reset). machine_kind "gpu", compute_unit "SM", dtype the input
 * type. TP_ERR_UNSUPPORTED (one line) when the GPU lacks the dtype's tensor cores or the
 * config has no gpu: section; TP_ERR_USAGE when k does not fit. *out is freed on failure. */
tp_status gpu_run_gemm(const tp_config *cfg, const gemm_problem *pb, const gpu_kernel *k, tp_stats *out, tp_err *err);
/* The same with options, and what was decided in *info (may be NULL). */
tp_status gpu_run_gemm_opts(const tp_config *cfg, const gemm_problem *pb, const gpu_run_opts *o, tp_stats *out,
                            gpu_run_info *info, tp_err *err);
#endif
