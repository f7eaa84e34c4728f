/* mtasts-report: a domain's MTA-STS result as lines and as JSON (see
 * mtasts-fetch.h), sans-I/O.  Every string of the result that holds
 * foreign bytes is escaped already, so it is quoted as it is. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/https.h"
#include "smtpscope/i18n.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/mtasts.h"
#include "smtpscope/util.h"
#include "mtasts-fetch-private.h"

/* ---- lines ---- */

static void mtasts_say(mtasts_line_cb cb, void *ctx, bool warn, struct buf *b)
{
	cb(ctx, warn, b->data ? b->data : "");
	buf_clear(b);
}

static void mtasts_say_defects(mtasts_line_cb cb, void *ctx, const char *what,
			       const struct mtasts_defects *d, struct buf *b)
{
	for (size_t i = 0; i < d->n; i++) {
		buf_printf(b, "%s: %s: %s", what, d->d[i].id, d->d[i].text);
		mtasts_say(cb, ctx, true, b);
	}
	if (d->dropped) {
		buf_printf(b, _("%s: %zu more defects not shown"), what, d->dropped);
		mtasts_say(cb, ctx, true, b);
	}
}

/* "TXT _mta-sts.example.test (insecure)" and the lookup's outcome when
 * it gave no records: returns true when it did (an answer). */
static bool mtasts_lookup_head(const struct mtasts_lookup *l, struct buf *b)
{
	buf_printf(b, "%s %s (%s): ", dns_type_name(l->type), l->name, dns_security_name(l->sec));
	switch (l->outcome) {
	case MTASTS_LOOKUP_ANSWER:
		return true;
	case MTASTS_LOOKUP_NOT_ASKED:
		buf_adds(b, _("not asked"));
		break;
	case MTASTS_LOOKUP_NXDOMAIN:
		buf_adds(b, _("NXDOMAIN, the name does not exist"));
		break;
	case MTASTS_LOOKUP_NODATA:
		buf_printf(b, _("NODATA, no %s record"), dns_type_name(l->type));
		break;
	case MTASTS_LOOKUP_TEMPFAIL:
		buf_printf(b, _("temporary failure: %s"), mtasts_or(l->reason, _("no reason given")));
		break;
	case MTASTS_LOOKUP_BOGUS:
		buf_printf(b, _("bogus: %s"), mtasts_or(l->reason, _("no reason given")));
		break;
	}
	return false;
}

static void mtasts_lines_sts(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx, struct buf *b)
{
	if (mtasts_lookup_head(&r->sts, b)) {
		if (r->txt.record)
			buf_printf(b, "%s", r->txt.record);
		else
			buf_printf(b, ngettext("%zu TXT record, none starting v=STSv1",
					       "%zu TXT records, none starting v=STSv1", r->sts.n),
				   r->sts.n);
		if (r->txt.n_records > 1)
			buf_printf(b, _(" (and %zu more v=STSv1 records)"), r->txt.n_records - 1);
		else if (r->txt.id)
			buf_printf(b, " (id %s)", r->txt.id);
	}
	mtasts_say(cb, ctx, mtasts_lookup_failed(&r->sts) || (r->txt.n_records && !r->txt.valid), b);
	mtasts_say_defects(cb, ctx, _("MTA-STS record"), &r->txt.defects, b);
}

static void mtasts_lines_host(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx, struct buf *b)
{
	const struct mtasts_lookup *ls[2] = { &r->aaaa, &r->a };

	if (r->a.outcome == MTASTS_LOOKUP_NOT_ASKED && r->aaaa.outcome == MTASTS_LOOKUP_NOT_ASKED)
		return;
	buf_printf(b, _("policy host %s: "), r->policy_host);
	for (size_t k = 0; k < 2; k++) {
		const struct mtasts_lookup *l = ls[k];

		buf_printf(b, "%s%s ", k ? "; " : "", dns_type_name(l->type));
		if (mtasts_addresses(l))
			for (size_t i = 0; i < l->n; i++)
				buf_printf(b, "%s%s", i ? ", " : "", l->addr[i]);
		else if (l->reason)
			buf_printf(b, "%s: %s", mtasts_lookup_name(l->outcome), l->reason);
		else
			buf_adds(b, mtasts_lookup_name(l->outcome));
		buf_printf(b, " (%s)", dns_security_name(l->sec));
	}
	mtasts_say(cb, ctx, r->txt.valid && mtasts_addresses(&r->a) + mtasts_addresses(&r->aaaa) == 0, b);
}

