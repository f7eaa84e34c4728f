/* probe-session: one client session per (host, address) attempt of
 * `smtpscope probe` (see probe.h), a few at a time on the loop: connect,
 * greeting, EHLO (HELO when it is refused), STARTTLS checked for the MX
 * name and recorded, not enforced (a broken handshake: a new connection
 * without it), EHLO, MAIL, RCPT, the relay test's RCPT, RSET, QUIT, never
 * DATA; meanwhile the address's PTR and its forward confirmation.  Each
 * step is printed as the transcript prints it, prefixed with the
 * attempt's label, and each reply recorded with the kb's diagnosis. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/client.h"
#include "smtpscope/dane.h"
#include "smtpscope/dns.h"
#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/mx.h"
#include "smtpscope/printer.h"
#include "smtpscope/probe.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"
#include "smtpscope/verdict.h"
#include "probe-private.h"

/* ---- the sessions ---- */

static void slot_step(void *ctx);

static void slot_schedule(struct probe_slot *sl)
{
	if (sl->timer == 0)
		sl->timer = loop_timer(sl->p->loop, 0, slot_step, sl);
}

static void slot_set_phase(struct probe_slot *sl, enum probe_phase ph)
{
	sl->phase = ph;
	sl->sent = false;
	sl->wait_since_ms = loop_now_ms();
	sl->last_report_ms = 0;
	slot_schedule(sl);
}

/* Records a reply: code, enhanced code, first line, the kb's diagnosis. */
static void slot_record(struct probe_slot *sl, int which, struct probe_reply *pr,
			const struct session_event *ev)
{
	const struct reply *r = ev->reply;
	struct explanation x;
	struct explain_ctx ctx = { .has_verb = true, .verb = ev->verb,
				   .tls_active = ev->encrypted };

	pr->code = r->code > 0 ? r->code : 0;
	free(sl->text[which]);
	sl->text[which] = r->nlines ? xmemdup(r->lines[0].text, r->lines[0].len) : NULL;
	pr->text = sl->text[which];
	explain_init(&x);
	explain_reply(sl->p->o->kb, r, &ctx, &x);
	pr->enhanced = NULL;
	if (x.enh.source != EXPLAIN_ENH_NONE) {
		size_t n = strlen(x.enh.text);

		snprintf(sl->enh[which], sizeof sl->enh[which], "%s", x.enh.text);
		pr->enhanced = sl->enh[which];
		/* the text without the code it starts with (shown apart) */
		if (pr->text && x.enh.source == EXPLAIN_ENH_START &&
		    strncmp(pr->text, x.enh.text, n) == 0 && pr->text[n] == ' ')
			pr->text += n + 1;
	}
	pr->diagnosis = x.diagnosis ? x.diagnosis->id : NULL; /* the kb outlives the run */
	explain_free(&x);
}

static bool slot_offers_starttls(const struct reply *r)
{
	struct caps c;
	bool on;

	caps_init(&c);
	caps_parse(&c, r);
	on = caps_has(&c, CAP_STARTTLS);
	caps_free(&c);
	return on;
}

/* ---- --relay-test ---- */

/* An accepted relay recipient: the server relays for anyone. */
bool probe_slot_open_relay(const struct probe_slot *sl)
{
	return sl->relay.code >= 200 && sl->relay.code < 300;
}

/* The relay test's reply, in words. */
static void slot_relay_said(struct probe_slot *sl)
{
	const struct probe_reply *r = &sl->relay;

	if (probe_slot_open_relay(sl))
		probe_mark(sl->p, sl->label, "!!! ", _("relay test: OPEN RELAY: the server accepted a "
			   "recipient at a domain that does not exist (%d): it would pass anyone's mail on; "
			   "spammers find such servers within hours and blocklists follow"), r->code);
	else if (r->diagnosis && strcmp(r->diagnosis, "relay-denied") == 0)
		probe_mark(sl->p, sl->label, "=== ", _("relay test: refused as relaying (%d): not an open "
			   "relay"), r->code);
	else
		probe_mark(sl->p, sl->label, "=== ", _("relay test: refused (%d%s%s): not an open relay "
			   "for this recipient (a refusal because the domain does not exist also stops "
			   "spammers' random domains, but not real ones)"), r->code,
			   r->diagnosis ? ", " : "", r->diagnosis ? r->diagnosis : "");
}

