# Every command's --json validates against docs/output.schema.json (schema_version 4) with the
# test-only validator ($JSON_VALIDATE, built by make test beside the release tpusim); a document
# missing a field, with an extra one, a renamed cause or the old shape fails. '-' is stdout for
# every output flag, and stdout then carries that output alone.
js_schema=docs/output.schema.json
if [ ! -x "$JSON_VALIDATE" ]; then
    not_ok "json_validate is built (no $JSON_VALIDATE; make test builds it beside the release tpusim)"
else
    js_i=0
    # js_valid NAME CMD...: CMD writes JSON to stdout (--json -), which must validate
    js_valid() {
        n=$1; shift
        js_i=$((js_i + 1))
        if "$@" >"$T/js$js_i.json" 2>"$T/err"; then
            if "$JSON_VALIDATE" "$js_schema" "$T/js$js_i.json" 2>"$T/err"; then ok "schema: $n"
            else not_ok "schema: $n" "$(cat "$T/err")"; fi
        else not_ok "schema: $n (exit $?)" "$(cat "$T/err")"; fi
    }
    js_valid "gemm (the main job's shape) with data" "$TPUSIM" gemm 512 512 512 --json -
    js_valid "gemm --no-data" "$TPUSIM" gemm 300 200 100 --no-data --json -
    js_valid "gemm --no-check, split-K, batch, transposes" "$TPUSIM" gemm 40 30 300 -c configs/tpu-v4-core.yaml --split-k 2 --batch 2 --transpose-a \
        --transpose-b --no-check --json -
    js_valid "gemm --show-search (the search inside the JSON, nothing else on stdout)" "$TPUSIM" gemm 256 256 256 --show-search --json -
    js_valid "gemm --show-search with a fixed plan" "$TPUSIM" gemm 64 64 64 --tile 64x64x64 --order mnk \
        --double-buffer on --show-search --json -
    js_valid "gemm edge-8x8 os (energy)" "$TPUSIM" gemm 64 64 64 -c configs/edge-8x8.yaml --dataflow os --json -
    js_valid "gemm teach-4x4 is bf16 pe" "$TPUSIM" gemm 20 12 16 -c configs/teach-4x4.yaml --dataflow is --dtype bf16 \
        --engine pe --json -
    js_valid "gemm tpu-v1 (weight memory, host)" "$TPUSIM" gemm 256 256 256 -c configs/tpu-v1.yaml --no-data --json -
    js_valid "gemm tpu-v4 bf16 (2 cores)" "$TPUSIM" gemm 512 512 512 -c configs/tpu-v4.yaml --dtype bf16 --no-data --json -
    js_valid "gemm ideal memory" "$TPUSIM" gemm 64 64 64 --set tpu.dram.ideal=true --no-data --json -
    js_valid "mxu ws int8 fast" "$TPUSIM" mxu 13 9 21 --json -
    js_valid "mxu os bf16 pe" "$TPUSIM" mxu 13 9 21 --dataflow os --dtype bf16 --engine pe --set tpu.array.rows=8 \
        --set tpu.array.cols=4 --json -
    js_valid "mxu --no-check, scalesim timing" "$TPUSIM" mxu 64 64 64 --no-check --set tpu.array.timing=scalesim --json -
    js_valid "run with data" "$TPUSIM" run kernels/gemm_single.tpu --json -
    js_valid "run --timing-only is" "$TPUSIM" run kernels/gemm_dbuf_relu.tpu --timing-only --json -
    js_valid "model tpuv1-mlp0 on tpu-v1" "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml \
        --no-data --json -
    js_valid "model llama7b-decode on tpu-v4-core" "$TPUSIM" model kernels/workloads/llama7b-decode.yaml \
        -c configs/tpu-v4-core.yaml --no-data --json -
    js_valid "model SCALE-Sim CSV, with data, edge-8x8 os" "$TPUSIM" model kernels/workloads/scalesim-vit-fc2.csv \
        -c configs/edge-8x8.yaml --dataflow os --set tpu.array.rows=16 --no-data --json -
    js_valid "gemm on gpu-a100 (the run under gpu)" "$TPUSIM" gemm 512 384 256 -c configs/gpu-a100.yaml --dtype bf16 --no-data --json -
    js_valid "gemm on gpu-v100 fp16, transposed, --gpu-kernel" "$TPUSIM" gemm 512 384 256 -c configs/gpu-v100.yaml --dtype fp16 \
        --transpose-a --transpose-b --gpu-kernel 64x64x32/32x32/s2/k2 --json -
    js_valid "model tpuv1-mlp0 on gpu-h100" "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/gpu-h100.yaml --json -
    printf 'layers:\n  - {name: a, M: 40, N: 24, K: 70, repeat: 2, epilogue: relu}\n  - {name: b, M: 40, N: 16, K: 24, repeat: 2, input: a}\n' >"$T/js.yaml"
    js_valid "model with data, chained layers" "$TPUSIM" model "$T/js.yaml" --json -
    # --json FILE writes the same document
    if "$TPUSIM" gemm 64 64 64 --json "$T/jsf.json" >/dev/null 2>"$T/err" && "$JSON_VALIDATE" "$js_schema" "$T/jsf.json" 2>"$T/err"
    then ok "schema: gemm --json FILE"; else not_ok "schema: gemm --json FILE" "$(cat "$T/err")"; fi

    # what the JSON says about the run: the overrides, the version, the check vocabulary
    "$TPUSIM" gemm 64 64 64 --set tpu.array.rows=64 --dataflow os --set tpu.dram.bandwidth=100GB/s --no-data --json - >"$T/jso.json"
    for js_f in '"tpu.array.rows": "64"' '"tpu.array.dataflow": "os"' '"tpu.dram.bandwidth": "100GB/s"' '"check": "timing_only"' \
            '"schema_version": 4' '"command": "gemm"'; do
        if grep -qF -- "$js_f" "$T/jso.json"; then ok "gemm JSON has $js_f"; else not_ok "gemm JSON has $js_f" "$(grep -A6 overrides "$T/jso.json")"; fi
    done
    js_ov=$(sed -n '/"overrides": {/,/}/p' "$T/jso.json" | grep -c '"tpu\.')
    if [ "$js_ov" -eq 3 ]; then ok "gemm JSON: exactly the three overridden keys"; else not_ok "gemm JSON: exactly the three overridden keys ($js_ov)" "$(sed -n '/"overrides"/,/}/p' "$T/jso.json")"; fi
    js_v=$("$TPUSIM" --version | sed -n 's/^tpusim \([^ ]*\) (commit \([^)]*\))$/"version": "\1"|"commit": "\2"/p')
    if [ -n "$js_v" ] && grep -qF "${js_v%%|*}" "$T/jso.json" && grep -qF "${js_v#*|}" "$T/jso.json"; then ok "JSON tpusim object = tpusim --version"
    else not_ok "JSON tpusim object = tpusim --version" "$js_v"; fi

    # negative checks: hand-edited documents fail, naming where
    js_bad() {   # js_bad NAME POINTER-PATTERN SED-SCRIPT
        sed "$3" "$T/js1.json" >"$T/jsbad.json"
        if "$JSON_VALIDATE" "$js_schema" "$T/jsbad.json" 2>"$T/err"; then not_ok "schema refuses $1 (validated)"
        elif grep -Eq -- "$2" "$T/err"; then ok "schema refuses $1"
        else not_ok "schema refuses $1 (message does not match /$2/)" "$(cat "$T/err")"; fi
    }
    js_bad "a missing bus_bytes" '/tpu/memory/dram: missing required member "bus_bytes"' '/"bus_bytes"/d'
    js_bad "a missing cause (every cause is present, zeros included)" 'cycles_by_cause: missing required member "padding"' '/"padding": [0-9]/d'
    js_bad "the old cause name weight_load" 'weight_shift|weight_load' 's/"weight_shift": \([0-9]\)/"weight_load": \1/'
    js_bad "schema_version 2" '/schema_version: expected 4' 's/"schema_version": 4/"schema_version": 2/'
    js_bad "the old check word passed" '/tpu/check: expected one of' 's/"check": "match"/"check": "passed"/'
    js_bad "time_s beside seconds" 'time_s' 's/^    "seconds": \(.*\)$/    "seconds": \1\n    "time_s": \1/'
    js_bad "an unbounded peak written as 0 ... as a string" 'peak_bytes_per_s' 's/"peak_bytes_per_s": null/"peak_bytes_per_s": "inf"/'
    js_bad "a missing tpusim.commit" '/tpusim: missing required member "commit"' '/"commit": /d; s/"version": \("[^"]*"\),/"version": \1/'
    printf '{"tpu": {"cycles": 1}}\n' >"$T/jsold.json"
    if ! "$JSON_VALIDATE" "$js_schema" "$T/jsold.json" 2>/dev/null; then ok "schema refuses the unversioned shape"
    else not_ok "schema refuses the unversioned shape"; fi
