/* Derived figures of a loaded machine (peak MACs and ops, bandwidth per cycle, ridge points,
 * capacities) and `config show`'s text and JSON forms.
 *
 * Equations (one place each):
 *   TPU peak MACs/cycle   = cores * mxus_per_core * rows * cols
 *   TPU peak ops/s        = 2 * peak MACs/cycle * clock_hz          (a MAC is 2 ops)
 *   GPU MACs/SM/cycle     = tensor_units_per_sm * m*n*k / interval  (mma), or
 *                           fma_lanes_per_sm * 4                    (dp4a int8)
 *   GPU peak ops/s        = 2 * sms * MACs/SM/cycle * clock_hz
 *   bytes per cycle       = bytes_per_s / clock_hz                  (exact rational)
 *   transfer cycles       = ceil(bytes * clock_hz / bytes_per_s)    (128-bit integers)
 *   ridge point           = peak ops/s / memory bytes/s             (ops per byte)
 *   MAC energy at a node  = pj_per_mac x cfg_energy_node_scale(mac_node_nm, process_nm)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "base/json.h"
#include "base/units.h"
#include "config/config.h"
#include "config/keys.h"

uint64_t cfg_tpu_peak_macs_per_cycle(const tp_tpu_cfg *t)
{
    return (uint64_t)t->cores * t->mxus_per_core * t->array.rows * t->array.cols;
}

double cfg_tpu_peak_ops_per_s(const tp_tpu_cfg *t, tp_dtype dt)
{
    if (!t->present || (unsigned)dt >= TP_DTYPE__COUNT || !t->array.dtypes[dt])
        return 0.0;
    return 2.0 * (double)cfg_tpu_peak_macs_per_cycle(t) * (double)t->clock_hz;
}

double cfg_mem_bytes_per_cycle(const tp_mem_cfg *m, uint64_t clock_hz)
{
    if (!clock_hz)
        return 0.0;
    return (double)m->bytes_per_s / (double)clock_hz;
}

uint64_t cfg_mem_transfer_cycles(const tp_mem_cfg *m, uint64_t clock_hz, uint64_t bytes)
{
    uint64_t cyc;
    if (m->ideal || bytes == 0)
        return 0;
    if (!m->bytes_per_s)
        return UINT64_MAX;
    if (units_muldiv_ceil(bytes, clock_hz, m->bytes_per_s, &cyc))
        return UINT64_MAX;
    return cyc;
}

static void supported_list(const bool *d, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < TP_DTYPE__COUNT; i++)
        if (d[i] && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", dtype_name((tp_dtype)i));
    if (!n)
        snprintf(buf, cap, "none");
}

tp_status cfg_tpu_require_dtype(const tp_config *c, tp_dtype dt, tp_err *err)
{
    char list[64];
    if (cfg_require_tpu(c, err) != TP_OK)
        return TP_ERR_UNSUPPORTED;
    if ((unsigned)dt >= TP_DTYPE__COUNT)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "unknown dtype");
    if (c->tpu.array.dtypes[dt])
        return TP_OK;
    supported_list(c->tpu.array.dtypes, list, sizeof list);
    return tp_err_set(err, TP_ERR_UNSUPPORTED, "machine '%s' does not support %s (it supports: %s)", c->tpu.name,
                      dtype_name(dt), list);
}

bool cfg_gpu_supports(const tp_gpu_cfg *g, tp_dtype dt)
{
    if (!g->present || (unsigned)dt >= TP_DTYPE__COUNT)
        return false;
    return g->mma[dt].present || (dt == TP_INT8 && g->dp4a);
}

static double mma_macs(const tp_mma_cfg *m, uint32_t units)
{
    if (!m->present || !m->interval_cycles)
        return 0.0;
    return (double)units * m->m * m->n * m->k / (double)m->interval_cycles;
}

double cfg_gpu_macs_per_sm_cycle(const tp_gpu_cfg *g, tp_dtype dt)
{
    if (!cfg_gpu_supports(g, dt))
        return 0.0;
    if (g->mma[dt].present)
        return mma_macs(&g->mma[dt], g->tensor_units_per_sm);
    return 4.0 * g->fma_lanes_per_sm;   /* dp4a: a 4-element int8 dot product per lane per cycle */
}

