/* paste: the reply, server, command and recipient pulled out of text as
 * people paste it -- bare replies, enhanced codes alone, and the bounce
 * and log wordings of Postfix, Exim, Microsoft, Gmail, RFC 3464, Sendmail
 * and qmail -- with real wordings (tests/data/real-bounces/ and
 * tests/data/real-replies.tsv, addresses replaced), and hostile input. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/paste.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"
#include "suites.h"

#define NO_VERB SMTP_V__COUNT

/* What a paste should give.  server, recipient NULL: none; verb NO_VERB:
 * none; enhanced "": the reply has none; last NULL: not checked. */
struct want {
	enum paste_format format;
	const char *server;
	enum smtp_verb verb;
	const char *recipient;
	int code;
	const char *enhanced;
	size_t nlines;
	const char *first, *last;  /* the first and last lines' text */
};

/* No byte a terminal interprets. */
static void assert_visible(const char *s)
{
	if (s == NULL)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p != 0x7f, "control byte 0x%02x in \"%s\"", *p, s);
}

/* The wire is one reply, every line escaped; the caller frees it. */
static struct reply *wire_reply(const char *wire)
{
	struct reply_parser *rp = reply_parser_new();
	struct reply *r, *more;
	struct buf line;

	buf_init(&line);
	for (const char *l = wire; *l;) {
		const char *crlf = strstr(l, "\r\n");

		ck_assert_ptr_nonnull(crlf);
		buf_clear(&line);
		buf_add(&line, l, (size_t)(crlf - l));
		assert_visible(line.data);
		l = crlf + 2;
	}
	buf_free(&line);
	reply_parser_feed(rp, wire, strlen(wire));
	r = reply_parser_next(rp);
	ck_assert_ptr_nonnull(r);
	more = reply_parser_next(rp);
	ck_assert_ptr_null(more);
	ck_assert_uint_eq(reply_parser_pending_bytes(rp), 0);
	reply_parser_free(rp);
	return r;
}

/* Every string a paste hands out is escaped; the wire is one reply. */
static void assert_paste_safe(const struct paste *p)
{
	assert_visible(p->server);
	assert_visible(p->recipient);
	assert_visible(p->enhanced);
	assert_visible(p->enhanced_text);
	if (p->wire)
		reply_free(wire_reply(p->wire));
}

static void check_paste(const char *text, const struct want *w)
{
	struct paste p;
	struct reply *r;
	char enh[16];

	ck_assert_msg(paste_parse(text, &p), "no reply found in \"%s\"", text);
	assert_paste_safe(&p);
	ck_assert_str_eq(paste_format_name(p.format), paste_format_name(w->format));
	ck_assert_pstr_eq(p.server, w->server);
	ck_assert_pstr_eq(p.recipient, w->recipient);
	if (w->verb == NO_VERB) {
		ck_assert_msg(!p.has_verb, "unexpected verb %s", smtp_verb_name(p.verb));
	} else {
		ck_assert(p.has_verb);
		ck_assert_str_eq(smtp_verb_name(p.verb), smtp_verb_name(w->verb));
	}
	ck_assert_ptr_null(p.enhanced);
	ck_assert_ptr_nonnull(p.wire);
	r = wire_reply(p.wire);
	ck_assert_int_eq(r->code, w->code);
	ck_assert_str_eq(reply_enhanced_str(r, enh, sizeof enh), w->enhanced);
	ck_assert_uint_eq(r->nlines, w->nlines);
	ck_assert_str_eq(r->lines[0].text, w->first);
	if (w->last)
		ck_assert_str_eq(r->lines[r->nlines - 1].text, w->last);
	reply_free(r);
	paste_free(&p);
}

/* ---- bare replies ---- */

START_TEST(test_bare_reply)
{
	/* real-replies.tsv: Gmail's rate limit, one line. */
	check_paste("421 4.7.28 [192.0.2.31] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. Please visit https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. - gsmtp",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 421, "4.7.28", 1,
				    "4.7.28 [192.0.2.31] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. Please visit https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders Guidelines. - gsmtp", NULL });
	/* A multiline reply pasted line by line, CR LF or LF. */
	check_paste("552-5.2.3 Your message exceeded Google's message size limits. Please visit\r\n"
		    "552-5.2.3 http://support.google.com/mail/bin/answer.py?answer=8770 to review our\r\n"
		    "552 5.2.3 size guidelines. nb4sm10940064wjc.20 - gsmtp\r\n",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 552, "5.2.3", 3,
				    "5.2.3 Your message exceeded Google's message size limits. Please visit",
				    "5.2.3 size guidelines. nb4sm10940064wjc.20 - gsmtp" });
	/* The same joined onto one line by a relay. */
	check_paste("535-5.7.8 Username and Password not accepted. Learn more at 535 5.7.8  https://support.google.com/mail/?p=BadCredentials g67sm1422389pfb.9 - gsmtp",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 535, "5.7.8", 2,
				    "5.7.8 Username and Password not accepted. Learn more at",
				    "5.7.8  https://support.google.com/mail/?p=BadCredentials g67sm1422389pfb.9 - gsmtp" });
	/* After other words: JavaMail's exception, Office 365's SendAs refusal. */
	check_paste("com.sun.mail.smtp.SMTPSendFailedException: 554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 554, "5.2.0", 1,
				    "5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.", NULL });
	/* MXLogic's bounce: the failed address before the reply. */
	check_paste("  <user@example.com>: 550 5.1.1 <user@example.com>: Recipient address rejected: User unknown in local recipient table\n",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, "user@example.com", 550, "5.1.1", 1,
				    "5.1.1 <user@example.com>: Recipient address rejected: User unknown in local recipient table", NULL });
	/* A code inside a word is not a reply; one after a quote is. */
	check_paste("The server said \"550 5.7.1 Relaying denied\"",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 550, "5.7.1", 1,
				    "5.7.1 Relaying denied\"", NULL });
	/* A bare reply keeps its lines: the second has no code. */
	check_paste("421 4.7.0 first\nsecond part",
		    &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 421, "4.7.0", 2,
				    "4.7.0 first", "second part" });
}
END_TEST

