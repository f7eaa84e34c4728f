/* opt: a table becomes getopt's long array and short string, the dispatch
 * of each kind, usage errors and the options part of --help; and
 * smtpscope's own table (cli-options): well formed, every option once in
 * --help and in the README, the checks across options. */
#include "config.h"

#include <check.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtpscope/cli-options.h"
#include "smtpscope/opt.h"
#include "smtpscope/util.h"
#include "fixture.h"
#include "suites.h"

struct target {
	bool flag;
	int family;
	const char *name;
	int num;
	int stops;
};

static bool parse_num(const char *arg, void *field)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 0 || v > 99)
		return false;
	*(int *)field = (int)v;
	return true;
}

static int run_stop(const struct opt_table *t, const struct opt_spec *s, const char *arg,
		    void *base)
{
	(void)t, (void)s, (void)arg;
	((struct target *)base)->stops++;
	return 7;
}

#define TF(m) offsetof(struct target, m)
static const struct opt_spec test_specs[] = {
	{ .name = "flag", .letter = 'f', .kind = OPT_FLAG, .field = TF(flag), .section = "One",
	  .help = "a flag" },
	{ .letter = '4', .kind = OPT_INT, .field = TF(family), .value = 4, .section = "One" },
	{ .letter = '6', .kind = OPT_INT, .field = TF(family), .value = 6, .section = "One",
	  .help = "four or six" },
	{ .name = "name", .letter = 'n', .arg = "NAME", .kind = OPT_STRING, .field = TF(name),
	  .section = "Two", .help = "a name,\non two lines" },
	{ .name = "a-rather-long-number", .arg = "NUMBER", .kind = OPT_PARSE, .field = TF(num),
	  .parse = parse_num, .wants = "a number from 0 to 99", .section = "Two",
	  .help = "too long for the column" },
	{ .name = "stop", .kind = OPT_RUN, .run = run_stop, .operand = "[NOW]", .section = "Two",
	  .help = "stop here" },
};
static const struct opt_table test_table = {
	.prog = "test", .specs = test_specs, .n = UTIL_ARRAY_LEN(test_specs),
	.usage_status = 2, .usage_error = "test: try 'test --help'",
};

/* Parses the NULL-terminated words (argv[0] first) into *t; *err gets
 * what was said (caller frees).  getopt's own complaints are silenced. */
static int parse_words(const char *const *words, struct target *t, char **err)
{
	char *argv[16];
	int argc = 0, status, saved = opterr;
	size_t len = 0;
	FILE *f = open_memstream(err, &len);

	while (words[argc]) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	memset(t, 0, sizeof *t);
	opterr = 0;
	status = opt_parse(&test_table, argc, argv, t, f);
	opterr = saved;
	fclose(f);
	return status;
}

START_TEST(longopts_from_table)
{
	struct option *o = opt_longopts(&test_table);
	size_t k = 0;

	for (size_t i = 0; i < test_table.n; i++) {
		const struct opt_spec *s = &test_specs[i];

		if (s->name == NULL)
			continue;
		ck_assert_str_eq(o[k].name, s->name);
		ck_assert_int_eq(o[k].has_arg, s->arg ? required_argument : no_argument);
		ck_assert_ptr_null(o[k].flag);
		ck_assert_ptr_eq(opt_find(&test_table, o[k].val), s);
		if (s->letter)
			ck_assert_int_eq(o[k].val, s->letter);
		k++;
	}
	ck_assert_uint_eq(k, 4);
	ck_assert_ptr_null(o[k].name);
	ck_assert_int_eq(o[k].val, 0);
	ck_assert_ptr_null(opt_find(&test_table, '?'));
	ck_assert_ptr_null(opt_find(&test_table, 'x'));
	free(o);
}
END_TEST

START_TEST(shortopts_from_table)
{
	char *s = opt_shortopts(&test_table);

	ck_assert_str_eq(s, "f46n:");
	free(s);
}
END_TEST

START_TEST(dispatch_each_kind)
{
	static const char *const words[] = { "test", "-f6", "--name", "x", "-4",
		"--a-rather-long-number=42", "HOST", NULL };
	static const char *const cluster[] = { "test", "-fnvalue", "--a-rather", "7", NULL };
	struct target t;
	char *err;

	ck_assert_int_eq(parse_words(words, &t, &err), -1);
	ck_assert_str_eq(err, "");
	ck_assert(t.flag);
	ck_assert_int_eq(t.family, 4); /* the last of -6 and -4 */
	ck_assert_str_eq(t.name, "x");
	ck_assert_int_eq(t.num, 42);
	ck_assert_int_eq(optind, 6); /* the operand */
	free(err);
	/* A cluster ending in an option with its argument; a unique prefix. */
	ck_assert_int_eq(parse_words(cluster, &t, &err), -1);
	ck_assert(t.flag);
	ck_assert_str_eq(t.name, "value");
	ck_assert_int_eq(t.num, 7);
	free(err);
}
END_TEST

