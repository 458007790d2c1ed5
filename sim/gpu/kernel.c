/* The CUTLASS-style GEMM kernel: validation, occupancy, rasterization, shared-memory layout and
 * bank conflicts, and the heuristic chooser (see kernel.h for the equations). */
#include "gpu/kernel.h"
#include "gpu/sm.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const in_names[GPU_IN__COUNT] = {"int8", "bf16", "fp16"};
static const char *const layout_names[GPU_SMEM__COUNT] = {"swizzled", "naive"};

const char *gpu_in_name(gpu_in in) { return (unsigned)in < GPU_IN__COUNT ? in_names[in] : "?"; }
const char *gpu_smem_layout_name(gpu_smem_layout l) { return (unsigned)l < GPU_SMEM__COUNT ? layout_names[l] : "?"; }

gpu_in gpu_in_of(tp_dtype dt) { return dt == TP_INT8 ? GPU_IN_INT8 : GPU_IN_BF16; }

const tp_mma_cfg *gpu_mma_cfg(const tp_gpu_cfg *g, gpu_in in)
{
    const tp_mma_cfg *m = in == GPU_IN_INT8 ? &g->mma[TP_INT8] : in == GPU_IN_BF16 ? &g->mma[TP_BF16] : &g->mma_fp16;
    return m->present ? m : NULL;
}

static uint32_t ceil_div32(uint64_t a, uint64_t b) { return (uint32_t)((a + b - 1) / b); }

static tp_status require_path(const tp_gpu_cfg *g, gpu_in in, tp_err *err)
{
    char have[64];
    size_t n = 0;
    if (gpu_mma_cfg(g, in))
        return TP_OK;
    have[0] = 0;
    for (int i = 0; i < GPU_IN__COUNT; i++)
        if (gpu_mma_cfg(g, (gpu_in)i))
            n += (size_t)snprintf(have + n, sizeof have - n, "%s%s", n ? ", " : "", in_names[i]);
    return tp_err_set(err, TP_ERR_UNSUPPORTED, "GPU '%s' has no %s tensor cores (its tensor cores take: %s)", g->name,
                      gpu_in_name(in), n ? have : "none");
}

tp_status gpu_pipe(const tp_gpu_cfg *g, gpu_in in, tp_mma_cfg *out, uint32_t *units_per_subcore, tp_err *err)
{
    const tp_mma_cfg *m = gpu_mma_cfg(g, in);
    uint32_t nsc = g->schedulers_per_sm ? g->schedulers_per_sm : 1;
    memset(out, 0, sizeof *out);
    if (m) {
        *out = *m;
        *units_per_subcore = g->tensor_units_per_sm / nsc ? g->tensor_units_per_sm / nsc : 1;
        return TP_OK;
    }
    if (in == GPU_IN_INT8 && g->dp4a) {
        uint32_t lanes = g->fma_lanes_per_sm / nsc ? g->fma_lanes_per_sm / nsc : 1;
        out->m = 8, out->n = 4, out->k = 4;
        out->interval_cycles = (g->warp_size + lanes - 1) / lanes;
        out->latency_cycles = GPU_DP4A_LATENCY;
        out->present = true;
        *units_per_subcore = 1;
        return TP_OK;
    }
    return require_path(g, in, err);
}

gpu_kernel gpu_kernel_make(const tp_gpu_cfg *g, gpu_in in, uint32_t bm, uint32_t bn, uint32_t bk, uint32_t wm,
                           uint32_t wn, uint32_t stages)
{
    gpu_kernel k;
    const tp_mma_cfg *m = gpu_mma_cfg(g, in);
    memset(&k, 0, sizeof k);
    k.bm = bm, k.bn = bn, k.bk = bk, k.wm = wm, k.wn = wn, k.stages = stages;
    k.im = m ? m->m : 16;
    k.in = m ? m->n : 8;
    k.ik = m ? m->k : (in == GPU_IN_INT8 ? 32 : 16);
    if (!m && in == GPU_IN_INT8 && g->dp4a)   /* note 5c */
        k.simt = true, k.im = 8, k.in = 4, k.ik = 4;
    k.split_k = 1;
    k.swizzle = 1;
    k.layout = GPU_SMEM_SWIZZLED;
    k.input = in;
    k.tma = g->tma;
    if (g->wgmma && m && m->m == 16) {   /* note 5b: warps along M, each the whole width */
        uint32_t warps = (bm / (wm ? wm : 1)) * (bn / (wn ? wn : 1));
        k.wgmma = true;
        if (warps && warps % 4 == 0 && bm % warps == 0 && (bm / warps) % 16 == 0)
            k.wm = bm / warps, k.wn = bn;
        else
            k.wgmma = false;
    }
    return k;
}


