/* smtp-rcpt: what became of each recipient of a transaction.  RCPT
 * replies, then the reply after the final dot (SMTP: one for all
 * accepted recipients; LMTP, RFC 2033 4.2: one per accepted recipient,
 * in RCPT order), and at the end of the transaction one summary note:
 * accepted / temporarily refused / permanently refused, with code,
 * enhanced code and diagnosis. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"

void smtp_set_diagnoser(struct smtp *s, smtp_diagnose_fn fn, void *ctx)
{
	s->diagnose = fn;
	s->diagnose_ctx = ctx;
}

void smtp_rcpt_clear(struct smtp *s)
{
	size_t i;

	for (i = 0; i < s->nrcpts; i++) {
		free(s->rcpts[i].addr);
		free(s->rcpts[i].rcpt_how);
		free(s->rcpts[i].final_how);
	}
	s->nrcpts = 0;
	s->lmtp_next = 0;
}

/* "550 5.1.1 mailbox-unknown": what a reply said, for one recipient. */
static char *smtp_rcpt_how(struct smtp *s, const struct reply *r, enum smtp_verb verb)
{
	char enh[16];
	const char *diag = s->diagnose ? s->diagnose(s->diagnose_ctx, r, verb) : NULL;

	reply_enhanced_str(r, enh, sizeof enh);
	return xasprintf("%d%s%s%s%s", r->code, enh[0] ? " " : "", enh,
			 diag ? " " : "", diag ? diag : "");
}

/* A recipient refused at RCPT and tried again in the same transaction
 * (greylisting: 450, then 250) is one recipient: the newest RCPT reply
 * counts.  The old entry is removed rather than overwritten, so accepted
 * recipients stay in RCPT order for LMTP's per-recipient replies. */
static void smtp_rcpt_forget_refused(struct smtp *s, const char *addr)
{
	for (size_t i = 0; i < s->nrcpts; i++) {
		struct smtp_rcpt *x = &s->rcpts[i];

		if (x->rcpt_code / 100 == 2 || !util_strieq(x->addr, addr))
			continue;
		free(x->addr);
		free(x->rcpt_how);
		free(x->final_how);
		memmove(x, x + 1, (s->nrcpts - i - 1) * sizeof *x);
		s->nrcpts--;
		return;
	}
}

void smtp_rcpt_reply(struct smtp *s, const char *addr, const struct reply *r)
{
	struct smtp_rcpt *x;

	smtp_rcpt_forget_refused(s, addr ? addr : "");
	s->rcpts = xgrow(s->rcpts, &s->rcap, s->nrcpts + 1, sizeof *s->rcpts);
	x = &s->rcpts[s->nrcpts++];
	memset(x, 0, sizeof *x);
	x->addr = xstrdup(addr ? addr : "");
	x->rcpt_code = r->code;
	x->rcpt_how = smtp_rcpt_how(s, r, SMTP_V_RCPT);
}

size_t smtp_rcpt_accepted(const struct smtp *s, const char **addrs, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < s->nrcpts; i++)
		if (s->rcpts[i].rcpt_code / 100 == 2) {
			if (k < max)
				addrs[k] = s->rcpts[i].addr;
			k++;
		}
	return k;
}

/* The reply after the final dot: for every accepted recipient (SMTP), or
 * for the next one in order (LMTP).  Returns the recipient an LMTP reply
 * belongs to, or NULL. */
const char *smtp_rcpt_final(struct smtp *s, const struct reply *r)
{
	size_t i;

	for (i = s->lmtp_next; i < s->nrcpts; i++) {
		struct smtp_rcpt *x = &s->rcpts[i];

		if (x->rcpt_code / 100 != 2 || x->final)
			continue;
		x->final = true;
		x->final_code = r->code;
		x->final_how = smtp_rcpt_how(s, r, SMTP_V_DOT);
		if (s->lmtp) {
			s->lmtp_next = i + 1;
			return x->addr;
		}
	}
	return NULL;
}

/* The summary note; counts refusals for the exit status.  `why` says
 * how the transaction ended when no message was sent. */
void smtp_rcpt_summary(struct smtp *s, const char *why)
{
	size_t i, acc = 0, temp = 0, perm = 0, none = 0;
	struct buf b;

	if (s->nrcpts == 0)
		return;
	buf_init(&b);
	for (i = 0; i < s->nrcpts; i++) {
		const struct smtp_rcpt *x = &s->rcpts[i];
		bool at_rcpt = x->rcpt_code / 100 != 2;
		int code = at_rcpt ? x->rcpt_code : x->final_code;
		const char *what;

		if (!at_rcpt && !x->final) {
			what = "not delivered";
			none++;
		} else if (code / 100 == 2) {
			what = "accepted";
			acc++;
		} else if (code / 100 == 4) {
			what = "temporarily refused";
			temp++;
		} else {
			what = "permanently refused";
			perm++;
		}
		buf_printf(&b, "\n  %-20s <%s>  %s", what, x->addr,
			   at_rcpt ? x->rcpt_how : x->final ? x->final_how : why);
		buf_adds(&b, at_rcpt ? " (at RCPT)" : x->final ? " (after the message)" : "");
	}
	if (none)
		session_text(s->session, SESSION_NOTE,
			     "recipients: %zu accepted, %zu temporarily refused, %zu permanently refused, "
			     "%zu not delivered%s", acc, temp, perm, none, b.data);
	else
		session_text(s->session, SESSION_NOTE,
			     "recipients: %zu accepted, %zu temporarily refused, %zu permanently refused%s",
			     acc, temp, perm, b.data);
	buf_free(&b);
	s->rcpt_refused += temp + perm + none;
	s->rcpt_delivered += acc;
	smtp_rcpt_clear(s);
}

size_t smtp_refused_recipients(const struct smtp *s)
{
	return s->rcpt_refused;
}
