/* Numerics: bf16 rounding against hand-worked bit patterns, int8 wrap-around, requantization. */
#include "harness.h"
#include "num/num.h"

static void bf16_round_ties_to_even(void **state)
{
    (void)state;
    /* 1.0 + 2^-8 is exactly halfway between bf16 1.0 (0x3f80) and 1.0078125 (0x3f81):
     * ties go to the even fraction, 0x3f80. */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x3f808000u)), 0x3f80);
    /* 0x3f818000 is halfway between 0x3f81 (odd) and 0x3f82 (even): rounds up to 0x3f82. */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x3f818000u)), 0x3f82);
    /* just above half rounds up, just below rounds down */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x3f808001u)), 0x3f81);
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x3f807fffu)), 0x3f80);
}

static void bf16_carry_overflow_nan(void **state)
{
    (void)state;
    /* fraction all ones + round up carries into the exponent: 0x3fffffff -> 2.0 = 0x4000 */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x3fffffffu)), 0x4000);
    /* FLT_MAX rounds past the largest bf16 (0x7f7f) to +Inf */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x7f7fffffu)), 0x7f80);
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0xff7fffffu)), 0xff80);
    /* a NaN whose payload lives only in the low bits must stay NaN, not become Inf */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x7f800001u)), 0x7fc0);
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0xffc00000u)), 0xffc0);
    /* signed zero and subnormals are kept */
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x80000000u)), 0x8000);
    assert_int_equal(dtype_f32_to_bf16(dtype_bits_f32(0x00010000u)), 0x0001);
}

static void int8_wraps(void **state)
{
    (void)state;
    int32_t acc = INT32_MAX;
    acc = num_i8_mac(acc, 1, 1);           /* 2^31 - 1 + 1 wraps to -2^31 */
    assert_int_equal(acc, INT32_MIN);
    acc = num_i8_mac(acc, -128, 1);        /* -2^31 - 128 wraps to 2^31 - 128 */
    assert_int_equal(acc, INT32_MAX - 127);
    assert_int_equal(num_i8_mac(0, -128, -128), 16384);
}

static void requant_half_even_saturate(void **state)
{
    (void)state;
    assert_int_equal(num_requant_i8(5, 0.5f), 2);     /* 2.5 -> 2 */
    assert_int_equal(num_requant_i8(7, 0.5f), 4);     /* 3.5 -> 4 */
    assert_int_equal(num_requant_i8(-5, 0.5f), -2);   /* -2.5 -> -2 */
    assert_int_equal(num_requant_i8(-7, 0.5f), -4);   /* -3.5 -> -4 */
    assert_int_equal(num_requant_i8(1000, 1.0f), 127);
    assert_int_equal(num_requant_i8(-1000, 1.0f), -128);
}

static void canonical_nan(void **state)
{
    (void)state;
    /* every NaN (any sign, payload, quiet or signalling) becomes 0x7fc00000; others unchanged */
    assert_int_equal(dtype_f32_bits(num_f32_canon(dtype_bits_f32(0xffc00000u))), 0x7fc00000u);
    assert_int_equal(dtype_f32_bits(num_f32_canon(dtype_bits_f32(0x7f800001u))), 0x7fc00000u);
    assert_int_equal(dtype_f32_bits(num_f32_canon(dtype_bits_f32(0x7fffffffu))), 0x7fc00000u);
    assert_int_equal(dtype_f32_bits(num_f32_canon(dtype_bits_f32(0xff800000u))), 0xff800000u);
    assert_int_equal(dtype_f32_bits(num_f32_canon(dtype_bits_f32(0x80000000u))), 0x80000000u);
    assert_int_equal(dtype_f32_bits(num_f32_canon(dtype_bits_f32(0x00000001u))), 0x00000001u);
}

