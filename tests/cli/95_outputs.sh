# Outputs are never torn (docs/output.md, "What a run writes"): every output file goes to a
# temporary in its directory and is renamed into place on success; a full disk, a write error,
# a signal or a refused run leaves the previous file byte for byte. Also the input hygiene of
# issue 14: flags given twice, names with terminal escapes, limits that stop a read at once.
O="$T/outputs"
mkdir -p "$O"
printf 'layers:\n  - {name: "red\\e[31mtext", M: 8, N: 8, K: 8}\n' >"$O/esc.yaml"
sum() { cksum <"$1" | cut -d' ' -f1,2; }
# no temporary (".NAME.tmp-PID-N") left in a directory
no_temps() { [ -z "$(ls -A "$1" | grep '\.tmp-')" ]; }
# expect_kept NAME FILE SUM DIR: FILE still has checksum SUM and DIR holds no temporary
expect_kept() {
    if [ "$(sum "$2")" = "$3" ] && no_temps "$4"; then ok "$1"; else not_ok "$1" "sum $(sum "$2") vs $3; $(ls -A "$4")"; fi
}

# --- a full disk: a 64 KiB tmpfs when we may mount one, else the same through RLIMIT_FSIZE ----
SMALL="$O/small"
mkdir -p "$SMALL"
mounted=0
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$SMALL" 2>/dev/null; then mounted=1; fi
if [ "$mounted" = 1 ]; then
    "$TPUSIM" gemm 64 64 64 --out "$SMALL/c.npy" >/dev/null
    good=$(sum "$SMALL/c.npy")
    expect_fail "full disk: gemm --out fails with one line" \
        "^tpusim: --out $SMALL/c.npy: write error: No space left on device\$" "$TPUSIM" gemm 256 256 64 --out "$SMALL/c.npy"
    expect_kept "full disk: the previous c.npy survives, no temporary left" "$SMALL/c.npy" "$good" "$SMALL"
    "$TPUSIM" gemm 64 64 64 --json "$SMALL/j.json" >/dev/null
    jgood=$(sum "$SMALL/j.json")
    # fill the disk, then every writer fails cleanly
    head -c 100000 /dev/zero >"$SMALL/fill" 2>/dev/null
    expect_fail "full disk: gemm --json" "^tpusim: --json $SMALL/j.json: write error: No space left on device\$" \
        "$TPUSIM" gemm 64 64 64 --json "$SMALL/j.json"
    expect_kept "full disk: the previous j.json survives" "$SMALL/j.json" "$jgood" "$SMALL"
    expect_fail "full disk: npy rand -o" "^tpusim: -o $SMALL/r.npy: write error: No space left on device\$" \
        "$TPUSIM" npy rand 64 64 -o "$SMALL/r.npy"
    if [ ! -e "$SMALL/r.npy" ] && no_temps "$SMALL"; then ok "full disk: no r.npy, no temporary"; else not_ok "full disk: no r.npy" "$(ls -A "$SMALL")"; fi
    umount "$SMALL"
else
    ok "full disk on tmpfs skipped (cannot mount here); RLIMIT_FSIZE below covers it"
fi

# RLIMIT_FSIZE of 1 block: a write past it fails with EFBIG (tpusim ignores SIGXFSZ)
F="$O/fsize"
mkdir -p "$F"
"$TPUSIM" gemm 64 64 64 --out "$F/c.npy" --json "$F/j.json" --emit "$F/e.tpu" >/dev/null
"$TPUSIM" mxu 8 8 8 --engine pe --vcd "$F/v.vcd" >/dev/null
"$TPUSIM" npy rand 64 64 -o "$F/r.npy"
"$TPUSIM" config show --json "$F/cfg.json"
for f in c.npy j.json e.tpu v.vcd r.npy cfg.json; do eval "good_$(echo $f | tr . _)=\$(sum \"\$F/$f\")"; done
limited() { (ulimit -f 1 && exec "$@"); }
expect_fail "file size limit: gemm --out" "^tpusim: --out $F/c.npy: write error: File too large\$" \
    limited "$TPUSIM" gemm 64 64 64 --out "$F/c.npy"