tp_status gpu_kernel_check(const tp_gpu_cfg *g, const gpu_kernel *k, gpu_kernel_info *info, tp_err *err)
{
    gpu_kernel_info x;
    const tp_mma_cfg *m;
    uint32_t e = gpu_in_bytes(k->input), occ, lim;
    uint64_t regs;
    memset(&x, 0, sizeof x);
    tp_mma_cfg pipe;
    uint32_t units;
    if (gpu_pipe(g, k->input, &pipe, &units, err) != TP_OK)
        return TP_ERR_UNSUPPORTED;
    m = &pipe;
    if (k->im != m->m || k->in != m->n || k->ik != m->k)
        return tp_err_set(err, TP_ERR_USAGE, "kernel MMA shape %ux%ux%u is not the chip's %s mma (%ux%ux%u)", k->im,
                          k->in, k->ik, gpu_in_name(k->input), m->m, m->n, m->k);
    if (!k->bm || !k->bn || !k->bk || !k->wm || !k->wn || !k->stages || !k->split_k || !k->swizzle)
        return tp_err_set(err, TP_ERR_USAGE, "kernel tile sizes, stages, split_k and swizzle must be positive");
    if (k->bm % k->wm || k->bn % k->wn)
        return tp_err_set(err, TP_ERR_USAGE, "warp tile %ux%u does not divide the CTA tile %ux%u", k->wm, k->wn, k->bm,
                          k->bn);
    if (k->wm % k->im || k->wn % k->in || k->bk % k->ik)
        return tp_err_set(err, TP_ERR_USAGE, "MMA shape %ux%ux%u does not divide the warp tile %ux%ux%u", k->im, k->in,
                          k->ik, k->wm, k->wn, k->bk);
    if ((k->bk * e) % 16 || (k->bm * e) % 16 || (k->bn * e) % 16)
        return tp_err_set(err, TP_ERR_USAGE, "tile rows must be multiples of 16 bytes (cp.async and ldmatrix granule)");
    if (k->swizzle & (k->swizzle - 1))
        return tp_err_set(err, TP_ERR_USAGE, "rasterization swizzle %u is not a power of two", k->swizzle);
    if (k->stages < 2)
        return tp_err_set(err, TP_ERR_USAGE, "a multistage kernel needs at least 2 stages, got %u", k->stages);
    x.warps = (k->bm / k->wm) * (k->bn / k->wn);
    x.threads = x.warps * g->warp_size;
    /* note 3: accumulators + double-buffered A/B fragments + base, in 32-bit registers */
    if (k->wgmma && (x.warps % 4 || !g->wgmma))
        return tp_err_set(err, TP_ERR_USAGE, "a warpgroup-MMA kernel needs a chip with gpu.wgmma and warps in fours");
    regs = (uint64_t)k->wm * k->wn / g->warp_size + GPU_KERNEL_BASE_REGS +
           (k->wgmma ? 0 : (2ull * (k->wm + k->wn) * k->ik * e + 4ull * g->warp_size - 1) / (4ull * g->warp_size));
    if (!g->async_copy)   /* a stage staged in registers: its bytes spread over the threads */
        regs += ((uint64_t)k->bm * k->bk + (uint64_t)k->bk * k->bn) * e / (4ull * x.threads);
    regs = (regs + GPU_REG_GRANULE - 1) / GPU_REG_GRANULE * GPU_REG_GRANULE;
    x.smem_bytes = (uint64_t)k->stages * ((uint64_t)k->bm * k->bk + (uint64_t)k->bk * k->bn) * e;
    if (regs > GPU_MAX_REGS)
        return tp_err_set(err, TP_ERR_USAGE, "warp tile %ux%u needs %llu registers per thread (at most %u)", k->wm,
                          k->wn, (unsigned long long)regs, GPU_MAX_REGS);
    x.regs_per_thread = (uint32_t)regs;
    if (x.threads > g->max_threads_per_sm || x.warps > g->max_warps_per_sm)
        return tp_err_set(err, TP_ERR_USAGE, "a CTA of %u threads exceeds the SM's %u threads", x.threads,
                          g->max_threads_per_sm);
    if (x.smem_bytes > g->smem_per_sm_bytes)
        return tp_err_set(err, TP_ERR_USAGE,
                          "shared memory per CTA %llu bytes (%u stages x (%ux%u + %ux%u) x %u bytes) exceeds the SM's %llu",
                          (unsigned long long)x.smem_bytes, k->stages, k->bm, k->bk, k->bk, k->bn, e,
                          (unsigned long long)g->smem_per_sm_bytes);
    if (regs * x.threads > g->registers_per_sm)
        return tp_err_set(err, TP_ERR_USAGE, "a CTA needs %llu registers (%u threads x %llu), the SM has %u",
                          (unsigned long long)(regs * x.threads), x.threads, (unsigned long long)regs,
                          g->registers_per_sm);
    occ = g->max_ctas_per_sm, x.limit = "CTAs";
    lim = (uint32_t)(g->registers_per_sm / (regs * x.threads));
    if (lim < occ)
        occ = lim, x.limit = "registers";
    lim = (uint32_t)(g->smem_per_sm_bytes / x.smem_bytes);
    if (lim < occ)
        occ = lim, x.limit = "shared memory";
    lim = g->max_threads_per_sm / x.threads;
    if (lim < occ)
        occ = lim, x.limit = "threads";
    lim = g->max_warps_per_sm / x.warps;
    if (lim < occ)
        occ = lim, x.limit = "warps";
    x.occupancy = occ;
    if (info)
        *info = x;
    return TP_OK;
}

