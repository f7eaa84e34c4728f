/* bounce: whole bounce messages -> failed recipients (bounce.h).  The
 * 36 real bounces of tests/data/real-bounces, each format in small
 * inputs of real wording, and hostile input. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpscope/bounce.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"
#include "suites.h"

#define DATA_DIR SMTPSCOPE_SRC_HELPDIR "/../tests/data/real-bounces"
#define NO_VERB SMTP_V__COUNT

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static char *real_file(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", DATA_DIR, name), *data = slurp(path, len);

	free(path);
	return data;
}

static enum bounce_result parse_str(const char *s, struct bounce *b)
{
	return bounce_parse(s, strlen(s), b);
}

/* No byte a terminal acts on, in any string handed out. */
static void ck_clean_str(const char *s)
{
	for (; s && *s; s++)
		ck_assert_msg((unsigned char)*s >= 0x20 && *s != 0x7f, "control byte 0x%02x", (unsigned char)*s);
}

static void ck_clean(const struct bounce *b)
{
	ck_assert_uint_le(b->nrcpts, BOUNCE_MAX_RCPTS);
	ck_clean_str(b->reporting_mta);
	ck_clean_str(b->subject);
	ck_clean_str(b->from);
	for (size_t i = 0; i < b->nrcpts; i++) {
		const struct bounce_rcpt *r = &b->rcpts[i];

		ck_assert_ptr_nonnull(r->recipient);
		ck_clean_str(r->recipient);
		ck_clean_str(r->original);
		ck_clean_str(r->action);
		ck_clean_str(r->status);
		ck_clean_str(r->remote_mta);
		ck_clean_str(r->diagnostic);
		ck_clean_str(r->diagnostic_type);
	}
}

static const struct bounce_rcpt *rcpt_of(const struct bounce *b, const char *addr)
{
	for (size_t i = 0; i < b->nrcpts; i++)
		if (strcasecmp(b->rcpts[i].recipient, addr) == 0)
			return &b->rcpts[i];
	ck_abort_msg("no recipient %s", addr);
	return NULL;
}

#define ck_str_or_null(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (w_ == NULL) \
		ck_assert_msg(g_ == NULL, "%s is \"%s\", not NULL", #got, g_); \
	else \
		ck_assert_msg(g_ != NULL && strcmp(g_, w_) == 0, "%s is \"%s\", not \"%s\"", #got, g_ ? g_ : "(null)", w_); \
} while (0)

static void ck_verb(const struct bounce_rcpt *r, enum smtp_verb want)
{
	if (want == NO_VERB) {
		ck_assert_msg(!r->has_verb, "%s: verb %s, none expected", r->recipient, smtp_verb_name(r->verb));
	} else {
		ck_assert_msg(r->has_verb, "%s: no verb, %s expected", r->recipient, smtp_verb_name(want));
		ck_assert_msg(r->verb == want, "%s: verb %s, %s expected", r->recipient, smtp_verb_name(r->verb),
			      smtp_verb_name(want));
	}
}

/* ---- the real bounces ---- */

/* What each real bounce must give beyond INDEX.tsv: the format, the
 * reply's code (in the diagnostic), the command and the remote MTA, as
 * read from the files by hand. */
static const struct real {
	const char *file;
	enum bounce_format format;
	const char *code;
	enum smtp_verb verb;
	const char *remote;
} reals[] = {
	{ "lhost-postfix-05.eml", BOUNCE_RFC3464, "450", SMTP_V_RCPT, "excalibur.example.org" },
	{ "lhost-postfix-16.eml", BOUNCE_RFC3464, "550", SMTP_V_RCPT, "mx1.example.go.jp" },
	{ "lhost-postfix-39.eml", BOUNCE_RFC3464, "554", SMTP_V_DOT, "mta.example.com[192.0.2.225]" },
	{ "lhost-postfix-59.eml", BOUNCE_RFC3464, "550", SMTP_V_RCPT, "alt1.gmail-smtp-in.l.google.com" },
	{ "lhost-postfix-63.eml", BOUNCE_RFC3464, "552", SMTP_V_DOT, "smtp3.example.com" },
	{ "lhost-postfix-10.eml", BOUNCE_RFC3464, "553", SMTP_V_MAIL, "mx.example.jp" },
	{ "lhost-postfix-60.eml", BOUNCE_RFC3464, "554", SMTP_V_GREETING, "mx01.mail.com" },
	{ "lhost-postfix-70.eml", BOUNCE_RFC3464, "550", SMTP_V_DOT, "gmail-smtp-in.l.google.com" },
	{ "lhost-postfix-48.eml", BOUNCE_RFC3464, "552", SMTP_V_RCPT, "mfsmax.docomo.ne.jp" },
	{ "lhost-exim-01.eml", BOUNCE_EXIM, "550", SMTP_V_MAIL, "mx.example.jp [192.0.2.20]" },
	{ "lhost-exim-05.eml", BOUNCE_EXIM, "553", SMTP_V_RCPT, "mx49.neko.example.co.jp [192.0.2.82]" },
	{ "lhost-exim-29.eml", BOUNCE_RFC3464, "550", SMTP_V_MAIL, "192.0.2.22" },
	{ "lhost-exim-43.eml", BOUNCE_RFC3464, "550", SMTP_V_MAIL, "mail-mx1.example.net" },
	{ "lhost-qmail-01.eml", BOUNCE_QMAIL, "550", SMTP_V_RCPT, "192.0.2.32" },
	{ "lhost-qmail-08.eml", BOUNCE_QMAIL, "552", SMTP_V_RCPT, "192.0.2.1" },
	{ "lhost-sendmail-05.eml", BOUNCE_RFC3464, "552", SMTP_V_MAIL, "mx.example.org" },
	{ "lhost-sendmail-07.eml", BOUNCE_RFC3464, "554", SMTP_V_RCPT, "mailin-01.mx.example.com" },
	{ "lhost-sendmail-35.eml", BOUNCE_RFC3464, "525", SMTP_V_DATA, "mail.example.org" },
	{ "lhost-exchange2007-01.eml", BOUNCE_RFC3464, "550", NO_VERB, NULL },
	{ "lhost-exchange2007-03.eml", BOUNCE_RFC3464, "550", NO_VERB, NULL },
	{ "lhost-gmail-04.eml", BOUNCE_GMAIL, "554", NO_VERB, NULL },
	{ "lhost-yahoo-01.eml", BOUNCE_YAHOO, "550", SMTP_V_RCPT, NULL },
	{ "lhost-courier-01.eml", BOUNCE_RFC3464, "550", SMTP_V_RCPT, "mx.example.co.jp" },
	{ "lhost-office365-03.eml", BOUNCE_RFC3464, "550", NO_VERB,
	  "neko-smtp-02-22.prod.cats.secureserver.net" },
	{ "lhost-amazonses-16.eml", BOUNCE_RFC3464, "521", NO_VERB, NULL },
	{ "lhost-barracuda-01.eml", BOUNCE_RFC3464, "550", NO_VERB, NULL },
	{ "rfc3464-29.eml", BOUNCE_RFC3464, "503", NO_VERB, NULL },
	{ "rhost-google-06.eml", BOUNCE_RFC3464, "550", SMTP_V_DOT, "gmail-smtp-in.l.google.com" },
	{ "rhost-microsoft-04.eml", BOUNCE_RFC3464, "550", SMTP_V_DATA, "apc.olc.protection.outlook.com" },
	{ "rhost-apple-04.eml", BOUNCE_RFC3464, "550", SMTP_V_RCPT, "mx.mail.icloud.com" },
	{ "lhost-opensmtpd-01.eml", BOUNCE_OTHER, "550", NO_VERB, NULL },
	{ "lhost-mxlogic-01.eml", BOUNCE_EXIM, "550", NO_VERB, NULL },
	{ "lhost-messagingserver-02.eml", BOUNCE_RFC3464, "522", NO_VERB, "smtp.example.net" },
	{ "rhost-franceptt-06.eml", BOUNCE_RFC3464, "550", SMTP_V_GREETING, "smtp-in.orange.fr" },
	{ "lhost-sendmail-39.eml", BOUNCE_RFC3464, "452", SMTP_V_MAIL, "mx.example.co.jp" },
	{ "rhost-tencent-01.eml", BOUNCE_RFC3464, "550", SMTP_V_DOT, "mx3.qq.com" },
};

static const struct real *real_of(const char *file)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(reals); i++)
		if (strcmp(reals[i].file, file) == 0)
			return &reals[i];
	ck_abort_msg("%s is in INDEX.tsv but not in this test's table", file);
	return NULL;
}

