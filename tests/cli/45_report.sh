# The text report never misleads: one time, peaks in the achieved figure's unit, no exponents,
# off-chip bandwidth utilization beside cycles in flight (never "busy"), buffer ports against
# their own peaks, unbounded peaks as unbounded, and every report ends with one sentence naming
# what bounds the run; checked on runs whose bottleneck is known by experiment.
rp_last() { tail -n 1 "$T/out"; }
rp_bound() {   # rp_bound NAME PATTERN CMD...: the last line of stdout matches PATTERN
    n=$1; pat=$2; shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        if rp_last | grep -Eq -- "$pat"; then ok "$n"; else not_ok "$n (last line does not match /$pat/)" "$(rp_last)"; fi
    else not_ok "$n (exit $?)" "$(cat "$T/err")"; fi
}
rp_bound "main job: compute-bound" '^Compute-bound: the MXU did useful work 9[0-9.]+% of its cycles' "$TPUSIM"
rp_bound "gemm 1 4096 4096: bound by the MXU's pipeline" \
    "^Bound by the MXU's pipeline: [0-9.]+% of its cycles \([0-9.]+% weight shift, [0-9.]+% fill/drain\); DRAM moved [0-9.]+% of its peak\.$" \
    "$TPUSIM" gemm 1 4096 4096 --no-data
rp_bound "gemm_dbuf_relu: busy three fifths of the time, off-chip memory the largest loss" \
    "^Compute-bound: the MXU did useful work 6[0-9.]+% of its cycles; the largest loss is off-chip memory \([0-9.]+% waiting for weights, [0-9.]+% idle while requests were in flight[^)]*\); DRAM moved 1[0-9.]+% of its peak" \
    "$TPUSIM" run kernels/gemm_dbuf_relu.tpu --timing-only
# ... and latency is the cause: without it the run is shorter and latency is not named
rp_c1=$("$TPUSIM" run kernels/gemm_dbuf_relu.tpu --timing-only | sed -n 's/^cycles  *\([0-9]*\) .*/\1/p')
"$TPUSIM" run kernels/gemm_dbuf_relu.tpu --timing-only --set tpu.dram.read_latency=0 --set tpu.dram.write_latency=0 >"$T/out" 2>&1
rp_c0=$(sed -n 's/^cycles  *\([0-9]*\) .*/\1/p' "$T/out")
if [ -n "$rp_c0" ] && [ "$rp_c0" -lt "$rp_c1" ] && ! rp_last | grep -q latency; then ok "gemm_dbuf_relu without DRAM latency: faster ($rp_c1 -> $rp_c0) and not latency-bound"
else not_ok "gemm_dbuf_relu without DRAM latency" "$rp_c1 -> $rp_c0: $(rp_last)"; fi
rp_bound "gemm_single: DRAM latency (idle while its store is in flight)" "^Bound by off-chip memory latency, not bandwidth: .*idle while requests were in flight" \
    "$TPUSIM" run kernels/gemm_single.tpu
rp_bound "gemm at 5 GB/s: DRAM bandwidth" "^Bound by off-chip memory bandwidth: " \
    "$TPUSIM" gemm 1024 1024 1024 --set tpu.dram.bandwidth=5GB/s --tile 1024x64x32 --order mnk --no-data
rp_bound "mxu: ends with its bound" "^Compute-bound: the MXU did useful work 72.9% of its cycles; the largest loss is the pipeline \(17.9% fill/drain, 9.1% weight shift\)\.$" \
    "$TPUSIM" mxu 64 64 64
rp_bound "model: ends with its bound" "^Bound by the 4 MXUs' pipeline" \
    "$TPUSIM" model kernels/workloads/llama7b-decode.yaml -c configs/tpu-v4-core.yaml --no-data

