/* The tiler: GEMM -> TPU program. Equations in tiler.h and docs/tiler.md.
 *
 * Design notes
 *  1. Loop nest. The order string names the three tile loops outermost first. The first of m, n
 *     in it is the "split" loop: its tiles (times the batches) are dealt to the cores in
 *     contiguous runs and it runs outermost on each core; the other two loops run inside it in
 *     the order's relative order. Output tiles stay in the accumulators for the whole k loop
 *     (output stationarity); when k is not the innermost loop, the tiles of the loop inside k
 *     are all live at once (acc_slots counts them).
 *  2. One output tile (tm x tn) is cols-wide column groups; group g runs on MXU g mod mxus of
 *     the core, all MXUs reading the same A tile from the UB. Its rows are fed in m-chunks of at
 *     most `mop` rows (os: array rows, is: array cols, ws: the whole tile); each chunk needs its
 *     weight tiles pushed again, because a matmul pops the FIFO.
 *  3. K is cut in chunks of kop rows (ws/is: the array's rows; os: as deep as half the weight
 *     FIFO holds); consecutive equal chunks of one k-tile go in one matmul with repeat = r, r
 *     bounded by the FIFO depth (halved with double buffering, so the next loads can proceed).
 *     A chunk of another size (the last, partial one) is its own matmul. The first matmul of a
 *     tile overwrites the accumulators, all later ones accumulate: partial sums break at
 *     multiples of kop, so the reference is num_gemm with kc = kop.
 *  4. Slots. A tiles and output tiles each have one or two UB slots (double buffering), used in
 *     turn; the machine's scoreboard orders the reuse of a slot (WAR), so the program never
 *     waits explicitly and double buffering is only a matter of addresses. With order mnk an A
 *     slot may hold the whole tm x K row panel (a_panel), loaded once and read by every n tile.
 *  5. Split-K (opt-in): part p of column group g is item g*S + p on MXU (g*S + p) mod U; after
 *     the k loop the vector unit sums the parts row by row with activate's bias row, in
 *     ascending part order.
 *  6. Layout of a core's UB: A slots, then output slots, then the split-K sums; chained model
 *     layers put their resident matrices at the top (tiler_chain).
 *  7. Nothing here knows cycle details beyond the analytic estimate (mxu_time_op for the array),
 *     which only ranks candidates for the search; the choice is made on simulated cycles.
 */
#include "tiler/tiler.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tpu/machine.h"
#include "tpu/mxu.h"

static uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
static uint64_t umin(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t umax(uint64_t a, uint64_t b) { return a > b ? a : b; }

int tiler_parse_tile(const char *s, uint32_t *tm, uint32_t *tn, uint32_t *tk)
{
    uint32_t v[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t x = 0;
        while (*p >= '0' && *p <= '9') {
            x = x * 10 + (uint64_t)(*p - '0');
            if (x > GEMM_MAX_DIM)
                return -1;
            p++;
        }
        if (x == 0)
            return -1;
        v[i] = (uint32_t)x;
        if (i < 2 && *p++ != 'x')
            return -1;
    }
    if (*p)
        return -1;
    *tm = v[0];
    *tn = v[1];
    *tk = v[2];
    return 0;
}

int tiler_parse_order(const char *s, char out[4])
{
    if (strlen(s) != 3 || !strchr(s, 'm') || !strchr(s, 'n') || !strchr(s, 'k'))
        return -1;
    memcpy(out, s, 4);
    return 0;
}

/* "1.5 MiB", "640 KiB", "96 B" */
static void fmt_bytes(char *buf, size_t cap, uint64_t b)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double v = (double)b;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, cap, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = 0;
        if (e == dot)
            *e = 0;
    }
    snprintf(buf + strlen(buf), cap - strlen(buf), " %s", unit[u]);
}

/* Tile counts of each loop for one batch. */
typedef struct {
    uint32_t nt[3];        /* tiles along m, n, k */
    uint32_t tile[3];      /* tm, tn, tk */
    uint32_t ext[3];       /* M, N, K */
} dims;

static int dim_index(char c) { return c == 'm' ? 0 : c == 'n' ? 1 : 2; }

static dims make_dims(const gemm_problem *pb, const tiler_plan *pl)
{
    dims d;
    d.ext[0] = pb->m;
    d.ext[1] = pb->n;
    d.ext[2] = pb->k;
    d.tile[0] = pl->tm;
    d.tile[1] = pl->tn;
    d.tile[2] = pl->tk;
    for (int i = 0; i < 3; i++)
        d.nt[i] = (uint32_t)cdiv(d.ext[i], d.tile[i]);
    return d;
}

/* The split loop (first of m, n in the order) and the inner two loops in order. */
static void nest_of(const char order[4], int *split, int inner[2])
{
    int s = -1, j = 0;
    for (int i = 0; i < 3; i++) {
        int d = dim_index(order[i]);
        if (s < 0 && d != 2)
            s = d;
        else
            inner[j++] = d;
    }
    *split = s;
}

/* Output tiles live in the accumulators at once per core: the tiles of every loop inside k. */
static uint32_t live_tiles(const tiler_plan *pl, const dims *d)
{
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    if (inner[0] == 2)           /* k, x: the x loop is inside k */
        return d->nt[inner[1]];
    return 1;                    /* x, k: k innermost */
}

