/* The tiler's program generation: a derived plan (plan.c) -> a TPU program (tpu/isa.h).
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
 *     multiples of kop, so the reference is num_gemm with kc = kop. os: the matmuls of one K
 *     tile are one chain (each but the last holds, tpu/mxu.h), streaming the K tile with one
 *     drain while the next tiles load; partial sums break at K tiles: kc = tk.
 *  4. Slots. A tiles and output tiles each have one or two UB slots (double buffering), used in
 *     turn; with split-K, A has that many per part (tiler_a_slots), so that the parts' MXUs,
 *     each reading its own K tiles, run at once instead of waiting for each other's slots; the machine's scoreboard orders the reuse of a slot (WAR), so the program never
 *     waits explicitly and double buffering is only a matter of addresses. With order mnk an A
 *     slot may hold the whole tm x K row panel (a_panel), loaded once and read by every n tile.
 *  5. Split-K (opt-in): part p of column group g is item g*S + p on MXU (g*S + p) mod U; after
 *     the k loop the vector unit sums the parts with activate's bias rows (bias_stride: a bias
 *     row per output row, the running sum in place), in ascending part order.
 *  6. Layout of a core's UB: A slots, then output slots, then the split-K sums; chained model
 *     layers put their resident matrices at the top (tiler_chain).
 *  7. is keeps A stationary and streams B. The machine's matmul streams its UB rows through the
 *     stationary FIFO tile in every dataflow but os, so an is GEMM is generated as the ws
 *     program of C^T = B^T A^T (tiler_is_view): B^T blocks are loaded into the UB (load with
 *     transpose, or plain when B is stored N x K), A^T tiles pushed on the FIFO, and the C^T
 *     tiles in the accumulators stored with store ... transpose. Streams are then as long as
 *     the output tile's N extent, not one array width.
 *  8. Weights first: each step emits its first weight loads before its A tile, so that they
 *     take a DMA engine first (the machine begins DMA queue heads oldest first) and their shift
 *     into the array overlaps A's load instead of following it.
 */
#include "tiler/tiler.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tiler/loops.h"
#include "tiler/tiler_int.h"

typedef struct {
    const tp_tpu_cfg *t;
    const gemm_problem *pb;
    const tiler_plan *pl;
    isa_program *p;
    int ta, tb, tc;                  /* tensor indices */
    uint32_t bufs;
    uint32_t a_slots;                /* A tile slots: bufs, times the split-K parts (note 4) */
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
    bool store_t;                    /* is: the output tiles are C^T, stored transposed (note 7) */
    uint64_t macs;                   /* MACs of the matmuls emitted so far */
} gen;

/* The first accumulator row of (group, part, row part) item q: items are dealt to the MXUs in
 * turn, each MXU's k-th item at acc_base + k * tm of its own accumulators (notes 2, 5). */
static uint64_t item_acc(const gen *g, uint32_t q, uint64_t acc_base)
{
    return (uint64_t)(q % g->umx) * g->t->acc.entries + acc_base + (uint64_t)(q / g->umx) * g->pl->tm;
}

/* Loads rows x cols of A at (row m0, column k0) of batch b into the UB at addr. */
static void load_a(gen *g, unsigned core, uint64_t addr, uint64_t stride, uint32_t b, uint32_t m0, uint32_t k0,
                   uint32_t rows, uint32_t cols)
{
    const gemm_problem *pb = g->pb;
    if (pb->transpose_a)
        isa_load(g->p, core, addr, stride, g->ta, b * pb->k + k0, m0, cols, rows, true);
    else
        isa_load(g->p, core, addr, stride, g->ta, b * pb->m + m0, k0, rows, cols, false);
}

