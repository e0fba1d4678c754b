/* app.c — the terminal UI's main loop: set-up, keys, the probe and the
 * prompt's inference, F2/F5, resizing, and a clean exit. Panes are drawn by
 * chart.c, heatmap_view.c, stepview.c, logview.c and bars.c; training runs
 * in worker.c, evaluation in evaljob.c.
 *
 * Threads: the worker owns the training model. The UI thread owns its own
 * inference model (its own CPU backend) and loads the newest parameter
 * snapshot into it before it reverses a sentence; it never touches the
 * training model. An evaluation (F5) gets a third model on a third thread.
 */
#include "clock.h"
#include "app.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evaljob.h"
#include "layout.h"
#include "logring.h"
#include "figures.h"
#include "prompt.h"
#include "setup.h"
#include "snapshot.h"
#include "task.h"
#include "ui.h"
#include "worker.h"

enum {
    FRAME_MS = 80,      /* getch timeout: about 12 frames a second */
    LOG_KEEP = 500,     /* lines the log ring keeps */
    LOG_VIEW = 64,      /* lines copied per frame (more than any pane shows) */
    HELP_H = 19, HELP_W = 70,
};
static const double PUBLISH_S = 0.25; /* snapshot at most this often */
/* Re-run the shown sentence with new weights at most this often: each time
 * costs the UI thread about 10 ms with the seed's model (copy, checksum,
 * load, decode), which a trainer using every core feels. */
static const double REFRESH_S = 2.0;
static const char PNG_NAME[] = "attention_heatmap.png";

/* Set by SIGTERM / SIGHUP / SIGINT (the keyboard's ^C arrives as a key in
 * raw mode): the loop then quits as F10 does. */
static volatile sig_atomic_t g_signal = 0;

static void on_signal(int sig)
{
    g_signal = sig;
}

typedef struct {
    const cli_opts *o;
    setup_training_t st;
    log_ring log;
    tui_worker *worker;
    train_view tv;

    /* the UI's own inference model and the snapshot loaded into it */
    s2s_backend *ibe;   /* the prompt's model: on the GPU if training is there */
    int on_gpu;         /* training runs on the CUDA backend */
    s2s_model *im;
    float *params;
    size_t nparams;
    snap_meta meta;     /* of params; seq 0 = none yet */
    uint64_t loaded;    /* seq loaded into im */
    int params_ok;      /* params hold the snapshot loaded into im */

    /* the sentence shown in the heatmap */
    s2s_decoding rev;
    int have_rev;
    verdict ver;        /* rev against the reversal of the sentence shown */
    int user;           /* 1: the user's sentence, 0: the probe */
    s2s_sentence sent;  /* the user's sentence (owned) */
    char sent_line[PROMPT_MAX]; /* the line it was typed as */
    char note[96];      /* the prompt's short note on it ("12 words > 10 trained"), or "" */
    uint64_t rev_seq;   /* the snapshot it was computed with */
    double rev_time;
    int step;

    /* the training sentences' lengths in words, for the notes */
    int train_shortest, train_longest;

    prompt_state prompt;
    eval_job *eval;

    /* the screen */
    SCREEN *scr;
    ui_style style;
    chart_raster *chart; /* the loss chart's cells, kept between frames */
    ui_layout lay;
    WINDOW *win[PANE_COUNT];
    WINDOW *msgwin, *helpwin;
    int help, log_scale, paused, quitting;
    int reported;       /* the UI's CPU time was logged when training ended */
    int full;           /* redraw every pane in the next frame */
    uint64_t drawn[PANE_COUNT]; /* what each pane showed when last drawn */
    uint64_t rev_ver;   /* bumped whenever rev changes */
    uint64_t log_total; /* log lines ever added, when last copied */
    log_line lines[LOG_VIEW];
    int nlines;

    struct sigaction old_sig[3]; /* the handlers before ours ... */
    int signals;                 /* ... to restore when 1 */
    char fatal[600];             /* why the UI ends with an error; "" when it does not */
} app;

/* ------------------------------------------------------------ inference */

