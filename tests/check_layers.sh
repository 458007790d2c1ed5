#!/bin/sh
# The include-layering check (ARCHITECTURE.md "Arrows point one way"), run by `make test`.
#   sh tests/check_layers.sh [ROOT]      (ROOT: the directory holding sim/, default .)
#
# Every folder under sim/ has a rank; a file may include a header of its own folder or of a
# folder of lower rank:
#   0 base    1 config    2 stats mem num work    3 tpu gpu    4 tiler report    5 cli
# Each `#include "folder/x.h"` line in ROOT/sim/*/*.[ch] is one check. It fails, naming
# file:line and the edge, when it points to a higher rank (upward), to another folder of the
# same rank (sideways) unless the edge is in ALLOW below, or when either folder has no rank
# (a new folder must be placed here first). Prints the failures, then "N passed, N failed";
# exits 1 if any failed.
ROOT=${1:-.}
if [ ! -d "$ROOT/sim" ]; then
    echo "check_layers: $ROOT/sim: no such directory" >&2
    exit 2
fi

# Sideways edges that are allowed, as "from>to", each with its reason:
#   work>num   the reference GEMM (work/ref.c) runs num/gemm.h's kernels and the epilogue's
#              num_requant_i8; the input fill (work/fill.c) runs on num/pool.h's workers.
#              num never includes work.
#   mem>stats  the memory models record their channel bursts for --trace (stats/timeline.h);
#              stats never includes mem.
ALLOW="work>num mem>stats"

FILES=$(find "$ROOT/sim" -mindepth 2 -maxdepth 2 -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
if [ -z "$FILES" ]; then
    echo "check_layers: no sources under $ROOT/sim" >&2
    exit 2
fi
# shellcheck disable=SC2086 # one path per word: the tree has no spaces in file names
awk -v root="$ROOT/" -v allow="$ALLOW" '
BEGIN {
    split("base:0 config:1 stats:2 mem:2 num:2 work:2 tpu:3 gpu:3 tiler:4 report:4 cli:5", kv, " ")
    for (i in kv) {
        split(kv[i], p, ":")
        rank[p[1]] = p[2] + 0
    }
    n = split(allow, al, " ")
    for (i = 1; i <= n; i++)
        allowed[al[i]] = 1
    pass = 0
    fail = 0
}
FNR == 1 {
    file = FILENAME
    if (index(file, root) == 1)
        file = substr(file, length(root) + 1)
    sub(/^\.\//, "", file)
    split(file, parts, "/")      # sim / folder / name
    from = parts[2]
}
/^[ \t]*#[ \t]*include[ \t]*"[^"\/]+\/[^"]+"/ {
    line = $0
    sub(/^[^"]*"/, "", line)
    sub(/".*$/, "", line)
    to = line
    sub(/\/.*$/, "", to)
    where = file ":" FNR ": "
    if (to == from) {
        pass++
        next
    }
    if (!(from in rank)) {
        print where from " is not a ranked folder (give it a rank in tests/check_layers.sh)"
        fail++
    } else if (!(to in rank)) {
        print where from " includes " line ", but " to " is not a ranked folder (give it a rank in tests/check_layers.sh)"
        fail++
    } else if (rank[to] > rank[from]) {
        print where from " (rank " rank[from] ") includes " line " (rank " rank[to] "): upward include"
        fail++
    } else if (rank[to] == rank[from] && !((from ">" to) in allowed)) {
        print where from " includes " line ": sideways between folders of rank " rank[from] ", not in the allow-list"
        fail++
    } else
        pass++
}
END {
    print pass " passed, " fail " failed"
    exit (fail > 0 ? 1 : 0)
}' $FILES
