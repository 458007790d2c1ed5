/* Off-chip memory model: a stream of bursts takes exactly the cycles of the stated equation.
 *
 * Equation (mem/dram.h): an access of B bytes whose bursts spread evenly over the channels of an
 * idle memory completes at
 *     issue + ceil(B * clock_hz / bytes_per_s) + latency
 * and in general at issue + latency + ceil(max over channels c of bytes_c * channels * clock_hz
 * / bytes_per_s), where bytes_c counts whole bursts on channel c and a busy channel queues. */
#include "harness.h"
#include "base/util.h"
#include "mem/dram.h"
#include "mem/sram.h"

static tp_mem_cfg mem4(void)
{
    tp_mem_cfg c = {0};
    c.present = true;
    c.channels = 4;
    c.bytes_per_s = 256000000000ull;   /* 256 GB/s at 1 GHz = 256 B/cycle, 64 per channel */
    c.burst_bytes = 64;
    c.interleave_bytes = 256;          /* 4 bursts per channel granule */
    c.read_latency_cycles = 100;
    c.write_latency_cycles = 70;
    return c;
}

static void even_stream_matches_equation(void **state)
{
    (void)state;
    tp_mem_cfg c = mem4();
    dram d;
    assert_int_equal(dram_init(&d, &c, 1000000000ull, NULL), TP_OK);
    /* N bursts of 64 B from address 0, N a multiple of 16 (one interleave period: 4 bursts on
     * each of the 4 channels), so N/4 per channel. E.g. N = 64, B = 4096:
     * ceil(4096 * 1e9 / 256e9) = 16 cycles, + 100 latency, issued at 5. */
    for (uint64_t n = 16; n <= 256; n += 16) {
        dram_reset(&d);
        dram_access a;
        uint64_t end = dram_access_2d(&d, false, 5, 0, 1, n * 64, 0, &a);
        uint64_t expect = 5 + (n * 64 * 1000000000ull + 256000000000ull - 1) / 256000000000ull + 100;
        assert_int_equal(end, expect);
        assert_int_equal(end, 5 + cfg_mem_transfer_cycles(&c, 1000000000ull, n * 64) + 100);
        assert_int_equal(a.bursts, n);
        assert_int_equal(a.bus_bytes, n * 64);
    }
    /* writes use the write latency */
    dram_reset(&d);
    assert_int_equal(dram_access_2d(&d, true, 0, 0, 1, 1024, 0, NULL), 4 + 70);
}

static void non_integral_bandwidth(void **state)
{
    (void)state;
    /* 1 channel, 3 GB/s at 1 GHz = 3 bytes/cycle, 1-byte bursts: 10 bytes -> ceil(10/3) = 4. */
    tp_mem_cfg c = {0};
    c.channels = 1;
    c.bytes_per_s = 3000000000ull;
    c.burst_bytes = 1;
    c.interleave_bytes = 1;
    c.read_latency_cycles = 7;
    dram d;
    assert_int_equal(dram_init(&d, &c, 1000000000ull, NULL), TP_OK);
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 1, 10, 0, NULL), 4 + 7);
    /* back to back: the channel is busy until 10/3 cycles (exact), the next 10 bytes end at
     * 20/3 -> ceil = 7, so the second access completes at 7 + 7 (not 4 + 4 + 7 = 15). */
    assert_int_equal(dram_access_2d(&d, false, 0, 10, 1, 10, 0, NULL), 7 + 7);
}

