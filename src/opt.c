/* opt: the getopt_long array, the short-options string, the dispatch and
 * the options part of --help, all made from one table of rows; opt_apply()
 * and the errors' "PROG: WHERE: " prefix, which the config file and the
 * environment (opt-config.c) share with the command line. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/opt.h"
#include "smtpscope/util.h"

/* getopt_long's val for a row without a letter: above every char. */
#define OPT_VAL_BASE 256

static bool opt_takes_arg(const struct opt_spec *s)
{
	return s->arg != NULL;
}

struct option *opt_longopts(const struct opt_table *t)
{
	struct option *o = xcalloc(t->n + 1, sizeof *o);
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct opt_spec *s = &t->specs[i];

		if (s->name == NULL)
			continue;
		o[k].name = s->name;
		o[k].has_arg = !opt_takes_arg(s) ? no_argument :
			       s->arg_optional ? optional_argument : required_argument;
		o[k].flag = NULL;
		o[k].val = s->letter ? s->letter : OPT_VAL_BASE + (int)i;
		k++;
	}
	return o; /* xcalloc left the terminating entry zero */
}

char *opt_shortopts(const struct opt_table *t)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < t->n; i++) {
		const struct opt_spec *s = &t->specs[i];

		if (s->letter == 0)
			continue;
		buf_addc(&b, (char)s->letter);
		if (opt_takes_arg(s))
			buf_adds(&b, s->arg_optional ? "::" : ":");
	}
	return buf_steal(&b);
}

const struct opt_spec *opt_find(const struct opt_table *t, int c)
{
	if (c >= OPT_VAL_BASE && (size_t)(c - OPT_VAL_BASE) < t->n)
		return &t->specs[c - OPT_VAL_BASE];
	for (size_t i = 0; c > 0 && i < t->n; i++)
		if (t->specs[i].letter == c)
			return &t->specs[i];
	return NULL;
}

/* "--name" or "-x", for error messages. */
static void opt_say_name(const struct opt_spec *s, FILE *err)
{
	if (s->name)
		fprintf(err, "--%s", s->name);
	else
		fprintf(err, "-%c", s->letter);
}

/* The source of the row being applied, for opt_fail() in its run(). */
static struct opt_source *opt_now;

static void opt_say_prefix(const struct opt_table *t, const struct opt_source *src)
{
	fprintf(src->err, "%s: ", t->prog);
	if (src->where)
		fprintf(src->err, "%s: ", src->where);
}

static int opt_vfail(const struct opt_table *t, const struct opt_source *src,
		     const char *fmt, va_list ap)
{
	opt_say_prefix(t, src);
	vfprintf(src->err, fmt, ap);
	fputc('\n', src->err);
	return t->usage_status;
}

int opt_fail_in(const struct opt_table *t, const struct opt_source *src, const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = opt_vfail(t, src, fmt, ap);
	va_end(ap);
	return status;
}

int opt_fail(const struct opt_table *t, const char *fmt, ...)
{
	struct opt_source none = { NULL, NULL, stderr };
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = opt_vfail(t, opt_now ? opt_now : &none, fmt, ap);
	va_end(ap);
	return status;
}

static int opt_apply_kind(const struct opt_table *t, const struct opt_spec *s,
			  const char *arg, void *base, struct opt_source *src)
{
	void *field = (char *)base + s->field;
	char *shown;

	switch (s->kind) {
	case OPT_FLAG:
		*(bool *)field = true;
		return -1;
	case OPT_INT:
		*(int *)field = s->value;
		return -1;
	case OPT_STRING:
		*(const char **)field = arg;
		return -1;
	case OPT_PARSE:
		if (s->parse(arg, field))
			return -1;
		opt_say_prefix(t, src);
		opt_say_name(s, src->err);
		shown = util_escape_dup(arg, strlen(arg));
		fprintf(src->err, _(" wants %s (got \"%s\")\n"), _(s->wants), shown);
		free(shown);
		return t->usage_status;
	case OPT_RUN:
		return s->run(t, s, arg, base);
	}
	return t->usage_status;
}