uint64_t gpu_kernel_ctas(const gpu_kernel *k, const gemm_problem *pb)
{
    return (uint64_t)ceil_div32(pb->m, k->bm) * ceil_div32(pb->n, k->bn) * k->split_k * (pb->batch ? pb->batch : 1);
}

void gpu_kernel_raster(const gpu_kernel *k, uint32_t tiles_m, uint32_t tiles_n, uint64_t i, uint32_t *tm, uint32_t *tn)
{
    uint64_t s = k->swizzle, panel = s * tiles_n, p = i / panel, r = i % panel;
    uint64_t rows = tiles_m - p * s < s ? tiles_m - p * s : s;   /* the last panel may be narrower */
    *tm = (uint32_t)(p * s + r % rows);
    *tn = (uint32_t)(r / rows);
}

const char *gpu_kernel_format(const gpu_kernel *k, char *buf, size_t cap)
{
    snprintf(buf, cap, "%ux%ux%u/%ux%u/s%u/k%u/w%u%s", k->bm, k->bn, k->bk, k->wm, k->wn, k->stages, k->split_k,
             k->swizzle, k->layout == GPU_SMEM_NAIVE ? "/naive" : "");
    return buf;
}

tp_status gpu_kernel_parse(const tp_gpu_cfg *g, gpu_in in, const char *s, gpu_kernel *out, tp_err *err)
{
    unsigned bm, bn, bk, wm, wn, st, v;
    int n = 0;
    const char *p;
    if (sscanf(s, "%ux%ux%u/%ux%u/s%u%n", &bm, &bn, &bk, &wm, &wn, &st, &n) != 6 || n <= 0)
        return tp_err_set(err, TP_ERR_USAGE, "kernel '%s': expected BMxBNxBK/WMxWN/sSTAGES[/kSPLIT][/wSWIZZLE][/naive]", s);
    *out = gpu_kernel_make(g, in, bm, bn, bk, wm, wn, st);
    for (p = s + n; *p;) {
        int m = 0;
        if (!strncmp(p, "/naive", 6) && (p[6] == 0 || p[6] == '/'))
            out->layout = GPU_SMEM_NAIVE, p += 6;
        else if (sscanf(p, "/k%u%n", &v, &m) == 1 && m > 0)
            out->split_k = v, p += m;
        else if (sscanf(p, "/w%u%n", &v, &m) == 1 && m > 0)
            out->swizzle = v, p += m;
        else
            return tp_err_set(err, TP_ERR_USAGE, "kernel '%s': unexpected '%s' (expected /kSPLIT, /wSWIZZLE or /naive)", s,
                              p);
    }
    return TP_OK;
}

