/* The GPU model: kernel validation and occupancy, shared-memory bank conflicts from addresses,
 * the L2's LRU on a known access order, rasterization, the SM model's cycles derived by hand on
 * a tiny machine, a whole run of one CTA derived by hand, wave quantization, the causes summing
 * to the total, and the steady-wave approximation's error against the exact run. */
#include "harness.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "gpu/gpu.h"
#include "gpu/kernel.h"
#include "gpu/l2.h"
#include "gpu/sm.h"
#include "stats/stats.h"

/* A machine small enough to follow by hand: 1 SM of 1 sub-core with 1 tensor unit, one bf16
 * mma 16x8x16 of latency 12 and interval 8, shared memory of latency 20 (32 banks: one
 * wavefront = 128 bytes per cycle), an L2 of 128 bytes per cycle and 50 cycles, one DRAM
 * channel of 64 bytes per cycle and 100 cycles, no launch overhead, at 1 GHz. */
static const char *const TINY =
    "name: tiny\n"
    "gpu:\n"
    "  clock: 1GHz\n"
    "  sms: 1\n"
    "  schedulers_per_sm: 1\n"
    "  tensor_units_per_sm: 1\n"
    "  smem_per_sm: 64KiB\n"
    "  smem_latency: 20\n"
    "  launch_overhead: 0\n"
    "  l2: {size: 64KiB, assoc: 4, line_bytes: 128, bandwidth: 128GB/s, latency: 50}\n"
    "  dram: {channels: 1, bandwidth: 64GB/s, burst_bytes: 64, interleave_bytes: 256,\n"
    "         read_latency: 100, write_latency: 100}\n"
    "  mma:\n"
    "    bf16: {m: 16, n: 8, k: 16, latency: 12, interval: 8}\n";

static tp_config *load_string(const char *yaml, const char *const *sets, int n)
{
    tp_config *c = calloc(1, sizeof *c);
    tp_err e = {0};
    assert_non_null(c);
    if (cfg_load_string("tiny.yaml", yaml, sets, n, c, &e) != TP_OK)
        fail_msg("%s", e.msg);
    return c;
}

static tp_config *load_file(const char *rel, const char *const *sets, int n)
{
    char path[512];
    tp_config *c = calloc(1, sizeof *c);
    tp_err e = {0};
    assert_non_null(c);
    if (cfg_load(th_path(path, sizeof path, rel), sets, n, c, &e) != TP_OK)
        fail_msg("%s", e.msg);
    return c;
}

static gemm_problem problem(uint32_t m, uint32_t n, uint32_t k, tp_dtype dt)
{
    gemm_problem pb;
    memset(&pb, 0, sizeof pb);
    pb.m = m, pb.n = n, pb.k = k, pb.batch = 1, pb.dtype = dt;
    return pb;
}

static uint64_t total_cause(const tp_stats *s, uint32_t cause)
{
    uint64_t t = 0;
    for (uint32_t i = 0; i < s->n_units; i++)
        if (s->units[i].kind == STATS_KIND_SM)
            t += s->units[i].cycles[cause];
    return t;
}

/* ---- the kernel --------------------------------------------------------------------------- */

/* Occupancy on the A100 config (65536 registers, 164 KiB = 167936 bytes of shared memory):
 *  128x256x64, 64x64 warps, 3 stages: 8 warps = 256 threads; registers per thread =
 *    64*64/32 = 128 accumulators + 2*(64+64)*16*2/128 = 64 fragment + 24 base = 216;
 *    256 x 216 = 55296 registers -> 1 CTA; smem 3*(128*64 + 64*256)*2 = 147456 -> 1 CTA;
 *    the registers are found first.
 *  128x128x64, 64x64 warps, 4 stages: 128 threads x 216 = 27648 -> 2 CTAs by registers;
 *    smem 4*(128*64 + 64*128)*2 = 131072 -> 1: shared memory.
 *  64x64x64, 32x32 warps, 5 stages: 32 + 2*(32+32)*16*2/128 = 32, + 24 = 88 registers,
 *    128 x 88 = 11264 -> 5; smem 5*(64*64*2)*2 = 81920 -> 2: shared memory. */
static void occupancy_limits(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-a100.yaml", NULL, 0);
    gpu_kernel_info x;
    tp_err e = {0};
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 128, 256, 64, 64, 64, 3);
    assert_int_equal(gpu_kernel_check(&c->gpu, &k, &x, &e), TP_OK);
    assert_int_equal(x.warps, 8);
    assert_int_equal(x.regs_per_thread, 216);
    assert_int_equal(x.smem_bytes, 147456);
    assert_int_equal(x.occupancy, 1);
    assert_string_equal(x.limit, "registers");
    k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 128, 128, 64, 64, 64, 4);
    assert_int_equal(gpu_kernel_check(&c->gpu, &k, &x, &e), TP_OK);
    assert_int_equal(x.occupancy, 1);
    assert_string_equal(x.limit, "shared memory");
    k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 64, 64, 64, 32, 32, 5);
    assert_int_equal(gpu_kernel_check(&c->gpu, &k, &x, &e), TP_OK);
    assert_int_equal(x.regs_per_thread, 88);
    assert_int_equal(x.occupancy, 2);
    assert_string_equal(x.limit, "shared memory");
    /* what does not fit, in one line */
    k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 128, 256, 64, 64, 64, 8);   /* 8 x 49152 bytes */
    assert_int_equal(gpu_kernel_check(&c->gpu, &k, &x, &e), TP_ERR_USAGE);
    assert_non_null(strstr(e.msg, "shared memory per CTA 393216 bytes"));
    assert_null(strchr(e.msg, '\n'));
    k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 256, 128, 64, 128, 128, 3);  /* 512 accumulators */
    assert_int_equal(gpu_kernel_check(&c->gpu, &k, &x, &e), TP_ERR_USAGE);
    assert_non_null(strstr(e.msg, "registers per thread"));
    k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 128, 128, 64, 48, 64, 3);
    assert_int_equal(gpu_kernel_check(&c->gpu, &k, &x, &e), TP_ERR_USAGE);
    assert_non_null(strstr(e.msg, "does not divide"));
    free(c);
}

