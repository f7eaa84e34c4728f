/* demo-server: the demo's sockets.  One loop serves many clients at once
 * (bounded by DEMO_MAX_CLIENTS); what each client is answered is decided
 * in demo-smtp.c.  A delayed reply (a slow greeting, a tarpit) is held on
 * a timer, and the client's later input waits behind it. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SMTPSCOPE_DEMO_INTERNAL
#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"
#include "smtpscope/stream.h"
#include "smtpscope/tls.h"
#include "smtpscope/transport.h"
#include "smtpscope/transport-local.h"
#include "smtpscope/util.h"

void demo_log(struct demo_server *d, const struct demo_conn *c,
	      const char *fmt, ...)
{
	char when[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	struct buf b;

	if (d->log == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, _(fmt), ap); /* only with a log: see demo.h */
	va_end(ap);
	if (c)
		fprintf(d->log, "%s.%03ldZ [#%u %s] %s\n", when, ts.tv_nsec / 1000000,
			c->id, c->peer, b.data);
	else
		fprintf(d->log, "%s.%03ldZ %s\n", when, ts.tv_nsec / 1000000, b.data);
	fflush(d->log);
	buf_free(&b);
}

static void demo_conn_free(struct demo_conn *c)
{
	struct demo_server *d = c->srv;
	size_t i;

	for (i = 0; i < d->nconns; i++)
		if (d->conns[i] == c) {
			d->conns[i] = d->conns[--d->nconns];
			break;
		}
	if (c->timer)
		loop_cancel(d->loop, c->timer);
	if (c->delay_timer)
		loop_cancel(d->loop, c->delay_timer);
	loop_unwatch(d->loop, c->fd);
	stream_free(c->st);
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->held);
	demo_conn_clear(c);
	free(c->peer);
	free(c);
}

static void demo_close(struct demo_conn *c, const char *why)
{
	if (c->srv->log)
		demo_log(c->srv, c, N_("closed (%s)"), _(why));
	demo_conn_free(c);
}

/* Writes what it can; closes when a closing reply has gone out.  Returns
 * false if the connection is gone. */
static void demo_tls_start(struct demo_conn *c);

static bool demo_flush(struct demo_conn *c)
{
	while (c->out.len > 0 && !c->hs) {
		size_t n = 0;
		enum stream_status st = stream_write(c->st, c->out.data, c->out.len, &n);

		if (st == STREAM_OK) {
			buf_consume(&c->out, n);
			continue;
		}
		if (st == STREAM_AGAIN)
			break;
		demo_close(c, N_("client went away"));
		return false;
	}
	if (c->out.len == 0 && c->closing) {
		demo_close(c, N_("server closed after its reply"));
		return false;
	}
	if (c->out.len == 0 && c->tls_next) {
		demo_tls_start(c);
		return true;
	}
	if (!c->hs)
		loop_set_events(c->srv->loop, c->fd, stream_events(c->st, c->out.len > 0));
	return true;
}

static void demo_on_delay(void *ctx)
{
	struct demo_conn *c = ctx;

	c->delay_timer = 0;
	c->paused = false;
	buf_add(&c->out, c->held.data, c->held.len);
	buf_clear(&c->held);
	c->closing |= c->held_close;
	c->held_close = false;
	demo_process(c); /* input that waited behind the delay */
	demo_flush(c);
}

void demo_send(struct demo_conn *c, const char *p, size_t n, unsigned delay_ms, bool close)
{
	if (c->paused || delay_ms > 0) {
		/* Behind a delay: held until the timer fires. */
		buf_add(&c->held, p, n);
		c->held_close |= close;
		if (!c->paused) {
			c->paused = true;
			c->delay_timer = loop_timer(c->srv->loop, delay_ms, demo_on_delay, c);
		}
		return;
	}
	buf_add(&c->out, p, n);
	c->closing |= close;
}

static void demo_on_idle(void *ctx)
{
	struct demo_conn *c = ctx;

	c->timer = 0;
	demo_reply(c, DEMO_R_TIMEOUT, NULL); /* a 421: closes once sent */
	demo_flush(c);
}

static void demo_tls_step(struct demo_conn *c)
{
	enum tls_hs r = tls_handshake(c->tls);

	if (r == TLS_HS_AGAIN) {
		loop_set_events(c->srv->loop, c->fd, tls_events(c->tls));
		return;
	}
	if (r == TLS_HS_FAILED) {
		demo_close(c, tls_failure(c->tls));
		return;
	}
	c->hs = false;
	demo_log(c->srv, c, N_("TLS established (%s)"), tls_protocol(c->tls));
	if (c->implicit_greeting) {
		c->implicit_greeting = false;
		demo_greet(c);
	}
	demo_flush(c);
}

