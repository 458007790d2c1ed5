/* The analogous GPU (config/analogous.h): every derived figure for the embedded default machine,
 * configs/tpu-v4-core.yaml and a 4x4 int8-only array, each worked out by hand from the rule
 * (written beside each assertion); and the `gpu: analogous` key's errors with their positions. */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/analogous.h"
#include "config/config.h"

static tp_config *load(const char *path)
{
    tp_config *c = calloc(1, sizeof *c);
    tp_err e = {0};
    assert_non_null(c);
    if (cfg_load(path, NULL, 0, c, &e) != TP_OK)
        fail_msg("%s: %s", path ? path : "<default>", e.msg);
    return c;
}

static void derive(const tp_config *t, tp_config *g, cfg_analog *why)
{
    tp_err e = {0};
    if (cfg_analogous_gpu(t, g, why, &e) != TP_OK)
        fail_msg("%s", e.msg);
}

/* The default: 1 core x 1 MXU of 32x32 at 1 GHz, 4 MiB UB (4 banks x 1 port x 64 B/cycle),
 * acc 4096 rows x 32 cols x 4 B, weight FIFO 4 tiles, DRAM 4 channels at 256 GB/s, 100 ns. */
static void default_machine(void **state)
{
    (void)state;
    tp_config *t = load(NULL), *g = calloc(1, sizeof *g);
    cfg_analog *why = calloc(1, sizeof *why);
    assert_non_null(g);
    assert_non_null(why);
    derive(t, g, why);
    assert_false(g->tpu.present);
    assert_true(g->gpu.present);
    assert_string_equal(g->gpu.name, "analogous-default");
    assert_string_equal(g->source, "analogous of <default>");
    /* P = 32 x 32 = 1024 MACs/cycle = one SM of 4 units x 256 */
    assert_int_equal(g->gpu.sms, 1);
    assert_int_equal(g->gpu.tensor_units_per_sm, 4);
    assert_int_equal(g->gpu.mma[TP_BF16].interval_cycles, 8);
    assert_int_equal(g->gpu.mma[TP_INT8].interval_cycles, 16);
    /* bf16: 4 x 16*8*16 / 8 = 1024; int8: 4 x 16*8*32 / 16 = 1024 */
    assert_true(cfg_gpu_macs_per_sm_cycle(&g->gpu, TP_BF16) == 1024.0);
    assert_true(cfg_gpu_macs_per_sm_cycle(&g->gpu, TP_INT8) == 1024.0);
    assert_true(why->tpu_macs_per_cycle == 1024 && why->gpu_macs_per_cycle == 1024.0);
    /* the same peak ops/s as the TPU: 2 x 1024 x 1 GHz = 2.048e12 */
    assert_true(cfg_gpu_peak_ops_per_s(&g->gpu, TP_BF16) == 2.048e12);
    assert_true(cfg_tpu_peak_ops_per_s(&t->tpu, TP_BF16) == 2.048e12);
    assert_false(g->gpu.dp4a);
    assert_false(g->gpu.mma_fp16.present);
    /* clock and DRAM */
    assert_true(g->gpu.clock_hz == 1000000000ull && g->gpu.sustained_clock_hz == 1000000000ull);
    assert_true(g->gpu.dram.bytes_per_s == 256000000000ull);
    assert_int_equal(g->gpu.dram.channels, 4);
    assert_int_equal(g->gpu.dram.read_latency_cycles, 100);   /* 100 ns at 1 GHz */
    assert_int_equal(g->gpu.dram.burst_bytes, 64);
    /* registers: acc 4096 x 32 x 4 = 524288 bytes / 4 / 1 SM = 131072 */
    assert_int_equal(g->gpu.registers_per_sm, 131072);
    /* UB 4194304 x 17712 / 58672 = 1266183.4 -> 1266183 to shared memory; + weight FIFO
     * 4 x 32 x 32 x 2 = 8192 -> 1274375, down to 128 B: 1274368 */
    assert_true(g->gpu.smem_per_sm_bytes == 1274368);
    /* L2: 4194304 - 1266183 = 2928121, down to 2048-byte sets: 1429 x 2048 = 2926592 */
    assert_true(g->gpu.l2.size_bytes == 2926592);
    assert_int_equal(g->gpu.l2.assoc, 16);
    assert_int_equal(g->gpu.l2.line_bytes, 128);
    /* L2 bandwidth = the UB's: 1 x 4 banks x 1 port x 64 B x 1 GHz */
    assert_true(g->gpu.l2.bytes_per_s == 256000000000ull);
    assert_true(g->gpu.launch_overhead_ps == 0);
    /* SRAM: TPU 4194304 + 524288 + 8192 = 4726784; GPU 524288 + 1274368 + 2926592 = 4725248 */
    assert_true(why->tpu_sram_bytes == 4726784);
    assert_true(why->gpu_sram_bytes == 4725248);
    free(t);
    free(g);
    free(why);
}

