# model --plot: the layers' roofline through gnuplot (docs/plots.md), and the one line when
# gnuplot is missing. Points are counted as gnuplot's svg terminal draws them: one
# <use ... transform='translate(...)'> per point, plus one per key entry with a point style
# (here "ridge points" and the series). Skipped, as ok with a note, where gnuplot is absent.
W=kernels/workloads/tpuv1-mlp0.yaml   # 5 layers
# svg_points FILE: the points gnuplot drew
svg_points() { grep -o "' transform='translate(" "$1" | wc -l; }
# svg_text FILE TEXT: FILE has the text element TEXT
svg_text() { grep -Fq "<text>$2</text>" "$1"; }
if command -v gnuplot >/dev/null; then
    if "$TPUSIM" model "$W" --no-data -c configs/tpu-v1.yaml --plot "$T/roof.svg" --json "$T/m.json" >"$T/out" 2>"$T/err" \
       && head -c 200 "$T/roof.svg" | grep -q '<svg' && grep -q '</svg>' "$T/roof.svg" \
       && svg_text "$T/roof.svg" TPU && svg_text "$T/roof.svg" "arithmetic intensity (ops per off-chip byte)" \
       && svg_text "$T/roof.svg" "ops per second" && svg_text "$T/roof.svg" fc1 && svg_text "$T/roof.svg" fc5 \
       && [ "$(svg_points "$T/roof.svg")" -eq $((5 + 1 + 2)) ] && [ -s "$T/m.json" ] && grep -q '^model ' "$T/out"; then
        ok "model --plot: an SVG with one point per layer (5), the ridge point, the series and axis names"
    else
        not_ok "model --plot: an SVG with one point per layer" "$(cat "$T/err"; svg_points "$T/roof.svg")"
    fi
    # the roof: the machine's peak and bandwidth, as config show gives them
    peak=$(grep -o '"peak_ops_per_s": [0-9.e+]*' "$T/m.json" | head -n 1 | awk '{printf "%.4g", $2}')
    if grep -Fq "roof: $peak ops/s" "$T/roof.svg"; then ok "model --plot: the roof is the run's peak ops/s ($peak)"
    else not_ok "model --plot: the roof is the run's peak ops/s ($peak)" "$(grep -o '<text>[^<]*roof[^<]*</text>' "$T/roof.svg")"; fi
    # the same run twice: the same bytes
    "$TPUSIM" model "$W" --no-data -c configs/tpu-v1.yaml --plot "$T/roof2.svg" >/dev/null 2>&1
    if cmp -s "$T/roof.svg" "$T/roof2.svg"; then ok "model --plot: deterministic bytes"
    else not_ok "model --plot: deterministic bytes"; fi
    if "$TPUSIM" model "$W" -c configs/gpu-a100.yaml --plot "$T/g.svg" >/dev/null 2>"$T/err" && svg_text "$T/g.svg" GPU \
       && [ "$(svg_points "$T/g.svg")" -eq $((5 + 1 + 2)) ]; then
        ok "model --plot on a GPU config: the GPU series, one point per layer"
    else
        not_ok "model --plot on a GPU config" "$(cat "$T/err")"
    fi
    # --plot -: stdout carries the SVG alone
    if "$TPUSIM" model "$W" --no-data -c configs/tpu-v1.yaml --plot - >"$T/std.svg" 2>"$T/err" && cmp -s "$T/std.svg" "$T/roof.svg"; then
        ok "model --plot -: the same SVG on stdout, alone"
    else
        not_ok "model --plot -: the same SVG on stdout, alone" "$(cat "$T/err"; head -c 300 "$T/std.svg")"
    fi
else
    ok "model --plot (skipped: gnuplot is not installed; make installs it when root)"
fi
# without gnuplot on PATH: the other outputs, then one line and a non-zero exit
mkdir -p "$T/nogp"
PATH="$T/nogp" "$TPUSIM" model "$W" --no-data --json "$T/j.json" --plot "$T/none.svg" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$(cat "$T/err")" = "tpusim: --plot: gnuplot not found; install it with: sudo apt-get install gnuplot-nox" ] \
   && grep -q '"command": "model"' "$T/j.json" && grep -q '^model ' "$T/out" && [ ! -e "$T/none.svg" ]; then
    ok "model --plot without gnuplot: the JSON and the report written, then one line, exit $rc"
else
    not_ok "model --plot without gnuplot (exit $rc)" "$(cat "$T/err")"
fi
PATH="$T/nogp" "$TPUSIM" model "$W" -c configs/gpu-a100.yaml --plot "$T/none.svg" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$(cat "$T/err")" = "tpusim: --plot: gnuplot not found; install it with: sudo apt-get install gnuplot-nox" ] \
   && grep -q '^model ' "$T/out"; then
    ok "model --plot on a GPU config without gnuplot: the report, then one line"
else
    not_ok "model --plot on a GPU config without gnuplot (exit $rc)" "$(cat "$T/err")"
fi
expect_fail "model --plot twice is refused" "^tpusim: --plot $T/b.svg: already given \('$T/a.svg'\); give it once$" \
    "$TPUSIM" model "$W" --plot "$T/a.svg" --plot "$T/b.svg"
expect_fail "model --plot and --json on one file are refused" "^tpusim: .*(--plot|--json).*" \
    "$TPUSIM" model "$W" --no-data --plot "$T/same" --json "$T/same"
expect_fail "model --plot into a missing directory is refused before the run" "^tpusim: --plot $T/no/such/r.svg: " \
    "$TPUSIM" model "$W" --no-data --plot "$T/no/such/r.svg"
expect_fail "model --plot without a value" "^tpusim: --plot needs a value$" "$TPUSIM" model "$W" --plot
