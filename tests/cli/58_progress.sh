# The progress bar (base/progress.h): nothing on stderr when it is not a terminal or with
# --quiet; under a pseudo-terminal (util-linux `script`) the bar is drawn and then erased, so the
# last bytes a command leaves on the terminal are "\r" ESC "[K" (the erase). gemm, run and mxu
# with the per-PE engine, model per layer.
ERASE=$(printf '\r\033[K')
for cmd in "gemm 192 160 224" "gemm 96 64 80 --engine pe -c configs/teach-4x4.yaml" \
           "model kernels/workloads/tpuv1-mlp0.yaml --no-data" "run kernels/gemm_single.tpu --engine pe" \
           "mxu 40 24 36 --engine pe -c configs/teach-4x4.yaml"; do
    # shellcheck disable=SC2086
    if "$TPUSIM" $cmd >"$T/out" 2>"$T/err" && [ ! -s "$T/err" ] && [ -s "$T/out" ]; then
        ok "$cmd: stderr not a terminal: no bar"
    else
        not_ok "$cmd: stderr not a terminal: no bar" "$(od -c "$T/err" | head -5)"
    fi
done
# shellcheck disable=SC2086
if "$TPUSIM" gemm 64 64 64 --quiet >"$T/out" 2>"$T/err" && [ ! -s "$T/err" ]; then ok "gemm --quiet: nothing on stderr"
else not_ok "gemm --quiet: nothing on stderr" "$(cat "$T/err")"; fi

# on_tty CMD: runs CMD with stdin, stdout and stderr on a pseudo-terminal, stdout sent to
# /dev/null inside it, so the terminal sees only stderr; what it saw (script's header and
# footer lines removed) in $T/tty
on_tty() {
    script -qec "$1 >/dev/null" "$T/ts" </dev/null >/dev/null 2>&1
    rc=$?
    sed '1d;$d' "$T/ts" >"$T/tty"
    return $rc
}
# ends_erased: the terminal's last bytes (less script's final newline) are the erase
ends_erased() { body=$(cat "$T/tty"); case $body in *"$ERASE") return 0 ;; esac; return 1; }
if command -v script >/dev/null && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
    for c in "gemm 192 160 224:gemm [:instructions/s" "model kernels/workloads/tpuv1-mlp0.yaml --no-data:model [:layers/s" \
             "run kernels/gemm_single.tpu --engine pe:run [:instructions/s" \
             "mxu 40 24 36 --engine pe -c configs/teach-4x4.yaml:mxu [:folds/s"; do
        cmd=${c%%:*}; rest=${c#*:}; bar=${rest%%:*}; unit=${rest#*:}
        if on_tty "$TPUSIM $cmd" && grep -Fq "$bar" "$T/tty" && grep -Fq "$unit" "$T/tty" && grep -Fq "ETA" "$T/tty" \
           && ends_erased; then
            ok "$cmd on a terminal: the bar ($bar ... $unit ETA) is drawn, then erased"
        else
            not_ok "$cmd on a terminal: the bar is drawn, then erased" "$(od -c "$T/tty" | head -8)"
        fi
    done
    if on_tty "$TPUSIM gemm 192 160 224 --quiet" && [ -z "$(tr -d '\n' <"$T/tty")" ]; then
        ok "gemm --quiet on a terminal: no bar"
    else
        not_ok "gemm --quiet on a terminal: no bar" "$(od -c "$T/tty" | head -8)"
    fi
    if on_tty "$TPUSIM model kernels/workloads/tpuv1-mlp0.yaml -c configs/gpu-a100.yaml --quiet" && [ -z "$(tr -d '\n' <"$T/tty")" ]; then
        ok "model --quiet on a GPU config, on a terminal: no bar"
    else
        not_ok "model --quiet on a GPU config, on a terminal: no bar" "$(od -c "$T/tty" | head -8)"
    fi
else
    ok "progress bar on a terminal (skipped: no working util-linux script)"
fi
