/* Config loader: every error class with its exact file:line:col and text, duplicate and unknown
 * keys, --set overrides and their errors, absurd machines, the embedded default, every shipped
 * configs/ file against its published peak, exact transfer-cycle arithmetic, and that
 * docs/config.md documents exactly the keys of the table.
 *
 * Positions in the YAML snippets below are counted by hand: line and column are 1-based, the
 * column of a value is the column of its first character. */
#include "harness.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/config.h"
#include "config/keys.h"

/* A small valid TPU; tests append or change one line to provoke one error. */
#define BASE                                                       \
    "tpu:\n"                                            /* 1 */    \
    "  clock: 1GHz\n"                                   /* 2 */    \
    "  array: {rows: 4, cols: 4, dtypes: [int8]}\n"     /* 3 */    \
    "  ub: {size: 1KiB, bytes_per_cycle: 8}\n"          /* 4 */    \
    "  acc: {entries: 16}\n"                            /* 5 */    \
    "  vpu: {elems_per_cycle: 4}\n"                     /* 6 */    \
    "  dma: {bytes_per_cycle: 8}\n"                     /* 7 */    \
    "  dram: {bandwidth: 1GB/s, read_latency: 10, write_latency: 10}\n" /* 8 */

static tp_config *cfg_alloc(void)
{
    tp_config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    return c;
}

static void expect_err_sets(const char *yaml, const char *const *sets, int n, tp_status code, const char *msg)
{
    tp_config *c = cfg_alloc();
    tp_err e = {0};
    tp_status st = cfg_load_string("t.yaml", yaml, sets, n, c, &e);
    free(c);
    if (st != code || strcmp(e.msg, msg))
        fail_msg("expected status %d \"%s\"\n              got status %d \"%s\"", code, msg, st, e.msg);
}

static void expect_err(const char *yaml, tp_status code, const char *msg)
{
    expect_err_sets(yaml, NULL, 0, code, msg);
}

static tp_config *load_ok(const char *yaml, const char *const *sets, int n)
{
    tp_config *c = cfg_alloc();
    tp_err e = {0};
    if (cfg_load_string("t.yaml", yaml, sets, n, c, &e) != TP_OK)
        fail_msg("load failed: %s", e.msg);
    return c;
}

static void base_is_valid(void **state)
{
    (void)state;
    tp_config *c = load_ok(BASE, NULL, 0);
    assert_true(c->tpu.present);
    assert_false(c->gpu.present);
    assert_string_equal(c->name, "t");            /* from the file name t.yaml */
    assert_string_equal(c->tpu.name, "t");
    assert_int_equal(c->tpu.array.rows, 4);
    assert_true(c->tpu.array.dtypes[TP_INT8]);
    assert_false(c->tpu.array.dtypes[TP_BF16]);
    /* documented defaults */
    assert_int_equal(c->tpu.cores, 1);
    assert_int_equal(c->tpu.array.dataflow, TP_DF_WS);
    assert_true(c->tpu.array.weight_double_buffer);
    assert_int_equal(c->tpu.wbuf.depth_tiles, 2);
    assert_int_equal(c->tpu.acc.width_bits, 32);
    assert_int_equal(c->tpu.mem[TP_MEM_DRAM].burst_bytes, 64);
    assert_int_equal(c->tpu.place_weights, TP_MEM_DRAM);
    /* acc size derived: 16 entries x 4 cols x 4 bytes */
    assert_true(c->tpu.acc.size_bytes == 256);
    assert_true(c->tpu.mem[TP_MEM_DRAM].present);
    assert_false(c->tpu.mem[TP_MEM_HOST].present);
    assert_false(c->tpu.energy.present);
    free(c);
}

static void syntax_errors(void **state)
{
    (void)state;
    /* a value indented under a scalar: libyaml stops at the ':' on line 3, column 9 */
    expect_err("tpu:\n  clock: 1GHz\n    rows: 4\n", TP_ERR_PARSE,
               "t.yaml:3:9: YAML syntax error: mapping values are not allowed in this context");
    /* a tab where indentation is expected; libyaml marks line 2, column 1 */
    expect_err("tpu:\n\tclock: 1GHz\n", TP_ERR_PARSE,
               "t.yaml:2:1: YAML syntax error: found character that cannot start any token "
               "(while scanning for the next token)");
    expect_err("", TP_ERR_CONFIG, "t.yaml:1:1: empty config: expected a tpu: or gpu: section");
    expect_err("# only a comment\n", TP_ERR_CONFIG, "t.yaml:1:1: empty config: expected a tpu: or gpu: section");
    expect_err("- tpu\n", TP_ERR_CONFIG, "t.yaml:1:1: expected a mapping with a tpu: or gpu: section, got a list");
    expect_err(BASE "---\ntpu: {}\n", TP_ERR_CONFIG,
               "t.yaml:10:1: a config holds one YAML document; found a second one");
    expect_err("name: x\n", TP_ERR_CONFIG, "t.yaml:1:1: expected a tpu: or gpu: section (or both)");
}

static void type_errors(void **state)
{
    (void)state;
    expect_err(BASE "  cores: two\n", TP_ERR_CONFIG,
               "t.yaml:9:10: tpu.cores: expected a whole number, got 'two' (not a number)");
    expect_err(BASE "  cores: 1.5\n", TP_ERR_CONFIG,
               "t.yaml:9:10: tpu.cores: expected a whole number, got '1.5' (not a whole number)");
    expect_err(BASE "  cores: \"2\"\n", TP_ERR_CONFIG,
               "t.yaml:9:10: tpu.cores: expected a whole number, got the quoted string '2'");
    /* quoted quantities with units are refused like quoted numbers, in a file and in a --set */
    expect_err("tpu:\n  clock: \"1GHz\"\n", TP_ERR_CONFIG,
               "t.yaml:2:10: tpu.clock: expected a frequency such as 940MHz, got the quoted string '1GHz'");
    expect_err(BASE "  host: {bandwidth: '10GB/s', read_latency: 1, write_latency: 1}\n", TP_ERR_CONFIG,
               "t.yaml:9:21: tpu.host.bandwidth: expected a bandwidth such as 900GB/s, got the quoted string '10GB/s'");
    {
        const char *q[] = {"tpu.ub.size='2KiB'"};
        expect_err_sets(BASE, q, 1, TP_ERR_CONFIG,
                        "--set tpu.ub.size='2KiB': expected a size such as 24MiB, got the quoted string '2KiB'");
        const char *qt[] = {"tpu.dram.read_latency=\"100ns\""};
        expect_err_sets(BASE, qt, 1, TP_ERR_CONFIG,
                        "--set tpu.dram.read_latency=\"100ns\": expected a number of cycles or a time such as 100ns, "
                        "got the quoted string '100ns'");
    }
    expect_err(BASE "  cores: {a: 1}\n", TP_ERR_CONFIG, "t.yaml:9:10: tpu.cores: expected a whole number, got a mapping");
    expect_err(BASE "  cores: [1]\n", TP_ERR_CONFIG, "t.yaml:9:10: tpu.cores: expected a whole number, got a list");
    expect_err(BASE "  cores:\n", TP_ERR_CONFIG, "t.yaml:9:9: tpu.cores: missing value: expected a whole number");
    expect_err(BASE "  wbuf: 3\n", TP_ERR_CONFIG,
               "t.yaml:9:9: tpu.wbuf: expected a mapping of keys (such as 'depth_tiles:'), got a single value");
    expect_err(BASE "  mxus_per_core: 0\n", TP_ERR_CONFIG, "t.yaml:9:18: tpu.mxus_per_core: must be at least 1, got 0");
    expect_err(BASE "  placement: {weights: sram}\n", TP_ERR_CONFIG,
               "t.yaml:9:24: tpu.placement.weights: expected one of dram, weight_mem, host, got 'sram'");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8], dataflow: wx}\n", TP_ERR_CONFIG,
               "t.yaml:3:55: tpu.array.dataflow: expected one of ws, os, is, got 'wx'");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8], weight_double_buffer: yes}\n",
               TP_ERR_CONFIG, "t.yaml:3:67: tpu.array.weight_double_buffer: expected true or false, got 'yes'");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8, fp8]}\n", TP_ERR_CONFIG,
               "t.yaml:3:44: tpu.array.dtypes: unknown dtype 'fp8' (expected int8 or bf16)");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8, int8]}\n", TP_ERR_CONFIG,
               "t.yaml:3:44: tpu.array.dtypes: 'int8' is listed twice");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: []}\n", TP_ERR_CONFIG,
               "t.yaml:3:37: tpu.array.dtypes: the list is empty: give at least one of int8, bf16");
    expect_err("tpu:\n  clock: fast\n", TP_ERR_CONFIG,
               "t.yaml:2:10: tpu.clock: expected a frequency such as 940MHz, got 'fast' (not a number)");
    expect_err("tpu:\n  clock: 1GHz\n  ub: {size: 1KB/s}\n", TP_ERR_CONFIG,
               "t.yaml:3:14: tpu.ub.size: expected a size such as 24MiB, got '1KB/s' (unknown size unit "
               "(expected B, kB, KB, MB, GB, TB, KiB, MiB, GiB or TiB))");
    expect_err(BASE "  energy: {mac_int8_pj: -1}\n", TP_ERR_CONFIG,
               "t.yaml:9:25: tpu.energy.mac_int8_pj: expected a non-negative number such as 0.2, got '-1'");
}

