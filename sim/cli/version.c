/* The build's version and git commit, from the header the Makefile generates
 * ($(BUILD)/gen/version.h: VERSION and `git rev-parse`, "unknown" outside a git checkout). */
#include "cli/cli.h"
#include "version.h"

const char *cli_version(void)
{
    return TPUSIM_VERSION;
}

const char *cli_commit(void)
{
    return TPUSIM_COMMIT;
}
