/* Human units (see units.h for the grammar).
 *
 * Design: one scanner turns "DIGITS[.DIGITS][ ]UNIT" into (mantissa, fraction_digits, unit
 * text); each quantity has a table of units with an exact integer scale (a power of ten or of
 * two). The value is mantissa * scale / 10^fraction_digits, computed in unsigned __int128 so
 * that no intermediate overflows (mantissa < 2^64, scale <= 2^40, product < 2^104) and the
 * divisibility check is exact. No floating point is used anywhere in parsing. */
#include "base/units.h"
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

typedef struct {
    const char *name;
    uint64_t scale;       /* base units per one of this unit */
} unit_def;

static const unit_def size_units[] = {
    {"B", 1}, {"kB", 1000ull}, {"KB", 1000ull}, {"MB", 1000000ull}, {"GB", 1000000000ull},
    {"TB", 1000000000000ull}, {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
    {"TiB", 1ull << 40}, {NULL, 0},
};
static const unit_def bw_units[] = {
    {"B/s", 1}, {"kB/s", 1000ull}, {"KB/s", 1000ull}, {"MB/s", 1000000ull},
    {"GB/s", 1000000000ull}, {"TB/s", 1000000000000ull}, {"KiB/s", 1ull << 10},
    {"MiB/s", 1ull << 20}, {"GiB/s", 1ull << 30}, {"TiB/s", 1ull << 40}, {NULL, 0},
};
static const unit_def freq_units[] = {
    {"Hz", 1}, {"kHz", 1000ull}, {"MHz", 1000000ull}, {"GHz", 1000000000ull}, {NULL, 0},
};
/* times: scale is the power of ten of the unit below one second */
static const unit_def time_units[] = {
    {"s", 0}, {"ms", 3}, {"us", 6}, {"ns", 9}, {"ps", 12}, {NULL, 0},
};

static const uint64_t pow10_u64[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, 10000000000000000000ull,
};

static u128 pow10_u128(unsigned e)
{
    u128 r = 1;
    while (e--)
        r *= 10;
    return r;
}

typedef struct {
    uint64_t mant;        /* all digits, the decimal point removed */
    unsigned frac;        /* digits after the point */
    const char *unit;     /* rest of the string after an optional single space ("" if none) */
} scanned;

/* Scans the number part. Fails on an empty string, a sign, a missing digit around '.', more
 * than 20 significant digits, or spaces other than one between number and unit. */
static int scan_number(const char *s, scanned *out, const char **why)
{
    const char *p = s;
    u128 m = 0;
    unsigned frac = 0, sig = 0;
    int frac_digits = 0;
    if (!s || !*s) {
        *why = "empty";
        return -1;
    }
    if (*p == '-') {
        *why = "must not be negative";
        return -1;
    }
    if (*p < '0' || *p > '9') {
        *why = "not a number";
        return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        if (m == 0 && *p == '0')
            continue;
        if (++sig > 20) {
            *why = "too many digits (at most 20 significant digits)";
            return -1;
        }
        m = m * 10 + (unsigned)(*p - '0');
    }
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++, frac_digits++) {
            if (m != 0 || *p != '0')
                sig++;
            if (sig > 20 || frac >= 24) {
                *why = "too many digits (at most 20 significant digits)";
                return -1;
            }
            m = m * 10 + (unsigned)(*p - '0');
            frac++;
        }
        if (frac_digits == 0) {
            *why = "no digit after '.'";
            return -1;
        }
    }
    if (*p == ' ')
        p++;
    if (*p == ' ' || *p == '\t' || (p > s && p[-1] == ' ' && !*p)) {   /* "1 " has no unit after its space */
        *why = "unexpected spaces";
        return -1;
    }
    if ((*p == 'e' || *p == 'E') && p[1] >= '0' && p[1] <= '9') {
        *why = "exponents are not accepted: write the digits or use a unit";
        return -1;
    }
    if (m > UINT64_MAX) {
        *why = "too large (more than 2^64-1)";
        return -1;
    }
    out->mant = (uint64_t)m;
    out->frac = frac;
    out->unit = p;
    return 0;
}

