/* Banked SRAM bandwidth reservation calendar; the model is in sram.h.
 * Cost: O(reservations) per call, at most SRAM_MAX_RESERVATIONS. */
#include "mem/sram.h"
#include <string.h>

void sram_init(sram *s, uint64_t size_bytes, uint32_t banks, uint32_t read_ports,
               uint32_t write_ports, uint32_t bytes_per_cycle_per_port)
{
    memset(s, 0, sizeof *s);
    s->size_bytes = size_bytes;
    s->read_bytes_per_cycle = (uint64_t)banks * read_ports * bytes_per_cycle_per_port;
    s->write_bytes_per_cycle = (uint64_t)banks * write_ports * bytes_per_cycle_per_port;
}

void sram_reset(sram *s)
{
    s->n_res[0] = s->n_res[1] = 0;
    s->read_bytes = s->write_bytes = 0;
}

uint64_t sram_cycles(const sram *s, bool write, uint64_t bytes)
{
    uint64_t bw = write ? s->write_bytes_per_cycle : s->read_bytes_per_cycle;
    return bw ? (bytes + bw - 1) / bw : 0;
}

uint64_t sram_earliest(const sram *s, bool write, uint64_t t, uint64_t bytes)
{
    uint64_t d = sram_cycles(s, write, bytes), cand = t;
    if (d == 0)
        return t;
    const sram_interval *r = s->res[write];
    for (uint32_t i = 0; i < s->n_res[write]; i++) {
        if (r[i].end <= cand)
            continue;
        if (r[i].begin >= cand + d)
            break;          /* the gap before this reservation is long enough */
        cand = r[i].end;
    }
    return cand;
}

void sram_reserve(sram *s, bool write, uint64_t begin, uint64_t bytes)
{
    if (write)
        s->write_bytes += bytes;
    else
        s->read_bytes += bytes;
    uint64_t d = sram_cycles(s, write, bytes);
    if (d == 0)
        return;
    sram_interval *r = s->res[write];
    uint32_t *n = &s->n_res[write];
    if (*n == SRAM_MAX_RESERVATIONS) {   /* merge the two earliest: may only make waits longer */
        r[0].end = r[1].end > r[0].end ? r[1].end : r[0].end;
        memmove(&r[1], &r[2], sizeof *r * (*n - 2));
        (*n)--;
    }
    uint32_t i = 0;
    while (i < *n && r[i].begin < begin)
        i++;
    memmove(&r[i + 1], &r[i], sizeof *r * (*n - i));
    r[i] = (sram_interval){begin, begin + d};
    (*n)++;
    /* merge touching or overlapping neighbours so the calendar stays sorted and disjoint */
    uint32_t k = 0;
    for (uint32_t j = 1; j < *n; j++) {
        if (r[j].begin <= r[k].end) {
            if (r[j].end > r[k].end)
                r[k].end = r[j].end;
        } else {
            r[++k] = r[j];
        }
    }
    *n = k + 1;
}

void sram_retire(sram *s, uint64_t now)
{
    for (int w = 0; w < 2; w++) {
        uint32_t i = 0;
        while (i < s->n_res[w] && s->res[w][i].end <= now)
            i++;
        if (i) {
            memmove(&s->res[w][0], &s->res[w][i], sizeof(sram_interval) * (s->n_res[w] - i));
            s->n_res[w] -= i;
        }
    }
}

bool sram_fits(const sram *s, uint64_t addr, uint64_t bytes)
{
    return addr <= s->size_bytes && bytes <= s->size_bytes - addr;
}
