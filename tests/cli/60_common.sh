# Flags every machine-taking command shares give the same one-line errors.
expect_fail "gemm 8 8 8: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8' \(expected int8, bf16 or fp16\)$" "$TPUSIM" gemm 8 8 8 --dtype fp8
for cmd in "gemm 8 8 8" "mxu 8 8 8" "mxu-demo"; do
    [ "$cmd" = "gemm 8 8 8" ] || expect_fail "$cmd: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8' \(expected int8 or bf16\)$" "$TPUSIM" $cmd --dtype fp8
    expect_fail "$cmd: dtype the machine lacks" "^tpusim: machine 'tpu-v1' does not support bf16 \(it supports: int8\)$" "$TPUSIM" $cmd -c configs/tpu-v1.yaml --dtype bf16
    expect_fail "$cmd: --set unknown key" "^tpusim: --set tpu.array.rwos=4: unknown key 'tpu.array.rwos' \(did you mean 'tpu.array.rows'\?\)$" "$TPUSIM" $cmd --set tpu.array.rwos=4
    expect_fail "$cmd: -c missing value" "^tpusim: -c needs a value$" "$TPUSIM" $cmd -c
done
expect_fail "model: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8'" "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml --dtype fp8
expect_fail "run: -c with a missing file" "configs/nope.yaml" "$TPUSIM" run -c configs/nope.yaml kernels/gemm_single.tpu
# --dataflow is short for --set tpu.array.dataflow=... on every command that takes a machine
for cmd in "gemm 8 8 8" "mxu 8 8 8" "mxu-demo" "model kernels/workloads/tpuv1-mlp0.yaml" "config show"; do
    expect_fail "$cmd: unknown --dataflow" "^tpusim: --dataflow: unknown dataflow 'xs' \(expected ws, os or is\)$" "$TPUSIM" $cmd --dataflow xs
done
expect_out "config show --dataflow os" "tpu.array.dataflow +os" "$TPUSIM" config show --dataflow os
expect_out "model --dataflow is" "model tpuv1-mlp0: .*\(is," "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml --dataflow is --no-data
# Whole-number arguments are decimal (or 0x hex), never octal: "010" is ten, "08" is eight.
expect_out "M 010 is ten, not octal 8" "^gemm 10x8x8 " "$TPUSIM" gemm 010 8 8 --no-data
expect_out "M 08 is eight" "^gemm 8x8x8 " "$TPUSIM" gemm 08 8 8 --no-data
expect_out "M 0x10 is sixteen" "^gemm 16x8x8 " "$TPUSIM" gemm 0x10 8 8 --no-data
expect_fail "a leading blank is not a number" "^tpusim: M: expected a whole number, got ' 8'$" "$TPUSIM" gemm " 8" 8 8
expect_fail "0x without digits" "^tpusim: M: expected a whole number, got '0x'$" "$TPUSIM" gemm 0x 8 8
# Two machines on one command line are refused (the last one used to win silently).
for cmd in "gemm 8 8 8" "mxu 8 8 8" "mxu-demo" "check kernels/gemm_single.tpu" "config show"; do
    expect_fail "$cmd: -c twice" "^tpusim: -c configs/tpu-v1.yaml: the machine is already given \('configs/teach-4x4.yaml'\)$" \
        "$TPUSIM" $cmd -c configs/teach-4x4.yaml -c configs/tpu-v1.yaml
done
expect_fail "config show FILE then --config=" "^tpusim: --config configs/tpu-v1.yaml: the machine is already given \('configs/teach-4x4.yaml'\)$" \
    "$TPUSIM" config show configs/teach-4x4.yaml --config=configs/tpu-v1.yaml
# A .npy whose header claims more data than the file holds is refused as truncated before its
# shape's bytes are allocated: under a 3 GB address-space limit a 128-byte file claiming
# 46340 x 46340 float32 (8.6 GB) used to fail with "out of memory" instead.
npy_h="{'descr': '<f4', 'fortran_order': False, 'shape': (46340, 46340), }"
while [ $(( (${#npy_h} + 11) % 64 )) -ne 0 ]; do npy_h="$npy_h "; done
printf '\223NUMPY\001\000\166\000%s\n' "$npy_h" >"$T/short.npy"
expect_fail "short .npy refused before allocating" \
    "^tpusim: $T/short.npy: truncated: shape \(46340, 46340\) needs 8589582400 bytes of data, file has 0$" \
    sh -c 'ulimit -v 3000000 && exec "$0" mxu 8 8 8 --a "$1" --b "$1"' "$TPUSIM" "$T/short.npy"
# Every command that takes a machine accepts --dataflow, and its --help says so.
for cmd in gemm model run check mxu mxu-demo config; do
    expect_out "$cmd --help lists --dataflow" "--dataflow ws\|os\|is" "$TPUSIM" $cmd --help
done
expect_fail "check --dataflow os applies" "gemm_single.tpu:[0-9]+:1: os dataflow: m = 64 exceeds the array's 32 rows$" \
    "$TPUSIM" check --dataflow os kernels/gemm_single.tpu
# A directory given as a file says why it cannot be read.
expect_fail "model: a directory" "^tpusim: kernels: read error: Is a directory$" "$TPUSIM" model kernels
expect_fail "check: a directory" "^tpusim: kernels: read error: Is a directory$" "$TPUSIM" check kernels
# A command that reports its own stdout write error prints that one line only.
if [ -w /dev/full ]; then
    for cmd in "gemm 8 8 8" "model kernels/workloads/tpuv1-mlp0.yaml --no-data" "mxu 8 8 8"; do
        expect_fail "$cmd --json - to a full stdout: one line" "^tpusim: --json" \
            sh -c 'exec "$0" "$@" >/dev/full' "$TPUSIM" $cmd --json -
    done
fi
# --requant-scale is used only by int8 requant epilogues; elsewhere, or too small for a float
# (where 0 meant the default 1/256), it is refused instead of silently ignored.
expect_fail "--requant-scale without --epilogue requant" \
    "^tpusim: --requant-scale: applies only to int8 with --epilogue requant \(here: int8, epilogue none\)$" \
    "$TPUSIM" gemm 8 8 8 --requant-scale 0.5
expect_fail "--requant-scale with bf16" \
    "^tpusim: --requant-scale: applies only to int8 with --epilogue requant \(here: bf16, epilogue requant\)$" \
    "$TPUSIM" gemm 8 8 8 --dtype bf16 --epilogue requant --requant-scale 0.5
expect_fail "--requant-scale below the float range" "^tpusim: --requant-scale 1e-50: expected a positive number$" \
    "$TPUSIM" gemm 8 8 8 --epilogue requant --requant-scale 1e-50
expect_ok "--requant-scale with int8 requant" "$TPUSIM" gemm 8 8 8 --epilogue requant --requant-scale 0.5
