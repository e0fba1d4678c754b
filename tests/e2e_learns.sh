#!/usr/bin/env bash
# e2e_learns.sh — a small configuration trained on the built-in task inside
# `make test` must really learn to reverse: at least 95% exact match on the
# 1000 test sentences after 5 epochs (embed 32, hidden 64, one layer), and
# a word it has never seen copied through to its mirrored place.
set -euo pipefail
BIN=$(readlink -f "${BIN:-build/seq2seq}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$BIN" train --device cpu --epochs 5 --embed 32 --hidden 64 --layers 1 --lr 3e-3 --out run --quiet
acc=$("$BIN" eval --device cpu --model run/best.ckpt --no-heatmap | sed -n 's/^Exact Match Accuracy: \([0-9.]*\)%.*/\1/p')
echo "exact match after 5 small epochs: ${acc}% (bar: 95%)"
pass=0 fail=0
if awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }'; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
# An unseen word is copied through by attention, in its mirrored place.
out=$("$BIN" reverse --device cpu --model run/best.ckpt "the big zebra ran on the mat" 2>/dev/null)
echo "the big zebra ran on the mat -> $out"
if [ "$out" = "mat the on ran zebra big the" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