expect_kept "file size limit: c.npy kept" "$F/c.npy" "$good_c_npy" "$F"
expect_fail "file size limit: gemm --json" "^tpusim: --json $F/j.json: write error: File too large\$" \
    limited "$TPUSIM" gemm 64 64 64 --json "$F/j.json"
expect_kept "file size limit: j.json kept" "$F/j.json" "$good_j_json" "$F"
expect_fail "file size limit: gemm --emit" "^tpusim: --emit $F/e.tpu: write error: File too large\$" \
    limited "$TPUSIM" gemm 512 512 512 --no-data --emit "$F/e.tpu"
expect_kept "file size limit: e.tpu kept" "$F/e.tpu" "$good_e_tpu" "$F"
expect_fail "file size limit: mxu --vcd" "^tpusim: $F/v.vcd: write error: File too large\$" \
    limited "$TPUSIM" mxu 8 8 8 --engine pe --vcd "$F/v.vcd"
expect_kept "file size limit: v.vcd kept" "$F/v.vcd" "$good_v_vcd" "$F"
expect_fail "file size limit: npy rand -o" "^tpusim: -o $F/r.npy: write error: File too large\$" \
    limited "$TPUSIM" npy rand 64 64 -o "$F/r.npy" --seed 9
expect_kept "file size limit: r.npy kept" "$F/r.npy" "$good_r_npy" "$F"
expect_fail "file size limit: config show --json" "^tpusim: --json $F/cfg.json: write error: File too large\$" \
    limited "$TPUSIM" config show --json "$F/cfg.json" -c configs/tpu-v1.yaml
expect_kept "file size limit: cfg.json kept" "$F/cfg.json" "$good_cfg_json" "$F"
# a device is written in place; its error is the same one line
expect_fail "/dev/full: written directly, ENOSPC reported" "^tpusim: -o /dev/full: write error: No space left on device\$" \
    "$TPUSIM" npy rand 4 4 -o /dev/full

# --- SIGINT and SIGTERM: temporaries removed, one line, 130 / 143, the old file intact ------
S="$O/sig"
mkdir -p "$S"
"$TPUSIM" gemm 64 64 64 --out "$S/c.npy" >/dev/null
sgood=$(sum "$S/c.npy")
for sig in INT TERM; do
    code=130
    [ $sig = TERM ] && code=143
    msg="tpusim: interrupted by SIGINT; unfinished output files removed"
    [ $sig = TERM ] && msg="tpusim: terminated by SIGTERM; unfinished output files removed"
    # while the 64 MiB C is being written: wait for its temporary, then signal
    "$TPUSIM" gemm 4096 4096 64 --out "$S/c.npy" >/dev/null 2>"$S/err" &
    pid=$!
    n=0
    while kill -0 $pid 2>/dev/null && [ -z "$(ls -A "$S" | grep '\.tmp-')" ] && [ $n -lt 200000 ]; do n=$((n + 1)); done
    seen=$(ls -A "$S" | grep -c '\.tmp-')
    kill -$sig $pid 2>/dev/null
    wait $pid
    rc=$?
    if [ "$seen" -ge 1 ] && [ $rc -eq $code ] && [ "$(cat "$S/err")" = "$msg" ]; then ok "SIG$sig while writing: exit $code, one line"
    else not_ok "SIG$sig while writing: exit $rc (temporary seen: $seen)" "$(cat "$S/err")"; fi
    expect_kept "SIG$sig while writing: old c.npy byte-identical, no temporary" "$S/c.npy" "$sgood" "$S"
    # during the simulation, before any output is open
    "$TPUSIM" gemm 2048 2048 2048 --out "$S/c.npy" >/dev/null 2>"$S/err" &
    pid=$!
    sleep 0.2
    kill -$sig $pid
    wait $pid
    rc=$?
    if [ $rc -eq $code ] && [ "$(cat "$S/err")" = "$msg" ]; then ok "SIG$sig mid-run: exit $code, one line"
    else not_ok "SIG$sig mid-run: exit $rc" "$(cat "$S/err")"; fi
    expect_kept "SIG$sig mid-run: old c.npy byte-identical, no temporary" "$S/c.npy" "$sgood" "$S"
