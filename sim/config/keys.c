/* The ONE table of config keys (see keys.h). Adding a key here makes it parseable, settable
 * with --set, shown by `config show`, and required in docs/config.md (a test checks).
 *
 * Ranges keep every machine simulable: a 4096x4096 array and a 1 GiB unified buffer are the
 * largest accepted; the loader additionally refuses machines whose PEs or on-chip bytes in
 * total exceed what tpusim can hold (see config.c). */
#include "base/text.h"
#include "config/keys.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include "base/units.h"

#define OFF(field) offsetof(tp_config, field)
#define KIB 1024ull
#define MIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)
#define CYC_MAX 1000000000ull     /* a latency longer than 10^9 cycles is a typo */

/* The keys of one off-chip memory, at path prefix P, filling tp_mem_cfg field M. */
#define MEM_KEYS(P, M, WHAT)                                                                        \
    {P ".ideal", KT_BOOL, "", KR_DEFAULT, "false", 0, 1, OFF(M.ideal),                              \
     "unlimited bandwidth and zero latency for " WHAT " (bandwidth and latencies may then be omitted)", NULL}, \
    {P ".channels", KT_U32, "channels", KR_DEFAULT, "1", 1, 1024, OFF(M.channels),                   \
     "independent channels; addresses interleave across them", NULL},                                   \
    {P ".bandwidth", KT_BW, "bytes/s", KR_OPTIONAL, NULL, 1, 1000000000000000ull, OFF(M.bytes_per_s), \
     "total bandwidth over all channels, e.g. 900GB/s (give this or bytes_per_cycle_per_channel unless ideal)", \
     "bytes_per_cycle_per_channel"},                                                               \
    {P ".bytes_per_cycle_per_channel", KT_U32, "bytes/cycle", KR_OPTIONAL, NULL, 1, 1048576,        \
     OFF(M.bytes_per_cycle_per_channel),                                                           \
     "alternative to bandwidth: bytes per clock cycle of the section's clock, per channel", "bandwidth"}, \
    {P ".burst_bytes", KT_U32, "bytes", KR_DEFAULT, "64", 1, 65536, OFF(M.burst_bytes),            \
     "bytes per burst: transfers move whole bursts", NULL},                                              \
    {P ".interleave_bytes", KT_U32, "bytes", KR_DEFAULT, "256", 1, 1073741824, OFF(M.interleave_bytes), \
     "address-interleaving granule across channels (a multiple of burst_bytes)", NULL},                 \
    {P ".read_latency", KT_TIME32, "cycles", KR_UNLESS_IDEAL, NULL, 0, CYC_MAX, OFF(M.read_latency_cycles), \
     "latency to the first byte of a read: cycles, or a time such as 100ns (rounded up to cycles)", NULL}, \
    {P ".write_latency", KT_TIME32, "cycles", KR_UNLESS_IDEAL, NULL, 0, CYC_MAX, OFF(M.write_latency_cycles), \
     "latency of a write until it is complete: cycles or a time", NULL},                                \
    {P ".size", KT_SIZE, "bytes", KR_DEFAULT, "0", 0, 1ull << 50, OFF(M.size_bytes),               \
     "capacity (0 = unlimited); shown by config show, not enforced: a program may address beyond it (docs/memory.md)", NULL}

