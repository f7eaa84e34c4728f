/* smtp: the client state machine, driven with byte strings. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "suites.h"

struct fx {
	struct session *session;
	struct smtp *smtp;
	struct reply_parser *parser;
	struct buf out;
};

static void fx_init(struct fx *f)
{
	f->session = session_new(NULL);
	f->smtp = smtp_new(f->session);
	f->parser = reply_parser_new();
	buf_init(&f->out);
	smtp_connected(f->smtp, session_text(f->session, SESSION_CONNECT, "test"), false);
}

static void fx_free(struct fx *f)
{
	smtp_free(f->smtp);
	reply_parser_free(f->parser);
	session_free(f->session);
	buf_free(&f->out);
}

/* Feeds server bytes; every complete reply goes to the state machine. */
static void fx_server(struct fx *f, const char *bytes)
{
	struct reply *r;

	reply_parser_feed(f->parser, bytes, strlen(bytes));
	while ((r = reply_parser_next(f->parser)) != NULL)
		smtp_on_reply(f->smtp, r, &f->out);
}

static void fx_send(struct fx *f, const char *line)
{
	smtp_command(f->smtp, line, &f->out);
}

static size_t fx_count(struct fx *f, enum session_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < session_count(f->session); i++)
		if (session_get(f->session, i)->kind == kind)
			n++;
	return n;
}

/* The newest event of a kind whose text contains needle, or NULL. */
static const struct session_event *fx_find(struct fx *f, enum session_kind kind,
					   const char *needle)
{
	size_t i = session_count(f->session);

	while (i-- > 0) {
		const struct session_event *e = session_get(f->session, i);
		if (e->kind == kind && e->text && strstr(e->text, needle))
			return e;
	}
	return NULL;
}

static const struct session_event *fx_last_reply(struct fx *f)
{
	size_t i = session_count(f->session);

	while (i-- > 0)
		if (session_get(f->session, i)->kind == SESSION_REPLY)
			return session_get(f->session, i);
	return NULL;
}

static const char ehlo_reply[] =
	"250-mx.test Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
	"250-STARTTLS\r\n250 8BITMIME\r\n";

static void fx_ready(struct fx *f)
{
	fx_server(f, "220 mx.test ESMTP\r\n");
	fx_send(f, "EHLO client.test");
	fx_server(f, ehlo_reply);
}

START_TEST(test_happy_path)
{
	struct fx f;
	struct buf d;

	fx_init(&f);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_WAIT_GREETING);
	fx_server(&f, "220 mx.test ESMTP\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_GREETED);
	ck_assert_str_eq(session_reply_to(fx_last_reply(&f)), "greeting");
	fx_send(&f, "EHLO client.test");
	ck_assert_str_eq(f.out.data, "EHLO client.test\r\n");
	fx_server(&f, ehlo_reply);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	ck_assert(caps_has(smtp_caps(f.smtp), CAP_PIPELINING));
	ck_assert_uint_eq(smtp_caps(f.smtp)->size_max, 1000);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_server(&f, "250 2.1.0 Ok\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_MAIL);
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_server(&f, "250 2.1.5 Ok\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_RCPT);
	fx_send(&f, "RCPT TO:<nobody@mx.test>");
	fx_server(&f, "550 5.1.1 no such user\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_RCPT);
	ck_assert_uint_eq(smtp_recipients(f.smtp), 1);
	buf_init(&d);
	smtp_describe(f.smtp, &d);
	ck_assert_str_eq(d.data, "transaction open: 1 recipient accepted, waiting for DATA");
	buf_clear(&d);
	smtp_legal_next(f.smtp, &d);
	ck_assert_str_eq(d.data, "RCPT DATA RSET NOOP QUIT");
	fx_send(&f, "DATA");
	fx_server(&f, "354 go ahead\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_DATA);
	buf_clear(&f.out);
	/* A whole message (RFC 5322 3.6), so no header warning either. */
	smtp_data_line(f.smtp, "From: <a@x.test>", 16, &f.out);
	smtp_data_line(f.smtp, "Date: Mon, 7 Jul 2025 09:30:00 +0000", 36, &f.out);
	smtp_data_line(f.smtp, "Message-ID: <1@x.test>", 22, &f.out);
	smtp_data_line(f.smtp, "Subject: t", 10, &f.out);
	smtp_data_line(f.smtp, "", 0, &f.out);
	smtp_data_line(f.smtp, ".x", 2, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	ck_assert_str_eq(f.out.data, "From: <a@x.test>\r\nDate: Mon, 7 Jul 2025 09:30:00 +0000\r\n"
			 "Message-ID: <1@x.test>\r\nSubject: t\r\n\r\n..x\r\n.\r\n");
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 1);
	ck_assert_int_eq(smtp_pending_peek(f.smtp)->verb, SMTP_V_DOT);
	fx_server(&f, "250 2.0.0 queued\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	ck_assert_uint_eq(smtp_recipients(f.smtp), 0);
	ck_assert_str_eq(session_reply_to(fx_last_reply(&f)), "end of data");
	fx_send(&f, "QUIT");
	fx_server(&f, "221 bye\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_QUITTING);
	ck_assert(smtp_closing(f.smtp));
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	ck_assert(fx_find(&f, SESSION_NOTE, "dot-stuffed") != NULL);
	smtp_closed(f.smtp);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_CLOSED);
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	for (int st = 0; st < SMTP_STAGE__COUNT; st++)
		ck_assert(!smtp_stage_failed(f.smtp, (enum smtp_stage)st));
	buf_free(&d);
	fx_free(&f);
}
END_TEST

START_TEST(test_pipelined_replies_match_by_order)
{
	struct fx f;
	const char *verbs[] = { "MAIL", "RCPT", "RCPT", "DATA" };
	size_t sent[4], i, n, k = 0;

	fx_init(&f);
	fx_ready(&f);
	n = session_count(f.session);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "RCPT TO:<c@mx.test>");
	fx_send(&f, "DATA");
	for (i = n; i < session_count(f.session); i++)
		if (session_get(f.session, i)->kind == SESSION_SENT)
			sent[k++] = i;
	ck_assert_uint_eq(k, 4);
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 4);
	/* DATA closes a pipeline group; the earlier ones are fine. */
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	fx_server(&f, "250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n");
	k = 0;
	for (i = n; i < session_count(f.session); i++) {
		const struct session_event *e = session_get(f.session, i);
		if (e->kind != SESSION_REPLY)
			continue;
		ck_assert_str_eq(session_reply_to(e), verbs[k]);
		ck_assert_uint_eq(e->answers, sent[k]);
		k++;
	}
	ck_assert_uint_eq(k, 4);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_DATA);
	ck_assert_uint_eq(smtp_recipients(f.smtp), 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_warns_but_sends_out_of_sequence)
{
	struct fx f;

	fx_init(&f);
	fx_send(&f, "EHLO early");
	ck_assert(fx_find(&f, SESSION_WARN, "before the server's greeting") != NULL);
	fx_server(&f, "220 hi\r\n");
	fx_server(&f, "502 no EHLO\r\n");
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_HELO));
	buf_clear(&f.out);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	ck_assert(fx_find(&f, SESSION_WARN, "MAIL before EHLO/HELO") != NULL);
	ck_assert_str_eq(f.out.data, "MAIL FROM:<a@x.test>\r\n"); /* sent anyway */
	fx_server(&f, "503 5.5.1 send HELO first\r\n");
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_MAIL));
	fx_send(&f, "RCPT TO:<b@mx.test>");
	ck_assert(fx_find(&f, SESSION_WARN, "RCPT without an accepted MAIL") != NULL);
	fx_server(&f, "503 need MAIL\r\n");
	fx_send(&f, "DATA");
	ck_assert(fx_find(&f, SESSION_WARN, "DATA without an accepted recipient") != NULL);
	fx_server(&f, "503 need RCPT\r\n");
	fx_send(&f, "STARTTLS");
	ck_assert(fx_find(&f, SESSION_WARN, "STARTTLS was not advertised") != NULL);
	fx_server(&f, "502 no\r\n");
	fx_send(&f, "XYZZY");
	ck_assert(fx_find(&f, SESSION_WARN, "not an SMTP command") != NULL);
	fx_server(&f, "500 what\r\n");
	/* HELO succeeds: the HELO stage recovers, MAIL stays failed. */
	fx_send(&f, "HELO client.test");
	fx_server(&f, "250 hi\r\n");
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_HELO));
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_MAIL));
	ck_assert(!caps_has(smtp_caps(f.smtp), CAP_PIPELINING));
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	ck_assert(fx_find(&f, SESSION_WARN, "did not advertise PIPELINING") != NULL);
	fx_server(&f, "250 ok\r\n250 ok\r\n");
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_MAIL));
	fx_free(&f);
}
END_TEST

