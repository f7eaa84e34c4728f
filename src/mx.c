/* mx: the order a sender tries a domain's hosts in.
 *
 * RFC 5321 section 5.1: MX records sorted by preference, lowest first;
 * hosts of equal preference in random order; no MX RRset = the domain
 * itself with preference 0 (the "implicit MX"); a CNAME of the domain is
 * followed; an MX must name a host, not an address or an alias (also
 * RFC 2181 section 10.3).  RFC 7505: one MX of preference 0 and exchange
 * "." says the domain accepts no mail, with no fallback to A/AAAA.
 * RFC 8305 section 4: addresses of both families interleaved. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/mx.h"
#include "smtpscope/util.h"

/* The MX record of an RFC 7505 Null MX names the root: "." or nothing. */
static bool mx_is_root(const char *host)
{
	return host == NULL || host[0] == '\0' || strcmp(host, ".") == 0;
}

/* A copy without the trailing dot of an absolute name. */
static char *mx_name_dup(const char *s)
{
	size_t n = strlen(s);

	if (n > 1 && s[n - 1] == '.')
		n--;
	return xmemdup(s, n);
}

static char *mx_escape(const char *s)
{
	return util_escape_dup(s, strlen(s));
}

/* An address where a host name belongs: "[192.0.2.1]", "192.0.2.1", or
 * anything with a colon (no host name has one). */
static bool mx_is_ip_literal(const char *h)
{
	size_t dots = 0, digits = 0;

	if (h[0] == '[' || strchr(h, ':') != NULL)
		return true;
	for (const char *c = h; *c; c++) {
		if (*c == '.') {
			if (digits == 0 || digits > 3)
				return false;
			dots++;
			digits = 0;
		} else if (*c >= '0' && *c <= '9') {
			digits++;
		} else {
			return false;
		}
	}
	return dots == 3 && digits > 0 && digits <= 3;
}

