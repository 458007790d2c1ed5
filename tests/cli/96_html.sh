# --html FILE (docs/html.md) without a browser (tests/check_html.sh, run by make check-all, loads
# the pages in headless Chromium): the page is self-contained (no URL, no external src/href, no
# stylesheet link), its embedded data object is strict JSON of the documented shape
# (tests/data/html_data.schema.json, checked with tests/tools/json_validate), the report it embeds
# is the --json document byte for byte, and the path is checked before the run like every output.
HTML_SCHEMA="$(dirname "$0")/data/html_data.schema.json"
TEACH="$(dirname "$0")/../configs/teach-4x4.yaml"
# html_data PAGE: the embedded data object (the lines between the data script's tags)
html_data() {
    awk '/^<script type="application\/json" id="tpusim-data">$/ { on = 1; next } on && /^<\/script>$/ { exit } on' "$1"
}
# html_report PAGE: the report inside it (between the line "report": and the line ",")
html_report() {
    awk '/^"report":$/ { on = 1; next } on && /^,$/ { exit } on' "$1"
}
# html_checks NAME PAGE JSON: self-contained, valid data, report = the --json document
html_checks() {
    n=$1; page=$2; json=$3
    if [ ! -s "$page" ]; then not_ok "$n: no page written"; return; fi
    if grep -Eq 'https?://' "$page"; then not_ok "$n: the page has a URL" "$(grep -Eo '.{20}https?://.{20}' "$page" | head -3)"
    elif grep -Eiq '<[a-z]+[^>]* (src|href)=' "$page" || grep -Eiq '<link|@import|url\(' "$page"; then
        not_ok "$n: the page loads something from outside" "$(grep -Eio '<[a-z]+[^>]* (src|href)=.{0,30}|<link.{0,30}|@import.{0,30}|url\(.{0,30}' "$page" | head -3)"
    else ok "$n: self-contained (no URL, no src/href, no link or import)"; fi
    html_data "$page" >"$T/html-data.json"
    if "$JSON_VALIDATE" "$HTML_SCHEMA" "$T/html-data.json" 2>"$T/jv-err"; then ok "$n: the embedded data is strict JSON of the documented shape"
    else not_ok "$n: the embedded data" "$(cat "$T/jv-err")"; fi
    html_report "$page" >"$T/html-report.json"
    if cmp -s "$json" "$T/html-report.json"; then ok "$n: the page's report is the --json document byte for byte"
    else not_ok "$n: the page's report differs from --json" "$(diff "$json" "$T/html-report.json" | head -10)"; fi
}

expect_ok "html: mxu --engine pe --html --json --vcd" "$TPUSIM" mxu 6 5 7 -c "$TEACH" --engine pe --html "$T/mxu.html" \
    --json "$T/mxu.json" --vcd "$T/mxu.vcd"
html_checks "html mxu" "$T/mxu.html" "$T/mxu.json"
# the animated array's data: the 4x4 array, one fold per K-tile x N-tile (ws: ceil(7/4) x ceil(5/4)
# = 4), one frame per simulated cycle: as many as the VCD's cycle counter takes values the engine
# simulated (every cycle here: the folds are back to back), registers of 16 PEs per frame
html_data "$T/mxu.html" >"$T/d.json"
folds=$(grep -c '"shift_start"' "$T/d.json")
frames=$(grep -c '^{"x":' "$T/d.json")
cycles=$(sed -n 's/^ *"cycles": \([0-9]*\),$/\1/p' "$T/mxu.json" | head -1)
if [ "$folds" = 4 ] && grep -q '"rows":4,"cols":4,"dataflow":"ws"' "$T/d.json"; then ok "html mxu: 4 folds of a 4x4 ws array"
else not_ok "html mxu: $folds folds" "$(head -c 300 "$T/d.json")"; fi
if [ -n "$cycles" ] && [ "$frames" -gt 0 ] && [ "$frames" -le "$cycles" ] && grep -q "\"cycles\":$cycles," "$T/d.json"; then
    ok "html mxu: $frames frames of the run's $cycles cycles"
else not_ok "html mxu: $frames frames, report cycles '$cycles'"; fi

# the MXU's timeline: per fold a weight shift, an operand stream and a drain slice. ws streams one
# row of A per cycle, so each of the 4 folds' streams lasts M = 6 cycles, all of them busy
# (6 x 4 = 24 = M x folds); the last drain ends at the run's last cycle (the report's cycles)
tl=$(grep '^{"ph":"X"' "$T/d.json" | awk -v c="$cycles" '
    /"name":"stream"/ { n++; s = $0; sub(/.*"start_cycle":/, "", s); e = s; sub(/,.*/, "", s)
                        sub(/.*"end_cycle":/, "", e); sub(/,.*/, "", e); if (e - s != 6) bad++
                        b = $0; sub(/.*"busy":/, "", b); sub(/[,}].*/, "", b); busy += b }
    /"name":"drain"/ { e = $0; sub(/.*"end_cycle":/, "", e); sub(/,.*/, "", e); if (e + 0 > last) last = e + 0 }
    END { print n, bad + 0, busy, (last == c) }')
