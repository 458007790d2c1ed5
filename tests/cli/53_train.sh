# tpusim model --train: a training step's GEMMs (work/train.h) on a TPU and on a GPU config.
# Independent derivations: MACs by hand (M*N*K per GEMM, 3x the forward), and every GEMM whose
# inputs come from off-chip memory takes the cycles `tpusim gemm` takes for the same shape and
# transposes (dgrad: dY[M,N] . W^T, GEMM M x K x N with B transposed; wgrad: X^T . dY, GEMM
# K x N x M with A transposed).

# tr_layers JSON: one line per layer record: name phase m n k transpose_a transpose_b repeat cycles_per_run
tr_layers() {
    awk '
    /^    "layers": \[/ { in_l=1; next }
    in_l && /^    \]/ { in_l=0 }
    in_l && /^        "[a-z_]+": / {
        k=$1; gsub(/[":]/, "", k); v=$2; sub(/,$/, "", v); gsub(/"/, "", v); f[k]=v
        if (k == "bound") print f["name"], f["phase"], f["m"], f["n"], f["k"], f["transpose_a"], f["transpose_b"], f["repeat"], f["cycles_per_run"]
    }' "$1"
}
# tr_val JSON SECTION KEY: the integer KEY of "train"'s SECTION (forward, dgrad, wgrad, total)
tr_val() {
    awk -v s="$2" -v k="$3" '
    /^    "train": \{/ { in_t=1; next }
    in_t && $0 ~ "^      \"" s "\": \\{" { in_s=1; next }
    in_s && /^      \}/ { in_s=0 }
    in_s && $0 ~ "^        \"" k "\": " { v=$2; sub(/,$/, "", v); print v; exit }' "$1"
}
# tr_total JSON KEY: the model's total.KEY
tr_total() {
    awk -v k="$2" '/^    "total": \{/ { in_t=1; next } in_t && /^    \}/ { exit }
        in_t && $0 ~ "^      \"" k "\": " { v=$2; sub(/,$/, "", v); print v; exit }' "$1"
}
# tr_gemm_cycles M N K TA TB DTYPE ARGS...: cycles of `tpusim gemm` with the same transposes
tr_gemm_cycles() {
    g_m=$1 g_n=$2 g_k=$3 g_ta=$4 g_tb=$5 g_dt=$6
    shift 6
    set -- "$TPUSIM" gemm "$g_m" "$g_n" "$g_k" --dtype "$g_dt" "$@"
    [ "$g_ta" = true ] && set -- "$@" --transpose-a
    [ "$g_tb" = true ] && set -- "$@" --transpose-b
    "$@" 2>/dev/null | awk '/^cycles /{print $2; exit}'
}
# tr_against_gemm NAME JSON PHASES DTYPE GEMM-ARGS...: every layer of the listed phases has the
# cycles (per run) of `tpusim gemm` of its GEMM, and each phase's train.cycles is the sum of its
# layers' cycles x repeat
tr_against_gemm() {
    t_name=$1 t_json=$2 t_phases=$3 t_dt=$4
    shift 4
    t_bad=
    t_n=0
    tr_layers "$t_json" >"$T/tr_layers"
    while read -r l_name l_ph l_m l_n l_k l_ta l_tb l_rep l_cyc; do
        case " $t_phases " in *" $l_ph "*) ;; *) continue ;; esac
        g=$(tr_gemm_cycles "$l_m" "$l_n" "$l_k" "$l_ta" "$l_tb" "$t_dt" "$@")
        t_n=$((t_n + 1))
        [ "$g" = "$l_cyc" ] || t_bad="$t_bad $l_name($l_ph ${l_m}x${l_n}x${l_k} A^T=$l_ta B^T=$l_tb: model $l_cyc, gemm $g)"
    done <"$T/tr_layers"
    for ph in forward dgrad wgrad; do
        s=$(awk -v p="$ph" '$2 == p { s += $8 * $9 } END { print s + 0 }' "$T/tr_layers")
        v=$(tr_val "$t_json" "$ph" cycles)
        [ "$s" = "$v" ] || t_bad="$t_bad train.$ph.cycles=$v(layers sum to $s)"
    done
    if [ -z "$t_bad" ] && [ "$t_n" -gt 0 ]; then ok "$t_name ($t_n GEMMs)"; else not_ok "$t_name" "checked $t_n:$t_bad"; fi
}

