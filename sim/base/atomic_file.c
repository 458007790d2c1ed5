/* Atomic output files (see atomic_file.h). */
#define _XOPEN_SOURCE 700   /* realpath */
#include "base/atomic_file.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- the signal table: the module's only global state ------------------------------------
 * A handler can reach only static storage and call only async-signal-safe functions, so the
 * temporaries still open are kept here: a path per slot and a sig_atomic_t flag that is set
 * (after the path is written) before the file is created and cleared after it is renamed or
 * removed. The handler unlinks every slot in use; unlinking a name that was just renamed away
 * fails harmlessly. Slots are taken and released by the thread that writes outputs. */
static char sig_paths[AFILE_MAX_OPEN][AFILE_PATH_MAX];
static volatile sig_atomic_t sig_used[AFILE_MAX_OPEN];
static volatile sig_atomic_t sig_installed;

static void on_signal(int sig)
{
    static const char m_int[] = "tpusim: interrupted by SIGINT; unfinished output files removed\n";
    static const char m_term[] = "tpusim: terminated by SIGTERM; unfinished output files removed\n";
    for (int i = 0; i < AFILE_MAX_OPEN; i++)
        if (sig_used[i])
            (void)unlink(sig_paths[i]);
    if (sig == SIGINT)
        (void)!write(2, m_int, sizeof m_int - 1);
    else
        (void)!write(2, m_term, sizeof m_term - 1);
    _exit(128 + sig);
}

void afile_signals_install(void)
{
    if (sig_installed)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* a write past RLIMIT_FSIZE then fails with EFBIG and is reported, instead of killing us
     * with the temporary left behind */
    signal(SIGXFSZ, SIG_IGN);
    sig_installed = 1;
}

static int slot_take(const char *path)
{
    if (strlen(path) >= AFILE_PATH_MAX)
        return -1;
    for (int i = 0; i < AFILE_MAX_OPEN; i++)
        if (!sig_used[i]) {
            memcpy(sig_paths[i], path, strlen(path) + 1);
            sig_used[i] = 1;
            return i;
        }
    return -1;
}

static void slot_release(int i)
{
    if (i >= 0 && i < AFILE_MAX_OPEN)
        sig_used[i] = 0;
}

/* ---- paths --------------------------------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* The directory part of path ("." when it has none), malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return dup_str(".");
    if (slash == path)
        return dup_str("/");
    size_t n = (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Follows symbolic links (also dangling ones: the rename then creates the target). Returns a
 * malloc'd path, NULL with errno set (ELOOP after 40 links, ENOMEM). */
static char *follow_links(const char *path)
{
    char *cur = dup_str(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur;
        if (hops == 40) {
            free(cur);
            errno = ELOOP;
            return NULL;
        }
        char link[AFILE_PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            free(cur);
            return NULL;
        }
        link[n] = 0;
        char *next;
        if (link[0] == '/') {
            next = dup_str(link);
        } else {
            char *d = dir_of(cur);
            size_t len = (d ? strlen(d) : 0) + 1 + (size_t)n + 1;
            next = d ? malloc(len) : NULL;
            if (next)
                snprintf(next, len, "%s/%s", d, link);
            free(d);
        }
        free(cur);
        cur = next;
    }
    errno = ENOMEM;
    return NULL;
}

/* Paths written in place although they may resolve to a regular file: a descriptor's own name
 * (/dev/stdout when stdout is redirected to a file must append to that open file, not replace
 * it) and anything in /proc. Other /dev entries are devices (written in place as such) or, like
 * /dev/shm, ordinary files that get the temporary and the rename. */
static bool special_path(const char *path)
{
    return !strncmp(path, "/proc/", 6) || !strncmp(path, "/dev/fd/", 8) || !strcmp(path, "/dev/stdout") ||
           !strcmp(path, "/dev/stderr");
}

static void set_label(afile *a, const char *flag, const char *path)
{
    if (flag)
        snprintf(a->label, sizeof a->label, "%s %s", flag, path);
    else
        snprintf(a->label, sizeof a->label, "%s", path);
}

