/* PLACEHOLDER until its issue lands: replaced by the owner of 'tpusim gemm'. */
#include "cli/cli.h"
int cmd_gemm(int argc, char **argv)
{
    (void)argc; (void)argv;
    return cli_usage_error("'gemm' is not available in this build yet");
}