double cfg_gpu_fp16_macs_per_sm_cycle(const tp_gpu_cfg *g)
{
    return g->present ? mma_macs(&g->mma_fp16, g->tensor_units_per_sm) : 0.0;
}

double cfg_gpu_peak_ops_per_s(const tp_gpu_cfg *g, tp_dtype dt)
{
    return 2.0 * g->sms * cfg_gpu_macs_per_sm_cycle(g, dt) * (double)g->clock_hz;
}

tp_status cfg_gpu_require_dtype(const tp_config *c, tp_dtype dt, tp_err *err)
{
    char list[64];
    bool d[TP_DTYPE__COUNT];
    if (!c->gpu.present)
        return tp_err_set(err, TP_ERR_UNSUPPORTED, "machine '%s' has no gpu: section", c->name);
    if (cfg_gpu_supports(&c->gpu, dt))
        return TP_OK;
    for (int i = 0; i < TP_DTYPE__COUNT; i++)
        d[i] = cfg_gpu_supports(&c->gpu, (tp_dtype)i);
    supported_list(d, list, sizeof list);
    if (!strcmp(list, "none") && c->gpu.mma_fp16.present)
        list[0] = 0;
    /* fp16 is the GPU's own input type (gpu_run_opts.fp16 on mma.fp16), not a tp_dtype: named too */
    return tp_err_set(err, TP_ERR_UNSUPPORTED, "GPU '%s' does not support %s (it supports: %s%s)", c->gpu.name,
                      dtype_name(dt), list, c->gpu.mma_fp16.present ? (list[0] ? ", fp16" : "fp16") : "");
}

/* ---- energy: the process-node rule -------------------------------------------------------------
 *
 * NOTES ON SCALING A MAC'S ENERGY TO A PROCESS NODE (docs/energy.md)
 *
 * 1. A table gives its MAC figures at the node of its source (energy.mac_node_nm; Horowitz, ISSCC
 *    2014, is 45 nm) and the chip states its own node (process_nm). The MAC figure is multiplied by
 *        scale = f(chip) / f(table),   f(n) = (clamp(n, 7, 45) / 45) ^ a,   a = ln(R7) / ln(7/45).
 * 2. R7 = 0.35 is the 7 nm / 45 nm energy ratio of arithmetic in the update of Horowitz's table,
 *    N. Jouppi et al., "Ten Lessons From Three Generations Shaped Google's TPUv4i", ISCA 2021,
 *    Table 2: 8-bit multiply 0.2 -> 0.07 pJ (0.35), fp32 multiply 3.7 -> 1.31 (0.354), fp16
 *    multiply + fp32 add 2.0 -> 0.72 (0.36). Two significant figures are all the data carry.
 * 3. Between 45 and 7 nm the power law (a = 0.564) is an interpolation, not a measurement
 *    (28 nm 0.76, 16 nm 0.56, 12 nm 0.47). Outside [7, 45] nm there is no published table: the
 *    factor is held at the end (a 4 nm chip gets the 7 nm figures, an upper bound).
 * 4. Only MAC figures scale. SRAM per-byte figures are used as written (the same paper shows SRAM
 *    improving less than logic; without its per-size figures they stay at 45 nm, an upper bound);
 *    off-chip per-byte figures belong to the memory and its interface, not to the logic node.
 * 5. Either node 0 (not given): scale 1, the table is taken as written at the chip's node.
 */
#define ENERGY_NODE_REF_NM 45.0   /* Horowitz ISSCC 2014 */
#define ENERGY_NODE_LOW_NM 7.0    /* Jouppi et al. ISCA 2021, Table 2 */
#define ENERGY_NODE_R7 0.35       /* energy at 7 nm / energy at 45 nm, arithmetic (note 2) */

