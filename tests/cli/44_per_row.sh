# Per-row readiness (docs/isa.md): the v4-core's 4 MXUs with ideal memory reach 75% on
# 1024x128x1024 bf16, the activates streaming each MXU's drain and the stores following them,
# with the same cycles and bits on both engines.
pr_run() {   # pr_run ENGINE: prints "cycles utilization result"
    "$TPUSIM" gemm 1024 128 1024 -c configs/tpu-v4-core.yaml --dtype bf16 --set tpu.dram.ideal=true --engine "$1" 2>"$T/err" |
        awk '/^cycles +[0-9]/ { c = $2 } /utilization/ { u = $0; sub(/.*utilization /, "", u); sub(/%.*/, "", u) }
             /^  result/ { r = ($0 ~ /matches the reference bit for bit/) ? "exact" : "differs" }
             END { print c, u, r }'
}
pr_fast=$(pr_run fast)
pr_pe=$(pr_run pe)
set -- $pr_fast
if [ -n "$1" ] && awk -v u="$2" 'BEGIN { exit !(u >= 75) }' && [ "$3" = exact ]; then
    ok "v4-core 1024x128x1024 bf16, ideal memory: at least 75% and exact ($pr_fast)"
else not_ok "v4-core 1024x128x1024 bf16, ideal memory: at least 75% and exact" "$pr_fast $(cat "$T/err")"; fi
if [ "$pr_fast" = "$pr_pe" ]; then ok "v4-core 1024x128x1024: the per-PE engine gives the same cycles and bits ($pr_pe)"
else not_ok "v4-core 1024x128x1024: the per-PE engine gives the same cycles and bits" "fast: $pr_fast, pe: $pr_pe"; fi
