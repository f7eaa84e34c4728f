/* probe-sender: the sender's side of `smtpscope probe --from` (see
 * probe.h): the SPF and DMARC records of its domain, looked up beside
 * the MX and checked by sendpol.c, said as they come, in the final table
 * and in the JSON. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/probe.h"
#include "smtpscope/sendpol.h"
#include "smtpscope/util.h"
#include "probe-private.h"

/* ---- the sender's side (--from): SPF and DMARC of its domain ---- */

/* The lookup's outcome in one word, for the lines and the JSON. */
static const char *sender_lookup_name(const struct dns_answer *a)
{
	if (a == NULL)
		return NULL;
	if (a->temporary)
		return "tempfail";
	if (a->nxdomain)
		return "nxdomain";
	return a->nodata || a->n == 0 ? "nodata" : "answer";
}

/* "insecure", "bogus: REASON" ... (escaped), newly allocated. */
static char *sender_status_text(const struct dns_answer *a)
{
	const char *why = a->why_bogus ? a->why_bogus : a->error;
	char *w, *s;

	if (a->temporary || a->sec == DNS_BOGUS) {
		const char *r = why ? why : _("no reason given");

		w = util_escape_dup(r, strlen(r));
		s = a->temporary ? xasprintf(_("temporary failure: %s"), w) : xasprintf(_("bogus: %s"), w);
		free(w);
		return s;
	}
	return xstrdup(dns_security_name(a->sec));
}

/* The answer's TXT strings, for the checks; arrays to free. */
static size_t sender_txts(const struct dns_answer *a, const char ***txt, size_t **len)
{
	size_t n = a->temporary || a->sec == DNS_BOGUS ? 0 : a->n;

	*txt = xcalloc(n ? n : 1, sizeof **txt);
	*len = xcalloc(n ? n : 1, sizeof **len);
	for (size_t i = 0; i < n; i++)
		(*txt)[i] = a->txt[i].text, (*len)[i] = a->txt[i].len;
	return n;
}

static void sender_say_defects(struct probe *p, const char *what, const struct sendpol_defects *d)
{
	for (size_t i = 0; i < d->n; i++)
		probe_mark(p, "", "!!! ", _("sender %s: %s: %s"), what, d->d[i].id, d->d[i].text);
	if (d->dropped)
		probe_mark(p, "", "!!! ", _("sender %s: %zu more defects not shown"), what, d->dropped);
}

static void sender_on_spf(void *ctx, struct dns_answer *a)
{
	struct probe *p = ctx;
	const char **txt;
	size_t *len, n = sender_txts(a, &txt, &len);
	char *st = sender_status_text(a);

	p->sender.spf_ans = a;
	spf_check(txt, len, n, &p->sender.spf);
	if (p->sender.spf.record)
		probe_mark(p, "", "=== ", _("sender SPF of %s (%s): %s"), p->sender.domain, st,
			   p->sender.spf.record);
	else
		probe_mark(p, "", "=== ", _("sender SPF of %s (%s): %s"), p->sender.domain, st,
			   a->temporary ? _("not known: the lookup failed") : a->sec == DNS_BOGUS
			   ? _("not usable: DNSSEC validation failed")
			   : _("no SPF record (receivers get \"none\": anyone may claim this domain)"));
	sender_say_defects(p, "SPF", &p->sender.spf.defects);
	free(st), free(txt), free(len);
	if (--p->sender.pending == 0 && p->sender.finish_wanted)
		probe_finish(p);
}

static void sender_on_dmarc(void *ctx, struct dns_answer *a)
{
	struct probe *p = ctx;
	const char **txt;
	size_t *len, n = sender_txts(a, &txt, &len);
	char *st = sender_status_text(a);
	struct dmarc_check *d = &p->sender.dmarc;

	p->sender.dmarc_ans = a;
	dmarc_check(txt, len, n, d);
	if (d->record) {
		probe_mark(p, "", "=== ", _("sender DMARC of %s (_dmarc.%s, %s): %s"), p->sender.domain,
			   p->sender.domain, st, d->record);
		probe_mark(p, "", "=== ", _("sender DMARC policy: p=%s%s%s, aggregate reports (rua) to "
			   "%s, failure reports (ruf) to %s"),
			   d->p ? d->p : _("(none given)"), d->sp ? ", sp=" : "", d->sp ? d->sp : "",
			   d->rua ? d->rua : _("nobody"), d->ruf ? d->ruf : _("nobody"));
	} else {
		probe_mark(p, "", "=== ", _("sender DMARC of %s (_dmarc.%s, %s): %s"), p->sender.domain,
			   p->sender.domain, st, a->temporary ? _("not known: the lookup failed")
			   : a->sec == DNS_BOGUS ? _("not usable: DNSSEC validation failed")
			   : _("no DMARC record (receivers apply no DMARC policy)"));
	}
	sender_say_defects(p, "DMARC", &d->defects);
	free(st), free(txt), free(len);
	if (--p->sender.pending == 0 && p->sender.finish_wanted)
		probe_finish(p);
}

/* Starts the two TXT lookups of --from's domain; nothing for <> or a
 * sender without a domain. */
