#!/usr/bin/env bash
# e2e_cli.sh — the command line end to end: help and the man page, usage
# errors, a tiny training run, eval's report, reverse (arguments and stdin),
# corrupt checkpoints and Ctrl-C during training.
#
#   BIN=build/seq2seq bash tests/e2e_cli.sh
#
# Prints one line per check and "N passed, M failed" last; exits 1 if any failed.
set -euo pipefail

BIN=${BIN:-build/seq2seq}
MAN=${MAN:-man/seq2seq.1}
T=$(mktemp -d)
BGPID=
cleanup() {
    if [ -n "$BGPID" ]; then kill "$BGPID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT

if [ ! -x "$BIN" ]; then
    echo "e2e_cli: $BIN is not an executable (build it with make)" >&2
    exit 1
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" | head -n 15 | sed 's/^/     | /'; fi
}
# check NAME CMD...: passes when CMD succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name" "$(tail -n 5 "$T/err" 2>/dev/null || true)"; fi
}
# run CMD...: stdout in $T/out, stderr in $T/err, exit status in $rc.
run() {
    set +e
    "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    set -e
}
# run_in FILE CMD...: as run, with stdin from FILE.
run_in() {
    local in=$1
    shift
    set +e
    "$@" >"$T/out" 2>"$T/err" <"$in"
    rc=$?
    set -e
}
has_out() { grep -Eq -- "$1" "$T/out"; }
has_err() { grep -Eq -- "$1" "$T/err"; }
lines_out() { wc -l <"$T/out" | tr -d ' '; }
# usage_error NAME CMD...: exit status 2, a message on stderr, nothing on stdout.
usage_error() {
    local name=$1
    shift
    run "$@"
    if [ "$rc" -eq 2 ] && [ -s "$T/err" ] && [ ! -s "$T/out" ]; then
        ok "$name"
    else
        bad "$name (rc=$rc)" "$(cat "$T/err" "$T/out")"
    fi
}

# ---------------------------------------------------------------- help, man
run "$BIN" --help
check "--help exits 0 and lists the commands" \
    test "$rc" -eq 0 -a -n "$(grep -w train "$T/out" | head -1)" -a \
    -n "$(grep -w eval "$T/out" | head -1)" -a -n "$(grep -w reverse "$T/out" | head -1)"

run "$BIN"
check "bare seq2seq prints the usage, exit 0" test "$rc" -eq 0 -a -n "$(grep Usage "$T/out" || true)"

declare -A OPTS=(
    [train]="epochs batch embed hidden layers dropout lr tf clip seed device attention data out threads quiet"
    [eval]="model examples data seed device threads"
    [reverse]="model device threads"
)
for cmd in train eval reverse; do
    run "$BIN" "$cmd" --help
    missing=""
    for o in ${OPTS[$cmd]}; do grep -q -- "--$o\\b" "$T/out" || missing="$missing --$o"; done
    check "$cmd --help exits 0 and names every option${missing:+ (missing:$missing)}" \
        test "$rc" -eq 0 -a -z "$missing"
    cp "$T/out" "$T/help.$cmd"
done

# Every option any help prints is in the man page.
missing=""
for o in $(cat "$T"/help.* | grep -Eo -- '--[a-z][a-z-]*' | sort -u); do
    man_form=$(printf '%s' "$o" | sed 's/-/\\-/g')
    grep -qF -- "$man_form" "$MAN" || grep -q -- "$o" "$MAN" || missing="$missing $o"
done
check "every option in --help is in $MAN${missing:+ (missing:$missing)}" test -z "$missing"

# The man page's OPTIONS section is the one the option table generates.
run "$BIN" --man-options
sed -n '/^\.\\" BEGIN OPTIONS/,/^\.\\" END OPTIONS/p' "$MAN" | sed '1d;$d' >"$T/man.opts"
if cmp -s "$T/out" "$T/man.opts"; then
    ok "man page OPTIONS = seq2seq --man-options"
