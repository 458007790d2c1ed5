# tpusim mxu / mxu-demo: every dataflow, dtype and engine passes its reference check, both
# engines report the same cycles, causes sum to cycles, --out/--vcd write files, errors are one line.
# (variables are prefixed mx_: the helpers in tests/cli.sh use n, pat and out)
mx_small="--set tpu.array.rows=8 --set tpu.array.cols=4"
for mx_df in ws os is; do
    for mx_dt in int8 bf16; do
        for mx_eng in fast pe; do
            expect_out "mxu $mx_df $mx_dt $mx_eng passes its check" "check +passed" \
                "$TPUSIM" mxu 13 9 21 $mx_small --dataflow $mx_df --dtype $mx_dt --engine $mx_eng
        done
        # both engines print the same cycle count and causes
        "$TPUSIM" mxu 13 9 21 $mx_small --dataflow $mx_df --dtype $mx_dt --json - >"$T/mx_fast.json" 2>&1
        "$TPUSIM" mxu 13 9 21 $mx_small --dataflow $mx_df --dtype $mx_dt --engine pe --json - >"$T/mx_pe.json" 2>&1
        mx_cf=$(grep -E '"(cycles|busy|padding|weight_shift|fill_drain|idle)"' "$T/mx_fast.json")
        mx_cp=$(grep -E '"(cycles|busy|padding|weight_shift|fill_drain|idle)"' "$T/mx_pe.json")
        if [ -n "$mx_cf" ] && [ "$mx_cf" = "$mx_cp" ]; then ok "mxu $mx_df $mx_dt: pe and fast agree on cycles and causes"
        else not_ok "mxu $mx_df $mx_dt: pe and fast agree on cycles and causes" "$mx_cf
---
$mx_cp"; fi
        # cycles_by_cause sums to cycles
        mx_cyc=$(sed -n 's/^    "cycles": \([0-9]*\),$/\1/p' "$T/mx_pe.json")
        mx_sum=$(sed -n '/"cycles_by_cause"/,/}/s/^ *"[a-z_]*": \([0-9]*\),\{0,1\}$/\1/p' "$T/mx_pe.json" |
                 awk '{s += $1} END {print s}')
        if [ -n "$mx_cyc" ] && [ "$mx_cyc" = "$mx_sum" ]; then ok "mxu $mx_df $mx_dt: causes sum to cycles ($mx_cyc)"
        else not_ok "mxu $mx_df $mx_dt: causes sum to cycles" "cycles '$mx_cyc', sum '$mx_sum'"; fi
    done
done

# JSON fields (hand-worked: 64x64x64 ws on the default 32x32 array = 4 folds of m = 64; the first
# weight load is 32 cycles, each later one waits for the swap wave (t0 + 62) and takes 32 more, so
# 30 cycles of each are exposed: 32 + 3*30 = 122 weight_shift,
# 256 busy, 63 = R + C - 1 drain)
"$TPUSIM" mxu 64 64 64 --json - >"$T/mx.json" 2>&1
for mx_field in '"cycles": 441,' '"macs": 262144,' '"engine": "fast",' '"dataflow": "ws",' \
        '"dtype": "int8",' '"rows": 32,' '"cols": 32,' '"timing": "pipelined",' '"check": "match"' \
        '"busy": 256,' '"padding": 0,' '"weight_shift": 122,' '"fill_drain": 63,' '"idle": 0' '"utilization": 0.58'; do
    if grep -qF -- "$mx_field" "$T/mx.json"; then ok "mxu --json - has $mx_field"
    else not_ok "mxu --json - has $mx_field" "$(cat "$T/mx.json")"; fi
done
# scalesim timing: 4 folds x (2R + C + T - 2 = 158) = 632 = SCALE-Sim's 631 + 1
expect_out "mxu scalesim timing counts SCALE-Sim's cycles + 1" "^  cycles +632\$" \
    "$TPUSIM" mxu 64 64 64 --set tpu.array.timing=scalesim
expect_out "mxu --json FILE keeps the text report" "^  cycles +441\$" "$TPUSIM" mxu 64 64 64 --json "$T/mx2.json"
if grep -q '"cycles": 441' "$T/mx2.json"; then ok "mxu --json FILE writes the file"; else not_ok "mxu --json FILE writes the file"; fi