static void emit_a(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ki, uint64_t *addr,
                   uint64_t *stride)
{
    const tiler_plan *pl = g->pl;
    const gemm_problem *pb = g->pb;
    uint32_t m0 = mi * pl->tm, k0 = ki * pl->tk;
    uint32_t mm = (uint32_t)util_min(pl->tm, pb->m - m0), kk = (uint32_t)util_min(pl->tk, pb->k - k0);
    *stride = (uint64_t)kk * dtype_in_bytes(pb->dtype);
    if (g->ch->a_resident) {
        *stride = (uint64_t)pb->k * dtype_in_bytes(pb->dtype);
        *addr = g->ch->a_base + (uint64_t)(b * pb->m + m0) * *stride + (uint64_t)k0 * dtype_in_bytes(pb->dtype);
        return;
    }
    if (pl->a_panel) {
        /* the panel of (b, mi) gets its k tiles on the first pass over k: its first nt calls,
         * each K tile once (in korder) */
        unsigned ib = dtype_in_bytes(pb->dtype);
        *stride = (uint64_t)pb->k * ib;
        if (g->a_loaded_b != b || g->a_loaded_m != mi) {
            g->a_loaded_slot = g->a_next;
            g->a_next = (g->a_next + 1) % g->a_slots;
            g->a_loaded_b = b;
            g->a_loaded_m = mi;
            g->a_loaded_k = 0;   /* k tiles loaded so far */
        }
        *addr = g->a_loaded_slot * g->a_slot_bytes + (uint64_t)k0 * ib;
        if (g->a_loaded_k < (int64_t)util_ceil_div(pb->k, pl->tk)) {
            load_a(g, core, *addr, *stride, b, m0, k0, mm, kk);
            g->a_loaded_k++;
        }
        return;
    }
    if (g->a_loaded_b == b && g->a_loaded_m == mi && g->a_loaded_k == ki) {
        *addr = g->a_loaded_slot * g->a_slot_bytes;
        return;
    }
    uint32_t slot = g->a_next;
    g->a_next = (g->a_next + 1) % g->a_slots;
    *addr = slot * g->a_slot_bytes;
    /* with the M split, one load per row part (note 2): the parts' loads run on different DMA
     * engines and each part's matmuls wait only for their own rows */
    uint32_t part = pl->m_split > 1 ? pl->m_part : mm;
    for (uint32_t r0 = 0; r0 < mm; r0 += part) {
        load_a(g, core, *addr + r0 * *stride, *stride, b, m0 + r0, k0, (uint32_t)util_min(part, mm - r0), kk);
    }
    g->a_loaded_b = b;
    g->a_loaded_m = mi;
    g->a_loaded_k = ki;
    g->a_loaded_slot = slot;
}

/* One (m-tile, n-tile, k-tile) step of a core: weights and matmuls of every column group.
 * weights_only: only the first run's weight loads, which the step emits before its A tile so that
 * their shift into the array overlaps A's load (note 8); the main pass then skips them. */
static void step_body(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ni, uint32_t ki,
                      uint64_t acc_base, uint64_t a_addr, uint64_t a_stride, bool weights_only)
{
    const tiler_plan *pl = g->pl;
    const gemm_problem *pb = g->pb;
    const uint32_t C = g->t->array.cols;
    uint32_t m0 = mi * pl->tm, n0 = ni * pl->tn, k0 = ki * pl->tk;
    uint32_t mm = (uint32_t)util_min(pl->tm, pb->m - m0), nn = (uint32_t)util_min(pl->tn, pb->n - n0);
    uint32_t kk = (uint32_t)util_min(pl->tk, pb->k - k0);
    uint32_t groups = (uint32_t)util_ceil_div(nn, C);
    unsigned ib = dtype_in_bytes(pb->dtype);
    uint32_t part = ki / g->tpp, first_k = part * g->tpp;
    bool os = g->t->array.dataflow == TP_DF_OS, first = true;
    for (uint32_t gi = 0; gi < groups; gi++) {
        uint32_t q0 = (gi * g->S + part) * pl->m_split;
        uint32_t gc0 = n0 + gi * C, gn = (uint32_t)util_min(C, n0 + nn - gc0);
        uint32_t parts = (uint32_t)util_ceil_div(mm, pl->m_part);
        /* chunk i0 of every row part that has one (note 2); with the M split the parts' MXUs
         * are q0 .. q0 + np - 1 and one loadw feeds them all */
        for (uint32_t i0 = 0; i0 < util_min(mm, pl->m_part); i0 += pl->mop) {
            uint32_t np = 0;
            while (np < parts && np * pl->m_part + i0 < util_min(mm, (np + 1) * pl->m_part))
                np++;
            unsigned mxu0 = q0 % g->umx;
            for (uint32_t c = 0; c < kk;) {
                uint32_t ck = (uint32_t)util_min(pl->kop, kk - c);
                uint32_t run = 0;
                /* equal chunks, at most rep of them */
                while (run < g->rep && c + run * ck < kk && util_min(pl->kop, kk - (c + run * ck)) == ck)
                    run++;
                if (weights_only || !first)
                    for (uint32_t x = 0; x < run; x++) {
                        uint32_t kr = b * pb->k + k0 + c + x * ck;
                        if (pb->transpose_b)
                            isa_loadw_n(g->p, core, mxu0, np, g->tb, b * pb->n + gc0, k0 + c + x * ck, gn, ck, true);
                        else
                            isa_loadw_n(g->p, core, mxu0, np, g->tb, kr, gc0, ck, gn, false);
                    }
                if (weights_only)
                    return;
                first = false;
                /* os: the K tile's matmuls are one chain (note 3), held to its last one */
                bool hold = os && c + run * ck < kk;
                for (uint32_t j = 0; j < np; j++) {
                    uint32_t q = q0 + j, r0 = j * pl->m_part + i0;
                    uint32_t rows = (uint32_t)util_min(pl->mop, util_min(mm, (j + 1) * pl->m_part) - r0);
                    isa_matmul_h(g->p, core, q % g->umx, item_acc(g, q, acc_base) + r0, a_addr + (uint64_t)r0 * a_stride + (uint64_t)c * ib,
                                 a_stride, rows, ki > first_k || (!os && c > 0), run, hold);
                    g->macs += (uint64_t)rows * gn * ck * run;
                }
                c += run * ck;
            }
        }
    }
}

