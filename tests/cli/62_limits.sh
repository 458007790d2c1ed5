# Counts that would pass 2^63 (base/util.h TP_COUNT_MAX) are refused with the figure and the
# keys that caused it, never printed wrapped or saturated (issue 14, "Arithmetic that cannot wrap").
# 1. Before the run: the bytes a program moves over a memory at its bandwidth bound its cycles.
#    32768 x 32768 x 8192 int8 at 1 B/s and 10 GHz: the 4 GiB int8 output alone (32768^2 bytes =
#    1.07e9) takes 1.07e9 * 1e10 = 1.07e19 cycles, past 9.22e18.
expect_fail "gemm: refused before the run when its bytes alone pass 2^63 cycles" \
    "^tpusim: tpu\.dram\.bandwidth=1B/s at tpu\.clock=10GHz: the program moves [0-9.e+]+ bytes over tpu\.dram, at least [0-9.e+]+ cycles, past the 9\.22e\+18 \(2\^63\) cycles tpusim counts; refused before the run$" \
    "$TPUSIM" gemm 32768 32768 8192 --no-data --set tpu.dram.size=16GiB --set tpu.dram.bandwidth=1B/s --set tpu.clock=10GHz
# 1b. A program the machine accepts but whose bytes pass the limit at its load (4096^3 int8 on the
#    default machine moves 2.23e9 bytes: 2.23e19 cycles at 1 B/s and 10 GHz) is refused in one line,
#    with no big-run note before it (the note is for programs the machine has accepted).
expect_fail "gemm: refused at the program's load, one line (no big-run note first)" \
    "^tpusim: tpu\.dram\.bandwidth=1B/s at tpu\.clock=10GHz: the program moves [0-9.e+]+ bytes over tpu\.dram, at least 2\.23e\+19 cycles, past the 9\.22e\+18 \(2\^63\) cycles tpusim counts; refused before the run$" \
    "$TPUSIM" gemm 4096 4096 4096 --no-data --set tpu.dram.bandwidth=1B/s --set tpu.clock=10GHz
# 2. A layer's repeat: 256^3 int8 moves at least 256*256*(1+1) + 256*256*4 = 393216 bytes per run
#    (A, B read once, C written as int32), so each run takes at least 3.9e15 cycles at 1 B/s and
#    10 GHz; 10^6 repeats are at least 3.9e21, past 2^63. The error names the file, the layer's
#    line and the repeat.
printf 'name: rep\ndtype: int8\nlayers:\n  - {name: big, M: 256, N: 256, K: 256, repeat: 1000000}\n' >"$T/rep.yaml"
expect_fail "model: a repeat past 2^63 cycles is refused naming the layer" \
    "^tpusim: $T/rep\.yaml:4: layer 'big' \(repeat 1000000\): cycles: [0-9.]+e\+2[1-9] with repeat 1000000, past the 9\.22e\+18 \(2\^63\) cycles tpusim counts$" \
    "$TPUSIM" model "$T/rep.yaml" --no-data --set tpu.dram.bandwidth=1B/s --set tpu.clock=10GHz
# 3. Under the limit the count is exact and achieved bandwidth stays at most peak: 256^3 once at
#    1 B/s moves whole bursts, so cycles >= bus bytes * 1e10 and achieved <= 1 B/s.
"$TPUSIM" gemm 256 256 256 --no-data --set tpu.dram.bandwidth=1B/s --set tpu.clock=10GHz --json "$T/lim.json" >/dev/null 2>"$T/err"
awk '/"cycles":/ && !c { gsub(/[^0-9]/, "", $2); c = $2 }
     /"offchip_bus_bytes":/ && !b { gsub(/[^0-9]/, "", $2); b = $2 }
     END { exit !(c != "" && b != "" && c + 0 >= b * 1e10 && c + 0 < 2^63) }' "$T/lim.json" &&
    ok "gemm: 1 B/s at 10 GHz under the limit: cycles >= bus bytes x 1e10, below 2^63" ||
    not_ok "gemm: 1 B/s at 10 GHz under the limit" "$(cat "$T/err"; head -c 600 "$T/lim.json")"
