#!/bin/sh
# Runs every test suite and prints one combined summary line last: "N passed, N failed".
#   1. unit tests, release build     (build/release/tests/run_tests)
#   2. unit tests, sanitizer build   (build/san/tests/run_tests)
#   3. the stress group, stress build (build/stress/tests/run_tests stress: shrunken sizes)
#   4. command-line checks           (tests/cli.sh against build/release/tpusim)
#   5. the include layering          (tests/check_layers.sh: one check per #include "dir/x.h")
#   6. checks of that check          (tests/check_layers_test.sh: bad includes are refused)
#   7. the Makefile's dependency step (tests/check_make_deps.sh, on fake id/pkg-config/apt-get)
#   8. its optional gnuplot step    (tests/check_gnuplot_dep.sh, on fake id/apt-get/gnuplot)
#   9. make install / uninstall     (tests/check_install.sh: a temporary DESTDIR, a program
#                                    built against the installed headers and library)
#  10. the libFuzzer smoke           (tests/fuzz/smoke.sh: each target over its corpus and
#                                    regressions, a fixed number of runs; skipped without clang)
# Suites 1-3 and 5-10 run in one lane and 4 in another (two cores); see lane_start in
# tests/suite.sh. Each suite's own summary is printed as "<suite> suite: ..." so only the last line is the total.
B=${BUILDROOT:-build}
total_pass=0
total_fail=0
T=$(mktemp -d /tmp/tpusim-run-all-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/suite.sh"
# Two lanes, one per core: the command-line checks (the longest suite) beside everything else.
# Each lane's output is kept apart and printed whole, lane 1 first, so the log reads the same
# whatever finishes first.
lane2() {
    run_suite "cli" sh tests/cli.sh "./$B/release/tpusim"
}
lane_start lane2
run_suite "unit/release" "./$B/release/tests/run_tests"
run_suite "unit/san" env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "./$B/san/tests/run_tests"
run_suite "unit/stress" "./$B/stress/tests/run_tests" stress
run_suite "layers" sh tests/check_layers.sh .
run_suite "layers-check" sh tests/check_layers_test.sh
run_suite "make-deps" sh tests/check_make_deps.sh .
run_suite "gnuplot-dep" sh tests/check_gnuplot_dep.sh .
run_suite "install" env BUILDROOT="$B" sh tests/check_install.sh .
run_suite "fuzz" sh tests/fuzz/smoke.sh "$B/fuzz"
lane_wait
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
