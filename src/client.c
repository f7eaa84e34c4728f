/* client: one connection, from connect to close, on the loop: replies,
 * timeouts, STARTTLS and implicit TLS (message content: client-message.c). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client-private.h"
#include "smtpscope/i18n.h"
#include "smtpscope/transport-local.h"

void client_options_default(struct client_options *o)
{
	memset(o, 0, sizeof *o);
	o->connect_timeout_ms = CLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
	o->reply_timeout_ms = CLIENT_DEFAULT_REPLY_TIMEOUT_MS;
	o->dot_timeout_ms = CLIENT_DEFAULT_DOT_TIMEOUT_MS;
}

struct client *client_new(struct loop *l, struct session *s,
			  const struct client_options *o)
{
	struct client *c = xcalloc(1, sizeof *c);

	c->loop = l;
	c->session = s;
	if (o)
		c->opt = *o;
	else
		client_options_default(&c->opt);
	c->smtp = smtp_new(s);
	smtp_set_data_raw(c->smtp, c->opt.data_raw);
	smtp_set_show_secrets(c->smtp, c->opt.show_secrets);
	smtp_set_trace(c->smtp, c->opt.trace);
	c->parser = reply_parser_new();
	c->msg_fd = -1;
	c->target = xstrdup("");
	c->host = xstrdup("");
	buf_init(&c->out);
	buf_init(&c->raw_tmp);
	return c;
}

void client_msg_clear(struct client *c)
{
	if (c->msg_fd >= 0)
		close(c->msg_fd);
	c->msg_fd = -1;
	free(c->msg_mem);
	c->msg_mem = NULL;
	free(c->msg_label);
	c->msg_label = NULL;
	if (c->msg_src.done)
		c->msg_src.done(c->msg_src.arg);
	memset(&c->msg_src, 0, sizeof c->msg_src);
	c->msg_src_failed = false;
	c->msg_len = c->msg_off = 0;
	c->msg_pending = c->msg_streaming = false;
	free(c->bdat_buf);
	c->bdat_buf = NULL;
	c->msg_bdat = c->msg_quiet = false;
	c->bdat_size = c->bdat_sent = 0;
}

static void client_hush(struct client *c)
{
	if (c->silent_timer)
		loop_cancel(c->loop, c->silent_timer);
	c->silent_timer = 0;
}

static void client_teardown(struct client *c)
{
	if (c->timer)
		loop_cancel(c->loop, c->timer);
	c->timer = 0;
	client_hush(c);
	if (c->connecting)
		transport_connect_cancel(c->connecting);
	c->connecting = NULL;
	c->route_done = NULL; /* an abandoned connect tells nobody */
	if (c->stream) {
		loop_unwatch(c->loop, stream_fd(c->stream));
		stream_free(c->stream);
	}
	c->stream = NULL;
	c->tls = NULL; /* freed with the stream */
	c->tls_hs = c->tls_asking = false;
	buf_clear(&c->out);
	reply_parser_reset(c->parser);
	client_msg_clear(c);
	client_local_teardown(c);
	client_raw_reset(c);
}

static void client_dane_free(struct client *c)
{
	for (size_t i = 0; i < c->dane.n; i++)
		free((unsigned char *)c->dane_records[i].data);
	free(c->dane_records);
	free(c->dane_base);
	c->dane_records = NULL;
	c->dane_base = NULL;
	memset(&c->dane, 0, sizeof c->dane);
	c->opt.tls.dane = NULL;
}

/* The connection's TLSA records: a copy, as the route's may go first. */
static void client_route_dane(struct client *c, const struct tls_dane *d)
{
	client_dane_free(c);
	if (d == NULL)
		return;
	c->dane_base = xstrdup(d->base);
	c->dane_records = xcalloc(d->n ? d->n : 1, sizeof *c->dane_records);
	for (size_t i = 0; i < d->n; i++) {
		unsigned char *data = xmalloc(d->records[i].len ? d->records[i].len : 1);

		memcpy(data, d->records[i].data, d->records[i].len);
		c->dane_records[i] = d->records[i];
		c->dane_records[i].data = data;
	}
	c->dane = (struct tls_dane){ c->dane_base, c->dane_records, d->n };
	c->opt.tls.dane = &c->dane;
}

void client_free(struct client *c)
{
	if (c == NULL)
		return;
	client_teardown(c);
	client_local_drop(c, false);
	smtp_free(c->smtp);
	reply_parser_free(c->parser);
	buf_free(&c->out);
	buf_free(&c->raw_tmp);
	free(c->target);
	free(c->host);
	client_dane_free(c);
	free(c->peer_auth);
	free(c->route_label);
	free(c->ehlo_arg);
	free(c);
}

