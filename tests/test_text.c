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

TH_GROUP(text)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distances_by_hand),
        cmocka_unit_test(closest_respects_limits),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
