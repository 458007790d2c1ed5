/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim run'. */
#include "cli/cli.h"
int cmd_run(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'run' is not available in this build yet");
}