static void slot_on_reply(struct probe_slot *sl, const struct session_event *ev)
{
	struct probe_attempt *a = sl->pa;
	bool ok = ev->reply->code >= 200 && ev->reply->code < 300;

	switch (ev->verb) {
	case SMTP_V_GREETING:
		slot_record(sl, R_GREETING, &a->greeting, ev);
		sl->greeted_ms = loop_now_ms();
		if (sl->greeted_ms - sl->connected_ms >= PROBE_WAIT_REPORT_MS)
			probe_mark(sl->p, sl->label, "=== ", _("the greeting took %lld s: a deliberate delay "
				   "(a greet pause or tarpit that catches clients talking too early) or an "
				   "overloaded server; a sending MTA waits up to 5 minutes for it (RFC 5321 "
				   "4.5.3.2.1)"), (long long)((sl->greeted_ms - sl->connected_ms) / 1000));
		free(sl->banner);
		sl->banner = probe_reply_name(a->greeting.text);
		slot_set_phase(sl, ok ? PH_EHLO : PH_QUIT);
		break;
	case SMTP_V_EHLO:
		slot_record(sl, R_EHLO, &a->ehlo, ev);
		if (sl->ehlos++ == 0) {
			free(sl->ehlo_name);
			sl->ehlo_name = probe_reply_name(a->ehlo.text);
			a->tls.offered = ok && slot_offers_starttls(ev->reply);
		}
		if (!ok && sl->ehlos == 1 && ev->reply->code >= 500 && ev->reply->code < 600 &&
		    ev->reply->code != 554) {
			probe_mark(sl->p, sl->label, "=== ", "%s", _("EHLO refused: trying HELO, as a sending "
				   "MTA does (RFC 5321 4.1.4; no extensions, so no STARTTLS)"));
			slot_set_phase(sl, PH_HELO);
		} else if (!ok)
			slot_set_phase(sl, PH_QUIT);
		else if (sl->ehlos == 1 && a->tls.offered && !sl->plain)
			slot_set_phase(sl, PH_STARTTLS);
		else
			slot_set_phase(sl, PH_MAIL);
		break;
	case SMTP_V_HELO:
		slot_record(sl, R_EHLO, &a->ehlo, ev);
		free(sl->ehlo_name);
		sl->ehlo_name = probe_reply_name(a->ehlo.text);
		slot_set_phase(sl, ok ? PH_MAIL : PH_QUIT);
		break;
	case SMTP_V_STARTTLS:
		if (ev->reply->code == 220) {
			slot_set_phase(sl, PH_TLS);
			sl->sent = true; /* the client handshakes and sends EHLO */
		} else {
			free(sl->tls_error);
			sl->tls_error = xasprintf(_("STARTTLS refused with %d"), ev->reply->code);
			a->tls.error = sl->tls_error;
			slot_set_phase(sl, PH_MAIL);
		}
		break;
	case SMTP_V_MAIL:
		slot_record(sl, R_MAIL, &a->mail, ev);
		slot_set_phase(sl, ok ? PH_RCPT : PH_QUIT);
		break;
	case SMTP_V_RCPT:
		if (sl->phase == PH_RELAY) {
			slot_record(sl, R_RELAY, &sl->relay, ev);
			slot_relay_said(sl);
			slot_set_phase(sl, PH_RSET);
			break;
		}
		slot_record(sl, R_RCPT, &a->rcpt, ev);
		slot_set_phase(sl, sl->p->relay_to ? PH_RELAY : PH_RSET);
		break;
	case SMTP_V_RSET:
		slot_set_phase(sl, PH_QUIT);
		break;
	default:
		break;
	}
}

