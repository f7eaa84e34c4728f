/* smtp-auth: AUTH (RFC 4954).  The AUTH rows of the rule table: the
 * sequence checks, the 334 that asks for a SASL response, the reply that
 * ends the exchange, and the redaction of SASL lines typed by hand.
 * Then AUTH driven by smtpscope: the AUTH line with an initial response
 * where the mechanism has one, each 334 answered by the SASL engine, "*"
 * when the engine cannot go on, the next mechanism after 504 or 534, and
 * SCRAM's server signature checked before 235 counts.  What is sent
 * stays out of the transcript: it shows AUTH PLAIN <redacted: user "alice">. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

void smtp_set_show_secrets(struct smtp *s, bool show)
{
	s->auth.show_secrets = show;
}

bool smtp_authenticated(const struct smtp *s)
{
	return s->auth.authenticated;
}

void smtp_check_auth(struct smtp *s)
{
	if (s->auth.authenticated)
		smtp_warn(s, _("already authenticated: a second AUTH gets 503 (RFC 4954 4)"));
	else if (!caps_has(&s->caps, CAP_AUTH))
		smtp_warn(s, _("AUTH was not advertised in the EHLO reply (it may appear only after STARTTLS)"));
	if (smtp_in_txn(s->state))
		smtp_warn(s, _("AUTH inside a mail transaction is not allowed (RFC 4954 4): expect 503"));
}

/* A SASL response was sent: the state waits for the next 334 as READY. */
void smtp_sent_sasl(struct smtp *s)
{
	smtp_trace_cause(s, "AUTH response sent");
	smtp_set_state(s, SMTP_READY);
}

/* To AUTH or a SASL response: 334 asks for (another) response; anything
 * else ends the exchange (the stage outcome is the rule table's). */
void smtp_reply_auth(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r)
{
	(void)cmd;
	if (r->code == 334) {
		smtp_set_state(s, SMTP_AUTH);
		return;
	}
	s->auth.authenticated = r->code == 235 || s->auth.authenticated;
	if (s->state == SMTP_AUTH)
		smtp_set_state(s, SMTP_READY);
}

/* What the transcript shows of a SASL line typed by hand: never the
 * credentials; for AUTH PLAIN the user name found in them. */
char *smtp_typed_secret(enum smtp_verb v, const char *line)
{
	const char *mech, *resp;
	size_t mlen;
	struct buf dec;
	char *shown;

	if (v == SMTP_V_AUTH_RESPONSE)
		return strcmp(line, "*") == 0 || line[0] == '\0' ? NULL
			: xstrdup("<redacted: SASL response>");
	mech = line + strcspn(line, " \t");
	mech += strspn(mech, " \t");
	mlen = strcspn(mech, " \t");
	resp = mech + mlen;
	resp += strspn(resp, " \t");
	if (*resp == '\0' || strcmp(resp, "=") == 0)
		return NULL; /* no initial response: nothing secret */
	buf_init(&dec);
	if (mlen == 5 && util_strnieq(mech, "PLAIN", 5) &&
	    auth_b64_decode(resp, strlen(resp), &dec) && dec.len > 0 &&
	    memchr(dec.data, '\0', dec.len)) {
		const char *user = (const char *)memchr(dec.data, '\0', dec.len) + 1;
		size_t ulen = strnlen(user, dec.len - (size_t)(user - dec.data));
		shown = xasprintf("%.*s <redacted: user \"%.*s\">", (int)(resp - line - 1), line,
				  (int)ulen, user);
	} else {
		shown = xasprintf("%.*s <redacted>", (int)(resp - line - 1), line);
	}
	buf_free(&dec);
	return shown;
}

void smtp_auth_end(struct smtp *s)
{
	auth_free(s->auth.run.cur);
	free(s->auth.run.user);
	auth_secret_free(s->auth.run.secret);
	memset(&s->auth.run, 0, sizeof s->auth.run);
}

bool smtp_auth_active(const struct smtp *s)
{
	return s->auth.run.cur != NULL;
}

/* Starts the next mechanism of the plan. */
static void smtp_auth_next(struct smtp *s, struct buf *out)
{
	enum auth_mech m = s->auth.run.mechs[s->auth.run.next++];
	struct buf line, initial;
	char *shown;

	auth_free(s->auth.run.cur);
	s->auth.run.cur = auth_new(m, s->auth.run.user, s->auth.run.secret);
	if (caps_has(&s->caps, CAP_AUTH) && !caps_has_auth(&s->caps, auth_mech_name(m)))
		session_text(s->session, SESSION_WARN,
			     _("the server did not list %s in its AUTH capability; trying it anyway"),
			     auth_mech_name(m));
	buf_init(&line);
	buf_init(&initial);
	buf_printf(&line, "AUTH %s", auth_mech_name(m));
	if (auth_initial(s->auth.run.cur, &initial)) {
		/* RFC 4954 4: an empty initial response is sent as "=". */
		buf_printf(&line, " %s", initial.len ? initial.data : "=");
		shown = xasprintf("AUTH %s <redacted: user \"%s\">", auth_mech_name(m),
				  s->auth.run.user);
	} else {
		shown = NULL; /* nothing secret on the line */
	}
	smtp_send(s, line.data, shown, out);
	free(shown);
	buf_free(&initial);
	buf_free(&line);
}