/* num_f32_add: one RNE add, NaN results canonical, whatever the operands' NaN payloads. */
static void f32_add_rounds_and_canonicalizes(void **state)
{
    (void)state;
#define ADD(x, y) dtype_f32_bits(num_f32_add(dtype_bits_f32(x), dtype_bits_f32(y)))
    /* Inf + -Inf is invalid: x86's default NaN would be 0xffc00000 (sign set) */
    assert_int_equal(ADD(0x7f800000u, 0xff800000u), 0x7fc00000u);
    assert_int_equal(ADD(0xff800000u, 0x7f800000u), 0x7fc00000u);
    /* a NaN operand of either sign or payload, quiet or signalling, in either position */
    assert_int_equal(ADD(0xffc00000u, 0x3f800000u), 0x7fc00000u);
    assert_int_equal(ADD(0x3f800000u, 0xffc00001u), 0x7fc00000u);
    assert_int_equal(ADD(0x7fa00000u, 0xffc12345u), 0x7fc00000u);
    assert_int_equal(ADD(0xffc12345u, 0x7fa00000u), 0x7fc00000u);
    /* finite and infinite sums are IEEE's: 1 + 2^-24 is a tie -> 1 (even); 1 + 3 * 2^-24 is
     * 1.5 ulps -> 2 ulps; Inf + finite = Inf; signed zeros */
    assert_int_equal(ADD(0x3f800000u, 0x33800000u), 0x3f800000u);
    assert_int_equal(ADD(0x3f800000u, 0x34400000u), 0x3f800002u);
    assert_int_equal(ADD(0xff800000u, 0x7f7fffffu), 0xff800000u);
    assert_int_equal(ADD(0x80000000u, 0x80000000u), 0x80000000u);
    assert_int_equal(ADD(0x00000000u, 0x80000000u), 0x00000000u);
    /* FLT_MAX + FLT_MAX overflows to +Inf, not NaN */
    assert_int_equal(ADD(0x7f7fffffu, 0x7f7fffffu), 0x7f800000u);
#undef ADD
}

static void bf16_mac_is_fused(void **state)
{
    (void)state;
    /* acc = 2^-149 (0x00000001), a = b = 2^-75 (bf16 0x1a00): the exact sum 2^-149 + 2^-150 is a
     * tie between 1 and 2 units of 2^-149; even wins: 2^-148 = 0x00000002. A separately rounded
     * product (2^-150 -> 0, tie to even) would leave 0x00000001. */
    assert_int_equal(dtype_f32_bits(num_bf16_mac(dtype_bits_f32(1u), 0x1a00, 0x1a00)), 2u);
    /* bf16 -> f32 is the top half: 0xc040 -> 0xc0400000 = -3.0 */
    assert_true(dtype_bf16_to_f32(0xc040) == -3.0f);
}

static void dtype_names(void **state)
{
    (void)state;
    tp_dtype dt;
    assert_int_equal(dtype_parse("int8", &dt), 0);
    assert_int_equal(dt, TP_INT8);
    assert_int_equal(dtype_parse("bf16", &dt), 0);
    assert_int_equal(dt, TP_BF16);
    assert_int_equal(dtype_parse("fp16", &dt), -1);
    assert_string_equal(dtype_name(TP_INT8), "int8");
    assert_string_equal(dtype_name(TP_BF16), "bf16");
    assert_int_equal(dtype_in_bytes(TP_INT8), 1);
    assert_int_equal(dtype_in_bytes(TP_BF16), 2);
    assert_int_equal(dtype_acc_bytes(TP_BF16), 4);
}

TH_GROUP(num)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bf16_round_ties_to_even),
        cmocka_unit_test(bf16_carry_overflow_nan),
        cmocka_unit_test(int8_wraps),
        cmocka_unit_test(requant_half_even_saturate),
        cmocka_unit_test(canonical_nan),
        cmocka_unit_test(f32_add_rounds_and_canonicalizes),
        cmocka_unit_test(bf16_mac_is_fused),
        cmocka_unit_test(dtype_names),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
