/* Private to the TPU machine: the structs its blocks share, as Lua's lstate.h is to Lua. Only
 * sim/tpu/ (and white-box tests) include it; everyone else uses tpu/machine.h.
 *
 *   machine.c    lifecycle, in-order issue, retire, the event loop, run (the design essay)
 *   sb.c         scoreboard: footprints, RAW/WAR/WAW, cached readiness          sb_
 *   wbuf.c       weight FIFO ring per MXU: slots, release, program-order replay  wbuf_
 *   dma.c        DMA engines: load, loadw, store; their timing and values       dma_
 *   vpu.c        vector unit: activate, its timing and values                   vpu_
 *   mm.c         matmul issue: FIFO pop, UB read lead, fast / per-PE values     mm_
 *   tpu_stats.c  the TPU's counters -> the shared stats record                  tpu_finish_stats
 *
 * Fixed sizes are #ifndef so that the stress build (Makefile VARIANT=stress) can shrink them.
 */
#ifndef TP_TPU_TPU_INT_H
#define TP_TPU_TPU_INT_H
#include <stdbool.h>
#include <stdint.h>
#include "base/util.h"
#include "mem/dram.h"
#include "mem/sram.h"
#include "num/pool.h"
#include "stats/acct.h"
#include "stats/evq.h"
#include "tpu/machine.h"
#include "tpu/mxu.h"

#ifndef QUEUE_DEPTH
#define QUEUE_DEPTH 16              /* instructions per unit queue */
#endif
#ifndef PARALLEL_MIN_MACS
#define PARALLEL_MIN_MACS (1ull << 22)   /* an op this large may use several threads */
#endif
#ifndef PE_OPS_INITIAL
#define PE_OPS_INITIAL 64           /* per-PE op records allocated at first (they grow x2) */
#endif
#ifndef TENSOR_ALIGN_BYTES
#define TENSOR_ALIGN_BYTES 4096     /* DRAM layout: each tensor starts at a multiple (power of 2) */
#endif
#if QUEUE_DEPTH < 1 || (TENSOR_ALIGN_BYTES & (TENSOR_ALIGN_BYTES - 1)) || PE_OPS_INITIAL < 1
#error "QUEUE_DEPTH and PE_OPS_INITIAL must be >= 1, TENSOR_ALIGN_BYTES a power of 2"
#endif
#define NEVER UINT64_MAX

/* Why an instruction at the head of its queue cannot begin (or why a unit has none): the
 * machine's reasons, charged to each unit kind's causes (stats/stats.h) by dma_cause_of,
 * vpu_cause_of and mm_cause_of. */
typedef enum {
    C_IDLE = 0,         /* no instruction for the unit, and none on its way */
    C_ISSUE_BLOCKED,    /* no instruction: the issuer is stopped at another queue that is full */
    C_WEIGHTS,          /* waits for a loadw */
    C_INPUTS,           /* waits for a load */
    C_DEPENDENCY,       /* waits for another hazard */
    C_UB_BW,            /* waits for the UB port */
    C_WBUF_FULL,        /* loadw: no weight FIFO slots */
    C_DMA_ENGINES,      /* every DMA engine is occupied (they are all charged busy then) */
    C__N
} cause;

typedef struct { uint64_t lo, hi; } range;   /* [lo, hi); empty when lo == hi */

/* Rows an instruction writes or reads one after another (sb.c, note 6): `rows` rows of
 * `row_bytes` starting at `base`, `stride` apart (the accumulators: rows of 1, stride 1), and
 * the pace: `num / den` cycles per row. rows == 0: no row model (the whole range at once). */
typedef struct {
    uint64_t base, stride, row_bytes;
    uint32_t rows;
    bool acc;           /* accumulator rows (else UB bytes) */
    bool desc;          /* writer: the last row comes out first (os drain) */
    bool stream;        /* reader: takes each row when it is ready (the vector unit), so it
                           begins when its first row is */
    int64_t lead;       /* reader: row 0 is read `lead` cycles after it begins */
    uint64_t num, den;  /* cycles per row = num / den (den >= 1) */
} rowset;

