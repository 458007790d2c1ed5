/* Workloads: a list of GEMM layers that `tpusim model` runs one after another.
 *
 * Two input formats, chosen by the file name (".csv" is SCALE-Sim topology, anything else YAML):
 *
 *   YAML (kernels/workloads/NAME.yaml):
 *       name: bert-base-seq128        # optional, defaults to the file's base name
 *       dtype: int8                   # optional default for the layers (--dtype overrides it)
 *       layers:
 *         - {name: qkv, M: 128, N: 2304, K: 768, repeat: 12}
 *         - {name: fc1, M: 128, N: 3072, K: 768, repeat: 12, epilogue: relu, dtype: bf16}
 *         - {name: fc2, M: 128, N: 768, K: 3072, repeat: 12, input: fc1}
 *     M, N, K are whole numbers >= 1 (lower-case m, n, k are accepted too); repeat >= 1
 *     (default 1) runs the layer that many times back to back; epilogue is none|relu|requant.
 *     input: NAME says the layer's A is the output of the earlier layer NAME (whose M x N must
 *     be this layer's M x K); without it the layer's input comes from off-chip memory. Layers
 *     are connected only this way, never by shape.
 *
 *   SCALE-Sim topology CSV, header row first, every row ending with a comma, extra trailing
 *   columns ignored, blank rows (only commas/space) skipped. The header decides the form:
 *     GEMM form: "Layer, M, N, K,"                 -> the layer as written
 *     conv form: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
 *                 Num Filter, Strides,"            -> lowered by im2col:
 *         out_h = ceil((in_h - f_h) / s) + 1, out_w likewise   (SCALE-Sim's own
 *         topo_calc_hyperparams: ceil((in - f + s) / s); no padding)
 *         M = out_h * out_w,  N = filters,  K = f_h * f_w * channels.
 *     A ninth column whose header names a stride ("Stride width") is the column stride; otherwise
 *     the one stride applies to both. A conv layer whose name contains "DP" is depthwise, as in
 *     SCALE-Sim: `channels` layers of one channel each (here: K = f_h*f_w, repeat = channels).
 *     Every CSV layer is independent (input -1): a topology file does not say how layers connect.
 *
 * Errors are one line with the file, line and column: "w.csv:4:9: M: expected a whole number
 * >= 1, got 'x'". Sizes are checked (each of M, N, K at most GEMM_MAX_DIM).
 */
#ifndef TP_WORK_WORKLOAD_H
#define TP_WORK_WORKLOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/dtype.h"
#include "work/gemm.h"

#define WORKLOAD_MAX_LAYERS 100000u
#define WORKLOAD_MAX_REPEAT 1000000u

/* What a layer computes in a training step (work/train.h); a file's layers are all forward. */
typedef enum {
    WORKLOAD_FORWARD = 0,      /* C[M,N] = X[M,K] . W[K,N], the file's layer */
    WORKLOAD_DGRAD,            /* the input gradient dX[M,K] = dY[M,N] . W^T */
    WORKLOAD_WGRAD,            /* the weight gradient dW[K,N] = X^T . dY[M,N] */
    WORKLOAD_PHASE__COUNT
} workload_phase;
/* "forward" "dgrad" "wgrad" */
const char *workload_phase_name(workload_phase p);

typedef struct {
    char name[64];
    uint32_t m, n, k;          /* C[M,N] = A[M,K] B[K,N] */
    bool transpose_a;          /* A stored K x M (gemm_problem's meaning); false in a file */
    bool transpose_b;          /* B stored N x K; false in a file */
    workload_phase phase;      /* WORKLOAD_FORWARD in a file */
    int64_t fwd;               /* train_expand: the forward layer's index in the file; -1 in a file */
    uint32_t repeat;           /* identical runs back to back (>= 1) */
    bool has_dtype;            /* dtype given for this layer (else the workload's or the command's) */
    tp_dtype dtype;
    gemm_epilogue epilogue;
    int line;                  /* 1-based source line, for messages */
    /* input: NAME (YAML only): the earlier layer whose output is this layer's A */
    int64_t input;             /* its index in workload.layers, or -1: A comes from off-chip memory */
    char input_name[64];       /* as written ("" without input:) */
    int input_line, input_col; /* 1-based position of the input: value (0 without it) */
    /* tile: MxNxK and order: (YAML only): the layer's tiling as `gemm --tile/--order` fixes it
     * (0 and "": the search chooses) */
    uint32_t tm, tn, tk;
    char order[4];
    /* conv layers (SCALE-Sim conv form): the shape before lowering; conv false otherwise */
    bool conv;
    uint32_t in_h, in_w, f_h, f_w, channels, filters, stride_h, stride_w, out_h, out_w;
} workload_layer;

typedef struct {
    char name[128];
    char source[256];          /* the file it came from */
    bool has_dtype;
    tp_dtype dtype;
    workload_layer *layers;
    size_t n_layers;
} workload;

/* Loads a workload file (YAML or CSV by extension). On failure *w is empty (workload_free
 * accepts it) and err says where: "file:line:col: message". */
tp_status workload_load(const char *path, workload *w, tp_err *err);
/* The same from text in memory; name is used in messages and as the default workload name. */
tp_status workload_parse_yaml(const char *name, const char *text, size_t len, workload *w, tp_err *err);
tp_status workload_parse_csv(const char *name, const char *text, size_t len, workload *w, tp_err *err);
void workload_free(workload *w);

/* im2col output size as SCALE-Sim computes it: ceil((in - f) / stride) + 1 (in >= f, stride >= 1). */
uint32_t workload_conv_out(uint32_t in, uint32_t f, uint32_t stride);
/* MACs of one run of a layer (M*N*K) and of the whole workload (repeats included), saturated at
 * UINT64_MAX: dimensions up to GEMM_MAX_DIM make M*N*K up to 2^72. */
uint64_t workload_layer_macs(const workload_layer *l);
uint64_t workload_total_macs(const workload *w);
#endif
