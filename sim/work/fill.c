/* Seeded random inputs: see fill.h. */
#include "work/fill.h"
#include <stdint.h>
#include "num/pool.h"

/* One bf16 from the 12 low bits of v: sign bit 11, exponent offset bits 7..9, fraction 0..6. */
static inline uint16_t bf16_of_bits(uint64_t v)
{
    return rng_bf16_fields((unsigned)(v >> 11), (unsigned)(v >> 7), (unsigned)v);
}

/* One chunk of values from its own stream. */
static void fill_chunk(tp_dtype dt, void *p, size_t n, rng_state *r)
{
    if (dt == TP_INT8) {
        uint8_t *x = p;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t v = rng_u64(r);
            for (unsigned j = 0; j < 8; j++)
                x[i + j] = (uint8_t)(v >> (8 * j));
        }
        if (i < n) {
            uint64_t v = rng_u64(r);
            for (; i < n; i++, v >>= 8)
                x[i] = (uint8_t)v;
        }
    } else {
        uint16_t *x = p;
        size_t i = 0;
        for (; i + 5 <= n; i += 5) {
            uint64_t v = rng_u64(r);
            x[i] = bf16_of_bits(v);
            x[i + 1] = bf16_of_bits(v >> 12);
            x[i + 2] = bf16_of_bits(v >> 24);
            x[i + 3] = bf16_of_bits(v >> 36);
            x[i + 4] = bf16_of_bits(v >> 48);
        }
        if (i < n) {
            uint64_t v = rng_u64(r);
            for (; i < n; i++, v >>= 12)
                x[i] = bf16_of_bits(v);
        }
    }
}

typedef struct {
    tp_dtype dt;
    uint8_t *p;
    size_t n;
    size_t first;            /* chunk of task 0 (the matrix is run in runs of at most UINT32_MAX tasks) */
    uint64_t base;           /* the one draw from the caller's stream */
} fill_job;

/* Task t fills chunk first + t from its own stream; which worker runs it does not matter. */
static void fill_task(void *arg, int worker, uint32_t task)
{
    (void)worker;
    const fill_job *j = arg;
    size_t c = j->first + task;
    size_t eb = dtype_in_bytes(j->dt);
    /* chunk c's stream: seeded by one splitmix output of (base + c), distinct per chunk */
    rng_state s;
    rng_init(&s, j->base + c);
    rng_init(&s, rng_u64(&s));
    size_t len = j->n - c * FILL_CHUNK < FILL_CHUNK ? j->n - c * FILL_CHUNK : FILL_CHUNK;
    fill_chunk(j->dt, j->p + c * FILL_CHUNK * eb, len, &s);
}

void fill_random(tp_dtype dt, void *p, size_t n, rng_state *r)
{
    uint64_t base = rng_u64(r);
    size_t chunks = (n + FILL_CHUNK - 1) / FILL_CHUNK;
    size_t nt = (size_t)num_pool_threads_default();
    nt = nt > FILL_THREADS ? FILL_THREADS : nt;
    nt = nt > chunks ? chunks : nt;
    /* no pool (one worker, or no memory for one): every chunk on this thread, same values */
    num_pool *pool = NULL;
    if (nt > 1 && num_pool_new((int)nt, &pool, NULL) != TP_OK)
        pool = NULL;
    fill_job j = {dt, p, n, 0, base};
    while (j.first < chunks) {
        size_t left = chunks - j.first;
        uint32_t tasks = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
        num_pool_run(pool, tasks, 0, fill_task, &j);
        j.first += tasks;
    }
    num_pool_free(pool);
}
