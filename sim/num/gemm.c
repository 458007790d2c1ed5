/* GEMM value kernels. The order of operations is defined in gemm.h; this file has three ways of
 * following it: the reference triple loop, and one blocked driver run with either a portable C
 * micro-kernel, an AVX2/FMA one or an AVX-512 one (picked at run time, named with num_gemm_pool,
 * or forced with the environment variable TPUSIM_KERNEL).
 *
 * DESIGN OF THE BLOCKED DRIVER
 * 1. C is cut into tiles (up to TM_MAX x TN_MAX; with W workers, about TASKS_PER_WORKER * W
 *    tiles of near-equal size). Each tile is one task of a num_pool run (num/pool.h): tasks are
 *    handed out as workers come free, each exactly once; every element of C is written by
 *    exactly one task and its order of operations is fixed by kc alone, so neither the worker
 *    count nor the tile shape nor which worker runs which tile can change a bit. A worker's
 *    packing buffers are its pool scratch, kept between calls (a machine makes thousands).
 * 2. Inside a tile, K is cut into blocks that never straddle a chunk boundary in a way that
 *    changes the order: if kc <= KB a block holds whole chunks (floor(KB/kc) of them, the last
 *    one possibly cut short by K); if kc > KB a chunk is split into ceil(kc/KB) blocks and the
 *    running chunk sum P is parked in a per-worker buffer (Pbuf) between blocks.
 * 3. For each block, the tile's B block (kb x tile width) is packed once into NR-wide panels
 *    (k-major), then for each MC-row block of the tile the A block (mc x kb) into MR-high
 *    panels, converted to fp32 (bf16 -> fp32 is a 16-bit shift) or to int32 / int16 pairs.
 *    fp32 A panels are row-major (row r at panel + r*kb): packing is a straight conversion of
 *    contiguous rows (16 values per AVX2 step), not a transposition, which matters when a call
 *    has a short K and few columns (the machine's ws ops: k = n = 128) and A is packed about as
 *    often as it is used; the kernel broadcasts A[r][k] from MR row streams. Padding
 *    rows/columns are zero and their results are never stored (edge micro-tiles run on a copy).
 * 4. The micro-kernel owns an MR x NR tile: for each chunk in its block, P = +0.0 (or Pbuf),
 *    then for k ascending P[r][j] = fma(A[r][k], B[k][j], P[r][j]) in every lane — exactly the
 *    scalar order, one lane per output element — then C = P (the very first chunk when not
 *    accumulating) or C = C + P, or P is parked in Pbuf if the chunk continues in the next block.
 * 5. NaN results are stored as the canonical quiet NaN 0x7fc00000 (see gemm.h), so the payload
 *    never depends on which instruction form or library fmaf a build used.
 * int8: integer sums modulo 2^32 are associative, so any grouping gives the same bits; the
 *    driver treats every K block as its own chunk and the AVX2 and AVX-512 kernels multiply pairs
 *    of k with vpmaddwd (a0*b0 + a1*b1 in 32 bits, exact: at most 2 * 2^14), the VNNI one with
 *    vpdpwssd (the same sum added into the accumulator in one instruction).
 */
#include "num/gemm.h"
#include "base/util.h"
#include <float.h>
#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GEMM_HAVE_AVX2 1
#include <immintrin.h>
#else
#define GEMM_HAVE_AVX2 0
#endif

/* float expressions must be evaluated in float (SSE), not x87 extended precision, or the
 * reference's C + P would round differently from the kernels' */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "tpusim needs FLT_EVAL_METHOD == 0 (on 32-bit x86 build with -msse2 -mfpmath=sse)"
#endif

enum {
    KB = 256,      /* K block: a B micro-panel is KB*NR*4 = 16 KiB (NR = 16), L1-resident */
    MC = 96,       /* row block (a multiple of every micro-tile height): the packed A block is
                      MC*KB*4 = 96 KiB, L2-resident */
    TM_MAX = 4 * MC,   /* largest tile: 384 rows share one packed B block */
    TN_MAX = 512,  /* largest tile width: the packed B block is KB*TN_MAX*4 = 512 KiB */
    TN_MIN = 32,   /* narrowest tile when splitting for threads */
    TASKS_PER_WORKER = 3, /* tiles per worker when splitting C for several workers */
    SMALL_MNK = 1 << 17   /* below m*n*k this, one thread by default (start-up costs more) */
};

#define CANON_NAN_BITS 0x7fc00000u   /* num_f32_canon's NaN */
#define canon num_f32_canon

static inline uint32_t kc_effective(const num_gemm_args *g)
{
    return (g->kc == 0 || g->kc > g->k) ? g->k : g->kc;
}

/* ---- reference --------------------------------------------------------------------------- */

void num_gemm_ref(tp_dtype dt, const num_gemm_args *g)
{
    uint32_t kc = kc_effective(g);
    for (uint32_t i = 0; i < g->m; i++) {
        for (uint32_t j = 0; j < g->n; j++) {
            if (dt == TP_BF16) {
                const uint16_t *a = g->a, *b = g->b;
                float *c = (float *)g->c + (size_t)i * g->ldc + j;
                if (g->k == 0) {
                    if (!g->accumulate)
                        *c = 0.0f;
                    continue;
                }
                bool have = g->accumulate;
                float acc = have ? *c : 0.0f;
                for (uint32_t k0 = 0; k0 < g->k; k0 += kc) {
                    uint32_t k1 = g->k - k0 < kc ? g->k : k0 + kc;
                    float p = 0.0f;
                    for (uint32_t k = k0; k < k1; k++)
                        p = num_bf16_mac(p, a[i * g->a_rs + k * g->a_cs], b[k * g->b_rs + j * g->b_cs]);
                    acc = have ? acc + p : p;
                    have = true;
                }
                *c = canon(acc);
            } else {
                const int8_t *a = g->a, *b = g->b;
                int32_t *c = (int32_t *)g->c + (size_t)i * g->ldc + j;
                uint32_t acc = g->accumulate ? (uint32_t)*c : 0u;
                for (uint32_t k = 0; k < g->k; k++)
                    acc += (uint32_t)((int32_t)a[i * g->a_rs + k * g->a_cs] *
                                      (int32_t)b[k * g->b_rs + j * g->b_cs]);
                *c = num_wrap_i32(acc);
            }
        }
    }
}