/* Loads the newest snapshot into the UI's model, if there is a newer one. */
static void load_latest(app *a)
{
    snap_meta m;
    if (!snap_take(worker_snapshots(a->worker), a->params, a->meta.seq, &m)) return;
    if (!snap_verify(a->params, a->nparams, &m)) {
        log_add(&a->log, LOG_ERROR, "snapshot %llu failed its checksum; kept the previous one",
                (unsigned long long)m.seq);
        /* The model keeps the weights it had; params hold the bad copy until
         * the next snapshot, and F5 will not use them. */
        a->meta.seq = m.seq;
        a->params_ok = 0;
        return;
    }
    a->meta = m;
    a->params_ok = 1;
    s2s_error err;
    s2s_error_clear(&err);
    if (model_set_params(a->im, a->params, &err) != 0) {
        log_add(&a->log, LOG_ERROR, "loading the snapshot: %s", err.msg);
        return;
    }
    a->loaded = m.seq;
}

/* words[0..count) joined into buf, by spaces (or side by side for
 * character tokens); when they do not all fit, as many as do and then "…",
 * so that a cut never passes for the whole. */
static void join_words(char *buf, size_t n, const char *const *words, int count, int tokens)
{
    static const char ELL[] = " \xe2\x80\xa6"; /* " …" */
    const char *sep = tokens == S2S_TOKENS_CHARS ? "" : " ";
    size_t len = 0;
    buf[0] = '\0';
    for (int t = 0; t < count; t++) {
        const size_t wl = strlen(words[t]) + (t ? strlen(sep) : 0);
        /* Room for this word, and for the ellipsis unless it is the last. */
        if (len + wl + (t + 1 < count ? sizeof ELL - 1 : 0) + 1 > n) {
            if (len + sizeof ELL <= n) memcpy(buf + len, ELL, sizeof ELL);
            return;
        }
        snprintf(buf + len, n - len, "%s%s", t ? sep : "", words[t]);
        len += wl;
    }
}

/* Where the weights came from, for the log: "epoch 3, batch 40". */
static void weights_label(char *buf, size_t n, const snap_meta *m)
{
    if (m->step > 0)
        snprintf(buf, n, "epoch %d, batch %d", m->epoch, m->step);
    else
        snprintf(buf, n, "the end of epoch %d", m->epoch);
}

/* Reverses s with the newest snapshot and shows it. */
static int show_sentence(app *a, const s2s_sentence *s, s2s_error *err)
{
    load_latest(a);
    if (a->loaded == 0) return s2s_fail(err, S2S_ERR_ARG, "no weights yet (training is starting)");
    s2s_decoding r;
    int rc = decode_sentence(a->im, &a->st.vocab, s, &r, err);
    if (rc) return rc;
    if (a->have_rev) decoding_free(&a->rev);
    a->rev = r;
    a->have_rev = 1;
    /* The task's answer, where it knows one, marks the output right or wrong. */
    s2s_sentence ref = {0};
    s2s_error sub;
    const int known = task_answer(a->st.data.task, s, &ref, &sub) == 1;
    verdict_check_ref(&a->ver, known ? (const char *const *)ref.w : NULL, ref.len,
                      (const char *const *)r.out, r.n_words);
    sentence_free(&ref);
    a->rev_ver++;
    a->rev_seq = a->loaded;
    a->rev_time = s2s_now_s();
    if (a->step >= r.steps) a->step = r.steps - 1;
    if (a->step < 0) a->step = 0;
    return 0;
}

/* The log's record of a sentence sent: what was typed, what came back, the
 * verdict, the weights; then a line for each note on what in it lies
 * outside the training data. Also sets the prompt's short note. */
static void log_sentence(app *a)
{
    const s2s_decoding *r = &a->rev;
    char lab[64], ver[96], out[LOG_LINE];
    weights_label(lab, sizeof lab, &a->meta);
    verdict_long(ver, sizeof ver, &a->ver, a->style.utf8);
    /* The output gets what the line has left after the rest. */
    size_t room = LOG_LINE - strlen(a->sent_line) - strlen(ver) - strlen(lab) - 32;
    join_words(out, room < sizeof out ? room : sizeof out, (const char *const *)r->out, r->n_words,
               a->st.data.tokens);
    log_add(&a->log, LOG_USER, "> %s \xe2\x86\x92 %s  %s  (weights of %s)", a->sent_line, out, ver,
            lab);

    input_scope sc = {a->sent.len, a->train_shortest, a->train_longest, 0,
                      a->st.data.tokens == S2S_TOKENS_CHARS};
    char unseen[LOG_LINE / 2] = "";
    size_t ul = 0;
    for (int i = 0; i < r->n_src; i++)
        if (r->unknown[i]) {
            sc.unseen++;
            int k = snprintf(unseen + ul, sizeof unseen - ul, "%s%s", ul ? ", " : "", r->src[i]);
            if (k > 0) ul = ul + (size_t)k < sizeof unseen ? ul + (size_t)k : sizeof unseen - 1;
        }
    char notes[SCOPE_NOTES][SCOPE_NOTE_LEN];
    const int nn = scope_notes(&sc, notes);
    for (int k = 0; k < nn; k++) {
        if (k == nn - 1 && sc.unseen > 0)
            log_add(&a->log, LOG_BAD, "%s (%s)", notes[k], unseen);
        else
            log_add(&a->log, LOG_BAD, "%s", notes[k]);
    }
    scope_short(a->note, sizeof a->note, &sc, a->style.utf8);
}

