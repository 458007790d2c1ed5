/* libFuzzer target: a machine config's YAML (cfg_load_string, the reader behind -c FILE).
 * Seeds: the YAML files in configs/. An accepted config must pass the checks cfg_load promises: at least
 * MXU, PE and a clock on a machine with TPU cores. */
#include "fuzz.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    tp_config *cfg = malloc(sizeof *cfg);
    tp_err err = {0};
    if (!cfg)
        abort();
    tp_status st = cfg_load_string("fuzz.yaml", text, NULL, 0, cfg, &err);
    if (fz_check(st, &err, "fuzz.yaml") && cfg->tpu.cores > 0) {   /* a GPU-only file has no cores */
        const tp_tpu_cfg *t = &cfg->tpu;
        if (t->mxus_per_core < 1 || t->array.rows < 1 || t->array.cols < 1 || t->clock_hz == 0)
            fz_fail("accepted a TPU config without cores, MXUs, PEs or clock", st, &err);
    }
    free(cfg);
    free(text);
    return 0;
}
