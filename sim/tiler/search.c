/* The tiling search, the only part of the tiler that runs the machine: candidates that fit
 * (tiler_plan_fit) are estimated (estimate.c) in the order of a lower bound, ranked, the best
 * distinct programs are generated (gen.c) and simulated timing-only on the whole problem or a
 * slice of it, and the fewest simulated cycles win (docs/tiler.md "The search").
 * tiler_search_exhaustive simulates every candidate instead (the search's check).
 * When nothing fits, the message names what ruled the tiles out, chosen by refusal code
 * (tiler.h): the user's own tile, or their other choices, or the program length.
 */
#include "tiler/tiler.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tiler/loops.h"
#include "tiler/tiler_int.h"
#include "tpu/machine.h"

/* How many programs the search simulates at most, how many of them are simply the best by
 * estimate (the rest: the best-estimated of each loop order, buffering and split not yet
 * among them), how many of each it always simulates, and the instruction-equivalents it may
 * simulate in all (tiler_sim_cost; about a microsecond each on the fast engine): past the
 * minimum, picks are added while they fit the budget; when even the minimum does not, the
 * candidates run on a slice. */
#define SEARCH_SIMULATE 96
#define SEARCH_TOP 64
#define SEARCH_MIN_TOP 12
#define SEARCH_MIN_CLASS 12
#define SEARCH_SLICE_PAST 8
#define SEARCH_BUDGET_INS 60000u
/* Tile sizes per dimension at most. */
#define SIZES_MAX 48

/* Estimates that differ by less than about 0.05% rank as equal (an estimate is no finer than
 * that), and then the shorter program goes first. */
static uint64_t est_rank(uint64_t est)
{
    return est ? (uint64_t)(log((double)est) / log(1.0005)) : 0;
}

/* By estimate alone (the refinement's order, estimate_all). */
static int cmp_est_only(const void *x, const void *y)
{
    const tiler_candidate *a = x, *b = y;
    if (a->pruned != b->pruned)
        return a->pruned ? 1 : -1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->plan.instructions != b->plan.instructions)   /* fewer instructions first: bigger tiles */
        return a->plan.instructions < b->plan.instructions ? -1 : 1;
    if (a->plan.est_cycles != b->plan.est_cycles)
        return a->plan.est_cycles < b->plan.est_cycles ? -1 : 1;
    uint64_t va = (uint64_t)a->plan.tm * a->plan.tn * a->plan.tk, vb = (uint64_t)b->plan.tm * b->plan.tn * b->plan.tk;
    if (va != vb)
        return va > vb ? -1 : 1;
    int o = strcmp(a->plan.order, b->plan.order);
    if (o)
        return o;
    if (a->plan.double_buffer != b->plan.double_buffer)
        return a->plan.double_buffer ? -1 : 1;
    return a->plan.split_k < b->plan.split_k ? -1 : a->plan.split_k > b->plan.split_k;
}

/* Sorts the n candidates at c with cmp (cmp_est_only or cmp_est), their ranks set first: a log per
 * candidate, not two per comparison. */
static void sort_est(tiler_candidate *c, size_t n, int (*cmp)(const void *, const void *))
{
    for (size_t i = 0; i < n; i++)
        c[i].rank = est_rank(c[i].plan.est_cycles);
    qsort(c, n, sizeof *c, cmp);
}

/* The search's ranking: the candidates estimated long first (a long estimate is not comparable
 * with a short one), each group by estimate. */
static int cmp_est(const void *x, const void *y)
{
    const tiler_candidate *a = x, *b = y;
    bool la = !a->pruned && (a->est_long || a->est_exact), lb = !b->pruned && (b->est_long || b->est_exact);
    if (la != lb)
        return la ? -1 : 1;
    return cmp_est_only(x, y);
}

static int cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void add_size(uint32_t *out, uint32_t *n, uint32_t v, uint32_t ext)
{
    if (v == 0 || v > ext || *n >= SIZES_MAX)
        return;
    for (uint32_t i = 0; i < *n; i++)
        if (out[i] == v)
            return;
    out[(*n)++] = v;
}

