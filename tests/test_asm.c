/* Assembler: every error names file:line:col and what is wrong; the printer's text assembles
 * back to the same program. Columns are counted by hand in the comments (1-based). */
#include "harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/rng.h"
#include "tpu/asm.h"

static tp_config cfg_default(void)
{
    tp_config cfg;
    tp_err err = {0};
    if (cfg_load(NULL, NULL, 0, &cfg, &err))
        fail_msg("%s", err.msg);
    return cfg;
}

static void expect_err(const char *text, const char *msg)
{
    tp_config cfg = cfg_default();
    isa_program p;
    tp_err err = {0};
    tp_status rc = asm_parse("t.tpu", text, &cfg.tpu, &p, &err);
    assert_int_equal(rc, TP_ERR_ASM);
    assert_string_equal(err.msg, msg);
    assert_int_equal(p.n_ins, 0);   /* freed on failure */
}

#define T ".tensor A int8 64 32\n.ub a 0 2048\n"

static void unknown_mnemonic_suggests(void **state)
{
    (void)state;
    expect_err(T "matmull 0, 0, a, 4\n", "t.tpu:3:1: unknown mnemonic 'matmull' (did you mean 'matmul'?)");
    /* leading blanks: "  lod" -> column 3 */
    expect_err("  lod x\n", "t.tpu:1:3: unknown mnemonic 'lod' (did you mean 'load'?)");
    expect_err(".tensr A int8 1 1\n", "t.tpu:1:1: unknown mnemonic '.tensr' (did you mean '.tensor'?)");
    expect_err("frobnicate\n", "t.tpu:1:1: unknown mnemonic 'frobnicate'");
}

static void bad_operands(void **state)
{
    (void)state;
    /* "load a, A[0:64, 0:33]": the 33 starts at column 19 */
    expect_err(T "load a, A[0:64, 0:33]\n", "t.tpu:3:19: column 33 is past the end of A (64 x 32)");
    /* unknown tensor X at column 9 */
    expect_err(T "load a, X[0:64, 0:32]\n", "t.tpu:3:9: unknown tensor 'X' (declare it with .tensor NAME DTYPE ROWS COLS)");
    /* misspelt option at column 24 */
    expect_err(T "load a, A[0:64, 0:32], strid=64\n",
               "t.tpu:3:24: load: unexpected operand 'strid=64' (syntax: load UB, T[r0:r1, c0:c1] [, stride=B] [, transpose])");
    /* missing comma between ranges: the block's inside starts at column 11 */
    expect_err(T "load a, A[0:64 0:32]\n", "t.tpu:3:11: tensor block needs two ranges, rows and columns: A[r0:r1, c0:c1]");
    /* a number where a number is due: m = "6x4" at column 17 */
    expect_err(T ".acc c 0 64\nmatmul 0, c, a, 6x4\n",
               "t.tpu:4:17: m: expected a whole number (decimal or 0x hex), got '6x4'");
    expect_err(T "load q, A[0:64, 0:32]\n",
               "t.tpu:3:6: load destination: unknown UB region 'q' (declare it with .ub NAME BASE BYTES)");
    expect_err(".dtype bf17\n", "t.tpu:1:8: unknown dtype 'bf17' (int8, bf16)");
    expect_err("core 3\n", "t.tpu:1:6: core 3 does not exist (the machine has 1)");
}

static void ranges_and_regions(void **state)
{
    (void)state;
    /* the default UB is 4 MiB = 4194304 bytes */
    expect_err(".ub a 4194000 2048\n", "t.tpu:1:5: region 'a' [4194000, 4196048) exceeds the unified buffer (4194304 bytes)");
    expect_err(".acc c 4000 200\n", "t.tpu:1:6: region 'c' [4000, 4200) exceeds the accumulators (4096 rows)");
    /* 64 x 32 int8 = 2048 bytes into a 1024-byte region */
    expect_err(".tensor A int8 64 32\n.ub a 0 1024\nload a, A[0:64, 0:32]\n",
               "t.tpu:3:6: load: 2048 bytes at offset 0 exceed region 'a' (1024 bytes)");
    expect_err(T "load a+0x10000, A[0:64, 0:32]\n", "t.tpu:3:8: load destination: offset 65536 is outside region 'a' (2048 bytes)");
    /* absolute address past the UB: checked by the validator at the instruction */
    expect_err(T "load 0x3fff00, A[0:64, 0:32]\n",
               "t.tpu:3:1: load: unified buffer bytes [0x3fff00, 0x400700) exceed its 4194304 bytes");
    /* accumulator rows outside MXU 0's [0, 4096) */
    expect_err(".tensor B int8 32 32\n.ub a 0 2048\nloadw 0, B[0:32, 0:32]\nmatmul 0, 4090, a, 16\n",
               "t.tpu:4:1: accumulator rows [4090, 4106) are outside mxu 0's rows [0, 4096)");
    /* weight FIFO underflow and overflow (depth 4) */
    expect_err(T "matmul 0, 0, a, 64\n", "t.tpu:3:1: weight FIFO of core 0 mxu 0 has 0 tile(s) loaded but matmul uses 1");
    expect_err(".tensor B int8 32 32\nloadw 0, B[0:32, 0:32]\nloadw 0, B[0:32, 0:32]\nloadw 0, B[0:32, 0:32]\n"
               "loadw 0, B[0:32, 0:32]\nloadw 0, B[0:32, 0:32]\n",
               "t.tpu:6:1: weight FIFO of core 0 mxu 0 overflows: 4 of 4 slots hold tiles not yet used");
    /* dead code after halt */
    expect_err(T "halt\nload a, A[0:64, 0:32]\n", "t.tpu:4:1: core 0 has already halted: this instruction would never run");
    /* ws: a weight tile of k = 64 rows does not fit 32 rows */
    expect_err(T "loadw 0, A[0:64, 0:32]\n", "t.tpu:3:1: weight tile has k = 64 rows but the array has 32 rows");
}

