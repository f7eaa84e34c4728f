/* tlsa: the records a chain calls for, and DNS's records compared with it
 * (RFC 6698 2.1 the record, RFC 7671 the operational guidance, RFC 7672
 * 3.1 which usages SMTP uses, 2.2 what a DANE sender does with the
 * DNSSEC status of the answer). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/tlsa.h"

/* Long data (a full certificate) is shown cut to this many bytes. */
#define TLSA_SHOWN_BYTES 32

char *tlsa_name(const char *host, const char *port)
{
	size_t n = strlen(host);

	if (n && host[n - 1] == '.')
		n--;
	return xasprintf("_%s._tcp.%.*s", port, (int)n, host);
}

bool tlsa_name_split(const char *name, char **host, char **port)
{
	size_t digits = name[0] == '_' ? strspn(name + 1, "0123456789") : 0;
	const char *rest = name + 1 + digits;
	size_t n;

	if (digits == 0 || digits > 5 || strncmp(rest, "._tcp.", 6) != 0 || rest[6] == '\0' ||
	    rest[6] == '.')
		return false;
	rest += 6;
	n = strlen(rest);
	if (rest[n - 1] == '.')
		n--;
	*host = xmemdup(rest, n);
	*port = xmemdup(name + 1, digits);
	return true;
}

/* s (or dflt when s is NULL) escaped, allocated. */
static char *tlsa_escape(const char *s, const char *dflt)
{
	const char *v = s ? s : dflt;

	return util_escape_dup(v, strlen(v));
}

static void tlsa_hex(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%02x", p[i]);
}

/* "3 1 1 ab12..." with long data cut (shown in the transcript). */
static void tlsa_record_text(struct buf *b, const struct tls_dane_record *r)
{
	buf_printf(b, "%u %u %u ", r->usage, r->selector, r->mtype);
	tlsa_hex(b, r->data, r->len > TLSA_SHOWN_BYTES ? TLSA_SHOWN_BYTES : r->len);
	if (r->len > TLSA_SHOWN_BYTES)
		buf_printf(b, _("... (%zu bytes)"), r->len);
	else if (r->len == 0)
		buf_adds(b, _("(no data)"));
}