/* Every row of INDEX.tsv: its recipient found, with INDEX's status (from
 * the Status field or the reply's enhanced code), the server's words,
 * and what the table above says. */
START_TEST(real_bounces_every_row)
{
	size_t len, rows = 0;
	char *index = real_file("INDEX.tsv", &len), *line, *save = NULL;

	for (line = strtok_r(index, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f_save = NULL, *file = strtok_r(line, "\t", &f_save);
		char *rcpt = strtok_r(NULL, "\t", &f_save), *diagnosis = strtok_r(NULL, "\t", &f_save);
		char *status = strtok_r(NULL, "\t", &f_save), *data;
		const struct real *want;
		const struct bounce_rcpt *r;
		struct bounce b;
		size_t n;

		ck_assert_ptr_nonnull(status);
		(void)diagnosis;
		if (strcmp(file, "file") == 0)
			continue;  /* the heading */
		want = real_of(file);
		data = real_file(file, &n);
		ck_assert_msg(bounce_parse(data, n, &b) == BOUNCE_OK, "%s: not read as a bounce", file);
		ck_clean(&b);
		ck_assert_msg(b.format == want->format, "%s: read as %s", file, bounce_format_name(b.format));
		r = rcpt_of(&b, rcpt);
		if (strcmp(status, "-") != 0)
			ck_assert_msg(r->status && strcmp(r->status, status) == 0, "%s: status %s, not %s", file,
				      r->status ? r->status : "(none)", status);
		ck_assert_msg(r->diagnostic && *r->diagnostic, "%s: no diagnostic", file);
		ck_assert_msg(strstr(r->diagnostic, want->code) != NULL, "%s: diagnostic without %s: %s", file,
			      want->code, r->diagnostic);
		ck_assert_msg(r->action && strcmp(r->action, "failed") == 0, "%s: action %s", file, r->action);
		ck_verb(r, want->verb);
		ck_str_or_null(r->remote_mta, want->remote);
		bounce_free(&b);
		free(data);
		rows++;
	}
	ck_assert_uint_eq(rows, UTIL_ARRAY_LEN(reals));
	free(index);
}
END_TEST

/* The per-message fields, the X-Postfix type, the text's own extras. */
START_TEST(real_bounces_details)
{
	size_t n;
	char *data = real_file("lhost-postfix-39.eml", &n);
	struct bounce b;

	ck_assert_int_eq(bounce_parse(data, n, &b), BOUNCE_OK);
	ck_assert_str_eq(b.reporting_mta, "neko.example.com");
	ck_assert_str_eq(b.subject, "Undelivered Mail Returned to Sender");
	ck_assert_str_eq(b.from, "MAILER-DAEMON@example.org (Mail Delivery System)");
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].diagnostic_type, "x-postfix");
	/* the Status field says 5.0.0; the server said 5.6.0 */
	ck_assert_str_eq(b.rcpts[0].status, "5.6.0");
	bounce_free(&b);
	free(data);

	/* Sun's source route and the Status comment */
	data = real_file("lhost-messagingserver-02.eml", &n);
	ck_assert_int_eq(bounce_parse(data, n, &b), BOUNCE_OK);
	ck_assert_str_eq(b.rcpts[0].recipient, "user@example.com");
	ck_assert_str_eq(b.rcpts[0].original, "user4@example.org");
	ck_assert_str_eq(b.rcpts[0].status, "5.2.0");
	bounce_free(&b);
	free(data);

	/* Postfix's "(expanded from <...>)" agrees with Original-Recipient */
	data = real_file("rhost-google-06.eml", &n);
	ck_assert_int_eq(bounce_parse(data, n, &b), BOUNCE_OK);
	ck_assert_str_eq(b.rcpts[0].original, "user4@example.org");
	bounce_free(&b);
	free(data);

	/* a file that ends in its last part */
	data = real_file("lhost-postfix-05.eml", &n);
	ck_assert_int_eq(bounce_parse(data, n, &b), BOUNCE_OK);
	ck_assert(b.truncated);
	bounce_free(&b);
	free(data);
}
END_TEST

/* ---- the formats, in small inputs of real wording ---- */

START_TEST(postfix_text)
{
	static const char msg[] =
		"Return-Path: <>\n"
		"From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"Content-Type: text/plain; charset=us-ascii\n"
		"\n"
		"This is the mail system at host relay.example.org.\n"
		"\n"
		"I'm sorry to have to inform you that your message could not\n"
		"be delivered to one or more recipients. It's attached below.\n"
		"\n"
		"                   The mail system\n"
		"\n"
		"<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>:\n"
		"    Recipient address rejected: User unknown in local recipient table (in reply\n"
		"    to RCPT TO command)\n"
		"\n"
		"<b@example.net>: host mx.example.net[192.0.2.2] refused to talk to me: 554\n"
		"    5.7.1 Service unavailable; client [198.51.100.1] blocked using\n"
		"    zen.spamhaus.org\n"
		"\n"
		"<c@example.org> (expanded from <list@example.org>): mail for example.org loops\n"
		"    back to myself\n";
	struct bounce b;
	const struct bounce_rcpt *r;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_POSTFIX);
	ck_assert_uint_eq(b.nrcpts, 3);
	ck_assert_str_eq(b.reporting_mta, "relay.example.org");
	r = rcpt_of(&b, "a@example.com");
	ck_assert_str_eq(r->action, "failed");
	ck_assert_str_eq(r->status, "5.1.1");
	ck_assert_str_eq(r->remote_mta, "mx.example.com[192.0.2.1]");
	ck_assert_str_eq(r->diagnostic, "550 5.1.1 <a@example.com>: Recipient address rejected: "
			 "User unknown in local recipient table");
	ck_assert_ptr_null(r->diagnostic_type);
	ck_verb(r, SMTP_V_RCPT);
	r = rcpt_of(&b, "b@example.net");
	ck_assert_str_eq(r->remote_mta, "mx.example.net[192.0.2.2]");
	ck_assert_str_eq(r->status, "5.7.1");
	ck_assert_str_eq(r->diagnostic, "554 5.7.1 Service unavailable; client [198.51.100.1] blocked "
			 "using zen.spamhaus.org");
	ck_verb(r, SMTP_V_GREETING);
	/* no reply: Postfix's own words */
	r = rcpt_of(&b, "c@example.org");
	ck_assert_str_eq(r->original, "list@example.org");
	ck_assert_str_eq(r->diagnostic, "mail for example.org loops back to myself");
	ck_assert_ptr_null(r->status);
	ck_assert_ptr_null(r->remote_mta);
	ck_verb(r, NO_VERB);
	bounce_free(&b);
}
END_TEST

