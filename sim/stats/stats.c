/* The stats record: construction helpers and the invariant check (see stats.h). */
#include "stats/stats.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void stats_init(tp_stats *s)
{
    memset(s, 0, sizeof *s);
}

void stats_free(tp_stats *s)
{
    free(s->units);
    memset(s, 0, sizeof *s);
}

tp_status stats_copy(tp_stats *dst, const tp_stats *src, tp_err *err)
{
    *dst = *src;
    dst->units = NULL;
    dst->cap_units = 0;
    if (src->n_units) {
        dst->units = malloc(sizeof *dst->units * src->n_units);
        if (!dst->units) {
            dst->n_units = 0;
            return tp_err_set(err, TP_ERR_NOMEM, "out of memory copying stats");
        }
        memcpy(dst->units, src->units, sizeof *dst->units * src->n_units);
        dst->cap_units = src->n_units;
    }
    return TP_OK;
}

stats_unit *stats_add_unit(tp_stats *s, const char *name, const char *kind)
{
    if (s->n_units == s->cap_units) {
        uint32_t nc = s->cap_units ? s->cap_units * 2 : 8;
        stats_unit *u = realloc(s->units, sizeof *u * nc);
        if (!u)
            return NULL;
        s->units = u;
        s->cap_units = nc;
    }
    stats_unit *u = &s->units[s->n_units++];
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", name);
    snprintf(u->kind, sizeof u->kind, "%s", kind);
    return u;
}

void stats_unit_add(stats_unit *u, const char *cause, uint64_t cycles)
{
    for (uint32_t i = 0; i < u->n_causes; i++)
        if (!strcmp(u->cause[i], cause)) {
            u->cycles[i] += cycles;
            return;
        }
    if (u->n_causes == STATS_MAX_CAUSES)
        return;   /* stats_check reports the lost cycles as a sum mismatch */
    snprintf(u->cause[u->n_causes], sizeof u->cause[0], "%s", cause);
    u->cycles[u->n_causes++] = cycles;
}

uint64_t stats_unit_cause(const stats_unit *u, const char *cause)
{
    for (uint32_t i = 0; i < u->n_causes; i++)
        if (!strcmp(u->cause[i], cause))
            return u->cycles[i];
    return 0;
}

const stats_unit *stats_find_unit(const tp_stats *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_units; i++)
        if (!strcmp(s->units[i].name, name))
            return &s->units[i];
    return NULL;
}

stats_level *stats_add_level(tp_stats *s, const char *name, bool off_chip)
{
    if (s->n_levels == sizeof s->levels / sizeof s->levels[0])
        return NULL;
    stats_level *l = &s->levels[s->n_levels++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->off_chip = off_chip;
    return l;
}

const stats_level *stats_find_level(const tp_stats *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_levels; i++)
        if (!strcmp(s->levels[i].name, name))
            return &s->levels[i];
    return NULL;
}

void stats_finish(tp_stats *s)
{
    s->seconds = s->clock_hz ? (double)s->cycles / (double)s->clock_hz : 0.0;
    s->utilization = (s->cycles && s->peak_macs_per_cycle)
                         ? (double)s->macs / ((double)s->cycles * (double)s->peak_macs_per_cycle) : 0.0;
    for (uint32_t i = 0; i < s->n_levels; i++) {
        stats_level *l = &s->levels[i];
        l->achieved_bytes_per_s = s->seconds > 0 ? (double)(l->read_bytes + l->write_bytes) / s->seconds : 0.0;
    }
}

tp_status stats_check(const tp_stats *s, tp_err *err)
{
    for (uint32_t i = 0; i < s->n_units; i++) {
        uint64_t sum = 0;
        for (uint32_t c = 0; c < s->units[i].n_causes; c++)
            sum += s->units[i].cycles[c];
        if (sum != s->cycles)
            return tp_err_set(err, TP_ERR_INTERNAL, "stats: unit %s: causes sum to %llu cycles, total is %llu",
                              s->units[i].name, (unsigned long long)sum, (unsigned long long)s->cycles);
    }
    return TP_OK;
}