void client_down(struct client *c)
{
	if (c->conn == CLIENT_UP)
		smtp_closed(c->smtp);
	client_teardown(c);
	session_set_channel(c->session, false, false);
	c->conn = CLIENT_DOWN;
}

void client_close(struct client *c, const char *why)
{
	if (c->conn != CLIENT_UP && c->conn != CLIENT_CONNECTING)
		return;
	if (why)
		session_text(c->session, SESSION_CLOSE, _("connection closed by smtpscope: %s"), why);
	else
		session_text(c->session, SESSION_CLOSE, "%s", _("connection closed by smtpscope"));
	client_down(c);
}

/* The reply awaited ends a message: the dot, or BDAT LAST. */
static bool client_awaits_dot(const struct smtp_pending *p)
{
	return p && (p->verb == SMTP_V_DOT || (p->verb == SMTP_V_BDAT && p->last));
}

static int64_t client_timeout_for(const struct client *c)
{
	const struct smtp_pending *p = smtp_pending_peek(c->smtp);

	if (!c->opt.rfc_timeouts || p == NULL)
		return client_awaits_dot(p) ? c->opt.dot_timeout_ms : c->opt.reply_timeout_ms;
	/* RFC 5321 4.5.3.2. */
	switch (p->verb) {
	case SMTP_V_DATA:
		return 2 * 60 * 1000;
	case SMTP_V_DOT:
		return 10 * 60 * 1000;
	case SMTP_V_BDAT:
		return p->last ? 10 * 60 * 1000 : 5 * 60 * 1000;
	default:
		return 5 * 60 * 1000;
	}
}

/* Which option changes the wait that just ran out. */
static const char *client_timeout_option(const struct client *c)
{
	const struct smtp_pending *p = smtp_pending_peek(c->smtp);

	if (c->opt.rfc_timeouts && p)
		return _("the RFC 5321 wait of --rfc-timeouts; without it, --timeout SECONDS sets the wait");
	if (client_awaits_dot(p))
		return _("--dot-timeout SECONDS waits longer");
	return _("--timeout SECONDS waits longer");
}

static void client_fail(struct client *c, enum client_failure f)
{
	if (c->failure == CLIENT_FAIL_NONE)
		c->failure = f;
	client_down(c);
}

static void client_on_timeout(void *ctx)
{
	struct client *c = ctx;
	const struct smtp_pending *p = smtp_pending_peek(c->smtp);
	int64_t ms = client_timeout_for(c);

	c->timer = 0;
	if (c->tls_hs) {
		session_text(c->session, SESSION_ERROR,
			     _("the TLS handshake did not finish within %lld s; giving up on this connection (--timeout SECONDS waits longer)"),
			     (long long)(ms / 1000));
		smtp_tls_failed(c->smtp);
		client_fail(c, CLIENT_FAIL_TLS);
		return;
	}
	if (p)
		session_text(c->session, SESSION_ERROR,
			     _("no reply to %s within %lld s: the server is silent; giving up on this connection (%s)"),
			     smtp_verb_name(p->verb), (long long)(ms / 1000),
			     client_timeout_option(c));
	else
		session_text(c->session, SESSION_ERROR,
			     _("could not send to the server for %lld s: it stopped reading; giving up on this connection (--timeout SECONDS waits longer)"),
			     (long long)(ms / 1000));
	client_fail(c, CLIENT_FAIL_TIMEOUT);
}

/* After its 221 (or a 421) the server closes the connection (RFC 5321
 * 4.1.1.10, 4.2.2); one that does not is given this long before smtpscope
 * closes it.  Until then the client counts as busy, so neither front-end
 * finishes before the close has been seen. */
#define CLIENT_CLOSE_GRACE_MS 2000

static void client_on_close_grace(void *ctx)
{
	struct client *c = ctx;

	c->timer = 0;
	session_text(c->session, SESSION_WARN,
		     _("the server did not close the connection within %d s of its %s; closing it"),
		     CLIENT_CLOSE_GRACE_MS / 1000,
		     smtp_state(c->smtp) == SMTP_QUITTING ? "221" : "421");
	client_close(c, NULL);
}

/* The server said 221 or 421 and the connection is still up. */
static bool client_awaiting_close(const struct client *c)
{
	return c->conn == CLIENT_UP && smtp_closing(c->smtp) &&
	       smtp_pending_count(c->smtp) == 0 && c->out.len == 0;
}

