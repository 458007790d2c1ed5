# --trace FILE|- (docs/trace.md) on gemm, run, model and compare: the trace validates against
# docs/trace.schema.json, the command's --json is byte for byte the same with and without it,
# the slices of every track nest or follow (checked here from the file, independently of the
# writer's own check), the single-tile GEMM's MXU slice is its docs/mxu.md stream (T = m = 64),
# the DMA slices' bytes are the report's off-chip bytes and no slice ends after the run; the cap
# prints one line and is recorded; bad flags are one-line errors before any run.
TR="$T/trace"
mkdir -p "$TR"
tr_schema=docs/trace.schema.json

# tr_nesting FILE: the X events of each track (tid) sorted by start, the longer first, each
# ends by the end of the innermost open one; prints the first crossing pair, if any
tr_nesting() {
    sed -n 's/.*"ph":"X".*"tid":\([0-9]*\),.*"start_cycle":\([0-9]*\),"end_cycle":\([0-9]*\).*/\1 \2 \3/p' "$1" |
        sort -k1,1n -k2,2n -k3,3nr |
        awk '$1 != tid { tid = $1; d = 0 }
             { while (d > 0 && e[d] <= $2) d--
               if (d > 0 && $3 > e[d]) { print "tid " $1 ": [" $2 ", " $3 ") crosses [" s[d] ", " e[d] ")"; exit }
               d++; s[d] = $2; e[d] = $3 }'
}
# tr_check NAME FILE: valid against the schema and no track has crossing slices
tr_check() {
    if ! "$JSON_VALIDATE" "$tr_schema" "$2" 2>"$T/err"; then not_ok "trace schema: $1" "$(cat "$T/err")"; return; fi
    ok "trace schema: $1"
    x=$(tr_nesting "$2")
    if [ -z "$x" ] && grep -q '"ph":"X"' "$2"; then ok "trace nesting: $1"; else not_ok "trace nesting: $1" "$x"; fi
}
# tr_same NAME CMD...: CMD --json A and CMD --json B --trace FILE give the same JSON; the trace is checked
tr_i=0
tr_same() {
    n=$1; shift
    tr_i=$((tr_i + 1))
    if "$@" --json "$TR/a$tr_i.json" >/dev/null 2>"$T/err" &&
        "$@" --json "$TR/b$tr_i.json" --trace "$TR/t$tr_i.json" >/dev/null 2>>"$T/err"; then
        if cmp -s "$TR/a$tr_i.json" "$TR/b$tr_i.json"; then ok "--trace changes no figure: $n"
        else not_ok "--trace changes no figure: $n" "$(diff "$TR/a$tr_i.json" "$TR/b$tr_i.json" | head -8)"; fi
        tr_check "$n" "$TR/t$tr_i.json"
    else not_ok "$n (exit $?)" "$(cat "$T/err")"; fi
}
if [ ! -x "$JSON_VALIDATE" ]; then
    not_ok "json_validate is built (no $JSON_VALIDATE)"
