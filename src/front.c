/* front: the input queue, message mode and session set-up shared by the
 * batch and TUI front-ends. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/explain.h"
#include "smtpscope/front.h"
#include "smtpscope/guide.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/session.h"
#include "smtpscope/verb.h"

/* Longest input line accepted; longer ones are split. */
#define FRONT_MAX_LINE (1024 * 1024)

/* The diagnosis the knowledge base gives a reply, for the recipient
 * summary. */
static const char *front_diagnose(void *ctx, const struct reply *r, enum smtp_verb verb)
{
	struct explain_ctx ec = { .has_verb = true, .verb = verb };
	struct explanation x;
	const char *id;

	if (ctx == NULL)
		return NULL;
	explain_reply(ctx, r, &ec, &x);
	id = x.diagnosis ? x.diagnosis->id : NULL; /* owned by the kb */
	explain_free(&x);
	return id;
}

void front_init(struct front *f, const struct front_options *o,
		session_listener listener, void *listener_ctx)
{
	memset(f, 0, sizeof *f);
	buf_init(&f->in);
	buf_init(&f->message);
	f->interactive = o->interactive;
	f->loop = loop_new();
	f->session = session_new(NULL);
	session_set_listener(f->session, listener, listener_ctx);
	f->client = client_new(f->loop, f->session, &o->client);
	smtp_set_diagnoser(client_smtp(f->client), front_diagnose, (void *)o->print.kb);
	f->ctx.client = f->client;
	f->ctx.session = f->session;
	f->ctx.default_port = o->default_port;
	f->ctx.kb = o->print.kb;
	f->ctx.relang_kb = o->kb;
	f->ctx.auth_opt = &o->auth;
	f->ctx.demo = o->demo;
	f->ctx.replay = &f->replay;
	f->ctx.loop = f->loop;
	f->ctx.dns_opt = &o->dns;
	f->feed = o->feed;
	f->feed_arg = o->feed_arg;
}

void front_start(struct front *f, const struct front_options *o)
{
	if (o->intro)
		session_text(f->session, SESSION_NOTE, "%s", o->intro);
	if (o->target && o->dane) {
		cmd_connect_dane(&f->ctx, o->target);
	} else if (o->target || o->pipe) {
		char *err = NULL;
		if (o->pipe ? !client_connect_pipe(f->client, o->pipe, &err)
			    : !client_connect(f->client, o->target, o->default_port, &err)) {
			session_text(f->session, SESSION_ERROR, "%s", err);
			free(err);
		}
	}
	if (o->load_kb)
		o->load_kb(o->load_kb_ctx); /* before the loop: no reply is in yet */
	if (o->replay) {
		struct buf cmd;

		/* runs first: typed lines wait until the replay is done */
		buf_init(&cmd);
		buf_printf(&cmd, "%creplay \"", CMD_PREFIX);
		for (const char *p = o->replay; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(&cmd, '\\');
			buf_addc(&cmd, *p);
		}
		buf_adds(&cmd, "\"\n");
		buf_add(&cmd, f->in.data, f->in.len);
		buf_free(&f->in);
		f->in = cmd;
	}
}

void front_free(struct front *f)
{
	cmd_auth_pending_free(&f->ctx);
	cmd_compose_free(&f->ctx);
	cmd_dns_free(&f->ctx);
	client_free(f->client);
	session_free(f->session);
	loop_free(f->loop);
	buf_free(&f->in);
	buf_free(&f->message);
	replay_free(&f->replay);
}

/* The signal that ended the session: one per process, as the signal is */
static volatile sig_atomic_t front_signo;

void front_signalled(struct front *f, int signo)
{
	if (front_signo == 0)
		session_text(f->session, SESSION_NOTE,
			     _("interrupted by signal %d (%s): the session ends here, without QUIT"),
			     signo, strsignal(signo));
	front_signo = signo;
	f->done = true;
}

void front_reraise(void)
{
	int signo = front_signo;

	if (signo == 0)
		return;
	fflush(NULL);
	signal(signo, SIG_DFL);
	raise(signo);
}

