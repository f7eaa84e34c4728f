/* sendpol: the SPF and DMARC records of a sender domain, selected among a
 * TXT answer's strings and checked for their basic syntax (sendpol.h). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/sendpol.h"
#include "smtpscope/util.h"

static void defect(struct sendpol_defects *ds, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void defect(struct sendpol_defects *ds, const char *id, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	if (ds->n == SENDPOL_MAX_DEFECTS) {
		ds->dropped++;
		return;
	}
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	ds->d[ds->n].id = id;
	ds->d[ds->n].text = xstrdup(b.data ? b.data : "");
	ds->n++;
	buf_free(&b);
}

static void defects_free(struct sendpol_defects *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->d[i].text);
	ds->n = 0;
}

static char *esc(const char *p, size_t n)
{
	return util_escape_dup(p, n);
}

/* ---- SPF (RFC 7208) ---- */

bool spf_is_record(const char *txt, size_t len)
{
	return len >= 6 && util_strnieq(txt, "v=spf1", 6) && (len == 6 || txt[6] == ' ');
}

static bool spf_cidr(const char *s, size_t n, unsigned max)
{
	unsigned v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= max;
}

/* "ADDR[/LEN]" of the family; false on a bad address or length. */
static bool spf_ip(const char *s, size_t n, bool v6)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n;
	unsigned char buf[16];
	char *a;
	bool ok;

	if (an == 0 || an > 63)
		return false;
	a = xmemdup(s, an);
	ok = inet_pton(v6 ? AF_INET6 : AF_INET, a, buf) == 1;
	free(a);
	if (ok && slash)
		ok = spf_cidr(slash + 1, n - an - 1, v6 ? 128 : 32);
	return ok;
}

/* A domain-spec or a dual CIDR after a, mx: anything printable without
 * spaces; what matters here is that it is not empty. */
static bool spf_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

enum spf_arg { SPF_ARG_NONE, SPF_ARG_OPTIONAL, SPF_ARG_DOMAIN, SPF_ARG_IP4, SPF_ARG_IP6 };

static const struct {
	const char *name;
	enum spf_arg arg;
	bool lookup;
} spf_mechs[] = {
	{ "all", SPF_ARG_NONE, false },
	{ "include", SPF_ARG_DOMAIN, true },
	{ "a", SPF_ARG_OPTIONAL, true },
	{ "mx", SPF_ARG_OPTIONAL, true },
	{ "ptr", SPF_ARG_OPTIONAL, true },
	{ "ip4", SPF_ARG_IP4, false },
	{ "ip6", SPF_ARG_IP6, false },
	{ "exists", SPF_ARG_DOMAIN, true },
};

