/* base/vcd: the generic VCD writer's exact bytes (header, identifiers, change-only dumping,
 * time lines, reals), the time unit derived from a clock, its error paths; tpu/mxu_trace: a
 * per-PE engine run's dump parsed back (clk, cycle counter, cause, fold, bf16 reals). */
#include "harness.h"
#include "base/dtype.h"
#include "base/vcd.h"
#include "tpu/mxu.h"
#include "tpu/mxu_trace.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void writes_changes_only(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/t.vcd", th_tmpdir());
    vcd_w *v = NULL;
    tp_err err;
    assert_int_equal(vcd_open(path, "a test", &v, &err), TP_OK);
    vcd_scope_begin(v, "top");
    int a = vcd_wire(v, "a", 8);
    int ok = vcd_wire(v, "ok", 1);
    vcd_scope_end(v);
    assert_int_equal(a, 0);
    assert_int_equal(ok, 1);
    vcd_end_definitions(v);
    vcd_set(v, 0, a, 0);        /* unchanged: nothing written */
    vcd_set(v, 3, a, 0x105);    /* masked to 8 bits: 5 */
    vcd_set(v, 3, ok, 1);       /* same time: no second "#3" */
    vcd_set(v, 4, ok, 1);       /* unchanged: no "#4" either */
    vcd_set(v, 7, ok, 0);
    vcd_set(v, 7, 9, 1);        /* no such wire: ignored */
    assert_int_equal(vcd_close(v, &err), TP_OK);
    assert_string_equal(slurp(path),
                        "$comment\n  a test\n$end\n$timescale 1ns $end\n"
                        "$scope module top $end\n"
                        "$var wire 8 ! a $end\n"
                        "$var wire 1 \" ok $end\n"
                        "$upscope $end\n"
                        "$enddefinitions $end\n#0\n$dumpvars\nb0 !\n0\"\n$end\n"
                        "#3\nb101 !\n1\"\n"
                        "#7\n0\"\n");
}

static void identifiers_go_base_94(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ids.vcd", th_tmpdir());
    vcd_w *v = NULL;
    tp_err err;
    assert_int_equal(vcd_open(path, "ids", &v, &err), TP_OK);
    for (int i = 0; i < 96; i++)
        vcd_wire(v, "x", 1);
    vcd_end_definitions(v);
    assert_int_equal(vcd_close(v, &err), TP_OK);
    const char *s = slurp(path);
    /* wire 93 is '~', wire 94 the first two-digit id (least significant digit first): "!\"" */
    assert_non_null(strstr(s, "$var wire 1 ~ x $end\n$var wire 1 !\" x $end\n$var wire 1 \"\" x $end\n"));
}

static void reals_are_written_as_r_values(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/r.vcd", th_tmpdir());
    vcd_w *v = NULL;
    tp_err err;
    assert_int_equal(vcd_open_ts(path, "reals", "100ps", &v, &err), TP_OK);
    int x = vcd_real(v, "x");
    int b = vcd_wire(v, "b", 1);
    vcd_end_definitions(v);
    vcd_set_real(v, 0, x, 0.0);         /* unchanged */
    vcd_set_real(v, 5, x, 1.5);
    vcd_set(v, 5, x, 7);                /* a wire setter on a real: ignored */
    vcd_set_real(v, 5, b, 2.0);         /* a real setter on a wire: ignored */
    vcd_set_real(v, 10, x, -0.1);       /* %.17g: the double read back is the same */
    vcd_set_real(v, 15, x, -0.1);       /* unchanged: no "#15" */
    vcd_set_real(v, 20, x, NAN);
    vcd_set_real(v, 25, x, -INFINITY);
    vcd_time(v, 30);                    /* the end of the dump */
    vcd_time(v, 30);                    /* once */
    assert_int_equal(vcd_close(v, &err), TP_OK);
    assert_string_equal(slurp(path),
                        "$comment\n  reals\n$end\n$timescale 100ps $end\n"
                        "$var real 64 ! x $end\n"
                        "$var wire 1 \" b $end\n"
                        "$enddefinitions $end\n#0\n$dumpvars\nr0 !\n0\"\n$end\n"
                        "#5\nr1.5 !\n"
                        "#10\nr-0.10000000000000001 !\n"
                        "#20\nrnan !\n"
                        "#25\nr-inf !\n"
                        "#30\n");
    assert_true(strtod("-0.10000000000000001", NULL) == -0.1);
}

