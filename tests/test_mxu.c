/* MXU: the closed-form timing against hand-worked cycle counts, the per-PE engine against the
 * fast engine (cycles, per-cause cycles, bits) on hundreds of seeded random cases, both against
 * num_gemm_ref, and the scalesim timing against every CALC row SCALE-Sim v2 produced. */
#include "harness.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "num/gemm.h"
#include "tpu/mxu.h"

static mxu_params params(uint32_t R, uint32_t C, tp_dataflow df, tp_dtype dt, bool db, uint32_t rpc)
{
    mxu_params p = {R, C, df, dt, TP_TIMING_PIPELINED, db, rpc};
    return p;
}

static void expect_timing_equal(const mxu_timing *f, const mxu_timing *g, const char *what)
{
    if (f->shift_start != g->shift_start || f->start != g->start || f->stream_end != g->stream_end ||
        f->end != g->end || f->busy_until != g->busy_until ||
        memcmp(f->by_cause, g->by_cause, sizeof f->by_cause)) {
        fprintf(stderr,
                "%s: fast shift %llu start %llu stream_end %llu end %llu until %llu causes %llu/%llu/%llu/%llu\n"
                "%s:  pe  shift %llu start %llu stream_end %llu end %llu until %llu causes %llu/%llu/%llu/%llu\n",
                what, (unsigned long long)f->shift_start, (unsigned long long)f->start,
                (unsigned long long)f->stream_end, (unsigned long long)f->end,
                (unsigned long long)f->busy_until, (unsigned long long)f->by_cause[0],
                (unsigned long long)f->by_cause[1], (unsigned long long)f->by_cause[2],
                (unsigned long long)f->by_cause[3], what, (unsigned long long)g->shift_start,
                (unsigned long long)g->start, (unsigned long long)g->stream_end,
                (unsigned long long)g->end, (unsigned long long)g->busy_until,
                (unsigned long long)g->by_cause[0], (unsigned long long)g->by_cause[1],
                (unsigned long long)g->by_cause[2], (unsigned long long)g->by_cause[3]);
        fail();
    }
}

/* Runs the issues through the closed form (into fast[]) and the per-PE engine, requires the
 * same timing for every op and the same tail causes up to `until` (0: the last end); returns
 * the total cycles. The per-PE engine writes the issues' accumulators. */
static uint64_t run_both(const mxu_params *p, const mxu_issue *is, uint32_t n, mxu_timing *fast,
                         uint64_t until)
{
    mxu_state st;
    mxu_pe *pe = NULL;
    tp_err err = {0};
    uint64_t cf[MXU_CAUSE__COUNT] = {0}, cp[MXU_CAUSE__COUNT] = {0}, total = 0;
    char what[64];

    mxu_state_init(&st);
    for (uint32_t i = 0; i < n; i++) {
        mxu_time_op2(p, &st, &is[i].op, is[i].weights_ready, is[i].inputs_ready, &fast[i]);
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            cf[k] += fast[i].by_cause[k];
    }
    if (!until)
        until = st.busy_until;
    mxu_close(&st, until, cf);

    assert_int_equal(mxu_pe_new(p, &pe, &err), TP_OK);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(mxu_pe_issue(pe, &is[i], NULL, &err), TP_OK);
    mxu_pe_finish(pe);
    if (mxu_pe_fault(pe)) {
        fprintf(stderr, "%s\n", mxu_pe_fault(pe));
        fail();
    }
    for (uint32_t i = 0; i < n; i++) {
        const mxu_timing *t = mxu_pe_op_timing(pe, i);
        assert_non_null(t);
        snprintf(what, sizeof what, "%ux%u %s db%d rpc%u op %u", p->rows, p->cols,
                 cfg_dataflow_name(p->dataflow), p->weight_double_buffer, p->weight_rows_per_cycle, i);
        expect_timing_equal(&fast[i], t, what);
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            cp[k] += t->by_cause[k];
    }
    assert_true(mxu_pe_now(pe) <= until);
    mxu_pe_close(pe, until, cp);
    for (int k = 0; k < MXU_CAUSE__COUNT; k++) {
        assert_int_equal(cf[k], cp[k]);
        total += cf[k];
    }
    assert_int_equal(total, until);
    mxu_pe_free(pe);
    return total;
}

/* ---- hand-worked timing ----------------------------------------------------------------- */

static mxu_issue timing_issue(uint32_t m, uint32_t n, uint32_t k, uint64_t wr, uint64_t ir,
                              void *a, void *b, void *c)
{
    mxu_issue is = {{m, n, k, false, false}, a, k, 1, b, n, 1, c, n, wr, ir};
    return is;
}

static void ws_single_op_by_hand(void **state)
{
    (void)state;
    /* 4x4 ws, m=6 k=4 n=4, one weight row per cycle: the shift takes cycles 0..3, row 0 enters at
     * t0 = 4, row i is written at 4 + i + R + C - 1 = 11 + i, the last (i = 5) at 16: 17 cycles.
     * Causes: 4 weight_shift, 6 busy, then 7 fill_drain (16 - 10 + 1). */
    int8_t a[6 * 4] = {0}, b[4 * 4] = {0};
    int32_t c[6 * 4];
    mxu_params p = params(4, 4, TP_DF_WS, TP_INT8, true, 1);
    mxu_issue is = timing_issue(6, 4, 4, 0, 0, a, b, c);
    mxu_timing t[1];
    assert_int_equal(run_both(&p, &is, 1, t, 0), 17);
    assert_int_equal(t[0].shift_start, 0);
    assert_int_equal(t[0].start, 4);
    assert_int_equal(t[0].end, 17);
    assert_int_equal(t[0].by_cause[MXU_WEIGHT_SHIFT], 4);
    assert_int_equal(t[0].by_cause[MXU_BUSY], 6);
    assert_int_equal(t[0].by_cause[MXU_FILL_DRAIN], 0);
}

