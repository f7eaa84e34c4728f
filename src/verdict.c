/* verdict (module probe): what a sending MTA would conclude from the
 * probe.  RFC 5321 5.1: try the hosts in order, and every address of
 * each; a failed connection or a 4xx sends the sender on to the next one;
 * the first acceptance or permanent refusal of the recipient decides.  A
 * 5xx greeting only skips that host, as Postfix does by default
 * (smtp_skip_5xx_greeting).  RFC 7505: Null MX means no mail at all. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/util.h"
#include "smtpscope/verdict.h"

static const struct verdict_row {
	const char *name;
	int exit_status;
	const char *next_step;
} verdict_rows[VERDICT__COUNT] = {
	[VERDICT_DELIVERABLE] = { "deliverable", 0,
		N_("nothing to fix for delivery: if a message still bounced, it was refused after its "
		"content was sent (content, size, or the sender's authentication)") },
	[VERDICT_DELIVERABLE_NO_TLS] = { "deliverable-no-tls", 40,
		N_("mail gets through, but unencrypted: the domain's operator should offer STARTTLS "
		"with a valid certificate") },
	[VERDICT_NULL_MX] = { "null-mx", 41,
		N_("this address cannot receive mail: ask the recipient for another address") },
	[VERDICT_NO_SUCH_DOMAIN] = { "no-such-domain", 42,
		N_("check the spelling of the domain; a domain that does not exist cannot receive mail") },
	[VERDICT_DNS_TEMPFAIL] = { "dns-tempfail", 43,
		N_("retry later (a sender keeps the message queued); if it persists, try another "
		"resolver (--resolver) or ask the domain's operator about its name servers") },
	[VERDICT_DNS_BOGUS] = { "dns-bogus", 44,
		N_("the domain's operator must repair its DNSSEC signatures or its DS record; until "
		"then validating senders will not deliver") },
	[VERDICT_NO_ADDRESS] = { "no-address", 45,
		N_("the domain's operator must give its MX hosts A or AAAA records") },
	[VERDICT_ALL_UNREACHABLE] = { "all-unreachable", 46,
		N_("the mail servers are down or not listening on port 25; a sender retries for days: "
		"tell the domain's operator") },
	[VERDICT_PORT25_BLOCKED] = { "port25-blocked", 47,
		N_("home, office and cloud networks often block port 25 out: probe from a server that "
		"is allowed to send mail, or ask the provider to open port 25") },
	[VERDICT_RECIPIENT_UNKNOWN] = { "recipient-unknown", 48,
		N_("check the spelling of the part before the @: the domain takes mail, but not for "
		"this mailbox") },
	[VERDICT_RECIPIENT_REFUSED] = { "recipient-refused", 49,
		N_("the mailbox exists but refuses mail (full or disabled): reach the recipient another "
		"way") },
	[VERDICT_GREYLISTED] = { "greylisted", 50,
		N_("retry in a few minutes, as a real sender does: greylisting lets the retry through") },
	[VERDICT_SENDER_REFUSED] = { "sender-refused", 51,
		N_("probe with a sender address (--from) whose domain exists and whose SPF allows this "
		"host, or from your real mail server") },
	[VERDICT_POLICY_REFUSED] = { "policy-refused", 52,
		N_("this sending host is refused: check its address against blocklists (--blocklists) "
		"and its reverse DNS, or probe from your real mail server") },
	[VERDICT_TEMPORARY] = { "temporary", 53,
		N_("a sender keeps the message queued and retries: try again later, and read the reply "
		"(smtpscope explain CODE) if it persists") },
	[VERDICT_REFUSED] = { "refused", 54,
		N_("read the reply's explanation (smtpscope explain CODE): the server refused for a "
		"reason of its own") },
	[VERDICT_INCOMPLETE] = { "incomplete", 55,
		N_("run the probe again: the steps above show where it stopped") },
	[VERDICT_DANE_FAILED] = { "dane-failed", 56,
		N_("the domain's operator must publish TLSA records that match the server's current "
		"certificate (smtpscope tlsa MX-HOST shows the records to publish), or remove the "
		"stale ones; senders that check DANE keep the mail queued until then") },
	[VERDICT_MTASTS_FAILED] = { "mtasts-failed", 57,
		N_("the domain's operator must list every MX in the MTA-STS policy's mx lines and give "
		"each a valid certificate for its name (smtpscope mtasts DOMAIN shows the policy); "
		"senders that enforce MTA-STS keep the mail queued until then") },
};

static const char *const probe_auth_names[] = {
	[PROBE_AUTH_OPPORTUNISTIC] = "opportunistic",
	[PROBE_AUTH_DANE_OK] = "dane-ok",
	[PROBE_AUTH_DANE_FAILED] = "dane-failed",
	[PROBE_AUTH_DANE_UNUSABLE] = "dane-unusable",
	[PROBE_AUTH_STS_OK] = "mtasts-ok",
	[PROBE_AUTH_STS_FAILED] = "mtasts-failed",
	[PROBE_AUTH_STS_TESTING] = "mtasts-testing-failed",
};

const char *probe_auth_name(enum probe_auth a)
{
	return (size_t)a < UTIL_ARRAY_LEN(probe_auth_names) ? probe_auth_names[a] : "?";
}

bool probe_auth_refuses(enum probe_auth a)
{
	return a == PROBE_AUTH_DANE_FAILED || a == PROBE_AUTH_DANE_UNUSABLE ||
	       a == PROBE_AUTH_STS_FAILED;
}

const char *verdict_name(enum verdict_kind k)
{
	return (size_t)k < VERDICT__COUNT ? verdict_rows[k].name : "?";
}

int verdict_exit_status(enum verdict_kind k)
{
	return (size_t)k < VERDICT__COUNT ? verdict_rows[k].exit_status : 1;
}

static bool verdict_diag(const struct probe_reply *r, const char *const *ids)
{
	for (; r->diagnosis && *ids; ids++)
		if (strcmp(r->diagnosis, *ids) == 0)
			return true;
	return false;
}

static bool verdict_enh(const struct probe_reply *r, const char *prefix)
{
	return r->enhanced && strncmp(r->enhanced, prefix, strlen(prefix)) == 0;
}

/* 450/451 with 4.7.1 at RCPT is the classic greylisting answer; the kb's
 * diagnosis (a provider pattern) knows the others. */
