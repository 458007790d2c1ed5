/* tpusim check [-c CONFIG] [--set P=V]... PROGRAM
 * (--dataflow X is short for --set tpu.array.dataflow=X.)
 * Assembles and validates a .tpu program against the machine without running it:
 * prints "ok: N instructions" or one positioned error. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "tpu/asm.h"

int cmd_check(int argc, char **argv)
{
    cli_machine_opts mo = {0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_machine_opt(&mo, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r)
            continue;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: tpusim check [-c CONFIG] [--set PATH=VALUE]... [--dataflow ws|os|is] PROGRAM.tpu\n"
                   "Assembles and validates PROGRAM against the machine without running it.\n");
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("check: unknown option '%s'", argv[i]);
        if (path)
            return cli_usage_error("check: one PROGRAM expected, got '%s' and '%s'", path, argv[i]);
        path = argv[i];
    }
    if (!path)
        return cli_usage_error("check: missing PROGRAM (usage: tpusim check [-c CONFIG] PROGRAM.tpu)");
    tp_config cfg;
    int rc = cli_load_machine(&mo, &cfg);
    if (rc)
        return rc;
    isa_program p;
    tp_err err = {0};
    if (cli_parse_program(path, &cfg.tpu, &p, &err))
        return cli_fail(&err);
    printf("ok: %u instructions\n", p.n_ins);
    isa_free(&p);
    return 0;
}
