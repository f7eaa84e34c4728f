/* mtasts: the MTA-STS TXT record, the policy file and its mx patterns
 * (RFC 8461) and the TLS-RPT TXT record (RFC 8460), checked without any
 * I/O (mtasts.h).  The grammars are the RFCs' ABNF (RFC 8461 3.1 and 3.2,
 * RFC 8460 3), whose literals are case-sensitive (%s, RFC 7405): "V=STSv1"
 * is not a record and "Mode:" is not the mode.
 *
 * A record or a policy that breaks its grammar gets a defect; whether it
 * is still usable ("valid") follows the RFCs: a TXT record that is not
 * syntactically valid means no MTA-STS (RFC 8461 3.1), while a policy is
 * usable when its four fields are there and right (RFC 8461 3.2), stray
 * lines and unknown keys being ignored. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/mtasts.h"
#include "smtpscope/util.h"

/* At most this many foreign bytes are quoted in a defect's sentence. */
#define QUOTE_MAX 80

/* ---- characters (ASCII only: no locale) ---- */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static void trim_wsp(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_wsp(s[*start]))
		(*start)++;
	while (*end > *start && is_wsp(s[*end - 1]))
		(*end)--;
}

/* ---- defects ---- */

/* Records a defect: the sentence is fmt's text, then, when q is given,
 * ": " and q quoted, escaped and cut at QUOTE_MAX bytes. */
static void defect(struct mtasts_defects *ds, const char *id, const char *q, size_t qn,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void defect(struct mtasts_defects *ds, const char *id, const char *q, size_t qn,
		   const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	if (ds->n == MTASTS_MAX_DEFECTS) {
		ds->dropped++;
		return;
	}
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (q) {
		buf_adds(&b, ": \"");
		util_escape(&b, q, qn < QUOTE_MAX ? qn : QUOTE_MAX);
		buf_adds(&b, qn > QUOTE_MAX ? "...\"" : "\"");
	}
	ds->d[ds->n].id = id;
	ds->d[ds->n++].text = buf_steal(&b);
}

static void defects_free(struct mtasts_defects *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->d[i].text);
	ds->n = ds->dropped = 0;
}

/* ---- names (RFC 5321 Domain, RFC 1035 2.3.4 limits) ---- */

/* LDH labels of 1-63 bytes, no hyphen at either end, at most 253 bytes in
 * all; one trailing dot allowed (the root). */
static bool host_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(s[i]) || (s[i] == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

/* RFC 8461 3.2: sts-policy-mx-value = ["*."] Domain. */
static bool mx_pattern_ok(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '*' && s[1] == '.')
		return host_ok(s + 2, n - 2);
	return host_ok(s, n);
}

static bool names_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an && a[an - 1] == '.')
		an--;
	if (bn && b[bn - 1] == '.')
		bn--;
	return an == bn && util_strnieq(a, b, an);
}

bool mtasts_mx_match(const char *pattern, const char *host)
{
	size_t pn, hn;
	const char *dot;

	if (pattern == NULL || host == NULL)
		return false;
	pn = strlen(pattern);
	hn = strlen(host);
	if (!mx_pattern_ok(pattern, pn) || !host_ok(host, hn))
		return false;
	if (pattern[0] != '*')
		return names_eq(pattern, pn, host, hn);
	/* RFC 8461 4.1: the wildcard stands for the leftmost label only */
	dot = memchr(host, '.', hn);
	if (dot == NULL)
		return false;
	return names_eq(pattern + 2, pn - 2, dot + 1, hn - (size_t)(dot + 1 - host));
}

int mtasts_policy_match(const struct mtasts_policy *p, const char *host)
{
	if (p == NULL)
		return -1;
	for (size_t i = 0; i < p->n_mx; i++)
		if (mtasts_mx_match(p->mx[i], host))
			return (int)i;
	return -1;
}

/* ---- fields shared by the TXT records and the policy ---- */

