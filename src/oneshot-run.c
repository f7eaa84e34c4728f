/* oneshot-run: a one-shot plan run by the front-end, step by step once
 * the replies are in (oneshot_feed), each stage's outcome checked; and the
 * message itself: --data as it is (text, a file, standard input) or the
 * message /compose builds, read and encoded piece by piece as the socket
 * drains, so a 50 MB body file is never in memory. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smtpscope/batch.h"
#include "smtpscope/compose.h"
#include "smtpscope/i18n.h"
#include "smtpscope/oneshot.h"
#include "smtpscope/util.h"

/* Standard input given as the body: read whole, up to this. */
#define ONESHOT_MAX_STDIN (64UL * 1024 * 1024)
#define ONESHOT_CHUNK 65536

struct oneshot_run {
	struct oneshot_plan *plan;
	size_t next;         /* the step to run next */
	unsigned checks;     /* the stages the last step decides */
	bool connected;      /* a connection is (or was) asked for */
	bool done;
	size_t failures;     /* the command context's, before the step */
};

struct oneshot_run *oneshot_run_new(struct oneshot_plan *plan)
{
	struct oneshot_run *r = xcalloc(1, sizeof *r);

	r->plan = plan;
	r->connected = plan->has_target;
	if (plan->has_target)
		r->checks = 1u << SMTP_STAGE_GREETING;
	return r;
}

void oneshot_run_free(struct oneshot_run *r)
{
	free(r);
}

/* ---- the message -------------------------------------------------------- */

/* "\n" in a text given on the command line is a line break (as swaks
 * reads it); "@@..." is the text "@...". */
static char *oneshot_text(const char *arg, size_t *len)
{
	struct buf b;

	buf_init(&b);
	if (arg[0] == '@' && arg[1] == '@')
		arg++;
	for (const char *p = arg; *p; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			buf_addc(&b, '\n');
			p++;
		} else {
			buf_addc(&b, *p);
		}
	}
	*len = b.len;
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* Where a composed message is in its reading. */
enum oneshot_phase { ONESHOT_HEAD, ONESHOT_BODY, ONESHOT_PART_HEAD, ONESHOT_PART, ONESHOT_TAIL,
		     ONESHOT_END };

/* A composed message as a client_source. */
struct oneshot_msg {
	struct session *session;
	size_t *failures;        /* the command context's: a read error counts */
	struct compose_options co;
	const char *to[ONESHOT_MAX_RCPT];
	struct compose_part parts[ONESHOT_MAX_LIST];
	const char *paths[ONESHOT_MAX_LIST];
	char unique[64];
	char *body_mem;          /* the text (default, given, standard input) */
	size_t body_len;
	const char *body_path;   /* or the file it is read from */
	bool seven;
	enum oneshot_phase phase;
	size_t part;
	int fd;
	struct compose_enc enc;
	struct buf out;          /* encoded, not yet read */
	size_t off;
	char chunk[ONESHOT_CHUNK];
};

static void oneshot_msg_done(void *arg)
{
	struct oneshot_msg *m = arg;

	if (m->fd >= 0)
		close(m->fd);
	buf_free(&m->out);
	free(m->body_mem);
	free(m);
}

static bool oneshot_msg_fail(struct oneshot_msg *m, const char *path, int err)
{
	session_text(m->session, SESSION_ERROR, _("reading %s failed: %s"), path, strerror(err));
	(*m->failures)++;
	return false;
}

/* The next piece of a file through the encoder; at its end the encoder's
 * last octets and true in *end. */
static bool oneshot_msg_file(struct oneshot_msg *m, const char *path, bool *end)
{
	ssize_t n;

	do
		n = read(m->fd, m->chunk, sizeof m->chunk);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return oneshot_msg_fail(m, path, errno);
	*end = n == 0;
	if (n > 0) {
		compose_enc_add(&m->enc, m->chunk, (size_t)n, &m->out);
		return true;
	}
	compose_enc_end(&m->enc, &m->out);
	close(m->fd);
	m->fd = -1;
	return true;
}

