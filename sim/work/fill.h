/* Seeded random inputs for a GEMM: the same seed gives the same matrices on every host and for
 * every thread count (tests and docs pin cycle counts and results made from them).
 *
 * fill_random fills n inputs of dtype dt from r: int8 uniform over all 256 values; bf16 finite
 * normal values of random sign with |x| in [2^-4, 2^4) (biased exponent 123..130, any fraction:
 * rng_bf16_fields, the range rng_bf16_normalish draws from, without its zeros). One draw from r
 * seeds the matrix; chunks of FILL_CHUNK values then come from their own splitmix streams:
 * chunk c's stream starts at rng_u64 of a stream seeded with (base + c), base being that one
 * draw. Chunks are filled by up to FILL_THREADS workers of a num_pool (num/pool.h).
 *
 * Inside a chunk, several values come from each 64-bit draw v (generation must not dominate a
 * functional run): int8, 8 per draw, value j = byte j of v (least significant first); bf16, 5
 * per draw, value j from the 12 bits v >> 12j: fraction = bits 0..6, exponent offset = bits
 * 7..9, sign = bit 11 (bit 10 unused). A chunk's last, partial draw is used the same way.
 */
#ifndef TP_WORK_FILL_H
#define TP_WORK_FILL_H
#include <stddef.h>
#include "base/dtype.h"
#include "base/rng.h"

#define FILL_CHUNK 65536u   /* values per independent stream */
#define FILL_THREADS 8      /* at most this many workers (and never more than online CPUs) */

void fill_random(tp_dtype dt, void *p, size_t n, rng_state *r);
#endif
