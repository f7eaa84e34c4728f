/* transport: resolve and connect without blocking the loop on the
 * connect itself (getaddrinfo still blocks while resolving).  Each address
 * is tried in turn within one overall timeout. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport-private.h"
#include "smtpscope/transport-local.h"
#include "smtpscope/util.h"
#include "smtpscope/i18n.h"

/* A port is a number 1-65535 or a service name the system knows (read
 * from /etc/services, never looked up in the DNS). */
static bool transport_port_ok(const char *port, bool listen)
{
	size_t n = strspn(port, "0123456789");

	if (n > 0 && port[n] == '\0')
		return n <= 5 && atol(port) >= (listen ? 0 : 1) && atol(port) <= 65535;
	return getservbyname(port, "tcp") != NULL;
}

/* Rejects what cannot be a host before any lookup: a file path (the
 * user meant a message file, or typed the arguments in the wrong order)
 * or octets no host name or address holds.  Non-ASCII octets pass: an
 * internationalized name is converted later. */
static char *transport_host_error(const char *shown, const char *host)
{
	struct stat st;
	const char *p;

	if (stat(host, &st) == 0 && S_ISSOCK(st.st_mode))
		return xasprintf(_("target \"%s\" is a UNIX socket: write unix:%s to connect to it"),
				 shown, shown);
	if (strchr(host, '/') || strchr(host, '\\') || host[0] == '~' ||
	    (stat(host, &st) == 0 && S_ISREG(st.st_mode)))
		return xasprintf(_("target \"%s\" looks like a file path, not a host: expected HOST, HOST:PORT or [IPv6]:PORT (a message file is sent with /sendfile FILE once connected)"),
				 shown);
	for (p = host; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char what[8];

		if (c >= 0x80 || isalnum(c) || strchr("-._:%", c))
			continue;
		snprintf(what, sizeof what, c >= 0x20 && c < 0x7f ? "'%c'" : "0x%02x", c);
		return xasprintf(_("bad target \"%s\": a host name holds letters, digits, '-' and '.', not %s; expected HOST, HOST:PORT or [IPv6]:PORT"),
				 shown, what);
	}
	return NULL;
}

static bool transport_split_target(const char *spec, const char *default_port,
				   struct transport_target *t, char **err)
{
	const char *colon;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close == spec + 1) {
			*err = xasprintf(_("bad target \"%s\": expected [IPv6-ADDRESS] or [IPv6-ADDRESS]:PORT"), spec);
			return false;
		}
		if (close[1] != '\0' && (close[1] != ':' || close[2] == '\0')) {
			*err = xasprintf(_("bad target \"%s\": after ']' expected :PORT"), spec);
			return false;
		}
		t->host = xmemdup(spec + 1, (size_t)(close - spec - 1));
		t->port = xstrdup(close[1] ? close + 2 : default_port);
	} else if ((colon = strchr(spec, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		if (colon == spec || colon[1] == '\0') {
			*err = xasprintf(_("bad target \"%s\": expected HOST:PORT"), spec);
			return false;
		}
		t->host = xmemdup(spec, (size_t)(colon - spec));
		t->port = xstrdup(colon + 1);
	} else {
		/* No colon, or several: a host name or a bare IPv6 literal. */
		t->host = xstrdup(spec);
		t->port = xstrdup(default_port);
	}
	return true;
}

static bool transport_parse(const char *spec, const char *default_port,
			    bool listen, struct transport_target *t, char **err)
{
	char *shown;

	memset(t, 0, sizeof *t);
	t->family = AF_UNSPEC;
	*err = NULL;
	if (spec == NULL || *spec == '\0') {
		*err = xstrdup(_("empty target: expected HOST, HOST:PORT or [IPv6]:PORT"));
		return false;
	}
	shown = util_escape_dup(spec, strlen(spec));
	if (strncmp(spec, TRANSPORT_UNIX_PREFIX, strlen(TRANSPORT_UNIX_PREFIX)) == 0) {
		*err = xasprintf(_("\"%s\" is a UNIX socket, which has no host name or port: "
				   "expected HOST, HOST:PORT or [IPv6]:PORT here"), shown);
		free(shown);
		return false;
	}
	if (!transport_split_target(spec, default_port, t, err)) {
		free(shown);
		return false;
	}
	if ((*err = transport_host_error(shown, t->host)) == NULL &&
	    !transport_port_ok(t->port, listen))
		*err = xasprintf(_("bad port in \"%s\": expected a number from %d to 65535 (25 for relay, 587 for submission, 465 for TLS from the first byte) or a service name such as smtp"),
				 shown, listen ? 0 : 1);
	free(shown);
	if (*err == NULL)
		return true;
	transport_target_free(t);
	return false;
}

bool transport_parse_target(const char *spec, const char *default_port,
			    struct transport_target *t, char **err)
{
	return transport_parse(spec, default_port, false, t, err);
}

bool transport_parse_listen(const char *spec, struct transport_target *t, char **err)
{
	return transport_parse(spec, "0", true, t, err);
}

void transport_target_free(struct transport_target *t)
{
	free(t->host);
	free(t->port);
	free(t->path);
	free(t->command);
	t->host = t->port = t->path = t->command = NULL;
}

void transport_result_free(struct transport_result *r)
{
	if (r == NULL)
		return;
	transport_child_free(r->child);
	free(r->message);
	free(r->peer);
	free(r);
}

static char *transport_addr_str(const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
	}
	return xasprintf("%s port %u", host, port);
}

