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
# weight load is 32 cycles; each later one waits for the swap wave to leave column 0 (t0 + R - 1 =
# t0 + 31) and takes 32 more, done at t0 + 63 < t0 + 64 when the previous fold's stream ends, so
# only the first is exposed: 32 weight_shift, 256 busy, 63 = R + C - 1 drain: 351 cycles,
# utilization 262144 / (351 x 1024) = 0.7293)
"$TPUSIM" mxu 64 64 64 --json - >"$T/mx.json" 2>&1
for mx_field in '"cycles": 351,' '"macs": 262144,' '"engine": "fast",' '"dataflow": "ws",' \
        '"dtype": "int8",' '"rows": 32,' '"cols": 32,' '"timing": "pipelined",' '"check": "match"' \
        '"busy": 256,' '"padding": 0,' '"weight_shift": 32,' '"fill_drain": 63,' '"idle": 0' '"utilization": 0.7293'; do
    if grep -qF -- "$mx_field" "$T/mx.json"; then ok "mxu --json - has $mx_field"
    else not_ok "mxu --json - has $mx_field" "$(cat "$T/mx.json")"; fi
done
# scalesim timing: 4 folds x (2R + C + T - 2 = 158) = 632 = SCALE-Sim's 631 + 1
expect_out "mxu scalesim timing counts SCALE-Sim's cycles + 1" "^  cycles +632\$" \
    "$TPUSIM" mxu 64 64 64 --set tpu.array.timing=scalesim
expect_out "mxu --json FILE keeps the text report" "^  cycles +351\$" "$TPUSIM" mxu 64 64 64 --json "$T/mx2.json"
if grep -q '"cycles": 351' "$T/mx2.json"; then ok "mxu --json FILE writes the file"; else not_ok "mxu --json FILE writes the file"; fi

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
   grep -q '^\$enddefinitions' "$T/mx.vcd" && grep -q '^#200$' "$T/mx.vcd"
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
expect_fail "mxu --out to a bad path (refused before the run, naming the flag)" "^tpusim: --out /nonexistent/x.npy: cannot open for writing: directory '/nonexistent' does not exist$" "$TPUSIM" mxu 2 2 2 --out /nonexistent/x.npy
expect_out "mxu --help" "usage: tpusim mxu M N K" "$TPUSIM" mxu --help
expect_out "mxu --no-check" '"check": "not_checked"' "$TPUSIM" mxu 64 64 64 --no-check --json -

# mxu-demo
expect_out "mxu-demo prints cycles" "^cycle 0  \[weight_shift\]\$" "$TPUSIM" mxu-demo
# row 3 of C is written at t0 + 3 + R + C - 1 = 4 + 3 + 7 = 14 (docs/mxu.md; t0 = 4 after the shift)
"$TPUSIM" mxu-demo >"$T/demo.txt" 2>&1
mx_acc=$(awk '/^cycle /{cyc=$2} /^accumulators <- c\[3\]\[0\.\.3\] \(row 3 of fold 0\) =/{print cyc}' "$T/demo.txt")
if [ "$mx_acc" = 14 ]; then ok "mxu-demo writes row 3 of C at cycle 14"; else not_ok "mxu-demo writes row 3 of C at cycle 14" "got '$mx_acc'"; fi
expect_out "mxu-demo checks its result" "check passed" "$TPUSIM" mxu-demo
expect_out "mxu-demo teach-4x4 os bf16" "accumulator" "$TPUSIM" mxu-demo -c configs/teach-4x4.yaml 5 3 6 --dataflow os --dtype bf16
expect_out "mxu-demo is shows the weight shift of A^T" "^weight shift of fold 0: rows k of A\^T \(a\[i\]\[k\]\) enter" \
    "$TPUSIM" mxu-demo 3 5 4 --dataflow is

