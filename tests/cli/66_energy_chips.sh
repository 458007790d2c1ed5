# Energy of the shipped chips (docs/energy.md): each chip's run against its published chip-level
# power, and each run's energy recomputed here from its config's table and its JSON's counts.
#
# en_get JSON SIDE FIELD: a number at the top of the "tpu" or "gpu" record
en_get() { sed -n "/^  \"$2\": {/,/^  }/p" "$1" | sed -n "s/^    \"$3\": \\([-0-9.e+]*\\),\\{0,1\\}\$/\\1/p" | head -1; }
# en_lvl JSON SIDE LEVEL FIELD: a number of one memory level of that record
en_lvl() {
    sed -n "/^  \"$2\": {/,/^  }/p" "$1" | sed -n "/^      \"$3\": {/,/^      }/p" |
        sed -n "s/^        \"$4\": \\([-0-9.e+]*\\),\\{0,1\\}\$/\\1/p" | head -1
}
# en_key CONFIG KEY: a key's value from config show --json (0 when absent)
en_key() { v=$(sed -n "s/^    \"$2\": \\([-0-9.e+]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -1); echo "${v:-0}"; }
# en_scale TABLE_NM CHIP_NM: the node rule written again here (docs/energy.md): f(n) = (n/45)^a,
# a = ln 0.35 / ln(7/45), n held to [7, 45]; 1 when either node is 0
en_scale() {
    awk -v t="$1" -v c="$2" 'function f(n) { if (n < 7) n = 7; if (n > 45) n = 45; return exp(log(0.35) / log(7 / 45) * log(n / 45)) }
        BEGIN { if (t == 0 || c == 0) print 1; else printf "%.12g\n", f(c) / f(t) }'
}
# en_expect JSON SIDE CONFIG_JSON DTYPE: MACs x pJ/MAC at the node + each level's bytes x its pJ/byte
en_expect() {
    j=$1 s=$2 k=$3 d=$4
    [ "$d" = fp16 ] && d=bf16   # a GPU's fp16 MACs use the bf16 figure (docs/config.md)
    sc=$(en_scale "$(en_key "$k" "$s.energy.mac_node_nm")" "$(en_key "$k" "$s.process_nm")")
    mac=$(en_key "$k" "$s.energy.mac_${d}_pj")
    if [ "$s" = tpu ]; then
        lv="dram:dram weight_mem:weight_mem host:host ub:ub acc:acc wbuf:wbuf"
    else
        lv="dram:dram l2:l2 smem:smem"
    fi
    sum="$(en_get "$j" "$s" macs) * $mac * $sc"
    for p in $lv; do
        l=${p%%:*} kn=${p#*:}
        b=$(en_lvl "$j" "$s" "$l" bus_bytes)
        [ -n "$b" ] && sum="$sum + $b * $(en_key "$k" "$s.energy.${kn}_pj_per_byte")"
    done
    awk "BEGIN { printf \"%.10g\\n\", $sum }"
}

# chip  config  dtype  published watts  what the watts are (docs/energy.md cites each)
while read -r en_n en_c en_d en_w en_what; do
    case $en_c in tpu-*) en_s=tpu ;; *) en_s=gpu ;; esac
    if ! "$TPUSIM" gemm 4096 4096 4096 -c "configs/$en_c.yaml" --dtype "$en_d" --no-data --json "$T/en.json" </dev/null >/dev/null 2>"$T/err" ||
        ! "$TPUSIM" config show "configs/$en_c.yaml" --json "$T/enk.json" </dev/null >/dev/null 2>>"$T/err"; then
        not_ok "energy $en_n: gemm 4096^3 $en_d runs" "$(cat "$T/err")"
        continue
    fi
    en_e=$(en_get "$T/en.json" "$en_s" energy_pj) en_t=$(en_get "$T/en.json" "$en_s" seconds)
    en_x=$(en_expect "$T/en.json" "$en_s" "$T/enk.json" "$en_d")
    if [ -n "$en_e" ] && awk -v a="$en_e" -v b="$en_x" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 1e-9 * b) }'
    then ok "energy $en_n: $en_e pJ = MACs x pJ/MAC at the node + bytes x pJ/byte from the config's table"
    else not_ok "energy $en_n: energy_pj = MACs x pJ/MAC at the node + bytes x pJ/byte" "json $en_e, recomputed $en_x"; fi
    # the band docs/energy.md states: dynamic power / published chip power in [0.15, 2]
    en_r=$(awk -v e="$en_e" -v t="$en_t" -v w="$en_w" 'BEGIN { printf "%.3f", e * 1e-12 / t / w }')
    if awk -v r="$en_r" 'BEGIN { exit !(r >= 0.15 && r <= 2) }'
    then ok "energy $en_n: tpusim power / published $en_what $en_w W = $en_r, within [0.15, 2]"
    else not_ok "energy $en_n: tpusim power / published $en_what $en_w W = $en_r, outside [0.15, 2]" "$en_e pJ in $en_t s"; fi
