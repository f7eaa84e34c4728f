/* cmd: the table (sorted, complete, documented: usage, summary, help,
 * /help and the README show each command), lookup, splitting, the usage
 * error, the needs-connection flag and the error helper. */
#include "config.h"

#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/client.h"
#include "smtpscope/cmd.h"
#include "smtpscope/loop.h"
#include "smtpscope/session.h"
#include "smtpscope/smtp.h"
#include "suites.h"

START_TEST(table_sorted_and_documented)
{
	size_t n;
	const struct cmd_entry *const *t = cmd_table(&n);

	ck_assert_uint_gt(n, 10);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(t[i]->summary && t[i]->summary[0], "%s has no summary", t[i]->name);
		ck_assert_msg(t[i]->help && strlen(t[i]->help) > 20, "%s has no help", t[i]->name);
		ck_assert_ptr_nonnull(t[i]->args);
		ck_assert_ptr_nonnull(t[i]->run);
		ck_assert_int_le(t[i]->min_args, t[i]->max_args);
		if (i > 0)
			ck_assert_msg(strcmp(t[i - 1]->name, t[i]->name) < 0, "%s before %s",
				      t[i - 1]->name, t[i]->name);
	}
}
END_TEST

/* Every src/cmd-NAME.c is the command NAME, and the table has it. */
START_TEST(table_complete)
{
	char pattern[4096];
	glob_t g;
	size_t n, found = 0;

	cmd_table(&n);
	snprintf(pattern, sizeof pattern, "%s/../src/cmd-*.c", HELP_DIR);
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char name[256];
		const char *base = strrchr(g.gl_pathv[i], '/') + 1 + strlen("cmd-");
		const struct cmd_entry *e;

		snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 2), base);
		e = cmd_find(name);
		ck_assert_msg(e && strcmp(e->name, name) == 0, "src/cmd-%s.c: not in the table", name);
		found++;
	}
	globfree(&g);
	ck_assert_uint_eq(found, n);
}
END_TEST

START_TEST(find_exact_prefix_ambiguous)
{
	ck_assert_str_eq(cmd_find("starttls")->name, "starttls");
	ck_assert_str_eq(cmd_find("STARTTLS")->name, "starttls");
	ck_assert_str_eq(cmd_find("sta")->name, "starttls");
	ck_assert_ptr_null(cmd_find("s"));      /* save, scenario, sendfile, ... */
	ck_assert_ptr_null(cmd_find("nosuch"));
	ck_assert_ptr_null(cmd_find(""));
}
END_TEST

START_TEST(split_quotes_and_escapes)
{
	char **argv;
	int argc = cmd_split("  save \"my file.txt\"  a\\ b ", &argv);

	ck_assert_int_eq(argc, 3);
	ck_assert_str_eq(argv[0], "save");
	ck_assert_str_eq(argv[1], "my file.txt");
	ck_assert_str_eq(argv[2], "a b");
	ck_assert_ptr_null(argv[3]);
	cmd_split_free(argc, argv);
	ck_assert_int_eq(cmd_split("save \"open", &argv), -1);
	ck_assert_ptr_null(argv);
	ck_assert_int_eq(cmd_split(" \t", &argv), 0);
	cmd_split_free(0, argv);
}
END_TEST

struct fixture {
	struct loop *loop;
	struct session *session;
	struct client *client;
	struct cmd_ctx ctx;
};

static void fixture_init(struct fixture *f)
{
	struct client_options o;

	client_options_default(&o);
	f->loop = loop_new();
	f->session = session_new(NULL);
	f->client = client_new(f->loop, f->session, &o);
	memset(&f->ctx, 0, sizeof f->ctx);
	f->ctx.client = f->client;
	f->ctx.session = f->session;
	f->ctx.default_port = "25";
}

static void fixture_free(struct fixture *f)
{
	client_free(f->client);
	session_free(f->session);
	loop_free(f->loop);
}

static const char *last_error(const struct fixture *f)
{
	const struct session_event *ev = session_get(f->session, session_count(f->session) - 1);

	ck_assert_int_eq(ev->kind, SESSION_ERROR);
	return ev->text;
}

/* Commands flagged needs_connection are refused, in one wording, before
 * they run; the others run. */
