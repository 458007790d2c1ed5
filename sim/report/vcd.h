/* Value Change Dump (IEEE 1364 VCD) output, viewable in GTKWave.
 *
 * A small generic writer (scopes, vector and 1-bit wires, value changes written only when a
 * value changes) and, on top of it, a tracer of the MXU per-PE engine's registers: one scope
 * per PE, signals named mxu.pe_R_C.{a, a_valid, w, w_valid, ws, psum, psum_valid} (the ones the
 * dataflow has), with the timescale set to one clock ("1 ns" stands for one cycle; the header
 * comment says so). bf16 values are dumped as their 16-bit patterns, int8 as 8 bits, partial
 * sums as 32-bit patterns (int32 or fp32).
 *
 * Writing errors are sticky and reported once, by vcd_close. */
#ifndef TP_REPORT_VCD_H
#define TP_REPORT_VCD_H
#include <stdint.h>
#include "base/err.h"
#include "tpu/mxu.h"

typedef struct vcd_w vcd_w;

/* Creates path ("-" = stdout) and writes the header (comment, timescale). */
tp_status vcd_open(const char *path, const char *comment, vcd_w **out, tp_err *err);
void vcd_scope_begin(vcd_w *v, const char *name);
void vcd_scope_end(vcd_w *v);
/* Declares a wire of `width` bits (1..64) in the current scope; returns its index (or -1 after
 * an allocation failure, reported by vcd_close). Before vcd_end_definitions only. */
int vcd_wire(vcd_w *v, const char *name, unsigned width);
/* Ends the declarations and dumps every wire's initial value (0). */
void vcd_end_definitions(vcd_w *v);
/* Sets a wire's value at time t (t never decreases); writes it only if it changed. */
void vcd_set(vcd_w *v, uint64_t t, int wire, uint64_t value);
/* Flushes and closes; returns the first error (a failed write, an allocation). Frees v. */
tp_status vcd_close(vcd_w *v, tp_err *err);

/* The MXU tracer: vcd_mxu_open declares every PE register of an R x C array; pass
 * vcd_mxu_observe and the tracer to mxu_pe_set_observer; vcd_mxu_close finishes the file. */
typedef struct vcd_mxu vcd_mxu;
tp_status vcd_mxu_open(const char *path, const mxu_params *p, vcd_mxu **out, tp_err *err);
void vcd_mxu_observe(void *tracer, const mxu_pe_view *view);
tp_status vcd_mxu_close(vcd_mxu *t, tp_err *err);
#endif
