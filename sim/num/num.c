#include "num/num.h"
#include <string.h>

const char *num_dtype_name(tp_dtype dt)
{
    return dt == TP_INT8 ? "int8" : dt == TP_BF16 ? "bf16" : "?";
}

int num_dtype_parse(const char *s, tp_dtype *out)
{
    if (!strcmp(s, "int8")) { *out = TP_INT8; return 0; }
    if (!strcmp(s, "bf16")) { *out = TP_BF16; return 0; }
    return -1;
}

uint16_t num_f32_to_bf16(float f)
{
    uint32_t u = num_f32_bits(f);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu))
        return (uint16_t)((u >> 16) | 0x0040u);          /* NaN: keep sign and payload top, force quiet */
    /* round to nearest even on the 16 dropped bits: add 0x7fff plus the lsb of what is kept.
     * A carry out of the fraction increments the exponent; past the largest finite it gives Inf. */
    uint32_t lsb = (u >> 16) & 1u;
    return (uint16_t)((u + 0x7fffu + lsb) >> 16);
}

int8_t num_requant_i8(int32_t acc, float scale)
{
    double x = (double)acc * (double)scale;  /* exact: 32-bit x 24-bit significands fit in 53 */
    if (x != x)
        return 0;
    if (x >= 127.0)
        return 127;
    if (x <= -128.0)
        return -128;
    double r = floor(x);
    double d = x - r;
    if (d > 0.5 || (d == 0.5 && fmod(r, 2.0) != 0.0))
        r += 1.0;
    return (int8_t)r;
}