START_TEST(needs_connection_refused_in_one_wording)
{
	static const char *const cmds[] = {"data", "starttls", "sendfile x.eml", "pipe NOOP",
					   "auth PLAIN"};
	struct fixture f;

	fixture_init(&f);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char want[128];
		size_t len = strcspn(cmds[i], " ");

		ck_assert_int_eq(cmd_execute(&f.ctx, cmds[i]), -1);
		snprintf(want, sizeof want, "not connected: /connect HOST[:PORT] first, then /%.*s",
			 (int)len, cmds[i]);
		ck_assert_str_eq(last_error(&f), want);
	}
	ck_assert(!f.ctx.message_mode); /* /data did not run */
	ck_assert_int_eq(cmd_execute(&f.ctx, "guide on"), 0); /* no connection needed */
	ck_assert(f.ctx.guide);
	fixture_free(&f);
}
END_TEST

static const char *last_note(const struct fixture *f, size_t back)
{
	const struct session_event *ev = session_get(f->session, session_count(f->session) - 1 - back);

	ck_assert_int_eq(ev->kind, SESSION_NOTE);
	return ev->text;
}

/* "/NAME ARGS", as /help and the usage error show a command. */
static const char *usage_of(const struct cmd_entry *e)
{
	static char u[512];

	snprintf(u, sizeof u, "/%s%s%s", e->name, e->args[0] ? " " : "", e->args);
	return u;
}

/* The usage (args) agrees with the argument counts: none shown for a
 * command that takes none, all in brackets when all are optional; the
 * summary is one line, as the /help list and the usage error show it. */
START_TEST(usage_matches_argument_counts)
{
	size_t n;
	const struct cmd_entry *const *t = cmd_table(&n);

	for (size_t i = 0; i < n; i++) {
		const struct cmd_entry *e = t[i];

		ck_assert_msg((e->args[0] == '\0') == (e->max_args == 0), "/%s: args \"%s\" for %d..%d",
			      e->name, e->args, e->min_args, e->max_args);
		if (e->max_args > 0)
			ck_assert_msg((e->args[0] == '[') == (e->min_args == 0),
				      "/%s: args \"%s\" for %d..%d", e->name, e->args, e->min_args,
				      e->max_args);
		ck_assert_msg(strchr(e->summary, '\n') == NULL, "/%s: summary of two lines", e->name);
		ck_assert_msg(strchr(e->help, '\n') == NULL, "/%s: help with a line break", e->name);
	}
}
END_TEST

/* /help NAME shows each command's usage and help; /help lists each once
 * with its usage and summary. */
START_TEST(help_shows_every_command)
{
	size_t n;
	const struct cmd_entry *const *t = cmd_table(&n);
	struct fixture f;

	fixture_init(&f);
	for (size_t i = 0; i < n; i++) {
		char line[128], want[4096];

		snprintf(line, sizeof line, "help %s", t[i]->name);
		ck_assert_int_eq(cmd_execute(&f.ctx, line), 0);
		snprintf(want, sizeof want, "%s: %s", usage_of(t[i]), t[i]->help);
		ck_assert_str_eq(last_note(&f, 0), want);
	}
	ck_assert_int_eq(cmd_execute(&f.ctx, "help"), 0);
	for (size_t i = 0; i < n; i++) {
		char want[4096];

		snprintf(want, sizeof want, "  %s  %s", usage_of(t[i]), t[i]->summary);
		ck_assert_str_eq(last_note(&f, n - 1 - i), want);
	}
	fixture_free(&f);
}
END_TEST

/* Too many arguments, or too few, get the usage from the table. */
START_TEST(wrong_argument_count_gives_usage)
{
	size_t n;
	const struct cmd_entry *const *t = cmd_table(&n);
	struct fixture f;

	fixture_init(&f);
	for (size_t i = 0; i < n; i++) {
		const struct cmd_entry *e = t[i];
		char want[4096];
		struct buf line;

		if (e->raw_args)
			continue;
		snprintf(want, sizeof want, "usage: %s (%s)", usage_of(e), e->summary);
		buf_init(&line);
		buf_adds(&line, e->name);
		if (e->min_args > 0) {
			ck_assert_int_eq(cmd_execute(&f.ctx, line.data), -1);
			ck_assert_str_eq(last_error(&f), want);
		}
		for (int k = 0; k <= e->max_args && e->max_args < CMD_MAX_ARGS; k++)
			buf_adds(&line, " x");
		if (e->max_args < CMD_MAX_ARGS) {
			ck_assert_int_eq(cmd_execute(&f.ctx, line.data), -1);
			ck_assert_str_eq(last_error(&f), want);
		}
		buf_free(&line);
	}
	fixture_free(&f);
}
END_TEST