/* (Re)arms the inactivity timer while something is outstanding. */
static void client_arm(struct client *c)
{
	/* No timer while the user, not the server, is being waited for. */
	bool waiting = c->conn == CLIENT_UP && !c->tls_asking &&
		       (smtp_pending_count(c->smtp) > 0 || c->out.len > 0 || c->tls_hs);

	if (c->timer)
		loop_cancel(c->loop, c->timer);
	c->timer = 0;
	if (waiting)
		c->timer = loop_timer(c->loop, client_timeout_for(c), client_on_timeout, c);
	else if (client_awaiting_close(c))
		c->timer = loop_timer(c->loop, CLIENT_CLOSE_GRACE_MS, client_on_close_grace, c);
}

/* The next BDAT chunk may go now: with PIPELINING right away (RFC 3030
 * 4.2), otherwise once every reply is in; never after a refused chunk. */
bool client_bdat_may_send(const struct client *c)
{
	if (smtp_bdat_refused(c->smtp))
		return false;
	return smtp_pending_count(c->smtp) == 0 ||
	       caps_has(smtp_caps(c->smtp), CAP_PIPELINING);
}

/* Bytes are waiting, or the message source can give more now. */
static bool client_wants_write(const struct client *c)
{
	return c->out.len > 0 ||
	       (c->msg_streaming && (!c->msg_bdat || client_bdat_may_send(c)));
}

static void client_update_events(struct client *c)
{
	/* While the user decides about an unverified certificate, the
	 * socket is neither read nor written. */
	if (c->stream)
		loop_set_events(c->loop, stream_fd(c->stream),
				c->tls_asking || c->eof_held ? 0 :
				stream_events(c->stream, client_wants_write(c)));
}


static bool client_flush(struct client *c)
{
	client_raw_mark(c);
	while (c->stream && c->out.len > 0) {
		size_t done = 0;
		enum stream_status st = stream_write(c->stream, c->out.data,
						     c->out.len, &done);
		if (st == STREAM_OK) {
			client_raw_wrote(c, c->out.data, done);
			buf_consume(&c->out, done);
			continue;
		}
		if (st == STREAM_AGAIN)
			break;
		session_text(c->session, SESSION_ERROR,
			     _("sending failed: %s; the connection is lost"),
			     stream_error(c->stream));
		client_fail(c, CLIENT_FAIL_LOST);
		return false;
	}
	client_update_events(c);
	return true;
}

/* --starttls: STARTTLS right after the first accepted EHLO; a refusal
 * ends the session rather than carrying on in plaintext. */
static void client_auto_starttls(struct client *c)
{
	if (!c->opt.starttls || c->conn != CLIENT_UP || smtp_tls(c->smtp) || c->tls_hs ||
	    smtp_pending_count(c->smtp) > 0)
		return;
	if (!c->starttls_sent && smtp_state(c->smtp) == SMTP_READY) {
		c->starttls_sent = true;
		session_text(c->session, SESSION_NOTE, _("--starttls: sending STARTTLS now that EHLO is done"));
		client_command(c, "STARTTLS");
	} else if (c->starttls_sent && smtp_state(c->smtp) != SMTP_TLS_START) {
		/* Its reply is in and was no 220: refused, or malformed (which
		 * is no refusal a stage records, and no go-ahead either). */
		c->failure = CLIENT_FAIL_TLS;
		client_close(c, _("the server did not accept STARTTLS (no 220), and --starttls never continues in plaintext"));
	}
}

static void client_after_replies(struct client *c)
{
	client_auto_starttls(c);
	if (c->conn != CLIENT_UP)
		return;
	if (c->msg_streaming && c->msg_bdat) {
		if (smtp_bdat_refused(c->smtp)) {
			session_text(c->session, SESSION_NOTE,
				     _("a BDAT chunk was refused: the rest of %s was not sent (RFC 3030 4.2; RSET ends the transaction)"),
				     c->msg_label ? c->msg_label : _("the message"));
			client_msg_clear(c);
		} else {
			client_pump_message(c);
		}
	}
	if (c->msg_pending && smtp_pending_count(c->smtp) == 0) {
		if (smtp_state(c->smtp) == SMTP_DATA) {
			c->msg_pending = false;
			c->msg_streaming = true;
			client_pump_message(c);
		} else {
			session_text(c->session, SESSION_NOTE,
				     _("DATA was not accepted: the message (%s) was not sent"),
				     c->msg_label ? c->msg_label : _("unnamed"));
			client_msg_clear(c);
		}
	}
}

