#!/bin/sh
# make bench: the speed of tpusim against its targets. Prints ratios and writes them as JSON
# (build/bench/bench.json); never a timed test. Usage: sh tests/bench.sh [TPUSIM [SGEMM]]
#  1. timing only (issue 13's targets): `gemm N N N` int8 on a 32x32 ws array, no data: 1024^3
#     in at most 3 ms (SCALE-Sim v2 took 415 s for the same GEMM on the same array: over
#     100,000x), 4096^3 in at most 20 ms and 30 MB peak RSS, 16384^3 in at most 200 ms (printed
#     as refused while the tiler refuses it); `model` of BERT-base (seq 128) and of a Llama-7B
#     prefill layer (seq 2048) on tpu-v4-core, no data, at most 50 ms each; the 1000-point
#     BERT-layer sweep (kernels/sweeps/bert-layer-1000.yaml) with -j 2 in at most 10 s (one
#     run: minutes today; BENCH_SWEEP=0 leaves it out).
#  2. numerics (issue 13): `gemm N N N -c configs/tpu-v4-core.yaml --dtype bf16 --no-check`
#     within 1.5x of a whole-process OpenBLAS sgemm of the same size (tests/bench/sgemm.c: one
#     process that allocates and fills A, B, C and makes one cblas_sgemm call; `make bench`
#     builds it), at 1024^3 and 4096^3; a checked 4096^3 run (the reference, work/ref.c) at most
#     2x an unchecked one; int8 at least as fast per MAC as bf16 (4096^3, both unchecked).
#  3. the per-PE engine's PE-cycles per second (rows x cols x cycles / wall seconds, whole
#     process) at 16x16, 128x128 and 256x256 (it must not fall; about 5e8 at 128x128 in 2026-11).
#  4. the GPU model: gemm 8192^3 on gpu-h100 (timing only).
#  5. the tiling search of three large GEMMs: target 1 s each.
#  6. the HTML report (issue 15): a page with a 10^5-event timeline opens in under a second in
#     headless Chromium: the time its script takes from its start to the drawn page (the
#     page's data-render-ms, docs/html.md), target 1000 ms; skipped without chromium or the
#     test tool build/release/tests/html_page (make test builds it).
# Every time is a whole process, spawn to exit. Ratios are formed from runs made in turn (A,
# B, A, B, ...) so that both sides see the same load on a shared machine: the ratio printed
# is best(A) / best(B), and "spread" gives the lowest and highest ratio of the pairs.
# BENCH_RUNS (default 5) runs per figure, BENCH_RUNS_BIG (default 3) for the 4096^3 and
# 8192^3 ones. BENCH_JSON overrides the output file.
TPUSIM=${1:-build/release/tpusim}
SGEMM=${2:-build/bench/sgemm}
[ -x "$TPUSIM" ] || { echo "bench: $TPUSIM not built (run make)" >&2; exit 2; }
B=$(mktemp -d /tmp/tpusim-bench-XXXXXX)
trap 'rm -rf "$B"' EXIT
RUNS=${BENCH_RUNS:-5}
RUNS_BIG=${BENCH_RUNS_BIG:-3}
JSON=${BENCH_JSON:-build/bench/bench.json}
mkdir -p "$(dirname "$JSON")"
V4="-c configs/tpu-v4-core.yaml"
have_sgemm=0
if [ -x "$SGEMM" ]; then have_sgemm=1
else echo "bench: $SGEMM not built (OpenBLAS missing? install it with: sudo apt-get install libopenblas-dev); no sgemm ratios"
fi
: > "$B/json"   # one "key": value line per figure

# run_us CMD...: wall microseconds of one whole-process run (stdout dropped), or fails; its CPU
# microseconds (user + system, GNU time) go to $B/cpu_last and its peak RSS in KiB to
# $B/rss_last ("" without GNU time)
run_us() {
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%U %S %M" -o "$B/cpu_raw" "$@" >/dev/null 2>"$B/err" ||
            { echo "bench: failed: $*" >&2; cat "$B/err" >&2; return 1; }
    else
        "$@" >/dev/null 2>"$B/err" || { echo "bench: failed: $*" >&2; cat "$B/err" >&2; return 1; }
    fi
    t1=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        tail -n 1 "$B/cpu_raw" | awk '{ printf "%d\n", ($1 + $2) * 1e6 }' > "$B/cpu_last"
        tail -n 1 "$B/cpu_raw" | awk '{ print $3 }' > "$B/rss_last"
    else : > "$B/cpu_last"; : > "$B/rss_last"; fi
    echo $(( (t1 - t0) / 1000 ))
}
# stats FILE: "BEST MEDIAN MAX" of the numbers in FILE
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)], v[NR] }'; }