/* The kernel's text round-trips, and bad text gets one line naming it. */
static void kernel_text(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-a100.yaml", NULL, 0);
    gpu_kernel k;
    char buf[64];
    tp_err e = {0};
    assert_int_equal(gpu_kernel_parse(&c->gpu, GPU_IN_BF16, "128x256x64/64x64/s3", &k, &e), TP_OK);
    assert_int_equal(k.bm, 128);
    assert_int_equal(k.bn, 256);
    assert_int_equal(k.split_k, 1);
    assert_int_equal(k.im * k.in * k.ik, 16 * 8 * 16);
    assert_string_equal(gpu_kernel_format(&k, buf, sizeof buf), "128x256x64/64x64/s3/k1/w1");
    assert_int_equal(gpu_kernel_parse(&c->gpu, GPU_IN_BF16, "64x64x32/32x32/s4/k2/w8/naive", &k, &e), TP_OK);
    assert_int_equal(k.split_k, 2);
    assert_int_equal(k.swizzle, 8);
    assert_int_equal(k.layout, GPU_SMEM_NAIVE);
    assert_string_equal(gpu_kernel_format(&k, buf, sizeof buf), "64x64x32/32x32/s4/k2/w8/naive");
    assert_int_equal(gpu_kernel_parse(&c->gpu, GPU_IN_BF16, "128x128/64x64", &k, &e), TP_ERR_USAGE);
    assert_non_null(strstr(e.msg, "kernel '128x128/64x64'"));
    assert_int_equal(gpu_kernel_parse(&c->gpu, GPU_IN_BF16, "128x128x32/64x64/s3/x", &k, &e), TP_ERR_USAGE);
    assert_non_null(strstr(e.msg, "unexpected '/x'"));
    free(c);
}

/* A chip asked for tensor cores it lacks says what it has; the chooser refuses too. */
static void missing_path_is_one_line(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-v100.yaml", NULL, 0);
    gemm_problem pb = problem(256, 256, 256, TP_BF16);
    tp_stats s;
    tp_err e = {0};
    stats_init(&s);
    assert_int_equal(gpu_run_gemm(c, &pb, NULL, &s, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "GPU 'gpu-v100' has no bf16 tensor cores (its tensor cores take: fp16)");
    free(c);
}

/* ldmatrix reads eight 16-byte rows at one chunk per phase. Naive layout: rows of 128 bytes all
 * start in bank 0 -> 8 distinct words per bank -> 8 wavefronts; rows of 64 bytes: rows i and
 * i+2 share banks -> 4; rows of 16 bytes: 8 rows cover the 32 banks once -> 1; rows of 512
 * bytes -> 8. The swizzled layout (chunk ^ line mod 8, 128-byte column blocks) -> 1 for all. */
static void bank_conflicts_from_addresses(void **state)
{
    (void)state;
    uint32_t same[8] = {0, 0, 0, 0, 0, 0, 0, 0}, two[2] = {0, 128};
    assert_int_equal(gpu_smem_conflict(GPU_SMEM_NAIVE, 128, 64, 32), 8);
    assert_int_equal(gpu_smem_conflict(GPU_SMEM_NAIVE, 64, 64, 32), 4);
    assert_int_equal(gpu_smem_conflict(GPU_SMEM_NAIVE, 16, 64, 32), 1);
    assert_int_equal(gpu_smem_conflict(GPU_SMEM_NAIVE, 512, 64, 32), 8);
    assert_int_equal(gpu_smem_conflict(GPU_SMEM_NAIVE, 32, 64, 32), 2);
    for (uint32_t rb = 16; rb <= 512; rb *= 2)
        assert_int_equal(gpu_smem_conflict(GPU_SMEM_SWIZZLED, rb, 64, 32), 1);
    /* the same word for every thread is a broadcast; two words 128 bytes apart conflict */
    assert_int_equal(gpu_smem_wavefronts(same, 8, 32), 1);
    assert_int_equal(gpu_smem_wavefronts(two, 2, 32), 2);
    /* the swizzle moves chunk 0 of rows 0..7 of a 128-byte-row tile to chunks 0..7 */
    for (uint32_t r = 0; r < 8; r++)
        assert_int_equal(gpu_smem_offset(GPU_SMEM_SWIZZLED, 128, 64, r, 0), r * 128 + r * 16);
}

/* Rasterization with a panel of 2 tile-rows over 4 x 3 tiles walks (0,0) (1,0) (0,1) (1,1)
 * (0,2) (1,2), then (2,0) (3,0) ...; a panel of 1 is row-major. */
static void rasterization_order(void **state)
{
    (void)state;
    tp_config *c = load_string(TINY, NULL, 0);
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 16, 8, 16, 16, 8, 2);
    static const uint32_t want[12][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 2}, {1, 2},
                                         {2, 0}, {3, 0}, {2, 1}, {3, 1}, {2, 2}, {3, 2}};
    uint32_t tm, tn;
    k.swizzle = 2;
    for (uint32_t i = 0; i < 12; i++) {
        gpu_kernel_raster(&k, 4, 3, i, &tm, &tn);
        assert_int_equal(tm, want[i][0]);
        assert_int_equal(tn, want[i][1]);
    }
    k.swizzle = 1;
    gpu_kernel_raster(&k, 4, 3, 5, &tm, &tn);
    assert_int_equal(tm, 1);
    assert_int_equal(tn, 2);
    free(c);
}

/* An L2 of 512 bytes, 2 ways of 128-byte lines: 2 sets, b = 1, set(a) = (a ^ a>>1 ^ a>>2) mod 2:
 * lines 0, 3 (3^1^0 = 2), 5 (5^2^1 = 6) share set 0, line 1 is in set 1:
 *   0 miss, 3 miss, 0 hit, 5 miss (evicts 3, the least recently used), 3 miss (evicts 0),
 *   0 miss (evicts 5); line 1 (set 1) misses then hits.  -> 2 hits, 6 misses. */
static void l2_lru_known_order(void **state)
{
    (void)state;
    tp_gpu_cfg g;
    l2_cache c;
    tp_err e = {0};
    static const uint64_t seq[] = {0, 3, 0, 5, 3, 0, 1, 1};
    static const bool hit[] = {false, false, true, false, false, false, false, true};
    memset(&g, 0, sizeof g);
    g.l2.size_bytes = 512, g.l2.assoc = 2, g.l2.line_bytes = 128, g.l2.bytes_per_s = 64000000000ull;
    assert_int_equal(l2_init(&c, &g, 1000000000ull, &e), TP_OK);
    assert_int_equal(c.sets, 2);
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
        assert_int_equal(l2_lookup(&c, seq[i]), hit[i]);
    assert_int_equal(c.hits, 2);
    assert_int_equal(c.misses, 6);
    /* 64 bytes per cycle: 640 bytes at cycle 10 are out at 20; the next 64 queue behind */
    assert_true(fabs(l2_transfer(&c, 10, 640) - 20.0) < 1e-9);
    assert_true(fabs(l2_transfer(&c, 15, 64) - 21.0) < 1e-9);
    l2_free(&c);
    g.l2.size_bytes = 500;
    assert_int_equal(l2_init(&c, &g, 1000000000ull, &e), TP_ERR_CONFIG);
}