static void spf_term(struct spf_check *c, const char *t, size_t n, bool *after_all)
{
	struct sendpol_defects *ds = &c->defects;
	char *shown = esc(t, n);
	const char *eq = memchr(t, '=', n);
	size_t nn = 0;
	char q = '+';

	c->n_terms++;
	/* a modifier: name=value, the name ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
	while (nn < n && (isalnum((unsigned char)t[nn]) || t[nn] == '-' || t[nn] == '_' || t[nn] == '.'))
		nn++;
	if (eq && (size_t)(eq - t) == nn && nn > 0 && isalpha((unsigned char)t[0])) {
		const char *v = eq + 1;
		size_t vn = n - nn - 1;

		if (nn == 8 && util_strnieq(t, "redirect", 8)) {
			if (c->redirect)
				defect(ds, "spf-duplicate-modifier", _("redirect= appears more than once (RFC 7208 6: a permanent error)"));
			else
				c->redirect = esc(v, vn);
			c->lookups++;
			if (vn == 0)
				defect(ds, "spf-bad-argument", _("\"%s\": redirect= needs a domain"), shown);
		} else if (nn == 3 && util_strnieq(t, "exp", 3)) {
			if (vn == 0)
				defect(ds, "spf-bad-argument", _("\"%s\": exp= needs a domain"), shown);
		}
		/* other modifiers are ignored by receivers (RFC 7208 6) */
		free(shown);
		return;
	}
	if (n && strchr("+-~?", t[0])) {
		q = t[0];
		t++, n--;
	}
	for (size_t i = 0; i < sizeof spf_mechs / sizeof spf_mechs[0]; i++) {
		size_t mn = strlen(spf_mechs[i].name);
		const char *arg;
		size_t an;
		bool ok = true;

		if (n < mn || !util_strnieq(t, spf_mechs[i].name, mn) ||
		    (n > mn && t[mn] != ':' && t[mn] != '/'))
			continue;
		arg = t + mn;
		an = n - mn;
		if (*after_all)
			defect(ds, "spf-after-all", _("\"%s\" comes after \"all\": it is never reached"), shown);
		if (spf_mechs[i].lookup)
			c->lookups++;
		switch (spf_mechs[i].arg) {
		case SPF_ARG_NONE:
			ok = an == 0;
			break;
		case SPF_ARG_OPTIONAL:
			ok = an == 0 || (an > 1 && spf_printable(arg + 1, an - 1));
			break;
		case SPF_ARG_DOMAIN:
			ok = an > 1 && arg[0] == ':' && spf_printable(arg + 1, an - 1);
			break;
		case SPF_ARG_IP4:
		case SPF_ARG_IP6:
			ok = an > 1 && arg[0] == ':' &&
			     spf_ip(arg + 1, an - 1, spf_mechs[i].arg == SPF_ARG_IP6);
			break;
		}
		if (!ok)
			defect(ds, "spf-bad-argument",
			       spf_mechs[i].arg == SPF_ARG_NONE ? _("\"%s\": all takes no argument")
			       : spf_mechs[i].arg == SPF_ARG_DOMAIN ? _("\"%s\": needs \":domain\"")
			       : spf_mechs[i].arg == SPF_ARG_IP4 ? _("\"%s\": needs \":IPv4-address[/0-32]\"")
			       : spf_mechs[i].arg == SPF_ARG_IP6 ? _("\"%s\": needs \":IPv6-address[/0-128]\"")
			       : _("\"%s\": a malformed domain or prefix length"), shown);
		if (mn == 3 && util_strnieq(t, "ptr", 3))
			defect(ds, "spf-ptr", _("\"%s\": the ptr mechanism should not be used (RFC 7208 5.5: slow, unreliable)"), shown);
		if (ok && mn == 3 && util_strnieq(t, "all", 3) && !c->all) {
			c->all = xstrdup(shown);
			c->qualifier = q;
			*after_all = true;
			if (q == '+')
				defect(ds, "spf-pass-all", _("\"%s\": every host in the world may send as this domain"), shown);
		}
		free(shown);
		return;
	}
	defect(ds, "spf-unknown-term", _("\"%s\": not an SPF mechanism or modifier (a permanent error, RFC 7208 5)"), shown);
	free(shown);
}

static void spf_parse(struct spf_check *c, const char *r, size_t len)
{
	bool after_all = false;
	size_t i = 6;

	while (i < len) {
		size_t s;

		while (i < len && r[i] == ' ')
			i++;
		s = i;
		while (i < len && r[i] != ' ')
			i++;
		if (i > s)
			spf_term(c, r + s, i - s, &after_all);
	}
	if (c->lookups > SPF_MAX_LOOKUPS)
		defect(&c->defects, "spf-too-many-lookups",
		       _("%zu terms cause DNS lookups (include, a, mx, ptr, exists, redirect), more than the %d allowed "
		       "(RFC 7208 4.6.4; includes add theirs)"), c->lookups, SPF_MAX_LOOKUPS);
	if (c->all && c->redirect)
		defect(&c->defects, "spf-redirect-ignored", _("redirect= is ignored because the record has \"all\" (RFC 7208 6.1)"));
	if (!c->all && !c->redirect)
		defect(&c->defects, "spf-no-all", _("no \"all\" and no redirect=: hosts not listed get \"neutral\", "
		       "as if the record ended in \"?all\""));
}

