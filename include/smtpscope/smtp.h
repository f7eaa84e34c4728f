/* smtp: the client side of an SMTP session as a state machine.
 *
 * Sans-I/O.  The caller hands it the lines the user wants to send and the
 * replies the parser produced; it appends the bytes to write to a buffer,
 * records everything in the session, matches each reply to the command
 * that caused it (a FIFO, so pipelined commands match by order, RFC 2920),
 * tracks the protocol state, and WARNS — never refuses — when a command is
 * out of sequence: a debugger must let people break the rules on purpose.
 *
 * RFCs: 5321 (SMTP), 2920 (PIPELINING), 3207 (STARTTLS), 4954 (AUTH),
 * 1870 (SIZE), 6531 (SMTPUTF8), 3030 (CHUNKING), 2033 (LMTP). */
#ifndef SMTPSCOPE_SMTP_H
#define SMTPSCOPE_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/auth.h"
#include "smtpscope/caps.h"
#include "smtpscope/data.h"
#include "smtpscope/reply.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

enum smtp_state {
	SMTP_DISCONNECTED,   /* no connection */
	SMTP_WAIT_GREETING,  /* connected, the server has not spoken yet */
	SMTP_REFUSED,        /* greeting was not 2xx: only QUIT makes sense */
	SMTP_BAD_GREETING,   /* greeting had no valid reply code: only QUIT */
	SMTP_GREETED,        /* 220 received: EHLO or HELO next */
	SMTP_READY,          /* EHLO/HELO accepted, no transaction open */
	SMTP_MAIL,           /* MAIL accepted, no recipient accepted yet */
	SMTP_RCPT,           /* one or more recipients accepted */
	SMTP_DATA,           /* 354 received: the client sends the message */
	SMTP_AUTH,           /* 334 received: the client sends a SASL line */
	SMTP_TLS_START,      /* 220 to STARTTLS: a TLS handshake must follow */
	SMTP_QUITTING,       /* 221 received: the server will close */
	SMTP_CLOSED,         /* the connection has ended */
	SMTP_STATE__COUNT
};

/* What a command is, from its verb. */
/* The stages a session can fail at, in session order; the batch front-end
 * turns the first one still failed into its exit status. */
enum smtp_stage {
	SMTP_STAGE_GREETING, SMTP_STAGE_HELO, SMTP_STAGE_TLS, SMTP_STAGE_AUTH,
	SMTP_STAGE_MAIL, SMTP_STAGE_RCPT, SMTP_STAGE_DATA, SMTP_STAGE_DOT,
	SMTP_STAGE__COUNT
};

/* A command waiting for its reply. */
struct smtp_pending {
	enum smtp_verb verb;
	size_t event;   /* session event of the command */
	char *arg;      /* e.g. the RCPT address, for the summary */
	unsigned group; /* the /pipe group it was sent in, or 0 */
	bool last;      /* BDAT ... LAST: its reply ends the message */
};

struct smtp;

/* Names the diagnosis of a reply to a command ("mailbox-unknown"), or
 * NULL; the front-end answers from the knowledge base. */
typedef const char *(*smtp_diagnose_fn)(void *ctx, const struct reply *r,
					enum smtp_verb verb);

struct smtp *smtp_new(struct session *session);
void smtp_free(struct smtp *s);

/* The connection is up: the greeting is the first reply expected. */
/* greeting_in_tls (implicit TLS): the greeting comes inside TLS, so it is
 * awaited only once smtp_tls_started() says the channel is up; a failed
 * handshake then leaves no command "still waiting". */
void smtp_connected(struct smtp *s, size_t connect_event, bool greeting_in_tls);
/* The connection has ended; commands still waiting are reported. */
void smtp_closed(struct smtp *s);

/* One command line as the user typed it (no CRLF).  Appends line+CRLF to
 * out, records it, queues it for its reply, and warns if it is out of
 * sequence.  In SMTP_AUTH state the line is a SASL response. */
void smtp_command(struct smtp *s, const char *line, struct buf *out);

/* Message content while in SMTP_DATA.  smtp_data_line() takes one line
 * typed by the user (no line ending) and records it; smtp_data_bytes()
 * takes a piece of a file and records nothing per piece.  smtp_data_end()
 * sends the end-of-data marker, records it and what the encoder saw. */
void smtp_data_line(struct smtp *s, const char *line, size_t len,
		    struct buf *out);
void smtp_data_bytes(struct smtp *s, const char *p, size_t n, struct buf *out);
void smtp_data_end(struct smtp *s, const char *source, struct buf *out);
/* PIPELINING (RFC 2920): the n lines in one write.  Warns when the
 * server did not advertise PIPELINING and when a command that must end
 * a group (EHLO, HELO, LHLO, DATA, VRFY, EXPN, TURN, NOOP, QUIT,
 * STARTTLS, AUTH; RFC 2920 3.1, RFC 3207 4, RFC 4954 4) is not last; a
 * note announces the group, and once its last reply is in, another lists
 * the replies matched to the commands in order. */
