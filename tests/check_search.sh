#!/bin/sh
# The tiling search's check: for GEMM shapes drawn from a seeded RNG (not hand-picked) and the
# shipped workloads' layers, on several machines and every dataflow, the plan `tpusim gemm`
# chooses (the search: estimate, then a few simulations) must take at most 1% more cycles than
# the best plan of an exhaustive search that simulates EVERY valid tiling of the same search
# space on the whole problem (`--show-search exhaustive`, tiler_search_exhaustive). Prints one
# table row per case and "N passed, N failed" last.
#
#   sh tests/check_search.sh [quick|full|all] [TPUSIM]
#     quick  one shape per machine and dataflow, small (make test runs it, about 30 s)
#     full   TP_SEARCH_SHAPES random shapes (default 4) per machine and dataflow, and the
#            workload layers whose exhaustive search takes seconds, not minutes (make check-all:
#            87 cases, about 3 minutes)
#     all    full and the 9 layer cases it leaves out: llama7b-decode's qkv_proj on 32x32 and
#            tpuv1-mlp0's fc1 and bert-base-seq512's qkv_proj on tpu-v4-core, each in ws, os and
#            is (their exhaustive searches took 5.5 of the 8.5 minutes of all 96 cases on
#            2026-12-03, one of them 150 s; docs/tiler.md)
#   TP_SEARCH_SEED  the RNG's seed (default 20261202); TP_SEARCH_TOL the allowed ratio (1.01)
#   TP_SEARCH_NEAR  how many cases may exceed TP_SEARCH_TOL while staying within TP_SEARCH_MAX
#                   (default 0 and 1.05: every case must be within 1%. It was 3 while the estimate
#                   ranked three cases poorly, docs/tiler.md "The estimate"; a diagnostic knob, not
#                   a tolerance of the check)
MODE=${1:-full}
TPUSIM=${2:-build/release/tpusim}
SEED=${TP_SEARCH_SEED:-20261202}
TOL=${TP_SEARCH_TOL:-1.01}
TMAX=${TP_SEARCH_MAX:-1.05}
NEAR=${TP_SEARCH_NEAR:-0}
near=0
NSHAPES=${TP_SEARCH_SHAPES:-4}
[ "$MODE" = quick ] && NSHAPES=1
[ -x "$TPUSIM" ] || { echo "check_search: $TPUSIM not built" >&2; echo "0 passed, 1 failed"; exit 1; }
pass=0
fail=0
T=$(mktemp -d /tmp/tpusim-search-XXXXXX)
trap 'rm -rf "$T"' EXIT

# machines: label | flags | smallest and largest dimension of the random shapes | the largest
# M*N*K / (array rows * cols * MXUs) of a workload layer checked (the exhaustive search's cost)
machines() {
    for df in ws os is; do
        echo "32x32 $df|--dataflow $df|16|${Q32:-256}|${L32:-150000}"
        [ "$MODE" = quick ] && [ "$df" != ws ] && continue
        echo "edge-8x8 $df|-c configs/edge-8x8.yaml --dataflow $df|8|${Q8:-96}|60000"
        echo "tpu-v4-core bf16 $df|-c configs/tpu-v4-core.yaml --dtype bf16 --dataflow $df|64|${QV4:-1024}|${LV4:-20000}"
        echo "tpu-v1 $df|-c configs/tpu-v1.yaml --dataflow $df|64|${QV1:-1024}|20000"
    done
}
if [ "$MODE" = quick ]; then Q32=160; Q8=64; QV4=512; QV1=512; fi
# full leaves out the layers whose exhaustive search takes minutes (see the usage above)
if [ "$MODE" = full ]; then L32=40000; LV4=10000; fi

# shapes lo hi n seed: n shapes M N K, each dimension log-uniform in [lo, hi]
shapes() {
    awk -v lo="$1" -v hi="$2" -v n="$3" -v seed="$4" 'BEGIN {
        srand(seed)
        for (i = 0; i < n; i++) {
            s = ""
            for (d = 0; d < 3; d++) s = s sprintf("%d ", int(exp(log(lo) + rand() * (log(hi) - log(lo)))))
            print s
        }
    }'
}

