/* probe-report: the result of `smtpscope probe` (see probe.h), once the
 * verdict is in: in line mode the table of attempts, the blocklist lines
 * and the relay test's summary; with --json the whole result as one JSON
 * object instead. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/dane.h"
#include "smtpscope/dnsbl.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/mx.h"
#include "smtpscope/probe.h"
#include "smtpscope/util.h"
#include "smtpscope/verdict.h"
#include "probe-private.h"

static void probe_blocklists_json(struct probe *p, struct buf *b);

/* ---- the result ---- */

static const char *probe_conn_name(enum probe_conn c)
{
	switch (c) {
	case PROBE_CONNECTED: return N_("connected");
	case PROBE_REFUSED: return N_("refused");
	case PROBE_TIMEOUT: return N_("timeout");
	case PROBE_UNREACHABLE: return N_("unreachable");
	default: return N_("not-tried");
	}
}

static void probe_cell_reply(struct buf *b, const struct probe_reply *r)
{
	if (r->code == 0) {
		buf_adds(b, "-");
		return;
	}
	buf_printf(b, "%d", r->code);
	if (r->enhanced)
		buf_printf(b, " %s", r->enhanced);
	if (r->diagnosis)
		buf_printf(b, " (%s)", r->diagnosis);
}

/* A cell of the table and the space after it, padded to width columns
 * (a translated heading or word may hold wide characters). */
static void probe_cell(struct buf *b, const char *text, size_t width)
{
	size_t cols = util_display_width(text, strlen(text));

	buf_adds(b, text);
	for (; cols < width; cols++)
		buf_addc(b, ' ');
	buf_addc(b, ' ');
}

/* The table's relay cell: "open RELAY", "refused 554 5.7.1", "-". */
static void probe_cell_relay(struct buf *b, const struct probe_slot *sl)
{
	if (sl->relay.code == 0) {
		buf_adds(b, "-");
		return;
	}
	buf_adds(b, probe_slot_open_relay(sl) ? _("OPEN RELAY ") : _("refused "));
	buf_printf(b, "%d", sl->relay.code);
	if (sl->relay.enhanced)
		buf_printf(b, " %s", sl->relay.enhanced);
}

