/* smtp: client state machine.  See include/smtpscope/smtp.h.
 *
 * Every state change goes through smtp_set_state().  Replies are matched
 * to commands through a FIFO of pending commands (RFC 2920 3.1: the server
 * answers in order).  Sequence rules checked here come from RFC 5321 3.3,
 * 4.1.4 and 4.3.2, RFC 2920 3.1, RFC 3207 4 and RFC 4954 4. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/auth.h"
#include "smtpscope/smtp.h"
#include "smtp-private.h"


static const char *const state_names[SMTP_STATE__COUNT] = {
	[SMTP_DISCONNECTED] = "DISCONNECTED",
	[SMTP_WAIT_GREETING] = "WAIT_GREETING",
	[SMTP_REFUSED] = "REFUSED",
	[SMTP_GREETED] = "GREETED",
	[SMTP_READY] = "READY",
	[SMTP_MAIL] = "MAIL",
	[SMTP_RCPT] = "RCPT",
	[SMTP_DATA] = "DATA",
	[SMTP_AUTH] = "AUTH",
	[SMTP_TLS_START] = "TLS_START",
	[SMTP_QUITTING] = "QUITTING",
	[SMTP_CLOSED] = "CLOSED",
};

const char *smtp_state_name(enum smtp_state st)
{
	return (size_t)st < SMTP_STATE__COUNT ? state_names[st] : "?";
}

struct smtp *smtp_new(struct session *session)
{
	struct smtp *s = xcalloc(1, sizeof *s);

	s->session = session;
	s->state = SMTP_DISCONNECTED;
	caps_init(&s->caps);
	caps_init(&s->pre_tls);
	data_encoder_init(&s->enc);
	buf_init(&s->group_sum);
	return s;
}

static void smtp_pending_clear(struct smtp *s)
{
	size_t i;

	for (i = s->phead; i < s->npending; i++)
		free(s->pending[i].arg);
	s->phead = s->npending = 0;
}

void smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	smtp_pending_clear(s);
	smtp_auth_end(s);
	smtp_rcpt_clear(s);
	free(s->rcpts);
	free(s->pending);
	caps_free(&s->caps);
	caps_free(&s->pre_tls);
	buf_free(&s->group_sum);
	buf_free(&s->trace.held);
	free(s->mail_from);
	free(s);
}

/* What the next state changes are noted as caused by. */
static void smtp_trace_cause(struct smtp *s, const char *cause)
{
	snprintf(s->trace.cause, sizeof s->trace.cause, "%s", cause);
}

/* The held notes as session notes, in order: at once, or after the reply
 * that caused them while one is handled (trace.hold). */
static void smtp_trace_flush(struct smtp *s)
{
	char *p = s->trace.held.data, *nl;

	s->trace.hold = false;
	while (p && (nl = strchr(p, '\n')) != NULL) {
		session_text(s->session, SESSION_NOTE, "%.*s", (int)(nl - p), p);
		p = nl + 1;
	}
	buf_clear(&s->trace.held);
}

/* The only place the protocol state changes. */
void smtp_set_state(struct smtp *s, enum smtp_state st)
{
	if (st == SMTP_READY || st == SMTP_GREETED || st == SMTP_CLOSED ||
	    st == SMTP_DISCONNECTED) {
		/* Leaving (or never entering) a mail transaction. */
		s->recipients = 0;
		s->rcpt_tried = 0;
		smtp_params_reset(s);
		smtp_bdat_reset(s);
	}
	if (st == SMTP_MAIL && s->state != SMTP_MAIL) {
		s->recipients = 0;
		s->rcpt_tried = 0;
	}
	if (s->trace.on && st != s->state) {
		buf_printf(&s->trace.held, "state %s -> %s on %s\n", smtp_state_name(s->state),
			   smtp_state_name(st), s->trace.cause);
		if (!s->trace.hold)
			smtp_trace_flush(s);
	}
	s->state = st;
}

void smtp_set_trace(struct smtp *s, bool on) { s->trace.on = on; }
bool smtp_tracing(const struct smtp *s) { return s->trace.on; }

enum smtp_state smtp_state(const struct smtp *s) { return s->state; }
size_t smtp_recipients(const struct smtp *s) { return s->recipients; }
const struct caps *smtp_caps(const struct smtp *s) { return &s->caps; }
bool smtp_closing(const struct smtp *s) { return s->closing; }

bool smtp_stage_failed(const struct smtp *s, enum smtp_stage st)
{
	return (size_t)st < SMTP_STAGE__COUNT && s->failed[st];
}

size_t smtp_pending_count(const struct smtp *s)
{
	return s->npending - s->phead;
}