static double energy_node_factor(uint32_t nm)
{
    double n = nm < ENERGY_NODE_LOW_NM ? ENERGY_NODE_LOW_NM : nm > ENERGY_NODE_REF_NM ? ENERGY_NODE_REF_NM : nm;
    double a = log(ENERGY_NODE_R7) / log(ENERGY_NODE_LOW_NM / ENERGY_NODE_REF_NM);
    return pow(n / ENERGY_NODE_REF_NM, a);
}

double cfg_energy_node_scale(uint32_t table_nm, uint32_t chip_nm)
{
    if (!table_nm || !chip_nm)
        return 1.0;
    return energy_node_factor(chip_nm) / energy_node_factor(table_nm);
}

double cfg_energy_pj_per_mac(const tp_energy_cfg *en, uint32_t chip_nm, tp_dtype dt)
{
    return en->pj_per_mac[dt] * cfg_energy_node_scale(en->mac_node_nm, chip_nm);
}

static void print_energy(FILE *f, const char *sec, const tp_energy_cfg *en, uint32_t chip_nm, const bool *dtypes)
{
    char lbl[64];
    if (!en->present)
        return;
    for (int d = 0; d < TP_DTYPE__COUNT; d++) {
        if (!dtypes[d])
            continue;
        snprintf(lbl, sizeof lbl, "%s energy per %s MAC", sec, dtype_name((tp_dtype)d));
        if (en->mac_node_nm && chip_nm)
            fprintf(f, "  %-34s %.4g pJ at %u nm (%.4g pJ at %u nm x %.3f)\n", lbl,
                    cfg_energy_pj_per_mac(en, chip_nm, (tp_dtype)d), chip_nm, en->pj_per_mac[d], en->mac_node_nm,
                    cfg_energy_node_scale(en->mac_node_nm, chip_nm));
        else
            fprintf(f, "  %-34s %.4g pJ (as written, not scaled)\n", lbl, en->pj_per_mac[d]);
    }
}

/* ---- config show ------------------------------------------------------------------------------ */

static bool key_shown(const cfg_key *k, const tp_config *c)
{
    if (!strcmp(k->path, "gpu"))   /* gpu: analogous (not inside a gpu: section), where given */
        return c->gpu_peer[0] != 0;
    int b = cfg_block_of(k->path);
    if (b >= 0 && !*(const bool *)((const char *)c + cfg_blocks[b].present_off))
        return false;
    return true;
}

/* An optional key that was not given has a zero field: show it as not set. */
static bool key_unset(const cfg_key *k, const tp_config *c)
{
    const char *p = (const char *)c + k->off;
    if (k->req != KR_OPTIONAL || k->type == KT_STR)
        return false;
    if (k->type == KT_U32) {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v == 0;
    }
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v == 0;
}

static void print_ops(FILE *f, const char *label, double ops, bool int8)
{
    double scale = ops >= 1e12 ? 1e12 : ops >= 1e9 ? 1e9 : 1e6;
    const char *p = ops >= 1e12 ? "T" : ops >= 1e9 ? "G" : "M";
    fprintf(f, "  %-34s %.2f %s%s\n", label, ops / scale, p, int8 ? "OPS" : "FLOPS");
}

static void print_mem_fig(FILE *f, const char *name, const tp_mem_cfg *m, uint64_t clock_hz, double peak_ops)
{
    char lbl[64];
    if (!m->present)
        return;
    snprintf(lbl, sizeof lbl, "%s bandwidth", name);
    if (m->ideal) {
        fprintf(f, "  %-34s ideal (unlimited)\n", lbl);
        return;
    }
    fprintf(f, "  %-34s %.2f GB/s = %.4g bytes/cycle\n", lbl, (double)m->bytes_per_s / 1e9,
            cfg_mem_bytes_per_cycle(m, clock_hz));
    if (peak_ops > 0) {
        snprintf(lbl, sizeof lbl, "ridge point vs %s", name);
        fprintf(f, "  %-34s %.1f ops/byte\n", lbl, peak_ops / (double)m->bytes_per_s);
    }
}

/* Width of config show's key column: the longest key path or section name, so that every value
 * starts in the same column (tpu.weight_mem.bytes_per_cycle_per_channel is 42 characters). */
