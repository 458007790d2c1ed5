# tpusim gemm: what the tiling search shows (--show-search lists the best few, --show-search all
# every candidate; the JSON follows) and the notes that keep the plan from changing silently
# (docs/tiler.md "Notes"). Lines are compared whole (grep -Fx), so the text is pinned.

# gs_lines NAME FILE LINE...: FILE has every LINE as a whole line
gs_lines() {
    n=$1; f=$2; shift 2
    for l in "$@"; do
        if ! grep -Fxq -- "$l" "$f"; then not_ok "$n" "missing line: $l
$(head -20 "$f")"; return; fi
    done
    ok "$n"
}
# gs_count NAME WANT FILE PATTERN: WANT lines of FILE match PATTERN (grep -E)
gs_count() {
    got=$(grep -Ec -- "$4" "$3")
    if [ "$got" -eq "$2" ]; then ok "$1"; else not_ok "$1 ($got lines, want $2)" "$(head -20 "$3")"; fi
}
# gs_run NAME CMD...: runs CMD with stdout to $T/gs.out; fails the check if it fails
# gs_match NAME FILE PATTERN...: each extended regex matches some line of FILE
gs_match() {
    n=$1; f=$2; shift 2
    for l in "$@"; do
        if ! grep -Eq -- "$l" "$f"; then not_ok "$n" "no line matches: $l
$(head -20 "$f")"; return; fi
    done
    ok "$n"
}
gs_run() {
    n=$1; shift
    if "$@" >"$T/gs.out" 2>"$T/err"; then return 0; fi
    not_ok "$n (exit $?)" "$(cat "$T/err")"
    return 1
}
gs_schema() {
    if [ ! -x "$JSON_VALIDATE" ]; then not_ok "$1 (no $JSON_VALIDATE; make test builds it)"; return; fi
    if "$JSON_VALIDATE" docs/output.schema.json "$2" 2>"$T/err"; then ok "$1"; else not_ok "$1" "$(cat "$T/err")"; fi
}

# --show-search: the best 10 (ranked by estimate, the chosen one marked) and every simulated one, a count of the rest
if gs_run "--show-search on a 6468-candidate search" "$TPUSIM" gemm 1024 1024 1024 --set tpu.array.rows=8 \
        --set tpu.array.cols=8 --set tpu.dram.bandwidth=10GB/s --no-data --show-search; then
    gs_match "--show-search says how many fit and how many were simulated" "$T/gs.out" \
        '^tiling search: 6468 candidates fit, ranked by the analytic estimate; the best [0-9]+ simulated' \
        '^\(timing only\) on a slice of [0-9]+ rows of A and C, all of N and K; \* = fewest simulated cycles, chosen$' \
        '^  tile               order db   split       estimate      simulated$' \
        '^\* [0-9]+x[0-9]+x[0-9]+ +[mnk]{3} +(on|off) +[0-9]+ +[0-9]+ +[0-9]+$' \
        '^  \.\.\. [0-9]+ more, none simulated \(--show-search all lists every candidate\)$'
    # the best 10 by estimate and every simulated one: the listed rows are those
    gs_listed=$(grep -Ec '^[ *] [0-9]+x[0-9]+x[0-9]+ ' "$T/gs.out")
    gs_more=$(sed -n 's/^  \.\.\. \([0-9]*\) more.*/\1/p' "$T/gs.out")
    if [ "$gs_listed" -ge 10 ] && [ $((gs_listed + gs_more)) -eq 6468 ]; then ok "--show-search lists the best 10 and the simulated ones ($gs_listed), not 6468"
    else not_ok "--show-search lists the best 10 and the simulated ones" "$gs_listed listed, $gs_more more"; fi
    gs_count "... one of them chosen" 1 "$T/gs.out" '^\* '
    # the report's tiling is the starred candidate's, and its cycles those of that plan run alone
    gs_tile=$(sed -n 's/^\* \([0-9x]*\) *\([mnk]*\) *\(on\|off\) .*/\1 \2 \3/p' "$T/gs.out")
    set -- $gs_tile
    gs_cyc=$(sed -n 's/^cycles  *\([0-9]*\) .*/\1/p' "$T/gs.out")
    gs_alone=$("$TPUSIM" gemm 1024 1024 1024 --set tpu.array.rows=8 --set tpu.array.cols=8 --set tpu.dram.bandwidth=10GB/s \
        --no-data --tile "$1" --order "$2" --double-buffer "$3" | sed -n 's/^cycles  *\([0-9]*\) .*/\1/p')
    if grep -Eq "^  tiling +$1 order $2, double buffering $3" "$T/gs.out" && [ -n "$gs_cyc" ] && [ "$gs_cyc" = "$gs_alone" ]; then
        ok "... and the run is the chosen plan's ($1 $2 $3), cycles unchanged ($gs_cyc)"
    else not_ok "... and the run is the chosen plan's, cycles unchanged" "chosen '$gs_tile', cycles $gs_cyc, alone $gs_alone"; fi
fi
# --show-search all: every candidate; the header counts them
if gs_run "--show-search all" "$TPUSIM" gemm 128 128 128 --no-data --show-search all; then
    gs_match "--show-search all: the header" "$T/gs.out" \
        '^tiling search: 756 candidates fit, ranked by the analytic estimate; the best [0-9]+ simulated \([0-9]+ distinct programs\)$'
    gs_count "--show-search all lists all 756" 756 "$T/gs.out" '^[ *] [0-9]+x[0-9]+x[0-9]+ '
    gs_count "... and no 'more' line" 0 "$T/gs.out" 'more, none simulated'