fi

# '-' is stdout for every output flag, and stdout then carries that output alone
expect_out "--emit - writes the program to stdout" '^; tpusim gemm 64 64 64' "$TPUSIM" gemm 64 64 64 --emit -
"$TPUSIM" gemm 64 64 64 --emit - >"$T/js-emit.tpu" 2>&1
if ! grep -q '^machine\|^cycles\|^Compute-bound' "$T/js-emit.tpu" && "$TPUSIM" check "$T/js-emit.tpu" >/dev/null 2>&1
then ok "--emit -: stdout is a valid program alone"; else not_ok "--emit -: stdout is a valid program alone" "$(tail -5 "$T/js-emit.tpu")"; fi
expect_fail "--emit - and --json - clash" "^tpusim: --emit -: stdout already carries --json -" "$TPUSIM" gemm 8 8 8 --json - --emit -
expect_fail "--out - and --json - clash" "^tpusim: --out -: stdout already carries --json -" "$TPUSIM" gemm 8 8 8 --json - --out -
"$TPUSIM" gemm 4 4 4 --out - --show-search >"$T/js-c.npy" 2>"$T/err"
if head -c 6 "$T/js-c.npy" | grep -q 'NUMPY' && [ "$(wc -c <"$T/js-c.npy")" -eq 192 ]; then ok "gemm --out - --show-search: the .npy alone on stdout"
else not_ok "gemm --out -: the .npy alone on stdout" "$(cat "$T/err")"; fi
expect_out "mxu --vcd -: the VCD on stdout" '^\$enddefinitions' "$TPUSIM" mxu 2 2 2 --set tpu.array.rows=2 --set tpu.array.cols=2 --engine pe --vcd -
expect_out "run --out C=-: the .npy on stdout" 'NUMPY' "$TPUSIM" run kernels/gemm_single.tpu --out C=-
expect_fail "run --out C=- and --json - clash" "^tpusim: --out C=-: stdout already carries --json -" "$TPUSIM" run kernels/gemm_single.tpu --json - --out C=-
"$TPUSIM" npy rand 3 5 -o - >"$T/js-r.npy" 2>"$T/err"
if "$TPUSIM" npy show "$T/js-r.npy" 2>&1 | grep -q ', 3 x 5$'; then ok "npy rand -o -: the .npy on stdout"
else not_ok "npy rand -o -: the .npy on stdout" "$(cat "$T/err"; "$TPUSIM" npy show "$T/js-r.npy" 2>&1)"; fi
# the version
expect_out "tpusim --version" '^tpusim [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}|unknown)\)$' "$TPUSIM" --version
expect_out "tpusim version" '^tpusim [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}|unknown)\)$' "$TPUSIM" version
expect_fail "tpusim version takes no arguments" "^tpusim: version: takes no arguments" "$TPUSIM" version now
