/* commands.h — the sub-commands of the seq2seq program, one file each
 * (cmd_*.c). Each takes the parsed options, prints its own output and its
 * failures (stderr, "seq2seq CMD: ..."), and returns a CLI_EXIT_* status. */
#ifndef S2S_COMMANDS_H
#define S2S_COMMANDS_H

#include "options.h"

int cmd_train(const cli_opts *o);
int cmd_eval(const cli_opts *o);
int cmd_reverse(const cli_opts *o);
int cmd_predict(const cli_opts *o);
int cmd_analyze(const cli_opts *o);
int cmd_compare(const cli_opts *o);

/* The rule the reports print between sections. */
extern const char CLI_RULE[];

#endif
