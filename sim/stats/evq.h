/* The event queue both machines use: "unit U wants to be evaluated at cycle T". Events come out
 * in time order; events of the same cycle come out by a fixed priority (lower first: the
 * machine gives each unit kind its priority), then by unit number, so a run is deterministic
 * whatever the order in which events were pushed. A binary heap: push and pop are
 * O(log events). Duplicates (same t, priority and unit) are returned once.
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

typedef struct {
    evq_event *heap;
    uint32_t n, cap;
    evq_event last;     /* the last event popped (to drop duplicates) */
    bool has_last;
} evq;

void evq_init(evq *q);
void evq_free(evq *q);
/* TP_ERR_NOMEM (q unchanged) when the heap cannot grow. */
tp_status evq_push(evq *q, uint64_t t, uint32_t prio, uint32_t unit, tp_err *err);
/* The next event not equal to the previous one popped; false when the queue is empty. */
bool evq_pop(evq *q, evq_event *out);
static inline uint32_t evq_len(const evq *q) { return q->n; }
#endif
