# Basic command-line behaviour: help, unknown commands.
expect_out "help lists commands" "mxu-demo" "$TPUSIM" --help
expect_fail "unknown command is refused" "^tpusim: unknown command 'frobnicate'" "$TPUSIM" frobnicate