fi
# "all" is an optional word: a number after --show-search is still M
expect_out "--show-search before M N K" "^gemm 64x64x64 int8" "$TPUSIM" gemm --show-search 64 64 64 --no-data
# one candidate: nothing to simulate
if gs_run "--show-search with one candidate" "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --tile 128x8x1024 \
        --order mnk --no-data --show-search; then
    gs_match "--show-search with one candidate says it was not simulated" "$T/gs.out" \
        '^tiling search: 1 candidate fits, chosen without simulating$' \
        '^\* 128x8x1024 +mnk +off +1 +[0-9]+ +-$'
fi

# the JSON follows: the listed candidates, how many fit, how many were simulated
if gs_run "--show-search --json" "$TPUSIM" gemm 128 128 128 --no-data --show-search --json -; then
    cp "$T/gs.out" "$T/gs-top.json"
    gs_match "JSON search: candidates_total and candidates_simulated" "$T/gs-top.json" \
        '^      "candidates_total": 756,$' '^      "candidates_simulated": [0-9]+,$'
    # as many listed as the text lists
    "$TPUSIM" gemm 128 128 128 --no-data --show-search >"$T/gs-txt.out" 2>&1
    gs_count "JSON search: the best 10 and every simulated one listed" "$(grep -Ec '^[ *] [0-9]+x[0-9]+x[0-9]+ ' "$T/gs-txt.out")" \
        "$T/gs-top.json" '"estimate_cycles"'
    gs_count "JSON search: one chosen" 1 "$T/gs-top.json" '"chosen": true'
    gs_schema "JSON search (top 10) validates" "$T/gs-top.json"
fi
if gs_run "--show-search all --json" "$TPUSIM" gemm 128 128 128 --no-data --show-search all --json -; then
    gs_count "JSON search with all: 756 candidates listed" 756 "$T/gs.out" '"estimate_cycles"'
    gs_schema "JSON search (all) validates" "$T/gs.out"
fi

# Notes. Double buffering left to the tiler and off: the tiling line and a note say why
# (edge-8x8: 256 KiB UB; 128x8x1024 double-buffered needs 256 KiB of A + 8 KiB of C).
db_note="double buffering off because on does not fit: unified buffer needs 264 KiB for A and output tiles (double-buffered) but has 256 KiB (8 KiB over)"
if gs_run "--tile without --double-buffer" "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --tile 128x8x1024 --no-data; then
    gs_lines "--tile without --double-buffer: single-buffered, and it says why" "$T/gs.out" \
        "  tiling           128x8x1024 order mnk, double buffering off (on does not fit), epilogue none" \
        "  note             $db_note" \
        "cycles       16867028 (33.73 ms at 500 MHz)"
fi
if gs_run "--tile --double-buffer off" "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --tile 128x8x1024 \
        --double-buffer off --no-data; then
    gs_lines "--double-buffer off as asked: no note" "$T/gs.out" \
        "  tiling           128x8x1024 order mnk, double buffering off, epilogue none"
    gs_count "... none at all" 0 "$T/gs.out" '^  note '
fi
if gs_run "double-buffer note in JSON" "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --tile 128x8x1024 --no-data --json -; then
    gs_lines "JSON gemm.notes has the double-buffer note" "$T/gs.out" \
        '          "kind": "double_buffer_off",' "          \"message\": \"$db_note\""
    gs_schema "JSON with a note validates" "$T/gs.out"
fi
if gs_run "double-buffer note in --emit" "$TPUSIM" gemm 1024 1024 1024 -c configs/edge-8x8.yaml --tile 128x8x1024 --no-data --emit -; then
    gs_lines "--emit carries the note as a comment" "$T/gs.out" "; note: $db_note"
fi
# a tile side past its dimension runs as the dimension, and says so
if gs_run "--tile past M" "$TPUSIM" gemm 1024 1024 1024 --tile 4096x64x128 --no-data; then
    gs_lines "--tile past M: runs as M, with a note" "$T/gs.out" \
        "  tiling           1024x64x128 order knm, double buffering on, epilogue none" \
        "  note             --tile 4096x64x128 runs as 1024x64x128: a tile side is at most its dimension (M = 1024)"
fi
# split-K on MXUs that N already fills: run as asked (2.4x slower than without), with a note (the
# tile is given: the search itself takes a split-K only where it spreads over idle MXUs)
if gs_run "--split-k on full MXUs" "$TPUSIM" gemm 256 512 2048 -c configs/tpu-v4-core.yaml --split-k 4 --tile 256x512x512 --no-data; then
    gs_lines "--split-k whose MXUs N already fills: runs, with a note" "$T/gs.out" \
        "  split-K          4 parts of K = 512 on different MXUs, summed in part order (C = Pp + C)" \
        "  note             --split-k 4 adds no MXUs: the 4 column groups of a 512-wide N tile already occupy the 4 MXUs of a core, so the split only adds the vector unit's sums of the parts (compare a run without --split-k)" \
        "cycles       24563 (23.39 us at 1050 MHz)"
fi
if gs_run "--split-k that spreads" "$TPUSIM" gemm 1024 128 1024 -c configs/tpu-v4-core.yaml --dtype bf16 --split-k 4 --no-data; then
    gs_count "--split-k onto idle MXUs: no note" 0 "$T/gs.out" '^  note '
fi
if gs_run "no notes in JSON" "$TPUSIM" gemm 64 64 64 --json -; then
    gs_lines "JSON gemm.notes is empty when there is nothing to say" "$T/gs.out" '      "notes": []'
fi
