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
# Run inside $T: eval writes attention_heatmap.png into the current
# directory, which must not be the source tree.
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
LIB=$(cd "$(dirname "$0")" && pwd)/checks.sh
MAN=$(cd "$(dirname "$MAN")" && pwd)/$(basename "$MAN")
cd "$T"

. "$LIB"
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
    [train]="epochs batch embed hidden layers dropout lr tf clip seed device attention data out threads quiet model"
    [eval]="model examples data seed device threads heatmap no-heatmap sentence test oracle-length"
    [reverse]="model device threads png"
    [analyze]="model out baseline device threads"
    [compare]="png device threads"
)
for cmd in train eval reverse analyze compare; do
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

# train --model continues a run from a checkpoint, as the UI's --model does.
cp -r "$T/run" "$T/more"
run "$BIN" train --model "$T/more/last.ckpt" --epochs 2 --out "$T/more"
check "train --model: continues from the checkpoint's epoch" test "$rc" -eq 0 -a \
    -n "$(grep -E '^Continuing from .*last.ckpt \(epoch 2' "$T/out" || true)" -a \
    -n "$(grep -E '^Epoch 03/04 ' "$T/out" || true)" -a -n "$(grep -E '^Epoch 04/04 ' "$T/out" || true)"
check "train --model: history.csv keeps epochs 1-2 and adds 3-4" test \
    "$(cut -d, -f1 "$T/more/history.csv" | tr '\n' ' ')" = "epoch 1 2 3 4 " -a \
    "$(head -3 "$T/more/history.csv" | cut -d, -f1-3)" = "$(head -3 "$T/run/history.csv" | cut -d, -f1-3)"
run "$BIN" train --model "$T/nothing.ckpt" --epochs 1 --out "$T/more"
check "train --model with a missing file: exit 1, names it" test "$rc" -eq 1 -a \
    -n "$(grep 'nothing.ckpt' "$T/err" || true)"

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

# eval --test FILE: every line of FILE; --oracle-length: no <EOS> before n words.
printf 'the cat sat\nbig red fish eats\n\nold car\n' >"$T/mytest.txt"
run "$BIN" eval --model "$MODEL" --test "$T/mytest.txt" --no-heatmap --examples 3
check "eval --test FILE: its 3 sentences" test "$rc" -eq 0 -a \
    -n "$(grep -E '^Test set: .*mytest.txt, 3 sentences' "$T/out" || true)" -a \
    -n "$(grep -E '^Exact Match Accuracy: [0-9.]+% \([0-9]+/3\)$' "$T/out" || true)"
run "$BIN" eval --model "$MODEL" --test "$T/mytest.txt" --no-heatmap --oracle-length
check "eval --oracle-length: says so, no output shorter than its input" test "$rc" -eq 0 -a \
    -n "$(grep '^Oracle length' "$T/out" || true)" -a \
    "$(awk '/^  Input:/{n=NF-1} /^  Output:/{if (NF-1 < n) bad++} END{print bad+0}' "$T/out")" -eq 0
run "$BIN" eval --model "$MODEL" --test "$T/nothing.txt"
check "eval --test with a missing file: exit 1, names it" test "$rc" -eq 1 -a \
    -n "$(grep 'nothing.txt' "$T/err" || true)"

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

# Long input: up to 1000 words decode (one line out); 1001 is an error that names the limit.
awk 'BEGIN { for (i = 0; i < 300; i++) printf "%s%s", (i ? " " : ""), (i % 2 ? "cat" : "the"); print "" }' >"$T/w300.txt"
run_in "$T/w300.txt" "$BIN" reverse --model "$MODEL"
check "reverse: a 300-word sentence gives one line" test "$rc" -eq 0 -a "$(lines_out)" -eq 1
awk 'BEGIN { for (i = 0; i < 1001; i++) printf "%s%s", (i ? " " : ""), "the"; print "" }' >"$T/w1001.txt"
run_in "$T/w1001.txt" "$BIN" reverse --model "$MODEL"
check "reverse: 1001 words is an error naming the limit (1000)" test "$rc" -eq 1 -a \
    -n "$(grep 'more than 1000 words' "$T/err" || true)"

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

# ----------------------------------------------------------------- figures
# png_size FILE: "WIDTH HEIGHT" from the IHDR chunk, or nothing if FILE does
# not start with the PNG signature.
png_size() {
    [ -s "$1" ] || return 0
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || return 0
    od -An -tu1 -j 16 -N 8 "$1" |
        awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }'
}
# png_ok FILE: a PNG of a figure's size (200x150 to 4000x4000 pixels).
png_ok() {
    local s
    s=$(png_size "$1")
    [ -n "$s" ] || return 1
    set -- $s
    [ "$1" -ge 200 ] && [ "$2" -ge 150 ] && [ "$1" -le 4000 ] && [ "$2" -le 4000 ]
}

