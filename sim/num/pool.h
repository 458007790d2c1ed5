/* Worker pool and large buffers for the value kernels (num/gemm.h).
 *
 * A num_pool is an object its owner creates once and passes to every call that may use threads
 * (a machine owns one for the matmuls of a run); nothing in tpusim keeps one in a global. It
 * holds `threads` participants: the calling thread (worker 0) and threads - 1 started threads
 * that sleep between calls. num_pool_run hands out tasks 0..ntasks-1 to the participants, each
 * task exactly once, in no fixed assignment; it returns when every task has finished. A caller
 * that needs deterministic results makes every task's output independent of which worker runs
 * it (num_gemm does: each task owns a disjoint set of C elements). Each worker also owns a
 * scratch buffer that persists between calls (no allocation or page faults per call).
 * A pool is used by one calling thread at a time; calls do not nest.
 *
 * Big buffers: num_big_alloc gives zeroed memory for large matrices, mapped so that the
 * kernel can back it with 2 MiB pages (on Linux: an aligned anonymous mapping advised
 * MADV_HUGEPAGE). First touches then clear one 2 MiB page per fault instead of 512 small ones,
 * which matters where page faults are slow (virtual machines). Free it with num_big_free only.
 */
#ifndef TP_NUM_POOL_H
#define TP_NUM_POOL_H
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

typedef struct num_pool num_pool;

/* Runs task `task` on participant `worker` (0 = the thread that called num_pool_run). */
typedef void (*num_pool_fn)(void *arg, int worker, uint32_t task);

/* A pool of `threads` participants (0 = num_pool_threads_default()), capped at NUM_POOL_MAX.
 * If some threads cannot be started the pool is smaller (see num_pool_threads); that is not an
 * error. Fails only when memory for the pool itself is missing (TP_ERR_NOMEM). */
enum { NUM_POOL_MAX = 64 };
tp_status num_pool_new(int threads, num_pool **out, tp_err *err);
void num_pool_free(num_pool *p);                     /* stops and joins the threads; NULL ok */
int num_pool_threads(const num_pool *p);             /* participants, including the caller */
int num_pool_threads_default(void);                  /* online CPUs (sysconf), 1..NUM_POOL_MAX */

/* Runs tasks 0..ntasks-1 with at most `workers` participants (<= 0 or more than the pool has:
 * all of them; 1: everything on the calling thread, no wake-up). Returns when all are done.
 * p == NULL runs every task on the calling thread (worker 0). */
void num_pool_run(num_pool *p, uint32_t ntasks, int workers, num_pool_fn fn, void *arg);

/* Worker w's scratch buffer of at least `bytes` (64-byte aligned; its contents are not kept
 * when it grows). Call it from the owning thread before num_pool_run, or from worker w inside
 * a task. NULL when memory is missing or w is not below NUM_POOL_MAX. p must not be NULL. */
void *num_pool_scratch(num_pool *p, int worker, size_t bytes);

/* Zeroed memory of `bytes` (64-byte aligned), large regions backed by huge pages where the
 * system allows it; NULL when memory is missing. num_big_free(NULL) does nothing. */
void *num_big_alloc(size_t bytes);
void num_big_free(void *ptr);
#endif