# the workloads' layers: "M N K name"
layers() {
    for f in kernels/workloads/*.yaml; do
        w=$(basename "$f" .yaml)
        sed -n 's/.*name: *\([A-Za-z0-9_]*\).*M: *\([0-9]*\).*N: *\([0-9]*\).*K: *\([0-9]*\).*/\2 \3 \4 \1/p' "$f" |
            while read -r m n k name; do echo "$m $n $k $w/$name"; done
    done | sort -u -k1,3n
}

printf '%-34s %-22s %-34s %12s %12s %8s %6s\n' "shape" "machine" "chosen (tile order db split)" "chosen" "best" "ratio" "secs"
row() {   # row SHOWN "M N K" MACHINE FLAGS...
    shown=$1; shape=$2; label=$3; shift 3
    start=$(date +%s)
    # shellcheck disable=SC2086
    if ! "$TPUSIM" gemm $shape "$@" --no-data --show-search exhaustive >"$T/out" 2>"$T/err"; then
        fail=$((fail + 1))
        printf '%-34s %-22s FAILED: %s\n' "$shown" "$label" "$(head -1 "$T/err")"
        return
    fi
    secs=$(($(date +%s) - start))
    line=$(grep '^chosen .* cycles, exhaustive best' "$T/out")
    chosen=$(grep '^  tiling ' "$T/out" | sed 's/^  tiling *//; s/, epilogue.*//; s/double buffering //')
    c=$(echo "$line" | sed 's/^chosen \([0-9]*\) cycles.*/\1/')
    b=$(echo "$line" | sed 's/.*exhaustive best \([0-9]*\):.*/\1/')
    if [ -z "$line" ] || [ -z "$c" ] || [ -z "$b" ]; then
        fail=$((fail + 1))
        printf '%-34s %-22s FAILED: no comparison line\n' "$shown" "$label"
        return
    fi
    r=$(awk -v c="$c" -v b="$b" 'BEGIN { printf "%.4f", c / b }')
    if awk -v r="$r" -v t="$TOL" 'BEGIN { exit !(r <= t) }'; then
        pass=$((pass + 1)); mark=""
    elif [ "$near" -lt "$NEAR" ] && awk -v r="$r" -v t="$TMAX" 'BEGIN { exit !(r <= t) }'; then
        near=$((near + 1)); pass=$((pass + 1)); mark="  over $TOL (within $TMAX: $near of at most $NEAR such)"
    else
        fail=$((fail + 1)); mark="  over $TOL"
    fi
    printf '%-34s %-22s %-34s %12s %12s %8s %6s%s\n' "$shown" "$label" "$chosen" "$c" "$b" "$r" "$secs" "$mark"
}

i=0
machines >"$T/machines"
while IFS='|' read -r label flags lo hi lim; do
    i=$((i + 1))
    shapes "$lo" "$hi" "$NSHAPES" $((SEED + i)) >"$T/shapes"
    while read -r m n k; do
        # shellcheck disable=SC2086
        row "$m $n $k" "$m $n $k" "$label" $flags </dev/null
    done <"$T/shapes"
    if [ "$MODE" != quick ]; then
        # the shipped layers whose exhaustive search is affordable on this machine
        # shellcheck disable=SC2086
        macs=$("$TPUSIM" config show $(echo "$flags" | sed 's/--dtype [a-z0-9]*//; s/--dataflow [a-z]*//') 2>/dev/null |
               awk '$1 == "tpu.array.rows" { r = $2 } $1 == "tpu.array.cols" { c = $2 } $1 == "tpu.mxus_per_core" { u = $2 }
                    END { print r * c * u }')
        layers >"$T/layers"
        while read -r m n k name; do
            if awk -v m="$m" -v n="$n" -v k="$k" -v a="${macs:-1}" -v l="$lim" 'BEGIN { exit !(m * n * k / a <= l) }'; then
                # shellcheck disable=SC2086
                row "$m $n $k $name" "$m $n $k" "$label" $flags </dev/null
            fi
        done <"$T/layers"
    fi
done <"$T/machines"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
