/* The tiler: one GEMM problem C[M,N] (+)= A[M,K] . B[K,N] (int8 or bf16, A and/or B stored
 * transposed, batched) -> a TPU program (tpu/isa.h) for a given machine.
 *
 * A plan fixes the tile sizes tm x tn x tk, the loop order over the three tile loops, double
 * buffering, the epilogue and how tiles spread over cores and MXUs. docs/tiler.md has the
 * footprint and estimate equations; the short form:
 *
 *   K-tiles: tk is a multiple of the array rows (the op's k, kop = rows for ws/is) except the
 *            last, so partial sums break where the hardware's do and the reference uses
 *            kc = kop (num/gemm.h).
 *   UB (per core):  A slots   = (db ? 2 : 1) * tm * tk * in_bytes   (tm * K with an A panel)
 *                   out slots = (db ? 2 : 1) * tm * tn * out_bytes
 *   accumulators (per MXU): acc slots * tm * ceil(groups / mxus) rows, groups = ceil(tn / cols);
 *            acc slots = (db ? 2 : 1) * (output tiles live across the k loop: 1 when k is the
 *            innermost loop, the tiles of the loops inside k otherwise).
 *   weight FIFO: double buffering of weights needs depth >= 2 tiles.
 * A plan whose footprint exceeds a buffer is refused with a message naming the buffer, what it
 * needs, what it has and by how much it is over, and a code saying which check refused it
 * (tiler_refusal).
 *
 * Tiles (mi, ni) of every batch are dealt to cores in contiguous runs; inside a core, the
 * cols-wide column groups of a tile are dealt to its MXUs round-robin (they share the A tile in
 * the UB). One output's K is never split across MXUs unless split_k > 1 asks for it: then K is
 * cut into split_k parts of whole K-tiles (k_part each but the last, none of them empty: a split
 * that would leave a part without K tiles is refused), part p of column group g is
 * item q = g * split_k + p, on MXU q mod U; the parts' accumulators are summed by the vector
 * unit in ascending part order, C = ((P0 + P1) + P2) ..., one row at a time (activate adds a
 * bias row), and the reference follows that order (work/ref.h, via tiler_ref_spec in tiler/run.h).
 *
 * Files: plan.c (parsing, tiler_plan_try), estimate.c (tiler_estimate), gen.c (tiler_generate[_into]),
 * search.c (tiler_search, the only one that runs the machine), notes.c (tiler_notes: what a
 * plan does that was not asked for); loops.h is their private loop-nest arithmetic.
 */
#ifndef TP_TILER_TILER_H
#define TP_TILER_TILER_H
#include <stdbool.h>
#include <stdint.h>
#include "base/dtype.h"
#include "base/err.h"
#include "config/config.h"
#include "tpu/isa.h"
#include "work/gemm.h"

/* What the user asked for; zero / empty fields are chosen by the search. */
typedef struct {
    uint32_t tm, tn, tk;     /* 0 = choose */
    char order[4];           /* "mnk" ... ; "" = choose */
    int double_buffer;       /* -1 choose, 0 off, 1 on */
    gemm_epilogue epilogue;
    float requant_scale;     /* epilogue requant (int8 output); 0 = 1/256 */
    uint32_t split_k;        /* 0 or 1: never split an output's K across MXUs; n: n parts */
    bool show_search;        /* gemm --show-search (tiler_search fills the list when given one) */
    int threads;             /* the first round's estimates and the finalists' simulations run on
                                this many threads (0, 1: one); the choice and every figure are the
                                same whatever it is */
} tiler_opts;

typedef struct {
    uint32_t tm, tn, tk;
    char order[4];           /* outermost first, e.g. "mnk" */
    bool double_buffer;
    gemm_epilogue epilogue;
    float requant_scale;
    uint32_t split_k;        /* K split into this many parts on different MXUs of a core (0 or 1: none) */
    /* derived by tiler_plan_derive */
    uint32_t kop, mop, nop;  /* per-matmul-op limits: k rows, m rows, n columns */
    uint32_t m_split;        /* an output tile's rows in this many parts on different MXUs (when it
                                has fewer column groups than the core has MXUs; 1 = none) */
    uint32_t m_part;         /* rows per part (the last may be shorter) */
    bool a_panel;            /* order mnk: A's whole tm x K row panel stays in the UB across the
                                n loop (chosen when it fits and there is more than one n and k tile) */
    uint32_t kc;             /* accumulation chunk the reference must use (num_gemm kc) */
    uint32_t k_part;         /* split-K: K length of each part but the last (= K without split) */
    npy_dtype out_dtype;     /* C's dtype: raw <i4/<f4, int8 for requant of int8, bf16 for bf16 requant */
    uint32_t cores_used, mxus_used;
    uint64_t ub_bytes;       /* per core */
    uint64_t acc_rows;       /* per MXU */
    uint32_t acc_slots;
    uint64_t est_cycles;     /* analytic estimate */
    uint64_t instructions;   /* upper bound of the program's length */
} tiler_plan;

