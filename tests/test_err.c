/* The error figures of `tpusim gemm --error` (work/err.h), on cases worked by hand: the float64
 * reference, max abs / relative / rms, NaN left out, a scaled int8 result, batch and transposed
 * layouts, and the symmetric int8 quantization (scale, ties to even, clamping, refusal of NaN). */
#include "harness.h"
#include <math.h>
#include <string.h>
#include "work/err.h"

static void by_hand_bf16(void **state)
{
    (void)state;
    /* A = [1 + 2^-8, 3] (float32), B = [1; 1]. bf16 rounds 1 + 2^-8 (a tie between 1 and
     * 1 + 2^-7) to the even 1.0, so the machine gives C = 4; the reference is 4 + 2^-8. */
    gemm_problem pb = {1, 1, 2, 1, TP_BF16, false, false};
    const double a[2] = {1.00390625, 3.0}, b[2] = {1.0, 1.0};
    const float c[1] = {4.0f};
    gemm_error ge;
    tp_err err = {0};
    assert_int_equal(err_gemm(&pb, a, b, NPY_F32, c, 1.0, &ge, &err), TP_OK);
    assert_true(ge.max_abs == 0.00390625);
    assert_true(ge.max_ref == 4.00390625);
    assert_true(ge.rel == 0.00390625 / 4.00390625);
    assert_true(ge.rms == 0.00390625);
    assert_int_equal(ge.count, 1);
    assert_int_equal(ge.nonfinite, 0);
}

static void figures_over_elements(void **state)
{
    (void)state;
    /* 2x2 = (2x1)(1x2): ref = [[1, 2], [3, 6]]; C = [[1, 2.5], [NaN, 5]]:
     * errors 0, 0.5, (NaN left out), 1: max 1, rms sqrt((0 + 0.25 + 1) / 3), max |ref| = 6
     * (the NaN element's reference counts for max |ref|) */
    gemm_problem pb = {2, 2, 1, 1, TP_BF16, false, false};
    const double a[2] = {1, 3}, b[2] = {1, 2};
    const float c[4] = {1, 2.5f, NAN, 5};
    gemm_error ge;
    tp_err err = {0};
    assert_int_equal(err_gemm(&pb, a, b, NPY_F32, c, 1.0, &ge, &err), TP_OK);
    assert_true(ge.max_abs == 1.0);
    assert_true(ge.max_ref == 6.0);
    assert_true(ge.rel == 1.0 / 6.0);
    assert_true(fabs(ge.rms - sqrt(1.25 / 3)) < 1e-15);
    assert_int_equal(ge.count, 3);
    assert_int_equal(ge.nonfinite, 1);
}

static void layouts_and_scale(void **state)
{
    (void)state;
    /* batch 2 of (1x2)(2x1), A stored transposed (2 x 1 per batch), B transposed (1 x 2):
     * batch 0: A = [1, 2], B = [3, 4] -> 11; batch 1: A = [-1, 1], B = [5, 7] -> 2.
     * C int32 = [22, 4] with scale 0.5 -> 11, 2: exact. */
    gemm_problem pb = {1, 1, 2, 2, TP_INT8, true, true};
    const double a[4] = {1, 2, -1, 1}, b[4] = {3, 4, 5, 7};
    const int32_t c[2] = {22, 4};
    gemm_error ge;
    tp_err err = {0};
    assert_int_equal(err_gemm(&pb, a, b, NPY_INT32, c, 0.5, &ge, &err), TP_OK);
    assert_true(ge.max_abs == 0.0 && ge.rel == 0.0 && ge.max_ref == 11.0);
    assert_int_equal(ge.count, 2);
    /* all-zero reference: rel is 0 when C is 0 too, +inf otherwise */
    const double z[4] = {0, 0, 0, 0};
    assert_int_equal(err_gemm(&pb, z, b, NPY_INT32, c, 1.0, &ge, &err), TP_OK);
    assert_true(isinf(ge.rel) && ge.max_abs == 22.0);
    const int32_t c0[2] = {0, 0};
    assert_int_equal(err_gemm(&pb, z, b, NPY_INT32, c0, 1.0, &ge, &err), TP_OK);
    assert_true(ge.rel == 0.0);
}

static void quantize(void **state)
{
    (void)state;
    /* max |x| = 1: scale 1/127; 0.5 * 127 = 63.5 -> 64 (tie to even), -1 -> -127, 0.25 * 127 =
     * 31.75 -> 32, 2^-10 * 127 = 0.124 -> 0 */
    const float x[4] = {0.5f, -1.0f, 0.25f, 0.0009765625f};
    int8_t q[4];
    double s;
    tp_err err = {0};
    assert_int_equal(err_quantize_i8("--a x.npy", x, 4, q, &s, &err), TP_OK);
    assert_true(s == 1.0 / 127.0);
    assert_int_equal(q[0], 64);
    assert_int_equal(q[1], -127);
    assert_int_equal(q[2], 32);
    assert_int_equal(q[3], 0);
    /* 62.5 / 127 * 127 would tie to 62: the scale of max 2.0 is 2/127; 1.0 -> 63.5 -> 64 */
    const float y[2] = {2.0f, 1.0f};
    assert_int_equal(err_quantize_i8("--a y.npy", y, 2, q, &s, &err), TP_OK);
    assert_int_equal(q[0], 127);
    assert_int_equal(q[1], 64);
    /* all zeros: scale 1 */
    const float zero[2] = {0, 0};
    assert_int_equal(err_quantize_i8("--a z.npy", zero, 2, q, &s, &err), TP_OK);
    assert_true(s == 1.0 && q[0] == 0 && q[1] == 0);
    const float bad[2] = {1.0f, NAN};
    assert_int_equal(err_quantize_i8("--b b.npy", bad, 2, q, &s, &err), TP_ERR_USAGE);
    assert_string_equal(err.msg, "--b b.npy: element 1 is nan: int8 quantization needs finite values");
}

static void to_f64(void **state)
{
    (void)state;
    const uint16_t bf[2] = {0x3f80, 0xc040};   /* 1.0, -3.0 */
    const int8_t i8[2] = {-128, 127};
    double d[2];
    err_to_f64(NPY_BF16, bf, 2, d);
    assert_true(d[0] == 1.0 && d[1] == -3.0);
    err_to_f64(NPY_INT8, i8, 2, d);
    assert_true(d[0] == -128.0 && d[1] == 127.0);
}

TH_GROUP(err)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(by_hand_bf16),
        cmocka_unit_test(figures_over_elements),
        cmocka_unit_test(layouts_and_scale),
        cmocka_unit_test(quantize),
        cmocka_unit_test(to_f64),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
