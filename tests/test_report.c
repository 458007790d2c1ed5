/* The report: the bound sentence from hand-built records, and text figures that must not
 * mislead (unbounded peaks, read/write ports, units of ops). */
#include "harness.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/bound.h"
#include "report/report.h"
#include "report/validated.h"
#include "base/readfile.h"
#include "tools/jsonv.h"

/* A record of one MXU, two DMA engines and DRAM over 1000 cycles at 1 GHz; the caller sets
 * causes. DRAM peak 100 B/cycle. */
static void base_record(tp_stats *s)
{
    stats_init(s);
    snprintf(s->machine, sizeof s->machine, "hand");
    snprintf(s->dtype, sizeof s->dtype, "int8");
    snprintf(s->compute_unit, sizeof s->compute_unit, "MXU");
    s->clock_hz = 1000000000;
    s->cycles = 1000;
    s->peak_macs_per_cycle = 100;
    s->compute_units = 1;
    s->compute_units_used = 1;
    stats_unit *u = stats_add_unit(s, "core0.mxu0", STATS_KIND_MXU);
    assert_non_null(u);
    u->macs = 1;
    assert_non_null(stats_add_unit(s, "core0.dma0", STATS_KIND_DMA));
    assert_non_null(stats_add_unit(s, "core0.dma1", STATS_KIND_DMA));
    assert_non_null(stats_add_unit(s, "dram", STATS_KIND_MEM));
    stats_level *l = stats_add_level(s, "dram", STATS_LEVEL_OFF_CHIP);
    assert_non_null(l);
    l->shared_bus = true;
    l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s = 100e9;
}

/* Sets the MXU's causes (the rest idle), the DRAM's bus bytes and in-flight cycles, and the
 * DMA engines' back-pressure cycles (cause off_chip); then finishes the record. */
static void fill(tp_stats *s, const char *const *causes, const uint64_t *cycles, int n, uint64_t bus_bytes,
                 uint64_t in_flight, uint64_t dma_held)
{
    stats_unit *mxu = &s->units[0];
    uint64_t used = 0;
    for (int i = 0; i < n; i++) {
        int c = stats_cause_parse(STATS_KIND_MXU, causes[i]);
        assert_true(c >= 0);
        mxu->cycles[c] = cycles[i];
        used += cycles[i];
    }
    assert_true(used <= s->cycles);
    mxu->cycles[STATS_MXU_IDLE] += s->cycles - used;
    mxu->macs = mxu->cycles[STATS_MXU_BUSY] * 100;
    s->macs = mxu->macs;
    for (int e = 1; e <= 2; e++) {
        s->units[e].cycles[STATS_DMA_OFF_CHIP] = dma_held;
        s->units[e].cycles[STATS_DMA_IDLE] = s->cycles - dma_held;
    }
    s->units[3].cycles[STATS_MEM_TRANSFER] = bus_bytes / 100;
    s->units[3].cycles[STATS_MEM_LATENCY] = in_flight - bus_bytes / 100;
    s->units[3].cycles[STATS_MEM_IDLE] = s->cycles - in_flight;
    s->levels[0].read_bytes = s->levels[0].bus_bytes = bus_bytes;
    s->levels[0].in_flight_cycles = in_flight;
    stats_finish(s);
    tp_err err = {0};
    assert_int_equal(stats_check(s, &err), TP_OK);
}

static void compute_bound(void **state)
{
    (void)state;
    tp_stats s;
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "fill_drain", "ub_bandwidth"}, (const uint64_t[]){900, 20, 60}, 3,
         10000, 300, 0);
    report_bound b;
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_COMPUTE);
    assert_string_equal(b.label, "compute");
    assert_non_null(strstr(b.sentence, "Compute-bound"));
    /* the largest loss is named with its cause */
    assert_non_null(strstr(b.sentence, "on-chip data delivery (6.0% waiting for the buffer's port"));
    assert_non_null(strstr(b.sentence, "DRAM moved 10.0% of its peak"));
    assert_string_equal(stats_cause_name(STATS_KIND_MXU, (uint32_t)b.lead_cause), "busy");
    stats_free(&s);
}

/* a largest loss whose every cause is below 0.05% is said to be that small, never "()" */
static void compute_bound_tiny_loss(void **state)
{
    (void)state;
    tp_stats s;
    base_record(&s);
    s.cycles = 1000000;
    fill(&s, (const char *const[]){"busy", "wait_inputs"}, (const uint64_t[]){999990, 10}, 2, 10000, 300, 0);
    report_bound b;
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_COMPUTE);
    assert_null(strstr(b.sentence, "()"));
    assert_non_null(strstr(b.sentence, "; the largest loss is off-chip memory (under 0.05% of the cycles);"));
    stats_free(&s);
}

