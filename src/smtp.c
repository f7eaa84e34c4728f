/* smtp: client state machine.  See include/smtpscope/smtp.h.
 *
 * This file is the frame: the connection's life, the FIFO of pending
 * commands (RFC 2920 3.1: the server answers in order), sending a line,
 * and the dispatch of a reply to its command's row of the rule table
 * (smtp-rules.c).  Every state change goes through smtp_set_state()
 * (smtp-state.c); the sequence checks are in smtp-seq.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

struct smtp *smtp_new(struct session *session)
{
	struct smtp *s = xcalloc(1, sizeof *s);

	s->session = session;
	s->state = SMTP_DISCONNECTED;
	caps_init(&s->caps);
	caps_init(&s->tls.pre);
	data_encoder_init(&s->data.enc);
	buf_init(&s->group.sum);
	return s;
}

void smtp_pending_clear(struct smtp *s)
{
	size_t i;

	for (i = s->pending.head; i < s->pending.n; i++)
		free(s->pending.v[i].arg);
	s->pending.head = s->pending.n = 0;
}

void smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	smtp_pending_clear(s);
	smtp_auth_end(s);
	smtp_rcpt_clear(s);
	free(s->rcpt.v);
	free(s->pending.v);
	caps_free(&s->caps);
	caps_free(&s->tls.pre);
	buf_free(&s->group.sum);
	buf_free(&s->trace.held);
	free(s->mail_from);
	free(s);
}

void smtp_txn_reset(struct smtp *s)
{
	memset(&s->txn, 0, sizeof s->txn);
}

enum smtp_state smtp_state(const struct smtp *s) { return s->state; }
size_t smtp_recipients(const struct smtp *s) { return s->txn.recipients; }
const struct caps *smtp_caps(const struct smtp *s) { return &s->caps; }
bool smtp_closing(const struct smtp *s) { return s->closing; }

bool smtp_stage_failed(const struct smtp *s, enum smtp_stage st)
{
	return (size_t)st < SMTP_STAGE__COUNT && s->failed[st];
}

/* Records a stage's result: a failure stays until the same stage succeeds. */
void smtp_stage(struct smtp *s, enum smtp_stage st, bool ok)
{
	s->failed[st] = !ok;
}

void smtp_warn(struct smtp *s, const char *msg)
{
	session_text(s->session, SESSION_WARN, "%s", msg);
}

size_t smtp_pending_count(const struct smtp *s)
{
	return s->pending.n - s->pending.head;
}

const struct smtp_pending *smtp_pending_peek(const struct smtp *s)
{
	return s->pending.head < s->pending.n ? &s->pending.v[s->pending.head] : NULL;
}

void smtp_push(struct smtp *s, enum smtp_verb v, size_t event, const char *arg)
{
	struct smtp_fifo *f = &s->pending;

	if (f->head > 0 && f->head == f->n)
		f->head = f->n = 0;
	f->v = xgrow(f->v, &f->cap, f->n + 1, sizeof *f->v);
	f->v[f->n] = (struct smtp_pending){
		.verb = v, .event = event, .arg = arg ? xstrdup(arg) : NULL,
		.group = s->group.sending ? s->group.id : 0, .last = false,
	};
	f->n++;
}

bool smtp_pending_has(const struct smtp *s, enum smtp_verb v)
{
	size_t i;

	for (i = s->pending.head; i < s->pending.n; i++)
		if (s->pending.v[i].verb == v)
			return true;
	return false;
}

void smtp_connected(struct smtp *s, size_t connect_event, bool greeting_in_tls)
{
	smtp_pending_clear(s);
	caps_free(&s->caps);
	smtp_tls_reset(s);
	s->ehlo_done = s->auth.authenticated = s->closing = false;
	s->lmtp = false;
	smtp_rcpt_clear(s);
	memset(s->failed, 0, sizeof s->failed);
	smtp_trace_cause(s, "connection up");
	smtp_set_state(s, SMTP_WAIT_GREETING);
	s->connect_event = connect_event;
	if (!greeting_in_tls)
		smtp_push(s, SMTP_V_GREETING, connect_event, NULL);
}

void smtp_closed(struct smtp *s)
{
	size_t waiting = smtp_pending_count(s);
	const struct smtp_pending *first = smtp_pending_peek(s);

	if (waiting > 0 && !(waiting == 1 && first->verb == SMTP_V_QUIT))
		session_text(s->session, SESSION_WARN,
			     ngettext("connection closed with %zu command still waiting for a reply (first: %s)",
				      "connection closed with %zu commands still waiting for a reply (first: %s)",
				      waiting),
			     waiting, smtp_verb_name(first->verb));
	smtp_pending_clear(s);
	smtp_auth_end(s);
	smtp_rcpt_summary(s, _("the connection ended before the message was accepted"));
	smtp_trace_cause(s, "connection closed");
	smtp_set_state(s, SMTP_CLOSED);
}