else
    bad "man page OPTIONS = seq2seq --man-options (regenerate it)" "$(diff "$T/man.opts" "$T/out" || true)"
fi

if command -v man >/dev/null 2>&1; then
    set +e
    MANWIDTH=80 man -l "$MAN" >"$T/out" 2>"$T/err"
    rc=$?
    set -e
    check "man -l renders the page" test "$rc" -eq 0 -a -n "$(grep 'EXIT STATUS' "$T/out" || true)"
fi

run "$BIN" --version
check "--version: version, BLAS, CUDA" test "$rc" -eq 0 -a \
    "$(head -n 1 "$T/out")" = "seq2seq 0.1.0" -a -n "$(grep '^BLAS: ' "$T/out" || true)" -a \
    -n "$(grep '^CUDA: ' "$T/out" || true)"

# ------------------------------------------------------------ usage errors
usage_error "unknown command" "$BIN" frobnicate
usage_error "unknown top-level option" "$BIN" --frobnicate
run "$BIN" train --foo
check "unknown option: exit 2 and the message" test "$rc" -eq 2 -a \
    "$(cat "$T/err")" = "seq2seq train: unknown option '--foo' (see 'seq2seq train --help')"
usage_error "option of another command (eval --epochs)" "$BIN" eval --epochs 3
usage_error "missing value (--epochs at the end)" "$BIN" train --epochs
check "missing value says so" has_err "needs a value"
usage_error "missing value (--out followed by an option)" "$BIN" train --out --epochs 3
usage_error "not a number (--epochs abc)" "$BIN" train --epochs abc
usage_error "trailing junk (--batch=64x)" "$BIN" train --batch=64x
usage_error "out of range (--epochs 0)" "$BIN" train --epochs 0
usage_error "out of range (--layers 9)" "$BIN" train --layers 9
usage_error "out of range (--hidden 5000)" "$BIN" train --hidden 5000
usage_error "out of range (--dropout 1)" "$BIN" train --dropout 1
usage_error "out of range (--lr 0)" "$BIN" train --lr 0
usage_error "out of range (--tf 1.5)" "$BIN" train --tf 1.5
usage_error "out of range (--clip -1)" "$BIN" train --clip=-1
usage_error "not a number (--lr nan)" "$BIN" train --lr nan
usage_error "negative seed" "$BIN" train --seed -1
usage_error "bad choice (--device gpu)" "$BIN" train --device gpu
usage_error "bad choice (--attention=dot)" "$BIN" train --attention=dot
usage_error "flag with a value (--quiet=1)" "$BIN" train --quiet=1
usage_error "stray argument to train" "$BIN" train oops
usage_error "empty sentence" "$BIN" reverse --model "$T/none.ckpt" ""
check "empty sentence says so" has_err "empty sentence"

# ------------------------------------------------------------ missing model
run "$BIN" eval --model "$T/none.ckpt"
check "eval without a model: exit 1, 'cannot open'" test "$rc" -eq 1 -a \
    -n "$(grep 'cannot open' "$T/err" || true)"
run "$BIN" reverse --model "$T/none.ckpt" "the cat sat"
check "reverse without a model: exit 1, 'cannot open'" test "$rc" -eq 1 -a \
    -n "$(grep 'cannot open' "$T/err" || true)" -a ! -s "$T/out"

if grep -q '^CUDA: not compiled in' <("$BIN" --version); then
    run "$BIN" train --device cuda --epochs 1 --out "$T/nocuda"
    check "--device cuda without CUDA: exit 1, says why, creates nothing" test "$rc" -eq 1 -a \
        -n "$(grep 'no CUDA' "$T/err" || true)" -a ! -e "$T/nocuda"
fi

touch "$T/afile"
run "$BIN" train --epochs 1 --out "$T/afile/run"
check "train into an unusable --out: exit 1 with a message" test "$rc" -eq 1 -a -s "$T/err"

