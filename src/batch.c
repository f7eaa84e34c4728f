/* batch: line-mode front-end. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpscope/batch.h"
#include "smtpscope/export.h"
#include "smtpscope/front.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

struct batch {
	const struct front_options *opt;
	struct front f;
	bool out_failed;
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
	if (b->opt->json)
		export_jsonl_line(b->f.session, &b->opt->print, ev, &b->print);
	else
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
		front_add_input(&b->f, chunk, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		b->f.in_eof = true;
}

static void batch_step(struct batch *b)
{
	bool watch_in;

	/* After a TLS failure the connection is closed and nothing more is
	 * sent: the rest of the input was meant for a secure channel. */
	if (front_idle(&b->f) && client_failure(b->f.client) == CLIENT_FAIL_TLS &&
	    client_conn(b->f.client) != CLIENT_UP) {
		session_text(b->f.session, SESSION_NOTE,
			     _("TLS failed: the rest of the input is not sent"));
		b->f.done = true;
		return;
	}
	if (front_work(&b->f))
		return;
	watch_in = front_idle(&b->f) && !b->f.in_eof && !b->f.ctx.quit;
	if (b->opt->in_fd >= 0)
		loop_set_events(b->f.loop, b->opt->in_fd, watch_in ? POLLIN : 0);
	loop_once(b->f.loop, -1);
}

/* A reply without a valid code is never a stage's success or failure
 * (RFC 5321 4.2: treat it as a failure), so it has a status of its own. */
static bool batch_malformed_reply(const struct session *s)
{
	size_t i, n = session_count(s);

	for (i = 0; i < n; i++) {
		const struct session_event *ev = session_get(s, i);

		if (ev->kind == SESSION_REPLY && !ev->reply->valid)
			return true;
	}
	return false;
}

int batch_exit_status(const struct front *f, bool local)
{
	const struct client *c = f->client;
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

	if (f->exit_status)
		return f->exit_status;
	if (client_failure(c) == CLIENT_FAIL_CONNECT)
		return BATCH_EXIT_CONNECT;
	if (local && f->ctx.failures > 0)
		return BATCH_EXIT_LOCAL;
	if (batch_malformed_reply(f->session))
		return BATCH_EXIT_MALFORMED;
	for (i = 0; i < UTIL_ARRAY_LEN(order); i++)
		if (smtp_stage_failed(s, order[i].st))
			return order[i].code;
	if (client_failure(c) != CLIENT_FAIL_NONE)
		return BATCH_EXIT_LOST;
	if (smtp_refused_recipients(s) > 0)
		return BATCH_EXIT_PARTIAL;
	return BATCH_EXIT_OK;
}

const char *batch_exit_name(int status)
{
	switch (status) {
	case BATCH_EXIT_OK: return _("success");
	case BATCH_EXIT_INTERNAL: return _("internal error");
	case BATCH_EXIT_USAGE: return _("usage error");
	case BATCH_EXIT_CONNECT: return _("could not connect");
	case BATCH_EXIT_LOST: return _("connection lost or server silent");
	case BATCH_EXIT_LOCAL: return _("a local command or input line failed (see the *** lines)");
	case BATCH_EXIT_MALFORMED: return _("the server sent a malformed reply (no valid reply code; see the !!! lines)");
	case BATCH_EXIT_GREETING: return _("greeting refused");
	case BATCH_EXIT_HELO: return _("EHLO/HELO refused");
	case BATCH_EXIT_MAIL: return _("MAIL refused");
	case BATCH_EXIT_RCPT: return _("no recipient accepted");
	case BATCH_EXIT_DATA: return _("DATA refused");
	case BATCH_EXIT_DOT: return _("message refused after the final dot");
	case BATCH_EXIT_TLS: return _("TLS failed");
	case BATCH_EXIT_AUTH: return _("authentication failed");
	case BATCH_EXIT_PARTIAL: return _("some recipients were refused (see the recipient summary)");
	default: return "?";
	}
}

static void batch_on_signal(void *ctx, int signo)
{
	struct batch *b = ctx;

	front_signalled(&b->f, signo);
}

int batch_run(const struct front_options *o)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct batch b;
	int status;

	memset(&b, 0, sizeof b);
	b.opt = o;
	buf_init(&b.print);
	front_init(&b.f, o, batch_on_event, &b);
	if (o->in_fd >= 0)
		loop_watch(b.f.loop, o->in_fd, POLLIN, batch_on_stdin, &b);
	else
		b.f.in_eof = true; /* no input lines: a one-shot transaction */
	loop_signals(b.f.loop, sigs, (int)UTIL_ARRAY_LEN(sigs), batch_on_signal, &b);
	front_start(&b.f, o);
	while (!b.f.done)
		batch_step(&b);
	status = batch_exit_status(&b.f, true);
	if (client_was_insecure(b.f.client))
		session_text(b.f.session, SESSION_WARN,
			     _("INSECURE: this session used TLS with a certificate that was NOT verified (--insecure)"));
	if (status != BATCH_EXIT_OK)
		session_text(b.f.session, SESSION_NOTE, _("exit status %d: %s"), status,
			     batch_exit_name(status));
	if (o->save) {
		char *err = NULL;

		if (export_save(b.f.session, &o->print, o->save, &err)) {
			session_text(b.f.session, SESSION_NOTE, _("session saved to %s"), o->save);
		} else {
			session_text(b.f.session, SESSION_ERROR, "%s", err);
			free(err);
			if (status == BATCH_EXIT_OK)
				status = BATCH_EXIT_INTERNAL;
		}
	}
	front_free(&b.f);
	buf_free(&b.print);
	return status;
}
