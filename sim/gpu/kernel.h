/* A CUTLASS-style GEMM kernel for the GPU model: what one launch of C = A . B looks like to the
 * machine, its validation against a GPU config, its occupancy, and a cuBLAS-like heuristic
 * chooser (docs/gpu.md).
 *
 * NOTES ON THE DESIGN OF THE KERNEL
 *
 * 1. Tiles. The grid is ceil(M/bm) x ceil(N/bn) x split_k CTAs. A CTA owns a bm x bn tile of
 *    C and walks its share of K in steps of bk (a "K-step"; the last one of a CTA may be
 *    partial, its padding is issued anyway). Its bm x bn tile is split among
 *    (bm/wm) x (bn/wn) warps, each owning a wm x wn warp tile; a warp covers its tile with
 *    (wm/mma.m) x (wn/mma.n) MMA instructions per mma.k slice of bk.
 * 2. Shared memory. `stages` K-steps of A (bm x bk) and B (bk x bn) are resident at once:
 *        smem per CTA = stages x (bm*bk + bk*bn) x element bytes
 *    laid out either swizzled (CUTLASS's 128-byte XOR swizzle: 16-byte chunk c of 128-byte
 *    line l sits at chunk c ^ (l mod 8)) or naive (row-major, no swizzle). gpu_smem_conflict
 *    computes the bank-conflict degree of ldmatrix from these addresses.
 * 3. Registers per thread = fp32 accumulators (wm*wn / 32) + two register buffers of A and B
 *    fragments (2 x (wm + wn) x mma.k x element bytes / 4 / 32) + GPU_KERNEL_BASE_REGS for
 *    addresses and loop state, rounded up to GPU_REG_GRANULE and at most 255 (the ISA's limit).
 * 4. Occupancy (CTAs resident per SM) = min(max_ctas_per_sm, registers_per_sm / (regs x
 *    threads), smem_per_sm / smem per CTA, max_threads_per_sm / threads, max_warps_per_sm /
 *    warps). A kernel with occupancy 0 does not fit; gpu_kernel_check names what does not.
 * 5. Rasterization. CTA i of the grid runs tile (tm, tn): with swizzle s (a power of two), the
 *    grid is walked in column panels of s tile-rows: i -> panel p = i / (s * tiles_n), within it
 *    tn = (i mod (s*tiles_n)) / s, tm = p*s + i mod s, so that consecutive CTAs share B columns
 *    and A rows in L2 (CUTLASS's GemmIdentityThreadblockSwizzle<s>). s = 1 is row-major order.
 * 5b. Warpgroup MMA (gpu.wgmma): a warpgroup is four consecutive warps; its MMA reads A (its
 *    rows) and B straight from shared memory. gpu_kernel_make then lays the CTA's warps out
 *    along M only: wm = bm / warps, wn = bn (128x256 with 8 warps: 16 x 256 per warp, 64 x 256
 *    per warpgroup, as CUTLASS's SM90 kernels), and registers hold only accumulators.
 * 5c. dp4a (V100 int8): the SIMT lanes do 4-element int8 dot products (gpu_pipe); the kernel
 *    is otherwise the same (its operands still pass through shared memory and registers).
 * 6. Inputs. The problem's dtype selects the tensor-core path: int8 (mma.int8), bf16
 *    (mma.bf16) or fp16 (mma.fp16, for chips with fp16-only tensor cores; a bf16 problem is run
 *    as fp16 with gpu_kernel_choose(..., GPU_IN_FP16)). The values are never computed.
 */
#ifndef TP_GPU_KERNEL_H
#define TP_GPU_KERNEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "config/config.h"
#include "work/gemm.h"

#define GPU_KERNEL_BASE_REGS 24u  /* addresses, loop counters, predicates (CUTLASS SM80 kernels) */
#define GPU_REG_GRANULE 8u        /* registers are allocated per thread in multiples of 8 */
#define GPU_MAX_REGS 255u         /* per thread, the ISA's limit */
#define GPU_LDMATRIX_BYTES 512u   /* one ldmatrix.x4: four 8x8 matrices of 16-bit elements */
#define GPU_CP_ASYNC_BYTES 16u    /* one cp.async moves 16 bytes per thread */

