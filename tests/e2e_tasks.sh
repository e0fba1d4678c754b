#!/usr/bin/env bash
# e2e_tasks.sh — tasks other than reversal, end to end: a model trained on
# pairs of one's own (a TSV file), bad TSV lines named by file and line,
# --skip-bad, the built-in tasks' data, `predict`, `--attention-out` read
# back as JSON, `eval --test` on pairs, and `reverse` refusing another task.
#
#   BIN=build/seq2seq bash tests/e2e_tasks.sh
#
# Prints one line per check and "N passed, M failed" last; exits 1 if any failed.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/tests/checks.sh"
checks_start e2e_tasks

# A small model, quick to train on two cores.
SMALL=(--embed 32 --hidden 64 --layers 1 --device cpu --threads 1 --quiet)

# ---- pairs: numbers in words -> digits, a task of one's own ----
python3 "$SRC/docs/examples/numbers.py" 1500 7 >num.tsv
run "$BIN" train --pairs num.tsv --epochs 4 "${SMALL[@]}" --out pairs
check "train --pairs: exit 0" test "$rc" -eq 0
check "train --pairs: best.ckpt written" test -s pairs/best.ckpt
run "$BIN" train --pairs num.tsv --epochs 1 --device cpu --threads 1 --embed 8 --hidden 8 \
    --layers 1 --out pairs-say
check "train --pairs says the data and both vocabularies" test "$rc" -eq 0 -a \
    -n "$(grep -E '^Data: num.tsv \(1200 train / 150 val / 150 test pairs\)' "$T/out" || true)" -a \
    -n "$(grep -E '^Vocabulary size: [0-9]+ source, 14 target' "$T/out" || true)"
run "$BIN" train --pairs num.tsv --epochs 1 --device cpu --threads 1 --embed 8 --hidden 8 \
    --layers 1 --max-vocab 5 --out pairs-max
check "--max-vocab 5: five tokens a side besides the four specials" \
    grep -qE '^Vocabulary size: 9 source, 9 target' "$T/out"
run "$BIN" train --pairs num.tsv --epochs 1 --device cpu --threads 1 --embed 8 --hidden 8 \
    --layers 1 --min-count 100000 --out pairs-min
check "--min-count above every count: a usage error that names it" test "$rc" -eq 2 &&
    has_err "fewer times than --min-count"
head -n 20 num.tsv >num-test.tsv
run "$BIN" eval --model pairs/best.ckpt --test num-test.tsv --no-heatmap --device cpu
check "eval --test pairs: exit 0, accuracy over its 20 lines" test "$rc" -eq 0 -a \
    -n "$(grep -E '^Exact Match Accuracy: [0-9.]+% \([0-9]+/20\)' "$T/out" || true)"
run "$BIN" eval --model pairs/best.ckpt --no-heatmap --device cpu
check "eval of a pairs model without --test says to give it" test "$rc" -eq 1 && has_err "--test FILE"

# predict: one line out per line in, and the attention as JSON Lines
printf 'three hundred twelve\nforty two\nseven\n' >in.txt
run_in in.txt "$BIN" predict --model pairs/best.ckpt --attention-out attn.jsonl --device cpu
check "predict: exit 0, one output line per input" test "$rc" -eq 0 -a "$(wc -l <"$T/out")" -eq 3
check "--attention-out: JSON Lines read back with their shapes" python3 - <<'EOF'
import json
rows = [json.loads(l) for l in open("attn.jsonl")]
assert len(rows) == 3, len(rows)
for r in rows:
    src, out, a = r["source"], r["output"], r["attention"]
    assert src[-1] == "<EOS>", src
    assert len(a) == len(out), (len(a), len(out))
    for row in a:
        assert len(row) == len(src)
        assert abs(sum(row) - 1) < 1e-3, sum(row)
assert rows[1]["source"][:2] == ["forty", "two"], rows[1]["source"]
EOF
run "$BIN" predict --model pairs/best.ckpt --beam 4 --device cpu forty two
check "predict --beam 4: exit 0, one line" test "$rc" -eq 0 -a "$(wc -l <"$T/out")" -eq 1
run "$BIN" reverse --model pairs/best.ckpt --device cpu forty two
check "reverse refuses a model of another task, naming predict" test "$rc" -eq 2 && has_err "predict"
run "$BIN" predict --model pairs/best.ckpt --beam 0 --device cpu x
check "--beam 0 is a usage error" test "$rc" -eq 2

