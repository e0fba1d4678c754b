# seq2seq — GRU encoder–decoder with attention that learns to reverse sentences.
#
#   make          build build/seq2seq (and build/libseq2seq.a); installs nothing
#   make run      build, then open the terminal UI (trains on the built-in data)
#   make test     unit tests, gradient checks, PyTorch parity, sanitizers, end-to-end
#   make bench    time per epoch beside the PyTorch reference (and on the GPU, if any)
#   make gemm-bench  the model's matrix products, OpenBLAS beside libxsmm (needs
#                 libxsmm-dev, which nothing installs; see docs/gemm_shapes.md)
#   make deps     install the Debian packages the build and tests need (deps.txt)
#   make asan     the unit tests built with AddressSanitizer + UBSan, and run
#   make install  binary and man page into $(DESTDIR)$(PREFIX)
#   make clean    remove $(BUILD) and the sanitizer build, $(BUILD)-asan
#
# make run and make test first install what deps.txt lists and is missing, as
# make deps does; any other goal only checks, and stops with a hint to run
# make deps when a package is missing (DEPS_CHECK=0 skips the check).
# CUDA is used when nvcc is found; CUDA=0 / CUDA=1 force it. XSMM=1 (opt-in)
# runs part of the CPU's matrix products through libxsmm (libxsmm-dev).

CC      ?= cc
NVCC    ?= nvcc
PREFIX  ?= /usr/local
BUILD   ?= build
ASAN_BUILD ?= $(BUILD)-asan
PYTHON  ?= python3

CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O3 -g -fno-math-errno
CFLAGS  += $(CSTD) $(WARN) $(OPT) -Imodel -pthread
LDLIBS  += -lm -pthread

# ---- BLAS: OpenBLAS through pkg-config when installed, else any CBLAS ----
BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell pkg-config --libs openblas 2>/dev/null)
ifeq ($(BLAS_LIBS),)
  ifneq ($(wildcard /usr/include/cblas.h /usr/include/x86_64-linux-gnu/cblas.h),)
    BLAS_LIBS := -lcblas -lblas
  else
    BLAS_CFLAGS := -DS2S_NO_CBLAS
  endif
endif
# ---- libxsmm (opt-in, make XSMM=1): JIT kernels for cpu_gemm's NN and TN
# products, OpenBLAS for the rest (docs/gemm_shapes.md); off when its header
# or a CBLAS is missing. Build it into its own BUILD folder: objects are not
# rebuilt when XSMM changes.
XSMM ?= 0
ifeq ($(XSMM),1)
  ifneq ($(wildcard /usr/include/libxsmm.h /usr/local/include/libxsmm.h),)
    ifeq ($(filter -DS2S_NO_CBLAS,$(BLAS_CFLAGS)),)
      BLAS_CFLAGS += -DS2S_XSMM $(shell pkg-config --cflags libxsmm 2>/dev/null)
      BLAS_LIBS   := $(shell pkg-config --libs libxsmm 2>/dev/null || echo -lxsmm -lpthread -lrt -ldl) $(BLAS_LIBS)
    endif
  else
    $(warning XSMM=1 but libxsmm.h was not found (Debian: libxsmm-dev); building without it)
  endif
endif
CFLAGS += $(BLAS_CFLAGS)
LDLIBS += $(BLAS_LIBS)

# ---- the front end's libraries (tui/ only; model/ never includes them) ----
UI_CFLAGS := $(shell pkg-config --cflags libpng ncursesw 2>/dev/null)
UI_LIBS   := $(shell pkg-config --libs libpng ncursesw 2>/dev/null || echo -lpng -lncursesw)

# ---- CUDA: auto-detected; CUDA=0 or CUDA=1 forces ----
NVCC_PATH := $(shell command -v $(NVCC) 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null)
ifeq ($(CUDA),)
  CUDA := $(if $(NVCC_PATH),1,0)
