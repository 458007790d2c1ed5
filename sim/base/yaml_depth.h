/* A cap on YAML nesting, checked before a document is built.
 *
 * libyaml keeps a stack entry per open collection and rescans it for every token, so a file of
 * n nested brackets costs about n^2 steps (100k brackets in 300 KB took 102 s): the size caps
 * alone allow inputs that would take days. yaml_check_depth streams the events and stops at the
 * first collection deeper than `max`, so the cost is bounded by max, not by the file. */
#ifndef TP_BASE_YAML_DEPTH_H
#define TP_BASE_YAML_DEPTH_H
#include <stddef.h>
#include "base/err.h"

#define YAML_MAX_DEPTH 64

/* "NAME:LINE:COL: YAML nesting is deeper than MAX levels" (TP_ERR_PARSE) at the collection
 * that opens level MAX + 1. With flag (a --set's text) the message is "--set FLAG: ..." instead.
 * A syntax error is not reported here: it is the caller's own parse's to report (TP_OK). */
tp_status yaml_check_depth(const char *name, const char *flag, const char *text, size_t len, int max, tp_err *err);
#endif