static void missing_keys(void **state)
{
    (void)state;
    /* missing keys are reported at the innermost section that was written */
    expect_err("tpu:\n  clock: 1GHz\n  array:\n    cols: 4\n", TP_ERR_CONFIG,
               "t.yaml:3:3: tpu.array.rows: required key is missing");
    expect_err("tpu:\n  array: {rows: 4}\n", TP_ERR_CONFIG, "t.yaml:1:1: tpu.clock: required key is missing");
    expect_err("\n\ntpu:\n", TP_ERR_CONFIG, "t.yaml:3:1: tpu.clock: required key is missing");
    /* dram without bandwidth */
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n"
               "  dram: {read_latency: 10, write_latency: 10}\n",
               TP_ERR_CONFIG,
               "t.yaml:8:3: tpu.dram.bandwidth: required key is missing (or give "
               "tpu.dram.bytes_per_cycle_per_channel, or tpu.dram.ideal: true)");
    /* latency missing, but not when ideal */
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n"
               "  dram: {bandwidth: 1GB/s, write_latency: 10}\n",
               TP_ERR_CONFIG, "t.yaml:8:3: tpu.dram.read_latency: required key is missing (unless tpu.dram.ideal: true)");
    tp_config *c = load_ok("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
                           "  ub: {size: 1KiB, bytes_per_cycle: 8}\n  acc: {entries: 16}\n"
                           "  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n  dram: {ideal: true}\n",
                           NULL, 0);
    assert_true(c->tpu.mem[TP_MEM_DRAM].ideal);
    assert_true(cfg_mem_transfer_cycles(&c->tpu.mem[TP_MEM_DRAM], c->tpu.clock_hz, 1 << 20) == 0);
    free(c);
    /* neither acc.entries nor acc.size */
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n",
               TP_ERR_CONFIG,
               "t.yaml:1:1: tpu.acc.entries: required key is missing (tpu: has no acc: section; or give tpu.acc.size)");
    /* with an acc: section, at that section, and no word about an absent one */
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n  acc: {banks: 2}\n",
               TP_ERR_CONFIG, "t.yaml:7:3: tpu.acc.entries: required key is missing (or give tpu.acc.size)");
    /* a position at the enclosing section says which section is absent */
    expect_err("tpu:\n  clock: 1GHz\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n", TP_ERR_CONFIG,
               "t.yaml:1:1: tpu.array.rows: required key is missing (tpu: has no array: section)");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n",
               TP_ERR_CONFIG,
               "t.yaml:1:1: tpu.dram.bandwidth: required key is missing (tpu: has no dram: section; or give "
               "tpu.dram.bytes_per_cycle_per_channel, or tpu.dram.ideal: true)");
    /* a gpu section needs its required keys too */
    expect_err("gpu:\n  clock: 1GHz\n", TP_ERR_CONFIG, "t.yaml:1:1: gpu.sms: required key is missing");
}

static void duplicate_keys(void **state)
{
    (void)state;
    expect_err("tpu:\n  clock: 1GHz\n  clock: 2GHz\n", TP_ERR_CONFIG,
               "t.yaml:3:3: duplicate key 'tpu.clock' (first given at line 2, column 3)");
    expect_err("tpu:\n  clock: 1GHz\ntpu:\n  cores: 2\n", TP_ERR_CONFIG,
               "t.yaml:3:1: duplicate key 'tpu' (first given at line 1, column 1)");
    expect_err("tpu:\n  array: {rows: 4, cols: 4, rows: 8}\n", TP_ERR_CONFIG,
               "t.yaml:2:29: duplicate key 'tpu.array.rows' (first given at line 2, column 11)");
    /* the same key spelled as a dotted path is still a duplicate */
    expect_err("tpu:\n  array:\n    rows: 4\n  array.rows: 8\n", TP_ERR_CONFIG,
               "t.yaml:4:3: duplicate key 'tpu.array.rows' (first given at line 3, column 5)");
}

static void unknown_keys(void **state)
{
    (void)state;
    expect_err("tpu:\n  clock: 1GHz\n  array:\n    rwos: 4\n", TP_ERR_CONFIG,
               "t.yaml:4:5: unknown key 'tpu.array.rwos' (did you mean 'tpu.array.rows'?)");
    expect_err("tpuu:\n  clock: 1GHz\n", TP_ERR_CONFIG, "t.yaml:1:1: unknown key 'tpuu' (did you mean 'tpu'?)");
    expect_err("tpu:\n  clokc: 1GHz\n", TP_ERR_CONFIG, "t.yaml:2:3: unknown key 'tpu.clokc' (did you mean 'tpu.clock'?)");
    /* the same name elsewhere in the section */
    expect_err("tpu:\n  rows: 4\n", TP_ERR_CONFIG, "t.yaml:2:3: unknown key 'tpu.rows' (did you mean 'tpu.array.rows'?)");
    expect_err("tpu:\n  dram: {bandwith: 1GB/s}\n", TP_ERR_CONFIG,
               "t.yaml:2:10: unknown key 'tpu.dram.bandwith' (did you mean 'tpu.dram.bandwidth'?)");
    /* nothing close: the known keys are listed */
    expect_err("tpu:\n  array: {frobnicate: 1}\n", TP_ERR_CONFIG,
               "t.yaml:2:11: unknown key 'tpu.array.frobnicate' (known keys in tpu.array: rows, cols, dataflow, "
               "dtypes, weight_double_buffer, weight_rows_per_cycle, timing)");
}

