/* Private to sim/tiler/: the pieces of tiler_plan_try and tiler_estimate the search uses
 * separately, so it can skip the estimate of a plan whose lower bound is already far worse than
 * the best estimate found (search.c). */
#ifndef TP_TILER_TILER_INT_H
#define TP_TILER_TILER_INT_H
#include "tiler/tiler.h"

/* tiler_plan_try without the estimate (est_cycles = 0). */
tp_status tiler_plan_fit(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                         tp_err *err);
/* A lower bound of tiler_estimate, in O(1): the busiest MXU's stream cycles (its ops' operands
 * entering the array, one cycle each at least) and the off-chip bytes the plan moves at each
 * memory's bandwidth. */
uint64_t tiler_estimate_bound(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl);
/* What simulating the plan costs, in instruction-equivalents: its instructions and the rows of
 * its DMA blocks (the DRAM unit's cost grows with rows times channels). Sizes the search's slice. */
uint64_t tiler_sim_cost(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl);
#endif
