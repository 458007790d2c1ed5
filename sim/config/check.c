/* The rules between config keys (step 5 of the loader, see config.c), and cfg_tpu_check, the
 * part of them that holds for any tp_tpu_cfg however it was built.
 *
 * Two kinds of rule:
 *  - Invariants of a resolved TPU (tpu_rules): weight_rows_per_cycle at most rows, and each
 *    placement names a memory the config defines. The loader positions a broken one at the key
 *    at fault; cfg_tpu_check, for a tp_tpu_cfg built by hand (tests) or by a caller that wants
 *    to be sure, names the config's source instead. One function, so the two cannot disagree.
 *  - Rules about what was written (check_mem, the accumulator pair, the totals): which of two
 *    alternative keys was given, a latency that is required unless ideal, and the derived fields
 *    that follow (acc.entries from acc.size, bytes_per_s from bytes_per_cycle_per_channel).
 *    These only make sense while loading and need the loader's state (load.h).
 * A total over several keys (PEs, on-chip bytes) is reported at the last --set that fed it
 * (blame), because that is what pushed it over; else at the tpu: section.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include "config/config.h"
#include "config/keys.h"
#include "config/load.h"

/* Limits that keep a machine simulable (the table's per-key ranges come first). */
#define MAX_TOTAL_PES (1ull << 26)
#define MAX_ONCHIP_BYTES (4ull << 30)

/* Where a rule between keys is reported: at `primary` unless one of the other keys it depends
 * on was given by a later --set (that --set is what broke the rule, and the user wrote it; a
 * line of the embedded default would point at text the user never saw). */
static cfg_loc blame_keys(const cfg_ctx *x, int primary, const char *const *others, size_t n)
{
    int best = x->raw[primary].set ? x->raw[primary].set_seq : 0;
    cfg_loc l = cfg_key_loc(x, primary);
    for (size_t p = 0; p < n; p++) {
        int ip = cfg_key_find(others[p]);
        if (ip >= 0 && x->raw[ip].set && x->raw[ip].set_seq > best) {
            best = x->raw[ip].set_seq;
            l = x->raw[ip].loc;
        }
    }
    return l;
}

int cfg_kidx(const char *path)
{
    int i = cfg_key_find(path);
    assert(i >= 0);   /* a path the code names must be in the table */
    return i;
}

/* The invariants of a resolved tpu section. Returns the index of the key at fault with the
 * message in msg (without the key's path), or -1 if they hold. */
static int tpu_rules(const tp_tpu_cfg *t, char *msg, size_t cap)
{
    static const char *const place[3] = {"tpu.placement.weights", "tpu.placement.inputs", "tpu.placement.outputs"};
    tp_mem_id ids[3] = {t->place_weights, t->place_inputs, t->place_outputs};
    if (t->array.weight_rows_per_cycle > t->array.rows) {
        snprintf(msg, cap, "must be at most tpu.array.rows (%u), got %u", t->array.rows, t->array.weight_rows_per_cycle);
        return cfg_kidx("tpu.array.weight_rows_per_cycle");
    }
    for (int p = 0; p < 3; p++)
        if ((unsigned)ids[p] >= TP_MEM__COUNT || !t->mem[ids[p]].present) {
            const char *name = cfg_mem_name(ids[p]);
            snprintf(msg, cap, "'%s' is not defined in this config (add a tpu.%s: section)", name, name);
            return cfg_kidx(place[p]);
        }
    return -1;
}

tp_status cfg_require_tpu(const tp_config *c, tp_err *err)
{
    if (c->tpu.present)
        return TP_OK;
    return tp_err_set(err, TP_ERR_UNSUPPORTED,
                      "%s: machine '%s' has no tpu: section (this command simulates a TPU; gemm and model also run GPU configs)",
                      c->source, c->name);
}

tp_status cfg_tpu_check(const tp_config *c, tp_err *err)
{
    char msg[200];
    int i;
    if (cfg_require_tpu(c, err) != TP_OK)
        return TP_ERR_UNSUPPORTED;
    if ((i = tpu_rules(&c->tpu, msg, sizeof msg)) >= 0)
        return tp_err_set(err, TP_ERR_CONFIG, "%s: %s: %s", c->source, cfg_keys[i].path, msg);
    return TP_OK;
}

