/* libFuzzer target: the assembler (asm_parse, the reader behind `tpusim run`/`check`), against
 * the embedded default machine (32 x 32 ws) or, when the input's first line is "; teach", the
 * teaching machine's figures (4 x 4, tiny buffers) so that range checks of small buffers are
 * reached too. Seeds: the .tpu files of kernels/ and kernels/tutorial/. An accepted program also passes
 * isa_validate (asm_parse promises it) and every failure names the file and position. */
#include "fuzz.h"
#include "config/config.h"
#include "tpu/asm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const teach[] = {"tpu.array.rows=4", "tpu.array.cols=4", "tpu.ub.size=1KiB",
                                    "tpu.acc.entries=16", "tpu.wbuf.depth_tiles=2"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    tp_config *cfg = malloc(sizeof *cfg);
    tp_err err = {0};
    if (!cfg)
        abort();
    int small = strncmp(text, "; teach", 7) == 0;
    if (cfg_load(NULL, teach, small ? 5 : 0, cfg, &err) != TP_OK)
        fz_fail("the machine does not load", err.code, &err);
    isa_program p;
    tp_status st = asm_parse("fuzz.tpu", text, &cfg->tpu, &p, &err);
    if (fz_check(st, &err, "fuzz.tpu")) {
        tp_err e2 = {0};
        if (isa_validate(&p, &cfg->tpu, &e2) != TP_OK)
            fz_fail("an assembled program fails isa_validate", e2.code, &e2);
    }
    isa_free(&p);
    free(cfg);
    free(text);
    return 0;
}
