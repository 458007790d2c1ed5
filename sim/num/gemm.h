/* GEMM value kernels: the one definition of the matrix unit's arithmetic that every engine
 * (per-PE, fast) and the reference use.
 *
 * Accumulation order (ARCHITECTURE.md "Numerics"), parameterised by kc, the k-chunk:
 *   C[i][j] (+)= sum over chunks c = 0, 1, ... (ascending) of P_c[i][j], where P_c starts at
 *   +0.0 and adds a[i][k]*b[k][j] for k ascending within [c*kc, min((c+1)*kc, K)).
 *   accumulate == false: the first chunk is stored (C = P_0) and later chunks are added;
 *   accumulate == true: every chunk is added to the C already there. (P_0 is stored, not added
 *   to +0.0: a negative product that underflows makes P_0 = -0.0, and +0.0 + P_0 would be +0.0.)
 *   bf16: P' = fmaf(a, b, P) (num_bf16_mac), C' = C + P (one fp32 add, round to nearest even).
 *   int8: products exact, all sums wrap modulo 2^32.
 * WS and IS use kc = array rows (K maps onto rows); OS uses kc = K (whole K inside one PE).
 * kc == 0 is treated as kc = K. K == 0 gives C = +0.0 / 0 (accumulate false) or leaves C.
 *
 * Operands are strided, which covers A or B stored transposed:
 *   A element (i,k) at a[i*a_rs + k*a_cs], B element (k,j) at b[k*b_rs + j*b_cs],
 *   C element (i,j) at c[i*ldc + j] (C row-major). Strides count elements, not bytes.
 * a, b are int8_t (TP_INT8) or uint16_t bf16 bits (TP_BF16); c is int32_t or float.
 * C must not overlap A or B.
 *
 * NaN: every NaN the bf16 kernels store into C is the canonical quiet NaN 0x7fc00000 (positive,
 * no payload). IEEE 754 does not say which NaN an operation with several NaN operands returns,
 * and x86 picks by instruction operand order (which the compiler chooses), so payloads are
 * normalised to keep results bit-identical across kernels, compilers and hosts. Whether a result
 * is NaN is fully determined by IEEE arithmetic. Use num_f32_canon() for the same rule elsewhere.
 * int8 and k == 0: sums modulo 2^32 are associative, so kc does not change int8 results.
 *
 * Every entry point and kernel gives the same bits for every input.
 */
#ifndef TP_NUM_GEMM_H
#define TP_NUM_GEMM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "num/num.h"
#include "num/pool.h"

typedef struct {
    const void *a; size_t a_rs, a_cs;   /* A (m x k): element (i,k) at a[i*a_rs + k*a_cs] */
    const void *b; size_t b_rs, b_cs;   /* B (k x n): element (k,j) at b[k*b_rs + j*b_cs] */
    void *c; size_t ldc;                /* C (m x n): element (i,j) at c[i*ldc + j] */
    uint32_t m, n, k, kc;               /* kc: k-chunk of the accumulation order (0 = k) */
    bool accumulate;                    /* add into C instead of overwriting it */
} num_gemm_args;

/* Plain triple loop in the documented order: the independent reference. */
void num_gemm_ref(tp_dtype dt, const num_gemm_args *g);
/* Fast, blocked, multithreaded: same bits as num_gemm_ref. threads == 0 means the default.
 * Starts and joins its threads on every call; callers with many calls use num_gemm_pool. */
void num_gemm(tp_dtype dt, const num_gemm_args *g, int threads);
/* The blocked kernel in portable C (no intrinsics), same bits; what num_gemm falls back to. */
void num_gemm_portable(tp_dtype dt, const num_gemm_args *g, int threads);

/* The blocked kernels by name. AUTO is the fastest available one (what num_gemm runs). */
typedef enum {
    NUM_KERNEL_AUTO = 0,
    NUM_KERNEL_PORTABLE,   /* plain C */
    NUM_KERNEL_AVX2,       /* AVX2 + FMA, 6 x 16 fp32 micro-tile (int8: vpmaddwd pairs) */
    NUM_KERNEL_AVX512,     /* AVX512F/BW, 6 x 32 micro-tile, same layouts 32 wide */
    NUM_KERNEL_AVX512_VNNI, /* AVX512 as above, int8 with vpdpwssd (AVX512_VNNI); bf16 as AVX512 */
    NUM_KERNEL__COUNT
} num_kernel;
/* On `pool` (num/pool.h; NULL = a pool made for this call) with at most `threads` of its
 * threads (0 = all of them, or 1 for a small product as in num_gemm; 1 = the calling thread
 * only). Same bits as num_gemm_ref for every
 * kernel, pool and thread count. A kernel the CPU lacks runs as AUTO. */
void num_gemm_pool(tp_dtype dt, const num_gemm_args *g, num_pool *pool, int threads,
                   num_kernel kernel);
bool num_gemm_kernel_available(num_kernel k);   /* built in and supported by this CPU */
/* "auto" "portable" "avx2-fma" "avx512" "avx512-vnni" */
const char *num_gemm_kernel_label(num_kernel k);
/* TPUSIM_KERNEL=auto|portable|avx2|avx512|avx512-vnni makes AUTO (num_gemm, the machines) run that kernel
 * when the CPU has it (read on every call; tests and benchmarks use it to compare paths).
 * num_gemm_kernel_parse takes those names or the labels above; false for anything else. */
#define NUM_KERNEL_ENV "TPUSIM_KERNEL"
bool num_gemm_kernel_parse(const char *s, num_kernel *out);

int num_gemm_threads_default(void);      /* online CPUs (sysconf), at least 1 */
/* What num_gemm runs here (TPUSIM_KERNEL included): "avx512-vnni", "avx512", "avx2-fma" or
 * "portable" */
const char *num_gemm_kernel_name(void);
#endif
