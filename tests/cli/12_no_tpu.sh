# gemm and model run GPU configs (tests/cli/47_gpu.sh); every other command that simulates a TPU
# refuses a config without a tpu: section with the same one line naming the file, before it looks
# at a dtype or a buffer; config show and config check still read GPU configs.
no_tpu_pat() { echo "^tpusim: $1: machine '$(basename "$1" .yaml)' has no tpu: section \(this command simulates a TPU; gemm and model also run GPU configs\)\$"; }
expect_ok "gemm runs a GPU config" "$TPUSIM" gemm 256 256 256 -c configs/gpu-a100.yaml
expect_ok "model (bf16 layers) runs a GPU config" "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml -c configs/gpu-h100.yaml
expect_ok "model (int8 layers) runs a GPU config" "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/gpu-a100.yaml
expect_fail "run refuses a GPU config" "$(no_tpu_pat configs/gpu-a100.yaml)" \
    "$TPUSIM" run kernels/gemm_single.tpu -c configs/gpu-a100.yaml
expect_fail "check refuses a GPU config" "$(no_tpu_pat configs/gpu-v100.yaml)" \
    "$TPUSIM" check kernels/gemm_single.tpu -c configs/gpu-v100.yaml
expect_fail "mxu refuses a GPU config" "$(no_tpu_pat configs/gpu-rtx2080.yaml)" \
    "$TPUSIM" mxu 8 8 8 -c configs/gpu-rtx2080.yaml
expect_fail "mxu-demo refuses a GPU config" "$(no_tpu_pat configs/gpu-a100.yaml)" \
    "$TPUSIM" mxu-demo -c configs/gpu-a100.yaml
expect_out "config check still reads a GPU config" "^ok: configs/gpu-a100.yaml\$" \
    "$TPUSIM" config check configs/gpu-a100.yaml
