/* app.h — `seq2seq tui` (and plain `seq2seq`): the terminal UI.
 *
 * Trains on a worker thread (worker.h) exactly as `seq2seq train` does
 * (same options, same files in --out), or continues from --model FILE,
 * while the UI thread draws the loss chart, the attention heatmap of a probe
 * sentence or of the user's sentence, a status line, a log and a prompt,
 * at 10-20 frames a second. */
#ifndef S2S_APP_H
#define S2S_APP_H

#include "options.h"

/* Runs the UI until the user quits; returns the exit status (0 on quit,
 * 1 if set-up or training failed, with the message printed after the
 * terminal is restored). Needs a terminal on stdin and stdout. */
int tui_run(const cli_opts *o);

#endif