static void cross_key_rules(void **state)
{
    (void)state;
    expect_err(BASE "  placement: {weights: host}\n", TP_ERR_CONFIG,
               "t.yaml:9:24: tpu.placement.weights: 'host' is not defined in this config (add a tpu.host: section)");
    /* 16 entries x 4 cols x 4 B = 256 B, not 512 */
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  acc: {entries: 16, size: 512}\n  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n"
               "  dram: {bandwidth: 1GB/s, read_latency: 10, write_latency: 10}\n",
               TP_ERR_CONFIG,
               "t.yaml:5:28: tpu.acc.size: disagrees with tpu.acc.entries: 16 entries x 4 cols x 32 bits = 256 bytes, not 512");
    /* 100 bytes is not a whole number of 16-byte rows */
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1KiB, bytes_per_cycle: 8}\n"
               "  acc: {size: 100}\n  vpu: {elems_per_cycle: 4}\n  dma: {bytes_per_cycle: 8}\n"
               "  dram: {bandwidth: 1GB/s, read_latency: 10, write_latency: 10}\n",
               TP_ERR_CONFIG,
               "t.yaml:5:15: tpu.acc.size: 100 bytes is not a whole number of accumulator rows of 16 bytes "
               "(cols x width_bits/8)");
    expect_err(BASE "  host: {bandwidth: 1GB/s, bytes_per_cycle_per_channel: 4, read_latency: 1, write_latency: 1}\n",
               TP_ERR_CONFIG,
               "t.yaml:9:57: tpu.host.bytes_per_cycle_per_channel: give tpu.host.bandwidth or "
               "tpu.host.bytes_per_cycle_per_channel, not both");
    expect_err(BASE "  host: {bandwidth: 1GB/s, read_latency: 1, write_latency: 1, burst_bytes: 64, interleave_bytes: 96}\n",
               TP_ERR_CONFIG,
               "t.yaml:9:98: tpu.host.interleave_bytes: 96 is not a multiple of tpu.host.burst_bytes (64)");
    const char *wr[] = {"tpu.array.weight_rows_per_cycle=8"};
    expect_err_sets(BASE, wr, 1, TP_ERR_CONFIG,
                    "--set tpu.array.weight_rows_per_cycle=8: must be at most tpu.array.rows (4), got 8");
}

static void absurd_machines(void **state)
{
    (void)state;
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 100000, cols: 100000}\n", TP_ERR_CONFIG,
               "t.yaml:3:17: tpu.array.rows: must be at most 4096, got 100000");
    expect_err("tpu:\n  clock: 1GHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n  ub: {size: 1TiB}\n", TP_ERR_CONFIG,
               "t.yaml:4:14: tpu.ub.size: must be at most 1GiB, got 1TiB");
}

/* Each key in range, but the totals are too large. On-chip bytes = cores x (UB + mxus x (acc +
 * wbuf)), the weight FIFO counted at the widest input (bf16, 2 B) whatever the dtypes:
 * 64 x (1 GiB + (16 x 4 x 4 B + 2 tiles x 4 x 4 x 2 B)) = 68719476736 + 64 x 320 = 68719497216 bytes */
static void absurd_totals(void **state)
{
    (void)state;
    expect_err("tpu:\n  clock: 1GHz\n  cores: 64\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
               "  ub: {size: 1GiB, bytes_per_cycle: 8}\n  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n"
               "  dma: {bytes_per_cycle: 8}\n  dram: {bandwidth: 1GB/s, read_latency: 10, write_latency: 10}\n",
               TP_ERR_NOMEM,
               "t.yaml:1:1: tpu: on-chip memories total 68719497216 bytes (unified buffers, accumulators, "
               "weight FIFOs); tpusim holds at most 4GiB");
    /* 64 x 64 x 4096 x 4096 PEs = 2^36 */
    const char *sets[] = {"tpu.cores=64", "tpu.mxus_per_core=64", "tpu.array.rows=4096", "tpu.array.cols=4096",
                          "tpu.ub.size=64"};
    expect_err_sets(BASE, sets, 5, TP_ERR_NOMEM,
                    "--set tpu.array.cols=4096: tpu: the machine has 68719476736 PEs (cores x mxus_per_core x rows x cols); "
                    "tpusim simulates at most 67108864");
}

static void times_use_the_clock(void **state)
{
    (void)state;
    /* 100 ns at 700 MHz = 70 cycles; 1.5 us = 1050 cycles; a bare 30 is 30 cycles */
    tp_config *c = load_ok("tpu:\n  clock: 700MHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
                           "  ub: {size: 1KiB, bytes_per_cycle: 8}\n  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n"
                           "  dma: {bytes_per_cycle: 8, setup_latency: 1.5us}\n"
                           "  dram: {bandwidth: 34GB/s, read_latency: 100ns, write_latency: 30}\n",
                           NULL, 0);
    assert_int_equal(c->tpu.mem[TP_MEM_DRAM].read_latency_cycles, 70);
    assert_int_equal(c->tpu.mem[TP_MEM_DRAM].write_latency_cycles, 30);
    assert_int_equal(c->tpu.dma.setup_cycles, 1050);
    /* bytes per cycle is the exact ratio 34e9 / 700e6 = 48.5714...; 1 MB takes ceil(20588.2) cycles */
    assert_true(fabs(cfg_mem_bytes_per_cycle(&c->tpu.mem[TP_MEM_DRAM], c->tpu.clock_hz) - 340.0 / 7.0) < 1e-12);
    assert_true(cfg_mem_transfer_cycles(&c->tpu.mem[TP_MEM_DRAM], c->tpu.clock_hz, 1000000) == 20589);
    assert_true(cfg_mem_transfer_cycles(&c->tpu.mem[TP_MEM_DRAM], c->tpu.clock_hz, 34) == 1);
    /* 340 bytes = exactly 7 cycles (340 * 7e8 / 3.4e10 = 7) */
    assert_true(cfg_mem_transfer_cycles(&c->tpu.mem[TP_MEM_DRAM], c->tpu.clock_hz, 340) == 7);
    free(c);
    /* --set of the clock re-resolves latencies written in ns: 100 ns at 500 MHz = 50 cycles */
    const char *sets[] = {"tpu.clock=500MHz"};
    c = load_ok("tpu:\n  clock: 700MHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
                "  ub: {size: 1KiB, bytes_per_cycle: 8}\n  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n"
                "  dma: {bytes_per_cycle: 8}\n  dram: {bandwidth: 34GB/s, read_latency: 100ns, write_latency: 30}\n",
                sets, 1);
    assert_int_equal(c->tpu.mem[TP_MEM_DRAM].read_latency_cycles, 50);
    free(c);
    /* bytes_per_cycle_per_channel: 4 B x 2 channels x 100 MHz = 800 MB/s */
    c = load_ok("tpu:\n  clock: 100MHz\n  array: {rows: 4, cols: 4, dtypes: [int8]}\n"
                "  ub: {size: 1KiB, bytes_per_cycle: 8}\n  acc: {entries: 16}\n  vpu: {elems_per_cycle: 4}\n"
                "  dma: {bytes_per_cycle: 8}\n"
                "  dram: {channels: 2, bytes_per_cycle_per_channel: 4, read_latency: 1, write_latency: 1}\n",
                NULL, 0);
    assert_true(c->tpu.mem[TP_MEM_DRAM].bytes_per_s == 800000000ull);
    assert_true(cfg_mem_transfer_cycles(&c->tpu.mem[TP_MEM_DRAM], c->tpu.clock_hz, 64) == 8);
    free(c);
    /* a latency too long once converted */
    expect_err("gpu:\n  clock: 1GHz\n  sms: 1\n  smem_per_sm: 1KiB\n  l2: {size: 1MiB, bandwidth: 1TB/s}\n"
               "  dram: {bandwidth: 1GB/s, read_latency: 1, write_latency: 1}\n"
               "  mma:\n    int8: {m: 8, n: 8, k: 16, latency: 1ms, interval: 0}\n",
               TP_ERR_CONFIG,
               "t.yaml:8:40: gpu.mma.int8.latency: must be at most 100000 cycles, got 1ms = 1000000 cycles at 1GHz");
}

