/* replay: saved sessions (.jsonl, .txt with or without times and TLS
 * marks) and command lists read into steps with their saved replies;
 * redacted lines skipped, message lines unstuffed; a step's new reply
 * compared with the saved one. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "smtpscope/export.h"
#include "smtpscope/replay.h"
#include "suites.h"

static void parse_ok(struct replay *r, const char *name, const char *text)
{
	char *err = NULL;

	ck_assert_msg(replay_parse(r, name, text, strlen(text), &err), "%s: %s", name, err ? err : "");
}

/* The small session saved in format f, read back. */
static void parse_saved(struct replay *r, enum export_format f, bool timestamps, bool tls)
{
	struct session *s = fixture_small_session();
	struct printer_options o = { .annotate = true, .timestamps = timestamps, .kb = fixture_kb() };
	struct buf b;

	if (tls) {
		session_set_channel(s, true, true);
		fixture_exchange(s, "NOOP\r\n", "250 2.0.0 fine\r\n", SMTP_V_NOOP, 1);
	}
	buf_init(&b);
	export_render(s, &o, f, &b);
	parse_ok(r, f == EXPORT_JSONL ? "saved.jsonl" : "saved.txt", b.data);
	buf_free(&b);
	session_free(s);
}

static void assert_step(const struct replay *r, size_t i, const char *line, const char *expected)
{
	ck_assert_uint_lt(i, r->n);
	ck_assert_str_eq(r->steps[i].line, line);
	if (expected)
		ck_assert_pstr_eq(r->steps[i].expected, expected);
	else
		ck_assert_ptr_null(r->steps[i].expected);
}

/* The small session's steps: AUTH (redacted) skipped, with its reply. */
static void assert_small_steps(const struct replay *r)
{
	ck_assert_uint_eq(r->skipped, 1);
	assert_step(r, 0, "EHLO me.example", "250-mx.test");
	assert_step(r, 1, "MAIL FROM:<a@example.org>", "250 2.1.0 ok");
	assert_step(r, 2, "RCPT TO:<b@example.com>", "550 5.1.1 <b@example.com>: no such user");
	assert_step(r, 3, "QUIT", "221 2.0.0 bye");
}

START_TEST(saved_jsonl)
{
	struct replay r;

	parse_saved(&r, EXPORT_JSONL, false, true);
	assert_small_steps(&r);
	ck_assert_uint_eq(r.n, 5);
	assert_step(&r, 4, "NOOP", "250 2.0.0 fine");
	ck_assert_str_eq(r.name, "saved.jsonl");
	replay_free(&r);
}
END_TEST

/* With or without times before the markers and "(insecure) " inside
 * TLS: the same steps. */
START_TEST(saved_txt)
{
	for (int v = 0; v < 4; v++) {
		bool timestamps = v & 1, tls = v & 2;
		struct replay r;

		parse_saved(&r, EXPORT_TXT, timestamps, tls);
		ck_assert_uint_eq(r.n, tls ? 5 : 4);
		assert_small_steps(&r);
		if (tls)
			assert_step(&r, 4, "NOOP", "250 2.0.0 fine");
		replay_free(&r);
	}
}
END_TEST

START_TEST(message_lines_unstuffed)
{
	static const char txt[] =
		"=== connected\n"
		"<-  220 mx ESMTP\n"
		"  # 220 accepted [reply to greeting]\n"
		" -> DATA\n"
		"<-  354 go ahead\n"
		"  # 354 intermediate [reply to DATA]\n"
		" -> ..a dot\n"
		" -> plain \\x01 line\n"
		" -> .\n"
		"<-  250 queued\n"
		"  # 250 accepted [reply to end of data]\n"
		" -> .NOOP\n";
	struct replay r;

	parse_ok(&r, "m.txt", txt);
	ck_assert_uint_eq(r.n, 5);
	assert_step(&r, 0, "DATA", "354 go ahead");
	assert_step(&r, 1, ".a dot", NULL);
	assert_step(&r, 2, "plain \x01 line", NULL);
	assert_step(&r, 3, ".", "250 queued");
	assert_step(&r, 4, ".NOOP", NULL); /* after the message: kept */
	replay_free(&r);
}
END_TEST

START_TEST(command_list)
{
	struct replay r;
	char *err = NULL;

	parse_ok(&r, "cmds", "# a list\nEHLO list.example\n\nNOOP\r\n");
	ck_assert_uint_eq(r.n, 2);
	assert_step(&r, 0, "EHLO list.example", NULL);
	assert_step(&r, 1, "NOOP", NULL);
	replay_free(&r);
	ck_assert(!replay_parse(&r, "empty", "# nothing\n\n", 11, &err));
	ck_assert_str_eq(err, "empty: no commands to replay");
	free(err);
}
END_TEST

START_TEST(check_compares_the_first_reply)
{
	struct session *s = fixture_session();
	struct replay r;
	size_t before;

	parse_ok(&r, "c.txt", " -> MAIL FROM:<a@x>\n<-  250 2.1.0 ok\n  # x\n"
			      " -> RCPT TO:<b@x>\n<-  250 2.1.5 ok\n  # x\n -> NOOP\n");
	ck_assert_uint_eq(r.n, 3);
	/* The same reply: no note. */
	r.next = 1;
	r.mark = session_count(s);
	fixture_exchange(s, "MAIL FROM:<a@x>\r\n", "250 2.1.0 ok\r\n", SMTP_V_MAIL, 1);
	before = session_count(s);
	ck_assert(!replay_check(&r, s));
	ck_assert_uint_eq(session_count(s), before);
	/* Another code: a warning with both. */
	r.next = 2;
	r.mark = session_count(s);
	fixture_exchange(s, "RCPT TO:<b@x>\r\n", "550 5.1.1 unknown\r\n", SMTP_V_RCPT, 1);
	ck_assert(replay_check(&r, s));
	ck_assert_int_eq(session_get(s, session_count(s) - 1)->kind, SESSION_WARN);
	ck_assert_str_eq(session_get(s, session_count(s) - 1)->text,
			 "replay step 2 (RCPT TO:<b@x>): saved \"250 2.1.5 ok\", now \"550 5.1.1 unknown\"");
	ck_assert_uint_eq(r.differences, 1);
	ck_assert_uint_eq(r.compared, 2);
	/* The same code, other text: a note, no difference. */
	r.next = 1;
	r.mark = session_count(s);
	fixture_exchange(s, "MAIL FROM:<a@x>\r\n", "250 2.1.0 fine too\r\n", SMTP_V_MAIL, 1);
	ck_assert(!replay_check(&r, s));
	ck_assert_int_eq(session_get(s, session_count(s) - 1)->kind, SESSION_NOTE);
	ck_assert_uint_eq(r.differences, 1);
	/* No saved reply: nothing to compare. */
	r.next = 3;
	ck_assert(!replay_check(&r, s));
	ck_assert_uint_eq(r.compared, 3);
	replay_free(&r);
	session_free(s);
}
END_TEST

Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, saved_jsonl);
	tcase_add_test(tc, saved_txt);
	tcase_add_test(tc, message_lines_unstuffed);
	tcase_add_test(tc, command_list);
	tcase_add_test(tc, check_compares_the_first_reply);
	suite_add_tcase(s, tc);
	return s;
}
