/* mx: where mail for a domain goes, by the rules a sending MTA follows
 * (RFC 5321 section 5.1, RFC 7505 Null MX), sans-I/O.
 *
 * The input is what the DNS said, as plain structs (the dns module fills
 * them from its answers; the tests write them by hand):
 *   1. mx_plan_make(): the MX lookup of the domain -> the hosts in the
 *      order a sender tries them, or why there are none (Null MX,
 *      NXDOMAIN, a temporary failure, a bogus answer);
 *   2. mx_plan_addresses(): each host's AAAA and A lookups -> the
 *      (host, address) connection attempts, in order, bounded.
 * Every decision carries a short explanation for the user.  Host names
 * come from the DNS and are untrusted: every text here has them passed
 * through util_escape(), so the texts (and the `shown` fields) are safe to
 * print as they are; the host and address fields are copies as received. */
#ifndef SMTPSCOPE_MX_H
#define SMTPSCOPE_MX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds (the defaults of struct mx_options). */
#define MX_MAX_HOSTS 16     /* MX hosts kept from one RRset */
#define MX_MAX_PER_HOST 4   /* addresses tried per host */
#define MX_MAX_ATTEMPTS 32  /* (host, address) attempts in all */

/* The outcome of one lookup (MX, A or AAAA). */
enum mx_status {
	MX_ANSWER,   /* records of the type asked for */
	MX_NODATA,   /* the name exists but has none of that type */
	MX_NXDOMAIN, /* the name does not exist: permanent */
	MX_TEMPFAIL, /* SERVFAIL, timeout, no resolver: retry later */
	MX_BOGUS,    /* DNSSEC validation failed: the answer is unusable */
};

struct mx_rr {
	unsigned pref;
	const char *host; /* the exchange; "." or "" is the Null MX target */
};

/* What the MX lookup of a domain gave. */
struct mx_lookup {
	enum mx_status status;
	bool secure;              /* DNSSEC-validated (RFC 7672 needs it) */
	const struct mx_rr *rr;   /* status MX_ANSWER: the records, any order */
	size_t n;
	const char *cname_target; /* the domain is an alias: the name the
				   * answer is for (followed), or NULL */
	const char *why_bogus;    /* the resolver's reason, or NULL */
};

/* What the plan says about the domain as a whole. */
enum mx_outcome {
	MX_PLAN_HOSTS,     /* MX records: try the hosts in order */
	MX_PLAN_IMPLICIT,  /* no MX RRset: the domain itself (RFC 5321 5.1) */
	MX_PLAN_NULL,      /* Null MX: the domain accepts no mail (RFC 7505) */
	MX_PLAN_NXDOMAIN,  /* the domain does not exist: permanent */
	MX_PLAN_TEMPFAIL,  /* temporary DNS failure: retry, never "no MX" */
	MX_PLAN_BOGUS,     /* DNSSEC says the answer is forged or broken */
};

/* Flags of one host of the plan. */
enum {
	MX_HOST_IMPLICIT = 1 << 0,   /* the domain itself, no MX RRset */
	MX_HOST_IP_LITERAL = 1 << 1, /* the exchange is an address, not a
				      * host name (RFC 5321 5.1, RFC 2181) */
	MX_HOST_CNAME = 1 << 2,      /* the exchange is an alias (RFC 2181
				      * 10.3: it must not be); set by
				      * mx_plan_addresses() */
	MX_HOST_SHUFFLED = 1 << 3,   /* shares its preference with others:
				      * their order was randomised */
};

/* The address step's finding for one host. */
enum mx_addr_state {
	MX_ADDR_UNKNOWN,  /* not looked up (yet) */
	MX_ADDR_OK,       /* at least one address */
	MX_ADDR_NONE,     /* the name has no A or AAAA, or does not exist */
	MX_ADDR_TEMPFAIL, /* a lookup failed temporarily, and nothing else */
	MX_ADDR_BOGUS,    /* a lookup was bogus, and nothing usable is left */
};

