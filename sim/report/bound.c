/* The bound of a run from its stats record (see bound.h for the rule). */
#include "report/bound.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BW_HIGH 0.60        /* a level at this share of its peak is bandwidth-bound */
#define BW_LOW 0.30         /* at most this share, and ... */
#define BP_HIGH 0.50        /* engines held by back-pressure this long: bandwidth */
#define BP_LOW 0.25         /* ... less than this: latency */
#define COMPUTE_BOUND 0.50  /* rule 3 */

const char *bound_off_chip_name(bound_off_chip o)
{
    switch (o) {
    case BOUND_OFF_CHIP_BANDWIDTH: return "bandwidth";
    case BOUND_OFF_CHIP_LATENCY: return "latency";
    case BOUND_OFF_CHIP_BOTH: return "both";
    default: return NULL;
    }
}

/* Words for a cause; names the record has but this table lacks print as the name with spaces. */
static const struct {
    const char *name, *words;
    int kind;   /* the unit kind the words are for; -1: any */
} phrases[] = {
    /* a GPU's SMs (stats.h STATS_SM_*) */
    {"wave_tail", "the last wave's tail (no CTA left for the SM)", STATS_KIND_SM},
    {"mma_latency", "MMA latency not hidden", STATS_KIND_SM},
    {"issue", "issue slots taken by other instructions", STATS_KIND_SM},
    {"smem_bandwidth", "shared-memory bandwidth", STATS_KIND_SM},
    {"bank_conflict", "shared-memory bank conflicts", STATS_KIND_SM},
    {"cache", "waiting for tiles from L2", STATS_KIND_SM},
    {"dram", "waiting for tiles from DRAM", STATS_KIND_SM},
    {"barrier", "warps held at the CTA barrier", STATS_KIND_SM},
    {"cp_async_wait", "the copy pipeline's prologue", STATS_KIND_SM},
    {"launch", "the kernel launch", STATS_KIND_SM},
    {"busy", "useful work", -1},
    {"padding", "padding of partial tiles", -1},
    {"weight_shift", "weight shift", -1},
    {"fill_drain", "fill/drain", -1},
    {"wait_weights", "waiting for weights", -1},
    {"wait_inputs", "waiting for inputs", -1},
    {"ub_bandwidth", "waiting for the buffer's port", -1},
    {"dependency", "waiting on dependencies between instructions", -1},
    {"issue_blocked", "without an instruction while the issuer waits at another unit's full queue", -1},
    {"idle", "idle", -1},
};

static void cause_words(int kind, int cause, char *buf, size_t cap)
{
    const char *n = stats_cause_name((stats_kind)kind, (uint32_t)cause);
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if ((phrases[i].kind < 0 || phrases[i].kind == kind) && !strcmp(phrases[i].name, n)) {
            snprintf(buf, cap, "%s", phrases[i].words);
            return;
        }
    snprintf(buf, cap, "%s", n);
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = ' ';
}

static const char *category_words(stats_category c)
{
    switch (c) {
    case STATS_CAT_COMPUTE: return "useful compute";
    case STATS_CAT_QUANTIZATION: return "quantization";
    case STATS_CAT_PIPELINE: return "the pipeline";
    case STATS_CAT_ON_CHIP: return "on-chip data delivery";
    case STATS_CAT_OFF_CHIP: return "off-chip memory";
    case STATS_CAT_SYNC: return "synchronization";
    case STATS_CAT_OVERHEAD: return "fixed overhead";
    default: return "idle time";
    }
}

/* "DRAM" for dram and hbm, the level's own name otherwise */
static void level_words(const char *name, char *buf, size_t cap)
{
    if (!strcmp(name, "dram") || !strcmp(name, "hbm")) {
        size_t i = 0;
        for (; name[i] && i + 1 < cap; i++)
            buf[i] = (char)toupper((unsigned char)name[i]);
        buf[i] = 0;
    } else {
        snprintf(buf, cap, "%s", name);
    }
}

