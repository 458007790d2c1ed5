/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim mxu'. */
#include "cli/cli.h"
int cmd_mxu(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'mxu' is not available in this build yet");
}