void spf_check(const char *const *txt, const size_t *len, size_t n, struct spf_check *out)
{
	size_t first = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++)
		if (spf_is_record(txt[i], len[i]) && out->n_records++ == 0)
			first = i;
	if (out->n_records == 0)
		return;
	out->record = esc(txt[first], len[first]);
	if (out->n_records > 1)
		defect(&out->defects, "spf-multiple", _("%zu SPF records: there must be exactly one "
		       "(RFC 7208 4.5: a permanent error, receivers use none of them)"), out->n_records);
	if (memchr(txt[first], '\0', len[first]))
		defect(&out->defects, "spf-nul", _("the record holds a NUL byte"));
	spf_parse(out, txt[first], len[first]);
}

void spf_check_free(struct spf_check *c)
{
	free(c->record);
	free(c->all);
	free(c->redirect);
	defects_free(&c->defects);
	memset(c, 0, sizeof *c);
}

/* ---- DMARC (RFC 7489) ---- */

bool dmarc_is_record(const char *txt, size_t len)
{
	size_t i = 0;

	/* "v" *WSP "=" *WSP "DMARC1" then the end or *WSP ";" */
	if (len == 0 || txt[0] != 'v')
		return false;
	i = 1;
	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	if (i == len || txt[i++] != '=')
		return false;
	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	if (len - i < 6 || memcmp(txt + i, "DMARC1", 6) != 0)
		return false;
	i += 6;
	while (i < len && (txt[i] == ' ' || txt[i] == '\t'))
		i++;
	return i == len || txt[i] == ';';
}

static bool dmarc_policy_ok(const char *v, size_t n)
{
	return (n == 4 && util_strnieq(v, "none", 4)) || (n == 10 && util_strnieq(v, "quarantine", 10)) ||
	       (n == 6 && util_strnieq(v, "reject", 6));
}

/* rua/ruf: comma-separated URIs, each "mailto:..." (RFC 7489 6.2) with an
 * optional "!size"; other schemes are allowed but receivers need mailto. */
static void dmarc_uris(struct sendpol_defects *ds, const char *tag, const char *v, size_t n)
{
	size_t i = 0;

	if (n == 0) {
		defect(ds, "dmarc-bad-uri", _("%s= is empty"), tag);
		return;
	}
	while (i <= n) {
		const char *c = memchr(v + i, ',', n - i);
		size_t e = c ? (size_t)(c - v) : n, s = i;

		while (s < e && (v[s] == ' ' || v[s] == '\t'))
			s++;
		if (e - s < 8 || !util_strnieq(v + s, "mailto:", 7)) {
			char *shown = esc(v + s, e - s);

			defect(ds, "dmarc-bad-uri", _("%s= \"%s\" is not a mailto: URI (RFC 7489 6.2)"), tag, shown);
			free(shown);
		}
		i = e + 1;
	}
}

