/* /mx DOMAIN and /connect --mx ADDRESS|DOMAIN: where mail for a domain
 * goes, found as a sending MTA finds it (RFC 5321 5.1, RFC 7505).
 *
 * On the loop, never blocking: the MX lookup (dns.c), the plan
 * (mx_plan_make), the AAAA and A lookups of every host of the plan at
 * once (at most MX_MAX_HOSTS hosts, so 2 * MX_MAX_HOSTS lookups), the
 * address step (mx_plan_addresses), then the plan printed.  /connect --mx
 * goes on to connect to the attempts in order, the next one after a
 * connect failure, each labelled "MX k of n" (the status bar shows it).
 * While the lookups are out, cmd_dns_busy() holds the front-end's queue;
 * while a connect is, client_busy() does. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpscope/cmd.h"
#include "smtpscope/dane.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/mx.h"
#include "smtpscope/tlsa.h"
#include "smtpscope/transport.h"

struct cmd_mx;

/* Lookups per MX host: AAAA, A and TLSA. */
#define CMD_MX_PER_HOST 3

/* The callback's context of one address lookup: which it is. */
struct cmd_mx_slot {
	struct cmd_mx *m;
	size_t i;
};

/* One connection attempt of /connect --mx. */
struct cmd_mx_try {
	size_t host;   /* index into plan.hosts */
	char *address; /* from the DNS, or NULL: --connect-to says where */
};

struct cmd_mx {
	struct cmd_ctx *ctx;
	struct dns *dns;
	bool connect;             /* /connect --mx */
	char *domain;             /* ASCII form, asked */
	char *shown;              /* as typed, with the ASCII form if different */
	struct dns_query *mx_q;
	struct mx_plan plan;
	bool planned;
	bool alias;               /* the domain is a CNAME: the first note says so */
	/* Per host: [3i] its AAAA answer, [3i + 1] its A answer, [3i + 2] its
	 * TLSA answer (_PORT._tcp.HOST, RFC 7672). */
	struct dns_answer **ans;
	struct dane_host *dane;   /* per host, once the answers are in */
	struct dns_query **q;
	struct cmd_mx_slot *slots;
	size_t pending;
	struct cmd_mx_try *tries;
	size_t n_tries, next;
	char *where;              /* the attempt in flight: "127.0.0.3" ... */
	struct mx_rng rng;
	/* /connect --mx: the domain's MTA-STS (RFC 8461), looked up beside the
	 * MX; its policy is applied to the MX after /starttls, when both the
	 * handshake and the policy are in, whichever comes last */
	struct mtasts_check *sts;
	struct mtasts_result *sts_res;
	bool tls_seen, tls_verified;
	int tls_version;
	size_t tls_host;
};

static void cmd_mx_drop(struct cmd_mx *m)
{
	size_t n = m->planned ? CMD_MX_PER_HOST * m->plan.n_hosts : 0;

	if (m->mx_q)
		dns_cancel(m->dns, m->mx_q);
	for (size_t i = 0; i < n; i++) {
		if (m->q && m->q[i])
			dns_cancel(m->dns, m->q[i]);
		if (m->ans && m->ans[i])
			dns_answer_free(m->ans[i]);
	}
	if (m->sts)
		mtasts_cancel(m->sts);
	mtasts_result_free(m->sts_res);
	for (size_t i = 0; m->dane && i < m->plan.n_hosts; i++)
		dane_host_free(&m->dane[i]);
	free(m->dane);
	for (size_t i = 0; i < m->n_tries; i++)
		free(m->tries[i].address);
	free(m->tries);
	free(m->where);
	free(m->ans);
	free(m->q);
	free(m->slots);
	if (m->planned)
		mx_plan_free(&m->plan);
	free(m->domain);
	free(m->shown);
	free(m);
}

void cmd_mx_free(struct cmd_ctx *ctx)
{
	if (ctx->mx == NULL)
		return;
	client_route_forget(ctx->client, ctx->mx);
	cmd_mx_drop(ctx->mx);
	ctx->mx = NULL;
}

/* What one answer says, in the mx module's terms (bogus first, as /dns
 * reads it: a validation failure may come with a failure rcode too). */
static enum mx_status cmd_mx_status(const struct dns_answer *a)
{
	if (a && a->sec == DNS_BOGUS)
		return MX_BOGUS;
	if (a == NULL || a->temporary)
		return MX_TEMPFAIL;
	if (a->nxdomain)
		return MX_NXDOMAIN;
	return a->n ? MX_ANSWER : MX_NODATA;
}

