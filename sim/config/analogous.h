/* The analogous GPU (docs/gpu.md, "The analogy"): a GPU config derived from a TPU config with
 * the same peak MACs per cycle, clock, DRAM (the same memory model and bandwidth) and on-chip
 * SRAM, built from A100-generation parts (tensor cores, SMs of four sub-cores), so that a
 * comparison of the two isolates architecture from budget. `-g analogous` on compare, gemm and
 * model, and `gpu: analogous` in a TPU config, use it; `config show -g analogous` prints it with
 * the TPU figure each key came from. */
#ifndef TP_CONFIG_ANALOGOUS_H
#define TP_CONFIG_ANALOGOUS_H
#include <stddef.h>
#include <stdint.h>
#include "config/config.h"

/* The rule's fixed parts, from the A100 generation (configs/gpu-a100.yaml and its sources):
 * four tensor units per SM, each an HMMA 16x8x16 every 8 cycles (256 bf16 MACs per cycle per
 * unit, 1024 per SM); shared memory and L2 in the A100's proportion, 108 x 164 KiB : 40 MiB. */
#define CFG_ANALOG_UNITS_PER_SM 4u
#define CFG_ANALOG_MACS_PER_SM 1024u
#define CFG_ANALOG_A100_SMEM_KIB (108u * 164u)   /* 17712 KiB of shared memory over the chip */
#define CFG_ANALOG_A100_L2_KIB (40u * 1024u)     /* 40960 KiB of L2 */
/* The fewest registers per SM: one CTA of the smallest kernel the chooser has (gpu/kernel.c:
 * 32x32 tiles, 4 warps = 128 threads) at 128 registers per thread. Small arrays' accumulators
 * (edge-8x8.yaml: 8 KiB) hold less than that, and a GPU that cannot run a kernel compares
 * nothing; `config show -g analogous` prints the SRAM this adds. */
#define CFG_ANALOG_MIN_REGS 16384u

/* One derived key and where it came from, for `config show -g analogous`. */
typedef struct {
    char key[40];      /* "gpu.sms" */
    char value[48];    /* as config show prints it: "128" */
    char from[200];    /* "round(tpu peak 131072 MACs/cycle / 1024 per SM)" */
} cfg_analog_row;

#define CFG_ANALOG_MAX_ROWS 40
typedef struct {
    uint64_t tpu_macs_per_cycle;   /* cores x MXUs x rows x cols */
    double gpu_macs_per_cycle;     /* sms x MACs per SM per cycle, every dtype the TPU has */
    uint64_t tpu_sram_bytes;       /* UB + accumulators + weight FIFOs, all cores */
    uint64_t gpu_sram_bytes;       /* registers + shared memory of all SMs + L2 */
    bool regs_floored;             /* the accumulators gave fewer than CFG_ANALOG_MIN_REGS */
    size_t n_rows;
    cfg_analog_row rows[CFG_ANALOG_MAX_ROWS];
} cfg_analog;

/* Derives the analogous GPU of t's TPU into *out (a config with only a gpu: section, named
 * "analogous-NAME", source "analogous of SOURCE") and, when why is not NULL, each key's origin.
 * The one place the rule lives:
 *   SMs            = max(1, round(P / 1024)), P = the TPU's peak MACs per cycle
 *   tensor units   = 4 per SM; bf16 HMMA 16x8x16, int8 IMMA 16x8x32, as on the A100
 *   interval       = bf16 8 cycles, int8 16 (the MXU runs int8 and bf16 at one rate, so the
 *                    analogous tensor core does too; the A100's int8 interval is 8); below one
 *                    SM (P < 1024) one SM whose units issue less often: 8192 / P and 16384 / P
 *   dtypes         = the TPU's (int8 and bf16 tensor cores as it has them; no dp4a, no fp16)
 *   clock          = the TPU's (also the sustained clock)
 *   DRAM           = the TPU's tpu.dram as it is (channels, bandwidth, bursts, latencies)
 *   registers/SM   = accumulator bytes of all MXUs / 4 / SMs (accumulators <-> register
 *                    accumulators), at least CFG_ANALOG_MIN_REGS
 *   shared mem/SM  = (weight FIFO bytes + UB bytes x 17712 / (17712 + 40960)) / SMs, rounded
 *                    down to 128 bytes (weight FIFO <-> cp.async stages; UB <-> shared memory
 *                    and L2 in the A100's proportion)
 *   L2             = the rest of the UB, rounded down to whole sets (16 ways x 128-byte lines)
 *   L2 bandwidth   = the UB's: cores x banks x read ports x bytes per cycle x clock
 *   the rest       = A100's: 64 warps, 32 CTAs and 2048 threads per SM, 4 GTO schedulers,
 *                    32 smem banks, smem latency 28, L2 latency 200, 64 FMA lanes, async
 *                    copies; launch overhead 0 (the TPU's time has no host launch either)
 * TP_ERR_UNSUPPORTED if t has no tpu: section. */
tp_status cfg_analogous_gpu(const tp_config *t, tp_config *out, cfg_analog *why, tp_err *err);
#endif
