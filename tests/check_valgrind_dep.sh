#!/bin/sh
# Checks of make check-valgrind (the step make check-all runs first) on a simulated machine: PATH
# holds only fake `id`, `apt-get` and (when present) `valgrind` scripts, so the real system is
# never touched and nothing is installed.
#   sh tests/check_valgrind_dep.sh [ROOT]      (ROOT: the directory holding the Makefile)
# Prints "N passed, N failed" last.
ROOT=${1:-.}
MAKE_BIN=$(command -v make)
CHMOD=$(command -v chmod)   # the fake apt-get runs with only the fake tools on PATH
. "$(dirname "$0")/checks.sh"
checks_begin vgdep

# machine UID VALGRIND APT: a fresh fake bin directory $T/bin.
#   UID       what `id -u` prints (0 = root)
#   VALGRIND  yes (a valgrind on PATH) or no
#   APT       works (installing valgrind creates one), fails (exit 100), empty (exit 0, nothing
#             installed), none (no apt-get)
machine() {
    rm -rf "$T/bin" "$T/apt.log"
    mkdir -p "$T/bin"
    printf '#!/bin/sh\n[ "$1" = -u ] && echo %s\n' "$1" >"$T/bin/id"
    [ "$2" = yes ] && printf '#!/bin/sh\nexit 0\n' >"$T/bin/valgrind"
    case $3 in
    works)
        printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\ncase " $* " in *" install "*" valgrind "*) printf "#!/bin/sh\\nexit 0\\n" >"%s/bin/valgrind"; %s +x "%s/bin/valgrind";; esac\nexit 0\n' \
            "$T" "$T" "$CHMOD" "$T" >"$T/bin/apt-get" ;;
    fails) printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\nexit 100\n' "$T" >"$T/bin/apt-get" ;;
    empty) printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\nexit 0\n' "$T" >"$T/bin/apt-get" ;;
    esac
    chmod +x "$T/bin/"*
}
# run: make check-valgrind in ROOT on the fake machine; stdout in $T/out, stderr in $T/err
run() {
    MAKEFLAGS= MFLAGS= MAKELEVEL= PATH="$T/bin" "$MAKE_BIN" -s --no-print-directory -C "$ROOT" check-valgrind \
        >"$T/out" 2>"$T/err"
}
# has FILE LINE: FILE contains exactly this line
has() { grep -Fqx -- "$2" "$1"; }
show() { cat "$T/out" "$T/err" "$T/apt.log" 2>/dev/null; }

machine 1000 yes works
if run && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] && [ ! -e "$T/apt.log" ]; then ok "valgrind present: silent, nothing installed"
else not_ok "valgrind present: silent, nothing installed" "$(show)"; fi

machine 1000 no works
if ! run && has "$T/err" "error: valgrind is missing; run: sudo apt-get install valgrind" && [ ! -e "$T/apt.log" ]; then
    ok "no valgrind, not root: names the command, installs nothing"
else not_ok "no valgrind, not root: names the command, installs nothing" "$(show)"; fi

machine 0 no none
if ! run && has "$T/err" "error: valgrind is missing; run: sudo apt-get install valgrind"; then
    ok "no valgrind, root without apt-get: names the command"
else not_ok "no valgrind, root without apt-get: names the command" "$(show)"; fi

machine 0 no works
if run && has "$T/out" "installing missing check dependency: valgrind" && [ ! -s "$T/err" ] \
   && [ "$(cat "$T/apt.log")" = "install -y valgrind" ]; then
    ok "no valgrind, root: installs it with apt-get, once"
else not_ok "no valgrind, root: installs it with apt-get, once" "$(show)"; fi

machine 0 no fails
if ! run && has "$T/err" "error: could not install valgrind; run: sudo apt-get install valgrind" \
   && [ "$(tr '\n' ' ' <"$T/apt.log")" = "install -y valgrind update " ]; then
    ok "no valgrind, root, apt-get fails: tries install, then update, names the command"
else not_ok "no valgrind, root, apt-get fails: tries install, then update, names the command" "$(show)"; fi

machine 0 no empty
if ! run && has "$T/err" "error: could not install valgrind; run: sudo apt-get install valgrind"; then
    ok "no valgrind, root, apt-get installs nothing: an error, not a later 'valgrind: not found'"
else not_ok "no valgrind, root, apt-get installs nothing: an error, not a later 'valgrind: not found'" "$(show)"; fi

checks_end
