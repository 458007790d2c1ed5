/* The embedded default machine, as YAML text parsed by the same loader as any file (so it
 * obeys every rule a file does, and `tpusim config show` prints it like any other).
 *
 * Sized for the main job: a 32x32 weight-stationary array at 1 GHz peaks at 1024 MACs/cycle,
 * so a 512x512x512 GEMM (134M MACs) needs ~131k cycles of compute; 4 MiB of unified buffer
 * holds its three int8 or bf16 operands (<= 1.5 MiB) whole, and 256 GB/s of HBM-like DRAM at
 * 1 GHz (256 bytes/cycle) keeps the array fed. Both int8 and bf16 are supported. */
#include "config/config.h"

static const char default_yaml[] =
    "# tpusim's embedded default machine (see sim/config/default.c)\n"
    "name: default\n"
    "tpu:\n"
    "  clock: 1GHz\n"
    "  cores: 1\n"
    "  mxus_per_core: 1\n"
    "  array:\n"
    "    rows: 32\n"
    "    cols: 32\n"
    "    dataflow: ws\n"
    "    dtypes: [int8, bf16]\n"
    "    weight_double_buffer: true\n"
    "    weight_rows_per_cycle: 1\n"
    "    timing: pipelined\n"
    "  ub:\n"
    "    size: 4MiB\n"
    "    banks: 4\n"
    "    read_ports: 1\n"
    "    write_ports: 1\n"
    "    bytes_per_cycle: 64       # 32 bf16 values: one array row of inputs per cycle\n"
    "  wbuf:\n"
    "    depth_tiles: 4\n"
    "  acc:\n"
    "    entries: 4096             # 4096 rows x 32 cols x 32 bit = 512 KiB\n"
    "    width_bits: 32\n"
    "    banks: 2\n"
    "  vpu:\n"
    "    elems_per_cycle: 32\n"
    "  dma:\n"
    "    engines: 2\n"
    "    bytes_per_cycle: 128\n"
    "    setup_latency: 16\n"
    "  dram:\n"
    "    channels: 4\n"
    "    bandwidth: 256GB/s\n"
    "    burst_bytes: 64\n"
    "    interleave_bytes: 256\n"
    "    read_latency: 100ns\n"
    "    write_latency: 100ns\n"
    "    size: 4GiB\n";

const char *cfg_default_yaml(void)
{
    return default_yaml;
}