/* True when the only command still waiting is QUIT: the user was leaving
 * anyway, so a server that closes (or resets) without a 221 is odd but no
 * failure.  Which of the two the client sees is a race on loopback. */
static bool client_only_quit_waiting(const struct client *c)
{
	const struct smtp_pending *p = smtp_pending_peek(c->smtp);

	return smtp_pending_count(c->smtp) == 1 && p->verb == SMTP_V_QUIT;
}

void client_on_eof(struct client *c)
{
	bool cut;
	struct reply *r;
	size_t waiting;

	if (client_local_hold_eof(c))
		return;
	cut = reply_parser_finish(c->parser);
	while ((r = reply_parser_next(c->parser)) != NULL)
		smtp_on_reply(c->smtp, r, &c->out);
	waiting = smtp_pending_count(c->smtp);
	if (cut) {
		session_text(c->session, SESSION_ERROR,
			     _("the server closed the connection in the middle of a reply"));
		client_fail(c, CLIENT_FAIL_LOST);
	} else if (smtp_closing(c->smtp)) {
		session_text(c->session, SESSION_CLOSE, "%s", _("the server closed the connection"));
		client_down(c);
	} else if (waiting > 0 && !client_only_quit_waiting(c)) {
		const struct smtp_pending *p = smtp_pending_peek(c->smtp);
		session_text(c->session, SESSION_ERROR,
			     _("the server closed the connection while %s was waiting for its reply"),
			     smtp_verb_name(p->verb));
		client_fail(c, CLIENT_FAIL_LOST);
	} else {
		session_text(c->session, SESSION_CLOSE,
			     _("the server closed the connection without saying why (no 221 or 421)"));
		client_down(c);
	}
}

/* Ends the connection after a TLS failure, sending nothing more. */
static void client_tls_abandon(struct client *c, const char *why)
{
	smtp_tls_failed(c->smtp);
	c->failure = CLIENT_FAIL_TLS;
	client_close(c, why);
}

/* RFC 3207 5 / CVE-2011-0411: anything the server (or a man in the
 * middle) sent after the 220 to STARTTLS and before the handshake would
 * be read as if it had come inside TLS.  It is dropped, loudly. */
static void client_injection_guard(struct client *c)
{
	size_t bytes = reply_parser_pending_bytes(c->parser), replies = 0;
	char nbytes[64], nreplies[64];
	struct buf shown;
	struct reply *r;

	if (bytes == 0 && reply_parser_queued(c->parser) == 0)
		return;
	buf_init(&shown);
	while ((r = reply_parser_next(c->parser)) != NULL) {
		bytes += r->raw_seen;
		if (replies++ > 0 && shown.len < 200)
			buf_adds(&shown, " / ");
		/* One line: CR dropped, line breaks as " / " (the printer
		 * escapes whatever else the bytes hold). */
		for (size_t i = 0; i < r->raw_len && shown.len < 200; i++) {
			if (r->raw[i] == '\n' && i + 1 < r->raw_len)
				buf_adds(&shown, " / ");
			else if (r->raw[i] != '\r' && r->raw[i] != '\n')
				buf_addc(&shown, r->raw[i]);
		}
		reply_free(r);
	}
	reply_parser_reset(c->parser);
	snprintf(nbytes, sizeof nbytes, ngettext("%zu byte", "%zu bytes", bytes), bytes);
	snprintf(nreplies, sizeof nreplies,
		 ngettext("%zu complete reply", "%zu complete replies", replies), replies);
	/* TRANSLATORS: "3 bytes", "1 complete reply", then maybe " They began: "
	 * and what they began with */
	session_text(c->session, SESSION_WARN,
		     _("SECURITY: %s (%s) arrived after the 220 to STARTTLS and "
		       "before the TLS handshake; they were DISCARDED unread. An honest server never "
		       "sends them; a man in the middle injecting replies or commands does (the STARTTLS "
		       "injection class of bugs, CVE-2011-0411).%s%s"),
		     nbytes, nreplies,
		     shown.len ? _(" They began: ") : "", shown.len ? shown.data : "");
	buf_free(&shown);
}

static void client_tls_step(struct client *c);