static bool verdict_greylisted(const struct probe_reply *r)
{
	static const char *const ids[] = { "greylisted", NULL };

	if (verdict_diag(r, ids))
		return true;
	return (r->code == 450 || r->code == 451) && r->enhanced && strcmp(r->enhanced, "4.7.1") == 0;
}

/* A permanent refusal at MAIL or RCPT: whose fault, the kb's diagnosis
 * first, then the enhanced code's class (RFC 3463). */
static enum verdict_kind verdict_permanent(const struct probe_reply *r, bool at_mail)
{
	static const char *const unknown[] = { "mailbox-unknown", "address-invalid",
					       "domain-unknown", NULL };
	static const char *const mailbox[] = { "mailbox-full", "mailbox-disabled",
					       "message-too-large", NULL };
	static const char *const sender[] = { "sender-rejected", "sender-authentication", NULL };
	static const char *const policy[] = { "blocklisted", "reverse-dns", "policy", "relay-denied",
					      "rate-limited", "content-rejected", "tls-required",
					      "auth-required", NULL };

	if (verdict_diag(r, sender))
		return VERDICT_SENDER_REFUSED;
	if (verdict_diag(r, policy))
		return VERDICT_POLICY_REFUSED;
	if (at_mail)
		return VERDICT_SENDER_REFUSED;
	if (verdict_diag(r, unknown))
		return VERDICT_RECIPIENT_UNKNOWN;
	if (verdict_diag(r, mailbox))
		return VERDICT_RECIPIENT_REFUSED;
	if (verdict_enh(r, "5.1.7") || verdict_enh(r, "5.1.8"))
		return VERDICT_SENDER_REFUSED;
	if (verdict_enh(r, "5.1."))
		return VERDICT_RECIPIENT_UNKNOWN;
	if (verdict_enh(r, "5.2."))
		return VERDICT_RECIPIENT_REFUSED;
	if (verdict_enh(r, "5.7."))
		return VERDICT_POLICY_REFUSED;
	return VERDICT_REFUSED;
}

