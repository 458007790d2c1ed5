/* tpusim command-line front end: sub-commands and the options they share.
 * Each sub-command lives in its own file sim/cli/cmd_<name>.c and is listed in main.c's table.
 * A command returns the process exit code: 0 ok, 1 result mismatch, 2 bad input/usage, 3 bug.
 * Every error is ONE line on stderr: "tpusim: <message>" (messages about files carry
 * file:line:col, messages about flags name the flag). */
#ifndef TP_CLI_CLI_H
#define TP_CLI_CLI_H
#include <stdbool.h>
#include <stdint.h>
#include "base/err.h"
#include "base/atomic_file.h"
#include "config/config.h"
#include "base/json.h"
#include "report/plot.h"
#include "tiler/tiler.h"
#include "tpu/machine.h"
#include "stats/stats.h"
#include "work/workload.h"

int cmd_config(int argc, char **argv);
int cmd_mxu(int argc, char **argv);
int cmd_mxu_demo(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_gemm(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_npy(int argc, char **argv);
int cmd_compare(int argc, char **argv);
/* compare M N K (cmd_compare.c) with its flags (argv[0] the command's name); cmd is "compare", or "gemm" for
 * `gemm M N K -g GPU` (the same run, table and JSON, the command named cmd; gemm's TPU-only
 * flags are refused naming the flag). Returns the exit code. */
int cli_compare_gemm(int argc, char **argv, const char *cmd);
int cmd_sweep(int argc, char **argv);

/* Flags that take one value are given once: a second --seed (or --json, --tile, ...) is refused
 * like a second -c, instead of the last one silently winning. A command lists its single-valued
 * flags (NULL-terminated; "-o|--out" names two spellings of one flag) and calls cli_once at each
 * flag; the machine and run flags below check themselves. */
#define CLI_MAX_SEEN 32
typedef struct {
    const char *flag[CLI_MAX_SEEN], *value[CLI_MAX_SEEN];
    int n;
} cli_seen;
/* If argv[i] is one of `single`, records it; the second time prints
 * "FLAG VALUE: already given ('FIRST'); give it once" and returns -1. 0 otherwise. */
int cli_once(cli_seen *s, const char *const *single, int argc, char **argv, int i);

#define CLI_MAX_SETS 128
typedef struct {
    const char *config_path;              /* -c/--config FILE, NULL = embedded default */
    const char *sets[CLI_MAX_SETS];       /* --set PATH=VALUE, in order */
    int n_sets;
    char dataflow_set[40];                /* storage of the --set that --dataflow stands for */
    bool any_machine;                     /* accept a config without tpu: (config show/check) */
    bool gpu_ok;                          /* also accept a GPU config (gpu:, no tpu:): gemm, model */
} cli_machine_opts;

/* If argv[*i] is -c/--config, --set or --dataflow (short for --set tpu.array.dataflow=),
 * consumes it (a second -c, or a --set/--dataflow of a key already set, is refused naming both) and its value (advancing *i past the value) and returns 1; returns 0 if argv[*i]
 * is something else; -1 after printing an error. */
int cli_machine_opt(cli_machine_opts *o, int argc, char **argv, int *i);
/* The flags of the commands that run a GEMM: cli_run_opt accepts those in `accept`. */
enum {
    CLI_RUN_DTYPE = 1 << 0,     /* --dtype int8|bf16 */
    CLI_RUN_ENGINE = 1 << 1,    /* --engine fast|pe, --fast-forward on|off */
    CLI_RUN_JSON = 1 << 2,      /* --json FILE|- */
    CLI_RUN_SEED = 1 << 3,      /* --seed S */
    CLI_RUN_NO_DATA = 1 << 4,   /* --no-data: timing only */
    CLI_RUN_NO_CHECK = 1 << 5,  /* --no-check: skip the reference */
    CLI_RUN_FP16 = 1 << 6,      /* --dtype also takes fp16 (GPU configs run it; a TPU refuses it) */
    CLI_RUN_QUIET = 1 << 7,     /* --quiet: no progress bar (base/progress.h) */
    CLI_RUN_TRACE = 1 << 8      /* --trace FILE|- and --trace-cap N (docs/trace.md) */
};
typedef struct {
    unsigned accept;            /* CLI_RUN_* flags the command takes */
    const char *dtype;          /* NULL = the machine's default (cli_resolve_dtype) */
    machine_engine engine;      /* default MACHINE_FAST */
    bool ff_off;                /* --fast-forward off: every event simulated (machine.h) */
    const char *json_path;      /* NULL = no JSON; "-" = stdout */
    const char *html_path;      /* --html FILE (with CLI_RUN_JSON), NULL = none */
    uint64_t seed;              /* default 1 */
    bool no_data, no_check;
    bool quiet;                 /* --quiet */
    const char *trace_path;     /* --trace: NULL = none; "-" = stdout */
    uint64_t trace_cap;         /* --trace-cap: events kept (default TL_DEFAULT_CAP; 0 = all) */
    cli_seen seen;              /* --dtype, --engine, --json, --seed, --trace, --trace-cap: once */
} cli_run_opts;
void cli_run_opts_init(cli_run_opts *o, unsigned accept);
/* Like cli_machine_opt, for the run flags in o->accept. */
int cli_run_opt(cli_run_opts *o, int argc, char **argv, int *i);

/* --trace (sim/cli/trace_out.c): if argv[*i] is --trace FILE|- or --trace-cap N, consumes it
 * into *path / *cap (1; -1 after printing an error; 0 for another flag). */
int cli_trace_opt(int argc, char **argv, int *i, const char **path, uint64_t *cap);
/* Writes tl as a Chrome/Perfetto trace to path through cli_out_open("--trace"); when the cap
 * dropped events prints "tpusim: --trace PATH: kept the first N of M events (cap C)" on stderr.
 * Returns the exit code (0, 2 for a write error, 3 for a broken nesting rule). */
int cli_trace_write(const char *path, timeline *tl, const char *command);
/* The same for several timelines side by side (compare: the TPU's and the GPU's). */
int cli_trace_write_n(const char *path, timeline *const *tls, size_t n, const char *command);
/* The timeline of a run embedded in its --html page (cli_html.write_trace = cli_trace_embed,
 * trace_ctx = a cli_trace_src): the same trace-event JSON --trace writes. */
typedef struct {
    timeline *const *tls;
    size_t n;
    const char *command;
} cli_trace_src;
void cli_trace_embed(FILE *f, void *ctx);
/* An --html page alone keeps at most this many events (docs/html.md); with --trace, or an
 * explicit --trace-cap, the page shows the same events the trace file holds. */
#define CLI_HTML_TRACE_CAP 100000u
uint64_t cli_timeline_cap(const char *trace_path, uint64_t trace_cap);

/* Reads and assembles a .tpu program (asm_parse) with the reader's limits applied while the
 * file streams in: a NUL byte (`tpusim check /dev/zero`) or more than CLI_MAX_PROGRAM_BYTES
 * stops the read at once. On failure *p is an empty program. */
#define CLI_MAX_PROGRAM_BYTES ((size_t)1 << 30)
tp_status cli_parse_program(const char *path, const tp_tpu_cfg *t, isa_program *p, tp_err *err);

/* Loads the machine the options name; on failure prints the error and returns non-zero exit code.
 * A config without a tpu: section is refused unless o->any_machine. */
int cli_load_machine(const cli_machine_opts *o, tp_config *cfg);

/* The --dtype of a command: s (NULL = not given, then int8 where the machine has it, else bf16),
 * checked against the machine. On error prints one line and returns the exit code; 0 on success. */
int cli_resolve_dtype(const tp_config *cfg, const char *s, tp_dtype *out);
/* The --dtype of a run on a GPU config: s (NULL = int8 where the chip has it, else bf16, else
 * fp16) among int8, bf16 and fp16 (fp16: *dt = TP_BF16, a 16-bit problem, and *fp16 = true).
 * A dtype the chip lacks: one line "GPU 'NAME' does not support X (it supports: ...)". */
int cli_gpu_resolve_dtype(const tp_config *cfg, const char *s, tp_dtype *dt, bool *fp16);
/* "int8, bf16, fp16": the dtypes a GPU config runs, in that order ("none" without any). */
void cli_gpu_dtype_list(const tp_config *cfg, char *buf, size_t cap);
/* --fast-forward on|off (*off = off); prints the usage error. CLI_HELP_FAST_FORWARD: its lines in
 * the help of gemm, model and run. */
#define CLI_HELP_FAST_FORWARD \
    "--fast-forward off simulates every event of a timing-only run; on (the default) jumps over\n" \
    "the repeats of a loop whose whole machine state repeats, exactly (docs/performance.md).\n"
int cli_parse_fast_forward(const char *s, bool *off);
/* Parses a --dtype value alone (for commands whose layers pick their own); prints on error. */
int cli_parse_dtype(const char *s, tp_dtype *out);
/* The dtype a machine runs when none is asked for: int8 where supported, else bf16. */
tp_dtype cli_default_dtype(const tp_config *cfg);

/* The GPU side of gemm and model (sim/cli/gpu_cmds.c): timing only, the run under "gpu" in the
 * JSON. cfg is a loaded GPU config. */
typedef struct {
    uint32_t m, n, k, batch;
    bool transpose_a, transpose_b;
    const char *dtype;            /* --dtype, NULL = the chip's default */
    const char *kernel;           /* --gpu-kernel SPEC, NULL = the chooser */
    const char *json_path;        /* --json, NULL = none */
    const char *trace_path;       /* --trace, NULL = none */
    uint64_t trace_cap;           /* --trace-cap */
    struct cli_html *html;        /* --html (path NULL = none), or NULL */
} cli_gpu_gemm_args;
int cli_gemm_gpu(const cli_machine_opts *mo, const tp_config *cfg, const cli_gpu_gemm_args *a);
/* plot_path: --plot FILE.svg, the layers' roofline (NULL = none); quiet: --quiet (no bar). */
int cli_model_gpu(const cli_machine_opts *mo, const tp_config *cfg, const char *workload_path, const char *dtype,
                  const char *json_path, const char *plot_path, bool quiet, const char *trace_path,
                  uint64_t trace_cap, struct cli_html *html);

/* --plot's roofline (sim/cli/plot_cli.c): the machines' roofs, one per distinct (peak ops/s,
 * peak bytes/s) pair, named by the first run that brought it ("TPU default int8"). */
#define CLI_MAX_ROOFS 8
typedef struct {
    plot_roof roof[CLI_MAX_ROOFS];
    char name[CLI_MAX_ROOFS][96];
    size_t n;
} cli_roofs;
/* Adds a roof unless one with the same peaks is there; returns its index. */
size_t cli_roof_add(cli_roofs *r, const char *name, double peak_ops_per_s, double peak_bytes_per_s);
/* Draws the points under the roofs into svg_path; prints the error and returns its exit code
 * (gnuplot missing: "tpusim: --plot: gnuplot not found; ..."), 0 on success. */
int cli_plot_roofline(const char *svg_path, const char *title, const plot_point *pts, size_t n, const cli_roofs *r);

/* A workload's run on a TPU config as `tpusim model --no-data` makes it (chaining, plans, the
 * groups' runs), timing only, the whole workload as one record into *total (stats_init'ed by
 * the caller): what a sweep point of a workload reports. dtype_s NULL = the layers' own. */
tp_status cli_model_total(const tp_config *cfg, const workload *w, const char *dtype_s, tp_stats *total,
                          tp_err *err);

/* The build's version ("0.2.0") and git commit (12 hex digits, or "unknown"). */
const char *cli_version(void);
const char *cli_commit(void);

/* Output files, through base/atomic_file.h (a temporary renamed into place on success): "-" is
 * stdout. cli_out_open prints "FLAG PATH: cannot open for writing: why" and returns NULL on
 * failure; cli_out_close commits (or, when bad or the stream failed, removes the temporary and
 * prints "FLAG PATH: write error: why"), returning 2 then, else 0. */
FILE *cli_out_open(afile *a, const char *flag, const char *path, bool binary);
int cli_out_close(afile *a, bool bad);
/* The JSON document of a command (docs/output.md): opens the top-level object with
 * schema_version, tpusim {version, commit}, command and categories. The caller then writes its
 * run (e.g. json_key "tpu" + object) and closes the document with json_end_object. */
void cli_json_begin(json_w *w, FILE *f, const char *command);
/* The machine a run used, inside the run's object: "config": {"source", "name", "overrides":
 * {key: value}} where overrides holds every resolved key whose value differs from the file
 * (after --set, --dataflow and the like), formatted as `config show` prints it. */
void cli_json_config(json_w *w, const cli_machine_opts *mo, const tp_config *cfg);
/* A training step's GEMM (model --train, work/train.h): "phase", "transpose_a", "transpose_b"
 * of its layer record, beside the machine's own members (docs/output.md). */
void cli_json_train_layer(json_w *w, const workload_layer *l);
/* "tile": [tm, tn, tk] of a plan. */
void cli_json_tile(json_w *w, const tiler_plan *pl);
/* The members of a run's "gemm" object (docs/output.md): the problem (m, n, k, batch,
 * transpose_a, transpose_b) and, when pl is not NULL (a TPU run), its plan (tile, order,
 * double_buffer, a_panel, epilogue, kc, split_k, k_part, cores_used, mxus_used). */
void cli_json_gemm_members(json_w *w, const gemm_problem *pb, const tiler_plan *pl);
/* Two outputs to stdout at once: a usage error naming both flags; 0 when they do not clash. */
int cli_stdout_clash(const char *flag_a, const char *path_a, const char *flag_b, const char *path_b);

/* A big run (CLI_BIG_BYTES of memory or CLI_BIG_SECONDS, about: tiler_run_cost) says so on
 * stderr before it starts, in one line: "tpusim: WHAT: a big run: about B of memory and S
 * (DETAIL)", and when values are computed what the command's timing-only flag (flag:
 * "--no-data", "--timing-only") would take instead (nb, ns; ignored when timing_only).
 * Nothing for a smaller run. docs/tiler.md. */
#define CLI_BIG_BYTES ((uint64_t)1 << 30)
#define CLI_BIG_SECONDS 10.0
void cli_big_run_note(const char *what, uint64_t bytes, double seconds, const char *detail, bool timing_only,
                      const char *flag, uint64_t nb, double ns);

/* The outputs a command will write, checked before any work: each directory exists and is
 * writable (afile_check), no two name the same file (after links and "./") and at most one is
 * stdout. NULL paths are skipped. Prints one line naming the flag and returns 2 on a problem. */
typedef struct {
    const char *flag, *path;
} cli_output;
int cli_check_outputs(const cli_output *outs, int n);

/* --html FILE (sim/cli/html_out.c, report/html.h, docs/html.md): the page embeds the command's
 * JSON document, so a command with --html writes that document through cli_doc_open/close (to
 * the --json file when given, and into the page), then calls cli_html_write at its end. */
typedef struct html_rec html_rec;
/* the array note of the commands that do not record it (model, compare) */
#define CLI_HTML_NO_ARRAY "this command does not record the array; it is animated by " \
    "tpusim mxu M N K --engine pe --html FILE, or gemm and run with --engine pe (arrays up to 16x16)"
typedef struct cli_html {
    const char *path;           /* --html FILE, NULL = none */
    int argc;                   /* the command's arguments (argv[0] = the command's name) */
    char **argv;
    char *json;                 /* the captured JSON document (malloc'ed), or NULL */
    size_t json_len;
    html_rec *rec;              /* the per-PE registers, when the command recorded them */
    const char *array_note;     /* else why the array is not animated, or NULL */
    /* the timeline: writes one Chrome trace-event JSON object (report/html.h html_page), or
     * NULL for "no timeline recorded" (where the --trace writer plugs in) */
    void (*write_trace)(FILE *f, void *ctx);
    void *trace_ctx;
} cli_html;
typedef struct {
    afile af;
    FILE *mem;                  /* the document being captured, or NULL */
    char *buf;
    size_t len;
    const char *path;           /* --json PATH, or NULL */
    cli_html *html;
} cli_doc;
/* "--html -" is refused (the page is a file); prints one line and returns -1, else 0. */
int cli_html_check_path(const char *path);
/* Opens the JSON document's output: the --json file (json_path; NULL = none) or, when
 * h->path is set, a buffer that cli_doc_close copies to that file and hands to h. NULL after
 * printing an error. */
FILE *cli_doc_open(cli_doc *d, const char *json_path, cli_html *h);
/* As cli_out_close: 0 on success, 2 after printing an error. */
int cli_doc_close(cli_doc *d, bool bad);
/* Writes the page to h->path (atomically, as every output); 0 or 2 after printing an error. */
int cli_html_write(cli_html *h);
void cli_html_free(cli_html *h);
/* The whole machine (gemm, run): with --html, --engine pe and values, makes h->rec to record core
 * 0's MXU 0 (its ops' indices are their own, the machine's operands are not known to the page);
 * otherwise sets h->array_note. 0, or the exit code after printing an error. */
int cli_html_machine_rec(cli_html *h, const tp_config *cfg, tp_dtype dt, bool pe, bool values);
/* After the run (tiler_run_opts.after_run, ctx = h->rec): the ops and their timing. */
void cli_html_after_run(void *rec, const machine *m);

/* A name from the user's files as a terminal should show it (base/text.h text_shown): the
 * escaped copy lives in a compound literal of the enclosing block, so use it within one call. */
#define SHOWN(s) text_shown((s), (char[512]){0}, 512)

/* Prints "tpusim: <err->msg>" and returns its exit code. */
int cli_fail(const tp_err *err);
/* Prints "tpusim: <formatted>" and returns 2 (usage error). */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Value of a flag that takes one: returns argv[*i+1] and advances *i, or prints
 * "tpusim: FLAG needs a value" and returns NULL. */
const char *cli_value(int argc, char **argv, int *i);
/* Parse whole numbers for a named flag/argument; print "tpusim: NAME: ..." and return -1 on error. */
int cli_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out);
int cli_parse_u32(const char *name, const char *s, uint32_t min, uint32_t max, uint32_t *out);
#endif