/* Per-instruction run-time record (its life cycle: machine.c, note 6). */
typedef struct {
    bool started;       /* begun: its times are known (issued = in a queue: see issue()) */
    uint64_t start, end, read_done;   /* cycles; end exclusive; read_done: its reads are over */
    range ub_r, ub_r2, ub_w, acc_r, acc_w;   /* footprint: UB bytes, accumulator rows */
    /* scoreboard cache: once every conflicting older instruction has begun, the time this one
     * may begin is final (dep_known); until then, the first one found not begun (blocked_by),
     * and dep_ready, dep_why hold the scan's result over the older ones before it (sb.c note 3) */
    bool dep_known;
    uint8_t dep_why;
    uint64_t dep_ready;
    uint32_t blocked_by;            /* instruction index + 1; 0 = none */
    rowset rw, rr;                  /* sb.c note 6: the rows it writes (ready at end - ...) and
                                       reads (at its begin + ...) one after another */
    uint64_t vals_need;             /* sb.c note 7: its values may move no earlier than this */
    uint64_t vals_at;               /* begun: the cycle its values move (>= start) */
    uint64_t min_cycles;            /* activate, store: its fewest cycles from begin to end */
    bool vals_pending;              /* begun, its values not moved yet (machine.c apply_pending) */
    int32_t tensor;                 /* DRAM block: tensor or -1 */
    bool dram_write;
    uint32_t r0, r1, c0, c1;        /* DRAM block: rows [r0, r1), cols [c0, c1) */
} flight;

typedef struct {
    uint32_t *idx;      /* ring of QUEUE_DEPTH instruction indices */
    uint32_t head, n;   /* n <= QUEUE_DEPTH */
} queue;

/* One weight tile in an MXU's FIFO (wbuf.c). */
typedef struct {
    uint64_t release;   /* cycle its slots become free (NEVER until its op is timed) */
    uint32_t slots;
    uint32_t ins;       /* the loadw */
    void *data;         /* k x n tile, row-major (values mode) */
    size_t cap;         /* bytes allocated at data */
    uint32_t k, n;
} fifo_entry;

/* One op run by the per-PE engine, kept until the run's end: what its stats need (mm.c). */
typedef struct {
    mxu_timing expect;      /* the closed form's timing, which the scheduler used */
    mxu_op op;
    uint32_t ins, j;        /* its matmul instruction, and which of its repeat ops */
    uint64_t head_since, head_blocked_since;   /* its instruction's arrival (mxu_unit's) */
    uint64_t timed_at;      /* the cycle it was timed (its instruction held before that) */
    uint8_t waited;         /* cause: what it waited for after being timed */
    uint8_t held;           /* cause: what held its instruction before it was timed */
} pe_op_rec;

typedef struct {
    mxu_state st;       /* the closed form's pipeline state */
    mxu_pe *pe;         /* the per-PE engine (engine pe with values), else NULL */
    fifo_entry *fifo;   /* ring of wbuf.depth_tiles entries */
    uint32_t f_head, f_n, f_used_slots;   /* entries from f_head: f_n, holding f_used_slots */
    uint32_t f_popped;  /* entries handed to matmuls but not yet released (at the ring head) */
    uint64_t cyc[STATS_MXU__COUNT];
    uint64_t macs;      /* useful MACs of its ops */
    uint64_t head_since; /* cycle the current queue head arrived (for idle vs waiting) */
    uint8_t held;        /* cause: why mm_try last refused the head (weights or a hazard) */
    uint64_t head_blocked_since; /* it arrived when the issuer had been stopped at a full queue
                                    since this cycle (NEVER: it was not stopped) */
    bool used;
    pe_op_rec *pe_ops;  /* per per-PE op, by issue id */
    void **pe_bufs;     /* per op: private copy of its A and B operands (freed when it ends) */
    uint32_t pe_n, pe_cap;
    /* os chain (mxu.h "Chains"): the chain's write mode, and for the fast engine's values the
     * operands of its ops so far, A^T (k x m) and B (k x n), appended as each op is timed */
    bool chain_acc;
    uint8_t *ch_at, *ch_b;
    size_t ch_cap_at, ch_cap_b;
    uint32_t ch_k;
} mxu_unit;

/* Queue indices of a core: the ISA's queues (isa_ops[].queue), in the order their heads are
 * tried at one event, the matrix queue repeated per MXU. */
enum { Q_LOAD = ISA_Q_LOAD, Q_WEIGHT = ISA_Q_WEIGHT, Q_VECTOR = ISA_Q_VECTOR, Q_STORE = ISA_Q_STORE,
       Q_MXU0 = ISA_Q_MATRIX };

