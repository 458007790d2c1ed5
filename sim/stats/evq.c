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
    if (q->n == q->cap) {
        uint32_t nc = q->cap ? q->cap * 2 : EVQ_INITIAL_CAP;
        evq_event *h = nc > q->cap ? realloc(q->heap, (size_t)nc * sizeof *h) : NULL;
        if (!h)
            return tp_err_set(err, TP_ERR_NOMEM, "out of memory in the event queue");
        q->heap = h;
        q->cap = nc;
    }
    evq_event e = {t, prio, unit};
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
        if (q->has_last && e.t == q->last.t && e.prio == q->last.prio && e.unit == q->last.unit)
            continue;   /* a duplicate wake-up */
        q->last = e;
        q->has_last = true;
        *out = e;
        return true;
    }
    return false;
}
