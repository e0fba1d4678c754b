/* cmd_eval.c — `seq2seq eval`: the seed's report on the test set (ten
 * examples, exact-match accuracy), then token accuracy, exact match by
 * length and the attention heatmap of one sentence. The numbers come from
 * the core (decode.h, evaluate.h); this file prints them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "decode.h"
#include "evaluate.h"
#include "figures.h"
#include "setup.h"
#include "task.h"
#include "attnjson.h"

static const char *word_of(const s2s_vocab *v, int id)
{
    return (id >= 0 && id < v->size) ? v->word[id] : "<?>";
}

/* Prints ids[0..n) as text: words separated by single spaces, characters
 * side by side. */
static void print_words(const s2s_vocab *v, const int *ids, int n, int tokens)
{
    const size_t need = ids_join(v, ids, n, tokens, NULL, 0) + 1;
    char *buf = malloc(need);
    if (!buf) return;
    ids_join(v, ids, n, tokens, buf, need);
    fputs(buf, stdout);
    free(buf);
}

static void print_examples(const s2s_vocabs *v, int tokens, const s2s_dataset *d,
                           const s2s_decoded *res, int shown)
{
    printf("\n%s\nQUALITATIVE EXAMPLES\n%s\n\n", CLI_RULE, CLI_RULE);
    for (int i = 0; i < shown; i++) {
        printf("Example %d:\n", i + 1);
        printf("  Input:     ");
        print_words(&v->src, d->src + d->src_off[i], d->src_len[i] - 1, tokens);
        printf("\n  Output:    ");
        print_words(vocabs_tgt(v), res->out + res->out_off[i], res->out_len[i], tokens);
        printf("\n  Reference: ");
        print_words(vocabs_tgt(v), d->tgt + d->tgt_off[i] + 1, d->tgt_len[i] - 2, tokens);
        printf("\n  Status:    %s\n\n", res->correct[i] ? "\xe2\x9c\x93 MATCH" : "x NO MATCH");
    }
}

/* Exact match, token accuracy, and exact match for each source length (in
 * words, or characters) the test set has. */
static int print_metrics(const s2s_dataset *d, const s2s_decoded *res, int tokens,
                         s2s_error *err)
{
    printf("%s\nQUANTITATIVE METRIC\n%s\n", CLI_RULE, CLI_RULE);
    printf("Exact Match Accuracy: %.2f%% (%d/%d)\n",
           100.0 * (double)res->n_correct / (double)res->count, res->n_correct, res->count);
    long ok, total;
    token_accuracy(d, res, &ok, &total);
    printf("Token Accuracy: %.2f%% (%ld/%ld)\n",
           total ? 100.0 * (double)ok / (double)total : 0.0, ok, total);
    const int maxw = d->max_src - 1;
    long *count = calloc((size_t)maxw + 1, sizeof *count);
    long *correct = calloc((size_t)maxw + 1, sizeof *correct);
    if (!count || !correct) {
        free(count);
        free(correct);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for counts of %d lengths", maxw + 1);
    }
    exact_by_length(d, res->correct, maxw, count, correct);
    printf("\nExact Match by Source Length:\n  %5s  Sentences  Exact Match\n",
           tokens == S2S_TOKENS_CHARS ? "Chars" : "Words");
    for (int w = 0; w <= maxw; w++)
        if (count[w])
            printf("  %5d  %9ld  %6.2f%% (%ld/%ld)\n", w, count[w],
                   100.0 * (double)correct[w] / (double)count[w], correct[w], count[w]);
    printf("\n");
    free(count);
    free(correct);
    return 0;
}

/* The heatmap of test sentence i from its batch decoding, labelled with
 * the sentence's own words (an unknown word keeps its spelling). */
static int write_decoded_heatmap(const char *path, const s2s_vocabs *vs, int tokens, const s2s_sentence *s,
                                 const s2s_decoded *res, int i, s2s_error *err)
{
    const int steps = res->steps[i], nw = res->out_len[i], pre = res->prefix;
    const char **src = malloc(sizeof(char *) * ((size_t)pre + s->len + 1));
    const char **out = malloc(sizeof(char *) * ((size_t)steps + 1));
    if (!src || !out) {
        free(src);
        free(out);
        return s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the labels of %s", path);
    }
    for (int j = 0; j < pre; j++) src[j] = "<SOS>";
    for (int j = 0; j < s->len; j++) src[pre + j] = s->w[j];
    src[pre + s->len] = "<EOS>";
    const s2s_vocab *v = vocabs_tgt(vs);
    for (int t = 0; t < steps; t++)
        out[t] = t < nw ? word_of(v, res->out[res->out_off[i] + t]) : "<EOS>";
    int rc = png_write_attention(path, src, pre + s->len + 1, out, steps, res->attn[i], tokens,
                                 err);
    free(src);
    free(out);
    return rc;
}

/* The seed's figure: the first test sentence's attention, or --sentence's,
 * then the seed's line saying where it went. */
