/* dns: lookups on a validating resolver library (libunbound, the only
 * user of it), asynchronous on the poll() loop, each answer with its
 * DNSSEC status and its records parsed into typed arrays.
 *
 * Three files: dns.c drives libunbound (set-up, queries, cancelling, the
 * "resolver strips DNSSEC" probe); dns-parse.c turns the wire-format rdata
 * libunbound hands back into structs (sans-I/O: RFC 1035 3.3, RFC 3596,
 * RFC 6698 2.1); dns-name.c holds the names: IDNA2008 conversion through
 * libidn2 and the reverse (PTR) name of an address. */
#ifndef SMTPSCOPE_DNS_H
#define SMTPSCOPE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtpscope/util.h"

struct loop;
struct dns;
struct dns_query;

/* The record types asked for; the values are the DNS type codes. */
enum dns_type {
	DNS_A = 1, DNS_NS = 2, DNS_CNAME = 5, DNS_PTR = 12, DNS_MX = 15,
	DNS_TXT = 16, DNS_AAAA = 28, DNS_TLSA = 52,
};

/* The default trust anchor (Debian dns-root-data). */
#define DNS_ROOT_KEY "/usr/share/dns/root.key"
/* How long a query may take before it is a temporary failure. */
#define DNS_TIMEOUT_MS 20000
/* A TXT record's strings joined, at most this many bytes (longer: cut). */
#define DNS_TXT_MAX 4096
/* Records kept per answer (the rest counted in dns_answer.dropped). */
#define DNS_MAX_RECORDS 256

struct dns_options {
	const char *resolver;     /* ADDR[@PORT]: forward there */
	bool recursive;           /* iterate from the root */
	const char *config;       /* an unbound config file: the whole set-up */
	const char *trust_anchor; /* a trust anchor file (DS or DNSKEY) */
	int timeout_ms;           /* per query; 0: DNS_TIMEOUT_MS */
	/* Told once, in words, when the resolver is found to strip DNSSEC
	 * (never with a config file); may be NULL. */
	void (*note)(void *ctx, const char *text);
	void *note_ctx;
};

enum dns_security { DNS_SECURE, DNS_INSECURE, DNS_BOGUS };

struct dns_mx { unsigned pref; char *host; };
struct dns_txt { char *text; size_t len; bool cut; }; /* strings joined */
struct dns_tlsa { uint8_t usage, selector, mtype; unsigned char *data; size_t len; };

struct dns_answer {
	char *qname;              /* the name asked for (ASCII form) */
	enum dns_type type;
	enum dns_security sec;
	char *why_bogus;          /* the resolver's reason, when bogus */
	int rcode;                /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ... */
	bool nxdomain;            /* the name does not exist */
	bool nodata;              /* the name exists, no record of the type */
	bool temporary;           /* SERVFAIL (any error rcode but NXDOMAIN),
				   * timeout, resolver error: nothing known */
	char *error;              /* what the temporary failure was, or NULL */
	char *canonical;          /* the name after CNAMEs, or NULL */
	unsigned ttl;
	/* The records, in the array of the type asked for; n of them. */
	size_t n;
	struct dns_mx *mx;        /* MX, by preference then name */
	char **addr;              /* A, AAAA: text addresses */
	char **name;              /* PTR, CNAME, NS: names, "." terminated */
	struct dns_txt *txt;      /* TXT */
	struct dns_tlsa *tlsa;    /* TLSA */
	size_t malformed;         /* records refused by the parser */
	char *malformed_why;      /* the first refusal, in words */
	size_t dropped;           /* records over DNS_MAX_RECORDS */
};

/* The answer is the callback's until it calls dns_answer_free(). */
typedef void (*dns_cb)(void *ctx, struct dns_answer *a);

/* NULL and *err (to free) when the set-up is refused: a bad address, an
 * unreadable config or trust anchor, options that exclude each other. */
struct dns *dns_new(struct loop *loop, const struct dns_options *o, char **err);
/* Cancels what is pending (no callbacks). */
void dns_free(struct dns *d);
/* Starts a lookup; cb runs later, from the loop, exactly once unless the
 * query is cancelled (the handle is void once cb runs; cb may start or
 * cancel other lookups, but not free the resolver: libunbound is still
 * calling it).  NULL and *err for a name that cannot be asked. */
struct dns_query *dns_query(struct dns *d, const char *name, enum dns_type type,
			    dns_cb cb, void *ctx, char **err);
void dns_cancel(struct dns *d, struct dns_query *q);
/* Lookups (and the DNSSEC-stripping probe) still awaited. */
bool dns_busy(const struct dns *d);

void dns_answer_free(struct dns_answer *a);

/* "MX" <-> DNS_MX; false / NULL for a type not handled. */
bool dns_type_from_name(const char *s, enum dns_type *t);
const char *dns_type_name(enum dns_type t);
/* The types, for completion: NULL-terminated names. */
extern const char *const dns_type_names[];
const char *dns_security_name(enum dns_security s);

/* ---- names (dns-name.c) ---- */
/* A domain in its ASCII (A-label) form: IDNA2008 via libidn2; ASCII names
 * pass unchanged.  NULL and *err (to free) for an invalid name. */
char *dns_name_to_ascii(const char *name, char **err);

/* Opens a library of the module (libunbound, libidn2: not linked, so that
 * a start without DNS does not load them) and fills its symbols, once
 * (*opened remembers it); false with *err naming what it is for (what)
 * and the Debian package to install. */
bool dns_open_lib(const char *soname, const char *what, const char *package,
		  const struct util_sym *syms, size_t n, bool *opened, char **err);
/* The reverse name of an IPv4 or IPv6 address ("4.3.2.1.in-addr.arpa",
 * nibbles under ip6.arpa); NULL when addr is neither. */
char *dns_reverse_name(const char *addr);

/* ---- rdata (dns-parse.c, sans-I/O) ---- */
enum dns_parse_status {
	DNS_PARSE_OK,
	DNS_PARSE_TRUNCATED,  /* the rdata ends inside a field */
	DNS_PARSE_TRAILING,   /* bytes after the last field */
	DNS_PARSE_BAD_LABEL,  /* a label type other than a plain length */
	DNS_PARSE_COMPRESSED, /* a compression pointer (never in rdata here) */
	DNS_PARSE_NAME_LONG,  /* a name over 255 octets */
	DNS_PARSE_BAD_LENGTH, /* a fixed-size rdata of the wrong size */
	DNS_PARSE_EMPTY,      /* a field that may not be empty */
	DNS_PARSE_UNSUPPORTED, /* a type this module does not parse */
};
const char *dns_parse_strerror(enum dns_parse_status s);
/* A wire-format name at p (len bytes available) in presentation form,
 * "." terminated, with \. \\ and \DDD escapes; *used gets its length. */
enum dns_parse_status dns_parse_name(const unsigned char *p, size_t len, size_t *used,
				     char **out);
/* One record's rdata of type t, appended to a's array of that type (a->n
 * grows); a is untouched unless DNS_PARSE_OK. */
enum dns_parse_status dns_parse_rdata(struct dns_answer *a, enum dns_type t,
				      const unsigned char *p, size_t len);
/* Frees the records (not the rest of the answer). */
void dns_records_free(struct dns_answer *a);

#endif
