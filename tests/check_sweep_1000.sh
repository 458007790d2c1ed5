#!/bin/sh
# The issue's "done when": a 1000-point sweep runs from one YAML file on one machine, and the same
# file runs as a Slurm array (docs/sweeps.md's script, task 1 of 4 with SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT set by hand) whose rows are the one-machine file's. Slow (minutes:
# every point runs the tiler's search), so make check-all runs it, not make test.
#   sh tests/check_sweep_1000.sh [TPUSIM]     prints each check, then "N passed, N failed"
TPUSIM=${1:-./build/release/tpusim}
case "$TPUSIM" in /*) ;; *) TPUSIM="$PWD/$TPUSIM" ;; esac
SWEEP=kernels/sweeps/bert-layer-1000.yaml
. "$(dirname "$0")/checks.sh"
checks_begin sweep1000

start=$(date +%s)
if "$TPUSIM" sweep "$SWEEP" -j 2 --csv "$T/one.csv" >"$T/out" 2>"$T/err"; then
    ok "$SWEEP with -j 2 ($(($(date +%s) - start)) s)"
else not_ok "$SWEEP with -j 2" "$(cat "$T/err")"; fi
n=$(grep -c '^[0-9]' "$T/one.csv")
if [ "$n" = 1000 ] && [ "$(grep -c ',ok,' "$T/one.csv")" = 1000 ]; then ok "1000 rows, every point ok"
else not_ok "1000 rows, every point ok" "$n rows"; fi

# The Slurm array: docs/sweeps.md's script as task 1 of a 4-task array (the whole array would run
# the 1000 points a second time; tests/cli/75_sweep.sh runs every task of it on quick.yaml and
# merges them into the unsharded file byte for byte). Each of its 250 rows must be a row of the
# one-machine file, unchanged.
mkdir -p "$T/bin"
ln -s "$TPUSIM" "$T/bin/tpusim"
sed -n '/^<!-- test: slurm -->$/,/^```$/p' docs/sweeps.md | sed '1,2d;$d' >"$T/slurm.sh"
start=$(date +%s)
PATH="$T/bin:$PATH" SWEEP="$SWEEP" OUT="$T/array" SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4 SLURM_CPUS_PER_TASK=2 \
    sh "$T/slurm.sh" >/dev/null 2>"$T/err" || not_ok "Slurm array task 1 of 4" "$(cat "$T/err")"
grep '^[0-9]' "$T/array/shard-1.csv" >"$T/shard-rows" 2>/dev/null
grep '^[0-9]' "$T/one.csv" >"$T/one-rows"
n=$(wc -l <"$T/shard-rows")
missing=$(grep -c -v -x -F -f "$T/one-rows" "$T/shard-rows")
if [ "$n" = 250 ] && [ "$missing" = 0 ]
then ok "task 1 of a 4-task Slurm array: 250 rows, each a row of the one-machine file ($(($(date +%s) - start)) s)"
else not_ok "task 1 of a 4-task Slurm array: 250 rows, each a row of the one-machine file" "$n rows, $missing not in the one-machine file"; fi
checks_end
