/* smtp-private: the state machine's insides, shared by the smtp*.c files
 * and nobody else.
 *
 * The state is grouped by what it belongs to: the pending-command FIFO,
 * the open mail transaction (one reset), the message content, the
 * PIPELINING group, TLS, AUTH, the recipients' outcomes and the trace.
 * What each verb means (sequence checks, reply handling, stage outcome)
 * is one row of the rule table in smtp-rules.c. */
#ifndef SMTPSCOPE_SMTP_PRIVATE_H
#define SMTPSCOPE_SMTP_PRIVATE_H

#include "smtpscope/auth.h"
#include "smtpscope/smtp.h"

/* The commands waiting for their reply, oldest first (RFC 2920 3.1:
 * replies come in order): v[head..n). */
struct smtp_fifo {
	struct smtp_pending *v;
	size_t n, cap, head;
};

/* The MAIL parameters of the open transaction (smtp-params.c). */
struct smtp_mail_params {
	bool smtputf8, eight_bit, binary, size_given;
	unsigned long long size;
};

/* BDAT (smtp-bdat.c) in the open transaction. */
struct smtp_bdat {
	bool used, refused, prev_cr;
	unsigned long long bytes;
	size_t chunks, bare_lf, bare_cr, eight_bit;
};

/* The open mail transaction; smtp_txn_reset() forgets all of it when
 * the state leaves the transaction. */
struct smtp_txn {
	size_t recipients;    /* accepted */
	size_t rcpt_tried;    /* RCPTs sent */
	struct smtp_mail_params mail;
	struct smtp_bdat bdat;
};

/* Message content after 354 (smtp-data.c). */
struct smtp_content {
	struct data_encoder enc;
	bool raw;             /* bare LF / CR sent untouched */
};

/* The newest PIPELINING group sent with smtp_pipeline() (smtp-pipe.c). */
struct smtp_group {
	unsigned id;
	size_t left;          /* replies still to come */
	bool sending;         /* no per-command pipelining warning meanwhile */
	struct buf sum;       /* "MAIL 250, RCPT 550, ..." so far */
};

/* TLS (smtp-tls.c). */
struct smtp_tls {
	bool up;              /* the TLS layer is up (smtp_tls_started) */
	struct caps pre;      /* the EHLO capabilities from before STARTTLS */
	bool pre_kept;
	bool diff_due;        /* the first EHLO reply inside TLS came in */
};

/* An AUTH exchange smtpscope drives: the mechanisms still to try,
 * strongest first, and the credentials (wiped when it ends). */
struct smtp_sasl {
	struct auth *cur;
	enum auth_mech mechs[AUTH_MECH__COUNT];
	size_t n, next;
	char *user, *secret;
};

/* AUTH (smtp-auth.c). */
struct smtp_auth {
	bool authenticated;   /* since the last STARTTLS */
	bool show_secrets;    /* --show-secrets: SASL lines shown as sent */
	struct smtp_sasl run;
};

/* One recipient of the current transaction. */
struct smtp_rcpt {
	char *addr;
	int rcpt_code;
	char *rcpt_how;      /* "550 5.1.1 mailbox-unknown" */
	bool final;          /* a reply after the final dot applies to it */
	int final_code;
	char *final_how;
};

/* What became of each recipient (smtp-rcpt.c), until the summary. */
struct smtp_rcpts {
	struct smtp_rcpt *v;
	size_t n, cap;
	size_t lmtp_next;     /* the next recipient an LMTP reply is for */
	bool lmtp_ok;         /* an LMTP reply after the dot accepted the message */
	size_t refused;   /* of the last message sent, if it was delivered */
	size_t delivered; /* over the whole session */
	smtp_diagnose_fn diagnose;
	void *diagnose_ctx;
};

/* --trace, /trace: each state change noted with its cause; while a
 * reply is handled the notes wait in held, so they follow the reply in
 * the transcript (smtp-state.c). */
struct smtp_trace {
	bool on;
	char cause[96];
	bool hold;
	struct buf held;
};

struct smtp {
	struct session *session;
	enum smtp_state state;
	struct smtp_fifo pending;
	struct caps caps;
	bool ehlo_done;       /* EHLO (not HELO): caps are meaningful */
	bool lmtp;            /* LHLO accepted: one reply per recipient after the dot */
	bool closing;         /* 421 or 221 seen: the server will hang up */
	size_t connect_event; /* what the greeting answers */
	bool failed[SMTP_STAGE__COUNT];
	char *mail_from;      /* the reverse-path of the last MAIL sent */
	struct smtp_txn txn;
	struct smtp_content data;
	struct smtp_group group;
	struct smtp_tls tls;
	struct smtp_auth auth;
	struct smtp_rcpts rcpt;
	struct smtp_trace trace;
};

/* ---- the rule table (smtp-rules.c) ------------------------------------ */

/* The stage a reply decides: success is ok_code, or any 2xx when 0; a
 * reply of code interim (334 to AUTH) decides nothing yet. */
struct smtp_outcome {
	bool decides;
	enum smtp_stage stage;
	int ok_code, interim;
};
#define OUTCOME(stage, ok_code, interim) { true, (stage), (ok_code), (interim) }

/* One verb's rules.  Every hook may be NULL. */
struct smtp_rule {
	/* Sequence checks for sending it, after the common ones
	 * (smtp_check_sequence); warns, never refuses. */
	void (*check)(struct smtp *s);
	/* What the pending entry keeps of the line (the RCPT address). */
	char *(*arg)(const char *line);
	/* It has just been sent. */
	void (*sent)(struct smtp *s);
	/* The stage its reply decides, if the rule says (else none, or the
	 * handler decides). */
	struct smtp_outcome outcome;
	/* Its reply, before the reply is in the transcript: state changes. */
	void (*reply)(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);
	/* After the reply is in the transcript: notes, the AUTH driver's
	 * answer (into out). */
	void (*done)(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		     struct buf *out);
};

