/* The tiler's estimate: the cycles a derived plan's program should take, so the search
 * (search.c) can rank candidates before simulating the best of them.
 *
 * The estimate simulates a prefix of the plan's real program (tiler_generate_prefix: each
 * core's stream cut at a step boundary past TILER_EST_CAP instructions, or the search's smaller
 * share of its budget) timing-only on the real
 * machine, so every mechanism the simulation charges (DRAM bursts and channels, latency, the
 * DMA engines and their queues, the UB ports, the MXU's closed form with its chains and skewed
 * shifts, the weight FIFO, the vector unit, split-K's sums, the issuer) is the machine's own,
 * with nothing restated here. A program the cap does not cut is simulated whole: the estimate
 * is then exactly its cycles. Otherwise the rest of the last core's stream (the core the split
 * deals the most units) is extrapolated at the rate of the prefix past its first step, per MAC:
 *     est = c_prefix + (c_prefix - c_first) / (macs_prefix - macs_first) * (macs_total - macs_prefix)
 * where c_first and c_prefix are the cycles by which that core's first output tile and its prefix
 * have ended. A prefix that is the first output tile alone has no stretch past it; its rate is
 * then the MXU's span, (last matmul's end - first matmul's start) / macs_prefix, which leaves
 * out the start-up a long program pays once (the first tiles crossing the memory's latency).
 * tiler_est_ctx keeps one machine for a search's estimates and a memo of the prefixes run. tiler_estimate_bound is an O(1) lower bound that orders and prunes the candidates, and
 * tiler_sim_cost what simulating a plan costs, which sizes the search's slice.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tiler/loops.h"
#include "tiler/tiler.h"
#include "tiler/tiler_int.h"
#include "tpu/isa.h"
#include "tpu/machine.h"
#include "tpu/mxu.h"

/* Steady cost per op of a stream of identical ops (operands and weights ready), from the
 * array's closed form: the third op's stream end less the second's. */
static uint64_t steady(const mxu_params *mp, uint32_t m, uint32_t n, uint32_t k)
{
    mxu_op op = {m, n, k, false, false};
    mxu_state st;
    mxu_timing t1, t2, t3;
    mxu_state_init(&st);
    mxu_time_op2(mp, &st, &op, 0, 0, &t1);
    mxu_time_op2(mp, &st, &op, 0, 0, &t2);
    mxu_time_op2(mp, &st, &op, 0, 0, &t3);
    return t3.stream_end - t2.stream_end;
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

uint64_t tiler_estimate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    return tiler_estimate_cap(t, pb, pl, TILER_EST_CAP);
}

uint64_t tiler_estimate_cap(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, uint32_t cap)
{
    tiler_est_ctx *x = NULL;
    uint64_t est = UINT64_MAX;
    if (tiler_est_ctx_new(t, &x) == TP_OK)
        est = tiler_estimate_in(x, pb, pl, cap, NULL, NULL);
    tiler_est_ctx_free(x);
    return est;
}

