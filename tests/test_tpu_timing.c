/* The TPU blocks' timing equations as pure functions (tpu/tpu_int.h; white-box, as Lua's
 * ltests.c reads lstate.h): dma_time and dma_ub_write_want (dma.c, note 2), vpu_time (vpu.c,
 * note 2), mm_ub_read_lead (mm.c, note 2). Every expected value is worked by hand from the
 * equation quoted above it; the machine-level tests (test_dma, test_scoreboard, test_machine's
 * ub_contention_is_named) check the same equations through whole runs. */
#include "harness.h"
#include "tpu/tpu_int.h"

static void dma_time_by_hand(void **state)
{
    (void)state;
    /* own = s + setup + ceil(bytes / bpc); end = max(own, mem_end, ub_end);
     * engine free = max(own, mem_sent) */
    /* 2048 B at 128 B/cycle from s = 10 with setup 16: own = 10 + 16 + 16 = 42. The memory's
     * data is in at 134 (its last burst left at 34), the UB writes end at 130: the instruction
     * ends with the memory, the engine is free with its own cycles. */
    dma_times d = dma_time(10, 16, 2048, 128, 134, 34, 130);
    assert_int_equal(d.own, 42);
    assert_int_equal(d.end, 134);
    assert_int_equal(d.engine_free, 42);
    /* a partial last cycle counts: 2049 B -> ceil(2049 / 128) = 17, own = 43 */
    d = dma_time(10, 16, 2049, 128, 0, 0, 0);
    assert_int_equal(d.own, 43);
    assert_int_equal(d.end, 43);          /* nothing else later: own bounds the end */
    assert_int_equal(d.engine_free, 43);
    /* backpressure: the last burst leaves the memory's queue at 60 > own 42, so the engine is
     * held until 60; the UB port (ub_end 200) bounds the end */
    d = dma_time(10, 16, 2048, 128, 160, 60, 200);
    assert_int_equal(d.own, 42);
    assert_int_equal(d.end, 200);
    assert_int_equal(d.engine_free, 60);
    /* loadw: no UB side (ub_end 0) */
    d = dma_time(0, 16, 1024, 128, 128, 28, 0);
    assert_int_equal(d.own, 24);
    assert_int_equal(d.end, 128);
    assert_int_equal(d.engine_free, 28);
}

static void dma_ub_writes_trail_the_data(void **state)
{
    (void)state;
    /* want = mem_end - ub_cycles if mem_end > first + ub_cycles, else first */
    /* memory data in at 124, 8 cycles of UB writes: they begin at 116 and end with the data */
    assert_int_equal(dma_ub_write_want(16, 124, 8), 116);
    /* data in at 20: the writes cannot begin before the transfer does (16), 20 < 16 + 8 */
    assert_int_equal(dma_ub_write_want(16, 20, 8), 16);
    /* the boundary: 24 = 16 + 8 is not later, so first (= 24 - 8 either way) */
    assert_int_equal(dma_ub_write_want(16, 24, 8), 16);
    /* a UB slower than the memory: 300 cycles of writes after data at 124 -> from first */
    assert_int_equal(dma_ub_write_want(16, 124, 300), 16);
}

static void vpu_time_by_hand(void **state)
{
    (void)state;
    /* own = s + ceil(elems / elems_per_cycle); end = max(own, ub_end) */
    /* 16 x 32 = 512 elements at 32 per cycle from 5: own = 21; UB writes end at 13 */
    vpu_times v = vpu_time(5, 512, 32, 13);
    assert_int_equal(v.own, 21);
    assert_int_equal(v.end, 21);
    /* 513 elements: 17 cycles */
    v = vpu_time(5, 513, 32, 0);
    assert_int_equal(v.own, 22);
    /* a busy UB write port: the results are written at 40 */
    v = vpu_time(5, 512, 32, 40);
    assert_int_equal(v.own, 21);
    assert_int_equal(v.end, 40);
}

static void mm_ub_read_lead_by_hand(void **state)
{
    (void)state;
    /* lead = max(0, read - T); want = max(inputs_ready, t0 - lead) (t0 - lead not below 0) */
    /* test_machine's ub_contention_is_named: 2048 B at 8 B/cycle = 256 read cycles for a stream
     * of T = 64: lead 192. With inputs at 272 and t0 = 464 = 272 + 192 the reads begin at 272. */
    mm_ub_read r = mm_ub_read_lead(256, 64, 464, 272);
    assert_int_equal(r.lead, 192);
    assert_int_equal(r.want, 272);
    /* the closed form alone would start at 300 (< 272 + 192): the reads would have to begin
     * at 108, before the inputs; they begin at 272 and the op is re-timed to 272 + 192 */
    r = mm_ub_read_lead(256, 64, 300, 272);
    assert_int_equal(r.lead, 192);
    assert_int_equal(r.want, 272);
    /* t0 later than needed: t0 = 600 -> reads from 600 - 192 = 408 */
    r = mm_ub_read_lead(256, 64, 600, 272);
    assert_int_equal(r.want, 408);
    /* a port fast enough: 32 read cycles for T = 64, no lead; reads begin with the stream */
    r = mm_ub_read_lead(32, 64, 100, 50);
    assert_int_equal(r.lead, 0);
    assert_int_equal(r.want, 100);
    /* lead larger than t0 itself (no wrap below 0): read 500, T 10, t0 20 -> want = inputs 0 */
    r = mm_ub_read_lead(500, 10, 20, 0);
    assert_int_equal(r.lead, 490);
    assert_int_equal(r.want, 0);
}

TH_GROUP(tpu_timing)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dma_time_by_hand),
        cmocka_unit_test(dma_ub_writes_trail_the_data),
        cmocka_unit_test(vpu_time_by_hand),
        cmocka_unit_test(mm_ub_read_lead_by_hand),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
