/* The stats record: the cause vocabulary with its categories, construction helpers, derived
 * figures and the invariant check (see stats.h). */
#include "stats/stats.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const category_names[STATS_CAT__COUNT] = {
    [STATS_CAT_COMPUTE] = "compute",
    [STATS_CAT_QUANTIZATION] = "quantization",
    [STATS_CAT_PIPELINE] = "pipeline",
    [STATS_CAT_ON_CHIP] = "on_chip_data",
    [STATS_CAT_OFF_CHIP] = "off_chip_memory",
    [STATS_CAT_SYNC] = "synchronization",
    [STATS_CAT_OVERHEAD] = "overhead",
    [STATS_CAT_IDLE] = "idle",
};

const char *stats_category_name(stats_category c)
{
    return (unsigned)c < STATS_CAT__COUNT ? category_names[c] : "?";
}

typedef struct {
    const char *name;
    stats_category cat;
} cause_info;

static const cause_info mxu_causes[STATS_MXU__COUNT] = {
    [STATS_MXU_BUSY] = {"busy", STATS_CAT_COMPUTE},
    [STATS_MXU_PADDING] = {"padding", STATS_CAT_QUANTIZATION},
    [STATS_MXU_WEIGHT_SHIFT] = {"weight_shift", STATS_CAT_PIPELINE},
    [STATS_MXU_FILL_DRAIN] = {"fill_drain", STATS_CAT_PIPELINE},
    [STATS_MXU_WAIT_WEIGHTS] = {"wait_weights", STATS_CAT_OFF_CHIP},
    [STATS_MXU_WAIT_INPUTS] = {"wait_inputs", STATS_CAT_OFF_CHIP},
    [STATS_MXU_UB_BANDWIDTH] = {"ub_bandwidth", STATS_CAT_ON_CHIP},
    [STATS_MXU_DEPENDENCY] = {"dependency", STATS_CAT_SYNC},
    [STATS_MXU_ISSUE_BLOCKED] = {"issue_blocked", STATS_CAT_SYNC},
    [STATS_MXU_IDLE] = {"idle", STATS_CAT_IDLE},
};

static const cause_info dma_causes[STATS_DMA__COUNT] = {
    [STATS_DMA_BUSY] = {"busy", STATS_CAT_OFF_CHIP},
    [STATS_DMA_OFF_CHIP] = {"off_chip", STATS_CAT_OFF_CHIP},
    [STATS_DMA_WBUF_FULL] = {"wbuf_full", STATS_CAT_ON_CHIP},
    [STATS_DMA_DEPENDENCY] = {"dependency", STATS_CAT_SYNC},
    [STATS_DMA_ISSUE_BLOCKED] = {"issue_blocked", STATS_CAT_SYNC},
    [STATS_DMA_IDLE] = {"idle", STATS_CAT_IDLE},
};

static const cause_info vpu_causes[STATS_VPU__COUNT] = {
    [STATS_VPU_BUSY] = {"busy", STATS_CAT_PIPELINE},
    [STATS_VPU_UB_BANDWIDTH] = {"ub_bandwidth", STATS_CAT_ON_CHIP},
    [STATS_VPU_DEPENDENCY] = {"dependency", STATS_CAT_SYNC},
    [STATS_VPU_ISSUE_BLOCKED] = {"issue_blocked", STATS_CAT_SYNC},
    [STATS_VPU_IDLE] = {"idle", STATS_CAT_IDLE},
};

static const cause_info mem_causes[STATS_MEM__COUNT] = {
    [STATS_MEM_TRANSFER] = {"transfer", STATS_CAT_OFF_CHIP},
    [STATS_MEM_LATENCY] = {"latency", STATS_CAT_OFF_CHIP},
    [STATS_MEM_IDLE] = {"idle", STATS_CAT_IDLE},
};