static void pipeline_bound(void **state)
{
    (void)state;
    tp_stats s;
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "fill_drain", "weight_shift"}, (const uint64_t[]){10, 650, 340}, 3,
         8500, 950, 100);
    report_bound b;
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_PIPELINE);
    assert_string_equal(stats_cause_name(STATS_KIND_MXU, (uint32_t)b.lead_cause), "fill_drain");
    assert_string_equal(b.sentence, "Bound by the MXU's pipeline: 99.0% of its cycles (65.0% fill/drain, "
                                    "34.0% weight shift); DRAM moved 8.5% of its peak.");
    stats_free(&s);
}

/* off-chip memory: utilization and back-pressure decide bandwidth or latency; idle while
 * requests are in flight counts as waiting for them */
static void off_chip_latency_and_bandwidth(void **state)
{
    (void)state;
    tp_stats s;
    report_bound b;
    /* 4% of peak, nothing held: latency; 200 idle cycles folded in (in flight 90%) */
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "wait_weights"}, (const uint64_t[]){400, 400}, 2, 4000, 900, 0);
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_OFF_CHIP);
    assert_int_equal(b.off_chip, BOUND_OFF_CHIP_LATENCY);
    assert_true(b.idle_folded);
    assert_true(fabs(b.share - 0.6) < 1e-9);
    assert_non_null(strstr(b.sentence, "latency, not bandwidth"));
    assert_non_null(strstr(b.sentence, "40.0% waiting for weights, 20.0% idle while requests were in flight"));
    assert_non_null(strstr(b.sentence, "DRAM moved 4.0% of its peak"));
    assert_string_equal(b.label, "DRAM latency");
    stats_free(&s);
    /* 80% of peak: bandwidth */
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "wait_inputs"}, (const uint64_t[]){300, 700}, 2, 80000, 1000, 100);
    report_bound_of(&s, &b);
    assert_int_equal(b.off_chip, BOUND_OFF_CHIP_BANDWIDTH);
    assert_non_null(strstr(b.sentence, "Bound by off-chip memory bandwidth"));
    /* burst over-fetch is named: the bus carried 4x the bytes asked for */
    s.levels[0].read_bytes = 20000;
    report_bound_of(&s, &b);
    assert_non_null(strstr(b.sentence, "DRAM moved 80.0% of its peak, in whole bursts 4.0x the bytes asked for."));
    stats_free(&s);
    /* 30% of peak, but the engines are held by the memory 70% of the time: bandwidth (uneven) */
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "wait_inputs"}, (const uint64_t[]){300, 700}, 2, 30000, 1000, 700);
    report_bound_of(&s, &b);
    assert_int_equal(b.off_chip, BOUND_OFF_CHIP_BANDWIDTH);
    assert_non_null(strstr(b.sentence, "held the transfer engines 70.0% of cycles"));
    stats_free(&s);
    /* 45% of peak, little back-pressure: both */
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "wait_inputs"}, (const uint64_t[]){300, 700}, 2, 45000, 1000, 100);
    report_bound_of(&s, &b);
    assert_int_equal(b.off_chip, BOUND_OFF_CHIP_BOTH);
    stats_free(&s);
}

/* idle with little in flight stays idle; sync and quantization name their causes */
static void idle_sync_quantization(void **state)
{
    (void)state;
    tp_stats s;
    report_bound b;
    base_record(&s);
    fill(&s, (const char *const[]){"busy"}, (const uint64_t[]){100}, 1, 0, 0, 0);
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_IDLE);
    assert_false(b.idle_folded);
    assert_non_null(strstr(b.sentence, "The MXU idle 90.0% of its cycles"));
    stats_free(&s);
    /* idle counts as waiting for off-chip memory only up to the cycles in flight that the MXU
     * did not already wait for off-chip data: 300 in flight, 100 waited, so 200 of 700 idle */
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "wait_inputs"}, (const uint64_t[]){200, 100}, 2, 1000, 300, 0);
    report_bound_of(&s, &b);
    assert_true(b.idle_folded);
    assert_true(fabs(b.idle_folded_share - 0.2) < 1e-9);
    assert_int_equal(b.category, STATS_CAT_IDLE);
    assert_non_null(strstr(b.sentence, "The MXU idle 50.0% of its cycles"));
    stats_free(&s);
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "dependency", "issue_blocked"}, (const uint64_t[]){300, 500, 200}, 3,
         1000, 100, 0);
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_SYNC);
    assert_string_equal(stats_cause_name(STATS_KIND_MXU, (uint32_t)b.lead_cause), "dependency");
    assert_non_null(strstr(b.sentence, "Bound by synchronization: the MXU waited 70.0% of its cycles (50.0% waiting on dependencies"));
    stats_free(&s);
    base_record(&s);
    fill(&s, (const char *const[]){"busy", "padding"}, (const uint64_t[]){400, 600}, 2, 1000, 100, 0);
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_QUANTIZATION);
    stats_free(&s);
}