START_TEST(postfix_delayed)
{
	static const char msg[] =
		"From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\n"
		"Subject: Delayed Mail (still being retried)\n"
		"\n"
		"This is the mail system at host relay.example.org.\n"
		"\n"
		"####################################################################\n"
		"# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
		"####################################################################\n"
		"\n"
		"<a@example.com>: host mx.example.com[192.0.2.1] said: 451 4.7.1 Please try\n"
		"    again later (in reply to end of DATA command)\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].action, "delayed");
	ck_assert_str_eq(b.rcpts[0].status, "4.7.1");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "451 4.7.1 Please try again later");
	ck_verb(&b.rcpts[0], SMTP_V_DOT);
	bounce_free(&b);
}
END_TEST

START_TEST(exim_text)
{
	static const char msg[] =
		"From: Mail Delivery System <Mailer-Daemon@relay.example.org>\n"
		"Subject: Mail delivery failed: returning message to sender\n"
		"X-Failed-Recipients: a@example.com, b@example.net, c@example.org\n"
		"\n"
		"This message was created automatically by mail delivery software.\n"
		"\n"
		"A message that you sent could not be delivered to one or more of its\n"
		"recipients. This is a permanent error. The following address(es) failed:\n"
		"\n"
		"  a@example.com\n"
		"    host mx.example.com [192.0.2.1]\n"
		"    SMTP error from remote mail server after RCPT TO:<a@example.com>:\n"
		"    550 5.1.1 <a@example.com>: Recipient address rejected: User unknown\n"
		"  b@example.net\n"
		"    Unrouteable address\n"
		"\n"
		"  c@example.org\n"
		"    SMTP error from remote mail server after end of data:\n"
		"    host mx.example.org [192.0.2.3]: 554 5.7.1 Message rejected as spam\n"
		"\n"
		"------ This is a copy of the message, including all the headers. ------\n"
		"\n"
		"To: a@example.com\n";
	struct bounce b;
	const struct bounce_rcpt *r;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_EXIM);
	ck_assert_uint_eq(b.nrcpts, 3);
	r = rcpt_of(&b, "a@example.com");
	ck_assert_str_eq(r->remote_mta, "mx.example.com [192.0.2.1]");
	ck_assert_str_eq(r->diagnostic, "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown");
	ck_assert_str_eq(r->status, "5.1.1");
	ck_verb(r, SMTP_V_RCPT);
	r = rcpt_of(&b, "b@example.net");
	ck_assert_str_eq(r->diagnostic, "Unrouteable address");
	ck_assert_ptr_null(r->remote_mta);
	ck_verb(r, NO_VERB);
	r = rcpt_of(&b, "c@example.org");
	ck_assert_str_eq(r->remote_mta, "mx.example.org [192.0.2.3]");
	ck_assert_str_eq(r->diagnostic, "554 5.7.1 Message rejected as spam");
	ck_verb(r, SMTP_V_DOT);
	bounce_free(&b);
}
END_TEST

START_TEST(exim_delayed)
{
	static const char msg[] =
		"From: Mail Delivery System <Mailer-Daemon@relay.example.org>\n"
		"Subject: Warning: message 1abcde-000123-AB delayed 24 hours\n"
		"\n"
		"This message was created automatically by mail delivery software.\n"
		"A message that you sent has not yet been delivered to one or more of its\n"
		"recipients after more than 24 hours on the queue on relay.example.org.\n"
		"\n"
		"The address to which the message has not yet been delivered is:\n"
		"\n"
		"  a@example.com\n"
		"    host mx.example.com [192.0.2.1]\n"
		"    Delay reason: SMTP error from remote mail server after pipelined RCPT TO:<a@example.com>:\n"
		"    451 4.7.1 Greylisted, please try again later\n"
		"\n"
		"No action is required on your part. Delivery attempts will continue for\n"
		"some time, and this warning may be repeated at intervals if the message\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].action, "delayed");
	ck_assert_str_eq(b.rcpts[0].status, "4.7.1");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "451 4.7.1 Greylisted, please try again later");
	ck_verb(&b.rcpts[0], SMTP_V_RCPT);
	bounce_free(&b);
}
END_TEST

START_TEST(qmail_text)
{
	static const char msg[] =
		"From: MAILER-DAEMON@mail.example.org\n"
		"Subject: failure notice\n"
		"\n"
		"Hi. This is the qmail-send program at mail.example.org.\n"
		"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
		"This is a permanent error; I've given up. Sorry it didn't work out.\n"
		"\n"
		"<a@example.com>:\n"
		"192.0.2.1 does not like recipient.\n"
		"Remote host said: 550-5.1.1 The email account that you tried to reach does not exist.\n"
		"550 5.1.1 Please try double-checking the recipient's email address.\n"
		"Giving up on 192.0.2.1.\n"
		"\n"
		"<b@example.net>:\n"
		"Connected to 192.0.2.2 but sender was rejected.\n"
		"Remote host said: 553 5.7.1 Sender address rejected: not owned by user\n"
		"Giving up on 192.0.2.2.\n"
		"\n"
		"<c@example.org>:\n"
		"Sorry, no mailbox here by that name. (#5.1.1)\n"
		"\n"
		"--- Below this line is a copy of the message.\n"
		"\n"
		"To: <d@example.com>:\n";
	struct bounce b;
	const struct bounce_rcpt *r;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_QMAIL);
	ck_assert_uint_eq(b.nrcpts, 3);
	ck_assert_str_eq(b.reporting_mta, "mail.example.org");
	r = rcpt_of(&b, "a@example.com");
	ck_assert_str_eq(r->remote_mta, "192.0.2.1");
	ck_assert_str_eq(r->diagnostic, "550-5.1.1 The email account that you tried to reach does not exist. "
			 "550 5.1.1 Please try double-checking the recipient's email address.");
	ck_assert_str_eq(r->status, "5.1.1");
	ck_verb(r, SMTP_V_RCPT);
	r = rcpt_of(&b, "b@example.net");
	ck_assert_str_eq(r->remote_mta, "192.0.2.2");
	ck_assert_str_eq(r->diagnostic, "553 5.7.1 Sender address rejected: not owned by user");
	ck_verb(r, SMTP_V_MAIL);
	/* qmail's own words and code */
	r = rcpt_of(&b, "c@example.org");
	ck_assert_str_eq(r->diagnostic, "Sorry, no mailbox here by that name. (#5.1.1)");
	ck_assert_str_eq(r->status, "5.1.1");
	ck_assert_ptr_null(r->remote_mta);
	ck_verb(r, NO_VERB);
	bounce_free(&b);
}
END_TEST

