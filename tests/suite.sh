# Sourced by tests/run_all.sh (make test) and tests/check_all.sh (make check-all): one suite runner
# for both. The caller sets total_pass=0, total_fail=0 and T (a scratch directory).
# run_suite NAME CMD... : runs CMD, prints its output and "NAME suite: P ok, F not ok (Ss)" from
# its last "N passed, N failed" line; a suite without that line counts as one failure and sets
# finished=no, and one that exits non-zero with no failure counted counts as one.
log=$T/log
run_suite() {
    name=$1; shift
    finished=yes
    start=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    cat "$log"
    secs=$(($(date +%s) - start))
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$name suite: did not finish (exit $rc, ${secs}s)"
        total_fail=$((total_fail + 1))
        finished=no
        return
    fi
    p=${line%% passed*}
    f=${line#*passed, }; f=${f%% failed*}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "$name suite: $p ok, $f not ok (${secs}s)"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

# lane_start FN : runs the shell function FN (a list of run_suite calls) in the background as a
# second lane, with its own log and totals; lane_wait waits for it, prints its output whole and
# adds its totals (a lane that died without its totals counts as one failure).
lane_start() {
    (
        total_pass=0
        total_fail=0
        log=$T/lane.log
        "$1" >"$T/lane.out" 2>&1
        echo "$total_pass $total_fail" >"$T/lane.tot"
    ) &
    lane_pid=$!
}
lane_wait() {
    wait "$lane_pid"
    cat "$T/lane.out"
    if [ -s "$T/lane.tot" ]; then
        read -r lp lf <"$T/lane.tot"
    else
        echo "second lane: did not finish"
        lp=0 lf=1
    fi
    total_pass=$((total_pass + lp))
    total_fail=$((total_fail + lf))
}
