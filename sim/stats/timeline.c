/* The recording sink for --trace (timeline.h). Growable arrays doubling from a small size; a
 * string table with open addressing (FNV-1a) so that the machines can pass literal names on
 * every slice without growing it. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats/timeline.h"

void tl_init(timeline *tl, uint64_t cap)
{
    memset(tl, 0, sizeof *tl);
    tl->cap = cap;
}

void tl_free(timeline *tl)
{
    free(tl->tracks);
    free(tl->slices);
    free(tl->args);
    free(tl->series);
    free(tl->samples);
    free(tl->strs);
    free(tl->hash);
    memset(tl, 0, sizeof *tl);
}

/* Makes room for one more element of `size` bytes in *p (n used, *cap allocated). */
static bool grow(void **p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 64;
    if (nc > SIZE_MAX / size)
        return false;
    void *q = realloc(*p, nc * size);
    if (!q)
        return false;
    *p = q;
    *cap = nc;
    return true;
}

static bool grow32(void **p, uint32_t n, uint32_t *cap, size_t size)
{
    size_t c = *cap;
    if (c >= UINT32_MAX / 2)
        return n < *cap;
    bool ok = grow(p, n, &c, size);
    *cap = (uint32_t)c;
    return ok;
}

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static bool rehash(timeline *tl, uint32_t cap)
{
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h)
        return false;
    for (uint32_t i = 0; i < tl->cap_hash; i++) {
        if (!tl->hash[i])
            continue;
        uint32_t j = fnv(tl->strs + tl->hash[i] - 1) & (cap - 1);
        while (h[j])
            j = (j + 1) & (cap - 1);
        h[j] = tl->hash[i];
    }
    free(tl->hash);
    tl->hash = h;
    tl->cap_hash = cap;
    return true;
}

uint32_t tl_intern(timeline *tl, const char *s)
{
    if (!s)
        s = "";
    if (tl->n_hash + 1 > tl->cap_hash / 2 &&
        (tl->cap_hash >= (1u << 30) || !rehash(tl, tl->cap_hash ? tl->cap_hash * 2 : 256))) {
        tl->nomem = true;
        return TL_NONE;
    }
    uint32_t j = fnv(s) & (tl->cap_hash - 1);
    while (tl->hash[j]) {
        if (strcmp(tl->strs + tl->hash[j] - 1, s) == 0)
            return tl->hash[j] - 1;
        j = (j + 1) & (tl->cap_hash - 1);
    }
    size_t len = strlen(s) + 1;
    if (tl->n_strs + len >= UINT32_MAX) {
        tl->nomem = true;
        return TL_NONE;
    }
    if (tl->n_strs + len > tl->cap_strs) {
        size_t nc = tl->cap_strs ? tl->cap_strs : 1024;
        while (nc < tl->n_strs + len)
            nc *= 2;
        char *q = realloc(tl->strs, nc);
        if (!q) {
            tl->nomem = true;
            return TL_NONE;
        }
        tl->strs = q;
        tl->cap_strs = nc;
    }
    uint32_t off = (uint32_t)tl->n_strs;
    memcpy(tl->strs + off, s, len);
    tl->n_strs += len;
    tl->hash[j] = off + 1;
    tl->n_hash++;
    return off;
}

const char *tl_str(const timeline *tl, uint32_t id)
{
    return id < tl->n_strs ? tl->strs + id : "";
}

uint32_t tl_track(timeline *tl, const char *group, const char *name, const char *kind)
{
    uint32_t g = tl_intern(tl, group), n = tl_intern(tl, name), k = tl_intern(tl, kind);
    if (g == TL_NONE || n == TL_NONE || k == TL_NONE)
        return TL_NONE;
    for (uint32_t i = 0; i < tl->n_tracks; i++)
        if (tl->tracks[i].group == g && tl->tracks[i].name == n)
            return i;
    if (!grow32((void **)&tl->tracks, tl->n_tracks, &tl->cap_tracks, sizeof *tl->tracks)) {
        tl->nomem = true;
        return TL_NONE;
    }
    tl->tracks[tl->n_tracks] = (tl_track_info){ .group = g, .name = n, .kind = k, .lane_next = TL_NONE };
    return tl->n_tracks++;
}

