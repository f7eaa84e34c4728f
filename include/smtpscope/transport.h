/* transport: target parsing, name resolution and non-blocking connect with
 * a timeout, IPv4 and IPv6.  Every failure is classified so the front-end
 * can say what happened and pick the exit status. */
#ifndef SMTPSCOPE_TRANSPORT_H
#define SMTPSCOPE_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "smtpscope/loop.h"

#define TRANSPORT_DEFAULT_PORT "25"

struct transport_child;

struct transport_target {
	char *host;  /* without brackets */
	char *port;  /* service name or number */
	int family;  /* AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6) */
	/* Not a host (transport-local.h): unix:PATH, or --pipe's command
	 * line; host and port are then NULL. */
	char *path;
	char *command;
};

enum transport_error {
	TRANSPORT_OK,
	TRANSPORT_EUSAGE,       /* the target itself is malformed */
	TRANSPORT_EDNS,         /* the name does not resolve */
	TRANSPORT_EREFUSED,     /* nothing listens there */
	TRANSPORT_EUNREACHABLE, /* no route to the host or network */
	TRANSPORT_ETIMEOUT,     /* no answer within the connect timeout */
	TRANSPORT_ENOTFOUND,    /* no such UNIX socket; --pipe: no such command */
	TRANSPORT_EDENIED,      /* permission denied (a UNIX socket's mode) */
	TRANSPORT_EOTHER,
};

struct transport_result {
	enum transport_error error;
	int fd;              /* connected, non-blocking; -1 on error */
	char *message;       /* what happened, for the transcript */
	char *peer;          /* "127.0.0.1 port 2525" */
	int family;
	int64_t elapsed_ms;
	/* --pipe: the program at the other end, now the callee's (see
	 * transport-local.h); NULL otherwise. */
	struct transport_child *child;
};

/* Parses HOST, HOST:PORT, [V6]:PORT, [V6] or a bare IPv6 literal.  On
 * error returns false and sets *err (caller frees). */
bool transport_parse_target(const char *spec, const char *default_port,
			    struct transport_target *t, char **err);
/* The same for an address to listen on: port 0 (the default) asks the
 * system for a free one. */
bool transport_parse_listen(const char *spec, struct transport_target *t, char **err);
void transport_target_free(struct transport_target *t);

/* --connect-to HOST:PORT:ADDR:PORT, as curl means it: a connection to
 * HOST:PORT goes to ADDR:PORT instead, while HOST stays the name for
 * SNI, certificate checks and the report.  An empty HOST or PORT (the
 * first two fields) matches any; an empty ADDR or PORT (the last two)
 * keeps the original.  IPv6 addresses go in brackets.  The specs are
 * kept as given (they point into argv); the first that matches wins. */
#define TRANSPORT_CONNECT_TO_MAX 32
#define TRANSPORT_CONNECT_TO_FORM "HOST:PORT:ADDR:PORT (e.g. mx1.example.test:25:127.0.0.1:2525)"

struct transport_connect_to {
	const char *spec[TRANSPORT_CONNECT_TO_MAX];
	size_t n;
};

/* One spec's fields, split (copies; free with transport_route_free). */
struct transport_route {
	char *host, *port;     /* "" = any */
	char *addr, *addr_port; /* "" = keep */
};

/* Splits and checks a spec; false and *err (caller frees) when it is not
 * HOST:PORT:ADDR:PORT with valid ports and host fields. */
bool transport_connect_to_parse(const char *spec, struct transport_route *r, char **err);
void transport_route_free(struct transport_route *r);
/* Checks spec and appends it to m (false and *err: bad, or too many). */
bool transport_connect_to_add(struct transport_connect_to *m, const char *spec, char **err);
/* The first spec of m that matches host (case-insensitive, a trailing
 * dot ignored) and port (numbers compared, service names by their
 * number): true and *addr, *port (caller frees) where to connect
 * instead, the empty fields filled from host and port; *spec the rule
 * that matched.  False when none matches (m may be NULL). */
bool transport_connect_to_match(const struct transport_connect_to *m, const char *host,
				const char *port, char **addr, char **addr_port,
				const char **spec);

struct transport_connect;
typedef void (*transport_cb)(void *ctx, struct transport_result *res);

/* Starts resolving and connecting (or, for a target with a path or a
 * command, connecting to the UNIX socket or starting the program); cb
 * runs exactly once, from the loop (even for immediate failures).  The result belongs to the callee of cb
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
