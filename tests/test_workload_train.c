/* The training expansion (work/train.h), worked by hand.
 *
 * Two layers, fc1 -> fc2:  fc1 = X1[8,16] . W1[16,32] (relu), fc2 = X2[8,32] . W2[32,4], repeat 3
 *   forward  fc1        8 x 32 x 16                          input -
 *            fc2        8 x  4 x 32                          input fc1
 *   backward (last layer first, dgrad before wgrad):
 *            fc2.dgrad  dX2[8,32] = dY2[8,4] . W2^T: 8 x 32 x 4, B transposed, input - (loss)
 *            fc2.wgrad  dW2[32,4] = X2^T . dY2:      32 x 4 x 8, A transposed, input -
 *            fc1.dgrad  dX1[8,16] = dY1[8,32] . W1^T: 8 x 16 x 32, B transposed,
 *                       input fc2.dgrad (dY1 = dX2: fc2 is fc1's only reader)
 *            fc1.wgrad  dW1[16,32] = X1^T . dY1:     16 x 32 x 8, A transposed, input -
 *   MACs: forward 8*32*16 + 3*8*4*32 = 4096 + 3072 = 7168; every phase the same; step 21504. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "work/train.h"

static workload parse(const char *text)
{
    workload w;
    tp_err err = {0};
    if (workload_parse_yaml("t.yaml", text, strlen(text), &w, &err) != TP_OK)
        fail_msg("unexpected error: %s", err.msg);
    return w;
}

static void check_layer(const workload_layer *l, const char *name, workload_phase ph, uint32_t m, uint32_t n,
                        uint32_t k, bool ta, bool tb, int64_t input, int64_t fwd)
{
    assert_string_equal(l->name, name);
    assert_int_equal(l->phase, ph);
    assert_int_equal(l->m, m);
    assert_int_equal(l->n, n);
    assert_int_equal(l->k, k);
    assert_int_equal(l->transpose_a, ta);
    assert_int_equal(l->transpose_b, tb);
    assert_int_equal(l->input, input);
    assert_int_equal(l->fwd, fwd);
}

static void two_layers_expand_to_six(void **state)
{
    (void)state;
    workload f = parse("layers:\n"
                       "  - {name: fc1, M: 8, N: 32, K: 16, epilogue: relu, tile: 8x32x16}\n"
                       "  - {name: fc2, M: 8, N: 4, K: 32, input: fc1, repeat: 3, dtype: bf16}\n");
    workload t;
    tp_err err = {0};
    assert_int_equal(train_expand(&f, &t, &err), TP_OK);
    assert_int_equal(t.n_layers, 6);
    check_layer(&t.layers[0], "fc1", WORKLOAD_FORWARD, 8, 32, 16, false, false, -1, 0);
    check_layer(&t.layers[1], "fc2", WORKLOAD_FORWARD, 8, 4, 32, false, false, 0, 1);
    check_layer(&t.layers[2], "fc2.dgrad", WORKLOAD_DGRAD, 8, 32, 4, false, true, -1, 1);
    check_layer(&t.layers[3], "fc2.wgrad", WORKLOAD_WGRAD, 32, 4, 8, true, false, -1, 1);
    check_layer(&t.layers[4], "fc1.dgrad", WORKLOAD_DGRAD, 8, 16, 32, false, true, 2, 0);
    check_layer(&t.layers[5], "fc1.wgrad", WORKLOAD_WGRAD, 16, 32, 8, true, false, -1, 0);
    assert_string_equal(t.layers[4].input_name, "fc2.dgrad");
    /* the forward keeps its epilogue and tile; the backward GEMMs write plain accumulators and
     * are tiled by the search */
    assert_int_equal(t.layers[0].epilogue, GEMM_EPI_RELU);
    assert_int_equal(t.layers[0].tm, 8);
    for (size_t i = 2; i < 6; i++) {
        assert_int_equal(t.layers[i].epilogue, GEMM_EPI_NONE);
        assert_int_equal(t.layers[i].tm, 0);
    }
    /* repeat and dtype follow the forward layer into every phase */
    for (size_t i = 0; i < 6; i++) {
        bool of_fc2 = t.layers[i].fwd == 1;
        assert_int_equal(t.layers[i].repeat, of_fc2 ? 3 : 1);
        assert_int_equal(t.layers[i].has_dtype, of_fc2);
        if (of_fc2)
            assert_int_equal(t.layers[i].dtype, TP_BF16);
    }
    assert_int_equal(workload_total_macs(&f), 7168);
    assert_int_equal(workload_total_macs(&t), 3 * 7168);
    uint64_t per_phase[WORKLOAD_PHASE__COUNT] = {0};
    for (size_t i = 0; i < 6; i++)
        per_phase[t.layers[i].phase] += workload_layer_macs(&t.layers[i]) * t.layers[i].repeat;
    assert_int_equal(per_phase[WORKLOAD_FORWARD], 7168);
    assert_int_equal(per_phase[WORKLOAD_DGRAD], 7168);
    assert_int_equal(per_phase[WORKLOAD_WGRAD], 7168);
    assert_string_equal(t.name, "t");
    /* an expanded workload is not expanded again */
    workload t2;
    assert_int_equal(train_expand(&t, &t2, &err), TP_ERR_USAGE);
    assert_string_equal(err.msg, "t.yaml: layer 'fc2.dgrad' is already a dgrad GEMM; --train expands forward layers");
    assert_null(t2.layers);
    workload_free(&t);
    workload_free(&f);
}

/* A layer read by two layers: its dY would be the sum of their dX (not modelled), so its dgrad
 * reads dY from off-chip memory; a layer read by one takes that reader's dgrad. */
static void shared_output_reads_dy_off_chip(void **state)
{
    (void)state;
    workload f = parse("layers:\n"
                       "  - {name: a, M: 4, N: 8, K: 2}\n"
                       "  - {name: b, M: 4, N: 6, K: 8, input: a}\n"
                       "  - {name: c, M: 4, N: 5, K: 8, input: a}\n"
                       "  - {name: d, M: 4, N: 3, K: 5, input: c}\n");
    workload t;
    tp_err err = {0};
    assert_int_equal(train_expand(&f, &t, &err), TP_OK);
    assert_int_equal(t.n_layers, 12);
    /* backward: d (4, 5), c (6, 7), b (8, 9), a (10, 11) */
    check_layer(&t.layers[4], "d.dgrad", WORKLOAD_DGRAD, 4, 5, 3, false, true, -1, 3);
    check_layer(&t.layers[6], "c.dgrad", WORKLOAD_DGRAD, 4, 8, 5, false, true, 4, 2);
    check_layer(&t.layers[8], "b.dgrad", WORKLOAD_DGRAD, 4, 8, 6, false, true, -1, 1);
    check_layer(&t.layers[10], "a.dgrad", WORKLOAD_DGRAD, 4, 2, 8, false, true, -1, 0);
    check_layer(&t.layers[11], "a.wgrad", WORKLOAD_WGRAD, 2, 8, 4, true, false, -1, 0);
    /* a dgrad that reads another's output has that output's shape as its A: c.dgrad's A is
     * d.dgrad's C (4 x 5 = c's M x N) */
    assert_int_equal(t.layers[t.layers[6].input].m, t.layers[6].m);
    assert_int_equal(t.layers[t.layers[6].input].n, t.layers[6].k);
    workload_free(&t);
    workload_free(&f);
}

TH_GROUP(workload_train)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_layers_expand_to_six),
        cmocka_unit_test(shared_output_reads_dy_off_chip),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
