#!/bin/sh
# Command-line checks under valgrind (memcheck), part of make check-all:
#   sh tests/valgrind_cli.sh [TPUSIM]          (default ./build/release/tpusim)
# Each check runs one representative command under
#   valgrind --error-exitcode=1 --leak-check=full
# so an invalid read or write, a use of an uninitialised value or a leak (definite or possible)
# fails it. Good commands must exit 0; bad input must exit exactly 2 (valgrind's errors give 1)
# with one line on stderr (valgrind writes its own report to a separate log, shown on failure).
# Prints "N passed, N failed" last. Run from the repository root (it uses configs/, kernels/).
TPUSIM=${1:-./build/release/tpusim}
VALGRIND=${VALGRIND:-valgrind}
command -v "$VALGRIND" >/dev/null 2>&1 || { echo "error: $VALGRIND not found; run: sudo apt-get install valgrind" >&2; exit 1; }
[ -x "$TPUSIM" ] || { echo "error: $TPUSIM is not an executable (build it first: make)" >&2; exit 1; }
. "$(dirname "$0")/checks.sh"
SHOW_LINES=40
checks_begin vg
vg() {
    rm -f "$T/vg.log"
    "$VALGRIND" -q --error-exitcode=1 --leak-check=full --num-callers=30 --log-file="$T/vg.log" \
        "$TPUSIM" "$@" >"$T/out" 2>"$T/err"
}
# vg_ok NAME ARGS... : tpusim ARGS exits 0 and valgrind reports nothing
vg_ok() {
    n=$1; shift
    vg "$@"
    rc=$?
    if [ "$rc" -eq 0 ] && [ ! -s "$T/vg.log" ]; then ok "valgrind: $n"
    else not_ok "valgrind: $n (exit $rc)" "$(cat "$T/err" "$T/vg.log" 2>/dev/null)"; fi
}
# vg_bad NAME PATTERN ARGS... : tpusim ARGS exits 2 with one stderr line matching PATTERN (grep -E),
# and valgrind reports nothing
vg_bad() {
    n=$1; pat=$2; shift 2
    vg "$@"
    rc=$?
    lines=$(wc -l <"$T/err")
    if [ "$rc" -ne 2 ]; then not_ok "valgrind: $n (exit $rc, expected 2)" "$(cat "$T/err" "$T/vg.log" 2>/dev/null)"
    elif [ -s "$T/vg.log" ]; then not_ok "valgrind: $n (valgrind reported errors)" "$(cat "$T/vg.log")"
    elif ! grep -Eq -- "$pat" "$T/err"; then not_ok "valgrind: $n (stderr does not match /$pat/)" "$(cat "$T/err")"
    elif [ "$lines" -ne 1 ]; then not_ok "valgrind: $n (expected a one-line error, got $lines lines)" "$(cat "$T/err")"
    else ok "valgrind: $n"; fi
}

# --- commands that succeed ---------------------------------------------------------------
vg_ok "main job (no arguments)"
vg_ok "--help" --help
vg_ok "gemm bf16 on tpu-v4-core" gemm 96 80 72 --dtype bf16 -c configs/tpu-v4-core.yaml
vg_ok "gemm int8 with --json -" gemm 64 48 40 --json -
vg_ok "gemm bf16 on gpu-a100 (the GPU model)" gemm 512 384 256 -c configs/gpu-a100.yaml --dtype bf16 --no-data
vg_ok "gemm fp16 on gpu-v100, A transposed" gemm 300 200 100 -c configs/gpu-v100.yaml --dtype fp16 --transpose-a --no-data --json -
vg_ok "gemm --engine pe on teach-4x4" gemm 12 10 9 --engine pe -c configs/teach-4x4.yaml
vg_ok "npy rand A (int8 64x128)" npy rand 64 128 -o "$T/a.npy" --seed 1
vg_ok "npy rand B (int8 128x32)" npy rand 128 32 -o "$T/b.npy" --seed 2
vg_ok "npy rand bf16 --specials" npy rand 5 7 -o "$T/f.npy" --dtype bf16 --specials
vg_ok "run kernels/gemm_ktiled.tpu with npy rand inputs" \
    run kernels/gemm_ktiled.tpu --in A="$T/a.npy" --in B="$T/b.npy" --out C="$T/c.npy"
