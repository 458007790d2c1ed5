#!/bin/sh
# Seed corpora of the libFuzzer targets: corpus.sh DIR TPUSIM fills DIR/<target>/ with copies of
# the repository's own inputs (configs/, kernels/, tests/data/) and a few made ones (.npy files
# written by `tpusim npy`, --set lines). The copies are build products, never committed; the
# committed inputs are tests/fuzz/regressions/<target>/.
set -e
D=$1
TPUSIM=$2
rm -rf "$D"
for t in config set asm npy workload diff sweep; do mkdir -p "$D/$t"; done
cp configs/*.yaml "$D/config/"
cp kernels/*.tpu "$D/asm/"
cp kernels/*.tpu "$D/diff/"
if [ -d kernels/tutorial ]; then
    for f in kernels/tutorial/*.tpu; do [ -f "$f" ] && cp "$f" "$D/asm/tutorial-$(basename "$f")" && cp "$f" "$D/diff/tutorial-$(basename "$f")"; done
fi
cp kernels/workloads/* "$D/workload/"
cp kernels/sweeps/*.yaml "$D/sweep/"
# a sweep CSV as tpusim writes it (the --resume / --merge reader's input): two points of a
# one-axis sweep, whole, and the same file torn in its last row
printf 'gemms: [[16, 16, 16]]\naxes:\n  tpu.array.rows: [4, 8]\n' >"$D/sweep/two.yaml"
"$TPUSIM" sweep "$D/sweep/two.yaml" --csv "$D/sweep/two.csv" --quiet >/dev/null 2>&1 || true
[ -f "$D/sweep/two.csv" ] && head -c -7 "$D/sweep/two.csv" >"$D/sweep/torn.csv"
for f in tests/data/*.csv tests/data/validation/*.csv tests/data/validation/*.yaml; do
    [ -f "$f" ] && cp "$f" "$D/workload/data-$(basename "$f")"
done
# --set: one override per line, as the target reads them
i=0
for s in "tpu.array.rows=64" "tpu.dram.bandwidth=3.35TB/s" "tpu.clock=940MHz" "tpu.array.dataflow=os" \
         "tpu.ub.size=24MiB" "tpu.dram.ideal=true" "tpu.array.dtypes=[int8, bf16]" "tpu.acc.entries=4096" \
         "gpu.sms=108" "tpu.array.timing=scalesim" "tpu.dma.setup_latency=2"; do
    i=$((i + 1)); printf '%s\n' "$s" >"$D/set/seed$i"
done
printf 'tpu.array.rows=8\ntpu.array.cols=4\ntpu.wbuf.depth_tiles=2\n' >"$D/set/multi"
"$TPUSIM" npy rand 4 5 -o "$D/npy/int8.npy" --seed 1 >/dev/null
"$TPUSIM" npy rand 3 7 --dtype bf16 -o "$D/npy/bf16.npy" --seed 2 >/dev/null
"$TPUSIM" mxu 3 5 4 --out "$D/npy/int32.npy" >/dev/null
"$TPUSIM" mxu 3 5 4 --dtype bf16 --out "$D/npy/f32.npy" >/dev/null
# the differential target's random programs: a few byte strings (first byte: dataflow, dtype)
for b in 0 1 2 3 4 5; do
    printf "\\$(printf %03o "$b")\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015\\016\\017\\020\\021\\022" >"$D/diff/soup$b"
done
echo "seed corpora in $D: $(find "$D" -type f | wc -l) files"
