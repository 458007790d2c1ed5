/* stats/timeline: the cap and its counts, the nesting rule tl_finish enforces (and its exact
 * message), offsets, interned strings, rate windows computed by hand, the accounts' cause
 * slices (acct_trace) against their own cycle counts. */
#include "harness.h"
#include "stats/acct.h"
#include "stats/timeline.h"
#include <stdio.h>
#include <string.h>

/* Cap 3: of five slices on two tracks the first three (in recording order) are kept; the other
 * two are counted, per track too; tracks and series are never dropped. */
static void cap_keeps_the_first(void **state)
{
    (void)state;
    timeline tl;
    tl_init(&tl, 3);
    uint32_t a = tl_track(&tl, "core0", "dma0", "dma"), b = tl_track(&tl, "core0", "mxu0", "mxu");
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(tl_track(&tl, "core0", "dma0", "dma"), a);   /* found again, not made */
    assert_int_equal(tl_track(&tl, "core1", "dma0", "dma"), 2);   /* another group: another track */
    assert_int_equal(tl_slice(&tl, a, 0, 10, "load"), 0);
    assert_int_equal(tl_slice(&tl, b, 5, 9, "matmul"), 1);
    assert_int_equal(tl_slice(&tl, a, 10, 12, "load"), 2);
    uint32_t s = tl_slice(&tl, b, 9, 20, "matmul");
    assert_int_equal(s, TL_NONE);
    tl_arg_u64(&tl, s, "bytes", 5);   /* a dropped slice's args do nothing */
    assert_int_equal(tl_slice(&tl, a, 12, 14, "store"), TL_NONE);
    assert_int_equal(tl.kept, 3);
    assert_int_equal(tl.dropped, 2);
    assert_int_equal(tl.tracks[a].n_slices, 2);
    assert_int_equal(tl.tracks[a].n_dropped, 1);
    assert_int_equal(tl.tracks[b].n_slices, 1);
    assert_int_equal(tl.tracks[b].n_dropped, 1);
    assert_int_equal(tl.n_args, 0);
    uint32_t q = tl_series(&tl, "core0", "load queue", "entries");
    assert_int_not_equal(q, TL_NONE);
    tl_count(&tl, q, 1, 2);   /* a sample is an event too: dropped */
    assert_int_equal(tl.n_samples, 0);
    assert_int_equal(tl.dropped, 3);
    tp_err err = {0};
    assert_int_equal(tl_finish(&tl, &err), TP_OK);
    size_t n, f = tl_track_slices(&tl, a, &n);
    assert_int_equal(n, 2);
    assert_int_equal(tl.slices[f].start, 0);
    assert_int_equal(tl.slices[f + 1].start, 10);
    f = tl_track_slices(&tl, 2, &n);
    assert_int_equal(n, 0);
    tl_free(&tl);

    tl_init(&tl, 0);   /* cap 0: everything */
    a = tl_track(&tl, "g", "t", "k");
    for (int i = 0; i < 5000; i++)
        tl_slice(&tl, a, (uint64_t)i, (uint64_t)i + 1, "x");
    assert_int_equal(tl.kept, 5000);
    assert_int_equal(tl.dropped, 0);
    tl_free(&tl);
}

/* Nesting: a parent with two children that follow each other, a slice after it, zero-length
 * slices at the edges, one recorded out of order: fine. One that starts inside [0, 10) and
 * ends after it crosses: TP_ERR_INTERNAL naming the track and both slices. */
static void nesting_rule(void **state)
{
    (void)state;
    timeline tl;
    tp_err err = {0};
    tl_init(&tl, 0);
    uint32_t t = tl_track(&tl, "core0", "mxu0", "mxu"), u = tl_track(&tl, "core0", "vpu", "vpu");
    tl_slice(&tl, t, 10, 12, "after");
    tl_slice(&tl, t, 0, 10, "parent");
    tl_slice(&tl, t, 2, 5, "child");
    tl_slice(&tl, t, 5, 10, "child");
    tl_slice(&tl, t, 10, 10, "empty");
    tl_slice(&tl, t, 0, 0, "empty");
    tl_slice(&tl, u, 3, 11, "other track");   /* crosses [0, 10) but on its own track */
    assert_int_equal(tl_finish(&tl, &err), TP_OK);
    assert_true(tl.finished);
    size_t n, f = tl_track_slices(&tl, t, &n);
    assert_int_equal(n, 6);
    /* sorted by start, the longer first */
    assert_string_equal(tl_str(&tl, tl.slices[f].name), "parent");
    assert_string_equal(tl_str(&tl, tl.slices[f + 1].name), "empty");
    assert_int_equal(tl.slices[f + 2].start, 2);
    tl_slice(&tl, t, 8, 11, "crossing");
    assert_false(tl.finished);
    assert_int_equal(tl_finish(&tl, &err), TP_ERR_INTERNAL);
    assert_string_equal(err.msg, "trace: track core0/mxu0: slice crossing [8, 11) partly overlaps child [5, 10)");
    tl_free(&tl);

    /* a grandchild ending after its parent but inside the grandparent still crosses */
    tl_init(&tl, 0);
    t = tl_track(&tl, "g", "t", "k");
    tl_slice(&tl, t, 0, 100, "a");
    tl_slice(&tl, t, 10, 20, "b");
    tl_slice(&tl, t, 15, 25, "c");
    assert_int_equal(tl_finish(&tl, &err), TP_ERR_INTERNAL);
    assert_string_equal(err.msg, "trace: track g/t: slice c [15, 25) partly overlaps b [10, 20)");
    tl_free(&tl);
}

