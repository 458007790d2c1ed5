/* report/html: the page writer's data object (escaping of "</", the timeline callback, nulls)
 * and the per-PE recorder (its limits' messages, frames of a real per-PE run). The page in a
 * browser is tests/check_html.sh's (make check-all); the commands' pages tests/cli/96_html.sh's. */
#include "harness.h"
#include "report/html.h"
#include "tpu/mxu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The page of pg as a malloc'ed string. */
static char *page_of(const html_page *pg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tp_err err;
    assert_non_null(f);
    assert_int_equal(html_write(f, pg, &err), TP_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void script_close_in_data_is_escaped(void **state)
{
    (void)state;
    static const char rep[] = "{\"p\": \"a</script>b\", \"q\": \"</SCRIPT\"}\n";
    static const char tr[] = "{\"traceEvents\": [{\"name\": \"x</y\"}]}";
    char *argv[] = {"tpusim", "mxu", "a</script><b>&"};
    html_page pg = {.argc = 3, .argv = argv, .report_json = rep, .report_len = sizeof rep - 1,
                    .trace_json = tr, .trace_len = sizeof tr - 1};
    char *s = page_of(&pg);
    /* the template's two script elements close; nothing in the data does */
    assert_int_equal(count(s, "</script>"), 2);
    assert_int_equal(count(s, "</SCRIPT"), 0);
    assert_non_null(strstr(s, "\"report\":\n{\"p\": \"a<\\/script>b\", \"q\": \"<\\/SCRIPT\"}\n,\n\"timeline\":"));
    assert_non_null(strstr(s, "\"timeline\":{\"traceEvents\": [{\"name\": \"x<\\/y\"}]},\n"));
    assert_non_null(strstr(s, "{\"command\":[\"tpusim\",\"mxu\",\"a\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"],"));
    assert_non_null(strstr(s, "\"array\":null}"));
    assert_null(strstr(s, "@DATA@"));
    assert_null(strstr(s, "@JS@"));
    assert_null(strstr(s, "@CSS@"));
    free(s);
}

static void put_trace(FILE *f, void *ctx)
{
    fprintf(f, "{\"traceEvents\":[],\"n\":%d}", *(int *)ctx);
}

static void timeline_callback_and_nulls(void **state)
{
    (void)state;
    int n = 42;
    char *argv[] = {"tpusim"};
    html_page pg = {.argc = 1, .argv = argv, .write_trace = put_trace, .trace_ctx = &n,
                    .array_note = "why not"};
    char *s = page_of(&pg);
    assert_non_null(strstr(s, "\"report\":\nnull,\n\"timeline\":{\"traceEvents\":[],\"n\":42},\n"
                              "\"array\":{\"omitted\":\"why not\"}}"));
    assert_non_null(strstr(s, "\"limits\":{\"array_max_dim\":16,\"array_max_cycles\":2000,"
                              "\"timeline_max_events\":1000000}"));
    free(s);
    html_page none = {.argc = 1, .argv = argv};
    s = page_of(&none);
    assert_non_null(strstr(s, "\"report\":\nnull,\n\"timeline\":null,\n\"array\":null}"));
    free(s);
}

static void recorder_limits(void **state)
{
    (void)state;
    tp_err err;
    html_rec *r = NULL;
    int8_t a[4] = {0}, b[4] = {0};
    mxu_params p = {.rows = 17, .cols = 4, .dataflow = TP_DF_WS, .dtype = TP_INT8,
                    .timing = TP_TIMING_PIPELINED, .weight_rows_per_cycle = 1};
    assert_int_equal(html_rec_new(&p, 2, 2, 2, a, b, &r, &err), TP_OK);
    assert_string_equal(html_rec_omitted(r), "the array is 17x4; the page animates arrays up to 16x16");
    html_rec_free(r);
    /* a view past the cycle cap stops the recording with its reason */
    p.rows = 2;
    p.cols = 2;
    assert_int_equal(html_rec_new(&p, 2, 2, 2, a, b, &r, &err), TP_OK);
    assert_null(html_rec_omitted(r));
    int32_t regs[4] = {0};
    uint8_t valid[4] = {0};
    mxu_pe_view v = {.cycle = HTML_MAX_CYCLES, .rows = 2, .cols = 2, .dtype = TP_INT8, .dataflow = TP_DF_WS,
                     .a = regs, .a_valid = valid, .w = regs, .psum = regs, .psum_valid = valid,
                     .acc_op = -1, .acc_index = -1, .stream_op = -1, .stream_index = -1, .shift_op = -1};
    html_rec_observe(r, &v);
    assert_string_equal(html_rec_omitted(r), "the run takes more than 2000 cycles; the page animates runs up to "
                                             "2000 cycles");
    html_rec_free(r);
}

typedef struct {
    html_rec *rec;
    int cycles;
} counting;

static void count_and_record(void *ctx, const mxu_pe_view *v)
{
    counting *c = ctx;
    c->cycles++;
    html_rec_observe(c->rec, v);
}

/* a 2x2 os GEMM on the per-PE engine: one frame per observed cycle, and the accumulator of
 * PE(1,1) reaches C[1][1] = 3*-2 + -4*4 = -22 (independently: A = [[-1,2],[3,-4]],
 * B = [[1,-2],[3,4]]) */
static void recorder_frames_of_a_run(void **state)
{
    (void)state;
    int8_t a[4] = {-1, 2, 3, -4}, b[4] = {1, -2, 3, 4};
    int32_t c[4];
    tp_err err;
    mxu_params p = {.rows = 2, .cols = 2, .dataflow = TP_DF_OS, .dtype = TP_INT8,
                    .timing = TP_TIMING_PIPELINED, .weight_rows_per_cycle = 1};
    mxu_pe *pe = NULL;
    counting cn = {NULL, 0};
    assert_int_equal(mxu_pe_new(&p, &pe, &err), TP_OK);
    assert_int_equal(html_rec_new(&p, 2, 2, 2, a, b, &cn.rec, &err), TP_OK);
    mxu_pe_set_observer(pe, count_and_record, &cn);
    mxu_issue is = {.op = {.m = 2, .n = 2, .k = 2}, .a = a, .a_rs = 2, .a_cs = 1, .b = b, .b_rs = 2,
                    .b_cs = 1, .c = c, .ldc = 2};
    assert_int_equal(mxu_pe_issue(pe, &is, NULL, &err), TP_OK);
    mxu_pe_finish(pe);
    assert_int_equal(c[3], -22);
    assert_int_equal(html_rec_fold(cn.rec, 0, &is.op, 0, 0, 0, mxu_pe_op_timing(pe, 0), &err), TP_OK);
    html_rec_set_cycles(cn.rec, mxu_pe_now(pe));
    char *argv[] = {"tpusim"};
    html_page pg = {.argc = 1, .argv = argv, .array = cn.rec};
    char *s = page_of(&pg);
    assert_true(cn.cycles > 0);
    assert_int_equal(count(s, "\n{\"x\":"), (size_t)cn.cycles);
    assert_non_null(strstr(s, "\"rows\":2,\"cols\":2,\"dataflow\":\"os\",\"dtype\":\"int8\""));
    assert_non_null(strstr(s, "\n\"A\":[-1,2,3,-4],\n\"B\":[1,-2,3,4],"));
    assert_non_null(strstr(s, ",-22],\"pv\":\"")); /* PE(1,1), the last of the row-major p */
    free(s);
    html_rec_free(cn.rec);
    mxu_pe_free(pe);
}

TH_GROUP(html)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(script_close_in_data_is_escaped),
        cmocka_unit_test(timeline_callback_and_nulls),
        cmocka_unit_test(recorder_limits),
        cmocka_unit_test(recorder_frames_of_a_run),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