char *transport_sockname(int fd, bool peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
		      : getsockname(fd, (struct sockaddr *)&ss, &len);

	if (rc != 0)
		return xstrdup("?");
	if (ss.ss_family == AF_UNIX)
		return transport_unix_name((struct sockaddr *)&ss, len);
	return transport_addr_str((struct sockaddr *)&ss);
}

static void transport_finish(struct transport_connect *c, enum transport_error e,
			     int fd)
{
	struct transport_result *r = xcalloc(1, sizeof *r);

	r->error = e;
	r->fd = fd;
	r->elapsed_ms = loop_now_ms() - c->started;
	switch (e) {
	case TRANSPORT_OK:
		r->peer = transport_addr_str(c->cur->ai_addr);
		r->family = c->cur->ai_family;
		r->message = xasprintf(_("connected to %s (%s) in %lld ms"), r->peer,
				       r->family == AF_INET6 ? "IPv6" : "IPv4",
				       (long long)r->elapsed_ms);
		break;
	case TRANSPORT_EDNS:
		r->message = xasprintf(_("cannot resolve \"%s\": %s"), c->host,
				       gai_strerror(c->gai_error));
		break;
	case TRANSPORT_ETIMEOUT:
		r->message = xasprintf(_("connection to %s port %s timed out after %lld ms (a firewall may be dropping packets, or the port is blocked by the network; --connect-timeout SECONDS waits longer)"),
				       c->host, c->port, (long long)r->elapsed_ms);
		break;
	case TRANSPORT_EREFUSED:
		r->message = xasprintf(_("connection to %s port %s refused: nothing listens there (wrong port, or the server is down)"),
				       c->host, c->port);
		break;
	case TRANSPORT_EUNREACHABLE:
		r->message = xasprintf(_("%s port %s is unreachable: %s (check the address and your network route)"),
				       c->host, c->port, strerror(c->last_errno));
		break;
	default:
		r->message = xasprintf(_("cannot connect to %s port %s: %s"), c->host,
				       c->port, strerror(c->last_errno));
		break;
	}
	transport_deliver(c, r);
}

void transport_deliver(struct transport_connect *c, struct transport_result *r)
{
	transport_cb cb = c->cb;
	void *ctx = c->ctx;

	r->elapsed_ms = loop_now_ms() - c->started;
	transport_connect_cancel(c);
	cb(ctx, r);
}

static enum transport_error transport_classify(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return TRANSPORT_EREFUSED;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
	case ENETDOWN:
	case EHOSTDOWN:
		return TRANSPORT_EUNREACHABLE;
	case ETIMEDOUT:
		return TRANSPORT_ETIMEOUT;
	default:
		return TRANSPORT_EOTHER;
	}
}

