/* evaluated.c — a model decoded on the sets analyze and compare use; see evaluated.h. */
#include "evaluated.h"

#include <stdio.h>
#include <string.h>

#include "evaluate.h"

enum { DECODE_BATCH = 64 };

void evaluated_close(evaluated *e)
{
    decoded_free(&e->rte);
    decoded_free(&e->rlg);
    dataset_free(&e->dte);
    dataset_free(&e->dlg);
    corpus_free(&e->tr);
    corpus_free(&e->va);
    corpus_free(&e->te);
    corpus_free(&e->lg);
    cli_model_close(&e->cm);
    memset(e, 0, sizeof *e);
}

int evaluated_open(evaluated *e, const cli_opts *o, const char *cmd, const char *path,
                   int keep_attn)
{
    memset(e, 0, sizeof *e);
    int rc = cli_model_open(&e->cm, o, cmd, path);
    if (rc) return rc;
    s2s_error err;
    s2s_error_clear(&err);
    if (setup_make_corpus(NULL, e->cm.meta.seed, &e->tr, &e->va, &e->te, &err) ||
        dataset_create(&e->dte, &e->te, &e->cm.vocab, &err))
        return cli_fail(cmd, &err);
    if (e->dte.unknown > 0) {
        s2s_fail(&err, S2S_ERR_ARG,
                 "%s: %d words of the synthetic test set are not in the model's vocabulary; "
                 "%s works on the seed's synthetic task only (was the model trained with --data?)",
                 path, e->dte.unknown, cmd);
        return cli_fail(cmd, &err);
    }
    if (corpus_synthetic_lengths(&e->lg, ANALYZE_LONG_N, ANALYZE_LONG_MIN, ANALYZE_LONG_MAX,
                                 ANALYZE_LONG_SEED, &err) ||
        dataset_create(&e->dlg, &e->lg, &e->cm.vocab, &err) ||
        decode_dataset(e->cm.m, &e->dte, DECODE_BATCH, keep_attn, &e->rte, &err) ||
        decode_dataset(e->cm.m, &e->dlg, DECODE_BATCH, keep_attn, &e->rlg, &err))
        return cli_fail(cmd, &err);
    exact_by_length(&e->dte, e->rte.correct, EVAL_MAXW, e->count, e->correct);
    exact_by_length(&e->dlg, e->rlg.correct, EVAL_MAXW, e->count, e->correct);
    return CLI_EXIT_OK;
}

void evaluated_range(const evaluated *e, int lo, int hi, long *k, long *n)
{
    *k = *n = 0;
    for (int w = lo; w <= hi; w++) {
        *k += e->correct[w];
        *n += e->count[w];
    }
}
