/* Human units: every unit against hand-computed byte/Hz/second counts, exact decimals (no
 * float rounding), bad suffixes, overflow, time -> cycle conversion and formatting. */
#include "harness.h"
#include <string.h>
#include "base/units.h"

static uint64_t size_ok(const char *s)
{
    uint64_t v = 0;
    const char *why = NULL;
    int rc = units_parse_size(s, &v, &why);
    if (rc)
        fail_msg("units_parse_size(%s) failed: %s", s, why);
    return v;
}

static const char *size_bad(const char *s)
{
    uint64_t v = 0;
    const char *why = NULL;
    assert_int_equal(units_parse_size(s, &v, &why), -1);
    assert_non_null(why);
    return why;
}

static void sizes(void **state)
{
    (void)state;
    assert_true(size_ok("512") == 512u);
    assert_true(size_ok("512B") == 512u);
    assert_true(size_ok("64KiB") == 65536u);
    assert_true(size_ok("24MiB") == 24u * 1048576u);
    assert_true(size_ok("4GiB") == 4ull * 1073741824ull);
    assert_true(size_ok("2TiB") == 2ull * 1099511627776ull);
    assert_true(size_ok("64kB") == 64000u);
    assert_true(size_ok("64KB") == 64000u);          /* KB is decimal, like kB (documented) */
    assert_true(size_ok("16GB") == 16000000000ull);
    assert_true(size_ok("3MB") == 3000000u);
    assert_true(size_ok("1TB") == 1000000000000ull);
    assert_true(size_ok("1.5KiB") == 1536u);        /* 1.5 x 1024 */
    assert_true(size_ok("0.5MiB") == 524288u);
    assert_true(size_ok("24 MiB") == 24u * 1048576u);   /* one space allowed */
    assert_true(size_ok("0") == 0u);
    assert_true(size_ok("007KiB") == 7168u);        /* leading zeros are not octal */
}

static void sizes_bad(void **state)
{
    (void)state;
    assert_non_null(strstr(size_bad("24Mb"), "unknown size unit"));
    assert_non_null(strstr(size_bad("24MIB"), "unknown size unit"));
    assert_non_null(strstr(size_bad("24 MiB/s"), "unknown size unit"));
    assert_non_null(strstr(size_bad("1.5B"), "not a whole number of bytes"));
    assert_non_null(strstr(size_bad("0.0001kB"), "not a whole number of bytes"));   /* 0.1 byte */
    assert_non_null(strstr(size_bad("-1"), "negative"));
    assert_non_null(strstr(size_bad(""), "empty"));
    assert_non_null(strstr(size_bad("MiB"), "not a number"));
    assert_non_null(strstr(size_bad("1."), "no digit after"));
    assert_non_null(strstr(size_bad("1e6"), "exponent"));
    assert_non_null(strstr(size_bad("1  MiB"), "spaces"));
    /* the one space separates number and unit: a trailing space with no unit is not a size */
    assert_non_null(strstr(size_bad("24 "), "spaces"));
    assert_non_null(strstr(size_bad("1.5 "), "spaces"));
    /* 2^64 = 18446744073709551616 overflows; 2^64-1 fits */
    assert_true(size_ok("18446744073709551615") == UINT64_MAX);
    assert_non_null(strstr(size_bad("18446744073709551616"), "too"));
    assert_non_null(strstr(size_bad("16777216TiB"), "too large"));   /* 2^24 * 2^40 = 2^64 */
    assert_non_null(strstr(size_bad("123456789012345678901"), "too many digits"));   /* 21 digits */
}

