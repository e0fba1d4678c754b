/* verdict.h — the truth about a sentence the user typed: whether the model's
 * output is exactly the input's words reversed and where it first goes
 * wrong, and what in the input lies outside the training data (more words
 * than any training sentence, words never seen). Pure functions of strings
 * and numbers — no curses, no model; tests/test_verdict.c drives them.
 *
 * The words are compared as strings, after the copy-through rule has
 * written unknown words (see decode.h), so an unknown word copied to the
 * right place counts as right. */
#ifndef S2S_VERDICT_H
#define S2S_VERDICT_H

#include <stddef.h>

typedef enum {
    VERDICT_RIGHT = 0, /* the output is the input's words reversed */
    VERDICT_WRONG,     /* an output word differs from the reversal's word there */
    VERDICT_SHORT,     /* the output is a proper prefix of the reversal: it stopped early */
    VERDICT_LONG,      /* the reversal is a proper prefix of the output: extra words */
    VERDICT_NONE       /* the task has no known answer for this input (pairs, a date
                          it cannot read): nothing to mark */
} verdict_kind;

typedef struct {
    verdict_kind kind;
    int first_wrong; /* output index of the first wrong word (WRONG) or of the
                        first extra word (LONG); -1 for RIGHT and SHORT */
    int n_in, n_out; /* words in the input and in the output */
} verdict;

/* Compares out[0..n_out) with in[0..n_in) reversed. */
void verdict_check(verdict *v, const char *const *in, int n_in, const char *const *out, int n_out);
/* Compares out[0..n_out) with the task's answer ref[0..n_ref); ref NULL:
 * VERDICT_NONE. n_in is then the answer's length. */
void verdict_check_ref(verdict *v, const char *const *ref, int n_ref, const char *const *out,
                       int n_out);

/* The output index the prompt line keeps in view: the first wrong or extra
 * word, the last word when it stopped early, else the first. */
int verdict_focus(const verdict *v);

/* The verdict in a few cells, for the prompt line: "✓", "✗ word 3 wrong",
 * "✗ stopped early", "✗ too long"; with utf8 = 0, "OK" and "X" for the
 * marks. Returns the characters written (snprintf's count). */
int verdict_short(char *buf, size_t n, const verdict *v, int utf8);
/* In a sentence, for the log: "✓ right", "✗ word 3 is wrong (6 words
 * for 6)", "✗ stopped early: 4 of 6 words", "✗ too long: 8 words for 6",
 * "✗ no words". */
int verdict_long(char *buf, size_t n, const verdict *v, int utf8);

/* What the input holds against the training data. */
typedef struct {
    int words;             /* words in the input */
    int shortest, longest; /* the training sentences' lengths in words; 0: unknown */
    int unseen;            /* input words outside the vocabulary (each occurrence) */
    int chars;             /* 1: the tokens are characters (the notes say so) */
} input_scope;

enum { SCOPE_NOTES = 3, SCOPE_NOTE_LEN = 96 };

/* The notes for s, one a line, for the log: "12 words — longest training
 * sentence: 10", "1 word — shortest training sentence: 3", "2 words never
 * seen: marked ?". Returns how many (0 when the input is inside what the
 * model was trained on). */
int scope_notes(const input_scope *s, char notes[SCOPE_NOTES][SCOPE_NOTE_LEN]);
/* The same in a few cells, for the prompt line ("12 words > 10 trained · 2
 * unseen ?"); "" when there is nothing to say. utf8 = 0 separates with ";". */
int scope_short(char *buf, size_t n, const input_scope *s, int utf8);

#endif