typedef struct {
    uint32_t *prog;     /* instruction indices of this core, in order */
    uint32_t n_prog, next;
    uint32_t *inflight; /* issued, not yet retired, in program order */
    uint32_t n_inflight;
    uint32_t n_pending; /* of them, begun with vals_pending set (apply_pending scans only then) */
    queue *q;           /* Q_LOAD, Q_WEIGHT, Q_VECTOR, Q_STORE, then one per MXU */
    uint64_t *engine_free;  /* per DMA engine: cycle it may begin its next transfer */
    mxu_unit *mxu;
    sram ub;
    uint8_t *ub_data;
    uint8_t *acc_data;  /* mxus * entries rows of cols 32-bit values */
    acct *dma;          /* per DMA engine (STATS_DMA_* causes) */
    acct vpu;           /* STATS_VPU_* causes */
    uint64_t min_end;   /* earliest end among begun in-flight instructions (NEVER if none) */
    uint32_t *tl_dma, *tl_mxu, tl_vpu; /* --trace: track per DMA engine, MXU; the VPU's */
    uint32_t *tl_q;     /* --trace: counter series per queue */
    bool issue_blocked; /* the issuer waits for queue space */
    uint64_t blocked_since; /* ... since this cycle (valid while issue_blocked) */
    bool done;
} core_state;

typedef struct {
    dram d;
    bool present;
} offchip;

/* ff.c: the exact fast-forward of timing-only runs (its notes). */
typedef struct {
    uint64_t *state, *counters;     /* the compared state; the counters, which are scaled */
    size_t n_state, cap_state, n_counters, cap_counters;
    uint64_t hash, now;
    uint32_t next;                  /* the next instruction to issue */
} ff_snap;
typedef struct {
    uint32_t lo, end;               /* records [lo, end) not simulated are filled from ... */
    uint32_t P;                     /* ... the one P instructions before, D cycles earlier */
    uint64_t D;
    uint32_t from;                  /* the next to issue before the jump: [from, end) was jumped */
    uint32_t ref0, n_ref;           /* refs[ref0 ..]: the records copied into [from, end) */
} ff_skip;
typedef struct {
    bool on;                        /* machine_set_fast_forward (default on) */
    bool active;                    /* this run may jump (ff_init) */
    unsigned anchors;               /* opcodes (bits) whose issue takes a state (note 4) */
    uint64_t period;                /* DRAM addresses are compared modulo this (note 5) */
    int apart;                      /* note 3's condition holds (1), not (0), not asked yet (-1) */
    ff_snap *snap;                  /* ring of FF_RING states */
    uint32_t n_snap, head;
    uint32_t stride, tick;          /* a state at every stride-th anchor; anchors since (note 7) */
    uint64_t walked;                /* words of the states taken (note 7) */
    ff_skip *skips;
    uint32_t n_skips, cap_skips;
    uint32_t *refs;                 /* the skips' copied records, ascending per skip */
    uint32_t n_refs, cap_refs;
    /* ff_fill: start and end of each instruction jumped over ([from, end) less the copies), so
     * that the flight records of those, never simulated, are never touched (note 6) */
    uint64_t (*times)[2];
    uint64_t skipped;               /* instructions jumped over */
} ff_state;

struct machine {
    tp_config cfg;
    const tp_tpu_cfg *t;
    machine_engine engine;
    isa_program prog;
    bool loaded, timing_only;
    int threads;
    num_pool *pool;         /* value kernels' threads and scratch: made at the first matmul with
                               values, kept until machine_free (threads sleep between runs) */
    bool pool_full;         /* the pool has m->threads participants, not just the caller */
    mxu_params mp;
    mxu_pe_observer pe_obs;  /* engine pe: core 0's MXU 0 reports its registers (or NULL) */
    void *pe_obs_ctx;
    void **tdata;           /* per tensor: data pointer (values mode) */
    bool *town;             /* the machine allocated it */
    uint64_t *tbase;        /* DRAM byte address of each tensor */
    flight *fl;
    uint32_t op_count[ISA_OP__COUNT];   /* the program's instructions of each opcode (setup_run) */
    uint32_t *mm_k;         /* per instruction: a matmul's k of its weight tiles (wbuf_replay_k); apart
                               from the flight records, which a jump over them never touches */
    uint64_t *row_scratch;  /* vpu.c: one entry per accumulator row of a core (kept from the first run
                               to machine_free) */
    core_state *cores;
    offchip mem[TP_MEM__COUNT];
    evq events;             /* "step core c at cycle t" (priority 0: cores tie by number) */
    uint64_t now;
    uint64_t acc_read_bytes, acc_write_bytes, wbuf_bytes, macs;
    tp_stats stats;
    timeline *tl;           /* --trace: the recording (NULL: none; tpu_trace.c) */
    tp_err *err;
    tp_status rc;
    ff_state ff;
    machine_progress_fn progress;   /* machine_set_progress: retired instructions, for a bar */
    void *progress_ctx;
};