/* The hashed set index (l2.h): an L2 of 64 sets x 2 ways (16 KiB of 128-byte lines), b = 6.
 * Lines 64 i, i = 0..127 (tile rows 8 KiB apart: a stride of sets x line_bytes) would all
 * land in set 0 under a mod-sets index and thrash its 2 ways; hashed, line 64 i goes to set
 * (i ^ i >> 6) mod 64 (64 i >> 6 = i, 64 i >> 12 = 0), which is i for i < 64 and (i ^ 1) - 64
 * for 64 <= i < 128: two lines per set, so the second pass hits all 128. */
static void l2_set_hash_spreads_strides(void **state)
{
    (void)state;
    tp_gpu_cfg g;
    l2_cache c;
    tp_err e = {0};
    uint32_t per_set[64] = {0};
    memset(&g, 0, sizeof g);
    g.l2.size_bytes = 16384, g.l2.assoc = 2, g.l2.line_bytes = 128, g.l2.bytes_per_s = 64000000000ull;
    assert_int_equal(l2_init(&c, &g, 1000000000ull, &e), TP_OK);
    assert_int_equal(c.sets, 64);
    for (uint64_t i = 0; i < 128; i++) {
        uint32_t want = (uint32_t)(i < 64 ? i : (i ^ 1) - 64);
        assert_int_equal(l2_set(&c, 64 * i), want);
        per_set[want]++;
    }
    for (uint32_t s = 0; s < 64; s++)
        assert_int_equal(per_set[s], 2);
    for (int pass = 0; pass < 2; pass++)
        for (uint64_t i = 0; i < 128; i++)
            assert_int_equal(l2_lookup(&c, 64 * i), pass == 1);
    assert_int_equal(c.misses, 128);
    assert_int_equal(c.hits, 128);
    l2_free(&c);
}

/* Volta's mma.m8n8k4 runs per quad-pair (sm.c): each A and B fragment of the warp's 16x16
 * tiles is loaded by two quad-pairs. V100 128x256x64/64x64 fp16: 8 warps, 16 slices of k = 4,
 * a warp's distinct operands per slice are (64 + 64) x 4 x 2 bytes = 1024 = two 512-byte
 * loads, doubled: 8 x 16 x 4 x 512 = 262144 bytes read per K-step. A100's m16n8k16 (no
 * quad-pairs) reads each operand once: 8 warps x 4 slices x (64 + 64) x 16 x 2 = 131072. */
static void volta_quad_pair_operands(void **state)
{
    (void)state;
    tp_config *v = load_file("configs/gpu-v100.yaml", NULL, 0), *a = load_file("configs/gpu-a100.yaml", NULL, 0);
    gpu_kernel k;
    gpu_sm_step st;
    tp_err e = {0};
    assert_int_equal(gpu_kernel_parse(&v->gpu, GPU_IN_FP16, "128x256x64/64x64/s2", &k, &e), TP_OK);
    assert_int_equal(gpu_sm_step_run(&v->gpu, &k, false, false, &st, &e), TP_OK);
    assert_int_equal(st.smem_read_bytes, 8ull * 16 * 4 * 512);
    assert_int_equal(gpu_kernel_parse(&a->gpu, GPU_IN_BF16, "128x256x64/64x64/s3", &k, &e), TP_OK);
    assert_int_equal(gpu_sm_step_run(&a->gpu, &k, false, false, &st, &e), TP_OK);
    assert_int_equal(st.smem_read_bytes, 8ull * 4 * (64 + 64) * 16 * 2);
    free(v);
    free(a);
}

/* C's stores leave through the L2's queue and the CTA retires after its last one (gpu.c
 * epilogue): one 128x256x64 fp16 CTA on V100 run at 1.53 GHz (its boost clock, given as the
 * sustained one) with the L2 at 1.53 GB/s = 1 byte per cycle.
 * Its loads are 128 rows of A x 128 bytes (4 sectors) + 64 rows of B x 512 bytes = 49152
 * bytes through the queue, its C 128 x 256 x 2 = 65536 bytes after them: the kernel lasts at
 * least 114688 cycles (the loads' latency, the K-step and the epilogue's staging come on top
 * of the loads, and overlap the stores at most by the staging). */
static void c_stores_hold_the_cta(void **state)
{
    (void)state;
    const char *sets[] = {"gpu.sustained_clock=1.53GHz", "gpu.l2.bandwidth=1.53GB/s"};
    tp_config *c = load_file("configs/gpu-v100.yaml", sets, 2);
    gemm_problem pb = problem(128, 256, 64, TP_BF16);
    gpu_kernel k;
    gpu_run_opts o;
    gpu_run_info info;
    tp_stats s;
    tp_err e = {0};
    assert_int_equal(gpu_kernel_parse(&c->gpu, GPU_IN_FP16, "128x256x64/64x64/s2", &k, &e), TP_OK);
    memset(&o, 0, sizeof o);
    o.kernel = &k, o.fp16 = true;
    stats_init(&s);
    assert_int_equal(gpu_run_gemm_opts(c, &pb, &o, &s, &info, &e), TP_OK);
    assert_true(info.kernel_cycles >= 49152 + 65536);
    assert_true(info.kernel_cycles < 49152 + 65536 + 10000);
    assert_true(total_cause(&s, STATS_SM_L2) >= 65536 - 2 * 128 * 256 * 4 / 128);
    stats_free(&s);
    free(c);
}

/* The chooser, like cuBLAS's heuristics: a big square problem gets the biggest tile (128x256,
 * one wave holds 108 of its 2048 CTAs); a tiny one (512x16x512: 4 x 1 tiles of 128) gets small
 * tiles and split-K so that more SMs work; one with few output tiles and a long K (256x256x8192:
 * 2 x 1 tiles of 128x256) splits K. */
