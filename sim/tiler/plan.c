/* The tiler's plans: tile and order parsing, tiler_plan_try (the footprints of tiler.h and
 * docs/tiler.md, checked against the machine, with a refusal code per check) and the analytic
 * estimate. The program these footprints describe is laid out in gen.c (its design notes).
 *
 * The estimate is estimate.c's (tiler_plan_try calls it after tiler_plan_fit); it only ranks
 * candidates for the search (search.c); the choice is made on simulated cycles.
 */
#include "tiler/tiler.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/units.h"
#include "tiler/loops.h"
#include "tiler/tiler_int.h"

int tiler_parse_tile(const char *s, uint32_t *tm, uint32_t *tn, uint32_t *tk)
{
    return gemm_parse_tile(s, tm, tn, tk);
}

int tiler_parse_order(const char *s, char out[4])
{
    return gemm_parse_order(s, out);
}

bool tiler_refusal_of_tile(tiler_refusal r)
{
    switch (r) {
    case TILER_REFUSE_TILE_ZERO:
    case TILER_REFUSE_K_MULTIPLE:
    case TILER_REFUSE_SPLIT_K_TILES:
    case TILER_REFUSE_SPLIT_K_EMPTY:
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

void tiler_is_view(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_plan *pl, tp_tpu_cfg *tv,
                   gemm_problem *pv, tiler_plan *lv)
{
    *tv = *t;
    *pv = *pb;
    *lv = *pl;
    if (t->array.dataflow != TP_DF_IS)
        return;
    tv->array.dataflow = TP_DF_WS;
    pv->m = pb->n;
    pv->n = pb->m;
    pv->transpose_a = !pb->transpose_b;
    pv->transpose_b = !pb->transpose_a;
    lv->tm = pl->tn;
    lv->tn = pl->tm;
    for (int i = 0; i < 3; i++)
        lv->order[i] = pl->order[i] == 'm' ? 'n' : pl->order[i] == 'n' ? 'm' : pl->order[i];
}

static tp_status plan_fit(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                          const char *tile, bool swapped, tp_err *err);

tp_status tiler_plan_try(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                         tp_err *err)
{
    tp_status st = tiler_plan_fit(t, pb, pl, why, err);
    if (st == TP_OK)
        pl->est_cycles = tiler_estimate(t, pb, pl);
    return st;
}

tp_status tiler_plan_fit(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                         tp_err *err)
{
    char tile[64] = "";
    if (err)   /* only a message names it */
        snprintf(tile, sizeof tile, "--tile %ux%ux%u", pl->tm, pl->tn, pl->tk);
    if (t->array.dataflow != TP_DF_IS)
        return plan_fit(t, pb, pl, why, tile, false, err);
    /* is: the ws plan of C^T = B^T A^T (gen.c note 7), reported in the problem's own terms */
    tp_tpu_cfg tv;
    gemm_problem pv;
    tiler_plan lv;
    if (memchr(pl->order, 0, sizeof pl->order) == NULL) {
        if (why)
            *why = TILER_REFUSE_ORDER;
        return tp_err_set(err, TP_ERR_USAGE, "--order: expected a permutation of m, n, k");
    }
    tiler_is_view(t, pb, pl, &tv, &pv, &lv);
    tp_status st = plan_fit(&tv, &pv, &lv, why, tile, true, err);
    tiler_plan back = lv;
    back.tm = lv.tn;
    back.tn = lv.tm;
    memcpy(back.order, pl->order, sizeof back.order);
    *pl = back;
    return st;
}

static tp_status plan_fit(const tp_tpu_cfg *t, const gemm_problem *pb, tiler_plan *pl, tiler_refusal *why,
                          const char *tile, bool swapped, tp_err *err)
{
    if (why)
        *why = TILER_FITS;
    const uint32_t R = t->array.rows, C = t->array.cols, U = t->mxus_per_core;
    const tp_dataflow df = t->array.dataflow;
    const uint32_t depth = t->wbuf.depth_tiles ? t->wbuf.depth_tiles : 1;
    if (!pl->tm || !pl->tn || !pl->tk)
        return refuse(why, TILER_REFUSE_TILE_ZERO, err, "%s: tile sizes must be at least 1", tile);
    char order[4];
    if (memchr(pl->order, 0, sizeof pl->order) == NULL || tiler_parse_order(pl->order, order))
        return refuse(why, TILER_REFUSE_ORDER, err, "--order: expected a permutation of m, n, k");
    if ((uint64_t)pb->batch * util_max(pb->m, util_max(pb->n, pb->k)) > UINT32_MAX)
        return refuse(why, TILER_REFUSE_BATCH, err, "--batch %u: batch x %u rows exceeds 2^32 rows", pb->batch,
                          (uint32_t)util_max(pb->m, util_max(pb->n, pb->k)));
    pl->tm = (uint32_t)util_min(pl->tm, pb->m);
    pl->tn = (uint32_t)util_min(pl->tn, pb->n);
    pl->tk = (uint32_t)util_min(pl->tk, pb->k);

    /* per-op limits */
    if (df == TP_DF_OS) {
        uint32_t half = pl->double_buffer && depth >= 2 ? depth / 2 : depth;
        pl->kop = (uint32_t)util_min(pb->k, (uint64_t)R * half);
        pl->mop = R;
    } else {
        pl->kop = (uint32_t)util_min(pb->k, R);
        pl->mop = df == TP_DF_IS ? C : pl->tm;
    }
    pl->nop = C;
    pl->kc = df == TP_DF_OS ? pl->tk : pl->kop;   /* os: a K tile is one chain (gen.c note 3) */
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
    pl->cores_used = (uint32_t)util_min(t->cores, units);
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
        /* parts are ceil(nt / S) K tiles each but the last (gen.c's tpp, the reference's
         * k_part), so some nt leave the last parts with nothing: 4 tiles in 3 parts are 2, 2, 0 */
        uint32_t tpp = (uint32_t)util_ceil_div(d.nt[2], S), filled = (uint32_t)util_ceil_div(d.nt[2], tpp);
        if (filled < S)
            return refuse(why, TILER_REFUSE_SPLIT_K_EMPTY, err,
                          "%s: --split-k %u cuts the %u K tiles of K = %u into parts of %u, so %u of the %u parts "
                          "would be empty", tile, S, d.nt[2], pb->k, tpp, S - filled, S);
    }
    pl->k_part = (uint32_t)util_min(pb->k, util_ceil_div(d.nt[2], S) * pl->tk);
    uint32_t groups = (uint32_t)util_ceil_div(pl->tn, C);
    /* M split (gen.c note 2): too few column groups for the MXUs: the rows are cut into parts,
     * whole op chunks each (os: array rows), one part per MXU */
    uint32_t gran = df == TP_DF_OS ? pl->mop : 1, chunks = (uint32_t)util_ceil_div(pl->tm, gran);
    pl->m_split = S == 1 && groups < U ? (uint32_t)util_min(U / groups, chunks) : 1;
    pl->m_part = (uint32_t)util_ceil_div(chunks, pl->m_split) * gran;
    pl->m_split = (uint32_t)util_ceil_div(pl->tm, pl->m_part);
    uint32_t items = groups * S * pl->m_split;                  /* (group, part, rows) triples */
    pl->mxus_used = (uint32_t)util_min(U, items) * pl->cores_used;
    uint32_t gpm = (uint32_t)util_ceil_div(items, util_min(U, items));      /* items per MXU */
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
                          "%s: accumulators need %llu rows per MXU for %u output tile(s) of %u x %u%s%s but have %llu (%llu over)",
                          tile, (unsigned long long)pl->acc_rows, pl->acc_slots / bufs, swapped ? pl->tn : pl->tm,
                          swapped ? pl->tm : pl->tn, swapped ? " (held as C^T)" : "",
                          bufs == 2 ? " (double-buffered)" : "", (unsigned long long)t->acc.entries,
                          (unsigned long long)(pl->acc_rows - t->acc.entries));

    /* unified buffer (per core) */
    pl->a_panel = false;
    uint64_t a_bytes = (uint64_t)tiler_a_slots(pl) * pl->tm * pl->tk * dtype_in_bytes(pb->dtype);
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
        units_fmt_bytes(pl->ub_bytes, true, need, sizeof need);
        units_fmt_bytes(t->ub.size_bytes, true, have, sizeof have);
        units_fmt_bytes(pl->ub_bytes - t->ub.size_bytes, true, over, sizeof over);
        return refuse(why, TILER_REFUSE_UB, err,
                          "%s: unified buffer needs %s for A and output tiles%s%s but has %s (%s over)", tile,
                          need, bufs == 2 ? " (double-buffered)" : "", S > 1 ? " and split-K sums" : "", have, over);
    }
    /* program length, bounded before anything is built: per step an A load, and per column
     * group and m-chunk the weight loads and matmuls; per output tile the activates and a store */
    uint64_t kch = util_ceil_div(pl->tk, pl->kop), mch = util_ceil_div(pl->m_part, pl->mop) * pl->m_split;
    uint32_t rep_max = (uint32_t)util_max(1, (pl->double_buffer && depth >= 2 ? depth / 2 : depth) / slots);
    uint64_t tiles = (uint64_t)pb->batch * d.nt[0] * d.nt[1];
    uint64_t steps = tiles * d.nt[2];
    pl->instructions = steps * (1 + groups * mch * (kch + util_ceil_div(kch, rep_max) + 1)) +
                       tiles * (groups * (pl->m_split + (uint64_t)(S - 1)) + 1);
    if (pl->instructions > TILER_MAX_INSTRUCTIONS)
        return refuse(why, TILER_REFUSE_TOO_LONG, err,
                          "%s: gemm %ux%ux%u%s needs about %llu instructions, over the limit of %u "
                          "(larger tiles or a smaller problem)", tile, pb->m, pb->n, pb->k,
                          pb->batch > 1 ? " (batched)" : "", (unsigned long long)pl->instructions,
                          TILER_MAX_INSTRUCTIONS);
    pl->est_cycles = 0;
    return TP_OK;
}
