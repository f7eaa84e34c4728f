/* dns-parse: the rdata libunbound returns, in wire format, into the typed
 * arrays of struct dns_answer; sans-I/O.  Names: RFC 1035 3.1 and 4.1.4
 * (no compression pointers inside the rdata libunbound hands back: one is
 * refused), presentation escapes per RFC 1035 5.1.  A: RFC 1035 3.4.1;
 * AAAA: RFC 3596 2.2; MX: RFC 1035 3.3.9; TXT: RFC 1035 3.3.14; TLSA:
 * RFC 6698 2.1.  Every field is bounds-checked; a record that does not
 * fit is refused with a status that says why. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

/* RFC 1035 2.3.4 */
#define DNS_NAME_MAX 255
#define DNS_LABEL_MAX 63

static const struct {
	const char *name;
	enum dns_type type;
} dns_types[] = {
	{ "A", DNS_A },     { "AAAA", DNS_AAAA },   { "CNAME", DNS_CNAME }, { "MX", DNS_MX },
	{ "NS", DNS_NS },   { "PTR", DNS_PTR },     { "TLSA", DNS_TLSA },   { "TXT", DNS_TXT },
};

const char *const dns_type_names[] = { "A", "AAAA", "CNAME", "MX", "NS", "PTR", "TLSA", "TXT",
				       NULL };

bool dns_type_from_name(const char *s, enum dns_type *t)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(dns_types); i++)
		if (util_strieq(s, dns_types[i].name)) {
			*t = dns_types[i].type;
			return true;
		}
	return false;
}

const char *dns_type_name(enum dns_type t)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(dns_types); i++)
		if (dns_types[i].type == t)
			return dns_types[i].name;
	return NULL;
}

const char *dns_security_name(enum dns_security s)
{
	switch (s) {
	case DNS_SECURE: return "secure";
	case DNS_INSECURE: return "insecure";
	case DNS_BOGUS: return "bogus";
	}
	return "?";
}

const char *dns_parse_strerror(enum dns_parse_status s)
{
	switch (s) {
	case DNS_PARSE_OK: return "ok";
	case DNS_PARSE_TRUNCATED: return _("the record ends inside a field (truncated)");
	case DNS_PARSE_TRAILING: return _("bytes left over after the record's last field");
	case DNS_PARSE_BAD_LABEL: return _("a name with a label type other than a plain length");
	case DNS_PARSE_COMPRESSED: return _("a compressed name inside the record");
	case DNS_PARSE_NAME_LONG: return _("a name longer than 255 octets");
	case DNS_PARSE_BAD_LENGTH: return _("a record of the wrong size for its type");
	case DNS_PARSE_EMPTY: return _("an empty field that must not be empty");
	case DNS_PARSE_UNSUPPORTED: return _("a record type smtpscope does not parse");
	}
	return "?";
}

/* A label's octet as presentation text: letters, digits, '-', '_' and
 * other printable ASCII as is; '.', '\\' escaped; the rest \DDD. */
static void dns_label_octet(struct buf *b, unsigned char c)
{
	if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
	    c == '$') {
		buf_addc(b, '\\');
		buf_addc(b, (char)c);
	} else if (c > 0x20 && c < 0x7f) {
		buf_addc(b, (char)c);
	} else {
		buf_printf(b, "\\%03u", c);
	}
}

enum dns_parse_status dns_parse_name(const unsigned char *p, size_t len, size_t *used,
				     char **out)
{
	size_t i = 0, wire = 0;
	struct buf b;

	buf_init(&b);
	for (;;) {
		unsigned l;

		if (i >= len) {
			buf_free(&b);
			return DNS_PARSE_TRUNCATED;
		}
		l = p[i];
		if ((l & 0xc0) == 0xc0) {
			buf_free(&b);
			return DNS_PARSE_COMPRESSED;
		}
		if (l & 0xc0) {
			buf_free(&b);
			return DNS_PARSE_BAD_LABEL;
		}
		wire += l + 1;
		if (wire > DNS_NAME_MAX) {
			buf_free(&b);
			return DNS_PARSE_NAME_LONG;
		}
		if (l == 0)
			break;
		if (len - i - 1 < l) {
			buf_free(&b);
			return DNS_PARSE_TRUNCATED;
		}
		for (unsigned k = 0; k < l; k++)
			dns_label_octet(&b, p[i + 1 + k]);
		buf_addc(&b, '.');
		i += l + 1;
	}
	if (b.len == 0)
		buf_addc(&b, '.'); /* the root */
	*used = i + 1;
	*out = buf_steal(&b);
	return DNS_PARSE_OK;
}

/* A name that is the whole rdata (PTR, CNAME, NS). */
static enum dns_parse_status dns_parse_whole_name(const unsigned char *p, size_t len, char **out)
{
	size_t used;
	enum dns_parse_status s = dns_parse_name(p, len, &used, out);

	if (s == DNS_PARSE_OK && used != len) {
		free(*out);
		*out = NULL;
		return DNS_PARSE_TRAILING;
	}
	return s;
}

static enum dns_parse_status dns_parse_mx(const unsigned char *p, size_t len, struct dns_mx *mx)
{
	if (len < 3)
		return DNS_PARSE_TRUNCATED;
	mx->pref = (unsigned)p[0] << 8 | p[1];
	return dns_parse_whole_name(p + 2, len - 2, &mx->host);
}

