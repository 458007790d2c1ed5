/* The analogous GPU of a TPU config (analogous.h states the rule; docs/gpu.md "The analogy"
 * explains it). One function derives every key and records, beside it, the TPU figure it came
 * from; `config show -g analogous` prints those rows and the commands run the config.
 *
 * Why these parts. The MXU is a grid of MACs fed by a stationary operand; the GPU's tensor core
 * is a small matrix unit fed from registers. Matching the peak MACs per cycle with the A100's
 * per-SM throughput makes the SM count the one free figure, so the rounding is the only loss of
 * peak and `config show` prints it. The buffers map by role: the accumulators hold running sums
 * as a GPU's register file does for its warp tiles; the weight FIFO stages the next weight
 * tiles as cp.async stages in shared memory do; the unified buffer is the software-managed
 * on-chip store, split between shared memory and the L2 in the A100's proportion. */
#include "config/analogous.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "config/keys.h"

static void add_row(const tp_config *c, cfg_analog *why, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_row(const tp_config *c, cfg_analog *why, const char *key, const char *fmt, ...)
{
    if (!why || why->n_rows >= CFG_ANALOG_MAX_ROWS)
        return;
    cfg_analog_row *r = &why->rows[why->n_rows++];
    int i = cfg_key_find(key);
    snprintf(r->key, sizeof r->key, "%s", key);
    if (i >= 0)
        cfg_key_format(&cfg_keys[i], c, r->value, sizeof r->value);
    else
        snprintf(r->value, sizeof r->value, "?");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->from, sizeof r->from, fmt, ap);
    va_end(ap);
}

static void set_mma(tp_mma_cfg *m, uint32_t k, uint32_t latency, uint32_t interval)
{
    m->present = true;
    m->m = 16;
    m->n = 8;
    m->k = k;
    m->interval_cycles = interval;
    m->latency_cycles = latency > interval ? latency : interval;   /* a result after its issue slot */
}