/* Bandwidth vs bytes per cycle, latencies unless ideal, interleave granule. */
static tp_status check_mem(cfg_ctx *x, const char *p, tp_mem_cfg *m, uint64_t clock_hz)
{
    char path[CFG_MAX_PATH];
    int i_bw, i_bpc, i_il;
    snprintf(path, sizeof path, "%s.bandwidth", p);
    i_bw = cfg_kidx(path);
    snprintf(path, sizeof path, "%s.bytes_per_cycle_per_channel", p);
    i_bpc = cfg_kidx(path);
    snprintf(path, sizeof path, "%s.interleave_bytes", p);
    i_il = cfg_kidx(path);
    if (x->raw[i_bw].set && x->raw[i_bpc].set) {
        cfg_loc l = cfg_key_loc(x, i_bpc);
        return cfg_fail(x, TP_ERR_CONFIG, &l, cfg_keys[i_bpc].path, "give %s.bandwidth or %s.bytes_per_cycle_per_channel, not both",
                        p, p);
    }
    if (x->raw[i_bpc].set) {
        cfg_u128 bps = (cfg_u128)m->bytes_per_cycle_per_channel * m->channels * clock_hz;
        if (bps > cfg_keys[i_bw].max) {
            cfg_loc l = cfg_key_loc(x, i_bpc);
            return cfg_fail(x, TP_ERR_CONFIG, &l, cfg_keys[i_bpc].path, "gives more than 1PB/s in total");
        }
        m->bytes_per_s = (uint64_t)bps;
    }
    if (!m->ideal) {
        if (!x->raw[i_bw].set && !x->raw[i_bpc].set) {
            char hint[160];
            snprintf(hint, sizeof hint, "or give %s.bytes_per_cycle_per_channel, or %s.ideal: true", p, p);
            return cfg_fail_missing(x, cfg_keys[i_bw].path, hint);
        }
        for (const char *lat = "read_latency"; lat; lat = strcmp(lat, "read_latency") ? NULL : "write_latency") {
            snprintf(path, sizeof path, "%s.%s", p, lat);
            int i = cfg_kidx(path);
            if (!x->raw[i].set) {
                char hint[120];
                snprintf(hint, sizeof hint, "unless %s.ideal: true", p);
                return cfg_fail_missing(x, cfg_keys[i].path, hint);
            }
        }
    }
    if (m->interleave_bytes % m->burst_bytes) {
        char bpath[CFG_MAX_PATH + 16];
        snprintf(bpath, sizeof bpath, "%s.burst_bytes", p);
        const char *others[1] = {bpath};
        cfg_loc l = blame_keys(x, i_il, others, 1);
        return cfg_fail(x, TP_ERR_CONFIG, &l, cfg_keys[i_il].path, "%u is not a multiple of %s.burst_bytes (%u)",
                        m->interleave_bytes, p, m->burst_bytes);
    }
    return TP_OK;
}

/* Where a limit on a total is reported: the last --set of one of the keys that make up the
 * total (that is what pushed it over), else the tpu section. */
static cfg_loc blame(const cfg_ctx *x, const char *const *paths, size_t n)
{
    cfg_loc l = cfg_section_loc(x, "tpu");
    int best = 0;
    for (size_t p = 0; p < n; p++) {
        int ip = cfg_kidx(paths[p]);
        if (x->raw[ip].set && x->raw[ip].set_seq > best) {
            best = x->raw[ip].set_seq;
            l = x->raw[ip].loc;
        }
    }
    return l;
}

