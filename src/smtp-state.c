/* smtp-state: the protocol states, one row each (name, what /state says,
 * what makes sense next, what is wrong with sending a command now), and
 * the one function that changes the state, which notes every change with
 * its cause when tracing (--trace, /trace). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

struct smtp_state_info {
	const char *name;
	const char *describe;  /* NULL: worded by smtp_describe_dynamic() */
	const char *next;      /* the legal next commands; NULL: computed */
	const char *warn;      /* a command sent now is wrong: why */
	bool quit_ok;          /* ... except QUIT */
	bool ends_txn;         /* entering it leaves any mail transaction */
};

static const struct smtp_state_info smtp_states[SMTP_STATE__COUNT] = {
	[SMTP_DISCONNECTED] = { "DISCONNECTED", N_("not connected"), "/connect", NULL, false, true },
	[SMTP_WAIT_GREETING] = { "WAIT_GREETING", N_("connected, waiting for the greeting"),
		N_("(wait for the greeting)"),
		N_("sent before the server's greeting (RFC 5321 3.1); many servers drop such early talkers"),
		false, false },
	[SMTP_REFUSED] = { "REFUSED", N_("greeting refused service: only QUIT is left"), "QUIT",
		N_("the greeting refused service: only QUIT makes sense now (RFC 5321 3.1)"), true, false },
	[SMTP_BAD_GREETING] = { "BAD_GREETING",
		N_("malformed greeting (no valid reply code): only QUIT is safe"), "QUIT",
		N_("the greeting was malformed (no valid reply code); RFC 5321 4.2 says treat it as a failure, so only QUIT is safe"),
		true, false },
	[SMTP_GREETED] = { "GREETED", N_("greeted: introduce yourself with EHLO (or HELO)"),
		"EHLO HELO NOOP QUIT", NULL, false, true },
	[SMTP_READY] = { "READY", NULL, NULL, NULL, false, true },
	[SMTP_MAIL] = { "MAIL", N_("transaction open: sender accepted, no recipient yet"),
		"RCPT RSET NOOP QUIT", NULL, false, false },
	[SMTP_RCPT] = { "RCPT", NULL, NULL, NULL, false, false },
	[SMTP_DATA] = { "DATA", N_("sending the message: end it with a line holding only \".\""),
		N_("(message lines, then \".\")"), NULL, false, false },
	[SMTP_AUTH] = { "AUTH", N_("AUTH in progress: answer the 334 challenge (\"*\" cancels)"),
		N_("(base64 response, or \"*\" to cancel)"), NULL, false, false },
	[SMTP_TLS_START] = { "TLS_START", N_("STARTTLS accepted: TLS handshake expected"), "QUIT",
		N_("the server is waiting for a TLS handshake after STARTTLS; a plaintext command now breaks the session"),
		false, false },
	[SMTP_QUITTING] = { "QUITTING", N_("QUIT accepted: the server is closing"),
		N_("(nothing: the server is closing)"), N_("QUIT was already accepted; the server is closing"),
		false, false },
	[SMTP_CLOSED] = { "CLOSED", N_("connection closed"), "/connect", NULL, false, true },
};

static const struct smtp_state_info *smtp_state_info(enum smtp_state st)
{
	static const struct smtp_state_info none = { "?", "?", "", NULL, false, false };

	return (size_t)st < SMTP_STATE__COUNT ? &smtp_states[st] : &none;
}

const char *smtp_state_name(enum smtp_state st)
{
	return smtp_state_info(st)->name;
}

bool smtp_in_txn(enum smtp_state st)
{
	return st == SMTP_MAIL || st == SMTP_RCPT;
}

void smtp_trace_cause(struct smtp *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->trace.cause, sizeof s->trace.cause, fmt, ap);
	va_end(ap);
}

void smtp_trace_hold(struct smtp *s)
{
	s->trace.hold = true;
}

/* The held notes as session notes, in order: at once, or after the reply
 * that caused them while one is handled (trace.hold). */
void smtp_trace_flush(struct smtp *s)
{
	char *p = s->trace.held.data, *nl;

	s->trace.hold = false;
	while (p && (nl = strchr(p, '\n')) != NULL) {
		session_text(s->session, SESSION_NOTE, "%.*s", (int)(nl - p), p);
		p = nl + 1;
	}
	buf_clear(&s->trace.held);
}

void smtp_set_state(struct smtp *s, enum smtp_state st)
{
	if (smtp_state_info(st)->ends_txn)
		smtp_txn_reset(s);
	if (st == SMTP_MAIL && s->state != SMTP_MAIL) {
		/* A new transaction counts its recipients from zero; its MAIL
		 * parameters and BDAT state were set when they were sent. */
		s->txn.recipients = 0;
		s->txn.rcpt_tried = 0;
	}
	if (s->trace.on && st != s->state) {
		buf_printf(&s->trace.held, "state %s -> %s on %s\n", smtp_state_name(s->state),
			   smtp_state_name(st), s->trace.cause);
		if (!s->trace.hold)
			smtp_trace_flush(s);
	}
	s->state = st;
}

void smtp_set_trace(struct smtp *s, bool on) { s->trace.on = on; }
bool smtp_tracing(const struct smtp *s) { return s->trace.on; }

bool smtp_state_check(struct smtp *s, enum smtp_verb v)
{
	const struct smtp_state_info *info = smtp_state_info(s->state);

	if (info->warn == NULL)
		return false;
	if (!(info->quit_ok && v == SMTP_V_QUIT))
		smtp_warn(s, _(info->warn));
	return true;
}

static void smtp_describe_dynamic(const struct smtp *s, struct buf *out)
{
	if (s->state == SMTP_READY)
		buf_printf(out, _("ready (%s done%s): start a transaction with MAIL FROM"),
			   s->ehlo_done ? "EHLO" : "HELO",
			   s->auth.authenticated ? _(", authenticated") : "");
	else
		buf_printf(out, ngettext("transaction open: %zu recipient accepted, waiting for DATA",
					 "transaction open: %zu recipients accepted, waiting for DATA",
					 s->txn.recipients),
			   s->txn.recipients);
}

void smtp_describe(const struct smtp *s, struct buf *out)
{
	size_t waiting = smtp_pending_count(s);
	const struct smtp_pending *next = smtp_pending_peek(s);
	const char *text = smtp_state_info(s->state)->describe;

	if (text)
		buf_adds(out, text[0] == '?' ? text : _(text));
	else
		smtp_describe_dynamic(s, out);
	if (waiting > 0 && next)
		buf_printf(out, ngettext(" (%zu reply pending, next for %s)",
					 " (%zu replies pending, next for %s)", waiting),
			   waiting, smtp_verb_name(next->verb));
}

void smtp_legal_next(const struct smtp *s, struct buf *out)
{
	const char *list = smtp_state_info(s->state)->next;

	if (list) {
		/* the commands as they are; what is in parentheses is prose */
		buf_adds(out, list[0] == '(' ? _(list) : list);
	} else if (s->state == SMTP_READY) {
		buf_adds(out, "MAIL");
		if (caps_has(&s->caps, CAP_STARTTLS) && !s->tls.up)
			buf_adds(out, " STARTTLS");
		if (caps_has(&s->caps, CAP_AUTH) && !s->auth.authenticated)
			buf_adds(out, " AUTH");
		buf_adds(out, " VRFY EXPN HELP NOOP RSET EHLO QUIT");
	} else {
		buf_adds(out, caps_has(&s->caps, CAP_CHUNKING) ? "RCPT DATA BDAT RSET NOOP QUIT"
							  : "RCPT DATA RSET NOOP QUIT");
	}
}