/* Makes the next piece of the message; false at its end or on an error
 * (m->fd is then closed by done). */
static bool oneshot_msg_step(struct oneshot_msg *m)
{
	bool end = false;

	switch (m->phase) {
	case ONESHOT_HEAD:
		compose_head(&m->co, m->seven, &m->out);
		compose_enc_init(&m->enc, true, !m->seven);
		if (m->body_path && (m->fd = open(m->body_path, O_RDONLY | O_CLOEXEC)) < 0)
			return oneshot_msg_fail(m, m->body_path, errno);
		m->phase = ONESHOT_BODY;
		return true;
	case ONESHOT_BODY:
		if (m->body_path && !oneshot_msg_file(m, m->body_path, &end))
			return false;
		if (!m->body_path) {
			compose_enc_add(&m->enc, m->body_mem, m->body_len, &m->out);
			compose_enc_end(&m->enc, &m->out);
			end = true;
		}
		if (end)
			m->phase = ONESHOT_PART_HEAD;
		return true;
	case ONESHOT_PART_HEAD:
		if (m->part == m->co.nparts) {
			m->phase = ONESHOT_TAIL;
			return true;
		}
		compose_part_head(&m->co, m->part, &m->out);
		compose_enc_init(&m->enc, false, true);
		if ((m->fd = open(m->paths[m->part], O_RDONLY | O_CLOEXEC)) < 0)
			return oneshot_msg_fail(m, m->paths[m->part], errno);
		m->phase = ONESHOT_PART;
		return true;
	case ONESHOT_PART:
		if (!oneshot_msg_file(m, m->paths[m->part], &end))
			return false;
		if (end) {
			m->part++;
			m->phase = ONESHOT_PART_HEAD;
		}
		return true;
	case ONESHOT_TAIL:
		compose_tail(&m->co, &m->out);
		m->phase = ONESHOT_END;
		return true;
	case ONESHOT_END:
		break;
	}
	return false;
}

static size_t oneshot_msg_read(void *arg, char *p, size_t n)
{
	struct oneshot_msg *m = arg;
	size_t take;

	while (m->off == m->out.len) {
		buf_clear(&m->out);
		m->off = 0;
		if (m->phase == ONESHOT_END)
			return 0;
		if (!oneshot_msg_step(m))
			return CLIENT_SOURCE_ERROR;
	}
	take = m->out.len - m->off < n ? m->out.len - m->off : n;
	memcpy(p, m->out.data + m->off, take);
	m->off += take;
	return take;
}

/* The body's encoded size and whether it goes as 7bit, from one pass
 * over it (a file is read through once, in pieces). */
static bool oneshot_msg_scan(struct oneshot_msg *m, unsigned long long *size)
{
	struct compose_scan scan = { 0, false };
	struct compose_enc count;
	ssize_t n;
	int fd;

	compose_enc_init(&count, true, false);
	if (m->body_path == NULL) {
		compose_scan_add(&scan, m->body_mem, m->body_len);
		compose_enc_add(&count, m->body_mem, m->body_len, NULL);
	} else if ((fd = open(m->body_path, O_RDONLY | O_CLOEXEC)) < 0) {
		return oneshot_msg_fail(m, m->body_path, errno);
	} else {
		while ((n = read(fd, m->chunk, sizeof m->chunk)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				int e = errno;

				close(fd);
				return oneshot_msg_fail(m, m->body_path, e);
			}
			compose_scan_add(&scan, m->chunk, (size_t)n);
			compose_enc_add(&count, m->chunk, (size_t)n, NULL);
		}
		close(fd);
	}
	compose_enc_end(&count, NULL);
	m->seven = !scan.not_7bit;
	*size = m->seven ? count.count : compose_b64_size(count.count);
	return true;
}

/* The message's header block (head: compose_head's, up to its first
 * blank line), without CRs, for review before the message goes. */
