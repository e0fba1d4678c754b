/* prompt.h — the prompt's line editing and history, as pure functions of a
 * state and a key (no curses: tests/test_prompt.c drives it directly).
 *
 * The line is UTF-8; the cursor is a byte offset that always sits on a
 * character boundary, and moves and deletions go by whole characters.
 */
#ifndef S2S_PROMPT_H
#define S2S_PROMPT_H

#include <stdint.h>

enum { PROMPT_MAX = 512, PROMPT_HISTORY = 64 };

typedef enum {
    PK_CHAR,      /* insert the character `ch` (a Unicode code point) */
    PK_LEFT, PK_RIGHT, PK_HOME, PK_END,
    PK_BACKSPACE, /* delete the character before the cursor */
    PK_DELETE,    /* delete the character under the cursor */
    PK_KILL_LINE, /* Ctrl-U: delete from the start of the line to the cursor */
    PK_KILL_WORD, /* Ctrl-W: delete the word before the cursor (and spaces after it) */
    PK_UP,        /* older history entry */
    PK_DOWN,      /* newer history entry, then back to the line being typed */
    PK_ENTER,     /* submit the line */
    PK_ESCAPE     /* clear the line */
} prompt_key;

typedef enum {
    PROMPT_NOTHING = 0, /* the key changed nothing */
    PROMPT_EDITED,      /* the line or the cursor changed */
    PROMPT_SUBMIT       /* Enter on a line with a word in it: see prompt_submitted */
} prompt_result;

typedef struct {
    char line[PROMPT_MAX]; /* NUL-terminated UTF-8 */
    int len;               /* bytes in line */
    int cur;               /* cursor, a byte offset in [0, len] */
    char hist[PROMPT_HISTORY][PROMPT_MAX]; /* oldest first */
    int nhist;
    int hpos;              /* index into hist while browsing; nhist = the line being typed */
    char draft[PROMPT_MAX];/* the line being typed, kept while browsing history */
    char submitted[PROMPT_MAX]; /* the last line submitted */
} prompt_state;

void prompt_init(prompt_state *p);
/* Applies one key; ch is the character for PK_CHAR (ignored otherwise;
 * control characters and code points that are not characters are refused). */
prompt_result prompt_key_apply(prompt_state *p, prompt_key k, uint32_t ch);
/* Replaces the line (the cursor goes to its end). */
void prompt_set(prompt_state *p, const char *s);

/* Characters (code points) in the first `bytes` bytes of s. */
int utf8_count(const char *s, int bytes);
/* Byte offset of the character after / before offset i in s (len bytes). */
int utf8_next(const char *s, int len, int i);
int utf8_prev(const char *s, int i);

/* ---- where the prompt line's parts go (bars.c draws them) ----
 *
 *   > typed text|           → word word word ✓  12 words > 10 trained
 *
 * The typed text from x = 2, then the result of the last sentence sent:
 * an arrow, the output words, the verdict, and a note when there is room.
 * When it all does not fit, the text field shrinks to a share of the line
 * (a half while the line is being edited, a third otherwise) and scrolls to
 * keep the cursor in view; the output words are cut to a run around `focus`
 * (the first wrong word), with an ellipsis for each side cut; the note goes
 * first, and the verdict never goes while the arrow and it fit. The last
 * column stays empty. */
typedef struct {
    int width;          /* the line's cells */
    int text_w;         /* characters typed */
    int cursor;         /* characters before the cursor */
    int editing;        /* the line is not the one the result is for */
    int has_result;     /* 0: no result (the rest is ignored) */
    int arrow_w;        /* "→ " with its space */
    int ell_w;          /* the ellipsis */
    int verdict_w;      /* "✓", "✗ word 3 wrong", ... */
    int note_w;         /* 0: no note */
    const int *word_w;  /* the output words' widths, n_words of them */
    int n_words;
    int focus;          /* the output word to keep in view */
} prompt_fit_in;

typedef struct {
    int field_w;        /* cells of the text field, from x = 2 */
    int skip;           /* characters of the line scrolled out on the left */
    int res_x;          /* x of the arrow; -1: no result shown */
    int w0, w1;         /* output words [w0, w1) shown, an ellipsis before when
                           w0 > 0 and after when w1 < n_words (one alone when
                           w0 == w1 < n_words) */
    int note;           /* 1: the note follows the verdict, two cells after */
    int end_x;          /* the first cell after the verdict */
} prompt_fit_out;

void prompt_fit(const prompt_fit_in *in, prompt_fit_out *out);

#endif
