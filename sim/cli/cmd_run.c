/* tpusim run [-c CONFIG] [--set P=V]... PROGRAM [--in NAME=FILE.npy]... [--out NAME=FILE.npy]...
 *            [--engine fast|pe] [--json FILE|-] [--trace FILE|-] [--trace-cap N] [--timing-only] [--quiet]
 * Assembles PROGRAM, binds tensors to .npy files, runs it on the machine and prints the report.
 * A declared tensor with no --in starts zero-filled. Inputs whose shape or dtype differ from
 * the declaration are refused naming the file (a float32 file is accepted for a bf16 tensor and
 * rounded to nearest even). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/npy.h"
#include "base/progress.h"
#include "cli/cli.h"
#include "report/html.h"
#include "report/report.h"
#include "tpu/asm.h"
#include "tiler/run.h"
#include "tpu/machine.h"

#define MAX_BIND 64

typedef struct {
    const char *name, *path;
} binding;

static int split_bind(const char *flag, const char *v, binding *b)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return cli_usage_error("%s %s: expected NAME=FILE.npy", flag, v);
    b->path = eq + 1;
    b->name = v;
    return 0;
}

static int usage(void)
{
    printf("usage: tpusim run [-c CONFIG] [--set PATH=VALUE]... PROGRAM.tpu [--in NAME=FILE.npy]...\n"
           "                  [--out NAME=FILE.npy|NAME=-]... [--dataflow ws|os|is] [--engine fast|pe] [--json FILE|-]\n"
           "                  [--trace FILE|-] [--trace-cap N] [--timing-only] [--fast-forward on|off]\n"
           "                  [--html FILE] [--quiet]\n"
           "Runs a .tpu program on the machine and prints cycles, utilization, stalls by cause and\n"
           "bytes per memory level. Tensors without --in start zero-filled. --trace writes a\n"
           "Chrome/Perfetto trace of every unit (docs/trace.md). --html FILE writes a self-contained\n"
           "page of the run (docs/html.md).\n"
           CLI_HELP_FAST_FORWARD
           "A progress bar is drawn on stderr when it is a terminal, and a run estimated at 1 GiB or\n"
           "10 s or more says so in one line before it starts (docs/tiler.md); --quiet leaves both out.\n");
    return 0;
}

/* A big program says what its run will take (cli_big_run_note): the machine's run state, and
 * with values its tensors, and the time at tiler_run_cost's rates, its MACs counted at most
 * (each matmul's rows times a whole R x C weight tile per FIFO tile it consumes). */
static void big_run_note(const tp_tpu_cfg *t, const isa_program *p, const char *path, bool timing_only)
{
    /* the machine's, and the program parsed here, which machine_load copied */
    uint64_t mine = (uint64_t)p->n_ins * sizeof *p->ins;
    uint64_t state = machine_run_bytes(t, p->n_ins, p->dtype, timing_only) + mine;
    uint64_t tstate = machine_run_bytes(t, p->n_ins, p->dtype, true) + mine, tensors = 0;
    double macs = 0;
    for (uint32_t i = 0; i < p->n_ins; i++)
        if (p->ins[i].op == ISA_MATMUL)
            macs += (double)p->ins[i].m * t->array.rows * t->array.cols * (p->ins[i].repeat ? p->ins[i].repeat : 1);
    for (uint32_t i = 0; i < p->n_tensors; i++)
        tensors += (uint64_t)p->tensors[i].rows * p->tensors[i].cols * npy_dtype_size(p->tensors[i].dtype);
    double tsecs = tiler_run_seconds(p->n_ins, 0, 0);
    uint64_t bytes = timing_only ? tstate : state + tensors;
    double secs = timing_only ? tsecs : tiler_run_seconds(p->n_ins, macs, bytes - tstate);
    char what[600], detail[160];
    snprintf(what, sizeof what, "run %s", path);
    if (timing_only)
        snprintf(detail, sizeof detail, "%u instruction%s; less where the fast-forward jumps", p->n_ins,
                 p->n_ins == 1 ? "" : "s");
    else
        snprintf(detail, sizeof detail, "%u instruction%s, at most %.3g MACs computed", p->n_ins,
                 p->n_ins == 1 ? "" : "s", macs);
    cli_big_run_note(what, bytes, secs, detail, timing_only, "--timing-only", tstate, tsecs);
}

