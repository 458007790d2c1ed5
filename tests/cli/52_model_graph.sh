# tpusim model follows the graph its file describes (input: NAME), never the shapes alone.

# The UX review's qkv.yaml (reviews/ux-7a9bc35.md 2.7): three projections of one input, one shape.
# Nothing chains: each layer is its own run, so each costs what `gemm 128 768 768` costs on the
# same machine, each stores its own 128x768 int32 output (3 x 393216 = 1179648 bytes written to
# DRAM, where the invented q -> k -> v chain wrote one), and each output is checked.
printf 'layers:\n  - {name: q_proj, M: 128, N: 768, K: 768}\n  - {name: k_proj, M: 128, N: 768, K: 768}\n  - {name: v_proj, M: 128, N: 768, K: 768}\n' >"$T/qkv.yaml"
g_cyc=$("$TPUSIM" gemm 128 768 768 -c configs/tpu-v4-core.yaml --no-data --json - | awk '/^    "cycles": / { v=$2; sub(/,$/, "", v); print v; exit }')
g_wr=$("$TPUSIM" gemm 128 768 768 -c configs/tpu-v4-core.yaml --no-data --json - | awk '/^      "dram": \{/ { d=1 } d && /"write_bytes": / { v=$2; sub(/,$/, "", v); print v; exit }')
if "$TPUSIM" model "$T/qkv.yaml" -c configs/tpu-v4-core.yaml >"$T/qkv.txt" 2>"$T/err"; then
    r=$(awk -v g="$g_cyc" '
        $1 ~ /^[qkv]_proj$/ { n++; if ($8 != "-") bad = bad " " $1 " ub " $8; if ($9 != g) bad = bad " " $1 " cycles " $9 " (gemm " g ")"
                              if ($NF != "ok") bad = bad " " $1 " " $NF }
        /^  chains: none in the unified buffer \(no layer names an input: each reads its own from off-chip memory\)$/ { line = 1 }
        END { if (n != 3) print "rows " n; else if (bad != "") print bad; else if (!line) print "no chains line"; else print "ok" }' "$T/qkv.txt")
    if [ "$r" = ok ] && [ -n "$g_cyc" ]; then ok "qkv.yaml: three independent layers, each as gemm costs ($g_cyc cycles), each checked"
    else not_ok "qkv.yaml text ($r)" "$(cat "$T/qkv.txt")"; fi
else
    not_ok "qkv.yaml (failed)" "$(cat "$T/err")"
fi
if "$TPUSIM" model "$T/qkv.yaml" -c configs/tpu-v4-core.yaml --json "$T/qkv.json" >/dev/null 2>"$T/err"; then
    r=$(awk -v gw="$g_wr" '
        /^    "layers": \[/ { sec = "l" }
        /^    "groups": \[/ { sec = "g" }
        sec == "" && /^      "dram": \{/ { d = 1 }
        sec == "" && d && /"write_bytes": / { v = $2; sub(/,$/, "", v); wr = v; d = 0 }
        sec == "l" && /^        "input": / { if ($2 == "null,") ni++ }
        sec == "l" && /^        "input_from_ub": false,/ { nf++ }
        sec == "l" && /^        "output_to_ub": false,/ { no++ }
        sec == "l" && /^        "check": "match",/ { nm++ }
        sec == "g" && /^        "first_layer": / { ng++ }
        END { if (ni != 3 || nf != 3 || no != 3 || nm != 3) print "layers: input null " ni ", from_ub false " nf ", to_ub false " no ", match " nm
              else if (ng != 3) print "groups " ng
              else if (wr != 3 * gw || wr != 1179648) print "dram write_bytes " wr ", gemm " gw
              else print "ok" }' "$T/qkv.json")
    if [ "$r" = ok ]; then ok "qkv.yaml JSON: input null, 3 groups, 3 outputs off-chip (1179648 bytes), 3 matches"
    else not_ok "qkv.yaml JSON ($r)"; fi
    if [ ! -x "$JSON_VALIDATE" ]; then not_ok "no $JSON_VALIDATE (make test builds it)"
    elif r=$("$JSON_VALIDATE" docs/output.schema.json "$T/qkv.json" 2>&1); then ok "qkv.yaml JSON validates"
    else not_ok "qkv.yaml JSON validates" "$r"; fi
else
    not_ok "qkv.yaml --json (failed)" "$(cat "$T/err")"
fi

# An MLP chains: fc1 -> ... -> fc5 in the UB, the JSON naming each producer.
expect_out "MLP0 chains fc1 -> fc5 in the UB" \
    "^  chains: fc1 -> fc2 -> fc3 -> fc4 -> fc5 in the unified buffer; every other input from off-chip memory$" \
    "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml --no-data
if "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml --no-data --json "$T/mlp.json" >/dev/null 2>"$T/err"; then
    r=$(awk '/^        "input": / { v = $2; sub(/,$/, "", v); s = s v " " }
             /^        "input_from_ub": / { v = $2; sub(/,$/, "", v); u = u v " " }
             END { print s "/ " u }' "$T/mlp.json")
    if [ "$r" = 'null "fc1" "fc2" "fc3" "fc4" / false true true true true ' ]; then ok "MLP0 JSON: input and input_from_ub per layer"
    else not_ok "MLP0 JSON input ($r)"; fi
else
    not_ok "MLP0 --json (failed)" "$(cat "$T/err")"
fi

# A graph with a shared producer and readers further down: a feeds b and c, so its output is
# stored (not kept for b); c reads a two layers on, off-chip; c -> d -> e chain (each the next
# layer's only reader; d's requant output converts as is); f reads b, four layers back, with
# another repeat. Every output checks out, with data, on one core.
printf 'layers:\n  - {name: a, M: 40, N: 24, K: 70, epilogue: relu}\n  - {name: b, M: 40, N: 16, K: 24, input: a}\n  - {name: c, M: 40, N: 16, K: 24, input: a}\n  - {name: d, M: 40, N: 32, K: 16, input: c, epilogue: requant}\n  - {name: e, M: 40, N: 8, K: 32, input: d}\n  - {name: f, M: 40, N: 5, K: 16, input: b, repeat: 2}\n' >"$T/graph.yaml"
for run in "-c configs/edge-8x8.yaml" "-c configs/edge-8x8.yaml --dataflow os --engine pe" "-c configs/tpu-v4-core.yaml --dtype bf16"; do
    # shellcheck disable=SC2086
    if "$TPUSIM" model "$T/graph.yaml" $run >"$T/g.txt" 2>"$T/err"; then
        r=$(awk '$1 ~ /^[a-f]$/ && NF > 10 { s = s $1 ":" $8 ":" $NF " " }
                 /^  chains: / { c = $0 }
                 END { print s; print c }' "$T/g.txt")
        want='a:-:ok b:-:ok c:out:ok d:i/o:ok e:in:ok f:-:ok 
  chains: c -> d -> e in the unified buffer; through off-chip memory: a -> b (a feeds 2 layers), a -> c (not the previous layer), b -> f (not the previous layer); every other input from off-chip memory'
        if [ "$r" = "$want" ]; then ok "graph.yaml $run: chains c -> d -> e, the rest off-chip with the reason, every output ok"
        else not_ok "graph.yaml $run" "$r"; fi
    else
        not_ok "graph.yaml $run (failed)" "$(cat "$T/err")"
    fi
done
# teach-4x4's UB has no room for the regions: c, d and e go off-chip too, and say so.
expect_out "graph.yaml on teach-4x4: no room in the UB" \
    "^  chains: none in the unified buffer; through off-chip memory: a -> b \(a feeds 2 layers\), a -> c \(not the previous layer\), c -> d \(no room in the unified buffer\), d -> e \(no room in the unified buffer\), b -> f \(not the previous layer\); every other input from off-chip memory$" \
    "$TPUSIM" model "$T/graph.yaml" -c configs/teach-4x4.yaml --dataflow ws --engine pe
expect_out "graph.yaml on teach-4x4: e is checked" "^  e .* ok$" "$TPUSIM" model "$T/graph.yaml" -c configs/teach-4x4.yaml --dataflow ws --engine pe
# is keeps A stationary, and the stationary operand comes through the weight FIFO from off-chip
# memory: no layer chains, and the report says why.
expect_out "graph.yaml with is: no UB chains, the reason named" \
    "^  chains: none in the unified buffer; through off-chip memory: a -> b \(a feeds 2 layers\), a -> c \(not the previous layer\), c -> d \(is: A is the stationary operand, loaded through the weight FIFO\), d -> e \(is: A is the stationary operand, loaded through the weight FIFO\), b -> f \(not the previous layer\); every other input from off-chip memory$" \
    "$TPUSIM" model "$T/graph.yaml" -c configs/edge-8x8.yaml --dataflow is --engine pe
expect_out "graph.yaml with is: e is checked" "^  e .* ok$" "$TPUSIM" model "$T/graph.yaml" -c configs/edge-8x8.yaml --dataflow is --engine pe
# On two cores nothing chains; every named input goes through off-chip memory, still checked.
expect_out "graph.yaml on 2 cores: every input off-chip, named" \
    "; through off-chip memory: a -> b \(a feeds 2 layers\), a -> c \(not the previous layer\), c -> d \(several cores: each layer runs on its own\), d -> e \(several cores: each layer runs on its own\), b -> f \(not the previous layer\); every other input from off-chip memory$" \
    "$TPUSIM" model "$T/graph.yaml" -c configs/tpu-v4.yaml --dtype bf16
# every stored output is converted on its way in: int32 requantized (a, b, c), int8 as is (d's requant)
for dt in int8 bf16; do
    if "$TPUSIM" model "$T/graph.yaml" -c configs/tpu-v4.yaml --dtype $dt >"$T/g2.txt" 2>"$T/err"; then
        r=$(awk '$1 ~ /^[a-f]$/ && NF > 10 && $NF == "ok" { n++ } END { print n + 0 }' "$T/g2.txt")
        if [ "$r" = 6 ]; then ok "graph.yaml on 2 cores, $dt: every layer checks out"
        else not_ok "graph.yaml on 2 cores, $dt ($r of 6 ok)" "$(cat "$T/g2.txt")"; fi
    else
        not_ok "graph.yaml on 2 cores, $dt (failed)" "$(cat "$T/err")"
    fi
done
if "$TPUSIM" model "$T/graph.yaml" -c configs/edge-8x8.yaml --json "$T/g.json" >/dev/null 2>"$T/err"; then
    r=$(awk '/^        "input": / { v = $2; sub(/,$/, "", v); s = s v " " } END { print s }' "$T/g.json")
    if [ "$r" != 'null "a" "a" "c" "d" "b" ' ]; then not_ok "graph.yaml JSON input ($r)"
    elif [ ! -x "$JSON_VALIDATE" ]; then not_ok "no $JSON_VALIDATE (make test builds it)"
    elif r=$("$JSON_VALIDATE" docs/output.schema.json "$T/g.json" 2>&1); then ok "graph.yaml JSON names each producer and validates"
    else not_ok "graph.yaml JSON validates" "$r"; fi
else
    not_ok "graph.yaml --json (failed)" "$(cat "$T/err")"
fi

# A bad input: is one positioned line
printf 'layers:\n  - {name: fc1, M: 2, N: 3, K: 4}\n  - {name: fc2, M: 2, N: 3, K: 3, input: fc9}\n' >"$T/in1.yaml"
expect_fail "input: unknown, with a suggestion" "^tpusim: $T/in1.yaml:3:42: input: no earlier layer is named 'fc9' \(did you mean 'fc1'\?\)$" \
    "$TPUSIM" model "$T/in1.yaml"
printf 'layers:\n  - {name: a, M: 2, N: 3, K: 3, input: b}\n  - {name: b, M: 2, N: 3, K: 4}\n' >"$T/in2.yaml"
expect_fail "input: a later layer" "^tpusim: $T/in2.yaml:2:40: input: layer 'b' \(line 3\) comes after 'a'; a layer reads only an earlier layer's output$" \
    "$TPUSIM" model "$T/in2.yaml"
printf 'layers:\n  - {name: a, M: 2, N: 3, K: 4}\n  - {name: b, M: 2, N: 3, K: 4, input: a}\n' >"$T/in3.yaml"
expect_fail "input: shapes that do not meet" "^tpusim: $T/in3.yaml:3:40: input: 'a' gives 2x3 \(M x N\) but 'b' reads 2x4 \(M x K\)$" \
    "$TPUSIM" model "$T/in3.yaml"
printf 'layers:\n  - {name: a, M: 3, N: 4, K: 7}\n  - {name: b, M: 3, N: 4, K: 4, dtype: bf16, input: a}\n' >"$T/in4.yaml"
expect_fail "input: another dtype" "^tpusim: $T/in4.yaml:3:53: input: 'a' computes in int8 but 'b' in bf16; a layer reads an input of its own dtype$" \
    "$TPUSIM" model "$T/in4.yaml" -c configs/tpu-v4-core.yaml

# SCALE-Sim CSVs: every layer independent, even where shapes would line up (fc1's 12x4 is fc2's M x K)
printf 'Layer, M, N, K,\nfc1, 12, 4, 4,\nfc2, 12, 4, 4,\n' >"$T/chain.csv"
if "$TPUSIM" model "$T/chain.csv" -c configs/edge-8x8.yaml >"$T/c.txt" 2>"$T/err"; then
    r=$(awk '$1 ~ /^fc[12]$/ { s = s $1 ":" $8 ":" $NF " " } /^  chains: none in the unified buffer/ { c = 1 } END { print s c }' "$T/c.txt")
    if [ "$r" = "fc1:-:ok fc2:-:ok 1" ]; then ok "CSV layers are independent"
    else not_ok "CSV layers are independent ($r)" "$(cat "$T/c.txt")"; fi
else
    not_ok "chain.csv (failed)" "$(cat "$T/err")"
fi