START_TEST(test_enhanced_only)
{
	struct paste p;

	ck_assert(paste_parse("5.7.3 Authentication unsuccessful", &p));
	ck_assert_int_eq(p.format, PASTE_ENHANCED_ONLY);
	ck_assert_str_eq(p.enhanced, "5.7.3");
	ck_assert_str_eq(p.enhanced_text, "Authentication unsuccessful");
	ck_assert_ptr_null(p.wire);
	ck_assert(!p.has_verb);
	ck_assert_str_eq(paste_format_name(p.format), "enhanced status code");
	paste_free(&p);

	/* .NET's SmtpException quotes the text without the code. */
	ck_assert(paste_parse("The SMTP server requires a secure connection or the client was not authenticated. The server response was: 5.7.0 Authentication Required. Learn more at", &p));
	ck_assert_int_eq(p.format, PASTE_ENHANCED_ONLY);
	ck_assert_str_eq(p.enhanced, "5.7.0");
	ck_assert_str_eq(p.enhanced_text, "Authentication Required. Learn more at");
	paste_free(&p);

	/* Three-digit details, and the text continuing on the next line. */
	ck_assert(paste_parse("  5.7.509 Access denied, sending domain [EXAMPLE.JP] does not pass\n  DMARC verification\n\nnext paragraph", &p));
	ck_assert_str_eq(p.enhanced, "5.7.509");
	ck_assert_str_eq(p.enhanced_text, "Access denied, sending domain [EXAMPLE.JP] does not pass DMARC verification");
	paste_free(&p);

	/* Not enhanced codes: an IP address, a version, class 1 or 3, a
	 * leading zero, a longer dotted number. */
	ck_assert(!paste_parse("192.0.2.1 is listed", &p));
	ck_assert(!paste_parse("smtpscope 2.4.1 installed", &p));
	ck_assert(!paste_parse("1.2.3 no such class", &p));
	ck_assert(!paste_parse("3.1.1 no such class", &p));
	ck_assert(!paste_parse("5.01.1 leading zero", &p));
	ck_assert(!paste_parse("5.1.1.1 four numbers", &p));
	ck_assert(!paste_parse("2.0.2.1 an address", &p));
	ck_assert_ptr_null(p.enhanced);
}
END_TEST

/* ---- Postfix ---- */