const struct smtp_pending *smtp_pending_peek(const struct smtp *s)
{
	return s->phead < s->npending ? &s->pending[s->phead] : NULL;
}

void smtp_push(struct smtp *s, enum smtp_verb v, size_t event,
		      const char *arg)
{
	if (s->phead > 0 && s->phead == s->npending)
		s->phead = s->npending = 0;
	s->pending = xgrow(s->pending, &s->pcap, s->npending + 1,
			   sizeof *s->pending);
	s->pending[s->npending].verb = v;
	s->pending[s->npending].event = event;
	s->pending[s->npending].arg = arg ? xstrdup(arg) : NULL;
	s->pending[s->npending].group = s->in_group ? s->group_id : 0;
	s->pending[s->npending].last = false;
	s->npending++;
}

bool smtp_ends_message(const struct smtp_pending *p)
{
	return p->verb == SMTP_V_DOT || (p->verb == SMTP_V_BDAT && p->last);
}

void smtp_push_end(struct smtp *s, enum smtp_verb v, size_t event, bool last)
{
	/* RFC 2033 4.2 (and RFC 3030 4.3 for BDAT LAST): LMTP answers
	 * once per accepted recipient, in order. */
	size_t k = s->lmtp ? smtp_rcpt_accepted(s, NULL, 0) : 1, i;

	if (s->lmtp)
		s->lmtp_ok = false;
	for (i = 0; i < (k ? k : 1); i++) {
		smtp_push(s, v, event, NULL);
		s->pending[s->npending - 1].last = last;
	}
}

static bool smtp_pending_has(const struct smtp *s, enum smtp_verb v)
{
	size_t i;

	for (i = s->phead; i < s->npending; i++)
		if (s->pending[i].verb == v)
			return true;
	return false;
}

static bool smtp_pending_end(const struct smtp *s)
{
	size_t i;

	for (i = s->phead; i < s->npending; i++)
		if (smtp_ends_message(&s->pending[i]))
			return true;
	return false;
}

void smtp_connected(struct smtp *s, size_t connect_event, bool greeting_in_tls)
{
	smtp_pending_clear(s);
	caps_free(&s->caps);
	caps_free(&s->pre_tls);
	s->ehlo_done = s->authenticated = s->closing = s->tls = s->pre_tls_kept = false;
	s->lmtp = false;
	smtp_rcpt_clear(s);
	memset(s->failed, 0, sizeof s->failed);
	smtp_trace_cause(s, "connection up");
	smtp_set_state(s, SMTP_WAIT_GREETING);
	s->connect_event = connect_event;
	if (!greeting_in_tls)
		smtp_push(s, SMTP_V_GREETING, connect_event, NULL);
}

void smtp_closed(struct smtp *s)
{
	size_t waiting = smtp_pending_count(s);

	if (waiting > 0 && !(waiting == 1 && s->pending[s->phead].verb == SMTP_V_QUIT))
		session_text(s->session, SESSION_WARN,
			     "connection closed with %zu command%s still waiting for a reply (first: %s)",
			     waiting, waiting == 1 ? "" : "s",
			     smtp_verb_name(s->pending[s->phead].verb));
	smtp_pending_clear(s);
	smtp_auth_end(s);
	smtp_rcpt_summary(s, "the connection ended before the message was accepted");
	smtp_trace_cause(s, "connection closed");
	smtp_set_state(s, SMTP_CLOSED);
}

/* The address inside <...> of MAIL FROM / RCPT TO, or the whole rest. */
static char *smtp_path_arg(const char *line)
{
	const char *lt = strchr(line, '<'), *gt;

	if (lt && (gt = strchr(lt, '>')) != NULL)
		return xmemdup(lt + 1, (size_t)(gt - lt - 1));
	lt = strchr(line, ':');
	return xstrdup(lt ? lt + 1 : "");
}

/* The typed verb of an unknown command, upper-cased and shortened, so
 * its reply can say what it answers. */
static char *smtp_first_word(const char *line)
{
	size_t n = 0, i;
	char *w;

	while (line[n] && line[n] != ' ' && line[n] != '\t' && n < 16)
		n++;
	w = xmemdup(line, n);
	for (i = 0; i < n; i++)
		if (w[i] >= 'a' && w[i] <= 'z')
			w[i] = (char)(w[i] - 'a' + 'A');
	return w;
}

static void smtp_warn(struct smtp *s, const char *msg)
{
	session_text(s->session, SESSION_WARN, "%s", msg);
}

/* The commands whose reply the client must see before sending anything
 * more (RFC 2920 3.1, RFC 3207 4, RFC 4954 4). */
static bool smtp_group_ender(enum smtp_verb v)
{
	return (verb_info(v)->flags & VERB_ENDS_GROUP) != 0;
}

