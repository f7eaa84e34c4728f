/* guide: the hint after each reply follows the state, the last reply and
 * what the server offers. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "smtpscope/guide.h"
#include "smtpscope/reply.h"
#include "smtpscope/session.h"
#include "smtpscope/smtp.h"
#include "suites.h"

struct gx {
	struct session *session;
	struct smtp *smtp;
	struct reply_parser *parser;
	struct buf out, hint;
	const char *command;
};

static void gx_init(struct gx *g)
{
	g->session = session_new(NULL);
	g->smtp = smtp_new(g->session);
	g->parser = reply_parser_new();
	buf_init(&g->out);
	buf_init(&g->hint);
	smtp_connected(g->smtp, session_text(g->session, SESSION_CONNECT, "test"), false);
}

static void gx_free(struct gx *g)
{
	smtp_free(g->smtp);
	reply_parser_free(g->parser);
	session_free(g->session);
	buf_free(&g->out);
	buf_free(&g->hint);
}

/* Sends line (or nothing, for the greeting), feeds the server's reply and
 * returns the hint for the session after it. */
static const char *gx_step(struct gx *g, const char *line, enum smtp_verb command, const char *reply)
{
	struct reply *r;
	const struct session_event *ev = NULL;

	if (line)
		smtp_command(g->smtp, line, &g->out);
	reply_parser_feed(g->parser, reply, strlen(reply));
	while ((r = reply_parser_next(g->parser)) != NULL)
		smtp_on_reply(g->smtp, r, &g->out);
	for (size_t i = session_count(g->session); i-- > 0;)
		if ((ev = session_get(g->session, i))->kind == SESSION_REPLY)
			break;
	buf_clear(&g->hint);
	guide_hint(g->smtp, ev ? ev->reply : NULL, command, &g->hint);
	return g->hint.data;
}

#define ck_hint(h, needle) ck_assert_msg(strstr((h), (needle)) != NULL, "hint \"%s\" lacks \"%s\"", (h), (needle))

START_TEST(hints_follow_the_session)
{
	struct gx g;
	const char *h;

	gx_init(&g);
	h = gx_step(&g, NULL, SMTP_V_GREETING, "220 mx.test ESMTP\r\n");
	ck_assert(strncmp(h, "hint: ", 6) == 0);
	ck_hint(h, "EHLO me.example");
	h = gx_step(&g, "EHLO me", SMTP_V_EHLO, "250-mx.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n");
	ck_hint(h, "/starttls");
	h = gx_step(&g, "MAIL FROM:<a@x.test>", SMTP_V_MAIL, "250 ok\r\n");
	ck_hint(h, "RCPT TO:");
	h = gx_step(&g, "RCPT TO:<b@y.test>", SMTP_V_RCPT, "250 ok\r\n");
	ck_hint(h, "send DATA");
	h = gx_step(&g, "DATA", SMTP_V_DATA, "354 go ahead\r\n");
	ck_hint(h, "line holding only");
	smtp_data_line(g.smtp, "Subject: t", 10, &g.out);
	smtp_data_end(g.smtp, NULL, &g.out);
	h = gx_step(&g, NULL, SMTP_V_DOT, "250 2.0.0 queued\r\n");
	ck_hint(h, "The message was accepted");
	h = gx_step(&g, "QUIT", SMTP_V_QUIT, "221 bye\r\n");
	ck_hint(h, "The session is over");
	gx_free(&g);
}
END_TEST

START_TEST(hints_after_refusals)
{
	struct gx g;
	const char *h;

	gx_init(&g);
	h = gx_step(&g, NULL, SMTP_V_GREETING, "554 go away\r\n");
	ck_hint(h, "Only QUIT makes sense");
	gx_free(&g);

	gx_init(&g);
	gx_step(&g, NULL, SMTP_V_GREETING, "220 mx.test ESMTP\r\n");
	h = gx_step(&g, "EHLO me", SMTP_V_EHLO, "250 mx.test\r\n");
	ck_hint(h, "Open a transaction: MAIL FROM:"); /* no STARTTLS, no AUTH offered */
	h = gx_step(&g, "FOO", SMTP_V_UNKNOWN, "500 5.5.2 unknown command\r\n");
	ck_hint(h, "A syntax or sequence error");
	gx_free(&g);
}
END_TEST

Suite *guide_suite(void)
{
	Suite *s = suite_create("guide");
	TCase *tc = tcase_create("guide");

	tcase_add_test(tc, hints_follow_the_session);
	tcase_add_test(tc, hints_after_refusals);
	suite_add_tcase(s, tc);
	return s;
}
