# --fast-forward on|off (sim/tpu/ff.c; docs/performance.md): the default (on) and off give the
# same --json byte for byte, timing-only, on gemm (three dataflows, a ragged shape), model and
# run; with values the run is simulated in full either way; bad values are one-line
# errors naming the flag; the text report says what was jumped over (docs/performance.md's
# 1024^3 case: 9400 of its 11312 instructions).
FF="$T/ff"
mkdir -p "$FF"
ff_i=0
# ff_same NAME CMD...: CMD --json A (default) and CMD --fast-forward off --json B are the same
ff_same() {
    n=$1; shift
    ff_i=$((ff_i + 1))
    if "$@" --json "$FF/on$ff_i.json" >/dev/null 2>"$T/err" &&
        "$@" --fast-forward off --json "$FF/off$ff_i.json" >/dev/null 2>>"$T/err"; then
        if cmp -s "$FF/on$ff_i.json" "$FF/off$ff_i.json"; then ok "fast-forward changes no figure: $n"
        else not_ok "fast-forward changes no figure: $n" "$(diff "$FF/on$ff_i.json" "$FF/off$ff_i.json" | head -8)"; fi
    else not_ok "$n (exit $?)" "$(cat "$T/err")"; fi
}
for df in ws os is; do
    ff_same "gemm 512^3 on 16x16 $df" "$TPUSIM" gemm 512 512 512 --set tpu.array.rows=16 --set tpu.array.cols=16 \
        --dataflow $df --no-data --quiet
done
ff_same "gemm 300x200x250 fixed tile" "$TPUSIM" gemm 300 200 250 --set tpu.array.rows=8 --set tpu.array.cols=8 \
    --tile 32x16x32 --order nmk --double-buffer on --no-data --quiet
ff_same "gemm with values" "$TPUSIM" gemm 128 128 128 --set tpu.array.rows=8 --set tpu.array.cols=8 --quiet
ff_same "model bert-base-seq128 on edge-8x8" "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml \
    -c configs/edge-8x8.yaml --no-data --quiet
ff_same "run gemm_ktiled.tpu timing only" "$TPUSIM" run kernels/gemm_ktiled.tpu --timing-only --quiet
expect_fail "gemm --fast-forward maybe" '^tpusim: --fast-forward maybe: expected on or off$' \
    "$TPUSIM" gemm 64 64 64 --fast-forward maybe
expect_fail "run --fast-forward maybe" '^tpusim: --fast-forward maybe: expected on or off$' \
    "$TPUSIM" run kernels/gemm_ktiled.tpu --fast-forward maybe
expect_fail "model --fast-forward without a value" '^tpusim: --fast-forward needs a value' \
    "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml --fast-forward
expect_fail "gemm --fast-forward twice" 'fast-forward' \
    "$TPUSIM" gemm 64 64 64 --fast-forward on --fast-forward off

expect_out "gemm says what it jumped over" \
    '^  fast-forward     9400 of the 11312 instructions jumped over: their loop.s whole state repeated' \
    "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --set tpu.array.rows=32 --set tpu.array.cols=32 \
    --dtype int8 --no-data --quiet --tile 152x32x64 --order mnk --double-buffer off
"$TPUSIM" gemm 512 512 512 --set tpu.array.rows=16 --set tpu.array.cols=16 --no-data --quiet --fast-forward off >"$T/out" 2>&1
if grep -q 'fast-forward' "$T/out"; then not_ok "off: no fast-forward line" "$(grep fast-forward "$T/out")"
else ok "off: no fast-forward line"; fi
