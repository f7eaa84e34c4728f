/* demo-scenario: the scenario file parser (sans-I/O), its FILE:LINE
 * errors, and every shipped scenario parsing cleanly. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/demo.h"
#include "smtpscope/util.h"
#include "suites.h"

#define LIT(s) (s), sizeof(s) - 1

static const char good[] =
	"# greylisting, as a test\n"
	"[scenario grey]\n"
	"title: Greylisting\n"
	"lesson: First line\n"
	"  continues.\n"
	"  .\n"
	"  Second paragraph.\n"
	"greeting: 220-{domain} hello\n"
	"greeting: 220 second line\n"
	"greeting-delay: 1500\n"
	"tls: required\n"
	"auth: PLAIN LOGIN\n"
	"user: alice secret\n"
	"ehlo: PIPELINING\n"
	"ehlo-tls: PIPELINING\n"
	"ehlo-tls: SIZE\n"
	"size-limit: 1000\n"
	"\n"
	"[on RCPT]\n"
	"to: !*@demo.test\n"
	"attempt: 1\n"
	"count: 2-\n"
	"tls: yes\n"
	"reply: 450-4.7.1 first\n"
	"reply: 450 4.7.1 second\n"
	"delay: 200\n"
	"[on DOT]\n"
	"size: -10\n"
	"disconnect: yes\n";

START_TEST(test_parse_good)
{
	struct buf err;
	struct demo_scenario *sc;

	buf_init(&err);
	sc = demo_scenario_parse("grey.scn", LIT(good), &err);
	ck_assert_msg(sc != NULL, "%s", err.data ? err.data : "");
	ck_assert_str_eq(sc->name, "grey");
	ck_assert_str_eq(sc->title, "Greylisting");
	ck_assert_str_eq(sc->lesson, "First line continues.\nSecond paragraph.");
	ck_assert_str_eq(sc->replies[DEMO_R_GREETING], "220-{domain} hello\n220 second line");
	ck_assert_uint_eq(sc->greeting_delay_ms, 1500);
	ck_assert_int_eq(sc->tls, DEMO_TLS_REQUIRED);
	ck_assert_str_eq(sc->auth_mechs, "PLAIN LOGIN");
	ck_assert_uint_eq(sc->nusers, 1);
	ck_assert_str_eq(sc->users[0].password, "secret");
	ck_assert_str_eq(sc->ehlo_keywords[0], "PIPELINING");
	ck_assert_ptr_null(sc->ehlo_keywords[1]);
	ck_assert_str_eq(sc->ehlo_tls_keywords[1], "SIZE");
	ck_assert_uint_eq(sc->size_max, 1000);
	ck_assert_uint_eq(sc->nrules, 2);
	ck_assert_str_eq(demo_rule_key(sc->rules[0].verb), "RCPT");
	ck_assert_str_eq(sc->rules[0].to, "!*@demo.test");
	ck_assert(sc->rules[0].attempt.set && sc->rules[0].attempt.lo == 1 &&
		  sc->rules[0].attempt.hi == 1);
	ck_assert(sc->rules[0].count.lo == 2 && sc->rules[0].count.hi == (unsigned long long)-1);
	ck_assert_int_eq(sc->rules[0].tls, 1);
	ck_assert_int_eq(sc->rules[0].authenticated, -1);
	ck_assert_str_eq(sc->rules[0].reply, "450-4.7.1 first\n450 4.7.1 second");
	ck_assert_uint_eq(sc->rules[0].delay_ms, 200);
	ck_assert_int_eq(sc->rules[0].line, 19);
	ck_assert(sc->rules[1].size.lo == 0 && sc->rules[1].size.hi == 10);
	ck_assert(sc->rules[1].disconnect);
	/* what the file does not say stays as the built-in server has it */
	ck_assert_str_eq(sc->domain, "demo.test");
	ck_assert_str_eq(sc->replies[DEMO_R_QUIT], demo_default_scenario()->replies[DEMO_R_QUIT]);
	demo_scenario_free(sc);
	buf_free(&err);
}
END_TEST

