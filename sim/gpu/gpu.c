/* The GPU run: CTAs of a CUTLASS-style GEMM kernel dispatched in waves to the SMs, their K-steps
 * played as events against the shared L2 and DRAM (see gpu.h for the equations). */
#include "gpu/gpu.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/util.h"
#include "gpu/l2.h"
#include "mem/dram.h"
#include "stats/acct.h"
#include "stats/evq.h"

__extension__ typedef unsigned __int128 u128;

typedef enum { PH_START = 0, PH_STEP, PH_EPILOGUE, PH_DONE } phase;

typedef struct {
    phase ph;
    bool active;
    uint64_t cta;               /* grid position */
    uint32_t tm, tn, z;         /* tile and batch x split index */
    uint32_t k0, ksteps;        /* its K range start and K-steps */
    uint32_t s;                 /* the step whose start X_s is the pending event */
    uint64_t *arrive;           /* per stage (ring of `stages`) */
    bool *from_dram;
    double useful;              /* useful MACs / issued MACs of this CTA */
    uint64_t last_end;          /* end of its last CTA */
    acct a;
    uint32_t tl_track;          /* --trace: its CTA track */
    uint64_t tl_start, tl_main; /* --trace: its CTA's start and first K-step's start */
} slot;

/* Counters at the dispatch of the first CTA of a wave (for skipping steady waves). */
typedef struct {
    bool taken;
    uint64_t t;
    uint64_t l2_hits, l2_misses, l2_read, l2_write;
    uint64_t d_read, d_write, d_bus, d_inflight, d_accesses;
    uint64_t steps_run, c_write_bytes;
    uint64_t *cyc;              /* nslots x STATS_MAX_CAUSES */
} snapshot;

typedef struct {
    const tp_gpu_cfg *g;
    const gemm_problem *pb;
    gpu_kernel k;
    gpu_kernel_info ki;
    gpu_sm_step st;
    uint32_t e, out_e, tiles_m, tiles_n, split, kc;   /* kc: K per split, a multiple of bk */
    uint64_t a_base, b_base, c_base, w_base;
    uint64_t ctas, next_cta;
    uint32_t nslots;            /* sms x occupancy */
    slot *slots;
    uint64_t *pipe_free;        /* per SM */
    acct *sma;                  /* per SM: launch, working (charged as busy), wave_tail, the
                                   final drain (dram) */
    uint32_t *active;           /* per SM: slots with a CTA */
    l2_cache l2;
    dram d;
    evq q;
    uint64_t end;               /* the kernel's last event */
    uint64_t useful_macs, steps_run;
    uint64_t c_write_bytes;
    uint64_t *sm_ctas;          /* CTAs run per SM */
    bool exact;                 /* simulate every CTA */
    uint64_t skip_at;           /* CTA index whose dispatch triggers the skip (0 = never) */
    uint64_t skipped_waves;
    snapshot snap;
    timeline *tl;               /* --trace (NULL: none) */
    uint32_t tl_l2, tl_grid, tl_resident;   /* tracks l2 and grid, the resident-CTA counter */
    uint32_t tl_l2_bw;          /* the L2 bandwidth counter */
    tl_rate tl_l2_rate;
    uint64_t resident;          /* CTAs on the SMs (for the counter) */
} run;

/* l2_transfer, recorded: the transfer occupies the L2's port [max(t, free), end) (rounded
 * down to cycles, so transfers follow each other). */
static double l2_xfer(run *r, double t, uint64_t bytes, bool write)
{
    double s = t > r->l2.free_at ? t : r->l2.free_at, e = l2_transfer(&r->l2, t, bytes);
    if (r->tl) {
        uint32_t sl = tl_slice(r->tl, r->tl_l2, (uint64_t)s, (uint64_t)e, write ? "write" : "read");
        tl_arg_u64(r->tl, sl, "bytes", bytes);
        tl_rate_add(&r->tl_l2_rate, (uint64_t)s, (uint64_t)e, (double)bytes);
    }
    return e;
}

static void tl_resident(run *r, uint64_t t, int delta)
{
    r->resident += (uint64_t)(int64_t)delta;
    if (r->tl)
        tl_count(r->tl, r->tl_resident, t, (double)r->resident);
}

