# docs/tutorial.md runs: every ```sh block of the course is executed, in order, in one lab
# directory, so the course cannot rot. The convention (docs/tutorial.md says it too):
#   - a ```sh block is run with `sh -e` in $T/tutorial/lab (which holds links to the
#     repository's configs/ and kernels/, as the course's setup makes), with tpusim on PATH;
#   - comment lines right after its closing fence are its checks:
#       <!-- expect: ERE -->    some line of its output (stdout and stderr) matches ERE (grep -E)
#       <!-- exit: N -->        it exits with N (default 0: any failing command fails the block)
#       <!-- no-run -->         shown, not run: only for GUI programs (GTKWave)
#       <!-- vcd: FILE SIG... --> FILE, written by an earlier block, is a VCD that declares every
#                               SIG (a path of scopes below the top one, e.g. pe_1_2.psum, or clk)
#       <!-- setup -->          the setup block (build, PATH, lab directory): this script does
#                               the same itself (the binary under test, a fresh lab directory)
#   - every other fenced block (``` or ```text) is an illustration and is not run.
# (variables are prefixed tu_: the helpers in tests/cli.sh use n, pat and out)
tu_doc=docs/tutorial.md
tu_dir="$T/tutorial"
mkdir -p "$tu_dir/lab" "$tu_dir/blocks"
ln -s "$PWD/configs" "$PWD/kernels" "$tu_dir/lab/"
# tpusim on PATH under its own name, whatever $TPUSIM is called (check-all runs a wrapper,
# tpusim-san, around the sanitizer binary)
mkdir -p "$tu_dir/bin" && ln -s "$TPUSIM" "$tu_dir/bin/tpusim"
tu_bin="$tu_dir/bin"
# Split the course into blocks/NNN.sh and a manifest of "NNN kind rest" lines (kind: block, or a
# directive's name), with an error line for anything malformed.
awk -v dir="$tu_dir/blocks" '
    function flush() { if (cur != "") { close(file) } }
    /^```sh[ \t]*$/ && !inblk { inblk = 1; n++; cur = sprintf("%03d", n); file = dir "/" cur ".sh"
                               printf "" > file; print cur, "block", NR; next }
    /^```/ && inblk { inblk = 0; flush(); after = 1; next }
    inblk { print > file; next }
    /^```/ { other = !other; after = 0; next }
    after && /^<!-- .* -->[ \t]*$/ {
        d = $0; sub(/^<!-- /, "", d); sub(/ -->[ \t]*$/, "", d)
        if (d == "no-run" || d == "setup") { print cur, d; next }
        if (d ~ /^(expect|exit|vcd): /) { k = d; sub(/:.*/, "", k); v = d; sub(/^[a-z]+: /, "", v); print cur, k, v; next }
        print cur, "error", "line " NR ": unknown directive <!-- " d " -->"; next
    }
    { after = 0 }
    /^<!-- (expect|exit|vcd|no-run|setup)/ { print "000", "error", "line " NR ": a directive that does not follow a ```sh block" }
    END { if (inblk) print cur, "error", "the last ```sh block is not closed" }
' "$tu_doc" >"$tu_dir/manifest"
if awk '$2 == "error" { e = 1 } END { exit !e }' "$tu_dir/manifest"; then not_ok "tutorial: well-formed" "$(awk '$2 == "error"' "$tu_dir/manifest")"
else ok "tutorial: well-formed ($(grep -c ' block ' "$tu_dir/manifest") sh blocks)"; fi
tu_setups=$(grep -c ' setup$' "$tu_dir/manifest")
[ "$tu_setups" -eq 1 ] && ok "tutorial: one setup block" || not_ok "tutorial: one setup block" "found $tu_setups"
# every lab has a run block and its checks
for tu_lab in 1 2 3 4 5 6 7; do
    if grep -q "^## Lab $tu_lab" "$tu_doc"; then ok "tutorial: lab $tu_lab is there"; else not_ok "tutorial: lab $tu_lab is there"; fi
