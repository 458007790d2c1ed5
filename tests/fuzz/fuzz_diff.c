/* libFuzzer differential target: the same program on the fast engine, the per-PE engine and
 * timing-only runs (fast engine) with the fast-forward on and off must give the same cycles, MACs, cycles of every unit and cause,
 * and bytes (asked for, on the bus, in flight) of every memory level; the two engines with data
 * must also give the same bits in every tensor. A program that fails must fail the same way on
 * all four, with an input error (never internal).
 *
 * Two kinds of input:
 *   - .tpu text that assembles on the embedded default machine (seeds: the .tpu files of kernels/) and is
 *     small enough to run per-PE quickly (<= 64 instructions, <= 64 Ki elements per tensor);
 *   - any other bytes drive a random program on a tiny machine (4 x 4, two MXUs, 256 B of UB,
 *     8 accumulator rows each; the first byte picks ws, os or is and the dtype), as in
 *     tests/test_machine.c's instruction soups, kept only when isa_validate accepts it.
 * Tensors are filled from a generator seeded by the input's length, the same for every run.
 *
 * The programs are short (64 instructions at most), so few of them repeat long enough for the
 * fast-forward to jump; tests/test_ff.c runs long random tilings for that. */
#include "fuzz.h"
#include "base/rng.h"
#include "config/config.h"
#include "stats/stats.h"
#include "tpu/asm.h"
#include "tpu/isa.h"
#include "tpu/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ASM_MAX_INS = 64, ASM_MAX_ELEMS = 1 << 16, T = 8 };

typedef struct {
    const uint8_t *p;
    size_t n, at;
} bytes;

static uint32_t pick(bytes *b, uint32_t n)   /* 0..n-1 from the next byte (0 when exhausted) */
{
    if (n <= 1 || b->at >= b->n)
        return 0;
    return b->p[b->at++] % n;
}

/* A random program over 8 x 8 tensors A, B (inputs) and C (output), driven by the input bytes. */
static void gen(bytes *b, tp_dtype dt, bool os, isa_program *p)
{
    const uint32_t d = 4, mxus = 2, acc = 8, tiles = 2;
    isa_init(p, "fuzz-soup", dt);
    int A = isa_add_tensor(p, "A", npy_dtype_of_input(dt), T, T);
    int B = isa_add_tensor(p, "B", npy_dtype_of_input(dt), T, T);
    int C = isa_add_tensor(p, "C", dt ? NPY_F32 : NPY_INT32, T, T);
    uint32_t loaded[2] = {0};
    int n = 1 + (int)pick(b, 32);
    for (int i = 0; i < n; i++) {
        unsigned mxu = pick(b, mxus);
        uint32_t rows = 1 + pick(b, d), cols = 1 + pick(b, d);
        uint64_t ub = (uint64_t)pick(b, 8) * 16;
        switch (pick(b, 6)) {
        case 0:
            isa_load(p, 0, ub, 0, A, pick(b, T - d + 1), pick(b, T - d + 1), rows, cols, pick(b, 2));
            break;
        case 1: {
            unsigned cnt = 1 + pick(b, mxus - mxu);
            bool room = true;
            for (unsigned u = 0; u < cnt; u++)
                room &= loaded[mxu + u] < tiles;
            if (room) {
                isa_loadw_n(p, 0, mxu, cnt, B, pick(b, T - d + 1), pick(b, T - d + 1), rows, cols, pick(b, 2));
                for (unsigned u = 0; u < cnt; u++)
                    loaded[mxu + u]++;
            }
            break;
        }
        case 2:
            if (loaded[mxu]) {
                uint32_t rep = 1 + pick(b, loaded[mxu]);
                uint64_t row = mxu * acc + pick(b, acc - d);
                uint32_t m = 1 + pick(b, d);
                bool hold = os && loaded[mxu] > rep && pick(b, 3) == 0;
                isa_matmul_h(p, 0, mxu, row, ub, 0, m, pick(b, 2), rep, hold);
                loaded[mxu] -= rep;
            }
            break;
        case 3: {
            int x = isa_activate(p, 0, ub, 0, pick(b, mxus * acc - d), rows, cols, (isa_act)pick(b, 3),
                                 dt ? NPY_F32 : NPY_INT32, 1.0f, pick(b, 3) == 0, (uint64_t)pick(b, 8) * 16);
            if (x >= 0 && p->ins[x].has_bias && pick(b, 2))
                p->ins[x].bias_stride = (uint64_t)cols * 4 + 4 * pick(b, 3);
            break;
        }
        case 4:
            isa_store_t(p, 0, C, pick(b, T - d + 1), pick(b, T - d + 1), rows, cols, ub, 0, pick(b, 2));
            break;
        default:
            isa_fence(p, 0);
            break;
        }
    }
}

