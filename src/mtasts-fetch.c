/* mtasts-fetch: a domain's MTA-STS and TLS-RPT end to end (see
 * mtasts-fetch.h).  RFC 8461 3.1 (the record), 3.3 (the fetch: https,
 * Web-PKI certificate for mta-sts.DOMAIN, no redirects, 200 only,
 * text/plain, 64 KiB), 3.2 (the policy), 4.1 and 5 (applying it to an MX),
 * 6 (a sender with no usable policy delivers as without MTA-STS); RFC
 * 8460 3 (the TLS-RPT record).  The decision, the per-MX check and the
 * output are sans-I/O; the engine at the end does the lookups and the
 * fetch on the loop. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/https.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/mtasts-fetch.h"
#include "mtasts-fetch-private.h"
#include "smtpscope/mtasts.h"
#include "smtpscope/transport.h"
#include "smtpscope/util.h"

/* ---- names ---- */

static const char *const mtasts_lookup_names[] = {
	[MTASTS_LOOKUP_NOT_ASKED] = "not-asked", [MTASTS_LOOKUP_ANSWER] = "answer",
	[MTASTS_LOOKUP_NXDOMAIN] = "nxdomain", [MTASTS_LOOKUP_NODATA] = "nodata",
	[MTASTS_LOOKUP_TEMPFAIL] = "tempfail", [MTASTS_LOOKUP_BOGUS] = "bogus",
};

const char *mtasts_lookup_name(enum mtasts_lookup_outcome o)
{
	return (size_t)o < UTIL_ARRAY_LEN(mtasts_lookup_names) ? mtasts_lookup_names[o] : "?";
}

static const char *const mtasts_fetch_names[] = {
	[MTASTS_FETCH_NOT_TRIED] = "not-tried", [MTASTS_FETCH_OK] = "ok",
	[MTASTS_FETCH_NO_ADDRESS] = "no-address", [MTASTS_FETCH_NOT_FOUND] = "not-found",
	[MTASTS_FETCH_REDIRECT] = "redirect", [MTASTS_FETCH_STATUS] = "status",
	[MTASTS_FETCH_NOT_TEXT] = "not-text-plain", [MTASTS_FETCH_TOO_BIG] = "too-big",
	[MTASTS_FETCH_CERTIFICATE] = "certificate", [MTASTS_FETCH_TLS] = "tls",
	[MTASTS_FETCH_CONNECT] = "connect", [MTASTS_FETCH_TIMEOUT] = "timeout",
	[MTASTS_FETCH_PROTOCOL] = "protocol",
};

const char *mtasts_fetch_name(enum mtasts_fetch f)
{
	return (size_t)f < UTIL_ARRAY_LEN(mtasts_fetch_names) ? mtasts_fetch_names[f] : "?";
}

static const struct {
	const char *name;
	int exit_status;
} mtasts_states[] = {
	[MTASTS_STATE_NONE] = { "none", MTASTS_EXIT_NONE },
	[MTASTS_STATE_RECORD_INVALID] = { "record-invalid", MTASTS_EXIT_RECORD_INVALID },
	[MTASTS_STATE_FETCH_FAILED] = { "fetch-failed", MTASTS_EXIT_FETCH_FAILED },
	[MTASTS_STATE_POLICY_INVALID] = { "policy-invalid", MTASTS_EXIT_POLICY_INVALID },
	[MTASTS_STATE_DNS_FAILED] = { "dns-failed", MTASTS_EXIT_DNS_FAILED },
	[MTASTS_STATE_ENFORCE] = { "enforce", 0 },
	[MTASTS_STATE_TESTING] = { "testing", 0 },
	[MTASTS_STATE_MODE_NONE] = { "mode-none", 0 },
};

const char *mtasts_state_name(enum mtasts_state s)
{
	return (size_t)s < UTIL_ARRAY_LEN(mtasts_states) ? mtasts_states[s].name : "?";
}

int mtasts_exit_status(enum mtasts_state s)
{
	return (size_t)s < UTIL_ARRAY_LEN(mtasts_states) ? mtasts_states[s].exit_status : 1;
}

static const char *const mtasts_mx_names[] = {
	[MTASTS_MX_OK] = "ok", [MTASTS_MX_MODE_NONE] = "mode-none",
	[MTASTS_MX_NOT_LISTED] = "not-listed", [MTASTS_MX_NO_TLS] = "no-tls",
	[MTASTS_MX_CERT] = "certificate", [MTASTS_MX_OLD_TLS] = "old-tls",
};