static void ws_two_ops_double_buffer_by_hand(void **state)
{
    (void)state;
    int8_t a[12 * 4] = {0}, b[4 * 4] = {0};
    int32_t c[12 * 4];
    mxu_params p = params(4, 4, TP_DF_WS, TP_INT8, true, 1);
    mxu_issue is[2] = {timing_issue(6, 4, 4, 0, 0, a, b, c), timing_issue(6, 4, 4, 0, 0, a, b, c)};
    mxu_timing t[2];
    /* op0 as above (t0 = 4). The swap wave of op0 leaves column 0 (PE(3,0)) at 4 + 3 = 7, so
     * op1's shift runs 7..10 in column 0 (column c c cycles later, behind the wave) and op1
     * starts at 7 + 4 = 11 although the ports are free from 10: 1 cycle of exposed weight load.
     * end = 11 + 6 + 7 = 24. */
    assert_int_equal(run_both(&p, is, 2, t, 0), 24);
    assert_int_equal(t[1].shift_start, 7);
    assert_int_equal(t[1].start, 11);
    assert_int_equal(t[1].by_cause[MXU_WEIGHT_SHIFT], 1);
    assert_int_equal(t[1].by_cause[MXU_FILL_DRAIN], 0);
    /* m = 12: op1's shift (7..10) hides under op0's stream (4..15); op1 starts at 16, the run
     * costs the first load + sum(m) + R + C - 1 = 4 + 24 + 7 = 35. */
    is[0].op.m = is[1].op.m = 12;
    assert_int_equal(run_both(&p, is, 2, t, 0), 35);
    assert_int_equal(t[1].start, 16);
    assert_int_equal(t[1].by_cause[MXU_WEIGHT_SHIFT], 0);
}

static void ws_two_ops_single_buffer_by_hand(void **state)
{
    (void)state;
    int8_t a[6 * 4] = {0}, b[4 * 4] = {0};
    int32_t c[6 * 4];
    mxu_params p = params(4, 4, TP_DF_WS, TP_INT8, false, 1);
    mxu_issue is[2] = {timing_issue(6, 4, 4, 0, 0, a, b, c), timing_issue(6, 4, 4, 0, 0, a, b, c)};
    mxu_timing t[2];
    /* No shadow: op0's last row (i = 5) uses column 0's bottom PE(3,0) at 4 + 5 + 3 = 12, so
     * column 0's shift may run 12..15 (column c's c cycles later, behind that row), op1 starts
     * at 16. Gap 10..15: 10..11 fill_drain (op0 still draining, 2 cycles), 12..15 weight_shift.
     * end = 16 + 6 + 7 = 29. */
    assert_int_equal(run_both(&p, is, 2, t, 0), 29);
    assert_int_equal(t[1].shift_start, 12);
    assert_int_equal(t[1].start, 16);
    assert_int_equal(t[1].by_cause[MXU_FILL_DRAIN], 2);
    assert_int_equal(t[1].by_cause[MXU_WEIGHT_SHIFT], 4);
    assert_int_equal(t[1].by_cause[MXU_BUSY], 6);
}

static void os_two_ops_by_hand(void **state)
{
    (void)state;
    uint16_t a[2 * 5] = {0}, b[5 * 3] = {0};
    float c[2 * 3];
    mxu_params p = params(2, 3, TP_DF_OS, TP_BF16, true, 1);
    mxu_issue is[2] = {timing_issue(2, 3, 5, 0, 0, a, b, c), timing_issue(2, 3, 5, 0, 0, a, b, c)};
    mxu_timing t[2];
    /* 2x3 os, K = 5. PE(r,c) does step k at k + r + c; the bottom PE of column 0 finishes at
     * 4 + 1 = 5, column 0 drains at 6, 7; the de-skew adds C - 1 = 2: rows are written at 8 and
     * 9, end 10 = K + 2R + C - 2. op1 may enter once column 0's drain began: 7 = K + R.
     * Gap 5..6 is fill_drain; op1 ends at 7 + 10 = 17. */
    assert_int_equal(run_both(&p, is, 2, t, 0), 17);
    assert_int_equal(t[0].end, 10);
    assert_int_equal(t[1].start, 7);
    assert_int_equal(t[1].by_cause[MXU_FILL_DRAIN], 2);
    assert_int_equal(t[1].by_cause[MXU_BUSY], 5);
}

static void fill_inputs(rng_state *r, tp_dtype dt, void *x, size_t n, bool specials);
static void fill_acc(rng_state *r, tp_dtype dt, void *x, size_t n);