/* an unused MXU does not dilute the used one's figures, and the sentence says it is there; no MXU
 * at work says so */
static void only_used_units_count(void **state)
{
    (void)state;
    tp_stats s;
    report_bound b;
    base_record(&s);
    stats_unit *u2 = stats_add_unit(&s, "core0.mxu1", STATS_KIND_MXU);
    u2->cycles[STATS_MXU_IDLE] = 1000;
    fill(&s, (const char *const[]){"busy", "fill_drain"}, (const uint64_t[]){400, 600}, 2, 1000, 100, 0);
    report_bound_of(&s, &b);
    assert_int_equal(b.n_compute, 1);
    assert_int_equal(b.category, STATS_CAT_PIPELINE);
    /* ... but the sentence leads with the idle one: utilization = 400 x 100 MACs / (1000 cycles
     * x 100 per cycle) = 40.0%, and the MXU at work lost 60% to fill/drain */
    assert_string_equal(b.sentence, "Only 1 of the 2 MXUs had work (the others were idle the whole run: "
                                    "utilization 40.0%); on it, bound by the MXU's pipeline: 60.0% of its "
                                    "cycles (60.0% fill/drain); DRAM moved 1.0% of its peak.");
    stats_free(&s);
    stats_init(&s);
    report_bound_of(&s, &b);
    assert_int_equal(b.category, STATS_CAT_IDLE);
    stats_free(&s);
}

/* the text: one sentence last, ports each against their own peak, unbounded never 0, ops units */
static void text_figures(void **state)
{
    (void)state;
    tp_stats s;
    base_record(&s);
    s.peak_macs_per_cycle = 16;
    s.clock_hz = 100000000;   /* 3.2 GOPS peak */
    stats_level *ub = stats_add_level(&s, "ub", STATS_LEVEL_BUFFER);
    ub->read_bytes = 50000;
    ub->write_bytes = 10000;
    ub->bus_bytes = 60000;
    ub->peak_read_bytes_per_s = 10e9;    /* 100 B/cycle */
    ub->peak_write_bytes_per_s = 5e9;    /* 50 B/cycle */
    ub->peak_bytes_per_s = 15e9;
    stats_add_level(&s, "acc", STATS_LEVEL_BUFFER);
    fill(&s, (const char *const[]){"busy"}, (const uint64_t[]){1000}, 1, 1000, 100, 0);
    s.macs = 11000;    /* 1.1 GOPS */
    stats_finish(&s);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    report_text(&s, f);
    fclose(f);
    assert_non_null(strstr(text, "2.2 GOPS of 3.2 peak (utilization 68.75%)"));
    assert_non_null(strstr(text, "read 50.0% of 10.00 GB/s, write 20.0% of 5.00 GB/s"));
    assert_non_null(strstr(text, "unbounded"));
    assert_null(strstr(text, "e+"));          /* no exponents */
    /* the last line is the bound */
    char *last = text + len - 1;
    assert_true(*last == '\n');
    while (last > text && last[-1] != '\n')
        last--;
    assert_true(!strncmp(last, "Compute-bound", 13) || !strncmp(last, "Bound by", 8) || !strncmp(last, "The ", 4));
    free(text);
    stats_free(&s);
}

/* a model's layers summed as one record: counters add up times their repeat, units and levels
 * match by name, a unit a part lacks is idle through it, and the sum passes stats_check */
