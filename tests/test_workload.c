/* Workload files: YAML layer lists and SCALE-Sim topology CSVs (GEMM and conv forms).
 * Expected shapes are worked by hand from the formulas in workload.h:
 *   out = ceil((in - f) / s) + 1,  M = out_h*out_w,  N = filters,  K = f_h*f_w*channels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "work/workload.h"

static workload parse_yaml_ok(const char *text)
{
    workload w;
    tp_err err = {0};
    tp_status st = workload_parse_yaml("w.yaml", text, strlen(text), &w, &err);
    if (st != TP_OK)
        fail_msg("unexpected error: %s", err.msg);
    return w;
}

static void yaml_error(const char *text, const char *want)
{
    workload w;
    tp_err err = {0};
    tp_status st = workload_parse_yaml("w.yaml", text, strlen(text), &w, &err);
    assert_int_not_equal(st, TP_OK);
    if (strcmp(err.msg, want))
        fail_msg("message\n  got:  %s\n  want: %s", err.msg, want);
    assert_null(w.layers);
    workload_free(&w);
}

/* tile: and order: fix a layer's tiling; absent, the search chooses (zeros and ""). */
static void yaml_tile_and_order(void **state)
{
    (void)state;
    workload w = parse_yaml_ok("layers:\n"
                               "  - {name: a, M: 200, N: 2000, K: 2000, tile: 200x256x2000, order: nmk}\n"
                               "  - {name: b, M: 8, N: 8, K: 8}\n");
    assert_int_equal(w.layers[0].tm, 200);
    assert_int_equal(w.layers[0].tn, 256);
    assert_int_equal(w.layers[0].tk, 2000);
    assert_string_equal(w.layers[0].order, "nmk");
    assert_int_equal(w.layers[1].tm, 0);
    assert_string_equal(w.layers[1].order, "");
    workload_free(&w);
    yaml_error("layers:\n  - {name: a, M: 8, N: 8, K: 8, tile: 8x8}\n",
               "w.yaml:2:39: tile: expected MxNxK (three sizes of at least 1), got '8x8'");
    yaml_error("layers:\n  - {name: a, M: 8, N: 8, K: 8, order: mmk}\n",
               "w.yaml:2:40: order: expected a permutation of m, n, k, got 'mmk'");
}

static void csv_error(const char *text, const char *want)
{
    workload w;
    tp_err err = {0};
    tp_status st = workload_parse_csv("t.csv", text, strlen(text), &w, &err);
    assert_int_not_equal(st, TP_OK);
    if (strcmp(err.msg, want))
        fail_msg("message\n  got:  %s\n  want: %s", err.msg, want);
    workload_free(&w);
}

static void yaml_layers_parse(void **state)
{
    (void)state;
    workload w = parse_yaml_ok(
        "name: tiny\n"
        "dtype: bf16\n"
        "layers:\n"
        "  - {name: a, M: 3, N: 5, K: 7}\n"
        "  - name: b\n"
        "    m: 200\n"
        "    n: 2000\n"
        "    k: 2000\n"
        "    repeat: 4\n"
        "    dtype: int8\n"
        "    epilogue: relu\n");
    assert_string_equal(w.name, "tiny");
    assert_true(w.has_dtype);
    assert_int_equal(w.dtype, TP_BF16);
    assert_int_equal(w.n_layers, 2);
    assert_string_equal(w.layers[0].name, "a");
    assert_int_equal(w.layers[0].m, 3);
    assert_int_equal(w.layers[0].n, 5);
    assert_int_equal(w.layers[0].k, 7);
    assert_int_equal(w.layers[0].repeat, 1);
    assert_false(w.layers[0].has_dtype);
    assert_int_equal(w.layers[0].epilogue, GEMM_EPI_NONE);
    assert_int_equal(w.layers[0].line, 4);
    assert_int_equal(w.layers[1].repeat, 4);
    assert_true(w.layers[1].has_dtype);
    assert_int_equal(w.layers[1].dtype, TP_INT8);
    assert_int_equal(w.layers[1].epilogue, GEMM_EPI_RELU);
    assert_int_equal(w.layers[1].line, 5);
    /* 3*5*7 + 4 * 200*2000*2000 */
    assert_true(workload_total_macs(&w) == 105ull + 4ull * 800000000ull);
    workload_free(&w);
}