START_TEST(test_greeting_refused)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "554 5.7.1 go away\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_REFUSED);
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_GREETING));
	fx_send(&f, "EHLO x");
	ck_assert(fx_find(&f, SESSION_WARN, "only QUIT makes sense") != NULL);
	fx_free(&f);
}
END_TEST

/* Issue 17: an LMTP server (a UNIX socket) answers EHLO with 500: the
 * note says LHLO, which then works; LHLO to an SMTP server says EHLO. */
START_TEST(test_ehlo_to_lmtp_says_lhlo)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "220 lmtp.test Dovecot ready.\r\n");
	fx_send(&f, "EHLO me");
	fx_server(&f, "500 5.5.1 Unknown command\r\n");
	ck_assert(fx_find(&f, SESSION_NOTE, "wants LHLO instead") != NULL);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_GREETED);
	fx_send(&f, "LHLO me");
	fx_server(&f, "250-lmtp.test\r\n250 PIPELINING\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	fx_send(&f, "LHLO me");
	fx_server(&f, "502 5.5.2 no\r\n");
	ck_assert(fx_find(&f, SESSION_NOTE, "an SMTP server wants EHLO") != NULL);
	fx_free(&f);
}
END_TEST

/* Issue 12: a reply without a valid code is never a success, a refusal
 * a stage met, or a 354: the greeting is "malformed", DATA does not open
 * message mode, a recipient's summary names no internal value. */
START_TEST(test_malformed_replies_decide_nothing)
{
	static const char *const bad[] = { "099 x\r\n", "600 x\r\n", "25O x\r\n", "2500 x\r\n",
		"25\r\n", "ABC\r\n", "\r\n", "199 x\r\n", "999 x\r\n", "260 x\r\n" };
	struct fx f;
	const struct session_event *e;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fx_init(&f);
		fx_server(&f, bad[i]);
		ck_assert_msg(smtp_state(f.smtp) == SMTP_BAD_GREETING, "%s", bad[i]);
		ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_GREETING));
		ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "malformed greeting"));
		ck_assert_ptr_null(fx_find(&f, SESSION_WARN, "refused service"));
		fx_send(&f, "EHLO x");
		ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "only QUIT is safe"));
		fx_free(&f);
	}
	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:<b@x.test>");
	fx_server(&f, "25O odd\r\n");
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_RCPT));
	fx_send(&f, "RCPT TO:<c@x.test>");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "DATA");
	fx_server(&f, "2500 End data with <CR><LF>.<CR><LF>\r\n");
	ck_assert_int_ne(smtp_state(f.smtp), SMTP_DATA);
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_DATA));
	fx_send(&f, "RSET");
	fx_server(&f, "250 ok\r\n");
	e = fx_find(&f, SESSION_NOTE, "recipients:");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->text, "1 with a malformed reply"));
	ck_assert_ptr_nonnull(strstr(e->text, "malformed reply      <b@x.test>  malformed reply (at RCPT)"));
	ck_assert_ptr_null(strstr(e->text, "-1"));
	fx_free(&f);
}
END_TEST

/* RFC 4954: only 235 completes AUTH.  Postfix's smtp-sink says 250. */
START_TEST(test_auth_needs_235)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "220 hi\r\n");
	fx_send(&f, "EHLO c");
	fx_server(&f, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
	fx_send(&f, "AUTH PLAIN AGFsaWNlAHNlY3JldA==");
	fx_server(&f, "250 2.0.0 Ok\r\n");
	ck_assert(!smtp_authenticated(f.smtp));
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_AUTH));
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "AUTH succeeds only with 235"));
	ck_assert_ptr_null(fx_find(&f, SESSION_NOTE, "authenticated as"));
	fx_send(&f, "AUTH PLAIN AGFsaWNlAHNlY3JldA==");
	fx_server(&f, "235 2.7.0 ok\r\n");
	ck_assert(smtp_authenticated(f.smtp));
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_AUTH));
	fx_free(&f);
}
END_TEST