done

# --- symlinks followed, modes kept, FIFOs written directly ----------------------------------
L="$O/link"
mkdir -p "$L/real"
"$TPUSIM" npy rand 4 4 -o "$L/real/a.npy" --seed 1
chmod 640 "$L/real/a.npy"
ln -s real/a.npy "$L/a.npy"
"$TPUSIM" npy rand 4 4 -o "$L/a.npy" --seed 2
"$TPUSIM" npy rand 4 4 -o "$L/want.npy" --seed 2
if [ -L "$L/a.npy" ] && cmp -s "$L/real/a.npy" "$L/want.npy" && [ "$(stat -c %a "$L/real/a.npy")" = 640 ] && no_temps "$L/real"; then
    ok "a symlink stays a link, its target replaced with the mode kept"
else not_ok "symlink target replaced" "$(ls -la "$L" "$L/real")"; fi
mkfifo "$L/pipe"
cat "$L/pipe" >"$L/from_pipe.npy" &
cpid=$!
"$TPUSIM" npy rand 4 4 -o "$L/pipe" --seed 2
wait $cpid
if cmp -s "$L/from_pipe.npy" "$L/want.npy" && [ -p "$L/pipe" ]; then ok "a FIFO is written directly"; else not_ok "a FIFO is written directly"; fi

# --- output paths checked before the run ------------------------------------------------------
P="$O/paths"
mkdir -p "$P"
expect_fail "--out and --emit naming one file are refused" \
    "^tpusim: --out $P/c\.npy: names the same file as --emit $P/\./c\.npy \(one output would overwrite the other\)\$" \
    "$TPUSIM" gemm 64 64 64 --emit "$P/./c.npy" --out "$P/c.npy"
if [ -z "$(ls -A "$P")" ] && [ ! -s "$T/out" ]; then ok "... before anything ran or was written"; else not_ok "... before anything ran" "$(ls -A "$P")"; fi
ln -s c.npy "$P/l.npy"
expect_fail "a link and its target are one file" "^tpusim: --out $P/c\.npy: names the same file as --json $P/l\.npy " \
    "$TPUSIM" mxu 8 8 8 --out "$P/c.npy" --json "$P/l.npy"
expect_fail "run: two --out to one file" "^tpusim: --out $P/c\.npy: names the same file as --out $P/c\.npy " \
    "$TPUSIM" run kernels/gemm_single.tpu --out C="$P/c.npy" --out A="$P/c.npy"
expect_fail "a missing directory is refused before the run" \
    "^tpusim: --json $P/nodir/j\.json: cannot open for writing: directory '$P/nodir' does not exist\$" \
    "$TPUSIM" gemm 2048 2048 2048 --json "$P/nodir/j.json"
if [ ! -s "$T/out" ]; then ok "... without printing a report first"; else not_ok "... a report was printed" "$(head -3 "$T/out")"; fi
mkdir "$P/ro" && chmod 555 "$P/ro"
if [ "$(id -u)" != 0 ]; then
    expect_fail "a read-only directory is refused" "^tpusim: -o $P/ro/x\.npy: cannot open for writing: directory '$P/ro' is not writable" \
        "$TPUSIM" npy rand 2 2 -o "$P/ro/x.npy"
else ok "read-only directory check skipped (root writes anywhere)"; fi
expect_fail "model --json to a directory" "^tpusim: --json $P: cannot open for writing: Is a directory\$" \
    "$TPUSIM" model "$O/esc.yaml" --json "$P"

