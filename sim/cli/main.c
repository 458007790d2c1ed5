/* tpusim: the command-line entry point. `tpusim` with no arguments runs the main job (a
 * representative tiled GEMM on the embedded default machine). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "cli/cli.h"
#include "num/gemm.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_cmd;

static const cli_cmd commands[] = {
    {"gemm", cmd_gemm, "run a tiled GEMM on the full machine (the main job)"},
    {"compare", cmd_compare, "run one GEMM on a TPU and a GPU: one table, a column per machine"},
    {"sweep", cmd_sweep, "run a sweep: every point of SWEEP.yaml's axes, one CSV row each"},
    {"model", cmd_model, "run a workload: a list of GEMM layers (YAML or SCALE-Sim CSV)"},
    {"run", cmd_run, "run a .tpu program: tpusim run -c CONFIG PROGRAM --in A=a.npy --out C=c.npy"},
    {"check", cmd_check, "assemble and validate a .tpu program without running it"},
    {"mxu", cmd_mxu, "run one GEMM through the matrix unit alone (ideal memory)"},
    {"mxu-demo", cmd_mxu_demo, "print a small array cycle by cycle (teaching view)"},
    {"config", cmd_config, "config show [FILE] | config check FILE"},
    {"npy", cmd_npy, "npy rand ROWS COLS -o FILE | npy show FILE: make and read .npy matrices"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tpusim [COMMAND [ARGS...]]\n\n"
               "With no command, runs the main job: a representative GEMM on the embedded default machine.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s %s\n", "version", "print the version and the git commit it was built from (also --version)");
    fprintf(f, "\n'tpusim COMMAND --help' describes a command's flags.\n");
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cmd_gemm(0, NULL);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") || !strcmp(argv[1], "version")) {
        if (argc > 2)
            return cli_usage_error("%s: takes no arguments (got '%s')", argv[1], argv[2]);
        printf("tpusim %s (commit %s)\n", cli_version(), cli_commit());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    return cli_usage_error("unknown command '%s' (try 'tpusim --help')", argv[1]);
}

/* TPUSIM_KERNEL (num/gemm.h) forces the value kernel; a name that is unknown or that this CPU
 * cannot run is refused before anything runs, never silently replaced. */
static int check_kernel_env(void)
{
    const char *env = getenv(NUM_KERNEL_ENV);
    num_kernel k;
    if (!env)
        return 0;
    if (!num_gemm_kernel_parse(env, &k)) {
        fprintf(stderr, "tpusim: %s=%s: unknown kernel (expected auto, portable, avx2, avx512 or avx512-vnni)\n",
                NUM_KERNEL_ENV, env);
        return 2;
    }
    if (!num_gemm_kernel_available(k)) {
        fprintf(stderr, "tpusim: %s=%s: this CPU cannot run the %s kernel\n", NUM_KERNEL_ENV, env,
                num_gemm_kernel_label(k));
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (check_kernel_env() != 0)
        return 2;
#ifdef __GLIBC__
    /* The tiling search runs hundreds of short simulations, each allocating and freeing its run
     * state; glibc would hand the bigger blocks back to the kernel and fault fresh zeroed pages
     * in for the next (about a tenth of a 1024^3 search, docs/performance.md). Keep them in the
     * heap: blocks up to 16 MiB come from it, and up to 64 MiB of free top is kept (at 256 and
     * 512 MiB a 4096^3 run's growing program was copied instead of remapped: 1.5 s and 1.2 GB
     * where it takes 1.0 s and 1.0 GB). */
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
    /* SIGINT and SIGTERM remove the temporary output files and exit 130 / 143 */
    afile_signals_install();
    int rc = dispatch(argc, argv);
    /* A report that could not be written (a full disk, a closed pipe) is a failure, not a
     * silent success: every command's text goes to stdout, so check it once here. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0) {
        /* a command that failed has already printed its one line (e.g. "--json -: write error") */
        fprintf(stderr, "tpusim: stdout: write error\n");
        rc = 2;
    }
    return rc;
}
