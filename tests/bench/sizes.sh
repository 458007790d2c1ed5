#!/bin/sh
# How tpusim's cost grows with the GEMM's size (docs/performance.md): gemm N N N on
# tpu-v4-core, bf16, timing only (--no-data) and functional (--no-check), one whole-process run
# each, printed as a Markdown table: wall seconds, CPU seconds (user + system: less moved by
# other processes on a shared machine than the wall time) and peak RSS.
# Usage: sh tests/bench/sizes.sh [TPUSIM] [SIZES...]  (default sizes 256 ... 16384; the
# functional 16384^3 is skipped unless FUNCTIONAL_MAX >= 16384: it needs about 6 GiB and
# hours on 2 cores). Not part of make bench (minutes).
TPUSIM=${1:-build/release/tpusim}
[ $# -gt 0 ] && shift
SIZES=${*:-256 512 1024 2048 4096 8192 16384}
FMAX=${FUNCTIONAL_MAX:-8192}
[ -x /usr/bin/time ] || { echo "sizes: needs GNU time (/usr/bin/time)" >&2; exit 2; }
B=$(mktemp -d /tmp/tpusim-sizes-XXXXXX)
trap 'rm -rf "$B"' EXIT
one() {   # one MODE N: "| wall | cpu | rss |" cells
    mode=$1; n=$2
    if /usr/bin/time -f "%e %U %S %M" -o "$B/t" "$TPUSIM" gemm "$n" "$n" "$n" -c configs/tpu-v4-core.yaml \
           --dtype bf16 "$mode" >/dev/null 2>"$B/err"; then
        awk '{ printf "%.2f | %.2f | %.0f", $1, $2 + $3, $4 / 1024 }' "$B/t"
    else
        printf 'refused: %s | - | -' "$(head -n 1 "$B/err")"
    fi
}
echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| N (N^3 bf16, tpu-v4-core) | timing only: wall s | CPU s | peak RSS MiB | functional: wall s | CPU s | peak RSS MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    t=$(one --no-data "$n")
    if [ "$n" -le "$FMAX" ]; then f=$(one --no-check "$n"); else f="not run | - | -"; fi
    echo "| $n | $t | $f |"
done
