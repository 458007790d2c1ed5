#!/bin/sh
# make check-all: everything make test runs, then the slower checks. Prints each suite's output
# and its summary as "<suite> suite: ...", and one combined summary line last: "N passed, N failed".
#   1. test            make test (the release and sanitizer unit tests, the command-line checks)
#   2. valgrind/unit   the release unit tests under valgrind memcheck (--leak-check=full)
#   3. valgrind/cli    representative commands under valgrind (tests/valgrind_cli.sh)
#   4. fuzz/san        the parser fuzz tests, TP_FUZZ_ITERS inputs per parser, sanitizer build
#   5. cli/san         the command-line checks (tests/cli.sh) against the sanitizer binary
#   6. valgrind-dep    make check-valgrind on fake machines (tests/check_valgrind_dep.sh)
#   7. search          the tiling search against an exhaustive search over every valid tiling, on
#                      seeded random shapes and the workloads' layers (tests/check_search.sh full)
#   8. sweep-1000      kernels/sweeps/bert-layer-1000.yaml with -j 2, and as a 4-task Slurm array
#                      merged: the same file (tests/check_sweep_1000.sh)
#   9. html            the --html pages in headless Chromium (tests/check_html.sh; installs the
#                      Debian package chromium when root)
#  10. soak            a 3000-point sweep with -j 2 whose resident memory stays flat
#                      (tests/check_soak.sh)
#  11. tsan            the threaded unit groups, threaded GEMMs, a model and sweep -j 2 under
#                      ThreadSanitizer (tests/check_tsan.sh, the build/tsan variant)
# Run from the repository root by make check-all (which installs valgrind if it is missing).
BUILDROOT=${BUILDROOT:-build}
case "$BUILDROOT" in /*) B=$BUILDROOT ;; *) B="$PWD/$BUILDROOT" ;; esac
MAKE=${MAKE:-make}
FUZZ_ITERS=${TP_FUZZ_ITERS:-200000}
total_pass=0
total_fail=0
T=$(mktemp -d /tmp/tpusim-check-all-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/suite.sh"

# cli/san: ASan reserves terabytes of address space, so it cannot start under a virtual-memory
# limit; the checks that set one (ulimit -v, for the out-of-memory messages) run the release binary.
cat >"$T/tpusim-san" <<EOF
#!/bin/sh
if [ "\$(ulimit -v)" != unlimited ]; then exec "$B/release/tpusim" "\$@"; fi
exec "$B/san/tpusim" "\$@"
EOF
chmod +x "$T/tpusim-san"

run_suite "test" "$MAKE" --no-print-directory BUILDROOT="$BUILDROOT" test
# make test builds what the slow checks run: if it did not finish (a build error), they would run
# stale binaries, so they are not run at all
if [ "$finished" = no ]; then
    echo "check-all: make test did not finish, so the slow checks were not run"
    echo "$total_pass passed, $total_fail failed"
    exit 1
fi
# The slow checks run in two lanes, one per core (lane_start in tests/suite.sh); each lane's
# output is printed whole, lane 1 first.
# cli/san skips the scripts that re-run long simulations whose code the rest of the CLI checks,
# the sanitizer unit tests and the fuzz targets already cover under the sanitizer: the course's
# labs (85_tutorial: sweeps and models) and docs/tpu-vs-gpu.md's commands (86_tpu_vs_gpu: sweeps
# and compares, whose code the rest covers), the sweep command (75_sweep; its parser and CSV writer
# are unit-tested and fuzzed under san), the HTML pages (96_html; check_html.sh runs them in
# Chromium) and the long model runs (50_model). The release binary runs them all in make test.
SAN_SKIP=${TP_SAN_SKIP-50_model.sh 75_sweep.sh 85_tutorial.sh 86_tpu_vs_gpu.sh 96_html.sh}
lane2() {
    run_suite "valgrind/cli" sh tests/valgrind_cli.sh "$B/release/tpusim"
    run_suite "cli/san" env JSON_VALIDATE="$B/release/tests/json_validate" ASAN_OPTIONS=detect_leaks=1 \
        UBSAN_OPTIONS=print_stacktrace=1 TP_CLI_SKIP="$SAN_SKIP" sh tests/cli.sh "$T/tpusim-san"
    run_suite "sweep-1000" sh tests/check_sweep_1000.sh "$B/release/tpusim"
    run_suite "html" env HTML_PAGE="$B/release/tests/html_page" sh tests/check_html.sh "$B/release/tpusim"
}
lane_start lane2
# the GPU groups simulate whole kernels (half a minute natively, far too long under valgrind);
# the sanitizer build runs them in make test, and tests/valgrind_cli.sh runs a GPU gemm
run_suite "valgrind/unit" env TP_FF_CASES=12 valgrind -q --error-exitcode=1 --leak-check=full --num-callers=30 \
    "$B/release/tests/run_tests" -gpu
run_suite "fuzz/san x$FUZZ_ITERS" env TP_FUZZ_ITERS="$FUZZ_ITERS" ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1 "$B/san/tests/run_tests" fuzz/
run_suite "valgrind-dep" sh tests/check_valgrind_dep.sh .
run_suite "search" sh tests/check_search.sh full "$B/release/tpusim"
run_suite "soak" sh tests/check_soak.sh "$B/release/tpusim"
run_suite "tsan" env MAKE="$MAKE" JOBS=1 sh tests/check_tsan.sh "$BUILDROOT"
run_suite "ff x1000" env TP_FF_CASES=1000 "$B/release/tests/run_tests" ff/
lane_wait
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
