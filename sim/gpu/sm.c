/* One SM running one CTA's main loop, warp instruction by warp instruction (see sm.h). */
#include "gpu/sm.h"
#include <stdlib.h>
#include <string.h>
#include "stats/acct.h"
#include "stats/evq.h"

#define NEVER UINT64_MAX

typedef enum { OP_LDS, OP_MMA, OP_CP, OP_BAR, OP_STS, OP_WGMMA } op_kind;

typedef struct {
    uint8_t op;
    uint8_t conflict;       /* LDS: the tile's conflict degree */
    uint16_t a, b;          /* LDS: fragment slot written; MMA: A and B slots read */
    uint32_t acc;           /* MMA: accumulator index */
    uint32_t wavefronts;    /* LDS, CP: shared-memory wavefronts */
    uint16_t step;          /* BAR: K-step index */
    uint8_t warp0;          /* CP: a TMA copy, issued by the CTA's first warp only */
} instr;

typedef struct {
    uint32_t pc;
    bool at_bar;
    uint64_t *frag_ready;   /* per fragment slot */
    uint8_t *frag_conflict; /* conflict degree of the LDS that wrote the slot */
    uint64_t *acc_ready;
} warp_state;

typedef struct {
    uint64_t *unit_free;    /* per tensor unit of the sub-core */
    uint32_t last;          /* index among its warps of the last issue */
    acct a;
    uint64_t snap[2][STATS_MAX_CAUSES];
    uint64_t snap0[STATS_MAX_CAUSES];  /* at CTA 0's first barrier */
    int snapped;
} subcore;

static uint32_t div_up(uint64_t a, uint64_t b) { return (uint32_t)((a + b - 1) / b); }

/* The head instruction's earliest issue cycle, or NEVER (at the barrier, or done); *why is the
 * cause charged to the pipe while the warp waits. */
static uint64_t ready_at(const instr *prog, uint32_t n, const warp_state *w, const subcore *sc, uint32_t units,
                         uint64_t t, uint32_t *why)
{
    const instr *in;
    uint64_t r = t, u = NEVER;
    *why = STATS_SM_IDLE;
    if (w->pc >= n)
        return NEVER;
    if (w->at_bar) {
        *why = STATS_SM_BARRIER;
        return NEVER;
    }
    in = &prog[w->pc];
    if (in->op != OP_MMA && in->op != OP_WGMMA) {
        *why = STATS_SM_ISSUE;
        return t;
    }
    for (uint32_t i = 0; i < units; i++)
        if (sc->unit_free[i] < u)
            u = sc->unit_free[i];
    if (in->op == OP_WGMMA) {   /* operands come from shared memory as it runs: no scoreboard */
        *why = u > t ? STATS_SM_BUSY : STATS_SM_ISSUE;
        return u > t ? u : t;
    }
    if (w->frag_ready[in->a] > r || w->frag_ready[in->b] > r) {
        uint32_t s = w->frag_ready[in->a] >= w->frag_ready[in->b] ? in->a : in->b;
        r = w->frag_ready[s];
        *why = w->frag_conflict[s] > 1 ? STATS_SM_BANK_CONFLICT : STATS_SM_SMEM_BANDWIDTH;
    }
    if (w->acc_ready[in->acc] > r) {
        r = w->acc_ready[in->acc];
        *why = STATS_SM_MMA_LATENCY;
    }
    if (u > r) {
        r = u;
        *why = STATS_SM_BUSY;   /* the pipe is busy: nothing to charge (its span covers it) */
    }
    return r;
}

/* The sub-cores' mean of cause cycles d[s][c] (one row per sub-core), rounded to sum to len. */
static void mean_causes(const uint64_t (*d)[STATS_MAX_CAUSES], uint32_t nsc, uint64_t len, uint64_t *out)
{
    double share[STATS_SM__COUNT], tot = 0;
    uint64_t sum = 0;
    for (uint32_t c = 0; c < STATS_SM__COUNT; c++) {
        share[c] = 0;
        for (uint32_t s = 0; s < nsc; s++)
            share[c] += (double)d[s][c];
        tot += share[c];
    }
    for (uint32_t c = 0; c < STATS_SM__COUNT; c++) {
        out[c] = tot > 0 ? (uint64_t)(share[c] / tot * (double)len) : 0;
        sum += out[c];
    }
    if (tot <= 0) {
        out[STATS_SM_ISSUE] = len;
        return;
    }
    while (sum < len) {   /* largest remainders */
        uint32_t best = 0;
        double br = -1;
        for (uint32_t c = 0; c < STATS_SM__COUNT; c++) {
            double r = share[c] / tot * (double)len - (double)out[c];
            if (r > br)
                br = r, best = c;
        }
        out[best]++, sum++;
    }
}

