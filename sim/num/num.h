/* Numerics of the int8 and bf16 datapaths: the one definition every engine, the reference
 * and the vector unit use.
 *
 * int8:  products of two int8 are exact in int32; sums wrap around modulo 2^32 (two's
 *        complement), computed in uint32_t so C never sees signed overflow.
 * bf16:  stored as raw uint16_t bits (base/dtype.h has the layout and the bf16 <-> fp32
 *        conversions). A MAC is  acc' = fmaf(a, b, acc): the product is formed exactly and the
 *        sum is rounded once, round-to-nearest-even. For normal operands the product of two
 *        bf16 is exact in fp32 anyway, so this equals multiply-then-add; it differs only when
 *        the product underflows fp32's normal range, and then the fused form is the one pinned.
 *        Subnormals are kept (no flush to zero) on input, in products and in sums. NaN inputs
 *        give NaN; Inf behaves as IEEE (Inf*0 = NaN, Inf + -Inf = NaN).
 * requantization: int32 acc * scale (fp32 scale, product exact in double), round half to
 *        even, saturate to [-128, 127].
 */
#ifndef TP_NUM_NUM_H
#define TP_NUM_NUM_H
#include <math.h>
#include <stdint.h>
#include "base/dtype.h"

static inline float num_bf16_mac(float acc, uint16_t a, uint16_t b)
{
    return fmaf(dtype_bf16_to_f32(a), dtype_bf16_to_f32(b), acc);
}

static inline int32_t num_wrap_i32(uint32_t u)
{
    /* two's complement reinterpretation without implementation-defined conversion */
    return u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
}
static inline int32_t num_i32_add(int32_t a, int32_t b)
{
    return num_wrap_i32((uint32_t)a + (uint32_t)b);
}
static inline int32_t num_i8_mac(int32_t acc, int8_t a, int8_t b)
{
    return num_wrap_i32((uint32_t)acc + (uint32_t)((int32_t)a * (int32_t)b));
}

int8_t num_requant_i8(int32_t acc, float scale);       /* round half to even, saturate */

/* The canonical NaN of accumulator results (see num/gemm.h): NaN -> 0x7fc00000, others as is.
 * Apply it where an fp32 accumulator value is stored so NaN payloads never depend on the host. */
static inline float num_f32_canon(float x)
{
    return x != x ? dtype_bits_f32(0x7fc00000u) : x;
}
/* One fp32 add of two finished sums, a + b rounded to nearest even, stored with the canonical
 * NaN: the vector unit's bias add (which sums split-K parts, C = P_p + C) and the reference's
 * part sums (work/ref.c) both use it, so Inf + -Inf or a NaN part gives 0x7fc00000 whatever the
 * host's default NaN or the compiler's operand order. */
static inline float num_f32_add(float a, float b)
{
    return num_f32_canon(a + b);
}
#endif
