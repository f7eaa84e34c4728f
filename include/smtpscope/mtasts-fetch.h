/* mtasts-fetch: a domain's MTA-STS (RFC 8461) and TLS-RPT (RFC 8460),
 * end to end (mtasts-fetch.c; the parsers are mtasts.h's).
 *
 * The engine, on the loop: TXT _mta-sts.DOMAIN, TXT _smtp._tls.DOMAIN,
 * A and AAAA of mta-sts.DOMAIN, all on the caller's resolver (dns.h), each
 * with its DNSSEC status; then, when the STS record is valid, the policy
 * fetched (https.h) from https://mta-sts.DOMAIN/.well-known/mta-sts.txt,
 * connecting to an address the resolver found (or a --connect-to rule's
 * for mta-sts.DOMAIN port 443), and parsed.  The result says what a
 * sending MTA makes of it: no MTA-STS, a record or policy it cannot use
 * (then it delivers as without MTA-STS, RFC 8461 3.3 and 5), or the policy
 * in force with its mode.
 *
 * Sans-I/O, unit-tested: the decision (mtasts_decide: the state, the
 * fetch failure's name and the summary from the facts), the policy applied
 * to one MX host (mtasts_mx_apply), the lines and the JSON. */
#ifndef SMTPSCOPE_MTASTS_FETCH_H
#define SMTPSCOPE_MTASTS_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/dns.h"
#include "smtpscope/https.h"
#include "smtpscope/mtasts.h"
#include "smtpscope/transport.h"
#include "smtpscope/util.h"

struct loop;
struct mtasts_check;

/* The port and path of the policy (RFC 8461 3.3). */
#define MTASTS_POLICY_PORT "443"
#define MTASTS_POLICY_PATH "/.well-known/mta-sts.txt"

/* ---- one DNS lookup's outcome ---- */
enum mtasts_lookup_outcome {
	MTASTS_LOOKUP_NOT_ASKED, /* never started (the name could not be asked) */
	MTASTS_LOOKUP_ANSWER,    /* records of the type */
	MTASTS_LOOKUP_NXDOMAIN,  /* the name does not exist */
	MTASTS_LOOKUP_NODATA,    /* the name exists, no record of the type */
	MTASTS_LOOKUP_TEMPFAIL,  /* SERVFAIL, timeout ...: nothing known */
	MTASTS_LOOKUP_BOGUS,     /* DNSSEC validation failed: unusable */
};
struct mtasts_lookup {
	char *name;             /* the name asked (ASCII form) */
	enum dns_type type;     /* DNS_TXT, DNS_A, DNS_AAAA */
	enum mtasts_lookup_outcome outcome;
	enum dns_security sec;  /* of the answer (NXDOMAIN, NODATA included) */
	char *reason;           /* bogus or temporary failure: the resolver's
				 * words, escaped; otherwise NULL */
	size_t n;               /* records (answer only) */
	char **addr;            /* A, AAAA: the n addresses, else NULL */
};
/* "not-asked", "answer", "nxdomain", "nodata", "tempfail", "bogus" */
const char *mtasts_lookup_name(enum mtasts_lookup_outcome o);
/* Fills l from a's outcome (addresses copied for A and AAAA). */
void mtasts_lookup_from_answer(struct mtasts_lookup *l, const struct dns_answer *a);

