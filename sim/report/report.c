/* Stats -> text table and JSON. Only prints; computes nothing but percentages. */
#include "report/report.h"
#include "base/units.h"
#include "base/util.h"
#include "report/bound.h"
#include <math.h>
#include <string.h>

static void human_rate(double bps, char *buf, size_t cap)
{
    if (bps >= 1e12)
        snprintf(buf, cap, "%.2f TB/s", bps / 1e12);
    else if (bps >= 1e9)
        snprintf(buf, cap, "%.2f GB/s", bps / 1e9);
    else if (bps >= 1e6)
        snprintf(buf, cap, "%.2f MB/s", bps / 1e6);
    else
        snprintf(buf, cap, "%.0f B/s", bps);
}

static void human_peak(double bps, char *buf, size_t cap)
{
    if (isinf(bps))
        snprintf(buf, cap, "unbounded");
    else
        human_rate(bps, buf, cap);
}

/* v in a unit that fits: the largest prefix (of 1e3 steps) that leaves ref >= 1 */
static double si_scale(double ref, const char **prefix)
{
    static const char *const p[] = {"", "K", "M", "G", "T", "P", "E"};
    int i = 0;
    while (i < 6 && fabs(ref) >= 1e3)
        ref /= 1e3, i++;
    *prefix = p[i];
    return pow(1e3, i);
}

/* a number without an exponent: 4 significant digits, or whole above 9999 */
static void num4(double v, char *buf, size_t cap)
{
    if (isinf(v))
        snprintf(buf, cap, "unbounded");
    else if (fabs(v) >= 9999.5)
        snprintf(buf, cap, "%.0f", v);
    else if (v != 0 && fabs(v) < 1e-3)
        snprintf(buf, cap, "%.3g", v);
    else
        snprintf(buf, cap, "%.4g", v);
}

void report_ops_line(const tp_stats *s, char *buf, size_t cap)
{
    const char *ops = !strcmp(s->dtype, "bf16") || !strcmp(s->dtype, "fp16") ? "FLOPS" : "OPS", *pre;
    double sc = si_scale(s->ops_per_s > 0 ? s->ops_per_s : s->peak_ops_per_s, &pre);
    char a[32], p[32];
    num4(s->ops_per_s / sc, a, sizeof a);
    num4(s->peak_ops_per_s / sc, p, sizeof p);
    snprintf(buf, cap, "%s %s%s of %s peak (utilization %.2f%%)", a, pre, ops, p, 100.0 * s->utilization);
}

void report_time(double seconds, char *buf, size_t cap)
{
    if (seconds >= 1.0)
        snprintf(buf, cap, "%.4g s", seconds);
    else if (seconds >= 1e-3)
        snprintf(buf, cap, "%.4g ms", seconds * 1e3);
    else if (seconds >= 1e-6)
        snprintf(buf, cap, "%.4g us", seconds * 1e6);
    else
        snprintf(buf, cap, "%.4g ns", seconds * 1e9);
}

static double pct(uint64_t x, uint64_t total)
{
    return total ? 100.0 * (double)x / (double)total : 0.0;
}

uint64_t report_compute_categories(const tp_stats *s, uint64_t cat[STATS_CAT__COUNT], uint32_t *n_compute,
                                   uint32_t *n_all)
{
    uint64_t total = 0;
    uint32_t used = 0, all = 0, summed = 0;
    memset(cat, 0, sizeof(uint64_t) * STATS_CAT__COUNT);
    for (uint32_t i = 0; i < s->n_units; i++)
        if (stats_kind_is_compute(s->units[i].kind)) {
            all++;
            used += s->units[i].macs > 0;
        }
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        if (!stats_kind_is_compute(u->kind) || (used && !u->macs))
            continue;
        summed++;
        for (int c = 0; c < STATS_CAT__COUNT; c++) {
            uint64_t x = stats_unit_category(u, (stats_category)c);
            cat[c] += x;
            total += x;
        }
    }
    if (n_compute)
        *n_compute = summed;
    if (n_all)
        *n_all = all;
    return total;
}