/* A refused argument names the option, what would be right and what was
 * given; run() ends the parse with its status, before later options. */
START_TEST(parse_refuses_and_run_stops)
{
	static const char *const bad[] = { "test", "--a-rather-long-number", "100", "-f", NULL };
	static const char *const stop[] = { "test", "--stop", "-f", NULL };
	struct target t;
	char *err;

	ck_assert_int_eq(parse_words(bad, &t, &err), 2);
	ck_assert_str_eq(err, "test: --a-rather-long-number wants a number from 0 to 99 (got \"100\")\n");
	ck_assert(!t.flag);
	free(err);
	ck_assert_int_eq(parse_words(stop, &t, &err), 7);
	ck_assert_int_eq(t.stops, 1);
	ck_assert(!t.flag);
	ck_assert_str_eq(err, "");
	free(err);
}
END_TEST

START_TEST(unknown_and_missing_argument)
{
	static const char *const cases[][4] = {
		{ "test", "--nosuch", NULL },
		{ "test", "-x", NULL },
		{ "test", "--name", NULL },
		{ "test", "-n", NULL },
		{ "test", "--flag=yes", NULL },
		{ "test", "--a-rather-long-number", NULL },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		struct target t;
		char *err;

		ck_assert_int_eq(parse_words(cases[i], &t, &err), 2);
		ck_assert_str_eq(err, "test: try 'test --help'\n");
		free(err);
	}
}
END_TEST

static char *help_of(const struct opt_table *t)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	opt_help(t, f);
	fclose(f);
	return s;
}

START_TEST(help_layout)
{
	char *h = help_of(&test_table);

	ck_assert_str_eq(h,
		"\n"
		"One:\n"
		"  -f, --flag               a flag\n"
		"  -4, -6                   four or six\n"
		"\n"
		"Two:\n"
		"  -n, --name NAME          a name,\n"
		"                           on two lines\n"
		"      --a-rather-long-number NUMBER\n"
		"                           too long for the column\n"
		"      --stop [NOW]         stop here\n");
	free(h);
}
END_TEST

/* smtpscope's table: each name and letter once, a section for every row,
 * sections in one piece, each kind with what it needs, shared help texts
 * only between neighbours that have one. */
START_TEST(cli_table_well_formed)
{
	const struct opt_table *t = &cli_option_table;

	ck_assert_uint_gt(t->n, 30);
	for (size_t i = 0; i < t->n; i++) {
		const struct opt_spec *s = &t->specs[i];

		ck_assert_msg(s->name || s->letter, "row %zu has neither name nor letter", i);
		ck_assert_ptr_nonnull(s->section);
		for (size_t j = 0; j < i; j++) {
			const struct opt_spec *o = &t->specs[j];

			ck_assert_msg(!s->name || !o->name || strcmp(s->name, o->name) != 0,
				      "--%s twice", s->name);
			ck_assert_msg(!s->letter || s->letter != o->letter, "-%c twice", s->letter);
			ck_assert_msg(strcmp(t->specs[i - 1].section, s->section) == 0 ||
				      strcmp(o->section, s->section) != 0,
				      "section %s in two pieces", s->section);
		}
		switch (s->kind) {
		case OPT_FLAG:
		case OPT_INT:
			ck_assert_ptr_null(s->arg);
			break;
		case OPT_STRING:
			ck_assert_ptr_nonnull(s->arg);
			break;
		case OPT_PARSE:
			ck_assert(s->arg && s->parse && s->wants);
			break;
		case OPT_RUN:
			ck_assert_ptr_nonnull(s->run);
			break;
		}
		if (s->help == NULL) {
			ck_assert_msg(i + 1 < t->n, "the last row has no help");
			ck_assert_str_eq(t->specs[i + 1].section, s->section);
		} else {
			ck_assert_msg(s->help[0] && s->help[strlen(s->help) - 1] != '\n',
				      "row %zu: help empty or ending in a newline", i);
		}
	}
}
END_TEST

/* Occurrences of the option word (-x or --name) not inside a longer one. */
static int count_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	int count = 0;

	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		char after = p[n];

		if (p > text && (p[-1] == '-' || p[-1] == '/' || (p[-1] >= 'a' && p[-1] <= 'z')))
			continue;
		if (after == '-' || (after >= 'a' && after <= 'z') || (after >= '0' && after <= '9') ||
		    (after >= 'A' && after <= 'Z'))
			continue;
		count++;
	}
	return count;
}