/* Sequence checks for a command about to be sent.  Warns, never refuses. */
static void smtp_check_sequence(struct smtp *s, enum smtp_verb v,
				const char *line)
{
	enum smtp_state st = s->state;
	size_t waiting = smtp_pending_count(s);
	size_t len = strlen(line);
	const unsigned char *p;

	if (st == SMTP_DISCONNECTED || st == SMTP_CLOSED) {
		smtp_warn(s, "not connected: nothing was sent (use /connect HOST[:PORT])");
		return;
	}
	if (len + 2 > 512)
		smtp_warn(s, "command line longer than 512 octets including CRLF (RFC 5321 4.5.3.1.4); servers may refuse it");
	for (p = (const unsigned char *)line; *p; p++)
		if (*p >= 0x80) {
			if (!caps_has(&s->caps, CAP_SMTPUTF8))
				smtp_warn(s, "non-ASCII in a command but the server did not advertise SMTPUTF8 (RFC 6531)");
			break;
		}
	if (s->closing && v != SMTP_V_QUIT) {
		smtp_warn(s, "the server said it is closing the connection; further commands will likely go unanswered");
		return;
	}
	smtp_params_check(s, v, line);
	if (waiting > 0 && st != SMTP_WAIT_GREETING && !s->in_group) {
		const struct smtp_pending *last = &s->pending[s->npending - 1];
		if (!caps_has(&s->caps, CAP_PIPELINING))
			smtp_warn(s, "sent before the previous reply arrived, but the server did not advertise PIPELINING (RFC 2920)");
		else if (smtp_group_ender(last->verb))
			smtp_warn(s, "pipelined after a command that must end a pipeline group (RFC 2920 3.1): wait for its reply first");
	}
	switch (st) {
	case SMTP_WAIT_GREETING:
		smtp_warn(s, "sent before the server's greeting (RFC 5321 3.1); many servers drop such early talkers");
		return;
	case SMTP_REFUSED:
		if (v != SMTP_V_QUIT)
			smtp_warn(s, "the greeting refused service: only QUIT makes sense now (RFC 5321 3.1)");
		return;
	case SMTP_QUITTING:
		smtp_warn(s, "QUIT was already accepted; the server is closing");
		return;
	case SMTP_TLS_START:
		smtp_warn(s, "the server is waiting for a TLS handshake after STARTTLS; a plaintext command now breaks the session");
		return;
	default:
		break;
	}
	switch (v) {
	case SMTP_V_HELO:
	case SMTP_V_EHLO:
	case SMTP_V_LHLO:
		if (st == SMTP_MAIL || st == SMTP_RCPT)
			smtp_warn(s, "EHLO/HELO inside a transaction resets it (RFC 5321 4.1.4)");
		break;
	case SMTP_V_MAIL:
		if (st == SMTP_GREETED)
			smtp_warn(s, "MAIL before EHLO/HELO: expect 503 bad sequence (RFC 5321 4.1.4)");
		else if (st == SMTP_MAIL || st == SMTP_RCPT)
			smtp_warn(s, "MAIL while a transaction is open: expect 503 (use RSET first; RFC 5321 4.1.1.2)");
		break;
	case SMTP_V_RCPT:
		if (st != SMTP_MAIL && st != SMTP_RCPT && !smtp_pending_has(s, SMTP_V_MAIL))
			smtp_warn(s, "RCPT without an accepted MAIL: expect 503 bad sequence");
		break;
	case SMTP_V_DATA:
		if (st != SMTP_RCPT && !smtp_pending_has(s, SMTP_V_RCPT))
			smtp_warn(s, "DATA without an accepted recipient: expect 503 or 554 (RFC 5321 3.3)");
		if (s->mail_binary)
			smtp_warn(s, "DATA after MAIL with BODY=BINARYMIME: RFC 3030 3 allows only BDAT; expect 503 or 554");
		if (s->bdat_used)
			smtp_warn(s, "DATA in a transaction that used BDAT: RFC 3030 3 forbids mixing them; expect 503");
		break;
	case SMTP_V_BDAT:
		if (!caps_has(&s->caps, CAP_CHUNKING) && !s->bdat_used)
			smtp_warn(s, "BDAT but the server did not advertise CHUNKING (RFC 3030)");
		if (st != SMTP_RCPT && !smtp_pending_has(s, SMTP_V_RCPT) && !s->bdat_used)
			smtp_warn(s, "BDAT without an accepted recipient: expect 503 or 554 (RFC 3030 3)");
		if (s->bdat_refused)
			smtp_warn(s, "a BDAT chunk of this transaction was refused: RFC 3030 4.2 says send RSET, not more chunks");
		break;
	case SMTP_V_STARTTLS:
		if (s->tls)
			smtp_warn(s, "STARTTLS inside TLS: servers answer 503 (RFC 3207 4.2)");
		else if (!caps_has(&s->caps, CAP_STARTTLS))
			smtp_warn(s, "STARTTLS was not advertised in the EHLO reply (RFC 3207)");
		if (st == SMTP_MAIL || st == SMTP_RCPT)
			smtp_warn(s, "STARTTLS inside a transaction: expect 503");
		break;
	case SMTP_V_AUTH:
		if (s->authenticated)
			smtp_warn(s, "already authenticated: a second AUTH gets 503 (RFC 4954 4)");
		else if (!caps_has(&s->caps, CAP_AUTH))
			smtp_warn(s, "AUTH was not advertised in the EHLO reply (it may appear only after STARTTLS)");
		if (st == SMTP_MAIL || st == SMTP_RCPT)
			smtp_warn(s, "AUTH inside a mail transaction is not allowed (RFC 4954 4): expect 503");
		break;
	case SMTP_V_UNKNOWN:
		if (st != SMTP_AUTH)
			smtp_warn(s, "not an SMTP command smtpscope knows; sent as typed (local commands start with /)");
		break;
	default:
		break;
	}
}