/* Programs longer than this are refused (the machine keeps every instruction in memory). */
#define TILER_MAX_INSTRUCTIONS (8u << 20)
/* Split-K parts at most (besides the MXUs of a core): the program generator keeps one
 * accumulator address per part of a column group in a fixed array of this size. */
#define TILER_MAX_SPLIT_K 64u

/* Why a plan was refused, one code per check of tiler_plan_try (in the order they run). */
typedef enum {
    TILER_FITS = 0,           /* not refused */
    TILER_REFUSE_TILE_ZERO,   /* "--tile AxBxC: tile sizes must be at least 1" */
    TILER_REFUSE_ORDER,       /* "--order: expected a permutation of m, n, k" */
    TILER_REFUSE_BATCH,       /* batch x the largest dimension exceeds 2^32 rows */
    TILER_REFUSE_K_MULTIPLE,  /* the K tile is not a multiple of the op's k and does not cover K */
    TILER_REFUSE_SPLIT_K,     /* more parts than the MXUs of a core (or TILER_MAX_SPLIT_K) */
    TILER_REFUSE_SPLIT_K_ORDER, /* split-K with k not the innermost loop */
    TILER_REFUSE_SPLIT_K_TILES, /* fewer K tiles than split-K parts */
    TILER_REFUSE_SPLIT_K_EMPTY, /* the K tiles cut into parts of equal length leave a part empty */
    TILER_REFUSE_FIFO,        /* a weight tile needs more FIFO slots than the FIFO holds */
    TILER_REFUSE_ACC,         /* the accumulators are too small for the live output tiles */
    TILER_REFUSE_UB,          /* the unified buffer is too small for the A and output slots */
    TILER_REFUSE_TOO_LONG,    /* the program would exceed TILER_MAX_INSTRUCTIONS */
    TILER_REFUSE__COUNT
} tiler_refusal;
/* Whether a refusal depends on the tile sizes (its message then starts with "--tile AxBxC: "),
 * rather than on the order, the batch or the split-K count alone. */
bool tiler_refusal_of_tile(tiler_refusal r);

/* Fills the derived fields of a plan from its tiles (tm, tn, tk, order, double_buffer, epilogue)
 * and checks it fits the machine; on failure the message names the overflowing buffer, e.g.
 * "--tile 512x512x512: unified buffer needs 1.5 MiB for A and output tiles (double-buffered)
 * but has 1 MiB (0.5 MiB over)". */
tp_status tiler_plan_derive(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tp_err *err);
/* The same, and *why (if not NULL) gets the check that refused the plan (TILER_FITS on success). */
tp_status tiler_plan_try(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                         tp_err *err);
/* The is dataflow as the ws plan of C^T = B^T A^T (the machine runs is as ws motion with A^T
 * stationary in the FIFO and B^T streamed from the UB; tpu/machine.c): *tv = t as ws, *pv = pb
 * with m and n (and the transposes) swapped, *lv = pl with tm and tn swapped and m and n
 * swapped in the order. For ws and os the three are copies. A plan derived for is keeps the
 * problem's orientation (tm x tn x tk of C) in tm, tn, tk and order, and the view's in the
 * derived fields (kop, mop, nop, a_panel, acc_rows: B^T panel, C^T rows). */
void tiler_is_view(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, tp_tpu_cfg *tv,
                   gemm_problem *pv, tiler_plan *lv);
/* UB slots for A tiles: 1 or 2 (double buffering), times the split-K parts unless the whole
 * A row panel stays (a_panel). */
static inline uint32_t tiler_a_slots(const tiler_plan *pl)
{
    return (pl->double_buffer ? 2u : 1u) * (pl->split_k > 1 && !pl->a_panel ? pl->split_k : 1u);
}
/* Cycle estimate of a derived plan: the busiest core's program walked through the machine's
 * mechanisms in closed form (estimate.c; docs/tiler.md "The estimate"). Ranks the search's
 * candidates; the choice is made on simulated cycles. */
uint64_t tiler_estimate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl);
/* Writes the program of a derived plan: tensors "A", "B", "C" as declared in docs/tiler.md. */
tp_status tiler_generate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl,
                         isa_program *p, tp_err *err);

/* Layers chained in the unified buffer (tpusim model, one core): A read from a UB region
 * instead of DRAM, and/or C written into a UB region in the input dtype (relu applied when the
 * epilogue says so, int8 requantized with requant_scale, bf16 rounded) instead of stored.
 * Regions hold the whole matrix as packed rows (stride = row bytes). Tensor names get `prefix`. */