/* Exit status 29 is about the last message sent: refused recipients of
 * a transaction that sent nothing do not count. */
START_TEST(test_refused_counts_only_a_sent_message)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@x.test>");
	fx_send(&f, "RCPT TO:<nobody@x.test>");
	fx_server(&f, "250 ok\r\n250 ok\r\n550 5.1.1 no\r\n");
	fx_send(&f, "RSET");
	fx_server(&f, "250 ok\r\n");
	ck_assert_uint_eq(smtp_refused_recipients(f.smtp), 0);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@x.test>");
	fx_send(&f, "RCPT TO:<nobody@x.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n550 5.1.1 no\r\n354 go\r\n");
	smtp_data_line(f.smtp, "hi", 2, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	fx_server(&f, "250 2.0.0 queued\r\n");
	ck_assert_uint_eq(smtp_refused_recipients(f.smtp), 1);
	/* A later transaction that sends nothing leaves the last message's. */
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@x.test>");
	fx_server(&f, "250 ok\r\n250 ok\r\n");
	fx_send(&f, "RSET");
	fx_server(&f, "250 ok\r\n");
	ck_assert_uint_eq(smtp_refused_recipients(f.smtp), 1);
	fx_free(&f);
}
END_TEST

/* RFC 6531 3.7.4: replies in a transaction whose MAIL used SMTPUTF8 (and
 * the server offered it) may be UTF-8. */
START_TEST(test_utf8_replies_in_smtputf8_transaction)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "220 hi\r\n");
	fx_send(&f, "EHLO c");
	fx_server(&f, "250-mx\r\n250 SMTPUTF8\r\n");
	ck_assert(!fx_last_reply(&f)->utf8);
	fx_send(&f, "MAIL FROM:<a@x.test> SMTPUTF8");
	fx_server(&f, "250 ok\r\n");
	ck_assert(fx_last_reply(&f)->utf8);
	fx_send(&f, "RCPT TO:<j\xc3\xb6rg@x.test>");
	fx_server(&f, "250 2.1.5 J\xc3\xb6rg ok\r\n");
	ck_assert(fx_last_reply(&f)->utf8);
	fx_send(&f, "RSET");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "NOOP");
	fx_server(&f, "250 ok\r\n");
	ck_assert(!fx_last_reply(&f)->utf8);
	fx_free(&f);
}
END_TEST

START_TEST(test_no_recipient_stage)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:<bad@mx.test>");
	fx_server(&f, "550 5.1.1 unknown\r\n");
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_RCPT));
	fx_send(&f, "DATA");
	fx_server(&f, "554 5.5.1 no valid recipients\r\n");
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_RCPT));
	/* DATA failed too, but RCPT comes first in session order, so the
	 * exit status names the cause (no recipient), not the symptom. */
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_DATA));
	/* A later accepted recipient clears it. */
	fx_send(&f, "RCPT TO:<good@mx.test>");
	fx_server(&f, "250 ok\r\n");
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_RCPT));
	fx_free(&f);
}
END_TEST

START_TEST(test_unsolicited_replies)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_server(&f, "250 surprise\r\n");
	ck_assert(fx_find(&f, SESSION_WARN, "reply without a command") != NULL);
	ck_assert_uint_eq(fx_last_reply(&f)->answers, SIZE_MAX);
	fx_server(&f, "421 4.4.2 timeout\r\n");
	ck_assert(smtp_closing(f.smtp));
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 1);
	fx_send(&f, "NOOP");
	ck_assert(fx_find(&f, SESSION_WARN, "closing the connection") != NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_auth_exchange)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "220 hi\r\n");
	fx_send(&f, "EHLO c");
	fx_server(&f, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n");
	fx_send(&f, "AUTH LOGIN");
	fx_server(&f, "334 VXNlcm5hbWU6\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_AUTH);
	fx_send(&f, "YWxpY2U=");
	ck_assert_int_eq(session_get(f.session, session_count(f.session) - 1)->kind, SESSION_SENT);
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	fx_server(&f, "334 UGFzc3dvcmQ6\r\n");
	fx_send(&f, "c2VjcmV0");
	fx_server(&f, "235 2.7.0 ok\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	ck_assert_str_eq(session_reply_to(fx_last_reply(&f)), "AUTH response");
	fx_send(&f, "AUTH PLAIN x");
	ck_assert(fx_find(&f, SESSION_WARN, "already authenticated") != NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_closed_with_pending)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	smtp_closed(f.smtp);
	ck_assert(fx_find(&f, SESSION_WARN, "still waiting for a reply (first: MAIL)") != NULL);
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_starttls_ready)
{
	struct fx f;
	struct buf d;

	fx_init(&f);
	fx_ready(&f);
	buf_init(&d);
	smtp_legal_next(f.smtp, &d);
	ck_assert_ptr_nonnull(strstr(d.data, "STARTTLS"));
	fx_send(&f, "STARTTLS");
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	fx_server(&f, "220 2.0.0 ready\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_TLS_START);
	buf_free(&d);
	fx_free(&f);
}
END_TEST

/* RFC 3207 4.2: after TLS the capabilities are forgotten, EHLO is due
 * again, and the first EHLO inside TLS is compared with the one before. */
START_TEST(test_tls_forgets_caps_and_diffs)
{
	struct fx f;
	const struct session_event *ev;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "STARTTLS");
	fx_server(&f, "220 2.0.0 ready\r\n");
	smtp_tls_started(f.smtp, false);
	ck_assert(smtp_tls(f.smtp));
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_GREETED);
	ck_assert(!caps_has(smtp_caps(f.smtp), CAP_STARTTLS));
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_TLS));
	fx_send(&f, "EHLO c.test");
	fx_server(&f, "250-mx.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	ev = session_get(f.session, session_count(f.session) - 1);
	ck_assert_int_eq(ev->kind, SESSION_NOTE);
	ck_assert_ptr_nonnull(strstr(ev->text, "+AUTH PLAIN LOGIN"));
	ck_assert_ptr_nonnull(strstr(ev->text, "-STARTTLS"));
	/* Only the first EHLO inside TLS is compared. */
	fx_send(&f, "EHLO c.test");
	fx_server(&f, "250-mx.test\r\n250 PIPELINING\r\n");
	ck_assert_int_eq(session_get(f.session, session_count(f.session) - 1)->kind, SESSION_REPLY);
	smtp_tls_failed(f.smtp);
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_TLS));
	fx_free(&f);
}
END_TEST

