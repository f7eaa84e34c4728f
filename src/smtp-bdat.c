/* smtp-bdat: CHUNKING (RFC 3030).  Each chunk is "BDAT n" (the last one
 * "BDAT n LAST") followed by exactly n octets: no dot-stuffing, no
 * end-of-data line, no line-ending repair.  What BDAT cannot repair is
 * counted and warned about instead: bare LF/CR and 8-bit octets in a
 * message MAIL did not declare BODY=BINARYMIME (or 8BITMIME) for. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"

void smtp_bdat_reset(struct smtp *s)
{
	s->bdat_used = s->bdat_refused = s->bdat_prev_cr = false;
	s->bdat_bytes = 0;
	s->bdat_chunks = s->bdat_bare_lf = s->bdat_bare_cr = s->bdat_8bit = 0;
}

bool smtp_bdat_refused(const struct smtp *s)
{
	return s->bdat_refused;
}

/* Counts what a text message should not hold. */
static void smtp_bdat_scan(struct smtp *s, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;

	for (size_t i = 0; i < n; i++) {
		if (u[i] == '\n' && !s->bdat_prev_cr)
			s->bdat_bare_lf++;
		if (s->bdat_prev_cr && u[i] != '\n')
			s->bdat_bare_cr++;
		if (u[i] >= 0x80)
			s->bdat_8bit++;
		s->bdat_prev_cr = u[i] == '\r';
	}
}

static void smtp_bdat_last_warnings(struct smtp *s)
{
	if (s->bdat_prev_cr)
		s->bdat_bare_cr++;
	if (s->mail_binary)
		return;
	if (s->bdat_bare_lf || s->bdat_bare_cr)
		session_text(s->session, SESSION_WARN,
			     "%zu bare LF and %zu bare CR sent as they are (BDAT sends exact octets); without "
			     "BODY=BINARYMIME the message must have CRLF line endings (RFC 3030 3, RFC 5321 2.3.8)",
			     s->bdat_bare_lf, s->bdat_bare_cr);
	if (s->bdat_8bit && !s->mail_8bit)
		session_text(s->session, SESSION_WARN,
			     "%zu octets with the 8th bit set, but MAIL had no BODY=8BITMIME or BODY=BINARYMIME "
			     "(RFC 6152, RFC 3030)", s->bdat_8bit);
}

void smtp_bdat(struct smtp *s, const char *p, size_t n, bool last, struct buf *out)
{
	char line[64];
	size_t ev;

	snprintf(line, sizeof line, "BDAT %zu%s", n, last ? " LAST" : "");
	smtp_send(s, line, NULL, out);
	ev = s->pending[s->npending - 1].event;
	if (last) {
		s->npending--; /* pushed again as the end of the message */
		free(s->pending[s->npending].arg);
		smtp_push_end(s, SMTP_V_BDAT, ev, true);
	}
	buf_add(out, p, n);
	s->bdat_used = true;
	s->bdat_chunks++;
	s->bdat_bytes += n;
	smtp_bdat_scan(s, p, n);
	session_text(s->session, SESSION_DATA, "BDAT chunk %zu: %zu octets sent as they are (%llu in all)%s",
		     s->bdat_chunks, n, s->bdat_bytes, last ? ", the last" : "");
	if (last)
		smtp_bdat_last_warnings(s);
}