done <<EOF
tpu-v1 tpu-v1 int8 40 busy
tpu-v2 tpu-v2 bf16 280 TDP
tpu-v3 tpu-v3 bf16 450 TDP
tpu-v4 tpu-v4 bf16 192 max
v100 gpu-v100 fp16 300 TDP
a100 gpu-a100 bf16 400 power-limited
h100 gpu-h100 bf16 700 TDP
t4 gpu-t4 fp16 70 TDP
rtx2080 gpu-rtx2080 fp16 215 board
EOF

# compare tpu-v4 against gpu-a100: both have tables, so energy and performance per watt are rows;
# each side's energy recomputed from its config's table and the JSON's byte counts
if "$TPUSIM" compare 2048 2048 2048 -g configs/gpu-a100.yaml --dtype bf16 --no-data --json "$T/enc.json" >"$T/enc.txt" 2>"$T/err" &&
    "$TPUSIM" config show configs/tpu-v4.yaml --json "$T/enk4.json" >/dev/null 2>>"$T/err" &&
    "$TPUSIM" config show configs/gpu-a100.yaml --json "$T/enka.json" >/dev/null 2>>"$T/err"; then
    en_te=$(en_get "$T/enc.json" tpu energy_pj) en_ge=$(en_get "$T/enc.json" gpu energy_pj)
    en_tx=$(en_expect "$T/enc.json" tpu "$T/enk4.json" bf16) en_gx=$(en_expect "$T/enc.json" gpu "$T/enka.json" bf16)
    if awk -v a="$en_te" -v b="$en_tx" -v c="$en_ge" -v d="$en_gx" \
        'BEGIN { x = a - b; y = c - d; if (x < 0) x = -x; if (y < 0) y = -y; exit !(b > 0 && d > 0 && x <= 1e-9 * b && y <= 1e-9 * d) }'
    then ok "energy compare: tpu-v4 $en_te pJ and gpu-a100 $en_ge pJ = MACs x pJ/MAC + bytes x pJ/byte of each table"
    else not_ok "energy compare: each side's energy from its table" "tpu $en_te vs $en_tx, gpu $en_ge vs $en_gx"; fi
    en_row=$(sed -n 's/^  energy  *//p' "$T/enc.txt" | head -1)
    # the row's unit: pJ, nJ, uJ, mJ or J, whichever puts the figure in [1, 1000)
    en_want=$(awk -v t="$en_te" 'BEGIN { split("pJ nJ uJ mJ J", U, " "); u = 1; while (u < 5 && t >= 1000) { t /= 1000; u++ }
                                         printf "%.4g %s", t, U[u] }')
    en_ppw=$(sed -n 's/^  performance per watt  *//p' "$T/enc.txt" | head -1)
    en_pt=$(awk -v e="$en_te" 'BEGIN { printf "%.4g TFLOPS/W", 2 * 2048 * 2048 * 2048 / (e * 1e-12) / 1e12 }')
    en_pg=$(awk -v e="$en_ge" 'BEGIN { printf "%.4g TFLOPS/W", 2 * 2048 * 2048 * 2048 / (e * 1e-12) / 1e12 }')
    case "$en_row" in "$en_want "*) en_ok=1 ;; *) en_ok=0 ;; esac
    case "$en_ppw" in "$en_pt"*"$en_pg"*) ;; *) en_ok=0 ;; esac
    if [ "$en_ok" = 1 ]; then ok "energy compare: the energy row and performance per watt (2MNK / energy: $en_pt, $en_pg)"
    else not_ok "energy compare: the energy row and performance per watt" "row '$en_row' want '$en_want ...'; perf/W '$en_ppw' want $en_pt, $en_pg"; fi
else not_ok "energy compare: tpu-v4 against gpu-a100 runs" "$(cat "$T/err")"; fi