void probe_table(struct probe *p)
{
	struct buf head;

	if (p->n_slots == 0)
		return;
	buf_init(&head);
	probe_cell(&head, "#", 3);
	probe_cell(&head, _("MX host"), 28);
	probe_cell(&head, _("address"), 16);
	probe_cell(&head, _("reachable"), 11);
	probe_cell(&head, "TLS", 24);
	probe_cell(&head, _("reverse DNS"), 26);
	if (p->relay_to) {
		probe_cell(&head, "RCPT", 26);
		buf_adds(&head, _("relay test"));
	} else {
		buf_adds(&head, "RCPT");
	}
	probe_mark(p, "", "=== ", "%s", head.data);
	buf_free(&head);
	for (size_t i = 0; i < p->n_slots; i++) {
		const struct probe_slot *sl = &p->slots[i];
		const struct probe_attempt *a = sl->pa;
		struct buf host, addr, reach, tls, rdns, rcpt, relay;

		buf_init(&host), buf_init(&addr), buf_init(&reach);
		buf_init(&tls), buf_init(&rdns), buf_init(&rcpt), buf_init(&relay);
		if (p->relay_to) /* the relay column, after RCPT padded to 26 */
			probe_cell_relay(&relay, sl);
		buf_adds(&host, p->plan.hosts[a->from->host].shown);
		util_escape(&addr, a->address, strlen(a->address));
		if (a->conn != PROBE_CONNECTED)
			buf_adds(&reach, _(probe_conn_name(a->conn)));
		else
			buf_printf(&reach, _("yes %lldms"), (long long)(sl->connected_ms - sl->started_ms));
		if (!a->tls.offered)
			buf_adds(&tls, a->conn == PROBE_CONNECTED && a->ehlo.code ? _("not offered") : "-");
		else if (!a->tls.ok)
			buf_adds(&tls, _("failed"));
		else if (a->tls.auth == PROBE_AUTH_DANE_OK)
			buf_adds(&tls, _("DANE verified"));
		else
			buf_adds(&tls, a->tls.verified ? _("verified") : _("not verified"));
		if (a->tls.auth == PROBE_AUTH_DANE_FAILED || a->tls.auth == PROBE_AUTH_DANE_UNUSABLE)
			buf_adds(&tls, a->tls.auth == PROBE_AUTH_DANE_FAILED ? _(", DANE FAILED")
									  : _(", DANE unusable"));
		else if (a->tls.auth == PROBE_AUTH_STS_OK)
			buf_adds(&tls, _(", MTA-STS ok"));
		else if (a->tls.auth == PROBE_AUTH_STS_FAILED)
			buf_adds(&tls, _(", MTA-STS FAILED"));
		else if (a->tls.auth == PROBE_AUTH_STS_TESTING)
			buf_adds(&tls, _(", MTA-STS fails (testing)"));
		if (a->ptr.name) {
			util_escape(&rdns, a->ptr.name, strlen(a->ptr.name));
			buf_adds(&rdns, a->ptr.fcrdns_ok ? " fcrdns" : _(" NOT fcrdns"));
			if (a->ptr.matches_banner)
				buf_adds(&rdns, _(" =banner"));
		} else {
			buf_adds(&rdns, sl->ptr_temp ? _("tempfail") : _("no PTR"));
		}
		if (a->greeting.code && (a->greeting.code < 200 || a->greeting.code >= 300)) {
			buf_adds(&rcpt, _("greeting "));
			probe_cell_reply(&rcpt, &a->greeting);
		} else if (a->mail.code && (a->mail.code < 200 || a->mail.code >= 300)) {
			buf_adds(&rcpt, "MAIL ");
			probe_cell_reply(&rcpt, &a->mail);
		} else {
			probe_cell_reply(&rcpt, &a->rcpt);
		}
		buf_clear(&head);
		buf_printf(&head, "%-3zu ", i + 1);
		probe_cell(&head, host.data, 28);
		probe_cell(&head, addr.data, 16);
		probe_cell(&head, reach.data, 11);
		probe_cell(&head, tls.data, 24);
		probe_cell(&head, rdns.data, 26);
		if (relay.len) {
			probe_cell(&head, rcpt.data, 26);
			buf_adds(&head, relay.data);
		} else {
			buf_adds(&head, rcpt.data);
		}
		probe_mark(p, "", "=== ", "%s", head.data);
		buf_free(&host), buf_free(&addr), buf_free(&reach);
		buf_free(&tls), buf_free(&rdns), buf_free(&rcpt), buf_free(&relay);
	}
	buf_free(&head);
}

/* --relay-test: how many attempts found an open relay. */
static size_t probe_open_relays(const struct probe *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_slots; i++)
		n += probe_slot_open_relay(&p->slots[i]);
	return n;
}

/* --relay-test, after the verdict: said loudly when a server relays (the
 * delivery verdict is unchanged: mail to the address still goes there). */
void probe_relay_summary(struct probe *p)
{
	size_t tried = 0, open = probe_open_relays(p);

	if (p->relay_to == NULL)
		return;
	for (size_t i = 0; i < p->n_slots; i++)
		tried += p->slots[i].relay.code != 0;
	if (open)
		probe_mark(p, "", "!!! ", ngettext("OPEN RELAY: %zu of %zu relay test accepted "
			   "RCPT TO:<%s>: these servers pass on mail for any domain; close the relay (accept "
			   "other domains only from authenticated users or your own networks) before "
			   "spammers find it", "OPEN RELAY: %zu of %zu relay tests accepted RCPT TO:<%s>: "
			   "these servers pass on mail for any domain; close the relay (accept other "
			   "domains only from authenticated users or your own networks) before spammers "
			   "find it", tried), open, tried, p->relay_to);
	else if (tried)
		probe_mark(p, "", "=== ", ngettext("relay test: %zu server tried, none accepted "
			   "RCPT TO:<%s>: no open relay found", "relay test: %zu servers tried, none "
			   "accepted RCPT TO:<%s>: no open relay found", tried), tried, p->relay_to);
	else
		probe_mark(p, "", "=== ", "%s", _("relay test: not tried (no server got as far as "
			   "RCPT TO)"));
}

