/* libFuzzer target: --set PATH=VALUE overrides (cfg_load's sets, the reader behind every
 * command's --set). The input is up to 8 overrides, one per line, applied to the embedded default
 * machine. Seeds: tests/fuzz/seeds/set/ (paths and values of every kind). A refused override's
 * message names the flag ("--set ...").
 */
#include "fuzz.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_SETS = 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    const char *sets[MAX_SETS];
    int n = 0;
    for (char *line = text; line && n < MAX_SETS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        sets[n++] = line;
        line = nl ? nl + 1 : NULL;
    }
    tp_config *cfg = malloc(sizeof *cfg);
    tp_err err = {0};
    if (!cfg)
        abort();
    tp_status st = cfg_load(NULL, sets, n, cfg, &err);
    if (!fz_check(st, &err, NULL) && !strstr(err.msg, "--set"))
        fz_fail("a --set error does not name the flag", st, &err);
    free(cfg);
    free(text);
    return 0;
}
