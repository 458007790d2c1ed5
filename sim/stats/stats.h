/* The stats record of one run: what every machine model (the TPU machine, the GPU model) fills
 * and what report/ prints. It knows nothing of which machine filled it.
 *
 * NOTES ON THE DESIGN OF THE RECORD
 *
 * 1. Units. A unit is one hardware block with a timeline (an MXU, a DMA engine, the vector
 *    unit, an off-chip memory; a GPU's SMs, L2 ...). Every unit is of one kind, and every kind
 *    has one cause enum below: each cycle of the run is charged to exactly one cause of each
 *    unit, so a unit's causes sum to the run's cycles (stats_check).
 *
 * 2. Comparison categories. Every cause of every kind belongs to one category
 *    (stats_cause_category), the vocabulary two machines share: a TPU's and a GPU's compute
 *    units can be summed category by category. The categories:
 *        compute         useful work (an MXU streaming real MACs)
 *        quantization    work issued on padding (partial tiles, partial waves)
 *        pipeline        fill/drain, weight shift, latency not hidden, issue limits
 *        on_chip_data    on-chip delivery: buffer ports, weight FIFO, shared memory
 *        off_chip_memory waiting for off-chip memory (bandwidth or latency)
 *        synchronization dependencies between instructions, barriers, in-order coupling
 *        overhead        fixed costs (launch, host)
 *        idle            nothing to do: no instruction for the unit
 *
 * 3. Levels. Each memory level has a kind (off-chip, on-chip buffer, cache), the bytes the
 *    program asked to read and write, the bytes that crossed its bus (whole bursts, so over-
 *    fetch shows), and its peaks. A peak of INFINITY means unbounded (an ideal memory, a level
 *    without a modelled bandwidth); bandwidth utilization is then 0.
 *
 * 4. Derived figures (stats_finish) mean what their names say: utilization = useful MACs /
 *    (cycles x peak MACs per cycle); bandwidth utilization = bus bytes / (peak bytes per cycle
 *    x cycles); intensity = ops / off-chip bus bytes; the roofline bound = min(peak ops/s,
 *    ops / the time the busiest off-chip level needs for its bus bytes at peak), which is
 *    min(peak, intensity x peak bytes/s) for one off-chip level.
 */
#ifndef TP_STATS_STATS_H
#define TP_STATS_STATS_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"

#define STATS_MAX_CAUSES 16
#define STATS_NAME 32
#define STATS_MAX_LEVELS 16
#define STATS_MAX_ATTRS 8

typedef enum {
    STATS_CAT_COMPUTE = 0,
    STATS_CAT_QUANTIZATION,
    STATS_CAT_PIPELINE,
    STATS_CAT_ON_CHIP,
    STATS_CAT_OFF_CHIP,
    STATS_CAT_SYNC,
    STATS_CAT_OVERHEAD,
    STATS_CAT_IDLE,
    STATS_CAT__COUNT
} stats_category;
const char *stats_category_name(stats_category c);   /* "compute" ... "idle" (JSON keys) */

typedef enum {
    STATS_KIND_MXU = 0,     /* a systolic matrix unit */
    STATS_KIND_DMA,         /* one DMA engine */
    STATS_KIND_VPU,         /* the vector unit */
    STATS_KIND_MEM,         /* an off-chip memory */
    STATS_KIND_SM,          /* a GPU streaming multiprocessor (its tensor pipes) */
    STATS_KIND__COUNT
} stats_kind;
const char *stats_kind_name(stats_kind k);            /* "mxu" "dma" "vpu" "mem" "sm" */
/* Compute kinds do the run's MACs; their categories are what a comparison sums. */
bool stats_kind_is_compute(stats_kind k);

/* MXU: one cycle of the array. */
typedef enum {
    STATS_MXU_BUSY = 0,         /* compute: streaming, in proportion to the useful MACs */
    STATS_MXU_PADDING,          /* quantization: streaming cycles that carry padding (partial tiles) */
    STATS_MXU_WEIGHT_SHIFT,     /* pipeline: weights shifting into the array, not hidden */
    STATS_MXU_FILL_DRAIN,       /* pipeline: the wavefront filling or draining */
    STATS_MXU_WAIT_WEIGHTS,     /* off_chip_memory: its weight tile's loadw has not arrived */
    STATS_MXU_WAIT_INPUTS,      /* off_chip_memory: its inputs' load into the UB has not arrived */
    STATS_MXU_UB_BANDWIDTH,     /* on_chip_data: the UB read port cannot deliver the rows */
    STATS_MXU_DEPENDENCY,       /* synchronization: another hazard (WAR/WAW, results not ready) */
    STATS_MXU_ISSUE_BLOCKED,    /* synchronization: no instruction, the issuer is stopped at
                                   another unit's full queue */
    STATS_MXU_IDLE,             /* idle: no instruction, and none on its way */
    STATS_MXU__COUNT
} stats_mxu_cause;

