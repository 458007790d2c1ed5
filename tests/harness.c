#include "harness.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int th_run_group(th_ctx *ctx, const struct CMUnitTest *tests, size_t n,
                 CMFixtureFunction setup, CMFixtureFunction teardown)
{
    struct CMUnitTest *sel = calloc(n ? n : 1, sizeof *sel);
    size_t k = 0;
    char full[512];
    if (!sel)
        return 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(full, sizeof full, "%s/%s", ctx->group, tests[i].name);
        bool keep = !ctx->filter ||
                    (ctx->filter[0] == '-' ? !strstr(full, ctx->filter + 1) : strstr(full, ctx->filter) != NULL);
        if (keep)
            sel[k++] = tests[i];
    }
    if (k > 0) {
        int failed = _cmocka_run_group_tests(ctx->group, sel, k, setup, teardown);
        if (failed < 0 || (size_t)failed > k)
            failed = (int)k;
        ctx->failed += failed;
        ctx->passed += (int)k - failed;
    }
    free(sel);
    return 0;
}

const char *th_path(char *buf, size_t cap, const char *rel)
{
    const char *root = getenv("TP_ROOT");
    snprintf(buf, cap, "%s/%s", root && *root ? root : ".", rel);
    return buf;
}

static char tmp_dir[256];   /* test-process-only scratch dir name; set once */

static void rm_tmpdir(void)
{
    char cmd[300];
    if (tmp_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", tmp_dir);
    }
}

const char *th_tmpdir(void)
{
    if (!tmp_dir[0]) {
        snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tpusim-test-XXXXXX");
        if (!mkdtemp(tmp_dir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(rm_tmpdir);
    }
    return tmp_dir;
}
