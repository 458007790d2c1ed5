#!/bin/sh
# make check-all: the HTML report (--html FILE, docs/html.md) in a real browser, headless Chromium
# with no network (every host name resolves to nothing). Usage: tests/check_html.sh [TPUSIM]
#   1. the animated array: for ws, os and is on a 4x4 array, page.html#step=N steps the animation
#      N cycles on load; every PE's displayed registers (the data-a, data-av, data-w, data-ws,
#      data-psum, data-pv attributes of its cell) must equal the per-PE engine's registers at
#      cycle N, read independently from the VCD that `tpusim mxu ... --engine pe --vcd` writes of
#      the same run (parsed here with awk)
#   2. a screenshot of the page is not blank (its PNG is several times a blank page's)
#   3. the timeline of a hand-written trace (tests/data/html_trace.json, through the test tool
#      html_page): its tracks, and what the hover names (#probe=TRACK,TIME); the summary view
#      past the size limit (#max_events=N); a 10^5-event trace is drawn (its time is printed,
#      not checked: speed is not a test)
#   4. the pages of gemm, model and compare load without a script error and show the --json
#      document's cycles
# Chromium is installed with apt-get when root (Debian package chromium), else the check fails
# with the exact command. Prints "N passed, N failed" last.
TPUSIM=${1:-./build/release/tpusim}
case "$TPUSIM" in /*) ;; *) TPUSIM="$PWD/$TPUSIM" ;; esac
HTML_PAGE=${HTML_PAGE:-$(dirname "$TPUSIM")/tests/html_page}
. "$(dirname "$0")/checks.sh"
checks_begin html
ROOT=$(cd "$(dirname "$0")/.." && pwd)

. "$(dirname "$0")/html_lib.sh"
html_find_chrome
if [ -z "$CHROME" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing missing check dependency: chromium"
        (DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 ||
         (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1))
        CHROME=$(command -v chromium)
    fi
fi
if [ -z "$CHROME" ]; then
    not_ok "chromium is missing; run: sudo apt-get install chromium"
    checks_end
    exit 1
fi
# chrome, dom, dom_attr: tests/html_lib.sh

# ---- 1. the array against the VCD -------------------------------------------------------------
# vcd_regs FILE N: "r,c a av w ws psum pv" of every PE after cycle N (the values set at the rise
# of cycle N, the cycle counter's change to N, and every earlier change)
vcd_regs() {
    awk -v N="$2" '
    function bin(s, w,   v, i) {
        v = 0
        for (i = 1; i <= length(s); i++) v = v * 2 + (substr(s, i, 1) == "1")
        if (w == 8 && v >= 128) v -= 256
        if (w == 32 && v >= 2147483648) v -= 4294967296
        return v
    }
    /^\$scope module/ { scope[++depth] = $3; next }
    /^\$upscope/ { depth--; next }
    /^\$var/ {
        nm = depth >= 2 ? scope[depth] "/" $5 : $5
        name[$4] = nm; width[$4] = $3
        if (depth >= 2) pe[scope[depth]] = 1
        next
    }
    /^\$enddefinitions/ { defs = 1; next }
    !defs { next }
    /^#/ { t = substr($0, 2) + 0; if (target != "" && t > target) exit; next }
    /^\$/ { next }
    {
        c = substr($0, 1, 1)
        if (c == "b" || c == "r") { v = substr($1, 2); id = $2 } else { v = c; id = substr($0, 2) }
        if (!(id in name)) next
        if (c == "b") v = bin(v, width[id])
        val[name[id]] = v
        if (name[id] == "cycle" && v == N) target = t
    }
    function get(p, a, b) { return (p "/" a) in val ? val[p "/" a] : (p "/" b) in val ? val[p "/" b] : "" }
    END {
        for (p in pe) {
            split(p, q, "_")
            print q[2] "," q[3], get(p, "a", "a"), get(p, "a_valid", "a_valid"), get(p, "w", "b"),
                  get(p, "w_shadow", "w_shadow"), get(p, "psum", "acc"), get(p, "psum_valid", "acc_valid")
        }
    }' "$1" | sort
}
# dom_regs: the same from the page's PE cells in $T/dom
dom_regs() {
    grep -o '<div [^>]*data-pe="[^"]*"[^>]*>' "$T/dom" | awk '
    function attr(s, k) { return match(s, " " k "=\"[^\"]*\"") ? substr(s, RSTART + length(k) + 3, RLENGTH - length(k) - 4) : "" }
    { print attr($0, "data-pe"), attr($0, "data-a"), attr($0, "data-av"), attr($0, "data-w"), attr($0, "data-ws"),
            attr($0, "data-psum"), attr($0, "data-pv") }' | sort
}
for df in ws os is; do
    page=$T/arr-$df.html
    if ! "$TPUSIM" mxu 6 5 7 -c "$ROOT/configs/teach-4x4.yaml" --dataflow $df --engine pe --seed 3 \
            --vcd "$T/arr-$df.vcd" --html "$page" --json "$T/arr-$df.json" >/dev/null 2>"$T/err"; then
        not_ok "array $df: tpusim mxu --html --vcd" "$(cat "$T/err")"
        continue
    fi
    cycles=$(sed -n 's/^ *"cycles": \([0-9]*\),$/\1/p' "$T/arr-$df.json" | head -1)
    for n in 1 5 $((cycles / 2)) $((cycles - 1)); do
        if ! dom "$page#step=$n"; then not_ok "array $df step $n: chromium --dump-dom"; continue; fi
        shown=$(grep -o 'id="pe-grid"[^>]*' "$T/dom" | sed -n 's/.*data-cycle="\([0-9]*\)".*/\1/p')
        dom_regs >"$T/got"
        vcd_regs "$T/arr-$df.vcd" "$n" >"$T/want"
        if [ "$shown" != "$n" ]; then not_ok "array $df step $n: the page shows cycle '$shown'"
        elif [ "$(wc -l <"$T/got")" -ne 16 ]; then not_ok "array $df step $n: $(wc -l <"$T/got") PE cells, expected 16" "$(head "$T/got")"
        elif ! diff "$T/want" "$T/got" >"$T/diff"; then not_ok "array $df step $n: the page's registers differ from the VCD's (< VCD, > page)" "$(cat "$T/diff")"
        else ok "array $df step $n: 16 PEs' a, w, shadow, psum and valid bits equal the VCD's at cycle $n"; fi
    done
    # the labels name the GEMM's elements: at the middle cycle some PE holds an a[i][k] or
    # b[k][j] and a partial sum c[i][j] with its count of k terms
    dom "$page#step=$((cycles / 2))"
    if grep -q '>[ab]\[[0-9]*\]\[[0-9]*\]<' "$T/dom" && grep -q '>c\[[0-9]*\]\[[0-9]*\] ([0-9]*k)<' "$T/dom"; then
        ok "array $df: labels a[i][k]/b[k][j] and c[i][j] (n k terms)"
    else not_ok "array $df: no element labels at cycle $((cycles / 2))"; fi