typedef enum { GPU_IN_INT8 = 0, GPU_IN_BF16, GPU_IN_FP16, GPU_IN__COUNT } gpu_in;
const char *gpu_in_name(gpu_in in);                 /* "int8" "bf16" "fp16" */
static inline unsigned gpu_in_bytes(gpu_in in) { return in == GPU_IN_INT8 ? 1u : 2u; }
/* The mma block of the config for an input type; NULL when the chip has no such tensor core. */
const tp_mma_cfg *gpu_mma_cfg(const tp_gpu_cfg *g, gpu_in in);
/* What one warp instruction of the kernel's math pipe is, and how many such pipes a sub-core
 * has: the tensor cores' mma block and tensor_units_per_sm / schedulers, or for dp4a
 * (int8 without int8 tensor cores) a warp's 32 lanes x one 4-element dot product, shape
 * 8 x 4 x 4 (128 MACs), one pipe per sub-core of fma_lanes_per_sm / schedulers lanes:
 * interval = warp_size / those lanes, latency GPU_DP4A_LATENCY. TP_ERR_UNSUPPORTED with the
 * chip's list when it has neither. */
#define GPU_DP4A_LATENCY 4u   /* cycles; Volta's dependent-issue ALU latency (Jia et al., "Dissecting
                                 the NVIDIA Volta GPU Architecture via Microbenchmarking", 2018),
                                 assumed for IDP4A too */
tp_status gpu_pipe(const tp_gpu_cfg *g, gpu_in in, tp_mma_cfg *out, uint32_t *units_per_subcore, tp_err *err);
/* The input type of a problem dtype (int8 -> int8, bf16 -> bf16). */
gpu_in gpu_in_of(tp_dtype dt);

typedef enum { GPU_SMEM_SWIZZLED = 0, GPU_SMEM_NAIVE, GPU_SMEM__COUNT } gpu_smem_layout;
const char *gpu_smem_layout_name(gpu_smem_layout l);   /* "swizzled" "naive" */

typedef struct {
    uint32_t bm, bn, bk;          /* CTA tile */
    uint32_t wm, wn;              /* warp tile (its K is bk) */
    uint32_t im, in, ik;          /* MMA instruction shape (the config's mma block) */
    uint32_t stages;              /* K-steps resident in shared memory (cp.async pipeline depth) */
    uint32_t split_k;             /* K split among this many CTAs per output tile (>= 1) */
    uint32_t swizzle;             /* rasterization panel width in tile-rows (1, 2, 4, 8, ...) */
    gpu_smem_layout layout;
    gpu_in input;
    bool tma;                     /* Hopper: tiles copied by TMA (one instruction per tile) */
    bool simt;                    /* int8 through dp4a on the SIMT lanes (no int8 tensor cores) */
    bool wgmma;                   /* Hopper: warpgroup MMA from shared memory (no ldmatrix); the
                                     four warps of a warpgroup share B: warp tiles are wm x bn */
} gpu_kernel;

/* Figures derived from a kernel on a machine (gpu_kernel_check fills them). */
typedef struct {
    uint32_t warps, threads;      /* per CTA */
    uint32_t regs_per_thread;
    uint64_t smem_bytes;          /* per CTA */
    uint32_t occupancy;           /* CTAs per SM */
    const char *limit;            /* what bounds occupancy: "registers", "shared memory",
                                     "threads", "warps", "CTAs" */
} gpu_kernel_info;

/* A kernel with the CUTLASS defaults for the tile sizes given, its MMA shape from the config
 * (or 16x8x16 / 16x8x32 if the config has none), 1 split, swizzle 1, swizzled layout. */
gpu_kernel gpu_kernel_make(const tp_gpu_cfg *g, gpu_in in, uint32_t bm, uint32_t bn, uint32_t bk, uint32_t wm,
                           uint32_t wn, uint32_t stages);