int opt_apply(const struct opt_table *t, const struct opt_spec *s, const char *arg,
	      void *base, struct opt_source *src)
{
	size_t row = (size_t)(s - t->specs);
	int status;

	if (s->reset && src->seen && !src->seen[row])
		s->reset(base);
	if (src->seen)
		src->seen[row] = true;
	opt_now = src;
	status = opt_apply_kind(t, s, arg, base, src);
	opt_now = NULL;
	return status;
}

int opt_parse(const struct opt_table *t, int argc, char **argv, void *base, FILE *err)
{
	struct option *longopts = opt_longopts(t);
	char *shortopts = opt_shortopts(t);
	struct opt_source src = { NULL, xcalloc(t->n, sizeof *src.seen), err };
	int c, status = -1;

	/* 0, not 1: glibc then also forgets a cluster of short options an
	 * earlier parse stopped in the middle of. */
	optind = 0;
	while (status < 0 && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct opt_spec *s = opt_find(t, c);

		if (s == NULL) { /* '?': getopt said what was wrong */
			fprintf(err, "%s\n", _(t->usage_error));
			status = t->usage_status;
		} else {
			const char *arg = optarg;

			/* "--auth PLAIN": an optional argument as the next word */
			if (arg == NULL && s->arg_optional && s->next_is_arg && optind < argc &&
			    s->next_is_arg(argv[optind]))
				arg = argv[optind++];
			status = opt_apply(t, s, arg, base, &src);
		}
	}
	free(src.seen);
	free(shortopts);
	free(longopts);
	return status;
}

/* "-p, --port PORT", "--sni NAME", "-4", "--demo [SCENARIO]". */
static void opt_label(const struct opt_spec *s, struct buf *b)
{
	if (s->letter)
		buf_printf(b, "-%c", s->letter);
	if (s->letter && s->name)
		buf_adds(b, ", ");
	if (s->name)
		buf_printf(b, "--%s", s->name);
	if (s->arg)
		buf_printf(b, s->arg_optional ? " [%s]" : " %s", s->arg);
	if (s->operand)
		buf_printf(b, " %s", s->operand);
}

/* The lead of a group of rows that share one help text, then the text. */
static void opt_help_rows(const struct opt_spec *first, const struct opt_spec *last, FILE *f)
{
	struct buf lead;
	const char *p = _(last->help);

	buf_init(&lead);
	/* Long-only rows line their "--" up with the long names of the others. */
	buf_adds(&lead, first->letter ? "  " : "      ");
	for (const struct opt_spec *s = first; s <= last; s++) {
		if (s != first)
			buf_adds(&lead, ", ");
		opt_label(s, &lead);
	}
	if (lead.len < OPT_HELP_COLUMN)
		fprintf(f, "%-*s", OPT_HELP_COLUMN, lead.data);
	else
		fprintf(f, "%s\n%*s", lead.data, OPT_HELP_COLUMN, "");
	buf_free(&lead);
	for (;;) {
		size_t n = strcspn(p, "\n");

		fprintf(f, "%.*s\n", (int)n, p);
		if (p[n] == '\0')
			break;
		p += n + 1;
		fprintf(f, "%*s", OPT_HELP_COLUMN, "");
	}
}

void opt_help(const struct opt_table *t, FILE *f)
{
	const char *section = NULL;

	for (size_t i = 0; i < t->n; i++) {
		size_t last = i;

		while (t->specs[last].help == NULL && last + 1 < t->n)
			last++;
		if (section == NULL || strcmp(section, t->specs[i].section) != 0) {
			section = t->specs[i].section;
			fprintf(f, "\n%s:\n", _(section));
		}
		if (t->specs[last].help)
			opt_help_rows(&t->specs[i], &t->specs[last], f);
		i = last;
	}
}