static void os_chain_by_hand(void **state)
{
    (void)state;
    /* 2x3 os, a chain of K = 5 then K = 4 (the first holds), then a lone K = 3 op. The held op
     * streams [0, 5) and ends when its last step leaves PE(1,2): 4 + 1 + 2 + 1 = 8
     * (t0 + T + R + C - 2). Its continuation enters right behind it, t0 = 5, streams [5, 9) and
     * drains as one op of K = 9 would: end 9 + 2R + C - 2 = 14. The next op enters once column
     * 0's drain has begun, 9 + R = 11, and ends at 11 + 3 + 5 = 19. No cycle of [0, 9) is lost. */
    int8_t a[2 * 9], b[9 * 3];
    int32_t c[2 * 3], c2[2 * 3], want[2 * 3];
    rng_state r;
    rng_init(&r, 3);
    for (int i = 0; i < 18; i++)
        a[i] = (int8_t)rng_range(&r, -100, 100);
    for (int i = 0; i < 27; i++)
        b[i] = (int8_t)rng_range(&r, -100, 100);
    for (int i = 0; i < 6; i++)
        c[i] = c2[i] = 7 * i;
    mxu_params p = params(2, 3, TP_DF_OS, TP_INT8, true, 1);
    /* op 0: A[:, 0:5] x B[0:5, :]; op 1: A[:, 5:9] x B[5:9, :], continuing; op 2 alone */
    mxu_issue is[3] = {{{2, 3, 5, true, true}, a, 9, 1, b, 3, 1, c, 3, 0, 0},
                       {{2, 3, 4, true, false}, a + 5, 9, 1, b + 15, 3, 1, c, 3, 0, 0},
                       {{2, 3, 3, false, false}, a, 9, 1, b, 3, 1, c2, 3, 0, 0}};
    mxu_timing t[3];
    assert_int_equal(run_both(&p, is, 3, t, 0), 19);
    assert_int_equal(t[0].start, 0);
    assert_int_equal(t[0].end, 8);
    assert_int_equal(t[1].start, 5);
    assert_int_equal(t[1].by_cause[MXU_FILL_DRAIN] + t[1].by_cause[MXU_IDLE], 0);
    assert_int_equal(t[1].end, 14);
    assert_int_equal(t[2].start, 11);
    assert_int_equal(t[2].end, 19);
    /* the chain wrote C + A[:, 0:9] B[0:9, :] once (accumulate, as its first op says) */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            int32_t s = 7 * (i * 3 + j);
            for (int k = 0; k < 9; k++)
                s += a[i * 9 + k] * b[k * 3 + j];
            want[i * 3 + j] = s;
        }
    assert_memory_equal(c, want, sizeof c);
}

static void os_chains_agree(void **state)
{
    (void)state;
    /* random os chains: both engines give the same timing and causes (run_both), and the per-PE
     * accumulators equal the reference over the chain's whole K with kc = that K, which is also
     * what the fast engine computes for the chain's gathered operands */
    rng_state r;
    rng_init(&r, 11);
    for (int t = 0; t < 150; t++) {
        mxu_params p = params((uint32_t)rng_range(&r, 1, 9), (uint32_t)rng_range(&r, 1, 9), TP_DF_OS,
                              rng_below(&r, 2) ? TP_BF16 : TP_INT8, true, 1);
        uint32_t chains = (uint32_t)rng_range(&r, 1, 3), n = 0;
        mxu_issue is[12];
        mxu_timing tm[12];
        void *ab[3], *bb[3], *cb[3], *cref[3];
        uint32_t len[3], kk[3];
        size_t cbytes[3];
        bool accu[3];
        const size_t ib = dtype_in_bytes(p.dtype);
        uint64_t ready = 0;
        for (uint32_t ch = 0; ch < chains; ch++) {
            uint32_t m = (uint32_t)rng_range(&r, 1, p.rows), nn = (uint32_t)rng_range(&r, 1, p.cols);
            len[ch] = (uint32_t)rng_range(&r, 1, 4);
            uint32_t ks[4], K = 0;
            for (uint32_t j = 0; j < len[ch]; j++)
                K += ks[j] = (uint32_t)rng_range(&r, 1, 12);
            kk[ch] = K;
            cbytes[ch] = (size_t)m * nn * 4;
            accu[ch] = rng_below(&r, 2);
            ab[ch] = malloc((size_t)m * K * ib);
            bb[ch] = malloc((size_t)K * nn * ib);
            cb[ch] = malloc((size_t)m * nn * 4);
            cref[ch] = malloc((size_t)m * nn * 4);
            assert_true(ab[ch] && bb[ch] && cb[ch] && cref[ch]);
            fill_inputs(&r, p.dtype, ab[ch], (size_t)m * K, t % 5 == 0);
            fill_inputs(&r, p.dtype, bb[ch], (size_t)K * nn, t % 5 == 0);
            fill_acc(&r, p.dtype, cb[ch], (size_t)m * nn);
            memcpy(cref[ch], cb[ch], (size_t)m * nn * 4);
            num_gemm_args g = {ab[ch], K, 1, bb[ch], nn, 1, cref[ch], nn, m, nn, K, K, accu[ch]};
            num_gemm_ref(p.dtype, &g);
            uint32_t k0 = 0;
            for (uint32_t j = 0; j < len[ch]; j++) {
                ready += rng_below(&r, 3) ? 0 : rng_below(&r, 20);
                is[n++] = (mxu_issue){{m, nn, ks[j], accu[ch], j + 1 < len[ch]},
                                      (const char *)ab[ch] + k0 * ib, K, 1,
                                      (const char *)bb[ch] + (size_t)k0 * nn * ib, nn, 1, cb[ch], nn,
                                      ready + rng_below(&r, 8), ready + rng_below(&r, 8)};
                k0 += ks[j];
            }
        }
        run_both(&p, is, n, tm, 0);
        /* a chain streams back to back unless an op's operands came late */
        for (uint32_t i = 1; i < n; i++)
            if (is[i - 1].op.hold && tm[i].start > tm[i - 1].stream_end)
                assert_true(tm[i].start == is[i].weights_ready || tm[i].start == is[i].inputs_ready);
        for (uint32_t ch = 0; ch < chains; ch++) {
            if (memcmp(cb[ch], cref[ch], cbytes[ch])) {
                fprintf(stderr, "case %d chain %u (%u ops, K %u): values differ\n", t, ch, len[ch], kk[ch]);
                fail();
            }
            free(ab[ch]);
            free(bb[ch]);
            free(cb[ch]);
            free(cref[ch]);
        }
    }
}