int cmd_run(int argc, char **argv)
{
    cli_machine_opts mo = {0};
    const char *path = NULL, *json = NULL, *trace = NULL, *html_path = NULL;
    uint64_t trace_cap = TL_DEFAULT_CAP;
    binding ins[MAX_BIND], outs[MAX_BIND];
    int n_in = 0, n_out = 0;
    bool timing_only = false, quiet = false, ff_off = false;
    machine_engine eng = MACHINE_FAST;
    static const char *const single[] = {"--engine", "--fast-forward", "--json", "--trace", "--trace-cap", "--html", NULL};
    cli_seen seen = {0};
    for (int i = 1; i < argc; i++) {
        if (cli_once(&seen, single, argc, argv, i))
            return 2;
        int r = cli_machine_opt(&mo, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r)
            continue;
        if ((r = cli_trace_opt(argc, argv, &i, &trace, &trace_cap)) < 0)
            return 2;
        if (r)
            continue;
        const char *a = argv[i], *v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return usage();
        if (!strcmp(a, "--in") || !strcmp(a, "--out")) {
            bool in = a[2] == 'i';
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if ((in ? n_in : n_out) == MAX_BIND)
                return cli_usage_error("%s: at most %d", a, MAX_BIND);
            binding *b = in ? &ins[n_in] : &outs[n_out];
            if (split_bind(a, v, b))
                return 2;
            /* many --in and --out, but one per tensor */
            size_t nl = (size_t)(b->path - 1 - b->name);
            for (int k = 0; k < (in ? n_in : n_out); k++) {
                const binding *o = in ? &ins[k] : &outs[k];
                if ((size_t)(o->path - 1 - o->name) == nl && !strncmp(o->name, b->name, nl))
                    return cli_usage_error("%s %s: tensor '%.*s' is already bound (%s %s)", a, v, (int)nl, b->name, a,
                                           o->name);
            }
            if (in)
                n_in++;
            else
                n_out++;
        } else if (!strcmp(a, "--engine")) {
            if (!(v = cli_value(argc, argv, &i)))
                return 2;
            if (machine_engine_parse(v, &eng))
                return cli_usage_error("--engine: expected fast or pe, got '%s'", v);
        } else if (!strcmp(a, "--fast-forward")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_fast_forward(v, &ff_off))
                return 2;
        } else if (!strcmp(a, "--json")) {
            if (!(json = cli_value(argc, argv, &i)))
                return 2;
        } else if (!strcmp(a, "--html")) {
            if (!(html_path = cli_value(argc, argv, &i)) || cli_html_check_path(html_path))
                return 2;
        } else if (!strcmp(a, "--timing-only")) {
            timing_only = true;
        } else if (!strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("run: unknown option '%s'", a);
        } else if (path) {
            return cli_usage_error("run: one PROGRAM expected, got '%s' and '%s'", path, a);
        } else {
            path = a;
        }
    }
    if (!path)
        return cli_usage_error("run: missing PROGRAM (usage: tpusim run [-c CONFIG] PROGRAM.tpu --in A=a.npy ...)");
    if (timing_only && (n_in || n_out))
        return cli_usage_error("--timing-only computes no values: drop --in/--out");
    /* "-" is stdout for --json and for one --out; then stdout carries only that output */
    if (cli_stdout_clash("--json", json, "--trace", trace))
        return 2;
    bool stdout_taken = (json && !strcmp(json, "-")) || (trace && !strcmp(trace, "-"));   /* then no text report */
    for (int k = 0; k < n_out; k++)
        if (!strcmp(outs[k].path, "-")) {
            if (stdout_taken)
                return cli_usage_error("--out %s: stdout already carries %s -", outs[k].name,
                                       json && !strcmp(json, "-") ? "--json" : "--trace");
            stdout_taken = true;
        }
    {
        cli_output files[MAX_BIND + 3] = {{"--json", json}, {"--trace", trace}, {"--html", html_path}};
        for (int k = 0; k < n_out; k++)
            files[k + 3] = (cli_output){"--out", outs[k].path};
        if (cli_check_outputs(files, n_out + 3))
            return 2;
    }
    tp_config cfg;
    int rc = cli_load_machine(&mo, &cfg);
    if (rc)
        return rc;
    tp_err err = {0};
    isa_program p;
    machine *m = NULL;
    npy_mat mats[MAX_BIND];
    int n_mats = 0;
    int code = 0;
    timeline tl;
    tl_init(&tl, cli_timeline_cap(trace, trace_cap));
    cli_html html = {0};
    timeline *tls[1] = {&tl};
    cli_trace_src src = {tls, 1, "run"};
    html.write_trace = cli_trace_embed;   /* the page embeds the timeline --trace writes */
    html.trace_ctx = &src;
    if (cli_parse_program(path, &cfg.tpu, &p, &err))
        return cli_fail(&err);
    if (machine_new(&cfg, eng, &m, &err) || machine_load(m, &p, &err)) {
        code = cli_fail(&err);
        goto end;
    }
    machine_set_timing_only(m, timing_only);
    machine_set_fast_forward(m, !ff_off);
    for (int k = 0; k < n_in + n_out; k++) {
        binding *b = k < n_in ? &ins[k] : &outs[k - n_in];
        size_t nl = (size_t)(strchr(b->name, '=') - b->name);
        char name[64];
        if (nl >= sizeof name) {
            code = cli_usage_error("%s: tensor name too long", b->name);
            goto end;
        }
        memcpy(name, b->name, nl);
        name[nl] = 0;
        int ti = isa_find_tensor(&p, name);
        if (ti < 0) {
            code = cli_usage_error("%s %s: %s declares no tensor '%s'", k < n_in ? "--in" : "--out", b->name, path, name);
            goto end;
        }
        if (k >= n_in)
            continue;
        const isa_tensor *t = &p.tensors[ti];
        npy_mat *mt = &mats[n_mats];
        if (npy_read_as(b->path, t->dtype, mt, &err)) {
            code = cli_fail(&err);
            goto end;
        }
        n_mats++;
        if (mt->rows != t->rows || mt->cols != t->cols) {
            code = cli_usage_error("%s: shape %u x %u does not match tensor %s (%u x %u) declared at %s:%d", b->path,
                                   mt->rows, mt->cols, name, t->rows, t->cols, path, t->line);
            goto end;
        }
        if (machine_bind(m, name, mt->data, mt->rows, mt->cols, t->dtype, &err)) {
            code = cli_fail(&err);
            goto end;
        }
    }
    html.path = html_path;
    if ((code = cli_html_machine_rec(&html, &cfg, p.dtype, eng == MACHINE_PE, !timing_only)) != 0)
        goto end;
    if (html.rec)
        machine_set_mxu_observer(m, html_rec_observe, html.rec);
    if (trace || html_path)
        machine_set_trace(m, &tl);
    if (!quiet)
        big_run_note(&cfg.tpu, &p, path, timing_only);
    progress bar;   /* instructions retired; on a terminal stderr only, not with --quiet */
    progress_init(&bar, 0, "run", "instructions", !quiet);
    machine_set_progress(m, progress_cb, &bar);
    tp_status rst = machine_run(m, &err);
    progress_finish(&bar);
    machine_set_progress(m, NULL, NULL);
    if (rst) {
        code = cli_fail(&err);
        goto end;
    }
    for (int k = 0; k < n_out; k++) {
        char name[64];
        size_t nl = (size_t)(strchr(outs[k].name, '=') - outs[k].name);
        memcpy(name, outs[k].name, nl);
        name[nl] = 0;
        int ti = isa_find_tensor(&p, name);
        const isa_tensor *t = &p.tensors[ti];
        if (npy_write_flag("--out", outs[k].path, npy_dtype_descr(t->dtype), t->rows, t->cols, machine_tensor_data(m, name), &err)) {
            code = cli_fail(&err);
            goto end;
        }
    }
    const tp_stats *s = machine_stats(m);
    if (!stdout_taken)
        report_text(s, stdout);
    if (html.rec)
        cli_html_after_run(html.rec, m);
    html.argc = argc;
    html.argv = argv;
    if (json || html_path) {
        cli_doc doc;
        FILE *f = cli_doc_open(&doc, json, &html);
        if (!f) {
            code = 2;
            goto end;
        }
        json_w w;
        cli_json_begin(&w, f, "run");
        json_key(&w, "tpu");
        json_begin_object(&w);
        report_json_members(s, &w);
        cli_json_config(&w, &mo, &cfg);
        json_key(&w, "program");
        json_begin_object(&w);
        json_kv_str(&w, "path", path);
        json_kv_u64(&w, "instructions", p.n_ins);
        json_end_object(&w);
        json_kv_str(&w, "check", report_check_name(timing_only ? REPORT_CHECK_TIMING_ONLY : REPORT_CHECK_NOT_CHECKED));
        json_end_object(&w);
        json_end_object(&w);
        if ((code = cli_doc_close(&doc, json_finish(&w) != 0)) != 0)
            goto end;
        if (html_path && (code = cli_html_write(&html)) != 0)
            goto end;
    }
    if (trace)
        code = cli_trace_write(trace, &tl, "run");
end:
    tl_free(&tl);
    cli_html_free(&html);
    for (int k = 0; k < n_mats; k++)
        npy_free(&mats[k]);
    machine_free(m);
    isa_free(&p);
    return code;
}
