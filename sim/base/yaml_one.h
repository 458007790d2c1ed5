/* One YAML document from text in memory, for the loaders that take exactly one (workload and
 * sweep files): the nesting cap first (base/yaml_depth.h), then libyaml's document API, the
 * caller's walk over the root node, and a check that no second document follows (it would
 * otherwise be ignored).
 *
 * Errors are positioned, 1-based: a syntax error at libyaml's problem mark (reader errors such
 * as bad UTF-8 carry only a byte offset, turned into line:col), and
 * "NAME:LINE:COL: WHAT holds one YAML document; found a second one" at the second root. */
#ifndef TP_BASE_YAML_ONE_H
#define TP_BASE_YAML_ONE_H
#include <stddef.h>
#include "base/err.h"

struct yaml_document_s;
struct yaml_node_s;

/* Walks the document; root is NULL for an empty one. Returns TP_OK or the error it set. */
typedef tp_status (*yaml_one_walk)(void *ctx, struct yaml_document_s *doc, const struct yaml_node_s *root,
                                   tp_err *err);

/* Parses text (name in messages; what: "a workload", "a sweep file") and calls walk once on its
 * document. Returns walk's status, or the first error found before or after it; the caller
 * undoes what walk made on failure. */
tp_status yaml_load_one(const char *name, const char *what, const char *text, size_t len, yaml_one_walk walk,
                        void *ctx, tp_err *err);
#endif