static void set_overrides(void **state)
{
    (void)state;
    const char *sets[] = {"tpu.array.rows=64", "tpu.array.dtypes=[int8]", "tpu.dram.bandwidth=1TB/s",
                          "tpu.array.dataflow=os", "tpu.array.rows=16"};
    tp_config *c = cfg_alloc();
    tp_err e = {0};
    assert_int_equal(cfg_load(NULL, sets, 5, c, &e), TP_OK);
    assert_int_equal(c->tpu.array.rows, 16);            /* the later --set wins */
    assert_int_equal(c->tpu.array.cols, 32);
    assert_int_equal(c->tpu.array.dataflow, TP_DF_OS);
    assert_true(c->tpu.mem[TP_MEM_DRAM].bytes_per_s == 1000000000000ull);
    assert_int_equal(cfg_tpu_require_dtype(c, TP_BF16, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "machine 'default' does not support bf16 (it supports: int8)");
    free(c);
    /* a --set of acc.size replaces the file's acc.entries: 1 KiB / (4 cols x 4 B) = 64 entries */
    const char *s2[] = {"tpu.acc.size=1KiB"};
    c = load_ok(BASE, s2, 1);
    assert_true(c->tpu.acc.entries == 64);
    free(c);
    /* and of bytes_per_cycle_per_channel the file's bandwidth: 4 B x 1 channel x 1 GHz */
    const char *s5[] = {"tpu.dram.bytes_per_cycle_per_channel=4"};
    c = load_ok(BASE, s5, 1);
    assert_true(c->tpu.mem[TP_MEM_DRAM].bytes_per_s == 4000000000ull);
    free(c);
    /* a --set can create an optional section */
    const char *s3[] = {"tpu.host.bandwidth=16GB/s", "tpu.host.read_latency=1us", "tpu.host.write_latency=1us",
                        "tpu.placement.inputs=host"};
    c = load_ok(BASE, s3, 4);
    assert_true(c->tpu.mem[TP_MEM_HOST].present);
    assert_int_equal(c->tpu.mem[TP_MEM_HOST].read_latency_cycles, 1000);   /* 1 us at 1 GHz */
    assert_int_equal(c->tpu.place_inputs, TP_MEM_HOST);
    free(c);
    /* values are YAML scalars: quotes are removed as in a file, so a quoted enum is fine */
    const char *s4[] = {"tpu.array.dataflow='is'", "name=\"my machine\""};
    c = load_ok(BASE, s4, 2);
    assert_int_equal(c->tpu.array.dataflow, TP_DF_IS);
    assert_string_equal(c->tpu.name, "my machine");
    free(c);
}

static void set_errors(void **state)
{
    (void)state;
    const char *a[] = {"tpu.array.rwos=64"};
    expect_err_sets(BASE, a, 1, TP_ERR_USAGE,
                    "--set tpu.array.rwos=64: unknown key 'tpu.array.rwos' (did you mean 'tpu.array.rows'?)");
    const char *b[] = {"tpu.array.rows=100000"};
    expect_err_sets(BASE, b, 1, TP_ERR_CONFIG, "--set tpu.array.rows=100000: must be at most 4096, got 100000");
    const char *c[] = {"tpu.array=4"};
    expect_err_sets(BASE, c, 1, TP_ERR_USAGE,
                    "--set tpu.array=4: 'tpu.array' is a section, not a key: set one of its keys, e.g. 'tpu.array.rows'");
    const char *d[] = {"tpu.array.rows"};
    expect_err_sets(BASE, d, 1, TP_ERR_USAGE, "--set tpu.array.rows: expected PATH=VALUE, e.g. --set tpu.array.rows=64");
    const char *e[] = {"tpu.array.rows="};
    expect_err_sets(BASE, e, 1, TP_ERR_CONFIG, "--set tpu.array.rows=: missing value: expected a whole number");
    const char *f[] = {"tpu.array.dtypes=[int8"};
    expect_err_sets(BASE, f, 1, TP_ERR_PARSE,
                    "--set tpu.array.dtypes=[int8: YAML syntax error: did not find expected ',' or ']' "
                    "(while parsing a flow sequence)");
    const char *g[] = {"tpu.clock=1.5"};
    expect_err_sets(BASE, g, 1, TP_ERR_CONFIG,
                    "--set tpu.clock=1.5: expected a frequency such as 940MHz, got '1.5' (not a whole number of Hz)");
    /* a --set that creates a section reports what the section still lacks, naming the flag */
    const char *h[] = {"gpu.clock=1GHz"};
    expect_err_sets(BASE, h, 1, TP_ERR_CONFIG, "--set gpu.clock=1GHz: gpu.sms: required key is missing");
    const char *j[] = {"tpu.array.dtypes=int8,bf16"};
    expect_err_sets(BASE, j, 1, TP_ERR_CONFIG,
                    "--set tpu.array.dtypes=int8,bf16: unknown dtype 'int8,bf16' (expected int8 or bf16; "
                    "write a list as [int8, bf16])");
    const char *i[] = {"tpu.array.rows={a: 1}"};
    expect_err_sets(BASE, i, 1, TP_ERR_CONFIG, "--set tpu.array.rows={a: 1}: expected a whole number, got a mapping");
    /* a rule between two keys broken by a --set is reported at that --set, not at the other
     * key's line in the file (or in the embedded default, which the user never wrote) */
    const char *k[] = {"tpu.dram.burst_bytes=3"};
    expect_err_sets(BASE, k, 1, TP_ERR_CONFIG,
                    "--set tpu.dram.burst_bytes=3: tpu.dram.interleave_bytes: 256 is not a multiple of "
                    "tpu.dram.burst_bytes (3)");
    tp_config *cf = cfg_alloc();
    tp_err er = {0};
    assert_int_equal(cfg_load(NULL, k, 1, cf, &er), TP_ERR_CONFIG);
    assert_null(strstr(er.msg, "<default>"));
    free(cf);
}

static void default_machine(void **state)
{
    (void)state;
    tp_config *c = cfg_alloc();
    tp_err e = {0};
    assert_int_equal(cfg_load(NULL, NULL, 0, c, &e), TP_OK);
    assert_string_equal(c->source, "<default>");
    assert_string_equal(c->name, "default");
    assert_true(c->tpu.present);
    assert_true(c->tpu.array.dtypes[TP_INT8] && c->tpu.array.dtypes[TP_BF16]);
    assert_int_equal(c->tpu.array.rows, 32);
    assert_int_equal(c->tpu.array.cols, 32);
    assert_true(c->tpu.clock_hz == 1000000000ull);
    assert_true(cfg_tpu_peak_macs_per_cycle(&c->tpu) == 1024);
    assert_int_equal(cfg_tpu_require_dtype(c, TP_INT8, &e), TP_OK);
    assert_int_equal(cfg_tpu_require_dtype(c, TP_BF16, &e), TP_OK);
    /* a 512^3 GEMM's operands (3 x 512 x 512 x 2 B = 1.5 MiB) fit the unified buffer */
    assert_true(c->tpu.ub.size_bytes >= 3u * 512 * 512 * 2);
    /* read latency 100 ns at 1 GHz = 100 cycles */
    assert_int_equal(c->tpu.mem[TP_MEM_DRAM].read_latency_cycles, 100);
    free(c);
}

typedef struct {
    const char *file;
    double published_ops[TP_DTYPE__COUNT];   /* published dense peak, 0 = unsupported */
    double exact_ops[TP_DTYPE__COUNT];       /* our equation, computed by hand */
} peak_case;

static void shipped_tpu_configs(void **state)
{
    (void)state;
    /* exact = 2 x cores x mxus x rows x cols x clock; published from tests/data/validation/tpu/published.md */
    static const peak_case cases[] = {
        {"configs/tpu-v1.yaml", {92e12, 0}, {2.0 * 65536 * 700e6, 0}},
        {"configs/tpu-v2.yaml", {0, 45.5e12}, {0, 2.0 * 2 * 1 * 16384 * 700e6}},
        {"configs/tpu-v3.yaml", {0, 123e12}, {0, 2.0 * 2 * 2 * 16384 * 940e6}},
        {"configs/tpu-v4.yaml", {275e12, 275e12}, {2.0 * 2 * 4 * 16384 * 1.05e9, 2.0 * 2 * 4 * 16384 * 1.05e9}},
        {"configs/tpu-v4-core.yaml", {137.5e12, 137.5e12}, {2.0 * 4 * 16384 * 1.05e9, 2.0 * 4 * 16384 * 1.05e9}},
        {"configs/edge-8x8.yaml", {64e9, 64e9}, {2.0 * 64 * 500e6, 2.0 * 64 * 500e6}},
        {"configs/teach-4x4.yaml", {3.2e9, 3.2e9}, {2.0 * 16 * 100e6, 2.0 * 16 * 100e6}},
    };
    char path[512];
    tp_err e = {0};
    tp_config *c = cfg_alloc();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cfg_load(th_path(path, sizeof path, cases[i].file), NULL, 0, c, &e) != TP_OK)
            fail_msg("%s: %s", cases[i].file, e.msg);
        for (int d = 0; d < TP_DTYPE__COUNT; d++) {
            double got = cfg_tpu_peak_ops_per_s(&c->tpu, (tp_dtype)d);
            assert_true(got == cases[i].exact_ops[d]);
            if (cases[i].published_ops[d] > 0)
                assert_true(fabs(got / cases[i].published_ops[d] - 1) < 0.01);   /* within 1% */
            else
                assert_int_equal(cfg_tpu_require_dtype(c, (tp_dtype)d, &e), TP_ERR_UNSUPPORTED);
        }
    }
    /* tpu-v1 specifics: 91.75 TOPS, weights in the 34 GB/s weight memory, activations on the host */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/tpu-v1.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(cfg_tpu_peak_ops_per_s(&c->tpu, TP_INT8) == 91750400000000.0);
    assert_int_equal(cfg_tpu_require_dtype(c, TP_BF16, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "machine 'tpu-v1' does not support bf16 (it supports: int8)");
    assert_true(c->tpu.ub.size_bytes == 24ull << 20);
    assert_true(c->tpu.acc.entries == 4096 && c->tpu.acc.size_bytes == 4ull << 20);   /* 4096 x 256 x 4 B */
    assert_int_equal(c->tpu.wbuf.depth_tiles, 4);
    assert_int_equal(c->tpu.place_weights, TP_MEM_WEIGHT);
    assert_int_equal(c->tpu.place_inputs, TP_MEM_HOST);
    assert_int_equal(c->tpu.place_outputs, TP_MEM_HOST);
    assert_true(c->tpu.mem[TP_MEM_WEIGHT].bytes_per_s == 34000000000ull);
    assert_true(cfg_mem_transfer_cycles(&c->tpu.mem[TP_MEM_WEIGHT], c->tpu.clock_hz, 1000000) == 20589);
    /* ridge point: 45.9 TMAC/s / 34 GB/s = 1350 MACs per weight byte ([J17]) */
    assert_true(fabs(cfg_tpu_peak_ops_per_s(&c->tpu, TP_INT8) / 2 / c->tpu.mem[TP_MEM_WEIGHT].bytes_per_s - 1350) < 1);
    /* tpu-v4: 275.2512 TFLOPS, 1200 GB/s */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/tpu-v4.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(cfg_tpu_peak_ops_per_s(&c->tpu, TP_BF16) == 275251200000000.0);
    assert_true(c->tpu.mem[TP_MEM_DRAM].bytes_per_s == 1200000000000ull);
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/tpu-v4-core.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(c->tpu.mem[TP_MEM_DRAM].bytes_per_s == 600000000000ull);
    free(c);
}

