# tpusim model: workloads (YAML and SCALE-Sim CSV), per-layer and total results, chaining in the UB.
expect_out "TPUv1 MLP0 runs and verifies" "^  fc5 .* ok$" "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml
expect_out "MLP0 layers chain through the unified buffer" "^  fc2 .* i/o " \
    "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml --no-data
expect_out "SCALE-Sim conv CSV (ResNet-50) runs timing only" "^  FC6 .*no data$" \
    "$TPUSIM" model kernels/workloads/resnet50-conv.csv --no-data
expect_out "SCALE-Sim GEMM CSV runs and verifies" "^  PW-FF-L2 .* ok$" \
    "$TPUSIM" model kernels/workloads/scalesim-gpt2-gemm.csv -c configs/tpu-v4-core.yaml --dtype bf16
expect_out "model JSON has an integer total" '^      "cycles": [0-9]+,$' \
    "$TPUSIM" model kernels/workloads/llama7b-decode.yaml -c configs/tpu-v4-core.yaml --no-data --json -
for w in bert-base-seq128 gpt2-small-seq256 llama7b-prefill-seq2048; do
    expect_out "$w runs timing only" "^  total " "$TPUSIM" model kernels/workloads/$w.yaml -c configs/tpu-v4.yaml --no-data
done
printf 'layers:\n  - {name: a, M: 3, N: x, K: 7}\n' >"$T/bad.yaml"
expect_fail "YAML error is positioned" "^tpusim: $T/bad.yaml:2:24: N: expected a whole number" "$TPUSIM" model "$T/bad.yaml"
printf 'Layer, M, N, K,\nfc1, 12, 4, 4,\nfc2, 12, 4, -1,\n' >"$T/bad.csv"
expect_fail "CSV error is positioned" "^tpusim: $T/bad.csv:3:13: K: expected a whole number" "$TPUSIM" model "$T/bad.csv"
printf 'layers:\n  - {name: a, M: 3, N: 4, K: 7, dtype: bf16}\n' >"$T/bf.yaml"
expect_fail "layer dtype the machine lacks" "^tpusim: $T/bf.yaml:2: layer 'a': machine 'tpu-v1' does not support bf16" \
    "$TPUSIM" model "$T/bf.yaml" -c configs/tpu-v1.yaml
expect_fail "missing workload" "^tpusim: model: expected a workload file" "$TPUSIM" model
expect_fail "unreadable workload" "^tpusim: $T/none.yaml: cannot open" "$TPUSIM" model "$T/none.yaml"