void mx_rng_seed(struct mx_rng *r, uint64_t seed)
{
	r->state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* xorshift64*: small, fast, and the same sequence for the same seed. */
uint32_t mx_rng_next(void *rng, uint32_t bound)
{
	struct mx_rng *r = rng;
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return bound ? (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32) % bound : 0;
}

const char *mx_outcome_name(enum mx_outcome o)
{
	static const char *const names[] = {
		[MX_PLAN_HOSTS] = "hosts",       [MX_PLAN_IMPLICIT] = "implicit",
		[MX_PLAN_NULL] = "null-mx",      [MX_PLAN_NXDOMAIN] = "nxdomain",
		[MX_PLAN_TEMPFAIL] = "tempfail", [MX_PLAN_BOGUS] = "bogus",
	};
	return (size_t)o < UTIL_ARRAY_LEN(names) && names[o] ? names[o] : "?";
}

const char *mx_status_name(enum mx_status s)
{
	static const char *const names[] = {
		[MX_ANSWER] = "answer",     [MX_NODATA] = "nodata", [MX_NXDOMAIN] = "nxdomain",
		[MX_TEMPFAIL] = "tempfail", [MX_BOGUS] = "bogus",
	};
	return (size_t)s < UTIL_ARRAY_LEN(names) && names[s] ? names[s] : "?";
}

static void mx_note(struct mx_plan *p, int host, char *text)
{
	p->notes = xrealloc(p->notes, (p->n_notes + 1) * sizeof(*p->notes));
	p->notes[p->n_notes].host = host;
	p->notes[p->n_notes].text = text;
	p->n_notes++;
}

static struct mx_host *mx_add_host(struct mx_plan *p, const char *name, unsigned pref)
{
	struct mx_host *h;

	p->hosts = xrealloc(p->hosts, (p->n_hosts + 1) * sizeof(*p->hosts));
	h = &p->hosts[p->n_hosts++];
	memset(h, 0, sizeof(*h));
	h->host = mx_name_dup(name);
	h->shown = mx_escape(h->host);
	h->pref = pref;
	return h;
}

static const char *mx_dnssec_words(bool secure)
{
	return secure ? _("DNSSEC-secure") : _("not DNSSEC-validated");
}

/* No MX RRset: the domain (or the name its CNAME leads to) is its own
 * host, preference 0. */
static void mx_plan_implicit(struct mx_plan *p, const char *name)
{
	struct mx_host *h = mx_add_host(p, name, 0);

	h->flags = MX_HOST_IMPLICIT;
	h->group_size = 1;
	h->why = xasprintf(_("implicit MX: %s has no MX records, so its own A/AAAA addresses "
			   "take mail (RFC 5321 5.1)"), p->domain_shown);
	p->outcome = MX_PLAN_IMPLICIT;
	p->summary = xasprintf(_("%s has no MX records (%s): a sender delivers to the domain's own "
			       "addresses, the implicit MX %s"), p->domain_shown,
			       mx_dnssec_words(p->secure), h->shown);
}

struct mx_rec {
	unsigned pref;
	const char *host;
	size_t order; /* position in the answer, for a stable sort */
};

static int mx_rec_cmp(const void *a, const void *b)
{
	const struct mx_rec *x = a, *y = b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorted records -> hosts, dropping duplicates and the root; returns the
 * number of root ("." ) records seen, and the first one's preference. */
static size_t mx_plan_collect(struct mx_plan *p, const struct mx_rec *rec, size_t n,
			      unsigned *root_pref)
{
	size_t roots = 0;

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		if (mx_is_root(rec[i].host)) {
			if (roots++ == 0)
				*root_pref = rec[i].pref;
			continue;
		}
		for (size_t j = 0; j < p->n_hosts && !dup; j++) {
			if (!util_name_eq(p->hosts[j].host, rec[i].host))
				continue;
			dup = true;
			mx_note(p, (int)j, xasprintf(_("%s is listed more than once (preferences %u and %u): "
						     "kept once, at %u"), p->hosts[j].shown,
						     p->hosts[j].pref, rec[i].pref, p->hosts[j].pref));
		}
		if (!dup)
			mx_add_host(p, rec[i].host, rec[i].pref);
	}
	return roots;
}

/* Equal preferences: a random order within each group (Fisher-Yates),
 * and each host told its group. */
static void mx_plan_groups(struct mx_plan *p, const struct mx_options *o)
{
	size_t group = 0;

	for (size_t start = 0; start < p->n_hosts; group++) {
		size_t end = start + 1;

		while (end < p->n_hosts && p->hosts[end].pref == p->hosts[start].pref)
			end++;
		if (end - start > 1 && o->random) {
			for (size_t i = end - start - 1; i > 0; i--) {
				/* The modulo keeps a careless source in bounds. */
				size_t j = start + o->random(o->random_arg, (uint32_t)(i + 1)) % (i + 1);
				struct mx_host t = p->hosts[start + i];

				p->hosts[start + i] = p->hosts[j];
				p->hosts[j] = t;
			}
		}
		for (size_t i = start; i < end; i++) {
			p->hosts[i].group = group;
			p->hosts[i].group_size = end - start;
			if (end - start > 1)
				p->hosts[i].flags |= MX_HOST_SHUFFLED;
		}
		start = end;
	}
}

static void mx_plan_bound(struct mx_plan *p, size_t max)
{
	if (p->n_hosts <= max)
		return;
	mx_note(p, -1, xasprintf(_("%s has %zu MX hosts: only the first %zu are tried (bound %zu)"),
				 p->domain_shown, p->n_hosts, max, max));
	for (size_t i = max; i < p->n_hosts; i++) {
		free(p->hosts[i].host);
		free(p->hosts[i].shown);
	}
	for (size_t i = 0; i < p->n_notes; i++)
		if (p->notes[i].host >= (int)max)
			p->notes[i].host = -1; /* its host is gone; the text names it */
	p->n_hosts = max;
}

static void mx_plan_explain_hosts(struct mx_plan *p, const struct mx_options *o)
{
	for (size_t i = 0; i < p->n_hosts; i++) {
		struct mx_host *h = &p->hosts[i];

		if (h->group_size > 1)
			h->why = xasprintf(_("preference %u, try %zu of %zu; one of %zu hosts at this "
					   "preference, %s"), h->pref, i + 1, p->n_hosts, h->group_size,
					   o->random ? _("in random order (RFC 5321 5.1)")
						     : _("in the order of the answer"));
		else
			h->why = xasprintf(_("preference %u, try %zu of %zu"), h->pref, i + 1, p->n_hosts);
		if (mx_is_ip_literal(h->host)) {
			h->flags |= MX_HOST_IP_LITERAL;
			mx_note(p, (int)i, xasprintf(_("the MX %s is an IP address, not a host name: RFC 5321 "
						     "5.1 wants a name with an A or AAAA record; many "
						     "senders skip it"), h->shown));
		}
	}
}

static void mx_plan_records(struct mx_plan *p, const struct mx_lookup *lk,
			    const struct mx_options *o)
{
	struct mx_rec *rec = xcalloc(lk->n, sizeof(*rec));
	unsigned root_pref = 0;
	size_t roots, groups;

	for (size_t i = 0; i < lk->n; i++)
		rec[i] = (struct mx_rec){ lk->rr[i].pref, lk->rr[i].host, i };
	qsort(rec, lk->n, sizeof(*rec), mx_rec_cmp);
	roots = mx_plan_collect(p, rec, lk->n, &root_pref);
	free(rec);
	if (p->n_hosts == 0) {
		p->outcome = MX_PLAN_NULL;
		p->summary = xasprintf(_("%s accepts no mail: its MX is the Null MX \".\" (RFC 7505, %s); "
				       "a sender bounces at once and does not fall back to its "
				       "addresses"), p->domain_shown, mx_dnssec_words(p->secure));
		if (roots > 1)
			mx_note(p, -1, xasprintf(_("the Null MX is listed %zu times: RFC 7505 wants exactly "
						 "one MX record"), roots));
		if (root_pref != 0)
			mx_note(p, -1, xasprintf(_("the Null MX has preference %u: RFC 7505 wants 0 (read as "
						 "a Null MX all the same)"), root_pref));
		return;
	}
	if (roots > 0)
		mx_note(p, -1, xasprintf(_("a Null MX \".\" is listed among %zu other MX records: RFC 7505 "
					 "forbids that; it is ignored and the other hosts are used"),
					 p->n_hosts));
	mx_plan_groups(p, o);
	mx_plan_bound(p, o->max_hosts ? o->max_hosts : MX_MAX_HOSTS);
	mx_plan_explain_hosts(p, o);
	groups = p->hosts[p->n_hosts - 1].group + 1;
	p->outcome = MX_PLAN_HOSTS;
	p->summary = xasprintf(ngettext("%s has %zu MX host (%s), tried in order of preference%s: "
					"first %s",
					"%s has %zu MX hosts (%s), tried in order of preference%s: "
					"first %s", p->n_hosts),
			       p->domain_shown, p->n_hosts, mx_dnssec_words(p->secure),
			       groups < p->n_hosts ? _(", equal preferences in random order") : "",
			       p->hosts[0].shown);
}

void mx_plan_make(struct mx_plan *p, const char *domain, const struct mx_lookup *lk,
		  const struct mx_options *o)
{
	static const struct mx_options defaults;
	const char *name;

	if (!o)
		o = &defaults;
	memset(p, 0, sizeof(*p));
	p->domain = mx_name_dup(domain);
	p->domain_shown = mx_escape(p->domain);
	p->secure = lk->secure;
	name = lk->cname_target ? lk->cname_target : domain;
	if (lk->cname_target) {
		char *t = mx_escape(lk->cname_target);

		mx_note(p, -1, xasprintf(_("%s is an alias (CNAME) of %s: the answer is %s's, as RFC 5321 "
					 "5.1 says"), p->domain_shown, t, t));
		free(t);
	}
	switch (lk->status) {
	case MX_NXDOMAIN:
		p->outcome = MX_PLAN_NXDOMAIN;
		p->summary = xasprintf(_("%s does not exist (NXDOMAIN, %s): that is permanent, a sender "
				       "bounces the message"), p->domain_shown, mx_dnssec_words(p->secure));
		break;
	case MX_TEMPFAIL:
		p->outcome = MX_PLAN_TEMPFAIL;
		p->summary = xasprintf(_("the MX lookup of %s failed temporarily (server failure or "
				       "timeout): a sender retries later; it does not mean there is no MX"),
				       p->domain_shown);
		break;
	case MX_BOGUS: {
		char *why = lk->why_bogus ? mx_escape(lk->why_bogus) : NULL;

		p->outcome = MX_PLAN_BOGUS;
		if (why)
			p->summary = xasprintf(_("the MX answer for %s failed DNSSEC validation (%s): it "
						 "is unusable, a validating sender will not deliver"),
					       p->domain_shown, why);
		else
			p->summary = xasprintf(_("the MX answer for %s failed DNSSEC validation: it is "
						 "unusable, a validating sender will not deliver"),
					       p->domain_shown);
		free(why);
		break;
	}
	case MX_NODATA:
		mx_plan_implicit(p, name);
		break;
	case MX_ANSWER:
		if (lk->n == 0)
			mx_plan_implicit(p, name);
		else
			mx_plan_records(p, lk, o);
		break;
	}
	p->n_plan_notes = p->n_notes;
}

static void mx_plan_clear_attempts(struct mx_plan *p)
{
	for (size_t i = 0; i < p->n_attempts; i++)
		free(p->attempts[i].address);
	free(p->attempts);
	p->attempts = NULL;
	p->n_attempts = 0;
}

void mx_plan_free(struct mx_plan *p)
{
	for (size_t i = 0; i < p->n_hosts; i++) {
		free(p->hosts[i].host);
		free(p->hosts[i].shown);
		free(p->hosts[i].why);
		free(p->hosts[i].addr_why);
	}
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i].text);
	mx_plan_clear_attempts(p);
	free(p->hosts);
	free(p->notes);
	free(p->domain);
	free(p->domain_shown);
	free(p->summary);
	memset(p, 0, sizeof(*p));
}

