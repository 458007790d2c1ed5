/* libFuzzer target: workload files (`tpusim model`): the YAML list of layers and the SCALE-Sim
 * topology CSV (workload_parse_yaml, workload_parse_csv). Each input goes to both readers.
 * An accepted workload has at least one layer and every dimension and repeat within the
 * documented limits; a refused one names the file and leaves no layers. Seeds:
 * kernels/workloads/ and the CSV files of tests/data/. */
#include "fuzz.h"
#include "work/gemm.h"
#include "work/workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(int csv, const char *text, size_t size)
{
    const char *name = csv ? "fuzz.csv" : "fuzz.yaml";
    workload w;
    tp_err err = {0};
    tp_status st = csv ? workload_parse_csv(name, text, size, &w, &err)
                       : workload_parse_yaml(name, text, size, &w, &err);
    if (fz_check(st, &err, name)) {
        if (w.n_layers < 1)
            fz_fail("accepted a workload without layers", st, &err);
        for (size_t l = 0; l < w.n_layers; l++) {
            const workload_layer *x = &w.layers[l];
            if (x->m < 1 || x->m > GEMM_MAX_DIM || x->n < 1 || x->n > GEMM_MAX_DIM || x->k < 1 ||
                x->k > GEMM_MAX_DIM || x->repeat < 1 || x->repeat > WORKLOAD_MAX_REPEAT)
                fz_fail("accepted a layer outside the limits", st, &err);
        }
    } else if (w.layers) {
        fz_fail("a refused workload left layers", st, &err);
    }
    workload_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    one(0, text, size);
    one(1, text, size);
    free(text);
    return 0;
}