const cfg_key cfg_keys[] = {
    {"name", KT_STR, "", KR_OPTIONAL, NULL, 1, 63, OFF(name),
     "machine name used in messages and reports (default: the file name without .yaml)", NULL},
    {"gpu", KT_STR, "", KR_OPTIONAL, NULL, 1, 63, OFF(gpu_peer),
     "in a TPU config, `gpu: analogous`: compare's GPU when -g is absent is the analogous one (docs/gpu.md); otherwise gpu: is a GPU's section", NULL},

    /* ---- TPU ---------------------------------------------------------------------------- */
    {"tpu.clock", KT_FREQ, "Hz", KR_REQUIRED, NULL, 1000000, 10000000000ull, OFF(tpu.clock_hz),
     "clock of the whole TPU; times given in ns/us are converted with it", NULL},
    {"tpu.cores", KT_U32, "cores", KR_DEFAULT, "1", 1, 64, OFF(tpu.cores),
     "TensorCores per chip; each has its own unified buffer, accumulators and MXUs", NULL},
    {"tpu.mxus_per_core", KT_U32, "MXUs", KR_DEFAULT, "1", 1, 64, OFF(tpu.mxus_per_core),
     "matrix units (systolic arrays) per core", NULL},
    {"tpu.array.rows", KT_U32, "PEs", KR_REQUIRED, NULL, 1, 4096, OFF(tpu.array.rows),
     "rows of processing elements; rows hold K (ws, is) or M (os)", NULL},
    {"tpu.array.cols", KT_U32, "PEs", KR_REQUIRED, NULL, 1, 4096, OFF(tpu.array.cols),
     "columns of processing elements", NULL},
    {"tpu.array.dataflow", KT_DATAFLOW, "", KR_DEFAULT, "ws", 0, 0, OFF(tpu.array.dataflow),
     "what stays in the PEs: ws weight-stationary, os output-stationary, is input-stationary", NULL},
    {"tpu.array.dtypes", KT_DTYPES, "", KR_REQUIRED, NULL, 0, 0, OFF(tpu.array.dtypes),
     "input data types the MXU supports, a list of int8 and bf16 (int8 sums in int32, bf16 in fp32)", NULL},
    {"tpu.array.weight_double_buffer", KT_BOOL, "", KR_DEFAULT, "true", 0, 1, OFF(tpu.array.weight_double_buffer),
     "shadow weight registers: the next weight tile shifts in while the current one computes", NULL},
    {"tpu.array.weight_rows_per_cycle", KT_U32, "rows/cycle", KR_DEFAULT, "1", 1, 4096, OFF(tpu.array.weight_rows_per_cycle),
     "rows of a weight tile shifted into the array per cycle (at most rows)", NULL},
    {"tpu.array.timing", KT_TIMING, "", KR_DEFAULT, "pipelined", 0, 0, OFF(tpu.array.timing),
     "tile timing: pipelined (fill, stream and drain overlap between tiles) or scalesim (SCALE-Sim's per-fold formula)", NULL},
    {"tpu.ub.size", KT_SIZE, "bytes", KR_REQUIRED, NULL, 64, GIB, OFF(tpu.ub.size_bytes),
     "unified buffer (VMEM) capacity per core", NULL},
    {"tpu.ub.banks", KT_U32, "banks", KR_DEFAULT, "1", 1, 1024, OFF(tpu.ub.banks),
     "independent banks of the unified buffer", NULL},
    {"tpu.ub.read_ports", KT_U32, "ports", KR_DEFAULT, "1", 1, 16, OFF(tpu.ub.read_ports),
     "read ports per bank", NULL},
    {"tpu.ub.write_ports", KT_U32, "ports", KR_DEFAULT, "1", 1, 16, OFF(tpu.ub.write_ports),
     "write ports per bank", NULL},
    {"tpu.ub.bytes_per_cycle", KT_U32, "bytes/cycle", KR_REQUIRED, NULL, 1, 1048576, OFF(tpu.ub.bytes_per_cycle),
     "bytes one port moves per cycle", NULL},
    {"tpu.wbuf.depth_tiles", KT_U32, "tiles", KR_DEFAULT, "2", 1, 64, OFF(tpu.wbuf.depth_tiles),
     "weight FIFO depth in rows x cols tiles, per MXU", NULL},
    {"tpu.acc.entries", KT_U64, "rows", KR_OPTIONAL, NULL, 1, 16777216, OFF(tpu.acc.entries),
     "accumulator rows per MXU, each holding cols values (give entries or size)", "size"},
    {"tpu.acc.size", KT_SIZE, "bytes", KR_OPTIONAL, NULL, 4, GIB, OFF(tpu.acc.size_bytes),
     "accumulator capacity per MXU = entries x cols x width_bits/8 (give entries or size)", "entries"},
    {"tpu.acc.width_bits", KT_U32, "bits", KR_DEFAULT, "32", 32, 32, OFF(tpu.acc.width_bits),
     "bits per accumulator value: 32 (int32 for int8, fp32 for bf16)", NULL},
    {"tpu.acc.banks", KT_U32, "banks", KR_DEFAULT, "1", 1, 1024, OFF(tpu.acc.banks),
     "independent banks of the accumulator memory", NULL},
    {"tpu.vpu.elems_per_cycle", KT_U32, "elements/cycle", KR_REQUIRED, NULL, 1, 1048576, OFF(tpu.vpu.elems_per_cycle),
     "elements the vector unit (requantize, activation) processes per cycle, per core", NULL},
    {"tpu.vpu.in_order", KT_BOOL, "", KR_DEFAULT, "false", 0, 1, OFF(tpu.vpu.in_order),
     "a matmul does not begin before every older activate of its core has begun, as in TPUv1's in-order "
     "CISC pipeline (the activate waits for its accumulator rows; false: the queues pass each other)", NULL},
    {"tpu.dma.engines", KT_U32, "engines", KR_DEFAULT, "1", 1, 64, OFF(tpu.dma.engines),
     "DMA engines per core that can move data concurrently (a chip has cores x engines)", NULL},
    {"tpu.dma.bytes_per_cycle", KT_U32, "bytes/cycle", KR_REQUIRED, NULL, 1, 1048576, OFF(tpu.dma.bytes_per_cycle),
     "on-chip side bandwidth of one DMA engine", NULL},
    {"tpu.dma.setup_latency", KT_TIME32, "cycles", KR_DEFAULT, "0", 0, CYC_MAX, OFF(tpu.dma.setup_cycles),
     "fixed cost per transfer: cycles or a time", NULL},
    MEM_KEYS("tpu.dram", tpu.mem[TP_MEM_DRAM], "the main off-chip memory (DRAM or HBM)"),
    MEM_KEYS("tpu.weight_mem", tpu.mem[TP_MEM_WEIGHT], "a separate weight memory (TPUv1's DDR3)"),
    MEM_KEYS("tpu.host", tpu.mem[TP_MEM_HOST], "host memory reached over PCIe"),
    {"tpu.placement.weights", KT_MEMID, "", KR_DEFAULT, "dram", 0, 0, OFF(tpu.place_weights),
     "memory that holds weights: dram, weight_mem or host (it must be defined)", NULL},
    {"tpu.placement.inputs", KT_MEMID, "", KR_DEFAULT, "dram", 0, 0, OFF(tpu.place_inputs),
     "memory that holds input activations", NULL},
    {"tpu.placement.outputs", KT_MEMID, "", KR_DEFAULT, "dram", 0, 0, OFF(tpu.place_outputs),
     "memory that receives outputs", NULL},
    {"tpu.process_nm", KT_U32, "nm", KR_DEFAULT, "0", 0, 1000, OFF(tpu.process_nm),
     "process node of the chip (0 = not given); the energy table's MAC figures are scaled to it from "
     "tpu.energy.mac_node_nm (docs/energy.md)", NULL},
    {"tpu.energy.mac_node_nm", KT_U32, "nm", KR_DEFAULT, "0", 0, 1000, OFF(tpu.energy.mac_node_nm),
     "process node the mac_*_pj figures are given at (e.g. 45 for Horowitz ISSCC 2014); 0 = the chip's own node, not scaled", NULL},
    {"tpu.energy.mac_int8_pj", KT_PJ, "pJ", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_mac[TP_INT8]),
     "energy of one int8 MAC at mac_node_nm (0 = not counted)", NULL},
    {"tpu.energy.mac_bf16_pj", KT_PJ, "pJ", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_mac[TP_BF16]),
     "energy of one bf16 MAC at mac_node_nm", NULL},
    {"tpu.energy.dram_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_byte_mem[TP_MEM_DRAM]),
     "energy per byte moved to or from tpu.dram", NULL},
    {"tpu.energy.weight_mem_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_byte_mem[TP_MEM_WEIGHT]),
     "energy per byte moved from tpu.weight_mem", NULL},
    {"tpu.energy.host_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_byte_mem[TP_MEM_HOST]),
     "energy per byte moved to or from tpu.host", NULL},
    {"tpu.energy.ub_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_byte_ub),
     "energy per byte read or written in the unified buffer", NULL},
    {"tpu.energy.acc_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_byte_acc),
     "energy per byte read or written in the accumulators", NULL},
    {"tpu.energy.wbuf_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(tpu.energy.pj_per_byte_wbuf),
     "energy per byte through the weight FIFO", NULL},

    /* ---- GPU ---------------------------------------------------------------------------- */
    {"gpu.clock", KT_FREQ, "Hz", KR_REQUIRED, NULL, 1000000, 10000000000ull, OFF(gpu.clock_hz),
     "SM clock; times given in ns/us are converted with it", NULL},
    {"gpu.sustained_clock", KT_FREQ, "Hz", KR_OPTIONAL, NULL, 1000000, 10000000000ull, OFF(gpu.sustained_clock_hz),
     "clock the GPU holds under a long tensor-core load (power-limited parts run below gpu.clock); cycles of the GPU model are converted to seconds with it (default: gpu.clock)", NULL},
    {"gpu.sms", KT_U32, "SMs", KR_REQUIRED, NULL, 1, 1024, OFF(gpu.sms),
     "streaming multiprocessors", NULL},
    {"gpu.warp_size", KT_U32, "threads", KR_DEFAULT, "32", 1, 64, OFF(gpu.warp_size),
     "threads per warp", NULL},
    {"gpu.max_warps_per_sm", KT_U32, "warps", KR_DEFAULT, "64", 1, 1024, OFF(gpu.max_warps_per_sm),
     "resident warps per SM (occupancy limit)", NULL},
    {"gpu.max_ctas_per_sm", KT_U32, "CTAs", KR_DEFAULT, "32", 1, 1024, OFF(gpu.max_ctas_per_sm),
     "resident thread blocks per SM (occupancy limit)", NULL},
    {"gpu.max_threads_per_sm", KT_U32, "threads", KR_DEFAULT, "2048", 1, 65536, OFF(gpu.max_threads_per_sm),
     "resident threads per SM (occupancy limit)", NULL},
    {"gpu.schedulers_per_sm", KT_U32, "schedulers", KR_DEFAULT, "4", 1, 64, OFF(gpu.schedulers_per_sm),
     "warp schedulers per SM, each issuing one warp instruction per cycle", NULL},
    {"gpu.scheduler", KT_WSCHED, "", KR_DEFAULT, "gto", 0, 0, OFF(gpu.scheduler),
     "warp scheduling policy of each sub-core: gto greedy-then-oldest, lrr loose round-robin", NULL},
    {"gpu.registers_per_sm", KT_U32, "32-bit registers", KR_DEFAULT, "65536", 1, 16777216, OFF(gpu.registers_per_sm),
     "register file size per SM (occupancy limit)", NULL},
    {"gpu.smem_per_sm", KT_SIZE, "bytes", KR_REQUIRED, NULL, 0, 16 * MIB, OFF(gpu.smem_per_sm_bytes),
     "shared memory per SM usable by thread blocks", NULL},
    {"gpu.smem_banks", KT_U32, "banks", KR_DEFAULT, "32", 1, 256, OFF(gpu.smem_banks),
     "4-byte shared-memory banks per SM: one wavefront serves one word of each bank (bank conflicts serialize)", NULL},
    {"gpu.wgmma", KT_BOOL, "", KR_DEFAULT, "false", 0, 1, OFF(gpu.wgmma),
     "warpgroup MMA (wgmma.mma_async, sm_90): four warps' MMA reads A and B straight from shared memory, no ldmatrix", NULL},
    {"gpu.tma", KT_BOOL, "", KR_DEFAULT, "false", 0, 1, OFF(gpu.tma),
     "Tensor Memory Accelerator (sm_90): one instruction copies a whole tile from global to shared memory", NULL},
    {"gpu.async_copy", KT_BOOL, "", KR_DEFAULT, "true", 0, 1, OFF(gpu.async_copy),
     "asynchronous global-to-shared copies (cp.async, compute capability 8.0 on); false: tiles are staged through registers and stored to shared memory before the barrier", NULL},
    {"gpu.smem_latency", KT_TIME32, "cycles", KR_DEFAULT, "28", 1, 100000, OFF(gpu.smem_latency_cycles),
     "shared-memory load latency (ldmatrix issue to registers written) without conflicts: cycles or a time", NULL},
    {"gpu.tensor_units_per_sm", KT_U32, "units", KR_DEFAULT, "4", 0, 64, OFF(gpu.tensor_units_per_sm),
     "tensor-core pipelines per SM; each starts one mma every interval cycles", NULL},
    {"gpu.fma_lanes_per_sm", KT_U32, "lanes", KR_DEFAULT, "64", 1, 4096, OFF(gpu.fma_lanes_per_sm),
     "fp32 FMA lanes per SM (the SIMT path; dp4a runs here)", NULL},
    {"gpu.dp4a", KT_BOOL, "", KR_DEFAULT, "true", 0, 1, OFF(gpu.dp4a),
     "int8 dot products of 4 on the SIMT lanes (4 MACs per lane per cycle) where no int8 mma exists", NULL},
    {"gpu.launch_overhead", KT_DURATION, "s", KR_DEFAULT, "0s", 0, 1000000000000ull, OFF(gpu.launch_overhead_ps),
     "fixed cost of one kernel launch, a time such as 3us (not converted through gpu.clock or gpu.sustained_clock); what it stands for (device-side launch gap, or host-side framework time) is a property of how the measurement was timed", NULL},
    {"gpu.l2.size", KT_SIZE, "bytes", KR_REQUIRED, NULL, 1024, GIB, OFF(gpu.l2.size_bytes),
     "L2 cache shared by all SMs", NULL},
    {"gpu.l2.assoc", KT_U32, "ways", KR_DEFAULT, "16", 1, 1024, OFF(gpu.l2.assoc),
     "L2 associativity", NULL},
    {"gpu.l2.line_bytes", KT_U32, "bytes", KR_DEFAULT, "128", 1, 4096, OFF(gpu.l2.line_bytes),
     "L2 line size", NULL},
    {"gpu.l2.bandwidth", KT_BW, "bytes/s", KR_REQUIRED, NULL, 1, 1000000000000000ull, OFF(gpu.l2.bytes_per_s),
     "total L2 bandwidth to the SMs", NULL},
    {"gpu.l2.latency", KT_TIME32, "cycles", KR_DEFAULT, "200", 1, 100000, OFF(gpu.l2.latency_cycles),
     "round trip of a load from an SM through L2 when it hits (a miss adds the DRAM access): cycles or a time", NULL},
    MEM_KEYS("gpu.dram", gpu.dram, "the GPU's DRAM or HBM"),
