/* Scoreboard hazards: each of RAW, WAR and WAW delays exactly the dependent instruction, to the
 * cycle the equations give, and nothing else.
 *
 * Machine: the embedded default (1 GHz; DMA: 2 engines, 128 B/cycle each, setup 16 cycles;
 * DRAM: 4 channels, 256 B/cycle in total, 64 B bursts, 256 B interleave, latency 100 cycles for
 * reads and writes; UB: 4 banks x 64 B = 256 B/cycle per side; vector unit 32 elements/cycle).
 * A DMA of B contiguous bytes (B a multiple of 1024, so every channel gets B/4) begun at s ends at
 *     s + 16 + max(ceil(B/128), ceil(B/256) + 100, ceil(B/256))      (engine, DRAM, UB)
 * so for B = 2048: s + 16 + max(16, 108, 8) = s + 124. */
#include "harness.h"
#include <string.h>
#include "tpu/asm.h"
#include "tpu/machine.h"
#include "support.h"
#include "tpu/tpu_int.h"   /* sb_row_ready, rowset */

#define DMA_2K 124u

static void run_prog(const char *text, uint64_t *start, uint64_t *end, uint32_t n)
{
    ts_run_timing(NULL, NULL, 0, text, n, start, end, NULL);
}

#define HEADER                                                    \
    ".dtype int8\n.tensor A int8 64 32\n.tensor B int8 32 32\n" \
    ".tensor C int8 64 32\n.ub r1 0 2048\n.ub r2 4096 2048\n.acc c 0 64\n"

static void raw_delays_reader(void **state)
{
    (void)state;
    uint64_t s[3], e[3];
    /* store reads r1, which the load writes, row by row (sb.c note 6). The load's UB writes
     * trail its data at the engine's 128 B/cycle and end with it at 124: its 64 rows of 32 B come
     * a quarter cycle apart, row q ready at 124 - floor((63 - q) / 4). The store reads row q at
     * b + 16 (setup) + floor(q / 4) (its UB reads, 128 B/cycle). Earliest b: max over q of
     * 108 - floor((63 - q) / 4) - floor(q / 4) = 108 - 15 = 93 (e.g. q = 1). It then takes
     * 16 setup + max(2048/128 = 16, UB 16, DRAM 8 + 100 write latency) = 124 more. */
    run_prog(HEADER "load r1, A[0:64, 0:32]\nstore C[0:64, 0:32], r1\nloadw 0, B[0:32, 0:32]\n", s, e, 3);
    assert_int_equal(s[0], 0);
    assert_int_equal(e[0], DMA_2K);
    assert_int_equal(s[1], 93);
    assert_int_equal(e[1], 93 + 124);
    /* the loadw has no hazard: it starts at 0 on the second DMA engine */
    assert_int_equal(s[2], 0);
    /* control: the same store from r2 (disjoint) does not wait */
    run_prog(HEADER "load r1, A[0:64, 0:32]\nstore C[0:64, 0:32], r2\n", s, e, 2);
    assert_int_equal(s[1], 0);
}

static void war_delays_writer(void **state)
{
    (void)state;
    uint64_t s[3], e[3];
    /* the load overwrites r1, which the older store reads: it waits for the store's end */
    run_prog(HEADER "store C[0:64, 0:32], r1\nload r1, A[0:64, 0:32]\nactivate r2, c, 16, 32, out=int32\n", s, e, 3);
    assert_int_equal(s[0], 0);
    assert_int_equal(e[0], 124);
    assert_int_equal(s[1], 124);
    /* the activate (vector unit, disjoint ranges) starts at 0 */
    assert_int_equal(s[2], 0);
    run_prog(HEADER "store C[0:64, 0:32], r1\nload r2, A[0:64, 0:32]\n", s, e, 2);
    assert_int_equal(s[1], 0);
}

