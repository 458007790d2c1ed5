/* libFuzzer target: sweep files (`tpusim sweep SWEEP.yaml`, sweep_parse) and the sweep CSV read
 * back by --resume and --merge (sweep_csv_parse). Each input goes to both readers.
 * An accepted sweep has exactly one of gemms and workload, at most SWEEP_MAX_AXES axes, every
 * axis at least one value and at most SWEEP_MAX_VALUES, a point count equal to the product of the axes'
 * values and the GEMMs (at most SWEEP_MAX_POINTS), and every point's indices in range; an
 * accepted CSV has its rows' byte ranges inside the text, each row's point below the header's
 * count and no point twice. A refused input names the file and leaves nothing allocated
 * (sweep_free / sweep_csv_free on it are no-ops that ASan checks). Seeds: kernels/sweeps/ and
 * CSV files a quick sweep writes (tests/fuzz/corpus.sh). */
#include "fuzz.h"
#include "work/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sweep_file(const char *text, size_t size)
{
    sweep_spec s;
    tp_err err = {0};
    tp_status st = sweep_parse("fuzz.yaml", text, size, &s, &err);
    if (fz_check(st, &err, "fuzz.yaml")) {
        uint64_t n = s.n_gemms ? s.n_gemms : 1;
        if (s.n_axes > SWEEP_MAX_AXES || (!s.n_gemms) == (!s.workload))
            fz_fail("accepted a sweep with too many axes, or not exactly one of gemms and workload", st, &err);
        for (size_t a = 0; a < s.n_axes; a++) {
            if (s.axes[a].n_values < 1 || s.axes[a].n_values > SWEEP_MAX_VALUES)
                fz_fail("accepted an axis with no values or too many", st, &err);
            n *= s.axes[a].n_values;
        }
        if (n != s.n_points || n > SWEEP_MAX_POINTS)
            fz_fail("the point count is not the product of the axes and GEMMs", st, &err);
        size_t idx[SWEEP_MAX_AXES], g;
        sweep_point(&s, s.n_points - 1, &g, idx);   /* the last point's indices are in range */
        if (s.n_gemms && g >= s.n_gemms)
            fz_fail("the last point's GEMM is out of range", st, &err);
        for (size_t a = 0; a < s.n_axes; a++)
            if (idx[a] >= s.axes[a].n_values)
                fz_fail("the last point's value index is out of range", st, &err);
    }
    sweep_free(&s);
}

static void sweep_csv_text(const char *text, size_t size)
{
    sweep_csv c;
    tp_err err = {0};
    tp_status st = sweep_csv_parse("fuzz.csv", text, size, &c, &err);
    if (fz_check(st, &err, "fuzz.csv")) {
        if (c.good_bytes > size || c.header_bytes > c.good_bytes)
            fz_fail("byte counts past the text", st, &err);
        for (size_t r = 0; r < c.n_rows; r++) {
            if (c.row_off[r] + c.row_len[r] > size)
                fz_fail("a row's bytes past the text", st, &err);
            if (c.has_meta && c.point[r] >= c.meta.points)
                fz_fail("a row's point is not below the header's count", st, &err);
            for (size_t q = 0; q < r; q++)
                if (c.point[q] == c.point[r])
                    fz_fail("a point accepted twice", st, &err);
        }
    }
    sweep_csv_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    sweep_file(text, size);
    sweep_csv_text(text, size);
    free(text);
    return 0;
}
