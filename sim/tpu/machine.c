/* The TPU machine: in-order issue into per-unit queues, a scoreboard over buffer ranges, and a
 * discrete-event loop that jumps from event to event.
 *
 * NOTES ON THE DESIGN OF THE MACHINE
 *
 * 1. Units per core: an issuer; DMA engines serving three in-order queues (load, loadw, store);
 *    one in-order matrix queue per MXU; the vector unit's queue. Queues hold QUEUE_DEPTH
 *    instructions; the issuer takes the program in order, one core's stream at a time, and
 *    stops when the target queue is full (the starved units name that wait "queue_full") or at
 *    a fence until every earlier instruction of the core has ended. Issue itself takes no time.
 *
 * 2. Scoreboard. Every instruction has a footprint: UB byte ranges read/written, accumulator
 *    rows read/written, the DRAM tensor block it reads or writes. A younger instruction X may
 *    begin only after each older in-flight instruction Y of the same core that conflicts:
 *        RAW (X reads what Y writes)   -> after Y.end
 *        WAW (both write)              -> after Y.end
 *        WAR (X writes what Y reads)   -> after Y.read_done (matmul: its last row streamed)
 *    Exception: matmuls on the same MXU are ordered by the MXU's own pipeline (results reach the
 *    accumulators in issue order), so accumulate chains into the same rows do not stall.
 *    Weight FIFO slots are a separate in-order resource: loadw needs free slots (a tile leaves
 *    the FIFO when its op has shifted it in: ws/is at the op's t0, os at its stream end), a
 *    matmul op needs its tile's loadw to have ended (weights_ready).
 *
 * 3. Time. An instruction's times become known when it begins: DMA, vector and store begin
 *    only at the current event time (they share DRAM channels, whose next-free times are
 *    reservations, so deciding no earlier than needed never jumps a queue). A matmul is timed as soon as every
 *    instruction it depends on has begun (their ends are known): mxu_time_op2(weights_ready,
 *    inputs_ready) gives its t0 and end in closed form, possibly in the future. The UB read port
 *    (mem/sram.h, a calendar of reservations) must deliver the op's A rows in d cycles that
 *    begin after inputs_ready and end no earlier than the stream; if the port is busy or too
 *    slow, the op is re-timed with a later inputs_ready (cause "ub_bandwidth"). The values (and
 *    with --engine pe, private copies of the operands) are taken at that point.
 *    Events are "re-evaluate core c at cycle t", in a binary heap ordered by (t, c); at each the
 *    core issues and starts what it can until nothing changes, and schedules a wake-up at every
 *    known future time something may change (an end, a read_done, a free engine or slot).
 *    Cost is O(log events + in-flight) per event (the scoreboard result of an instruction is
 *    cached once all its producers have begun); nothing loops per cycle or per byte.
 *
 * 4. Values move at a defined point: when an instruction begins (matmul: when it is timed). By
 *    the scoreboard every producer it reads has begun (and so applied its values) and every
 *    reader of what it overwrites has applied its values, so event order gives the program's
 *    meaning. With --engine pe the matmul values come from the per-PE engine, which is advanced
 *    in simulated time before any instruction applies values at that time; its per-op timing is
 *    checked against the closed form on every op (a difference is an internal error).
 *
 * 5. Every cycle of every unit has one cause; see cause_names. MXU: busy / weight_load /
 *    fill_drain from the MXU model; its idle cycles are split into idle (no instruction), weights
 *    (waiting for a loadw), inputs (waiting for a load into UB), dependency (any other hazard)
 *    and ub_bandwidth. DMA (union of its engines): busy for an engine's own setup and transfer
 *    cycles, dram / ub_bandwidth while a transfer waits beyond those, else the reason the heads
 *    of its queues were blocked when last looked at; VPU likewise. Off-chip memories: busy while
 *    an access is in flight, else idle.
 */
#include "tpu/machine.h"
#include <stdlib.h>
#include <string.h>
#include "mem/dram.h"
#include "mem/sram.h"
#include "num/gemm.h"
#include "num/pool.h"
#include "stats/acct.h"
#include "stats/evq.h"
#include "tpu/mxu.h"

#define QUEUE_DEPTH 16
#define NEVER UINT64_MAX
#define PARALLEL_MIN_MACS (1ull << 22)   /* an op this large may use several threads */

/* Why an instruction at the head of its queue cannot begin (or why a unit has none): the
 * machine's reasons, charged to each unit kind's causes (stats/stats.h) by the *_cause_of
 * functions below. */
typedef enum {
    C_IDLE = 0,         /* no instruction for the unit */
    C_ISSUE_BLOCKED,    /* no instruction: the issuer is stopped at another queue that is full */
    C_WEIGHTS,          /* waits for a loadw */
    C_INPUTS,           /* waits for a load */
    C_DEPENDENCY,       /* waits for another hazard */
    C_UB_BW,            /* waits for the UB port */
    C_WBUF_FULL,        /* loadw: no weight FIFO slots */
    C_DMA_ENGINES,      /* every DMA engine is occupied (they are all charged busy then) */
    C__N
} cause;

static stats_mxu_cause mxu_cause_of(cause c)
{
    switch (c) {
    case C_ISSUE_BLOCKED: return STATS_MXU_ISSUE_BLOCKED;
    case C_WEIGHTS: return STATS_MXU_WAIT_WEIGHTS;
    case C_INPUTS: return STATS_MXU_WAIT_INPUTS;
    case C_UB_BW: return STATS_MXU_UB_BANDWIDTH;
    case C_DEPENDENCY: case C_WBUF_FULL: case C_DMA_ENGINES: return STATS_MXU_DEPENDENCY;
    default: return STATS_MXU_IDLE;
    }
}

static stats_dma_cause dma_cause_of(cause c)
{
    switch (c) {
    case C_ISSUE_BLOCKED: return STATS_DMA_ISSUE_BLOCKED;
    case C_WBUF_FULL: return STATS_DMA_WBUF_FULL;
    case C_WEIGHTS: case C_INPUTS: case C_DEPENDENCY: case C_UB_BW: return STATS_DMA_DEPENDENCY;
    default: return STATS_DMA_IDLE;   /* C_DMA_ENGINES: every engine is busy until it clears */
    }
}

static stats_vpu_cause vpu_cause_of(cause c)
{
    switch (c) {
    case C_ISSUE_BLOCKED: return STATS_VPU_ISSUE_BLOCKED;
    case C_IDLE: return STATS_VPU_IDLE;
    default: return STATS_VPU_DEPENDENCY;
    }
}

const char *machine_engine_name(machine_engine e)
{
    return e == MACHINE_PE ? "pe" : "fast";
}

int machine_engine_parse(const char *s, machine_engine *out)
{
    if (!strcmp(s, "fast"))
        *out = MACHINE_FAST;
    else if (!strcmp(s, "pe"))
        *out = MACHINE_PE;
    else
        return -1;
    return 0;
}

typedef struct { uint64_t lo, hi; } range;   /* [lo, hi); empty when lo == hi */

static bool overlap(range a, range b)
{
    return a.lo < a.hi && b.lo < b.hi && a.lo < b.hi && b.lo < a.hi;
}

/* Per-instruction run-time record. */
typedef struct {
    bool started;       /* begun: its times are known (issued = in a queue: see issue()) */
    uint64_t start, end, read_done;
    range ub_r, ub_r2, ub_w, acc_r, acc_w;
    uint32_t mm_k;                  /* matmul: k of its weight tiles (from the FIFO in program order) */
    /* scoreboard cache: once every conflicting older instruction has begun, the time this one
     * may begin is final (dep_known); until then, the first one found not begun (blocked_by). */
    bool dep_known;
    uint8_t dep_why;
    uint64_t dep_ready;
    uint32_t blocked_by;            /* instruction index + 1; 0 = none */
    int32_t tensor;                 /* DRAM block: tensor or -1 */
    bool dram_write;
    uint32_t r0, r1, c0, c1;
} flight;

typedef struct {
    uint32_t *idx;      /* ring of instruction indices */
    uint32_t head, n;
} queue;

typedef struct {
    uint64_t release;   /* cycle its slots become free (NEVER until its op is timed) */
    uint32_t slots;
    uint32_t ins;       /* the loadw */
    void *data;         /* k x n tile, row-major (values mode) */
    size_t cap;
    uint32_t k, n;
} fifo_entry;