/* What the transcript shows of a SASL line typed by hand: never the
 * credentials; for AUTH PLAIN the user name found in them. */
static char *smtp_typed_secret(enum smtp_verb v, const char *line)
{
	const char *mech, *resp;
	size_t mlen;
	struct buf dec;
	char *shown;

	if (v == SMTP_V_AUTH_RESPONSE)
		return strcmp(line, "*") == 0 || line[0] == '\0' ? NULL
			: xstrdup("<redacted: SASL response>");
	mech = line + strcspn(line, " \t");
	mech += strspn(mech, " \t");
	mlen = strcspn(mech, " \t");
	resp = mech + mlen;
	resp += strspn(resp, " \t");
	if (*resp == '\0' || strcmp(resp, "=") == 0)
		return NULL; /* no initial response: nothing secret */
	buf_init(&dec);
	if (mlen == 5 && util_strnieq(mech, "PLAIN", 5) &&
	    auth_b64_decode(resp, strlen(resp), &dec) && dec.len > 0 &&
	    memchr(dec.data, '\0', dec.len)) {
		const char *user = (const char *)memchr(dec.data, '\0', dec.len) + 1;
		size_t ulen = strnlen(user, dec.len - (size_t)(user - dec.data));
		shown = xasprintf("%.*s <redacted: user \"%.*s\">", (int)(resp - line - 1), line,
				  (int)ulen, user);
	} else {
		shown = xasprintf("%.*s <redacted>", (int)(resp - line - 1), line);
	}
	buf_free(&dec);
	return shown;
}

void smtp_send(struct smtp *s, const char *line, const char *shown, struct buf *out)
{
	enum smtp_verb v = smtp_verb_of(line);
	size_t ev, before;
	char *arg = NULL, *typed = NULL;

	if (s->state == SMTP_AUTH)
		v = SMTP_V_AUTH_RESPONSE;
	smtp_check_sequence(s, v, line);
	if (shown == NULL && (v == SMTP_V_AUTH || v == SMTP_V_AUTH_RESPONSE))
		shown = typed = smtp_typed_secret(v, line);
	before = out->len;
	buf_adds(out, line);
	buf_add(out, "\r\n", 2);
	if (shown && !s->show_secrets)
		ev = session_sent_redacted(s->session, shown);
	else
		ev = session_sent(s->session, out->data + before, out->len - before);
	free(typed);
	if (v == SMTP_V_MAIL || v == SMTP_V_RCPT)
		arg = smtp_path_arg(line);
	else if (v == SMTP_V_UNKNOWN)
		arg = smtp_first_word(line);
	if (v == SMTP_V_RCPT)
		s->rcpt_tried++;
	smtp_push(s, v, ev, arg);
	free(arg);
	if (v == SMTP_V_AUTH_RESPONSE) {
		smtp_trace_cause(s, "AUTH response sent");
		smtp_set_state(s, SMTP_READY); /* until the next 334 */
	}
}

void smtp_command(struct smtp *s, const char *line, struct buf *out)
{
	smtp_send(s, line, NULL, out);
}

void smtp_set_show_secrets(struct smtp *s, bool show)
{
	s->show_secrets = show;
}

void smtp_set_data_raw(struct smtp *s, bool raw)
{
	s->data_raw = raw;
}

static void smtp_data_check(struct smtp *s)
{
	if (s->state != SMTP_DATA)
		session_text(s->session, SESSION_WARN,
			     "message content sent without a 354 from the server; it will be read as commands");
}

