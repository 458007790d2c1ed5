/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim config'. */
#include "cli/cli.h"
int cmd_config(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'config' is not available in this build yet");
}
