#!/bin/sh
# Runs every libFuzzer target (BUILD/fuzz_<t>, built by `make fuzz-build`) over its seed corpus
# (BUILD/corpus/<t>/, from `make fuzz-corpus`) and its committed regressions
# (tests/fuzz/regressions/<t>/), then fuzzes on from there.
#   smoke.sh BUILD                    make test's smoke: -runs=N inputs per target, seed 1
#                                     (FUZZ_RUNS, default 3000; the differential target a
#                                     quarter of it), the same inputs every time
#   smoke.sh BUILD -max_total_time=S  make fuzz: S seconds per target
# New interesting inputs go to a scratch directory, crashes to BUILD/artifacts/ (copy each into
# tests/fuzz/regressions/<t>/ once fixed). Prints "N passed, N failed" last; without clang
# (make test could not install it) it says so and counts nothing.
B=$1
shift
R=$(dirname "$0")
pass=0
fail=0
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null || ! ls "$("$cc" -print-runtime-dir 2>/dev/null)"/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
    echo "fuzz smoke skipped: clang or libFuzzer is missing; run: sudo apt-get install clang libclang-rt-dev"
    echo "0 passed, 0 failed"
    exit 0
fi
runs=${FUZZ_RUNS:-3000}
extra=$*   # libFuzzer flags (no spaces in them)
mkdir -p "$B/artifacts"
for src in "$R"/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    bin="$B/fuzz_$t"
    if [ ! -x "$bin" ]; then
        echo "not ok - fuzz $t: $bin was not built (make fuzz-build)"
        fail=$((fail + 1)); continue
    fi
    scratch=$(mktemp -d)
    dirs="$scratch"
    [ -d "$B/corpus/$t" ] && dirs="$dirs $B/corpus/$t"
    [ -d "$R/regressions/$t" ] && dirs="$dirs $R/regressions/$t"
    start=$(date +%s)
    if [ -n "$extra" ]; then args=$extra
    elif [ "$t" = diff ]; then args=-runs=$((runs / 4))   # three machine runs per input, one per-PE
    else args=-runs=$runs; fi
    # shellcheck disable=SC2086
    if TMPDIR="$scratch" "$bin" -seed=1 -max_len=4096 -timeout=20 -rss_limit_mb=2048 -print_final_stats=0 \
           -artifact_prefix="$B/artifacts/$t-" $args $dirs >"$scratch.log" 2>&1; then
        execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$scratch.log" | tail -n 1)
        echo "ok - fuzz $t (${execs:-?} runs, $(($(date +%s) - start))s)"
        pass=$((pass + 1))
    else
        echo "not ok - fuzz $t (see the input saved in $B/artifacts/)"
        grep -E 'fuzz contract broken|ERROR: |SUMMARY: |Test unit written' "$scratch.log" | head -n 8 | sed 's/^/#   /'
        fail=$((fail + 1))
    fi
    rm -rf "$scratch" "$scratch.log"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