/* sts-ext-name, sts-policy-ext-name, tlsrpt-ext-name:
 * (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool ext_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || !is_alnum(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	return true;
}

/* A TXT extension field: name "=" 1*(%x21-3A / %x3C / %x3E-7E), that is
 * visible ASCII but ';' and '=' (RFC 8461 3.1, RFC 8460 3). */
static bool ext_field_ok(const char *f, size_t n)
{
	const char *eq = memchr(f, '=', n);
	size_t vs;

	if (eq == NULL || !ext_name_ok(f, (size_t)(eq - f)))
		return false;
	vs = (size_t)(eq - f) + 1;
	if (vs == n)
		return false;
	for (size_t i = vs; i < n; i++)
		if ((unsigned char)f[i] <= ' ' || (unsigned char)f[i] >= 0x7f || f[i] == ';' || f[i] == '=')
			return false;
	return true;
}

/* ---- the TXT records: STS (RFC 8461 3.1) and TLS-RPT (RFC 8460 3) ---- */

/* The two kinds of record have the same shape, a version and then
 * *(*WSP ";" *WSP field) [*WSP ";" *WSP], and one required field (the
 * key) among extensions; this is what tells them apart. */
struct txt_kind {
	const char *tag;         /* the version field, "v=STSv1" */
	const char *key;         /* the required field's name and "=", "id=" */
	const char *what;        /* "MTA-STS" */
	const char *rfc;         /* "RFC 8461 3.1" */
	const char *no_key_why;  /* the end of the missing key's sentence */
	const char *id_several, *id_near, *id_syntax, *id_bad_field, *id_duplicate, *id_no_key;
	/* Checks the key's field f (defects on ds); false when it is bad. */
	bool (*value_ok)(struct mtasts_defects *ds, const char *f, size_t n);
};

/* One record's walk: the key's value kept, whether every field is right. */
struct txt_walk {
	const struct txt_kind *k;
	struct mtasts_defects *ds;
	char **value;
	bool ok;
	bool key_case;  /* a field "ID=" or "Rua=", which is not the key */
};

static bool txt_starts(const char *txt, size_t len, const char *tag)
{
	size_t n = strlen(tag);

	return txt && len >= n && memcmp(txt, tag, n) == 0 &&
	       (len == n || txt[n] == ';' || is_wsp(txt[n]));
}

bool mtasts_is_record(const char *txt, size_t len)
{
	return txt_starts(txt, len, "v=STSv1");
}

/* A string that would be a record but for the case of its version tag or
 * whitespace before it: discarded, but worth telling. */
static bool txt_near_miss(const char *txt, size_t len, const char *tag)
{
	size_t n = strlen(tag), i = 0;

	if (txt == NULL)
		return false;
	while (i < len && is_wsp(txt[i]))
		i++;
	return len - i >= n && util_strnieq(txt + i, tag, n) &&
	       (len - i == n || txt[i + n] == ';' || is_wsp(txt[i + n]));
}

static void txt_field(struct txt_walk *w, const char *f, size_t n)
{
	const struct txt_kind *k = w->k;
	size_t kn = strlen(k->key);

	if (n < kn || memcmp(f, k->key, kn) != 0) {
		w->key_case |= n >= kn && util_strnieq(f, k->key, kn);
		if (!ext_field_ok(f, n)) {
			defect(w->ds, k->id_bad_field, f, n, _("not a name=value field (%s)"), k->rfc);
			w->ok = false;
		}
		return;
	}
	if (*w->value) {
		defect(w->ds, k->id_duplicate, f, n, _("a second %s field, ignored"), k->key);
		return;
	}
	*w->value = util_escape_dup(f + kn, n - kn);
	w->ok &= k->value_ok(w->ds, f, n);
}

/* Hands each field after the version, whitespace around it trimmed, to
 * txt_field; false (and a defect) when the record breaks the shape. */