/* ---- blocked driver ------------------------------------------------------------------------ */

enum {
    KF_P_LOAD = 1,        /* the block's first chunk continues a chunk: P starts from Pbuf */
    KF_P_SAVE = 2,        /* the block's last chunk continues in the next block: park P in Pbuf */
    KF_FIRST_STORE = 4    /* the first chunk completed in this call is stored into C, not added */
};

/* Packs rows [i0, i0+mr) x k in [k0, k0+kb) of A into one panel of h rows (the kernel's
 * micro-tile height); rows >= mr are zero. Layout is the kernel's (see each ops table). */
typedef void (*pack_a_fn)(void *dst, const num_gemm_args *g, uint32_t i0, uint32_t mr,
                          uint32_t k0, uint32_t kb, uint32_t h);
/* Packs k in [k0, k0+kb) x columns [j0, j0+nr) of B into one panel w wide (the micro-tile
 * width), k-major; columns >= nr are zero. */
typedef void (*pack_b_fn)(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb,
                          uint32_t j0, uint32_t nr, uint32_t w);
/* One micro-tile over a block of kb k-steps holding chunks of kcin steps (the last one may be
 * shorter). C has row stride ldc; Pb is this micro-tile's parking slot (mr x nr floats). */
typedef void (*kernel_fn)(uint32_t kb, uint32_t kcin, const void *ap, const void *bp, void *c,
                          size_t ldc, void *pb, unsigned flags);

typedef struct {
    pack_a_fn pack_a;
    pack_b_fn pack_b;
    kernel_fn kernel;
    uint32_t mr, nr;        /* micro-tile: rows (A panel height) x columns (B panel width) */
    uint32_t elem_bytes;    /* bytes per packed element per k step (int16 pairs: 2) */
    bool integer;           /* int8: grouping does not matter, every block is one chunk */
} gemm_ops;

enum { MR_MAX = 6, NR_MAX = 32 };   /* largest micro-tile of any ops table (AVX-512: 6 x 32) */

/* One num_gemm call, shared by its tasks (read-only while they run). */
typedef struct {
    const num_gemm_args *g;
    const gemm_ops *ops;
    uint32_t kc;             /* effective chunk */
    uint32_t tile_m, tile_n; /* C tile shape: multiples of mr x nr */
    uint32_t tiles_m;        /* tiles along M; task t is tile (t % tiles_m, t / tiles_m) */
    size_t a_bytes, b_bytes; /* per-worker scratch: packed A row block, packed B tile block, */
    size_t p_bytes;          /* and the parking slots of long chunks */
    unsigned char *scratch[NUM_POOL_MAX];
} gemm_call;

static inline uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t round_up(uint32_t x, uint32_t to) { return (uint32_t)(((uint64_t)x + to - 1) / to * to); }

/* Runs the micro-kernel on the tile at C(i, j) of which mr x nr are real. */
static void run_tile(const gemm_call *gc, uint32_t i, uint32_t j, uint32_t mr, uint32_t nr,
                     uint32_t kb, uint32_t kcin, const void *ap, const void *bp, void *pb,
                     unsigned flags)
{
    const num_gemm_args *g = gc->g;
    const gemm_ops *o = gc->ops;
    size_t off = (size_t)i * g->ldc + j;
    void *c = (char *)g->c + off * 4;
    if (mr == o->mr && nr == o->nr) {
        o->kernel(kb, kcin, ap, bp, c, g->ldc, pb, flags);
        return;
    }
    /* edge tile: work on a full-size copy, write back the real part (4-byte elements) */
    uint32_t tmp[MR_MAX * NR_MAX];
    memset(tmp, 0, sizeof tmp);
    for (uint32_t r = 0; r < mr; r++)
        memcpy(tmp + r * o->nr, (const char *)c + (size_t)r * g->ldc * 4, (size_t)nr * 4);
    o->kernel(kb, kcin, ap, bp, tmp, o->nr, pb, flags);
    for (uint32_t r = 0; r < mr; r++)
        memcpy((char *)c + (size_t)r * g->ldc * 4, tmp + r * o->nr, (size_t)nr * 4);
}

static void do_tile(const gemm_call *gc, unsigned char *abuf, unsigned char *bbuf,
                    unsigned char *pbuf, uint32_t ti, uint32_t tj)
{
    const num_gemm_args *g = gc->g;
    const gemm_ops *o = gc->ops;
    const uint32_t MR = o->mr, NR = o->nr;
    const size_t a_panel = (size_t)MR * KB * o->elem_bytes, b_panel = (size_t)KB * NR * o->elem_bytes;
    uint32_t i0 = ti * gc->tile_m, j0 = tj * gc->tile_n;
    uint32_t tm = min_u32(gc->tile_m, g->m - i0), tn = min_u32(gc->tile_n, g->n - j0);
    uint32_t npb = (tn + NR - 1) / NR;
    uint32_t kc = o->integer ? KB : gc->kc;
    bool c_ready = g->accumulate;   /* C already holds a value to add to */

    for (uint32_t c0 = 0; c0 < g->k;) {
        /* the next block [c0, c0+kb): whole chunks, or a piece of one long chunk */
        uint32_t kb, kcin;
        unsigned flags = 0;
        if (kc <= KB) {
            kb = min_u32((KB / kc) * kc, g->k - c0);
            kcin = kc;
        } else {
            uint32_t chunk0 = c0 - c0 % kc;        /* chunks start at multiples of kc */
            uint32_t chunk_len = min_u32(kc, g->k - chunk0);
            uint32_t pieces = (chunk_len + KB - 1) / KB;
            uint32_t piece = (chunk_len + pieces - 1) / pieces;
            uint32_t in = c0 - chunk0;
            kb = min_u32(piece, chunk_len - in);
            kcin = kb;
            if (in > 0)
                flags |= KF_P_LOAD;
            if (in + kb < chunk_len)
                flags |= KF_P_SAVE;
        }
        if (!c_ready)
            flags |= KF_FIRST_STORE;
        /* B block: packed once per K block and shared by every MC row block of the tile */
        for (uint32_t pb = 0; pb < npb; pb++)
            o->pack_b(bbuf + pb * b_panel, g, c0, kb, j0 + pb * NR, min_u32(NR, tn - pb * NR), NR);
        for (uint32_t ic = 0; ic < tm; ic += MC) {
            uint32_t mc = min_u32(MC, tm - ic), npa = (mc + MR - 1) / MR;
            for (uint32_t pa = 0; pa < npa; pa++)
                o->pack_a(abuf + pa * a_panel, g, i0 + ic + pa * MR, min_u32(MR, mc - pa * MR), c0,
                          kb, MR);
            /* B micro-panel (kb x NR) stays in L1 while the A panels of the row block stream */
            for (uint32_t pb = 0; pb < npb; pb++)
                for (uint32_t pa = 0; pa < npa; pa++) {
                    size_t slot = ((size_t)(ic / MR + pa) * npb + pb) * MR * NR * 4;
                    run_tile(gc, i0 + ic + pa * MR, j0 + pb * NR, min_u32(MR, mc - pa * MR),
                             min_u32(NR, tn - pb * NR), kb, kcin, abuf + pa * a_panel,
                             bbuf + pb * b_panel, pbuf + slot, flags);
                }
        }
        if (!(flags & KF_P_SAVE))
            c_ready = true;    /* at least one chunk was combined into C */
        c0 += kb;
    }
}