typedef struct {
    const char *prefix;      /* e.g. "L3." ("" or NULL: "A", "B", "C") */
    bool a_resident;         /* A is in the UB at a_base (M rows of K elements) */
    uint64_t a_base;
    bool c_resident;         /* C goes to the UB at c_base (M rows of N elements, input dtype) */
    uint64_t c_base;
} tiler_chain;

/* Appends one GEMM's program to p (which isa_init started) with the chaining ch (NULL: none). */
tp_status tiler_generate_into(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl,
                              const tiler_chain *ch, isa_program *p, tp_err *err);

typedef struct {
    tiler_plan plan;
    uint64_t cycles;         /* simulated (timing only); 0 if not simulated */
    bool simulated;
    bool pruned;             /* not estimated: its lower bound was far above the best estimate, so its
                                plan.est_cycles is that bound, and it ranks after every estimated one */
    bool same_program;       /* simulated: cycles taken from an earlier candidate whose slice program is
                                identical (e.g. mnk and nmk when a loop has one tile) */
    bool est_long;           /* estimated again on the search's longer prefix (or whole): ranks before
                                every candidate estimated on the short one only */
    bool est_exact;          /* its estimate simulated the whole program: it is the program's cycles */
    uint64_t exact_hash;     /* est_exact: tiler_prog_hash of that program (the search's finalist of the
                                same program takes the estimate as its cycles); else 0 */
    uint64_t rank;           /* the search's sort key: est_rank of plan.est_cycles, set before a sort */
} tiler_candidate;

/* Chooses a plan: every field the user fixed in opts is kept, the rest enumerated (balanced
 * and power-of-two tile sizes, six loop orders, double buffering on and off, split-K where it
 * finds idle MXUs); candidates that fit are ranked by the estimate and the best distinct
 * programs (and the best of each order/buffering/split class) simulated timing-only on cfg, on
 * the whole problem or, past a budget, on a slice (all of N and K, whole m tiles per core; the
 * slice's rows go to *search_rows if not NULL); the fewest simulated cycles wins (ties: the
 * better estimate). docs/tiler.md "The search". If cands is not NULL it receives the candidate
 * list ranked by estimate (malloc'd, caller frees) and *n_cands its length. */
tp_status tiler_search(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *opts,
                       tiler_plan *best, tiler_candidate **cands, size_t *n_cands, uint64_t *search_rows,
                       tp_err *err);

/* The exhaustive search behind the search's check (tests/check_search.sh, --show-search
 * exhaustive): every plan of the same search space that fits, each simulated timing-only on the
 * whole problem (identical programs once); *cands (malloc'd, ranked by estimate) and *best, the
 * index of the fewest cycles (ties: the better estimate). Slow: one simulation per candidate. */
tp_status tiler_search_exhaustive(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *opts,
                                  tiler_candidate **cands, size_t *n_cands, size_t *best, tp_err *err);

/* Nothing changes silently: what a chosen plan does that the user did not ask for, or what they
 * asked for that does not help. gemm prints each as a "note" line of its report and writes
 * them to the JSON (gemm.notes[]: kind and message). Notes never change the plan. */
typedef enum {
    TILER_NOTE_TILE_CLAMPED,      /* "tile_clamped": a --tile side past its dimension runs as the dimension */
    TILER_NOTE_DOUBLE_BUFFER_OFF, /* "double_buffer_off": left to the tiler, off because on does not fit */
    TILER_NOTE_SPLIT_K_NO_MXUS,   /* "split_k_adds_no_mxus": the N tile's column groups already fill the MXUs */
    TILER_NOTE__COUNT
} tiler_note_kind;

typedef struct {
    tiler_note_kind kind;
    char msg[512];                /* one line, no trailing newline */
} tiler_note;

/* The note kind's JSON name, e.g. "tile_clamped". */
const char *tiler_note_name(tiler_note_kind k);
/* Fills out[] with the notes of the derived plan pl, chosen on t for what opts asked (the same
 * opts tiler_search got); at most one note of each kind, in kind order. Returns how many. */
size_t tiler_notes(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_opts *opts, const tiler_plan *pl,
                   tiler_note out[TILER_NOTE__COUNT]);

/* How many of tiler_search's candidates (ranked by estimate) a listing shows to give the best
 * `best` and every simulated one, so the chosen one is always among them: min(n, max(best, 1 +
 * the index of the last simulated)). */
size_t tiler_candidates_to_show(const tiler_candidate *c, size_t n, size_t best);

/* Parses "512x256x256" (each a whole number >= 1) into tm, tn, tk; 0 ok, -1 bad. */
int tiler_parse_tile(const char *s, uint32_t *tm, uint32_t *tn, uint32_t *tk);
/* Accepts a permutation of "mnk"; 0 ok, -1 bad. */
int tiler_parse_order(const char *s, char out[4]);
#endif