typedef struct {
    mxu_state st;
    mxu_pe *pe;
    fifo_entry *fifo;   /* ring of depth entries */
    uint32_t f_head, f_n, f_used_slots;
    uint32_t f_popped;  /* entries handed to matmuls but not yet released (at the ring head) */
    uint64_t cyc[STATS_MXU__COUNT];
    uint64_t macs;      /* useful MACs of its ops */
    uint64_t head_since; /* cycle the current queue head arrived (for idle vs waiting) */
    bool used;
    mxu_timing *pe_expect;
    void **pe_bufs;     /* per op: private copy of its A and B operands (freed when it ends) */
    uint32_t pe_n, pe_cap;
} mxu_unit;

typedef struct {
    uint32_t *prog;     /* instruction indices of this core, in order */
    uint32_t n_prog, next;
    uint32_t *inflight; /* issued, not yet retired, in program order */
    uint32_t n_inflight;
    queue *q;           /* Q_LOAD, Q_WEIGHT, Q_VECTOR, Q_STORE, then one per MXU */
    uint64_t *engine_free;
    mxu_unit *mxu;
    sram ub;
    uint8_t *ub_data;
    uint8_t *acc_data;  /* mxus * entries rows of cols 32-bit values */
    acct *dma;          /* per DMA engine (STATS_DMA_* causes) */
    acct vpu;           /* STATS_VPU_* causes */
    uint64_t min_end;   /* earliest end among begun in-flight instructions (NEVER if none) */
    bool issue_blocked; /* the issuer waits for queue space */
    bool done;
} core_state;

/* Queue indices of a core: the ISA's queues (isa_ops[].queue), in the order their heads are
 * tried at one event, the matrix queue repeated per MXU. */
enum { Q_LOAD = ISA_Q_LOAD, Q_WEIGHT = ISA_Q_WEIGHT, Q_VECTOR = ISA_Q_VECTOR, Q_STORE = ISA_Q_STORE,
       Q_MXU0 = ISA_Q_MATRIX };

typedef struct {
    dram d;
    bool present;
} offchip;

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
    void **tdata;           /* per tensor: data pointer (values mode) */
    bool *town;             /* the machine allocated it */
    uint64_t *tbase;        /* DRAM byte address of each tensor */
    flight *fl;
    core_state *cores;
    offchip mem[TP_MEM__COUNT];
    evq events;             /* "step core c at cycle t" (priority 0: cores tie by number) */
    uint64_t now;
    uint64_t acc_read_bytes, acc_write_bytes, wbuf_bytes, macs;
    tp_stats stats;
    tp_err *err;
    tp_status rc;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t ceil_div(uint64_t a, uint64_t b) { return b ? (a + b - 1) / b : 0; }

static uint64_t span(uint64_t rows, uint64_t row_bytes, uint64_t stride)
{
    if (!rows || !row_bytes)
        return 0;
    return (rows - 1) * (stride ? stride : row_bytes) + row_bytes;
}

static tp_status fault(machine *m, uint32_t i, tp_status code, const char *msg)
{
    const isa_instr *in = &m->prog.ins[i];
    if (in->line > 0)
        return tp_err_at(m->err, code, m->prog.name, in->line, in->col, "%s", msg);
    return tp_err_at(m->err, code, m->prog.name, (int)i + 1, 0, "%s", msg);
}

/* ---- lifecycle --------------------------------------------------------------------------- */

static void free_run_state(machine *m)
{
    if (m->cores) {
        for (uint32_t c = 0; c < m->t->cores; c++) {
            core_state *cs = &m->cores[c];
            free(cs->prog);
            free(cs->inflight);
            if (cs->q)
                for (uint32_t q = 0; q < Q_MXU0 + m->t->mxus_per_core; q++)
                    free(cs->q[q].idx);
            free(cs->q);
            free(cs->engine_free);
            free(cs->dma);
            if (cs->mxu)
                for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
                    mxu_unit *mu = &cs->mxu[u];
                    if (mu->fifo)
                        for (uint32_t s = 0; s < m->t->wbuf.depth_tiles; s++)
                            free(mu->fifo[s].data);
                    free(mu->fifo);
                    if (mu->pe)
                        mxu_pe_free(mu->pe);
                    free(mu->pe_expect);
                    for (uint32_t k = 0; k < mu->pe_n; k++)
                        free(mu->pe_bufs[k]);
                    free(mu->pe_bufs);
                }
            free(cs->mxu);
            num_big_free(cs->ub_data);
            num_big_free(cs->acc_data);
        }
        free(m->cores);
        m->cores = NULL;
    }
    free(m->fl);
    m->fl = NULL;
    evq_free(&m->events);
}

static void free_bindings(machine *m)
{
    if (m->tdata)
        for (uint32_t i = 0; i < m->prog.n_tensors; i++)
            if (m->town[i])
                free(m->tdata[i]);
    free(m->tdata);
    free(m->town);
    free(m->tbase);
    m->tdata = NULL;
    m->town = NULL;
    m->tbase = NULL;
}

tp_status machine_new(const tp_config *cfg, machine_engine engine, machine **out, tp_err *err)
{
    *out = NULL;
    const tp_tpu_cfg *t = &cfg->tpu;
    if (!t->present)
        return tp_err_set(err, TP_ERR_CONFIG, "%s: the config has no tpu section", cfg->source);
    if (engine == MACHINE_PE && t->array.timing == TP_TIMING_SCALESIM)
        return tp_err_set(err, TP_ERR_UNSUPPORTED,
                          "--engine pe: the per-PE engine does not model tpu.array.timing=scalesim (use --engine fast)");
    if (!t->mem[TP_MEM_DRAM].present && !t->mem[t->place_inputs].present)
        return tp_err_set(err, TP_ERR_CONFIG, "%s: no off-chip memory", cfg->source);
    for (int k = 0; k < 3; k++) {
        tp_mem_id id = k == 0 ? t->place_inputs : k == 1 ? t->place_weights : t->place_outputs;
        if (!t->mem[id].present)
            return tp_err_set(err, TP_ERR_CONFIG, "%s: placement names memory %s, which the config does not define",
                              cfg->source, cfg_mem_name(id));
    }
    machine *m = calloc(1, sizeof *m);
    if (!m)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory");
    m->cfg = *cfg;
    m->t = &m->cfg.tpu;
    m->engine = engine;
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        if (!m->t->mem[id].present)
            continue;
        m->mem[id].present = true;
        tp_status rc = dram_init(&m->mem[id].d, &m->t->mem[id], m->t->clock_hz, err);
        if (rc) {
            free(m);
            return rc;
        }
    }
    *out = m;
    return TP_OK;
}

void machine_free(machine *m)
{
    if (!m)
        return;
    free_run_state(m);
    free_bindings(m);
    isa_free(&m->prog);
    stats_free(&m->stats);
    num_pool_free(m->pool);
    free(m);
}

void machine_set_timing_only(machine *m, bool on) { m->timing_only = on; }
void machine_set_threads(machine *m, int threads)
{
    if (threads != m->threads) {   /* the pool is sized for the old count: make it anew */
        num_pool_free(m->pool);
        m->pool = NULL;
        m->pool_full = false;
    }
    m->threads = threads;
}

static tp_status copy_program(isa_program *dst, const isa_program *src)
{
    isa_init(dst, src->name, src->dtype);
    dst->tensors = malloc(sizeof *src->tensors * (src->n_tensors ? src->n_tensors : 1));
    dst->ins = malloc(sizeof *src->ins * (src->n_ins ? src->n_ins : 1));
    dst->regions = malloc(sizeof *src->regions * (src->n_regions ? src->n_regions : 1));
    if (!dst->tensors || !dst->ins || !dst->regions) {
        isa_free(dst);
        return TP_ERR_NOMEM;
    }
    if (src->n_tensors)
        memcpy(dst->tensors, src->tensors, sizeof *src->tensors * src->n_tensors);
    if (src->n_ins)
        memcpy(dst->ins, src->ins, sizeof *src->ins * src->n_ins);
    if (src->n_regions)
        memcpy(dst->regions, src->regions, sizeof *src->regions * src->n_regions);
    dst->n_tensors = dst->cap_tensors = src->n_tensors;
    dst->n_ins = dst->cap_ins = src->n_ins;
    dst->n_regions = dst->cap_regions = src->n_regions;
    return TP_OK;
}