static void gemm_task(void *arg, int worker, uint32_t task)
{
    const gemm_call *gc = arg;
    unsigned char *s = gc->scratch[worker];
    do_tile(gc, s, s + gc->a_bytes, s + gc->a_bytes + gc->b_bytes, task % gc->tiles_m,
            task / gc->tiles_m);
}

static void zero_c(const num_gemm_args *g)
{
    /* +0.0f and int32 0 are both all-zero bits */
    for (uint32_t i = 0; i < g->m; i++)
        memset((char *)g->c + (size_t)i * g->ldc * 4, 0, (size_t)g->n * 4);
}

/* Tile shape: as large as TM_MAX x TN_MAX (fewer re-packs of B and A); with several workers
 * cut into about TASKS_PER_WORKER tiles per worker of near-equal size, so a worker that is
 * slowed down (a shared machine) does not hold up the others. Tiles keep at least MC rows and
 * TN_MIN columns. The shape never changes any value: every element's order is fixed by kc. */
static void choose_tiles(const num_gemm_args *g, const gemm_ops *o, int workers, uint32_t *tile_m,
                         uint32_t *tile_n)
{
    uint32_t nt_m = (uint32_t)util_ceil_div(g->m, TM_MAX), nt_n = (uint32_t)util_ceil_div(g->n, TN_MAX);
    uint64_t want = workers > 1 ? (uint64_t)TASKS_PER_WORKER * workers : 1;
    uint32_t max_m = g->m / MC > nt_m ? g->m / MC : nt_m;
    uint32_t max_n = g->n / TN_MIN > nt_n ? g->n / TN_MIN : nt_n;
    while ((uint64_t)nt_m * nt_n < want && nt_m < max_m)
        nt_m++;
    while ((uint64_t)nt_m * nt_n < want && nt_n < max_n)
        nt_n++;
    *tile_m = round_up((uint32_t)util_ceil_div(g->m, nt_m), o->mr);
    *tile_n = round_up((uint32_t)util_ceil_div(g->n, nt_n), o->nr);
}

static void run_blocked(const num_gemm_args *g, num_pool *pool, int threads, const gemm_ops *ops,
                        tp_dtype dt)
{
    if (g->m == 0 || g->n == 0)
        return;
    if (g->k == 0) {
        if (!g->accumulate)
            zero_c(g);
        return;
    }
    if (threads <= 0)
        threads = (uint64_t)g->m * g->n * g->k < SMALL_MNK ? 1 : num_gemm_threads_default();
    num_pool *own = NULL;
    if (!pool) {
        if (num_pool_new(threads, &own, NULL) != TP_OK) {
            num_gemm_ref(dt, g);   /* no memory for a pool: the plain loop */
            return;
        }
        pool = own;
    }
    int workers = threads < num_pool_threads(pool) ? threads : num_pool_threads(pool);

    gemm_call gc;
    memset(&gc, 0, sizeof gc);
    gc.g = g;
    gc.ops = ops;
    gc.kc = kc_effective(g);
    choose_tiles(g, ops, workers, &gc.tile_m, &gc.tile_n);
    gc.tiles_m = (uint32_t)util_ceil_div(g->m, gc.tile_m);
    uint64_t tiles = (uint64_t)gc.tiles_m * (uint32_t)util_ceil_div(g->n, gc.tile_n);
    if ((uint64_t)workers > tiles)
        workers = (int)tiles;
    gc.a_bytes = (size_t)(MC / ops->mr) * ops->mr * KB * ops->elem_bytes;
    gc.b_bytes = (size_t)(gc.tile_n / ops->nr) * KB * ops->nr * ops->elem_bytes;
    gc.p_bytes = (!ops->integer && gc.kc > KB) ? (size_t)gc.tile_m * gc.tile_n * 4 : 64;
    int ready = 0;
    for (; ready < workers; ready++)
        if (!(gc.scratch[ready] = num_pool_scratch(pool, ready, gc.a_bytes + gc.b_bytes + gc.p_bytes)))
            break;
    if (ready == 0)
        num_gemm_ref(dt, g);     /* no memory for even one set of buffers: the plain loop */
    else
        num_pool_run(pool, (uint32_t)tiles, ready, gemm_task, &gc);
    num_pool_free(own);
}

/* ---- portable packing and kernels ---------------------------------------------------------- */

/* fp32 A panel, row-major: row r of the panel at dst + r * kb (converted bf16: a 16-bit shift).
 * Each row is contiguous, so packing is a straight conversion pass (no transposition) and the
 * kernels broadcast a[r][k] from h row streams. */
static void pack_a_f32(void *dst, const num_gemm_args *g, uint32_t i0, uint32_t mr, uint32_t k0,
                       uint32_t kb, uint32_t h)
{
    const uint16_t *a = g->a;
    uint32_t *d = dst;
    for (uint32_t r = 0; r < h; r++, d += kb) {
        if (r >= mr) {
            memset(d, 0, (size_t)kb * 4);
            continue;
        }
        const uint16_t *row = a + (i0 + r) * g->a_rs + k0 * g->a_cs;
        if (g->a_cs == 1)
            for (uint32_t k = 0; k < kb; k++)
                d[k] = (uint32_t)row[k] << 16;
        else
            for (uint32_t k = 0; k < kb; k++)
                d[k] = (uint32_t)row[k * g->a_cs] << 16;
    }
}