# ---- bad TSV lines: named by file and line ----
bad_tsv() { # name, line 3's bytes, what the message says
    { head -n 2 num.tsv; printf '%b' "$2"; tail -n 20 num.tsv; } >bad.tsv
    run "$BIN" train --pairs bad.tsv --epochs 1 "${SMALL[@]}" --out badrun
    check "bad TSV ($1): exit 1, names bad.tsv:3" test "$rc" -eq 1 && has_err "bad.tsv:3" &&
        grep -qiF -- "$3" "$T/err"
}
bad_tsv "no tab" 'one two three\n' "tab"
bad_tsv "empty target" 'one two\t\n' "empty"
bad_tsv "empty source" '\t1 2\n' "empty"
bad_tsv "stray CR" 'one\r two\t1 2\n' "CR"
bad_tsv "invalid UTF-8" 'one \xff\t1\n' "UTF-8"
# (the tab-only line is blank: skipped silently, not counted)
{ head -n 2 num.tsv; printf 'no tab here\n\t\nx\t\n'; tail -n 20 num.tsv; } >bad.tsv
run "$BIN" train --pairs bad.tsv --skip-bad --epochs 1 "${SMALL[@]}" --out skip
check "--skip-bad: trains" test "$rc" -eq 0
run "$BIN" train --pairs bad.tsv --skip-bad --epochs 1 --device cpu --threads 1 --embed 8 \
    --hidden 8 --layers 1 --out skip2
check "--skip-bad: the count and the first bad line are printed" grep -q "Skipped 2 bad lines (--skip-bad), e.g. bad.tsv:3: no tab" "$T/out"
printf 'a\tb\r\nc d\te\r\n' >crlf.tsv
for i in $(seq 1 10); do printf 'w%d x\ty w%d\r\n' "$i" "$i"; done >>crlf.tsv
run "$BIN" train --pairs crlf.tsv --epochs 1 "${SMALL[@]}" --out crlf
check "CRLF line endings are accepted" test "$rc" -eq 0
# A target three times as long as its source: pairs may be decoded past
# twice the source's length (the seed's tasks are never).
for i in $(seq 1 40); do printf 'w%d\ta b c d e f\n' "$i"; done >long.tsv
run "$BIN" train --pairs long.tsv --epochs 15 --lr 1e-2 "${SMALL[@]}" --out longrun
run "$BIN" predict --model longrun/best.ckpt --device cpu w7
check "pairs: an output longer than twice its input (1 word -> 6)" \
    test "$rc" -eq 0 -a "$(cat "$T/out")" = "a b c d e f"
run "$BIN" train --pairs nosuch.tsv --epochs 1 "${SMALL[@]}" --out none
check "a missing pairs file: exit 1, named" test "$rc" -eq 1 && has_err "nosuch.tsv"
run "$BIN" train --pairs num.tsv --data num.tsv --epochs 1 "${SMALL[@]}"
check "--pairs with --data: usage error" test "$rc" -eq 2
run "$BIN" train --task copy --tokens chars --epochs 1 "${SMALL[@]}"
check "--tokens without --pairs: usage error" test "$rc" -eq 2
run "$BIN" train --task dates --unk-rate 0.1 --epochs 1 "${SMALL[@]}"
check "--unk-rate outside reversal: usage error" test "$rc" -eq 2

# ---- built-in tasks: each trains a little and evaluates against its answers ----
for task in copy sort dates; do
    run "$BIN" train --task "$task" --epochs 1 "${SMALL[@]}" --out "$task"
    check "train --task $task: exit 0" test "$rc" -eq 0
    run "$BIN" eval --model "$task/best.ckpt" --examples 2 --no-heatmap --device cpu
    check "eval of a $task model: examples and exact match over its 1000 test inputs" test \
        "$rc" -eq 0 -a -n "$(grep -E '^Exact Match Accuracy: [0-9.]+% \([0-9]+/1000\)' "$T/out" || true)"
done
run "$BIN" eval --model dates/best.ckpt --examples 1 --no-heatmap --device cpu
check "dates: the reference is an ISO date" grep -Eq '^  Reference: [12][09][0-9]{2}-[01][0-9]-[0-3][0-9]$' "$T/out"
run "$BIN" eval --model sort/best.ckpt --examples 3 --no-heatmap --device cpu
check "sort: the reference is the input's words sorted" python3 - "$T/out" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
ins = [l.split(":", 1)[1].split() for l in lines if l.startswith("  Input:")]
refs = [l.split(":", 1)[1].split() for l in lines if l.startswith("  Reference:")]
assert ins and len(ins) == len(refs)
for i, r in zip(ins, refs):
    assert sorted(i) == r, (i, r)
EOF
printf 'march 5, 2021\n' >d.txt
run_in d.txt "$BIN" predict --model dates/best.ckpt --device cpu
check "predict on a dates model: one line of characters" test "$rc" -eq 0 -a "$(wc -l <"$T/out")" -eq 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