bool tiler_refusal_of_tile(tiler_refusal r)
{
    switch (r) {
    case TILER_REFUSE_TILE_ZERO:
    case TILER_REFUSE_K_MULTIPLE:
    case TILER_REFUSE_SPLIT_K_TILES:
    case TILER_REFUSE_FIFO:
    case TILER_REFUSE_ACC:
    case TILER_REFUSE_UB:
    case TILER_REFUSE_TOO_LONG:
        return true;
    default:
        return false;
    }
}

/* Sets *why (if not NULL) and err; returns TP_ERR_USAGE. */
static tp_status refuse(tiler_refusal *why, tiler_refusal r, tp_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static tp_status refuse(tiler_refusal *why, tiler_refusal r, tp_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tp_status st = tp_err_vset(err, TP_ERR_USAGE, fmt, ap);
    va_end(ap);
    if (why)
        *why = r;
    return st;
}

tp_status tiler_plan_derive(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tp_err *err)
{
    return tiler_plan_try(t, pb, pl, NULL, err);
}

tp_status tiler_plan_try(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                         tp_err *err)
{
    if (why)
        *why = TILER_FITS;
    const uint32_t R = t->array.rows, C = t->array.cols, U = t->mxus_per_core;
    const tp_dataflow df = t->array.dataflow;
    const uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    char tile[64];
    snprintf(tile, sizeof tile, "--tile %ux%ux%u", pl->tm, pl->tn, pl->tk);
    if (!pl->tm || !pl->tn || !pl->tk)
        return refuse(why, TILER_REFUSE_TILE_ZERO, err, "%s: tile sizes must be at least 1", tile);
    char order[4];
    if (memchr(pl->order, 0, sizeof pl->order) == NULL || tiler_parse_order(pl->order, order))
        return refuse(why, TILER_REFUSE_ORDER, err, "--order: expected a permutation of m, n, k");
    if ((uint64_t)pb->batch * umax(pb->m, umax(pb->n, pb->k)) > UINT32_MAX)
        return refuse(why, TILER_REFUSE_BATCH, err, "--batch %u: batch x %u rows exceeds 2^32 rows", pb->batch,
                          (uint32_t)umax(pb->m, umax(pb->n, pb->k)));
    pl->tm = (uint32_t)umin(pl->tm, pb->m);
    pl->tn = (uint32_t)umin(pl->tn, pb->n);
    pl->tk = (uint32_t)umin(pl->tk, pb->k);

    /* per-op limits */
    if (df == TP_DF_OS) {
        uint32_t half = pl->double_buffer && depth >= 2 ? depth / 2 : depth;
        pl->kop = (uint32_t)umin(pb->k, (uint64_t)R * half);
        pl->mop = R;
    } else {
        pl->kop = (uint32_t)umin(pb->k, R);
        pl->mop = df == TP_DF_IS ? C : pl->tm;
    }
    pl->nop = C;
    pl->kc = pl->kop;
    if (pl->tk < pb->k && pl->tk % pl->kop)
        return refuse(why, TILER_REFUSE_K_MULTIPLE, err,
                          "%s: the K tile must be a multiple of %u (the %s array's k per op) or cover K = %u",
                          tile, pl->kop, cfg_dataflow_name(df), pb->k);
    pl->out_dtype = gemm_out_dtype(pb->dtype, pl->epilogue);
    if (pl->requant_scale == 0.0f)
        pl->requant_scale = 1.0f / 256.0f;

    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    pl->cores_used = (uint32_t)umin(t->cores, units);
    uint32_t S = pl->split_k > 1 ? pl->split_k : 1;
    pl->split_k = S;
    if (S > 1) {
        if (S > U || S > TILER_MAX_SPLIT_K)
            return refuse(why, TILER_REFUSE_SPLIT_K, err, "--split-k %u: at most %u (the MXUs of one core)", S,
                          U < TILER_MAX_SPLIT_K ? U : TILER_MAX_SPLIT_K);
        if (pl->order[2] != 'k')
            return refuse(why, TILER_REFUSE_SPLIT_K_ORDER, err, "--split-k %u: needs k as the innermost loop (order mnk or nmk)", S);
        if (d.nt[2] < S)
            return refuse(why, TILER_REFUSE_SPLIT_K_TILES, err,
                          "%s: --split-k %u needs at least %u K tiles but K = %u makes %u", tile, S, S, pb->k, d.nt[2]);
    }
    pl->k_part = (uint32_t)umin(pb->k, cdiv(d.nt[2], S) * pl->tk);
    uint32_t groups = (uint32_t)cdiv(pl->tn, C);
    uint32_t items = groups * S;                                /* (group, part) pairs */
    pl->mxus_used = (uint32_t)umin(U, items) * pl->cores_used;
    uint32_t gpm = (uint32_t)cdiv(items, umin(U, items));      /* items per MXU */
    uint32_t bufs = pl->double_buffer ? 2 : 1;

    /* weight FIFO */
    uint32_t slots = isa_tile_slots(t, pl->kop);
    if (slots > depth)
        return refuse(why, TILER_REFUSE_FIFO, err, "%s: a weight tile of %u rows needs %u FIFO slots but the FIFO holds %u",
                          tile, pl->kop, slots, depth);

    /* accumulators (per MXU) */
    pl->acc_slots = live_tiles(pl, &d) * bufs;
    pl->acc_rows = (uint64_t)pl->acc_slots * pl->tm * gpm;
    if (pl->acc_rows > t->acc.entries)
        return refuse(why, TILER_REFUSE_ACC, err,
                          "%s: accumulators need %llu rows per MXU for %u output tile(s) of %u x %u%s but have %llu (%llu over)",
                          tile, (unsigned long long)pl->acc_rows, pl->acc_slots / bufs, pl->tm, pl->tn,
                          bufs == 2 ? " (double-buffered)" : "", (unsigned long long)t->acc.entries,
                          (unsigned long long)(pl->acc_rows - t->acc.entries));

    /* unified buffer (per core) */
    uint64_t a_bytes = (uint64_t)bufs * pl->tm * pl->tk * dtype_in_bytes(pb->dtype);
    uint64_t o_bytes = (uint64_t)bufs * pl->tm * pl->tn * npy_dtype_size(pl->out_dtype);
    uint64_t s_bytes = S > 1 ? (uint64_t)pl->tm * pl->tn * 4 : 0;   /* split-K partial sums */
    pl->ub_bytes = a_bytes + o_bytes + s_bytes;
    /* A panel: with order mnk, A(mi, ki) would be loaded again for every n tile; when the whole
     * tm x K panel fits beside the output slots it is loaded once per m tile instead */
    uint64_t panel_bytes = (uint64_t)bufs * pl->tm * pb->k * dtype_in_bytes(pb->dtype);
    pl->a_panel = !strcmp(pl->order, "mnk") && d.nt[1] > 1 && d.nt[2] > 1 &&
                  panel_bytes + o_bytes + s_bytes <= t->ub.size_bytes;
    if (pl->a_panel)
        pl->ub_bytes = panel_bytes + o_bytes + s_bytes;
    if (pl->ub_bytes > t->ub.size_bytes) {
        char need[32], have[32], over[32];
        fmt_bytes(need, sizeof need, pl->ub_bytes);
        fmt_bytes(have, sizeof have, t->ub.size_bytes);
        fmt_bytes(over, sizeof over, pl->ub_bytes - t->ub.size_bytes);
        return refuse(why, TILER_REFUSE_UB, err,
                          "%s: unified buffer needs %s for A and output tiles%s%s but has %s (%s over)", tile,
                          need, bufs == 2 ? " (double-buffered)" : "", S > 1 ? " and split-K sums" : "", have, over);
    }
    /* program length, bounded before anything is built: per step an A load, and per column
     * group and m-chunk the weight loads and matmuls; per output tile the activates and a store */
    uint64_t kch = cdiv(pl->tk, pl->kop), mch = cdiv(pl->tm, pl->mop);
    uint32_t rep_max = (uint32_t)umax(1, (pl->double_buffer && depth >= 2 ? depth / 2 : depth) / slots);
    uint64_t tiles = (uint64_t)pb->batch * d.nt[0] * d.nt[1];
    uint64_t steps = tiles * d.nt[2];
    pl->instructions = steps * (1 + groups * mch * (kch + cdiv(kch, rep_max) + 1)) +
                       tiles * (groups * (1 + (uint64_t)(S - 1) * pl->tm) + 1);
    if (pl->instructions > TILER_MAX_INSTRUCTIONS)
        return refuse(why, TILER_REFUSE_TOO_LONG, err,
                          "%s: gemm %ux%ux%u%s needs about %llu instructions, over the limit of %u "
                          "(larger tiles or a smaller problem)", tile, pb->m, pb->n, pb->k,
                          pb->batch > 1 ? " (batched)" : "", (unsigned long long)pl->instructions,
                          TILER_MAX_INSTRUCTIONS);
    pl->est_cycles = tiler_estimate(t, pb, pl);
    return TP_OK;
}

/* Analytic estimate (docs/tiler.md): the MXU time of the busiest MXU (from mxu_time_op) and
 * the off-chip time of all traffic at the DRAM bandwidth shared by all cores; the larger wins,
 * plus the memory latencies and the first A tile's copy. */
uint64_t tiler_estimate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    const uint32_t C = t->array.cols, U = t->mxus_per_core;
    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    uint64_t units_per_core = cdiv(units, t->cores);
    uint64_t other = d.nt[inner[0]] * (uint64_t)d.nt[inner[1]];   /* (tile, ktile) pairs per unit */
    uint64_t iters = units_per_core * other;                      /* (m,n,k) tile iterations */
    uint64_t items = cdiv(pl->tn, C) * (pl->split_k > 1 ? pl->split_k : 1);
    uint64_t gpm = cdiv(items, umin(U, items));
    /* with split-K each item runs only its part of the k-tiles */
    uint64_t kshare = pl->split_k > 1 ? pl->split_k : 1;
    uint64_t mchunks = cdiv(pl->tm, pl->mop);
    uint64_t kchunks = cdiv(pl->tk, pl->kop);
    /* MXU time from the array's own closed form (tpu/mxu.h): a steady stream of identical ops
     * (operands ready) costs `per_op` cycles each; the first also pays fill and drain. */
    uint64_t rows_per_op = umin(pl->tm, pl->mop);
    uint64_t ops = iters * gpm * mchunks * kchunks / kshare;
    mxu_params mp;
    mxu_params_from_cfg(&mp, t, pb->dtype);
    mxu_op op = {(uint32_t)rows_per_op, (uint32_t)umin(C, pl->tn), pl->kop, false};
    mxu_state ms;
    mxu_timing t1, t2, t3;
    mxu_state_init(&ms);
    mxu_time_op(&mp, &ms, &op, 0, &t1);
    mxu_time_op(&mp, &ms, &op, 0, &t2);
    mxu_time_op(&mp, &ms, &op, 0, &t3);
    uint64_t per_op = t3.stream_end - t2.stream_end;
    uint64_t mxu = ops * per_op + (t1.end - t1.stream_end) + (t1.stream_end - per_op);
    if (!pl->double_buffer)
        mxu += iters * (uint64_t)pl->tm * pl->tk / umax(1, t->ub.bytes_per_cycle);
    /* off-chip traffic of the whole chip */
    unsigned ib = dtype_in_bytes(pb->dtype), ob = npy_dtype_size(pl->out_dtype);
    uint64_t all_iters = units * other;
    /* A is loaded again on every step, except across the steps of an innermost n loop */
    uint64_t a_loads = pl->a_panel ? units * d.nt[2] : inner[1] == 1 ? all_iters / d.nt[1] : all_iters;
    uint64_t bytes = a_loads * pl->tm * (uint64_t)pl->tk * ib
                   + all_iters * mchunks * (uint64_t)pl->tk * pl->tn * ib
                   + (uint64_t)pb->batch * pb->m * pb->n * ob;
    const tp_mem_cfg *mem = &t->mem[TP_MEM_DRAM];
    uint64_t dram = mem->ideal || !mem->bytes_per_s ? 0 : cfg_mem_transfer_cycles(mem, t->clock_hz, bytes);
    uint64_t lat = mem->ideal ? 0 : mem->read_latency_cycles + mem->write_latency_cycles;
    return umax(mxu, dram) + lat + (uint64_t)pl->tm * pl->tk * ib / umax(1, t->dma.bytes_per_cycle);
}

