/* oneshot: a whole SMTP transaction from the command line, as swaks runs
 * one (smtpscope --to ADDR [--from ADDR] [--server HOST[:PORT]] ...).
 *
 * The options become a plan of steps (oneshot_plan_make, sans-I/O): the
 * lines and local commands a person would type — /connect --mx, EHLO,
 * /starttls, /auth, MAIL FROM, RCPT TO, /pipe, DATA, the message, QUIT —
 * which the front-end runs one at a time, each once the replies to the
 * one before are in (front_options.feed, oneshot_feed), so the transcript,
 * warnings and explanations are those of a typed session.  After each
 * stage's last step its outcome is checked: a refusal ends the
 * transaction with QUIT (in the terminal UI the session stays open), as
 * the --quit-after stage does. */
#ifndef SMTPSCOPE_ONESHOT_H
#define SMTPSCOPE_ONESHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/front.h"
#include "smtpscope/smtp.h"

#define ONESHOT_MAX_LIST 64  /* --to (each a comma list), --header, --attach */
#define ONESHOT_MAX_RCPT 64  /* recipients in all */

/* Where --quit-after stops (swaks' stop points), in session order. */
enum oneshot_stop {
	ONESHOT_STOP_NONE,
	ONESHOT_STOP_CONNECT,    /* CONNECT, BANNER: after the greeting */
	ONESHOT_STOP_FIRST_HELO, /* FIRST-EHLO: the EHLO before STARTTLS */
	ONESHOT_STOP_TLS,        /* TLS, STARTTLS: once TLS is up (or would be) */
	ONESHOT_STOP_HELO,       /* EHLO, HELO, LHLO: the last of them */
	ONESHOT_STOP_AUTH,
	ONESHOT_STOP_MAIL,
	ONESHOT_STOP_RCPT,
	ONESHOT_STOP_DATA,       /* after the 354: the connection is closed */
	ONESHOT_STOP_DOT,        /* the whole transaction */
};

enum oneshot_hello { ONESHOT_EHLO, ONESHOT_HELO, ONESHOT_LHLO };
enum oneshot_tls {
	ONESHOT_TLS_NONE,
	ONESHOT_TLS_OPTIONAL,  /* STARTTLS when offered */
	ONESHOT_TLS_STARTTLS,  /* STARTTLS, required */
	ONESHOT_TLS_IMPLICIT,  /* TLS from the first byte */
};

/* One --protocol name: what it sends and asks for. */
struct oneshot_protocol {
	const char *name;      /* "ESMTPSA" */
	enum oneshot_hello hello;
	bool helo_fallback;    /* EHLO refused: HELO (swaks' "EHLO->HELO") */
	enum oneshot_tls tls;
	bool auth;
	const char *port;      /* its default port */
};
/* By name, ASCII case ignored; NULL for none. */
const struct oneshot_protocol *oneshot_protocol_find(const char *name);
/* "SMTP, SSMTP, ..." for messages. */
extern const char oneshot_protocol_names[];

/* "PLAIN", "SCRAM-SHA-256,PLAIN": mechanisms smtpscope speaks. */
bool oneshot_auth_list_ok(const char *list);

/* --quit-after's word (CONNECT, banner, first-ehlo, FROM, ...). */
bool oneshot_stop_parse(const char *word, enum oneshot_stop *out);

/* A repeatable option's arguments, in order. */
struct oneshot_list {
	const char *v[ONESHOT_MAX_LIST];
	size_t n;
};