static void cmd_mx_print_addresses(struct cmd_mx *m, size_t i)
{
	struct session *s = m->ctx->session;

	for (size_t k = CMD_MX_PER_HOST * i; k < CMD_MX_PER_HOST * i + 2; k++) {
		const struct dns_answer *a = m->ans[k];

		for (size_t j = 0; a && a->sec != DNS_BOGUS && j < a->n; j++)
			session_text(s, SESSION_NOTE, "      %s %s [%s]", dns_type_name(a->type),
				     a->addr[j], dns_security_name(a->sec));
	}
}

/* The plan's notes of one host (-1: the domain): defects and bounds,
 * except the first of a domain that is an alias, which says it was
 * followed. */
static void cmd_mx_print_notes(struct cmd_mx *m, int host)
{
	for (size_t i = 0; i < m->plan.n_notes; i++)
		if (m->plan.notes[i].host == host)
			session_text(m->ctx->session, i == 0 && m->alias ? SESSION_NOTE : SESSION_WARN,
				     "%s%s", host < 0 ? "" : "    ", m->plan.notes[i].text);
}

static void cmd_mx_print(struct cmd_mx *m)
{
	const struct mx_plan *p = &m->plan;
	struct session *s = m->ctx->session;
	bool usable = p->outcome == MX_PLAN_HOSTS || p->outcome == MX_PLAN_IMPLICIT;

	session_text(s, usable || p->outcome == MX_PLAN_NULL || p->outcome == MX_PLAN_NXDOMAIN
			 ? SESSION_NOTE : SESSION_ERROR,
		     "MX %s: %s", m->shown, p->summary);
	cmd_mx_print_notes(m, -1);
	for (size_t i = 0; i < p->n_hosts; i++) {
		const struct mx_host *h = &p->hosts[i];

		session_text(s, SESSION_NOTE, "  %zu. %s%s: %s; %s", i + 1, h->shown,
			     h->group_size > 1 ? _(" (equal preference)") : "", h->why,
			     h->addr_why ? h->addr_why : _("addresses not looked up"));
		cmd_mx_print_addresses(m, i);
		cmd_mx_print_notes(m, (int)i);
		if (m->dane[i].state != DANE_NONE)
			session_text(s, m->dane[i].state == DANE_USABLE ? SESSION_NOTE : SESSION_WARN,
				     "    DANE: %s", m->dane[i].why);
	}
}

/* ---- /connect --mx ---------------------------------------------------- */

static void cmd_mx_next(struct cmd_mx *m);

/* The domain's MTA-STS policy applied to the MX this session is on, after
 * its handshake (RFC 8461 4, 5); DANE wins where the MX has usable TLSA
 * records. */
static void cmd_mx_sts_apply(struct cmd_mx *m)
{
	const struct mtasts_result *r = m->sts_res;
	const struct mx_host *h = &m->plan.hosts[m->tls_host];
	struct mtasts_mx_check c;

	if (!r || !m->tls_seen || !r->have_policy ||
	    (r->state != MTASTS_STATE_ENFORCE && r->state != MTASTS_STATE_TESTING) ||
	    m->dane[m->tls_host].state == DANE_USABLE)
		return;
	mtasts_mx_apply(&r->policy, h->host, true, m->tls_verified, m->tls_version, &c);
	client_set_peer_auth(m->ctx->client, c.ok ? _("MTA-STS-verified")
			     : c.refused ? _("MTA-STS FAILED") : _("MTA-STS fails (testing)"));
	session_text(m->ctx->session, c.ok ? SESSION_NOTE : SESSION_WARN, "MTA-STS (%s): %s%s",
		     mtasts_mode_name(r->policy.mode), c.refused
		     ? _("FAILED, a sender that enforces the policy does not deliver to this MX: ")
		     : c.reported ? _("would fail (mode testing: delivered, and reported): ") : "",
		     c.text ? c.text : mtasts_mx_verdict_name(c.verdict));
	mtasts_mx_check_free(&c);
}

static void cmd_mx_tls_done(void *arg, const struct tls_conn *t)
{
	struct cmd_mx *m = arg;

	m->tls_seen = true;
	m->tls_verified = tls_verified(t);
	m->tls_version = tls_version_number(t);
	m->tls_host = m->tries[m->next - 1].host;
	cmd_mx_sts_apply(m);
}

