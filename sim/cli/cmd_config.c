/* tpusim config: show, check and list machine descriptions.
 *   tpusim config show [FILE | -c FILE] [--set PATH=VALUE]... [--json OUT]
 *       every key of the resolved machine with its value and unit, then derived figures
 *       (peak MACs/cycle, peak TOPS/TFLOPS per dtype, bandwidths, ridge points, capacities);
 *       --json OUT writes the same as JSON to OUT ("-" = stdout) instead of the text form.
 *   tpusim config check FILE [--set ...]    validate only; prints "ok: FILE"
 *   tpusim config keys                      the key table as Markdown (docs/config.md) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tpusim config show [FILE | -c FILE] [--set PATH=VALUE]... [--dataflow ws|os|is] [--json OUT]\n"
               "       tpusim config check FILE [--set PATH=VALUE]... [--dataflow ws|os|is]\n"
               "       tpusim config keys\n\n"
               "show   prints every key of the machine (the embedded default without FILE) with its\n"
               "       value and unit, then derived figures; --json OUT writes JSON to OUT ('-' = stdout)\n"
               "check  validates FILE and prints 'ok: FILE'\n"
               "keys   prints the table of all keys (type, unit, default, range) as Markdown\n");
}

int cmd_config(int argc, char **argv)
{
    cli_machine_opts mo;
    const char *sub, *json = NULL;
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
    static const char *const single[] = {"--json", NULL};
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
