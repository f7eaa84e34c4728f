/* transport: target parsing, name resolution and non-blocking connect with
 * a timeout, IPv4 and IPv6.  Every failure is classified so the front-end
 * can say what happened and pick the exit status. */
#ifndef SMTPSCOPE_TRANSPORT_H
#define SMTPSCOPE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "smtpscope/loop.h"

#define TRANSPORT_DEFAULT_PORT "25"

struct transport_target {
	char *host;  /* without brackets */
	char *port;  /* service name or number */
	int family;  /* AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6) */
};

enum transport_error {
	TRANSPORT_OK,
	TRANSPORT_EUSAGE,       /* the target itself is malformed */
	TRANSPORT_EDNS,         /* the name does not resolve */
	TRANSPORT_EREFUSED,     /* nothing listens there */
	TRANSPORT_EUNREACHABLE, /* no route to the host or network */
	TRANSPORT_ETIMEOUT,     /* no answer within the connect timeout */
	TRANSPORT_EOTHER,
};

struct transport_result {
	enum transport_error error;
	int fd;              /* connected, non-blocking; -1 on error */
	char *message;       /* what happened, for the transcript */
	char *peer;          /* "127.0.0.1 port 2525" */
	int family;
	int64_t elapsed_ms;
};

/* Parses HOST, HOST:PORT, [V6]:PORT, [V6] or a bare IPv6 literal.  On
 * error returns false and sets *err (caller frees). */
bool transport_parse_target(const char *spec, const char *default_port,
			    struct transport_target *t, char **err);
void transport_target_free(struct transport_target *t);

struct transport_connect;
typedef void (*transport_cb)(void *ctx, struct transport_result *res);

/* Starts resolving and connecting; cb runs exactly once, from the loop
 * (even for immediate failures).  The result belongs to the callee of cb
 * until transport_result_free(). */
struct transport_connect *transport_connect_start(
	struct loop *l, const struct transport_target *t, int64_t timeout_ms,
	transport_cb cb, void *ctx);
/* Abandons a connect in progress (cb will not run).  The handle is gone
 * once cb has run; do not cancel it after that. */
void transport_connect_cancel(struct transport_connect *c);
void transport_result_free(struct transport_result *r);

/* "127.0.0.1 port 25" / "::1 port 25" for a connected or bound socket. */
char *transport_sockname(int fd, bool peer);

#endif
