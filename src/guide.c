/* guide: what to try next, and why (RFC 5321 unless said otherwise). */
#include "config.h"

#include <string.h>

#include "smtpscope/guide.h"
#include "smtpscope/i18n.h"

/* Hints after a refusal, whatever the state: the reply says more than
 * the state does. */
static bool guide_refusal(const struct smtp *s, int code, enum smtp_verb v, struct buf *out)
{
	const struct caps *caps = smtp_caps(s);

	if (code == 530 && caps_has(caps, CAP_STARTTLS) && !smtp_tls(s)) {
		buf_adds(out, _("530: this server wants an encrypted session first. Try /starttls (the "
			      "demo's certificate is self-signed: start smtpscope with --insecure), then EHLO again."));
		return true;
	}
	if (code == 530 || (code == 535 && (v == SMTP_V_AUTH || v == SMTP_V_AUTH_RESPONSE))) {
		buf_adds(out, code == 530 ? _("530: log in first (RFC 4954). ") : _("535: wrong name or password. "));
		buf_adds(out, _("AUTH PLAIN with the base64 of \"\\0user\\0password\" logs in in one line; "
			      "AUTH LOGIN asks for each (334) in base64."));
		return true;
	}
	if (code >= 400 && code < 500 && v == SMTP_V_RCPT) {
		buf_adds(out, _("A 4xx is temporary: send the same RCPT TO again (a greylisting server lets a "
			      "retry through), or another recipient; the transaction stays open."));
		return true;
	}
	if (code >= 500 && v == SMTP_V_RCPT) {
		buf_adds(out, _("A 5xx is permanent for this recipient: check the address or try another one "
			      "(RCPT TO:<student@demo.test>); the transaction stays open. /explain tells more."));
		return true;
	}
	if (code == 421) {
		buf_adds(out, _("421: the server is closing the connection. Reconnect (/scenario NAME or "
			      "/connect) and try again more slowly."));
		return true;
	}
	if (code >= 500 && code <= 504) {
		buf_adds(out, _("A syntax or sequence error: /explain says which. /help lists local commands; "
			      "the status bar (or this hint) says which commands make sense now."));
		return true;
	}
	return false;
}

void guide_hint(const struct smtp *s, const struct reply *last, enum smtp_verb verb,
		struct buf *out)
{
	const struct caps *caps = smtp_caps(s);
	int code = last ? last->code : -1;

	buf_adds(out, _("hint: "));
	if (code >= 400 && guide_refusal(s, code, verb, out))
		return;
	switch (smtp_state(s)) {
	case SMTP_REFUSED:
	case SMTP_BAD_GREETING:
		buf_adds(out, _("The greeting was not 220: the server will not talk to you (RFC 5321 3.1). "
			      "Only QUIT makes sense; /explain says why it refused."));
		break;
	case SMTP_GREETED:
		if (smtp_tls(s))
			buf_adds(out, _("TLS is up and the server has forgotten everything said before "
				      "(RFC 3207 4.2): send EHLO again and compare the extensions it lists now."));
		else
			buf_adds(out, _("Introduce yourself: EHLO me.example. EHLO, unlike HELO, makes the "
				      "server list the extensions it supports."));
		break;
	case SMTP_READY:
		if (verb == SMTP_V_DOT && code / 100 == 2)
			buf_adds(out, _("The message was accepted: the server is responsible for it now. "
				      "Send another MAIL FROM, or QUIT. /save FILE.html makes a handout of this session."));
		else if (caps_has(caps, CAP_STARTTLS) && !smtp_tls(s))
			buf_adds(out, _("The server offers STARTTLS: /starttls encrypts the session before "
				      "anything private is sent. Or open a transaction: MAIL FROM:<you@example.org> "
				      "names the sender, where bounces go."));
		else if (caps_has(caps, CAP_AUTH) && !smtp_authenticated(s))
			buf_adds(out, _("The server offers AUTH: log in (AUTH PLAIN ...), or open a transaction "
				      "with MAIL FROM:<you@example.org> and see whether it needs a login."));
		else
			buf_adds(out, _("Open a transaction: MAIL FROM:<you@example.org> names the sender "
				      "(the envelope sender, where bounces go), not the From: header."));
		break;
	case SMTP_MAIL:
		buf_adds(out, _("Name a recipient: RCPT TO:<student@demo.test>. One RCPT per recipient; "
			      "each is accepted or refused on its own."));
		break;
	case SMTP_RCPT:
		buf_adds(out, _("A recipient is accepted: send DATA to start the message, or add more "
			      "recipients with RCPT TO. VRFY and RSET are allowed too."));
		break;
	case SMTP_DATA:
		buf_adds(out, _("354: type the message (headers such as Subject: ..., an empty line, the body) "
			      "and end it with a line holding only \".\". Lines starting with \".\" are "
			      "dot-stuffed for you."));
		break;
	case SMTP_AUTH:
		buf_adds(out, _("334: the server asks for the next login step; answer with one base64 line "
			      "(the 334's text, decoded, says what it wants), or * to cancel."));
		break;
	case SMTP_QUITTING:
	case SMTP_CLOSED:
	case SMTP_DISCONNECTED:
		buf_adds(out, _("The session is over. /scenario lists other scenarios to try; /ladder draws "
			      "this one; /save FILE.html keeps it."));
		break;
	default:
		buf_adds(out, _("Wait for the server's reply."));
		break;
	}
}