static const cause_info sm_causes[STATS_SM__COUNT] = {
    [STATS_SM_BUSY] = {"busy", STATS_CAT_COMPUTE},
    [STATS_SM_PADDING] = {"padding", STATS_CAT_QUANTIZATION},
    [STATS_SM_WAVE_TAIL] = {"wave_tail", STATS_CAT_QUANTIZATION},
    [STATS_SM_MMA_LATENCY] = {"mma_latency", STATS_CAT_PIPELINE},
    [STATS_SM_ISSUE] = {"issue", STATS_CAT_PIPELINE},
    [STATS_SM_SMEM_BANDWIDTH] = {"smem_bandwidth", STATS_CAT_ON_CHIP},
    [STATS_SM_BANK_CONFLICT] = {"bank_conflict", STATS_CAT_ON_CHIP},
    [STATS_SM_L2] = {"cache", STATS_CAT_OFF_CHIP},
    [STATS_SM_DRAM] = {"dram", STATS_CAT_OFF_CHIP},
    [STATS_SM_BARRIER] = {"barrier", STATS_CAT_SYNC},
    [STATS_SM_CP_ASYNC_WAIT] = {"cp_async_wait", STATS_CAT_SYNC},
    [STATS_SM_LAUNCH] = {"launch", STATS_CAT_OVERHEAD},
    [STATS_SM_IDLE] = {"idle", STATS_CAT_IDLE},
};

static const struct {
    const char *name;
    bool compute;
    uint32_t n;
    const cause_info *causes;
} kinds[STATS_KIND__COUNT] = {
    [STATS_KIND_MXU] = {"mxu", true, STATS_MXU__COUNT, mxu_causes},
    [STATS_KIND_DMA] = {"dma", false, STATS_DMA__COUNT, dma_causes},
    [STATS_KIND_VPU] = {"vpu", false, STATS_VPU__COUNT, vpu_causes},
    [STATS_KIND_MEM] = {"mem", false, STATS_MEM__COUNT, mem_causes},
    [STATS_KIND_SM] = {"sm", true, STATS_SM__COUNT, sm_causes},
};

_Static_assert(STATS_MXU__COUNT <= STATS_MAX_CAUSES && STATS_DMA__COUNT <= STATS_MAX_CAUSES &&
                   STATS_VPU__COUNT <= STATS_MAX_CAUSES && STATS_MEM__COUNT <= STATS_MAX_CAUSES &&
                   STATS_SM__COUNT <= STATS_MAX_CAUSES,
               "a kind has more causes than a unit can hold");

const char *stats_kind_name(stats_kind k)
{
    return (unsigned)k < STATS_KIND__COUNT ? kinds[k].name : "?";
}

bool stats_kind_is_compute(stats_kind k)
{
    return (unsigned)k < STATS_KIND__COUNT && kinds[k].compute;
}

uint32_t stats_kind_causes(stats_kind k)
{
    return (unsigned)k < STATS_KIND__COUNT ? kinds[k].n : 0;
}

const char *stats_cause_name(stats_kind k, uint32_t cause)
{
    return cause < stats_kind_causes(k) ? kinds[k].causes[cause].name : "?";
}

stats_category stats_cause_category(stats_kind k, uint32_t cause)
{
    return cause < stats_kind_causes(k) ? kinds[k].causes[cause].cat : STATS_CAT_IDLE;
}

int stats_cause_parse(stats_kind k, const char *s)
{
    for (uint32_t c = 0; c < stats_kind_causes(k); c++)
        if (!strcmp(kinds[k].causes[c].name, s))
            return (int)c;
    return -1;
}

static const char *const level_kind_names[STATS_LEVEL__COUNT] = {
    [STATS_LEVEL_OFF_CHIP] = "off_chip",
    [STATS_LEVEL_BUFFER] = "buffer",
    [STATS_LEVEL_CACHE] = "cache",
};

const char *stats_level_kind_name(stats_level_kind k)
{
    return (unsigned)k < STATS_LEVEL__COUNT ? level_kind_names[k] : "?";
}

