/* smtp-private: the state machine's insides, shared by smtp.c and
 * smtp-auth.c (the AUTH driver) and nobody else. */
#ifndef SMTPSCOPE_SMTP_PRIVATE_H
#define SMTPSCOPE_SMTP_PRIVATE_H

#include "smtpscope/auth.h"
#include "smtpscope/smtp.h"

/* An AUTH exchange smtpscope drives: the mechanisms still to try,
 * strongest first, and the credentials (wiped when it ends). */
struct smtp_auth {
	struct auth *cur;
	enum auth_mech mechs[AUTH_MECH__COUNT];
	size_t n, next;
	char *user, *secret;
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

struct smtp {
	struct session *session;
	enum smtp_state state;
	struct smtp_pending *pending;
	size_t npending, pcap, phead;
	struct caps caps;
	/* --trace, /trace: each state change noted with its cause; while a
	 * reply is handled the notes wait in trace_held, so they follow the
	 * reply in the transcript. */
	struct {
		bool on;
		char cause[96];
		bool hold;
		struct buf held;
	} trace;
	bool ehlo_done;       /* EHLO (not HELO): caps are meaningful */
	bool authenticated;
	bool closing;         /* 421 or 221 seen: the server will hang up */
	bool tls;             /* the TLS layer is up (smtp_tls_started) */
	size_t connect_event; /* what the greeting answers */
	struct caps pre_tls;  /* the EHLO capabilities from before STARTTLS */
	bool pre_tls_kept;
	bool tls_diff_due;    /* the first EHLO reply inside TLS came in */
	size_t recipients;    /* accepted in the current transaction */
	size_t rcpt_tried;    /* RCPTs sent in the current transaction */
	bool failed[SMTP_STAGE__COUNT];
	struct data_encoder enc;
	bool data_raw;
	bool show_secrets;    /* --show-secrets: SASL lines shown as sent */
	struct smtp_auth auth;
	bool lmtp;            /* LHLO accepted: one reply per recipient after the dot */
	bool lmtp_ok;         /* an LMTP reply after the dot accepted the message */
	struct smtp_rcpt *rcpts;
	size_t nrcpts, rcap, lmtp_next;
	size_t rcpt_refused, rcpt_delivered; /* over the whole session */
	smtp_diagnose_fn diagnose;
	void *diagnose_ctx;
	/* The MAIL parameters of the open transaction (smtp-params.c). */
	bool mail_smtputf8, mail_8bit, mail_binary, mail_size_given;
	char *mail_from;      /* the reverse-path of the last MAIL sent */
	unsigned long long mail_size;
	/* PIPELINING groups sent with smtp_pipeline(). */
	unsigned group_id;
	size_t group_left;
	bool in_group;        /* sending a group: no per-command pipelining warning */
	struct buf group_sum; /* "MAIL 250, RCPT 550, ..." so far */
	/* BDAT (smtp-bdat.c) in the open transaction. */
	bool bdat_used, bdat_refused, bdat_prev_cr;
	unsigned long long bdat_bytes;
	size_t bdat_chunks, bdat_bare_lf, bdat_bare_cr, bdat_8bit;
};

void smtp_set_state(struct smtp *s, enum smtp_state st);
void smtp_stage(struct smtp *s, enum smtp_stage st, bool ok);
void smtp_push(struct smtp *s, enum smtp_verb v, size_t event, const char *arg);
/* Sends line; the transcript shows `shown` instead (marked redacted)
 * unless secrets are shown.  shown NULL: the line itself, except that
 * typed SASL lines are redacted. */
void smtp_send(struct smtp *s, const char *line, const char *shown, struct buf *out);
/* The AUTH driver's part of a reply to AUTH or to a SASL response. */
void smtp_auth_on_reply(struct smtp *s, const struct reply *r, struct buf *out);
void smtp_auth_end(struct smtp *s);
/* smtp-rcpt.c: the per-recipient outcome of a transaction. */
void smtp_rcpt_clear(struct smtp *s);
void smtp_rcpt_reply(struct smtp *s, const char *addr, const struct reply *r);
const char *smtp_rcpt_final(struct smtp *s, const struct reply *r);
void smtp_rcpt_summary(struct smtp *s, const char *why);
/* smtp-params.c: MAIL/RCPT parameters checked against the capabilities
 * (SIZE, BODY, SMTPUTF8, DSN, REQUIRETLS); warns, never refuses. */
void smtp_params_check(struct smtp *s, enum smtp_verb v, const char *line);
void smtp_params_reset(struct smtp *s);
/* smtp-bdat.c: the transaction's BDAT state is forgotten. */
void smtp_bdat_reset(struct smtp *s);
/* The reply to p ends the message (the final dot, or BDAT LAST). */
bool smtp_ends_message(const struct smtp_pending *p);
/* Pushes what answers the end of a message: one pending entry, or (LMTP)
 * one per accepted recipient. */
void smtp_push_end(struct smtp *s, enum smtp_verb v, size_t event, bool last);

#endif
