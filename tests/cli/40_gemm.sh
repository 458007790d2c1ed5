# tpusim gemm: the main job. Results are checked inside tpusim against the reference (exit 1 on
# a mismatch), so "matches the reference" below is a real check; the emitted program is run
# again with `tpusim run` and must give the same output bytes and cycles.

expect_out "plain tpusim runs the main job" "matches the reference bit for bit" "$TPUSIM"
expect_out "gemm int8 verifies" "matches the reference bit for bit" "$TPUSIM" gemm 70 45 100 --dtype int8
expect_out "gemm bf16 verifies" "matches the reference bit for bit" "$TPUSIM" gemm 33 65 47 --dtype bf16
expect_out "gemm 1x1x1" "matches the reference bit for bit" "$TPUSIM" gemm 1 1 1
for df in ws os is; do
    expect_out "gemm $df transposed batched verifies" "matches the reference bit for bit" \
        "$TPUSIM" gemm 21 19 37 --dataflow $df --set tpu.array.rows=8 --set tpu.array.cols=8 \
        --transpose-a --transpose-b --batch 3 --dtype bf16
    expect_out "gemm $df relu int8 verifies" "matches the reference bit for bit" \
        "$TPUSIM" gemm 40 24 50 --dataflow $df --set tpu.array.rows=8 --set tpu.array.cols=8 --epilogue relu
done
# every loop order (k outside a loop keeps several output tiles live in the accumulators),
# on 2 cores x 2 MXUs, batched
for o in mnk nmk mkn nkm kmn knm; do
    expect_out "order $o verifies on 2 cores x 2 MXUs" "matches the reference bit for bit" \
        "$TPUSIM" gemm 37 29 70 --set tpu.array.rows=8 --set tpu.array.cols=8 --set tpu.mxus_per_core=2 \
        --set tpu.cores=2 --tile 16x16x16 --order $o --double-buffer on --dtype bf16 --batch 2
done
expect_out "gemm requant verifies" "matches the reference bit for bit" "$TPUSIM" gemm 30 30 70 --epilogue requant
expect_out "several cores and MXUs" "spread +2 core\(s\), 8 MXU\(s\)" \
    "$TPUSIM" gemm 300 1024 200 -c configs/tpu-v4.yaml --dtype bf16 --no-check
expect_out "--no-data says timing only" "not computed \(--no-data: timing only\)" "$TPUSIM" gemm 64 64 64 --no-data
expect_out "--no-check says not checked" "not checked \(--no-check\)" "$TPUSIM" gemm 64 64 64 --no-check
expect_out "--json - has an integer cycle count under tpu" '^    "cycles": [0-9]+,$' "$TPUSIM" gemm 64 64 64 --json -
expect_out "--show-search lists the chosen candidate" '^\* [0-9]+x[0-9]+x[0-9]+ ' "$TPUSIM" gemm 128 128 128 --show-search

# explicit tilings: fitting ones run as given, the rest are refused with the overflow named
expect_out "A row panel reused across n tiles verifies" "A row panel kept in the UB" \
    "$TPUSIM" gemm 100 300 200 --tile 64x64x64 --order mnk --double-buffer on --transpose-a --batch 2
expect_out "... and its result matches" "matches the reference bit for bit" \
    "$TPUSIM" gemm 100 300 200 --tile 64x64x64 --order mnk --double-buffer on --transpose-a --batch 2 --dtype bf16
expect_out "explicit tiling is used" "tiling +16x16x32 order nmk, double buffering off" \
    "$TPUSIM" gemm 40 40 64 --tile 16x16x32 --order nmk --double-buffer off
# edge-8x8: 256 KiB UB. 128x8x1024 int8, double-buffered: A 2*128*1024 = 256 KiB, C 2*128*8*4 = 8 KiB
expect_fail "UB overflow is refused with the amount" \
    "^tpusim: --tile 128x8x1024: unified buffer needs 264 KiB for A and output tiles \(double-buffered\) but has 256 KiB \(8 KiB over\)$" \
    "$TPUSIM" gemm 128 8 1024 -c configs/edge-8x8.yaml --tile 128x8x1024 --order mnk --double-buffer on
# 256 accumulator rows: 2 slots * 128 rows * (64 / 8 columns) groups = 2048 rows
expect_fail "accumulator overflow is refused" \
    "^tpusim: --tile 128x64x8: accumulators need 2048 rows per MXU for 1 output tile\(s\) of 128 x 64 \(double-buffered\) but have 256 \(1792 over\)$" \
    "$TPUSIM" gemm 128 64 8 -c configs/edge-8x8.yaml --tile 128x64x8 --order mnk --double-buffer on
