/* The tiler's analytic estimate: the cycles a derived plan's program should take, built from
 * the machine's own mechanisms (docs/tiler.md, "The estimate"), so it ranks candidates for the
 * search (search.c) without running the machine. The choice is still made on simulated cycles.
 *
 * Every figure comes from the unit that owns it:
 *   - off-chip bytes on the bus: the DRAM unit's bursts of each block row (dram_run_bursts),
 *     per memory of the placement; its time at the memory's bandwidth (cfg_mem_transfer_cycles);
 *     one block's time on an idle memory, with its channel spread and latency, from
 *     dram_access_2d on a private dram (the prologue, the epilogue, serialization points);
 *   - the DMA engines: setup + bytes / bytes_per_cycle per transfer (tpu/dma.c's dma_time),
 *     shared by the core's engines;
 *   - the unified buffer: each side's occupancy from sram_cycles (MXU A reads, store reads;
 *     DMA load writes, activate writes);
 *   - the MXU: a steady stream of the plan's representative ops timed by mxu_time_op2 (fill,
 *     drain, weight-shift exposure), the FIFO's depth bounding how far weight loads run ahead;
 *   - the vector unit: ceil(elements / elems_per_cycle) per activate (tpu/vpu.c's vpu_time),
 *     with split-K's extra row activates.
 * The core time is its prologue (first A tile and weight tile), the busiest of its resources
 * with the exposed serialization (single-buffered slots), and the epilogue (drain, the last
 * activate and store); the chip's is the busiest core or the off-chip time, whichever is longer.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "mem/dram.h"
#include "mem/sram.h"
#include "tiler/loops.h"
#include "tiler/tiler.h"
#include "tiler/tiler_int.h"
#include "tpu/isa.h"
#include "tpu/machine.h"
#include "tpu/mxu.h"

/* Steady cost per op of a stream of identical ops (operands and weights ready), and the first
 * op's drain (results still on their way after its stream), from the array's closed form. */
typedef struct {
    uint64_t per_op;
    uint64_t first;   /* first op: stream_end from a fresh array (fill and weight load included) */
    uint64_t drain;   /* end - stream_end of an op */
} op_cost;

static op_cost steady(const mxu_params *mp, uint32_t m, uint32_t n, uint32_t k)
{
    op_cost c;
    mxu_op op = {m, n, k, false};
    mxu_state st;
    mxu_timing t1, t2, t3;
    mxu_state_init(&st);
    mxu_time_op2(mp, &st, &op, 0, 0, &t1);
    mxu_time_op2(mp, &st, &op, 0, 0, &t2);
    mxu_time_op2(mp, &st, &op, 0, 0, &t3);
    c.per_op = t3.stream_end - t2.stream_end;
    c.first = t1.stream_end;
    c.drain = t1.end - t1.stream_end;
    return c;
}

/* Sizes of the pieces of one dimension cut in tiles of `tile` then chunks of `chunk`:
 * up to three (size, count) pairs over the whole extent. */
typedef struct {
    uint32_t size[3];
    uint64_t count[3];
    int n;
} pieces;

static void add_piece(pieces *p, uint32_t size, uint64_t count)
{
    if (!size || !count)
        return;
    for (int i = 0; i < p->n; i++)
        if (p->size[i] == size) {
            p->count[i] += count;
            return;
        }
    p->size[p->n] = size;
    p->count[p->n++] = count;
}

static pieces cut(uint32_t ext, uint32_t tile, uint32_t chunk)
{
    pieces p;
    memset(&p, 0, sizeof p);
    uint64_t full = ext / tile;
    uint32_t last = ext % tile;
    add_piece(&p, chunk, full * (tile / chunk));
    add_piece(&p, tile % chunk, full);
    add_piece(&p, chunk, last / chunk);
    add_piece(&p, last % chunk, last ? 1 : 0);
    return p;
}

static uint64_t pieces_count(const pieces *p)
{
    uint64_t n = 0;
    for (int i = 0; i < p->n; i++)
        n += p->count[i];
    return n;
}

/* Bus bytes of a block of `rows` runs of `row_bytes` at addr + i * stride, from the DRAM unit's
 * burst count of each run (sampled when the rows' alignments repeat). */
static uint64_t block_bus(const dram *d, uint64_t addr, uint64_t rows, uint64_t row_bytes, uint64_t stride)
{
    if (!rows || !row_bytes)
        return 0;
    uint64_t burst = d->cfg.burst_bytes ? d->cfg.burst_bytes : 1;
    if (stride == row_bytes)
        return dram_run_bursts(d, addr, rows * row_bytes) * burst;
    if (stride % burst == 0)
        return rows * dram_run_bursts(d, addr, row_bytes) * burst;
    uint64_t sample = rows < 16 ? rows : 16, b = 0;
    for (uint64_t i = 0; i < sample; i++)
        b += dram_run_bursts(d, addr + i * stride, row_bytes);
    return b * rows / sample * burst;
}

/* One block's time on an idle memory from its issue: channel spread and latency (dram_access_2d
 * on the private dram `d`, issued after everything before it has drained). Rows past 64 are
 * timed as 64 and scaled. */
static uint64_t block_time(dram *d, bool write, uint64_t *clock, uint64_t addr, uint64_t rows, uint64_t row_bytes,
                           uint64_t stride)
{
    if (!rows || !row_bytes || d->cfg.ideal)
        return 0;
    uint64_t r = rows < 64 ? rows : 64;
    dram_access a;
    uint64_t end = dram_access_2d(d, write, *clock, addr, r, row_bytes, stride, &a);
    uint64_t lat = write ? d->cfg.write_latency_cycles : d->cfg.read_latency_cycles;
    uint64_t xfer = end - *clock - lat;
    *clock = end + 1;
    return lat + xfer * rows / r;
}

/* The DMA engine's own cycles of one transfer (tpu/dma.c, dma_time: setup + bytes / rate). */
static uint64_t dma_own(const tp_tpu_cfg *t, uint64_t bytes)
{
    return t->dma.setup_cycles + util_ceil_div(bytes, util_max(1, t->dma.bytes_per_cycle));
}

/* The vector unit's cycles of one activate of `elems` elements writing `out_bytes` (vpu_time). */
static uint64_t vpu_own(const tp_tpu_cfg *t, const sram *ub, uint64_t elems, uint64_t out_bytes)
{
    return util_max(util_ceil_div(elems, util_max(1, t->vpu.elems_per_cycle)), sram_cycles(ub, true, out_bytes));
}