static void dtype_mismatches(void **state)
{
    (void)state;
    expect_err(".tensor W int32 32 32\nloadw 0, W[0:32, 0:32]\n",
               "t.tpu:2:10: dtype mismatch: weights W are int32 but the program's dtype is int8");
    expect_err(".acc c 0 64\n.ub o 0 4096\nactivate o, c, 64, 16, out=bf16\n",
               "t.tpu:3:1: dtype mismatch: activate out=bf16 with int32 accumulators (use int8 or int32)");
    expect_err(".dtype bf16\n.tensor W int8 32 32\nloadw 0, W[0:32, 0:32]\n",
               "t.tpu:3:10: dtype mismatch: weights W are int8 but the program's dtype is bf16");
}

static int same_instr(const isa_instr *a, const isa_instr *b)
{
    return a->op == b->op && a->core == b->core && a->mxu == b->mxu && a->transpose == b->transpose &&
           a->accumulate == b->accumulate && a->act == b->act && a->repeat == b->repeat && a->m == b->m &&
           a->n == b->n && a->ub_addr == b->ub_addr && a->ub_stride == b->ub_stride && a->acc_row == b->acc_row &&
           a->has_bias == b->has_bias && a->bias_addr == b->bias_addr && a->blk.tensor == b->blk.tensor &&
           a->blk.r0 == b->blk.r0 && a->blk.c0 == b->blk.c0 && a->blk.rows == b->blk.rows &&
           a->blk.cols == b->blk.cols && (a->op != ISA_ACTIVATE || (a->out_dtype == b->out_dtype &&
                                                                     (a->out_dtype != NPY_INT8 || a->scale == b->scale)));
}