static void yaml_errors_are_positioned(void **state)
{
    (void)state;
    yaml_error("layers:\n  - {name: a, M: 3, N: x, K: 7}\n",
               "w.yaml:2:24: N: expected a whole number in [1, 16777216], got 'x'");
    yaml_error("layers:\n  - {name: a, M: 0, N: 1, K: 7}\n",
               "w.yaml:2:18: M: expected a whole number in [1, 16777216], got '0'");
    yaml_error("layers:\n  - {name: a, M: 3, N: 5, K: 7, repeats: 2}\n",
               "w.yaml:2:33: unknown layer key 'repeats' (expected name, M, N, K, repeat, dtype, epilogue, input, tile, order)");
    yaml_error("layers:\n  - {name: a, M: 3, N: 5}\n", "w.yaml:2:5: layer 'a' has no K");
    yaml_error("layers:\n  - {name: a, M: 3, N: 5, K: 7, dtype: fp8}\n",
               "w.yaml:2:40: dtype: expected int8 or bf16, got 'fp8'");
    yaml_error("layers:\n  - {name: a, M: 3, N: 5, K: 7, epilogue: gelu}\n",
               "w.yaml:2:43: epilogue: expected none, relu or requant, got 'gelu'");
    yaml_error("name: x\n", "w.yaml:1:1: workload: no 'layers:' list");
    yaml_error("layers: []\n", "w.yaml:1:9: layers: the list is empty");
    yaml_error("", "w.yaml:1:1: empty workload (expected 'layers:')");
    /* libyaml's own syntax error, with its (1-based) position */
    yaml_error("layers:\n  - {name: a, M: 3\n", "w.yaml:3:1: did not find expected ',' or '}'");
}

/* A key given twice (also as M and m), a second 'layers:' and a second YAML document are errors,
 * not silently resolved to one of them; a bad UTF-8 byte is reported where it is. */
static void yaml_duplicates_and_positions(void **state)
{
    (void)state;
    /* the second M is at column 33 of line 2; the first at column 15 */
    yaml_error("layers:\n  - {name: a, M: 4, N: 4, K: 4, M: 8}\n",
               "w.yaml:2:33: duplicate key 'M' (first given at line 2, column 15)");
    yaml_error("layers:\n  - {name: a, M: 4, N: 4, K: 4, m: 8}\n",
               "w.yaml:2:33: duplicate key 'm' (first given at line 2, column 15)");
    yaml_error("layers:\n  - {name: a, M: 4, N: 4, K: 4}\nlayers:\n  - {name: b, M: 4, N: 4, K: 4}\n",
               "w.yaml:3:1: duplicate key 'layers' (first given at line 1, column 1)");
    yaml_error("layers:\n  - {name: a, M: 4, N: 4, K: 4}\n---\nlayers: []\n",
               "w.yaml:4:1: a workload holds one YAML document; found a second one");
    /* 0xff is byte 26 of the flow mapping that starts at column 5 of line 3: column 30 */
    yaml_error("layers:\n  - {name: a, M: 4, N: 4, K: 4}\n  - {name: b, M: 4, N: 4, K: \xff}\n",
               "w.yaml:3:30: invalid leading UTF-8 octet");
}

/* input: NAME resolves to the index of the earlier layer of that name; a layer without it reads
 * from off-chip memory (-1), whatever its shape: q, k and v below have one shape and are
 * independent, only `out` names its producer (v, two layers back). */
static void yaml_input_resolves(void **state)
{
    (void)state;
    workload w = parse_yaml_ok(
        "layers:\n"
        "  - {name: q, M: 128, N: 768, K: 768}\n"
        "  - {name: k, M: 128, N: 768, K: 768}\n"
        "  - {name: v, M: 128, N: 768, K: 768}\n"
        "  - {name: out, M: 128, N: 64, K: 768, input: v}\n"
        "  - name: up\n"
        "    M: 128\n"
        "    N: 32\n"
        "    K: 64\n"
        "    input: out\n");
    assert_int_equal(w.n_layers, 5);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(w.layers[i].input, -1);
        assert_string_equal(w.layers[i].input_name, "");
        assert_int_equal(w.layers[i].input_line, 0);
    }
    assert_int_equal(w.layers[3].input, 2);
    assert_string_equal(w.layers[3].input_name, "v");
    /* "  - {name: out, M: 128, N: 64, K: 768, input: " is 46 characters: the value is column 47 */
    assert_int_equal(w.layers[3].input_line, 5);
    assert_int_equal(w.layers[3].input_col, 47);
    assert_int_equal(w.layers[4].input, 3);
    assert_int_equal(w.layers[4].input_line, 10);
    assert_int_equal(w.layers[4].input_col, 12);
    workload_free(&w);
}