static void oneshot_msg_show(struct oneshot_msg *m, const struct buf *head, unsigned long long size)
{
	const char *end = strstr(head->data, "\r\n\r\n");
	struct buf t;

	buf_init(&t);
	for (const char *p = head->data; end && p < end; p++)
		if (*p != '\r')
			buf_addc(&t, *p);
	session_text(m->session, SESSION_NOTE,
		     _("composed message, %llu octets, read and sent piece by piece; its header:\n%s"),
		     size, t.data ? t.data : "");
	buf_free(&t);
}

/* The message's whole size, and its header block shown before it goes. */
static bool oneshot_msg_size(struct oneshot_msg *m, unsigned long long *size)
{
	struct buf b;
	struct stat st;

	if (!oneshot_msg_scan(m, size))
		return false;
	buf_init(&b);
	for (size_t i = 0; i < m->co.nparts; i++) {
		if (stat(m->paths[i], &st) != 0) {
			buf_free(&b);
			return oneshot_msg_fail(m, m->paths[i], errno);
		}
		compose_part_head(&m->co, i, &b);
		*size += compose_b64_size((unsigned long long)st.st_size);
	}
	compose_tail(&m->co, &b);
	*size += b.len;
	buf_clear(&b);
	compose_head(&m->co, m->seven, &b);
	*size += b.len;
	oneshot_msg_show(m, &b, *size);
	buf_free(&b);
	return true;
}

/* The message /compose would build from the options, as a source. */
static struct oneshot_msg *oneshot_msg_new(const struct oneshot_plan *p, struct front *f)
{
	const struct oneshot_options *o = p->opt;
	struct oneshot_msg *m = xcalloc(1, sizeof *m);

	m->session = f->session;
	m->failures = &f->ctx.failures;
	m->fd = -1;
	buf_init(&m->out);
	for (size_t i = 0; i < p->nrcpt; i++)
		m->to[i] = p->rcpt[i];
	m->co.to = m->to;
	m->co.nto = p->nrcpt;
	m->co.from = p->from[0] ? p->from : "smtpscope@smtpscope.invalid";
	m->co.headers = o->headers.v;
	m->co.nheaders = o->headers.n;
	m->co.add_headers = o->add_headers.v;
	m->co.nadd_headers = o->add_headers.n;
	for (size_t i = 0; i < o->attach.n; i++) {
		const char *path = o->attach.v[i][0] == '@' ? o->attach.v[i] + 1 : o->attach.v[i];
		const char *slash = strrchr(path, '/');

		m->paths[i] = path;
		m->parts[i].name = slash ? slash + 1 : path;
	}
	m->co.parts = m->parts;
	m->co.nparts = o->attach.n;
	m->co.date = time(NULL);
	cmd_compose_unique(m->unique, sizeof m->unique);
	m->co.unique = m->unique;
	if (o->body && o->body[0] == '@' && o->body[1] != '@') {
		m->body_path = o->body + 1;
	} else if (o->body && strcmp(o->body, "-") == 0) {
		struct buf in;

		buf_init(&in);
		if (!util_read_file("-", ONESHOT_MAX_STDIN, &in) || in.len > ONESHOT_MAX_STDIN) {
			session_text(f->session, SESSION_ERROR,
				     _("--body -: standard input could not be read, or is over %lu octets "
				       "(give --body @FILE)"), ONESHOT_MAX_STDIN);
			f->ctx.failures++;
			buf_free(&in);
			oneshot_msg_done(m);
			return NULL;
		}
		m->body_len = in.len;
		m->body_mem = in.data ? buf_steal(&in) : xstrdup("");
	} else if (o->body) {
		m->body_mem = oneshot_text(o->body, &m->body_len);
	} else {
		m->body_mem = xstrdup(COMPOSE_DEFAULT_BODY);
		m->body_len = strlen(m->body_mem);
	}
	return m;
}

/* Standard input as the message (--data -), read as the socket drains. */
static size_t oneshot_stdin_read(void *arg, char *p, size_t n)
{
	struct oneshot_msg *m = arg;
	ssize_t r;

	do
		r = read(STDIN_FILENO, p, n);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		return (size_t)r;
	oneshot_msg_fail(m, _("standard input"), errno);
	return CLIENT_SOURCE_ERROR;
}

