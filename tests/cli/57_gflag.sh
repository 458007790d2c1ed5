# -g on gemm and model, and the analogous GPU (docs/compare.md, docs/gpu.md "The analogy").
# Every figure is checked against an independent run: gemm -g against compare, model -g's
# layers against gemm on that config alone, its totals against the sum of its layers, and the
# analogous GPU's peak, clock and bandwidth against the TPU's own record.
# gf_num FILE SECTION KEY: the number of "KEY" directly inside the top-level object SECTION
gf_num() { sed -n "/^  \"$2\": {/,/^  }/p" "$1" | sed -n "s/^    \"$3\": \\([-0-9.e+]*\\),\\{0,1\\}\$/\\1/p" | head -1; }
# gf_sect FILE SECTION: the top-level object SECTION as written
gf_sect() { sed -n "/^  \"$2\": {/,/^  }/p" "$1"; }
gf_schema() {   # NAME FILE
    if [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" docs/output.schema.json "$2" 2>"$T/err"; then ok "schema: $1"
    else not_ok "schema: $1" "$(cat "$T/err")"; fi
}

# gemm -g: the same run, table and JSON as compare (the command's name aside)
gf_dims="384 256 320"
"$TPUSIM" compare $gf_dims -c configs/tpu-v4-core.yaml -g configs/gpu-a100.yaml --dtype bf16 --no-data >"$T/gf-c.txt" 2>"$T/err" ||
    not_ok "compare for gemm -g" "$(cat "$T/err")"
if "$TPUSIM" gemm $gf_dims -c configs/tpu-v4-core.yaml -g configs/gpu-a100.yaml --dtype bf16 --no-data >"$T/gf-g.txt" 2>"$T/err"; then
    if head -1 "$T/gf-g.txt" | grep -q '^gemm 384x256x320: as configured, tpu-v4-core (1 core(s) x 4 MXU(s)) against gpu-a100 (108 SMs)$' &&
        [ "$(sed 1d "$T/gf-g.txt")" = "$(sed 1d "$T/gf-c.txt")" ] && [ "$(head -1 "$T/gf-c.txt" | sed 's/^compare /gemm /')" = "$(head -1 "$T/gf-g.txt")" ]
    then ok "gemm -g prints compare's table line for line (title: gemm)"
    else not_ok "gemm -g prints compare's table line for line" "$(diff "$T/gf-c.txt" "$T/gf-g.txt" | head -10)"; fi
else not_ok "gemm -g runs" "$(cat "$T/err")"; fi
"$TPUSIM" compare $gf_dims -c configs/tpu-v4-core.yaml -g configs/gpu-a100.yaml --dtype bf16 --no-data --json "$T/gf-c.json" >/dev/null 2>"$T/err"
"$TPUSIM" gemm $gf_dims -c configs/tpu-v4-core.yaml -g configs/gpu-a100.yaml --dtype bf16 --no-data --json "$T/gf-g.json" >/dev/null 2>"$T/err"
gf_ok=1
for gf_s in tpu gpu; do
    for gf_k in cycles seconds; do
        gf_a=$(gf_num "$T/gf-c.json" $gf_s $gf_k) gf_b=$(gf_num "$T/gf-g.json" $gf_s $gf_k)
        [ -n "$gf_a" ] && [ "$gf_a" = "$gf_b" ] || gf_ok=0
    done
done
if [ $gf_ok = 1 ] && grep -q '^  "command": "gemm",$' "$T/gf-g.json" &&
    [ "$(gf_sect "$T/gf-g.json" compare)" = "$(gf_sect "$T/gf-c.json" compare)" ]
then ok "gemm -g JSON: tpu and gpu cycles and seconds and the compare object = compare's; command gemm"
else not_ok "gemm -g JSON = compare's" "$(gf_sect "$T/gf-g.json" compare)"; fi
gf_schema "gemm -g" "$T/gf-g.json"
# gemm without -g is the TPU's own run
expect_out "gemm without -g is unchanged: the TPU's report" "^gemm 64x64x64 int8 on default " "$TPUSIM" gemm 64 64 64 --no-data

# model -g: each layer on both machines
cat >"$T/gf-w.yaml" <<'EOF'
name: gf
layers:
  - {name: up, M: 200, N: 512, K: 256}
  - {name: down, M: 200, N: 256, K: 512, repeat: 3}
EOF
if "$TPUSIM" model "$T/gf-w.yaml" -c configs/tpu-v4-core.yaml -g configs/gpu-a100.yaml --dtype bf16 --no-data --json "$T/gf-m.json" \
        >"$T/gf-m.txt" 2>"$T/err"; then
    ok "model -g runs"
    gf_schema "model -g" "$T/gf-m.json"
    # the GPU's layers: cycles_per_run = gemm -c gpu-a100 of that shape; cycles = x repeat
    gf_sum=0 gf_ok=1 gf_i=0
    for gf_l in "200 512 256 1" "200 256 512 3"; do
        gf_rep=$(echo "$gf_l" | cut -d' ' -f4)
        gf_i=$((gf_i + 1))
        "$TPUSIM" gemm $(echo "$gf_l" | cut -d' ' -f1-3) -c configs/gpu-a100.yaml --dtype bf16 --json "$T/gf-l.json" >/dev/null 2>"$T/err" || gf_ok=0
        gf_one=$(gf_num "$T/gf-l.json" gpu cycles)
        gf_run=$(gf_sect "$T/gf-m.json" gpu | sed -n 's/^        "cycles_per_run": \([0-9]*\),$/\1/p' | sed -n "${gf_i}p")
        gf_all=$(gf_sect "$T/gf-m.json" gpu | sed -n 's/^        "cycles": \([0-9]*\),$/\1/p' | sed -n "${gf_i}p")
        [ -n "$gf_one" ] && [ "$gf_run" = "$gf_one" ] && [ "$gf_all" = $((gf_one * gf_rep)) ] || gf_ok=0
        gf_sum=$((gf_sum + gf_one * gf_rep))
    done
    gf_tot=$(gf_sect "$T/gf-m.json" gpu | sed -n '/^    "total": {/,/^    }/p' | sed -n 's/^      "cycles": \([0-9]*\),$/\1/p')
    if [ $gf_ok = 1 ] && [ "$gf_tot" = "$gf_sum" ] && [ "$(gf_num "$T/gf-m.json" gpu cycles)" = "$gf_sum" ]
    then ok "model -g: each GPU layer's cycles = gemm on gpu-a100 alone (x repeat); the total = their sum ($gf_sum)"
    else not_ok "model -g: GPU layers against gemm, total against the sum" "sum $gf_sum total $gf_tot"; fi
    # the table's totals column and the per-layer rows say the same
    if grep -Eq "^  cycles +[0-9]+ +$gf_sum +[0-9.e+]+$" "$T/gf-m.txt" && grep -Eq '^  down +200 +256 +512 +3 ' "$T/gf-m.txt" &&
        grep -q '^totals over the 2 layer(s) (repeats applied)$' "$T/gf-m.txt" &&
        head -1 "$T/gf-m.txt" | grep -q '^model gf: as configured, tpu-v4-core (1 core(s) x 4 MXU(s)) against gpu-a100 (108 SMs); 2 layer(s)'
    then ok "model -g: the per-layer table and the totals table"
    else not_ok "model -g: the per-layer table and the totals table" "$(head -20 "$T/gf-m.txt")"; fi
    # the TPU's side is model's own run, unchanged
    "$TPUSIM" model "$T/gf-w.yaml" -c configs/tpu-v4-core.yaml --dtype bf16 --no-data --json "$T/gf-t.json" >/dev/null 2>"$T/err"
    gf_tsum=$(gf_sect "$T/gf-t.json" tpu | sed -n '/^    "total": {/,/^    }/p' | sed -n 's/^      "cycles": \([0-9]*\),$/\1/p')
    if [ -n "$gf_tsum" ] && [ "$(gf_sect "$T/gf-m.json" tpu | sed 's/^  },$/  }/')" = "$(gf_sect "$T/gf-t.json" tpu)" ] &&
        grep -Eq "^  cycles +$gf_tsum +$gf_sum " "$T/gf-m.txt"
    then ok "model -g: the tpu object is model's own, and the totals table's TPU cycles are its total ($gf_tsum)"
    else not_ok "model -g: the tpu object is model's own" "$(diff "$T/gf-t.json" "$T/gf-m.json" | head -8)"; fi
    gf_ts=$(gf_sect "$T/gf-m.json" tpu | sed -n '/^    "total": {/,/^    }/p' | sed -n 's/^      "seconds": \([-0-9.e+]*\),$/\1/p')
    gf_gs=$(gf_num "$T/gf-m.json" gpu seconds)
    gf_tr=$(gf_sect "$T/gf-m.json" compare | sed -n 's/^    "time_ratio": \([-0-9.e+]*\),$/\1/p')
    if [ -n "$gf_tr" ] && awk -v r="$gf_tr" -v a="$gf_ts" -v b="$gf_gs" 'BEGIN { d = r - a / b; if (d < 0) d = -d; exit !(d <= 1e-9 * r) }'
    then ok "model -g JSON: time_ratio = TPU total seconds / GPU seconds ($gf_tr)"
    else not_ok "model -g JSON: time_ratio" "$gf_tr $gf_ts $gf_gs"; fi
else not_ok "model -g runs" "$(cat "$T/err")"; fi
# model --plot with -g: both machines on one roofline: 2 layers x 2 machines, a ridge per roof,
# and the key's "ridge points", TPU and GPU entries (as tests/cli/56_plot.sh counts them)
if command -v gnuplot >/dev/null; then
    if "$TPUSIM" model "$T/gf-w.yaml" -c configs/tpu-v4-core.yaml -g configs/gpu-a100.yaml --no-data --plot "$T/gf.svg" >/dev/null 2>"$T/err" &&
        [ "$(grep -o "' transform='translate(" "$T/gf.svg" | wc -l)" -eq $((2 * 2 + 2 + 3)) ] &&
        grep -Fq "<text>TPU tpu-v4-core int8 roof: " "$T/gf.svg" && grep -Fq "<text>GPU gpu-a100 int8 roof: " "$T/gf.svg" &&
        grep -Fq "<text>model gf on tpu-v4-core and gpu-a100: roofline</text>" "$T/gf.svg"
    then ok "model -g --plot: both machines' layers under their own roofs on one roofline"
    else not_ok "model -g --plot: both machines on one roofline" "$(cat "$T/err")"; fi
else
    ok "model -g --plot (skipped: gnuplot is not installed)"
fi
# chip against chip without -c
expect_out "model -g without -c: chip against chip, tpu-v4" "^model gf: chip against chip, tpu-v4 \(2 core\(s\) x 4 MXU\(s\)\) against" \
    "$TPUSIM" model "$T/gf-w.yaml" -g configs/gpu-a100.yaml --no-data

# the analogous GPU: the TPU's peak MACs/cycle, clock and DRAM bandwidth, read from both records
for gf_c in tpu-v4-core tpu-v3; do
    if "$TPUSIM" compare 256 256 256 -c configs/$gf_c.yaml -g analogous --no-data --json "$T/gf-a.json" >/dev/null 2>"$T/err"; then
        gf_dram() { gf_sect "$T/gf-a.json" "$1" | sed -n '/^    "memory": {/,$p' | sed -n '/^      "dram": {/,/^      }/p' |
            sed -n 's/^        "peak_bytes_per_s": \([0-9]*\),$/\1/p'; }
        gf_ok=1
        for gf_k in peak_macs_per_cycle clock_hz peak_ops_per_s; do
            gf_a=$(gf_num "$T/gf-a.json" tpu $gf_k)
            [ -n "$gf_a" ] && [ "$gf_a" = "$(gf_num "$T/gf-a.json" gpu $gf_k)" ] || gf_ok=0
        done
        if [ $gf_ok = 1 ] && [ -n "$(gf_dram tpu)" ] && [ "$(gf_dram tpu)" = "$(gf_dram gpu)" ] &&
            gf_sect "$T/gf-a.json" gpu | grep -q "^      \"name\": \"analogous-$gf_c\","
        then ok "analogous GPU of $gf_c: peak MACs/cycle, clock, peak ops/s and DRAM bandwidth = the TPU's"
        else not_ok "analogous GPU of $gf_c: peak, clock and bandwidth = the TPU's" "$(gf_num "$T/gf-a.json" gpu peak_macs_per_cycle)"; fi
        gf_schema "compare -g analogous ($gf_c)" "$T/gf-a.json"
    else not_ok "compare -c $gf_c -g analogous runs" "$(cat "$T/err")"; fi
done
expect_out "gemm -g analogous" "^gemm 128x128x128: chip against chip, tpu-v4 .* against analogous-tpu-v4 \(128 SMs\)" \
    "$TPUSIM" gemm 128 128 128 -g analogous --no-data
expect_out "model -g analogous" "against analogous-tpu-v4-core \(64 SMs\)" \
    "$TPUSIM" model "$T/gf-w.yaml" -c configs/tpu-v4-core.yaml -g analogous --no-data
# config show -g analogous: each key beside its TPU figure; 131072 / 1024 = 128 SMs
expect_out "config show -g analogous: gpu.sms from the TPU's peak" \
    "^  gpu.sms +128 +round\(tpu peak 131072 MACs/cycle \(2 x 4 x 128x128\) / 1024 per SM\)$" \
    "$TPUSIM" config show configs/tpu-v4.yaml -g analogous
expect_out "config show -g analogous: the peak against the TPU's" \
    "^  peak: 131072 MACs/cycle per dtype \(128 SMs x 1024\) against the TPU's 131072: \+0.00% from rounding$" \
    "$TPUSIM" config show configs/tpu-v4.yaml -g analogous
# gpu: analogous in a TPU config: compare's GPU without -g
{ cat configs/tpu-v4-core.yaml; echo "gpu: analogous"; } >"$T/gf-v4a.yaml"
expect_out "gpu: analogous in a TPU config is compare's GPU without -g" \
    "^compare 128x128x128: as configured, tpu-v4-core .* against analogous-tpu-v4-core \(64 SMs\)$" \
    "$TPUSIM" compare 128 128 128 -c "$T/gf-v4a.yaml" --no-data
printf 'name: b\ngpu: analogus\n' >"$T/gf-bad.yaml"
expect_fail "gpu: a value other than analogous" "^tpusim: .*gf-bad.yaml:2:6: gpu: expected 'analogous'" \
    "$TPUSIM" config check "$T/gf-bad.yaml"

# bad -g values: one line naming the flag
expect_fail "gemm -g: a file that does not exist" "^tpusim: -g nosuch.yaml: no such file \(expected a GPU config" \
    "$TPUSIM" gemm 64 64 64 -g nosuch.yaml
expect_fail "model -g: a TPU config" "^tpusim: -g configs/tpu-v4.yaml: 'tpu-v4' is not a GPU config" \
    "$TPUSIM" model "$T/gf-w.yaml" -g configs/tpu-v4.yaml --no-data
expect_fail "gemm -g without a value" "^tpusim: -g needs a value$" "$TPUSIM" gemm 64 64 64 -g
expect_fail "gemm -g twice" "^tpusim: -g .*already given" "$TPUSIM" gemm 64 64 64 -g analogous -g configs/gpu-a100.yaml
expect_fail "gemm -g: a TPU tiler flag" "^tpusim: --tile: not taken with -g" \
    "$TPUSIM" gemm 64 64 64 -g configs/gpu-a100.yaml --tile 64x64x64
expect_fail "-g analogous refuses --set gpu.*" "^tpusim: --set gpu.sms=4: not with -g analogous" \
    "$TPUSIM" compare 64 64 64 -g analogous --set gpu.sms=4
expect_fail "-g: an error in the GPU config names -g" "^tpusim: -g: --set gpu.sms=0: must be at least 1" \
    "$TPUSIM" gemm 64 64 64 -g configs/gpu-a100.yaml --set gpu.sms=0
expect_fail "model --gpu-dtype without -g" "^tpusim: --gpu-dtype: only with -g" \
    "$TPUSIM" model "$T/gf-w.yaml" --gpu-dtype bf16
expect_fail "model -g: -c names a GPU config" "^tpusim: -c configs/gpu-a100.yaml: 'gpu-a100' is a GPU config; with -g, -c names the TPU$" \
    "$TPUSIM" model "$T/gf-w.yaml" -c configs/gpu-a100.yaml -g analogous
expect_fail "config show -g: only analogous" "^tpusim: -g configs/gpu-a100.yaml: config show takes -g analogous" \
    "$TPUSIM" config show -g configs/gpu-a100.yaml
expect_fail "-g analogous of a GPU config" "^tpusim: -c configs/gpu-a100.yaml|has no tpu: section" \
    "$TPUSIM" compare 64 64 64 -c configs/gpu-a100.yaml -g analogous

# docs/compare.md's model -g example: every row it shows is in the current output
sed -n '/^\$ tpusim model kernels\/workloads\/tpuv1-mlp0.yaml -g configs\/gpu-a100.yaml --no-data$/,/^```$/p' docs/compare.md |
    sed '1d;$d' | grep -v '^  \.\.\.$' >"$T/gf-doc.txt"
"$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -g configs/gpu-a100.yaml --no-data >"$T/gf-now.txt" 2>&1
gf_missing=0
while IFS= read -r gf_line; do grep -qxF -- "$gf_line" "$T/gf-now.txt" || gf_missing=$((gf_missing + 1)); done <"$T/gf-doc.txt"
if [ -s "$T/gf-doc.txt" ] && [ "$gf_missing" = 0 ]; then ok "docs/compare.md: the model -g example's rows are the current output"
else not_ok "docs/compare.md: the model -g example's rows are the current output ($gf_missing missing)" "$(head -5 "$T/gf-now.txt")"; fi