static void stats_add_sums_parts(void **state)
{
    (void)state;
    tp_stats a, b, sum;
    base_record(&a);
    fill(&a, (const char *const[]){"busy", "fill_drain"}, (const uint64_t[]){600, 400}, 2, 5000, 500, 100);
    base_record(&b);
    assert_non_null(stats_add_unit(&b, "core0.mxu1", STATS_KIND_MXU));
    b.units[4].cycles[STATS_MXU_IDLE] = 0;
    b.units[4].cycles[STATS_MXU_BUSY] = 1000;
    b.units[4].macs = 100000;
    fill(&b, (const char *const[]){"busy"}, (const uint64_t[]){1000}, 1, 20000, 1000, 0);
    stats_init(&sum);
    tp_err err = {0};
    assert_int_equal(report_stats_add(&sum, &a, 3, &err), TP_OK);
    assert_int_equal(report_stats_add(&sum, &b, 2, &err), TP_OK);
    stats_finish(&sum);
    assert_int_equal(stats_check(&sum, &err), TP_OK);
    assert_int_equal(sum.cycles, 3 * 1000 + 2 * 1000);
    assert_int_equal(sum.macs, 3 * a.macs + 2 * b.macs);
    const stats_unit *m0 = stats_find_unit(&sum, "core0.mxu0"), *m1 = stats_find_unit(&sum, "core0.mxu1");
    assert_non_null(m0);
    assert_non_null(m1);
    assert_int_equal(m0->cycles[STATS_MXU_BUSY], 3 * 600 + 2 * 1000);
    assert_int_equal(m0->cycles[STATS_MXU_FILL_DRAIN], 3 * 400);
    assert_int_equal(m1->cycles[STATS_MXU_IDLE], 3 * 1000);     /* absent from a: idle through it */
    assert_int_equal(m1->cycles[STATS_MXU_BUSY], 2 * 1000);
    const stats_level *l = stats_find_level(&sum, "dram");
    assert_non_null(l);
    assert_int_equal(l->bus_bytes, 3 * 5000 + 2 * 20000);
    assert_int_equal(l->in_flight_cycles, 3 * 500 + 2 * 1000);
    assert_true(fabs(l->bandwidth_utilization - 55000.0 / (100.0 * 5000)) < 1e-12);
    assert_string_equal(sum.machine, "hand");
    stats_free(&a);
    stats_free(&b);
    stats_free(&sum);
}

/* a repeat whose counts would pass 2^63 is refused with the figure, never wrapped: a part of
 * 1000 cycles (and 10^5 MACs) repeated 10^16 times comes to 10^19 cycles (past 9.22e18);
 * 10^13 times is exact (10^16 cycles, 10^18 MACs) */
static void stats_add_refuses_past_the_limit(void **state)
{
    (void)state;
    tp_stats a, sum;
    base_record(&a);
    fill(&a, (const char *const[]){"busy"}, (const uint64_t[]){1000}, 1, 5000, 500, 100);
    tp_err err = {0};
    stats_init(&sum);
    assert_int_equal(report_stats_add(&sum, &a, 10000000000000ull, &err), TP_OK);
    assert_int_equal(sum.cycles, 10000000000000000ull);
    assert_int_equal(sum.macs, 1000000000000000000ull);
    stats_free(&sum);
    stats_init(&sum);
    assert_int_equal(report_stats_add(&sum, &a, 10000000000000000ull, &err), TP_ERR_RANGE);
    assert_string_equal(err.msg, "cycles: 1e+19 with repeat 10000000000000000, past the 9.22e+18 (2^63) cycles tpusim counts");
    stats_free(&a);
    stats_free(&sum);
}

/* the run's JSON members: every cause of every unit, zeros included; unbounded peaks null */
static void json_members_every_cause(void **state)
{
    (void)state;
    tp_stats s;
    base_record(&s);
    stats_add_level(&s, "acc", STATS_LEVEL_BUFFER);
    fill(&s, (const char *const[]){"busy"}, (const uint64_t[]){1000}, 1, 1000, 100, 0);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    json_w w;
    json_init(&w, f, 0);
    json_begin_object(&w);
    report_json_members(&s, &w);
    json_end_object(&w);
    assert_int_equal(json_finish(&w), 0);
    fclose(f);
    jv_perror pe;
    jv_value *doc = jv_parse(text, len, &pe);
    assert_non_null(doc);
    const jv_value *units = jv_get(doc, "units");
    assert_non_null(units);
    for (uint32_t i = 0; i < s.n_units; i++) {
        const jv_value *u = jv_get(units, s.units[i].name), *cbc = u ? jv_get(u, "cycles_by_cause") : NULL;
        assert_non_null(cbc);
        assert_int_equal(cbc->n, stats_kind_causes(s.units[i].kind));
        for (uint32_t c = 0; c < stats_kind_causes(s.units[i].kind); c++) {
            const jv_value *v = jv_get(cbc, stats_cause_name(s.units[i].kind, c));
            assert_non_null(v);
            assert_true(v->is_int && v->u64_ok);
            assert_int_equal(v->u64, s.units[i].cycles[c]);
        }
        assert_int_equal(jv_get(u, "cycles_by_category")->n, STATS_CAT__COUNT);
    }
    const jv_value *acc = jv_get(jv_get(doc, "memory"), "acc");
    assert_non_null(acc);
    assert_int_equal(jv_get(acc, "peak_bytes_per_s")->kind, JV_NULL);
    assert_int_equal(jv_get(jv_get(jv_get(doc, "memory"), "dram"), "peak_bytes_per_s")->kind, JV_NUMBER);
    assert_string_equal(jv_get(jv_get(doc, "bound"), "category")->s, "compute");
    jv_free(doc);
    free(text);
    stats_free(&s);
}

