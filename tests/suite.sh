# Sourced by tests/run_all.sh (make test) and tests/check_all.sh (make check-all): one suite runner
# for both. The caller sets total_pass=0, total_fail=0 and log (a scratch file).
# run_suite NAME CMD... : runs CMD, prints its output and "NAME suite: P ok, F not ok (Ss)" from
# its last "N passed, N failed" line; a suite without that line counts as one failure and sets
# finished=no, and one that exits non-zero with no failure counted counts as one.
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