/* ---------------------------------------------------------------------------------------- */
/* Program generation                                                                        */

typedef struct {
    const tp_tpu_cfg *t;
    const gemm_problem *pb;
    const tiler_plan *pl;
    isa_program *p;
    int ta, tb, tc;                  /* tensor indices */
    uint32_t bufs;
    uint64_t a_slot_bytes, o_slot_bytes, acc_slot_rows;
    uint32_t gpm;                    /* (group, part) items per MXU */
    uint32_t umx;                    /* MXUs the items are dealt to */
    uint32_t S, tpp;                 /* split-K parts, K tiles per part */
    uint64_t s_base;                 /* split-K partial-sum region in the UB */
    uint32_t rep;                    /* max matmul repeat */
    /* per-core state */
    uint32_t a_next, o_next, acc_next;
    int64_t a_loaded_b, a_loaded_m, a_loaded_k;   /* which A tile is in which slot (-1 none) */
    uint32_t a_loaded_slot;
    const tiler_chain *ch;           /* never NULL inside (a blank chain for a lone GEMM) */
    npy_dtype o_dtype;               /* dtype activate writes (C's, or the input dtype when chained) */
} gen;

static void emit_a(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ki, uint64_t *addr,
                   uint64_t *stride)
{
    const tiler_plan *pl = g->pl;
    const gemm_problem *pb = g->pb;
    uint32_t m0 = mi * pl->tm, k0 = ki * pl->tk;
    uint32_t mm = (uint32_t)umin(pl->tm, pb->m - m0), kk = (uint32_t)umin(pl->tk, pb->k - k0);
    *stride = (uint64_t)kk * dtype_in_bytes(pb->dtype);
    if (g->ch->a_resident) {
        *stride = (uint64_t)pb->k * dtype_in_bytes(pb->dtype);
        *addr = g->ch->a_base + (uint64_t)(b * pb->m + m0) * *stride + (uint64_t)k0 * dtype_in_bytes(pb->dtype);
        return;
    }
    if (pl->a_panel) {
        /* the panel of (b, mi) gets its k tiles on the first pass over k (ascending) */
        unsigned ib = dtype_in_bytes(pb->dtype);
        *stride = (uint64_t)pb->k * ib;
        if (g->a_loaded_b != b || g->a_loaded_m != mi) {
            g->a_loaded_slot = g->a_next;
            g->a_next = (g->a_next + 1) % g->bufs;
            g->a_loaded_b = b;
            g->a_loaded_m = mi;
            g->a_loaded_k = 0;   /* k tiles loaded so far */
        }
        *addr = g->a_loaded_slot * g->a_slot_bytes + (uint64_t)k0 * ib;
        if (ki >= g->a_loaded_k) {
            if (pb->transpose_a)
                isa_load(g->p, core, *addr, *stride, g->ta, b * pb->k + k0, m0, kk, mm, true);
            else
                isa_load(g->p, core, *addr, *stride, g->ta, b * pb->m + m0, k0, mm, kk, false);
            g->a_loaded_k = ki + 1;
        }
        return;
    }
    if (g->a_loaded_b == b && g->a_loaded_m == mi && g->a_loaded_k == ki) {
        *addr = g->a_loaded_slot * g->a_slot_bytes;
        return;
    }
    uint32_t slot = g->a_next;
    g->a_next = (g->a_next + 1) % g->bufs;
    *addr = slot * g->a_slot_bytes;
    if (pb->transpose_a)
        isa_load(g->p, core, *addr, *stride, g->ta, b * pb->k + k0, m0, kk, mm, true);
    else
        isa_load(g->p, core, *addr, *stride, g->ta, b * pb->m + m0, k0, mm, kk, false);
    g->a_loaded_b = b;
    g->a_loaded_m = mi;
    g->a_loaded_k = ki;
    g->a_loaded_slot = slot;
}

