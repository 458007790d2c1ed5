# Sourced by the shell check scripts (tests/cli.sh, tests/check_*.sh, tests/valgrind_cli.sh):
# one scratch directory and one way to count and print results.
#   checks_begin NAME : $T, a fresh directory /tmp/tpusim-NAME-XXXXXX removed on exit; pass=fail=0
#   ok NAME           : counts a pass, prints "ok   NAME"
#   not_ok NAME [OUT] : counts a failure, prints "FAIL NAME" and the first $SHOW_LINES (20) lines of OUT
#   checks_end        : prints "N passed, N failed" (the line tests/suite.sh reads); fails if any failed
checks_begin() {
    T=$(mktemp -d "/tmp/tpusim-$1-XXXXXX") || exit 1
    trap 'rm -rf "$T"' EXIT
    pass=0
    fail=0
}
ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() {
    fail=$((fail + 1))
    echo "FAIL $1"
    [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     | /' | head -"${SHOW_LINES:-20}"
}
checks_end() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
