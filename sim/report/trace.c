/* The Chrome trace-event JSON of timelines (report/trace.h). Each event is written by its own
 * json_w (compact), one per line, so escaping is json.h's and a large trace stays greppable.
 * Times: a cycle is rounded to whole picoseconds once, and ts / dur are written from those
 * integers (json_fixed), so a slice that ends where the next begins is written that way. */
#include "report/trace.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"

void trace_cap_note(timeline *const *tls, size_t n, char *buf, size_t cap)
{
    uint64_t kept = 0, dropped = 0, c = 0;
    for (size_t i = 0; i < n; i++) {
        kept += tls[i]->kept;
        dropped += tls[i]->dropped;
        if (tls[i]->dropped)
            c = tls[i]->cap;
    }
    if (!dropped) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    snprintf(buf, cap, "kept the first %llu of %llu events (cap %llu)", (unsigned long long)kept,
             (unsigned long long)(kept + dropped), (unsigned long long)c);
}

typedef struct {
    FILE *f;
    bool first;
    bool failed;
    double ps_per_cycle;    /* of the timeline being written */
} tw;

static double us_per_cycle(const timeline *tl)
{
    return tl->clock_hz > 0 ? 1e6 / tl->clock_hz : 1.0;
}

/* A cycle in whole picoseconds (the trace's resolution). */
static double ps_of(const tw *t, uint64_t cycle)
{
    return (double)llround((double)cycle * t->ps_per_cycle);
}

static void ps_member(json_w *w, const char *key, double ps)
{
    json_key(w, key);
    json_fixed(w, ps / 1e6, 6);
}

/* Starts one event of the array: the separator, a fresh compact writer. */
static void ev_begin(tw *t, json_w *w)
{
    fputs(t->first ? "\n" : ",\n", t->f);
    t->first = false;
    json_init(w, t->f, 0);
    json_begin_object(w);
}

static void ev_end(tw *t, json_w *w)
{
    json_end_object(w);
    if (json_finish(w) != 0)
        t->failed = true;
}

static void meta(tw *t, const char *what, uint32_t pid, uint32_t tid, const char *key,
                 const char *s, uint64_t v)
{
    json_w w;
    ev_begin(t, &w);
    json_kv_str(&w, "ph", "M");
    json_kv_str(&w, "name", what);
    json_kv_u64(&w, "pid", pid);
    if (tid)
        json_kv_u64(&w, "tid", tid);
    json_key(&w, "args");
    json_begin_object(&w);
    if (s)
        json_kv_str(&w, key, s);
    else
        json_kv_u64(&w, key, v);
    json_end_object(&w);
    ev_end(t, &w);
}

static void arg(json_w *w, const timeline *tl, const tl_arg *a)
{
    json_key(w, tl_str(tl, a->key));
    switch (a->kind) {
    case TL_ARG_U64: json_u64(w, a->v.u); break;
    case TL_ARG_I64: json_i64(w, a->v.i); break;
    case TL_ARG_F64: json_double(w, a->v.f); break;
    default: json_str(w, tl_str(tl, a->v.s)); break;
    }
}

/* The events of one timeline; its processes are pid0 + 1 ..., its threads tid0 + 1 ...
 * Returns false when out of memory. *n_groups gets its process count. */