static bool oneshot_message(const struct oneshot_plan *p, struct front *f)
{
	const char *data = p->opt->data;
	unsigned long long size;
	struct oneshot_msg *m;
	char *err = NULL;

	if (data && strcmp(data, "-") == 0) {
		m = xcalloc(1, sizeof *m);
		m->session = f->session;
		m->failures = &f->ctx.failures;
		m->fd = -1;
		client_send_source(f->client, &(struct client_source){ oneshot_stdin_read,
				   oneshot_msg_done, m }, 0, _("standard input"));
	} else if (data && data[0] == '@' && data[1] != '@') {
		if (!client_send_file(f->client, data + 1, &err)) {
			session_text(f->session, SESSION_ERROR, "%s", err);
			free(err);
			f->ctx.failures++;
		}
	} else if (data) {
		size_t len;
		char *text = oneshot_text(data, &len);

		client_send_message(f->client, text, len, "--data");
		free(text);
	} else if ((m = oneshot_msg_new(p, f)) != NULL) {
		if (!oneshot_msg_size(m, &size)) {
			oneshot_msg_done(m);
			return true;
		}
		client_send_source(f->client, &(struct client_source){ oneshot_msg_read,
				   oneshot_msg_done, m }, size, _("composed message"));
	}
	return true;
}

/* ---- the steps ---------------------------------------------------------- */

static const char *oneshot_stop_name(enum oneshot_stop s)
{
	static const char *const names[] = {
		[ONESHOT_STOP_CONNECT] = "CONNECT", [ONESHOT_STOP_FIRST_HELO] = "FIRST-EHLO",
		[ONESHOT_STOP_TLS] = "TLS", [ONESHOT_STOP_HELO] = "EHLO", [ONESHOT_STOP_AUTH] = "AUTH",
		[ONESHOT_STOP_MAIL] = "MAIL", [ONESHOT_STOP_RCPT] = "RCPT", [ONESHOT_STOP_DATA] = "DATA",
		[ONESHOT_STOP_DOT] = "DOT",
	};

	return (size_t)s < UTIL_ARRAY_LEN(names) && names[s] ? names[s] : "?";
}

static const char *oneshot_stage_name(enum smtp_stage st)
{
	static const char *const names[] = {
		[SMTP_STAGE_GREETING] = N_("the greeting was not 2xx"),
		[SMTP_STAGE_HELO] = N_("EHLO/HELO was refused"),
		[SMTP_STAGE_TLS] = N_("TLS failed"),
		[SMTP_STAGE_AUTH] = N_("AUTH failed"),
		[SMTP_STAGE_MAIL] = N_("MAIL was refused"),
		[SMTP_STAGE_RCPT] = N_("no recipient was accepted"),
		[SMTP_STAGE_DATA] = N_("DATA was refused"),
		[SMTP_STAGE_DOT] = N_("the message was refused"),
	};

	return (size_t)st < UTIL_ARRAY_LEN(names) ? _(names[st]) : "?";
}

/* Ends the plan early: QUIT (the connection closed when a 354 is in hand,
 * since QUIT would be message content); in the terminal UI the session
 * stays open for the person to go on. */
static bool oneshot_stop(struct oneshot_run *r, struct front *f, const char *why)
{
	struct smtp *s = client_smtp(f->client);

	r->done = true;
	if (r->plan->opt->interactive) {
		session_text(f->session, SESSION_NOTE,
			     _("one-shot transaction stopped: %s; the session stays open"), why);
		return false;
	}
	if (client_conn(f->client) != CLIENT_UP || smtp_closing(s) || smtp_state(s) == SMTP_QUITTING)
		return false;
	if (smtp_state(s) == SMTP_DATA) {
		client_close(f->client, why);
		return true;
	}
	session_text(f->session, SESSION_NOTE, _("one-shot transaction stopped: %s; sending QUIT"), why);
	front_queue_line(f, "QUIT");
	return true;
}

