/* Running a tiled GEMM: see run.h. The reference is independent of the machine: it never looks
 * at the program, only at the problem and the accumulation chunk kc the plan states. */
#include "tiler/run.h"
#include <inttypes.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "num/gemm.h"
#include "num/pool.h"

void tiler_result_free(tiler_result *r)
{
    if (!r)
        return;
    stats_free(&r->stats);
    num_big_free(r->a);
    num_big_free(r->b);
    num_big_free(r->c);
    memset(r, 0, sizeof *r);
}

tp_status tiler_check_sizes(const tiler_problem *pb, tp_err *err)
{
    uint64_t a = (uint64_t)pb->batch * pb->m * pb->k, b = (uint64_t)pb->batch * pb->k * pb->n;
    uint64_t c = (uint64_t)pb->batch * pb->m * pb->n;
    uint64_t big = a > b ? a : b;
    big = big > c ? big : c;
    if ((uint64_t)pb->batch * pb->m > UINT32_MAX || (uint64_t)pb->batch * pb->k > UINT32_MAX ||
        (uint64_t)pb->batch * pb->n > UINT32_MAX || big > NPY_MAX_ELEMS)
        return tp_err_set(err, TP_ERR_NOMEM,
                          "gemm %ux%ux%u (batch %u): a matrix of %" PRIu64 " elements is over the limit of %llu "
                          "(use --no-data for a timing-only run)",
                          pb->m, pb->n, pb->k, pb->batch, big, (unsigned long long)NPY_MAX_ELEMS);
    return TP_OK;
}

void tiler_reference(const tiler_problem *pb, const tiler_plan *plan, const void *a, const void *b,
                     void *c, int threads)
{
    const size_t ib = dtype_in_bytes(pb->dtype);
    const size_t m = pb->m, n = pb->n, k = pb->k;
    for (uint32_t bi = 0; bi < pb->batch; bi++) {
        num_gemm_args g;
        memset(&g, 0, sizeof g);
        g.a = (const char *)a + (size_t)bi * m * k * ib;
        if (pb->transpose_a) {
            g.a_rs = 1;
            g.a_cs = m;
        } else {
            g.a_rs = k;
            g.a_cs = 1;
        }
        g.b = (const char *)b + (size_t)bi * k * n * ib;
        if (pb->transpose_b) {
            g.b_rs = 1;
            g.b_cs = k;
        } else {
            g.b_rs = n;
            g.b_cs = 1;
        }
        g.c = (char *)c + (size_t)bi * m * n * 4;
        g.ldc = n;
        g.m = pb->m;
        g.n = pb->n;
        g.k = pb->k;
        g.kc = plan->kc;
        g.accumulate = false;
        if (plan->split_k <= 1 || plan->k_part >= pb->k) {
            num_gemm(pb->dtype, &g, threads);
            continue;
        }
        /* split-K: part sums P_p over [p*k_part, (p+1)*k_part), then C = P_p + C in part order */
        void *part = malloc(m * n * 4);
        if (!part) {
            memset(g.c, 0xff, m * n * 4);   /* cannot happen in practice; a certain mismatch */
            continue;
        }
        for (uint32_t k0 = 0; k0 < pb->k; k0 += plan->k_part) {
            num_gemm_args gp = g;
            gp.k = pb->k - k0 < plan->k_part ? pb->k - k0 : plan->k_part;
            gp.a = (const char *)g.a + (size_t)k0 * g.a_cs * ib;
            gp.b = (const char *)g.b + (size_t)k0 * g.b_rs * ib;
            gp.c = k0 == 0 ? g.c : part;
            num_gemm(pb->dtype, &gp, threads);
            if (k0 == 0)
                continue;
            for (size_t i = 0; i < m * n; i++) {
                if (pb->dtype == TP_INT8)
                    ((int32_t *)g.c)[i] = num_i32_add(((int32_t *)part)[i], ((int32_t *)g.c)[i]);
                else
                    ((float *)g.c)[i] = ((float *)part)[i] + ((float *)g.c)[i];
            }
        }
        free(part);
    }
    /* epilogue, in place (raw outputs are 4 bytes; int8 / bf16 outputs are packed afterwards) */
    size_t total = (size_t)pb->batch * m * n;
    if (plan->epilogue == WL_EPI_NONE)
        return;
    if (pb->dtype == TP_INT8) {
        int32_t *x = c;
        if (plan->epilogue == WL_EPI_RELU) {
            for (size_t i = 0; i < total; i++)
                x[i] = x[i] < 0 ? 0 : x[i];
        } else {
            int8_t *o = c;
            for (size_t i = 0; i < total; i++)
                o[i] = num_requant_i8(x[i], plan->requant_scale);
        }
    } else {
        float *x = c;
        if (plan->epilogue == WL_EPI_RELU) {
            for (size_t i = 0; i < total; i++)
                x[i] = x[i] < 0.0f ? 0.0f : x[i];
        } else {
            uint16_t *o = c;
            for (size_t i = 0; i < total; i++)
                o[i] = dtype_f32_to_bf16(x[i]);
        }
    }
}