/* One (m-tile, n-tile, k-tile) step of a core: weights and matmuls of every column group. */
static void emit_step(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ni, uint32_t ki,
                      uint64_t acc_base)
{
    const tiler_plan *pl = g->pl;
    const gemm_problem *pb = g->pb;
    const uint32_t C = g->t->array.cols;
    uint64_t a_addr, a_stride;
    emit_a(g, core, b, mi, ki, &a_addr, &a_stride);
    uint32_t m0 = mi * pl->tm, n0 = ni * pl->tn, k0 = ki * pl->tk;
    uint32_t mm = (uint32_t)umin(pl->tm, pb->m - m0), nn = (uint32_t)umin(pl->tn, pb->n - n0);
    uint32_t kk = (uint32_t)umin(pl->tk, pb->k - k0);
    uint32_t groups = (uint32_t)cdiv(nn, C);
    unsigned ib = dtype_in_bytes(pb->dtype);
    uint32_t part = ki / g->tpp, first_k = part * g->tpp;
    for (uint32_t gi = 0; gi < groups; gi++) {
        uint32_t q = gi * g->S + part;
        unsigned mxu = q % g->umx;
        uint32_t gc0 = n0 + gi * C, gn = (uint32_t)umin(C, n0 + nn - gc0);
        uint64_t acc = (uint64_t)mxu * g->t->acc.entries + acc_base + (uint64_t)(q / g->umx) * pl->tm;
        for (uint32_t r0 = 0; r0 < mm; r0 += pl->mop) {
            uint32_t rows = (uint32_t)umin(pl->mop, mm - r0);
            for (uint32_t c = 0; c < kk;) {
                uint32_t ck = (uint32_t)umin(pl->kop, kk - c);
                uint32_t run = 0;
                /* equal chunks, at most rep of them */
                while (run < g->rep && c + run * ck < kk && umin(pl->kop, kk - (c + run * ck)) == ck)
                    run++;
                for (uint32_t j = 0; j < run; j++) {
                    uint32_t kr = b * pb->k + k0 + c + j * ck;
                    if (pb->transpose_b)
                        isa_loadw(g->p, core, mxu, g->tb, b * pb->n + gc0, k0 + c + j * ck, gn, ck, true);
                    else
                        isa_loadw(g->p, core, mxu, g->tb, kr, gc0, ck, gn, false);
                }
                isa_matmul(g->p, core, mxu, acc + r0, a_addr + (uint64_t)r0 * a_stride + (uint64_t)c * ib,
                           a_stride, rows, ki > first_k || c > 0, run);
                c += run * ck;
            }
        }
    }
}

