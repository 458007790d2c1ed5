# docs/tutorial.md runs: every ```sh block of the course is executed, in order, in one lab
# directory, so the course cannot rot. The runner and its convention (<!-- expect: ERE -->,
# <!-- exit: N -->, <!-- no-run -->, <!-- vcd: FILE SIG... -->, <!-- setup -->) are in
# tests/doc_blocks.sh; this script adds the course's own checks (one setup block, the seven
# labs, at least 15 runnable blocks).
# (variables are prefixed tu_: the helpers in tests/cli.sh use n, pat and out, the runner db_)
. "$(dirname "$0")/doc_blocks.sh"
tu_doc=docs/tutorial.md
tu_dir="$T/tutorial"
doc_blocks_split "$tu_doc" tutorial "$tu_dir"
tu_setups=$(grep -c ' setup$' "$tu_dir/manifest")
[ "$tu_setups" -eq 1 ] && ok "tutorial: one setup block" || not_ok "tutorial: one setup block" "found $tu_setups"
# every lab has a run block and its checks
for tu_lab in 1 2 3 4 5 6 7; do
    if grep -q "^## Lab $tu_lab" "$tu_doc"; then ok "tutorial: lab $tu_lab is there"; else not_ok "tutorial: lab $tu_lab is there"; fi
done
doc_blocks_run "$tu_doc" tutorial "$tu_dir" 15
