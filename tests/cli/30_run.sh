# tpusim run / tpusim check on the shipped kernels; bad programs give one-line positioned errors.
K="$(dirname "$0")/../kernels"

# write_npy FILE DESCR ROWS COLS BYTEFILE: a version 1.0 .npy with a 64-byte-aligned header
write_npy() {
    hdr="{'descr': '$2', 'fortran_order': False, 'shape': ($3, $4), }"
    pad=$((64 - (10 + ${#hdr} + 1) % 64))
    hdr="$hdr$(printf '%*s' "$pad" '')"
    len=$((${#hdr} + 1))
    { printf '\223NUMPY\001\000'; printf "\\$(printf '%03o' $((len % 256)))\\$(printf '%03o' $((len / 256)))";
      printf '%s\n' "$hdr"; cat "$5"; } > "$1"
}

for k in gemm_single gemm_ktiled gemm_dbuf_relu; do
    expect_out "check $k" "^ok: [0-9]+ instructions" "$TPUSIM" check "$K/$k.tpu"
    expect_out "run $k (timing only)" "^cycles +[0-9]+" "$TPUSIM" run "$K/$k.tpu" --timing-only
done

# A = 64x32 ones, B = 32x32 ones: every C element is 32 (int32 little-endian: 20 00 00 00).
head -c 2048 /dev/zero | tr '\000' '\001' > "$T/ones2k"
head -c 1024 /dev/zero | tr '\000' '\001' > "$T/ones1k"
write_npy "$T/a.npy" "|i1" 64 32 "$T/ones2k"
write_npy "$T/b.npy" "|i1" 32 32 "$T/ones1k"
expect_ok "run gemm_single with data" "$TPUSIM" run "$K/gemm_single.tpu" --in A="$T/a.npy" --in B="$T/b.npy" --out C="$T/c.npy"
if [ -f "$T/c.npy" ] && [ "$(tail -c 8192 "$T/c.npy" | od -An -v -tx1 | tr -s ' \n' '\n\n' | grep -c '^20$')" -eq 2048 ]; then
    ok "gemm_single: all 2048 outputs are 32"
else
    not_ok "gemm_single: all 2048 outputs are 32"
fi
expect_fail "input shape mismatch names the file" "^tpusim: .*a\\.npy: shape 64 x 32 does not match tensor A \\(256 x 64\\)" \
    "$TPUSIM" run "$K/gemm_dbuf_relu.tpu" --in A="$T/a.npy"
write_npy "$T/a32.npy" "<i4" 64 8 "$T/ones2k"
expect_fail "input dtype mismatch names the file" "^tpusim: .*a32\\.npy: dtype is int32" \
    "$TPUSIM" run "$K/gemm_single.tpu" --in A="$T/a32.npy"
expect_out "run --json FILE prints the text report" "^achieved .*utilization" "$TPUSIM" run "$K/gemm_single.tpu" --json "$T/r.json"
if grep -q '"tpu"' "$T/r.json" 2>/dev/null && grep -q '"utilization"' "$T/r.json"; then ok "--json FILE written"; else not_ok "--json FILE written"; fi
c1=$("$TPUSIM" run "$K/gemm_dbuf_relu.tpu" --timing-only | grep -E '^cycles +[0-9]')
c2=$("$TPUSIM" run "$K/gemm_dbuf_relu.tpu" --engine pe | grep -E '^cycles +[0-9]')
if [ -n "$c1" ] && [ "$c1" = "$c2" ]; then ok "pe engine gives the same cycles ($c1)"; else not_ok "pe engine gives the same cycles" "$c1 / $c2"; fi
expect_out "run --json -" '"cycles": [0-9]+' "$TPUSIM" run "$K/gemm_ktiled.tpu" --json -
expect_out "run --json - has stall causes" '"cycles_by_cause"' "$TPUSIM" run "$K/gemm_ktiled.tpu" --json -
expect_out "run on tpu-v1 (host + weight memory)" "host" "$TPUSIM" run -c configs/tpu-v1.yaml "$K/gemm_single.tpu" --timing-only --set tpu.array.rows=32 --set tpu.array.cols=32

# bad programs: one line, file:line:col
printf '.tensor A int8 4 4\nmatmull 0, 0, 0, 4\n' > "$T/bad1.tpu"
expect_fail "unknown mnemonic" "^tpusim: .*bad1\\.tpu:2:1: unknown mnemonic 'matmull' \\(did you mean 'matmul'\\?\\)$" "$TPUSIM" check "$T/bad1.tpu"
printf '.tensor A int8 4 4\n.ub a 0 16\nload a, A[0:4, 0:5]\n' > "$T/bad2.tpu"
expect_fail "block past the end" "^tpusim: .*bad2\\.tpu:3:18: column 5 is past the end of A \\(4 x 4\\)$" "$TPUSIM" run "$T/bad2.tpu"
printf '.tensor A int8 4 4\n.ub a 0 8\nload a, A[0:4, 0:4]\n' > "$T/bad3.tpu"
expect_fail "access exceeds region" "^tpusim: .*bad3\\.tpu:3:6: load: 16 bytes at offset 0 exceed region 'a' \\(8 bytes\\)$" "$TPUSIM" check "$T/bad3.tpu"
printf '.tensor W int32 4 4\nloadw 0, W[0:4, 0:4]\n' > "$T/bad4.tpu"
expect_fail "dtype mismatch" "^tpusim: .*bad4\\.tpu:2:10: dtype mismatch" "$TPUSIM" check "$T/bad4.tpu"
expect_fail "missing program" "^tpusim: .*nope\\.tpu: cannot open" "$TPUSIM" run "$T/nope.tpu"
expect_fail "unknown tensor in --in" "^tpusim: --in Q=.*declares no tensor 'Q'" "$TPUSIM" run "$K/gemm_single.tpu" --in Q="$T/a.npy"
expect_fail "bad --engine" "^tpusim: --engine: expected fast or pe, got 'warp'" "$TPUSIM" run "$K/gemm_single.tpu" --engine warp
expect_fail "check without program" "^tpusim: check: missing PROGRAM" "$TPUSIM" check

# kernels/README.md quotes the double-buffered run and its single-buffered variant (a1/acc1/o1
# replaced by a0/acc0/o0, the second regions dropped): the figures must be the simulator's.
sed -e 's/\ba1\b/a0/g; s/\bacc1\b/acc0/g; s/\bo1\b/o0/g' "$K/gemm_dbuf_relu.tpu" |
    grep -v '^\.ub  a0   4096\|^\.ub  o0   10240\|^\.acc acc0 64' >"$T/single.tpu"
claim=$(tr '\n' ' ' <"$K/README.md" | sed -n 's/.*waits for `wait_inputs` (\([0-9]*\) cycles instead of none) and *the run takes \([0-9]*\) cycles instead of \([0-9]*\)\..*/\1 \2 \3/p')
got_in=$("$TPUSIM" run "$T/single.tpu" --timing-only | sed -n 's/.*core0\.mxu0 .* wait_inputs \([0-9]*\) .*/\1/p')
got_sb=$("$TPUSIM" run "$T/single.tpu" --timing-only | sed -n 's/^cycles  *\([0-9]*\) .*/\1/p')
got_db=$("$TPUSIM" run "$K/gemm_dbuf_relu.tpu" --timing-only | sed -n 's/^cycles  *\([0-9]*\) .*/\1/p')
if [ -n "$claim" ] && [ "$claim" = "$got_in $got_sb $got_db" ]; then ok "kernels/README.md double-buffering figures are current ($claim)"
else not_ok "kernels/README.md double-buffering figures are current" "README: '$claim', simulator: '$got_in $got_sb $got_db'"; fi
# a tensor too large to allocate is named in the error (not blamed on the unified buffer);
# --quiet: the note of a big run (256 TiB, 63_big_run.sh) would come first
printf '.tensor A int8 16777216 16777216\n.tensor B int8 8 8\nhalt\n' >"$T/huge.tpu"
expect_fail "run: a tensor too large to allocate is named" "^tpusim: out of memory for tensor 'A' \(16777216 x 16777216 int8 = 281474976710656 bytes\)$" \
    sh -c 'ulimit -v 3000000; exec "$0" run "$1" --quiet' "$TPUSIM" "$T/huge.tpu"
# a unified buffer that cannot be allocated says so, with its size and core (setup_run names
# what it could not allocate; there was one generic message patched in afterwards); --quiet:
# the note of a big run (1 GiB of UB, 63_big_run.sh) would come first
expect_fail "gemm: a unified buffer too large to allocate is named" \
    "^tpusim: out of memory setting up the machine: the unified buffer \(1073741824 bytes\) and accumulators of core 0$" \
    sh -c 'ulimit -v 600000; exec "$0" gemm 64 64 64 --set tpu.ub.size=1GiB --quiet' "$TPUSIM"
