/* The input dtypes of the matrix units and their storage: names, element sizes, and the pure
 * bit-level conversions between bf16 and fp32. No arithmetic lives here (that is num/num.h);
 * this is vocabulary every layer may use, from the .npy reader and the config up.
 *
 * int8: one byte, two's complement. Accumulates in int32 (4 bytes).
 * bf16: stored as raw uint16_t bits (sign, 8-bit exponent, 7-bit fraction), the top half of an
 *       IEEE binary32. Accumulates in fp32 (4 bytes).
 *       bf16 -> fp32 is a 16-bit shift, exact.
 *       fp32 -> bf16 rounds to nearest even; a carry out of the fraction increments the
 *       exponent; finite values that round past the largest bf16 become Inf; NaN stays NaN
 *       (quiet bit set, sign kept), never turns into Inf.
 */
#ifndef TP_BASE_DTYPE_H
#define TP_BASE_DTYPE_H
#include <stdint.h>
#include <string.h>

typedef enum { TP_INT8 = 0, TP_BF16 = 1, TP_DTYPE__COUNT } tp_dtype;

const char *dtype_name(tp_dtype dt);                   /* "int8", "bf16" ("?" out of range) */
int dtype_parse(const char *s, tp_dtype *out);         /* 0 on success, -1 if unknown */
/* Bytes of one input element (1 for int8, 2 for bf16) and of one accumulator element (4). */
static inline unsigned dtype_in_bytes(tp_dtype dt) { return dt == TP_INT8 ? 1u : 2u; }
static inline unsigned dtype_acc_bytes(tp_dtype dt) { (void)dt; return 4u; }

/* The float whose IEEE binary32 bits are u, and the bits of f (no conversion, a copy). */
static inline float dtype_bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t dtype_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static inline float dtype_bf16_to_f32(uint16_t b) { return dtype_bits_f32((uint32_t)b << 16); }
uint16_t dtype_f32_to_bf16(float f);                   /* round to nearest even */
#endif
