/* Machine descriptions: YAML -> typed, validated structs for the `tpu:` and `gpu:` sections.
 *
 * Every key lives in ONE table (config/keys.c): its dotted path, type, unit, default, range and
 * the field it fills. Parsing a file, `--set PATH=VALUE`, `config show` and docs/config.md are all
 * driven by that table, so a key cannot exist in one and not the others.
 *
 * Units: sizes in bytes (KiB/MiB/GiB powers of two, kB/MB/GB powers of ten), bandwidths in bytes
 * per second (kept exact as an integer; bytes per cycle is the rational bytes_per_s / clock_hz),
 * clocks in Hz, latencies resolved to cycles of the owning machine's clock (rounded up).
 */
#ifndef TP_CONFIG_CONFIG_H
#define TP_CONFIG_CONFIG_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "base/dtype.h"

typedef enum { TP_DF_WS = 0, TP_DF_OS, TP_DF_IS, TP_DF__COUNT } tp_dataflow;
typedef enum { TP_TIMING_PIPELINED = 0, TP_TIMING_SCALESIM, TP_TIMING__COUNT } tp_timing;
const char *cfg_dataflow_name(tp_dataflow df);   /* "ws" "os" "is" */
const char *cfg_timing_name(tp_timing t);        /* "pipelined" "scalesim" */
int cfg_dataflow_parse(const char *s, tp_dataflow *out);   /* 0 ok, -1 unknown */

/* One off-chip memory (DRAM, HBM, a DDR3 weight memory, host memory over PCIe). */
typedef struct {
    bool present;                 /* the config defines it (tpu.dram always is) */
    bool ideal;                   /* unlimited bandwidth, zero latency */
    uint32_t channels;            /* independent channels; addresses interleave across them */
    uint64_t bytes_per_s;         /* total bandwidth over all channels */
    uint32_t burst_bytes;         /* bytes per burst (transfer granule) */
    uint32_t interleave_bytes;    /* address-interleaving granule across channels */
    uint32_t read_latency_cycles; /* first byte of a read, in the owner's clock cycles */
    uint32_t write_latency_cycles;
    uint64_t size_bytes;          /* capacity (0 = unlimited) */
    uint32_t bytes_per_cycle_per_channel; /* as written, if given instead of bandwidth (else 0);
                                             bytes_per_s is then this * channels * clock_hz */
} tp_mem_cfg;

/* The named off-chip memories a TPU config may have; tensor classes are placed in one. */
typedef enum { TP_MEM_DRAM = 0, TP_MEM_WEIGHT, TP_MEM_HOST, TP_MEM__COUNT } tp_mem_id;
const char *cfg_mem_name(tp_mem_id id);          /* "dram" "weight_mem" "host" */

typedef struct {
    bool present;
    uint32_t mac_node_nm;                    /* node pj_per_mac is given at (0 = the chip's) */
    double pj_per_mac[TP_DTYPE__COUNT];      /* at mac_node_nm: use cfg_energy_pj_per_mac */
    double pj_per_byte_mem[TP_MEM__COUNT];   /* off-chip, per memory */
    double pj_per_byte_ub;
    double pj_per_byte_acc;
    double pj_per_byte_wbuf;
    double pj_per_byte_l2;                   /* GPU only */
} tp_energy_cfg;

typedef struct {
    bool present;                 /* the file has a tpu: section (or the default supplied one) */
    char name[64];
    uint64_t clock_hz;
    uint32_t cores;               /* TensorCores per chip; each has its own buffers and MXUs */
    uint32_t mxus_per_core;
    struct {
        uint32_t rows, cols;      /* PEs; rows hold K (ws/is) or M (os) */
        tp_dataflow dataflow;
        bool dtypes[TP_DTYPE__COUNT];   /* supported input dtypes */
        bool weight_double_buffer;      /* shadow weight registers: load the next tile while computing */
        uint32_t weight_rows_per_cycle; /* rows of a weight tile shifted in per cycle */
        tp_timing timing;
    } array;
    struct {
        uint64_t size_bytes;
        uint32_t banks;
        uint32_t read_ports, write_ports;   /* per bank */
        uint32_t bytes_per_cycle;            /* per port */
    } ub;                         /* unified buffer (VMEM on v2-v4) */
    struct {
        uint32_t depth_tiles;     /* weight FIFO depth, in rows x cols tiles */
    } wbuf;
    struct {
        uint64_t entries;         /* accumulator rows; one row holds `cols` values */
        uint32_t width_bits;      /* 32 */
        uint32_t banks;
        uint64_t size_bytes;      /* per MXU: entries * cols * width_bits / 8 */
    } acc;
    struct {
        uint32_t elems_per_cycle;
        bool in_order;            /* matmuls do not pass an older activate (TPUv1's in-order pipeline) */
    } vpu;
    struct {
        uint32_t engines;
        uint32_t bytes_per_cycle; /* per engine, on-chip side */
        uint32_t setup_cycles;    /* per transfer */
    } dma;
    tp_mem_cfg mem[TP_MEM__COUNT];
    tp_mem_id place_weights, place_inputs, place_outputs;
    uint32_t process_nm;          /* the chip's process node (0 = not given) */
    tp_energy_cfg energy;
} tp_tpu_cfg;