#define MMA_KEYS(P, M, WHAT)                                                                        \
    {P ".m", KT_U32, "rows", KR_REQUIRED, NULL, 1, 256, OFF(M.m), "M of one " WHAT " mma instruction", NULL}, \
    {P ".n", KT_U32, "cols", KR_REQUIRED, NULL, 1, 256, OFF(M.n), "N of one " WHAT " mma instruction", NULL}, \
    {P ".k", KT_U32, "depth", KR_REQUIRED, NULL, 1, 256, OFF(M.k), "K of one " WHAT " mma instruction", NULL}, \
    {P ".latency", KT_TIME32, "cycles", KR_REQUIRED, NULL, 1, 100000, OFF(M.latency_cycles),      \
     "cycles from issue until the " WHAT " mma result is ready", NULL},                                  \
    {P ".interval", KT_TIME32, "cycles", KR_REQUIRED, NULL, 1, 100000, OFF(M.interval_cycles),    \
     "initiation interval of a " WHAT " mma on one tensor unit", NULL}
    MMA_KEYS("gpu.mma.int8", gpu.mma[TP_INT8], "int8"),
    MMA_KEYS("gpu.mma.bf16", gpu.mma[TP_BF16], "bf16"),
    MMA_KEYS("gpu.mma.fp16", gpu.mma_fp16, "fp16"),
    {"gpu.process_nm", KT_U32, "nm", KR_DEFAULT, "0", 0, 1000, OFF(gpu.process_nm),
     "process node of the chip (0 = not given); the energy table's MAC figures are scaled to it from "
     "gpu.energy.mac_node_nm (docs/energy.md)", NULL},
    {"gpu.energy.mac_node_nm", KT_U32, "nm", KR_DEFAULT, "0", 0, 1000, OFF(gpu.energy.mac_node_nm),
     "process node the mac_*_pj figures are given at; 0 = the chip's own node, not scaled", NULL},
    {"gpu.energy.mac_int8_pj", KT_PJ, "pJ", KR_DEFAULT, "0", 0, 1000000, OFF(gpu.energy.pj_per_mac[TP_INT8]),
     "energy of one int8 MAC at mac_node_nm", NULL},
    {"gpu.energy.mac_bf16_pj", KT_PJ, "pJ", KR_DEFAULT, "0", 0, 1000000, OFF(gpu.energy.pj_per_mac[TP_BF16]),
     "energy of one bf16 (and fp16) MAC at mac_node_nm", NULL},
    {"gpu.energy.dram_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(gpu.energy.pj_per_byte_mem[TP_MEM_DRAM]),
     "energy per byte moved to or from gpu.dram", NULL},
    {"gpu.energy.l2_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(gpu.energy.pj_per_byte_l2),
     "energy per byte read or written in L2", NULL},
    {"gpu.energy.smem_pj_per_byte", KT_PJ, "pJ/byte", KR_DEFAULT, "0", 0, 1000000, OFF(gpu.energy.pj_per_byte_ub),
     "energy per byte read or written in shared memory", NULL},
};
const size_t cfg_n_keys = sizeof cfg_keys / sizeof cfg_keys[0];

