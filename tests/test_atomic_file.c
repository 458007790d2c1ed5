/* Atomic output files: a temporary renamed into place, the previous file kept on failure. */
#include "harness.h"
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/atomic_file.h"

static void dir_for(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/af-%s", th_tmpdir(), name);
    mkdir(buf, 0777);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void expect_content(const char *path, const char *text)
{
    char buf[256] = {0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_string_equal(buf, text);
}

/* How many entries besides . and .. the directory holds (no temporaries left behind). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void commit_replaces_abort_keeps(void **state)
{
    (void)state;
    char dir[512], path[600];
    dir_for(dir, sizeof dir, "basic");
    snprintf(path, sizeof path, "%s/out.txt", dir);
    put(path, "old\n");
    chmod(path, 0640);
    afile a;
    tp_err err = {0};
    assert_int_equal(afile_open(&a, "--json", path, false, &err), TP_OK);
    fputs("new\n", a.f);
    expect_content(path, "old\n");          /* nothing visible before the commit */
    assert_int_equal(entries(dir), 2);      /* the target and the temporary */
    afile_abort(&a);
    expect_content(path, "old\n");
    assert_int_equal(entries(dir), 1);
    assert_int_equal(afile_open(&a, "--json", path, false, &err), TP_OK);
    fputs("new\n", a.f);
    assert_int_equal(afile_commit(&a, false, &err), TP_OK);
    expect_content(path, "new\n");
    assert_int_equal(entries(dir), 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);   /* the replaced file's mode is kept */
    /* the caller's own failure aborts the commit, names the flag and keeps the old file */
    assert_int_equal(afile_open(&a, "--json", path, false, &err), TP_OK);
    fputs("torn", a.f);
    assert_int_equal(afile_commit(&a, true, &err), TP_ERR_IO);
    assert_non_null(strstr(err.msg, "--json "));
    assert_non_null(strstr(err.msg, "out.txt: write error"));
    expect_content(path, "new\n");
    assert_int_equal(entries(dir), 1);
}

static void symlink_followed(void **state)
{
    (void)state;
    char dir[512], sub[600], target[700], link[700];
    dir_for(dir, sizeof dir, "link");
    snprintf(sub, sizeof sub, "%s/real", dir);
    mkdir(sub, 0777);
    snprintf(target, sizeof target, "%s/t.txt", sub);
    snprintf(link, sizeof link, "%s/l.txt", dir);
    put(target, "old\n");
    unlink(link);
    assert_int_equal(symlink("real/t.txt", link), 0);
    afile a;
    tp_err err = {0};
    assert_int_equal(afile_open(&a, NULL, link, false, &err), TP_OK);
    fputs("via link\n", a.f);
    assert_int_equal(afile_commit(&a, false, &err), TP_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));        /* still a link */
    expect_content(target, "via link\n");    /* the target was replaced */
    assert_int_equal(entries(sub), 1);
    assert_true(afile_same(link, target));
}

static void direct_and_full(void **state)
{
    (void)state;
    afile a;
    tp_err err = {0};
    /* /dev/full is a device: written in place, and its ENOSPC is a write error */
    assert_int_equal(afile_open(&a, "--out", "/dev/full", true, &err), TP_OK);
    assert_true(a.direct);
    fputs("x", a.f);
    assert_int_equal(afile_commit(&a, false, &err), TP_ERR_IO);
    assert_string_equal(err.msg, "--out /dev/full: write error: No space left on device");
    assert_int_equal(afile_open(&a, NULL, "-", false, &err), TP_OK);
    assert_true(a.is_stdout);
    afile_abort(&a);
}

static void checks_before_a_run(void **state)
{
    (void)state;
    char dir[512], p[700];
    tp_err err = {0};
    dir_for(dir, sizeof dir, "check");
    snprintf(p, sizeof p, "%s/no-such/c.npy", dir);
    assert_int_equal(afile_check("--out", p, &err), TP_ERR_USAGE);
    char want[1600];
    snprintf(want, sizeof want, "--out %s: cannot open for writing: directory '%s/no-such' does not exist", p, dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(afile_check("--json", dir, &err), TP_ERR_USAGE);
    snprintf(want, sizeof want, "--json %s: cannot open for writing: Is a directory", dir);
    assert_string_equal(err.msg, want);
    snprintf(p, sizeof p, "%s/c.npy", dir);
    assert_int_equal(afile_check("--out", p, &err), TP_OK);
    assert_int_equal(afile_check("--out", "-", &err), TP_OK);
    assert_int_equal(afile_check("--out", "/dev/null", &err), TP_OK);
    /* the same file under two spellings */
    char cwd[512], rel[700];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    snprintf(rel, sizeof rel, "%s/./c.npy", dir);
    assert_true(afile_same("c.npy", rel));
    assert_true(afile_same("./c.npy", "c.npy"));
    assert_false(afile_same("c.npy", "d.npy"));
    assert_false(afile_same("-", "-"));
    assert_int_equal(chdir(cwd), 0);
}

TH_GROUP(atomic_file)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commit_replaces_abort_keeps),
        cmocka_unit_test(symlink_followed),
        cmocka_unit_test(direct_and_full),
        cmocka_unit_test(checks_before_a_run),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
