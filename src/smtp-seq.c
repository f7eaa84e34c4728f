/* smtp-seq: sequence checks for a command about to be sent.  Warns,
 * never refuses: a debugger must let people break the rules on purpose.
 * The checks every command gets are here, then the state's (smtp-state.c),
 * then the verb's own from its row of the rule table (smtp-rules.c).
 * Rules from RFC 5321 3.3, 4.1.4, 4.5.3.1.4, RFC 2920 3.1, RFC 6531. */
#include "config.h"

#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

/* The line itself: its length, and non-ASCII without SMTPUTF8. */
static void smtp_check_line(struct smtp *s, const char *line)
{
	const unsigned char *p;

	if (strlen(line) + 2 > 512)
		smtp_warn(s, _("command line longer than 512 octets including CRLF (RFC 5321 4.5.3.1.4); servers may refuse it"));
	for (p = (const unsigned char *)line; *p; p++)
		if (*p >= 0x80) {
			if (!caps_has(&s->caps, CAP_SMTPUTF8))
				smtp_warn(s, _("non-ASCII in a command but the server did not advertise SMTPUTF8 (RFC 6531)"));
			break;
		}
}

void smtp_check_sequence(struct smtp *s, enum smtp_verb v, const char *line)
{
	const struct smtp_rule *rule = smtp_rule(v);

	if (s->state == SMTP_DISCONNECTED || s->state == SMTP_CLOSED) {
		smtp_warn(s, _("not connected: nothing was sent (use /connect HOST[:PORT])"));
		return;
	}
	smtp_check_line(s, line);
	if (s->closing && v != SMTP_V_QUIT) {
		smtp_warn(s, _("the server said it is closing the connection; further commands will likely go unanswered"));
		return;
	}
	smtp_params_check(s, v, line);
	if (smtp_pending_count(s) > 0 && s->state != SMTP_WAIT_GREETING && !s->group.sending)
		smtp_pipe_check(s);
	if (smtp_state_check(s, v))
		return;
	if (rule->check)
		rule->check(s);
}

void smtp_check_hello(struct smtp *s)
{
	if (smtp_in_txn(s->state))
		smtp_warn(s, _("EHLO/HELO inside a transaction resets it (RFC 5321 4.1.4)"));
}

void smtp_check_mail(struct smtp *s)
{
	if (s->state == SMTP_GREETED)
		smtp_warn(s, _("MAIL before EHLO/HELO: expect 503 bad sequence (RFC 5321 4.1.4)"));
	else if (smtp_in_txn(s->state))
		smtp_warn(s, _("MAIL while a transaction is open: expect 503 (use RSET first; RFC 5321 4.1.1.2)"));
}

void smtp_check_rcpt(struct smtp *s)
{
	if (!smtp_in_txn(s->state) && !smtp_pending_has(s, SMTP_V_MAIL))
		smtp_warn(s, _("RCPT without an accepted MAIL: expect 503 bad sequence"));
}

void smtp_check_unknown(struct smtp *s)
{
	if (s->state != SMTP_AUTH)
		smtp_warn(s, _("not an SMTP command smtpscope knows; sent as typed (local commands start with /)"));
}

/* The address of MAIL FROM / RCPT TO as the recipient summary names it:
 * inside <...>, or as typed without them (up to the first space, where
 * parameters begin); a "<" never closed is not part of it. */
char *smtp_path_arg(const char *line)
{
	const char *p = strchr(line, ':'), *end;

	if (p == NULL && (p = strchr(line, '<')) == NULL)
		return xstrdup("");
	if (*p == ':')
		p++;
	p += strspn(p, " \t");
	if (*p == '<' && (end = strchr(++p, '>')) != NULL)
		return xmemdup(p, (size_t)(end - p));
	end = p + strcspn(p, " \t");
	return xmemdup(p, (size_t)(end - p));
}

/* The typed verb of an unknown command, upper-cased and shortened, so
 * its reply can say what it answers. */
char *smtp_first_word(const char *line)
{
	size_t n = 0, i;
	char *w;

	while (line[n] && line[n] != ' ' && line[n] != '\t' && n < 16)
		n++;
	w = xmemdup(line, n);
	for (i = 0; i < n; i++)
		if (w[i] >= 'a' && w[i] <= 'z')
			w[i] = (char)(w[i] - 'a' + 'A');
	return w;
}