const cfg_block cfg_blocks[CFG_BLK__COUNT] = {
    [CFG_BLK_TPU] = {"tpu", OFF(tpu.present), 0, "the TPU (systolic-array machine)"},
    [CFG_BLK_TPU_DRAM] = {"tpu.dram", OFF(tpu.mem[TP_MEM_DRAM].present), 1, "main off-chip memory; always present with tpu:"},
    [CFG_BLK_TPU_WEIGHT_MEM] = {"tpu.weight_mem", OFF(tpu.mem[TP_MEM_WEIGHT].present), 0, "optional weight memory"},
    [CFG_BLK_TPU_HOST] = {"tpu.host", OFF(tpu.mem[TP_MEM_HOST].present), 0, "optional host memory"},
    [CFG_BLK_TPU_ENERGY] = {"tpu.energy", OFF(tpu.energy.present), 0, "optional energy table"},
    [CFG_BLK_GPU] = {"gpu", OFF(gpu.present), 0, "the GPU"},
    [CFG_BLK_GPU_DRAM] = {"gpu.dram", OFF(gpu.dram.present), 1, "GPU DRAM; always present with gpu:"},
    [CFG_BLK_GPU_MMA_INT8] = {"gpu.mma.int8", OFF(gpu.mma[TP_INT8].present), 0, "int8 tensor cores (absent: int8 mma unsupported)"},
    [CFG_BLK_GPU_MMA_BF16] = {"gpu.mma.bf16", OFF(gpu.mma[TP_BF16].present), 0, "bf16 tensor cores (absent: bf16 unsupported)"},
    [CFG_BLK_GPU_MMA_FP16] = {"gpu.mma.fp16", OFF(gpu.mma_fp16.present), 0, "fp16 tensor cores"},
    [CFG_BLK_GPU_ENERGY] = {"gpu.energy", OFF(gpu.energy.present), 0, "optional energy table"},
};
const size_t cfg_n_blocks = CFG_BLK__COUNT;