static bool txt_fields(struct txt_walk *w, const char *r, size_t len)
{
	const struct txt_kind *k = w->k;
	size_t i = strlen(k->tag);
	bool ok = true;

	while (i < len) {
		const char *semi;
		size_t s, e;

		while (i < len && is_wsp(r[i]))
			i++;
		if (i == len)
			break;
		if (r[i] != ';') {
			defect(w->ds, k->id_syntax, r + i, len - i, _("fields must be separated by \";\" (%s)"), k->rfc);
			return false;
		}
		s = ++i;
		semi = memchr(r + i, ';', len - i);
		e = semi ? (size_t)(semi - r) : len;
		i = e;
		trim_wsp(r, &s, &e);
		if (s < e) {
			txt_field(w, r + s, e - s);
		} else if (semi) {
			defect(w->ds, k->id_syntax, NULL, 0, _("an empty field between two \";\" (%s)"), k->rfc);
			ok = false;
		}
	}
	return ok;
}

/* Selects the record among a TXT answer's strings (the first is shown)
 * and checks it; true when it is valid: exactly one, the right shape,
 * every field right, the key there. */
static bool txt_check(const struct txt_kind *k, const char *const *txt, const size_t *len, size_t n,
		      size_t *n_records, char **record, char **value, struct mtasts_defects *ds)
{
	struct txt_walk w = { k, ds, value, true, false };
	size_t first = 0;
	bool shape;

	if (txt == NULL || len == NULL)
		n = 0;
	for (size_t i = 0; i < n; i++) {
		if (txt_starts(txt[i], len[i], k->tag)) {
			if ((*n_records)++ == 0)
				first = i;
		} else if (txt_near_miss(txt[i], len[i], k->tag)) {
			defect(ds, k->id_near, txt[i], len[i], _("a TXT string ignored: a %s record starts with "
			       "exactly \"%s\""), k->what, k->tag);
		}
	}
	if (*n_records == 0)
		return false;
	*record = util_escape_dup(txt[first], len[first]);
	if (*n_records > 1)
		defect(ds, k->id_several, NULL, 0, _("%zu records start with \"%s\": there must be exactly one, "
		       "otherwise senders assume no %s (%s)"), *n_records, k->tag, k->what, k->rfc);
	shape = txt_fields(&w, txt[first], len[first]);
	if (*value == NULL)
		defect(ds, k->id_no_key, NULL, 0, _("the record has no %s field%s%s (%s)"), k->key,
		       w.key_case ? _(" (field names are case-sensitive)") : "",
		       *k->no_key_why ? _(k->no_key_why) : "", k->rfc);
	return *n_records == 1 && shape && w.ok && *value != NULL;
}

static void txt_free(char **record, char **value, struct mtasts_defects *ds)
{
	free(*record);
	free(*value);
	defects_free(ds);
}

/* ---- MTA-STS's record ---- */

/* sts-id = %s"id=" 1*32(ALPHA / DIGIT) */
static bool sts_id_ok(struct mtasts_defects *ds, const char *f, size_t n)
{
	bool ok = n > 3 && n <= 3 + 32;

	for (size_t i = 3; ok && i < n; i++)
		ok = is_alnum(f[i]);
	if (!ok)
		defect(ds, "sts-txt-bad-id", f, n, _("the id must be 1 to 32 letters and digits (RFC 8461 3.1)"));
	return ok;
}

static const struct txt_kind sts_kind = {
	"v=STSv1", "id=", "MTA-STS", "RFC 8461 3.1", "",
	"sts-txt-several", "sts-txt-near-miss", "sts-txt-syntax", "sts-txt-bad-field",
	"sts-txt-duplicate-id", "sts-txt-no-id", sts_id_ok,
};

void mtasts_txt_check(const char *const *txt, const size_t *len, size_t n, struct mtasts_txt *out)
{
	memset(out, 0, sizeof *out);
	out->valid = txt_check(&sts_kind, txt, len, n, &out->n_records, &out->record, &out->id,
			       &out->defects);
}