tp_status machine_load(machine *m, const isa_program *p, tp_err *err)
{
    tp_status rc = isa_validate(p, m->t, err);
    if (rc)
        return rc;
    mxu_params_from_cfg(&m->mp, m->t, p->dtype);
    if ((rc = mxu_params_check(&m->mp, err)))
        return rc;
    free_run_state(m);
    free_bindings(m);
    isa_free(&m->prog);
    m->loaded = false;
    if (copy_program(&m->prog, p))
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory loading %s", p->name);
    uint32_t nt = p->n_tensors ? p->n_tensors : 1;
    m->tdata = calloc(nt, sizeof *m->tdata);
    m->town = calloc(nt, sizeof *m->town);
    m->tbase = calloc(nt, sizeof *m->tbase);
    if (!m->tdata || !m->town || !m->tbase)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory loading %s", p->name);
    /* DRAM layout: tensors one after another in declaration order, 4 KiB aligned. */
    uint64_t a = 0;
    for (uint32_t i = 0; i < p->n_tensors; i++) {
        m->tbase[i] = a;
        uint64_t bytes = (uint64_t)p->tensors[i].rows * p->tensors[i].cols * npy_dtype_size(p->tensors[i].dtype);
        a += (bytes + 4095) & ~4095ull;
    }
    m->loaded = true;
    return TP_OK;
}

tp_status machine_bind(machine *m, const char *name, void *data, uint32_t rows, uint32_t cols, npy_dtype dt,
                       tp_err *err)
{
    if (!m->loaded)
        return tp_err_set(err, TP_ERR_USAGE, "machine_bind: no program loaded");
    int i = isa_find_tensor(&m->prog, name);
    if (i < 0)
        return tp_err_set(err, TP_ERR_USAGE, "%s: the program declares no tensor '%s'", m->prog.name, name);
    const isa_tensor *t = &m->prog.tensors[i];
    if (t->rows != rows || t->cols != cols || t->dtype != dt)
        return tp_err_set(err, TP_ERR_USAGE, "tensor %s: given %u x %u %s but the program declares %u x %u %s",
                          name, rows, cols, npy_dtype_name(dt), t->rows, t->cols, npy_dtype_name(t->dtype));
    if (m->town[i])
        free(m->tdata[i]);
    m->tdata[i] = data;
    m->town[i] = false;
    return TP_OK;
}

void *machine_tensor_data(const machine *m, const char *name)
{
    if (!m->loaded || m->timing_only)
        return NULL;
    int i = isa_find_tensor(&m->prog, name);
    return i < 0 ? NULL : m->tdata[i];
}

const tp_stats *machine_stats(const machine *m) { return &m->stats; }

tp_status machine_instr_times(const machine *m, uint32_t i, uint64_t *start, uint64_t *end, tp_err *err)
{
    if (!m->fl || i >= m->prog.n_ins || !m->fl[i].started)
        return tp_err_set(err, TP_ERR_USAGE, "machine_instr_times: instruction %u did not run", i);
    *start = m->fl[i].start;
    *end = m->fl[i].end;
    return TP_OK;
}

/* The matmul's UB read range needs k (from its FIFO tile); set when known. */
static void matmul_ub_range(machine *m, uint32_t i, uint32_t k)
{
    const isa_instr *in = &m->prog.ins[i];
    uint64_t row = (uint64_t)k * in->repeat * dtype_in_bytes(m->prog.dtype);
    m->fl[i].ub_r = (range){in->ub_addr, in->ub_addr + span(in->m, row, in->ub_stride)};
}

/* ---- footprints -------------------------------------------------------------------------- */

static void footprint(machine *m, uint32_t i)
{
    const isa_instr *in = &m->prog.ins[i];
    flight *f = &m->fl[i];
    f->tensor = -1;
    switch (in->op) {
    case ISA_LOAD: {
        uint64_t eb = npy_dtype_size(m->prog.tensors[in->blk.tensor].dtype);
        uint64_t rows = in->transpose ? in->blk.cols : in->blk.rows, cols = in->transpose ? in->blk.rows : in->blk.cols;
        f->ub_w = (range){in->ub_addr, in->ub_addr + span(rows, cols * eb, in->ub_stride)};
        f->tensor = in->blk.tensor;
        break;
    }
    case ISA_LOADW:
        f->tensor = in->blk.tensor;
        break;
    case ISA_MATMUL: {
        matmul_ub_range(m, i, f->mm_k);
        f->acc_w = (range){in->acc_row, in->acc_row + in->m};
        if (in->accumulate)
            f->acc_r = f->acc_w;
        break;
    }
    case ISA_ACTIVATE:
        f->acc_r = (range){in->acc_row, in->acc_row + in->m};
        f->ub_w = (range){in->ub_addr, in->ub_addr + span(in->m, (uint64_t)in->n * npy_dtype_size(in->out_dtype),
                                                          in->ub_stride)};
        if (in->has_bias)
            f->ub_r2 = (range){in->bias_addr, in->bias_addr + (uint64_t)in->n * 4};
        break;
    case ISA_STORE: {
        uint64_t eb = npy_dtype_size(m->prog.tensors[in->blk.tensor].dtype);
        f->ub_r = (range){in->ub_addr, in->ub_addr + span(in->blk.rows, in->blk.cols * eb, in->ub_stride)};
        f->tensor = in->blk.tensor;
        f->dram_write = true;
        break;
    }
    default:
        break;
    }
    if (f->tensor >= 0) {
        f->r0 = in->blk.r0;
        f->r1 = in->blk.r0 + in->blk.rows;
        f->c0 = in->blk.c0;
        f->c1 = in->blk.c0 + in->blk.cols;
    }
}

typedef struct {
    bool blocked;       /* some conflicting older instruction has not begun */
    uint64_t ready;     /* max of the known times it must wait for */
    cause why;          /* kind of the binding dependency */
} depinfo;

static cause dep_kind(const isa_instr *older)
{
    return older->op == ISA_LOAD ? C_INPUTS : older->op == ISA_LOADW ? C_WEIGHTS : C_DEPENDENCY;
}

/* Scoreboard: when may instruction x begin, given the older in-flight instructions of its core. */
static depinfo deps(machine *m, core_state *cs, uint32_t x)
{
    depinfo d = {false, 0, C_IDLE};
    flight *fx = &m->fl[x];
    const isa_instr *ix = &m->prog.ins[x];
    if (fx->dep_known) {
        d.ready = fx->dep_ready;
        d.why = (cause)fx->dep_why;
        return d;
    }
    if (fx->blocked_by && !m->fl[fx->blocked_by - 1].started) {
        d.blocked = true;
        d.why = dep_kind(&m->prog.ins[fx->blocked_by - 1]);
        return d;
    }
    for (uint32_t k = 0; k < cs->n_inflight; k++) {
        uint32_t y = cs->inflight[k];
        if (y >= x)
            break;
        const flight *fy = &m->fl[y];
        const isa_instr *iy = &m->prog.ins[y];
        bool same_mxu_mm = ix->op == ISA_MATMUL && iy->op == ISA_MATMUL && ix->mxu == iy->mxu;
        bool raw = overlap(fx->ub_r, fy->ub_w) || overlap(fx->ub_r2, fy->ub_w) ||
                   (!same_mxu_mm && overlap(fx->acc_r, fy->acc_w));
        bool waw = overlap(fx->ub_w, fy->ub_w) || (!same_mxu_mm && overlap(fx->acc_w, fy->acc_w));
        bool war = overlap(fx->ub_w, fy->ub_r) || overlap(fx->ub_w, fy->ub_r2) ||
                   (!same_mxu_mm && overlap(fx->acc_w, fy->acc_r));
        if (fx->tensor >= 0 && fx->tensor == fy->tensor && (fx->dram_write || fy->dram_write) &&
            fx->r0 < fy->r1 && fy->r0 < fx->r1 && fx->c0 < fy->c1 && fy->c0 < fx->c1) {
            if (fx->dram_write && fy->dram_write)
                waw = true;
            else if (fx->dram_write)
                war = true;
            else
                raw = true;
        }
        if (!raw && !waw && !war)
            continue;
        if (!fy->started) {
            d.blocked = true;
            d.why = dep_kind(iy);
            fx->blocked_by = y + 1;
            return d;
        }
        uint64_t t = (raw || waw) ? fy->end : 0;
        if (war && fy->read_done > t)
            t = fy->read_done;
        if (t > d.ready) {
            d.why = dep_kind(iy);
            d.ready = t;
        }
    }
    fx->dep_known = true;
    fx->dep_ready = d.ready;
    fx->dep_why = (uint8_t)d.why;
    return d;
}

/* ---- values ------------------------------------------------------------------------------ */

static void advance_pe(machine *m, core_state *cs, uint64_t t)
{
    if (m->engine != MACHINE_PE || m->timing_only)
        return;
    for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
        uint32_t id;
        mxu_unit *mu = &cs->mxu[u];
        if (mu->pe)
            while (mxu_pe_advance(mu->pe, t, &id))
                if (id < mu->pe_n) {
                    free(mu->pe_bufs[id]);
                    mu->pe_bufs[id] = NULL;
                }
    }
}

/* One element of eb bytes (1, 2 or 4: constant-size copies the compiler inlines). */
static inline void copy_elem(uint8_t *dst, const uint8_t *src, size_t eb)
{
    switch (eb) {
    case 1: *dst = *src; break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    default: memcpy(dst, src, eb); break;
    }
}