# mxu-demo's labels, read back independently: every labelled a[i][k] / b[k][j] cell's value (the
# line under it, same columns) equals the element of A / B printed at the top, and each grid holds
# the operand its dataflow puts there: ws streams a[ and keeps b[ stationary, is streams b[ and
# keeps a[ (A^T in PE(k,i)), os streams a[ from the left and b[ from the top and keeps c[.
mx_demo_check() {   # mx_demo_check FILE -> prints problems and "USED <grid> <matrix>" lines
    awk '
    function cell(line, c) { s = substr(line, 5 + 9 * c + 2, 8); gsub(/ /, "", s); return s }
    function check(lab, vl,   c, l, kind, ix, got) {
        for (c = 0; c < 16; c++) {
            l = cell(lab, c); if (l == "" || l == "." || l == "pad") continue
            if (l !~ /^[abc]\[[0-9]+\]\[[0-9]+\]$/) { print "odd label " l " in " sec; continue }
            kind = substr(l, 1, 1); split(substr(l, 2), ix, /[][]+/)
            used[sec, kind] = 1; n++
            got = cell(vl, c)
            if (got == "") { print "no value under " l; continue }
            if (kind == "a" && got + 0 != val["A", ix[2], ix[3]] + 0) print l " = " got ", A has " val["A", ix[2], ix[3]]
            if (kind == "b" && got + 0 != val["B", ix[2], ix[3]] + 0) print l " = " got ", B has " val["B", ix[2], ix[3]]
        } }
    pending != "" { if ($0 ~ /^     / && $0 !~ /col 0/) { check(pending, $0); pending = ""; next } check(pending, ""); pending = "" }
    /^A =$/ { m = "A"; i = 0; next }
    /^B =$/ { m = "B"; i = 0; next }
    /^[^ ]/ { m = "" }
    m != "" && /^ +-?[0-9]/ { for (j = 1; j <= NF; j++) val[m, i, j - 1] = $j; i++; next }
    /^A streaming/ { sec = "A-stream" } /^B streaming/ { sec = "B-stream" } /^C stationary/ { sec = "C-stationary" }
    /^partial sums/ { sec = "psum" } /tile is loaded/ { sec = "tile" } /^weight shift of/ { sec = "shift" }
    /^  r[0-9]/ && sec != "shift" { pending = $0 }   # the shift chain grid: values only
    END { if (pending != "") check(pending, ""); for (k in used) { split(k, p, SUBSEP); print "USED " p[1] " " p[2] }
          if (n == 0) print "no labels" }
    ' "$1"
}
for mx_df in ws is os; do
    for mx_dt in int8 bf16; do
        "$TPUSIM" mxu-demo 5 6 7 --dataflow $mx_df --dtype $mx_dt >"$T/demo_$mx_df.txt" 2>&1
        mx_bad=$(mx_demo_check "$T/demo_$mx_df.txt" | grep -v '^USED' | head -5)
        if [ -z "$mx_bad" ]; then ok "mxu-demo $mx_df $mx_dt: every a[i][k] and b[k][j] label holds its element"
        else not_ok "mxu-demo $mx_df $mx_dt: labels hold their elements" "$mx_bad"; fi
        mx_used=$(mx_demo_check "$T/demo_$mx_df.txt" | grep '^USED' | sort | tr '\n' ';')
        case $mx_df in
            ws) mx_want="USED A-stream a;USED psum c;USED tile b;" ;;
            is) mx_want="USED B-stream b;USED psum c;USED tile a;" ;;
            os) mx_want="USED A-stream a;USED B-stream b;USED C-stationary c;" ;;
        esac
        if [ "$mx_used" = "$mx_want" ]; then ok "mxu-demo $mx_df $mx_dt: each grid holds its dataflow's operand"
        else not_ok "mxu-demo $mx_df $mx_dt: each grid holds its dataflow's operand" "got  $mx_used
want $mx_want"; fi
    done
done
mx_ws=$(grep -ci 'weight.shift' "$T/demo_os.txt")
if [ "$mx_ws" -eq 0 ]; then ok "mxu-demo os never mentions a weight shift"; else not_ok "mxu-demo os never mentions a weight shift" "$(grep -i 'weight.shift' "$T/demo_os.txt" | head -3)"; fi
if grep -q '^os (output stationary): C stays in the array, c\[i\]\[j\] accumulating in PE(i,j)' "$T/demo_os.txt" &&
   grep -q '^is (input stationary): A^T stays in the array, a\[i\]\[k\] in PE(k,i)' "$T/demo_is.txt" &&
   grep -q '^ws (weight stationary): B stays in the array, b\[k\]\[j\] in PE(k,j)' "$T/demo_ws.txt"
