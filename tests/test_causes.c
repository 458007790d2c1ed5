/* Every cause a TPU unit charges, on small programs whose cycles are worked by hand from the
 * blocks' equations (dma.c, vpu.c, mm.c, wbuf.c notes; tpu/mxu.h; mem/dram.h) and the causes'
 * definitions (stats/stats.h):
 *   DMA  busy, off_chip, wbuf_full, dependency, issue_blocked, idle; each engine's own timeline
 *   MXU  busy, padding, weight_shift, fill_drain, wait_weights, wait_inputs, dependency,
 *        issue_blocked, idle
 *   VPU  busy, ub_bandwidth, dependency, issue_blocked, idle
 *   mem  transfer, latency, idle
 * (MXU ub_bandwidth: test_machine's ub_contention_is_named.)
 *
 * Machine: the embedded default with its constants pinned by --set where a derivation uses
 * them: 1 GHz; DMA 2 engines, 128 B/cycle, setup 16; UB 4 banks x 64 B = 256 B/cycle per side;
 * a 32 x 32 ws array with double-buffered weights, 1 weight row per cycle; vector unit 32
 * elements/cycle. Most programs use an ideal DRAM: an access completes at its issue cycle, so a
 * DMA of B bytes begun at s ends at s + 16 + ceil(B / 128) (dma_time), its UB writes in
 * [s + 16, s + 16 + ceil(B / 256)). ws op of m rows with k x n weights (tpu/mxu.h):
 *     shift [max(weights_ready, W), + k), W = prev t0 + R + C - 2 = prev t0 + 62 (first op: 0)
 *     t0 = max(inputs_ready, prev t0 + prev T, shift end), T = m, end = t0 + m + 63.
 */
#include "harness.h"
#include <stdio.h>
#include <string.h>
#include "support.h"
#include "tpu/tpu_int.h"   /* QUEUE_DEPTH */

#define PIN "tpu.dma.engines=2", "tpu.dma.bytes_per_cycle=128", "tpu.dma.setup_latency=16", \
            "tpu.ub.banks=4", "tpu.ub.bytes_per_cycle=64", "tpu.array.rows=32", "tpu.array.cols=32", \
            "tpu.array.dataflow=ws", "tpu.array.weight_double_buffer=true", \
            "tpu.array.weight_rows_per_cycle=1", "tpu.vpu.elems_per_cycle=32"
#define N_PIN 11

static uint64_t cyc(const tp_stats *st, const char *unit, const char *name)
{
    const stats_unit *u = stats_find_unit(st, unit);
    if (!u)
        fail_msg("no unit %s", unit);
    if (stats_cause_parse(u->kind, name) < 0)
        fail_msg("unit %s has no cause %s", unit, name);
    return stats_unit_cause(u, name);
}

/* Runs text on the pinned default machine plus `extra` settings; fills start/end of the first n
 * instructions and the stats. */
static void run(const char *const *extra, int n_extra, const char *text, uint32_t n, uint64_t *s, uint64_t *e,
                tp_stats *st)
{
    const char *sets[N_PIN + 8] = {PIN};
    for (int i = 0; i < n_extra; i++)
        sets[N_PIN + i] = extra[i];
    ts_run_timing(NULL, sets, N_PIN + n_extra, text, n, s, e, st);
    assert_int_equal(stats_check(st, NULL), TP_OK);
}

