# Flags every machine-taking command shares give the same one-line errors.
for cmd in "gemm 8 8 8" "mxu 8 8 8" "mxu-demo"; do
    expect_fail "$cmd: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8' \(expected int8 or bf16\)$" "$TPUSIM" $cmd --dtype fp8
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