/* Activate the tile's accumulators into an output slot and store it. */
static void emit_out(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ni, uint64_t acc_base)
{
    const tiler_plan *pl = g->pl;
    const gemm_problem *pb = g->pb;
    const uint32_t C = g->t->array.cols;
    uint32_t m0 = mi * pl->tm, n0 = ni * pl->tn;
    uint32_t mm = (uint32_t)umin(pl->tm, pb->m - m0), nn = (uint32_t)umin(pl->tn, pb->n - n0);
    unsigned ob = npy_dtype_size(g->o_dtype);
    uint64_t ostride = (uint64_t)nn * ob;
    uint64_t oaddr = g->bufs * g->a_slot_bytes + g->o_next * g->o_slot_bytes;
    if (g->ch->c_resident) {
        ostride = (uint64_t)pb->n * ob;
        oaddr = g->ch->c_base + (uint64_t)(b * pb->m + m0) * ostride + (uint64_t)n0 * ob;
    }
    g->o_next = (g->o_next + 1) % g->bufs;
    isa_act act = pl->epilogue == GEMM_EPI_RELU ? ISA_ACT_RELU : ISA_ACT_NONE;
    uint32_t groups = (uint32_t)cdiv(nn, C);
    npy_dtype raw = pb->dtype == TP_INT8 ? NPY_INT32 : NPY_F32;
    for (uint32_t gi = 0; gi < groups; gi++) {
        uint32_t gn = (uint32_t)umin(C, nn - gi * C);
        uint64_t acc[TILER_MAX_SPLIT_K];
        for (uint32_t p = 0; p < g->S; p++) {
            uint32_t q = gi * g->S + p;
            acc[p] = (uint64_t)(q % g->umx) * g->t->acc.entries + acc_base + (uint64_t)(q / g->umx) * pl->tm;
        }
        if (g->S == 1) {
            isa_activate(g->p, core, oaddr + (uint64_t)gi * C * ob, ostride, acc[0], mm, gn, act, g->o_dtype,
                         pl->requant_scale, false, 0);
            continue;
        }
        /* split-K: part 0 raw into the sums region, then row by row sum = P_p + sum; the last
         * part applies the epilogue and writes the output slot */
        uint64_t sstride = (uint64_t)nn * 4, scol = (uint64_t)gi * C * 4;
        isa_activate(g->p, core, g->s_base + scol, sstride, acc[0], mm, gn, ISA_ACT_NONE, raw, 1.0f, false, 0);
        for (uint32_t p = 1; p < g->S; p++) {
            bool last = p == g->S - 1;
            for (uint32_t r = 0; r < mm; r++) {
                uint64_t srow = g->s_base + r * sstride + scol;
                uint64_t dst = last ? oaddr + r * ostride + (uint64_t)gi * C * ob : srow;
                isa_activate(g->p, core, dst, 0, acc[p] + r, 1, gn, last ? act : ISA_ACT_NONE,
                             last ? g->o_dtype : raw, pl->requant_scale, true, srow);
            }
        }
    }
    if (!g->ch->c_resident)
        isa_store(g->p, core, g->tc, b * pb->m + m0, n0, mm, nn, oaddr, ostride);
}