const char *mtasts_mx_verdict_name(enum mtasts_mx_verdict v)
{
	return (size_t)v < UTIL_ARRAY_LEN(mtasts_mx_names) ? mtasts_mx_names[v] : "?";
}

/* ---- lookups ---- */

static char *mtasts_escape(const char *s)
{
	return s ? util_escape_dup(s, strlen(s)) : NULL;
}

void mtasts_lookup_from_answer(struct mtasts_lookup *l, const struct dns_answer *a)
{
	l->sec = a->sec;
	l->n = 0;
	if (a->temporary) {
		l->outcome = MTASTS_LOOKUP_TEMPFAIL;
		l->reason = mtasts_escape(a->error ? a->error : _("no reason given"));
	} else if (a->sec == DNS_BOGUS) {
		l->outcome = MTASTS_LOOKUP_BOGUS;
		l->reason = mtasts_escape(a->why_bogus ? a->why_bogus : _("no reason given"));
	} else if (a->nxdomain) {
		l->outcome = MTASTS_LOOKUP_NXDOMAIN;
	} else if (a->nodata || a->n == 0) {
		l->outcome = MTASTS_LOOKUP_NODATA;
	} else {
		l->outcome = MTASTS_LOOKUP_ANSWER;
		l->n = a->n;
		if ((a->type == DNS_A || a->type == DNS_AAAA) && a->addr) {
			l->addr = xcalloc(a->n, sizeof *l->addr);
			for (size_t i = 0; i < a->n; i++)
				l->addr[i] = xstrdup(a->addr[i]);
		}
	}
}

static void mtasts_lookup_free(struct mtasts_lookup *l)
{
	free(l->name);
	free(l->reason);
	for (size_t i = 0; l->addr && i < l->n; i++)
		free(l->addr[i]);
	free(l->addr);
}

bool mtasts_lookup_failed(const struct mtasts_lookup *l)
{
	return l->outcome == MTASTS_LOOKUP_TEMPFAIL || l->outcome == MTASTS_LOOKUP_BOGUS;
}

size_t mtasts_addresses(const struct mtasts_lookup *l)
{
	return l->outcome == MTASTS_LOOKUP_ANSWER && l->addr ? l->n : 0;
}

/* ---- the decision ---- */

enum mtasts_fetch mtasts_fetch_of(const struct https_result *h)
{
	switch (h->outcome) {
	case HTTPS_OK:
		return h->text_plain ? MTASTS_FETCH_OK : MTASTS_FETCH_NOT_TEXT;
	case HTTPS_STATUS:
		return h->status == 404 ? MTASTS_FETCH_NOT_FOUND
		     : h->status >= 300 && h->status < 400 ? MTASTS_FETCH_REDIRECT
							   : MTASTS_FETCH_STATUS;
	case HTTPS_TOO_BIG:
		return MTASTS_FETCH_TOO_BIG;
	case HTTPS_CONNECT:
		return MTASTS_FETCH_CONNECT;
	case HTTPS_TLS:
		return h->cert_unverified ? MTASTS_FETCH_CERTIFICATE : MTASTS_FETCH_TLS;
	case HTTPS_TIMEOUT:
		return MTASTS_FETCH_TIMEOUT;
	case HTTPS_PROTOCOL:
		break;
	}
	return MTASTS_FETCH_PROTOCOL;
}

const char *mtasts_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