static void wbuf_full_holds_the_second_loadw(void **state)
{
    (void)state;
    /* A one-tile FIFO. Ideal DRAM.
     *   0 load a (2048 B)   engine 0 [0, 32) (own 16 + 16)
     *   1 loadw (1024 B)    engine 1 [0, 24) (16 + 8)
     *   2 matmul            inputs 17 (RAW on 0, row by row, sb.c note 6: the load's 64 rows of
     *                       32 B come a quarter cycle apart, row q at 32 - floor((63 - q) / 4);
     *                       the matmul reads row q at t0 + q: b >= 32 - 15 - 0 = 17 at q = 0),
     *                       weights 24: shift [24, 56), t0 = 56, end
     *                       56 + 64 + 63 = 183; its tile leaves the FIFO at t0 = 56
     *   3 loadw             no slot until 56 (wbuf_full), then engine 1 (free since 24, before
     *                       engine 0's 32) [56, 80)
     *   4 matmul            weights 80, W = 56 + R - 1 = 87 (op 2's swap wave leaves column 0):
     *                       shift [87, 119), hidden under op 2's stream; t0 = max(56, 56 + 64,
     *                       119) = 120, end 247.
     * DMA: both engines are charged the waiting loadw's reason: engine 0 busy 32, wbuf_full
     * [32, 56) = 24, idle [56, 247) = 191; engine 1 busy 24 + 24 = 48, wbuf_full [24, 56) = 32,
     * idle [80, 247) = 167.
     * MXU: op 2's gap [0, 56): shift 32, idle [0, 24) waiting for the weights (ready at 24,
     * after the inputs at 17) = wait_weights 24; op 4 streams right behind op 2 (no gap); busy 64 + 64
     * (full 32 x 32 tiles: no padding); fill_drain [184, 247) = 63. */
    const char *extra[] = {"tpu.dram.ideal=true", "tpu.wbuf.depth_tiles=1"};
    uint64_t s[5], e[5];
    tp_stats st;
    run(extra, 2,
        ".tensor A int8 64 32\n.tensor B int8 32 32\n.ub a 0 2048\n"
        "load a, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n"
        "loadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n", 5, s, e, &st);
    assert_int_equal(e[2], 183);
    assert_int_equal(s[3], 56);
    assert_int_equal(e[3], 80);
    assert_int_equal(s[4], 120);
    assert_int_equal(st.cycles, 247);
    assert_int_equal(cyc(&st, "core0.dma0", "busy"), 32);
    assert_int_equal(cyc(&st, "core0.dma0", "wbuf_full"), 24);
    assert_int_equal(cyc(&st, "core0.dma0", "idle"), 191);
    assert_int_equal(cyc(&st, "core0.dma1", "busy"), 48);
    assert_int_equal(cyc(&st, "core0.dma1", "wbuf_full"), 32);
    assert_int_equal(cyc(&st, "core0.dma1", "idle"), 167);
    assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 128);
    assert_int_equal(cyc(&st, "core0.mxu0", "padding"), 0);
    assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), 32);
    assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 63);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_inputs"), 0);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_weights"), 24);
    assert_int_equal(cyc(&st, "core0.mxu0", "idle"), 0);
    stats_free(&st);
}