static void os_short_ops_on_a_wide_array_by_hand(void **state)
{
    (void)state;
    /* 1x16 os, K = 1: each op costs T + R = 2 cycles at the ports (t0 = 2j) and ends at
     * t0 + T + 2R + C - 2 = t0 + 17, so about (C + R) / (T + R) = 8.5 ops drain at once; the
     * per-PE engine must keep every one of them in flight. 12 ops: the last starts at 22 and
     * ends at 39. Op j >= 1 streams right after op j-1's stream plus one drain cycle:
     * 1 fill_drain and 1 busy cycle each. */
    int8_t a[1] = {3}, b[16] = {0};
    int32_t c[12][16];
    mxu_params p = params(1, 16, TP_DF_OS, TP_INT8, true, 1);
    mxu_issue is[12];
    mxu_timing t[12];
    for (int j = 0; j < 16; j++)
        b[j] = (int8_t)(j - 5);
    for (int j = 0; j < 12; j++)
        is[j] = timing_issue(1, 16, 1, 0, 0, a, b, c[j]);
    assert_int_equal(run_both(&p, is, 12, t, 0), 39);
    for (int j = 0; j < 12; j++) {
        assert_int_equal(t[j].start, 2 * j);
        assert_int_equal(t[j].end, 2 * j + 17);
        assert_int_equal(t[j].by_cause[MXU_BUSY], 1);
        assert_int_equal(t[j].by_cause[MXU_FILL_DRAIN], j ? 1 : 0);
        for (int col = 0; col < 16; col++)
            assert_int_equal(c[j][col], 3 * (col - 5));
    }
}

static void is_rows_per_cycle_by_hand(void **state)
{
    (void)state;
    int8_t a[2 * 3] = {0}, b[3 * 5] = {0};
    int32_t c[2 * 5];
    mxu_params p = params(3, 2, TP_DF_IS, TP_INT8, true, 2);
    mxu_issue is = timing_issue(2, 5, 3, 0, 0, a, b, c);
    mxu_timing t[1];
    /* is streams B's n = 5 columns; the A^T tile (k = 3 rows) shifts 2 rows per cycle:
     * ceil(3/2) = 2 cycles, t0 = 2, end = 2 + 5 + 3 + 2 - 1 = 11. */
    assert_int_equal(run_both(&p, &is, 1, t, 0), 11);
    assert_int_equal(t[0].start, 2);
    assert_int_equal(t[0].by_cause[MXU_WEIGHT_SHIFT], 2);
}

static void ready_gaps_by_hand(void **state)
{
    (void)state;
    int8_t a[3 * 2] = {0}, b[2 * 2] = {0};
    int32_t c[3 * 2];
    mxu_params p = params(2, 2, TP_DF_WS, TP_INT8, true, 1);
    mxu_issue is[2] = {timing_issue(3, 2, 2, 0, 0, a, b, c), timing_issue(3, 2, 2, 20, 25, a, b, c)};
    mxu_timing t[2];
    uint64_t total;
    /* op0: shift 0..1, t0 = 2, stream 2..4, end 2 + 3 + 3 = 8. op1's weights are ready at 20
     * (shift 20..21), its inputs at 25: t0 = 25, end 31. Gap 5..24: 5..7 fill_drain (3),
     * 20..21 weight_shift (2), the other 15 idle. Closing at 40 adds 25..27 busy (in op1),
     * 28..30 fill_drain and 31..39 idle. */
    total = run_both(&p, is, 2, t, 40);
    assert_int_equal(total, 40);
    assert_int_equal(t[1].shift_start, 20);
    assert_int_equal(t[1].start, 25);
    assert_int_equal(t[1].end, 31);
    assert_int_equal(t[1].by_cause[MXU_FILL_DRAIN], 3);
    assert_int_equal(t[1].by_cause[MXU_WEIGHT_SHIFT], 2);
    assert_int_equal(t[1].by_cause[MXU_IDLE], 15);
}

