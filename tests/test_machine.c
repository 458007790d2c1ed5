/* The whole machine: every shipped kernel end to end against an independent reference
 * (num_gemm_ref + our own ReLU/requantization), both engines agreeing to the cycle and bit on
 * the kernels and on random programs (dataflows, dtypes, array shapes, MXUs, cores), timing-only
 * runs giving the same cycles, and memory timing never changing the bits. */
#include "harness.h"
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "num/gemm.h"
#include "tpu/asm.h"
#include "tpu/machine.h"
#include "support.h"

static void fill_i8(int8_t *x, size_t n, rng_state *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = rng_i8(r);
}

static void kernel_prog(const tp_config *cfg, const char *rel, isa_program *p)
{
    char path[512];
    tp_err err = {0};
    if (asm_parse_file(th_path(path, sizeof path, rel), &cfg->tpu, p, &err))
        fail_msg("%s", err.msg);
}

/* Our own epilogue for gemm_dbuf_relu: ReLU on the int32 sum, then scale 1/256, round half to
 * even, saturate. Written independently of the vector unit. */
static int8_t relu_requant_256(int32_t v)
{
    if (v < 0)
        v = 0;
    int32_t q = v / 256, r = v % 256;          /* v >= 0 */
    if (r > 128 || (r == 128 && (q & 1)))
        q++;
    return (int8_t)(q > 127 ? 127 : q);
}

static void check_kernel(const char *rel, uint32_t M, uint32_t K, uint32_t N, bool relu)
{
    tp_config cfg;
    ts_load_cfg(&cfg, NULL, 0);
    isa_program p;
    kernel_prog(&cfg, rel, &p);
    rng_state r;
    rng_init(&r, 42);
    int8_t *a = malloc((size_t)M * K), *b = malloc((size_t)K * N);
    int32_t *ref = calloc((size_t)M * N, 4);
    fill_i8(a, (size_t)M * K, &r);
    fill_i8(b, (size_t)K * N, &r);
    num_gemm_args g = {a, K, 1, b, N, 1, ref, N, M, N, K, 32, false};
    num_gemm_ref(TP_INT8, &g);
    ts_outcome f, pe, t;
    ts_run(&cfg, &p, MACHINE_FAST, false, a, b, &f);
    ts_run(&cfg, &p, MACHINE_PE, false, a, b, &pe);
    ts_run(&cfg, &p, MACHINE_FAST, true, NULL, NULL, &t);
    if (relu) {
        int8_t *c = f.c;
        for (size_t i = 0; i < (size_t)M * N; i++)
            assert_int_equal(c[i], relu_requant_256(ref[i]));
    } else {
        assert_memory_equal(f.c, ref, (size_t)M * N * 4);
    }
    assert_memory_equal(f.c, pe.c, f.c_bytes);
    ts_assert_same_timing(&f.st, &pe.st);
    ts_assert_same_timing(&f.st, &t.st);
    assert_int_equal(f.st.macs, (uint64_t)M * N * K);
    assert_int_equal(stats_check(&f.st, NULL), TP_OK);
    /* utilization = MACs / (cycles x 1024 peak MACs per cycle) */
    assert_true(f.st.utilization > 0 && f.st.utilization <= 1.0);
    assert_true(f.st.utilization == (double)M * N * K / ((double)f.st.cycles * 1024.0));
    ts_outcome_free(&f);
    ts_outcome_free(&pe);
    ts_outcome_free(&t);
    free(a);
    free(b);
    free(ref);
    isa_free(&p);
}

static void kernel_single(void **state) { (void)state; check_kernel("kernels/gemm_single.tpu", 64, 32, 32, false); }
static void kernel_ktiled(void **state) { (void)state; check_kernel("kernels/gemm_ktiled.tpu", 64, 128, 32, false); }
static void kernel_dbuf_relu(void **state) { (void)state; check_kernel("kernels/gemm_dbuf_relu.tpu", 256, 64, 32, true); }