static void issue_blocked_mxu_and_dma(void **state)
{
    (void)state;
    if (QUEUE_DEPTH != 16)
        skip();   /* the derivation counts on 16-entry queues (the stress build shrinks them) */
    /* 17 activates (rows of acc row 0, written into the long load's UB range) fill the vector
     * queue, so the issuer stops at the 17th from cycle 0; the loadw and matmul after them
     * reach their units only when the activates begin. Ideal DRAM. At one cycle the DMA
     * queues' heads begin oldest first (machine.c note 8).
     *   0 load a (2048 B)           engine 0 [0, 32)
     *   1 loadw                     engine 1 [0, 24) (older than load 3, so it goes first)
     *   3 load o (32768 B)          engine 1 when it frees [24, 296): own 16 + 256; UB writes at
     *                               the engine's 128 B/cycle [40, 296), beside load 0's [16, 32)
     *   2 matmul                    inputs 17 (load 0's rows as they come, as in
     *                               wbuf_full_holds_the_second_loadw), weights 24: shift [24, 56),
     *                               t0 = 56, end 183
     *   4..19 activates             WAW on load 3's UB range: begin at 296, each 32 elements
     *                               (own 1 cycle) writing 128 B at 32 x 4 = 128 B/cycle, so two
     *                               share each cycle of the 256 B/cycle port: they end at
     *                               297, 297, 298, 298 .. 304, 304
     *   then the issuer moves on:   activate 20 (UB write [304, 305)), loadw 21 on engine 0
     *                               [296, 320), matmul 22: inputs 296, weights 320, W = 56 + 31
     *                               = 87: shift [320, 352), t0 = 352, end 479 = the run.
     * MXU: op 2's gap [0, 56): shift [24, 56) = 32; before it the op waited for its weights
     * (ready at 24, after the inputs): wait_weights 24. Op 22's gap [120, 352): fill_drain
     * until op 2's end [120, 183) = 63, shift 32, idle [183, 320) = 137 of which [183, 296) is
     * before the matmul reached the MXU, held back by the stopped issuer (issue_blocked 113),
     * and [296, 320) waits for its loadw (wait_weights 24). Tail fill_drain [416, 479) = 63.
     * DMA engine 0: busy 32 + 24 = 56; from 32 nothing queued, the issuer stopped:
     * issue_blocked [32, 296) = 264; idle [320, 479) = 159. Engine 1: busy 24 + 272 = 296,
     * idle 183.
     * VPU: its head waits (on the matmul, then the load) [0, 296): dependency 296; busy
     * [296, 297) = 1; ub_bandwidth [297, 305) = 8; idle [305, 479) = 174. */
    char text[2048];
    int n = snprintf(text, sizeof text,
                     ".tensor A int8 64 32\n.tensor B int8 32 32\n.tensor L int8 128 256\n.ub a 0 2048\n"
                     ".ub o 65536 32768\nload a, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n"
                     "load o, L[0:128, 0:256]\n");
    for (int j = 0; j < 17; j++)
        n += snprintf(text + n, sizeof text - (size_t)n, "activate o+%d, 0, 1, 32, out=int32\n", 128 * j);
    snprintf(text + n, sizeof text - (size_t)n, "loadw 0, B[0:32, 0:32]\nmatmul 0, 64, a, 64\n");
    const char *extra[] = {"tpu.dram.ideal=true"};
    uint64_t s[23], e[23];
    tp_stats st;
    run(extra, 1, text, 23, s, e, &st);
    assert_int_equal(e[3], 296);
    assert_int_equal(s[1], 0);
    assert_int_equal(s[2], 56);
    assert_int_equal(e[2], 183);
    assert_int_equal(s[4], 296);
    assert_int_equal(e[19], 304);
    assert_int_equal(e[20], 305);
    assert_int_equal(s[21], 296);
    assert_int_equal(s[22], 352);
    assert_int_equal(st.cycles, 479);
    assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 128);
    assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), 64);
    assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 126);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_weights"), 24 + 24);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_inputs"), 0);
    assert_int_equal(cyc(&st, "core0.mxu0", "issue_blocked"), 113);
    assert_int_equal(cyc(&st, "core0.mxu0", "idle"), 0);
    assert_int_equal(cyc(&st, "core0.dma0", "busy"), 56);
    assert_int_equal(cyc(&st, "core0.dma0", "issue_blocked"), 264);
    assert_int_equal(cyc(&st, "core0.dma0", "idle"), 159);
    assert_int_equal(cyc(&st, "core0.dma1", "busy"), 296);
    assert_int_equal(cyc(&st, "core0.dma1", "issue_blocked"), 0);
    assert_int_equal(cyc(&st, "core0.dma1", "idle"), 183);
    assert_int_equal(cyc(&st, "core0.vpu", "dependency"), 296);
    assert_int_equal(cyc(&st, "core0.vpu", "busy"), 1);
    assert_int_equal(cyc(&st, "core0.vpu", "ub_bandwidth"), 8);
    assert_int_equal(cyc(&st, "core0.vpu", "issue_blocked"), 0);
    assert_int_equal(cyc(&st, "core0.vpu", "idle"), 174);
    stats_free(&st);
}