/* Every refusal of input: is one line at the value's position (the key for a duplicate). */
static void yaml_input_refusals(void **state)
{
    (void)state;
    /* unknown, with the closest earlier name; column 42 is the value after "input: " */
    yaml_error("layers:\n  - {name: fc1, M: 2, N: 3, K: 4}\n  - {name: fc2, M: 2, N: 3, K: 3, input: fc9}\n",
               "w.yaml:3:42: input: no earlier layer is named 'fc9' (did you mean 'fc1'?)");
    yaml_error("layers:\n  - {name: fc1, M: 2, N: 3, K: 4}\n  - {name: fc2, M: 2, N: 3, K: 3, input: attn}\n",
               "w.yaml:3:42: input: no earlier layer is named 'attn'");
    /* the first layer has nothing before it to suggest */
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 4, input: b}\n",
               "w.yaml:2:40: input: no earlier layer is named 'b'");
    /* itself, and a later layer */
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 3, input: a}\n",
               "w.yaml:2:40: input: layer 'a' cannot read its own output");
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 3, input: b}\n  - {name: b, M: 2, N: 3, K: 4}\n",
               "w.yaml:2:40: input: layer 'b' (line 3) comes after 'a'; a layer reads only an earlier layer's output");
    /* shapes: a gives 2x3, b reads 2x4 (K differs), c reads 5x3 (M differs) */
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 4}\n  - {name: b, M: 2, N: 3, K: 4, input: a}\n",
               "w.yaml:3:40: input: 'a' gives 2x3 (M x N) but 'b' reads 2x4 (M x K)");
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 4}\n  - {name: c, M: 5, N: 3, K: 3, input: a}\n",
               "w.yaml:3:40: input: 'a' gives 2x3 (M x N) but 'c' reads 5x3 (M x K)");
    /* two earlier layers of that name */
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 4}\n  - {name: a, M: 2, N: 3, K: 4}\n"
               "  - {name: b, M: 2, N: 3, K: 3, input: a}\n",
               "w.yaml:4:40: input: 2 earlier layers are named 'a' (lines 2 and 3); give them distinct names");
    /* not a name: empty, a list; given twice */
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 3, input: ''}\n",
               "w.yaml:2:40: input: expected the name of an earlier layer");
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 3, input: [x]}\n",
               "w.yaml:2:40: input: expected the name of an earlier layer");
    yaml_error("layers:\n  - {name: a, M: 2, N: 3, K: 3}\n  - {name: b, M: 2, N: 3, K: 3, input: a, input: a}\n",
               "w.yaml:3:43: duplicate key 'input' (first given at line 3, column 33)");
}

/* M*N*K of the largest accepted layer is 2^72: the MAC counts saturate instead of wrapping. */
static void macs_saturate(void **state)
{
    (void)state;
    workload w = parse_yaml_ok("layers:\n"
                                  "  - {name: a, M: 1000, N: 2000, K: 3, repeat: 5}\n"       /* 6*10^6 x 5 */
                                  "  - {name: b, M: 16777216, N: 16777216, K: 16777216}\n"); /* 2^72 */
    assert_true(workload_layer_macs(&w.layers[0]) == 6000000ull);
    assert_true(workload_layer_macs(&w.layers[1]) == UINT64_MAX);   /* wrapping gave 0 */
    assert_true(workload_total_macs(&w) == UINT64_MAX);
    w.n_layers = 1;
    assert_true(workload_total_macs(&w) == 30000000ull);
    w.n_layers = 2;
    workload_free(&w);
}

static void csv_gemm_form(void **state)
{
    (void)state;
    const char *t = "Layer, M, N, K,\nfc1, 197, 768, 3072,\n\n  fc2 ,1,2,3,extra,cols,\n";
    workload w;
    tp_err err = {0};
    assert_int_equal(workload_parse_csv("g.csv", t, strlen(t), &w, &err), TP_OK);
    assert_string_equal(w.name, "g");
    assert_int_equal(w.n_layers, 2);
    assert_string_equal(w.layers[0].name, "fc1");
    assert_int_equal(w.layers[0].m, 197);
    assert_int_equal(w.layers[0].n, 768);
    assert_int_equal(w.layers[0].k, 3072);
    assert_false(w.layers[0].conv);
    assert_string_equal(w.layers[1].name, "fc2");
    assert_int_equal(w.layers[1].line, 4);
    assert_int_equal(w.layers[1].k, 3);
    workload_free(&w);
    /* every layer is independent, even where one's M x N is the next one's M x K */
    t = "Layer, M, N, K,\nfc1, 12, 4, 4,\nfc2, 12, 4, 4,\n";
    assert_int_equal(workload_parse_csv("g.csv", t, strlen(t), &w, &err), TP_OK);
    assert_int_equal(w.n_layers, 2);
    assert_int_equal(w.layers[0].input, -1);
    assert_int_equal(w.layers[1].input, -1);
    workload_free(&w);
}

