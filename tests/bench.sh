#!/bin/sh
# make bench: speed of tpusim against its two targets (prints ratios; never a timed test).
#  1. timing only: 1024^3 int8 on a 32x32 ws array, no data. Target 41.5 ms (SCALE-Sim v2
#     took 415 s for the same GEMM on the same array: 10,000x).
#  2. functional: 1024^3 bf16 on tpu-v4-core, values computed, no reference check. Target
#     4x one OpenBLAS cblas_sgemm 1024^3 on this machine (built here from tests/bench/sgemm.c).
# Each is the best of a few whole-process runs (the ratio); the median shows how much the
# machine's load moved them. Peak RSS (GNU time or /proc) is shown too.
TPUSIM=${1:-build/release/tpusim}
[ -x "$TPUSIM" ] || { echo "bench: $TPUSIM not built (run make)" >&2; exit 2; }
B=$(mktemp -d /tmp/tpusim-bench-XXXXXX)
trap 'rm -rf "$B"' EXIT
RUNS=${BENCH_RUNS:-5}

# --- the OpenBLAS reference (benchmark-only dependency) ---------------------------------
have_blas() { echo '#include <cblas.h>' | ${CC:-cc} -E -x c - >/dev/null 2>&1 && \
              echo 'int main(void){return 0;}' | ${CC:-cc} -x c - -lopenblas -o "$B/x" >/dev/null 2>&1; }
if ! have_blas; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench: installing libopenblas-dev (benchmark-only dependency)"
        (apt-get install -y libopenblas-dev >/dev/null 2>&1 || \
         (apt-get update >/dev/null 2>&1 && apt-get install -y libopenblas-dev >/dev/null 2>&1)) || true
    fi
fi
blas_s=""
if have_blas && ${CC:-cc} -O2 -o "$B/sgemm" tests/bench/sgemm.c -lopenblas 2>"$B/cc.err"; then
    blas_s=$("$B/sgemm")
else
    echo "bench: OpenBLAS not available; install it with: sudo apt-get install libopenblas-dev"
fi

# prints "BEST_US RSS_KB MEDIAN_US": the best wall time (microseconds) of RUNS runs, the peak RSS of
# the last and the median time (how much the machine's load moved the runs)
best_of() {
    best=""
    : > "$B/times"
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        if [ -x /usr/bin/time ]; then
            /usr/bin/time -f "%M" -o "$B/rss" "$@" >/dev/null 2>"$B/err" || { cat "$B/err" >&2; return 1; }
        else
            "$@" >/dev/null 2>"$B/err" || { cat "$B/err" >&2; return 1; }
        fi
        t1=$(date +%s%N)
        t=$(( (t1 - t0) / 1000 ))   # microseconds
        echo "$t" >> "$B/times"
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    rss_kb=$( [ -f "$B/rss" ] && tail -n 1 "$B/rss" || echo "?")
    median=$(sort -n "$B/times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "$best $rss_kb $median"
}

echo "tpusim bench ($(nproc) cores; best of $RUNS runs each)"
t1=$(best_of "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --set tpu.array.rows=32 \
     --set tpu.array.cols=32 --dataflow ws --dtype int8 --no-data) || exit 1
set -- $t1; t1=$1; rss1=$2; med1=$3
awk -v t="$t1" -v r="$rss1" -v md="$med1" 'BEGIN {
    printf "  timing only  1024^3 int8, 32x32 ws, --no-data : %8.2f ms  target 41.5 ms  ratio %.3f  (SCALE-Sim 415 s: %.0fx faster)  peak RSS %s kB  (median %.2f ms)\n",
           t / 1000, t / 1000 / 41.5, 415e6 / t, r, md / 1000 }'
t2=$(best_of "$TPUSIM" gemm 1024 1024 1024 -c configs/tpu-v4-core.yaml --dtype bf16 --no-check) || exit 1
set -- $t2; t2=$1; rss2=$2; med2=$3
if [ -n "$blas_s" ]; then
    awk -v t="$t2" -v b="$blas_s" -v r="$rss2" -v md="$med2" 'BEGIN {
        printf "  functional   1024^3 bf16, tpu-v4-core          : %8.2f ms  target 4 x sgemm = %.2f ms  ratio %.3f  peak RSS %s kB  (median %.2f ms, ratio %.3f)\n",
               t / 1000, 4 * b * 1000, t / 1e6 / (4 * b), r, md / 1000, md / 1e6 / (4 * b)
        printf "  reference    OpenBLAS cblas_sgemm 1024^3       : %8.2f ms\n", b * 1000 }'
else
    awk -v t="$t2" -v r="$rss2" -v md="$med2" 'BEGIN { printf "  functional   1024^3 bf16, tpu-v4-core          : %8.2f ms  (no OpenBLAS: no ratio)  peak RSS %s kB  (median %.2f ms)\n", t / 1000, r, md / 1000 }'
fi

# 3. the tiling search of one large GEMM: target 1 s. The search's time is the whole process
#    (search, then the chosen plan's run) less the same run with that plan given (--tile,
#    --order, --double-buffer, --split-k: no search), both best of RUNS.
search_bench() {   # search_bench LABEL ARGS... (no argument has a space)
    label=$1; shift
    args="$*"
    "$TPUSIM" "$@" >"$B/plan" 2>"$B/err" || { cat "$B/err" >&2; return 1; }
    tile=$(sed -n 's/^  tiling *\([0-9x]*\) order \([a-z]*\), double buffering \(o[nf]*\).*/\1 \2 \3/p' "$B/plan")
    sk=$(sed -n 's/^  split-K *\([0-9]*\) parts.*/\1/p' "$B/plan")
    set -- $tile
    # shellcheck disable=SC2086
    fixed=$(best_of "$TPUSIM" $args --tile "$1" --order "$2" --double-buffer "$3" --split-k "${sk:-1}") || return 1
    # shellcheck disable=SC2086
    whole=$(best_of "$TPUSIM" $args) || return 1
    awk -v w="${whole%% *}" -v f="${fixed%% *}" -v l="$label" -v p="$tile${sk:+ split-k $sk}" 'BEGIN {
        s = (w - f) / 1000; if (s < 0) s = 0
        printf "  search       %-33s: %8.2f ms  target 1000 ms  ratio %.3f  (whole process %.2f ms, the chosen plan alone %.2f ms; %s)\n",
               l, s, s / 1000, w / 1000, f / 1000, p }'
}
search_bench "4096^3 int8, 32x32 ws" gemm 4096 4096 4096 --no-data || exit 1
search_bench "1024^3 bf16, tpu-v4-core" gemm 1024 1024 1024 -c configs/tpu-v4-core.yaml --dtype bf16 --no-data || exit 1
search_bench "2000^3 batch 200, tpu-v1" gemm 2000 2000 2000 -c configs/tpu-v1.yaml --batch 200 --no-data || exit 1