START_TEST(sendmail_text)
{
	static const char msg[] =
		"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>\n"
		"Subject: Returned mail: see transcript for details\n"
		"\n"
		"The original message was received at Mon, 1 Jan 2024 10:00:00 +0000\n"
		"from localhost [127.0.0.1]\n"
		"\n"
		"   ----- The following addresses had permanent fatal errors -----\n"
		"<a@example.com>\n"
		"    (reason: 550 5.1.1 <a@example.com>... User unknown)\n"
		"<b@example.com>\n"
		"    (reason: 550 5.1.1 <b@example.com>... User unknown)\n"
		"\n"
		"   ----- Transcript of session follows -----\n"
		"... while talking to mx.example.com.:\n"
		">>> RCPT To:<a@example.com>\n"
		"<<< 550 5.1.1 <a@example.com>... User unknown\n"
		"550 5.1.1 <a@example.com>... User unknown\n"
		">>> RCPT To:<b@example.com>\n"
		"<<< 550-5.1.1 <b@example.com>... User unknown\n"
		"<<< 550 5.1.1 Try another address\n"
		"550 5.1.1 <b@example.com>... User unknown\n";
	struct bounce b;
	const struct bounce_rcpt *r;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_SENDMAIL);
	ck_assert_uint_eq(b.nrcpts, 2);
	r = rcpt_of(&b, "a@example.com");
	ck_assert_str_eq(r->action, "failed");
	ck_assert_str_eq(r->remote_mta, "mx.example.com");
	ck_assert_str_eq(r->diagnostic, "550 5.1.1 <a@example.com>... User unknown");
	ck_verb(r, SMTP_V_RCPT);
	/* the transcript has the server's whole reply */
	r = rcpt_of(&b, "b@example.com");
	ck_assert_str_eq(r->diagnostic, "550-5.1.1 <b@example.com>... User unknown 550 5.1.1 Try another address");
	ck_verb(r, SMTP_V_RCPT);
	bounce_free(&b);
}
END_TEST

/* No address list: Sendmail's own "<x>... User unknown" line names it. */
START_TEST(sendmail_transcript_only)
{
	static const char msg[] =
		"From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.org>\n"
		"Subject: Returned mail: User unknown\n"
		"\n"
		"   ----- Transcript of session follows -----\n"
		"... while talking to mx.example.com.:\n"
		">>> DATA\n"
		"<<< 554 5.7.1 <c@example.com>... Message refused\n"
		"554 5.7.1 <c@example.com>... Message refused\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_SENDMAIL);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].recipient, "c@example.com");
	ck_assert_str_eq(b.rcpts[0].status, "5.7.1");
	ck_assert_str_eq(b.rcpts[0].remote_mta, "mx.example.com");
	ck_verb(&b.rcpts[0], SMTP_V_DATA);
	bounce_free(&b);
}
END_TEST

START_TEST(microsoft_text)
{
	static const char msg[] =
		"From: postmaster@example.com\n"
		"Subject: Undeliverable: Report\n"
		"Content-Type: text/plain; charset=\"us-ascii\"\n"
		"\n"
		"Delivery has failed to these recipients or groups:\n"
		"\n"
		"a@example.com<mailto:a@example.com>\n"
		"The email address you entered couldn't be found. Please check the recipient's email\n"
		"address and try to resend the message.\n"
		"\n"
		"Diagnostic information for administrators:\n"
		"\n"
		"Generating server: EX01.example.com\n"
		"\n"
		"a@example.com\n"
		"mx.example.com\n"
		"Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n"
		"\n"
		"Original message headers:\n"
		"\n"
		"To: <z@example.com>\n";
	static const char words_only[] =
		"From: postmaster@example.com\n"
		"Subject: Undeliverable: Report\n"
		"\n"
		"Delivery has failed to these recipients or groups:\n"
		"\n"
		"Neko <b@example.com>\n"
		"Your message wasn't delivered because the recipient's email provider rejected it.\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_MICROSOFT);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.reporting_mta, "EX01.example.com");
	ck_assert_str_eq(b.rcpts[0].recipient, "a@example.com");
	ck_assert_str_eq(b.rcpts[0].remote_mta, "mx.example.com");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
	ck_assert_str_eq(b.rcpts[0].status, "5.1.1");
	ck_verb(&b.rcpts[0], NO_VERB);
	bounce_free(&b);

	ck_assert_int_eq(parse_str(words_only, &b), BOUNCE_OK);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].recipient, "b@example.com");
	ck_assert_str_eq(b.rcpts[0].diagnostic,
			 "Your message wasn't delivered because the recipient's email provider rejected it.");
	ck_assert_ptr_null(b.rcpts[0].status);
	bounce_free(&b);
}
END_TEST

START_TEST(gmail_text)
{
	static const char msg[] =
		"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
		"Subject: Delivery Status Notification (Failure)\n"
		"\n"
		"Delivery to the following recipients failed permanently:\n"
		"\n"
		"     a@example.com\n"
		"     b@example.com\n"
		"\n"
		"Technical details of permanent failure:\n"
		"Google tried to deliver your message, but it was rejected by the server for the recipient\n"
		"domain example.com by mx.example.com. [192.0.2.1].\n"
		"\n"
		"The error that the other server returned was:\n"
		"550 5.1.1 <a@example.com>: Recipient address rejected: User unknown\n"
		"\n"
		"----- Original message -----\n";
	static const char newer[] =
		"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
		"Subject: Delivery Status Notification (Failure)\n"
		"X-Failed-Recipients: a@example.com\n"
		"\n"
		"** Address not found **\n"
		"\n"
		"Your message wasn't delivered to a@example.com because the address couldn't be found, or\n"
		"is unable to receive mail.\n"
		"\n"
		"The response from the remote server was:\n"
		"550 5.1.1 The email account that you tried to reach does not exist.\n";
	static const char delayed[] =
		"From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
		"Subject: Delivery Status Notification (Delay)\n"
		"\n"
		"This is an automatically generated Delivery Status Notification\n"
		"\n"
		"THIS IS A WARNING MESSAGE ONLY.\n"
		"\n"
		"Delivery to the following recipient has been delayed:\n"
		"\n"
		"     c@example.com\n"
		"\n"
		"Message will be retried for 2 more day(s)\n"
		"\n"
		"Technical details of temporary failure:\n"
		"The recipient server did not accept our requests to connect.\n"
		"[mx.example.com. (10): Connection timed out]\n";
	struct bounce b;
	const struct bounce_rcpt *r;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_GMAIL);
	ck_assert_uint_eq(b.nrcpts, 2);
	r = rcpt_of(&b, "b@example.com");
	ck_assert_str_eq(r->remote_mta, "mx.example.com [192.0.2.1]");
	ck_assert_str_eq(r->diagnostic, "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown");
	ck_assert_str_eq(r->status, "5.1.1");
	ck_assert_str_eq(r->action, "failed");
	bounce_free(&b);

	ck_assert_int_eq(parse_str(newer, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_GMAIL);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].recipient, "a@example.com");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "550 5.1.1 The email account that you tried to reach does not exist.");
	ck_assert_str_eq(b.rcpts[0].status, "5.1.1");
	bounce_free(&b);

	ck_assert_int_eq(parse_str(delayed, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_GMAIL);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].action, "delayed");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "The recipient server did not accept our requests to connect. "
			 "[mx.example.com. (10): Connection timed out]");
	bounce_free(&b);
}
END_TEST

