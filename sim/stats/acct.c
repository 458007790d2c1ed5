/* Per-unit cycle accounting (see acct.h). */
#include "stats/acct.h"
#include <assert.h>
#include <string.h>

void acct_init(acct *a, uint32_t idle_cause)
{
    memset(a, 0, sizeof *a);
    a->reason = a->idle = idle_cause;
}

void acct_flush(acct *a, uint64_t t)
{
    if (t > a->cursor) {
        assert(a->reason < STATS_MAX_CAUSES);
        a->cyc[a->reason] += t - a->cursor;
        a->cursor = t;
    }
}

void acct_note(acct *a, uint64_t now, uint32_t why)
{
    if (why != a->reason) {
        acct_flush(a, now);
        a->reason = why;
    }
}

void acct_span(acct *a, uint64_t s, uint64_t e, uint32_t cause)
{
    acct_flush(a, s);
    if (e > a->cursor) {
        a->cyc[cause] += e - (s > a->cursor ? s : a->cursor);
        a->cursor = e;
    }
    a->reason = a->idle;
}

void acct_close(acct *a, uint64_t total)
{
    acct_flush(a, total);
}