else
    tr_same "gemm" "$TPUSIM" gemm 300 200 500
    tr_same "gemm os, 2-core tpu-v4, timing only" "$TPUSIM" gemm 512 384 640 -c configs/tpu-v4.yaml --dataflow os --no-data
    tr_same "gemm --engine pe" "$TPUSIM" gemm 20 12 16 -c configs/teach-4x4.yaml --engine pe
    tr_same "gemm tpu-v1 (weight memory, host)" "$TPUSIM" gemm 256 256 256 -c configs/tpu-v1.yaml --no-data
    tr_same "gemm on a GPU" "$TPUSIM" gemm 1024 768 512 -c configs/gpu-a100.yaml
    tr_same "run" "$TPUSIM" run kernels/gemm_dbuf_relu.tpu --timing-only
    # a small workload (the shipped ones make traces of tens of MB): chained layers, a repeat
    printf 'layers:\n  - {name: a, M: 256, N: 128, K: 300, repeat: 2, epilogue: relu}\n  - {name: b, M: 256, N: 96, K: 128, input: a}\n  - {name: c, M: 64, N: 64, K: 64}\n' >"$TR/w.yaml"
    tr_same "model" "$TPUSIM" model "$TR/w.yaml" --no-data
    tr_same "model on a GPU" "$TPUSIM" model "$TR/w.yaml" -c configs/gpu-t4.yaml
    n=$(grep -c '"cat":"layer"' "$TR/t$tr_i.json")
    if [ "$n" = 3 ]; then ok "model trace: a slice per layer (a repeated layer once)"; else not_ok "model trace: a slice per layer" "$n"; fi
    tr_same "compare" "$TPUSIM" compare 512 512 512 -g configs/gpu-a100.yaml --no-data
    # model -g: both machines in the one trace, as compare puts them: the TPU's processes, then
    # the GPU's (the default machine has two cores), each part with its `model` process and a
    # slice per layer (6 = 3 layers x 2)
    tr_same "model -g" "$TPUSIM" model "$TR/w.yaml" -g configs/gpu-t4.yaml --no-data
    n=$(grep -c '"cat":"layer"' "$TR/t$tr_i.json")
    p=$(sed -n 's/.*"name":"process_name".*"args":{"name":"\([^"]*\)"}.*/\1/p' "$TR/t$tr_i.json" | tr '\n' ,)
    if [ "$n" = 6 ] && [ "$p" = "core0,core1,mem,model,gpu,gpu mem,model," ]; then
        ok "model -g trace: the TPU's and the GPU's processes, a slice per layer on each"
    else not_ok "model -g trace: both machines" "layer slices $n, processes $p"; fi

    # the single-tile GEMM: one matmul slice of T = m = 64 cycles on core0's mxu0 (ws streams
    # its 64 A rows; n = cols, k = rows: no padding), the report's busy; DMA bytes
    # 2048 + 1024 + 8192 = the report's off-chip bytes; the latest slice end = the run's cycles
    "$TPUSIM" run kernels/gemm_single.tpu --timing-only --json "$TR/s.json" --trace "$TR/s.trace" >/dev/null
    tr_check "run gemm_single" "$TR/s.trace"
    mxu_tid=$(sed -n 's/.*"thread_name","pid":1,"tid":\([0-9]*\),"args":{"name":"mxu0"}.*/\1/p' "$TR/s.trace")
    mxu=$(grep "\"tid\":$mxu_tid,.*\"name\":\"matmul\"\\|\"name\":\"matmul\".*\"tid\":$mxu_tid," "$TR/s.trace" |
        sed 's/.*"start_cycle":\([0-9]*\),"end_cycle":\([0-9]*\).*/\1 \2/' | awk '{ t += $2 - $1; n++ } END { print n, t }')
    busy=$(sed -n '/"core0.mxu0"/,/}/s/.*"busy": \([0-9]*\).*/\1/p' "$TR/s.json" | head -1)
    if [ "$mxu" = "1 64" ] && [ "$busy" = 64 ]; then ok "single tile: one matmul slice of 64 cycles = the MXU's busy 64"
    else not_ok "single tile: one matmul slice of 64 cycles = the MXU's busy 64" "slices/cycles: $mxu, busy: $busy"; fi
    dma=$(grep '"cat":"dma"' "$TR/s.trace" | sed 's/.*"bytes":\([0-9]*\).*/\1/' | awk '{ t += $1 } END { print t }')
    off=$(sed -n 's/.*"offchip_bytes": \([0-9]*\).*/\1/p' "$TR/s.json")
    if [ "$dma" = 11264 ] && [ "$off" = 11264 ]; then ok "single tile: DMA slice bytes 11264 = the report's off-chip bytes"
    else not_ok "single tile: DMA slice bytes 11264 = the report's off-chip bytes" "trace $dma, report $off"; fi
    last=$(sed -n 's/.*"end_cycle":\([0-9]*\).*/\1/p' "$TR/s.trace" | sort -n | tail -1)
    cyc=$(sed -n 's/^    "cycles": \([0-9]*\),/\1/p' "$TR/s.json" | head -1)
    if [ -n "$cyc" ] && [ "$last" = "$cyc" ]; then ok "single tile: the cause tracks end at the run's $cyc cycles"
    else not_ok "single tile: the cause tracks end at the run's cycles" "last end $last, cycles $cyc"; fi
    # a bigger run: DMA bytes in the slices = the report's off-chip bytes
    dma=$(grep '"cat":"dma"' "$TR/t1.json" | sed 's/.*"bytes":\([0-9]*\).*/\1/' | awk '{ t += $1 } END { printf "%d", t }')
    off=$(sed -n 's/.*"offchip_bytes": \([0-9]*\).*/\1/p' "$TR/b1.json" | head -1)
    if [ -n "$off" ] && [ "$dma" = "$off" ]; then ok "gemm 300x200x500: DMA slice bytes = the report's $off off-chip bytes"
    else not_ok "gemm 300x200x500: DMA slice bytes = the report's off-chip bytes" "trace $dma, report $off"; fi

    # '-' is stdout: the trace alone
    if "$TPUSIM" gemm 64 64 64 --trace - >"$TR/out.json" 2>"$T/err" && "$JSON_VALIDATE" "$tr_schema" "$TR/out.json" 2>>"$T/err"
    then ok "--trace -: stdout carries the trace alone"; else not_ok "--trace -: stdout carries the trace alone" "$(cat "$T/err")"; fi
    expect_fail "--trace - and --json -" "^tpusim: --trace -: stdout already carries --json -" \
        "$TPUSIM" gemm 64 64 64 --json - --trace -
    expect_fail "run --trace - and --json -" "^tpusim: --trace -: stdout already carries --json -" \
        "$TPUSIM" run kernels/gemm_single.tpu --json - --trace -
    expect_fail "--trace into a missing directory: before the run" "^tpusim: --trace $TR/no/t.json: " \
        "$TPUSIM" model "$TR/w.yaml" --trace "$TR/no/t.json"
    expect_fail "--trace and --json naming one file" "names the same file as --json" \
        "$TPUSIM" compare 64 64 64 -g configs/gpu-a100.yaml --json "$TR/same.json" --trace "$TR/same.json"
    expect_fail "--trace twice" "^tpusim: --trace .*already given" "$TPUSIM" gemm 64 64 64 --trace "$TR/1.json" --trace "$TR/2.json"
    expect_fail "--trace-cap not a number" "^tpusim: --trace-cap" "$TPUSIM" run kernels/gemm_single.tpu --trace-cap lots
    expect_fail "--trace without a value" "^tpusim: --trace" "$TPUSIM" gemm 64 64 64 --trace
    expect_fail "mxu has no --trace" "unknown" "$TPUSIM" mxu 8 8 8 --trace "$TR/m.json"

    # the cap: one line on stderr, the count in otherData, the first events kept
    "$TPUSIM" gemm 512 512 512 --no-data --trace "$TR/cap.json" --trace-cap 100 >/dev/null 2>"$T/err"
    rc=$?
    if [ "$rc" = 0 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
        grep -Eq "^tpusim: --trace $TR/cap.json: kept the first 100 of [0-9]+ events \(cap 100\)\$" "$T/err"
    then ok "--trace-cap 100: one line on stderr"; else not_ok "--trace-cap 100: one line on stderr (exit $rc)" "$(cat "$T/err")"; fi
    rec=$(sed -n 's/.*"events_recorded":\([0-9]*\).*/\1/p' "$TR/cap.json")
    if grep -q '"events_kept":100,' "$TR/cap.json" && grep -qF "of $rec events (cap 100)" "$T/err" &&
        [ "$(grep -c '"ph":"X"' "$TR/cap.json")" -le 100 ]
    then ok "--trace-cap 100: otherData counts what was kept and recorded"; else not_ok "--trace-cap 100: otherData" "$(tail -2 "$TR/cap.json")"; fi
    tr_check "capped trace" "$TR/cap.json"
    "$TPUSIM" gemm 64 64 64 --trace "$TR/all.json" --trace-cap 0 >/dev/null 2>"$T/err"
    if [ ! -s "$T/err" ] && grep -q '"events_dropped":0' "$TR/all.json"; then ok "--trace-cap 0: everything, no line"
    else not_ok "--trace-cap 0: everything, no line" "$(cat "$T/err")"; fi
fi
