/* smtp-bdat: CHUNKING (RFC 3030).  Each chunk is "BDAT n" (the last one
 * "BDAT n LAST") followed by exactly n octets: no dot-stuffing, no
 * end-of-data line, no line-ending repair.  What BDAT cannot repair is
 * counted and warned about instead: bare LF/CR and 8-bit octets in a
 * message MAIL did not declare BODY=BINARYMIME (or 8BITMIME) for. */
#include "config.h"

#include <stdio.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

bool smtp_bdat_refused(const struct smtp *s)
{
	return s->txn.bdat.refused;
}

void smtp_check_bdat(struct smtp *s)
{
	const struct smtp_bdat *b = &s->txn.bdat;

	if (!caps_has(&s->caps, CAP_CHUNKING) && !b->used)
		smtp_warn(s, _("BDAT but the server did not advertise CHUNKING (RFC 3030)"));
	if (s->state != SMTP_RCPT && !smtp_pending_has(s, SMTP_V_RCPT) && !b->used)
		smtp_warn(s, _("BDAT without an accepted recipient: expect 503 or 554 (RFC 3030 3)"));
	if (b->refused)
		smtp_warn(s, _("a BDAT chunk of this transaction was refused: RFC 3030 4.2 says send RSET, not more chunks"));
}

/* BDAT LAST ends the message like the dot; a refused chunk before it
 * fails the message (RFC 3030 4.2: no more chunks). */
void smtp_reply_bdat(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r)
{
	if (cmd->last) {
		smtp_reply_dot(s, cmd, r);
	} else if (reply_class(r) != 2) {
		s->txn.bdat.refused = true;
		smtp_stage(s, SMTP_STAGE_DOT, false);
	}
}

void smtp_done_bdat(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		    struct buf *out)
{
	if (cmd->last)
		smtp_done_dot(s, cmd, r, out);
}

/* Counts what a text message should not hold. */
static void smtp_bdat_scan(struct smtp_bdat *b, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;

	for (size_t i = 0; i < n; i++) {
		if (u[i] == '\n' && !b->prev_cr)
			b->bare_lf++;
		if (b->prev_cr && u[i] != '\n')
			b->bare_cr++;
		if (u[i] >= 0x80)
			b->eight_bit++;
		b->prev_cr = u[i] == '\r';
	}
}

static void smtp_bdat_last_warnings(struct smtp *s)
{
	struct smtp_bdat *b = &s->txn.bdat;

	if (b->prev_cr)
		b->bare_cr++;
	if (s->txn.mail.binary)
		return;
	if (b->bare_lf || b->bare_cr)
		session_text(s->session, SESSION_WARN,
			     _("%zu bare LF and %zu bare CR sent as they are (BDAT sends exact octets); without "
			       "BODY=BINARYMIME the message must have CRLF line endings (RFC 3030 3, RFC 5321 2.3.8)"),
			     b->bare_lf, b->bare_cr);
	if (b->eight_bit && !s->txn.mail.eight_bit)
		session_text(s->session, SESSION_WARN,
			     _("%zu octets with the 8th bit set, but MAIL had no BODY=8BITMIME or BODY=BINARYMIME "
			       "(RFC 6152, RFC 3030)"), b->eight_bit);
}

void smtp_bdat(struct smtp *s, const char *p, size_t n, bool last, struct buf *out)
{
	struct smtp_bdat *b = &s->txn.bdat;
	char line[64];

	snprintf(line, sizeof line, "BDAT %zu%s", n, last ? " LAST" : "");
	if (last)
		smtp_send_end(s, line, SMTP_V_BDAT, out); /* its reply ends the message */
	else
		smtp_send(s, line, NULL, out);
	buf_add(out, p, n);
	b->used = true;
	b->chunks++;
	b->bytes += n;
	smtp_bdat_scan(b, p, n);
	session_text(s->session, SESSION_DATA, _("BDAT chunk %zu: %zu octets sent as they are (%llu in all)%s"),
		     b->chunks, n, b->bytes, last ? _(", the last") : "");
	if (last)
		smtp_bdat_last_warnings(s);
}