/* Implicit TLS: the greeting is awaited only once TLS is up, so a failed
 * handshake leaves no command "still waiting"; after the handshake the
 * greeting answers the connection as usual. */
START_TEST(test_implicit_tls_greeting)
{
	struct session *s = session_new(NULL);
	struct smtp *m = smtp_new(s);
	size_t ev = session_text(s, SESSION_CONNECT, "test");
	struct reply_parser *p = reply_parser_new();
	struct reply *r;
	struct buf out;

	smtp_connected(m, ev, true);
	ck_assert_uint_eq(smtp_pending_count(m), 0);
	ck_assert_int_eq(smtp_state(m), SMTP_WAIT_GREETING);
	smtp_tls_failed(m);
	smtp_closed(m);
	for (size_t i = 0; i < session_count(s); i++)
		ck_assert_int_ne(session_get(s, i)->kind, SESSION_WARN);

	ev = session_text(s, SESSION_CONNECT, "again");
	smtp_connected(m, ev, true);
	smtp_tls_started(m, true);
	ck_assert_uint_eq(smtp_pending_count(m), 1);
	ck_assert_int_eq(smtp_pending_peek(m)->verb, SMTP_V_GREETING);
	reply_parser_feed(p, "220 mx.test ESMTP\r\n", 19);
	r = reply_parser_next(p);
	ck_assert_ptr_nonnull(r);
	buf_init(&out);
	smtp_on_reply(m, r, &out);
	ck_assert_uint_eq(out.len, 0); /* a greeting makes nothing to send */
	buf_free(&out);
	ck_assert_int_eq(smtp_state(m), SMTP_GREETED);
	ck_assert(smtp_tls(m));
	reply_parser_free(p);
	smtp_free(m);
	session_free(s);
}
END_TEST

START_TEST(test_data_repair_warnings)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n354 go\r\n");
	buf_clear(&f.out);
	smtp_data_bytes(f.smtp, "a\nb\r\n", 5, &f.out);
	smtp_data_end(f.smtp, "file.eml", &f.out);
	ck_assert_str_eq(f.out.data, "a\r\nb\r\n.\r\n");
	ck_assert(fx_find(&f, SESSION_WARN, "1 bare LF line ending turned into CRLF") != NULL);
	ck_assert(fx_find(&f, SESSION_DATA, "message from file.eml: 5 bytes read") != NULL);
	fx_free(&f);
}
END_TEST

static size_t fx_count_8bit(struct fx *f)
{
	size_t i, n = 0;

	for (i = 0; i < session_count(f->session); i++) {
		const struct session_event *e = session_get(f->session, i);
		if (e->kind == SESSION_WARN && e->text && strstr(e->text, "with the 8th bit set"))
			n++;
	}
	return n;
}

/* 8-bit octets in DATA without BODY=8BITMIME: one warning per message,
 * however many lines hold them; none once MAIL says BODY=8BITMIME; the
 * other wording when the server does not offer 8BITMIME at all. */
START_TEST(test_data_8bit_warning)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f); /* 8BITMIME advertised */
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n354 go\r\n");
	smtp_data_line(f.smtp, "Subject: Gr\xc3\xbc\xc3\x9f""e", 16, &f.out);
	smtp_data_line(f.smtp, "", 0, &f.out);
	smtp_data_bytes(f.smtp, "caf\xc3\xa9\r\nplain\r\n", 14, &f.out);
	ck_assert_uint_eq(fx_count_8bit(&f), 0);
	smtp_data_end(f.smtp, NULL, &f.out);
	ck_assert_uint_eq(fx_count_8bit(&f), 1);
	ck_assert(fx_find(&f, SESSION_WARN, "6 octets with the 8th bit set, but MAIL had no BODY=8BITMIME") != NULL);
	fx_server(&f, "250 queued\r\n");
	/* declared: no warning */
	fx_send(&f, "MAIL FROM:<a@x.test> BODY=8BITMIME");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n354 go\r\n");
	smtp_data_line(f.smtp, "\xff", 1, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	ck_assert_uint_eq(fx_count_8bit(&f), 1);
	fx_server(&f, "250 queued\r\n");
	/* SMTPUTF8 declares UTF-8 content: no warning */
	fx_send(&f, "MAIL FROM:<a@x.test> SMTPUTF8");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n354 go\r\n");
	smtp_data_line(f.smtp, "f\xc3\xbcr", 4, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	fx_server(&f, "250 queued\r\n");
	/* 7-bit only: no warning */
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n354 go\r\n");
	smtp_data_line(f.smtp, "ascii", 5, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	ck_assert_uint_eq(fx_count_8bit(&f), 1);
	fx_free(&f);

	/* a server without 8BITMIME */
	fx_init(&f);
	fx_server(&f, "220 mx.test ESMTP\r\n");
	fx_send(&f, "EHLO c");
	fx_server(&f, "250-mx\r\n250 PIPELINING\r\n");
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n354 go\r\n");
	smtp_data_line(f.smtp, "\xe9", 1, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	ck_assert_uint_eq(fx_count_8bit(&f), 1);
	ck_assert(fx_find(&f, SESSION_WARN, "1 octet with the 8th bit set, but the server did not advertise 8BITMIME") != NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_verb_of)
{
	ck_assert_int_eq(smtp_verb_of("mail from:<a>"), SMTP_V_MAIL);
	ck_assert_int_eq(smtp_verb_of("RcPt TO:<a>"), SMTP_V_RCPT);
	ck_assert_int_eq(smtp_verb_of("DATA"), SMTP_V_DATA);
	ck_assert_int_eq(smtp_verb_of("DATAX"), SMTP_V_UNKNOWN);
	ck_assert_int_eq(smtp_verb_of(""), SMTP_V_UNKNOWN);
	ck_assert_int_eq(smtp_verb_of("starttls"), SMTP_V_STARTTLS);
	ck_assert_str_eq(smtp_state_name(SMTP_RCPT), "RCPT");
	ck_assert_str_eq(smtp_verb_name(SMTP_V_DOT), "end of data");
}
END_TEST

/* The newest SENT event. */
static const struct session_event *fx_last_sent(struct fx *f)
{
	size_t i = session_count(f->session);

	while (i-- > 0)
		if (session_get(f->session, i)->kind == SESSION_SENT)
			return session_get(f->session, i);
	return NULL;
}

/* AUTH driven by smtpscope: the wire has the credentials, the transcript
 * never does (RFC 4616 example). */
START_TEST(test_auth_driver_plain_redacted)
{
	struct fx f;
	enum auth_mech m = AUTH_PLAIN;
	const struct session_event *e;

	fx_init(&f);
	fx_ready(&f);
	buf_clear(&f.out);
	smtp_auth_start(f.smtp, &m, 1, "tim", "tanstaaftanstaaf", &f.out);
	ck_assert_str_eq(f.out.data, "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
	e = fx_last_sent(&f);
	ck_assert(e->redacted);
	ck_assert_str_eq(e->raw, "AUTH PLAIN <redacted: user \"tim\">\r\n");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "WITHOUT TLS"));
	fx_server(&f, "235 2.7.0 ok\r\n");
	ck_assert(!smtp_auth_active(f.smtp));
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_AUTH));
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_NOTE, "authenticated as \"tim\" with PLAIN"));
	fx_free(&f);
}
END_TEST

