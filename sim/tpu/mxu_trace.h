/* A tracer of the MXU per-PE engine's registers into a Value Change Dump (base/vcd.h), for
 * GTKWave. Top scope `mxu`:
 *   clk         1 bit: 1 in the first half of every cycle, 0 in the second (it keeps toggling
 *               through idle cycles the engine skips, so the time axis is the machine's)
 *   cycle       64 bits: the cycle number (changes on the rising edge of clk)
 *   cause       2 bits: what the cycle counted as: 0 busy, 1 weight_shift, 2 fill_drain, 3 idle
 *               (the engine's per-cycle cause, enum mxu_cause; the header comment repeats it)
 *   fold, fold_valid          the op (= fold of `tpusim mxu`) whose operand entered array row 0
 *   step                      which element of it (ws: row of A, is: column of B, os: K step)
 *   shift_fold, shift_valid   ws/is: the op whose weights the shift chain moved
 *   acc_fold, acc_index, acc_valid   the accumulator write of the cycle (ws/os: row of C,
 *                                     is: column of C)
 * and one scope per PE, mxu.pe_R_C.{a, a_valid, w, psum, psum_valid} for ws/is (plus w_shadow
 * with weight double buffering) and mxu.pe_R_C.{a, a_valid, b, b_valid, acc, acc_valid} for os.
 * int8 operands are 8-bit vectors and int32 sums 32-bit vectors (two's complement); bf16
 * operands and fp32 sums are `real` variables holding their exact values.
 *
 * Time: the unit comes from the clock (vcd_timescale_for_clock): half a period is a whole number
 * of units, e.g. 1000 MHz -> "$timescale 100ps", period 10 units; 700 MHz -> 1 fs units with the
 * half period rounded to 714286 fs (the header comment says so). Cycle x spans
 * [x * period, (x + 1) * period); the values shown from its rising edge are the registers after
 * cycle x (what the PEs computed in it).
 *
 * mxu_trace_open declares every PE register of an R x C array; pass mxu_trace_observe and the
 * tracer to mxu_pe_set_observer; mxu_trace_close marks the end of the last cycle, finishes the
 * file and reports the first writing error. */
#ifndef TP_TPU_MXU_TRACE_H
#define TP_TPU_MXU_TRACE_H
#include "base/err.h"
#include "tpu/mxu.h"

typedef struct mxu_trace mxu_trace;
tp_status mxu_trace_open(const char *path, const mxu_params *p, uint64_t clock_hz, mxu_trace **out,
                         tp_err *err);
void mxu_trace_observe(void *tracer, const mxu_pe_view *view);
tp_status mxu_trace_close(mxu_trace *t, tp_err *err);
#endif