void smtp_data_line(struct smtp *s, const char *line, size_t len,
		    struct buf *out)
{
	size_t before = out->len;

	if (s->enc.in_bytes == 0)
		smtp_data_check(s);
	data_encode(&s->enc, line, len, out);
	data_encode(&s->enc, "\r\n", 2, out);
	session_sent(s->session, out->data + before, out->len - before);
}

void smtp_data_bytes(struct smtp *s, const char *p, size_t n, struct buf *out)
{
	if (s->enc.in_bytes == 0)
		smtp_data_check(s);
	data_encode(&s->enc, p, n, out);
}

void smtp_data_end(struct smtp *s, const char *source, struct buf *out)
{
	struct data_encoder *d = &s->enc;
	size_t before, ev;

	if (source)
		session_text(s->session, SESSION_DATA,
			     "message from %s: %zu bytes read, %zu bytes sent, %zu lines",
			     source, d->in_bytes, d->out_bytes, d->lines + (d->at_line_start ? 0 : 1));
	if (d->bare_lf)
		session_text(s->session, SESSION_WARN, "%zu bare LF line ending%s %s (RFC 5321 2.3.8 requires CRLF)",
			     d->bare_lf, d->bare_lf == 1 ? "" : "s",
			     s->data_raw ? "sent as they were" : "turned into CRLF");
	if (d->bare_cr)
		session_text(s->session, SESSION_WARN, "%zu bare CR%s %s (RFC 5321 2.3.8)",
			     d->bare_cr, d->bare_cr == 1 ? "" : "s",
			     s->data_raw ? "sent as they were" : "turned into CRLF");
	if (d->eight_bit && !s->mail_8bit && !s->mail_smtputf8) {
		/* Once per message, whatever the number of such lines.  MAIL
		 * with SMTPUTF8 declares UTF-8 content too (RFC 6531 3.1: a
		 * server offering SMTPUTF8 also offers 8BITMIME). */
		if (!caps_has(&s->caps, CAP_8BITMIME))
			session_text(s->session, SESSION_WARN,
				     "%zu octet%s with the 8th bit set, but the server did not advertise 8BITMIME: "
				     "SMTP without it carries 7-bit text only (RFC 5321 2.4, RFC 6152); the server may "
				     "refuse or alter the message; send it quoted-printable or base64",
				     d->eight_bit, d->eight_bit == 1 ? "" : "s");
		else
			session_text(s->session, SESSION_WARN,
				     "%zu octet%s with the 8th bit set, but MAIL had no BODY=8BITMIME "
				     "(RFC 6152 3: the server offers it; say MAIL FROM:<...> BODY=8BITMIME)",
				     d->eight_bit, d->eight_bit == 1 ? "" : "s");
	}
	if (d->long_lines)
		session_text(s->session, SESSION_WARN,
			     "%zu line%s longer than 998 octets (first: line %zu); RFC 5321 4.5.3.1.6 allows 1000 with CRLF",
			     d->long_lines, d->long_lines == 1 ? "" : "s", d->first_long_line);
	if (d->stuffed)
		session_text(s->session, SESSION_NOTE, "%zu line%s starting with \".\" dot-stuffed (RFC 5321 4.5.2)",
			     d->stuffed, d->stuffed == 1 ? "" : "s");
	data_finish(d, out);
	before = out->len - 3; /* the ".\r\n" line; a CRLF before it ends content */
	ev = session_sent(s->session, out->data + before, out->len - before);
	smtp_push_end(s, SMTP_V_DOT, ev, false);
	data_encoder_init(&s->enc);
	s->enc.raw = s->data_raw;
}

/* Records a stage's result: a failure stays until the same stage succeeds. */
void smtp_stage(struct smtp *s, enum smtp_stage st, bool ok)
{
	s->failed[st] = !ok;
}

/* RFC 3207 4.2: what the server said before TLS may have been forged;
 * show what the first EHLO inside TLS says differently. */
static void smtp_tls_caps_diff(struct smtp *s)
{
	struct buf d;

	buf_init(&d);
	if (caps_diff(&s->pre_tls, &s->caps, &d) == 0)
		session_text(s->session, SESSION_NOTE,
			     "capabilities after TLS: the same as before TLS");
	else
		session_text(s->session, SESSION_NOTE,
			     "capabilities after TLS, compared with before: %s", d.data);
	buf_free(&d);
	caps_free(&s->pre_tls);
	s->pre_tls_kept = false;
}

