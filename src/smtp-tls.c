/* smtp-tls: STARTTLS (RFC 3207) and implicit TLS (RFC 8314) as the state
 * machine sees them: the sequence checks, the 220 that hands over to the
 * handshake, what the handshake's end changes (capabilities forgotten,
 * EHLO again), and the first EHLO reply inside TLS compared with the one
 * from before. */
#include "config.h"

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

void smtp_tls_reset(struct smtp *s)
{
	caps_free(&s->tls.pre);
	s->tls.up = s->tls.pre_kept = false;
}

bool smtp_tls(const struct smtp *s)
{
	return s->tls.up;
}

void smtp_check_starttls(struct smtp *s)
{
	if (s->tls.up)
		smtp_warn(s, _("STARTTLS inside TLS: servers answer 503 (RFC 3207 4.2)"));
	else if (!caps_has(&s->caps, CAP_STARTTLS))
		smtp_warn(s, _("STARTTLS was not advertised in the EHLO reply (RFC 3207)"));
	if (smtp_in_txn(s->state))
		smtp_warn(s, _("STARTTLS inside a transaction: expect 503"));
}

void smtp_reply_starttls(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r)
{
	(void)cmd;
	if (r->code == 220)
		smtp_set_state(s, SMTP_TLS_START);
}

/* RFC 3207 4.2: what the server said before TLS may have been forged;
 * show what the first EHLO inside TLS says differently. */
void smtp_tls_after_reply(struct smtp *s)
{
	struct buf d;

	if (!s->tls.diff_due)
		return;
	s->tls.diff_due = false;
	buf_init(&d);
	if (caps_diff(&s->tls.pre, &s->caps, &d) == 0)
		session_text(s->session, SESSION_NOTE,
			     _("capabilities after TLS: the same as before TLS"));
	else
		session_text(s->session, SESSION_NOTE,
			     _("capabilities after TLS, compared with before: %s"), d.data);
	buf_free(&d);
	caps_free(&s->tls.pre);
	s->tls.pre_kept = false;
}

void smtp_tls_started(struct smtp *s, bool implicit)
{
	s->tls.up = true;
	smtp_stage(s, SMTP_STAGE_TLS, true);
	if (implicit) {
		/* RFC 8314 3.3: the greeting is the first thing inside TLS. */
		smtp_push(s, SMTP_V_GREETING, s->connect_event, NULL);
		return;
	}
	/* RFC 3207 4.2: the client must discard what it knew from before
	 * (the capabilities) and should send EHLO again. */
	caps_free(&s->tls.pre);
	s->tls.pre = s->caps;
	s->tls.pre_kept = s->ehlo_done;
	caps_init(&s->caps);
	s->ehlo_done = false;
	smtp_trace_cause(s, "TLS started");
	smtp_set_state(s, SMTP_GREETED);
}

void smtp_tls_failed(struct smtp *s)
{
	/* The connection ends with the TLS layer: no reply can come for
	 * what is pending, and the TLS failure is what explains it. */
	smtp_pending_clear(s);
	smtp_stage(s, SMTP_STAGE_TLS, false);
}
