#!/usr/bin/env bash
# e2e_analyze_tasks.sh — `analyze` and `compare` for models of tasks other
# than reversal: small copy, sort and dates models (and one of pairs of
# one's own) trained for a few seconds each, analysis.md's sections and
# rows for each task, the usage errors (pairs without --test, --test for
# reversal, --baseline for another task, models of two tasks, --png
# without lengths), and a reversal model still analysed the reversal way.
#
#   BIN=build/seq2seq bash tests/e2e_analyze_tasks.sh
#
# Prints one line per check and "N passed, M failed" last; exits 1 if any failed.
set -euo pipefail

. "$(cd "$(dirname "$0")" && pwd)/checks.sh"
checks_start e2e_analyze_tasks
# has_lines FILE TEXT...: FILE holds every TEXT (fixed strings).
has_lines() {
    local f=$1 missing=""
    shift
    for l in "$@"; do grep -qF -- "$l" "$f" || missing="$missing [$l]"; done
    if [ -n "$missing" ]; then
        echo "missing from $f:$missing" >"$T/err"
        return 1
    fi
}

# Small models, a few seconds each on one thread.
SMALL=(--embed 32 --hidden 64 --layers 1 --device cpu --threads 1 --quiet)
DEV=(--device cpu --threads 1)

for task in copy sort dates; do
    run "$BIN" train --task "$task" --epochs 3 "${SMALL[@]}" --out "$task"
    check "train --task $task: exit 0" test "$rc" -eq 0 -a -s "$task/best.ckpt"
done
run "$BIN" train --epochs 1 --embed 16 --hidden 32 --layers 1 --device cpu --threads 1 --quiet \
    --out reverse
check "train (reverse): exit 0" test "$rc" -eq 0 -a -s reverse/best.ckpt

# Sections every task's analysis.md has.
COMMON=("Written by \`seq2seq analyze\`; every figure below was measured in this run."
        "- Model: \`" "- Configuration: bahdanau attention, embedding 32, hidden 64, 1 layer"
        "- **Test exact match: " "; token accuracy " "## How it is measured"
        "## Exact match by length" "| **all** | the test set | 1000 |" "## Alignment"
        "By output position, test set:" "| first step | " "| middle steps | "
        "| last token's step | " "| \`<EOS>\` step | " "| **all steps** | "
        "## What the numbers say" "Wording rules: ")

# ---- copy: the diagonal, with longer lengths ----
run "$BIN" analyze --model copy/best.ckpt --out copy.md "${DEV[@]}"
check "analyze copy: exit 0" test "$rc" -eq 0
check "analyze copy: summary names the task and the file" has_out "Task: copy. Exact match:"
check "analyze copy: analysis.md's sections" has_lines copy.md \
    "# Attention analysis: the copy task" "${COMMON[@]}" \
    "- Reference alignment (copy): target word j comes from source word j" \
    "| words | set | sentences | exact match |" "| 3 | test | " "| 11 | never trained | " \
    "| 26-30 | never trained | " "| **all** | 11-15 words | 1000 |" \
    "| **all** | 16-30 words | 1000 |" \
    "| set | sentences | steps | peak in span | peak just after | weight in span | entropy (bits) |" \
    "- The peak falls inside the reference span at " \
    "- Of the steps after the first, the attention's peak moves right at " \
    "- At 11-15 words (never trained) exact match is "
check "analyze copy: no reversal sections" \
    test -z "$(grep -E 'mirrored|four questions|31-50' copy.md || true)"
check "analyze copy: no unmeasured figure printed as nan" test -z "$(grep -i 'nan' copy.md || true)"

# ---- sort: the same sets, another reference ----
run "$BIN" analyze --model sort/best.ckpt --out sort.md "${DEV[@]}"
check "analyze sort: exit 0" test "$rc" -eq 0
check "analyze sort: analysis.md's sections" has_lines sort.md \
    "# Attention analysis: the sort task" "${COMMON[@]}" \
    "- Reference alignment (sort): the j-th target word comes from the source position" \
    "| **all** | 16-30 words | 1000 |"

# ---- dates: characters, its test split only ----
run "$BIN" analyze --model dates/best.ckpt --out dates.md "${DEV[@]}"
check "analyze dates: exit 0" test "$rc" -eq 0
check "analyze dates: analysis.md's sections" has_lines dates.md \
    "# Attention analysis: the dates task" "${COMMON[@]}" \
    "- Reference alignment (dates): each digit of YYYY-MM-DD" \
    "| characters | set | sentences | exact match |" "(tokens: characters)" \
    "| set | sentences | steps | peak in span |"
check "analyze dates: no longer sets" test -z "$(grep -E '11-15|16-30' dates.md || true)"