tp_status cfg_analogous_gpu(const tp_config *tc, tp_config *out, cfg_analog *why, tp_err *err)
{
    const tp_tpu_cfg *t = &tc->tpu;
    if (!t->present)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "%s: the analogous GPU is derived from a TPU config, and '%s' has no tpu: section",
                          tc->source, tc->name);
    memset(out, 0, sizeof *out);
    if (why)
        memset(why, 0, sizeof *why);
    snprintf(out->source, sizeof out->source, "analogous of %.200s", tc->source);
    snprintf(out->name, sizeof out->name, "analogous-%.50s", tc->name);
    tp_gpu_cfg *g = &out->gpu;
    g->present = true;
    snprintf(g->name, sizeof g->name, "%s", out->name);

    /* compute: SMs of four A100 tensor units; one rate for every dtype, as the MXU has */
    uint64_t P = cfg_tpu_peak_macs_per_cycle(t);
    uint32_t bf16_iv = 8, int8_iv = 16;
    if (P >= CFG_ANALOG_MACS_PER_SM) {
        uint64_t sms = (P + CFG_ANALOG_MACS_PER_SM / 2) / CFG_ANALOG_MACS_PER_SM;
        g->sms = (uint32_t)(sms > 1024 ? 1024 : sms);
    } else {
        g->sms = 1;
        bf16_iv = (uint32_t)((8u * CFG_ANALOG_MACS_PER_SM + P / 2) / P);    /* 4 x 2048 MACs per issue */
        int8_iv = (uint32_t)((16u * CFG_ANALOG_MACS_PER_SM + P / 2) / P);   /* 4 x 4096 */
    }
    g->tensor_units_per_sm = CFG_ANALOG_UNITS_PER_SM;
    if (t->array.dtypes[TP_BF16])
        set_mma(&g->mma[TP_BF16], 16, 12, bf16_iv);   /* A100 HMMA.16816: latency 12 (Accel-Sim) */
    if (t->array.dtypes[TP_INT8])
        set_mma(&g->mma[TP_INT8], 32, 32, int8_iv);   /* IMMA.16832: latency 32 as gpu-a100.yaml */
    g->dp4a = false;
    g->fma_lanes_per_sm = 64;
    tp_dtype dt = t->array.dtypes[TP_BF16] ? TP_BF16 : TP_INT8;
    double per_sm = cfg_gpu_macs_per_sm_cycle(g, dt);

    /* the rest of the SM, as the A100's (configs/gpu-a100.yaml) */
    g->warp_size = 32;
    g->max_warps_per_sm = 64;
    g->max_ctas_per_sm = 32;
    g->max_threads_per_sm = 2048;
    g->schedulers_per_sm = 4;
    g->scheduler = TP_WSCHED_GTO;
    g->smem_banks = 32;
    g->smem_latency_cycles = 28;
    g->async_copy = true;
    g->launch_overhead_ps = 0;

    /* clock and DRAM: the TPU's */
    g->clock_hz = g->sustained_clock_hz = t->clock_hz;
    g->dram = t->mem[TP_MEM_DRAM];
    g->dram.present = true;

    /* on-chip SRAM by role */
    uint64_t mxus = (uint64_t)t->cores * t->mxus_per_core;
    uint64_t acc = mxus * t->acc.size_bytes;
    uint64_t wbuf = mxus * t->wbuf.depth_tiles * t->array.rows * t->array.cols * 2;   /* bf16 weights, as check.c counts */
    uint64_t ub = (uint64_t)t->cores * t->ub.size_bytes;
    uint64_t regs = acc / 4 / g->sms;
    g->registers_per_sm = (uint32_t)(regs < CFG_ANALOG_MIN_REGS ? CFG_ANALOG_MIN_REGS : regs > 16777216 ? 16777216 : regs);
    const uint64_t sk = CFG_ANALOG_A100_SMEM_KIB, lk = CFG_ANALOG_A100_L2_KIB;
    uint64_t ub_smem = ub * sk / (sk + lk)   /* ub < 2^37: no overflow */;
    uint64_t smem = (wbuf + ub_smem) / g->sms / 128 * 128;
    g->smem_per_sm_bytes = smem > 16ull << 20 ? 16ull << 20 : smem;
    g->l2.assoc = 16;
    g->l2.line_bytes = 128;
    uint64_t set_bytes = (uint64_t)g->l2.assoc * g->l2.line_bytes;
    uint64_t l2 = (ub - ub_smem) / set_bytes * set_bytes;
    g->l2.size_bytes = l2 < set_bytes ? set_bytes : l2;
    uint64_t ub_bpc = (uint64_t)t->cores * t->ub.banks * t->ub.read_ports * t->ub.bytes_per_cycle;
    g->l2.bytes_per_s = ub_bpc * t->clock_hz;
    g->l2.latency_cycles = 200;

    if (why) {
        why->tpu_macs_per_cycle = P;
        why->regs_floored = regs < CFG_ANALOG_MIN_REGS;
        why->gpu_macs_per_cycle = (double)g->sms * per_sm;
        why->tpu_sram_bytes = ub + acc + wbuf;
        why->gpu_sram_bytes = (uint64_t)g->sms * ((uint64_t)g->registers_per_sm * 4 + g->smem_per_sm_bytes) + g->l2.size_bytes;
        if (P >= CFG_ANALOG_MACS_PER_SM)
            add_row(out, why, "gpu.sms", "round(tpu peak %llu MACs/cycle (%u x %u x %ux%u) / %u per SM)",
                    (unsigned long long)P, t->cores, t->mxus_per_core, t->array.rows, t->array.cols, CFG_ANALOG_MACS_PER_SM);
        else
            add_row(out, why, "gpu.sms", "1: tpu peak %llu MACs/cycle is below one SM's %u", (unsigned long long)P,
                    CFG_ANALOG_MACS_PER_SM);
        add_row(out, why, "gpu.tensor_units_per_sm", "A100: 4 tensor units per SM");
        if (g->mma[TP_BF16].present)
            add_row(out, why, "gpu.mma.bf16.interval", "%s", P >= CFG_ANALOG_MACS_PER_SM ? "A100 HMMA.16816: 8 cycles, 256 MACs/cycle per unit"
                    : "8192 / tpu peak MACs/cycle (one SM at the TPU's rate)");
        if (g->mma[TP_INT8].present)
            add_row(out, why, "gpu.mma.int8.interval", "%s", P >= CFG_ANALOG_MACS_PER_SM
                    ? "IMMA.16832 at 16 cycles: the MXU's int8 rate is its bf16 rate (A100: 8)"
                    : "16384 / tpu peak MACs/cycle (one SM at the TPU's rate)");
        add_row(out, why, "gpu.clock", "tpu.clock");
        add_row(out, why, "gpu.sustained_clock", "tpu.clock");
        add_row(out, why, "gpu.dram.bandwidth", "tpu.dram.bandwidth (and every other tpu.dram key)");
        add_row(out, why, "gpu.dram.channels", "tpu.dram.channels");
        add_row(out, why, "gpu.dram.read_latency", "tpu.dram.read_latency (cycles of the same clock)");
        add_row(out, why, "gpu.registers_per_sm", "accumulators %llu bytes (%llu MXUs x %llu) / 4 / %u SMs%s",
                (unsigned long long)acc, (unsigned long long)mxus, (unsigned long long)t->acc.size_bytes, g->sms,
                regs < CFG_ANALOG_MIN_REGS ? ", raised to 16384 (one CTA of the smallest kernel)" : "");
        add_row(out, why, "gpu.smem_per_sm", "(weight FIFOs %llu + UB %llu x 17712/58672) bytes / %u SMs, down to 128 B",
                (unsigned long long)wbuf, (unsigned long long)ub, g->sms);
        add_row(out, why, "gpu.l2.size", "UB %llu x 40960/58672 bytes, down to whole 2 KiB sets", (unsigned long long)ub);
        add_row(out, why, "gpu.l2.bandwidth", "UB: %u core(s) x %u banks x %u read ports x %u bytes/cycle x tpu.clock",
                t->cores, t->ub.banks, t->ub.read_ports, t->ub.bytes_per_cycle);
        add_row(out, why, "gpu.launch_overhead", "0: the TPU's time has no host launch either");
        add_row(out, why, "gpu.dp4a", "false: int8 runs on the tensor cores, as on the MXU");
    }
    return TP_OK;
}