/* Each malformed text gives this first error, FILE:LINE included. */
static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ "title: x\n", "t.scn:1: a field before any entry: start with [scenario NAME]" },
	{ "[scenario t]\nlesson: l\n", "t.scn:1: [scenario t] lacks the required field \"title\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\ntitle: b\n", "t.scn:4: \"title\" given twice (first on line 2)" },
	{ "[scenario t]\ntitle: a\nlesson: l\ncolour: red\n", "t.scn:4: unknown key \"colour\" in a [scenario] entry" },
	{ "[scenario t]\ntitle: a\nlesson: l\ngreeting: hello\n", "t.scn:4: a greeting line starts with a code from 200 to 599: \"hello\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\ngreeting-delay: soon\n", "t.scn:4: \"greeting-delay\" wants milliseconds from 0 to 60000, not \"soon\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\ntls: maybe\n", "t.scn:4: \"tls\" wants none, offered or required, not \"maybe\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\nuser: alice\n", "t.scn:4: \"user\" wants a name and a password: \"user: alice secret\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on FROB]\nreply: 250 ok\n", "t.scn:4: [on FROB]: unknown command" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on MAIL]\nto: x\nreply: 250 ok\n", "t.scn:5: \"to\" is a condition of [on RCPT] rules only" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nattempt: two\nreply: 250 ok\n", "t.scn:5: \"attempt\" wants a number or a range" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\ncount: 5-2\nreply: 250 ok\n", "t.scn:5: \"count\" wants a number or a range" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nreply: 25 ok\n", "t.scn:5: a reply line starts with a code from 200 to 599" },
	/* shorter than a code: once read past the end of the line */
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nreply: 25\n", "t.scn:5: a reply line starts with a code from 200 to 599: \"25\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nreply: 250-a\nreply: 2\n", "t.scn:6: a reply line starts with a code from 200 to 599: \"2\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\ngreeting: 22\n", "t.scn:4: a greeting line starts with a code from 200 to 599: \"22\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nreply: 250 a\nreply: 251 b\n", "t.scn:4: a reply line followed by another must have '-'" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nto: *\n", "t.scn:4: [on RCPT] does nothing" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on RCPT]\nreply: 250 ok\n  more\n", "t.scn:6: \"reply\" is one line; give it again for another line" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[scenario u]\n", "t.scn:4: a second [scenario] header" },
	{ "[scenario T!]\n", "t.scn:1: [scenario NAME]: the name is lower-case" },
	{ "[scenario t\n", "t.scn:1: a header is one line in square brackets" },
	{ "[scenario t]\ntitle: a\nlesson: l\nNo colon here\n", "t.scn:4: expected \"key: value\"" },
	{ "[scenario t]\ntitle: a\nlesson: l\n[on DOT]\nsize: 1x\nreply: 554 no\n", "t.scn:5: \"size\" wants a number or a range" },
	{ "# nothing\n", "t.scn:1: no [scenario NAME] entry" },
	{ "[scenario other]\ntitle: a\nlesson: l\n", "t.scn:1: the scenario is named \"other\" but its file \"t.scn\"" },
};

START_TEST(test_parse_bad)
{
	struct buf err;
	struct demo_scenario *sc;

	buf_init(&err);
	sc = demo_scenario_parse("t.scn", bad[_i].text, strlen(bad[_i].text), &err);
	ck_assert_ptr_null(sc);
	ck_assert_msg(err.data && strncmp(err.data, bad[_i].error, strlen(bad[_i].error)) == 0,
		      "case %d: expected \"%s\", got \"%s\"", _i, bad[_i].error,
		      err.data ? err.data : "(nothing)");
	buf_free(&err);
}
END_TEST

/* Every error of a file is reported, not just the first. */
START_TEST(test_parse_all_errors)
{
	static const char text[] = "[scenario t]\ntitle: a\nlesson: l\ntls: x\n[on RCPT]\ncount: y\nreply: 250 ok\n";
	struct buf err;

	buf_init(&err);
	ck_assert_ptr_null(demo_scenario_parse("t.scn", LIT(text), &err));
	ck_assert_ptr_nonnull(strstr(err.data, "t.scn:4:"));
	ck_assert_ptr_nonnull(strstr(err.data, "t.scn:6:"));
	buf_free(&err);
}
END_TEST

/* The shipped scenarios: all parse, at least 16, "happy" among them. */
START_TEST(test_shipped)
{
	struct demo_catalog cat = { NULL, 0 };
	struct buf err;
	char *e = NULL;

	buf_init(&err);
	ck_assert_uint_eq(demo_catalog_load(&cat, HELP_DIR, &err), 0);
	ck_assert_msg(err.len == 0, "%s", err.data);
	ck_assert_uint_ge(cat.n, 16);
	ck_assert_ptr_nonnull(demo_catalog_find(&cat, "happy", &e));
	ck_assert_ptr_nonnull(demo_catalog_find(&cat, "greylisting", &e));
	ck_assert_ptr_null(demo_catalog_find(&cat, "no-such", &e));
	ck_assert_ptr_nonnull(strstr(e, "no scenario \"no-such\""));
	free(e);
	for (size_t i = 0; i < cat.n; i++) {
		ck_assert_ptr_nonnull(cat.sc[i]->title);
		ck_assert_ptr_nonnull(cat.sc[i]->lesson);
	}
	demo_catalog_free(&cat);
	buf_free(&err);
}
END_TEST