endif
ifeq ($(CUDA),1)
  ifeq ($(NVCC_PATH),)
    $(error CUDA=1 but $(NVCC) was not found (put it on PATH or pass NVCC=/path/to/nvcc))
  endif
  NVCC      := $(NVCC_PATH)
  CUDA_HOME ?= $(patsubst %/bin/nvcc,%,$(NVCC))
  CUDA_SRC  := $(wildcard kernels/*.cu)
endif
# GPU code: SASS for Ampere (sm_80, also runs on sm_86/sm_89) and Hopper
# (sm_90), plus compute_90 PTX that newer GPUs compile at load time.
# CUDA_ARCH="sm_75 sm_80" (say) replaces the list.
CUDA_ARCH ?= sm_80 sm_90
NVCC_OPT  ?= -O2 -lineinfo
NVCCFLAGS := $(NVCC_OPT) -std=c++17 -Imodel -Ikernels -Xcompiler -Wall,-Werror -Werror all-warnings \
             $(foreach a,$(CUDA_ARCH),-gencode arch=compute_$(a:sm_%=%),code=$(a)) \
             -gencode arch=compute_$(lastword $(CUDA_ARCH:sm_%=%)),code=compute_$(lastword $(CUDA_ARCH:sm_%=%)) \
             -DS2S_CUDA_ARCHS='"$(CUDA_ARCH)"'
# The library's contents depend on CUDA=0/1: remember the last choice, so
# switching rebuilds it instead of keeping the other backend.
CUDA_STAMP := $(BUILD)/.cuda-$(if $(CUDA_SRC),on,off)

# The CUDA backend's constructor comes from kernels/ when it is built, else
# from backend_nocuda.c, which says the build has no CUDA.
MODEL_SRC := $(filter-out model/backend_nocuda.c,$(wildcard model/*.c))
ifeq ($(CUDA_SRC),)
  MODEL_SRC += model/backend_nocuda.c
else
  LDLIBS += -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudart -lcublas -lstdc++
endif

# tui/ holds three parts in sub-folders: cli/ (the command line; its main.c
# is the program's main()), app/ (the terminal UI) and report/ (figures and
# analysis.md); everything but main.c goes into the UI library. Every folder
# with tui headers is on the include path.
TUI_MAIN  := tui/cli/main.c
TUI_SRC   := $(filter-out $(TUI_MAIN),$(wildcard tui/*.c tui/*/*.c))
TUI_INC   := $(patsubst %/,-I%,$(sort $(dir $(wildcard tui/*.h tui/*/*.h))))
TEST_SRC  := $(wildcard tests/test_*.c)

LIB       := $(BUILD)/libseq2seq.a
UILIB     := $(BUILD)/libseq2seq-ui.a
BIN       := $(BUILD)/seq2seq
MODEL_OBJ := $(MODEL_SRC:%.c=$(BUILD)/%.o)
CUDA_OBJ  := $(CUDA_SRC:%.cu=$(BUILD)/%.o)
TUI_OBJ   := $(TUI_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(TUI_MAIN:%.c=$(BUILD)/%.o)
TESTS     := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# Header dependencies: every compile (cc, and nvcc too) writes a .d file
# beside its output, naming the headers it read (-MMD), each also with an
# empty rule (-MP) so that a deleted header does not stop the build; they
# are read at the end of this file.
DEPFLAGS  := -MMD -MP

.PHONY: all run test bench gemm-bench deps asan asan-build unit unit-build e2e install clean \
        deps-check-build deps-check-unit FORCE
.DEFAULT_GOAL := all

all: $(BIN)

# ---- dependencies (Debian): the packages are listed in deps.txt ----
# Only make run, make test and make deps install. For them $(BUILD)/deps.mk
# is included and remade first: when that installs something, it rewrites
# the file and make reads this Makefile again, so the pkg-config lookups
# above see the freshly installed OpenBLAS and libpng instead of the
# fallbacks. Every other goal only checks, in deps-check-build (the library
# and the program) and deps-check-unit (the unit tests), and stops with a
# hint when a package is missing. Both need dpkg-query: without it make deps
# says to install the packages by hand and the check is skipped, as it is
# with DEPS_CHECK=0.
DEPS_FILE  := deps.txt
DEPS_GOALS := run test deps
DEPS_CHECK ?= 1
# make -n runs the recipe that remakes an included makefile: it then only
# says what it would install.
DRY_RUN    := $(findstring n,$(firstword -$(MAKEFLAGS)))

# $(call deb_pkgs,TAGS): a shell command printing the packages deps.txt lists
# for any of TAGS (build unit e2e), or all of them when TAGS is empty.
deb_pkgs    = awk -v t=' $(1) ' '$$1 ~ /^[a-z0-9]/ && (t == "  " || index(t, " " $$2 " ")) { print $$1 }' $(DEPS_FILE)
# $(call deb_missing,TAGS): a shell command printing those not installed.
deb_missing = for p in $$($(call deb_pkgs,$(1))); do \
                dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "ok installed" || echo "$$p"; done

deps: $(BUILD)/deps.mk
ifneq ($(filter $(DEPS_GOALS),$(MAKECMDGOALS)),)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
include $(BUILD)/deps.mk
endif
endif
# Checked on every run (FORCE), but rewritten only when something was
# installed: an unchanged deps.mk does not make make start over. After a
# restart it is not checked again.
$(BUILD)/deps.mk: $(if $(MAKE_RESTARTS),,FORCE)
	@mkdir -p $(dir $@)
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "deps: no dpkg-query, so not Debian/Ubuntu: install what $(DEPS_FILE) lists (or its equivalent) yourself"; \
	else \
	  missing=$$($(call deb_missing,)); missing=$$(echo $$missing); \
	  if [ -n "$$missing" ] && [ -n "$(DRY_RUN)" ]; then echo "deps: would install: $$missing"; exit 0; fi; \
	  if [ -n "$$missing" ]; then \
	    echo "installing: $$missing"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	      || { echo "could not install: $$missing — install them and run make again" >&2; exit 1; }; \
	    rm -f $@; \
	  fi; \
	fi; \
	[ -f $@ ] || echo "# the packages of $(DEPS_FILE), checked by 'make deps'" > $@

deps-check-build: DEPS_NEED := build
deps-check-unit:  DEPS_NEED := build unit
deps-check-build deps-check-unit:
ifeq ($(DEPS_CHECK),1)
	@if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=$$($(call deb_missing,$(DEPS_NEED))); \
	  if [ -n "$$missing" ]; then \
	    echo "missing Debian packages:" $$missing >&2; \
	    echo "run 'make deps' to install them (make run and make test do it too), or DEPS_CHECK=0 to build anyway" >&2; \
	    exit 1; \
	  fi; \
	fi
else
	@:
endif

FORCE:

# ---- the library, the program, the tests ----
$(BUILD)/model/%.o: model/%.c | deps-check-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# % may hold a sub-folder: tui/cli/main.c -> $(BUILD)/tui/cli/main.o
$(BUILD)/tui/%.o: tui/%.c | deps-check-build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(UI_CFLAGS) $(TUI_INC) -I. $(DEPFLAGS) -c $< -o $@

$(BUILD)/kernels/%.o: kernels/%.cu | deps-check-build
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) $(DEPFLAGS) -c $< -o $@