# best_of N CMD...: "BEST_US MEDIAN_US MAX_US BEST_CPU_US" of N runs (the lowest CPU time of
# the runs: for a single-threaded run, what the wall time would be on an idle machine; 0 when
# unknown); the runs' highest peak RSS (KiB) goes to $B/rss_max ("" when unknown)
best_of() {
    n=$1; shift
    : > "$B/t"; : > "$B/c"; : > "$B/m"
    for _ in $(seq "$n"); do
        run_us "$@" >> "$B/t" || return 1
        cat "$B/cpu_last" >> "$B/c"; cat "$B/rss_last" >> "$B/m"
    done
    sort -n "$B/m" | tail -n 1 > "$B/rss_max"
    echo "$(stats "$B/t") $(sort -n "$B/c" | head -n 1 | grep . || echo 0)"
}

# pair N "CMD A" "CMD B": A and B in turn N times (no argument has a space); prints
# "BEST_A BEST_B RATIO LOW HIGH MEDIAN_A MEDIAN_B": RATIO = BEST_A / BEST_B, LOW and HIGH the
# extreme per-pair ratios
pair() {
    n=$1; a=$2; b=$3
    : > "$B/ta"; : > "$B/tb"; : > "$B/tr"
    for _ in $(seq "$n"); do
        # shellcheck disable=SC2086
        ta=$(run_us $a) || return 1
        # shellcheck disable=SC2086
        tb=$(run_us $b) || return 1
        echo "$ta" >> "$B/ta"; echo "$tb" >> "$B/tb"
        awk -v x="$ta" -v y="$tb" 'BEGIN { printf "%.4f\n", x / y }' >> "$B/tr"
    done
    set -- $(stats "$B/ta") $(stats "$B/tb") $(stats "$B/tr")
    awk -v ba="$1" -v ma="$2" -v bb="$4" -v mb="$5" -v lo="$7" -v hi="$9" \
        'BEGIN { printf "%d %d %.4f %.4f %.4f %d %d\n", ba, bb, ba / bb, lo, hi, ma, mb }'
}

# verdict RATIO TARGET: "ok" when RATIO <= TARGET, else "MISSED"
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "ok" : "MISSED") }'; }
# json KEY VALUE...: one figure (an object of the name=value pairs given)
json() {
    k=$1; shift
    printf '    "%s": {' "$k" >> "$B/json"
    sep=""
    for kv in "$@"; do
        name=${kv%%=*}; val=${kv#*=}
        case "$val" in
            ''|*[!0-9.e+-]*) printf '%s"%s": "%s"' "$sep" "$name" "$val" >> "$B/json" ;;
            *) printf '%s"%s": %s' "$sep" "$name" "$val" >> "$B/json" ;;
        esac
        sep=", "
    done
    printf '}\n' >> "$B/json"
}

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
echo "tpusim bench: ${cpu:-unknown CPU}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null); TPUSIM_KERNEL=${TPUSIM_KERNEL:-auto}"
echo "  (whole-process times; ratios from runs made in turn; 'spread' = lowest..highest ratio of the pairs)"