/* The 220 to STARTTLS has gone out (or an implicit-TLS client came in):
 * the handshake starts, and the session starts over (RFC 3207 4.2). */
static void demo_tls_start(struct demo_conn *c)
{
	c->tls_next = false;
	c->tls = tls_server_conn_new(c->fd, c->srv->tls);
	if (c->tls == NULL) {
		demo_close(c, N_("cannot start TLS"));
		return;
	}
	stream_push(c->st, &tls_stream_ops, c->tls);
	c->hs = true;
	demo_conn_reset_tls(c);
	demo_tls_step(c);
}

static void demo_on_io(void *ctx, int fd, short revents)
{
	struct demo_conn *c = ctx;
	char buf[16384];

	(void)fd;
	if (c->hs) {
		demo_tls_step(c);
		return;
	}
	if (revents & POLLOUT && !demo_flush(c))
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		size_t n = 0;
		enum stream_status st = stream_read(c->st, buf, sizeof buf, &n);

		if (st == STREAM_EOF || st == STREAM_ERROR) {
			demo_close(c, st == STREAM_EOF ? N_("client closed") : N_("read error"));
			return;
		}
		if (n > 0) {
			if (c->closing)
				return; /* ignore input after QUIT */
			buf_add(&c->in, buf, n);
			demo_process(c);
			if (c->timer)
				loop_cancel(c->srv->loop, c->timer);
			c->timer = loop_timer(c->srv->loop, DEMO_IDLE_TIMEOUT_MS, demo_on_idle, c);
		}
		demo_flush(c);
	}
}

static void demo_on_accept(void *ctx, int fd, short revents)
{
	struct demo_server *d = ctx;
	struct demo_conn *c;
	int cfd;

	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	c = xcalloc(1, sizeof *c);
	c->srv = d;
	c->fd = cfd;
	c->st = stream_new_fd(cfd);
	c->id = ++d->next_id;
	c->peer = transport_sockname(cfd, true);
	buf_init(&c->in);
	buf_init(&c->out);
	buf_init(&c->held);
	d->conns = xgrow(d->conns, &d->cap, d->nconns + 1, sizeof *d->conns);
	d->conns[d->nconns++] = c;
	loop_watch(d->loop, cfd, POLLIN, demo_on_io, c);
	if (d->nconns > DEMO_MAX_CLIENTS) {
		demo_log(d, c, N_("refused: already %d clients"), DEMO_MAX_CLIENTS);
		demo_reply(c, DEMO_R_TOO_MANY, NULL); /* a 421: closes once sent */
	} else if (fd == d->implicit_fd) {
		demo_log(d, c, N_("connected (implicit TLS)"));
		c->implicit_greeting = true;
		c->timer = loop_timer(d->loop, DEMO_IDLE_TIMEOUT_MS, demo_on_idle, c);
		demo_tls_start(c);
		return;
	} else {
		demo_log(d, c, N_("connected"));
		demo_greet(c);
		c->timer = loop_timer(d->loop, DEMO_IDLE_TIMEOUT_MS, demo_on_idle, c);
	}
	demo_flush(c);
}

int demo_listen(const char *spec, char **bound, char **err)
{
	struct transport_target t;
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1, rc;

	*bound = NULL;
	if (strncmp(spec, TRANSPORT_UNIX_PREFIX, strlen(TRANSPORT_UNIX_PREFIX)) == 0) {
		/* unix:PATH: checked as a target is, then listened on */
		if (!transport_parse_connect(spec, NULL, &t, err))
			return -1;
		fd = transport_unix_listen(t.path, err);
		if (fd >= 0)
			*bound = xstrdup(spec);
		transport_target_free(&t);
		return fd;
	}
	if (!transport_parse_listen(spec, &t, err))
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(t.host, t.port, &hints, &ai);
	if (rc != 0) {
		*err = xasprintf(_("cannot listen on %s: %s"), spec, gai_strerror(rc));
		transport_target_free(&t);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
		*err = xasprintf(_("cannot listen on %s: %s"), spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		char host[INET6_ADDRSTRLEN] = "?";
		unsigned port = 0;

		getsockname(fd, (struct sockaddr *)&ss, &len);
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (void *)&ss;
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
			port = ntohs(in6->sin6_port);
			*bound = xasprintf("[%s]:%u", host, port);
		} else {
			struct sockaddr_in *in = (void *)&ss;
			inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
			port = ntohs(in->sin_port);
			*bound = xasprintf("%s:%u", host, port);
		}
	}
	freeaddrinfo(ai);
	transport_target_free(&t);
	return fd;
}

