/* smtp-data: DATA and the message content (RFC 5321 4.1.1.4, 4.5.2
 * dot-stuffing, 2.3.8 line endings, 4.5.3.1.6 line length; RFC 6152
 * 8BITMIME), and the reply that ends a message — after the final dot, or
 * after BDAT LAST — with LMTP's one reply per recipient (RFC 2033 4.2). */
#include "config.h"

#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

void smtp_set_data_raw(struct smtp *s, bool raw)
{
	s->data.raw = raw;
}

/* A fresh encoder for the next message. */
static void smtp_data_restart(struct smtp *s)
{
	data_encoder_init(&s->data.enc);
	s->data.enc.raw = s->data.raw;
}

void smtp_check_data(struct smtp *s)
{
	if (s->state != SMTP_RCPT && !smtp_pending_has(s, SMTP_V_RCPT))
		smtp_warn(s, _("DATA without an accepted recipient: expect 503 or 554 (RFC 5321 3.3)"));
	if (s->txn.mail.binary)
		smtp_warn(s, _("DATA after MAIL with BODY=BINARYMIME: RFC 3030 3 allows only BDAT; expect 503 or 554"));
	if (s->txn.bdat.used)
		smtp_warn(s, _("DATA in a transaction that used BDAT: RFC 3030 3 forbids mixing them; expect 503"));
}

void smtp_reply_data(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r)
{
	(void)cmd;
	if (r->code == 354) {
		smtp_data_restart(s);
		smtp_set_state(s, SMTP_DATA);
	} else if (s->txn.recipients == 0 && s->txn.rcpt_tried > 0) {
		smtp_stage(s, SMTP_STAGE_RCPT, false);
	}
}

void smtp_done_data(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		    struct buf *out)
{
	(void)cmd, (void)out;
	if (r->code != 354)
		smtp_rcpt_summary(s, _("DATA was refused: the message was not sent"));
}

static void smtp_data_check(struct smtp *s)
{
	if (s->state != SMTP_DATA)
		session_text(s->session, SESSION_WARN,
			     _("message content sent without a 354 from the server; it will be read as commands"));
}

void smtp_data_line(struct smtp *s, const char *line, size_t len,
		    struct buf *out)
{
	size_t before = out->len;

	if (s->data.enc.in_bytes == 0)
		smtp_data_check(s);
	data_encode(&s->data.enc, line, len, out);
	data_encode(&s->data.enc, "\r\n", 2, out);
	session_sent(s->session, out->data + before, out->len - before);
}

void smtp_data_bytes(struct smtp *s, const char *p, size_t n, struct buf *out)
{
	if (s->data.enc.in_bytes == 0)
		smtp_data_check(s);
	data_encode(&s->data.enc, p, n, out);
}

/* 8-bit octets: once per message, whatever the number of such lines.
 * MAIL with SMTPUTF8 declares UTF-8 content too (RFC 6531 3.1: a server
 * offering SMTPUTF8 also offers 8BITMIME). */
static void smtp_data_8bit(struct smtp *s, size_t n)
{
	if (n == 0 || s->txn.mail.eight_bit || s->txn.mail.smtputf8)
		return;
	if (!caps_has(&s->caps, CAP_8BITMIME))
		session_text(s->session, SESSION_WARN,
			     ngettext("%zu octet with the 8th bit set, but the server did not advertise 8BITMIME: "
				      "SMTP without it carries 7-bit text only (RFC 5321 2.4, RFC 6152); the server may "
				      "refuse or alter the message; send it quoted-printable or base64",
				      "%zu octets with the 8th bit set, but the server did not advertise 8BITMIME: "
				      "SMTP without it carries 7-bit text only (RFC 5321 2.4, RFC 6152); the server may "
				      "refuse or alter the message; send it quoted-printable or base64", n),
			     n);
	else
		session_text(s->session, SESSION_WARN,
			     ngettext("%zu octet with the 8th bit set, but MAIL had no BODY=8BITMIME "
				      "(RFC 6152 3: the server offers it; say MAIL FROM:<...> BODY=8BITMIME)",
				      "%zu octets with the 8th bit set, but MAIL had no BODY=8BITMIME "
				      "(RFC 6152 3: the server offers it; say MAIL FROM:<...> BODY=8BITMIME)", n),
			     n);
}