static int write_heatmap(const cli_opts *o, const cli_model *cm, const s2s_sentence *sent,
                         const s2s_sentence *first, const s2s_decoded *res, s2s_error *err)
{
    if (model_config(cm->m)->attention == S2S_ATTN_NONE) {
        fflush(stdout);
        fprintf(stderr, "seq2seq eval: note: the model has no attention (--attention none); "
                        "no heatmap written\n");
        return 0;
    }
    int rc;
    if (sent->len > 0) {
        s2s_decoding rv;
        rc = decode_sentence_beam(cm->m, &cm->vocab, sent, o->beam, &rv, err);
        if (!rc)
            rc = png_write_attention(o->heatmap, (const char *const *)rv.src, rv.n_src,
                                     (const char *const *)rv.out, rv.steps, rv.attn,
                                     cm->meta.tokens, err);
        decoding_free(&rv);
    } else {
        rc = write_decoded_heatmap(o->heatmap, &cm->vocab, cm->meta.tokens, first, res, 0, err);
    }
    if (!rc) printf("Attention heatmap saved to %s\n", o->heatmap);
    return rc;
}

/* --sentence is checked before anything is loaded. */
static int check_sentence(const cli_opts *o, s2s_sentence *sent)
{
    if (!o->sentence) return 0;
    if (o->no_heatmap) {
        fprintf(stderr, "seq2seq eval: --sentence draws a heatmap; --no-heatmap says not to\n");
        return CLI_EXIT_USAGE;
    }
    s2s_error err;
    s2s_error_clear(&err);
    int bad = sentence_tokenize_max(o->sentence, S2S_MAX_INPUT_WORDS, sent, &err);
    if (bad || sent->len == 0) {
        fprintf(stderr, "seq2seq eval: --sentence: %s\n", bad ? err.msg : "empty sentence");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static void print_header(const cli_opts *o, const cli_model *cm, uint64_t seed,
                         const s2s_dataset *d)
{
    printf("Model: %s (epoch %d", o->model, cm->meta.epoch);
    if (!isnan(cm->meta.val_loss)) printf(", val_loss %.4f", (double)cm->meta.val_loss);
    printf(", device %s)\n", cm->be->name);
    if (o->oracle_length)
        printf("Oracle length: no sentence may write <EOS> before its own number of words\n");
    if (o->test)
        printf("Test set: %s, %d sentences", o->test, d->count);
    else
        printf("Test set: %s, seed %llu, %d sentences",
               o->data                                 ? o->data
               : cm->meta.task == S2S_TASK_REVERSE ? "synthetic"
                                                       : task_name(cm->meta.task),
               (unsigned long long)seed, d->count);
    if (d->unknown > 0) printf(", %d unknown words", d->unknown);
    printf("\n");
}

/* --attention-out: every test sentence's source, output, attention,
 * reference and whether it matches. */
static int write_attention_out(const char *path, const cli_model *cm, const s2s_corpus *te,
                               const s2s_dataset *d, const s2s_decoded *res, s2s_error *err)
{
    attn_jsonl j;
    int rc = attn_jsonl_open(&j, path, err);
    const s2s_vocab *tv = vocabs_tgt(&cm->vocab);
    const int has_attn = model_config(cm->m)->attention != S2S_ATTN_NONE, pre = res->prefix;
    for (int i = 0; !rc && i < d->count; i++) {
        const s2s_sentence *s = &te->s[i];
        const int steps = res->steps[i], nw = res->out_len[i], nref = d->tgt_len[i] - 2;
        const char **src = malloc(sizeof(char *) * ((size_t)pre + s->len + 1));
        const char **out = malloc(sizeof(char *) * ((size_t)steps + 1));
        const char **ref = malloc(sizeof(char *) * ((size_t)nref + 1));
        if (!src || !out || !ref) {
            rc = s2s_fail(err, S2S_ERR_NOMEM, "out of memory for the labels of sentence %d",
                          i + 1);
        } else {
            for (int k = 0; k < pre; k++) src[k] = "<SOS>";
            for (int k = 0; k < s->len; k++) src[pre + k] = s->w[k];
            src[pre + s->len] = "<EOS>";
            for (int t = 0; t < steps; t++)
                out[t] = t < nw ? word_of(tv, res->out[res->out_off[i] + t]) : "<EOS>";
            /* The reference as written (an unknown target word keeps its spelling). */
            for (int k = 0; k < nref; k++)
                ref[k] = te->t ? te->t[i].w[k] : s->w[s->len - 1 - k];
            rc = attn_jsonl_write(&j, src, pre + s->len + 1, out, steps,
                                  has_attn ? res->attn[i] : NULL, ref, nref, res->correct[i],
                                  err);
        }
        free(src);
        free(out);
        free(ref);
    }
    int rc2 = attn_jsonl_close(&j, err);
    return rc ? rc : rc2;
}

/* A target word the vocabulary lacks is <UNK> in the reference, and <UNK> in
 * the output would match it by ids whatever word it stands for; so where the
 * targets are given (pairs, and the tasks that compute theirs), an output is
 * right when its words, after the copy-through rule, are the reference's. */
static void score_by_words(const cli_model *cm, const s2s_corpus *te, s2s_decoded *res)
{
    const int has_attn = model_config(cm->m)->attention != S2S_ATTN_NONE;
    res->n_correct = 0;
    for (int i = 0; i < res->count; i++) {
        const int step = decoded_first_error_words(
            &te->s[i], &te->t[i], &cm->vocab, res->out + res->out_off[i], res->out_len[i],
            res->stopped[i], has_attn ? res->attn[i] : NULL, res->steps[i], res->prefix);
        res->correct[i] = step == 0;
        res->n_correct += res->correct[i];
    }
}

/* The test set: --test FILE, or the test split of the model's data. */
static int make_test_set(const cli_opts *o, const cli_model *cm, uint64_t seed, s2s_corpus *te,
                         long *skipped, s2s_error *err)
{
    const int task = cm->meta.task, tokens = cm->meta.tokens;
    *skipped = 0;
    if (o->test) return setup_read_test(o->test, task, tokens, o->skip_bad, te, skipped, err);
    if (task == S2S_TASK_PAIRS)
        return s2s_fail(err, S2S_ERR_ARG, "%s was trained on pairs of your own: give the test "
                        "pairs with --test FILE", cm->path);
    if (o->data && task != S2S_TASK_REVERSE)
        return s2s_fail(err, S2S_ERR_ARG, "--data is for reversal models; %s was trained for "
                        "the task '%s'", cm->path, task_name(task));
    const setup_data sd = {.task = task, .tokens = tokens, .data = o->data, .seed = seed};
    s2s_corpus tr, va;
    int rc = setup_make_corpus(&sd, &tr, &va, te, skipped, err);
    corpus_free(&tr);
    corpus_free(&va);
    return rc;
}

int cmd_eval(const cli_opts *o)
{
    s2s_error err;
    s2s_error_clear(&err);
    cli_model cm;
    memset(&cm, 0, sizeof cm);
    s2s_corpus te = {0};
    s2s_dataset dte = {0};
    s2s_decoded res;
    memset(&res, 0, sizeof res);
    s2s_sentence sent = {0};
    int rc = check_sentence(o, &sent);
    if (rc) goto done;
    if ((rc = cli_model_open(&cm, o, "eval", o->model)) != 0) goto done;
    if (o->sentence && cm.meta.tokens == S2S_TOKENS_CHARS) { /* the model reads characters */
        sentence_free(&sent);
        if (sentence_tokenize_as(o->sentence, S2S_TOKENS_CHARS, S2S_MAX_INPUT_WORDS, &sent, &err))
            goto fail;
    }
    if (o->beam > 1 && o->oracle_length) {
        fprintf(stderr, "seq2seq eval: --oracle-length measures greedy decoding; drop --beam\n");
        rc = CLI_EXIT_USAGE;
        goto done;
    }

    const uint64_t seed = o->seed_given ? o->seed : cm.meta.seed;
    long skipped = 0;
    if (make_test_set(o, &cm, seed, &te, &skipped, &err) ||
        dataset_create(&dte, &te, &cm.vocab, &err))
        goto fail;
    if (dte.count == 0) {
        s2s_fail(&err, S2S_ERR_ARG, "the test set is empty");
        goto fail;
    }
    if ((o->oracle_length ? decode_dataset_oracle(cm.m, &dte, 64, 1, &res, &err)
         : o->beam > 1    ? decode_dataset_beam(cm.m, &dte, o->beam, 1, &res, &err)
                          : decode_dataset(cm.m, &dte, 64, 1, &res, &err)))
        goto fail;

    if (te.t) score_by_words(&cm, &te, &res);
    print_header(o, &cm, seed, &dte);
    if (skipped) printf("Skipped %ld bad line%s of %s (--skip-bad)\n", skipped,
                        skipped == 1 ? "" : "s", o->test);
    print_examples(&cm.vocab, cm.meta.tokens, &dte, &res,
                   o->examples < dte.count ? o->examples : dte.count);
    if (print_metrics(&dte, &res, cm.meta.tokens, &err)) goto fail;
    if (o->attention_out && write_attention_out(o->attention_out, &cm, &te, &dte, &res, &err))
        goto fail;
    if (!o->no_heatmap && write_heatmap(o, &cm, &sent, &te.s[0], &res, &err)) goto fail;
    rc = CLI_EXIT_OK;
    goto done;
fail:
    rc = cli_fail("eval", &err);
done:
    fflush(stdout);
    sentence_free(&sent);
    decoded_free(&res);
    dataset_free(&dte);
    corpus_free(&te);
    cli_model_close(&cm);
    return rc;
}
