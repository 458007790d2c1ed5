/* html_page REPORT.json|- TRACE.json|- OUT.html
 *
 * Writes the HTML report page (report/html.h) of a --json document with a Chrome trace-event
 * file as its timeline ("-" = none), so the browser checks (tests/check_html.sh) can load the
 * page's timeline before the machines record one. A test tool, not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/html.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n + 65536 > cap) {
            char *b = realloc(buf, cap = cap * 2 + 65536);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: html_page REPORT.json|- TRACE.json|- OUT.html\n");
        return 2;
    }
    html_page pg;
    memset(&pg, 0, sizeof pg);
    char *args[] = {"html_page", argv[1], argv[2], argv[3]};
    pg.argc = 4;
    pg.argv = args;
    char *rep = NULL, *tr = NULL;
    if (strcmp(argv[1], "-") && !(rep = slurp(argv[1], &pg.report_len))) {
        fprintf(stderr, "html_page: %s: cannot read\n", argv[1]);
        return 2;
    }
    if (strcmp(argv[2], "-") && !(tr = slurp(argv[2], &pg.trace_len))) {
        fprintf(stderr, "html_page: %s: cannot read\n", argv[2]);
        free(rep);
        return 2;
    }
    pg.report_json = rep;
    pg.trace_json = tr;
    FILE *f = fopen(argv[3], "w");
    tp_err err = {0};
    int rc = 0;
    if (!f || html_write(f, &pg, &err) != TP_OK || fclose(f) != 0) {
        fprintf(stderr, "html_page: %s: cannot write\n", argv[3]);
        rc = 2;
    }
    free(rep);
    free(tr);
    return rc;
}
