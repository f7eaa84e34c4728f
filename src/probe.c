/* probe: the engine of `smtpscope probe` (see probe.h).  The rules of the
 * verdict are in verdict.c; this file does the I/O: the DNS lookups, one
 * client session per (host, address) attempt, a few at a time, and the
 * output (line mode as it happens, or one JSON object at the end). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "smtpscope/caps.h"
#include "smtpscope/client.h"
#include "smtpscope/dane.h"
#include "smtpscope/dns.h"
#include "smtpscope/dnsbl.h"
#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/mx.h"
#include "smtpscope/printer.h"
#include "smtpscope/probe.h"
#include "smtpscope/sendpol.h"
#include "smtpscope/session.h"
#include "smtpscope/tlsa.h"
#include "smtpscope/util.h"
#include "smtpscope/verdict.h"

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

/* ---- the run ---- */

enum probe_phase {
	PH_CONNECT,   /* waiting for the connection */
	PH_GREETING,  /* connected, waiting for the greeting */
	PH_EHLO,      /* EHLO to send, or its reply awaited */
	PH_HELO,      /* EHLO refused: HELO (RFC 5321 4.1.4) */
	PH_STARTTLS,
	PH_TLS,       /* the handshake and the EHLO after it */
	PH_MAIL,
	PH_RCPT,
	PH_RELAY,     /* --relay-test: RCPT TO a domain never to be accepted */
	PH_RSET,
	PH_QUIT,
	PH_CLOSED,
};

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

enum { R_GREETING, R_EHLO, R_MAIL, R_RCPT, R_RELAY, R__COUNT };

struct probe;

struct probe_slot {
	struct probe *p;
	size_t i;
	struct probe_attempt *pa;  /* p->res_attempts[i] */
	struct session *s;
	struct client *c;
	char *label;               /* "[host address] ", escaped */
	enum probe_phase phase;
	bool sent;                 /* the phase's command is sent */
	bool started, done;
	unsigned timer;            /* the deferred step, or 0 */
	int64_t started_ms, connected_ms, greeted_ms, wait_since_ms;
	int64_t last_report_ms;
	int ehlos;                 /* EHLO replies seen */
	bool tls_broke;            /* the handshake failed: connect again */
	bool plain;                /* the second connection: no STARTTLS */
	/* reverse DNS */
	struct dns_query *q;
	bool ptr_done, ptr_temp;
	char *ptr_name;
	bool matches_ehlo;
	char *banner, *ehlo_name;
	/* --relay-test: the reply to RCPT TO:<p->relay_to>; code 0: not tried */
	struct probe_reply relay;
	char *local_addr;          /* --blocklists: the connection's own address */
	/* the domain's MTA-STS policy applied to this attempt */
	bool sts_checked;
	enum mtasts_mx_verdict sts_verdict;
	/* the handshake's DANE outcome (tls_dane_result) and protocol
	 * version (12 = TLS 1.2), kept past the connection */
	struct tls_dane_result dane_r;
	bool dane_have;
	int tls_version;
	/* strings the attempt points to */
	char *conn_error, *tls_error, *auth_text;
	char *text[R__COUNT];
	char enh[R__COUNT][16];
};

struct probe_hostq {
	struct dns_answer *aaaa, *a, *tlsa;
};

struct probe {
	const struct probe_options *o;
	struct loop *loop;
	struct dns *dns;
	struct printer_options print;
	char *domain, *address;
	char *rcpt_to;             /* the address, or postmaster@domain */
	char *relay_to;            /* --relay-test's recipient, or NULL */
	struct mx_rng rng;
	struct mx_options mxo;
	struct mx_plan plan;
	bool have_plan;
	struct dns_answer *mx_answer;
	struct probe_hostq *hq;
	struct dane_host *dane;    /* per MX host, once its lookups are in */
	size_t addr_pending;
	struct probe_slot *slots;
	struct probe_attempt *res_attempts;
	size_t n_slots, running, next_slot, n_done;
	size_t parallel;
	const char *waiting;       /* the DNS step waited for, or NULL */
	int64_t wait_since_ms, last_report_ms;
	unsigned ticker;
	struct verdict verdict;
	bool decided;
	/* --blocklists */
	struct dnsbl_list bl_list;
	char *bl_path;
	struct dnsbl_run *bl;
	bool bl_started, bl_done;
	int64_t start_ms;
	struct buf out;
	bool in_result;            /* the table and verdict are being printed */
	/* MTA-STS (RFC 8461) and TLS-RPT of the recipient's domain, looked
	 * up beside the MX; the verdict waits for it */
	struct mtasts_check *sts;
	struct mtasts_result *sts_res;
	bool sts_finish_wanted;
	/* the sender's side (--from): its domain's SPF and DMARC records */
	struct {
		char *domain;             /* ASCII form, or NULL: not looked up */
		struct dns_answer *spf_ans, *dmarc_ans;
		struct spf_check spf;
		struct dmarc_check dmarc;
		size_t pending;           /* lookups still out */
		bool finish_wanted;       /* the verdict waits for them */
	} sender;
};

static void probe_flush(struct probe *p)
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

