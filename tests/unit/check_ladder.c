/* ladder: the session as an ASCII sequence diagram, drawn whole or as the
 * session grows (the same lines either way), server bytes made harmless. */
#include "config.h"

#include <check.h>
#include <string.h>

#include "smtpscope/ladder.h"
#include "smtpscope/reply.h"
#include "smtpscope/session.h"
#include "smtpscope/verb.h"
#include "suites.h"

static void add_reply(struct session *s, const char *bytes, size_t answers, enum smtp_verb cmd)
{
	struct reply_parser *p = reply_parser_new();
	struct reply *r;

	reply_parser_feed(p, bytes, strlen(bytes));
	r = reply_parser_next(p);
	ck_assert_ptr_nonnull(r);
	session_reply(s, r, answers, cmd, NULL);
	reply_parser_free(p);
}

static void add_exchange(struct session *s, const char *line, const char *reply, enum smtp_verb cmd)
{
	size_t ev = session_sent(s, line, strlen(line));

	add_reply(s, reply, ev, cmd);
}

START_TEST(render_directions_and_width)
{
	struct session *s = session_new(NULL);
	struct buf out;
	char *nl;
	int coded = 0;

	add_reply(s, "220 mx.test ESMTP\r\n", session_text(s, SESSION_CONNECT, "up"), SMTP_V_GREETING);
	add_exchange(s, "EHLO me.example\r\n", "250 mx.test Hello\r\n", SMTP_V_EHLO);
	add_exchange(s, "RCPT TO:<b@y.test>\r\n", "550 5.1.1 no such user\r\n", SMTP_V_RCPT);
	buf_init(&out);
	ladder_render(s, 60, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "client"));
	ck_assert_ptr_nonnull(strstr(out.data, "server"));
	ck_assert_ptr_nonnull(strstr(out.data, "|-- EHLO me.example -"));   /* sent: to the right */
	ck_assert_ptr_nonnull(strstr(out.data, "|<-"));                    /* replies: to the left */
	ck_assert_ptr_nonnull(strstr(out.data, "550 5.1.1 no such user"));
	for (char *line = out.data; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		ck_assert_msg((size_t)(nl - line) <= 60, "line wider than 60: %.*s", (int)(nl - line), line);
		if (memmem(line, (size_t)(nl - line), "550 5.1.1", 9) && ++coded)
			ck_assert_msg(ladder_line_code(line, (size_t)(nl - line)) == 550, "code of [%.*s]", (int)(nl - line), line);
	}
	ck_assert_int_eq(coded, 1);
	buf_free(&out);
	session_free(s);
}
END_TEST

/* Drawn as events arrive, the diagram is the one drawn at the end. */
START_TEST(incremental_equals_whole)
{
	struct session *s = session_new(NULL);
	struct ladder l;
	struct buf inc, whole;

	buf_init(&inc);
	buf_init(&whole);
	ladder_start(&l, LADDER_DEFAULT_WIDTH, &inc);
	add_reply(s, "220 mx.test ESMTP\r\n", session_text(s, SESSION_CONNECT, "up"), SMTP_V_GREETING);
	ladder_update(&l, s, &inc);
	add_exchange(s, "MAIL FROM:<a@x.test>\r\n", "250 ok\r\n", SMTP_V_MAIL);
	ladder_update(&l, s, &inc);
	ladder_update(&l, s, &inc); /* nothing new: nothing added */
	add_exchange(s, "DATA\r\n", "354 go ahead\r\n", SMTP_V_DATA);
	session_text(s, SESSION_NOTE, "a note");
	add_exchange(s, "QUIT\r\n", "221 bye\r\n", SMTP_V_QUIT);
	ladder_update(&l, s, &inc);
	ladder_render(s, LADDER_DEFAULT_WIDTH, &whole);
	ck_assert_str_eq(inc.data, whole.data);
	buf_free(&inc);
	buf_free(&whole);
	session_free(s);
}
END_TEST

START_TEST(hostile_bytes_never_drawn)
{
	struct session *s = session_new(NULL);
	struct buf out;

	add_reply(s, "220 \x1b[2J\x1b]0;pwned\x07 \xc3\x28 evil\r\n",
		  session_text(s, SESSION_CONNECT, "up"), SMTP_V_GREETING);
	buf_init(&out);
	ladder_render(s, LADDER_DEFAULT_WIDTH, &out);
	for (size_t i = 0; i < out.len; i++)
		ck_assert_msg(out.data[i] == '\n' || (out.data[i] >= 0x20 && out.data[i] < 0x7f),
			      "byte 0x%02x at %zu", (unsigned char)out.data[i], i);
	ck_assert_ptr_nonnull(strstr(out.data, "evil"));
	buf_free(&out);
	session_free(s);
}
END_TEST

/* The TLS bands come from the event's step, not its text: a certificate
 * that was not verified is not a failed handshake (the user may go on,
 * and the arrows inside TLS follow), and /cert's report starts nothing. */
START_TEST(tls_bands_by_step)
{
	struct session *s = session_new(NULL);
	struct buf out;

	add_reply(s, "220 mx.test ESMTP\r\n", session_text(s, SESSION_CONNECT, "up"), SMTP_V_GREETING);
	add_exchange(s, "STARTTLS\r\n", "220 go ahead\r\n", SMTP_V_STARTTLS);
	session_tls(s, SESSION_TLS_NOTE, NULL, "STARTTLS accepted: TLS handshake, verifying mx.test");
	session_tls(s, SESSION_TLS_UP, NULL, "TLSv1.3, cipher TLS_AES_256_GCM_SHA384\ncertificate ...");
	session_tls(s, SESSION_TLS_UNVERIFIED, "self-signed certificate",
		    "certificate verification FAILED: self-signed certificate");
	session_text(s, SESSION_WARN, "INSECURE: going on WITHOUT a verified certificate");
	session_set_channel(s, true, true);
	add_exchange(s, "EHLO me.example\r\n", "250 mx.test\r\n", SMTP_V_EHLO);
	session_tls(s, SESSION_TLS_NOTE, NULL, "TLSv1.3, cipher TLS_AES_256_GCM_SHA384 (from /cert)");
	buf_init(&out);
	ladder_render(s, 70, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "TLS started: TLSv1.3"));
	ck_assert_ptr_nonnull(strstr(out.data, "certificate NOT verified"));
	ck_assert_ptr_null(strstr(out.data, "TLS FAILED"));
	ck_assert_ptr_nonnull(strstr(out.data, "|~~ EHLO me.example ~"));
	/* One band per handshake: the /cert report draws none. */
	ck_assert_ptr_null(strstr(strstr(out.data, "TLS started") + 1, "TLS started"));
	buf_clear(&out);
	session_tls(s, SESSION_TLS_FAILED, "alert handshake failure", "TLS handshake FAILED: alert");
	ladder_render(s, 70, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "TLS FAILED"));
	buf_free(&out);
	session_free(s);
}
END_TEST

Suite *ladder_suite(void)
{
	Suite *s = suite_create("ladder");
	TCase *tc = tcase_create("ladder");

	tcase_add_test(tc, render_directions_and_width);
	tcase_add_test(tc, incremental_equals_whole);
	tcase_add_test(tc, hostile_bytes_never_drawn);
	tcase_add_test(tc, tls_bands_by_step);
	suite_add_tcase(s, tc);
	return s;
}