# ---- pairs: no reference, a test file of its own ----
python3 - <<'EOF'
import random
rng = random.Random(3)
words = "red green blue cat dog sun moon tree".split()
def write(name, n):
    with open(name, "w") as f:
        for _ in range(n):
            s = [rng.choice(words) for _ in range(rng.randint(2, 5))]
            f.write(" ".join(s) + "\t" + " ".join(w.upper() for w in s) + "\n")
write("train.tsv", 400)
write("val.tsv", 50)
write("test.tsv", 50)
EOF
run "$BIN" train --pairs train.tsv --val val.tsv --test test.tsv --epochs 2 "${SMALL[@]}" \
    --out pairs
check "train --pairs: exit 0" test "$rc" -eq 0 -a -s pairs/best.ckpt
run "$BIN" analyze --model pairs/best.ckpt --out pairs.md "${DEV[@]}"
check "analyze pairs without --test: usage error naming --test" test "$rc" -eq 2
check "analyze pairs without --test: says to give --test FILE" \
    has_err "give its test pairs with --test FILE"
check "analyze pairs without --test: no analysis.md" test ! -e pairs.md
run "$BIN" analyze --model pairs/best.ckpt --test test.tsv --out pairs.md "${DEV[@]}"
check "analyze pairs --test: exit 0" test "$rc" -eq 0
check "analyze pairs --test: analysis.md's sections" has_lines pairs.md \
    "# Attention analysis: the pairs task" "- Reference alignment (pairs): none" \
    "- Test set: \`test.tsv\`, 50 sentences" "## Alignment" "| **all** | the test set | 50 |"
check "analyze pairs --test: nothing measured against a reference" \
    test -z "$(grep -E 'peak in span|reference span at' pairs.md || true)"

# ---- usage errors ----
run "$BIN" analyze --model reverse/best.ckpt --test test.tsv --out r.md "${DEV[@]}"
check "analyze --test of a reversal model: usage error" test "$rc" -eq 2
run "$BIN" analyze --model copy/best.ckpt --baseline reverse/best.ckpt --out c.md "${DEV[@]}"
check "analyze --baseline of a copy model: usage error" test "$rc" -eq 2

# ---- reversal: still the reversal analysis ----
run "$BIN" analyze --model reverse/best.ckpt --out reverse.md "${DEV[@]}"
check "analyze reverse: exit 0" test "$rc" -eq 0
check "analyze reverse: the reversal analysis" has_lines reverse.md "# Attention analysis" \
    "- Test set: the synthetic test split of seed 42, 1000 sentences of 3-10 words" \
    "## The four questions" "| **31-50** | never trained | 1000 |"
check "analyze reverse: not the task report" \
    test -z "$(grep -F 'Reference alignment' reverse.md || true)"

# ---- compare ----
run "$BIN" compare "${DEV[@]}" --png copy.png copy/best.ckpt copy/last.ckpt
check "compare copy: exit 0" test "$rc" -eq 0
check "compare copy: the table by length" has_lines "$T/out" "# Exact match on the copy task" \
    "| words | sentences | copy/best.ckpt | copy/last.ckpt |" "| 3 | 126 | " "| 26-30 | " \
    "| **3-10** | 1000 | " "| **11-15** | 1000 | " "| **16-30** | 1000 | " \
    "Accuracy by length plotted to copy.png"
check "compare copy: no reversal rows" test -z "$(grep -E '31-50|unseen' "$T/out" || true)"
check "compare copy: PNG written" test -s copy.png
run "$BIN" compare "${DEV[@]}" sort/best.ckpt
check "compare sort: exit 0" \
    test "$rc" -eq 0 -a -n "$(grep -F '| **16-30** | 1000 | ' "$T/out" || true)"
run "$BIN" compare "${DEV[@]}" dates/best.ckpt dates/last.ckpt
check "compare dates: exit 0" test "$rc" -eq 0
check "compare dates: the test split" has_lines "$T/out" "# Exact match on the dates task" \
    "| set | sentences | dates/best.ckpt | dates/last.ckpt |" "| **test** | 1000 | "
run "$BIN" compare "${DEV[@]}" copy/best.ckpt sort/best.ckpt
check "compare copy and sort: usage error" test "$rc" -eq 2
check "compare copy and sort: names both" \
    has_err "copy/best.ckpt is a model of the copy task and sort/best.ckpt of the sort task"
run "$BIN" compare "${DEV[@]}" --png d.png dates/best.ckpt
check "compare dates --png: usage error, no PNG" test "$rc" -eq 2 -a ! -e d.png
run "$BIN" compare "${DEV[@]}" pairs/best.ckpt
check "compare pairs: usage error" test "$rc" -eq 2
run "$BIN" compare "${DEV[@]}" reverse/best.ckpt
check "compare reverse: the reversal table" test "$rc" -eq 0 -a \
    -n "$(grep -F '| **3-10, unseen words only** |' "$T/out" || true)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