static void shipped_gpu_configs(void **state)
{
    (void)state;
    /* exact = 2 x sms x MACs/SM/cycle x clock; published dense peaks from tests/data/validation/gpu/published.md */
    static const peak_case cases[] = {
        {"configs/gpu-a100.yaml", {624e12, 312e12}, {2.0 * 108 * 2048 * 1.41e9, 2.0 * 108 * 1024 * 1.41e9}},
        {"configs/gpu-h100.yaml", {1979e12, 989e12}, {2.0 * 132 * 4096 * 1.83e9, 2.0 * 132 * 2048 * 1.83e9}},
        /* V100 int8 by dp4a: 64 lanes x 4 MACs per SM per cycle; no bf16 */
        {"configs/gpu-v100.yaml", {0, 0}, {2.0 * 80 * 256 * 1.53e9, 0}},
        {"configs/gpu-rtx2080.yaml", {161e12, 0}, {2.0 * 46 * 1024 * 1.71e9, 0}},
        /* T4 datasheet: 130 TOPS int8 (40 SMs x 8 tensor cores x 128 int8 MACs, 1.59 GHz); no bf16 */
        {"configs/gpu-t4.yaml", {130e12, 0}, {2.0 * 40 * 1024 * 1.59e9, 0}},
    };
    char path[512];
    tp_err e = {0};
    tp_config *c = cfg_alloc();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cfg_load(th_path(path, sizeof path, cases[i].file), NULL, 0, c, &e) != TP_OK)
            fail_msg("%s: %s", cases[i].file, e.msg);
        assert_true(c->gpu.present);
        assert_false(c->tpu.present);
        for (int d = 0; d < TP_DTYPE__COUNT; d++) {
            double got = cfg_gpu_peak_ops_per_s(&c->gpu, (tp_dtype)d);
            if (fabs(got - cases[i].exact_ops[d]) > 1e-6 * cases[i].exact_ops[d])
                fail_msg("%s dtype %d: %.17g != %.17g", cases[i].file, d, got, cases[i].exact_ops[d]);
            if (cases[i].published_ops[d] > 0)
                assert_true(fabs(got / cases[i].published_ops[d] - 1) < 0.01);
        }
    }
    /* A100 specifics: 2039 GB/s, 40 MiB L2, 164 KiB smem, Accel-Sim's 198-cycle DRAM latency */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/gpu-a100.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(c->gpu.dram.bytes_per_s == 2039000000000ull);
    assert_true(c->gpu.l2.size_bytes == 40ull << 20);
    assert_true(c->gpu.smem_per_sm_bytes == 164ull << 10);
    assert_int_equal(c->gpu.dram.read_latency_cycles, 198);
    assert_int_equal(c->gpu.mma[TP_BF16].m * c->gpu.mma[TP_BF16].n * c->gpu.mma[TP_BF16].k, 16 * 8 * 16);
    assert_true(c->gpu.launch_overhead_ps == 3000000ull);   /* 3us, a time: no clock in it */
    /* H100: 3.35 TB/s exactly */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/gpu-h100.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(c->gpu.dram.bytes_per_s == 3350000000000ull);
    /* V100: fp16 tensor cores only: 125 TFLOPS; bf16 unsupported, int8 through dp4a */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/gpu-v100.yaml"), NULL, 0, c, &e), TP_OK);
    assert_false(c->gpu.mma[TP_BF16].present);
    assert_false(c->gpu.mma[TP_INT8].present);
    assert_true(c->gpu.dp4a);
    assert_true(fabs(2.0 * c->gpu.sms * cfg_gpu_fp16_macs_per_sm_cycle(&c->gpu) * c->gpu.clock_hz / 125e12 - 1) < 0.01);
    assert_int_equal(cfg_gpu_require_dtype(c, TP_BF16, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "GPU 'gpu-v100' does not support bf16 (it supports: int8, fp16)");
    assert_int_equal(cfg_gpu_require_dtype(c, TP_INT8, &e), TP_OK);
    /* RTX 2080: int8 tensor cores, no bf16 */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/gpu-rtx2080.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(c->gpu.mma[TP_INT8].present);
    assert_false(c->gpu.mma[TP_BF16].present);
    /* T4: fp16 at 65 TFLOPS (datasheet: 40 x 512 x 2 x 1.59 GHz = 65.1), int8 tensor cores, no bf16 */
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/gpu-t4.yaml"), NULL, 0, c, &e), TP_OK);
    assert_true(fabs(2.0 * c->gpu.sms * cfg_gpu_fp16_macs_per_sm_cycle(&c->gpu) * (double)c->gpu.clock_hz / 65e12 - 1) < 0.01);
    assert_true(c->gpu.mma[TP_INT8].present);
    assert_false(c->gpu.mma[TP_BF16].present);
    assert_int_equal(cfg_gpu_require_dtype(c, TP_BF16, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "GPU 'gpu-t4' does not support bf16 (it supports: int8, fp16)");
    free(c);
}

/* Memory figures of every shipped machine against tests/data/validation/{tpu,gpu}/published.md:
 * off-chip bandwidth and capacity, on-chip buffers (and for GPUs the L2 and shared memory). */
static void shipped_memory_figures(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        uint64_t dram_bytes_per_s, dram_size, onchip_bytes;   /* onchip: TPU ub per core, GPU L2 */
        uint64_t smem;                                        /* GPU shared memory per SM */
    } cases[] = {
        {"configs/tpu-v1.yaml", 34000000000ull, 8ull << 30, 24ull << 20, 0},          /* DDR3 34 GB/s, 8 GiB; UB 24 MiB */
        {"configs/tpu-v2.yaml", 700000000000ull, 16000000000ull, 16ull << 20, 0},      /* ~700 GB/s, 16 GB; VMEM 16 MiB */
        {"configs/tpu-v3.yaml", 900000000000ull, 32ull << 30, 16ull << 20, 0},         /* 900 GB/s, 32 GiB */
        {"configs/tpu-v4.yaml", 1200000000000ull, 32ull << 30, 16ull << 20, 0},        /* 1200 GB/s, 32 GiB */
        {"configs/gpu-v100.yaml", 900000000000ull, 16000000000ull, 6ull << 20, 96ull << 10},
        {"configs/gpu-rtx2080.yaml", 448000000000ull, 8000000000ull, 4ull << 20, 64ull << 10},
        {"configs/gpu-t4.yaml", 320000000000ull, 16000000000ull, 4ull << 20, 64ull << 10},   /* T4 datasheet */
        {"configs/gpu-a100.yaml", 2039000000000ull, 80000000000ull, 40ull << 20, 164ull << 10},
        {"configs/gpu-h100.yaml", 3350000000000ull, 80000000000ull, 50ull << 20, 228ull << 10},
    };
    char path[512];
    tp_err e = {0};
    tp_config *c = cfg_alloc();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cfg_load(th_path(path, sizeof path, cases[i].file), NULL, 0, c, &e) != TP_OK)
            fail_msg("%s: %s", cases[i].file, e.msg);
        bool gpu = c->gpu.present;
        const tp_mem_cfg *m = gpu ? &c->gpu.dram : &c->tpu.mem[c->tpu.place_weights];
        if (m->bytes_per_s != cases[i].dram_bytes_per_s || m->size_bytes != cases[i].dram_size)
            fail_msg("%s: memory %llu B/s, %llu B", cases[i].file, (unsigned long long)m->bytes_per_s,
                     (unsigned long long)m->size_bytes);
        assert_true((gpu ? c->gpu.l2.size_bytes : c->tpu.ub.size_bytes) == cases[i].onchip_bytes);
        if (gpu)
            assert_true(c->gpu.smem_per_sm_bytes == cases[i].smem);
    }
    free(c);
}

