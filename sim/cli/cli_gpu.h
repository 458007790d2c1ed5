/* What the GPU commands (gpu_cmds.c) share with compare (cmd_compare.c). Apart from cli.h so
 * that the commands which never run a GPU do not see the GPU model's names. */
#ifndef TP_CLI_CLI_GPU_H
#define TP_CLI_CLI_GPU_H
#include <stdbool.h>
#include "base/json.h"
#include "gpu/gpu.h"

/* "kernel_info": {cta_tile, warp_tile, mma, stages, ..., launch_cycles, kernel_cycles} of a GPU
 * run, inside its run object; given = the kernel came from --gpu-kernel. */
void cli_json_gpu_kernel_info(json_w *w, const gpu_run_info *ri, bool given);
#endif
