/* dns-name: the names a lookup asks for.  Non-ASCII domains become their
 * A-label form with libidn2 (IDNA2008, RFC 5891, with the UTS #46 mapping
 * so "Bücher.Example" works as typed); the reverse name of an address per
 * RFC 1035 3.5 (in-addr.arpa) and RFC 3596 2.5 (ip6.arpa nibbles). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

static bool dns_name_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* RFC 1035 2.3.4: labels of 1-63 octets, 253 in all without the final
 * dot; an escape (\. or \DDD) is one octet; "." alone is the root. */
static bool dns_name_shape_ok(const char *s)
{
	size_t label = 0, total = 0;

	if (strcmp(s, ".") == 0)
		return true;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
			total++;
			continue;
		}
		if (*s == '\\' && s[1]) /* one octet, written as \c or \DDD */
			s += isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
			     isdigit((unsigned char)s[3]) ? 3 : 1;
		if (++label > 63 || ++total > 253)
			return false;
	}
	return true;
}

/* libidn2 is opened (dlopen) for the first name that is not ASCII, not
 * linked: it and libunistring cost every start, and most never see such
 * a name. */
static struct {
	__typeof__(idn2_to_ascii_8z) *to_ascii_8z;
	__typeof__(idn2_strerror) *strerror;
	__typeof__(idn2_free) *free;
} dns_idn2;

bool dns_open_lib(const char *soname, const char *what, const char *package,
		  const struct util_sym *syms, size_t n, bool *opened, char **err)
{
	char *why;

	if (*opened)
		return true;
	if ((why = util_dlsyms(soname, syms, n)) != NULL) {
		*err = xasprintf(_("cannot load %s (%s): %s; install the Debian package %s"),
				 soname, what, why, package);
		free(why);
		return false;
	}
	*opened = true;
	return true;
}

static bool dns_open_idn2(char **err)
{
	static const struct util_sym syms[] = {
		{ "idn2_to_ascii_8z", (void **)&dns_idn2.to_ascii_8z },
		{ "idn2_strerror", (void **)&dns_idn2.strerror },
		{ "idn2_free", (void **)&dns_idn2.free },
	};
	static bool opened;

	return dns_open_lib(LIBIDN2_SONAME, _("international domain names"), "libidn2-0", syms,
			    UTIL_ARRAY_LEN(syms), &opened, err);
}

char *dns_name_to_ascii(const char *name, char **err)
{
	char *out = NULL, *shown;
	int rc;

	if (*name == '\0') {
		*err = xstrdup(_("an empty name: give a domain name such as example.test"));
		return NULL;
	}
	if (dns_name_ascii(name) && !dns_name_shape_ok(name)) {
		shown = util_escape_dup(name, strlen(name));
		*err = xasprintf(_("\"%s\" is no domain name: labels of 1 to 63 bytes, dot-separated, "
				 "253 bytes in all"), shown);
		free(shown);
		return NULL;
	}
	if (dns_name_ascii(name))
		return xstrdup(name); /* as typed: escapes and "_25._tcp" labels stay */
	if (!dns_open_idn2(err))
		return NULL;
	rc = dns_idn2.to_ascii_8z(name, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		*err = xasprintf(_("\"%s\" is not a valid internationalised domain name (IDNA2008): %s"),
				 name, dns_idn2.strerror(rc));
		return NULL;
	}
	char *copy = xstrdup(out);
	dns_idn2.free(out);
	return copy;
}

char *dns_reverse_name(const char *addr)
{
	unsigned char b[16];
	struct buf out;

	buf_init(&out);
	if (inet_pton(AF_INET, addr, b) == 1) {
		buf_printf(&out, "%u.%u.%u.%u.in-addr.arpa.", b[3], b[2], b[1], b[0]);
	} else if (inet_pton(AF_INET6, addr, b) == 1) {
		static const char hex[] = "0123456789abcdef";

		for (int i = 15; i >= 0; i--) {
			buf_addc(&out, hex[b[i] & 0xf]);
			buf_addc(&out, '.');
			buf_addc(&out, hex[b[i] >> 4]);
			buf_addc(&out, '.');
		}
		buf_adds(&out, "ip6.arpa.");
	} else {
		return NULL;
	}
	return buf_steal(&out);
}
