/* On-chip SRAM (the unified buffer): capacity, banks, ports and bytes per cycle per port, as a
 * bandwidth reservation calendar. Knows nothing about what is stored.
 *
 * Model (docs/memory.md): reads and writes have separate ports. The read side moves
 * banks * read_ports * bytes_per_cycle bytes per cycle in total (the write side likewise with
 * write_ports), assuming accesses spread evenly over banks (addresses interleave by row).
 * An access of B bytes at a rate of r bytes per cycle (what its unit moves: a DMA engine's
 * bytes_per_cycle, the MXU's row per stream cycle; at most the side's bandwidth) uses r of the
 * side's bandwidth for ceil(B / r) cycles. Each side keeps the future reservations already made
 * (an MXU op reserves its reads when it is timed, possibly ahead of the current cycle);
 * sram_earliest finds the first cycle at or after t from which the access fits beside them
 * (their rates plus r within the bandwidth in every cycle), so a later request can use spare
 * bandwidth before or beside a future reservation. Units that together ask for more than the
 * bandwidth queue behind each other (the machine names the wait "ub_bandwidth"). Not
 * modelled: bank conflicts of unlucky strides, read-modify-write.
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

typedef struct { uint64_t begin, end, rate; } sram_interval;   /* [begin, end) at rate bytes/cycle */

typedef struct {
    uint64_t size_bytes;
    uint64_t read_bytes_per_cycle, write_bytes_per_cycle;   /* 0 = unlimited */
    sram_interval res[2][SRAM_MAX_RESERVATIONS];             /* [0] read, [1] write; sorted by begin */
    uint32_t n_res[2];
    uint64_t read_bytes, write_bytes;
} sram;

void sram_init(sram *s, uint64_t size_bytes, uint32_t banks, uint32_t read_ports,
               uint32_t write_ports, uint32_t bytes_per_cycle_per_port);
void sram_reset(sram *s);
/* Cycles an access of `bytes` takes at the side's whole bandwidth: ceil(bytes / bandwidth)
 * (0 if unlimited). */
uint64_t sram_cycles(const sram *s, bool write, uint64_t bytes);
/* The rate an access asking for `rate` bytes per cycle gets: min(rate, bandwidth); rate 0 asks
 * for the whole bandwidth. 0 if the side is unlimited. */
uint64_t sram_rate(const sram *s, bool write, uint64_t rate);
/* Cycles of an access of `bytes` at sram_rate(rate): ceil(bytes / that) (0 if unlimited). */
uint64_t sram_cycles_at(const sram *s, bool write, uint64_t bytes, uint64_t rate);
/* Earliest cycle >= t from which an access of `bytes` at sram_rate(rate) fits beside the
 * reservations. */
uint64_t sram_earliest(const sram *s, bool write, uint64_t t, uint64_t bytes, uint64_t rate);
/* Reserves the access beginning at `begin` (from sram_earliest); counts the bytes. */
void sram_reserve(sram *s, bool write, uint64_t begin, uint64_t bytes, uint64_t rate);
/* Reserves the access at sram_earliest(t) and returns the cycle it ends there. */
uint64_t sram_book(sram *s, bool write, uint64_t t, uint64_t bytes, uint64_t rate);
/* Forgets reservations that end at or before `now` (time only moves forward). */
void sram_retire(sram *s, uint64_t now);
/* Whether [addr, addr + bytes) fits. */
bool sram_fits(const sram *s, uint64_t addr, uint64_t bytes);
#endif
