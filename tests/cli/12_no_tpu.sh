# Every command that simulates a TPU refuses a config without a tpu: section (a GPU config) with
# the same one line naming the file, before it looks at a dtype or a buffer; config show and
# config check still read GPU configs.
no_tpu_pat() { echo "^tpusim: $1: machine '$(basename "$1" .yaml)' has no tpu: section \(this command simulates a TPU; the GPU model is not built yet\)\$"; }
expect_fail "gemm refuses a GPU config" "$(no_tpu_pat configs/gpu-a100.yaml)" \
    "$TPUSIM" gemm 256 256 256 -c configs/gpu-a100.yaml
expect_fail "model (bf16 layers) refuses a GPU config" "$(no_tpu_pat configs/gpu-h100.yaml)" \
    "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml -c configs/gpu-h100.yaml
expect_fail "model (int8 layers) refuses a GPU config" "$(no_tpu_pat configs/gpu-a100.yaml)" \
    "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/gpu-a100.yaml
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