static void json_reply(struct buf *b, const struct probe_reply *r)
{
	if (r->code == 0) {
		buf_adds(b, "null");
		return;
	}
	buf_printf(b, "{\"code\":%d,\"enhanced\":", r->code);
	probe_json_text(b, r->enhanced);
	buf_adds(b, ",\"text\":");
	probe_json_text(b, r->text);
	buf_adds(b, ",\"diagnosis\":");
	probe_json_text(b, r->diagnosis);
	buf_addc(b, '}');
}

void probe_json_bool(struct buf *b, const char *key, bool v)
{
	buf_printf(b, ",\"%s\":%s", key, v ? "true" : "false");
}

/* An attempt's DANE facts: its host's state and the handshake's result. */
static void probe_json_dane(struct buf *b, const struct probe_slot *sl)
{
	const struct dane_host *d = sl->p->dane ? &sl->p->dane[sl->pa->from->host] : NULL;
	static const char *const result[] = { "off", "verified", "failed" };

	if (d == NULL) {
		buf_adds(b, "null");
		return;
	}
	buf_adds(b, "{\"state\":");
	probe_json_text(b, dane_state_name(d->state));
	buf_adds(b, ",\"why\":");
	probe_json_text(b, d->why);
	buf_printf(b, ",\"records\":%zu,\"usable\":%zu,\"result\":", d->tls.n, d->n_usable);
	probe_json_text(b, sl->dane_have ? result[sl->dane_r.state] : NULL);
	if (sl->dane_have && sl->dane_r.state == TLS_DANE_VERIFIED)
		buf_printf(b, ",\"matched\":\"%u %u %u\",\"depth\":%d}", sl->dane_r.usage,
			   sl->dane_r.selector, sl->dane_r.mtype, sl->dane_r.depth);
	else
		buf_adds(b, ",\"matched\":null,\"depth\":null}");
}

