/* A training step from a workload's forward layers (`tpusim model WORKLOAD --train`).
 *
 * Every forward layer C[M,N] = X[M,K] . W[K,N] (X its input, W its weights, Y = C its output)
 * has two backward GEMMs, the first layer included (its input gradient is computed even though
 * nothing upstream reads it):
 *
 *   phase    computes                  GEMM (M x N x K)   stored operands (gemm_problem)
 *   forward  Y[M,N]  = X[M,K] . W[K,N]   M x N x K          A = X (M x K), B = W (K x N)
 *   dgrad    dX[M,K] = dY[M,N] . W^T     M x K x N          A = dY (M x N), B = W as stored
 *                                                             (K x N = "N x K" of this GEMM:
 *                                                             transpose_b)
 *   wgrad    dW[K,N] = X^T . dY[M,N]     K x N x M          A = X as stored (M x K = "K x M"
 *                                                             of this GEMM: transpose_a),
 *                                                             B = dY (M x N)
 *
 * so a step has 3x the forward MACs. Order: all forward GEMMs in file order, then for each
 * layer from the last to the first its dgrad and then its wgrad (backward order).
 *
 * Where operands come from. The forward layers keep their `input:` links. A layer's dY is the
 * dX of the layer that reads its output, so layer i's dgrad names layer j's dgrad as its input
 * when exactly one layer j reads i's output; with no reader (the last layer: dY is the loss's
 * gradient) or several (dY would be the sum of their dX, an elementwise add not modelled) its
 * dY comes from off-chip memory. A wgrad's operands (the stashed X and dY) always come from
 * off-chip memory: the workload's `input` names only a layer's A, and a wgrad's dY is its B.
 * Elementwise backward steps (the ReLU mask on dY, the sum of several readers' gradients) are
 * not GEMMs and are not in the step.
 *
 * Epilogues: a forward GEMM keeps its layer's epilogue; dgrad and wgrad write the plain
 * accumulator (epilogue none: no ReLU, no requantization). `repeat` is copied to all three, so
 * it multiplies every phase; dtype is the forward layer's. tile: and order: describe the forward
 * shape and are not carried to the backward GEMMs (the search tiles them). */
#ifndef TP_WORK_TRAIN_H
#define TP_WORK_TRAIN_H
#include "work/workload.h"

/* out = the training step of the forward layers of in (3 x in->n_layers layers, names "NAME" /
 * "NAME.dgrad" / "NAME.wgrad", each with its phase, transposes and fwd index); out->name,
 * source and dtype are in's. in must hold only forward layers (else TP_ERR_USAGE). On failure
 * *out is empty (workload_free accepts it). */
tp_status train_expand(const workload *in, workload *out, tp_err *err);
#endif
