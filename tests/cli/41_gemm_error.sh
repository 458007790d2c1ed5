# tpusim gemm --error: C's error against a float64 reference of the real inputs, on float32
# .npy files written here byte by byte, with the figures worked by hand; the int8 quantization
# of float32 files; npy rand --dtype float32; the flag's refusals.
# (variables are prefixed ge_: the helpers in tests/cli.sh use n, pat and out)
ge_npy() {   # ge_npy FILE ROWS COLS BYTES(octal escapes): float32 .npy v1.0
    ge_hdr="{'descr': '<f4', 'fortran_order': False, 'shape': ($2, $3), }"
    ge_pad=$(( 64 - (10 + ${#ge_hdr} + 1) % 64 ))
    { printf '\223NUMPY\001\000'; printf "\\$(printf %03o $(( (${#ge_hdr} + ge_pad + 1) % 256 )))\\000"
      printf '%s' "$ge_hdr"; printf "%${ge_pad}s" ''; printf '\n'; printf "$4"; } >"$1"
}
# bf16: A = [1 + 2^-8, 3] (0x3f808000, 0x40400000), B = [1; 1]. bf16 rounds 1 + 2^-8, a tie
# between 1 and 1 + 2^-7, to the even 1.0: C = 4, the float64 reference 4 + 2^-8, so max abs =
# rms = 2^-8 = 0.00390625, relative 2^-8 / 4.00390625 = 0.00097561
ge_npy "$T/ge_a.npy" 1 2 '\000\200\200\077\000\000\100\100'
ge_npy "$T/ge_b.npy" 2 1 '\000\000\200\077\000\000\200\077'
expect_out "gemm --error bf16: the figures worked by hand" \
    '^error        max abs 0\.003906, relative 0\.0009756 \(max abs / max \|ref\| 4\.004\), rms 0\.003906 over 1 elements; reference: float64 sums of the float32 inputs$' \
    "$TPUSIM" gemm 1 1 2 --dtype bf16 --a "$T/ge_a.npy" --b "$T/ge_b.npy" --error
# int8: A = [0.5, -1] (0x3f000000, 0xbf800000), B = [1; 0.25] (0x3f800000, 0x3e800000): both
# scales 1/127 = 0.00787402; A -> [64 (63.5, tie to even), -127], B -> [127, 32 (31.75)];
# C = 64 x 127 - 127 x 32 = 4064, times 1/16129 = 0.2519685 against 0.25: max abs 0.0019685,
# relative 0.0019685 / 0.25 = 0.007874
ge_npy "$T/ge_qa.npy" 1 2 '\000\000\000\077\000\000\200\277'
ge_npy "$T/ge_qb.npy" 2 1 '\000\000\200\077\000\000\200\076'
"$TPUSIM" gemm 1 1 2 --dtype int8 --a "$T/ge_qa.npy" --b "$T/ge_qb.npy" --error --out "$T/ge_qc.npy" >"$T/ge_q.txt" 2>&1
if grep -qx 'quantized    --a, --b float32 -> int8 with scales 0.00787402 and 0.00787402; C x 6.20001e-05 is compared' "$T/ge_q.txt"
then ok "gemm --error int8: the quantization scales"; else not_ok "gemm --error int8: the quantization scales" "$(cat "$T/ge_q.txt")"; fi
if grep -qx 'error        max abs 0.001969, relative 0.007874 (max abs / max |ref| 0.25), rms 0.001969 over 1 elements; reference: float64 sums of the float32 inputs' "$T/ge_q.txt"
then ok "gemm --error int8: the figures worked by hand"; else not_ok "gemm --error int8: the figures worked by hand" "$(cat "$T/ge_q.txt")"; fi
# the raw int32 accumulator is 4064 = 0x00000fe0
if od -An -tx1 "$T/ge_qc.npy" | tr -d ' \n' | grep -q 'e00f0000$'
then ok "gemm int8 of quantized float32 inputs: C = 4064"; else not_ok "gemm int8 of quantized inputs: C" "$(od -An -tx1 "$T/ge_qc.npy" | tail -2)"; fi
# int8 inputs as run: integer sums are exact, the error is 0
expect_out "gemm --error int8 inputs: exact" '^error        max abs 0, relative 0 .* over 4096 elements; reference: float64 sums of the int8 inputs$' \
    "$TPUSIM" gemm 64 64 64 --error
expect_out "gemm --error bf16 random inputs: the bf16 inputs are the reference" 'reference: float64 sums of the bf16 inputs$' \
    "$TPUSIM" gemm 32 32 32 --dtype bf16 --error
# npy rand --dtype float32: '<f4', values in [-1, 1)
expect_ok "npy rand --dtype float32" "$TPUSIM" npy rand 3 4 --dtype float32 -o "$T/ge_r.npy" --seed 5
if head -c 80 "$T/ge_r.npy" | grep -q "'descr': '<f4'"; then ok "npy rand float32 -> <f4"; else not_ok "npy rand float32 -> <f4"; fi
"$TPUSIM" npy show "$T/ge_r.npy" >"$T/ge_r.txt" 2>&1
if awk 'NR > 1 { for (i = 1; i <= NF; i++) if ($i < -1 || $i >= 1) bad = 1; n += NF } END { exit !(n == 12 && !bad) }' "$T/ge_r.txt"
then ok "npy rand float32: 12 values in [-1, 1)"; else not_ok "npy rand float32 values" "$(cat "$T/ge_r.txt")"; fi
# refusals
expect_fail "gemm --error --no-data" '^tpusim: --error: cannot be combined with --no-data \(no values are computed\)$' \
    "$TPUSIM" gemm 8 8 8 --error --no-data
expect_fail "gemm --error with an epilogue" '^tpusim: --error: compares the raw accumulators, so it needs --epilogue none \(got relu\)$' \
    "$TPUSIM" gemm 8 8 8 --error --epilogue relu
expect_fail "gemm --error on a GPU" "^tpusim: --error: not for GPU 'gpu-a100'" \
    "$TPUSIM" gemm 8 8 8 -c configs/gpu-a100.yaml --error
ge_npy "$T/ge_nan.npy" 1 2 '\000\000\300\177\000\000\200\077'
expect_fail "gemm int8 of a float32 NaN refused" "^tpusim: --a $T/ge_nan.npy: element 0 is nan: int8 quantization needs finite values\$" \
    "$TPUSIM" gemm 1 1 2 --a "$T/ge_nan.npy" --b "$T/ge_qb.npy"
