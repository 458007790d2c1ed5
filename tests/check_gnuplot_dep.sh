#!/bin/sh
# Checks of make check-gnuplot (the optional step `make` and `make test` run: gnuplot draws
# --plot's SVGs) on a simulated machine: PATH holds only fake `id`, `pkg-config` (every library
# present, so check-deps before it is silent), `apt-get` and (when present) `gnuplot` scripts,
# so the real system is never touched and nothing is installed. The step never fails.
#   sh tests/check_gnuplot_dep.sh [ROOT]      (ROOT: the directory holding the Makefile)
# Prints "N passed, N failed" last.
ROOT=${1:-.}
MAKE_BIN=$(command -v make)
CHMOD=$(command -v chmod)   # the fake apt-get runs with only the fake tools on PATH
. "$(dirname "$0")/checks.sh"
checks_begin gpdep

# machine UID GNUPLOT APT: a fresh fake bin directory $T/bin.
#   UID      what `id -u` prints (0 = root)
#   GNUPLOT  yes (a gnuplot on PATH) or no
#   APT      works (installing gnuplot-nox creates one), fails (exit 100), empty (exit 0,
#            nothing installed), none (no apt-get)
machine() {
    rm -rf "$T/bin" "$T/apt.log"
    mkdir -p "$T/bin"
    printf '#!/bin/sh\n[ "$1" = -u ] && echo %s\n' "$1" >"$T/bin/id"
    printf '#!/bin/sh\nexit 0\n' >"$T/bin/pkg-config"
    [ "$2" = yes ] && printf '#!/bin/sh\nexit 0\n' >"$T/bin/gnuplot"
    case $3 in
    works)
        printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\ncase " $* " in *" install "*" gnuplot-nox "*) printf "#!/bin/sh\\nexit 0\\n" >"%s/bin/gnuplot"; %s +x "%s/bin/gnuplot";; esac\nexit 0\n' \
            "$T" "$T" "$CHMOD" "$T" >"$T/bin/apt-get" ;;
    fails) printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\nexit 100\n' "$T" >"$T/bin/apt-get" ;;
    empty) printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\nexit 0\n' "$T" >"$T/bin/apt-get" ;;
    esac
    chmod +x "$T/bin/"*
}
# run: make check-gnuplot in ROOT on the fake machine; stdout in $T/out, stderr in $T/err
run() {
    MAKEFLAGS= MFLAGS= MAKELEVEL= PATH="$T/bin" "$MAKE_BIN" -s --no-print-directory -C "$ROOT" check-gnuplot \
        >"$T/out" 2>"$T/err"
}
has() { grep -Fqx -- "$2" "$1"; }
show() { cat "$T/out" "$T/err" "$T/apt.log" 2>/dev/null; }
CMD="sudo apt-get install gnuplot-nox"

machine 1000 yes works
if run && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] && [ ! -e "$T/apt.log" ]; then ok "gnuplot present: silent, nothing installed"
else not_ok "gnuplot present: silent, nothing installed" "$(show)"; fi

machine 1000 no works
if run && has "$T/err" "note: gnuplot is missing (tpusim --plot needs it); run: $CMD" && [ ! -s "$T/out" ] \
   && [ ! -e "$T/apt.log" ]; then
    ok "no gnuplot, not root: names the command, installs nothing, does not fail"
else not_ok "no gnuplot, not root: names the command, installs nothing, does not fail" "$(show)"; fi

machine 0 no none
if run && has "$T/err" "note: gnuplot is missing (tpusim --plot needs it); run: $CMD"; then
    ok "no gnuplot, root without apt-get: names the command, does not fail"
else not_ok "no gnuplot, root without apt-get: names the command, does not fail" "$(show)"; fi

machine 0 no works
if run && has "$T/out" "installing optional dependency (tpusim --plot): gnuplot-nox" && [ ! -s "$T/err" ] \
   && [ "$(cat "$T/apt.log")" = "install -y gnuplot-nox" ] && [ -x "$T/bin/gnuplot" ]; then
    ok "no gnuplot, root: installs gnuplot-nox with apt-get, once"
else not_ok "no gnuplot, root: installs gnuplot-nox with apt-get, once" "$(show)"; fi

machine 0 no fails
if run && has "$T/err" "note: could not install gnuplot-nox (tpusim --plot needs gnuplot); run: $CMD" \
   && [ "$(tr '\n' ' ' <"$T/apt.log")" = "install -y gnuplot-nox update " ]; then
    ok "no gnuplot, root, apt-get fails: tries install, then update, names the command, does not fail"
else not_ok "no gnuplot, root, apt-get fails: tries install, then update, names the command, does not fail" "$(show)"; fi

machine 0 no empty
if run && has "$T/err" "note: could not install gnuplot-nox (tpusim --plot needs gnuplot); run: $CMD"; then
    ok "no gnuplot, root, apt-get installs nothing: the note, not a silent pass"
else not_ok "no gnuplot, root, apt-get installs nothing: the note, not a silent pass" "$(show)"; fi

checks_end
