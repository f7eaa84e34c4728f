/* demo-server: the demo's sockets.  One loop serves many clients at once
 * (bounded by DEMO_MAX_CLIENTS); each client is a small state machine fed
 * line by line, so pipelined commands are answered in order. */
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

#include "smtpscope/demo.h"
#include "smtpscope/stream.h"
#include "smtpscope/tls.h"
#include "smtpscope/transport.h"
#include "smtpscope/util.h"

struct demo_conn {
	struct demo_server *srv;
	int fd;
	struct stream *st;    /* owns fd; TLS is pushed on it */
	struct tls_conn *tls; /* owned by st */
	bool hs;              /* TLS handshake in progress */
	bool tls_next;        /* 220 to STARTTLS queued: handshake once sent */
	unsigned id;
	char *peer;
	struct buf in, out;
	unsigned timer;
	bool helo, mail, in_data, closing;
	bool implicit_greeting; /* implicit TLS: greet once the handshake is done */
	bool discarding;      /* rest of an over-long command line */
	bool mid_line;        /* DATA: in the middle of a long line */
	unsigned rcpts;
	unsigned long long data_bytes;
};

struct demo_server {
	struct loop *loop;
	int listen_fd;
	int implicit_fd;      /* implicit-TLS listener, or -1 */
	struct tls_server *tls;
	const struct demo_scenario *sc;
	FILE *log;
	struct demo_conn **conns;
	size_t nconns, cap;
	unsigned next_id;
	unsigned long queued;
};

static void demo_log(struct demo_server *d, const struct demo_conn *c,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void demo_log(struct demo_server *d, const struct demo_conn *c,
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
	buf_vprintf(&b, fmt, ap);
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
	loop_unwatch(d->loop, c->fd);
	stream_free(c->st);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c->peer);
	free(c);
}