static void values_load(machine *m, core_state *cs, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    size_t eb = npy_dtype_size(t->dtype);
    const uint8_t *src = m->tdata[in->blk.tensor];
    uint8_t *ub = cs->ub_data + in->ub_addr;
    if (!in->transpose) {
        size_t row = in->blk.cols * eb, stride = in->ub_stride ? in->ub_stride : row;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            memcpy(ub + r * stride, src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0) * eb, row);
    } else {
        size_t row = in->blk.rows * eb, stride = in->ub_stride ? in->ub_stride : row;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            for (uint32_t c = 0; c < in->blk.cols; c++)
                copy_elem(ub + c * stride + r * eb, src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0 + c) * eb, eb);
    }
}

static void values_store(machine *m, core_state *cs, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    size_t eb = npy_dtype_size(t->dtype);
    uint8_t *dst = m->tdata[in->blk.tensor];
    size_t row = in->blk.cols * eb, stride = in->ub_stride ? in->ub_stride : row;
    for (uint32_t r = 0; r < in->blk.rows; r++)
        memcpy(dst + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0) * eb, cs->ub_data + in->ub_addr + r * stride, row);
}

/* Fast engine values of one matmul op (mxu_fast_values), run on the machine's pool so that no
 * call starts threads or allocates scratch. The pool starts its threads only once an op is
 * large enough to use them (a program of small ops never has threads spinning beside it).
 * Without memory for a pool, threads are started for the call. */
static void values_matmul_fast(machine *m, const mxu_issue *is, int threads)
{
    bool full = threads != 1;
    if (m->pool && full && !m->pool_full) {   /* grow the caller-only pool */
        num_pool_free(m->pool);
        m->pool = NULL;
    }
    if (!m->pool) {
        if (num_pool_new(full ? m->threads : 1, &m->pool, NULL) != TP_OK) {
            mxu_fast_values(&m->mp, is, NULL, threads);
            return;
        }
        m->pool_full = full;
    }
    mxu_fast_values(&m->mp, is, m->pool, threads);
}

static tp_status values_loadw(machine *m, fifo_entry *fe, const isa_instr *in)
{
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    size_t eb = npy_dtype_size(t->dtype);
    size_t need = (size_t)in->blk.rows * in->blk.cols * eb;
    if (fe->cap < need) {
        void *q = realloc(fe->data, need);
        if (!q)
            return tp_err_set(m->err, TP_ERR_NOMEM, "out of memory for a weight tile");
        fe->data = q;
        fe->cap = need;
    }
    const uint8_t *src = m->tdata[in->blk.tensor];
    uint8_t *dst = fe->data;
    /* tile is k x n row-major: k = rows (or cols when transposed) */
    if (!in->transpose) {
        size_t row = (size_t)in->blk.cols * eb;
        for (uint32_t r = 0; r < in->blk.rows; r++)
            memcpy(dst + r * row, src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0) * eb, row);
        return TP_OK;
    }
    for (uint32_t r = 0; r < in->blk.rows; r++)
        for (uint32_t c = 0; c < in->blk.cols; c++)
            copy_elem(dst + ((size_t)c * in->blk.rows + r) * eb,
                      src + (((size_t)in->blk.r0 + r) * t->cols + in->blk.c0 + c) * eb, eb);
    return TP_OK;
}

static void values_activate(machine *m, core_state *cs, const isa_instr *in)
{
    uint32_t cols = m->t->array.cols;
    size_t ob = npy_dtype_size(in->out_dtype);
    size_t stride = in->ub_stride ? in->ub_stride : in->n * ob;
    if (!in->has_bias && in->act == ISA_ACT_NONE && ob == 4) {
        /* nothing to add, clamp or convert: the general loop below would copy each 4-byte
         * accumulator value unchanged, so copy the rows */
        for (uint32_t r = 0; r < in->m; r++)
            memcpy(cs->ub_data + in->ub_addr + r * stride,
                   cs->acc_data + ((size_t)(in->acc_row + r) * cols) * 4, (size_t)in->n * 4);
        return;
    }
    for (uint32_t r = 0; r < in->m; r++) {
        uint8_t *acc = cs->acc_data + ((size_t)(in->acc_row + r) * cols) * 4;
        uint8_t *out = cs->ub_data + in->ub_addr + r * stride;
        for (uint32_t c = 0; c < in->n; c++) {
            if (m->prog.dtype == TP_INT8) {
                int32_t v, b;
                memcpy(&v, acc + c * 4, 4);
                if (in->has_bias) {
                    memcpy(&b, cs->ub_data + in->bias_addr + c * 4, 4);
                    v = num_i32_add(v, b);
                }
                if (in->act != ISA_ACT_NONE && v < 0)
                    v = 0;
                if (in->act == ISA_ACT_RELU6 && v > 6)
                    v = 6;
                if (in->out_dtype == NPY_INT8) {
                    int8_t q = num_requant_i8(v, in->scale);
                    memcpy(out + c, &q, 1);
                } else
                    memcpy(out + c * 4, &v, 4);
            } else {
                float v, b;
                memcpy(&v, acc + c * 4, 4);
                if (in->has_bias) {
                    memcpy(&b, cs->ub_data + in->bias_addr + c * 4, 4);
                    v = num_f32_add(v, b);
                }
                if (in->act != ISA_ACT_NONE && v < 0.0f)
                    v = 0.0f;
                if (in->act == ISA_ACT_RELU6 && v > 6.0f)
                    v = 6.0f;
                if (in->out_dtype == NPY_BF16) {
                    uint16_t h = dtype_f32_to_bf16(v);
                    memcpy(out + c * 2, &h, 2);
                } else
                    memcpy(out + c * 4, &v, 4);
            }
        }
    }
}

/* ---- off-chip memory --------------------------------------------------------------------- */

/* Issues a DMA block access; returns when its last byte has arrived (reads) or been written
 * (writes). *sent gets the cycle its last burst left the memory's queue, which is the access's
 * end less the memory's latency: from then on the DMA engine is free to issue the next
 * transfer while this one's data is still in flight. */
static uint64_t mem_access(machine *m, tp_mem_id id, bool write, uint64_t issue, const isa_instr *in,
                           uint64_t *sent)
{
    offchip *oc = &m->mem[id];
    const isa_tensor *t = &m->prog.tensors[in->blk.tensor];
    uint64_t eb = npy_dtype_size(t->dtype);
    uint64_t addr = m->tbase[in->blk.tensor] + ((uint64_t)in->blk.r0 * t->cols + in->blk.c0) * eb;
    uint64_t end = dram_access_2d(&oc->d, write, issue, addr, in->blk.rows, (uint64_t)in->blk.cols * eb,
                                  (uint64_t)t->cols * eb, NULL);
    const tp_mem_cfg *mc = &m->t->mem[id];
    uint64_t lat = mc->ideal ? 0 : write ? mc->write_latency_cycles : mc->read_latency_cycles;
    *sent = end - lat;
    return end;
}

static void note_end(core_state *cs, uint64_t end)
{
    if (end < cs->min_end)
        cs->min_end = end;
}

/* ---- starting instructions --------------------------------------------------------------- */

static void wake(machine *m, uint32_t c, uint64_t t)
{
    if (t != NEVER && t > m->now && m->rc == TP_OK)
        m->rc = evq_push(&m->events, t, 0, c, m->err);
}

static uint32_t n_engines(const machine *m)
{
    return m->t->dma.engines ? m->t->dma.engines : 1;
}

static uint32_t engine_pick(machine *m, core_state *cs)
{
    uint32_t best = 0;
    for (uint32_t e = 1; e < m->t->dma.engines; e++)
        if (cs->engine_free[e] < cs->engine_free[best])
            best = e;
    return best;
}

/* Frees FIFO entries released by now; returns the cycle at which `slots` more fit (NEVER when
 * an entry that must leave first has not been timed yet). */
static uint64_t fifo_space(machine *m, mxu_unit *mu, uint32_t slots)
{
    uint32_t depth = m->t->wbuf.depth_tiles;
    while (mu->f_popped && mu->fifo[mu->f_head].release <= m->now) {
        mu->f_used_slots -= mu->fifo[mu->f_head].slots;
        mu->f_head = (mu->f_head + 1) % depth;
        mu->f_n--;
        mu->f_popped--;
    }
    if (mu->f_used_slots + slots <= depth && mu->f_n < depth)
        return m->now;
    /* walk the popped entries in order: when enough slots leave */
    uint32_t used = mu->f_used_slots, n = mu->f_n;
    for (uint32_t j = 0; j < mu->f_popped; j++) {
        fifo_entry *fe = &mu->fifo[(mu->f_head + j) % depth];
        if (fe->release == NEVER)
            return NEVER;
        used -= fe->slots;
        n--;
        if (used + slots <= depth && n < depth)
            return fe->release;
    }
    return NEVER;
}

