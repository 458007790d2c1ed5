/* On-chip SRAM (the unified buffer): capacity, banks, ports and bytes per cycle per port, as a
 * bandwidth reservation calendar. Knows nothing about what is stored.
 *
 * Model (docs/memory.md): reads and writes have separate ports. The read side moves
 * banks * read_ports * bytes_per_cycle bytes per cycle in total (the write side likewise with
 * write_ports), assuming accesses spread evenly over banks (addresses interleave by row).
 * An access of B bytes occupies its side for ceil(B / bandwidth) cycles. Each side keeps the
 * future intervals already reserved (an MXU op reserves the port for its rows when it is timed,
 * possibly ahead of the current cycle); sram_earliest finds the first gap of the needed length
 * at or after a cycle, so a later request can use an idle stretch before a future reservation.
 * Two units that together ask for more than the bandwidth queue behind each other (the machine
 * names the wait "ub_bandwidth"). Not modelled: bank conflicts of unlucky strides,
 * read-modify-write.
 */
#ifndef TP_MEM_SRAM_H
#define TP_MEM_SRAM_H
#include <stdbool.h>
#include <stdint.h>

#ifndef SRAM_MAX_RESERVATIONS   /* (the stress build shrinks it) */
#define SRAM_MAX_RESERVATIONS 32   /* per side; when full, the two earliest merge (conservative) */
#endif
#if SRAM_MAX_RESERVATIONS < 2
#error "SRAM_MAX_RESERVATIONS must be >= 2 (a full calendar merges two)"
#endif

typedef struct { uint64_t begin, end; } sram_interval;

typedef struct {
    uint64_t size_bytes;
    uint64_t read_bytes_per_cycle, write_bytes_per_cycle;   /* 0 = unlimited */
    sram_interval res[2][SRAM_MAX_RESERVATIONS];             /* [0] read, [1] write; sorted, disjoint */
    uint32_t n_res[2];
    uint64_t read_bytes, write_bytes;
} sram;

void sram_init(sram *s, uint64_t size_bytes, uint32_t banks, uint32_t read_ports,
               uint32_t write_ports, uint32_t bytes_per_cycle_per_port);
void sram_reset(sram *s);
/* Cycles an access of `bytes` occupies one side: ceil(bytes / bandwidth) (0 if unlimited). */
uint64_t sram_cycles(const sram *s, bool write, uint64_t bytes);
/* Earliest cycle >= t at which an access of `bytes` fits in a free stretch (no reservation). */
uint64_t sram_earliest(const sram *s, bool write, uint64_t t, uint64_t bytes);
/* Reserves the side for the access beginning at `begin` (from sram_earliest); counts the bytes. */
void sram_reserve(sram *s, bool write, uint64_t begin, uint64_t bytes);
/* Forgets reservations that end at or before `now` (time only moves forward). */
void sram_retire(sram *s, uint64_t now);
/* Whether [addr, addr + bytes) fits. */
bool sram_fits(const sram *s, uint64_t addr, uint64_t bytes);
#endif