/* Candidate sizes for one dimension of extent ext whose hardware quantum is q (the array's
 * columns for N, the op's k for K, the op's rows for M with os and is; 8 rows for ws):
 *  - the balanced sizes ceil(ext / j) for j = 1 .. 8, rounded up to a multiple of q: j tiles
 *    with the ragged part spread evenly (a divisor of ext when one is a multiple of q), so no
 *    tile is mostly padding; j = 1 is the extent itself,
 *  - q times powers of two (the array's multiples),
 *  - with `tiny`, powers of two from 1 as well (small buffers need tiny tiles; the search
 *    tries them only when nothing else fits). */
static uint32_t sizes(uint32_t ext, uint32_t q, bool tiny, uint32_t fixed, uint32_t *out)
{
    uint32_t n = 0;
    if (fixed) {
        out[n++] = (uint32_t)util_min(fixed, ext);
        return n;
    }
    q = q ? q : 1;
    add_size(out, &n, ext, ext);
    for (uint64_t j = 2; j <= 8; j++) {
        uint64_t v = util_ceil_div(ext, j);
        v = util_ceil_div(v, q) * q;
        add_size(out, &n, (uint32_t)util_min(v, ext), ext);
    }
    for (uint64_t v = tiny ? 1 : q; v < ext; v *= 2)
        add_size(out, &n, (uint32_t)v, ext);
    qsort(out, n, sizeof *out, cmp_u32);
    return n;
}

typedef struct {
    tiler_candidate *c;
    size_t n, cap;
} cand_list;

static bool cand_push(cand_list *l, const tiler_plan *pl)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        tiler_candidate *c = realloc(l->c, cap * sizeof *c);
        if (!c)
            return false;
        l->c = c;
        l->cap = cap;
    }
    memset(&l->c[l->n], 0, sizeof l->c[l->n]);
    l->c[l->n++].plan = *pl;
    return true;
}

/* Every plan of the search space that fits, in no particular order: tile sizes (sizes()),
 * the six loop orders, double buffering on and off, split-K 1 .. the core's MXUs (k innermost
 * only), each unless opts fixes it. When nothing fits, err says why (the largest tiling's
 * refusal, or the user's choices that rule every tile out). */
static tp_status enumerate_tier(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_opts *opts, bool tiny,
                                cand_list *out, tp_err *err)
{
    const uint32_t R = t->array.rows, C = t->array.cols;
    const tp_dataflow df = t->array.dataflow;
    uint32_t ms[SIZES_MAX], ns[SIZES_MAX], ks[SIZES_MAX];
    uint32_t qm = df == TP_DF_OS ? R : df == TP_DF_IS ? C : 8;
    uint32_t nm = sizes(pb->m, qm, tiny, opts->tm, ms);
    uint32_t nn = sizes(pb->n, C, tiny, opts->tn, ns);
    uint32_t nk = sizes(pb->k, R, false, opts->tk, ks);
    static const char *const orders_auto[] = {"mnk", "nmk", "mkn", "nkm", "kmn", "knm"};
    const char *orders_one[1] = {opts->order};
    const char *const *orders = opts->order[0] ? orders_one : orders_auto;
    uint32_t n_orders = opts->order[0] ? 1 : 6;
    int dbs[2], n_db = 0;
    if (opts->double_buffer >= 0)
        dbs[n_db++] = opts->double_buffer;
    else {
        dbs[n_db++] = 1;
        dbs[n_db++] = 0;
    }
    uint32_t s_lo = 1, s_hi = 1;
    if (opts->split_k > 1)
        s_lo = s_hi = opts->split_k;
    else if (opts->split_k == 0)
        s_hi = (uint32_t)util_min(t->mxus_per_core, TILER_MAX_SPLIT_K);
    out->n = 0;
    tp_err first = {0};
    tiler_refusal first_why = TILER_FITS;
    bool have_first = false;
    uint64_t first_vol = 0;
    bool too_long = false;
    for (uint32_t o = 0; o < n_orders; o++)
        for (uint32_t sk = s_lo; sk <= s_hi; sk++) {
            if (sk > 1 && orders[o][2] != 'k' && opts->split_k <= 1)
                continue;   /* split-K needs k innermost: only searched where it can run */
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
                            pl.split_k = sk;
                            /* a split-K that finds no free MXU only adds the sums: not searched */
                            if (sk > 1 && opts->split_k <= 1 &&
                                util_ceil_div(pl.tn, C) * sk > util_max(t->mxus_per_core, util_ceil_div(pl.tn, C)))
                                continue;
                            tp_err e = {0};
                            tiler_refusal why;
                            uint64_t vol = (uint64_t)pl.tm * pl.tn * pl.tk;
                            /* keep the reason of the largest tiling tried (unsplit first); the
                             * others' messages are not even formatted (most candidates refuse) */
                            bool keep = !have_first || (sk == s_lo && vol > first_vol);
                            if (tiler_plan_fit(t, pb, &pl, &why, keep ? &e : NULL) != TP_OK) {
                                too_long |= why == TILER_REFUSE_TOO_LONG;
                                if (keep) {
                                    first = e;
                                    first_why = why;
                                    first_vol = vol;
                                    have_first = true;
                                }
                                continue;
                            }
                            if (!cand_push(out, &pl))
                                return tp_err_set(err, TP_ERR_NOMEM, "out of memory in the tiling search");
                        }
        }
    if (out->n)
        return TP_OK;
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

