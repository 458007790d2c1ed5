/* Small integer helpers every module uses, defined once (there were four ceil_divs with
 * different behaviour at b = 0). */
#ifndef TP_BASE_UTIL_H
#define TP_BASE_UTIL_H
#include <assert.h>
#include <stdint.h>

/* ceil(a / b) for b > 0 (b = 0 is a caller's bug: asserted). a + b - 1 must not wrap: callers
 * pass counts far below 2^63. */
static inline uint64_t util_ceil_div(uint64_t a, uint64_t b)
{
    assert(b > 0);
    return a / b + (a % b != 0);
}
static inline uint64_t util_min(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t util_max(uint64_t a, uint64_t b) { return a > b ? a : b; }
#endif