/* LOGIN answers each 334 by itself; 504 moves on to the next mechanism;
 * 535 ends it as a failed AUTH stage. */
START_TEST(test_auth_driver_login_fallback)
{
	struct fx f;
	enum auth_mech m[] = { AUTH_CRAM_MD5, AUTH_LOGIN };

	fx_init(&f);
	fx_ready(&f);
	buf_clear(&f.out);
	smtp_auth_start(f.smtp, m, 2, "alice", "pw", &f.out);
	ck_assert_str_eq(f.out.data, "AUTH CRAM-MD5\r\n");
	buf_clear(&f.out);
	fx_server(&f, "504 5.5.4 unrecognized\r\n");
	ck_assert_str_eq(f.out.data, "AUTH LOGIN\r\n");
	buf_clear(&f.out);
	fx_server(&f, "334 VXNlcm5hbWU6\r\n");
	ck_assert_str_eq(f.out.data, "YWxpY2U=\r\n");
	ck_assert_str_eq(fx_last_sent(&f)->raw, "<redacted: LOGIN response for user \"alice\">\r\n");
	buf_clear(&f.out);
	fx_server(&f, "334 UGFzc3dvcmQ6\r\n");
	ck_assert_str_eq(f.out.data, "cHc=\r\n");
	fx_server(&f, "535 5.7.8 bad\r\n");
	ck_assert(!smtp_auth_active(f.smtp));
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_AUTH));
	fx_free(&f);
}
END_TEST

/* A bad challenge is cancelled with "*" (RFC 4954 4). */
START_TEST(test_auth_driver_cancels)
{
	struct fx f;
	enum auth_mech m = AUTH_CRAM_MD5;

	fx_init(&f);
	fx_ready(&f);
	smtp_auth_start(f.smtp, &m, 1, "alice", "pw", &f.out);
	buf_clear(&f.out);
	fx_server(&f, "334 not*base64\r\n");
	ck_assert_str_eq(f.out.data, "*\r\n");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_ERROR, "cancelling"));
	fx_free(&f);
}
END_TEST

/* Typed SASL lines are redacted too, unless --show-secrets. */
START_TEST(test_auth_typed_redacted)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
	ck_assert_str_eq(fx_last_sent(&f)->raw, "AUTH PLAIN <redacted: user \"tim\">\r\n");
	fx_server(&f, "535 5.7.8 no\r\n");
	fx_send(&f, "AUTH LOGIN");
	ck_assert(!fx_last_sent(&f)->redacted);
	fx_server(&f, "334 VXNlcm5hbWU6\r\n");
	fx_send(&f, "dGlt");
	ck_assert_str_eq(fx_last_sent(&f)->raw, "<redacted: SASL response>\r\n");
	fx_server(&f, "334 UGFzc3dvcmQ6\r\n");
	smtp_set_show_secrets(f.smtp, true);
	fx_send(&f, "c2VjcmV0");
	ck_assert_str_eq(fx_last_sent(&f)->raw, "c2VjcmV0\r\n");
	fx_free(&f);
}
END_TEST

/* LMTP (RFC 2033 4.2): one reply per accepted recipient after the dot,
 * matched in RCPT order; the summary lists every recipient. */
/* An LMTP session (LHLO answered with lhlo_reply) with MAIL and three
 * RCPTs sent, <a@x>, <nobody@x>, <b@x>, none answered yet. */
static void fx_lmtp_envelope(struct fx *f, const char *lhlo_reply)
{
	fx_init(f);
	fx_server(f, "220 lmtp.test LMTP\r\n");
	fx_send(f, "LHLO client.test");
	fx_server(f, lhlo_reply);
	fx_send(f, "MAIL FROM:<s@x>");
	fx_send(f, "RCPT TO:<a@x>");
	fx_send(f, "RCPT TO:<nobody@x>");
	fx_send(f, "RCPT TO:<b@x>");
}

START_TEST(test_lmtp_per_recipient)
{
	struct fx f;
	const struct session_event *e;

	fx_lmtp_envelope(&f, "250-lmtp.test\r\n250 PIPELINING\r\n");
	fx_send(&f, "DATA");
	fx_server(&f, "250 ok\r\n250 ok\r\n550 5.1.1 no\r\n250 ok\r\n354 go\r\n");
	smtp_data_line(f.smtp, "hi", 2, &f.out);
	smtp_data_end(f.smtp, NULL, &f.out);
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 2);
	fx_server(&f, "250 2.0.0 a saved\r\n");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_NOTE, "that reply is for <a@x>"));
	fx_server(&f, "452 4.2.2 b over quota\r\n");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_NOTE, "that reply is for <b@x>"));
	e = fx_find(&f, SESSION_NOTE, "recipients: 1 accepted, 1 temporarily refused, 1 permanently refused");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->text, "<b@x>  452 4.2.2 (after the message)"));
	ck_assert_ptr_nonnull(strstr(e->text, "<nobody@x>  550 5.1.1 (at RCPT)"));
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_DOT));
	ck_assert_uint_eq(smtp_refused_recipients(f.smtp), 2);
	fx_free(&f);
}
END_TEST

/* The recipient summary names each address as typed, without the
 * brackets: an unclosed "<", no brackets, a space after the colon,
 * parameters after the address. */
