/* entries: the one lexer of help/'s data files, driven with a small
 * format of its own: every rule of the grammar and of a key table, and
 * the one FILE:LINE wording of its errors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/entries.h"
#include "smtpscope/util.h"
#include "suites.h"

/* What a reading gave: the errors, one a line, and the entries built. */
struct got {
	struct buf errors;
	size_t nerrors;
	int built, args_seen;
	char last[256];           /* "args|name|colour-index|note1;note2|ctx:value" */
};

static void got_sink(void *ctx, const char *message)
{
	struct got *g = ctx;

	buf_printf(&g->errors, "%s\n", message);
	g->nerrors++;
}

static bool thing_args(void *ctx, struct entry *e)
{
	struct got *g = ctx;

	g->args_seen++;
	if (strcmp(e->args, "bad") == 0) {
		entry_error(e, e->line, "[thing %s]: refused by its header check", e->args);
		return false;
	}
	return true;
}

static void thing_build(void *ctx, struct entry *e)
{
	struct got *g = ctx;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s|%s|%d|", e->args, entry_get(e, "name"), entry_choice(e, "colour"));
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].key, "note") == 0)
			buf_printf(&b, "%s;", e->fields[i].value.data);
	for (size_t i = 0; i < e->nfields; i++)
		if (e->fields[i].qual[0])
			buf_printf(&b, "|%s:%s", e->fields[i].qual, e->fields[i].value.data);
	snprintf(g->last, sizeof g->last, "%s", b.data);
	buf_free(&b);
	if (strcmp(entry_get(e, "name"), "refuse") == 0)
		entry_error(e, entry_line(e, "name"), "the builder refuses \"%s\"", "refuse");
	else
		g->built++;
}

static void item_build(void *ctx, struct entry *e)
{
	struct got *g = ctx;

	(void)e;
	g->built++;
}

static const char *const colours[] = { "red", "green", "blue", NULL };

static const struct entry_key thing_keys[] = {
	{ "name", ENTRY_REQUIRED, NULL },
	{ "colour", 0, colours },
	{ "note", ENTRY_REPEAT, NULL },
	{ "line", ENTRY_REPEAT | ENTRY_ONE_LINE, NULL },
	{ "text", 0, NULL },
	{ "ctx", ENTRY_QUALIFIED, NULL },
};

static const struct entry_key item_keys[] = { { "size", 0, NULL } };

static const struct entry_kind kinds[] = {
	{ "thing", "thing NAME", thing_keys, UTIL_ARRAY_LEN(thing_keys), thing_args, thing_build },
	{ "item", "item", item_keys, UTIL_ARRAY_LEN(item_keys), NULL, item_build },
};

static const struct entries_format fmt = { kinds, UTIL_ARRAY_LEN(kinds) };

static size_t got_read(struct got *g, const char *text, size_t len)
{
	size_t n;

	memset(g, 0, sizeof *g);
	buf_init(&g->errors);
	n = entries_parse(&fmt, "t.x", text, len, g, got_sink);
	ck_assert_uint_eq(n, g->nerrors);
	return n;
}

#define READ(g, s) got_read((g), (s), strlen(s))

START_TEST(test_good)
{
	static const char text[] =
		"# a comment\r\n"
		"[thing one]\r\n"
		"name: First\r\n"
		"  line continues\r\n"
		"\t and on.\r\n"
		"  .\r\n"
		"  Second paragraph.\r\n"
		"\r\n"
		"colour: green\n"
		"note: a\n"
		"note: b\n"
		"# between fields\n"
		"ctx ANY: qualified\n"
		"[item]\n"
		"size: 3";   /* no newline at the end */
	struct got g;

	ck_assert_uint_eq(READ(&g, text), 0);
	ck_assert_int_eq(g.built, 2);
	ck_assert_str_eq(g.last,
			 "one|First line continues and on.\n\nSecond paragraph.|1|a;b;|ANY:qualified");
	buf_free(&g.errors);
}
END_TEST

