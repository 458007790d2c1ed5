/* One SM running one CTA's main loop, warp instruction by warp instruction: the sub-cores'
 * warp schedulers (gto or lrr), in-order issue with a register scoreboard, the tensor units
 * (latency and initiation interval), shared memory (one port of `banks` words per cycle, with
 * bank conflicts from the layout's addresses), the CTA barrier. Shared-memory data is assumed
 * to have arrived (the off-chip side is gpu.c's); what comes out is the K-step's period and
 * where its cycles went, which gpu.c replays for every K-step of every CTA.
 *
 * NOTES ON THE DESIGN OF THE SM
 *
 * 1. Instruction stream of one warp for one K-step of S = bk / mma.k slices (CUTLASS's
 *    multistage main loop, fragments double-buffered in registers):
 *        for ks in 0 .. S-1:
 *            if ks == S-1:  CP x n_cp  (cp.async of the next stage: its share of the stage's
 *                                       bytes / (16 bytes x 32 threads); TMA: one per tile
 *                                       on warp 0 only), then BAR (the CTA barrier)
 *            LDS x (nA + nB)           (ldmatrix.x4 of slice ks+1's A and B fragments; after
 *                                       BAR, slice 0 of the next K-step)
 *            MMA x (wm/m x wn/n)       (slice ks)
 *    nA = ceil(wm x mma.k x bytes / 512), nB likewise with wn.
 * 1b. Warpgroup MMA (kernel.h note 5b): per slice each warp issues one WGMMA instead of
 *    LDS + MMAs: it holds a tensor unit for (wm/m x wn/n) x interval / u cycles, reads its A
 *    rows and a quarter of B (the warpgroup shares B) through the shared-memory port while it
 *    runs, so a slower port holds the unit longer (charged smem_bandwidth or bank_conflict);
 *    results after `latency`. Copies are TMA with gpu.tma: one per tile, by the first warp.
 * 1c. Volta's mma.m8n8k4 (an 8x8 MMA shape): the PTX ISA runs it per quad-pair (four groups of
 *    8 threads, each its own 8x8x4 product with its own A and B fragments); in the warp's
 *    16x16x4 tile (CUTLASS SM70) each 8x4 A block and each 4x8 B block is held by two
 *    quad-pairs, so nA and nB are doubled: the warp loads each operand byte twice.
 * 2. Scoreboard: an MMA waits for the LDS that wrote its A and B fragments and for the MMA
 *    before it on the same accumulator (its latency). Operands are read at issue (no WAR).
 * 3. Issue: each sub-core issues at most one instruction per cycle, warps w with w mod
 *    schedulers == sub-core. gto keeps issuing from the last warp while it can, else the
 *    oldest ready warp; lrr takes the first ready warp after the last one issued.
 * 4. Tensor units: u = tensor_units_per_sm / schedulers per sub-core; an MMA issues when one
 *    is free and holds it for `interval` cycles; its result is ready `latency` cycles after
 *    issue. The sub-core's pipe is busy interval / u cycles per MMA.
 * 5. Shared memory: one SM-wide port serving one wavefront (banks x 4 bytes) per cycle. An
 *    ldmatrix.x4 is four phases of conflict degree d (gpu_smem_conflict): 4d wavefronts; it
 *    starts when the port is free and its data is ready smem_latency + 4d - 1 cycles after it
 *    starts. cp.async writes its bytes / (banks x 4) wavefronts into the same port.
 * 6. Accounting: each sub-core's pipe cycles are charged busy while an MMA holds it, else to
 *    why its scheduler issued no MMA: the warp it would issue from waits on an LDS (smem
 *    bandwidth, or bank conflict when d > 1), on an accumulator (mma latency), at the barrier
 *    (barrier), or it issued another instruction (issue). The SM's causes for a K-step are the
 *    sub-cores' mean, rounded to sum to the period.
 * 6b. Co-resident CTAs: the same program runs for n = 1 .. occupancy CTAs at once (warps of
 *    all of them on the sub-cores, oldest first by CTA, a barrier each); res[n-1] is CTA 0's
 *    K-step with n resident, so issue slots, tensor units and the shared-memory port are
 *    shared by the mechanism itself.
 * 7. Periodicity: the barrier aligns all warps once per K-step, so after the first K-step the
 *    machine state at each barrier release repeats; gpu_sm_step simulates GPU_SM_STEPS K-steps
 *    and takes the period between the last two releases (the test checks the periods agree).
 *    A CTA of ks >= 2 K-steps then takes first + (ks-1) x period + drain cycles with its data
 *    ready; one of a single K-step is simulated on its own (single_cycles), since its MMAs
 *    wait on the prologue's loads rather than on loads overlapped with a previous step.
 */
#ifndef TP_GPU_SM_H
#define TP_GPU_SM_H
#include <stdint.h>
#include "base/err.h"
#include "config/config.h"
#include "gpu/kernel.h"
#include "stats/stats.h"

#define GPU_SM_STEPS 4
#define GPU_SM_MAX_RES 32   /* resident CTAs simulated together; more share the figures of 32 */

/* A steady K-step of one CTA while n CTAs are resident on the SM (their warps share the
 * sub-cores, tensor units and shared-memory port; each has its own barrier). */
typedef struct {
    uint64_t period_cycles, prev_period_cycles, first_cycles, drain_cycles;
    uint64_t cause[STATS_SM__COUNT];    /* sum = period; busy is this CTA's share of the SM's */
} gpu_sm_res;

typedef struct {
    uint64_t period_cycles;         /* barrier to barrier of one steady K-step, data ready */
    uint64_t prev_period_cycles;    /* the period before it (equal when periodic) */
    uint64_t first_cycles;          /* from the CTA's start (data ready) to its first barrier's
                                       release plus one period: the first K-step's length */
    uint64_t drain_cycles;          /* from the last MMA's issue to its result (the epilogue waits) */
    uint64_t pipe_cycles;           /* cycles one K-step holds a sub-core's tensor pipe */
    uint64_t mmas_per_step;         /* MMA instructions of one K-step of the whole CTA */
    uint32_t conflict_a, conflict_b;/* ldmatrix conflict degrees of the A and B tiles */
    uint64_t cause[STATS_SM__COUNT];/* one steady K-step's cycles by cause (sum = period) */
    uint64_t single_cycles;         /* a CTA of one K-step: start (data ready) to its last result */
    uint64_t single_cause[STATS_SM__COUNT]; /* its cycles by cause (sum = single_cycles) */
    uint64_t instructions;          /* warp instructions of one K-step of the CTA */
    uint32_t max_resident;          /* min(occupancy, GPU_SM_MAX_RES) */
    gpu_sm_res res[GPU_SM_MAX_RES]; /* res[n-1]: with n CTAs resident (res[0] = the fields above) */
    uint64_t smem_read_bytes, smem_write_bytes;   /* per K-step of the CTA */
} gpu_sm_step;

/* Simulates the kernel's main loop on one SM for transpose flags ta, tb (the stored tile
 * shapes decide the conflicts). TP_ERR_NOMEM, or the kernel's check error. */
tp_status gpu_sm_step_run(const tp_gpu_cfg *g, const gpu_kernel *k, bool ta, bool tb, gpu_sm_step *out, tp_err *err);
#endif