static uint64_t analytic(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    const uint32_t C = t->array.cols, U = t->mxus_per_core;
    const tp_dataflow df = t->array.dataflow;
    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    const uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    const uint64_t units_pc = util_ceil_div(units, t->cores);
    const uint64_t ntk = d.nt[2];
    const uint64_t steps_c = units_pc * d.nt[inner[0]] * (uint64_t)d.nt[inner[1]];   /* per core */
    const uint32_t S = pl->split_k > 1 ? pl->split_k : 1;
    const uint32_t groups = (uint32_t)util_ceil_div(pl->tn, C);
    const uint32_t items = groups * S, umx = (uint32_t)util_min(U, items);
    const uint32_t gpm = (uint32_t)util_ceil_div(items, umx);
    const uint32_t bufs = pl->double_buffer ? 2 : 1;
    const uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    const unsigned ib = dtype_in_bytes(pb->dtype), ob = npy_dtype_size(pl->out_dtype);
    /* the busiest core's share of the problem */
    const double share = (double)units_pc / (double)units;

    sram ub;
    sram_init(&ub, t->ub.size_bytes, t->ub.banks, t->ub.read_ports, t->ub.write_ports, t->ub.bytes_per_cycle);
    mxu_params mp;
    mxu_params_from_cfg(&mp, t, pb->dtype);

    /* ---- the MXU: ops of the busiest MXU of the busiest core ------------------------------ */
    /* streamed and stationary pieces: ws streams m (chunks of the whole tile), is streams n
     * (column groups), os streams k (FIFO-deep chunks); the others are fixed by the array */
    pieces pm = cut(pb->m, pl->tm, (uint32_t)util_min(pl->tm, pl->mop));
    pieces pk = cut(pb->k, pl->tk, pl->kop);
    pieces pn = cut(pb->n, pl->tn, C);
    uint64_t nm = pieces_count(&pm) * pb->batch, nk = pieces_count(&pk), nn = pieces_count(&pn);
    /* cycles of every op of the whole problem, each shape once (ws/is: n does not change the
     * op's time for ws; is streams n, so n pieces matter; os streams k) */
    double all_cycles = 0;
    uint64_t first = 0, drain = 0, ub_read_ops = 0;
    uint64_t all_ops = nm * nn * nk;
    for (int i = 0; i < pm.n; i++)
        for (int j = 0; j < pk.n; j++) {
            int nhi = df == TP_DF_IS ? pn.n : 1;
            for (int q = 0; q < nhi; q++) {
                uint32_t n = df == TP_DF_IS ? pn.size[q] : (uint32_t)util_min(C, pl->tn);
                uint64_t cnt = pm.count[i] * pb->batch * pk.count[j] * (df == TP_DF_IS ? pn.count[q] : nn);
                op_cost oc = steady(&mp, pm.size[i], n, pk.size[j]);
                /* the UB read port delivers the op's A rows; a slower port stretches the op */
                uint64_t rd = sram_cycles(&ub, false, (uint64_t)pm.size[i] * pk.size[j] * ib);
                all_cycles += (double)cnt * (double)util_max(oc.per_op, rd);
                ub_read_ops += cnt * rd;
                if (i == 0 && j == 0 && q == 0) {
                    first = oc.first;
                    drain = oc.drain;
                }
            }
        }
    /* the weight FIFO: op j + D can start only after op j has freed its slots and the next
     * tile's loadw has come back (setup, the memory's latency and transfer); D tiles deep */
    const tp_mem_cfg *mw = &t->mem[t->place_weights], *mi = &t->mem[t->place_inputs],
                     *mo = &t->mem[t->place_outputs];
    uint32_t kop0 = pk.size[0], gn0 = (uint32_t)util_min(C, pl->tn), mm0 = (uint32_t)util_min(pb->m, pl->tm);
    uint64_t w_bytes = (uint64_t)kop0 * gn0 * ib;
    dram dw, di, dout;
    uint64_t clk_w = 0, clk_i = 0, clk_o = 0;
    tp_err e;
    bool ok = dram_init(&dw, mw, t->clock_hz, &e) == TP_OK && dram_init(&di, mi, t->clock_hz, &e) == TP_OK &&
              dram_init(&dout, mo, t->clock_hz, &e) == TP_OK;
    if (!ok)
        return UINT64_MAX;
    uint64_t w_lat = t->dma.setup_cycles +
                     util_max(dma_own(t, w_bytes) - t->dma.setup_cycles,
                              pb->transpose_b ? block_time(&dw, false, &clk_w, 0, gn0, (uint64_t)kop0 * ib, (uint64_t)pb->k * ib)
                                              : block_time(&dw, false, &clk_w, 0, kop0, (uint64_t)gn0 * ib, (uint64_t)pb->n * ib));
    uint32_t slots = isa_tile_slots(t, pl->kop);
    uint64_t D = util_max(1, depth / slots);
    /* ops per MXU: the busiest MXU runs gpm of the items' (group, part) K loops */
    double per_mxu = (double)gpm / (double)items;
    double mxu = all_cycles * share * per_mxu;
    double ops_mxu = (double)all_ops * share * per_mxu;
    double fifo_bound = ops_mxu * (double)w_lat / (double)D;
    if (fifo_bound > mxu)
        mxu = fifo_bound;

    /* ---- off-chip traffic: blocks and their bus bytes ------------------------------------ */
    uint64_t all_steps = units * d.nt[inner[0]] * (uint64_t)d.nt[inner[1]];
    uint64_t a_loads = a_loads_of(pl, &d, pb->batch, t->cores);
    uint32_t tk0 = (uint32_t)util_min(pb->k, pl->tk);
    uint64_t a_tile_bus = pb->transpose_a ? block_bus(&di, 0, tk0, (uint64_t)mm0 * ib, (uint64_t)pb->m * ib)
                                          : block_bus(&di, (uint64_t)(ntk > 1 ? tk0 : 0) * ib, mm0,
                                                      (uint64_t)tk0 * ib, (uint64_t)pb->k * ib);
    uint64_t a_tile_bytes = (uint64_t)mm0 * tk0 * ib;
    /* weight tiles: every step pushes its k chunks for every column group and m chunk */
    uint64_t mch = util_ceil_div(pl->tm, pl->mop);
    uint64_t w_tiles = all_steps * groups * mch * util_ceil_div(pl->tk, pl->kop);
    uint64_t w_tile_bus = pb->transpose_b ? block_bus(&dw, (uint64_t)kop0 * ib, gn0, (uint64_t)kop0 * ib, (uint64_t)pb->k * ib)
                                          : block_bus(&dw, (uint64_t)gn0 * ib, kop0, (uint64_t)gn0 * ib, (uint64_t)pb->n * ib);
    uint32_t tn0 = (uint32_t)util_min(pb->n, pl->tn);
    uint64_t c_tile_bus = block_bus(&dout, (uint64_t)(d.nt[1] > 1 ? tn0 : 0) * ob, mm0, (uint64_t)tn0 * ob,
                                    (uint64_t)pb->n * ob);
    /* scale the representative tiles to the problem's bytes (ragged tiles move fewer) */
    double a_scale = (double)pb->m * pb->k / ((double)d.nt[0] * ntk * mm0 * tk0);
    double w_scale = (double)pb->k * pb->n / ((double)ntk * util_ceil_div(pl->tk, pl->kop) * d.nt[1] * groups *
                                              kop0 * gn0);
    double c_scale = (double)pb->m * pb->n / ((double)d.nt[0] * d.nt[1] * mm0 * tn0);
    double bus[TP_MEM__COUNT] = {0};
    bus[t->place_inputs] += (double)a_loads * a_tile_bus * a_scale;
    bus[t->place_weights] += (double)w_tiles * w_tile_bus * w_scale;
    uint64_t out_tiles = (uint64_t)pb->batch * d.nt[0] * d.nt[1];
    bus[t->place_outputs] += (double)out_tiles * c_tile_bus * c_scale;
    uint64_t offchip = 0;
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        const tp_mem_cfg *mc = &t->mem[id];
        if (bus[id] > 0 && !mc->ideal && mc->bytes_per_s) {
            uint64_t c = cfg_mem_transfer_cycles(mc, t->clock_hz, (uint64_t)bus[id]);
            offchip = util_max(offchip, c);
        }
    }

    /* ---- the core's DMA engines, UB ports and vector unit -------------------------------- */
    double a_loads_c = (double)a_loads * share;
    double w_tiles_c = (double)w_tiles * share;
    double tiles_cc = (double)out_tiles * share;
    uint64_t c_tile_bytes = (uint64_t)mm0 * tn0 * ob;
    double dma = (a_loads_c * dma_own(t, a_tile_bytes) * a_scale + w_tiles_c * dma_own(t, w_bytes) * w_scale +
                  tiles_cc * dma_own(t, c_tile_bytes) * c_scale) / util_max(1, t->dma.engines);
    double ub_w = a_loads_c * sram_cycles(&ub, true, a_tile_bytes) * a_scale;
    double ub_r = (double)ub_read_ops * share + tiles_cc * sram_cycles(&ub, false, c_tile_bytes);
    /* activates per output tile: each column group once per part; split-K's parts after the
     * first are summed row by row (an activate per row with the sums as its bias) */
    uint64_t act_tile = 0;
    for (uint32_t g = 0; g < groups; g++) {
        uint32_t gn = (uint32_t)util_min(C, tn0 - g * C);
        if (S == 1)
            act_tile += vpu_own(t, &ub, (uint64_t)mm0 * gn, (uint64_t)mm0 * gn * ob);
        else
            act_tile += vpu_own(t, &ub, (uint64_t)mm0 * gn, (uint64_t)mm0 * gn * 4) +
                        (uint64_t)(S - 1) * mm0 * vpu_own(t, &ub, gn, (uint64_t)gn * 4);
    }
    double vpu = tiles_cc * act_tile * c_scale;
    ub_w += tiles_cc * (double)mm0 * tn0 * (S == 1 ? ob : 4u * S) * c_scale /
            (double)util_max(1, ub.write_bytes_per_cycle);

    /* ---- serialization: what a slot's reuse exposes ---------------------------------------- */
    uint64_t a_lat = t->dma.setup_cycles +
                     util_max(dma_own(t, a_tile_bytes) - t->dma.setup_cycles,
                              pb->transpose_a ? block_time(&di, false, &clk_i, 0, tk0, (uint64_t)mm0 * ib, (uint64_t)pb->m * ib)
                                              : block_time(&di, false, &clk_i, 0, mm0, (uint64_t)tk0 * ib, (uint64_t)pb->k * ib));
    uint64_t c_lat = t->dma.setup_cycles +
                     util_max(dma_own(t, c_tile_bytes) - t->dma.setup_cycles,
                              block_time(&dout, true, &clk_o, 0, mm0, (uint64_t)tn0 * ob, (uint64_t)pb->n * ob));
    double step_mxu = steps_c ? mxu / (double)steps_c : 0;
    double expose = 0;
    /* A slots: the next A load may begin when the matmuls of the load `bufs` back have read
     * their slot; with one slot it is serial with the matmuls */
    double a_gap = (double)steps_c / util_max(1, a_loads_c);   /* steps per A load */
    double a_exp = (double)a_lat - (double)(bufs - 1) * a_gap * step_mxu;
    if (a_exp > 0 && !pl->a_panel)
        expose += a_exp * a_loads_c;
    else if (a_exp > 0)
        expose += a_exp * a_loads_c / (double)d.nt[1];
    /* accumulator slot sets: with one set the next tile's first matmul waits for the activates
     * of the last (after the drain); with two they overlap the next set's matmuls */
    uint32_t live = live_tiles(pl, &d);
    double sets = tiles_cc / live;
    double set_mxu = sets > 0 ? mxu / sets : 0;
    double act_set = (double)live * act_tile;
    double o_exp = bufs == 1 ? (double)drain + act_set : act_set - set_mxu;
    if (o_exp > 0)
        expose += o_exp * sets;
    /* output slots: the next activate into a slot waits for the store that reads it */
    double st_exp = bufs == 1 ? (double)c_lat - set_mxu : 0;
    if (st_exp > 0)
        expose += st_exp * sets;

    double core = mxu + expose;
    if (dma > core)
        core = dma;
    if (ub_r > core)
        core = ub_r;
    if (ub_w > core)
        core = ub_w;
    if (vpu > core)
        core = vpu;
    /* prologue: the first A tile and weight tile (on two engines, or one after the other),
     * then the first op's fill; epilogue: the last op's drain, its activates and store */
    uint64_t pro = t->dma.engines >= 2 ? util_max(a_lat, w_lat) : a_lat + w_lat;
    pro += first > 0 ? first - util_min(first, all_cycles > 0 ? (uint64_t)(all_cycles / all_ops) : 0) : 0;
    uint64_t epi = drain + act_tile + c_lat;
    double total = (double)pro + core + (double)epi;
    const tp_mem_cfg *mr = mi;
    double chip = (double)offchip + (mr->ideal ? 0 : mr->read_latency_cycles) + (mo->ideal ? 0 : mo->write_latency_cycles);
    if (chip > total)
        total = chip;
    return total >= 1.8e19 ? UINT64_MAX : (uint64_t)total;
}