static void verdict_name_add(struct buf *b, const char *s)
{
	if (s)
		util_escape(b, s, strlen(s));
}

/* "550 5.1.1 No such user" from a reply, escaped. */
static void verdict_reply_add(struct buf *b, const struct probe_reply *r)
{
	buf_printf(b, "%d", r->code);
	if (r->enhanced) {
		buf_addc(b, ' ');
		verdict_name_add(b, r->enhanced);
	}
	if (r->text) {
		buf_adds(b, " \"");
		verdict_name_add(b, r->text);
		buf_addc(b, '"');
	}
}

static int verdict_host_index(const struct mx_plan *p, const struct probe_attempt *a)
{
	if (a->from && a->from->host < p->n_hosts)
		return (int)a->from->host;
	for (size_t i = 0; a->host && i < p->n_hosts; i++)
		if (util_strieq(p->hosts[i].host, a->host))
			return (int)i;
	return -1;
}

/* What the walk over the attempts found. */
struct verdict_walk {
	int decided;    /* the attempt whose answer decides, or -1 */
	enum verdict_kind kind;
	int greylist, temporary, greeting5, refused; /* first of each, or -1 */
	int auth;       /* the first attempt a policy-applying sender skips */
	size_t tried, timeouts;
};

static void verdict_first(int *slot, int i)
{
	if (*slot < 0)
		*slot = i;
}

/* One connected attempt, stage by stage: a permanent answer to MAIL or
 * RCPT, or an acceptance, decides; anything else remembers the first
 * attempt of its kind and lets the walk go on to the next address. */
static void verdict_walk_one(struct verdict_walk *w, const struct probe_attempt *a, int i)
{
	const struct probe_reply *rcpt = &a->rcpt;

	if (a->greeting.code >= 500)
		verdict_first(&w->greeting5, i);
	else if (a->greeting.code < 200 || a->greeting.code >= 400)
		verdict_first(&w->temporary, i); /* 421, silence, lost */
	else if (a->ehlo.code >= 500)
		verdict_first(&w->refused, i);
	else if (a->ehlo.code >= 400)
		verdict_first(&w->temporary, i);
	else if (a->mail.code >= 500)
		w->decided = i, w->kind = verdict_permanent(&a->mail, true);
	else if (a->mail.code >= 400)
		verdict_first(verdict_greylisted(&a->mail) ? &w->greylist : &w->temporary, i);
	else if (rcpt->code >= 200 && rcpt->code < 300)
		w->decided = i, w->kind = a->tls.ok ? VERDICT_DELIVERABLE : VERDICT_DELIVERABLE_NO_TLS;
	else if (rcpt->code >= 500)
		w->decided = i, w->kind = verdict_permanent(rcpt, false);
	else
		verdict_first(rcpt->code >= 400 && verdict_greylisted(rcpt) ? &w->greylist : &w->temporary, i);
}

static void verdict_walk(struct verdict_walk *w, const struct probe_result *r)
{
	memset(w, 0, sizeof(*w));
	w->decided = w->greylist = w->temporary = w->greeting5 = w->refused = w->auth = -1;
	for (size_t i = 0; i < r->n && w->decided < 0; i++) {
		const struct probe_attempt *a = &r->attempts[i];

		if (a->conn == PROBE_NOT_TRIED)
			continue;
		w->tried++;
		if (a->conn == PROBE_TIMEOUT)
			w->timeouts++;
		/* RFC 7672 2.2, RFC 8461 5: such a sender does not deliver
		 * to this MX and goes on to the next */
		if (a->conn == PROBE_CONNECTED && probe_auth_refuses(a->tls.auth))
			verdict_first(&w->auth, (int)i);
		else if (a->conn == PROBE_CONNECTED)
			verdict_walk_one(w, a, (int)i);
	}
}

