/* smtp-pipe: PIPELINING (RFC 2920).  A command sent while others wait
 * for their reply is checked against the capability and against the
 * commands that must end a group (RFC 2920 3.1, RFC 3207 4, RFC 4954 4);
 * smtp_pipeline() sends a group in one write and, once its last reply
 * is in, notes every reply matched to its command. */
#include "config.h"

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

/* The commands whose reply the client must see before sending anything
 * more. */
static bool smtp_group_ender(enum smtp_verb v)
{
	return (verb_info(v)->flags & VERB_ENDS_GROUP) != 0;
}

void smtp_pipe_check(struct smtp *s)
{
	const struct smtp_pending *last = &s->pending.v[s->pending.n - 1];

	if (!caps_has(&s->caps, CAP_PIPELINING))
		smtp_warn(s, _("sent before the previous reply arrived, but the server did not advertise PIPELINING (RFC 2920)"));
	else if (smtp_group_ender(last->verb))
		smtp_warn(s, _("pipelined after a command that must end a pipeline group (RFC 2920 3.1): wait for its reply first"));
}

void smtp_pipe_reply(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r)
{
	struct smtp_group *g = &s->group;

	if (cmd->group == 0 || cmd->group != g->id || g->left == 0)
		return;
	buf_printf(&g->sum, "%s%s %d", g->sum.len ? ", " : "", smtp_verb_name(cmd->verb), r->code);
	if (--g->left == 0)
		session_text(s->session, SESSION_NOTE,
			     _("PIPELINING group: every reply matched to its command, in order: %s"),
			     g->sum.data);
}

/* Warnings about the group as a whole, before it is sent. */
static void smtp_pipe_warn(struct smtp *s, char *const *lines, size_t n)
{
	size_t i;

	if (!caps_has(&s->caps, CAP_PIPELINING))
		smtp_warn(s, _("the server did not advertise PIPELINING (RFC 2920): it may lose or refuse the commands after the first (sent anyway)"));
	for (i = 0; i + 1 < n; i++) {
		enum smtp_verb v = smtp_verb_of(lines[i]);

		if (smtp_group_ender(v))
			session_text(s->session, SESSION_WARN,
				     _("%s must be the last command of a group (RFC 2920 3.1%s): the commands after it were sent before its reply"),
				     smtp_verb_name(v),
				     v == SMTP_V_STARTTLS ? ", RFC 3207 4"
				     : v == SMTP_V_AUTH ? ", RFC 4954 4" : "");
	}
}

void smtp_pipeline(struct smtp *s, char *const *lines, size_t n, struct buf *out)
{
	size_t i;

	if (n == 0)
		return;
	smtp_pipe_warn(s, lines, n);
	session_text(s->session, SESSION_NOTE,
		     _("PIPELINING: %zu commands in one write; the replies come in the same order (RFC 2920 3.1)"), n);
	s->group.id++;
	s->group.left = n;
	buf_clear(&s->group.sum);
	for (i = 0; i < n; i++) {
		smtp_send(s, lines[i], NULL, out);
		/* the first is checked against what was pending before */
		s->pending.v[s->pending.n - 1].group = s->group.id;
		s->group.sending = true;
	}
	s->group.sending = false;
}
