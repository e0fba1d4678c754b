#!/usr/bin/env bash
# bench_cuda.sh — seconds per training epoch on the GPU, ours beside the
# PyTorch reference, for the seed's configuration (E128 H256 L2, dropout 0.1,
# Bahdanau attention, 8000 training sentences) at batch 64 and batch 512.
#
#   tests/bench_cuda.sh              (from anywhere; it works in the repository root)
#   EPOCHS=5 BATCHES="64 256" tests/bench_cuda.sh
#   PEER=/path/to/seed_reference.py tests/bench_cuda.sh
#
# Ours: `seq2seq train --device cuda --epochs $EPOCHS --batch B`, the median of
# the per-epoch training seconds in the run's history.csv. The reference:
# seed_reference.py (../shared/peers/ beside the repository) imported as a
# module and its own train_epoch timed the same way, in its --fixed variant
# (the encoder packs the padded batch, so padding is masked as in ours); it
# runs only where `python3` has PyTorch with CUDA. Without a GPU this prints
# "SKIP: no GPU" and exits 0; a GPU that our build cannot use is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

EPOCHS=${EPOCHS:-3}
BATCHES=${BATCHES:-"64 512"}
PEER=${PEER:-../shared/peers/seed_reference.py}
PYTHON=${PYTHON:-python3}

if ! { nvidia-smi -L 2>/dev/null | grep -q '^GPU '; } && [ ! -e /dev/nvidia0 ]; then
    echo "SKIP: no GPU"
    exit 0
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

echo "== build (CUDA=1)"
make --no-print-directory CUDA=1 build/seq2seq >/dev/null
BIN=build/seq2seq
OUT=$(mktemp -d "${TMPDIR:-/tmp}/bench_cuda.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

# Median of the `seconds` column (4th) of a history.csv.
median_seconds() {
    tail -n +2 "$1" | cut -d, -f4 | sort -g | awk '{a[NR] = $1} END {
        if (NR == 0) exit 1
        if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

declare -A OURS PEERS
for B in $BATCHES; do
    echo "== ours: --device cuda --epochs $EPOCHS --batch $B"
    if ! "$BIN" train --device cuda --epochs "$EPOCHS" --batch "$B" --quiet --out "$OUT/ours$B"; then
        echo "bench_cuda: training on the GPU failed (batch $B)" >&2
        exit 1
    fi
    OURS[$B]=$(median_seconds "$OUT/ours$B/history.csv")
    echo "   median train s/epoch: ${OURS[$B]}"
done

HAVE_PEER=0
if [ -f "$PEER" ] && "$PYTHON" -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
    HAVE_PEER=1
    for B in $BATCHES; do
        echo "== PyTorch reference (--fixed): --epochs $EPOCHS --batch $B"
        PEERS[$B]=$("$PYTHON" - "$PEER" "$B" "$EPOCHS" "$OUT/peer" <<'PY'
# Imports seed_reference.py as a module (its main() has batch 64 built in)
# and times its own train_epoch on the GPU, as main() does.
import importlib.util, os, statistics, sys, time, types
path, batch, epochs, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
# Plotting is only used after training; stub it where it is not installed.
for name in ("matplotlib", "matplotlib.pyplot", "seaborn"):
    try:
        __import__(name)
    except ImportError:
        stub = types.ModuleType(name)
        stub.use = lambda *a, **k: None
        sys.modules[name] = stub
        if name == "matplotlib.pyplot":
            sys.modules["matplotlib"].pyplot = stub
sys.argv = ["seed_reference.py", "--fixed", "--out", out]
spec = importlib.util.spec_from_file_location("seed_reference", path)
S = importlib.util.module_from_spec(spec)
sys.stdout, real = open(os.devnull, "w"), sys.stdout  # its import prints the device
spec.loader.exec_module(S)
sys.stdout = real
import torch
from torch.utils.data import DataLoader
ds = S.create_dataset(num_samples=8000, min_len=3, max_len=10)
v = S.Vocabulary()
for a, b in ds:
    v.add_sentence(a)
    v.add_sentence(b)
loader = DataLoader(S.prepare_data(ds, v), batch_size=batch, shuffle=True, collate_fn=S.collate_fn)
model = S.Seq2SeqWithAttention(S.Encoder(v.word_count, 128, 256, 2, 0.1),
                               S.Decoder(v.word_count, 128, 256, 2, 0.1)).to(S.device)
opt = S.AdamOptimizer(model.parameters(), lr=0.001)
times = []
for _ in range(epochs):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    S.train_epoch(model, loader, opt, S.device, 0.5)
    torch.cuda.synchronize()
    times.append(time.perf_counter() - t0)
print(f"{statistics.median(times):.3f}")
PY
)
        echo "   median train s/epoch: ${PEERS[$B]}"
    done
else
    echo "== PyTorch reference skipped (no $PEER, or no PyTorch with CUDA for $PYTHON)"
fi

echo
echo "== seconds per training epoch (median of $EPOCHS), GPU"
printf "%-8s %12s %12s %10s\n" batch ours pytorch speed-up
for B in $BATCHES; do
    if [ "$HAVE_PEER" = 1 ]; then
        printf "%-8s %12s %12s %9.2fx\n" "$B" "${OURS[$B]}" "${PEERS[$B]}" \
            "$(awk -v p="${PEERS[$B]}" -v o="${OURS[$B]}" 'BEGIN { print (o > 0 ? p / o : 0) }')"
    else
        printf "%-8s %12s %12s %10s\n" "$B" "${OURS[$B]}" "-" "-"
    fi
done
