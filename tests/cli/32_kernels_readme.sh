# kernels/README.md's figures are the simulator's: the three gemm_dbuf_relu runs that show
# latency, not bandwidth, bounds it (the README's "# N" comments after each command), and
# gemm_single's cycles and its MXU's idle bucket.
kr_claims=$(sed -n 's/^ *tpusim run kernels\/gemm_dbuf_relu\.tpu.*# \([0-9]*\)\( cycles\)*$/\1/p; s/^ *--set tpu\.dram\.read_latency=0.*# \([0-9]*\)$/\1/p' kernels/README.md | tr '\n' ' ')
kr_cycles() { "$TPUSIM" run kernels/gemm_dbuf_relu.tpu --timing-only "$@" | sed -n 's/^cycles  *\([0-9]*\) .*/\1/p'; }
kr_got="$(kr_cycles) $(kr_cycles --set tpu.dram.bandwidth=10TB/s) $(kr_cycles --set tpu.dram.read_latency=0 --set tpu.dram.write_latency=0) "
if [ "$kr_claims" = "$kr_got" ]; then ok "kernels/README.md gemm_dbuf_relu latency/bandwidth runs are current ($kr_got)"
else not_ok "kernels/README.md gemm_dbuf_relu latency/bandwidth runs are current" "README: '$kr_claims', simulator: '$kr_got'"; fi
kr_claim1=$(tr '\n' ' ' <kernels/README.md | sed -n 's/.*five TPUv1 steps (\([0-9]*\) cycles)\..*bucket is `idle` (\([0-9]*\) cycles.*/\1 \2/p')
kr_out=$("$TPUSIM" run kernels/gemm_single.tpu --timing-only)
kr_got1="$(printf '%s\n' "$kr_out" | sed -n 's/^cycles  *\([0-9]*\) .*/\1/p') $(printf '%s\n' "$kr_out" | sed -n 's/.*core0\.mxu0 .* idle \([0-9]*\) .*/\1/p')"
if [ -n "$kr_claim1" ] && [ "$kr_claim1" = "$kr_got1" ]; then ok "kernels/README.md gemm_single figures are current ($kr_got1)"
else not_ok "kernels/README.md gemm_single figures are current" "README: '$kr_claim1', simulator: '$kr_got1'"; fi
