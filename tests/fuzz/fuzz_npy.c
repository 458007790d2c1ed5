/* libFuzzer target: .npy files (npy_read, the reader behind --in, --a, --b and `tpusim npy
 * show`). npy_read takes a path, so each input is written to a file of this process's own
 * (fuzz-<pid>.npy in $TMPDIR or /tmp) first. An accepted file's data fits in the bytes given;
 * a refused one names the file. Seeds: tests/fuzz/seeds/npy/ (written by `make fuzz-corpus`
 * with `tpusim npy rand`). */
#include "fuzz.h"
#include <unistd.h>
#include "base/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/fuzz-%ld.npy", dir && *dir ? dir : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    npy_mat m = {0};
    tp_err err = {0};
    tp_status st = npy_read(path, &m, &err);
    if (fz_check(st, &err, path)) {
        if ((uint64_t)m.rows * m.cols * npy_dtype_size(m.dtype) > size)
            fz_fail("accepted a file whose data does not fit in it", st, &err);
        if (!m.data && (uint64_t)m.rows * m.cols > 0)
            fz_fail("accepted a file without data", st, &err);
    } else if (m.data) {
        fz_fail("a refused file left data", st, &err);
    }
    npy_free(&m);
    /* the same bytes read as bf16 (npy_read_as: a float32 file is rounded, other dtypes refused) */
    st = npy_read_as(path, NPY_BF16, &m, &err);
    fz_check(st, &err, path);
    npy_free(&m);
    unlink(path);
    return 0;
}
