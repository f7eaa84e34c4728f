/* cli: subcommands that run without a session (`smtpscope explain ...`).
 * They print to stdout/stderr and return an exit status. */
#ifndef SMTPSCOPE_CLI_H
#define SMTPSCOPE_CLI_H

#include "smtpscope/kb.h"

/* smtpscope explain CODE [ENHANCED] | ENHANCED | --reply TEXT |
 * --compare A B | --check, with --after COMMAND, --tls, --json. */
int cli_explain_main(int argc, char **argv);
/* Loads the knowledge base, printing every problem to stderr as
 * "smtpscope: FILE:LINE: message".  Never NULL. */
struct kb *cli_load_kb(size_t *errors);

#endif