check "train writes loss_curve.png (a PNG of a sane size)" png_ok "$T/run/loss_curve.png"
check "interrupted training still leaves loss_curve.png" png_ok "$T/int/loss_curve.png"
run "$BIN" train --epochs 1 "${SMALL[@]}" --out "$T/curve"
check "train names the loss curve" has_out "^Loss curve: $T/curve/loss_curve.png\$"

rm -f "$T/attention_heatmap.png"
run "$BIN" eval --model "$MODEL" --examples 1
check "eval writes attention_heatmap.png in the current directory" png_ok "$T/attention_heatmap.png"
check "eval says where, as the seed does" has_out '^Attention heatmap saved to attention_heatmap.png$'
check "eval: Token Accuracy line" has_out '^Token Accuracy: [0-9]+\.[0-9]{2}% \([0-9]+/[0-9]+\)$'
check "eval: exact match by length, lengths 3 to 10" test \
    "$(grep -Ec '^ +([3-9]|10) +[0-9]+ +[0-9]+\.[0-9]{2}% \([0-9]+/[0-9]+\)$' "$T/out")" -eq 8
check "eval: the by-length counts add up to the test set" test \
    "$(grep -E '^ +([3-9]|10) +[0-9]+ +[0-9.]+%' "$T/out" | awk '{ s += $2 } END { print s }')" -eq 1000
run "$BIN" eval --model "$MODEL" --examples 0 --heatmap "$T/h.png"
check "eval --heatmap FILE" png_ok "$T/h.png"
run "$BIN" eval --model "$MODEL" --examples 0 --heatmap "$T/s3.png" --sentence "the cat sat"
check "eval --sentence (3 words)" png_ok "$T/s3.png"
run "$BIN" eval --model "$MODEL" --examples 0 --heatmap "$T/s10.png" \
    --sentence "the quick brown fox jumps over the lazy dog again"
check "eval --sentence (10 words)" png_ok "$T/s10.png"
read -r w3 h3 <<<"$(png_size "$T/s3.png")"
read -r w10 h10 <<<"$(png_size "$T/s10.png")"
check "the heatmap grows with the sentence (${w3}x$h3 < ${w10}x$h10)" test "$w10" -gt "$w3" -a "$h10" -gt "$h3"
rm -f "$T/attention_heatmap.png"
run "$BIN" eval --model "$MODEL" --examples 0 --no-heatmap
check "eval --no-heatmap writes none" test "$rc" -eq 0 -a ! -e "$T/attention_heatmap.png" -a \
    -z "$(grep 'heatmap saved' "$T/out" || true)"
usage_error "eval --sentence with --no-heatmap" "$BIN" eval --model "$MODEL" --no-heatmap --sentence "the cat"
usage_error "eval --sentence '' (empty)" "$BIN" eval --model "$MODEL" --sentence ""
run "$BIN" eval --model "$MODEL" --examples 0 --heatmap /nonexistent/dir/h.png
check "eval --heatmap into a missing directory: exit 1, names the file" test "$rc" -eq 1 -a \
    -n "$(grep 'cannot write /nonexistent/dir/h.png: No such file or directory' "$T/err" || true)"
mkdir -p "$T/adir"
run "$BIN" eval --model "$MODEL" --examples 0 --heatmap "$T/adir"
check "eval --heatmap DIRECTORY: exit 1, says so" test "$rc" -eq 1 -a \
    -n "$(grep 'Is a directory' "$T/err" || true)"

run "$BIN" reverse --model "$MODEL" --png "$T/r.png" "the cat sat"
check "reverse --png: one line on stdout and the PNG" test "$rc" -eq 0 -a "$(lines_out)" -eq 1
check "reverse --png writes a PNG" png_ok "$T/r.png"
run_in "$T/three.txt" "$BIN" reverse --model "$MODEL" --png "$T/many.png"
check "reverse --png, 3 stdin lines: 3 lines, many-1/2/3.png" test "$rc" -eq 0 -a "$(lines_out)" -eq 3
for i in 1 2 3; do check "reverse --png: many-$i.png" png_ok "$T/many-$i.png"; done
check "reverse --png: no unnumbered file for stdin" test ! -e "$T/many.png"
run "$BIN" reverse --model "$MODEL" --png /nonexistent/dir/r.png "the cat sat"
check "reverse --png into a missing directory: exit 1, names the file" test "$rc" -eq 1 -a \
    -n "$(grep '/nonexistent/dir/r.png' "$T/err" || true)"