/* The offset moves every recorded cycle; strings are interned once; args keep their kinds. */
static void offset_strings_args(void **state)
{
    (void)state;
    timeline tl;
    tl_init(&tl, 0);
    uint32_t t = tl_track(&tl, "core0", "dma0", "dma");
    uint32_t x = tl_intern(&tl, "load");
    assert_int_equal(tl_intern(&tl, "load"), x);
    assert_string_equal(tl_str(&tl, x), "load");
    char many[32];
    for (int i = 0; i < 2000; i++) {   /* the table grows and rehashes */
        snprintf(many, sizeof many, "name%d", i);
        tl_intern(&tl, many);
    }
    assert_int_equal(tl_intern(&tl, "load"), x);
    assert_string_equal(tl_str(&tl, tl_intern(&tl, "name1234")), "name1234");
    tl.offset = 1000;
    uint32_t s = tl_slice(&tl, t, 5, 7, "load");
    tl_arg_u64(&tl, s, "bytes", 4096);
    tl_arg_i64(&tl, s, "delta", -3);
    tl_arg_f64(&tl, s, "share", 0.25);
    tl_arg_str(&tl, s, "tensor", "A");
    uint32_t q = tl_series(&tl, "core0", "load queue", "entries");
    tl_count(&tl, q, 6, 1);
    assert_int_equal(tl.slices[s].start, 1005);
    assert_int_equal(tl.slices[s].end, 1007);
    assert_int_equal(tl.slices[s].name, x);
    assert_int_equal(tl.slices[s].n_args, 4);
    const tl_arg *a = &tl.args[tl.slices[s].arg0];
    assert_string_equal(tl_str(&tl, a[0].key), "bytes");
    assert_int_equal(a[0].kind, TL_ARG_U64);
    assert_int_equal(a[0].v.u, 4096);
    assert_int_equal(a[1].kind, TL_ARG_I64);
    assert_int_equal(a[1].v.i, -3);
    assert_int_equal(a[2].kind, TL_ARG_F64);
    assert_true(a[2].v.f == 0.25);
    assert_int_equal(a[3].kind, TL_ARG_STR);
    assert_string_equal(tl_str(&tl, a[3].v.s), "A");
    assert_int_equal(tl.samples[0].cycle, 1006);
    tl_free(&tl);
}

/* Rate windows: 100 bytes over [8, 40) are 25 per 8 cycles: window [0, 16) gets 8 cycles' worth
 * (25), [16, 32) 16 cycles' (50), [32, 48) 8 (25); as B/cycle 25/16, 50/16, 25/16, then 0 at
 * the amount's end (40). Past TL_RATE_WINDOWS windows the width doubles and pairs merge, the
 * total amount staying the same. */
static void rate_windows(void **state)
{
    (void)state;
    timeline tl;
    tl_init(&tl, 2);   /* the rate's samples are not under the cap */
    tl_rate r;
    tl_rate_init(&r);
    tl_rate_add(&r, 8, 40, 100);
    uint32_t s = tl_series(&tl, "mem", "dram bandwidth", "B/cycle");
    tl_rate_emit(&tl, &r, s);
    assert_int_equal(tl.n_samples, 4);
    assert_int_equal(tl.kept, 0);
    assert_int_equal(tl.dropped, 0);
    const double want[4] = {25.0 / 16, 50.0 / 16, 25.0 / 16, 0};
    const uint64_t at[4] = {0, 16, 32, 40};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tl.samples[i].cycle, at[i]);
        assert_true(tl.samples[i].value == want[i]);
    }
    tl_rate_add(&r, 16 * TL_RATE_WINDOWS + 3, 16 * TL_RATE_WINDOWS + 3, 64);   /* one cycle past */
    assert_int_equal(r.width, 32);
    assert_int_equal(r.n, TL_RATE_WINDOWS / 2 + 1);
    assert_true(r.amount[0] == 75.0 && r.amount[1] == 25.0 && r.amount[TL_RATE_WINDOWS / 2] == 64.0);
    tl_rate_free(&r);
    tl_free(&tl);
}

