/* How far to trust each shipped machine's figures: one line per chip summarising what
 * docs/validation.md measured against published rows. This file's table is the one place the
 * summaries live (tests/test_report.c checks that each summary's figures appear in
 * docs/validation.md); `tpusim compare` prints them under each column. */
#ifndef TP_REPORT_VALIDATED_H
#define TP_REPORT_VALIDATED_H
#include <stddef.h>

typedef struct {
    const char *machine;    /* the config's name: "gpu-a100", "tpu-v1" */
    const char *summary;    /* one line, ending "(docs/validation.md)" */
} report_validation;

/* The table, and its length. */
extern const report_validation report_validations[];
extern const size_t report_n_validations;

/* The summary for machine `name`, or REPORT_NOT_VALIDATED when the table has none. */
#define REPORT_NOT_VALIDATED "no published rows compared"
const char *report_validated(const char *name);
#endif