/* From the client's typed outcome, whatever language its message is in. */
static enum probe_conn slot_conn_kind(const struct client *c)
{
	switch (client_connect_error(c)) {
	case TRANSPORT_EREFUSED: return PROBE_REFUSED;
	case TRANSPORT_ETIMEOUT: return PROBE_TIMEOUT;
	default: return PROBE_UNREACHABLE;
	}
}

static void slot_listener(void *ctx, const struct session_event *ev)
{
	struct probe_slot *sl = ctx;
	struct probe *p = sl->p;
	struct probe_attempt *a = sl->pa;

	if (!p->o->json) {
		struct buf lines;

		buf_init(&lines);
		printer_event(&p->print, ev, &lines);
		for (const char *l = lines.data; l && *l; ) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);

			buf_adds(&p->out, sl->label);
			buf_add(&p->out, l, n);
			buf_addc(&p->out, '\n');
			l += n + (nl != NULL);
		}
		buf_free(&lines);
		probe_flush(p);
	}
	switch (ev->kind) {
	case SESSION_CONNECT:
		if (p->o->blocklists && sl->local_addr == NULL)
			sl->local_addr = client_local_address(sl->c);
		a->conn = PROBE_CONNECTED;
		sl->connected_ms = loop_now_ms();
		slot_set_phase(sl, PH_GREETING);
		sl->sent = true;
		break;
	case SESSION_ERROR:
		if (sl->phase == PH_CONNECT && ev->text) {
			a->conn = slot_conn_kind(sl->c);
			free(sl->conn_error);
			sl->conn_error = xstrdup(ev->text);
			a->conn_error = sl->conn_error;
		}
		slot_schedule(sl);
		break;
	case SESSION_REPLY:
		if (ev->reply)
			slot_on_reply(sl, ev);
		break;
	case SESSION_TLS:
		if (ev->tls == SESSION_TLS_UP || ev->tls == SESSION_TLS_UNVERIFIED) {
			const struct tls_conn *t = client_tls(sl->c);
			const char *why = t ? tls_verify_text(t) : NULL;

			a->tls.ok = true;
			a->tls.verified = ev->tls == SESSION_TLS_UP && (t == NULL || tls_verified(t));
			if (t) {
				tls_dane_result(t, &sl->dane_r);
				sl->dane_have = true;
				sl->tls_version = tls_version_number(t);
			}
			if (!a->tls.verified) {
				free(sl->tls_error);
				sl->tls_error = xstrdup(why ? why : ev->detail ? ev->detail
							: _("the certificate was not verified"));
				a->tls.error = sl->tls_error;
			}
		} else if (ev->tls == SESSION_TLS_FAILED) {
			a->tls.ok = false;
			sl->tls_broke = !sl->plain;
			free(sl->tls_error);
			sl->tls_error = xstrdup(ev->detail ? ev->detail : ev->text ? ev->text
						: _("the TLS handshake failed"));
			a->tls.error = sl->tls_error;
		}
		break;
	case SESSION_CLOSE:
		slot_schedule(sl);
		break;
	default:
		break;
	}
}

static void slot_send(struct probe_slot *sl, const char *line)
{
	sl->sent = true;
	client_command(sl->c, line);
}

