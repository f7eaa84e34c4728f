/* dane (module probe): whether DANE applies to an MX, and what a
 * connection's outcome means for a sender that checks it (RFC 7672 2.2).
 * See include/smtpscope/dane.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/dane.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

static const char *const dane_state_names[] = {
	[DANE_NONE] = "none",
	[DANE_INSECURE] = "insecure",
	[DANE_UNUSABLE] = "unusable",
	[DANE_USABLE] = "usable",
	[DANE_LOOKUP_FAILED] = "lookup-failed",
};

const char *dane_state_name(enum dane_state s)
{
	return (size_t)s < UTIL_ARRAY_LEN(dane_state_names) ? dane_state_names[s] : "?";
}

/* The records of the answer, all kept (the report counts the unusable). */
static void dane_take_records(struct dane_host *h, const struct dns_answer *tlsa)
{
	h->records = xcalloc(tlsa->n ? tlsa->n : 1, sizeof *h->records);
	for (size_t i = 0; i < tlsa->n; i++) {
		const struct dns_tlsa *t = &tlsa->tlsa[i];

		h->records[i] = (struct tls_dane_record){ t->usage, t->selector, t->mtype,
							   t->data, t->len };
		if (tls_dane_record_use(&h->records[i]) == TLS_DANE_USABLE)
			h->n_usable++;
	}
	h->tls.records = h->records;
	h->tls.n = tlsa->n;
}

void dane_host_decide(struct dane_host *h, const char *host, bool mx_secure,
		      bool addr_secure, const struct dns_answer *tlsa)
{
	char *shown = util_escape_dup(host, strlen(host));

	memset(h, 0, sizeof *h);
	h->tls.base = host;
	if (!mx_secure) {
		/* 2.2.1: without a secure MX RRset a sender never looks */
		bool published = tlsa && tlsa->n > 0;

		h->state = published ? DANE_INSECURE : DANE_NONE;
		h->kb_text = published ? "dane: the MX RRset is not DNSSEC-signed, so the TLSA records are ignored" : NULL;
		h->why = published
			? xasprintf(_("%s publishes TLSA records, but the domain's MX records are not "
				      "DNSSEC-validated, so senders ignore them: TLS is opportunistic"), shown)
			: xasprintf(_("no DANE for %s: the MX records are not DNSSEC-validated"), shown);
	} else if (tlsa == NULL || tlsa->temporary || tlsa->sec == DNS_BOGUS) {
		bool bogus = tlsa && !tlsa->temporary;
		const char *reason = !tlsa ? NULL : bogus ? tlsa->why_bogus : tlsa->error;
		struct buf b;

		h->state = DANE_LOOKUP_FAILED;
		h->kb_text = bogus ? "dane: the TLSA answer is bogus" : "dane: the TLSA lookup failed";
		buf_init(&b);
		if (bogus)
			buf_printf(&b, _("the TLSA lookup of %s fails DNSSEC validation: a DANE sender "
					 "cannot tell whether to authenticate it, so it does not use this "
					 "MX (RFC 7672 2.2.2)"), shown);
		else
			buf_printf(&b, _("the TLSA lookup of %s failed temporarily: a DANE sender cannot "
					 "tell whether to authenticate it, so it does not use this MX "
					 "(RFC 7672 2.2.2)"), shown);
		if (reason) {
			buf_adds(&b, ": ");
			util_escape(&b, reason, strlen(reason));
		}
		h->why = buf_steal(&b);
	} else if (tlsa->n == 0) {
		h->state = DANE_NONE;
		h->why = tlsa->sec == DNS_SECURE
			? xasprintf(_("%s publishes no TLSA records (securely denied): no DANE, TLS is "
				      "opportunistic"), shown)
			: xasprintf(_("%s publishes no TLSA records (not signed): no DANE, TLS is "
				      "opportunistic"), shown);
	} else if (tlsa->sec != DNS_SECURE || !addr_secure) {
		dane_take_records(h, tlsa);
		h->state = DANE_INSECURE;
		h->kb_text = "dane: the TLSA records or the MX host's addresses are not DNSSEC-signed";
		h->why = tlsa->sec != DNS_SECURE
			? xasprintf(ngettext("%s publishes %zu TLSA record, but the TLSA answer is not "
					     "DNSSEC-validated, so senders ignore them: TLS is opportunistic",
					     "%s publishes %zu TLSA records, but the TLSA answer is not "
					     "DNSSEC-validated, so senders ignore them: TLS is opportunistic",
					     tlsa->n), shown, tlsa->n)
			: xasprintf(ngettext("%s publishes %zu TLSA record, but the host's address records "
					     "are not DNSSEC-validated, so senders ignore them: TLS is "
					     "opportunistic",
					     "%s publishes %zu TLSA records, but the host's address records "
					     "are not DNSSEC-validated, so senders ignore them: TLS is "
					     "opportunistic", tlsa->n), shown, tlsa->n);
	} else {
		dane_take_records(h, tlsa);
		if (h->n_usable == 0) {
			h->state = DANE_UNUSABLE;
			h->kb_text = "dane: only unusable TLSA records";
			h->why = xasprintf(ngettext("%s publishes %zu DNSSEC-signed TLSA record, none "
						    "usable for SMTP (usage 2 or 3 needed): a DANE sender "
						    "encrypts but does not authenticate",
						    "%s publishes %zu DNSSEC-signed TLSA records, none "
						    "usable for SMTP (usage 2 or 3 needed): a DANE sender "
						    "encrypts but does not authenticate", tlsa->n),
					   shown, tlsa->n);
		} else {
			h->state = DANE_USABLE;
			h->why = xasprintf(ngettext("DANE applies to %s: %zu usable DNSSEC-signed TLSA "
						    "record (%zu unusable); a DANE sender delivers only if "
						    "one matches",
						    "DANE applies to %s: %zu usable DNSSEC-signed TLSA "
						    "records (%zu unusable); a DANE sender delivers only if "
						    "one matches", h->n_usable),
					   shown, h->n_usable, tlsa->n - h->n_usable);
		}
	}
	free(shown);
}