/* The reply an attempt's verdict rests on: the last stage it reached. */
static const struct probe_reply *verdict_stage(const struct probe_attempt *a, const char **what)
{
	if (a->rcpt.code) {
		*what = _("the recipient (RCPT TO)");
		return &a->rcpt;
	}
	if (a->mail.code) {
		*what = _("the sender (MAIL FROM)");
		return &a->mail;
	}
	if (a->ehlo.code >= 400) {
		*what = "EHLO";
		return &a->ehlo;
	}
	*what = _("the connection (greeting)");
	return &a->greeting;
}

/* A name or a server's text, escaped (NULL: nothing), newly allocated. */
static char *verdict_esc(const char *s)
{
	return s ? util_escape_dup(s, strlen(s)) : xstrdup("");
}

static void verdict_deliverable(struct buf *b, const struct probe_attempt *a, size_t failed_before)
{
	char *host = verdict_esc(a->host), *addr = verdict_esc(a->address);
	char *err = verdict_esc(a->tls.error), *auth = verdict_esc(a->tls.auth_text);

	if (a->tls.ok && a->tls.auth == PROBE_AUTH_DANE_OK)
		buf_printf(b, _("deliverable via %s (%s, TLS authenticated by DANE: %s)"), host, addr, auth);
	else if (a->tls.ok && a->tls.auth == PROBE_AUTH_STS_OK)
		buf_printf(b, _("deliverable via %s (%s, TLS authenticated by MTA-STS: %s)"), host, addr,
			   auth);
	else if (a->tls.ok && a->tls.verified)
		buf_printf(b, _("deliverable via %s (%s, TLS verified)"), host, addr);
	else if (a->tls.ok && a->tls.error)
		buf_printf(b, _("deliverable via %s (%s, TLS, but the certificate does not verify: %s)"),
			   host, addr, err);
	else if (a->tls.ok)
		buf_printf(b, _("deliverable via %s (%s, TLS, but the certificate does not verify)"), host,
			   addr);
	else if (a->tls.offered && a->tls.error)
		buf_printf(b, _("deliverable via %s (%s, no TLS: the handshake failed: %s)"), host, addr,
			   err);
	else if (a->tls.offered)
		buf_printf(b, _("deliverable via %s (%s, no TLS: the handshake failed)"), host, addr);
	else
		buf_printf(b, _("deliverable via %s (%s, no TLS: not offered)"), host, addr);
	if (failed_before)
		buf_printf(b, ngettext(", after %zu earlier address did not take it",
				       ", after %zu earlier addresses did not take it", failed_before),
			   failed_before);
	if (a->tls.auth == PROBE_AUTH_STS_TESTING)
		buf_printf(b, _("; MTA-STS (mode testing) would fail: %s"), auth);
	free(host);
	free(addr);
	free(err);
	free(auth);
}

/* Every MX that answered failed the authentication its domain asks for. */
static void verdict_auth(struct buf *b, const struct probe_result *r, const struct probe_attempt *a)
{
	char *host = verdict_esc(a->host), *addr = verdict_esc(a->address);
	char *why = verdict_esc(a->tls.auth_text ? a->tls.auth_text : probe_auth_name(a->tls.auth));

	if (a->tls.auth != PROBE_AUTH_STS_FAILED)
		buf_printf(b, _("a sender that checks DANE (RFC 7672) would not deliver to any MX of %s: "
				"%s (%s): %s"), r->plan->domain_shown, host, addr, why);
	else
		buf_printf(b, _("a sender that enforces the domain's MTA-STS policy (RFC 8461) would not "
				"deliver to any MX of %s: %s (%s): %s"), r->plan->domain_shown, host, addr, why);
	free(host);
	free(addr);
	free(why);
}

