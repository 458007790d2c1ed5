/* The shared L2: set-associative LRU and a bandwidth queue (see l2.h). */
#include "gpu/l2.h"
#include <stdlib.h>
#include <string.h>

tp_status l2_init(l2_cache *c, const tp_gpu_cfg *g, uint64_t clock_hz, tp_err *err)
{
    uint64_t lines;
    memset(c, 0, sizeof *c);
    if (!g->l2.line_bytes || !g->l2.assoc || g->l2.size_bytes % ((uint64_t)g->l2.line_bytes * g->l2.assoc))
        return tp_err_set(err, TP_ERR_CONFIG, "gpu.l2: size %llu is not a multiple of line_bytes x assoc (%u x %u)",
                          (unsigned long long)g->l2.size_bytes, g->l2.line_bytes, g->l2.assoc);
    c->line_bytes = g->l2.line_bytes;
    c->assoc = g->l2.assoc;
    c->sets = (uint32_t)(g->l2.size_bytes / ((uint64_t)c->line_bytes * c->assoc));
    for (c->set_bits = 0; (2ull << c->set_bits) <= c->sets; c->set_bits++)   /* floor(log2(sets)) */
        ;
    lines = (uint64_t)c->sets * c->assoc;
    c->tag = calloc(lines, sizeof *c->tag);
    c->stamp = calloc(lines, sizeof *c->stamp);
    if (!c->tag || !c->stamp) {
        l2_free(c);
        return tp_err_set(err, TP_ERR_NOMEM, "out of memory for an L2 of %llu lines", (unsigned long long)lines);
    }
    c->bytes_per_cycle = (double)g->l2.bytes_per_s / (double)clock_hz;
    return TP_OK;
}

void l2_free(l2_cache *c)
{
    free(c->tag);
    free(c->stamp);
    c->tag = c->stamp = NULL;
}

uint32_t l2_set(const l2_cache *c, uint64_t line)
{
    uint64_t h = line ^ (line >> c->set_bits) ^ (line >> 2 * c->set_bits);
    return (uint32_t)(h % c->sets);
}

bool l2_lookup(l2_cache *c, uint64_t line)
{
    uint32_t set = l2_set(c, line);
    uint64_t *tag = c->tag + (uint64_t)set * c->assoc;
    uint64_t *stamp = c->stamp + (uint64_t)set * c->assoc;
    uint32_t victim = 0;
    c->now++;
    for (uint32_t w = 0; w < c->assoc; w++) {
        if (tag[w] == line + 1) {
            stamp[w] = c->now;
            c->hits++;
            return true;
        }
        if (stamp[w] < stamp[victim])
            victim = w;
    }
    tag[victim] = line + 1;   /* empty ways have stamp 0, so they are chosen first */
    stamp[victim] = c->now;
    c->misses++;
    return false;
}

double l2_transfer(l2_cache *c, double t, uint64_t bytes)
{
    double s = t > c->free_at ? t : c->free_at;
    c->free_at = s + (double)bytes / c->bytes_per_cycle;
    return c->free_at;
}
