/* session: the transcript model (an append-only list of events). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtpscope/i18n.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

struct session {
	struct session_event **ev;
	size_t n, cap;
	struct session_clock clock;
	session_listener listener;
	void *listener_ctx;
	bool encrypted, insecure;
	bool utf8;
};

static int64_t ts_us(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000 + ts->tv_nsec / 1000;
}

static void session_real_clock(void *ctx, int64_t *wall, int64_t *mono)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	*wall = ts_us(&ts);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	*mono = ts_us(&ts);
}

struct session *session_new(const struct session_clock *clock)
{
	struct session *s = xcalloc(1, sizeof *s);

	if (clock)
		s->clock = *clock;
	else
		s->clock.now = session_real_clock;
	return s;
}

static void session_event_free(struct session_event *e)
{
	free(e->raw);
	free(e->text);
	free(e->word);
	free(e->detail);
	reply_free(e->reply);
	free(e);
}

void session_free(struct session *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		session_event_free(s->ev[i]);
	free(s->ev);
	free(s);
}

void session_set_listener(struct session *s, session_listener fn, void *ctx)
{
	s->listener = fn;
	s->listener_ctx = ctx;
}

size_t session_count(const struct session *s)
{
	return s->n;
}

const struct session_event *session_get(const struct session *s, size_t i)
{
	return i < s->n ? s->ev[i] : NULL;
}

int64_t session_now_mono(const struct session *s)
{
	int64_t wall, mono;

	s->clock.now(s->clock.ctx, &wall, &mono);
	return mono;
}

static struct session_event *session_new_event(struct session *s,
					       enum session_kind kind)
{
	struct session_event *e = xcalloc(1, sizeof *e);

	e->kind = kind;
	e->index = s->n;
	e->answers = SIZE_MAX;
	e->latency_us = -1;
	e->encrypted = s->encrypted &&
		       (kind == SESSION_SENT || kind == SESSION_DATA || kind == SESSION_REPLY ||
			kind == SESSION_RAW);
	e->insecure = s->insecure;
	e->utf8 = s->utf8 && kind == SESSION_REPLY;
	s->clock.now(s->clock.ctx, &e->wall_us, &e->mono_us);
	return e;
}

static size_t session_append(struct session *s, struct session_event *e)
{
	s->ev = xgrow(s->ev, &s->cap, s->n + 1, sizeof *s->ev);
	s->ev[s->n++] = e;
	if (s->listener)
		s->listener(s->listener_ctx, e);
	return e->index;
}

size_t session_sent(struct session *s, const char *raw, size_t len)
{
	struct session_event *e = session_new_event(s, SESSION_SENT);

	e->raw = xmemdup(raw, len);
	e->raw_len = len;
	return session_append(s, e);
}

size_t session_sent_redacted(struct session *s, const char *shown)
{
	struct session_event *e = session_new_event(s, SESSION_SENT);

	e->raw = xasprintf("%s\r\n", shown);
	e->raw_len = strlen(e->raw);
	e->redacted = true;
	return session_append(s, e);
}

size_t session_raw(struct session *s, bool write, const char *bytes, size_t n, size_t keep,
		   bool secret, const char *records)
{
	struct session_event *e = session_new_event(s, SESSION_RAW);

	e->raw_write = write;
	e->raw_total = n;
	e->redacted = secret;
	if (keep > n)
		keep = n;
	if (keep > SESSION_RAW_KEEP)
		keep = SESSION_RAW_KEEP;
	if (!secret && keep > 0) {
		e->raw_len = keep;
		e->raw = xmemdup(bytes, keep);
	}
	e->detail = records ? xstrdup(records) : NULL;
	return session_append(s, e);
}

size_t session_reply(struct session *s, struct reply *r, size_t answers,
		     enum smtp_verb verb, const char *word)
{
	struct session_event *e = session_new_event(s, SESSION_REPLY);

	e->reply = r;
	e->raw = xmemdup(r->raw, r->raw_len);
	e->raw_len = r->raw_len;
	e->answers = answers;
	e->verb = verb;
	e->word = word && word[0] ? xstrdup(word) : NULL;
	if (answers < s->n)
		e->latency_us = e->mono_us - s->ev[answers]->mono_us;
	return session_append(s, e);
}

const char *session_reply_to(const struct session_event *ev)
{
	if (ev->word && ev->word[0])
		return ev->word;
	if (ev->verb == SMTP_V_UNKNOWN && ev->answers == SIZE_MAX)
		return N_("(unsolicited)"); /* the only reply with no command */
	if (ev->verb == SMTP_V_UNKNOWN)
		return N_("(an empty line)"); /* an unknown command has its word */
	return verb_info(ev->verb)->shown; /* English: the .jsonl "command" */
}