static int cmp_bound(const void *x, const void *y)
{
    const tiler_candidate *a = x, *b = y;
    return a->cycles < b->cycles ? -1 : a->cycles > b->cycles;
}

/* Estimates the candidates in the order of their lower bounds (tiler_estimate_bound); once a
 * bound exceeds SEARCH_PRUNE times the best estimate so far, no later candidate can rank near
 * the top, so the rest keep their bound as their estimate and rank after every estimated one;
 * so do all but the SEARCH_MAX_ESTIMATES lowest bounds (an estimate costs a simulation). An
 * estimate simulates a prefix of the candidate's program (estimate.c): the prefixes share a
 * budget of SEARCH_EST_BUDGET instructions, each at least EST_MIN_CAP and at most
 * TILER_EST_CAP (a program shorter than its prefix is simulated whole, exactly). */
#define SEARCH_PRUNE 1.5
#define SEARCH_EST_BUDGET 100000u
#define EST_MIN_CAP 32u
#define SEARCH_REFINE 48u   /* the best estimates estimated again on longer prefixes */
#define SEARCH_REFINE_BUDGET 150000u   /* instructions those may simulate past the first round */
#define SEARCH_MAX_ESTIMATES 1200u   /* at most this many estimated, the lowest bounds first */

/* Runs fn(arg) on `threads` threads, the caller one of them (at most 16; fewer if some cannot
 * start: fn takes its work from a shared counter, so the results are the same). */
static void run_on_threads(void *(*fn)(void *), void *arg, int threads)
{
    pthread_t th[16];
    size_t nt = threads > 1 ? (size_t)threads : 1, started = 0;
    if (nt > sizeof th / sizeof *th)
        nt = sizeof th / sizeof *th;
    for (; started + 1 < nt; started++)
        if (pthread_create(&th[started], NULL, fn, arg) != 0)
            break;
    fn(arg);
    for (size_t k = 0; k < started; k++)
        pthread_join(th[k], NULL);
}

/* The first round's estimates on threads (estimate_all): each thread takes the next candidate
 * in bound order and estimates it in a context of its own, until the next one is surely pruned:
 * its bound exceeds SEARCH_PRUNE times the best estimate finished so far (all of them below it,
 * as candidates are taken in order), which the best of all below it can only lower. What a
 * thread estimated past the sequential round's last candidate is dropped; the rest is taken into
 * the search's context in order (tiler_est_ctx_take), so the estimates, the table and the
 * instruction count are the sequential round's, whatever the threads did. */
#define EST_THREADS_MIN 16u   /* fewer candidates than this: one thread */

typedef struct {
    const tp_tpu_cfg *t;
    const gemm_problem *pb;
    const cand_list *l;
    size_t lim;
    uint32_t cap;
    tiler_est_rec *rec;
    bool *done;
    pthread_mutex_t mu;
    size_t next;
    uint64_t best;      /* the best estimate finished */
    bool stop;
} est_pool;

