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
/* The largest cycle, byte or MAC count tpusim keeps: 2^63. Counts stay at or below it, so the sum
 * of two never wraps a uint64_t; a run whose count would pass it is refused (TP_ERR_RANGE) with
 * the figure and the key that caused it, never reported wrapped or saturated. */
#define TP_COUNT_MAX (UINT64_C(1) << 63)

/* *out = a + b or a * b when the result is at most TP_COUNT_MAX; returns -1 (and leaves *out)
 * when it would pass it. */
static inline int util_add_count(uint64_t a, uint64_t b, uint64_t *out)
{
    uint64_t r;
    if (__builtin_add_overflow(a, b, &r) || r > TP_COUNT_MAX)
        return -1;
    *out = r;
    return 0;
}
static inline int util_mul_count(uint64_t a, uint64_t b, uint64_t *out)
{
    uint64_t r;
    if (__builtin_mul_overflow(a, b, &r) || r > TP_COUNT_MAX)
        return -1;
    *out = r;
    return 0;
}
static inline uint64_t util_min(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t util_max(uint64_t a, uint64_t b) { return a > b ? a : b; }
#endif