static void client_tls_begin(struct client *c, bool implicit)
{
	char *err = NULL;
	struct tls_conn *t;

	if (!implicit)
		client_injection_guard(c);
	t = tls_client_new(stream_fd(c->stream), c->host, &c->opt.tls, &err);
	if (t == NULL) {
		session_text(c->session, SESSION_ERROR, _("cannot start TLS: %s"), err);
		free(err);
		client_tls_abandon(c, _("TLS could not be set up; nothing was sent"));
		return;
	}
	stream_push(c->stream, &tls_stream_ops, t);
	client_local_tls_note(c);
	c->tls = t;
	tls_records_watch(t, c->opt.raw);
	c->tls_hs = true;
	c->tls_implicit = implicit;
	session_tls(c->session, SESSION_TLS_NOTE, NULL, _("%s: TLS handshake, verifying %s%s%s"),
		    implicit ? _("implicit TLS") : _("STARTTLS accepted"), tls_checked_name(t),
		    c->opt.tls.no_sni ? _(", no SNI") : "",
		    c->opt.tls.insecure ? ", --insecure" : "");
	client_tls_step(c);
}

static void client_ehlo_again(struct client *c)
{
	char *line;

	if (!c->opt.auto_ehlo && !c->opt.starttls) {
		session_text(c->session, SESSION_NOTE,
			     _("TLS is up. The server has forgotten the EHLO from before TLS, and so has "
			       "smtpscope (RFC 3207 4.2): send EHLO again; its capabilities may differ "
			       "(--auto-ehlo does it for you)"));
		return;
	}
	session_text(c->session, SESSION_NOTE,
		     _("TLS is up: sending EHLO again, as RFC 3207 4.2 requires (the capabilities "
		       "from before TLS are forgotten)"));
	line = xasprintf("%s %s", c->ehlo_lmtp ? "LHLO" : "EHLO",
			 c->ehlo_arg ? c->ehlo_arg : "smtpscope.invalid");
	client_command(c, line);
	free(line);
}

/* TLS is up and trusted (or the user chose to go on without trust):
 * bytes may flow; after STARTTLS, EHLO is due again. */
static void client_tls_up(struct client *c)
{
	session_set_channel(c->session, true, !tls_verified(c->tls));
	smtp_tls_started(c->smtp, c->tls_implicit);
	if (!c->tls_implicit)
		client_ehlo_again(c);
}

/* Going on with a certificate nobody verified; because says why. */
static void client_tls_insecure(struct client *c, const char *because)
{
	c->was_insecure = true;
	session_text(c->session, SESSION_WARN,
		     _("INSECURE: going on WITHOUT a verified certificate because %s; anyone on the "
		       "path may read and change this session. Every line from here on is marked "
		       "(insecure)."), because);
	client_tls_up(c);
}

/* After the handshake: report, verify, and only then let bytes flow. */
static void client_tls_done(struct client *c)
{
	struct buf b;

	buf_init(&b);
	tls_report(c->tls, &b);
	session_tls(c->session, SESSION_TLS_UP, NULL, "%s", b.data);
	if (c->route_tls_done)
		c->route_tls_done(c->route_arg, c->tls);
	if (tls_verified(c->tls)) {
		buf_free(&b);
		client_tls_up(c);
		return;
	}
	buf_clear(&b);
	tls_peer_names(c->tls, &b);
	session_tls(c->session, SESSION_TLS_UNVERIFIED, tls_failure(c->tls),
		    _("certificate verification FAILED: %s\nsmtpscope checked %s; the certificate "
		      "carries: %s"), tls_failure(c->tls), tls_checked_name(c->tls), b.data);
	buf_free(&b);
	if (c->opt.tls.insecure) {
		client_tls_insecure(c, _("of --insecure"));
	} else if (c->opt.verify_ask) {
		c->tls_asking = true;
		session_text(c->session, SESSION_NOTE,
			     _("the connection is paused, nothing sent over TLS, until you answer: "
			       "go on without a verified certificate? (y/N)"));
	} else {
		client_tls_abandon(c, _("the certificate was not verified, so nothing was sent "
				     "over this TLS connection (--insecure would go on anyway)"));
	}
}

const char *client_tls_question(const struct client *c)
{
	return c->tls_asking ? tls_verify_text(c->tls) : NULL;
}

void client_tls_decide(struct client *c, bool go_on)
{
	if (!c->tls_asking)
		return;
	c->tls_asking = false;
	if (!go_on) {
		client_tls_abandon(c, _("the certificate was not verified and you chose not to go "
				     "on, so nothing was sent over this TLS connection"));
		return;
	}
	client_tls_insecure(c, _("you answered y to the question"));
	if (c->stream == NULL)
		return;
	client_arm(c);
	client_update_events(c);
}

