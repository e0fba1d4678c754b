#!/usr/bin/env python3
"""Pairs for `seq2seq train --pairs`: a number in English words -> its digits.

    python3 docs/examples/numbers.py 20000 1 > numbers.tsv     # N pairs, seed

Each line is "words<TAB>digits", the digits separated by spaces so that
--tokens words makes each digit a token, e.g.
"three hundred twelve thousand four hundred five<TAB>3 1 2 4 0 5".
Numbers are drawn uniformly from 0..999999, each at most once.
"""
import random
import sys

ONES = "zero one two three four five six seven eight nine".split()
TEENS = ("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen "
         "nineteen").split()
TENS = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()


def below_thousand(n):
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(TENS[n // 10])
        if n % 10:
            words.append(ONES[n % 10])
    elif n >= 10:
        words.append(TEENS[n - 10])
    elif n > 0:
        words.append(ONES[n])
    return words


def in_words(n):
    if n == 0:
        return "zero"
    words = []
    if n >= 1000:
        words += below_thousand(n // 1000) + ["thousand"]
    words += below_thousand(n % 1000)
    return " ".join(words)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    for n in random.Random(seed).sample(range(1000000), count):
        print(in_words(n) + "\t" + " ".join(str(n)))


if __name__ == "__main__":
    main()