void smtp_tls_started(struct smtp *s, bool implicit)
{
	s->tls = true;
	smtp_stage(s, SMTP_STAGE_TLS, true);
	if (implicit) {
		/* RFC 8314 3.3: the greeting is the first thing inside TLS. */
		smtp_push(s, SMTP_V_GREETING, s->connect_event, NULL);
		return;
	}
	/* RFC 3207 4.2: the client must discard what it knew from before
	 * (the capabilities) and should send EHLO again. */
	caps_free(&s->pre_tls);
	s->pre_tls = s->caps;
	s->pre_tls_kept = s->ehlo_done;
	caps_init(&s->caps);
	s->ehlo_done = false;
	smtp_trace_cause(s, "TLS started");
	smtp_set_state(s, SMTP_GREETED);
}

void smtp_tls_failed(struct smtp *s)
{
	/* The connection ends with the TLS layer: no reply can come for
	 * what is pending, and the TLS failure is what explains it. */
	smtp_pending_clear(s);
	smtp_stage(s, SMTP_STAGE_TLS, false);
}

bool smtp_authenticated(const struct smtp *s)
{
	return s->authenticated;
}

bool smtp_tls(const struct smtp *s)
{
	return s->tls;
}

static void smtp_after_reply(struct smtp *s, const struct smtp_pending *cmd,
			     const struct reply *r)
{
	int cls = reply_class(r);
	bool ok = cls == 2;

	if (r->code == 421)
		s->closing = true;
	switch (cmd->verb) {
	case SMTP_V_GREETING:
		smtp_stage(s, SMTP_STAGE_GREETING, ok);
		smtp_set_state(s, ok ? SMTP_GREETED : SMTP_REFUSED);
		break;
	case SMTP_V_EHLO:
	case SMTP_V_LHLO:
	case SMTP_V_HELO:
		smtp_stage(s, SMTP_STAGE_HELO, ok);
		if (ok) {
			if (cmd->verb == SMTP_V_HELO)
				caps_free(&s->caps);
			else
				caps_parse(&s->caps, r);
			/* compared once the reply is in the transcript */
			s->tls_diff_due = s->pre_tls_kept && cmd->verb != SMTP_V_HELO;
			s->ehlo_done = cmd->verb != SMTP_V_HELO;
			s->lmtp = cmd->verb == SMTP_V_LHLO;
			smtp_set_state(s, SMTP_READY);
		}
		break;
	case SMTP_V_MAIL:
		smtp_stage(s, SMTP_STAGE_MAIL, ok);
		if (ok) {
			smtp_rcpt_clear(s); /* a new transaction */
			smtp_set_state(s, SMTP_MAIL);
		}
		break;
	case SMTP_V_RCPT:
		smtp_rcpt_reply(s, cmd->arg, r);
		if (ok) {
			s->recipients++;
			smtp_stage(s, SMTP_STAGE_RCPT, true);
			if (s->state == SMTP_MAIL)
				smtp_set_state(s, SMTP_RCPT);
		} else if (s->recipients == 0) {
			smtp_stage(s, SMTP_STAGE_RCPT, false);
		}
		break;
	case SMTP_V_DATA:
		smtp_stage(s, SMTP_STAGE_DATA, r->code == 354);
		if (r->code == 354) {
			data_encoder_init(&s->enc);
			s->enc.raw = s->data_raw;
			smtp_set_state(s, SMTP_DATA);
		} else if (s->recipients == 0 && s->rcpt_tried > 0) {
			smtp_stage(s, SMTP_STAGE_RCPT, false);
		}
		break;
	case SMTP_V_BDAT:
		if (!cmd->last) {
			if (!ok) {
				/* RFC 3030 4.2: no more chunks; the message failed. */
				s->bdat_refused = true;
				smtp_stage(s, SMTP_STAGE_DOT, false);
			}
			break;
		}
		/* BDAT LAST ends the message like the dot */
		/* fall through */
	case SMTP_V_DOT:
		if (s->lmtp) {
			/* RFC 2033 4.2: delivered if any recipient took it. */
			s->lmtp_ok = s->lmtp_ok || ok;
			ok = s->lmtp_ok;
		}
		smtp_stage(s, SMTP_STAGE_DOT, ok);
		if (ok) {
			/* A delivered message outweighs earlier refusals in the
			 * transaction stages; a later failure counts again. */
			smtp_stage(s, SMTP_STAGE_MAIL, true);
			smtp_stage(s, SMTP_STAGE_RCPT, true);
			smtp_stage(s, SMTP_STAGE_DATA, true);
		}
		/* RFC 5321 4.1.1.4: the transaction ends with the reply,
		 * whatever it says. */
		smtp_set_state(s, SMTP_READY);
		break;
	case SMTP_V_RSET:
		if (ok)
			smtp_set_state(s, s->state == SMTP_GREETED ? SMTP_GREETED : SMTP_READY);
		break;
	case SMTP_V_STARTTLS:
		if (r->code == 220)
			smtp_set_state(s, SMTP_TLS_START);
		else
			smtp_stage(s, SMTP_STAGE_TLS, false);
		break;
	case SMTP_V_AUTH:
	case SMTP_V_AUTH_RESPONSE:
		if (r->code == 334) {
			smtp_set_state(s, SMTP_AUTH);
		} else {
			smtp_stage(s, SMTP_STAGE_AUTH, ok);
			s->authenticated = ok || s->authenticated;
			if (s->state == SMTP_AUTH)
				smtp_set_state(s, SMTP_READY);
		}
		break;
	case SMTP_V_QUIT:
		if (r->code == 221) {
			s->closing = true;
			smtp_set_state(s, SMTP_QUITTING);
		}
		break;
	default:
		break;
	}
}