static void memory_timing_keeps_bits(void **state)
{
    (void)state;
    const char *slow[] = {"tpu.dram.bandwidth=1GB/s", "tpu.dram.read_latency=2000", "tpu.dram.channels=1"};
    const char *ideal[] = {"tpu.dram.ideal=true"};
    const char *narrow[] = {"tpu.ub.bytes_per_cycle=4", "tpu.dma.engines=1", "tpu.vpu.elems_per_cycle=1"};
    const char *const *sets[] = {NULL, slow, ideal, narrow};
    int nsets[] = {0, 3, 1, 3};
    rng_state r;
    rng_init(&r, 7);
    int8_t a[256 * 64], b[64 * 32];
    fill_i8(a, sizeof a, &r);
    fill_i8(b, sizeof b, &r);
    ts_outcome o[4];
    for (int k = 0; k < 4; k++) {
        tp_config cfg;
        ts_load_cfg(&cfg, sets[k], nsets[k]);
        isa_program p;
        kernel_prog(&cfg, "kernels/gemm_dbuf_relu.tpu", &p);
        ts_run(&cfg, &p, MACHINE_FAST, false, a, b, &o[k]);
        isa_free(&p);
    }
    for (int k = 1; k < 4; k++) {
        assert_memory_equal(o[0].c, o[k].c, o[0].c_bytes);
        assert_true(o[k].st.cycles != o[0].st.cycles);
    }
    assert_true(o[1].st.cycles > o[0].st.cycles);   /* slow memory is slower */
    assert_true(o[2].st.cycles < o[0].st.cycles);   /* ideal memory is faster */
    for (int k = 0; k < 4; k++)
        ts_outcome_free(&o[k]);
}

/* ---- random programs --------------------------------------------------------------------- */

static void random_programs_engines_agree(void **state)
{
    (void)state;
    rng_state r;
    rng_init(&r, 2024);
    for (int iter = 0; iter < 60; iter++) {
        char s[10][64];
        const char *sets[10];
        uint32_t rows = 1 + (uint32_t)rng_below(&r, 8), cols = 1 + (uint32_t)rng_below(&r, 8);
        const char *df = (const char *[]){"ws", "os", "is"}[rng_below(&r, 3)];
        snprintf(s[0], 64, "tpu.array.rows=%u", rows);
        snprintf(s[1], 64, "tpu.array.cols=%u", cols);
        snprintf(s[2], 64, "tpu.array.dataflow=%s", df);
        snprintf(s[3], 64, "tpu.array.weight_double_buffer=%s", rng_below(&r, 2) ? "true" : "false");
        snprintf(s[4], 64, "tpu.wbuf.depth_tiles=%u", 1 + (unsigned)rng_below(&r, 4));
        snprintf(s[5], 64, "tpu.mxus_per_core=%u", 1 + (unsigned)rng_below(&r, 2));
        snprintf(s[6], 64, "tpu.cores=%u", 1 + (unsigned)rng_below(&r, 2));
        snprintf(s[7], 64, "tpu.ub.size=64KiB");
        snprintf(s[8], 64, "tpu.acc.entries=64");
        snprintf(s[9], 64, "tpu.ub.bytes_per_cycle=%u", 1 + (unsigned)rng_below(&r, 32));
        for (int k = 0; k < 10; k++)
            sets[k] = s[k];
        tp_config cfg;
        ts_load_cfg(&cfg, sets, 10);
        ts_gemm_case gc = {1 + (uint32_t)rng_below(&r, 20), 1 + (uint32_t)rng_below(&r, 20),
                        1 + (uint32_t)rng_below(&r, 20), 0, rng_below(&r, 2) ? TP_BF16 : TP_INT8,
                        rng_below(&r, 2) == 1, rng_below(&r, 2) == 1};
        isa_program p;
        ts_gen_gemm(&cfg.tpu, &r, &gc, &p);
        tp_err err = {0};
        if (isa_validate(&p, &cfg.tpu, &err))
            fail_msg("iter %d: %s", iter, err.msg);
        size_t e = dtype_in_bytes(gc.dt);
        void *a = malloc((size_t)gc.M * gc.K * e), *b = malloc((size_t)gc.K * gc.N * e);
        void *ref = calloc((size_t)gc.M * gc.N, 4);
        for (size_t i = 0; i < (size_t)gc.M * gc.K; i++) {
            if (gc.dt == TP_INT8)
                ((int8_t *)a)[i] = rng_i8(&r);
            else
                ((uint16_t *)a)[i] = rng_bf16_normalish(&r, false);
        }
        for (size_t i = 0; i < (size_t)gc.K * gc.N; i++) {
            if (gc.dt == TP_INT8)
                ((int8_t *)b)[i] = rng_i8(&r);
            else
                ((uint16_t *)b)[i] = rng_bf16_normalish(&r, false);
        }
        /* transposed storage is just strides for the reference */
        num_gemm_args g = {a, gc.ta ? 1 : gc.K, gc.ta ? gc.M : 1, b, gc.tb ? 1 : gc.N, gc.tb ? gc.K : 1,
                           ref, gc.N, gc.M, gc.N, gc.K, gc.kt, false};
        num_gemm_ref(gc.dt, &g);
        ts_outcome f, pe, t;
        ts_run(&cfg, &p, MACHINE_FAST, false, a, b, &f);
        ts_run(&cfg, &p, MACHINE_PE, false, a, b, &pe);
        ts_run(&cfg, &p, MACHINE_FAST, true, NULL, NULL, &t);
        if (memcmp(f.c, ref, f.c_bytes))
            fail_msg("iter %d (%s %ux%u, %s, M=%u N=%u K=%u): result differs from num_gemm_ref", iter, df, rows,
                     cols, dtype_name(gc.dt), gc.M, gc.N, gc.K);
        assert_memory_equal(f.c, pe.c, f.c_bytes);
        ts_assert_same_timing(&f.st, &pe.st);
        ts_assert_same_timing(&f.st, &t.st);
        assert_int_equal(f.st.macs, (uint64_t)gc.M * gc.N * gc.K);
        ts_outcome_free(&f);
        ts_outcome_free(&pe);
        ts_outcome_free(&t);
        free(a);
        free(b);
        free(ref);
        isa_free(&p);
    }
}