# --- 1. timing only ------------------------------------------------------------------------
A32="-c configs/edge-8x8.yaml --set tpu.array.rows=32 --set tpu.array.cols=32 --dataflow ws --dtype int8 --no-data"
# timing_target KEY LABEL TARGET_MS RSS_TARGET_MB RUNS ARGS...: best of RUNS against the target
# (RSS_TARGET_MB 0: none); a run the tiler refuses for its size ("needs more than N
# instructions") is printed as refused (verdict "refused"); any other failure stops the bench
timing_target() {
    key=$1; label=$2; tms=$3; tmb=$4; r=$5; shift 5
    if ! out=$(best_of "$r" "$TPUSIM" "$@" 2>/dev/null); then
        msg=$(head -n 1 "$B/err")
        case "$msg" in *"needs more than"*) ;; *) echo "bench: failed: $TPUSIM $*" >&2; cat "$B/err" >&2; return 1 ;; esac
        printf '  timing only  %-38s: refused  target %s ms  MISSED  (%s)\n' "$label" "$tms" "$msg"
        json "$key" target_ms="$tms" verdict=refused message="$(printf '%s' "$msg" | tr -d '"\\')"
        return 0
    fi
    # shellcheck disable=SC2086
    set -- $out
    rss=$(cat "$B/rss_max")
    awk -v l="$label" -v t="$1" -v md="$2" -v c="$4" -v tms="$tms" -v rss="$rss" -v tmb="$tmb" 'BEGIN {
        ok = t / 1000 <= tms; m = ""
        if (rss != "") { m = sprintf(", peak RSS %.1f MB", rss * 1024 / 1e6)
                         if (tmb > 0) { m = m sprintf(" (target %d MB)", tmb); if (rss * 1024 / 1e6 > tmb) ok = 0 } }
        printf "  timing only  %-38s: %8.2f ms  target %g ms  ratio %.3f %s  (median %.2f ms; CPU %.2f ms%s)\n",
               l, t / 1000, tms, t / 1000 / tms, (ok ? "ok" : "MISSED"), md / 1000, c / 1000, m }'
    verd=$(awk -v t="$1" -v tms="$tms" -v rss="$rss" -v tmb="$tmb" \
           'BEGIN { print (t / 1000 <= tms && (tmb == 0 || rss == "" || rss * 1024 / 1e6 <= tmb) ? "ok" : "MISSED") }')
    json "$key" best_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" \
         median_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')" cpu_ms="$(awk -v t="$4" 'BEGIN { print t / 1000 }')" \
         peak_rss_mb="$(awk -v k="$rss" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')" \
         target_ms="$tms" target_rss_mb="$tmb" ratio="$(awk -v t="$1" -v tms="$tms" 'BEGIN { printf "%.4f", t / 1000 / tms }')" \
         verdict="$verd"
}
# shellcheck disable=SC2086
timing_target timing_only_1024_int8_32x32 "1024^3 int8, 32x32 ws, --no-data" 3 0 "$RUNS" gemm 1024 1024 1024 $A32 || exit 1
awk -v t="$(sed -n 's/.*"timing_only_1024_int8_32x32": {"best_ms": \([0-9.e+-]*\).*/\1/p' "$B/json")" \
    'BEGIN { if (t > 0) printf "               (SCALE-Sim v2 took 415 s for it: %.0fx faster)\n", 415e3 / t }'
# shellcheck disable=SC2086
timing_target timing_only_4096_int8_32x32 "4096^3 int8, 32x32 ws, --no-data" 20 30 "$RUNS_BIG" gemm 4096 4096 4096 $A32 || exit 1
# shellcheck disable=SC2086
timing_target timing_only_16384_int8_32x32 "16384^3 int8, 32x32 ws, --no-data" 200 0 1 gemm 16384 16384 16384 $A32 || exit 1
for w in bert-base-seq128 llama7b-prefill-seq2048; do
    # shellcheck disable=SC2086
    timing_target "model_$(echo "$w" | tr - _)" "model $w, tpu-v4-core" 50 0 "$RUNS_BIG" model "kernels/workloads/$w.yaml" $V4 --no-data || exit 1
done
if [ "${BENCH_SWEEP:-1}" != 0 ]; then
    timing_target sweep_bert_layer_1000_j2 "sweep bert-layer-1000 -j 2 (1000 points)" 10000 0 1 \
        sweep kernels/sweeps/bert-layer-1000.yaml -j 2 --csv "$B/sweep.csv" || exit 1
else
    echo "  timing only  sweep bert-layer-1000 -j 2: left out (BENCH_SWEEP=0)"
fi

# --- 2. numerics ---------------------------------------------------------------------------
num_vs_sgemm() {   # num_vs_sgemm N RUNS
    n=$1; r=$2
    if [ "$have_sgemm" = 1 ]; then
        set -- $(pair "$r" "$TPUSIM gemm $n $n $n $V4 --dtype bf16 --no-check" "$SGEMM $n") || return 1
        awk -v n="$n" -v a="$1" -v b="$2" -v q="$3" -v lo="$4" -v hi="$5" 'BEGIN {
            printf "  bf16 %d^3: %.2fx sgemm (target <= 1.5x) %s  tpusim %.1f ms, sgemm %.1f ms; spread %.2f..%.2f\n",
                   n, q, (q <= 1.5 ? "ok" : "MISSED"), a / 1000, b / 1000, lo, hi }'
        json "bf16_${n}_vs_sgemm" tpusim_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" \
             sgemm_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')" ratio="$3" ratio_low="$4" ratio_high="$5" \
             target=1.5 verdict="$(verdict "$3" 1.5)"
    else
        set -- $(best_of "$r" "$TPUSIM" gemm "$n" "$n" "$n" $V4 --dtype bf16 --no-check) || return 1
        awk -v n="$n" -v a="$1" 'BEGIN { printf "  bf16 %d^3: %.1f ms (no OpenBLAS: no ratio)\n", n, a / 1000 }'
        json "bf16_${n}" tpusim_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')"
    fi
}
num_vs_sgemm 1024 "$RUNS" || exit 1
num_vs_sgemm 4096 "$RUNS_BIG" || exit 1
set -- $(pair "$RUNS_BIG" "$TPUSIM gemm 4096 4096 4096 $V4 --dtype bf16" \
              "$TPUSIM gemm 4096 4096 4096 $V4 --dtype bf16 --no-check") || exit 1
