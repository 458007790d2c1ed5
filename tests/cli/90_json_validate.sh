# tests/tools/json_validate SCHEMA DOC ($JSON_VALIDATE, built by make test beside the release
# tpusim): exit 0 for a valid document, 1 with one "DOC: /pointer: what" line for an invalid
# one, 2 for a bad schema; and every command's --json output is strict RFC 8259 JSON.
# jv_exit NAME WANT_RC PATTERN CMD... : exits WANT_RC with exactly one stderr line matching PATTERN
jv_exit() {
    n=$1; want=$2; pat=$3; shift 3
    "$@" >"$T/out" 2>"$T/err"; rc=$?
    if [ "$rc" -ne "$want" ]; then not_ok "$n (exit $rc, want $want)" "$(cat "$T/err")"
    elif [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -Eq -- "$pat" "$T/err"; then not_ok "$n (stderr does not match /$pat/ in one line)" "$(cat "$T/err")"
    else ok "$n"; fi
}
if [ ! -x "$JSON_VALIDATE" ]; then
    not_ok "json_validate is built (no $JSON_VALIDATE; make test builds it beside the release tpusim)"
else
    cat >"$T/jv-schema.json" <<'JSON'
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["tpu"],
  "properties": {
    "tpu": {
      "type": "object",
      "required": ["cycles"],
      "additionalProperties": false,
      "properties": {
        "cycles": {"type": "integer", "minimum": 0},
        "units": {"type": "object", "additionalProperties": {"$ref": "#/$defs/unit"}}
      }
    }
  },
  "$defs": {
    "unit": {"type": "object", "properties": {"cycles_by_cause": {"type": "object", "additionalProperties": {"type": "integer"}}}}
  }
}
JSON
    printf '{"tpu": {"cycles": 18446744073709551615, "units": {"core0.mxu0": {"cycles_by_cause": {"busy": 1}}}}}\n' >"$T/jv-ok.json"
    printf '{"tpu": {"cycles": 7, "units": {"core0.mxu0": {"cycles_by_cause": {"busy": 1.5}}}}}\n' >"$T/jv-bad.json"
    printf '{"tpu": {"cycles": 7,}}\n' >"$T/jv-broken.json"
    printf '{"type": "object", "requried": ["tpu"]}\n' >"$T/jv-typo.json"
    expect_ok "json_validate: a valid document" "$JSON_VALIDATE" "$T/jv-schema.json" "$T/jv-ok.json"
    if "$JSON_VALIDATE" "$T/jv-schema.json" - <"$T/jv-ok.json" 2>"$T/err"; then ok "json_validate: a valid document on stdin"
    else not_ok "json_validate: a valid document on stdin" "$(cat "$T/err")"; fi
    jv_exit "json_validate: an invalid document" 1 \
        "^$T/jv-bad.json: /tpu/units/core0\.mxu0/cycles_by_cause/busy: expected integer, got 1\.5\$" \
        "$JSON_VALIDATE" "$T/jv-schema.json" "$T/jv-bad.json"
    jv_exit "json_validate: a malformed document, with line:col" 1 "^$T/jv-broken.json:1:21: trailing comma in object\$" \
        "$JSON_VALIDATE" "$T/jv-schema.json" "$T/jv-broken.json"
    jv_exit "json_validate: an unknown schema keyword" 2 "^$T/jv-typo.json: \\(root\\): unknown keyword \"requried\"\$" \
        "$JSON_VALIDATE" "$T/jv-typo.json" "$T/jv-ok.json"
    jv_exit "json_validate: usage" 2 "^usage: json_validate SCHEMA.json DOC.json" "$JSON_VALIDATE" "$T/jv-schema.json"
    # every command's --json is JSON the strict parser accepts (the schema of each comes later)
    printf '{"type": "object"}\n' >"$T/jv-object.json"
    for cmd in "config show" "mxu 8 8 8" "gemm 32 32 32" "model kernels/workloads/tpuv1-mlp0.yaml --no-data" \
               "run kernels/gemm_single.tpu"; do
        if "$TPUSIM" $cmd --json - >"$T/jv-out.json" 2>"$T/err" && "$JSON_VALIDATE" "$T/jv-object.json" "$T/jv-out.json" 2>"$T/err"; then
            ok "$cmd --json is strict JSON"
        else not_ok "$cmd --json is strict JSON" "$(cat "$T/err")"; fi
    done
fi
