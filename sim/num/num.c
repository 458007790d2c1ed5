#include "num/num.h"
#include <math.h>

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
