#include "base/err.h"
#include <stdio.h>
#include <string.h>

static const char *const messages[TP_ERR__COUNT] = {
    [TP_OK] = "ok",
    [TP_ERR_USAGE] = "bad command-line usage",
    [TP_ERR_IO] = "input/output error",
    [TP_ERR_PARSE] = "syntax error",
    [TP_ERR_CONFIG] = "invalid configuration",
    [TP_ERR_NPY] = "invalid .npy file",
    [TP_ERR_ASM] = "invalid program",
    [TP_ERR_PROGRAM] = "program error at run time",
    [TP_ERR_UNSUPPORTED] = "not supported by this machine",
    [TP_ERR_NOMEM] = "out of memory or size too large",
    [TP_ERR_MISMATCH] = "result differs from the reference",
    [TP_ERR_INTERNAL] = "internal error",
    [TP_ERR_RANGE] = "count too large to simulate",
};

const char *tp_strerror(tp_status code)
{
    if ((unsigned)code >= TP_ERR__COUNT)
        return "unknown error";
    return messages[code];
}

tp_status tp_err_vset(tp_err *err, tp_status code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        /* keep it one line */
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    return code;
}

tp_status tp_err_set(tp_err *err, tp_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tp_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

tp_status tp_err_at(tp_err *err, tp_status code, const char *file, int line, int col,
                    const char *fmt, ...)
{
    char body[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (line > 0 && col > 0)
        return tp_err_set(err, code, "%s:%d:%d: %s", file, line, col, body);
    if (line > 0)
        return tp_err_set(err, code, "%s:%d: %s", file, line, body);
    return tp_err_set(err, code, "%s: %s", file, body);
}

int tp_exit_code(tp_status code)
{
    switch (code) {
    case TP_OK: return 0;
    case TP_ERR_MISMATCH: return 1;
    case TP_ERR_INTERNAL: return 3;
    default: return 2;
    }
}
