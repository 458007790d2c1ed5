# tpusim — plain Makefile. Out-of-tree builds in build/$(VARIANT).
#   make                 build build/release/tpusim (and libtpusim.a)
#   make run             build and run the main job on the embedded default machine
#   make test            build release + san variants and run every test
#   make check-all       make test, then the slow checks: valgrind, long fuzz, CLI on san (CI runs this)
#   make fuzz            the libFuzzer targets of tests/fuzz/, FUZZ_SECONDS (60) each
#   make bench           speed benchmark (prints ratios; not a test)
#   make VARIANT=debug   variants: release debug san stress (shrunken sizes, see below)
#   make clean           remove build/

VARIANT ?= release
VARIANTS := release debug san stress
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

LIB := $(BUILD)/libtpusim.a
BIN := $(BUILD)/tpusim
TESTBIN := $(BUILD)/tests/run_tests
JSON_VALIDATE := $(BUILD)/tests/json_validate

.PHONY: all run test test-one check-deps check-test-deps bench clean
all: $(BIN)

check-deps:
	$(call ensure_deps,$(DEP_PKGS))
# after check-deps: two apt-get runs at once (make -j) would fight over dpkg's lock
check-test-deps: check-deps
	$(call ensure_deps,$(TEST_DEP_PKGS))

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

run: $(BIN)
	./$(BIN)

# make test: the release build and the sanitizer build both pass every test, the stress build
# passes its stress group, the libFuzzer targets pass their smoke (when clang is there, below), and the command-line checks (tests/cli.sh) run against the release
# binary (and its tests/json_validate). The last line is the combined summary "N passed, N failed".
test:
	@$(MAKE) --no-print-directory VARIANT=release $(BUILDROOT)/release/tpusim $(BUILDROOT)/release/tests/run_tests \
	  $(BUILDROOT)/release/tests/json_validate
	@$(MAKE) --no-print-directory VARIANT=san $(BUILDROOT)/san/tpusim $(BUILDROOT)/san/tests/run_tests
	@$(MAKE) --no-print-directory VARIANT=stress $(BUILDROOT)/stress/tests/run_tests
	@if { $(HAVE_LIBFUZZER); } || [ "$$(id -u)" = 0 ]; then \
	  $(MAKE) --no-print-directory fuzz-build fuzz-corpus; \
	else echo "fuzz smoke skipped: clang or libFuzzer is missing; run: sudo apt-get install clang libclang-rt-dev"; fi
	@BUILDROOT=$(BUILDROOT) sh tests/run_all.sh

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

bench: $(BIN)
	@sh tests/bench.sh $(BIN)

clean:
	rm -rf build/ $(filter-out build,$(BUILDROOT))

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(JSON_VALIDATE_OBJ:.o=.d)
