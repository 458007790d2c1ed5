# Shared by tests/check_html.sh (the HTML report in headless Chromium) and tests/bench.sh (its
# open time): the browser, run headless with no network, and the 10^5-event trace. Source it
# with T set to a scratch directory.
#   html_find_chrome       sets CHROME to chromium's path ("" when absent; nothing is installed)
#   chrome ARGS...         headless Chromium, one profile per run, every host name resolving to
#                          nothing, no GPU, no sandbox (containers run as root)
#   dom FILE[#FRAG]        the page's DOM after its scripts ran, into $T/dom
#   dom_attr A B           attribute B of the first element of $T/dom that has A (as written)
#   html_big_trace FILE    a trace of 10^5 "X" events: 4 tracks of 25000 back-to-back slices
html_find_chrome() { CHROME=$(command -v chromium || command -v chromium-browser); }
chrome() {
    timeout 120 "$CHROME" --headless --disable-gpu --no-sandbox --no-first-run --disable-extensions \
        --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$T/profile" "$@" 2>/dev/null
}
dom() { chrome --dump-dom "file://$1" >"$T/dom" && [ -s "$T/dom" ]; }
dom_attr() {
    grep -o "<[a-z]* [^>]*$1[^>]*>" "$T/dom" | head -1 | sed -n "s/.* $2=\"\\([^\"]*\\)\".*/\\1/p"
}
html_big_trace() {
    awk 'BEGIN {
        printf "{\"traceEvents\":[\n"
        for (t = 1; t <= 4; t++) printf "{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":\"unit%d\"}},\n", t, t
        n = 0
        for (t = 1; t <= 4; t++) for (i = 0; i < 25000; i++) {
            n++
            printf "{\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"name\":\"op%d\",\"ts\":%d,\"dur\":3,\"args\":{\"instruction\":\"op%d\",\"cause\":\"busy\"}}%s\n", t, i % 7, i * 4 + t, i, n < 100000 ? "," : ""
        }
        printf "]}\n"
    }' >"$1"
}
