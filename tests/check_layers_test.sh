#!/bin/sh
# Checks of the include-layering check (tests/check_layers.sh): the tree passes it, and copies
# of sim/ with one bad include each fail with the expected one-line message naming file:line
# and the edge. Prints "N passed, N failed" last.
HERE=$(dirname "$0")
CHECK="$HERE/check_layers.sh"
. "$(dirname "$0")/checks.sh"
checks_begin layers

# fresh copy of sim/ in $T/tree
fresh() { rm -rf "$T/tree"; mkdir -p "$T/tree" && cp -R "$HERE/../sim" "$T/tree/sim"; }
# adds LINE at the end of FILE (relative to the copy); prints its line number
add_line() { printf '%s\n' "$2" >>"$T/tree/$1"; wc -l <"$T/tree/$1" | tr -d ' '; }
# expect_bad NAME MESSAGE: the check on the copy exits 1 and prints exactly MESSAGE as its
# only failure, and a summary with 1 failed
expect_bad() {
    sh "$CHECK" "$T/tree" >"$T/out" 2>&1
    rc=$?
    msgs=$(grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$T/out")
    if [ "$rc" -ne 1 ]; then not_ok "$1 (exit $rc, expected 1)" "$(cat "$T/out")"
    elif [ "$msgs" != "$2" ]; then not_ok "$1 (wrong message)" "got:      $msgs
expected: $2"
    elif ! tail -n 1 "$T/out" | grep -Eq '^[0-9]+ passed, 1 failed$'; then not_ok "$1 (summary)" "$(tail -n 1 "$T/out")"
    else ok "$1"; fi
}

if out=$(sh "$CHECK" "$HERE/.." 2>&1) && printf '%s\n' "$out" | tail -n 1 | grep -Eq '^[1-9][0-9]* passed, 0 failed$'; then
    ok "layers: the tree passes"
else
    not_ok "layers: the tree passes" "$out"
fi

fresh
n=$(add_line sim/num/num.c '#include "tpu/machine.h"')
expect_bad "layers: upward include is refused" \
    "sim/num/num.c:$n: num (rank 2) includes tpu/machine.h (rank 3): upward include"

fresh
n=$(add_line sim/base/err.h '  #  include "config/config.h"')
expect_bad "layers: upward include with spaces is refused" \
    "sim/base/err.h:$n: base (rank 0) includes config/config.h (rank 1): upward include"

fresh
n=$(add_line sim/work/ref.c '#include "mem/dram.h"')
expect_bad "layers: sideways include outside the allow-list is refused" \
    "sim/work/ref.c:$n: work includes mem/dram.h: sideways between folders of rank 2, not in the allow-list"

fresh
n=$(add_line sim/num/num.c '#include "work/gemm.h"')
expect_bad "layers: the allow-list is one-way (num -> work is refused)" \
    "sim/num/num.c:$n: num includes work/gemm.h: sideways between folders of rank 2, not in the allow-list"

fresh
mkdir -p "$T/tree/sim/extra"
printf '#include "base/err.h"\n' >"$T/tree/sim/extra/x.c"
expect_bad "layers: a folder without a rank is refused" \
    "sim/extra/x.c:1: extra is not a ranked folder (give it a rank in tests/check_layers.sh)"

fresh
n=$(add_line sim/tpu/isa.c '#include "gpu/sm.h"')
expect_bad "layers: tpu and gpu (both rank 3) may not include each other" \
    "sim/tpu/isa.c:$n: tpu includes gpu/sm.h: sideways between folders of rank 3, not in the allow-list"

fresh
printf '/* #include "cli/cli.h" in a comment */\n#include <yaml.h>\n#include "err.h"\n' >>"$T/tree/sim/base/err.c"
if out=$(sh "$CHECK" "$T/tree" 2>&1); then ok "layers: comments, system and folder-less includes are not edges"
else not_ok "layers: comments, system and folder-less includes are not edges" "$out"; fi

checks_end
