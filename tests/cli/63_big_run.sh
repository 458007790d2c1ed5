# A big run says what it will take before it starts (issue 14, "Big accepted jobs print their
# estimated memory and time"): one line on stderr when the estimate (tiler_run_cost, sim/tiler/run.h)
# reaches 1 GiB or 10 s (gemm, model, run); --quiet leaves it out; a small run prints nothing.
A32="-c configs/edge-8x8.yaml --set tpu.array.rows=32 --set tpu.array.cols=32 --dataflow ws --dtype int8"
TILE="--tile 64x128x32 --order mnk --double-buffer off"

# 1. Timing only, 2.5 million instructions (about 1 GiB of run state): the line names the
#    program's length, which is the report's; the memory is what the full simulation holds
#    (with --fast-forward off, GNU time's peak RSS within 5%), and the default run, whose
#    fast-forward jumps over most of the loop and never touches the jumped instructions' run-time
#    records, holds less; the time is the stated rate, 2 us per instruction (TILER_SECONDS_PER_INS).
# rss_of FILE CMD...: runs CMD with its stdout in $T/out and stderr in FILE, its peak RSS in
# KiB left in $T/rss when GNU time is there
rss_of() {
    f=$1; shift
    rm -f "$T/rss"
    if [ -x /usr/bin/time ]; then /usr/bin/time -f "%M" -o "$T/rss" "$@" >"$T/out" 2>"$f"
    else "$@" >"$T/out" 2>"$f"; fi
}
# shellcheck disable=SC2086
rss_of "$T/err" "$TPUSIM" gemm 4096 4096 4352 $A32 $TILE --no-data
n=$(sed -n 's/^instructions *\([0-9]*\)$/\1/p' "$T/out")
line=$(cat "$T/err")
if [ "$(wc -l <"$T/err")" = 1 ] && [ -n "$n" ] && printf '%s\n' "$line" |
    grep -Eq "^tpusim: gemm 4096x4096x4352 int8: a big run: about [0-9.]+ GiB of memory and [0-9.]+ s \($n instructions; less where the fast-forward jumps\)$"
then ok "big timing-only run: one line before it, naming its $n instructions"
else not_ok "big timing-only run: one line before it" "instructions '$n'; stderr: $line"; fi
gib=$(printf '%s\n' "$line" | sed -n 's/.*about \([0-9.]*\) GiB of memory.*/\1/p')
secs=$(printf '%s\n' "$line" | sed -n 's/.* GiB of memory and \([0-9.]*\) s .*/\1/p')
if [ -n "$n" ] && [ "$secs" = "$(awk -v n="$n" 'BEGIN { printf "%.1f", n * 2e-6 }')" ]
then ok "big timing-only run: its time is 2 us per instruction ($secs s)"
else not_ok "big timing-only run: its time is 2 us per instruction" "printed '$secs' for $n instructions"; fi
# the sanitizer's wrapper (a script) runs a binary whose memory is not the release one's
case "$(head -c 2 "$TPUSIM")" in
    '#!') ;;
    *) if [ -s "$T/rss" ]; then
           rss=$(tail -n 1 "$T/rss")
           if grep -q 'instructions jumped over' "$T/out" &&
               awk -v g="$gib" -v k="$rss" 'BEGIN { exit !(g > 0 && k * 1024 < g * 2^30) }'
           then ok "big timing-only run: the fast-forward jumped and the run held less than named ($rss KiB of $gib GiB)"
           else not_ok "big timing-only run: the fast-forward jumped and the run held less than named" "$gib GiB named, $rss KiB peak; $(grep fast-forward "$T/out")"; fi
           # shellcheck disable=SC2086
           rss_of "$T/err2" "$TPUSIM" gemm 4096 4096 4352 $A32 $TILE --no-data --fast-forward off
           rss=$(tail -n 1 "$T/rss")
           if [ "$(cat "$T/err2")" = "$line" ] &&
               awk -v g="$gib" -v k="$rss" 'BEGIN { e = g * 2^30; r = k * 1024; exit !(g > 0 && r >= 0.95 * e && r <= 1.05 * e) }'
           then ok "big timing-only run, --fast-forward off: the same line, and the memory it names ($gib GiB) is its peak RSS within 5% ($rss KiB)"
           else not_ok "big timing-only run, --fast-forward off: the memory it names is its peak RSS within 5%" "$gib GiB named, $rss KiB peak; stderr: $(cat "$T/err2")"; fi
       fi ;;
esac