static void chooser_sizes_tiles(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-a100.yaml", NULL, 0);
    gemm_problem big = problem(8192, 8192, 8192, TP_BF16), tiny = problem(512, 16, 512, TP_BF16);
    gemm_problem deep = problem(256, 256, 8192, TP_BF16);
    gpu_kernel k;
    tp_err e = {0};
    assert_int_equal(gpu_kernel_choose(&c->gpu, &big, GPU_IN_BF16, &k, &e), TP_OK);
    assert_int_equal(k.bm * k.bn, 128 * 256);
    assert_int_equal(k.split_k, 1);
    assert_int_equal(k.swizzle, 8);
    assert_int_equal(gpu_kernel_choose(&c->gpu, &tiny, GPU_IN_BF16, &k, &e), TP_OK);
    assert_true(k.bm * k.bn <= 64 * 64);
    assert_true(gpu_kernel_ctas(&k, &tiny) >= 16);
    assert_int_equal(gpu_kernel_choose(&c->gpu, &deep, GPU_IN_BF16, &k, &e), TP_OK);
    assert_true(k.split_k > 1);
    assert_true(gpu_kernel_ctas(&k, &deep) <= 108);   /* split only to fill one wave */
    free(c);
}

/* ---- the SM, by hand ------------------------------------------------------------------------ */

/* Kernel 16x8x16 with a 16x8 warp tile, 2 stages, on TINY: one warp, one slice per K-step;
 * nA = nB = 1 ldmatrix.x4 (4 wavefronts each, conflict-free: 32-byte rows of A and 16-byte
 * rows of B swizzle to distinct chunks), n_cp = ceil((16*16 + 16*8)*2 / 512) = 2 cp.async.
 *
 * One K-step alone (single_cycles): t0 LDS A (port 0-4, ready 0+20+4-1 = 23), t1 LDS B (port
 * 4-8, ready 4+23 = 27), t2 t3 CP (8 wavefronts queued), t4 BAR (released at 5), the MMA waits
 * for B until 27, result at 27+12 = 39. Causes: issue 4 (t0-t3), barrier 1, smem_bandwidth 22
 * (5-27), busy 8 (the MMA holds the unit 8 cycles), mma_latency 4 (35-39).
 *
 * Four K-steps: barriers released at 5, 31, 47, 63 (each step: 2 CP, BAR, 2 LDS of the next
 * step queued behind the writes the port did not absorb, the MMA waiting on the previous
 * step's LDS: 16 cycles), the last MMA issues at 75 and is ready at 87: period 16, first 5,
 * drain 87 - 63 = 24. */
static void sm_cycles_by_hand(void **state)
{
    (void)state;
    tp_config *c = load_string(TINY, NULL, 0);
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 16, 8, 16, 16, 8, 2);
    gpu_sm_step st;
    tp_err e = {0};
    assert_int_equal(gpu_sm_step_run(&c->gpu, &k, false, false, &st, &e), TP_OK);
    assert_int_equal(st.conflict_a, 1);
    assert_int_equal(st.conflict_b, 1);
    assert_int_equal(st.single_cycles, 39);
    assert_int_equal(st.single_cause[STATS_SM_ISSUE], 4);
    assert_int_equal(st.single_cause[STATS_SM_BARRIER], 1);
    assert_int_equal(st.single_cause[STATS_SM_SMEM_BANDWIDTH], 22);
    assert_int_equal(st.single_cause[STATS_SM_BUSY], 8);
    assert_int_equal(st.single_cause[STATS_SM_MMA_LATENCY], 4);
    assert_int_equal(st.first_cycles, 5);
    assert_int_equal(st.period_cycles, 16);
    assert_int_equal(st.prev_period_cycles, 16);
    assert_int_equal(st.drain_cycles, 24);
    assert_int_equal(st.pipe_cycles, 8);
    assert_int_equal(st.mmas_per_step, 1);
    free(c);
}

/* The whole run of that kernel on M=16, N=8, K=16 (one CTA, one K-step) on TINY:
 *  - at 0 the CTA issues stage 0: A is 16 rows of 32 bytes at 0..511 (lines 0-3: 4 misses,
 *    12 hits), B 16 rows of 16 bytes at 4096..4351 (lines 32, 33: 2 misses, 14 hits); L2
 *    moves 32 rows x one 32-byte sector = 1024 bytes at 128/cycle: done at 8; the 6 misses are 6 DRAM
 *    reads of 128 bytes on one channel at 64 bytes/cycle, ending at 2, 4, ..., 12, + 100 =
 *    112; the stage arrives at max(8, 112) + 50 = 162 (cp_async_wait 0-162).
 *  - the single K-step: 162 + 39 = 201 (its causes as in sm_cycles_by_hand);
 *  - the epilogue stages 16x8 fp32 accumulators through shared memory: 2 x 512/128 = 8 cycles
 *    (smem_bandwidth), and writes C (16 x 8 bf16 = 256 contiguous bytes at 8192) at 201:
 *    4 cycles on the channel, + 100: 305, the end of the kernel; the SM waits for it (dram).
 */
static void one_cta_run_by_hand(void **state)
{
    (void)state;
    tp_config *c = load_string(TINY, NULL, 0);
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 16, 8, 16, 16, 8, 2);
    gemm_problem pb = problem(16, 8, 16, TP_BF16);
    tp_stats s;
    gpu_run_info info;
    gpu_run_opts o = {&k, false, true, NULL};
    tp_err e = {0};
    const stats_unit *u;
    stats_init(&s);
    assert_int_equal(gpu_run_gemm_opts(c, &pb, &o, &s, &info, &e), TP_OK);
    assert_int_equal(s.cycles, 305);
    assert_int_equal(info.l2_hits, 26);
    assert_int_equal(info.l2_misses, 6);
    u = stats_find_unit(&s, "sm0");
    assert_non_null(u);
    assert_int_equal(u->cycles[STATS_SM_CP_ASYNC_WAIT], 162);
    assert_int_equal(u->cycles[STATS_SM_BUSY], 8);
    assert_int_equal(u->cycles[STATS_SM_SMEM_BANDWIDTH], 22 + 8);
    assert_int_equal(u->cycles[STATS_SM_ISSUE], 4);
    assert_int_equal(u->cycles[STATS_SM_BARRIER], 1);
    assert_int_equal(u->cycles[STATS_SM_MMA_LATENCY], 4);
    assert_int_equal(u->cycles[STATS_SM_DRAM], 305 - 209);
    assert_int_equal(stats_check(&s, &e), TP_OK);
    assert_int_equal(s.macs, 16 * 8 * 16);
    assert_true(fabs(s.peak_macs_per_cycle - 256.0) < 1e-9);   /* 1 unit x 2048 MACs / 8 */
    assert_string_equal(s.machine_kind, "gpu");
    assert_string_equal(s.compute_unit, "SM");
    assert_true(s.timing_only);
    {
        const stats_level *d = stats_find_level(&s, "dram");
        const stats_level *l2 = stats_find_level(&s, "l2");
        assert_non_null(d);
        assert_non_null(l2);
        assert_int_equal(d->bus_bytes, 6 * 128 + 256);    /* misses x line, and C */
        assert_int_equal(l2->read_bytes, 1024);
        assert_int_equal(l2->kind, STATS_LEVEL_CACHE);
    }
    assert_string_equal(stats_attr_get(&s, "l2_misses"), "6");
    stats_free(&s);
    free(c);
}