/* Seeded random inputs, several values per 64-bit draw (input generation must not dominate a
 * functional run). int8: 8 uniform bytes per draw. bf16: 5 values per draw, each from 12 bits:
 * sign, 3-bit exponent offset (biased exponent 123..130, |x| in [2^-4, 2^4)) and 7 fraction
 * bits: finite normal values whose sums of thousands of products stay far from overflow. */
static inline uint16_t bf16_of_bits(uint64_t v)
{
    return (uint16_t)((((v >> 11) & 1u) << 15) | ((123u + ((v >> 7) & 7u)) << 7) | (v & 0x7fu));
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

#define FILL_CHUNK 65536u   /* values per independent stream */
#define FILL_THREADS 8

typedef struct {
    tp_dtype dt;
    uint8_t *p;
    size_t n, first, step;   /* this worker fills chunks first, first + step, ... */
    uint64_t base;
} fill_job;

static void *fill_worker(void *arg)
{
    const fill_job *j = arg;
    size_t eb = dtype_in_bytes(j->dt);
    for (size_t c = j->first; c * FILL_CHUNK < j->n; c += j->step) {
        /* chunk c's stream: seeded by one splitmix output of (base + c), distinct per chunk */
        rng_state s;
        rng_init(&s, j->base + c);
        rng_init(&s, rng_u64(&s));
        size_t len = j->n - c * FILL_CHUNK < FILL_CHUNK ? j->n - c * FILL_CHUNK : FILL_CHUNK;
        fill_chunk(j->dt, j->p + c * FILL_CHUNK * eb, len, &s);
    }
    return NULL;
}

void tiler_fill_random(tp_dtype dt, void *p, size_t n, rng_state *r)
{
    /* one draw from r picks the matrix's streams; chunks are independent, so the values do not
     * depend on how many threads fill them */
    fill_job jobs[FILL_THREADS];
    pthread_t th[FILL_THREADS];
    size_t chunks = (n + FILL_CHUNK - 1) / FILL_CHUNK;
    size_t nt = (size_t)num_gemm_threads_default();
    nt = nt < 1 ? 1 : nt > FILL_THREADS ? FILL_THREADS : nt;
    nt = nt > chunks ? (chunks ? chunks : 1) : nt;
    uint64_t base = rng_u64(r);
    size_t started = 0;
    for (size_t t = 0; t < nt; t++) {
        jobs[t] = (fill_job){dt, p, n, t, nt, base};
        if (t > 0 && pthread_create(&th[t], NULL, fill_worker, &jobs[t]) != 0)
            break;
        started = t + 1;
    }
    if (started < nt) {   /* a thread could not start: do its share here */
        for (size_t t = started; t < nt; t++)
            fill_worker(&jobs[t]);
    }
    fill_worker(&jobs[0]);
    for (size_t t = 1; t < started; t++)
        pthread_join(th[t], NULL);
}

static void describe(char *buf, size_t cap, npy_dtype dt, const void *p, size_t i)
{
    switch (dt) {
    case NPY_INT8: snprintf(buf, cap, "%d", ((const int8_t *)p)[i]); break;
    case NPY_INT32: snprintf(buf, cap, "%d", ((const int32_t *)p)[i]); break;
    case NPY_F32: {
        float f = ((const float *)p)[i];
        snprintf(buf, cap, "%.9g (0x%08x)", (double)f, dtype_f32_bits(f));
        break;
    }
    default: {
        uint16_t u = ((const uint16_t *)p)[i];
        snprintf(buf, cap, "%.4g (0x%04x)", (double)dtype_bf16_to_f32(u), u);
        break;
    }
    }
}

tp_status tiler_run(const tp_config *cfg, const tiler_problem *pb, const tiler_plan *plan,
                    const tiler_run_opts *o, tiler_result *r, tp_err *err)
{
    memset(r, 0, sizeof *r);
    stats_init(&r->stats);
    r->plan = *plan;
    isa_program p;
    machine *mc = NULL;
    void *ref = NULL;
    tp_status st = tiler_generate(&cfg->tpu, pb, plan, &p, err);
    if (st == TP_OK)
        st = machine_new(cfg, o->engine, &mc, err);
    if (st == TP_OK)
        st = machine_load(mc, &p, err);
    const size_t ib = dtype_in_bytes(pb->dtype), ob = npy_dtype_size(plan->out_dtype);
    const size_t na = (size_t)pb->batch * pb->m * pb->k, nb = (size_t)pb->batch * pb->k * pb->n;
    const size_t nc = (size_t)pb->batch * pb->m * pb->n;
    const npy_dtype idt = npy_dtype_of_input(pb->dtype);
    if (st == TP_OK && o->timing_only) {
        machine_set_timing_only(mc, true);
    } else if (st == TP_OK) {
        st = tiler_check_sizes(pb, err);
        if (st == TP_OK) {
            /* big buffers (num/pool.h): first touches fault in 2 MiB pages where possible */
            r->a = num_big_alloc(na * ib);
            r->b = num_big_alloc(nb * ib);
            r->c = num_big_alloc(nc * ob);
            if (!r->a || !r->b || !r->c)
                st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the matrices of gemm %ux%ux%u",
                                pb->m, pb->n, pb->k);
        }
        if (st == TP_OK) {
            rng_state rs;
            rng_init(&rs, o->seed);
            if (o->a)
                memcpy(r->a, o->a, na * ib);
            else
                tiler_fill_random(pb->dtype, r->a, na, &rs);
            if (o->b)
                memcpy(r->b, o->b, nb * ib);
            else
                tiler_fill_random(pb->dtype, r->b, nb, &rs);
            uint32_t ar = pb->transpose_a ? pb->batch * pb->k : pb->batch * pb->m;
            uint32_t ac = pb->transpose_a ? pb->m : pb->k;
            uint32_t br = pb->transpose_b ? pb->batch * pb->n : pb->batch * pb->k;
            uint32_t bc = pb->transpose_b ? pb->k : pb->n;
            machine_set_threads(mc, o->threads);
            st = machine_bind(mc, "A", r->a, ar, ac, idt, err);
            if (st == TP_OK)
                st = machine_bind(mc, "B", r->b, br, bc, idt, err);
            if (st == TP_OK)
                st = machine_bind(mc, "C", r->c, pb->batch * pb->m, pb->n, plan->out_dtype, err);
        }
    }
    if (st == TP_OK)
        st = machine_run(mc, err);
    if (st == TP_OK)
        st = stats_copy(&r->stats, machine_stats(mc), err);
    if (st == TP_OK && !o->timing_only && o->check) {
        ref = num_big_alloc(nc * 4);
        if (!ref)
            st = tp_err_set(err, TP_ERR_NOMEM, "out of memory for the reference result");
        else {
            tiler_reference(pb, plan, r->a, r->b, ref, o->threads);
            r->checked = true;
            r->match = memcmp(ref, r->c, nc * ob) == 0;
            if (!r->match) {
                size_t i = 0;
                while (i < nc && !memcmp((char *)ref + i * ob, (char *)r->c + i * ob, ob))
                    i++;
                char got[48], want[48];
                describe(got, sizeof got, plan->out_dtype, r->c, i);
                describe(want, sizeof want, plan->out_dtype, ref, i);
                size_t row = i / pb->n, col = i % pb->n;
                snprintf(r->mismatch, sizeof r->mismatch, "C[%zu, %zu]%s is %s but the reference gives %s",
                         row % pb->m, col, pb->batch > 1 ? " (batch element)" : "", got, want);
            }
        }
    }
    if (st == TP_OK) {
        const tp_stats *s = &r->stats;
        const tp_tpu_cfg *t = &cfg->tpu;
        r->macs = (uint64_t)pb->batch * pb->m * pb->n * pb->k;
        for (uint32_t i = 0; i < s->n_levels; i++)
            if (s->levels[i].off_chip)
                r->offchip_bytes += s->levels[i].read_bytes + s->levels[i].write_bytes;
        r->peak_ops_per_s = cfg_tpu_peak_ops_per_s(t, pb->dtype);
        double sec = (double)s->cycles / (double)t->clock_hz;
        r->ops_per_s = sec > 0 ? 2.0 * (double)r->macs / sec : 0.0;
        r->intensity = r->offchip_bytes ? 2.0 * (double)r->macs / (double)r->offchip_bytes : INFINITY;
        const tp_mem_cfg *mem = &t->mem[TP_MEM_DRAM];
        double bw = mem->ideal ? INFINITY : (double)mem->bytes_per_s;
        double roof = r->intensity * bw;
        r->roofline_ops_per_s = roof < r->peak_ops_per_s ? roof : r->peak_ops_per_s;
    }
    num_big_free(ref);
    machine_free(mc);
    isa_free(&p);
    if (st != TP_OK)
        tiler_result_free(r);
    return st;
}