/* Random instruction soups on a tiny machine: random loads, weight loads, matmuls, activates,
 * stores and fences over overlapping buffer ranges, kept only when the validator accepts them.
 * Both engines and the timing-only run must agree on every cycle count and every byte. */
static void random_soups_engines_agree(void **state)
{
    (void)state;
    const char *sets[] = {"tpu.array.rows=4", "tpu.array.cols=4", "tpu.ub.size=256", "tpu.acc.entries=8",
                          "tpu.mxus_per_core=2", "tpu.wbuf.depth_tiles=2", "tpu.dma.engines=2",
                          "tpu.ub.bytes_per_cycle=4", NULL};
    static const char *dfs[] = {"tpu.array.dataflow=ws", "tpu.array.dataflow=os", "tpu.array.dataflow=is"};
    rng_state r;
    rng_init(&r, 77);
    int ran = 0, held = 0, bcast = 0, stored_t = 0, bias_rows = 0;
    for (int iter = 0; iter < 300; iter++) {
        tp_config cfg;
        sets[8] = dfs[iter % 3];
        ts_load_cfg(&cfg, sets, 9);
        /* the soup: 2 MXUs, blocks of up to 4 x 4, 8 accumulator rows per MXU, 2 tiles per FIFO,
         * UB addresses 0, 16, ..., 112; os chains on the os machine */
        const ts_soup_shape shape = {2, 4, 8, 2, 8, 16, cfg.tpu.array.dataflow == TP_DF_OS};
        tp_dtype dt = rng_below(&r, 2) ? TP_BF16 : TP_INT8;
        isa_program p;
        ts_soup(&shape, &r, dt, &p);
        tp_err err = {0};
        if (isa_validate(&p, &cfg.tpu, &err)) {   /* e.g. tiles of different shapes in one repeat */
            isa_free(&p);
            continue;
        }
        ran++;
        for (uint32_t i = 0; i < p.n_ins; i++) {   /* what the soups exercise */
            const isa_instr *in = &p.ins[i];
            held += in->op == ISA_MATMUL && in->hold;
            bcast += in->op == ISA_LOADW && in->mxus > 1;
            stored_t += in->op == ISA_STORE && in->transpose;
            bias_rows += in->op == ISA_ACTIVATE && in->bias_stride;
        }
        uint8_t a[8 * 8 * 2], b[8 * 8 * 2];
        for (size_t i = 0; i < sizeof a / 2; i++) {
            if (dt) {
                ((uint16_t *)a)[i] = rng_bf16_normalish(&r, false);
                ((uint16_t *)b)[i] = rng_bf16_normalish(&r, false);
            } else {
                ((int8_t *)a)[i] = rng_i8(&r);
                ((int8_t *)b)[i] = rng_i8(&r);
            }
        }
        ts_outcome f, pe, t;
        ts_run(&cfg, &p, MACHINE_FAST, false, a, b, &f);
        ts_run(&cfg, &p, MACHINE_PE, false, a, b, &pe);
        ts_run(&cfg, &p, MACHINE_FAST, true, NULL, NULL, &t);
        if (memcmp(f.c, pe.c, f.c_bytes))
            fail_msg("soup %d: engines differ in values", iter);
        ts_assert_same_timing(&f.st, &pe.st);
        ts_assert_same_timing(&f.st, &t.st);
        ts_outcome_free(&f);
        ts_outcome_free(&pe);
        ts_outcome_free(&t);
        isa_free(&p);
    }
    assert_true(ran > 100);
    /* the soups cover os chains, broadcast weight loads, transposed stores and bias rows */
    assert_true(held > 0 && bcast > 0 && stored_t > 0 && bias_rows > 0);
}