/* Every option of smtpscope's table, by name and by letter, is in text
 * exactly once (quote: what comes before it, "`" in Markdown). */
static void assert_each_option_once(const char *text, const char *quote, const char *where)
{
	const struct opt_table *t = &cli_option_table;

	for (size_t i = 0; i < t->n; i++) {
		char word[64];

		if (t->specs[i].name) {
			snprintf(word, sizeof word, "%s--%s", quote, t->specs[i].name);
			ck_assert_msg(count_word(text, word) == 1, "%s: %s %d times", where, word,
				      count_word(text, word));
		}
		if (t->specs[i].letter) {
			snprintf(word, sizeof word, "%s-%c", quote, t->specs[i].letter);
			ck_assert_msg(count_word(text, word) == 1, "%s: %s %d times", where, word,
				      count_word(text, word));
		}
	}
}

START_TEST(cli_help_has_every_option_once)
{
	const struct opt_table *t = &cli_option_table;
	char *h = help_of(t), *full = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&full, &len);

	assert_each_option_once(h, "", "--help");
	for (const char *p = h; *p; ) {
		size_t n = strcspn(p, "\n");

		ck_assert_msg(n <= 79, "--help line too wide: %.*s", (int)n, p);
		p += n + (p[n] != '\0');
	}
	/* The whole --help has the generated part as it is. */
	cli_usage(f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(full, h));
	ck_assert_ptr_nonnull(strstr(full, "\nOptions:\n  -b, --batch              line mode"));
	free(full);
	free(h);
}
END_TEST

/* The README's option table: a row for each option, none for another. */
START_TEST(readme_lists_the_options)
{
	const struct opt_table *t = &cli_option_table;
	char path[4096], line[2048];
	struct buf rows;
	FILE *f;
	bool in = false;

	snprintf(path, sizeof path, "%s/../README.md", HELP_DIR);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	buf_init(&rows);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "### ", 4) == 0)
			in = strcmp(line, "### Options\n") == 0;
		else if (in && strncmp(line, "| `-", 4) == 0)
			buf_add(&rows, line, strcspn(line + 1, "|") + 1); /* the first column */
	}
	fclose(f);
	ck_assert_uint_gt(rows.len, 0);
	assert_each_option_once(rows.data, "`", "README's options");
	for (const char *p = strstr(rows.data, "`--"); p; p = strstr(p + 1, "`--")) {
		char name[64];
		bool known = false;

		snprintf(name, sizeof name, "%.*s", (int)strcspn(p + 3, " `"), p + 3);
		for (size_t i = 0; i < t->n; i++)
			known |= t->specs[i].name && strcmp(t->specs[i].name, name) == 0;
		ck_assert_msg(known, "README lists --%s, which is no option", name);
	}
	buf_free(&rows);
}
END_TEST

START_TEST(cli_defaults_and_ports)
{
	static const char *const none[] = { "smtpscope", NULL };
	static const char *const tls[] = { "smtpscope", "--tls", "-4", "mx.example", NULL };
	static const char *const port[] = { "smtpscope", "--tls", "-p", "1465", NULL };
	static const char *const demo[] = { "smtpscope", "--demo", "greylisting", NULL };
	static const char *const rows[] = { "smtpscope", "-b", "-t", "1.5", "--connect-timeout",
		"2", "--tls-min", "1.2", "--save", "s.jsonl", "--auth-user", "alice",
		"--timestamps", "--sni", "mx", NULL };
	struct cli_options o;

	ck_assert_int_eq(fixture_cli_parse(none, &o, NULL), -1);
	ck_assert_str_eq(o.front.default_port, "25");
	ck_assert_str_eq(o.scenario, "happy");
	ck_assert_ptr_null(o.front.target);
	ck_assert(o.front.print.annotate && !o.batch && !o.demo);
	ck_assert_int_eq(o.front.client.family, AF_UNSPEC);
	ck_assert_int_eq(fixture_cli_parse(tls, &o, NULL), -1);
	ck_assert_str_eq(o.front.default_port, "465");
	ck_assert_str_eq(o.front.target, "mx.example");
	ck_assert_int_eq(o.front.client.family, AF_INET);
	ck_assert_int_eq(fixture_cli_parse(port, &o, NULL), -1);
	ck_assert_str_eq(o.front.default_port, "1465");
	ck_assert_int_eq(fixture_cli_parse(demo, &o, NULL), -1);
	ck_assert_str_eq(o.scenario, "greylisting");
	ck_assert_ptr_null(o.front.target);
	ck_assert_int_eq(fixture_cli_parse(rows, &o, NULL), -1);
	ck_assert(o.batch && o.front.print.timestamps);
	ck_assert_int_eq(o.front.client.reply_timeout_ms, 1500);
	ck_assert_int_eq(o.front.client.connect_timeout_ms, 2000);
	ck_assert_int_eq(o.front.client.tls.min_version, 12);
	ck_assert_str_eq(o.front.save, "s.jsonl");
	ck_assert_str_eq(o.front.auth.user, "alice");
	ck_assert_str_eq(o.front.client.tls.sni, "mx");
}
END_TEST