typedef struct {
    uint32_t m, n, k;             /* MMA instruction shape */
    uint32_t latency_cycles;
    uint32_t interval_cycles;     /* initiation interval per tensor-core unit */
    bool present;                 /* the tensor cores support this dtype */
} tp_mma_cfg;

/* A GPU warp scheduler's policy: greedy-then-oldest or loose round-robin. */
typedef enum { TP_WSCHED_GTO = 0, TP_WSCHED_LRR, TP_WSCHED__COUNT } tp_wsched;
const char *cfg_wsched_name(tp_wsched w);        /* "gto" "lrr" */

typedef struct {
    bool present;
    char name[64];
    uint64_t clock_hz;
    uint64_t sustained_clock_hz;  /* clock under a long tensor-core load (= clock_hz if not given) */
    uint32_t sms;
    uint32_t warp_size;
    uint32_t max_warps_per_sm, max_ctas_per_sm, max_threads_per_sm;
    uint32_t schedulers_per_sm;
    tp_wsched scheduler;          /* warp scheduling policy of every sub-core */
    uint32_t registers_per_sm;
    uint64_t smem_per_sm_bytes;
    uint32_t smem_banks;          /* 4-byte banks; one wavefront serves one word per bank */
    bool wgmma;                   /* warpgroup MMA reading its operands from shared memory (Hopper) */
    bool tma;                     /* the Tensor Memory Accelerator copies whole tiles (Hopper) */
    bool async_copy;              /* cp.async global -> shared (Ampere on); without it tiles go
                                     through registers: LDG, then STS before the barrier */
    uint32_t smem_latency_cycles; /* ldmatrix issue to registers written, conflict-free */
    uint32_t tensor_units_per_sm;
    tp_mma_cfg mma[TP_DTYPE__COUNT];
    tp_mma_cfg mma_fp16;          /* fp16 tensor cores (V100, RTX 2080); reported, not simulated */
    uint32_t fma_lanes_per_sm;    /* fp32 FMA lanes (also dp4a int8 path where no int8 tensor core) */
    bool dp4a;                    /* int8 via dp4a on the SIMT pipes */
    struct {
        uint64_t size_bytes;
        uint32_t assoc;
        uint32_t line_bytes;
        uint64_t bytes_per_s;
        uint32_t latency_cycles;  /* a request's round trip from an SM through L2 (hit) */
    } l2;
    tp_mem_cfg dram;
    uint64_t launch_overhead_ps;  /* fixed cost of one kernel launch, picoseconds: a time, never
                                     converted through gpu.clock or gpu.sustained_clock */
    uint32_t process_nm;          /* the chip's process node (0 = not given) */
    tp_energy_cfg energy;
} tp_gpu_cfg;

typedef struct {
    char source[256];             /* file it came from, or "<default>" */
    char name[64];                /* top-level `name:` (default: the file name without .yaml);
                                     also copied into tpu.name and gpu.name */
    char gpu_peer[64];            /* `gpu: analogous` in a TPU config: compare's GPU when -g is
                                     absent is the analogous one (config/analogous.h); else "" */
    tp_tpu_cfg tpu;
    tp_gpu_cfg gpu;
} tp_config;

/* Loads a machine. path NULL = the embedded default machine. sets: n overrides "a.b.c=VALUE",
 * applied after the file, each validated exactly like the file (errors name the flag).
 * On failure *out is unspecified and err says why (file:line:col: key.path: message). */
