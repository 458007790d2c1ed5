/* A progress bar for long runs (a big functional GEMM, a model, a sweep, the per-PE engine).
 *
 * It draws on stderr only when stderr is a terminal and the user did not ask for --quiet, so
 * a pipe, a file or a CI log never sees it. One line, redrawn in place with "\r":
 *
 *     gemm  [##########..........]  50%  1.23k instructions/s  ETA 0:04
 *
 * The first update draws at once (so even a short run shows, then erases, its bar); later
 * redraws are throttled to at most PROGRESS_REDRAW_HZ per second on a monotonic clock (the
 * wall clock is fine here: a bar never affects simulated results, only what a person sees),
 * and progress_finish erases the line ("\r" then ESC [K, erase to the end of the line) so the
 * command's own output starts on a clean line. No global state: each run owns its struct.
 *
 * The clock is injectable (progress_init_with) so tests can check the rate and ETA strings
 * with fake times; progress_format builds the line without drawing it. Callers deep in the
 * simulator see only a callback: progress_cb matches machine_progress_fn (tpu/machine.h), so
 * lower layers never learn about terminals. */
#ifndef TP_BASE_PROGRESS_H
#define TP_BASE_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_REDRAW_HZ 10
#define PROGRESS_BAR_WIDTH 20

/* Seconds on some monotonic clock (only differences are used). */
typedef double (*progress_clock_fn)(void *ctx);

typedef struct {
    FILE *out;                  /* where it draws (stderr); NULL when disabled */
    bool enabled;               /* drawing at all */
    bool drawn;                 /* a line is on the screen (finish erases it) */
    char label[48];             /* "gemm", "model", "sweep" */
    char unit[24];              /* "instructions", "layers", "points" */
    uint64_t total, done;       /* units of work; total 0 = unknown (no bar, no ETA) */
    double t0_s;                /* clock at init */
    double last_draw_s;         /* clock at the last redraw */
    progress_clock_fn clock;    /* monotonic seconds */
    void *clock_ctx;
} progress;

/* A bar on stderr when `enabled` (the caller's "not --quiet") and stderr is a terminal. */
void progress_init(progress *p, uint64_t total, const char *label, const char *unit, bool enabled);
/* For tests and other streams: draws on `out` when enabled (no terminal check), with `clock`
 * (NULL = the monotonic clock). */
void progress_init_with(progress *p, uint64_t total, const char *label, const char *unit, FILE *out, bool enabled,
                        progress_clock_fn clock, void *clock_ctx);
/* done units so far (monotone; larger than total is clamped). Redraws when due. */
void progress_update(progress *p, uint64_t done);
/* Changes the total (a run that learns its size late). */
void progress_set_total(progress *p, uint64_t total);
/* Erases the bar (if drawn). The struct may be re-initialised afterwards. */
void progress_finish(progress *p);
/* The line as it would be drawn at clock time now_s, without "\r": returns its length. */
size_t progress_format(const progress *p, double now_s, char *buf, size_t cap);
/* "1.23k" style rate of units per second (3 significant digits, SI suffix k M G T). */
void progress_format_rate(double per_s, char *buf, size_t cap);
/* "0:04", "12:34", "1:02:03"; "--:--" when unknown (negative or not finite). */
void progress_format_eta(double seconds, char *buf, size_t cap);
/* A callback shape for lower layers: ctx is a progress *; sets the total and the done count. */
void progress_cb(void *ctx, uint64_t done, uint64_t total);
#endif
