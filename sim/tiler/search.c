/* The tiling search, the only part of the tiler that runs the machine: candidates that fit
 * (tiler_plan_try) are ranked by the analytic estimate, the best few are generated (gen.c)
 * and simulated timing-only on a slice of the problem, and the fewest simulated cycles win.
 * When nothing fits, the message names what ruled the tiles out, chosen by refusal code
 * (tiler.h): the user's own tile, or their other choices, or the program length.
 */
#include "tiler/tiler.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tiler/loops.h"
#include "tpu/machine.h"

#define SEARCH_SIMULATE 3   /* distinct programs simulated */
#define SEARCH_SCAN 12      /* best-estimated candidates looked at */

static int cmp_est(const void *x, const void *y)
{
    const tiler_candidate *a = x, *b = y;
    if (a->plan.est_cycles != b->plan.est_cycles)
        return a->plan.est_cycles < b->plan.est_cycles ? -1 : 1;
    /* fewer instructions first: bigger tiles */
    uint64_t va = (uint64_t)a->plan.tm * a->plan.tn * a->plan.tk, vb = (uint64_t)b->plan.tm * b->plan.tn * b->plan.tk;
    if (va != vb)
        return va > vb ? -1 : 1;
    return strcmp(a->plan.order, b->plan.order);
}

/* Candidate sizes for one dimension: multiples `q` * 2^i up to ext, and ext itself. */
static uint32_t sizes(uint32_t ext, uint32_t q, uint32_t fixed, uint32_t *out, uint32_t cap)
{
    uint32_t n = 0;
    if (fixed) {
        out[n++] = (uint32_t)util_min(fixed, ext);
        return n;
    }
    for (uint64_t v = q; v < ext && n + 1 < cap; v *= 2)
        out[n++] = (uint32_t)v;
    out[n++] = ext;
    return n;
}