/* Checks the kernel's shape and that it fits the machine; fills *info (may be NULL).
 * TP_ERR_UNSUPPORTED when the chip lacks the input's tensor cores (one line naming what it has),
 * TP_ERR_USAGE with one line naming what does not fit or divide. */
tp_status gpu_kernel_check(const tp_gpu_cfg *g, const gpu_kernel *k, gpu_kernel_info *info, tp_err *err);
/* Number of CTAs of the grid of k over pb (tiles x split_k x batch). */
uint64_t gpu_kernel_ctas(const gpu_kernel *k, const gemm_problem *pb);
/* Tile (tm, tn) of the grid position i (0 <= i < tiles_m*tiles_n), per note 5. */
void gpu_kernel_raster(const gpu_kernel *k, uint32_t tiles_m, uint32_t tiles_n, uint64_t i, uint32_t *tm,
                       uint32_t *tn);
/* The chooser: among the candidate tile configs that fit, the one with the smallest estimated
 * time (gpu_kernel_estimate); ties keep the earlier (larger) candidate. TP_ERR_UNSUPPORTED if the
 * chip lacks the input's tensor cores. */
tp_status gpu_kernel_choose(const tp_gpu_cfg *g, const gemm_problem *pb, gpu_in in, gpu_kernel *out, tp_err *err);
/* The chooser's estimate in cycles (docs/gpu.md): the larger of
 *     waves x (K-steps x max(SM time, L2 time) + drain) + L2 and DRAM latency
 *     compulsory DRAM bytes (A, B once; C, or split-K's fp32 partials) / DRAM bytes per cycle
 * where waves = ceil(CTAs / (sms x occupancy)), SM time = the SM model's K-step period with
 * the CTAs per SM resident together (gpu/sm.h) and L2 time = the concurrent CTAs' K-step bytes / L2
 * bytes per cycle. INFINITY when k does not fit. */
double gpu_kernel_estimate(const tp_gpu_cfg *g, const gemm_problem *pb, const gpu_kernel *k);

/* The kernel as text, "BMxBNxBK/WMxWN/sSTAGES/kSPLIT/wSWIZZLE" and "/naive" for that layout
 * (the stats attribute "kernel"); returns buf. */
const char *gpu_kernel_format(const gpu_kernel *k, char *buf, size_t cap);
/* Parses that text (the /k, /w and /naive parts optional) into a kernel made for the chip and
 * input type (gpu_kernel_make: MMA shape, warpgroup layout); TP_ERR_USAGE naming the text when
 * it does not parse. The kernel is not checked against the machine (gpu_kernel_check does). */
tp_status gpu_kernel_parse(const tp_gpu_cfg *g, gpu_in in, const char *s, gpu_kernel *out, tp_err *err);

/* Shared-memory byte offset of 16-byte chunk `chunk` of row `row` of a tile of `rows` rows
 * whose rows are row_bytes long (a multiple of 16), in layout l. Naive: row * row_bytes +
 * chunk * 16. Swizzled (CUTLASS): rows wider than 128 bytes are stored as column blocks 128
 * bytes wide (block b = chunk / 8 holds rows x 128 bytes), and within the tile's 128-byte
 * lines chunk c of line L sits at c ^ (L mod 8). */
uint32_t gpu_smem_offset(gpu_smem_layout l, uint32_t row_bytes, uint32_t rows, uint32_t row, uint32_t chunk);
/* Wavefronts one phase of an access needs: n_addr 16-byte accesses at byte offsets addr[],
 * banks 4-byte banks; = the largest number of distinct 4-byte words any bank must serve
 * (1 = conflict-free; words read twice are broadcast). */
uint32_t gpu_smem_wavefronts(const uint32_t *addr, uint32_t n_addr, uint32_t banks);
/* The conflict degree of ldmatrix on a tile of row_bytes-long rows: the wavefronts of one
 * 8x8 matrix (eight consecutive rows at one 16-byte chunk), the maximum over the tile's
 * row groups and chunks. 1 for the swizzled layout; up to 8 for the naive one. */
uint32_t gpu_smem_conflict(gpu_smem_layout l, uint32_t row_bytes, uint32_t rows, uint32_t banks);
#endif
