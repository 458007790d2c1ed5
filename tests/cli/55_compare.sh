# compare (docs/compare.md): one GEMM on a TPU and on a GPU, one table with a column per machine.
# The figures are checked against independent runs: each column's cycles and time equal those of
# `tpusim gemm` on that config alone, and the JSON's time ratio equals tpu.seconds / gpu.seconds.
# cmp_num FILE SECTION KEY: the number of "KEY" directly inside the top-level object SECTION
cmp_num() { sed -n "/^  \"$2\": {/,/^  }/p" "$1" | sed -n "s/^    \"$3\": \\([-0-9.e+]*\\),\\{0,1\\}\$/\\1/p" | head -1; }
# cmp_row FILE LABEL COLUMN: the COLUMN-th (1 = TPU, 2 = GPU) field of the table row LABEL
cmp_row() { sed -n "s/^  $2  *//p" "$1" | head -1 | awk -v c="$3" -F '  +' '{ print $c }'; }
cmp_close() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= r * m) }'; }

cmp_dims="1024 768 512"
# chip against chip: the default TPU config, bf16 on both
if "$TPUSIM" compare $cmp_dims -g configs/gpu-a100.yaml --dtype bf16 --no-data >"$T/cmp.txt" 2>"$T/err"; then
    ok "compare tpu-v4 (default) against gpu-a100 runs"
else
    not_ok "compare tpu-v4 (default) against gpu-a100 runs" "$(cat "$T/err")"
fi
if head -1 "$T/cmp.txt" | grep -q '^compare 1024x768x512: chip against chip, tpu-v4 (2 core(s) x 4 MXU(s)) against gpu-a100 (108 SMs)$'
then ok "compare: the title says chip against chip and names cores, MXUs and SMs"
else not_ok "compare: the title says chip against chip and names cores, MXUs and SMs" "$(head -1 "$T/cmp.txt")"; fi
cmp_missing=""
for cmp_r in "machine  *tpu-v4  *gpu-a100" "kind  *TPU, 2 cores x 4 MXUs  *GPU, 108 SMs" "dtype  *bf16  *bf16" "cycles  *[0-9]" \
        "clock  *1050 MHz  *1410 MHz" "time \(GPU: launch included\)" "achieved  *[0-9.]* TFLOPS" "peak  *275.3 TFLOPS  *311.9 TFLOPS" \
        "utilization  *[0-9.]*%  *[0-9.]*%" "cycles by category  *% of the MXUs' cycles  *% of the SMs' cycles" \
        "  compute  " "  quantization  " "  pipeline  " "  on_chip_data  " "  off_chip_memory  " "  synchronization  " \
        "  overhead  " "  idle  " "off-chip memory \(DRAM\)  *dram  *dram" "  read  " "  written  " "  on the bus  " \
        "  ub \(buffer\)  *[0-9.]* [KMG]i?B  *-" "  acc \(buffer\)" "  wbuf \(buffer\)" "  l2 \(cache\)  *-  *[0-9.]* [KMG]i?B" \
        "  smem \(buffer\)" "energy  *[0-9.]+ [pnum]?J  *[0-9.]+ [pnum]?J" "performance per watt  *[0-9.]+ TFLOPS/W  *[0-9.]+ TFLOPS/W" "time ratio \(TPU / GPU seconds\): " \
        "TPU: [A-Z]" "GPU: [A-Z]" "TPU tpu-v4: no published rows compared" \
        "GPU gpu-a100: 9 of 9 published A100 bf16 rows within target, median \|error\| 3.7 points \(docs/validation.md\)"; do
    grep -Eq "^ *$cmp_r" "$T/cmp.txt" || cmp_missing="$cmp_missing [$cmp_r]"
done
if [ -z "$cmp_missing" ]; then ok "compare: every row of the table"; else not_ok "compare: every row of the table:$cmp_missing" "$(cat "$T/cmp.txt")"; fi