/* Enter: reverse the prompt's line. */
static void submit(app *a)
{
    s2s_error err;
    s2s_error_clear(&err);
    s2s_sentence s = {0};
    if (sentence_tokenize_as(a->prompt.submitted, a->st.data.tokens, S2S_MAX_INPUT_WORDS, &s,
                             &err)) {
        log_add(&a->log, LOG_ERROR, "%s", err.msg);
        return;
    }
    if (s.len == 0) {
        sentence_free(&s);
        return;
    }
    const int was_user = a->user;
    s2s_sentence old = a->sent;
    a->sent = s;
    a->user = 1;
    a->step = 0;
    if (show_sentence(a, &a->sent, &err)) {
        log_add(&a->log, LOG_ERROR, "cannot reverse it: %s", err.msg);
        sentence_free(&a->sent);
        a->sent = old;
        a->user = was_user;
        return;
    }
    sentence_free(&old);
    snprintf(a->sent_line, sizeof a->sent_line, "%s", a->prompt.submitted);
    log_sentence(a);
}

/* The shown sentence again with newer weights (at most every REFRESH_S). */
static void refresh_shown(app *a)
{
    const uint64_t latest = a->tv.snap_seq;
    if (latest == 0 || (a->have_rev && latest == a->rev_seq)) return;
    if (a->have_rev && s2s_now_s() - a->rev_time < REFRESH_S) return;
    s2s_error err;
    s2s_error_clear(&err);
    const s2s_sentence *s = a->user ? &a->sent : &a->st.va.s[0];
    if (show_sentence(a, s, &err) != 0) a->rev_time = s2s_now_s(); /* do not retry every frame */
}

/* ------------------------------------------------------------- commands */

static void save_png(app *a)
{
    if (!a->have_rev) {
        log_add(&a->log, LOG_ERROR, "nothing to save yet");
        return;
    }
    char title[PROMPT_MAX * 2 + 64], in[PROMPT_MAX], out[PROMPT_MAX], lab[64];
    /* The words only: not the start marker, not <EOS>. */
    join_words(in, sizeof in, (const char *const *)a->rev.src + a->rev.prefix,
               a->rev.n_src - 1 - a->rev.prefix, a->st.data.tokens);
    join_words(out, sizeof out, (const char *const *)a->rev.out, a->rev.n_words, a->st.data.tokens);
    snprintf(title, sizeof title, "%s -> %s", in, out);
    s2s_heatmap h = {
        .src = (const char *const *)a->rev.src, .n_src = a->rev.n_src,
        .out = (const char *const *)a->rev.out, .n_out = a->rev.steps,
        .weights = a->rev.attn, .title = title,
    };
    s2s_error err;
    s2s_error_clear(&err);
    if (png_write_heatmap(PNG_NAME, &h, &err)) {
        log_add(&a->log, LOG_ERROR, "saving %s: %s", PNG_NAME, err.msg);
        return;
    }
    char where[PATH_MAX];
    const char *path = realpath(PNG_NAME, where) ? where : PNG_NAME;
    snprintf(lab, sizeof lab, "%s", a->user ? "your sentence" : "the probe");
    log_add(&a->log, LOG_GOOD, "saved %s (%s)", path, lab);
}