/* dma.c note 5: with the weights in a separate weight memory (configs/tpu-v1.yaml) engine 0 is
 * the weight fetcher. tpu-v1: DMA setup 10 cycles, 256 B/cycle; weight memory 34 GB/s over 2
 * channels, 100 ns = 70 cycles latency; host 15.75 GB/s on 1 channel, 1 us = 700 cycles.
 *   loadw 0 (engine 0): 65536 B spread evenly over both channels, ceil(65536 x 700e6 / 34e9)
 *     = 1350 cycles from 10: its last burst leaves at 1360, its data is in at 1360 + 70 = 1430.
 *   loadw 1: only engine 0 may take it, free at 1360: 1370 + 1350 + 70 = 2790.
 *   load (engine 1, at once): ceil(65536 x 700e6 / 15.75e9) = ceil(2912.7) = 2913 cycles
 *     from 10, + 700 = 3623.
 * With one engine nothing is reserved and the three run one after another in program order:
 * the load waits for loadw 1's last burst (2790 - 70 = 2720): 2730 + 2913 + 700 = 6343. With the
 * weights in the DRAM instead, the second loadw takes engine 1 at once and the load waits. */
static void weight_fetcher_serves_loadw_alone(void **state)
{
    (void)state;
    const char *prog = ".tensor A int8 256 256\n.tensor W int8 512 256\n.ub a 0 65536\n"
                       "loadw 0, W[0:256, 0:256]\nloadw 0, W[256:512, 0:256]\nload a, A[0:256, 0:256]\n";
    uint64_t s[3], e[3];
    ts_run_timing("configs/tpu-v1.yaml", NULL, 0, prog, 3, s, e, NULL);
    assert_int_equal(s[0], 0);
    assert_int_equal(e[0], 1430);
    assert_int_equal(s[1], 1360);
    assert_int_equal(e[1], 2790);
    assert_int_equal(s[2], 0);
    assert_int_equal(e[2], 3623);
    const char *one[] = {"tpu.dma.engines=1"};
    ts_run_timing("configs/tpu-v1.yaml", one, 1, prog, 3, s, e, NULL);
    assert_int_equal(s[1], 1360);
    assert_int_equal(s[2], 2720);
    assert_int_equal(e[2], 6343);
    const char *dram[] = {"tpu.placement.weights=dram"};
    ts_run_timing("configs/tpu-v1.yaml", dram, 1, prog, 3, s, e, NULL);
    assert_int_equal(s[1], 0);
    assert_true(s[2] > 0);
}

