/* Off-chip memory timing; the model and its equation are in dram.h and docs/memory.md.
 *
 * Cost: O(channels) per contiguous run of an access, and O(channels) per access when every row
 * of a strided access falls on the same channel pattern (stride a multiple of one interleave
 * period) — never per byte or per burst. */
#include "mem/dram.h"
#include "base/units.h"
#include "base/util.h"
#include <stdio.h>
#include <string.h>

tp_status dram_init(dram *d, const tp_mem_cfg *cfg, uint64_t clock_hz, tp_err *err)
{
    memset(d, 0, sizeof *d);
    d->cfg = *cfg;
    d->clock_hz = clock_hz;
    if (!cfg->ideal) {
        if (cfg->channels == 0 || cfg->channels > DRAM_MAX_CHANNELS)
            return tp_err_set(err, TP_ERR_CONFIG, "memory: channels must be 1..%d, got %u",
                              DRAM_MAX_CHANNELS, cfg->channels);
        if (cfg->bytes_per_s == 0 || cfg->burst_bytes == 0 || clock_hz == 0)
            return tp_err_set(err, TP_ERR_CONFIG, "memory: bandwidth, burst and clock must be non-zero");
    }
    uint32_t burst = cfg->burst_bytes ? cfg->burst_bytes : 1;
    d->granule_bursts = cfg->interleave_bytes > burst ? cfg->interleave_bytes / burst : 1;
    if (d->cfg.channels == 0)
        d->cfg.channels = 1;
    if (d->cfg.burst_bytes == 0)
        d->cfg.burst_bytes = 1;
    return TP_OK;
}

void dram_reset(dram *d)
{
    memset(d->next_free, 0, sizeof d->next_free);
    d->read_bytes = d->write_bytes = d->bus_bytes = d->accesses = 0;
    d->inflight_cycles = d->inflight_until = 0;
    d->past_limit = false;
    d->past_limit_cycles = 0;
}

void dram_trace(dram *d, timeline *tl, const char *group, const char *name)
{
    dram_trace_end(d);
    if (!tl)
        return;
    d->tl = tl;
    char buf[96];
    for (uint32_t c = 0; c < d->cfg.channels && !d->cfg.ideal; c++) {
        snprintf(buf, sizeof buf, "%s ch%u", name, c);
        d->tl_ch[c] = tl_track(tl, group, buf, "mem");
    }
    snprintf(buf, sizeof buf, "%s bandwidth", name);
    d->tl_series = tl_series(tl, group, buf, "B/cycle");
    tl_rate_init(&d->tl_bw);
}

void dram_trace_end(dram *d)
{
    if (d->tl)
        tl_rate_emit(d->tl, &d->tl_bw, d->tl_series);
    tl_rate_free(&d->tl_bw);
    d->tl = NULL;
}

double dram_bytes_per_cycle(const dram *d)
{
    return d->cfg.ideal ? 0.0 : (double)d->cfg.bytes_per_s / (double)d->clock_hz;
}

tp_status dram_check_limit(const dram *d, const char *path, const char *clock_key, tp_err *err)
{
    if (!d->past_limit)
        return TP_OK;
    char bw[32], hz[32];
    return tp_err_set(err, TP_ERR_RANGE,
                      "%s.bandwidth=%s at %s=%s: an access would end at cycle %.3g, past the %.3g (2^63) "
                      "cycles tpusim counts; the run is refused rather than reported wrapped",
                      path, units_fmt_bandwidth(d->cfg.bytes_per_s, bw, sizeof bw), clock_key,
                      units_fmt_freq(d->clock_hz, hz, sizeof hz), d->past_limit_cycles, (double)TP_COUNT_MAX);
}

uint64_t dram_run_bursts(const dram *d, uint64_t addr, uint64_t len)
{
    if (len == 0)
        return 0;
    uint64_t b = d->cfg.burst_bytes;
    return (addr + len - 1) / b - addr / b + 1;
}

/* Number of bursts j in [0, x) on channel c: period P = g * channels bursts, g per channel. */
static uint64_t bursts_below(uint64_t x, uint64_t g, uint64_t ch, uint64_t c)
{
    uint64_t per = g * ch;
    uint64_t full = (x / per) * g;
    uint64_t r = x % per, lo = c * g;
    uint64_t part = r <= lo ? 0 : (r - lo > g ? g : r - lo);
    return full + part;
}

/* Adds the bursts of run [addr, addr+len) per channel into cnt[] (times `times`). */
static void add_run(const dram *d, uint64_t addr, uint64_t len, uint64_t times, uint64_t *cnt)
{
    uint64_t b = d->cfg.burst_bytes, g = d->granule_bursts, ch = d->cfg.channels;
    uint64_t j0 = addr / b, j1 = (addr + len - 1) / b + 1;
    for (uint64_t c = 0; c < ch; c++)
        cnt[c] += times * (bursts_below(j1, g, ch, c) - bursts_below(j0, g, ch, c));
}

