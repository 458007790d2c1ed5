/* On-chip SRAM (the unified buffer, accumulators): capacity, banks, ports and bytes per cycle
 * per port, as a bandwidth reservation. Knows nothing about what is stored.
 *
 * Model (docs/memory.md): reads and writes have separate ports. The read side moves
 * banks * read_ports * bytes_per_cycle bytes per cycle in total (the write side likewise with
 * write_ports), assuming accesses spread evenly over banks (addresses interleave by row).
 * An access of B bytes that may begin at cycle t occupies its side for ceil(B / bandwidth)
 * cycles starting at max(t, next_free); sram_reserve returns that start. So two units that
 * together ask for more than the bandwidth queue behind each other (the machine names the wait
 * "ub_bandwidth"). Not modelled: bank conflicts of unlucky strides, read-modify-write.
 */
#ifndef TP_MEM_SRAM_H
#define TP_MEM_SRAM_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t size_bytes;
    uint64_t read_bytes_per_cycle, write_bytes_per_cycle;   /* 0 = unlimited */
    uint64_t next_free[2];      /* [0] read side, [1] write side */
    uint64_t read_bytes, write_bytes;
} sram;

void sram_init(sram *s, uint64_t size_bytes, uint32_t banks, uint32_t read_ports,
               uint32_t write_ports, uint32_t bytes_per_cycle_per_port);
void sram_reset(sram *s);
/* Cycles an access of `bytes` occupies one side: ceil(bytes / bandwidth) (0 if unlimited). */
uint64_t sram_cycles(const sram *s, bool write, uint64_t bytes);
/* Earliest cycle >= t at which an access of `bytes` can begin on that side (no reservation). */
uint64_t sram_earliest(const sram *s, bool write, uint64_t t);
/* Reserves the side for the access beginning at `begin` (>= sram_earliest); counts the bytes. */
void sram_reserve(sram *s, bool write, uint64_t begin, uint64_t bytes);
/* Whether [addr, addr + bytes) fits. */
bool sram_fits(const sram *s, uint64_t addr, uint64_t bytes);
#endif