START_TEST(test_postfix_bounce)
{
	/* The brief's line, one line. */
	check_paste("host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)",
		    &(struct want){ PASTE_POSTFIX, "mx.example.com[192.0.2.1]", SMTP_V_RCPT, NULL, 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table", NULL });
	/* lhost-postfix-05: wrapped, the code alone on the first line. */
	check_paste("<user@example.com>: host mx.example.org[192.0.2.4] said: 450\n"
		    "    4.1.1 <user@example.com>: Recipient address rejected: User unknown in\n"
		    "    virtual alias table (in reply to RCPT TO command)\n",
		    &(struct want){ PASTE_POSTFIX, "mx.example.org[192.0.2.4]", SMTP_V_RCPT, "user@example.com", 450, "4.1.1", 1,
				    "4.1.1 <user@example.com>: Recipient address rejected: User unknown in virtual alias table", NULL });
	/* lhost-postfix-10: "MAIL FROM" and "command" wrapped apart. */
	check_paste("<user@example.com>: host mx.cubicroot.jp[192.0.2.22] said: 553\n"
		    "    5.1.8 <root@example.org>... Domain of sender address\n"
		    "    root@example.org does not exist (in reply to MAIL FROM\n"
		    "    command)\n",
		    &(struct want){ PASTE_POSTFIX, "mx.cubicroot.jp[192.0.2.22]", SMTP_V_MAIL, "user@example.com", 553, "5.1.8", 1,
				    "5.1.8 <root@example.org>... Domain of sender address root@example.org does not exist", NULL });
	/* rhost-google-06: "host" ends the first line, the server's name
	 * starts the next; Gmail's five lines joined by Postfix; end of DATA. */
	check_paste("<user@example.com> (expanded from <user4@example.org>): host\n"
		    "    gmail-smtp-in.l.google.com[192.0.2.100] said: 550-5.7.25\n"
		    "    [192.0.2.202] The IP address sending this message does not have a\n"
		    "    550-5.7.25 PTR record setup, or the corresponding forward DNS entry does\n"
		    "    not 550-5.7.25 point to the sending IP. As a policy, Gmail does not accept\n"
		    "    messages 550-5.7.25 from IPs with missing PTR records. For more\n"
		    "    information, go to 550 5.7.25\n"
		    "    https://support.google.com/mail/answer/81126#ip-practices\n"
		    "    neko-1785a7g6767a6agg.2 - gsmtp (in reply to\n"
		    "    end of DATA command)\n",
		    &(struct want){ PASTE_POSTFIX, "gmail-smtp-in.l.google.com[192.0.2.100]", SMTP_V_DOT, "user@example.com", 550, "5.7.25", 5,
				    "5.7.25 [192.0.2.202] The IP address sending this message does not have a",
				    "5.7.25 https://support.google.com/mail/answer/81126#ip-practices neko-1785a7g6767a6agg.2 - gsmtp" });
	/* lhost-postfix-60: a refused greeting.  Postfix joined the lines;
	 * the last " 554 " carries no enhanced code to tell it from text, so
	 * it stays in the third line. */
	check_paste("<user@example.com>: host mx01.mail.com[192.0.2.100] refused to talk to me:\n"
		    "    554-mail.com (mxgmxus002) Nemesis ESMTP Service not available 554-No SMTP\n"
		    "    service 554-Bad DNS PTR resource record. 554 For explanation visit\n"
		    "    http://postmaster.gmx.com/en/error-messages?ip=192.0.2.22&c=rdns\n",
		    &(struct want){ PASTE_POSTFIX, "mx01.mail.com[192.0.2.100]", SMTP_V_GREETING, "user@example.com", 554, "", 3,
				    "mail.com (mxgmxus002) Nemesis ESMTP Service not available", NULL });
	/* Postfix's SASL client, and a refusal at connect time. */
	check_paste("SASL authentication failed; server smtp.example.com[192.0.2.1] said: 535 5.7.8 Error: authentication failed: authentication failure",
		    &(struct want){ PASTE_POSTFIX, "smtp.example.com[192.0.2.1]", SMTP_V_AUTH, NULL, 535, "5.7.8", 1,
				    "5.7.8 Error: authentication failed: authentication failure", NULL });
	check_paste("connect to mx.example.com[192.0.2.1]:25: server refused to talk to me: 421 4.7.0 mx.example.com Error: too many connections from 192.0.2.9",
		    &(struct want){ PASTE_POSTFIX, "mx.example.com[192.0.2.1]", SMTP_V_GREETING, NULL, 421, "4.7.0", 1,
				    "4.7.0 mx.example.com Error: too many connections from 192.0.2.9", NULL });
	/* An LMTP delivery (lhost-postfix-63), tab-indented. */
	check_paste("<user@example.com>: host smtp3.example.com[private/dovecot-lmtp] said:\n"
		    "\t552 5.2.2 <user@example.com> Quota exceeded (mailbox for user is full)\n"
		    "\t(in reply to end of DATA command)",
		    &(struct want){ PASTE_POSTFIX, "smtp3.example.com[private/dovecot-lmtp]", SMTP_V_DOT, "user@example.com", 552, "5.2.2", 1,
				    "5.2.2 <user@example.com> Quota exceeded (mailbox for user is full)", NULL });
}
END_TEST

START_TEST(test_postfix_log)
{
	struct paste p;

	check_paste("Dec  1 12:00:00 mail postfix/smtp[1234]: 4Xb2C3: to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))",
		    &(struct want){ PASTE_POSTFIX_LOG, "mx.example.com[192.0.2.1]", SMTP_V_RCPT, "x@example.com", 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table", NULL });
	/* Deferred by a greylist (postgrey's wording); orig_to= is not to=. */
	check_paste("Mar  3 09:12:44 mx1 postfix/smtp[8812]: 3F2A81C0: to=<x@example.com>, orig_to=<alias@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=4.2.0, status=deferred (host mx.example.com[192.0.2.1] said: 450 4.2.0 <x@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html (in reply to RCPT TO command))\n",
		    &(struct want){ PASTE_POSTFIX_LOG, "mx.example.com[192.0.2.1]", SMTP_V_RCPT, "x@example.com", 450, "4.2.0", 1,
				    "4.2.0 <x@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html", NULL });
	/* A delivery: the reply to the dot; the server from relay=. */
	check_paste("Dec  1 12:00:00 mail postfix/smtp[1234]: 4Xb2C3: to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4ABC)",
		    &(struct want){ PASTE_POSTFIX_LOG, "mx.example.com[192.0.2.1]", SMTP_V_DOT, "x@example.com", 250, "2.0.0", 1,
				    "2.0.0 Ok: queued as 4ABC", NULL });
	/* Postfix's server refusing a client. */
	check_paste("Dec  1 12:00:00 mail postfix/smtpd[99]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <x@example.com>: Relay access denied; from=<a@example.org> to=<x@example.com> proto=ESMTP helo=<client.example.org>",
		    &(struct want){ PASTE_POSTFIX_LOG, NULL, SMTP_V_RCPT, "x@example.com", 554, "5.7.1", 1,
				    "5.7.1 <x@example.com>: Relay access denied", NULL });
	/* No reply quoted: the enhanced code from dsn=, Postfix's words. */
	ck_assert(paste_parse("Dec  1 12:00:00 mail postfix/smtp[1234]: 4Xb2C3: to=<x@example.com>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred (connect to mx.example.com[192.0.2.1]:25: Connection timed out)", &p));
	assert_paste_safe(&p);
	ck_assert_int_eq(p.format, PASTE_ENHANCED_ONLY);
	ck_assert_str_eq(p.enhanced, "4.4.1");
	ck_assert_str_eq(p.enhanced_text, "connect to mx.example.com[192.0.2.1]:25: Connection timed out");
	ck_assert_str_eq(p.recipient, "x@example.com");
	ck_assert_ptr_null(p.server);
	paste_free(&p);
	/* The reply's own parentheses unbalanced. */
	check_paste("postfix/smtp[1]: A: to=<x@example.com>, status=bounced (host mx.example.com[192.0.2.1] said: 550 go away :-( (in reply to RCPT TO command))",
		    &(struct want){ PASTE_POSTFIX_LOG, "mx.example.com[192.0.2.1]", SMTP_V_RCPT, "x@example.com", 550, "", 1,
				    "go away :-(", NULL });
}
END_TEST

/* ---- Exim ---- */

START_TEST(test_exim)
{
	check_paste("SMTP error from remote mail server after RCPT TO:<x@example.com>: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
		    &(struct want){ PASTE_EXIM, NULL, SMTP_V_RCPT, "x@example.com", 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual mailbox table", NULL });
	/* lhost-exim-01: the older "host NAME [ADDRESS]:" before the reply. */
	check_paste("  user@example.com\n"
		    "    SMTP error from remote mail server after MAIL FROM:<user1@example.org> SIZE=1543:\n"
		    "    host mx.example.jp [192.0.2.20]: 550 5.7.0 <user1@example.org>... Please use the smtp server of your ISP.\n",
		    &(struct want){ PASTE_EXIM, "mx.example.jp [192.0.2.20]", SMTP_V_MAIL, "user@example.com", 550, "5.7.0", 1,
				    "5.7.0 <user1@example.org>... Please use the smtp server of your ISP.", NULL });
	/* lhost-exim-05: Exim 2's "remote mailer", every part wrapped. */
	check_paste("  user@example.com:\n"
		    "    SMTP error from remote mailer after RCPT TO:\n"
		    "    <user@example.com>:\n"
		    "    host mx49.neko.example.co.jp [192.0.2.82]:\n"
		    "    553 5.1.1 unknown or illegal user:\n"
		    "    user@example.com\n",
		    &(struct want){ PASTE_EXIM, "mx49.neko.example.co.jp [192.0.2.82]", SMTP_V_RCPT, "user@example.com", 553, "5.1.1", 1,
				    "5.1.1 unknown or illegal user: user@example.com", NULL });
	/* lhost-exim-43: the host on the line before. */
	check_paste("  user@example.com\n"
		    "    host mail-mx1.example.net [192.0.2.222]\n"
		    "    SMTP error from remote mail server after MAIL FROM:<user1@example.org>:\n"
		    "    550 5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 203.0.113.2\n",
		    &(struct want){ PASTE_EXIM, "mail-mx1.example.net [192.0.2.222]", SMTP_V_MAIL, "user@example.com", 550, "5.7.1", 1,
				    "5.7.1 Connections not accepted from servers without a valid sender domain. Fix reverse DNS for 203.0.113.2", NULL });
	check_paste("  x@example.com\n    host 192.0.2.4 [192.0.2.4]\n    SMTP error from remote mail server after end of data:\n    550 Message body: SPAM URL FOUND\n",
		    &(struct want){ PASTE_EXIM, "192.0.2.4 [192.0.2.4]", SMTP_V_DOT, "x@example.com", 550, "", 1,
				    "Message body: SPAM URL FOUND", NULL });
	check_paste("  x@example.com\n      host mx7.example.com [192.0.2.46]\n      SMTP error from remote mail server after pipelined DATA:\n      554 5.7.1 spf check result is none\n",
		    &(struct want){ PASTE_EXIM, "mx7.example.com [192.0.2.46]", SMTP_V_DATA, "x@example.com", 554, "5.7.1", 1,
				    "5.7.1 spf check result is none", NULL });
	check_paste("SMTP error from remote mail server after pipelined RCPT TO:<x@example.com>: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown",
		    &(struct want){ PASTE_EXIM, NULL, SMTP_V_RCPT, "x@example.com", 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>: Recipient address rejected: User unknown", NULL });
	check_paste("SMTP error from remote mail server after initial connection:\n    554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org",
		    &(struct want){ PASTE_EXIM, NULL, SMTP_V_GREETING, NULL, 554, "5.7.1", 1,
				    "5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org", NULL });
	check_paste("SMTP error from remote mail server after EHLO neko.example.com:\n    501 5.5.4 Invalid domain name",
		    &(struct want){ PASTE_EXIM, NULL, SMTP_V_EHLO, NULL, 501, "5.5.4", 1,
				    "5.5.4 Invalid domain name", NULL });
	/* Exim's log: H= names the server, "\n" breaks the reply's lines. */
	check_paste("2012-02-13 14:39:22 1RookS-000Pg8-VO == x@example.com R=dnslookup T=remote_smtp defer (-44): SMTP error from remote mail server after RCPT TO:<x@example.com>: host mx0.example.com [192.0.2.90]: 450 4.3.2 Too many mails (mail bomb), try again in 1 hour(s) 25 minute(s) and see ( http://portal.gmx.net/serverrules ) {mx-us011}",
		    &(struct want){ PASTE_EXIM, "mx0.example.com [192.0.2.90]", SMTP_V_RCPT, "x@example.com", 450, "4.3.2", 1,
				    "4.3.2 Too many mails (mail bomb), try again in 1 hour(s) 25 minute(s) and see ( http://portal.gmx.net/serverrules ) {mx-us011}", NULL });
	check_paste("2023-05-02 10:00:01 1abcDE-000Fgh-IJ ** x@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.7]: SMTP error from remote mail server after RCPT TO:<x@example.com>: 550-Verification failed for <tripwire@myhost>\\n550-Unrouteable address\\n550 Sender verify failed",
		    &(struct want){ PASTE_EXIM, "mx.example.com [192.0.2.7]", SMTP_V_RCPT, "x@example.com", 550, "", 3,
				    "Verification failed for <tripwire@myhost>", "Sender verify failed" });
	/* Exim's host line on its own. */
	check_paste("host mx.example.com [192.0.2.1]: 550 5.1.1 <x@example.com>: Recipient address rejected: User unknown",
		    &(struct want){ PASTE_EXIM, "mx.example.com [192.0.2.1]", NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>: Recipient address rejected: User unknown", NULL });
}
END_TEST

/* ---- Microsoft ---- */

START_TEST(test_microsoft)
{
	check_paste("Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'",
		    &(struct want){ PASTE_MICROSOFT, NULL, NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 RESOLVER.ADR.RecipNotFound; not found", NULL });
	check_paste("Remote Server returned '<mx.example.com #5.0.0 smtp; 550 5.1.1 User unknown>'",
		    &(struct want){ PASTE_MICROSOFT, "mx.example.com", NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 User unknown", NULL });
	check_paste("Remote Server returned '< #5.0.0 smtp; 550 5.7.1 Unfortunately, messages from 192.0.2.1 weren't sent.>'",
		    &(struct want){ PASTE_MICROSOFT, NULL, NO_VERB, NULL, 550, "5.7.1", 1,
				    "5.7.1 Unfortunately, messages from 192.0.2.1 weren't sent.", NULL });
	/* lhost-office365-03: recipient and server on the lines before, an
	 * apostrophe inside the reply. */
	check_paste("Diagnostic information for administrators:\n\n"
		    "Generating server: NEKONYAAN22.sotoneko.prod.outlook.com\n\n"
		    "user@example.com\n"
		    "neko-smtp-02-22.prod.cats.secureserver.net\n"
		    "Remote Server returned '550 5.1.0 192.0.2.222 is not allowed to send from <example.net> per it's SPF Record. Please inspect your SPF settings, and try again. IB508 <http://x.co/srbounce>'\n\n"
		    "Original message headers:\n",
		    &(struct want){ PASTE_MICROSOFT, "neko-smtp-02-22.prod.cats.secureserver.net", NO_VERB, "user@example.com", 550, "5.1.0", 1,
				    "5.1.0 192.0.2.222 is not allowed to send from <example.net> per it's SPF Record. Please inspect your SPF settings, and try again. IB508 <http://x.co/srbounce>", NULL });
	check_paste("Remote Server at example-com.mail.protection.outlook.com (192.0.2.1) returned '550 5.4.317 Message expired -> 451 4.4.0 Primary target IP address responded with: \"421 4.4.2 Connection dropped due to SocketError.\" Attempted failover to alternate host, but that did not succeed.'",
		    &(struct want){ PASTE_MICROSOFT, "example-com.mail.protection.outlook.com (192.0.2.1)", NO_VERB, NULL, 550, "5.4.317", 1,
				    "5.4.317 Message expired -> 451 4.4.0 Primary target IP address responded with: \"421 4.4.2 Connection dropped due to SocketError.\" Attempted failover to alternate host, but that did not succeed.", NULL });
	/* lhost-exchange2007-01, and Exchange 2003's wrapper. */
	check_paste("Generating server: mta4.example.org\n\nuser@example.com\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n",
		    &(struct want){ PASTE_MICROSOFT, NULL, NO_VERB, "user@example.com", 550, "5.1.1", 1,
				    "5.1.1 RESOLVER.ADR.RecipNotFound; not found", NULL });
	check_paste("x@example.com\nmx.example.com #550 5.7.1 Relaying denied ##",
		    &(struct want){ PASTE_MICROSOFT, "mx.example.com", NO_VERB, "x@example.com", 550, "5.7.1", 1,
				    "5.7.1 Relaying denied", NULL });
	check_paste("x@example.com\n#< #5.1.1 smtp;550 5.1.1 <x@example.com>... User unknown> #SMTP#",
		    &(struct want){ PASTE_MICROSOFT, NULL, NO_VERB, "x@example.com", 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>... User unknown", NULL });
}
END_TEST

/* ---- Gmail ---- */

START_TEST(test_gmail)
{
	check_paste("Delivery to the following recipient failed permanently:\n\n     x@example.com\n\n"
		    "Technical details of permanent failure:\n"
		    "Google tried to deliver your message, but it was rejected by the server for the recipient domain example.com by mx.example.com. [192.0.2.1].\n\n"
		    "The error that the other server returned was:\n"
		    "550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
		    "550-5.1.1 double-checking the recipient's email address for typos or\n"
		    "550-5.1.1 unnecessary spaces. Learn more at\n"
		    "550 5.1.1 https://support.google.com/mail/?p=NoSuchUser t5si2393496wix.69 - gsmtp\n",
		    &(struct want){ PASTE_GMAIL, "mx.example.com [192.0.2.1]", NO_VERB, "x@example.com", 550, "5.1.1", 4,
				    "5.1.1 The email account that you tried to reach does not exist. Please try",
				    "5.1.1 https://support.google.com/mail/?p=NoSuchUser t5si2393496wix.69 - gsmtp" });
	check_paste("The response was:\n\n550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual mailbox table\n",
		    &(struct want){ PASTE_GMAIL, NULL, NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual mailbox table", NULL });
	check_paste("Your message wasn't delivered to x@example.com because the remote server is misconfigured. See technical details below for more information.\n\n"
		    "The response from the remote server was:\n"
		    "554 5.7.1 <x@example.com>: Relay access denied\n",
		    &(struct want){ PASTE_GMAIL, NULL, NO_VERB, "x@example.com", 554, "5.7.1", 1,
				    "5.7.1 <x@example.com>: Relay access denied", NULL });
	/* lhost-gmail-04: the code said twice. */
	check_paste("Google tried to deliver your message, but it was rejected by the recipient domain. We recommend contacting the other email provider for further information about the cause of this error. The error that the other server returned was: 554 554 5.7.1 Service unavailable; Client host [192.0.2.49] blocked using cbl.abuseat.org (state 13).",
		    &(struct want){ PASTE_GMAIL, NULL, NO_VERB, NULL, 554, "5.7.1", 1,
				    "5.7.1 Service unavailable; Client host [192.0.2.49] blocked using cbl.abuseat.org (state 13).", NULL });
}
END_TEST

/* ---- RFC 3464 ---- */

START_TEST(test_dsn)
{
	/* lhost-postfix-05's delivery-status part, folded. */
	check_paste("Final-Recipient: rfc822; user@example.com\n"
		    "Original-Recipient: rfc822;user@example.com\n"
		    "Action: delayed\n"
		    "Status: 4.1.1\n"
		    "Remote-MTA: dns; mx.example.org\n"
		    "Diagnostic-Code: smtp; 450 4.1.1 <user@example.com>: Recipient address\n"
		    "    rejected: User unknown in virtual alias table\n",
		    &(struct want){ PASTE_DSN, "mx.example.org", NO_VERB, "user@example.com", 450, "4.1.1", 1,
				    "4.1.1 <user@example.com>: Recipient address rejected: User unknown in virtual alias table", NULL });
	/* lhost-amazonses-16: the reply's own second line, folded. */
	check_paste("Diagnostic-Code: smtp; 521-5.7.1 Service unavailable; client [203.0.113.225] blocked using dnsbl.sorbs.net\n"
		    " 521 5.7.1 Please see http://support.mailhostbox.com/email-administrators-guide-error-codes/ for explanation of the problem.\n"
		    "Status: 5.7.1\n",
		    &(struct want){ PASTE_DSN, NULL, NO_VERB, NULL, 521, "5.7.1", 2,
				    "5.7.1 Service unavailable; client [203.0.113.225] blocked using dnsbl.sorbs.net",
				    "5.7.1 Please see http://support.mailhostbox.com/email-administrators-guide-error-codes/ for explanation of the problem." });
	/* lhost-exchange2007-01: no space after the type. */
	check_paste("Diagnostic-Code: smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
		    &(struct want){ PASTE_DSN, NULL, NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 RESOLVER.ADR.RecipNotFound; not found", NULL });
	/* The field's value alone, in Sendmail's capitals (lhost-sendmail-05). */
	check_paste("SMTP; 552 5.2.3 Message size exceeds fixed maximum message size (10485760)",
		    &(struct want){ PASTE_DSN, NULL, NO_VERB, NULL, 552, "5.2.3", 1,
				    "5.2.3 Message size exceeds fixed maximum message size (10485760)", NULL });
	check_paste("smtp; 550 5.1.1 <user@example.com>: inactive email\n    address",
		    &(struct want){ PASTE_DSN, NULL, NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 <user@example.com>: inactive email address", NULL });
	/* A source route in Final-Recipient (lhost-messagingserver-02). */
	check_paste("Final-recipient: rfc822;@smtp.example.net:user@example.com\nDiagnostic-code: smtp;522 5.2.0 Delivery failed: Over quota\n",
		    &(struct want){ PASTE_DSN, NULL, NO_VERB, "user@example.com", 522, "5.2.0", 1,
				    "5.2.0 Delivery failed: Over quota", NULL });
}
END_TEST

/* ---- Sendmail ---- */

START_TEST(test_sendmail)
{
	/* lhost-sendmail-07. */
	check_paste("   ----- The following addresses had permanent fatal errors -----\n"
		    "<user@example.com>\n"
		    "    (reason: 554 5.7.1 <user@example.com>: Relay access denied)\n\n"
		    "   ----- Transcript of session follows -----\n"
		    "... while talking to mailin-01.mx.example.com.:\n"
		    ">>> RCPT To:<user@example.com>\n"
		    "<<< 554 5.7.1 <user@example.com>: Relay access denied\n"
		    "554 5.0.0 Service unavailable\n",
		    &(struct want){ PASTE_SENDMAIL, "mailin-01.mx.example.com", SMTP_V_RCPT, "user@example.com", 554, "5.7.1", 1,
				    "5.7.1 <user@example.com>: Relay access denied", NULL });
	/* lhost-sendmail-05: MAIL refused; the recipient from the header. */
	check_paste("   ----- The following addresses had permanent fatal errors -----\n"
		    "<user@example.com>\n"
		    "    (reason: 552 5.2.3 Message size exceeds fixed maximum message size (10485760))\n\n"
		    "   ----- Transcript of session follows -----\n"
		    "... while talking to mx.example.org.:\n"
		    ">>> MAIL From:<user2@example.org> SIZE=16600348\n"
		    "<<< 552 5.2.3 Message size exceeds fixed maximum message size (10485760)\n"
		    "554 5.0.0 Service unavailable\n",
		    &(struct want){ PASTE_SENDMAIL, "mx.example.org", SMTP_V_MAIL, "user@example.com", 552, "5.2.3", 1,
				    "5.2.3 Message size exceeds fixed maximum message size (10485760)", NULL });
	/* lhost-sendmail-35: the first <<< reply, not the summary or the
	 * later one. */
	check_paste("... while talking to mail.example.org.:\n"
		    ">>> DATA\n"
		    "<<< 525 5.7.13 Disabled recipient address\n"
		    "554 5.0.0 Service unavailable\n"
		    "<<< 503 5.0.0 Need RCPT (recipient)\n",
		    &(struct want){ PASTE_SENDMAIL, "mail.example.org", SMTP_V_DATA, NULL, 525, "5.7.13", 1,
				    "5.7.13 Disabled recipient address", NULL });
	/* The 354 is passed over for the refusal of the message, a
	 * multiline one. */
	check_paste("... while talking to mx.example.com.:\n"
		    ">>> DATA\n"
		    "<<< 354 Enter mail, end with \".\" on a line by itself\n"
		    ">>> .\n"
		    "<<< 554-5.7.1 This message was classified as SPAM and may not be delivered\n"
		    "<<< 554 5.7.1 Contact your postmaster\n",
		    &(struct want){ PASTE_SENDMAIL, "mx.example.com", SMTP_V_DOT, NULL, 554, "5.7.1", 2,
				    "5.7.1 This message was classified as SPAM and may not be delivered",
				    "5.7.1 Contact your postmaster" });
	/* A refused greeting: <<< before any >>>. */
	check_paste("... while talking to mx.example.com.:\n<<< 554 5.7.1 mx.example.com: Your IP is blocked\n",
		    &(struct want){ PASTE_SENDMAIL, "mx.example.com", SMTP_V_GREETING, NULL, 554, "5.7.1", 1,
				    "5.7.1 mx.example.com: Your IP is blocked", NULL });
	/* Without the transcript: "(reason: ...)". */
	check_paste("<user@example.com>\n    (reason: 552 5.2.3 Message size exceeds fixed maximum message size (10485760))\n",
		    &(struct want){ PASTE_SENDMAIL, NULL, NO_VERB, NULL, 552, "5.2.3", 1,
				    "5.2.3 Message size exceeds fixed maximum message size (10485760)", NULL });
}
END_TEST

/* ---- qmail ---- */

START_TEST(test_qmail)
{
	/* lhost-qmail-08. */
	check_paste("<user@example.com>:\n"
		    "192.0.2.1 does not like recipient.\n"
		    "Remote host said: 552 Error: disk quota exceeded\n"
		    "Giving up on 192.0.2.20.\n",
		    &(struct want){ PASTE_QMAIL, "192.0.2.1", SMTP_V_RCPT, "user@example.com", 552, "", 1,
				    "Error: disk quota exceeded", NULL });
	/* lhost-qmail-01's patched qmail-remote. */
	check_paste("<user@example.com>:\n"
		    "Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote host 192.0.2.32 said: 550 Unknown user user@example.com\n"
		    ". (#5.5.0)\n",
		    &(struct want){ PASTE_QMAIL, "192.0.2.32", SMTP_V_RCPT, "user@example.com", 550, "", 1,
				    "Unknown user user@example.com", NULL });
	/* qmail-remote's other sentences; a multiline reply. */
	check_paste("Connected to 192.0.2.1 but greeting failed.\n"
		    "Remote host said: 554-mx.example.com\n"
		    "554 Your access to this mail system has been rejected due to the sending MTA's poor reputation.\n"
		    "Giving up on 192.0.2.1.\n",
		    &(struct want){ PASTE_QMAIL, "192.0.2.1", SMTP_V_GREETING, NULL, 554, "", 2,
				    "mx.example.com",
				    "Your access to this mail system has been rejected due to the sending MTA's poor reputation." });
	check_paste("Connected to 192.0.2.1 but sender was rejected.\n"
		    "Remote host said: 553 sorry, your envelope sender domain must exist (#5.7.1)\n",
		    &(struct want){ PASTE_QMAIL, "192.0.2.1", SMTP_V_MAIL, NULL, 553, "", 1,
				    "sorry, your envelope sender domain must exist (#5.7.1)", NULL });
	check_paste("192.0.2.1 failed after I sent the message.\n"
		    "Remote host said: 554 5.7.1 Message rejected because of unacceptable content.\n",
		    &(struct want){ PASTE_QMAIL, "192.0.2.1", SMTP_V_DOT, NULL, 554, "5.7.1", 1,
				    "5.7.1 Message rejected because of unacceptable content.", NULL });
	check_paste("192.0.2.1 does not like sender.\nRemote host said: 553 5.1.8 Domain of sender address does not exist\n",
		    &(struct want){ PASTE_QMAIL, "192.0.2.1", SMTP_V_MAIL, NULL, 553, "5.1.8", 1,
				    "5.1.8 Domain of sender address does not exist", NULL });
	/* lhost-yahoo-01: qmail's wording, no sentence before it. */
	check_paste("<user@example.com>:\nRemote host said: 550 5.1.1 <user@example.com>... User Unknown [RCPT_TO]\n",
		    &(struct want){ PASTE_QMAIL, NULL, NO_VERB, "user@example.com", 550, "5.1.1", 1,
				    "5.1.1 <user@example.com>... User Unknown [RCPT_TO]", NULL });
}
END_TEST

/* ---- junk and hostile input ---- */

START_TEST(test_junk)
{
	static const char *const junk[] = {
		"", " \n\t\r\n", "hello world", "5", "55", "5.", "5.1", "abc550 x",
		"I sent 12 messages at 10:30", "(in reply to", "(in reply to RCPT TO command)",
		"status=bounced (", "status=bounced (((((", "Remote Server returned '",
		"SMTP error from remote mail server after RCPT TO:<", "<<<", ">>> RCPT To:<x>",
		"host ", "host x said:", "Diagnostic-Code:", "smtp;", "Remote host said:",
		"The response was:", "#", "##", "\x1b[31m\x1b[0m", "600 not a class", "199 no",
	};
	struct paste p;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(junk); i++) {
		ck_assert_msg(!paste_parse(junk[i], &p), "found a reply in \"%s\"", junk[i]);
		ck_assert_ptr_null(p.wire);
		ck_assert_ptr_null(p.enhanced);
		ck_assert_ptr_null(p.server);
		paste_free(&p);
	}
	/* A code alone is a reply with no text. */
	check_paste("550", &(struct want){ PASTE_REPLY, NULL, NO_VERB, NULL, 550, "", 1, "", NULL });
}
END_TEST

START_TEST(test_hostile)
{
	struct paste p;
	struct reply *r;
	struct buf b;

	/* Control bytes, ESC sequences and DEL come out escaped. */
	ck_assert(paste_parse("host mx\x1b[2J.example.com[192.0.2.1] said: 550 5.1.1 \x1b[31mred\x1b[0m\tand\x7f\x01 (in reply to RCPT TO command)", &p));
	assert_paste_safe(&p);
	ck_assert_str_eq(p.server, "mx\\x1b[2J.example.com[192.0.2.1]");
	ck_assert_str_eq(p.wire, "550 5.1.1 \\x1b[31mred\\x1b[0m and\\x7f\\x01\r\n");
	paste_free(&p);
	ck_assert(paste_parse("to=<x\x1b]0;pwned\x07@example.com>, status=bounced (550 5.1.1 no)", &p));
	assert_paste_safe(&p);
	ck_assert_str_eq(p.recipient, "x\\x1b]0;pwned\\x07@example.com");
	paste_free(&p);
	/* Invalid UTF-8 and a bidirectional override. */
	ck_assert(paste_parse("550 5.7.1 \xff\xfe bad \xe2\x80\xae reversed", &p));
	assert_paste_safe(&p);
	ck_assert_str_eq(p.wire, "550 5.7.1 \\xff\\xfe bad \\u{202e} reversed\r\n");
	paste_free(&p);
	/* "(in reply to" without its end: cut, the command read if named. */
	check_paste("host mx.example.com[192.0.2.1] said: 550 5.1.1 User unknown (in reply to",
		    &(struct want){ PASTE_POSTFIX, "mx.example.com[192.0.2.1]", NO_VERB, NULL, 550, "5.1.1", 1,
				    "5.1.1 User unknown", NULL });
	check_paste("host mx.example.com[192.0.2.1] said: 550 5.1.1 User unknown (in reply to RCPT TO",
		    &(struct want){ PASTE_POSTFIX, "mx.example.com[192.0.2.1]", SMTP_V_RCPT, NULL, 550, "5.1.1", 1,
				    "5.1.1 User unknown", NULL });
	/* Unbalanced parentheses in a log line. */
	ck_assert(paste_parse("status=bounced (((host mx[192.0.2.1] said: 550 x ((in reply to RCPT TO command)", &p));
	assert_paste_safe(&p);
	paste_free(&p);
	ck_assert(paste_parse("status=bounced ) ) (550 x", &p));
	assert_paste_safe(&p);
	paste_free(&p);

	/* A very long line: read up to the cap, still one reply. */
	buf_init(&b);
	buf_adds(&b, "550 5.7.1 ");
	for (int i = 0; i < 200000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	ck_assert(paste_parse(b.data, &p));
	assert_paste_safe(&p);
	ck_assert_uint_le(strlen(p.wire), 20 * 1024);
	paste_free(&p);
	/* Of control bytes, escaped four times over. */
	buf_clear(&b);
	buf_adds(&b, "host mx[192.0.2.1] said: 550 ");
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, '\x1b');
	ck_assert(paste_parse(b.data, &p));
	assert_paste_safe(&p);
	paste_free(&p);
	/* Many lines: a reply keeps at most 64. */
	buf_clear(&b);
	for (int i = 0; i < 1000; i++)
		buf_adds(&b, "550-5.1.1 line\n");
	buf_adds(&b, "550 5.1.1 last\n");
	ck_assert(paste_parse(b.data, &p));
	r = wire_reply(p.wire);
	ck_assert_uint_le(r->nlines, 64);
	ck_assert_uint_ge(r->nlines, 2);
	reply_free(r);
	paste_free(&p);
	/* The same, joined by a relay into one line. */
	buf_clear(&b);
	for (int i = 0; i < 1000; i++)
		buf_adds(&b, "550-5.1.1 line ");
	ck_assert(paste_parse(b.data, &p));
	assert_paste_safe(&p);
	paste_free(&p);
	/* Markers many times over, none followed by a reply. */
	buf_clear(&b);
	for (int i = 0; i < 2000; i++)
		buf_adds(&b, "SMTP error from remote mail server after RCPT TO:<x> Remote Server returned '<a smtp; x status=x ( host h said: Diagnostic-Code: x; ");
	ck_assert(!paste_parse(b.data, &p));
	buf_free(&b);
	/* Only the first 64 KiB are read. */
	buf_init(&b);
	for (int i = 0; i < 70 * 1024; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, " 550 late");
	ck_assert(!paste_parse(b.data, &p));
	buf_free(&b);
}
END_TEST

START_TEST(test_format_names)
{
	ck_assert_str_eq(paste_format_name(PASTE_POSTFIX), "Postfix bounce line");
	ck_assert_str_eq(paste_format_name(PASTE_EXIM), "Exim bounce line");
	for (int f = 0; f < PASTE__COUNT; f++)
		ck_assert_ptr_nonnull(paste_format_name((enum paste_format)f));
	ck_assert_str_eq(paste_format_name(PASTE__COUNT), "pasted text");
}
END_TEST

Suite *paste_suite(void)
{
	Suite *s = suite_create("paste");
	TCase *tc = tcase_create("paste");

	tcase_add_test(tc, test_bare_reply);
	tcase_add_test(tc, test_enhanced_only);
	tcase_add_test(tc, test_postfix_bounce);
	tcase_add_test(tc, test_postfix_log);
	tcase_add_test(tc, test_exim);
	tcase_add_test(tc, test_microsoft);
	tcase_add_test(tc, test_gmail);
	tcase_add_test(tc, test_dsn);
	tcase_add_test(tc, test_sendmail);
	tcase_add_test(tc, test_qmail);
	tcase_add_test(tc, test_junk);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_format_names);
	suite_add_tcase(s, tc);
	return s;
}
