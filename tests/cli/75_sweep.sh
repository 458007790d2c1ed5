# sweep (docs/sweeps.md): quick.yaml runs; -j 1 and -j 2 write the same bytes; shards merged equal
# the unsharded file; --resume after a kill -9 mid-run ends with the uninterrupted file; no torn
# rows; errors positioned; the GNU parallel line and the Slurm script of docs/sweeps.md run.
# A point's figures are checked against the command that runs it alone (gemm, model, gemm -c gpu).
sw_q=kernels/sweeps/quick.yaml
sw_rows() { sw_r=$(grep -c '^[0-9]' "$1" 2>/dev/null); echo "${sw_r:-0}"; }
# whole rows only: every line ends with a newline and every row has the column line's field count
# (the rows checked here have no quoted fields)
sw_whole() {
    [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || return 1
    awk -F, '/^point,/ { n = NF; next } /^#/ { next } { if (NF != n) bad = 1 } END { exit bad }' "$1"
}

if "$TPUSIM" sweep "$sw_q" --csv "$T/sw1.csv" -j 1 >"$T/out" 2>"$T/err"; then ok "sweep quick.yaml runs"
else not_ok "sweep quick.yaml runs" "$(cat "$T/err")"; fi
sw_n=$(sw_rows "$T/sw1.csv")
if [ "$sw_n" = 24 ] && grep -q '^sweep kernels/sweeps/quick.yaml: 24 point(s), 24 run, 0 kept from --resume, 0 failed' "$T/out"
then ok "sweep quick.yaml: 24 points, one row each"; else not_ok "sweep quick.yaml: 24 points, one row each" "$sw_n rows; $(cat "$T/out")"; fi
# the header: the file's sha256 (as sha256sum computes it), the build, the point count
sw_sha=$(sha256sum "$sw_q" | cut -d' ' -f1)
sw_ver=$("$TPUSIM" --version | sed 's/^tpusim \([^ ]*\) (commit \([^)]*\))$/\1 \2/')
if [ "$(sed -n 1p "$T/sw1.csv")" = "# format: tpusim-sweep-csv 1" ] && [ "$(sed -n 2p "$T/sw1.csv")" = "# sweep_sha256: $sw_sha" ] &&
   [ "$(sed -n 4p "$T/sw1.csv") $(sed -n 5p "$T/sw1.csv")" = "# tpusim_version: ${sw_ver% *} # tpusim_commit: ${sw_ver#* }" ] &&
   [ "$(sed -n 6p "$T/sw1.csv")" = "# points: 24" ] &&
   sed -n 7p "$T/sw1.csv" | grep -q '^point,m,n,k,tpu.array.rows,tpu.dram.bandwidth,dataflow,status,cycles,seconds,utilization,ops_per_s,peak_ops_per_s,offchip_bytes,offchip_bus_bytes,intensity_ops_per_byte,roofline_ops_per_s,bound,bound_off_chip,cycles_compute,cycles_quantization,cycles_pipeline,cycles_on_chip_data,cycles_off_chip_memory,cycles_synchronization,cycles_overhead,cycles_idle,tile,order,double_buffer,error$'
then ok "sweep CSV header: sha256 of the sweep file, version, commit, points, columns"
else not_ok "sweep CSV header: sha256 of the sweep file, version, commit, points, columns" "$(head -7 "$T/sw1.csv")"; fi
# the points in order: gemm outermost, the last axis fastest (point 13 = gemm 1, rows 32, 64GB/s, os)
if awk -F, '/^[0-9]/ { if ($1 != i++) bad = 1 } END { exit bad }' "$T/sw1.csv" &&
   grep -q '^13,192,64,96,32,64GB/s,os,ok,' "$T/sw1.csv" && grep -q '^23,192,64,96,64,256GB/s,is,ok,' "$T/sw1.csv"
then ok "sweep rows in point order, gemm outermost, last axis fastest"
else not_ok "sweep rows in point order, gemm outermost, last axis fastest" "$(cut -d, -f1-8 "$T/sw1.csv" | tail -12)"; fi
# a point's figures are those of the command that runs it alone
sw_c=$(awk -F, '/^13,/ { print $9 }' "$T/sw1.csv")
sw_g=$("$TPUSIM" gemm 192 64 96 --no-data --set tpu.array.rows=32 --set tpu.dram.bandwidth=64GB/s --dataflow os --json - |
       sed -n 's/^    "cycles": \([0-9]*\),$/\1/p' | head -1)
if [ -n "$sw_c" ] && [ "$sw_c" = "$sw_g" ]; then ok "sweep point 13: cycles equal tpusim gemm's ($sw_g)"
else not_ok "sweep point 13: cycles equal tpusim gemm's" "sweep '$sw_c' gemm '$sw_g'"; fi

# -j: the same bytes
"$TPUSIM" sweep "$sw_q" --csv "$T/sw2.csv" -j 2 >/dev/null 2>"$T/err"
if cmp -s "$T/sw1.csv" "$T/sw2.csv"; then ok "sweep -j 1 and -j 2: the same bytes"
else not_ok "sweep -j 1 and -j 2: the same bytes" "$(diff "$T/sw1.csv" "$T/sw2.csv" | head -5; cat "$T/err")"; fi
# stdout when no --csv: the same bytes
"$TPUSIM" sweep "$sw_q" -j 2 >"$T/sw3.csv" 2>"$T/err"
if cmp -s "$T/sw1.csv" "$T/sw3.csv"; then ok "sweep without --csv: the CSV on stdout"
else not_ok "sweep without --csv: the CSV on stdout" "$(head -3 "$T/sw3.csv"; cat "$T/err")"; fi

# shards merged == unsharded
for i in 1 2 3; do "$TPUSIM" sweep "$sw_q" --shard $i/3 --csv "$T/sh$i.csv" >/dev/null 2>"$T/err" || not_ok "sweep --shard $i/3" "$(cat "$T/err")"; done
if grep -q '^# shard: 2/3$' "$T/sh2.csv" && [ "$(sw_rows "$T/sh1.csv") $(sw_rows "$T/sh2.csv") $(sw_rows "$T/sh3.csv")" = "8 8 8" ] &&
   awk -F, '/^[0-9]/ { if ($1 % 3 != 1) bad = 1 } END { exit bad }' "$T/sh2.csv"
then ok "sweep --shard 2/3: the points p mod 3 = 1, marked in the header"
else not_ok "sweep --shard 2/3: the points p mod 3 = 1, marked in the header" "$(cut -d, -f1 "$T/sh2.csv" | tr '\n' ' ')"; fi
expect_ok "sweep --merge of 3 shards" "$TPUSIM" sweep --merge "$T/sh3.csv" "$T/sh1.csv" "$T/sh2.csv" --csv "$T/mg.csv"
if cmp -s "$T/mg.csv" "$T/sw1.csv"; then ok "sweep --merge: the unsharded file, byte for byte"
else not_ok "sweep --merge: the unsharded file, byte for byte" "$(diff "$T/mg.csv" "$T/sw1.csv" | head -5)"; fi
expect_ok "sweep SWEEP.yaml --merge: shards of that file" "$TPUSIM" sweep "$sw_q" --merge "$T/sh1.csv" "$T/sh2.csv" "$T/sh3.csv" --csv "$T/mg2.csv"
expect_fail "sweep --merge: a missing shard" '^tpusim: --merge: shard 3/3 is missing$' \
    "$TPUSIM" sweep --merge "$T/sh1.csv" "$T/sh2.csv" --csv "$T/mgx.csv"
expect_fail "sweep --merge: a shard twice" "^tpusim: --merge $T/sh1.csv: shard 1/3 again \\(also $T/sh1.csv\\)$" \
    "$TPUSIM" sweep --merge "$T/sh1.csv" "$T/sh1.csv" "$T/sh3.csv" --csv "$T/mgx.csv"
head -n -1 "$T/sh2.csv" >"$T/sh2short.csv"
expect_fail "sweep --merge: an incomplete shard" "^tpusim: --merge $T/sh2short.csv: shard 2/3 is incomplete: 7 of its 8 points \\(finish it with --resume\\)$" \
    "$TPUSIM" sweep --merge "$T/sh1.csv" "$T/sh2short.csv" "$T/sh3.csv" --csv "$T/mgx.csv"
sed 's/^\(# tpusim_commit: \).*/\1000000000000/' "$T/sh3.csv" >"$T/sh3other.csv"
expect_fail "sweep --merge: a shard of another build" "^tpusim: --merge $T/sh3other.csv: from a different build of tpusim than $T/sh1.csv$" \
    "$TPUSIM" sweep --merge "$T/sh1.csv" "$T/sh2.csv" "$T/sh3other.csv" --csv "$T/mgx.csv"
sed 's/^\(tpu.dram.bandwidth: \[64GB\/s\)/\1/; s/\[ws, os, is\]/[ws, os, is]  # edited/' "$sw_q" >"$T/q2.yaml"
"$TPUSIM" sweep "$T/q2.yaml" --shard 3/3 --csv "$T/sh3b.csv" >/dev/null 2>&1
expect_fail "sweep --merge: a shard of another sweep file" "^tpusim: --merge $T/sh3b.csv: from a different sweep \\(sweep_sha256\\) than $T/sh1.csv$" \
    "$TPUSIM" sweep --merge "$T/sh1.csv" "$T/sh2.csv" "$T/sh3b.csv" --csv "$T/mgx.csv"
expect_fail "sweep SWEEP.yaml --merge: shards of another file" "^tpusim: --merge $T/sh1.csv: from a different sweep than $T/q2.yaml " \
    "$TPUSIM" sweep "$T/q2.yaml" --merge "$T/sh1.csv" "$T/sh2.csv" "$T/sh3.csv" --csv "$T/mgx.csv"
expect_fail "sweep --merge: an unsharded file" "^tpusim: --merge $T/sw1.csv: not a shard's file \\(no '# shard: I/N' line\\)$" \
    "$TPUSIM" sweep --merge "$T/sw1.csv" --csv "$T/mgx.csv"
[ ! -e "$T/mgx.csv" ] && ok "sweep --merge: a refused merge writes nothing" || not_ok "sweep --merge: a refused merge writes nothing"

# --resume after kill -9 mid-run: whole rows, and the resumed file is the uninterrupted one
cat >"$T/kill.yaml" <<'EOF'
gemms: [[128, 128, 128], [192, 64, 96], [64, 256, 128]]
axes:
  tpu.array.rows: [32, 64]
  tpu.array.cols: [32, 64]
  tpu.dram.bandwidth: [64GB/s, 128GB/s, 256GB/s]
  dataflow: [ws, os, is]
EOF
"$TPUSIM" sweep "$T/kill.yaml" --csv "$T/kfull.csv" -j 2 >/dev/null 2>"$T/err" || not_ok "sweep kill.yaml runs" "$(cat "$T/err")"
"$TPUSIM" sweep "$T/kill.yaml" --csv "$T/k.csv" -j 2 >/dev/null 2>&1 &
sw_pid=$!
sw_t=0
while [ "$(sw_rows "$T/k.csv")" -lt 5 ] && [ $sw_t -lt 1200 ]; do sleep 0.05; sw_t=$((sw_t + 1)); done
kill -9 $sw_pid 2>/dev/null
wait $sw_pid 2>/dev/null
sw_k=$(sw_rows "$T/k.csv")
if [ "$sw_k" -ge 5 ] && [ "$sw_k" -lt 108 ]; then ok "sweep killed with -9 mid-run ($sw_k of 108 rows written)"
else not_ok "sweep killed with -9 mid-run" "$sw_k of 108 rows"; fi
sw_whole "$T/k.csv" && ok "sweep after kill -9: whole rows only" || not_ok "sweep after kill -9: whole rows only" "$(tail -c 300 "$T/k.csv")"
if "$TPUSIM" sweep "$T/kill.yaml" --csv "$T/k.csv" -j 1 --resume >"$T/out" 2>"$T/err" &&
   grep -q "108 point(s), $((108 - sw_k)) run, $sw_k kept from --resume" "$T/out"
then ok "sweep --resume runs only the missing points"; else not_ok "sweep --resume runs only the missing points" "$(cat "$T/out" "$T/err")"; fi
if cmp -s "$T/k.csv" "$T/kfull.csv"; then ok "sweep --resume after kill -9: the uninterrupted file"
else not_ok "sweep --resume after kill -9: the uninterrupted file" "$(diff "$T/k.csv" "$T/kfull.csv" | head -5)"; fi
# SIGTERM: exit 143, whole rows
"$TPUSIM" sweep "$T/kill.yaml" --csv "$T/kt.csv" -j 2 >/dev/null 2>"$T/err" &
sw_pid=$!
sw_t=0
while [ "$(sw_rows "$T/kt.csv")" -lt 3 ] && [ $sw_t -lt 1200 ]; do sleep 0.05; sw_t=$((sw_t + 1)); done
kill -TERM $sw_pid 2>/dev/null
wait $sw_pid
sw_rc=$?
if [ $sw_rc = 143 ] && sw_whole "$T/kt.csv" && [ "$(sw_rows "$T/kt.csv")" -lt 108 ]; then ok "sweep SIGTERM mid-run: exit 143, whole rows"
else not_ok "sweep SIGTERM mid-run: exit 143, whole rows" "exit $sw_rc, $(sw_rows "$T/kt.csv") rows"; fi
"$TPUSIM" sweep "$T/kill.yaml" --csv "$T/kt.csv" -j 2 --resume >/dev/null 2>&1
cmp -s "$T/kt.csv" "$T/kfull.csv" && ok "sweep --resume after SIGTERM: the uninterrupted file" || not_ok "sweep --resume after SIGTERM: the uninterrupted file"
# a torn last row (as a crash inside a write would leave) is cut off and rerun
{ head -12 "$T/kfull.csv"; printf '5,128,128'; } >"$T/torn.csv"
"$TPUSIM" sweep "$T/kill.yaml" --csv "$T/torn.csv" --resume -j 2 >/dev/null 2>"$T/err"
cmp -s "$T/torn.csv" "$T/kfull.csv" && ok "sweep --resume cuts a torn last row" || not_ok "sweep --resume cuts a torn last row" "$(cat "$T/err")"
# missing and header-only files run every point
rm -f "$T/r0.csv"
"$TPUSIM" sweep "$sw_q" --csv "$T/r0.csv" --resume >/dev/null 2>&1
cmp -s "$T/r0.csv" "$T/sw1.csv" && ok "sweep --resume on a missing file runs every point" || not_ok "sweep --resume on a missing file runs every point"
head -7 "$T/sw1.csv" >"$T/r1.csv"
"$TPUSIM" sweep "$sw_q" --csv "$T/r1.csv" --resume -j 2 >/dev/null 2>&1
cmp -s "$T/r1.csv" "$T/sw1.csv" && ok "sweep --resume on a header-only file runs every point" || not_ok "sweep --resume on a header-only file runs every point"
cp "$T/sw1.csv" "$T/r2.csv"
expect_fail "sweep --resume: a file of another sweep" "^tpusim: --resume $T/r2.csv: written by a different sweep \\(sweep_sha256 differs\\)$" \
    "$TPUSIM" sweep "$T/q2.yaml" --csv "$T/r2.csv" --resume
sed 's/^\(# tpusim_commit: \).*/\1000000000000/' "$T/sw1.csv" >"$T/r3.csv"
expect_fail "sweep --resume: a file of another build" "^tpusim: --resume $T/r3.csv: written by a different build of tpusim \\(.* commit 000000000000; this is " \
    "$TPUSIM" sweep "$sw_q" --csv "$T/r3.csv" --resume
cmp -s "$T/r2.csv" "$T/sw1.csv" && ok "sweep --resume refused: the file is untouched" || not_ok "sweep --resume refused: the file is untouched"
expect_fail "sweep --resume: a shard's file" "^tpusim: --resume $T/sh1.csv: written by a different shard$" \
    "$TPUSIM" sweep "$sw_q" --csv "$T/sh1.csv" --resume

# JSON: the same points, valid against the schema
if "$TPUSIM" sweep "$sw_q" --csv "$T/j.csv" --json "$T/j.json" -j 2 >/dev/null 2>"$T/err" && cmp -s "$T/j.csv" "$T/sw1.csv" &&
   [ "$(grep -c '^        "point": ' "$T/j.json")" = 24 ] && grep -q '^  "command": "sweep",$' "$T/j.json" &&
   grep -q "^    \"sweep_sha256\": \"$sw_sha\",$" "$T/j.json" && grep -q "^        \"cycles\": $sw_c,$" "$T/j.json"
then ok "sweep --json: 24 points, the sweep's sha256, the CSV's cycles"
else not_ok "sweep --json: 24 points, the sweep's sha256, the CSV's cycles" "$(head -30 "$T/j.json"; cat "$T/err")"; fi
if [ -x "$JSON_VALIDATE" ]; then
    if "$JSON_VALIDATE" docs/output.schema.json "$T/j.json" 2>"$T/err"; then ok "schema: sweep --json"
    else not_ok "schema: sweep --json" "$(cat "$T/err")"; fi
fi

# errors: one line, positioned, before any point runs (no file written)
sw_bad() {   # NAME PATTERN YAML
    printf '%s' "$3" >"$T/bad.yaml"
    rm -f "$T/bad.csv"
    expect_fail "$1" "$2" "$TPUSIM" sweep "$T/bad.yaml" --csv "$T/bad.csv"
    [ ! -e "$T/bad.csv" ] || not_ok "$1: nothing written" "$(cat "$T/bad.csv")"
}
sw_bad "sweep: unknown key path" "^tpusim: $T/bad.yaml:3:3: unknown axis 'tpu.array.rowz' \\(did you mean 'tpu.array.rows'\\?\\)" \
    'gemms: [[64, 64, 64]]
axes:
  tpu.array.rowz: [8, 16]
'
sw_bad "sweep: a bad value for its key" "^tpusim: $T/bad.yaml:3:23: tpu.array.rows: 0: must be at least 1, got 0$" \
    'gemms: [[64, 64, 64]]
axes:
  tpu.array.rows: [8, 0]
'
sw_bad "sweep: a bad bandwidth" "^tpusim: $T/bad.yaml:3:33: tpu.dram.bandwidth: fast: expected a bandwidth such as 900GB/s, got 'fast' \\(not a number\\)$" \
    'gemms: [[64, 64, 64]]
axes:
  tpu.dram.bandwidth: [100GB/s, fast]
'
sw_bad "sweep: an empty list" "^tpusim: $T/bad.yaml:3:13: dataflow: empty list \\(an axis needs at least one value\\)$" \
    'gemms: [[64, 64, 64]]
axes:
  dataflow: []
'
sw_bad "sweep: an unknown axis" "^tpusim: $T/bad.yaml:3:3: unknown axis 'dataflo' \\(did you mean 'dataflow'\\?\\)" \
    'gemms: [[64, 64, 64]]
axes:
  dataflo: [ws]
'
sw_bad "sweep: a dtype the machine lacks" "^tpusim: $T/bad.yaml:4:11: point 0 \\(dtype=int8\\): machine 'tpu-v2' does not support int8 \\(it supports: bf16\\)$" \
    'base: configs/tpu-v2.yaml
gemms: [[64, 64, 64]]
axes:
  dtype: [int8]
'
sw_bad "sweep: a tile that does not fit" "^tpusim: $T/bad.yaml:3:16: point 1 \\(tile=4096x4096x4096\\): --tile 4096x4096x4096: accumulators need " \
    'gemms: [[4096, 4096, 4096]]
axes:
  tile: [auto, 4096x4096x4096]
'
sw_bad "sweep: a combination the config refuses" "^tpusim: $T/bad.yaml:4:36: point 3 \\(tpu.dram.burst_bytes=128, tpu.dram.interleave_bytes=64\\): --set tpu.dram.interleave_bytes=64: 64 is not a multiple of tpu.dram.burst_bytes \\(128\\)$" \
    'gemms: [[64, 64, 64]]
axes:
  tpu.dram.burst_bytes: [64, 128]
  tpu.dram.interleave_bytes: [128, 64]
'
sw_bad "sweep: a missing base file" "^tpusim: $T/bad.yaml:1:7: configs/nope.yaml: cannot open" \
    'base: configs/nope.yaml
gemms: [[64, 64, 64]]
'
sw_bad "sweep: a gpu.* key without a gpu axis" "^tpusim: $T/bad.yaml:3:3: gpu.sms: a gpu.\\* key needs a gpu: axis" \
    'gemms: [[64, 64, 64]]
axes:
  gpu.sms: [54]
'
sw_bad "sweep: a TPU axis on a GPU base" "^tpusim: $T/bad.yaml:4:3: dataflow: the base machine 'gpu-a100' is a GPU" \
    'base: configs/gpu-a100.yaml
gemms: [[64, 64, 64]]
axes:
  dataflow: [ws]
'
expect_fail "sweep -j 0" '^tpusim: -j: 0 is out of range \[1, 256\]$' "$TPUSIM" sweep "$sw_q" -j 0
expect_fail "sweep --shard 4/3" '^tpusim: --shard 4/3: expected I/N with 1 <= I <= N \(e.g. 2/8\)$' "$TPUSIM" sweep "$sw_q" --shard 4/3
expect_fail "sweep --shard x" '^tpusim: --shard x: expected I/N' "$TPUSIM" sweep "$sw_q" --shard x
expect_fail "sweep --resume without --csv" '^tpusim: --resume: needs --csv FILE' "$TPUSIM" sweep "$sw_q" --resume
expect_fail "sweep --merge without files" '^tpusim: --merge: expected the shard files' "$TPUSIM" sweep --merge --csv "$T/x.csv"
expect_fail "sweep --merge with --shard" '^tpusim: --merge: cannot be combined with --shard$' "$TPUSIM" sweep --merge "$T/sh1.csv" --shard 1/2 --csv "$T/x.csv"
cp "$T/bad.yaml" "$T/bad.txt"
expect_fail "sweep --merge of a non-CSV" "^tpusim: --merge $T/bad.txt:1:1: " "$TPUSIM" sweep --merge "$T/bad.txt" --csv "$T/x.csv"
expect_ok "sweep --merge SHARDS... SWEEP.yaml: the sweep file after the shards" "$TPUSIM" sweep --merge "$T/sh1.csv" "$T/sh2.csv" "$T/sh3.csv" "$sw_q" --csv "$T/mg3.csv"
expect_out "sweep --help lists the flags" '--shard I/N' "$TPUSIM" sweep --help

# a compare and a workload: their columns equal the single commands'
printf 'base: configs/tpu-v4-core.yaml\ngemms: [[512, 256, 384]]\naxes:\n  dtype: [bf16]\n  gpu: [configs/gpu-a100.yaml]\n  gpu.sms: [54, 108]\n' >"$T/cmp.yaml"
"$TPUSIM" sweep "$T/cmp.yaml" --csv "$T/cmp.csv" >/dev/null 2>"$T/err" || not_ok "sweep compare runs" "$(cat "$T/err")"
sw_gc=$(awk -F, '/^point,/ { for (i = 1; i <= NF; i++) if ($i == "gpu_cycles") c = i } /^1,/ { print $c }' "$T/cmp.csv")
sw_gg=$("$TPUSIM" gemm 512 256 384 -c configs/gpu-a100.yaml --dtype bf16 --json - | sed -n 's/^    "cycles": \([0-9]*\),$/\1/p' | head -1)
sw_gh=$(awk -F, '/^point,/ { for (i = 1; i <= NF; i++) if ($i == "gpu_cycles") c = i } /^0,/ { print $c }' "$T/cmp.csv")
sw_g54=$("$TPUSIM" gemm 512 256 384 -c configs/gpu-a100.yaml --set gpu.sms=54 --dtype bf16 --json - | sed -n 's/^    "cycles": \([0-9]*\),$/\1/p' | head -1)
if [ -n "$sw_gc" ] && [ "$sw_gc" = "$sw_gg" ] && [ "$sw_gh" = "$sw_g54" ]; then ok "sweep gpu axis: gpu_cycles equal gemm -c gpu-a100's ($sw_g54, $sw_gg)"
else not_ok "sweep gpu axis: gpu_cycles equal gemm -c gpu-a100's" "sweep $sw_gh $sw_gc, gemm $sw_g54 $sw_gg"; fi
printf 'base: configs/tpu-v4-core.yaml\nworkload: kernels/workloads/tpuv1-mlp0.yaml\naxes:\n  dataflow: [os]\n' >"$T/wl.yaml"
"$TPUSIM" sweep "$T/wl.yaml" --csv "$T/wl.csv" >/dev/null 2>"$T/err" || not_ok "sweep workload runs" "$(cat "$T/err")"
sw_wc=$(awk -F, '/^0,/ { print $4 }' "$T/wl.csv")
sw_wm=$("$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v4-core.yaml --dataflow os --no-data --json - |
        sed -n 's/^    "cycles": \([0-9]*\),$/\1/p' | head -1)
if [ -n "$sw_wc" ] && [ "$sw_wc" = "$sw_wm" ]; then ok "sweep workload point: cycles equal tpusim model's ($sw_wm)"
else not_ok "sweep workload point: cycles equal tpusim model's" "sweep '$sw_wc' model '$sw_wm'"; fi

# docs/sweeps.md's GNU parallel line, as written, in a directory holding kernels/sweeps/quick.yaml
mkdir -p "$T/bin" "$T/par/kernels/sweeps"
ln -sf "$TPUSIM" "$T/bin/tpusim"
cp "$sw_q" "$T/par/kernels/sweeps/quick.yaml"
sw_par=$(sed -n '/^<!-- test: parallel -->$/,/^```$/p' docs/sweeps.md | sed -n '3p')
if ! command -v parallel >/dev/null; then
    not_ok "docs/sweeps.md GNU parallel line" "GNU parallel is missing (make check-parallel installs it: sudo apt-get install parallel)"
elif [ -z "$sw_par" ]; then
    not_ok "docs/sweeps.md GNU parallel line" "no line after '<!-- test: parallel -->'"
elif (cd "$T/par" && PATH="$T/bin:$PATH" sh -c "$sw_par") >"$T/out" 2>&1 && cmp -s "$T/par/quick.csv" "$T/sw1.csv" &&
     [ "$(ls "$T/par"/shard-*.csv | wc -l)" = 4 ]
then ok "docs/sweeps.md GNU parallel line: 4 shards merged equal the unsharded file"
else not_ok "docs/sweeps.md GNU parallel line: 4 shards merged equal the unsharded file" "$sw_par: $(cat "$T/out")"; fi

# docs/sweeps.md's Slurm script: with a stand-in tpusim recording its command, then the real one
sed -n '/^<!-- test: slurm -->$/,/^```$/p' docs/sweeps.md | sed '1,2d;$d' >"$T/slurm.sh"
mkdir -p "$T/fake"
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"$SW_LOG"\n' >"$T/fake/tpusim"
chmod +x "$T/fake/tpusim"
rm -f "$T/slurm.log"
if (cd "$T" && SW_LOG="$T/slurm.log" PATH="$T/fake:$PATH" SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=8 SLURM_CPUS_PER_TASK=2 \
        sh "$T/slurm.sh") 2>"$T/err" &&
   [ "$(cat "$T/slurm.log")" = "sweep kernels/sweeps/bert-layer-1000.yaml --shard 3/8 -j 2 --resume --csv sweep-out/shard-3.csv" ] &&
   grep -q '^#SBATCH --array=1-8$' "$T/slurm.sh"
then ok "docs/sweeps.md Slurm script: task 3 of 8 runs shard 3/8 with --resume"
else not_ok "docs/sweeps.md Slurm script: task 3 of 8 runs shard 3/8 with --resume" "$(cat "$T/slurm.log" "$T/err" 2>&1)"; fi
sw_ok=1
for i in 1 2 3; do
    (cd "$T/par" && PATH="$T/bin:$PATH" SWEEP=kernels/sweeps/quick.yaml OUT=slurm SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 \
        sh "$T/slurm.sh") >/dev/null 2>"$T/err" || { sw_ok=0; not_ok "docs/sweeps.md Slurm script: task $i of 3" "$(cat "$T/err")"; }
done
if [ $sw_ok = 1 ] && (cd "$T/par" && "$TPUSIM" sweep --merge slurm/shard-*.csv --csv slurm/sweep.csv) >/dev/null 2>"$T/err" &&
   cmp -s "$T/par/slurm/sweep.csv" "$T/sw1.csv"
then ok "docs/sweeps.md Slurm script: 3 array tasks merged equal the unsharded file"
else not_ok "docs/sweeps.md Slurm script: 3 array tasks merged equal the unsharded file" "$(cat "$T/err")"; fi

# --plot METRIC: FILE.svg beside --csv FILE.csv, METRIC against the first dimension that varies
# (quick.yaml's two GEMMs differ in m), a line per value of the second (its first axis,
# tpu.array.rows); one point per row, plus one legend sample per line (gnuplot's svg terminal
# draws each point as a translated symbol)
if command -v gnuplot >/dev/null; then
    if "$TPUSIM" sweep "$sw_q" --csv "$T/swp.csv" --plot utilization --quiet >"$T/out" 2>"$T/err" && [ -s "$T/swp.svg" ]; then
        pts=$(grep -o "' transform='translate(" "$T/swp.svg" | wc -l)
        rows=$(grep -vc '^#' "$T/swp.csv"); rows=$((rows - 1))
        if [ "$pts" -eq $((rows + 2)) ] && grep -Fq '<text>tpu.array.rows=32</text>' "$T/swp.svg" \
           && grep -Fq '<text>tpu.array.rows=64</text>' "$T/swp.svg" && grep -Fq '<text>m</text>' "$T/swp.svg" \
           && grep -Fq '<text>utilization against m, a line per tpu.array.rows</text>' "$T/swp.svg"
        then ok "sweep --plot: $rows points, against m, a line per array height in swp.svg"
        else not_ok "sweep --plot: $pts points for $rows rows, or a missing label" "$(grep -o '<text>[^<]*</text>' "$T/swp.svg" | sort -u)"; fi
    else not_ok "sweep --plot utilization" "$(cat "$T/err")"; fi
else
    ok "sweep --plot (skipped: gnuplot is not installed; make installs it when root)"
fi
expect_fail "sweep --plot: a column that is not numeric" \
    "^tpusim: --plot bound: not a numeric column of this sweep's CSV \(numeric columns: m, n, k, cycles, " \
    "$TPUSIM" sweep "$sw_q" --csv "$T/swq.csv" --plot bound
if [ -e "$T/swq.csv" ]; then not_ok "sweep --plot: a bad metric ran points"; else ok "sweep --plot: a bad metric is refused before any point"; fi
expect_fail "sweep --plot: needs --csv FILE" "^tpusim: --plot cycles: needs --csv FILE \(the plot is written beside it, FILE.svg\)$" \
    "$TPUSIM" sweep "$sw_q" --plot cycles
expect_fail "sweep --plot: not with --merge" "^tpusim: --plot: not with --merge \(plot the merged file with: " \
    "$TPUSIM" sweep --merge "$T/sw1.csv" --csv "$T/swm.csv" --plot cycles