typedef struct {
    char *p;
    size_t left;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p, b->left, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t k = (size_t)n < b->left ? (size_t)n : b->left ? b->left - 1 : 0;
    b->p += k;
    b->left -= k;
}

#define MAX_CAUSES_ALL (STATS_KIND__COUNT * STATS_MAX_CAUSES)

typedef struct {
    int kind, cause;
    uint64_t cycles;
} cause_sum;

static int by_cycles_desc(const void *a, const void *b)
{
    const cause_sum *x = a, *y = b;
    return x->cycles < y->cycles ? 1 : x->cycles > y->cycles ? -1 : 0;
}

/* Appends the compute units' causes of category c (largest first, at most 3, each at least
 * 0.05%) as " (12.3% words, ...)"; for off-chip memory, `folded` idle cycles count there too. */
static void list_causes(sbuf *sb, const cause_sum *cs, uint64_t total, int c, uint64_t folded)
{
    cause_sum sel[MAX_CAUSES_ALL + 1];
    int n = 0;
    for (int q = 0; q < MAX_CAUSES_ALL; q++) {
        stats_kind k = (stats_kind)cs[q].kind;
        if (!cs[q].cycles || !stats_kind_is_compute(k) || (uint32_t)cs[q].cause >= stats_kind_causes(k))
            continue;
        if ((int)stats_cause_category(k, (uint32_t)cs[q].cause) == c)
            sel[n++] = cs[q];
    }
    if (c == STATS_CAT_OFF_CHIP && folded)
        sel[n++] = (cause_sum){-1, -1, folded};
    qsort(sel, (size_t)n, sizeof sel[0], by_cycles_desc);
    put(sb, " (");
    int shown = 0;
    for (int q = 0; q < n && shown < 3; q++) {
        if (200.0 * (double)sel[q].cycles < 0.1 * (double)total)   /* below 0.05%: prints as 0.0% */
            continue;
        char w[160];
        if (sel[q].kind < 0)
            snprintf(w, sizeof w, "idle while requests were in flight");
        else
            cause_words(sel[q].kind, sel[q].cause, w, sizeof w);
        put(sb, "%s%.1f%% %s", shown ? ", " : "", 100.0 * (double)sel[q].cycles / (double)total, w);
        shown++;
    }
    put(sb, shown ? ")" : "under 0.05%% of the cycles)");   /* every cause of c is that small */
}

/* Compute units that did no MACs at all are left out of the categories (rule 1), so the
 * sentence must lead with them: "Only 1 of the 4 MXUs had work (...); on it, compute-bound: ...". */
static void unused_units(char *sentence, size_t cap, const tp_stats *s, const report_bound *b, const char *cu)
{
    uint32_t all = 0;
    for (uint32_t i = 0; i < s->n_units; i++)
        all += stats_kind_is_compute(s->units[i].kind);
    if (b->n_compute >= all || !b->n_compute || !sentence[0])
        return;
    char rest[sizeof b->sentence];
    snprintf(rest, sizeof rest, "%s", sentence);
    rest[0] = (char)tolower((unsigned char)rest[0]);
    int n = snprintf(sentence, cap, "Only %u of the %u %ss had work (the others were idle the whole run: "
                     "utilization %.1f%%); on %s, %s", b->n_compute, all, cu, 100.0 * s->utilization,
                     b->n_compute == 1 ? "it" : "them", rest);
    if (n < 0 || (size_t)n >= cap)   /* too long: mark the cut */
        snprintf(sentence + cap - 5, 5, "...");
}