static void ub_contention_is_named(void **state)
{
    (void)state;
    /* UB: 4 banks x 1 port x 2 B = 8 B/cycle per side. Two MXUs each read the same 64 x 32 int8
     * block (2048 B = 256 cycles of the read port) and stream it in T = 64 cycles, so each op's
     * reads must begin lead = 256 - 64 = 192 cycles before its stream, and not before the load
     * has ended. The load: 2048 B written at 8 B/cycle after the 16-cycle setup ends at 272
     * (the DRAM part, 16 + 8 + 100 = 124, is faster).
     *   MXU 0: reads [272, 528), t0 = 272 + 192 = 464, end = 464 + 64 + 63 = 591.
     *   MXU 1: the port is busy until 528: reads [528, 784), t0 = 720, end = 847. */
    const char *sets[] = {"tpu.mxus_per_core=2", "tpu.ub.bytes_per_cycle=2", "tpu.ub.banks=4"};
    tp_config cfg;
    ts_load_cfg(&cfg, sets, 3);
    isa_program p;
    tp_err err = {0};
    const char *src = ".tensor A int8 64 32\n.tensor B int8 32 32\n.tensor C int32 64 32\n"
                      ".ub a 0 2048\nload a, A[0:64, 0:32]\nloadw 0, B[0:32, 0:32]\nloadw 1, B[0:32, 0:32]\n"
                      "matmul 0, 0, a, 64\nmatmul 1, 4096, a, 64\n";
    if (asm_parse("ub.tpu", src, &cfg.tpu, &p, &err))
        fail_msg("%s", err.msg);
    machine *m;
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
    assert_int_equal(machine_load(m, &p, &err), TP_OK);
    machine_set_timing_only(m, true);
    assert_int_equal(machine_run(m, &err), TP_OK);
    uint64_t s0, e0;
    assert_int_equal(machine_instr_times(m, 0, &s0, &e0, &err), TP_OK);
    assert_int_equal(e0, 272);
    assert_int_equal(machine_instr_times(m, 3, &s0, &e0, &err), TP_OK);
    assert_int_equal(s0, 464);
    assert_int_equal(e0, 591);
    assert_int_equal(machine_instr_times(m, 4, &s0, &e0, &err), TP_OK);
    assert_int_equal(s0, 720);
    assert_int_equal(e0, 847);
    const tp_stats *st = machine_stats(m);
    assert_true(stats_unit_cause(stats_find_unit(st, "core0.mxu0"), "ub_bandwidth") > 0);
    assert_true(stats_unit_cause(stats_find_unit(st, "core0.mxu1"), "ub_bandwidth") > 0);
    assert_int_equal(stats_check(st, NULL), TP_OK);
    machine_free(m);
    isa_free(&p);
}

static void energy_from_the_table(void **state)
{
    (void)state;
    const char *sets[] = {"tpu.energy.mac_int8_pj=0.25", "tpu.energy.dram_pj_per_byte=10", "tpu.energy.ub_pj_per_byte=1",
                          "tpu.energy.acc_pj_per_byte=0.5", "tpu.energy.wbuf_pj_per_byte=0.25"};
    tp_config cfg;
    ts_load_cfg(&cfg, sets, 5);
    isa_program p;
    kernel_prog(&cfg, "kernels/gemm_single.tpu", &p);
    ts_outcome o;
    ts_run(&cfg, &p, MACHINE_FAST, true, NULL, NULL, &o);
    /* gemm_single by hand: 64*32*32 = 65536 MACs x 0.25 = 16384 pJ.
     * DRAM: A 2048 + B 1024 read, C 8192 written = 11264 B x 10 = 112640 pJ.
     * UB: load writes 2048, matmul reads 2048, activate writes 8192, store reads 8192
     *     = 20480 B x 1 = 20480 pJ.
     * acc: matmul writes 64 x 32 x 4 = 8192, activate reads 8192 = 16384 B x 0.5 = 8192 pJ.
     * wbuf: 1024 B pushed and 1024 B read = 2048 B x 0.25 = 512 pJ. */
    assert_true(o.st.has_energy);
    assert_true(o.st.energy_mac_pj == 16384.0);
    assert_true(o.st.energy_offchip_pj == 112640.0);
    assert_true(o.st.energy_onchip_pj == 20480.0 + 8192.0 + 512.0);
    assert_true(o.st.energy_pj == 16384.0 + 112640.0 + 20480.0 + 8192.0 + 512.0);
    ts_outcome_free(&o);
    isa_free(&p);
}

/* The vector unit's functions against our own: bias add, relu / relu6, bf16 rounding and
 * int8 requantization, on a bf16 and an int8 program built in memory. */