START_TEST(yahoo_text)
{
	static const char msg[] =
		"From: MAILER-DAEMON@yahoo.com\n"
		"Subject: Failure Notice\n"
		"\n"
		"Sorry, we were unable to deliver your message to the following address.\n"
		"\n"
		"<a@example.com>:\n"
		"Remote host said: 552 1 Requested mail action aborted, mailbox not found [RCPT_TO]\n"
		"\n"
		"--- Below this line is a copy of the message.\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_YAHOO);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].diagnostic, "552 1 Requested mail action aborted, mailbox not found");
	ck_assert_ptr_null(b.rcpts[0].status);
	ck_verb(&b.rcpts[0], SMTP_V_RCPT);
	bounce_free(&b);
}
END_TEST

/* Several recipients in the fields; the text says which command each
 * reply answered; delivered ones are not the bounce's. */
START_TEST(rfc3464_recipients)
{
	static const char msg[] =
		"From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\n"
		"Subject: Undelivered Mail Returned to Sender\n"
		"MIME-Version: 1.0\n"
		"Content-Type: multipart/report; report-type=delivery-status;\n"
		"\tboundary=\"B1/relay.example.org\"\n"
		"\n"
		"This is a MIME-encapsulated message.\n"
		"\n"
		"--B1/relay.example.org\n"
		"Content-Description: Notification\n"
		"Content-Type: text/plain; charset=us-ascii\n"
		"\n"
		"This is the mail system at host relay.example.org.\n"
		"\n"
		"<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>:\n"
		"    Recipient address rejected: User unknown (in reply to RCPT TO command)\n"
		"\n"
		"<b@example.net>: host mx.example.net[192.0.2.2] said: 552 5.3.4 Message too\n"
		"    big (in reply to end of DATA command)\n"
		"\n"
		"--B1/relay.example.org\n"
		"Content-Description: Delivery report\n"
		"Content-Type: message/delivery-status\n"
		"\n"
		"Reporting-MTA: dns; relay.example.org\n"
		"Arrival-Date: Mon,  1 Jan 2024 10:00:00 +0000 (UTC)\n"
		"\n"
		"Final-Recipient: rfc822; a@example.com\n"
		"Original-Recipient: rfc822;a@example.com\n"
		"Action: failed\n"
		"Status: 5.1.1\n"
		"Remote-MTA: dns; mx.example.com\n"
		"Diagnostic-Code: smtp; 550 5.1.1 <a@example.com>: Recipient address rejected:\n"
		"    User unknown\n"
		"\n"
		"Final-Recipient: rfc822; b@example.net\n"
		"Action: failed\n"
		"Status: 5.3.4\n"
		"Remote-MTA: dns; mx.example.net\n"
		"Diagnostic-Code: smtp; 552 5.3.4 Message too big\n"
		"\n"
		"Final-Recipient: rfc822; ok@example.org\n"
		"Action: delivered\n"
		"Status: 2.0.0\n"
		"\n"
		"Final-Recipient: rfc822; later@example.org\n"
		"Action: Delayed\n"
		"Status: 4.4.1\n"
		"Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.3]:25: Connection\n"
		"    timed out\n"
		"\n"
		"--B1/relay.example.org\n"
		"Content-Type: message/rfc822\n"
		"\n"
		"From: sender@example.org\n"
		"To: a@example.com\n"
		"\n"
		"<z@example.com>: host x[1.2.3.4] said: 550 not this one (in reply to DATA command)\n"
		"--B1/relay.example.org--\n";
	struct bounce b;
	const struct bounce_rcpt *r;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_clean(&b);
	ck_assert_int_eq(b.format, BOUNCE_RFC3464);
	ck_assert_uint_eq(b.nrcpts, 3);
	ck_assert(!b.truncated);
	ck_assert_str_eq(b.reporting_mta, "relay.example.org");
	r = rcpt_of(&b, "a@example.com");
	ck_assert_str_eq(r->original, "a@example.com");
	ck_assert_str_eq(r->action, "failed");
	ck_assert_str_eq(r->remote_mta, "mx.example.com");
	ck_assert_str_eq(r->diagnostic_type, "smtp");
	ck_assert_str_eq(r->diagnostic, "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown");
	ck_verb(r, SMTP_V_RCPT);
	r = rcpt_of(&b, "b@example.net");
	ck_assert_str_eq(r->status, "5.3.4");
	ck_verb(r, SMTP_V_DOT);
	r = rcpt_of(&b, "later@example.org");
	ck_assert_str_eq(r->action, "delayed");
	ck_assert_str_eq(r->status, "4.4.1");
	ck_assert_str_eq(r->diagnostic_type, "x-postfix");
	ck_assert_str_eq(r->diagnostic, "connect to mx.example.org[192.0.2.3]:25: Connection timed out");
	ck_assert_ptr_null(r->remote_mta);
	ck_verb(r, NO_VERB);
	bounce_free(&b);
}
END_TEST

/* Lenient where it is unambiguous: no empty line between recipients,
 * the fields in a text/plain part. */
START_TEST(rfc3464_lenient)
{
	static const char no_blank[] =
		"From: postmaster@example.org\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=XX\n"
		"\n"
		"--XX\n"
		"Content-Type: message/delivery-status\n"
		"\n"
		"Reporting-MTA: dns; relay.example.org\n"
		"Final-Recipient: rfc822; a@example.com\n"
		"Action: failed\n"
		"Status: 5.1.1\n"
		"Final-Recipient: rfc822; <b@example.com>\n"
		"Action: failed\n"
		"Status: 5.2.2\n"
		"--XX--\n";
	static const char in_text[] =
		"From: postmaster@example.org\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"T\"\n"
		"\n"
		"--T\n"
		"Content-Type: text/plain\n"
		"\n"
		"Reporting-MTA: dns; mx.example.com\n"
		"\n"
		"Final-Recipient: rfc822; c@example.com\n"
		"Action: failed\n"
		"Status: 5.7.1\n"
		"Diagnostic-Code: smtp; 554 5.7.1 Rejected\n"
		"--T--\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(no_blank, &b), BOUNCE_OK);
	ck_assert_uint_eq(b.nrcpts, 2);
	ck_assert_str_eq(b.reporting_mta, "relay.example.org");
	ck_assert_str_eq(rcpt_of(&b, "a@example.com")->status, "5.1.1");
	ck_assert_str_eq(rcpt_of(&b, "b@example.com")->status, "5.2.2");
	bounce_free(&b);

	ck_assert_int_eq(parse_str(in_text, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_RFC3464);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].diagnostic, "554 5.7.1 Rejected");
	bounce_free(&b);
}
END_TEST

