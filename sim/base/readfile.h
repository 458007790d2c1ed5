/* Reading a whole text input (a config, a program, a workload) with its limits applied while it
 * streams: a NUL byte or a byte past the cap stops the read there, so `tpusim check /dev/zero`
 * fails on its first block instead of buffering a gigabyte. */
#ifndef TP_BASE_READFILE_H
#define TP_BASE_READFILE_H
#include <stddef.h>
#include "base/err.h"

/* Reads path into a malloc'd, NUL-terminated *text of *len bytes. Errors, one line naming the
 * file: "PATH: cannot open: why", "PATH: read error: why", "PATH:L:C: NUL byte in a WHAT"
 * (TP_ERR_PARSE), "PATH: larger than CAP (a WHAT is at most CAP)" (TP_ERR_IO) and
 * "PATH: out of memory reading N bytes" (TP_ERR_NOMEM). `what` names the kind of file
 * ("YAML file", "program"). */
tp_status read_text_file(const char *path, const char *what, size_t cap, char **text, size_t *len, tp_err *err);
#endif
