#include "harness.h"
#include "support.h"
#include <stdlib.h>
#include <string.h>
#include "tpu/asm.h"
#include "tpu/machine.h"

void ts_run_timing(const char *cfg_path, const char *const *sets, int n_sets, const char *text,
                   uint32_t n, uint64_t *start, uint64_t *end, tp_stats *st)
{
    tp_config cfg;
    tp_err err = {0};
    char path[512];
    if (cfg_load(cfg_path ? th_path(path, sizeof path, cfg_path) : NULL, sets, n_sets, &cfg, &err))
        fail_msg("%s", err.msg);
    isa_program p;
    if (asm_parse("test.tpu", text, &cfg.tpu, &p, &err))
        fail_msg("%s", err.msg);
    machine *m;
    assert_int_equal(machine_new(&cfg, MACHINE_FAST, &m, &err), TP_OK);
    assert_int_equal(machine_load(m, &p, &err), TP_OK);
    machine_set_timing_only(m, true);
    if (machine_run(m, &err))
        fail_msg("%s", err.msg);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(machine_instr_times(m, i, &start[i], &end[i], &err), TP_OK);
    if (st)
        assert_int_equal(stats_copy(st, machine_stats(m), &err), TP_OK);
    machine_free(m);
    isa_free(&p);
}

void ts_load_cfg(tp_config *cfg, const char *const *sets, int n)
{
    tp_err err = {0};
    if (cfg_load(NULL, sets, n, cfg, &err))
        fail_msg("%s", err.msg);
}

