/* transport: resolve and connect without blocking the loop on the
 * connect itself (getaddrinfo still blocks while resolving).  Each address
 * is tried in turn within one overall timeout. */
#include "config.h"

#include <arpa/inet.h>
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
#include <unistd.h>

#include "smtpscope/transport.h"
#include "smtpscope/util.h"

struct transport_connect {
	struct loop *loop;
	struct addrinfo *ai, *cur;
	int fd;
	int family;
	unsigned timer, start_timer;
	int64_t started;
	transport_cb cb;
	void *ctx;
	char *host;
	char *port;
	int last_errno;
	int gai_error;
	bool timed_out;
};

bool transport_parse_target(const char *spec, const char *default_port,
			    struct transport_target *t, char **err)
{
	const char *colon;

	memset(t, 0, sizeof *t);
	t->family = AF_UNSPEC;
	*err = NULL;
	if (spec == NULL || *spec == '\0') {
		*err = xstrdup("empty target: expected HOST, HOST:PORT or [IPv6]:PORT");
		return false;
	}
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close == spec + 1) {
			*err = xasprintf("bad target \"%s\": expected [IPv6-ADDRESS] or [IPv6-ADDRESS]:PORT", spec);
			return false;
		}
		t->host = xmemdup(spec + 1, (size_t)(close - spec - 1));
		if (close[1] == ':' && close[2])
			t->port = xstrdup(close + 2);
		else if (close[1] == '\0')
			t->port = xstrdup(default_port);
		else {
			free(t->host);
			t->host = NULL;
			*err = xasprintf("bad target \"%s\": after ']' expected :PORT", spec);
			return false;
		}
	} else if ((colon = strchr(spec, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		if (colon == spec || colon[1] == '\0') {
			*err = xasprintf("bad target \"%s\": expected HOST:PORT", spec);
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

void transport_target_free(struct transport_target *t)
{
	free(t->host);
	free(t->port);
	t->host = t->port = NULL;
}

void transport_result_free(struct transport_result *r)
{
	if (r == NULL)
		return;
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
	return transport_addr_str((struct sockaddr *)&ss);
}

static void transport_finish(struct transport_connect *c, enum transport_error e,
			     int fd)
{
	struct transport_result *r = xcalloc(1, sizeof *r);
	transport_cb cb = c->cb;
	void *ctx = c->ctx;

	r->error = e;
	r->fd = fd;
	r->elapsed_ms = loop_now_ms() - c->started;
	switch (e) {
	case TRANSPORT_OK:
		r->peer = transport_addr_str(c->cur->ai_addr);
		r->family = c->cur->ai_family;
		r->message = xasprintf("connected to %s (%s) in %lld ms", r->peer,
				       r->family == AF_INET6 ? "IPv6" : "IPv4",
				       (long long)r->elapsed_ms);
		break;
	case TRANSPORT_EDNS:
		r->message = xasprintf("cannot resolve \"%s\": %s", c->host,
				       gai_strerror(c->gai_error));
		break;
	case TRANSPORT_ETIMEOUT:
		r->message = xasprintf("connection to %s port %s timed out after %lld ms (a firewall may be dropping packets, or the port is blocked by the network)",
				       c->host, c->port, (long long)r->elapsed_ms);
		break;
	case TRANSPORT_EREFUSED:
		r->message = xasprintf("connection to %s port %s refused: nothing listens there (wrong port, or the server is down)",
				       c->host, c->port);
		break;
	case TRANSPORT_EUNREACHABLE:
		r->message = xasprintf("%s port %s is unreachable: %s (check the address and your network route)",
				       c->host, c->port, strerror(c->last_errno));
		break;
	default:
		r->message = xasprintf("cannot connect to %s port %s: %s", c->host,
				       c->port, strerror(c->last_errno));
		break;
	}
	if (c->timer)
		loop_cancel(c->loop, c->timer);
	c->timer = 0;
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

	memset(&hints, 0, sizeof hints);
	c->start_timer = 0;
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
	c->host = xstrdup(t->host);
	c->port = xstrdup(t->port);
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
	free(c);
}