/* The example a header warning gives: the sender's address, or one. */
static const char *smtp_data_sender(const struct smtp *s)
{
	return s->mail_from && s->mail_from[0] ? s->mail_from : "you@example.org";
}

/* A line of the header section that is no field (RFC 5322 2.1, 2.2). */
static void smtp_data_bad_header(struct smtp *s, const struct data_headers *h)
{
	if (h->bad_line == 1 && h->fields == 0)
		session_text(s->session, SESSION_WARN,
			     _("the message begins with \"%s\", which is no header field (Name: value): a "
			       "message is its header fields, an empty line, then the body (RFC 5322 2.1); "
			       "write the headers first (From:, Date:, Subject: ...), then an empty line, "
			       "then the text"), h->bad);
	else if (!h->blank_seen)
		session_text(s->session, SESSION_WARN,
			     _("line %zu of the message (\"%s\") is no header field, and no empty line came "
			       "before it: the body must be separated from the headers by an empty line "
			       "(RFC 5322 2.1), else the server reads it as a broken header; type an empty "
			       "line after the last header"), h->bad_line, h->bad);
	else
		session_text(s->session, SESSION_WARN,
			     _("line %zu of the message (\"%s\") is in the header section (before the "
			       "first empty line) but is no header field: RFC 5322 2.2 wants Name: value, "
			       "and a continued field's next line starts with a space; add the colon, or "
			       "move the line below the empty line"), h->bad_line, h->bad);
}

/* Date and From are required, Message-ID SHOULD be there (RFC 5322 3.6). */
static void smtp_data_missing_headers(struct smtp *s, const struct data_headers *h)
{
	const char *from = smtp_data_sender(s), *at = strrchr(from, '@');
	struct buf names, example;

	if (h->date && h->from && h->message_id)
		return;
	if (h->date && h->from) {
		session_text(s->session, SESSION_WARN,
			     _("the message has no Message-ID: header: RFC 5322 3.6.4 says every message "
			       "SHOULD have one, and spam filters count its absence; add one to the headers, "
			       "e.g. Message-ID: <1@%s>"), at ? at + 1 : "example.org");
		return;
	}
	buf_init(&names);
	buf_init(&example);
	if (!h->date) {
		buf_adds(&names, "Date:");
		buf_adds(&example, "Date: Mon, 7 Jul 2025 09:30:00 +0000");
	}
	if (!h->from) {
		buf_printf(&names, "%sFrom:", names.len ? ", " : "");
		buf_printf(&example, "%sFrom: <%s>", example.len ? " / " : "", from);
	}
	if (!h->message_id) {
		buf_printf(&names, "%sMessage-ID:", names.len ? ", " : "");
		buf_printf(&example, " / Message-ID: <1@%s>", at ? at + 1 : "example.org");
	}
	/* TRANSLATORS: the missing headers ("Date:, From:"), then an example of each */
	session_text(s->session, SESSION_WARN,
		     _("headers missing from the message: %s. RFC 5322 3.6 requires Date and From in "
		       "every message (Message-ID SHOULD be there too); servers may refuse it (550 5.6.0 "
		       "or 5.7.1) or add their own. Add them above the empty line, e.g. %s (/compose "
		       "writes a message with all of them)"), names.data, example.data);
	buf_free(&names);
	buf_free(&example);
}