tp_status cfg_check_tpu(cfg_ctx *x, tp_config *c)
{
    tp_tpu_cfg *t = &c->tpu;
    tp_status st;
    int i;
    char msg[200], path[CFG_MAX_PATH];
    if ((i = tpu_rules(t, msg, sizeof msg)) >= 0) {
        static const char *const rows[1] = {"tpu.array.rows"};
        cfg_loc l = i == cfg_kidx("tpu.array.weight_rows_per_cycle") ? blame_keys(x, i, rows, 1) : cfg_key_loc(x, i);
        return cfg_fail(x, TP_ERR_CONFIG, &l, cfg_keys[i].path, "%s", msg);
    }
    /* accumulators: entries and size describe the same thing */
    {
        int ie = cfg_kidx("tpu.acc.entries"), is = cfg_kidx("tpu.acc.size");
        uint64_t row_bytes = (uint64_t)t->array.cols * t->acc.width_bits / 8;
        static const char *const row_keys[3] = {"tpu.array.cols", "tpu.acc.width_bits", "tpu.acc.entries"};
        static const char *const row_keys_size[3] = {"tpu.array.cols", "tpu.acc.width_bits", "tpu.acc.size"};
        cfg_loc le = blame_keys(x, ie, row_keys_size, 3), ls = blame_keys(x, is, row_keys, 3);
        if (x->raw[ie].set && x->raw[is].set) {
            if ((cfg_u128)t->acc.entries * row_bytes != t->acc.size_bytes)
                return cfg_fail(x, TP_ERR_CONFIG, &ls, cfg_keys[is].path,
                                "disagrees with tpu.acc.entries: %llu entries x %u cols x %u bits = %llu bytes, not %llu",
                                (unsigned long long)t->acc.entries, t->array.cols, t->acc.width_bits,
                                (unsigned long long)(t->acc.entries * row_bytes), (unsigned long long)t->acc.size_bytes);
        } else if (x->raw[is].set) {
            if (t->acc.size_bytes % row_bytes)
                return cfg_fail(x, TP_ERR_CONFIG, &ls, cfg_keys[is].path,
                                "%llu bytes is not a whole number of accumulator rows of %llu bytes (cols x width_bits/8)",
                                (unsigned long long)t->acc.size_bytes, (unsigned long long)row_bytes);
            t->acc.entries = t->acc.size_bytes / row_bytes;
            if ((st = cfg_check_range(x, &cfg_keys[ie], &ls, t->acc.entries, NULL)) != TP_OK)
                return st;
        } else if (x->raw[ie].set) {
            cfg_u128 sz = (cfg_u128)t->acc.entries * row_bytes;
            if (sz > cfg_keys[is].max) {
                char a[32];
                return cfg_fail(x, TP_ERR_CONFIG, &le, cfg_keys[ie].path, "gives more than %s of accumulators per MXU",
                                units_fmt_size(cfg_keys[is].max, a, sizeof a));
            }
            t->acc.size_bytes = (uint64_t)sz;
        } else {
            return cfg_fail_missing(x, cfg_keys[ie].path, "or give tpu.acc.size");
        }
    }
    for (int m = 0; m < TP_MEM__COUNT; m++) {
        snprintf(path, sizeof path, "tpu.%s", cfg_mem_name((tp_mem_id)m));
        if (t->mem[m].present && (st = check_mem(x, path, &t->mem[m], t->clock_hz)) != TP_OK)
            return st;
    }
    /* totals that make a machine too large to simulate */
    {
        cfg_u128 pes = (cfg_u128)t->cores * t->mxus_per_core * t->array.rows * t->array.cols;
        /* weight FIFO tiles counted at the widest input element (bf16, 2 bytes) */
        cfg_u128 wbuf = (cfg_u128)t->wbuf.depth_tiles * t->array.rows * t->array.cols * 2;
        cfg_u128 onchip = (cfg_u128)t->cores * (t->ub.size_bytes + (cfg_u128)t->mxus_per_core * (t->acc.size_bytes + wbuf));
        static const char *const parts[] = {"tpu.cores", "tpu.mxus_per_core", "tpu.array.rows", "tpu.array.cols",
                                            "tpu.ub.size", "tpu.acc.entries", "tpu.acc.size", "tpu.wbuf.depth_tiles"};
        cfg_loc l;
        if (pes > MAX_TOTAL_PES) {
            l = blame(x, parts, 4);
            return cfg_fail(x, TP_ERR_NOMEM, &l, "tpu",
                            "the machine has %llu PEs (cores x mxus_per_core x rows x cols); tpusim simulates at most %llu",
                            (unsigned long long)pes, MAX_TOTAL_PES);
        }
        l = blame(x, parts, sizeof parts / sizeof parts[0]);
        if (onchip > MAX_ONCHIP_BYTES)
            return cfg_fail(x, TP_ERR_NOMEM, &l, "tpu",
                            "on-chip memories total %llu bytes (unified buffers, accumulators, weight FIFOs); tpusim holds at most 4GiB",
                            (unsigned long long)onchip);
    }
    return TP_OK;
}

tp_status cfg_check_gpu(cfg_ctx *x, tp_config *c)
{
    tp_gpu_cfg *g = &c->gpu;
    tp_status st;
    if ((st = check_mem(x, "gpu.dram", &g->dram, g->clock_hz)) != TP_OK)
        return st;
    if (!g->sustained_clock_hz)
        g->sustained_clock_hz = g->clock_hz;   /* not given: the GPU holds its boost clock */
    if (g->sustained_clock_hz > g->clock_hz) {
        int i = cfg_kidx("gpu.sustained_clock");
        static const char *const clock[1] = {"gpu.clock"};
        cfg_loc l = blame_keys(x, i, clock, 1);
        return cfg_fail(x, TP_ERR_CONFIG, &l, cfg_keys[i].path, "the sustained clock (%llu Hz) exceeds gpu.clock (%llu Hz)",
                        (unsigned long long)g->sustained_clock_hz, (unsigned long long)g->clock_hz);
    }
    if ((uint64_t)g->max_warps_per_sm * g->warp_size < g->max_threads_per_sm) {
        int i = cfg_kidx("gpu.max_threads_per_sm");
        static const char *const warps[2] = {"gpu.max_warps_per_sm", "gpu.warp_size"};
        cfg_loc l = blame_keys(x, i, warps, 2);
        return cfg_fail(x, TP_ERR_CONFIG, &l, cfg_keys[i].path, "%u threads need more than max_warps_per_sm (%u) warps of %u",
                        g->max_threads_per_sm, g->max_warps_per_sm, g->warp_size);
    }
    if ((cfg_u128)g->sms * g->smem_per_sm_bytes + g->l2.size_bytes > MAX_ONCHIP_BYTES) {
        cfg_loc l = cfg_section_loc(x, "gpu");
        return cfg_fail(x, TP_ERR_NOMEM, &l, "gpu", "on-chip memories (shared memory of all SMs and L2) exceed 4GiB");
    }
    return TP_OK;
}