/* Each expected unit and half period is worked by hand: half a period = 1e15 fs / (2 f). */
static void timescale_follows_the_clock(void **state)
{
    (void)state;
    static const struct {
        uint64_t hz;
        const char *ts;
        uint64_t half;
        bool exact;
    } cases[] = {
        {UINT64_C(1000000000), "100ps", 5, true},   /* 500 ps */
        {UINT64_C(700000000), "1fs", 714286, false}, /* 714285.714... fs, to nearest */
        {UINT64_C(500000000), "1ns", 1, true},      /* 1000 ps */
        {UINT64_C(940000000), "1fs", 531915, false}, /* 531914.89... fs */
        {UINT64_C(100000000), "1ns", 5, true},      /* 5 ns */
        {UINT64_C(1250000000), "100ps", 4, true},   /* 400 ps */
        {UINT64_C(1), "100ms", 5, true},            /* 0.5 s */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char ts[8];
        uint64_t half = 0;
        bool exact = !cases[i].exact;
        tp_err err;
        assert_int_equal(vcd_timescale_for_clock(cases[i].hz, ts, &half, &exact, &err), TP_OK);
        assert_string_equal(ts, cases[i].ts);
        assert_int_equal(half, cases[i].half);
        assert_int_equal(exact, cases[i].exact);
    }
    {
        char ts[8];
        uint64_t half;
        bool exact;
        tp_err err;
        assert_int_equal(vcd_timescale_for_clock(0, ts, &half, &exact, &err), TP_ERR_UNSUPPORTED);
        assert_string_equal(err.msg, "VCD: no time unit for a clock of 0 Hz");
    }
}

/* ---- a small VCD reader for the tracer's dumps -------------------------------------------- */

typedef struct {
    char id[8];
    char name[136];     /* scope path below the top: "clk", "pe_0_0.a" */
    bool real;
} rd_sig;

typedef struct {
    uint64_t t;
    int sig;
    double real;        /* reals */
    uint64_t bits;      /* wires */
} rd_ev;

typedef struct {
    char timescale[16];
    rd_sig *sig;
    int n_sig;
    rd_ev *ev;
    size_t n_ev;
    uint64_t last_time;  /* the last "#t" line */
} vcd_rd;

static void rd_free(vcd_rd *r)
{
    free(r->sig);
    free(r->ev);
}

/* Parses the tracer's output; fails the test on anything it does not expect. */
static void rd_parse(const char *path, vcd_rd *r)
{
    FILE *f = fopen(path, "r");
    char line[512], scope[72] = "";
    size_t cap_ev = 0;
    int cap_sig = 0, depth = 0;
    bool defs = true;
    uint64_t t = 0;
    memset(r, 0, sizeof *r);
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (defs) {
            char a[64], b[8], c[64];
            unsigned w;
            if (sscanf(line, "$timescale %15s $end", r->timescale) == 1)
                continue;
            if (sscanf(line, "$scope module %63s $end", a) == 1) {
                if (++depth == 2)
                    snprintf(scope, sizeof scope, "%s.", a);
                continue;
            }
            if (!strcmp(line, "$upscope $end")) {
                if (--depth == 1)
                    scope[0] = 0;
                continue;
            }
            if (sscanf(line, "$var %63s %u %7s %63s $end", a, &w, b, c) == 4) {
                if (r->n_sig == cap_sig) {
                    cap_sig = cap_sig ? 2 * cap_sig : 64;
                    r->sig = realloc(r->sig, (size_t)cap_sig * sizeof *r->sig);
                    assert_non_null(r->sig);
                }
                rd_sig *s = &r->sig[r->n_sig++];
                snprintf(s->id, sizeof s->id, "%s", b);
                snprintf(s->name, sizeof s->name, "%s%s", scope, c);
                s->real = !strcmp(a, "real");
                assert_true(s->real ? w == 64 : !strcmp(a, "wire"));
                continue;
            }
            if (!strcmp(line, "$enddefinitions $end"))
                defs = false;
            continue;
        }
        if (line[0] == '#') {
            uint64_t nt = strtoull(line + 1, NULL, 10);
            assert_true(nt >= t);
            t = r->last_time = nt;
            continue;
        }
        if (line[0] == '$')
            continue;       /* $dumpvars, $end */
        {
            rd_ev e = {.t = t, .sig = -1};
            const char *id;
            if (line[0] == 'b' || line[0] == 'r') {
                id = strchr(line, ' ');
                assert_non_null(id);
                id++;
                if (line[0] == 'b')
                    e.bits = strtoull(line + 1, NULL, 2);
                else
                    e.real = strtod(line + 1, NULL);
            } else {
                assert_true(line[0] == '0' || line[0] == '1');
                e.bits = (uint64_t)(line[0] - '0');
                id = line + 1;
            }
            for (int i = 0; i < r->n_sig; i++)
                if (!strcmp(r->sig[i].id, id))
                    e.sig = i;
            assert_true(e.sig >= 0);
            assert_int_equal(r->sig[e.sig].real, line[0] == 'r');
            if (r->n_ev == cap_ev) {
                cap_ev = cap_ev ? 2 * cap_ev : 1024;
                r->ev = realloc(r->ev, cap_ev * sizeof *r->ev);
                assert_non_null(r->ev);
            }
            r->ev[r->n_ev++] = e;
        }
    }
    fclose(f);
}