static void issue_blocked_vpu_and_engine_timelines(void **state)
{
    (void)state;
    if (QUEUE_DEPTH != 16)
        skip();
    /* 18 loads into the same UB range (a WAW chain: each begins when the previous ends), then
     * an activate. Ideal DRAM: each load takes 32 cycles, load j runs [32j, 32j + 32); the run
     * ends with load 17 at 576. At cycle 0 the first load leaves the queue at once, so 17 fit
     * and the 18th stops the issuer until load 1 begins at 32; the activate behind it reaches
     * the vector unit then and runs [32, 33).
     * Engines: load j takes the engine free first (engine 0 on a tie): even j on engine 0, odd
     * j on engine 1. Engine 0: busy 9 x 32 = 288, its head waiting on the chain in its gaps
     * [32, 64) ... [480, 512): dependency 8 x 32 = 256, nothing left after 544: idle 32.
     * Engine 1: dependency [0, 32) and its 8 further gaps: 9 x 32 = 288, busy 288.
     * VPU: issue_blocked [0, 32), busy 1, idle 543. */
    char text[2048];
    int n = snprintf(text, sizeof text, ".tensor A int8 64 32\n.ub r 0 2048\n");
    for (int j = 0; j < 18; j++)
        n += snprintf(text + n, sizeof text - (size_t)n, "load r, A[0:64, 0:32]\n");
    snprintf(text + n, sizeof text - (size_t)n, "activate 4096, 0, 1, 32, out=int32\n");
    const char *extra[] = {"tpu.dram.ideal=true"};
    uint64_t s[19], e[19];
    tp_stats st;
    run(extra, 1, text, 19, s, e, &st);
    for (int j = 0; j < 18; j++) {
        assert_int_equal(s[j], 32 * j);
        assert_int_equal(e[j], 32 * j + 32);
    }
    assert_int_equal(s[18], 32);
    assert_int_equal(st.cycles, 576);
    assert_int_equal(cyc(&st, "core0.dma0", "busy"), 288);
    assert_int_equal(cyc(&st, "core0.dma0", "dependency"), 256);
    assert_int_equal(cyc(&st, "core0.dma0", "idle"), 32);
    assert_int_equal(cyc(&st, "core0.dma1", "busy"), 288);
    assert_int_equal(cyc(&st, "core0.dma1", "dependency"), 288);
    assert_int_equal(cyc(&st, "core0.dma1", "idle"), 0);
    assert_int_equal(cyc(&st, "core0.vpu", "issue_blocked"), 32);
    assert_int_equal(cyc(&st, "core0.vpu", "busy"), 1);
    assert_int_equal(cyc(&st, "core0.vpu", "idle"), 543);
    stats_free(&st);
}