/* How a sender that checks DANE judges this attempt (RFC 7672 2.2). */
static void slot_auth(struct probe_slot *sl)
{
	struct probe *p = sl->p;
	struct probe_attempt *a = sl->pa;
	const char *kb = NULL;

	if (p->dane == NULL || a->conn != PROBE_CONNECTED)
		return;
	free(sl->auth_text);
	a->tls.auth = dane_attempt(&p->dane[a->from->host], a->tls.offered, a->tls.ok,
				   sl->dane_have ? &sl->dane_r : NULL, &sl->auth_text, &kb);
	a->tls.auth_text = sl->auth_text;
	if (a->tls.auth == PROBE_AUTH_OPPORTUNISTIC)
		return;
	if (a->tls.auth == PROBE_AUTH_DANE_OK)
		probe_mark(p, sl->label, "=== ", _("DANE: %s"), sl->auth_text);
	else if (a->tls.auth == PROBE_AUTH_DANE_FAILED)
		probe_mark(p, sl->label, "!!! ", _("DANE FAILED, a DANE sender does not deliver here: %s"),
			   sl->auth_text);
	else
		probe_mark(p, sl->label, "!!! ", _("DANE unusable MX: %s"), sl->auth_text);
	/* a verification failure was explained with the handshake already */
	if (kb && strncmp(kb, "verify ", 7) != 0)
		probe_kb_tls(p, sl->label, kb);
}

static void slot_maybe_done(struct probe_slot *sl)
{
	struct probe *p = sl->p;

	if (sl->done || sl->phase != PH_CLOSED || !sl->ptr_done)
		return;
	sl->done = true;
	p->running--;
	p->n_done++;
	if (sl->pa->ptr.name)
		sl->pa->ptr.matches_banner = probe_names_equal(sl->pa->ptr.name, sl->banner);
	sl->matches_ehlo = sl->pa->ptr.name && probe_names_equal(sl->pa->ptr.name, sl->ehlo_name);
	slot_auth(sl);
	if (sl->pa->conn == PROBE_CONNECTED)
		probe_mark(p, sl->label, "=== ", sl->greeted_ms ? _("done: connected in %lld ms")
			   : _("done: connected in %lld ms, no greeting"),
			   (long long)(sl->connected_ms - sl->started_ms));
	probe_start_slots(p);
	if (p->n_done == p->n_slots)
		probe_finish(p);
}

/* Connects sl's client to its (host, address) at the probe's port: the
 * route names the MX host, so --connect-to HOST:PORT:ADDR:PORT matches
 * it as curl's option does (the address from the DNS otherwise). */
static void slot_connect(struct probe_slot *sl)
{
	const struct mx_attempt *ma = &sl->p->plan.attempts[sl->i];
	const struct dane_host *d = sl->p->dane ? &sl->p->dane[ma->host] : NULL;

	client_connect_route(sl->c, &(struct client_route){
		.host = sl->p->plan.hosts[ma->host].host,
		.port = sl->p->o->port ? sl->p->o->port : "25",
		.address = ma->address,
		/* OpenSSL checks the TLSA records where DANE applies */
		.dane = d && d->state == DANE_USABLE ? &d->tls : NULL,
	});
}

/* The handshake failed: a sending MTA whose TLS is opportunistic (no
 * DANE, no MTA-STS) connects again and delivers without STARTTLS.  The
 * TLS findings stay; the replies are the new connection's.  False when
 * there is nothing to retry. */
static bool slot_retry_plain(struct probe_slot *sl)
{
	struct probe *p = sl->p;
	struct probe_attempt *a = sl->pa;

	if (sl->plain || !(sl->tls_broke || (sl->phase == PH_TLS && !a->tls.ok)))
		return false;
	if (a->tls.error == NULL) {
		free(sl->tls_error);
		sl->tls_error = xstrdup(_("the TLS handshake did not complete"));
		a->tls.error = sl->tls_error;
	}
	sl->plain = true;
	sl->tls_broke = false;
	probe_mark(p, sl->label, "=== ", "%s", _("the TLS handshake failed: connecting again without "
		   "STARTTLS, as a sending MTA with opportunistic TLS does (mail would travel "
		   "unencrypted)"));
	memset(&a->greeting, 0, sizeof a->greeting);
	memset(&a->ehlo, 0, sizeof a->ehlo);
	memset(&a->mail, 0, sizeof a->mail);
	memset(&a->rcpt, 0, sizeof a->rcpt);
	memset(&sl->relay, 0, sizeof sl->relay);
	a->lost = false;
	a->conn = PROBE_NOT_TRIED;
	sl->ehlos = 0;
	sl->greeted_ms = 0;
	sl->started_ms = loop_now_ms();
	slot_set_phase(sl, PH_CONNECT);
	sl->sent = true;
	slot_connect(sl);
	return true;
}