struct demo_server *demo_server_new(struct loop *l, int listen_fd,
				    const struct demo_scenario *sc, FILE *log)
{
	struct demo_server *d = xcalloc(1, sizeof *d);

	d->loop = l;
	d->listen_fd = listen_fd;
	d->implicit_fd = -1;
	d->sc = sc ? sc : demo_default_scenario();
	d->log = log;
	loop_watch(l, listen_fd, POLLIN, demo_on_accept, d);
	return d;
}

void demo_server_set_tls(struct demo_server *d, struct tls_server *srv)
{
	d->tls = srv;
}

void demo_server_listen_implicit(struct demo_server *d, int listen_fd)
{
	d->implicit_fd = listen_fd;
	loop_watch(d->loop, listen_fd, POLLIN, demo_on_accept, d);
}

unsigned demo_server_clients(const struct demo_server *d)
{
	return (unsigned)d->nconns;
}

void demo_server_free(struct demo_server *d)
{
	if (d == NULL)
		return;
	while (d->nconns > 0)
		demo_conn_free(d->conns[d->nconns - 1]);
	free(d->conns);
	for (size_t i = 0; i < d->nattempts; i++)
		free(d->attempts[i].key);
	free(d->attempts);
	loop_unwatch(d->loop, d->listen_fd);
	transport_unix_close_listener(d->listen_fd);
	if (d->implicit_fd >= 0) {
		loop_unwatch(d->loop, d->implicit_fd);
		transport_unix_close_listener(d->implicit_fd);
	}
	free(d);
}

/* ---- the demo in a thread ------------------------------------------- */

struct demo_thread {
	pthread_t tid;
	struct loop *loop;
	struct demo_server *server;
	struct tls_server *tls;
	int stop_pipe[2];
};

static void demo_thread_on_stop(void *ctx, int fd, short revents)
{
	struct demo_thread *t = ctx;

	(void)fd;
	(void)revents;
	loop_stop(t->loop);
}

static void *demo_thread_main(void *arg)
{
	struct demo_thread *t = arg;

	loop_run(t->loop);
	return NULL;
}

struct demo_thread *demo_thread_start(const struct demo_scenario *sc,
				      char **target, char **err)
{
	struct demo_thread *t;
	int fd = demo_listen("127.0.0.1:0", target, err);

	if (fd < 0)
		return NULL;
	t = xcalloc(1, sizeof *t);
	if (pipe2(t->stop_pipe, O_CLOEXEC) != 0) {
		*err = xasprintf(_("cannot start the demo server: %s"), strerror(errno));
		close(fd);
		free(*target);
		*target = NULL;
		free(t);
		return NULL;
	}
	t->loop = loop_new();
	t->server = demo_server_new(t->loop, fd, sc, NULL);
	{
		char *tls_err = NULL;

		/* Without a certificate the demo still works, minus STARTTLS. */
		t->tls = demo_tls_server(sc ? sc->domain : "demo.test", &tls_err);
		free(tls_err);
		demo_server_set_tls(t->server, t->tls);
	}
	loop_watch(t->loop, t->stop_pipe[0], POLLIN, demo_thread_on_stop, t);
	if (pthread_create(&t->tid, NULL, demo_thread_main, t) != 0) {
		*err = xstrdup(_("cannot start the demo server thread"));
		demo_server_free(t->server);
		tls_server_free(t->tls);
		loop_free(t->loop);
		close(t->stop_pipe[0]);
		close(t->stop_pipe[1]);
		free(*target);
		*target = NULL;
		free(t);
		return NULL;
	}
	return t;
}

void demo_thread_stop(struct demo_thread *t)
{
	if (t == NULL)
		return;
	(void)!write(t->stop_pipe[1], "x", 1);
	pthread_join(t->tid, NULL);
	demo_server_free(t->server);
	tls_server_free(t->tls);
	loop_free(t->loop);
	close(t->stop_pipe[0]);
	close(t->stop_pipe[1]);
	free(t);
}

/* ---- the demo a session talks to ------------------------------------ */

bool demo_ctl_start(struct demo_ctl *d, const struct demo_scenario *sc, char **err)
{
	struct demo_thread *t;
	char *target = NULL;

	demo_ctl_stop(d);
	t = demo_thread_start(sc, &target, err);
	if (t == NULL)
		return false;
	d->thread = t;
	d->target = target;
	d->current = sc;
	return true;
}

void demo_ctl_stop(struct demo_ctl *d)
{
	demo_thread_stop(d->thread);
	free(d->target);
	d->thread = NULL;
	d->target = NULL;
	d->current = NULL;
}

char *demo_ctl_intro(const struct demo_ctl *d)
{
	const struct demo_scenario *sc = d->current;

	return xasprintf(_("built-in demo server (%s) on %s, scenario \"%s\": %s\n%s\n"
			   "/scenario lists the other scenarios; /help lists local commands."),
			 sc->domain, d->target, sc->name, _(sc->title),
			 sc->lesson ? _(sc->lesson) : "");
}