static void *est_worker(void *arg)
{
    est_pool *ep = arg;
    tiler_est_ctx *x = NULL;
    if (tiler_est_ctx_new(ep->t, &x) != TP_OK) {
        tiler_est_ctx_free(x);
        return NULL;   /* the others, or the search's own context, estimate its share */
    }
    for (;;) {
        pthread_mutex_lock(&ep->mu);
        size_t i = ep->next;
        if (!ep->stop && i < ep->lim) {
            if (ep->best != UINT64_MAX && (double)ep->l->c[i].cycles > SEARCH_PRUNE * (double)ep->best)
                ep->stop = true;
            else
                ep->next++;
        }
        bool go = !ep->stop && i < ep->lim;
        pthread_mutex_unlock(&ep->mu);
        if (!go)
            break;
        tiler_estimate_rec(x, ep->pb, &ep->l->c[i].plan, ep->cap, &ep->rec[i]);
        pthread_mutex_lock(&ep->mu);
        ep->done[i] = true;
        if (ep->rec[i].est < ep->best)
            ep->best = ep->rec[i].est;
        pthread_mutex_unlock(&ep->mu);
    }
    tiler_est_ctx_free(x);
    return NULL;
}

/* Runs est_worker on `threads` threads over l's first lim candidates; false if it could not
 * start (the round then runs in the search's context alone). */
static bool estimate_threads(const tp_tpu_cfg *t, const gemm_problem *pb, const cand_list *l, size_t lim,
                             uint32_t cap, int threads, tiler_est_rec *rec, bool *done)
{
    est_pool ep = {.t = t, .pb = pb, .l = l, .lim = lim, .cap = cap, .rec = rec, .done = done, .best = UINT64_MAX};
    if (pthread_mutex_init(&ep.mu, NULL) != 0)
        return false;
    run_on_threads(est_worker, &ep, threads);
    pthread_mutex_destroy(&ep.mu);
    return true;
}

/* The n candidates at c, sorted by cmp_est_only but for the nch at changed[] (ascending
 * indices, at most SEARCH_REFINE), whose estimates changed, sorted again: the others stay in
 * order, so the changed ones are sorted on their own and merged in (from the back, in place).
 * cmp_est_only orders distinct plans totally, so this is the order a whole sort gives. */
static void resort(tiler_candidate *c, size_t n, const size_t *changed, size_t nch)
{
    tiler_candidate moved[SEARCH_REFINE];
    size_t w = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k < nch && changed[k] == i) {
            moved[k++] = c[i];
            continue;
        }
        if (w != i)
            c[w] = c[i];
        w++;
    }
    sort_est(moved, nch, cmp_est_only);
    size_t a = w, b = nch, out = n;   /* merge c[0 .. w) and moved[0 .. nch) into c[0 .. n) */
    while (b > 0) {
        if (a > 0 && cmp_est_only(&c[a - 1], &moved[b - 1]) > 0)
            c[--out] = c[--a];
        else
            c[--out] = moved[--b];
    }
}

