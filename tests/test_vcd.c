/* base/vcd: the generic VCD writer's exact bytes (header, identifiers, change-only dumping,
 * time lines) and its error paths. */
#include "harness.h"
#include "base/vcd.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void writes_changes_only(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/t.vcd", th_tmpdir());
    vcd_w *v = NULL;
    tp_err err;
    assert_int_equal(vcd_open(path, "a test", &v, &err), TP_OK);
    vcd_scope_begin(v, "top");
    int a = vcd_wire(v, "a", 8);
    int ok = vcd_wire(v, "ok", 1);
    vcd_scope_end(v);
    assert_int_equal(a, 0);
    assert_int_equal(ok, 1);
    vcd_end_definitions(v);
    vcd_set(v, 0, a, 0);        /* unchanged: nothing written */
    vcd_set(v, 3, a, 0x105);    /* masked to 8 bits: 5 */
    vcd_set(v, 3, ok, 1);       /* same time: no second "#3" */
    vcd_set(v, 4, ok, 1);       /* unchanged: no "#4" either */
    vcd_set(v, 7, ok, 0);
    vcd_set(v, 7, 9, 1);        /* no such wire: ignored */
    assert_int_equal(vcd_close(v, &err), TP_OK);
    assert_string_equal(slurp(path),
                        "$comment\n  a test\n$end\n$timescale 1ns $end\n"
                        "$scope module top $end\n"
                        "$var wire 8 ! a $end\n"
                        "$var wire 1 \" ok $end\n"
                        "$upscope $end\n"
                        "$enddefinitions $end\n#0\n$dumpvars\nb0 !\n0\"\n$end\n"
                        "#3\nb101 !\n1\"\n"
                        "#7\n0\"\n");
}

static void identifiers_go_base_94(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ids.vcd", th_tmpdir());
    vcd_w *v = NULL;
    tp_err err;
    assert_int_equal(vcd_open(path, "ids", &v, &err), TP_OK);
    for (int i = 0; i < 96; i++)
        vcd_wire(v, "x", 1);
    vcd_end_definitions(v);
    assert_int_equal(vcd_close(v, &err), TP_OK);
    const char *s = slurp(path);
    /* wire 93 is '~', wire 94 the first two-digit id (least significant digit first): "!\"" */
    assert_non_null(strstr(s, "$var wire 1 ~ x $end\n$var wire 1 !\" x $end\n$var wire 1 \"\" x $end\n"));
}

static void open_failure_names_the_file(void **state)
{
    (void)state;
    vcd_w *v = (vcd_w *)1;
    tp_err err;
    assert_int_equal(vcd_open("/nonexistent-dir/x.vcd", "c", &v, &err), TP_ERR_IO);
    assert_null(v);
    assert_string_equal(err.msg, "/nonexistent-dir/x.vcd: cannot create: No such file or directory");
    assert_int_equal(vcd_close(NULL, &err), TP_OK);
}

TH_GROUP(vcd)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_changes_only),
        cmocka_unit_test(identifiers_go_base_94),
        cmocka_unit_test(open_failure_names_the_file),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
