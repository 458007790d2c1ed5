# Runs a document's shell blocks, so the document cannot rot: sourced by the scripts that test
# a document (tests/cli/85_tutorial.sh for docs/tutorial.md, 86_tpu_vs_gpu.sh for
# docs/tpu-vs-gpu.md), inside tests/cli.sh (its ok, not_ok, $T and $TPUSIM). The convention
# (docs/tutorial.md says it too):
#   - a ```sh block is run with `sh -e` in a lab directory (which holds links to the
#     repository's configs/ and kernels/, as the tutorial's setup makes), with tpusim on PATH;
#     the blocks of one document run in order in the same directory, so a block sees the
#     files the earlier ones wrote;
#   - comment lines right after its closing fence are its checks:
#       <!-- expect: ERE -->    some line of its output (stdout and stderr) matches ERE (grep -E)
#       <!-- exit: N -->        it exits with N (default 0: any failing command fails the block)
#       <!-- no-run -->         shown, not run: only for GUI programs (GTKWave)
#       <!-- vcd: FILE SIG... --> FILE, written by an earlier block, is a VCD that declares every
#                               SIG (a path of scopes below the top one, e.g. pe_1_2.psum, or clk)
#       <!-- setup -->          the setup block (build, PATH, lab directory): the runner does
#                               the same itself (the binary under test, a fresh lab directory)
#   - every other fenced block (``` or ```text) is an illustration and is not run.
#
# Two steps, each called with the document, the prefix of its checks' names and a scratch
# directory of its own (variables are prefixed db_: the helpers in tests/cli.sh use n, pat and
# out, and the calling scripts their own prefix):
#   doc_blocks_split DOC PREFIX DIR   the lab DIR/lab, tpusim on a PATH of its own, the blocks
#                                     DIR/blocks/NNN.sh and DIR/manifest ("NNN kind rest" lines;
#                                     kind: block, or a directive's name); check "PREFIX:
#                                     well-formed"
#   doc_blocks_run DOC PREFIX DIR MIN runs the blocks in order (checks "PREFIX block NNN
#                                     (DOC:LINE)") and checks that every runnable block ran and
#                                     that there are at least MIN ("PREFIX: all N runnable
#                                     blocks ran")
# Between the two, the caller checks what is particular to its document (the manifest is there).
doc_blocks_split() {
    db_doc=$1 db_pfx=$2 db_dir=$3
    mkdir -p "$db_dir/lab" "$db_dir/blocks"
    ln -s "$PWD/configs" "$PWD/kernels" "$db_dir/lab/"
    # tpusim on PATH under its own name, whatever $TPUSIM is called (check-all runs a wrapper,
    # tpusim-san, around the sanitizer binary)
    mkdir -p "$db_dir/bin" && ln -s "$TPUSIM" "$db_dir/bin/tpusim"
    # Split the document into blocks/NNN.sh and a manifest of "NNN kind rest" lines (kind:
    # block, or a directive's name), with an error line for anything malformed.
    awk -v dir="$db_dir/blocks" '
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
    ' "$db_doc" >"$db_dir/manifest"
    if awk '$2 == "error" { e = 1 } END { exit !e }' "$db_dir/manifest"; then not_ok "$db_pfx: well-formed" "$(awk '$2 == "error"' "$db_dir/manifest")"
    else ok "$db_pfx: well-formed ($(grep -c ' block ' "$db_dir/manifest") sh blocks)"; fi
}