/* Simulates nctas CTAs resident together for nsteps K-steps; CTA 0's barriers give the
 * period, first, drain (nsteps > 1) or the single step (nsteps == 1) into res. */
static tp_status simulate(const tp_gpu_cfg *g, const gpu_kernel *k, bool ta, bool tb, uint32_t nsteps,
                          uint32_t nctas, gpu_sm_step *out, gpu_sm_res *res, tp_err *err)
{
    gpu_kernel_info info;
    tp_status st = TP_OK;
    uint32_t e = gpu_in_bytes(k->input), S, nA, nB, MA, NB, ncp, per_step, n, nslot, nacc, nsc, units, wpsc;
    uint32_t ca, cb, word_bytes, mma_busy, dup;
    const tp_mma_cfg *m;
    tp_mma_cfg pipe;
    instr *prog = NULL;
    warp_state *w = NULL;
    subcore *sc = NULL;
    uint64_t *mem = NULL, port_free = 0, write_backlog = 0, step_writes, rel[GPU_SM_STEPS], backlog_at[GPU_SM_STEPS] = {0}, last_mma_end = 0, bar_last = 0;
    uint8_t *cmem = NULL;
    uint32_t bar_cnt[GPU_SM_MAX_RES], bar_stp[GPU_SM_MAX_RES], bar_step = 0, tw;
    uint64_t *busy_until = NULL, t_all = 0, n_after = 0;
    evq q;
    evq_event ev;

    evq_init(&q);
    if ((st = gpu_kernel_check(g, k, &info, err)) != TP_OK)
        return st;
    if ((st = gpu_pipe(g, k->input, &pipe, &units, err)) != TP_OK)
        return st;
    m = &pipe;
    nsc = g->schedulers_per_sm;
    mma_busy = m->interval_cycles / units ? m->interval_cycles / units : 1;
    S = k->bk / k->ik;
    /* an 8x8 MMA (Volta's mma.m8n8k4) runs per quad-pair: the warp's four quad-pairs each
       hold their own A and B fragments, and in the 16x16 warp-level tile each A and each B
       block is held by two of them (sm.h note 1c), so the fragment loads are doubled */
    dup = (k->im == 8 && k->in == 8 && !k->wgmma) ? 2 : 1;
    nA = dup * div_up((uint64_t)k->wm * k->ik * e, GPU_LDMATRIX_BYTES);
    nB = dup * div_up((uint64_t)k->wn * k->ik * e, GPU_LDMATRIX_BYTES);
    MA = k->wm / k->im;
    NB = k->wn / k->in;
    word_bytes = 4 * g->smem_banks;
    /* conflict degrees from the stored tiles (note 5): A is bm rows of bk (or bk rows of bm
       when transposed), B is bk rows of bn (or bn rows of bk) */
    ca = ta ? gpu_smem_conflict(k->layout, k->bm * e, k->bk, g->smem_banks)
            : gpu_smem_conflict(k->layout, k->bk * e, k->bm, g->smem_banks);
    cb = tb ? gpu_smem_conflict(k->layout, k->bk * e, k->bn, g->smem_banks)
            : gpu_smem_conflict(k->layout, k->bn * e, k->bk, g->smem_banks);
    {
        uint64_t stage_bytes = ((uint64_t)k->bm * k->bk + (uint64_t)k->bk * k->bn) * e;
        ncp = k->tma ? 2 : div_up(div_up(stage_bytes, GPU_CP_ASYNC_BYTES * g->warp_size), info.warps);
        out->smem_write_bytes = stage_bytes;
    }
    per_step = S * (nA + nB + MA * NB) + ncp * (g->async_copy ? 1 : 2) + 1;
    step_writes = div_up(out->smem_write_bytes, word_bytes);
    n = (nA + nB) + nsteps * per_step;
    nslot = 2 * (nA + nB);
    nacc = MA * NB;
    prog = calloc(n, sizeof *prog);
    tw = nctas * info.warps;
    memset(bar_cnt, 0, sizeof bar_cnt);
    memset(bar_stp, 0, sizeof bar_stp);
    w = calloc(tw, sizeof *w);
    sc = calloc(nsc, sizeof *sc);
    mem = calloc((size_t)tw * (nslot + nacc) + (size_t)nsc * units, sizeof *mem);
    cmem = calloc((size_t)tw * nslot, 1);
    busy_until = calloc(nsc, sizeof *busy_until);
    if (!prog || !w || !sc || !mem || !cmem || !busy_until) {
        st = tp_err_set(err, TP_ERR_NOMEM, "out of memory simulating one SM");
        goto end;
    }
    /* the program (note 1) */
    {
        uint32_t pc = 0;
        for (int32_t gs = -1; gs < (int32_t)(nsteps * S); gs++) {
            uint32_t next = (uint32_t)(gs + 1), buf = next % 2;
            if (gs >= 0) {   /* this slice's share of the next stage's copies (note 1) */
                uint32_t ks = (uint32_t)gs % S, n0 = ncp * ks / S, n1 = ncp * (ks + 1) / S;
                for (uint32_t i = n0; i < n1; i++) {
                    uint64_t bytes = k->tma ? (i == 0 ? (uint64_t)k->bm * k->bk * e : (uint64_t)k->bk * k->bn * e)
                                            : (uint64_t)GPU_CP_ASYNC_BYTES * g->warp_size;
                    prog[pc].op = OP_CP;   /* cp.async, or LDG into registers without async_copy */
                    prog[pc].warp0 = (uint8_t)k->tma;
                    prog[pc++].wavefronts = div_up(bytes, word_bytes);
                }
                if (ks == S - 1) {
                    if (!g->async_copy)   /* the staged registers stored before the barrier */
                        for (uint32_t i = 0; i < ncp; i++) {
                            prog[pc].op = OP_STS;
                            prog[pc++].wavefronts = div_up((uint64_t)GPU_CP_ASYNC_BYTES * g->warp_size, word_bytes);
                        }
                    prog[pc].op = OP_BAR;
                    prog[pc++].step = (uint16_t)((uint32_t)gs / S);
                }
            }
            if (next < nsteps * S && !k->wgmma)
                for (uint32_t i = 0; i < nA + nB; i++) {
                    uint32_t d = i < nA ? ca : cb;
                    prog[pc].op = OP_LDS;
                    prog[pc].a = (uint16_t)(buf * (nA + nB) + i);
                    prog[pc].conflict = (uint8_t)d;
                    prog[pc++].wavefronts = 4 * d;   /* four 8x8 phases */
                }
            if (gs >= 0 && k->wgmma) {   /* one warpgroup MMA slice: A rows, a quarter of B */
                uint64_t bytes = ((uint64_t)k->wm * k->ik + (uint64_t)k->ik * k->wn / 4) * e;
                prog[pc].op = OP_WGMMA;
                prog[pc].conflict = (uint8_t)(ca > cb ? ca : cb);
                prog[pc++].wavefronts = div_up(bytes, word_bytes) * (ca > cb ? ca : cb);
            } else if (gs >= 0) {
                uint32_t cur = (uint32_t)gs % 2;
                for (uint32_t i = 0; i < MA; i++)
                    for (uint32_t j = 0; j < NB; j++) {
                        prog[pc].op = OP_MMA;
                        prog[pc].a = (uint16_t)(cur * (nA + nB) + i * nA / MA);
                        prog[pc].b = (uint16_t)(cur * (nA + nB) + nA + j * nB / NB);
                        prog[pc++].acc = i * NB + j;
                    }
            }
        }
        n = pc;
    }
    {
        uint64_t *p = mem;
        for (uint32_t i = 0; i < tw; i++) {
            w[i].frag_ready = p, p += nslot;
            w[i].acc_ready = p, p += nacc;
            w[i].frag_conflict = cmem + (size_t)i * nslot;
        }
        for (uint32_t s = 0; s < nsc; s++) {
            sc[s].unit_free = p, p += units;
            acct_init(&sc[s].a, STATS_SM_IDLE);
            sc[s].last = 0;
        }
    }
    for (uint32_t s = 0; s < nsc; s++)
        if ((st = evq_push(&q, 0, 0, s, err)) != TP_OK)
            goto end;
    wpsc = (tw + nsc - 1) / nsc;
    while (evq_pop(&q, &ev)) {
        uint64_t t = ev.t, next = NEVER;
        subcore *c = &sc[ev.unit];
        uint32_t pick = UINT32_MAX, why_first = STATS_SM_IDLE;
        /* the candidates in policy order (note 3) */
        for (uint32_t o = 0; o < wpsc; o++) {
            uint32_t li = g->scheduler == TP_WSCHED_LRR ? (c->last + 1 + o) % wpsc
                                                                   : (o == 0 ? c->last : (o <= c->last ? o - 1 : o));
            uint32_t wi = li * nsc + ev.unit, why;
            uint64_t r;
            if (wi >= tw)
                continue;
            r = ready_at(prog, n, &w[wi], c, units, t, &why);
            if (o == 0 || why_first == STATS_SM_IDLE)
                why_first = why;
            if (r <= t) {
                pick = li;
                break;
            }
            if (r < next)
                next = r;
        }
        if (pick != UINT32_MAX) {
            uint32_t wi = pick * nsc + ev.unit;
            warp_state *ws = &w[wi];
            const instr *in = &prog[ws->pc];
            c->last = pick;
            switch ((op_kind)in->op) {
            case OP_LDS: {
                uint64_t s;
                if (t > port_free) {   /* the port was free: queued cp.async writes used it */
                    uint64_t d = t - port_free < write_backlog ? t - port_free : write_backlog;
                    write_backlog -= d;
                }
                s = t > port_free ? t : port_free;
                port_free = s + in->wavefronts;
                ws->frag_ready[in->a] = s + g->smem_latency_cycles + in->wavefronts - 1;
                ws->frag_conflict[in->a] = in->conflict;
                acct_note(&c->a, t, STATS_SM_ISSUE);
                break;
            }
            case OP_CP:
                if (g->async_copy && (!in->warp0 || wi % info.warps == 0))
                    write_backlog += in->wavefronts;
                acct_note(&c->a, t, STATS_SM_ISSUE);
                break;
            case OP_STS:   /* a synchronous store: it takes the port now */
                port_free = (t > port_free ? t : port_free) + in->wavefronts;
                acct_note(&c->a, t, STATS_SM_ISSUE);
                break;
            case OP_BAR: {
                uint32_t cta = wi / info.warps;
                ws->at_bar = true;
                acct_note(&c->a, t, STATS_SM_BARRIER);
                bar_last = t;
                if (++bar_cnt[cta] == info.warps) {
                    uint64_t rt = bar_last + 1;
                    bar_cnt[cta] = 0;
                    /* cp.async writes land in the background; the stage this barrier waits
                       for must be written: what is queued beyond the stages still in flight
                       (stages - 2 K-steps of copies of each resident CTA) delays the reads
                       after the barrier */
                    {
                        uint64_t keep = (uint64_t)(k->stages - 2) * step_writes * nctas;
                        if (port_free < rt) {
                            uint64_t d = rt - port_free;
                            write_backlog -= d < write_backlog ? d : write_backlog;
                            port_free = rt;
                        }
                        if (write_backlog > keep) {
                            port_free += write_backlog - keep;
                            write_backlog = keep;
                        }
                    }
                    for (uint32_t i = cta * info.warps; i < (cta + 1) * info.warps; i++)
                        w[i].at_bar = false;
                    for (uint32_t s = 0; s < nsc; s++)
                        if ((st = evq_push(&q, rt, 0, s, err)) != TP_OK)
                            goto end;
                    if (cta == 0) {
                        rel[bar_stp[0]] = rt;
                        backlog_at[bar_stp[0]] = write_backlog;
                        if (bar_stp[0] == 0)
                            for (uint32_t s = 0; s < nsc; s++) {
                                acct_flush(&sc[s].a, rt);
                                memcpy(sc[s].snap0, sc[s].a.cyc, sizeof sc[s].a.cyc);
                            }
                        /* snapshots for the last period (note 7) */
                        if (nsteps == GPU_SM_STEPS && bar_stp[0] >= GPU_SM_STEPS - 2)
                            for (uint32_t s = 0; s < nsc; s++) {
                                acct_flush(&sc[s].a, rt);
                                memcpy(sc[s].snap[bar_stp[0] - (GPU_SM_STEPS - 2)], sc[s].a.cyc, sizeof sc[s].a.cyc);
                            }
                        bar_step++;
                    }
                    bar_stp[cta]++;
                    if (bar_stp[0] >= 1 && !(cta == 0 && bar_stp[0] == 1))
                        n_after++;   /* K-steps completed after CTA 0's first barrier */
                    if (bar_stp[cta] == nsteps && rt > t_all)
                        t_all = rt;
                }
                break;
            }
            case OP_WGMMA: {   /* note 1b */
                uint32_t u = 0;
                uint64_t ps = t > port_free ? t : port_free, dur = (uint64_t)MA * NB * mma_busy, b0, fin;
                for (uint32_t i = 1; i < units; i++)
                    if (c->unit_free[i] < c->unit_free[u])
                        u = i;
                port_free = ps + in->wavefronts;
                fin = t + dur > port_free ? t + dur : port_free;   /* operand fetch can hold it */
                c->unit_free[u] = fin;
                ws->acc_ready[0] = fin + m->latency_cycles;
                if (wi < info.warps && fin + m->latency_cycles > last_mma_end)
                    last_mma_end = fin + m->latency_cycles;
                b0 = t > busy_until[ev.unit] ? t : busy_until[ev.unit];
                busy_until[ev.unit] = b0 + dur;
                acct_span(&c->a, b0, b0 + dur, STATS_SM_BUSY);
                if (fin > b0 + dur)
                    acct_span(&c->a, b0 + dur, fin, in->conflict > 1 ? STATS_SM_BANK_CONFLICT : STATS_SM_SMEM_BANDWIDTH);
                break;
            }
            case OP_MMA: {
                uint32_t u = 0;
                for (uint32_t i = 1; i < units; i++)
                    if (c->unit_free[i] < c->unit_free[u])
                        u = i;
                c->unit_free[u] = t + m->interval_cycles;
                ws->acc_ready[in->acc] = t + m->latency_cycles;
                if (wi < info.warps && t + m->latency_cycles > last_mma_end)
                    last_mma_end = t + m->latency_cycles;
                /* the sub-core's pipe as one unit of u-fold rate: each MMA adds interval / u
                   busy cycles from when the pipe is free (so two units issued a cycle apart
                   count 2 x interval / u, not their overlapping union) */
                {
                    uint64_t b0 = t > busy_until[ev.unit] ? t : busy_until[ev.unit];
                    busy_until[ev.unit] = b0 + mma_busy;
                    acct_span(&c->a, b0, b0 + mma_busy, STATS_SM_BUSY);
                }
                break;
            }
            }
            ws->pc++;
            next = t + 1;
        } else if (why_first != STATS_SM_BUSY) {
            acct_note(&c->a, t, why_first);
        }
        if (next != NEVER && (st = evq_push(&q, next, 0, ev.unit, err)) != TP_OK)
            goto end;
    }
    if (bar_step != nsteps) {
        st = tp_err_set(err, TP_ERR_INTERNAL, "SM model: %u of %u barriers released", bar_step, nsteps);
        goto end;
    }
    out->pipe_cycles = (uint64_t)((info.warps + nsc - 1) / nsc) * S * MA * NB * mma_busy;
    out->mmas_per_step = (uint64_t)info.warps * S * MA * NB;
    out->conflict_a = ca, out->conflict_b = cb;
    out->instructions = (uint64_t)info.warps * per_step;
    out->smem_read_bytes = k->wgmma ? (uint64_t)info.warps * S * ((uint64_t)k->wm * k->ik + (uint64_t)k->ik * k->wn / 4) * e
                                    : (uint64_t)info.warps * S * (nA + nB) * GPU_LDMATRIX_BYTES;
    if (nsteps == 1) {   /* the whole single K-step, from start to its last result */
        uint64_t d[64][STATS_MAX_CAUSES];
        for (uint32_t s = 0; s < nsc && s < 64; s++) {
            acct_note(&sc[s].a, sc[s].a.cursor, STATS_SM_MMA_LATENCY);
            acct_close(&sc[s].a, last_mma_end);
            memcpy(d[s], sc[s].a.cyc, sizeof d[s]);
        }
        out->single_cycles = last_mma_end;
        mean_causes((const uint64_t (*)[STATS_MAX_CAUSES])d, nsc < 64 ? nsc : 64, last_mma_end, out->single_cause);
    } else {
        uint64_t d[64][STATS_MAX_CAUSES];
        res->period_cycles = rel[nsteps - 1] - rel[nsteps - 2];
        res->prev_period_cycles = rel[nsteps - 2] - rel[nsteps - 3];
        res->first_cycles = rel[0];
        res->drain_cycles = last_mma_end > rel[nsteps - 1] ? last_mma_end - rel[nsteps - 1] : 0;
        for (uint32_t s = 0; s < nsc && s < 64; s++)
            for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
                d[s][c] = sc[s].snap[1][c] - sc[s].snap[0][c];
        if (nctas > 1) {
            /* the schedulers need not share fairly within a few K-steps (gto runs the oldest
               CTA first), so a CTA's K-step is the SM's throughput: from CTA 0's first
               barrier to the last barrier of all, n CTAs completed n_after K-steps, one CTA's
               K-step lasts span x n / n_after; the causes over that same window */
            uint64_t span = t_all - rel[0];
            res->period_cycles = n_after ? span * nctas / n_after : span;
            res->prev_period_cycles = res->period_cycles;
            for (uint32_t s = 0; s < nsc && s < 64; s++) {
                acct_flush(&sc[s].a, t_all);
                for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
                    d[s][c] = sc[s].a.cyc[c] - sc[s].snap0[c];
            }
        }
        mean_causes((const uint64_t (*)[STATS_MAX_CAUSES])d, nsc < 64 ? nsc : 64, res->period_cycles, res->cause);
        /* Writes the window carried instead of paying (note 7): while the queued cp.async
           writes stay below what the stages in flight may hold, the port's gaps absorb only
           part of each K-step's writes and the queue grows by the rest. A K loop longer than
           the window fills that queue, and from then on every K-step pays its whole writes:
           the steady period is longer by the growth of one K-step, waiting for the port. */
        if (backlog_at[nsteps - 1] > backlog_at[nsteps - 2]) {
            uint64_t grow = backlog_at[nsteps - 1] - backlog_at[nsteps - 2];
            res->period_cycles += grow;
            res->prev_period_cycles += grow;
            res->cause[STATS_SM_SMEM_BANDWIDTH] += grow;
        }
        /* the SM's busy cycles are shared by the resident CTAs: each is charged its share */
        if (nctas > 1) {
            uint64_t share = res->cause[STATS_SM_BUSY] / nctas;
            /* the others' share: this CTA waits for the pipe they hold; charged idle, which
               the SM's causes leave to its other slots (gpu.h note 4) */
            res->cause[STATS_SM_IDLE] += res->cause[STATS_SM_BUSY] - share;
            res->cause[STATS_SM_BUSY] = share;
        }
    }
end:
    evq_free(&q);
    free(prog);
    free(w);
    free(sc);
    free(mem);
    free(cmem);
    free(busy_until);
    return st;
}