void dram_channel_bursts(const dram *d, uint64_t addr, uint64_t rows, uint64_t row_bytes, uint64_t stride,
                         uint64_t *cnt)
{
    uint64_t ch = d->cfg.channels, burst = d->cfg.burst_bytes;
    memset(cnt, 0, sizeof(uint64_t) * ch);
    if (rows == 0 || row_bytes == 0)
        return;
    if (stride == 0)
        stride = row_bytes;
    uint64_t period = d->granule_bursts * ch * burst;
    if (stride == row_bytes)
        add_run(d, addr, rows * row_bytes, 1, cnt);          /* one contiguous run */
    else if (stride % period == 0)
        add_run(d, addr, row_bytes, rows, cnt);              /* every row alike */
    else {
        /* a run's bursts per channel depend only on its address modulo the period, which the
         * rows' addresses repeat every period / gcd(stride, period) rows */
        uint64_t x = stride % period, y = period;
        while (x) {
            uint64_t r = y % x;
            y = x;
            x = r;
        }
        uint64_t rep = period / y, full = rows / rep, rest = rows % rep;
        for (uint64_t i = 0; i < rep && i < rows; i++)
            add_run(d, addr + i * stride, row_bytes, full + (i < rest), cnt);
    }
}

uint64_t dram_access_2d(dram *d, bool write, uint64_t issue, uint64_t addr, uint64_t rows,
                        uint64_t row_bytes, uint64_t stride, dram_access *out)
{
    dram_access a;
    memset(&a, 0, sizeof a);
    a.issue = a.end = issue;
    if (stride == 0)
        stride = row_bytes;
    if (rows == 0 || row_bytes == 0) {
        if (out)
            *out = a;
        return issue;
    }
    uint64_t bytes = rows * row_bytes;
    a.bytes = bytes;
    d->accesses++;
    if (write)
        d->write_bytes += bytes;
    else
        d->read_bytes += bytes;
    uint64_t cnt[DRAM_MAX_CHANNELS];
    uint64_t ch = d->cfg.channels, burst = d->cfg.burst_bytes;
    dram_channel_bursts(d, addr, rows, row_bytes, stride, cnt);
    for (uint64_t c = 0; c < ch; c++)
        a.bursts += cnt[c];
    a.bus_bytes = a.bursts * burst;
    d->bus_bytes += a.bus_bytes;
    if (d->cfg.ideal) {
        if (d->tl)
            tl_rate_add(&d->tl_bw, issue, issue, (double)a.bus_bytes);
        if (out)
            *out = a;
        return issue;
    }
    /* ticks: 1 cycle = bytes_per_s ticks; a channel moves one byte in channels*clock_hz ticks. */
    dram_ticks bps = d->cfg.bytes_per_s, t0 = (dram_ticks)issue * bps, last = t0, busy_max = 0;
    dram_ticks per_byte = (dram_ticks)ch * d->clock_hz;
    for (uint64_t c = 0; c < ch; c++) {
        if (!cnt[c])
            continue;
        dram_ticks begin = d->next_free[c] > t0 ? d->next_free[c] : t0;
        dram_ticks busy = (dram_ticks)cnt[c] * burst * per_byte;
        d->next_free[c] = begin + busy;
        if (d->tl) {
            uint64_t s = (uint64_t)(begin / bps), e = (uint64_t)(d->next_free[c] / bps);
            uint32_t sl = tl_slice(d->tl, d->tl_ch[c], s, e, write ? "write" : "read");
            tl_arg_u64(d->tl, sl, "bursts", cnt[c]);
            tl_arg_u64(d->tl, sl, "bus_bytes", cnt[c] * burst);
            tl_arg_u64(d->tl, sl, "issue_cycle", issue);
            tl_rate_add(&d->tl_bw, s, e, (double)(cnt[c] * burst));
        }
        if (d->next_free[c] > last)
            last = d->next_free[c];
        if (busy > busy_max)
            busy_max = busy;
    }
    dram_ticks lat = write ? d->cfg.write_latency_cycles : d->cfg.read_latency_cycles;
    dram_ticks end = (last + bps - 1) / bps + lat;
    if (end > TP_COUNT_MAX) {   /* held at the limit; the owner refuses the run */
        if (!d->past_limit || (double)end > d->past_limit_cycles)
            d->past_limit_cycles = (double)end;
        d->past_limit = true;
        end = TP_COUNT_MAX;
    }
    dram_ticks busy_c = (busy_max + bps - 1) / bps;
    a.transfer_cycles = busy_c > TP_COUNT_MAX ? TP_COUNT_MAX : (uint64_t)busy_c;
    a.end = (uint64_t)end;
    if (a.end > d->inflight_until) {   /* the union of in-flight intervals */
        d->inflight_cycles += a.end - (issue > d->inflight_until ? issue : d->inflight_until);
        d->inflight_until = a.end;
    }
    if (out)
        *out = a;
    return a.end;
}