static void pack_b_f32(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb, uint32_t j0,
                       uint32_t nr, uint32_t w)
{
    const uint16_t *b = g->b;
    uint32_t *d = dst;
    for (uint32_t k = 0; k < kb; k++) {
        const uint16_t *row = b + (k0 + k) * g->b_rs + j0 * g->b_cs;
        for (uint32_t j = 0; j < w; j++)
            d[k * w + j] = j < nr ? (uint32_t)row[j * g->b_cs] << 16 : 0u;
    }
}

/* int32 A panel, k-major: element (r, k) at dst[k * h + r] */
static void pack_a_i32(void *dst, const num_gemm_args *g, uint32_t i0, uint32_t mr, uint32_t k0,
                       uint32_t kb, uint32_t h)
{
    const int8_t *a = g->a;
    int32_t *d = dst;
    for (uint32_t k = 0; k < kb; k++)
        for (uint32_t r = 0; r < h; r++)
            d[k * h + r] = r < mr ? a[(i0 + r) * g->a_rs + (k0 + k) * g->a_cs] : 0;
}

static void pack_b_i32(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb, uint32_t j0,
                       uint32_t nr, uint32_t w)
{
    const int8_t *b = g->b;
    int32_t *d = dst;
    for (uint32_t k = 0; k < kb; k++) {
        const int8_t *row = b + (k0 + k) * g->b_rs + j0 * g->b_cs;
        for (uint32_t j = 0; j < w; j++)
            d[k * w + j] = j < nr ? row[j * g->b_cs] : 0;
    }
}

enum { PMR = 6, PNR = 16 };   /* the portable and AVX2 micro-tile */

static void kernel_f32_c(uint32_t kb, uint32_t kcin, const void *ap, const void *bp, void *cv,
                         size_t ldc, void *pbv, unsigned flags)
{
    const float *a = ap, *b = bp;
    float *c = cv, *pb = pbv;
    float p[PMR * PNR];
    bool store = flags & KF_FIRST_STORE;
    for (uint32_t k = 0; k < kb;) {
        uint32_t len = min_u32(kcin, kb - k);
        if (k == 0 && (flags & KF_P_LOAD))
            memcpy(p, pb, sizeof p);
        else
            for (int x = 0; x < PMR * PNR; x++)
                p[x] = 0.0f;
        for (uint32_t kk = k; kk < k + len; kk++)
            for (int r = 0; r < PMR; r++)
                for (int j = 0; j < PNR; j++)
                    p[r * PNR + j] = fmaf(a[r * kb + kk], b[kk * PNR + j], p[r * PNR + j]);
        k += len;
        if (k == kb && (flags & KF_P_SAVE)) {
            memcpy(pb, p, sizeof p);
        } else {
            for (int r = 0; r < PMR; r++)
                for (int j = 0; j < PNR; j++) {
                    float *x = &c[r * ldc + j];
                    *x = canon(store ? p[r * PNR + j] : *x + p[r * PNR + j]);
                }
            store = false;
        }
    }
}

static void kernel_i32_c(uint32_t kb, uint32_t kcin, const void *ap, const void *bp, void *cv,
                         size_t ldc, void *pbv, unsigned flags)
{
    (void)kcin;
    (void)pbv;
    const int32_t *a = ap, *b = bp;
    int32_t *c = cv;
    uint32_t p[PMR * PNR] = {0};
    for (uint32_t k = 0; k < kb; k++)
        for (int r = 0; r < PMR; r++)
            for (int j = 0; j < PNR; j++)
                p[r * PNR + j] += (uint32_t)(a[k * PMR + r] * b[k * PNR + j]);
    for (int r = 0; r < PMR; r++)
        for (int j = 0; j < PNR; j++) {
            int32_t *x = &c[r * ldc + j];
            *x = num_wrap_i32((flags & KF_FIRST_STORE) ? p[r * PNR + j] : (uint32_t)*x + p[r * PNR + j]);
        }
}

static const gemm_ops ops_f32_c = {pack_a_f32, pack_b_f32, kernel_f32_c, PMR, PNR, 4, false};
static const gemm_ops ops_i32_c = {pack_a_i32, pack_b_i32, kernel_i32_c, PMR, PNR, 4, true};

int num_gemm_threads_default(void)
{
    return num_pool_threads_default();
}

/* ---- AVX2 + FMA packing and kernels (selected at run time) --------------------------------- */
#if GEMM_HAVE_AVX2
#define AVX2 __attribute__((target("avx2,fma")))

/* fp32 A panel as pack_a_f32, 16 conversions per step */
AVX2 static void pack_a_f32_avx2(void *dst, const num_gemm_args *g, uint32_t i0, uint32_t mr,
                                 uint32_t k0, uint32_t kb, uint32_t h)
{
    if (g->a_cs != 1) {
        pack_a_f32(dst, g, i0, mr, k0, kb, h);
        return;
    }
    const uint16_t *a = g->a;
    uint32_t *d = dst;
    for (uint32_t r = 0; r < h; r++, d += kb) {
        if (r >= mr) {
            memset(d, 0, (size_t)kb * 4);
            continue;
        }
        const uint16_t *row = a + (i0 + r) * g->a_rs + k0;
        uint32_t k = 0;
        for (; k + 16 <= kb; k += 16) {
            __m256i lo = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + k)));
            __m256i hi = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + k + 8)));
            _mm256_storeu_si256((__m256i *)(d + k), _mm256_slli_epi32(lo, 16));
            _mm256_storeu_si256((__m256i *)(d + k + 8), _mm256_slli_epi32(hi, 16));
        }
        for (; k < kb; k++)
            d[k] = (uint32_t)row[k] << 16;
    }
}