static bool write_events(tw *t, const timeline *tl, uint32_t pid0, uint32_t tid0, uint32_t *n_groups_out)
{
    uint32_t n_groups = 0, *gid, *pid_of_track, *pid_of_series;
    gid = malloc(sizeof *gid * ((size_t)tl->n_tracks + tl->n_series + 1));
    pid_of_track = malloc(sizeof *pid_of_track * ((size_t)tl->n_tracks + 1));
    pid_of_series = malloc(sizeof *pid_of_series * ((size_t)tl->n_series + 1));
    if (!gid || !pid_of_track || !pid_of_series) {
        free(gid);
        free(pid_of_track);
        free(pid_of_series);
        return false;
    }
    /* groups -> pids in order of first use by a track or series */
    for (uint32_t i = 0; i < tl->n_tracks + tl->n_series; i++) {
        uint32_t g = i < tl->n_tracks ? tl->tracks[i].group : tl->series[i - tl->n_tracks].group, p = 0;
        while (p < n_groups && gid[p] != g)
            p++;
        if (p == n_groups)
            gid[n_groups++] = g;
        if (i < tl->n_tracks)
            pid_of_track[i] = pid0 + p + 1;
        else
            pid_of_series[i - tl->n_tracks] = pid0 + p + 1;
    }
    t->ps_per_cycle = us_per_cycle(tl) * 1e6;
    for (uint32_t p = 0; p < n_groups; p++) {
        meta(t, "process_name", pid0 + p + 1, 0, "name", tl_str(tl, gid[p]), 0);
        meta(t, "process_sort_index", pid0 + p + 1, 0, "sort_index", NULL, pid0 + p);
    }
    for (uint32_t i = 0; i < tl->n_tracks; i++) {
        meta(t, "thread_name", pid_of_track[i], tid0 + i + 1, "name", tl_str(tl, tl->tracks[i].name), 0);
        meta(t, "thread_sort_index", pid_of_track[i], tid0 + i + 1, "sort_index", NULL, i);
    }
    for (size_t i = 0; i < tl->n_slices; i++) {
        const tl_slice_info *s = &tl->slices[i];
        double ts = ps_of(t, s->start), te = ps_of(t, s->end);
        json_w w;
        ev_begin(t, &w);
        json_kv_str(&w, "ph", "X");
        json_kv_str(&w, "name", tl_str(tl, s->name));
        json_kv_str(&w, "cat", tl_str(tl, tl->tracks[s->track].kind));
        json_kv_u64(&w, "pid", pid_of_track[s->track]);
        json_kv_u64(&w, "tid", tid0 + s->track + 1);
        ps_member(&w, "ts", ts);
        ps_member(&w, "dur", te - ts);
        json_key(&w, "args");
        json_begin_object(&w);
        json_kv_u64(&w, "start_cycle", s->start);
        json_kv_u64(&w, "end_cycle", s->end);
        for (uint32_t a = 0; a < s->n_args; a++)
            arg(&w, tl, &tl->args[s->arg0 + a]);
        json_end_object(&w);
        ev_end(t, &w);
    }
    uint32_t last_series = TL_NONE;   /* the last sample written */
    double last_value = 0;
    for (size_t i = 0; i < tl->n_samples; i++) {
        const tl_sample *s = &tl->samples[i];
        const tl_series_info *si = &tl->series[s->series];
        /* a step function: of samples at one cycle the last holds, and a repeat changes nothing */
        if (i + 1 < tl->n_samples && s[1].series == s->series && s[1].cycle == s->cycle)
            continue;
        if (last_series == s->series && last_value == s->value)
            continue;
        last_series = s->series;
        last_value = s->value;
        json_w w;
        ev_begin(t, &w);
        json_kv_str(&w, "ph", "C");
        json_kv_str(&w, "name", tl_str(tl, si->name));
        json_kv_u64(&w, "pid", pid_of_series[s->series]);
        ps_member(&w, "ts", ps_of(t, s->cycle));
        json_key(&w, "args");
        json_begin_object(&w);
        json_kv_double(&w, tl_str(tl, si->unit), s->value);
        json_end_object(&w);
        ev_end(t, &w);
    }
    free(gid);
    free(pid_of_track);
    free(pid_of_series);
    *n_groups_out = n_groups;
    return true;
}

tp_status trace_write(timeline *const *tls, size_t n, const trace_info *info, FILE *f, tp_err *err)
{
    uint64_t kept = 0, dropped = 0;
    for (size_t i = 0; i < n; i++) {
        tp_status st = tl_finish(tls[i], err);
        if (st)
            return st;
        kept += tls[i]->kept;
        dropped += tls[i]->dropped;
    }
    tw t = { .f = f, .first = true, .failed = false, .ps_per_cycle = 1e6 };
    fputs("{\"traceEvents\":[", f);
    uint32_t pid0 = 0, tid0 = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t ng;
        if (!write_events(&t, tls[i], pid0, tid0, &ng))
            return tp_err_set(err, TP_ERR_NOMEM, "trace: out of memory");
        pid0 += ng;
        tid0 += tls[i]->n_tracks;
    }
    fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":", f);
    const timeline *t0 = n ? tls[0] : NULL;
    json_w w;
    json_init(&w, f, 0);
    json_begin_object(&w);
    json_kv_str(&w, "tool", "tpusim");
    json_kv_str(&w, "version", info && info->version ? info->version : "");
    json_kv_str(&w, "command", info && info->command ? info->command : "");
    json_kv_double(&w, "clock_hz", t0 ? t0->clock_hz : 0.0);
    json_kv_double(&w, "cycle_us", t0 ? us_per_cycle(t0) : 1.0);
    json_kv_u64(&w, "cap", t0 ? t0->cap : 0);
    json_kv_u64(&w, "events_recorded", kept + dropped);
    json_kv_u64(&w, "events_kept", kept);
    json_kv_u64(&w, "events_dropped", dropped);
    if (dropped) {
        char note[160];
        trace_cap_note(tls, n, note, sizeof note);
        json_kv_str(&w, "note", note);
        json_key(&w, "dropped_by_track");
        json_begin_object(&w);
        for (size_t k = 0; k < n; k++)
            for (uint32_t i = 0; i < tls[k]->n_tracks; i++)
                if (tls[k]->tracks[i].n_dropped) {
                    char name[200];
                    snprintf(name, sizeof name, "%s/%s", tl_str(tls[k], tls[k]->tracks[i].group),
                             tl_str(tls[k], tls[k]->tracks[i].name));
                    json_kv_u64(&w, name, tls[k]->tracks[i].n_dropped);
                }
        json_end_object(&w);
    }
    if (n > 1) {
        json_key(&w, "parts");
        json_begin_array(&w);
        for (size_t k = 0; k < n; k++) {
            json_begin_object(&w);
            json_kv_double(&w, "clock_hz", tls[k]->clock_hz);
            json_kv_double(&w, "cycle_us", us_per_cycle(tls[k]));
            json_kv_u64(&w, "events_kept", tls[k]->kept);
            json_kv_u64(&w, "events_dropped", tls[k]->dropped);
            json_end_object(&w);
        }
        json_end_array(&w);
    }
    json_end_object(&w);
    if (json_finish(&w) != 0)
        t.failed = true;
    fputs("}\n", f);
    if (t.failed || ferror(f) || fflush(f) != 0)
        return tp_err_set(err, TP_ERR_IO, "trace: write error");
    return TP_OK;
}
