/* Value Change Dump (IEEE 1364 VCD) output, viewable in GTKWave: a small generic writer of a
 * file format (like base/json.h), knowing nothing of what it traces. Scopes, vector and 1-bit
 * wires, 64-bit `real` variables, value changes written only when a value changes. vcd_open's
 * timescale is "1ns"; vcd_open_ts takes one, and vcd_timescale_for_clock derives one from a
 * clock frequency such that half a clock period is a whole number of time units (so a clock
 * signal can toggle in the middle of each cycle).
 *
 * Writing errors are sticky and reported once, by vcd_close. */
#ifndef TP_BASE_VCD_H
#define TP_BASE_VCD_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"

typedef struct vcd_w vcd_w;

/* Creates path ("-" = stdout) and writes the header (comment, timescale "1ns"). The comment may
 * span lines; it must not contain "$end". */
tp_status vcd_open(const char *path, const char *comment, vcd_w **out, tp_err *err);
/* Same with a timescale such as "100ps" (a standard VCD unit: 1, 10 or 100 of s..fs). */
tp_status vcd_open_ts(const char *path, const char *comment, const char *timescale, vcd_w **out,
                      tp_err *err);

/* A VCD time unit for a clock of clock_hz: the largest standard unit (1, 10 or 100 of s, ms, us,
 * ns, ps, fs) in which half a clock period is an integer. When none is exact (700 MHz: a period of
 * 1428.571... ps) the unit is 1 fs and the half period is rounded to the nearest femtosecond
 * (*exact = false). Writes the unit ("100ps") into ts and half a period in those units into
 * *half_units. Fails (TP_ERR_UNSUPPORTED) only for a clock of 0 or above 500 THz. */
tp_status vcd_timescale_for_clock(uint64_t clock_hz, char ts[8], uint64_t *half_units, bool *exact,
                                  tp_err *err);
void vcd_scope_begin(vcd_w *v, const char *name);
void vcd_scope_end(vcd_w *v);
/* Declares a wire of `width` bits (1..64) in the current scope; returns its index (or -1 after
 * an allocation failure, reported by vcd_close). Before vcd_end_definitions only. */
int vcd_wire(vcd_w *v, const char *name, unsigned width);
/* Declares a 64-bit real variable ("$var real 64"); values are written as "r<%.17g> <id>"
 * (NaN as "rnan", infinities as "rinf" / "r-inf"). Returns its index like vcd_wire. */
int vcd_real(vcd_w *v, const char *name);
/* Ends the declarations and dumps every wire's initial value (0). */
void vcd_end_definitions(vcd_w *v);
/* Sets a wire's value at time t (t never decreases); writes it only if it changed. */
void vcd_set(vcd_w *v, uint64_t t, int wire, uint64_t value);
/* Sets a real variable's value at time t; written only if its bits changed. */
void vcd_set_real(vcd_w *v, uint64_t t, int var, double value);
/* Writes "#t" if no value change has been written at t yet (marks the end of a dump). */
void vcd_time(vcd_w *v, uint64_t t);
/* Flushes and closes; returns the first error (a failed write, an allocation). Frees v. */
tp_status vcd_close(vcd_w *v, tp_err *err);

#endif