void dane_host_free(struct dane_host *h)
{
	free(h->why);
	free(h->records);
	memset(h, 0, sizeof *h);
}

enum probe_auth dane_attempt(const struct dane_host *h, bool offered, bool tls_ok,
			     const struct tls_dane_result *r, char **text,
			     const char **kb_text)
{
	struct buf b;

	*text = NULL;
	*kb_text = NULL;
	if (h->state == DANE_LOOKUP_FAILED) {
		*text = xstrdup(h->why);
		*kb_text = h->kb_text;
		return PROBE_AUTH_DANE_UNUSABLE;
	}
	if (h->state != DANE_USABLE)
		return PROBE_AUTH_OPPORTUNISTIC;
	if (!offered || !tls_ok) {
		*text = xstrdup(!offered ? _("the server does not offer STARTTLS, but its TLSA records "
					     "require TLS (RFC 7672 2.2)")
					 : _("the TLS handshake failed, and the TLSA records require TLS "
					     "(RFC 7672 2.2)"));
		*kb_text = "dane: no TLS with a host that publishes TLSA records";
		return PROBE_AUTH_DANE_FAILED;
	}
	buf_init(&b);
	if (r)
		tls_dane_text(r, &b);
	if (r && r->state == TLS_DANE_VERIFIED) {
		*text = buf_steal(&b);
		return PROBE_AUTH_DANE_OK;
	}
	if (b.len == 0)
		buf_adds(&b, _("no DANE result from the handshake"));
	*text = buf_steal(&b);
	*kb_text = "verify X509_V_ERR_DANE_NO_MATCH: no matching DANE TLSA records";
	return PROBE_AUTH_DANE_FAILED;
}