expect_fail "K tile off the array rows is refused" "must be a multiple of 32" "$TPUSIM" gemm 64 64 64 --tile 32x32x20
expect_fail "bad tile syntax" "^tpusim: --tile 12x12: expected auto or TMxTNxTK" "$TPUSIM" gemm 64 64 64 --tile 12x12
expect_fail "bad order" "^tpusim: --order mmk: expected a permutation" "$TPUSIM" gemm 64 64 64 --order mmk
expect_fail "M of zero" "^tpusim: M: 0 is out of range" "$TPUSIM" gemm 0 4 4
expect_fail "missing K" "^tpusim: gemm: expected M N K" "$TPUSIM" gemm 4 4
expect_fail "unknown flag" "^tpusim: gemm: unknown flag '--tiles'" "$TPUSIM" gemm 4 4 4 --tiles 1x1x1
expect_fail "a C of 2.5G elements needs --no-data" "^tpusim: gemm 50000x50000x32 \(batch 1\): a matrix of 2500000000 elements is over the limit" \
    "$TPUSIM" gemm 50000 50000 32
expect_out "... and runs timing only" "not computed" "$TPUSIM" gemm 50000 50000 32 --no-data
expect_out "split-K over 4 MXUs verifies (part order)" "split-K +4 parts" \
    "$TPUSIM" gemm 100 300 1000 --split-k 4 -c configs/tpu-v4-core.yaml --dtype bf16 --epilogue relu
expect_out "split-K result checked" "matches the reference bit for bit" \
    "$TPUSIM" gemm 50 70 700 --split-k 3 -c configs/tpu-v4-core.yaml --dtype bf16
# K = 1024 in 4 K tiles of 256: 3 parts of ceil(4 / 3) = 2 tiles would be 2, 2 and 0
expect_fail "a split-K that leaves a part empty is refused" \
    "^tpusim: --tile 256x256x256: --split-k 3 cuts the 4 K tiles of K = 1024 into parts of 2, so 1 of the 3 parts would be empty$" \
    "$TPUSIM" gemm 1024 1024 1024 -c configs/tpu-v4-core.yaml --tile 256x256x256 --split-k 3 --order nmk --no-data
expect_fail "split-K beyond the MXUs of a core" "^tpusim: --split-k 2: at most 1 \(the MXUs of one core\)$" \
    "$TPUSIM" gemm 64 64 64 --split-k 2 --dtype bf16
# options that rule out every tile are named, not a --tile the user never gave (edge-8x8 has 256
# accumulator rows: order nkm keeps all ceil(257 / tm) m tiles of tm rows live, >= 257 rows)
expect_fail "no tile fits the given order" \
    "^tpusim: gemm 257x2x100: no tiling fits machine 'edge-8x8' with --order nkm; the largest tried: --tile 257x2x100: accumulators" \
    "$TPUSIM" gemm 257 2 100 -c configs/edge-8x8.yaml --order nkm --no-data
expect_fail "no tile fits the given split-K" \
    "^tpusim: gemm 7x100x8: no tiling fits machine 'tpu-v4-core' with --split-k 2; the largest tried: .*needs at least 2 K tiles but K = 8 makes 1$" \
    "$TPUSIM" gemm 7 100 8 -c configs/tpu-v4-core.yaml --dtype bf16 --split-k 2
expect_fail "unsupported dtype" "does not support" "$TPUSIM" gemm 8 8 8 -c configs/tpu-v1.yaml --dtype bf16