/* The conclusion of a verdict resting on attempt a. */
static void verdict_on_attempt(struct buf *b, enum verdict_kind k, const struct probe_attempt *a,
			       size_t index)
{
	const char *what;
	const struct probe_reply *rep;
	struct buf rest;
	char *host;

	if (k == VERDICT_DELIVERABLE || k == VERDICT_DELIVERABLE_NO_TLS) {
		verdict_deliverable(b, a, index);
		return;
	}
	rep = verdict_stage(a, &what);
	buf_init(&rest);
	if (rep->code)
		verdict_reply_add(&rest, rep);
	else
		buf_adds(&rest, a->lost ? _("the connection closed before a reply") : _("no reply"));
	if (rep->diagnosis) {
		buf_adds(&rest, " (");
		verdict_name_add(&rest, rep->diagnosis);
		buf_addc(&rest, ')');
	}
	host = verdict_esc(a->host);
	switch (k) {
	case VERDICT_RECIPIENT_UNKNOWN:
		buf_printf(b, _("%s says the recipient does not exist, at %s: %s"), host, what, rest.data);
		break;
	case VERDICT_RECIPIENT_REFUSED:
		buf_printf(b, _("%s refuses mail for the recipient, at %s: %s"), host, what, rest.data);
		break;
	case VERDICT_GREYLISTED:
		buf_printf(b, _("%s greylisted the recipient: a first attempt is deferred on purpose, at "
				"%s: %s"), host, what, rest.data);
		break;
	case VERDICT_SENDER_REFUSED:
		buf_printf(b, _("%s refused the sender, at %s: %s"), host, what, rest.data);
		break;
	case VERDICT_POLICY_REFUSED:
		buf_printf(b, _("%s refused this sending host, at %s: %s"), host, what, rest.data);
		break;
	case VERDICT_TEMPORARY:
		buf_printf(b, _("%s deferred (temporary failure), at %s: %s"), host, what, rest.data);
		break;
	case VERDICT_REFUSED:
		buf_printf(b, _("%s refused, at %s: %s"), host, what, rest.data);
		break;
	default:
		buf_printf(b, _("%s answered, at %s: %s"), host, what, rest.data);
		break;
	}
	free(host);
	buf_free(&rest);
}

/* The verdict from the DNS alone, or false when the attempts decide. */
static bool verdict_from_plan(const struct mx_plan *p, struct verdict *v, struct buf *b)
{
	switch (p->outcome) {
	case MX_PLAN_NULL:
		v->kind = VERDICT_NULL_MX;
		buf_printf(b, _("the domain %s accepts no mail (Null MX)"), p->domain_shown);
		return true;
	case MX_PLAN_NXDOMAIN:
		v->kind = VERDICT_NO_SUCH_DOMAIN;
		buf_printf(b, _("the domain %s does not exist (NXDOMAIN)"), p->domain_shown);
		return true;
	case MX_PLAN_TEMPFAIL:
		v->kind = VERDICT_DNS_TEMPFAIL;
		buf_printf(b, _("the MX lookup of %s failed temporarily, so nothing is known yet"),
			   p->domain_shown);
		return true;
	case MX_PLAN_BOGUS:
		v->kind = VERDICT_DNS_BOGUS;
		buf_printf(b, _("the MX answer for %s fails DNSSEC validation, so validating senders "
				"will not deliver"), p->domain_shown);
		return true;
	case MX_PLAN_HOSTS:
	case MX_PLAN_IMPLICIT:
		break;
	}
	return false;
}

/* Nothing connected: what the hosts' addresses say. */
static void verdict_no_attempt(const struct mx_plan *p, struct verdict *v, struct buf *b)
{
	int temp = -1, bogus = -1;
	bool all_none = p->n_hosts > 0;

	for (size_t i = 0; i < p->n_hosts; i++) {
		if (p->hosts[i].addr_state == MX_ADDR_TEMPFAIL && temp < 0)
			temp = (int)i;
		if (p->hosts[i].addr_state == MX_ADDR_BOGUS && bogus < 0)
			bogus = (int)i;
		if (p->hosts[i].addr_state != MX_ADDR_NONE)
			all_none = false;
	}
	v->host = temp >= 0 ? temp : bogus >= 0 ? bogus : all_none ? 0 : -1;
	if (temp >= 0 || bogus >= 0) {
		v->kind = temp >= 0 ? VERDICT_DNS_TEMPFAIL : VERDICT_DNS_BOGUS;
		buf_printf(b, _("no MX host of %s could be tried: %s"), p->domain_shown,
			   p->hosts[v->host].addr_why);
	} else if (all_none && p->outcome == MX_PLAN_IMPLICIT) {
		v->kind = VERDICT_NO_ADDRESS;
		buf_printf(b, _("%s has no MX records and no address of its own (%s), so nothing "
				"takes its mail"), p->domain_shown, p->hosts[0].addr_why);
	} else if (all_none) {
		v->kind = VERDICT_NO_ADDRESS;
		buf_printf(b, _("none of the MX hosts of %s has an address (%s: %s)"), p->domain_shown,
			   p->hosts[0].shown, p->hosts[0].addr_why);
	} else {
		v->kind = VERDICT_INCOMPLETE;
		buf_printf(b, _("the probe of %s tried no address"), p->domain_shown);
	}
}