void report_categories(const tp_stats *s, const char *lead, FILE *f)
{
    uint64_t cat[STATS_CAT__COUNT];
    uint32_t n_compute, n_all;
    uint64_t cat_total = report_compute_categories(s, cat, &n_compute, &n_all);
    if (!n_compute)
        return;
    if (n_all == 1)
        fprintf(f, "%s%s by category:", lead, s->compute_unit);
    else
        fprintf(f, "%sthe %u %ss at work (of %u) by category:", lead, n_compute, s->compute_unit, n_all);
    for (int c = 0, first = 1; c < STATS_CAT__COUNT; c++)
        if (cat[c] || c == STATS_CAT_COMPUTE) {
            fprintf(f, "%s %s %.1f%%", first ? "" : ",", stats_category_name((stats_category)c), pct(cat[c], cat_total));
            first = 0;
        }
    fputc('\n', f);
}

void report_text(const tp_stats *s, FILE *f)
{
    const char *engine = stats_attr_get(s, "engine"), *df = stats_attr_get(s, "dataflow");
    char t[32], buf[160];
    if (engine || df)
        fprintf(f, "machine      %s (%s%s%s%s, %s%s)\n", s->machine, engine ? "engine " : "", engine ? engine : "",
                df ? ", " : "", df ? df : "", s->dtype, s->timing_only ? ", timing only" : "");
    else   /* a GPU record: no engine, no dataflow */
        fprintf(f, "machine      %s (%s%s)\n", s->machine, s->dtype, s->timing_only ? ", timing only" : "");
    report_time(s->seconds, t, sizeof t);
    fprintf(f, "cycles       %llu (%s at %.4g MHz)\n", (unsigned long long)s->cycles, t, (double)s->clock_hz / 1e6);
    fprintf(f, "instructions %llu\n", (unsigned long long)s->instructions);
    num4(s->peak_macs_per_cycle, buf, sizeof buf);
    fprintf(f, "MACs         %llu (peak %s per cycle, %u of %u %s%s used)\n", (unsigned long long)s->macs, buf,
            s->compute_units_used, s->compute_units, s->compute_unit, s->compute_units == 1 ? "" : "s");
    report_ops_line(s, buf, sizeof buf);
    fprintf(f, "achieved     %s\n", buf);
    if (s->offchip_bus_bytes) {
        const char *ops = !strcmp(s->dtype, "bf16") || !strcmp(s->dtype, "fp16") ? "FLOPS" : "OPS", *pre;
        double sc = si_scale(s->ops_per_s > 0 ? s->ops_per_s : s->peak_ops_per_s, &pre);
        char in[32], rb[32];
        num4(s->intensity, in, sizeof in);
        num4(s->roofline_ops_per_s / sc, rb, sizeof rb);
        fprintf(f, "intensity    %s ops per off-chip bus byte; roofline bound %s %s%s\n", in, rb, pre, ops);
    }
    fprintf(f, "\ncycles by cause (%% of %llu)\n", (unsigned long long)s->cycles);
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        fprintf(f, "  %-14s", u->name);
        for (uint32_t c = 0; c < stats_kind_causes(u->kind); c++) {
            const char *cn = stats_cause_name(u->kind, c);
            if (!u->cycles[c] && c != 0 && strcmp(cn, "idle"))
                continue;
            fprintf(f, " %s %llu (%.1f%%)", cn, (unsigned long long)u->cycles[c], pct(u->cycles[c], s->cycles));
        }
        fputc('\n', f);
    }
    report_categories(s, "  ", f);
    if (s->n_levels)
        fprintf(f, "\nmemory       read        written     on the bus  achieved      peak          use\n");
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        char r[32], w[32], b[32], a[32], p[32], use[192];
        units_fmt_bytes(l->read_bytes, false, r, sizeof r);
        units_fmt_bytes(l->write_bytes, false, w, sizeof w);
        units_fmt_bytes(l->bus_bytes, false, b, sizeof b);
        human_rate(l->achieved_bytes_per_s, a, sizeof a);
        human_peak(l->peak_bytes_per_s, p, sizeof p);
        if (l->shared_bus || isinf(l->peak_bytes_per_s)) {
            if (isinf(l->peak_bytes_per_s))
                snprintf(use, sizeof use, "-");
            else
                snprintf(use, sizeof use, "%.1f%% of peak", 100.0 * l->bandwidth_utilization);
        } else {
            /* each side against its own port's peak */
            char pr[32], pw[32], rs[64], ws[64];
            human_peak(l->peak_read_bytes_per_s, pr, sizeof pr);
            human_peak(l->peak_write_bytes_per_s, pw, sizeof pw);
            if (isinf(l->peak_read_bytes_per_s))
                snprintf(rs, sizeof rs, "read unbounded");
            else
                snprintf(rs, sizeof rs, "read %.1f%% of %s", 100.0 * l->read_utilization, pr);
            if (isinf(l->peak_write_bytes_per_s))
                snprintf(ws, sizeof ws, "write unbounded");
            else
                snprintf(ws, sizeof ws, "write %.1f%% of %s", 100.0 * l->write_utilization, pw);
            snprintf(use, sizeof use, "%s, %s", rs, ws);
        }
        fprintf(f, "  %-10s %-11s %-11s %-11s %-13s %-13s %s\n", l->name, r, w, b, a, p, use);
        if (l->kind == STATS_LEVEL_OFF_CHIP) {
            uint64_t asked = l->read_bytes + l->write_bytes;
            fprintf(f, "  %-10s ", "");
            if (asked)
                fprintf(f, "bus bytes %.2fx the bytes asked for; ", (double)l->bus_bytes / (double)asked);
            fprintf(f, "a request in flight %llu cycles (%.1f%%)\n", (unsigned long long)l->in_flight_cycles,
                    pct(l->in_flight_cycles, s->cycles));
        }
    }
    if (s->has_energy)
        fprintf(f, "\nenergy       %.3f uJ (MACs %.3f, off-chip bus bytes %.3f, on-chip %.3f)\n", s->energy_pj * 1e-6,
                s->energy_mac_pj * 1e-6, s->energy_offchip_pj * 1e-6, s->energy_onchip_pj * 1e-6);
    report_bound b;
    report_bound_of(s, &b);
    fprintf(f, "\n%s\n", b.sentence);
}