void mtasts_txt_free(struct mtasts_txt *t)
{
	txt_free(&t->record, &t->id, &t->defects);
	memset(t, 0, sizeof *t);
}

/* ---- TLS-RPT's record ---- */

/* RFC 3986's characters, less the ',' and ';' that end a URI here. */
static bool uri_char(char c)
{
	return is_alnum(c) || (c && strchr("-._~:/?#[]@!$&'()*+=%", c));
}

/* One rua URI: mailto: with an address, or https:// with a host. */
static bool rpt_uri_ok(struct mtasts_defects *ds, const char *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!uri_char(u[i])) {
			defect(ds, "tlsrpt-bad-uri", u, n, _("a rua URI holds a byte that must be %%-encoded"));
			return false;
		}
	if (n >= 7 && util_strnieq(u, "mailto:", 7)) {
		const char *at = memchr(u + 7, '@', n - 7);

		if (at && at > u + 7 && at < u + n - 1)
			return true;
	} else if (n >= 6 && util_strnieq(u, "https:", 6)) {
		if (n > 8 && u[6] == '/' && u[7] == '/' && u[8] != '/')
			return true;
	} else {
		defect(ds, "tlsrpt-bad-uri", u, n, _("a rua URI must be mailto: or https: (RFC 8460 3)"));
		return false;
	}
	defect(ds, "tlsrpt-bad-uri", u, n, _("a rua URI without its address or host"));
	return false;
}

/* tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri) */
static bool rpt_rua_ok(struct mtasts_defects *ds, const char *f, size_t n)
{
	bool ok = true;
	size_t i = 4;

	while (i <= n) {
		const char *comma = memchr(f + i, ',', n - i);
		size_t s = i, e = comma ? (size_t)(comma - f) : n;

		i = e + 1;
		trim_wsp(f, &s, &e);
		ok &= rpt_uri_ok(ds, f + s, e - s);
	}
	return ok;
}

static const struct txt_kind rpt_kind = {
	"v=TLSRPTv1", "rua=", "TLS-RPT", "RFC 8460 3", N_(": reports have nowhere to go"),
	"tlsrpt-several", "tlsrpt-near-miss", "tlsrpt-syntax", "tlsrpt-bad-field",
	"tlsrpt-duplicate-rua", "tlsrpt-no-rua", rpt_rua_ok,
};

void tlsrpt_check(const char *const *txt, const size_t *len, size_t n, struct tlsrpt_txt *out)
{
	memset(out, 0, sizeof *out);
	out->valid = txt_check(&rpt_kind, txt, len, n, &out->n_records, &out->record, &out->rua,
			       &out->defects);
}

void tlsrpt_free(struct tlsrpt_txt *t)
{
	txt_free(&t->record, &t->rua, &t->defects);
	memset(t, 0, sizeof *t);
}

/* ---- the policy file (RFC 8461 3.2) ---- */

enum pol_key { K_VERSION, K_MODE, K_MAX_AGE, K_MX, K_N };
static const char *const pol_keys[K_N] = { "version", "mode", "max_age", "mx" };

struct pol_parse {
	struct mtasts_policy *p;
	size_t line;      /* the line's number, from 1 */
	unsigned seen;    /* bit per enum pol_key */
	bool version_ok;
};

const char *mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_NONE:
		return "none";
	default:
		return _("(none given)");
	}
}