static void cmd_mx_on_sts(void *arg, struct mtasts_result *r)
{
	struct cmd_mx *m = arg;
	bool fine = r->state == MTASTS_STATE_NONE || r->state == MTASTS_STATE_ENFORCE ||
		    r->state == MTASTS_STATE_TESTING || r->state == MTASTS_STATE_MODE_NONE;

	m->sts = NULL;
	m->sts_res = r;
	session_text(m->ctx->session, fine ? SESSION_NOTE : SESSION_WARN, _("MTA-STS of %s: %s: %s%s"),
		     m->shown, mtasts_state_name(r->state), r->summary,
		     r->state == MTASTS_STATE_ENFORCE || r->state == MTASTS_STATE_TESTING
		     ? _(" (applied to the MX after /starttls; /mtasts shows the whole check)") : "");
	cmd_mx_sts_apply(m);
}

static void cmd_mx_sts_start(struct cmd_mx *m)
{
	const struct client_options *co = client_options(m->ctx->client);
	struct mtasts_options o = {
		.domain = m->domain, .connect_to = &co->connect_to,
		.cafile = co->tls.cafile, .capath = co->tls.capath,
	};
	char *err = NULL;

	m->sts = mtasts_start(m->ctx->loop, m->dns, &o, cmd_mx_on_sts, m, &err);
	if (m->sts == NULL) {
		session_text(m->ctx->session, SESSION_WARN, _("MTA-STS of %s: not looked up: %s"),
			     m->shown, err ? err : "?");
		free(err);
	}
}

bool cmd_mx_busy(const struct cmd_ctx *ctx)
{
	return ctx->mx && ctx->mx->sts;
}

static void cmd_mx_connected(void *arg, bool connected)
{
	struct cmd_mx *m = arg;
	const struct cmd_mx_try *t = &m->tries[m->next - 1];

	if (connected) {
		session_text(m->ctx->session, SESSION_NOTE, _("MX %zu of %zu: %s [%s] answered: this "
			       "session is on it"), t->host + 1, m->plan.n_hosts,
			     m->plan.hosts[t->host].shown, m->where);
		return;
	}
	cmd_mx_next(m);
}

static void cmd_mx_next(struct cmd_mx *m)
{
	struct cmd_ctx *ctx = m->ctx;
	const char *port = ctx->default_port;
	const struct cmd_mx_try *t;
	const struct mx_host *h;
	char *label, *addr = NULL, *aport = NULL;

	if (m->next == m->n_tries) {
		session_text(ctx->session, SESSION_ERROR,
			     ngettext("/connect --mx %s: no MX answered (%zu attempt on port %s): a "
				      "sender would queue the message and retry later",
				      "/connect --mx %s: no MX answered (%zu attempts on port %s): a "
				      "sender would queue the message and retry later", m->n_tries),
			     m->shown, m->n_tries, port);
		return;
	}
	t = &m->tries[m->next++];
	h = &m->plan.hosts[t->host];
	free(m->where);
	if (t->address == NULL &&
	    transport_connect_to_match(&client_options(ctx->client)->connect_to, h->host, port,
				       &addr, &aport, NULL))
		m->where = xasprintf("%s port %s, --connect-to", addr, aport);
	else
		m->where = xstrdup(t->address ? t->address : h->host);
	label = xasprintf(_("MX %zu of %zu"), t->host + 1, m->plan.n_hosts);
	session_text(ctx->session, SESSION_NOTE, "%s: %s [%s]%s", label, h->shown, m->where,
		     m->next < m->n_tries ? "" : _(", the last to try"));
	client_connect_route(ctx->client, &(struct client_route){
		.host = h->host, .port = port, .address = t->address, .label = label,
		.more = m->next < m->n_tries, .done = cmd_mx_connected, .tls_done = cmd_mx_tls_done,
		.arg = m,
		.dane = m->dane[t->host].state == DANE_USABLE ? &m->dane[t->host].tls : NULL });
	free(label);
	free(addr);
	free(aport);
}

static void cmd_mx_add_try(struct cmd_mx *m, size_t host, const char *address)
{
	m->tries = xrealloc(m->tries, (m->n_tries + 1) * sizeof *m->tries);
	m->tries[m->n_tries].host = host;
	m->tries[m->n_tries].address = address ? xstrdup(address) : NULL;
	m->n_tries++;
}

