/* The TPU machine: runs an ISA program (tpu/isa.h) on a configured chip, cycle by cycle in
 * time, event by event in cost. Units (per core): the issuer, DMA engines (load, loadw, store
 * queues), MXUs with their weight FIFOs, the vector unit; shared by all cores: the off-chip
 * memories (mem/dram.h). A scoreboard over UB byte ranges, accumulator rows, weight FIFO slots
 * and DRAM tensor blocks orders them (RAW, WAR, WAW). See docs/isa.md and the design comment in
 * machine.c for timing and the cause names.
 *
 * Use:
 *     machine *m; machine_new(&cfg, MACHINE_FAST, &m, &err);
 *     machine_load(m, &prog, &err);                  (validates; the machine keeps a copy;
 *                                                     machine_load_take moves it in instead)
 *     machine_bind(m, "A", a_data, rows, cols, NPY_INT8, &err);   (or machine_set_timing_only)
 *     machine_run(m, &err);
 *     const tp_stats *s = machine_stats(m);          (valid until machine_free / next run)
 *     machine_free(m);
 * Data binding: the machine reads inputs from and writes outputs to the caller's arrays (row-
 * major rows x cols of the declared dtype; they must stay valid during machine_run). A tensor
 * that is not bound is allocated and zero-filled by the machine; machine_tensor_data gives it.
 * Timing-only mode allocates no UB, accumulator or tensor memory and computes no values; its
 * cycles and stats are identical to a run with data.
 */
#ifndef TP_TPU_MACHINE_H
#define TP_TPU_MACHINE_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "base/npy.h"
#include "config/config.h"
#include "stats/stats.h"
#include "stats/timeline.h"
#include "tpu/isa.h"
#include "tpu/mxu.h"

typedef enum { MACHINE_FAST = 0, MACHINE_PE, MACHINE__ENGINES } machine_engine;
const char *machine_engine_name(machine_engine e);          /* "fast" "pe" */
int machine_engine_parse(const char *s, machine_engine *out); /* 0 ok, -1 unknown */

typedef struct machine machine;

/* Creates a machine for cfg->tpu (the config is copied). Fails with TP_ERR_UNSUPPORTED when the
 * engine cannot run this config (e.g. pe with scalesim timing). */
tp_status machine_new(const tp_config *cfg, machine_engine engine, machine **out, tp_err *err);
void machine_free(machine *m);
/* Validates (isa_validate) and takes a copy of the program; replaces any earlier program and
 * its bindings. The program's dtype must be supported by the machine. */
tp_status machine_load(machine *m, const isa_program *p, tp_err *err);
/* The same, moving the program into the machine instead of copying it: on success *p is left
 * an empty program of the same name and dtype (isa_free on it is still right); a program the
 * machine refuses (isa_validate, the MXU's parameters) stays the caller's; out of memory after
 * the move leaves *p empty. */
tp_status machine_load_take(machine *m, isa_program *p, tp_err *err);
/* Binds tensor `name` to caller memory; rows, cols, dtype must match the declaration, else
 * TP_ERR_USAGE naming the tensor and both shapes. */
tp_status machine_bind(machine *m, const char *name, void *data, uint32_t rows, uint32_t cols,
                       npy_dtype dt, tp_err *err);
void machine_set_timing_only(machine *m, bool on);
/* Exact fast-forward (ff.c; docs/performance.md): a timing-only run on one core with the fast
 * engine and no trace jumps over the iterations of a loop whose whole machine state repeats,
 * with the same cycles, causes, bytes and instruction times as the full event simulation. On by
 * default; off simulates every event. machine_ff_skipped: instructions the last run jumped over. */
void machine_set_fast_forward(machine *m, bool on);
uint64_t machine_ff_skipped(const machine *m);
/* The bytes a run of a program of n_ins instructions holds on t: the program and each
 * instruction's run-time record, and with values (!timing_only) each core's unified buffer and
 * accumulators of dtype (what setup_run allocates). */
uint64_t machine_run_bytes(const tp_tpu_cfg *t, uint64_t n_ins, tp_dtype dtype, bool timing_only);
/* Instructions each unit queue of a core holds (the in-order issuer stops at a full one); the
 * tiler's estimate follows it. */
uint32_t machine_queue_depth(void);
/* Threads for the matmuls' values (0 = online CPUs). The machine makes a worker pool
 * (num/pool.h) of that many at its first matmul large enough to use them and keeps it, threads
 * asleep between runs, until machine_free or a different count; timing-only runs and programs
 * of small matmuls start no threads. */
void machine_set_threads(machine *m, int threads);
/* Progress of a run, for a caller's progress bar (base/progress.h's progress_cb fits): called
 * during machine_run with the instructions retired so far and the program's count, often (the
 * callee throttles itself). It never changes the run. NULL fn = none (the default). */
typedef void (*machine_progress_fn)(void *ctx, uint64_t done, uint64_t total);
void machine_set_progress(machine *m, machine_progress_fn fn, void *ctx);
/* Runs the loaded program from a reset machine (buffers zeroed) to completion. Errors:
 * TP_ERR_PROGRAM for run-time faults, with the instruction's position. */
tp_status machine_run(machine *m, tp_err *err);
/* The HTML report's window on the array (engine pe with values): core 0's MXU 0 calls fn after
 * every cycle its per-PE engine simulates (mxu_pe_set_observer). Set before machine_run. */
void machine_set_mxu_observer(machine *m, mxu_pe_observer fn, void *ctx);
/* After machine_run: the ops core 0's MXU 0 ran on the per-PE engine (0 without one), and op
 * i's shape (into *op) and timing (NULL when i is out of range). */
uint32_t machine_mxu_pe_ops(const machine *m);
const mxu_timing *machine_mxu_pe_op(const machine *m, uint32_t i, mxu_op *op);
const tp_stats *machine_stats(const machine *m);
/* The data of a tensor after a run (bound pointer or the machine's own zero-filled buffer);
 * NULL in timing-only mode or for an unknown name. */
void *machine_tensor_data(const machine *m, const char *name);
/* --trace: machine_run records its units' slices and counters into tl (docs/trace.md: a track
 * per DMA engine, MXU, the vector unit, each with its cause track; memory channels; queue
 * depths and bandwidth), at tl->offset. Recording changes no cycle or stat. NULL: none. tl must
 * stay valid until the next machine_set_trace or machine_free. */
void machine_set_trace(machine *m, timeline *tl);
/* Start and end cycle of instruction i in the last run (for tests and traces). */
tp_status machine_instr_times(const machine *m, uint32_t i, uint64_t *start, uint64_t *end,
                              tp_err *err);
#endif
