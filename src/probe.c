/* probe: the engine of `smtpscope probe` (see probe.h).  The rules of the
 * verdict are in verdict.c; this file runs the probe: the DNS steps (the
 * MX lookup and the plan, each host's AAAA, A and TLSA, whether DANE
 * applies to each host), the notes on long waits, the MTA-STS check and
 * the blocklist lookups beside them, and the verdict once everything is
 * in; its lines go out as they come (line mode, or a front-end).  The
 * client session per (host, address) attempt, a few at a time, is in
 * probe-session.c; the sender's SPF and DMARC in probe-sender.c; the
 * result (the table, or one JSON object at the end) in probe-report.c.
 * What they share is in probe-private.h. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpscope/client.h"
#include "smtpscope/dane.h"
#include "smtpscope/dns.h"
#include "smtpscope/dnsbl.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/mx.h"
#include "smtpscope/probe.h"
#include "smtpscope/session.h"
#include "smtpscope/tlsa.h"
#include "smtpscope/util.h"
#include "smtpscope/verdict.h"
#include "probe-private.h"

#define PROBE_EXIT_USAGE 2

/* ---- sans-I/O helpers ---- */

char *probe_split_target(const char *target, char **address)
{
	const char *at = strrchr(target, '@');
	const char *dom = at ? at + 1 : target;
	size_t n = strlen(dom);

	*address = NULL;
	if (n > 0 && dom[n - 1] == '.')
		n--;
	if (n == 0)
		return NULL;
	if (at && at > target)
		*address = xstrdup(target);
	return xmemdup(dom, n);
}

bool probe_names_equal(const char *a, const char *b)
{
	size_t na, nb;

	if (a == NULL || b == NULL)
		return false;
	na = strlen(a), nb = strlen(b);
	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na > 0 && na == nb && util_strnieq(a, b, na);
}

char *probe_reply_name(const char *text)
{
	size_t n = 0;

	if (text == NULL)
		return NULL;
	while (*text == ' ' || *text == '\t')
		text++;
	while (text[n] && text[n] != ' ' && text[n] != '\t')
		n++;
	return n ? xmemdup(text, n) : NULL;
}