# --- a single-valued flag given twice ---------------------------------------------------------
expect_fail "--seed twice" "^tpusim: --seed 2: already given \('1'\); give it once\$" "$TPUSIM" gemm 8 8 8 --seed 1 --seed 2
expect_fail "--json twice" "^tpusim: --json b\.json: already given \('a\.json'\); give it once\$" \
    "$TPUSIM" gemm 8 8 8 --json a.json --json b.json
expect_fail "--dataflow twice" "^tpusim: --dataflow os: tpu\.array\.dataflow is already set \(by --dataflow ws\)\$" \
    "$TPUSIM" gemm 8 8 8 --dataflow ws --dataflow os
expect_fail "--dataflow then --set of its key" \
    "^tpusim: --set tpu\.array\.dataflow=is: tpu\.array\.dataflow is already set \(by --dataflow ws\)\$" \
    "$TPUSIM" mxu 8 8 8 --dataflow ws --set tpu.array.dataflow=is
expect_fail "--set of one key twice" "^tpusim: --set tpu\.array\.rows=16: tpu\.array\.rows is already set \(by --set tpu\.array\.rows=8\)\$" \
    "$TPUSIM" gemm 8 8 8 --set tpu.array.rows=8 --set tpu.array.rows=16
expect_out "--set of two keys is fine" "^gemm 8x8x8 " "$TPUSIM" gemm 8 8 8 --set tpu.array.rows=16 --set tpu.array.cols=16
expect_fail "gemm --tile twice" "^tpusim: --tile 8x8x8: already given \('16x16x16'\); give it once\$" \
    "$TPUSIM" gemm 32 32 32 --tile 16x16x16 --tile 8x8x8
expect_fail "mxu --vcd twice" "^tpusim: --vcd b\.vcd: already given \('a\.vcd'\); give it once\$" \
    "$TPUSIM" mxu 4 4 4 --engine pe --vcd a.vcd --vcd b.vcd
expect_fail "npy rand -o and --out" "^tpusim: --out b\.npy: already given \('a\.npy'\); give it once\$" \
    "$TPUSIM" npy rand 2 2 -o a.npy --out b.npy
expect_fail "model --engine twice" "^tpusim: --engine fast: already given \('pe'\); give it once\$" \
    "$TPUSIM" model "$O/esc.yaml" --engine pe --engine fast
expect_fail "config show --json twice" "^tpusim: --json b: already given \('a'\); give it once\$" "$TPUSIM" config show --json a --json b
expect_fail "run: --in of one tensor twice" "^tpusim: --in A=b\.npy: tensor 'A' is already bound \(--in A=a\.npy\)\$" \
    "$TPUSIM" run kernels/gemm_single.tpu --in A=a.npy --in A=b.npy
expect_fail "run: --out of one tensor twice" "^tpusim: --out C=y\.npy: tensor 'C' is already bound \(--out C=x\.npy\)\$" \
    "$TPUSIM" run kernels/gemm_single.tpu --out C=x.npy --out C=y.npy
"$TPUSIM" npy rand 64 32 -o "$O/a.npy" --seed 3 && "$TPUSIM" npy rand 32 32 -o "$O/b.npy" --seed 4
expect_ok "run: --in of two tensors is fine" "$TPUSIM" run kernels/gemm_single.tpu --in A="$O/a.npy" --in B="$O/b.npy" --out C="$O/c.npy"

# --- names shown escaped ----------------------------------------------------------------------
esc=$(printf '\033')
expect_fail "a file name's terminal escape is shown escaped" '^tpusim: x\\x1b\[2Jy\.tpu: cannot open: No such file or directory$' \
    "$TPUSIM" check "x${esc}[2Jy.tpu"
printf 'matmul\tx\033]0;title\007\n' >"$O/bad.tpu"
"$TPUSIM" check "$O/bad.tpu" >/dev/null 2>"$O/err"
if ! grep -q "$esc" "$O/err" && ! grep -q "$(printf '\007')" "$O/err" && [ "$(wc -l <"$O/err")" -eq 1 ]; then
    ok "echoed program text carries no raw control bytes"; else not_ok "echoed program text" "$(cat -v "$O/err")"; fi