/* Runs p with tensors A and B bound (if given); returns stats and C. */
void ts_run(const tp_config *cfg, const isa_program *p, machine_engine eng, bool timing_only, void *a, void *b,
            ts_outcome *o)
{
    tp_err err = {0};
    machine *m;
    if (machine_new(cfg, eng, &m, &err) || machine_load(m, p, &err))
        fail_msg("%s", err.msg);
    machine_set_timing_only(m, timing_only);
    machine_set_threads(m, 1);
    int ia = isa_find_tensor(p, "A"), ib = isa_find_tensor(p, "B"), ic = isa_find_tensor(p, "C");
    if (!timing_only) {
        const isa_tensor *ta = &p->tensors[ia], *tb = &p->tensors[ib];
        assert_int_equal(machine_bind(m, "A", a, ta->rows, ta->cols, ta->dtype, &err), TP_OK);
        assert_int_equal(machine_bind(m, "B", b, tb->rows, tb->cols, tb->dtype, &err), TP_OK);
    }
    if (machine_run(m, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(stats_copy(&o->st, machine_stats(m), &err), TP_OK);
    const isa_tensor *tc = &p->tensors[ic];
    o->c_bytes = (size_t)tc->rows * tc->cols * npy_dtype_size(tc->dtype);
    o->c = NULL;
    if (!timing_only) {
        o->c = malloc(o->c_bytes);
        memcpy(o->c, machine_tensor_data(m, "C"), o->c_bytes);
    }
    machine_free(m);
}

void ts_outcome_free(ts_outcome *o)
{
    stats_free(&o->st);
    free(o->c);
}

/* Same cycles, same per-unit causes, same bytes. Between a fast and a per-PE run this is a real
 * comparison of the engines: with --engine pe the MXUs' causes, the matmuls' times and so the
 * run's cycles come from the per-PE engine's own cycle-by-cycle timing (mm.c, mm_finish_pe),
 * not from the closed form the scheduler uses; (the machine also compares every op itself and
 * stops with an internal error on a difference, so a failure here means that check missed it). */
void ts_assert_same_timing(const tp_stats *x, const tp_stats *y)
{
    assert_int_equal(x->cycles, y->cycles);
    assert_int_equal(x->macs, y->macs);
    assert_int_equal(x->n_units, y->n_units);
    for (uint32_t i = 0; i < x->n_units; i++) {
        assert_string_equal(x->units[i].name, y->units[i].name);
        assert_int_equal(x->units[i].kind, y->units[i].kind);
        for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
            assert_int_equal(x->units[i].cycles[c], y->units[i].cycles[c]);
    }
    for (uint32_t i = 0; i < x->n_levels; i++) {
        assert_int_equal(x->levels[i].read_bytes, y->levels[i].read_bytes);
        assert_int_equal(x->levels[i].write_bytes, y->levels[i].write_bytes);
        assert_int_equal(x->levels[i].bus_bytes, y->levels[i].bus_bytes);
        assert_int_equal(x->levels[i].in_flight_cycles, y->levels[i].in_flight_cycles);
    }
}

/* A tiled GEMM program over all MXUs and cores: per output tile, load the A row block (double-
 * buffered halves), push K-tiles of B and multiply (repeat up to the FIFO depth), activate raw
 * into alternating output halves and store. */
void ts_gen_gemm(const tp_tpu_cfg *t, rng_state *r, ts_gemm_case *gc, isa_program *p)
{
    uint32_t R = t->array.rows, Cc = t->array.cols, depth = t->wbuf.depth_tiles;
    unsigned e = dtype_in_bytes(gc->dt);
    isa_init(p, "random", gc->dt);
    int A = gc->ta ? isa_add_tensor(p, "A", npy_dtype_of_input(gc->dt), gc->K, gc->M)
                   : isa_add_tensor(p, "A", npy_dtype_of_input(gc->dt), gc->M, gc->K);
    int B = gc->tb ? isa_add_tensor(p, "B", npy_dtype_of_input(gc->dt), gc->N, gc->K)
                   : isa_add_tensor(p, "B", npy_dtype_of_input(gc->dt), gc->K, gc->N);
    int C = isa_add_tensor(p, "C", gc->dt == TP_INT8 ? NPY_INT32 : NPY_F32, gc->M, gc->N);
    tp_dataflow df = t->array.dataflow;
    uint32_t tm_max = df == TP_DF_WS ? 1 + (uint32_t)rng_below(r, 24) : df == TP_DF_OS ? R : Cc;
    uint32_t tm = 1 + (uint32_t)rng_below(r, tm_max), tn = 1 + (uint32_t)rng_below(r, Cc);
    /* os: one tile may hold up to depth*R rows of K (it streams); ws/is: K-tiles of R */
    gc->kt = df == TP_DF_OS ? R * (1 + (uint32_t)rng_below(r, depth)) : R;
    uint64_t half = t->ub.size_bytes / 4;   /* A halves at 0, half; outputs at 2*half, 3*half */
    uint32_t tile = 0;
    for (uint32_t mi = 0; mi < gc->M; mi += tm) {
        uint32_t mm = gc->M - mi < tm ? gc->M - mi : tm;
        for (uint32_t ni = 0; ni < gc->N; ni += tn, tile++) {
            uint32_t nn = gc->N - ni < tn ? gc->N - ni : tn;
            unsigned core = tile % t->cores, mxu = (tile / t->cores) % t->mxus_per_core;
            uint64_t abuf = (tile / t->cores) % 2 ? half : 0;
            uint64_t obuf = 2 * half + ((tile / t->cores) % 2 ? half : 0);
            uint64_t acc = (uint64_t)mxu * t->acc.entries + ((tile / t->cores) % 2 ? 32 : 0);
            if (gc->ta)
                isa_load(p, core, abuf, 0, A, 0, mi, gc->K, mm, true);
            else
                isa_load(p, core, abuf, 0, A, mi, 0, mm, gc->K, false);
            uint32_t k0 = 0;
            while (k0 < gc->K) {
                uint32_t slots_per = isa_tile_slots(t, gc->kt < gc->K - k0 ? gc->kt : gc->K - k0);
                uint32_t rep = 1 + (uint32_t)rng_below(r, depth / slots_per);
                uint32_t kk = gc->kt, j = 0;
                /* all tiles of one matmul must have the same k: only full tiles repeat */
                for (; j < rep && k0 + (j + 1) * kk <= gc->K; j++)
                    if (gc->tb)
                        isa_loadw(p, core, mxu, B, ni, k0 + j * kk, nn, kk, true);
                    else
                        isa_loadw(p, core, mxu, B, k0 + j * kk, ni, kk, nn, false);
                if (j == 0) {   /* the last, partial K-tile */
                    kk = gc->K - k0;
                    if (gc->tb)
                        isa_loadw(p, core, mxu, B, ni, k0, nn, kk, true);
                    else
                        isa_loadw(p, core, mxu, B, k0, ni, kk, nn, false);
                    j = 1;
                }
                isa_matmul(p, core, mxu, acc, abuf + (uint64_t)k0 * e, (uint64_t)gc->K * e, mm, k0 > 0, j);
                k0 += j * kk;
            }
            isa_activate(p, core, obuf, 0, acc, mm, nn, ISA_ACT_NONE, gc->dt == TP_INT8 ? NPY_INT32 : NPY_F32, 1.0f,
                         false, 0);
            isa_store(p, core, C, mi, ni, mm, nn, obuf, 0);
        }
    }
}

void ts_soup(const ts_soup_shape *sh, rng_state *r, tp_dtype dt, isa_program *p)
{
    const uint32_t T = 8, d = sh->dim;   /* tensors are T x T; blocks up to d x d */
    isa_init(p, "soup", dt);
    int A = isa_add_tensor(p, "A", npy_dtype_of_input(dt), T, T);
    int B = isa_add_tensor(p, "B", npy_dtype_of_input(dt), T, T);
    int C = isa_add_tensor(p, "C", dt ? NPY_F32 : NPY_INT32, T, T);
    uint32_t loaded[8] = {0};   /* tiles pushed and not yet used, per MXU */
    int n = 4 + (int)rng_below(r, 20);
    for (int i = 0; i < n; i++) {
        unsigned mxu = (unsigned)rng_below(r, sh->mxus);
        uint32_t rows = 1 + (uint32_t)rng_below(r, d), cols = 1 + (uint32_t)rng_below(r, d);
        uint64_t ub = (uint64_t)rng_below(r, sh->ub_slots) * sh->ub_slot_bytes;
        switch (rng_below(r, 6)) {
        case 0:
            isa_load(p, 0, ub, 0, A, (uint32_t)rng_below(r, T - d + 1), (uint32_t)rng_below(r, T - d + 1), rows, cols,
                     rng_below(r, 2));
            break;
        case 1: {
            /* sometimes broadcast to the next MXUs too (loadw ... mxus=N) */
            unsigned cnt = 1 + (unsigned)rng_below(r, sh->mxus - mxu);
            bool room = true;
            for (unsigned u = 0; u < cnt; u++)
                room &= loaded[mxu + u] < sh->tiles;
            if (room) {
                isa_loadw_n(p, 0, mxu, cnt, B, (uint32_t)rng_below(r, T - d + 1), (uint32_t)rng_below(r, T - d + 1),
                            rows, cols, false);
                for (unsigned u = 0; u < cnt; u++)
                    loaded[mxu + u]++;
            }
            break;
        }
        case 2:
            if (loaded[mxu]) {
                uint32_t rep = 1 + (uint32_t)rng_below(r, loaded[mxu]);
                uint64_t acc = mxu * sh->acc_entries + rng_below(r, sh->acc_entries - d);
                uint32_t m = 1 + (uint32_t)rng_below(r, d);
                /* os: sometimes hold, and continue with a matmul of the same rows (the validator
                 * refuses a continuation whose tile shape differs: such programs are skipped) */
                if (sh->os && loaded[mxu] > rep && rng_below(r, 3) == 0) {
                    isa_matmul_h(p, 0, mxu, acc, ub, 0, m, rng_below(r, 2), rep, true);
                    loaded[mxu] -= rep;
                    rep = 1 + (uint32_t)rng_below(r, loaded[mxu]);
                }
                isa_matmul(p, 0, mxu, acc, ub, 0, m, rng_below(r, 2), rep);
                loaded[mxu] -= rep;
            }
            break;
        case 3: {
            int x = isa_activate(p, 0, ub, 0, rng_below(r, sh->mxus * sh->acc_entries - d), rows, cols,
                                 (isa_act)rng_below(r, 3), dt ? NPY_F32 : NPY_INT32, 1.0f, rng_below(r, 3) == 0,
                                 (uint64_t)rng_below(r, sh->ub_slots) * sh->ub_slot_bytes);
            if (x >= 0 && p->ins[x].has_bias && rng_below(r, 2))   /* a bias row per row */
                p->ins[x].bias_stride = (uint64_t)cols * 4 + 4 * rng_below(r, 3);
            break;
        }
        case 4:
            isa_store_t(p, 0, C, (uint32_t)rng_below(r, T - d + 1), (uint32_t)rng_below(r, T - d + 1), rows, cols, ub, 0,
                        rng_below(r, 2));
            break;
        default:
            isa_fence(p, 0);
            break;
        }
    }
}
