/* The shared stats record: the cause vocabulary and its categories, the derived figures of
 * stats_finish computed by hand, the invariant check, the event queue's order and the
 * per-unit accounting. */
#include "harness.h"
#include "stats/acct.h"
#include "stats/evq.h"
#include "base/rng.h"
#include "stats/stats.h"
#include <math.h>
#include <string.h>

/* Every cause of every kind has a distinct snake_case name, parses back, and has a category;
 * the categories the design table fixes for the TPU's named causes. */
static void vocabulary(void **state)
{
    (void)state;
    for (int k = 0; k < STATS_KIND__COUNT; k++) {
        uint32_t n = stats_kind_causes((stats_kind)k);
        assert_true(n > 0 && n <= STATS_MAX_CAUSES);
        for (uint32_t c = 0; c < n; c++) {
            const char *name = stats_cause_name((stats_kind)k, c);
            assert_string_not_equal(name, "?");
            for (const char *p = name; *p; p++)
                assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
            assert_int_equal(stats_cause_parse((stats_kind)k, name), (int)c);
            assert_true(stats_cause_category((stats_kind)k, c) < STATS_CAT__COUNT);
            for (uint32_t d = 0; d < c; d++)
                assert_string_not_equal(stats_cause_name((stats_kind)k, d), name);
        }
        assert_int_equal(stats_cause_parse((stats_kind)k, "no_such_cause"), -1);
        /* every kind ends with idle, in the idle category */
        assert_string_equal(stats_cause_name((stats_kind)k, n - 1), "idle");
        assert_int_equal(stats_cause_category((stats_kind)k, n - 1), STATS_CAT_IDLE);
    }
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_BUSY), STATS_CAT_COMPUTE);
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_PADDING), STATS_CAT_QUANTIZATION);
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_WEIGHT_SHIFT), STATS_CAT_PIPELINE);
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_FILL_DRAIN), STATS_CAT_PIPELINE);
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_UB_BANDWIDTH), STATS_CAT_ON_CHIP);
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_WAIT_WEIGHTS), STATS_CAT_OFF_CHIP);
    assert_int_equal(stats_cause_category(STATS_KIND_MXU, STATS_MXU_DEPENDENCY), STATS_CAT_SYNC);
    assert_int_equal(stats_cause_category(STATS_KIND_MEM, STATS_MEM_LATENCY), STATS_CAT_OFF_CHIP);
    assert_string_equal(stats_category_name(STATS_CAT_OFF_CHIP), "off_chip_memory");
    assert_string_equal(stats_category_name(STATS_CAT_ON_CHIP), "on_chip_data");
    assert_true(stats_kind_is_compute(STATS_KIND_MXU));
    assert_false(stats_kind_is_compute(STATS_KIND_DMA));
    assert_string_equal(stats_level_kind_name(STATS_LEVEL_CACHE), "cache");
}

/* A record built by hand: 1000 cycles at 1 GHz, peak 2.5 MACs per cycle (fractional, as a
 * GPU's can be), 2000 useful MACs; DRAM moved 3000 bus bytes (2000 asked for) at 8 GB/s;
 * a UB with 4 GB/s read and 2 GB/s write ports read 1000 and wrote 1500 bytes. */
static void derived_figures(void **state)
{
    (void)state;
    tp_stats s;
    stats_init(&s);
    s.clock_hz = 1000000000;
    s.cycles = 1000;
    s.macs = 2000;
    s.peak_macs_per_cycle = 2.5;
    stats_level *d = stats_add_level(&s, "dram", STATS_LEVEL_OFF_CHIP);
    d->read_bytes = 1500;
    d->write_bytes = 500;
    d->bus_bytes = 3000;
    d->shared_bus = true;
    d->peak_bytes_per_s = d->peak_read_bytes_per_s = d->peak_write_bytes_per_s = 8e9;
    stats_level *u = stats_add_level(&s, "ub", STATS_LEVEL_BUFFER);
    u->read_bytes = 1000;
    u->write_bytes = 1500;
    u->bus_bytes = 2500;
    u->peak_read_bytes_per_s = 4e9;
    u->peak_write_bytes_per_s = 2e9;
    u->peak_bytes_per_s = 6e9;
    stats_level *a = stats_add_level(&s, "acc", STATS_LEVEL_BUFFER);
    a->read_bytes = 7;
    stats_finish(&s);
    assert_float_equal(s.seconds, 1e-6, 1e-18);
    assert_float_equal(s.utilization, 2000.0 / (1000 * 2.5), 1e-12);          /* 0.8 */
    assert_float_equal(s.peak_ops_per_s, 2 * 2.5 * 1e9, 1);                    /* 5e9 */
    assert_float_equal(s.ops_per_s, 4000 / 1e-6, 1);                           /* 4e9 */
    assert_int_equal(s.offchip_bytes, 2000);
    assert_int_equal(s.offchip_bus_bytes, 3000);
    assert_float_equal(s.intensity, 4000.0 / 3000.0, 1e-12);
    /* 3000 bus bytes at 8 GB/s take 375 ns: ops bound 4000 / 375e-9 = 10.67e9 > peak 5e9 */
    assert_float_equal(s.roofline_ops_per_s, 5e9, 1);
    /* bandwidth utilization: 3000 / (8 bytes per cycle x 1000) = 0.375 */
    assert_float_equal(d->bandwidth_utilization, 0.375, 1e-12);
    assert_float_equal(d->achieved_bytes_per_s, 3e9, 1);
    /* ports: reads 1000 / (4 B/cycle x 1000) = 0.25, writes 1500 / (2 x 1000) = 0.75 */
    assert_float_equal(u->read_utilization, 0.25, 1e-12);
    assert_float_equal(u->write_utilization, 0.75, 1e-12);
    /* an unbounded level: peaks infinite, utilization 0 */
    assert_true(isinf(a->peak_bytes_per_s));
    assert_float_equal(a->bandwidth_utilization, 0.0, 0);
    /* a slower DRAM bounds the roofline: 3000 bytes at 1 GB/s = 3 us -> 4000 / 3e-6 */
    d->peak_bytes_per_s = 1e9;
    stats_finish(&s);
    assert_float_equal(s.roofline_ops_per_s, 4000.0 / 3e-6, 1e-3);
    stats_free(&s);
}