static bool try_dma(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why)
{
    const isa_instr *in = &m->prog.ins[x];
    depinfo d = deps(m, cs, x);
    if (d.blocked) {
        *why = C_DEPENDENCY;
        return false;
    }
    uint64_t t = max64(m->now, d.ready);
    cause w = d.ready > m->now ? C_DEPENDENCY : C_IDLE;
    mxu_unit *mu = NULL;
    uint32_t slots = 0;
    if (in->op == ISA_LOADW) {
        mu = &cs->mxu[in->mxu];
        uint32_t k = in->transpose ? in->blk.cols : in->blk.rows;
        slots = isa_tile_slots(m->t, k);
        uint64_t f = fifo_space(m, mu, slots);
        if (f == NEVER) {
            *why = C_WBUF_FULL;
            return false;
        }
        if (f > t) {
            t = f;
            w = C_WBUF_FULL;
        }
    }
    uint32_t eng = engine_pick(m, cs);
    if (cs->engine_free[eng] > t) {
        t = cs->engine_free[eng];
        w = C_DMA_ENGINES;
    }
    if (t > m->now) {
        wake(m, c, t);
        *why = w;
        return false;
    }
    /* begin now */
    uint64_t s = m->now, setup = m->t->dma.setup_cycles, dma_bpc = m->t->dma.bytes_per_cycle;
    const isa_tensor *tt = &m->prog.tensors[in->blk.tensor];
    uint64_t bytes = (uint64_t)in->blk.rows * in->blk.cols * npy_dtype_size(tt->dtype);
    uint64_t own = s + setup + ceil_div(bytes, dma_bpc);   /* the engine's own time */
    uint64_t mem_end = own, ub_end = own, sent = own;
    flight *f = &m->fl[x];
    advance_pe(m, cs, s);
    if (in->op == ISA_LOAD) {
        mem_end = mem_access(m, m->t->place_inputs, false, s + setup, in, &sent);
        /* the UB writes trail the data coming back: they end with the last byte if the port
         * is free, so they do not hold the port during the memory's latency */
        uint64_t ucyc = sram_cycles(&cs->ub, true, bytes);
        uint64_t want = mem_end > s + setup + ucyc ? mem_end - ucyc : s + setup;
        uint64_t ub0 = sram_earliest(&cs->ub, true, want, bytes);
        sram_reserve(&cs->ub, true, ub0, bytes);
        ub_end = ub0 + ucyc;
        if (!m->timing_only)
            values_load(m, cs, in);
    } else if (in->op == ISA_LOADW) {
        mem_end = mem_access(m, m->t->place_weights, false, s + setup, in, &sent);
        uint32_t depth = m->t->wbuf.depth_tiles;
        fifo_entry *fe = &mu->fifo[(mu->f_head + mu->f_n) % depth];
        fe->release = NEVER;
        fe->slots = slots;
        fe->ins = x;
        fe->k = in->transpose ? in->blk.cols : in->blk.rows;
        fe->n = in->transpose ? in->blk.rows : in->blk.cols;
        mu->f_n++;
        mu->f_used_slots += slots;
        m->wbuf_bytes += bytes;
        if (!m->timing_only && (m->rc = values_loadw(m, fe, in)))
            return false;
    } else {   /* store */
        uint64_t ub0 = sram_earliest(&cs->ub, false, s + setup, bytes);
        sram_reserve(&cs->ub, false, ub0, bytes);
        ub_end = ub0 + sram_cycles(&cs->ub, false, bytes);
        mem_end = mem_access(m, m->t->place_outputs, true, s + setup, in, &sent);
        if (!m->timing_only)
            values_store(m, cs, in);
    }
    uint64_t end = max64(own, max64(mem_end, ub_end));
    f->started = true;
    f->start = s;
    f->end = f->read_done = end;
    /* The engine is occupied for its own cycles and until its last burst has left the memory's
     * queue (backpressure), not for the memory's latency: transfers pipeline behind each other
     * as a DMA engine with outstanding requests does. The instruction completes at `end`. */
    cs->engine_free[eng] = max64(own, sent);
    note_end(cs, end);
    /* the engine's own cycles are busy; beyond them, until its last burst has left the
     * memory's queue, it is held by the memory (queueing behind other transfers, bandwidth) */
    acct_span(&cs->dma[eng], s, own, STATS_DMA_BUSY);
    acct_span(&cs->dma[eng], own, cs->engine_free[eng], STATS_DMA_OFF_CHIP);
    wake(m, c, end);
    return true;
}

static bool try_activate(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why)
{
    const isa_instr *in = &m->prog.ins[x];
    depinfo d = deps(m, cs, x);
    if (d.blocked) {
        *why = d.why == C_IDLE ? C_DEPENDENCY : d.why;
        return false;
    }
    if (d.ready > m->now) {
        wake(m, c, d.ready);
        *why = d.why == C_IDLE ? C_DEPENDENCY : d.why;
        return false;
    }
    uint64_t s = m->now, elems = (uint64_t)in->m * in->n;
    uint64_t out_bytes = elems * npy_dtype_size(in->out_dtype);
    uint64_t own = s + ceil_div(elems, m->t->vpu.elems_per_cycle);
    uint64_t ub0 = sram_earliest(&cs->ub, true, s, out_bytes);
    sram_reserve(&cs->ub, true, ub0, out_bytes);
    uint64_t end = max64(own, ub0 + sram_cycles(&cs->ub, true, out_bytes));
    if (in->has_bias)
        cs->ub.read_bytes += (uint64_t)in->n * 4;
    m->acc_read_bytes += elems * 4;
    advance_pe(m, cs, s);
    if (!m->timing_only)
        values_activate(m, cs, in);
    flight *f = &m->fl[x];
    f->started = true;
    f->start = s;
    f->end = f->read_done = end;
    note_end(cs, end);
    acct_span(&cs->vpu, s, own, STATS_VPU_BUSY);
    acct_span(&cs->vpu, own, end, STATS_VPU_UB_BANDWIDTH);
    wake(m, c, end);
    return true;
}

/* Splits an op's idle cycles: those before the instruction reached the head of the queue are
 * plain idle (or queue_full), the rest go to what the op waited for. */
static void mxu_account(mxu_unit *mu, const mxu_timing *tm, uint64_t prev_stream_end, uint64_t arrival,
                        cause waited, cause before)
{
    mu->cyc[STATS_MXU_BUSY] += tm->by_cause[MXU_BUSY];
    mu->cyc[STATS_MXU_WEIGHT_SHIFT] += tm->by_cause[MXU_WEIGHT_LOAD];
    mu->cyc[STATS_MXU_FILL_DRAIN] += tm->by_cause[MXU_FILL_DRAIN];
    uint64_t idle = tm->by_cause[MXU_IDLE];
    uint64_t pre = arrival > prev_stream_end ? arrival - prev_stream_end : 0;
    if (pre > idle)
        pre = idle;
    mu->cyc[mxu_cause_of(before)] += pre;
    mu->cyc[mxu_cause_of(waited)] += idle - pre;
}