static void dmarc_tag(struct dmarc_check *c, const char *t, size_t n, unsigned *seen)
{
	static const char *const tags[] = { "v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf",
					    "fo", "rf", "ri", "np", "psd", "t" };
	struct sendpol_defects *ds = &c->defects;
	const char *eq = memchr(t, '=', n);
	size_t kn, vs, k;
	char *shown = esc(t, n);
	const char *v;
	size_t vn;

	if (eq == NULL) {
		defect(ds, "dmarc-bad-tag", _("\"%s\": not a tag=value pair"), shown);
		free(shown);
		return;
	}
	kn = (size_t)(eq - t);
	while (kn > 0 && (t[kn - 1] == ' ' || t[kn - 1] == '\t'))
		kn--;
	vs = (size_t)(eq - t) + 1;
	while (vs < n && (t[vs] == ' ' || t[vs] == '\t'))
		vs++;
	v = t + vs;
	vn = n - vs;
	for (k = 0; k < sizeof tags / sizeof tags[0]; k++)
		if (strlen(tags[k]) == kn && util_strnieq(t, tags[k], kn))
			break;
	if (k == sizeof tags / sizeof tags[0]) {
		defect(ds, "dmarc-unknown-tag", _("\"%s\": not a DMARC tag (receivers ignore it)"), shown);
		free(shown);
		return;
	}
	if (*seen & (1u << k)) {
		defect(ds, "dmarc-duplicate-tag", _("\"%s\": the tag appears more than once"), shown);
		free(shown);
		return;
	}
	*seen |= 1u << k;
	switch (k) {
	case 1: /* p */
	case 2: /* sp */
	case 11: /* np */
		if (k == 1) {
			c->p = esc(v, vn);
			c->p_valid = dmarc_policy_ok(v, vn);
		} else if (k == 2) {
			c->sp = esc(v, vn);
		}
		if (!dmarc_policy_ok(v, vn))
			defect(ds, "dmarc-bad-policy", _("\"%s\": the policy must be none, quarantine or reject"), shown);
		break;
	case 3: { /* pct */
		int pct = 0;
		bool ok = vn > 0 && vn <= 3;

		for (size_t i = 0; ok && i < vn; i++)
			ok = isdigit((unsigned char)v[i]), pct = pct * 10 + (v[i] - '0');
		if (ok && pct <= 100)
			c->pct = pct;
		else
			defect(ds, "dmarc-bad-pct", _("\"%s\": pct must be a number from 0 to 100"), shown);
		break;
	}
	case 4: /* rua */
	case 5: /* ruf */
		if (k == 4)
			c->rua = esc(v, vn);
		else
			c->ruf = esc(v, vn);
		dmarc_uris(ds, tags[k], v, vn);
		break;
	case 6: /* adkim */
	case 7: /* aspf */
		if (!(vn == 1 && (v[0] == 'r' || v[0] == 's')))
			defect(ds, "dmarc-bad-alignment", _("\"%s\": alignment must be r (relaxed) or s (strict)"), shown);
		break;
	default:
		break;
	}
	free(shown);
}

void dmarc_check(const char *const *txt, const size_t *len, size_t n, struct dmarc_check *out)
{
	size_t first = 0, i, s;
	unsigned seen = 0;
	const char *r;

	memset(out, 0, sizeof *out);
	out->pct = -1;
	for (i = 0; i < n; i++)
		if (dmarc_is_record(txt[i], len[i]) && out->n_records++ == 0)
			first = i;
	if (out->n_records == 0)
		return;
	r = txt[first];
	out->record = esc(r, len[first]);
	if (out->n_records > 1)
		defect(&out->defects, "dmarc-multiple", _("%zu DMARC records: there must be exactly one "
		       "(RFC 7489 6.6.3: receivers then apply no policy)"), out->n_records);
	for (i = 0; i < len[first]; ) {
		const char *semi = memchr(r + i, ';', len[first] - i);
		size_t e = semi ? (size_t)(semi - r) : len[first];

		s = i;
		while (s < e && (r[s] == ' ' || r[s] == '\t'))
			s++;
		while (e > s && (r[e - 1] == ' ' || r[e - 1] == '\t'))
			e--;
		if (e > s)
			dmarc_tag(out, r + s, e - s, &seen);
		i = semi ? (size_t)(semi - r) + 1 : len[first];
	}
	if (out->p == NULL)
		defect(&out->defects, "dmarc-no-p", _("no p= tag: the record is invalid without its policy (RFC 7489 6.3)"));
	else if ((seen & 2u) && out->n_records == 1) {
		/* p must come right after v (RFC 7489 6.3, 6.4) */
		const char *p = strchr(out->record, ';');

		while (p && (*++p == ' ' || *p == '\t'))
			;
		if (p == NULL || *p != 'p' || !(p[1] == '=' || p[1] == ' ' || p[1] == '\t'))
			defect(&out->defects, "dmarc-p-not-second", _("p= should be the tag right after v=DMARC1 (RFC 7489 6.4)"));
	}
}

void dmarc_check_free(struct dmarc_check *c)
{
	free(c->record);
	free(c->p);
	free(c->sp);
	free(c->rua);
	free(c->ruf);
	defects_free(&c->defects);
	memset(c, 0, sizeof *c);
	c->pct = -1;
}
