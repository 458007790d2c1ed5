/* The event queue (see evq.h): a binary min-heap on (t, prio, unit). */
#include "stats/evq.h"
#include <assert.h>
#include <stdlib.h>

#ifndef EVQ_INITIAL_CAP
#define EVQ_INITIAL_CAP 64   /* events the heap holds at first; it doubles (the stress build: 1) */
#endif

static bool before(const evq_event *a, const evq_event *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->prio != b->prio)
        return a->prio < b->prio;
    return a->unit < b->unit;
}

void evq_init(evq *q)
{
    q->heap = NULL;
    q->n = q->cap = 0;
    q->has_last = false;
    q->recent_valid = 0;
    q->future_only = false;
}

void evq_future_only(evq *q)
{
    q->future_only = true;
}

static inline bool same(const evq_event *a, const evq_event *b)
{
    return a->t == b->t && a->prio == b->prio && a->unit == b->unit;
}

static inline uint32_t recent_slot(const evq_event *e)
{
    uint64_t h = (e->t ^ (uint64_t)e->unit << 40 ^ (uint64_t)e->prio << 52) * 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> 58) & (EVQ_RECENT - 1);
}

void evq_shift(evq *q, uint64_t dt)
{
    for (uint32_t j = 0; j < q->n; j++)
        q->heap[j].t += dt;
    q->last.t += dt;
    q->recent_valid = 0;   /* its entries name the old times */
}

void evq_free(evq *q)
{
    free(q->heap);
    evq_init(q);
}

#ifdef TP_DEBUG
/* The heap order: no event comes before its parent. O(events). */
static void assert_heap(const evq *q)
{
    assert(q->n <= q->cap);
    for (uint32_t i = 1; i < q->n; i++)
        assert(!before(&q->heap[i], &q->heap[(i - 1) / 2]));
}
#else
#define assert_heap(q) ((void)0)
#endif

tp_status evq_push(evq *q, uint64_t t, uint32_t prio, uint32_t unit, tp_err *err)
{
    evq_event e = {t, prio, unit};
    uint32_t slot = recent_slot(&e);
    assert(!q->future_only || !q->has_last || !before(&e, &q->last));   /* evq_future_only's promise */
    if (q->future_only && q->recent_valid >> slot & 1 && same(&q->recent[slot], &e))
        return TP_OK;   /* an equal event is in the heap: this one would pop as its duplicate */
    if (q->n == q->cap) {
        uint32_t nc = q->cap ? q->cap * 2 : EVQ_INITIAL_CAP;
        evq_event *h = nc > q->cap ? realloc(q->heap, (size_t)nc * sizeof *h) : NULL;
        if (!h)
            return tp_err_set(err, TP_ERR_NOMEM, "out of memory in the event queue");
        q->heap = h;
        q->cap = nc;
    }
    if (q->future_only) {
        q->recent[slot] = e;
        q->recent_valid |= 1ull << slot;
    }
    uint32_t i = q->n++;
    while (i) {
        uint32_t p = (i - 1) / 2;
        if (!before(&e, &q->heap[p]))
            break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = e;
    assert_heap(q);
    return TP_OK;
}

static evq_event pop_top(evq *q)
{
    assert(q->n > 0);
    evq_event top = q->heap[0], last = q->heap[--q->n];
    uint32_t i = 0, n = q->n;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, s = i;
        const evq_event *best = &last;
        if (l < n && before(&q->heap[l], best)) {
            s = l;
            best = &q->heap[l];
        }
        if (r < n && before(&q->heap[r], best))
            s = r;
        if (s == i)
            break;
        q->heap[i] = q->heap[s];
        i = s;
    }
    if (n)
        q->heap[i] = last;
    assert_heap(q);
    return top;
}

bool evq_pop(evq *q, evq_event *out)
{
    while (q->n) {
        evq_event e = pop_top(q);
        uint32_t slot = recent_slot(&e);
        if (q->recent_valid >> slot & 1 && same(&q->recent[slot], &e))
            q->recent_valid &= ~(1ull << slot);   /* not pending (its other copies, if any, pop next) */
        if (q->has_last && same(&e, &q->last))
            continue;   /* a duplicate wake-up */
        q->last = e;
        q->has_last = true;
        *out = e;
        return true;
    }
    return false;
}
