# Messages that say why: a --json or --emit path that cannot be written names the system's
# reason, and an empty .npy file is called empty.
mkdir -p "$T/adir"
expect_fail "gemm --json DIR says why" "^tpusim: --json $T/adir: cannot open for writing: Is a directory\$" \
    "$TPUSIM" gemm 8 8 8 --json "$T/adir"
expect_fail "gemm --emit DIR says why" "^tpusim: --emit $T/adir: cannot open for writing: Is a directory\$" \
    "$TPUSIM" gemm 8 8 8 --emit "$T/adir"
expect_fail "run --json DIR says why" "^tpusim: --json $T/adir: cannot open for writing: Is a directory\$" \
    "$TPUSIM" run kernels/gemm_single.tpu --timing-only --json "$T/adir"
expect_fail "model --json DIR says why" "^tpusim: --json $T/adir: cannot open for writing: Is a directory\$" \
    "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml --no-data --json "$T/adir"
expect_fail "config show --json DIR says why" "^tpusim: --json $T/adir: cannot open for writing: Is a directory\$" \
    "$TPUSIM" config show --json "$T/adir"
: >"$T/empty.npy"
expect_fail "an empty .npy is called empty" "^tpusim: $T/empty.npy: the file is empty \(not a .npy file\)\$" \
    "$TPUSIM" npy show "$T/empty.npy"
expect_fail "run --in an empty .npy" "^tpusim: .*$T/empty.npy: the file is empty \(not a .npy file\)\$" \
    "$TPUSIM" run kernels/gemm_single.tpu --in A="$T/empty.npy"