static void start_eval(app *a)
{
    if (a->eval) {
        log_add(&a->log, LOG_INFO, "an evaluation is already running");
        return;
    }
    load_latest(a);
    if (a->loaded == 0 || !a->params_ok) {
        log_add(&a->log, LOG_ERROR, "no weights to evaluate yet");
        return;
    }
    char lab[64];
    weights_label(lab, sizeof lab, &a->meta);
    s2s_error err;
    s2s_error_clear(&err);
    if (eval_start(&a->eval, model_config(a->im), a->params, a->nparams, a->on_gpu, &a->st.vocab,
                   a->st.opts.tokens, &a->st.dte, lab, &a->log, &err)) {
        a->eval = NULL;
        log_add(&a->log, LOG_ERROR, "cannot evaluate: %s", err.msg);
        return;
    }
    log_add(&a->log, LOG_INFO, "evaluating the weights of %s on %d test sentences...", lab,
            a->st.dte.count);
}

static void toggle_pause(app *a)
{
    if (worker_done(a->worker)) {
        log_add(&a->log, LOG_INFO, "training is over: nothing to pause");
        return;
    }
    a->paused = !a->paused;
    worker_pause(a->worker, a->paused);
    log_add(&a->log, LOG_INFO, a->paused ? "pausing at the next batch boundary (F3 resumes)"
                                         : "resumed");
}

static void begin_quit(app *a)
{
    if (a->quitting) return;
    a->quitting = 1;
    worker_stop(a->worker);
    log_add(&a->log, LOG_INFO, "stopping at the next batch boundary...");
}

/* When training ends: the CPU time this (the UI) thread used against the
 * whole process's, which is what the UI took from training on a busy CPU. */
static void report_cpu(app *a)
{
    struct timespec me, all;
    a->reported = 1;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &me) || clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &all))
        return;
    const double m = (double)me.tv_sec + 1e-9 * (double)me.tv_nsec;
    const double p = (double)all.tv_sec + 1e-9 * (double)all.tv_nsec;
    log_add(&a->log, LOG_INFO, "the UI thread used %.2f s of CPU, %.2f%% of the process's %.1f s", m,
            p > 0 ? 100.0 * m / p : 0.0, p);
}

/* ------------------------------------------------------------- windows */

static void free_windows(app *a)
{
    for (int i = 0; i < PANE_COUNT; i++)
        if (a->win[i]) {
            delwin(a->win[i]);
            a->win[i] = NULL;
        }
    if (a->msgwin) delwin(a->msgwin);
    if (a->helpwin) delwin(a->helpwin);
    a->msgwin = a->helpwin = NULL;
}

static void build_windows(app *a)
{
    free_windows(a);
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    layout_compute(&a->lay, rows, cols);
    if (!a->lay.too_small) {
        for (int i = 0; i < PANE_COUNT; i++) {
            ui_rect r = a->lay.pane[i];
            if (r.h > 0 && r.w > 0) a->win[i] = newwin(r.h, r.w, r.y, r.x);
        }
        ui_rect h = layout_centered(rows, cols, HELP_H, HELP_W);
        if (h.h > 0) a->helpwin = newwin(h.h, h.w, h.y, h.x);
    }
    int missing = a->lay.too_small;
    for (int i = 0; i < PANE_COUNT; i++)
        if (a->lay.pane[i].h > 0 && !a->win[i]) missing = 1;
    if (missing) {
        /* Too small (or a window could not be made): one message window. */
        free_windows(a);
        a->lay.too_small = 1;
        a->msgwin = newwin(rows > 0 ? rows : 1, cols > 0 ? cols : 1, 0, 0);
    }
    a->full = 1;
    WINDOW *in = a->lay.too_small ? a->msgwin : a->win[PANE_PROMPT];
    if (in) keypad(in, TRUE);
    if (a->helpwin) keypad(a->helpwin, TRUE);
}

static WINDOW *input_window(app *a)
{
    if (a->lay.too_small) return a->msgwin ? a->msgwin : stdscr;
    if (a->help && a->helpwin) return a->helpwin;
    return a->win[PANE_PROMPT] ? a->win[PANE_PROMPT] : stdscr;
}

/* -------------------------------------------------------------- drawing */

/* FNV-1a over bytes, to tell whether a pane's data changed. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t x)
{
    return fnv(h, &x, sizeof x);
}

/* One frame: werase → draw → wnoutrefresh per pane, then one doupdate. The
 * chart and the status change with every batch and are drawn every frame;
 * the other panes only when what they show changed (or after a resize, ^L
 * or the help closing: a->full). */
