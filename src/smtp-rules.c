/* smtp-rules: what each verb means to the state machine, one row a verb
 * (like curl's per-state handlers): the sequence checks for sending it,
 * what its pending entry keeps, the stage its reply decides and which
 * code is success there, the state change on its reply, and what follows
 * once the reply is in the transcript.  A new verb is one row and its
 * handlers; a verb without a row is sent and answered with no rules.
 *
 * The handlers of the simple verbs are here; DATA, BDAT, STARTTLS and
 * AUTH have theirs in smtp-data.c, smtp-bdat.c, smtp-tls.c and
 * smtp-auth.c.  RFC 5321 4.1.1 (the commands), 4.2 (reply classes). */
#include "config.h"

#include <stdlib.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

static void smtp_reply_greeting(struct smtp *s, const struct smtp_pending *cmd,
				const struct reply *r)
{
	(void)cmd;
	if (!r->valid) {
		smtp_warn(s, _("malformed greeting: the server's first reply has no valid reply code (three digits: 2-5, 0-5, 0-9; RFC 5321 4.2), so it is neither a welcome nor a refusal; only QUIT is safe"));
		smtp_set_state(s, SMTP_BAD_GREETING);
		return;
	}
	smtp_set_state(s, reply_class(r) == 2 ? SMTP_GREETED : SMTP_REFUSED);
}

/* EHLO, LHLO, HELO. */
static void smtp_reply_hello(struct smtp *s, const struct smtp_pending *cmd,
			     const struct reply *r)
{
	if (reply_class(r) != 2)
		return;
	if (cmd->verb == SMTP_V_HELO)
		caps_free(&s->caps);
	else
		caps_parse(&s->caps, r);
	/* compared once the reply is in the transcript */
	s->tls.diff_due = s->tls.pre_kept && cmd->verb != SMTP_V_HELO;
	s->ehlo_done = cmd->verb != SMTP_V_HELO;
	s->lmtp = cmd->verb == SMTP_V_LHLO;
	smtp_set_state(s, SMTP_READY);
}

static void smtp_reply_mail(struct smtp *s, const struct smtp_pending *cmd,
			    const struct reply *r)
{
	(void)cmd;
	if (reply_class(r) != 2)
		return;
	smtp_rcpt_clear(s); /* a new transaction */
	smtp_set_state(s, SMTP_MAIL);
}

static void smtp_sent_rcpt(struct smtp *s)
{
	s->txn.rcpt_tried++;
}

/* The RCPT stage fails only while no recipient has been accepted. */
static void smtp_reply_rcpt(struct smtp *s, const struct smtp_pending *cmd,
			    const struct reply *r)
{
	smtp_rcpt_reply(s, cmd->arg, r);
	if (reply_class(r) == 2) {
		s->txn.recipients++;
		smtp_stage(s, SMTP_STAGE_RCPT, true);
		if (s->state == SMTP_MAIL)
			smtp_set_state(s, SMTP_RCPT);
	} else if (r->valid && s->txn.recipients == 0) {
		smtp_stage(s, SMTP_STAGE_RCPT, false);
	}
}

static void smtp_reply_rset(struct smtp *s, const struct smtp_pending *cmd,
			    const struct reply *r)
{
	(void)cmd;
	if (reply_class(r) == 2)
		smtp_set_state(s, s->state == SMTP_GREETED ? SMTP_GREETED : SMTP_READY);
}

static void smtp_reply_quit(struct smtp *s, const struct smtp_pending *cmd,
			    const struct reply *r)
{
	(void)cmd;
	if (r->code == 221) {
		s->closing = true;
		smtp_set_state(s, SMTP_QUITTING);
	}
}

/* RSET, QUIT, EHLO/HELO/LHLO end an open transaction, whatever the reply. */
static void smtp_done_ended(struct smtp *s, const struct smtp_pending *cmd,
			    const struct reply *r, struct buf *out)
{
	(void)cmd, (void)r, (void)out;
	smtp_rcpt_summary(s, _("the transaction ended before a message was sent"));
}

/* EHLO not recognised: perhaps an LMTP server (a UNIX socket often is
 * one), which wants LHLO (RFC 2033 4.1); LHLO not recognised: an SMTP
 * server, which wants EHLO. */