tp_status tiler_generate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl,
                         isa_program *p, tp_err *err)
{
    char name[96];
    snprintf(name, sizeof name, "gemm-%ux%ux%u", pb->m, pb->n, pb->k);
    isa_init(p, name, pb->dtype);
    return tiler_generate_into(t, pb, pl, NULL, p, err);
}

tp_status tiler_generate_into(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl,
                              const tiler_chain *ch, isa_program *p, tp_err *err)
{
    static const tiler_chain lone = {NULL, false, 0, false, 0};
    npy_dtype in = npy_dtype_of_input(pb->dtype);
    gen g;
    memset(&g, 0, sizeof g);
    g.t = t;
    g.pb = pb;
    g.pl = pl;
    g.p = p;
    g.ch = ch ? ch : &lone;
    const char *pre = g.ch->prefix ? g.ch->prefix : "";
    char na[64], nb[64], nc[64];
    snprintf(na, sizeof na, "%sA", pre);
    snprintf(nb, sizeof nb, "%sB", pre);
    snprintf(nc, sizeof nc, "%sC", pre);
    g.o_dtype = g.ch->c_resident ? in : pl->out_dtype;
    g.ta = g.ch->a_resident ? 0
           : pb->transpose_a ? isa_add_tensor(p, na, in, pb->batch * pb->k, pb->m)
                             : isa_add_tensor(p, na, in, pb->batch * pb->m, pb->k);
    g.tb = pb->transpose_b ? isa_add_tensor(p, nb, in, pb->batch * pb->n, pb->k)
                           : isa_add_tensor(p, nb, in, pb->batch * pb->k, pb->n);
    g.tc = g.ch->c_resident ? 0 : isa_add_tensor(p, nc, pl->out_dtype, pb->batch * pb->m, pb->n);
    g.bufs = pl->double_buffer ? 2 : 1;
    g.a_slot_bytes = (uint64_t)pl->tm * (pl->a_panel ? pb->k : pl->tk) * dtype_in_bytes(pb->dtype);
    g.o_slot_bytes = (uint64_t)pl->tm * pl->tn * npy_dtype_size(pl->out_dtype);
    uint32_t U = t->mxus_per_core, groups = (uint32_t)cdiv(pl->tn, t->array.cols);
    g.S = pl->split_k > 1 ? pl->split_k : 1;
    uint32_t items = groups * g.S;
    g.umx = (uint32_t)umin(U, items);
    g.gpm = (uint32_t)cdiv(items, g.umx);
    g.acc_slot_rows = (uint64_t)pl->tm * g.gpm;
    g.s_base = g.bufs * (g.a_slot_bytes + g.o_slot_bytes);
    uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    uint32_t usable = pl->double_buffer && depth >= 2 ? depth / 2 : depth;
    g.rep = (uint32_t)umax(1, usable / isa_tile_slots(t, pl->kop));

    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    uint32_t live = live_tiles(pl, &d);
    g.tpp = (uint32_t)cdiv(d.nt[2], g.S);
    for (unsigned core = 0; core < t->cores; core++) {
        uint64_t u0 = units * core / t->cores, u1 = units * (core + 1) / t->cores;
        g.a_next = g.o_next = g.acc_next = 0;
        g.a_loaded_b = g.a_loaded_m = g.a_loaded_k = -1;
        for (uint64_t u = u0; u < u1; u++) {
            uint32_t b = (uint32_t)(u / d.nt[split]), s = (uint32_t)(u % d.nt[split]);
            uint32_t idx[3];
            idx[split] = s;
            /* live-set base: the acc slot set used for this unit's tiles */
            for (uint32_t i0 = 0; i0 < d.nt[inner[0]]; i0++) {
                idx[inner[0]] = i0;
                uint32_t set = g.acc_next;
                if (inner[0] != 2)          /* k innermost: one live tile per i0 */
                    g.acc_next = (g.acc_next + 1) % g.bufs;
                for (uint32_t i1 = 0; i1 < d.nt[inner[1]]; i1++) {
                    idx[inner[1]] = i1;
                    uint64_t base;
                    if (inner[0] == 2)      /* k outside the x loop: tile i1 of the live set */
                        base = ((uint64_t)set * live + i1) * g.acc_slot_rows;
                    else
                        base = (uint64_t)set * g.acc_slot_rows;
                    emit_step(&g, core, b, idx[0], idx[1], idx[2], base);
                    if (idx[2] == d.nt[2] - 1)
                        emit_out(&g, core, b, idx[0], idx[1], base);
                }
                if (inner[0] == 2 && i0 == d.nt[2] - 1)
                    g.acc_next = (g.acc_next + 1) % g.bufs;
            }
        }
    }
    if (p->oom || g.ta < 0 || g.tb < 0 || g.tc < 0)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory building the program", p->name);
    return TP_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Search                                                                                    */

#define SEARCH_SIMULATE 3   /* distinct programs simulated */
#define SEARCH_SCAN 12      /* best-estimated candidates looked at */

static int cmp_est(const void *x, const void *y)
{
    const tiler_candidate *a = x, *b = y;
    if (a->plan.est_cycles != b->plan.est_cycles)
        return a->plan.est_cycles < b->plan.est_cycles ? -1 : 1;
    /* fewer instructions first: bigger tiles */
    uint64_t va = (uint64_t)a->plan.tm * a->plan.tn * a->plan.tk, vb = (uint64_t)b->plan.tm * b->plan.tn * b->plan.tk;
    if (va != vb)
        return va > vb ? -1 : 1;
    return strcmp(a->plan.order, b->plan.order);
}

/* Candidate sizes for one dimension: multiples `q` * 2^i up to ext, and ext itself. */
static uint32_t sizes(uint32_t ext, uint32_t q, uint32_t fixed, uint32_t *out, uint32_t cap)
{
    uint32_t n = 0;
    if (fixed) {
        out[n++] = (uint32_t)umin(fixed, ext);
        return n;
    }
    for (uint64_t v = q; v < ext && n + 1 < cap; v *= 2)
        out[n++] = (uint32_t)v;
    out[n++] = ext;
    return n;
}

tp_status tiler_search(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *opts,
                       tiler_plan *best, tiler_candidate **cands, size_t *n_cands, uint64_t *search_rows,
                       tp_err *err)
{
    const tp_tpu_cfg *t = &cfg->tpu;
    const uint32_t R = t->array.rows;
    uint32_t ms[40], ns[40], ks[40];
    /* powers of two from 1 (tiny buffers need tiny tiles), the whole extent, and K in
     * multiples of the array's rows */
    uint32_t nm = sizes(pb->m, 1, opts->tm, ms, 40);
    uint32_t nn = sizes(pb->n, 1, opts->tn, ns, 40);
    uint32_t nk = sizes(pb->k, R, opts->tk, ks, 40);
    const char *orders_auto[] = {"mnk", "nmk"};
    const char *orders_one[1] = {opts->order};
    const char **orders = opts->order[0] ? orders_one : orders_auto;
    uint32_t n_orders = opts->order[0] ? 1 : 2;
    int dbs[2], n_db = 0;
    if (opts->double_buffer >= 0)
        dbs[n_db++] = opts->double_buffer;
    else {
        dbs[n_db++] = 1;
        dbs[n_db++] = 0;
    }
    size_t cap = (size_t)nm * nn * nk * n_orders * (size_t)n_db, n = 0;
    tiler_candidate *c = calloc(cap ? cap : 1, sizeof *c);
    if (!c)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory in the tiling search");
    tp_err first = {0};
    tiler_refusal first_why = TILER_FITS;
    bool have_first = false;
    uint64_t first_vol = 0;
    bool too_long = false;
    for (uint32_t o = 0; o < n_orders; o++)
        for (int di = 0; di < n_db; di++)
            for (uint32_t a = 0; a < nm; a++)
                for (uint32_t b = 0; b < nn; b++)
                    for (uint32_t kx = 0; kx < nk; kx++) {
                        tiler_plan pl;
                        memset(&pl, 0, sizeof pl);
                        pl.tm = ms[a];
                        pl.tn = ns[b];
                        pl.tk = ks[kx];
                        snprintf(pl.order, sizeof pl.order, "%s", orders[o]);
                        pl.double_buffer = dbs[di] != 0;
                        pl.epilogue = opts->epilogue;
                        pl.requant_scale = opts->requant_scale;
                        pl.split_k = opts->split_k;
                        tp_err e = {0};
                        tiler_refusal why;
                        uint64_t vol = (uint64_t)pl.tm * pl.tn * pl.tk;
                        if (tiler_plan_try(t, pb, &pl, &why, &e) != TP_OK) {
                            too_long |= why == TILER_REFUSE_TOO_LONG;
                            /* keep the reason of the largest tiling tried */
                            if (!have_first || vol > first_vol) {
                                first = e;
                                first_why = why;
                                first_vol = vol;
                                have_first = true;
                            }
                            continue;
                        }
                        /* auto double-buffering: keep "off" only when "on" does not fit */
                        c[n].plan = pl;
                        c[n].cycles = 0;
                        c[n].simulated = false;
                        n++;
                    }
    if (n == 0) {
        free(c);
        if (have_first && (opts->tm || !tiler_refusal_of_tile(first_why)))
            *err = first;   /* the user's own tile, or a choice that fits no tile at all */
        else if (have_first && (opts->order[0] || opts->double_buffer >= 0 || opts->split_k > 1)) {
            /* the user's other choices rule every tile out: name them, not a tile they never gave */
            char given[80] = "";
            size_t gl = 0;
            if (opts->order[0])
                gl += (size_t)snprintf(given + gl, sizeof given - gl, " --order %s", opts->order);
            if (opts->double_buffer >= 0)
                gl += (size_t)snprintf(given + gl, sizeof given - gl, " --double-buffer %s",
                                       opts->double_buffer ? "on" : "off");
            if (opts->split_k > 1)
                snprintf(given + gl, sizeof given - gl, " --split-k %u", opts->split_k);
            tp_err_set(err, TP_ERR_USAGE, "gemm %ux%ux%u: no tiling fits machine '%s' with%s; the largest tried: %s",
                       pb->m, pb->n, pb->k, t->name, given, first.msg);
        } else if (too_long)
            tp_err_set(err, TP_ERR_USAGE, "gemm %ux%ux%u: every tiling that fits machine '%s' needs more than %u "
                       "instructions (too large to simulate)", pb->m, pb->n, pb->k, t->name, TILER_MAX_INSTRUCTIONS);
        else
            tp_err_set(err, TP_ERR_USAGE, "gemm %ux%ux%u: no tiling fits machine '%s'; the largest tried: %s",
                       pb->m, pb->n, pb->k, t->name, have_first ? first.msg : "none");
        return TP_ERR_USAGE;
    }
    if (opts->double_buffer < 0) {
        /* drop single-buffered candidates whose double-buffered twin fits */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            bool twin = false;
            if (!c[i].plan.double_buffer)
                for (size_t j = 0; j < n && !twin; j++)
                    twin = c[j].plan.double_buffer && c[j].plan.tm == c[i].plan.tm && c[j].plan.tn == c[i].plan.tn &&
                           c[j].plan.tk == c[i].plan.tk && !strcmp(c[j].plan.order, c[i].plan.order);
            if (!twin)
                c[w++] = c[i];
        }
        n = w;
    }
    qsort(c, n, sizeof *c, cmp_est);
    /* Simulate the best few on a slice of the problem: the same N and K, but only the rows
     * (batches) of one m-tile of the largest tm among them per core, so the search costs a
     * fraction of the final run; all of them run on the same slice, so their cycles compare.
     * Candidates whose programs on the slice are identical (mnk and nmk when one loop has a
     * single tile) are simulated once. */
    size_t scan = n < SEARCH_SCAN ? n : SEARCH_SCAN;
    size_t bi = 0;
    gemm_problem slice = *pb;
    uint32_t max_tm = 0;
    for (size_t i = 0; i < scan; i++)
        max_tm = c[i].plan.tm > max_tm ? c[i].plan.tm : max_tm;
    uint64_t rows = (uint64_t)max_tm * t->cores;
    if (pb->batch > 1)
        slice.batch = (uint32_t)umin(pb->batch, cdiv(rows, pb->m));
    else
        slice.m = (uint32_t)umin(pb->m, rows);
    if (search_rows)
        *search_rows = (uint64_t)slice.m * slice.batch;
    if (n > 1) {
        machine *mc = NULL;
        isa_program progs[SEARCH_SIMULATE];
        size_t prog_of[SEARCH_SIMULATE], np = 0;
        tp_status st = machine_new(cfg, MACHINE_FAST, &mc, err);
        bool have = false;
        for (size_t i = 0; i < scan && np < SEARCH_SIMULATE && st == TP_OK; i++) {
            tiler_plan sp = c[i].plan;
            isa_program q;
            st = tiler_plan_derive(t, &slice, &sp, err);
            if (st != TP_OK)
                break;
            st = tiler_generate(t, &slice, &sp, &q, err);
            size_t same = np;
            for (size_t j = 0; st == TP_OK && j < np && same == np; j++)
                if (progs[j].n_ins == q.n_ins && !memcmp(progs[j].ins, q.ins, (size_t)q.n_ins * sizeof *q.ins))
                    same = j;
            if (st == TP_OK && same < np) {
                c[i].cycles = c[prog_of[same]].cycles;
                c[i].simulated = true;
                isa_free(&q);
                continue;
            }
            if (st == TP_OK)
                st = machine_load(mc, &q, err);
            if (st == TP_OK) {
                machine_set_timing_only(mc, true);
                st = machine_run(mc, err);
            }
            if (st == TP_OK) {
                c[i].cycles = machine_stats(mc)->cycles;
                c[i].simulated = true;
                if (!have || c[i].cycles < c[bi].cycles)
                    bi = i;
                have = true;
                progs[np] = q;
                prog_of[np++] = i;
            } else {
                isa_free(&q);
            }
        }
        for (size_t j = 0; j < np; j++)
            isa_free(&progs[j]);
        machine_free(mc);
        if (st != TP_OK) {
            free(c);
            return st;
        }
    }
    *best = c[bi].plan;
    if (cands) {
        *cands = c;
        *n_cands = n;
    } else {
        free(c);
    }
    return TP_OK;
}
