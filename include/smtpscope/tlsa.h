/* tlsa: the TLSA records a server's certificate chain calls for, and the
 * records DNS publishes at _PORT._tcp.HOST compared with that chain (RFC
 * 6698, RFC 7671, RFC 7672), sans-I/O.  The chain's association data
 * comes from the tls module (tls_tlsa_chain), the TLSA answer from the
 * dns module; the result is lines (each with the session kind it is
 * shown as), a one-line conclusion, an exit status and a JSON object.
 * `/tlsa` (cmd-tlsa.c) and `smtpscope tlsa` (cli-tlsa.c) show it.
 * Every name and resolver text in it is escaped (util_escape); DNS data
 * is shown in hex. */
#ifndef SMTPSCOPE_TLSA_H
#define SMTPSCOPE_TLSA_H

#include <stddef.h>

#include "smtpscope/dns.h"
#include "smtpscope/session.h"
#include "smtpscope/tls.h"
#include "smtpscope/util.h"

/* The exit statuses of `smtpscope tlsa` (2: bad usage). */
enum tlsa_status {
	TLSA_EXIT_MATCH = 0,       /* DNSSEC-secure TLSA, a usable record matches */
	TLSA_EXIT_NONE = 70,       /* no TLSA published (NXDOMAIN or NODATA) */
	TLSA_EXIT_NO_MATCH = 71,   /* secure TLSA, but no usable record matches */
	TLSA_EXIT_INSECURE = 72,   /* TLSA published, but not DNSSEC-secure */
	TLSA_EXIT_DNS_FAILED = 73, /* bogus, or a temporary DNS failure */
	TLSA_EXIT_NO_TLS = 74,     /* no TLS (STARTTLS not offered, handshake failed) */
};

struct tlsa_input {
	const char *host, *port;            /* the TLSA base domain and its port */
	const struct tls_tlsa_chain *chain; /* NULL: no TLS */
	const char *no_tls;                 /* why not (with chain NULL), or NULL */
	const struct dns_answer *answer;    /* NULL: the lookup was not made */
	const char *dns_error;              /* why not (with answer NULL), or NULL */
};

struct tlsa_line {
	enum session_kind kind; /* SESSION_NOTE, SESSION_WARN or SESSION_ERROR */
	char *text;
};

struct tlsa_report {
	struct tlsa_line *lines;
	size_t n;
	char *conclusion;
	enum session_kind conclusion_kind;
	enum tlsa_status status;
	struct buf json; /* one JSON object (README: smtpscope tlsa --json) */
};

/* "_25._tcp.mx.example.test" (allocated). */
char *tlsa_name(const char *host, const char *port);
/* The base domain and port of a TLSA name ("_25._tcp.HOST"): false when
 * name is not of that form. *host and *port are allocated. */
bool tlsa_name_split(const char *name, char **host, char **port);
void tlsa_report_make(struct tlsa_report *r, const struct tlsa_input *in);
void tlsa_report_free(struct tlsa_report *r);
/* Every line, then the conclusion, as events of s. */
void tlsa_report_session(const struct tlsa_report *r, struct session *s);

#endif