static void slot_step(void *ctx)
{
	struct probe_slot *sl = ctx;
	struct probe *p = sl->p;
	struct probe_attempt *a = sl->pa;
	char *line;

	sl->timer = 0;
	if (sl->done)
		return;
	if (client_conn(sl->c) == CLIENT_DOWN || client_conn(sl->c) == CLIENT_IDLE) {
		if (sl->phase != PH_CLOSED && slot_retry_plain(sl))
			return;
		if (sl->phase != PH_CLOSED) {
			if (a->conn == PROBE_CONNECTED && a->rcpt.code == 0 && sl->phase != PH_QUIT)
				a->lost = true;
			if (a->conn == PROBE_NOT_TRIED)
				a->conn = PROBE_UNREACHABLE;
			sl->phase = PH_CLOSED;
		}
		slot_maybe_done(sl);
		return;
	}
	if (sl->sent)
		return;
	switch (sl->phase) {
	case PH_EHLO:
		line = xasprintf("EHLO %s", p->o->ehlo ? p->o->ehlo : "smtpscope.invalid");
		slot_send(sl, line);
		free(line);
		break;
	case PH_HELO:
		line = xasprintf("HELO %s", p->o->ehlo ? p->o->ehlo : "smtpscope.invalid");
		slot_send(sl, line);
		free(line);
		break;
	case PH_STARTTLS:
		if (p->dane && p->dane[a->from->host].state == DANE_USABLE)
			probe_mark(p, sl->label, "=== ", _("the certificate is checked for %s against its "
				   "TLSA records (DANE); a failed check is recorded and the probe goes on "
				   "as with --insecure, to see the rest; the verdict then says whether a "
				   "sender that checks DANE or MTA-STS would deliver"),
				   p->plan.hosts[a->from->host].shown);
		else
			probe_mark(p, sl->label, "=== ", _("the certificate is checked for %s; a failed "
				   "check is recorded and the probe goes on as with --insecure, to see the "
				   "rest; the verdict then says whether a sender that checks DANE or "
				   "MTA-STS would deliver"), p->plan.hosts[a->from->host].shown);
		slot_send(sl, "STARTTLS");
		break;
	case PH_MAIL:
		line = xasprintf("MAIL FROM:<%s>", p->o->from ? p->o->from : "");
		slot_send(sl, line);
		free(line);
		break;
	case PH_RCPT:
		line = xasprintf("RCPT TO:<%s>", p->rcpt_to);
		slot_send(sl, line);
		free(line);
		break;
	case PH_RELAY:
		probe_mark(p, sl->label, "=== ", "%s", _("relay test: RCPT TO a domain this server must "
			   "not accept (.invalid never exists, RFC 2606); an open relay would take it"));
		line = xasprintf("RCPT TO:<%s>", p->relay_to);
		slot_send(sl, line);
		free(line);
		break;
	case PH_RSET:
		slot_send(sl, "RSET");
		break;
	case PH_QUIT:
		slot_send(sl, "QUIT");
		break;
	default:
		break;
	}
}

/* The PTR's forward lookup came back. */
static void slot_on_forward(void *ctx, struct dns_answer *ans)
{
	struct probe_slot *sl = ctx;
	struct probe *p = sl->p;
	char *shown;

	sl->q = NULL;
	sl->pa->ptr.fcrdns_ok = !ans->temporary &&
		probe_fcrdns(sl->pa->address, (const char *const *)ans->addr, ans->n);
	shown = util_escape_dup(sl->pa->ptr.name, strlen(sl->pa->ptr.name));
	if (sl->pa->ptr.fcrdns_ok)
		probe_mark(p, sl->label, "=== ", _("reverse DNS: %s is forward-confirmed (its name "
			   "points back to the address)"), shown);
	else if (ans->temporary)
		probe_mark(p, sl->label, "=== ", _("reverse DNS: %s is not confirmed: the forward lookup "
			   "failed temporarily (receivers often refuse or score such senders)"), shown);
	else
		probe_mark(p, sl->label, "=== ", _("reverse DNS: %s is NOT forward-confirmed: the name "
			   "does not point back to the address (receivers often refuse or score such "
			   "senders)"), shown);
	free(shown);
	dns_answer_free(ans);
	sl->ptr_done = true;
	slot_maybe_done(sl);
}