/* ---- enum value names ------------------------------------------------------------------------ */

static const char *const df_names[TP_DF__COUNT] = {[TP_DF_WS] = "ws", [TP_DF_OS] = "os", [TP_DF_IS] = "is"};
static const char *const timing_names[TP_TIMING__COUNT] = {[TP_TIMING_PIPELINED] = "pipelined",
                                                           [TP_TIMING_SCALESIM] = "scalesim"};
static const char *const mem_names[TP_MEM__COUNT] = {[TP_MEM_DRAM] = "dram", [TP_MEM_WEIGHT] = "weight_mem",
                                                     [TP_MEM_HOST] = "host"};
static const char *const wsched_names[TP_WSCHED__COUNT] = {[TP_WSCHED_GTO] = "gto", [TP_WSCHED_LRR] = "lrr"};
static const cfg_enum enums[] = {
    {df_names, TP_DF__COUNT},
    {timing_names, TP_TIMING__COUNT},
    {mem_names, TP_MEM__COUNT},
    {wsched_names, TP_WSCHED__COUNT},
};

const cfg_enum *cfg_ktype_enum(cfg_ktype t)
{
    switch (t) {
    case KT_DATAFLOW: return &enums[0];
    case KT_TIMING: return &enums[1];
    case KT_MEMID: return &enums[2];
    case KT_WSCHED: return &enums[3];
    default: return NULL;
    }
}