static void padding_of_a_partial_tile(void **state)
{
    (void)state;
    /* ws: a 20 x 10 weight tile on the 32 x 32 array, 64 rows streamed. Ideal DRAM.
     *   load a (64 x 20 = 1280 B)   engine 0 [0, 26): 16 + 10
     *   loadw (200 B)               engine 1 [0, 18): 16 + 2
     *   matmul                      inputs 17 (RAW row by row, sb.c note 6: the load's rows of
     *                               20 B come 20/128 cycle apart, row q at 26 - floor((63 - q)
     *                               20 / 128); the matmul reads row q at t0 + q (it reads 20 B a
     *                               cycle): max at q = 0, 26 - 9 = 17), weights 18: shift
     *                               [18, 38), t0 = 38, end 165
     * Streaming T = 64 cycles; useful MACs 64 x 10 x 20 = 12800; an array cycle does 1024:
     * busy = floor(12800 / 1024) = 12, padding = 64 - 12 = 52. The gap [0, 38): shift 20, idle
     * [0, 18) waiting for the weights (the later of the two) = wait_weights 18; fill_drain
     * [102, 165) = 63. */
    const char *extra[] = {"tpu.dram.ideal=true"};
    uint64_t s[3], e[3];
    tp_stats st;
    run(extra, 1,
        ".tensor A int8 64 20\n.tensor B int8 20 10\n.ub a 0 2048\n"
        "load a, A[0:64, 0:20]\nloadw 0, B[0:20, 0:10]\nmatmul 0, 0, a, 64\n", 3, s, e, &st);
    assert_int_equal(s[2], 38);
    assert_int_equal(e[2], 165);
    assert_int_equal(st.macs, 12800);
    assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 12);
    assert_int_equal(cyc(&st, "core0.mxu0", "padding"), 52);
    /* busy + padding = the streaming cycles (T = m = 64) */
    assert_int_equal(cyc(&st, "core0.mxu0", "busy") + cyc(&st, "core0.mxu0", "padding"), 64);
    assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), 20);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_inputs"), 0);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_weights"), 18);
    assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 63);
    assert_int_equal(stats_unit_category(stats_find_unit(&st, "core0.mxu0"), STATS_CAT_QUANTIZATION), 52);
    stats_free(&st);
    /* The same MACs in os, where K streams: C tile 20 x 10 of the 32 x 32 PEs, k = 64 (T = 64;
     * the 64-row tile takes 2 FIFO slots).
     *   load a (20 x 64 = 1280 B)   engine 0 [0, 26)
     *   loadw (64 x 10 = 640 B)     engine 1 [0, 21): 16 + 5
     *   matmul                      t0 = max(inputs 26, weights 21) = 26, end = t0 + T + 2R + C
     *                               - 2 = 26 + 64 + 64 + 32 - 2 = 184
     * busy 12, padding 52 as above; wait_inputs [0, 26); fill_drain [90, 184) = 94. */
    const char *extra_os[] = {"tpu.dram.ideal=true", "tpu.array.dataflow=os"};
    run(extra_os, 2,
        ".tensor A int8 20 64\n.tensor B int8 64 10\n.ub a 0 2048\n"
        "load a, A[0:20, 0:64]\nloadw 0, B[0:64, 0:10]\nmatmul 0, 0, a, 20\n", 3, s, e, &st);
    assert_int_equal(s[2], 26);
    assert_int_equal(e[2], 184);
    assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 12);
    assert_int_equal(cyc(&st, "core0.mxu0", "padding"), 52);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_inputs"), 26);
    assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 94);
    assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), 0);
    stats_free(&st);
}