done

# ---- 2. the screenshot ---------------------------------------------------------------------
printf '<!DOCTYPE html><html><body></body></html>\n' >"$T/blank.html"
(cd "$T" && chrome --window-size=1200,1600 --screenshot="$T/blank.png" "file://$T/blank.html" >/dev/null)
(cd "$T" && chrome --window-size=1200,1600 --screenshot="$T/page.png" "file://$T/arr-ws.html#step=9" >/dev/null)
bsz=$(wc -c <"$T/blank.png" 2>/dev/null || echo 0)
psz=$(wc -c <"$T/page.png" 2>/dev/null || echo 0)
if [ "$(head -c 8 "$T/page.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
    not_ok "screenshot: not a PNG"
elif [ "$bsz" -gt 0 ] && [ "$psz" -gt $((bsz * 5)) ]; then
    ok "screenshot: $psz bytes, a blank page's is $bsz"
else not_ok "screenshot: $psz bytes, a blank page's is $bsz: the page looks blank"; fi

# ---- 3. the timeline ---------------------------------------------------------------------------
"$HTML_PAGE" "$T/arr-ws.json" "$ROOT/tests/data/html_trace.json" "$T/tl.html" || not_ok "html_page: could not write the page"
if dom "$T/tl.html#probe=1,30"; then
    st=$(dom_attr 'id="timeline-body"' data-state)
    ev=$(dom_attr 'id="timeline-body"' data-events)
    tr=$(dom_attr 'id="timeline-body"' data-tracks)
    # the fixture: 7 "X" events on 4 threads; its thread and process names, in pid/tid order
    want_tracks="core0 / dma0 2|core0 / mxu0 2|core0 / vpu 1|dram / ch0 2"
    got_tracks=$(grep -o 'data-track="[^"]*" data-track-events="[0-9]*"' "$T/dom" |
                 sed 's/data-track="\([^"]*\)" data-track-events="\([0-9]*\)"/\1 \2/' | paste -sd '|')
    probe=$(dom_attr 'data-probe=' data-probe)
    if [ "$st" = drawn ] && [ "$ev" = 7 ] && [ "$tr" = 4 ]; then ok "timeline: 7 events on 4 tracks drawn"
    else not_ok "timeline: state '$st', $ev events, $tr tracks (expected drawn, 7, 4)"; fi
    if [ "$got_tracks" = "$want_tracks" ]; then ok "timeline: the tracks named by the trace's metadata, with their event counts"
    else not_ok "timeline: tracks '$got_tracks', expected '$want_tracks'"; fi
    case $probe in
    "matmul  (core0 / mxu0) | ts 20, dur 40 us | instruction: matmul acc[0], ub[0], wbuf[0] | operands: 32x32x32 | cause: busy")
        ok "timeline: the hover at mxu0, t=30 names the instruction, its operands and its cause" ;;
    *) not_ok "timeline: the hover at mxu0, t=30 shows '$probe'" ;;
    esac
