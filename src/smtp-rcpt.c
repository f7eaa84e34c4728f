/* smtp-rcpt: what became of each recipient of a transaction.  RCPT
 * replies, then the reply after the final dot (SMTP: one for all
 * accepted recipients; LMTP, RFC 2033 4.2: one per accepted recipient,
 * in RCPT order), and at the end of the transaction one summary note:
 * accepted / temporarily refused / permanently refused, with code,
 * enhanced code and diagnosis. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/smtp.h"
#include "smtp-private.h"
#include "smtpscope/i18n.h"

void smtp_set_diagnoser(struct smtp *s, smtp_diagnose_fn fn, void *ctx)
{
	s->rcpt.diagnose = fn;
	s->rcpt.diagnose_ctx = ctx;
}

void smtp_rcpt_clear(struct smtp *s)
{
	size_t i;

	for (i = 0; i < s->rcpt.n; i++) {
		free(s->rcpt.v[i].addr);
		free(s->rcpt.v[i].rcpt_how);
		free(s->rcpt.v[i].final_how);
	}
	s->rcpt.n = 0;
	s->rcpt.lmtp_next = 0;
}

/* "550 5.1.1 mailbox-unknown": what a reply said, for one recipient. */
static char *smtp_rcpt_how(struct smtp *s, const struct reply *r, enum smtp_verb verb)
{
	char enh[16];
	const char *diag = s->rcpt.diagnose ? s->rcpt.diagnose(s->rcpt.diagnose_ctx, r, verb) : NULL;

	char code[64];

	reply_enhanced_str(r, enh, sizeof enh);
	if (r->valid)
		snprintf(code, sizeof code, "%d", r->code);
	else if (r->code >= 0)
		snprintf(code, sizeof code, _("%03d (malformed)"), r->code);
	else
		snprintf(code, sizeof code, "%s", _("malformed reply"));
	return xasprintf("%s%s%s%s%s", code, enh[0] ? " " : "", enh,
			 diag ? " " : "", diag ? diag : "");
}

/* A recipient refused at RCPT and tried again in the same transaction
 * (greylisting: 450, then 250) is one recipient: the newest RCPT reply
 * counts.  The old entry is removed rather than overwritten, so accepted
 * recipients stay in RCPT order for LMTP's per-recipient replies. */
static void smtp_rcpt_forget_refused(struct smtp *s, const char *addr)
{
	for (size_t i = 0; i < s->rcpt.n; i++) {
		struct smtp_rcpt *x = &s->rcpt.v[i];

		if (x->rcpt_code / 100 == 2 || !util_strieq(x->addr, addr))
			continue;
		free(x->addr);
		free(x->rcpt_how);
		free(x->final_how);
		memmove(x, x + 1, (s->rcpt.n - i - 1) * sizeof *x);
		s->rcpt.n--;
		return;
	}
}

void smtp_rcpt_reply(struct smtp *s, const char *addr, const struct reply *r)
{
	struct smtp_rcpt *x;

	smtp_rcpt_forget_refused(s, addr ? addr : "");
	s->rcpt.v = xgrow(s->rcpt.v, &s->rcpt.cap, s->rcpt.n + 1, sizeof *s->rcpt.v);
	x = &s->rcpt.v[s->rcpt.n++];
	memset(x, 0, sizeof *x);
	x->addr = xstrdup(addr ? addr : "");
	x->rcpt_code = r->valid ? r->code : 0; /* malformed: no class */
	x->rcpt_how = smtp_rcpt_how(s, r, SMTP_V_RCPT);
}

size_t smtp_rcpt_accepted(const struct smtp *s, const char **addrs, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < s->rcpt.n; i++)
		if (s->rcpt.v[i].rcpt_code / 100 == 2) {
			if (k < max)
				addrs[k] = s->rcpt.v[i].addr;
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

	for (i = s->rcpt.lmtp_next; i < s->rcpt.n; i++) {
		struct smtp_rcpt *x = &s->rcpt.v[i];

		if (x->rcpt_code / 100 != 2 || x->final)
			continue;
		x->final = true;
		x->final_code = r->valid ? r->code : 0;
		x->final_how = smtp_rcpt_how(s, r, SMTP_V_DOT);
		if (s->lmtp) {
			s->rcpt.lmtp_next = i + 1;
			return x->addr;
		}
	}
	return NULL;
}

/* One recipient's outcome, for the summary. */
static const char *smtp_rcpt_outcome(const struct smtp_rcpt *x, size_t count[5])
{
	bool at_rcpt = x->rcpt_code / 100 != 2;
	int code = at_rcpt ? x->rcpt_code : x->final_code;

	if (!at_rcpt && !x->final)
		return count[3]++, _("not delivered");
	switch (code / 100) {
	case 2: return count[0]++, _("accepted");
	case 4: return count[1]++, _("temporarily refused");
	case 5: return count[2]++, _("permanently refused");
	default: return count[4]++, _("malformed reply");
	}
}

/* The summary note; for the exit status, remembers whether the message
 * of this transaction (if one was sent) reached only some recipients.
 * `why` says how the transaction ended when no message was sent. */
void smtp_rcpt_summary(struct smtp *s, const char *why)
{
	size_t i, n[5] = { 0 }; /* accepted, temporary, permanent, none, malformed */
	bool sent = false;
	struct buf b;

	if (s->rcpt.n == 0)
		return;
	buf_init(&b);
	for (i = 0; i < s->rcpt.n; i++) {
		const struct smtp_rcpt *x = &s->rcpt.v[i];
		bool at_rcpt = x->rcpt_code / 100 != 2;
		const char *what = smtp_rcpt_outcome(x, n);

		sent = sent || x->final;
		size_t cols = util_display_width(what, strlen(what));

		/* padded to 20 columns, as the display counts them */
		buf_printf(&b, "\n  %s%*s <%s>  %s", what, (int)(cols < 20 ? 20 - cols : 0), "",
			   x->addr, at_rcpt ? x->rcpt_how : x->final ? x->final_how : why);
		buf_adds(&b, at_rcpt ? _(" (at RCPT)") : x->final ? _(" (after the message)") : "");
	}
	{
		char more[64] = "", bad[64] = "";

		if (n[3])
			snprintf(more, sizeof more, _(", %zu not delivered"), n[3]);
		if (n[4])
			snprintf(bad, sizeof bad, _(", %zu with a malformed reply"), n[4]);
		session_text(s->session, SESSION_NOTE,
			     _("recipients: %zu accepted, %zu temporarily refused, %zu permanently refused%s%s%s"),
			     n[0], n[1], n[2], more, bad, b.data);
	}
	buf_free(&b);
	/* Exit status 29 reflects the last message sent: delivered, but not
	 * to every recipient.  A transaction with no message changes nothing. */
	if (sent)
		s->rcpt.refused = n[0] > 0 ? n[1] + n[2] + n[3] + n[4] : 0;
	s->rcpt.delivered += n[0];
	smtp_rcpt_clear(s);
}

size_t smtp_refused_recipients(const struct smtp *s)
{
	return s->rcpt.refused;
}