/* demo_ctl_catalog reads the catalog the first time it is asked for,
 * through the loader, once; without a loader it stays empty. */
static int loads;

static void count_load(struct demo_catalog *cat, struct buf *errors)
{
	loads++;
	demo_catalog_load(cat, HELP_DIR, errors);
	buf_adds(errors, "a problem\n");
}

START_TEST(test_ctl_catalog_lazy)
{
	struct demo_ctl d;
	struct buf errors;

	memset(&d, 0, sizeof d);
	buf_init(&errors);
	loads = 0;
	d.load_catalog = count_load;
	ck_assert_uint_eq(d.catalog.n, 0);
	ck_assert_uint_ge(demo_ctl_catalog(&d, &errors)->n, 16);
	ck_assert_int_eq(loads, 1);
	ck_assert_str_eq(errors.data, "a problem\n");
	ck_assert_ptr_eq(demo_ctl_catalog(&d, &errors), &d.catalog);
	ck_assert_int_eq(loads, 1);
	ck_assert_str_eq(errors.data, "a problem\n"); /* nothing again */
	demo_catalog_free(&d.catalog);
	memset(&d, 0, sizeof d);
	ck_assert_uint_eq(demo_ctl_catalog(&d, &errors)->n, 0);
	ck_assert(d.catalog_loaded);
	buf_free(&errors);
}
END_TEST

/* A scenario's title and lesson in another language: replaced when the
 * checksum of the English is right, reported when it is stale, missing
 * or a field is left in English. */
START_TEST(test_translate)
{
	static const char en[] = "[scenario t]\ntitle: Greylisting\nlesson: Retry later.\n";
	struct buf errors;
	struct demo_scenario *sc;
	char sum[9], text[256];
	const char *p;

	buf_init(&errors);
	sc = demo_scenario_parse("t.scn", en, strlen(en), &errors);
	ck_assert_ptr_nonnull(sc);
	ck_assert_uint_eq(demo_scenario_translate(sc, "fr/t.scn",
						  "[scenario t]\ntitle: Liste grise\n", 30, &errors), 2);
	ck_assert_ptr_nonnull(strstr(errors.data, "fr/t.scn:1: [scenario t]: no source: checksum"));
	ck_assert_ptr_nonnull(strstr(errors.data, "fr/t.scn:1: [scenario t] lesson: not translated"));
	p = strstr(errors.data, "now source: ");
	ck_assert_ptr_nonnull(p);
	memcpy(sum, p + 12, 8);
	sum[8] = '\0';
	demo_scenario_free(sc);

	buf_clear(&errors);
	sc = demo_scenario_parse("t.scn", en, strlen(en), &errors);
	snprintf(text, sizeof text,
		 "[scenario t]\nsource: %s\ntitle: Liste grise\nlesson: Réessayez plus tard.\n", sum);
	ck_assert_uint_eq(demo_scenario_translate(sc, "fr/t.scn", text, strlen(text), &errors), 0);
	ck_assert_str_eq(sc->title, "Liste grise");
	ck_assert_str_eq(sc->lesson, "Réessayez plus tard.");
	demo_scenario_free(sc);

	buf_clear(&errors);
	sc = demo_scenario_parse("t.scn", en, strlen(en), &errors);
	ck_assert_uint_eq(demo_scenario_translate(sc, "fr/t.scn", "[scenario other]\ntitle: x\n", 25,
						  &errors), 1);
	ck_assert_ptr_nonnull(strstr(errors.data, "this file translates the scenario \"t\""));
	ck_assert_str_eq(sc->title, "Greylisting");
	demo_scenario_free(sc);
	buf_free(&errors);
}
END_TEST

Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_good);
	tcase_add_loop_test(tc, test_parse_bad, 0, (int)UTIL_ARRAY_LEN(bad));
	tcase_add_test(tc, test_parse_all_errors);
	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_ctl_catalog_lazy);
	tcase_add_test(tc, test_translate);
	suite_add_tcase(s, tc);
	return s;
}