/* Every tensor's initial contents, from a generator seeded by `seed`; caller frees each. */
static void **fill(const isa_program *p, uint64_t seed)
{
    rng_state r;
    void **bufs = calloc(p->n_tensors ? p->n_tensors : 1, sizeof *bufs);
    if (!bufs)
        abort();
    rng_init(&r, seed);
    for (uint32_t i = 0; i < p->n_tensors; i++) {
        const isa_tensor *t = &p->tensors[i];
        size_t n = (size_t)t->rows * t->cols, es = npy_dtype_size(t->dtype);
        uint8_t *x = malloc(n * es + 1);
        if (!x)
            abort();
        for (size_t e = 0; e < n; e++) {
            switch (t->dtype) {
            case NPY_INT8: ((int8_t *)x)[e] = rng_i8(&r); break;
            case NPY_BF16: ((uint16_t *)x)[e] = rng_bf16_normalish(&r, false); break;
            case NPY_INT32: ((int32_t *)x)[e] = (int32_t)rng_range(&r, -1000, 1000); break;
            default: ((float *)x)[e] = (float)(rng_unit(&r) * 4.0 - 2.0); break;
            }
        }
        bufs[i] = x;
    }
    return bufs;
}

typedef struct {
    tp_status st;
    tp_err err;
    tp_stats stats;
    void **bufs;   /* the tensors after the run (NULL in timing-only runs) */
} outcome;

static void run(const tp_config *cfg, const isa_program *p, machine_engine eng, bool timing_only, bool ff,
                uint64_t seed, outcome *o)
{
    machine *m;
    memset(o, 0, sizeof *o);
    stats_init(&o->stats);
    if (machine_new(cfg, eng, &m, &o->err) || machine_load(m, p, &o->err))
        fz_fail("a validated program does not load", o->err.code, &o->err);
    machine_set_timing_only(m, timing_only);
    machine_set_fast_forward(m, ff);
    machine_set_threads(m, 1);
    if (!timing_only) {
        o->bufs = fill(p, seed);
        for (uint32_t i = 0; i < p->n_tensors; i++) {
            const isa_tensor *t = &p->tensors[i];
            if (machine_bind(m, t->name, o->bufs[i], t->rows, t->cols, t->dtype, &o->err))
                fz_fail("binding a declared tensor fails", o->err.code, &o->err);
        }
    }
    o->st = machine_run(m, &o->err);
    fz_check(o->st, &o->err, NULL);
    if (o->st == TP_OK && stats_copy(&o->stats, machine_stats(m), &o->err))
        abort();
    machine_free(m);
}

static void outcome_free(const isa_program *p, outcome *o)
{
    if (o->bufs)
        for (uint32_t i = 0; i < p->n_tensors; i++)
            free(o->bufs[i]);
    free(o->bufs);
    stats_free(&o->stats);
}

static void same_timing(const char *what, const tp_stats *x, const tp_stats *y)
{
    tp_err e = {0};
    snprintf(e.msg, sizeof e.msg, "%s: cycles %llu vs %llu", what, (unsigned long long)x->cycles,
             (unsigned long long)y->cycles);
    if (x->cycles != y->cycles || x->macs != y->macs || x->n_units != y->n_units || x->n_levels != y->n_levels)
        fz_fail("runs differ in cycles, MACs or units", TP_ERR_MISMATCH, &e);
    for (uint32_t i = 0; i < x->n_units; i++)
        if (strcmp(x->units[i].name, y->units[i].name) ||
            memcmp(x->units[i].cycles, y->units[i].cycles, sizeof x->units[i].cycles))
            fz_fail("runs differ in a unit's cycles by cause", TP_ERR_MISMATCH, &e);
    for (uint32_t i = 0; i < x->n_levels; i++) {
        const stats_level *a = &x->levels[i], *b = &y->levels[i];
        if (a->read_bytes != b->read_bytes || a->write_bytes != b->write_bytes || a->bus_bytes != b->bus_bytes ||
            a->in_flight_cycles != b->in_flight_cycles)
            fz_fail("runs differ in a memory level's bytes", TP_ERR_MISMATCH, &e);
    }
}

