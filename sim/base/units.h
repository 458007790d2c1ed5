/* Human units: the one parser for sizes, bandwidths, frequencies and times written by people
 * (`24MiB`, `900GB/s`, `1.41GHz`, `100ns`).
 *
 * Every number is a decimal `DIGITS[.DIGITS]` (no sign, no exponent, at most 20 significant
 * digits), optionally followed by one space and a unit. It is parsed as the exact rational
 * DIGITS / 10^fraction_digits and scaled with 128-bit integer arithmetic, so `3.35TB/s` is
 * exactly 3350000000000 bytes/s and never 3349999999999 from a float round trip. A result that
 * is not a whole number of its base unit (`1.5B`, `0.3Hz`) is an error, as is anything above
 * UINT64_MAX.
 *
 *   sizes       B, or none (bytes); kB = KB = 1000, MB = 10^6, GB = 10^9, TB = 10^12;
 *               KiB = 1024, MiB = 2^20, GiB = 2^30, TiB = 2^40.
 *               (`KB` is decimal, like every prefix without an `i`: the rule is "i means binary".)
 *   bandwidths  B/s, kB/s, KB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s, TiB/s -> bytes per second.
 *               A unit is required (a bare number could mean bytes/s or bytes/cycle).
 *   frequencies Hz (or none), kHz, MHz, GHz -> Hz.
 *   times       ps, ns, us, ms, s -> an exact number of seconds; a bare number is a count of
 *               clock cycles. units_time_cycles converts to cycles of a given clock, rounding up.
 *
 * Every parser returns 0 on success, or -1 and points *why at a static one-line reason
 * (e.g. "unknown unit 'Mb' (expected B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)") that the
 * caller prefixes with the file position or flag. */
#ifndef TP_BASE_UNITS_H
#define TP_BASE_UNITS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A time as written: either a cycle count or an exact number of seconds num / 10^exp10. */
typedef struct {
    bool is_cycles;
    uint64_t cycles;      /* when is_cycles */
    uint64_t num;         /* seconds = num / 10^exp10, when !is_cycles */
    unsigned exp10;       /* at most 38 */
} units_time;

int units_parse_uint(const char *s, uint64_t *out, const char **why);     /* plain whole number */
int units_parse_size(const char *s, uint64_t *bytes, const char **why);
int units_parse_bandwidth(const char *s, uint64_t *bytes_per_s, const char **why);
int units_parse_freq(const char *s, uint64_t *hz, const char **why);
int units_parse_time(const char *s, units_time *t, const char **why);

/* Cycles of a clock of hz that the time spans, rounded up (exact integer arithmetic).
 * Returns -1 with *why set if the result exceeds UINT64_MAX. */
int units_time_cycles(const units_time *t, uint64_t hz, uint64_t *cycles, const char **why);

/* ceil(a * b / c) exactly for c > 0; returns -1 if the quotient exceeds UINT64_MAX. */
int units_muldiv_ceil(uint64_t a, uint64_t b, uint64_t c, uint64_t *out);

/* Shortest exact human form: "24MiB", "64kB", "512B"; "900GB/s", "3.35TB/s"; "1.41GHz"; into
 * buf (cap >= 32 is always enough). The result parses back to the same value. */
const char *units_fmt_size(uint64_t bytes, char *buf, size_t cap);
/* A byte count for people, rounded: the largest binary unit it reaches with two decimals
 * ("1.50 MiB", "640.00 KiB", "96 B"), or with trailing zeros trimmed when trim ("1.5 MiB",
 * "640 KiB"). Returns buf. */
const char *units_fmt_bytes(uint64_t bytes, bool trim, char *buf, size_t cap);
const char *units_fmt_bandwidth(uint64_t bytes_per_s, char *buf, size_t cap);
const char *units_fmt_freq(uint64_t hz, char *buf, size_t cap);
/* An energy for people: pJ, nJ, uJ, mJ or J, whichever puts it in [1, 1000) (J above), with 4
 * significant digits ("132.4 mJ", "0 pJ" for 0). Returns buf. */
const char *units_fmt_energy(double pj, char *buf, size_t cap);
#endif