/* ---- shared memory ---------------------------------------------------------------------------- */

uint32_t gpu_smem_offset(gpu_smem_layout l, uint32_t row_bytes, uint32_t rows, uint32_t row, uint32_t chunk)
{
    uint32_t off, line;
    if (l == GPU_SMEM_NAIVE)
        return row * row_bytes + chunk * 16;
    if (row_bytes > 128) {
        uint32_t block = chunk / 8;
        return block * rows * 128 + row * 128 + ((chunk % 8) ^ (row % 8)) * 16;
    }
    off = row * row_bytes + chunk * 16;
    line = off / 128;
    return line * 128 + (((off % 128) / 16) ^ (line % 8)) * 16;
}

uint32_t gpu_smem_wavefronts(const uint32_t *addr, uint32_t n_addr, uint32_t banks)
{
    /* per bank, the distinct words asked of it: 16-byte accesses cover 4 consecutive banks */
    uint32_t words[256][32];
    uint32_t nw[256];
    uint32_t worst = 0;
    if (banks > 256)
        banks = 256;
    memset(nw, 0, sizeof nw);
    for (uint32_t i = 0; i < n_addr && i < 32; i++)
        for (uint32_t w = 0; w < 4; w++) {
            uint32_t word = addr[i] / 4 + w, b = word % banks, j;
            for (j = 0; j < nw[b] && words[b][j] != word; j++)
                ;
            if (j == nw[b])
                words[b][nw[b]++] = word;
            if (nw[b] > worst)
                worst = nw[b];
        }
    return worst;
}

uint32_t gpu_smem_conflict(gpu_smem_layout l, uint32_t row_bytes, uint32_t rows, uint32_t banks)
{
    uint32_t worst = 1, addr[8];
    for (uint32_t r0 = 0; r0 + 8 <= rows; r0 += 8)
        for (uint32_t c = 0; c < row_bytes / 16; c++) {
            uint32_t w;
            for (uint32_t i = 0; i < 8; i++)
                addr[i] = gpu_smem_offset(l, row_bytes, rows, r0 + i, c);
            w = gpu_smem_wavefronts(addr, 8, banks);
            if (w > worst)
                worst = w;
        }
    return worst;
}

/* ---- the chooser ------------------------------------------------------------------------------ */

double gpu_kernel_estimate(const tp_gpu_cfg *g, const gemm_problem *pb, const gpu_kernel *k)
{
    gpu_kernel_info x;
    gpu_sm_step st;
    double e = gpu_in_bytes(k->input), l2_cyc, dram_cyc, t_sm, t_l2, t_step, waves, ksteps, kc, conc, per_sm, t_dram;
    uint64_t ctas, slots;
    uint32_t batch = pb->batch ? pb->batch : 1;
    if (gpu_kernel_check(g, k, &x, NULL) != TP_OK ||
        gpu_sm_step_run(g, k, pb->transpose_a, pb->transpose_b, &st, NULL) != TP_OK)
        return INFINITY;
    l2_cyc = (double)g->l2.bytes_per_s / (double)g->clock_hz;
    dram_cyc = (double)g->dram.bytes_per_s / (double)g->clock_hz;
    ctas = gpu_kernel_ctas(k, pb);
    slots = (uint64_t)g->sms * x.occupancy;
    kc = ceil((double)pb->k / k->split_k);
    ksteps = ceil(kc / k->bk);
    waves = ceil((double)ctas / (double)slots);
    conc = (double)(ctas < slots ? ctas : slots);
    per_sm = ceil(conc / g->sms);     /* CTAs sharing one SM's tensor pipes */
    {   /* one K-step of every resident CTA: the period with per_sm CTAs resident */
        uint32_t n = per_sm < 1 ? 1 : per_sm > st.max_resident ? st.max_resident : (uint32_t)per_sm;
        t_sm = (double)st.res[n - 1].period_cycles;
    }
    t_l2 = conc * (double)(k->bm + k->bn) * k->bk * e / l2_cyc;
    t_step = t_sm > t_l2 ? t_sm : t_l2;
    /* every input byte at least once from DRAM, and C (fp32 partials and their reduction when
       split) */
    t_dram = ((double)batch * ((double)pb->m * pb->k + (double)pb->k * pb->n) * e +
              (double)batch * pb->m * pb->n * (k->split_k > 1 ? 8.0 * k->split_k + 2.0 : 2.0)) / dram_cyc;
    t_step = waves * (ksteps * t_step + (double)st.drain_cycles) + g->l2.latency_cycles + g->dram.read_latency_cycles;
    return t_step > t_dram ? t_step : t_dram;
}

