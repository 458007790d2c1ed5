/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim check'. */
#include "cli/cli.h"
int cmd_check(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'check' is not available in this build yet");
}
