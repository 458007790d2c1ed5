/* What the GPU commands (gpu_cmds.c) share with compare (cmd_compare.c). Apart from cli.h so
 * that the commands which never run a GPU do not see the GPU model's names. */
#ifndef TP_CLI_CLI_GPU_H
#define TP_CLI_CLI_GPU_H
#include <stdbool.h>
#include <stdio.h>
#include "base/json.h"
#include "cli/cli.h"
#include "gpu/gpu.h"
#include "report/bound.h"
#include "work/workload.h"

/* "kernel_info": {cta_tile, warp_tile, mma, stages, ..., launch_cycles, kernel_cycles} of a GPU
 * run, inside its run object; given = the kernel came from --gpu-kernel. */
void cli_json_gpu_kernel_info(json_w *w, const gpu_run_info *ri, bool given);

/* ---- the comparison (cmd_compare.c, docs/compare.md): compare, gemm -g and model -g ---------- */

/* configs/tpu-v4.yaml from the working directory, else beside the binary: the TPU of chip
 * against chip (a path into buf, or the name itself for cfg_load to report). */
const char *cli_default_tpu_path(char *buf, size_t cap);
/* The GPU side of -g: gmo->config_path "analogous" derives it from tpu (cfg_analogous_gpu;
 * gmo's --set gpu.* is refused: the derived GPU has no file to override), else loads the file
 * and refuses one without a gpu: section. Prints one line naming -g or the flag and returns the
 * exit code on failure; 0 on success. */
int cli_load_gpu_side(cli_machine_opts *gmo, const tp_config *tpu, tp_config *gcfg);

/* One column of the table: the machine's config and stats, the dtype it ran, its tiling or
 * kernel ("tiling / kernel" row), its bound sentence and how many --set keys it overrides. */
typedef struct {
    const tp_config *cfg;
    const tp_stats *s;
    const char *dtype;
    char how[96];
    const report_bound *b;
    int n_sets;
} cli_cmp_side;
/* "WHAT: chip against chip, tpu-v4 (2 core(s) x 4 MXU(s)) against gpu-a100 (108 SMs)" */
void cli_compare_title(char *buf, size_t cap, const char *what, bool chip, const tp_config *t, const tp_config *g);
/* The side-by-side table (docs/compare.md "The table") under the title line, ending with
 * "result: RESULT". Every row is read from the two stats records. */
void cli_compare_table(const char *title, const cli_cmp_side *t, const cli_cmp_side *g, const char *result, FILE *f);
/* "compare": {time_ratio, utilization, dtype, validated} of two runs. */
void cli_compare_json(json_w *w, const tp_stats *t, const tp_stats *g, const char *tdt, const char *gdt);

/* One layer's row of model -g's per-layer table, each side: cycles = its run's x repeat. */
typedef struct {
    uint64_t cycles;
    double seconds, utilization;
} cli_cmp_layer;
/* The per-layer table of model -g: layer, shape, repeat, TPU cycles/time/util, GPU
 * cycles/time/util, and the time ratio TPU / GPU. */
void cli_compare_layers(const workload *w, const cli_cmp_layer *t, const cli_cmp_layer *g, FILE *f);

/* ---- a workload on a GPU (gpu_cmds.c): model -c GPU and model -g -------------------------- */
typedef struct {
    gemm_problem pb;
    bool fp16;
    tp_stats s;          /* one run */
    gpu_run_info ri;
    report_bound b;
} cli_gpu_layer;
typedef struct {
    cli_gpu_layer *L;    /* w->n_layers */
    size_t n;
    tp_stats total;      /* the whole workload as one run: repeats applied */
    report_bound tb;
} cli_gpu_model;
/* A GPU dtype resolved by cli_gpu_resolve_dtype (fp16: dt = TP_BF16 and fp16 = true). */
typedef struct {
    tp_dtype dt;
    bool fp16;
} cli_gpu_dtype;
/* Runs every layer of w on cfg's GPU (one kernel each). A layer's dtype: its own, else given
 * (--dtype; NULL = none), else the workload's, else fallback (NULL = the chip's default: int8,
 * else bf16, else fp16). quiet: no progress bar; tl: the layers' timeline or NULL. On failure
 * one error naming path:line and the layer; *m is then freed. */
tp_status cli_gpu_model_run(const tp_config *cfg, const workload *w, const char *path, const cli_gpu_dtype *given,
                            const cli_gpu_dtype *fallback, bool quiet, timeline *tl, cli_gpu_model *m, tp_err *err);
void cli_gpu_model_free(cli_gpu_model *m);
/* The outputs of model on a GPU after its JSON, in order: --trace (tl), --html (h; the caller frees it)
 * and --plot (each layer a point under its dtype's roof, docs/plots.md); each is skipped when
 * its path is NULL, and the first failure stops the rest. 0 or the exit code, after one line
 * on stderr. */
int cli_gpu_model_outputs(const char *trace_path, timeline *tl, cli_html *h, const char *plot_path,
                          const tp_config *cfg, const workload *w, const cli_gpu_model *m);
/* The members of the run object "gpu" of model on a GPU: the record, config, workload, layers,
 * total and check (docs/output.md). */
void cli_json_gpu_model(json_w *j, const cli_machine_opts *mo, const tp_config *cfg, const workload *w,
                        const cli_gpu_model *m);
#endif
