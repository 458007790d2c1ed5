#!/bin/sh
# ThreadSanitizer over the threaded paths (issue 14): the build/tsan variant (make VARIANT=tsan)
# runs the unit groups that start threads (the numerics pool and every kernel with 2 and more
# threads: gemm/, kernels/, num/; the sweep's queue: sweep/) and the commands that use them: a
# bf16 GEMM on tpu-v4-core with data (the pool's threaded blocked kernel), a timing-only GEMM
# and a model (the tiling search's first-round estimates and finalists on two threads) and a
# sweep with -j 2.
# A race, a lock-order inversion or a thread leak ends the run with TSan's exit code 66
# (halt_on_error). make check-all runs it; prints each check, then "N passed, N failed".
#   sh tests/check_tsan.sh BUILDROOT
B=${1:-build}
MAKE=${MAKE:-make}
. "$(dirname "$0")/checks.sh"
checks_begin tsan
if ! "$MAKE" --no-print-directory -j"${JOBS:-2}" VARIANT=tsan BUILDROOT="$B" "$B/tsan/tpusim" "$B/tsan/tests/run_tests" >"$T/build" 2>&1; then
    not_ok "tsan build" "$(tail -5 "$T/build")"
    checks_end
    exit 1
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
run() {   # run NAME CMD...
    n=$1; shift
    if "$@" >"$T/out" 2>"$T/err"; then ok "$n"
    else rc=$?; not_ok "$n (exit $rc)" "$(grep -m1 -A12 'WARNING: ThreadSanitizer' "$T/err" || tail -5 "$T/err")"; fi
}
for g in gemm/ kernels/ num/ sweep/; do
    run "tsan: unit group $g" "$B/tsan/tests/run_tests" "$g"
done
run "tsan: gemm 384 256 320 bf16 on tpu-v4-core with data (the pool's threads)" \
    "$B/tsan/tpusim" gemm 384 256 320 -c configs/tpu-v4-core.yaml --dtype bf16
run "tsan: gemm 512 384 256 --no-data --threads 2 (the search's estimates and finalists on two threads)" \
    "$B/tsan/tpusim" gemm 512 384 256 --no-data --threads 2
run "tsan: model bert-base-seq128 --no-data (a search per layer, on the online CPUs)" \
    "$B/tsan/tpusim" model kernels/workloads/bert-base-seq128.yaml --no-data
run "tsan: sweep quick.yaml -j 2" "$B/tsan/tpusim" sweep kernels/sweeps/quick.yaml -j 2 --quiet --csv "$T/q.csv"
checks_end
