/* https: one HTTPS GET on the poll() loop, the way RFC 8461 3.3 wants an
 * MTA-STS policy fetched (https.c, the only libcurl user): https only,
 * the certificate verified under the Web PKI for the URL's host (the CA
 * store: the system's, or cafile / capath), redirects never followed
 * (a 3xx is reported with its Location, escaped), a body cap (a longer
 * body stops the transfer and is reported, never truncated silently), a
 * timeout for the whole transfer.  The caller says where to connect
 * (connect_addr, connect_port: the address its own resolver found, or a
 * --connect-to rule's), so the HTTP client never resolves names itself;
 * SNI, the certificate check and the Host header keep the URL's host.
 *
 * Driven by curl's multi-socket API: its sockets are watched on the loop
 * and its timer is a loop timer, so other work goes on meanwhile. */
#ifndef SMTPSCOPE_HTTPS_H
#define SMTPSCOPE_HTTPS_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct https_fetch;

/* RFC 8461 3.3 suggests about a minute. */
#define HTTPS_TIMEOUT_MS 60000

struct https_options {
	const char *connect_addr;  /* IPv4 or IPv6 address text (required) */
	const char *connect_port;  /* NULL: the URL's port (443) */
	const char *cafile, *capath; /* NULL: the system store */
	size_t max_body;           /* 0: 65536 */
	int timeout_ms;            /* 0: HTTPS_TIMEOUT_MS */
};

enum https_outcome {
	HTTPS_OK,          /* status 200, body complete within max_body */
	HTTPS_STATUS,      /* another status (404, 500 ...; a 3xx: redirect) */
	HTTPS_TOO_BIG,     /* the body went over max_body: stopped */
	HTTPS_CONNECT,     /* no TCP connection (refused, timeout, unreachable) */
	HTTPS_TLS,         /* handshake failed, or the certificate did not
			    * verify for the host (the reason in error) */
	HTTPS_TIMEOUT,     /* the whole transfer took over timeout_ms */
	HTTPS_PROTOCOL,    /* not HTTP, or another transfer error */
};

struct https_result {
	enum https_outcome outcome;
	long status;          /* the HTTP status, 0 if none */
	char *content_type;   /* as sent (escaped), or NULL */
	bool text_plain;      /* the media type is text/plain (parameters
			       * such as charset allowed, case-insensitive) */
	char *location;       /* a 3xx's Location (escaped), or NULL */
	char *body;           /* the bytes received (NUL-terminated copy) */
	size_t len;
	char *error;          /* curl's words for a failure (escaped), or NULL */
	bool cert_unverified; /* HTTPS_TLS: the certificate did not verify for
			       * the host (untrusted, expired, another name) */
	char *peer;           /* the address connected to, or NULL */
	long elapsed_ms;
};

typedef void (*https_cb)(void *ctx, struct https_result *r);

/* Starts GET url; cb runs later, from the loop, exactly once unless
 * cancelled; the result is the callee's (https_result_free).  The handle
 * is void once cb runs; https_cancel() is safe any time before that.  NULL and
 * *err for a URL that is not https:// or options that cannot be used. */
struct https_fetch *https_get(struct loop *loop, const char *url,
			      const struct https_options *o, https_cb cb,
			      void *ctx, char **err);
void https_cancel(struct https_fetch *f);
void https_result_free(struct https_result *r);
/* "ok", "status", "too-big", "connect", "tls", "timeout", "protocol" */
const char *https_outcome_name(enum https_outcome o);

#endif