static void smtp_done_hello(struct smtp *s, const struct smtp_pending *cmd,
			    const struct reply *r, struct buf *out)
{
	smtp_done_ended(s, cmd, r, out);
	if (r->code != 500 && r->code != 502)
		return;
	if (cmd->verb == SMTP_V_EHLO)
		session_text(s->session, SESSION_NOTE,
			     _("EHLO was not recognised: an LMTP server (RFC 2033, such as Dovecot's or Cyrus's LMTP socket) answers EHLO so and wants LHLO instead; a very old SMTP server wants HELO"));
	else if (cmd->verb == SMTP_V_LHLO)
		session_text(s->session, SESSION_NOTE,
			     _("LHLO was not recognised: LHLO is LMTP's greeting (RFC 2033); an SMTP server wants EHLO"));
}

#define HELLO { .check = smtp_check_hello, .outcome = OUTCOME(SMTP_STAGE_HELO, 0, 0), \
		.reply = smtp_reply_hello, .done = smtp_done_hello }

/* VRFY, EXPN, HELP, NOOP, ETRN and ATRN have no rules: sent, answered,
 * nothing changes. */
static const struct smtp_rule smtp_rules[SMTP_V__COUNT] = {
	[SMTP_V_UNKNOWN] = { .check = smtp_check_unknown, .arg = smtp_first_word },
	[SMTP_V_GREETING] = { .outcome = OUTCOME(SMTP_STAGE_GREETING, 0, 0),
			      .reply = smtp_reply_greeting },
	[SMTP_V_HELO] = HELLO,
	[SMTP_V_EHLO] = HELLO,
	[SMTP_V_LHLO] = HELLO,
	[SMTP_V_MAIL] = { .check = smtp_check_mail, .arg = smtp_path_arg,
			  .outcome = OUTCOME(SMTP_STAGE_MAIL, 0, 0), .reply = smtp_reply_mail },
	[SMTP_V_RCPT] = { .check = smtp_check_rcpt, .arg = smtp_path_arg, .sent = smtp_sent_rcpt,
			  .reply = smtp_reply_rcpt },
	[SMTP_V_DATA] = { .check = smtp_check_data, .outcome = OUTCOME(SMTP_STAGE_DATA, 354, 0),
			  .reply = smtp_reply_data, .done = smtp_done_data },
	[SMTP_V_DOT] = { .reply = smtp_reply_dot, .done = smtp_done_dot },
	[SMTP_V_BDAT] = { .check = smtp_check_bdat, .reply = smtp_reply_bdat,
			  .done = smtp_done_bdat },
	[SMTP_V_RSET] = { .reply = smtp_reply_rset, .done = smtp_done_ended },
	[SMTP_V_QUIT] = { .reply = smtp_reply_quit, .done = smtp_done_ended },
	/* 220 decides nothing yet: the handshake does (smtp_tls_started) */
	[SMTP_V_STARTTLS] = { .check = smtp_check_starttls,
			      .outcome = OUTCOME(SMTP_STAGE_TLS, 220, 220),
			      .reply = smtp_reply_starttls },
	/* RFC 4954 4, 6: only 235 completes AUTH; another 2xx is a violation */
	[SMTP_V_AUTH] = { .check = smtp_check_auth, .outcome = OUTCOME(SMTP_STAGE_AUTH, 235, 334),
			  .reply = smtp_reply_auth, .done = smtp_auth_on_reply },
	[SMTP_V_AUTH_RESPONSE] = { .sent = smtp_sent_sasl,
				   .outcome = OUTCOME(SMTP_STAGE_AUTH, 235, 334),
				   .reply = smtp_reply_auth, .done = smtp_auth_on_reply },
};

const struct smtp_rule *smtp_rule(enum smtp_verb v)
{
	return (size_t)v < SMTP_V__COUNT ? &smtp_rules[v] : &smtp_rules[SMTP_V_UNKNOWN];
}

/* The stage outcome the rule gives a reply, before its handler runs. */
void smtp_rule_outcome(struct smtp *s, const struct smtp_rule *rule, const struct reply *r)
{
	const struct smtp_outcome *o = &rule->outcome;

	/* RFC 5321 4.2: a malformed reply is no success, and no refusal a
	 * stage can be said to have met either (exit status 30 says it). */
	if (!o->decides || !r->valid || (o->interim && r->code == o->interim))
		return;
	smtp_stage(s, o->stage, o->ok_code ? r->code == o->ok_code : reply_class(r) == 2);
}