START_TEST(test_rcpt_summary_paths)
{
	struct fx f;
	const struct session_event *e;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:<s@x>");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:<open@x");
	fx_server(&f, "501 5.5.4 Syntax\r\n");
	fx_send(&f, "RCPT TO:bare@x");
	fx_server(&f, "501 5.5.4 Syntax\r\n");
	fx_send(&f, "RCPT TO: <spaced@x> NOTIFY=NEVER");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:unbracketed@x NOTIFY=NEVER");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RSET");
	fx_server(&f, "250 ok\r\n");
	e = fx_find(&f, SESSION_NOTE, "recipients: 0 accepted");
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(e->text, " <open@x>  501 5.5.4"));
	ck_assert_ptr_nonnull(strstr(e->text, " <bare@x>  501 5.5.4"));
	ck_assert_ptr_nonnull(strstr(e->text, " <spaced@x>  "));
	ck_assert_ptr_nonnull(strstr(e->text, " <unbracketed@x>  "));
	ck_assert_ptr_null(strstr(e->text, "<<"));
	fx_free(&f);
}
END_TEST

/* BDAT LAST over LMTP: its reply ends the message, so one pending entry
 * per accepted recipient, each marked last and each matched to its
 * recipient; the chunk before it keeps its own single entry. */
START_TEST(test_lmtp_bdat_last)
{
	struct fx f;
	const struct smtp_pending *p;

	fx_lmtp_envelope(&f, "250-lmtp.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
	fx_server(&f, "250 ok\r\n250 ok\r\n550 5.1.1 no\r\n250 ok\r\n");
	smtp_bdat(f.smtp, "Subject: x\r\n", 12, false, &f.out);
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 1);
	smtp_bdat(f.smtp, "\r\nhi\r\n", 6, true, &f.out);
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 3);
	p = smtp_pending_peek(f.smtp);
	ck_assert_int_eq(p->verb, SMTP_V_BDAT);
	ck_assert(!p->last);
	fx_server(&f, "250 2.0.0 chunk\r\n");
	p = smtp_pending_peek(f.smtp);
	ck_assert_int_eq(p->verb, SMTP_V_BDAT);
	ck_assert(p->last);
	ck_assert_ptr_null(p->arg);
	fx_server(&f, "250 2.0.0 a saved\r\n");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_NOTE, "that reply is for <a@x>"));
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 1);
	ck_assert(smtp_pending_peek(f.smtp)->last);
	fx_server(&f, "452 4.2.2 b over quota\r\n");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_NOTE, "that reply is for <b@x>"));
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_NOTE,
				      "recipients: 1 accepted, 1 temporarily refused, 1 permanently refused"));
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 0);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_DOT));
	fx_free(&f);
}
END_TEST

START_TEST(test_pipeline_group)
{
	struct fx f;
	char *group[] = { "MAIL FROM:<a@x.test>", "RCPT TO:<b@mx.test>",
			  "RCPT TO:<c@mx.test>", "DATA" };
	char *bad[] = { "NOOP", "MAIL FROM:<a@x.test>" };

	fx_init(&f);
	fx_ready(&f);
	buf_clear(&f.out);
	smtp_pipeline(f.smtp, group, 4, &f.out);
	/* one buffer, hence one write */
	ck_assert_str_eq(f.out.data, "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@mx.test>\r\n"
			 "RCPT TO:<c@mx.test>\r\nDATA\r\n");
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 4);
	ck_assert_uint_eq(smtp_pending_peek(f.smtp)->group, 1);
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	ck_assert(fx_find(&f, SESSION_NOTE, "4 commands in one write") != NULL);
	fx_server(&f, "250 ok\r\n250 ok\r\n550 no\r\n");
	ck_assert(fx_find(&f, SESSION_NOTE, "in order:") == NULL);
	fx_server(&f, "354 go\r\n");
	ck_assert(fx_find(&f, SESSION_NOTE, "in order: MAIL 250, RCPT 250, RCPT 550, DATA 354") != NULL);
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_DATA);
	smtp_data_end(f.smtp, NULL, &f.out);
	fx_server(&f, "250 queued\r\n");
	/* NOOP must end a group; no PIPELINING after HELO */
	smtp_pipeline(f.smtp, bad, 2, &f.out);
	ck_assert(fx_find(&f, SESSION_WARN, "NOOP must be the last command of a group") != NULL);
	fx_server(&f, "250 ok\r\n250 ok\r\n");
	fx_send(&f, "HELO again");
	fx_server(&f, "250 hi\r\n");
	smtp_pipeline(f.smtp, group, 2, &f.out);
	ck_assert(fx_find(&f, SESSION_WARN, "did not advertise PIPELINING") != NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_mail_rcpt_params)
{
	struct fx f;

	fx_init(&f);
	fx_ready(&f); /* PIPELINING, SIZE 1000, STARTTLS, 8BITMIME */
	fx_send(&f, "MAIL FROM:<a@x.test> SMTPUTF8");
	ck_assert(fx_find(&f, SESSION_WARN, "MAIL with SMTPUTF8 but the server did not advertise SMTPUTF8") != NULL);
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RSET");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "MAIL FROM:<a@x.test> SIZE=5000 BODY=BINARYMIME RET=FULL REQUIRETLS");
	ck_assert(fx_find(&f, SESSION_WARN, "SIZE=5000 is over the server's limit of 1000") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "BODY=BINARYMIME needs BINARYMIME and CHUNKING") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "RET= but the server did not advertise DSN") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "REQUIRETLS but the server did not advertise it") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "REQUIRETLS outside TLS") != NULL);
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:<b@mx.test> NOTIFY=NEVER,DELAY ORCPT=rfc822");
	ck_assert(fx_find(&f, SESSION_WARN, "NOTIFY=NEVER,DELAY: NEVER alone") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "ORCPT=rfc822: it is ADDR-TYPE;ADDRESS") != NULL);
	fx_send(&f, "RCPT TO:<j\xc3\xb6rg@mx.test>");
	ck_assert(fx_find(&f, SESSION_WARN, "the address in RCPT has UTF-8 but the transaction's MAIL had no SMTPUTF8") != NULL);
	fx_server(&f, "250 ok\r\n250 ok\r\n");
	smtp_size_check(f.smtp, 2000, "m.eml");
	ck_assert(fx_find(&f, SESSION_WARN, "(m.eml, 2000 octets) is larger than the server's SIZE limit of 1000") != NULL);
	fx_send(&f, "DATA");
	ck_assert(fx_find(&f, SESSION_WARN, "DATA after MAIL with BODY=BINARYMIME") != NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_mail_params_clean)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "220 mx.test ESMTP\r\n");
	fx_send(&f, "EHLO c");
	fx_server(&f, "250-mx\r\n250-SIZE 1000\r\n250-DSN\r\n250-SMTPUTF8\r\n250-8BITMIME\r\n"
		  "250-CHUNKING\r\n250 BINARYMIME\r\n");
	fx_send(&f, "MAIL FROM:<j\xc3\xb6rg@x.test> SMTPUTF8 SIZE=900 BODY=8BITMIME RET=HDRS ENVID=x1");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:<b@mx.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@mx.test");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:<\xc3\xbc@mx.test> NOTIFY=NEVER");
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	fx_free(&f);
}
END_TEST

