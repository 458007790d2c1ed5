/* Banked SRAM bandwidth reservation calendar; the model is in sram.h.
 * Cost: O(n^3) per sram_earliest in the worst case, n = the reservations still ahead (at most
 * SRAM_MAX_RESERVATIONS; a handful in practice), O(n) per reservation. */
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

static uint64_t bw_of(const sram *s, bool write)
{
    return write ? s->write_bytes_per_cycle : s->read_bytes_per_cycle;
}

uint64_t sram_rate(const sram *s, bool write, uint64_t rate)
{
    uint64_t bw = bw_of(s, write);
    return !bw ? 0 : rate == 0 || rate > bw ? bw : rate;
}

uint64_t sram_cycles_at(const sram *s, bool write, uint64_t bytes, uint64_t rate)
{
    uint64_t r = sram_rate(s, write, rate);
    return r ? (bytes + r - 1) / r : 0;
}

uint64_t sram_cycles(const sram *s, bool write, uint64_t bytes)
{
    return sram_cycles_at(s, write, bytes, 0);
}

/* The bandwidth the reservations use in cycle x. */
static uint64_t used_at(const sram_interval *r, uint32_t n, uint64_t x)
{
    uint64_t u = 0;
    for (uint32_t i = 0; i < n && r[i].begin <= x; i++)
        if (x < r[i].end)
            u += r[i].rate;
    return u;
}

/* Whether `rate` more fits in every cycle of [x, x + d): usage only rises where a reservation
 * begins, so x and the begins inside the window are the cycles to check. */
static bool fits(const sram_interval *r, uint32_t n, uint64_t x, uint64_t d, uint64_t rate, uint64_t bw)
{
    if (used_at(r, n, x) + rate > bw)
        return false;
    for (uint32_t i = 0; i < n && r[i].begin < x + d; i++)
        if (r[i].begin > x && used_at(r, n, r[i].begin) + rate > bw)
            return false;
    return true;
}

uint64_t sram_earliest(const sram *s, bool write, uint64_t t, uint64_t bytes, uint64_t rate)
{
    uint64_t bw = bw_of(s, write), r = sram_rate(s, write, rate), d = sram_cycles_at(s, write, bytes, rate);
    if (d == 0)
        return t;
    const sram_interval *res = s->res[write];
    uint32_t n = s->n_res[write];
    if (fits(res, n, t, d, r, bw))
        return t;
    /* usage only falls where a reservation ends: the next candidates are those ends */
    uint64_t best = UINT64_MAX;
    for (uint32_t i = 0; i < n; i++)
        if (res[i].end > t && res[i].end < best && fits(res, n, res[i].end, d, r, bw))
            best = res[i].end;
    return best;   /* the latest end always fits: nothing is reserved after it */
}

void sram_reserve(sram *s, bool write, uint64_t begin, uint64_t bytes, uint64_t rate)
{
    if (write)
        s->write_bytes += bytes;
    else
        s->read_bytes += bytes;
    uint64_t r = sram_rate(s, write, rate), bw = bw_of(s, write), d = sram_cycles_at(s, write, bytes, rate);
    if (d == 0)
        return;
    sram_interval *res = s->res[write];
    uint32_t *n = &s->n_res[write];
    if (*n == SRAM_MAX_RESERVATIONS) {
        /* merge the two earliest into one over both spans at both rates: may only make waits
         * longer */
        res[0].end = res[1].end > res[0].end ? res[1].end : res[0].end;
        res[0].rate = res[0].rate + res[1].rate > bw ? bw : res[0].rate + res[1].rate;
        memmove(&res[1], &res[2], sizeof *res * (*n - 2));
        (*n)--;
    }
    uint32_t i = 0;
    while (i < *n && res[i].begin <= begin)
        i++;
    memmove(&res[i + 1], &res[i], sizeof *res * (*n - i));
    res[i] = (sram_interval){begin, begin + d, r};
    (*n)++;
}

uint64_t sram_book(sram *s, bool write, uint64_t t, uint64_t bytes, uint64_t rate)
{
    uint64_t b = sram_earliest(s, write, t, bytes, rate);
    sram_reserve(s, write, b, bytes, rate);
    return b + sram_cycles_at(s, write, bytes, rate);
}

void sram_retire(sram *s, uint64_t now)
{
    for (int w = 0; w < 2; w++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < s->n_res[w]; i++)
            if (s->res[w][i].end > now)
                s->res[w][k++] = s->res[w][i];
        s->n_res[w] = k;
    }
}

bool sram_fits(const sram *s, uint64_t addr, uint64_t bytes)
{
    return addr <= s->size_bytes && bytes <= s->size_bytes - addr;
}
