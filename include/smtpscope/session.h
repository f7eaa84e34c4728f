/* session: the transcript model.  Every event of a session (connect, sent
 * line, reply, local note, warning, error, TLS layer; a line holding a
 * secret is kept only in a redacted form) is kept with
 * wall-clock and monotonic timestamps and its raw bytes.  Front-ends (batch
 * printer, TUI panes, exports) read it; it never prints. */
#ifndef SMTPSCOPE_SESSION_H
#define SMTPSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtpscope/reply.h"
#include "smtpscope/verb.h"

enum session_kind {
	SESSION_CONNECT,  /* connection established; text describes the peer */
	SESSION_CLOSE,    /* connection closed (by us or the server) */
	SESSION_SENT,     /* bytes the client sent (a command line) */
	SESSION_DATA,     /* message content sent, summarised in text */
	SESSION_REPLY,    /* a complete server reply */
	SESSION_NOTE,     /* a local note */
	SESSION_WARN,     /* a warning: out of sequence, defect, ... */
	SESSION_ERROR,    /* an error: connect failed, timeout, ... */
	SESSION_TLS,      /* the TLS layer: handshake, certificate report,
			   * verification; `detail` holds a failure the
			   * knowledge base's [tls-error] entries explain */
	SESSION_RAW,      /* --raw: one read or write as its bytes (raw, at
			   * most SESSION_RAW_KEEP of them; raw_total moved),
			   * `detail` the TLS records it came in, or NULL */
};

/* The most bytes a raw dump keeps of one read or write, and of all the
 * reads and writes of one connection (the client's budget: a 50 MB
 * message with --raw is counted, not kept). */
#define SESSION_RAW_KEEP 65536
#define SESSION_RAW_BUDGET (4 * 1024 * 1024)

/* What a SESSION_TLS event is, so readers (the ladder, the printer) need
 * not parse its text. */
enum session_tls_kind {
	SESSION_TLS_NOTE,       /* a remark: handshake starting, /cert output */
	SESSION_TLS_UP,         /* the handshake finished: the report */
	SESSION_TLS_UNVERIFIED, /* up, but the certificate was not verified;
				 * what happens next (on or abandoned)
				 * follows as its own events */
	SESSION_TLS_FAILED,     /* the handshake (or its late verdict) failed */
};

struct session_event {
	size_t index;            /* position in the transcript */
	enum session_kind kind;
	int64_t wall_us;         /* CLOCK_REALTIME, microseconds */
	int64_t mono_us;         /* CLOCK_MONOTONIC, microseconds */
	char *raw;               /* bytes as sent/received (SENT, REPLY) */
	size_t raw_len;
	char *text;              /* our own text (NOTE/WARN/ERROR/CONNECT...) */
	struct reply *reply;     /* SESSION_REPLY: the parsed reply (owned) */
	/* SESSION_REPLY: the event of the command this reply answers, or
	 * SIZE_MAX for an unsolicited reply (greeting has the CONNECT). */
	size_t answers;
	enum smtp_verb verb;     /* the command it answers (SMTP_V_GREETING ...) */
	char *word;              /* SMTP_V_UNKNOWN: the typed verb, or NULL */
	int64_t latency_us;      /* reply time minus command time, or -1 */
	bool encrypted;          /* travelled inside TLS (SENT, DATA, REPLY) */
	bool insecure;           /* TLS whose peer was NOT verified (--insecure) */
	char *detail;            /* SESSION_TLS: failure text, or NULL */
	enum session_tls_kind tls; /* SESSION_TLS: which step */
	bool redacted;           /* raw holds a redacted form (secrets) */
	bool utf8;               /* REPLY: UTF-8 text allowed (RFC 6531 3.7.4:
				  * SMTPUTF8 offered and used by the
				  * transaction), so it is no defect */
	/* SESSION_RAW: a write (else a read), and how many bytes it moved
	 * (raw_len may be fewer; none when `redacted`: it held a secret). */
	bool raw_write;
	size_t raw_total;
};

/* A time source; tests pass a fake one so transcripts are repeatable. */
struct session_clock {
	void (*now)(void *ctx, int64_t *wall_us, int64_t *mono_us);
	void *ctx;
};

typedef void (*session_listener)(void *ctx, const struct session_event *ev);

struct session;

struct session *session_new(const struct session_clock *clock /* or NULL */);
void session_free(struct session *s);
/* Called for every event as it is appended. */
void session_set_listener(struct session *s, session_listener fn, void *ctx);

size_t session_count(const struct session *s);
const struct session_event *session_get(const struct session *s, size_t i);

/* Appenders return the new event's index. */
size_t session_sent(struct session *s, const char *raw, size_t len);
/* A line sent that held a secret: the event keeps only `shown` (plus
 * CRLF) and is marked redacted. */
size_t session_sent_redacted(struct session *s, const char *shown);
/* verb: what it answers; word: the typed verb of an unknown command
 * (SMTP_V_UNKNOWN), or NULL. */
size_t session_reply(struct session *s, struct reply *r /* taken */,
		     size_t answers, enum smtp_verb verb, const char *word);
/* What the transcript calls the command a reply answers: "RCPT", "end
 * of data", an unknown command's word, "(unsolicited)"; in English (the
 * .jsonl "command"), through _() where it is shown. */
const char *session_reply_to(const struct session_event *ev);
size_t session_text(struct session *s, enum session_kind kind,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --raw: n bytes read (write false) or written; the first keep of them
 * kept (at most SESSION_RAW_KEEP), none when secret (an AUTH exchange:
 * the event is marked redacted); records (copied) the TLS records they
 * came in, or NULL. */
size_t session_raw(struct session *s, bool write, const char *bytes, size_t n, size_t keep,
		   bool secret, const char *records);

/* What the channel is from now on: later SENT/DATA/REPLY events are
 * marked encrypted, and every later event insecure when the peer's
 * certificate was not verified.  Both false again after a close. */
void session_set_channel(struct session *s, bool encrypted, bool insecure);
/* Whether later replies may carry UTF-8 text (the smtp layer says so for
 * the length of an SMTPUTF8 transaction). */
void session_set_utf8(struct session *s, bool on);
bool session_channel_encrypted(const struct session *s);
/* A SESSION_TLS event of the given step; failure (copied) is what
 * [tls-error] entries match, or NULL. */
size_t session_tls(struct session *s, enum session_tls_kind tls,
		   const char *failure, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Now, in the session's clock, for latency and timeouts. */
int64_t session_now_mono(const struct session *s);

const char *session_kind_name(enum session_kind kind);

/* A sent line's bytes as they may be saved or projected: the initial
 * response of AUTH and any line sent after a 334 (RFC 4954 4) become
 * "***".  Appends to out; true if anything was redacted (or the event
 * already was). */
struct buf;
bool session_redact(const struct session *s, const struct session_event *ev, struct buf *out);

#endif