/* fp32 B panel as pack_b_f32 for a full panel of contiguous rows, w a multiple of 16 */
AVX2 static void pack_b_f32_avx2(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb,
                                 uint32_t j0, uint32_t nr, uint32_t w)
{
    if (g->b_cs != 1 || nr != w || w % 16 != 0) {
        pack_b_f32(dst, g, k0, kb, j0, nr, w);
        return;
    }
    const uint16_t *b = g->b;
    float *d = dst;
    for (uint32_t k = 0; k < kb; k++) {
        const uint16_t *row = b + (k0 + k) * g->b_rs + j0;
        for (uint32_t j = 0; j < w; j += 16) {
            __m256i lo = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + j)));
            __m256i hi = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + j + 8)));
            _mm256_store_si256((__m256i *)(d + k * w + j), _mm256_slli_epi32(lo, 16));
            _mm256_store_si256((__m256i *)(d + k * w + j + 8), _mm256_slli_epi32(hi, 16));
        }
    }
}

/* canonical NaN: lanes where x is unordered with itself get 0x7fc00000 */
#define CANON8(x, qnan) _mm256_blendv_ps((x), (qnan), _mm256_cmp_ps((x), (x), _CMP_UNORD_Q))

/* The micro-kernels name their 12 accumulators explicitly (6 rows x 2 vectors) so that they live
 * in registers: 12 accumulators + 2 B vectors + 1 broadcast A = 15 of the 16 ymm registers. */
#define ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)

AVX2 static void kernel_f32_avx2(uint32_t kb, uint32_t kcin, const void *ap, const void *bp,
                                 void *cv, size_t ldc, void *pbv, unsigned flags)
{
    const float *a = ap, *b = bp;
    float *c = cv, *pb = pbv;
    const __m256 qnan = _mm256_castsi256_ps(_mm256_set1_epi32((int)CANON_NAN_BITS));
    bool store = flags & KF_FIRST_STORE;
    for (uint32_t k = 0; k < kb;) {
        uint32_t len = min_u32(kcin, kb - k);
#define DECL(r) __m256 p##r##0, p##r##1;
        ROWS6(DECL)
#undef DECL
        if (k == 0 && (flags & KF_P_LOAD)) {
#define LOADP(r) p##r##0 = _mm256_loadu_ps(pb + r * PNR); p##r##1 = _mm256_loadu_ps(pb + r * PNR + 8);
            ROWS6(LOADP)
#undef LOADP
        } else {
#define ZERO(r) p##r##0 = _mm256_setzero_ps(); p##r##1 = _mm256_setzero_ps();
            ROWS6(ZERO)
#undef ZERO
        }
        /* A rows are kb apart: row r's element k at a[r * kb + k] */
        const float *ak = a + k, *bk = b + (size_t)k * PNR;
        const size_t s = kb;
        for (uint32_t kk = 0; kk < len; kk++, ak++, bk += PNR) {
            __m256 b0 = _mm256_load_ps(bk), b1 = _mm256_load_ps(bk + 8), ar;
#define STEP(r) ar = _mm256_broadcast_ss(ak + r * s); \
                p##r##0 = _mm256_fmadd_ps(ar, b0, p##r##0); p##r##1 = _mm256_fmadd_ps(ar, b1, p##r##1);
            ROWS6(STEP)
#undef STEP
        }
        k += len;
        if (k == kb && (flags & KF_P_SAVE)) {
#define SAVEP(r) _mm256_storeu_ps(pb + r * PNR, p##r##0); _mm256_storeu_ps(pb + r * PNR + 8, p##r##1);
            ROWS6(SAVEP)
#undef SAVEP
        } else if (store) {
#define STOREC(r) _mm256_storeu_ps(c + r * ldc, CANON8(p##r##0, qnan)); \
                  _mm256_storeu_ps(c + r * ldc + 8, CANON8(p##r##1, qnan));
            ROWS6(STOREC)
#undef STOREC
            store = false;
        } else {
#define ADDC(r) { __m256 x0 = _mm256_add_ps(_mm256_loadu_ps(c + r * ldc), p##r##0);          \
                  __m256 x1 = _mm256_add_ps(_mm256_loadu_ps(c + r * ldc + 8), p##r##1);      \
                  _mm256_storeu_ps(c + r * ldc, CANON8(x0, qnan));                          \
                  _mm256_storeu_ps(c + r * ldc + 8, CANON8(x1, qnan)); }
            ROWS6(ADDC)
#undef ADDC
        }
    }
}

/* int8 as int16 pairs along k: A panel row r, word kp = a[r][2kp] | a[r][2kp+1] << 16, rows
 * stored one after another (row r at panel + r * ceil(kb/2) words, as the fp32 panels are row
 * by row: packing a full panel is a plain widening of contiguous bytes); B panel word (kp, j) =
 * b[2kp][j] | b[2kp+1][j] << 16, k-major; an odd last k pairs with 0. */
AVX2 static void pack_a_i16p(void *dst, const num_gemm_args *g, uint32_t i0, uint32_t mr, uint32_t k0,
                             uint32_t kb, uint32_t h)
{
    const int8_t *a = g->a;
    int16_t *d = dst;
    uint32_t kp = (kb + 1) / 2;
    if (mr == h && g->a_cs == 1 && kb % 2 == 0) {   /* full panel, rows contiguous */
        for (uint32_t r = 0; r < h; r++) {
            const int8_t *row = a + (i0 + r) * g->a_rs + k0;
            int16_t *out = d + (size_t)r * 2 * kp;
            uint32_t k = 0;
            for (; k + 16 <= kb; k += 16)   /* 16 bytes widened to 16 int16 */
                _mm256_storeu_si256((__m256i *)(out + k), _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(row + k))));
            for (; k < kb; k++)
                out[k] = row[k];
        }
        return;
    }
    for (uint32_t r = 0; r < h; r++)
        for (uint32_t k = 0; k < 2 * kp; k++)
            d[(size_t)r * 2 * kp + k] = (r < mr && k < kb) ? a[(i0 + r) * g->a_rs + (k0 + k) * g->a_cs] : 0;
}

static void pack_b_i16p_c(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb,
                          uint32_t j0, uint32_t nr, uint32_t w);