/* What the fetch came to, in words (no trailing period). */
void mtasts_fetch_text(const struct mtasts_result *r, struct buf *b)
{
	const struct https_result *h = r->http;
	const char *err = h ? mtasts_or(h->error, _("no reason given")) : "";

	switch (r->fetch) {
	case MTASTS_FETCH_NOT_TRIED:
		buf_adds(b, _("not fetched"));
		break;
	case MTASTS_FETCH_OK:
		buf_printf(b, _("HTTP 200, text/plain, %zu bytes"), h->len);
		break;
	case MTASTS_FETCH_NO_ADDRESS:
		buf_printf(b, _("%s has no address (A %s, AAAA %s), so there is nowhere to fetch the "
			   "policy from"), r->policy_host, mtasts_lookup_name(r->a.outcome),
			   mtasts_lookup_name(r->aaaa.outcome));
		break;
	case MTASTS_FETCH_NOT_FOUND:
		buf_printf(b, _("HTTP 404 at %s: there is no policy, although the record announces one"),
			   r->url);
		break;
	case MTASTS_FETCH_REDIRECT:
		buf_printf(b, _("HTTP %ld, a redirect to %s: redirects are never followed (RFC 8461 3.3), "
			   "the policy must be served at %s itself"), h->status,
			   mtasts_or(h->location, _("(no Location given)")), r->url);
		break;
	case MTASTS_FETCH_STATUS:
		buf_printf(b, _("HTTP %ld: only a 200 answer is a policy (RFC 8461 3.3)"), h->status);
		break;
	case MTASTS_FETCH_NOT_TEXT:
		buf_printf(b, _("HTTP 200, but served as %s, not text/plain (RFC 8461 3.3)"),
			   mtasts_or(h->content_type, _("no Content-Type")));
		break;
	case MTASTS_FETCH_TOO_BIG:
		buf_printf(b, _("the policy is over %d bytes (64 KiB, RFC 8461 3.3): the transfer was "
			   "stopped"), MTASTS_POLICY_MAX);
		break;
	case MTASTS_FETCH_CERTIFICATE:
		buf_printf(b, _("the certificate is not valid for %s under the Web PKI (RFC 8461 3.3): %s"),
			   r->policy_host, err);
		break;
	case MTASTS_FETCH_TLS:
		buf_printf(b, _("the TLS handshake failed: %s"), err);
		break;
	case MTASTS_FETCH_CONNECT:
		buf_printf(b, _("no connection to %s port %s: %s"), mtasts_or(r->connect_addr, "?"),
			   mtasts_or(r->connect_port, MTASTS_POLICY_PORT), err);
		break;
	case MTASTS_FETCH_TIMEOUT:
		buf_printf(b, _("no complete answer in time: %s"), err);
		break;
	case MTASTS_FETCH_PROTOCOL:
		buf_printf(b, _("the transfer failed: %s"), err);
		break;
	}
}

static const char *mtasts_first_defect(const struct mtasts_defects *d, const char *dflt)
{
	return d->n ? d->d[0].text : dflt;
}

/* The failed lookup of a state DNS_FAILED. */
static const struct mtasts_lookup *mtasts_failed_lookup(const struct mtasts_result *r)
{
	if (mtasts_lookup_failed(&r->sts))
		return &r->sts;
	return mtasts_lookup_failed(&r->aaaa) ? &r->aaaa : &r->a;
}