static uint64_t umin(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t umax(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* The GPU's physical-to-DRAM address mapping: NVIDIA GPUs hash the partition (channel) an
 * address maps to, so that strided tiles do not all land on one channel (Accel-Sim models it
 * as memory_partition_indexing; a plain modulo mapping puts every row of a tile whose stride
 * is a multiple of channels x interleave on one channel). Granule G = addr / interleave of
 * block b = G / channels moves from channel c = G mod channels to (c + b + b / channels) mod
 * channels: a permutation of each block, so bytes and bursts are unchanged. */
static uint64_t hash_addr(const dram *d, uint64_t addr)
{
    uint64_t ig = d->cfg.interleave_bytes, ch = d->cfg.channels, gr = addr / ig, b = gr / ch;
    return (b * ch + (gr % ch + b + b / ch) % ch) * ig + addr % ig;
}

/* One access of [addr, addr+len) through the hashed mapping: one DRAM access per interleave
 * granule it touches; returns the completion cycle of the last. */
static uint64_t dram_hashed(run *r, bool write, uint64_t t, uint64_t addr, uint64_t len)
{
    uint64_t ig = r->d.cfg.interleave_bytes, end = t;
    if (r->d.cfg.ideal || !ig)
        return dram_access_2d(&r->d, write, t, addr, 1, len, 0, NULL);
    while (len) {
        uint64_t piece = ig - addr % ig < len ? ig - addr % ig : len;
        end = umax(end, dram_access_2d(&r->d, write, t, hash_addr(&r->d, addr), 1, piece, 0, NULL));
        addr += piece, len -= piece;
    }
    return end;
}

/* Loads `rows` rows of `len` bytes at addr + i*stride through L2; returns the arrival cycle,
 * sets *dram_bound when the misses decide it. */
static uint64_t load_rows(run *r, uint64_t t, uint64_t addr, uint64_t rows, uint64_t len, uint64_t stride,
                          uint64_t *l2_end, uint64_t *dram_end)
{
    uint64_t lb = r->l2.line_bytes, bytes = 0;
    for (uint64_t i = 0; i < rows; i++) {
        uint64_t a = addr + i * stride, first = a / lb, last = (a + len - 1) / lb, run0 = 0, n = 0;
        for (uint64_t line = first; line <= last; line++) {
            bool hit = l2_lookup(&r->l2, line);
            if (!hit) {
                if (!n)
                    run0 = line;
                n++;
            }
            if ((hit || line == last) && n) {   /* a run of misses: one DRAM access */
                *dram_end = umax(*dram_end, dram_hashed(r, false, t, run0 * lb, n * lb));
                n = 0;
            }
        }
        /* L2 to the SM moves the 32-byte sectors asked for; a miss fills the whole line */
        bytes += ((a + len - 1) / GPU_L2_SECTOR_BYTES - a / GPU_L2_SECTOR_BYTES + 1) * GPU_L2_SECTOR_BYTES;
    }
    r->l2.read_bytes += bytes;
    *l2_end = umax(*l2_end, (uint64_t)ceil(l2_xfer(r, (double)t, bytes, false)));
    return bytes;
}

/* Issues the copies of K-step `s` of the CTA in slot sl at cycle t (note 1 of gpu.h). */
static void issue_stage(run *r, slot *sl, uint32_t s, uint64_t t)
{
    const gemm_problem *pb = r->pb;
    uint32_t bk = r->k.bk, e = r->e, batch = sl->z / r->split;
    uint64_t kstart = (uint64_t)sl->k0 + (uint64_t)s * bk, kvalid = umin(bk, pb->k - kstart);
    uint64_t m0 = (uint64_t)sl->tm * r->k.bm, mvalid = umin(r->k.bm, pb->m - m0);
    uint64_t n0 = (uint64_t)sl->tn * r->k.bn, nvalid = umin(r->k.bn, pb->n - n0);
    uint64_t l2_end = t, dram_end = 0, arr;
    if (!pb->transpose_a)
        load_rows(r, t, r->a_base + ((uint64_t)batch * pb->m + m0) * pb->k * e + kstart * e, mvalid, kvalid * e,
                  (uint64_t)pb->k * e, &l2_end, &dram_end);
    else
        load_rows(r, t, r->a_base + ((uint64_t)batch * pb->k + kstart) * pb->m * e + m0 * e, kvalid, mvalid * e,
                  (uint64_t)pb->m * e, &l2_end, &dram_end);
    if (!pb->transpose_b)
        load_rows(r, t, r->b_base + ((uint64_t)batch * pb->k + kstart) * pb->n * e + n0 * e, kvalid, nvalid * e,
                  (uint64_t)pb->n * e, &l2_end, &dram_end);
    else
        load_rows(r, t, r->b_base + ((uint64_t)batch * pb->n + n0) * pb->k * e + kstart * e, nvalid, kvalid * e,
                  (uint64_t)pb->k * e, &l2_end, &dram_end);
    arr = umax(l2_end, dram_end) + r->g->l2.latency_cycles;
    sl->arrive[s % r->k.stages] = arr;
    sl->from_dram[s % r->k.stages] = dram_end > l2_end;
}

static tp_status push(run *r, uint64_t t, uint32_t unit, tp_err *err)
{
    if (t > r->end)
        r->end = t;
    return evq_push(&r->q, t, 0, unit, err);
}

/* Charges one K-step of length len from p: busy (split by the useful fraction), then the
 * SM model's other causes c[] (summing to per) in order, scaled to len. */
static void charge_step(run *r, slot *sl, uint64_t p, uint64_t len, const uint64_t *c, uint64_t per)
{
    uint64_t t = p, end = p + len;
    (void)r;
    uint64_t busy = c[STATS_SM_BUSY] * len / per, useful = (uint64_t)floor((double)busy * sl->useful + 0.5);
    acct_span(&sl->a, t, t + useful, STATS_SM_BUSY), t += useful;
    acct_span(&sl->a, t, t + busy - useful, STATS_SM_PADDING), t += busy - useful;
    for (uint32_t i = 0; i < STATS_SM__COUNT; i++) {
        uint64_t d;
        if (i == STATS_SM_BUSY)
            continue;
        d = umin(c[i] * len / per, end - t);
        acct_span(&sl->a, t, t + d, i), t += d;   /* idle: the pipe held by a co-resident CTA */
    }
    if (t < end)   /* rounding */
        acct_span(&sl->a, t, end, STATS_SM_ISSUE);
}

static void take_snapshot(run *r, uint64_t t)
{
    snapshot *p = &r->snap;
    p->taken = true;
    p->t = t;
    p->l2_hits = r->l2.hits, p->l2_misses = r->l2.misses;
    p->l2_read = r->l2.read_bytes, p->l2_write = r->l2.write_bytes;
    p->d_read = r->d.read_bytes, p->d_write = r->d.write_bytes, p->d_bus = r->d.bus_bytes;
    p->d_inflight = r->d.inflight_cycles, p->d_accesses = r->d.accesses;
    p->steps_run = r->steps_run, p->c_write_bytes = r->c_write_bytes;
    for (uint32_t i = 0; i < r->nslots; i++)
        memcpy(p->cyc + (size_t)i * STATS_MAX_CAUSES, r->slots[i].a.cyc, sizeof r->slots[i].a.cyc);
}

/* Skips `w` steady waves at cycle t (docs/gpu.md, "Steady waves"): the last simulated wave,
 * from the snapshot to now, is taken to repeat w times. Every time moves on by w x T (T = now -
 * snapshot), every counter grows by w x its growth over that wave (a slot's cause cycles
 * rescaled to sum to exactly w x T, so the causes still sum to the total); the skipped CTAs'
 * useful MACs are exact. */
static void skip_waves(run *r, uint64_t t, uint64_t w)
{
    snapshot *p = &r->snap;
    uint64_t T = t - p->t, n = w * r->nslots;
    /* A wave may issue more DRAM bytes than its own time can carry (the rest queue past t):
     * the skipped waves last at least their bus bytes at peak, so a saturated run never moves
     * more than the peak (ticks: cycles x bytes_per_s, as in mem/dram). */
    if (!r->d.cfg.ideal && r->d.cfg.bytes_per_s) {
        dram_ticks need = (dram_ticks)(r->d.bus_bytes - p->d_bus) * r->g->sustained_clock_hz;
        uint64_t t_dram = (uint64_t)((need + r->d.cfg.bytes_per_s - 1) / r->d.cfg.bytes_per_s);
        if (t_dram > T)
            T = t_dram;
    }
    uint64_t D = w * T;
    dram_ticks dt = (dram_ticks)D * r->d.cfg.bytes_per_s;
    r->l2.hits += w * (r->l2.hits - p->l2_hits);
    r->l2.misses += w * (r->l2.misses - p->l2_misses);
    r->l2.read_bytes += w * (r->l2.read_bytes - p->l2_read);
    r->l2.write_bytes += w * (r->l2.write_bytes - p->l2_write);
    r->l2.free_at += (double)D;
    r->d.read_bytes += w * (r->d.read_bytes - p->d_read);
    r->d.write_bytes += w * (r->d.write_bytes - p->d_write);
    r->d.bus_bytes += w * (r->d.bus_bytes - p->d_bus);
    r->d.accesses += w * (r->d.accesses - p->d_accesses);
    r->d.inflight_cycles += w * (r->d.inflight_cycles - p->d_inflight);
    r->d.inflight_until += D;
    for (uint32_t c = 0; c < r->d.cfg.channels; c++)
        r->d.next_free[c] += dt;
    r->steps_run += w * (r->steps_run - p->steps_run);
    r->c_write_bytes += w * (r->c_write_bytes - p->c_write_bytes);
    for (uint32_t i = 0; i < r->nslots; i++) {
        slot *sl = &r->slots[i];
        uint64_t delta[STATS_MAX_CAUSES], sum = 0, given = 0;
        const uint64_t *old = p->cyc + (size_t)i * STATS_MAX_CAUSES;
        for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
            delta[c] = sl->a.cyc[c] - old[c], sum += delta[c];
        for (uint32_t c = 0; c < STATS_MAX_CAUSES && sum; c++) {
            uint64_t add = (uint64_t)((double)delta[c] / (double)sum * (double)D);
            sl->a.cyc[c] += add, given += add;
        }
        if (!sum)
            sl->a.cyc[sl->a.reason] += D, given = D;
        for (uint32_t c = 0; given < D; c = (c + 1) % STATS_MAX_CAUSES)
            if (delta[c])
                sl->a.cyc[c]++, given++;
        sl->a.cursor += D;
        for (uint32_t s = 0; s < r->k.stages; s++)
            sl->arrive[s] += D;
        sl->last_end += D;
        sl->tl_start += D;
        sl->tl_main += D;
    }
    if (r->tl) {
        uint32_t s = tl_slice(r->tl, r->tl_grid, t, t + D, "skipped steady waves");
        tl_arg_u64(r->tl, s, "waves", w);
        tl_arg_u64(r->tl, s, "ctas", n);
    }
    for (uint32_t i = 0; i < r->g->sms; i++) {   /* the SMs work all through the skipped waves */
        r->pipe_free[i] += D;
        acct_flush(&r->sma[i], t);
        r->sma[i].cyc[STATS_SM_BUSY] += D;   /* working (fill_sm splits it) */
        r->sma[i].cursor += D;
    }
    for (uint32_t i = 0; i < r->q.n; i++)
        r->q.heap[i].t += D;
    if (r->q.has_last)
        r->q.last.t += D;
    r->end += D;
    /* the skipped CTAs: their MACs exactly, w per slot */
    for (uint64_t i = r->next_cta; i < r->next_cta + n; i++) {
        uint64_t tiles = (uint64_t)r->tiles_m * r->tiles_n, z = i / tiles, k0 = (z % r->split) * r->kc;
        uint64_t kend = umin(r->pb->k, k0 + r->kc);
        uint32_t tm, tn;
        gpu_kernel_raster(&r->k, r->tiles_m, r->tiles_n, i % tiles, &tm, &tn);
        r->useful_macs += umin(r->k.bm, r->pb->m - (uint64_t)tm * r->k.bm) *
                          umin(r->k.bn, r->pb->n - (uint64_t)tn * r->k.bn) * (kend > k0 ? kend - k0 : 0);
    }
    for (uint32_t i = 0; i < r->g->sms; i++)
        r->sm_ctas[i] += w * r->ki.occupancy;
    r->next_cta += n;
    r->skipped_waves += w;
}

static tp_status start_cta(run *r, uint32_t u, uint64_t t, tp_err *err)
{
    slot *sl = &r->slots[u];
    const gemm_problem *pb = r->pb;
    uint64_t tiles = (uint64_t)r->tiles_m * r->tiles_n, i = r->next_cta++, kend, mv, nv;
    sl->active = true;
    sl->cta = i;
    sl->z = (uint32_t)(i / tiles);
    gpu_kernel_raster(&r->k, r->tiles_m, r->tiles_n, i % tiles, &sl->tm, &sl->tn);
    sl->k0 = (sl->z % r->split) * r->kc;
    kend = umin(pb->k, (uint64_t)sl->k0 + r->kc);
    sl->ksteps = kend > sl->k0 ? (uint32_t)((kend - sl->k0 + r->k.bk - 1) / r->k.bk) : 0;
    mv = umin(r->k.bm, pb->m - (uint64_t)sl->tm * r->k.bm);
    nv = umin(r->k.bn, pb->n - (uint64_t)sl->tn * r->k.bn);
    sl->useful = sl->ksteps ? (double)(mv * nv * (kend - sl->k0)) /
                                  ((double)r->k.bm * r->k.bn * (double)sl->ksteps * r->k.bk)
                            : 0.0;
    r->useful_macs += mv * nv * (kend > sl->k0 ? kend - sl->k0 : 0);
    r->sm_ctas[u / r->ki.occupancy]++;
    if (r->active[u / r->ki.occupancy]++ == 0)
        acct_note(&r->sma[u / r->ki.occupancy], t, STATS_SM_BUSY);
    sl->s = 0;
    sl->tl_start = sl->tl_main = t;
    tl_resident(r, t, 1);
    acct_note(&sl->a, t, STATS_SM_CP_ASYNC_WAIT);
    for (uint32_t s = 0; s + 1 < r->k.stages && s < sl->ksteps; s++)
        issue_stage(r, sl, s, t);
    if (!sl->ksteps) {
        sl->ph = PH_EPILOGUE;
        return push(r, t, u, err);
    }
    sl->ph = PH_STEP;
    return push(r, sl->arrive[0], u, err);
}

static tp_status step(run *r, uint32_t u, uint64_t t, tp_err *err)
{
    slot *sl = &r->slots[u];
    uint32_t sm = u / r->ki.occupancy, s = sl->s;
    uint64_t p, len, b, drain;
    if (s + r->k.stages - 1 < sl->ksteps)
        issue_stage(r, sl, s + r->k.stages - 1, t);
    p = t;
    (void)sm;
    if (s == 0)
        sl->tl_main = p;
    if (sl->ksteps == 1) {   /* a one-step CTA: simulated whole (sm.h note 7), then the epilogue */
        len = r->st.single_cycles;
        charge_step(r, sl, p, len, r->st.single_cause, len);
        r->steps_run++;
        sl->ph = PH_EPILOGUE;
        return push(r, p + len, u, err);
    }
    {   /* the K-step's figures with the CTAs now resident on this SM (sm.h note 6b) */
        uint32_t n = r->active[sm] < 1 ? 1 : r->active[sm] > r->st.max_resident ? r->st.max_resident : r->active[sm];
        const gpu_sm_res *x = &r->st.res[n - 1];
        len = s == 0 ? x->first_cycles : x->period_cycles;
        charge_step(r, sl, p, len, x->cause, x->period_cycles);
        drain = x->drain_cycles;
    }
    r->steps_run++;
    b = p + len;
    if (s + 1 < sl->ksteps) {
        uint32_t nx = (s + 1) % r->k.stages;
        uint64_t x = umax(b, sl->arrive[nx]);
        if (x > b)
            acct_note(&sl->a, b, sl->from_dram[nx] ? STATS_SM_DRAM : STATS_SM_L2);
        sl->s = s + 1;
        return push(r, x, u, err);
    }
    acct_span(&sl->a, b, b + drain, STATS_SM_MMA_LATENCY);
    sl->ph = PH_EPILOGUE;
    return push(r, b + drain, u, err);
}

static tp_status epilogue(run *r, uint32_t u, uint64_t t, tp_err *err)
{
    slot *sl = &r->slots[u];
    const gemm_problem *pb = r->pb;
    uint64_t mv = umin(r->k.bm, pb->m - (uint64_t)sl->tm * r->k.bm);
    uint64_t nv = umin(r->k.bn, pb->n - (uint64_t)sl->tn * r->k.bn);
    uint32_t oe = r->split > 1 ? 4 : r->out_e, batch = sl->z / r->split;
    uint64_t base = r->split > 1 ? r->w_base + (uint64_t)(sl->z % r->split) * pb->m * pb->n * 4 * pb->batch : r->c_base;
    uint64_t row0 = (uint64_t)batch * pb->m + (uint64_t)sl->tm * r->k.bm;
    /* accumulators staged through shared memory: written and read back at the port's rate */
    uint64_t epi = 2 * (((uint64_t)r->k.bm * r->k.bn * 4 + 4 * r->g->smem_banks - 1) / (4 * r->g->smem_banks));
    uint64_t wend = t, sto;
    if (nv == pb->n)   /* whole rows: one contiguous run */
        wend = dram_hashed(r, true, t, base + row0 * pb->n * oe, mv * nv * oe);
    else
        for (uint64_t i = 0; i < mv; i++)
            wend = umax(wend, dram_hashed(r, true, t, base + ((row0 + i) * pb->n + (uint64_t)sl->tn * r->k.bn) * oe,
                                          nv * oe));
    r->l2.write_bytes += mv * nv * oe;
    r->c_write_bytes += mv * nv * oe;
    /* C's stores leave the SM through the L2's one queue: the CTA's warps retire once their
       last store is taken (docs/gpu.md, "L2 and DRAM"), after the staging through shared memory */
    sto = (uint64_t)ceil(l2_xfer(r, (double)t, mv * nv * oe, true));
    if (wend > r->end)
        r->end = wend;
    acct_span(&sl->a, t, t + epi, STATS_SM_SMEM_BANDWIDTH);
    if (sto > t + epi) {
        acct_span(&sl->a, t + epi, sto, STATS_SM_L2);
        epi = sto - t;
    }
    tl_resident(r, t + epi, -1);
    if (r->tl) {
        uint32_t c = tl_slice(r->tl, sl->tl_track, sl->tl_start, t + epi, "cta");
        tl_arg_u64(r->tl, c, "cta", sl->cta);
        tl_arg_u64(r->tl, c, "tile_m", sl->tm);
        tl_arg_u64(r->tl, c, "tile_n", sl->tn);
        tl_arg_u64(r->tl, c, "z", sl->z);
        tl_arg_u64(r->tl, c, "k0", sl->k0);
        tl_arg_u64(r->tl, c, "ksteps", sl->ksteps);
        tl_arg_u64(r->tl, c, "c_bytes", mv * nv * oe);
        if (sl->ksteps)
            tl_slice(r->tl, sl->tl_track, sl->tl_main, t, "mainloop");
        tl_slice(r->tl, sl->tl_track, t, t + epi, "epilogue");
    }
    if (--r->active[u / r->ki.occupancy] == 0)
        acct_note(&r->sma[u / r->ki.occupancy], t + epi, STATS_SM_WAVE_TAIL);
    sl->active = false;
    sl->last_end = t + epi;
    sl->ph = PH_DONE;
    if (r->next_cta < r->ctas) {
        sl->ph = PH_START;
        return push(r, t + epi, u, err);
    }
    if (t + epi > r->end)
        r->end = t + epi;
    acct_note(&sl->a, t + epi, STATS_SM_WAVE_TAIL);
    return TP_OK;
}

static void fill_levels(run *r, tp_stats *s, uint64_t total, double f)
{
    stats_level *l;
    stats_unit *u;
    uint64_t cyc[STATS_MEM__COUNT] = {0}, xfer = 0;
    if (!r->d.cfg.ideal && r->d.cfg.bytes_per_s)
        xfer = (uint64_t)((dram_ticks)r->d.bus_bytes * (uint64_t)f / r->d.cfg.bytes_per_s);
    xfer = umin(umin(xfer, r->d.inflight_cycles), total);   /* never past the run's end */
    cyc[STATS_MEM_TRANSFER] = xfer;
    cyc[STATS_MEM_LATENCY] = umin(r->d.inflight_cycles, total) - umin(xfer, total);
    cyc[STATS_MEM_IDLE] = total - cyc[STATS_MEM_TRANSFER] - cyc[STATS_MEM_LATENCY];
    if ((u = stats_add_unit(s, "dram", STATS_KIND_MEM)))
        memcpy(u->cycles, cyc, sizeof cyc);
    if ((l = stats_add_level(s, "dram", STATS_LEVEL_OFF_CHIP))) {
        l->read_bytes = r->d.read_bytes;
        l->write_bytes = r->d.write_bytes;
        l->bus_bytes = r->d.bus_bytes;
        l->shared_bus = true;
        if (!r->d.cfg.ideal)
            l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s = (double)r->d.cfg.bytes_per_s;
        l->in_flight_cycles = r->d.inflight_cycles;
    }
    if ((l = stats_add_level(s, "l2", STATS_LEVEL_CACHE))) {
        l->read_bytes = r->l2.read_bytes;
        l->write_bytes = r->l2.write_bytes;
        l->bus_bytes = l->read_bytes + l->write_bytes;
        l->shared_bus = true;
        l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s = (double)r->g->l2.bytes_per_s;
    }
    if ((l = stats_add_level(s, "smem", STATS_LEVEL_BUFFER))) {
        double port = 4.0 * r->g->smem_banks * f * r->g->sms;
        l->read_bytes = r->steps_run * r->st.smem_read_bytes;
        l->write_bytes = r->steps_run * r->st.smem_write_bytes;
        l->bus_bytes = l->read_bytes + l->write_bytes;
        l->shared_bus = true;   /* one port for ldmatrix and cp.async */
        l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s = port;
    }
}

/* The SM's causes (note 4 of gpu.h): launch, wave_tail and the final drain from the SM's own
 * timeline; its working cycles W split into busy and padding, summed over its slots (its tensor
 * pipes are shared), and the rest of W in proportion to the slots' other causes. */
static void fill_sm(const run *r, uint32_t sm, stats_unit *u)
{
    uint32_t occ = r->ki.occupancy;
    const acct *a = &r->sma[sm];
    uint64_t other[STATS_SM__COUNT] = {0}, osum = 0, busy = 0, pad = 0, w, rest, sum = 0;
    for (uint32_t j = 0; j < occ; j++) {
        const acct *b = &r->slots[sm * occ + j].a;
        busy += b->cyc[STATS_SM_BUSY], pad += b->cyc[STATS_SM_PADDING];
        for (uint32_t c = 0; c < STATS_SM__COUNT; c++)
            if (c != STATS_SM_BUSY && c != STATS_SM_PADDING && c != STATS_SM_LAUNCH && c != STATS_SM_WAVE_TAIL &&
                c != STATS_SM_IDLE)
                other[c] += b->cyc[c], osum += b->cyc[c];
    }
    u->cycles[STATS_SM_LAUNCH] = a->cyc[STATS_SM_LAUNCH];
    u->cycles[STATS_SM_WAVE_TAIL] = a->cyc[STATS_SM_WAVE_TAIL];
    u->cycles[STATS_SM_IDLE] = a->cyc[STATS_SM_IDLE];
    u->cycles[STATS_SM_DRAM] = a->cyc[STATS_SM_DRAM];
    w = a->cyc[STATS_SM_BUSY];
    if (busy + pad > w) {   /* cannot happen: one pipe reservation per K-step; kept safe */
        pad = pad * w / (busy + pad);
        busy = w - pad;
    }
    u->cycles[STATS_SM_BUSY] = busy, u->cycles[STATS_SM_PADDING] = pad;
    rest = w - busy - pad;
    if (!osum) {
        u->cycles[STATS_SM_ISSUE] += rest;
        return;
    }
    for (uint32_t c = 0; c < STATS_SM__COUNT; c++)
        if (other[c]) {
            uint64_t v = (uint64_t)((u128)other[c] * rest / osum);
            if (v > rest - sum)
                v = rest - sum;
            u->cycles[c] += v, sum += v;
        }
    for (uint32_t c = 0; sum < rest; c = (c + 1) % STATS_SM__COUNT)
        if (other[c])
            u->cycles[c]++, sum++;
}

tp_status gpu_run_gemm_opts(const tp_config *cfg, const gemm_problem *pb, const gpu_run_opts *o, tp_stats *out,
                            gpu_run_info *info, tp_err *err)
{
    run r;
    tp_status st = TP_OK;
    const tp_gpu_cfg *g = &cfg->gpu;
    gpu_in in;
    double f, launch_s;
    uint64_t launch, total;
    evq_event ev;
    bool l2_ok = false;
    char buf[40];

    memset(&r, 0, sizeof r);
    stats_free(out);
    stats_init(out);
    evq_init(&r.q);
    if (!g->present)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "machine '%s' has no gpu: section", cfg->name);
    if (!pb->m || !pb->n || !pb->k)
        return tp_err_set(err, TP_ERR_USAGE, "GEMM dimensions must be positive (got %ux%ux%u)", pb->m, pb->n, pb->k);
    in = o && o->fp16 ? GPU_IN_FP16 : gpu_in_of(pb->dtype);
    if (o && o->fp16 && pb->dtype == TP_INT8)
        return tp_err_set(err, TP_ERR_USAGE, "fp16 inputs need a 16-bit problem, not int8");
    if (o && o->kernel) {
        r.k = *o->kernel;
        if (r.k.input != in)
            return tp_err_set(err, TP_ERR_USAGE, "the kernel takes %s inputs, the problem %s", gpu_in_name(r.k.input),
                              gpu_in_name(in));
    } else if ((st = gpu_kernel_choose(g, pb, in, &r.k, err)) != TP_OK)
        return st;
    if ((st = gpu_kernel_check(g, &r.k, &r.ki, err)) != TP_OK)
        return st;
    if ((st = gpu_sm_step_run(g, &r.k, pb->transpose_a, pb->transpose_b, &r.st, err)) != TP_OK)
        return st;
    r.g = g, r.pb = pb;
    r.e = gpu_in_bytes(in);
    r.out_e = in == GPU_IN_INT8 ? 4 : 2;   /* int32 or 16-bit C */
    r.tiles_m = (pb->m + r.k.bm - 1) / r.k.bm;
    r.tiles_n = (pb->n + r.k.bn - 1) / r.k.bn;
    r.split = r.k.split_k;
    r.kc = (uint32_t)(((uint64_t)pb->k + r.split - 1) / r.split);
    r.kc = (r.kc + r.k.bk - 1) / r.k.bk * r.k.bk;
    r.ctas = gpu_kernel_ctas(&r.k, pb);
    {
        uint32_t batch = pb->batch ? pb->batch : 1;
        uint64_t sa = (uint64_t)batch * pb->m * pb->k * r.e, sb = (uint64_t)batch * pb->k * pb->n * r.e;
        uint64_t sc = (uint64_t)batch * pb->m * pb->n * r.out_e;
        r.a_base = 0;
        r.b_base = (sa + 4095) / 4096 * 4096;
        r.c_base = r.b_base + (sb + 4095) / 4096 * 4096;
        r.w_base = r.c_base + (sc + 4095) / 4096 * 4096;
    }
    f = (double)g->sustained_clock_hz;
    launch_s = (double)g->launch_overhead_ps / 1e12;   /* a time: no clock involved */
    launch = (uint64_t)floor(launch_s * f + 0.5);
    r.nslots = g->sms * r.ki.occupancy;
    r.slots = calloc(r.nslots, sizeof *r.slots);
    r.pipe_free = calloc(g->sms, sizeof *r.pipe_free);
    r.sma = calloc(g->sms, sizeof *r.sma);
    r.active = calloc(g->sms, sizeof *r.active);
    r.sm_ctas = calloc(g->sms, sizeof *r.sm_ctas);
    r.snap.cyc = calloc((size_t)r.nslots * STATS_MAX_CAUSES, sizeof(uint64_t));
    if (!r.slots || !r.pipe_free || !r.sm_ctas || !r.snap.cyc || !r.sma || !r.active)
        goto nomem;
    for (uint32_t i = 0; i < g->sms; i++) {
        acct_init(&r.sma[i], STATS_SM_IDLE);
        acct_note(&r.sma[i], 0, STATS_SM_LAUNCH);
    }
    r.exact = o && o->exact;
    /* steady waves: simulate GPU_WAVES_SIMULATED full waves, skip to the last full one */
    if ((r.ctas / r.nslots) > GPU_WAVES_SIMULATED + 1)
        r.skip_at = (uint64_t)GPU_WAVES_SIMULATED * r.nslots;
    for (uint32_t i = 0; i < r.nslots; i++) {
        r.slots[i].arrive = calloc(r.k.stages, sizeof(uint64_t));
        r.slots[i].from_dram = calloc(r.k.stages, sizeof(bool));
        if (!r.slots[i].arrive || !r.slots[i].from_dram)
            goto nomem;
        acct_init(&r.slots[i].a, STATS_SM_IDLE);
        acct_note(&r.slots[i].a, 0, STATS_SM_LAUNCH);
    }
    if ((st = l2_init(&r.l2, g, (uint64_t)f, err)) != TP_OK)
        goto end;
    l2_ok = true;
    if ((st = dram_init(&r.d, &g->dram, (uint64_t)f, err)) != TP_OK)
        goto end;
    if (o && o->trace) {   /* --trace: the tracks (gpu.h) */
        char name[48];
        r.tl = o->trace;
        if (r.tl->clock_hz == 0)
            r.tl->clock_hz = f;
        r.tl_grid = tl_track(r.tl, "gpu", "grid", "sm");
        for (uint32_t i = 0; i < g->sms; i++) {
            snprintf(name, sizeof name, "sm%u", i);
            acct_trace(&r.sma[i], r.tl, tl_track(r.tl, "gpu", name, "cause"), STATS_KIND_SM);
            for (uint32_t j = 0; j < r.ki.occupancy; j++) {
                slot *sl = &r.slots[i * r.ki.occupancy + j];
                snprintf(name, sizeof name, "sm%u.%u", i, j);
                sl->tl_track = tl_track(r.tl, "gpu", name, "sm");
                snprintf(name, sizeof name, "sm%u.%u cause", i, j);
                acct_trace(&sl->a, r.tl, tl_track(r.tl, "gpu", name, "cause"), STATS_KIND_SM);
            }
        }
        r.tl_l2 = tl_track(r.tl, "gpu", "l2", "l2");
        r.tl_resident = tl_series(r.tl, "gpu", "resident CTAs", "ctas");
        r.tl_l2_bw = tl_series(r.tl, "gpu", "l2 bandwidth", "B/cycle");
        tl_rate_init(&r.tl_l2_rate);
        tl_count(r.tl, r.tl_resident, 0, 0);
        dram_trace(&r.d, r.tl, "gpu mem", "dram");
    }
    /* the first wave: slot j of SM i takes CTA j*sms + i, so one CTA per SM first */
    r.end = launch;
    for (uint32_t j = 0; j < r.ki.occupancy && st == TP_OK; j++)
        for (uint32_t i = 0; i < g->sms && st == TP_OK; i++) {
            uint32_t u = i * r.ki.occupancy + j;
            if (r.next_cta < r.ctas) {
                r.slots[u].ph = PH_START;
                st = push(&r, launch, u, err);
            } else
                acct_note(&r.slots[u].a, launch, STATS_SM_WAVE_TAIL);
        }
    for (uint32_t i = 0; i < g->sms; i++)   /* working from the first CTA's start on */
        acct_note(&r.sma[i], launch, r.slots[i * r.ki.occupancy].ph == PH_START ? STATS_SM_BUSY : STATS_SM_WAVE_TAIL);
    while (st == TP_OK && evq_pop(&r.q, &ev)) {
        slot *sl = &r.slots[ev.unit];
        switch (sl->ph) {
        case PH_START:
            if (!r.exact && r.skip_at && r.next_cta == r.skip_at - r.nslots && !r.snap.taken)
                take_snapshot(&r, ev.t);
            if (!r.exact && r.skip_at && r.next_cta == r.skip_at && r.snap.taken) {
                /* all but the last full wave and the partial one are steady: skip them */
                uint64_t w = (r.ctas - r.next_cta) / r.nslots;
                w = w > 1 ? w - 1 : 0;
                r.skip_at = 0;
                uint64_t skip, at;
                if (w && (util_mul_count(w, ev.t - r.snap.t, &skip) || util_add_count(ev.t, skip, &at))) {
                    st = tp_err_set(err, TP_ERR_RANGE, "the kernel's %llu steady waves of %llu cycles pass the %.3g (2^63) "
                                    "cycles tpusim counts (gpu.dram.bandwidth, gpu.clock)", (unsigned long long)w,
                                    (unsigned long long)(ev.t - r.snap.t), (double)TP_COUNT_MAX);
                    break;
                }
                if (w) {
                    skip_waves(&r, ev.t, w);
                    st = push(&r, at, ev.unit, err);
                    break;
                }
            }
            if (r.next_cta < r.ctas)
                st = start_cta(&r, ev.unit, ev.t, err);
            else
                acct_note(&sl->a, ev.t, STATS_SM_WAVE_TAIL);
            break;
        case PH_STEP: st = step(&r, ev.unit, ev.t, err); break;
        case PH_EPILOGUE: st = epilogue(&r, ev.unit, ev.t, err); break;
        case PH_DONE: break;
        }
    }
    if (st != TP_OK)
        goto end;
    /* split-K: the partial sums are read back and C written, at DRAM speed, after the grid */
    if (r.split > 1) {
        uint64_t mn = (uint64_t)pb->m * pb->n * (pb->batch ? pb->batch : 1);
        uint64_t e1 = dram_hashed(&r, false, r.end, r.w_base, mn * 4 * r.split);
        uint64_t e2 = dram_hashed(&r, true, r.end, r.c_base, mn * r.out_e);
        for (uint32_t i = 0; i < g->sms; i++)
            acct_note(&r.sma[i], r.end, STATS_SM_DRAM);
        r.end = umax(r.end, umax(e1, e2));
    }
    if ((st = dram_check_limit(&r.d, "gpu.dram", "gpu.clock", err)) != TP_OK)
        goto end;
    total = r.end;
    if (r.tl) {
        uint32_t s = tl_slice(r.tl, r.tl_grid, launch, total, "kernel");
        tl_arg_u64(r.tl, s, "ctas", r.ctas);
        tl_arg_u64(r.tl, s, "waves", (r.ctas + r.nslots - 1) / r.nslots);
        tl_arg_u64(r.tl, s, "occupancy", r.ki.occupancy);
        if (launch)
            tl_slice(r.tl, r.tl_grid, 0, launch, "launch");
    }
    {   /* after the grid's last CTA, the SMs wait for the last stores (or split-K) to DRAM */
        uint64_t last = 0;
        for (uint32_t i = 0; i < r.nslots; i++)
            last = umax(last, r.slots[i].last_end);
        for (uint32_t i = 0; i < g->sms; i++)
            if (last < total)
                acct_note(&r.sma[i], last, STATS_SM_DRAM);
    }
    /* the record */
    snprintf(out->machine_kind, sizeof out->machine_kind, "gpu");
    snprintf(out->machine, sizeof out->machine, "%s", cfg->name);
    snprintf(out->dtype, sizeof out->dtype, "%s", gpu_in_name(in));
    snprintf(out->compute_unit, sizeof out->compute_unit, "SM");
    out->compute_units = g->sms;
    out->timing_only = true;
    out->clock_hz = (uint64_t)f;
    out->cycles = total;
    out->macs = r.useful_macs;
    out->instructions = r.steps_run * r.st.instructions;
    out->peak_macs_per_cycle =
        (double)g->sms * (in == GPU_IN_FP16 ? cfg_gpu_fp16_macs_per_sm_cycle(g) : cfg_gpu_macs_per_sm_cycle(g, pb->dtype));
    for (uint32_t i = 0; i < g->sms; i++) {
        char name[STATS_NAME];
        stats_unit *u;
        snprintf(name, sizeof name, "sm%u", i);
        if (!(u = stats_add_unit(out, name, STATS_KIND_SM)))
            goto nomem;
        for (uint32_t j = 0; j < r.ki.occupancy; j++)
            acct_close(&r.slots[i * r.ki.occupancy + j].a, total);
        acct_close(&r.sma[i], total);
        fill_sm(&r, i, u);
        if (r.sm_ctas[i])
            out->compute_units_used++;
    }
    /* each SM's MACs: its share by CTAs (the CTAs of a grid are alike up to padding) */
    for (uint32_t i = 0; i < g->sms; i++)
        out->units[i].macs = r.ctas ? r.useful_macs * r.sm_ctas[i] / r.ctas : 0;
    fill_levels(&r, out, total, f);
    if (g->energy.present) {   /* as the TPU: off-chip energy on bus bytes; fp16 MACs at the bf16 figure */
        const stats_level *l2 = stats_find_level(out, "l2"), *sm = stats_find_level(out, "smem");
        out->has_energy = true;
        out->energy_mac_pj = (double)out->macs * cfg_energy_pj_per_mac(&g->energy, g->process_nm, in == GPU_IN_INT8 ? TP_INT8 : TP_BF16);
        out->energy_offchip_pj = (double)r.d.bus_bytes * g->energy.pj_per_byte_mem[TP_MEM_DRAM];
        out->energy_onchip_pj = (l2 ? (double)l2->bus_bytes * g->energy.pj_per_byte_l2 : 0.0) +
                                (sm ? (double)sm->bus_bytes * g->energy.pj_per_byte_ub : 0.0);
        out->energy_pj = out->energy_mac_pj + out->energy_offchip_pj + out->energy_onchip_pj;
    }
    stats_set_attr(out, "kernel", gpu_kernel_format(&r.k, buf, sizeof buf));
    snprintf(buf, sizeof buf, "%u (%s)", r.ki.occupancy, r.ki.limit);
    stats_set_attr(out, "occupancy", buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)((r.ctas + r.nslots - 1) / r.nslots));
    stats_set_attr(out, "waves", buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)r.l2.hits);
    stats_set_attr(out, "l2_hits", buf);
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)r.l2.misses);
    stats_set_attr(out, "l2_misses", buf);
    stats_set_attr(out, "scheduler", cfg_wsched_name(g->scheduler));
    if (r.skipped_waves) {
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)r.skipped_waves);
        stats_set_attr(out, "waves_skipped", buf);
    }
    if (r.tl) {
        tl_rate_emit(r.tl, &r.tl_l2_rate, r.tl_l2_bw);
        dram_trace_end(&r.d);
    }
    stats_finish(out);
    st = stats_check(out, err);   /* causes sum to the total, none above it */
    if (st == TP_OK && info) {
        info->kernel = r.k;
        info->kinfo = r.ki;
        info->step = r.st;
        info->ctas = r.ctas;
        info->waves = (r.ctas + r.nslots - 1) / r.nslots;
        info->l2_hits = r.l2.hits;
        info->l2_misses = r.l2.misses;
        info->launch_cycles = launch;
        info->kernel_cycles = total - launch;
        info->skipped_waves = r.skipped_waves;
        info->seconds = out->seconds;
    }
    goto end;
nomem:
    st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the GPU run");
end:
    if (st != TP_OK)
        stats_free(out);
    for (uint32_t i = 0; r.slots && i < r.nslots; i++) {
        free(r.slots[i].arrive);
        free(r.slots[i].from_dram);
    }
    free(r.slots);
    free(r.pipe_free);
    free(r.sma);
    free(r.active);
    free(r.sm_ctas);
    free(r.snap.cyc);
    if (l2_ok)
        l2_free(&r.l2);
    tl_rate_free(&r.tl_l2_rate);
    tl_rate_free(&r.d.tl_bw);
    evq_free(&r.q);
    return st;
}

tp_status gpu_run_gemm(const tp_config *cfg, const gemm_problem *pb, const gpu_kernel *k, tp_stats *out, tp_err *err)
{
    gpu_run_opts o;
    memset(&o, 0, sizeof o);
    o.kernel = k;
    return gpu_run_gemm_opts(cfg, pb, &o, out, NULL, err);
}