static void probe_mark(struct probe *p, const char *label, const char *mark, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A line of our own: the attempt's label ("" for none), the printer's
 * marker ("=== ", "!!! ", "  # ": never translated, the TUI colours by
 * it), then the text, translated by the caller. */
static void probe_mark(struct probe *p, const char *label, const char *mark, const char *fmt, ...)
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

static void probe_finish(struct probe *p);
static void probe_blocklists_json(struct probe *p, struct buf *b);
static void probe_start_slots(struct probe *p);

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

/* The relay test's recipient: relay-test@ a random label under .invalid
 * (RFC 2606: never a real domain), so no cache or list knows it. */
static char *probe_relay_recipient(struct mx_rng *rng)
{
	unsigned hi = mx_rng_next(rng, 0x10000), lo = mx_rng_next(rng, 0x10000);

	return xasprintf("relay-test@smtpscope-%04x%04x.invalid", hi, lo);
}

/* An accepted relay recipient: the server relays for anyone. */
static bool slot_open_relay(const struct probe_slot *sl)
{
	return sl->relay.code >= 200 && sl->relay.code < 300;
}

/* The relay test's reply, in words. */
static void slot_relay_said(struct probe_slot *sl)
{
	const struct probe_reply *r = &sl->relay;

	if (slot_open_relay(sl))
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

/* The table's relay cell: "open RELAY", "refused 554 5.7.1", "-". */
static void probe_cell_relay(struct buf *b, const struct probe_slot *sl)
{
	if (sl->relay.code == 0) {
		buf_adds(b, "-");
		return;
	}
	buf_adds(b, slot_open_relay(sl) ? _("OPEN RELAY ") : _("refused "));
	buf_printf(b, "%d", sl->relay.code);
	if (sl->relay.enhanced)
		buf_printf(b, " %s", sl->relay.enhanced);
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

static void probe_kb_tls(struct probe *p, const char *label, const char *text);

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

static void probe_start_slots(struct probe *p)
{
	while (p->running < p->parallel && p->next_slot < p->n_slots)
		slot_start(&p->slots[p->next_slot++]);
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
static void probe_kb_tls(struct probe *p, const char *label, const char *text)
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

/* ---- the sender's side (--from): SPF and DMARC of its domain ---- */

static void probe_finish(struct probe *p);

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
static void sender_start(struct probe *p)
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
static void sender_table(struct probe *p)
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

static void json_bool(struct buf *b, const char *key, bool v);

/* ,"KEY":"VALUE" (or null) */
static void sender_json_str(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, ",\"%s\":", key);
	probe_json_text(b, v);
}

/* ,"sender":{...} or ,"sender":null */
static void sender_json(struct probe *p, struct buf *b)
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
	json_bool(b, "p_valid", d->p_valid);
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

static void sender_free(struct probe *p)
{
	if (p->sender.spf_ans)
		dns_answer_free(p->sender.spf_ans);
	if (p->sender.dmarc_ans)
		dns_answer_free(p->sender.dmarc_ans);
	spf_check_free(&p->sender.spf);
	dmarc_check_free(&p->sender.dmarc);
	free(p->sender.domain);
}

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

static void probe_table(struct probe *p)
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
		n += slot_open_relay(&p->slots[i]);
	return n;
}

/* --relay-test, after the verdict: said loudly when a server relays (the
 * delivery verdict is unchanged: mail to the address still goes there). */
static void probe_relay_summary(struct probe *p)
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

static void json_bool(struct buf *b, const char *key, bool v)
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

static void probe_json(struct probe *p)
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
	json_bool(&b, "secure", p->have_plan && p->plan.secure);
	buf_adds(&b, ",\"summary\":");
	probe_json_text(&b, p->have_plan ? p->plan.summary : NULL);
	buf_adds(&b, ",\"hosts\":[");
	for (size_t i = 0; p->have_plan && i < p->plan.n_hosts; i++) {
		const struct mx_host *h = &p->plan.hosts[i];

		buf_adds(&b, i ? ",{\"host\":" : "{\"host\":");
		probe_json_text(&b, h->host);
		buf_printf(&b, ",\"preference\":%u,\"group\":%zu", h->pref, h->group);
		json_bool(&b, "implicit", h->flags & MX_HOST_IMPLICIT);
		json_bool(&b, "shuffled", h->flags & MX_HOST_SHUFFLED);
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
		json_bool(&b, "ipv6", a->from->ipv6);
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
		json_bool(&b, "ok", a->tls.ok);
		json_bool(&b, "verified", a->tls.verified);
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
			json_bool(&b, "refused", a->tls.auth == PROBE_AUTH_STS_FAILED);
			json_bool(&b, "reported", a->tls.auth == PROBE_AUTH_STS_TESTING);
			buf_addc(&b, '}');
		} else {
			buf_adds(&b, "null");
		}
		buf_adds(&b, "},\"ptr\":{\"name\":");
		probe_json_text(&b, a->ptr.name);
		json_bool(&b, "fcrdns", a->ptr.fcrdns_ok);
		json_bool(&b, "matches_banner", a->ptr.matches_banner);
		json_bool(&b, "matches_ehlo", sl->matches_ehlo);
		json_bool(&b, "temporary_failure", sl->ptr_temp);
		buf_adds(&b, "},\"mail\":");
		json_reply(&b, &a->mail);
		buf_adds(&b, ",\"rcpt\":");
		json_reply(&b, &a->rcpt);
		json_bool(&b, "lost", a->lost);
		buf_adds(&b, ",\"relay_test\":");
		if (sl->relay.code == 0) {
			buf_adds(&b, "null");
		} else {
			buf_adds(&b, "{\"reply\":");
			json_reply(&b, &sl->relay);
			json_bool(&b, "open_relay", slot_open_relay(sl));
			buf_addc(&b, '}');
		}
		buf_addc(&b, '}');
	}
	buf_addc(&b, ']');
	probe_blocklists_json(p, &b);
	sender_json(p, &b);
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
static void probe_blocklists_say(struct probe *p)
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
		json_bool(b, "listed", c[i].status == DNSBL_LISTED);
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

static void probe_finish(struct probe *p)
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
		sender_table(p);
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
	sender_free(p);
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
	sender_start(&p);
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