then ok "mxu-demo says what each dataflow keeps stationary"; else not_ok "mxu-demo says what each dataflow keeps stationary"; fi
if grep -q '^input skew' "$T/demo_ws.txt" && grep -q '^de-skew' "$T/demo_ws.txt" && grep -q '^input skew, top' "$T/demo_os.txt" &&
   grep -q "^accumulators now hold C ('.' = not written yet):" "$T/demo_is.txt"
then ok "mxu-demo shows the input skew, the de-skew and the accumulators"; else not_ok "mxu-demo shows skew, de-skew, accumulators"; fi
# an 8x8 array fits an 80-column terminal, on every dataflow, also with a big GEMM (wide matrices)
for mx_df in ws is os; do
    for mx_args in "--set tpu.array.rows=8 --set tpu.array.cols=8" "-c configs/edge-8x8.yaml 20 30 40" \
                   "-c configs/edge-8x8.yaml 64 64 9 --dtype bf16"; do
        "$TPUSIM" mxu-demo $mx_args --dataflow $mx_df >"$T/demo8.txt" 2>&1
        mx_rc=$?
        mx_w=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/demo8.txt")
        if [ "$mx_rc" -eq 0 ] && [ "$mx_w" -le 80 ] && grep -q '^  r7 ' "$T/demo8.txt"
        then ok "mxu-demo $mx_df $mx_args: 8x8 fits 80 columns (widest line $mx_w)"
        else not_ok "mxu-demo $mx_df $mx_args: 8x8 fits 80 columns" "exit $mx_rc, widest $mx_w: $(awk 'length($0) > 80' "$T/demo8.txt" | head -3)"; fi
    done
done
expect_fail "mxu-demo refuses big arrays" "^tpusim: mxu-demo: a 17x4 array is too large to print" "$TPUSIM" mxu-demo --set tpu.array.rows=17
expect_fail "mxu-demo M N K together" "^tpusim: mxu-demo: expected M N K together" "$TPUSIM" mxu-demo 4 4
expect_fail "mxu-demo bad flag" "^tpusim: mxu-demo: unknown flag '--nope'" "$TPUSIM" mxu-demo --nope

# VCD identifiers are unique (a 4x4 ws int8 array declares 16 PEs x 6 registers (a, a_valid, w,
# w_shadow, psum, psum_valid) = 96 wires and 11 at the top (clk, cycle, cause, fold, fold_valid,
# step, shift_fold, shift_valid, acc_fold, acc_index, acc_valid): ids run past one character), and
# values are right: on a 1x1 array A = [[2]], B = [[3]] the partial sum becomes 6 = b110
mx_dups=$(sed -n 's/^\$var wire [0-9]* \([^ ]*\) .*/\1/p' "$T/mx.vcd" | sort | uniq -d | head -3)
mx_nvar=$(grep -c '^\$var wire' "$T/mx.vcd")
if [ -z "$mx_dups" ] && [ "$mx_nvar" -eq 107 ]; then ok "mxu --vcd: 107 wires with unique ids"
else not_ok "mxu --vcd: 107 wires with unique ids" "wires $mx_nvar, duplicates: $mx_dups"; fi
mx_npy "$T/mx_a1.npy" 1 1 '\002'
mx_npy "$T/mx_b1.npy" 1 1 '\003'
expect_ok "mxu --vcd 1x1" "$TPUSIM" mxu 1 1 1 --a "$T/mx_a1.npy" --b "$T/mx_b1.npy" \
    --set tpu.array.rows=1 --set tpu.array.cols=1 --engine pe --vcd "$T/mx1.vcd"
mx_psum_id=$(sed -n 's/^\$var wire 32 \([^ ]*\) psum \$end$/\1/p' "$T/mx1.vcd")
if [ -n "$mx_psum_id" ] && grep -qxF "b110 $mx_psum_id" "$T/mx1.vcd"; then ok "mxu --vcd: psum 2*3 = b110"
else not_ok "mxu --vcd: psum 2*3 = b110" "$(cat "$T/mx1.vcd")"; fi

