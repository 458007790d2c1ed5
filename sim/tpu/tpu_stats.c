/* The TPU's counters -> the shared stats record (stats/stats.h), at the end of a run.
 *
 * NOTES ON THE TPU'S STATS
 *
 * 1. Units: per core, each MXU ("core0.mxu0"), each DMA engine ("core0.dma1"), the vector
 *    unit ("core0.vpu"); per off-chip memory present, one unit named after it ("dram",
 *    "weight_mem", "host"). Every unit's causes sum to the run's cycles (stats_check).
 *
 * 2. MXU: the tail after the last op is added (mxu_close; with the per-PE engine as that
 *    engine observed it, mxu_pe_close); then its streaming cycles are split: busy =
 *    floor(useful MACs / (rows x cols)) (an array cycle does rows x cols MACs), padding =
 *    streaming - busy (cycles that carried the padding of partial tiles).
 *
 * 3. Off-chip memory: transfer = the cycles its bus needs for its bus bytes at peak
 *    (floor(bus bytes x clock / bytes_per_s); 0 for an ideal memory), capped at the cycles with
 *    a request in flight; latency = the rest of the in-flight cycles; idle = no request.
 *
 * 4. Levels: each off-chip memory (bus bytes: whole bursts), the UB (two ports: read and write
 *    peaks), the accumulators and the weight FIFO (bandwidth not modelled: unbounded peaks).
 *    Energy: MACs (at the chip's node: cfg_energy_pj_per_mac), off-chip bus bytes, UB,
 *    accumulator and FIFO bytes (the FIFO's pushed and read bytes) times the table's pJ.
 */
#include "tpu/tpu_int.h"
#include <stdio.h>

static stats_unit *add_unit(machine *m, const char *name, stats_kind kind, const uint64_t *cyc, uint32_t n)
{
    stats_unit *u = stats_add_unit(&m->stats, name, kind);
    if (!u) {
        m->rc = tp_err_set(m->err, TP_ERR_NOMEM, "out of memory for stats");
        return NULL;
    }
    for (uint32_t c = 0; c < n; c++)
        u->cycles[c] = cyc[c];
    return u;
}

