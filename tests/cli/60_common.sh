# Flags every machine-taking command shares give the same one-line errors.
for cmd in "gemm 8 8 8" "mxu 8 8 8" "mxu-demo"; do
    expect_fail "$cmd: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8' \(expected int8 or bf16\)$" "$TPUSIM" $cmd --dtype fp8
    expect_fail "$cmd: dtype the machine lacks" "^tpusim: machine 'tpu-v1' does not support bf16 \(it supports: int8\)$" "$TPUSIM" $cmd -c configs/tpu-v1.yaml --dtype bf16
    expect_fail "$cmd: --set unknown key" "^tpusim: --set tpu.array.rwos=4: unknown key 'tpu.array.rwos' \(did you mean 'tpu.array.rows'\?\)$" "$TPUSIM" $cmd --set tpu.array.rwos=4
    expect_fail "$cmd: -c missing value" "^tpusim: -c needs a value$" "$TPUSIM" $cmd -c
done
expect_fail "model: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8'" "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml --dtype fp8
expect_fail "run: -c with a missing file" "configs/nope.yaml" "$TPUSIM" run -c configs/nope.yaml kernels/gemm_single.tpu
