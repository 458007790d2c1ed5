/* The unit-test runner: ./run_tests [FILTER]  (FILTER: substring of "<group>/<test>"). */
#include "harness.h"
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    th_ctx ctx = {0};
    if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        fprintf(stderr, "usage: %s [FILTER]   (run tests whose \"group/test\" name contains FILTER)\n", argv[0]);
        return 2;
    }
    ctx.filter = argc == 2 ? argv[1] : NULL;
    for (const th_group *g = th_groups; g->name; g++) {
        ctx.group = g->name;
        g->run(&ctx);
    }
    printf("%d passed, %d failed\n", ctx.passed, ctx.failed);
    return ctx.failed ? 1 : 0;
}