static void scalesim_folds_by_hand(void **state)
{
    (void)state;
    mxu_params p = params(4, 4, TP_DF_WS, TP_INT8, true, 1);
    mxu_state st;
    mxu_timing t;
    mxu_op op = {6, 4, 4, false, false};
    uint64_t causes[MXU_CAUSE__COUNT] = {0};
    p.timing = TP_TIMING_SCALESIM;
    mxu_state_init(&st);
    /* fold 0: [0, 2R + C + T - 2 = 16): preload 0..3, stream 4..9, fill/drain 10..15 */
    mxu_time_op(&p, &st, &op, 0, &t);
    assert_int_equal(t.start, 4);
    assert_int_equal(t.end, 16);
    assert_int_equal(t.by_cause[MXU_WEIGHT_SHIFT], 4);
    assert_int_equal(t.by_cause[MXU_BUSY], 6);
    /* fold 1 ready at 100: gap 10..99 = 6 fill_drain (until 16) + 84 idle, preload 100..103 */
    mxu_time_op(&p, &st, &op, 100, &t);
    assert_int_equal(t.shift_start, 100);
    assert_int_equal(t.start, 104);
    assert_int_equal(t.end, 116);
    assert_int_equal(t.by_cause[MXU_FILL_DRAIN], 6);
    assert_int_equal(t.by_cause[MXU_IDLE], 84);
    assert_int_equal(t.by_cause[MXU_WEIGHT_SHIFT], 4);
    /* a back-to-back fold 2 starts right at 116; os folds cost R + C + T - 2 with no preload */
    mxu_time_op(&p, &st, &op, 0, &t);
    assert_int_equal(t.shift_start, 116);
    assert_int_equal(t.end, 132);
    mxu_close(&st, 140, causes);
    assert_int_equal(causes[MXU_FILL_DRAIN], 6);   /* 126..131 */
    assert_int_equal(causes[MXU_IDLE], 8);         /* 132..139 */
    p.dataflow = TP_DF_OS;
    mxu_state_init(&st);
    op = (mxu_op){4, 4, 10, false, false};
    mxu_time_op(&p, &st, &op, 0, &t);
    assert_int_equal(t.start, 0);
    assert_int_equal(t.end, 16);
    assert_int_equal(t.by_cause[MXU_WEIGHT_SHIFT], 0);
}

/* The registers follow the stated wavefront: ws PE(r,c) holds A[i][r] at t0 + i + r + c; os PE(r,c)
 * holds A[r][k] and B[k][c] at t0 + k + r + c. The observer also sees every cycle's cause. */
typedef struct {
    const mxu_params *p;
    const int8_t *a, *b;
    uint32_t m, n, k;
    uint64_t t0;
    uint64_t causes[MXU_CAUSE__COUNT];
    int bad;
} wave_ctx;

static void wave_check(void *ctx, const mxu_pe_view *v)
{
    wave_ctx *w = ctx;
    w->causes[v->cause]++;
    for (uint32_t r = 0; r < v->rows; r++)
        for (uint32_t c = 0; c < v->cols; c++) {
            size_t e = (size_t)r * v->cols + c;
            int64_t step = (int64_t)v->cycle - (int64_t)w->t0 - r - c;
            int32_t got_a = ((const int32_t *)v->a)[e];
            if (w->p->dataflow == TP_DF_WS) {
                int want_valid = step >= 0 && step < (int64_t)w->m && r < w->k;
                if ((v->a_valid[e] & 1) != want_valid || (want_valid && got_a != w->a[step * w->k + r]))
                    w->bad++;
            } else {
                int want_a = step >= 0 && step < (int64_t)w->k && r < w->m;
                int want_b = step >= 0 && step < (int64_t)w->k && c < w->n;
                if ((v->a_valid[e] & 1) != want_a || (want_a && got_a != w->a[r * w->k + step]))
                    w->bad++;
                if ((v->w_valid[e] & 1) != want_b ||
                    (want_b && ((const int32_t *)v->w)[e] != w->b[step * w->n + c]))
                    w->bad++;
            }
        }
}

static void wavefront_follows_the_equations(void **state)
{
    (void)state;
    int8_t a[5 * 3], b[3 * 4];
    int32_t c[5 * 4];
    for (int i = 0; i < 15; i++)
        a[i] = (int8_t)(i + 1);
    for (int i = 0; i < 12; i++)
        b[i] = (int8_t)(-i - 1);
    for (int df = 0; df < 2; df++) {
        mxu_params p = params(4, 5, df ? TP_DF_OS : TP_DF_WS, TP_INT8, true, 1);
        /* ws: m=5 k=3 n=4 on 4x5, t0 = L = 3; os: m=4 (<= R) k=3 n=4, t0 = 0 */
        wave_ctx w = {&p, a, b, df ? 4 : 5, 4, 3, df ? 0 : 3, {0}, 0};
        mxu_issue is = timing_issue(w.m, 4, 3, 0, 0, a, b, c);
        mxu_pe *pe = NULL;
        tp_err err = {0};
        uint64_t total = 0, want_total;
        assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_OK);
        mxu_pe_set_observer(pe, wave_check, &w);
        assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_OK);
        mxu_pe_finish(pe);
        assert_null(mxu_pe_fault(pe));
        assert_int_equal(w.bad, 0);
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            total += w.causes[k];
        /* ws: 3 + 5 + 4 + 5 - 1 = 16; os: 3 + 2*4 + 5 - 2 = 14 */
        want_total = df ? 14 : 16;
        assert_int_equal(total, want_total);
        assert_int_equal(mxu_pe_now(pe), want_total);
        assert_int_equal(w.causes[MXU_BUSY], df ? 3 : 5);
        assert_int_equal(w.causes[MXU_WEIGHT_SHIFT], df ? 0 : 3);
        mxu_pe_free(pe);
    }
}

