/* cli-options: smtpscope's command-line options, one row each in a table
 * (see opt.h) from which their parsing and --help are made; the checks
 * across options (--tls with --starttls, --tls-min above --tls-max, the TLS
 * files, the one-shot transaction's: oneshot.h) and the operand
 * (HOST[:PORT], or the scenario of --demo). */
#ifndef SMTPSCOPE_CLI_OPTIONS_H
#define SMTPSCOPE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "smtpscope/front.h"
#include "smtpscope/opt-config.h"
#include "smtpscope/oneshot.h"
#include "smtpscope/opt.h"

#define CLI_SERVE_DEFAULT_LISTEN "127.0.0.1:2525"

struct cli_options {
	struct front_options front; /* target, default_port, client, print, auth, save, replay */
	bool batch;                 /* -b: line mode even at a terminal */
	bool demo;                  /* --demo: the operand is a scenario */
	const char *port;           /* -p PORT; NULL: 25, or 465 with --tls */
	const char *scenario;       /* what the demo plays: --demo SCENARIO, else "happy" */
	const char *lang;           /* --lang LL: the explanations' language */
	struct opt_config config;   /* the config file's text, which values point into */
	struct oneshot_options oneshot; /* --to ...: a one-shot transaction */
	/* The command line with swaks' --h-NAME VALUE turned into --header
	 * 'NAME: VALUE' (what the options point into), and those values;
	 * NULL when it has none (the options point into argv). */
	char **argv;
	char **h_fields;
	size_t nh_fields;
};

/* The table of `smtpscope [OPTIONS] [HOST[:PORT]]`. */
extern const struct opt_table cli_option_table;

/* Fills *o from the defaults and argv (which it must outlive).  Returns -1
 * to go on, or the exit status to end with: 0 after --help or --version,
 * BATCH_EXIT_USAGE after saying on stderr what was wrong.  The config file
 * and the SMTPSCOPE_OPT_* variables come first (opt-config.h). */
int cli_options_parse(struct cli_options *o, int argc, char **argv);

/* Loads and checks the files the TLS options name (--cafile, --cert,
 * ...), as a connection would, so that a wrong one is a usage error
 * before anything is sent.  A step of its own, after parsing: main()
 * reads the knowledge base on another thread meanwhile.  -1 to go on,
 * or BATCH_EXIT_USAGE after saying on stderr what was wrong. */
int cli_options_load(const struct cli_options *o);

/* Frees what cli_options_parse() kept. */
void cli_options_free(struct cli_options *o);

/* smtpscope --help. */
void cli_usage(FILE *f);

#endif