static void estimate_all(const tp_tpu_cfg *t, const gemm_problem *pb, cand_list *l, int threads)
{
    for (size_t i = 0; i < l->n; i++)
        l->c[i].cycles = tiler_estimate_bound(t, pb, &l->c[i].plan);
    qsort(l->c, l->n, sizeof *l->c, cmp_bound);
    uint64_t best = UINT64_MAX;
    uint32_t cap = (uint32_t)util_min(TILER_EST_CAP, util_max(EST_MIN_CAP, SEARCH_EST_BUDGET / util_max(1, l->n)));
    tiler_est_ctx *x = NULL;
    if (tiler_est_ctx_new(t, &x) != TP_OK) {
        for (size_t i = 0; i < l->n; i++) {   /* no machine: nothing can be estimated */
            l->c[i].plan.est_cycles = l->c[i].cycles;
            l->c[i].cycles = 0;
        }
        tiler_est_ctx_free(x);
        return;
    }
    size_t lim = util_min(l->n, SEARCH_MAX_ESTIMATES);
    tiler_est_rec *rec = NULL;
    bool *done = NULL;
    if (threads > 1 && lim >= EST_THREADS_MIN) {
        rec = calloc(lim, sizeof *rec);
        done = calloc(lim, sizeof *done);
        if (!rec || !done || !estimate_threads(t, pb, l, lim, cap, threads, rec, done)) {
            free(rec);
            free(done);
            rec = NULL;
            done = NULL;
        }
    }
    for (size_t i = 0; i < l->n; i++) {
        tiler_candidate *c = &l->c[i];
        c->pruned = i >= SEARCH_MAX_ESTIMATES || (best != UINT64_MAX && (double)c->cycles > SEARCH_PRUNE * (double)best);
        if (c->pruned)
            c->plan.est_cycles = c->cycles;
        else {
            if (!done || !done[i] ||
                !tiler_est_ctx_take(x, &rec[i], &c->plan.est_cycles, &c->est_exact, &c->exact_hash))
                c->plan.est_cycles = tiler_estimate_in(x, pb, &c->plan, cap, &c->est_exact, &c->exact_hash);
            best = c->plan.est_cycles < best ? c->plan.est_cycles : best;
        }
        c->cycles = 0;
    }
    free(rec);
    free(done);
    /* The contenders again, on prefixes four times as long (a short prefix can mistake a tile's
     * ramp for its rate), until the SEARCH_REFINE best by estimate all have the longer one: a
     * longer estimate can move a candidate down past others estimated short, which are then
     * refined in turn. Past the first round, rounds stop once the refinements have simulated
     * SEARCH_REFINE_BUDGET instructions. A short estimate is not comparable with a long one
     * (a short prefix may miss a ragged tile or the memory's queues), so the candidates
     * estimated long rank first (cmp_est): when the rounds stop early, the head of the
     * ranking is still the best of them. */
    uint32_t cap2 = (uint32_t)util_max(4 * TILER_EST_CAP, 4u * cap);
    uint64_t spent0 = tiler_est_ctx_instructions(x);
    sort_est(l->c, l->n, cmp_est_only);
    for (;;) {
        size_t changed[SEARCH_REFINE], nch = 0;
        for (size_t i = 0; i < l->n && i < SEARCH_REFINE; i++) {
            tiler_candidate *c = &l->c[i];
            if (c->pruned || c->est_exact || c->est_long)
                continue;
            c->plan.est_cycles = tiler_estimate_in(x, pb, &c->plan, cap2, &c->est_exact, &c->exact_hash);
            c->est_long = true;
            changed[nch++] = i;
        }
        if (!nch || tiler_est_ctx_instructions(x) - spent0 > SEARCH_REFINE_BUDGET)
            break;
        resort(l->c, l->n, changed, nch);
    }
    tiler_est_ctx_free(x);
}

/* Every candidate, estimated and sorted by estimate (best first); on an error, none (freed). */
static tp_status enumerate(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_opts *opts, cand_list *out,
                           tp_err *err)
{
    tp_status st = enumerate_tier(t, pb, opts, false, out, err);
    if (st == TP_ERR_USAGE)
        st = enumerate_tier(t, pb, opts, true, out, err);
    if (st != TP_OK) {
        free(out->c);
        *out = (cand_list){0};
        return st;
    }
    estimate_all(t, pb, out, opts->threads);
    sort_est(out->c, out->n, cmp_est);
    return TP_OK;
}

/* Simulated programs, by a hash of their instructions, so identical ones run once. */
typedef struct {
    machine *mc;
    uint64_t *hash, *cycles;
    size_t n, cap;
} sim_ctx;

/* plan's program on problem sp (the plan re-derived there; its estimate is not needed) into
 *q, and its hash; on failure *q is freed. */
static tp_status make_program(const tp_tpu_cfg *t, const gemm_problem *sp, const tiler_plan *plan, isa_program *q,
                              uint64_t *hash, tp_err *err)
{
    isa_init(q, NULL, sp->dtype);   /* freeable whatever fails */
    tiler_plan pl = *plan;
    tp_status st = tiler_plan_fit(t, sp, &pl, NULL, err);
    if (st == TP_OK)
        st = tiler_generate(t, sp, &pl, q, err);
    if (st != TP_OK) {
        isa_free(q);
        return st;
    }
    *hash = tiler_prog_hash(q, 0, q->n_ins);
    return TP_OK;
}

/* Runs q timing-only on mc, taking it (no copy: q is left empty, or as it was when refused;
 * the caller frees it either way); its cycles into *cycles. */
static tp_status run_timing(machine *mc, isa_program *q, uint64_t *cycles, tp_err *err)
{
    tp_status st = machine_load_take(mc, q, err);
    if (st == TP_OK) {
        machine_set_timing_only(mc, true);
        st = machine_run(mc, err);
    }
    if (st == TP_OK)
        *cycles = machine_stats(mc)->cycles;
    return st;
}

/* Simulates plan (re-derived on problem sp) timing-only; *same says an identical program ran
 * before (its cycles are reused). */
