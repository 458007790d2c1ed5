/* Output files and the JSON document every command writes (docs/output.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "base/units.h"
#include "config/keys.h"
#include "report/report.h"

FILE *cli_out_open(afile *a, const char *flag, const char *path, bool binary)
{
    tp_err err = {0};
    if (afile_open(a, flag, path, binary, &err) != TP_OK) {
        cli_fail(&err);
        return NULL;
    }
    return a->f;
}

int cli_out_close(afile *a, bool bad)
{
    tp_err err = {0};
    if (afile_commit(a, bad, &err) != TP_OK)
        return cli_fail(&err);
    return 0;
}

int cli_stdout_clash(const char *flag_a, const char *path_a, const char *flag_b, const char *path_b)
{
    if (path_a && path_b && !strcmp(path_a, "-") && !strcmp(path_b, "-"))
        return cli_usage_error("%s -: stdout already carries %s - (give one of them a file)", flag_b, flag_a);
    return 0;
}

/* "12 s", "3.4 s", "0.05 s", "2.1 min", "1.5 h" */
static const char *fmt_seconds(double s, char *buf, size_t cap)
{
    if (s >= 5400)
        snprintf(buf, cap, "%.1f h", s / 3600);
    else if (s >= 90)
        snprintf(buf, cap, "%.1f min", s / 60);
    else if (s >= 10)
        snprintf(buf, cap, "%.0f s", s);
    else
        snprintf(buf, cap, s >= 1 ? "%.1f s" : "%.2f s", s);
    return buf;
}

void cli_big_run_note(const char *what, uint64_t bytes, double seconds, const char *detail, bool timing_only,
                      const char *flag, uint64_t nb, double ns)
{
    if (bytes < CLI_BIG_BYTES && seconds < CLI_BIG_SECONDS)
        return;
    char b[32], t[32], b2[32], t2[32];
    fprintf(stderr, "tpusim: %s: a big run: about %s of memory and %s (%s)", what,
            units_fmt_bytes(bytes, false, b, sizeof b), fmt_seconds(seconds, t, sizeof t), detail);
    if (!timing_only)
        fprintf(stderr, "; %s makes it timing only: about %s and %s", flag,
                units_fmt_bytes(nb, false, b2, sizeof b2), fmt_seconds(ns, t2, sizeof t2));
    fputc('\n', stderr);
}

int cli_check_outputs(const cli_output *outs, int n)
{
    tp_err err = {0};
    for (int i = 0; i < n; i++) {
        if (!outs[i].path)
            continue;
        if (afile_check(outs[i].flag, outs[i].path, &err) != TP_OK)
            return cli_fail(&err);
        for (int j = 0; j < i; j++) {
            if (!outs[j].path)
                continue;
            int rc = cli_stdout_clash(outs[j].flag, outs[j].path, outs[i].flag, outs[i].path);
            if (rc)
                return rc;
            if (afile_same(outs[j].path, outs[i].path))
                return cli_usage_error("%s %s: names the same file as %s %s (one output would overwrite the other)",
                                       outs[i].flag, outs[i].path, outs[j].flag, outs[j].path);
        }
    }
    return 0;
}

void cli_json_begin(json_w *w, FILE *f, const char *command)
{
    json_init(w, f, 2);
    report_json_begin(w, cli_version(), cli_commit(), command);
}

void cli_json_config(json_w *w, const cli_machine_opts *mo, const tp_config *cfg)
{
    json_key(w, "config");
    json_begin_object(w);
    json_kv_str(w, "source", cfg->source);
    json_kv_str(w, "name", cfg->name);
    json_key(w, "overrides");
    json_begin_object(w);
    /* the file alone, without the overrides: every key whose formatted value differs */
    tp_config *base = mo->n_sets ? malloc(sizeof *base) : NULL;
    tp_err err = {0};
    if (base && cfg_load(mo->config_path, NULL, 0, base, &err) == TP_OK) {
        for (size_t i = 0; i < cfg_n_keys; i++) {
            char a[128], b[128];
            cfg_key_format(&cfg_keys[i], cfg, a, sizeof a);
            cfg_key_format(&cfg_keys[i], base, b, sizeof b);
            if (strcmp(a, b))
                json_kv_str(w, cfg_keys[i].path, a);
        }
    }
    free(base);
    json_end_object(w);
    json_end_object(w);
}

void cli_json_train_layer(json_w *w, const workload_layer *l)
{
    json_kv_str(w, "phase", workload_phase_name(l->phase));
    json_kv_bool(w, "transpose_a", l->transpose_a);
    json_kv_bool(w, "transpose_b", l->transpose_b);
}

void cli_json_tile(json_w *w, const tiler_plan *pl)
{
    json_key(w, "tile");
    json_begin_array(w);
    json_u64(w, pl->tm);
    json_u64(w, pl->tn);
    json_u64(w, pl->tk);
    json_end_array(w);
}

void cli_json_gemm_members(json_w *w, const gemm_problem *pb, const tiler_plan *pl)
{
    json_kv_u64(w, "m", pb->m);
    json_kv_u64(w, "n", pb->n);
    json_kv_u64(w, "k", pb->k);
    json_kv_u64(w, "batch", pb->batch);
    json_kv_bool(w, "transpose_a", pb->transpose_a);
    json_kv_bool(w, "transpose_b", pb->transpose_b);
    if (!pl)
        return;
    cli_json_tile(w, pl);
    json_kv_str(w, "order", pl->order);
    json_kv_bool(w, "double_buffer", pl->double_buffer);
    json_kv_bool(w, "a_panel", pl->a_panel);
    json_kv_str(w, "epilogue", gemm_epilogue_name(pl->epilogue));
    json_kv_u64(w, "kc", pl->kc);
    json_kv_u64(w, "split_k", pl->split_k);
    json_kv_u64(w, "k_part", pl->k_part);
    json_kv_u64(w, "cores_used", pl->cores_used);
    json_kv_u64(w, "mxus_used", pl->mxus_used);
}
