# tpusim — plain Makefile. Out-of-tree builds in build/$(VARIANT).
#   make                 build build/release/tpusim (and libtpusim.a)
#   make run             build and run the main job on the embedded default machine
#   make test            build release + san variants and run every test
#   make check-all       make test, then the slow checks: valgrind, long fuzz, CLI on san (CI runs this)
#   make fuzz            the libFuzzer targets of tests/fuzz/, FUZZ_SECONDS (60) each
#   make bench           speed benchmark (prints ratios; not a test)
#   make install         install under PREFIX (/usr/local) in DESTDIR: bin/tpusim, lib/libtpusim.a,
#                        include/tpusim/<dir>/<x>.h, share/tpusim/{configs,kernels}; make uninstall
#   make VARIANT=debug   variants: release debug san stress (shrunken sizes, see below) tsan
#   make clean           remove build/

VARIANT ?= release
VARIANTS := release debug san stress tsan
ifeq ($(filter $(VARIANT),$(VARIANTS)),)
$(error unknown VARIANT '$(VARIANT)': choose one of $(VARIANTS))
endif

CC ?= cc
ifeq ($(origin CC),default)
CC := cc
endif

BUILDROOT ?= build
BUILD := $(BUILDROOT)/$(VARIANT)

# --- dependencies from Debian, found with pkg-config -------------------------------------
# Each entry: pkg-config name = Debian package. When one is missing, install it with apt-get
# if we are root, otherwise stop with the exact command to run. pkg-config itself comes first
# (Debian package pkgconf): without it every library looks missing, and the link would lack
# the libraries' flags even after they are installed.
DEP_PKGS := yaml-0.1:libyaml-dev
TEST_DEP_PKGS := cmocka:libcmocka-dev
PKG_CONFIG_DEB := pkgconf
need_pkg_config = $(if $(shell command -v pkg-config 2>/dev/null),,$(PKG_CONFIG_DEB))
need_deps = $(need_pkg_config) $(foreach d,$(1),$(if $(shell pkg-config --exists $(word 1,$(subst :, ,$(d))) 2>/dev/null && echo ok),,$(word 2,$(subst :, ,$(d)))))

define ensure_deps
	@missing="$(strip $(call need_deps,$(1)))"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing missing build dependencies: $$missing"; \
	    (apt-get install -y $$missing >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y $$missing >/dev/null)) \
	      || { echo "error: could not install $$missing; run: sudo apt-get install $$missing" >&2; exit 1; }; \
	  else \
	    echo "error: missing build dependencies; run: sudo apt-get install $$missing" >&2; exit 1; \
	  fi; \
	fi
endef

WARN := -Wall -Wextra -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS_COMMON := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -MMD -MP -Isim -pthread
ifeq ($(VARIANT),release)
CFLAGS_V := -O2 -g $(if $(CI),-Werror)
endif
ifeq ($(VARIANT),debug)
CFLAGS_V := -O0 -g3 -Werror -DTP_DEBUG
endif
# stress: Lua's ltests.h habit, shrunken fixed sizes "to give some bugs a chance", the
# machine's invariants asserted at every step; make test runs its stress group.
ifeq ($(VARIANT),stress)
CFLAGS_V := -O1 -g -Werror -DTP_DEBUG -DQUEUE_DEPTH=1 -DSRAM_MAX_RESERVATIONS=2 -DPE_OPS_INITIAL=1 \
            -DEVQ_INITIAL_CAP=1 -DTENSOR_ALIGN_BYTES=64
endif
ifeq ($(VARIANT),san)
CFLAGS_V := -O1 -g -Werror -fsanitize=address,undefined -fno-sanitize-recover -fno-omit-frame-pointer
LDFLAGS_V := -fsanitize=address,undefined
endif
# tsan: ThreadSanitizer over the threaded paths (the numerics pool, sweep -j); make check-all
# runs it (tests/check_tsan.sh)
ifeq ($(VARIANT),tsan)
CFLAGS_V := -O1 -g -Werror -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS_V := -fsanitize=thread
endif