bool front_idle(const struct front *f)
{
	return !client_busy(f->client) && !cmd_dns_busy(&f->ctx);
}

void front_add_input(struct front *f, const char *p, size_t n)
{
	buf_add(&f->in, p, n);
}

void front_queue_line(struct front *f, const char *line)
{
	buf_adds(&f->in, line);
	buf_addc(&f->in, '\n');
	/* Typed while replies were awaited: the person has not seen them. */
	if (!front_idle(f))
		f->ahead++;
}


size_t front_queued_lines(const struct front *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->in.len; i++)
		n += f->in.data[i] == '\n';
	return n;
}

void front_drop_queued(struct front *f)
{
	buf_clear(&f->in);
	f->ahead = 0;
}

bool front_queued_secret(const struct front *f)
{
	return f->in.len && (strcasestr(f->in.data, "/auth") || strstr(f->in.data, "AUTH"));
}

void front_replay_step(struct front *f)
{
	if (f->replay.active)
		f->replay.go++;
}

bool front_in_message(const struct front *f)
{
	int64_t waited, limit;

	/* Once the dot is sent the message is over, though the state
	 * changes only with the reply. */
	return f->ctx.message_mode ||
	       (smtp_state(client_smtp(f->client)) == SMTP_DATA &&
		client_conn(f->client) == CLIENT_UP &&
		!client_awaiting_dot(f->client, &waited, &limit));
}

/* Takes the next complete input line (or the unterminated rest at EOF). */
static char *front_next_line(struct front *f)
{
	char *nl = memchr(f->in.data ? f->in.data : "", '\n', f->in.len);
	size_t len;
	char *line;

	if (nl)
		len = (size_t)(nl - f->in.data);
	else if (f->in.len >= FRONT_MAX_LINE || (f->in_eof && f->in.len > 0))
		len = f->in.len < FRONT_MAX_LINE ? f->in.len : FRONT_MAX_LINE;
	else
		return NULL;
	line = xmemdup(f->in.data, len);
	/* The input may hold a secret: wipe it as it is consumed. */
	memset(f->in.data, 0, nl ? len + 1 : len);
	buf_consume(&f->in, nl ? len + 1 : len);
	util_chomp(line, len);
	return line;
}

static void front_message_line(struct front *f, const char *line)
{
	if (strcmp(line, ".") == 0) {
		f->ctx.message_mode = false;
		client_send_message(f->client, f->message.data ? f->message.data : "",
				    f->message.len, _("typed message"));
		buf_clear(&f->message);
		return;
	}
	buf_adds(&f->message, line);
	buf_addc(&f->message, '\n');
}

/* What a line says about a message after a refused DATA: 1 it is the
 * lone "." that ends one, 0 it is a new DATA or BDAT (so the lines before
 * were commands), -1 neither. */
static int front_dot_line(const char *line, size_t len)
{
	char *l;
	int r;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 1 && line[0] == '.')
		return 1;
	if (len > 0 && line[0] == CMD_PREFIX)
		return -1;
	l = xmemdup(line, len);
	r = smtp_verb_of(l) == SMTP_V_DATA || smtp_verb_of(l) == SMTP_V_BDAT ? 0 : -1;
	free(l);
	return r;
}

/* Does a lone "." come (before any new DATA) in the lines still to run:
 * 1 yes, 0 no, -1 not known yet (line mode, more input may come). */
static int front_dot_ahead(const struct front *f, bool replay)
{
	const char *p = f->in.data ? f->in.data : "";
	size_t n = f->in.len;

	if (replay) {
		for (size_t i = f->replay.next; i < f->replay.n; i++) {
			int d = front_dot_line(f->replay.steps[i].line, strlen(f->replay.steps[i].line));
			if (d >= 0)
				return d;
		}
		return 0;
	}
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;
		int d = front_dot_line(p, len);

		if (d >= 0)
			return d;
		if (!nl)
			break;
		n -= len + 1;
		p += len + 1;
	}
	return f->in_eof || f->interactive ? 0 : -1;
}

