/* opt-config: a table's options (opt.h) also from a config file and from
 * the environment, each applied through the option's own row, so a value
 * is checked by the same parser and refused in the same words, after
 * "FILE:LINE: " or the variable's name.
 *
 * The file ($XDG_CONFIG_HOME/PROG/config, else ~/.config/PROG/config;
 * --config FILE instead; --no-config reads neither it nor the
 * environment): one option a line, its
 * long name without the dashes (a leading "--" is allowed), then its value
 * after spaces or one "=" ("timeout 30", "timeout=30"), taken to the end
 * of the line, trailing blanks dropped, no quoting; a flag alone on its
 * line, or with yes/no (1/0, true/false, on/off); blank lines, and lines
 * whose first non-blank is "#", are ignored.  The environment:
 * PROG_OPT_NAME=VALUE, NAME the long name upper-cased with "-" as "_"
 * (SMTPSCOPE_OPT_CONNECT_TIMEOUT=5); a flag's value is one of those yes/no
 * words; an empty value is refused.  The command line beats the
 * environment, which beats the file; the last value within one source
 * wins, and a repeatable row's values (opt_spec.reset) from a later
 * source replace an earlier source's.  Rows marked cmdline_only are
 * refused in both, rows marked secret in a file others may read or write.
 *
 * opt_config_text() and opt_config_env() are sans-I/O (text and an
 * environment array in, errors on a stream); opt_config_parse() is the
 * whole command line: it finds and reads the file (opt-config-file.c). */
#ifndef SMTPSCOPE_OPT_CONFIG_H
#define SMTPSCOPE_OPT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "smtpscope/opt.h"

/* The largest config file read. */
#define OPT_CONFIG_MAX (1024 * 1024)

/* A config file as opened: its name for messages, and what the secret
 * rule needs to know of it. */
struct opt_config_file {
	const char *name;
	unsigned mode;     /* permission bits (st_mode & 07777) */
	bool owned;        /* owned by the user running the program */
};

/* What must outlive the options: the file's text, which string values
 * point into. */
struct opt_config {
	char *text;
};

void opt_config_free(struct opt_config *c);

/* The file is private: mode 0600 or stricter, and the user's own. */
bool opt_config_private(const struct opt_config_file *f);

/* Applies the lines of text (len bytes, then a NUL; cut in place into
 * values that rows keep pointers to, so text must outlive base's use) into
 * base through t's rows.  Returns -1 when all went well, else
 * t->usage_status after saying "PROG: FILE:LINE: ..." and what would be
 * right on err (the first bad line; nothing after it is applied). */
int opt_config_text(const struct opt_table *t, const struct opt_config_file *f, char *text,
		    size_t len, void *base, FILE *err);

/* Applies env's PROG_OPT_* entries ("NAME=VALUE" strings, NULL-terminated;
 * values are pointed to, so env must outlive base's use).  Returns -1, or
 * t->usage_status after saying "PROG: PROG_OPT_NAME: ..." on err. */
int opt_config_env(const struct opt_table *t, char *const *env, void *base, FILE *err);

/* The default file's path for env (caller frees), or NULL when neither
 * XDG_CONFIG_HOME (absolute) nor HOME is set. */
char *opt_config_default_path(const struct opt_table *t, char *const *env);

/* The rows' run() of --config FILE and --no-config: argv is scanned for
 * them before anything is applied, so in opt_parse they do nothing. */
int opt_config_run_file(const struct opt_table *t, const struct opt_spec *s,
			const char *arg, void *base);
int opt_config_run_none(const struct opt_table *t, const struct opt_spec *s,
			const char *arg, void *base);

/* opt_parse() with the config file and the environment first: argv is
 * scanned for --config FILE and --no-config (and for the other
 * cmdline_only rows, --help and --version, which read no configuration);
 * the file (--config's, else the default one if it exists) and env's
 * variables are applied, then argv.  The file's text is kept in *keep
 * (opt_config_free).  Returns as opt_parse(); an explicit file that
 * cannot be read, or an existing default one, is a usage error. */
int opt_config_parse(const struct opt_table *t, int argc, char **argv, void *base,
		     struct opt_config *keep, char *const *env, FILE *err);

#endif