static void draw(app *a)
{
    const ui_style *s = &a->style;
    if (a->lay.too_small) {
        if (!a->msgwin) return;
        curs_set(0);
        too_small_draw(a->msgwin, s, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
        wnoutrefresh(a->msgwin);
        doupdate();
        return;
    }
    const uint64_t h0 = 0xcbf29ce484222325ull;
    uint64_t want[PANE_COUNT] = {0};
    want[PANE_HEATMAP] = want[PANE_STEP] =
        fnv_u64(fnv_u64(fnv_u64(h0, a->rev_ver), (uint64_t)a->step), (uint64_t)a->user);
    want[PANE_LOG] = fnv_u64(h0, a->log_total);
    want[PANE_KEYS] = fnv_u64(fnv_u64(h0, (uint64_t)a->paused), (uint64_t)a->log_scale);
    want[PANE_PROMPT] = fnv(fnv_u64(fnv_u64(fnv_u64(h0, (uint64_t)a->prompt.cur), (uint64_t)a->user),
                                    a->rev_ver),
                            a->prompt.line, (size_t)a->prompt.len);
#define STALE(p) (a->full || want[p] != a->drawn[p])

    chart_data cd = {a->tv.loss, a->tv.n_loss, a->tv.stride, a->tv.val, a->tv.val_x, a->tv.n_val,
                     a->tv.batches, a->log_scale};
    chart_draw(a->win[PANE_CHART], s, a->chart, &cd);
    wnoutrefresh(a->win[PANE_CHART]);

    heat_data hd = {a->have_rev ? &a->rev : NULL, a->user ? "you" : "probe", a->step,
                    model_config(a->im)->attention, a->have_rev ? a->ver.first_wrong : -1,
                    a->st.data.tokens == S2S_TOKENS_CHARS};
    if (STALE(PANE_HEATMAP)) {
        heatmap_draw(a->win[PANE_HEATMAP], s, &hd);
        wnoutrefresh(a->win[PANE_HEATMAP]);
    }
    if (a->win[PANE_STEP] && STALE(PANE_STEP)) {
        step_draw(a->win[PANE_STEP], s, &hd);
        wnoutrefresh(a->win[PANE_STEP]);
    }
    if (STALE(PANE_LOG)) {
        log_data ld = {a->lines, a->nlines};
        log_draw(a->win[PANE_LOG], s, &ld);
        wnoutrefresh(a->win[PANE_LOG]);
    }

    status_data sd = {&a->tv, a->st.be->name, a->st.opts.lr, a->st.opts.tf_ratio, 0, 0, 0, NULL};
    if (a->eval) {
        sd.evaluating = 1;
        eval_progress(a->eval, &sd.eval_done, &sd.eval_total);
    }
    status_draw(a->win[PANE_STATUS], s, &sd);
    wnoutrefresh(a->win[PANE_STATUS]);

    if (STALE(PANE_KEYS)) {
        keys_draw(a->win[PANE_KEYS], s, a->paused, a->log_scale);
        wnoutrefresh(a->win[PANE_KEYS]);
    }
    if (STALE(PANE_PROMPT)) {
        prompt_view pv = {NULL, 0, &a->ver, a->note[0] ? a->note : NULL,
                          strcmp(a->prompt.line, a->sent_line) != 0,
                          task_hint(a->st.data.task)};
        char joined[PROMPT_MAX];
        const char *one = joined;
        verdict as_one;
        if (a->user && a->have_rev && a->st.data.tokens == S2S_TOKENS_CHARS) {
            /* Characters read as one string, marked right or wrong as a whole. */
            join_words(joined, sizeof joined, (const char *const *)a->rev.out, a->rev.n_words,
                       S2S_TOKENS_CHARS);
            as_one = a->ver;
            if (as_one.first_wrong >= 0) as_one.first_wrong = 0;
            as_one.n_out = 1;
            pv.words = &one;
            pv.n = 1;
            pv.v = &as_one;
        } else if (a->user && a->have_rev) {
            pv.words = (const char *const *)a->rev.out;
            pv.n = a->rev.n_words;
        }
        prompt_draw(a->win[PANE_PROMPT], s, &a->prompt, &pv);
    }
    wnoutrefresh(a->win[PANE_PROMPT]); /* always, and last: the cursor stays in the prompt */
#undef STALE
    memcpy(a->drawn, want, sizeof want);
    a->full = 0;

    if (a->help && a->helpwin) {
        curs_set(0);
        help_draw(a->helpwin, s);
        wnoutrefresh(a->helpwin);
    } else {
        curs_set(1);
    }
    doupdate();
}

/* ----------------------------------------------------------------- keys */

static void edit(app *a, prompt_key k, uint32_t ch)
{
    if (prompt_key_apply(&a->prompt, k, ch) == PROMPT_SUBMIT) submit(a);
}

static void on_key(app *a, int kind, wint_t ch)
{
    /* Commands work everywhere, even over the help. */
    int cmd = 0;
    if (kind == KEY_CODE_YES) {
        switch (ch) {
        case KEY_F(1): cmd = 'h'; break;
        case KEY_F(2): cmd = 's'; break;
        case KEY_F(3): cmd = 'p'; break;
        case KEY_F(5): cmd = 'e'; break;
        case KEY_F(6): cmd = 'l'; break;
        case KEY_F(10): cmd = 'q'; break;
        case KEY_RESIZE: cmd = 'r'; break;
        default: break;
        }
    } else {
        switch (ch) {
        case 7: cmd = 'h'; break;  /* ^G */
        case 19: cmd = 's'; break; /* ^S */
        case 16: cmd = 'p'; break; /* ^P */
        case 5: cmd = 'e'; break;  /* ^E */
        case 17: case 3: cmd = 'q'; break; /* ^Q ^C */
        case 12: cmd = 'L'; break; /* ^L */
        default: break;
        }
    }
    switch (cmd) {
    case 'h':
        a->help = !a->help;
        a->full = 1; /* the panes under the help come back */
        return;
    case 's': save_png(a); return;
    case 'p': toggle_pause(a); return;
    case 'e': start_eval(a); return;
    case 'l': a->log_scale = !a->log_scale; return;
    case 'q': begin_quit(a); return;
    case 'r': build_windows(a); return;
    case 'L':
        clearok(curscr, TRUE);
        a->full = 1;
        return;
    default: break;
    }
    if (a->help) { /* any other key closes the help */
        a->help = 0;
        a->full = 1;
        return;
    }
    if (kind == KEY_CODE_YES) {
        switch (ch) {
        case KEY_LEFT: edit(a, PK_LEFT, 0); break;
        case KEY_RIGHT: edit(a, PK_RIGHT, 0); break;
        case KEY_HOME: edit(a, PK_HOME, 0); break;
        case KEY_END: edit(a, PK_END, 0); break;
        case KEY_BACKSPACE: edit(a, PK_BACKSPACE, 0); break;
        case KEY_DC: edit(a, PK_DELETE, 0); break;
        case KEY_UP: edit(a, PK_UP, 0); break;
        case KEY_DOWN: edit(a, PK_DOWN, 0); break;
        case KEY_ENTER: edit(a, PK_ENTER, 0); break;
        case KEY_PPAGE: if (a->step > 0) a->step--; break;
        case KEY_NPAGE: if (a->have_rev && a->step + 1 < a->rev.steps) a->step++; break;
        default: break;
        }
        return;
    }
    switch (ch) {
    case 1: edit(a, PK_HOME, 0); break;        /* ^A */
    case 4: edit(a, PK_DELETE, 0); break;      /* ^D */
    case 8: case 127: edit(a, PK_BACKSPACE, 0); break;
    case 10: case 13: edit(a, PK_ENTER, 0); break;
    case 21: edit(a, PK_KILL_LINE, 0); break;  /* ^U */
    case 23: edit(a, PK_KILL_WORD, 0); break;  /* ^W */
    case 27: edit(a, PK_ESCAPE, 0); break;
    default:
        if (ch >= 32) edit(a, PK_CHAR, (uint32_t)ch);
        break;
    }
}

/* ---------------------------------------------------------------- set-up */

static int start_screen(app *a, s2s_error *err)
{
    a->scr = newterm(NULL, stdout, stdin);
    if (!a->scr) return s2s_fail(err, S2S_ERR_UNSUPPORTED, "cannot start the terminal UI (TERM=%s)",
                                 getenv("TERM") ? getenv("TERM") : "unset");
    set_term(a->scr);
    raw(); /* ^C ^S ^Q ^Z arrive as keys */
    noecho();
    nonl();
    set_escdelay(25);
    const char *nc = getenv("NO_COLOR");
    ui_style_init(&a->style, a->o->no_color || (nc && nc[0]));
    build_windows(a);
    return 0;
}

static void stop_screen(app *a)
{
    if (!a->scr) return;
    free_windows(a);
    endwin();
    delscreen(a->scr);
    a->scr = NULL;
}

static void log_intro(app *a)
{
    const s2s_config *c = model_config(a->st.m);
    const setup_data *d = &a->st.data;
    const char *file = d->data ? d->data : d->pairs;
    log_add(&a->log, LOG_INFO, "Task: %s; vocabulary size: %d%s; %d train / %d val / %d test%s%s",
            task_name(d->task), a->st.vocab.src.size, a->st.vocab.shared ? "" : " (source)",
            a->st.dtr.count, a->st.dva.count, a->st.dte.count, file ? " from " : "",
            file ? file : "");
    log_add(&a->log, LOG_INFO, "Model: %zu parameters (embed %d, hidden %d, %d layer%s, %s attention) on %s",
            model_num_params(a->st.m), c->embed, c->hidden, c->layers, c->layers == 1 ? "" : "s",
            attention_name(c->attention), a->st.be->name);
    if (a->on_gpu)
        log_add(&a->log, LOG_INFO, "the prompt and F5 decode on %s", a->ibe->name);
    if (a->st.resumed)
        log_add(&a->log, LOG_INFO, "continuing from %s (epoch %d); its configuration and vocabulary apply",
                a->o->model, a->st.meta.epoch);
    log_add(&a->log, LOG_INFO, "checkpoints and history.csv go to %s/; F1 for help", a->o->out);
    char probe[PROMPT_MAX];
    const s2s_sentence *p = &a->st.va.s[0];
    sentence_join(p, 0, p->len, d->tokens, probe, sizeof probe);
    log_add(&a->log, LOG_INFO, "probe (first validation sentence): %s", probe);
}

static void install_signals(struct sigaction old[3])
{
    static const int sigs[3] = {SIGTERM, SIGHUP, SIGINT};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction old[3])
{
    static const int sigs[3] = {SIGTERM, SIGHUP, SIGINT};
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);
}

