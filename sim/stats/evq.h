/* The event queue both machines use: "unit U wants to be evaluated at cycle T". Events come out
 * in time order; events of the same cycle come out by a fixed priority (lower first: the
 * machine gives each unit kind its priority), then by unit number, so a run is deterministic
 * whatever the order in which events were pushed. A binary heap: push and pop are
 * O(log events). Duplicates (same t, priority and unit) are returned once.
 * evq_future_only(q) promises that every push comes after the last event popped (in the order
 * above, or equal to it), as a machine that only wakes units later than the present does; the
 * queue then also drops a push equal to an event still in the heap that a small table of recent
 * pushes remembers (most duplicate wake-ups are: several things change at one time), which
 * changes nothing that comes out: equal events are adjacent in the order, and with the promise
 * nothing can come between them.
 *
 * Use:  evq q; evq_init(&q);  evq_push(&q, t, prio, unit);  while (evq_pop(&q, &e)) ...;
 *       evq_free(&q);
 */
#ifndef TP_STATS_EVQ_H
#define TP_STATS_EVQ_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"

typedef struct {
    uint64_t t;         /* cycle */
    uint32_t prio;      /* tie-break between units of one cycle: lower first */
    uint32_t unit;      /* the machine's unit number */
} evq_event;

#define EVQ_RECENT 64   /* entries of the table of recent pushes (a power of two) */

typedef struct {
    evq_event *heap;
    uint32_t n, cap;
    evq_event last;     /* the last event popped (to drop duplicates) */
    bool has_last;
    /* recent[h] (valid: bit h of recent_valid): an event pushed and, since, not popped, so one
     * equal to it is in the heap; h a hash of the event */
    evq_event recent[EVQ_RECENT];
    uint64_t recent_valid;
    bool future_only;   /* evq_future_only: the table is used */
} evq;

void evq_init(evq *q);
void evq_free(evq *q);
void evq_future_only(evq *q);   /* after evq_init (asserted on every push under TP_DEBUG) */
/* TP_ERR_NOMEM (q unchanged) when the heap cannot grow. */
tp_status evq_push(evq *q, uint64_t t, uint32_t prio, uint32_t unit, tp_err *err);
/* The next event not equal to the previous one popped; false when the queue is empty. */
bool evq_pop(evq *q, evq_event *out);
static inline uint32_t evq_len(const evq *q) { return q->n; }
/* Moves every pending event and the last popped one dt cycles later (the fast-forward's jump):
 * the heap's order is kept. */
void evq_shift(evq *q, uint64_t dt);
#endif