static void waw_delays_second_writer(void **state)
{
    (void)state;
    uint64_t s[2], e[2];
    /* activate writes 16 rows x 32 int32 = 2048 bytes of r1: 512 elements / 32 per cycle = 16
     * cycles (UB write 2048/256 = 8 fits inside). The load into r1 then starts at 16. */
    run_prog(HEADER "activate r1, c, 16, 32, out=int32\nload r1, A[0:64, 0:32]\n", s, e, 2);
    assert_int_equal(s[0], 0);
    assert_int_equal(e[0], 16);
    assert_int_equal(s[1], 16);
    assert_int_equal(e[1], 16 + DMA_2K);
    run_prog(HEADER "activate r1, c, 16, 32, out=int32\nload r2, A[0:64, 0:32]\n", s, e, 2);
    assert_int_equal(s[1], 0);
}

static void matmul_waits_for_inputs_and_weights(void **state)
{
    (void)state;
    uint64_t s[4], e[4];
    /* load A (2048 B at 0, ends 124) and loadw B (1024 B on the other engine; its DRAM share
     * queues behind the load's on every channel: the load holds each channel [16, 24), the
     * loadw needs 256 B per channel = 4 cycles -> [24, 28) + 100 = 128; engine 16 + 8 = 24).
     * ws timing (docs/mxu.md): shift of 32 rows starts at weights_ready 128, t0 = max(124, 128
     * + 32) = 160, end = t0 + m + R + C - 1 = 160 + 64 + 63 = 287. The activate (RAW on the
     * accumulators) reads rows 0..15 as they come out (sb.c note 6): row q is written at
     * t0 + q + R + C - 1, ready at 224 + q, so it starts at 224 and, at 32 elements (one row)
     * a cycle, is done with row q at 225 + q: it ends at 240 (UB writes 128 B/cycle in
     * [224, 240)), 47 cycles before the matmul's last row. */
    run_prog(HEADER "load r1, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nmatmul 0, c, r1, 64\n"
                    "activate r2, c, 16, 32, out=int32\n", s, e, 4);
    assert_int_equal(e[0], 124);
    assert_int_equal(e[1], 128);
    assert_int_equal(s[2], 160);
    assert_int_equal(e[2], 287);
    assert_int_equal(s[3], 224);
    assert_int_equal(e[3], 240);
}

/* sb.c note 6 on its own: 4 rows, a writer ending at 100. */
static void row_ready_by_hand(void **state)
{
    (void)state;
    /* fields: base, stride, row_bytes, rows, acc, desc, stream, lead, num, den */
    rowset asc = {10, 1, 1, 4, true, false, false, 0, 1, 1};       /* row q final at 97 + q */
    rowset desc = asc;
    desc.desc = true;                                               /* row q final at 100 - q */
    rowset slow = {10, 1, 1, 4, true, false, false, 0, 1, 4};       /* reads all 4 rows in cycle b */
    rowset one = {10, 1, 1, 4, true, false, false, 0, 1, 1};        /* reads row q at b + q */
    rowset stream = one;
    stream.stream = true;
    assert_int_equal(sb_row_ready(&asc, 100, &slow), 100);   /* max(97, 98, 99, 100) */
    assert_int_equal(sb_row_ready(&asc, 100, &one), 97);     /* 97 - 0 = 98 - 1 = ... = 97 */
    assert_int_equal(sb_row_ready(&desc, 100, &one), 100);   /* row 0 is the last out */
    assert_int_equal(sb_row_ready(&asc, 100, &stream), 97);  /* a stream begins at its first row */
    assert_int_equal(sb_row_ready(&desc, 100, &stream), 100);
    rowset tail = {12, 1, 1, 2, true, false, false, 0, 1, 1};       /* rows 12, 13: final at 99, 100 */
    assert_int_equal(sb_row_ready(&asc, 100, &tail), 99);
    rowset lead = one;
    lead.lead = 5;                                                  /* row q at b + 5 + q */
    assert_int_equal(sb_row_ready(&asc, 100, &lead), 92);
    /* UB rows of 32 B, 64 apart: a reader of the gaps between them overlaps none */
    rowset ubw = {0, 64, 32, 4, false, false, false, 0, 1, 1}, gaps = {32, 64, 32, 4, false, false, false, 0, 1, 1};
    assert_int_equal(sb_row_ready(&ubw, 100, &gaps), 100);
    gaps.stream = true;
    assert_int_equal(sb_row_ready(&ubw, 100, &gaps), 0);
    /* accumulator rows against UB bytes: no row model */
    assert_int_equal(sb_row_ready(&asc, 100, &gaps), 100);
}