static bool try_matmul(machine *m, uint32_t c, core_state *cs, uint32_t x, cause *why)
{
    const isa_instr *in = &m->prog.ins[x];
    mxu_unit *mu = &cs->mxu[in->mxu];
    uint32_t depth = m->t->wbuf.depth_tiles;
    /* its tiles: the FIFO entries after the ones already handed out */
    if (mu->f_n < mu->f_popped + in->repeat) {
        *why = C_WEIGHTS;
        return false;
    }
    depinfo d = deps(m, cs, x);
    if (d.blocked) {
        *why = d.why == C_IDLE ? C_DEPENDENCY : d.why;
        return false;
    }
    uint64_t inputs_ready = max64(m->now, d.ready);
    cause dep_cause = d.ready > m->now ? (d.why == C_IDLE ? C_DEPENDENCY : d.why) : C_INPUTS;
    unsigned e = dtype_in_bytes(m->prog.dtype);
    uint32_t cols = m->t->array.cols;
    flight *f = &m->fl[x];
    advance_pe(m, cs, m->now);
    uint64_t arrival = mu->head_since;
    for (uint32_t j = 0; j < in->repeat; j++) {
        fifo_entry *fe = &mu->fifo[(mu->f_head + mu->f_popped) % depth];
        uint64_t weights_ready = max64(m->now, m->fl[fe->ins].end);
        mxu_op op = {in->m, fe->n, fe->k, j > 0 || in->accumulate};
        mxu_state saved = mu->st;
        uint64_t prev_se = mu->st.stream_end;
        mxu_timing tm;
        mxu_time_op2(&m->mp, &mu->st, &op, weights_ready, inputs_ready, &tm);
        uint64_t a_bytes = (uint64_t)in->m * fe->k * e;
        /* The UB read port must deliver the op's A rows: d = ceil(bytes / read bandwidth)
         * cycles. If that is longer than the stream (T cycles), the reads begin `lead` = d - T
         * (not before inputs_ready)
         * cycles before the stream so that every row is read before it enters the array. */
        uint64_t T = mxu_op_stream_cycles(&m->mp, &op);
        uint64_t rd = sram_cycles(&cs->ub, false, a_bytes), lead = rd > T ? rd - T : 0;
        /* reads may begin once the inputs are there */
        uint64_t want = tm.start >= inputs_ready + lead ? tm.start - lead : inputs_ready;
        uint64_t u0 = sram_earliest(&cs->ub, false, want, a_bytes);
        cause waited = weights_ready > inputs_ready ? C_WEIGHTS : dep_cause;
        uint64_t in_ready = inputs_ready;
        if (u0 + lead > tm.start) {   /* the UB read port is busy or too slow: start later */
            mu->st = saved;
            in_ready = u0 + lead;
            mxu_time_op2(&m->mp, &mu->st, &op, weights_ready, in_ready, &tm);
            waited = C_UB_BW;
        }
        sram_reserve(&cs->ub, false, tm.start - lead, a_bytes);
        mxu_account(mu, &tm, prev_se, arrival, waited, cs->issue_blocked ? C_ISSUE_BLOCKED : C_IDLE);
        fe->release = m->mp.dataflow == TP_DF_OS ? tm.stream_end : tm.start;
        mu->f_popped++;
        m->macs += (uint64_t)in->m * fe->n * fe->k;
        mu->macs += (uint64_t)in->m * fe->n * fe->k;
        m->acc_write_bytes += (uint64_t)in->m * fe->n * 4;
        if (op.accumulate)
            m->acc_read_bytes += (uint64_t)in->m * fe->n * 4;
        if (j == 0) {
            f->start = tm.start;
        }
        f->end = max64(f->end, tm.end);
        f->read_done = max64(f->read_done, tm.stream_end);
        mu->used = true;
        wake(m, c, fe->release);
        if (!m->timing_only) {
            mxu_issue is;
            memset(&is, 0, sizeof is);
            is.op = op;
            is.a = cs->ub_data + in->ub_addr + (size_t)j * fe->k * e;
            is.a_rs = (in->ub_stride ? in->ub_stride : (uint64_t)fe->k * in->repeat * e) / e;
            is.a_cs = 1;
            is.b = fe->data;
            is.b_rs = fe->n;
            is.b_cs = 1;
            is.c = cs->acc_data + (size_t)in->acc_row * cols * 4;
            is.ldc = cols;
            is.weights_ready = weights_ready;
            is.inputs_ready = in_ready;
            if (m->engine == MACHINE_PE) {
                /* The per-PE engine reads its operands lazily, cycle by cycle (with the input
                 * skew, after the hardware has read the rows from the UB). It gets private
                 * copies taken now, which is when the hardware's values are defined. */
                if (mu->pe_n == mu->pe_cap) {
                    uint32_t nc = mu->pe_cap ? mu->pe_cap * 2 : 64;
                    mxu_timing *q = realloc(mu->pe_expect, nc * sizeof *q);
                    void **qb = q ? realloc(mu->pe_bufs, nc * sizeof *qb) : NULL;
                    if (q)
                        mu->pe_expect = q;
                    if (qb)
                        mu->pe_bufs = qb;
                    if (!q || !qb) {
                        m->rc = tp_err_set(m->err, TP_ERR_NOMEM, "out of memory");
                        return false;
                    }
                    mu->pe_cap = nc;
                }
                size_t abytes = (size_t)in->m * fe->k * e, bbytes = (size_t)fe->k * fe->n * e;
                uint8_t *buf = malloc(abytes + bbytes);
                if (!buf) {
                    m->rc = tp_err_set(m->err, TP_ERR_NOMEM, "out of memory");
                    return false;
                }
                for (uint32_t r = 0; r < in->m; r++)
                    memcpy(buf + (size_t)r * fe->k * e, (const uint8_t *)is.a + (size_t)r * is.a_rs * e, (size_t)fe->k * e);
                memcpy(buf + abytes, fe->data, bbytes);
                is.a = buf;
                is.a_rs = fe->k;
                is.b = buf + abytes;
                uint32_t id;
                if ((m->rc = mxu_pe_issue(mu->pe, &is, &id, m->err))) {
                    free(buf);
                    return false;
                }
                mu->pe_bufs[mu->pe_n] = buf;
                mu->pe_expect[mu->pe_n++] = tm;
                (void)id;
            } else {
                /* threads pay off only for large ops; waking them costs more than a small op */
                uint64_t op_macs = (uint64_t)op.m * op.n * op.k;
                values_matmul_fast(m, &is, op_macs >= PARALLEL_MIN_MACS ? m->threads : 1);
            }
        }
    }
    f->started = true;
    note_end(cs, f->end);
    wake(m, c, f->end);
    wake(m, c, f->read_done);
    return true;
}

/* ---- the core's step --------------------------------------------------------------------- */

static void retire(machine *m, core_state *cs)
{
    if (m->now < cs->min_end)
        return;   /* nothing has ended yet */
    uint32_t k = 0;
    uint64_t me = NEVER;
    for (uint32_t j = 0; j < cs->n_inflight; j++) {
        uint32_t y = cs->inflight[j];
        const flight *f = &m->fl[y];
        if (!(f->started && f->end <= m->now)) {
            cs->inflight[k++] = y;
            if (f->started && f->end < me)
                me = f->end;
        }
    }
    cs->n_inflight = k;
    cs->min_end = me;
}


/* The unit queue of an instruction (isa_ops' table), MXU u's matrix queue being Q_MXU0 + u. */
static uint32_t queue_of(const isa_instr *in)
{
    isa_queue q = isa_ops[in->op].queue;
    return q == ISA_Q_MATRIX ? (uint32_t)Q_MXU0 + in->mxu : (uint32_t)q;
}

static bool issue(machine *m, core_state *cs)
{
    bool progress = false;
    cs->issue_blocked = false;
    while (cs->next < cs->n_prog) {
        uint32_t x = cs->prog[cs->next];
        const isa_instr *in = &m->prog.ins[x];
        if (in->op == ISA_HALT) {
            cs->next = cs->n_prog;
            progress = true;
            break;
        }
        if (in->op == ISA_FENCE) {
            if (cs->n_inflight)
                break;
            m->fl[x].started = true;
            m->fl[x].start = m->fl[x].end = m->now;
            cs->next++;
            progress = true;
            continue;
        }
        queue *q = &cs->q[queue_of(in)];
        if (q->n == QUEUE_DEPTH) {
            cs->issue_blocked = true;
            break;
        }
        footprint(m, x);
        q->idx[(q->head + q->n) % QUEUE_DEPTH] = x;
        if (q->n == 0 && in->op == ISA_MATMUL)
            cs->mxu[in->mxu].head_since = m->now;
        q->n++;
        cs->inflight[cs->n_inflight++] = x;
        cs->next++;
        progress = true;
    }
    return progress;
}

static void step_core(machine *m, uint32_t c)
{
    core_state *cs = &m->cores[c];
    uint32_t nq = Q_MXU0 + m->t->mxus_per_core;
    bool progress = true;
    retire(m, cs);
    sram_retire(&cs->ub, m->now);
    while (progress && m->rc == TP_OK) {
        progress = false;
        if (cs->next < cs->n_prog && m->prog.ins[cs->prog[cs->next]].op == ISA_FENCE)
            retire(m, cs);   /* a fence needs to see what ended at this very cycle */
        if (issue(m, cs))
            progress = true;
        cause dma_why = cs->issue_blocked ? C_ISSUE_BLOCKED : C_IDLE, vpu_why = dma_why;
        bool dma_any = false;
        for (uint32_t qi = 0; qi < nq && m->rc == TP_OK; qi++) {
            queue *q = &cs->q[qi];
            while (q->n) {
                uint32_t x = q->idx[q->head];
                const isa_instr *in = &m->prog.ins[x];
                cause why = C_DEPENDENCY;
                bool ok;
                if (in->op == ISA_MATMUL)
                    ok = try_matmul(m, c, cs, x, &why);
                else if (in->op == ISA_ACTIVATE)
                    ok = try_activate(m, c, cs, x, &why);
                else
                    ok = try_dma(m, c, cs, x, &why);
                if (!ok) {
                    if (qi == Q_VECTOR)
                        vpu_why = why;
                    else if (qi < Q_MXU0 && (!dma_any || why != C_IDLE)) {
                        dma_why = why;
                        dma_any = true;
                    }
                    break;
                }
                q->head = (q->head + 1) % QUEUE_DEPTH;
                q->n--;
                if (qi >= Q_MXU0)
                    cs->mxu[qi - Q_MXU0].head_since = m->now;
                progress = true;
            }
        }
        if (!progress) {
            for (uint32_t e = 0; e < n_engines(m); e++)
                acct_note(&cs->dma[e], m->now, dma_cause_of(dma_why));
            acct_note(&cs->vpu, m->now, vpu_cause_of(vpu_why));
        }
    }
    /* every begun instruction already woke this core at its end (or has ended by now) */
    retire(m, cs);
    if (cs->next == cs->n_prog && cs->n_inflight == 0)
        cs->done = true;
}

