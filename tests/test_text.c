/* Edit distance and closest-name suggestions (the "did you mean" of every parser). */
#include "harness.h"
#include <string.h>
#include "base/text.h"

static void distances_by_hand(void **state)
{
    (void)state;
    assert_int_equal(text_edit_distance("rows", "rows", false), 0);
    assert_int_equal(text_edit_distance("rwos", "rows", false), 1);     /* one adjacent swap */
    assert_int_equal(text_edit_distance("row", "rows", false), 1);      /* one insertion */
    assert_int_equal(text_edit_distance("kitten", "sitting", false), 3);/* k->s, e->i, +g */
    assert_int_equal(text_edit_distance("", "abc", false), 3);
    assert_int_equal(text_edit_distance("MATMUL", "matmul", false), 6);
    assert_int_equal(text_edit_distance("MATMUL", "matmul", true), 0);
    char longs[80];
    memset(longs, 'a', sizeof longs - 1);
    longs[sizeof longs - 1] = 0;
    assert_int_equal(text_edit_distance(longs, "a", false), TEXT_EDIT_FAR);
}

static void closest_respects_limits(void **state)
{
    (void)state;
    static const char *const names[] = {"load", "loadw", "matmul", "store", "fence", "halt"};
    const size_t n = sizeof names / sizeof names[0];
    assert_string_equal(text_closest("matmal", names, n, 2, false), "matmul");
    assert_string_equal(text_closest("lod", names, n, 2, false), "load");   /* load is 1 edit away, loadw 2 */
    assert_string_equal(text_closest("STORE", names, n, 2, true), "store");
    assert_null(text_closest("xyzzy", names, n, 2, false));                  /* too far */
    assert_null(text_closest("ld", names, n, 2, false));                     /* 2 edits on 2 letters */
}

static void line_col_of_offsets(void **state)
{
    (void)state;
    const char *t = "ab\ncd\n\nx";   /* offsets: a0 b1 \n2 c3 d4 \n5 \n6 x7 */
    int line, col;
    text_line_col(t, strlen(t), 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    text_line_col(t, strlen(t), 2, &line, &col);   /* the first newline is column 3 of line 1 */
    assert_int_equal(line, 1);
    assert_int_equal(col, 3);
    text_line_col(t, strlen(t), 4, &line, &col);   /* d */
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    text_line_col(t, strlen(t), 7, &line, &col);   /* x, after an empty line */
    assert_int_equal(line, 4);
    assert_int_equal(col, 1);
    text_line_col(t, 3, 7, &line, &col);           /* counting stops at len */
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
}

static void lookup(void **state)
{
    (void)state;
    static const char *const names[4] = {"ws", NULL, "os", "is"};
    assert_int_equal(text_lookup("ws", names, 4), 0);
    assert_int_equal(text_lookup("os", names, 4), 2);
    assert_int_equal(text_lookup("is", names, 4), 3);
    assert_int_equal(text_lookup("is", names, 3), -1);   /* outside the first n */
    assert_int_equal(text_lookup("WS", names, 4), -1);   /* exact match only */
    assert_int_equal(text_lookup("", names, 4), -1);
}

static void escapes_controls(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(text_escape("a\033[2Jb", b, sizeof b), "a\\x1b[2Jb");          /* ESC */
    assert_string_equal(text_escape("l1\nl2\r\t", b, sizeof b), "l1\\nl2\\r\\t");
    assert_string_equal(text_escape("x\x7fy", b, sizeof b), "x\\x7fy");                /* DEL */
    assert_string_equal(text_escape("c\xc2\x9b" "1m", b, sizeof b), "c\\u009b1m");        /* C1 CSI */
    assert_string_equal(text_escape("bad\xff\xc3", b, sizeof b), "bad\\xff\\xc3");    /* not UTF-8 */
    assert_string_equal(text_escape("caf\xc3\xa9 \xe2\x86\x92", b, sizeof b), "caf\xc3\xa9 \xe2\x86\x92");
    assert_string_equal(text_escape("\033\033", b, 8), "\\x1b");   /* cut at a whole escape */
    const char *clean = "layer_1";
    assert_ptr_equal(text_shown(clean, b, sizeof b), clean);
    assert_string_equal(text_shown("a\tb", b, sizeof b), "a\\tb");
}

TH_GROUP(text)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distances_by_hand),
        cmocka_unit_test(closest_respects_limits),
        cmocka_unit_test(line_col_of_offsets),
        cmocka_unit_test(lookup),
        cmocka_unit_test(escapes_controls),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
