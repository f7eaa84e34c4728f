/* dane (module probe): DANE for SMTP (RFC 7672), the decisions, sans-I/O.
 * For an MX host: does DANE apply, from the DNSSEC status of its MX
 * RRset, its address lookups and its TLSA lookup at _PORT._tcp.HOST
 * (2.2)?  The usable records go to the TLS layer (tls.h, struct
 * tls_dane), which verifies through OpenSSL's DANE support.  For a
 * connection: what the handshake's outcome means for a sender that
 * checks DANE (a match; no match, or no TLS at all: not delivered there;
 * a TLSA lookup that failed: the MX is unusable).  Every decision comes
 * with one sentence, escaped, and the text of the knowledge base's
 * `[tls-error dane-...]` entries ("dane: ...") that explains a failure. */
#ifndef SMTPSCOPE_DANE_H
#define SMTPSCOPE_DANE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/dns.h"
#include "smtpscope/tls.h"
#include "smtpscope/verdict.h"

enum dane_state {
	DANE_NONE,          /* no TLSA records: TLS is opportunistic */
	DANE_INSECURE,      /* TLSA records, but the MX, the addresses or the
			     * TLSA answer is not DNSSEC-secure: ignored */
	DANE_UNUSABLE,      /* secure TLSA records, none usable: encrypt
			     * without authentication (2.2) */
	DANE_USABLE,        /* DANE applies: authenticate with the records */
	DANE_LOOKUP_FAILED, /* the TLSA lookup failed or is bogus, with a
			     * secure MX: the MX is unusable (2.2.2) */
};

struct dane_host {
	enum dane_state state;
	char *why;          /* one sentence, escaped */
	const char *kb_text; /* "dane: ..." for the kb, or NULL */
	struct tls_dane tls; /* base and records for the connection */
	struct tls_dane_record *records; /* every record of the answer */
	size_t n_usable;
};

/* (The TLSA name of an MX host, _PORT._tcp.HOST: tlsa_name() in tlsa.h.) */
/* Decides for host from the facts; tlsa may be NULL (the lookup could not
 * be started: a temporary failure).  h keeps pointers into tlsa: keep
 * the answer alive as long as h. */
void dane_host_decide(struct dane_host *h, const char *host, bool mx_secure,
		      bool addr_secure, const struct dns_answer *tlsa);
void dane_host_free(struct dane_host *h);
const char *dane_state_name(enum dane_state s); /* "none", "usable" ... */

/* One connection to a host of state h->state: the auth result and its
 * sentence (allocated) from whether STARTTLS was offered, whether the
 * handshake ended, and the TLS layer's DANE result (NULL when there was
 * no handshake).  *kb_text gets the "dane: ..." or verification text
 * the kb explains, or NULL.  For a host without DANE: opportunistic. */
enum probe_auth dane_attempt(const struct dane_host *h, bool offered, bool tls_ok,
			     const struct tls_dane_result *r, char **text,
			     const char **kb_text);

#endif