/* Every file in configs/ loads (a new config cannot be committed broken). */
static void every_config_loads(void **state)
{
    (void)state;
    char dir[512], path[1024];
    DIR *d = opendir(th_path(dir, sizeof dir, "configs"));
    struct dirent *de;
    int n = 0;
    tp_err e = {0};
    tp_config *c = cfg_alloc();
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (cfg_load(path, NULL, 0, c, &e) != TP_OK)
            fail_msg("%s", e.msg);
        /* the machine's name is its file name */
        assert_int_equal(strncmp(c->name, de->d_name, len - 5), 0);
        n++;
    }
    closedir(d);
    free(c);
    assert_true(n >= 11);
}

static void io_errors(void **state)
{
    (void)state;
    tp_config *c = cfg_alloc();
    tp_err e = {0};
    char path[600];
    assert_int_equal(cfg_load("/nonexistent/x.yaml", NULL, 0, c, &e), TP_ERR_IO);
    assert_string_equal(e.msg, "/nonexistent/x.yaml: cannot open: No such file or directory");
    /* a file with a NUL byte on line 2, column 3 */
    snprintf(path, sizeof path, "%s/nul.yaml", th_tmpdir());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("tpu:\n  \0x\n", 1, 10, f);
    fclose(f);
    assert_int_equal(cfg_load(path, NULL, 0, c, &e), TP_ERR_PARSE);
    assert_non_null(strstr(e.msg, "nul.yaml:2:3: NUL byte"));
    free(c);
}

/* docs/config.md has one table row "| `path` | ..." per key of the table, and no other. */
static void docs_document_every_key(void **state)
{
    (void)state;
    char path[512], line[2048];
    size_t n = cfg_key_count();
    FILE *f = fopen(th_path(path, sizeof path, "docs/config.md"), "r");
    assert_non_null(f);
    int *seen = calloc(n, sizeof *seen);
    assert_non_null(seen);
    while (fgets(line, sizeof line, f)) {
        char key[128];
        const char *p;
        size_t len;
        if (strncmp(line, "| `", 3))
            continue;
        p = line + 3;
        len = strcspn(p, "`");
        assert_true(len < sizeof key);
        memcpy(key, p, len);
        key[len] = 0;
        size_t i;
        for (i = 0; i < n; i++) {
            cfg_key_info ki;
            cfg_key_get(i, &ki);
            if (!strcmp(ki.path, key)) {
                char def[160];
                seen[i]++;
                /* the row states the key's default (or that it is required) */
                snprintf(def, sizeof def, "| %s |", ki.def);
                if (!strstr(line, def))
                    fail_msg("docs/config.md: %s: default '%s' not stated", key, ki.def);
                break;
            }
        }
        if (i == n)
            fail_msg("docs/config.md documents '%s', which is not a config key", key);
    }
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        cfg_key_info ki;
        cfg_key_get(i, &ki);
        if (seen[i] != 1)
            fail_msg("docs/config.md documents '%s' %d times (expected once)", ki.path, seen[i]);
    }
    free(seen);
}

/* The table's own invariants: alternative keys come in pairs within one section; enum keys show
 * their names from the one name table; the section enum and table agree, parents first. */