/* ---- random agreement --------------------------------------------------------------------- */

static void fill_inputs(rng_state *r, tp_dtype dt, void *x, size_t n, bool specials)
{
    for (size_t i = 0; i < n; i++) {
        if (dt == TP_INT8)
            ((int8_t *)x)[i] = rng_i8(r);
        else
            ((uint16_t *)x)[i] = rng_bf16_normalish(r, specials);
    }
}

static void fill_acc(rng_state *r, tp_dtype dt, void *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (dt == TP_INT8) /* near the wrap-around point, so accumulating wraps */
            ((int32_t *)x)[i] = (int32_t)(INT32_MAX - (int32_t)rng_below(r, 100000));
        else
            ((float *)x)[i] = (float)rng_range(r, -1000, 1000) * 0.25f;
    }
}

static mxu_params random_params(rng_state *r)
{
    uint32_t R = (uint32_t)rng_range(r, 1, 16), C = (uint32_t)rng_range(r, 1, 16);
    if (rng_below(r, 8) == 0)
        R = 1;
    if (rng_below(r, 8) == 0)
        C = 1;
    return params(R, C, (tp_dataflow)rng_below(r, 3), (tp_dtype)rng_below(r, 2), rng_below(r, 2),
                  (uint32_t)rng_range(r, 1, rng_below(r, 4) ? 1 : 5));
}

/* A whole GEMM tiled into folds: fast values, per-PE values and num_gemm_ref agree bit for bit. */
static void engines_agree_on_tiled_gemms(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 20261122);
    for (int t = 0; t < 400; t++) {
        mxu_params p = random_params(&r);
        uint32_t M = (uint32_t)rng_range(&r, 1, 40), N = (uint32_t)rng_range(&r, 1, 40),
                 K = (uint32_t)rng_range(&r, 1, 40);
        if (t % 25 == 1) M = N = K = 1;
        if (t % 25 == 2) M = 1;
        if (t % 25 == 3) N = 1;
        const size_t ib = dtype_in_bytes(p.dtype);
        uint64_t folds = mxu_gemm_fold_count(&p, M, N, K);
        void *a = malloc((size_t)M * K * ib), *b = malloc((size_t)K * N * ib);
        void *c_ref = malloc((size_t)M * N * 4), *c_fast = malloc((size_t)M * N * 4),
             *c_pe = malloc((size_t)M * N * 4);
        mxu_issue *is = malloc(folds * sizeof *is);
        mxu_timing *tm = malloc(folds * sizeof *tm);
        assert_true(a && b && c_ref && c_fast && c_pe && is && tm);
        fill_inputs(&r, p.dtype, a, (size_t)M * K, t % 5 == 0);
        fill_inputs(&r, p.dtype, b, (size_t)K * N, t % 5 == 0);
        memset(c_pe, 0xAB, (size_t)M * N * 4);
        memset(c_fast, 0xCD, (size_t)M * N * 4);
        num_gemm_args g = {a, K, 1, b, N, 1, c_ref, N, M, N, K, mxu_gemm_kc(&p, K), false};
        num_gemm_ref(p.dtype, &g);
        for (uint64_t f = 0; f < folds; f++) {
            mxu_gemm_fold(&p, M, N, K, a, b, c_fast, false, f, &is[f]);
            mxu_fast_values(&p, &is[f], NULL, 1);
        }
        for (uint64_t f = 0; f < folds; f++)
            mxu_gemm_fold(&p, M, N, K, a, b, c_pe, false, f, &is[f]);
        run_both(&p, is, (uint32_t)folds, tm, 0);
        if (memcmp(c_ref, c_fast, (size_t)M * N * 4) || memcmp(c_ref, c_pe, (size_t)M * N * 4)) {
            fprintf(stderr, "case %d: %ux%u %s %s M=%u N=%u K=%u: values differ (fast %d, pe %d)\n", t,
                    p.rows, p.cols, cfg_dataflow_name(p.dataflow), dtype_name(p.dtype), M, N, K,
                    memcmp(c_ref, c_fast, (size_t)M * N * 4) != 0, memcmp(c_ref, c_pe, (size_t)M * N * 4) != 0);
            fail();
        }
        free(a); free(b); free(c_ref); free(c_fast); free(c_pe); free(is); free(tm);
    }
}