# each column against the machine run alone (gemm), and the ratio column
"$TPUSIM" gemm $cmp_dims -c configs/tpu-v4.yaml --dtype bf16 --no-data --json - >"$T/cmp-t.json" 2>"$T/err" || not_ok "gemm on tpu-v4" "$(cat "$T/err")"
"$TPUSIM" gemm $cmp_dims -c configs/gpu-a100.yaml --dtype bf16 --no-data --json - >"$T/cmp-g.json" 2>"$T/err" || not_ok "gemm on gpu-a100" "$(cat "$T/err")"
cmp_tc=$(cmp_num "$T/cmp-t.json" tpu cycles) cmp_gc=$(cmp_num "$T/cmp-g.json" gpu cycles)
if [ -n "$cmp_tc" ] && [ "$(cmp_row "$T/cmp.txt" cycles 1)" = "$cmp_tc" ] && [ "$(cmp_row "$T/cmp.txt" cycles 2)" = "$cmp_gc" ]
then ok "compare: each column's cycles = gemm's on that config alone ($cmp_tc, $cmp_gc)"
else not_ok "compare: each column's cycles = gemm's on that config alone" "gemm $cmp_tc $cmp_gc; $(grep '^  cycles ' "$T/cmp.txt")"; fi
cmp_ratio=$(cmp_row "$T/cmp.txt" cycles 3)
if cmp_close "$cmp_ratio" "$(awk -v a="$cmp_tc" -v b="$cmp_gc" 'BEGIN { print a / b }')" 0.005; then ok "compare: the cycles ratio column"
else not_ok "compare: the cycles ratio column ($cmp_ratio)"; fi