# The shipped MLP with data: every GEMM (dgrad and wgrad with their transposes) matches the reference
expect_ok "mlp-train --train with data: numerics check passes" "$TPUSIM" model kernels/workloads/mlp-train.yaml --train
expect_out "mlp-train --train: every GEMM checked ok" "^  fc1\.wgrad +wgrad +bf16 +784 +256 +64 .* ok$" \
    "$TPUSIM" model kernels/workloads/mlp-train.yaml --train

# MACs: the forward model by hand, 784-256-128-10 at batch 64:
#   64*256*784 + 64*128*256 + 64*10*128 = 12845056 + 2097152 + 81920 = 15024128; the step 3x = 45072384
"$TPUSIM" model kernels/workloads/mlp-train.yaml --no-data --json "$T/fwd.json" >/dev/null 2>&1
"$TPUSIM" model kernels/workloads/mlp-train.yaml --train --no-data --json "$T/tr.json" >/dev/null 2>&1
f_macs=$(tr_total "$T/fwd.json" macs)
t_macs=$(tr_total "$T/tr.json" macs)
if [ "$f_macs" = 15024128 ] && [ "$t_macs" = 45072384 ] && [ "$(tr_val "$T/tr.json" total macs)" = 45072384 ] &&
   [ "$(tr_val "$T/tr.json" forward macs)" = 15024128 ] && [ "$(tr_val "$T/tr.json" dgrad macs)" = 15024128 ] &&
   [ "$(tr_val "$T/tr.json" wgrad macs)" = 15024128 ]
then ok "--train MACs: 3x the forward model's (15024128 by hand), each phase 1x"
else not_ok "--train MACs: 3x the forward model's" "forward $f_macs, step $t_macs, train: $(sed -n '/"train"/,/^    }/p' "$T/tr.json")"; fi
if [ "$(tr_val "$T/tr.json" total cycles)" = "$(tr_total "$T/tr.json" cycles)" ]
then ok "--train: train.total.cycles = total.cycles"; else not_ok "--train: train.total.cycles = total.cycles" "$(tr_total "$T/tr.json" cycles)"; fi
if [ -n "$JSON_VALIDATE" ] && [ -x "$JSON_VALIDATE" ]; then
    if "$JSON_VALIDATE" docs/output.schema.json "$T/tr.json" 2>"$T/err"; then ok "schema: model --train (TPU)"
    else not_ok "schema: model --train (TPU)" "$(cat "$T/err")"; fi
fi
# the layers carry their phase and transposes: 3 forward, then fc3, fc2, fc1 (dgrad, wgrad)
tr_order=$(tr_layers "$T/tr.json" | awk '{ printf "%s:%s:%s%s ", $1, $2, $6 == "true" ? "A" : "-", $7 == "true" ? "B" : "-" }')
if [ "$tr_order" = "fc1:forward:-- fc2:forward:-- fc3:forward:-- fc3.dgrad:dgrad:-B fc3.wgrad:wgrad:A- fc2.dgrad:dgrad:-B fc2.wgrad:wgrad:A- fc1.dgrad:dgrad:-B fc1.wgrad:wgrad:A- " ]
then ok "--train order, phases and transposes"; else not_ok "--train order, phases and transposes" "$tr_order"; fi
# the backward GEMMs read dY off-chip (the next dgrad runs after a wgrad): each is `tpusim gemm`
tr_against_gemm "mlp-train backward GEMMs = tpusim gemm with the same transposes (default TPU)" "$T/tr.json" "dgrad wgrad" bf16 --no-data

