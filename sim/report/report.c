/* Stats -> text table and JSON. Only prints; computes nothing but percentages. */
#include "report/report.h"
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

void report_text(const tp_stats *s, FILE *f)
{
    fprintf(f, "machine      %s (engine %s, %s, %s%s)\n", s->machine, s->engine, s->dtype, s->dataflow,
            s->timing_only ? ", timing only" : "");
    fprintf(f, "cycles       %llu (%.3f us at %.0f MHz)\n", (unsigned long long)s->cycles, s->seconds * 1e6,
            (double)s->clock_hz / 1e6);
    fprintf(f, "instructions %llu\n", (unsigned long long)s->instructions);
    fprintf(f, "MACs         %llu (peak %llu per cycle, %u MXU%s used)\n", (unsigned long long)s->macs,
            (unsigned long long)s->peak_macs_per_cycle, s->mxus_used, s->mxus_used == 1 ? "" : "s");
    fprintf(f, "utilization  %.2f%%\n", 100.0 * s->utilization);
    fprintf(f, "\ncycles by cause (%% of %llu)\n", (unsigned long long)s->cycles);
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        fprintf(f, "  %-14s", u->name);
        for (uint32_t c = 0; c < u->n_causes; c++) {
            if (!u->cycles[c] && strcmp(u->cause[c], "busy") && strcmp(u->cause[c], "idle"))
                continue;
            fprintf(f, " %s %llu (%.1f%%)", u->cause[c], (unsigned long long)u->cycles[c],
                    s->cycles ? 100.0 * (double)u->cycles[c] / (double)s->cycles : 0.0);
        }
        fputc('\n', f);
    }
    fprintf(f, "\nmemory       read        written     achieved      peak\n");
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        char r[32], w[32], a[32], p[32] = "-";
        human_bytes((double)l->read_bytes, r, sizeof r);
        human_bytes((double)l->write_bytes, w, sizeof w);
        human_rate(l->achieved_bytes_per_s, a, sizeof a);
        if (l->peak_bytes_per_s > 0)
            human_rate(l->peak_bytes_per_s, p, sizeof p);
        fprintf(f, "  %-10s %-11s %-11s %-13s %s\n", l->name, r, w, a, p);
    }
    if (s->has_energy)
        fprintf(f, "\nenergy       %.3f uJ (MACs %.3f, off-chip %.3f, on-chip %.3f)\n", s->energy_pj * 1e-6,
                s->energy_mac_pj * 1e-6, s->energy_offchip_pj * 1e-6, s->energy_onchip_pj * 1e-6);
}

void report_json_members(const tp_stats *s, json_w *w)
{
    json_kv_str(w, "machine", s->machine);
    json_kv_str(w, "engine", s->engine);
    json_kv_str(w, "dtype", s->dtype);
    json_kv_str(w, "dataflow", s->dataflow);
    json_kv_bool(w, "timing_only", s->timing_only);
    json_kv_u64(w, "cycles", s->cycles);
    json_kv_u64(w, "clock_hz", s->clock_hz);
    json_kv_double(w, "seconds", s->seconds);
    json_kv_u64(w, "instructions", s->instructions);
    json_kv_u64(w, "macs", s->macs);
    json_kv_u64(w, "peak_macs_per_cycle", s->peak_macs_per_cycle);
    json_kv_u64(w, "mxus", s->mxus_used);
    json_kv_double(w, "utilization", s->utilization);
    json_key(w, "units");
    json_begin_object(w);
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        json_key(w, u->name);
        json_begin_object(w);
        json_kv_str(w, "kind", u->kind);
        json_key(w, "cycles_by_cause");
        json_begin_object(w);
        for (uint32_t c = 0; c < u->n_causes; c++)
            json_kv_u64(w, u->cause[c], u->cycles[c]);
        json_end_object(w);
        json_end_object(w);
    }
    json_end_object(w);
    json_key(w, "memory");
    json_begin_object(w);
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        json_key(w, l->name);
        json_begin_object(w);
        json_kv_bool(w, "off_chip", l->off_chip);
        json_kv_u64(w, "read_bytes", l->read_bytes);
        json_kv_u64(w, "write_bytes", l->write_bytes);
        if (l->off_chip)
            json_kv_u64(w, "bus_bytes", l->bus_bytes);
        json_kv_double(w, "achieved_bytes_per_s", l->achieved_bytes_per_s);
        json_kv_double(w, "peak_bytes_per_s", l->peak_bytes_per_s);
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
    json_key(&w, "tpu");
    json_begin_object(&w);
    report_json_members(s, &w);
    json_end_object(&w);
    json_end_object(&w);
    return json_finish(&w);
}
