#!/usr/bin/env bash
# bench_cuda.sh — the GPU beside PyTorch on the same GPU, for the seed's
# configuration (E128 H256 L2, dropout 0.1, Bahdanau attention, 8000
# training sentences) at batch 64 and batch 512.
#
#   tests/bench_cuda.sh              (from anywhere; it works in the repository root)
#   EPOCHS=5 BATCHES="64 256" tests/bench_cuda.sh
#   BENCH=build/tests/bench PEER=/path/to/seed_reference.py tests/bench_cuda.sh
#
# Ours: `build/tests/bench --device cuda --batch B --epochs $EPOCHS` (the
# median epoch, tokens/s, the step taken apart into launches and GPU time,
# one-sentence latency). The reference: seed_reference.py (../shared/peers/
# beside the repository) imported as a module and its own train_epoch timed
# the same way, in its --fixed variant (the encoder packs the padded batch,
# so padding is masked as in ours); it runs only where `python3` has PyTorch
# with CUDA. Without a GPU this prints "SKIP: no GPU" and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

EPOCHS=${EPOCHS:-5}
BATCHES=${BATCHES:-"64 512"}
PEER=${PEER:-../shared/peers/seed_reference.py}
PYTHON=${PYTHON:-python3}

if ! { nvidia-smi -L 2>/dev/null | grep -q '^GPU '; } && [ ! -e /dev/nvidia0 ]; then
    echo "SKIP: no GPU"
    exit 0
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

if [ -z "${BENCH:-}" ]; then
    echo "== build (CUDA=1)"
    make --no-print-directory CUDA=1 build/tests/bench >/dev/null
    BENCH=build/tests/bench
fi

declare -A OURS OURS_TPS PEERS PEERS_TPS
for B in $BATCHES; do
    echo "== ours: --device cuda --batch $B --epochs $EPOCHS"
    "$BENCH" --device cuda --batch "$B" --epochs "$EPOCHS" | tee "/tmp/bench_cuda.$$"
    if grep -q '^SKIP' "/tmp/bench_cuda.$$"; then # a build without CUDA, or an unusable GPU
        rm -f "/tmp/bench_cuda.$$"
        exit 0
    fi
    line=$(grep '^SUMMARY' "/tmp/bench_cuda.$$")
    rm -f "/tmp/bench_cuda.$$"
    OURS[$B]=$(sed -n 's/.*epoch_s=\([0-9.]*\).*/\1/p' <<<"$line")
    OURS_TPS[$B]=$(sed -n 's/.*tokens_s=\([0-9.]*\).*/\1/p' <<<"$line")
done

HAVE_PEER=0
if [ -f "$PEER" ] && "$PYTHON" -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
    HAVE_PEER=1
    for B in $BATCHES; do
        echo "== PyTorch reference (--fixed): --epochs $EPOCHS --batch $B"
        read -r PEERS[$B] PEERS_TPS[$B] < <("$PYTHON" - "$PEER" "$B" "$EPOCHS" <<'PY'
# Imports seed_reference.py as a module (its main() has batch 64 built in)
# and times its own train_epoch on the GPU, as main() does.
import importlib.util, os, statistics, sys, time, types
path, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
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
sys.argv = ["seed_reference.py", "--fixed"]
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
data = S.prepare_data(ds, v)
tokens = sum(len(t) - 1 for _, t in data)  # target tokens predicted per epoch
loader = DataLoader(data, batch_size=batch, shuffle=True, collate_fn=S.collate_fn)
model = S.Seq2SeqWithAttention(S.Encoder(v.word_count, 128, 256, 2, 0.1),
                               S.Decoder(v.word_count, 128, 256, 2, 0.1)).to(S.device)
opt = S.AdamOptimizer(model.parameters(), lr=0.001)
times = []
for e in range(epochs):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    S.train_epoch(model, loader, opt, S.device, 0.5)
    torch.cuda.synchronize()
    times.append(time.perf_counter() - t0)
    print(f"  epoch {e + 1}: {times[-1]:.3f} s", file=sys.stderr)
m = statistics.median(times)
print(f"{m:.3f} {tokens / m:.0f}")
PY
)
        echo "   median train s/epoch: ${PEERS[$B]}"
    done
else
    echo "== PyTorch reference skipped (no $PEER, or no PyTorch with CUDA for $PYTHON)"
fi

echo
echo "== seconds per training epoch (median of $EPOCHS), GPU"
printf "%-6s %10s %12s %10s %12s %9s\n" batch ours tokens/s pytorch tokens/s speed-up
for B in $BATCHES; do
    if [ "$HAVE_PEER" = 1 ]; then
        printf "%-6s %10s %12s %10s %12s %8.1fx\n" "$B" "${OURS[$B]}" "${OURS_TPS[$B]}" \
            "${PEERS[$B]}" "${PEERS_TPS[$B]}" \
            "$(awk -v p="${PEERS[$B]}" -v o="${OURS[$B]}" 'BEGIN { print (o > 0 ? p / o : 0) }')"
    else
        printf "%-6s %10s %12s %10s %12s %9s\n" "$B" "${OURS[$B]}" "${OURS_TPS[$B]}" - - -
    fi
done