static void mtasts_lines_fetch(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx, struct buf *b)
{
	const struct https_result *h = r->http;

	if (h == NULL && r->fetch == MTASTS_FETCH_NOT_TRIED)
		return;
	if (h) {
		buf_printf(b, _("fetching %s from %s port %s"), r->url, r->connect_addr,
			   mtasts_or(r->connect_port, MTASTS_POLICY_PORT));
		if (r->connect_rule)
			buf_printf(b, " (--connect-to %s)", r->connect_rule);
		buf_printf(b, _(": %ld ms"), h->elapsed_ms);
		if (h->status)
			buf_printf(b, ", HTTP %ld, Content-Type %s", h->status,
				   mtasts_or(h->content_type, _("(none)")));
		mtasts_say(cb, ctx, false, b);
	}
	if (r->fetch == MTASTS_FETCH_OK) {
		buf_adds(b, _("policy fetched: "));
		mtasts_fetch_text(r, b);
		mtasts_say(cb, ctx, false, b);
		return;
	}
	buf_printf(b, _("policy fetch failed: %s: "), mtasts_fetch_name(r->fetch));
	mtasts_fetch_text(r, b);
	mtasts_say(cb, ctx, true, b);
}

static void mtasts_lines_policy(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx, struct buf *b)
{
	const struct mtasts_policy *p = &r->policy;

	if (!r->have_policy)
		return;
	buf_printf(b, _("policy: version %s, mode %s, max_age "), mtasts_or(p->version, _("(none given)")),
		   mtasts_mode_name(p->mode));
	if (p->max_age >= 0)
		buf_printf(b, "%ld s", p->max_age);
	else
		buf_adds(b, _("(none given)"));
	buf_adds(b, ", mx ");
	for (size_t i = 0; i < p->n_mx; i++)
		buf_printf(b, "%s%s", i ? ", " : "", p->mx[i]);
	if (p->n_mx == 0)
		buf_adds(b, _("(none)"));
	if (p->mx_dropped)
		buf_printf(b, _(" and %zu more"), p->mx_dropped);
	buf_adds(b, p->valid ? _(": valid") : _(": NOT VALID"));
	mtasts_say(cb, ctx, !p->valid, b);
	mtasts_say_defects(cb, ctx, _("policy"), &p->defects, b);
}

static void mtasts_lines_tlsrpt(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx, struct buf *b)
{
	bool bad = mtasts_lookup_failed(&r->tlsrpt) || (r->rpt.n_records && !r->rpt.valid);

	buf_adds(b, "TLS-RPT ");
	if (mtasts_lookup_head(&r->tlsrpt, b)) {
		if (r->rpt.record)
			buf_printf(b, _("%s; reports go to %s"), r->rpt.record, mtasts_or(r->rpt.rua, _("nobody")));
		else
			buf_adds(b, _("no v=TLSRPTv1 record: TLS failures are not reported to the domain"));
		if (r->rpt.n_records > 1)
			buf_printf(b, _(" (and %zu more v=TLSRPTv1 records)"), r->rpt.n_records - 1);
		if (r->rpt.n_records && !r->rpt.valid)
			buf_adds(b, _(": NOT VALID, senders send no reports"));
	} else if (!bad) {
		buf_adds(b, _(": TLS failures are not reported to the domain"));
	}
	mtasts_say(cb, ctx, bad, b);
	mtasts_say_defects(cb, ctx, _("TLS-RPT record"), &r->rpt.defects, b);
}

void mtasts_result_lines(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx)
{
	struct buf b;
	bool failure = r->state == MTASTS_STATE_RECORD_INVALID || r->state == MTASTS_STATE_FETCH_FAILED ||
		       r->state == MTASTS_STATE_POLICY_INVALID || r->state == MTASTS_STATE_DNS_FAILED;

	buf_init(&b);
	buf_printf(&b, _("MTA-STS of %s"), r->shown);
	if (strcmp(r->shown, r->domain) != 0)
		buf_printf(&b, " (%s)", r->domain);
	buf_printf(&b, _(": TXT _mta-sts.%s, TXT _smtp._tls.%s, then the policy at %s"), r->domain,
		   r->domain, r->url);
	mtasts_say(cb, ctx, false, &b);
	mtasts_lines_sts(r, cb, ctx, &b);
	mtasts_lines_host(r, cb, ctx, &b);
	mtasts_lines_fetch(r, cb, ctx, &b);
	mtasts_lines_policy(r, cb, ctx, &b);
	mtasts_lines_tlsrpt(r, cb, ctx, &b);
	buf_printf(&b, "MTA-STS: %s: %s", mtasts_state_name(r->state), r->summary ? r->summary : "");
	mtasts_say(cb, ctx, failure, &b);
	buf_free(&b);
}

/* ---- JSON (every string escaped already: quoted as it is) ---- */

static void json_str(struct buf *b, const char *key, const char *v, bool comma)
{
	buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
	if (v)
		util_json_string(b, v);
	else
		buf_adds(b, "null");
}

static void json_defects(struct buf *b, const struct mtasts_defects *d)
{
	buf_adds(b, ",\"defects\":[");
	for (size_t i = 0; i < d->n; i++) {
		buf_adds(b, i ? ",{" : "{");
		json_str(b, "id", d->d[i].id, false);
		json_str(b, "text", d->d[i].text, true);
		buf_addc(b, '}');
	}
	buf_printf(b, "],\"defects_dropped\":%zu", d->dropped);
}

