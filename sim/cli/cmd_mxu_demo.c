/* tpusim mxu-demo: the per-PE engine's registers printed cycle by cycle, for following the
 * wavefront by eye. Small inputs (int8 in -3..3, bf16 in -2..2 by halves) keep the numbers short.
 * Arrays larger than 16x16 are refused: the printout would not fit a screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "cli/cli.h"
#include "num/gemm.h"
#include "tpu/mxu.h"

#define DEMO_MAX_DIM 16u
#define DEMO_MAX_GEMM 64u

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tpusim mxu-demo [-c CONFIG] [--set PATH=VALUE]... [M N K] [--dtype int8|bf16]\n"
            "                      [--dataflow ws|os|is] [--seed S]\n\n"
            "Prints every PE of the array cycle by cycle while one GEMM (default 4 4 4) runs through\n"
            "it on the per-PE engine: the activation (a), the weight (w; os: the B operand b) and the\n"
            "partial sum (p; os: the accumulator). '.' marks an empty (invalid) register. Without -c\n"
            "the embedded machine is shrunk to a 4x4 array (as configs/teach-4x4.yaml). Arrays up to\n"
            "16x16 and M, N, K up to %u.\n", DEMO_MAX_GEMM);
}

typedef struct {
    FILE *f;
    uint32_t R, C;
    tp_dtype dt;
    bool os;
    float *prev_ws;     /* shadow weights printed last (ws/is double buffer) */
    bool ws_shown;
} demo;

static void fmt_in(char *buf, size_t cap, tp_dtype dt, const void *arr, size_t i, bool valid)
{
    if (!valid)
        snprintf(buf, cap, ".");
    else if (dt == TP_INT8)
        snprintf(buf, cap, "%d", ((const int32_t *)arr)[i]);
    else
        snprintf(buf, cap, "%.3g", ((const float *)arr)[i]);
}

static void fmt_sum(char *buf, size_t cap, tp_dtype dt, const void *arr, size_t i, bool valid)
{
    if (!valid)
        snprintf(buf, cap, ".");
    else if (dt == TP_INT8)
        snprintf(buf, cap, "%d", num_wrap_i32(((const uint32_t *)arr)[i]));
    else
        snprintf(buf, cap, "%.4g", ((const float *)arr)[i]);
}

static float in_value(tp_dtype dt, const void *arr, size_t i)
{
    return dt == TP_INT8 ? (float)((const int32_t *)arr)[i] : ((const float *)arr)[i];
}

static void demo_observe(void *ctx, const mxu_pe_view *v)
{
    demo *d = ctx;
    char a[16], w[16], p[16];
    fprintf(d->f, "cycle %llu  [%s]", (unsigned long long)v->cycle, mxu_cause_name(v->cause));
    if (v->acc_op >= 0)
        fprintf(d->f, "  accumulators <- %s %lld of fold %lld's C", v->dataflow == TP_DF_IS ? "column" : "row",
                (long long)v->acc_index, (long long)v->acc_op);
    fprintf(d->f, "\n     ");
    for (uint32_t c = 0; c < d->C; c++)   /* no trailing spaces after the last column */
        fprintf(d->f, c + 1 < d->C ? "| col %-13u" : "| col %u", c);
    fputc('\n', d->f);
    for (uint32_t r = 0; r < d->R; r++) {
        fprintf(d->f, "r%-3u ", r);
        for (uint32_t c = 0; c < d->C; c++) {
            size_t i = (size_t)r * d->C + c;
            fmt_in(a, sizeof a, d->dt, v->a, i, v->a_valid[i] & 1);
            fmt_in(w, sizeof w, d->dt, v->w, i, d->os ? (v->w_valid[i] & 1) : true);
            fmt_sum(p, sizeof p, d->dt, v->psum, i, v->psum_valid[i] & 1);
            fprintf(d->f, "|%4s %4s %8s", a, w, p);
        }
        fputc('\n', d->f);
    }
    if (v->ws) {
        bool changed = !d->ws_shown;
        for (size_t i = 0; i < (size_t)d->R * d->C; i++)
            if (in_value(d->dt, v->ws, i) != d->prev_ws[i])
                changed = true;
        if (changed) {
            fprintf(d->f, "shadow weights (loading):\n");
            for (uint32_t r = 0; r < d->R; r++) {
                fprintf(d->f, "r%-3u ", r);
                for (uint32_t c = 0; c < d->C; c++) {
                    size_t i = (size_t)r * d->C + c;
                    fmt_in(w, sizeof w, d->dt, v->ws, i, true);
                    fprintf(d->f, "|%5s", w);
                    d->prev_ws[i] = in_value(d->dt, v->ws, i);
                }
                fputc('\n', d->f);
            }
            d->ws_shown = true;
        }
    }
    fputc('\n', d->f);
}