struct mx_host {
	char *host;       /* copy of the exchange, trailing dot removed */
	char *shown;      /* the same through util_escape(), to print */
	unsigned pref;
	unsigned flags;   /* MX_HOST_* */
	size_t group;     /* index of its preference group, 0 = most preferred */
	size_t group_size; /* hosts in that group (> 1: shuffled) */
	char *why;        /* "preference 10, tried first" ... */
	/* Filled by mx_plan_addresses(). */
	enum mx_addr_state addr_state;
	bool addr_secure; /* every address lookup of this host was secure */
	size_t n_addresses; /* attempts made from this host */
	char *addr_why;   /* "2 addresses (1 IPv6, 1 IPv4)" ... or NULL */
};

struct mx_note {
	int host;   /* index into hosts[], or -1 for the domain */
	char *text;
};

struct mx_attempt {
	size_t host;    /* index into hosts[] */
	char *address;  /* as the DNS gave it (textual) */
	bool ipv6;
	bool secure;    /* the MX and this address lookup both secure */
};

struct mx_plan {
	char *domain;          /* trailing dot removed */
	char *domain_shown;    /* the same through util_escape() */
	enum mx_outcome outcome;
	bool secure;           /* the MX lookup was DNSSEC-secure */
	char *summary;         /* one sentence: the decision */
	struct mx_host *hosts; /* in the order a sender tries them */
	size_t n_hosts;
	struct mx_note *notes; /* defects and bounds, in the order found */
	size_t n_notes;
	size_t n_plan_notes;   /* how many are mx_plan_make()'s; the
				* address step's follow them */
	struct mx_attempt *attempts; /* mx_plan_addresses() */
	size_t n_attempts;
};

/* A random source: returns a number in [0, bound), bound > 0. */
typedef uint32_t (*mx_random_fn)(void *arg, uint32_t bound);

/* A small deterministic generator for mx_random_fn (not for secrets):
 * seed it from the clock in the program and from a constant in tests. */
struct mx_rng {
	uint64_t state;
};
void mx_rng_seed(struct mx_rng *r, uint64_t seed);
uint32_t mx_rng_next(void *rng, uint32_t bound); /* an mx_random_fn */

struct mx_options {
	mx_random_fn random;   /* NULL: equal preferences keep the DNS order */
	void *random_arg;
	size_t max_hosts;      /* 0: MX_MAX_HOSTS */
	size_t max_per_host;   /* 0: MX_MAX_PER_HOST */
	size_t max_attempts;   /* 0: MX_MAX_ATTEMPTS */
	bool ipv4_first;       /* per host, start with IPv4 (default IPv6) */
};

/* Builds the plan for domain from its MX lookup (o may be NULL).
 * p is overwritten; free it with mx_plan_free(). */
void mx_plan_make(struct mx_plan *p, const char *domain, const struct mx_lookup *lk,
		  const struct mx_options *o);
void mx_plan_free(struct mx_plan *p);

/* One host's address lookups. */
struct mx_host_lookup {
	struct mx_addr_result {
		enum mx_status status;
		bool secure;
		const char *const *addrs; /* textual addresses */
		size_t n;
		const char *cname_target; /* the host name is an alias, or NULL */
	} aaaa, a;
};

/* The address step: r[i] holds the lookups of p->hosts[i] (n of them; a
 * host beyond n stays MX_ADDR_UNKNOWN).  Fills each host's address state
 * and p->attempts: host by host in plan order, within a host IPv6 and
 * IPv4 alternating (RFC 8305 section 4), so a bound never drops a
 * family; duplicates within a host skipped; bounded per host and in all,
 * with a note when a bound cuts.  Replaces the attempts and notes of an
 * earlier call. */
void mx_plan_addresses(struct mx_plan *p, const struct mx_host_lookup *r, size_t n,
		       const struct mx_options *o);

const char *mx_outcome_name(enum mx_outcome o);
const char *mx_status_name(enum mx_status s);

#endif