/* Energy on TINY with 1 pJ per bf16 MAC, 10 per DRAM byte, 2 per L2 byte, 3 per shared-memory
 * byte, for the one-CTA run above: 2048 MACs; DRAM bus 6 x 128 + 256 = 1024 bytes; L2 1024
 * bytes read + 256 written; shared memory one K-step: 2 ldmatrix x 512 read + 768 written by
 * cp.async = 1792 bytes. 2048 + 10240 + 2560 + 5376 = 20224 pJ. */
static void energy_by_level(void **state)
{
    (void)state;
    char yaml[2048];
    tp_config *c;
    gpu_kernel k;
    gemm_problem pb = problem(16, 8, 16, TP_BF16);
    tp_stats s;
    tp_err e = {0};
    snprintf(yaml, sizeof yaml, "%s  energy: {mac_bf16_pj: 1, dram_pj_per_byte: 10, l2_pj_per_byte: 2, smem_pj_per_byte: 3}\n",
             TINY);
    c = load_string(yaml, NULL, 0);
    k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 16, 8, 16, 16, 8, 2);
    stats_init(&s);
    assert_int_equal(gpu_run_gemm(c, &pb, &k, &s, &e), TP_OK);
    assert_true(s.has_energy);
    assert_true(fabs(s.energy_mac_pj - 2048.0) < 1e-6);
    assert_true(fabs(s.energy_offchip_pj - 10240.0) < 1e-6);
    assert_true(fabs(s.energy_onchip_pj - (2560.0 + 5376.0)) < 1e-6);
    assert_true(fabs(s.energy_pj - 20224.0) < 1e-6);
    stats_free(&s);
    free(c);
}

/* The launch overhead is a time added in front: 3 us more on TINY at 1 GHz is 3000 cycles
 * charged `launch`; with a sustained clock of 500 MHz the same overhead is 1500 cycles, so the
 * seconds still grow by exactly 3 us. */
static void launch_overhead_is_a_time(void **state)
{
    (void)state;
    const char *s0[] = {"gpu.launch_overhead=3us"};
    const char *s1[] = {"gpu.launch_overhead=3us", "gpu.sustained_clock=500MHz"};
    const char *s2[] = {"gpu.sustained_clock=500MHz"};
    tp_config *c0 = load_string(TINY, NULL, 0), *c1 = load_string(TINY, s0, 1);
    tp_config *c2 = load_string(TINY, s1, 2), *c3 = load_string(TINY, s2, 1);
    gemm_problem pb = problem(64, 64, 256, TP_BF16);
    tp_stats a, b, d, f;
    tp_err e = {0};
    stats_init(&a), stats_init(&b), stats_init(&d), stats_init(&f);
    assert_int_equal(gpu_run_gemm(c0, &pb, NULL, &a, &e), TP_OK);
    assert_int_equal(gpu_run_gemm(c1, &pb, NULL, &b, &e), TP_OK);
    assert_int_equal(gpu_run_gemm(c2, &pb, NULL, &d, &e), TP_OK);
    assert_int_equal(gpu_run_gemm(c3, &pb, NULL, &f, &e), TP_OK);
    assert_int_equal(b.cycles, a.cycles + 3000);
    assert_int_equal(total_cause(&b, STATS_SM_LAUNCH), 3000);
    assert_int_equal(d.cycles, f.cycles + 1500);
    assert_true(fabs((d.seconds - f.seconds) - 3e-6) < 1e-12);
    assert_int_equal(d.clock_hz, 500000000ull);
    stats_free(&a), stats_free(&b), stats_free(&d), stats_free(&f);
    free(c0), free(c1), free(c2), free(c3);
}

/* gpu.launch_overhead is a time in its own right: the same 3us whatever gpu.clock is (it is
 * stored as 3,000,000 ps, not as cycles of either clock), and a bare number (which elsewhere
 * means cycles) is refused in one line naming the key. */
static void launch_overhead_not_through_a_clock(void **state)
{
    (void)state;
    const char *s0[] = {"gpu.launch_overhead=3us"};
    const char *s1[] = {"gpu.launch_overhead=3us", "gpu.clock=1.41GHz"};
    const char *bad[] = {"gpu.launch_overhead=4230"};
    tp_config *c0 = load_string(TINY, s0, 1), *c1 = load_string(TINY, s1, 2), *c2 = calloc(1, sizeof *c2);
    tp_err e = {0};
    assert_true(c0->gpu.launch_overhead_ps == 3000000ull);
    assert_true(c1->gpu.launch_overhead_ps == 3000000ull);
    assert_non_null(c2);
    assert_int_equal(cfg_load_string("tiny.yaml", TINY, bad, 1, c2, &e), TP_ERR_CONFIG);
    assert_non_null(strstr(e.msg, "gpu.launch_overhead"));
    assert_null(strchr(e.msg, '\n'));
    free(c0), free(c1), free(c2);
}

/* ---- waves and causes ---------------------------------------------------------------------- */

/* On the A100 (108 SMs), a 128x128x64 kernel of occupancy 1 over M = 128 x 108, N = 128 runs
 * 108 CTAs in one wave; one more tile-row (109 CTAs) needs a second wave in which one SM works
 * and 107 wait: the waiting shows as wave_tail, close to 107 SMs x the time the run grew by
 * (the second wave's CTA runs alone, so it is faster than the first wave's, which share DRAM:
 * the run grows by less than one first-wave time, but by more than half). The quantization
 * the second wave adds: 107 x the growth, within 10%. */