awk -v a="$1" -v b="$2" -v q="$3" -v lo="$4" -v hi="$5" 'BEGIN {
    printf "  bf16 4096^3 checked: %.2fx unchecked (target <= 2x) %s  checked %.1f ms, unchecked %.1f ms; spread %.2f..%.2f\n",
           q, (q <= 2 ? "ok" : "MISSED"), a / 1000, b / 1000, lo, hi }'
json bf16_4096_checked_vs_unchecked checked_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" \
     unchecked_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')" ratio="$3" ratio_low="$4" ratio_high="$5" \
     target=2 verdict="$(verdict "$3" 2)"
set -- $(pair "$RUNS_BIG" "$TPUSIM gemm 4096 4096 4096 $V4 --dtype int8 --no-check" \
              "$TPUSIM gemm 4096 4096 4096 $V4 --dtype bf16 --no-check") || exit 1
awk -v a="$1" -v b="$2" -v q="$3" -v lo="$4" -v hi="$5" 'BEGIN {
    printf "  int8 4096^3: %.2fx the time per MAC of bf16 (target <= 1x) %s  int8 %.1f ms, bf16 %.1f ms; spread %.2f..%.2f\n",
           q, (q <= 1 ? "ok" : "MISSED"), a / 1000, b / 1000, lo, hi }'
json int8_vs_bf16_per_mac_4096 int8_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" \
     bf16_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')" ratio="$3" ratio_low="$4" ratio_high="$5" \
     target=1 verdict="$(verdict "$3" 1)"

# --- 3. per-PE engine ----------------------------------------------------------------------
for s in 16 128 256; do
    args="mxu 512 512 512 -c configs/edge-8x8.yaml --set tpu.array.rows=$s --set tpu.array.cols=$s --engine pe --no-check"
    # shellcheck disable=SC2086
    cyc=$("$TPUSIM" $args --json - | sed -n 's/^    "cycles": \([0-9]*\),*$/\1/p' | head -n 1)
    [ -n "$cyc" ] || { echo "bench: no cycles from tpusim $args" >&2; exit 1; }
    # shellcheck disable=SC2086
    set -- $(best_of "$RUNS" "$TPUSIM" $args) || exit 1
    awk -v s="$s" -v c="$cyc" -v t="$1" -v md="$2" -v cpu="$4" 'BEGIN {
        printf "  per-PE engine %3dx%-3d 512^3: %.3g PE-cycles/s  (%d cycles in %.1f ms; median %.3g; per CPU second %.3g)\n",
               s, s, s * s * c / (t / 1e6), c, t / 1000, s * s * c / (md / 1e6), (cpu > 0 ? s * s * c / (cpu / 1e6) : 0) }'
    json "pe_engine_${s}x${s}" pe_cycles_per_s="$(awk -v s="$s" -v c="$cyc" -v t="$1" 'BEGIN { printf "%.4g", s * s * c / (t / 1e6) }')" \
         pe_cycles_per_cpu_s="$(awk -v s="$s" -v c="$cyc" -v t="$4" 'BEGIN { printf "%.4g", (t > 0 ? s * s * c / (t / 1e6) : 0) }')" \
         cycles="$cyc" best_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" median_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')"
done

# --- 4. GPU model --------------------------------------------------------------------------
set -- $(best_of "$RUNS_BIG" "$TPUSIM" gemm 8192 8192 8192 -c configs/gpu-h100.yaml) || exit 1
awk -v t="$1" -v md="$2" -v c="$4" 'BEGIN { printf "  gpu-h100 8192^3 (timing only): %.1f ms  (median %.1f ms; CPU %.1f ms)\n", t / 1000, md / 1000, c / 1000 }'
json gpu_h100_8192 best_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" median_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')" \
     cpu_ms="$(awk -v t="$4" 'BEGIN { print t / 1000 }')"

