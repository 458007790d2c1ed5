/* Value Change Dump (IEEE 1364 VCD) output, viewable in GTKWave: a small generic writer of a
 * file format (like base/json.h), knowing nothing of what it traces. Scopes, vector and 1-bit
 * wires, value changes written only when a value changes. The timescale is "1ns"; a caller
 * that counts clock cycles says in the header comment that one unit is one cycle (the MXU
 * tracer, tpu/mxu_trace.h, does).
 *
 * Writing errors are sticky and reported once, by vcd_close. */
#ifndef TP_BASE_VCD_H
#define TP_BASE_VCD_H
#include <stdint.h>
#include "base/err.h"

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

#endif