AVX2 static void pack_b_i16p(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb,
                             uint32_t j0, uint32_t nr, uint32_t w)
{
    if (g->b_cs == 1 && nr == w && w == 16 && kb % 2 == 0) {
        /* rows k and k+1: widen 16 int8 each to int16, interleave (unpack works per 128-bit
         * half, so lo = columns 0-3 | 8-11, hi = 4-7 | 12-15), then put the halves in order */
        const int8_t *b = g->b;
        __m256i *d = dst;
        for (uint32_t p = 0; p < kb / 2; p++) {
            const int8_t *r0 = b + (k0 + 2 * p) * g->b_rs + j0, *r1 = r0 + g->b_rs;
            __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)r0));
            __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)r1));
            __m256i lo = _mm256_unpacklo_epi16(w0, w1), hi = _mm256_unpackhi_epi16(w0, w1);
            _mm256_store_si256(d + 2 * p, _mm256_permute2x128_si256(lo, hi, 0x20));
            _mm256_store_si256(d + 2 * p + 1, _mm256_permute2x128_si256(lo, hi, 0x31));
        }
        return;
    }
    pack_b_i16p_c(dst, g, k0, kb, j0, nr, w);
}

static void pack_b_i16p_c(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb, uint32_t j0,
                          uint32_t nr, uint32_t w)
{
    const int8_t *b = g->b;
    int16_t *d = dst;
    uint32_t kp = (kb + 1) / 2;
    for (uint32_t p = 0; p < kp; p++)
        for (uint32_t x = 0; x < 2; x++) {
            uint32_t k = 2 * p + x;
            const int8_t *row = b + (k0 + k) * g->b_rs + j0 * g->b_cs;
            for (uint32_t j = 0; j < w; j++)
                d[(p * w + j) * 2 + x] = (j < nr && k < kb) ? row[j * g->b_cs] : 0;
        }
}

AVX2 static void kernel_i16p_avx2(uint32_t kb, uint32_t kcin, const void *ap, const void *bp,
                                  void *cv, size_t ldc, void *pbv, unsigned flags)
{
    (void)kcin;
    (void)pbv;
    const int32_t *a = ap;
    const __m256i *b = bp;
    int32_t *c = cv;
#define ZERO(r) __m256i p##r##0 = _mm256_setzero_si256(), p##r##1 = _mm256_setzero_si256();
    ROWS6(ZERO)
#undef ZERO
    uint32_t kp = (kb + 1) / 2;
    for (uint32_t q = 0; q < kp; q++, a++, b += 2) {
        __m256i b0 = _mm256_load_si256(b), b1 = _mm256_load_si256(b + 1), ar;
#define STEP(r) ar = _mm256_set1_epi32(a[r * kp]);                                  \
                p##r##0 = _mm256_add_epi32(p##r##0, _mm256_madd_epi16(ar, b0)); \
                p##r##1 = _mm256_add_epi32(p##r##1, _mm256_madd_epi16(ar, b1));
        ROWS6(STEP)
#undef STEP
    }
    if (flags & KF_FIRST_STORE) {
#define STOREC(r) _mm256_storeu_si256((__m256i *)(c + r * ldc), p##r##0); \
                  _mm256_storeu_si256((__m256i *)(c + r * ldc + 8), p##r##1);
        ROWS6(STOREC)
#undef STOREC
    } else {
#define ADDC(r) _mm256_storeu_si256((__m256i *)(c + r * ldc),                                     \
                    _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(c + r * ldc)), p##r##0));   \
                _mm256_storeu_si256((__m256i *)(c + r * ldc + 8),                                 \
                    _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(c + r * ldc + 8)), p##r##1));
        ROWS6(ADDC)
#undef ADDC
    }
}

static const gemm_ops ops_f32_avx2 = {pack_a_f32_avx2, pack_b_f32_avx2, kernel_f32_avx2, PMR, PNR, 4,
                                      false};
static const gemm_ops ops_i16p_avx2 = {pack_a_i16p, pack_b_i16p, kernel_i16p_avx2, PMR, PNR, 2, true};

static bool have_avx2_fma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* ---- AVX-512 packing and kernels (selected at run time) ------------------------------------
 * The same layouts as the AVX2 ones with panels 32 wide (W16 = 32): the 6 x 32 micro-tile keeps
 * 12 zmm accumulators (6 rows x 2 vectors of 16 lanes), two B vectors and one broadcast A in
 * registers, and every lane does exactly the scalar order, as in the AVX2 kernel. int8 uses
 * vpmaddwd on 512 bits (AVX512BW), exact as on 256. */
#define AVX512 __attribute__((target("avx512f,avx512bw,avx2,fma")))
enum { P5NR = 32 };

#define CANON16(x, qnan) _mm512_mask_mov_ps((x), _mm512_cmp_ps_mask((x), (x), _CMP_UNORD_Q), (qnan))