YAML_CFLAGS = $(shell pkg-config --cflags yaml-0.1 2>/dev/null)
YAML_LIBS = $(shell pkg-config --libs yaml-0.1 2>/dev/null)
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

ALL_CFLAGS = $(CFLAGS_COMMON) $(CFLAGS_V) $(YAML_CFLAGS) $(CFLAGS)
LIBS = $(YAML_LIBS) -lm -pthread

# The library is every .c under sim/ except the command-line front end.
LIB_SRC := $(sort $(filter-out sim/cli/%,$(wildcard sim/*/*.c)))
CLI_SRC := $(sort $(wildcard sim/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support_*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/harness.o $(BUILD)/tests/main.o $(BUILD)/tests/registry.o \
	$(BUILD)/tests/tools/jsonv.o
# Test-only tools (tests/tools/): json_validate SCHEMA DOC checks the --json output.
JSON_VALIDATE_OBJ := $(BUILD)/tests/tools/json_validate.o $(BUILD)/tests/tools/jsonv.o
# html_page REPORT TRACE OUT writes an HTML report page with a given timeline (tests/check_html.sh)
HTML_PAGE_OBJ := $(BUILD)/tests/tools/html_page.o

LIB := $(BUILD)/libtpusim.a
BIN := $(BUILD)/tpusim
TESTBIN := $(BUILD)/tests/run_tests
JSON_VALIDATE := $(BUILD)/tests/json_validate
HTML_PAGE := $(BUILD)/tests/html_page

.PHONY: all run test test-one check-deps check-test-deps check-gnuplot bench clean install uninstall
all: $(BIN) check-gnuplot

check-deps:
	$(call ensure_deps,$(DEP_PKGS))
# after check-deps: two apt-get runs at once (make -j) would fight over dpkg's lock
check-test-deps: check-deps
	$(call ensure_deps,$(TEST_DEP_PKGS))

# gnuplot draws --plot's SVGs (report/plot.h). A program, not a library, and optional: the build
# never fails for it. Installed with apt-get (Debian gnuplot-nox, no X11) when root, else the
# exact command is printed; without it --plot says the same in one line. After check-deps, so
# two apt-get runs never fight over dpkg's lock.
GNUPLOT_DEB := gnuplot-nox
check-gnuplot: check-deps
	@if ! command -v gnuplot >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing optional dependency (tpusim --plot): $(GNUPLOT_DEB)"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y $(GNUPLOT_DEB) >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y $(GNUPLOT_DEB) >/dev/null 2>&1)) \
	      && command -v gnuplot >/dev/null \
	      || echo "note: could not install $(GNUPLOT_DEB) (tpusim --plot needs gnuplot); run: sudo apt-get install $(GNUPLOT_DEB)" >&2; \
	  else \
	    echo "note: gnuplot is missing (tpusim --plot needs it); run: sudo apt-get install $(GNUPLOT_DEB)" >&2; \
	  fi; \
	fi

$(BUILD)/%.o: %.c | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | check-deps check-test-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -c $< -o $@

# Test registry: one entry per tests/test_<name>.c, which defines int test_<name>(th_ctx *).
$(BUILD)/tests/registry.c: $(TEST_SRC) Makefile
	@mkdir -p $(dir $@)
	@{ echo '#include "harness.h"'; \
	   for f in $(notdir $(basename $(TEST_SRC))); do echo "int $$f(th_ctx *ctx);"; done; \
	   echo 'const th_group th_groups[] = {'; \
	   for f in $(notdir $(basename $(TEST_SRC))); do echo "  {\"$${f#test_}\", $$f},"; done; \
	   echo '  {0, 0}};'; } > $@.tmp && mv $@.tmp $@
$(BUILD)/tests/registry.o: $(BUILD)/tests/registry.c | check-test-deps
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Itests -c $< -o $@

# The version header: VERSION and the git commit ("unknown" outside a git checkout). The
# recipe runs on every make but rewrites the header only when its text changes, so builds stay
# incremental.
VERSION_H := $(BUILD)/gen/version.h
.PHONY: FORCE
$(VERSION_H): FORCE
	@mkdir -p $(dir $@)
	@c=unknown; [ -e .git ] && c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || c=unknown; \
	 printf '#define TPUSIM_VERSION "%s"\n#define TPUSIM_COMMIT "%s"\n' "$$(cat VERSION)" "$${c:-unknown}" >$@.tmp; \
	 if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/sim/cli/version.o: $(VERSION_H)
$(BUILD)/sim/cli/version.o: ALL_CFLAGS += -I$(BUILD)/gen
FORCE:

# The HTML report's page (sim/report/html/): its template, CSS and JavaScript become byte arrays
# html_page_html, html_page_css, html_page_js (NUL-terminated) in a generated header, with od
# and awk (xxd is not always installed), so the binary carries the page and needs no files.
HTML_ASSETS := sim/report/html/page.html sim/report/html/page.css sim/report/html/page.js
HTML_ASSETS_H := $(BUILD)/gen/html_assets.h
$(HTML_ASSETS_H): $(HTML_ASSETS) Makefile
	@mkdir -p $(dir $@)
	@{ echo '/* generated from $(HTML_ASSETS) by the Makefile */'; \
	   for f in $(HTML_ASSETS); do \
	     echo "static const unsigned char html_$$(basename $$f | tr . _)[] = {"; \
	     od -An -v -tu1 $$f | awk '{ s = ""; for (i = 1; i <= NF; i++) s = s $$i ","; print s }'; \
	     echo "0};"; \
	   done; } >$@.tmp && mv $@.tmp $@
$(BUILD)/sim/report/html.o: $(HTML_ASSETS_H)
$(BUILD)/sim/report/html.o: ALL_CFLAGS += -I$(BUILD)/gen

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS_V) $(LDFLAGS_V) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB)
	$(CC) $(CFLAGS_V) $(LDFLAGS_V) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(CMOCKA_LIBS) $(LIBS)

$(JSON_VALIDATE): $(JSON_VALIDATE_OBJ)
	$(CC) $(CFLAGS_V) $(LDFLAGS_V) $(LDFLAGS) -o $@ $(JSON_VALIDATE_OBJ)

$(HTML_PAGE): $(HTML_PAGE_OBJ) $(LIB)
	$(CC) $(CFLAGS_V) $(LDFLAGS_V) $(LDFLAGS) -o $@ $(HTML_PAGE_OBJ) $(LIB) $(LIBS)

run: $(BIN)
	./$(BIN)

# make install: the binary, the library, its headers (under include/tpusim/, keeping their
# folders, since they include each other as "dir/x.h": compile with -I$(PREFIX)/include/tpusim),
# the configs, kernels and workloads. The command-line front end's headers (sim/cli/) and the
# machine's private tpu_int.h are not the library's interface and are left out.
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_HEADERS := $(sort $(filter-out sim/cli/% %_int.h,$(wildcard sim/*/*.h)))
INSTALL_DIRS := bin lib include/tpusim share/tpusim
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/tpusim/configs \
	  $(DESTDIR)$(PREFIX)/share/tpusim/kernels/workloads
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tpusim
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libtpusim.a
	@for h in $(INSTALL_HEADERS); do \
	  d=$(DESTDIR)$(PREFIX)/include/tpusim/$$(dirname $${h#sim/}); \
	  install -d "$$d" && install -m 644 "$$h" "$$d/" || exit 1; \
	done
	install -m 644 configs/*.yaml $(DESTDIR)$(PREFIX)/share/tpusim/configs/
	install -m 644 kernels/*.tpu $(DESTDIR)$(PREFIX)/share/tpusim/kernels/
	install -m 644 kernels/workloads/* $(DESTDIR)$(PREFIX)/share/tpusim/kernels/workloads/
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tpusim $(DESTDIR)$(PREFIX)/lib/libtpusim.a
	rm -rf $(DESTDIR)$(PREFIX)/include/tpusim $(DESTDIR)$(PREFIX)/share/tpusim

# make test: the release build and the sanitizer build both pass every test, the stress build
# passes its stress group, the libFuzzer targets pass their smoke (when clang is there, below), and the command-line checks (tests/cli.sh) run against the release
# binary (and its tests/json_validate). The last line is the combined summary "N passed, N failed".
# The builds use every core (JOBS, default the number of cores); the suites run in two lanes
# (tests/run_all.sh).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: check-gnuplot check-parallel
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=release $(BUILDROOT)/release/tpusim $(BUILDROOT)/release/tests/run_tests \
	  $(BUILDROOT)/release/tests/json_validate $(BUILDROOT)/release/tests/html_page
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=san $(BUILDROOT)/san/tpusim $(BUILDROOT)/san/tests/run_tests
	@$(MAKE) --no-print-directory -j$(JOBS) VARIANT=stress $(BUILDROOT)/stress/tests/run_tests
	@if { $(HAVE_LIBFUZZER); } || [ "$$(id -u)" = 0 ]; then \
	  $(MAKE) --no-print-directory -j$(JOBS) fuzz-build && $(MAKE) --no-print-directory fuzz-corpus; \
	else echo "fuzz smoke skipped: clang or libFuzzer is missing; run: sudo apt-get install clang libclang-rt-dev"; fi
	@BUILDROOT=$(BUILDROOT) sh tests/run_all.sh

# GNU parallel runs docs/sweeps.md's parallel line in tests/cli/75_sweep.sh. A program, not a
# pkg-config package: installed with apt-get when root (as valgrind below), else the command.
.PHONY: check-parallel
check-parallel:
	@if ! command -v parallel >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing missing test dependency: parallel"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y parallel >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y parallel >/dev/null)) \
	      && command -v parallel >/dev/null \
	      || { echo "error: could not install parallel; run: sudo apt-get install parallel" >&2; exit 1; }; \
	  else \
	    echo "error: GNU parallel is missing; run: sudo apt-get install parallel" >&2; exit 1; \
	  fi; \
	fi

# --- libFuzzer targets (tests/fuzz/, issue 14) ----------------------------------------------
#   make fuzz [FUZZ_SECONDS=60]   build build/fuzz/ and run each target for FUZZ_SECONDS seconds
#   make fuzz-build               the library with clang -fsanitize=fuzzer-no-link,address,undefined
#                                 into build/fuzz/ and one binary per tests/fuzz/fuzz_<reader>.c
# Each target starts from its seed corpus (build/fuzz/corpus/<target>/, copied from configs/,
# kernels/ and tests/data/ by the fuzz-corpus rule, never committed) and its committed
# regressions (tests/fuzz/regressions/<target>/: every input that ever failed). make test runs
# the smoke (tests/fuzz/smoke.sh: a fixed number of runs per target, seeded) when clang is
# present; check-clang installs it with apt-get when root and otherwise prints the command, and
# the smoke is then skipped with that message.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := $(BUILDROOT)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = $(CFLAGS_COMMON) -O1 -g $(FUZZ_SAN) $(YAML_CFLAGS)
FUZZ_TARGETS := $(sort $(notdir $(basename $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_LIB := $(FUZZ_BUILD)/libtpusim.a
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
.PHONY: fuzz fuzz-build fuzz-corpus check-clang

# clang and its libFuzzer runtime (Debian: libclang-rt-dev, only a Recommends of clang)
HAVE_LIBFUZZER = command -v $(FUZZ_CC) >/dev/null && \
  ls "$$($(FUZZ_CC) -print-runtime-dir 2>/dev/null)"/libclang_rt.fuzzer-*.a >/dev/null 2>&1
check-clang:
	@if ! { $(HAVE_LIBFUZZER); }; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing missing fuzz dependencies: clang libclang-rt-dev"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y clang libclang-rt-dev >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y clang libclang-rt-dev >/dev/null)) \
	      && { $(HAVE_LIBFUZZER); } \
	      || { echo "error: could not install clang; run: sudo apt-get install clang libclang-rt-dev" >&2; exit 1; }; \
	  else \
	    echo "error: clang or libFuzzer is missing; run: sudo apt-get install clang libclang-rt-dev" >&2; exit 1; \
	  fi; \
	fi

$(FUZZ_BUILD)/sim/%.o: sim/%.c | check-deps check-clang
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# the HTML page's generated header (above), as for the other builds
$(FUZZ_BUILD)/sim/report/html.o: $(HTML_ASSETS_H)
$(FUZZ_BUILD)/sim/report/html.o: FUZZ_CFLAGS += -I$(BUILD)/gen

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB) | check-clang
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -fsanitize=fuzzer $< $(FUZZ_LIB) $(LIBS) -o $@

# Seed corpora: each target's own inputs, copied (not committed). tpusim writes the .npy seeds.
fuzz-corpus: $(BIN)
	@sh tests/fuzz/corpus.sh $(FUZZ_BUILD)/corpus $(BIN)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build fuzz-corpus
	@sh tests/fuzz/smoke.sh $(FUZZ_BUILD) -max_total_time=$(FUZZ_SECONDS)

-include $(FUZZ_LIB_OBJ:.o=.d)

# make check-all: make test, then the slower checks (tests/check_all.sh): the release unit tests
# and representative commands under valgrind, the fuzz tests with many more inputs and the
# command-line checks against the sanitizer binary. The last line is the combined summary.
# valgrind is a program, not a pkg-config package: installed with apt-get when root, as above.
.PHONY: check-all check-valgrind
check-valgrind:
	@if ! command -v valgrind >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing missing check dependency: valgrind"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y valgrind >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y valgrind >/dev/null)) \
	      && command -v valgrind >/dev/null \
	      || { echo "error: could not install valgrind; run: sudo apt-get install valgrind" >&2; exit 1; }; \
	  else \
	    echo "error: valgrind is missing; run: sudo apt-get install valgrind" >&2; exit 1; \
	  fi; \
	fi
check-all: check-valgrind
	@MAKE="$(MAKE)" BUILDROOT=$(BUILDROOT) sh tests/check_all.sh

# One variant's unit tests, with an optional name filter: make test-one VARIANT=debug FILTER=npy
test-one: $(TESTBIN) $(BIN)
	./$(TESTBIN) $(FILTER)

# The speed benchmark. Its OpenBLAS sgemm program (tests/bench/sgemm.c) is a benchmark-only
# dependency: libopenblas-dev is installed with apt-get when root, else the command is printed
# and the bench runs without the sgemm ratios.
BENCH_SGEMM := build/bench/sgemm
$(BENCH_SGEMM): tests/bench/sgemm.c
	@mkdir -p $(dir $@)
	@if ! printf '#include <cblas.h>\nint main(void){return 0;}\n' | $(CC) -x c - -lopenblas -o $@.probe >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "bench: installing libopenblas-dev (benchmark-only dependency)"; \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y libopenblas-dev >/dev/null 2>&1 || \
	     (apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y libopenblas-dev >/dev/null 2>&1)) \
	      || { echo "bench: could not install OpenBLAS; run: sudo apt-get install libopenblas-dev" >&2; exit 1; }; \
	  else \
	    echo "bench: OpenBLAS is missing; run: sudo apt-get install libopenblas-dev" >&2; exit 1; \
	  fi; \
	fi; rm -f $@.probe
	$(CC) -O2 -o $@ $< -lopenblas
bench: $(BIN)
	@$(MAKE) --no-print-directory $(BENCH_SGEMM) || true
	@sh tests/bench.sh $(BIN) $(BENCH_SGEMM)

clean:
	rm -rf build/ $(filter-out build,$(BUILDROOT))

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(JSON_VALIDATE_OBJ:.o=.d) $(HTML_PAGE_OBJ:.o=.d)