static void vector_unit_functions(void **state)
{
    (void)state;
    tp_config cfg;
    ts_load_cfg(&cfg, NULL, 0);
    rng_state r;
    rng_init(&r, 99);
    for (int dti = 0; dti < 2; dti++) {
        tp_dtype dt = dti ? TP_BF16 : TP_INT8;
        unsigned e = dtype_in_bytes(dt);
        const uint32_t M = 8, K = 16, N = 8;
        isa_program p;
        isa_init(&p, "vpu", dt);
        int A = isa_add_tensor(&p, "A", npy_dtype_of_input(dt), M, K);
        int B = isa_add_tensor(&p, "B", npy_dtype_of_input(dt), K, N);
        int bias = isa_add_tensor(&p, "bias", dt ? NPY_F32 : NPY_INT32, 1, N);
        int C = isa_add_tensor(&p, "C", dt ? NPY_BF16 : NPY_INT8, M, N);
        int D = isa_add_tensor(&p, "D", dt ? NPY_F32 : NPY_INT32, M, N);
        isa_load(&p, 0, 0, 0, A, 0, 0, M, K, false);
        isa_load(&p, 0, 4096, 0, bias, 0, 0, 1, N, false);
        isa_loadw(&p, 0, 0, B, 0, 0, K, N, false);
        isa_matmul(&p, 0, 0, 0, 0, 0, M, false, 1);
        /* C = convert(relu(acc + bias)); D = relu6(acc) raw */
        isa_activate(&p, 0, 8192, 0, 0, M, N, ISA_ACT_RELU, dt ? NPY_BF16 : NPY_INT8, 0.0625f, true, 4096);
        isa_activate(&p, 0, 12288, 0, 0, M, N, ISA_ACT_RELU6, dt ? NPY_F32 : NPY_INT32, 1.0f, false, 0);
        isa_store(&p, 0, C, 0, 0, M, N, 8192, 0);
        isa_store(&p, 0, D, 0, 0, M, N, 12288, 0);
        uint8_t a[8 * 16 * 2], b[16 * 8 * 2];
        int32_t bias_i[8];
        float bias_f[8];
        for (uint32_t i = 0; i < M * K; i++) {
            if (dt)
                ((uint16_t *)a)[i] = rng_bf16_normalish(&r, false);
            else
                ((int8_t *)a)[i] = rng_i8(&r);
        }
        for (uint32_t i = 0; i < K * N; i++) {
            if (dt)
                ((uint16_t *)b)[i] = rng_bf16_normalish(&r, false);
            else
                ((int8_t *)b)[i] = rng_i8(&r);
        }
        for (uint32_t j = 0; j < N; j++) {
            bias_i[j] = (int32_t)rng_range(&r, -3000, 3000);
            bias_f[j] = (float)rng_range(&r, -8, 8) * 0.5f;
        }
        machine *m;
        tp_err err = {0};
        assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
        if (machine_load(m, &p, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(machine_bind(m, "A", a, M, K, npy_dtype_of_input(dt), &err), TP_OK);
        assert_int_equal(machine_bind(m, "B", b, K, N, npy_dtype_of_input(dt), &err), TP_OK);
        assert_int_equal(machine_bind(m, "bias", dt ? (void *)bias_f : (void *)bias_i, 1, N, dt ? NPY_F32 : NPY_INT32,
                                      &err), TP_OK);
        if (machine_run(m, &err))
            fail_msg("%s", err.msg);
        float acc_f[64];
        int32_t acc_i[64];
        num_gemm_args g = {a, K, 1, b, N, 1, dt ? (void *)acc_f : (void *)acc_i, N, M, N, K, K, false};
        num_gemm_ref(dt, &g);
        const void *c = machine_tensor_data(m, "C"), *d = machine_tensor_data(m, "D");
        for (uint32_t i = 0; i < M; i++)
            for (uint32_t j = 0; j < N; j++) {
                uint32_t ix = i * N + j;
                if (dt) {
                    float v = acc_f[ix] + bias_f[j];
                    float rl = v < 0.0f ? 0.0f : v;
                    assert_int_equal(((const uint16_t *)c)[ix], dtype_f32_to_bf16(rl));
                    float r6 = acc_f[ix] < 0.0f ? 0.0f : (acc_f[ix] > 6.0f ? 6.0f : acc_f[ix]);
                    assert_true(((const float *)d)[ix] == r6);
                } else {
                    int64_t v = (int64_t)acc_i[ix] + bias_i[j];   /* no wrap at these sizes */
                    if (v < 0)
                        v = 0;
                    /* v / 16 rounded half to even, saturated to 127 */
                    int64_t q = v / 16, rem = v % 16;
                    if (rem > 8 || (rem == 8 && (q & 1)))
                        q++;
                    assert_int_equal(((const int8_t *)c)[ix], q > 127 ? 127 : q);
                    int32_t r6 = acc_i[ix] < 0 ? 0 : (acc_i[ix] > 6 ? 6 : acc_i[ix]);
                    assert_int_equal(((const int32_t *)d)[ix], r6);
                }
            }
        (void)e;
        machine_free(m);
        isa_free(&p);
    }
}

/* machine_load_take moves the program in: the caller's struct is left empty (same name and
 * dtype), and the run is the one machine_load of a copy gives, instruction by instruction. A
 * program the machine refuses stays the caller's. */
static void load_take_moves_the_program(void **state)
{
    (void)state;
    tp_config cfg;
    ts_load_cfg(&cfg, NULL, 0);
    isa_program p, q;
    kernel_prog(&cfg, "kernels/gemm_single.tpu", &p);
    kernel_prog(&cfg, "kernels/gemm_single.tpu", &q);
    const uint32_t n = p.n_ins;
    assert_true(n > 3);
    machine *a, *b;
    tp_err err = {0};
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &a, &err), TP_OK);
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &b, &err), TP_OK);
    assert_int_equal(machine_load(a, &p, &err), TP_OK);
    assert_int_equal(machine_load_take(b, &q, &err), TP_OK);
    assert_int_equal(q.n_ins, 0);
    assert_null(q.ins);
    assert_string_equal(q.name, p.name);
    assert_int_equal(q.dtype, p.dtype);
    machine_set_timing_only(a, true);
    machine_set_timing_only(b, true);
    assert_int_equal(machine_run(a, &err), TP_OK);
    assert_int_equal(machine_run(b, &err), TP_OK);
    assert_true(machine_stats(a)->cycles > 0);
    assert_int_equal(machine_stats(b)->cycles, machine_stats(a)->cycles);
    uint32_t timed = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s0 = 0, e0 = 0, s1 = 0, e1 = 0;
        tp_status r0 = machine_instr_times(a, i, &s0, &e0, &err);
        assert_int_equal(machine_instr_times(b, i, &s1, &e1, &err), r0);
        timed += r0 == TP_OK;
        assert_int_equal(s1, s0);
        assert_int_equal(e1, e0);
    }
    assert_true(timed + 1 >= n);   /* every instruction but the halt has its times */
    /* refused (an instruction on a core the machine lacks): the caller keeps its program */
    kernel_prog(&cfg, "kernels/gemm_single.tpu", &q);
    q.ins[0].core = 7;
    assert_int_equal(machine_load_take(b, &q, &err), TP_ERR_ASM);
    assert_non_null(strstr(err.msg, "core 7 does not exist"));
    assert_int_equal(q.n_ins, n);
    assert_non_null(q.ins);
    machine_free(a);
    machine_free(b);
    isa_free(&p);
    isa_free(&q);
}

