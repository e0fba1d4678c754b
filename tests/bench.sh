#!/usr/bin/env bash
# bench.sh — `make bench`: our CPU training beside the seed's PyTorch
# reference (../shared/peers/seed_reference.py, padding fixed) on this
# machine, in one run, as ratios, with the CPU (model, vector extensions)
# and OpenBLAS's kernel family printed beside them. PyTorch is skipped with
# a note when python3-torch is not installed.
#   BENCH_EPOCHS (3)  our epochs to take the median of
#   PEER_EPOCHS  (3)  PyTorch epochs to take the median of (about 20 s each on 2 cores)
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
    machine
    exit 0
fi
echo
echo "== PyTorch reference ($PEER --fixed, --threads 1, OPENBLAS_NUM_THREADS=2 as its README runs it)"
OPENBLAS_NUM_THREADS=2 "$PY" "$PEER" --fixed --threads 1 --epochs "${PEER_EPOCHS:-3}" --out "$OUT/peer" \
    | grep -E "^Epoch|SUMMARY|torch " | tee "$OUT/peer.txt"
peer=$(sed -n 's/.*median_train=\([0-9.]*\)s.*/\1/p' "$OUT/peer.txt")
echo
awk -v o="$ours" -v p="$peer" 'BEGIN {
    printf "train epoch: seq2seq %.2f s, PyTorch %.2f s -> seq2seq is %.1fx faster\n", o, p, p / o }'
machine
