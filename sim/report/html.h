/* The self-contained HTML report of a run (`--html FILE`, docs/html.md): one page with its CSS and
 * JavaScript inline and its data embedded as one JSON object in a
 * <script type="application/json" id="tpusim-data"> element, so it opens from a file with no
 * network and no server. The page (sim/report/html/page.{html,css,js}, turned into C arrays at
 * build time) draws from that object:
 *   command      the command line that produced the page (argv)
 *   report       the command's --json document, byte for byte (docs/output.md): the machine's
 *                figures, cycles by unit, cause and category, the roofline figures, the bound
 *   timeline     a Chrome trace-event JSON object ({"traceEvents": [...]}) or null
 *   array        the per-PE registers of a small MXU run, cycle by cycle (html_rec), or
 *                {"omitted": "why"} or null
 *   limits       the sizes past which the page shows summaries (HTML_* below)
 * Every "</" inside the data is written as "<\/" (the same JSON string), so no value can close
 * the script element early. */
#ifndef TP_REPORT_HTML_H
#define TP_REPORT_HTML_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "base/err.h"
#include "tpu/mxu.h"

/* The animated array: arrays up to HTML_MAX_DIM x HTML_MAX_DIM and runs up to
 * HTML_MAX_CYCLES cycles; past either the page says so and shows only the run's figures. */
#define HTML_MAX_DIM 16u
#define HTML_MAX_CYCLES 2000u
/* The timeline draws every event up to HTML_MAX_EVENTS (canvas, binned per pixel at the current
 * zoom); past it the page says so and shows per-track totals only. Stated on the page. */
#define HTML_MAX_EVENTS 1000000u

/* ---- recording the per-PE registers (an mxu_pe observer) ---------------------------------- */
typedef struct html_rec html_rec;

/* A recorder for an array of p's shape running a GEMM C[M x N] = A[M x K] * B[K x N] with
 * inputs a, b (int8_t or bf16 bits, row-major; copied). When the array or the GEMM is too large
 * to animate, the recorder keeps only the reason (html_rec_omitted) and records nothing.
 * a and b NULL (the whole machine, whose ops read operands the page does not know): "A" and "B"
 * are null, the folds are the ops with their own indices (i0 = j0 = k0 = 0) and the page names
 * the registers by them without checking values. */
tp_status html_rec_new(const mxu_params *p, uint32_t M, uint32_t N, uint32_t K, const void *a,
                       const void *b, html_rec **out, tp_err *err);
void html_rec_free(html_rec *r);
/* The observer to pass to mxu_pe_set_observer with the recorder as ctx. Stops recording (and
 * sets the omitted reason) past HTML_MAX_CYCLES. */
void html_rec_observe(void *rec, const mxu_pe_view *v);
/* After the run: fold `index`'s op and where its tile sits in the GEMM (i0, j0, k0), with its
 * timing (mxu_pe_op_timing). The page derives each register's label from these (the equations
 * of mxu-demo, docs/mxu.md). */
tp_status html_rec_fold(html_rec *r, uint64_t index, const mxu_op *op, uint32_t i0, uint32_t j0, uint32_t k0,
                        const mxu_timing *tm, tp_err *err);
/* The run's total cycles (mxu_pe_now at the end). */
void html_rec_set_cycles(html_rec *r, uint64_t cycles);
/* NULL, or why nothing is animated ("the array is 128x128; the page animates up to 16x16"). */
const char *html_rec_omitted(const html_rec *r);
/* Out of memory while recording (then nothing usable was recorded). */
bool html_rec_failed(const html_rec *r);

/* ---- the page -------------------------------------------------------------------------------- */
typedef struct {
    int argc;                       /* the command line (argv[0] = "tpusim") */
    char *const *argv;
    const char *report_json;        /* the --json document, or NULL (then "report": null) */
    size_t report_len;
    const html_rec *array;          /* NULL = "array": null (no per-PE run) */
    const char *array_note;         /* with array NULL: why (e.g. "run with --engine pe"), or NULL */
    /* The timeline: write_trace (when set) writes one Chrome trace-event JSON object to f;
     * else trace_json (when set) is that object as text; else "timeline": null. */
    void (*write_trace)(FILE *f, void *ctx);
    void *trace_ctx;
    const char *trace_json;
    size_t trace_len;
} html_page;

/* Writes the page to f. Fails (TP_ERR_NOMEM) only when a buffer for the trace cannot be had;
 * write errors show in ferror(f). */
tp_status html_write(FILE *f, const html_page *pg, tp_err *err);
#endif
