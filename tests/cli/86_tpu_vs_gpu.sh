# docs/tpu-vs-gpu.md runs: every ```sh block of the claims page is executed, in order, in one
# scratch directory, by the tutorial's runner (tests/doc_blocks.sh, its convention there), so the
# page's verdicts are reproduced by every make test. Its expectations check what a verdict rests
# on (the winner at a batch, where the winner changes), not exact cycle counts.
# The page's own checks: one setup block, and each "## Claim" section has exactly one verdict line
# of the three forms, the last paragraph of that section.
# (variables are prefixed tg_: the helpers in tests/cli.sh use n, pat and out, the runner db_)
. "$(dirname "$0")/doc_blocks.sh"
tg_doc=docs/tpu-vs-gpu.md
tg_dir="$T/tpu-vs-gpu"
doc_blocks_split "$tg_doc" tpu-vs-gpu "$tg_dir"
tg_setups=$(grep -c ' setup$' "$tg_dir/manifest")
[ "$tg_setups" -eq 1 ] && ok "tpu-vs-gpu: one setup block" || not_ok "tpu-vs-gpu: one setup block" "found $tg_setups"
# every claim section ends with its verdict: "Verdict: holds", "Verdict: holds only when ..." or
# "Verdict: does not hold", once per section, with no other paragraph after it
tg_bad=$(awk '
    function done() { if (sec != "" && (nv != 1 || after)) printf "%s: %d verdict line(s)%s\n", sec, nv, after ? ", text after it" : "" }
    /^## / { done(); sec = ""; nv = 0; after = 0; if ($0 ~ /^## Claim [0-9]+: /) { sec = $0; ns++ } ; next }
    sec == "" { next }
    /^Verdict:/ { nv++; para = 1
                  if ($0 !~ /^Verdict: (holds only when .+|holds|does not hold)([ .:;,].*)?$/) printf "%s: malformed verdict: %s\n", sec, $0
                  next }
    /^$/ { para = 0; next }
    nv > 0 && !para { after = 1 }
    END { done(); if (ns < 4) printf "only %d claim sections\n", ns }
' "$tg_doc")
if [ -z "$tg_bad" ]; then ok "tpu-vs-gpu: each claim ends with one verdict"; else not_ok "tpu-vs-gpu: each claim ends with one verdict" "$tg_bad"; fi
doc_blocks_run "$tg_doc" tpu-vs-gpu "$tg_dir" 7
# the page's figures (docs/figures/tpu-vs-gpu/*.svg) are the files its commands write, byte for
# byte (gnuplot's output is deterministic for one input: tests/test_plot.c)
for tg_fig in docs/figures/tpu-vs-gpu/*.svg; do
    tg_name=$(basename "$tg_fig")
    if cmp -s "$tg_fig" "$tg_dir/lab/$tg_name"; then ok "tpu-vs-gpu: figure $tg_name is what the page's commands draw"
    else not_ok "tpu-vs-gpu: figure $tg_name differs from what the page's commands draw (regenerate it)" \
        "$(ls -la "$tg_fig" "$tg_dir/lab/$tg_name" 2>&1)"; fi
done