# --- 5. the tiling search: the whole process (search, then the chosen plan's run) less the same
#        run with that plan given (--tile, --order, --double-buffer, --split-k: no search)
search_bench() {   # search_bench KEY LABEL ARGS... (no argument has a space)
    key=$1; label=$2; shift 2
    args="$*"
    "$TPUSIM" "$@" >"$B/plan" 2>"$B/err" || { cat "$B/err" >&2; return 1; }
    tile=$(sed -n 's/^  tiling *\([0-9x]*\) order \([a-z]*\), double buffering \(o[nf]*\).*/\1 \2 \3/p' "$B/plan")
    sk=$(sed -n 's/^  split-K *\([0-9]*\) parts.*/\1/p' "$B/plan")
    set -- $tile
    # shellcheck disable=SC2086
    set -- $(pair "$RUNS" "$TPUSIM $args" "$TPUSIM $args --tile $1 --order $2 --double-buffer $3 --split-k ${sk:-1}") || return 1
    awk -v w="$1" -v f="$2" -v l="$label" -v p="$tile${sk:+ split-k $sk}" 'BEGIN {
        s = (w - f) / 1000; if (s < 0) s = 0
        printf "  search       %-33s: %8.2f ms  target 1000 ms  %s  (whole process %.2f ms, the chosen plan alone %.2f ms; %s)\n",
               l, s, (s <= 1000 ? "ok" : "MISSED"), w / 1000, f / 1000, p }'
    json "$key" search_ms="$(awk -v w="$1" -v f="$2" 'BEGIN { s = (w - f) / 1000; print (s < 0 ? 0 : s) }')" \
         whole_ms="$(awk -v t="$1" 'BEGIN { print t / 1000 }')" plan_alone_ms="$(awk -v t="$2" 'BEGIN { print t / 1000 }')" target_ms=1000
}
search_bench search_4096_int8_32x32 "4096^3 int8, 32x32 ws" gemm 4096 4096 4096 --no-data || exit 1
search_bench search_1024_bf16_v4 "1024^3 bf16, tpu-v4-core" gemm 1024 1024 1024 $V4 --dtype bf16 --no-data || exit 1
search_bench search_2000_b200_v1 "2000^3 batch 200, tpu-v1" gemm 2000 2000 2000 -c configs/tpu-v1.yaml --batch 200 --no-data || exit 1

# --- 6. the HTML report's open time with 10^5 timeline events (tests/html_lib.sh) -----------
T=$B
. "$(dirname "$0")/html_lib.sh"
html_find_chrome
HTML_PAGE=$(dirname "$TPUSIM")/tests/html_page
if [ -n "$CHROME" ] && [ -x "$HTML_PAGE" ]; then
    html_big_trace "$B/big.json"
    "$TPUSIM" gemm 64 64 64 --json "$B/page.json" >/dev/null 2>"$B/err" &&
        "$HTML_PAGE" "$B/page.json" "$B/big.json" "$B/big.html" 2>>"$B/err" || { cat "$B/err" >&2; exit 1; }
    : > "$B/ms"
    for _ in $(seq "$RUNS"); do
        dom "$B/big.html" && [ "$(dom_attr 'id="timeline-body"' data-events)" = 100000 ] ||
            { echo "bench: the 10^5-event page did not draw its timeline" >&2; exit 1; }
        dom_attr 'data-render-ms=' data-render-ms >> "$B/ms"
    done
    set -- $(stats "$B/ms")
    awk -v b="$1" -v m="$2" 'BEGIN {
        printf "  html         %-33s: %8.1f ms  target 1000 ms  %s  (ratio %.3f; median %.1f ms; the page script, from its start to the drawn page)\n",
               "10^5-event timeline page", b, (b <= 1000 ? "ok" : "MISSED"), b / 1000, m }'
    json html_open_1e5_events render_ms="$1" median_ms="$2" target_ms=1000
else
    echo "  html         10^5-event timeline page: skipped (needs chromium and $HTML_PAGE; run make test, and: sudo apt-get install chromium)"
fi

# --- the JSON file (written whole, then renamed into place) ---------------------------------
{
    printf '{\n  "schema": "tpusim-bench-1",\n  "machine": {"cpu": "%s", "cores": %d, "loadavg_at_start": "%s"},\n' \
        "$cpu" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    printf '  "runs": %d, "runs_big": %d,\n  "figures": {\n' "$RUNS" "$RUNS_BIG"
    sed '$!s/$/,/' "$B/json"
    printf '  }\n}\n'
} > "$JSON.tmp" && mv "$JSON.tmp" "$JSON"
echo "  figures written to $JSON"
