/* Per-unit cycle accounting (see acct.h). */
#include "stats/acct.h"
#include <assert.h>
#include <string.h>

void acct_init(acct *a, uint32_t idle_cause)
{
    memset(a, 0, sizeof *a);
    a->reason = a->idle = idle_cause;
}

static void tl_emit(acct *a)
{
    if (a->tl_open)
        tl_slice(a->tl, a->tl_track, a->tl_s, a->tl_e, stats_cause_name(a->tl_kind, a->tl_cause));
    a->tl_open = false;
}

/* The trace's record of charging [s, e) to cause. */
static void tl_charge(acct *a, uint64_t s, uint64_t e, uint32_t cause)
{
    if (a->tl_open && a->tl_cause == cause && a->tl_e == s) {
        a->tl_e = e;
        return;
    }
    tl_emit(a);
    a->tl_open = true;
    a->tl_cause = cause;
    a->tl_s = s;
    a->tl_e = e;
}

void acct_trace(acct *a, timeline *tl, uint32_t track, stats_kind kind)
{
    a->tl = track == TL_NONE ? NULL : tl;
    a->tl_track = track;
    a->tl_kind = kind;
    a->tl_open = false;
}

void acct_flush(acct *a, uint64_t t)
{
    if (t > a->cursor) {
        assert(a->reason < STATS_MAX_CAUSES);
        if (a->tl)
            tl_charge(a, a->cursor, t, a->reason);
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
        if (a->tl)
            tl_charge(a, s > a->cursor ? s : a->cursor, e, cause);
        a->cyc[cause] += e - (s > a->cursor ? s : a->cursor);
        a->cursor = e;
    }
    a->reason = a->idle;
}

void acct_close(acct *a, uint64_t total)
{
    acct_flush(a, total);
    if (a->tl)
        tl_emit(a);
}