/* RFC 5321 4.1.2: the path in angle brackets; a warning says what is
 * right, and the line still goes as typed. */
START_TEST(test_unbracketed_paths)
{
	struct fx f;
	const struct session_event *w;

	fx_init(&f);
	fx_ready(&f);
	fx_send(&f, "MAIL FROM:user@x.test");
	w = fx_find(&f, SESSION_WARN, "the sender has no angle brackets");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w->text, "MAIL FROM:<user@x.test>"));
	ck_assert_str_eq(smtp_mail_from(f.smtp), "user@x.test");
	ck_assert_ptr_nonnull(strstr(f.out.data, "MAIL FROM:user@x.test\r\n"));
	fx_server(&f, "501 5.1.7 bad sender\r\n");
	fx_send(&f, "MAIL FROM:");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "MAIL FROM:<> (the null sender"));
	fx_server(&f, "501 5.1.7 bad sender\r\n");
	fx_send(&f, "MAIL FROM <user@x.test>");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "MAIL without FROM: the command is MAIL FROM:<address>"));
	fx_server(&f, "501 5.5.4 syntax\r\n");
	fx_send(&f, "MAIL FROM:<user@x.test>");
	fx_server(&f, "250 ok\r\n");
	fx_send(&f, "RCPT TO:b@mx.test NOTIFY=NEVER");
	w = fx_find(&f, SESSION_WARN, "the recipient has no angle brackets");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w->text, "RCPT TO:<b@mx.test>;"));
	fx_server(&f, "501 5.1.3 bad recipient\r\n");
	fx_send(&f, "RCPT TO:<b@mx.test");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "the address after RCPT TO: opens with \"<\" but has no closing \">\""));
	fx_server(&f, "501 5.1.3 bad recipient\r\n");
	fx_send(&f, "RCPT b@mx.test");
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "RCPT without TO: the command is RCPT TO:<address>"));
	/* Bracketed, with or without the space some servers allow: no path warning. */
	fx_server(&f, "501 5.5.4 syntax\r\n");
	size_t before = fx_count(&f, SESSION_WARN);
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_send(&f, "RCPT TO: <c@mx.test>");
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), before);
	fx_free(&f);
}
END_TEST

/* A typed message (RFC 5322 2.1, 2.2, 3.6): the line that is no header,
 * and the headers a message must (Date, From) or should (Message-ID)
 * have, warned before the dot goes; the bytes are sent as typed. */
static void fx_message(struct fx *f, const char *const *lines, size_t n)
{
	fx_send(f, "MAIL FROM:<a@x.test>");
	fx_send(f, "RCPT TO:<b@mx.test>");
	fx_send(f, "DATA");
	fx_server(f, "250 ok\r\n250 ok\r\n354 go\r\n");
	for (size_t i = 0; i < n; i++)
		smtp_data_line(f->smtp, lines[i], strlen(lines[i]), &f->out);
	smtp_data_end(f->smtp, NULL, &f->out);
	fx_server(f, "250 2.0.0 queued\r\n");
}

START_TEST(test_message_header_warnings)
{
	static const char *const no_blank[] = { "Subject: hi", "Hello class", "bye" };
	static const char *const no_colon[] = { "From: <a@x.test>", "Date: Mon, 7 Jul 2025 09:30:00 +0000",
						"Subject hi", "", "body" };
	static const char *const no_headers[] = { "Hello there", "", "text" };
	static const char *const folded[] = { "From: <a@x.test>", "Date: Mon, 7 Jul 2025",
					      "Subject: a long", "\tsubject", "Message-ID: <1@x.test>",
					      "", "no colon here is fine: body" };
	const struct session_event *w;
	struct fx f;

	fx_init(&f);
	fx_ready(&f);
	fx_message(&f, no_blank, 3);
	w = fx_find(&f, SESSION_WARN, "line 2 of the message (\"Hello class\") is no header field, and no empty line came before it");
	ck_assert_ptr_nonnull(w);
	w = fx_find(&f, SESSION_WARN, "headers missing from the message: Date:, From:, Message-ID:.");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w->text, "e.g. Date: Mon, 7 Jul 2025 09:30:00 +0000 / From: <a@x.test> / Message-ID: <1@x.test>"));
	ck_assert_ptr_nonnull(strstr(f.out.data, "Subject: hi\r\nHello class\r\nbye\r\n.\r\n"));
	fx_free(&f);

	fx_init(&f);
	fx_ready(&f);
	fx_message(&f, no_colon, 5);
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "line 3 of the message (\"Subject hi\") is in the header section (before the first empty line) but is no header field"));
	w = fx_find(&f, SESSION_WARN, "the message has no Message-ID: header: RFC 5322 3.6.4");
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(strstr(w->text, "Message-ID: <1@x.test>"));
	ck_assert_ptr_null(fx_find(&f, SESSION_WARN, "headers missing"));
	fx_free(&f);

	fx_init(&f);
	fx_ready(&f);
	fx_message(&f, no_headers, 3);
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "the message begins with \"Hello there\", which is no header field"));
	ck_assert_ptr_nonnull(fx_find(&f, SESSION_WARN, "headers missing from the message: Date:, From:, Message-ID:."));
	fx_free(&f);

	/* Folded fields, and a body with colons: a whole message, no warning. */
	fx_init(&f);
	fx_ready(&f);
	fx_message(&f, folded, 7);
	ck_assert_uint_eq(fx_count(&f, SESSION_WARN), 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_bdat_chunks)
{
	struct fx f;

	fx_init(&f);
	fx_server(&f, "220 mx.test ESMTP\r\n");
	fx_send(&f, "EHLO c");
	fx_server(&f, "250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n");
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_server(&f, "250 ok\r\n250 ok\r\n");
	buf_clear(&f.out);
	smtp_bdat(f.smtp, "Subject: x\r\n\r\n.a\n", 17, false, &f.out);
	smtp_bdat(f.smtp, "\xff\r\n", 3, true, &f.out);
	/* exact counts, nothing stuffed or repaired, no end-of-data line */
	ck_assert_uint_eq(f.out.len, 9 + 17 + 13 + 3);
	ck_assert(memcmp(f.out.data, "BDAT 17\r\nSubject: x\r\n\r\n.a\nBDAT 3 LAST\r\n\xff\r\n", f.out.len) == 0);
	ck_assert(fx_find(&f, SESSION_WARN, "1 bare LF and 0 bare CR") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "1 octets with the 8th bit set") != NULL);
	ck_assert_uint_eq(smtp_pending_count(f.smtp), 2);
	fx_server(&f, "250 2.0.0 chunk\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_RCPT);
	fx_server(&f, "250 2.0.0 queued\r\n");
	ck_assert_int_eq(smtp_state(f.smtp), SMTP_READY);
	ck_assert(fx_find(&f, SESSION_NOTE, "recipients: 1 accepted") != NULL);
	ck_assert(!smtp_stage_failed(f.smtp, SMTP_STAGE_DOT));
	ck_assert_str_eq(session_reply_to(fx_last_reply(&f)), "BDAT");
	/* BINARYMIME: no warnings about the octets; a refused chunk */
	fx_send(&f, "MAIL FROM:<a@x.test> BODY=BINARYMIME");
	fx_send(&f, "RCPT TO:<b@mx.test>");
	fx_server(&f, "250 ok\r\n250 ok\r\n");
	smtp_bdat(f.smtp, "a\nb", 3, false, &f.out);
	fx_server(&f, "552 5.3.4 too big\r\n");
	ck_assert(smtp_bdat_refused(f.smtp));
	ck_assert(smtp_stage_failed(f.smtp, SMTP_STAGE_DOT));
	smtp_bdat(f.smtp, "", 0, true, &f.out);
	ck_assert(fx_find(&f, SESSION_WARN, "RFC 3030 4.2 says send RSET") != NULL);
	ck_assert(fx_find(&f, SESSION_WARN, "bare LF and") == fx_find(&f, SESSION_WARN, "1 bare LF and 0"));
	fx_free(&f);
}
END_TEST