else not_ok "timeline: chromium --dump-dom"; fi
if dom "$T/tl.html#probe=0,11"; then
    probe=$(dom_attr 'data-probe=' data-probe)
    if [ -z "$probe" ] && grep -q 'data-probe=""' "$T/dom"; then ok "timeline: the hover in dma0's gap (t=11) names nothing"
    else not_ok "timeline: the hover in dma0's gap shows '$probe'"; fi
fi
if dom "$T/tl.html#max_events=5"; then
    st=$(dom_attr 'id="timeline-body"' data-state)
    if [ "$st" = summary ] && grep -q 'The trace has 7 events, more than the 5 this page draws' "$T/dom"; then
        ok "timeline: past the limit the page says so and shows per-track totals"
    else not_ok "timeline: past the limit: state '$st'"; fi
fi
# an mxu page draws the MXU's timeline: a weight shift, a stream and a drain per fold (as many
# "X" events as its data object holds)
if dom "$T/arr-ws.html"; then
    st=$(dom_attr 'id="timeline-body"' data-state)
    ev=$(dom_attr 'id="timeline-body"' data-events)
    want=$(grep -c '^{"ph":"X"' "$T/arr-ws.html")
    if [ "$st" = drawn ] && [ "$ev" = "$want" ] && [ "$want" -gt 0 ]; then ok "timeline: the mxu page draws its folds' $want slices"
    else not_ok "timeline: the mxu page: state '$st', events '$ev' of $want"; fi
fi
"$HTML_PAGE" "$T/arr-ws.json" - "$T/none.html" || not_ok "html_page: could not write a page without a trace"
if dom "$T/none.html"; then
    if grep -q 'id="timeline-body" data-state="none"><div class="note">no timeline recorded<' "$T/dom"; then
        ok "timeline: a page without a trace says no timeline was recorded"
    else not_ok "timeline: a page without a trace: $(grep -o 'id="timeline-body"[^>]*>.\{0,80\}' "$T/dom")"; fi
fi
# 10^5 events (make bench reports the time it takes: tests/bench.sh)
html_big_trace "$T/big.json"
"$HTML_PAGE" "$T/arr-ws.json" "$T/big.json" "$T/big.html"
if dom "$T/big.html"; then
    st=$(dom_attr 'id="timeline-body"' data-state)
    ev=$(dom_attr 'id="timeline-body"' data-events)
    ms=$(dom_attr 'data-render-ms=' data-render-ms)
    if [ "$st" = drawn ] && [ "$ev" = 100000 ]; then ok "timeline: a 10^5-event trace is drawn (the page took $ms ms from its script's start; make bench reports it against its 1 s target)"
    else not_ok "timeline: 10^5 events: state '$st', events '$ev'"; fi
