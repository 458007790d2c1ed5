# gemm and model on the GPU configs (docs/gpu.md): timing only, the run under "gpu" in the JSON,
# the same report as the TPU's under a header naming the kernel. Figures asserted here are
# cross-checks: utilization against 2MNK / seconds / the datasheet peak, the cycles against the
# launch + kernel split and against the library's figures in docs/validation.md (which
# tests/test_gpu_validation.c prints), a model's total against its layers.
gv_schema=docs/output.schema.json
# gv_num FILE KEY [INDENT]: the number of the first "KEY": at that indent (4 = a member of the run)
gv_num() { sed -n "s/^${3:-    }\"$2\": \\([-0-9.e+]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -1; }
gv_str() { sed -n "s/^    \"$2\": \"\\([^\"]*\\)\",\\{0,1\\}\$/\\1/p" "$1" | head -1; }
# gv_close A B REL: |A - B| <= REL x |B|
gv_close() { awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= r * m) }'; }

# every chip, every dtype it has (issue 10: A100, H100 bf16/fp16/int8; V100 and Turing fp16 and
# int8, no bf16), with the datasheet dense peak in TOPS at the boost clock in MHz (V100 int8: dp4a,
# 80 SMs x 64 lanes x 4 x 1.53 GHz x 2; RTX 2080: 46 SMs x 8 tensor cores, 1.71 GHz boost), to 0.5%
# (the datasheets round: V100's "125" is 80 x 8 x 64 x 2 x 1.53 GHz = 125.3). The run's peak is
# the datasheet's at the run's clock (clock_hz, the sustained clock: V100 1421 MHz, T4 900 MHz).
for gv_row in "a100 bf16 312 1410" "a100 fp16 312 1410" "a100 int8 624 1410" "h100 bf16 989.4 1830" \
        "h100 fp16 989.4 1830" "h100 int8 1979 1830" "v100 fp16 125 1530" "v100 int8 62.67 1530" \
        "rtx2080 fp16 80.55 1710" "rtx2080 int8 161.1 1710" "t4 fp16 65.13 1590" "t4 int8 130.3 1590"; do
    set -- $gv_row
    gv_c=configs/gpu-$1.yaml gv_d=$2 gv_peak=$3 gv_boost=$4
    gv_j="$T/gv-$1-$2.json"
    if "$TPUSIM" gemm 1000 700 1500 -c "$gv_c" --dtype "$gv_d" --no-data --json - >"$gv_j" 2>"$T/err"; then
        ok "gpu gemm $1 $gv_d runs"
    else
        not_ok "gpu gemm $1 $gv_d runs" "$(cat "$T/err")"
        continue
    fi
    if [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" "$gv_schema" "$gv_j" 2>"$T/err"; then ok "schema: gpu gemm $1 $gv_d"
    else not_ok "schema: gpu gemm $1 $gv_d" "$(cat "$T/err")"; fi
    gv_s=$(gv_num "$gv_j" seconds) gv_u=$(gv_num "$gv_j" utilization) gv_p=$(gv_num "$gv_j" peak_ops_per_s)
    gv_m=$(gv_num "$gv_j" macs)
    gv_peak=$(awk -v p="$gv_peak" -v f="$(gv_num "$gv_j" clock_hz)" -v b="$gv_boost" 'BEGIN { printf "%.12g", p * f / (b * 1e6) }')
    if [ "$gv_m" = 1050000000 ]; then ok "gpu gemm $1 $gv_d: macs = MNK"; else not_ok "gpu gemm $1 $gv_d: macs = MNK ($gv_m)"; fi
    if gv_close "$gv_p" "$(awk -v p="$gv_peak" 'BEGIN { print p * 1e12 }')" 0.005; then ok "gpu gemm $1 $gv_d: peak = datasheet x clock / boost"
    else not_ok "gpu gemm $1 $gv_d: peak = datasheet x clock / boost ($gv_p vs $gv_peak T)"; fi
    # utilization is a fraction: 2MNK / seconds (the whole run, launch included) / peak
    if gv_close "$gv_u" "$(awk -v s="$gv_s" -v p="$gv_peak" 'BEGIN { printf "%.12g", 2 * 1000 * 700 * 1500 / s / (p * 1e12) }')" 0.005 &&
        awk -v u="$gv_u" 'BEGIN { exit !(u > 0 && u <= 1) }'; then ok "gpu gemm $1 $gv_d: utilization = 2MNK / seconds / peak"
    else not_ok "gpu gemm $1 $gv_d: utilization = 2MNK / seconds / peak ($gv_u, $gv_s s)"; fi
    # cycles = the launch overhead (gpu.launch_overhead 3 us at the clock) + the kernel's
    gv_cy=$(gv_num "$gv_j" cycles) gv_hz=$(gv_num "$gv_j" clock_hz)
    gv_l=$(gv_num "$gv_j" launch_cycles "      ") gv_k=$(gv_num "$gv_j" kernel_cycles "      ")
    if [ "$gv_l" = "$(awk -v f="$gv_hz" 'BEGIN { printf "%.0f", 3e-6 * f }')" ] && [ $((gv_l + gv_k)) = "$gv_cy" ] &&
        gv_close "$gv_s" "$(awk -v c="$gv_cy" -v f="$gv_hz" 'BEGIN { printf "%.12g", c / f }')" 1e-9; then
        ok "gpu gemm $1 $gv_d: seconds = (3 us launch + kernel cycles) / clock"
    else not_ok "gpu gemm $1 $gv_d: seconds = (3 us launch + kernel cycles) / clock ($gv_l + $gv_k vs $gv_cy)"; fi
    if grep -q '"check": "timing_only"' "$gv_j" && grep -q '"timing_only": true' "$gv_j" &&
        grep -Eq '^    "(kernel|occupancy|waves|l2_hits|l2_misses)": "' "$gv_j" && [ "$(grep -Ec '^      "sm[0-9]+": \{' "$gv_j")" -gt 0 ] &&
        [ "$(grep -Ec '^      "(dram|l2|smem)": \{' "$gv_j")" = 4 ]; then
        ok "gpu gemm $1 $gv_d: JSON timing_only, kernel attributes, SMs and dram/l2/smem"
    else not_ok "gpu gemm $1 $gv_d: JSON timing_only, kernel attributes, SMs and dram/l2/smem"; fi
done

# what a chip lacks: one line naming what it has
expect_fail "gpu gemm: V100 has no bf16" "^tpusim: GPU 'gpu-v100' does not support bf16 \(it supports: int8, fp16\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-v100.yaml --dtype bf16
expect_fail "gpu gemm: RTX 2080 has no bf16" "^tpusim: GPU 'gpu-rtx2080' does not support bf16 \(it supports: int8, fp16\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-rtx2080.yaml --dtype bf16
expect_fail "gpu gemm: T4 has no bf16" "^tpusim: GPU 'gpu-t4' does not support bf16 \(it supports: int8, fp16\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-t4.yaml --dtype bf16
expect_fail "gemm: a TPU has no fp16" "^tpusim: machine 'tpu-v4' does not support fp16 \(it supports: int8, bf16\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/tpu-v4.yaml --dtype fp16
expect_fail "model: a TPU has no fp16" "^tpusim: machine 'tpu-v1' does not support fp16 \(it supports: int8\)$" \
    "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/tpu-v1.yaml --dtype fp16
expect_fail "gpu gemm: unknown --dtype" "^tpusim: --dtype: unknown dtype 'fp8' \(expected int8, bf16 or fp16\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-a100.yaml --dtype fp8
expect_fail "gpu model: a bf16 layer on V100" \
    "^tpusim: kernels/workloads/bert-base-seq128.yaml:11: layer 'qkv_proj': GPU 'gpu-v100' does not support bf16 \(it supports: int8, fp16; --dtype fp16 runs it as fp16\)$" \
    "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml -c configs/gpu-v100.yaml
# timing only: what needs values, and the TPU's own flags, are refused in one line
expect_fail "gpu gemm --out refused" "^tpusim: --out: not for GPU 'gpu-a100' \(the GPU model is timing only: no values are computed, so there is no C to write\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-a100.yaml --out "$T/c.npy"
expect_fail "gpu gemm --a refused" "^tpusim: --a: not for GPU 'gpu-h100' \(the GPU model is timing only: no values are computed, so no inputs are read\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-h100.yaml --a "$T/a.npy" --b "$T/b.npy"
expect_fail "gpu gemm --tile refused" "^tpusim: --tile: not for GPU 'gpu-a100' \(a TPU tiler flag; give a GPU kernel with --gpu-kernel SPEC\)$" \
    "$TPUSIM" gemm 64 64 64 -c configs/gpu-a100.yaml --tile 64x64x64
expect_fail "gpu model --engine refused" "^tpusim: --engine: not for GPU 'gpu-a100' \(a TPU simulation flag\)$" \
    "$TPUSIM" model kernels/workloads/tpuv1-mlp0.yaml -c configs/gpu-a100.yaml --engine pe
if "$TPUSIM" gemm 64 64 64 -c configs/gpu-a100.yaml >"$T/gv.txt" 2>&1 && grep -q '^  result           not computed (the GPU model is timing only)$' "$T/gv.txt"
then ok "gpu gemm: the result line says timing only"; else not_ok "gpu gemm: the result line says timing only" "$(head -12 "$T/gv.txt")"; fi

# the text report: header, one line per SM, the levels, the bound sentence
"$TPUSIM" gemm 4096 4096 4096 -c configs/gpu-a100.yaml --dtype bf16 --no-data >"$T/gv.txt" 2>&1
if grep -q '^gemm 4096x4096x4096 bf16 on gpu-a100 (GPU, 108 SMs at 1410 MHz)$' "$T/gv.txt" &&
    grep -Eq '^  kernel           [0-9]+x[0-9]+x[0-9]+/[0-9]+x[0-9]+/s[0-9]+/k[0-9]+/w[0-9]+ \(chosen by the heuristic search\)' "$T/gv.txt" &&
    grep -Eq '^  occupancy        [0-9]+ CTA\(s\) per SM \(bound by ' "$T/gv.txt" && grep -Eq '^  waves            [0-9]+ CTAs in [0-9]+ wave' "$T/gv.txt" &&
    [ "$(grep -Ec '^  sm[0-9]+ +busy ' "$T/gv.txt")" = 108 ] &&
    [ "$(grep -Ec '^  (dram|l2|smem) +[0-9.]+ [KMG]?i?B ' "$T/gv.txt")" = 3 ] &&
    tail -1 "$T/gv.txt" | grep -Eq '^(Compute-bound: the 108 SMs did useful work|Bound by )'; then
    ok "gpu gemm text: kernel, occupancy, waves, 108 SMs, dram/l2/smem, the bound"
else not_ok "gpu gemm text: kernel, occupancy, waves, 108 SMs, dram/l2/smem, the bound" "$(head -12 "$T/gv.txt"; tail -2 "$T/gv.txt")"; fi
if grep -Eq '^machine      gpu-a100 \(bf16, timing only\)$' "$T/gv.txt"; then ok "gpu gemm text: the machine line"
else not_ok "gpu gemm text: the machine line" "$(grep '^machine' "$T/gv.txt")"; fi

# transposes: stored as said, in the text and the JSON
expect_out "gpu gemm transposes (text)" '^  stored           A transposed \(K x M\), B transposed \(N x K\)$' \
    "$TPUSIM" gemm 512 384 256 -c configs/gpu-v100.yaml --dtype fp16 --transpose-a --transpose-b
"$TPUSIM" gemm 512 384 256 -c configs/gpu-rtx2080.yaml --transpose-a --json - >"$T/gvt.json" 2>"$T/err"
if grep -q '"transpose_a": true' "$T/gvt.json" && grep -q '"transpose_b": false' "$T/gvt.json" &&
    [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" "$gv_schema" "$T/gvt.json" 2>"$T/err"; then ok "gpu gemm --transpose-a JSON"
else not_ok "gpu gemm --transpose-a JSON" "$(cat "$T/err")"; fi
# --json FILE, and the text then on stdout
if "$TPUSIM" gemm 300 200 100 -c configs/gpu-h100.yaml --json "$T/gvf.json" >"$T/gv.txt" 2>"$T/err" &&
    grep -q '^gemm 300x200x100 int8 on gpu-h100' "$T/gv.txt" && [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" "$gv_schema" "$T/gvf.json" 2>"$T/err"
then ok "gpu gemm --json FILE"; else not_ok "gpu gemm --json FILE" "$(cat "$T/err")"; fi

# --gpu-kernel: the kernel given is the kernel run; bad specs in one line naming the flag
"$TPUSIM" gemm 1024 1024 1024 -c configs/gpu-a100.yaml --dtype bf16 --gpu-kernel 128x128x32/64x64/s3/k1/w4 --json - >"$T/gvk.json" 2>"$T/err"
if [ "$(gv_str "$T/gvk.json" kernel)" = 128x128x32/64x64/s3/k1/w4 ] && grep -q '"given": true' "$T/gvk.json"; then ok "--gpu-kernel runs that kernel"
else not_ok "--gpu-kernel runs that kernel" "$(cat "$T/err"; gv_str "$T/gvk.json" kernel)"; fi
expect_out "--gpu-kernel: the header says given" '^  kernel           128x64x32/64x32/s4/k2/w1/naive \(given by --gpu-kernel\)' \
    "$TPUSIM" gemm 512 512 2048 -c configs/gpu-a100.yaml --dtype fp16 --gpu-kernel 128x64x32/64x32/s4/k2/naive
expect_fail "--gpu-kernel that does not parse" \
    "^tpusim: --gpu-kernel: kernel '64x64': expected BMxBNxBK/WMxWN/sSTAGES\[/kSPLIT\]\[/wSWIZZLE\]\[/naive\]$" \
    "$TPUSIM" gemm 256 256 256 -c configs/gpu-a100.yaml --gpu-kernel 64x64
expect_fail "--gpu-kernel whose warp tile does not divide" \
    "^tpusim: --gpu-kernel 64x64x32/48x32/s2: warp tile 48x32 does not divide the CTA tile 64x64$" \
    "$TPUSIM" gemm 256 256 256 -c configs/gpu-v100.yaml --dtype fp16 --gpu-kernel 64x64x32/48x32/s2
expect_fail "--gpu-kernel on a TPU" "^tpusim: --gpu-kernel: machine 'tpu-v1' is a TPU \(the flag gives a GPU config's kernel\)$" \
    "$TPUSIM" gemm 256 256 256 -c configs/tpu-v1.yaml --gpu-kernel 64x64x32/32x32/s2
expect_out "gemm --help documents --gpu-kernel" 'SPEC = BMxBNxBK/WMxWN/sSTAGES\[/kSPLIT\]\[/wSWIZZLE\]\[/naive\]' "$TPUSIM" gemm --help

# model on a GPU config: text, JSON, and the total is the layers' sum (repeats applied)
expect_out "gpu model bert-base-seq128 on gpu-a100 (text)" \
    '^model bert-base-seq128: 6 layer\(s\) on gpu-a100 \(GPU, 108 SMs at 1410 MHz; each layer one kernel' \
    "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml -c configs/gpu-a100.yaml
if tail -1 "$T/out" | grep -Eq '^(Compute-bound|Bound by|Only [0-9]+ of the [0-9]+ )' && grep -q '^  total ' "$T/out"; then ok "gpu model text: total and bound"
else not_ok "gpu model text: total and bound" "$(tail -5 "$T/out")"; fi
"$TPUSIM" model kernels/workloads/bert-base-seq128.yaml -c configs/gpu-a100.yaml --json - >"$T/gvm.json" 2>"$T/err"
if [ -x "$JSON_VALIDATE" ] && "$JSON_VALIDATE" "$gv_schema" "$T/gvm.json" 2>"$T/err"; then ok "schema: gpu model"
else not_ok "schema: gpu model" "$(cat "$T/err")"; fi
gv_sum=$(sed -n 's/^        "cycles": \([0-9]*\),$/\1/p' "$T/gvm.json" | awk '{ s += $1 } END { print s }')
gv_ssum=$(sed -n 's/^        "seconds": \([-0-9.e+]*\),$/\1/p' "$T/gvm.json" | awk '{ s += $1 } END { printf "%.12g", s }')
if [ -n "$gv_sum" ] && [ "$gv_sum" = "$(gv_num "$T/gvm.json" cycles)" ] && [ "$gv_sum" = "$(gv_num "$T/gvm.json" cycles "      ")" ] &&
    gv_close "$(gv_num "$T/gvm.json" seconds)" "$gv_ssum" 1e-9; then ok "gpu model: the total is the layers' sum"
else not_ok "gpu model: the total is the layers' sum ($gv_sum vs $(gv_num "$T/gvm.json" cycles))"; fi
if [ "$(grep -c '"check": "timing_only"' "$T/gvm.json")" = 7 ]; then ok "gpu model: every layer and the run timing_only"
else not_ok "gpu model: every layer and the run timing_only"; fi
expect_ok "gpu model: SCALE-Sim CSV on gpu-h100" "$TPUSIM" model kernels/workloads/scalesim-vit-fc2.csv -c configs/gpu-h100.yaml
expect_out "gpu model: --dtype fp16 on V100" '^  qkv_proj       fp16 ' \
    "$TPUSIM" model kernels/workloads/bert-base-seq128.yaml -c configs/gpu-v100.yaml --dtype fp16

# the CLI gives the library's figures: rows of docs/validation.md's GPU tables (printed by
# tests/test_gpu_validation.c from gpu_run_gemm_opts), run by the command in their last column:
# the same efficiency to 0.1 point and the same kernel (every A100 row but the largest, every
# 8th V100 row)
gv_i=0
grep -E '^\| (A100|V100)' docs/validation.md | grep -v '16384 x 12288' >"$T/gvrows"
while IFS='|' read -r _ gv_gpu _ _ _ gv_pred _ gv_kern gv_cmd _; do
    gv_i=$((gv_i + 1))
    case "$gv_gpu" in *V100*) [ $((gv_i % 8)) = 0 ] || continue; gv_peak=125e12 ;; *) gv_peak=312e12 ;; esac
    gv_cmd=$(echo "$gv_cmd" | sed 's/^ *`tpusim //; s/` *$//')
    gv_pred=$(echo $gv_pred | tr -d '%') gv_kern=$(echo $gv_kern)
    set -- $gv_cmd
    # shellcheck disable=SC2086
    if "$TPUSIM" $gv_cmd --json - >"$T/gvr.json" 2>"$T/err" </dev/null; then
        gv_got="$(awk -v m="$2" -v n="$3" -v k="$4" -v s="$(gv_num "$T/gvr.json" seconds)" -v p="$gv_peak" \
            'BEGIN { printf "%.1f", 100 * 2 * m * n * k / s / p }') $(gv_str "$T/gvr.json" kernel)"
        if [ "$gv_got" = "$gv_pred $gv_kern" ]; then ok "validation row: tpusim $gv_cmd"
        else not_ok "validation row: tpusim $gv_cmd" "CLI: $gv_got; docs/validation.md: $gv_pred $gv_kern"; fi
    else not_ok "validation row: tpusim $gv_cmd" "$(cat "$T/err")"; fi
done <"$T/gvrows"
