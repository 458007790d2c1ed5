#!/bin/sh
# The soak (issue 14, "a long sweep runs with flat memory"): a sweep of 3000 small points with
# -j 2, its resident memory sampled every 0.2 s from /proc. Memory is flat when the largest
# sample of the last quarter of the run is at most the largest of the first quarter plus 10%
# and 4 MiB (what a run may legitimately add as it goes: the rows it keeps to rewrite the file
# in point order, 3000 x about 200 bytes = 0.6 MB). A leak of even 2 KB per point (6 MB over the
# run) fails it. make check-all runs it; prints each check, then "N passed, N failed".
#   sh tests/check_soak.sh [TPUSIM]
TPUSIM=${1:-./build/release/tpusim}
. "$(dirname "$0")/checks.sh"
checks_begin soak
# 10 GEMMs x 5 array sizes x 4 bandwidths x 3 dataflows x 5 UB sizes = 3000 points
cat >"$T/soak.yaml" <<'YAML'
gemms: [[16, 16, 16], [24, 40, 8], [32, 32, 32], [48, 16, 64], [64, 64, 16],
        [8, 96, 24], [40, 24, 40], [96, 8, 32], [56, 56, 8], [16, 128, 16]]
axes:
  tpu.array.rows: [4, 8, 12, 16, 32]
  tpu.dram.bandwidth: [16GB/s, 32GB/s, 64GB/s, 128GB/s]
  dataflow: [ws, os, is]
  tpu.ub.size: [64KiB, 128KiB, 256KiB, 512KiB, 1MiB]
YAML
start=$(date +%s)
"$TPUSIM" sweep "$T/soak.yaml" -j 2 --quiet --csv "$T/soak.csv" >"$T/out" 2>"$T/err" &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
    awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null >>"$T/rss"
    sleep 0.2
done
wait "$pid"
rc=$?
secs=$(($(date +%s) - start))
rows=$(grep -c '^[0-9]' "$T/soak.csv" 2>/dev/null)
if [ "$rc" = 0 ] && [ "$rows" = 3000 ]; then ok "soak: 3000 points with -j 2 ($secs s)"
else not_ok "soak: 3000 points with -j 2 (exit $rc, $rows rows)" "$(head -3 "$T/err")"; fi
n=$(grep -c . "$T/rss")
if [ "$n" -lt 8 ]; then
    not_ok "soak: memory flat" "only $n memory samples: the run was too short to judge"
else
    verdict=$(awk -v n="$n" '{ v[NR] = $1 }
        END {
            q = int(n / 4); a = 0; b = 0
            for (i = 1; i <= q; i++) if (v[i] > a) a = v[i]
            for (i = n - q + 1; i <= n; i++) if (v[i] > b) b = v[i]
            lim = a * 1.10 + 4096
            printf "%s first quarter max %d KiB, last quarter max %d KiB (limit %d KiB, %d samples)\n",
                   (b <= lim ? "ok" : "FAIL"), a, b, lim, n
        }' "$T/rss")
    case "$verdict" in
    ok*) ok "soak: memory flat: ${verdict#ok }" ;;
    *) not_ok "soak: memory flat: ${verdict#FAIL }" ;;
    esac
fi
checks_end