# --a/--b/--out and --emit: the emitted program run by `tpusim run` gives the same bytes and cycles.
# mknpy FILE ROWS COLS: an int8 .npy (version 1.0 header padded to 64 bytes) with values (7i+3) mod 256
mknpy() {
    hdr="{'descr': '|i1', 'fortran_order': False, 'shape': ($2, $3), }"
    pad=$((64 - (10 + ${#hdr} + 1) % 64)); [ "$pad" -eq 64 ] && pad=0
    { printf '\223NUMPY\001\000'; printf "\\$(printf '%03o' $(( (${#hdr} + pad + 1) % 256 )))\\$(printf '%03o' $(( (${#hdr} + pad + 1) / 256 )))"
      printf '%s%*s\n' "$hdr" "$pad" ""
      i=0; n=$(($2 * $3))
      while [ $i -lt $n ]; do printf "\\$(printf '%03o' $(( (7 * i + 3) % 256 )))"; i=$((i + 1)); done; } >"$1"
}
mknpy "$T/a.npy" 20 36
mknpy "$T/b.npy" 36 12
expect_ok "gemm with inputs, output and emit" "$TPUSIM" gemm 20 12 36 --a "$T/a.npy" --b "$T/b.npy" --out "$T/c1.npy" \
    --emit "$T/g.tpu" --json "$T/g.json" --tile 8x8x16 --order mnk --double-buffer on --set tpu.array.rows=8 --set tpu.array.cols=8
expect_ok "tpusim run executes the emitted program" "$TPUSIM" run --set tpu.array.rows=8 --set tpu.array.cols=8 "$T/g.tpu" \
    --in A="$T/a.npy" --in B="$T/b.npy" --out C="$T/c2.npy" --json "$T/r.json"
if cmp -s "$T/c1.npy" "$T/c2.npy"; then ok "emitted program gives the same C"; else not_ok "emitted program gives the same C"; fi
c1=$(grep -m1 '"cycles"' "$T/g.json" 2>/dev/null); c2=$(grep -m1 '"cycles"' "$T/r.json" 2>/dev/null)
if [ -n "$c1" ] && [ "$c1" = "$c2" ]; then ok "emitted program gives the same cycles"; else not_ok "emitted program gives the same cycles" "gemm $c1 / run $c2"; fi
expect_out "--out is raw int32 accumulators" "descr': '<i4'" head -c 128 "$T/c1.npy"
expect_fail "input of the wrong shape" "^tpusim: --a .*: shape is 20 x 36 but this gemm needs 36 x 20" \
    "$TPUSIM" gemm 36 12 20 --a "$T/a.npy" --b "$T/b.npy"
# problems too large to simulate instruction by instruction are refused before anything is built
expect_fail "too many instructions" "^tpusim: gemm 100000x100000x100000: every tiling that fits machine 'tpu-v4' needs more than 8388608 instructions" \
    "$TPUSIM" gemm 100000 100000 100000 --no-data -c configs/tpu-v4.yaml --dtype bf16
expect_fail "batched rows past 2^32" "batch x 16000000 rows exceeds 2\^32 rows" "$TPUSIM" gemm 16000000 4 4 --batch 1000 --no-data

# Seeded random gemms on every shipped TPU machine and dataflow: the JSON report validates
# against docs/output.schema.json (integers where integers belong, every cause of every unit,
# 0 <= utilization <= 1), at least one MXU did work, utilization > 0, every unit's
# cycles_by_cause sums to `cycles`, and the emitted program run by `tpusim run` takes exactly as
# many cycles.
json_check() {
    if [ ! -x "$JSON_VALIDATE" ]; then echo "no $JSON_VALIDATE (make test builds it)"; return; fi
    if ! "$JSON_VALIDATE" docs/output.schema.json "$1" 2>&1; then return; fi
    awk '
    /^    "cycles": / { v=$2; sub(/,$/, "", v); total=v }
    /^    "compute_units_used": / { v=$2; sub(/,$/, "", v); if (v + 0 < 1) { print "no MXU did work"; bad=1; exit } }
    /^    "utilization": / { v=$2; sub(/,$/, "", v); if (!(v + 0 > 0)) { print "utilization " v; bad=1; exit } }
    /"cycles_by_cause": \{/ { in_c=1; sum=0; n++; next }
    in_c && /\}/ { in_c=0; if (sum != total) { print "unit " n ": causes sum to " sum ", cycles " total; bad=1; exit } next }
    in_c { v=$2; sub(/,$/, "", v); sum += v }
    END { if (!bad) { if (n < 3) print "fewer than 3 units"; else print "ok" } }' "$1"
}
seed=12345
# rnd N: r = the next pseudo-random number in 0..N-1 (no subshell, so the seed advances)
rnd() { seed=$(( (seed * 1103515245 + 12345) % 2147483648 )); r=$(( (seed / 65536) % $1 )); }
i=0
while [ $i -lt 24 ]; do
    set -- "" "-c configs/edge-8x8.yaml" "-c configs/teach-4x4.yaml --dtype bf16" "-c configs/tpu-v1.yaml" \
        "-c configs/tpu-v4-core.yaml --dtype bf16" "-c configs/tpu-v4.yaml --dtype bf16"
    rnd 6; shift $r; mach=$1
    set -- 1 3 8 17 33 64 100 129
    rnd 8; shift $r; m=$1
    set -- 1 5 16 40 70 130
    rnd 6; shift $r; n=$1
    set -- 1 7 32 50 200 300
    rnd 6; shift $r; k=$1
    set -- ws os is; rnd 3; shift $r; df=$1
    set -- "" "--epilogue relu" "--batch 2" "--transpose-a --double-buffer off" "--epilogue requant --transpose-b"
    rnd 5; shift $r; extra=$1
    what="gemm $m $n $k $mach --dataflow $df $extra"
    # shellcheck disable=SC2086
    if "$TPUSIM" gemm $m $n $k $mach --dataflow $df $extra --no-data --json "$T/rg.json" --emit "$T/rg.tpu" >/dev/null 2>"$T/err" &&
       "$TPUSIM" run "$T/rg.tpu" ${mach%% --dtype*} --dataflow $df --timing-only --json "$T/rr.json" >/dev/null 2>>"$T/err"; then
        r1=$(json_check "$T/rg.json"); r2=$(json_check "$T/rr.json")
        c1=$(grep -m1 '^    "cycles"' "$T/rg.json"); c2=$(grep -m1 '^    "cycles"' "$T/rr.json")
        if [ "$r1" = ok ] && [ "$r2" = ok ] && [ "$c1" = "$c2" ]; then ok "random $what: causes sum, fields typed, run = gemm"
        else not_ok "random $what" "gemm: $r1 / run: $r2 / $c1 vs $c2"; fi
    else
        not_ok "random $what (failed)" "$(cat "$T/err")"
    fi
    i=$((i + 1))
done