void stats_init(tp_stats *s)
{
    memset(s, 0, sizeof *s);
}

void stats_free(tp_stats *s)
{
    free(s->units);
    memset(s, 0, sizeof *s);
}

tp_status stats_copy(tp_stats *dst, const tp_stats *src, tp_err *err)
{
    *dst = *src;
    dst->units = NULL;
    dst->cap_units = 0;
    if (src->n_units) {
        dst->units = malloc(sizeof *dst->units * src->n_units);
        if (!dst->units) {
            dst->n_units = 0;
            return tp_err_set(err, TP_ERR_NOMEM, "out of memory copying stats");
        }
        memcpy(dst->units, src->units, sizeof *dst->units * src->n_units);
        dst->cap_units = src->n_units;
    }
    return TP_OK;
}

void stats_set_attr(tp_stats *s, const char *key, const char *value)
{
    uint32_t i = 0;
    while (i < s->n_attrs && strcmp(s->attrs[i].key, key))
        i++;
    if (i == STATS_MAX_ATTRS)
        return;
    if (i == s->n_attrs)
        s->n_attrs++;
    snprintf(s->attrs[i].key, sizeof s->attrs[i].key, "%s", key);
    snprintf(s->attrs[i].value, sizeof s->attrs[i].value, "%s", value);
}

const char *stats_attr_get(const tp_stats *s, const char *key)
{
    for (uint32_t i = 0; i < s->n_attrs; i++)
        if (!strcmp(s->attrs[i].key, key))
            return s->attrs[i].value;
    return NULL;
}

stats_unit *stats_add_unit(tp_stats *s, const char *name, stats_kind kind)
{
    if (s->n_units == s->cap_units) {
        uint32_t nc = s->cap_units ? s->cap_units * 2 : 8;
        stats_unit *u = realloc(s->units, sizeof *u * nc);
        if (!u)
            return NULL;
        s->units = u;
        s->cap_units = nc;
    }
    stats_unit *u = &s->units[s->n_units++];
    memset(u, 0, sizeof *u);
    snprintf(u->name, sizeof u->name, "%s", name);
    u->kind = kind;
    return u;
}

const stats_unit *stats_find_unit(const tp_stats *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_units; i++)
        if (!strcmp(s->units[i].name, name))
            return &s->units[i];
    return NULL;
}

uint64_t stats_unit_cause(const stats_unit *u, const char *cause)
{
    int c = stats_cause_parse(u->kind, cause);
    return c < 0 ? 0 : u->cycles[c];
}

uint64_t stats_unit_category(const stats_unit *u, stats_category cat)
{
    uint64_t sum = 0;
    for (uint32_t c = 0; c < stats_kind_causes(u->kind); c++)
        if (stats_cause_category(u->kind, c) == cat)
            sum += u->cycles[c];
    return sum;
}