static int key_column_width(void)
{
    size_t w = 0;
    for (size_t i = 0; i < cfg_n_keys; i++)
        if (strlen(cfg_keys[i].path) > w)
            w = strlen(cfg_keys[i].path);
    for (size_t b = 0; b < cfg_n_blocks; b++)
        if (strlen(cfg_blocks[b].prefix) > w)
            w = strlen(cfg_blocks[b].prefix);
    return (int)w;
}

void cfg_print(const tp_config *c, void *file)
{
    FILE *f = file;
    char val[160], a[32];
    int kw = key_column_width();
    fprintf(f, "machine: %s  (from %s)\n", c->name, c->source);
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        const char *unit = k->unit;
        if (!key_shown(k, c))
            continue;
        if (key_unset(k, c)) {
            snprintf(val, sizeof val, "(not set)");
            unit = "";
        } else {
            cfg_key_format(k, c, val, sizeof val);
        }
        if ((k->type == KT_SIZE || k->type == KT_BW || k->type == KT_FREQ) && !key_unset(k, c)) {
            uint64_t v;
            memcpy(&v, (const char *)c + k->off, sizeof v);
            snprintf(a, sizeof a, "%llu", (unsigned long long)v);
            fprintf(f, "%-*s %-14s %s (%s)\n", kw, k->path, val, unit, a);
        } else if (unit[0]) {
            fprintf(f, "%-*s %-14s %s\n", kw, k->path, val, unit);
        } else {
            fprintf(f, "%-*s %s\n", kw, k->path, val);
        }
    }
    /* optional sections that are absent (inside a present machine section) */
    for (size_t b = 0; b < cfg_n_blocks; b++) {
        const char *pre = cfg_blocks[b].prefix;
        bool present = *(const bool *)((const char *)c + cfg_blocks[b].present_off);
        bool top = !strchr(pre, '.');
        bool parent = !strncmp(pre, "tpu.", 4) ? c->tpu.present : c->gpu.present;
        if (!present && (top || parent))
            fprintf(f, "%-*s (absent)\n", kw, pre);
    }

    fprintf(f, "derived:\n");
    if (c->tpu.present) {
        const tp_tpu_cfg *t = &c->tpu;
        double best = 0;
        fprintf(f, "  %-34s %llu\n", "tpu peak MACs/cycle", (unsigned long long)cfg_tpu_peak_macs_per_cycle(t));
        for (int d = 0; d < TP_DTYPE__COUNT; d++)
            if (t->array.dtypes[d]) {
                char lbl[64];
                double ops = cfg_tpu_peak_ops_per_s(t, (tp_dtype)d);
                snprintf(lbl, sizeof lbl, "tpu peak %s", dtype_name((tp_dtype)d));
                print_ops(f, lbl, ops, d == TP_INT8);
                if (ops > best)
                    best = ops;
            }
        for (int m = 0; m < TP_MEM__COUNT; m++) {
            char nm[32];
            snprintf(nm, sizeof nm, "tpu.%s", cfg_mem_name((tp_mem_id)m));
            print_mem_fig(f, nm, &t->mem[m], t->clock_hz, best);
        }
        {
            uint64_t wtile = (uint64_t)t->array.rows * t->array.cols * (t->array.dtypes[TP_BF16] ? 2 : 1);
            fprintf(f, "  %-34s %s per core, %s per chip\n", "unified buffer",
                    units_fmt_size(t->ub.size_bytes, val, sizeof val),
                    units_fmt_size(t->ub.size_bytes * t->cores, a, sizeof a));
            fprintf(f, "  %-34s %s per MXU (%llu rows x %u x %u bit), %s per chip\n", "accumulators",
                    units_fmt_size(t->acc.size_bytes, val, sizeof val), (unsigned long long)t->acc.entries,
                    t->array.cols, t->acc.width_bits,
                    units_fmt_size(t->acc.size_bytes * t->mxus_per_core * t->cores, a, sizeof a));
            fprintf(f, "  %-34s %u tiles of %s per MXU\n", "weight FIFO", t->wbuf.depth_tiles,
                    units_fmt_size(wtile, val, sizeof val));
        }
        print_energy(f, "tpu", &t->energy, t->process_nm, t->array.dtypes);
    }
    if (c->gpu.present) {
        const tp_gpu_cfg *g = &c->gpu;
        double best = 0;
        for (int d = 0; d < TP_DTYPE__COUNT; d++) {
            char lbl[64];
            if (!cfg_gpu_supports(g, (tp_dtype)d))
                continue;
            double ops = cfg_gpu_peak_ops_per_s(g, (tp_dtype)d);
            snprintf(lbl, sizeof lbl, "gpu MACs/SM/cycle %s%s", dtype_name((tp_dtype)d),
                     g->mma[d].present ? "" : " (dp4a)");
            fprintf(f, "  %-34s %g\n", lbl, cfg_gpu_macs_per_sm_cycle(g, (tp_dtype)d));
            snprintf(lbl, sizeof lbl, "gpu peak %s", dtype_name((tp_dtype)d));
            print_ops(f, lbl, ops, d == TP_INT8);
            if (ops > best)
                best = ops;
        }
        if (g->mma_fp16.present)
            print_ops(f, "gpu peak fp16 (tensor cores)",
                      2.0 * g->sms * cfg_gpu_fp16_macs_per_sm_cycle(g) * (double)g->clock_hz, false);
        print_ops(f, "gpu peak fp32 (FMA)", 2.0 * g->sms * g->fma_lanes_per_sm * (double)g->clock_hz, false);
        print_mem_fig(f, "gpu.dram", &g->dram, g->clock_hz, best);
        fprintf(f, "  %-34s %s per SM, %s in all\n", "shared memory", units_fmt_size(g->smem_per_sm_bytes, val, sizeof val),
                units_fmt_size(g->smem_per_sm_bytes * g->sms, a, sizeof a));
        fprintf(f, "  %-34s %s, %.2f GB/s\n", "L2", units_fmt_size(g->l2.size_bytes, val, sizeof val),
                (double)g->l2.bytes_per_s / 1e9);
        {
            bool dt[TP_DTYPE__COUNT];
            for (int d = 0; d < TP_DTYPE__COUNT; d++)
                dt[d] = cfg_gpu_supports(g, (tp_dtype)d) || (d == TP_BF16 && g->mma_fp16.present);
            print_energy(f, "gpu", &g->energy, g->process_nm, dt);
        }
    }
}