static void emit_step(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ni, uint32_t ki,
                      uint64_t acc_base)
{
    uint64_t a_addr, a_stride;
    step_body(g, core, b, mi, ni, ki, acc_base, 0, 0, true);
    emit_a(g, core, b, mi, ki, &a_addr, &a_stride);
    step_body(g, core, b, mi, ni, ki, acc_base, a_addr, a_stride, false);
}

/* Activate the tile's accumulators into an output slot and store it. */
static void emit_out(gen *g, unsigned core, uint32_t b, uint32_t mi, uint32_t ni, uint64_t acc_base)
{
    const tiler_plan *pl = g->pl;
    const gemm_problem *pb = g->pb;
    const uint32_t C = g->t->array.cols;
    uint32_t m0 = mi * pl->tm, n0 = ni * pl->tn;
    uint32_t mm = (uint32_t)util_min(pl->tm, pb->m - m0), nn = (uint32_t)util_min(pl->tn, pb->n - n0);
    unsigned ob = npy_dtype_size(g->o_dtype);
    uint64_t ostride = (uint64_t)nn * ob;
    uint64_t oaddr = g->a_slots * g->a_slot_bytes + g->o_next * g->o_slot_bytes;
    if (g->ch->c_resident) {
        ostride = (uint64_t)pb->n * ob;
        oaddr = g->ch->c_base + (uint64_t)(b * pb->m + m0) * ostride + (uint64_t)n0 * ob;
    }
    g->o_next = (g->o_next + 1) % g->bufs;
    isa_act act = pl->epilogue == GEMM_EPI_RELU ? ISA_ACT_RELU : ISA_ACT_NONE;
    uint32_t groups = (uint32_t)util_ceil_div(nn, C);
    npy_dtype raw = pb->dtype == TP_INT8 ? NPY_INT32 : NPY_F32;
    for (uint32_t gi = 0; gi < groups; gi++) {
        uint32_t gn = (uint32_t)util_min(C, nn - gi * C);
        if (g->S == 1) {   /* one activate per row part (one without the M split) */
            for (uint32_t j = 0; j < pl->m_split && j * pl->m_part < mm; j++) {
                uint32_t r0 = j * pl->m_part, rows = (uint32_t)util_min(mm, r0 + pl->m_part) - r0;
                isa_activate(g->p, core, oaddr + (uint64_t)r0 * ostride + (uint64_t)gi * C * ob, ostride,
                             item_acc(g, gi * pl->m_split + j, acc_base) + r0, rows, gn, act, g->o_dtype,
                             pl->requant_scale, false, 0);
            }
            continue;
        }
        /* split-K: part 0 raw into the sums region, then sum = P_p + sum, a bias row per row;
         * the last part applies the epilogue and writes the output slot */
        uint64_t sstride = (uint64_t)nn * 4, scol = (uint64_t)gi * C * 4, sum = g->s_base + scol;
        isa_activate(g->p, core, sum, sstride, item_acc(g, gi * g->S, acc_base), mm, gn, ISA_ACT_NONE, raw, 1.0f,
                     false, 0);
        for (uint32_t p = 1; p < g->S; p++) {
            bool last = p == g->S - 1;
            uint64_t acc = item_acc(g, gi * g->S + p, acc_base);
            int i = last ? isa_activate(g->p, core, oaddr + (uint64_t)gi * C * ob, ostride, acc, mm, gn, act,
                                        g->o_dtype, pl->requant_scale, true, sum)
                         : isa_activate(g->p, core, sum, sstride, acc, mm, gn, ISA_ACT_NONE, raw, 1.0f, true, sum);
            if (i >= 0)
                g->p->ins[i].bias_stride = sstride;
        }
    }
    /* one store per row part with the M split (note 2), each behind its own part's activates */
    uint32_t part = pl->m_split > 1 && g->S == 1 ? pl->m_part : mm;
    for (uint32_t r0 = 0; r0 < mm; r0 += part) {
        uint32_t rows = (uint32_t)util_min(part, mm - r0);
        if (g->store_t)   /* the view's C tile (mm x nn) is C^T: C rows n0.., columns m0.. */
            isa_store_t(g->p, core, g->tc, b * pb->n + n0, m0 + r0, nn, rows, oaddr + r0 * ostride, ostride, true);
        else if (!g->ch->c_resident)
            isa_store(g->p, core, g->tc, b * pb->m + m0 + r0, n0, rows, nn, oaddr + r0 * ostride, ostride);
    }
}