static void mtasts_summarise(struct mtasts_result *r, struct buf *b)
{
	const struct mtasts_lookup *l;
	const char *d = r->domain;
	struct buf t;

	buf_init(&t);
	switch (r->state) {
	case MTASTS_STATE_NONE:
		buf_printf(b, r->sts.outcome == MTASTS_LOOKUP_ANSWER
			   ? _("%s publishes no MTA-STS record (TXT _mta-sts.%s holds no v=STSv1 string): "
			       "senders deliver with opportunistic TLS, as without MTA-STS")
			   : r->sts.outcome == MTASTS_LOOKUP_NXDOMAIN
			   ? _("%s publishes no MTA-STS record (TXT _mta-sts.%s does not exist): senders "
			       "deliver with opportunistic TLS, as without MTA-STS")
			   : _("%s publishes no MTA-STS record (TXT _mta-sts.%s has no TXT record): senders "
			       "deliver with opportunistic TLS, as without MTA-STS"), d, d);
		break;
	case MTASTS_STATE_RECORD_INVALID:
		buf_printf(b, _("the MTA-STS record of %s is not valid (%s): senders treat the domain as "
			   "having no MTA-STS (RFC 8461 3.1)"), d,
			   r->txt.n_records > 1 ? _("more than one v=STSv1 record")
						: mtasts_first_defect(&r->txt.defects, _("no valid id")));
		break;
	case MTASTS_STATE_FETCH_FAILED:
		mtasts_fetch_text(r, &t);
		buf_printf(b, _("%s has a valid MTA-STS record, but its policy could not be fetched (%s: "
			   "%s): senders deliver as without MTA-STS (RFC 8461 3.3), so the policy "
			   "protects nothing until it is served"), d, mtasts_fetch_name(r->fetch),
			   t.data ? t.data : "");
		break;
	case MTASTS_STATE_POLICY_INVALID:
		buf_printf(b, _("the MTA-STS policy of %s is not valid (%s): senders deliver as without "
			   "MTA-STS (RFC 8461 3.2)"), d,
			   r->have_policy ? mtasts_first_defect(&r->policy.defects, _("unusable")) : _("not parsed"));
		break;
	case MTASTS_STATE_DNS_FAILED:
		l = mtasts_failed_lookup(r);
		buf_printf(b, l->outcome == MTASTS_LOOKUP_BOGUS
			   ? _("the lookup of %s %s failed DNSSEC validation (%s): whether %s uses MTA-STS "
			       "is not known; a sender tries again later")
			   : _("the lookup of %s %s failed temporarily (%s): whether %s uses MTA-STS is "
			       "not known; a sender tries again later"), dns_type_name(l->type), l->name,
			   mtasts_or(l->reason, _("no reason given")), d);
		break;
	case MTASTS_STATE_ENFORCE:
	case MTASTS_STATE_TESTING:
		for (size_t i = 0; i < r->policy.n_mx; i++)
			buf_printf(&t, "%s%s", i ? ", " : "", r->policy.mx[i]);
		buf_printf(b, r->state == MTASTS_STATE_ENFORCE
			   ? _("%s's MTA-STS policy is in force in mode %s, for up to %ld seconds: senders "
			       "deliver only to MX hosts matching %s over TLS 1.2 or later with a "
			       "certificate valid for the MX name")
			   : _("%s's MTA-STS policy is in force in mode %s, for up to %ld seconds: senders "
			       "deliver as usual and report (TLS-RPT) when an MX does not match %s over "
			       "TLS 1.2 or later with a certificate valid for the MX name"),
			   d, mtasts_mode_name(r->policy.mode), r->policy.max_age, t.data ? t.data : "");
		break;
	case MTASTS_STATE_MODE_NONE:
		buf_printf(b, _("%s's MTA-STS policy is in mode none: the domain has withdrawn MTA-STS, "
			   "and senders drop any policy they cached for it (RFC 8461 5)"), d);
		break;
	}
	buf_free(&t);
}

void mtasts_decide(struct mtasts_result *r)
{
	struct buf b;
	bool address = mtasts_addresses(&r->a) + mtasts_addresses(&r->aaaa) > 0;

	if (r->http)
		r->fetch = mtasts_fetch_of(r->http);
	else if (r->txt.valid && !address && !mtasts_lookup_failed(&r->a) && !mtasts_lookup_failed(&r->aaaa))
		r->fetch = MTASTS_FETCH_NO_ADDRESS;
	else
		r->fetch = MTASTS_FETCH_NOT_TRIED;

	if (mtasts_lookup_failed(&r->sts))
		r->state = MTASTS_STATE_DNS_FAILED;
	else if (r->sts.outcome != MTASTS_LOOKUP_ANSWER || r->txt.n_records == 0)
		r->state = MTASTS_STATE_NONE;
	else if (!r->txt.valid)
		r->state = MTASTS_STATE_RECORD_INVALID;
	else if (r->fetch == MTASTS_FETCH_NOT_TRIED)
		r->state = MTASTS_STATE_DNS_FAILED; /* no address known: A/AAAA failed */
	else if (r->fetch != MTASTS_FETCH_OK)
		r->state = MTASTS_STATE_FETCH_FAILED;
	else if (!r->have_policy || !r->policy.valid)
		r->state = MTASTS_STATE_POLICY_INVALID;
	else
		r->state = r->policy.mode == MTASTS_MODE_ENFORCE ? MTASTS_STATE_ENFORCE
			 : r->policy.mode == MTASTS_MODE_TESTING ? MTASTS_STATE_TESTING
								 : MTASTS_STATE_MODE_NONE;
	buf_init(&b);
	mtasts_summarise(r, &b);
	free(r->summary);
	r->summary = buf_steal(&b);
	buf_free(&b);
}