/* Sequences of independent ops with random shapes, accumulate flags and ready cycles. */
static void engines_agree_on_op_sequences(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 7);
    for (int t = 0; t < 400; t++) {
        mxu_params p = random_params(&r);
        uint32_t n = (uint32_t)rng_range(&r, 1, 6);
        mxu_issue is[6];
        mxu_timing tm[6];
        void *bufs[6][5];
        uint64_t ready = 0;
        const size_t ib = dtype_in_bytes(p.dtype);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t rows_max = p.dataflow == TP_DF_OS ? p.rows : p.rows;
            uint32_t m, nn, k;
            if (p.dataflow == TP_DF_WS) {
                m = (uint32_t)rng_range(&r, 1, 30); k = (uint32_t)rng_range(&r, 1, rows_max);
                nn = (uint32_t)rng_range(&r, 1, p.cols);
            } else if (p.dataflow == TP_DF_IS) {
                nn = (uint32_t)rng_range(&r, 1, 30); k = (uint32_t)rng_range(&r, 1, p.rows);
                m = (uint32_t)rng_range(&r, 1, p.cols);
            } else {
                k = (uint32_t)rng_range(&r, 1, 30); m = (uint32_t)rng_range(&r, 1, p.rows);
                nn = (uint32_t)rng_range(&r, 1, p.cols);
            }
            bool transpose_a = rng_below(&r, 2);
            bufs[i][0] = malloc((size_t)m * k * ib);
            bufs[i][1] = malloc((size_t)k * nn * ib);
            bufs[i][2] = malloc((size_t)m * nn * 4);   /* per-PE accumulators */
            bufs[i][3] = malloc((size_t)m * nn * 4);   /* fast */
            bufs[i][4] = malloc((size_t)m * nn * 4);   /* reference */
            assert_true(bufs[i][0] && bufs[i][1] && bufs[i][2] && bufs[i][3] && bufs[i][4]);
            fill_inputs(&r, p.dtype, bufs[i][0], (size_t)m * k, t % 4 == 0);
            fill_inputs(&r, p.dtype, bufs[i][1], (size_t)k * nn, t % 4 == 0);
            fill_acc(&r, p.dtype, bufs[i][2], (size_t)m * nn);
            memcpy(bufs[i][3], bufs[i][2], (size_t)m * nn * 4);
            memcpy(bufs[i][4], bufs[i][2], (size_t)m * nn * 4);
            ready += rng_below(&r, 4) ? 0 : rng_below(&r, 40);
            is[i] = (mxu_issue){{m, nn, k, rng_below(&r, 2), false}, bufs[i][0], transpose_a ? 1 : k,
                                transpose_a ? m : 1, bufs[i][1], nn, 1, bufs[i][2], nn,
                                ready + rng_below(&r, 10), ready + rng_below(&r, 10)};
        }
        run_both(&p, is, n, tm, 0);
        for (uint32_t i = 0; i < n; i++) {
            mxu_issue f = is[i];
            size_t bytes = (size_t)is[i].op.m * is[i].op.n * 4;
            f.c = bufs[i][3];
            mxu_fast_values(&p, &f, NULL, 1);
            num_gemm_args g = {f.a, f.a_rs, f.a_cs, f.b, f.b_rs, f.b_cs, bufs[i][4], f.ldc,
                               f.op.m, f.op.n, f.op.k, f.op.k, f.op.accumulate};
            num_gemm_ref(p.dtype, &g);
            if (memcmp(bufs[i][4], bufs[i][2], bytes) || memcmp(bufs[i][4], bufs[i][3], bytes)) {
                fprintf(stderr, "case %d op %u: %ux%u %s %s: values differ\n", t, i, p.rows, p.cols,
                        cfg_dataflow_name(p.dataflow), dtype_name(p.dtype));
                fail();
            }
            for (int j = 0; j < 5; j++)
                free(bufs[i][j]);
        }
    }
}

/* ---- scalesim --------------------------------------------------------------------------- */

static int decimals(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

static void scalesim_calc_rows_reproduced(void **state)
{
    (void)state;
    char path[512], line[1024];
    FILE *f = fopen(th_path(path, sizeof path, "tests/data/scalesim_calc.csv"), "r");
    int rows = 0;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        char df[8], bw[32], util[64];
        unsigned R, C, M, N, K;
        unsigned long long total;
        mxu_params p;
        mxu_state st;
        mxu_timing t;
        uint64_t causes[MXU_CAUSE__COUNT] = {0}, sum = 0;
        if (line[0] == '#' || !strncmp(line, "array_rows", 10))
            continue;
        assert_int_equal(sscanf(line, "%u,%u,%7[^,],%u,%u,%u,%31[^,],%llu,%*[^,],%63[^,],", &R, &C, df,
                                &M, &N, &K, bw, &total, util), 9);
        assert_string_equal(bw, "CALC");
        p = params(R, C, TP_DF_WS, TP_INT8, true, 1);
        assert_int_equal(cfg_dataflow_parse(df, &p.dataflow), 0);
        p.timing = TP_TIMING_SCALESIM;
        mxu_state_init(&st);
        uint64_t folds = mxu_gemm_fold_count(&p, M, N, K);
        for (uint64_t i = 0; i < folds; i++) {
            mxu_op op;
            mxu_gemm_fold_op(&p, M, N, K, i, &op);
            mxu_time_op(&p, &st, &op, 0, &t);
            for (int k = 0; k < MXU_CAUSE__COUNT; k++)
                causes[k] += t.by_cause[k];
        }
        mxu_close(&st, st.busy_until, causes);
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            sum += causes[k];
        /* tpusim counts cycles; SCALE-Sim reports the index of the last one */
        if (st.busy_until != total + 1) {
            fprintf(stderr, "%s", line);
            fprintf(stderr, "tpusim %llu, SCALE-Sim %llu + 1\n", (unsigned long long)st.busy_until, total);
            fail();
        }
        assert_int_equal(sum, st.busy_until);
        /* SCALE-Sim's Overall Util % divides by its own Total Cycles (= ours - 1) */
        double ours = 100.0 * (double)M * N * K / ((double)(st.busy_until - 1) * R * C);
        double tol = 0.5 * pow(10, -decimals(util)) + 1e-9;
        if (fabs(ours - strtod(util, NULL)) > tol) {
            fprintf(stderr, "%sutil %.12f vs %s\n", line, ours, util);
            fail();
        }
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 36);
}

