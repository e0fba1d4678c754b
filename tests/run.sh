#!/usr/bin/env bash
# run.sh — what `make test` runs: every unit test (plain build, then built
# with AddressSanitizer + UBSan), then every end-to-end script. A failing
# suite does not stop the others; the last line counts them all.
# BUILD and ASAN_BUILD name the two build folders, as in the Makefile.
set -uo pipefail
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-$BUILD-asan}
pass=0 fail=0 failed=()
run() { # name, command...
    local name=$1
    shift
    echo "== $name"
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$name"); fi
}
tests_in() { # folder: its test programs (not the .d files the compiler wrote beside them)
    local t
    for t in "$1"/tests/test_*; do
        case $t in *.d) ;; *) [ -x "$t" ] && echo "$t" ;; esac
    done
}
build() { # what, make arguments...
    local what=$1
    shift
    if ! "$MAKE" --no-print-directory BUILD="$BUILD" ASAN_BUILD="$ASAN_BUILD" "$@"; then
        echo "tests: build of the $what failed"
        echo "tests: 0 passed, 1 failed"
        exit 1
    fi
}

build "unit tests" unit-build
for t in $(tests_in "$BUILD"); do run "$(basename "$t")" "$t"; done

build "sanitizer build" asan-build
for t in $(tests_in "$ASAN_BUILD"); do run "asan $(basename "$t")" "$t"; done

build "program" all
for s in tests/e2e_*.sh; do run "$(basename "$s")" env BIN="$BUILD/seq2seq" bash "$s"; done

[ "$fail" -eq 0 ] || echo "failed suites: ${failed[*]}"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