/* acct_trace: every charge becomes a slice named by its cause, adjacent charges of one cause
 * merge, and the slices' lengths per cause are the account's own counts. */
static void account_slices(void **state)
{
    (void)state;
    timeline tl;
    tl_init(&tl, 0);
    acct a;
    acct_init(&a, STATS_DMA_IDLE);
    acct_trace(&a, &tl, tl_track(&tl, "core0", "dma0 cause", "cause"), STATS_KIND_DMA);
    acct_note(&a, 0, STATS_DMA_DEPENDENCY);
    acct_span(&a, 10, 20, STATS_DMA_BUSY);
    acct_span(&a, 20, 25, STATS_DMA_BUSY);      /* merges with [10, 20) */
    acct_span(&a, 22, 30, STATS_DMA_OFF_CHIP);  /* the part not charged: [25, 30) */
    acct_note(&a, 40, STATS_DMA_WBUF_FULL);     /* [30, 40) idle */
    acct_close(&a, 50);                          /* [40, 50) wbuf_full */
    tp_err err = {0};
    assert_int_equal(tl_finish(&tl, &err), TP_OK);
    const char *name[] = {"dependency", "busy", "off_chip", "idle", "wbuf_full"};
    const uint64_t s[] = {0, 10, 25, 30, 40}, e[] = {10, 25, 30, 40, 50};
    assert_int_equal(tl.n_slices, 5);
    for (int i = 0; i < 5; i++) {
        assert_string_equal(tl_str(&tl, tl.slices[i].name), name[i]);
        assert_int_equal(tl.slices[i].start, s[i]);
        assert_int_equal(tl.slices[i].end, e[i]);
        uint32_t c = (uint32_t)stats_cause_parse(STATS_KIND_DMA, name[i]);
        assert_int_equal(a.cyc[c], e[i] - s[i]);
    }
    tl_free(&tl);
}

/* Lanes: [0, 10) on vpu; [5, 8) overlaps it: lane "vpu #2"; [8, 12) starts before 10 but
 * after 8: lane 2 again; [10, 11) is back on vpu; [10, 20) overlaps both (ends 11, 12): a third
 * lane. Each lane's slices follow each other, so tl_finish accepts them. */
static void lanes(void **state)
{
    (void)state;
    timeline tl;
    tl_init(&tl, 0);
    uint32_t v = tl_track(&tl, "core0", "vpu", "vpu");
    uint32_t l1 = tl_lane(&tl, v, 0, 10);
    tl_slice(&tl, l1, 0, 10, "a");
    uint32_t l2 = tl_lane(&tl, v, 5, 8);
    tl_slice(&tl, l2, 5, 8, "b");
    uint32_t l3 = tl_lane(&tl, v, 8, 12);
    tl_slice(&tl, l3, 8, 12, "c");
    uint32_t l4 = tl_lane(&tl, v, 10, 11);
    tl_slice(&tl, l4, 10, 11, "d");
    uint32_t l5 = tl_lane(&tl, v, 10, 20);
    tl_slice(&tl, l5, 10, 20, "e");
    assert_int_equal(l1, v);
    assert_int_not_equal(l2, v);
    assert_string_equal(tl_str(&tl, tl.tracks[l2].name), "vpu #2");
    assert_string_equal(tl_str(&tl, tl.tracks[l2].group), "core0");
    assert_string_equal(tl_str(&tl, tl.tracks[l2].kind), "vpu");
    assert_int_equal(l3, l2);
    assert_int_equal(l4, v);
    assert_int_not_equal(l5, v);   /* vpu ends at 11, lane 2 at 12: a third */
    assert_int_not_equal(l5, l2);
    assert_string_equal(tl_str(&tl, tl.tracks[l5].name), "vpu #3");
    tp_err err = {0};
    assert_int_equal(tl_finish(&tl, &err), TP_OK);
    tl_free(&tl);
}

TH_GROUP(timeline)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cap_keeps_the_first),
        cmocka_unit_test(nesting_rule),
        cmocka_unit_test(offset_strings_args),
        cmocka_unit_test(rate_windows),
        cmocka_unit_test(account_slices),
        cmocka_unit_test(lanes),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