/* Whether a step runs now; a note when one is passed over for a reason
 * worth saying. */
static bool oneshot_when(const struct oneshot_step *st, struct front *f)
{
	const struct smtp *s = client_smtp(f->client);
	bool pipelining = caps_has(smtp_caps(s), CAP_PIPELINING);

	switch (st->when) {
	case ONESHOT_ALWAYS:
		return true;
	case ONESHOT_IF_STARTTLS:
		if (caps_has(smtp_caps(s), CAP_STARTTLS))
			return true;
		session_text(f->session, SESSION_NOTE,
			     _("the server did not offer STARTTLS: going on without TLS (--tls-optional)"));
		return false;
	case ONESHOT_IF_TLS:
		return smtp_tls(s);
	case ONESHOT_IF_PIPELINING:
		if (!pipelining)
			session_text(f->session, SESSION_NOTE,
				     _("the server did not offer PIPELINING: MAIL, RCPT and DATA go one at a "
				       "time (--pipeline)"));
		return pipelining;
	case ONESHOT_UNLESS_PIPELINING:
		return !pipelining;
	case ONESHOT_IF_HELLO_REFUSED:
		if (!smtp_stage_failed(s, SMTP_STAGE_HELO))
			return false;
		session_text(f->session, SESSION_NOTE,
			     _("EHLO was refused: trying HELO instead, as swaks does"));
		return true;
	}
	return false;
}

static bool oneshot_step(struct oneshot_run *r, const struct oneshot_step *st, struct front *f)
{
	switch (st->action) {
	case ONESHOT_LINE:
		front_queue_line(f, st->line);
		return true;
	case ONESHOT_MESSAGE:
		return oneshot_message(r->plan, f);
	case ONESHOT_CLOSE:
		r->done = true;
		if (smtp_state(client_smtp(f->client)) == SMTP_DATA)
			client_close(f->client,
				     _("--quit-after DATA: closing the connection after the 354, since a "
				       "message cannot be taken back once DATA is accepted (QUIT would be "
				       "message content); nothing is delivered"));
		return true;
	case ONESHOT_QUIT:
		if (st->stop != ONESHOT_STOP_NONE)
			session_text(f->session, SESSION_NOTE,
				     _("--quit-after %s: the transaction stops here"), oneshot_stop_name(st->stop));
		front_queue_line(f, "QUIT");
		return true;
	}
	return false;
}

bool oneshot_feed(void *arg, struct front *f)
{
	struct oneshot_run *r = arg;
	const struct smtp *s = client_smtp(f->client);

	if (r->done || f->ctx.auth_pending || client_tls_question(f->client))
		return false;
	for (;;) {
		const struct oneshot_step *st;

		if (r->connected && client_conn(f->client) != CLIENT_UP) {
			/* the end of the connection is the end; an MX lookup
			 * that found no host to connect to is a connect failure */
			if (r->next > 0 && r->plan->steps[r->next - 1].connects &&
			    client_conn(f->client) == CLIENT_IDLE)
				f->exit_status = BATCH_EXIT_CONNECT;
			r->done = true;
			return false;
		}
		if (f->ctx.failures > r->failures)
			return oneshot_stop(r, f, _("a local step failed (the *** line says why)"));
		for (int k = 0; k < SMTP_STAGE__COUNT; k++)
			if ((r->checks & (1u << k)) && smtp_stage_failed(s, (enum smtp_stage)k))
				return oneshot_stop(r, f, oneshot_stage_name((enum smtp_stage)k));
		r->checks = 0;
		if (r->next == r->plan->n) {
			r->done = true;
			return false;
		}
		st = &r->plan->steps[r->next++];
		r->checks = st->checks;
		if (!oneshot_when(st, f))
			continue; /* its checks still apply: the loop looks at them */
		r->connected |= st->connects;
		r->failures = f->ctx.failures;
		return oneshot_step(r, st, f);
	}
}
