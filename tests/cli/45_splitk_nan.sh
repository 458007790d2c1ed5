# bf16 split-K: the vector unit sums the parts (C = P_p + C) and the reference does the same,
# both with num_f32_add, so a sum that turns NaN is the canonical NaN 0x7fc00000 on the machine
# and in the reference (docs/numerics.md). tpu-v4-core: 128-row arrays, so parts are 128 deep.

# sk_npy FILE ROWS COLS HEX...: a '<u2' (bf16 bits) .npy v1.0; the last value given repeats
sk_npy() {
    f=$1; r=$2; c=$3; shift 3
    hdr="{'descr': '<u2', 'fortran_order': False, 'shape': ($r, $c), }"
    pad=$((64 - (10 + ${#hdr} + 1) % 64)); [ "$pad" -eq 64 ] && pad=0
    len=$((${#hdr} + pad + 1))
    { printf '\223NUMPY\001\000'; printf "\\$(printf '%03o' $((len % 256)))\\$(printf '%03o' $((len / 256)))"
      printf '%s%*s\n' "$hdr" "$pad" ""
      i=0; n=$((r * c)); v=0
      while [ $i -lt $n ]; do
          if [ $# -gt 0 ]; then v=$((0x$1)); shift; fi
          printf "\\$(printf '%03o' $((v % 256)))\\$(printf '%03o' $((v / 256)))"
          i=$((i + 1))
      done; } >"$f"
}
# sk_column K AT=HEX...: K hex values, 0000 except the listed positions
sk_column() {
    k=$1; shift
    i=0
    while [ $i -lt "$k" ]; do
        v=0000
        for p in "$@"; do [ "${p%%=*}" -eq $i ] && v=${p#*=}; done
        printf '%s ' "$v"
        i=$((i + 1))
    done
}
# sk_last4 FILE: the last element of a '<f4' .npy as 8 hex digits
sk_last4() { tail -c 4 "$1" | od -A n -t x1 | awk '{ print $4 $3 $2 $1 }'; }

# K = 129, two parts: P0 = +Inf (B[0]), P1 = -Inf (B[128]); +Inf + -Inf is NaN, canonical
sk_npy "$T/ska.npy" 1 129 3f80
# shellcheck disable=SC2046 # one word per value
sk_npy "$T/skb.npy" 129 1 $(sk_column 129 0=7f80 128=ff80)
expect_out "split-K 2: +Inf + -Inf matches the reference" "result +matches the reference bit for bit" \
    "$TPUSIM" gemm 1 1 129 -c configs/tpu-v4-core.yaml --dtype bf16 --split-k 2 --a "$T/ska.npy" --b "$T/skb.npy" \
    --out "$T/skc.npy"
got=$(sk_last4 "$T/skc.npy")
if [ "$got" = 7fc00000 ]; then ok "split-K 2: +Inf + -Inf stores the canonical NaN"
else not_ok "split-K 2: +Inf + -Inf stores the canonical NaN" "C = 0x$got, expected 0x7fc00000"; fi

# K = 257, three parts: P0 = +Inf, P1 = -Inf, P2 = NaN (B[256] = 0xffc1, sign and payload set)
sk_npy "$T/ska3.npy" 1 257 3f80
# shellcheck disable=SC2046
sk_npy "$T/skb3.npy" 257 1 $(sk_column 257 0=7f80 128=ff80 256=ffc1)
expect_out "split-K 3: Inf, -Inf, NaN parts match the reference" "result +matches the reference bit for bit" \
    "$TPUSIM" gemm 1 1 257 -c configs/tpu-v4-core.yaml --dtype bf16 --split-k 3 --a "$T/ska3.npy" --b "$T/skb3.npy" \
    --out "$T/skc3.npy"
got=$(sk_last4 "$T/skc3.npy")
if [ "$got" = 7fc00000 ]; then ok "split-K 3: Inf, -Inf, NaN parts store the canonical NaN"
else not_ok "split-K 3: Inf, -Inf, NaN parts store the canonical NaN" "C = 0x$got, expected 0x7fc00000"; fi

# the same inputs without split-K: one accumulator, the kernels' canonical NaN as well
expect_out "no split-K: Inf, -Inf, NaN match the reference" "result +matches the reference bit for bit" \
    "$TPUSIM" gemm 1 1 257 -c configs/tpu-v4-core.yaml --dtype bf16 --a "$T/ska3.npy" --b "$T/skb3.npy" --out "$T/skc4.npy"
got=$(sk_last4 "$T/skc4.npy")
if [ "$got" = 7fc00000 ]; then ok "no split-K: the canonical NaN"
else not_ok "no split-K: the canonical NaN" "C = 0x$got, expected 0x7fc00000"; fi
