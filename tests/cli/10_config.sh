# tpusim config: show / check every shipped machine, --set, --json, and one-line errors with
# file:line:col (positions counted by hand in the snippets below).
# (variable names are prefixed: the helpers in tests/cli.sh use n, pat and out)
for cfg_file in configs/*.yaml; do
    cfg_name=$(basename "$cfg_file" .yaml)
    expect_out "config check $cfg_name" "^ok: $cfg_file\$" "$TPUSIM" config check "$cfg_file"
    expect_out "config show $cfg_name names the machine" "^machine: $cfg_name " "$TPUSIM" config show "$cfg_file"
done
expect_out "config show default" "^tpu.array.rows +32 +PEs" "$TPUSIM" config show
expect_out "config show default peak" "tpu peak bf16 +2.05 TFLOPS" "$TPUSIM" config show
expect_out "tpu-v1 peak 91.75 TOPS" "tpu peak int8 +91.75 TOPS" "$TPUSIM" config show configs/tpu-v1.yaml
expect_out "tpu-v1 weight memory 34 GB/s" "^tpu.weight_mem.bandwidth +34GB/s" "$TPUSIM" config show configs/tpu-v1.yaml
expect_out "tpu-v4 peak 275.25 TFLOPS" "tpu peak bf16 +275.25 TFLOPS" "$TPUSIM" config show -c configs/tpu-v4.yaml
expect_out "a100 peak 311.87 TFLOPS" "gpu peak bf16 +311.87 TFLOPS" "$TPUSIM" config show --config configs/gpu-a100.yaml
expect_out "h100 3.35TB/s exact" "^gpu.dram.bandwidth +3350GB/s +bytes/s \(3350000000000\)" "$TPUSIM" config show configs/gpu-h100.yaml
expect_out "--set overrides" "^tpu.array.rows +64 +PEs" "$TPUSIM" config show --set tpu.array.rows=64
expect_out "--set= form" "^tpu.array.dataflow +os" "$TPUSIM" config show --set=tpu.array.dataflow=os
expect_out "--set clock re-resolves ns latencies" "^tpu.dram.read_latency +50 +cycles" \
    "$TPUSIM" config show --set tpu.clock=500MHz
expect_out "--json -" '"tpu.array.rows": 32' "$TPUSIM" config show --json -
expect_out "config check with --set" "^ok: configs/teach-4x4.yaml" "$TPUSIM" config check configs/teach-4x4.yaml --set tpu.array.rows=2
expect_out "config --help" "config check FILE" "$TPUSIM" config --help

# docs/config.md's key table is exactly what 'config keys' generates
"$TPUSIM" config keys >"$T/keys.md" 2>&1
sed -n '/^| key |/,$p' docs/config.md >"$T/docs_keys.md"
if cmp -s "$T/keys.md" "$T/docs_keys.md"; then ok "docs/config.md key table is current"
else not_ok "docs/config.md key table is current (regenerate with: tpusim config keys)" "$(diff "$T/docs_keys.md" "$T/keys.md" | head -10)"; fi

printf 'tpu:\n  clock: 1GHz\n  array:\n    rwos: 4\n' >"$T/c1.yaml"
expect_fail "unknown key: file:line:col and suggestion" \
    "^tpusim: $T/c1.yaml:4:5: unknown key 'tpu.array.rwos' \(did you mean 'tpu.array.rows'\?\)\$" \
    "$TPUSIM" config check "$T/c1.yaml"
printf 'tpu:\n  clock: 1GHz\n    rows: 4\n' >"$T/c2.yaml"
expect_fail "YAML syntax error: one line with position" "^tpusim: $T/c2.yaml:3:9: YAML syntax error: " \
    "$TPUSIM" config check "$T/c2.yaml"
printf 'tpu:\n  clock: 1GHz\n  clock: 2GHz\n' >"$T/c3.yaml"
expect_fail "duplicate key" "^tpusim: $T/c3.yaml:3:3: duplicate key 'tpu.clock' \(first given at line 2, column 3\)\$" \
    "$TPUSIM" config show "$T/c3.yaml"
printf 'tpu:\n  clock: 1GHz\n  array: {rows: 100000, cols: 100000}\n' >"$T/c4.yaml"
expect_fail "absurd array refused" "^tpusim: $T/c4.yaml:3:17: tpu.array.rows: must be at most 4096, got 100000\$" \
    "$TPUSIM" config check "$T/c4.yaml"
printf 'tpu:\n  array: {rows: 4}\n' >"$T/c5.yaml"
expect_fail "missing required key" "^tpusim: $T/c5.yaml:1:1: tpu.clock: required key is missing\$" \
    "$TPUSIM" config check "$T/c5.yaml"
expect_fail "--set unknown key names the flag" \
    "^tpusim: --set tpu.array.rwos=64: unknown key 'tpu.array.rwos' \(did you mean 'tpu.array.rows'\?\)\$" \
    "$TPUSIM" config show --set tpu.array.rwos=64
expect_fail "--set bad value names the flag" \
    "^tpusim: --set tpu.ub.size=1TiB: must be at most 1GiB, got 1TiB\$" "$TPUSIM" config show --set tpu.ub.size=1TiB
expect_fail "--set without =" "^tpusim: --set tpu.array.rows: expected PATH=VALUE" "$TPUSIM" config show --set tpu.array.rows
expect_fail "missing file" "^tpusim: $T/none.yaml: cannot open" "$TPUSIM" config check "$T/none.yaml"
expect_fail "config check needs a file" "^tpusim: config check: expected a FILE" "$TPUSIM" config check
expect_fail "unknown sub-command" "^tpusim: config: unknown sub-command 'frob'" "$TPUSIM" config frob
# config show --json stays valid JSON for a file name that is not UTF-8 (Latin-1 e-acute)
cp configs/teach-4x4.yaml "$T/caf$(printf '\351').yaml"
expect_out "config show --json: non-UTF-8 file name escaped" '^  "source": ".*/caf\\ufffd\.yaml",$' \
    "$TPUSIM" config show --json - "$T/caf$(printf '\351').yaml"
