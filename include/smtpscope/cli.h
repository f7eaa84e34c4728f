/* cli: subcommands that run without a session (`smtpscope explain ...`).
 * They print to stdout/stderr and return an exit status. */
#ifndef SMTPSCOPE_CLI_H
#define SMTPSCOPE_CLI_H

#include "smtpscope/kb.h"

/* smtpscope explain CODE [ENHANCED] | ENHANCED | --reply TEXT |
 * --compare A B | --check, with --after COMMAND, --tls, --json. */
int cli_explain_main(int argc, char **argv);
/* smtpscope probe ADDRESS|DOMAIN [--from ADDRESS] [--json] ...: the
 * delivery probe (probe.h); returns the verdict's exit status. */
int cli_probe_main(int argc, char **argv);
/* smtpscope tlsa HOST[:PORT] [--json] ...: the TLSA records the server's
 * chain calls for, compared with DNS (tlsa.h); returns 0 or 70-74. */
int cli_tlsa_main(int argc, char **argv);
/* smtpscope mtasts DOMAIN [--json] ...: the domain's MTA-STS and TLS-RPT
 * (mtasts-fetch.h); returns 0 or 60-64 by the state, 2 for bad usage. */
int cli_mtasts_main(int argc, char **argv);
/* Loads the knowledge base, printing every problem to stderr as
 * "smtpscope: FILE:LINE: message".  Never NULL. */
struct kb *cli_load_kb(size_t *errors);
/* The same into an empty kb (kb_new()); returns the number of problems. */
size_t cli_fill_kb(struct kb *kb);
/* cli_fill_kb() in two steps, for a kb read on another thread: the
 * reading, which prints nothing (and touches nothing but the kb), then
 * the printing of its problems. */
size_t cli_read_kb(struct kb *kb);
void cli_report_kb(const struct kb *kb);
/* Sets the language of the messages and of the explanations
 * cli_load_kb() reads: lang (--lang), or NULL for the environment's
 * (i18n_init).  False, after saying why on stderr, for a language
 * smtpscope has no translation for. */
bool cli_set_lang(const char *lang);

#endif
