/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim model'. */
#include "cli/cli.h"
int cmd_model(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'model' is not available in this build yet");
}