/* After a reply is in the transcript: the LMTP recipient it was for,
 * and the recipient summary when it ends the transaction. */
static void smtp_transaction_end(struct smtp *s, const struct smtp_pending *cmd,
				 const struct reply *r)
{
	const char *addr;

	if (smtp_ends_message(cmd)) {
		addr = smtp_rcpt_final(s, r);
		if (addr)
			session_text(s->session, SESSION_NOTE, "LMTP: that reply is for <%s>", addr);
		if (!smtp_pending_end(s))
			smtp_rcpt_summary(s, "no reply after the message");
		return;
	}
	switch (cmd->verb) {
	case SMTP_V_DATA:
		if (r->code != 354)
			smtp_rcpt_summary(s, "DATA was refused: the message was not sent");
		break;
	case SMTP_V_RSET:
	case SMTP_V_QUIT:
	case SMTP_V_EHLO:
	case SMTP_V_HELO:
	case SMTP_V_LHLO:
		smtp_rcpt_summary(s, "the transaction ended before a message was sent");
		break;
	default:
		break;
	}
}

/* A reply to a command of the newest /pipe group: when it is the
 * group's last, the note lists every reply matched to its command. */
static void smtp_group_reply(struct smtp *s, const struct smtp_pending *cmd,
			     const struct reply *r)
{
	if (cmd->group == 0 || cmd->group != s->group_id || s->group_left == 0)
		return;
	buf_printf(&s->group_sum, "%s%s %d", s->group_sum.len ? ", " : "",
		   smtp_verb_name(cmd->verb), r->code);
	if (--s->group_left == 0)
		session_text(s->session, SESSION_NOTE,
			     "PIPELINING group: every reply matched to its command, in order: %s",
			     s->group_sum.data);
}

void smtp_pipeline(struct smtp *s, char *const *lines, size_t n, struct buf *out)
{
	size_t i;

	if (n == 0)
		return;
	if (!caps_has(&s->caps, CAP_PIPELINING))
		smtp_warn(s, "the server did not advertise PIPELINING (RFC 2920): it may lose or refuse the commands after the first (sent anyway)");
	for (i = 0; i + 1 < n; i++)
		if (smtp_group_ender(smtp_verb_of(lines[i])))
			session_text(s->session, SESSION_WARN,
				     "%s must be the last command of a group (RFC 2920 3.1%s): the commands after it were sent before its reply",
				     smtp_verb_name(smtp_verb_of(lines[i])),
				     smtp_verb_of(lines[i]) == SMTP_V_STARTTLS ? ", RFC 3207 4"
				     : smtp_verb_of(lines[i]) == SMTP_V_AUTH ? ", RFC 4954 4" : "");
	session_text(s->session, SESSION_NOTE,
		     "PIPELINING: %zu commands in one write; the replies come in the same order (RFC 2920 3.1)", n);
	s->group_id++;
	s->group_left = n;
	buf_clear(&s->group_sum);
	for (i = 0; i < n; i++) {
		smtp_send(s, lines[i], NULL, out);
		/* the first is checked against what was pending before */
		s->pending[s->npending - 1].group = s->group_id;
		s->in_group = true;
	}
	s->in_group = false;
}