/* Whether "w1 w2" (w2 without a trailing , ; : or ")") occurs in text. */
static bool has_pair(const char *text, const char *w1, size_t n1, const char *w2, size_t n2)
{
    while (n2 && strchr(",;:)", w2[n2 - 1]))
        n2--;
    char phrase[128];
    snprintf(phrase, sizeof phrase, "%.*s %.*s", (int)n1, w1, (int)n2, w2);
    return strstr(text, phrase) != NULL;
}

/* The validated error per chip (report/validated.c) says only what docs/validation.md says: each
 * figure of a summary (a word starting with a digit) appears in the document beside the same
 * word before or after it ("within 5", "3.7 points"; the document's line breaks read as spaces),
 * each summary names the document, and an unknown machine has none. */
static void validated_summaries_in_validation_md(void **state)
{
    (void)state;
    char path[512];
    char *doc = NULL;
    size_t n = 0;
    tp_err err = {0};
    assert_int_equal(read_text_file(th_path(path, sizeof path, "docs/validation.md"), "docs/validation.md", 1 << 24, &doc,
                                    &n, &err),
                     TP_OK);
    /* whitespace runs as one space */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        bool sp = isspace((unsigned char)doc[i]);
        if (sp && o && doc[o - 1] == ' ')
            continue;
        doc[o++] = sp ? ' ' : doc[i];
    }
    doc[o] = 0;
    assert_true(report_n_validations >= 3);
    for (size_t i = 0; i < report_n_validations; i++) {
        const char *sm = report_validations[i].summary;
        assert_non_null(strstr(sm, "(docs/validation.md)"));
        assert_string_equal(report_validated(report_validations[i].machine), sm);
        /* the words of the summary */
        const char *w[64];
        size_t len[64], nw = 0;
        for (const char *p = sm; *p && nw < 64;) {
            while (*p == ' ')
                p++;
            const char *e = strchr(p, ' ');
            if (!e)
                e = p + strlen(p);
            if (e > p) {
                w[nw] = p;
                len[nw++] = (size_t)(e - p);
            }
            p = e;
        }
        int figures = 0;
        for (size_t k = 0; k < nw; k++) {
            if (!isdigit((unsigned char)w[k][0]))
                continue;
            figures++;
            bool left = k > 0 && has_pair(doc, w[k - 1], len[k - 1], w[k], len[k]);
            bool right = k + 1 < nw && has_pair(doc, w[k], len[k], w[k + 1], len[k + 1]);
            if (!left && !right)
                fail_msg("%s: figure '%.*s' is not in docs/validation.md beside the same words", report_validations[i].machine,
                         (int)len[k], w[k]);
        }
        assert_true(figures > 0);
    }
    assert_string_equal(report_validated("no-such-chip"), REPORT_NOT_VALIDATED);
    free(doc);
}

TH_GROUP(report)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compute_bound),
        cmocka_unit_test(pipeline_bound),
        cmocka_unit_test(off_chip_latency_and_bandwidth),
        cmocka_unit_test(idle_sync_quantization),
        cmocka_unit_test(only_used_units_count),
        cmocka_unit_test(text_figures),
        cmocka_unit_test(stats_add_sums_parts),
        cmocka_unit_test(compute_bound_tiny_loss),
        cmocka_unit_test(stats_add_refuses_past_the_limit),
        cmocka_unit_test(json_members_every_cause),
        cmocka_unit_test(validated_summaries_in_validation_md),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