/* ---- what the policy fetch came to ---- */
enum mtasts_fetch {
	MTASTS_FETCH_NOT_TRIED,   /* the record is not valid, or no lookup done */
	MTASTS_FETCH_OK,          /* 200, text/plain, within 64 KiB */
	MTASTS_FETCH_NO_ADDRESS,  /* mta-sts.DOMAIN has no A or AAAA record */
	MTASTS_FETCH_NOT_FOUND,   /* 404: the record promises a policy that
				   * is not there ("no policy") */
	MTASTS_FETCH_REDIRECT,    /* a 3xx: redirects are never followed */
	MTASTS_FETCH_STATUS,      /* another status than 200 */
	MTASTS_FETCH_NOT_TEXT,    /* 200 with a type other than text/plain */
	MTASTS_FETCH_TOO_BIG,     /* over 64 KiB: stopped */
	MTASTS_FETCH_CERTIFICATE, /* the certificate is not valid for
				   * mta-sts.DOMAIN (untrusted, expired, or for
				   * another name) */
	MTASTS_FETCH_TLS,         /* the TLS handshake failed */
	MTASTS_FETCH_CONNECT,     /* no TCP connection (refused, unreachable) */
	MTASTS_FETCH_TIMEOUT,     /* the transfer took too long */
	MTASTS_FETCH_PROTOCOL,    /* not HTTP, or another transfer error */
};
/* "not-tried", "ok", "no-address", "not-found", "redirect", "status",
 * "not-text-plain", "too-big", "certificate", "tls", "connect",
 * "timeout", "protocol" */
const char *mtasts_fetch_name(enum mtasts_fetch f);
/* The failure an https_result is (MTASTS_FETCH_OK when it is none). */
enum mtasts_fetch mtasts_fetch_of(const struct https_result *r);

/* ---- the domain's state, as a sending MTA sees it ---- */
enum mtasts_state {
	MTASTS_STATE_NONE,           /* no STS record: no MTA-STS (exit 60) */
	MTASTS_STATE_RECORD_INVALID, /* STS records, but not exactly one valid
				      * one: no MTA-STS (61) */
	MTASTS_STATE_FETCH_FAILED,   /* a valid record, the policy not fetched:
				      * the sender goes on as without MTA-STS (62) */
	MTASTS_STATE_POLICY_INVALID, /* fetched, but not a usable policy: the
				      * same (63) */
	MTASTS_STATE_DNS_FAILED,     /* the record's lookup (or the policy host's
				      * addresses) failed temporarily or was
				      * bogus: nothing known (64) */
	MTASTS_STATE_ENFORCE,        /* a valid policy in force (0) ... */
	MTASTS_STATE_TESTING,
	MTASTS_STATE_MODE_NONE,
};
/* "none", "record-invalid", "fetch-failed", "policy-invalid", "dns-failed",
 * "enforce", "testing", "mode-none" */
const char *mtasts_state_name(enum mtasts_state s);
/* 0 for a policy in force, 60-64 as above. */
int mtasts_exit_status(enum mtasts_state s);
#define MTASTS_EXIT_NONE 60
#define MTASTS_EXIT_RECORD_INVALID 61
#define MTASTS_EXIT_FETCH_FAILED 62
#define MTASTS_EXIT_POLICY_INVALID 63
#define MTASTS_EXIT_DNS_FAILED 64

/* Everything found for one domain.  Strings that hold foreign bytes are
 * escaped (util_escape) already. */
struct mtasts_result {
	char *domain;          /* the domain asked for, ASCII (A-label) form */
	char *shown;           /* as the user gave it, escaped */
	char *policy_host;     /* "mta-sts." + domain */
	char *url;             /* https://POLICY_HOST/.well-known/mta-sts.txt */
	struct mtasts_lookup sts;    /* TXT _mta-sts.DOMAIN */
	struct mtasts_lookup tlsrpt; /* TXT _smtp._tls.DOMAIN */
	struct mtasts_lookup a, aaaa; /* of policy_host */
	struct mtasts_txt txt; /* the STS record's check (n_records 0 unless
				* sts is an answer) */
	struct tlsrpt_txt rpt; /* the TLS-RPT record's check (likewise) */
	/* Where the fetch connected: an address of a or aaaa (AAAA first),
	 * or connect_rule's; NULL when not fetched. */
	char *connect_addr, *connect_port;
	const char *connect_rule; /* the --connect-to spec that matched, or NULL */
	struct https_result *http; /* the fetch's result, or NULL */
	enum mtasts_fetch fetch;
	struct mtasts_policy policy; /* parsed when fetch is OK */
	bool have_policy;
	enum mtasts_state state;
	char *summary;         /* one sentence in plain words */
};