uint64_t tiler_prog_hash(const isa_program *q, uint32_t from, uint32_t to)
{
    uint64_t h = 1469598103934665603ull ^ (to - from);
    const unsigned char *b = (const unsigned char *)(q->ins + from);
    size_t len = (size_t)(to - from) * sizeof *q->ins, i = 0;
    for (; i + 8 <= len; i += 8) {   /* 8 bytes at a time (FNV-1a over words) */
        uint64_t v;
        memcpy(&v, b + i, 8);
        h = (h ^ v) * 1099511628211ull;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* The estimates of one search (tiler_int.h): one machine loaded with every prefix in turn, and
 * the estimates made so far by a hash of the prefix and its boundaries, in an open-addressed
 * table (key 0 = empty). */
struct tiler_est_ctx {
    tp_config cfg;
    machine *mc;
    uint64_t *key, *val;
    uint64_t *xhash;             /* per entry: the program's hash when the estimate is exact, else 0 */
    bool *exact;
    size_t n, cap;               /* entries used, slots (a power of two) */
    uint64_t ins;                /* instructions simulated */
    uint64_t runs, reused;       /* prefixes simulated, estimates taken from the table */
};

tp_status tiler_est_ctx_new(const tp_tpu_cfg *t, tiler_est_ctx **out)
{
    tiler_est_ctx *x = calloc(1, sizeof *x);
    *out = x;
    if (!x)
        return TP_ERR_NOMEM;
    x->cfg.tpu = *t;
    snprintf(x->cfg.name, sizeof x->cfg.name, "%s", t->name);
    return machine_new(&x->cfg, MACHINE_FAST, &x->mc, NULL);
}

void tiler_est_ctx_free(tiler_est_ctx *x)
{
    if (!x)
        return;
    machine_free(x->mc);
    free(x->key);
    free(x->val);
    free(x->xhash);
    free(x->exact);
    free(x);
}

uint64_t tiler_est_ctx_instructions(const tiler_est_ctx *x)
{
    return x->ins;
}

/* The slot of key in x's table: where it is, or the empty slot where it goes. */
static size_t memo_slot(const tiler_est_ctx *x, uint64_t key)
{
    size_t i = (size_t)(key ^ (key >> 32)) & (x->cap - 1);
    while (x->key[i] && x->key[i] != key)
        i = (i + 1) & (x->cap - 1);
    return i;
}

/* Records key -> (est, exact, xhash); a table that cannot grow only forgets (the estimate
 * stands). */
static void memo_put(tiler_est_ctx *x, uint64_t key, uint64_t est, bool exact, uint64_t xhash)
{
    if (2 * (x->n + 1) > x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 256;
        uint64_t *k = calloc(cap, sizeof *k), *v = calloc(cap, sizeof *v), *h = calloc(cap, sizeof *h);
        bool *e = calloc(cap, sizeof *e);
        if (!k || !v || !h || !e) {
            free(k);
            free(v);
            free(h);
            free(e);
            return;
        }
        tiler_est_ctx old = *x;
        x->key = k;
        x->val = v;
        x->xhash = h;
        x->exact = e;
        x->cap = cap;
        for (size_t i = 0; i < old.cap; i++)
            if (old.key[i]) {
                size_t j = memo_slot(x, old.key[i]);
                x->key[j] = old.key[i];
                x->val[j] = old.val[i];
                x->xhash[j] = old.xhash[i];
                x->exact[j] = old.exact[i];
            }
        free(old.key);
        free(old.val);
        free(old.xhash);
        free(old.exact);
    }
    size_t j = memo_slot(x, key);
    if (!x->key[j])
        x->n++;
    x->key[j] = key;
    x->val[j] = est;
    x->xhash[j] = xhash;
    x->exact[j] = exact;
}

/* Whether key is in x's table, with its estimate. */
static bool memo_get(const tiler_est_ctx *x, uint64_t key, uint64_t *est, bool *exact, uint64_t *xhash)
{
    if (!x->cap)
        return false;
    size_t j = memo_slot(x, key);
    if (!x->key[j])
        return false;
    *est = x->val[j];
    *exact = x->exact[j];
    *xhash = x->xhash[j];
    return true;
}

void tiler_estimate_rec(tiler_est_ctx *x, const gemm_problem *pb, const tiler_plan *pl, uint32_t cap,
                        tiler_est_rec *rec)
{
    const tp_tpu_cfg *t = &x->cfg.tpu;
    tiler_prefix px = {.cap = cap};
    isa_program p;
    memset(rec, 0, sizeof *rec);
    rec->est = UINT64_MAX;
    if (!x->mc)
        return;
    if (tiler_generate_prefix(t, pb, pl, &px, &p, NULL) != TP_OK) {
        isa_free(&p);
        return;
    }
    /* the same prefix with the same boundaries has the same estimate */
    uint64_t ph = tiler_prog_hash(&p, 0, p.n_ins), key = ph;
    const uint64_t parts[] = {px.cut, px.start, px.first_end, px.prefix_end, px.first_macs, px.prefix_macs,
                              px.total_macs};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        key = (key ^ parts[i]) * 1099511628211ull;
    rec->key = key ? key : 1;
    if (memo_get(x, rec->key, &rec->est, &rec->exact, &rec->xhash)) {
        x->reused++;
        rec->from_memo = true;
        isa_free(&p);
        return;
    }
    rec->n_ins = p.n_ins;
    machine *m = x->mc;
    if (machine_load(m, &p, NULL) == TP_OK) {
        machine_set_timing_only(m, true);
        rec->loaded = true;
        x->runs++;
        x->ins += p.n_ins;
        if (machine_run(m, NULL) == TP_OK) {
            const tp_stats *st = machine_stats(m);
            uint64_t est = st->cycles;
            if (px.cut) {
                uint64_t c_first = 0, c_pre = 0, s, e, mm_start = UINT64_MAX;
                for (uint32_t i = px.start; i < px.prefix_end; i++)
                    if (machine_instr_times(m, i, &s, &e, NULL) == TP_OK) {
                        c_pre = util_max(c_pre, e);
                        if (i < px.first_end)
                            c_first = util_max(c_first, e);
                        if (p.ins[i].op == ISA_MATMUL)
                            mm_start = util_min(mm_start, s);
                    }
                uint64_t dm = px.prefix_macs > px.first_macs ? px.prefix_macs - px.first_macs : px.prefix_macs;
                uint64_t dc = px.prefix_macs > px.first_macs ? c_pre - util_min(c_pre, c_first)
                              : c_pre - util_min(c_pre, mm_start);
                double rate = dm ? (double)dc / (double)dm : 0.0;
                double rest = (double)(px.total_macs > px.prefix_macs ? px.total_macs - px.prefix_macs : 0);
                est = c_pre + (uint64_t)(rate * rest);
            }
            rec->ran = true;
            rec->est = est;
            rec->exact = !px.cut;
            rec->xhash = rec->exact ? ph : 0;
            memo_put(x, rec->key, est, rec->exact, rec->xhash);
        }
    }
    isa_free(&p);
}

uint64_t tiler_estimate_in(tiler_est_ctx *x, const gemm_problem *pb, const tiler_plan *pl, uint32_t cap, bool *exact,
                           uint64_t *xhash)
{
    tiler_est_rec r;
    tiler_estimate_rec(x, pb, pl, cap, &r);
    if (exact)
        *exact = r.exact;
    if (xhash)
        *xhash = r.xhash;
    return r.est;
}

bool tiler_est_ctx_take(tiler_est_ctx *x, const tiler_est_rec *r, uint64_t *est, bool *exact, uint64_t *xhash)
{
    uint64_t h_ = 0, *h = xhash ? xhash : &h_;
    *est = UINT64_MAX;
    *exact = false;
    *h = 0;
    if (!x->mc || !r->key)
        return true;   /* as tiler_estimate_in: no machine, or no prefix */
    if (memo_get(x, r->key, est, exact, h)) {
        x->reused++;
        return true;
    }
    if (r->from_memo)
        return false;   /* met again in the other context; what running it costs is not in r */
    if (!r->loaded)
        return true;
    x->runs++;
    x->ins += r->n_ins;
    if (!r->ran)
        return true;
    memo_put(x, r->key, r->est, r->exact, r->xhash);
    *est = r->est;
    *exact = r->exact;
    *h = r->xhash;
    return true;
}

static uint64_t bound(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl);

uint64_t tiler_estimate_bound(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
{
    if (t->array.dataflow != TP_DF_IS)
        return bound(t, pb, pl);
    tp_tpu_cfg tv;   /* is: the ws plan of C^T (gen.c note 7) */
    gemm_problem pv;
    tiler_plan lv;
    tiler_is_view(t, pb, pl, &tv, &pv, &lv);
    return bound(&tv, &pv, &lv);
}

static uint64_t bound(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl)
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
    const uint32_t m_split = pl->m_split ? pl->m_split : 1;
    const uint32_t items = groups * S * m_split, umx = (uint32_t)util_min(U, items);
    const uint32_t gpm = (uint32_t)util_ceil_div(items, umx);
    const bool os = df == TP_DF_OS;
    /* the ops: row chunks of the row parts; os: a K tile is one chain (gen.c note 3) */
    pieces pm = cut(pb->m, pl->tm, (uint32_t)util_min(pl->m_part ? pl->m_part : pl->tm, pl->mop));
    pieces pk = cut(pb->k, pl->tk, os ? pl->tk : pl->kop);
    pieces pn = cut(pb->n, pl->tn, C);
    double nm = (double)pieces_count(&pm) * pb->batch, nn = (double)pieces_count(&pn);
    /* each op costs at least its steady cost in a stream of its kind (mxu_time_op2: the
     * stream, or the weight shift where it is longer), and at least its share of the weight
     * FIFO's round trip: a tile's slot frees when its op starts and the next loadw takes the
     * DMA setup, the memory's latency and the transfer (D tiles deep) */
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
                double per = (double)steady(&mp, pm.size[i], n, pk.size[j]);
                double fifo = rt / D * (os ? (double)util_ceil_div(pk.size[j], pl->kop) : 1.0);
                cyc += cnt * (per > fifo ? per : fifo);
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
    if (t->array.dataflow == TP_DF_IS) {   /* the ws plan of C^T (gen.c note 7) */
        tp_tpu_cfg tv;
        gemm_problem pv;
        tiler_plan lv;
        tiler_is_view(t, pb, pl, &tv, &pv, &lv);
        return tiler_sim_cost(&tv, &pv, &lv);
    }
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