expect_out "a layer name's escape is shown escaped" '^  red\\x1b\[31mtext +int8 ' "$TPUSIM" model "$O/esc.yaml"
if ! "$TPUSIM" model "$O/esc.yaml" | grep -q "$esc"; then ok "... and no raw ESC reaches the terminal"; else not_ok "raw ESC in model output"; fi

# --- a cross-key rule names what the user wrote -------------------------------------------------
expect_fail "--set breaking a rule with a default key names the --set" \
    '^tpusim: --set tpu\.dram\.burst_bytes=3: tpu\.dram\.interleave_bytes: 256 is not a multiple of tpu\.dram\.burst_bytes \(3\)$' \
    "$TPUSIM" gemm 8 8 8 --set tpu.dram.burst_bytes=3

# --- limits that stop a read at once ----------------------------------------------------------
awk 'BEGIN { s = "tpu: "; for (i = 0; i < 100000; i++) s = s "["; print s }' >"$O/deep.yaml"
start=$(date +%s)
expect_fail "100k nested brackets: refused at level 65" '^tpusim: .*/deep\.yaml:1:69: YAML nesting is deeper than 64 levels$' \
    "$TPUSIM" config check "$O/deep.yaml"
if [ $(($(date +%s) - start)) -le 2 ]; then ok "... at once"; else not_ok "... took $(($(date +%s) - start)) s"; fi
awk 'BEGIN { s = "layers:\n  - "; for (i = 0; i < 80; i++) s = s "{a: "; print s }' >"$O/deepw.yaml"
expect_fail "a deep workload is refused with its position" '^tpusim: .*/deepw\.yaml:2:253: YAML nesting is deeper than 64 levels$' \
    "$TPUSIM" model "$O/deepw.yaml"
expect_fail "a deep --set value" '^tpusim: --set tpu\.array\.dtypes=\[+: YAML nesting is deeper than 64 levels$' \
    "$TPUSIM" config show --set "tpu.array.dtypes=$(awk 'BEGIN { for (i = 0; i < 200; i++) printf "[" }')"
# /dev/zero never ends: the first NUL stops the read, in a few MB of memory (ulimit -v 100 MB)
# (a sanitizer build cannot start under ulimit -v: its shadow memory needs more; it runs unbounded)
if (ulimit -v 100000 && exec "$TPUSIM" version) >/dev/null 2>&1; then
    bounded() { (ulimit -v 100000 && exec "$@"); }
else
    bounded() { "$@"; }
fi
expect_fail "check /dev/zero fails at once with bounded memory" '^tpusim: /dev/zero:1:1: NUL byte in a program \(not a text file\)$' \
    bounded "$TPUSIM" check /dev/zero
expect_fail "config check /dev/zero" '^tpusim: /dev/zero:1:1: NUL byte in a YAML file \(not a text file\)$' \
    bounded "$TPUSIM" config check /dev/zero
expect_fail "model /dev/zero" '^tpusim: /dev/zero:1:1: NUL byte in a workload \(not a text file\)$' \
    bounded "$TPUSIM" model /dev/zero
expect_fail "a config over 4 MiB stops at the cap" '^tpusim: /dev/stdin: larger than 4MiB, the limit for a YAML file$' \
    sh -c "yes 'a: 1' | \"$TPUSIM\" config check /dev/stdin"
# a .npy header claiming 6.4 GB arriving through a pipe: the buffer grows only with the data
{
    printf '\223NUMPY\001\000\166\000'
    printf "%-117s\n" "{'descr': '<i4', 'fortran_order': False, 'shape': (40000, 40000), }"
    printf '%0100d' 0
} >"$O/claim.npy"
piped_npy() { cat "$O/claim.npy" | bounded "$TPUSIM" npy show /dev/stdin; }
expect_fail "a piped .npy claiming 6.4 GB is refused without allocating it" \
    '^tpusim: /dev/stdin: truncated: shape \(40000, 40000\) needs 6400000000 bytes of data, file has 100$' \
    piped_npy