/* ---- the address step ------------------------------------------------ */

/* The usable addresses of one family, duplicates dropped. */
struct mx_family {
	const char *const *addrs;
	size_t n, next;
	bool ipv6;
};

static bool mx_seen(const char *const *addrs, size_t upto, const char *a)
{
	for (size_t i = 0; i < upto; i++)
		if (util_strieq(addrs[i], a))
			return true;
	return false;
}

/* The next address not seen before in this family, or NULL. */
static const char *mx_family_next(struct mx_family *f)
{
	while (f->next < f->n) {
		const char *a = f->addrs[f->next++];

		if (a && !mx_seen(f->addrs, f->next - 1, a))
			return a;
	}
	return NULL;
}

static size_t mx_family_count(const struct mx_family *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->n; i++)
		if (f->addrs[i] && !mx_seen(f->addrs, i, f->addrs[i]))
			k++;
	return k;
}

static void mx_family_init(struct mx_family *f, const struct mx_addr_result *r, bool ipv6)
{
	f->addrs = r->status == MX_ANSWER ? r->addrs : NULL;
	f->n = r->status == MX_ANSWER && r->addrs ? r->n : 0;
	f->next = 0;
	f->ipv6 = ipv6;
}

static void mx_push_attempt(struct mx_plan *p, size_t host, const char *addr, bool ipv6, bool secure)
{
	struct mx_attempt *a;

	p->attempts = xrealloc(p->attempts, (p->n_attempts + 1) * sizeof(*p->attempts));
	a = &p->attempts[p->n_attempts++];
	a->host = host;
	a->address = xstrdup(addr);
	a->ipv6 = ipv6;
	a->secure = secure;
}