/* Bytes no policy line should hold; the line is still read. */
static void pol_bytes(struct pol_parse *c, const char *l, size_t n)
{
	struct mtasts_defects *ds = &c->p->defects;
	bool control = false;

	for (size_t i = 0; i < n; i++)
		control |= l[i] != '\t' && l[i] != '\0' && ((unsigned char)l[i] < ' ' || l[i] == 0x7f);
	if (memchr(l, '\0', n))
		defect(ds, "policy-nul", l, n, _("line %zu holds a NUL byte"), c->line);
	if (control)
		defect(ds, "policy-control", l, n, _("line %zu holds a control byte"), c->line);
	if (!util_utf8_valid(l, n))
		defect(ds, "policy-not-utf8", l, n, _("line %zu is not valid UTF-8"), c->line);
}

/* 1*10DIGIT (RFC 8461 3.2); -1 when the value is not that, or does not
 * fit a long (ten digits do not where long has 32 bits). */
static long pol_number(const char *v, size_t n)
{
	unsigned long long x = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return -1;
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	return x <= LONG_MAX ? (long)x : -1;
}

static void pol_mode(struct pol_parse *c, const char *v, size_t n)
{
	static const struct { const char *name; enum mtasts_mode mode; } modes[] = {
		{ "enforce", MTASTS_MODE_ENFORCE },
		{ "testing", MTASTS_MODE_TESTING },
		{ "none", MTASTS_MODE_NONE },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(modes); i++)
		if (strlen(modes[i].name) == n && memcmp(v, modes[i].name, n) == 0) {
			c->p->mode = modes[i].mode;
			return;
		}
	defect(&c->p->defects, "policy-bad-mode", v, n, _("line %zu: the mode must be enforce, testing or none"),
	       c->line);
}

static void pol_mx(struct pol_parse *c, const char *v, size_t n)
{
	struct mtasts_policy *p = c->p;
	char *lower;

	if (!mx_pattern_ok(v, n))
		defect(&p->defects, "policy-bad-mx", v, n, _("line %zu: an mx pattern is a host name or \"*.\" "
		       "and a host name (RFC 8461 3.2)"), c->line);
	if (p->n_mx == MTASTS_MAX_MX) {
		p->mx_dropped++;
		return;
	}
	lower = xmemdup(v, n);
	for (size_t i = 0; i < n; i++)
		if (lower[i] >= 'A' && lower[i] <= 'Z')
			lower[i] = (char)(lower[i] - 'A' + 'a');
	p->mx[p->n_mx++] = util_escape_dup(lower, n);
	free(lower);
}

static void pol_value(struct pol_parse *c, enum pol_key k, const char *v, size_t n)
{
	struct mtasts_policy *p = c->p;

	switch (k) {
	case K_VERSION:
		p->version = util_escape_dup(v, n);
		c->version_ok = n == 5 && memcmp(v, "STSv1", 5) == 0;
		if (!c->version_ok)
			defect(&p->defects, "policy-bad-version", v, n, _("line %zu: the version must be STSv1"),
			       c->line);
		break;
	case K_MODE:
		pol_mode(c, v, n);
		break;
	case K_MAX_AGE:
		p->max_age = pol_number(v, n);
		if (p->max_age < 0 || p->max_age > MTASTS_MAX_AGE_MAX)
			defect(&p->defects, "policy-bad-max-age", v, n, _("line %zu: max_age must be a number of "
			       "seconds from 0 to %ld"), c->line, MTASTS_MAX_AGE_MAX);
		break;
	default:
		pol_mx(c, v, n);
		break;
	}
}