/* sb.c note 8: the closed form equals the row-by-row scan, on random row sets whose rows are
 * the same stride apart (the closed form's case; bases anywhere around each other, any paces,
 * leads, either drain order, more or fewer reader rows than writer rows) and on others (which
 * take the scan). A fixed-seed xorshift, so every run checks the same 20000 pairs. */
static uint64_t xs(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return *st = x;
}

static void row_ready_closed_form_equals_scan(void **state)
{
    (void)state;
    uint64_t st = 0x9e3779b97f4a7c15ull;
    int strided = 0, overlapping = 0;
    for (int i = 0; i < 20000; i++) {
        bool acc = xs(&st) % 4 == 0;
        uint64_t stride = acc ? 1 : 1 + xs(&st) % 96;
        rowset w = {0}, r = {0};
        w.acc = r.acc = acc;
        w.stride = stride;
        r.stride = xs(&st) % 5 ? stride : 1 + xs(&st) % 96;
        w.row_bytes = acc ? 1 : 1 + xs(&st) % w.stride;
        r.row_bytes = acc ? 1 : 1 + xs(&st) % r.stride;
        w.rows = 1 + (uint32_t)(xs(&st) % 300);
        r.rows = 1 + (uint32_t)(xs(&st) % 300);
        w.base = 1000 + xs(&st) % 4000;
        r.base = w.base - 1000 + xs(&st) % 5000;
        w.desc = xs(&st) % 3 == 0;
        r.stream = xs(&st) % 10 == 0;
        r.lead = (int64_t)(xs(&st) % 40) - 10;
        w.num = 1 + xs(&st) % 300, w.den = 1 + xs(&st) % 1100;
        r.num = 1 + xs(&st) % 300, r.den = 1 + xs(&st) % 1100;
        if (i % 16 == 0) {   /* paces whose period overflows 64 bits: the period clamped to the rows */
            w.num = (1ull << 40) - 1 - xs(&st) % 1000, w.den = (1ull << 41) + 1 + 2 * (xs(&st) % 1000);
            r.num = (1ull << 39) - 1 - xs(&st) % 1000, r.den = (1ull << 42) - 1 - 2 * (xs(&st) % 1000);
        }
        uint64_t end = xs(&st) % 200000;
        uint64_t got = sb_row_ready(&w, end, &r), want = sb_row_ready_scan(&w, end, &r);
        if (got != want)
            fail_msg("case %d: %llu, the scan %llu (w base %llu stride %llu row %llu rows %u desc %d %llu/%llu; "
                     "r base %llu stride %llu row %llu rows %u lead %lld %llu/%llu; end %llu)",
                     i, (unsigned long long)got, (unsigned long long)want, (unsigned long long)w.base,
                     (unsigned long long)w.stride, (unsigned long long)w.row_bytes, w.rows, w.desc,
                     (unsigned long long)w.num, (unsigned long long)w.den, (unsigned long long)r.base,
                     (unsigned long long)r.stride, (unsigned long long)r.row_bytes, r.rows, (long long)r.lead,
                     (unsigned long long)r.num, (unsigned long long)r.den, (unsigned long long)end);
        strided += r.stride == w.stride && !r.stream;
        overlapping += want != end && want != 0;
    }
    /* the sample reaches both paths and answers other than the two bounds */
    assert_true(strided > 10000);
    assert_true(overlapping > 1000);
}

TH_GROUP(scoreboard)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(raw_delays_reader),
        cmocka_unit_test(war_delays_writer),
        cmocka_unit_test(waw_delays_second_writer),
        cmocka_unit_test(matmul_waits_for_inputs_and_weights),
        cmocka_unit_test(row_ready_by_hand),
        cmocka_unit_test(row_ready_closed_form_equals_scan),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