static void bandwidths(void **state)
{
    uint64_t v;
    const char *why = NULL;
    (void)state;
    assert_int_equal(units_parse_bandwidth("900GB/s", &v, &why), 0);
    assert_true(v == 900000000000ull);
    assert_int_equal(units_parse_bandwidth("34GB/s", &v, &why), 0);
    assert_true(v == 34000000000ull);
    /* 3.35 is not representable in binary floating point; parsed exactly it is 335 x 10^10 */
    assert_int_equal(units_parse_bandwidth("3.35TB/s", &v, &why), 0);
    assert_true(v == 3350000000000ull);
    assert_int_equal(units_parse_bandwidth("1200GB/s", &v, &why), 0);
    assert_true(v == 1200000000000ull);
    assert_int_equal(units_parse_bandwidth("15.75GB/s", &v, &why), 0);
    assert_true(v == 15750000000ull);
    assert_int_equal(units_parse_bandwidth("7219.2GB/s", &v, &why), 0);
    assert_true(v == 7219200000000ull);
    assert_int_equal(units_parse_bandwidth("1GiB/s", &v, &why), 0);
    assert_true(v == 1073741824ull);
    assert_int_equal(units_parse_bandwidth("400MB/s", &v, &why), 0);
    assert_true(v == 400000000ull);
    assert_int_equal(units_parse_bandwidth("900", &v, &why), -1);
    assert_non_null(strstr(why, "needs a unit"));
    assert_int_equal(units_parse_bandwidth("900GB", &v, &why), -1);
    assert_non_null(strstr(why, "unknown bandwidth unit"));
    assert_int_equal(units_parse_bandwidth("0.5B/s", &v, &why), -1);
    assert_non_null(strstr(why, "whole number"));
}

static void frequencies(void **state)
{
    uint64_t v;
    const char *why = NULL;
    (void)state;
    assert_int_equal(units_parse_freq("940MHz", &v, &why), 0);
    assert_true(v == 940000000ull);
    assert_int_equal(units_parse_freq("1.41GHz", &v, &why), 0);
    assert_true(v == 1410000000ull);
    assert_int_equal(units_parse_freq("700MHz", &v, &why), 0);
    assert_true(v == 700000000ull);
    assert_int_equal(units_parse_freq("1050000000", &v, &why), 0);
    assert_true(v == 1050000000ull);
    assert_int_equal(units_parse_freq("1.83GHz", &v, &why), 0);
    assert_true(v == 1830000000ull);
    assert_int_equal(units_parse_freq("100kHz", &v, &why), 0);
    assert_true(v == 100000ull);
    assert_int_equal(units_parse_freq("1.5Hz", &v, &why), -1);
    assert_int_equal(units_parse_freq("1GHZ", &v, &why), -1);
    assert_non_null(strstr(why, "unknown frequency unit"));
}

static void times(void **state)
{
    units_time t;
    uint64_t c;
    const char *why = NULL;
    (void)state;
    /* plain number = cycles, whatever the clock */
    assert_int_equal(units_parse_time("30", &t, &why), 0);
    assert_true(t.is_cycles);
    assert_int_equal(units_time_cycles(&t, 700000000ull, &c, &why), 0);
    assert_true(c == 30);
    /* 100 ns at 700 MHz = 70 cycles exactly */
    assert_int_equal(units_parse_time("100ns", &t, &why), 0);
    assert_false(t.is_cycles);
    assert_int_equal(units_time_cycles(&t, 700000000ull, &c, &why), 0);
    assert_true(c == 70);
    /* 1.5 us at 1.41 GHz = 2115 cycles exactly */
    assert_int_equal(units_parse_time("1.5us", &t, &why), 0);
    assert_int_equal(units_time_cycles(&t, 1410000000ull, &c, &why), 0);
    assert_true(c == 2115);
    /* 1 ns at 1.41 GHz = 1.41 cycles -> rounds up to 2 */
    assert_int_equal(units_parse_time("1ns", &t, &why), 0);
    assert_int_equal(units_time_cycles(&t, 1410000000ull, &c, &why), 0);
    assert_true(c == 2);
    /* 3 us at 1.83 GHz = 5490 cycles */
    assert_int_equal(units_parse_time("3us", &t, &why), 0);
    assert_int_equal(units_time_cycles(&t, 1830000000ull, &c, &why), 0);
    assert_true(c == 5490);
    /* 0.1 ns = 100 ps at 1 GHz = 0.1 cycle -> 1 */
    assert_int_equal(units_parse_time("0.1ns", &t, &why), 0);
    assert_int_equal(units_time_cycles(&t, 1000000000ull, &c, &why), 0);
    assert_true(c == 1);
    assert_int_equal(units_parse_time("2ms", &t, &why), 0);
    assert_int_equal(units_time_cycles(&t, 1000000000ull, &c, &why), 0);
    assert_true(c == 2000000);
    assert_int_equal(units_parse_time("12 cycles", &t, &why), 0);
    assert_true(t.is_cycles && t.cycles == 12);
    assert_int_equal(units_parse_time("1.5", &t, &why), -1);
    assert_non_null(strstr(why, "whole"));
    assert_int_equal(units_parse_time("10 fs", &t, &why), -1);
    assert_non_null(strstr(why, "unknown time unit"));
    /* 10^19 - 1 seconds at 10 GHz is far beyond 2^64 cycles */
    assert_int_equal(units_parse_time("9999999999999999999s", &t, &why), 0);
    assert_int_equal(units_time_cycles(&t, 10000000000ull, &c, &why), -1);
}