static void wave_quantization(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-a100.yaml", NULL, 0);
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 128, 128, 64, 64, 64, 4);
    gemm_problem p1 = problem(128 * 108, 128, 4096, TP_BF16), p2 = problem(128 * 109, 128, 4096, TP_BF16);
    tp_stats a, b;
    tp_err e = {0};
    uint64_t one, tail;
    stats_init(&a), stats_init(&b);
    assert_int_equal(gpu_run_gemm(c, &p1, &k, &a, &e), TP_OK);
    assert_int_equal(gpu_run_gemm(c, &p2, &k, &b, &e), TP_OK);
    assert_string_equal(stats_attr_get(&a, "waves"), "1");
    assert_string_equal(stats_attr_get(&b, "waves"), "2");
    one = a.cycles - (uint64_t)(c->gpu.launch_overhead_ps * 1e-12 * (double)c->gpu.clock_hz + 0.5);
    assert_true(b.cycles - a.cycles > one / 2 && b.cycles - a.cycles < one);
    tail = total_cause(&b, STATS_SM_WAVE_TAIL) - total_cause(&a, STATS_SM_WAVE_TAIL);
    assert_true(tail > 107 * (b.cycles - a.cycles) * 9 / 10 && tail < 107 * (b.cycles - a.cycles) * 11 / 10);
    assert_int_equal(stats_cause_category(STATS_KIND_SM, STATS_SM_WAVE_TAIL), STATS_CAT_QUANTIZATION);
    /* in one wave, wave_tail is only the spread of the SMs' finishing times (DRAM order) */
    assert_true(total_cause(&a, STATS_SM_WAVE_TAIL) < 108 * one / 5);
    /* utilization = useful MACs / (cycles x peak): 109/108 the MACs over the longer run */
    assert_true(fabs(b.utilization / a.utilization - 109.0 / 108.0 * (double)a.cycles / (double)b.cycles) < 1e-9);
    stats_free(&a), stats_free(&b);
    free(c);
}

/* Partial tiles: N = 129 with 128-wide tiles issues a second column of tiles that is 1/128
 * useful: its MMAs show as padding, and utilization counts only the useful MACs. */
static void tile_quantization(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-a100.yaml", NULL, 0);
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_BF16, 128, 128, 64, 64, 64, 4);
    gemm_problem pb = problem(128 * 54, 129, 2048, TP_BF16);
    tp_stats s;
    tp_err e = {0};
    uint64_t busy, pad;
    stats_init(&s);
    assert_int_equal(gpu_run_gemm(c, &pb, &k, &s, &e), TP_OK);
    busy = total_cause(&s, STATS_SM_BUSY), pad = total_cause(&s, STATS_SM_PADDING);
    /* 54 full tiles and 54 tiles of 1 useful column in 128: padding = 127/256 of the MMA time */
    assert_true(fabs((double)pad / (double)(busy + pad) - 127.0 / 256.0) < 0.01);
    assert_int_equal(s.macs, (uint64_t)128 * 54 * 129 * 2048);
    assert_int_equal(stats_check(&s, &e), TP_OK);
    stats_free(&s);
    free(c);
}

/* Every cause of every SM sums to the run's cycles, on runs that exercise each path: the
 * chooser on square, skinny and small shapes, transposes, split-K, occupancy 2, the naive
 * layout (bank conflicts appear and cost cycles), lrr scheduling, int8, fp16 on V100. */
static void causes_sum_to_total(void **state)
{
    (void)state;
    const char *lrr[] = {"gpu.scheduler=lrr"};
    tp_config *a100 = load_file("configs/gpu-a100.yaml", NULL, 0);
    tp_config *a100l = load_file("configs/gpu-a100.yaml", lrr, 1);
    tp_config *v100 = load_file("configs/gpu-v100.yaml", NULL, 0);
    struct {
        tp_config *c;
        uint32_t m, n, k;
        tp_dtype dt;
        bool ta, tb, fp16, naive, split;
    } runs[] = {
        {a100, 1024, 1024, 1024, TP_BF16, false, false, false, false, false},
        {a100, 512, 16, 4096, TP_BF16, false, false, false, false, false},
        {a100, 1000, 700, 300, TP_BF16, true, true, false, false, false},
        {a100, 256, 256, 8192, TP_BF16, false, true, false, false, true},
        {a100, 1024, 1024, 1024, TP_BF16, false, false, false, true, false},
        {a100l, 1024, 1024, 1024, TP_BF16, false, false, false, false, false},
        {a100, 2048, 2048, 1024, TP_INT8, false, false, false, false, false},
        {v100, 1760, 64, 1760, TP_BF16, true, false, true, false, false},
    };
    uint64_t swz = 0, naive = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        gemm_problem pb = problem(runs[i].m, runs[i].n, runs[i].k, runs[i].dt);
        gpu_run_opts o;
        gpu_run_info info;
        gpu_kernel k;
        tp_stats s;
        tp_err e = {0};
        memset(&o, 0, sizeof o);
        pb.transpose_a = runs[i].ta, pb.transpose_b = runs[i].tb;
        o.fp16 = runs[i].fp16;
        if (runs[i].naive || runs[i].split) {
            k = gpu_kernel_make(&runs[i].c->gpu, gpu_in_of(runs[i].dt), 128, 128, 64, 64, 64, 3);
            k.layout = runs[i].naive ? GPU_SMEM_NAIVE : GPU_SMEM_SWIZZLED;
            k.split_k = runs[i].split ? 4 : 1;
            o.kernel = &k;
        }
        stats_init(&s);
        if (gpu_run_gemm_opts(runs[i].c, &pb, &o, &s, &info, &e) != TP_OK)
            fail_msg("run %zu: %s", i, e.msg);
        if (stats_check(&s, &e) != TP_OK)
            fail_msg("run %zu: %s", i, e.msg);
        assert_int_equal(s.macs, (uint64_t)runs[i].m * runs[i].n * runs[i].k);
        assert_true(s.utilization > 0 && s.utilization <= 1.0);
        assert_int_equal(info.step.prev_period_cycles, info.step.period_cycles);   /* sm.h note 7 */
        if (i == 0)
            swz = s.cycles;
        if (runs[i].naive) {
            naive = s.cycles;
            assert_int_equal(info.step.conflict_a, 8);   /* 128-byte rows of A, unswizzled */
            assert_true(total_cause(&s, STATS_SM_BANK_CONFLICT) > 0);
        }
        stats_free(&s);
    }
    assert_true(naive > swz);
    free(a100), free(a100l), free(v100);
}