static void check_and_attrs(void **state)
{
    (void)state;
    tp_stats s;
    tp_err e;
    stats_init(&s);
    s.cycles = 100;
    stats_unit *u = stats_add_unit(&s, "core0.mxu0", STATS_KIND_MXU);
    assert_non_null(u);
    u->cycles[STATS_MXU_BUSY] = 60;
    u->cycles[STATS_MXU_FILL_DRAIN] = 30;
    u->cycles[STATS_MXU_IDLE] = 10;
    assert_int_equal(stats_check(&s, &e), TP_OK);
    assert_int_equal(stats_unit_cause(u, "fill_drain"), 30);
    assert_int_equal(stats_unit_cause(u, "transfer"), 0);   /* a mem cause, not an mxu one */
    assert_int_equal(stats_unit_category(u, STATS_CAT_PIPELINE), 30);
    u->cycles[STATS_MXU_IDLE] = 11;
    assert_int_equal(stats_check(&s, &e), TP_ERR_INTERNAL);
    assert_string_equal(e.msg, "stats: unit core0.mxu0: causes sum to 101 cycles, total is 100");
    u->cycles[STATS_MXU_IDLE] = 10;
    stats_unit *m = stats_add_unit(&s, "dram", STATS_KIND_MEM);
    m->cycles[STATS_MEM_IDLE] = 90;
    m->cycles[STATS_MEM__COUNT] = 10;   /* beyond the kind's causes */
    assert_int_equal(stats_check(&s, &e), TP_ERR_INTERNAL);
    assert_string_equal(e.msg, "stats: unit dram: cycles charged to cause 3, which kind mem lacks");
    stats_set_attr(&s, "engine", "fast");
    stats_set_attr(&s, "dataflow", "ws");
    stats_set_attr(&s, "engine", "pe");
    assert_int_equal(s.n_attrs, 2);
    assert_string_equal(stats_attr_get(&s, "engine"), "pe");
    assert_null(stats_attr_get(&s, "nothing"));
    tp_stats c;
    assert_int_equal(stats_copy(&c, &s, &e), TP_OK);
    assert_int_equal(c.n_units, 2);
    assert_ptr_not_equal(c.units, s.units);
    assert_int_equal(c.units[0].cycles[STATS_MXU_BUSY], 60);
    stats_free(&c);
    stats_free(&s);
}

/* Events come out by time, then priority, then unit, whatever the push order; duplicates once. */
static void event_order(void **state)
{
    (void)state;
    evq q;
    tp_err e;
    evq_init(&q);
    const uint64_t t[] = {5, 3, 5, 5, 3, 9, 5, 0};
    const uint32_t pr[] = {1, 0, 0, 1, 0, 0, 0, 2};
    const uint32_t un[] = {2, 7, 4, 1, 7, 0, 3, 0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(evq_push(&q, t[i], pr[i], un[i], &e), TP_OK);
    /* sorted: (0,2,0) (3,0,7)x2 (5,0,3) (5,0,4) (5,1,1) (5,1,2) (9,0,0) */
    const uint64_t wt[] = {0, 3, 5, 5, 5, 5, 9};
    const uint32_t wp[] = {2, 0, 0, 0, 1, 1, 0};
    const uint32_t wu[] = {0, 7, 3, 4, 1, 2, 0};
    evq_event ev;
    for (int i = 0; i < 7; i++) {
        assert_true(evq_pop(&q, &ev));
        assert_int_equal(ev.t, wt[i]);
        assert_int_equal(ev.prio, wp[i]);
        assert_int_equal(ev.unit, wu[i]);
    }
    assert_false(evq_pop(&q, &ev));
    /* many events in reverse order come out sorted */
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(evq_push(&q, 100000 - i * 7 % 1000, 0, i % 3, &e), TP_OK);
    uint64_t last = 0;
    uint32_t n = 0;
    while (evq_pop(&q, &ev)) {
        assert_true(ev.t >= last);
        last = ev.t;
        n++;
    }
    assert_true(n > 0 && n <= 1000);
    evq_free(&q);
}

/* Pushes with many duplicates (as a machine's wake-ups are), pops in between, and a shift: what
 * comes out equals a plain model, a multiset whose least element pops and is returned unless it
 * equals the last one returned, with evq_future_only (pushes never before the last pop; the
 * queue then drops most duplicates at push, evq.h) and without (pushes anywhere from the
 * present on). This checks that no event that should come out is dropped, nor one returned
 * twice. */
static int ev_cmp(const evq_event *a, const evq_event *b)
{
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->prio != b->prio)
        return a->prio < b->prio ? -1 : 1;
    return a->unit < b->unit ? -1 : a->unit > b->unit;
}