static void transport_try_next(struct transport_connect *c);

static void transport_writable(void *ctx, int fd, short revents)
{
	struct transport_connect *c = ctx;
	int err = 0;
	socklen_t len = sizeof err;

	(void)revents;
	loop_unwatch(c->loop, fd);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err == 0) {
		c->fd = -1;
		transport_finish(c, TRANSPORT_OK, fd);
		return;
	}
	c->last_errno = err;
	close(fd);
	c->fd = -1;
	c->cur = c->cur->ai_next;
	transport_try_next(c);
}

static void transport_try_next(struct transport_connect *c)
{
	for (; c->cur; c->cur = c->cur->ai_next) {
		int fd = socket(c->cur->ai_family, c->cur->ai_socktype | SOCK_CLOEXEC,
				c->cur->ai_protocol);
		if (fd < 0) {
			c->last_errno = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		/* Each typed line goes out at once: with Nagle's algorithm the
		 * final "." after the message waited for a delayed ACK (40 ms). */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
		if (connect(fd, c->cur->ai_addr, c->cur->ai_addrlen) == 0) {
			transport_finish(c, TRANSPORT_OK, fd);
			return;
		}
		if (errno == EINPROGRESS) {
			c->fd = fd;
			loop_watch(c->loop, fd, POLLOUT, transport_writable, c);
			return;
		}
		c->last_errno = errno;
		close(fd);
	}
	transport_finish(c, transport_classify(c->last_errno), -1);
}

static void transport_timeout(void *ctx)
{
	struct transport_connect *c = ctx;

	c->timer = 0;
	c->timed_out = true;
	transport_finish(c, TRANSPORT_ETIMEOUT, -1);
}

static void transport_start(void *ctx)
{
	struct transport_connect *c = ctx;
	struct addrinfo hints;
	int rc;

	c->start_timer = 0;
	if (c->path || c->command) {
		transport_local_start(c);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = c->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(c->host, c->port, &hints, &c->ai);
	if (rc == EAI_BADFLAGS || (rc != 0 && hints.ai_flags)) {
		/* AI_ADDRCONFIG hides ::1 on hosts without global IPv6. */
		hints.ai_flags = 0;
		rc = getaddrinfo(c->host, c->port, &hints, &c->ai);
	}
	if (rc != 0) {
		c->gai_error = rc;
		c->ai = NULL;
		transport_finish(c, rc == EAI_SYSTEM ? TRANSPORT_EOTHER : TRANSPORT_EDNS, -1);
		return;
	}
	c->cur = c->ai;
	transport_try_next(c);
}

struct transport_connect *transport_connect_start(
	struct loop *l, const struct transport_target *t, int64_t timeout_ms,
	transport_cb cb, void *ctx)
{
	struct transport_connect *c = xcalloc(1, sizeof *c);

	c->loop = l;
	c->fd = -1;
	c->cb = cb;
	c->ctx = ctx;
	c->host = t->host ? xstrdup(t->host) : NULL;
	c->port = t->port ? xstrdup(t->port) : NULL;
	c->path = t->path ? xstrdup(t->path) : NULL;
	c->command = t->command ? xstrdup(t->command) : NULL;
	c->started = loop_now_ms();
	c->family = t->family;
	/* Resolution runs from the loop so the callback never runs inside
	 * this call; the timeout covers resolving and connecting. */
	c->start_timer = loop_timer(l, 0, transport_start, c);
	c->timer = loop_timer(l, timeout_ms, transport_timeout, c);
	return c;
}

void transport_connect_cancel(struct transport_connect *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0) {
		loop_unwatch(c->loop, c->fd);
		close(c->fd);
	}
	if (c->timer)
		loop_cancel(c->loop, c->timer);
	if (c->start_timer)
		loop_cancel(c->loop, c->start_timer);
	if (c->ai)
		freeaddrinfo(c->ai);
	free(c->host);
	free(c->port);
	free(c->path);
	free(c->command);
	free(c);
}

/* ---- --connect-to ---------------------------------------------------- */

/* One field of a --connect-to spec at *p: "[v6]" or up to the next ':'.
 * last: the field ends the spec. */
static bool transport_route_field(const char **p, bool last, char **out)
{
	const char *s = *p, *end;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL || end == s + 1)
			return false;
		*out = xmemdup(s + 1, (size_t)(end - s - 1));
		end++;
	} else {
		end = s + strcspn(s, ":");
		*out = xmemdup(s, (size_t)(end - s));
	}
	if (last ? *end != '\0' : *end != ':')
		return false;
	*p = last ? end : end + 1;
	return true;
}

