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
# Pairs of characters, two vocabularies, a stray line skipped, beam search and JSON Lines.
for i in $(seq 1 40); do printf '%d %d\t%d\n' "$i" "$((i + 1))" "$((i * 2))"; done >pairs.tsv
printf 'no tab here\n' >>pairs.tsv
vg "train (1 epoch, --pairs, chars, --skip-bad)" train --device cpu --threads 2 --epochs 1 \
    --embed 8 --hidden 8 --layers 1 --batch 8 --pairs pairs.tsv --tokens chars --skip-bad --out pr
vg "predict (--beam 3, --attention-out)" predict --device cpu --model pr/best.ckpt --beam 3 \
    --attention-out a.jsonl "12 13"
vg "eval (pairs, --beam 2, --attention-out)" eval --device cpu --model pr/best.ckpt \
    --test pairs.tsv --skip-bad --beam 2 --attention-out e.jsonl --examples 1
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