static void integers_and_muldiv(void **state)
{
    uint64_t v;
    const char *why = NULL;
    (void)state;
    assert_int_equal(units_parse_uint("4096", &v, &why), 0);
    assert_true(v == 4096);
    assert_int_equal(units_parse_uint("4096B", &v, &why), -1);
    assert_int_equal(units_parse_uint("1.0", &v, &why), -1);
    assert_int_equal(units_parse_uint("0x10", &v, &why), -1);
    /* the brief's example: 1 MB at 34 GB/s and 700 MHz: 10^6 * 7*10^8 / 3.4*10^10 = 20588.23 -> 20589 */
    assert_int_equal(units_muldiv_ceil(1000000, 700000000, 34000000000ull, &v), 0);
    assert_true(v == 20589);
    /* exact division does not round up: 256 GB/s at 1 GHz, 256 bytes -> 1 cycle */
    assert_int_equal(units_muldiv_ceil(256, 1000000000, 256000000000ull, &v), 0);
    assert_true(v == 1);
    /* a product beyond 2^64 is fine as long as the quotient fits */
    assert_int_equal(units_muldiv_ceil(UINT64_MAX, 1000, 1000, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(units_muldiv_ceil(UINT64_MAX, 2, 1, &v), -1);
}

static void formatting_round_trips(void **state)
{
    char b[40];
    uint64_t v;
    const char *why;
    (void)state;
    assert_string_equal(units_fmt_size(24u << 20, b, sizeof b), "24MiB");
    assert_string_equal(units_fmt_size(16000000000ull, b, sizeof b), "16GB");
    assert_string_equal(units_fmt_size(64000, b, sizeof b), "64kB");
    assert_string_equal(units_fmt_size(513, b, sizeof b), "513B");
    assert_string_equal(units_fmt_size(0, b, sizeof b), "0B");
    assert_string_equal(units_fmt_bandwidth(3350000000000ull, b, sizeof b), "3350GB/s");
    assert_string_equal(units_fmt_bandwidth(15750000000ull, b, sizeof b), "15.75GB/s");
    assert_string_equal(units_fmt_bandwidth(400000000ull, b, sizeof b), "400MB/s");
    assert_string_equal(units_fmt_bandwidth(7, b, sizeof b), "7B/s");
    assert_string_equal(units_fmt_freq(1410000000ull, b, sizeof b), "1.41GHz");
    assert_string_equal(units_fmt_freq(940000000ull, b, sizeof b), "940MHz");
    /* at most 3 fraction digits: 1234567 Hz is 1234.567 kHz, not 1.234567 MHz */
    assert_string_equal(units_fmt_freq(1234567, b, sizeof b), "1234.567kHz");
    assert_string_equal(units_fmt_freq(1234567891, b, sizeof b), "1234567.891kHz");
    assert_string_equal(units_fmt_freq(999, b, sizeof b), "999Hz");
    /* whatever the form, it parses back to the same value */
    static const uint64_t vals[] = {1, 999, 1000, 1024, 1536, 123456789, 3350000000000ull, 1ull << 40};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        assert_int_equal(units_parse_size(units_fmt_size(vals[i], b, sizeof b), &v, &why), 0);
        assert_true(v == vals[i]);
        assert_int_equal(units_parse_bandwidth(units_fmt_bandwidth(vals[i], b, sizeof b), &v, &why), 0);
        assert_true(v == vals[i]);
        assert_int_equal(units_parse_freq(units_fmt_freq(vals[i], b, sizeof b), &v, &why), 0);
        assert_true(v == vals[i]);
    }
}

/* Rounded byte counts for people: 1572864 = 1.5 x 2^20; 655360 = 640 x 2^10; 1000 B stays in
 * bytes; 1025 KiB = 1.0009765625 MiB rounds to 1 MiB; 2^64 - 1 is 16 EiB. */
static void rounded_bytes(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(units_fmt_bytes(0, true, b, sizeof b), "0 B");
    assert_string_equal(units_fmt_bytes(96, true, b, sizeof b), "96 B");
    assert_string_equal(units_fmt_bytes(1000, true, b, sizeof b), "1000 B");
    assert_string_equal(units_fmt_bytes(655360, true, b, sizeof b), "640 KiB");
    assert_string_equal(units_fmt_bytes(1572864, true, b, sizeof b), "1.5 MiB");
    assert_string_equal(units_fmt_bytes(1025 * 1024, true, b, sizeof b), "1 MiB");
    assert_string_equal(units_fmt_bytes(270336, true, b, sizeof b), "264 KiB");
    assert_string_equal(units_fmt_bytes(1288490189, true, b, sizeof b), "1.2 GiB");   /* 1.2000000002 GiB */
    assert_string_equal(units_fmt_bytes(UINT64_MAX, true, b, sizeof b), "16 EiB");
    /* untrimmed, for aligned columns: bytes stay whole */
    assert_string_equal(units_fmt_bytes(1572864, false, b, sizeof b), "1.50 MiB");
    assert_string_equal(units_fmt_bytes(655360, false, b, sizeof b), "640.00 KiB");
    assert_string_equal(units_fmt_bytes(96, false, b, sizeof b), "96 B");
}

/* units_fmt_energy: the unit that puts the figure in [1, 1000), 4 significant digits */
static void energies(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(units_fmt_energy(132392366899.2, b, sizeof b), "132.4 mJ");   /* 1.324e11 pJ */
    assert_string_equal(units_fmt_energy(78643.2, b, sizeof b), "78.64 nJ");
    assert_string_equal(units_fmt_energy(999, b, sizeof b), "999 pJ");
    assert_string_equal(units_fmt_energy(1000, b, sizeof b), "1 nJ");
    assert_string_equal(units_fmt_energy(0, b, sizeof b), "0 pJ");
    assert_string_equal(units_fmt_energy(5e12, b, sizeof b), "5 J");
    assert_string_equal(units_fmt_energy(2e15, b, sizeof b), "2000 J");   /* no unit above J */
}

TH_GROUP(units)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes),
        cmocka_unit_test(sizes_bad),
        cmocka_unit_test(bandwidths),
        cmocka_unit_test(frequencies),
        cmocka_unit_test(times),
        cmocka_unit_test(integers_and_muldiv),
        cmocka_unit_test(formatting_round_trips),
        cmocka_unit_test(rounded_bytes),
        cmocka_unit_test(energies),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