/* DMA engine: its own transfer cycles, or why it has none. */
typedef enum {
    STATS_DMA_BUSY = 0,         /* off_chip_memory: moving bytes at its own rate (setup too) */
    STATS_DMA_OFF_CHIP,         /* off_chip_memory: held until the memory accepts its last burst */
    STATS_DMA_WBUF_FULL,        /* on_chip_data: its loadw waits for weight FIFO slots */
    STATS_DMA_DEPENDENCY,       /* synchronization: its queue's head waits on a hazard */
    STATS_DMA_ISSUE_BLOCKED,    /* synchronization: no instruction, the issuer is stopped */
    STATS_DMA_IDLE,             /* idle */
    STATS_DMA__COUNT
} stats_dma_cause;

/* Vector unit. */
typedef enum {
    STATS_VPU_BUSY = 0,         /* pipeline: activating results */
    STATS_VPU_UB_BANDWIDTH,     /* on_chip_data: its UB writes wait for the port */
    STATS_VPU_DEPENDENCY,       /* synchronization: waiting for the MXU's results (or a hazard) */
    STATS_VPU_ISSUE_BLOCKED,    /* synchronization */
    STATS_VPU_IDLE,             /* idle */
    STATS_VPU__COUNT
} stats_vpu_cause;

/* Off-chip memory: cycles of bus transfer at peak, of requests in flight beyond that, none. */
typedef enum {
    STATS_MEM_TRANSFER = 0,     /* off_chip_memory: bus bytes / peak bytes per cycle */
    STATS_MEM_LATENCY,          /* off_chip_memory: a request in flight, beyond the transfer */
    STATS_MEM_IDLE,             /* idle: nothing in flight */
    STATS_MEM__COUNT
} stats_mem_cause;

/* GPU SM: one cycle of its tensor pipes (sim/gpu/, docs/gpu.md). */
typedef enum {
    STATS_SM_BUSY = 0,          /* compute: tensor pipes issuing MMAs, in proportion to useful MACs */
    STATS_SM_PADDING,           /* quantization: MMAs issued on the padded part of partial CTA tiles */
    STATS_SM_WAVE_TAIL,         /* quantization: no CTA left for this SM while others still run
                                   (the last, partial wave) */
    STATS_SM_MMA_LATENCY,       /* pipeline: MMA results not ready, the latency not hidden */
    STATS_SM_ISSUE,             /* pipeline: issue slots taken by other instructions (address
                                   arithmetic, ldmatrix and cp.async issue, the epilogue) */
    STATS_SM_SMEM_BANDWIDTH,    /* on_chip_data: shared-memory bandwidth (conflict-free wavefronts) */
    STATS_SM_BANK_CONFLICT,     /* on_chip_data: extra shared-memory wavefronts of bank conflicts */
    STATS_SM_L2,                /* off_chip_memory ("cache"): a stage's tiles not yet arrived,
                                   decided by the L2 (its bandwidth or latency) */
    STATS_SM_DRAM,              /* off_chip_memory: a stage's tiles waiting on DRAM (L2 misses) */
    STATS_SM_BARRIER,           /* synchronization: warps held at the CTA barrier */
    STATS_SM_CP_ASYNC_WAIT,     /* synchronization: the copy pipeline's prologue (stages in flight
                                   before the first MMA) */
    STATS_SM_LAUNCH,            /* overhead: the kernel launch before the first CTA starts */
    STATS_SM_IDLE,              /* idle: no CTA, and the kernel not running */
    STATS_SM__COUNT
} stats_sm_cause;

uint32_t stats_kind_causes(stats_kind k);                       /* number of causes */
const char *stats_cause_name(stats_kind k, uint32_t cause);     /* snake_case JSON key */
stats_category stats_cause_category(stats_kind k, uint32_t cause);
/* The cause of kind k named s; -1 when there is none. */
int stats_cause_parse(stats_kind k, const char *s);

/* One unit's timeline: cycles[c] for each cause c of its kind. */
typedef struct {
    char name[STATS_NAME];          /* "core0.mxu0", "core0.dma1", "core0.vpu", "dram" */
    stats_kind kind;
    uint64_t cycles[STATS_MAX_CAUSES];
    uint64_t macs;                  /* compute kinds: the useful MACs it did */
} stats_unit;

typedef enum {
    STATS_LEVEL_OFF_CHIP = 0,       /* DRAM, HBM, host memory */
    STATS_LEVEL_BUFFER,             /* on-chip software-managed buffer: UB, accumulators, weight
                                       FIFO, shared memory */
    STATS_LEVEL_CACHE,              /* a cache (a GPU's L2) */
    STATS_LEVEL__COUNT
} stats_level_kind;
const char *stats_level_kind_name(stats_level_kind k);  /* "off_chip" "buffer" "cache" */