/* Each text gives exactly this error, FILE:LINE first, and builds nothing
 * of the broken entry. */
static const struct {
	const char *text;
	const char *error;
	int built;
} bad[] = {
	/* the key table */
	{ "[thing a]\ncolour: red\n", "t.x:1: [thing a] lacks the required field \"name\"", 0 },
	{ "[thing a]\nname: n\nname: m\n", "t.x:3: \"name\" given twice (first on line 2)", 0 },
	{ "[thing a]\nname: n\nctx A: 1\nctx A: 2\n", "t.x:4: \"ctx A\" given twice (first on line 3)", 0 },
	{ "[thing a]\nname: n\ncolour: pink\n", "t.x:3: \"colour\" wants red, green or blue, not \"pink\"", 0 },
	{ "[thing a]\nname: n\nsize: 3\n", "t.x:3: unknown key \"size\" in a [thing] entry", 0 },
	{ "[item]\nname: n\n", "t.x:2: unknown key \"name\" in an [item] entry", 0 },
	{ "[thing a]\nname: n\nname Q: n\n", "t.x:3: \"name\" takes no qualifier in a [thing] entry", 0 },
	{ "[thing a]\nname: n\nctx: x\n", "t.x:3: \"ctx\" needs a qualifier here (\"ctx QUALIFIER: value\")", 0 },
	{ "[thing a]\nname: n\nline: one\n  two\n", "t.x:4: \"line\" is one line; give it again for another line", 0 },
	{ "[thing a]\nname:\n", "t.x:2: \"name\" is empty", 0 },
	{ "[thing a]\nname: n\ntext:  \n", "t.x:3: \"text\" is empty", 0 },
	/* lines */
	{ "name: n\n", "t.x:1: a field before any entry: start with [thing NAME]", 0 },
	{ "  orphan\n", "t.x:1: an indented line continues a field, but no field is open", 0 },
	{ "[item]\n  orphan\nsize: 1\n", "t.x:2: an indented line continues a field, but no field is open", 1 },
	{ "[thing a]\nname: n\nno colon\n", "t.x:3: expected \"key: value\", an indented continuation line, or a [header]", 1 },
	{ "[thing a]\nname: n\nName: n\n", "t.x:3: \"Name\" is not a key (lower-case letters and '-')", 1 },
	{ "[thing a]\nname: n\nctx A B: x\n", "t.x:3: a key has at most one qualifier: \"key QUALIFIER: value\"", 1 },
	{ "[thing a]\nname: n\nnote: a\0b\n", "t.x:3: NUL byte in the text", 1 },
	/* headers */
	{ "[thing a\nname: n\n", "t.x:1: a header is one line in square brackets, e.g. [thing NAME]", 0 },
	{ "[]\n", "t.x:1: a header is one line in square brackets, e.g. [thing NAME]", 0 },
	{ "[ x]\n", "t.x:1: header too long or empty", 0 },
	{ "[gadget g]\nname: n\n", "t.x:1: unknown entry type [gadget]: use [thing NAME] or [item]", 0 },
	/* the kind's header check and builder report in the same form */
	{ "[thing bad]\ncolour: pink\n", "t.x:1: [thing bad]: refused by its header check", 0 },
	{ "[thing a]\nname: refuse\n", "t.x:2: the builder refuses \"refuse\"", 0 },
};

START_TEST(test_bad)
{
	struct got g;
	size_t len = strlen(bad[_i].text);

	if (strstr(bad[_i].error, "NUL"))
		len = strlen(bad[_i].text) + 3; /* past the NUL, to its line's end */
	ck_assert_uint_eq(got_read(&g, bad[_i].text, len), 1);
	ck_assert_msg(strncmp(g.errors.data, bad[_i].error, strlen(bad[_i].error)) == 0 &&
		      g.errors.data[strlen(bad[_i].error)] == '\n',
		      "case %d: expected \"%s\", got \"%s\"", _i, bad[_i].error, g.errors.data);
	ck_assert_int_eq(g.built, bad[_i].built);
	buf_free(&g.errors);
}
END_TEST

