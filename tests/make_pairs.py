#!/usr/bin/env python3
"""make_pairs.py — a deterministic pairs file (TSV) for `seq2seq --pairs` and
`bench --pairs`: N lines "source<TAB>target", written to stdout.

Each source has MIN..MAX words (every length equally likely) drawn from a
vocabulary of VOCAB made-up words with Zipf-like frequencies (the word of
rank r is drawn with weight 1/r), as in real text; the target is the source
reversed, the seed's task, so a model can learn it and both sides stay at
MAX words or fewer. The same arguments always give the same file.

    tests/make_pairs.py [-n 200000] [--vocab 4000] [--min-len 1] [--max-len 50]
                        [--seed 1] > pairs.tsv

Only the standard library, so `make bench` needs nothing but python3.
"""
import argparse
import itertools
import random
import sys

# Consonant-vowel syllables: words spelled from them are pronounceable,
# distinct, and need no word list.
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def make_words(n):
    """n distinct words: word i spells i in base len(SYLLABLES), two syllables at least."""
    words = []
    for i in range(n):
        parts, k = [], i + len(SYLLABLES)  # every word has two syllables or more
        while k:
            k, d = divmod(k, len(SYLLABLES))
            parts.append(SYLLABLES[d])
        words.append("".join(reversed(parts)))
    return words


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=200000, help="pairs to write (200000)")
    ap.add_argument("--vocab", type=int, default=4000, help="distinct words (4000)")
    ap.add_argument("--min-len", type=int, default=1, help="fewest words a source (1)")
    ap.add_argument("--max-len", type=int, default=50, help="most words a source (50)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (1)")
    a = ap.parse_args()
    if a.n < 1 or a.vocab < 1 or not 1 <= a.min_len <= a.max_len <= 100:
        ap.error("need -n >= 1, --vocab >= 1 and 1 <= --min-len <= --max-len <= 100")
    rng = random.Random(a.seed)
    words = make_words(a.vocab)
    rng.shuffle(words)  # so the frequent words are not all the short spellings
    # Cumulative weights once, so each draw is a bisection, not a scan.
    cum = list(itertools.accumulate(1.0 / r for r in range(1, a.vocab + 1)))
    out = sys.stdout
    for _ in range(a.n):
        src = rng.choices(words, cum_weights=cum, k=rng.randint(a.min_len, a.max_len))
        out.write(" ".join(src) + "\t" + " ".join(reversed(src)) + "\n")


if __name__ == "__main__":
    main()
