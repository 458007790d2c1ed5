#!/bin/sh
# Checks of the Makefile's dependency step (make check-deps / check-test-deps) on a simulated
# machine: PATH holds only fake `id`, `pkg-config` and `apt-get` scripts, so the real system is
# never touched and nothing is installed. Covers a Debian machine without pkg-config (which once
# printed "installing libyaml-dev" and then failed at link), as root and not.
#   sh tests/check_make_deps.sh [ROOT]      (ROOT: the directory holding the Makefile)
# Prints "N passed, N failed" last.
ROOT=${1:-.}
MAKE_BIN=$(command -v make)
CHMOD=$(command -v chmod)   # the fake apt-get runs with only the fake tools on PATH
. "$(dirname "$0")/checks.sh"
checks_begin deps

# machine UID PKGCONFIG APT: a fresh fake bin directory $T/bin.
#   UID        what `id -u` prints (0 = root)
#   PKGCONFIG  none (no pkg-config), all (every package present), nothing (none present)
#   APT        works (installing pkgconf creates a pkg-config that finds everything), fails
machine() {
    rm -rf "$T/bin" "$T/apt.log"
    mkdir -p "$T/bin"
    printf '#!/bin/sh\n[ "$1" = -u ] && echo %s\n' "$1" >"$T/bin/id"
    case $2 in
    all) printf '#!/bin/sh\nexit 0\n' >"$T/bin/pkg-config" ;;
    nothing) printf '#!/bin/sh\nexit 1\n' >"$T/bin/pkg-config" ;;
    esac
    if [ "$3" = works ]; then
        printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\ncase " $* " in *" pkgconf "*) printf "#!/bin/sh\\nexit 0\\n" >"%s/bin/pkg-config"; %s +x "%s/bin/pkg-config";; esac\nexit 0\n' \
            "$T" "$T" "$CHMOD" "$T" >"$T/bin/apt-get"
    else
        printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\nexit 100\n' "$T" >"$T/bin/apt-get"
    fi
    chmod +x "$T/bin/"*
}
# run TARGET: make TARGET in ROOT on the fake machine; stdout in $T/out, stderr in $T/err
run() {
    MAKEFLAGS= MFLAGS= MAKELEVEL= PATH="$T/bin" "$MAKE_BIN" -s --no-print-directory -C "$ROOT" "$1" \
        >"$T/out" 2>"$T/err"
}
# has FILE LINE: FILE contains exactly this line
has() { grep -Fqx -- "$2" "$1"; }

machine 1000 none works
if ! run check-deps && has "$T/err" "error: missing build dependencies; run: sudo apt-get install pkgconf libyaml-dev" \
   && [ ! -s "$T/out" ] && [ ! -e "$T/apt.log" ]; then
    ok "deps: no pkg-config, not root: names pkgconf and libyaml-dev"
else
    not_ok "deps: no pkg-config, not root: names pkgconf and libyaml-dev" "$(cat "$T/out" "$T/err")"
fi

machine 1000 none works
if ! run check-test-deps && has "$T/err" "error: missing build dependencies; run: sudo apt-get install pkgconf libyaml-dev"; then
    ok "deps: check-test-deps stops at check-deps first"
else
    not_ok "deps: check-test-deps stops at check-deps first" "$(cat "$T/out" "$T/err")"
fi

machine 1000 nothing works
if ! run check-deps && has "$T/err" "error: missing build dependencies; run: sudo apt-get install libyaml-dev"; then
    ok "deps: pkg-config present, libyaml missing: names libyaml-dev only"
else
    not_ok "deps: pkg-config present, libyaml missing: names libyaml-dev only" "$(cat "$T/out" "$T/err")"
fi

machine 1000 all works
if run check-test-deps && [ ! -s "$T/out" ] && [ ! -s "$T/err" ] && [ ! -e "$T/apt.log" ]; then
    ok "deps: everything present: silent, nothing installed"
else
    not_ok "deps: everything present: silent, nothing installed" "$(cat "$T/out" "$T/err")"
fi

# root without pkg-config: one apt-get run installs pkgconf with libyaml-dev; the test deps,
# checked after it, then find pkg-config (and, here, cmocka) and install nothing more
machine 0 none works
if run check-test-deps && has "$T/out" "installing missing build dependencies: pkgconf libyaml-dev" \
   && [ "$(cat "$T/apt.log")" = "install -y pkgconf libyaml-dev" ]; then
    ok "deps: no pkg-config, root: installs pkgconf with libyaml-dev, once"
else
    not_ok "deps: no pkg-config, root: installs pkgconf with libyaml-dev, once" "$(cat "$T/out" "$T/err" "$T/apt.log" 2>&1)"
fi

machine 0 none fails
if ! run check-deps && has "$T/err" "error: could not install pkgconf libyaml-dev; run: sudo apt-get install pkgconf libyaml-dev"; then
    ok "deps: root, apt-get fails: names the command"
else
    not_ok "deps: root, apt-get fails: names the command" "$(cat "$T/out" "$T/err")"
fi

checks_end