/* ---- machine.c: services of the event loop to the blocks ---------------------------------- */
/* Asks for core c to be stepped at cycle t (ignored unless t is in the future). */
void tpu_wake(machine *m, uint32_t c, uint64_t t);
/* A begun instruction of core cs ends at `end` (keeps cs->min_end). */
void tpu_note_end(core_state *cs, uint64_t end);
uint32_t tpu_n_engines(const machine *m);   /* DMA engines per core (>= 1) */

/* ---- ff.c: the fast-forward -------------------------------------------------------------- */
void ff_init(machine *m);                    /* at the run's start: may this run jump? */
void ff_after_step(machine *m, uint32_t before);   /* core 0 was stepped, its next was `before` */
void ff_fill(machine *m);                    /* at the run's end: the records jumped over */
/* After ff_fill: instruction i's times when it was jumped over (false: see its flight record). */
bool ff_times(const machine *m, uint32_t i, uint64_t *start, uint64_t *end);
/* After ff_fill: the latest end of any instruction, simulated or jumped over. */
uint64_t ff_last_end(const machine *m);
void ff_free(machine *m);

/* ---- sb.c: the scoreboard ---------------------------------------------------------------- */
typedef struct {
    bool blocked;       /* some conflicting older instruction has not begun */
    uint64_t ready;     /* max of the known times it must wait for */
    cause why;          /* kind of the binding dependency */
} sb_dep;
/* Fills instruction i's footprint (at issue; a matmul needs mm_k[i]). */
void sb_footprint(machine *m, uint32_t i);
/* When may instruction x begin, given the older in-flight instructions of its core. */
sb_dep sb_deps(machine *m, core_state *cs, uint32_t x);
/* Note 6: the earliest begin of reader rows rr given writer rows rw of an instruction ending at
 * `end` (at most end; end when they do not map row to row). */
uint64_t sb_row_ready(const rowset *rw, uint64_t end, const rowset *rr);
/* The same by looking at every reader row and the writer rows it overlaps (the test oracle;
 * sb_row_ready takes the closed form of note 8 where both sides' rows are the same stride apart). */
uint64_t sb_row_ready_scan(const rowset *rw, uint64_t end, const rowset *rr);
/* Note 6: t[q] = the cycle accumulator row acc_row + q, which activate x reads, is final (the
 * latest of its older in-flight writers; 0 when none writes it), for q < its m rows. */
void sb_acc_rows_in(const machine *m, const core_state *cs, uint32_t x, uint64_t *t);
/* Note 7: records that x began at s (its values move at max(s, vals_need)): true when they
 * move now, false when later (the core is woken then, machine.c applies them). */
bool sb_vals_now(machine *m, uint32_t c, uint32_t x, uint64_t s);

/* ---- wbuf.c: the weight FIFO ------------------------------------------------------------- */
/* Frees entries released by now; returns the cycle at which `slots` more fit (NEVER when an
 * entry that must leave first has not been timed yet). */
uint64_t wbuf_space(machine *m, mxu_unit *mu, uint32_t slots);
/* Pushes the tile of loadw x (after wbuf_space said it fits now); the entry for its values. */
fifo_entry *wbuf_push(machine *m, mxu_unit *mu, uint32_t x, uint32_t slots);
/* Whether the FIFO holds `n` tiles not yet handed to matmuls. */
bool wbuf_has(const mxu_unit *mu, uint32_t n);
/* The oldest tile not yet handed out, and handing it out: its slots free at `release`. */
fifo_entry *wbuf_next(machine *m, mxu_unit *mu);
void wbuf_pop(machine *m, mxu_unit *mu, uint64_t release);
/* Sets mm_k[i] of every matmul by replaying the FIFOs in program order; TP_ERR_NOMEM. */
tp_status wbuf_replay_k(machine *m);
void wbuf_check(const machine *m, const mxu_unit *mu);   /* asserts the ring's invariants */

/* ---- dma.c: DMA engines ------------------------------------------------------------------ */
/* The off-chip access of a load, loadw or store: its memory (tpu.place_inputs, place_weights,
 * place_outputs) and its 2-D pattern there (mem/dram.h dram_access_2d). */
typedef struct {
    tp_mem_id id;
    uint64_t addr, rows, row_bytes, stride;
} dma_pattern;
dma_pattern dma_pattern_of(const machine *m, const isa_instr *in);
/* One transfer's times (pure; dma.c's note): own = s + setup + ceil(bytes / bytes_per_cycle),
 * end = max(own, mem_end, ub_end), engine_free = max(own, mem_sent). */