AVX512 static void kernel_f32_avx512(uint32_t kb, uint32_t kcin, const void *ap, const void *bp,
                                     void *cv, size_t ldc, void *pbv, unsigned flags)
{
    const float *a = ap, *b = bp;
    float *c = cv, *pb = pbv;
    const __m512 qnan = _mm512_castsi512_ps(_mm512_set1_epi32((int)CANON_NAN_BITS));
    bool store = flags & KF_FIRST_STORE;
    for (uint32_t k = 0; k < kb;) {
        uint32_t len = min_u32(kcin, kb - k);
#define DECL(r) __m512 p##r##0, p##r##1;
        ROWS6(DECL)
#undef DECL
        if (k == 0 && (flags & KF_P_LOAD)) {
#define LOADP(r) p##r##0 = _mm512_loadu_ps(pb + r * P5NR); p##r##1 = _mm512_loadu_ps(pb + r * P5NR + 16);
            ROWS6(LOADP)
#undef LOADP
        } else {
#define ZERO(r) p##r##0 = _mm512_setzero_ps(); p##r##1 = _mm512_setzero_ps();
            ROWS6(ZERO)
#undef ZERO
        }
        const float *ak = a + k, *bk = b + (size_t)k * P5NR;
        const size_t s = kb;
        for (uint32_t kk = 0; kk < len; kk++, ak++, bk += P5NR) {
            __m512 b0 = _mm512_loadu_ps(bk), b1 = _mm512_loadu_ps(bk + 16), ar;
#define STEP(r) ar = _mm512_set1_ps(ak[r * s]); \
                p##r##0 = _mm512_fmadd_ps(ar, b0, p##r##0); p##r##1 = _mm512_fmadd_ps(ar, b1, p##r##1);
            ROWS6(STEP)
#undef STEP
        }
        k += len;
        if (k == kb && (flags & KF_P_SAVE)) {
#define SAVEP(r) _mm512_storeu_ps(pb + r * P5NR, p##r##0); _mm512_storeu_ps(pb + r * P5NR + 16, p##r##1);
            ROWS6(SAVEP)
#undef SAVEP
        } else if (store) {
#define STOREC(r) _mm512_storeu_ps(c + r * ldc, CANON16(p##r##0, qnan)); \
                  _mm512_storeu_ps(c + r * ldc + 16, CANON16(p##r##1, qnan));
            ROWS6(STOREC)
#undef STOREC
            store = false;
        } else {
#define ADDC(r) { __m512 x0 = _mm512_add_ps(_mm512_loadu_ps(c + r * ldc), p##r##0);          \
                  __m512 x1 = _mm512_add_ps(_mm512_loadu_ps(c + r * ldc + 16), p##r##1);     \
                  _mm512_storeu_ps(c + r * ldc, CANON16(x0, qnan));                         \
                  _mm512_storeu_ps(c + r * ldc + 16, CANON16(x1, qnan)); }
            ROWS6(ADDC)
#undef ADDC
        }
    }
}

AVX512 static void kernel_i16p_avx512(uint32_t kb, uint32_t kcin, const void *ap, const void *bp,
                                      void *cv, size_t ldc, void *pbv, unsigned flags)
{
    (void)kcin;
    (void)pbv;
    const int32_t *a = ap;
    const int16_t *b = bp;   /* pair q, column j at b[(q * 32 + j) * 2] */
    int32_t *c = cv;
#define ZERO(r) __m512i p##r##0 = _mm512_setzero_si512(), p##r##1 = _mm512_setzero_si512();
    ROWS6(ZERO)
#undef ZERO
    uint32_t kp = (kb + 1) / 2;
    for (uint32_t q = 0; q < kp; q++, a++, b += 2 * P5NR) {
        __m512i b0 = _mm512_loadu_si512((const void *)b), b1 = _mm512_loadu_si512((const void *)(b + 32)), ar;
#define STEP(r) ar = _mm512_set1_epi32(a[r * kp]);                                  \
                p##r##0 = _mm512_add_epi32(p##r##0, _mm512_madd_epi16(ar, b0)); \
                p##r##1 = _mm512_add_epi32(p##r##1, _mm512_madd_epi16(ar, b1));
        ROWS6(STEP)
#undef STEP
    }
    if (flags & KF_FIRST_STORE) {
#define STOREC(r) _mm512_storeu_si512((void *)(c + r * ldc), p##r##0); \
                  _mm512_storeu_si512((void *)(c + r * ldc + 16), p##r##1);
        ROWS6(STOREC)
#undef STOREC
    } else {
#define ADDC(r) _mm512_storeu_si512((void *)(c + r * ldc),                                        \
                    _mm512_add_epi32(_mm512_loadu_si512((const void *)(c + r * ldc)), p##r##0));   \
                _mm512_storeu_si512((void *)(c + r * ldc + 16),                                   \
                    _mm512_add_epi32(_mm512_loadu_si512((const void *)(c + r * ldc + 16)), p##r##1));
        ROWS6(ADDC)
#undef ADDC
    }
}

/* The AVX-512 VNNI int8 kernel: the same micro-tile and layouts as kernel_i16p_avx512, each
 * step one vpdpwssd (P += a0*b0 + a1*b1 per 32-bit lane, wrapping: exact modulo 2^32 like the
 * vpmaddwd + vpaddd pair it replaces, which the products' range keeps from saturating anyway),
 * so half the instructions per MAC. */
#define AVX512VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,avx2,fma")))

AVX512VNNI static void kernel_i16p_vnni(uint32_t kb, uint32_t kcin, const void *ap, const void *bp,
                                        void *cv, size_t ldc, void *pbv, unsigned flags)
{
    (void)kcin;
    (void)pbv;
    const int32_t *a = ap;
    const int16_t *b = bp;   /* pair q, column j at b[(q * 32 + j) * 2] */
    int32_t *c = cv;
#define ZERO(r) __m512i p##r##0 = _mm512_setzero_si512(), p##r##1 = _mm512_setzero_si512();
    ROWS6(ZERO)
#undef ZERO
    uint32_t kp = (kb + 1) / 2;
    for (uint32_t q = 0; q < kp; q++, a++, b += 2 * P5NR) {
        __m512i b0 = _mm512_loadu_si512((const void *)b), b1 = _mm512_loadu_si512((const void *)(b + 32)), ar;
#define STEP(r) ar = _mm512_set1_epi32(a[r * kp]);                 \
                p##r##0 = _mm512_dpwssd_epi32(p##r##0, ar, b0); \
                p##r##1 = _mm512_dpwssd_epi32(p##r##1, ar, b1);
        ROWS6(STEP)
#undef STEP
    }
    if (flags & KF_FIRST_STORE) {
#define STOREC(r) _mm512_storeu_si512((void *)(c + r * ldc), p##r##0); \
                  _mm512_storeu_si512((void *)(c + r * ldc + 16), p##r##1);
        ROWS6(STOREC)
#undef STOREC
    } else {
#define ADDC(r) _mm512_storeu_si512((void *)(c + r * ldc),                                        \
                    _mm512_add_epi32(_mm512_loadu_si512((const void *)(c + r * ldc)), p##r##0));   \
                _mm512_storeu_si512((void *)(c + r * ldc + 16),                                   \
                    _mm512_add_epi32(_mm512_loadu_si512((const void *)(c + r * ldc + 16)), p##r##1));
        ROWS6(ADDC)
#undef ADDC
    }
}

/* The int16-pair B panel 32 wide, as pack_b_i16p_c writes it, for a full panel of contiguous
 * rows and an even kb: rows k and k+1 widened to 32 int16 each and interleaved column by column
 * (vpermt2w: word 2j of the first half is column j of row k, word 2j+1 column j of row k+1). */
AVX512 static void pack_b_i16p_avx512(void *dst, const num_gemm_args *g, uint32_t k0, uint32_t kb,
                                      uint32_t j0, uint32_t nr, uint32_t w)
{
    if (g->b_cs != 1 || nr != w || w != P5NR || kb % 2 != 0) {
        pack_b_i16p(dst, g, k0, kb, j0, nr, w);
        return;
    }
    int16_t lo_ix[32], hi_ix[32];
    for (int x = 0; x < 32; x++) {
        lo_ix[x] = (int16_t)(x / 2 + (x % 2 ? 32 : 0));
        hi_ix[x] = (int16_t)(16 + x / 2 + (x % 2 ? 32 : 0));
    }
    const __m512i lo = _mm512_loadu_si512((const void *)lo_ix), hi = _mm512_loadu_si512((const void *)hi_ix);
    const int8_t *b = g->b;
    int16_t *d = dst;
    for (uint32_t p = 0; p < kb / 2; p++, d += 2 * P5NR) {
        const int8_t *r0 = b + (size_t)(k0 + 2 * p) * g->b_rs + j0, *r1 = r0 + g->b_rs;
        __m512i w0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)r0));
        __m512i w1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)r1));
        _mm512_storeu_si512((void *)d, _mm512_permutex2var_epi16(w0, lo, w1));
        _mm512_storeu_si512((void *)(d + 32), _mm512_permutex2var_epi16(w0, hi, w1));
    }
}

/* The AVX2 packers serve here too: pack_a_f32_avx2 writes any panel height, pack_b_f32_avx2 any
 * width that is a multiple of 16. */
static const gemm_ops ops_f32_avx512 = {pack_a_f32_avx2, pack_b_f32_avx2, kernel_f32_avx512, PMR, P5NR,
                                        4, false};
static const gemm_ops ops_i16p_avx512 = {pack_a_i16p, pack_b_i16p_avx512, kernel_i16p_avx512, PMR, P5NR, 2,
                                         true};
static const gemm_ops ops_i16p_vnni = {pack_a_i16p, pack_b_i16p_avx512, kernel_i16p_vnni, PMR, P5NR, 2, true};

static bool have_avx512(void)
{
    __builtin_cpu_init();
    return have_avx2_fma() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

static bool have_avx512_vnni(void)
{
    return have_avx512() && __builtin_cpu_supports("avx512vnni");
}
#endif /* GEMM_HAVE_AVX2 */

/* ---- entry points ------------------------------------------------------------------------- */

bool num_gemm_kernel_available(num_kernel k)
{
    switch (k) {
    case NUM_KERNEL_AUTO:
    case NUM_KERNEL_PORTABLE:
        return true;
#if GEMM_HAVE_AVX2
    case NUM_KERNEL_AVX2:
        return have_avx2_fma();
    case NUM_KERNEL_AVX512:
        return have_avx512();
    case NUM_KERNEL_AVX512_VNNI:
        return have_avx512_vnni();
#endif
    default:
        return false;
    }
}

/* The fastest kernel this CPU has, unless TPUSIM_KERNEL names another one it has (read per call:
 * no state is kept; an unknown or unavailable name is ignored here, the CLI refuses it). */
static num_kernel kernel_auto(void)
{
    num_kernel forced;
    const char *env = getenv(NUM_KERNEL_ENV);
    if (env && num_gemm_kernel_parse(env, &forced) && forced != NUM_KERNEL_AUTO &&
        num_gemm_kernel_available(forced))
        return forced;
    if (num_gemm_kernel_available(NUM_KERNEL_AVX512_VNNI))
        return NUM_KERNEL_AVX512_VNNI;
    if (num_gemm_kernel_available(NUM_KERNEL_AVX512))
        return NUM_KERNEL_AVX512;
    if (num_gemm_kernel_available(NUM_KERNEL_AVX2))
        return NUM_KERNEL_AVX2;
    return NUM_KERNEL_PORTABLE;
}

static const char *const kernel_labels[NUM_KERNEL__COUNT] = {"auto", "portable", "avx2-fma", "avx512",
                                                             "avx512-vnni"};
/* the names TPUSIM_KERNEL takes, in enum order */
static const char *const kernel_env_names[NUM_KERNEL__COUNT] = {"auto", "portable", "avx2", "avx512",
                                                                "avx512-vnni"};

const char *num_gemm_kernel_label(num_kernel k)
{
    return (unsigned)k < NUM_KERNEL__COUNT ? kernel_labels[k] : "?";
}

bool num_gemm_kernel_parse(const char *s, num_kernel *out)
{
    for (int k = 0; k < NUM_KERNEL__COUNT; k++)
        if (strcmp(s, kernel_env_names[k]) == 0 || strcmp(s, kernel_labels[k]) == 0) {
            *out = (num_kernel)k;
            return true;
        }
    return false;
}

const char *num_gemm_kernel_name(void)
{
    return num_gemm_kernel_label(kernel_auto());
}

static const gemm_ops *ops_for(tp_dtype dt, num_kernel k)
{
    if (k == NUM_KERNEL_AUTO || !num_gemm_kernel_available(k))
        k = kernel_auto();
    switch (k) {
#if GEMM_HAVE_AVX2
    case NUM_KERNEL_AVX2:
        return dt == TP_BF16 ? &ops_f32_avx2 : &ops_i16p_avx2;
    case NUM_KERNEL_AVX512:
        return dt == TP_BF16 ? &ops_f32_avx512 : &ops_i16p_avx512;
    case NUM_KERNEL_AVX512_VNNI:   /* bf16: the AVX-512 FMA kernel (VNNI has no exact fp32 MAC) */
        return dt == TP_BF16 ? &ops_f32_avx512 : &ops_i16p_vnni;
#endif
    default:
        return dt == TP_BF16 ? &ops_f32_c : &ops_i32_c;
    }
}

void num_gemm_pool(tp_dtype dt, const num_gemm_args *g, num_pool *pool, int threads,
                   num_kernel kernel)
{
    run_blocked(g, pool, threads, ops_for(dt, kernel), dt);
}

void num_gemm(tp_dtype dt, const num_gemm_args *g, int threads)
{
    run_blocked(g, NULL, threads, ops_for(dt, NUM_KERNEL_AUTO), dt);
}

void num_gemm_portable(tp_dtype dt, const num_gemm_args *g, int threads)
{
    run_blocked(g, NULL, threads, ops_for(dt, NUM_KERNEL_PORTABLE), dt);
}