static int rd_find(const vcd_rd *r, const char *name)
{
    for (int i = 0; i < r->n_sig; i++)
        if (!strcmp(r->sig[i].name, name))
            return i;
    return -1;
}

/* The value of signal `sig` at time t (its last change at or before t). */
static const rd_ev *rd_at(const vcd_rd *r, int sig, uint64_t t)
{
    const rd_ev *last = NULL;
    for (size_t i = 0; i < r->n_ev && r->ev[i].t <= t; i++)
        if (r->ev[i].sig == sig)
            last = &r->ev[i];
    assert_non_null(last);
    return last;
}

static uint16_t bf(float x) { return dtype_f32_to_bf16(x); }

/* Two bf16 ws ops on a 4x4 array, the second ready at cycle 40 so the engine skips the idle
 * stretch between them (17..39: op 0 ends at 17, docs/mxu.md's worked example). The dump read
 * back: clk toggles every half period through the skipped cycles, the counter equals the cycle at
 * every rising edge, the causes counted at the rising edges are the engine's, fold/step name the
 * streamed row at t0 + i, and PE(0,0)'s a holds A[i][0] exactly (a real) at t0 + i. */
static void run_traced(uint64_t clock_hz, const char *ts_want, uint64_t half_want, vcd_rd *rd,
                       uint64_t *cycles_out)
{
    enum { M = 6, K = 4, N = 4 };
    static const float av[M * K] = {1.5f, -0.375f, 3.140625f, 2, 0.5f, -1, 0.25f, 1,
                                    -2.5f, 1, 0.125f, -0.75f, 3, -3, 1.25f, 0.5f,
                                    0.75f, 2.5f, -1.5f, 1, -0.5f, 1.75f, 2, -2};
    uint16_t a[M * K], b[K * N];
    float c0[M * N], c1[M * N];
    char path[512];
    tp_err err;
    mxu_params p = {.rows = 4, .cols = 4, .dataflow = TP_DF_WS, .dtype = TP_BF16,
                    .timing = TP_TIMING_PIPELINED, .weight_double_buffer = true, .weight_rows_per_cycle = 1};
    mxu_pe *pe = NULL;
    mxu_trace *tr = NULL;
    uint64_t causes[MXU_CAUSE__COUNT] = {0};
    for (int i = 0; i < M * K; i++)
        a[i] = bf(av[i]);
    for (int i = 0; i < K * N; i++)
        b[i] = bf((float)(i % 5) * 0.5f - 1.0f);
    snprintf(path, sizeof path, "%s/mxu_%llu.vcd", th_tmpdir(), (unsigned long long)clock_hz);
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_OK);
    assert_int_equal(mxu_trace_open(path, &p, clock_hz, &tr, &err), TP_OK);
    mxu_pe_set_observer(pe, mxu_trace_observe, tr);
    for (int j = 0; j < 2; j++) {
        mxu_issue is = {.op = {.m = M, .n = N, .k = K}, .a = a, .a_rs = K, .a_cs = 1, .b = b, .b_rs = N,
                        .b_cs = 1, .c = j ? c1 : c0, .ldc = N, .weights_ready = j ? 40 : 0,
                        .inputs_ready = j ? 40 : 0};
        assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_OK);
    }
    mxu_pe_finish(pe);
    assert_null(mxu_pe_fault(pe));
    assert_int_equal(mxu_trace_close(tr, &err), TP_OK);
    for (uint32_t j = 0; j < 2; j++)
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            causes[k] += mxu_pe_op_timing(pe, j)->by_cause[k];
    const uint64_t t0[2] = {mxu_pe_op_timing(pe, 0)->start, mxu_pe_op_timing(pe, 1)->start};
    const uint64_t cycles = mxu_pe_now(pe);
    mxu_pe_close(pe, cycles, causes);
    mxu_pe_free(pe);
    assert_int_equal(t0[0], 4);         /* docs/mxu.md: shift 0..3 */
    assert_int_equal(t0[1], 44);        /* shift 40..43 */
    assert_int_equal(cycles, 57);       /* 44 + 6 + 4 + 4 - 1 */

    rd_parse(path, rd);
    assert_string_equal(rd->timescale, ts_want);
    const uint64_t H = half_want, P = 2 * H;
    const int clk = rd_find(rd, "clk"), cyc = rd_find(rd, "cycle"), cause = rd_find(rd, "cause");
    const int fold = rd_find(rd, "fold"), fv = rd_find(rd, "fold_valid"), step = rd_find(rd, "step");
    const int a00 = rd_find(rd, "pe_0_0.a"), av00 = rd_find(rd, "pe_0_0.a_valid");
    assert_true(clk >= 0 && cyc >= 0 && cause >= 0 && fold >= 0 && fv >= 0 && step >= 0);
    assert_true(a00 >= 0 && av00 >= 0);
    assert_true(rd->sig[a00].real && rd->sig[rd_find(rd, "pe_3_3.psum")].real);
    assert_false(rd->sig[clk].real);
    /* clk: after the initial 0 of $dumpvars, 1 at x*P and 0 at x*P + H for every cycle */
    {
        uint64_t n = 0;
        for (size_t i = 0; i < rd->n_ev; i++) {
            if (rd->ev[i].sig != clk)
                continue;
            if (n == 0) {               /* $dumpvars */
                assert_int_equal(rd->ev[i].t, 0);
                assert_int_equal(rd->ev[i].bits, 0);
            } else {
                assert_int_equal(rd->ev[i].t, (n - 1) * H);
                assert_int_equal(rd->ev[i].bits, n % 2);
            }
            n++;
        }
        assert_int_equal(n, 1 + 2 * cycles);
        assert_int_equal(rd->last_time, cycles * P);   /* the end of the last cycle */
    }
    /* the counter, the causes and the fold at every rising edge */
    {
        uint64_t seen[MXU_CAUSE__COUNT] = {0};
        for (uint64_t x = 0; x < cycles; x++) {
            assert_int_equal(rd_at(rd, cyc, x * P)->bits, x);
            assert_int_equal(rd_at(rd, cyc, x * P + H)->bits, x);
            uint64_t k = rd_at(rd, cause, x * P)->bits;
            assert_true(k < MXU_CAUSE__COUNT);
            seen[k]++;
            int f = x >= t0[1] && x < t0[1] + M ? 1 : x >= t0[0] && x < t0[0] + M ? 0 : -1;
            assert_int_equal(rd_at(rd, fv, x * P)->bits, f >= 0);
            if (f >= 0) {
                assert_int_equal(rd_at(rd, fold, x * P)->bits, (uint64_t)f);
                assert_int_equal(rd_at(rd, step, x * P)->bits, x - t0[f]);
                /* PE(0,0) multiplies row i of A at t0 + i: its a register holds A[i][0] */
                assert_int_equal(rd_at(rd, av00, x * P)->bits, 1);
                assert_true(rd_at(rd, a00, x * P)->real == (double)av[(x - t0[f]) * K]);
            }
        }
        for (int k = 0; k < MXU_CAUSE__COUNT; k++)
            assert_int_equal(seen[k], causes[k]);
        assert_int_equal(seen[MXU_IDLE], 40 - 17);   /* the skipped stretch, as idle cycles */
    }
    *cycles_out = cycles;
}