static void client_tls_step(struct client *c)
{
	enum tls_hs r = tls_handshake(c->tls);

	if (r == TLS_HS_AGAIN) {
		loop_set_events(c->loop, stream_fd(c->stream), tls_events(c->tls));
		client_arm(c);
		return;
	}
	c->tls_hs = false;
	if (r == TLS_HS_FAILED) {
		session_tls(c->session, SESSION_TLS_FAILED, tls_failure(c->tls),
			    _("TLS handshake FAILED: %s"),
			    tls_failure(c->tls));
		client_tls_abandon(c, _("the TLS handshake failed; nothing was sent over TLS"));
		return;
	}
	client_tls_done(c);
	if (c->stream == NULL)
		return;
	client_arm(c);
	client_update_events(c);
}

static void client_read(struct client *c)
{
	char buf[CLIENT_READ_CHUNK];
	int rounds;

	for (rounds = 0; rounds < CLIENT_READS_PER_WAKE && c->stream; rounds++) {
		size_t got = 0;
		struct reply *r;
		enum stream_status st = stream_read(c->stream, buf, sizeof buf, &got);

		if (got > 0 && !c->heard) {
			c->heard = true;
			client_hush(c);
		}
		if (st == STREAM_AGAIN)
			break;
		if (got > 0 && !c->heard) {
			c->heard = true;
			client_hush(c);
		}
		if (st == STREAM_EOF) {
			client_on_eof(c);
			return;
		}
		if (st == STREAM_ERROR && client_only_quit_waiting(c)) {
			session_text(c->session, SESSION_CLOSE,
				     _("the server closed the connection without saying why (no 221 or 421; %s)"),
				     stream_error(c->stream));
			client_down(c);
			return;
		}
		if (st == STREAM_ERROR && c->tls && tls_late_failure(c->tls)) {
			session_tls(c->session, SESSION_TLS_FAILED, tls_late_failure(c->tls),
				    _("TLS handshake FAILED: %s (the server's verdict came after the "
				      "handshake had finished on this side, as TLS 1.3 allows)"),
				    tls_late_failure(c->tls));
			client_tls_abandon(c, _("the server refused the TLS handshake"));
			return;
		}
		if (st == STREAM_ERROR) {
			session_text(c->session, SESSION_ERROR,
				     _("reading from the server failed: %s"),
				     stream_error(c->stream));
			client_fail(c, CLIENT_FAIL_LOST);
			return;
		}
		client_raw_read(c, buf, got);
		reply_parser_feed(c->parser, buf, got);
		while (c->stream && !c->tls_hs && (r = reply_parser_next(c->parser)) != NULL) {
			smtp_on_reply(c->smtp, r, &c->out);
			if (c->stream && smtp_state(c->smtp) == SMTP_TLS_START)
				client_tls_begin(c, false);
		}
		if (c->stream == NULL)
			return;
		if (c->out.len > 0 && !c->tls_hs && !client_flush(c))
			return; /* a SASL response the replies asked for */
		client_after_replies(c);
		client_arm(c);
		if (c->tls_hs)
			return; /* the handshake reads the socket now */
	}
}

/* Acknowledges what arrived now rather than after the delayed-ACK timer:
 * a server with Nagle's algorithm on holds its next reply until then, so
 * TLS 1.3's session tickets followed by the reply to EHLO took 40 ms more
 * (Postfix).  Not a TCP socket (a UNIX one): nothing to do. */
static void client_quickack(int fd)
{
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
}

static void client_on_io(void *ctx, int fd, short revents)
{
	struct client *c = ctx;

	if (revents & POLLIN)
		client_quickack(fd);
	if (c->tls_hs) {
		client_tls_step(c);
		return;
	}
	if (c->tls_asking) {
		/* Nothing is read while the user decides; a peer that hangs up
		 * ends the question. */
		if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
			session_text(c->session, SESSION_ERROR,
				     _("the server closed the connection while smtpscope waited for your answer"));
			client_tls_abandon(c, _("nothing was sent over this TLS connection"));
		}
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		client_read(c);
	if (c->stream && (revents & POLLOUT)) {
		if (c->msg_streaming)
			client_pump_message(c);
		else if (client_flush(c))
			client_arm(c);
	}
}

/* Seconds of silence after a plain connect before the --tls hint. */
#define CLIENT_SILENT_HINT_MS 3000