vg_ok "npy show of the run's output" npy show "$T/c.npy"
vg_ok "mxu on the same inputs" mxu 64 32 128 --a "$T/a.npy" --b "$T/b.npy" --out "$T/c_mxu.npy"
if [ -s "$T/c.npy" ] && cmp -s "$T/c.npy" "$T/c_mxu.npy"; then ok "run gemm_ktiled and mxu write the same C"
else not_ok "run gemm_ktiled and mxu write the same C"; fi
vg_ok "npy show bf16 specials" npy show "$T/f.npy"
vg_ok "run kernels/gemm_dbuf_relu.tpu --engine pe --timing-only" run kernels/gemm_dbuf_relu.tpu --engine pe --timing-only
vg_ok "check kernels/gemm_single.tpu" check kernels/gemm_single.tpu
vg_ok "model bert-base-seq128 --no-data" model kernels/workloads/bert-base-seq128.yaml --no-data
# the conv CSV reader on ResNet-50's first layers (the whole network searches 53 tilings, minutes
# under valgrind)
head -n 6 kernels/workloads/resnet50-conv.csv >"$T/resnet-head.csv"
vg_ok "model resnet50-conv.csv's first layers --no-data (SCALE-Sim conv CSV)" model "$T/resnet-head.csv" --no-data
vg_ok "model tpuv1-mlp0 on tpu-v1 --json -" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml --no-data --json -
vg_ok "mxu 64 64 64" mxu 64 64 64
vg_ok "mxu bf16 --engine pe" mxu 16 12 20 --dtype bf16 --engine pe -c configs/teach-4x4.yaml
vg_ok "mxu-demo" mxu-demo
vg_ok "config show" config show
vg_ok "config show configs/tpu-v4.yaml" config show configs/tpu-v4.yaml
vg_ok "config check configs/edge-8x8.yaml" config check configs/edge-8x8.yaml

# --- bad input: exit 2, one line ---------------------------------------------------------
printf '.tensor A int8 4 4\nmatmull 0, 0, 0, 4\n' >"$T/bad.tpu"
printf 'tpu:\n  array: {rows: 4\n' >"$T/bad.yaml"
printf 'name: x\nlayers:\n  - {name: a, M: 0, N: 1, K: 1}\n' >"$T/badwl.yaml"
printf '\223NUMPY\001\000' >"$T/trunc.npy"
vg_bad "unknown command" "^tpusim: unknown command 'frobnicate'" frobnicate
vg_bad "gemm M out of range" "^tpusim: M: " gemm 0 8 8
vg_bad "gemm unknown --dtype" "^tpusim: --dtype: .*fp7" gemm 8 8 8 --dtype fp7
vg_bad "--set with a bad value" "^tpusim: --set tpu\\.array\\.rows=x: " gemm 8 8 8 --set tpu.array.rows=x
vg_bad "missing program" "^tpusim: .*nope\\.tpu: cannot open" run "$T/nope.tpu"
vg_bad "bad program (unknown mnemonic)" "^tpusim: .*bad\\.tpu:2:1: unknown mnemonic 'matmull'" check "$T/bad.tpu"
vg_bad "broken YAML config" "^tpusim: .*bad\\.yaml:[0-9]+:[0-9]+: " config check "$T/bad.yaml"
vg_bad "bad workload layer" "^tpusim: .*badwl\\.yaml:3:[0-9]+: M: " model "$T/badwl.yaml" --no-data
vg_bad "truncated .npy input" "^tpusim: .*trunc\\.npy: " run kernels/gemm_single.tpu --in A="$T/trunc.npy"
vg_bad "GPU config given to a TPU-only command" "^tpusim: configs/gpu-a100\\.yaml: machine .gpu-a100. has no tpu: section" run kernels/gemm_single.tpu -c configs/gpu-a100.yaml

checks_end