/* Checks, writes and records a line; returns its session event. */
static size_t smtp_write(struct smtp *s, enum smtp_verb v, const char *line,
			 const char *shown, struct buf *out)
{
	size_t ev, before;
	char *typed = NULL;

	smtp_check_sequence(s, v, line);
	if (shown == NULL && (v == SMTP_V_AUTH || v == SMTP_V_AUTH_RESPONSE))
		shown = typed = smtp_typed_secret(v, line);
	before = out->len;
	buf_adds(out, line);
	buf_add(out, "\r\n", 2);
	if (shown && !s->auth.show_secrets)
		ev = session_sent_redacted(s->session, shown);
	else
		ev = session_sent(s->session, out->data + before, out->len - before);
	free(typed);
	return ev;
}

/* The verb a line is sent as: in SMTP_AUTH, whatever it says, a SASL
 * response. */
static enum smtp_verb smtp_line_verb(const struct smtp *s, const char *line)
{
	return s->state == SMTP_AUTH ? SMTP_V_AUTH_RESPONSE : smtp_verb_of(line);
}

void smtp_send(struct smtp *s, const char *line, const char *shown, struct buf *out)
{
	enum smtp_verb v = smtp_line_verb(s, line);
	const struct smtp_rule *rule = smtp_rule(v);
	size_t ev = smtp_write(s, v, line, shown, out);
	char *arg = rule->arg ? rule->arg(line) : NULL;

	smtp_push(s, v, ev, arg);
	free(arg);
	if (rule->sent)
		rule->sent(s);
}

void smtp_send_end(struct smtp *s, const char *line, enum smtp_verb as, struct buf *out)
{
	enum smtp_verb v = smtp_line_verb(s, line);
	const struct smtp_rule *rule = smtp_rule(v);

	smtp_push_end(s, as, smtp_write(s, v, line, NULL, out), true);
	if (rule->sent)
		rule->sent(s);
}

void smtp_command(struct smtp *s, const char *line, struct buf *out)
{
	smtp_send(s, line, NULL, out);
}

/* A reply with no command waiting for it. */
static void smtp_reply_unasked(struct smtp *s, struct reply *r)
{
	bool closing = r->code == 421;

	session_set_utf8(s->session, false);
	session_reply(s->session, r, SIZE_MAX, SMTP_V_UNKNOWN, NULL);
	if (closing)
		s->closing = true;
	else
		session_text(s->session, SESSION_WARN,
			     _("reply without a command waiting for it (the server sent more replies than commands)"));
}

/* The rule's handling before the reply is in the transcript. */
static void smtp_reply_rule(struct smtp *s, const struct smtp_rule *rule,
			    const struct smtp_pending *cmd, const struct reply *r)
{
	const char *to = cmd->verb == SMTP_V_UNKNOWN && cmd->arg && cmd->arg[0] ? cmd->arg
			 : smtp_verb_name(cmd->verb);

	if (r->valid)
		smtp_trace_cause(s, "%d to %s", r->code, to);
	else
		smtp_trace_cause(s, "a malformed reply to %s", to);
	smtp_trace_hold(s);
	if (r->code == 421)
		s->closing = true;
	smtp_rule_outcome(s, rule, r);
	if (rule->reply)
		rule->reply(s, cmd, r);
}

void smtp_on_reply(struct smtp *s, struct reply *r, struct buf *out)
{
	struct smtp_pending cmd;
	const struct smtp_rule *rule;
	/* RFC 6531 3.7.4: UTF-8 replies are allowed in a transaction whose
	 * MAIL used SMTPUTF8 (decided before the reply may end it). */
	bool utf8 = caps_has(&s->caps, CAP_SMTPUTF8) && s->txn.mail.smtputf8;

	if (smtp_pending_count(s) == 0) {
		smtp_reply_unasked(s, r);
		return;
	}
	cmd = s->pending.v[s->pending.head++];
	rule = smtp_rule(cmd.verb);
	smtp_reply_rule(s, rule, &cmd, r);
	session_set_utf8(s->session, utf8);
	session_reply(s->session, r, cmd.event, cmd.verb,
		      cmd.verb == SMTP_V_UNKNOWN ? cmd.arg : NULL);
	smtp_trace_flush(s);
	if (rule->done)
		rule->done(s, &cmd, r, out);
	smtp_pipe_reply(s, &cmd, r);
	smtp_tls_after_reply(s);
	if (r->code == 334 && rule->outcome.interim != 334)
		smtp_warn(s, _("334 outside AUTH makes no sense (RFC 4954)"));
	free(cmd.arg);
}