/* A family that failed while the other served. */
static void mx_family_defect(struct mx_plan *p, size_t i, const struct mx_addr_result *r,
			     const char *type)
{
	if (r->status == MX_TEMPFAIL)
		mx_note(p, (int)i, xasprintf(_("the %s lookup of %s failed temporarily"), type,
					     p->hosts[i].shown));
	else if (r->status == MX_BOGUS)
		mx_note(p, (int)i, xasprintf(_("the %s answer for %s failed DNSSEC validation: its "
					     "addresses are not used"), type, p->hosts[i].shown));
}

static void mx_host_state(struct mx_plan *p, size_t i, const struct mx_host_lookup *r,
			  size_t v6, size_t v4)
{
	struct mx_host *h = &p->hosts[i];
	const char *alias = r->aaaa.cname_target ? r->aaaa.cname_target : r->a.cname_target;

	h->addr_secure = p->secure && r->aaaa.secure && r->a.secure;
	if (alias && !(h->flags & MX_HOST_IMPLICIT)) {
		char *t = mx_escape(alias);

		h->flags |= MX_HOST_CNAME;
		mx_note(p, (int)i, xasprintf(_("the MX %s is an alias (CNAME) of %s: RFC 2181 10.3 and RFC "
					     "5321 5.1 say an MX must name the host itself; most senders "
					     "follow it anyway"), h->shown, t));
		free(t);
	}
	if (v6 + v4 > 0) {
		/* One family failed while the other served: worth a note;
		 * when both failed, addr_why says it. */
		mx_family_defect(p, i, &r->aaaa, "AAAA");
		mx_family_defect(p, i, &r->a, "A");
		h->addr_state = MX_ADDR_OK;
		h->addr_why = xasprintf(ngettext("%zu address (%zu IPv6, %zu IPv4)%s",
						 "%zu addresses (%zu IPv6, %zu IPv4)%s", v6 + v4),
					v6 + v4, v6, v4, h->addr_secure ? _(", DNSSEC-secure") : "");
	} else if (r->aaaa.status == MX_BOGUS || r->a.status == MX_BOGUS) {
		h->addr_state = MX_ADDR_BOGUS;
		h->addr_why = xasprintf(_("no usable address: the address answer for %s failed DNSSEC "
					"validation"), h->shown);
	} else if (r->aaaa.status == MX_TEMPFAIL || r->a.status == MX_TEMPFAIL) {
		h->addr_state = MX_ADDR_TEMPFAIL;
		h->addr_why = xasprintf(_("no address yet: the lookup of %s failed temporarily (retry "
					"later)"), h->shown);
	} else {
		h->addr_state = MX_ADDR_NONE;
		if (r->a.status == MX_NXDOMAIN || r->aaaa.status == MX_NXDOMAIN)
			h->addr_why = xasprintf(_("no address: %s does not exist (NXDOMAIN)"), h->shown);
		else
			h->addr_why = xasprintf(_("no address: %s has no A or AAAA record"), h->shown);
	}
}

