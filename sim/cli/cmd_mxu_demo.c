/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim mxu-demo'. */
#include "cli/cli.h"
int cmd_mxu_demo(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'mxu-demo' is not available in this build yet");
}