void smtp_pipeline(struct smtp *s, char *const *lines, size_t n, struct buf *out);
/* CHUNKING (RFC 3030): "BDAT n[ LAST]" and exactly n bytes after it,
 * never dot-stuffed or repaired.  Bare LF/CR and 8-bit bytes are counted
 * and warned about at the last chunk unless MAIL said BODY=BINARYMIME
 * (8-bit: unless BODY=8BITMIME).  The reply to BDAT LAST ends the
 * message like the reply after the final dot (LMTP: one per recipient). */
void smtp_bdat(struct smtp *s, const char *p, size_t n, bool last, struct buf *out);
/* A BDAT of this transaction was refused: RFC 3030 4.2 says send no
 * more chunks (RSET).  Cleared when the transaction ends. */
bool smtp_bdat_refused(const struct smtp *s);
/* SIZE (RFC 1870): a message of `bytes` is about to be sent; warns when
 * it is over the server's advertised limit or the SIZE= given on MAIL.
 * Never refuses.  what names the message ("msg.eml"). */
void smtp_size_check(struct smtp *s, unsigned long long bytes, const char *what);
/* Send bare LF / CR untouched instead of repairing them. */
void smtp_set_data_raw(struct smtp *s, bool raw);

/* A complete reply from the parser (taken).  What must be sent in
 * answer (the next SASL response of an AUTH smtpscope drives) is
 * appended to out. */
void smtp_on_reply(struct smtp *s, struct reply *r, struct buf *out);

/* AUTH driven by smtpscope (RFC 4954): sends AUTH with the first of
 * mechs (an initial response where the mechanism has one) and answers
 * each 334 itself; after 504 or 534 the next mechanism is tried.  user
 * and secret are copied and wiped at the end.  The transcript shows
 * "AUTH PLAIN <redacted: user \"alice\">" and redacted responses. */
void smtp_auth_start(struct smtp *s, const enum auth_mech *mechs, size_t n,
		     const char *user, const char *secret, struct buf *out);
bool smtp_auth_active(const struct smtp *s);
/* --show-secrets: SASL lines appear in the transcript as sent.  Without
 * it, typed ones are redacted too (AUTH PLAIN's user name is kept). */
void smtp_set_show_secrets(struct smtp *s, bool show);

/* The TLS layer finished its handshake (and the peer was verified, or
 * the user overrode it).  After STARTTLS (implicit false) the
 * capabilities are forgotten and the state goes back to GREETED: EHLO
 * must be sent again (RFC 3207 4.2); the next EHLO reply is compared
 * with the one from before TLS in a note. */
void smtp_tls_started(struct smtp *s, bool implicit);
/* The handshake or the verification failed: the TLS stage failed, and
 * the commands still pending are dropped (the connection ends; no
 * "still waiting" warning on top of the TLS failure). */
void smtp_tls_failed(struct smtp *s);
bool smtp_tls(const struct smtp *s);
/* An AUTH has succeeded in this session (since the last STARTTLS). */
bool smtp_authenticated(const struct smtp *s);

enum smtp_state smtp_state(const struct smtp *s);
const char *smtp_state_name(enum smtp_state st);
size_t smtp_pending_count(const struct smtp *s);
const struct smtp_pending *smtp_pending_peek(const struct smtp *s);
const struct caps *smtp_caps(const struct smtp *s);
size_t smtp_recipients(const struct smtp *s); /* accepted in this transaction */
bool smtp_stage_failed(const struct smtp *s, enum smtp_stage st);
/* At the end of every transaction (the reply(ies) after the final dot,
 * RSET, QUIT, a refused DATA, a closed connection) a note lists each
 * recipient: accepted / temporarily refused / permanently refused, with
 * code, enhanced code and diagnosis (from this callback).  LMTP (after
 * LHLO): one reply per accepted recipient after the dot, each matched to
 * its recipient in RCPT order (RFC 2033 4.2). */
/* --trace, /trace on|off: every state change becomes a note in the
 * session, "state GREETED -> READY on 250 to EHLO", after the reply that
 * caused it ("on connection up", "on TLS started", ... otherwise). */
void smtp_set_trace(struct smtp *s, bool on);
bool smtp_tracing(const struct smtp *s);
void smtp_set_diagnoser(struct smtp *s, smtp_diagnose_fn fn, void *ctx);
/* The envelope, for /compose: the reverse-path of the last MAIL sent
 * (NULL before any), and the recipients accepted in this transaction
 * (up to max into addrs; returns how many there are). */
const char *smtp_mail_from(const struct smtp *s);
size_t smtp_rcpt_accepted(const struct smtp *s, const char **addrs, size_t max);
/* Recipients not delivered, over all the session's transactions. */
size_t smtp_refused_recipients(const struct smtp *s);
/* Has a reply said the server is closing (421, 221)? */
bool smtp_closing(const struct smtp *s);
/* One line saying where the session stands, e.g. "transaction open: 2
 * recipients accepted, waiting for DATA". */
void smtp_describe(const struct smtp *s, struct buf *out);
/* The commands that make sense now, space-separated. */
void smtp_legal_next(const struct smtp *s, struct buf *out);

#endif