void transport_route_free(struct transport_route *r)
{
	free(r->host);
	free(r->port);
	free(r->addr);
	free(r->addr_port);
	memset(r, 0, sizeof *r);
}

bool transport_connect_to_parse(const char *spec, struct transport_route *r, char **err)
{
	const char *p = spec;
	char **field[4] = { &r->host, &r->port, &r->addr, &r->addr_port };
	char *shown = util_escape_dup(spec, strlen(spec));
	char *bad = NULL;

	memset(r, 0, sizeof *r);
	*err = NULL;
	for (size_t i = 0; i < 4 && bad == NULL; i++)
		if (!transport_route_field(&p, i == 3, field[i]))
			bad = xasprintf(_("--connect-to \"%s\": expected %s; an empty HOST or PORT matches any"),
					shown, TRANSPORT_CONNECT_TO_FORM);
	for (size_t i = 0; i < 4 && bad == NULL; i += 2) {
		const char *h = *field[i], *port = *field[i + 1];

		if (*h && (bad = transport_host_error(shown, h)) != NULL) {
			free(bad);
			bad = xasprintf(_("--connect-to \"%s\": \"%s\" is not a host name or address; "
					  "expected %s"), shown, h, TRANSPORT_CONNECT_TO_FORM);
		} else if (*port && !transport_port_ok(port, false)) {
			bad = xasprintf(_("--connect-to \"%s\": bad port \"%s\" (a number from 1 to 65535 "
					  "or a service name); expected %s"), shown, port, TRANSPORT_CONNECT_TO_FORM);
		}
	}
	free(shown);
	if (bad == NULL)
		return true;
	*err = bad;
	transport_route_free(r);
	return false;
}

bool transport_connect_to_add(struct transport_connect_to *m, const char *spec, char **err)
{
	struct transport_route r;

	if (!transport_connect_to_parse(spec, &r, err))
		return false;
	transport_route_free(&r);
	if (m->n == TRANSPORT_CONNECT_TO_MAX) {
		*err = xasprintf(_("--connect-to: at most %d of them"), TRANSPORT_CONNECT_TO_MAX);
		return false;
	}
	m->spec[m->n++] = spec;
	return true;
}

/* A port's number (service names from /etc/services), or -1. */
static long transport_port_number(const char *port)
{
	size_t n = strspn(port, "0123456789");
	struct servent *se;

	if (n > 0 && port[n] == '\0' && n <= 5)
		return atol(port);
	se = getservbyname(port, "tcp");
	return se ? (long)ntohs((uint16_t)se->s_port) : -1;
}

static bool transport_same_port(const char *a, const char *b)
{
	long x = transport_port_number(a), y = transport_port_number(b);

	return x >= 0 && y >= 0 ? x == y : util_strieq(a, b);
}

bool transport_connect_to_match(const struct transport_connect_to *m, const char *host,
				const char *port, char **addr, char **addr_port,
				const char **spec)
{
	for (size_t i = 0; m && i < m->n; i++) {
		struct transport_route r;
		char *err = NULL;
		bool hit;

		if (!transport_connect_to_parse(m->spec[i], &r, &err)) {
			free(err); /* checked when added */
			continue;
		}
		hit = (!*r.host || util_name_eq(r.host, host)) &&
		      (!*r.port || transport_same_port(r.port, port));
		if (hit) {
			*addr = xstrdup(*r.addr ? r.addr : host);
			*addr_port = xstrdup(*r.addr_port ? r.addr_port : port);
			if (spec)
				*spec = m->spec[i];
		}
		transport_route_free(&r);
		if (hit)
			return true;
	}
	return false;
}