/* ---- the walk: the busiest core's program, instruction by instruction, in closed form ------ */

#define WALK_OPS 128             /* ops timed before the walk may stop at a loop boundary */
#define WALK_CAP_OPS 512         /* ... and at most (then it stops mid-loop) */
#define WALK_RING 64              /* begin times kept per queue */
#define WALK_MAX_MXUS 60
enum { Q_LOAD, Q_LOADW, Q_STORE, Q_VPU, Q_MXU0, WALK_QUEUES = Q_MXU0 + WALK_MAX_MXUS };
#define WALK_MAX_ENGINES 16
#define WALK_MAX_DEPTH 64
#define WALK_MAX_SLOTS 4096      /* accumulator slot sets x live tiles x items */

/* One off-chip memory, channel by channel. A block's bytes per channel (whole bursts, the
 * interleaving) come from the DRAM unit itself: dram_access_2d on a private dram, whose
 * per-channel busy times are read back (cached by the block's shape and its address modulo
 * the interleave period). Each channel is a bandwidth calendar (mem/sram.h's: the walk books in
 * program order, not in time order) in which the block's share (times the cores sharing the
 * memory) is reserved from its issue; it completes when its busiest channel's share has moved,
 * plus the read or write latency. */
#define WALK_MAX_CH 32
#define WALK_PROBES 64
#define WALK_SCALE 16            /* calendar bytes per byte: 1/16 byte-per-cycle resolution */
typedef struct {
    uint64_t key_addr, rows, row_bytes, stride;
    bool used;
    uint64_t bytes[WALK_MAX_CH];
} wprobe;

typedef struct {
    bool ideal;
    tp_mem_id id;
    uint32_t ch;
    uint64_t period;             /* interleave period in bytes: granule x channels */
    uint64_t lat_r, lat_w;
    dram d;                      /* the private DRAM unit the probes run on */
    wprobe probe[WALK_PROBES];
} wmem;