/* DATA typed as a raw line got no 354 (and the connection is up). */
static bool front_data_refused(const struct front *f)
{
	return f->data_sent && smtp_state(client_smtp(f->client)) != SMTP_DATA &&
	       client_conn(f->client) == CLIENT_UP;
}

/* Lines of a script after a DATA that got no 354, up to a lone ".":
 * message lines, held back so the server never reads them as commands.
 * Returns true if the line was taken.  Only lines the person has not
 * seen the refusal before (line mode, /replay, typed ahead) are held, and
 * only when a lone "." comes before any new DATA. */
static bool front_hold_message(struct front *f, const char *line, bool scripted,
			       bool replay)
{
	int d;

	if (f->holding) {
		if (strcmp(line, ".") != 0) {
			f->held++;
			return true;
		}
		session_text(f->session, SESSION_NOTE,
			     ngettext("the lone \".\" ends the held-back message: %zu line not sent; going on with the next line",
				      "the lone \".\" ends the held-back message: %zu lines not sent; going on with the next line",
				      f->held),
			     f->held);
		f->holding = false;
		return true;
	}
	if (!front_data_refused(f) || !scripted) {
		f->data_sent = false;
		return false;
	}
	f->data_sent = false;
	d = front_dot_line(line, strlen(line));
	if (d < 0)
		d = front_dot_ahead(f, replay);
	if (d != 1)
		return false;
	session_text(f->session, SESSION_WARN,
		     _("DATA got no 354, so the message was not sent: the lines up to the lone \".\" are message lines, held back (not sent as commands)"));
	f->holding = true;
	f->held = 0;
	return front_hold_message(f, line, scripted, replay);
}

static void front_line(struct front *f, const char *line, bool scripted, bool replay)
{
	if (front_hold_message(f, line, scripted, replay))
		return;
	if (f->ctx.auth_pending) {
		cmd_auth_secret(&f->ctx, line);
	} else if (f->ctx.message_mode) {
		front_message_line(f, line);
	} else if (smtp_state(client_smtp(f->client)) == SMTP_DATA &&
		   client_conn(f->client) == CLIENT_UP) {
		if (strcmp(line, ".") == 0)
			client_data_end(f->client);
		else
			client_data_line(f->client, line);
	} else if (line[0] == '\0' && f->interactive) {
		/* An empty line at a terminal is a slip of the finger. */
	} else {
		f->data_sent = line[0] != CMD_PREFIX && smtp_verb_of(line) == SMTP_V_DATA;
		cmd_input(&f->ctx, line);
	}
}

void front_abandon_message(struct front *f, const char *why)
{
	if (f->ctx.message_mode) {
		session_text(f->session, SESSION_WARN,
			     _("%s inside /data: the unfinished message was not sent"), why);
		f->ctx.message_mode = false;
		buf_clear(&f->message);
	} else if (front_in_message(f)) {
		client_close(f->client, _("the message was abandoned in the middle; it was not ended, so it is not delivered"));
	}
}

/* End of input: finish politely. */
static void front_at_eof(struct front *f)
{
	struct smtp *smtp = client_smtp(f->client);

	if (f->ctx.message_mode)
		front_abandon_message(f, _("input ended"));
	if (f->holding) {
		session_text(f->session, SESSION_NOTE,
			     ngettext("input ended before the lone \".\" of the held-back message: %zu line not sent",
				      "input ended before the lone \".\" of the held-back message: %zu lines not sent",
				      f->held),
			     f->held);
		f->holding = false;
	}
	if (f->ctx.auth_pending) {
		session_text(f->session, SESSION_ERROR,
			     _("input ended while /auth waited for the password: nothing was sent (in a script, give it with --password-env VAR or --password-file FILE)"));
		cmd_auth_pending_free(&f->ctx);
		f->ctx.failures++;
	}
	if (client_conn(f->client) == CLIENT_UP && !f->eof_quit_sent &&
	    !smtp_closing(smtp) && smtp_state(smtp) != SMTP_QUITTING) {
		f->eof_quit_sent = true;
		if (smtp_state(smtp) == SMTP_DATA) {
			client_close(f->client, _("input ended in the middle of a message; it was not ended, so it is not delivered"));
		} else {
			session_text(f->session, SESSION_NOTE, _("end of input: sending QUIT"));
			client_command(f->client, "QUIT");
		}
		return;
	}
	f->done = true;
}