static void queueing_and_uneven_channels(void **state)
{
    (void)state;
    tp_mem_cfg c = mem4();
    dram d;
    assert_int_equal(dram_init(&d, &c, 1000000000ull, NULL), TP_OK);
    /* 128 bytes at address 0 = bursts 0, 1: both on channel 0 (granule of 4 bursts), which moves
     * 64 B/cycle: 2 cycles, not the pooled ceil(128 / 256) = 1. */
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 1, 128, 0, NULL), 2 + 100);
    /* a second access to channel 0 issued at 1 waits until cycle 2: ends at 2 + 1 + 100 */
    assert_int_equal(dram_access_2d(&d, false, 1, 192, 1, 64, 0, NULL), 3 + 100);
    /* channel 1 (bytes 256..511) is idle: 64 bytes issued at 1 end at 1 + 1 + 100 */
    assert_int_equal(dram_access_2d(&d, false, 1, 256, 1, 64, 0, NULL), 2 + 100);
    /* strided: 4 rows of 64 B, stride 1024 = one whole interleave period, so every row lands on
     * channel 0: 4 bursts = 4 cycles, queued behind channel 0's busy time (until 3). */
    dram_reset(&d);
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 4, 64, 1024, NULL), 4 + 100);
    /* stride 256: rows on channels 0,1,2,3, one burst each: 1 cycle */
    dram_reset(&d);
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 4, 64, 256, NULL), 1 + 100);
}

static void bursts_of_unaligned_runs(void **state)
{
    (void)state;
    tp_mem_cfg c = mem4();
    dram d;
    assert_int_equal(dram_init(&d, &c, 1000000000ull, NULL), TP_OK);
    assert_int_equal(dram_run_bursts(&d, 0, 64), 1);
    assert_int_equal(dram_run_bursts(&d, 60, 8), 2);     /* bytes 60..67 straddle 64 */
    assert_int_equal(dram_run_bursts(&d, 64, 1), 1);
    assert_int_equal(dram_run_bursts(&d, 63, 130), 4);   /* 63..192: bursts 0,1,2,3 */
    dram_access a;
    /* 3 rows of 20 bytes at 10, 110, 210: [10,30) burst 0; [110,130) crosses 128: bursts 1, 2;
     * [210,230) burst 3 -> 4 bursts, 256 bus bytes for 60 bytes asked */
    dram_access_2d(&d, false, 0, 10, 3, 20, 100, &a);
    assert_int_equal(a.bursts, 4);
    assert_int_equal(a.bus_bytes, 256);
    assert_int_equal(a.bytes, 60);
    assert_int_equal(d.read_bytes, 60);
    assert_int_equal(d.bus_bytes, 256);
}

static void ideal_memory_is_instant(void **state)
{
    (void)state;
    tp_mem_cfg c = {0};
    c.ideal = true;
    dram d;
    assert_int_equal(dram_init(&d, &c, 1000000000ull, NULL), TP_OK);
    assert_int_equal(dram_access_2d(&d, false, 42, 0, 1000, 1000, 0, NULL), 42);
    assert_int_equal(d.read_bytes, 1000000);
}

static void bad_config_is_refused(void **state)
{
    (void)state;
    tp_mem_cfg c = mem4();
    c.channels = 0;
    dram d;
    tp_err err = {0};
    assert_int_equal(dram_init(&d, &c, 1000000000ull, &err), TP_ERR_CONFIG);
    assert_non_null(strstr(err.msg, "channels"));
}

static void sram_bandwidth_reservation(void **state)
{
    (void)state;
    sram s;
    /* 4 banks x 1 read port x 64 B = 256 B/cycle read; 2 write ports -> 512 B/cycle write */
    sram_init(&s, 4096, 4, 1, 2, 64);
    assert_int_equal(sram_cycles(&s, false, 1000), 4);   /* ceil(1000 / 256) */
    assert_int_equal(sram_cycles(&s, true, 1000), 2);    /* ceil(1000 / 512) */
    assert_int_equal(sram_earliest(&s, false, 10, 1024, 0), 10);
    sram_reserve(&s, false, 10, 1024, 0);                    /* busy [10, 14) */
    assert_int_equal(sram_earliest(&s, false, 11, 256, 0), 14);
    assert_int_equal(sram_earliest(&s, true, 11, 256, 0), 11);   /* write side is separate */
    /* a reservation ahead of time, [30, 34): a 4-cycle access fits the gap [14, 30) ... */
    sram_reserve(&s, false, 30, 1024, 0);
    assert_int_equal(sram_earliest(&s, false, 20, 1024, 0), 20);
    /* ... a 4-cycle access at 28 does not (it would overlap 30): it goes after 34 */
    assert_int_equal(sram_earliest(&s, false, 28, 1024, 0), 34);
    /* after time 14 the first reservation is forgotten; the second still counts */
    sram_retire(&s, 14);
    assert_int_equal(s.n_res[0], 1);
    assert_int_equal(sram_earliest(&s, false, 31, 1, 0), 34);
    assert_true(sram_fits(&s, 4000, 96));
    assert_false(sram_fits(&s, 4000, 97));
}