void probe_sender_start(struct probe *p)
{
	char *addr = NULL, *dom, *err = NULL, *name;

	if (p->o->from == NULL || (dom = probe_split_target(p->o->from, &addr)) == NULL)
		return;
	if (addr == NULL) { /* "--from domain": no address, nothing to look up */
		free(dom);
		return;
	}
	free(addr);
	p->sender.domain = dns_name_to_ascii(dom, &err);
	free(dom);
	if (p->sender.domain == NULL) {
		probe_mark(p, "", "!!! ", _("sender: the domain of --from cannot be looked up: %s"),
			   err ? err : "?");
		free(err);
		return;
	}
	probe_mark(p, "", "=== ", _("the sender's side: the SPF record (TXT at %s) and the DMARC "
		   "record (TXT at _dmarc.%s)"), p->sender.domain, p->sender.domain);
	if (dns_query(p->dns, p->sender.domain, DNS_TXT, sender_on_spf, p, &err))
		p->sender.pending++;
	else
		probe_mark(p, "", "!!! ", _("sender SPF: %s"), err ? err : "?"), free(err), err = NULL;
	name = xasprintf("_dmarc.%s", p->sender.domain);
	if (dns_query(p->dns, name, DNS_TXT, sender_on_dmarc, p, &err))
		p->sender.pending++;
	else
		probe_mark(p, "", "!!! ", _("sender DMARC: %s"), err ? err : "?"), free(err);
	free(name);
}

/* The sender's lines of the final table. */
void probe_sender_table(struct probe *p)
{
	const struct spf_check *s = &p->sender.spf;
	const struct dmarc_check *d = &p->sender.dmarc;
	char *st;

	if (p->sender.domain == NULL || p->sender.pending)
		return;
	if (p->sender.spf_ans) {
		st = sender_status_text(p->sender.spf_ans);
		char *rec = xasprintf(ngettext("%zu record", "%zu records", s->n_records), s->n_records);
		char *def = xasprintf(ngettext("%zu defect", "%zu defects", s->defects.n), s->defects.n);

		probe_mark(p, "", "=== ", _("sender %s: SPF (%s, %s) %s, all %s, %s"), p->sender.domain,
			   st, sender_lookup_name(p->sender.spf_ans), rec, s->all ? s->all : "-", def);
		free(rec), free(def);
		free(st);
	}
	if (p->sender.dmarc_ans) {
		st = sender_status_text(p->sender.dmarc_ans);
		char *rec = xasprintf(ngettext("%zu record", "%zu records", d->n_records), d->n_records);
		char *def = xasprintf(ngettext("%zu defect", "%zu defects", d->defects.n), d->defects.n);

		probe_mark(p, "", "=== ", _("sender %s: DMARC (%s, %s) %s, p=%s%s, %s"), p->sender.domain,
			   st, sender_lookup_name(p->sender.dmarc_ans), rec, d->p ? d->p : "-",
			   d->p && !d->p_valid ? _(" (invalid)") : "", def);
		free(rec), free(def);
		free(st);
	}
}

static void sender_json_defects(struct buf *b, const struct sendpol_defects *d)
{
	buf_adds(b, ",\"defects\":[");
	for (size_t i = 0; i < d->n; i++) {
		buf_adds(b, i ? ",{\"id\":" : "{\"id\":");
		probe_json_text(b, d->d[i].id);
		buf_adds(b, ",\"text\":");
		probe_json_text(b, d->d[i].text);
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

static void sender_json_lookup(struct buf *b, const struct dns_answer *a)
{
	buf_adds(b, "{\"lookup\":");
	probe_json_text(b, sender_lookup_name(a));
	buf_adds(b, ",\"dnssec\":");
	probe_json_text(b, a ? dns_security_name(a->sec) : NULL);
	buf_adds(b, ",\"why_bogus\":");
	probe_json_text(b, a ? a->why_bogus : NULL);
}

/* ,"KEY":"VALUE" (or null) */
static void sender_json_str(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	probe_json_text(b, v);
}

/* ,"sender":{...} or ,"sender":null */
void probe_sender_json(struct probe *p, struct buf *b)
{
	const struct spf_check *s = &p->sender.spf;
	const struct dmarc_check *d = &p->sender.dmarc;
	const char q[2] = { s->qualifier, 0 };

	if (p->sender.domain == NULL) {
		buf_adds(b, ",\"sender\":null");
		return;
	}
	buf_adds(b, ",\"sender\":{\"domain\":");
	probe_json_text(b, p->sender.domain);
	buf_adds(b, ",\"spf\":");
	sender_json_lookup(b, p->sender.spf_ans);
	buf_printf(b, ",\"records\":%zu", s->n_records);
	sender_json_str(b, "record", s->record);
	sender_json_str(b, "all", s->all);
	sender_json_str(b, "all_qualifier", s->qualifier ? q : NULL);
	sender_json_str(b, "redirect", s->redirect);
	buf_printf(b, ",\"terms\":%zu,\"dns_lookups\":%zu", s->n_terms, s->lookups);
	sender_json_defects(b, &s->defects);
	buf_adds(b, "},\"dmarc\":");
	sender_json_lookup(b, p->sender.dmarc_ans);
	buf_printf(b, ",\"records\":%zu", d->n_records);
	sender_json_str(b, "record", d->record);
	sender_json_str(b, "p", d->p);
	probe_json_bool(b, "p_valid", d->p_valid);
	sender_json_str(b, "sp", d->sp);
	if (d->pct >= 0)
		buf_printf(b, ",\"pct\":%d", d->pct);
	else
		buf_adds(b, ",\"pct\":null");
	sender_json_str(b, "rua", d->rua);
	sender_json_str(b, "ruf", d->ruf);
	sender_json_defects(b, &d->defects);
	buf_adds(b, "}}");
}

void probe_sender_free(struct probe *p)
{
	if (p->sender.spf_ans)
		dns_answer_free(p->sender.spf_ans);
	if (p->sender.dmarc_ans)
		dns_answer_free(p->sender.dmarc_ans);
	spf_check_free(&p->sender.spf);
	dmarc_check_free(&p->sender.dmarc);
	free(p->sender.domain);
}