run "$BIN" train --epochs 1 "${SMALL[@]}" --attention none --out "$T/noatt" --quiet
run "$BIN" eval --model "$T/noatt/best.ckpt" --examples 0 --heatmap "$T/noatt.png"
check "eval of a model without attention: a note, no heatmap" test "$rc" -eq 0 -a \
    ! -e "$T/noatt.png" -a -n "$(grep 'no attention' "$T/err" || true)"
run "$BIN" reverse --model "$T/noatt/best.ckpt" --png "$T/noatt.png" "the cat sat"
check "reverse --png without attention: exit 1, says why" test "$rc" -eq 1 -a \
    -n "$(grep 'no attention' "$T/err" || true)"
check "no temporary files left anywhere" test -z "$(find "$T" -name '*.tmp')"

# ---------------------------------------------------------- analyze, compare
# A small model that reverses about half the test set in a few seconds, so
# the attention statistics have sentences to work on.
run "$BIN" train --epochs 3 --embed 32 --hidden 64 --layers 1 --batch 32 --lr 1e-2 --device cpu \
    --out "$T/an" --quiet
check "train a small model for analyze" test "$rc" -eq 0 -a -s "$T/an/best.ckpt"
AN=$T/an/best.ckpt
run "$BIN" analyze --model "$AN" --out "$T/analysis.md" --device cpu
check "analyze exits 0 and says where it wrote" test "$rc" -eq 0 -a \
    -n "$(grep "^Analysis written to $T/analysis.md\$" "$T/out" || true)"
check "analyze writes analysis.md" test -s "$T/analysis.md"
for q in "1. What patterns do you observe in the attention weights?" \
    "2. Does the attention align input and output tokens correctly?" \
    "3. How does attention help the model learn to reverse sequences?" \
    "4. What happens at the beginning and end of sequences?"; do
    check "analysis.md: heading '$q'" grep -qxF "### $q" "$T/analysis.md"
    # the answer (up to the next heading) quotes measured figures
    body=$(awk -v h="### $q" '$0 == h { on = 1; next } /^#/ { on = 0 } on' "$T/analysis.md")
    check "analysis.md: answer ${q%%.*} cites numbers" \
        test "$(printf '%s\n' "$body" | grep -Eo '[0-9]+\.[0-9]+%?' | wc -l)" -ge 2
done
check "analysis.md: the oracle-length table, a row per length set" test \
    "$(sed -n '/^### Stopping or alignment/,/^#/p' "$T/analysis.md" | grep -Ec '^\| (3-10|11-15|16-30|31-50) words \| [0-9.]+% \([0-9]+/1000\) \| [0-9.]+% \([0-9]+/1000\) \| [-+][0-9.]+ \|$')" -eq 4
check "analysis.md: the test exact match in the header" \
    grep -Eq '^- \*\*Test exact match: [0-9]+\.[0-9]% \([0-9]+/1000\)\*\*' "$T/analysis.md"
check "analysis.md: exact match for every length 3 to 15, then by five lengths to 50" test \
    "$(grep -Ec '^\| ([3-9]|1[0-5]|(16|21|26|31|36|41|46)-(20|25|30|35|40|45|50)) \| (test|never trained) \| [0-9]+ \| [0-9.]+% \([0-9]+/[0-9]+\) \|$' "$T/analysis.md")" -eq 20
check "analysis.md: totals of the four length sets and the two with unseen words" test \
    "$(grep -Ec '^\| \*\*(3-10|11-15|16-30|31-50)\*\* \| (test|never trained|one unseen word|unseen words only) \| 1000 \| \*\*[0-9.]+% \([0-9]+/1000\)\*\* \|$' "$T/analysis.md")" -eq 6
check "analysis.md: attention statistics for each of the six sets" test \
    "$(grep -Ec '^\| (3-10|11-15|16-30|31-50) \| (test|never trained|one unseen word|unseen words only) \| [0-9.]+% \([0-9]+/1000\) \| [0-9]+ \|' "$T/analysis.md")" -eq 6
check "analysis.md: wrong outputs of every set" test \
    "$(grep -c '^- \*\*Wrong outputs, ' "$T/analysis.md")" -eq 6
check "analysis.md: the offset table has a word-steps row" \
    grep -Eq '^\| \*\*word steps\*\* \| [0-9]+ \|' "$T/analysis.md"
check "analysis.md: says how many sentences were left out" \
    grep -Eq '(The other [0-9]+ (is|are)|None is) left out' "$T/analysis.md"