/* tpu-v4-core: 1 core x 4 MXUs of 128x128 at 1.05 GHz, UB 16 MiB (8 banks x 1 port x 1024 B),
 * acc 4096 x 128 x 4 B per MXU, weight FIFO 2 tiles, DRAM 4 channels at 600 GB/s, 500 ns. */
static void tpu_v4_core(void **state)
{
    (void)state;
    tp_config *t = load("configs/tpu-v4-core.yaml"), *g = calloc(1, sizeof *g);
    cfg_analog *why = calloc(1, sizeof *why);
    assert_non_null(g);
    assert_non_null(why);
    derive(t, g, why);
    /* P = 4 x 16384 = 65536 = 64 SMs x 1024, exactly */
    assert_int_equal(g->gpu.sms, 64);
    assert_int_equal(g->gpu.mma[TP_BF16].interval_cycles, 8);
    assert_true(why->gpu_macs_per_cycle == 65536.0);
    /* peak 2 x 65536 x 1.05 GHz = 137.6256 TFLOPS, equal on both for int8 and bf16 */
    for (int d = 0; d < 2; d++) {
        tp_dtype dt = d ? TP_BF16 : TP_INT8;
        assert_true(cfg_gpu_peak_ops_per_s(&g->gpu, dt) == 2.0 * 65536 * 1.05e9);
        assert_true(cfg_gpu_peak_ops_per_s(&g->gpu, dt) == cfg_tpu_peak_ops_per_s(&t->tpu, dt));
    }
    assert_true(g->gpu.clock_hz == 1050000000ull);
    assert_true(g->gpu.dram.bytes_per_s == 600000000000ull);
    assert_int_equal(g->gpu.dram.channels, 4);
    assert_int_equal(g->gpu.dram.read_latency_cycles, 525);   /* 500 ns x 1.05 GHz */
    /* registers: 4 x 2097152 = 8388608 bytes / 4 / 64 = 32768 */
    assert_int_equal(g->gpu.registers_per_sm, 32768);
    /* UB 16777216 x 17712 / 58672 = 5064733.6 -> 5064733; + FIFOs 4 x 2 x 128 x 128 x 2 = 262144:
     * 5326877 / 64 = 83232.4 -> 83232, down to 128 B: 650 x 128 = 83200 */
    assert_true(g->gpu.smem_per_sm_bytes == 83200);
    /* L2: 16777216 - 5064733 = 11712483, down to 2048: 5718 x 2048 = 11710464 */
    assert_true(g->gpu.l2.size_bytes == 11710464);
    /* L2 bandwidth: 8 x 1 x 1024 B x 1.05 GHz = 8601.6 GB/s */
    assert_true(g->gpu.l2.bytes_per_s == 8601600000000ull);
    free(t);
    free(g);
    free(why);
}

/* Below one SM: a 4x4 int8 array (16 MACs/cycle) is one SM whose int8 units issue every
 * round(16384 / 16) = 1024 cycles: 4 x 4096 / 1024 = 16 MACs/cycle; no bf16 tensor cores. */
