/* Off-chip memory (DRAM, HBM, a DDR weight memory, host memory over PCIe): channels, address
 * interleaving, bursts, per-channel bandwidth, read/write latency, queueing. Shared by the TPU
 * machine and (later) the GPU model. Knows nothing about what is stored.
 *
 * Model (docs/memory.md):
 *  - An access is a 2-D strided pattern: `rows` runs of `row_bytes` bytes starting at
 *    addr + i*stride. Each run touches the bursts floor(a / burst) .. floor((a+len-1) / burst);
 *    whole bursts move on the bus (bus_bytes = bursts * burst_bytes).
 *  - Burst j lives on channel (j / g) mod channels, g = max(1, interleave_bytes / burst_bytes).
 *  - A channel moves bytes at bytes_per_s / channels. Its busy time is kept exactly as a
 *    rational (numerator in units of 1/bytes_per_s cycle), so B bytes spread evenly over the
 *    channels of an idle memory take exactly ceil(B * clock_hz / bytes_per_s) cycles.
 *  - Queueing: each channel has its own next-free time; an access's share on channel c begins at
 *    max(issue, next_free[c]) and occupies it for bytes_c * channels * clock_hz / bytes_per_s
 *    cycles. The access completes at ceil(max over its channels of the share's end) + latency
 *    (read_latency_cycles or write_latency_cycles).
 *  - So an access of B bytes that spreads evenly on an idle memory takes
 *        latency + ceil(B * clock_hz / bytes_per_s)      (= latency + cfg_mem_transfer_cycles)
 *    and an uneven one is limited by its busiest channel.
 *  - ideal: zero latency, unlimited bandwidth (an access completes at its issue cycle).
 *  - Not modelled: banks, row buffers, refresh, read/write turnaround, command scheduling.
 */
#ifndef TP_MEM_DRAM_H
#define TP_MEM_DRAM_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "config/config.h"
#include "stats/timeline.h"

#define DRAM_MAX_CHANNELS 256

/* Channel busy times in ticks of 1/bytes_per_s cycle overflow 64 bits for long runs. */
__extension__ typedef unsigned __int128 dram_ticks;

typedef struct {
    tp_mem_cfg cfg;
    uint64_t clock_hz;
    uint32_t granule_bursts;            /* g: consecutive bursts on one channel */
    dram_ticks next_free[DRAM_MAX_CHANNELS]; /* per channel, in ticks (cycles * bytes_per_s) */
    /* counters */
    uint64_t read_bytes, write_bytes;   /* bytes asked for */
    uint64_t bus_bytes;                 /* whole bursts moved */
    uint64_t accesses;
    uint64_t inflight_cycles;           /* cycles with at least one access in flight (the union
                                           of [issue, end) over accesses; issues must come in
                                           nondecreasing order) */
    uint64_t inflight_until;            /* end of the union so far */
    /* An access that would end past TP_COUNT_MAX (base/util.h) sets `past_limit` and the true end
     * it would have had (`past_limit_cycles`, a double: it does not fit the counters); its end is
     * then held at TP_COUNT_MAX. The owner refuses the run (TP_ERR_RANGE) naming the memory's
     * bandwidth and clock; nothing reports a wrapped or saturated count. */
    bool past_limit;
    double past_limit_cycles;
    /* --trace (dram_trace): each access's share on a channel is a slice on that channel's
     * track, [begin, end) of its bus time rounded down to cycles (the shares of one channel
     * follow each other); bus bytes per cycle go to a rate counter. NULL = not recording. */
    timeline *tl;
    uint32_t tl_ch[DRAM_MAX_CHANNELS];  /* track per channel */
    uint32_t tl_series;                 /* the bandwidth counter */
    tl_rate tl_bw;
} dram;

typedef struct {
    uint64_t issue;         /* cycle the access was issued */
    uint64_t end;           /* cycle its last byte is done (data usable) */
    uint64_t bursts, bus_bytes, bytes;
    uint64_t transfer_cycles; /* end - issue - latency - queue wait, the share of the busiest channel */
} dram_access;

/* Initializes from a memory config at the owner's clock. TP_ERR_CONFIG when the config is
 * unusable (zero channels, bandwidth or burst when not ideal, more than DRAM_MAX_CHANNELS). */
tp_status dram_init(dram *d, const tp_mem_cfg *cfg, uint64_t clock_hz, tp_err *err);
/* Forgets all queueing state and counters. */
void dram_reset(dram *d);
/* Issues a 2-D strided access at cycle `issue`; returns its completion cycle and fills *out
 * (may be NULL). rows == 0 or row_bytes == 0 completes at issue. stride 0 = row_bytes. */
uint64_t dram_access_2d(dram *d, bool write, uint64_t issue, uint64_t addr, uint64_t rows,
                        uint64_t row_bytes, uint64_t stride, dram_access *out);
/* TP_OK, or when an access has passed TP_COUNT_MAX (d->past_limit), TP_ERR_RANGE with one line
 * naming the figure and the keys that caused it: `path` is the memory's config path
 * ("tpu.dram"), `clock_key` the clock's ("tpu.clock"). */
tp_status dram_check_limit(const dram *d, const char *path, const char *clock_key, tp_err *err);
/* The bursts per channel (cnt[0 .. channels - 1]) of the access dram_access_2d issues for the
 * same pattern: all of an access's timing that its address decides. */
void dram_channel_bursts(const dram *d, uint64_t addr, uint64_t rows, uint64_t row_bytes, uint64_t stride,
                         uint64_t *cnt);
/* Bursts (and so bus bytes) of one contiguous run [addr, addr+len). */
uint64_t dram_run_bursts(const dram *d, uint64_t addr, uint64_t len);
/* Records the memory's channel bursts and bandwidth into tl from now on: tracks "<name> ch<i>"
 * in `group`, kind "mem", and the counter "<name> bandwidth" (B/cycle). An ideal memory records
 * no bursts (it has no channels) but its bandwidth counter. dram_reset keeps the recording on. */
void dram_trace(dram *d, timeline *tl, const char *group, const char *name);
/* Writes the bandwidth counter's samples and stops recording (frees what it held). */
void dram_trace_end(dram *d);
/* Peak bandwidth in bytes per cycle (0 for ideal). */
double dram_bytes_per_cycle(const dram *d);
#endif