void probe_json(struct probe *p)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "{\"target\":");
	probe_json_text(&b, p->o->target);
	buf_adds(&b, ",\"address\":");
	probe_json_text(&b, p->address);
	buf_adds(&b, ",\"domain\":");
	probe_json_text(&b, p->domain);
	buf_adds(&b, ",\"rcpt_to\":");
	probe_json_text(&b, p->rcpt_to);
	buf_adds(&b, ",\"from\":");
	probe_json_text(&b, p->o->from ? p->o->from : "");
	buf_adds(&b, ",\"port\":");
	probe_json_text(&b, p->o->port ? p->o->port : "25");
	buf_adds(&b, ",\"relay_to\":");
	probe_json_text(&b, p->relay_to);
	buf_adds(&b, ",\"open_relay\":");
	buf_adds(&b, p->relay_to ? (probe_open_relays(p) ? "true" : "false") : "null");
	buf_adds(&b, ",\"mx\":{\"outcome\":");
	probe_json_text(&b, p->have_plan ? mx_outcome_name(p->plan.outcome) : NULL);
	probe_json_bool(&b, "secure", p->have_plan && p->plan.secure);
	buf_adds(&b, ",\"summary\":");
	probe_json_text(&b, p->have_plan ? p->plan.summary : NULL);
	buf_adds(&b, ",\"hosts\":[");
	for (size_t i = 0; p->have_plan && i < p->plan.n_hosts; i++) {
		const struct mx_host *h = &p->plan.hosts[i];

		buf_adds(&b, i ? ",{\"host\":" : "{\"host\":");
		probe_json_text(&b, h->host);
		buf_printf(&b, ",\"preference\":%u,\"group\":%zu", h->pref, h->group);
		probe_json_bool(&b, "implicit", h->flags & MX_HOST_IMPLICIT);
		probe_json_bool(&b, "shuffled", h->flags & MX_HOST_SHUFFLED);
		buf_adds(&b, ",\"addresses\":");
		probe_json_text(&b, h->addr_why);
		buf_addc(&b, '}');
	}
	buf_adds(&b, "],\"notes\":[");
	for (size_t i = 0; p->have_plan && i < p->plan.n_notes; i++) {
		if (i)
			buf_addc(&b, ',');
		probe_json_text(&b, p->plan.notes[i].text);
	}
	buf_adds(&b, "]},\"attempts\":[");
	for (size_t i = 0; i < p->n_slots; i++) {
		const struct probe_slot *sl = &p->slots[i];
		const struct probe_attempt *a = sl->pa;

		buf_adds(&b, i ? ",{\"host\":" : "{\"host\":");
		probe_json_text(&b, a->host);
		buf_adds(&b, ",\"address\":");
		probe_json_text(&b, a->address);
		probe_json_bool(&b, "ipv6", a->from->ipv6);
		buf_adds(&b, ",\"connection\":");
		probe_json_text(&b, probe_conn_name(a->conn));
		if (a->conn == PROBE_CONNECTED)
			buf_printf(&b, ",\"connect_ms\":%lld", (long long)(sl->connected_ms - sl->started_ms));
		else
			buf_adds(&b, ",\"connect_ms\":null");
		buf_adds(&b, ",\"connect_error\":");
		probe_json_text(&b, a->conn_error);
		if (sl->greeted_ms)
			buf_printf(&b, ",\"greeting_ms\":%lld", (long long)(sl->greeted_ms - sl->connected_ms));
		else
			buf_adds(&b, ",\"greeting_ms\":null");
		buf_adds(&b, ",\"greeting\":");
		json_reply(&b, &a->greeting);
		buf_adds(&b, ",\"banner_name\":");
		probe_json_text(&b, sl->banner);
		buf_adds(&b, ",\"ehlo\":");
		json_reply(&b, &a->ehlo);
		buf_adds(&b, ",\"ehlo_name\":");
		probe_json_text(&b, sl->ehlo_name);
		buf_adds(&b, ",\"tls\":{\"offered\":");
		buf_adds(&b, a->tls.offered ? "true" : "false");
		probe_json_bool(&b, "ok", a->tls.ok);
		probe_json_bool(&b, "verified", a->tls.verified);
		buf_adds(&b, ",\"error\":");
		probe_json_text(&b, a->tls.error);
		buf_adds(&b, ",\"auth\":");
		probe_json_text(&b, probe_auth_name(a->tls.auth));
		buf_adds(&b, ",\"auth_text\":");
		probe_json_text(&b, a->tls.auth_text);
		buf_adds(&b, ",\"dane\":");
		probe_json_dane(&b, sl);
		buf_adds(&b, ",\"mta_sts\":");
		if (sl->sts_checked) {
			buf_adds(&b, "{\"verdict\":");
			probe_json_text(&b, mtasts_mx_verdict_name(sl->sts_verdict));
			probe_json_bool(&b, "refused", a->tls.auth == PROBE_AUTH_STS_FAILED);
			probe_json_bool(&b, "reported", a->tls.auth == PROBE_AUTH_STS_TESTING);
			buf_addc(&b, '}');
		} else {
			buf_adds(&b, "null");
		}
		buf_adds(&b, "},\"ptr\":{\"name\":");
		probe_json_text(&b, a->ptr.name);
		probe_json_bool(&b, "fcrdns", a->ptr.fcrdns_ok);
		probe_json_bool(&b, "matches_banner", a->ptr.matches_banner);
		probe_json_bool(&b, "matches_ehlo", sl->matches_ehlo);
		probe_json_bool(&b, "temporary_failure", sl->ptr_temp);
		buf_adds(&b, "},\"mail\":");
		json_reply(&b, &a->mail);
		buf_adds(&b, ",\"rcpt\":");
		json_reply(&b, &a->rcpt);
		probe_json_bool(&b, "lost", a->lost);
		buf_adds(&b, ",\"relay_test\":");
		if (sl->relay.code == 0) {
			buf_adds(&b, "null");
		} else {
			buf_adds(&b, "{\"reply\":");
			json_reply(&b, &sl->relay);
			probe_json_bool(&b, "open_relay", probe_slot_open_relay(sl));
			buf_addc(&b, '}');
		}
		buf_addc(&b, '}');
	}
	buf_addc(&b, ']');
	probe_blocklists_json(p, &b);
	probe_sender_json(p, &b);
	buf_adds(&b, ",\"mta_sts\":");
	if (p->sts_res)
		mtasts_result_json(p->sts_res, &b);
	else
		buf_adds(&b, "null");
	buf_adds(&b, ",\"verdict\":{\"name\":");
	probe_json_text(&b, verdict_name(p->verdict.kind));
	buf_printf(&b, ",\"exit_status\":%d,\"attempt\":%d,\"host\":", p->verdict.exit_status,
		   p->verdict.attempt);
	probe_json_text(&b, p->verdict.host >= 0 && p->have_plan
			? p->plan.hosts[p->verdict.host].host : NULL);
	buf_adds(&b, ",\"conclusion\":");
	probe_json_text(&b, p->verdict.conclusion);
	buf_adds(&b, ",\"next_step\":");
	probe_json_text(&b, p->verdict.next_step);
	buf_printf(&b, "},\"elapsed_ms\":%lld}\n", (long long)(loop_now_ms() - p->start_ms));
	fwrite(b.data, 1, b.len, p->o->out);
	fflush(p->o->out);
	buf_free(&b);
}

