#!/usr/bin/env bash
# e2e_learns.sh — a small configuration trained on the built-in task inside
# `make test` must really learn to reverse: at least 95% exact match on the
# 1000 test sentences after 5 epochs (embed 32, hidden 64, one layer).
set -euo pipefail
BIN=$(readlink -f "${BIN:-build/seq2seq}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$BIN" train --device cpu --epochs 5 --embed 32 --hidden 64 --layers 1 --lr 3e-3 --out run --quiet
acc=$("$BIN" eval --device cpu --model run/best.ckpt --no-heatmap | sed -n 's/^Exact Match Accuracy: \([0-9.]*\)%.*/\1/p')
echo "exact match after 5 small epochs: ${acc}% (bar: 95%)"
if awk -v a="$acc" 'BEGIN { exit !(a >= 95.0) }'; then
    echo "1 passed, 0 failed"
else
    echo "0 passed, 1 failed"
    exit 1
fi