static void csv_conv_form_im2col(void **state)
{
    (void)state;
    const char *t = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
                    "c1, 224, 224, 7, 7, 3, 64, 2,\n"
                    "c2, 10, 12, 3, 5, 4, 8, 3,\n"
                    "DP1, 9, 9, 3, 3, 6, 6, 1,\n";
    workload w;
    tp_err err = {0};
    assert_int_equal(workload_parse_csv("c.csv", t, strlen(t), &w, &err), TP_OK);
    assert_int_equal(w.n_layers, 3);
    /* (224-7)/2 = 108.5 -> ceil 109, +1 = 110 */
    assert_int_equal(w.layers[0].out_h, 110);
    assert_int_equal(w.layers[0].m, 12100);
    assert_int_equal(w.layers[0].n, 64);
    assert_int_equal(w.layers[0].k, 147);
    /* h: (10-3)/3 = 2.33 -> 3, +1 = 4; w: (12-5)/3 = 2.33 -> 3, +1 = 4 */
    assert_int_equal(w.layers[1].m, 16);
    assert_int_equal(w.layers[1].k, 60);
    assert_int_equal(w.layers[1].n, 8);
    /* depthwise: 6 one-channel layers of (7*7) x 6 x 9 */
    assert_int_equal(w.layers[2].m, 49);
    assert_int_equal(w.layers[2].k, 9);
    assert_int_equal(w.layers[2].repeat, 6);
    workload_free(&w);
}

static void csv_errors_are_positioned(void **state)
{
    (void)state;
    csv_error("Layer, M, N, K,\nfc1, 12, x, 4,\n",
              "t.csv:2:10: N: expected a whole number in [1, 16777216], got 'x'");
    csv_error("Layer, M, N, K,\nfc1, 12, 3\n", "t.csv:2:11: expected 4 columns (Layer, M, N, K), found 3");
    csv_error("Layer, X, Y,\n", "t.csv:1:1: not a SCALE-Sim topology header: expected 'Layer, M, N, K,' or "
              "'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,'");
    csv_error("Layer, M, N, K,\n,,,,\n", "t.csv:2:1: no layers after the header row");
    csv_error("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
              "c, 4, 4, 5, 1, 1, 1, 1,\n", "t.csv:2:10: Filter Height 5 is larger than IFMAP Height 4");
    csv_error("Layer, M, N, K,\nfc1, 12, 99999999, 4,\n",
              "t.csv:2:10: N: expected a whole number in [1, 16777216], got '99999999'");
}

static workload load_ok(const char *rel)
{
    char path[512];
    workload w;
    tp_err err = {0};
    if (workload_load(th_path(path, sizeof path, rel), &w, &err) != TP_OK)
        fail_msg("%s: %s", rel, err.msg);
    return w;
}

/* The SCALE-Sim topology files, copied unchanged from its distribution into kernels/workloads. */
static void scalesim_files_parse_unchanged(void **state)
{
    (void)state;
    workload w = load_ok("kernels/workloads/scalesim-gpt2-gemm.csv");
    assert_int_equal(w.n_layers, 6);
    assert_string_equal(w.layers[1].name, "QKTV");
    assert_int_equal(w.layers[1].m, 1024);
    assert_int_equal(w.layers[1].n, 64);
    assert_int_equal(w.layers[1].k, 1024);
    assert_string_equal(w.layers[5].name, "PW-FF-L2");   /* last line has no newline */
    assert_int_equal(w.layers[5].k, 3072);
    workload_free(&w);

    w = load_ok("kernels/workloads/scalesim-vit-fc2.csv");
    assert_int_equal(w.n_layers, 1);
    assert_int_equal(w.layers[0].m, 197);
    workload_free(&w);

    w = load_ok("kernels/workloads/resnet50-conv.csv");
    /* 56 non-blank lines: the header, one row of only commas, 54 layers */
    assert_int_equal(w.n_layers, 54);
    assert_string_equal(w.layers[0].name, "Conv1");
    assert_int_equal(w.layers[0].m, 110 * 110);   /* the file's own Eh*Ew column says 12100 */
    assert_int_equal(w.layers[0].k, 7 * 7 * 3);
    /* CB3a_1: 56x56, 1x1, 256 ch, 128 filters, stride 2: ceil(55/2)+1 = 29 */
    assert_string_equal(w.layers[11].name, "CB3a_1");
    assert_int_equal(w.layers[11].m, 29 * 29);
    assert_int_equal(w.layers[11].n, 128);
    assert_int_equal(w.layers[11].k, 256);
    /* IB2b_2: 56x56, 3x3, 64 ch, stride 1: 54x54 */
    assert_string_equal(w.layers[6].name, "IB2b_2");
    assert_int_equal(w.layers[6].m, 54 * 54);
    assert_int_equal(w.layers[6].k, 576);
    /* FC6: 1x1 input, 2048 channels, 1000 filters */
    assert_string_equal(w.layers[53].name, "FC6");
    assert_int_equal(w.layers[53].m, 1);
    assert_int_equal(w.layers[53].n, 1000);
    assert_int_equal(w.layers[53].k, 2048);
    workload_free(&w);
}

