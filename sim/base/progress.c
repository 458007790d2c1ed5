/* Progress bar: see progress.h. */
#include "base/progress.h"
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double monotonic_s(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_init_with(progress *p, uint64_t total, const char *label, const char *unit, FILE *out, bool enabled,
                        progress_clock_fn clock, void *clock_ctx)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled && out;
    p->out = p->enabled ? out : NULL;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "units");
    p->total = total;
    p->clock = clock ? clock : monotonic_s;
    p->clock_ctx = clock ? clock_ctx : NULL;
    p->t0_s = p->clock(p->clock_ctx);
    p->last_draw_s = -INFINITY;   /* the first update draws; later ones at most PROGRESS_REDRAW_HZ */
}

void progress_init(progress *p, uint64_t total, const char *label, const char *unit, bool enabled)
{
    progress_init_with(p, total, label, unit, stderr, enabled && isatty(fileno(stderr)), NULL, NULL);
}

void progress_format_rate(double per_s, char *buf, size_t cap)
{
    static const char suffix[] = " kMGT";
    int i = 0;
    if (!isfinite(per_s) || per_s < 0)
        per_s = 0;
    while (per_s >= 999.5 && i < 4) {
        per_s /= 1000;
        i++;
    }
    if (i == 0)
        snprintf(buf, cap, "%.3g", per_s);
    else
        snprintf(buf, cap, "%.3g%c", per_s, suffix[i]);
}

void progress_format_eta(double seconds, char *buf, size_t cap)
{
    if (!isfinite(seconds) || seconds < 0 || seconds > 359999.0 * 100) {
        snprintf(buf, cap, "--:--");
        return;
    }
    unsigned long s = (unsigned long)(seconds + 0.5);
    unsigned long h = s / 3600, m = s / 60 % 60, r = s % 60;
    if (h)
        snprintf(buf, cap, "%lu:%02lu:%02lu", h, m, r);
    else
        snprintf(buf, cap, "%lu:%02lu", m, r);
}

size_t progress_format(const progress *p, double now_s, char *buf, size_t cap)
{
    double el = now_s - p->t0_s;
    double rate = el > 0 ? (double)p->done / el : 0;
    char rs[32], es[32];
    progress_format_rate(rate, rs, sizeof rs);
    int n;
    if (p->total) {
        char bar[PROGRESS_BAR_WIDTH + 1];
        unsigned fill = (unsigned)(PROGRESS_BAR_WIDTH * p->done / p->total);
        for (unsigned i = 0; i < PROGRESS_BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[PROGRESS_BAR_WIDTH] = '\0';
        progress_format_eta(rate > 0 ? (double)(p->total - p->done) / rate : -1, es, sizeof es);
        n = snprintf(buf, cap, "%s [%s] %3u%%  %s %s/s  ETA %s", p->label, bar,
                     (unsigned)(100 * p->done / p->total), rs, p->unit, es);
    } else {
        n = snprintf(buf, cap, "%s  %llu %s  %s %s/s", p->label, (unsigned long long)p->done, p->unit, rs, p->unit);
    }
    if (n < 0)
        n = 0;
    return (size_t)n < cap ? (size_t)n : cap ? cap - 1 : 0;
}

void progress_update(progress *p, uint64_t done)
{
    p->done = p->total && done > p->total ? p->total : done;
    if (!p->enabled)
        return;
    double now = p->clock(p->clock_ctx);
    if (now - p->last_draw_s < 1.0 / PROGRESS_REDRAW_HZ)
        return;
    p->last_draw_s = now;
    char line[256];
    progress_format(p, now, line, sizeof line);
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
    p->drawn = true;
}

void progress_set_total(progress *p, uint64_t total)
{
    p->total = total;
    if (total && p->done > total)
        p->done = total;
}

void progress_finish(progress *p)
{
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    p->drawn = false;
}

void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    if (total != p->total)
        progress_set_total(p, total);
    progress_update(p, done);
}