done
# run the blocks in order
tu_runs=0
for tu_b in $(awk '$2 == "block" { print $1 }' "$tu_dir/manifest"); do
    tu_line=$(awk -v b="$tu_b" '$1 == b && $2 == "block" { print $3 }' "$tu_dir/manifest")
    tu_name="tutorial block $tu_b (docs/tutorial.md:$tu_line)"
    tu_kinds=$(awk -v b="$tu_b" '$1 == b { print $2 }' "$tu_dir/manifest" | tr '\n' ' ')
    case " $tu_kinds " in *" setup "*) continue ;; esac
    case " $tu_kinds " in
    *" no-run "*)
        case " $tu_kinds " in *" expect "*|*" exit "*) not_ok "$tu_name: a no-run block has output checks" ;; esac
        if grep -qv -e '^gtkwave ' -e '^#' -e '^$' "$tu_dir/blocks/$tu_b.sh"; then
            not_ok "$tu_name: no-run is only for GUI programs" "$(cat "$tu_dir/blocks/$tu_b.sh")"
        fi
        # the files the GUI would open, with the signals the text names
        awk -v b="$tu_b" '$1 == b && $2 == "vcd" { print substr($0, length($1) + length($2) + 3) }' "$tu_dir/manifest" |
        while read -r tu_file tu_sigs; do
            if [ ! -s "$tu_dir/lab/$tu_file" ]; then echo "FAIL-VCD $tu_file: missing"; continue; fi
            awk '/^\$scope module / { s[++d] = $3 } /^\$upscope/ { d-- }
                 /^\$var / { p = ""; for (i = 2; i <= d; i++) p = p s[i] "."; print p $5 }
                 /^\$enddefinitions/ { exit }' "$tu_dir/lab/$tu_file" >"$tu_dir/signals"
            for tu_s in $tu_sigs; do grep -qxF "$tu_s" "$tu_dir/signals" || echo "FAIL-VCD $tu_file: no signal $tu_s"; done
            echo "VCD-CHECKED $tu_file $tu_sigs"
        done >"$tu_dir/vcd.out"
        if grep -q '^FAIL-VCD' "$tu_dir/vcd.out"; then not_ok "$tu_name: the VCD it opens" "$(cat "$tu_dir/vcd.out")"
        elif grep -q '^VCD-CHECKED' "$tu_dir/vcd.out"; then ok "$tu_name (not run: $(sed -n 's/^VCD-CHECKED //p' "$tu_dir/vcd.out" | head -1))"
        else not_ok "$tu_name: a no-run block names no file to check (<!-- vcd: FILE SIGNALS -->)"; fi
        continue ;;
    esac
    tu_want=$(awk -v b="$tu_b" '$1 == b && $2 == "exit" { print $3 }' "$tu_dir/manifest")
    tu_want=${tu_want:-0}
    (cd "$tu_dir/lab" && PATH="$tu_bin:$PATH" sh -e "$tu_dir/blocks/$tu_b.sh") >"$tu_dir/out" 2>&1
    tu_rc=$?
    tu_runs=$((tu_runs + 1))
    if [ "$tu_rc" -ne "$tu_want" ]; then
        not_ok "$tu_name exits $tu_want (got $tu_rc)" "$(cat "$tu_dir/blocks/$tu_b.sh"; echo ---; tail -15 "$tu_dir/out")"
        continue
    fi
    tu_bad=""
    tu_nexp=0
    tu_tmp="$tu_dir/expects"
    awk -v b="$tu_b" '$1 == b && $2 == "expect" { print substr($0, length($1) + length($2) + 3) }' "$tu_dir/manifest" >"$tu_tmp"
    while IFS= read -r tu_re; do
        tu_nexp=$((tu_nexp + 1))
        grep -Eq -- "$tu_re" "$tu_dir/out" || tu_bad="$tu_bad
no line matches /$tu_re/"
    done <"$tu_tmp"
    if [ -n "$tu_bad" ]; then not_ok "$tu_name: expected output" "$tu_bad
--- output:
$(head -40 "$tu_dir/out")"
    elif [ "$tu_nexp" -eq 0 ] && [ "$tu_want" -eq 0 ]; then not_ok "$tu_name: has no <!-- expect: --> check" "$(cat "$tu_dir/blocks/$tu_b.sh")"
    else ok "$tu_name ($tu_nexp expectations)"; fi
done
# every ```sh block was run or checked: counted independently of the parser above
tu_all=$(grep -c '^```sh' "$tu_doc")
tu_skip=$(grep -cE '^<!-- (setup|no-run) -->$' "$tu_doc")
if [ "$tu_runs" -eq $((tu_all - tu_skip)) ] && [ "$tu_runs" -ge 15 ]; then ok "tutorial: all $tu_runs runnable blocks ran"
else not_ok "tutorial: all runnable blocks ran" "$tu_runs ran; $tu_all sh blocks, $tu_skip setup/no-run"; fi