# ------------------------------------------------------------------ train
SMALL=(--embed 16 --hidden 32 --layers 1 --batch 32 --device cpu)
run "$BIN" train --epochs=2 "${SMALL[@]}" --out "$T/run"
check "tiny training run exits 0" test "$rc" -eq 0
check "prints the vocabulary size" has_out '^Vocabulary size: 38$'
check "epoch 1 line in the seed's format" has_out '^Epoch 01/02 \| Train Loss: [0-9.]+ \| Val Loss: [0-9.]+$'
check "epoch 2 line in the seed's format" has_out '^Epoch 02/02 \| Train Loss: [0-9.]+ \| Val Loss: [0-9.]+$'
check "best model line" has_out '^ → Best model saved \(val_loss: [0-9.]+\)$'
check "Training completed!" has_out '^Training completed!$'
for f in best.ckpt last.ckpt history.csv; do check "writes $f" test -s "$T/run/$f"; done
check "history.csv: a header and 2 rows" test "$(wc -l <"$T/run/history.csv" | tr -d ' ')" -eq 3
MODEL=$T/run/best.ckpt

# ------------------------------------------------------------------- eval
run "$BIN" eval --model "$MODEL"
check "eval exits 0" test "$rc" -eq 0
check "QUALITATIVE EXAMPLES header" has_out '^QUALITATIVE EXAMPLES$'
check "QUANTITATIVE METRIC header" has_out '^QUANTITATIVE METRIC$'
check "10 examples" test "$(grep -c '^Example [0-9]*:$' "$T/out")" -eq 10
check "Input lines" test "$(grep -Ec '^  Input:     [^ ]' "$T/out")" -eq 10
check "Output lines" test "$(grep -Ec '^  Output:    ' "$T/out")" -eq 10
check "Reference lines" test "$(grep -Ec '^  Reference: [^ ]' "$T/out")" -eq 10
check "Status lines" test "$(grep -Ec '^  Status:    (✓ MATCH|x NO MATCH)$' "$T/out")" -eq 10
check "Exact Match Accuracy line" has_out '^Exact Match Accuracy: [0-9]+\.[0-9]{2}% \([0-9]+/1000\)$'
run "$BIN" eval --model "$MODEL" --examples 3 --seed 42
check "eval --examples 3 shows 3" test "$rc" -eq 0 -a "$(grep -c '^Example [0-9]*:$' "$T/out")" -eq 3

# ---------------------------------------------------------------- reverse
run "$BIN" reverse --model "$MODEL" "the cat sat"
check "reverse \"the cat sat\": one line" test "$rc" -eq 0 -a "$(lines_out)" -eq 1
run "$BIN" reverse --model "$MODEL" the cat sat
check "reverse the cat sat (3 arguments): one line" test "$rc" -eq 0 -a "$(lines_out)" -eq 1
run "$BIN" reverse --model "$MODEL" "the zebra sat"
check "unknown word: one line, a note on stderr" test "$rc" -eq 0 -a "$(lines_out)" -eq 1 -a \
    -n "$(grep 'unknown words: zebra' "$T/err" || true)"
printf 'the cat sat\nbig red fish eats\nold car\n' >"$T/three.txt"
run_in "$T/three.txt" "$BIN" reverse --model "$MODEL"
check "stdin: 3 sentences, 3 lines" test "$rc" -eq 0 -a "$(lines_out)" -eq 3
printf 'the cat sat\n\nold car\n' >"$T/gap.txt"
run_in "$T/gap.txt" "$BIN" reverse --model "$MODEL"
check "stdin: an empty line is rejected by number, the rest reversed" test "$rc" -eq 1 -a \
    "$(lines_out)" -eq 2 -a -n "$(grep 'line 2' "$T/err" || true)"

# --------------------------------------------------------------- --data FILE
for i in $(seq 1 60); do echo "w$((i % 7)) w$((i % 5)) w$((i % 3)) x$((i % 4))"; done >"$T/mine.txt"
run "$BIN" train --data "$T/mine.txt" --epochs 1 "${SMALL[@]}" --out "$T/mine" --quiet
check "train --data --quiet: exit 0, nothing on stdout" test "$rc" -eq 0 -a ! -s "$T/out" -a \
    -s "$T/mine/best.ckpt"
