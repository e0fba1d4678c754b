#!/usr/bin/env bash
# e2e_learns.sh — a small configuration trained on the built-in task inside
# `make test` must really learn to reverse: at least 95% exact match on the
# 1000 test sentences after 5 epochs (embed 32, hidden 64, one layer), and
# a word it has never seen copied through to its mirrored place. The same
# size with --attention location --unk-rate 0.1, 3 epochs, must reverse
# sentences longer than any it was trained on (11-15 and 16-30 words) and
# sentences of words it never saw, each at least 95% exact (measured: 100%).
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

# Location attention: lengths and words training never shows.
"$BIN" train --device cpu --epochs 3 --embed 32 --hidden 64 --layers 1 --lr 3e-3 \
    --attention location --unk-rate 0.1 --out loc --quiet
# sentences N LO HI SEED [unseen]: N lines of LO..HI words, from the seed's
# words or (unseen) from words the vocabulary lacks.
sentences() {
    awk -v n="$1" -v lo="$2" -v hi="$3" -v seed="$4" -v unseen="${5:-}" 'BEGIN {
        srand(seed)
        k = split(unseen ? "zebra apple river stone cloud green lamp door wolf moon" : \
            "the cat sat dog ran big small red blue on in mat hat house car tree bird fish", w, " ")
        for (i = 0; i < n; i++) {
            len = lo + int(rand() * (hi - lo + 1)); line = ""
            for (j = 0; j < len; j++) line = line (j ? " " : "") w[1 + int(rand() * k)]
            print line
        }
    }'
}
# exact IN: the share of IN's lines that `reverse` gives back word for word reversed.
exact() {
    "$BIN" reverse --device cpu --model loc/best.ckpt <"$1" 2>/dev/null >"$1.out"
    awk 'NR == FNR { want[FNR] = ""; for (i = NF; i >= 1; i--) want[FNR] = want[FNR] (i < NF ? " " : "") $i; n++; next }
         { ok += ($0 == want[FNR]) } END { printf "%.1f", 100 * ok / n }' "$1" "$1.out"
}
sentences 200 11 15 1115 >long.txt
sentences 200 16 30 1630 >longer.txt
sentences 200 3 10 2310 1 >unseen.txt
for f in long longer unseen; do
    a=$(exact "$f.txt")
    echo "location, 3 small epochs, $f.txt: ${a}% reversed exactly (bar: 95%)"
    if awk -v a="$a" 'BEGIN { exit !(a >= 95.0) }'; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