$(CUDA_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(BUILD)/.cuda-on $(BUILD)/.cuda-off
	@touch $@

$(LIB): $(MODEL_OBJ) $(CUDA_OBJ) $(CUDA_STAMP)
	@rm -f $@
	ar rcs $@ $(filter %.o,$^)

$(UILIB): $(TUI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(UILIB) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(UI_LIBS) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(UILIB) $(LIB) | deps-check-unit
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(UI_CFLAGS) $(LDFLAGS) -Itests $(TUI_INC) -I. $(DEPFLAGS) $< $(UILIB) $(LIB) $(UI_LIBS) $(LDLIBS) -lcmocka -o $@

# ---- run: the terminal UI, training with the defaults (F10 quits, F1 helps) ----
run: $(BIN)
	$(BIN) tui

# ---- tests: tests/run.sh runs every suite and ends with one count ----
unit-build: $(TESTS)

unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done

ASAN_ARGS := BUILD=$(ASAN_BUILD) CUDA=0 LDFLAGS="-fsanitize=address,undefined" \
  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

asan-build:
	$(MAKE) --no-print-directory $(ASAN_ARGS) unit-build

asan:
	$(MAKE) --no-print-directory $(ASAN_ARGS) unit

e2e: $(BIN)
	@set -e; for t in tests/e2e_*.sh; do echo "== $$t"; BIN=$(BIN) bash $$t; done

test: $(BUILD)/deps.mk
	@MAKE="$(MAKE)" BUILD="$(BUILD)" ASAN_BUILD="$(ASAN_BUILD)" bash tests/run.sh

bench: $(BUILD)/tests/bench
	BENCH=$(BUILD)/tests/bench bash tests/bench.sh
	BENCH=$(BUILD)/tests/bench bash tests/bench_cuda.sh

# ---- gemm-bench: OpenBLAS vs libxsmm on the model's shapes (tests/gemm_shapes.c) ----
# Built only here and only when libxsmm's header is installed (Debian:
# libxsmm-dev); make, make test and CI never build it.
XSMM_H := $(wildcard /usr/include/libxsmm.h /usr/local/include/libxsmm.h)
gemm-bench: $(if $(XSMM_H),$(BUILD)/tests/gemm_shapes,gemm-bench-missing)
	$(BUILD)/tests/gemm_shapes

$(BUILD)/tests/gemm_shapes: tests/gemm_shapes.c model/gemm_small.c model/gemm_small.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags libxsmm 2>/dev/null) $(LDFLAGS) $< model/gemm_small.c \
	  $(shell pkg-config --libs libxsmm 2>/dev/null || echo -lxsmm -lpthread -lrt -ldl) $(BLAS_LIBS) -lm -pthread -o $@

.PHONY: gemm-bench-missing
gemm-bench-missing:
	@echo "gemm-bench: libxsmm.h not found; install libxsmm-dev (Debian) to build it" >&2; exit 1

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/seq2seq
	install -m 644 man/seq2seq.1 $(DESTDIR)$(PREFIX)/share/man/man1/seq2seq.1

clean:
	@case "$(BUILD)" in ""|.|./|..|../|/) echo "clean: will not remove BUILD='$(BUILD)'" >&2; exit 1;; esac
	rm -rf $(BUILD) $(ASAN_BUILD)

# ---- the header dependencies the last compiles wrote (see DEPFLAGS) ----
-include $(wildcard $(patsubst %.o,%.d,$(MODEL_OBJ) $(CUDA_OBJ) $(TUI_OBJ) $(MAIN_OBJ)) $(BUILD)/tests/*.d)