static void slot_on_ptr(void *ctx, struct dns_answer *ans)
{
	struct probe_slot *sl = ctx;
	struct probe *p = sl->p;
	char *err = NULL, *shown;

	sl->q = NULL;
	if (ans->n > 0 && ans->name && ans->name[0]) {
		size_t n = strlen(ans->name[0]);

		if (n > 1 && ans->name[0][n - 1] == '.')
			n--;
		sl->ptr_name = xmemdup(ans->name[0], n);
		sl->pa->ptr.name = sl->ptr_name;
		shown = util_escape_dup(sl->ptr_name, strlen(sl->ptr_name));
		probe_mark(p, sl->label, "=== ", _("reverse DNS: PTR %s [%s]"), shown,
			   dns_security_name(ans->sec));
		free(shown);
		sl->q = dns_query(p->dns, sl->ptr_name, sl->pa->from && sl->pa->from->ipv6 ? DNS_AAAA : DNS_A,
				  slot_on_forward, sl, &err);
		dns_answer_free(ans);
		if (sl->q)
			return;
		probe_mark(p, sl->label, "!!! ", _("reverse DNS: the PTR name cannot be looked up: %s"),
			   err ? err : "?");
		free(err);
	} else {
		sl->ptr_temp = ans->temporary;
		if (ans->temporary)
			probe_mark(p, sl->label, "!!! ", "%s", _("reverse DNS: the PTR lookup failed "
				   "temporarily (nothing known)"));
		else
			probe_mark(p, sl->label, "=== ", "%s", _("reverse DNS: no PTR record for this "
				   "address (many receivers refuse mail from an address without one; for a "
				   "receiving MX it is a finding, not a failure)"));
		dns_answer_free(ans);
	}
	sl->ptr_done = true;
	slot_maybe_done(sl);
}

static void slot_start(struct probe_slot *sl)
{
	struct probe *p = sl->p;
	const struct mx_attempt *ma = &p->plan.attempts[sl->i];
	struct client_options co = p->o->client;
	char *err = NULL, *rev;

	sl->started = true;
	sl->started_ms = loop_now_ms();
	sl->wait_since_ms = sl->started_ms;
	p->running++;
	sl->s = session_new(NULL);
	session_set_listener(sl->s, slot_listener, sl);
	co.tls.sni = p->plan.hosts[ma->host].host; /* checked for the MX name */
	co.tls.insecure = true;  /* record a failed check, go on as MTAs do */
	co.auto_ehlo = true;
	co.starttls = false;
	co.implicit_tls = false;
	co.verify_ask = false;
	sl->c = client_new(p->loop, sl->s, &co);
	probe_mark(p, sl->label, "=== ", _("attempt %zu of %zu: %s (%s), port %s"), sl->i + 1,
		  p->n_slots, p->plan.hosts[ma->host].shown, ma->ipv6 ? "IPv6" : "IPv4",
		  p->o->port ? p->o->port : "25");
	rev = dns_reverse_name(ma->address);
	sl->q = rev ? dns_query(p->dns, rev, DNS_PTR, slot_on_ptr, sl, &err) : NULL;
	free(rev);
	if (sl->q == NULL) {
		free(err);
		err = NULL;
		sl->ptr_done = true;
	}
	slot_connect(sl);
}

void probe_start_slots(struct probe *p)
{
	while (p->running < p->parallel && p->next_slot < p->n_slots)
		slot_start(&p->slots[p->next_slot++]);
}
