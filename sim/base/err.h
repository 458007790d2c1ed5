/* Errors: one status enum with a count sentinel and a message table, and an error record that
 * carries one formatted line ("file:line:col: message" for input errors).
 *
 * Convention: a function that can fail takes `tp_err *err` last and returns a tp_status.
 * On failure it fills *err (if err is not NULL) and leaves its outputs in a state that the
 * matching _free function accepts. Messages are one line, no trailing newline. */
#ifndef TP_BASE_ERR_H
#define TP_BASE_ERR_H
#include <stdarg.h>

typedef enum {
    TP_OK = 0,
    TP_ERR_USAGE,        /* bad command-line flag or argument */
    TP_ERR_IO,           /* a file could not be opened, read or written */
    TP_ERR_PARSE,        /* syntax error in YAML, a program or a CSV */
    TP_ERR_CONFIG,       /* a well-formed config with a wrong key, type or value */
    TP_ERR_NPY,          /* malformed or unsupported .npy file */
    TP_ERR_ASM,          /* assembler error in a .tpu program */
    TP_ERR_PROGRAM,      /* a program that does something illegal at run time */
    TP_ERR_UNSUPPORTED,  /* the machine lacks what was asked (a dtype, a dataflow) */
    TP_ERR_NOMEM,        /* allocation failed or a size is absurd */
    TP_ERR_MISMATCH,     /* a simulated result differs from the reference */
    TP_ERR_INTERNAL,     /* a broken invariant inside tpusim: a bug */
    TP_ERR_RANGE,        /* a cycle, byte or MAC count would pass TP_COUNT_MAX (base/util.h) */
    TP_ERR__COUNT
} tp_status;

typedef struct {
    tp_status code;
    char msg[512];   /* one line, e.g. "configs/x.yaml:3:7: tpu.array.rows: must be at least 1" */
} tp_err;

const char *tp_strerror(tp_status code);

/* Sets *err (if not NULL) to code and a printf-formatted message; returns code. */
tp_status tp_err_set(tp_err *err, tp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
tp_status tp_err_vset(tp_err *err, tp_status code, const char *fmt, va_list ap);

/* As tp_err_set, prefixed with "file:line:col: " (line and col are 1-based; col 0 omits it,
 * line 0 omits both). */
tp_status tp_err_at(tp_err *err, tp_status code, const char *file, int line, int col,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Process exit code for a status: 0 ok, 1 mismatch, 2 usage/input errors, 3 internal. */
int tp_exit_code(tp_status code);
#endif