fi

# ---- 4. the other commands' pages --------------------------------------------------------------
check_page() {   # NAME PAGE JSON SIDE: loads without a script error, shows the JSON's cycles
    if ! dom "$2"; then not_ok "$1: chromium --dump-dom"; return; fi
    want=$(awk -v side="\"$4\": {" 'index($0, side) == 3 { in_side = 1 } in_side && /^    "cycles": / { gsub(/[^0-9]/, ""); print; exit }' "$3")
    got=$(grep -o "<table class=\"figs\" data-side=\"$(echo "$4" | tr a-z A-Z)\".*" "$T/dom" | grep -o 'data-figure="cycles" data-value="[0-9]*"' | head -1 | sed 's/.*data-value="\([0-9]*\)"/\1/')
    if grep -q 'data-error=' "$T/dom"; then not_ok "$1: script error: $(dom_attr 'data-error=' data-error)"
    elif ! grep -q 'data-ready="1"' "$T/dom"; then not_ok "$1: the page did not finish drawing"
    elif [ -z "$want" ] || [ "$got" != "$want" ]; then not_ok "$1: the page shows $4 cycles '$got', the JSON says '$want'"
    else ok "$1: drawn, $4 cycles $got as in the --json document"; fi
}
"$TPUSIM" gemm 48 40 36 -c "$ROOT/configs/teach-4x4.yaml" --html "$T/gemm.html" --json "$T/gemm.json" >/dev/null &&
    check_page "gemm page" "$T/gemm.html" "$T/gemm.json" tpu
"$TPUSIM" gemm 256 256 256 -c "$ROOT/configs/gpu-t4.yaml" --html "$T/ggemm.html" --json "$T/ggemm.json" >/dev/null &&
    check_page "gemm page (GPU)" "$T/ggemm.html" "$T/ggemm.json" gpu
"$TPUSIM" compare 128 128 128 -g "$ROOT/configs/gpu-t4.yaml" --html "$T/cmp.html" --json "$T/cmp.json" >/dev/null &&
    { check_page "compare page, TPU side" "$T/cmp.html" "$T/cmp.json" tpu; check_page "compare page, GPU side" "$T/cmp.html" "$T/cmp.json" gpu; }
# gemm --engine pe: core 0's MXU 0 of the whole machine animated (op-local labels, no script error)
if "$TPUSIM" gemm 8 8 8 -c "$ROOT/configs/teach-4x4.yaml" --engine pe --tile 8x4x8 --html "$T/gpe.html" --json "$T/gpe.json" >/dev/null &&
        dom "$T/gpe.html#step=60"; then
    st=$(dom_attr 'id="array-body"' data-state)
    cells=$(grep -o 'data-pe="' "$T/dom" | wc -l)
    if [ "$st" = drawn ] && [ "$cells" -eq 16 ] && ! grep -q 'data-error=' "$T/dom" && grep -q 'data-cycle="60"' "$T/dom"; then
        ok "gemm --engine pe page: the machine's MXU animated (16 PEs, cycle 60)"
    else not_ok "gemm --engine pe page: array state '$st', $cells cells"; fi
else not_ok "gemm --engine pe --html"; fi
if "$TPUSIM" model "$ROOT/kernels/workloads/tpuv1-mlp0.yaml" --no-data --html "$T/model.html" --json "$T/model.json" >/dev/null; then
    check_page "model page" "$T/model.html" "$T/model.json" tpu
    # one point per layer and the whole run's
    layers=$(grep -c '"cycles_per_run"' "$T/model.json")
    points=$(grep -o 'data-point="' "$T/dom" | wc -l)
    if [ "$points" -eq $((layers + 1)) ]; then ok "model page: the roofline has the run's point and one per layer ($layers)"
    else not_ok "model page: $points roofline points for $layers layers"; fi
else not_ok "model --html: failed"; fi
checks_end