static void event_duplicates_model(void **state)
{
    (void)state;
    enum { MAXN = 4096 };
    static evq_event model[MAXN];
    rng_state r;
    rng_init(&r, 31);
    for (int round = 0; round < 20; round++) {
        evq q;
        tp_err e;
        evq_init(&q);
        bool future = round % 4 != 3;
        if (future)
            evq_future_only(&q);
        uint32_t n = 0, popped = 0, dropped = 0, fewer = 0;
        evq_event last = {0, 0, 0};
        bool has_last = false;
        uint64_t now = 0;
        for (int step = 0; step < 3000; step++) {
            uint32_t what = (uint32_t)rng_below(&r, 10);
            if (what < 6 && n < MAXN) {   /* a push near the present: duplicates are common */
                evq_event x = {now + rng_below(&r, round % 2 ? 4 : 40), (uint32_t)rng_below(&r, 2),
                               (uint32_t)rng_below(&r, 1 + round % 3)};
                if (future && has_last && ev_cmp(&x, &last) < 0)
                    x.t++;   /* the promise: not before the last one popped */
                assert_int_equal(evq_push(&q, x.t, x.prio, x.unit, &e), TP_OK);
                model[n++] = x;
            } else if (what < 9) {   /* a pop: the model's least element, unless a duplicate */
                evq_event got;
                bool have = false;
                evq_event want = {0, 0, 0};
                while (n) {
                    uint32_t b = 0;
                    for (uint32_t i = 1; i < n; i++)
                        if (ev_cmp(&model[i], &model[b]) < 0)
                            b = i;
                    evq_event m = model[b];
                    model[b] = model[--n];
                    if (has_last && !ev_cmp(&m, &last)) {
                        dropped++;
                        continue;
                    }
                    want = m;
                    have = true;
                    break;
                }
                assert_int_equal(evq_pop(&q, &got), have);
                if (have) {
                    assert_int_equal(got.t, want.t);
                    assert_int_equal(got.prio, want.prio);
                    assert_int_equal(got.unit, want.unit);
                    last = want;
                    has_last = true;
                    now = want.t;
                    popped++;
                }
            } else {   /* the fast-forward's shift moves everything, the last one popped too */
                uint64_t dt = 1 + rng_below(&r, 1000);
                evq_shift(&q, dt);
                for (uint32_t i = 0; i < n; i++)
                    model[i].t += dt;
                last.t += dt;
                now += dt;
            }
            assert_true(evq_len(&q) <= n);   /* it holds no more than the model */
            fewer += evq_len(&q) < n;
        }
        assert_true(popped > 100 && dropped > 10);   /* the case exercised duplicates */
        if (future)
            assert_true(fewer > 100);   /* and the queue dropped some of them at push */
        else
            assert_int_equal(fewer, 0);
        evq_free(&q);
    }
}

/* A unit's timeline: idle [0,10), busy [10,30), waits for a dependency [30,50), overlapping
 * work [40,60) charges only the uncharged [50,60), then idle to 100. */
static void accounting(void **state)
{
    (void)state;
    acct a;
    acct_init(&a, STATS_DMA_IDLE);
    acct_span(&a, 10, 30, STATS_DMA_BUSY);
    acct_note(&a, 30, STATS_DMA_DEPENDENCY);
    acct_note(&a, 35, STATS_DMA_DEPENDENCY);   /* same reason: nothing changes */
    acct_span(&a, 50, 70, STATS_DMA_BUSY);
    acct_span(&a, 40, 60, STATS_DMA_OFF_CHIP);  /* already charged up to 70 */
    acct_close(&a, 100);
    assert_int_equal(a.cyc[STATS_DMA_IDLE], 10 + 30);
    assert_int_equal(a.cyc[STATS_DMA_BUSY], 20 + 20);
    assert_int_equal(a.cyc[STATS_DMA_DEPENDENCY], 20);
    assert_int_equal(a.cyc[STATS_DMA_OFF_CHIP], 0);
    uint64_t sum = 0;
    for (int c = 0; c < STATS_MAX_CAUSES; c++)
        sum += a.cyc[c];
    assert_int_equal(sum, 100);
}

TH_GROUP(stats)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vocabulary),
        cmocka_unit_test(derived_figures),
        cmocka_unit_test(check_and_attrs),
        cmocka_unit_test(event_order),
        cmocka_unit_test(event_duplicates_model),
        cmocka_unit_test(accounting),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