tp_status tiler_generate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl,
                         isa_program *p, tp_err *err)
{
    char name[96];
    snprintf(name, sizeof name, "gemm-%ux%ux%u", pb->m, pb->n, pb->k);
    isa_init(p, name, pb->dtype);
    return tiler_generate_into(t, pb, pl, NULL, p, err);
}

static tp_status generate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, const tiler_chain *ch,
                          tiler_prefix *px, isa_program *p, tp_err *err);

tp_status tiler_generate_into(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl,
                              const tiler_chain *ch, isa_program *p, tp_err *err)
{
    return generate(t, pb, pl, ch, NULL, p, err);
}

tp_status tiler_generate_prefix(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, tiler_prefix *px,
                                isa_program *p, tp_err *err)
{
    char name[96];
    snprintf(name, sizeof name, "gemm-%ux%ux%u-prefix", pb->m, pb->n, pb->k);
    isa_init(p, name, pb->dtype);
    return generate(t, pb, pl, NULL, px, p, err);
}

/* px (may be NULL): stop each core's stream at the first step boundary past px->cap
 * instructions, and report core 0's boundaries and MACs (tiler_int.h). */
static tp_status generate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, const tiler_chain *ch,
                          tiler_prefix *px, isa_program *p, tp_err *err)
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
    /* note 7: is is the ws program of C^T = B^T A^T: B's blocks stream from the UB as A's would,
     * A's go to the FIFO as B's would, and C^T is stored transposed */
    tp_tpu_cfg tv;
    gemm_problem pv;
    tiler_plan lv;
    if (t->array.dataflow == TP_DF_IS) {
        if (g.ch->a_resident || g.ch->c_resident)
            return tp_err_set(err, TP_ERR_INTERNAL, "%s: is layers cannot be chained in the UB", p->name);
        tiler_is_view(t, pb, pl, &tv, &pv, &lv);
        t = g.t = &tv;
        pb = g.pb = &pv;
        pl = g.pl = &lv;
        int x = g.ta;
        g.ta = g.tb;
        g.tb = x;
        g.store_t = true;
    }
    g.bufs = pl->double_buffer ? 2 : 1;
    g.a_slot_bytes = (uint64_t)pl->tm * (pl->a_panel ? pb->k : pl->tk) * dtype_in_bytes(pb->dtype);
    g.o_slot_bytes = (uint64_t)pl->tm * pl->tn * npy_dtype_size(pl->out_dtype);
    uint32_t U = t->mxus_per_core, groups = (uint32_t)util_ceil_div(pl->tn, t->array.cols);
    g.S = pl->split_k > 1 ? pl->split_k : 1;
    uint32_t items = groups * g.S * pl->m_split;
    g.umx = (uint32_t)util_min(U, items);
    g.gpm = (uint32_t)util_ceil_div(items, g.umx);
    g.acc_slot_rows = (uint64_t)pl->tm * g.gpm;
    g.a_slots = tiler_a_slots(pl);
    g.s_base = g.a_slots * g.a_slot_bytes + g.bufs * g.o_slot_bytes;
    uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    uint32_t usable = pl->double_buffer && depth >= 2 ? depth / 2 : depth;
    g.rep = (uint32_t)util_max(1, usable / isa_tile_slots(t, pl->kop));

    dims d = make_dims(pb, pl);
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    uint64_t units = (uint64_t)d.nt[split] * pb->batch;
    uint32_t live = live_tiles(pl, &d);
    g.tpp = (uint32_t)util_ceil_div(d.nt[2], g.S);
    /* the K tiles in the order they are emitted: ascending, or with split-K (k innermost) the
     * parts interleaved, j-th tile of every part in turn, so that every part's MXU starts at
     * once (note 5) */
    uint32_t *korder = malloc((size_t)d.nt[2] * sizeof *korder);
    if (!korder)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory building the program", p->name);
    uint32_t nk = 0;
    for (uint32_t j = 0; j < g.tpp; j++)
        for (uint32_t q = 0; q < g.S; q++)
            if (q * g.tpp + j < util_min(d.nt[2], (q + 1) * g.tpp))
                korder[nk++] = q * g.tpp + j;   /* S = 1: q = 0, tpp = nt: ascending */
    if (px) {
        px->cut = false;
        px->first_end = px->prefix_end = 0;
        px->first_macs = px->prefix_macs = 0;
    }
    for (unsigned core = 0; core < t->cores; core++) {
        uint64_t u0 = units * core / t->cores, u1 = units * (core + 1) / t->cores;
        uint32_t core_ins0 = p->n_ins;
        bool stop = false;
        g.macs = 0;
        g.a_next = g.o_next = g.acc_next = 0;
        g.a_loaded_b = g.a_loaded_m = g.a_loaded_k = -1;
        const bool busiest = core == t->cores - 1;   /* the split deals the last core the most units */
        if (px && busiest) {
            px->start = core_ins0;
            px->total_macs = (uint64_t)((double)pb->batch * pb->m * pb->n * pb->k * (double)(u1 - u0) / (double)units);
        }
        for (uint64_t u = u0; u < u1 && !stop; u++) {
            uint32_t b = (uint32_t)(u / d.nt[split]), s = (uint32_t)(u % d.nt[split]);
            uint32_t idx[3];
            idx[split] = s;
            /* live-set base: the acc slot set used for this unit's tiles */
            for (uint32_t i0 = 0; i0 < d.nt[inner[0]] && !stop; i0++) {
                idx[inner[0]] = i0;
                uint32_t set = g.acc_next;
                if (inner[0] != 2)          /* k innermost: one live tile per i0 */
                    g.acc_next = (g.acc_next + 1) % g.bufs;
                for (uint32_t i1 = 0; i1 < d.nt[inner[1]] && !stop; i1++) {
                    idx[inner[1]] = inner[1] == 2 ? korder[i1] : i1;
                    uint64_t base;
                    if (inner[0] == 2)      /* k outside the x loop: tile i1 of the live set */
                        base = ((uint64_t)set * live + i1) * g.acc_slot_rows;
                    else
                        base = (uint64_t)set * g.acc_slot_rows;
                    emit_step(&g, core, b, idx[0], idx[1], idx[2], base);
                    bool out = (inner[1] == 2 ? i1 : idx[2]) == d.nt[2] - 1;   /* its last K tile */
                    if (out)
                        emit_out(&g, core, b, idx[0], idx[1], base);
                    /* a prefix ends with an output tile's epilogue, or with any step once it is
                     * 8 caps long (one output tile may be the whole problem) */
                    uint32_t len = p->n_ins - core_ins0;
                    if (px && busiest && !px->first_end && (out || (px->cap && len >= 8 * px->cap))) {
                        px->first_end = p->n_ins;
                        px->first_macs = g.macs;
                    }
                    if (px && px->cap && ((out && len >= px->cap) || len >= 8 * px->cap))
                        stop = true;
                }
                if (inner[0] == 2 && i0 == d.nt[2] - 1)
                    g.acc_next = (g.acc_next + 1) % g.bufs;
            }
        }
        if (px && busiest) {
            px->cut = stop && g.macs < px->total_macs;
            px->prefix_end = p->n_ins;
            px->prefix_macs = g.macs;
        }
    }
    free(korder);
    if (p->oom || g.ta < 0 || g.tb < 0 || g.tc < 0)
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory building the program", p->name);
    return TP_OK;
}