static void bind_mismatch_refused(void **state)
{
    (void)state;
    tp_config cfg;
    ts_load_cfg(&cfg, NULL, 0);
    isa_program p;
    kernel_prog(&cfg, "kernels/gemm_single.tpu", &p);
    machine *m;
    tp_err err = {0};
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
    assert_int_equal(machine_load(m, &p, &err), TP_OK);
    int8_t buf[16];
    assert_int_equal(machine_bind(m, "A", buf, 4, 4, NPY_INT8, &err), TP_ERR_USAGE);
    assert_string_equal(err.msg, "tensor A: given 4 x 4 int8 but the program declares 64 x 32 int8");
    assert_int_equal(machine_bind(m, "Q", buf, 4, 4, NPY_INT8, &err), TP_ERR_USAGE);
    machine_free(m);
    isa_free(&p);
}

TH_GROUP(machine)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kernel_single),
        cmocka_unit_test(kernel_ktiled),
        cmocka_unit_test(kernel_dbuf_relu),
        cmocka_unit_test(memory_timing_keeps_bits),
        cmocka_unit_test(random_programs_engines_agree),
        cmocka_unit_test(random_soups_engines_agree),
        cmocka_unit_test(ub_contention_is_named),
        cmocka_unit_test(weight_fetcher_serves_loadw_alone),
        cmocka_unit_test(energy_from_the_table),
        cmocka_unit_test(vector_unit_functions),
        cmocka_unit_test(bind_mismatch_refused),
        cmocka_unit_test(load_take_moves_the_program),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