uint32_t tl_lane(timeline *tl, uint32_t track, uint64_t start, uint64_t end)
{
    uint32_t t = track, lane = 1;
    start += tl->offset;
    end += tl->offset;
    while (t < tl->n_tracks && tl->tracks[t].lane_end > start) {
        lane++;
        if (tl->tracks[t].lane_next == TL_NONE) {
            /* copies: interning the new name may move the strings */
            char name[200], group[200], kind[64];
            snprintf(name, sizeof name, "%s #%u", tl_str(tl, tl->tracks[track].name), lane);
            snprintf(group, sizeof group, "%s", tl_str(tl, tl->tracks[track].group));
            snprintf(kind, sizeof kind, "%s", tl_str(tl, tl->tracks[track].kind));
            uint32_t nt = tl_track(tl, group, name, kind);
            if (nt == TL_NONE)
                return TL_NONE;
            tl->tracks[t].lane_next = nt;   /* tl_track may have moved tl->tracks */
        }
        t = tl->tracks[t].lane_next;
    }
    if (t < tl->n_tracks && end > tl->tracks[t].lane_end)
        tl->tracks[t].lane_end = end;
    return t;
}

/* Whether one more event fits under the cap (counting it as dropped when not). */
static bool take(timeline *tl)
{
    if (tl->cap && tl->kept >= tl->cap) {
        tl->dropped++;
        return false;
    }
    return true;
}

uint32_t tl_slice(timeline *tl, uint32_t track, uint64_t start, uint64_t end, const char *name)
{
    assert(end >= start);
    if (track >= tl->n_tracks) {
        tl->nomem = true;   /* only a failed tl_track gives an unknown track */
        return TL_NONE;
    }
    if (!take(tl)) {
        tl->tracks[track].n_dropped++;
        return TL_NONE;
    }
    uint32_t nm = tl_intern(tl, name);
    if (nm == TL_NONE || tl->n_slices >= UINT32_MAX - 1 ||
        !grow((void **)&tl->slices, tl->n_slices, &tl->cap_slices, sizeof *tl->slices)) {
        tl->nomem = true;
        return TL_NONE;
    }
    tl->slices[tl->n_slices] = (tl_slice_info){ .track = track, .name = nm, .start = start + tl->offset,
                                           .end = end + tl->offset, .arg0 = 0, .n_args = 0 };
    tl->kept++;
    tl->tracks[track].n_slices++;
    tl->finished = false;
    return (uint32_t)tl->n_slices++;
}

static tl_arg *add_arg(timeline *tl, uint32_t slice, const char *key, uint32_t kind)
{
    if (slice == TL_NONE)
        return NULL;
    assert(slice + 1 == tl->n_slices);
    tl_slice_info *s = &tl->slices[slice];
    assert(s->n_args < TL_MAX_ARGS);
    if (s->n_args >= TL_MAX_ARGS)
        return NULL;
    uint32_t k = tl_intern(tl, key);
    if (k == TL_NONE || tl->n_args >= UINT32_MAX - 1 ||
        !grow((void **)&tl->args, tl->n_args, &tl->cap_args, sizeof *tl->args)) {
        tl->nomem = true;
        return NULL;
    }
    if (s->n_args == 0)
        s->arg0 = (uint32_t)tl->n_args;
    s->n_args++;
    tl_arg *a = &tl->args[tl->n_args++];
    a->key = k;
    a->kind = kind;
    return a;
}

void tl_arg_u64(timeline *tl, uint32_t slice, const char *key, uint64_t v)
{
    tl_arg *a = add_arg(tl, slice, key, TL_ARG_U64);
    if (a)
        a->v.u = v;
}

void tl_arg_i64(timeline *tl, uint32_t slice, const char *key, int64_t v)
{
    tl_arg *a = add_arg(tl, slice, key, TL_ARG_I64);
    if (a)
        a->v.i = v;
}

void tl_arg_f64(timeline *tl, uint32_t slice, const char *key, double v)
{
    tl_arg *a = add_arg(tl, slice, key, TL_ARG_F64);
    if (a)
        a->v.f = v;
}

