# TPUSIM_KERNEL forces the value kernel (num/gemm.h); an unknown name or one this CPU cannot run
# is refused before anything runs, in one line, exit 2. Each kernel the CPU has gives results
# the reference (separate code, work/ref.c) matches bit for bit, on odd shapes with edge tiles.
expect_fail "TPUSIM_KERNEL unknown" '^tpusim: TPUSIM_KERNEL=sse: unknown kernel \(expected auto, portable, avx2, avx512 or avx512-vnni\)$' \
    env TPUSIM_KERNEL=sse "$TPUSIM" gemm 8 8 8
expect_fail "TPUSIM_KERNEL empty" '^tpusim: TPUSIM_KERNEL=: unknown kernel' env TPUSIM_KERNEL= "$TPUSIM" gemm 8 8 8
if grep -qw avx512f /proc/cpuinfo 2>/dev/null && grep -qw avx512bw /proc/cpuinfo; then
    kernels="auto portable avx2 avx512"
    if grep -qw avx512_vnni /proc/cpuinfo; then
        kernels="$kernels avx512-vnni"
    else
        expect_fail "TPUSIM_KERNEL=avx512-vnni without VNNI" '^tpusim: TPUSIM_KERNEL=avx512-vnni: this CPU cannot run the avx512-vnni kernel$' \
            env TPUSIM_KERNEL=avx512-vnni "$TPUSIM" gemm 8 8 8
    fi
else
    expect_fail "TPUSIM_KERNEL=avx512 without AVX-512" '^tpusim: TPUSIM_KERNEL=avx512: this CPU cannot run the avx512 kernel$' \
        env TPUSIM_KERNEL=avx512 "$TPUSIM" gemm 8 8 8
    kernels="auto portable"
    grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && kernels="$kernels avx2"
fi
for kern in $kernels; do
    for dt in bf16 int8; do
        expect_out "TPUSIM_KERNEL=$kern $dt 131x37x300 checked" 'matches the reference bit for bit' \
            env TPUSIM_KERNEL=$kern "$TPUSIM" gemm 131 37 300 -c configs/tpu-v4-core.yaml --dtype $dt
    done
    expect_out "TPUSIM_KERNEL=$kern bf16 os 70x45x33 checked" 'matches the reference bit for bit' \
        env TPUSIM_KERNEL=$kern "$TPUSIM" gemm 70 45 33 -c configs/teach-4x4.yaml --dtype bf16 --dataflow os
done