# Independent layers (no input:): every GEMM, forward included, reads off-chip; repeat multiplies every phase
printf 'dtype: bf16\nlayers:\n  - {name: a, M: 48, N: 40, K: 72, repeat: 2, epilogue: relu}\n  - {name: b, M: 33, N: 70, K: 24}\n' >"$T/ind.yaml"
"$TPUSIM" model "$T/ind.yaml" --train --no-data --json "$T/ind.json" >/dev/null 2>&1
tr_against_gemm "independent layers: every phase = tpusim gemm (default TPU)" "$T/ind.json" "forward dgrad wgrad" bf16 --no-data
# a: 48*40*72 = 138240 x2 = 276480; b: 33*70*24 = 55440; forward 331920, step 995760
if [ "$(tr_val "$T/ind.json" forward macs)" = 331920 ] && [ "$(tr_val "$T/ind.json" wgrad macs)" = 331920 ] &&
   [ "$(tr_total "$T/ind.json" macs)" = 995760 ]
then ok "independent layers: MACs by hand (repeat in every phase)"; else not_ok "independent layers: MACs by hand" "$(sed -n '/"train"/,/^    }/p' "$T/ind.json")"; fi
"$TPUSIM" model "$T/ind.yaml" --train -c configs/tpu-v4-core.yaml --no-data --json "$T/ind4.json" >/dev/null 2>&1
tr_against_gemm "independent layers: every phase = tpusim gemm (tpu-v4-core)" "$T/ind4.json" "forward dgrad wgrad" bf16 -c configs/tpu-v4-core.yaml --no-data
expect_out "independent layers with data on an os array: checked ok" "^  b\.wgrad +wgrad .* ok$" \
    "$TPUSIM" model "$T/ind.yaml" --train -c configs/edge-8x8.yaml --dataflow os --dtype int8

# GPU: each GEMM one kernel, as `tpusim gemm -c GPU` with the same transposes
if "$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/gpu-a100.yaml --json "$T/trg.json" >/dev/null 2>"$T/err"; then
    tr_against_gemm "GPU --train: every phase = tpusim gemm -c gpu-a100" "$T/trg.json" "forward dgrad wgrad" bf16 -c configs/gpu-a100.yaml
    if [ "$(tr_total "$T/trg.json" macs)" = 45072384 ] && [ "$(tr_val "$T/trg.json" dgrad macs)" = 15024128 ]
    then ok "GPU --train MACs: 3x the forward"; else not_ok "GPU --train MACs: 3x the forward" "$(tr_total "$T/trg.json" macs)"; fi
    if [ -n "$JSON_VALIDATE" ] && [ -x "$JSON_VALIDATE" ]; then
        if "$JSON_VALIDATE" docs/output.schema.json "$T/trg.json" 2>"$T/err"; then ok "schema: model --train (GPU)"
        else not_ok "schema: model --train (GPU)" "$(cat "$T/err")"; fi
    fi
else
    not_ok "GPU --train runs" "$(cat "$T/err")"
fi
expect_out "GPU --train prints the training block" "^  weight gradient \(wgrad\) +3 " \
    "$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/gpu-h100.yaml

# docs/workloads.md's worked example: its block is what the command prints
"$TPUSIM" model kernels/workloads/mlp-train.yaml --train --no-data >"$T/trd.txt" 2>&1
tr_doc=$(sed -n '/^  training step /,/^  step (total)/p' docs/workloads.md)
tr_run=$(sed -n '/^  training step /,/^  step (total)/p' "$T/trd.txt")
if [ -n "$tr_doc" ] && [ "$tr_doc" = "$tr_run" ]; then ok "docs/workloads.md --train example = the run"
else not_ok "docs/workloads.md --train example = the run" "docs:
$tr_doc
run:
$tr_run"; fi