static void off_chip_backpressure_and_memory_causes(void **state)
{
    (void)state;
    /* Two loads of 2048 contiguous bytes (A is 64 x 32 int8 at address 0) into different UB
     * ranges. DRAM 64 GB/s at 1 GHz over 4 channels = 16 B/cycle each, 256-byte interleave,
     * 64 B bursts, latency 100: 2048 bytes = 8 granules, 2 per channel = 512 B = 32 cycles per
     * channel (mem/dram.h).
     * Two engines, both loads begin at 0, their DRAM shares issued at 16:
     *   load 0 (engine 0): channels [16, 48), data at 148; its last burst leaves the queue at
     *     48, after its own 32 cycles: busy 32, off_chip [32, 48) = 16, idle [48, 180) = 132.
     *   load 1 (engine 1): the channels are busy until 48: [48, 80), data at 180: busy 32,
     *     off_chip [32, 80) = 48, idle [80, 180) = 100.
     * The memory: 4096 bus bytes at 64 B/cycle: transfer 64; in flight [16, 148) u [16, 180)
     * = 164 cycles: latency 164 - 64 = 100; idle [0, 16) = 16. */
    const char *extra[] = {"tpu.dram.ideal=false", "tpu.dram.bandwidth=64GB/s", "tpu.dram.channels=4",
                           "tpu.dram.burst_bytes=64", "tpu.dram.interleave_bytes=256", "tpu.dram.read_latency=100"};
    const char *prog = ".tensor A int8 64 32\n.ub r 0 8192\nload r, A[0:64, 0:32]\nload r+2048, A[0:64, 0:32]\n";
    uint64_t s[2], e[2];
    tp_stats st;
    run(extra, 6, prog, 2, s, e, &st);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], 0);
    assert_int_equal(e[0], 148);
    assert_int_equal(e[1], 180);
    assert_int_equal(st.cycles, 180);
    assert_int_equal(cyc(&st, "core0.dma0", "busy"), 32);
    assert_int_equal(cyc(&st, "core0.dma0", "off_chip"), 16);
    assert_int_equal(cyc(&st, "core0.dma0", "idle"), 132);
    assert_int_equal(cyc(&st, "core0.dma1", "busy"), 32);
    assert_int_equal(cyc(&st, "core0.dma1", "off_chip"), 48);
    assert_int_equal(cyc(&st, "core0.dma1", "idle"), 100);
    assert_int_equal(cyc(&st, "dram", "transfer"), 64);
    assert_int_equal(cyc(&st, "dram", "latency"), 100);
    assert_int_equal(cyc(&st, "dram", "idle"), 16);
    stats_free(&st);
    /* One engine: load 1 waits for it until load 0's last burst has left (48): channels
     * [64, 96), data at 196. The engine: busy 32 + 32, off_chip [32, 48) + [80, 96) = 32, idle
     * [96, 196) = 100. The memory: in flight [16, 148) u [64, 196) = [16, 196) = 180: transfer
     * 64, latency 116, idle 16. */
    const char *extra1[] = {"tpu.dram.ideal=false", "tpu.dram.bandwidth=64GB/s", "tpu.dram.channels=4",
                            "tpu.dram.burst_bytes=64", "tpu.dram.interleave_bytes=256", "tpu.dram.read_latency=100",
                            "tpu.dma.engines=1"};
    run(extra1, 7, prog, 2, s, e, &st);
    assert_int_equal(s[1], 48);
    assert_int_equal(e[1], 196);
    assert_int_equal(cyc(&st, "core0.dma0", "busy"), 64);
    assert_int_equal(cyc(&st, "core0.dma0", "off_chip"), 32);
    assert_int_equal(cyc(&st, "core0.dma0", "idle"), 100);
    assert_int_equal(cyc(&st, "dram", "transfer"), 64);
    assert_int_equal(cyc(&st, "dram", "latency"), 116);
    assert_int_equal(cyc(&st, "dram", "idle"), 16);
    stats_free(&st);
}

