/* DMA: splitting 2-D blocks into bursts, setup latency, per-engine rate, concurrent engines and
 * placement of tensor classes in different off-chip memories. Expected values are worked by hand
 * from the equations in the comments (mem/dram.h, docs/memory.md). */
#include "harness.h"
#include <string.h>
#include "tpu/asm.h"
#include "tpu/machine.h"
#include "support.h"

typedef struct {
    uint64_t s[8], e[8];
    tp_stats st;
} result;

static void run_cfg(const char *cfg_path, const char *const *sets, int n_sets, const char *text, uint32_t n,
                    result *r)
{
    ts_run_timing(cfg_path, sets, n_sets, text, n, r->s, r->e, &r->st);
}

static void unaligned_rows_split_into_bursts(void **state)
{
    (void)state;
    result r;
    /* A is 8 x 100 int8 at DRAM address 0. A[0:3, 10:30] is 3 runs of 20 bytes at 10, 110, 210.
     * With 64-byte bursts: [10,30) -> burst 0; [110,130) -> bursts 1 and 2; [210,230) -> 3.
     * 4 bursts = 256 bytes on the bus for 60 bytes of data. */
    run_cfg(NULL, NULL, 0, ".tensor A int8 8 100\n.ub r 0 64\nload r, A[0:3, 10:30]\n", 1, &r);
    const stats_level *l = stats_find_level(&r.st, "dram");
    assert_non_null(l);
    assert_int_equal(l->read_bytes, 60);
    assert_int_equal(l->bus_bytes, 256);
    assert_int_equal(stats_find_level(&r.st, "ub")->write_bytes, 60);
    /* all four bursts sit in the first 256-byte interleave granule: channel 0 alone moves
     * 256 bytes at 64 B/cycle = 4 cycles; end = setup 16 + 4 + latency 100. */
    assert_int_equal(r.e[0], 16 + 4 + 100);
    stats_free(&r.st);
}

static void setup_and_engine_rate(void **state)
{
    (void)state;
    result r;
    /* ideal DRAM: a load of 2048 bytes costs setup 16 + ceil(2048 / 128 B/cycle) = 32 cycles.
     * Three loads on 2 engines: the third waits for the first engine (free at 32). */
    const char *sets[] = {"tpu.dram.ideal=true"};
    const char *prog = ".tensor A int8 64 32\n.ub r 0 8192\n"
                       "load r, A[0:64, 0:32]\nload r+2048, A[0:64, 0:32]\nload r+4096, A[0:64, 0:32]\n";
    run_cfg(NULL, sets, 1, prog, 3, &r);
    assert_int_equal(r.s[0], 0);
    assert_int_equal(r.e[0], 32);
    assert_int_equal(r.s[1], 0);
    assert_int_equal(r.s[2], 32);
    assert_int_equal(r.e[2], 64);
    /* each engine counts its own transfer cycles: engine 0 runs loads 0 and 2 ([0, 32) and
     * [32, 64)), engine 1 runs load 1 ([0, 32)) and then has nothing to do */
    assert_int_equal(stats_unit_cause(stats_find_unit(&r.st, "core0.dma0"), "busy"), 64);
    assert_int_equal(stats_unit_cause(stats_find_unit(&r.st, "core0.dma1"), "busy"), 32);
    assert_int_equal(stats_unit_cause(stats_find_unit(&r.st, "core0.dma1"), "idle"), 32);
    stats_free(&r.st);
    /* one engine: strictly one after another */
    const char *sets1[] = {"tpu.dram.ideal=true", "tpu.dma.engines=1"};
    run_cfg(NULL, sets1, 2, prog, 3, &r);
    assert_int_equal(r.s[1], 32);
    assert_int_equal(r.s[2], 64);
    assert_int_equal(r.e[2], 96);
    stats_free(&r.st);
}

static void engine_pipelines_behind_latency(void **state)
{
    (void)state;
    result r;
    /* One engine, two loads of 2048 contiguous bytes (A is 64 x 32 int8 at address 0) into
     * different UB ranges. Default machine: setup 16, engine 128 B/cycle (own time 16 + 16 = 32),
     * DRAM 256 GB/s at 1 GHz over 4 channels (64 B/cycle each), 256-byte interleave, latency 100.
     * 2048 bytes = 8 granules of 256, 2 per channel = 512 bytes = 8 cycles per channel.
     *   load 0: memory from 16 to 24, data in at 24 + 100 = 124. Its last burst leaves the
     *           queue at 24, before its own time ends (32): the engine is free at 32.
     *   load 1: starts at 32, memory from 48 to 56, data in at 156.
     * The engine does not sit out the first load's latency. */
    const char *sets[] = {"tpu.dma.engines=1"};
    const char *prog = ".tensor A int8 64 32\n.ub r 0 8192\n"
                       "load r, A[0:64, 0:32]\nload r+2048, A[0:64, 0:32]\n";
    run_cfg(NULL, sets, 1, prog, 2, &r);
    assert_int_equal(r.s[0], 0);
    assert_int_equal(r.e[0], 124);
    assert_int_equal(r.s[1], 32);
    assert_int_equal(r.e[1], 156);
    stats_free(&r.st);
    /* Backpressure: at 64 GB/s (16 B/cycle per channel) each channel's 512 bytes take 32
     * cycles. load 0: memory 16..48, data at 148; the engine is held until its last burst
     * leaves the queue at 48. load 1: starts at 48, memory 64..96, data at 196. */
    const char *sets_bw[] = {"tpu.dma.engines=1", "tpu.dram.bandwidth=64GB/s"};
    run_cfg(NULL, sets_bw, 2, prog, 2, &r);
    assert_int_equal(r.e[0], 148);
    assert_int_equal(r.s[1], 48);
    assert_int_equal(r.e[1], 196);
    stats_free(&r.st);
}

static void placement_uses_each_memory(void **state)
{
    (void)state;
    result r;
    /* TPUv1: inputs from host (PCIe), weights from the weight memory, outputs to host. */
    const char *prog = ".tensor A int8 256 256\n.tensor W int8 256 256\n.tensor C int8 256 256\n"
                       ".ub a 0 65536\nload a, A[0:256, 0:256]\nloadw 0, W[0:256, 0:256]\n"
                       "store C[0:256, 0:256], a\n";
    run_cfg("configs/tpu-v1.yaml", NULL, 0, prog, 3, &r);
    assert_int_equal(stats_find_level(&r.st, "host")->read_bytes, 65536);
    assert_int_equal(stats_find_level(&r.st, "host")->write_bytes, 65536);
    assert_int_equal(stats_find_level(&r.st, "weight_mem")->read_bytes, 65536);
    assert_int_equal(stats_find_level(&r.st, "dram")->read_bytes, 0);
    assert_int_equal(stats_find_level(&r.st, "wbuf")->write_bytes, 65536);
    /* weight memory: 34 GB/s at 700 MHz, 2 channels, 65536 bytes spread evenly (1024 bursts,
     * 4 per granule, alternate channels): ceil(65536 * 700e6 / 34e9) = ceil(1349.27) = 1350
     * cycles + 100 ns read latency = 70 cycles, after the 10-cycle setup: 10 + 1350 + 70. */
    assert_int_equal(r.e[1], 10 + 1350 + 70);
    stats_free(&r.st);
}

TH_GROUP(dma)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unaligned_rows_split_into_bursts),
        cmocka_unit_test(setup_and_engine_rate),
        cmocka_unit_test(engine_pipelines_behind_latency),
        cmocka_unit_test(placement_uses_each_memory),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
