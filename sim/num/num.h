/* Numerics of the int8 and bf16 datapaths: the one definition every engine, the reference
 * and the vector unit use.
 *
 * int8:  products of two int8 are exact in int32; sums wrap around modulo 2^32 (two's
 *        complement), computed in uint32_t so C never sees signed overflow.
 * bf16:  stored as raw uint16_t bits (sign, 8-bit exponent, 7-bit fraction), the top half of an
 *        IEEE binary32. A MAC is  acc' = fmaf(a, b, acc): the product is formed exactly and the
 *        sum is rounded once, round-to-nearest-even. For normal operands the product of two
 *        bf16 is exact in fp32 anyway, so this equals multiply-then-add; it differs only when
 *        the product underflows fp32's normal range, and then the fused form is the one pinned.
 *        Subnormals are kept (no flush to zero) on input, in products and in sums. NaN inputs
 *        give NaN; Inf behaves as IEEE (Inf*0 = NaN, Inf + -Inf = NaN).
 *        fp32 -> bf16 rounds to nearest even; a carry out of the fraction increments the
 *        exponent; finite values that round past the largest bf16 become Inf; NaN stays NaN
 *        (quiet bit set, sign kept), never turns into Inf.
 * requantization: int32 acc * scale (fp32 scale, product exact in double), round half to
 *        even, saturate to [-128, 127].
 */
#ifndef TP_NUM_NUM_H
#define TP_NUM_NUM_H
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef enum { TP_INT8 = 0, TP_BF16 = 1, TP_DTYPE__COUNT } tp_dtype;

const char *num_dtype_name(tp_dtype dt);               /* "int8", "bf16" */
int num_dtype_parse(const char *s, tp_dtype *out);     /* 0 on success, -1 if unknown */
/* Bytes of one input element (1 for int8, 2 for bf16) and of one accumulator element (4). */
static inline unsigned num_in_bytes(tp_dtype dt) { return dt == TP_INT8 ? 1u : 2u; }
static inline unsigned num_acc_bytes(tp_dtype dt) { (void)dt; return 4u; }

static inline float num_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t num_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static inline float num_bf16_to_f32(uint16_t b) { return num_bits_f32((uint32_t)b << 16); }
uint16_t num_f32_to_bf16(float f);                     /* round to nearest even */

static inline float num_bf16_mac(float acc, uint16_t a, uint16_t b)
{
    return fmaf(num_bf16_to_f32(a), num_bf16_to_f32(b), acc);
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
    return x != x ? num_bits_f32(0x7fc00000u) : x;
}
#endif