/* ---- JSON ------------------------------------------------------------------------------------ */

/* Keys flat by path ("tpu.array.rows": 256), numbers in base units, then "derived". Written by
 * the one JSON writer (base/json.c), which escapes strings (control characters, quotes, bytes
 * that are not UTF-8 in a file name) so the output is always valid JSON. */
void cfg_print_json(const tp_config *c, void *file)
{
    json_w w;
    char val[160], nm[64];
    json_init(&w, file, 2);
    json_begin_object(&w);
    json_kv_str(&w, "source", c->source);
    json_key(&w, "keys");
    json_begin_object(&w);
    for (size_t i = 0; i < cfg_n_keys; i++) {
        const cfg_key *k = &cfg_keys[i];
        const char *p = (const char *)c + k->off;
        if (!key_shown(k, c))
            continue;
        json_key(&w, k->path);
        if (key_unset(k, c)) {
            json_null(&w);
            continue;
        }
        switch (k->type) {
        case KT_U32:
        case KT_TIME32: {
            uint32_t v;
            memcpy(&v, p, sizeof v);
            json_u64(&w, v);
            break;
        }
        case KT_U64:
        case KT_TIME64:
        case KT_SIZE:
        case KT_BW:
        case KT_FREQ: {
            uint64_t v;
            memcpy(&v, p, sizeof v);
            json_u64(&w, v);
            break;
        }
        case KT_DURATION: {   /* seconds, the base unit */
            uint64_t v;
            memcpy(&v, p, sizeof v);
            json_double(&w, (double)v / 1e12);
            break;
        }
        case KT_BOOL:
            json_bool(&w, *(const bool *)p);
            break;
        case KT_PJ:
            json_double(&w, *(const double *)p);
            break;
        case KT_DTYPES: {
            const bool *d = (const bool *)p;
            json_begin_array_flat(&w);
            for (int j = 0; j < TP_DTYPE__COUNT; j++)
                if (d[j])
                    json_str(&w, dtype_name((tp_dtype)j));
            json_end_array(&w);
            break;
        }
        default:
            json_str(&w, cfg_key_format(k, c, val, sizeof val));
        }
    }
    json_end_object(&w);
    json_key(&w, "derived");
    json_begin_object(&w);
    if (c->tpu.present) {
        const tp_tpu_cfg *t = &c->tpu;
        json_kv_u64(&w, "tpu.peak_macs_per_cycle", cfg_tpu_peak_macs_per_cycle(t));
        for (int d = 0; d < TP_DTYPE__COUNT; d++)
            if (t->array.dtypes[d]) {
                snprintf(nm, sizeof nm, "tpu.peak_ops_per_s.%s", dtype_name((tp_dtype)d));
                json_kv_double(&w, nm, cfg_tpu_peak_ops_per_s(t, (tp_dtype)d));
            }
        for (int m = 0; m < TP_MEM__COUNT; m++)
            if (t->mem[m].present && !t->mem[m].ideal) {
                double best = 0;
                snprintf(nm, sizeof nm, "tpu.%s.bytes_per_cycle", cfg_mem_name((tp_mem_id)m));
                json_kv_double(&w, nm, cfg_mem_bytes_per_cycle(&t->mem[m], t->clock_hz));
                for (int d = 0; d < TP_DTYPE__COUNT; d++)
                    if (cfg_tpu_peak_ops_per_s(t, (tp_dtype)d) > best)
                        best = cfg_tpu_peak_ops_per_s(t, (tp_dtype)d);
                snprintf(nm, sizeof nm, "tpu.%s.ridge_ops_per_byte", cfg_mem_name((tp_mem_id)m));
                json_kv_double(&w, nm, best / (double)t->mem[m].bytes_per_s);
            }
        json_kv_u64(&w, "tpu.acc.entries", t->acc.entries);
        json_kv_u64(&w, "tpu.acc.size_bytes", t->acc.size_bytes);
        json_kv_u64(&w, "tpu.ub.bytes_per_chip", t->ub.size_bytes * t->cores);
        json_kv_u64(&w, "tpu.acc.bytes_per_chip", t->acc.size_bytes * t->mxus_per_core * t->cores);
        if (t->energy.present)
            for (int d = 0; d < TP_DTYPE__COUNT; d++)
                if (t->array.dtypes[d]) {
                    snprintf(nm, sizeof nm, "tpu.energy.pj_per_mac_at_node.%s", dtype_name((tp_dtype)d));
                    json_kv_double(&w, nm, cfg_energy_pj_per_mac(&t->energy, t->process_nm, (tp_dtype)d));
                }
    }
    if (c->gpu.present) {
        const tp_gpu_cfg *g = &c->gpu;
        for (int d = 0; d < TP_DTYPE__COUNT; d++)
            if (cfg_gpu_supports(g, (tp_dtype)d)) {
                snprintf(nm, sizeof nm, "gpu.peak_ops_per_s.%s", dtype_name((tp_dtype)d));
                json_kv_double(&w, nm, cfg_gpu_peak_ops_per_s(g, (tp_dtype)d));
            }
        if (!g->dram.ideal)
            json_kv_double(&w, "gpu.dram.bytes_per_cycle", cfg_mem_bytes_per_cycle(&g->dram, g->clock_hz));
        if (g->energy.present)
            for (int d = 0; d < TP_DTYPE__COUNT; d++) {
                snprintf(nm, sizeof nm, "gpu.energy.pj_per_mac_at_node.%s", dtype_name((tp_dtype)d));
                json_kv_double(&w, nm, cfg_energy_pj_per_mac(&g->energy, g->process_nm, (tp_dtype)d));
            }
    }
    json_end_object(&w);
    json_end_object(&w);
    (void)json_finish(&w);   /* flushes; the caller checks the stream for write errors */
}