# --out: a .npy of M*N 4-byte accumulators after a header padded to 64 bytes
expect_ok "mxu --out" "$TPUSIM" mxu 13 9 21 --out "$T/mx_c.npy"
mx_size=$(wc -c <"$T/mx_c.npy")
if [ $(( (mx_size - 13 * 9 * 4) % 64 )) -eq 0 ] && [ "$mx_size" -gt $((13 * 9 * 4)) ] && [ "$mx_size" -lt $((13 * 9 * 4 + 256)) ]
then ok "mxu --out writes 13x9 int32 ($mx_size bytes)"; else not_ok "mxu --out size" "$mx_size bytes"; fi
if head -c 80 "$T/mx_c.npy" | grep -q "'descr': '<i4'"; then ok "mxu --out int8 -> <i4"; else not_ok "mxu --out int8 -> <i4"; fi
expect_ok "mxu --out bf16" "$TPUSIM" mxu 13 9 21 --dtype bf16 --out "$T/mx_f.npy"
if head -c 80 "$T/mx_f.npy" | grep -q "'descr': '<f4'"; then ok "mxu --out bf16 -> <f4"; else not_ok "mxu --out bf16 -> <f4"; fi

# --a/--b: a hand-made int8 .npy (2x3 of 1..6); as A of a 2x3x3 GEMM it works, as A of 3x3x3 it is refused
mx_npy() {   # mx_npy FILE ROWS COLS BYTES(octal escapes): int8 .npy v1.0
    mx_hdr="{'descr': '|i1', 'fortran_order': False, 'shape': ($2, $3), }"
    mx_pad=$(( 64 - (10 + ${#mx_hdr} + 1) % 64 ))
    { printf '\223NUMPY\001\000'; printf "\\$(printf %03o $(( (${#mx_hdr} + mx_pad + 1) % 256 )))\\000"
      printf '%s' "$mx_hdr"; printf "%${mx_pad}s" ''; printf '\n'; printf "$4"; } >"$1"
}
mx_npy "$T/mx_a.npy" 2 3 '\001\002\003\004\005\006'
mx_npy "$T/mx_b.npy" 3 3 '\001\000\000\000\001\000\000\000\001'
expect_out "mxu --a --b (B = identity)" "check +passed" "$TPUSIM" mxu 2 3 3 --a "$T/mx_a.npy" --b "$T/mx_b.npy" --out "$T/mx_ab.npy"
if od -An -tx1 "$T/mx_ab.npy" | tr -d ' \n' | grep -q '010000000200000003000000040000000500000006000000$'
then ok "mxu --a --b result is A"; else not_ok "mxu --a --b result is A" "$(od -An -tx1 "$T/mx_ab.npy" | tail -3)"; fi
expect_fail "mxu bad A shape names the file" "^tpusim: $T/mx_a.npy: shape 2x3, expected M x K = 3x3\$" \
    "$TPUSIM" mxu 3 3 3 --a "$T/mx_a.npy" --b "$T/mx_b.npy"
expect_fail "mxu int32 .npy as input refused" "mx_c.npy" "$TPUSIM" mxu 13 9 21 --a "$T/mx_c.npy" --b "$T/mx_b.npy"

# --vcd
expect_ok "mxu --vcd" "$TPUSIM" mxu 5 4 6 --set tpu.array.rows=4 --set tpu.array.cols=4 --engine pe --vcd "$T/mx.vcd"
if grep -q '^\$scope module pe_2_3 \$end' "$T/mx.vcd" && grep -q '^\$var wire 32 .* psum \$end' "$T/mx.vcd" &&
   grep -q '^\$enddefinitions' "$T/mx.vcd" && grep -q '^#20$' "$T/mx.vcd"
then ok "mxu --vcd has mxu.pe_2_3.psum and every cycle's changes"; else not_ok "mxu --vcd content" "$(head -20 "$T/mx.vcd")"; fi
expect_fail "mxu --vcd needs --engine pe" "^tpusim: --vcd: needs --engine pe" "$TPUSIM" mxu 4 4 4 --vcd "$T/x.vcd"
expect_fail "mxu --vcd refuses a giant dump" "^tpusim: --vcd: a 32x32 array x [0-9]+ cycles is too large" \
    "$TPUSIM" mxu 1024 1024 1024 --engine pe --vcd "$T/x.vcd"

# errors: one line naming the flag or file
expect_fail "mxu missing dims" "^tpusim: mxu: expected M N K" "$TPUSIM" mxu 1 2
expect_fail "mxu bad dim" "^tpusim: K: expected a whole number, got 'x'\$" "$TPUSIM" mxu 1 2 x
expect_fail "mxu zero dim" "^tpusim: M: 0 is out of range" "$TPUSIM" mxu 0 2 3
expect_fail "mxu too large" "^tpusim: mxu: 100000x100000x100000 is too large" "$TPUSIM" mxu 100000 100000 100000
expect_fail "mxu bad engine" "^tpusim: --engine: unknown engine 'warp'" "$TPUSIM" mxu 2 2 2 --engine warp
expect_fail "mxu bad dtype" "^tpusim: --dtype: unknown dtype 'fp8'" "$TPUSIM" mxu 2 2 2 --dtype fp8
expect_fail "mxu bad dataflow" "^tpusim: --dataflow: unknown dataflow 'xs'" "$TPUSIM" mxu 2 2 2 --dataflow xs
expect_fail "mxu unknown flag" "^tpusim: mxu: unknown flag '--bogus'" "$TPUSIM" mxu 2 2 2 --bogus
expect_fail "mxu flag without value" "^tpusim: --seed needs a value\$" "$TPUSIM" mxu 2 2 2 --seed
expect_fail "mxu --a without --b" "^tpusim: --a: --a and --b go together\$" "$TPUSIM" mxu 2 2 2 --a "$T/mx_a.npy"
expect_fail "mxu missing .npy" "^tpusim: $T/none.npy: " "$TPUSIM" mxu 2 2 2 --a "$T/none.npy" --b "$T/none.npy"
expect_fail "mxu dtype the machine lacks" "^tpusim: machine 'tpu-v2' does not support int8" \
    "$TPUSIM" mxu 2 2 2 -c configs/tpu-v2.yaml --dtype int8
expect_fail "mxu pe refuses scalesim timing" "^tpusim: --engine pe: the per-PE engine models tpu.array.timing=pipelined only" \
    "$TPUSIM" mxu 2 2 2 --set tpu.array.timing=scalesim --engine pe
expect_fail "mxu --out to a bad path" "^tpusim: /nonexistent/x.npy: " "$TPUSIM" mxu 2 2 2 --out /nonexistent/x.npy
expect_out "mxu --help" "usage: tpusim mxu M N K" "$TPUSIM" mxu --help
expect_out "mxu --no-check" '"check": "not_checked"' "$TPUSIM" mxu 64 64 64 --no-check --json -

# mxu-demo
expect_out "mxu-demo prints cycles" "^cycle 0  \[weight_shift\]\$" "$TPUSIM" mxu-demo
expect_out "mxu-demo shows accumulator writes" "^cycle 14  \[fill_drain\]  accumulators <- row 3 of fold 0.s C\$" "$TPUSIM" mxu-demo
expect_out "mxu-demo checks its result" "check passed" "$TPUSIM" mxu-demo
expect_out "mxu-demo teach-4x4 os bf16" "accumulator" "$TPUSIM" mxu-demo -c configs/teach-4x4.yaml 5 3 6 --dataflow os --dtype bf16
expect_out "mxu-demo is shows the shadow load" "^shadow weights \(loading\):\$" "$TPUSIM" mxu-demo 3 5 4 --dataflow is
expect_fail "mxu-demo refuses big arrays" "^tpusim: mxu-demo: a 17x4 array is too large to print" "$TPUSIM" mxu-demo --set tpu.array.rows=17
expect_fail "mxu-demo M N K together" "^tpusim: mxu-demo: expected M N K together" "$TPUSIM" mxu-demo 4 4
expect_fail "mxu-demo bad flag" "^tpusim: mxu-demo: unknown flag '--nope'" "$TPUSIM" mxu-demo --nope

# VCD identifiers are unique (a 4x4 ws array declares 96 wires: ids run past one character), and
# values are right: on a 1x1 array A = [[2]], B = [[3]] the partial sum becomes 6 = b110
mx_dups=$(sed -n 's/^\$var wire [0-9]* \([^ ]*\) .*/\1/p' "$T/mx.vcd" | sort | uniq -d | head -3)
mx_nvar=$(grep -c '^\$var wire' "$T/mx.vcd")
if [ -z "$mx_dups" ] && [ "$mx_nvar" -eq 96 ]; then ok "mxu --vcd: 96 wires with unique ids"
else not_ok "mxu --vcd: 96 wires with unique ids" "wires $mx_nvar, duplicates: $mx_dups"; fi
mx_npy "$T/mx_a1.npy" 1 1 '\002'
mx_npy "$T/mx_b1.npy" 1 1 '\003'
expect_ok "mxu --vcd 1x1" "$TPUSIM" mxu 1 1 1 --a "$T/mx_a1.npy" --b "$T/mx_b1.npy" \
    --set tpu.array.rows=1 --set tpu.array.cols=1 --engine pe --vcd "$T/mx1.vcd"
mx_psum_id=$(sed -n 's/^\$var wire 32 \([^ ]*\) psum \$end$/\1/p' "$T/mx1.vcd")
if [ -n "$mx_psum_id" ] && grep -qxF "b110 $mx_psum_id" "$T/mx1.vcd"; then ok "mxu --vcd: psum 2*3 = b110"
else not_ok "mxu --vcd: psum 2*3 = b110" "$(cat "$T/mx1.vcd")"; fi