void report_bound_of(const tp_stats *s, report_bound *b)
{
    memset(b, 0, sizeof *b);
    b->lead_kind = b->lead_cause = -1;
    sbuf sb = {b->sentence, sizeof b->sentence};

    /* 1. the compute units */
    bool any_used = false;
    for (uint32_t i = 0; i < s->n_units; i++)
        if (stats_kind_is_compute(s->units[i].kind) && s->units[i].macs)
            any_used = true;
    uint64_t cat[STATS_CAT__COUNT] = {0}, folded = 0;
    cause_sum cs[MAX_CAUSES_ALL];
    memset(cs, 0, sizeof cs);
    for (int k = 0; k < STATS_KIND__COUNT; k++)
        for (int c = 0; c < STATS_MAX_CAUSES; c++) {
            cs[k * STATS_MAX_CAUSES + c].kind = k;
            cs[k * STATS_MAX_CAUSES + c].cause = c;
        }
    /* off-chip figures: the level with the largest bandwidth utilization (bounded peaks) */
    const stats_level *lv = NULL;
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        if (l->kind != STATS_LEVEL_OFF_CHIP)
            continue;
        if (!lv || l->bandwidth_utilization > lv->bandwidth_utilization ||
            (l->bandwidth_utilization == lv->bandwidth_utilization && l->in_flight_cycles > lv->in_flight_cycles))
            lv = l;
    }
    char lname[STATS_NAME] = "";
    uint64_t in_flight = 0;   /* the most cycles any off-chip level had a request in flight */
    for (uint32_t i = 0; i < s->n_levels; i++)
        if (s->levels[i].kind == STATS_LEVEL_OFF_CHIP && s->levels[i].in_flight_cycles > in_flight)
            in_flight = s->levels[i].in_flight_cycles;
    if (lv) {
        b->level = lv->name;
        b->level_utilization = lv->bandwidth_utilization;
        b->level_in_flight = s->cycles ? (double)lv->in_flight_cycles / (double)s->cycles : 0.0;
        level_words(lv->name, lname, sizeof lname);
    }
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        if (!stats_kind_is_compute(u->kind) || (any_used && !u->macs))
            continue;
        b->n_compute++;
        for (uint32_t c = 0; c < stats_kind_causes(u->kind); c++) {
            cat[stats_cause_category(u->kind, c)] += u->cycles[c];
            cs[u->kind * STATS_MAX_CAUSES + c].cycles += u->cycles[c];
        }
        /* 2. its idle cycles, up to the cycles with requests in flight that it did not already
         * spend waiting for them, count as waiting for off-chip memory */
        uint64_t idle = stats_unit_category(u, STATS_CAT_IDLE), waited = stats_unit_category(u, STATS_CAT_OFF_CHIP);
        uint64_t f = in_flight > waited ? in_flight - waited : 0;
        folded += f < idle ? f : idle;
    }
    const char *cu = s->compute_unit[0] ? s->compute_unit : "compute unit";
    char who[64], whose[72], its[8];
    if (b->n_compute == 1) {
        snprintf(who, sizeof who, "the %s", cu);
        snprintf(whose, sizeof whose, "the %s's", cu);
    } else {
        snprintf(who, sizeof who, "the %u %ss", b->n_compute, cu);
        snprintf(whose, sizeof whose, "the %u %ss'", b->n_compute, cu);
    }
    snprintf(its, sizeof its, "%s", b->n_compute == 1 ? "its" : "their");

    int bp_cause = stats_cause_parse(STATS_KIND_DMA, "off_chip");
    uint32_t n_dma = 0;
    double bp = 0.0;
    for (uint32_t i = 0; i < s->n_units; i++)
        if (s->units[i].kind == STATS_KIND_DMA && bp_cause >= 0 && s->cycles) {
            n_dma++;
            bp += (double)s->units[i].cycles[bp_cause] / (double)s->cycles;
        }
    b->backpressure = n_dma ? bp / n_dma : 0.0;

    uint64_t total = 0;
    for (int c = 0; c < STATS_CAT__COUNT; c++)
        total += cat[c];
    if (!b->n_compute || !total) {
        b->category = STATS_CAT_IDLE;
        b->share = 1.0;
        put(&sb, "Nothing was computed: no %s did any work.", cu);
        snprintf(b->label, sizeof b->label, "idle");
        return;
    }
    cat[STATS_CAT_OFF_CHIP] += folded;
    cat[STATS_CAT_IDLE] -= folded;
    b->idle_folded = folded > 0;
    b->idle_folded_share = (double)folded / (double)total;
    /* 3. compute, or the largest loss */
    double frac[STATS_CAT__COUNT];
    for (int c = 0; c < STATS_CAT__COUNT; c++)
        frac[c] = (double)cat[c] / (double)total;
    int loss = -1;
    for (int c = 0; c < STATS_CAT__COUNT; c++)
        if (c != STATS_CAT_COMPUTE && cat[c] && (loss < 0 || cat[c] > cat[loss]))
            loss = c;
    b->category = frac[STATS_CAT_COMPUTE] >= COMPUTE_BOUND || loss < 0 ? STATS_CAT_COMPUTE : (stats_category)loss;
    b->share = frac[b->category];

    /* the causes of each category on the compute units, largest first */
    qsort(cs, MAX_CAUSES_ALL, sizeof cs[0], by_cycles_desc);
    for (int q = 0; q < MAX_CAUSES_ALL; q++) {
        if (!cs[q].cycles || !stats_kind_is_compute((stats_kind)cs[q].kind) ||
            (uint32_t)cs[q].cause >= stats_kind_causes((stats_kind)cs[q].kind))
            continue;
        stats_category qc = stats_cause_category((stats_kind)cs[q].kind, (uint32_t)cs[q].cause);
        if (qc == b->category) {
            b->lead_kind = cs[q].kind;
            b->lead_cause = cs[q].cause;
            /* idle while requests were in flight can lead off-chip memory */
            if (b->category == STATS_CAT_OFF_CHIP && folded > cs[q].cycles) {
                int idle = stats_cause_parse((stats_kind)cs[q].kind, "idle");
                if (idle >= 0)
                    b->lead_cause = idle;
            }
            break;
        }
    }
    if (b->category == STATS_CAT_OFF_CHIP && b->lead_cause < 0 && folded) {   /* only folded idle */
        for (uint32_t i = 0; i < s->n_units && b->lead_cause < 0; i++)
            if (stats_kind_is_compute(s->units[i].kind)) {
                b->lead_kind = s->units[i].kind;
                b->lead_cause = stats_cause_parse(s->units[i].kind, "idle");
            }
    }

    double pct = 100.0 * b->share;
    switch (b->category) {
    case STATS_CAT_COMPUTE:
        put(&sb, "Compute-bound: %s did useful work %.1f%% of %s cycles", who, pct, its);
        if (loss >= 0) {
            put(&sb, "; the largest loss is %s", category_words((stats_category)loss));
            list_causes(&sb, cs, total, loss, folded);
        }
        snprintf(b->label, sizeof b->label, "compute");
        break;
    case STATS_CAT_PIPELINE:
        put(&sb, "Bound by %s pipeline: %.1f%% of %s cycles", whose, pct, its);
        list_causes(&sb, cs, total, STATS_CAT_PIPELINE, folded);
        snprintf(b->label, sizeof b->label, "pipeline");
        break;
    case STATS_CAT_QUANTIZATION:
        if (b->lead_kind == STATS_KIND_SM)   /* partial CTA tiles and the last wave */
            put(&sb, "Bound by quantization: %s lost %.1f%% of %s cycles to tile and wave quantization", who, pct, its);
        else
            put(&sb, "Bound by quantization: %s streamed padding %.1f%% of %s cycles", who, pct, its);
        list_causes(&sb, cs, total, STATS_CAT_QUANTIZATION, folded);
        snprintf(b->label, sizeof b->label, "quantization");
        break;
    case STATS_CAT_ON_CHIP:
        put(&sb, "Bound by on-chip data delivery: %s waited %.1f%% of %s cycles", who, pct, its);
        list_causes(&sb, cs, total, STATS_CAT_ON_CHIP, folded);
        snprintf(b->label, sizeof b->label, "on-chip data");
        break;
    case STATS_CAT_SYNC:
        put(&sb, "Bound by synchronization: %s waited %.1f%% of %s cycles", who, pct, its);
        list_causes(&sb, cs, total, STATS_CAT_SYNC, folded);
        snprintf(b->label, sizeof b->label, "sync");
        break;
    case STATS_CAT_OVERHEAD:
        put(&sb, "Bound by fixed overhead: %.1f%% of %s cycles", pct, whose);
        list_causes(&sb, cs, total, STATS_CAT_OVERHEAD, folded);
        snprintf(b->label, sizeof b->label, "overhead");
        break;
    case STATS_CAT_IDLE:
        put(&sb, "%c%s idle %.1f%% of %s cycles with no %s to run: the %s gives %s too little work",
            toupper((unsigned char)who[0]), who + 1, pct, its, b->lead_kind == STATS_KIND_SM ? "CTA" : "instruction",
            b->lead_kind == STATS_KIND_SM ? "kernel's grid" : "program", b->n_compute == 1 ? "it" : "them");
        snprintf(b->label, sizeof b->label, "idle");
        break;
    case STATS_CAT_OFF_CHIP: {
        double u = b->level_utilization;
        if (u >= BW_HIGH || b->backpressure >= BP_HIGH)
            b->off_chip = BOUND_OFF_CHIP_BANDWIDTH;
        else if (u <= BW_LOW && b->backpressure < BP_LOW)
            b->off_chip = BOUND_OFF_CHIP_LATENCY;
        else
            b->off_chip = BOUND_OFF_CHIP_BOTH;
        const char *what = b->off_chip == BOUND_OFF_CHIP_BANDWIDTH ? "bandwidth"
                           : b->off_chip == BOUND_OFF_CHIP_LATENCY ? "latency, not bandwidth"
                                                                   : "bandwidth and latency together";
        put(&sb, "Bound by off-chip memory %s: %s waited for off-chip data %.1f%% of %s cycles", what, who, pct, its);
        list_causes(&sb, cs, total, STATS_CAT_OFF_CHIP, folded);
        if (lv) {
            put(&sb, "; %s moved %.1f%% of its peak", lname, 100.0 * u);
            uint64_t asked = lv->read_bytes + lv->write_bytes;
            bool held = n_dma && b->backpressure >= BP_LOW, latency = !held && b->off_chip == BOUND_OFF_CHIP_LATENCY;
            if (asked && (double)lv->bus_bytes >= 1.5 * (double)asked)   /* burst over-fetch */
                put(&sb, ", in whole bursts %.1fx the bytes asked for%s", (double)lv->bus_bytes / (double)asked,
                    held || latency ? "," : "");
            if (held)
                put(&sb, " and held the transfer engines %.1f%% of cycles%s", 100.0 * b->backpressure,
                    u < BW_HIGH ? " (uneven use: a part of it, such as one channel, is saturated)" : "");
            else if (latency)
                put(&sb, " with a request in flight %.1f%% of cycles", 100.0 * b->level_in_flight);
        }
        snprintf(b->label, sizeof b->label, "%s %s", lv ? lname : "off-chip",
                 b->off_chip == BOUND_OFF_CHIP_BANDWIDTH ? "bw"
                 : b->off_chip == BOUND_OFF_CHIP_LATENCY ? "latency" : "bw+latency");
        put(&sb, ".");
        unused_units(b->sentence, sizeof b->sentence, s, b, cu);
        return;
    }
    default:
        break;
    }
    if (lv && b->category != STATS_CAT_OFF_CHIP)
        put(&sb, "; %s moved %.1f%% of its peak", lname, 100.0 * b->level_utilization);
    put(&sb, ".");
    unused_units(b->sentence, sizeof b->sentence, s, b, cu);
}