/* Clean texts and what their [thing] entry gave the builder. */
static const struct {
	const char *text;
	const char *last;
} built[] = {
	/* a lone "." between paragraphs, twice; an empty first line */
	{ "[thing p]\nname:\n  a\n  .\n  b\n  .\n  c\n", "p|a\n\nb\n\nc|-1|" },
	/* fields in any order; the index of an allowed value */
	{ "[thing a]\nnote: x\nname: n\ncolour: blue\n", "a|n|2|x;" },
	/* white space around the header's arguments and after the colon */
	{ "[thing   spaced out  ]\nname:\t\t n\n", "spaced out|n|-1|" },
};

START_TEST(test_built)
{
	struct got g;

	ck_assert_uint_eq(READ(&g, built[_i].text), 0);
	ck_assert_str_eq(g.last, built[_i].last);
	buf_free(&g.errors);
}
END_TEST

/* A broken header is reported once: its fields and continuations are
 * passed over; so are the continuations of a broken field line. */
START_TEST(test_broken_parts_reported_once)
{
	static const char text[] =
		"[gadget]\nname: n\n  more\n"
		"[thing a]\nname: n\nbad line\n  its continuation\n";
	struct got g;

	ck_assert_uint_eq(READ(&g, text), 2);
	ck_assert_ptr_nonnull(strstr(g.errors.data, "t.x:1: unknown entry type [gadget]"));
	ck_assert_ptr_nonnull(strstr(g.errors.data, "t.x:6: expected \"key: value\""));
	ck_assert_int_eq(g.built, 1);
	buf_free(&g.errors);
}
END_TEST

/* Every error of a file is reported, each entry's in line order, and the
 * entries after a broken one are still built. */
START_TEST(test_all_errors)
{
	static const char text[] =
		"[thing a]\ncolour: pink\nsize: 1\n"
		"[thing b]\nname: n\n"
		"[thing c]\nname: x\nname: y\n";
	struct got g;

	ck_assert_uint_eq(READ(&g, text), 4);
	ck_assert_str_eq(g.errors.data,
			 "t.x:2: \"colour\" wants red, green or blue, not \"pink\"\n"
			 "t.x:3: unknown key \"size\" in a [thing] entry\n"
			 "t.x:1: [thing a] lacks the required field \"name\"\n"
			 "t.x:8: \"name\" given twice (first on line 7)\n");
	ck_assert_int_eq(g.built, 1);
	ck_assert_int_eq(g.args_seen, 3);
	buf_free(&g.errors);
}
END_TEST

START_TEST(test_list_and_message)
{
	static const char *const w[] = { "a", "b", "c" };
	struct buf b;

	buf_init(&b);
	entries_list(&b, w, 1);
	ck_assert_str_eq(b.data, "a");
	buf_clear(&b);
	entries_list(&b, w, 2);
	ck_assert_str_eq(b.data, "a or b");
	buf_clear(&b);
	entries_list(&b, w, 3);
	ck_assert_str_eq(b.data, "a, b or c");
	buf_free(&b);
}
END_TEST

Suite *entries_suite(void)
{
	Suite *s = suite_create("entries");
	TCase *tc = tcase_create("lexer");

	tcase_add_test(tc, test_good);
	tcase_add_loop_test(tc, test_bad, 0, (int)UTIL_ARRAY_LEN(bad));
	tcase_add_loop_test(tc, test_built, 0, (int)UTIL_ARRAY_LEN(built));
	tcase_add_test(tc, test_broken_parts_reported_once);
	tcase_add_test(tc, test_all_errors);
	tcase_add_test(tc, test_list_and_message);
	suite_add_tcase(s, tc);
	return s;
}
