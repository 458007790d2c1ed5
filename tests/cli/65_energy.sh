# Energy appears where the config has a table (configs/edge-8x8.yaml: 0.3 pJ per int8 MAC,
# 2.0 pJ per bf16 MAC): 64^3 = 262144 MACs -> 78643.2 pJ = 0.079 uJ int8, 524288 pJ = 0.524 uJ bf16.
expect_out "energy: int8 MAC energy from the table" "^energy .*\(MACs 0\.079," "$TPUSIM" gemm 64 64 64 -c configs/edge-8x8.yaml
expect_out "energy: bf16 MAC energy from the table" "^energy .*\(MACs 0\.524," "$TPUSIM" gemm 64 64 64 -c configs/edge-8x8.yaml --dtype bf16
expect_out "energy: JSON has energy_pj" '"energy_pj"' "$TPUSIM" gemm 64 64 64 -c configs/edge-8x8.yaml --json -
"$TPUSIM" gemm 64 64 64 >"$T/noenergy" 2>&1
if grep -q '^energy' "$T/noenergy"; then not_ok "energy: absent without a table" "$(cat "$T/noenergy")"; else ok "energy: absent without a table"; fi
