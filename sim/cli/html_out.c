/* --html FILE: the command side of the HTML report (report/html.h, docs/html.md).
 *
 * The page embeds the command's --json document byte for byte, so the figures on the page are
 * the report's by construction: a command with --html writes its document into a memory buffer
 * (cli_doc_open), which cli_doc_close also copies to the --json file when one was asked for. The
 * page itself is written like every other output: its path is checked before the run
 * (cli_check_outputs, by the command) and the file is a temporary renamed into place. */
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "report/html.h"

int cli_html_check_path(const char *path)
{
    if (!strcmp(path, "-")) {
        cli_usage_error("--html -: the page is written to a file, not to stdout (give a file name)");
        return -1;
    }
    return 0;
}

FILE *cli_doc_open(cli_doc *d, const char *json_path, cli_html *h)
{
    memset(d, 0, sizeof *d);
    d->path = json_path;
    d->html = h && h->path ? h : NULL;
    if (!d->html)
        return cli_out_open(&d->af, "--json", json_path, false);
    if (!(d->mem = open_memstream(&d->buf, &d->len))) {
        cli_usage_error("--html %s: out of memory for the report", d->html->path);
        return NULL;
    }
    return d->mem;
}

int cli_doc_close(cli_doc *d, bool bad)
{
    if (!d->mem)
        return cli_out_close(&d->af, bad);
    if (fclose(d->mem) != 0 || !d->buf) {
        free(d->buf);
        cli_usage_error("--html %s: out of memory for the report", d->html->path);
        return 2;
    }
    d->mem = NULL;
    if (bad) {
        free(d->buf);
        return cli_usage_error("--html %s: the report could not be formed", d->html->path);
    }
    int rc = 0;
    if (d->path) {
        afile af;
        FILE *f = cli_out_open(&af, "--json", d->path, false);
        if (!f)
            rc = 2;
        else {
            fwrite(d->buf, 1, d->len, f);
            rc = cli_out_close(&af, false);
        }
    }
    free(d->html->json);
    d->html->json = d->buf;
    d->html->json_len = d->len;
    d->buf = NULL;
    return rc;
}

int cli_html_write(cli_html *h)
{
    tp_err err = {0};
    afile af;
    /* the page's command line starts with the program's name */
    char **argv = malloc(((size_t)h->argc + 1) * sizeof *argv);
    if (!argv)
        return cli_usage_error("--html %s: out of memory", h->path);
    argv[0] = "tpusim";
    for (int i = 0; i < h->argc; i++)
        argv[i + 1] = h->argv[i];
    html_page pg = {0};
    pg.argc = h->argc + 1;
    pg.argv = argv;
    pg.report_json = h->json;
    pg.report_len = h->json_len;
    pg.array = h->rec;
    pg.array_note = h->array_note;
    pg.write_trace = h->write_trace;
    pg.trace_ctx = h->trace_ctx;
    FILE *f = cli_out_open(&af, "--html", h->path, false);
    if (!f) {
        free(argv);
        return 2;
    }
    tp_status st = html_write(f, &pg, &err);
    free(argv);
    if (st != TP_OK) {
        afile_commit(&af, true, &(tp_err){0});   /* removes the temporary */
        return cli_fail(&err);
    }
    return cli_out_close(&af, false);
}

void cli_html_free(cli_html *h)
{
    free(h->json);
    h->json = NULL;
    html_rec_free(h->rec);
    h->rec = NULL;
}

int cli_html_machine_rec(cli_html *h, const tp_config *cfg, tp_dtype dt, bool pe, bool values)
{
    tp_err err = {0};
    mxu_params p;
    if (!h->path)
        return 0;
    if (!pe || !values) {
        h->array_note = !pe ? "the registers are recorded by the per-PE engine: run with --engine pe (arrays up to "
                              "16x16)"
                            : "no values are computed (--no-data or --timing-only), so the per-PE engine does not run";
        return 0;
    }
    mxu_params_from_cfg(&p, &cfg->tpu, dt);
    if (html_rec_new(&p, 0, 0, 0, NULL, NULL, &h->rec, &err) != TP_OK)
        return cli_fail(&err);
    return 0;
}

void cli_html_after_run(void *rec, const machine *m)
{
    html_rec *r = rec;
    tp_err err = {0};
    for (uint32_t i = 0; i < machine_mxu_pe_ops(m); i++) {
        mxu_op op;
        const mxu_timing *tm = machine_mxu_pe_op(m, i, &op);
        if (!tm || html_rec_fold(r, i, &op, 0, 0, 0, tm, &err) != TP_OK)
            break;
    }
    html_rec_set_cycles(r, machine_stats(m)->cycles);
}