static void small_array(void **state)
{
    (void)state;
    static const char yaml[] =
        "tpu:\n"
        "  clock: 1GHz\n"
        "  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
        "  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
        "  acc: {entries: 16}\n"
        "  vpu: {elems_per_cycle: 4}\n"
        "  dma: {bytes_per_cycle: 8}\n"
        "  dram: {bandwidth: 1GB/s, read_latency: 10, write_latency: 10}\n";
    tp_config *t = calloc(1, sizeof *t), *g = calloc(1, sizeof *g);
    tp_err e = {0};
    assert_non_null(t);
    assert_non_null(g);
    assert_int_equal(cfg_load_string("t.yaml", yaml, NULL, 0, t, &e), TP_OK);
    derive(t, g, NULL);
    assert_int_equal(g->gpu.sms, 1);
    assert_int_equal(g->gpu.mma[TP_INT8].interval_cycles, 1024);
    assert_int_equal(g->gpu.mma[TP_INT8].latency_cycles, 1024);   /* not before its issue slot ends */
    assert_false(g->gpu.mma[TP_BF16].present);
    assert_true(cfg_gpu_macs_per_sm_cycle(&g->gpu, TP_INT8) == 16.0);
    assert_false(cfg_gpu_supports(&g->gpu, TP_BF16));
    /* registers: 16 entries x 4 cols x 4 B = 256 bytes / 4 = 64, below the floor of one
     * 128-thread CTA at 128 registers: 16384 */
    assert_int_equal(g->gpu.registers_per_sm, 16384);
    free(t);
    free(g);
}

static void not_from_a_gpu(void **state)
{
    (void)state;
    tp_config *t = load("configs/gpu-a100.yaml"), *g = calloc(1, sizeof *g);
    tp_err e = {0};
    assert_non_null(g);
    assert_int_equal(cfg_analogous_gpu(t, g, NULL, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "configs/gpu-a100.yaml: the analogous GPU is derived from a TPU config, and 'gpu-a100' "
                               "has no tpu: section");
    free(t);
    free(g);
}

/* gpu: analogous in a file and by --set; a wrong value and a config without tpu: refused with
 * their positions (line 2, column 6 is the value's first character). */
static void the_key(void **state)
{
    (void)state;
    tp_config *c = calloc(1, sizeof *c);
    tp_err e = {0};
    assert_non_null(c);
    static const char tpu[] = "tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
                              "  ub: {size: 1KiB, bytes_per_cycle: 8}\n  acc: {entries: 16}\n"
                              "  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n"
                              "  dram: {bandwidth: 1GB/s, read_latency: 10, write_latency: 10}\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%sgpu: analogous\n", tpu);
    assert_int_equal(cfg_load_string("t.yaml", buf, NULL, 0, c, &e), TP_OK);
    assert_string_equal(c->gpu_peer, "analogous");
    assert_false(c->gpu.present);   /* the key is not a gpu: section */
    const char *set = "gpu=analogous";
    assert_int_equal(cfg_load_string("t.yaml", tpu, &set, 1, c, &e), TP_OK);
    assert_string_equal(c->gpu_peer, "analogous");
    assert_false(c->gpu.present);
    assert_int_equal(cfg_load_string("t.yaml", "name: x\ngpu: analogus\n", NULL, 0, c, &e), TP_ERR_CONFIG);
    assert_string_equal(e.msg, "t.yaml:2:6: gpu: expected 'analogous' (the GPU derived from this config's tpu: section) "
                               "or a mapping of GPU keys (such as 'clock:'), got 'analogus'");
    assert_int_equal(cfg_load_string("t.yaml", "name: x\ngpu: analogous\n", NULL, 0, c, &e), TP_ERR_CONFIG);
    assert_string_equal(e.msg, "t.yaml:2:6: gpu: 'analogous' derives the GPU from this config's tpu: section, and it has none");
    free(c);
}

TH_GROUP(config_analogous)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_machine),
        cmocka_unit_test(tpu_v4_core),
        cmocka_unit_test(small_array),
        cmocka_unit_test(not_from_a_gpu),
        cmocka_unit_test(the_key),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