/* ---- run --------------------------------------------------------------------------------- */

static tp_status setup_run(machine *m)
{
    const tp_tpu_cfg *t = m->t;
    uint32_t n = m->prog.n_ins;
    m->fl = calloc(n ? n : 1, sizeof *m->fl);
    m->cores = calloc(t->cores, sizeof *m->cores);
    if (!m->fl || !m->cores)
        return TP_ERR_NOMEM;
    uint32_t depth = t->wbuf.depth_tiles;
    /* k of each matmul's tiles: replay the FIFOs in program order (isa_validate checked them) */
    uint32_t nmx = t->cores * t->mxus_per_core;
    uint32_t *ring = calloc((size_t)nmx * depth, sizeof *ring), *rh = calloc(nmx, sizeof *rh),
             *rn = calloc(nmx, sizeof *rn);
    if (!ring || !rh || !rn) {
        free(ring);
        free(rh);
        free(rn);
        return TP_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const isa_instr *in = &m->prog.ins[i];
        uint32_t g = in->core * t->mxus_per_core + in->mxu;
        if (in->op == ISA_LOADW)
            ring[(size_t)g * depth + (rh[g] + rn[g]++) % depth] = in->transpose ? in->blk.cols : in->blk.rows;
        else if (in->op == ISA_MATMUL) {
            m->fl[i].mm_k = ring[(size_t)g * depth + rh[g]];
            rh[g] = (rh[g] + in->repeat) % depth;
            rn[g] -= in->repeat;
        }
    }
    free(ring);
    free(rh);
    free(rn);
    for (uint32_t c = 0; c < t->cores; c++) {
        core_state *cs = &m->cores[c];
        uint32_t cnt = 0;
        for (uint32_t i = 0; i < n; i++)
            cnt += m->prog.ins[i].core == c;
        cs->prog = malloc(sizeof *cs->prog * (cnt ? cnt : 1));
        cs->inflight = malloc(sizeof *cs->inflight * (cnt ? cnt : 1));
        cs->q = calloc(Q_MXU0 + t->mxus_per_core, sizeof *cs->q);
        cs->engine_free = calloc(n_engines(m), sizeof *cs->engine_free);
        cs->dma = calloc(n_engines(m), sizeof *cs->dma);
        cs->mxu = calloc(t->mxus_per_core, sizeof *cs->mxu);
        if (!cs->prog || !cs->inflight || !cs->q || !cs->engine_free || !cs->dma || !cs->mxu)
            return TP_ERR_NOMEM;
        for (uint32_t i = 0; i < n; i++)
            if (m->prog.ins[i].core == c)
                cs->prog[cs->n_prog++] = i;
        for (uint32_t q = 0; q < Q_MXU0 + t->mxus_per_core; q++)
            if (!(cs->q[q].idx = malloc(sizeof(uint32_t) * QUEUE_DEPTH)))
                return TP_ERR_NOMEM;
        for (uint32_t u = 0; u < t->mxus_per_core; u++) {
            mxu_unit *mu = &cs->mxu[u];
            mxu_state_init(&mu->st);
            if (!(mu->fifo = calloc(depth, sizeof *mu->fifo)))
                return TP_ERR_NOMEM;
            if (m->engine == MACHINE_PE && !m->timing_only) {
                tp_status rc = mxu_pe_new(&m->mp, &mu->pe, m->err);
                if (rc)
                    return rc;
            }
        }
        sram_init(&cs->ub, t->ub.size_bytes, t->ub.banks, t->ub.read_ports, t->ub.write_ports, t->ub.bytes_per_cycle);
        if (!m->timing_only) {
            /* zeroed; big buffers, so first touches fault in 2 MiB pages where possible */
            cs->ub_data = num_big_alloc(t->ub.size_bytes);
            cs->acc_data = num_big_alloc((size_t)t->acc.entries * t->mxus_per_core * t->array.cols * 4);
            if (!cs->ub_data || !cs->acc_data)
                return TP_ERR_NOMEM;
        }
        for (uint32_t e = 0; e < n_engines(m); e++)
            acct_init(&cs->dma[e], STATS_DMA_IDLE);
        acct_init(&cs->vpu, STATS_VPU_IDLE);
        cs->min_end = NEVER;
    }
    if (!m->timing_only) {
        for (uint32_t i = 0; i < m->prog.n_tensors; i++)
            if (!m->tdata[i]) {
                const isa_tensor *tt = &m->prog.tensors[i];
                m->tdata[i] = calloc((size_t)tt->rows * tt->cols, npy_dtype_size(tt->dtype));
                if (!m->tdata[i])
                    return tp_err_set(m->err, TP_ERR_NOMEM,
                                      "out of memory for tensor '%s' (%u x %u %s = %llu bytes)", tt->name,
                                      tt->rows, tt->cols, npy_dtype_name(tt->dtype),
                                      (unsigned long long)tt->rows * tt->cols * npy_dtype_size(tt->dtype));
                m->town[i] = true;
            } else if (m->town[i]) {
                const isa_tensor *tt = &m->prog.tensors[i];
                memset(m->tdata[i], 0, (size_t)tt->rows * tt->cols * npy_dtype_size(tt->dtype));
            }
    }
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (m->mem[id].present)
            dram_reset(&m->mem[id].d);
    evq_init(&m->events);
    m->now = 0;
    m->macs = m->acc_read_bytes = m->acc_write_bytes = m->wbuf_bytes = 0;
    return TP_OK;
}

static stats_unit *add_unit(machine *m, const char *name, stats_kind kind, const uint64_t *cyc, uint32_t n)
{
    stats_unit *u = stats_add_unit(&m->stats, name, kind);
    if (!u) {
        m->rc = tp_err_set(m->err, TP_ERR_NOMEM, "out of memory for stats");
        return NULL;
    }
    for (uint32_t c = 0; c < n; c++)
        u->cycles[c] = cyc[c];
    return u;
}