static tp_status simulate(sim_ctx *sc, const tp_tpu_cfg *t, const gemm_problem *sp, const tiler_plan *plan,
                          uint64_t *cycles, bool *same, tp_err *err)
{
    isa_program q;
    uint64_t h;
    tp_status st = make_program(t, sp, plan, &q, &h, err);
    if (st != TP_OK)
        return st;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->hash[i] == h) {
            *cycles = sc->cycles[i];
            *same = true;
            isa_free(&q);
            return TP_OK;
        }
    st = run_timing(sc->mc, &q, cycles, err);
    isa_free(&q);
    if (st != TP_OK)
        return st;
    *same = false;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        uint64_t *hh = realloc(sc->hash, cap * sizeof *hh);
        if (hh)
            sc->hash = hh;
        uint64_t *cc = hh ? realloc(sc->cycles, cap * sizeof *cc) : NULL;
        if (cc)
            sc->cycles = cc;
        if (!hh || !cc)
            return TP_OK;   /* only the memo is lost */
        sc->cap = cap;
    }
    sc->hash[sc->n] = h;
    sc->cycles[sc->n++] = *cycles;
    return TP_OK;
}

/* The finalists' simulations, on opts->threads threads: each program is generated and hashed
 * in rank order (one met again is an earlier candidate's, as simulate's memo does), then the
 * distinct ones run, each on the thread that takes it, on its own machine; their cycles do not
 * depend on which thread ran them, so nothing else does. */
typedef struct {
    isa_program q;
    uint64_t hash, cycles;
    size_t dup_of;            /* index + 1 of the earlier job with the same program; 0: none */
    bool known;               /* its cycles are its candidate's exact estimate: not run again */
    tp_status st;
    tp_err err;
} sim_job;

typedef struct {
    const tp_config *cfg;
    sim_job *jobs;
    size_t n;
    atomic_size_t next;
} sim_pool;

static void *sim_worker(void *arg)
{
    sim_pool *sp = arg;
    machine *mc = NULL;
    for (size_t j; (j = atomic_fetch_add(&sp->next, 1)) < sp->n;) {
        sim_job *jb = &sp->jobs[j];
        if (jb->dup_of || jb->known || jb->st != TP_OK)
            continue;
        if (!mc && (jb->st = machine_new(sp->cfg, MACHINE_FAST, &mc, &jb->err)) != TP_OK)
            continue;
        jb->st = run_timing(mc, &jb->q, &jb->cycles, &jb->err);
    }
    machine_free(mc);
    return NULL;
}

/* Simulates the plans of picks[0 .. np) of c on problem sp with `threads` threads: as simulate
 * for each in turn, the same cycles and same_program flags, and on a failure the first one's
 * error (in pick order). `whole`: sp is the search's whole problem, so a candidate whose
 * estimate was exact (the same program, by its hash) has its cycles already. */
static tp_status simulate_all(const tp_config *cfg, const gemm_problem *sp, bool whole, tiler_candidate *c,
                              const size_t *pick, size_t np, int threads, tp_err *err)
{
    const tp_tpu_cfg *t = &cfg->tpu;
    sim_job *jobs = calloc(np ? np : 1, sizeof *jobs);
    if (!jobs)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory in the tiling search");
    size_t made = 0;   /* jobs prepared: up to the first that fails, included */
    for (size_t j = 0; j < np; j++) {
        sim_job *jb = &jobs[j];
        made = j + 1;
        jb->st = make_program(t, sp, &c[pick[j]].plan, &jb->q, &jb->hash, &jb->err);
        if (jb->st != TP_OK)
            break;   /* the simulations before it still run: its error is the one returned */
        for (size_t k = 0; k < j && !jb->dup_of; k++)
            if (!jobs[k].dup_of && jobs[k].hash == jb->hash)
                jb->dup_of = k + 1;
        /* the estimate simulated this very program on this machine: its cycles are known */
        const tiler_candidate *cj = &c[pick[j]];
        if (!jb->dup_of && whole && cj->est_exact && cj->exact_hash == jb->hash) {
            jb->known = true;
            jb->cycles = cj->plan.est_cycles;
        }
        if (jb->dup_of || jb->known)
            isa_free(&jb->q);
    }
    sim_pool pool = {.cfg = cfg, .jobs = jobs, .n = made};
    atomic_init(&pool.next, 0);
    run_on_threads(sim_worker, &pool, threads);
    tp_status st = TP_OK;
    for (size_t j = 0; j < made && st == TP_OK; j++) {
        sim_job *jb = &jobs[j];
        tiler_candidate *cj = &c[pick[j]];
        if (jb->st != TP_OK) {
            st = jb->st;
            *err = jb->err;
            break;
        }
        cj->cycles = jb->dup_of ? jobs[jb->dup_of - 1].cycles : jb->cycles;
        cj->same_program = jb->dup_of != 0;
        cj->simulated = true;
    }
    for (size_t j = 0; j < np; j++)
        isa_free(&jobs[j].q);
    free(jobs);
    return st;
}