static size_t session_vtext(struct session *s, enum session_kind kind,
			    enum session_tls_kind tls, const char *detail,
			    const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static size_t session_vtext(struct session *s, enum session_kind kind,
			    enum session_tls_kind tls, const char *detail,
			    const char *fmt, va_list ap)
{
	struct session_event *e = session_new_event(s, kind);
	struct buf b;

	e->tls = tls;
	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	e->text = buf_steal(&b);
	e->detail = detail ? xstrdup(detail) : NULL;
	return session_append(s, e);
}

size_t session_text(struct session *s, enum session_kind kind,
		    const char *fmt, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	i = session_vtext(s, kind, SESSION_TLS_NOTE, NULL, fmt, ap);
	va_end(ap);
	return i;
}

size_t session_tls(struct session *s, enum session_tls_kind tls,
		   const char *failure, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	i = session_vtext(s, SESSION_TLS, tls, failure, fmt, ap);
	va_end(ap);
	return i;
}

void session_set_utf8(struct session *s, bool on)
{
	s->utf8 = on;
}

void session_set_channel(struct session *s, bool encrypted, bool insecure)
{
	s->encrypted = encrypted;
	s->insecure = encrypted && insecure;
}

bool session_channel_encrypted(const struct session *s)
{
	return s->encrypted;
}

/* The newest reply before event i answers with 334 and nothing was sent
 * since: the line is a SASL response (RFC 4954 4). */
static bool session_after_334(const struct session *s, size_t i)
{
	while (i-- > 0) {
		const struct session_event *ev = session_get(s, i);

		if (ev->kind == SESSION_SENT)
			return false;
		if (ev->kind == SESSION_REPLY)
			return ev->reply && ev->reply->code == 334;
	}
	return false;
}

bool session_redact(const struct session *s, const struct session_event *ev, struct buf *out)
{
	const char *p = ev->raw ? ev->raw : "";
	size_t n = ev->raw_len;

	if (ev->kind == SESSION_SENT && session_after_334(s, ev->index)) {
		buf_adds(out, "***\r\n");
		return true;
	}
	if (ev->kind == SESSION_SENT && n > 5 && util_strnieq(p, "AUTH ", 5)) {
		const char *mech = p + 5;
		size_t mlen = strcspn(mech, " \r\n");

		if (mech[mlen] == ' ' && mech[mlen + 1] != '\r' && mech[mlen + 1] != '\n' &&
		    mech[mlen + 1] != '\0') {
			buf_add(out, p, (size_t)(mech - p) + mlen);
			buf_adds(out, " ***\r\n");
			return true;
		}
	}
	buf_add(out, p, n);
	return ev->redacted;
}

const char *session_kind_name(enum session_kind kind)
{
	static const char *const names[] = {
		[SESSION_CONNECT] = "connect", [SESSION_CLOSE] = "close",
		[SESSION_SENT] = "sent",       [SESSION_DATA] = "data",
		[SESSION_REPLY] = "reply",     [SESSION_NOTE] = "note",
		[SESSION_WARN] = "warning",    [SESSION_ERROR] = "error",
		[SESSION_TLS] = "tls",         [SESSION_RAW] = "raw",
	};

	if ((size_t)kind >= UTIL_ARRAY_LEN(names))
		return "unknown";
	return names[kind];
}
