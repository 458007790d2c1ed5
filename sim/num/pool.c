/* Worker pool and big buffers: see pool.h.
 *
 * NOTES ON THE DESIGN OF THE POOL
 * 1. A run is published through atomics: the caller fills in the run's fields (fn, arg,
 *    ntasks, workers), resets the task counter, sets `open` and then bumps `gen`. Threads
 *    watch `gen`. Tasks are taken with an atomic fetch-and-add on `next`.
 * 2. Waking a sleeping thread costs tens of microseconds on a virtual machine (the host has to
 *    schedule an idle vCPU), more than a small GEMM call, so a thread that has finished a run
 *    spins on `gen` for up to SPIN_NS before it sleeps on the condition variable `go`. The
 *    caller broadcasts `go` only when some thread is asleep (`sleepers`, under the mutex).
 * 3. Entering: a thread counts itself in `inside`, then checks `open` (and that its id is below
 *    the run's worker count); if the run is closed it leaves again at once. The caller closes
 *    the run when every task has been handed out and then waits until `inside` is 0, so it
 *    never waits for a thread that had nothing to do, and no thread reads a run's fields
 *    unless it saw that run open (they are written only while no run is open and no thread is
 *    inside).
 * 4. Each participant's scratch buffer belongs to it alone; it grows, never shrinks, and is
 *    freed with the pool.
 */
#define _DEFAULT_SOURCE 1   /* mmap's MAP_ANONYMOUS and madvise's MADV_HUGEPAGE */
#include "num/pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#define POOL_HAVE_MMAP 1
#else
#define POOL_HAVE_MMAP 0
#endif
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define CPU_RELAX() __builtin_ia32_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

#define SPIN_NS 2000000ll   /* a thread spins this long (2 ms) after a run before it sleeps */

typedef struct {
    void *ptr;
    size_t cap;
} scratch;

typedef struct {
    num_pool *p;
    int id;
} worker_arg;

struct num_pool {
    pthread_mutex_t mu;
    pthread_cond_t go;
    int nthreads;                    /* participants, including the caller */
    int started;                     /* threads started (ids 1..started) */
    pthread_t tid[NUM_POOL_MAX];
    worker_arg wa[NUM_POOL_MAX];
    scratch s[NUM_POOL_MAX];
    int sleepers;                    /* threads waiting on go (under mu) */
    atomic_bool stop;
    /* the current run: the fields below are written only while !open and inside == 0 */
    atomic_uint_fast64_t gen;        /* run number; a change wakes the threads */
    atomic_bool open;                /* threads may still enter the run */
    atomic_int inside;               /* started threads inside the run */
    atomic_uint next;                /* next task to hand out */
    int workers;                     /* participants of this run: ids below it take part */
    num_pool_fn fn;
    void *arg;
    unsigned ntasks;
};

int num_pool_threads_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > NUM_POOL_MAX ? NUM_POOL_MAX : (int)n;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void drain_tasks(num_pool *p, int id)
{
    for (;;) {
        unsigned t = atomic_fetch_add(&p->next, 1u);
        if (t >= p->ntasks)
            return;
        p->fn(p->arg, id, t);
    }
}

/* Waits until gen differs from seen or the pool stops; returns the new gen. */
static uint_fast64_t wait_run(num_pool *p, uint_fast64_t seen)
{
    int64_t t0 = now_ns();
    for (unsigned i = 1;; i++) {
        uint_fast64_t g = atomic_load(&p->gen);
        if (g != seen || atomic_load(&p->stop))
            return g;
        CPU_RELAX();
        if (i % 256 == 0 && now_ns() - t0 > SPIN_NS)
            break;
    }
    pthread_mutex_lock(&p->mu);
    p->sleepers++;
    uint_fast64_t g;
    while ((g = atomic_load(&p->gen)) == seen && !atomic_load(&p->stop))
        pthread_cond_wait(&p->go, &p->mu);
    p->sleepers--;
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void *worker_main(void *v)
{
    const worker_arg *wa = v;
    num_pool *p = wa->p;
    uint_fast64_t seen = 0;
    for (;;) {
        seen = wait_run(p, seen);
        if (atomic_load(&p->stop))
            break;
        atomic_fetch_add(&p->inside, 1);
        if (atomic_load(&p->open) && wa->id < p->workers)
            drain_tasks(p, wa->id);
        atomic_fetch_sub(&p->inside, 1);
    }
    return NULL;
}

tp_status num_pool_new(int threads, num_pool **out, tp_err *err)
{
    *out = NULL;
    if (threads <= 0)
        threads = num_pool_threads_default();
    if (threads > NUM_POOL_MAX)
        threads = NUM_POOL_MAX;
    num_pool *p = calloc(1, sizeof *p);
    if (!p)
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory for the worker pool");
    if (pthread_mutex_init(&p->mu, NULL)) {
        free(p);
        return tp_err_set(err, TP_ERR_NOMEM, "cannot create the worker pool's mutex");
    }
    if (pthread_cond_init(&p->go, NULL)) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return tp_err_set(err, TP_ERR_NOMEM, "cannot create the worker pool's condition");
    }
    atomic_init(&p->stop, false);
    atomic_init(&p->gen, 0);
    atomic_init(&p->open, false);
    atomic_init(&p->inside, 0);
    atomic_init(&p->next, 0);
    p->nthreads = 1;
    for (int i = 1; i < threads; i++) {
        p->wa[i] = (worker_arg){p, i};
        if (pthread_create(&p->tid[i], NULL, worker_main, &p->wa[i]) != 0)
            break;   /* a smaller pool still computes the same values */
        p->started = i;
        p->nthreads = i + 1;
    }
    *out = p;
    return TP_OK;
}