tp_status cfg_load(const char *path, const char *const *sets, int n_sets, tp_config *out, tp_err *err);
/* Same, from YAML text in memory (name is used in messages). */
tp_status cfg_load_string(const char *name, const char *yaml, const char *const *sets, int n_sets,
                          tp_config *out, tp_err *err);
/* The embedded default machine's YAML text. */
const char *cfg_default_yaml(void);

/* Derived figures. */
uint64_t cfg_tpu_peak_macs_per_cycle(const tp_tpu_cfg *t);          /* rows*cols*mxus*cores */
double cfg_tpu_peak_ops_per_s(const tp_tpu_cfg *t, tp_dtype dt);    /* 2 * MACs/s; 0 if dtype unsupported */
double cfg_mem_bytes_per_cycle(const tp_mem_cfg *m, uint64_t clock_hz); /* exact ratio as double, for reports */
/* Cycles to move `bytes` at m's bandwidth (ceil of bytes*clock_hz/bytes_per_s, exact integer math). */
uint64_t cfg_mem_transfer_cycles(const tp_mem_cfg *m, uint64_t clock_hz, uint64_t bytes);
/* A config without a tpu: section (a GPU config) is refused by every command that simulates a
 * TPU with this one line: "SOURCE: machine 'NAME' has no tpu: section (...)",
 * TP_ERR_UNSUPPORTED. TP_OK if c has a tpu: section. */
tp_status cfg_require_tpu(const tp_config *c, tp_err *err);
/* cfg_require_tpu, then the invariants every tpu section satisfies however it was built (the
 * loader checks them too, positioned at the key): weight_rows_per_cycle <= rows, and each
 * placement names a memory that is present. For a tp_tpu_cfg built by hand (tests) this is the
 * check the loader would have made. TP_ERR_CONFIG "SOURCE: key.path: message" on failure. */
tp_status cfg_tpu_check(const tp_config *c, tp_err *err);
/* Checks that the TPU supports dt; otherwise a one-line TP_ERR_UNSUPPORTED naming the machine. */
tp_status cfg_tpu_require_dtype(const tp_config *c, tp_dtype dt, tp_err *err);

/* GPU derived figures. A dtype is supported if its mma block is present, or (int8) if dp4a is
 * true: then int8 runs on the SIMT lanes at 4 MACs per lane per cycle. */
bool cfg_gpu_supports(const tp_gpu_cfg *g, tp_dtype dt);
/* Dense MACs per SM per cycle: tensor_units_per_sm * m*n*k / interval_cycles (mma), or
 * fma_lanes_per_sm * 4 (dp4a int8); 0 if unsupported. */
double cfg_gpu_macs_per_sm_cycle(const tp_gpu_cfg *g, tp_dtype dt);
double cfg_gpu_fp16_macs_per_sm_cycle(const tp_gpu_cfg *g);          /* 0 without mma.fp16 */
double cfg_gpu_peak_ops_per_s(const tp_gpu_cfg *g, tp_dtype dt);     /* 2 * sms * MACs/SM/cycle * clock */
/* Energy: the one process-node rule (derive.c, docs/energy.md). The factor by which a MAC's energy
 * given at table_nm is multiplied at chip_nm (1 when either is 0), and a MAC's energy at the chip. */
double cfg_energy_node_scale(uint32_t table_nm, uint32_t chip_nm);
double cfg_energy_pj_per_mac(const tp_energy_cfg *en, uint32_t chip_nm, tp_dtype dt);
tp_status cfg_gpu_require_dtype(const tp_config *c, tp_dtype dt, tp_err *err);

/* Prints the resolved machine with derived figures (config show). */
void cfg_print(const tp_config *c, void *file /* FILE* */);
/* The same as one JSON object (config show --json). */
void cfg_print_json(const tp_config *c, void *file /* FILE* */);

/* The key table, read-only, for docs and tests. */
typedef struct {
    const char *path;     /* "tpu.array.rows" */
    const char *type;     /* "integer", "size", "bandwidth", "frequency", "time", "bool", ... */
    const char *unit;     /* "PEs", "bytes", ... */
    const char *def;      /* default as YAML text; "required" or "optional" if none */
    char range[96];       /* "1 .. 4096", or "ws, os, is", or "" */
    const char *doc;
} cfg_key_info;
size_t cfg_key_count(void);
void cfg_key_get(size_t i, cfg_key_info *out);
/* docs/config.md's key table (one Markdown row per key, `| \`path\` | ...`). */
void cfg_print_keys_markdown(void *file /* FILE* */);
#endif
