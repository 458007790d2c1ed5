/* --trace FILE|- and --trace-cap N, shared by gemm, run, model and compare (docs/trace.md). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "report/trace.h"

int cli_trace_opt(int argc, char **argv, int *i, const char **path, uint64_t *cap)
{
    const char *a = argv[*i], *v;
    if (!strcmp(a, "--trace")) {
        if (!(*path = cli_value(argc, argv, i)))
            return -1;
        return 1;
    }
    if (!strcmp(a, "--trace-cap")) {
        if (!(v = cli_value(argc, argv, i)) || cli_parse_u64("--trace-cap", v, 0, UINT64_MAX, cap))
            return -1;
        return 1;
    }
    return 0;
}

int cli_trace_write(const char *path, timeline *tl, const char *command)
{
    return cli_trace_write_n(path, &tl, 1, command);
}

int cli_trace_write_n(const char *path, timeline *const *tls, size_t n, const char *command)
{
    afile af;
    FILE *f = cli_out_open(&af, "--trace", path, false);
    if (!f)
        return 2;
    tp_err err = {0};
    trace_info info = { cli_version(), command };
    tp_status st = trace_write(tls, n, &info, f, &err);
    if (st != TP_OK && st != TP_ERR_IO) {   /* a bug or no memory: no file, that one line */
        afile_abort(&af);
        return cli_fail(&err);
    }
    int rc = cli_out_close(&af, st != TP_OK);
    if (rc)
        return rc;
    char note[160];
    trace_cap_note(tls, n, note, sizeof note);
    if (note[0])
        fprintf(stderr, "tpusim: --trace %s: %s\n", path, note);
    return 0;
}

void cli_trace_embed(FILE *f, void *ctx)
{
    const cli_trace_src *s = ctx;
    tp_err err = {0};
    trace_info info = {cli_version(), s->command};
    /* the writer fails only before its first byte (the nesting check, no memory) or on a write
     * error the page's own close reports; the page then shows no timeline */
    if (trace_write(s->tls, s->n, &info, f, &err) != TP_OK && err.code != TP_ERR_IO)
        fputs("null", f);
}

uint64_t cli_timeline_cap(const char *trace_path, uint64_t trace_cap)
{
    return trace_path || trace_cap != TL_DEFAULT_CAP ? trace_cap : CLI_HTML_TRACE_CAP;
}
