/* client-local: the client over a UNIX socket (unix:PATH) or a program
 * (--pipe COMMAND, /connect --pipe): the target's name, the program's
 * standard error as "stderr:" notes (bounded), its exit status or signal,
 * its end of file held until that status is known, and its end when it
 * outlives the connection (transport-local.h does the process work). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-private.h"
#include "smtpscope/i18n.h"
#include "smtpscope/transport-local.h"

/* How many standard error lines one program gets in the transcript. */
#define CLIENT_LOCAL_ERR_LINES 200
/* How long an end of file waits for the program's exit status. */
#define CLIENT_LOCAL_EOF_WAIT_MS 2000
/* The name TLS checks when there is no host and no --sni. */
#define CLIENT_LOCAL_TLS_NAME "localhost"

void client_connect_local(struct client *c, const struct transport_target *t)
{
	const char *what = t->path ? t->path : t->command;
	char *shown = util_escape_dup(what, strlen(what));

	client_begin(c, &(struct client_route){ .host = CLIENT_LOCAL_TLS_NAME },
		     t->path ? xasprintf("%s%s", TRANSPORT_UNIX_PREFIX, shown)
			     : xasprintf("pipe: %s", shown));
	c->via = t->path ? CLIENT_VIA_UNIX : CLIENT_VIA_PIPE;
	c->child_err_lines = 0;
	if (t->path)
		session_text(c->session, SESSION_NOTE, _("connecting to the UNIX socket %s ..."), shown);
	else
		session_text(c->session, SESSION_NOTE, _("starting the program %s ..."), shown);
	free(shown);
	client_dial(c, t);
}

bool client_connect_pipe(struct client *c, const char *command, char **err)
{
	struct transport_target t;

	if (!transport_parse_pipe(command, &t, err))
		return false;
	client_connect_local(c, &t);
	transport_target_free(&t);
	return true;
}

/* A line of its standard error as note text: a NUL (which a C string
 * cannot hold) becomes U+FFFD; the printer escapes the rest. */
static char *client_local_text(const char *line, size_t len)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\0')
			buf_adds(&b, "\xef\xbf\xbd");
		else
			buf_addc(&b, line[i]);
	}
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

static void client_child_err_line(void *ctx, const char *line, size_t len, bool cut)
{
	struct client *c = ctx;
	char *text;

	if (c->child_err_lines > CLIENT_LOCAL_ERR_LINES)
		return;
	if (c->child_err_lines++ == CLIENT_LOCAL_ERR_LINES) {
		session_text(c->session, SESSION_NOTE,
			     _("the program writes more to its standard error: the rest is not shown (%d lines were)"),
			     CLIENT_LOCAL_ERR_LINES);
		return;
	}
	text = client_local_text(line, len);
	if (cut)
		session_text(c->session, SESSION_NOTE, _("stderr: %s [cut at %d bytes]"), text,
			     TRANSPORT_CHILD_LINE_MAX);
	else
		session_text(c->session, SESSION_NOTE, _("stderr: %s"), text);
	free(text);
}

/* The program ended before a byte came and the shell says it could not
 * run it: a failure to connect, not a lost connection. */
static bool client_local_not_started(const struct client *c)
{
	const struct transport_exit *e = transport_child_exit(c->child);

	return e && !e->signaled && (e->code == 126 || e->code == 127) && !c->heard;
}

/* The held end of file, now that the exit status is known (or the wait
 * is over). */
static void client_local_release(struct client *c)
{
	if (!c->eof_held)
		return;
	c->eof_held = false;
	if (c->eof_timer)
		loop_cancel(c->loop, c->eof_timer);
	c->eof_timer = 0;
	if (client_local_not_started(c)) {
		session_text(c->session, SESSION_ERROR,
			     _("--pipe: the program could not be started (see the shell's words above); nothing was exchanged"));
		c->connect_error = TRANSPORT_ENOTFOUND;
		c->failure = CLIENT_FAIL_CONNECT;
		client_down(c);
		return;
	}
	client_on_eof(c);
}

static void client_local_on_eof_wait(void *ctx)
{
	struct client *c = ctx;

	c->eof_timer = 0;
	client_local_release(c);
}