static void print_round_trip(void **state)
{
    (void)state;
    tp_config cfg = cfg_default();
    isa_program p, q;
    tp_err err = {0};
    const char *src = "; comment\n.dtype int8\n.tensor A int8 64 96 # another comment\n.tensor B int8 96 32\n"
                      ".tensor C int8 64 32\n.tensor bias int32 1 32\n.ub a 0 8192\n.ub o 8192 4096\n.ub bv 0x4000 128\n"
                      ".acc c 0 64\nload a, A[0:64, 0:96], stride=128\nload bv, bias[0:1, 0:32]\n"
                      "loadw 0, B[0:32, 0:32]\nloadw 0, B[32:64, 0:32]\nloadw 0, B[64:96, 0:32]\n"
                      "matmul 0, c, a, 64, stride=128, repeat=3\n"
                      "activate o, c, 64, 32, relu6, out=int8, scale=0.125, bias=bv, stride=64\n"
                      "fence\nstore C[0:64, 0:32], o, stride=64\nload a, A[0:32, 0:64], transpose\nhalt\n";
    if (asm_parse("rt.tpu", src, &cfg.tpu, &p, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(p.n_ins, 11);
    assert_int_equal(p.ins[5].repeat, 3);
    assert_int_equal(p.ins[5].ub_stride, 128);
    assert_int_equal(p.ins[6].act, ISA_ACT_RELU6);
    assert_true(p.ins[6].has_bias);
    assert_int_equal(p.ins[6].bias_addr, 0x4000);
    assert_true(p.ins[9].transpose);
    char path[600];
    snprintf(path, sizeof path, "%s/rt.tpu", th_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    isa_print(&p, f);
    fclose(f);
    if (asm_parse_file(path, &cfg.tpu, &q, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(q.n_ins, p.n_ins);
    assert_int_equal(q.n_tensors, p.n_tensors);
    for (uint32_t i = 0; i < p.n_ins; i++)
        assert_true(same_instr(&p.ins[i], &q.ins[i]));
    isa_free(&p);
    isa_free(&q);
}

static void built_programs_report_index(void **state)
{
    (void)state;
    tp_config cfg = cfg_default();
    isa_program p;
    tp_err err = {0};
    isa_init(&p, "built", TP_INT8);
    int a = isa_add_tensor(&p, "A", NPY_INT8, 64, 32);
    assert_int_equal(isa_add_tensor(&p, "A", NPY_INT8, 1, 1), -1);   /* duplicate name */
    isa_load(&p, 0, 0, 0, a, 0, 0, 64, 32, false);
    isa_load(&p, 0, 0, 0, a, 0, 0, 65, 32, false);                    /* past the end */
    assert_int_equal(isa_validate(&p, &cfg.tpu, &err), TP_ERR_PROGRAM);
    assert_string_equal(err.msg, "built:2: block A[0:65, 0:32] is outside the tensor's 64 x 32");
    isa_free(&p);
}

static void missing_file(void **state)
{
    (void)state;
    tp_config cfg = cfg_default();
    isa_program p;
    tp_err err = {0};
    assert_int_equal(asm_parse_file("/nonexistent/x.tpu", &cfg.tpu, &p, &err), TP_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.tpu: cannot open"));
}

/* Seeded mutations of a kernel's text: the assembler never crashes (the sanitizer build checks
 * memory), and every failure is one positioned line naming the file. */
static void mutations_never_crash(void **state)
{
    (void)state;
    tp_config cfg = cfg_default();
    char path[512];
    FILE *f = fopen(th_path(path, sizeof path, "kernels/gemm_dbuf_relu.tpu"), "rb");
    assert_non_null(f);
    static char src[16384], mut[16400];
    size_t n = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    src[n] = 0;
    static const char alphabet[] = "0123456789abcxyz[]:,+=;.# \n\tloadwmatulcivestorefnh-";
    rng_state r;
    rng_init(&r, 5);
    int ok = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(mut, src, n + 1);
        size_t len = n;
        int edits = 1 + (int)rng_below(&r, 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)rng_below(&r, len);
            char c = alphabet[rng_below(&r, sizeof alphabet - 1)];
            switch (rng_below(&r, 3)) {
            case 0: mut[at] = c; break;                                     /* replace */
            case 1: memmove(mut + at, mut + at + 1, len - at); len--; break; /* delete */
            default:                                                         /* insert */
                if (len + 1 < sizeof mut - 1) {
                    memmove(mut + at + 1, mut + at, len - at + 1);
                    mut[at] = c;
                    len++;
                }
            }
        }
        isa_program p;
        tp_err err = {0};
        tp_status rc = asm_parse("m.tpu", mut, &cfg.tpu, &p, &err);
        if (rc == TP_OK) {
            ok++;
            isa_free(&p);
            continue;
        }
        assert_int_equal(strncmp(err.msg, "m.tpu:", 6), 0);
        assert_null(strchr(err.msg, '\n'));
    }
    assert_true(ok > 0);   /* some mutations (in comments) still assemble */
}

/* Numbers are decimal or 0x hex (docs/isa.md): a leading zero does not make a number octal. */
static void leading_zero_is_decimal(void **state)
{
    (void)state;
    tp_config cfg = cfg_default();
    isa_program p;
    tp_err err = {0};
    /* "010" is ten, "08" eight, "0x10" sixteen; octal would give 8 and refuse "08" */
    assert_int_equal(asm_parse("t.tpu", ".ub a 010 08\n.ub b 0x10 0100\n.acc c 0 1\n", &cfg.tpu, &p, &err), TP_OK);
    assert_int_equal(p.n_regions, 3);
    assert_int_equal(p.regions[0].base, 10);
    assert_int_equal(p.regions[0].size, 8);
    assert_int_equal(p.regions[1].base, 16);
    assert_int_equal(p.regions[1].size, 100);
    isa_free(&p);
    /* "0x" with no digits and "0b1" are not numbers; the column is the operand's */
    expect_err(".ub a 0x 16\n", "t.tpu:1:7: base: expected a whole number (decimal or 0x hex), got '0x'");
    expect_err(".ub a 0b1 16\n", "t.tpu:1:7: base: expected a whole number (decimal or 0x hex), got '0b1'");
}

/* activate with 0 rows or 0 columns names that operand (not a huge byte count from rows - 1). */
static void activate_zero_rows_cols(void **state)
{
    (void)state;
    /* an option given twice would silently take the last value: "relu6" at column 28, the
     * second stride at column 37 */
    expect_err(T ".acc c 0 64\nactivate a, c, 4, 4, relu, relu6\n",
               "t.tpu:4:28: activate: activation function given twice");
    expect_err(T "load a, A[0:1, 0:4], stride=8, stride=16\n", "t.tpu:3:32: load: stride given twice");
    /* scale without out=int8 would be ignored: "activate a, c, 4, 4, scale=0.5" has it at column 22 */
    expect_err(T ".acc c 0 64\nactivate a, c, 4, 4, scale=0.5\n",
               "t.tpu:4:22: scale: applies only with out=int8 (requantization), not out=int32");
    expect_err(T ".acc c 0 64\nactivate a, c, 4, 4, scale=0.5, out=int32\n",
               "t.tpu:4:22: scale: applies only with out=int8 (requantization), not out=int32");
    /* "activate a, c, 0, 4": rows at column 16, cols at column 19 */
    expect_err(T ".acc c 0 64\nactivate a, c, 0, 4\n", "t.tpu:4:16: rows: must be at least 1");
    expect_err(T ".acc c 0 64\nactivate a, c, 4, 0\n", "t.tpu:4:19: cols: must be at least 1");
}

/* `gemm --emit` declares tensors of more than 2^31 elements for timing-only runs (C of
 * gemm 16777216 256 128 is 2^32 int32 values): the assembler takes them back. */
static void emitted_large_tensors_assemble(void **state)
{
    (void)state;
    tp_config cfg = cfg_default();
    isa_program p;
    tp_err err = {0};
    assert_int_equal(asm_parse("t.tpu", ".tensor C int32 16777216 256\n", &cfg.tpu, &p, &err), TP_OK);
    assert_int_equal(p.n_tensors, 1);
    assert_int_equal(p.tensors[0].rows, 16777216);
    isa_free(&p);
    /* each dimension stays within 2^24 */
    expect_err(".tensor A int8 16777217 1\n", "t.tpu:1:16: rows: 16777217 is out of range (at most 16777216)");
}

/* Declarations are bounded (4096 tensors, 4096 regions: a megabyte of them used to take
 * quadratic time) and looked up by name in constant time; a region name an operand could not
 * spell is refused. */
static void names_bounded(void **state)
{
    (void)state;
    size_t cap = 4097 * 32 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int kind = 0; kind < 2; kind++) {
        size_t n = 0;
        for (int i = 0; i < 4097; i++)
            n += (size_t)snprintf(text + n, cap - n, kind ? ".ub r%d %d 1\n" : ".tensor T%d int8 1 1\n", i, i);
        char want[96];
        snprintf(want, sizeof want, "t.tpu:4097:1: more than 4096 %s", kind ? "regions" : "tensors");
        expect_err(text, want);
        /* 4096 of them are fine, and the last one declared is found */
        n = 0;
        for (int i = 0; i < 4096; i++)
            n += (size_t)snprintf(text + n, cap - n, kind ? ".ub r%d %d 1\n" : ".tensor T%d int8 1 1\n", i, i);
        snprintf(text + n, cap - n, kind ? ".tensor A int8 1 1\nload r4095, A[0:1, 0:1]\n"
                                         : ".ub a 0 16\nload a, T4095[0:1, 0:1]\n");
        tp_config cfg = cfg_default();
        isa_program p;
        tp_err err = {0};
        assert_int_equal(asm_parse("t.tpu", text, &cfg.tpu, &p, &err), TP_OK);
        assert_int_equal(p.n_ins, 1);
        assert_true(kind ? p.ins[0].ub_addr == 4095 : p.ins[0].blk.tensor == 4095);
        isa_free(&p);
    }
    free(text);
    /* names must be usable as operands: '+' would split "a+b" into region a and offset b */
    expect_err(".ub a+b 0 16\n", "t.tpu:1:6: bad character in region name 'a+b'");
    expect_err(".ub a 0 16\n.tensor a int8 1 1\n", "t.tpu:2:9: 'a' is already declared");
    expect_err(".tensor a int8 1 1\n.acc a 0 1\n", "t.tpu:2:6: 'a' is already declared");
}

TH_GROUP(asm)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_mnemonic_suggests),
        cmocka_unit_test(bad_operands),
        cmocka_unit_test(ranges_and_regions),
        cmocka_unit_test(dtype_mismatches),
        cmocka_unit_test(print_round_trip),
        cmocka_unit_test(built_programs_report_index),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(mutations_never_crash),
        cmocka_unit_test(leading_zero_is_decimal),
        cmocka_unit_test(activate_zero_rows_cols),
        cmocka_unit_test(emitted_large_tensors_assemble),
        cmocka_unit_test(names_bounded),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