/* Accesses at a rate below the bandwidth share it: 256 B/cycle read. A DMA at 128 B/cycle
 * moving 12800 B holds [0, 100) at half the port; an MXU op reading 32 B a cycle for 64
 * cycles (2048 B) fits beside it at 10 (128 + 32 <= 256); a second DMA at 128 fits beside the
 * first too, but then a third 128 B/cycle access must wait for the first to end at 100
 * (128 + 128 + 32 > 256 in [10, 74), and 128 + 128 = 256 leaves nothing until 100). A rate above
 * the bandwidth gets the bandwidth. */
static void sram_rates_share_the_port(void **state)
{
    (void)state;
    sram s;
    sram_init(&s, 1 << 20, 4, 1, 1, 64);
    assert_int_equal(sram_rate(&s, false, 1000), 256);
    assert_int_equal(sram_rate(&s, false, 0), 256);
    assert_int_equal(sram_cycles_at(&s, false, 12800, 128), 100);
    sram_reserve(&s, false, 0, 12800, 128);
    assert_int_equal(sram_earliest(&s, false, 10, 2048, 32), 10);
    sram_reserve(&s, false, 10, 2048, 32);          /* [10, 74) at 32 */
    assert_int_equal(sram_earliest(&s, false, 5, 12800, 96), 5);
    assert_int_equal(sram_earliest(&s, false, 5, 12800, 128), 74);
    sram_reserve(&s, false, 74, 12800, 128);        /* [74, 174) at 128 */
    assert_int_equal(sram_earliest(&s, false, 20, 128, 128), 100);
    /* the whole port: free only where nothing is reserved */
    assert_int_equal(sram_earliest(&s, false, 0, 256, 0), 174);
    sram_retire(&s, 100);
    assert_int_equal(s.n_res[0], 1);
}


/* In-flight cycles are the union of [issue, end) over accesses: two overlapping reads
 * [0, 116) and [10, 132) (the second queues 16 cycles behind the first on every channel:
 * ends 10 + 6 wait + 16 + 100) and one later write [200, 274) give 132 + 74 in flight. */
static void in_flight_is_the_union(void **state)
{
    (void)state;
    tp_mem_cfg c = mem4();
    dram d;
    assert_int_equal(dram_init(&d, &c, 1000000000ull, NULL), TP_OK);
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 1, 4096, 0, NULL), 116);
    assert_int_equal(dram_access_2d(&d, false, 10, 8192, 1, 4096, 0, NULL), 132);
    assert_int_equal(d.inflight_cycles, 132);
    assert_int_equal(dram_access_2d(&d, true, 200, 0, 1, 1024, 0, NULL), 274);
    assert_int_equal(d.inflight_cycles, 132 + 74);
    assert_int_equal(d.inflight_until, 274);
    /* a 64-byte read issued at 200 queues behind the write on its channel (each channel moves
     * the write's 4 bursts in [200, 204)): it ends at 204 + 1 + 100 = 305, so the union grows
     * by 305 - 274 = 31 cycles, not by its own 105 */
    assert_int_equal(dram_access_2d(&d, false, 200, 65536, 1, 64, 0, NULL), 305);
    assert_int_equal(d.inflight_cycles, 132 + 74 + 31);
    dram_reset(&d);
    assert_int_equal(d.inflight_cycles, 0);
    assert_int_equal(d.inflight_until, 0);
}

