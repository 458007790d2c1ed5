#!/bin/sh
# The issue's "done when": a 1000-point sweep runs from one YAML file on one machine, and the same
# file runs as a Slurm array (docs/sweeps.md's script, 4 array tasks with SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT set by hand) whose shards merge into the identical file. Slow (minutes:
# every point runs the tiler's search), so make check-all runs it, not make test.
#   sh tests/check_sweep_1000.sh [TPUSIM]     prints each check, then "N passed, N failed"
TPUSIM=${1:-./build/release/tpusim}
case "$TPUSIM" in /*) ;; *) TPUSIM="$PWD/$TPUSIM" ;; esac
SWEEP=kernels/sweeps/bert-layer-1000.yaml
T=$(mktemp -d /tmp/tpusim-sweep1000-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
not_ok() { echo "FAIL $1"; [ -z "$2" ] || echo "$2" | sed 's/^/     | /'; fail=$((fail + 1)); }

start=$(date +%s)
if "$TPUSIM" sweep "$SWEEP" -j 2 --csv "$T/one.csv" >"$T/out" 2>"$T/err"; then
    ok "$SWEEP with -j 2 ($(($(date +%s) - start)) s)"
else not_ok "$SWEEP with -j 2" "$(cat "$T/err")"; fi
n=$(grep -c '^[0-9]' "$T/one.csv")
if [ "$n" = 1000 ] && [ "$(grep -c ',ok,' "$T/one.csv")" = 1000 ]; then ok "1000 rows, every point ok"
else not_ok "1000 rows, every point ok" "$n rows"; fi

mkdir -p "$T/bin"
ln -s "$TPUSIM" "$T/bin/tpusim"
sed -n '/^<!-- test: slurm -->$/,/^```$/p' docs/sweeps.md | sed '1,2d;$d' >"$T/slurm.sh"
start=$(date +%s)
for i in 1 2 3 4; do
    PATH="$T/bin:$PATH" SWEEP="$SWEEP" OUT="$T/array" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=4 SLURM_CPUS_PER_TASK=2 \
        sh "$T/slurm.sh" >/dev/null 2>"$T/err" || not_ok "Slurm array task $i of 4" "$(cat "$T/err")"
done
if "$TPUSIM" sweep "$SWEEP" --merge "$T"/array/shard-*.csv --csv "$T/merged.csv" 2>"$T/err" && cmp -s "$T/merged.csv" "$T/one.csv"
then ok "as a 4-task Slurm array, merged: identical to the one-machine file ($(($(date +%s) - start)) s)"
else not_ok "as a 4-task Slurm array, merged: identical to the one-machine file" "$(cat "$T/err"; diff "$T/merged.csv" "$T/one.csv" | head -5)"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
