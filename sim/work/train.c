/* The training expansion (work/train.h): one forward layer -> forward, dgrad, wgrad. */
#include "work/train.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The backward GEMM of forward layer l for phase ph: its shape, transposes and name (see the
 * table in train.h); input and its name are set by the caller. */
static workload_layer backward_of(const workload_layer *l, int64_t fwd, workload_phase ph)
{
    workload_layer b;
    memset(&b, 0, sizeof b);
    snprintf(b.name, sizeof b.name, "%.57s.%s", l->name, workload_phase_name(ph));
    if (ph == WORKLOAD_DGRAD) {         /* dX[M,K] = dY[M,N] . W^T: GEMM M x K x N, W as stored */
        b.m = l->m;
        b.n = l->k;
        b.k = l->n;
        b.transpose_b = true;
    } else {                            /* dW[K,N] = X^T . dY[M,N]: GEMM K x N x M, X as stored */
        b.m = l->k;
        b.n = l->n;
        b.k = l->m;
        b.transpose_a = true;
    }
    b.phase = ph;
    b.fwd = fwd;
    b.repeat = l->repeat;
    b.has_dtype = l->has_dtype;
    b.dtype = l->dtype;
    b.epilogue = GEMM_EPI_NONE;         /* the plain accumulator: no ReLU, no requantization */
    b.line = l->line;
    b.input = -1;
    return b;
}

tp_status train_expand(const workload *in, workload *out, tp_err *err)
{
    memset(out, 0, sizeof *out);
    size_t n = in->n_layers;
    for (size_t i = 0; i < n; i++)
        if (in->layers[i].phase != WORKLOAD_FORWARD)
            return tp_err_set(err, TP_ERR_USAGE, "%s: layer '%s' is already a %s GEMM; --train expands forward layers",
                              in->source, in->layers[i].name, workload_phase_name(in->layers[i].phase));
    workload_layer *L = calloc(n ? 3 * n : 1, sizeof *L);
    uint32_t *readers = calloc(n ? n : 1, sizeof *readers);
    size_t *reader = calloc(n ? n : 1, sizeof *reader);
    if (!L || !readers || !reader) {
        free(L);
        free(readers);
        free(reader);
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory for the %zu GEMMs of a training step", in->source, 3 * n);
    }
    for (size_t j = 0; j < n; j++)
        if (in->layers[j].input >= 0) {
            size_t i = (size_t)in->layers[j].input;
            readers[i]++;
            reader[i] = j;
        }
    /* backward layer of forward layer i (b = 0 for the last): dgrad at n + 2b, wgrad next */
#define DGRAD_AT(i) (n + 2 * (n - 1 - (i)))
    for (size_t i = 0; i < n; i++) {
        L[i] = in->layers[i];
        L[i].fwd = (int64_t)i;
        const workload_layer *l = &in->layers[i];
        workload_layer *d = &L[DGRAD_AT(i)], *g = &L[DGRAD_AT(i) + 1];
        *d = backward_of(l, (int64_t)i, WORKLOAD_DGRAD);
        *g = backward_of(l, (int64_t)i, WORKLOAD_WGRAD);
        if (readers[i] == 1) {   /* dY = the dX of the one layer that reads Y */
            d->input = (int64_t)DGRAD_AT(reader[i]);
            memcpy(d->input_name, L[DGRAD_AT(reader[i])].name, sizeof d->input_name);
        }
    }
#undef DGRAD_AT
    /* the names of the inputs: the readers' dgrads are written in the loop above or later */
    for (size_t x = n; x < 3 * n; x++)
        if (L[x].input >= 0)
            memcpy(L[x].input_name, L[L[x].input].name, sizeof L[x].input_name);
    free(readers);
    free(reader);
    memcpy(out->name, in->name, sizeof out->name);
    memcpy(out->source, in->source, sizeof out->source);
    out->has_dtype = in->has_dtype;
    out->dtype = in->dtype;
    out->layers = L;
    out->n_layers = 3 * n;
    return TP_OK;
}
