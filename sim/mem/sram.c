/* Banked SRAM bandwidth reservation; the model is in sram.h. */
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
    s->next_free[0] = s->next_free[1] = 0;
    s->read_bytes = s->write_bytes = 0;
}

uint64_t sram_cycles(const sram *s, bool write, uint64_t bytes)
{
    uint64_t bw = write ? s->write_bytes_per_cycle : s->read_bytes_per_cycle;
    return bw ? (bytes + bw - 1) / bw : 0;
}

uint64_t sram_earliest(const sram *s, bool write, uint64_t t)
{
    uint64_t nf = s->next_free[write ? 1 : 0];
    return nf > t ? nf : t;
}

void sram_reserve(sram *s, bool write, uint64_t begin, uint64_t bytes)
{
    uint64_t end = begin + sram_cycles(s, write, bytes);
    if (end > s->next_free[write ? 1 : 0])
        s->next_free[write ? 1 : 0] = end;
    if (write)
        s->write_bytes += bytes;
    else
        s->read_bytes += bytes;
}

bool sram_fits(const sram *s, uint64_t addr, uint64_t bytes)
{
    return addr <= s->size_bytes && bytes <= s->size_bytes - addr;
}
