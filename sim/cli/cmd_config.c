/* tpusim config: show, check and list machine descriptions.
 *   tpusim config show [FILE | -c FILE] [--set PATH=VALUE]... [--json OUT]
 *       every key of the resolved machine with its value and unit, then derived figures
 *       (peak MACs/cycle, peak TOPS/TFLOPS per dtype, bandwidths, ridge points, capacities);
 *       --json OUT writes the same as JSON to OUT ("-" = stdout) instead of the text form.
 *   tpusim config show [FILE | -c FILE] -g analogous
 *       the analogous GPU of the TPU config (config/analogous.h): each derived key beside the
 *       TPU figure it came from, the peak and SRAM it reaches, then every key as above
 *   tpusim config check FILE [--set ...]    validate only; prints "ok: FILE"
 *   tpusim config keys                      the key table as Markdown (docs/config.md) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "config/analogous.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tpusim config show [FILE | -c FILE] [--set PATH=VALUE]... [--dataflow ws|os|is] [--json OUT]\n"
               "                          [-g analogous]\n"
               "       tpusim config check FILE [--set PATH=VALUE]... [--dataflow ws|os|is]\n"
               "       tpusim config keys\n\n"
               "show   prints every key of the machine (the embedded default without FILE) with its\n"
               "       value and unit, then derived figures; --json OUT writes JSON to OUT ('-' = stdout)\n"
               "       -g analogous: the GPU derived from the TPU config, each key beside the TPU figure it\n"
               "       came from (docs/gpu.md, \"The analogy\")\n"
               "check  validates FILE and prints 'ok: FILE'\n"
               "keys   prints the table of all keys (type, unit, default, range) as Markdown\n");
}

/* config show -g analogous: the rule's rows, then what it reaches against the TPU */
static void print_analogous(const tp_config *t, const tp_config *g, const cfg_analog *why, FILE *f)
{
    fprintf(f, "analogous GPU of %s (%s): the rule of docs/gpu.md, \"The analogy\"\n", t->name, t->source);
    fprintf(f, "  %-26s %-16s %s\n", "key", "value", "from");
    for (size_t i = 0; i < why->n_rows; i++)
        fprintf(f, "  %-26s %-16s %s\n", why->rows[i].key, why->rows[i].value, why->rows[i].from);
    double dp = why->tpu_macs_per_cycle ? 100.0 * (why->gpu_macs_per_cycle / (double)why->tpu_macs_per_cycle - 1.0) : 0.0;
    fprintf(f, "  peak: %.6g MACs/cycle per dtype (%u SMs x %.6g) against the TPU's %llu: %+.2f%% from rounding\n",
            why->gpu_macs_per_cycle, g->gpu.sms, why->gpu_macs_per_cycle / g->gpu.sms,
            (unsigned long long)why->tpu_macs_per_cycle, dp);
    double ds = why->tpu_sram_bytes ? 100.0 * ((double)why->gpu_sram_bytes / (double)why->tpu_sram_bytes - 1.0) : 0.0;
    fprintf(f, "  on-chip SRAM: %llu bytes (registers %llu + shared memory %llu + L2 %llu) against the TPU's %llu "
               "(UB + accumulators + weight FIFOs): %+.2f%% from rounding%s\n\n",
            (unsigned long long)why->gpu_sram_bytes, (unsigned long long)g->gpu.sms * g->gpu.registers_per_sm * 4,
            (unsigned long long)g->gpu.sms * g->gpu.smem_per_sm_bytes, (unsigned long long)g->gpu.l2.size_bytes,
            (unsigned long long)why->tpu_sram_bytes, ds,
            why->regs_floored ? " and the register floor" : "");
}

int cmd_config(int argc, char **argv)
{
    cli_machine_opts mo;
    const char *sub, *json = NULL, *gpu = NULL;
    tp_config *cfg;
    int rc;
    memset(&mo, 0, sizeof mo);
    mo.any_machine = true;   /* config show/check read GPU configs too */
    if (argc < 2)
        return cli_usage_error("config: expected 'show', 'check' or 'keys' (try 'tpusim config --help')");
    sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        usage(stdout);
        return 0;
    }
    if (strcmp(sub, "show") && strcmp(sub, "check") && strcmp(sub, "keys"))
        return cli_usage_error("config: unknown sub-command '%s' (expected show, check or keys)", sub);
    static const char *const single[] = {"--json", "-g|--gpu", NULL};
    cli_seen seen = {0};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(sub, "keys"))
            return cli_usage_error("config keys: unexpected argument '%s'", a);
        r = cli_machine_opt(&mo, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(a, "--json") && !strcmp(sub, "show")) {
            if (!(json = cli_value(argc, argv, &i)))
                return 2;
            continue;
        }
        if ((!strcmp(a, "-g") || !strcmp(a, "--gpu")) && !strcmp(sub, "show")) {
            if (!(gpu = cli_value(argc, argv, &i)))
                return 2;
            if (strcmp(gpu, "analogous"))
                return cli_usage_error("%s %s: config show takes -g analogous (the GPU derived from the TPU config); "
                                       "to show a GPU config, give its file", a, gpu);
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage_error("config %s: unknown flag '%s' (try 'tpusim config --help')", sub, a);
        if (mo.config_path)
            return cli_usage_error("config %s: more than one config file ('%s' and '%s')", sub, mo.config_path, a);
        mo.config_path = a;
    }
    if (!strcmp(sub, "keys")) {
        cfg_print_keys_markdown(stdout);
        return 0;
    }
    if (!strcmp(sub, "check") && !mo.config_path)
        return cli_usage_error("config check: expected a FILE to check");
    if (cli_check_outputs(&(cli_output){"--json", json}, 1))
        return 2;
    cfg = malloc(sizeof *cfg);
    if (!cfg)
        return cli_usage_error("out of memory for the machine description (%zu bytes)", sizeof *cfg);
    rc = cli_load_machine(&mo, cfg);
    if (rc == 0 && gpu) {   /* -g analogous: show the derived GPU instead */
        tp_config *g = malloc(sizeof *g);
        cfg_analog *why = malloc(sizeof *why);
        tp_err err = {0};
        if (!g || !why)
            rc = cli_usage_error("out of memory for the analogous GPU");
        else if (cfg_analogous_gpu(cfg, g, why, &err) != TP_OK)
            rc = cli_fail(&err);
        else {
            if (!json)
                print_analogous(cfg, g, why, stdout);
            memcpy(cfg, g, sizeof *g);
        }
        free(g);
        free(why);
        if (rc) {
            free(cfg);
            return rc;
        }
    }
    if (rc == 0) {
        if (!strcmp(sub, "check")) {
            printf("ok: %s\n", mo.config_path);
        } else if (json) {
            afile af;
            FILE *f = cli_out_open(&af, "--json", json, false);
            if (!f) {
                rc = 2;
            } else {
                cfg_print_json(cfg, f);
                rc = cli_out_close(&af, false);
            }
        } else {
            cfg_print(cfg, stdout);
        }
    }
    free(cfg);
    return rc;
}
