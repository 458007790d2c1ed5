/* The tiler's notes: what a chosen plan does that the user did not ask for, and what they asked
 * for that does not help, so that nothing changes silently (tiler.h, docs/tiler.md "Notes").
 *
 * A note never changes the plan; it only says what the plan is and why. Refusals stay in
 * tiler_plan_try: a note is for what the user left to the tiler (double buffering), asked for
 * in a form the tiler reads generously (a tile side past its dimension) or asked for and got
 * although it does not pay (a split-K on MXUs that N already fills).
 */
#include "tiler/tiler.h"
#include <stdio.h>
#include <string.h>
#include "base/util.h"

static const char *const note_names[TILER_NOTE__COUNT] = {
    [TILER_NOTE_TILE_CLAMPED] = "tile_clamped",
    [TILER_NOTE_DOUBLE_BUFFER_OFF] = "double_buffer_off",
    [TILER_NOTE_SPLIT_K_NO_MXUS] = "split_k_adds_no_mxus",
};

const char *tiler_note_name(tiler_note_kind k)
{
    return (unsigned)k < TILER_NOTE__COUNT ? note_names[k] : "unknown";
}

/* The tiles as the user gave them, longer than the problem in some dimension. */
static bool note_clamped(const gemm_problem *pb, const tiler_opts *o, const tiler_plan *pl, tiler_note *n)
{
    if (!o->tm || (o->tm <= pb->m && o->tn <= pb->n && o->tk <= pb->k))
        return false;
    char dims[96] = "";
    size_t len = 0;
    const uint32_t asked[3] = {o->tm, o->tn, o->tk}, ext[3] = {pb->m, pb->n, pb->k};
    static const char names[3] = {'M', 'N', 'K'};
    for (int i = 0; i < 3; i++)
        if (asked[i] > ext[i])
            len += (size_t)snprintf(dims + len, sizeof dims - len, "%s%c = %u", len ? ", " : "", names[i], ext[i]);
    n->kind = TILER_NOTE_TILE_CLAMPED;
    snprintf(n->msg, sizeof n->msg, "--tile %ux%ux%u runs as %ux%ux%u: a tile side is at most its dimension (%s)",
             o->tm, o->tn, o->tk, pl->tm, pl->tn, pl->tk, dims);
    return true;
}

/* Double buffering left to the tiler and off: why on was not taken (the refusal of the same
 * plan double-buffered, without its "--tile AxBxC: " prefix). */
static bool note_double_buffer(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_opts *o,
                               const tiler_plan *pl, tiler_note *n)
{
    if (o->double_buffer >= 0 || pl->double_buffer)
        return false;
    tiler_plan on;
    memset(&on, 0, sizeof on);
    on.tm = pl->tm;
    on.tn = pl->tn;
    on.tk = pl->tk;
    memcpy(on.order, pl->order, sizeof on.order);
    on.double_buffer = true;
    on.epilogue = pl->epilogue;
    on.requant_scale = pl->requant_scale;
    on.split_k = pl->split_k;
    tp_err e = {0};
    if (tiler_plan_try(t, pb, &on, NULL, &e) == TP_OK)
        return false;   /* the search keeps "off" only when "on" does not fit: not reached */
    const char *why = e.msg;
    if (!strncmp(why, "--tile ", 7) && strstr(why, ": "))
        why = strstr(why, ": ") + 2;
    n->kind = TILER_NOTE_DOUBLE_BUFFER_OFF;
    snprintf(n->msg, sizeof n->msg, "double buffering off because on does not fit: %.440s", why);
    return true;
}

/* Split-K spreads one output's K over MXUs that would otherwise idle; when the N tile's column
 * groups already occupy every MXU of a core, the parts only queue behind each other on the same
 * MXUs and add the vector unit's sums. */
static bool note_split_k(const tp_tpu_cfg *t, const tiler_plan *pl, tiler_note *n)
{
    const uint32_t U = t->mxus_per_core, C = t->array.cols;
    uint32_t groups = (uint32_t)util_ceil_div(pl->tn, C);
    if (pl->split_k <= 1 || groups < U)
        return false;
    n->kind = TILER_NOTE_SPLIT_K_NO_MXUS;
    snprintf(n->msg, sizeof n->msg,
             "--split-k %u adds no MXUs: the %u column groups of a %u-wide N tile already %s the %u MXUs of a core, "
             "so the split only adds the vector unit's sums of the parts (compare a run without --split-k)",
             pl->split_k, groups, pl->tn, groups == U ? "occupy" : "fill", U);
    return true;
}

size_t tiler_notes(const tp_tpu_cfg *t, const gemm_problem *pb, const tiler_opts *opts, const tiler_plan *pl,
                   tiler_note out[TILER_NOTE__COUNT])
{
    size_t n = 0;
    n += note_clamped(pb, opts, pl, &out[n]);
    n += note_double_buffer(t, pb, opts, pl, &out[n]);
    n += note_split_k(t, pl, &out[n]);
    return n;
}