static void client_child_exited(void *ctx, const struct transport_exit *e)
{
	struct client *c = ctx;
	long pid = (long)transport_child_pid(c->child);

	if (e->signaled && e->by_us)
		session_text(c->session, SESSION_WARN,
			     _("the program (process %ld) was killed by smtpscope with signal %d (%s): it had not ended %d s after its input was closed"),
			     pid, e->code, strsignal(e->code),
			     (TRANSPORT_CHILD_TERM_MS + (e->code == SIGKILL ? TRANSPORT_CHILD_KILL_MS : 0)) / 1000);
	else if (e->signaled)
		session_text(c->session, SESSION_WARN, _("the program (process %ld) was killed by signal %d (%s)"),
			     pid, e->code, strsignal(e->code));
	else if (e->code == 0)
		session_text(c->session, SESSION_NOTE, _("the program (process %ld) exited with status 0"), pid);
	else if (e->code == 127)
		session_text(c->session, SESSION_WARN,
			     _("the program (process %ld) exited with status 127: the shell did not find the command (is it installed, and in PATH?)"),
			     pid);
	else if (e->code == 126)
		session_text(c->session, SESSION_WARN,
			     _("the program (process %ld) exited with status 126: the shell found the command but could not run it (not executable, or a directory)"),
			     pid);
	else if (e->code < 0)
		session_text(c->session, SESSION_WARN, _("the program (process %ld) ended; its exit status is unknown"), pid);
	else
		session_text(c->session, SESSION_WARN, _("the program (process %ld) exited with status %d"),
			     pid, e->code);
	client_local_release(c);
}

static void client_child_group_signal(void *ctx, int sig)
{
	struct client *c = ctx;

	session_text(c->session, SESSION_WARN,
		     _("processes the program started (its process group) were still running after it ended: smtpscope sent them signal %d (%s)"),
		     sig, strsignal(sig));
}

void client_local_connected(struct client *c, struct transport_result *res)
{
	if (res->child == NULL)
		return;
	c->child = res->child;
	res->child = NULL;
	transport_child_watch(c->child, c->loop, &(struct transport_child_events){
		.err_line = client_child_err_line, .exited = client_child_exited,
		.group_signal = client_child_group_signal, .ctx = c });
}

bool client_local_hold_eof(struct client *c)
{
	if (c->eof_held || c->eof_timer)
		return false;
	if (!transport_child_alive(c->child)) {
		/* reaped before its end of file was read: the same verdict
		 * as when the exit status comes second */
		if (c->child == NULL || !client_local_not_started(c))
			return false;
		c->eof_held = true;
		client_local_release(c);
		return true;
	}
	c->eof_held = true;
	c->eof_timer = loop_timer(c->loop, CLIENT_LOCAL_EOF_WAIT_MS, client_local_on_eof_wait, c);
	if (c->stream)
		loop_set_events(c->loop, stream_fd(c->stream), 0);
	/* may reap it, report and release the end of file right here */
	transport_child_poke(c->child);
	return true;
}

void client_local_teardown(struct client *c)
{
	if (c->eof_timer)
		loop_cancel(c->loop, c->eof_timer);
	c->eof_timer = 0;
	c->eof_held = false;
	transport_child_hangup(c->child);
}

void client_local_drop(struct client *c, bool report)
{
	bool alive = transport_child_busy(c->child);

	if (c->child == NULL)
		return;
	if (report && alive)
		session_text(c->session, SESSION_WARN,
			     _("the program (process %ld) of the connection before was still running: killed"),
			     (long)transport_child_pid(c->child));
	transport_child_free(c->child);
	c->child = NULL;
}

bool client_local_busy(const struct client *c)
{
	return c->conn != CLIENT_UP && c->conn != CLIENT_CONNECTING &&
	       transport_child_busy(c->child);
}

void client_local_tls_note(struct client *c)
{
	if (c->via == CLIENT_VIA_NET || c->opt.tls.sni)
		return;
	session_text(c->session, SESSION_NOTE,
		     c->via == CLIENT_VIA_UNIX
			     ? _("a UNIX socket has no host name: TLS checks the certificate for \"%s\" (--sni NAME sends and checks another)")
			     : _("a program has no host name: TLS checks the certificate for \"%s\" (--sni NAME sends and checks another)"),
		     CLIENT_LOCAL_TLS_NAME);
}

bool client_local_silent(struct client *c, int seconds)
{
	if (c->via == CLIENT_VIA_PIPE)
		session_text(c->session, SESSION_NOTE,
			     _("nothing from the program %d s after starting it, still waiting for its greeting: a program for --pipe must speak SMTP on its standard input and output (exim -bs, exim -bh ADDRESS, sendmail -bs)"),
			     seconds);
	else if (c->via == CLIENT_VIA_UNIX)
		session_text(c->session, SESSION_NOTE,
			     _("nothing from the server %d s after connecting to its UNIX socket, still waiting for its greeting (a slow server, or one that speaks neither SMTP nor LMTP)"),
			     seconds);
	return c->via != CLIENT_VIA_NET;
}