static void *small_inputs(rng_state *r, tp_dtype dt, size_t n)
{
    void *x = malloc(n * dtype_in_bytes(dt));
    if (!x)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int64_t v = rng_range(r, dt == TP_INT8 ? -3 : -4, dt == TP_INT8 ? 3 : 4);
        if (dt == TP_INT8)
            ((int8_t *)x)[i] = (int8_t)v;
        else
            ((uint16_t *)x)[i] = dtype_f32_to_bf16((float)v * 0.5f);
    }
    return x;
}

static void print_matrix(FILE *f, const char *name, tp_dtype dt, const void *x, uint32_t rows,
                         uint32_t cols, bool acc)
{
    char buf[24];
    fprintf(f, "%s =\n", name);
    for (uint32_t i = 0; i < rows; i++) {
        for (uint32_t j = 0; j < cols; j++) {
            size_t k = (size_t)i * cols + j;
            if (acc && dt == TP_INT8)
                snprintf(buf, sizeof buf, "%d", ((const int32_t *)x)[k]);
            else if (acc)
                snprintf(buf, sizeof buf, "%.4g", ((const float *)x)[k]);
            else if (dt == TP_INT8)
                snprintf(buf, sizeof buf, "%d", ((const int8_t *)x)[k]);
            else
                snprintf(buf, sizeof buf, "%.3g", dtype_bf16_to_f32(((const uint16_t *)x)[k]));
            fprintf(f, " %7s", buf);
        }
        fputc('\n', f);
    }
}