/* One level of the memory hierarchy. Peaks are INFINITY when unbounded. */
typedef struct {
    char name[STATS_NAME];          /* "dram", "weight_mem", "host", "ub", "acc", "wbuf" */
    stats_level_kind kind;
    uint64_t read_bytes, write_bytes;   /* bytes the program asked for */
    uint64_t bus_bytes;             /* bytes that crossed the level's bus (off-chip: whole
                                       bursts); read + write where there is no over-fetch */
    double peak_bytes_per_s;        /* reads and writes together (one shared bus), or the sum
                                       of the read and write ports' peaks */
    double peak_read_bytes_per_s;   /* the read side alone (= peak_bytes_per_s for a shared bus) */
    double peak_write_bytes_per_s;  /* the write side alone */
    bool shared_bus;                /* reads and writes share one peak (off-chip memories) */
    uint64_t in_flight_cycles;      /* off-chip: cycles with a request in flight */
    /* set by stats_finish */
    double achieved_bytes_per_s;        /* bus_bytes / seconds */
    double bandwidth_utilization;       /* shared bus: bus bytes / (peak bytes per cycle x cycles) */
    double read_utilization, write_utilization;   /* ports: each side against its own peak */
} stats_level;

/* A named string attribute of a run that only one machine has ("engine": "fast",
 * "dataflow": "ws"); reports print them as they are. */
typedef struct {
    char key[24];
    char value[40];
} stats_attr;

typedef struct {
    char machine_kind[8];           /* "tpu" / "gpu" */
    char machine[64];               /* config name */
    char dtype[8];                  /* "int8" / "bf16" */
    char compute_unit[8];           /* what does the MACs: "MXU", "SM" */
    uint32_t compute_units;         /* of the whole chip */
    uint32_t compute_units_used;    /* that did at least one MAC */
    uint32_t n_attrs;
    stats_attr attrs[STATS_MAX_ATTRS];
    bool timing_only;               /* values were not computed */
    uint64_t clock_hz;
    uint64_t cycles;                /* total cycles of the run */
    uint64_t instructions;
    uint64_t macs;                  /* useful multiply-accumulates */
    double peak_macs_per_cycle;     /* of the whole chip (need not be an integer) */
    uint32_t n_units, cap_units;
    stats_unit *units;
    uint32_t n_levels;
    stats_level levels[STATS_MAX_LEVELS];
    bool has_energy;
    double energy_pj;               /* total */
    double energy_mac_pj, energy_offchip_pj, energy_onchip_pj;  /* breakdown */
    /* set by stats_finish */
    double seconds;                 /* cycles / clock_hz */
    double utilization;             /* macs / (cycles x peak_macs_per_cycle) */
    double peak_ops_per_s;          /* 2 x peak MACs per cycle x clock */
    double ops_per_s;               /* 2 x macs / seconds */
    uint64_t offchip_bytes;         /* requested bytes of every off-chip level, read + write */
    uint64_t offchip_bus_bytes;     /* bytes on the off-chip buses */
    double offchip_peak_bytes_per_s;    /* sum of the off-chip peaks (INFINITY if any unbounded) */
    double intensity;               /* 2 x macs / offchip_bus_bytes (ops per byte; INFINITY if none) */
    double roofline_ops_per_s;      /* min(peak ops/s, 2 x macs / the longest off-chip level's
                                       bus bytes / peak); one level: min(peak, intensity x peak) */
} tp_stats;

void stats_init(tp_stats *s);
void stats_free(tp_stats *s);
/* Copies src into *dst (deep); returns TP_ERR_NOMEM on failure. */
tp_status stats_copy(tp_stats *dst, const tp_stats *src, tp_err *err);
/* Sets an attribute (replacing one of the same key); ignored past STATS_MAX_ATTRS. */
void stats_set_attr(tp_stats *s, const char *key, const char *value);
const char *stats_attr_get(const tp_stats *s, const char *key);  /* NULL if absent */
/* Adds a unit with every cause at 0; returns it or NULL when out of memory. */
stats_unit *stats_add_unit(tp_stats *s, const char *name, stats_kind kind);
const stats_unit *stats_find_unit(const tp_stats *s, const char *name);
/* A unit's cycles of the cause named `cause`; 0 if its kind has none of that name. */
uint64_t stats_unit_cause(const stats_unit *u, const char *cause);
/* A unit's cycles of one category. */
uint64_t stats_unit_category(const stats_unit *u, stats_category c);
/* Adds a level with its peaks unbounded; NULL when STATS_MAX_LEVELS are in use. */
stats_level *stats_add_level(tp_stats *s, const char *name, stats_level_kind kind);
const stats_level *stats_find_level(const tp_stats *s, const char *name);
/* Sets the derived figures (marked above) from the counters. */
void stats_finish(tp_stats *s);
/* Checks the invariants: no cause exceeds `cycles` (a wrapped subtraction would still sum
 * right) and every unit's causes sum to it; TP_ERR_INTERNAL naming the unit. */
tp_status stats_check(const tp_stats *s, tp_err *err);
#endif