static void client_on_silent(void *ctx)
{
	struct client *c = ctx;

	c->silent_timer = 0;
	if (c->conn != CLIENT_UP || c->heard || c->tls || client_local_silent(c, CLIENT_SILENT_HINT_MS / 1000))
		return;
	if (c->tls_port)
		session_text(c->session, SESSION_NOTE,
			     _("nothing from the server %d s after connecting: port 465 expects TLS from the first byte (implicit TLS, RFC 8314) and waits for the client to start it; try --tls"),
			     CLIENT_SILENT_HINT_MS / 1000);
	else
		session_text(c->session, SESSION_NOTE,
			     _("nothing from the server %d s after connecting, still waiting for its greeting: a slow server, or one that expects TLS from the first byte (as port 465 does; try --tls)"),
			     CLIENT_SILENT_HINT_MS / 1000);
}

static void client_on_connected(void *ctx, struct transport_result *res)
{
	struct client *c = ctx;
	void (*done)(void *arg, bool connected) = c->route_done;
	size_t ev;

	c->connecting = NULL;
	c->route_done = NULL;
	c->connect_error = res->error;
	if (res->error != TRANSPORT_OK) {
		session_text(c->session, c->route_more ? SESSION_WARN : SESSION_ERROR, "%s",
			     res->message);
		c->conn = CLIENT_DOWN;
		if (c->failure == CLIENT_FAIL_NONE)
			c->failure = CLIENT_FAIL_CONNECT;
		transport_result_free(res);
		if (done)
			done(c->route_arg, false);
		return;
	}
	c->stream = stream_new_fd(res->fd);
	c->conn = CLIENT_UP;
	ev = session_text(c->session, SESSION_CONNECT, "%s", res->message);
	smtp_connected(c->smtp, ev, c->opt.implicit_tls);
	loop_watch(c->loop, res->fd, POLLIN, client_on_io, c);
	client_local_connected(c, res);
	transport_result_free(res);
	c->heard = false;
	if (c->opt.implicit_tls)
		client_tls_begin(c, true);
	else
		c->silent_timer = loop_timer(c->loop, CLIENT_SILENT_HINT_MS, client_on_silent, c);
	if (c->stream)
		client_arm(c);
	if (done)
		done(c->route_arg, true);
}

void client_begin(struct client *c, const struct client_route *r, char *target)
{
	if (c->conn == CLIENT_UP || c->conn == CLIENT_CONNECTING)
		client_close(c, _("connecting elsewhere"));
	client_local_drop(c, true);
	c->failure = CLIENT_FAIL_NONE;
	c->via = CLIENT_VIA_NET;
	free(c->target);
	c->target = target;
	free(c->host);
	c->host = xstrdup(r->host);
	free(c->route_label);
	c->route_label = r->label ? xstrdup(r->label) : NULL;
	client_set_peer_auth(c, NULL);
	client_route_dane(c, r->dane);
	c->route_more = r->more;
	c->route_done = r->done;
	c->route_tls_done = r->tls_done;
	c->route_arg = r->arg;
	c->tls_port = c->starttls_sent = false;
}

void client_connect_route(struct client *c, const struct client_route *r)
{
	struct transport_target t = { 0 };
	char *addr = NULL, *port = NULL, *via = NULL, *shown;
	const char *rule = NULL;

	client_begin(c, r, xasprintf("%s port %s", r->host, r->port));
	if (transport_connect_to_match(&c->opt.connect_to, r->host, r->port, &addr, &port, &rule)) {
		shown = util_escape_dup(rule, strlen(rule));
		via = xasprintf(_(" at %s port %s (--connect-to %s)"), addr, port, shown);
		free(shown);
	} else {
		addr = xstrdup(r->address ? r->address : r->host);
		port = xstrdup(r->port);
		if (r->address)
			via = xasprintf(_(" at %s"), addr);
	}
	t.host = addr;
	t.port = port;
	t.family = c->opt.family;
	/* The port decides the implicit-TLS hint: the one connected to. */
	c->tls_port = strcmp(port, "465") == 0 || strcmp(port, "submissions") == 0 ||
		      strcmp(port, "smtps") == 0;
	session_text(c->session, SESSION_NOTE, _("connecting to %s%s ..."), c->target, via ? via : "");
	free(via);
	client_dial(c, &t);
	transport_target_free(&t);
}

void client_dial(struct client *c, const struct transport_target *t)
{
	c->conn = CLIENT_CONNECTING;
	c->connecting = transport_connect_start(c->loop, t, c->opt.connect_timeout_ms,
						client_on_connected, c);
}