int cmd_mxu_demo(int argc, char **argv)
{
    cli_machine_opts mo;
    const char *dtype = NULL;
    uint64_t seed = 1;
    uint32_t dims[3] = {4, 4, 4};
    int npos = 0, rc = 0;
    tp_config *cfg = NULL;
    tp_err err = {0};
    mxu_params p;
    tp_dtype dt = TP_INT8;
    mxu_pe *pe = NULL;
    void *a = NULL, *b = NULL, *c = NULL, *ref = NULL;
    demo d = {0};

    memset(&mo, 0, sizeof mo);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v;
        int r = cli_machine_opt(&mo, argc, argv, &i);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(s, "--dtype")) {
            if (!(dtype = cli_value(argc, argv, &i)))
                return 2;
            continue;
        }
        if (!strcmp(s, "--seed")) {
            if (!(v = cli_value(argc, argv, &i)) || cli_parse_u64("--seed", v, 0, UINT64_MAX, &seed))
                return 2;
            continue;
        }
        if (s[0] == '-' && s[1])
            return cli_usage_error("mxu-demo: unknown flag '%s' (try 'tpusim mxu-demo --help')", s);
        if (npos >= 3)
            return cli_usage_error("mxu-demo: unexpected argument '%s' (expected M N K)", s);
        {
            static const char *const names[3] = {"M", "N", "K"};
            if (cli_parse_u32(names[npos], s, 1, DEMO_MAX_GEMM, &dims[npos]))
                return 2;
            npos++;
        }
    }
    if (npos != 0 && npos != 3)
        return cli_usage_error("mxu-demo: expected M N K together (got %d of them)", npos);
    if (!mo.config_path) {
        /* the embedded machine shrunk to a 4x4 array; the user's --set still apply after */
        static const char *const small[2] = {"tpu.array.rows=4", "tpu.array.cols=4"};
        if (mo.n_sets + 2 > CLI_MAX_SETS)
            return cli_usage_error("--set: at most %d overrides", CLI_MAX_SETS - 2);
        memmove(mo.sets + 2, mo.sets, (size_t)mo.n_sets * sizeof mo.sets[0]);
        mo.sets[0] = small[0];
        mo.sets[1] = small[1];
        mo.n_sets += 2;
    }
    if (!(cfg = malloc(sizeof *cfg)))
        return cli_usage_error("out of memory");
    if ((rc = cli_load_machine(&mo, cfg)) != 0)
        goto end;
    if ((rc = cli_resolve_dtype(cfg, dtype, &dt)) != 0)
        goto end;
    mxu_params_from_cfg(&p, &cfg->tpu, dt);
    p.timing = TP_TIMING_PIPELINED;   /* the demo shows the registers, which follow this timing */
    if (p.rows > DEMO_MAX_DIM || p.cols > DEMO_MAX_DIM) {
        rc = cli_usage_error("mxu-demo: a %ux%u array is too large to print (at most %ux%u; try -c "
                             "configs/teach-4x4.yaml or --set tpu.array.rows=4 --set tpu.array.cols=4)",
                             p.rows, p.cols, DEMO_MAX_DIM, DEMO_MAX_DIM);
        goto end;
    }
    if (mxu_pe_new(&p, &pe, &err) != TP_OK) {
        rc = cli_fail(&err);
        goto end;
    }
    {
        const uint32_t M = dims[0], N = dims[1], K = dims[2];
        uint64_t folds = mxu_gemm_fold_count(&p, M, N, K);
        rng_state rs;
        rng_init(&rs, seed);
        a = small_inputs(&rs, dt, (size_t)M * K);
        b = small_inputs(&rs, dt, (size_t)K * N);
        c = malloc((size_t)M * N * 4);
        ref = malloc((size_t)M * N * 4);
        d.prev_ws = calloc((size_t)p.rows * p.cols, sizeof *d.prev_ws);
        if (!a || !b || !c || !ref || !d.prev_ws) {
            rc = cli_usage_error("mxu-demo: out of memory");
            goto end;
        }
        d.f = stdout;
        d.R = p.rows;
        d.C = p.cols;
        d.dt = dt;
        d.os = p.dataflow == TP_DF_OS;
        printf("mxu-demo: C[%ux%u] = A[%ux%u] * B[%ux%u], %s, %ux%u %s array, %s weights, %llu fold%s\n",
               M, N, M, K, K, N, dtype_name(dt), p.rows, p.cols, cfg_dataflow_name(p.dataflow),
               p.dataflow == TP_DF_OS ? "streamed" : p.weight_double_buffer ? "double-buffered" : "single-buffered",
               (unsigned long long)folds, folds == 1 ? "" : "s");
        print_matrix(stdout, "A", dt, a, M, K, false);
        print_matrix(stdout, "B", dt, b, K, N, false);
        printf("\nEach PE shows: %s\n\n", d.os ? "a (from the left)  b (from the top)  accumulator"
                                             : "a (from the left)  w (stationary)  partial sum (moving down)");
        mxu_pe_set_observer(pe, demo_observe, &d);
        for (uint64_t i = 0; i < folds; i++) {
            mxu_issue is;
            mxu_gemm_fold(&p, M, N, K, a, b, c, false, i, &is);
            if (mxu_pe_issue(pe, &is, NULL, &err) != TP_OK) {
                rc = cli_fail(&err);
                goto end;
            }
        }
        mxu_pe_finish(pe);
        if (mxu_pe_fault(pe)) {
            fprintf(stderr, "tpusim: internal error: %s\n", mxu_pe_fault(pe));
            rc = 3;
            goto end;
        }
        for (uint32_t i = 0; i < folds; i++) {
            const mxu_timing *t = mxu_pe_op_timing(pe, i);
            printf("fold %u: weights shift from cycle %llu, streams %llu..%llu, results in by cycle %llu\n",
                   i, (unsigned long long)t->shift_start, (unsigned long long)t->start,
                   (unsigned long long)t->stream_end - 1, (unsigned long long)t->end - 1);
        }
        print_matrix(stdout, "C", dt, c, M, N, true);
        num_gemm_args g = {a, K, 1, b, N, 1, ref, N, M, N, K, mxu_gemm_kc(&p, K), false};
        num_gemm_ref(dt, &g);
        if (memcmp(c, ref, (size_t)M * N * 4)) {
            fprintf(stderr, "tpusim: mxu-demo: result differs from the reference GEMM\n");
            rc = 1;
        } else {
            printf("%llu cycles; check passed (bit-identical to the reference GEMM)\n",
                   (unsigned long long)mxu_pe_now(pe));
        }
    }
end:
    mxu_pe_free(pe);
    free(a);
    free(b);
    free(c);
    free(ref);
    free(d.prev_ws);
    free(cfg);
    return rc;
}
