/* opt: command-line options from one table.  Each row is one option: its
 * long name, short letter, argument, what it does and its --help text; the
 * getopt_long array, the short-options string, the dispatch and the
 * options part of --help are all made from the rows, so an option is
 * written once.  Rows store into fields of the caller's struct (offsetof),
 * so a table is const data and can be parsed into any instance.  The same
 * rows read a config file and the environment (opt-config.h). */
#ifndef SMTPSCOPE_OPT_H
#define SMTPSCOPE_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a row does with its option; the kind also says whether it takes an
 * argument (OPT_RUN: when the row names one). */
enum opt_kind {
	OPT_FLAG,   /* bool field = true; no argument */
	OPT_INT,    /* int field = value; no argument */
	OPT_STRING, /* const char * field = the argument */
	OPT_PARSE,  /* parse(argument, field) must accept it, else "--NAME wants WANTS" */
	OPT_RUN,    /* run(): anything special, e.g. --help */
};

struct opt_spec;
struct opt_table;

/* OPT_RUN: returns -1 to go on, or the exit status to end with. */
typedef int (*opt_run_fn)(const struct opt_table *t, const struct opt_spec *s,
			  const char *arg, void *base);

struct opt_spec {
	const char *name;   /* long name without "--"; NULL: a letter only */
	int letter;         /* short option; 0: none */
	const char *arg;    /* the argument's name in --help ("SECONDS"); NULL: none */
	enum opt_kind kind;
	size_t field;       /* offsetof() the field in the caller's struct */
	int value;          /* OPT_INT: what is stored */
	bool (*parse)(const char *arg, void *field); /* OPT_PARSE */
	const char *wants;  /* OPT_PARSE: what would be right, for the error */
	opt_run_fn run;     /* OPT_RUN */
	/* --help text, lines separated by \n (wrapped by hand); NULL: shown
	 * together with the next row ("-4, -6", "--cert FILE, --key FILE"). */
	const char *help;
	const char *operand; /* shown after the name but not its argument ("[SCENARIO]") */
	/* The argument may be left out ("--auth" or "--auth PLAIN"; --help
	 * shows "--auth [MECH]"): given as "--NAME=ARG", or as the next word
	 * when next_is_arg() says that word is one (so "--auth HOST" still
	 * leaves HOST an operand).  The row gets NULL when it is left out. */
	bool arg_optional;
	bool (*next_is_arg)(const char *word);
	const char *section; /* the --help heading it is listed under */
	/* Config files and the environment (opt-config.h): */
	bool cmdline_only;   /* refused there (--help, --config) */
	bool secret;         /* a secret, or where one is: only in a private file */
	/* Repeatable: forgets the values an earlier source gave, before the
	 * row's first value in each source, so the command line's replace
	 * the config file's instead of adding to them. */
	void (*reset)(void *base);
};

struct opt_table {
	const char *prog;        /* error prefix: "smtpscope" */
	const struct opt_spec *specs;
	size_t n;
	int usage_status;        /* exit status of a usage error */
	const char *usage_error; /* printed after getopt's own complaint */
};

/* One source of options being applied: the command line, a config file,
 * the environment. */
struct opt_source {
	const char *where; /* after "PROG: " in its errors ("FILE:LINE"); NULL: none */
	bool *seen;        /* per row: given already in this source (for reset) */
	FILE *err;         /* where errors go */
};

/* The --help column where the help text starts (after "  -b, --batch"). */
#define OPT_HELP_COLUMN 27

/* getopt_long's array (val: the letter, or 256 + the row), terminated by
 * a zero entry; and the short-options string ("bp:t:").  Caller frees. */
struct option *opt_longopts(const struct opt_table *t);
char *opt_shortopts(const struct opt_table *t);
/* The row that getopt_long's return value c stands for, or NULL. */
const struct opt_spec *opt_find(const struct opt_table *t, int c);

/* Does what row s says with arg (NULL when it takes none): -1 to go on,
 * or the exit status to end with, after saying why on src->err. */
int opt_apply(const struct opt_table *t, const struct opt_spec *s, const char *arg,
	      void *base, struct opt_source *src);

/* Says "PROG: [WHERE: ]MESSAGE" on src's error stream; returns
 * t->usage_status. */
int opt_fail_in(const struct opt_table *t, const struct opt_source *src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* For a row's run(): says "PROG: [WHERE: ]MESSAGE" where the option being
 * applied came from, on its source's error stream (stderr outside
 * opt_apply), and returns t->usage_status. */
int opt_fail(const struct opt_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses argv's options into base (the struct the rows' fields are in).
 * Returns -1 when all went well (optind is then the first operand), or
 * the exit status to end with: a row's run() said so; an argument its row
 * refuses ("PROG: --NAME wants WANTS (got "ARG")" on err); an unknown
 * option or a missing argument (getopt says which on stderr, then
 * usage_error goes to err). */
int opt_parse(const struct opt_table *t, int argc, char **argv, void *base, FILE *err);

/* The options part of --help: for each section, a blank line, "SECTION:",
 * then its rows ("  -p, --port PORT" padded to OPT_HELP_COLUMN, or on a
 * line of its own when longer, then the help lines). */
void opt_help(const struct opt_table *t, FILE *f);

#endif
