/* Output files that are never torn: every file tpusim writes goes through here.
 *
 * afile_open creates a temporary file next to the target (same directory, so the final rename
 * cannot cross a file system), named ".NAME.tmp-PID-N". The caller writes to a->f; afile_commit
 * flushes (fflush + fsync), gives the file the mode of the file it replaces (or 0666 less the
 * umask for a new one) and renames it onto the target; afile_abort closes and removes it. Until
 * the rename the previous file is untouched, so a full disk, a write error, a failed run or a
 * signal leaves the previous good result in place.
 *
 * Not every path is a regular file: "-" is stdout, and devices, FIFOs and sockets (and a
 * descriptor's own name, /dev/stdout, /dev/stderr, /dev/fd/N, or anything under /proc/) are opened
 * and written directly, with no temporary.
 * Symbolic links are followed: the temporary goes in the directory of the link's final target,
 * and the rename replaces the target, so the link stays a link.
 *
 * Signals: afile_signals_install() makes SIGINT and SIGTERM remove every temporary file still
 * open, print one line ("tpusim: interrupted by SIGINT; unfinished output files removed") and exit with
 * 128 + the signal (130, 143). SIGXFSZ is ignored, so a write over RLIMIT_FSIZE fails with EFBIG
 * and is reported like any other write error. A signal handler may call only async-signal-safe
 * functions and can reach only static data, so the temporary paths live in one fixed table of
 * AFILE_MAX_OPEN slots, each with a sig_atomic_t "in use" flag: that table is this module's only
 * global state and the handler touches nothing else (unlink, write, _exit).
 *
 * Errors are one line naming the label (the flag and path, e.g. "--out c.npy: ..."). */
#ifndef TP_BASE_ATOMIC_FILE_H
#define TP_BASE_ATOMIC_FILE_H
#include <stdbool.h>
#include <stdio.h>
#include "base/err.h"

#define AFILE_MAX_OPEN 16
#define AFILE_PATH_MAX 4096

typedef struct {
    FILE *f;               /* write here between open and commit/abort */
    char label[300];       /* "FLAG PATH" or "PATH", for messages */
    char *target;          /* the file the rename replaces (symlinks resolved); NULL when direct */
    char *tmp;             /* the temporary's path; NULL when direct */
    bool direct;           /* stdout, a device, a FIFO: written in place */
    bool is_stdout;
    int slot;              /* index in the signal table, -1 if none */
} afile;

/* Opens path for writing ("-" = stdout). flag (may be NULL) names the option in messages.
 * On failure *a is empty (afile_abort accepts it) and err says why. */
tp_status afile_open(afile *a, const char *flag, const char *path, bool binary, tp_err *err);
/* Flushes, syncs and renames into place; with `bad` (the caller's own write failed) or any
 * stream error it aborts instead and reports "LABEL: write error: why". Always releases *a. */
tp_status afile_commit(afile *a, bool bad, tp_err *err);
/* Closes and removes the temporary (a direct stream is flushed, stdout is left open).
 * Accepts an empty or already released afile. */
void afile_abort(afile *a);

/* Checks, before any work, that path could be written: its directory exists and is writable,
 * it is not a directory itself. "-" always passes. Error: "FLAG PATH: why". */
tp_status afile_check(const char *flag, const char *path, tp_err *err);
/* True when two output paths name the same file: equal after following symlinks and resolving
 * the directory ("./c.npy" and "c.npy", a link and its target). "-" never clashes here (two
 * stdouts are the caller's check). */
bool afile_same(const char *a, const char *b);

/* SIGINT/SIGTERM clean-up and SIGXFSZ ignored; see above. Idempotent. */
void afile_signals_install(void);
#endif