void mtasts_result_free(struct mtasts_result *r)
{
	if (r == NULL)
		return;
	free(r->domain);
	free(r->shown);
	free(r->policy_host);
	free(r->url);
	mtasts_lookup_free(&r->sts);
	mtasts_lookup_free(&r->tlsrpt);
	mtasts_lookup_free(&r->a);
	mtasts_lookup_free(&r->aaaa);
	mtasts_txt_free(&r->txt);
	tlsrpt_free(&r->rpt);
	free(r->connect_addr);
	free(r->connect_port);
	https_result_free(r->http);
	if (r->have_policy)
		mtasts_policy_free(&r->policy);
	free(r->summary);
	free(r);
}

/* ---- one MX ---- */

void mtasts_mx_apply(const struct mtasts_policy *p, const char *mx_host, bool tls,
		     bool verified, int tls_version, struct mtasts_mx_check *out)
{
	char *host = mtasts_escape(mx_host ? mx_host : "");

	memset(out, 0, sizeof *out);
	out->pattern = mtasts_policy_match(p, host);
	if (p->mode == MTASTS_MODE_NONE)
		out->verdict = MTASTS_MX_MODE_NONE;
	else if (out->pattern < 0)
		out->verdict = MTASTS_MX_NOT_LISTED;
	else if (!tls)
		out->verdict = MTASTS_MX_NO_TLS;
	else if (!verified)
		out->verdict = MTASTS_MX_CERT;
	else if (tls_version != 0 && tls_version < 12)
		out->verdict = MTASTS_MX_OLD_TLS;
	else
		out->verdict = MTASTS_MX_OK;
	out->ok = out->verdict == MTASTS_MX_OK || out->verdict == MTASTS_MX_MODE_NONE;
	out->refused = !out->ok && p->mode == MTASTS_MODE_ENFORCE;
	out->reported = !out->ok && p->mode == MTASTS_MODE_TESTING;
	switch (out->verdict) {
	case MTASTS_MX_OK:
		out->text = xasprintf(_("%s matches the policy's mx %s, TLS %s with a certificate valid "
				      "for it"), host, p->mx[out->pattern],
				      tls_version ? (tls_version >= 13 ? "1.3" : "1.2") : _("verified"));
		break;
	case MTASTS_MX_MODE_NONE:
		out->text = xasprintf(_("the policy's mode is none: nothing is asked of %s"), host);
		break;
	case MTASTS_MX_NOT_LISTED:
		out->text = xasprintf(_("%s matches none of the policy's mx patterns (RFC 8461 4.1)"), host);
		break;
	case MTASTS_MX_NO_TLS:
		out->text = xasprintf(_("%s gave no TLS session, which the policy requires (RFC 8461 4.2)"),
				      host);
		break;
	case MTASTS_MX_CERT:
		out->text = xasprintf(_("the certificate of %s does not verify for that name under the "
				      "Web PKI (RFC 8461 4.2)"), host);
		break;
	case MTASTS_MX_OLD_TLS:
		out->text = xasprintf(_("%s spoke TLS %d.%d; the policy requires TLS 1.2 or later "
				      "(RFC 8461 4.2)"), host, tls_version / 10, tls_version % 10);
		break;
	}
	free(host);
}

void mtasts_mx_check_free(struct mtasts_mx_check *c)
{
	free(c->text);
	c->text = NULL;
}

/* ---- the engine ---- */

enum { Q_STS, Q_TLSRPT, Q_AAAA, Q_A, Q__COUNT };

struct mtasts_q {
	struct mtasts_check *c;
	struct dns_query *q;   /* in flight, or NULL */
	struct mtasts_lookup *l;
};

struct mtasts_check {
	struct loop *loop;
	struct dns *dns;
	struct mtasts_options o;
	struct mtasts_result *r;
	struct mtasts_q q[Q__COUNT];
	size_t pending;            /* lookups in flight */
	struct https_fetch *fetch; /* in flight, or NULL */
	char **addrs;              /* where to connect, in order */
	size_t n_addrs, next_addr;
	char *port;                /* the port to connect to */
	unsigned finish_timer;
	const char *waiting;
	char *waiting_text;
	mtasts_cb cb;
	void *ctx;
};

static void mtasts_finish_now(void *ctx)
{
	struct mtasts_check *c = ctx;
	struct mtasts_result *r = c->r;
	mtasts_cb cb = c->cb;
	void *cctx = c->ctx;

	c->finish_timer = 0;
	c->r = NULL;
	mtasts_decide(r);
	mtasts_cancel(c);
	cb(cctx, r);
}