static void mxu_idle_behind_a_fence(void **state)
{
    (void)state;
    /* Ideal DRAM.
     *   0 load a          engine 0 [0, 32)
     *   1 loadw           engine 1 [0, 24)
     *   2 matmul          inputs 17 (load 0's rows as they come: wbuf_full_holds_the_second_
     *                     loadw), weights 24: shift [24, 56), t0 56, end 183
     *   3 activate        64 x 32 int32 of acc rows 0..63 (RAW on 2), row by row (sb.c note 6):
     *                     row q is written at t0 + q + R + C - 1, ready at 120 + q; the unit
     *                     takes a row (32 elements) a cycle, so it begins at 120 and is done
     *                     with row q at 121 + q: [120, 184) (its 8192 B of UB writes at
     *                     128 B/cycle over those 64 cycles)
     *   4 fence           the core drains: at 184
     *   5 loadw           engine 1 (free since 24, before engine 0's 32) [184, 208)
     *   6 matmul          arrives at 184; weights 208, W = 56 + 62 = 118: shift [208, 240),
     *                     t0 240, end 367
     * Op 6's gap [120, 240): fill_drain [120, 183) = 63, shift 32, idle [183, 208) = 25: the
     * matmul was not there before 184 and the issuer was at the fence, not at a full queue:
     * idle [183, 184) = 1; then it waited for its loadw: wait_weights [184, 208) = 24.
     * Op 2's gap [0, 56): shift 32, idle [0, 24) for its weights (24 > 17): wait_weights 24.
     * MXU: busy 128, weight_shift 64, fill_drain 63 + [304, 367) 63 = 126: 367 in all.
     * VPU: dependency [0, 120), busy 64, idle [184, 367) = 183. DMA engine 0: busy 32, idle
     * 335; engine 1: busy 48, idle 319 (nothing waits in a DMA queue). */
    const char *extra[] = {"tpu.dram.ideal=true"};
    uint64_t s[7], e[7];
    tp_stats st;
    run(extra, 1,
        ".tensor A int8 64 32\n.tensor B int8 32 32\n.ub a 0 2048\n.ub o 8192 8192\n"
        "load a, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n"
        "activate o, 0, 64, 32, out=int32\nfence\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n", 7, s, e, &st);
    assert_int_equal(s[3], 120);
    assert_int_equal(e[3], 184);
    assert_int_equal(s[5], 184);
    assert_int_equal(s[6], 240);
    assert_int_equal(st.cycles, 367);
    assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 128);
    assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), 64);
    assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 126);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_inputs"), 0);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_weights"), 24 + 24);
    assert_int_equal(cyc(&st, "core0.mxu0", "idle"), 1);
    assert_int_equal(cyc(&st, "core0.mxu0", "issue_blocked"), 0);
    assert_int_equal(cyc(&st, "core0.vpu", "dependency"), 120);
    assert_int_equal(cyc(&st, "core0.vpu", "busy"), 64);
    assert_int_equal(cyc(&st, "core0.vpu", "idle"), 183);
    assert_int_equal(cyc(&st, "core0.dma0", "busy"), 32);
    assert_int_equal(cyc(&st, "core0.dma0", "idle"), 335);
    assert_int_equal(cyc(&st, "core0.dma1", "busy"), 48);
    assert_int_equal(cyc(&st, "core0.dma1", "idle"), 319);
    stats_free(&st);
}

static void mxu_dependency_on_a_war(void **state)
{
    (void)state;
    /* The second matmul overwrites the accumulator rows the activate reads (WAR): it may
     * stream only after the activate's read_done. Ideal DRAM.
     *   0 load a, 1 loadw, 2 matmul   as above: t0 56, end 183, stream end 120
     *   3 activate                    [120, 184) (RAW on 2, row by row as in
     *                                 mxu_idle_behind_a_fence); its values move at 183, when
     *                                 the last row it reads is written (sb.c note 7)
     *   4 loadw                       at 0 both engines are busy: engine 1 at 24, [24, 48)
     *   5 matmul (rows 0..63)         at the MXU since 0 (behind 2); WAR on 3, so held until 3
     *                                 begins at 120, and until its values move at 183 (note 7),
     *                                 and timed then: inputs 184 (3's read_done), weights 183,
     *                                 W = 56 + 31 = 87: shift [183, 215),
     *                                 t0 = max(184, 120, 215) = 215, end 342
     * Op 5's gap [120, 215): the array would have let it start at 120 (free_start), so the
     * drain [120, 183) it waits under is the wait's, not the pipeline's: the hazard held it
     * (dependency 63); then shift 32, streaming at its end.
     * MXU: busy 128, weight_shift 64, fill_drain [279, 342) 63, wait_weights 24 (op 2),
     * dependency 63: 342. */
    const char *extra[] = {"tpu.dram.ideal=true"};
    uint64_t s[6], e[6];
    tp_stats st;
    run(extra, 1,
        ".tensor A int8 64 32\n.tensor B int8 32 32\n.ub a 0 2048\n.ub o 8192 8192\n"
        "load a, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n"
        "activate o, 0, 64, 32, out=int32\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n", 6, s, e, &st);
    assert_int_equal(s[4], 24);
    assert_int_equal(e[4], 48);
    assert_int_equal(s[5], 215);
    assert_int_equal(e[5], 342);
    assert_int_equal(st.cycles, 342);
    assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 128);
    assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), 64);
    assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 63);
    assert_int_equal(cyc(&st, "core0.mxu0", "wait_weights"), 24);
    assert_int_equal(cyc(&st, "core0.mxu0", "dependency"), 63);
    assert_int_equal(cyc(&st, "core0.mxu0", "idle"), 0);
    stats_free(&st);
}