static void shipped_yaml_workloads_parse(void **state)
{
    (void)state;
    static const char *const files[] = {
        "kernels/workloads/tpuv1-mlp0.yaml", "kernels/workloads/bert-base-seq128.yaml",
        "kernels/workloads/bert-base-seq512.yaml", "kernels/workloads/gpt2-small-seq1024.yaml",
        "kernels/workloads/gpt2-small-seq256.yaml", "kernels/workloads/llama7b-prefill-seq2048.yaml",
        "kernels/workloads/llama7b-decode.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        workload w = load_ok(files[i]);
        assert_true(w.n_layers >= 1);
        workload_free(&w);
    }
    /* TPUv1 MLP0 (Jouppi et al. 2017, Table 1): 5 FC layers, 20M weights, batch 200 */
    workload w = load_ok("kernels/workloads/tpuv1-mlp0.yaml");
    uint64_t weights = 0;
    size_t layers = 0;
    for (size_t i = 0; i < w.n_layers; i++) {
        assert_int_equal(w.layers[i].m, 200);
        weights += (uint64_t)w.layers[i].k * w.layers[i].n * w.layers[i].repeat;
        layers += w.layers[i].repeat;
    }
    assert_int_equal(layers, 5);
    assert_true(weights == 20000000ull);
    assert_int_equal(w.dtype, TP_INT8);
    /* an MLP: each layer reads the previous one's output */
    for (size_t i = 0; i < w.n_layers; i++)
        assert_int_equal(w.layers[i].input, (int64_t)i - 1);
    workload_free(&w);
    /* BERT: only ffn_down names an input (ffn_up, the layer before it); q/k/v and attention are
     * not each other's inputs */
    w = load_ok("kernels/workloads/bert-base-seq128.yaml");
    assert_int_equal(w.n_layers, 6);
    for (size_t i = 0; i < w.n_layers; i++)
        assert_int_equal(w.layers[i].input, !strcmp(w.layers[i].name, "ffn_down") ? 4 : -1);
    assert_string_equal(w.layers[4].name, "ffn_up");
    workload_free(&w);
    /* Llama-7B decode: M = 1 everywhere */
    w = load_ok("kernels/workloads/llama7b-decode.yaml");
    for (size_t i = 0; i < w.n_layers; i++)
        assert_int_equal(w.layers[i].m, 1);
    workload_free(&w);
}

static void load_missing_file(void **state)
{
    (void)state;
    workload w;
    tp_err err = {0};
    assert_int_equal(workload_load("/nonexistent/w.yaml", &w, &err), TP_ERR_IO);
    assert_string_equal(err.msg, "/nonexistent/w.yaml: cannot open: No such file or directory");
}

TH_GROUP(workload)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml_layers_parse),
        cmocka_unit_test(yaml_errors_are_positioned),
        cmocka_unit_test(yaml_tile_and_order),
        cmocka_unit_test(csv_gemm_form),
        cmocka_unit_test(csv_conv_form_im2col),
        cmocka_unit_test(csv_errors_are_positioned),
        cmocka_unit_test(scalesim_files_parse_unchanged),
        cmocka_unit_test(shipped_yaml_workloads_parse),
        cmocka_unit_test(load_missing_file),
        cmocka_unit_test(yaml_duplicates_and_positions),
        cmocka_unit_test(macs_saturate),
        cmocka_unit_test(yaml_input_resolves),
        cmocka_unit_test(yaml_input_refusals),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
