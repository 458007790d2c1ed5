#!/bin/sh
# Checks of make install / make uninstall: installs into a temporary DESTDIR under PREFIX
# /opt/tpusim, runs the installed binary on an installed config, builds a small C program
# (tests/install/gemm_demo.c) against the installed headers and library alone, and compares the
# cycles it gets through the library API with `tpusim gemm ... --json`; then uninstalls.
#   sh tests/check_install.sh [ROOT]      (ROOT: the directory holding the Makefile; BUILDROOT
#                                          as for make, default build)
# Prints "N passed, N failed" last.
ROOT=${1:-.}
B=${BUILDROOT:-build}
CCBIN=${CC:-cc}
. "$(dirname "$0")/checks.sh"
checks_begin install
D="$T/root"
P="$D/opt/tpusim"

if make -s --no-print-directory -C "$ROOT" BUILDROOT="$B" VARIANT=release install PREFIX=/opt/tpusim DESTDIR="$D" \
    >"$T/out" 2>&1; then
    ok "install: make install PREFIX=/opt/tpusim DESTDIR=... exits 0"
else
    not_ok "install: make install PREFIX=/opt/tpusim DESTDIR=... exits 0" "$(cat "$T/out")"
fi

missing=""
for f in bin/tpusim lib/libtpusim.a include/tpusim/tiler/run.h include/tpusim/tpu/machine.h \
    include/tpusim/base/err.h include/tpusim/report/plot.h share/tpusim/configs/edge-8x8.yaml \
    share/tpusim/configs/gpu-a100.yaml share/tpusim/kernels/gemm_single.tpu share/tpusim/kernels/workloads/tpuv1-mlp0.yaml; do
    [ -f "$P/$f" ] || missing="$missing $f"
done
[ -x "$P/bin/tpusim" ] || missing="$missing bin/tpusim(executable)"
# every header of the library, none of the front end's nor the machine's private one
n_src=$(ls "$ROOT"/sim/*/*.h | grep -v -e '/sim/cli/' -e '_int\.h$' | wc -l)
n_inst=$(find "$P/include/tpusim" -name '*.h' | wc -l)
if [ -z "$missing" ] && [ "$n_src" -eq "$n_inst" ] && [ ! -e "$P/include/tpusim/cli" ] && \
   [ ! -e "$P/include/tpusim/tpu/tpu_int.h" ]; then
    ok "install: binary, library, $n_inst headers in their folders, configs, kernels, workloads"
else
    not_ok "install: binary, library, headers, configs" "missing:$missing; headers $n_inst of $n_src; $(ls "$P/include/tpusim")"
fi

CFG="$P/share/tpusim/configs/edge-8x8.yaml"
if "$P/bin/tpusim" gemm 64 48 80 -c "$CFG" --json "$T/g.json" >"$T/out" 2>&1 && grep -q '"check": "match"' "$T/g.json"; then
    ok "install: the installed binary runs a gemm on an installed config"
else
    not_ok "install: the installed binary runs a gemm on an installed config" "$(cat "$T/out")"
fi
want=$(grep -o '"cycles": *[0-9]*' "$T/g.json" 2>/dev/null | head -n 1 | grep -o '[0-9]*$')

# the demo sees only the installed tree: no -Isim, no build directory
if (cd "$T" && "$CCBIN" -std=c11 -D_POSIX_C_SOURCE=200809L -I"$P/include/tpusim" "$OLDPWD/$ROOT/tests/install/gemm_demo.c" \
        -L"$P/lib" -ltpusim $(pkg-config --libs yaml-0.1) -lm -pthread -o "$T/demo") >"$T/out" 2>&1; then
    ok "install: a C program compiles and links against -I\$PREFIX/include/tpusim -ltpusim"
else
    not_ok "install: a C program compiles and links against -I\$PREFIX/include/tpusim -ltpusim" "$(cat "$T/out")"
fi
if "$T/demo" "$CFG" 64 48 80 >"$T/demo.out" 2>&1 && [ -n "$want" ] && grep -qx "cycles $want" "$T/demo.out" \
   && grep -qx "match yes" "$T/demo.out"; then
    ok "install: the library API's gemm 64x48x80 takes $want cycles, as tpusim gemm --json says, and matches the reference"
else
    not_ok "install: library API cycles = tpusim gemm --json cycles ($want)" "$(cat "$T/demo.out")"
fi

if make -s --no-print-directory -C "$ROOT" BUILDROOT="$B" VARIANT=release uninstall PREFIX=/opt/tpusim DESTDIR="$D" \
    >"$T/out" 2>&1 && [ -z "$(find "$P" -type f)" ]; then
    ok "install: make uninstall removes every installed file"
else
    not_ok "install: make uninstall removes every installed file" "$(cat "$T/out"; find "$P" -type f | head)"
fi
checks_end