# --vcd clock: the unit comes from tpu.clock (1 GHz: half a period = 500 ps = 5 x 100ps; 700 MHz:
# 714285.7 fs, rounded to 714286 x 1fs); clk rises at every x * period and falls half a period later
# for every one of the run's cycles, the counter follows, and the last time is cycles * period
for mx_clk in "1000MHz 100ps 5" "700MHz 1fs 714286"; do
    set -- $mx_clk
    "$TPUSIM" mxu 6 5 7 --set tpu.array.rows=4 --set tpu.array.cols=4 --set tpu.clock=$1 --dtype bf16 \
        --engine pe --vcd "$T/mxc.vcd" --json "$T/mxc.json" >/dev/null 2>&1
    mx_cyc=$(sed -n 's/^    "cycles": \([0-9]*\),$/\1/p' "$T/mxc.json")
    mx_res=$(awk -v H="$3" -v N="$mx_cyc" '
        /^\$timescale/ { ts = $2 }
        /^\$var/ { name[$4] = $5; kind[$4] = $2 }
        /^#/ { t = substr($0, 2) + 0; last = t; next }
        /^[01]/ { id = substr($0, 2); if (name[id] == "clk") { if (n > 0 && (t != (n - 1) * H || substr($0, 1, 1) != n % 2)) bad++; n++ } }
        /^b/ { if (name[$2] == "cycle") { v = 0; s = substr($1, 2); for (i = 1; i <= length(s); i++) v = 2 * v + substr(s, i, 1); if (t != v * 2 * H) badc++ } }
        /^r/ { reals++ }
        END { print ts, n, bad + 0, badc + 0, last, (reals > 0) }' "$T/mxc.vcd")
    mx_want="$2 $((2 * mx_cyc + 1)) 0 0 $((mx_cyc * 2 * $3)) 1"
    if [ -n "$mx_cyc" ] && [ "$mx_res" = "$mx_want" ]; then ok "mxu --vcd at $1: \$timescale $2, clk toggles every $3 units for $mx_cyc cycles"
    else not_ok "mxu --vcd at $1: timescale, clk, counter" "got  $mx_res
want $mx_want"; fi
done
if grep -q '^\$var real 64 [^ ]* psum \$end' "$T/mxc.vcd" && grep -q '^\$var wire 2 [^ ]* cause \$end' "$T/mxc.vcd" &&
   grep -q 'cause: 0 busy, 1 weight_shift, 2 fill_drain, 3 idle' "$T/mxc.vcd"
then ok "mxu --vcd bf16: reals, and the cause mapping in the header"; else not_ok "mxu --vcd bf16: reals and the cause mapping" "$(head -12 "$T/mxc.vcd")"; fi
# the causes counted once per cycle (at the falling edge of clk, after the rising edge's changes)
# sum to the report's cycles by cause (busy + padding: the streaming cycles, which the cause signal
# calls busy)
"$TPUSIM" mxu 13 9 21 --set tpu.array.rows=4 --set tpu.array.cols=4 --engine pe --vcd "$T/mxk.vcd" --json "$T/mxk.json" >/dev/null 2>&1
mx_vc=$(awk '
    /^\$var/ { name[$4] = $5 }
    /^#/ { t = substr($0, 2) + 0; next }
    /^\$dumpvars/ { dump = 1 } /^\$end/ { dump = 0 }
    /^b/ { if (name[$2] == "cause") cur = $1 }
    /^[01]/ { if (!dump && name[substr($0, 2)] == "clk" && substr($0, 1, 1) == "0") cnt[cur]++ }
    END { printf "%d %d %d %d", cnt["b0"], cnt["b1"], cnt["b10"], cnt["b11"] }' "$T/mxk.vcd")
mx_jc=$(awk -F'[:,]' '/"(busy|padding|weight_shift|fill_drain|idle)":/ { gsub(/[ "]/, "", $1); v[$1] = $2 + 0 }
    END { printf "%d %d %d %d", v["busy"] + v["padding"], v["weight_shift"], v["fill_drain"], v["idle"] }' "$T/mxk.json")
if [ -n "$mx_jc" ] && [ "$mx_vc" = "$mx_jc" ]; then ok "mxu --vcd: cycles per cause signal = the report's causes ($mx_vc)"
else not_ok "mxu --vcd: cycles per cause signal = the report's causes" "vcd  $mx_vc
json $mx_jc"; fi
