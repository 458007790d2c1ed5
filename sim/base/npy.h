/* NumPy .npy files: read versions 1.0, 2.0 (and 3.0, same layout), write version 1.0.
 *
 * Only 2-D C-order arrays are produced. A 1-D file of shape (N,) is read as 1 x N and a 0-D
 * file is refused. dtypes (descr): int8 "|i1" (also "<i1"), int32 "<i4", float32 "<f4", and
 * bf16 as raw bits "<u2". Big-endian files (">i4", ">f4", ">u2") are read and byte-swapped; the
 * stored descr is then the little-endian spelling. Shapes are capped at NPY_MAX_ELEMS elements.
 *
 * Errors are TP_ERR_NPY (TP_ERR_IO for open/read/write failures, TP_ERR_NOMEM for allocation),
 * one line naming the file: "x.npy: bad magic (not a .npy file)". The reader never reads past
 * the bytes it has.
 */
#ifndef TP_BASE_NPY_H
#define TP_BASE_NPY_H
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "base/dtype.h"

#define NPY_MAX_ELEMS (1ull << 31)

typedef enum {
    NPY_INT8 = 0,   /* "|i1" */
    NPY_INT32,      /* "<i4" */
    NPY_F32,        /* "<f4" */
    NPY_BF16,       /* "<u2": bf16 bit patterns */
    NPY_DTYPE__COUNT
} npy_dtype;

typedef struct {
    char descr[8];        /* canonical spelling: "|i1", "<i4", "<f4", "<u2" */
    npy_dtype dtype;
    uint32_t rows, cols;
    void *data;           /* rows*cols elements, row-major, host (little-endian) order; malloc'd */
} npy_mat;

const char *npy_dtype_descr(npy_dtype dt);   /* "|i1" "<i4" "<f4" "<u2" */
const char *npy_dtype_name(npy_dtype dt);    /* "int8" "int32" "float32" "bf16" */
size_t npy_dtype_size(npy_dtype dt);         /* 1 4 4 2 (0 out of range) */
/* The file dtype of a matrix-unit input dtype: TP_INT8 -> NPY_INT8, TP_BF16 -> NPY_BF16. */
npy_dtype npy_dtype_of_input(tp_dtype dt);

/* Reads a .npy file as it is. On failure *m is empty (data NULL) and err names the file. */
tp_status npy_read(const char *path, npy_mat *m, tp_err *err);
/* Reads and converts to `want`: a float32 file where bf16 is wanted is rounded with
 * dtype_f32_to_bf16; any other difference is an error naming both dtypes, e.g.
 * "a.npy: dtype is int32 ('<i4'), expected int8 ('|i1')". */
tp_status npy_read_as(const char *path, npy_dtype want, npy_mat *m, tp_err *err);
/* Writes a version 1.0 file exactly as numpy.save does. descr is one of the four above (or
 * "<i1"); data holds rows*cols elements row-major. */
tp_status npy_write(const char *path, const char *descr, uint32_t rows, uint32_t cols,
                    const void *data, tp_err *err);
/* As npy_write, with errors naming the flag ("--out c.npy: write error: ..."). Both write a
 * temporary file and rename it into place (base/atomic_file.h); "-" is stdout. */
tp_status npy_write_flag(const char *flag, const char *path, const char *descr, uint32_t rows, uint32_t cols,
                         const void *data, tp_err *err);
/* Frees m->data and empties *m; accepts an empty or failed read. */
void npy_free(npy_mat *m);
#endif