typedef struct {
    const tp_tpu_cfg *t;
    const gemm_problem *pb;
    const tiler_plan *pl;
    mxu_params mp;
    double cores;                /* cores sharing the memories */
    uint32_t n_eng;
    uint64_t q_load, q_loadw, q_store, q_vpu;   /* in-order queues: last begin (vpu: free) */
    uint32_t depth;
    /* slots */
    uint64_t a_end[2], a_read[2];          /* A slot: its load's end, its readers' stream end */
    uint64_t a_war[2];                     /* A panel slot: the previous panel's readers */
    uint64_t o_read[2], o_end[2];          /* output slot: the store's end; the activates' end */
    uint64_t done;                         /* latest end of anything */
    uint64_t ops;
    uint64_t w_addr, w_stride;   /* the next weight tile's block in B (set before each op) */
    /* the in-order issuer: an instruction is issued after the one before it, and only when its
     * queue has room (the instruction `depth` places before it in that queue has begun) */
    uint64_t iss;
    uint32_t qdepth[WALK_QUEUES];
    uint64_t qcount[WALK_QUEUES];
    uint64_t fifo_n[WALK_MAX_MXUS];
    double work;                 /* the ops' array cycles: max(stream, weight load) each, over
                                    the MXUs the current output tile keeps busy */
    double active;               /* ... those MXUs */
    /* ---- past here nothing is zeroed: each part is set up before it is read ---- */
    sram ub;
    wmem mem[3];                 /* A (inputs), B (weights), C (outputs) */
    sram eng[WALK_MAX_ENGINES];  /* each DMA engine's busy cycles as a calendar (1 "byte" a cycle) */
    sram cal[TP_MEM__COUNT][WALK_MAX_CH];   /* off-chip memories' channels as calendars */
    mxu_state ms[WALK_MAX_MXUS];
    uint64_t fifo_rel[WALK_MAX_MXUS][WALK_MAX_DEPTH];   /* release cycles of the tiles pushed */
    uint64_t acc_act[WALK_MAX_SLOTS];      /* acc rows of (set, live index, item): activates' end */
    uint64_t acc_mm[WALK_MAX_SLOTS];       /* ... and the last matmul's end */
    uint64_t qbegin[WALK_QUEUES][WALK_RING];
} walk;

/* The engine that can begin `cycles` of its own work first at or after `ready` (the machine
 * hands a transfer the engine free first; the walk books in program order, so a transfer may
 * use an engine's idle stretch before a later-walked one's booking). */
/* When an instruction of queue q can be issued (and so begin at the earliest). */
static uint64_t w_issue(walk *w, int q)
{
    uint64_t n = w->qcount[q];
    if (n >= w->qdepth[q])
        w->iss = util_max(w->iss, w->qbegin[q][(n - w->qdepth[q]) % WALK_RING]);
    return w->iss;
}

/* Records that the instruction of queue q issued last began at `begin`. */
static void w_begun(walk *w, int q, uint64_t begin)
{
    w->qbegin[q][w->qcount[q]++ % WALK_RING] = begin;
}