# both machines (-g): each side's phases are its own runs of the step's GEMMs, so the TPU's equal
# model --train on tpu-v4 alone and the GPU's model --train -c gpu-a100 alone, phase by phase
# (cycles and MACs, from the JSON's train objects); the text has a step block per machine
tr_phases() {   # tr_phases FILE SIDE: "phase cycles macs" of the SIDE ("tpu" or "gpu") run's train object
    awk -v side="\"$2\": {" 'index($0, side) == 3 { in_s = 1 } in_s && /"train": \{/ { in_t = 1 }
        in_t && /"(forward|dgrad|wgrad|total)": \{/ { ph = $1; gsub(/[":]/, "", ph) }
        in_t && ph && /"cycles":/ { c = $2; sub(/,$/, "", c) }
        in_t && ph && /"macs":/ { m = $2; sub(/,$/, "", m); print ph, c, m; if (ph == "total") exit; ph = "" }' "$1"
}
"$TPUSIM" model kernels/workloads/mlp-train.yaml --train -g configs/gpu-a100.yaml --no-data --json "$T/trg.json" >"$T/trg.txt" 2>&1
"$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/tpu-v4.yaml --no-data --json "$T/trt.json" >/dev/null 2>&1
"$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/gpu-a100.yaml --json "$T/trga.json" >/dev/null 2>&1
a=$(tr_phases "$T/trg.json" tpu); b=$(tr_phases "$T/trt.json" tpu); c=$(tr_phases "$T/trg.json" gpu); d=$(tr_phases "$T/trga.json" gpu)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$c" ] && [ "$c" = "$d" ] && [ "$(echo "$c" | wc -l)" = 4 ] &&
   [ "$(grep -c '^  step (total) ' "$T/trg.txt")" = 2 ]; then
    ok "--train -g: each machine's phases equal its run alone (TPU and GPU step blocks)"
else not_ok "--train -g: phases" "-g tpu: $a
alone: $b
-g gpu: $c
alone: $d"; fi
# mlp-train's 3 layers make 9 GEMMs: each side's 9 layer records carry their phase
if [ "$(grep -c '"phase": "' "$T/trg.json")" = 18 ]; then ok "--train -g: the 9 GEMMs' records name their phase on both sides"
else not_ok "--train -g: phase in the layer records" "$(grep -c '"phase": "' "$T/trg.json") of 18"; fi

# refusals: one line each
# a GPU's training step takes --trace, --plot and --html as model -c GPU does: a layer slice
# per GEMM (9), the JSON unchanged by them, a roofline with a point per GEMM
if "$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/gpu-a100.yaml --json "$T/trgo.json" \
        --trace "$T/trg.trace" --plot "$T/trg.svg" --html "$T/trg.html" >/dev/null 2>"$T/err" &&
    "$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/gpu-a100.yaml --json "$T/trgp.json" >/dev/null 2>>"$T/err"; then
    if [ "$(grep -c '"cat":"layer"' "$T/trg.trace")" = 9 ] && cmp -s "$T/trgo.json" "$T/trgp.json" &&
        grep -q '<svg' "$T/trg.svg" && grep -q '"gpu mem"' "$T/trg.html"; then
        ok "--train on a GPU: --trace has a slice per GEMM (9), --plot and --html written, the JSON the same"
    else not_ok "--train on a GPU: --trace, --plot, --html" "slices $(grep -c '"cat":"layer"' "$T/trg.trace")"; fi
else not_ok "--train on a GPU with --trace --plot --html" "$(cat "$T/err")"; fi
expect_fail "--train --seed on a GPU config" "^tpusim: --seed: not for GPU" \
    "$TPUSIM" model kernels/workloads/mlp-train.yaml --train -c configs/gpu-a100.yaml --seed 3
expect_fail "--train on gemm" "^tpusim: gemm: unknown flag '--train'" "$TPUSIM" gemm 8 8 8 --train
expect_fail "--train without a workload" "^tpusim: model: expected a workload file" "$TPUSIM" model --train
