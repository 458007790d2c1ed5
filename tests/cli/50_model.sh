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

# model JSON: it validates against docs/output.schema.json; the layers' cycles (all repeats)
# sum to total.cycles, and so do the groups' cycles x repeat and the whole workload's own
# cycles; every unit's cycles_by_cause sums to its record's cycles (the whole workload's, each
# group's); utilizations of layers and total lie in (0,1].
model_json_check() {
    awk '
    /^    "layers": \[/ { sec="l"; next }
    /^    "groups": \[/ { sec="g"; next }
    /^    "total": \{/ { sec="t"; next }
    sec == "" && /^    "cycles": / { v=$2; sub(/,$/, "", v); rc=v }
    sec == "" && /"cycles_by_cause": \{/ { in_r=1; sum=0; nr++; next }
    in_r && /\}/ { in_r=0; if (sum != rc) { print "whole-workload unit " nr ": causes sum to " sum ", cycles " rc; bad=1; exit } next }
    in_r { v=$2; sub(/,$/, "", v); sum += v; next }
    sec == "l" && /^        "cycles": / { v=$2; sub(/,$/, "", v); if (v !~ /^[0-9]+$/) { print "layer cycles " v; bad=1; exit } ls += v; nl++ }
    sec == "l" && /^        "utilization": / { v=$2; sub(/,$/, "", v); if (!(v + 0 > 0 && v + 0 <= 1)) { print "layer utilization " v; bad=1; exit } }
    sec == "g" && /^        "repeat": / { v=$2; sub(/,$/, "", v); rep=v }
    sec == "g" && /^        "cycles": / { v=$2; sub(/,$/, "", v); gc=v; gs += rep * v; ng++ }
    sec == "g" && /"cycles_by_cause": \{/ { in_c=1; sum=0; nu++; next }
    in_c && /\}/ { in_c=0; if (sum != gc) { print "group " ng " unit: causes sum to " sum ", cycles " gc; bad=1; exit } next }
    in_c { v=$2; sub(/,$/, "", v); sum += v }
    sec == "t" && /^      "cycles": / { v=$2; sub(/,$/, "", v); if (v !~ /^[0-9]+$/) { print "total cycles " v; bad=1; exit } tc=v }
    sec == "t" && /^      "utilization": / { v=$2; sub(/,$/, "", v); if (!(v + 0 > 0 && v + 0 <= 1)) { print "total utilization " v; bad=1; exit } }
    END { if (bad) exit
          if (!nl || !ng || !nu || tc == "") print "missing fields"
          else if (ls != tc) print "layers sum to " ls ", total " tc
          else if (gs != tc) print "groups sum to " gs ", total " tc
          else if (!nr || rc != tc) print "the whole-workload record has " rc " cycles, total " tc
          else print "ok" }' "$1"
}
printf 'layers:\n  - {name: a, M: 40, N: 24, K: 70, repeat: 2, epilogue: relu}\n  - {name: b, M: 40, N: 16, K: 24, input: a}\n  - {name: c, M: 9, N: 33, K: 16, repeat: 3, epilogue: requant}\n  - {name: e, M: 9, N: 7, K: 33, repeat: 3, input: c}\n' >"$T/mix.yaml"
for run in "kernels/workloads/tpuv1-mlp1.yaml -c configs/tpu-v1.yaml --no-data" \
           "kernels/workloads/bert-base-seq128.yaml -c configs/tpu-v4.yaml --no-data" \
           "$T/mix.yaml -c configs/edge-8x8.yaml --dataflow os" \
           "$T/mix.yaml -c configs/teach-4x4.yaml --dataflow is --engine pe" \
           "$T/mix.yaml -c configs/tpu-v4.yaml --dtype bf16"; do
    # shellcheck disable=SC2086
    if "$TPUSIM" model $run --json "$T/m.json" >/dev/null 2>"$T/err"; then
        if [ ! -x "$JSON_VALIDATE" ]; then r="no $JSON_VALIDATE (make test builds it)"
        elif ! r=$("$JSON_VALIDATE" docs/output.schema.json "$T/m.json" 2>&1); then :
        else r=$(model_json_check "$T/m.json"); fi
        if [ "$r" = ok ]; then ok "model $run: layers and groups sum to the total, causes to each group"
        else not_ok "model $run" "$r"; fi
    else
        not_ok "model $run (failed)" "$(cat "$T/err")"
    fi
done