/* RFC 6533: message/global-delivery-status, here base64-encoded, with a
 * UTF-8 address. */
START_TEST(global_dsn)
{
	static const char msg[] =
		"From: postmaster@example.com\n"
		"Content-Type: multipart/report; report-type=global-delivery-status; boundary=\"G\"\n"
		"\n"
		"--G\n"
		"Content-Type: text/plain; charset=utf-8\n"
		"\n"
		"Your message could not be delivered.\n"
		"\n"
		"--G\n"
		"Content-Type: message/global-delivery-status\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLmNvbQ0KDQpGaW5hbC1SZWNp\n"
		"cGllbnQ6IHV0Zi04OyDnlKjmiLdA5L6L5a2QLuW5v+WRig0KQWN0aW9uOiBmYWls\n"
		"ZWQNClN0YXR1czogNS4xLjENCkRpYWdub3N0aWMtQ29kZTogc210cDsgNTUwIDUu\n"
		"MS4xIOeUqOaItyB1bmtub3duDQo=\n"
		"--G--\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_RFC3464);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].recipient, "\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a");
	ck_assert_str_eq(b.rcpts[0].status, "5.1.1");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "550 5.1.1 \xe7\x94\xa8\xe6\x88\xb7 unknown");
	ck_assert_str_eq(b.reporting_mta, "mx.example.com");
	bounce_free(&b);
}
END_TEST

START_TEST(text_encodings)
{
	static const char qp[] =
		"From: MAILER-DAEMON@relay.example.org\n"
		"Content-Type: text/plain; charset=us-ascii\n"
		"Content-Transfer-Encoding: quoted-printable\n"
		"\n"
		"This is the mail system at host relay.example.org.\n"
		"\n"
		"<a@example.com>: host mx.example.com[192.0.2.1] said: 550 5.1.1 Us=\n"
		"er unknown=3B sorry (in reply to RCPT TO command)\n";
	static const char b64[] =
		"From: MAILER-DAEMON@relay.example.org\n"
		"Content-Type: text/plain; charset=us-ascii\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"VGhpcyBpcyB0aGUgbWFpbCBzeXN0ZW0gYXQgaG9zdCByZWxheS5leGFtcGxlLm9y\n"
		"Zy4KCjxhQGV4YW1wbGUuY29tPjogaG9zdCBteC5leGFtcGxlLmNvbVsxOTIuMC4y\n"
		"LjFdIHNhaWQ6IDU1MCA1LjEuMSBVc2VyCiAgICB1bmtub3duIChpbiByZXBseSB0\n"
		"byBSQ1BUIFRPIGNvbW1hbmQpCg==\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(qp, &b), BOUNCE_OK);
	ck_assert_str_eq(b.rcpts[0].diagnostic, "550 5.1.1 User unknown; sorry");
	ck_verb(&b.rcpts[0], SMTP_V_RCPT);
	bounce_free(&b);

	ck_assert_int_eq(parse_str(b64, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_POSTFIX);
	ck_assert_str_eq(b.rcpts[0].diagnostic, "550 5.1.1 User unknown");
	ck_verb(&b.rcpts[0], SMTP_V_RCPT);
	bounce_free(&b);
}
END_TEST

/* A report of deliveries only is no bounce, though its text has the
 * shape of one. */
START_TEST(delivered_only_is_not_a_bounce)
{
	static const char msg[] =
		"From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\n"
		"Subject: Successful Mail Delivery Report\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"S\"\n"
		"\n"
		"--S\n"
		"Content-Type: text/plain\n"
		"\n"
		"This is the mail system at host relay.example.org.\n"
		"\n"
		"Your message was successfully delivered to the destination(s)\n"
		"listed below.\n"
		"\n"
		"<a@example.com>: delivery via mx.example.com[192.0.2.1]:25: 250 2.0.0 Ok\n"
		"\n"
		"--S\n"
		"Content-Type: message/delivery-status\n"
		"\n"
		"Reporting-MTA: dns; relay.example.org\n"
		"\n"
		"Final-Recipient: rfc822; a@example.com\n"
		"Action: relayed\n"
		"Status: 2.0.0\n"
		"--S--\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_NOT_BOUNCE);
	ck_assert_uint_eq(b.nrcpts, 0);
	ck_assert_ptr_null(b.rcpts);
}
END_TEST

/* A bounce forwarded as an attachment is read. */
START_TEST(forwarded_bounce)
{
	static const char msg[] =
		"From: someone@example.org\n"
		"Subject: Fwd: Mail delivery failed\n"
		"Content-Type: multipart/mixed; boundary=\"F\"\n"
		"\n"
		"--F\n"
		"Content-Type: text/plain\n"
		"\n"
		"Why does this fail?\n"
		"--F\n"
		"Content-Type: message/rfc822\n"
		"\n"
		"From: Mail Delivery System <Mailer-Daemon@relay.example.org>\n"
		"Subject: Mail delivery failed: returning message to sender\n"
		"\n"
		"This message was created automatically by mail delivery software.\n"
		"\n"
		"The following address(es) failed:\n"
		"\n"
		"  a@example.com\n"
		"    SMTP error from remote mail server after RCPT TO:<a@example.com>:\n"
		"    host mx.example.com [192.0.2.1]: 550 5.1.1 User unknown\n"
		"--F--\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_EXIM);
	ck_assert_str_eq(b.rcpts[0].recipient, "a@example.com");
	ck_assert_str_eq(b.subject, "Mail delivery failed: returning message to sender");
	bounce_free(&b);
}
END_TEST

/* Software whose wording is not known here: read as a bounce by its
 * header, the recipient in angle brackets, the reply found by its code;
 * the blocklist's "Client host [...]" is not the remote host. */
START_TEST(other_software)
{
	static const char msg[] =
		"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n"
		"Subject: Undeliverable mail\n"
		"\n"
		"Your mail could not be delivered to some recipients.\n"
		"\n"
		"<a@example.com>:\n"
		"    554 5.7.1 Service unavailable; Client host [198.51.100.1] blocked\n"
		"    using zen.spamhaus.org\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_OTHER);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].diagnostic, "554 5.7.1 Service unavailable; Client host [198.51.100.1] "
			 "blocked using zen.spamhaus.org");
	ck_assert_str_eq(b.rcpts[0].status, "5.7.1");
	ck_assert_ptr_null(b.rcpts[0].remote_mta);
	bounce_free(&b);
}
END_TEST

