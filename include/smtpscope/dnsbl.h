/* dnsbl (module probe): DNS blocklist lookups for `smtpscope probe
 * --blocklists` (RFC 5782).  An address is looked up in each zone of a
 * list (help/blocklists.txt: one zone a line, a comment after it) as its
 * reversed IPv4 octets or IPv6 nibbles under the zone: an A record in
 * 127.0.0.0/8 is a listing (its TXT the reason), NXDOMAIN or no record is
 * "not listed", and 127.255.255.x is the list refusing the query (a
 * public or over-used resolver), never a listing.  The list parsing, the
 * query names and the reading of the answer are sans-I/O; dnsbl_start()
 * runs the lookups on the probe's resolver. */
#ifndef SMTPSCOPE_DNSBL_H
#define SMTPSCOPE_DNSBL_H

#include <stdbool.h>
#include <stddef.h>

struct dns;

struct dnsbl_zone {
	char *zone;     /* "dnsbl.example", no trailing dot */
	char *comment;  /* the rest of the line, or NULL */
};

struct dnsbl_list {
	struct dnsbl_zone *z;
	size_t n;
};

/* Lines: "ZONE [comment]"; '#' starts a comment line; blank lines are
 * skipped.  False and *err ("NAME:LINE: ...", to free) for a bad zone. */
bool dnsbl_list_parse(struct dnsbl_list *l, const char *name, const char *text, char **err);
/* Reads the file and parses it. */
bool dnsbl_list_load(struct dnsbl_list *l, const char *path, char **err);
void dnsbl_list_free(struct dnsbl_list *l);

/* "2.0.0.127.ZONE" for 127.0.0.2, nibbles for IPv6; NULL when addr is
 * not an address. */
char *dnsbl_query_name(const char *addr, const char *zone);

enum dnsbl_status {
	DNSBL_PENDING,
	DNSBL_LISTED,      /* an A record in 127.0.0.0/8 (not 127.255.255.x) */
	DNSBL_NOT_LISTED,  /* NXDOMAIN, or no A record */
	DNSBL_REFUSED,     /* 127.255.255.x: the list refused to answer */
	DNSBL_ERROR,       /* a temporary failure, or an answer outside 127/8 */
};
const char *dnsbl_status_name(enum dnsbl_status s); /* "listed" ... */
/* The A records of an answer that exists: LISTED, REFUSED (any
 * 127.255.255.x wins) or ERROR (none in 127/8, e.g. a resolver that
 * rewrites NXDOMAIN); n == 0: NOT_LISTED. */
enum dnsbl_status dnsbl_classify(const char *const *addrs, size_t n);

struct dnsbl_check {
	char *address;            /* the address looked up */
	const struct dnsbl_zone *zone;
	char *qname;
	enum dnsbl_status status;
	char *codes;              /* the A records, ", " joined, or NULL */
	char *reason;             /* the TXT, or NULL */
	char *error;              /* why DNSBL_ERROR, or NULL */
	bool a_done, txt_done;
};

struct dnsbl_run;
/* Looks each address up in each zone (A, and TXT for the reason); done
 * runs once every answer is in: from the loop, or before dnsbl_start
 * returns when no lookup could be started (*out is set first).  The list
 * must outlive the run; free it with dnsbl_free() (pending lookups are
 * cancelled). */
void dnsbl_start(struct dns *d, const struct dnsbl_list *l, const char *const *addrs,
		 size_t n, void (*done)(void *ctx), void *ctx, struct dnsbl_run **out);
const struct dnsbl_check *dnsbl_checks(const struct dnsbl_run *r, size_t *n);
void dnsbl_free(struct dnsbl_run *r);

#endif