static enum dns_parse_status dns_parse_addr(enum dns_type t, const unsigned char *p, size_t len,
					    char **out)
{
	struct buf b;

	if (len != (t == DNS_A ? 4u : 16u))
		return DNS_PARSE_BAD_LENGTH;
	buf_init(&b);
	if (t == DNS_A) {
		buf_printf(&b, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
	} else {
		/* RFC 5952 4.2: the longest run of two or more zero groups
		 * becomes "::", the first such run on a tie; lower case, no
		 * leading zeros. */
		unsigned g[8];
		int best = -1, bestlen = 1, run = 0;

		for (int i = 0; i < 8; i++) {
			g[i] = (unsigned)p[2 * i] << 8 | p[2 * i + 1];
			run = g[i] == 0 ? run + 1 : 0;
			if (run > bestlen) {
				bestlen = run;
				best = i - run + 1;
			}
		}
		for (int i = 0; i < 8; i++) {
			if (i == best) {
				buf_adds(&b, "::");
				i += bestlen - 1;
				continue;
			}
			if (i > 0 && i != best + bestlen)
				buf_addc(&b, ':');
			buf_printf(&b, "%x", g[i]);
		}
	}
	*out = buf_steal(&b);
	return DNS_PARSE_OK;
}

static enum dns_parse_status dns_parse_txt(const unsigned char *p, size_t len, struct dns_txt *t)
{
	struct buf b;
	size_t i = 0;

	if (len == 0)
		return DNS_PARSE_EMPTY; /* at least one <character-string> */
	buf_init(&b);
	memset(t, 0, sizeof *t);
	while (i < len) {
		size_t l = p[i];

		if (len - i - 1 < l) {
			buf_free(&b);
			return DNS_PARSE_TRUNCATED;
		}
		if (b.len + l > DNS_TXT_MAX) {
			buf_add(&b, p + i + 1, DNS_TXT_MAX - b.len);
			t->cut = true;
			break;
		}
		buf_add(&b, p + i + 1, l);
		i += l + 1;
	}
	t->len = b.len;
	if (b.data == NULL)
		buf_adds(&b, "");
	t->text = buf_steal(&b);
	return DNS_PARSE_OK;
}

static enum dns_parse_status dns_parse_tlsa(const unsigned char *p, size_t len, struct dns_tlsa *t)
{
	if (len < 3)
		return DNS_PARSE_TRUNCATED;
	if (len == 3)
		return DNS_PARSE_EMPTY; /* the certificate association data */
	t->usage = p[0];
	t->selector = p[1];
	t->mtype = p[2];
	t->len = len - 3;
	t->data = (unsigned char *)xmemdup(p + 3, t->len);
	return DNS_PARSE_OK;
}

/* Grows array *arr (of elements of size sz) to hold n + 1. */
static void *dns_grow(void *arr, size_t n, size_t sz)
{
	return xrealloc(arr, (n + 1) * sz);
}

enum dns_parse_status dns_parse_rdata(struct dns_answer *a, enum dns_type t,
				      const unsigned char *p, size_t len)
{
	enum dns_parse_status s;

	switch (t) {
	case DNS_MX: {
		struct dns_mx mx = { 0 };
		if ((s = dns_parse_mx(p, len, &mx)) != DNS_PARSE_OK)
			return s;
		a->mx = dns_grow(a->mx, a->n, sizeof *a->mx);
		a->mx[a->n++] = mx;
		return s;
	}
	case DNS_A:
	case DNS_AAAA: {
		char *addr = NULL;
		if ((s = dns_parse_addr(t, p, len, &addr)) != DNS_PARSE_OK)
			return s;
		a->addr = dns_grow(a->addr, a->n, sizeof *a->addr);
		a->addr[a->n++] = addr;
		return s;
	}
	case DNS_PTR:
	case DNS_CNAME:
	case DNS_NS: {
		char *name = NULL;
		if ((s = dns_parse_whole_name(p, len, &name)) != DNS_PARSE_OK)
			return s;
		a->name = dns_grow(a->name, a->n, sizeof *a->name);
		a->name[a->n++] = name;
		return s;
	}
	case DNS_TXT: {
		struct dns_txt txt;
		if ((s = dns_parse_txt(p, len, &txt)) != DNS_PARSE_OK)
			return s;
		a->txt = dns_grow(a->txt, a->n, sizeof *a->txt);
		a->txt[a->n++] = txt;
		return s;
	}
	case DNS_TLSA: {
		struct dns_tlsa tlsa;
		if ((s = dns_parse_tlsa(p, len, &tlsa)) != DNS_PARSE_OK)
			return s;
		a->tlsa = dns_grow(a->tlsa, a->n, sizeof *a->tlsa);
		a->tlsa[a->n++] = tlsa;
		return s;
	}
	}
	return DNS_PARSE_UNSUPPORTED;
}

void dns_records_free(struct dns_answer *a)
{
	for (size_t i = 0; i < a->n; i++) {
		if (a->mx)
			free(a->mx[i].host);
		if (a->addr)
			free(a->addr[i]);
		if (a->name)
			free(a->name[i]);
		if (a->txt)
			free(a->txt[i].text);
		if (a->tlsa)
			free(a->tlsa[i].data);
	}
	free(a->mx);
	free(a->addr);
	free(a->name);
	free(a->txt);
	free(a->tlsa);
	a->mx = NULL;
	a->addr = NULL;
	a->name = NULL;
	a->txt = NULL;
	a->tlsa = NULL;
	a->n = 0;
}
