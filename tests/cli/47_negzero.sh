# bf16 signed zero (docs/numerics.md): a partial sum starts at +0.0, but a negative product too
# small for fp32 (-2^-80 * 2^-80 = -2^-160) rounds to -0.0, so fma(a, b, +0.0) = -0.0 and a
# chunk's P can be -0.0; then C = P_0 + P_1 follows IEEE (-0.0 + +0.0 = +0.0). A = 1 x 9 of
# -2^-80 (bf16 0x9780); B = 9 x 2, column 0 all 2^-80 (0x1780), column 1 2^-80 for k < 4 and
# -2^-80 after. Column 0: every product is -0.0-ish, every P is -0.0: C = -0.0 (0x80000000).
# Column 1 on teach-4x4 (4 rows, kc = 4 for ws/is): P_0 = -0.0, P_1 = P_2 = +0.0 (positive
# underflows), C = +0.0; with os (kc = 9): P goes -0.0 then fma(-, -, -0.0) = +2^-160 -> +0.0.
# Every engine and dataflow and the reference agree, so every run below is also checked.
nz_npy() {   # nz_npy FILE ROWS COLS HEX...: a '<u2' .npy v1.0 of the given values
    f=$1; r=$2; c=$3; shift 3
    hdr="{'descr': '<u2', 'fortran_order': False, 'shape': ($r, $c), }"
    pad=$((64 - (10 + ${#hdr} + 1) % 64)); [ "$pad" -eq 64 ] && pad=0
    len=$((${#hdr} + pad + 1))
    { printf '\223NUMPY\001\000'; printf "\\$(printf '%03o' $((len % 256)))\\$(printf '%03o' $((len / 256)))"
      printf '%s%*s\n' "$hdr" "$pad" ""
      for v in "$@"; do v=$((0x$v)); printf "\\$(printf '%03o' $((v % 256)))\\$(printf '%03o' $((v / 256)))"; done; } >"$f"
}
nz_npy "$T/nz_a.npy" 1 9 9780 9780 9780 9780 9780 9780 9780 9780 9780
nz_npy "$T/nz_b.npy" 9 2 1780 1780 1780 1780 1780 1780 1780 1780 1780 9780 1780 9780 1780 9780 1780 9780 1780 9780
nz_c() { od -A n -t x4 -j 128 "$1" | tr -s ' ' | sed 's/^ //; s/ $//'; }
for df in ws os is; do
    for eng in fast pe; do
        if "$TPUSIM" mxu 1 2 9 -c configs/teach-4x4.yaml --dtype bf16 --dataflow $df --engine $eng \
               --a "$T/nz_a.npy" --b "$T/nz_b.npy" --out "$T/nz_c.npy" >"$T/out" 2>"$T/err" &&
           grep -q 'check        passed' "$T/out" && [ "$(nz_c "$T/nz_c.npy")" = "80000000 00000000" ]; then
            ok "negative underflow gives -0.0 then +0.0: mxu $df $eng"
        else
            not_ok "negative underflow gives -0.0 then +0.0: mxu $df $eng" "$(cat "$T/out" "$T/err"; nz_c "$T/nz_c.npy")"
        fi
    done
done
if "$TPUSIM" gemm 1 2 9 -c configs/teach-4x4.yaml --dtype bf16 --a "$T/nz_a.npy" --b "$T/nz_b.npy" \
       --out "$T/nz_g.npy" >"$T/out" 2>"$T/err" && grep -q 'matches the reference bit for bit' "$T/out" &&
   [ "$(nz_c "$T/nz_g.npy")" = "80000000 00000000" ]; then
    ok "negative underflow gives -0.0 then +0.0: gemm"
else
    not_ok "negative underflow gives -0.0 then +0.0: gemm" "$(cat "$T/out" "$T/err"; nz_c "$T/nz_g.npy")"
fi