stats_level *stats_add_level(tp_stats *s, const char *name, stats_level_kind kind)
{
    if (s->n_levels == STATS_MAX_LEVELS)
        return NULL;
    stats_level *l = &s->levels[s->n_levels++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->kind = kind;
    l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s = INFINITY;
    return l;
}

const stats_level *stats_find_level(const tp_stats *s, const char *name)
{
    for (uint32_t i = 0; i < s->n_levels; i++)
        if (!strcmp(s->levels[i].name, name))
            return &s->levels[i];
    return NULL;
}

/* bytes over (peak bytes per second x seconds); 0 when unbounded or no time passed */
static double util(double bytes, double peak, double seconds)
{
    return (isinf(peak) || peak <= 0 || seconds <= 0) ? 0.0 : bytes / (peak * seconds);
}

void stats_finish(tp_stats *s)
{
    s->seconds = s->clock_hz ? (double)s->cycles / (double)s->clock_hz : 0.0;
    s->utilization = (s->cycles && s->peak_macs_per_cycle > 0)
                         ? (double)s->macs / ((double)s->cycles * s->peak_macs_per_cycle) : 0.0;
    s->peak_ops_per_s = 2.0 * s->peak_macs_per_cycle * (double)s->clock_hz;
    s->ops_per_s = s->seconds > 0 ? 2.0 * (double)s->macs / s->seconds : 0.0;
    s->offchip_bytes = s->offchip_bus_bytes = 0;
    s->offchip_peak_bytes_per_s = 0.0;
    bool any_offchip = false;
    for (uint32_t i = 0; i < s->n_levels; i++) {
        stats_level *l = &s->levels[i];
        l->achieved_bytes_per_s = s->seconds > 0 ? (double)l->bus_bytes / s->seconds : 0.0;
        if (l->shared_bus) {
            l->bandwidth_utilization = util((double)l->bus_bytes, l->peak_bytes_per_s, s->seconds);
            l->read_utilization = l->write_utilization = l->bandwidth_utilization;
        } else {
            l->read_utilization = util((double)l->read_bytes, l->peak_read_bytes_per_s, s->seconds);
            l->write_utilization = util((double)l->write_bytes, l->peak_write_bytes_per_s, s->seconds);
            l->bandwidth_utilization = util((double)l->bus_bytes, l->peak_bytes_per_s, s->seconds);
        }
        if (l->kind == STATS_LEVEL_OFF_CHIP) {
            any_offchip = true;
            s->offchip_bytes += l->read_bytes + l->write_bytes;
            s->offchip_bus_bytes += l->bus_bytes;
            s->offchip_peak_bytes_per_s += l->peak_bytes_per_s;
        }
    }
    if (!any_offchip)
        s->offchip_peak_bytes_per_s = INFINITY;
    s->intensity = s->offchip_bus_bytes ? 2.0 * (double)s->macs / (double)s->offchip_bus_bytes : INFINITY;
    /* The memory bound: each off-chip level needs at least bus_bytes / peak seconds, and they
     * run side by side, so the slowest one bounds the run (with one level this is
     * intensity x peak bandwidth). */
    double t_mem = 0.0;
    for (uint32_t i = 0; i < s->n_levels; i++) {
        const stats_level *l = &s->levels[i];
        if (l->kind == STATS_LEVEL_OFF_CHIP && l->bus_bytes && !isinf(l->peak_bytes_per_s) && l->peak_bytes_per_s > 0) {
            double t = (double)l->bus_bytes / l->peak_bytes_per_s;
            if (t > t_mem)
                t_mem = t;
        }
    }
    double bw_bound = t_mem > 0 ? 2.0 * (double)s->macs / t_mem : INFINITY;
    s->roofline_ops_per_s = bw_bound < s->peak_ops_per_s ? bw_bound : s->peak_ops_per_s;
}

tp_status stats_check(const tp_stats *s, tp_err *err)
{
    for (uint32_t i = 0; i < s->n_units; i++) {
        const stats_unit *u = &s->units[i];
        uint64_t sum = 0;
        for (uint32_t c = 0; c < STATS_MAX_CAUSES; c++) {
            if (c >= stats_kind_causes(u->kind) && u->cycles[c])
                return tp_err_set(err, TP_ERR_INTERNAL, "stats: unit %s: cycles charged to cause %u, which kind %s lacks",
                                  u->name, c, stats_kind_name(u->kind));
            if (u->cycles[c] > s->cycles)   /* a wrapped subtraction would still sum right */
                return tp_err_set(err, TP_ERR_INTERNAL, "stats: unit %s: cause %s has %llu cycles, more than the run's %llu",
                                  u->name, stats_cause_name(u->kind, c), (unsigned long long)u->cycles[c],
                                  (unsigned long long)s->cycles);
            sum += u->cycles[c];
        }
        if (sum != s->cycles)
            return tp_err_set(err, TP_ERR_INTERNAL, "stats: unit %s: causes sum to %llu cycles, total is %llu",
                              u->name, (unsigned long long)sum, (unsigned long long)s->cycles);
    }
    return TP_OK;
}
