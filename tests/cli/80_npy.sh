# tpusim npy: seeded random inputs without NumPy, and a viewer for .npy files.
"$TPUSIM" npy rand 64 32 -o "$T/a.npy" --seed 3 && "$TPUSIM" npy rand 32 32 -o "$T/b.npy" --seed 4
# numpy v1.0 layout: a 128-byte header for a small 2-D shape, then 64*32 int8 bytes
if [ "$(wc -c <"$T/a.npy")" -eq $((128 + 64 * 32)) ]; then ok "npy rand: header + 2048 int8 bytes"; else not_ok "npy rand: size $(wc -c <"$T/a.npy")"; fi
"$TPUSIM" npy rand 64 32 -o "$T/a2.npy" --seed 3
if cmp -s "$T/a.npy" "$T/a2.npy"; then ok "npy rand: same seed, same file"; else not_ok "npy rand: same seed, same file"; fi
"$TPUSIM" npy rand 64 32 -o "$T/a3.npy" --seed 5
if cmp -s "$T/a.npy" "$T/a3.npy"; then not_ok "npy rand: another seed, another file"; else ok "npy rand: another seed, another file"; fi
expect_out "npy show: dtype and shape" "a.npy: int8 \('\|i1'\), 64 x 32$" "$TPUSIM" npy show "$T/a.npy"
expect_out "npy show: elided rows" "^  \.\.\. \(48 more rows\)$" "$TPUSIM" npy show "$T/a.npy"
# The hand-written kernel on the full machine and the MXU alone agree on C byte for byte
"$TPUSIM" run kernels/gemm_single.tpu --in A="$T/a.npy" --in B="$T/b.npy" --out C="$T/c_run.npy" >/dev/null 2>&1
"$TPUSIM" mxu 64 32 32 --a "$T/a.npy" --b "$T/b.npy" --out "$T/c_mxu.npy" >/dev/null 2>&1
if [ -s "$T/c_run.npy" ] && cmp -s "$T/c_run.npy" "$T/c_mxu.npy"; then ok "run gemm_single == mxu on npy rand inputs"; else not_ok "run gemm_single == mxu on npy rand inputs"; fi
"$TPUSIM" npy rand 5 7 -o "$T/f.npy" --dtype bf16 --specials
expect_out "npy show: bf16 file" "f.npy: bf16 \('<u2'\), 5 x 7$" "$TPUSIM" npy show "$T/f.npy"
expect_fail "npy: no sub-command" "^tpusim: npy: expected a sub-command" "$TPUSIM" npy
expect_fail "npy rand: -o required" "^tpusim: npy rand: -o FILE is required$" "$TPUSIM" npy rand 2 2
expect_fail "npy rand: --specials needs bf16" "^tpusim: --specials: only bf16" "$TPUSIM" npy rand 2 2 -o "$T/x.npy" --specials
expect_fail "npy rand: unknown --dtype names every dtype it takes" "^tpusim: --dtype: unknown dtype 'fp64' \(expected int8, bf16 or float32\)$" "$TPUSIM" npy rand 2 2 -o "$T/x.npy" --dtype fp64
expect_fail "npy rand: zero rows" "^tpusim: ROWS: 0 is out of range" "$TPUSIM" npy rand 0 2 -o "$T/x.npy"
expect_fail "npy show: missing file" "^tpusim: .*nope.npy" "$TPUSIM" npy show "$T/nope.npy"
expect_fail "npy show: bad --max" "^tpusim: --max 8: expected ROWSxCOLS" "$TPUSIM" npy show "$T/a.npy" --max 8