static void sim_free(sim_ctx *sc)
{
    machine_free(sc->mc);
    free(sc->hash);
    free(sc->cycles);
}

/* Whether two plans surely make the same program: the same tiles, buffering, split, A panel
 * and accumulator slots, and the same order of the loops that have more than one tile (a loop
 * of one tile is no loop), with the same split loop when more than one core or batch shares it. */
static bool same_program(const gemm_problem *pb, const tp_tpu_cfg *t, const tiler_plan *a, const tiler_plan *b)
{
    if (a->tm != b->tm || a->tn != b->tn || a->tk != b->tk || a->double_buffer != b->double_buffer ||
        a->split_k != b->split_k || a->a_panel != b->a_panel || a->acc_slots != b->acc_slots)
        return false;
    dims d = make_dims(pb, a);
    char ra[4] = "", rb[4] = "";
    int na = 0, nb = 0;
    for (int i = 0; i < 3; i++) {
        if (d.nt[dim_index(a->order[i])] > 1)
            ra[na++] = a->order[i];
        if (d.nt[dim_index(b->order[i])] > 1)
            rb[nb++] = b->order[i];
    }
    ra[na] = rb[nb] = 0;
    if (strcmp(ra, rb))
        return false;
    if (t->cores > 1 || pb->batch > 1) {
        int sa, sb, ia[2], ib[2];
        nest_of(a->order, &sa, ia);
        nest_of(b->order, &sb, ib);
        if (sa != sb && (d.nt[sa] > 1 || d.nt[sb] > 1 || pb->batch > 1))
            return false;
    }
    return true;
}

/* The class of a plan for the search's spread: loop order, buffering, split. */
static bool same_class(const tiler_plan *a, const tiler_plan *b)
{
    return !strcmp(a->order, b->order) && a->double_buffer == b->double_buffer && a->split_k == b->split_k;
}