void mx_plan_addresses(struct mx_plan *p, const struct mx_host_lookup *r, size_t n,
		       const struct mx_options *o)
{
	static const struct mx_options defaults;
	size_t per_host, total;
	bool full_noted = false;

	if (!o)
		o = &defaults;
	per_host = o->max_per_host ? o->max_per_host : MX_MAX_PER_HOST;
	total = o->max_attempts ? o->max_attempts : MX_MAX_ATTEMPTS;
	mx_plan_clear_attempts(p);
	while (p->n_notes > p->n_plan_notes)
		free(p->notes[--p->n_notes].text); /* an earlier address step's */
	for (size_t i = 0; i < p->n_hosts; i++) {
		struct mx_host *h = &p->hosts[i];
		struct mx_family fam[2];
		size_t have, k = 0, turn = 0;

		free(h->addr_why);
		h->addr_why = NULL;
		h->n_addresses = 0;
		h->addr_state = MX_ADDR_UNKNOWN;
		h->addr_secure = false;
		h->flags &= ~(unsigned)MX_HOST_CNAME;
		if (i >= n)
			continue;
		mx_family_init(&fam[0], o->ipv4_first ? &r[i].a : &r[i].aaaa, !o->ipv4_first);
		mx_family_init(&fam[1], o->ipv4_first ? &r[i].aaaa : &r[i].a, o->ipv4_first);
		mx_host_state(p, i, &r[i], mx_family_count(fam[0].ipv6 ? &fam[0] : &fam[1]),
			      mx_family_count(fam[0].ipv6 ? &fam[1] : &fam[0]));
		have = mx_family_count(&fam[0]) + mx_family_count(&fam[1]);
		while (k < have && k < per_host && p->n_attempts < total) {
			const char *a = mx_family_next(&fam[turn]);

			if (a == NULL)
				a = mx_family_next(&fam[turn = !turn]);
			if (a == NULL)
				break;
			mx_push_attempt(p, i, a, fam[turn].ipv6,
					p->secure && (fam[turn].ipv6 ? r[i].aaaa.secure : r[i].a.secure));
			k++;
			turn = !turn;
		}
		h->n_addresses = k;
		if (k < have && k == per_host)
			mx_note(p, (int)i, xasprintf(_("%s has %zu addresses: only %zu are tried (bound %zu "
						     "per host)"), h->shown, have, k, per_host));
		else if (k < have && !full_noted) {
			full_noted = true;
			mx_note(p, (int)i, xasprintf(_("the bound of %zu connection attempts is reached at %s: "
						     "its other addresses and the later hosts are not tried"),
						     total, h->shown));
		}
	}
}