if [ "$tl" = "4 0 24 1" ]; then ok "html mxu: the timeline has each fold's 6-cycle stream (24 busy cycles), the last drain ends at cycle $cycles"
else not_ok "html mxu: timeline streams/bad/busy/last-drain-at-end: $tl" "$(grep '^{"ph":"X"' "$T/d.json" | head -5)"; fi

expect_ok "html: mxu --engine fast --html" "$TPUSIM" mxu 6 5 7 -c "$TEACH" --html "$T/fast.html" --json "$T/fast.json"
html_checks "html mxu fast" "$T/fast.html" "$T/fast.json"
if html_data "$T/fast.html" | grep -q '^"array":{"omitted":"the registers are recorded by the per-PE engine: run with --engine pe"}'; then
    ok "html mxu fast: the page says the array needs --engine pe"
else not_ok "html mxu fast: array" "$(html_data "$T/fast.html" | grep '^"array"' | head -c 200)"; fi
# past the limits: a 32x32 array; a run of more than 2000 cycles
"$TPUSIM" mxu 8 8 8 --engine pe --html "$T/big.html" >/dev/null 2>&1
if html_data "$T/big.html" | grep -q '"omitted":"the array is 32x32; the page animates arrays up to 16x16"'; then
    ok "html mxu: a 32x32 array is not animated, and the page says why"
else not_ok "html mxu: a 32x32 array" "$(html_data "$T/big.html" | grep '^"array"' | head -c 200)"; fi
"$TPUSIM" mxu 64 64 64 -c "$TEACH" --engine pe --html "$T/long.html" >/dev/null 2>&1
if html_data "$T/long.html" | grep -q '"omitted":"the run takes more than 2000 cycles; the page animates runs up to 2000 cycles"'; then
    ok "html mxu: a run past 2000 cycles is not animated, and the page says why"
else not_ok "html mxu: a long run" "$(html_data "$T/long.html" | grep '^"array"' | head -c 200)"; fi

# the other commands: their pages embed their --json documents
expect_ok "html: gemm --html" "$TPUSIM" gemm 48 40 36 -c "$TEACH" --html "$T/gemm.html" --json "$T/gemm.json"
html_checks "html gemm" "$T/gemm.html" "$T/gemm.json"
expect_ok "html: gemm on a GPU --html" "$TPUSIM" gemm 256 256 256 -c "$(dirname "$0")/../configs/gpu-t4.yaml" --html "$T/ggemm.html" --json "$T/ggemm.json"
html_checks "html gemm gpu" "$T/ggemm.html" "$T/ggemm.json"
expect_ok "html: run --html" "$TPUSIM" run "$(dirname "$0")/../kernels/gemm_single.tpu" --html "$T/run.html" --json "$T/run.json"
html_checks "html run" "$T/run.html" "$T/run.json"
expect_ok "html: model --html" "$TPUSIM" model "$(dirname "$0")/../kernels/workloads/tpuv1-mlp0.yaml" --no-data --html "$T/model.html" --json "$T/model.json"
html_checks "html model" "$T/model.html" "$T/model.json"
expect_ok "html: model on a GPU --html" "$TPUSIM" model "$(dirname "$0")/../kernels/workloads/tpuv1-mlp0.yaml" -c "$(dirname "$0")/../configs/gpu-t4.yaml" --html "$T/gmodel.html" --json "$T/gmodel.json"
html_checks "html model gpu" "$T/gmodel.html" "$T/gmodel.json"
expect_ok "html: compare --html" "$TPUSIM" compare 128 128 128 -g "$(dirname "$0")/../configs/gpu-t4.yaml" --html "$T/cmp.html" --json "$T/cmp.json"
html_checks "html compare" "$T/cmp.html" "$T/cmp.json"
# gemm and run with --engine pe record core 0's MXU 0 of the whole machine: one fold per matmul op
# (gemm 8 8 8 on the 4x4 array, tile 8x4x8: two N-tiles x two K-steps of 4 = 4 ops); recording
# changes nothing of the run (the same --json document as without --html)
expect_ok "html: gemm --engine pe --html" "$TPUSIM" gemm 8 8 8 -c "$TEACH" --engine pe --tile 8x4x8 --html "$T/gpe.html" --json "$T/gpe.json"
html_checks "html gemm pe" "$T/gpe.html" "$T/gpe.json"
html_data "$T/gpe.html" >"$T/d.json"
if [ "$(grep -c '"shift_start"' "$T/d.json")" = 4 ] && grep -q '^"A":null,$' "$T/d.json" && [ "$(grep -c '^{"x":' "$T/d.json")" -gt 0 ]; then
    ok "html gemm pe: the machine's 4 matmul ops recorded, frames, no inputs (A, B null)"
