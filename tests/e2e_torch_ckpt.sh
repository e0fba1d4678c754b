#!/usr/bin/env bash
# e2e_torch_ckpt.sh — a model trained here loads into the seed's PyTorch network
# and predicts the same, and a PyTorch model saved with tests/ref/ckpt.py loads
# here and predicts the same (tests/ref/check_both_ways.py does the comparing):
# reversal models in format version 1, and a model with separate source and
# target vocabularies in format version 2, written by PyTorch, read here, written
# back here and read by PyTorch again with bit-identical weights.
#
# Needs PyTorch; without it this prints "SKIP: python3-torch not installed" and
# exits 0 (CI has no torch; the committed parity fixture covers the numerics).
# Run from the repository root: BIN=build/seq2seq bash tests/e2e_torch_ckpt.sh
set -euo pipefail

BIN=${BIN:-build/seq2seq}
HERE=$(cd "$(dirname "$0")" && pwd)

# The first interpreter with torch and numpy: $PYTHON, python3, then Debian's
# (a pyenv python3 earlier on PATH often lacks the distribution's packages).
PY=
for c in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c "import torch, numpy" >/dev/null 2>&1; then
        PY=$c
        break
    fi
done
if [ -z "$PY" ]; then
    echo "SKIP: python3-torch not installed"
    exit 0
fi
[ -x "$BIN" ] || { echo "e2e_torch_ckpt: $BIN not built (make first)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/s2s_torch_ckpt.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# A small model, one epoch on the CPU: seconds, and far enough from random that
# its outputs are varied (partly right, partly wrong) — a sharper comparison.
"$BIN" train --epochs 1 --embed 32 --hidden 64 --layers 2 --lr 5e-3 --device cpu --threads 1 \
    --quiet --out "$WORK/run"
[ -f "$WORK/run/best.ckpt" ] || { echo "e2e_torch_ckpt: train wrote no best.ckpt" >&2; exit 1; }

"$PY" "$HERE/ref/check_both_ways.py" --bin "$BIN" --device cpu --workdir "$WORK/torch" \
    "$WORK/run/best.ckpt"
