#include "cli/cli.h"
#include "base/text.h"
#include "base/readfile.h"
#include "tpu/asm.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every error line goes out through here: names of files, layers and tensors and echoed
 * program text come from the user, so control characters and terminal escapes in them are
 * shown escaped (text_escape) and the message stays one line. */
static void print_error(const char *msg)
{
    char buf[4096];
    fprintf(stderr, "tpusim: %s\n", text_shown(msg, buf, sizeof buf));
}

int cli_fail(const tp_err *err)
{
    print_error(err->msg[0] ? err->msg : tp_strerror(err->code));
    return tp_exit_code(err->code);
}

int cli_usage_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error(msg);
    return 2;
}

const char *cli_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        cli_usage_error("%s needs a value", argv[*i]);
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

/* Whether flag a is the entry e: "--json", or one of the spellings in "-o|--out". */
static bool flag_is(const char *e, const char *a)
{
    size_t n = strlen(a);
    for (const char *p = e;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, a, n))
            return true;
        if (!bar)
            return false;
        p = bar + 1;
    }
}

int cli_once(cli_seen *s, const char *const *single, int argc, char **argv, int i)
{
    const char *a = argv[i];
    for (const char *const *e = single; *e; e++) {
        if (!flag_is(*e, a))
            continue;
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        for (int k = 0; k < s->n; k++)
            if (s->flag[k] == *e) {
                cli_usage_error("%s %s: already given ('%s'); give it once", a, v, s->value[k]);
                return -1;
            }
        if (s->n < CLI_MAX_SEEN) {
            s->flag[s->n] = *e;
            s->value[s->n++] = v;
        }
        return 0;
    }
    return 0;
}

/* The key of a --set PATH=VALUE (spaces around PATH ignored) equals `key` (len bytes)? */
static bool same_key(const char *set, const char *key, size_t len)
{
    while (*set == ' ')
        set++;
    const char *eq = strchr(set, '=');
    size_t n = eq ? (size_t)(eq - set) : strlen(set);
    while (n && set[n - 1] == ' ')
        n--;
    return n == len && !strncmp(set, key, len);
}

/* Refuses a second override of one key: "--set K=V2: K is already set (by --set K=V1)". */
static int set_once(const cli_machine_opts *o, const char *flag, const char *v, const char *set)
{
    while (*set == ' ')
        set++;
    const char *eq = strchr(set, '=');
    size_t len = eq ? (size_t)(eq - set) : strlen(set);
    while (len && set[len - 1] == ' ')
        len--;
    for (int k = 0; k < o->n_sets; k++)
        if (same_key(o->sets[k], set, len)) {
            bool df = o->sets[k] == o->dataflow_set;
            cli_usage_error("%s %s: %.*s is already set (by %s %s)", flag, v, (int)len, set, df ? "--dataflow" : "--set",
                            df ? o->sets[k] + strlen("tpu.array.dataflow=") : o->sets[k]);
            return -1;
        }
    return 0;
}

int cli_machine_opt(cli_machine_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *v;
    if (!strcmp(a, "-c") || !strcmp(a, "--config") || !strncmp(a, "--config=", 9)) {
        bool joined = !strncmp(a, "--config=", 9);
        if (joined)
            v = a + 9;
        else if (!(v = cli_value(argc, argv, i)))
            return -1;
        if (o->config_path) {
            /* two machines: neither silently wins */
            cli_usage_error("%s %s: the machine is already given ('%s')", joined ? "--config" : a,
                            v, o->config_path);
            return -1;
        }
        o->config_path = v;
        return 1;
    }
    if (!strcmp(a, "--dataflow")) {
        tp_dataflow df;
        if (!(v = cli_value(argc, argv, i)))
            return -1;
        if (cfg_dataflow_parse(v, &df)) {
            cli_usage_error("--dataflow: unknown dataflow '%s' (expected ws, os or is)", v);
            return -1;
        }
        if (o->n_sets >= CLI_MAX_SETS) {
            cli_usage_error("--dataflow: at most %d overrides", CLI_MAX_SETS);
            return -1;
        }
        if (set_once(o, "--dataflow", v, "tpu.array.dataflow"))
            return -1;
        snprintf(o->dataflow_set, sizeof o->dataflow_set, "tpu.array.dataflow=%s", cfg_dataflow_name(df));
        o->sets[o->n_sets++] = o->dataflow_set;
        return 1;
    }
    if (!strcmp(a, "--set") || !strncmp(a, "--set=", 6)) {
        if (a[5] == '=')
            v = a + 6;
        else if (!(v = cli_value(argc, argv, i)))
            return -1;
        if (!strchr(v, '=')) {
            cli_usage_error("--set %s: expected PATH=VALUE, e.g. --set tpu.array.rows=64", v);
            return -1;
        }
        if (o->n_sets >= CLI_MAX_SETS) {
            cli_usage_error("--set: at most %d overrides", CLI_MAX_SETS);
            return -1;
        }
        if (set_once(o, "--set", v, v))
            return -1;
        o->sets[o->n_sets++] = v;
        return 1;
    }
    return 0;
}