/* The callback never runs inside a resolver or curl callback: the
 * caller may free the resolver from it. */
static void mtasts_finish(struct mtasts_check *c)
{
	c->waiting = _("nothing");
	if (c->finish_timer == 0)
		c->finish_timer = loop_timer(c->loop, 0, mtasts_finish_now, c);
}

static void mtasts_on_http(void *ctx, struct https_result *h);

/* Fetches from the next address; false when none is left. */
static bool mtasts_fetch_next(struct mtasts_check *c)
{
	struct mtasts_result *r = c->r;
	struct https_options ho = { .connect_port = c->port, .cafile = c->o.cafile,
				    .capath = c->o.capath, .timeout_ms = c->o.timeout_ms,
				    .max_body = MTASTS_POLICY_MAX };
	char *err = NULL;

	if (c->next_addr >= c->n_addrs)
		return false;
	free(r->connect_addr);
	free(r->connect_port);
	r->connect_addr = xstrdup(c->addrs[c->next_addr++]);
	r->connect_port = xstrdup(c->port);
	ho.connect_addr = r->connect_addr;
	https_result_free(r->http);
	r->http = NULL;
	c->fetch = https_get(c->loop, r->url, &ho, mtasts_on_http, c, &err);
	if (c->fetch == NULL) { /* a rule's address that is not one: say it as a failure */
		r->http = xcalloc(1, sizeof *r->http);
		r->http->outcome = HTTPS_CONNECT;
		r->http->error = err ? err : xstrdup(_("the fetch could not be started"));
		r->http->body = xstrdup("");
		return c->next_addr < c->n_addrs ? mtasts_fetch_next(c) : false;
	}
	free(err);
	free(c->waiting_text);
	c->waiting_text = xasprintf(_("the policy from %s (%s port %s)"), r->policy_host,
				    r->connect_addr, c->port);
	c->waiting = c->waiting_text;
	return true;
}

static void mtasts_on_http(void *ctx, struct https_result *h)
{
	struct mtasts_check *c = ctx;
	struct mtasts_result *r = c->r;

	c->fetch = NULL;
	r->http = h;
	/* another address when this one took no connection */
	if (h->outcome == HTTPS_CONNECT && mtasts_fetch_next(c))
		return;
	if (r->http && mtasts_fetch_of(r->http) == MTASTS_FETCH_OK) {
		mtasts_policy_parse(r->http->body, r->http->len, &r->policy);
		r->have_policy = true;
	}
	mtasts_finish(c);
}

static void mtasts_addr_add(struct mtasts_check *c, const char *a)
{
	c->addrs = xrealloc(c->addrs, (c->n_addrs + 1) * sizeof *c->addrs);
	c->addrs[c->n_addrs++] = xstrdup(a);
}

/* Where to connect: a --connect-to rule for mta-sts.DOMAIN port 443 (its
 * address, or the resolver's when the rule keeps the host), else the
 * resolver's addresses, AAAA first. */
static void mtasts_plan_fetch(struct mtasts_check *c)
{
	struct mtasts_result *r = c->r;
	char *addr = NULL, *port = NULL;
	const char *spec = NULL;
	bool keep = true;

	if (transport_connect_to_match(c->o.connect_to, r->policy_host, MTASTS_POLICY_PORT,
				       &addr, &port, &spec)) {
		r->connect_rule = spec;
		keep = util_name_eq(addr, r->policy_host);
		if (!keep)
			mtasts_addr_add(c, addr);
		c->port = port;
		free(addr);
	} else {
		c->port = xstrdup(MTASTS_POLICY_PORT);
	}
	if (keep) {
		for (size_t i = 0; i < mtasts_addresses(&r->aaaa); i++)
			mtasts_addr_add(c, r->aaaa.addr[i]);
		for (size_t i = 0; i < mtasts_addresses(&r->a); i++)
			mtasts_addr_add(c, r->a.addr[i]);
	}
}

/* All four lookups are in: fetch when the record is valid. */
static void mtasts_lookups_done(struct mtasts_check *c)
{
	mtasts_plan_fetch(c);
	if (!c->r->txt.valid || !mtasts_fetch_next(c))
		mtasts_finish(c);
}