/* One line without its end: key ":" *WSP value *WSP. */
static void pol_line(struct pol_parse *c, const char *l, size_t n)
{
	struct mtasts_defects *ds = &c->p->defects;
	const char *colon;
	size_t kn, vs, ve = n;
	unsigned k;

	if (n == 0) {
		defect(ds, "policy-blank-line", NULL, 0, _("line %zu is empty (RFC 8461 3.2 has none)"), c->line);
		return;
	}
	pol_bytes(c, l, n);
	colon = memchr(l, ':', n);
	if (colon == NULL) {
		defect(ds, "policy-no-colon", l, n, _("line %zu is not \"key: value\", ignored"), c->line);
		return;
	}
	kn = (size_t)(colon - l);
	if (!ext_name_ok(l, kn)) {
		defect(ds, "policy-bad-key", l, kn, _("line %zu: not a key (letters, digits, \"_-.\", right "
		       "before the \":\"), the line is ignored"), c->line);
		return;
	}
	vs = kn + 1;
	trim_wsp(l, &vs, &ve);
	for (k = 0; k < K_N; k++)
		if (strlen(pol_keys[k]) == kn && util_strnieq(l, pol_keys[k], kn))
			break;
	if (k == K_N)
		return; /* an extension: ignored (RFC 8461 3.2) */
	if (memcmp(l, pol_keys[k], kn) != 0) {
		defect(ds, "policy-key-case", l, kn, _("line %zu: keys are case-sensitive, so this is not \"%s\" "
		       "and the line is ignored"), c->line, pol_keys[k]);
		return;
	}
	if (k != K_MX && (c->seen & (1u << k))) {
		defect(ds, "policy-duplicate", l, n, _("line %zu: a second %s line, ignored (the first counts, "
		       "RFC 8461 3.2)"), c->line, pol_keys[k]);
		return;
	}
	c->seen |= 1u << k;
	pol_value(c, (enum pol_key)k, l + vs, ve - vs);
}

/* The fields every policy needs, and whether it is usable. */
static void pol_finish(struct pol_parse *c)
{
	static const char *const missing[K_MX] = { "policy-no-version", "policy-no-mode", "policy-no-max-age" };
	struct mtasts_policy *p = c->p;
	size_t mx_lines = p->n_mx + p->mx_dropped;

	/* RFC 8461 3.2: a policy without one of these is not valid */
	for (unsigned k = 0; k < K_MX; k++)
		if (!(c->seen & (1u << k)))
			defect(&p->defects, missing[k], NULL, 0, _("the policy has no %s line (RFC 8461 3.2)"),
			       pol_keys[k]);
	if ((p->mode == MTASTS_MODE_ENFORCE || p->mode == MTASTS_MODE_TESTING) && mx_lines == 0)
		defect(&p->defects, "policy-no-mx", NULL, 0, _("mode %s without any mx line: no MX host "
		       "could match"), mtasts_mode_name(p->mode));
	if (p->mx_dropped)
		defect(&p->defects, "policy-too-many-mx", NULL, 0, _("%zu mx lines: only the first %d are kept"),
		       mx_lines, MTASTS_MAX_MX);
	p->valid = c->version_ok && p->mode != MTASTS_MODE_NONE_GIVEN && p->max_age >= 0 &&
		   p->max_age <= MTASTS_MAX_AGE_MAX && (p->mode == MTASTS_MODE_NONE || mx_lines > 0);
}

void mtasts_policy_parse(const char *body, size_t len, struct mtasts_policy *out)
{
	struct pol_parse c = { out, 1, 0, false };
	size_t i = 0;

	memset(out, 0, sizeof *out);
	out->max_age = -1;
	if (body == NULL)
		len = 0;
	if (len > MTASTS_POLICY_MAX) {
		defect(&out->defects, "policy-too-large", NULL, 0, _("the policy is %zu bytes, more than the "
		       "%d allowed (RFC 8461 3.3): refused"), len, MTASTS_POLICY_MAX);
		return;
	}
	/* sts-policy-term = LF / CRLF; the last line's end is optional */
	for (; i < len; c.line++) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - body) : len, n = e - i;

		if (nl && n && body[e - 1] == '\r')
			n--;
		pol_line(&c, body + i, n);
		i = e + 1;
	}
	pol_finish(&c);
}

void mtasts_policy_free(struct mtasts_policy *p)
{
	free(p->version);
	for (size_t i = 0; i < p->n_mx; i++)
		free(p->mx[i]);
	defects_free(&p->defects);
	memset(p, 0, sizeof *p);
	p->max_age = -1;
}