tp_status cli_parse_program(const char *path, const tp_tpu_cfg *t, isa_program *p, tp_err *err)
{
    char *text;
    size_t n;
    tp_status st = read_text_file(path, "program", CLI_MAX_PROGRAM_BYTES, &text, &n, err);
    if (st != TP_OK) {
        isa_init(p, path, TP_INT8);   /* an empty program: isa_free accepts it */
        return st;
    }
    st = asm_parse(path, text, t, p, err);
    free(text);
    return st;
}

int cli_load_machine(const cli_machine_opts *o, tp_config *cfg)
{
    tp_err err = {0};
    if (cfg_load(o->config_path, o->sets, o->n_sets, cfg, &err) != TP_OK)
        return cli_fail(&err);
    /* every command but config simulates a TPU: refuse a GPU config here, once, with one line */
    if (!o->any_machine && !(o->gpu_ok && cfg->gpu.present) && cfg_require_tpu(cfg, &err) != TP_OK)
        return cli_fail(&err);
    return 0;
}

int cli_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    /* decimal, or hex after 0x; a leading zero does not make it octal ("010" is ten) */
    bool hex = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!s || !(hex ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0]))) {
        cli_usage_error("%s: expected a whole number, got '%s'", name, s ? s : "");
        return -1;
    }
    errno = 0;
    v = strtoull(digits, &end, hex ? 16 : 10);
    if (errno || *end) {
        cli_usage_error("%s: expected a whole number, got '%s'", name, s);
        return -1;
    }
    if (v < min || v > max) {
        cli_usage_error("%s: %s is out of range [%llu, %llu]", name, s,
                        (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_u32(const char *name, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (cli_parse_u64(name, s, min, max, &v))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int cli_parse_fast_forward(const char *s, bool *off)
{
    if (strcmp(s, "on") && strcmp(s, "off"))
        return cli_usage_error("--fast-forward %s: expected on or off", s);
    *off = !strcmp(s, "off");
    return 0;
}

int cli_parse_dtype(const char *s, tp_dtype *out)
{
    if (dtype_parse(s, out))
        return cli_usage_error("--dtype: unknown dtype '%s' (expected int8 or bf16)", s);
    return 0;
}

void cli_gpu_dtype_list(const tp_config *cfg, char *buf, size_t cap)
{
    const tp_gpu_cfg *g = &cfg->gpu;
    bool has[3] = {cfg_gpu_supports(g, TP_INT8), cfg_gpu_supports(g, TP_BF16), g->mma_fp16.present};
    static const char *const names[3] = {"int8", "bf16", "fp16"};
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < 3; i++)
        if (has[i] && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", names[i]);
    if (!n)
        snprintf(buf, cap, "none");
}

int cli_gpu_resolve_dtype(const tp_config *cfg, const char *s, tp_dtype *dt, bool *fp16)
{
    const tp_gpu_cfg *g = &cfg->gpu;
    bool has[3] = {cfg_gpu_supports(g, TP_INT8), cfg_gpu_supports(g, TP_BF16), g->mma_fp16.present};
    static const char *const names[3] = {"int8", "bf16", "fp16"};
    int want = -1;
    if (!s)
        want = has[0] ? 0 : has[1] ? 1 : 2;
    else
        for (int i = 0; i < 3; i++)
            if (!strcmp(s, names[i]))
                want = i;
    if (want < 0)
        return cli_usage_error("--dtype: unknown dtype '%s' (expected int8, bf16 or fp16)", s);
    if (!has[want]) {
        char list[64];
        tp_err err = {0};
        cli_gpu_dtype_list(cfg, list, sizeof list);
        tp_err_set(&err, TP_ERR_UNSUPPORTED, "GPU '%s' does not support %s (it supports: %s)", g->name, names[want], list);
        return cli_fail(&err);
    }
    *dt = want == 0 ? TP_INT8 : TP_BF16;
    *fp16 = want == 2;
    return 0;
}

tp_dtype cli_default_dtype(const tp_config *cfg)
{
    return cfg->tpu.array.dtypes[TP_INT8] ? TP_INT8 : TP_BF16;
}

int cli_resolve_dtype(const tp_config *cfg, const char *s, tp_dtype *out)
{
    tp_err err = {0};
    int rc;
    if (s && !strcmp(s, "fp16")) {   /* a GPU dtype (CLI_RUN_FP16): no TPU has it */
        char list[64] = "";
        size_t n = 0;
        for (int i = 0; i < TP_DTYPE__COUNT; i++)
            if (cfg->tpu.array.dtypes[i] && n < sizeof list)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", dtype_name((tp_dtype)i));
        tp_err_set(&err, TP_ERR_UNSUPPORTED, "machine '%s' does not support fp16 (it supports: %s)", cfg->tpu.name,
                   n ? list : "none");
        return cli_fail(&err);
    }
    if (s) {
        if ((rc = cli_parse_dtype(s, out)) != 0)
            return rc;
    } else {
        *out = cli_default_dtype(cfg);
    }
    if (cfg_tpu_require_dtype(cfg, *out, &err) != TP_OK)
        return cli_fail(&err);
    return 0;
}

void cli_run_opts_init(cli_run_opts *o, unsigned accept)
{
    memset(o, 0, sizeof *o);
    o->accept = accept;
    o->engine = MACHINE_FAST;
    o->seed = 1;
    o->trace_cap = TL_DEFAULT_CAP;
}

int cli_run_opt(cli_run_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    static const char *const single[] = {"--dtype", "--engine", "--fast-forward", "--json", "--html", "--seed", "--trace",
                                         "--trace-cap", NULL};
    if (cli_once(&o->seen, single, argc, argv, *i))
        return -1;
    if (o->accept & CLI_RUN_TRACE) {
        int r = cli_trace_opt(argc, argv, i, &o->trace_path, &o->trace_cap);
        if (r)
            return r;
    }
    if ((o->accept & CLI_RUN_DTYPE) && !strcmp(a, "--dtype")) {
        tp_dtype dt;
        if (!(v = cli_value(argc, argv, i)))
            return -1;
        if ((o->accept & CLI_RUN_FP16) && strcmp(v, "fp16") && dtype_parse(v, &dt)) {
            cli_usage_error("--dtype: unknown dtype '%s' (expected int8, bf16 or fp16)", v);
            return -1;
        }
        if (!(o->accept & CLI_RUN_FP16) && cli_parse_dtype(v, &dt))
            return -1;
        o->dtype = v;
        return 1;
    }
    if ((o->accept & CLI_RUN_ENGINE) && !strcmp(a, "--engine")) {
        if (!(v = cli_value(argc, argv, i)))
            return -1;
        if (machine_engine_parse(v, &o->engine)) {
            cli_usage_error("--engine %s: expected fast or pe", v);
            return -1;
        }
        return 1;
    }
    if ((o->accept & CLI_RUN_ENGINE) && !strcmp(a, "--fast-forward")) {
        if (!(v = cli_value(argc, argv, i)))
            return -1;
        if (cli_parse_fast_forward(v, &o->ff_off))
            return -1;
        return 1;
    }
    if ((o->accept & CLI_RUN_JSON) && !strcmp(a, "--json")) {
        if (!(o->json_path = cli_value(argc, argv, i)))
            return -1;
        return 1;
    }
    /* --html FILE goes with --json: the page embeds the JSON document (sim/cli/html_out.c) */
    if ((o->accept & CLI_RUN_JSON) && !strcmp(a, "--html")) {
        if (!(o->html_path = cli_value(argc, argv, i)) || cli_html_check_path(o->html_path))
            return -1;
        return 1;
    }
    if ((o->accept & CLI_RUN_SEED) && !strcmp(a, "--seed")) {
        if (!(v = cli_value(argc, argv, i)) || cli_parse_u64("--seed", v, 0, UINT64_MAX, &o->seed))
            return -1;
        return 1;
    }
    if ((o->accept & CLI_RUN_NO_DATA) && !strcmp(a, "--no-data")) {
        o->no_data = true;
        return 1;
    }
    if ((o->accept & CLI_RUN_NO_CHECK) && !strcmp(a, "--no-check")) {
        o->no_check = true;
        return 1;
    }
    if ((o->accept & CLI_RUN_QUIET) && !strcmp(a, "--quiet")) {
        o->quiet = true;
        return 1;
    }
    return 0;
}
