/* batch: line-mode front-end. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpscope/batch.h"
#include "smtpscope/cmd.h"
#include "smtpscope/loop.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

/* Longest input line accepted from stdin; longer ones are split. */
#define BATCH_MAX_LINE (1024 * 1024)

struct batch {
	const struct batch_options *opt;
	struct loop *loop;
	struct session *session;
	struct client *client;
	struct cmd_ctx ctx;
	struct buf in;        /* unread input */
	bool in_eof;
	bool done;
	bool out_failed;
	bool eof_quit_sent;
	struct buf message;   /* /data lines collected so far */
	struct buf print;
};

static void batch_write(struct batch *b, const char *p, size_t n)
{
	while (n > 0 && !b->out_failed) {
		ssize_t w = write(b->opt->out_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			b->out_failed = true; /* e.g. a closed pipe: keep going */
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void batch_on_event(void *ctx, const struct session_event *ev)
{
	struct batch *b = ctx;

	buf_clear(&b->print);
	printer_event(&b->opt->print, ev, &b->print);
	batch_write(b, b->print.data, b->print.len);
}

static void batch_on_stdin(void *ctx, int fd, short revents)
{
	struct batch *b = ctx;
	char chunk[8192];
	ssize_t n;

	(void)revents;
	n = read(fd, chunk, sizeof chunk);
	if (n > 0)
		buf_add(&b->in, chunk, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		b->in_eof = true;
}

/* Takes the next complete input line (or the unterminated rest at EOF). */
static char *batch_next_line(struct batch *b)
{
	char *nl = memchr(b->in.data ? b->in.data : "", '\n', b->in.len);
	size_t len;
	char *line;

	if (nl)
		len = (size_t)(nl - b->in.data);
	else if (b->in.len >= BATCH_MAX_LINE || (b->in_eof && b->in.len > 0))
		len = b->in.len < BATCH_MAX_LINE ? b->in.len : BATCH_MAX_LINE;
	else
		return NULL;
	line = xmemdup(b->in.data, len);
	buf_consume(&b->in, nl ? len + 1 : len);
	util_chomp(line, len);
	return line;
}

static void batch_message_line(struct batch *b, const char *line)
{
	if (strcmp(line, ".") == 0) {
		b->ctx.message_mode = false;
		client_send_message(b->client, b->message.data ? b->message.data : "",
				    b->message.len, "typed message");
		buf_clear(&b->message);
		return;
	}
	buf_adds(&b->message, line);
	buf_addc(&b->message, '\n');
}

static void batch_line(struct batch *b, const char *line)
{
	if (b->ctx.message_mode) {
		batch_message_line(b, line);
	} else if (smtp_state(client_smtp(b->client)) == SMTP_DATA &&
		   client_conn(b->client) == CLIENT_UP) {
		if (strcmp(line, ".") == 0)
			client_data_end(b->client);
		else
			client_data_line(b->client, line);
	} else if (line[0] == '\0' && b->opt->interactive) {
		/* An empty line at a terminal is a slip of the finger. */
	} else {
		cmd_input(&b->ctx, line);
	}
}

/* End of input: finish politely. */
static void batch_at_eof(struct batch *b)
{
	struct smtp *smtp = client_smtp(b->client);

	if (b->ctx.message_mode) {
		session_text(b->session, SESSION_WARN,
			     "input ended inside /data: the unfinished message was not sent");
		b->ctx.message_mode = false;
		buf_clear(&b->message);
	}
	if (client_conn(b->client) == CLIENT_UP && !b->eof_quit_sent &&
	    !smtp_closing(smtp) && smtp_state(smtp) != SMTP_QUITTING) {
		b->eof_quit_sent = true;
		if (smtp_state(smtp) == SMTP_DATA) {
			client_close(b->client, "input ended in the middle of a message; it was not ended, so it is not delivered");
		} else {
			session_text(b->session, SESSION_NOTE, "end of input: sending QUIT");
			client_command(b->client, "QUIT");
		}
		return;
	}
	b->done = true;
}

static void batch_step(struct batch *b)
{
	char *line;
	bool idle = !client_busy(b->client);
	bool watch_in;

	if (b->ctx.quit && idle) {
		if (client_conn(b->client) == CLIENT_UP)
			client_close(b->client, NULL);
		b->done = true;
		return;
	}
	if (idle && (line = batch_next_line(b)) != NULL) {
		batch_line(b, line);
		free(line);
		return;
	}
	if (idle && b->in_eof) {
		batch_at_eof(b);
		if (b->done)
			return;
	}
	watch_in = idle && !b->in_eof && !b->ctx.quit;
	loop_set_events(b->loop, b->opt->in_fd, watch_in ? POLLIN : 0);
	loop_once(b->loop, -1);
}

int batch_exit_status(const struct client *c)
{
	static const struct { enum smtp_stage st; int code; } order[] = {
		{ SMTP_STAGE_GREETING, BATCH_EXIT_GREETING },
		{ SMTP_STAGE_HELO, BATCH_EXIT_HELO },
		{ SMTP_STAGE_TLS, BATCH_EXIT_TLS },
		{ SMTP_STAGE_AUTH, BATCH_EXIT_AUTH },
		{ SMTP_STAGE_MAIL, BATCH_EXIT_MAIL },
		{ SMTP_STAGE_RCPT, BATCH_EXIT_RCPT },
		{ SMTP_STAGE_DATA, BATCH_EXIT_DATA },
		{ SMTP_STAGE_DOT, BATCH_EXIT_DOT },
	};
	const struct smtp *s = client_smtp(c);
	size_t i;

	if (client_failure(c) == CLIENT_FAIL_CONNECT)
		return BATCH_EXIT_CONNECT;
	for (i = 0; i < UTIL_ARRAY_LEN(order); i++)
		if (smtp_stage_failed(s, order[i].st))
			return order[i].code;
	if (client_failure(c) != CLIENT_FAIL_NONE)
		return BATCH_EXIT_LOST;
	return BATCH_EXIT_OK;
}

const char *batch_exit_name(int status)
{
	switch (status) {
	case BATCH_EXIT_OK: return "success";
	case BATCH_EXIT_INTERNAL: return "internal error";
	case BATCH_EXIT_USAGE: return "usage error";
	case BATCH_EXIT_CONNECT: return "could not connect";
	case BATCH_EXIT_LOST: return "connection lost or server silent";
	case BATCH_EXIT_GREETING: return "greeting refused";
	case BATCH_EXIT_HELO: return "EHLO/HELO refused";
	case BATCH_EXIT_MAIL: return "MAIL refused";
	case BATCH_EXIT_RCPT: return "no recipient accepted";
	case BATCH_EXIT_DATA: return "DATA refused";
	case BATCH_EXIT_DOT: return "message refused after the final dot";
	case BATCH_EXIT_TLS: return "TLS failed";
	case BATCH_EXIT_AUTH: return "authentication failed";
	default: return "?";
	}
}

int batch_run(const struct batch_options *o)
{
	struct batch b;
	int status;

	memset(&b, 0, sizeof b);
	b.opt = o;
	buf_init(&b.in);
	buf_init(&b.message);
	buf_init(&b.print);
	b.loop = loop_new();
	b.session = session_new(NULL);
	session_set_listener(b.session, batch_on_event, &b);
	b.client = client_new(b.loop, b.session, &o->client);
	b.ctx.client = b.client;
	b.ctx.session = b.session;
	b.ctx.default_port = o->default_port;
	b.ctx.kb = o->print.kb;
	loop_watch(b.loop, o->in_fd, POLLIN, batch_on_stdin, &b);
	if (o->intro)
		session_text(b.session, SESSION_NOTE, "%s", o->intro);
	if (o->target) {
		char *err = NULL;
		if (!client_connect(b.client, o->target, o->default_port, &err)) {
			session_text(b.session, SESSION_ERROR, "%s", err);
			free(err);
		}
	}
	while (!b.done)
		batch_step(&b);
	status = batch_exit_status(b.client);
	if (status != BATCH_EXIT_OK)
		session_text(b.session, SESSION_NOTE, "exit status %d: %s", status,
			     batch_exit_name(status));
	client_free(b.client);
	session_free(b.session);
	loop_free(b.loop);
	buf_free(&b.in);
	buf_free(&b.message);
	buf_free(&b.print);
	return status;
}