/* The candidates, largest first: CUTLASS SM80 tile configurations (cutlass/library defaults),
 * bk in bytes of one row (128 = 64 bf16 or 128 int8 elements), and their stage counts. */
static const struct {
    uint32_t bm, bn, bk_bytes, wm, wn, stages;
} candidates[] = {
    {128, 256, 128, 64, 64, 3}, {256, 128, 128, 64, 64, 3}, {128, 128, 128, 64, 64, 4},
    {128, 128, 64, 64, 64, 5},  {128, 64, 128, 64, 32, 4},  {64, 128, 128, 32, 64, 4},
    {64, 64, 128, 32, 32, 5},   {64, 64, 64, 32, 32, 10},   {32, 32, 64, 16, 16, 10},
};

tp_status gpu_kernel_choose(const tp_gpu_cfg *g, const gemm_problem *pb, gpu_in in, gpu_kernel *out, tp_err *err)
{
    double best = INFINITY;
    bool found = false;
    static const uint32_t splits[] = {1, 2, 3, 4, 6, 8, 12, 16};
    {
        tp_mma_cfg pipe;
        uint32_t units;
        if (gpu_pipe(g, in, &pipe, &units, err) != TP_OK)
            return TP_ERR_UNSUPPORTED;
    }
    for (size_t c = 0; c < sizeof candidates / sizeof candidates[0]; c++) {
        uint32_t e = gpu_in_bytes(in);
        gpu_kernel k = gpu_kernel_make(g, in, candidates[c].bm, candidates[c].bn, candidates[c].bk_bytes / e,
                                       candidates[c].wm, candidates[c].wn, candidates[c].stages);
        gpu_kernel_info x;
        if (k.bk % k.ik || k.wm % k.im || k.wn % k.in)
            continue;
        if (!g->async_copy)   /* register staging double-buffers: 2 stages (CUTLASS SM70/SM75) */
            k.stages = 2;
        /* fewer stages on a chip with less shared memory, down to 2 */
        while (k.stages > 2 && gpu_kernel_check(g, &k, &x, NULL) != TP_OK)
            k.stages--;
        if (gpu_kernel_check(g, &k, &x, NULL) != TP_OK)
            continue;
        k.swizzle = 1;
        {
            uint32_t tiles_m = ceil_div32(pb->m, k.bm);
            while (k.swizzle < 8 && k.swizzle * 2 <= tiles_m)   /* CUTLASS's default panel of 8 */
                k.swizzle *= 2;
        }
        for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
            double t;
            k.split_k = splits[s];
            /* split-K only for grids that do not fill one wave, each split >= 4 K-steps */
            if (k.split_k > 1 && ((uint64_t)k.split_k * k.bk * 4 > pb->k ||
                                  gpu_kernel_ctas(&k, pb) / k.split_k >= (uint64_t)g->sms * x.occupancy))
                break;
            t = gpu_kernel_estimate(g, pb, &k);
            if (t < best * 0.98 || !found) {   /* a smaller or split kernel must win by 2% */
                best = t, *out = k, found = true;
            }
        }
    }
    if (!found)
        return tp_err_set(err, TP_ERR_USAGE, "no candidate kernel fits GPU '%s'", g->name);
    return TP_OK;
}
