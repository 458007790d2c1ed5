/* splitmix64 and the draws built on it. See rng.h for the algorithm. */
#include "base/rng.h"

void rng_init(rng_state *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t rng_u64(rng_state *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t rng_u32(rng_state *r)
{
    return (uint32_t)(rng_u64(r) >> 32);
}

uint64_t rng_below(rng_state *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Reject the top (2^64 mod n) values so every residue is equally likely. */
    uint64_t limit = -n % n;   /* = 2^64 mod n */
    for (;;) {
        uint64_t x = rng_u64(r);
        if (x >= limit)
            return x % n;
    }
}

int64_t rng_range(rng_state *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;   /* hi - lo, modulo 2^64 */
    uint64_t x = span == UINT64_MAX ? rng_u64(r) : rng_below(r, span + 1);
    uint64_t u = (uint64_t)lo + x;
    /* two's complement reinterpretation without implementation-defined conversion */
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

double rng_unit(rng_state *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1p-53;
}

int8_t rng_i8(rng_state *r)
{
    int v = (int)(rng_u64(r) >> 56) - 128;
    return (int8_t)v;
}

uint16_t rng_bf16_normalish(rng_state *r, bool specials)
{
    uint64_t x = rng_u64(r);
    uint16_t sign = (uint16_t)((x >> 63) << 15);
    if (specials && ((x >> 32) & 7u) == 0) {
        static const uint16_t fixed[] = {0x0000, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0x7f7f, 0xff7f,
                                         0x0080};
        unsigned pick = (unsigned)rng_below(r, 9);
        if (pick < 8)
            return fixed[pick];
        return (uint16_t)(sign | (1 + rng_below(r, 127)));   /* subnormal, fraction 1..127 */
    }
    if (((x >> 40) & 63u) == 0)
        return sign;                                         /* +-0 */
    /* exponent offset from bits 8..10 (123..130: [2^-4, 2^4)), fraction from bits 0..6 */
    return rng_bf16_fields((unsigned)(x >> 63), (unsigned)(x >> 8), (unsigned)x);
}
