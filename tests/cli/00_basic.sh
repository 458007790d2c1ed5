# Basic command-line behaviour: help, unknown commands.
expect_out "help lists commands" "mxu-demo" "$TPUSIM" --help
expect_fail "unknown command is refused" "^tpusim: unknown command 'frobnicate'" "$TPUSIM" frobnicate
# a report that cannot be written is an error, not a silent success
if [ -w /dev/full ]; then
    for cmd in "gemm 8 8 8" "mxu 8 8 8" "mxu-demo" "config show" "--help"; do
        "$TPUSIM" $cmd >/dev/full 2>"$T/err"; rc=$?
        if [ "$rc" -ne 0 ] && grep -q "^tpusim: stdout: write error$" "$T/err"; then ok "$cmd to a full stdout fails"; else not_ok "$cmd to a full stdout fails (exit $rc)" "$(cat "$T/err")"; fi
    done
fi