tp_status tiler_search(const tp_config *cfg, const gemm_problem *pb, const tiler_opts *opts,
                       tiler_plan *best, tiler_candidate **cands, size_t *n_cands, uint64_t *search_rows,
                       tp_err *err)
{
    const tp_tpu_cfg *t = &cfg->tpu;
    const uint32_t R = t->array.rows;
    uint32_t ms[40], ns[40], ks[40];
    /* powers of two from 1 (tiny buffers need tiny tiles), the whole extent, and K in
     * multiples of the array's rows */
    uint32_t nm = sizes(pb->m, 1, opts->tm, ms, 40);
    uint32_t nn = sizes(pb->n, 1, opts->tn, ns, 40);
    uint32_t nk = sizes(pb->k, R, opts->tk, ks, 40);
    const char *orders_auto[] = {"mnk", "nmk"};
    const char *orders_one[1] = {opts->order};
    const char **orders = opts->order[0] ? orders_one : orders_auto;
    uint32_t n_orders = opts->order[0] ? 1 : 2;
    int dbs[2], n_db = 0;
    if (opts->double_buffer >= 0)
        dbs[n_db++] = opts->double_buffer;
    else {
        dbs[n_db++] = 1;
        dbs[n_db++] = 0;
    }
    size_t cap = (size_t)nm * nn * nk * n_orders * (size_t)n_db, n = 0;
    tiler_candidate *c = calloc(cap ? cap : 1, sizeof *c);
    if (!c)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory in the tiling search");
    tp_err first = {0};
    tiler_refusal first_why = TILER_FITS;
    bool have_first = false;
    uint64_t first_vol = 0;
    bool too_long = false;
    for (uint32_t o = 0; o < n_orders; o++)
        for (int di = 0; di < n_db; di++)
            for (uint32_t a = 0; a < nm; a++)
                for (uint32_t b = 0; b < nn; b++)
                    for (uint32_t kx = 0; kx < nk; kx++) {
                        tiler_plan pl;
                        memset(&pl, 0, sizeof pl);
                        pl.tm = ms[a];
                        pl.tn = ns[b];
                        pl.tk = ks[kx];
                        snprintf(pl.order, sizeof pl.order, "%s", orders[o]);
                        pl.double_buffer = dbs[di] != 0;
                        pl.epilogue = opts->epilogue;
                        pl.requant_scale = opts->requant_scale;
                        pl.split_k = opts->split_k;
                        tp_err e = {0};
                        tiler_refusal why;
                        uint64_t vol = (uint64_t)pl.tm * pl.tn * pl.tk;
                        if (tiler_plan_try(t, pb, &pl, &why, &e) != TP_OK) {
                            too_long |= why == TILER_REFUSE_TOO_LONG;
                            /* keep the reason of the largest tiling tried */
                            if (!have_first || vol > first_vol) {
                                first = e;
                                first_why = why;
                                first_vol = vol;
                                have_first = true;
                            }
                            continue;
                        }
                        /* auto double-buffering: keep "off" only when "on" does not fit */
                        c[n].plan = pl;
                        c[n].cycles = 0;
                        c[n].simulated = false;
                        c[n].same_program = false;
                        n++;
                    }
    if (n == 0) {
        free(c);
        if (have_first && (opts->tm || !tiler_refusal_of_tile(first_why)))
            *err = first;   /* the user's own tile, or a choice that fits no tile at all */
        else if (have_first && (opts->order[0] || opts->double_buffer >= 0 || opts->split_k > 1)) {
            /* the user's other choices rule every tile out: name them, not a tile they never gave */
            char given[80] = "";
            size_t gl = 0;
            if (opts->order[0])
                gl += (size_t)snprintf(given + gl, sizeof given - gl, " --order %s", opts->order);
            if (opts->double_buffer >= 0)
                gl += (size_t)snprintf(given + gl, sizeof given - gl, " --double-buffer %s",
                                       opts->double_buffer ? "on" : "off");
            if (opts->split_k > 1)
                snprintf(given + gl, sizeof given - gl, " --split-k %u", opts->split_k);
            tp_err_set(err, TP_ERR_USAGE, "gemm %ux%ux%u: no tiling fits machine '%s' with%s; the largest tried: %s",
                       pb->m, pb->n, pb->k, t->name, given, first.msg);
        } else if (too_long)
            tp_err_set(err, TP_ERR_USAGE, "gemm %ux%ux%u: every tiling that fits machine '%s' needs more than %u "
                       "instructions (too large to simulate)", pb->m, pb->n, pb->k, t->name, TILER_MAX_INSTRUCTIONS);
        else
            tp_err_set(err, TP_ERR_USAGE, "gemm %ux%ux%u: no tiling fits machine '%s'; the largest tried: %s",
                       pb->m, pb->n, pb->k, t->name, have_first ? first.msg : "none");
        return TP_ERR_USAGE;
    }
    if (opts->double_buffer < 0) {
        /* drop single-buffered candidates whose double-buffered twin fits */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
            bool twin = false;
            if (!c[i].plan.double_buffer)
                for (size_t j = 0; j < n && !twin; j++)
                    twin = c[j].plan.double_buffer && c[j].plan.tm == c[i].plan.tm && c[j].plan.tn == c[i].plan.tn &&
                           c[j].plan.tk == c[i].plan.tk && !strcmp(c[j].plan.order, c[i].plan.order);
            if (!twin)
                c[w++] = c[i];
        }
        n = w;
    }
    qsort(c, n, sizeof *c, cmp_est);
    /* Simulate the best few on a slice of the problem: the same N and K, but only the rows
     * (batches) of one m-tile of the largest tm among them per core, so the search costs a
     * fraction of the final run; all of them run on the same slice, so their cycles compare.
     * Candidates whose programs on the slice are identical (mnk and nmk when one loop has a
     * single tile) are simulated once. */
    size_t scan = n < SEARCH_SCAN ? n : SEARCH_SCAN;
    size_t bi = 0;
    gemm_problem slice = *pb;
    uint32_t max_tm = 0;
    for (size_t i = 0; i < scan; i++)
        max_tm = c[i].plan.tm > max_tm ? c[i].plan.tm : max_tm;
    uint64_t rows = (uint64_t)max_tm * t->cores;
    if (pb->batch > 1)
        slice.batch = (uint32_t)util_min(pb->batch, util_ceil_div(rows, pb->m));
    else
        slice.m = (uint32_t)util_min(pb->m, rows);
    if (search_rows)
        *search_rows = (uint64_t)slice.m * slice.batch;
    if (n > 1) {
        machine *mc = NULL;
        isa_program progs[SEARCH_SIMULATE];
        size_t prog_of[SEARCH_SIMULATE], np = 0;
        tp_status st = machine_new(cfg, MACHINE_FAST, &mc, err);
        bool have = false;
        for (size_t i = 0; i < scan && np < SEARCH_SIMULATE && st == TP_OK; i++) {
            tiler_plan sp = c[i].plan;
            isa_program q;
            st = tiler_plan_derive(t, &slice, &sp, err);
            if (st != TP_OK)
                break;
            st = tiler_generate(t, &slice, &sp, &q, err);
            size_t same = np;
            for (size_t j = 0; st == TP_OK && j < np && same == np; j++)
                if (progs[j].n_ins == q.n_ins && !memcmp(progs[j].ins, q.ins, (size_t)q.n_ins * sizeof *q.ins))
                    same = j;
            if (st == TP_OK && same < np) {
                c[i].cycles = c[prog_of[same]].cycles;
                c[i].simulated = true;
                c[i].same_program = true;
                isa_free(&q);
                continue;
            }
            if (st == TP_OK)
                st = machine_load(mc, &q, err);
            if (st == TP_OK) {
                machine_set_timing_only(mc, true);
                st = machine_run(mc, err);
            }
            if (st == TP_OK) {
                c[i].cycles = machine_stats(mc)->cycles;
                c[i].simulated = true;
                if (!have || c[i].cycles < c[bi].cycles)
                    bi = i;
                have = true;
                progs[np] = q;
                prog_of[np++] = i;
            } else {
                isa_free(&q);
            }
        }
        for (size_t j = 0; j < np; j++)
            isa_free(&progs[j]);
        machine_free(mc);
        if (st != TP_OK) {
            free(c);
            return st;
        }
    }
    *best = c[bi].plan;
    if (cands) {
        *cands = c;
        *n_cands = n;
    } else {
        free(c);
    }
    return TP_OK;
}

size_t tiler_candidates_to_show(const tiler_candidate *c, size_t n, size_t best)
{
    size_t show = best;
    for (size_t i = 0; i < n; i++)
        if (c[i].simulated && i + 1 > show)
            show = i + 1;
    return show < n ? show : n;
}