/* The sans-I/O decision: fetch (from http, or NO_ADDRESS), state and
 * summary from the lookups, txt, http and policy.  r->summary is
 * replaced. */
void mtasts_decide(struct mtasts_result *r);
void mtasts_result_free(struct mtasts_result *r);

/* ---- the policy applied to one MX host (RFC 8461 4.1, 4.2, 5) ---- */
enum mtasts_mx_verdict {
	MTASTS_MX_OK,          /* listed, TLS 1.2+, certificate valid for it */
	MTASTS_MX_MODE_NONE,   /* the policy's mode is none: nothing asked */
	MTASTS_MX_NOT_LISTED,  /* no mx pattern matches the host */
	MTASTS_MX_NO_TLS,      /* no TLS (not offered, or the handshake failed) */
	MTASTS_MX_CERT,        /* the certificate does not verify for the MX name */
	MTASTS_MX_OLD_TLS,     /* below TLS 1.2 */
};
struct mtasts_mx_check {
	enum mtasts_mx_verdict verdict;
	bool ok;        /* OK or MODE_NONE: the policy is satisfied */
	bool refused;   /* not ok and mode enforce: a sender that applies
			 * the policy does not deliver to this MX */
	bool reported;  /* not ok and mode testing: delivered, and reported
			 * through TLS-RPT */
	int pattern;    /* the index of the first matching mx pattern, or -1 */
	char *text;     /* one sentence (names escaped), to free */
};
/* tls: a TLS session was set up with the MX; verified: its certificate
 * verified for the MX host name under the Web PKI; tls_version as
 * "major*10+minor" (12 = TLS 1.2; 0: not known, not checked).  p must be
 * a valid policy. */
void mtasts_mx_apply(const struct mtasts_policy *p, const char *mx_host, bool tls,
		     bool verified, int tls_version, struct mtasts_mx_check *out);
void mtasts_mx_check_free(struct mtasts_mx_check *c);
/* "ok", "mode-none", "not-listed", "no-tls", "certificate", "old-tls" */
const char *mtasts_mx_verdict_name(enum mtasts_mx_verdict v);

/* ---- output ---- */
/* Each line of the report, without its marker: warn false for a "=== "
 * line, true for a "!!! " one (a failure or a defect). */
typedef void (*mtasts_line_cb)(void *ctx, bool warn, const char *text);
void mtasts_result_lines(const struct mtasts_result *r, mtasts_line_cb cb, void *ctx);
/* The result as one JSON object (fields: README, "MTA-STS and TLS-RPT"). */
void mtasts_result_json(const struct mtasts_result *r, struct buf *out);

/* ---- the engine ---- */
struct mtasts_options {
	const char *domain;   /* as given: a Unicode name is converted (IDNA2008) */
	const struct transport_connect_to *connect_to; /* may be NULL */
	const char *cafile, *capath; /* the fetch's CA store; NULL: the system's */
	int timeout_ms;       /* the fetch; 0: HTTPS_TIMEOUT_MS */
};
/* Called once, from the loop, unless cancelled; the result is the
 * callee's (mtasts_result_free).  The handle is void once cb runs. */
typedef void (*mtasts_cb)(void *ctx, struct mtasts_result *r);
/* Starts the lookups on dns (the caller's resolver, which must outlive
 * the check); NULL and *err (to free) for a domain that cannot be asked. */
struct mtasts_check *mtasts_start(struct loop *loop, struct dns *dns,
				  const struct mtasts_options *o, mtasts_cb cb,
				  void *ctx, char **err);
/* Cancels the lookups and the fetch still out (no callback). */
void mtasts_cancel(struct mtasts_check *c);
/* What the check waits for now, in words ("the DNS lookups", "the policy
 * from mta-sts.example.test"). */
const char *mtasts_waiting(const struct mtasts_check *c);

#endif