void smtp_on_reply(struct smtp *s, struct reply *r, struct buf *out)
{
	struct smtp_pending cmd;

	if (smtp_pending_count(s) == 0) {
		bool closing = r->code == 421;
		session_reply(s->session, r, SIZE_MAX, SMTP_V_UNKNOWN, NULL);
		if (closing)
			s->closing = true;
		else
			session_text(s->session, SESSION_WARN,
				     "reply without a command waiting for it (the server sent more replies than commands)");
		return;
	}
	cmd = s->pending[s->phead++];
	snprintf(s->trace.cause, sizeof s->trace.cause, "%d to %s", r->code,
		 cmd.verb == SMTP_V_UNKNOWN && cmd.arg && cmd.arg[0] ? cmd.arg : smtp_verb_name(cmd.verb));
	s->trace.hold = true;
	smtp_after_reply(s, &cmd, r);
	session_reply(s->session, r, cmd.event, cmd.verb,
		      cmd.verb == SMTP_V_UNKNOWN ? cmd.arg : NULL);
	smtp_trace_flush(s);
	free(cmd.arg);
	if (cmd.verb == SMTP_V_AUTH || cmd.verb == SMTP_V_AUTH_RESPONSE)
		smtp_auth_on_reply(s, r, out);
	smtp_transaction_end(s, &cmd, r);
	smtp_group_reply(s, &cmd, r);
	if (s->tls_diff_due) {
		s->tls_diff_due = false;
		smtp_tls_caps_diff(s);
	}
	if (r->code == 334 && cmd.verb != SMTP_V_AUTH && cmd.verb != SMTP_V_AUTH_RESPONSE)
		session_text(s->session, SESSION_WARN, "334 outside AUTH makes no sense (RFC 4954)");
}

void smtp_describe(const struct smtp *s, struct buf *out)
{
	size_t waiting = smtp_pending_count(s);
	const struct smtp_pending *next = smtp_pending_peek(s);

	switch (s->state) {
	case SMTP_DISCONNECTED:
		buf_adds(out, "not connected");
		break;
	case SMTP_WAIT_GREETING:
		buf_adds(out, "connected, waiting for the greeting");
		break;
	case SMTP_REFUSED:
		buf_adds(out, "greeting refused service: only QUIT is left");
		break;
	case SMTP_GREETED:
		buf_adds(out, "greeted: introduce yourself with EHLO (or HELO)");
		break;
	case SMTP_READY:
		buf_printf(out, "ready (%s done%s): start a transaction with MAIL FROM",
			   s->ehlo_done ? "EHLO" : "HELO",
			   s->authenticated ? ", authenticated" : "");
		break;
	case SMTP_MAIL:
		buf_adds(out, "transaction open: sender accepted, no recipient yet");
		break;
	case SMTP_RCPT:
		buf_printf(out, "transaction open: %zu recipient%s accepted, waiting for DATA",
			   s->recipients, s->recipients == 1 ? "" : "s");
		break;
	case SMTP_DATA:
		buf_adds(out, "sending the message: end it with a line holding only \".\"");
		break;
	case SMTP_AUTH:
		buf_adds(out, "AUTH in progress: answer the 334 challenge (\"*\" cancels)");
		break;
	case SMTP_TLS_START:
		buf_adds(out, "STARTTLS accepted: TLS handshake expected");
		break;
	case SMTP_QUITTING:
		buf_adds(out, "QUIT accepted: the server is closing");
		break;
	case SMTP_CLOSED:
		buf_adds(out, "connection closed");
		break;
	default:
		buf_adds(out, "?");
		break;
	}
	if (waiting > 0 && next)
		buf_printf(out, " (%zu repl%s pending, next for %s)", waiting,
			   waiting == 1 ? "y" : "ies", smtp_verb_name(next->verb));
}

void smtp_legal_next(const struct smtp *s, struct buf *out)
{
	const char *list = "";

	switch (s->state) {
	case SMTP_DISCONNECTED:
	case SMTP_CLOSED:
		list = "/connect";
		break;
	case SMTP_WAIT_GREETING:
		list = "(wait for the greeting)";
		break;
	case SMTP_REFUSED:
	case SMTP_TLS_START:
		list = "QUIT";
		break;
	case SMTP_GREETED:
		list = "EHLO HELO NOOP QUIT";
		break;
	case SMTP_READY:
		buf_adds(out, "MAIL");
		if (caps_has(&s->caps, CAP_STARTTLS) && !s->tls)
			buf_adds(out, " STARTTLS");
		if (caps_has(&s->caps, CAP_AUTH) && !s->authenticated)
			buf_adds(out, " AUTH");
		list = " VRFY EXPN HELP NOOP RSET EHLO QUIT";
		break;
	case SMTP_MAIL:
		list = "RCPT RSET NOOP QUIT";
		break;
	case SMTP_RCPT:
		list = caps_has(&s->caps, CAP_CHUNKING) ? "RCPT DATA BDAT RSET NOOP QUIT"
							 : "RCPT DATA RSET NOOP QUIT";
		break;
	case SMTP_DATA:
		list = "(message lines, then \".\")";
		break;
	case SMTP_AUTH:
		list = "(base64 response, or \"*\" to cancel)";
		break;
	case SMTP_QUITTING:
		list = "(nothing: the server is closing)";
		break;
	default:
		break;
	}
	buf_adds(out, list);
}
