/* session: the transcript model, with a fake clock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/session.h"
#include "suites.h"

struct fake_clock {
	int64_t mono;
};

static void fake_now(void *ctx, int64_t *wall, int64_t *mono)
{
	struct fake_clock *c = ctx;

	*wall = 1700000000000000LL + c->mono;
	*mono = c->mono;
}

static struct reply *parse_one(const char *s)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, s, strlen(s));
	r = reply_parser_next(p);
	reply_parser_free(p);
	return r;
}

static int listened;

static void count_events(void *ctx, const struct session_event *ev)
{
	(void)ctx;
	(void)ev;
	listened++;
}

START_TEST(test_events_and_latency)
{
	struct fake_clock clk = { 1000 };
	struct session_clock sc = { fake_now, &clk };
	struct session *s = session_new(&sc);
	const struct session_event *e;
	size_t cmd, rep;

	listened = 0;
	session_set_listener(s, count_events, NULL);
	session_text(s, SESSION_NOTE, "hello %d", 7);
	cmd = session_sent(s, "NOOP\r\n", 6);
	clk.mono += 2500;
	rep = session_reply(s, parse_one("250 2.0.0 Ok\r\n"), cmd, SMTP_V_NOOP, NULL);
	ck_assert_uint_eq(session_count(s), 3);
	ck_assert_int_eq(listened, 3);
	e = session_get(s, 0);
	ck_assert_int_eq(e->kind, SESSION_NOTE);
	ck_assert_str_eq(e->text, "hello 7");
	e = session_get(s, cmd);
	ck_assert_int_eq(e->kind, SESSION_SENT);
	ck_assert_uint_eq(e->raw_len, 6);
	ck_assert_mem_eq(e->raw, "NOOP\r\n", 6);
	e = session_get(s, rep);
	ck_assert_int_eq(e->kind, SESSION_REPLY);
	ck_assert_uint_eq(e->answers, cmd);
	ck_assert_str_eq(session_reply_to(e), "NOOP");
	ck_assert_int_eq(e->verb, SMTP_V_NOOP);
	ck_assert_int_eq(e->latency_us, 2500);
	ck_assert_int_eq(e->reply->code, 250);
	ck_assert_mem_eq(e->raw, "250 2.0.0 Ok\r\n", 14);
	ck_assert_int_eq(e->wall_us, 1700000000000000LL + 3500);
	ck_assert_ptr_null(session_get(s, 3));
	session_free(s);
}
END_TEST

START_TEST(test_unsolicited_has_no_latency)
{
	struct session *s = session_new(NULL);
	size_t i = session_reply(s, parse_one("421 bye\r\n"), SIZE_MAX, SMTP_V_UNKNOWN, NULL);

	ck_assert_str_eq(session_reply_to(session_get(s, i)), "(unsolicited)");

	ck_assert_int_eq(session_get(s, i)->latency_us, -1);
	ck_assert(session_get(s, i)->mono_us > 0);
	ck_assert_str_eq(session_kind_name(SESSION_REPLY), "reply");
	session_free(s);
}
END_TEST

/* No internal value reaches the user: a reply to an empty line, or to an
 * unknown command whose word was lost, is named, never "?". */
START_TEST(test_reply_to_is_always_named)
{
	struct session *s = session_new(NULL);
	size_t sent = session_sent(s, "\r\n", 2);
	size_t i = session_reply(s, parse_one("500 5.5.2 what?\r\n"), sent, SMTP_V_UNKNOWN, "");

	ck_assert_str_eq(session_reply_to(session_get(s, i)), "(an empty line)");
	i = session_reply(s, parse_one("500 5.5.2 what?\r\n"), sent, SMTP_V_UNKNOWN, NULL);
	ck_assert_str_eq(session_reply_to(session_get(s, i)), "(an empty line)");
	i = session_reply(s, parse_one("502 5.5.1 no\r\n"), sent, SMTP_V_UNKNOWN, "XYZZY");
	ck_assert_str_eq(session_reply_to(session_get(s, i)), "XYZZY");
	ck_assert_str_eq(smtp_verb_name(SMTP_V_UNKNOWN), "an unknown command");
	session_free(s);
}
END_TEST

Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_events_and_latency);
	tcase_add_test(tc, test_unsolicited_has_no_latency);
	tcase_add_test(tc, test_reply_to_is_always_named);
	suite_add_tcase(s, tc);
	return s;
}
