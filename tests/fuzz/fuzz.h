/* Shared by the libFuzzer targets in tests/fuzz/ (built by `make fuzz`, never part of the
 * library): the error contract every reader must keep, whatever bytes arrive.
 *
 *   - a refused input gives a status that is an input error (never TP_OK with a message, never
 *     TP_ERR_INTERNAL, never out of range) and a message that is one non-empty line;
 *   - a reader of a named input names it at the start of the message.
 *
 * A broken contract prints the status and message and aborts, which libFuzzer reports as a
 * crash and saves the input (keep it in tests/fuzz/regressions/<target>/). */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/err.h"

static inline void fz_fail(const char *what, tp_status st, const tp_err *err)
{
    fprintf(stderr, "fuzz contract broken: %s (status %d '%s', message '%s')\n", what, (int)st,
            (unsigned)st < TP_ERR__COUNT ? tp_strerror(st) : "?", err ? err->msg : "");
    abort();
}

/* st is what the reader returned and err what it filled. prefix: what the message must start
 * with (NULL: anything). Returns 1 when the input was accepted. */
static inline int fz_check(tp_status st, const tp_err *err, const char *prefix)
{
    if (st == TP_OK)
        return 1;
    if ((unsigned)st >= TP_ERR__COUNT)
        fz_fail("status out of range", st, err);
    if (st == TP_ERR_INTERNAL)
        fz_fail("internal error on bad input", st, err);
    if (err->code != st)
        fz_fail("err->code differs from the returned status", st, err);
    if (err->msg[0] == '\0')
        fz_fail("empty message", st, err);
    if (strchr(err->msg, '\n') || strchr(err->msg, '\r'))
        fz_fail("message of more than one line", st, err);
    if (prefix && strncmp(err->msg, prefix, strlen(prefix)) != 0)
        fz_fail("message does not name the input", st, err);
    if (tp_exit_code(st) != 2)
        fz_fail("exit code of bad input is not 2", st, err);
    return 0;
}

/* A NUL-terminated copy of the input (readers of text take C strings). */
static inline char *fz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}
#endif