static void verdict_no_decision(const struct probe_result *r, const struct verdict_walk *w,
				struct verdict *v, struct buf *b)
{
	int at = w->greylist >= 0    ? w->greylist
		 : w->temporary >= 0 ? w->temporary
		 : w->greeting5 >= 0 ? w->greeting5
				     : w->refused;

	/* a sender retries a deferral; a failed authentication comes before
	 * a refusal (it is why the earlier MX was not used) */
	if (w->greylist < 0 && w->temporary < 0 && w->auth >= 0) {
		const struct probe_attempt *a = &r->attempts[w->auth];

		v->kind = a->tls.auth == PROBE_AUTH_STS_FAILED ? VERDICT_MTASTS_FAILED
							       : VERDICT_DANE_FAILED;
		v->attempt = w->auth;
		verdict_auth(b, r, a);
	} else if (at >= 0) {
		v->kind = w->greylist >= 0    ? VERDICT_GREYLISTED
			  : w->temporary >= 0 ? VERDICT_TEMPORARY
			  : w->greeting5 >= 0 ? VERDICT_POLICY_REFUSED
					      : VERDICT_REFUSED;
		v->attempt = at;
		verdict_on_attempt(b, v->kind, &r->attempts[at], (size_t)at);
	} else if (w->tried == 0) {
		verdict_no_attempt(r->plan, v, b);
	} else if (w->timeouts == w->tried) {
		v->kind = VERDICT_PORT25_BLOCKED;
		buf_printf(b, ngettext("every connection to port 25 (%zu address of %s's MX hosts) timed "
				       "out: outbound port 25 is probably blocked on this network",
				       "every connection to port 25 (%zu addresses of %s's MX hosts) timed "
				       "out: outbound port 25 is probably blocked on this network", w->tried),
			   w->tried, r->plan->domain_shown);
	} else {
		v->kind = VERDICT_ALL_UNREACHABLE;
		buf_printf(b, ngettext("no MX host of %s could be reached from here (%zu address tried: "
				       "%zu timed out, the others refused or unreachable)",
				       "no MX host of %s could be reached from here (%zu addresses tried: "
				       "%zu timed out, the others refused or unreachable)", w->tried),
			   r->plan->domain_shown, w->tried, w->timeouts);
	}
}

void verdict_decide(const struct probe_result *r, struct verdict *v)
{
	struct buf b;
	struct verdict_walk w;

	memset(v, 0, sizeof(*v));
	v->attempt = v->host = -1;
	buf_init(&b);
	if (!r || !r->plan) {
		v->kind = VERDICT_INCOMPLETE;
		buf_adds(&b, _("the probe has no result to judge"));
	} else if (!verdict_from_plan(r->plan, v, &b)) {
		verdict_walk(&w, r);
		if (w.decided >= 0) {
			v->kind = w.kind;
			v->attempt = w.decided;
			verdict_on_attempt(&b, w.kind, &r->attempts[w.decided], (size_t)w.decided);
		} else {
			verdict_no_decision(r, &w, v, &b);
		}
		if (v->attempt >= 0)
			v->host = verdict_host_index(r->plan, &r->attempts[v->attempt]);
	}
	v->exit_status = verdict_rows[v->kind].exit_status;
	v->conclusion = buf_steal(&b);
	v->next_step = xstrdup(_(verdict_rows[v->kind].next_step));
}

void verdict_free(struct verdict *v)
{
	free(v->conclusion);
	free(v->next_step);
	memset(v, 0, sizeof(*v));
}