static void key_table_invariants(void **state)
{
    (void)state;
    int n_alt = 0;
    char buf[96];
    for (size_t i = 0; i < cfg_n_keys; i++) {
        int a = cfg_key_alt((int)i);
        if (!cfg_keys[i].alt) {
            assert_int_equal(a, -1);
            continue;
        }
        n_alt++;
        assert_true(a >= 0);
        assert_int_equal(cfg_key_alt(a), (int)i);
        assert_int_equal(cfg_block_of(cfg_keys[i].path), cfg_block_of(cfg_keys[a].path));
    }
    assert_int_equal(n_alt, 2 + 2 * 4);   /* acc entries/size; bandwidth/bpc of 4 memories */
    assert_int_equal(cfg_key_alt(cfg_key_find("tpu.acc.entries")), cfg_key_find("tpu.acc.size"));
    assert_int_equal(cfg_key_alt(cfg_key_find("gpu.dram.bandwidth")),
                     cfg_key_find("gpu.dram.bytes_per_cycle_per_channel"));
    assert_string_equal(cfg_ktype_values(KT_DATAFLOW, "|", buf, sizeof buf), "ws|os|is");
    assert_string_equal(cfg_ktype_values(KT_TIMING, ", ", buf, sizeof buf), "pipelined, scalesim");
    assert_string_equal(cfg_ktype_values(KT_MEMID, ", ", buf, sizeof buf), "dram, weight_mem, host");
    assert_string_equal(cfg_ktype_values(KT_DTYPES, ", ", buf, sizeof buf), "int8, bf16");
    assert_string_equal(cfg_ktype_values(KT_U32, ", ", buf, sizeof buf), "");
    assert_null(cfg_ktype_enum(KT_DTYPES));
    for (int d = 0; d < TP_DF__COUNT; d++) {
        tp_dataflow df;
        assert_int_equal(cfg_dataflow_parse(cfg_dataflow_name((tp_dataflow)d), &df), 0);
        assert_int_equal(df, d);
    }
    assert_int_equal(cfg_enum_parse(KT_MEMID, "weight_mem"), TP_MEM_WEIGHT);
    assert_int_equal(cfg_enum_parse(KT_MEMID, "sram"), -1);
    assert_string_equal(cfg_timing_name(TP_TIMING__COUNT), "?");
    {
        cfg_key_info ki;
        cfg_key_get((size_t)cfg_key_find("tpu.placement.inputs"), &ki);
        assert_string_equal(ki.type, "enum");
        assert_string_equal(ki.range, "dram, weight_mem, host");
        cfg_key_get((size_t)cfg_key_find("tpu.array.dtypes"), &ki);
        assert_string_equal(ki.type, "list");
        assert_string_equal(ki.range, "int8, bf16");
    }
    assert_int_equal(cfg_n_blocks, CFG_BLK__COUNT);
    for (size_t b = 0; b < cfg_n_blocks; b++) {
        assert_int_equal(cfg_block_of(cfg_blocks[b].prefix), (int)b);
        for (size_t q = b + 1; q < cfg_n_blocks; q++)   /* no parent after its child */
            assert_false(cfg_path_has_prefix(cfg_blocks[b].prefix, cfg_blocks[q].prefix));
    }
    assert_true(cfg_path_has_prefix("tpu.ub.size", "tpu.ub"));
    assert_true(cfg_path_has_prefix("tpu.ub", "tpu.ub"));
    assert_false(cfg_path_has_prefix("tpu.ub.size", "tpu.u"));
}

/* cfg_tpu_check: the loader's placement and weight-row rules on a hand-built machine, and the
 * one message for a config without a tpu: section. */