doc_blocks_run() {
    db_doc=$1 db_pfx=$2 db_dir=$3 db_min=$4
    db_bin="$db_dir/bin"
    db_runs=0
    for db_b in $(awk '$2 == "block" { print $1 }' "$db_dir/manifest"); do
        db_line=$(awk -v b="$db_b" '$1 == b && $2 == "block" { print $3 }' "$db_dir/manifest")
        db_name="$db_pfx block $db_b ($db_doc:$db_line)"
        db_kinds=$(awk -v b="$db_b" '$1 == b { print $2 }' "$db_dir/manifest" | tr '\n' ' ')
        case " $db_kinds " in *" setup "*) continue ;; esac
        case " $db_kinds " in
        *" no-run "*)
            case " $db_kinds " in *" expect "*|*" exit "*) not_ok "$db_name: a no-run block has output checks" ;; esac
            if grep -qv -e '^gtkwave ' -e '^#' -e '^$' "$db_dir/blocks/$db_b.sh"; then
                not_ok "$db_name: no-run is only for GUI programs" "$(cat "$db_dir/blocks/$db_b.sh")"
            fi
            # the files the GUI would open, with the signals the text names
            awk -v b="$db_b" '$1 == b && $2 == "vcd" { print substr($0, length($1) + length($2) + 3) }' "$db_dir/manifest" |
            while read -r db_file db_sigs; do
                if [ ! -s "$db_dir/lab/$db_file" ]; then echo "FAIL-VCD $db_file: missing"; continue; fi
                awk '/^\$scope module / { s[++d] = $3 } /^\$upscope/ { d-- }
                     /^\$var / { p = ""; for (i = 2; i <= d; i++) p = p s[i] "."; print p $5 }
                     /^\$enddefinitions/ { exit }' "$db_dir/lab/$db_file" >"$db_dir/signals"
                for db_s in $db_sigs; do grep -qxF "$db_s" "$db_dir/signals" || echo "FAIL-VCD $db_file: no signal $db_s"; done
                echo "VCD-CHECKED $db_file $db_sigs"
            done >"$db_dir/vcd.out"
            if grep -q '^FAIL-VCD' "$db_dir/vcd.out"; then not_ok "$db_name: the VCD it opens" "$(cat "$db_dir/vcd.out")"
            elif grep -q '^VCD-CHECKED' "$db_dir/vcd.out"; then ok "$db_name (not run: $(sed -n 's/^VCD-CHECKED //p' "$db_dir/vcd.out" | head -1))"
            else not_ok "$db_name: a no-run block names no file to check (<!-- vcd: FILE SIGNALS -->)"; fi
            continue ;;
        esac
        db_want=$(awk -v b="$db_b" '$1 == b && $2 == "exit" { print $3 }' "$db_dir/manifest")
        db_want=${db_want:-0}
        (cd "$db_dir/lab" && PATH="$db_bin:$PATH" sh -e "$db_dir/blocks/$db_b.sh") >"$db_dir/out" 2>&1
        db_rc=$?
        db_runs=$((db_runs + 1))
        if [ "$db_rc" -ne "$db_want" ]; then
            not_ok "$db_name exits $db_want (got $db_rc)" "$(cat "$db_dir/blocks/$db_b.sh"; echo ---; tail -15 "$db_dir/out")"
            continue
        fi
        db_bad=""
        db_nexp=0
        db_tmp="$db_dir/expects"
        awk -v b="$db_b" '$1 == b && $2 == "expect" { print substr($0, length($1) + length($2) + 3) }' "$db_dir/manifest" >"$db_tmp"
        while IFS= read -r db_re; do
            db_nexp=$((db_nexp + 1))
            grep -Eq -- "$db_re" "$db_dir/out" || db_bad="$db_bad
no line matches /$db_re/"
        done <"$db_tmp"
        if [ -n "$db_bad" ]; then not_ok "$db_name: expected output" "$db_bad
--- output:
$(head -40 "$db_dir/out")"
        elif [ "$db_nexp" -eq 0 ] && [ "$db_want" -eq 0 ]; then not_ok "$db_name: has no <!-- expect: --> check" "$(cat "$db_dir/blocks/$db_b.sh")"
        else ok "$db_name ($db_nexp expectations)"; fi
    done
    # every ```sh block was run or checked: counted independently of the parser above
    db_all=$(grep -c '^```sh' "$db_doc")
    db_skip=$(grep -cE '^<!-- (setup|no-run) -->$' "$db_doc")
    if [ "$db_runs" -eq $((db_all - db_skip)) ] && [ "$db_runs" -ge "$db_min" ]; then ok "$db_pfx: all $db_runs runnable blocks ran"
    else not_ok "$db_pfx: all runnable blocks ran" "$db_runs ran; $db_all sh blocks, $db_skip setup/no-run (at least $db_min expected)"; fi
}