/* Usage errors: exit status 2 and a message naming what would be right. */
START_TEST(cli_usage_errors)
{
	static const struct {
		const char *words[5];
		const char *said;
	} cases[] = {
		{ { "smtpscope", "--tls", "--starttls", NULL },
		  "smtpscope: --tls (TLS from the first byte, port 465) and --starttls (plaintext, then STARTTLS, port 25/587) exclude each other\n" },
		{ { "smtpscope", "--tls-min", "1.3", "--tls-max=1.2", NULL },
		  "smtpscope: --tls-min is above --tls-max\n" },
		{ { "smtpscope", "--tls-max", "2", NULL },
		  "smtpscope: --tls-max wants 1.0, 1.1, 1.2 or 1.3 (got \"2\")\n" },
		{ { "smtpscope", "-t", "0", NULL },
		  "smtpscope: --timeout wants seconds between 0 and 86400, e.g. --timeout 30 (got \"0\")\n" },
		{ { "smtpscope", "--connect-timeout", "10s", NULL },
		  "smtpscope: --connect-timeout wants seconds between 0 and 86400, e.g. --connect-timeout 10 (got \"10s\")\n" },
		{ { "smtpscope", "--save", "s.pdf", NULL },
		  "smtpscope: --save wants a file name ending in .txt, .jsonl or .html (got \"s.pdf\")\n" },
		{ { "smtpscope", "a.example", "b.example", NULL },
		  "smtpscope: one target at most (HOST[:PORT]); got \"a.example\" and \"b.example\"\n" },
		{ { "smtpscope", "--nosuch", NULL }, "smtpscope: try 'smtpscope --help'\n" },
		{ { "smtpscope", "-p", NULL }, "smtpscope: try 'smtpscope --help'\n" },
		/* A prefix that fits several options is refused (getopt names
		 * the candidates); a unique one is taken (cli_defaults...). */
		{ { "smtpscope", "--t", "5", NULL }, "smtpscope: try 'smtpscope --help'\n" },
		{ { "smtpscope", "--dot-timeout", "never", NULL },
		  "smtpscope: --dot-timeout wants seconds between 0 and 86400, e.g. --dot-timeout 600 (got \"never\")\n" },
		/* Targets are checked before any lookup. */
		{ { "smtpscope", "mx.example:abc", NULL },
		  "smtpscope: bad port in \"mx.example:abc\": expected a number from 1 to 65535 (25 for relay, 587 for submission, 465 for TLS from the first byte) or a service name such as smtp\n" },
		{ { "smtpscope", "./bounce.eml", NULL },
		  "smtpscope: target \"./bounce.eml\" looks like a file path, not a host: expected HOST, HOST:PORT or [IPv6]:PORT (a message file is sent with /sendfile FILE once connected)\n" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		struct cli_options o;
		char *said;

		ck_assert_msg(fixture_cli_parse(cases[i].words, &o, &said) == 2, "case %zu: %s", i,
			      cases[i].said);
		ck_assert_str_eq(said, cases[i].said);
		free(said);
	}
}
END_TEST

Suite *opt_suite(void)
{
	Suite *s = suite_create("opt");
	TCase *tc = tcase_create("opt");

	tcase_add_test(tc, longopts_from_table);
	tcase_add_test(tc, shortopts_from_table);
	tcase_add_test(tc, dispatch_each_kind);
	tcase_add_test(tc, parse_refuses_and_run_stops);
	tcase_add_test(tc, unknown_and_missing_argument);
	tcase_add_test(tc, help_layout);
	tcase_add_test(tc, cli_table_well_formed);
	tcase_add_test(tc, cli_help_has_every_option_once);
	tcase_add_test(tc, readme_lists_the_options);
	tcase_add_test(tc, cli_defaults_and_ports);
	tcase_add_test(tc, cli_usage_errors);
	suite_add_tcase(s, tc);
	return s;
}