void tpu_finish_stats(machine *m, uint64_t total)
{
    const tp_tpu_cfg *t = m->t;
    tp_stats *s = &m->stats;
    stats_free(s);
    stats_init(s);
    snprintf(s->machine_kind, sizeof s->machine_kind, "tpu");
    snprintf(s->machine, sizeof s->machine, "%s", t->name);
    snprintf(s->dtype, sizeof s->dtype, "%s", dtype_name(m->prog.dtype));
    snprintf(s->compute_unit, sizeof s->compute_unit, "MXU");
    stats_set_attr(s, "engine", machine_engine_name(m->engine));
    stats_set_attr(s, "dataflow", cfg_dataflow_name(t->array.dataflow));
    s->timing_only = m->timing_only;
    s->clock_hz = t->clock_hz;
    s->cycles = total;
    s->instructions = m->prog.n_ins;
    s->macs = m->macs;
    s->peak_macs_per_cycle = (double)cfg_tpu_peak_macs_per_cycle(t);
    s->compute_units = t->cores * t->mxus_per_core;
    uint64_t pe_per_mxu = (uint64_t)t->array.rows * t->array.cols;
    char name[STATS_NAME];
    uint64_t ub_r = 0, ub_w = 0;
    for (uint32_t c = 0; c < t->cores && m->rc == TP_OK; c++) {
        core_state *cs = &m->cores[c];
        for (uint32_t u = 0; u < t->mxus_per_core; u++) {
            mxu_unit *mu = &cs->mxu[u];
            uint64_t tail[MXU_CAUSE__COUNT] = {0};
            if (mu->pe)   /* the per-PE engine's own tail (mm.c, note 4) */
                mxu_pe_close(mu->pe, total, tail);
            else
                mxu_close(&mu->st, total, tail);
            mu->cyc[STATS_MXU_FILL_DRAIN] += tail[MXU_FILL_DRAIN];
            mu->cyc[STATS_MXU_IDLE] += tail[MXU_IDLE];
            mu->cyc[STATS_MXU_BUSY] += tail[MXU_BUSY];
            mu->cyc[STATS_MXU_WEIGHT_SHIFT] += tail[MXU_WEIGHT_SHIFT];
            /* note 2: streaming cycles are busy in proportion to the useful MACs */
            uint64_t streaming = mu->cyc[STATS_MXU_BUSY], useful = mu->macs / pe_per_mxu;
            if (useful > streaming)
                useful = streaming;
            mu->cyc[STATS_MXU_BUSY] = useful;
            mu->cyc[STATS_MXU_PADDING] = streaming - useful;
            s->compute_units_used += mu->used;
            snprintf(name, sizeof name, "core%u.mxu%u", c, u);
            stats_unit *su = add_unit(m, name, STATS_KIND_MXU, mu->cyc, STATS_MXU__COUNT);
            if (su)
                su->macs = mu->macs;
        }
        for (uint32_t e = 0; e < tpu_n_engines(m); e++) {
            acct_close(&cs->dma[e], total);
            snprintf(name, sizeof name, "core%u.dma%u", c, e);
            add_unit(m, name, STATS_KIND_DMA, cs->dma[e].cyc, STATS_DMA__COUNT);
        }
        acct_close(&cs->vpu, total);
        snprintf(name, sizeof name, "core%u.vpu", c);
        add_unit(m, name, STATS_KIND_VPU, cs->vpu.cyc, STATS_VPU__COUNT);
        ub_r += cs->ub.read_bytes;
        ub_w += cs->ub.write_bytes;
    }
    for (int id = 0; id < TP_MEM__COUNT && m->rc == TP_OK; id++) {
        const dram *d = &m->mem[id].d;
        if (!m->mem[id].present)
            continue;
        /* note 3: transfer, then latency, of the in-flight cycles */
        uint64_t cyc[STATS_MEM__COUNT] = {0};
        uint64_t xfer = 0;
        if (!d->cfg.ideal && d->cfg.bytes_per_s)
            xfer = (uint64_t)((dram_ticks)d->bus_bytes * t->clock_hz / d->cfg.bytes_per_s);
        if (xfer > d->inflight_cycles)
            xfer = d->inflight_cycles;
        cyc[STATS_MEM_TRANSFER] = xfer;
        cyc[STATS_MEM_LATENCY] = d->inflight_cycles - xfer;
        cyc[STATS_MEM_IDLE] = total - d->inflight_cycles;
        add_unit(m, cfg_mem_name((tp_mem_id)id), STATS_KIND_MEM, cyc, STATS_MEM__COUNT);
        stats_level *l = stats_add_level(s, cfg_mem_name((tp_mem_id)id), STATS_LEVEL_OFF_CHIP);
        if (l) {
            l->read_bytes = d->read_bytes;
            l->write_bytes = d->write_bytes;
            l->bus_bytes = d->bus_bytes;
            l->shared_bus = true;
            if (!d->cfg.ideal)
                l->peak_bytes_per_s = l->peak_read_bytes_per_s = l->peak_write_bytes_per_s =
                    (double)d->cfg.bytes_per_s;
            l->in_flight_cycles = d->inflight_cycles;
        }
    }
    stats_level *l = stats_add_level(s, "ub", STATS_LEVEL_BUFFER);
    if (l) {
        double port = (double)t->ub.banks * t->ub.bytes_per_cycle * (double)t->clock_hz * t->cores;
        l->read_bytes = ub_r;
        l->write_bytes = ub_w;
        l->bus_bytes = ub_r + ub_w;
        l->peak_read_bytes_per_s = port * t->ub.read_ports;
        l->peak_write_bytes_per_s = port * t->ub.write_ports;
        l->peak_bytes_per_s = l->peak_read_bytes_per_s + l->peak_write_bytes_per_s;
    }
    if ((l = stats_add_level(s, "acc", STATS_LEVEL_BUFFER))) {   /* bandwidth not modelled */
        l->read_bytes = m->acc_read_bytes;
        l->write_bytes = m->acc_write_bytes;
        l->bus_bytes = l->read_bytes + l->write_bytes;
    }
    if ((l = stats_add_level(s, "wbuf", STATS_LEVEL_BUFFER))) {  /* bandwidth not modelled */
        l->read_bytes = m->wbuf_bytes;
        l->write_bytes = m->wbuf_bytes;
        l->bus_bytes = l->read_bytes + l->write_bytes;
    }
    const tp_energy_cfg *en = &t->energy;
    if (en->present) {
        /* off-chip energy counts the bytes that crossed the bus (whole bursts) */
        s->has_energy = true;
        s->energy_mac_pj = (double)m->macs * cfg_energy_pj_per_mac(en, t->process_nm, m->prog.dtype);
        for (int id = 0; id < TP_MEM__COUNT; id++)
            if (m->mem[id].present)
                s->energy_offchip_pj += (double)m->mem[id].d.bus_bytes * en->pj_per_byte_mem[id];
        s->energy_onchip_pj = (double)(ub_r + ub_w) * en->pj_per_byte_ub +
                              (double)(m->acc_read_bytes + m->acc_write_bytes) * en->pj_per_byte_acc +
                              (double)(2 * m->wbuf_bytes) * en->pj_per_byte_wbuf;
        s->energy_pj = s->energy_mac_pj + s->energy_offchip_pj + s->energy_onchip_pj;
    }
    stats_finish(s);
}