check "analysis.md: no comparison without --baseline" grep -q 'makes no comparison' "$T/analysis.md"
check "analysis.md: <EOS> always in code spans (Markdown would hide a bare tag)" \
    test -z "$(sed 's/`[^`]*`//g' "$T/analysis.md" | grep '<EOS>' || true)"
rm -f "$T/analysis.md"
run "$BIN" analyze --model "$AN" --baseline "$T/noatt/best.ckpt" --device cpu
check "analyze --baseline: exit 0, analysis.md in the current directory" test "$rc" -eq 0 -a \
    -s "$T/analysis.md"
check "analyze --baseline: a baseline column and the comparison" test \
    -n "$(grep "baseline's exact match" "$T/analysis.md" || true)" -a \
    -n "$(grep 'Compared with the model without attention' "$T/analysis.md" || true)"
run "$BIN" analyze --model "$T/noatt/best.ckpt" --out "$T/x.md" --device cpu
check "analyze of a model without attention: exit 1, says why" test "$rc" -eq 1 -a \
    -n "$(grep 'no attention' "$T/err" || true)" -a ! -e "$T/x.md"
run "$BIN" analyze --model "$T/none.ckpt"
check "analyze without a model: exit 1, 'cannot open'" test "$rc" -eq 1 -a \
    -n "$(grep 'cannot open' "$T/err" || true)"
run "$BIN" analyze --model "$AN" --out /nonexistent/dir/a.md --device cpu
check "analyze --out into a missing directory: exit 1, names the file" test "$rc" -eq 1 -a \
    -n "$(grep '/nonexistent/dir/a.md' "$T/err" || true)"
usage_error "analyze with a stray argument" "$BIN" analyze oops

# A location model's attention has a start-marker column before the words:
# the position statistics skip it and its weight is reported on its own.
run "$BIN" train --attention location --epochs 2 --embed 32 --hidden 64 --layers 1 --lr 3e-3 \
    --device cpu --out "$T/loc" --quiet
run "$BIN" analyze --model "$T/loc/best.ckpt" --out "$T/loc.md" --device cpu
check "analyze of a location model: exit 0, says it skips the start marker" test "$rc" -eq 0 -a \
    -n "$(grep 'also sees a start marker' "$T/loc.md" || true)"
check "analyze of a location model: the marker's weight at the <EOS> step, per set" test \
    "$(grep -Ec '^\| (3-10|11-15|16-30|31-50) \| .* \| ([0-9]\.[0-9]{3}|-) \| ([0-9]\.[0-9]{3}|-) \| ([0-9.]+%|-) \|$' "$T/loc.md")" -eq 6 -a \
    -n "$(grep -F 'marker weight, `<EOS>` step' "$T/loc.md" || true)"

run "$BIN" compare "$AN" "$T/noatt/best.ckpt" --png "$T/acc.png" --device cpu
check "compare exits 0" test "$rc" -eq 0
check "compare: a table row for every length 3 to 15, then by five lengths to 50" test \
    "$(grep -Ec '^\| ([3-9]|1[0-5]|(16|21|26|31|36|41|46)-(20|25|30|35|40|45|50)) \| [0-9]+ \| [0-9.]+% \| [0-9.]+% \|$' "$T/out")" -eq 20
check "compare: columns named by attention" grep -Eq '^\| words \| sentences \| bahdanau \| none \|$' "$T/out"
check "compare: totals for 3-10, 11-15, 16-30 and 31-50" test \
    "$(grep -Ec '^\| \*\*(3-10|11-15|16-30|31-50)\*\* \| 1000 \|' "$T/out")" -eq 4
check "compare: rows for one unseen word and unseen words only" test \
    "$(grep -Ec '^\| \*\*3-10, (one unseen word|unseen words only)\*\* \| 1000 \|' "$T/out")" -eq 2
check "compare: without attention nothing is copied, so no sentence with an unseen word is right" \
    test "$(grep -Ec '^\| \*\*3-10, (one unseen word|unseen words only)\*\* \| 1000 \| \*\*[0-9.]+%\*\* \| \*\*0\.0%\*\* \|$' "$T/out")" -eq 2
check "compare --png writes a PNG" png_ok "$T/acc.png"
run "$BIN" compare "$AN" "$AN" --device cpu
check "compare: the same kind twice is named by file" grep -qF "| $AN | $AN |" "$T/out"
usage_error "compare without models" "$BIN" compare
run "$BIN" compare "$AN" "$T/none.ckpt" --device cpu
check "compare with a missing model: exit 1, 'cannot open'" test "$rc" -eq 1 -a \
    -n "$(grep 'cannot open' "$T/err" || true)"
check "no temporary files left after analyze and compare" test -z "$(find "$T" -name '*.tmp')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