/* A full calendar merges its two earliest reservations (waits may only get longer): with
 * SRAM_MAX_RESERVATIONS one-cycle reservations at 0, 2, 4, ..., one more at 1000 merges
 * [0,1) and [2,3) into [0,3), so the free cycle 1 is no longer offered. */
static void sram_full_calendar_merges(void **state)
{
    (void)state;
    sram s;
    sram_init(&s, 4096, 1, 1, 1, 1);   /* 1 byte per cycle per side */
    for (uint32_t i = 0; i < SRAM_MAX_RESERVATIONS; i++)
        sram_reserve(&s, false, 2 * i, 1, 0);
    assert_int_equal(s.n_res[0], SRAM_MAX_RESERVATIONS);
    assert_int_equal(sram_earliest(&s, false, 1, 1, 0), 1);
    sram_reserve(&s, false, 1000, 1, 0);
    assert_int_equal(s.n_res[0], SRAM_MAX_RESERVATIONS);
    assert_int_equal(s.res[0][0].begin, 0);
    assert_int_equal(s.res[0][0].end, 3);
    assert_int_equal(sram_earliest(&s, false, 1, 1, 0), 3);
    assert_int_equal(s.res[0][SRAM_MAX_RESERVATIONS - 1].begin, 1000);
    assert_int_equal(s.read_bytes, SRAM_MAX_RESERVATIONS + 1);
}

/* Counts never wrap: at 1 B/s and 10 GHz, a 2^30-byte read takes 2^30 * 10^10 = 1.07e19 cycles,
 * past TP_COUNT_MAX = 2^63 = 9.22e18. The access ends at the limit, the memory records the true
 * figure, and dram_check_limit refuses with it and the keys; a 2^29-byte read (5.37e18 cycles)
 * is under the limit and exact. */
static void counts_past_the_limit_are_refused(void **state)
{
    (void)state;
    tp_mem_cfg c = mem4();
    c.bytes_per_s = 1;
    c.read_latency_cycles = 0;
    const uint64_t hz = 10000000000ull;
    dram d;
    tp_err err = {0};
    assert_int_equal(dram_init(&d, &c, hz, NULL), TP_OK);
    uint64_t half = UINT64_C(1) << 29;
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 1, half, 0, NULL), half * hz);
    assert_false(d.past_limit);
    assert_int_equal(dram_check_limit(&d, "tpu.dram", "tpu.clock", &err), TP_OK);
    dram_reset(&d);
    assert_int_equal(dram_access_2d(&d, false, 0, 0, 1, 2 * half, 0, NULL), TP_COUNT_MAX);
    assert_true(d.past_limit);
    assert_true(d.past_limit_cycles == (double)(2 * half) * (double)hz);
    assert_int_equal(dram_check_limit(&d, "tpu.dram", "tpu.clock", &err), TP_ERR_RANGE);
    assert_string_equal(err.msg, "tpu.dram.bandwidth=1B/s at tpu.clock=10GHz: an access would end at cycle 1.07e+19, "
                                 "past the 9.22e+18 (2^63) cycles tpusim counts; the run is refused rather than "
                                 "reported wrapped");
    dram_reset(&d);   /* forgets it */
    assert_false(d.past_limit);
}

TH_GROUP(dram)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(even_stream_matches_equation),
        cmocka_unit_test(non_integral_bandwidth),
        cmocka_unit_test(queueing_and_uneven_channels),
        cmocka_unit_test(bursts_of_unaligned_runs),
        cmocka_unit_test(ideal_memory_is_instant),
        cmocka_unit_test(bad_config_is_refused),
        cmocka_unit_test(sram_bandwidth_reservation),
        cmocka_unit_test(sram_rates_share_the_port),
        cmocka_unit_test(in_flight_is_the_union),
        cmocka_unit_test(sram_full_calendar_merges),
        cmocka_unit_test(counts_past_the_limit_are_refused),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
