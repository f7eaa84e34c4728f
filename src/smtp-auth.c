/* smtp-auth: AUTH driven by smtpscope (RFC 4954): the AUTH line with an
 * initial response where the mechanism has one, each 334 answered by the
 * SASL engine, "*" when the engine cannot go on, the next mechanism after
 * 504 or 534, and SCRAM's server signature checked before 235 counts.
 * What is sent stays out of the transcript: it shows
 * AUTH PLAIN <redacted: user "alice">. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"

void smtp_auth_end(struct smtp *s)
{
	auth_free(s->auth.cur);
	free(s->auth.user);
	auth_secret_free(s->auth.secret);
	memset(&s->auth, 0, sizeof s->auth);
}

bool smtp_auth_active(const struct smtp *s)
{
	return s->auth.cur != NULL;
}

/* Starts the next mechanism of the plan. */
static void smtp_auth_next(struct smtp *s, struct buf *out)
{
	enum auth_mech m = s->auth.mechs[s->auth.next++];
	struct buf line, initial;
	char *shown;

	auth_free(s->auth.cur);
	s->auth.cur = auth_new(m, s->auth.user, s->auth.secret);
	if (caps_has(&s->caps, CAP_AUTH) && !caps_has_auth(&s->caps, auth_mech_name(m)))
		session_text(s->session, SESSION_WARN,
			     "the server did not list %s in its AUTH capability; trying it anyway",
			     auth_mech_name(m));
	buf_init(&line);
	buf_init(&initial);
	buf_printf(&line, "AUTH %s", auth_mech_name(m));
	if (auth_initial(s->auth.cur, &initial)) {
		/* RFC 4954 4: an empty initial response is sent as "=". */
		buf_printf(&line, " %s", initial.len ? initial.data : "=");
		shown = xasprintf("AUTH %s <redacted: user \"%s\">", auth_mech_name(m),
				  s->auth.user);
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
		s->auth.mechs[i] = mechs[i];
	s->auth.n = i;
	s->auth.user = xstrdup(user);
	s->auth.secret = xstrdup(secret);
	if (!s->tls)
		session_text(s->session, SESSION_WARN,
			     "sending credentials WITHOUT TLS: anyone on the path can read them%s "
			     "(use /starttls or --tls first)",
			     n == 1 && (mechs[0] == AUTH_PLAIN || mechs[0] == AUTH_LOGIN ||
					mechs[0] == AUTH_XOAUTH2)
				     ? " (this mechanism sends the secret itself, only base64-encoded)"
				     : " or replay the exchange");
	smtp_auth_next(s, out);
}

/* A 334: the engine's answer, or "*" to cancel (RFC 4954 4). */
static void smtp_auth_challenge(struct smtp *s, const struct reply *r, struct buf *out)
{
	struct auth *a = s->auth.cur;
	struct buf resp;
	char *err = NULL, *shown;

	buf_init(&resp);
	if (!auth_respond(a, r->nlines ? r->lines[0].text : "", r->nlines ? r->lines[0].len : 0,
			  &resp, &err)) {
		session_text(s->session, SESSION_ERROR, "AUTH %s: %s; cancelling with \"*\"",
			     auth_mech_name(auth_mech(a)), err);
		free(err);
		s->auth.next = s->auth.n; /* no other mechanism after this */
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

void smtp_auth_on_reply(struct smtp *s, const struct reply *r, struct buf *out)
{
	struct auth *a = s->auth.cur;

	if (a == NULL)
		return;
	if (r->code == 334) {
		smtp_auth_challenge(s, r, out);
		return;
	}
	if (reply_class(r) == 2) {
		if (auth_server_proof(a) == AUTH_PROOF_VERIFIED)
			session_text(s->session, SESSION_NOTE,
				     "authenticated as \"%s\" with %s; the server's SCRAM signature is "
				     "right, so it knows the password too (RFC 5802)",
				     auth_user(a), auth_mech_name(auth_mech(a)));
		else if (auth_server_proof(a) == AUTH_PROOF_MISSING)
			session_text(s->session, SESSION_WARN,
				     "authenticated as \"%s\" with %s, but the server never sent its "
				     "SCRAM signature: it has not proved it knows the password",
				     auth_user(a), auth_mech_name(auth_mech(a)));
		else
			session_text(s->session, SESSION_NOTE, "authenticated as \"%s\" with %s",
				     auth_user(a), auth_mech_name(auth_mech(a)));
		smtp_auth_end(s);
		return;
	}
	if ((r->code == 504 || r->code == 534) && s->auth.next < s->auth.n) {
		session_text(s->session, SESSION_NOTE, "%s refused with %d: trying %s",
			     auth_mech_name(auth_mech(a)), r->code,
			     auth_mech_name(s->auth.mechs[s->auth.next]));
		smtp_auth_next(s, out);
		return;
	}
	smtp_auth_end(s);
}