void num_pool_free(num_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, true);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i <= p->started; i++)
        pthread_join(p->tid[i], NULL);
    for (int i = 0; i < NUM_POOL_MAX; i++)
        free(p->s[i].ptr);
    pthread_cond_destroy(&p->go);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int num_pool_threads(const num_pool *p)
{
    return p ? p->nthreads : 1;
}

void num_pool_run(num_pool *p, uint32_t ntasks, int workers, num_pool_fn fn, void *arg)
{
    int have = num_pool_threads(p);
    if (workers <= 0 || workers > have)
        workers = have;
    if ((uint32_t)workers > ntasks)
        workers = ntasks ? (int)ntasks : 1;
    if (workers == 1) {
        for (uint32_t t = 0; t < ntasks; t++)
            fn(arg, 0, t);
        return;
    }
    p->fn = fn;
    p->arg = arg;
    p->ntasks = ntasks;
    p->workers = workers;
    atomic_store(&p->next, 0u);
    atomic_store(&p->open, true);
    atomic_fetch_add(&p->gen, 1);
    pthread_mutex_lock(&p->mu);
    if (p->sleepers > 0)
        pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    drain_tasks(p, 0);
    atomic_store(&p->open, false);   /* every task is handed out: late threads need not come */
    for (unsigned i = 1; atomic_load(&p->inside) > 0; i++) {
        CPU_RELAX();
        if (i % 1024 == 0)
            sched_yield();   /* a thread inside may be waiting for this CPU */
    }
}

void *num_pool_scratch(num_pool *p, int worker, size_t bytes)
{
    if (worker < 0 || worker >= NUM_POOL_MAX)
        return NULL;
    scratch *s = &p->s[worker];
    if (s->cap >= bytes && s->ptr)
        return s->ptr;
    size_t cap = (bytes + 63) / 64 * 64;
    if (cap == 0)
        cap = 64;
    void *q = aligned_alloc(64, cap);
    if (!q)
        return NULL;
    free(s->ptr);
    s->ptr = q;
    s->cap = cap;
    return q;
}

/* ---- big buffers ----------------------------------------------------------------------------
 * Layout: a 64-byte header right before the returned pointer records how the block was made
 * (the mapping's start and length, or a NULL start for a block from aligned_alloc). Mapped blocks start
 * their data on a 2 MiB boundary; the header sits in the small page before it. */

enum { BIG_HEADER = 64 };
#define BIG_PAGE ((size_t)2 << 20)
#define BIG_MIN ((size_t)1 << 20)   /* smaller blocks come from aligned_alloc */

typedef struct {
    void *map;        /* start of the mapping, NULL if from aligned_alloc */
    size_t map_len;   /* its length in bytes */
} big_header;

void *num_big_alloc(size_t bytes)
{
    if (bytes > SIZE_MAX - 2 * BIG_PAGE)
        return NULL;
#if POOL_HAVE_MMAP
    if (bytes >= BIG_MIN) {
        /* the data starts at the first 2 MiB boundary after the header, at most 2 MiB in */
        size_t rounded = (bytes + BIG_PAGE - 1) / BIG_PAGE * BIG_PAGE;
        size_t len = rounded + BIG_PAGE;
        void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map == MAP_FAILED)
            return NULL;
        uintptr_t data = ((uintptr_t)map + BIG_HEADER + BIG_PAGE - 1) / BIG_PAGE * BIG_PAGE;
#ifdef MADV_HUGEPAGE
        /* advice only: without huge pages the block works the same, just slower to touch */
        (void)madvise((void *)data, rounded, MADV_HUGEPAGE);
#endif
        big_header h = {map, len};
        memcpy((char *)data - BIG_HEADER, &h, sizeof h);
        return (void *)data;
    }
#endif
    size_t len = (bytes + BIG_HEADER + 63) / 64 * 64;
    char *q = aligned_alloc(64, len);
    if (!q)
        return NULL;
    memset(q, 0, len);
    big_header h = {NULL, 0};
    memcpy(q, &h, sizeof h);
    return q + BIG_HEADER;
}

void num_big_free(void *ptr)
{
    if (!ptr)
        return;
    big_header h;
    memcpy(&h, (char *)ptr - BIG_HEADER, sizeof h);
#if POOL_HAVE_MMAP
    if (h.map) {
        munmap(h.map, h.map_len);
        return;
    }
#endif
    free((char *)ptr - BIG_HEADER);
}