static void json_lookup(struct buf *b, const char *key, const struct mtasts_lookup *l, bool comma)
{
	buf_printf(b, "%s\"%s\":{", comma ? "," : "", key);
	json_str(b, "name", l->name, false);
	json_str(b, "type", dns_type_name(l->type), true);
	json_str(b, "outcome", mtasts_lookup_name(l->outcome), true);
	json_str(b, "dnssec", l->outcome == MTASTS_LOOKUP_NOT_ASKED ? NULL : dns_security_name(l->sec), true);
	json_str(b, "reason", l->reason, true);
	buf_printf(b, ",\"records\":%zu", l->n);
	if (l->type == DNS_A || l->type == DNS_AAAA) {
		buf_adds(b, ",\"addresses\":[");
		for (size_t i = 0; i < mtasts_addresses(l); i++) {
			if (i)
				buf_addc(b, ',');
			util_json_string(b, l->addr[i]);
		}
		buf_addc(b, ']');
	}
	buf_addc(b, '}');
}

static void json_fetch(struct buf *b, const struct mtasts_result *r)
{
	const struct https_result *h = r->http;
	struct buf t;

	buf_init(&t);
	mtasts_fetch_text(r, &t);
	buf_adds(b, ",\"fetch\":{");
	json_str(b, "result", mtasts_fetch_name(r->fetch), false);
	json_str(b, "text", t.data, true);
	json_str(b, "url", r->url, true);
	json_str(b, "connect_addr", r->connect_addr, true);
	json_str(b, "connect_port", r->connect_addr ? mtasts_or(r->connect_port, MTASTS_POLICY_PORT) : NULL, true);
	json_str(b, "connect_to", r->connect_rule, true);
	json_str(b, "outcome", h ? https_outcome_name(h->outcome) : NULL, true);
	if (h && h->status)
		buf_printf(b, ",\"status\":%ld", h->status);
	else
		buf_adds(b, ",\"status\":null");
	json_str(b, "content_type", h ? h->content_type : NULL, true);
	json_str(b, "location", h ? h->location : NULL, true);
	json_str(b, "error", h ? h->error : NULL, true);
	json_str(b, "peer", h ? h->peer : NULL, true);
	if (h)
		buf_printf(b, ",\"bytes\":%zu,\"elapsed_ms\":%ld}", h->len, h->elapsed_ms);
	else
		buf_adds(b, ",\"bytes\":null,\"elapsed_ms\":null}");
	buf_free(&t);
}

static void json_policy(struct buf *b, const struct mtasts_result *r)
{
	const struct mtasts_policy *p = &r->policy;

	if (!r->have_policy) {
		buf_adds(b, ",\"policy\":null");
		return;
	}
	buf_printf(b, ",\"policy\":{\"valid\":%s", p->valid ? "true" : "false");
	json_str(b, "version", p->version, true);
	json_str(b, "mode", p->mode == MTASTS_MODE_NONE_GIVEN ? NULL : mtasts_mode_name(p->mode), true);
	if (p->max_age >= 0)
		buf_printf(b, ",\"max_age\":%ld", p->max_age);
	else
		buf_adds(b, ",\"max_age\":null");
	buf_adds(b, ",\"mx\":[");
	for (size_t i = 0; i < p->n_mx; i++) {
		if (i)
			buf_addc(b, ',');
		util_json_string(b, p->mx[i]);
	}
	buf_printf(b, "],\"mx_dropped\":%zu", p->mx_dropped);
	json_defects(b, &p->defects);
	buf_addc(b, '}');
}

/* The STS or TLS-RPT record's check: key, and its one field of note. */
static void json_record(struct buf *b, const char *key, size_t n, bool valid, const char *record,
			const char *field, const char *value, const struct mtasts_defects *d)
{
	buf_printf(b, ",\"%s\":{\"records\":%zu,\"valid\":%s", key, n, valid ? "true" : "false");
	json_str(b, "record", record, true);
	json_str(b, field, value, true);
	json_defects(b, d);
	buf_addc(b, '}');
}

void mtasts_result_json(const struct mtasts_result *r, struct buf *b)
{
	buf_addc(b, '{');
	json_str(b, "domain", r->domain, false);
	json_str(b, "shown", r->shown, true);
	json_str(b, "policy_host", r->policy_host, true);
	json_str(b, "state", mtasts_state_name(r->state), true);
	buf_printf(b, ",\"exit_status\":%d", mtasts_exit_status(r->state));
	json_str(b, "summary", r->summary, true);
	buf_adds(b, ",\"lookups\":{");
	json_lookup(b, "sts", &r->sts, false);
	json_lookup(b, "tlsrpt", &r->tlsrpt, true);
	json_lookup(b, "a", &r->a, true);
	json_lookup(b, "aaaa", &r->aaaa, true);
	buf_addc(b, '}');
	json_record(b, "record", r->txt.n_records, r->txt.valid, r->txt.record, "id", r->txt.id,
		    &r->txt.defects);
	json_fetch(b, r);
	json_policy(b, r);
	json_record(b, "tlsrpt", r->rpt.n_records, r->rpt.valid, r->rpt.record, "rua", r->rpt.rua,
		    &r->rpt.defects);
	buf_addc(b, '}');
}