/* The steady-wave approximation (gpu.h note 5) against the exact run: A100 8192x8192x4096
 * bf16 and V100 5124x9124x2048 fp16 (19 waves each, 14 skipped), within 1% of the cycles
 * (measured: 0.01% and 0.04%) and with the same MACs. */
static void steady_waves_error(void **state)
{
    (void)state;
    tp_config *a100 = load_file("configs/gpu-a100.yaml", NULL, 0), *v100 = load_file("configs/gpu-v100.yaml", NULL, 0);
    struct {
        tp_config *c;
        uint32_t m, n, k;
        bool fp16;
    } runs[] = {{a100, 8192, 8192, 4096, false}, {v100, 5124, 9124, 2048, true}};
    for (size_t i = 0; i < 2; i++) {
        gemm_problem pb = problem(runs[i].m, runs[i].n, runs[i].k, TP_BF16);
        gpu_run_opts o = {NULL, runs[i].fp16, false, NULL};
        gpu_run_info ia, ib;
        tp_stats a, b;
        tp_err e = {0};
        double err;
        stats_init(&a), stats_init(&b);
        assert_int_equal(gpu_run_gemm_opts(runs[i].c, &pb, &o, &a, &ia, &e), TP_OK);
        o.exact = true;
        assert_int_equal(gpu_run_gemm_opts(runs[i].c, &pb, &o, &b, &ib, &e), TP_OK);
        assert_true(ia.skipped_waves > 0);
        assert_int_equal(ib.skipped_waves, 0);
        assert_int_equal(a.macs, b.macs);
        assert_int_equal(stats_check(&a, &e), TP_OK);
        err = fabs((double)a.cycles - (double)b.cycles) / (double)b.cycles;
        printf("  steady waves: %ux%ux%u skipped %llu of %llu waves: %llu vs exact %llu cycles (%.3f%%)\n",
               runs[i].m, runs[i].n, runs[i].k, (unsigned long long)ia.skipped_waves, (unsigned long long)ia.waves,
               (unsigned long long)a.cycles, (unsigned long long)b.cycles, 100 * err);
        assert_true(err < 0.01);
        stats_free(&a), stats_free(&b);
    }
    free(a100), free(v100);
}

/* Hopper's path (gpu.wgmma, gpu.tma on H100): the 128x256x64 kernel's 8 warps lie along M as
 * 16 x 256 warp tiles (two warpgroups of 64 x 256); registers = 16*256/32 = 128 accumulators
 * + 24 = 152, no fragments. Its MMAs read A and B from shared memory: per K-step 8 warps x 4
 * slices x (16*16 + 16*256/4) x 2 bytes = 81920 bytes, against 8 x 4 x 8 ldmatrix x 512 =
 * 131072 for the same CTA tile on the mma.sync path (gpu.wgmma=false, 64x64 warps), so the
 * shared-memory port, which limits the mma.sync path on H100, holds it less: faster. */
static void hopper_warpgroup_mma(void **state)
{
    (void)state;
    const char *off[] = {"gpu.wgmma=false", "gpu.tma=false"};
    tp_config *h = load_file("configs/gpu-h100.yaml", NULL, 0), *h0 = load_file("configs/gpu-h100.yaml", off, 2);
    gpu_kernel kw = gpu_kernel_make(&h->gpu, GPU_IN_BF16, 128, 256, 64, 64, 64, 3);
    gpu_kernel ks = gpu_kernel_make(&h0->gpu, GPU_IN_BF16, 128, 256, 64, 64, 64, 3);
    gpu_kernel_info x;
    gpu_sm_step sw, ss;
    gemm_problem pb = problem(4096, 4096, 4096, TP_BF16);
    tp_stats a, b;
    tp_err e = {0};
    assert_true(kw.wgmma && kw.tma);
    assert_false(ks.wgmma);
    assert_int_equal(kw.wm, 16);
    assert_int_equal(kw.wn, 256);
    assert_int_equal(gpu_kernel_check(&h->gpu, &kw, &x, &e), TP_OK);
    assert_int_equal(x.regs_per_thread, 152);
    assert_int_equal(gpu_sm_step_run(&h->gpu, &kw, false, false, &sw, &e), TP_OK);
    assert_int_equal(gpu_sm_step_run(&h0->gpu, &ks, false, false, &ss, &e), TP_OK);
    assert_int_equal(sw.smem_read_bytes, 81920);
    assert_int_equal(ss.smem_read_bytes, 131072);
    assert_true(sw.period_cycles < ss.period_cycles);
    assert_true(sw.period_cycles >= sw.pipe_cycles);
    stats_init(&a), stats_init(&b);
    assert_int_equal(gpu_run_gemm(h, &pb, &kw, &a, &e), TP_OK);
    assert_int_equal(gpu_run_gemm(h0, &pb, &ks, &b, &e), TP_OK);
    assert_true(a.cycles < b.cycles);
    assert_int_equal(stats_check(&a, &e), TP_OK);
    stats_free(&a), stats_free(&b);
    free(h), free(h0);
}

/* int8 on V100 (no int8 tensor cores) runs on the SIMT lanes as dp4a: a warp instruction is 32
 * lanes x a 4-element dot product = 128 MACs (shape 8x4x4), 16 lanes per sub-core -> interval 2,
 * so 4 x 128 / 2 = 256 MACs per SM per cycle = fma_lanes_per_sm x 4, the config's dp4a peak.
 * A 128x128x128 kernel of 4 warps (one per sub-core): per K-step 32 slices x 8 x 16 = 4096
 * instructions x 2 cycles = 8192 pipe cycles = 128^3 MACs / 256. */
static void dp4a_on_simt_lanes(void **state)
{
    (void)state;
    tp_config *c = load_file("configs/gpu-v100.yaml", NULL, 0);
    gpu_kernel k = gpu_kernel_make(&c->gpu, GPU_IN_INT8, 128, 128, 128, 64, 64, 2);
    gemm_problem pb = problem(2048, 2048, 2048, TP_INT8);
    tp_mma_cfg pipe;
    uint32_t units;
    gpu_sm_step st;
    tp_stats s;
    tp_err e = {0};
    assert_true(k.simt);
    assert_int_equal(gpu_pipe(&c->gpu, GPU_IN_INT8, &pipe, &units, &e), TP_OK);
    assert_int_equal(pipe.m * pipe.n * pipe.k, 128);
    assert_int_equal(pipe.interval_cycles, 2);
    assert_int_equal(units, 1);
    assert_int_equal(gpu_sm_step_run(&c->gpu, &k, false, false, &st, &e), TP_OK);
    assert_int_equal(st.pipe_cycles, 8192);
    assert_true(st.period_cycles >= 8192);
    stats_init(&s);
    assert_int_equal(gpu_run_gemm(c, &pb, &k, &s, &e), TP_OK);
    assert_true(fabs(s.peak_macs_per_cycle - 80.0 * 256.0) < 1e-9);
    assert_true(s.utilization > 0.5 && s.utilization <= 1.0);
    assert_int_equal(stats_check(&s, &e), TP_OK);
    stats_free(&s);
    free(c);
}