/* ---- open, commit, abort ------------------------------------------------------------------- */

tp_status afile_open(afile *a, const char *flag, const char *path, bool binary, tp_err *err)
{
    memset(a, 0, sizeof *a);
    a->slot = -1;
    set_label(a, flag, path);
    if (!strcmp(path, "-")) {
        a->f = stdout;
        a->direct = a->is_stdout = true;
        return TP_OK;
    }
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return tp_err_set(err, TP_ERR_IO, "%s: cannot open for writing: %s", a->label, strerror(EISDIR));
    if (special_path(path) || (exists && !S_ISREG(st.st_mode))) {
        /* a device, FIFO or socket: there is nothing to replace, write it as it is */
        if (!(a->f = fopen(path, binary ? "wb" : "w")))
            return tp_err_set(err, TP_ERR_IO, "%s: cannot open for writing: %s", a->label, strerror(errno));
        a->direct = true;
        return TP_OK;
    }
    if (!(a->target = follow_links(path)))
        return tp_err_set(err, TP_ERR_IO, "%s: cannot open for writing: %s", a->label, strerror(errno));
    char *dir = dir_of(a->target);
    size_t cap = (dir ? strlen(dir) : 0) + strlen(base_of(a->target)) + 48;
    a->tmp = dir ? malloc(cap) : NULL;
    if (!a->tmp) {
        free(dir);
        afile_abort(a);
        return tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory for the temporary file's name", a->label);
    }
    int fd = -1, e = 0;
    static unsigned counter;   /* makes names unique within the process; only the writing thread uses it */
    for (int tries = 0; tries < 100 && fd < 0; tries++) {
        snprintf(a->tmp, cap, "%s/.%s.tmp-%ld-%u", dir, base_of(a->target), (long)getpid(), counter++);
        a->slot = slot_take(a->tmp);
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        e = errno;
        if (fd < 0) {
            slot_release(a->slot);
            a->slot = -1;
            if (e != EEXIST)
                break;
        }
    }
    free(dir);
    if (fd < 0) {
        free(a->tmp);
        a->tmp = NULL;
        afile_abort(a);
        return tp_err_set(err, TP_ERR_IO, "%s: cannot open for writing: %s", a->label, strerror(e));
    }
    /* the file it replaces keeps its permissions (a new one gets 0666 less the umask) */
    if (exists) {
        (void)fchmod(fd, st.st_mode & 07777);
        if (st.st_uid != geteuid() || st.st_gid != getegid())
            (void)!fchown(fd, st.st_uid, st.st_gid);
    }
    if (!(a->f = fdopen(fd, binary ? "wb" : "w"))) {
        e = errno;
        close(fd);
        afile_abort(a);
        return tp_err_set(err, TP_ERR_NOMEM, "%s: cannot open for writing: %s", a->label, strerror(e));
    }
    return TP_OK;
}

void afile_abort(afile *a)
{
    if (a->f) {
        if (a->is_stdout)
            fflush(a->f);
        else
            fclose(a->f);
    }
    a->f = NULL;
    if (a->tmp) {
        unlink(a->tmp);
        free(a->tmp);
        a->tmp = NULL;
    }
    slot_release(a->slot);
    a->slot = -1;
    free(a->target);
    a->target = NULL;
}

static tp_status write_error(afile *a, int e, tp_err *err)
{
    char label[sizeof a->label];
    memcpy(label, a->label, sizeof label);
    afile_abort(a);
    if (e)
        return tp_err_set(err, TP_ERR_IO, "%s: write error: %s", label, strerror(e));
    return tp_err_set(err, TP_ERR_IO, "%s: write error", label);
}