/* The README's table of local commands has each command, and no other. */
START_TEST(readme_lists_every_command)
{
	size_t n;
	const struct cmd_entry *const *t = cmd_table(&n);
	char path[4096], line[2048];
	bool in = false, *seen = calloc(n, sizeof *seen);
	FILE *f;

	snprintf(path, sizeof path, "%s/../README.md", HELP_DIR);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		char name[64];
		const struct cmd_entry *e;

		if (strncmp(line, "### ", 4) == 0)
			in = strcmp(line, "### Local commands\n") == 0;
		if (!in || strncmp(line, "| `/", 4) != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)strcspn(line + 4, " `"), line + 4);
		e = cmd_find(name);
		ck_assert_msg(e && strcmp(e->name, name) == 0, "README lists /%s, no command", name);
		for (size_t i = 0; i < n; i++)
			seen[i] |= t[i] == e;
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(seen[i], "README's local commands lack /%s", t[i]->name);
	free(seen);
}
END_TEST

START_TEST(fail_records_and_frees)
{
	struct fixture f;

	fixture_init(&f);
	ck_assert_int_eq(cmd_fail(&f.ctx, strdup("cannot read x: No such file"), NULL), -1);
	ck_assert_str_eq(last_error(&f), "cannot read x: No such file");
	ck_assert_int_eq(cmd_fail(&f.ctx, NULL, "file too large"), -1);
	ck_assert_str_eq(last_error(&f), "file too large");
	fixture_free(&f);
}
END_TEST

/* on|off commands: the argument sets the switch, none leaves it, anything
 * else is refused with the usage and changes nothing. */
START_TEST(switches_on_off)
{
	struct fixture f;

	fixture_init(&f);
	ck_assert_int_eq(cmd_execute(&f.ctx, "guide maybe"), -1);
	ck_assert_str_eq(last_error(&f), "usage: /guide on|off");
	ck_assert(!f.ctx.guide);
	ck_assert_int_eq(cmd_execute(&f.ctx, "guide ON"), 0);
	ck_assert(f.ctx.guide);
	ck_assert_int_eq(cmd_execute(&f.ctx, "guide"), 0);
	ck_assert(f.ctx.guide);
	ck_assert_int_eq(cmd_execute(&f.ctx, "trace on"), 0);
	ck_assert(smtp_tracing(client_smtp(f.client)));
	ck_assert_int_eq(cmd_execute(&f.ctx, "trace 1"), -1);
	ck_assert_str_eq(last_error(&f), "usage: /trace on|off");
	ck_assert(smtp_tracing(client_smtp(f.client)));
	ck_assert_int_eq(cmd_execute(&f.ctx, "trace off"), 0);
	ck_assert(!smtp_tracing(client_smtp(f.client)));
	fixture_free(&f);
}
END_TEST

Suite *cmd_suite(void)
{
	Suite *s = suite_create("cmd");
	TCase *tc = tcase_create("cmd");

	tcase_add_test(tc, table_sorted_and_documented);
	tcase_add_test(tc, table_complete);
	tcase_add_test(tc, find_exact_prefix_ambiguous);
	tcase_add_test(tc, split_quotes_and_escapes);
	tcase_add_test(tc, needs_connection_refused_in_one_wording);
	tcase_add_test(tc, fail_records_and_frees);
	tcase_add_test(tc, switches_on_off);
	tcase_add_test(tc, usage_matches_argument_counts);
	tcase_add_test(tc, help_shows_every_command);
	tcase_add_test(tc, wrong_argument_count_gives_usage);
	tcase_add_test(tc, readme_lists_every_command);
	suite_add_tcase(s, tc);
	return s;
}