const struct smtp_rule *smtp_rule(enum smtp_verb v);
/* Records the stage outcome the rule gives the reply (if any). */
void smtp_rule_outcome(struct smtp *s, const struct smtp_rule *rule, const struct reply *r);

/* ---- state and trace (smtp-state.c) ----------------------------------- */

/* The only place the protocol state changes; noted when tracing. */
void smtp_set_state(struct smtp *s, enum smtp_state st);
/* What the next state changes are noted as caused by (printf-style). */
void smtp_trace_cause(struct smtp *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Notes wait until smtp_trace_flush(), which writes them (the one path
 * trace notes take into the session). */
void smtp_trace_hold(struct smtp *s);
void smtp_trace_flush(struct smtp *s);
/* A command sent now, in this state: the state's warning, if any.
 * True when the state says all there is to say (no verb checks). */
bool smtp_state_check(struct smtp *s, enum smtp_verb v);
/* MAIL or RCPT: a mail transaction is open. */
bool smtp_in_txn(enum smtp_state st);

/* ---- smtp.c ----------------------------------------------------------- */

void smtp_stage(struct smtp *s, enum smtp_stage st, bool ok);
void smtp_warn(struct smtp *s, const char *msg);
void smtp_push(struct smtp *s, enum smtp_verb v, size_t event, const char *arg);
void smtp_pending_clear(struct smtp *s);
bool smtp_pending_has(const struct smtp *s, enum smtp_verb v);
/* Sends line; the transcript shows `shown` instead (marked redacted)
 * unless secrets are shown.  shown NULL: the line itself, except that
 * typed SASL lines are redacted. */
void smtp_send(struct smtp *s, const char *line, const char *shown, struct buf *out);
/* The same, for a line whose reply ends the message (BDAT ... LAST):
 * queued as verb `as` through smtp_push_end(), so LMTP gets one entry a
 * recipient.  It is checked as the line it is (in SMTP_AUTH: a SASL
 * response), but its reply ends the message all the same. */
void smtp_send_end(struct smtp *s, const char *line, enum smtp_verb as, struct buf *out);
/* The transaction is left: its state forgotten. */
void smtp_txn_reset(struct smtp *s);

/* ---- smtp-seq.c ------------------------------------------------------- */

/* Sequence checks for a command about to be sent.  Warns, never refuses. */
void smtp_check_sequence(struct smtp *s, enum smtp_verb v, const char *line);
void smtp_check_hello(struct smtp *s);
void smtp_check_mail(struct smtp *s);
void smtp_check_rcpt(struct smtp *s);
void smtp_check_unknown(struct smtp *s);
/* What a pending entry keeps of a MAIL/RCPT line, or of an unknown one. */
char *smtp_path_arg(const char *line);
char *smtp_first_word(const char *line);

/* ---- smtp-data.c ------------------------------------------------------ */

void smtp_check_data(struct smtp *s);
void smtp_reply_data(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);
void smtp_done_data(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		    struct buf *out);
/* The reply that ends the message (the final dot, BDAT LAST). */
void smtp_reply_dot(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);
void smtp_done_dot(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		   struct buf *out);
/* The reply to p ends the message (the final dot, or BDAT LAST). */
bool smtp_ends_message(const struct smtp_pending *p);
/* Pushes what answers the end of a message: one pending entry, or (LMTP)
 * one per accepted recipient. */
void smtp_push_end(struct smtp *s, enum smtp_verb v, size_t event, bool last);

/* ---- smtp-tls.c ------------------------------------------------------- */

void smtp_check_starttls(struct smtp *s);
void smtp_reply_starttls(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);
/* After the first EHLO reply inside TLS is in the transcript. */
void smtp_tls_after_reply(struct smtp *s);
void smtp_tls_reset(struct smtp *s);

/* ---- smtp-pipe.c ------------------------------------------------------ */

/* A command sent while others wait for their reply. */
void smtp_pipe_check(struct smtp *s);
/* A reply to a command of the newest group. */
void smtp_pipe_reply(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);

/* ---- smtp-auth.c ------------------------------------------------------ */

void smtp_check_auth(struct smtp *s);
void smtp_sent_sasl(struct smtp *s);
void smtp_reply_auth(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);
/* The AUTH driver's part of a reply to AUTH or to a SASL response. */
void smtp_auth_on_reply(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
			struct buf *out);
void smtp_auth_end(struct smtp *s);
/* What the transcript shows of a typed SASL line (NULL: the line). */
char *smtp_typed_secret(enum smtp_verb v, const char *line);

/* ---- smtp-rcpt.c ------------------------------------------------------ */

void smtp_rcpt_clear(struct smtp *s);
void smtp_rcpt_reply(struct smtp *s, const char *addr, const struct reply *r);
const char *smtp_rcpt_final(struct smtp *s, const struct reply *r);
void smtp_rcpt_summary(struct smtp *s, const char *why);

/* ---- smtp-params.c ---------------------------------------------------- */

/* MAIL/RCPT parameters checked against the capabilities (SIZE, BODY,
 * SMTPUTF8, DSN, REQUIRETLS); warns, never refuses. */
void smtp_params_check(struct smtp *s, enum smtp_verb v, const char *line);

/* ---- smtp-bdat.c ------------------------------------------------------ */

void smtp_check_bdat(struct smtp *s);
void smtp_reply_bdat(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r);
void smtp_done_bdat(struct smtp *s, const struct smtp_pending *cmd, const struct reply *r,
		    struct buf *out);

#endif