/* The attempts: each host in plan order; one rewritten by --connect-to
 * is one attempt (its DNS addresses do not matter), otherwise its
 * addresses from the plan, those of a family -4 / -6 excludes left out. */
static void cmd_mx_connect(struct cmd_mx *m)
{
	struct cmd_ctx *ctx = m->ctx;
	const struct client_options *o = client_options(ctx->client);

	if (m->plan.outcome != MX_PLAN_HOSTS && m->plan.outcome != MX_PLAN_IMPLICIT) {
		session_text(ctx->session, SESSION_ERROR, _("/connect --mx %s: no host to connect to"),
			     m->shown);
		ctx->failures++;
		return;
	}
	for (size_t i = 0; i < m->plan.n_hosts; i++) {
		char *addr = NULL, *port = NULL;

		if (transport_connect_to_match(&o->connect_to, m->plan.hosts[i].host,
					       ctx->default_port, &addr, &port, NULL)) {
			cmd_mx_add_try(m, i, NULL);
			free(addr);
			free(port);
			continue;
		}
		for (size_t k = 0; k < m->plan.n_attempts; k++) {
			const struct mx_attempt *a = &m->plan.attempts[k];

			if (a->host == i && !(o->family == AF_INET && a->ipv6) &&
			    !(o->family == AF_INET6 && !a->ipv6))
				cmd_mx_add_try(m, i, a->address);
		}
	}
	if (m->n_tries == 0) {
		session_text(ctx->session, SESSION_ERROR, _("/connect --mx %s: no MX host has an "
			       "address to connect to"), m->shown);
		ctx->failures++;
		return;
	}
	cmd_mx_next(m);
}

/* ---- the lookups ------------------------------------------------------ */

static void cmd_mx_addresses_done(struct cmd_mx *m)
{
	struct mx_host_lookup *r = xcalloc(m->plan.n_hosts ? m->plan.n_hosts : 1, sizeof *r);

	for (size_t i = 0; i < m->plan.n_hosts; i++) {
		struct mx_addr_result *fam[2] = { &r[i].aaaa, &r[i].a };

		for (size_t k = 0; k < 2; k++) {
			const struct dns_answer *a = m->ans[CMD_MX_PER_HOST * i + k];

			fam[k]->status = cmd_mx_status(a);
			fam[k]->secure = a && a->sec == DNS_SECURE;
			fam[k]->addrs = a ? (const char *const *)a->addr : NULL;
			fam[k]->n = a ? a->n : 0;
			fam[k]->cname_target = a ? a->canonical : NULL;
		}
	}
	mx_plan_addresses(&m->plan, r, m->plan.n_hosts, NULL);
	free(r);
	m->dane = xcalloc(m->plan.n_hosts ? m->plan.n_hosts : 1, sizeof *m->dane);
	for (size_t i = 0; i < m->plan.n_hosts; i++)
		dane_host_decide(&m->dane[i], m->plan.hosts[i].host, m->plan.secure,
				 m->plan.hosts[i].addr_secure, m->ans[CMD_MX_PER_HOST * i + 2]);
	cmd_mx_print(m);
	if (m->connect)
		cmd_mx_connect(m);
}

static void cmd_mx_address_answer(void *ctx, struct dns_answer *a)
{
	struct cmd_mx_slot *slot = ctx;
	struct cmd_mx *m = slot->m;

	m->q[slot->i] = NULL;
	m->ans[slot->i] = a;
	if (--m->pending == 0)
		cmd_mx_addresses_done(m);
}