static void demo_close(struct demo_conn *c, const char *why)
{
	demo_log(c->srv, c, "closed (%s)", why);
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
		demo_close(c, "client went away");
		return false;
	}
	if (c->out.len == 0 && c->closing) {
		demo_close(c, "server closed after its reply");
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

static void demo_reply(struct demo_conn *c, enum demo_reply which, const char *arg)
{
	size_t before = c->out.len;

	demo_expand(c->srv->sc, which, arg, &c->out);
	if (c->srv->log) {
		char code[4] = "";
		memcpy(code, c->out.data + before, c->out.len - before >= 3 ? 3 : 0);
		demo_log(c->srv, c, "-> %s", code);
	}
}

static void demo_ehlo(struct demo_conn *c, const char *arg)
{
	const struct demo_scenario *sc = c->srv->sc;
	size_t i, n = 0;

	while (n < UTIL_ARRAY_LEN(sc->ehlo_keywords) && sc->ehlo_keywords[n])
		n++;
	bool starttls = c->srv->tls && c->tls == NULL;

	demo_expand(sc, DEMO_R_EHLO, arg, &c->out);
	for (i = 0; i < n; i++)
		buf_printf(&c->out, "250%c%s\r\n", i + 1 < n || starttls ? '-' : ' ',
			   sc->ehlo_keywords[i]);
	if (starttls) /* RFC 3207 4.2: not inside TLS */
		buf_adds(&c->out, "250 STARTTLS\r\n");
	else if (n == 0) /* the template's '-' needs a last line */
		buf_adds(&c->out, "250 OK\r\n");
	demo_log(c->srv, c, "-> 250 (EHLO, %zu extensions)", n);
}

/* The address in "FROM:<addr> params" / "TO:<addr>", or NULL. */
static char *demo_path(const char *rest, const char *keyword, const char **params)
{
	size_t k = strlen(keyword);
	const char *lt, *gt;

	if (!util_strnieq(rest, keyword, k))
		return NULL;
	rest += k;
	while (*rest == ' ')
		rest++;
	if (*rest != '<' || (gt = strchr(rest, '>')) == NULL)
		return NULL;
	lt = rest;
	*params = gt + 1;
	return xmemdup(lt + 1, (size_t)(gt - lt - 1));
}

static unsigned long long demo_size_param(const char *params)
{
	const char *p = params;

	while ((p = strchr(p, ' ')) != NULL) {
		p++;
		if (util_strnieq(p, "SIZE=", 5))
			return strtoull(p + 5, NULL, 10);
	}
	return 0;
}

static void demo_command(struct demo_conn *c, char *line)
{
	const struct demo_scenario *sc = c->srv->sc;
	char *sp = strchr(line, ' ');
	const char *rest = sp ? sp + 1 : "";
	const char *params = "";
	char verb[16];
	size_t vlen = sp ? (size_t)(sp - line) : strlen(line);
	char *addr;

	if (c->srv->log) {
		char *shown = util_escape_dup(line, strlen(line));
		demo_log(c->srv, c, "<- %s", shown);
		free(shown);
	}
	if (vlen == 0 || vlen >= sizeof verb) {
		demo_reply(c, vlen ? DEMO_R_UNKNOWN : DEMO_R_EMPTY, NULL);
		return;
	}
	memcpy(verb, line, vlen);
	verb[vlen] = '\0';
	while (*rest == ' ')
		rest++;

	if (util_strieq(verb, "EHLO") || util_strieq(verb, "HELO")) {
		if (*rest == '\0') {
			demo_reply(c, DEMO_R_HELO_SYNTAX, NULL);
			return;
		}
		c->helo = true;
		c->mail = false;
		c->rcpts = 0;
		if (util_strieq(verb, "EHLO"))
			demo_ehlo(c, rest);
		else
			demo_reply(c, DEMO_R_HELO, rest);
	} else if (util_strieq(verb, "MAIL")) {
		if (!c->helo)
			demo_reply(c, DEMO_R_MAIL_NO_HELO, NULL);
		else if (c->mail)
			demo_reply(c, DEMO_R_MAIL_NESTED, NULL);
		else if ((addr = demo_path(rest, "FROM:", &params)) == NULL)
			demo_reply(c, DEMO_R_MAIL_SYNTAX, NULL);
		else {
			if (sc->size_max && demo_size_param(params) > sc->size_max) {
				demo_reply(c, DEMO_R_MAIL_TOO_BIG, NULL);
			} else {
				c->mail = true;
				c->rcpts = 0;
				demo_reply(c, DEMO_R_MAIL_OK, addr);
			}
			free(addr);
		}
	} else if (util_strieq(verb, "RCPT")) {
		if (!c->mail)
			demo_reply(c, DEMO_R_RCPT_NO_MAIL, NULL);
		else if ((addr = demo_path(rest, "TO:", &params)) == NULL)
			demo_reply(c, DEMO_R_RCPT_SYNTAX, NULL);
		else {
			const char *at = strrchr(addr, '@');
			if (at == NULL || !util_strieq(at + 1, sc->local_domain))
				demo_reply(c, DEMO_R_RCPT_RELAY, addr);
			else if (c->rcpts >= sc->max_recipients)
				demo_reply(c, DEMO_R_RCPT_TOO_MANY, NULL);
			else {
				c->rcpts++;
				demo_reply(c, DEMO_R_RCPT_OK, addr);
			}
			free(addr);
		}
	} else if (util_strieq(verb, "DATA")) {
		if (!c->mail)
			demo_reply(c, DEMO_R_DATA_NO_MAIL, NULL);
		else if (c->rcpts == 0)
			demo_reply(c, DEMO_R_DATA_NO_RCPT, NULL);
		else {
			c->in_data = true;
			c->mid_line = false;
			c->data_bytes = 0;
			demo_reply(c, DEMO_R_DATA_GO, NULL);
		}
	} else if (util_strieq(verb, "RSET")) {
		c->mail = false;
		c->rcpts = 0;
		demo_reply(c, DEMO_R_RSET, NULL);
	} else if (util_strieq(verb, "NOOP")) {
		demo_reply(c, DEMO_R_NOOP, NULL);
	} else if (util_strieq(verb, "VRFY")) {
		demo_reply(c, *rest ? DEMO_R_VRFY : DEMO_R_VRFY_SYNTAX, NULL);
	} else if (util_strieq(verb, "EXPN")) {
		demo_reply(c, DEMO_R_EXPN, NULL);
	} else if (util_strieq(verb, "HELP")) {
		demo_reply(c, DEMO_R_HELP, NULL);
	} else if (util_strieq(verb, "QUIT")) {
		demo_reply(c, DEMO_R_QUIT, NULL);
		c->closing = true;
	} else if (util_strieq(verb, "STARTTLS")) {
		if (*rest)
			demo_reply(c, DEMO_R_STARTTLS_SYNTAX, NULL);
		else if (c->tls)
			demo_reply(c, DEMO_R_STARTTLS_ACTIVE, NULL);
		else if (c->srv->tls == NULL)
			demo_reply(c, DEMO_R_STARTTLS_NONE, NULL);
		else {
			demo_reply(c, DEMO_R_STARTTLS_GO, NULL);
			c->tls_next = true;
		}
	} else if (util_strieq(verb, "AUTH") ||
		   util_strieq(verb, "BDAT") || util_strieq(verb, "ETRN") ||
		   util_strieq(verb, "TURN") || util_strieq(verb, "ATRN")) {
		demo_reply(c, DEMO_R_NOT_IMPLEMENTED, NULL);
	} else {
		demo_reply(c, DEMO_R_UNKNOWN, NULL);
	}
}

/* One line of message content (terminator stripped). */
static void demo_data_line(struct demo_conn *c, const char *line, size_t len,
			   bool complete)
{
	bool start = !c->mid_line;

	c->mid_line = !complete;
	if (start && complete && len == 1 && line[0] == '.') {
		char id[32];
		bool too_big = c->srv->sc->size_max && c->data_bytes > c->srv->sc->size_max;

		c->in_data = false;
		c->mail = false;
		c->rcpts = 0;
		demo_log(c->srv, c, "message of %llu bytes received", c->data_bytes);
		if (too_big) {
			demo_reply(c, DEMO_R_DOT_TOO_BIG, NULL);
			return;
		}
		snprintf(id, sizeof id, "DEMO%05lX", ++c->srv->queued);
		demo_reply(c, DEMO_R_DOT_OK, id);
		return;
	}
	if (start && len > 0 && line[0] == '.')
		len--; /* RFC 5321 4.5.2: remove the stuffed dot */
	c->data_bytes += len + (complete ? 2 : 0);
}

static void demo_process(struct demo_conn *c)
{
	size_t off = 0;

	while (off < c->in.len && !c->closing && !c->tls_next) {
		char *p = c->in.data + off;
		char *nl = memchr(p, '\n', c->in.len - off);
		size_t len;

		if (nl == NULL) {
			size_t left = c->in.len - off;
			if (left <= DEMO_MAX_COMMAND)
				break;
			/* An over-long line: answer once, then skip to its LF. */
			if (c->in_data)
				demo_data_line(c, p, left, false);
			else if (!c->discarding) {
				demo_reply(c, DEMO_R_LINE_TOO_LONG, NULL);
				c->discarding = true;
			}
			off = c->in.len;
			break;
		}
		len = (size_t)(nl - p);
		off += len + 1;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (c->in_data) {
			demo_data_line(c, p, len, true);
		} else if (c->discarding) {
			c->discarding = false;
		} else {
			p[len] = '\0';
			demo_command(c, p);
		}
	}
	if (c->tls_next && off < c->in.len) {
		/* RFC 3207 4.2 (and CVE-2011-0411): whatever the client sent
		 * after STARTTLS in plaintext is thrown away. */
		demo_log(c->srv, c, "discarded %zu bytes sent after STARTTLS", c->in.len - off);
		off = c->in.len;
	}
	buf_consume(&c->in, off);
}

static void demo_on_idle(void *ctx)
{
	struct demo_conn *c = ctx;

	c->timer = 0;
	demo_reply(c, DEMO_R_TIMEOUT, NULL);
	c->closing = true;
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
	demo_log(c->srv, c, "TLS established (%s)", tls_protocol(c->tls));
	if (c->implicit_greeting) {
		c->implicit_greeting = false;
		demo_reply(c, DEMO_R_GREETING, NULL);
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
		demo_close(c, "cannot start TLS");
		return;
	}
	stream_push(c->st, &tls_stream_ops, c->tls);
	c->hs = true;
	c->helo = c->mail = false;
	c->rcpts = 0;
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
			demo_close(c, st == STREAM_EOF ? "client closed" : "read error");
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
	d->conns = xgrow(d->conns, &d->cap, d->nconns + 1, sizeof *d->conns);
	d->conns[d->nconns++] = c;
	loop_watch(d->loop, cfd, POLLIN, demo_on_io, c);
	if (d->nconns > DEMO_MAX_CLIENTS) {
		demo_log(d, c, "refused: already %d clients", DEMO_MAX_CLIENTS);
		demo_reply(c, DEMO_R_TOO_MANY, NULL);
		c->closing = true;
	} else if (fd == d->implicit_fd) {
		demo_log(d, c, "connected (implicit TLS)");
		c->implicit_greeting = true;
		c->timer = loop_timer(d->loop, DEMO_IDLE_TIMEOUT_MS, demo_on_idle, c);
		demo_tls_start(c);
		return;
	} else {
		demo_log(d, c, "connected");
		demo_reply(c, DEMO_R_GREETING, NULL);
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
	if (!transport_parse_target(spec, "0", &t, err))
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(t.host, t.port, &hints, &ai);
	if (rc != 0) {
		*err = xasprintf("cannot listen on %s: %s", spec, gai_strerror(rc));
		transport_target_free(&t);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
		*err = xasprintf("cannot listen on %s: %s", spec, strerror(errno));
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
	loop_unwatch(d->loop, d->listen_fd);
	close(d->listen_fd);
	if (d->implicit_fd >= 0) {
		loop_unwatch(d->loop, d->implicit_fd);
		close(d->implicit_fd);
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
		*err = xasprintf("cannot start the demo server: %s", strerror(errno));
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
		*err = xstrdup("cannot start the demo server thread");
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