/* Runs the next replay step once the replies to the one before are in,
 * after comparing them with the saved ones.  Returns true if it did
 * something. */
static bool front_replay(struct front *f)
{
	struct replay *r = &f->replay;

	if (r->running)
		replay_check(r, f->session);
	if (r->next == r->n) {
		char diffs[128], lines[128], replies[128];

		snprintf(diffs, sizeof diffs, "%s", _("no differences"));
		if (r->differences)
			snprintf(diffs, sizeof diffs,
				 ngettext("%zu difference", "%zu differences", r->differences),
				 r->differences);
		snprintf(lines, sizeof lines, ngettext("%zu line run", "%zu lines run", r->n), r->n);
		snprintf(replies, sizeof replies,
			 ngettext("%zu reply compared", "%zu replies compared", r->compared),
			 r->compared);
		/* TRANSLATORS: the replay's name, then "3 lines run", "2 replies
		 * compared", "no differences" or "1 difference", and maybe
		 * " (redacted lines were left out)" */
		session_text(f->session, r->differences ? SESSION_WARN : SESSION_NOTE,
			     _("replay of %s done: %s, %s, %s%s"), r->name, lines, replies, diffs,
			     r->skipped ? _(" (redacted lines were left out)") : "");
		replay_free(r);
		return true;
	}
	if (r->manual && r->go == 0)
		return false;
	if (r->manual) {
		r->go--;
		session_text(f->session, SESSION_NOTE, _("replay step %zu of %zu"), r->next + 1, r->n);
	}
	r->mark = session_count(f->session);
	r->running = true;
	r->next++;
	front_line(f, r->steps[r->next - 1].line, true, true);
	return true;
}

/* Guided mode: once the replies are in, a hint for the newest one. */
static void front_guide(struct front *f)
{
	size_t i = session_count(f->session);
	const struct session_event *ev = NULL;
	struct buf b;

	while (i > f->guided && ev == NULL) {
		const struct session_event *e = session_get(f->session, --i);

		if (e->kind == SESSION_REPLY)
			ev = e;
	}
	if (ev == NULL)
		return;
	f->guided = session_count(f->session);
	buf_init(&b);
	guide_hint(client_smtp(f->client), ev->reply, ev->verb, &b);
	session_text(f->session, SESSION_NOTE, "%s", b.data);
	buf_free(&b);
}

bool front_work(struct front *f)
{
	bool idle = front_idle(f);
	char *line;

	if (f->done)
		return true;
	if (f->ctx.quit && idle) {
		if (client_conn(f->client) == CLIENT_UP)
			client_close(f->client, NULL);
		f->done = true;
		return true;
	}
	if (idle && f->ctx.guide)
		front_guide(f);
	if (idle && f->replay.active && front_replay(f))
		return true;
	/* After a refused DATA, wait until the input tells whether a message
	 * follows (a lone ".") or not. */
	if (idle && front_data_refused(f) && !f->holding && front_dot_ahead(f, false) < 0)
		return false;
	if (idle && f->in.len == 0 && f->feed && !f->ctx.quit && f->feed(f->feed_arg, f))
		return true;
	if (idle && (line = front_next_line(f)) != NULL) {
		bool secret = f->ctx.auth_pending != NULL;

		/* A script's line, or one typed ahead of the replies. */
		bool unseen = !f->interactive || f->ahead > 0;

		if (f->ahead > 0)
			f->ahead--;
		front_line(f, line, unseen, false);
		if (secret)
			memset(line, 0, strlen(line));
		free(line);
		return true;
	}
	if (idle && f->in_eof) {
		front_at_eof(f);
		return f->done;
	}
	return false;
}