START_TEST(names_and_texts)
{
	for (int f = 0; f < BOUNCE__COUNT; f++) {
		ck_assert_ptr_nonnull(bounce_format_name((enum bounce_format)f));
		for (int g = 0; g < f; g++)
			ck_assert_str_ne(bounce_format_name((enum bounce_format)f),
					 bounce_format_name((enum bounce_format)g));
	}
	ck_assert_ptr_nonnull(bounce_format_name(BOUNCE__COUNT));
	for (int r = BOUNCE_OK; r <= BOUNCE_TOO_BIG; r++)
		ck_assert_uint_gt(strlen(bounce_result_text((enum bounce_result)r)), 0);
	ck_assert_ptr_nonnull(strstr(bounce_result_text(BOUNCE_NOT_BOUNCE), "not a bounce"));
}
END_TEST

/* ---- hostile input ---- */

START_TEST(hostile_empty_binary_not_message)
{
	static const char binary[] = "Subject: x\n\nabc\0def";
	char controls[400];
	struct bounce b;

	ck_assert_int_eq(bounce_parse("", 0, &b), BOUNCE_EMPTY);
	ck_assert_int_eq(bounce_parse(NULL, 0, &b), BOUNCE_EMPTY);
	ck_assert_int_eq(parse_str(" \r\n\t\n", &b), BOUNCE_EMPTY);
	ck_assert_int_eq(bounce_parse(binary, sizeof binary - 1, &b), BOUNCE_BINARY);
	for (size_t i = 0; i < sizeof controls; i++)
		controls[i] = (char)(i % 3 ? 'a' : 0x01);
	ck_assert_int_eq(bounce_parse(controls, sizeof controls, &b), BOUNCE_BINARY);
	ck_assert_int_eq(parse_str("hello world\nthis is not a message\n", &b), BOUNCE_NOT_MESSAGE);
	ck_assert_int_eq(parse_str("\n\n   leading blank lines, then prose\n", &b), BOUNCE_NOT_MESSAGE);
	ck_assert_uint_eq(b.nrcpts, 0);
}
END_TEST

START_TEST(hostile_not_a_bounce)
{
	static const char normal[] =
		"From: Alice <alice@example.org>\n"
		"To: bob@example.com\n"
		"Subject: lunch?\n"
		"\n"
		"Hi Bob, the server said 550 5.1.1 <carol@example.net>: User unknown\n"
		"when I wrote to Carol.  Lunch at noon?\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(normal, &b), BOUNCE_NOT_BOUNCE);
	ck_assert_int_eq(parse_str("Subject: headers only, cut", &b), BOUNCE_NOT_BOUNCE);
	ck_assert_ptr_null(b.subject);
}
END_TEST

START_TEST(hostile_too_big)
{
	size_t n = BOUNCE_MAX_INPUT + 1;
	char *big = xmalloc(n);
	struct bounce b;

	memset(big, 'a', n);
	ck_assert_int_eq(bounce_parse(big, n, &b), BOUNCE_TOO_BIG);
	free(big);
}
END_TEST

/* Cut off in the middle of the delivery-status part: what is there is
 * read, and the cut said. */
START_TEST(hostile_truncated)
{
	size_t n;
	char *data = real_file("lhost-postfix-10.eml", &n), *cut = strstr(data, "Remote-MTA:");
	struct bounce b;

	ck_assert_int_eq(bounce_parse(data, n, &b), BOUNCE_OK);
	ck_assert(!b.truncated);
	bounce_free(&b);
	ck_assert_ptr_nonnull(cut);
	ck_assert_int_eq(bounce_parse(data, (size_t)(cut - data) + 5, &b), BOUNCE_OK);
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.nrcpts, 1);
	ck_assert_str_eq(b.rcpts[0].recipient, "user@example.com");
	ck_assert_str_eq(b.rcpts[0].status, "5.1.8");
	ck_verb(&b.rcpts[0], SMTP_V_MAIL);
	bounce_free(&b);
	/* cut at every byte: never more than it holds, always clean */
	for (size_t i = 0; i <= n; i++) {
		bounce_parse(data, i, &b);
		ck_clean(&b);
		bounce_free(&b);
	}
	free(data);
}
END_TEST