tp_status gpu_sm_step_run(const tp_gpu_cfg *g, const gpu_kernel *k, bool ta, bool tb, gpu_sm_step *out, tp_err *err)
{
    tp_status st;
    gpu_kernel_info info;
    memset(out, 0, sizeof *out);
    if (g->schedulers_per_sm > 64)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "the SM model takes at most 64 schedulers per SM");
    if ((st = gpu_kernel_check(g, k, &info, err)) != TP_OK)
        return st;
    if ((st = simulate(g, k, ta, tb, 1, 1, out, NULL, err)) != TP_OK)
        return st;
    out->max_resident = info.occupancy < GPU_SM_MAX_RES ? info.occupancy : GPU_SM_MAX_RES;
    for (uint32_t n = 1; n <= out->max_resident; n++)
        if ((st = simulate(g, k, ta, tb, GPU_SM_STEPS, n, out, &out->res[n - 1], err)) != TP_OK)
            return st;
    out->period_cycles = out->res[0].period_cycles;
    out->prev_period_cycles = out->res[0].prev_period_cycles;
    out->first_cycles = out->res[0].first_cycles;
    out->drain_cycles = out->res[0].drain_cycles;
    memcpy(out->cause, out->res[0].cause, sizeof out->cause);
    return TP_OK;
}
