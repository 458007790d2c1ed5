#!/bin/sh
# Command-line checks: runs every tests/cli/*.sh with the binary as $TPUSIM, the test-only
# JSON Schema validator built beside it (tests/tools/) as $JSON_VALIDATE, and the helper
# functions below. Prints "N passed, N failed" last.
TPUSIM=${1:-./build/release/tpusim}
case "$TPUSIM" in /*) ;; *) TPUSIM="$PWD/$TPUSIM" ;; esac
JSON_VALIDATE=${JSON_VALIDATE:-$(dirname "$TPUSIM")/tests/json_validate}
export TPUSIM JSON_VALIDATE
. "$(dirname "$0")/checks.sh"
checks_begin cli
# expect_ok NAME CMD...          : exits 0
expect_ok() {
    n=$1; shift
    if out=$("$@" 2>&1); then ok "$n"; else not_ok "$n (exit $?)" "$out"; fi
}
# expect_fail NAME PATTERN CMD... : exits non-zero, prints exactly one line on stderr matching PATTERN (grep -E)
expect_fail() {
    n=$1; pat=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    lines=$(wc -l <"$T/err")
    if [ "$rc" -eq 0 ]; then not_ok "$n (exit 0, expected failure)" "$(cat "$T/out" "$T/err")"
    elif [ "$rc" -ge 128 ]; then not_ok "$n (crashed, exit $rc)" "$(cat "$T/err")"
    elif ! grep -Eq -- "$pat" "$T/err"; then not_ok "$n (stderr does not match /$pat/)" "$(cat "$T/err")"
    elif [ "$lines" -ne 1 ]; then not_ok "$n (expected a one-line error, got $lines lines)" "$(cat "$T/err")"
    else ok "$n"; fi
}
# expect_out NAME PATTERN CMD...  : exits 0 and stdout matches PATTERN (grep -E)
expect_out() {
    n=$1; pat=$2; shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        if grep -Eq -- "$pat" "$T/out"; then ok "$n"; else not_ok "$n (stdout does not match /$pat/)" "$(head -30 "$T/out")"; fi
    else not_ok "$n (exit $?)" "$(cat "$T/err")"; fi
}
# TP_CLI_SKIP: script names (space-separated) not run, each named in the output; make check-all
# sets it for the sanitizer binary (tests/check_all.sh says which and why)
# TP_CLI_ONLY: when set, only these script names run (for working on one check:
# TP_CLI_ONLY=80_npy.sh sh tests/cli.sh); the others are not mentioned
for f in "$(dirname "$0")"/cli/*.sh; do
    [ -f "$f" ] || continue
    if [ -n "${TP_CLI_ONLY:-}" ]; then
        case " $TP_CLI_ONLY " in *" $(basename "$f") "*) ;; *) continue ;; esac
    fi
    case " ${TP_CLI_SKIP:-} " in
    *" $(basename "$f") "*) echo "# $(basename "$f"): skipped (TP_CLI_SKIP)"; continue ;;
    esac
    echo "# $(basename "$f")"
    . "$f"
done
checks_end