void tl_arg_str(timeline *tl, uint32_t slice, const char *key, const char *v)
{
    if (slice == TL_NONE)
        return;
    uint32_t s = tl_intern(tl, v);
    if (s == TL_NONE)
        return;
    tl_arg *a = add_arg(tl, slice, key, TL_ARG_STR);
    if (a)
        a->v.s = s;
}

uint32_t tl_series(timeline *tl, const char *group, const char *name, const char *unit)
{
    uint32_t g = tl_intern(tl, group), n = tl_intern(tl, name), u = tl_intern(tl, unit);
    if (g == TL_NONE || n == TL_NONE || u == TL_NONE)
        return TL_NONE;
    for (uint32_t i = 0; i < tl->n_series; i++)
        if (tl->series[i].group == g && tl->series[i].name == n)
            return i;
    if (!grow32((void **)&tl->series, tl->n_series, &tl->cap_series, sizeof *tl->series)) {
        tl->nomem = true;
        return TL_NONE;
    }
    tl->series[tl->n_series] = (tl_series_info){ .group = g, .name = n, .unit = u };
    return tl->n_series++;
}

static void add_sample(timeline *tl, uint32_t series, uint64_t cycle, double value, bool capped)
{
    if (series >= tl->n_series) {
        tl->nomem = true;
        return;
    }
    if (capped && !take(tl))
        return;
    if (!grow((void **)&tl->samples, tl->n_samples, &tl->cap_samples, sizeof *tl->samples)) {
        tl->nomem = true;
        return;
    }
    tl->samples[tl->n_samples++] = (tl_sample){ .series = series, .cycle = cycle + tl->offset,
                                                .value = value };
    tl->kept += capped;
    tl->finished = false;
}

void tl_count(timeline *tl, uint32_t series, uint64_t cycle, double value)
{
    add_sample(tl, series, cycle, value, true);
}

void tl_rate_init(tl_rate *r)
{
    memset(r, 0, sizeof *r);
    r->width = TL_RATE_WIDTH0;
}

void tl_rate_free(tl_rate *r)
{
    free(r->amount);
    memset(r, 0, sizeof *r);
}

/* Makes window w exist (doubling the width while it would be beyond TL_RATE_WINDOWS). */
static bool rate_reach(tl_rate *r, uint64_t cycle)
{
    while (cycle / r->width >= TL_RATE_WINDOWS) {
        uint32_t h = 0;
        for (uint32_t i = 0; i < r->n; i += 2, h++)
            r->amount[h] = r->amount[i] + (i + 1 < r->n ? r->amount[i + 1] : 0.0);
        r->n = h;
        r->width *= 2;
    }
    uint32_t w = (uint32_t)(cycle / r->width);
    if (w >= r->cap) {
        double *q = realloc(r->amount, TL_RATE_WINDOWS * sizeof *q);
        if (!q)
            return false;
        r->amount = q;
        r->cap = TL_RATE_WINDOWS;
    }
    while (r->n <= w)
        r->amount[r->n++] = 0.0;
    return true;
}

void tl_rate_add(tl_rate *r, uint64_t s, uint64_t e, double amount)
{
    if (r->nomem || amount == 0.0)
        return;
    if (e > r->last)
        r->last = e;
    if (!rate_reach(r, e > s ? e - 1 : s)) {
        r->nomem = true;
        return;
    }
    if (e <= s) {
        r->amount[s / r->width] += amount;
        return;
    }
    double per = amount / (double)(e - s);
    for (uint64_t w = s / r->width; w * r->width < e; w++) {
        uint64_t lo = w * r->width > s ? w * r->width : s;
        uint64_t hi = (w + 1) * r->width < e ? (w + 1) * r->width : e;
        r->amount[w] += per * (double)(hi - lo);
    }
}

void tl_rate_emit(timeline *tl, const tl_rate *r, uint32_t series)
{
    if (r->nomem) {
        tl->nomem = true;
        return;
    }
    for (uint32_t w = 0; w < r->n; w++)   /* bounded: not under the cap */
        add_sample(tl, series, w * r->width, r->amount[w] / (double)r->width, false);
    if (r->n) {
        uint64_t w0 = (r->n - 1) * r->width;
        add_sample(tl, series, r->last > w0 ? r->last : w0, 0.0, false);
    }
}