/* --trace: each state change is a note naming its cause, after the reply
 * that caused it; nothing when trace is off. */
START_TEST(test_trace_notes_state_changes)
{
	struct fx f;
	const struct session_event *note;
	size_t notes;

	fx_init(&f);
	fx_ready(&f);
	ck_assert_ptr_null(fx_find(&f, SESSION_NOTE, "state "));
	smtp_set_trace(f.smtp, true);
	ck_assert(smtp_tracing(f.smtp));
	fx_send(&f, "MAIL FROM:<a@x.test>");
	fx_server(&f, "250 2.1.0 Ok\r\n");
	note = fx_find(&f, SESSION_NOTE, "state ");
	ck_assert_ptr_nonnull(note);
	ck_assert_str_eq(note->text, "state READY -> MAIL on 250 to MAIL");
	/* the note follows the reply it comes from */
	ck_assert_uint_eq(note->index, fx_last_reply(&f)->index + 1);
	fx_send(&f, "RCPT TO:<b@y.test>");
	fx_server(&f, "550 5.1.1 no\r\n"); /* refused: no state change, no note */
	fx_send(&f, "DATA");
	fx_server(&f, "503 5.5.1 no valid recipients\r\n");
	ck_assert_uint_eq(fx_find(&f, SESSION_NOTE, "state ")->index, note->index);
	smtp_closed(f.smtp);
	ck_assert_str_eq(fx_find(&f, SESSION_NOTE, "state ")->text,
			 "state MAIL -> CLOSED on connection closed");
	smtp_set_trace(f.smtp, false);
	notes = fx_count(&f, SESSION_NOTE);
	smtp_connected(f.smtp, session_text(f.session, SESSION_CONNECT, "again"), false);
	ck_assert_uint_eq(fx_count(&f, SESSION_NOTE), notes);
	fx_free(&f);
}
END_TEST

Suite *smtp_suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("state machine");

	tcase_add_test(tc, test_happy_path);
	tcase_add_test(tc, test_pipelined_replies_match_by_order);
	tcase_add_test(tc, test_warns_but_sends_out_of_sequence);
	tcase_add_test(tc, test_greeting_refused);
	tcase_add_test(tc, test_ehlo_to_lmtp_says_lhlo);
	tcase_add_test(tc, test_no_recipient_stage);
	tcase_add_test(tc, test_malformed_replies_decide_nothing);
	tcase_add_test(tc, test_auth_needs_235);
	tcase_add_test(tc, test_refused_counts_only_a_sent_message);
	tcase_add_test(tc, test_utf8_replies_in_smtputf8_transaction);
	tcase_add_test(tc, test_unsolicited_replies);
	tcase_add_test(tc, test_auth_exchange);
	tcase_add_test(tc, test_closed_with_pending);
	tcase_add_test(tc, test_starttls_ready);
	tcase_add_test(tc, test_tls_forgets_caps_and_diffs);
	tcase_add_test(tc, test_implicit_tls_greeting);
	tcase_add_test(tc, test_data_repair_warnings);
	tcase_add_test(tc, test_data_8bit_warning);
	tcase_add_test(tc, test_verb_of);
	tcase_add_test(tc, test_auth_driver_plain_redacted);
	tcase_add_test(tc, test_auth_driver_login_fallback);
	tcase_add_test(tc, test_auth_driver_cancels);
	tcase_add_test(tc, test_auth_typed_redacted);
	tcase_add_test(tc, test_lmtp_per_recipient);
	tcase_add_test(tc, test_rcpt_summary_paths);
	tcase_add_test(tc, test_lmtp_bdat_last);
	tcase_add_test(tc, test_pipeline_group);
	tcase_add_test(tc, test_mail_rcpt_params);
	tcase_add_test(tc, test_mail_params_clean);
	tcase_add_test(tc, test_bdat_chunks);
	tcase_add_test(tc, test_trace_notes_state_changes);
	tcase_add_test(tc, test_unbracketed_paths);
	tcase_add_test(tc, test_message_header_warnings);
	suite_add_tcase(s, tc);
	return s;
}