tp_status afile_commit(afile *a, bool bad, tp_err *err)
{
    if (!a->f)
        return tp_err_set(err, TP_ERR_IO, "%s: write error", a->label);
    int e0 = errno;   /* a failed fwrite left its reason here */
    if (bad || ferror(a->f))
        return write_error(a, e0, err);
    if (fflush(a->f) != 0 || ferror(a->f))
        return write_error(a, errno, err);
    if (a->is_stdout) {
        a->f = NULL;
        return TP_OK;
    }
    if (a->direct) {
        FILE *f = a->f;
        a->f = NULL;
        if (fclose(f) != 0)
            return write_error(a, errno, err);
        return TP_OK;
    }
    if (fsync(fileno(a->f)) != 0)
        return write_error(a, errno, err);
    FILE *f = a->f;
    a->f = NULL;
    if (fclose(f) != 0)
        return write_error(a, errno, err);
    if (rename(a->tmp, a->target) != 0) {
        int e = errno;
        char label[sizeof a->label];
        memcpy(label, a->label, sizeof label);
        afile_abort(a);
        return tp_err_set(err, TP_ERR_IO, "%s: cannot replace the file: %s", label, strerror(e));
    }
    free(a->tmp);
    a->tmp = NULL;
    slot_release(a->slot);
    a->slot = -1;
    /* the rename itself survives a crash once the directory is synced (best effort) */
    char *dir = dir_of(a->target);
    int dfd = dir ? open(dir, O_RDONLY | O_CLOEXEC) : -1;
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(dir);
    free(a->target);
    a->target = NULL;
    return TP_OK;
}

/* ---- checks before a run ------------------------------------------------------------------- */

tp_status afile_check(const char *flag, const char *path, tp_err *err)
{
    afile a;
    set_label(&a, flag, path);
    if (!strcmp(path, "-"))
        return TP_OK;
    if (!*path)
        return tp_err_set(err, TP_ERR_USAGE, "%s: expected a file name or -, got an empty one", flag ? flag : "output");
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return tp_err_set(err, TP_ERR_USAGE, "%s: cannot open for writing: %s", a.label, strerror(EISDIR));
        if (!S_ISREG(st.st_mode) || special_path(path))
            return access(path, W_OK) == 0 ? TP_OK
                   : tp_err_set(err, TP_ERR_USAGE, "%s: cannot open for writing: %s", a.label, strerror(errno));
    }
    char *target = follow_links(path);
    if (!target)
        return tp_err_set(err, TP_ERR_USAGE, "%s: cannot open for writing: %s", a.label, strerror(errno));
    char *dir = dir_of(target);
    tp_status rc = TP_OK;
    if (!dir)
        rc = tp_err_set(err, TP_ERR_NOMEM, "%s: out of memory for the directory's name", a.label);
    else if (stat(dir, &st) != 0)
        rc = tp_err_set(err, TP_ERR_USAGE, "%s: cannot open for writing: directory '%s' does not exist", a.label, dir);
    else if (!S_ISDIR(st.st_mode))
        rc = tp_err_set(err, TP_ERR_USAGE, "%s: cannot open for writing: '%s' is not a directory", a.label, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = tp_err_set(err, TP_ERR_USAGE, "%s: cannot open for writing: directory '%s' is not writable (%s)", a.label,
                        dir, strerror(errno));
    free(dir);
    free(target);
    return rc;
}

/* The canonical name of an output: its real directory and its base name, after links. */
static char *canonical(const char *path)
{
    char *t = follow_links(path);
    if (!t)
        return NULL;
    char *d = dir_of(t);
    char *rd = d ? realpath(d, NULL) : NULL;
    char *out = NULL;
    if (rd) {
        size_t n = strlen(rd) + strlen(base_of(t)) + 2;
        if ((out = malloc(n)))
            snprintf(out, n, "%s/%s", rd, base_of(t));
    }
    free(rd);
    free(d);
    free(t);
    return out;
}

bool afile_same(const char *a, const char *b)
{
    if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-"))
        return false;
    if (!strcmp(a, b))
        return true;
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ca = canonical(a), *cb = canonical(b);
    bool same = ca && cb && !strcmp(ca, cb);
    free(ca);
    free(cb);
    return same;
}