else not_ok "html gemm pe: array" "$(grep -c '"shift_start"' "$T/d.json") folds; $(head -c 300 "$T/d.json")"; fi
"$TPUSIM" gemm 8 8 8 -c "$TEACH" --engine pe --tile 8x4x8 --json "$T/gpe0.json" >/dev/null 2>&1
if cmp -s "$T/gpe0.json" "$T/gpe.json"; then ok "html gemm pe: recording the array changes nothing of the report"
else not_ok "html gemm pe: the report with --html differs" "$(diff "$T/gpe0.json" "$T/gpe.json" | head)"; fi
"$TPUSIM" gemm 8 8 8 -c "$TEACH" --tile 8x4x8 --no-data --emit "$T/p8.tpu" >/dev/null 2>&1
expect_ok "html: run --engine pe --html" "$TPUSIM" run "$T/p8.tpu" -c "$TEACH" --engine pe --html "$T/rpe.html" --json "$T/rpe.json"
html_checks "html run pe" "$T/rpe.html" "$T/rpe.json"
if html_data "$T/rpe.html" | grep -q '^"array":{"rows":4,"cols":4,'; then ok "html run pe: the array is recorded"
else not_ok "html run pe: array" "$(html_data "$T/rpe.html" | grep '^"array"' | head -c 200)"; fi
if html_data "$T/gemm.html" | grep -q '^"array":{"omitted":"the registers are recorded by the per-PE engine: run with --engine pe'; then
    ok "html gemm fast: the page says the array needs --engine pe"
else not_ok "html gemm fast: array" "$(html_data "$T/gemm.html" | grep '^"array"' | head -c 200)"; fi
# without --json the page still carries the document: the same bytes as a run with --json
expect_ok "html: gemm --html alone" "$TPUSIM" gemm 48 40 36 -c "$TEACH" --html "$T/gemm2.html"
html_report "$T/gemm2.html" >"$T/gemm2.json"
if cmp -s "$T/gemm.json" "$T/gemm2.json"; then ok "html gemm: without --json the page embeds the same document"
else not_ok "html gemm: without --json" "$(diff "$T/gemm.json" "$T/gemm2.json" | head)"; fi
# the command line is on the page; "</script" in the data cannot close the script element
mkdir -p "$T/d</script>x"
cp "$(dirname "$0")/../kernels/gemm_single.tpu" "$T/d</script>x/p.tpu"
expect_ok "html: run of a program whose path holds </script>" "$TPUSIM" run "$T/d</script>x/p.tpu" --html "$T/esc.html"
if [ "$(grep -o '</script>' "$T/esc.html" | wc -l)" -eq 2 ] && grep -q 'd<\\/script>x' "$T/esc.html"; then
    ok "html: '</script' in the data is written '<\\/script'"
else not_ok "html: escaping" "$(grep -o '.\{20\}script>.\{10\}' "$T/esc.html" | head -5)"; fi
html_data "$T/esc.html" >"$T/esc.json"
if "$JSON_VALIDATE" "$HTML_SCHEMA" "$T/esc.json" 2>"$T/jv-err" && grep -q '"run","[^"]*d\\u003c/script\\u003ex/p.tpu","--html"' "$T/esc.json"; then
    ok "html: the command line is in the data, '<' and '>' escaped"
else not_ok "html: the command line" "$(cat "$T/jv-err"; grep '^{"command"' "$T/esc.json")"; fi

# like every output: checked before the run, refused on stdout, given once, never torn
expect_fail "html: --html - is refused" '^tpusim: --html -: the page is written to a file, not to stdout \(give a file name\)$' \
    "$TPUSIM" mxu 4 4 4 --html -
expect_fail "html: --html - is refused (gemm)" '^tpusim: --html -: the page is written to a file' "$TPUSIM" gemm 8 8 8 --html -
expect_fail "html: a missing directory, before the run" '^tpusim: --html /nonexistent-dir/p.html: ' \
    "$TPUSIM" mxu 4 4 4 --json "$T/never.json" --html /nonexistent-dir/p.html
if [ -e "$T/never.json" ]; then not_ok "html: the run went ahead despite the bad --html path"; else ok "html: nothing written when --html is bad"; fi
expect_fail "html: --html given twice" "^tpusim: --html $T/b.html: already given \\('$T/a.html'\\); give it once$" \
    "$TPUSIM" run "$(dirname "$0")/../kernels/gemm_single.tpu" --html "$T/a.html" --html "$T/b.html"
expect_fail "html: --html and --json name one file" '^tpusim: --(json|html) .*same' \
    "$TPUSIM" compare 64 64 64 -g "$(dirname "$0")/../configs/gpu-t4.yaml" --json "$T/same.out" --html "$T/same.out"
expect_fail "html: --html needs a value" '^tpusim: --html needs a value$' "$TPUSIM" model "$(dirname "$0")/../kernels/workloads/tpuv1-mlp0.yaml" --html
if ls -a "$T" | grep -q '\.tmp-'; then not_ok "html: a temporary file was left behind" "$(ls -a "$T")"; else ok "html: no temporary left behind"; fi
