/* probe: the engine of `smtpscope probe ADDRESS|DOMAIN` (probe.c, with
 * probe-session.c, probe-sender.c and probe-report.c).  It does, for the
 * recipient's domain, what a sending MTA does (RFC 5321 5.1) without
 * sending a message: the MX lookup (dns) and the plan (mx), each host's
 * AAAA and A, then for each (host, address) attempt, a few at a time on
 * the loop, one client session: connect, greeting, EHLO,
 * STARTTLS with the certificate checked for the MX name, EHLO again, MAIL
 * FROM, RCPT TO, RSET, QUIT — never DATA — while the address's PTR and
 * its forward confirmation are looked up.  Every reply is explained with
 * the knowledge base; the findings fill a struct probe_result and
 * verdict_decide() (verdict.h) gives the verdict and the exit status.
 *
 * Line mode prints each step as it happens (the transcript's markers,
 * each line prefixed with "[HOST ADDRESS] "), says what a long wait is
 * waiting for, and ends with a table and the conclusion; --json prints
 * the whole result as one JSON object instead (fields: README, "smtpscope
 * probe").  The small helpers below are sans-I/O and unit-tested. */
#ifndef SMTPSCOPE_PROBE_H
#define SMTPSCOPE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "smtpscope/client.h"
#include "smtpscope/dns.h"
#include "smtpscope/kb.h"

struct loop;

/* Sessions running at once. */
#define PROBE_DEFAULT_PARALLEL 4
/* A wait longer than this is reported, and again every such interval. */
#define PROBE_WAIT_REPORT_MS 5000

struct probe_options {
	const char *target;  /* ADDRESS (local@domain) or DOMAIN */
	const char *from;    /* MAIL FROM address; NULL: the null sender <> */
	const char *ehlo;    /* EHLO name; NULL: "smtpscope.invalid" */
	const char *port;    /* the SMTP port of every MX; NULL: "25" */
	size_t parallel;     /* 0: PROBE_DEFAULT_PARALLEL */
	bool json;
	/* --relay-test: after the real RCPT, a recipient at a domain no
	 * server may accept (relay-test@LABEL.invalid, RFC 2606); accepted
	 * means an open relay (a warning; the verdict stays). */
	bool relay_test;
	/* --blocklists [IP]: the sending address (each connection's local
	 * address, or blocklist_ip) looked up in the DNSBL zones of
	 * blocklists_file (NULL: help/blocklists.txt), RFC 5782. */
	bool blocklists;
	const char *blocklist_ip;
	const char *blocklists_file;
	uint64_t seed;       /* shuffling equal preferences; 0: the clock */
	struct dns_options dns;
	struct client_options client; /* timeouts, TLS CA store */
	const struct kb *kb;
	FILE *out;
	/* A front-end of its own (the TUI, ui-probe.c): when set, each line
	 * of the line-mode output is handed over instead of written to out;
	 * result is true from the table on (table, verdict, next step). */
	void (*line)(void *ctx, const char *text, bool result);
	/* Called once the probe's loop exists, so the front-end can watch
	 * its own descriptors (the keyboard) on it. */
	void (*attach)(void *ctx, struct loop *loop);
	void *front_ctx;
};

/* Runs the probe; returns the verdict's exit status (verdict.h), or 2
 * after printing why the probe could not start (bad target, DNS set-up). */
int probe_run(const struct probe_options *o);

/* ---- sans-I/O helpers ---- */
/* The domain of ADDRESS|DOMAIN (after the last '@'; a trailing dot
 * dropped), newly allocated; NULL when it is empty.  *address gets a
 * copy of the whole address when it has a local part, else NULL. */
char *probe_split_target(const char *target, char **address);
/* Host names equal as DNS names: case-insensitive, trailing dot ignored. */
bool probe_names_equal(const char *a, const char *b);
/* The host name a greeting or EHLO reply's first line starts with
 * ("mx.example.test ESMTP ..." -> "mx.example.test"), newly allocated;
 * NULL when the line is empty.  The bytes are copied as received. */
char *probe_reply_name(const char *text);
/* Forward-confirmed reverse DNS: the address is among the forward
 * lookup's addresses (textual, compared after parsing, so "::1" equals
 * "0:0::1"). */
bool probe_fcrdns(const char *address, const char *const *forward, size_t n);
/* A JSON string of untrusted text: util_escape() first (so invalid UTF-8
 * and controls become visible escapes, and the JSON stays valid UTF-8),
 * then JSON's quoting; NULL becomes null. */
struct buf;
void probe_json_text(struct buf *out, const char *s);

#endif