/* The TPU's counters -> the shared stats record (stats/stats.h). */
static void finish_stats(machine *m, uint64_t total)
{
    const tp_tpu_cfg *t = m->t;
    tp_stats *s = &m->stats;
    stats_free(s);
    stats_init(s);
    snprintf(s->machine_kind, sizeof s->machine_kind, "tpu");
    snprintf(s->machine, sizeof s->machine, "%s", t->name);
    snprintf(s->dtype, sizeof s->dtype, "%s", dtype_name(m->prog.dtype));
    snprintf(s->compute_unit, sizeof s->compute_unit, "MXU");
    stats_set_attr(s, "engine", machine_engine_name(m->engine));
    stats_set_attr(s, "dataflow", cfg_dataflow_name(t->array.dataflow));
    s->timing_only = m->timing_only;
    s->clock_hz = t->clock_hz;
    s->cycles = total;
    s->instructions = m->prog.n_ins;
    s->macs = m->macs;
    s->peak_macs_per_cycle = (double)cfg_tpu_peak_macs_per_cycle(t);
    s->compute_units = t->cores * t->mxus_per_core;
    uint64_t pe_per_mxu = (uint64_t)t->array.rows * t->array.cols;
    char name[STATS_NAME];
    uint64_t ub_r = 0, ub_w = 0;
    for (uint32_t c = 0; c < t->cores && m->rc == TP_OK; c++) {
        core_state *cs = &m->cores[c];
        for (uint32_t u = 0; u < t->mxus_per_core; u++) {
            mxu_unit *mu = &cs->mxu[u];
            uint64_t tail[MXU_CAUSE__COUNT] = {0};
            mxu_close(&mu->st, total, tail);
            mu->cyc[STATS_MXU_FILL_DRAIN] += tail[MXU_FILL_DRAIN];
            mu->cyc[STATS_MXU_IDLE] += tail[MXU_IDLE];
            mu->cyc[STATS_MXU_BUSY] += tail[MXU_BUSY];
            mu->cyc[STATS_MXU_WEIGHT_SHIFT] += tail[MXU_WEIGHT_LOAD];
            /* Streaming cycles are busy in proportion to the useful MACs (an array cycle does
             * rows x cols MACs); the rest of them carried padding of partial tiles. */
            uint64_t streaming = mu->cyc[STATS_MXU_BUSY], useful = mu->macs / pe_per_mxu;
            if (useful > streaming)
                useful = streaming;
            mu->cyc[STATS_MXU_BUSY] = useful;
            mu->cyc[STATS_MXU_PADDING] = streaming - useful;
            s->compute_units_used += mu->used;
            snprintf(name, sizeof name, "core%u.mxu%u", c, u);
            stats_unit *su = add_unit(m, name, STATS_KIND_MXU, mu->cyc, STATS_MXU__COUNT);
            if (su)
                su->macs = mu->macs;
        }
        for (uint32_t e = 0; e < n_engines(m); e++) {
            acct_close(&cs->dma[e], total);
            snprintf(name, sizeof name, "core%u.dma%u", c, e);
            add_unit(m, name, STATS_KIND_DMA, cs->dma[e].cyc, STATS_DMA__COUNT);
        }
        acct_close(&cs->vpu, total);
        snprintf(name, sizeof name, "core%u.vpu", c);
        add_unit(m, name, STATS_KIND_VPU, cs->vpu.cyc, STATS_VPU__COUNT);
        ub_r += cs->ub.read_bytes;
        ub_w += cs->ub.write_bytes;
    }
    for (int id = 0; id < TP_MEM__COUNT && m->rc == TP_OK; id++) {
        const dram *d = &m->mem[id].d;
        if (!m->mem[id].present)
            continue;
        /* transfer: the cycles the bus needs for its bytes at peak; latency: the rest of the
         * cycles with a request in flight */
        uint64_t cyc[STATS_MEM__COUNT] = {0};
        uint64_t xfer = 0;
        if (!d->cfg.ideal && d->cfg.bytes_per_s)
            xfer = (uint64_t)((dram_ticks)d->bus_bytes * t->clock_hz / d->cfg.bytes_per_s);
        if (xfer > d->inflight_cycles)
            xfer = d->inflight_cycles;
        cyc[STATS_MEM_TRANSFER] = xfer;
        cyc[STATS_MEM_LATENCY] = d->inflight_cycles - xfer;
        cyc[STATS_MEM_IDLE] = total - d->inflight_cycles;
        add_unit(m, cfg_mem_name((tp_mem_id)id), STATS_KIND_MEM, cyc, STATS_MEM__COUNT);
        stats_level *l = stats_add_level(s, cfg_mem_name((tp_mem_id)id), STATS_LEVEL_OFF_CHIP);
        if (l) {
            l->read_bytes = d->read_bytes;
            l->write_bytes = d->write_bytes;
            l->bus_bytes = d->bus_bytes;
            l->shared_bus = true;
            if (!d->cfg.ideal)
                l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s =
                    (double)d->cfg.bytes_per_s;
            l->in_flight_cycles = d->inflight_cycles;
        }
    }
    stats_level *l = stats_add_level(s, "ub", STATS_LEVEL_BUFFER);
    if (l) {
        double port = (double)t->ub.banks * t->ub.bytes_per_cycle * (double)t->clock_hz * t->cores;
        l->read_bytes = ub_r;
        l->write_bytes = ub_w;
        l->bus_bytes = ub_r + ub_w;
        l->peak_read_bytes_per_s = port * t->ub.read_ports;
        l->peak_write_bytes_per_s = port * t->ub.write_ports;
        l->peak_bytes_per_s = l->peak_read_bytes_per_s + l->peak_write_bytes_per_s;
    }
    if ((l = stats_add_level(s, "acc", STATS_LEVEL_BUFFER))) {   /* bandwidth not modelled */
        l->read_bytes = m->acc_read_bytes;
        l->write_bytes = m->acc_write_bytes;
        l->bus_bytes = l->read_bytes + l->write_bytes;
    }
    if ((l = stats_add_level(s, "wbuf", STATS_LEVEL_BUFFER))) {  /* bandwidth not modelled */
        l->read_bytes = m->wbuf_bytes;
        l->write_bytes = m->wbuf_bytes;
        l->bus_bytes = l->read_bytes + l->write_bytes;
    }
    const tp_energy_cfg *en = &t->energy;
    if (en->present) {
        /* off-chip energy counts the bytes that crossed the bus (whole bursts) */
        s->has_energy = true;
        s->energy_mac_pj = (double)m->macs * en->pj_per_mac[m->prog.dtype];
        for (int id = 0; id < TP_MEM__COUNT; id++)
            if (m->mem[id].present)
                s->energy_offchip_pj += (double)m->mem[id].d.bus_bytes * en->pj_per_byte_mem[id];
        s->energy_onchip_pj = (double)(ub_r + ub_w) * en->pj_per_byte_ub +
                              (double)(m->acc_read_bytes + m->acc_write_bytes) * en->pj_per_byte_acc +
                              (double)(2 * m->wbuf_bytes) * en->pj_per_byte_wbuf;
        s->energy_pj = s->energy_mac_pj + s->energy_offchip_pj + s->energy_onchip_pj;
    }
    stats_finish(s);
}

/* With the per-PE engine: run every MXU to the end and compare each op's timing with the
 * closed form the scheduler used. */
static tp_status check_pe(machine *m)
{
    if (m->engine != MACHINE_PE || m->timing_only)
        return TP_OK;
    for (uint32_t c = 0; c < m->t->cores; c++)
        for (uint32_t u = 0; u < m->t->mxus_per_core; u++) {
            mxu_unit *mu = &m->cores[c].mxu[u];
            mxu_pe_finish(mu->pe);
            for (uint32_t id = 0; id < mu->pe_n; id++) {
                const mxu_timing *pt = mxu_pe_op_timing(mu->pe, id), *ft = &mu->pe_expect[id];
                if (!pt || pt->start != ft->start || pt->end != ft->end || pt->stream_end != ft->stream_end ||
                    memcmp(pt->by_cause, ft->by_cause, sizeof pt->by_cause))
                    return tp_err_set(m->err, TP_ERR_INTERNAL,
                                      "core %u mxu %u op %u: per-PE timing (start %llu, end %llu) differs from the "
                                      "closed form (start %llu, end %llu)", c, u, id,
                                      (unsigned long long)(pt ? pt->start : 0), (unsigned long long)(pt ? pt->end : 0),
                                      (unsigned long long)ft->start, (unsigned long long)ft->end);
            }
        }
    return TP_OK;
}

tp_status machine_run(machine *m, tp_err *err)
{
    if (!m->loaded)
        return tp_err_set(err, TP_ERR_USAGE, "machine_run: no program loaded");
    free_run_state(m);
    m->err = err;
    m->rc = TP_OK;
    if (err)
        err->msg[0] = '\0';
    tp_status rc = setup_run(m);
    if (rc) {
        if (rc == TP_ERR_NOMEM && err && !err->msg[0])   /* not said more precisely already */
            tp_err_set(err, rc, "out of memory setting up the machine (unified buffer %llu bytes per core)",
                       (unsigned long long)m->t->ub.size_bytes);
        return rc;
    }
    for (uint32_t c = 0; c < m->t->cores && m->rc == TP_OK; c++)
        m->rc = evq_push(&m->events, 0, 0, c, err);
    evq_event ev;
    while (m->rc == TP_OK && evq_pop(&m->events, &ev)) {
        m->now = ev.t;
        if (!m->cores[ev.unit].done)
            step_core(m, ev.unit);
    }
    if (m->rc)
        return m->rc;
    uint64_t total = 0;
    for (uint32_t c = 0; c < m->t->cores; c++) {
        core_state *cs = &m->cores[c];
        if (!cs->done) {
            uint32_t x = cs->next < cs->n_prog ? cs->prog[cs->next] : cs->inflight[0];
            return fault(m, x, TP_ERR_PROGRAM, "the machine deadlocked here (no unit can make progress)");
        }
    }
    for (uint32_t i = 0; i < m->prog.n_ins; i++)
        if (m->fl[i].started && m->fl[i].end > total)
            total = m->fl[i].end;
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (m->mem[id].present && m->mem[id].d.inflight_until > total)
            total = m->mem[id].d.inflight_until;
    if ((rc = check_pe(m)))
        return rc;
    finish_stats(m, total);
    if (m->rc)
        return m->rc;
    return stats_check(&m->stats, err);
}