/* Stable merge sort (recording order breaks ties, so the output is deterministic). */
typedef int (*cmp_fn)(const void *, const void *);

static void msort(char *a, char *tmp, size_t n, size_t size, cmp_fn cmp)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(a, tmp, h, size, cmp);
    msort(a + h * size, tmp, n - h, size, cmp);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (cmp(a + j * size, a + i * size) < 0)
            memcpy(tmp + k++ * size, a + j++ * size, size);
        else
            memcpy(tmp + k++ * size, a + i++ * size, size);
    }
    while (i < h)
        memcpy(tmp + k++ * size, a + i++ * size, size);
    while (j < n)
        memcpy(tmp + k++ * size, a + j++ * size, size);
    memcpy(a, tmp, n * size);
}

static bool stable_sort(void *a, size_t n, size_t size, cmp_fn cmp)
{
    if (n < 2)
        return true;
    void *tmp = malloc(n * size);
    if (!tmp)
        return false;
    msort(a, tmp, n, size, cmp);
    free(tmp);
    return true;
}

static int slice_cmp(const void *pa, const void *pb)
{
    const tl_slice_info *a = pa, *b = pb;
    if (a->track != b->track)
        return a->track < b->track ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end > b->end ? -1 : 1;    /* the longer (the parent) first */
    return 0;
}

static int sample_cmp(const void *pa, const void *pb)
{
    const tl_sample *a = pa, *b = pb;
    if (a->series != b->series)
        return a->series < b->series ? -1 : 1;
    if (a->cycle != b->cycle)
        return a->cycle < b->cycle ? -1 : 1;
    return 0;
}

tp_status tl_finish(timeline *tl, tp_err *err)
{
    if (tl->nomem)
        return tp_err_set(err, TP_ERR_NOMEM, "trace: out of memory while recording");
    if (!stable_sort(tl->slices, tl->n_slices, sizeof *tl->slices, slice_cmp) ||
        !stable_sort(tl->samples, tl->n_samples, sizeof *tl->samples, sample_cmp))
        return tp_err_set(err, TP_ERR_NOMEM, "trace: out of memory sorting the events");
    /* Per track, a stack of the open ancestors' ends: a slice must end by its parent's end. */
    uint64_t stack[64];
    uint32_t depth = 0, track = TL_NONE;
    size_t top[64];
    for (size_t i = 0; i < tl->n_slices; i++) {
        const tl_slice_info *s = &tl->slices[i];
        if (s->track != track) {
            track = s->track;
            depth = 0;
        }
        while (depth && stack[depth - 1] <= s->start)   /* ancestors that ended: it follows */
            depth--;
        if (depth && s->end > stack[depth - 1]) {
            const tl_slice_info *p = &tl->slices[top[depth - 1]];
            return tp_err_set(err, TP_ERR_INTERNAL,
                              "trace: track %s/%s: slice %s [%llu, %llu) partly overlaps %s "
                              "[%llu, %llu)", tl_str(tl, tl->tracks[track].group),
                              tl_str(tl, tl->tracks[track].name), tl_str(tl, s->name),
                              (unsigned long long)s->start, (unsigned long long)s->end,
                              tl_str(tl, p->name), (unsigned long long)p->start,
                              (unsigned long long)p->end);
        }
        if (depth == 64)
            return tp_err_set(err, TP_ERR_INTERNAL, "trace: track %s/%s: slices nest deeper "
                              "than 64", tl_str(tl, tl->tracks[track].group),
                              tl_str(tl, tl->tracks[track].name));
        stack[depth] = s->end;
        top[depth++] = i;
    }
    tl->finished = true;
    return TP_OK;
}

size_t tl_track_slices(const timeline *tl, uint32_t track, size_t *n)
{
    size_t lo = 0, hi = tl->n_slices;
    while (lo < hi) {       /* the first slice with s.track >= track */
        size_t mid = lo + (hi - lo) / 2;
        if (tl->slices[mid].track < track)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < tl->n_slices && tl->slices[e].track == track)
        e++;
    *n = e - lo;
    return lo;
}