run "$BIN" eval --model "$T/mine/best.ckpt" --data "$T/mine.txt" --examples 2
check "eval --data: its test split" test "$rc" -eq 0 -a \
    -n "$(grep -E '^Exact Match Accuracy: [0-9.]+% \([0-9]+/6\)$' "$T/out" || true)"

# ------------------------------------------------------- corrupt checkpoints
size=$(wc -c <"$MODEL")
# corrupt NAME: the loader must refuse $T/bad.ckpt with exit 1 (not a crash).
corrupt() {
    local name=$1
    run "$BIN" eval --model "$T/bad.ckpt"
    if [ "$rc" -eq 1 ] && [ -s "$T/err" ]; then ok "eval refuses $name"; else
        bad "eval refuses $name (rc=$rc)" "$(cat "$T/err")"
    fi
    run "$BIN" reverse --model "$T/bad.ckpt" "the cat sat"
    if [ "$rc" -eq 1 ] && [ ! -s "$T/out" ]; then ok "reverse refuses $name"; else
        bad "reverse refuses $name (rc=$rc)" "$(cat "$T/err")"
    fi
}
# flip OFFSET: xor one byte of $T/bad.ckpt with 0x5a.
flip() {
    local b
    b=$(od -An -tu1 -j "$1" -N 1 "$T/bad.ckpt" | tr -d ' ')
    printf "\\$(printf '%03o' $((b ^ 0x5a)))" |
        dd of="$T/bad.ckpt" bs=1 seek="$1" conv=notrunc status=none
}
head -c $((size / 2)) "$MODEL" >"$T/bad.ckpt"
corrupt "a truncated checkpoint"
head -c 20 "$MODEL" >"$T/bad.ckpt"
corrupt "a checkpoint cut inside its header"
: >"$T/bad.ckpt"
corrupt "an empty file"
cp "$MODEL" "$T/bad.ckpt" && flip 2
corrupt "a flipped byte in the magic"
cp "$MODEL" "$T/bad.ckpt" && flip 16
corrupt "a flipped byte in the configuration"
cp "$MODEL" "$T/bad.ckpt" && flip $((size / 2))
corrupt "a flipped byte in the tensors"
cp "$MODEL" "$T/bad.ckpt" && flip $((size - 1))
corrupt "a flipped byte in the CRC"
cp "$MODEL" "$T/bad.ckpt" && echo junk >>"$T/bad.ckpt"
corrupt "trailing bytes"

# ------------------------------------------------------------------ Ctrl-C
"$BIN" train --epochs 10000 "${SMALL[@]}" --out "$T/int" >"$T/int.out" 2>"$T/int.err" </dev/null &
BGPID=$!
for _ in $(seq 1 200); do
    if [ -f "$T/int/history.csv" ] && [ "$(wc -l <"$T/int/history.csv")" -ge 2 ]; then break; fi
    sleep 0.1
done
kill -INT "$BGPID"
set +e
wait "$BGPID"
rc=$?
set -e
BGPID=
check "SIGINT during training: exit 130" test "$rc" -eq 130
check "SIGINT: says it was interrupted, best model kept" \
    grep -q 'interrupted: stopped at a batch boundary; best model kept in' "$T/int.err"
run "$BIN" eval --model "$T/int/best.ckpt" --examples 1
check "SIGINT: best.ckpt still loads (eval works)" test "$rc" -eq 0
run "$BIN" eval --model "$T/int/last.ckpt" --examples 1
check "SIGINT: last.ckpt loads too" test "$rc" -eq 0
check "SIGINT: no temporary files left" test -z "$(ls "$T/int" | grep -v -E '^(best\.ckpt|last\.ckpt|history\.csv|loss_curve\.png)$' || true)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