static const char *const *mtasts_txt_strings(const struct dns_answer *a, size_t **len)
{
	const char **t = xcalloc(a->n ? a->n : 1, sizeof *t);

	*len = xcalloc(a->n ? a->n : 1, sizeof **len);
	for (size_t i = 0; i < a->n; i++)
		t[i] = a->txt[i].text, (*len)[i] = a->txt[i].len;
	return t;
}

static void mtasts_on_dns(void *ctx, struct dns_answer *a)
{
	struct mtasts_q *q = ctx;
	struct mtasts_check *c = q->c;
	struct mtasts_result *r = c->r;

	q->q = NULL;
	mtasts_lookup_from_answer(q->l, a);
	if (q->l->outcome == MTASTS_LOOKUP_ANSWER && a->type == DNS_TXT) {
		size_t *len;
		const char *const *t = mtasts_txt_strings(a, &len);

		if (q->l == &r->sts)
			mtasts_txt_check(t, len, a->n, &r->txt);
		else
			tlsrpt_check(t, len, a->n, &r->rpt);
		free((void *)t);
		free(len);
	}
	dns_answer_free(a);
	if (--c->pending == 0)
		mtasts_lookups_done(c);
}

static bool mtasts_ask(struct mtasts_check *c, int i, struct mtasts_lookup *l, char *name,
		       enum dns_type type, char **err)
{
	l->name = name;
	l->type = type;
	c->q[i].c = c;
	c->q[i].l = l;
	c->q[i].q = dns_query(c->dns, name, type, mtasts_on_dns, &c->q[i], err);
	if (c->q[i].q == NULL)
		return false;
	c->pending++;
	return true;
}

/* The domain in its ASCII form, without a final dot; NULL and *err. */
static char *mtasts_domain(const char *given, char **err)
{
	size_t n = strlen(given);
	char *d, *ascii;

	if (n > 0 && given[n - 1] == '.')
		n--;
	if (n == 0) {
		*err = xstrdup(_("the domain is empty"));
		return NULL;
	}
	d = xmemdup(given, n);
	/* labels of 1-63 bytes, 253 in all: dns_name_to_ascii checks them */
	ascii = dns_name_to_ascii(d, err);
	free(d);
	return ascii;
}

struct mtasts_check *mtasts_start(struct loop *loop, struct dns *dns, const struct mtasts_options *o,
				  mtasts_cb cb, void *ctx, char **err)
{
	struct mtasts_check *c;
	struct mtasts_result *r;
	char *ascii;

	*err = NULL;
	if ((ascii = mtasts_domain(o->domain, err)) == NULL)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->loop = loop;
	c->dns = dns;
	c->o = *o;
	c->cb = cb;
	c->ctx = ctx;
	c->r = r = xcalloc(1, sizeof *r);
	r->domain = ascii;
	r->shown = util_escape_dup(o->domain, strlen(o->domain));
	r->policy_host = xasprintf("mta-sts.%s", ascii);
	r->url = xasprintf("https://%s" MTASTS_POLICY_PATH, r->policy_host);
	if (!mtasts_ask(c, Q_STS, &r->sts, xasprintf("_mta-sts.%s", ascii), DNS_TXT, err) ||
	    !mtasts_ask(c, Q_TLSRPT, &r->tlsrpt, xasprintf("_smtp._tls.%s", ascii), DNS_TXT, err) ||
	    !mtasts_ask(c, Q_AAAA, &r->aaaa, xstrdup(r->policy_host), DNS_AAAA, err) ||
	    !mtasts_ask(c, Q_A, &r->a, xstrdup(r->policy_host), DNS_A, err)) {
		mtasts_result_free(c->r);
		c->r = NULL;
		mtasts_cancel(c);
		return NULL;
	}
	c->waiting = _("the DNS lookups");
	return c;
}

void mtasts_cancel(struct mtasts_check *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < Q__COUNT; i++)
		if (c->q[i].q)
			dns_cancel(c->dns, c->q[i].q);
	https_cancel(c->fetch);
	if (c->finish_timer)
		loop_cancel(c->loop, c->finish_timer);
	for (size_t i = 0; i < c->n_addrs; i++)
		free(c->addrs[i]);
	free(c->addrs);
	free(c->port);
	free(c->waiting_text);
	mtasts_result_free(c->r);
	free(c);
}

const char *mtasts_waiting(const struct mtasts_check *c)
{
	return c->waiting;
}