static void tpu_check_by_hand(void **state)
{
    (void)state;
    tp_err e = {0};
    tp_config *c = load_ok(BASE, NULL, 0);
    assert_int_equal(cfg_tpu_check(c, &e), TP_OK);
    c->tpu.place_outputs = TP_MEM_HOST;                      /* no host: section */
    assert_int_equal(cfg_tpu_check(c, &e), TP_ERR_CONFIG);
    assert_string_equal(e.msg, "t.yaml: tpu.placement.outputs: 'host' is not defined in this config "
                               "(add a tpu.host: section)");
    c->tpu.place_outputs = TP_MEM_DRAM;
    c->tpu.array.weight_rows_per_cycle = 5;                  /* rows is 4 */
    assert_int_equal(cfg_tpu_check(c, &e), TP_ERR_CONFIG);
    assert_string_equal(e.msg, "t.yaml: tpu.array.weight_rows_per_cycle: must be at most tpu.array.rows (4), got 5");
    free(c);
    c = load_ok("gpu:\n  clock: 1GHz\n  sms: 2\n  smem_per_sm: 64KiB\n  l2: {size: 1MiB, bandwidth: 1TB/s}\n"
                "  dram: {ideal: true}\n", NULL, 0);
    assert_int_equal(cfg_tpu_check(c, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "t.yaml: machine 't' has no tpu: section (this command simulates a TPU; "
                               "gemm and model also run GPU configs)");
    assert_int_equal(cfg_tpu_require_dtype(c, TP_INT8, &e), TP_ERR_UNSUPPORTED);
    assert_string_equal(e.msg, "t.yaml: machine 't' has no tpu: section (this command simulates a TPU; "
                               "gemm and model also run GPU configs)");
    free(c);
    /* the loader reports the same placement rule at the key */
    expect_err(BASE "  placement: {outputs: host}\n", TP_ERR_CONFIG,
               "t.yaml:9:24: tpu.placement.outputs: 'host' is not defined in this config (add a tpu.host: section)");
}

/* config show prints every key of each present section and the derived peaks. */
static void show_prints_every_key(void **state)
{
    (void)state;
    char path[512];
    char *buf = NULL;
    size_t len = 0;
    tp_err e = {0};
    tp_config *c = cfg_alloc();
    assert_int_equal(cfg_load(th_path(path, sizeof path, "configs/tpu-v1.yaml"), NULL, 0, c, &e), TP_OK);
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    cfg_print(c, f);
    fclose(f);
    for (size_t i = 0; i < cfg_key_count(); i++) {
        cfg_key_info ki;
        cfg_key_get(i, &ki);
        bool tpu_key = !strncmp(ki.path, "tpu.", 4);   /* tpu-v1 has every tpu section, energy included */
        if (tpu_key && !strstr(buf, ki.path))
            fail_msg("config show does not print %s", ki.path);
        if (!strncmp(ki.path, "gpu.", 4) && strstr(buf, ki.path))
            fail_msg("config show prints %s of an absent gpu section", ki.path);
    }
    /* one value column for every key, the longest path included */
    assert_non_null(strstr(buf, "\ntpu.array.rows                             256 "));
    assert_non_null(strstr(buf, "\ntpu.weight_mem.bytes_per_cycle_per_channel (not set)\n"));
    assert_null(strstr(buf, "\ntpu.energy                                 (absent)\n"));
    /* the MAC figure at 28 nm: 0.3 pJ x (28/45)^a, a = ln 0.35 / ln(7/45) = 0.5642, = 0.3 x 0.765 */
    assert_non_null(strstr(buf, "\n  tpu energy per int8 MAC            0.2295 pJ at 28 nm (0.3 pJ at 45 nm x 0.765)\n"));
    assert_non_null(strstr(buf, "91.75 TOPS"));
    assert_non_null(strstr(buf, "65536"));
    free(buf);
    free(c);
}

/* The process-node rule (derive.c): f(n) = (n/45)^a with f(7) = 0.35 (Jouppi et al. ISCA 2021,
 * Table 2, against Horowitz's 45 nm), held outside [7, 45] nm; scale = f(chip) / f(table). The
 * middle values are worked by hand: a = ln 0.35 / ln(7/45) = -1.04982 / -1.86075 = 0.564192;
 * 28 nm: exp(0.564192 x ln(28/45) = -0.474458) = exp(-0.267686) = 0.76512;
 * 16 nm: exp(0.564192 x -1.034074) = exp(-0.583416) = 0.55799;
 * 12 nm: exp(0.564192 x -1.321756) = exp(-0.745725) = 0.47440. */
static void energy_node_rule(void **state)
{
    (void)state;
    assert_true(cfg_energy_node_scale(45, 45) == 1.0);
    assert_true(fabs(cfg_energy_node_scale(45, 7) - 0.35) < 1e-12);
    assert_true(fabs(cfg_energy_node_scale(45, 4) - 0.35) < 1e-12);    /* held at 7 nm */
    assert_true(fabs(cfg_energy_node_scale(45, 65) - 1.0) < 1e-12);    /* held at 45 nm */
    assert_true(fabs(cfg_energy_node_scale(45, 28) - 0.76512) < 1e-4);
    assert_true(fabs(cfg_energy_node_scale(45, 16) - 0.55799) < 1e-4);
    assert_true(fabs(cfg_energy_node_scale(45, 12) - 0.47440) < 1e-4);
    assert_true(fabs(cfg_energy_node_scale(7, 45) - 1.0 / 0.35) < 1e-9); /* the inverse direction */
    assert_true(cfg_energy_node_scale(0, 7) == 1.0);                    /* a node not given: as written */
    assert_true(cfg_energy_node_scale(45, 0) == 1.0);
    tp_config *c = load_ok(BASE "  process_nm: 16\n  energy: {mac_node_nm: 45, mac_int8_pj: 0.3, mac_bf16_pj: 2}\n", NULL, 0);
    assert_true(fabs(cfg_energy_pj_per_mac(&c->tpu.energy, c->tpu.process_nm, TP_INT8) - 0.3 * 0.55799) < 1e-4);
    assert_true(fabs(cfg_energy_pj_per_mac(&c->tpu.energy, c->tpu.process_nm, TP_BF16) - 2.0 * 0.55799) < 1e-4);
    free(c);
}

/* Every key documented; every default parses (sections whose keys are all defaulted: energy). */
static void table_and_defaults(void **state)
{
    (void)state;
    for (size_t i = 0; i < cfg_key_count(); i++) {
        cfg_key_info ki;
        cfg_key_get(i, &ki);
        assert_non_null(ki.path);
        assert_non_null(ki.def);
        assert_true(strlen(ki.doc) > 10);
        for (size_t j = 0; j < i; j++) {
            cfg_key_info kj;
            cfg_key_get(j, &kj);
            assert_string_not_equal(ki.path, kj.path);
        }
    }
    tp_config *c = load_ok(BASE "  energy: {mac_int8_pj: 0.25}\n"
                           "gpu:\n  clock: 1GHz\n  sms: 2\n  smem_per_sm: 64KiB\n  l2: {size: 1MiB, bandwidth: 1TB/s}\n"
                           "  dram: {ideal: true}\n  energy: {}\n"
                           "  mma:\n    bf16: {m: 16, n: 8, k: 16, latency: 20ns, interval: 8}\n",
                           NULL, 0);
    assert_true(c->tpu.energy.present);
    assert_true(c->tpu.energy.pj_per_mac[TP_INT8] == 0.25);
    assert_true(c->tpu.energy.pj_per_byte_ub == 0.0);
    assert_true(c->gpu.present && c->gpu.energy.present && c->gpu.dram.ideal);
    assert_int_equal(c->gpu.warp_size, 32);                  /* documented defaults */
    assert_int_equal(c->gpu.tensor_units_per_sm, 4);
    assert_int_equal(c->gpu.mma[TP_BF16].latency_cycles, 20);  /* 20 ns at 1 GHz */
    assert_false(c->gpu.mma[TP_INT8].present);
    /* bf16: 4 units x 2048 MACs / 8 cycles = 1024 MACs/SM/cycle; 2 SMs at 1 GHz = 4.096 TFLOPS */
    assert_true(cfg_gpu_peak_ops_per_s(&c->gpu, TP_BF16) == 4096e9);
    /* int8 has no mma block but dp4a defaults to true: 64 lanes x 4 MACs */
    assert_true(cfg_gpu_peak_ops_per_s(&c->gpu, TP_INT8) == 2.0 * 2 * 256 * 1e9);
    free(c);
    /* the same name on both machines */
    const char *sets[] = {"name=both"};
    c = load_ok(BASE "gpu:\n  clock: 1GHz\n  sms: 2\n  smem_per_sm: 64KiB\n  l2: {size: 1MiB, bandwidth: 1TB/s}\n"
                "  dram: {ideal: true}\n", sets, 1);
    assert_string_equal(c->tpu.name, "both");
    assert_string_equal(c->gpu.name, "both");
    free(c);
}

/* Robustness: thousands of corrupted copies of a real config (bytes replaced, deleted or
 * truncated, from a fixed seed) either load or fail with one positioned line "t.yaml:L:C: ..."
 * -- never a crash (the sanitizer build runs this too) and never an unpositioned message. */
static void corrupted_configs_fail_cleanly(void **state)
{
    (void)state;
    char path[512];
    static const char junk[] = ":{}[]-,#&*!|>'\"%@` \n\t0123456789abcxyz.";
    FILE *f = fopen(th_path(path, sizeof path, "configs/tpu-v1.yaml"), "rb");
    assert_non_null(f);
    char *orig = calloc(1, 1 << 16), *buf = calloc(1, 1 << 16);
    assert_non_null(orig);
    assert_non_null(buf);
    size_t n = fread(orig, 1, (1 << 16) - 1, f);
    fclose(f);
    tp_config *c = cfg_alloc();
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    int ok = 0, bad = 0;
    for (int it = 0; it < 3000; it++) {
        size_t len = n;
        memcpy(buf, orig, n + 1);
        int edits = 1 + it % 3;
        for (int e = 0; e < edits && len > 0; e++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            size_t pos = (size_t)(rng >> 33) % len;
            switch ((rng >> 20) % 3) {
            case 0: buf[pos] = junk[(rng >> 8) % (sizeof junk - 1)]; break;            /* replace */
            case 1: memmove(buf + pos, buf + pos + 1, len - pos); len--; break;        /* delete */
            default: buf[pos] = 0; len = pos; break;                                   /* truncate */
            }
        }
        tp_err err = {0};
        if (cfg_load_string("t.yaml", buf, NULL, 0, c, &err) == TP_OK) {
            ok++;
            continue;
        }
        bad++;
        int line = 0, col = 0, used = 0;
        if (sscanf(err.msg, "t.yaml:%d:%d: %n", &line, &col, &used) != 2 || used == 0 || line < 1 || col < 1 ||
            strchr(err.msg, '\n'))
            fail_msg("unpositioned error for mutation %d: %s", it, err.msg);
    }
    assert_true(bad > 1000);   /* most mutations break something */
    assert_true(ok > 0);       /* some land in comments */
    free(c);
    free(orig);
    free(buf);
}

TH_GROUP(config)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_is_valid),
        cmocka_unit_test(syntax_errors),
        cmocka_unit_test(type_errors),
        cmocka_unit_test(missing_keys),
        cmocka_unit_test(duplicate_keys),
        cmocka_unit_test(unknown_keys),
        cmocka_unit_test(cross_key_rules),
        cmocka_unit_test(absurd_machines),
        cmocka_unit_test(absurd_totals),
        cmocka_unit_test(times_use_the_clock),
        cmocka_unit_test(set_overrides),
        cmocka_unit_test(set_errors),
        cmocka_unit_test(default_machine),
        cmocka_unit_test(shipped_tpu_configs),
        cmocka_unit_test(shipped_gpu_configs),
        cmocka_unit_test(shipped_memory_figures),
        cmocka_unit_test(every_config_loads),
        cmocka_unit_test(io_errors),
        cmocka_unit_test(docs_document_every_key),
        cmocka_unit_test(show_prints_every_key),
        cmocka_unit_test(table_and_defaults),
        cmocka_unit_test(energy_node_rule),
        cmocka_unit_test(key_table_invariants),
        cmocka_unit_test(tpu_check_by_hand),
        cmocka_unit_test(corrupted_configs_fail_cleanly),
    };
    return TH_RUN(ctx, tests, NULL, NULL);
}
