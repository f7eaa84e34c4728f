/* verdict (module probe): the delivery verdict of `smtpscope probe`,
 * decided from what the probe found, sans-I/O.  The probe fills a struct
 * probe_result (the MX plan and one struct probe_attempt per (host,
 * address) tried, in plan order); verdict_decide() reads it as a sending
 * MTA would (RFC 5321 5.1: on a failed connection or a temporary error try
 * the next host; the first permanent answer or acceptance decides) and
 * says, in one sentence, what happens to mail for the address and what to
 * do next.  Diagnosis ids are the knowledge base's (`help/kb/diagnoses.kb`:
 * "mailbox-unknown", "greylisted", "blocklisted" ...), passed in as
 * strings, so this module needs no kb. */
#ifndef SMTPSCOPE_VERDICT_H
#define SMTPSCOPE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/mx.h"

enum probe_conn {
	PROBE_NOT_TRIED,   /* never attempted (a bound, or the probe stopped) */
	PROBE_CONNECTED,
	PROBE_REFUSED,     /* TCP RST: nothing listens on port 25 */
	PROBE_TIMEOUT,     /* no answer to the SYN within the timeout */
	PROBE_UNREACHABLE, /* no route, network or host unreachable */
};

/* One reply; code 0 = the command was not sent or got no reply. */
struct probe_reply {
	int code;
	const char *enhanced;  /* "5.1.1" or NULL */
	const char *text;      /* first line of the server's text, or NULL */
	const char *diagnosis; /* kb diagnosis id, or NULL */
};

/* How a sending MTA authenticates this MX (RFC 7672 DANE, RFC 8461
 * MTA-STS), as the probe found it; the verdict skips the attempts a
 * sender that applies the policy would not deliver to. */
enum probe_auth {
	PROBE_AUTH_OPPORTUNISTIC, /* neither applies: any TLS, or none */
	PROBE_AUTH_DANE_OK,       /* a usable TLSA record matched */
	PROBE_AUTH_DANE_FAILED,   /* usable TLSA records, and no match or no
				   * TLS at all: not delivered here */
	PROBE_AUTH_DANE_UNUSABLE, /* the TLSA lookup failed or was bogus: the
				   * MX is unusable (RFC 7672 2.2.2) */
	PROBE_AUTH_STS_OK,        /* MTA-STS: the MX matches and verifies */
	PROBE_AUTH_STS_FAILED,    /* MTA-STS enforce failed: not delivered here */
	PROBE_AUTH_STS_TESTING,   /* MTA-STS testing failed: delivered, reported */
};
/* "opportunistic", "dane-ok", "dane-failed" ... */
const char *probe_auth_name(enum probe_auth a);
/* The sender does not deliver to an attempt with this result. */
bool probe_auth_refuses(enum probe_auth a);

/* One connection attempt, as the probe recorded it.  The PTR facts are
 * for the table of the report; the verdict does not rest on them. */
struct probe_attempt {
	const char *host, *address;
	const struct mx_attempt *from; /* the plan's attempt it ran, or NULL
					* (then the host is found by name) */
	enum probe_conn conn;
	const char *conn_error;   /* the system's words, or NULL */
	bool lost;                /* the connection closed before RCPT's reply */
	struct probe_reply greeting, ehlo;
	struct {
		bool offered;     /* STARTTLS in the EHLO reply */
		bool ok;          /* handshake done */
		bool verified;    /* certificate verified for the MX name */
		const char *error; /* handshake or verification failure, or NULL */
		enum probe_auth auth;
		const char *auth_text; /* what decided it, in words, or NULL */
	} tls;
	struct {
		const char *name;  /* PTR of the address, or NULL */
		bool fcrdns_ok;    /* the name's A/AAAA contain the address */
		bool matches_banner;
	} ptr;
	struct probe_reply mail, rcpt;
};

struct probe_result {
	const struct mx_plan *plan;
	const struct probe_attempt *attempts;
	size_t n;
};

/* Verdicts with their exit status (`smtpscope probe` exits with it).
 * 0 keeps its meaning of enum batch_exit (all went well); the others are
 * 40-57, clear of batch.h's 0-5 and 21-30.
 *
 *   verdict               exit  meaning
 *   DELIVERABLE             0   an MX accepted the recipient over TLS
 *   DELIVERABLE_NO_TLS     40   accepted, but without TLS (none offered,
 *                               or the handshake failed)
 *   NULL_MX                41   the domain accepts no mail (RFC 7505)
 *   NO_SUCH_DOMAIN         42   NXDOMAIN
 *   DNS_TEMPFAIL           43   a DNS lookup failed temporarily
 *   DNS_BOGUS              44   DNSSEC validation failed
 *   NO_ADDRESS             45   no MX host has an address
 *   ALL_UNREACHABLE        46   no MX could be connected to
 *   PORT25_BLOCKED         47   every connection to port 25 timed out
 *   RECIPIENT_UNKNOWN      48   no such mailbox (5.1.1 ...)
 *   RECIPIENT_REFUSED      49   the mailbox refuses mail (full, disabled)
 *   GREYLISTED             50   4xx at RCPT for greylisting: retry later
 *   SENDER_REFUSED         51   the sender address was refused
 *   POLICY_REFUSED         52   the sending host or network was refused
 *                               (blocklist, reverse DNS, 554 greeting)
 *   TEMPORARY              53   another temporary failure at every MX
 *   REFUSED                54   another permanent refusal
 *   INCOMPLETE             55   the probe recorded nothing to judge
 *   DANE_FAILED            56   every MX that answered fails DANE (no
 *                               matching TLSA record, no TLS, or an
 *                               unusable TLSA lookup)
 *   MTASTS_FAILED          57   every MX that answered fails the domain's
 *                               MTA-STS policy in mode enforce
 */
enum verdict_kind {
	VERDICT_DELIVERABLE,
	VERDICT_DELIVERABLE_NO_TLS,
	VERDICT_NULL_MX,
	VERDICT_NO_SUCH_DOMAIN,
	VERDICT_DNS_TEMPFAIL,
	VERDICT_DNS_BOGUS,
	VERDICT_NO_ADDRESS,
	VERDICT_ALL_UNREACHABLE,
	VERDICT_PORT25_BLOCKED,
	VERDICT_RECIPIENT_UNKNOWN,
	VERDICT_RECIPIENT_REFUSED,
	VERDICT_GREYLISTED,
	VERDICT_SENDER_REFUSED,
	VERDICT_POLICY_REFUSED,
	VERDICT_TEMPORARY,
	VERDICT_REFUSED,
	VERDICT_INCOMPLETE,
	VERDICT_DANE_FAILED,
	VERDICT_MTASTS_FAILED,
	VERDICT__COUNT
};

struct verdict {
	enum verdict_kind kind;
	int exit_status;
	int attempt;      /* index into attempts[] it rests on, or -1 */
	int host;         /* index into plan->hosts[], or -1 */
	char *conclusion; /* one sentence; names and server text escaped */
	char *next_step;  /* what to do, in plain words */
};

/* Decides; v is overwritten, free it with verdict_free(). */
void verdict_decide(const struct probe_result *r, struct verdict *v);
void verdict_free(struct verdict *v);

const char *verdict_name(enum verdict_kind k);     /* "deliverable" ... */
int verdict_exit_status(enum verdict_kind k);

#endif