/* ---- errors ------------------------------------------------------------------------------- */

static void op_and_engine_errors(void **state)
{
    (void)state;
    tp_err err = {0};
    mxu_pe *pe = NULL;
    mxu_params p = params(8, 4, TP_DF_WS, TP_INT8, true, 1);
    mxu_op op = {5, 4, 9, false, false};
    int8_t a[40] = {0}, b[40] = {0};
    int32_t c[40];
    assert_int_equal(mxu_op_check(&p, &op, &err), TP_ERR_PROGRAM);
    assert_string_equal(err.msg, "mxu op: k = 9 exceeds the array's 8 rows (ws)");
    op = (mxu_op){5, 5, 8, false, false};
    assert_int_equal(mxu_op_check(&p, &op, &err), TP_ERR_PROGRAM);
    assert_string_equal(err.msg, "mxu op: n = 5 exceeds the array's 4 cols (ws)");
    p.dataflow = TP_DF_IS;
    op = (mxu_op){5, 100, 8, false, false};
    assert_int_equal(mxu_op_check(&p, &op, &err), TP_ERR_PROGRAM);
    assert_string_equal(err.msg, "mxu op: m = 5 exceeds the array's 4 cols (is)");
    p.dataflow = TP_DF_OS;
    op = (mxu_op){9, 4, 100, false, false};
    assert_int_equal(mxu_op_check(&p, &op, &err), TP_ERR_PROGRAM);
    assert_string_equal(err.msg, "mxu op: m = 9 exceeds the array's 8 rows (os)");
    op = (mxu_op){0, 4, 100, false, false};
    assert_int_equal(mxu_op_check(&p, &op, &err), TP_ERR_PROGRAM);
    assert_string_equal(err.msg, "mxu op: m, n and k must be at least 1 (got 0 x 4 x 100)");

    p.timing = TP_TIMING_SCALESIM;
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_ERR_UNSUPPORTED);
    assert_null(pe);
    assert_non_null(strstr(err.msg, "tpu.array.timing=scalesim"));
    p.timing = TP_TIMING_PIPELINED;
    p.rows = 0;
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_ERR_CONFIG);
    assert_string_equal(err.msg, "mxu: array 0x4 is outside 1x1..4096x4096");
    p.rows = 8;

    /* an op may not be ready before cycles already simulated */
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_OK);
    mxu_issue is = timing_issue(4, 4, 4, 0, 0, a, b, c);
    assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_OK);
    mxu_pe_finish(pe);
    assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_ERR_PROGRAM);
    assert_non_null(strstr(err.msg, "op ready at cycle 0, but cycle"));
    is.op.k = 9;
    assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_ERR_PROGRAM);
    mxu_pe_free(pe);
}

/* An event-driven caller: issue at the current cycle, advance to the next event. */
static void incremental_issue_matches_closed_form(void **state)
{
    (void)state;
    int8_t a[10 * 4] = {0}, b[4 * 4] = {0};
    int32_t c[10 * 4];
    mxu_params p = params(4, 4, TP_DF_WS, TP_INT8, true, 1);
    mxu_pe *pe = NULL;
    mxu_state st;
    mxu_timing f;
    tp_err err = {0};
    uint32_t id = 99;
    uint64_t events[3] = {0, 7, 9};   /* op i becomes ready at events[i] */
    mxu_state_init(&st);
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_OK);
    for (int i = 0; i < 3; i++) {
        mxu_issue is = timing_issue(10, 4, 4, events[i], events[i], a, b, c);
        assert_int_equal(mxu_pe_advance(pe, events[i], &id), 0);   /* nothing ends before */
        assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_OK);
    }
    for (uint32_t i = 0; i < 3; i++) {
        mxu_issue is = timing_issue(10, 4, 4, events[i], events[i], a, b, c);
        mxu_time_op(&p, &st, &is.op, events[i], &f);
        assert_int_equal(mxu_pe_advance(pe, UINT64_MAX, &id), 1);
        assert_int_equal(id, i);
        assert_int_equal(mxu_pe_now(pe), f.end);
        expect_timing_equal(&f, mxu_pe_op_timing(pe, i), "incremental");
    }
    mxu_pe_free(pe);
}

TH_GROUP(mxu)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ws_single_op_by_hand),
        cmocka_unit_test(ws_two_ops_double_buffer_by_hand),
        cmocka_unit_test(ws_two_ops_single_buffer_by_hand),
        cmocka_unit_test(os_two_ops_by_hand),
        cmocka_unit_test(os_short_ops_on_a_wide_array_by_hand),
        cmocka_unit_test(os_chain_by_hand),
        cmocka_unit_test(os_chains_agree),
        cmocka_unit_test(is_rows_per_cycle_by_hand),
        cmocka_unit_test(ready_gaps_by_hand),
        cmocka_unit_test(engines_agree_on_tiled_gemms),
        cmocka_unit_test(engines_agree_on_op_sequences),
        cmocka_unit_test(wavefront_follows_the_equations),
        cmocka_unit_test(scalesim_folds_by_hand),
        cmocka_unit_test(scalesim_calc_rows_reproduced),
        cmocka_unit_test(op_and_engine_errors),
        cmocka_unit_test(incremental_issue_matches_closed_form),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