/* Random shapes (a fixed LCG) on every shipped GPU config and the dtypes each has: every run
 * succeeds, its causes sum to the total, the MACs are exactly M*N*K*batch, utilization is at
 * most 1 and the run is never shorter than its launch overhead. */
static void random_shapes_consistent(void **state)
{
    (void)state;
    static const char *const files[] = {"configs/gpu-a100.yaml", "configs/gpu-h100.yaml", "configs/gpu-v100.yaml",
                                        "configs/gpu-rtx2080.yaml", "configs/gpu-t4.yaml"};
    uint64_t x = 12345;
    for (int f = 0; f < 5; f++) {
        tp_config *c = load_file(files[f], NULL, 0);
        for (int i = 0; i < 6; i++) {
            gemm_problem pb;
            gpu_run_opts o;
            tp_stats s;
            tp_err e = {0};
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            pb = problem(1 + (uint32_t)(x >> 33) % 2500, 1 + (uint32_t)(x >> 45) % 2500, 1 + (uint32_t)(x >> 20) % 3000,
                         (x >> 60) & 1 ? TP_INT8 : TP_BF16);
            pb.transpose_a = (x >> 58) & 1, pb.transpose_b = (x >> 57) & 1;
            pb.batch = 1 + (uint32_t)((x >> 55) & 1);
            memset(&o, 0, sizeof o);
            if (f >= 2 && pb.dtype == TP_BF16)
                o.fp16 = true;           /* V100 and RTX 2080 have fp16, not bf16, tensor cores */
            stats_init(&s);
            if (gpu_run_gemm_opts(c, &pb, &o, &s, NULL, &e) != TP_OK)
                fail_msg("%s %ux%ux%u: %s", files[f], pb.m, pb.n, pb.k, e.msg);
            if (stats_check(&s, &e) != TP_OK)
                fail_msg("%s %ux%ux%u: %s", files[f], pb.m, pb.n, pb.k, e.msg);
            assert_int_equal(s.macs, (uint64_t)pb.m * pb.n * pb.k * pb.batch);
            assert_true(s.utilization > 0 && s.utilization <= 1.0);
            for (uint32_t l = 0; l < s.n_levels; l++)   /* no level moves more than its peak */
                if (s.levels[l].bandwidth_utilization > 1.0 || s.levels[l].read_utilization > 1.0 ||
                    s.levels[l].write_utilization > 1.0)
                    fail_msg("%s %ux%ux%u: %s at %.6f of its peak", files[f], pb.m, pb.n, pb.k, s.levels[l].name,
                             s.levels[l].bandwidth_utilization);
            assert_true(s.seconds > (double)c->gpu.launch_overhead_ps * 1e-12);
            stats_free(&s);
        }
        free(c);
    }
}

/* A DRAM-saturated run (4096x4096x32768 bf16, a 128x64 tile without rasterization panels, on
 * an A100 whose L2 is cut to 512 KiB: A and B panels far beyond it) whose steady waves are
 * skipped: the skipped waves last at least their DRAM bytes at peak,
 * so DRAM never moves more than its peak, and the shared-memory port never more than its own
 * (the SM model's window is corrected to the steady K-step, sm.c note 7). */
static void saturated_levels_stay_below_peak(void **state)
{
    (void)state;
    const char *sets[] = {"gpu.l2.size=512KiB"};
    tp_config *c = load_file("configs/gpu-a100.yaml", sets, 1);
    gemm_problem pb = problem(4096, 4096, 32768, TP_BF16);
    gpu_kernel k;
    tp_err e = {0};
    assert_int_equal(gpu_kernel_parse(&c->gpu, GPU_IN_BF16, "128x64x64/64x32/s4/k1/w1", &k, &e), TP_OK);
    gpu_run_opts o;
    memset(&o, 0, sizeof o);
    o.kernel = &k;
    tp_stats s;
    stats_init(&s);
    assert_int_equal(gpu_run_gemm_opts(c, &pb, &o, &s, NULL, &e), TP_OK);
    const stats_level *d = stats_find_level(&s, "dram"), *sm = stats_find_level(&s, "smem");
    assert_non_null(d);
    assert_non_null(sm);
    assert_true(d->bandwidth_utilization > 0.99 && d->bandwidth_utilization <= 1.0);
    assert_true(sm->bandwidth_utilization <= 1.0);
    assert_non_null(stats_attr_get(&s, "waves_skipped"));
    stats_free(&s);
    free(c);
}

TH_GROUP(gpu)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(occupancy_limits),
        cmocka_unit_test(kernel_text),
        cmocka_unit_test(missing_path_is_one_line),
        cmocka_unit_test(bank_conflicts_from_addresses),
        cmocka_unit_test(rasterization_order),
        cmocka_unit_test(l2_lru_known_order),
        cmocka_unit_test(l2_set_hash_spreads_strides),
        cmocka_unit_test(volta_quad_pair_operands),
        cmocka_unit_test(c_stores_hold_the_cta),
        cmocka_unit_test(chooser_sizes_tiles),
        cmocka_unit_test(sm_cycles_by_hand),
        cmocka_unit_test(one_cta_run_by_hand),
        cmocka_unit_test(energy_by_level),
        cmocka_unit_test(launch_overhead_is_a_time),
        cmocka_unit_test(launch_overhead_not_through_a_clock),
        cmocka_unit_test(wave_quantization),
        cmocka_unit_test(tile_quantization),
        cmocka_unit_test(causes_sum_to_total),
        cmocka_unit_test(steady_waves_error),
        cmocka_unit_test(hopper_warpgroup_mma),
        cmocka_unit_test(dp4a_on_simt_lanes),
        cmocka_unit_test(random_shapes_consistent),
        cmocka_unit_test(saturated_levels_stay_below_peak),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