static void differ(const tp_config *cfg, const isa_program *p, uint64_t seed)
{
    outcome f, pe, t, off;
    run(cfg, p, MACHINE_FAST, false, true, seed, &f);
    run(cfg, p, MACHINE_PE, false, true, seed, &pe);
    run(cfg, p, MACHINE_FAST, true, true, seed, &t);
    run(cfg, p, MACHINE_FAST, true, false, seed, &off);
    if (f.st != pe.st || f.st != t.st || f.st != off.st)
        fz_fail("the runs do not fail alike", f.st != pe.st ? pe.st : f.st != t.st ? t.st : off.st,
                f.st != pe.st ? &pe.err : f.st != t.st ? &t.err : &off.err);
    if (f.st == TP_OK) {
        same_timing("fast vs pe", &f.stats, &pe.stats);
        same_timing("fast vs timing-only", &f.stats, &t.stats);
        same_timing("fast-forward on vs off", &t.stats, &off.stats);
        for (uint32_t i = 0; i < p->n_tensors; i++) {
            const isa_tensor *x = &p->tensors[i];
            if (memcmp(f.bufs[i], pe.bufs[i], (size_t)x->rows * x->cols * npy_dtype_size(x->dtype))) {
                tp_err e = {0};
                snprintf(e.msg, sizeof e.msg, "tensor %s", x->name);
                fz_fail("the engines differ in values", TP_ERR_MISMATCH, &e);
            }
        }
    }
    outcome_free(p, &f);
    outcome_free(p, &pe);
    outcome_free(p, &t);
    outcome_free(p, &off);
}

static bool small_enough(const isa_program *p)
{
    if (p->n_ins > ASM_MAX_INS)
        return false;
    for (uint32_t i = 0; i < p->n_tensors; i++)
        if ((uint64_t)p->tensors[i].rows * p->tensors[i].cols > ASM_MAX_ELEMS)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tp_config *cfg = malloc(sizeof *cfg);
    tp_err err = {0};
    isa_program p;
    if (!cfg)
        abort();
    char *text = fz_text(data, size);
    if (cfg_load(NULL, NULL, 0, cfg, &err))
        fz_fail("the default machine does not load", err.code, &err);
    if (asm_parse("fuzz.tpu", text, &cfg->tpu, &p, &err) == TP_OK) {
        if (small_enough(&p))
            differ(cfg, &p, size);
        isa_free(&p);
    } else if (size > 0) {
        static const char *const dfs[] = {"tpu.array.dataflow=ws", "tpu.array.dataflow=os",
                                          "tpu.array.dataflow=is"};
        const char *sets[] = {"tpu.array.rows=4", "tpu.array.cols=4", "tpu.ub.size=256", "tpu.acc.entries=8",
                              "tpu.mxus_per_core=2", "tpu.wbuf.depth_tiles=2", "tpu.dma.engines=2",
                              "tpu.ub.bytes_per_cycle=4", dfs[data[0] % 3]};
        if (cfg_load(NULL, sets, 9, cfg, &err))
            fz_fail("the tiny machine does not load", err.code, &err);
        bytes b = {data, size, 1};
        tp_dtype dt = (data[0] / 3) % 2 ? TP_BF16 : TP_INT8;
        gen(&b, dt, cfg->tpu.array.dataflow == TP_DF_OS, &p);
        if (!p.oom && isa_validate(&p, &cfg->tpu, &err) == TP_OK)
            differ(cfg, &p, size);
        isa_free(&p);
    }
    free(text);
    free(cfg);
    return 0;
}
