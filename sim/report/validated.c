/* The validated error per chip (report/validated.h): the figures come from docs/validation.md,
 * and a test checks that each one appears there. */
#include <string.h>
#include "report/validated.h"

const report_validation report_validations[] = {
    {"tpu-v1", "TPUv1 paper Table 3: every MLP0 and MLP1 row within 5 points, useful MACs within 1 "
               "(docs/validation.md)"},
    {"gpu-a100", "9 of 9 published A100 bf16 rows within target, median |error| 3.7 points (docs/validation.md)"},
    {"gpu-v100", "70 of 75 DeepBench fp16 rows within target, median |error| 3.3 points, at the 1421 MHz sustained "
                 "clock; A-transposed large shapes 12 to 15 points optimistic (docs/validation.md)"},
    {"gpu-h100", "no per-shape measured set; 8192^3 bf16 at 77% of peak against about 80% published "
                 "(docs/validation.md)"},
};
const size_t report_n_validations = sizeof report_validations / sizeof report_validations[0];

const char *report_validated(const char *name)
{
    for (size_t i = 0; i < report_n_validations; i++)
        if (!strcmp(report_validations[i].machine, name))
            return report_validations[i].summary;
    return REPORT_NOT_VALIDATED;
}