START_TEST(hostile_300_recipients)
{
	struct buf m, e;
	struct bounce b;

	buf_init(&m);
	buf_init(&e);
	buf_adds(&m, "From: postmaster@example.org\n"
		     "Content-Type: multipart/report; report-type=delivery-status; boundary=Z\n\n"
		     "--Z\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n");
	buf_adds(&e, "From: Mailer-Daemon@example.org\n\n"
		     "This message was created automatically by mail delivery software.\n\n"
		     "The following address(es) failed:\n\n");
	for (int i = 0; i < 300; i++) {
		buf_printf(&m, "\nFinal-Recipient: rfc822; u%d@example.com\nAction: failed\nStatus: 5.1.1\n", i);
		buf_printf(&e, "  u%d@example.com\n    Unrouteable address\n", i);
	}
	buf_adds(&m, "--Z--\n");
	ck_assert_int_eq(bounce_parse(m.data, m.len, &b), BOUNCE_OK);
	ck_assert_uint_eq(b.nrcpts, BOUNCE_MAX_RCPTS);
	ck_assert_str_eq(b.rcpts[0].recipient, "u0@example.com");
	ck_assert_str_eq(b.rcpts[BOUNCE_MAX_RCPTS - 1].recipient, "u255@example.com");
	bounce_free(&b);
	ck_assert_int_eq(bounce_parse(e.data, e.len, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_EXIM);
	ck_assert_uint_eq(b.nrcpts, BOUNCE_MAX_RCPTS);
	bounce_free(&b);
	buf_free(&m);
	buf_free(&e);
}
END_TEST

/* A delivery-status part under `levels` nested multiparts. */
static char *nested(int levels)
{
	static const char dsn[] =
		"Content-Type: message/delivery-status\n\n"
		"Final-Recipient: rfc822; deep@example.com\nAction: failed\nStatus: 5.1.1\n";
	struct buf m;

	buf_init(&m);
	buf_adds(&m, "From: postmaster@example.org\n");
	for (int i = 0; i < levels; i++)
		buf_printf(&m, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	buf_adds(&m, dsn);
	for (int i = levels - 1; i >= 0; i--)
		buf_printf(&m, "--b%d--\n", i);
	return buf_steal(&m);
}

START_TEST(hostile_deep_mime)
{
	char *shallow = nested(4), *deep = nested(2000);
	struct buf many;
	struct bounce b;

	ck_assert_int_eq(parse_str(shallow, &b), BOUNCE_OK);
	ck_assert_str_eq(b.rcpts[0].recipient, "deep@example.com");
	bounce_free(&b);
	/* nesting past the bound is not walked into */
	ck_assert_int_eq(parse_str(deep, &b), BOUNCE_NOT_BOUNCE);
	/* nor are parts past the bound */
	buf_init(&many);
	buf_adds(&many, "From: postmaster@example.org\nContent-Type: multipart/mixed; boundary=P\n\n");
	for (int i = 0; i < 5000; i++)
		buf_adds(&many, "--P\nContent-Type: text/plain\n\nfiller\n");
	buf_adds(&many, "--P\nContent-Type: message/delivery-status\n\n"
			"Final-Recipient: rfc822; late@example.com\nAction: failed\n--P--\n");
	ck_assert_int_eq(bounce_parse(many.data, many.len, &b), BOUNCE_NOT_BOUNCE);
	buf_free(&many);
	free(shallow);
	free(deep);
}
END_TEST

START_TEST(hostile_huge_lines)
{
	struct buf m;
	struct bounce b;

	buf_init(&m);
	buf_adds(&m, "From: postmaster@example.org\nSubject: ");
	for (int i = 0; i < 1024 * 1024; i++)
		buf_addc(&m, 'a');
	buf_adds(&m, "\nContent-Type: multipart/report; boundary=\"");
	for (int i = 0; i < 5000; i++)
		buf_addc(&m, 'q');  /* a boundary far too long: no boundary */
	buf_adds(&m, "\"\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\nDiagnostic-Code: smtp; 550 ");
	for (int i = 0; i < 100000; i++)
		buf_adds(&m, "x ");
	buf_adds(&m, "\n");
	ck_assert_int_eq(bounce_parse(m.data, m.len, &b), BOUNCE_OK);
	ck_clean(&b);
	ck_assert_uint_gt(strlen(b.subject), 1000);
	ck_assert_uint_lt(strlen(b.subject), 20000);
	ck_assert_uint_lt(strlen(b.rcpts[0].diagnostic), 20000);
	bounce_free(&b);
	buf_free(&m);
}
END_TEST

/* Work that grows with the recipients stays bounded: 256 long addresses
 * looked for in a long text that almost names each of them, and a Gmail
 * list whose details would be read once per address. */
START_TEST(hostile_costly_searches)
{
	struct buf m;
	struct bounce b;

	buf_init(&m);
	buf_adds(&m, "From: postmaster@example.org\nContent-Type: multipart/report; boundary=Z\n\n"
		     "--Z\nContent-Type: text/plain\n\n");
	for (int i = 0; i < 250000; i++)
		buf_addc(&m, 'a');
	buf_adds(&m, "\n--Z\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n");
	for (int i = 0; i < BOUNCE_MAX_RCPTS; i++) {
		buf_adds(&m, "\nFinal-Recipient: rfc822; ");
		for (int k = 0; k < 240; k++)
			buf_addc(&m, 'a');
		buf_printf(&m, "%d@x.example\nAction: failed\nStatus: 5.1.1\n", i);
	}
	buf_adds(&m, "--Z--\n");
	ck_assert_int_eq(bounce_parse(m.data, m.len, &b), BOUNCE_OK);
	ck_assert_uint_eq(b.nrcpts, BOUNCE_MAX_RCPTS);
	bounce_free(&b);

	buf_clear(&m);
	buf_adds(&m, "From: mailer-daemon@googlemail.com\n\n"
		     "Delivery to the following recipients failed permanently:\n\n");
	for (int i = 0; i < 300; i++)
		buf_printf(&m, "     u%d@example.com\n", i);
	buf_adds(&m, "\nTechnical details of permanent failure:\n");
	for (int i = 0; i < 20000; i++)
		buf_adds(&m, "lorem ipsum ");
	buf_adds(&m, "\n");
	ck_assert_int_eq(bounce_parse(m.data, m.len, &b), BOUNCE_OK);
	ck_assert_int_eq(b.format, BOUNCE_GMAIL);
	ck_assert_uint_eq(b.nrcpts, BOUNCE_MAX_RCPTS);
	bounce_free(&b);
	buf_free(&m);
}
END_TEST

/* Terminal escapes in the server's words, the address, the host, the
 * subject: handed out visible, never raw. */
START_TEST(hostile_escapes)
{
	static const char msg[] =
		"From: postmaster@example.org\n"
		"Subject: \x1b]0;owned\x07 Undeliverable\n"
		"Content-Type: multipart/report; report-type=delivery-status; boundary=E\n"
		"\n"
		"--E\n"
		"Content-Type: message/delivery-status\n"
		"\n"
		"Final-Recipient: rfc822; a\x1b[31m@example.com\n"
		"Action: failed\n"
		"Status: 5.1.1\n"
		"Remote-MTA: dns; mx\x1b[2J.example.com\n"
		"Diagnostic-Code: smtp; 550 5.1.1 \x1b[2J\x1b[1;1H gone\x7f \xc2\x9b""1m\n"
		"--E--\n";
	struct bounce b;

	ck_assert_int_eq(parse_str(msg, &b), BOUNCE_OK);
	ck_clean(&b);
	ck_assert_str_eq(b.rcpts[0].recipient, "a\\x1b[31m@example.com");
	ck_assert_str_eq(b.rcpts[0].remote_mta, "mx\\x1b[2J.example.com");
	ck_assert_str_eq(b.rcpts[0].diagnostic, "550 5.1.1 \\x1b[2J\\x1b[1;1H gone\\x7f \\u{009b}1m");
	ck_assert_str_eq(b.subject, "\\x1b]0;owned\\x07 Undeliverable");
	ck_assert_str_eq(b.rcpts[0].status, "5.1.1");
	bounce_free(&b);
}
END_TEST

Suite *bounce_suite(void)
{
	Suite *s = suite_create("bounce");
	TCase *real = tcase_create("real");
	TCase *formats = tcase_create("formats");
	TCase *hostile = tcase_create("hostile");
	TCase *bounds = tcase_create("bounds");

	tcase_set_timeout(real, 60);
	tcase_set_timeout(hostile, 120);
	/* a smoke test: the quadratic search took 1.3 s here natively (minutes
	 * under valgrind), so the bound shows most under valgrind */
	tcase_set_timeout(bounds, 10);
	tcase_add_test(real, real_bounces_every_row);
	tcase_add_test(real, real_bounces_details);
	tcase_add_test(formats, postfix_text);
	tcase_add_test(formats, postfix_delayed);
	tcase_add_test(formats, exim_text);
	tcase_add_test(formats, exim_delayed);
	tcase_add_test(formats, qmail_text);
	tcase_add_test(formats, sendmail_text);
	tcase_add_test(formats, sendmail_transcript_only);
	tcase_add_test(formats, microsoft_text);
	tcase_add_test(formats, gmail_text);
	tcase_add_test(formats, yahoo_text);
	tcase_add_test(formats, rfc3464_recipients);
	tcase_add_test(formats, rfc3464_lenient);
	tcase_add_test(formats, global_dsn);
	tcase_add_test(formats, text_encodings);
	tcase_add_test(formats, delivered_only_is_not_a_bounce);
	tcase_add_test(formats, forwarded_bounce);
	tcase_add_test(formats, other_software);
	tcase_add_test(formats, names_and_texts);
	tcase_add_test(hostile, hostile_empty_binary_not_message);
	tcase_add_test(hostile, hostile_not_a_bounce);
	tcase_add_test(hostile, hostile_too_big);
	tcase_add_test(hostile, hostile_truncated);
	tcase_add_test(hostile, hostile_300_recipients);
	tcase_add_test(hostile, hostile_deep_mime);
	tcase_add_test(hostile, hostile_huge_lines);
	tcase_add_test(hostile, hostile_escapes);
	tcase_add_test(bounds, hostile_costly_searches);
	suite_add_tcase(s, real);
	suite_add_tcase(s, formats);
	suite_add_tcase(s, hostile);
	suite_add_tcase(s, bounds);
	return s;
}