typedef struct {
    uint64_t own;           /* the engine's own setup and transfer cycles end */
    uint64_t end;           /* the instruction ends (data in place) */
    uint64_t engine_free;   /* the engine may begin its next transfer */
} dma_times;
dma_times dma_time(uint64_t s, uint64_t setup_cycles, uint64_t bytes, uint64_t bytes_per_cycle,
                   uint64_t mem_end, uint64_t mem_sent, uint64_t ub_end);
/* A load's UB writes trail the memory's data: the cycle they would begin (pure). */
uint64_t dma_ub_write_want(uint64_t first, uint64_t mem_end, uint64_t ub_cycles);
/* Engine 0 is a weight fetcher serving loadw alone (weights in tpu.weight_mem, >= 2 engines;
 * dma.c note 5). */
bool dma_weight_fetcher(const machine *m);
/* Begins DMA instruction x now if it can (true), else *why says what holds it. */
bool dma_try(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why);
void dma_values(machine *m, core_state *cs, uint32_t x);   /* a pending store's values (sb.c note 7) */
stats_dma_cause dma_cause_of(cause c);
/* Before a run: the bytes the program's loads, weight loads and stores ask of each off-chip
 * memory, at its bandwidth, are a lower bound on the run's cycles; TP_ERR_RANGE naming the
 * memory's keys when that bound passes TP_COUNT_MAX (base/util.h), so such a program is refused
 * when it is loaded, with its figure, rather than simulated to the limit. (mem_access refuses, at the access
 * that passes the limit, what the bound misses: queueing, bursts, latency.) */
tp_status dma_check_bound(const machine *m, const isa_program *p, tp_err *err);
/* The memory a load (inputs), a loadw (weights) or a store (outputs) of t reaches. */
tp_mem_id dma_mem_of(const tp_tpu_cfg *t, isa_opcode op);

/* ---- vpu.c: vector unit ------------------------------------------------------------------ */
typedef struct {
    uint64_t own;   /* s + ceil(elems / elems_per_cycle): its own cycles end */
    uint64_t end;   /* max(own, ub_end): its UB writes are done */
} vpu_times;
vpu_times vpu_time(uint64_t s, uint64_t elems, uint64_t elems_per_cycle, uint64_t ub_end);
bool vpu_try(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why);
void vpu_values(machine *m, core_state *cs, uint32_t x);   /* a pending activate's values (sb.c note 7) */
stats_vpu_cause vpu_cause_of(cause c);

/* ---- mm.c: matmul ------------------------------------------------------------------------ */
typedef struct {
    uint64_t lead;  /* cycles the UB reads must begin before the stream: max(0, read - T) */
    uint64_t want;  /* the cycle the reads would begin: max(inputs_ready, t0 - lead) */
} mm_ub_read;
mm_ub_read mm_ub_read_lead(uint64_t read_cycles, uint64_t stream_cycles, uint64_t t0,
                           uint64_t inputs_ready);
bool mm_try(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why);
/* Per-PE engine: simulate every MXU of the core up to cycle t (no-op for the fast engine). */
void mm_advance_pe(machine *m, core_state *cs, uint64_t t);
/* Per-PE engine at the run's end (no-op otherwise): runs every MXU to its end, charges each
 * op's causes as the engine observed them, sets the matmuls' times from it, and compares each
 * op with the closed form the scheduler used (TP_ERR_INTERNAL on a difference). */
tp_status mm_finish_pe(machine *m);
stats_mxu_cause mm_cause_of(cause c);

/* ---- tpu_trace.c: --trace recording (each call only when m->tl) -------------------------- */
tp_status tpu_trace_setup(machine *m);      /* tracks, counters, the accounts' and memories' */
void tpu_trace_end(machine *m);             /* the memories' bandwidth counters */
void tpu_trace_free(core_state *cs);
void tpu_trace_queue(machine *m, core_state *cs, uint32_t q);   /* queue q's depth changed */
void tpu_trace_dma(machine *m, core_state *cs, uint32_t eng, uint32_t x, uint64_t bytes,
                   uint64_t s, const dma_times *dt);
void tpu_trace_vpu(machine *m, core_state *cs, uint32_t x, uint64_t s, uint64_t end);
void tpu_trace_mm_op(machine *m, core_state *cs, uint32_t x, uint32_t j, const mxu_op *op,
                     const mxu_timing *tm);
void tpu_trace_mm(machine *m, core_state *cs, uint32_t x, uint64_t start, uint64_t stream_end,
                  const mxu_op *op, const mxu_timing *tm);

/* ---- tpu_stats.c ------------------------------------------------------------------------- */
void tpu_finish_stats(machine *m, uint64_t total);
#endif