/* The one-shot options as the command line gave them. */
struct oneshot_options {
	struct oneshot_list to; /* each "ADDR[,ADDR...]" */
	const char *from;       /* NULL: LOGNAME@host; "" or "<>": the null path */
	const char *server;     /* --server HOST[:PORT] */
	const char *ehlo;       /* NULL: the host name */
	bool auth;              /* --auth [MECH,...] */
	const char *auth_mechs; /* NULL: what the server offers */
	struct oneshot_list headers; /* "Name: value" */
	struct oneshot_list add_headers; /* --add-header: "Name: value[\nName: value]" */
	const char *body;       /* TEXT, @FILE or -; NULL: the default text */
	const char *data;       /* TEXT, @FILE or -: the message as it is */
	struct oneshot_list attach;  /* FILE or @FILE */
	enum oneshot_stop quit_after;
	const struct oneshot_protocol *protocol; /* NULL: ESMTP */
	bool tls_optional;
	bool pipeline;
	bool interactive;       /* the terminal UI on it, the session kept */
	/* What oneshot_check made of them with the session's options. */
	enum oneshot_hello hello;
	bool helo_fallback;
	enum oneshot_tls tls;
	bool do_auth;
};

/* Whether the options ask for a transaction (--to given). */
bool oneshot_wanted(const struct oneshot_options *o);
/* The checks across the one-shot options and what they set in the
 * session's options: --server as the target (operand: a HOST operand was
 * given too), implicit TLS and its port, LMTP's port 24 (port_given:
 * --port was), no automatic STARTTLS (the plan sends it).  Files are
 * checked here (a body or attachment that cannot be read).  Returns
 * false with *err (caller frees) saying what would be right. */
bool oneshot_check(struct oneshot_options *o, struct front_options *fo, bool operand,
		   bool port_given, char **err);

/* What the plan runs: a line as typed, the message, or the end of a
 * --quit-after DATA (the connection closed after the 354). */
enum oneshot_action { ONESHOT_LINE, ONESHOT_MESSAGE, ONESHOT_CLOSE, ONESHOT_QUIT };
/* When a step runs (else it is passed over). */
enum oneshot_when {
	ONESHOT_ALWAYS,
	ONESHOT_IF_STARTTLS,       /* the server offered STARTTLS */
	ONESHOT_IF_TLS,            /* TLS is up (the EHLO after STARTTLS) */
	ONESHOT_IF_PIPELINING,     /* the server offered PIPELINING */
	ONESHOT_UNLESS_PIPELINING,
	ONESHOT_IF_HELLO_REFUSED,  /* EHLO was refused: HELO instead */
};

struct oneshot_step {
	enum oneshot_action action;
	char *line;          /* ONESHOT_LINE: as typed */
	enum oneshot_when when;
	unsigned checks;     /* 1u << enum smtp_stage: checked once the
			      * replies are in (also when passed over) */
	bool connects;       /* /connect --mx: a connection comes of it */
	enum oneshot_stop stop; /* ONESHOT_QUIT, ONESHOT_CLOSE: the
				 * --quit-after that put it there, or NONE */
};

struct oneshot_plan {
	struct oneshot_step *steps;
	size_t n;
	bool has_target;     /* connected by the front-end (no /connect) */
	/* the envelope and the message, for ONESHOT_MESSAGE */
	char *from;          /* "" for the null path */
	char **rcpt;
	size_t nrcpt;
	const struct oneshot_options *opt;
};

/* What the defaults come from (the caller asks the system). */
struct oneshot_env {
	const char *host;    /* this host's name: EHLO, the default sender */
	const char *login;   /* LOGNAME */
	bool has_target;     /* a HOST operand or --server */
};

/* The plan for checked options.  Returns false with *err (caller frees)
 * when an address is malformed. */
bool oneshot_plan_make(const struct oneshot_options *o, const struct oneshot_env *env,
		       struct oneshot_plan *p, char **err);
void oneshot_plan_free(struct oneshot_plan *p);

/* Running a plan: made for the front-end's feed (front_options.feed =
 * oneshot_feed, feed_arg = the run). */
struct oneshot_run;
struct oneshot_run *oneshot_run_new(struct oneshot_plan *plan);
void oneshot_run_free(struct oneshot_run *r);
bool oneshot_feed(void *arg, struct front *f);

#endif
