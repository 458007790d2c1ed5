/* The Chrome trace-event JSON of a timeline (report/trace.h). Each event is written by its own
 * json_w (compact), one per line, so escaping is json.h's and a large trace stays greppable. */
#include "report/trace.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"

void trace_cap_note(const timeline *tl, char *buf, size_t cap)
{
    if (!tl->dropped) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    snprintf(buf, cap, "kept the first %llu of %llu events (cap %llu)", (unsigned long long)tl->kept,
             (unsigned long long)(tl->kept + tl->dropped), (unsigned long long)tl->cap);
}

typedef struct {
    FILE *f;
    bool first;
    bool failed;
    double us_per_cycle;
    double ps_per_cycle;
} tw;

/* A cycle in whole picoseconds (the trace's resolution), as microseconds. */
static double ps_of(const tw *t, uint64_t cycle)
{
    return llround((double)cycle * t->ps_per_cycle);
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

tp_status trace_write(timeline *tl, const trace_info *info, FILE *f, tp_err *err)
{
    tp_status st = tl_finish(tl, err);
    if (st)
        return st;
    tw t = { .f = f, .first = true, .failed = false,
             .us_per_cycle = tl->clock_hz > 0 ? 1e6 / tl->clock_hz : 1.0 };
    t.ps_per_cycle = t.us_per_cycle * 1e6;
    /* groups -> pids in order of first use by a track or series */
    uint32_t n_groups = 0, *gid = NULL, *pid_of_track = NULL, *pid_of_series = NULL;
    gid = malloc(sizeof *gid * ((size_t)tl->n_tracks + tl->n_series + 1));
    pid_of_track = malloc(sizeof *pid_of_track * ((size_t)tl->n_tracks + 1));
    pid_of_series = malloc(sizeof *pid_of_series * ((size_t)tl->n_series + 1));
    if (!gid || !pid_of_track || !pid_of_series) {
        free(gid);
        free(pid_of_track);
        free(pid_of_series);
        return tp_err_set(err, TP_ERR_NOMEM, "trace: out of memory");
    }
    for (uint32_t i = 0; i < tl->n_tracks + tl->n_series; i++) {
        uint32_t g = i < tl->n_tracks ? tl->tracks[i].group : tl->series[i - tl->n_tracks].group, p = 0;
        while (p < n_groups && gid[p] != g)
            p++;
        if (p == n_groups)
            gid[n_groups++] = g;
        if (i < tl->n_tracks)
            pid_of_track[i] = p + 1;
        else
            pid_of_series[i - tl->n_tracks] = p + 1;
    }
    fputs("{\"traceEvents\":[", f);
    for (uint32_t p = 0; p < n_groups; p++) {
        meta(&t, "process_name", p + 1, 0, "name", tl_str(tl, gid[p]), 0);
        meta(&t, "process_sort_index", p + 1, 0, "sort_index", NULL, p);
    }
    for (uint32_t i = 0; i < tl->n_tracks; i++) {
        meta(&t, "thread_name", pid_of_track[i], i + 1, "name", tl_str(tl, tl->tracks[i].name), 0);
        meta(&t, "thread_sort_index", pid_of_track[i], i + 1, "sort_index", NULL, i);
    }
    for (size_t i = 0; i < tl->n_slices; i++) {
        const tl_slice_info *s = &tl->slices[i];
        double ts = ps_of(&t, s->start), te = ps_of(&t, s->end);
        json_w w;
        ev_begin(&t, &w);
        json_kv_str(&w, "ph", "X");
        json_kv_str(&w, "name", tl_str(tl, s->name));
        json_kv_str(&w, "cat", tl_str(tl, tl->tracks[s->track].kind));
        json_kv_u64(&w, "pid", pid_of_track[s->track]);
        json_kv_u64(&w, "tid", s->track + 1);
        json_key(&w, "ts");
        json_fixed(&w, ts / 1e6, 6);
        json_key(&w, "dur");
        json_fixed(&w, (te - ts) / 1e6, 6);
        json_key(&w, "args");
        json_begin_object(&w);
        json_kv_u64(&w, "start_cycle", s->start);
        json_kv_u64(&w, "end_cycle", s->end);
        for (uint32_t a = 0; a < s->n_args; a++)
            arg(&w, tl, &tl->args[s->arg0 + a]);
        json_end_object(&w);
        ev_end(&t, &w);
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
        ev_begin(&t, &w);
        json_kv_str(&w, "ph", "C");
        json_kv_str(&w, "name", tl_str(tl, si->name));
        json_kv_u64(&w, "pid", pid_of_series[s->series]);
        json_key(&w, "ts");
        json_fixed(&w, ps_of(&t, s->cycle) / 1e6, 6);
        json_key(&w, "args");
        json_begin_object(&w);
        json_kv_double(&w, tl_str(tl, si->unit), s->value);
        json_end_object(&w);
        ev_end(&t, &w);
    }
    fputs("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":", f);
    json_w w;
    json_init(&w, f, 0);
    json_begin_object(&w);
    json_kv_str(&w, "tool", "tpusim");
    json_kv_str(&w, "version", info && info->version ? info->version : "");
    json_kv_str(&w, "command", info && info->command ? info->command : "");
    json_kv_double(&w, "clock_hz", tl->clock_hz);
    json_kv_double(&w, "cycle_us", t.us_per_cycle);
    json_kv_u64(&w, "cap", tl->cap);
    json_kv_u64(&w, "events_recorded", tl->kept + tl->dropped);
    json_kv_u64(&w, "events_kept", tl->kept);
    json_kv_u64(&w, "events_dropped", tl->dropped);
    if (tl->dropped) {
        char note[160];
        trace_cap_note(tl, note, sizeof note);
        json_kv_str(&w, "note", note);
        json_key(&w, "dropped_by_track");
        json_begin_object(&w);
        for (uint32_t i = 0; i < tl->n_tracks; i++)
            if (tl->tracks[i].n_dropped) {
                char name[200];
                snprintf(name, sizeof name, "%s/%s", tl_str(tl, tl->tracks[i].group),
                         tl_str(tl, tl->tracks[i].name));
                json_kv_u64(&w, name, tl->tracks[i].n_dropped);
            }
        json_end_object(&w);
    }
    json_end_object(&w);
    if (json_finish(&w) != 0)
        t.failed = true;
    fputs("}\n", f);
    free(gid);
    free(pid_of_track);
    free(pid_of_series);
    if (t.failed || ferror(f) || fflush(f) != 0)
        return tp_err_set(err, TP_ERR_IO, "trace: write error");
    return TP_OK;
}