static void json_peak(json_w *w, const char *key, double v)
{
    json_key(w, key);
    if (isinf(v))
        json_null(w);
    else
        json_double(w, v);
}

void report_json_members(const tp_stats *s, json_w *w)
{
    json_kv_str(w, "machine", s->machine);
    for (uint32_t i = 0; i < s->n_attrs; i++)
        json_kv_str(w, s->attrs[i].key, s->attrs[i].value);
    json_kv_str(w, "dtype", s->dtype);
    json_kv_bool(w, "timing_only", s->timing_only);
    json_kv_u64(w, "cycles", s->cycles);
    json_kv_u64(w, "clock_hz", s->clock_hz);
    json_kv_double(w, "seconds", s->seconds);
    json_kv_u64(w, "instructions", s->instructions);
    json_kv_u64(w, "macs", s->macs);
    json_kv_double(w, "peak_macs_per_cycle", s->peak_macs_per_cycle);
    json_kv_str(w, "compute_unit", s->compute_unit);
    json_kv_u64(w, "compute_units", s->compute_units);
    json_kv_u64(w, "compute_units_used", s->compute_units_used);
    json_kv_double(w, "utilization", s->utilization);
    json_kv_double(w, "ops_per_s", s->ops_per_s);
    json_kv_double(w, "peak_ops_per_s", s->peak_ops_per_s);
    json_kv_double(w, "intensity_ops_per_byte", s->intensity);
    json_kv_double(w, "roofline_ops_per_s", s->roofline_ops_per_s);
    json_kv_u64(w, "offchip_bytes", s->offchip_bytes);
    json_kv_u64(w, "offchip_bus_bytes", s->offchip_bus_bytes);
    json_key(w, "units");
    json_begin_object(w);
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        json_key(w, u->name);
        json_begin_object(w);
        json_kv_str(w, "kind", stats_kind_name(u->kind));
        json_key(w, "cycles_by_cause");
        json_begin_object(w);
        for (uint32_t c = 0; c < stats_kind_causes(u->kind); c++)
            json_kv_u64(w, stats_cause_name(u->kind, c), u->cycles[c]);
        json_end_object(w);
        json_key(w, "cycles_by_category");
        json_begin_object(w);
        for (int c = 0; c < STATS_CAT__COUNT; c++)
            json_kv_u64(w, stats_category_name((stats_category)c), stats_unit_category(u, (stats_category)c));
        json_end_object(w);
        if (stats_kind_is_compute(u->kind))
            json_kv_u64(w, "macs", u->macs);
        json_end_object(w);
    }
    json_end_object(w);
    json_key(w, "memory");
    json_begin_object(w);
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        json_key(w, l->name);
        json_begin_object(w);
        json_kv_str(w, "kind", stats_level_kind_name(l->kind));
        json_kv_u64(w, "read_bytes", l->read_bytes);
        json_kv_u64(w, "write_bytes", l->write_bytes);
        json_kv_u64(w, "bus_bytes", l->bus_bytes);
        json_peak(w, "peak_bytes_per_s", l->peak_bytes_per_s);
        json_peak(w, "peak_read_bytes_per_s", l->peak_read_bytes_per_s);
        json_peak(w, "peak_write_bytes_per_s", l->peak_write_bytes_per_s);
        json_kv_double(w, "achieved_bytes_per_s", l->achieved_bytes_per_s);
        json_kv_double(w, "bandwidth_utilization", l->bandwidth_utilization);
        json_kv_double(w, "read_utilization", l->read_utilization);
        json_kv_double(w, "write_utilization", l->write_utilization);
        json_kv_bool(w, "shared_bus", l->shared_bus);
        json_kv_u64(w, "in_flight_cycles", l->in_flight_cycles);
        json_end_object(w);
    }
    json_end_object(w);
    if (s->has_energy) {
        json_kv_double(w, "energy_pj", s->energy_pj);
        json_key(w, "energy_pj_by_part");
        json_begin_object(w);
        json_kv_double(w, "macs", s->energy_mac_pj);
        json_kv_double(w, "off_chip", s->energy_offchip_pj);
        json_kv_double(w, "on_chip", s->energy_onchip_pj);
        json_end_object(w);
    }
    report_json_bound(s, w);
}

