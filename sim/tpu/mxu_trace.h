/* A tracer of the MXU per-PE engine's registers into a Value Change Dump (base/vcd.h), for
 * GTKWave: one scope per PE, signals named mxu.pe_R_C.{a, a_valid, w, psum, psum_valid} for
 * ws/is (plus w_shadow with weight double buffering) and mxu.pe_R_C.{a, a_valid, b, b_valid,
 * acc, acc_valid} for os, one time unit per clock ("1 ns" stands for one cycle; the header
 * comment says so). bf16 values are dumped as their 16-bit patterns, int8 as 8 bits, partial
 * sums as 32-bit patterns (int32 or fp32).
 *
 * mxu_trace_open declares every PE register of an R x C array; pass mxu_trace_observe and the
 * tracer to mxu_pe_set_observer; mxu_trace_close finishes the file and reports the first
 * writing error. */
#ifndef TP_TPU_MXU_TRACE_H
#define TP_TPU_MXU_TRACE_H
#include "base/err.h"
#include "tpu/mxu.h"

typedef struct mxu_trace mxu_trace;
tp_status mxu_trace_open(const char *path, const mxu_params *p, mxu_trace **out, tp_err *err);
void mxu_trace_observe(void *tracer, const mxu_pe_view *view);
tp_status mxu_trace_close(mxu_trace *t, tp_err *err);
#endif