static void mxu_in_order_behind_an_activate(void **state)
{
    (void)state;
    /* tpu.vpu.in_order (sb.c note 5): a matmul may not begin before an older activate has
     * begun, even with no hazard between them. Ideal DRAM. Op 5 writes accumulator rows
     * 64..127, which the activate does not read.
     *   0 load a, 1 loadw, 2 matmul   t0 56, stream end 120, end 183 (as above)
     *   3 activate (rows 0..63)       [120, 184) (RAW on 2, row by row as in
     *                                 mxu_idle_behind_a_fence)
     *   4 loadw                       engine 1 [24, 48)
     * in_order false: 5 is timed at once, weights 48, W = 56 + R - 1 = 87: shift [87, 119),
     *   hidden under op 2's stream; t0 = max(17, 120, 119) = 120, end 120 + 64 + 63 = 247. MXU:
     *   busy 128, weight_shift 32, wait_weights 24 (op 2), fill_drain [184, 247) = 63: 247.
     * in_order true: 5 is held until the activate begins at 120 and timed then (weights_ready
     *   = max(now, 48) = 120): shift [120, 152), t0 = max(120, 120, 152) = 152, end 279. Its
     *   gap [120, 152) is the shift (the drain of op 2 runs under its stream). MXU: busy 128,
     *   weight_shift 64, wait_weights 24, fill_drain [216, 279) 63: 279 = 247 + 32. */
    const char *prog =
        ".tensor A int8 64 32\n.tensor B int8 32 32\n.ub a 0 2048\n.ub o 8192 8192\n"
        "load a, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nmatmul 0, 0, a, 64\n"
        "activate o, 0, 64, 32, out=int32\nloadw 0, B[0:32, 0:32]\nmatmul 0, 64, a, 64\n";
    for (int on = 0; on < 2; on++) {
        const char *extra[] = {"tpu.dram.ideal=true", on ? "tpu.vpu.in_order=true" : "tpu.vpu.in_order=false"};
        uint64_t s[6], e[6];
        tp_stats st;
        run(extra, 2, prog, 6, s, e, &st);
        assert_int_equal(s[3], 120);
        assert_int_equal(e[3], 184);
        assert_int_equal(s[5], on ? 152 : 120);
        assert_int_equal(e[5], on ? 279 : 247);
        assert_int_equal(st.cycles, on ? 279 : 247);
        assert_int_equal(cyc(&st, "core0.mxu0", "busy"), 128);
        assert_int_equal(cyc(&st, "core0.mxu0", "weight_shift"), on ? 64 : 32);
        assert_int_equal(cyc(&st, "core0.mxu0", "fill_drain"), 63);
        assert_int_equal(cyc(&st, "core0.mxu0", "wait_weights"), 24);
        assert_int_equal(cyc(&st, "core0.mxu0", "dependency"), 0);
        assert_int_equal(cyc(&st, "core0.mxu0", "idle"), 0);
        stats_free(&st);
    }
}

TH_GROUP(causes)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wbuf_full_holds_the_second_loadw),
        cmocka_unit_test(issue_blocked_mxu_and_dma),
        cmocka_unit_test(issue_blocked_vpu_and_engine_timelines),
        cmocka_unit_test(padding_of_a_partial_tile),
        cmocka_unit_test(off_chip_backpressure_and_memory_causes),
        cmocka_unit_test(mxu_idle_behind_a_fence),
        cmocka_unit_test(mxu_dependency_on_a_war),
        cmocka_unit_test(mxu_in_order_behind_an_activate),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