const char *report_check_name(report_check c)
{
    switch (c) {
    case REPORT_CHECK_MATCH: return "match";
    case REPORT_CHECK_MISMATCH: return "mismatch";
    case REPORT_CHECK_TIMING_ONLY: return "timing_only";
    default: return "not_checked";
    }
}

void report_json_categories(json_w *w)
{
    json_key(w, "categories");
    json_begin_object(w);
    for (int k = 0; k < STATS_KIND__COUNT; k++) {
        json_key(w, stats_kind_name((stats_kind)k));
        json_begin_object(w);
        for (uint32_t c = 0; c < stats_kind_causes((stats_kind)k); c++)
            json_kv_str(w, stats_cause_name((stats_kind)k, c),
                        stats_category_name(stats_cause_category((stats_kind)k, c)));
        json_end_object(w);
    }
    json_end_object(w);
}

void report_json_begin(json_w *w, const char *version, const char *commit, const char *command)
{
    json_begin_object(w);
    json_kv_u64(w, "schema_version", REPORT_SCHEMA_VERSION);
    json_key(w, "tpusim");
    json_begin_object(w);
    json_kv_str(w, "version", version);
    json_kv_str(w, "commit", commit);
    json_end_object(w);
    json_kv_str(w, "command", command);
    report_json_categories(w);
}

void report_json_bound(const tp_stats *s, json_w *w)
{
    report_bound b;
    report_bound_of(s, &b);
    json_key(w, "bound");
    json_begin_object(w);
    json_kv_str(w, "category", stats_category_name(b.category));
    json_key(w, "cause");
    if (b.lead_cause >= 0)
        json_str(w, stats_cause_name((stats_kind)b.lead_kind, (uint32_t)b.lead_cause));
    else
        json_null(w);
    json_key(w, "off_chip");
    if (bound_off_chip_name(b.off_chip))
        json_str(w, bound_off_chip_name(b.off_chip));
    else
        json_null(w);
    json_kv_double(w, "share", b.share);
    json_kv_str(w, "label", b.label);
    json_kv_str(w, "sentence", b.sentence);
    json_end_object(w);
}

/* *dst += v * times, checked: the first count that would pass TP_COUNT_MAX is refused, with
 * its figure (report_stats_add). */
typedef struct {
    uint64_t times;
    const char *what;   /* the first count that passed, or NULL */
    double figure;      /* what it would have come to */
} add_check;

