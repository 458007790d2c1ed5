/* Private to sim/tiler/: the pieces of tiler_plan_try and tiler_estimate the search uses
 * separately, so it can skip the estimate of a plan whose lower bound is already far worse than
 * the best estimate found (search.c). */
#ifndef TP_TILER_TILER_INT_H
#define TP_TILER_TILER_INT_H
#include "tiler/tiler.h"

/* tiler_plan_try without the estimate (est_cycles = 0); err may be NULL (no message is formatted). */
tp_status tiler_plan_fit(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                         tp_err *err);
/* A lower bound of tiler_estimate, in O(1): the busiest MXU's stream cycles (its ops' operands
 * entering the array, one cycle each at least) and the off-chip bytes the plan moves at each
 * memory's bandwidth. */
uint64_t tiler_estimate_bound(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl);
/* What simulating the plan costs, in instruction-equivalents: its instructions and the rows of
 * its DMA blocks (the DRAM unit's cost grows with rows times channels). Sizes the search's slice. */
uint64_t tiler_sim_cost(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl);
/* tiler_estimate with prefixes of at least cap instructions per core (tiler_estimate: TILER_EST_CAP). */
#define TILER_EST_CAP 256u
uint64_t tiler_estimate_cap(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, uint32_t cap);
/* The estimates of one search: one machine for every prefix, and the estimates made so far by a
 * hash of the prefix program and its boundaries, so that candidates whose prefixes are the same
 * program (orders that differ in loops of one tile, or only past the prefix) are simulated once.
 * tiler_est_ctx_new: TP_OK, or an error with *out freeable (tiler_est_ctx_free; NULL is a no-op). */
typedef struct tiler_est_ctx tiler_est_ctx;
tp_status tiler_est_ctx_new(const tp_tpu_cfg *t, tiler_est_ctx **out);
void tiler_est_ctx_free(tiler_est_ctx *x);
/* tiler_estimate_cap in x (the same number); *exact (may be NULL) says the prefix was the whole
 * program, so the estimate is its simulated cycles, and then *xhash (may be NULL; else 0) is
 * that program's tiler_prog_hash. UINT64_MAX if the prefix could not run. */
uint64_t tiler_estimate_in(tiler_est_ctx *x, const gemm_problem *pb, const tiler_plan *pl, uint32_t cap, bool *exact,
                           uint64_t *xhash);
/* What one estimate did in its context, so that another context can take it as if it had made
 * it (the search's estimates on threads: estimate_all). The estimate of a prefix is a function
 * of the prefix alone; what the context records of it (its table, its count of instructions)
 * depends on the estimates made before it, so a thread's records are taken into the search's
 * context in the candidates' order. */
typedef struct {
    uint64_t key;       /* the prefix's key in the table; 0: no prefix could be made */
    uint64_t est;       /* tiler_estimate_in's result */
    uint32_t n_ins;     /* the prefix's instructions, counted when it is simulated */
    bool exact;         /* tiler_estimate_in's *exact */
    uint64_t xhash;     /* and its *xhash */
    bool loaded, ran;   /* the prefix was loaded, and ran */
    bool from_memo;     /* taken from the context's table, not simulated (n_ins, loaded, ran unset) */
} tiler_est_rec;
/* tiler_estimate_in in x, recording what it did in *rec. */
void tiler_estimate_rec(tiler_est_ctx *x, const gemm_problem *pb, const tiler_plan *pl, uint32_t cap,
                        tiler_est_rec *rec);
/* Takes r, made in another context, into x as tiler_estimate_in would have made it there: the
 * same *est, *exact and *xhash (may be NULL), table and counts. False when it cannot (r came
 * from the other context's table and x's has no such entry): call tiler_estimate_in in x
 * instead. */
bool tiler_est_ctx_take(tiler_est_ctx *x, const tiler_est_rec *r, uint64_t *est, bool *exact, uint64_t *xhash);
/* Instructions x has simulated so far (the cost of its estimates). */
uint64_t tiler_est_ctx_instructions(const tiler_est_ctx *x);
/* A hash of instructions [from, to) of q (identical programs of the search run once). */
uint64_t tiler_prog_hash(const isa_program *q, uint32_t from, uint32_t to);
/* A prefix of a plan's program (gen.c), which the estimate simulates: each core's stream is cut
 * after the first output tile's epilogue (its activates and store) at or past cap instructions,
 * or at the first step (one K tile of one output tile) past 8 caps (0: the whole program). The
 * last core, which the split deals the most units, reports its boundaries: its instructions
 * [start, first_end) are its first output tile (or its first 8 caps) and [start, prefix_end)
 * its prefix (the program lists
 * the cores' streams one after the other), the MACs they emit, and the MACs of its stream. */
typedef struct {
    uint32_t cap;
    bool cut;                    /* out: the busiest core's stream was cut short */
    uint32_t start, first_end, prefix_end;
    uint64_t first_macs, prefix_macs, total_macs;
} tiler_prefix;
tp_status tiler_generate_prefix(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, tiler_prefix *px,
                                isa_program *p, tp_err *err);
#endif