# 2. --quiet leaves the line out; a small run has none
# shellcheck disable=SC2086
"$TPUSIM" gemm 4096 4096 4352 $A32 $TILE --no-data --quiet >/dev/null 2>"$T/err"
if [ ! -s "$T/err" ]; then ok "big run with --quiet: nothing on stderr"
else not_ok "big run with --quiet: nothing on stderr" "$(cat "$T/err")"; fi
"$TPUSIM" gemm 256 256 256 >/dev/null 2>"$T/err"
if [ ! -s "$T/err" ]; then ok "small run: nothing on stderr"
else not_ok "small run: nothing on stderr" "$(cat "$T/err")"; fi

# 3. With values: 8192^3 bf16 on tpu-v4-core, checked, is 5.5e11 MACs twice (the run and the
#    reference) at 6.7e10 MACs/s (TILER_MACS_PER_SECOND): 16.4 s; its memory is A and B (bf16,
#    128 MiB each), C and the reference's C (fp32, 256 MiB each) and the reference's fp32 copies
#    of A and B (256 MiB each): 1280 MiB = 1.25 GiB, and the machine's state; first touched at
#    2.5e8 B/s that is 5.4 s more. The line says how to make it timing only. The run is stopped
#    once the line is out (waited for up to 30 s).
# big_line NAME CMD...: runs CMD in the background until its stderr has the big-run line, then
# stops it; the line is left in $line
big_line() {
    "$@" >/dev/null 2>"$T/err" &
    pid=$!
    for _ in $(seq 300); do
        grep -q 'a big run' "$T/err" 2>/dev/null && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    line=$(grep 'a big run' "$T/err")
}
big_line "$TPUSIM" gemm 8192 8192 8192 -c configs/tpu-v4-core.yaml --dtype bf16
gib=$(printf '%s\n' "$line" | sed -n 's/.*about \([0-9.]*\) GiB of memory.*/\1/p')
secs=$(printf '%s\n' "$line" | sed -n 's/.* GiB of memory and \([0-9.]*\) s .*/\1/p')
if printf '%s\n' "$line" | grep -Eq '^tpusim: gemm 8192x8192x8192 bf16: a big run: about [0-9.]+ GiB of memory and [0-9]+ s \(5\.5e\+11 MACs computed and checked, [0-9]+ instructions\); --no-data makes it timing only: about [0-9.]+ MiB and [0-9.]+ s$' &&
    awk -v g="$gib" -v s="$secs" 'BEGIN { exit !(g >= 1.25 && g < 1.32 && s >= 21 && s <= 23) }'
then ok "big run with values: its memory ($gib GiB: 1.25 of matrices and copies, and more), time ($secs s: 16.4 + 5.4 and more) and --no-data"
else not_ok "big run with values: its memory and time, and --no-data" "$(cat "$T/err")"; fi

# 4. model: the groups' costs (llama7b-prefill: 6 layers; 4.5e11 MACs, twice at 6.7e10/s, is
#    13.4 s at least)
big_line "$TPUSIM" model kernels/workloads/llama7b-prefill-seq2048.yaml -c configs/tpu-v4-core.yaml
secs=$(printf '%s\n' "$line" | sed -n 's/.* MiB of memory and \([0-9.]*\) s .*/\1/p')
if printf '%s\n' "$line" | grep -Eq '^tpusim: model llama7b-prefill-seq2048: a big run: about [0-9.]+ MiB of memory and [0-9]+ s \(6 layers, at most [0-9]+ instructions, values computed and checked\); --no-data makes it timing only: about [0-9.]+ MiB and [0-9.]+ s$' &&
    awk -v s="$secs" 'BEGIN { exit !(s >= 13.4) }'
then ok "big model with values: one line before it ($secs s)"
else not_ok "big model with values: one line before it" "$(cat "$T/err")"; fi

# 5. run: a program's tensors are its memory with values (a 32768 x 32768 int8 tensor: 1 GiB);
#    the timing-only flag it names is run's own
printf '.tensor A int8 32768 32768\n.tensor B int8 8 8\nhalt\n' >"$T/bigt.tpu"
"$TPUSIM" run "$T/bigt.tpu" >/dev/null 2>"$T/err"
if grep -Eq "^tpusim: run $T/bigt\.tpu: a big run: about 1\.00 GiB of memory and [0-9.]+ s \(1 instruction, at most 0 MACs computed\); --timing-only makes it timing only: about [0-9]+ B and 0\.00 s$" "$T/err" &&
    [ "$(wc -l <"$T/err")" = 1 ]
then ok "big run program: its tensors' 1 GiB, and --timing-only"
else not_ok "big run program: its tensors' 1 GiB, and --timing-only" "$(cat "$T/err")"; fi
"$TPUSIM" run "$T/bigt.tpu" --quiet >/dev/null 2>"$T/err"
if [ ! -s "$T/err" ]; then ok "big run program with --quiet: nothing on stderr"
else not_ok "big run program with --quiet: nothing on stderr" "$(cat "$T/err")"; fi
