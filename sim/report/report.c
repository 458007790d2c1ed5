/* Stats -> text table and JSON. Only prints; computes nothing but percentages. */
#include "report/report.h"
#include <math.h>
#include <string.h>

static void human_bytes(double b, char *buf, size_t cap)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (b >= 1024.0 && i < 4) {
        b /= 1024.0;
        i++;
    }
    snprintf(buf, cap, i ? "%.2f %s" : "%.0f %s", b, u[i]);
}

static void human_rate(double bps, char *buf, size_t cap)
{
    if (bps >= 1e9)
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

void report_text(const tp_stats *s, FILE *f)
{
    const char *engine = stats_attr_get(s, "engine"), *df = stats_attr_get(s, "dataflow");
    fprintf(f, "machine      %s (%s%s%s%s, %s%s)\n", s->machine, engine ? "engine " : "", engine ? engine : "",
            df ? ", " : "", df ? df : "", s->dtype, s->timing_only ? ", timing only" : "");
    fprintf(f, "cycles       %llu (%.3f us at %.0f MHz)\n", (unsigned long long)s->cycles, s->seconds * 1e6,
            (double)s->clock_hz / 1e6);
    fprintf(f, "instructions %llu\n", (unsigned long long)s->instructions);
    fprintf(f, "MACs         %llu (peak %.6g per cycle, %u of %u %s%s used)\n", (unsigned long long)s->macs,
            s->peak_macs_per_cycle, s->compute_units_used, s->compute_units, s->compute_unit,
            s->compute_units == 1 ? "" : "s");
    fprintf(f, "utilization  %.2f%%\n", 100.0 * s->utilization);
    fprintf(f, "\ncycles by cause (%% of %llu)\n", (unsigned long long)s->cycles);
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        fprintf(f, "  %-14s", u->name);
        for (uint32_t c = 0; c < stats_kind_causes(u->kind); c++) {
            const char *cn = stats_cause_name(u->kind, c);
            if (!u->cycles[c] && c != 0 && strcmp(cn, "idle"))
                continue;
            fprintf(f, " %s %llu (%.1f%%)", cn, (unsigned long long)u->cycles[c],
                    s->cycles ? 100.0 * (double)u->cycles[c] / (double)s->cycles : 0.0);
        }
        fputc('\n', f);
    }
    fprintf(f, "\nmemory       read        written     on the bus  achieved      peak          use\n");
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        char r[32], w[32], b[32], a[32], p[32], use[64];
        human_bytes((double)l->read_bytes, r, sizeof r);
        human_bytes((double)l->write_bytes, w, sizeof w);
        human_bytes((double)l->bus_bytes, b, sizeof b);
        human_rate(l->achieved_bytes_per_s, a, sizeof a);
        human_peak(l->peak_bytes_per_s, p, sizeof p);
        if (isinf(l->peak_bytes_per_s))
            snprintf(use, sizeof use, "-");
        else if (l->shared_bus)
            snprintf(use, sizeof use, "%.1f%% of peak", 100.0 * l->bandwidth_utilization);
        else
            snprintf(use, sizeof use, "read %.1f%%, write %.1f%% of ports", 100.0 * l->read_utilization,
                     100.0 * l->write_utilization);
        fprintf(f, "  %-10s %-11s %-11s %-11s %-13s %-13s %s\n", l->name, r, w, b, a, p, use);
    }
    if (s->has_energy)
        fprintf(f, "\nenergy       %.3f uJ (MACs %.3f, off-chip %.3f, on-chip %.3f)\n", s->energy_pj * 1e-6,
                s->energy_mac_pj * 1e-6, s->energy_offchip_pj * 1e-6, s->energy_onchip_pj * 1e-6);
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
        if (l->kind == STATS_LEVEL_OFF_CHIP)
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
}

int report_json(const tp_stats *s, FILE *f)
{
    json_w w;
    json_init(&w, f, 2);
    json_begin_object(&w);
    json_key(&w, s->machine_kind[0] ? s->machine_kind : "tpu");
    json_begin_object(&w);
    report_json_members(s, &w);
    json_end_object(&w);
    json_end_object(&w);
    return json_finish(&w);
}