/* What the encoder saw in the message, before the end marker. */
static void smtp_data_report(struct smtp *s, const struct data_encoder *d)
{
	const char *how = s->data.raw ? _("sent as they were") : _("turned into CRLF");

	data_headers_finish(&s->data.enc.hdr);
	if (d->hdr.bad_line)
		smtp_data_bad_header(s, &d->hdr);
	smtp_data_missing_headers(s, &d->hdr);

	if (d->bare_lf)
		session_text(s->session, SESSION_WARN,
			     ngettext("%zu bare LF line ending %s (RFC 5321 2.3.8 requires CRLF)",
				      "%zu bare LF line endings %s (RFC 5321 2.3.8 requires CRLF)", d->bare_lf),
			     d->bare_lf, how);
	if (d->bare_cr)
		session_text(s->session, SESSION_WARN,
			     ngettext("%zu bare CR %s (RFC 5321 2.3.8)", "%zu bare CRs %s (RFC 5321 2.3.8)",
				      d->bare_cr),
			     d->bare_cr, how);
	smtp_data_8bit(s, d->eight_bit);
	if (d->long_lines)
		session_text(s->session, SESSION_WARN,
			     ngettext("%zu line longer than 998 octets (first: line %zu); RFC 5321 4.5.3.1.6 allows 1000 with CRLF",
				      "%zu lines longer than 998 octets (first: line %zu); RFC 5321 4.5.3.1.6 allows 1000 with CRLF",
				      d->long_lines),
			     d->long_lines, d->first_long_line);
	if (d->stuffed)
		session_text(s->session, SESSION_NOTE,
			     ngettext("%zu line starting with \".\" dot-stuffed (RFC 5321 4.5.2)",
				      "%zu lines starting with \".\" dot-stuffed (RFC 5321 4.5.2)", d->stuffed),
			     d->stuffed);
}

void smtp_data_end(struct smtp *s, const char *source, struct buf *out)
{
	struct data_encoder *d = &s->data.enc;
	size_t before, ev;

	if (source)
		session_text(s->session, SESSION_DATA,
			     _("message from %s: %zu bytes read, %zu bytes sent, %zu lines"),
			     source, d->in_bytes, d->out_bytes, d->lines + (d->at_line_start ? 0 : 1));
	smtp_data_report(s, d);
	data_finish(d, out);
	before = out->len - 3; /* the ".\r\n" line; a CRLF before it ends content */
	ev = session_sent(s->session, out->data + before, out->len - before);
	smtp_push_end(s, SMTP_V_DOT, ev, false);
	smtp_data_restart(s);
}

bool smtp_ends_message(const struct smtp_pending *p)
{
	return p->verb == SMTP_V_DOT || (p->verb == SMTP_V_BDAT && p->last);
}

void smtp_push_end(struct smtp *s, enum smtp_verb v, size_t event, bool last)
{
	/* RFC 2033 4.2 (and RFC 3030 4.3 for BDAT LAST): LMTP answers
	 * once per accepted recipient, in order. */
	size_t k = s->lmtp ? smtp_rcpt_accepted(s, NULL, 0) : 1, i;

	if (s->lmtp)
		s->rcpt.lmtp_ok = false;
	for (i = 0; i < (k ? k : 1); i++) {
		smtp_push(s, v, event, NULL);
		s->pending.v[s->pending.n - 1].last = last;
	}
}

void smtp_reply_dot(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r)
{
	bool ok = reply_class(r) == 2;

	(void)cmd;
	if (s->lmtp) {
		/* RFC 2033 4.2: delivered if any recipient took it. */
		s->rcpt.lmtp_ok = s->rcpt.lmtp_ok || ok;
		ok = s->rcpt.lmtp_ok;
	}
	smtp_stage(s, SMTP_STAGE_DOT, ok);
	if (ok) {
		/* A delivered message outweighs earlier refusals in the
		 * transaction stages; a later failure counts again. */
		smtp_stage(s, SMTP_STAGE_MAIL, true);
		smtp_stage(s, SMTP_STAGE_RCPT, true);
		smtp_stage(s, SMTP_STAGE_DATA, true);
	}
	/* RFC 5321 4.1.1.4: the transaction ends with the reply, whatever
	 * it says. */
	smtp_set_state(s, SMTP_READY);
}

static bool smtp_pending_end(const struct smtp *s)
{
	size_t i;

	for (i = s->pending.head; i < s->pending.n; i++)
		if (smtp_ends_message(&s->pending.v[i]))
			return true;
	return false;
}

/* After the reply is in the transcript: the LMTP recipient it was for,
 * and the recipient summary once no other such reply is due. */
void smtp_done_dot(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		   struct buf *out)
{
	const char *addr = smtp_rcpt_final(s, r);

	(void)cmd, (void)out;
	if (addr)
		session_text(s->session, SESSION_NOTE, _("LMTP: that reply is for <%s>"), addr);
	if (!smtp_pending_end(s))
		smtp_rcpt_summary(s, _("no reply after the message"));
}