/* A textual address as bytes: family and 16 octets; false if neither. */
static bool probe_addr_bytes(const char *s, int *family, unsigned char out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

bool probe_fcrdns(const char *address, const char *const *forward, size_t n)
{
	unsigned char a[16], b[16];
	int fa, fb;

	if (address == NULL || !probe_addr_bytes(address, &fa, a))
		return false;
	for (size_t i = 0; i < n; i++)
		if (forward[i] && probe_addr_bytes(forward[i], &fb, b) && fa == fb &&
		    memcmp(a, b, 16) == 0)
			return true;
	return false;
}

void probe_json_text(struct buf *out, const char *s)
{
	char *e;

	if (s == NULL) {
		buf_adds(out, "null");
		return;
	}
	e = util_escape_dup(s, strlen(s));
	util_json_string(out, e);
	free(e);
}

/* ---- the lines ---- */

void probe_flush(struct probe *p)
{
	if (p->out.len && p->o->line) { /* the TUI: line by line */
		char *l = p->out.data, *nl;

		while ((nl = strchr(l, '\n')) != NULL) {
			*nl = '\0';
			p->o->line(p->o->front_ctx, l, p->in_result);
			l = nl + 1;
		}
		buf_clear(&p->out);
	} else if (p->out.len) {
		fwrite(p->out.data, 1, p->out.len, p->o->out);
		fflush(p->o->out);
		buf_clear(&p->out);
	}
}

static void probe_say(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line of our own (already escaped where it holds foreign text). */
static void probe_say(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->o->json)
		return;
	va_start(ap, fmt);
	buf_vprintf(&p->out, fmt, ap);
	va_end(ap);
	buf_addc(&p->out, '\n');
	probe_flush(p);
}

/* A line of our own: the attempt's label ("" for none), the printer's
 * marker ("=== ", "!!! ", "  # ": never translated, the TUI colours by
 * it), then the text, translated by the caller. */
void probe_mark(struct probe *p, const char *label, const char *mark, const char *fmt, ...)
{
	va_list ap;

	if (p->o->json)
		return;
	buf_adds(&p->out, label);
	buf_adds(&p->out, mark);
	va_start(ap, fmt);
	buf_vprintf(&p->out, fmt, ap);
	va_end(ap);
	buf_addc(&p->out, '\n');
	probe_flush(p);
}

static void probe_wait_note(struct probe *p, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A long wait: said in line mode like any step; with --json on stderr, so
 * that stdout stays one JSON object and a person still sees the wait. */
static void probe_wait_note(struct probe *p, const char *label, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, label);
	buf_adds(&b, "=== ");
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (p->o->json) {
		fprintf(stderr, "smtpscope probe: %s\n", b.data);
	} else {
		buf_adds(&p->out, b.data);
		buf_addc(&p->out, '\n');
		probe_flush(p);
	}
	buf_free(&b);
}

/* ---- --relay-test ---- */

/* The relay test's recipient: relay-test@ a random label under .invalid
 * (RFC 2606: never a real domain), so no cache or list knows it. */
static char *probe_relay_recipient(struct mx_rng *rng)
{
	unsigned hi = mx_rng_next(rng, 0x10000), lo = mx_rng_next(rng, 0x10000);

	return xasprintf("relay-test@smtpscope-%04x%04x.invalid", hi, lo);
}

/* ---- the DNS steps ---- */

static void probe_show_plan(struct probe *p)
{
	probe_mark(p, "", "=== ", _("MX of %s [%s]: %s"), p->plan.domain_shown,
		   p->plan.secure ? _("secure") : _("not DNSSEC-validated"), p->plan.summary);
	for (size_t i = 0; i < p->plan.n_hosts; i++) {
		const struct mx_host *h = &p->plan.hosts[i];

		probe_say(p, "===   %zu. %s: %s", i + 1, h->shown, h->why ? h->why : "");
	}
	for (size_t i = 0; i < p->plan.n_plan_notes; i++)
		probe_say(p, "!!! %s", p->plan.notes[i].text);
}

/* A DANE or MTA-STS finding explained by the knowledge base's
 * [tls-error] entry that matches text, as the transcript explains a TLS
 * failure. */
void probe_kb_tls(struct probe *p, const char *label, const char *text)
{
	const struct kb_tls_error *t = p->o->kb ? kb_tls_error_match(p->o->kb, text) : NULL;

	if (t == NULL)
		return;
	probe_say(p, "%s  # %s", label, t->title);
	probe_mark(p, label, "  # ", _("likely cause: %s"), t->cause);
	probe_mark(p, label, "  # ", _("next step: %s"), t->next);
}

/* RFC 7672 2.2: whether DANE applies to each MX host, said once per host
 * that publishes TLSA records or whose TLSA lookup failed. */
static void probe_dane_hosts(struct probe *p)
{
	p->dane = xcalloc(p->plan.n_hosts ? p->plan.n_hosts : 1, sizeof *p->dane);
	for (size_t i = 0; i < p->plan.n_hosts; i++) {
		const struct mx_host *h = &p->plan.hosts[i];
		struct dane_host *d = &p->dane[i];

		dane_host_decide(d, h->host, p->plan.secure, h->addr_secure, p->hq[i].tlsa);
		if (d->state == DANE_NONE)
			continue;
		probe_mark(p, "", d->state == DANE_USABLE ? "=== " : "!!! ", _("DANE: %s"), d->why);
		if (d->kb_text)
			probe_kb_tls(p, "", d->kb_text);
	}
}

static void probe_addresses_done(struct probe *p)
{
	struct mx_host_lookup *r = xcalloc(p->plan.n_hosts ? p->plan.n_hosts : 1, sizeof *r);

	for (size_t i = 0; i < p->plan.n_hosts; i++) {
		struct dns_answer *ans[2] = { p->hq[i].aaaa, p->hq[i].a };
		struct mx_addr_result *out[2] = { &r[i].aaaa, &r[i].a };

		for (int k = 0; k < 2; k++) {
			struct dns_answer *x = ans[k];

			if (x == NULL) {
				out[k]->status = MX_TEMPFAIL;
				continue;
			}
			out[k]->status = x->temporary ? MX_TEMPFAIL : x->sec == DNS_BOGUS ? MX_BOGUS
				: x->nxdomain ? MX_NXDOMAIN : x->n == 0 ? MX_NODATA : MX_ANSWER;
			out[k]->secure = x->sec == DNS_SECURE;
			out[k]->addrs = (const char *const *)x->addr;
			out[k]->n = x->n;
			out[k]->cname_target = x->canonical;
		}
	}
	mx_plan_addresses(&p->plan, r, p->plan.n_hosts, &p->mxo);
	free(r);
	for (size_t i = 0; i < p->plan.n_hosts; i++)
		probe_say(p, "=== %s: %s", p->plan.hosts[i].shown,
			  p->plan.hosts[i].addr_why ? p->plan.hosts[i].addr_why : _("no addresses"));
	probe_dane_hosts(p);
	for (size_t i = p->plan.n_plan_notes; i < p->plan.n_notes; i++)
		probe_say(p, "!!! %s", p->plan.notes[i].text);
	p->waiting = NULL;
	p->n_slots = p->plan.n_attempts;
	if (p->n_slots == 0) {
		probe_finish(p);
		return;
	}
	p->slots = xcalloc(p->n_slots, sizeof *p->slots);
	p->res_attempts = xcalloc(p->n_slots, sizeof *p->res_attempts);
	for (size_t i = 0; i < p->n_slots; i++) {
		struct probe_slot *sl = &p->slots[i];
		const struct mx_attempt *ma = &p->plan.attempts[i];
		char *addr = util_escape_dup(ma->address, strlen(ma->address));

		sl->p = p;
		sl->i = i;
		sl->pa = &p->res_attempts[i];
		sl->pa->host = p->plan.hosts[ma->host].host;
		sl->pa->address = ma->address;
		sl->pa->from = ma;
		sl->label = xasprintf("[%s %s] ", p->plan.hosts[ma->host].shown, addr);
		free(addr);
	}
	probe_mark(p, "", "=== ", ngettext("%zu attempt, up to %zu at a time",
					    "%zu attempts, up to %zu at a time", p->n_slots),
		   p->n_slots, p->parallel);
	probe_start_slots(p);
}

struct probe_addrq {
	struct probe *p;
	size_t host;
	enum dns_type type; /* AAAA, A, or TLSA (RFC 7672: _PORT._tcp.HOST) */
};

static void probe_on_addr(void *ctx, struct dns_answer *ans)
{
	struct probe_addrq *q = ctx;
	struct probe *p = q->p;
	struct probe_hostq *h = &p->hq[q->host];

	*(q->type == DNS_AAAA ? &h->aaaa : q->type == DNS_A ? &h->a : &h->tlsa) = ans;
	free(q);
	if (--p->addr_pending == 0)
		probe_addresses_done(p);
}

static void probe_on_mx(void *ctx, struct dns_answer *ans)
{
	struct probe *p = ctx;
	struct mx_lookup lk = { 0 };
	struct mx_rr *rr = xcalloc(ans->n ? ans->n : 1, sizeof *rr);

	p->mx_answer = ans;
	for (size_t i = 0; i < ans->n; i++)
		rr[i].pref = ans->mx[i].pref, rr[i].host = ans->mx[i].host;
	lk.status = ans->temporary ? MX_TEMPFAIL : ans->sec == DNS_BOGUS ? MX_BOGUS
		: ans->nxdomain ? MX_NXDOMAIN : ans->n == 0 ? MX_NODATA : MX_ANSWER;
	lk.secure = ans->sec == DNS_SECURE;
	lk.rr = rr;
	lk.n = ans->n;
	lk.cname_target = ans->canonical;
	lk.why_bogus = ans->why_bogus ? ans->why_bogus : ans->error;
	mx_plan_make(&p->plan, p->domain, &lk, &p->mxo);
	p->have_plan = true;
	free(rr);
	probe_show_plan(p);
	if (p->plan.outcome != MX_PLAN_HOSTS && p->plan.outcome != MX_PLAN_IMPLICIT) {
		probe_finish(p);
		return;
	}
	p->hq = xcalloc(p->plan.n_hosts ? p->plan.n_hosts : 1, sizeof *p->hq);
	p->addr_pending = 1; /* held while the lookups start */
	p->waiting = _("the A, AAAA and TLSA lookups of the MX hosts");
	p->wait_since_ms = loop_now_ms();
	for (size_t i = 0; i < p->plan.n_hosts; i++) {
		static const enum dns_type types[] = { DNS_AAAA, DNS_A, DNS_TLSA };
		char *tlsa = tlsa_name(p->plan.hosts[i].host, p->o->port ? p->o->port : "25");

		for (size_t k = 0; k < UTIL_ARRAY_LEN(types); k++) {
			struct probe_addrq *q = xcalloc(1, sizeof *q);
			char *err = NULL;

			q->p = p, q->host = i, q->type = types[k];
			p->addr_pending++;
			if (!dns_query(p->dns, types[k] == DNS_TLSA ? tlsa : p->plan.hosts[i].host,
				       types[k], probe_on_addr, q, &err)) {
				probe_say(p, "!!! %s: %s", p->plan.hosts[i].shown, err ? err : "?");
				free(err);
				free(q);
				p->addr_pending--;
			}
		}
		free(tlsa);
	}
	if (--p->addr_pending == 0)
		probe_addresses_done(p);
}

/* ---- waits ---- */

/* What a phase waits for, for the long-wait notes. */
static const char *const probe_phase_wait[] = {
	[PH_CONNECT] = N_("the TCP connection"),
	[PH_GREETING] = N_("the greeting"),
	[PH_EHLO] = N_("the reply to EHLO"),
	[PH_HELO] = N_("the reply to HELO"),
	[PH_STARTTLS] = N_("the reply to STARTTLS"),
	[PH_TLS] = N_("the TLS handshake and the EHLO after it"),
	[PH_MAIL] = N_("the reply to MAIL FROM"),
	[PH_RCPT] = N_("the reply to RCPT TO"),
	[PH_RELAY] = N_("the reply to the relay test's RCPT TO"),
	[PH_RSET] = N_("the reply to RSET"),
	[PH_QUIT] = N_("the reply to QUIT"),
	[PH_CLOSED] = N_("nothing"),
};

static void probe_tick(void *ctx)
{
	struct probe *p = ctx;
	int64_t now = loop_now_ms();

	p->ticker = loop_timer(p->loop, 1000, probe_tick, p);
	if (p->waiting && now - p->wait_since_ms >= PROBE_WAIT_REPORT_MS &&
	    now - p->last_report_ms >= PROBE_WAIT_REPORT_MS) {
		p->last_report_ms = now;
		/* ui-probe.c knows these lines by their words up to the %s */
		probe_wait_note(p, "", _("still waiting for %s: %lld s so far (a lookup gives up after %d s)"),
			  p->waiting, (long long)((now - p->wait_since_ms) / 1000),
			  (p->o->dns.timeout_ms ? p->o->dns.timeout_ms : DNS_TIMEOUT_MS) / 1000);
	}
	for (size_t i = 0; i < p->n_slots; i++) {
		struct probe_slot *sl = &p->slots[i];
		int64_t limit;

		if (!sl->started || sl->done || sl->phase == PH_CLOSED)
			continue;
		if (now - sl->wait_since_ms < PROBE_WAIT_REPORT_MS ||
		    now - sl->last_report_ms < PROBE_WAIT_REPORT_MS)
			continue;
		sl->last_report_ms = now;
		limit = sl->phase == PH_CONNECT ? p->o->client.connect_timeout_ms
			: p->o->client.reply_timeout_ms;
		probe_wait_note(p, sl->label, _("still waiting for %s: %lld s so far (gives up after %lld s)"),
			  _(probe_phase_wait[sl->phase]),
			  (long long)((now - sl->wait_since_ms) / 1000), (long long)(limit / 1000));
	}
}

/* ---- --blocklists ---- */

static void probe_blocklists_done(void *ctx)
{
	struct probe *p = ctx;

	p->bl_done = true;
	p->waiting = NULL;
	probe_finish(p);
}

/* Starts the blocklist lookups once the attempts are over (the sending
 * address is known then): the given IP, or each distinct local address
 * the connections used.  True while they run. */
static bool probe_blocklists_pending(struct probe *p)
{
	const char **addrs;
	size_t n = 0;

	if (!p->o->blocklists || p->bl_done)
		return false;
	if (p->bl_started)
		return true;
	p->bl_started = true;
	addrs = xcalloc(p->n_slots + 1, sizeof *addrs);
	if (p->o->blocklist_ip) {
		addrs[n++] = p->o->blocklist_ip;
	} else {
		for (size_t i = 0; i < p->n_slots; i++) {
			const char *la = p->slots[i].local_addr;
			bool seen = la == NULL;

			for (size_t k = 0; !seen && k < n; k++)
				seen = strcmp(addrs[k], la) == 0;
			if (!seen)
				addrs[n++] = la;
		}
	}
	if (n == 0)
		probe_mark(p, "", "=== ", "%s", _("blocklists: no connection was made, so no sending "
			   "address to look up (give one: --blocklists IP)"));
	else {
		char *zones = xasprintf(ngettext("%zu zone", "%zu zones", p->bl_list.n), p->bl_list.n);

		probe_mark(p, "", "=== ", ngettext("blocklists: %zu address in the %s of %s (RFC 5782)",
						    "blocklists: %zu addresses in the %s of %s (RFC 5782)",
						    n), n, zones, p->bl_path);
		free(zones);
	}
	p->waiting = _("the blocklist lookups");
	p->wait_since_ms = loop_now_ms();
	dnsbl_start(p->dns, &p->bl_list, addrs, n, probe_blocklists_done, p, &p->bl);
	free(addrs);
	return !p->bl_done;
}

/* ---- MTA-STS (RFC 8461) ---- */

static void probe_sts_line(void *ctx, bool warn, const char *text)
{
	probe_say(ctx, "%s %s", warn ? "!!!" : "===", text);
}

static void probe_on_sts(void *ctx, struct mtasts_result *r)
{
	struct probe *p = ctx;

	p->sts = NULL;
	p->sts_res = r;
	/* no record: one line; otherwise the whole check, as smtpscope mtasts */
	if (!p->o->json && r->state == MTASTS_STATE_NONE)
		probe_mark(p, "", "=== ", _("MTA-STS: %s: %s"), mtasts_state_name(r->state), r->summary);
	else if (!p->o->json)
		mtasts_result_lines(r, probe_sts_line, p);
	if (p->sts_finish_wanted)
		probe_finish(p);
}

static void probe_sts_start(struct probe *p)
{
	struct mtasts_options mo = {
		.domain = p->domain,
		.connect_to = &p->o->client.connect_to,
		.cafile = p->o->client.tls.cafile,
		.capath = p->o->client.tls.capath,
	};
	char *err = NULL;

	p->sts = mtasts_start(p->loop, p->dns, &mo, probe_on_sts, p, &err);
	if (p->sts == NULL) {
		probe_mark(p, "", "!!! ", _("MTA-STS: not looked up: %s"), err ? err : "?");
		free(err);
	}
}

/* The domain's MTA-STS policy applied to each attempt (RFC 8461 4, 5),
 * where DANE does not apply: DANE wins where an MX has usable TLSA
 * records (or a failed TLSA lookup, which already makes it unusable). */
static void probe_sts_apply(struct probe *p)
{
	const struct mtasts_result *r = p->sts_res;

	if (r == NULL || !r->have_policy ||
	    (r->state != MTASTS_STATE_ENFORCE && r->state != MTASTS_STATE_TESTING))
		return;
	for (size_t i = 0; i < p->n_slots; i++) {
		struct probe_slot *sl = &p->slots[i];
		struct probe_attempt *a = sl->pa;
		const struct dane_host *d = p->dane ? &p->dane[a->from->host] : NULL;
		struct mtasts_mx_check c;

		if (a->conn != PROBE_CONNECTED || (d && (d->state == DANE_USABLE ||
							 d->state == DANE_LOOKUP_FAILED)))
			continue;
		mtasts_mx_apply(&r->policy, a->host, a->tls.ok, a->tls.verified, sl->tls_version, &c);
		free(sl->auth_text);
		sl->auth_text = c.text;
		a->tls.auth_text = sl->auth_text;
		a->tls.auth = c.refused ? PROBE_AUTH_STS_FAILED : c.reported ? PROBE_AUTH_STS_TESTING
			: c.verdict == MTASTS_MX_OK ? PROBE_AUTH_STS_OK : PROBE_AUTH_OPPORTUNISTIC;
		sl->sts_verdict = c.verdict;
		sl->sts_checked = true;
		if (!p->o->json)
			probe_mark(p, sl->label, c.ok ? "=== " : "!!! ", _("MTA-STS (%s): %s%s"),
				   mtasts_mode_name(r->policy.mode), c.refused
				   ? _("FAILED, a sender that enforces the policy does not deliver here: ")
				   : c.reported ? _("would fail (mode testing: delivered, and reported): ") : "",
				   c.text ? c.text : mtasts_mx_verdict_name(c.verdict));
		c.text = NULL;
		mtasts_mx_check_free(&c);
	}
}

/* ---- the run ---- */

void probe_finish(struct probe *p)
{
	struct probe_result r = { .plan = p->have_plan ? &p->plan : NULL,
				  .attempts = p->res_attempts, .n = p->n_slots };

	if (p->decided || probe_blocklists_pending(p))
		return;
	/* Blocklist lookups that end at once (nothing to look up) call back
	 * into this function, which has decided by now. */
	if (p->decided)
		return;
	if (p->sts) { /* the verdict waits for the MTA-STS policy */
		p->sts_finish_wanted = true;
		p->waiting = mtasts_waiting(p->sts);
		p->wait_since_ms = loop_now_ms();
		return;
	}
	if (p->sender.pending) { /* the verdict waits for the sender's lookups */
		p->sender.finish_wanted = true;
		p->waiting = _("the SPF and DMARC lookups of the sender domain");
		p->wait_since_ms = loop_now_ms();
		return;
	}
	p->decided = true;
	p->waiting = NULL;
	probe_sts_apply(p);
	verdict_decide(&r, &p->verdict);
	if (p->o->json) {
		probe_json(p);
	} else {
		p->in_result = true;
		probe_table(p);
		if (p->o->blocklists)
			probe_blocklists_say(p);
		probe_sender_table(p);
		probe_mark(p, "", "=== ", _("verdict: %s (exit %d): %s"), verdict_name(p->verdict.kind),
			   p->verdict.exit_status, p->verdict.conclusion ? p->verdict.conclusion : "");
		probe_mark(p, "", "=== ", _("next step: %s"), p->verdict.next_step ? p->verdict.next_step : "");
		probe_relay_summary(p);
	}
	loop_stop(p->loop);
}

static void probe_free(struct probe *p)
{
	for (size_t i = 0; i < p->n_slots; i++) {
		struct probe_slot *sl = &p->slots[i];

		if (sl->timer)
			loop_cancel(p->loop, sl->timer);
		if (sl->c)
			client_free(sl->c);
		if (sl->s)
			session_free(sl->s);
		free(sl->label);
		free(sl->ptr_name);
		free(sl->banner);
		free(sl->ehlo_name);
		free(sl->conn_error);
		free(sl->tls_error);
		free(sl->auth_text);
		free(sl->local_addr);
		for (int k = 0; k < R__COUNT; k++)
			free(sl->text[k]);
	}
	free(p->slots);
	free(p->res_attempts);
	for (size_t i = 0; p->hq && i < p->plan.n_hosts; i++) {
		if (p->hq[i].aaaa)
			dns_answer_free(p->hq[i].aaaa);
		if (p->hq[i].a)
			dns_answer_free(p->hq[i].a);
		if (p->hq[i].tlsa)
			dns_answer_free(p->hq[i].tlsa);
		if (p->dane)
			dane_host_free(&p->dane[i]);
	}
	free(p->hq);
	free(p->dane);
	if (p->sts)
		mtasts_cancel(p->sts);
	mtasts_result_free(p->sts_res);
	if (p->mx_answer)
		dns_answer_free(p->mx_answer);
	if (p->have_plan)
		mx_plan_free(&p->plan);
	if (p->decided)
		verdict_free(&p->verdict);
	free(p->domain);
	free(p->address);
	free(p->rcpt_to);
	free(p->relay_to);
	dnsbl_free(p->bl);
	dnsbl_list_free(&p->bl_list);
	free(p->bl_path);
	probe_sender_free(p);
	buf_free(&p->out);
}

int probe_run(const struct probe_options *o)
{
	struct probe p;
	char *err = NULL, *ascii;
	int status;

	memset(&p, 0, sizeof p);
	p.o = o;
	buf_init(&p.out);
	p.print.annotate = true;
	p.print.timing = true;
	p.print.kb = o->kb;
	p.parallel = o->parallel ? o->parallel : PROBE_DEFAULT_PARALLEL;
	p.domain = probe_split_target(o->target, &p.address);
	if (p.domain == NULL) {
		fprintf(stderr, "smtpscope probe: ");
		fprintf(stderr, _("\"%s\" has no domain: expected ADDRESS (user@domain) or DOMAIN"),
			o->target);
		fputc('\n', stderr);
		probe_free(&p);
		return PROBE_EXIT_USAGE;
	}
	ascii = dns_name_to_ascii(p.domain, &err);
	if (ascii == NULL) {
		fprintf(stderr, "smtpscope probe: %s\n", err ? err : _("bad domain"));
		free(err);
		probe_free(&p);
		return PROBE_EXIT_USAGE;
	}
	free(p.domain);
	p.domain = ascii;
	/* a domain alone: RCPT asks for its postmaster (RFC 5321 4.5.1) */
	p.rcpt_to = p.address ? xstrdup(p.address) : xasprintf("postmaster@%s", p.domain);
	mx_rng_seed(&p.rng, o->seed ? o->seed : (uint64_t)time(NULL) ^ (uint64_t)loop_now_ms());
	if (o->relay_test)
		p.relay_to = probe_relay_recipient(&p.rng);
	p.mxo.random = mx_rng_next;
	p.mxo.random_arg = &p.rng;
	if (o->blocklists) {
		p.bl_path = o->blocklists_file ? xstrdup(o->blocklists_file)
			: xasprintf("%s/blocklists.txt", kb_default_dir());
		if (!dnsbl_list_load(&p.bl_list, p.bl_path, &err)) {
			fprintf(stderr, "smtpscope probe: --blocklists: %s\n", err ? err : p.bl_path);
			free(err);
			probe_free(&p);
			return PROBE_EXIT_USAGE;
		}
	}
	p.loop = loop_new();
	p.dns = dns_new(p.loop, &o->dns, &err);
	if (p.dns == NULL) {
		fprintf(stderr, "smtpscope probe: %s\n", err ? err : _("the resolver could not be set up"));
		free(err);
		loop_free(p.loop);
		probe_free(&p);
		return PROBE_EXIT_USAGE;
	}
	p.start_ms = loop_now_ms();
	if (!dns_query(p.dns, p.domain, DNS_MX, probe_on_mx, &p, &err)) {
		fprintf(stderr, "smtpscope probe: %s\n", err ? err : _("cannot look the domain up"));
		free(err);
		dns_free(p.dns);
		loop_free(p.loop);
		probe_free(&p);
		return PROBE_EXIT_USAGE;
	}
	if (o->attach) /* the probe starts: a front-end takes the terminal */
		o->attach(o->front_ctx, p.loop);
	{
		char *shown = util_escape_dup(o->target, strlen(o->target));

		probe_mark(&p, "", "=== ", _("probing %s: the MX lookup of %s, then every MX as a "
			   "sending MTA tries them (never DATA)"), shown, p.domain);
		free(shown);
		if (p.address == NULL)
			probe_mark(&p, "", "=== ", _("a domain without a mailbox: RCPT TO asks for "
				   "postmaster@%s, which every domain must have (RFC 5321 4.5.1)"), p.domain);
	}
	probe_sender_start(&p);
	probe_sts_start(&p);
	p.waiting = _("the MX lookup");
	p.wait_since_ms = loop_now_ms();
	p.ticker = loop_timer(p.loop, 1000, probe_tick, &p);
	loop_run(p.loop);
	if (p.ticker)
		loop_cancel(p.loop, p.ticker);
	status = p.decided ? p.verdict.exit_status : verdict_exit_status(VERDICT_INCOMPLETE);
	probe_free(&p);
	dns_free(p.dns);
	loop_free(p.loop);
	return status;
}