bool client_connect(struct client *c, const char *target,
		    const char *default_port, char **err)
{
	struct transport_target t;

	if (!transport_parse_connect(target, default_port, &t, err))
		return false;
	if (t.path)
		client_connect_local(c, &t);
	else
		client_connect_route(c, &(struct client_route){ .host = t.host, .port = t.port });
	transport_target_free(&t);
	return true;
}

void client_route_forget(struct client *c, const void *arg)
{
	if (c->route_arg == arg) {
		c->route_done = NULL;
		c->route_tls_done = NULL;
	}
}

const struct client_options *client_options(const struct client *c)
{
	return &c->opt;
}

enum transport_error client_connect_error(const struct client *c)
{
	return c->connect_error;
}

const char *client_route_label(const struct client *c)
{
	return c->route_label;
}

void client_set_peer_auth(struct client *c, const char *text)
{
	free(c->peer_auth);
	c->peer_auth = text ? xstrdup(text) : NULL;
}

const char *client_peer_auth(const struct client *c)
{
	return c->peer_auth;
}

void client_sent(struct client *c)
{
	if (client_flush(c))
		client_arm(c);
}

/* Remembers the EHLO argument, for EHLO again after STARTTLS. */
static void client_note_ehlo(struct client *c, const char *line)
{
	enum smtp_verb v = smtp_verb_of(line);
	const char *arg;

	if (v != SMTP_V_EHLO && v != SMTP_V_HELO && v != SMTP_V_LHLO)
		return;
	arg = line + strcspn(line, " \t");
	arg += strspn(arg, " \t");
	free(c->ehlo_arg);
	c->ehlo_arg = *arg ? xstrdup(arg) : NULL;
	c->ehlo_lmtp = v == SMTP_V_LHLO;
}

void client_command(struct client *c, const char *line)
{
	if (smtp_state(c->smtp) != SMTP_AUTH)
		client_note_ehlo(c, line);
	smtp_command(c->smtp, line, &c->out);
	if (c->conn != CLIENT_UP) {
		buf_clear(&c->out);
		return;
	}
	client_sent(c);
}

void client_auth(struct client *c, const enum auth_mech *mechs, size_t n,
		 const char *user, const char *secret)
{
	if (c->conn != CLIENT_UP) {
		session_text(c->session, SESSION_ERROR, "%s", _("not connected: nothing was sent"));
		return;
	}
	smtp_auth_start(c->smtp, mechs, n, user, secret, &c->out);
	client_sent(c);
}

void client_pipeline(struct client *c, char *const *lines, size_t n)
{
	smtp_pipeline(c->smtp, lines, n, &c->out);
	if (c->conn != CLIENT_UP) {
		buf_clear(&c->out);
		return;
	}
	client_sent(c);
}

bool client_awaiting_dot(const struct client *c, int64_t *waited_ms, int64_t *limit_ms)
{
	const struct smtp_pending *p = smtp_pending_peek(c->smtp);
	const struct session_event *ev;

	if (c->conn != CLIENT_UP || !client_awaits_dot(p) || c->msg_streaming)
		return false;
	ev = p->event < session_count(c->session) ? session_get(c->session, p->event) : NULL;
	*waited_ms = ev ? (session_now_mono(c->session) - ev->mono_us) / 1000 : 0;
	*limit_ms = client_timeout_for(c);
	return true;
}

bool client_busy(const struct client *c)
{
	return c->conn == CLIENT_CONNECTING || client_awaiting_close(c) || c->tls_hs ||
	       c->tls_asking || c->eof_held || client_local_busy(c) ||
	       (c->conn == CLIENT_UP &&
		(smtp_pending_count(c->smtp) > 0 || c->out.len > 0 ||
		 c->msg_pending || c->msg_streaming));
}

enum client_conn client_conn(const struct client *c) { return c->conn; }
enum client_failure client_failure(const struct client *c) { return c->failure; }
struct smtp *client_smtp(const struct client *c) { return c->smtp; }
const char *client_target(const struct client *c) { return c->target; }

bool client_was_insecure(const struct client *c)
{
	return c->was_insecure;
}

const struct tls_conn *client_tls(const struct client *c)
{
	return c->stream && !c->tls_hs && !c->tls_asking ? c->tls : NULL;
}

char *client_local_address(const struct client *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char text[INET6_ADDRSTRLEN];
	const void *a;

	if (c->stream == NULL ||
	    getsockname(stream_fd(c->stream), (struct sockaddr *)&ss, &len) != 0)
		return NULL;
	if (ss.ss_family == AF_INET)
		a = &((const struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return NULL;
	return inet_ntop(ss.ss_family, a, text, sizeof text) ? xstrdup(text) : NULL;
}
