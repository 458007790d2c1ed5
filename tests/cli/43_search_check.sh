# The tiling search's check, quick version (tests/check_search.sh quick; make check-all runs the
# full one): on one seeded random shape per machine (32x32 ws/os/is, edge-8x8, tpu-v4-core bf16,
# tpu-v1), the plan the search chooses is within 1% of the best of every valid tiling simulated.
if sh tests/check_search.sh quick "$TPUSIM" >"$T/sc.out" 2>&1 && grep -Eq '^[0-9]+ passed, 0 failed$' "$T/sc.out"; then
    ok "search within 1% of the exhaustive best ($(tail -n 1 "$T/sc.out" | sed 's/ passed.*//') cases)"
else
    not_ok "search within 1% of the exhaustive best" "$(cat "$T/sc.out")"
fi
# the exhaustive comparison for one GEMM, as a user runs it
if "$TPUSIM" gemm 64 96 80 --no-data --show-search exhaustive >"$T/sc1.out" 2>"$T/err" &&
   grep -Eq '^exhaustive search: [0-9]+ candidates, each simulated \(timing only\) on the whole problem' "$T/sc1.out" &&
   grep -Eq '^chosen [0-9]+ cycles, exhaustive best [0-9]+: ratio 1\.0[0-9]+ \(the best is [0-9]+ of [0-9]+ by estimate\)$' "$T/sc1.out"; then
    ok "--show-search exhaustive compares the choice with every candidate"
else
    not_ok "--show-search exhaustive compares the choice with every candidate" "$(cat "$T/sc1.out" "$T/err")"
fi
