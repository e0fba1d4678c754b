#!/usr/bin/env bash
# bench.sh — `make bench`: our CPU training beside the seed's PyTorch
# reference (../shared/peers/seed_reference.py, padding fixed) on this
# machine, in one run, as ratios, with the CPU (model, vector extensions)
# and OpenBLAS's kernel family printed beside them. PyTorch is skipped with
# a note when python3-torch is not installed.
# Then a corpus of one's own at scale: tests/make_pairs.py writes PAIRS_N
# pairs of 1..50 words (a 4000-word vocabulary, Zipf-like; the target is
# the source reversed) and `bench --pairs` times loading them, the padding
# with and without bucketing, tokens/s against the seed's task and the
# peak memory (skipped with a note without python3).
#   BENCH_EPOCHS   (3)       our epochs to take the median of
#   PEER_EPOCHS    (3)       PyTorch epochs to take the median of (about 20 s each on 2 cores)
#   PAIRS_N        (200000)  pairs to generate; 0 skips the pairs part
#   PAIRS_BATCHES  (120)     batches of each task to train (about 3 minutes on 2 cores)
#   PAIRS_CONTROLS (0)       1: also two corpora that tell length from vocabulary
#                            apart (3..10 words; a 34-word vocabulary)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=${BENCH:-build/tests/bench}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

echo "== seq2seq (C, CPU backend)"
"$BENCH" --epochs "${BENCH_EPOCHS:-3}" | tee "$OUT/ours.txt"
ours=$(sed -n 's/^SUMMARY epoch_s=\([0-9.]*\).*/\1/p' "$OUT/ours.txt")
# The machine beside the figures, so runs on different machines can be told apart.
machine() { grep -E '^(cpu|machine): ' "$OUT/ours.txt" || true; }

PEER=../shared/peers/seed_reference.py
PY=""
for p in "${PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c "import torch, matplotlib, seaborn" 2>/dev/null && { PY=$p; break; }
done
if [ -z "$PY" ] || [ ! -f "$PEER" ]; then
    echo "== PyTorch reference: skipped (python3-torch, python3-matplotlib, python3-seaborn and $PEER are needed)"
else
    echo
    echo "== PyTorch reference ($PEER --fixed, --threads 1, OPENBLAS_NUM_THREADS=2 as its README runs it)"
    OPENBLAS_NUM_THREADS=2 "$PY" "$PEER" --fixed --threads 1 --epochs "${PEER_EPOCHS:-3}" --out "$OUT/peer" \
        | grep -E "^Epoch|SUMMARY|torch " | tee "$OUT/peer.txt"
    peer=$(sed -n 's/.*median_train=\([0-9.]*\)s.*/\1/p' "$OUT/peer.txt")
    echo
    awk -v o="$ours" -v p="$peer" 'BEGIN {
        printf "train epoch: seq2seq %.2f s, PyTorch %.2f s -> seq2seq is %.1fx faster\n", o, p, p / o }'
fi
machine

# pairs NAME ARGS...: a pairs file from make_pairs.py ARGS, then bench --pairs on it.
pairs() {
    local name=$1
    shift
    echo
    echo "== pairs: $name (tests/make_pairs.py -n $PAIRS_N $*)"
    python3 tests/make_pairs.py -n "$PAIRS_N" "$@" >"$OUT/pairs.tsv"
    "$BENCH" --pairs "$OUT/pairs.tsv" --batches "${PAIRS_BATCHES:-120}" | grep -vE '^(cpu|machine): '
}
PAIRS_N=${PAIRS_N:-200000}
if [ "$PAIRS_N" = 0 ]; then
    exit 0
elif ! command -v python3 >/dev/null 2>&1; then
    echo
    echo "== pairs: skipped (python3 is needed to generate the pairs file)"
    exit 0
fi
pairs "$PAIRS_N pairs of 1..50 words, 4000-word vocabulary"
if [ "${PAIRS_CONTROLS:-0}" = 1 ]; then
    pairs "the synthetic task's lengths (3..10 words), 4000-word vocabulary" --min-len 3 --max-len 10
    pairs "1..50 words, the synthetic task's vocabulary size (34 words)" --vocab 34
fi