/* --------------------------------------------------------------- running */

/* The shortest and longest training sentence in words (src_len counts
 * <EOS>); 0 and 0 for an empty set. */
static void training_lengths(const s2s_dataset *d, int *shortest, int *longest)
{
    *shortest = *longest = 0;
    if (d->count <= 0) return;
    *longest = d->max_src - 1;
    *shortest = d->src_len[0] - 1;
    for (int i = 1; i < d->count; i++)
        if (d->src_len[i] - 1 < *shortest) *shortest = d->src_len[i] - 1;
}

/* The UI's own state beside the training set-up: the snapshot buffer, the
 * chart's cells, the log, the inference model and the view of training. */
static int app_alloc(app *a)
{
    s2s_error err;
    s2s_error_clear(&err);
    a->nparams = model_num_params(a->st.m);
    a->on_gpu = strcmp(model_backend(a->st.m)->name, "cuda") == 0;
    a->params = malloc(sizeof(float) * a->nparams);
    a->chart = chart_raster_create();
    if (!a->params || !a->chart || log_create(&a->log, LOG_KEEP, &err) ||
        setup_infer_backend(a->on_gpu, 0, &a->ibe, &err) ||
        model_create(&a->im, model_config(a->st.m), a->ibe, &err) ||
        worker_view_create(&a->tv, &a->st.opts, &err)) {
        if (!a->params || !a->chart)
            snprintf(a->fatal, sizeof a->fatal,
                     "out of memory for the UI's copy of the weights (%zu floats) and its chart",
                     a->nparams);
        else
            snprintf(a->fatal, sizeof a->fatal, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* The log's first lines, the screen, the signal handlers, then training. */
static int app_start(app *a)
{
    s2s_error err;
    s2s_error_clear(&err);
    log_intro(a);
    if (start_screen(a, &err)) {
        snprintf(a->fatal, sizeof a->fatal, "%s", err.msg);
        return -1;
    }
    install_signals(a->old_sig);
    a->signals = 1;
    if (worker_start(&a->worker, a->st.m, &a->st.vocab, &a->st.dtr, &a->st.dva, &a->st.opts,
                     PUBLISH_S, &a->log, &err)) {
        a->worker = NULL;
        snprintf(a->fatal, sizeof a->fatal, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* Everything typed since the last frame, waiting up to a frame for the first. */
static void read_keys(app *a)
{
    WINDOW *in = input_window(a);
    wtimeout(in, FRAME_MS);
    wint_t ch;
    int kind = wget_wch(in, &ch);
    while (kind != ERR) {
        on_key(a, kind, ch);
        in = input_window(a);
        wtimeout(in, 0);
        kind = wget_wch(in, &ch);
    }
}

/* Frames until the user quits and the worker has stopped: keys, the
 * training view, a finished evaluation, the shown sentence, the log, draw. */
static void run_loop(app *a)
{
    for (;;) {
        if (g_signal) {
            begin_quit(a);
            g_signal = 0;
        }
        read_keys(a);
        worker_view(a->worker, &a->tv);
        if (a->quitting && worker_done(a->worker)) break;
        if (!a->reported && a->tv.phase >= PHASE_FINISHED) report_cpu(a);
        if (a->eval && eval_done(a->eval)) {
            eval_free(a->eval);
            a->eval = NULL;
        }
        refresh_shown(a);
        a->nlines = log_copy(&a->log, a->lines, LOG_VIEW, &a->log_total);
        draw(a);
    }
}

/* Stops and joins the worker; its failure becomes the fatal message unless
 * there is one already. */
static void stop_worker(app *a)
{
    if (!a->worker) return;
    worker_stop(a->worker);
    s2s_error werr;
    s2s_error_clear(&werr);
    int wr = worker_join(a->worker, &werr);
    a->worker = NULL;
    if (wr && wr != S2S_ERR_INTERRUPTED && !a->fatal[0])
        snprintf(a->fatal, sizeof a->fatal, "training failed: %s", werr.msg);
}

/* After the terminal is restored: how training ended and where the best
 * model is. */
static void print_outcome(const app *a)
{
    char best[4200];
    const char *how = a->tv.phase == PHASE_FINISHED ? "finished" : "stopped";
    if (setup_join_path(best, sizeof best, a->o->out, "best.ckpt") != 0) best[0] = '\0';
    if (!a->tv.have_progress)
        printf("seq2seq tui: stopped before the first batch\n");
    else if (a->tv.best_epoch > 0)
        printf("seq2seq tui: %s at epoch %d, batch %d; best model (epoch %d, val_loss %.4f) in %s\n",
               how, a->tv.prog.epoch, a->tv.prog.step, a->tv.best_epoch, (double)a->tv.best_val,
               best);
    else
        printf("seq2seq tui: %s at epoch %d, batch %d, before the first epoch ended; "
               "no best model saved%s%s%s\n", how, a->tv.prog.epoch, a->tv.prog.step,
               access(best, F_OK) == 0 ? " (" : "", access(best, F_OK) == 0 ? best : "",
               access(best, F_OK) == 0 ? " is from before)" : "");
}

static void app_free(app *a)
{
    if (a->have_rev) decoding_free(&a->rev);
    sentence_free(&a->sent);
    worker_view_free(&a->tv);
    if (a->im) model_free(a->im);
    backend_free(a->ibe);
    free(a->params);
    chart_raster_free(a->chart);
    log_free(&a->log);
    setup_training_free(&a->st);
    free(a);
}

int tui_run(const cli_opts *o)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "seq2seq tui: needs a terminal on standard input and output "
                        "(use 'seq2seq train' in scripts)\n");
        return CLI_EXIT_ERROR;
    }
    /* Wide characters and the terminal's encoding; numbers stay in the C
     * locale (history.csv and the log must not get decimal commas). */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");

    app *a = calloc(1, sizeof *a);
    if (!a) {
        fprintf(stderr, "seq2seq tui: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    a->o = o;
    prompt_init(&a->prompt);
    int rc = setup_training_create(&a->st, o, "tui", NULL);
    if (rc) {
        setup_training_free(&a->st);
        free(a);
        return rc;
    }
    training_lengths(&a->st.dtr, &a->train_shortest, &a->train_longest);
    if (app_alloc(a) == 0 && app_start(a) == 0) run_loop(a);

    stop_worker(a);
    if (a->eval) eval_free(a->eval);
    stop_screen(a); /* the terminal is restored before anything is printed */
    if (a->signals) restore_signals(a->old_sig);
    if (a->fatal[0]) {
        fprintf(stderr, "seq2seq tui: %s\n", a->fatal);
        rc = CLI_EXIT_ERROR;
    } else {
        print_outcome(a);
        rc = CLI_EXIT_OK;
    }
    app_free(a);
    return rc;
}