static void mxu_trace_clock_1ghz(void **state)
{
    (void)state;
    vcd_rd rd;
    uint64_t cycles;
    run_traced(UINT64_C(1000000000), "100ps", 5, &rd, &cycles);
    rd_free(&rd);
}

static void mxu_trace_clock_700mhz(void **state)
{
    (void)state;
    vcd_rd rd;
    uint64_t cycles;
    run_traced(UINT64_C(700000000), "1fs", 714286, &rd, &cycles);
    rd_free(&rd);
}

/* int8 operands stay 8-bit vectors and sums 32-bit vectors; no reals. */
static void mxu_trace_int8_is_vectors(void **state)
{
    (void)state;
    int8_t a[2 * 2] = {-1, 2, 3, -4}, b[2 * 2] = {1, -2, 3, 4};
    int32_t c[2 * 2];
    char path[512];
    tp_err err;
    mxu_params p = {.rows = 2, .cols = 2, .dataflow = TP_DF_OS, .dtype = TP_INT8,
                    .timing = TP_TIMING_PIPELINED, .weight_rows_per_cycle = 1};
    mxu_pe *pe = NULL;
    mxu_trace *tr = NULL;
    vcd_rd rd;
    snprintf(path, sizeof path, "%s/mxu_i8.vcd", th_tmpdir());
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_OK);
    assert_int_equal(mxu_trace_open(path, &p, UINT64_C(500000000), &tr, &err), TP_OK);
    mxu_pe_set_observer(pe, mxu_trace_observe, tr);
    mxu_issue is = {.op = {.m = 2, .n = 2, .k = 2}, .a = a, .a_rs = 2, .a_cs = 1, .b = b, .b_rs = 2,
                    .b_cs = 1, .c = c, .ldc = 2};
    assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_OK);
    mxu_pe_finish(pe);
    assert_int_equal(mxu_trace_close(tr, &err), TP_OK);
    mxu_pe_free(pe);
    rd_parse(path, &rd);
    assert_string_equal(rd.timescale, "1ns");
    for (int i = 0; i < rd.n_sig; i++)
        assert_false(rd.sig[i].real);
    assert_true(rd_find(&rd, "pe_1_1.acc") >= 0);
    assert_true(rd_find(&rd, "shift_fold") < 0);   /* os: no weight shift */
    /* the last acc of PE(1,1) before the drain is C[1][1] = 3*-2 + -4*4 = -22 */
    {
        int acc = rd_find(&rd, "pe_1_1.acc");
        bool found = false;
        for (size_t i = 0; i < rd.n_ev; i++)
            if (rd.ev[i].sig == acc && rd.ev[i].bits == (uint32_t)-22)
                found = true;
        assert_true(found);
    }
    rd_free(&rd);
}

static void open_failure_names_the_file(void **state)
{
    (void)state;
    vcd_w *v = (vcd_w *)1;
    tp_err err;
    assert_int_equal(vcd_open("/nonexistent-dir/x.vcd", "c", &v, &err), TP_ERR_IO);
    assert_null(v);
    assert_string_equal(err.msg, "/nonexistent-dir/x.vcd: cannot open for writing: No such file or directory");
    assert_int_equal(vcd_close(NULL, &err), TP_OK);
}

TH_GROUP(vcd)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_changes_only),
        cmocka_unit_test(identifiers_go_base_94),
        cmocka_unit_test(open_failure_names_the_file),
        cmocka_unit_test(reals_are_written_as_r_values),
        cmocka_unit_test(timescale_follows_the_clock),
        cmocka_unit_test(mxu_trace_clock_1ghz),
        cmocka_unit_test(mxu_trace_clock_700mhz),
        cmocka_unit_test(mxu_trace_int8_is_vectors),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
