/* The loop nest of a tiler plan, shared by plan.c (footprints, estimate) and gen.c (the
 * program): tile counts per loop, which loop is split over the cores, and how many output
 * tiles are live in the accumulators at once. Private to sim/tiler/. See gen.c's notes 1-2.
 */
#ifndef TP_TILER_LOOPS_H
#define TP_TILER_LOOPS_H
#include <stdint.h>
#include "base/util.h"
#include "tiler/tiler.h"

/* Tile counts of each loop for one batch. */
typedef struct {
    uint32_t nt[3];        /* tiles along m, n, k */
    uint32_t tile[3];      /* tm, tn, tk */
    uint32_t ext[3];       /* M, N, K */
} dims;

static inline int dim_index(char c) { return c == 'm' ? 0 : c == 'n' ? 1 : 2; }

static inline dims make_dims(const gemm_problem *pb, const tiler_plan *pl)
{
    dims d;
    d.ext[0] = pb->m;
    d.ext[1] = pb->n;
    d.ext[2] = pb->k;
    d.tile[0] = pl->tm;
    d.tile[1] = pl->tn;
    d.tile[2] = pl->tk;
    for (int i = 0; i < 3; i++)
        d.nt[i] = (uint32_t)util_ceil_div(d.ext[i], d.tile[i]);
    return d;
}

/* The split loop (first of m, n in the order) and the inner two loops in order. */
static inline void nest_of(const char order[4], int *split, int inner[2])
{
    int s = -1, j = 0;
    for (int i = 0; i < 3; i++) {
        int d = dim_index(order[i]);
        if (s < 0 && d != 2)
            s = d;
        else
            inner[j++] = d;
    }
    *split = s;
}

/* Output tiles live in the accumulators at once per core: the tiles of every loop inside k. */
static inline uint32_t live_tiles(const tiler_plan *pl, const dims *d)
{
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    if (inner[0] == 2)           /* k, x: the x loop is inside k */
        return d->nt[inner[1]];
    return 1;                    /* x, k: k innermost */
}
/* A tiles the program loads (gen.c's emit_a), all cores and batches: a step reloads A when
 * its (batch, m tile, k tile) differs from the step before it on the same core; an A panel is
 * loaded once per (batch, m tile), a k tile at a time. Cores each start with a load. */
static inline uint64_t a_loads_of(const tiler_plan *pl, const dims *d, uint32_t batch, uint32_t cores)
{
    int split, inner[2];
    nest_of(pl->order, &split, inner);
    uint64_t units = (uint64_t)d->nt[split] * batch;
    if (pl->a_panel)
        return units * d->nt[2];
    uint64_t n0 = d->nt[inner[0]], n1 = d->nt[inner[1]];
    bool key0 = inner[0] != 1 && n0 > 1, key1 = inner[1] != 1 && n1 > 1;   /* m, k change A */
    uint64_t per_unit = key1 ? n0 * n1 : key0 ? n0 : 1;
    if (split == 1 && d->nt[0] == 1 && d->nt[2] == 1) {
        /* A is one tile per batch: loaded again only for a new batch, or on each core's start */
        uint64_t cores_used = units < cores ? units : cores;
        return (batch > cores_used ? batch : cores_used);
    }
    return units * per_unit;
}
#endif