static const char *enum_name(cfg_ktype t, int v)
{
    const cfg_enum *e = cfg_ktype_enum(t);
    return v >= 0 && v < e->count ? e->names[v] : "?";
}

const char *cfg_dataflow_name(tp_dataflow df) { return enum_name(KT_DATAFLOW, (int)df); }
const char *cfg_timing_name(tp_timing t) { return enum_name(KT_TIMING, (int)t); }
const char *cfg_mem_name(tp_mem_id id) { return enum_name(KT_MEMID, (int)id); }
const char *cfg_wsched_name(tp_wsched w) { return enum_name(KT_WSCHED, (int)w); }

int cfg_enum_parse(cfg_ktype t, const char *s)
{
    const cfg_enum *e = cfg_ktype_enum(t);
    return e ? text_lookup(s, e->names, (size_t)e->count) : -1;
}

int cfg_dataflow_parse(const char *s, tp_dataflow *out)
{
    int i = cfg_enum_parse(KT_DATAFLOW, s);
    if (i < 0)
        return -1;
    *out = (tp_dataflow)i;
    return 0;
}

const char *cfg_ktype_values(cfg_ktype t, const char *sep, char *buf, size_t cap)
{
    const cfg_enum *e = cfg_ktype_enum(t);
    size_t n = 0;
    int count = e ? e->count : t == KT_DTYPES ? TP_DTYPE__COUNT : 0;
    buf[0] = 0;
    for (int i = 0; i < count && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? sep : "",
                              e ? e->names[i] : dtype_name((tp_dtype)i));
    return buf;
}

