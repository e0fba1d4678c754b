#!/usr/bin/env bash
# e2e_valgrind.sh — the program's main paths under valgrind's memcheck on a
# tiny model: any invalid access, uninitialised read or definite leak fails.
set -euo pipefail
BIN=$(readlink -f "${BIN:-build/seq2seq}")
SUPP=$(readlink -f "$(dirname "$0")/valgrind.supp")
if ! command -v valgrind >/dev/null 2>&1; then
    echo "SKIP: valgrind not installed"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0 fail=0
vg() { # name, then the command's arguments
    local name=$1
    shift
    if valgrind -q --suppressions="$SUPP" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name (exit $?)"
        grep -E "==[0-9]+==" "$T/err" | head -30
        fail=$((fail + 1))
    fi
}
# A small corpus keeps memcheck's 30-50x slowdown to seconds.
for i in $(seq 1 60); do echo "the cat sat on mat $((i % 7)) dog"; done | awk '{print $1, $2, $3, $((NR%5)+4)}' >sentences.txt
vg "train (1 epoch, --data)" train --device cpu --threads 2 --epochs 1 --embed 8 --hidden 8 --layers 2 \
    --batch 8 --data sentences.txt --out run
vg "eval" eval --device cpu --model run/best.ckpt --data sentences.txt --examples 2
vg "reverse (with an unknown word)" reverse --device cpu --model run/best.ckpt --png one.png the cat zebra
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
