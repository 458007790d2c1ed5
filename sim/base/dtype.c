/* dtype names and fp32 -> bf16 rounding: see dtype.h. */
#include "base/dtype.h"
#include "base/text.h"
#include <string.h>

static const char *const names[TP_DTYPE__COUNT] = {[TP_INT8] = "int8", [TP_BF16] = "bf16"};

const char *dtype_name(tp_dtype dt)
{
    return (unsigned)dt < TP_DTYPE__COUNT ? names[dt] : "?";
}

int dtype_parse(const char *s, tp_dtype *out)
{
    int i = text_lookup(s, names, TP_DTYPE__COUNT);
    if (i < 0)
        return -1;
    *out = (tp_dtype)i;
    return 0;
}

uint16_t dtype_f32_to_bf16(float f)
{
    uint32_t u = dtype_f32_bits(f);
    if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x007fffffu))
        return (uint16_t)((u >> 16) | 0x0040u);          /* NaN: keep sign and payload top, force quiet */
    /* round to nearest even on the 16 dropped bits: add 0x7fff plus the lsb of what is kept.
     * A carry out of the fraction increments the exponent; past the largest finite it gives Inf. */
    uint32_t lsb = (u >> 16) & 1u;
    return (uint16_t)((u + 0x7fffu + lsb) >> 16);
}