int cfg_key_get_enum(const cfg_key *k, const tp_config *c)
{
    const char *p = (const char *)c + k->off;
    switch (k->type) {
    case KT_DATAFLOW: return (int)*(const tp_dataflow *)p;
    case KT_TIMING: return (int)*(const tp_timing *)p;
    case KT_MEMID: return (int)*(const tp_mem_id *)p;
    case KT_WSCHED: return (int)*(const tp_wsched *)p;
    default: assert(!"not an enum key"); return -1;
    }
}

void cfg_key_set_enum(const cfg_key *k, tp_config *c, int v)
{
    char *p = (char *)c + k->off;
    assert(v >= 0 && v < cfg_ktype_enum(k->type)->count);
    switch (k->type) {
    case KT_DATAFLOW: *(tp_dataflow *)p = (tp_dataflow)v; break;
    case KT_TIMING: *(tp_timing *)p = (tp_timing)v; break;
    case KT_MEMID: *(tp_mem_id *)p = (tp_mem_id)v; break;
    case KT_WSCHED: *(tp_wsched *)p = (tp_wsched)v; break;
    default: assert(!"not an enum key");
    }
}

/* ---- lookups ------------------------------------------------------------------------------- */

int cfg_key_find(const char *path)
{
    for (size_t i = 0; i < cfg_n_keys; i++)
        if (!strcmp(cfg_keys[i].path, path))
            return (int)i;
    return -1;
}

int cfg_key_alt(int i)
{
    const cfg_key *k = &cfg_keys[i];
    const char *dot = strrchr(k->path, '.');
    char path[128];
    int a;
    if (!k->alt)
        return -1;
    assert(dot);
    snprintf(path, sizeof path, "%.*s.%s", (int)(dot - k->path), k->path, k->alt);
    a = cfg_key_find(path);
    assert(a >= 0 && cfg_keys[a].alt);   /* the table names keys that exist, in pairs */
    return a;
}

int cfg_path_has_prefix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(path, prefix, n) && (path[n] == '.' || path[n] == 0);
}

int cfg_block_of(const char *path)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < cfg_n_blocks; i++) {
        size_t n = strlen(cfg_blocks[i].prefix);
        if (cfg_path_has_prefix(path, cfg_blocks[i].prefix) && n > best_len) {
            best = (int)i;
            best_len = n;
        }
    }
    return best;
}

const char *cfg_ktype_name(cfg_ktype t)
{
    static const char *const names[KT__COUNT] = {
        [KT_U32] = "integer", [KT_U64] = "integer", [KT_BOOL] = "bool", [KT_SIZE] = "size",
        [KT_BW] = "bandwidth", [KT_FREQ] = "frequency", [KT_TIME32] = "time", [KT_TIME64] = "time", [KT_DURATION] = "duration",
        [KT_DATAFLOW] = "enum", [KT_TIMING] = "enum", [KT_MEMID] = "enum", [KT_WSCHED] = "enum", [KT_DTYPES] = "list",
        [KT_PJ] = "decimal",
        [KT_STR] = "text",
    };
    return (unsigned)t < KT__COUNT ? names[t] : "?";
}