static const unit_def *find_unit(const unit_def *tab, const char *u)
{
    for (; tab->name; tab++)
        if (!strcmp(tab->name, u))
            return tab;
    return NULL;
}

/* mant * scale / 10^frac, which must be a whole number <= UINT64_MAX. */
static int scale_exact(const scanned *sc, uint64_t scale, uint64_t *out, const char *notwhole,
                       const char **why)
{
    u128 v = (u128)sc->mant * scale;
    u128 d = pow10_u128(sc->frac);
    if (v % d) {
        *why = notwhole;
        return -1;
    }
    v /= d;
    if (v > UINT64_MAX) {
        *why = "too large (more than 2^64-1)";
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int units_parse_uint(const char *s, uint64_t *out, const char **why)
{
    scanned sc;
    if (scan_number(s, &sc, why))
        return -1;
    if (sc.frac || *sc.unit || strchr(s, ' ')) {
        *why = "not a whole number";
        return -1;
    }
    *out = sc.mant;
    return 0;
}

int units_parse_size(const char *s, uint64_t *bytes, const char **why)
{
    scanned sc;
    const unit_def *u;
    if (scan_number(s, &sc, why))
        return -1;
    u = *sc.unit ? find_unit(size_units, sc.unit) : &size_units[0];
    if (!u) {
        *why = "unknown size unit (expected B, kB, KB, MB, GB, TB, KiB, MiB, GiB or TiB)";
        return -1;
    }
    return scale_exact(&sc, u->scale, bytes, "not a whole number of bytes", why);
}

int units_parse_bandwidth(const char *s, uint64_t *bytes_per_s, const char **why)
{
    scanned sc;
    const unit_def *u;
    if (scan_number(s, &sc, why))
        return -1;
    if (!*sc.unit) {
        *why = "a bandwidth needs a unit";
        return -1;
    }
    u = find_unit(bw_units, sc.unit);
    if (!u) {
        *why = "unknown bandwidth unit (expected B/s, kB/s, MB/s, GB/s, TB/s, KiB/s, MiB/s, GiB/s or TiB/s)";
        return -1;
    }
    return scale_exact(&sc, u->scale, bytes_per_s, "not a whole number of bytes per second", why);
}

int units_parse_freq(const char *s, uint64_t *hz, const char **why)
{
    scanned sc;
    const unit_def *u;
    if (scan_number(s, &sc, why))
        return -1;
    u = *sc.unit ? find_unit(freq_units, sc.unit) : &freq_units[0];
    if (!u) {
        *why = "unknown frequency unit (expected Hz, kHz, MHz or GHz)";
        return -1;
    }
    return scale_exact(&sc, u->scale, hz, "not a whole number of Hz", why);
}

int units_parse_time(const char *s, units_time *t, const char **why)
{
    scanned sc;
    const unit_def *u;
    if (scan_number(s, &sc, why))
        return -1;
    memset(t, 0, sizeof *t);
    if (!*sc.unit) {
        if (sc.frac) {
            *why = "a bare number is a count of cycles and must be whole (or give a unit: ps, ns, us, ms, s)";
            return -1;
        }
        t->is_cycles = true;
        t->cycles = sc.mant;
        return 0;
    }
    if (!strcmp(sc.unit, "cycles") || !strcmp(sc.unit, "cycle")) {
        if (sc.frac) {
            *why = "a count of cycles must be whole";
            return -1;
        }
        t->is_cycles = true;
        t->cycles = sc.mant;
        return 0;
    }
    u = find_unit(time_units, sc.unit);
    if (!u) {
        *why = "unknown time unit (expected ps, ns, us, ms, s, or a bare number of cycles)";
        return -1;
    }
    t->num = sc.mant;
    t->exp10 = sc.frac + (unsigned)u->scale;
    while (t->exp10 > 0 && t->num % 10 == 0 && t->num) {
        t->num /= 10;
        t->exp10--;
    }
    if (t->num == 0)
        t->exp10 = 0;
    return 0;
}

int units_time_cycles(const units_time *t, uint64_t hz, uint64_t *cycles, const char **why)
{
    u128 n, d, q;
    if (t->is_cycles) {
        *cycles = t->cycles;
        return 0;
    }
    if (t->num && hz > (~(u128)0) / t->num) {
        *why = "too many cycles";
        return -1;
    }
    n = (u128)t->num * hz;
    d = pow10_u128(t->exp10);
    q = n / d + (n % d != 0);
    if (q > UINT64_MAX) {
        *why = "too many cycles";
        return -1;
    }
    *cycles = (uint64_t)q;
    return 0;
}

int units_muldiv_ceil(uint64_t a, uint64_t b, uint64_t c, uint64_t *out)
{
    u128 n = (u128)a * b;
    u128 q = n / c + (n % c != 0);
    if (q > UINT64_MAX)
        return -1;
    *out = (uint64_t)q;
    return 0;
}

const char *units_fmt_size(uint64_t bytes, char *buf, size_t cap)
{
    /* the unit with the largest scale that divides exactly */
    const unit_def *best = &size_units[0];
    for (const unit_def *u = size_units; u->name; u++)
        if (bytes && bytes % u->scale == 0 && u->scale > best->scale && strcmp(u->name, "KB"))
            best = u;
    snprintf(buf, cap, "%llu%s", (unsigned long long)(bytes / best->scale), best->name);
    return buf;
}

const char *units_fmt_bytes(uint64_t bytes, bool trim, char *buf, size_t cap)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    double v = (double)bytes;
    while (v >= 1024.0 && u < 6) {
        v /= 1024.0;
        u++;
    }
    char num[32];
    snprintf(num, sizeof num, u ? "%.2f" : "%.0f", v);
    if (trim && u) {
        char *e = num + strlen(num) - 1;
        while (*e == '0')
            *e-- = 0;
        if (*e == '.')
            *e = 0;
    }
    snprintf(buf, cap, "%s %s", num, unit[u]);
    return buf;
}

/* value / 10^e printed with its exact fraction (trailing zeros trimmed) */
static void fmt_decimal(uint64_t v, unsigned e, const char *unit, char *buf, size_t cap)
{
    uint64_t ip = v / pow10_u64[e], fp = v % pow10_u64[e];
    if (!fp) {
        snprintf(buf, cap, "%llu%s", (unsigned long long)ip, unit);
        return;
    }
    while (fp % 10 == 0) {
        fp /= 10;
        e--;
    }
    snprintf(buf, cap, "%llu.%0*llu%s", (unsigned long long)ip, (int)e, (unsigned long long)fp, unit);
}

/* Largest decimal unit (10^9, 10^6, 10^3, 1) with value >= unit and at most 3 fraction digits. */
static void fmt_dec_units(uint64_t v, const char *const names[4], char *buf, size_t cap)
{
    static const unsigned exps[4] = {9, 6, 3, 0};
    for (int i = 0; i < 4; i++) {
        unsigned e = exps[i];
        if (e && (v < pow10_u64[e] || v % pow10_u64[e - 3] != 0))
            continue;
        fmt_decimal(v, e, names[i], buf, cap);
        return;
    }
}

const char *units_fmt_bandwidth(uint64_t bytes_per_s, char *buf, size_t cap)
{
    static const char *const names[4] = {"GB/s", "MB/s", "kB/s", "B/s"};
    fmt_dec_units(bytes_per_s, names, buf, cap);
    return buf;
}

const char *units_fmt_energy(double pj, char *buf, size_t cap)
{
    static const char *const names[5] = {"pJ", "nJ", "uJ", "mJ", "J"};
    int u = 0;
    double v = pj;
    while (u < 4 && (v >= 1000 || v <= -1000)) {
        v /= 1000;
        u++;
    }
    snprintf(buf, cap, "%.4g %s", v, names[u]);
    return buf;
}

const char *units_fmt_freq(uint64_t hz, char *buf, size_t cap)
{
    static const char *const names[4] = {"GHz", "MHz", "kHz", "Hz"};
    fmt_dec_units(hz, names, buf, cap);
    return buf;
}