if "$TPUSIM" compare $cmp_dims -g configs/gpu-a100.yaml --dtype bf16 --no-data --json - >"$T/cmp.json" 2>"$T/err"; then
    if [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" docs/output.schema.json "$T/cmp.json" 2>"$T/err"; then ok "schema: compare"
    else not_ok "schema: compare" "$(cat "$T/err")"; fi
    cmp_ts=$(cmp_num "$T/cmp.json" tpu seconds) cmp_gs=$(cmp_num "$T/cmp.json" gpu seconds)
    if [ "$(cmp_num "$T/cmp.json" tpu cycles)" = "$cmp_tc" ] && [ "$(cmp_num "$T/cmp.json" gpu cycles)" = "$cmp_gc" ] &&
        [ "$cmp_ts" = "$(cmp_num "$T/cmp-t.json" tpu seconds)" ] && [ "$cmp_gs" = "$(cmp_num "$T/cmp-g.json" gpu seconds)" ]
    then ok "compare JSON: tpu and gpu cycles and seconds = gemm's on each config"
    else not_ok "compare JSON: tpu and gpu cycles and seconds = gemm's on each config" "$cmp_ts $cmp_gs"; fi
    cmp_tr=$(sed -n 's/^    "time_ratio": \([-0-9.e+]*\),$/\1/p' "$T/cmp.json")
    if [ -n "$cmp_tr" ] && cmp_close "$cmp_tr" "$(awk -v a="$cmp_ts" -v b="$cmp_gs" 'BEGIN { printf "%.17g", a / b }')" 1e-12
    then ok "compare JSON: time_ratio = tpu.seconds / gpu.seconds ($cmp_tr)"
    else not_ok "compare JSON: time_ratio = tpu.seconds / gpu.seconds ($cmp_tr, $cmp_ts / $cmp_gs)"; fi
    if grep -q '^  "command": "compare",$' "$T/cmp.json" && grep -q '^  "schema_version": 4,$' "$T/cmp.json" &&
        [ "$(sed -n '/^  "compare": {/,/^  }/p' "$T/cmp.json" | grep -c '"tpu": "bf16"\|"gpu": "bf16"\|"gpu": "9 of 9 published')" = 3 ]
    then ok "compare JSON: command, schema_version 4, dtypes and the validated error"
    else not_ok "compare JSON: command, schema_version 4, dtypes and the validated error" "$(sed -n '/^  "compare": {/,$p' "$T/cmp.json")"; fi
else
    not_ok "compare --json - runs" "$(cat "$T/err")"
fi

# dtypes: nothing is substituted; --gpu-dtype chooses the GPU's, and the table names both
expect_fail "compare: bf16 on V100 without --gpu-dtype is refused, naming what it has" \
    "^tpusim: GPU 'gpu-v100' does not support bf16 \(it supports: int8, fp16\)$" \
    "$TPUSIM" compare 256 256 256 -c configs/tpu-v3.yaml -g configs/gpu-v100.yaml --dtype bf16 --no-data
expect_fail "compare: tpu-v3 (bf16 only) against V100 without --dtype: bf16 is refused too" \
    "^tpusim: GPU 'gpu-v100' does not support bf16 \(it supports: int8, fp16\)$" \
    "$TPUSIM" compare 256 256 256 -c configs/tpu-v3.yaml -g configs/gpu-v100.yaml --no-data
if "$TPUSIM" compare 256 256 256 -c configs/tpu-v3.yaml -g configs/gpu-v100.yaml --dtype bf16 --gpu-dtype fp16 >"$T/cmp16.txt" 2>"$T/err" &&
    grep -Eq '^  dtype  +bf16  +fp16 *$' "$T/cmp16.txt" && grep -q ': as configured, tpu-v3 ' "$T/cmp16.txt" &&
    grep -q '^result: TPU matches the reference bit for bit; GPU not computed' "$T/cmp16.txt"
then ok "compare: --gpu-dtype fp16 runs; the table names bf16 and fp16, says as configured, and checks the TPU's C"
else not_ok "compare: --gpu-dtype fp16 runs; the table names bf16 and fp16" "$(cat "$T/err" "$T/cmp16.txt" | head -12)"; fi
"$TPUSIM" compare 256 256 256 -c configs/tpu-v3.yaml -g configs/gpu-v100.yaml --dtype bf16 --gpu-dtype fp16 --json - >"$T/cmp16.json" 2>"$T/err"
if [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" docs/output.schema.json "$T/cmp16.json" 2>"$T/err" &&
    grep -q '"check": "match"' "$T/cmp16.json" && grep -q '^      "gpu": "fp16"' "$T/cmp16.json"
then ok "schema: compare bf16 against fp16 with the TPU's C checked"
else not_ok "schema: compare bf16 against fp16 with the TPU's C checked" "$(cat "$T/err")"; fi
expect_fail "compare: fp16 on a TPU is refused" "^tpusim: machine 'tpu-v3' does not support fp16" \
    "$TPUSIM" compare 64 64 64 -c configs/tpu-v3.yaml -g configs/gpu-v100.yaml --dtype fp16

# --set: tpu.* keys to the TPU config, gpu.* keys to the GPU config
"$TPUSIM" compare 512 512 512 -g configs/gpu-a100.yaml --dtype bf16 --no-data --set gpu.launch_overhead=21us \
    --set tpu.dram.bandwidth=100GB/s --json - >"$T/cmps.json" 2>"$T/err"
if grep -q '"gpu.launch_overhead": "21us"' "$T/cmps.json" && grep -q '"tpu.dram.bandwidth": "100GB/s"' "$T/cmps.json" &&
    [ "$(sed -n '/^  "tpu": {/,/^  }/p' "$T/cmps.json" | grep -c '"gpu\.launch_overhead"')" = 0 ]
then ok "compare --set: each key goes to its own config"
else not_ok "compare --set: each key goes to its own config" "$(cat "$T/err"; grep -A3 overrides "$T/cmps.json")"; fi
expect_fail "compare --set of a key of neither side" "^tpusim: --set name=x: compare runs two configs; give a tpu\.\* or a gpu\.\* key$" \
    "$TPUSIM" compare 64 64 64 -g configs/gpu-a100.yaml --set name=x

# usage errors: one line naming the flag, exit 2
expect_fail "compare without -g" "^tpusim: compare: -g GPU_CONFIG is required" "$TPUSIM" compare 64 64 64
expect_fail "compare: an unknown flag" "^tpusim: compare: unknown flag '--tile'" "$TPUSIM" compare 64 64 64 -g configs/gpu-a100.yaml --tile 64x64x64
expect_fail "compare: a bad dimension" "^tpusim: N: expected a whole number, got 'x'$" "$TPUSIM" compare 64 x 64 -g configs/gpu-a100.yaml
expect_fail "compare: two dimensions" "^tpusim: compare: expected M N K \(three whole numbers\), got 2 of them$" \
    "$TPUSIM" compare 64 64 -g configs/gpu-a100.yaml
expect_fail "compare: a second -g" "^tpusim: -g configs/gpu-h100.yaml: already given \('configs/gpu-a100.yaml'\)" \
    "$TPUSIM" compare 64 64 64 -g configs/gpu-a100.yaml -g configs/gpu-h100.yaml
expect_fail "compare: -g with a TPU config" "^tpusim: -g configs/tpu-v4.yaml: 'tpu-v4' is not a GPU config" \
    "$TPUSIM" compare 64 64 64 -g configs/tpu-v4.yaml
expect_fail "compare: -c with a GPU config" "gpu-a100" "$TPUSIM" compare 64 64 64 -c configs/gpu-a100.yaml -g configs/gpu-a100.yaml
expect_fail "compare: --gpu-dtype of no dtype" "^tpusim: --gpu-dtype: unknown dtype 'fp8'" \
    "$TPUSIM" compare 64 64 64 -g configs/gpu-a100.yaml --gpu-dtype fp8
"$TPUSIM" compare 64 64 64 >/dev/null 2>&1; cmp_rc=$?
if [ "$cmp_rc" = 2 ]; then ok "compare without -g exits 2"; else not_ok "compare without -g exits 2 ($cmp_rc)"; fi
expect_out "compare --help" '^usage: tpusim compare M N K' "$TPUSIM" compare --help
expect_out "tpusim --help lists compare" '^  compare ' "$TPUSIM" --help
# the default TPU config is found beside the binary from another directory
cmp_root=$PWD
if (cd "$T" && "$TPUSIM" compare 64 64 64 -g "$cmp_root/configs/gpu-a100.yaml" --dtype bf16 --no-data) >"$T/cmpd.txt" 2>"$T/err" &&
    grep -q 'chip against chip, tpu-v4 ' "$T/cmpd.txt"
then ok "compare: the default configs/tpu-v4.yaml is found from another directory"
else not_ok "compare: the default configs/tpu-v4.yaml is found from another directory" "$(cat "$T/err")"; fi
# docs/compare.md's first example is the current output, row for row
sed -n '/^\$ tpusim compare 4096 4096 4096 -g configs\/gpu-a100.yaml --dtype bf16 --no-data$/,/^```$/p' docs/compare.md | sed '1d;$d' >"$T/cmp-doc.txt"
"$TPUSIM" compare 4096 4096 4096 -g configs/gpu-a100.yaml --dtype bf16 --no-data >"$T/cmp-now.txt" 2>&1
if [ -s "$T/cmp-doc.txt" ] && cmp -s "$T/cmp-doc.txt" "$T/cmp-now.txt"; then ok "docs/compare.md: the example table is the current output"
else not_ok "docs/compare.md: the example table is the current output (regenerate it)" "$(diff "$T/cmp-doc.txt" "$T/cmp-now.txt" | head -10)"; fi
# energy where both configs have a table (here given by --set): energy and ops per joule per side
if "$TPUSIM" compare 1024 1024 1024 -g configs/gpu-a100.yaml --dtype bf16 --no-data --set tpu.energy.mac_bf16_pj=0.5 \
        --set gpu.energy.mac_bf16_pj=0.6 --set gpu.energy.dram_pj_per_byte=10 --set tpu.energy.dram_pj_per_byte=10 \
        --json "$T/cmpe.json" >"$T/cmpe.txt" 2>"$T/err"; then
    cmp_te=$(cmp_num "$T/cmpe.json" tpu energy_pj) cmp_ppw=$(cmp_row "$T/cmpe.txt" "performance per watt" 1)
    if grep -Eq '^  energy +[0-9.]+ [pnum]?J +[0-9.]+ [pnum]?J +[0-9.]+$' "$T/cmpe.txt" &&
        [ "$cmp_ppw" = "$(awk -v e="$cmp_te" 'BEGIN { printf "%.4g TFLOPS/W", 2 * 1024 * 1024 * 1024 / (e * 1e-12) / 1e12 }')" ] &&
        grep -q '^  GPU gpu-a100: 9 of 9 .* (for the shipped config; this run overrides 2 key(s))$' "$T/cmpe.txt"
    then ok "compare: energy and performance per watt (2MNK / energy) when both have tables; the validated line notes overrides"
    else not_ok "compare: energy and performance per watt when both have tables ($cmp_ppw, $cmp_te pJ)" "$(grep -E 'energy|watt|GPU gpu' "$T/cmpe.txt")"; fi
else not_ok "compare with energy tables runs" "$(cat "$T/err")"; fi
expect_out "compare: one line naming the config without an energy table" '^  energy: not compared: teach-4x4 has no energy table$' \
    "$TPUSIM" compare 64 64 64 -c configs/teach-4x4.yaml -g configs/gpu-a100.yaml --no-data