void smtp_auth_start(struct smtp *s, const enum auth_mech *mechs, size_t n,
		     const char *user, const char *secret, struct buf *out)
{
	size_t i;

	smtp_auth_end(s);
	if (n == 0)
		return;
	for (i = 0; i < n && i < AUTH_MECH__COUNT; i++)
		s->auth.run.mechs[i] = mechs[i];
	s->auth.run.n = i;
	s->auth.run.user = xstrdup(user);
	s->auth.run.secret = xstrdup(secret);
	if (!s->tls.up)
		session_text(s->session, SESSION_WARN, "%s",
			     n == 1 && (mechs[0] == AUTH_PLAIN || mechs[0] == AUTH_LOGIN ||
					mechs[0] == AUTH_XOAUTH2)
				     ? _("sending credentials WITHOUT TLS: anyone on the path can read them "
					 "(this mechanism sends the secret itself, only base64-encoded) "
					 "(use /starttls or --tls first)")
				     : _("sending credentials WITHOUT TLS: anyone on the path can read them "
					 "or replay the exchange (use /starttls or --tls first)"));
	smtp_auth_next(s, out);
}

/* A 334: the engine's answer, or "*" to cancel (RFC 4954 4). */
static void smtp_auth_challenge(struct smtp *s, const struct reply *r, struct buf *out)
{
	struct auth *a = s->auth.run.cur;
	struct buf resp;
	char *err = NULL, *shown;

	buf_init(&resp);
	if (!auth_respond(a, r->nlines ? r->lines[0].text : "", r->nlines ? r->lines[0].len : 0,
			  &resp, &err)) {
		session_text(s->session, SESSION_ERROR, _("AUTH %s: %s; cancelling with \"*\""),
			     auth_mech_name(auth_mech(a)), err);
		free(err);
		s->auth.run.next = s->auth.run.n; /* no other mechanism after this */
		smtp_send(s, "*", NULL, out);
		buf_free(&resp);
		return;
	}
	shown = resp.len ? xasprintf("<redacted: %s response for user \"%s\">",
				     auth_mech_name(auth_mech(a)), auth_user(a))
			 : NULL;
	smtp_send(s, resp.data ? resp.data : "", shown, out);
	free(shown);
	buf_free(&resp);
}

void smtp_auth_on_reply(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
			struct buf *out)
{
	struct auth *a = s->auth.run.cur;

	(void)cmd;
	/* After the reply in the transcript, so the warning follows it. */
	if (reply_class(r) == 2 && r->code != 235)
		session_text(s->session, SESSION_WARN,
			     _("protocol violation: AUTH succeeds only with 235 (RFC 4954 4 and 6), so %d does not authenticate; the session is NOT counted as authenticated"),
			     r->code);
	if (a == NULL)
		return;
	if (r->code == 334) {
		smtp_auth_challenge(s, r, out);
		return;
	}
	if (r->code == 235) {
		if (auth_server_proof(a) == AUTH_PROOF_VERIFIED)
			session_text(s->session, SESSION_NOTE,
				     _("authenticated as \"%s\" with %s; the server's SCRAM signature is "
				       "right, so it knows the password too (RFC 5802)"),
				     auth_user(a), auth_mech_name(auth_mech(a)));
		else if (auth_server_proof(a) == AUTH_PROOF_MISSING)
			session_text(s->session, SESSION_WARN,
				     _("authenticated as \"%s\" with %s, but the server never sent its "
				       "SCRAM signature: it has not proved it knows the password"),
				     auth_user(a), auth_mech_name(auth_mech(a)));
		else
			session_text(s->session, SESSION_NOTE, _("authenticated as \"%s\" with %s"),
				     auth_user(a), auth_mech_name(auth_mech(a)));
		smtp_auth_end(s);
		return;
	}
	if ((r->code == 504 || r->code == 534) && s->auth.run.next < s->auth.run.n) {
		session_text(s->session, SESSION_NOTE, _("%s refused with %d: trying %s"),
			     auth_mech_name(auth_mech(a)), r->code,
			     auth_mech_name(s->auth.run.mechs[s->auth.run.next]));
		smtp_auth_next(s, out);
		return;
	}
	smtp_auth_end(s);
}