static void cmd_mx_answer(void *ctx, struct dns_answer *a)
{
	struct cmd_mx *m = ctx;
	struct mx_rr *rr = xcalloc(a->n ? a->n : 1, sizeof *rr);
	struct mx_lookup lk = {
		.status = cmd_mx_status(a), .secure = a->sec == DNS_SECURE, .rr = rr, .n = a->n,
		.cname_target = a->canonical, .why_bogus = a->why_bogus,
	};
	struct mx_options o = { .random = mx_rng_next, .random_arg = &m->rng };
	size_t n;

	m->mx_q = NULL;
	for (size_t i = 0; i < a->n; i++)
		rr[i] = (struct mx_rr){ a->mx[i].pref, a->mx[i].host };
	mx_plan_make(&m->plan, m->domain, &lk, &o);
	m->planned = true;
	m->alias = a->canonical != NULL;
	free(rr);
	dns_answer_free(a);
	n = CMD_MX_PER_HOST * m->plan.n_hosts;
	m->ans = xcalloc(n ? n : 1, sizeof *m->ans);
	m->q = xcalloc(n ? n : 1, sizeof *m->q);
	m->slots = xcalloc(n ? n : 1, sizeof *m->slots);
	/* All of them at once; the answers may come in any order. */
	m->pending = n + 1;
	for (size_t i = 0; i < n; i++) {
		char *err = NULL;

		static const enum dns_type types[CMD_MX_PER_HOST] = { DNS_AAAA, DNS_A, DNS_TLSA };
		const char *host = m->plan.hosts[i / CMD_MX_PER_HOST].host;
		enum dns_type t = types[i % CMD_MX_PER_HOST];
		char *tlsa = t == DNS_TLSA ? tlsa_name(host, m->ctx->default_port) : NULL;

		m->slots[i] = (struct cmd_mx_slot){ m, i };
		m->q[i] = dns_query(m->dns, tlsa ? tlsa : host, t, cmd_mx_address_answer,
				    &m->slots[i], &err);
		free(tlsa);
		if (m->q[i] == NULL) {
			m->pending--; /* counted as a temporary failure */
			free(err);
		}
	}
	if (--m->pending == 0)
		cmd_mx_addresses_done(m);
}

int cmd_mx_start(struct cmd_ctx *ctx, const char *target, bool connect)
{
	const char *at = strrchr(target, '@');
	const char *domain = at ? at + 1 : target;
	char *err = NULL, *ascii;
	struct dns *d;
	struct cmd_mx *m;

	if (*domain == '\0')
		return cmd_fail(ctx, xasprintf(_("%s: \"%s\" has no domain: give a domain "
						 "(example.org) or an address (user@example.org)"),
					       connect ? "/connect --mx" : "/mx", target), NULL);
	if ((ascii = dns_name_to_ascii(domain, &err)) == NULL)
		return cmd_fail(ctx, err, _("not a domain name"));
	if ((d = cmd_dns_resolver(ctx, &err)) == NULL) {
		free(ascii);
		return cmd_fail(ctx, err, _("the resolver could not be set up"));
	}
	cmd_mx_free(ctx);
	m = xcalloc(1, sizeof *m);
	m->ctx = ctx;
	m->dns = d;
	m->connect = connect;
	m->domain = ascii;
	mx_rng_seed(&m->rng, (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)m);
	if (strcmp(ascii, domain) == 0)
		m->shown = util_escape_dup(domain, strlen(domain));
	else {
		char *typed = util_escape_dup(domain, strlen(domain));

		m->shown = xasprintf("%s (%s)", typed, ascii);
		free(typed);
	}
	if (at) {
		char *addr = util_escape_dup(target, strlen(target));

		session_text(ctx->session, SESSION_NOTE, _("%s: mail to it goes where its domain's MX "
			       "records say: looking up %s"), addr, m->shown);
		free(addr);
	}
	m->mx_q = dns_query(d, ascii, DNS_MX, cmd_mx_answer, m, &err);
	if (m->mx_q == NULL) {
		cmd_mx_drop(m);
		return cmd_fail(ctx, err, _("the lookup could not be started"));
	}
	ctx->mx = m;
	if (connect)
		cmd_mx_sts_start(m);
	return 0;
}

static int cmd_mx_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	return cmd_mx_start(ctx, argv[1], false);
}

const struct cmd_entry cmd_mx_entry = {
	.name = "mx",
	.args = N_("DOMAIN|ADDRESS"),
	.summary = N_("where mail for a domain goes: its MX hosts in order, their addresses"),
	.help = N_("Looks up DOMAIN's MX records (of an ADDRESS: its domain part) as a sending "
		"server does (RFC 5321 5.1) and lists the hosts in the order a sender tries them: "
		"by preference, hosts of equal preference marked and shuffled; then each host's "
		"AAAA and A addresses, every answer with its DNSSEC status. It says when the "
		"domain has no MX (the implicit MX: the domain's own addresses), a Null MX "
		"(RFC 7505: the domain accepts no mail), an alias (CNAME, followed), does not "
		"exist (NXDOMAIN: permanent), or when the lookup failed for now (temporary: never "
		"read as \"no MX\"). Non-ASCII domains are converted (IDNA2008). /connect --mx "
		"connects to the first that answers."),
	.complete = CMD_COMPLETE_DOMAIN,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_mx_run,
};
