/* Seeded deterministic random numbers: splitmix64 (Steele, Lea, Flood 2014; the generator used
 * to seed xoshiro). One 64-bit state; the same seed gives the same sequence on every host.
 *   state += 0x9e3779b97f4a7c15; z = state;
 *   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *   return z ^ (z >> 31);
 * Not for cryptography. State is a plain struct: copy it to fork a stream.
 */
#ifndef TP_BASE_RNG_H
#define TP_BASE_RNG_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t state;
} rng_state;

void rng_init(rng_state *r, uint64_t seed);
uint64_t rng_u64(rng_state *r);
uint32_t rng_u32(rng_state *r);                 /* high 32 bits of rng_u64 */
/* Uniform in [0, n), unbiased (rejection sampling); n == 0 returns 0 without drawing. */
uint64_t rng_below(rng_state *r, uint64_t n);
/* Uniform in [lo, hi] inclusive (lo <= hi). */
int64_t rng_range(rng_state *r, int64_t lo, int64_t hi);
double rng_unit(rng_state *r);                  /* uniform in [0, 1), 53 random bits */
int8_t rng_i8(rng_state *r);                    /* uniform over all 256 int8 values */
/* A random bf16 bit pattern. Without specials: a finite normal value of random sign with
 * magnitude in [2^-4, 2^4) (exponent field 123..130, any fraction), or +-0 one time in 64 —
 * sums of a few thousand such products stay far from overflow. With specials, one draw in 8
 * is instead picked evenly from: +0, -0, +Inf, -Inf, quiet NaN 0x7fc0, a subnormal (exponent 0,
 * fraction 1..127, random sign), the largest finite 0x7f7f/0xff7f, the smallest normal 0x0080. */
uint16_t rng_bf16_normalish(rng_state *r, bool specials);
/* The finite normal bf16 of that distribution from its fields: sign (bit 0 used), exponent
 * offset (bits 0..2 used; biased exponent RNG_BF16_EXP_MIN + offset, 123..130) and fraction
 * (bits 0..6 used). Generators that cut their own bits out of a draw (work/fill.c takes five
 * values from one 64-bit draw) build their values with it, so the range is defined once. */
#define RNG_BF16_EXP_MIN 123u   /* 2^-4 */
static inline uint16_t rng_bf16_fields(unsigned sign, unsigned exp_offset, unsigned frac)
{
    return (uint16_t)(((sign & 1u) << 15) | ((RNG_BF16_EXP_MIN + (exp_offset & 7u)) << 7) | (frac & 0x7fu));
}
#endif