static uint64_t get_u(const tp_config *c, const cfg_key *k)
{
    const char *p = (const char *)c + k->off;
    if (k->type == KT_U32 || k->type == KT_TIME32) {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    } else {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
}

const char *cfg_fmt_duration(uint64_t ps, char *buf, size_t cap)
{
    static const struct {
        const char *name;
        uint64_t ps;
    } u[] = {{"s", 1000000000000ull}, {"ms", 1000000000ull}, {"us", 1000000ull}, {"ns", 1000ull}, {"ps", 1}};
    size_t i = 0;
    if (ps == 0) {
        snprintf(buf, cap, "0s");
        return buf;
    }
    while (ps % u[i].ps)
        i++;
    snprintf(buf, cap, "%llu%s", (unsigned long long)(ps / u[i].ps), u[i].name);
    return buf;
}

const char *cfg_key_format(const cfg_key *k, const tp_config *c, char *buf, size_t cap)
{
    const char *p = (const char *)c + k->off;
    switch (k->type) {
    case KT_U32:
    case KT_U64:
    case KT_TIME32:
    case KT_TIME64:
        snprintf(buf, cap, "%llu", (unsigned long long)get_u(c, k));
        break;
    case KT_DURATION:
        cfg_fmt_duration(get_u(c, k), buf, cap);
        break;
    case KT_BOOL:
        snprintf(buf, cap, "%s", *(const bool *)p ? "true" : "false");
        break;
    case KT_SIZE:
        units_fmt_size(get_u(c, k), buf, cap);
        break;
    case KT_BW:
        units_fmt_bandwidth(get_u(c, k), buf, cap);
        break;
    case KT_FREQ:
        units_fmt_freq(get_u(c, k), buf, cap);
        break;
    case KT_DATAFLOW:
    case KT_TIMING:
    case KT_MEMID:
    case KT_WSCHED:
        snprintf(buf, cap, "%s", enum_name(k->type, cfg_key_get_enum(k, c)));
        break;
    case KT_DTYPES: {
        const bool *d = (const bool *)p;
        size_t n = 0;
        n += (size_t)snprintf(buf, cap, "[");
        for (int i = 0; i < TP_DTYPE__COUNT; i++)
            if (d[i] && n < cap)
                n += (size_t)snprintf(buf + n, cap - n, "%s%s", n > 1 ? ", " : "",
                                      dtype_name((tp_dtype)i));
        if (n < cap)
            snprintf(buf + n, cap - n, "]");
        break;
    }
    case KT_PJ:
        snprintf(buf, cap, "%.6g", *(const double *)p);
        break;
    case KT_STR:
        snprintf(buf, cap, "%s", p);
        break;
    default:
        snprintf(buf, cap, "?");
    }
    return buf;
}

size_t cfg_key_count(void)
{
    return cfg_n_keys;
}

void cfg_key_get(size_t i, cfg_key_info *out)
{
    const cfg_key *k = &cfg_keys[i];
    char a[32], b[32];
    memset(out, 0, sizeof *out);
    out->path = k->path;
    out->type = cfg_ktype_name(k->type);
    out->unit = k->unit;
    out->def = k->req == KR_DEFAULT ? k->def : k->req == KR_REQUIRED ? "required"
             : k->req == KR_UNLESS_IDEAL ? "required unless ideal" : "optional";
    out->doc = k->doc;
    switch (k->type) {
    case KT_U32:
    case KT_U64:
    case KT_PJ:
        snprintf(out->range, sizeof out->range, "%llu .. %llu", (unsigned long long)k->min,
                 (unsigned long long)k->max);
        break;
    case KT_TIME32:
    case KT_TIME64:
        snprintf(out->range, sizeof out->range, "%llu .. %llu cycles", (unsigned long long)k->min,
                 (unsigned long long)k->max);
        break;
    case KT_DURATION:
        snprintf(out->range, sizeof out->range, "%s .. %s", cfg_fmt_duration(k->min, a, sizeof a),
                 cfg_fmt_duration(k->max, b, sizeof b));
        break;
    case KT_SIZE:
        snprintf(out->range, sizeof out->range, "%s .. %s", units_fmt_size(k->min, a, sizeof a),
                 units_fmt_size(k->max, b, sizeof b));
        break;
    case KT_BW:
        snprintf(out->range, sizeof out->range, "%s .. %s", units_fmt_bandwidth(k->min, a, sizeof a),
                 units_fmt_bandwidth(k->max, b, sizeof b));
        break;
    case KT_FREQ:
        snprintf(out->range, sizeof out->range, "%s .. %s", units_fmt_freq(k->min, a, sizeof a),
                 units_fmt_freq(k->max, b, sizeof b));
        break;
    case KT_STR:
        snprintf(out->range, sizeof out->range, "1 .. %llu characters", (unsigned long long)k->max);
        break;
    case KT_BOOL:
        snprintf(out->range, sizeof out->range, "true, false");
        break;
    default:
        /* enums and lists: "ws, os, is" */
        cfg_ktype_values(k->type, ", ", out->range, sizeof out->range);
        break;
    }
}

void cfg_print_keys_markdown(void *file)
{
    FILE *f = file;
    cfg_key_info ki;
    fprintf(f, "| key | type | unit | default | range | meaning |\n");
    fprintf(f, "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < cfg_n_keys; i++) {
        cfg_key_get(i, &ki);
        fprintf(f, "| `%s` | %s | %s | %s | %s | %s |\n", ki.path, ki.type, ki.unit[0] ? ki.unit : "-", ki.def, ki.range[0] ? ki.range : "-", ki.doc);
    }
}