/* ---- --blocklists ---- */

static const char *probe_bl_words(enum dnsbl_status s)
{
	switch (s) {
	case DNSBL_LISTED: return _("LISTED");
	case DNSBL_NOT_LISTED: return _("not listed");
	case DNSBL_REFUSED: return _("query refused by the list");
	default: return _("no answer");
	}
}

/* Line mode: one line per (address, zone), the listings loudly. */
void probe_blocklists_say(struct probe *p)
{
	size_t n, listed = 0;
	const struct dnsbl_check *c = dnsbl_checks(p->bl, &n);

	for (size_t i = 0; i < n; i++) {
		char *reason = c[i].reason ? util_escape_dup(c[i].reason, strlen(c[i].reason)) : NULL;
		char *codes = c[i].codes ? util_escape_dup(c[i].codes, strlen(c[i].codes)) : NULL;

		listed += c[i].status == DNSBL_LISTED;
		probe_mark(p, "", c[i].status == DNSBL_LISTED ? "!!! " : "=== ", _("blocklist %s: %s %s%s%s%s%s%s"),
			  c[i].zone->zone, c[i].address, probe_bl_words(c[i].status),
			  codes ? " (" : "", codes ? codes : "", codes ? ")" : "",
			  reason || c[i].error || c[i].status == DNSBL_REFUSED ? ": " : "",
			  reason ? reason : c[i].error ? c[i].error : c[i].status == DNSBL_REFUSED
			  ? _("NOT a listing: the list refuses this resolver (a public or over-used one); "
			      "ask through your own resolver") : "");
		free(reason);
		free(codes);
	}
	if (listed)
		probe_mark(p, "", "!!! ", ngettext("blocklists: the sending address is listed in %zu of "
			   "%zu lookup: receivers using these lists refuse or score its mail; the TXT says "
			   "why and where to ask for removal", "blocklists: the sending address is listed "
			   "in %zu of %zu lookups: receivers using these lists refuse or score its mail; "
			   "the TXT says why and where to ask for removal", n), listed, n);
	else if (n)
		probe_mark(p, "", "=== ", ngettext("blocklists: not listed in any of the %zu lookup",
						    "blocklists: not listed in any of the %zu lookups", n), n);
}

static void probe_blocklists_json(struct probe *p, struct buf *b)
{
	size_t n;
	const struct dnsbl_check *c = dnsbl_checks(p->bl, &n);

	buf_adds(b, ",\"blocklists\":");
	if (!p->o->blocklists) {
		buf_adds(b, "null");
		return;
	}
	buf_adds(b, "{\"file\":");
	probe_json_text(b, p->bl_path);
	buf_adds(b, ",\"checks\":[");
	for (size_t i = 0; i < n; i++) {
		buf_adds(b, i ? ",{\"address\":" : "{\"address\":");
		probe_json_text(b, c[i].address);
		buf_adds(b, ",\"zone\":");
		probe_json_text(b, c[i].zone->zone);
		buf_adds(b, ",\"query\":");
		probe_json_text(b, c[i].qname);
		buf_adds(b, ",\"status\":");
		probe_json_text(b, dnsbl_status_name(c[i].status));
		probe_json_bool(b, "listed", c[i].status == DNSBL_LISTED);
		buf_adds(b, ",\"codes\":");
		probe_json_text(b, c[i].codes);
		buf_adds(b, ",\"reason\":");
		probe_json_text(b, c[i].reason);
		buf_adds(b, ",\"error\":");
		probe_json_text(b, c[i].error);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}");
}