# one time per run; peaks without exponents, in the unit that fits
"$TPUSIM" >"$T/out" 2>&1
rp_n=$(grep -Ec '^ *cycles +[0-9]+ ' "$T/out")
if [ "$rp_n" -eq 1 ]; then ok "main job prints its cycles once"; else not_ok "main job prints its cycles once ($rp_n times)" "$(cat "$T/out")"; fi
if ! grep -q 'e+' "$T/out"; then ok "main job: no exponents"; else not_ok "main job: no exponents" "$(grep 'e+' "$T/out")"; fi
expect_out "main job: achieved and peak in one unit" '^achieved +2\.041 TOPS of 2\.048 peak \(utilization 99\.67%\)$' "$TPUSIM"
expect_out "teach-4x4: GOPS, not 0.0032 TOPS" '^achieved +[0-9.]+ GOPS of 3\.2 peak' "$TPUSIM" gemm 64 64 64 -c configs/teach-4x4.yaml --no-data
expect_out "4096x4096 array: a whole peak, no exponent" '^achieved +[0-9.]+ TOPS of 33554 peak' \
    "$TPUSIM" gemm 512 512 512 --set tpu.array.rows=4096 --set tpu.array.cols=4096 --no-data
expect_out "mxu: 72.93% without a space" '^  utilization  72\.93%  ' "$TPUSIM" mxu 64 64 64
# off-chip: utilization of the peak, bus bytes beside requested, cycles in flight; never "busy"
expect_out "dram: % of peak" '^  dram +5\.25 MiB +1\.00 MiB +7\.50 MiB +[0-9.]+ GB/s +256\.00 GB/s +23\.4% of peak$' "$TPUSIM"
expect_out "dram: bus bytes beside requested, and cycles in flight" \
    '^ +bus bytes 1\.20x the bytes asked for; a request in flight [0-9]+ cycles \(99\.7%\)$' "$TPUSIM"
if ! grep -E '^  dram' "$T/out" | grep -q busy; then ok "dram is never called busy"; else not_ok "dram is never called busy" "$(grep dram "$T/out")"; fi
# buffers: reads against the read port, writes against the write port; achieved never above the peak
expect_out "ub: each side against its own port" '^  ub .* [0-9.]+ GB/s +8\.00 GB/s +read (9[0-9.]+|100\.0)% of 4\.00 GB/s, write [0-9.]+% of 4\.00 GB/s$' \
    "$TPUSIM" gemm 512 512 512 --set tpu.ub.bytes_per_cycle=4 --set tpu.ub.banks=1 --no-data
expect_out "acc: an unbounded peak prints as unbounded" '^  acc .* unbounded +-$' "$TPUSIM"
# DMA engines each count their own transfer cycles
expect_out "gemm 1 4096 4096: each DMA engine busy at its own rate" '^  core0\.dma1 +busy 1[0-9]{5} ' "$TPUSIM" gemm 1 4096 4096 --no-data
# model: a bound column and a memory summary
expect_out "model: a bound column" '^  qkv_proj .* pipeline +no data$' \
    "$TPUSIM" model kernels/workloads/llama7b-decode.yaml -c configs/tpu-v4-core.yaml --no-data
expect_out "model: memory summary" '^  memory dram +read [0-9.]+ MB, written [0-9.]+ MB, on the bus [0-9.]+ MB \([0-9.]+x\); [0-9.]+% of peak bandwidth; a request in flight' \
    "$TPUSIM" model kernels/workloads/llama7b-decode.yaml -c configs/tpu-v4-core.yaml --no-data
# a core whose work reaches one of its four MXUs says so first (N = 128 is one column group of a
# 128-wide array, one row cannot be split across MXUs and --split-k 1 keeps K on one; utilization = 1*128*1024 MACs / (cycles
# x 4 x 128 x 128) is the JSON's own)
expect_out "v4-core: the bound sentence leads with the three idle MXUs" \
    '^Only 1 of the 4 MXUs had work \(the others were idle the whole run: utilization [0-9.]+%\); on it, ' \
    "$TPUSIM" gemm 1 128 1024 -c configs/tpu-v4-core.yaml --split-k 1 --no-data