static void add_times(add_check *k, uint64_t *dst, uint64_t v, const char *what)
{
    uint64_t p, r;
    if (k->what)
        return;
    if (util_mul_count(v, k->times, &p) || util_add_count(*dst, p, &r)) {
        k->what = what;
        k->figure = (double)*dst + (double)v * (double)k->times;
        return;
    }
    *dst = r;
}

tp_status report_stats_add(tp_stats *sum, const tp_stats *part, uint64_t times, tp_err *err)
{
    if (!sum->n_units && !sum->n_levels && !sum->cycles) {
        /* the first part gives the machine's figures */
        stats_unit *keep = sum->units;
        uint32_t cap = sum->cap_units;
        *sum = *part;
        sum->units = keep;
        sum->cap_units = cap;
        sum->n_units = 0;
        sum->n_levels = 0;
        sum->cycles = sum->instructions = sum->macs = 0;
        sum->compute_units_used = 0;
        sum->energy_pj = sum->energy_mac_pj = sum->energy_offchip_pj = sum->energy_onchip_pj = 0;
    }
    add_check k = {times, NULL, 0};
    uint64_t before = sum->cycles;
    add_times(&k, &sum->cycles, part->cycles, "cycles");
    add_times(&k, &sum->instructions, part->instructions, "instructions");
    add_times(&k, &sum->macs, part->macs, "MACs");
    if (part->compute_units_used > sum->compute_units_used)
        sum->compute_units_used = part->compute_units_used;
    sum->timing_only = sum->timing_only || part->timing_only;
    for (uint32_t i = 0; i < part->n_units; i++) {
        const stats_unit *pu = &part->units[i];
        stats_unit *u = (stats_unit *)stats_find_unit(sum, pu->name);
        if (!u) {
            if (!(u = stats_add_unit(sum, pu->name, pu->kind)))
                return tp_err_set(err, TP_ERR_NOMEM, "out of memory summing stats");
            /* new in this part: idle through the parts before it */
            int idle = stats_cause_parse(u->kind, "idle");
            u->cycles[idle < 0 ? 0 : idle] = before;
        }
        for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++)
            add_times(&k, &u->cycles[c], pu->cycles[c], "cycles");
        add_times(&k, &u->macs, pu->macs, "MACs");
    }
    /* a unit the part lacks sat idle through it */
    for (uint32_t i = 0; i < sum->n_units; i++) {
        stats_unit *u = &sum->units[i];
        if (!stats_find_unit(part, u->name)) {
            int idle = stats_cause_parse(u->kind, "idle");
            add_times(&k, &u->cycles[idle < 0 ? 0 : idle], part->cycles, "cycles");
        }
    }
    for (uint32_t i = 0; i < part->n_levels; i++) {
        const stats_level *pl = &part->levels[i];
        stats_level *l = (stats_level *)stats_find_level(sum, pl->name);
        if (!l) {
            if (!(l = stats_add_level(sum, pl->name, pl->kind)))
                return tp_err_set(err, TP_ERR_INTERNAL, "stats: more than %d memory levels", STATS_MAX_LEVELS);
            l->peak_bytes_per_s = pl->peak_bytes_per_s;
            l->peak_read_bytes_per_s = pl->peak_read_bytes_per_s;
            l->peak_write_bytes_per_s = pl->peak_write_bytes_per_s;
            l->shared_bus = pl->shared_bus;
        }
        add_times(&k, &l->read_bytes, pl->read_bytes, "bytes");
        add_times(&k, &l->write_bytes, pl->write_bytes, "bytes");
        add_times(&k, &l->bus_bytes, pl->bus_bytes, "bytes");
        add_times(&k, &l->in_flight_cycles, pl->in_flight_cycles, "cycles");
    }
    if (k.what)
        return tp_err_set(err, TP_ERR_RANGE, "%s: %.3g with repeat %llu, past the %.3g (2^63) %s tpusim counts",
                          k.what, k.figure, (unsigned long long)times, (double)TP_COUNT_MAX, k.what);
    sum->has_energy = sum->has_energy || part->has_energy;
    sum->energy_pj += part->energy_pj * (double)times;
    sum->energy_mac_pj += part->energy_mac_pj * (double)times;
    sum->energy_offchip_pj += part->energy_offchip_pj * (double)times;
    sum->energy_onchip_pj += part->energy_onchip_pj * (double)times;
    return TP_OK;
}
