/* The L2 shared by all SMs: set-associative with true LRU on real line addresses, and its
 * bandwidth as one queue (docs/gpu.md).
 *
 *  - A line address a = byte address / line_bytes lives in set (a ^ (a >> b) ^ (a >> 2b)) mod
 *    sets, sets = size / (line_bytes x assoc), b = floor(log2(sets)): NVIDIA GPUs hash the L2
 *    set index (Accel-Sim's SM7_QV100 config gives its L2 the set-index function 'P', GPGPU-Sim's
 *    polynomial IPOLY hash), so tile rows whose stride is a multiple of sets x line_bytes do
 *    not all land in one set. This XOR fold is a simpler hash of the same kind (not IPOLY's
 *    polynomial). A lookup hits if the set holds the line; either way the line becomes
 *    the set's most recently used; a miss evicts the least recently used line of a full set.
 *  - Bandwidth: a request of B bytes arriving at cycle t starts at max(t, free) and holds the
 *    L2 for B / bytes_per_cycle cycles (kept as a double: bytes_per_s / clock_hz need not be
 *    an integer); free moves to its end.
 *  - A request's bytes through the L2's bandwidth are its 32-byte sectors; a missing line is
 *    filled whole from DRAM.
 *  - Writes allocate (write-back is not modelled: the GPU model writes C through to DRAM).
 *
 * Use: l2 c; l2_init(&c, &cfg->gpu, clock, &err); l2_lookup(&c, line) ...; l2_free(&c).
 */
#ifndef TP_GPU_L2_H
#define TP_GPU_L2_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "config/config.h"

/* L2 lines are split into 32-byte sectors: the unit of the L2's transfers to an SM (CUDA C++
 * Best Practices Guide, "Coalesced Access to Global Memory": 32-byte segments). */
#define GPU_L2_SECTOR_BYTES 32u

typedef struct {
    uint32_t sets, assoc, line_bytes;
    uint32_t set_bits;          /* floor(log2(sets)): the width of the fields the set hash folds */
    uint64_t *tag;              /* sets x assoc line addresses + 1 (0 = empty) */
    uint64_t *stamp;            /* last use of each way */
    uint64_t now;               /* use counter for LRU */
    double bytes_per_cycle;
    double free_at;             /* the bandwidth queue's next free cycle */
    uint64_t hits, misses;      /* lookups */
    uint64_t read_bytes, write_bytes;
} l2_cache;

/* The set of a line address a: (a ^ (a >> b) ^ (a >> 2b)) mod sets, b = floor(log2(sets)) (note above). */
uint32_t l2_set(const l2_cache *c, uint64_t line);

/* TP_ERR_CONFIG when the geometry does not divide (size not a multiple of line x assoc), or
 * TP_ERR_NOMEM. */
tp_status l2_init(l2_cache *c, const tp_gpu_cfg *g, uint64_t clock_hz, tp_err *err);
void l2_free(l2_cache *c);
/* Looks up line address `line`; true on a hit. The line is most recently used afterwards. */
bool l2_lookup(l2_cache *c, uint64_t line);
/* Occupies the bandwidth for `bytes` from cycle t on; returns the cycle the last byte is out. */
double l2_transfer(l2_cache *c, double t, uint64_t bytes);
#endif