static void tlsa_say(struct tlsa_report *r, enum session_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A line of the report (conclusion false) or its conclusion. */
static void tlsa_vsay(struct tlsa_report *r, bool conclusion, enum session_kind kind,
		      const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	if (conclusion) {
		r->conclusion_kind = kind;
		r->conclusion = buf_steal(&b);
		return;
	}
	r->lines = xrealloc(r->lines, (r->n + 1) * sizeof *r->lines);
	r->lines[r->n].kind = kind;
	r->lines[r->n++].text = buf_steal(&b);
}

static void tlsa_say(struct tlsa_report *r, enum session_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tlsa_vsay(r, false, kind, fmt, ap);
	va_end(ap);
}

/* ---- JSON ---- */

/* "key":"v", v escaped first unless it is a text of the report's own
 * (escaped already); null for NULL. */
static void tlsa_json_str(struct buf *j, const char *key, const char *v, bool escaped)
{
	char *e;

	buf_printf(j, "\"%s\":", key);
	if (v == NULL) {
		buf_adds(j, "null");
		return;
	}
	e = escaped ? NULL : util_escape_dup(v, strlen(v));
	util_json_string(j, e ? e : v);
	free(e);
}

static void tlsa_json_hex(struct buf *j, const char *key, const unsigned char *p, size_t n)
{
	buf_printf(j, "\"%s\":\"", key);
	tlsa_hex(j, p, n);
	buf_addc(j, '"');
}

static void tlsa_json_depths(struct buf *j, const char *key, unsigned mask)
{
	bool any = false;

	buf_printf(j, "\"%s\":[", key);
	for (unsigned d = 0; d < TLS_TLSA_MAX_CHAIN; d++)
		if (mask & (1u << d)) {
			buf_printf(j, "%s%u", any ? "," : "", d);
			any = true;
		}
	buf_addc(j, ']');
}

/* ---- the records to publish ---- */

/* What the certificate at depth d is, in words. */
static char *tlsa_depth_words(const struct tls_tlsa_chain *c, unsigned d, bool key)
{
	if (d == 0)
		return xstrdup(key ? _("the server's key (depth 0)")
				   : _("the server's certificate (depth 0)"));
	if (d >= c->n)
		return xasprintf(key ? _("the key that issued depth %zu (not sent)")
				     : _("the certificate that issued depth %zu (not sent)"), c->n - 1);
	return xasprintf(key ? _("the key at depth %u (%s)") : _("the certificate at depth %u (%s)"),
			 d, c->cert[d].subject);
}

static void tlsa_publish(struct tlsa_report *r, const struct tlsa_input *in, const char *name,
			 const char *host)
{
	const struct tls_tlsa_chain *c = in->chain;
	const struct tls_tlsa_data *ee = &c->cert[0].assoc[1][1];
	struct buf b;

	buf_init(&b);
	tlsa_hex(&b, ee->data, ee->len);
	tlsa_say(r, SESSION_NOTE, ngettext("the current chain (%zu certificate) calls for these TLSA "
					   "records at %s:",
					   "the current chain (%zu certificates) calls for these TLSA "
					   "records at %s:", c->n), c->n, name);
	tlsa_say(r, SESSION_NOTE, "  %s IN TLSA 3 1 1 %s", name, b.data);
	tlsa_say(r, SESSION_NOTE, "%s", _("    recommended: pins the server's own key (DANE-EE, the "
		 "SHA-256 of its public key); no name or date checks, and certificate renewals that "
		 "keep the key need no DNS change (RFC 7672 3.1.1)"));
	buf_adds(&r->json, ",\"publish\":[{\"record\":\"3 1 1 ");
	buf_add(&r->json, b.data, b.len);
	buf_adds(&r->json, "\",\"pins\":\"server key\",\"depth\":0,\"recommended\":true}");
	if (c->n >= 2) {
		const struct tls_tlsa_data *ta = &c->cert[1].assoc[1][1];

		buf_clear(&b);
		tlsa_hex(&b, ta->data, ta->len);
		tlsa_say(r, SESSION_NOTE, "  %s IN TLSA 2 1 1 %s", name, b.data);
		tlsa_say(r, SESSION_NOTE, _("    pins the issuer's key at depth 1 (DANE-TA, %s): any "
			 "certificate it issues for %s matches, so the record survives new server keys; "
			 "the server must send that issuer in its chain and its certificate must name %s "
			 "(RFC 7672 3.1.2)"), c->cert[1].subject, host, host);
		buf_adds(&r->json, ",{\"record\":\"2 1 1 ");
		buf_add(&r->json, b.data, b.len);
		buf_adds(&r->json, "\",\"pins\":\"issuer key\",\"depth\":1,\"recommended\":false}");
	} else {
		tlsa_say(r, SESSION_NOTE, "%s", _("    (the server sent only its own certificate: no "
			 "issuer to pin, so 3 1 1 is the one choice)"));
	}
	buf_addc(&r->json, ']');
	tlsa_say(r, SESSION_NOTE, "%s", _("  key rollover: publish the new key's 3 1 1 next to the "
		 "current one, wait at least the TTL, switch the server to the new key, then remove "
		 "the old record (RFC 7671 8.1)"));
	if (c->dropped)
		tlsa_say(r, SESSION_WARN, _("the server sent %zu more certificates than the %d looked at"),
			 c->dropped, TLS_TLSA_MAX_CHAIN);
	buf_free(&b);
}

/* ---- the published records ---- */

enum tlsa_verdict { TLSA_V_MATCH, TLSA_V_NAME, TLSA_V_DEPTH, TLSA_V_NONE, TLSA_V_UNUSABLE,
		    TLSA_V_MALFORMED };
static const char *const tlsa_verdict_names[] = {
	[TLSA_V_MATCH] = "match", [TLSA_V_NAME] = "name-mismatch", [TLSA_V_DEPTH] = "wrong-depth",
	[TLSA_V_NONE] = "no-match", [TLSA_V_UNUSABLE] = "unusable", [TLSA_V_MALFORMED] = "malformed",
};

/* What the lowest set bit of mask (or "above") is, in words. */
static char *tlsa_where(const struct tls_tlsa_chain *c, unsigned mask, bool above, bool key)
{
	unsigned d = 0;

	if (mask == 0 && above)
		return tlsa_depth_words(c, (unsigned)c->n, key);
	while (d < TLS_TLSA_MAX_CHAIN - 1 && !(mask & (1u << d)))
		d++;
	return tlsa_depth_words(c, d, key);
}

/* One published record: its verdict, a line, a JSON element. */
static enum tlsa_verdict tlsa_check(struct tlsa_report *r, const struct tlsa_input *in,
				    const struct tls_dane_record *rec, const struct tls_tlsa_match *m)
{
	static const char *const usages[] = { "PKIX-TA", "PKIX-EE", "DANE-TA", "DANE-EE" };
	const struct tls_tlsa_chain *c = in->chain;
	bool key = rec->selector == 1;
	enum tlsa_verdict v;
	char *where = c ? tlsa_where(c, m->usable_depths ? m->usable_depths : m->depths, m->above, key)
			: NULL;
	struct buf t;

	buf_init(&t);
	tlsa_record_text(&t, rec);
	if (m->use == TLS_DANE_PKIX_USAGE) {
		v = TLSA_V_UNUSABLE;
		tlsa_say(r, SESSION_WARN, _("  %s: unusable for SMTP: usage %u (%s, RFC 7672 3.1.3)%s%s%s"),
			 t.data, rec->usage, usages[rec->usage], c == NULL ? "" : _("; its data "),
			 c == NULL ? "" : (m->depths || m->above) ? _("would match ")
							   : _("matches nothing in the chain"),
			 c && (m->depths || m->above) ? where : "");
	} else if (m->use != TLS_DANE_USABLE) {
		v = TLSA_V_MALFORMED;
		tlsa_say(r, SESSION_WARN, _("  %s: malformed: %s"), t.data, tls_dane_use_text(m->use));
	} else if (c == NULL) {
		v = TLSA_V_NONE;
		tlsa_say(r, SESSION_NOTE, _("  %s: usable (no chain to compare it with)"), t.data);
	} else if (m->usable_depths || (m->above && rec->usage == 2)) {
		v = rec->usage == 3 || tls_tlsa_name_ok(c, in->host) ? TLSA_V_MATCH : TLSA_V_NAME;
		if (v == TLSA_V_MATCH) {
			tlsa_say(r, SESSION_NOTE, _("  %s: matches %s"), t.data, where);
		} else {
			char *host = tlsa_escape(in->host, "?");

			tlsa_say(r, SESSION_WARN, _("  %s: matches %s, but the server's certificate is not "
				 "valid for %s, which DANE-TA(2) requires (RFC 7672 3.2.3)"), t.data, where,
				 host);
			free(host);
		}
	} else if (m->depths) {
		v = TLSA_V_DEPTH;
		tlsa_say(r, SESSION_WARN, _("  %s: its data matches %s, but %s(%u) counts only %s: as "
			 "%u %u %u it would"), t.data, where, usages[rec->usage], rec->usage,
			 rec->usage == 3 ? _("at depth 0") : _("for an issuer (depth 1 and up)"),
			 rec->usage == 3 ? 2u : 3u, rec->selector, rec->mtype);
	} else {
		v = TLSA_V_NONE;
		tlsa_say(r, SESSION_WARN, _("  %s: does not match the current chain"), t.data);
	}
	buf_printf(&r->json, "{\"usage\":%u,\"selector\":%u,\"mtype\":%u,", rec->usage, rec->selector,
		   rec->mtype);
	tlsa_json_hex(&r->json, "data", rec->data, rec->len);
	buf_printf(&r->json, ",\"verdict\":\"%s\",", tlsa_verdict_names[v]);
	tlsa_json_depths(&r->json, "depths", m->depths);
	buf_printf(&r->json, ",\"above\":%s,", m->above ? "true" : "false");
	tlsa_json_str(&r->json, "text", r->lines[r->n - 1].text + 2, true);
	buf_addc(&r->json, '}');
	free(where);
	buf_free(&t);
	return v;
}

static void tlsa_conclude(struct tlsa_report *r, enum tlsa_status st, enum session_kind kind,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void tlsa_conclude(struct tlsa_report *r, enum tlsa_status st, enum session_kind kind,
			  const char *fmt, ...)
{
	va_list ap;

	r->status = st;
	va_start(ap, fmt);
	tlsa_vsay(r, true, kind, fmt, ap);
	va_end(ap);
}

/* The answer's records, each compared; then the conclusion. */
static void tlsa_records(struct tlsa_report *r, const struct tlsa_input *in, const char *name)
{
	const struct dns_answer *a = in->answer;
	const struct tls_dane_record *first = NULL;
	struct tls_dane_record *recs = xcalloc(a->n ? a->n : 1, sizeof *recs);
	size_t usable = 0, matching = 0;
	struct buf first_text;
	char *no_tls;

	tlsa_say(r, SESSION_NOTE, ngettext("DNS publishes %zu TLSA record at %s [%s], TTL %u:",
					   "DNS publishes %zu TLSA records at %s [%s], TTL %u:", a->n),
		 a->n, name, dns_security_name(a->sec), a->ttl);
	buf_adds(&r->json, ",\"records\":[");
	for (size_t i = 0; i < a->n; i++) {
		struct tls_tlsa_match m = { .use = TLS_DANE_USABLE };
		enum tlsa_verdict v;

		recs[i] = (struct tls_dane_record){ a->tlsa[i].usage, a->tlsa[i].selector,
						    a->tlsa[i].mtype, a->tlsa[i].data, a->tlsa[i].len };
		if (in->chain)
			tls_tlsa_match(in->chain, &recs[i], &m);
		else
			m.use = tls_dane_record_use(&recs[i]);
		if (i)
			buf_addc(&r->json, ',');
		v = tlsa_check(r, in, &recs[i], &m);
		usable += m.use == TLS_DANE_USABLE;
		if (v == TLSA_V_MATCH && matching++ == 0)
			first = &recs[i];
	}
	buf_addc(&r->json, ']');
	if (a->malformed)
		tlsa_say(r, SESSION_WARN, ngettext("  and %zu malformed record the resolver returned (%s)",
						   "  and %zu malformed records the resolver returned (%s)",
						   a->malformed), a->malformed,
			 a->malformed_why ? a->malformed_why : "?");
	buf_printf(&r->json, ",\"usable\":%zu,\"matching\":%zu", usable, matching);

	no_tls = tlsa_escape(in->no_tls, _("no handshake"));
	buf_init(&first_text);
	if (first)
		tlsa_record_text(&first_text, first);
	if (a->sec == DNS_SECURE) {
		tlsa_say(r, SESSION_NOTE, "%s", _("DNSSEC: secure: a DANE sender uses these records"));
		if (in->chain == NULL)
			tlsa_conclude(r, TLSA_EXIT_NO_TLS, SESSION_ERROR,
				      ngettext("DNS publishes %zu DNSSEC-secure TLSA record, but there "
					       "is no TLS to check (%s): %s",
					       "DNS publishes %zu DNSSEC-secure TLSA records, but there "
					       "is no TLS to check (%s): %s", a->n), a->n, no_tls,
				      usable ? _("DANE senders will refuse to deliver here (RFC 7672 2.2)")
					     : _("no record is usable, so DANE senders deliver without "
						 "authentication"));
		else if (matching)
			tlsa_conclude(r, TLSA_EXIT_MATCH, SESSION_NOTE,
				      ngettext("DNS publishes %zu record; %s matches %s: a DANE sender "
					       "will authenticate this server",
					       "DNS publishes %zu records; %s matches %s: a DANE sender "
					       "will authenticate this server", a->n), a->n, first_text.data,
				      first->usage == 3 ? _("the server's key") : _("an issuer of its chain"));
		else if (usable)
			tlsa_conclude(r, TLSA_EXIT_NO_MATCH, SESSION_ERROR, "%s",
				      _("no published record matches the current chain: DANE senders "
					"will refuse to deliver here (publish the 3 1 1 record above)"));
		else
			tlsa_conclude(r, TLSA_EXIT_NO_MATCH, SESSION_WARN,
				      ngettext("DNS publishes %zu record, none usable for SMTP: DANE "
					       "senders encrypt but do not authenticate this server "
					       "(RFC 7672 2.2); publish the 3 1 1 record above",
					       "DNS publishes %zu records, none usable for SMTP: DANE "
					       "senders encrypt but do not authenticate this server "
					       "(RFC 7672 2.2); publish the 3 1 1 record above", a->n), a->n);
	} else {
		tlsa_say(r, SESSION_WARN, "%s", _("DNSSEC: insecure (the zone is not signed, or has no "
			 "chain of trust): a DANE sender ignores these records and uses TLS without "
			 "authentication"));
		tlsa_conclude(r, in->chain ? TLSA_EXIT_INSECURE : TLSA_EXIT_NO_TLS, SESSION_WARN,
			      ngettext("DNS publishes %zu TLSA record%s, but not DNSSEC-signed: DANE "
				       "senders ignore them; sign the zone (with its DS in the parent) "
				       "for DANE to apply",
				       "DNS publishes %zu TLSA records%s, but not DNSSEC-signed: DANE "
				       "senders ignore them; sign the zone (with its DS in the parent) "
				       "for DANE to apply", a->n),
			      a->n, matching ? _(" that match the chain") : "");
	}
	buf_free(&first_text);
	free(no_tls);
	free(recs);
}

static void tlsa_dns_json(struct tlsa_report *r, const struct dns_answer *a, const char *result)
{
	buf_adds(&r->json, ",\"dns\":{");
	tlsa_json_str(&r->json, "result", result, true);
	buf_adds(&r->json, ",");
	tlsa_json_str(&r->json, "dnssec", a ? dns_security_name(a->sec) : NULL, true);
	buf_adds(&r->json, ",");
	tlsa_json_str(&r->json, "why_bogus", a ? a->why_bogus : NULL, false);
	buf_adds(&r->json, ",");
	tlsa_json_str(&r->json, "error", a ? a->error : NULL, false);
	buf_printf(&r->json, ",\"ttl\":%u}", a ? a->ttl : 0);
}

/* What DNS says, and the conclusion. */
static void tlsa_dns(struct tlsa_report *r, const struct tlsa_input *in, const char *name)
{
	const struct dns_answer *a = in->answer;
	char *why;

	if (a == NULL) {
		why = tlsa_escape(in->dns_error, "?");
		tlsa_say(r, SESSION_ERROR, _("TLSA %s: not looked up: %s"), name, why);
		tlsa_conclude(r, in->chain ? TLSA_EXIT_DNS_FAILED : TLSA_EXIT_NO_TLS, SESSION_ERROR,
			      _("the TLSA records could not be looked up (%s)"), why);
		free(why);
		tlsa_dns_json(r, NULL, "error");
		return;
	}
	if (a->sec == DNS_BOGUS || a->temporary) {
		bool bogus = a->sec == DNS_BOGUS;
		const char *text = bogus ? (a->why_bogus ? a->why_bogus : _("no reason given"))
					 : (a->error ? a->error : "SERVFAIL");

		why = tlsa_escape(text, "?");
		tlsa_say(r, SESSION_ERROR, "TLSA %s: %s: %s", name,
			 bogus ? _("bogus") : _("temporary failure"), why);
		tlsa_conclude(r, in->chain ? TLSA_EXIT_DNS_FAILED : TLSA_EXIT_NO_TLS, SESSION_ERROR,
			      _("%s: a DANE sender treats this host as unusable and does not deliver "
				"to it (RFC 7672 2.2.2); %s"), bogus
			      ? _("the TLSA answer failed DNSSEC validation (bogus)")
			      : _("the TLSA lookup failed temporarily"),
			      bogus ? _("fix the zone's signatures or its DS")
				    : _("with no other MX the mail waits in its queue"));
		free(why);
		tlsa_dns_json(r, a, bogus ? "bogus" : "temporary");
		return;
	}
	if (a->nxdomain || a->nodata || a->n == 0) {
		tlsa_say(r, SESSION_NOTE, _("TLSA %s: %s [%s]: no TLSA records"), name,
			 a->nxdomain ? "NXDOMAIN" : "NODATA", dns_security_name(a->sec));
		tlsa_conclude(r, in->chain ? TLSA_EXIT_NONE : TLSA_EXIT_NO_TLS, SESSION_WARN,
			      _("no TLSA records at %s: DANE does not apply and senders use "
				"opportunistic TLS%s"), name, in->chain ? _("; publish the 3 1 1 record "
				"above (in a DNSSEC-signed zone) to enable DANE") : "");
		tlsa_dns_json(r, a, a->nxdomain ? "nxdomain" : "nodata");
		return;
	}
	tlsa_dns_json(r, a, "records");
	tlsa_records(r, in, name);
}

/* One report, its texts in the language the catalog gives. */
static void tlsa_report_build(struct tlsa_report *r, const struct tlsa_input *in)
{
	char *name = tlsa_name(in->host, in->port);
	char *shown = tlsa_escape(name, "?");
	char *host = tlsa_escape(in->host, "?");

	memset(r, 0, sizeof *r);
	buf_init(&r->json);
	buf_addc(&r->json, '{');
	tlsa_json_str(&r->json, "host", in->host, false);
	buf_addc(&r->json, ',');
	tlsa_json_str(&r->json, "port", in->port, false);
	buf_addc(&r->json, ',');
	tlsa_json_str(&r->json, "tlsa_name", name, false);
	buf_printf(&r->json, ",\"tls\":%s,", in->chain ? "true" : "false");
	tlsa_json_str(&r->json, "tls_error", in->chain ? NULL : in->no_tls ? in->no_tls : _("no TLS"), false);
	if (in->chain) {
		buf_adds(&r->json, ",\"chain\":[");
		for (size_t d = 0; d < in->chain->n; d++) {
			const struct tls_tlsa_cert *tc = &in->chain->cert[d];

			buf_printf(&r->json, "%s{\"depth\":%zu,", d ? "," : "", d);
			tlsa_json_str(&r->json, "subject", tc->subject, true);
			buf_addc(&r->json, ',');
			tlsa_json_hex(&r->json, "spki_sha256", tc->assoc[1][1].data, tc->assoc[1][1].len);
			buf_addc(&r->json, ',');
			tlsa_json_hex(&r->json, "cert_sha256", tc->assoc[0][1].data, tc->assoc[0][1].len);
			buf_addc(&r->json, '}');
		}
		buf_addc(&r->json, ']');
		tlsa_publish(r, in, shown, host);
	} else {
		char *why = tlsa_escape(in->no_tls, _("no TLS"));

		tlsa_say(r, SESSION_ERROR, _("no TLS: %s; only DNS's side can be shown"), why);
		free(why);
	}
	tlsa_dns(r, in, shown);
	buf_printf(&r->json, ",\"exit\":%d,", (int)r->status);
	tlsa_json_str(&r->json, "conclusion", r->conclusion, true);
	buf_addc(&r->json, '}');
	free(name);
	free(shown);
	free(host);
}

/* The lines, the conclusion and the JSON's texts in the user's language
 * (the JSON's keys and ids stay English). */
void tlsa_report_make(struct tlsa_report *r, const struct tlsa_input *in)
{
	tlsa_report_build(r, in);
}

void tlsa_report_free(struct tlsa_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i].text);
	free(r->lines);
	free(r->conclusion);
	buf_free(&r->json);
	memset(r, 0, sizeof *r);
}

void tlsa_report_session(const struct tlsa_report *r, struct session *s)
{
	for (size_t i = 0; i < r->n; i++)
		session_text(s, r->lines[i].kind, "%s", r->lines[i].text);
	session_text(s, r->conclusion_kind, _("conclusion: %s"), r->conclusion);
}