static uint64_t w_engine(walk *w, uint64_t ready, uint64_t cycles, uint32_t *e)
{
    uint64_t best_s = UINT64_MAX;
    for (uint32_t i = 0; i < w->n_eng; i++) {
        uint64_t s = sram_earliest(&w->eng[i], false, ready, cycles);
        if (s < best_s) {
            best_s = s;
            *e = i;
        }
    }
    return best_s;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* Bytes per channel of `rows` runs of row_bytes at addr + i * stride, from the DRAM unit (one
 * access on the private dram, its channels' busy ticks read back), cached. */
static const uint64_t *w_probe_rows(wmem *m, uint64_t key, uint64_t rows, uint64_t row_bytes, uint64_t stride)
{
    size_t h = (size_t)((key / util_max(1, m->d.cfg.burst_bytes)) * 31u ^ rows * 7u ^ (row_bytes << 3)) % WALK_PROBES;
    wprobe *p = &m->probe[h];
    if (p->used && p->key_addr == key && p->rows == rows && p->row_bytes == row_bytes && p->stride == stride)
        return p->bytes;
    dram_reset(&m->d);
    dram_access_2d(&m->d, false, 0, key, rows, row_bytes, stride, NULL);
    /* a channel's busy ticks are its bytes times channels * clock (mem/dram.h) */
    dram_ticks per_byte = (dram_ticks)m->ch * m->d.clock_hz;
    for (uint32_t c = 0; c < m->ch; c++)
        p->bytes[c] = (uint64_t)(m->d.next_free[c] / per_byte);
    p->key_addr = key;
    p->rows = rows;
    p->row_bytes = row_bytes;
    p->stride = stride;
    p->used = true;
    return p->bytes;
}

/* Bytes per channel of a block (rows runs of row_bytes at addr + i * stride) on memory m into
 * out[]: the rows' channel pattern repeats every period / gcd(stride, period) rows, so a long
 * block is that many rows times its repeats plus the rest. */
static void w_probe(wmem *m, uint64_t addr, uint64_t rows, uint64_t row_bytes, uint64_t stride, uint64_t *out)
{
    uint64_t key = addr % m->period;
    uint64_t sm = stride % m->period;
    uint64_t rep = stride == row_bytes ? rows : sm == 0 ? 1 : m->period / gcd64(sm, m->period);
    if (stride == row_bytes || rows <= rep) {   /* contiguous, or short: as it is */
        const uint64_t *b = w_probe_rows(m, key, rows, row_bytes, stride);
        memcpy(out, b, m->ch * sizeof *out);
        return;
    }
    uint64_t full = rows / rep, rest = rows % rep;
    const uint64_t *b = w_probe_rows(m, key, rep, row_bytes, stride);
    for (uint32_t c = 0; c < m->ch; c++)
        out[c] = full * b[c];
    if (rest) {
        b = w_probe_rows(m, key, rest, row_bytes, stride);
        for (uint32_t c = 0; c < m->ch; c++)
            out[c] += b[c];
    }
}

/* A DMA transfer of a block (rows runs of row_bytes at byte addr of its tensor, stride apart)
 * of memory `mi` that may begin at `ready` in queue *q; ub_bytes on the UB port's side (0:
 * none). Returns its end; the engine is held for its own cycles (dma.c, note 2). */
static uint64_t w_dma(walk *w, int mi, bool write, uint64_t *q, uint64_t ready, uint64_t addr, uint64_t rows,
                      uint64_t row_bytes, uint64_t stride, uint64_t ub_bytes)
{
    const tp_tpu_cfg *t = w->t;
    uint32_t e = 0;
    uint64_t bytes = rows * row_bytes;
    int qi = mi == 0 ? Q_LOAD : mi == 1 ? Q_LOADW : Q_STORE;
    ready = util_max(ready, w_issue(w, qi));
    uint64_t own_cycles = t->dma.setup_cycles + util_ceil_div(bytes, util_max(1, t->dma.bytes_per_cycle));
    uint64_t s = w_engine(w, util_max(ready, *q), own_cycles, &e);
    *q = s;
    w_begun(w, qi, s);
    uint64_t issue = s + t->dma.setup_cycles;
    uint64_t own = issue + util_ceil_div(bytes, util_max(1, t->dma.bytes_per_cycle));
    wmem *m = &w->mem[mi];
    uint64_t mem_end = issue, sent = issue;
    if (!m->ideal && bytes) {
        uint64_t bc[WALK_MAX_CH];
        w_probe(m, addr, rows, row_bytes, stride, bc);
        sent = issue;
        for (uint32_t c = 0; c < m->ch; c++) {
            if (!bc[c])
                continue;
            sram *cal = &w->cal[m->id][c];
            uint64_t share = (uint64_t)((double)bc[c] * w->cores * WALK_SCALE + 0.5);
            uint64_t b0 = sram_earliest(cal, false, issue, share);
            sram_reserve(cal, false, b0, share);
            sent = util_max(sent, b0 + sram_cycles(cal, false, share));
        }
        mem_end = sent + (write ? m->lat_w : m->lat_r);
    }
    uint64_t ub_end = 0;
    if (ub_bytes) {   /* a load's writes trail the data; a store reads from issue */
        bool side = !write;   /* load: the write side; store: the read side */
        uint64_t uc = sram_cycles(&w->ub, side, ub_bytes);
        uint64_t want = write ? issue : (mem_end > issue + uc ? mem_end - uc : issue);
        uint64_t u0 = sram_earliest(&w->ub, side, want, ub_bytes);
        if (side ? w->ub.write_bytes_per_cycle : w->ub.read_bytes_per_cycle)
            sram_reserve(&w->ub, side, u0, ub_bytes);
        ub_end = u0 + uc;
    }
    /* the engine's own cycles; past them it waits on the memory, whose calendars have the bytes */
    sram_reserve(&w->eng[e], false, s, own_cycles);
    uint64_t end = util_max(own, util_max(mem_end, ub_end));
    w->done = util_max(w->done, end);
    return end;
}

/* One matmul op on MXU u: its tile's loadw first (FIFO slots, the in-order loadw queue), then
 * the op from mxu_time_op2 after the UB read port. Returns its end; *stream its stream end. */
static uint64_t w_op(walk *w, uint32_t u, uint32_t m, uint32_t n, uint32_t k, uint64_t inputs_ready,
                     uint64_t *stream, uint64_t *start)
{
    const tp_tpu_cfg *t = w->t;
    unsigned ib = dtype_in_bytes(w->pb->dtype);
    uint32_t slots = isa_tile_slots(t, k);
    uint32_t dt = (uint32_t)util_max(1, w->depth / slots);   /* tiles the FIFO holds */
    uint64_t idx = w->fifo_n[u]++;
    uint64_t slot_free = idx >= dt ? w->fifo_rel[u][(idx - dt) % WALK_MAX_DEPTH] : 0;
    uint64_t wend = w_dma(w, 1, false, &w->q_loadw, slot_free, w->w_addr, w->pb->transpose_b ? n : k,
                          (uint64_t)(w->pb->transpose_b ? k : n) * ib, w->w_stride, 0);
    mxu_op op = {m, n, k, false};
    mxu_state before = w->ms[u];
    mxu_timing tm;
    inputs_ready = util_max(inputs_ready, w_issue(w, Q_MXU0 + (int)u));
    mxu_time_op2(&w->mp, &w->ms[u], &op, wend, inputs_ready, &tm);
    /* the UB read port (tpu/mm.c, note 2): reads begin `lead` before the stream */
    uint64_t ab = (uint64_t)m * k * ib;
    uint64_t rd = sram_cycles(&w->ub, false, ab);
    uint64_t T = mxu_op_stream_cycles(&w->mp, &op), lead = rd > T ? rd - T : 0;
    uint64_t want = util_max(inputs_ready, tm.start > lead ? tm.start - lead : 0);
    uint64_t u0 = sram_earliest(&w->ub, false, want, ab);
    if (u0 + lead > tm.start) {
        w->ms[u] = before;
        mxu_time_op2(&w->mp, &w->ms[u], &op, wend, u0 + lead, &tm);
    }
    if (rd && w->ub.read_bytes_per_cycle)
        sram_reserve(&w->ub, false, tm.start - util_min(tm.start, lead), ab);
    w->fifo_rel[u][idx % WALK_MAX_DEPTH] = w->mp.dataflow == TP_DF_OS ? tm.stream_end : tm.start;
    w_begun(w, Q_MXU0 + (int)u, tm.start);
    w->ops++;
    w->work += (double)util_max(T, mxu_op_load_cycles(&w->mp, &op)) / w->active;
    w->done = util_max(w->done, tm.end);
    *stream = tm.stream_end;
    *start = tm.start;
    return tm.end;
}

/* `times` activates one after the other, each of `elems` elements writing out_bytes, after
 * `ready` (split-K's row sums are one per row). Returns the last one's end. */
static uint64_t w_act(walk *w, uint64_t ready, uint64_t times, uint64_t elems, uint64_t out_bytes)
{
    uint64_t s = util_max(util_max(ready, w->q_vpu), w_issue(w, Q_VPU));
    uint64_t one = util_ceil_div(elems, util_max(1, w->t->vpu.elems_per_cycle));
    uint64_t own = s + times * util_max(one, sram_cycles(&w->ub, true, out_bytes));
    uint64_t all = times * out_bytes;
    uint64_t u0 = sram_earliest(&w->ub, true, s, all), ub_end = u0 + sram_cycles(&w->ub, true, all);
    if (all && w->ub.write_bytes_per_cycle)
        sram_reserve(&w->ub, true, u0, all);
    uint64_t end = util_max(own, ub_end);
    w->q_vpu = own;
    for (uint64_t i = 0; i < util_min(times, WALK_RING); i++)
        w_begun(w, Q_VPU, s + i * (own - s) / times);
    w->qcount[Q_VPU] += times - util_min(times, WALK_RING);
    w->done = util_max(w->done, end);
    return end;
}

/* Forgets calendar bookings no later request can reach: loads and loadws book at or after
 * their queue's last begin, ops after their MXU's last stream end, and activates and stores
 * after the ops they wait for. */
static void w_retire(walk *w, uint32_t umx)
{
    uint64_t now = util_min(w->q_load, w->q_loadw);
    for (uint32_t u = 0; u < umx; u++)
        if (w->ms[u].ops)
            now = util_min(now, w->ms[u].stream_end);
    sram_retire(&w->ub, now);
    for (uint32_t e = 0; e < w->n_eng; e++)
        sram_retire(&w->eng[e], now);
    for (int i = 0; i < 3; i++)
        if (!w->mem[i].ideal)
            for (uint32_t c = 0; c < w->mem[i].ch; c++)
                sram_retire(&w->cal[w->mem[i].id][c], now);
}

/* Sets up memory mi (A, B or C) as the placement's memory `mid`; false if the walk cannot
 * follow it (the DRAM unit refuses it, or more channels than the walk keeps). */
static bool w_mem(walk *w, int mi, tp_mem_id mid)
{
    wmem *m = &w->mem[mi];
    const tp_mem_cfg *mc = &w->t->mem[mid];
    m->id = mid;
    m->ch = 0;
    for (int i = 0; i < WALK_PROBES; i++)
        m->probe[i].used = false;
    m->ideal = mc->ideal || !mc->bytes_per_s;
    if (m->ideal)
        return true;
    tp_err e;
    if (dram_init(&m->d, mc, w->t->clock_hz, &e) != TP_OK || m->d.cfg.channels > WALK_MAX_CH)
        return false;
    m->ch = m->d.cfg.channels;
    m->period = (uint64_t)m->d.granule_bursts * m->ch * m->d.cfg.burst_bytes;
    m->lat_r = mc->read_latency_cycles;
    m->lat_w = mc->write_latency_cycles;
    /* each channel moves bytes_per_s / channels; the calendar counts WALK_SCALE units a byte */
    double bpc = (double)mc->bytes_per_s / (double)m->ch / (double)w->t->clock_hz * WALK_SCALE;
    uint32_t ibpc = (uint32_t)util_max(1, (uint64_t)(bpc + 0.5));
    for (uint32_t c = 0; c < m->ch; c++)
        sram_init(&w->cal[mid][c], 0, 1, 1, 1, ibpc);
    return true;
}

uint64_t tiler_estimate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    const uint32_t C = t->array.cols, U = t->mxus_per_core;
    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    const uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    const uint64_t units_pc = util_ceil_div(units, t->cores);
    const uint32_t S = pl->split_k > 1 ? pl->split_k : 1;
    const uint32_t groups = (uint32_t)util_ceil_div(pl->tn, C);
    const uint32_t items = groups * S, umx = (uint32_t)util_min(U, items);
    const uint32_t gpm = (uint32_t)util_ceil_div(items, umx);
    const uint32_t bufs = pl->double_buffer ? 2 : 1;
    const uint32_t live = live_tiles(pl, &d);
    const uint64_t mch = util_ceil_div(pl->tm, pl->mop), kch = util_ceil_div(pl->tk, pl->kop);
    const uint64_t steps_c = units_pc * d.nt[inner[0]] * (uint64_t)d.nt[inner[1]];
    const uint64_t ops_step = (uint64_t)groups * mch * kch;
    const uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    if (umx > WALK_MAX_MXUS || t->dma.engines > WALK_MAX_ENGINES || t->dma.engines == 0 || depth > WALK_MAX_DEPTH ||
        (uint64_t)bufs * live * gpm * umx > WALK_MAX_SLOTS)
        return analytic(t, pb, pl);
    /* Walk the core's program from its start until about WALK_OPS ops have been timed, stopping
     * at the end of a split-loop unit or of an iteration of the loop inside it when one comes
     * (at most WALK_CAP_OPS); the rest advances at the rate of the last whole unit or
     * iteration walked (or of the second half of the steps walked), so the prologue is counted
     * once and the epilogue of the last tile walked stands for the last tile's. */
    walk *w = malloc(sizeof *w);
    if (!w)
        return analytic(t, pb, pl);
    memset(w, 0, offsetof(walk, ub));
    {
        size_t slots_used = (size_t)bufs * live * items;
        memset(w->acc_act, 0, slots_used * sizeof w->acc_act[0]);
        memset(w->acc_mm, 0, slots_used * sizeof w->acc_mm[0]);
    }
    w->t = t;
    w->pb = pb;
    w->pl = pl;
    mxu_params_from_cfg(&w->mp, t, pb->dtype);
    sram_init(&w->ub, t->ub.size_bytes, t->ub.banks, t->ub.read_ports, t->ub.write_ports, t->ub.bytes_per_cycle);
    w->n_eng = t->dma.engines;
    {
        /* matmuls of `rep` ops each (gen.c): a queue of matmuls holds depth * rep ops */
        uint32_t qd = machine_queue_depth();
        uint32_t usable = pl->double_buffer && depth >= 2 ? depth / 2 : depth;
        uint32_t rp = (uint32_t)util_max(1, usable / isa_tile_slots(t, pl->kop));
        for (int q = 0; q < WALK_QUEUES; q++)
            w->qdepth[q] = q >= Q_MXU0 ? (uint32_t)util_min((uint64_t)qd * rp, WALK_RING) : (uint32_t)util_min(qd, WALK_RING);
    }
    for (uint32_t e = 0; e < w->n_eng; e++)
        sram_init(&w->eng[e], 0, 1, 1, 1, 1);
    w->depth = depth;
    w->cores = (double)util_min(t->cores, units);
    for (uint32_t u = 0; u < umx; u++)
        mxu_state_init(&w->ms[u]);
    const unsigned ib = dtype_in_bytes(pb->dtype), ob = npy_dtype_size(pl->out_dtype);
    bool ok = w_mem(w, 0, t->place_inputs) && w_mem(w, 1, t->place_weights) && w_mem(w, 2, t->place_outputs);
    if (!ok) {
        free(w);
        return analytic(t, pb, pl);
    }
    uint32_t a_next = 0, o_next = 0, acc_next = 0, a_slot = 0;
    int64_t a_b = -1, a_m = -1, a_k = -1;
    const uint32_t tpp = (uint32_t)util_ceil_div(d.nt[2], S);
    uint64_t walked = 0;
    uint64_t t_unit[2] = {0, 0}, units_done = 0;    /* done at the last two unit ends */
    uint64_t t_it[2] = {0, 0}, its_done = 0;        /* ... at the last two inner-loop iteration ends */
    const uint64_t n_it = d.nt[inner[0]];
    const uint64_t unit_ops = ops_step * n_it * d.nt[inner[1]];
    const uint64_t all_ops_c = ops_step * steps_c;
    uint64_t t_ophalf = 0;
    double wk_ophalf = 0, wk_it[2] = {0, 0}, wk_unit[2] = {0, 0};
    /* the array cycles of the busiest core's ops (all of its MXUs), from the pieces of each
     * dimension: the walk's rate per array cycle times what is left of them extrapolates the
     * rest, so ragged tiles (fewer rows, a short last K tile) count for what they are */
    double work_c = 0;
    {
        pieces pm = cut(pb->m, pl->tm, (uint32_t)util_min(pl->tm, pl->mop)), pk = cut(pb->k, pl->tk, pl->kop),
               pn = cut(pb->n, pl->tn, C);
        mxu_params mp;
        mxu_params_from_cfg(&mp, t, pb->dtype);
        /* per kind of N tile (full, last): its column groups and the MXUs they keep busy */
        uint32_t nlast = pb->n - (d.nt[1] - 1) * pl->tn;
        uint32_t wid[2] = {pl->tn, nlast};
        uint64_t cnt_t[2] = {d.nt[1] - 1, 1};
        for (int kind = 0; kind < 2; kind++) {
            if (!cnt_t[kind])
                continue;
            pieces pt = cut(wid[kind], wid[kind], C);
            uint32_t gs = (uint32_t)util_ceil_div(wid[kind], C);
            double act = (double)util_max(1, util_min(umx, (uint64_t)gs * S));
            for (int i = 0; i < pm.n; i++)
                for (int j = 0; j < pk.n; j++)
                    for (int q = 0; q < pt.n; q++) {
                        mxu_op op = {pm.size[i], pt.size[q], pk.size[j], false};
                        work_c += (double)cnt_t[kind] * pm.count[i] * pb->batch * pk.count[j] * pt.count[q] *
                                  (double)util_max(mxu_op_stream_cycles(&mp, &op), mxu_op_load_cycles(&mp, &op)) / act;
                    }
        }
        (void)pn;
        work_c *= (double)units_pc / (double)units;
    }
    bool midstep = false;
    bool stop = false;
    for (uint64_t u = 0; u < units_pc && !stop; u++) {
        uint32_t b = (uint32_t)(u / d.nt[split]), sidx = (uint32_t)(u % d.nt[split]);
        uint32_t idx[3];
        idx[split] = sidx;
        for (uint32_t i0 = 0; i0 < d.nt[inner[0]] && !stop; i0++) {
            idx[inner[0]] = i0;
            uint32_t set = acc_next;
            if (inner[0] != 2)
                acc_next = (acc_next + 1) % bufs;
            for (uint32_t i1 = 0; i1 < d.nt[inner[1]] && !stop; i1++) {
                idx[inner[1]] = i1;
                w_retire(w, umx);
                uint32_t li = inner[0] == 2 ? i1 : 0;
                uint32_t mi = idx[0], ni = idx[1], ki = idx[2];
                uint32_t mm = (uint32_t)util_min(pl->tm, pb->m - mi * pl->tm);
                uint32_t nn = (uint32_t)util_min(pl->tn, pb->n - ni * pl->tn);
                uint32_t kk = (uint32_t)util_min(pl->tk, pb->k - ki * pl->tk);
                /* the A tile (gen.c's emit_a) */
                bool load = false;
                if (pl->a_panel) {
                    if (a_b != b || a_m != mi) {
                        a_slot = a_next;
                        a_next = (a_next + 1) % bufs;
                        a_b = b;
                        a_m = mi;
                        a_k = 0;
                        w->a_war[a_slot] = w->a_read[a_slot];   /* the last panel's readers */
                    }
                    load = ki >= a_k;
                    if (load)
                        a_k = ki + 1;
                } else if (!(a_b == b && a_m == mi && a_k == ki)) {
                    a_slot = a_next;
                    a_next = (a_next + 1) % bufs;
                    a_b = b;
                    a_m = mi;
                    a_k = ki;
                    load = true;
                }
                if (load) {
                    uint64_t bytes = (uint64_t)mm * kk * ib;
                    /* WAR on the slot's readers (a panel's k tiles: the last panel's readers);
                     * the step's matmuls wait for it (RAW); later passes over a panel find it
                     * loaded by the end of its last k tile */
                    uint64_t ready = pl->a_panel ? w->a_war[a_slot] : w->a_read[a_slot];
                    uint64_t arow = pb->transpose_a ? (uint64_t)b * pb->k + ki * pl->tk : (uint64_t)b * pb->m + mi * pl->tm;
                    uint64_t acol = pb->transpose_a ? (uint64_t)mi * pl->tm : (uint64_t)ki * pl->tk;
                    uint64_t acols = pb->transpose_a ? pb->m : pb->k;
                    w->a_end[a_slot] = w_dma(w, 0, false, &w->q_load, ready, (arow * acols + acol) * ib,
                                             pb->transpose_a ? kk : mm, (uint64_t)(pb->transpose_a ? mm : kk) * ib,
                                             acols * ib, bytes);
                }
                uint64_t a_ready = w->a_end[a_slot];
                uint32_t part = ki / tpp, first_k = part * tpp;
                uint32_t gs = (uint32_t)util_ceil_div(nn, C);
                w->active = (double)util_max(1, util_min(umx, (uint64_t)gs * S));
                for (uint32_t g = 0; g < gs; g++) {
                    uint32_t q = g * S + part, mx = q % umx;
                    uint32_t gn = (uint32_t)util_min(C, nn - g * C);
                    size_t ai = ((size_t)set * live + li) * items + q;
                    uint64_t in_ready = a_ready;
                    if (ki == first_k)   /* overwrites the rows: after the last tile's activates */
                        in_ready = util_max(in_ready, w->acc_act[ai]);
                    for (uint32_t r0 = 0; r0 < mm; r0 += pl->mop) {
                        uint32_t rows = (uint32_t)util_min(pl->mop, mm - r0);
                        for (uint32_t c = 0; c < kk; c += pl->kop) {
                            uint32_t ck = (uint32_t)util_min(pl->kop, kk - c);
                            uint64_t st, s0;
                            uint64_t k0 = (uint64_t)ki * pl->tk + c, c0 = (uint64_t)ni * pl->tn + (uint64_t)g * C;
                            w->w_stride = (uint64_t)(pb->transpose_b ? pb->k : pb->n) * ib;
                            w->w_addr = pb->transpose_b ? (((uint64_t)b * pb->n + c0) * pb->k + k0) * ib
                                                        : (((uint64_t)b * pb->k + k0) * pb->n + c0) * ib;
                            uint64_t e = w_op(w, mx, rows, gn, ck, in_ready, &st, &s0);
                            w->a_read[a_slot] = util_max(w->a_read[a_slot], st);
                            w->acc_mm[ai] = util_max(w->acc_mm[ai], e);
                            if (w->ops == WALK_CAP_OPS / 2)
                            {
                                t_ophalf = w->done;
                                wk_ophalf = w->work;
                            }
                            if (w->ops >= WALK_CAP_OPS && w->ops < all_ops_c) {
                                midstep = true;   /* a step too long to walk: stop inside it */
                                goto stopped;
                            }
                        }
                    }
                }
                walked++;
                if (ki == d.nt[2] - 1) {
                    /* activates (RAW on the matmuls, WAR on the output slot's last store), store */
                    uint32_t os = o_next;
                    o_next = (o_next + 1) % bufs;
                    uint64_t act_end = 0;
                    for (uint32_t g = 0; g < gs; g++) {
                        uint32_t gn = (uint32_t)util_min(C, nn - g * C);
                        size_t a0 = ((size_t)set * live + li) * items + (size_t)g * S;
                        uint64_t r = util_max(w->acc_mm[a0], w->o_read[os]);
                        uint64_t e;
                        if (S == 1)
                            e = w_act(w, r, 1, (uint64_t)mm * gn, (uint64_t)mm * gn * ob);
                        else {
                            e = w_act(w, r, 1, (uint64_t)mm * gn, (uint64_t)mm * gn * 4);
                            for (uint32_t p = 1; p < S; p++)
                                e = w_act(w, util_max(e, w->acc_mm[a0 + p]), mm, gn, (uint64_t)gn * (p == S - 1 ? ob : 4));
                        }
                        for (uint32_t p = 0; p < S; p++)
                            w->acc_act[a0 + p] = e;
                        act_end = util_max(act_end, e);
                    }
                    uint64_t cb = (uint64_t)mm * nn * ob;
                    uint64_t crow = (uint64_t)b * pb->m + mi * pl->tm, ccol = (uint64_t)ni * pl->tn;
                    w->o_read[os] = w_dma(w, 2, true, &w->q_store, act_end, (crow * pb->n + ccol) * ob, mm,
                                          (uint64_t)nn * ob, (uint64_t)pb->n * ob, cb);
                }
                if (w->ops >= WALK_CAP_OPS && walked < steps_c)
                    stop = true;
            }
            if (stop)
                break;
            if (inner[0] == 2 && i0 == d.nt[2] - 1)
                acc_next = (acc_next + 1) % bufs;
            if (!stop) {
                t_it[0] = t_it[1];
                wk_it[0] = wk_it[1];
                wk_it[1] = w->work;
                t_it[1] = w->done;
                its_done++;
                /* a unit too long to walk twice: stop inside it, past its first iterations */
                if (w->ops >= WALK_OPS && its_done % n_it >= 2 && unit_ops > WALK_CAP_OPS / 2)
                    stop = true;
            }
        }
        if (its_done == (u + 1) * n_it) {
            t_unit[0] = t_unit[1];
            wk_unit[0] = wk_unit[1];
            wk_unit[1] = w->work;
            t_unit[1] = w->done;
            units_done++;
            if (w->ops >= WALK_OPS && units_done >= 2)
                stop = true;
        }
    }
stopped:;
    uint64_t total = w->done;
    if (walked < steps_c || midstep) {
        /* the rate of the last whole unit, else of the last whole iteration inside one, else of
         * the second half of the ops walked, per array cycle of work */
        double dt, dw;
        if (!midstep && its_done == units_done * n_it && units_done >= 2) {
            dt = (double)(t_unit[1] - t_unit[0]);
            dw = wk_unit[1] - wk_unit[0];
        } else if (!midstep && its_done >= 2 && its_done % n_it >= 2) {
            dt = (double)(t_it[1] - t_it[0]);
            dw = wk_it[1] - wk_it[0];
        } else if (t_ophalf && w->ops > WALK_CAP_OPS / 2) {
            dt = (double)(w->done - t_ophalf);
            dw = w->work - wk_ophalf;
        } else {
            dt = (double)w->done;
            dw = w->work;
        }
        double left = work_c - w->work;
        if (dw > 0 && left > 0)
            total = w->done + (uint64_t)(dt / dw * left);
    }
    free(w);
    return total;
}

uint64_t tiler_estimate_bound(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    const uint32_t C = t->array.cols, U = t->mxus_per_core;
    const tp_dataflow df = t->array.dataflow;
    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    const uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    const double share = (double)util_ceil_div(units, t->cores) / (double)units;
    const uint32_t S = pl->split_k > 1 ? pl->split_k : 1;
    const uint32_t groups = (uint32_t)util_ceil_div(pl->tn, C);
    const uint32_t items = groups * S, umx = (uint32_t)util_min(U, items);
    const uint32_t gpm = (uint32_t)util_ceil_div(items, umx);
    pieces pm = cut(pb->m, pl->tm, (uint32_t)util_min(pl->tm, pl->mop));
    pieces pk = cut(pb->k, pl->tk, pl->kop);
    pieces pn = cut(pb->n, pl->tn, C);
    double nm = (double)pieces_count(&pm) * pb->batch, nk = (double)pieces_count(&pk), nn = (double)pieces_count(&pn);
    /* the sum of the streamed dimension over every op: ws streams m, is n, os k */
    double stream = df == TP_DF_WS ? (double)pb->m * pb->batch * nn * nk
                  : df == TP_DF_IS ? nm * (double)pb->n * nk : nm * nn * (double)pb->k;
    /* each op costs at least its steady cost in a stream of its kind (mxu_time_op2: the
     * stream, or the weight shift where it is longer), and at least its share of the weight
     * FIFO's round trip: a tile's slot frees when its op starts and the next loadw takes the
     * DMA setup, the memory's latency and the transfer (D tiles deep) */
    (void)stream;
    mxu_params mp;
    mxu_params_from_cfg(&mp, t, pb->dtype);
    const tp_mem_cfg *mw = &t->mem[t->place_weights];
    uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    double D = (double)util_max(1, depth / isa_tile_slots(t, pl->kop));
    double rt = (double)t->dma.setup_cycles + (mw->ideal ? 0 : mw->read_latency_cycles) +
                (double)util_ceil_div((uint64_t)pl->kop * util_min(C, pl->tn) * dtype_in_bytes(pb->dtype),
                                      util_max(1, t->dma.bytes_per_cycle));
    double cyc = 0;
    for (int i = 0; i < pm.n; i++)
        for (int j = 0; j < pk.n; j++)
            for (int q = 0; q < (df == TP_DF_IS ? pn.n : 1); q++) {
                uint32_t n = df == TP_DF_IS ? pn.size[q] : (uint32_t)util_min(C, pl->tn);
                double cnt = (double)pm.count[i] * pb->batch * (double)pk.count[j] * (df == TP_DF_IS ? (double)pn.count[q] : nn);
                double per = (double)steady(&mp, pm.size[i], n, pk.size[j]).per_op;
                cyc += cnt * (per > rt / D ? per : rt / D);
            }
    double mxu = cyc * share * (double)gpm / (double)items;
    /* off-chip bytes asked for (the bus moves at least these) */
    unsigned ib = dtype_in_bytes(pb->dtype), ob = npy_dtype_size(pl->out_dtype);
    uint64_t a_loads = a_loads_of(pl, &d, pb->batch, t->cores);
    double a_scale = (double)pb->m * pb->k / ((double)d.nt[0] * d.nt[2] * util_min(pb->m, pl->tm) * util_min(pb->k, pl->tk));
    double bytes[TP_MEM__COUNT] = {0};
    bytes[t->place_inputs] += (double)a_loads * util_min(pb->m, pl->tm) * util_min(pb->k, pl->tk) * ib * a_scale;
    bytes[t->place_weights] += (double)pb->k * pb->n * ib * nm;   /* B again for every m chunk */
    bytes[t->place_outputs] += (double)pb->m * pb->n * pb->batch * ob;
    double off = 0;
    for (int id = 0; id < TP_MEM__COUNT; id++) {
        const tp_mem_cfg *mc = &t->mem[id];
        if (bytes[id] > 0 && !mc->ideal && mc->bytes_per_s) {
            double c = (double)cfg_mem_transfer_cycles(mc, t->clock_hz, (uint64_t)bytes[id]);
            off = c > off ? c : off;
        }
    }
    double lb = mxu > off ? mxu : off;
    return (uint64_t)lb;
}

uint64_t tiler_sim_cost(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    const uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    const uint64_t all_steps = units * d.nt[inner[0]] * (uint64_t)d.nt[inner[1]];
    uint64_t a_loads = a_loads_of(pl, &d, pb->batch, t->cores);
    uint64_t groups = util_ceil_div(pl->tn, t->array.cols);
    uint64_t mch = util_ceil_div(pl->tm, pl->mop), kch = util_ceil_div(pl->tk, pl->kop);
    uint64_t rows = a_loads * (pb->transpose_a ? pl->tk : pl->tm) +
                    all_steps * groups * mch * kch * (pb->transpose_b ? t->array.cols : pl->kop) +
                    (uint64_t)pb->batch * d.nt[0] * d.nt[1] * pl->tm;
    uint64_t ch = 1;
    for (int id = 0; id < TP_MEM__COUNT; id++)
        if (!t->mem[id].ideal && t->mem[id].channels > ch)
            ch = t->mem[id].channels;
    /* a strided block costs the DRAM unit O(channels) per row (mem/dram.c) */
    return pl->instructions + rows * ch / 128;
}