tp_status tiler_search(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *opts,
                       tiler_plan *best, tiler_candidate **cands, size_t *n_cands, uint64_t *search_rows,
                       tp_err *err)
{
    const tp_tpu_cfg *t = &cfg->tpu;
    cand_list l = {0};
    tp_status st = enumerate(t, pb, opts, &l, err);
    if (st != TP_OK)
        return st;
    tiler_candidate *c = l.c;
    size_t n = l.n;
    /* which to simulate: the best SEARCH_TOP by estimate, then the best of each class (order,
     * buffering, split) not yet among them, up to SEARCH_SIMULATE */
    /* SEARCH_MIN_TOP always; more (up to SEARCH_TOP, then the class picks up to SEARCH_SIMULATE)
     * while their simulations on the whole problem fit the budget */
    size_t pick[SEARCH_SIMULATE], np = 0;
    uint64_t spent = 0;
    for (size_t i = 0; i < n && np < SEARCH_TOP; i++) {
        bool dup = false;
        for (size_t j = 0; j < np && !dup; j++)
            dup = same_program(pb, t, &c[pick[j]].plan, &c[i].plan);
        if (dup)
            continue;
        uint64_t cost = tiler_sim_cost(t, pb, &c[i].plan);
        if (np >= SEARCH_MIN_TOP && spent + cost > SEARCH_BUDGET_INS)
            break;
        pick[np++] = i;
        spent += cost;
    }
    for (size_t i = 0; i < n && np < SEARCH_SIMULATE; i++) {
        bool seen = false;
        for (size_t j = 0; j < np && !seen; j++)
            seen = same_class(&c[pick[j]].plan, &c[i].plan) || same_program(pb, t, &c[pick[j]].plan, &c[i].plan);
        if (seen)
            continue;
        uint64_t cost = tiler_sim_cost(t, pb, &c[i].plan);
        if (np >= SEARCH_MIN_TOP + SEARCH_MIN_CLASS && spent + cost > SEARCH_BUDGET_INS)
            continue;
        pick[np++] = i;
        spent += cost;
    }
    /* on the whole problem when their programs fit the budget, else on a slice: all of N and
     * K, the rows (batches) of at least one m tile per core of each, as many as the budget
     * allows; all of them on the same slice, so their cycles compare. A candidate whose m tile
     * would make the slice more than twice the budget's is left out (but never the best
     * estimate, which then sets the slice). */
    uint64_t ins = 0;
    for (size_t j = 0; j < np; j++)
        ins += tiler_sim_cost(t, pb, &c[pick[j]].plan);
    gemm_problem slice = *pb;
    uint64_t all_rows = (uint64_t)pb->m * pb->batch;
    if (ins > SEARCH_SLICE_PAST * SEARCH_BUDGET_INS) {   /* the minimum picks alone: up to SEARCH_SLICE_PAST budgets, whole */
        uint64_t target = (uint64_t)((double)all_rows * SEARCH_BUDGET_INS / (double)ins);
        target = util_max(target, (uint64_t)c[pick[0]].plan.tm * t->cores);
        size_t w = 0;
        for (size_t j = 0; j < np; j++)
            if (j == 0 || (uint64_t)c[pick[j]].plan.tm * t->cores <= 2 * target)
                pick[w++] = pick[j];
        np = w;
        uint64_t rows = target;
        for (size_t j = 0; j < np; j++)
            rows = util_max(rows, (uint64_t)c[pick[j]].plan.tm * t->cores);
        /* past three times the budget on the smallest slice: simulate fewer (the last picked first) */
        uint64_t cost = 0;
        for (size_t j = 0; j < np; j++)
            cost += tiler_sim_cost(t, pb, &c[pick[j]].plan);
        while (np > 3 && (double)cost * (double)rows / (double)all_rows > 3.0 * SEARCH_BUDGET_INS) {
            np--;
            cost -= tiler_sim_cost(t, pb, &c[pick[np]].plan);
        }
        if (pb->batch > 1)
            slice.batch = (uint32_t)util_min(pb->batch, util_ceil_div(rows, pb->m));
        else
            slice.m = (uint32_t)util_min(pb->m, rows);
    }
    /* in rank order, so a program met again is always an earlier candidate's */
    qsort(pick, np, sizeof *pick, cmp_size);
    if (search_rows)
        *search_rows = (uint64_t)slice.m * slice.batch;
    size_t bi = 0;
    if (n > 1) {
        st = simulate_all(cfg, &slice, slice.m == pb->m && slice.batch == pb->batch, c, pick, np, opts->threads, err);
        if (st != TP_OK) {
            free(c);
            return st;
        }
        bool have = false;
        for (size_t j = 0; j < np; j++) {
            size_t i = pick[j];
            if (!have || c[i].cycles < c[bi].cycles || (c[i].cycles == c[bi].cycles && i < bi))
                bi = i;
            have = true;
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

tp_status tiler_search_exhaustive(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *opts,
                                  tiler_candidate **cands, size_t *n_cands, size_t *best, tp_err *err)
{
    const tp_tpu_cfg *t = &cfg->tpu;
    cand_list l = {0};
    tp_status st = enumerate(t, pb, opts, &l, err);
    if (st != TP_OK)
        return st;
    sim_ctx sc = {0};
    st = machine_new(cfg, MACHINE_FAST, &sc.mc, err);
    size_t bi = 0;
    for (size_t i = 0; i < l.n && st == TP_OK; i++) {
        st = simulate(&sc, t, pb, &l.c[i].plan, &l.c[i].cycles, &l.c[i].same_program, err);
        l.c[i].simulated = st == TP_OK;
        if (st == TP_OK && l.c[i].cycles < l.c[bi].cycles)
            bi = i;
    }
    sim_free(&sc);
    if (st != TP_OK) {
        free(l.c);
        return st;
    }
    *cands = l.c;
    *n_cands = l.n;
    *best = bi;
    return TP_OK;
}

size_t tiler_candidates_to_show(const tiler_candidate *c, size_t n, size_t best)
{
    size_t show = best;
    for (size_t i = 0; i < n; i++)
        if (c[i].simulated && i + 1 > show)
            show = i + 1;
    return show < n ? show : n;
}
