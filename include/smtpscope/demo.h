/* demo: the built-in teaching SMTP server.
 *
 * What it answers comes from a scenario: a table of reply templates keyed
 * by situation, a few settings (greeting, capabilities before and after
 * TLS, TLS offered or required, AUTH mechanisms and users, delays) and
 * rules that replace the built-in answer to a command when their
 * conditions hold.  The built-in answers are compiled in (the "happy"
 * scenario adds nothing to them); the teaching scenarios are plain text in
 * help/scenarios/ (NAME.scn; format: help/README.md), parsed sans-I/O by
 * demo_scenario_parse() in demo-scenario.c and read by demo-catalog.c.
 * Templates are not printf formats: "{arg}" is replaced by the command's
 * argument (escaped to printable ASCII) and "{domain}" by the server's
 * name. */
#ifndef SMTPSCOPE_DEMO_H
#define SMTPSCOPE_DEMO_H

#include <stdbool.h>
#include <stdio.h>

#include "smtpscope/loop.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

enum demo_reply {
	DEMO_R_GREETING, DEMO_R_EHLO, DEMO_R_HELO, DEMO_R_HELO_SYNTAX,
	DEMO_R_MAIL_OK, DEMO_R_MAIL_SYNTAX, DEMO_R_MAIL_NO_HELO,
	DEMO_R_MAIL_NESTED, DEMO_R_MAIL_TOO_BIG,
	DEMO_R_RCPT_OK, DEMO_R_RCPT_SYNTAX, DEMO_R_RCPT_NO_MAIL,
	DEMO_R_RCPT_RELAY, DEMO_R_RCPT_TOO_MANY,
	DEMO_R_DATA_GO, DEMO_R_DATA_NO_RCPT, DEMO_R_DATA_NO_MAIL,
	DEMO_R_DOT_OK, DEMO_R_DOT_TOO_BIG,
	DEMO_R_RSET, DEMO_R_NOOP, DEMO_R_VRFY, DEMO_R_VRFY_SYNTAX, DEMO_R_EXPN,
	DEMO_R_HELP, DEMO_R_QUIT, DEMO_R_NOT_IMPLEMENTED, DEMO_R_UNKNOWN,
	DEMO_R_EMPTY, DEMO_R_LINE_TOO_LONG, DEMO_R_TIMEOUT, DEMO_R_TOO_MANY,
	DEMO_R_STARTTLS_GO, DEMO_R_STARTTLS_ACTIVE, DEMO_R_STARTTLS_NONE,
	DEMO_R_STARTTLS_SYNTAX,
	DEMO_R_TLS_REQUIRED, DEMO_R_AUTH_REQUIRED, DEMO_R_REFUSED_SESSION,
	DEMO_R_AUTH_OK, DEMO_R_AUTH_FAILED, DEMO_R_AUTH_MECH, DEMO_R_AUTH_ABORTED,
	DEMO_R_AUTH_DECODE, DEMO_R_AUTH_ALREADY, DEMO_R_AUTH_IN_MAIL,
	DEMO_R__COUNT
};

enum demo_tls_mode { DEMO_TLS_NONE, DEMO_TLS_OFFERED, DEMO_TLS_REQUIRED };

#define DEMO_MAX_KEYWORDS 16

/* A number range; a condition holds when lo <= value <= hi. */
struct demo_range {
	bool set;
	unsigned long long lo, hi;
};

/* [on VERB]: replaces the built-in answer to VERB when every condition
 * holds.  Rules are tried in file order; the first that matches answers.
 * They apply only to commands that are in sequence and well formed (the
 * built-in 5xx for those come first).  The server's state follows the
 * code a rule sends: a 2xx to MAIL opens the transaction, and so on. */
struct demo_rule {
	enum smtp_verb verb;       /* SMTP_V_RCPT, SMTP_V_DOT (after the final dot);
				      SMTP_V_UNKNOWN: "any" (a command the server does not know) */
	const char *to, *from, *arg; /* globs (fnmatch, no case); "!" negates */
	struct demo_range attempt; /* times the server saw this command + argument */
	struct demo_range count;   /* times this connection sent this verb */
	struct demo_range size;    /* MAIL SIZE= or the message's bytes */
	int tls, authenticated;    /* -1 either, 0 no, 1 yes */
	const char *reply;         /* template lines, '\n'-separated; NULL: built-in */
	unsigned delay_ms;
	bool disconnect;           /* close after the reply */
	int line;
};

struct demo_user {
	const char *name, *password;
};

struct demo_scenario {
	const char *name;
	const char *title;
	const char *lesson;          /* shown when the scenario starts */
	/* The file's own (English) title and lesson, which a translation
	 * replaces in title and lesson; NULL: title and lesson are. */
	const char *english_title, *english_lesson;
	const char *file;            /* where it came from, or NULL */
	const char *domain;          /* the server's name */
	const char *local_domain;    /* mail for @local_domain is accepted */
	unsigned long long size_max; /* SIZE limit, bytes */
	unsigned max_recipients;
	/* After the first EHLO line; NULL ends.  "SIZE" alone is followed
	 * by size_max.  ehlo_tls_keywords[0] NULL: the same inside TLS. */
	const char *ehlo_keywords[DEMO_MAX_KEYWORDS];
	const char *ehlo_tls_keywords[DEMO_MAX_KEYWORDS];
	const char *replies[DEMO_R__COUNT]; /* lines separated by '\n' */
	unsigned greeting_delay_ms;
	bool greeting_disconnect;    /* close right after the greeting */
	unsigned reply_delay_ms;     /* every reply after the greeting */
	enum demo_tls_mode tls;
	const char *auth_mechs;      /* "PLAIN LOGIN", or NULL: no AUTH */
	bool auth_required;          /* MAIL needs AUTH first (530) */
	struct demo_user *users;
	size_t nusers;
	struct demo_rule *rules;
	size_t nrules;
	char **owned;                /* strings a parsed scenario owns */
	size_t nowned, owned_cap;
};


const struct demo_scenario *demo_default_scenario(void);
/* Parses one scenario file's text (sans-I/O).  file names it in errors;
 * its base name without ".scn", if it has one, must be the scenario's
 * name.  Returns NULL after appending every problem to errors as
 * "FILE:LINE: message\n". */
struct demo_scenario *demo_scenario_parse(const char *file, const char *text,
					  size_t len, struct buf *errors);
void demo_scenario_free(struct demo_scenario *sc);
/* Applies a translation file's text (help/scenarios/LL/NAME.scn: one
 * [scenario NAME] entry with title, lesson and the source: checksum of
 * the English they translate).  Returns the number of problems, each
 * appended to errors as "FILE:LINE: message\n" (a stale or missing
 * checksum, a field left in English). */
size_t demo_scenario_translate(struct demo_scenario *sc, const char *file, const char *text,
			       size_t len, struct buf *errors);
/* What a scenario file calls a rule's verb: "RCPT", "DOT", "any". */
const char *demo_rule_key(enum smtp_verb v);

/* The scenarios shipped in DIR/scenarios (demo-catalog.c). */
struct demo_catalog {
	struct demo_scenario **sc;   /* sorted by name */
	size_t n;
};

/* The scenarios' titles and lessons in lang ("fr", "ko_KR"; English:
 * back to the files' own), from DIR/scenarios/LL/NAME.scn, whichever
 * language they were in before; a scenario without its file is a
 * problem (it stays in English).  Returns the number of problems (errors as above). */
size_t demo_catalog_translate(struct demo_catalog *cat, const char *dir, const char *lang,
			      struct buf *errors);
/* Loads every *.scn file in DIR/scenarios; problems go to errors (the
 * broken files are left out).  Returns the number of broken files. */
size_t demo_catalog_load(struct demo_catalog *cat, const char *dir, struct buf *errors);
void demo_catalog_free(struct demo_catalog *cat);
/* By name, or (with a '/' or ending in ".scn") a file loaded into the
 * catalog.  NULL with *err set (caller frees) when there is none. */
const struct demo_scenario *demo_catalog_find(struct demo_catalog *cat,
					      const char *name, char **err);
/* Expands a template into an SMTP reply (CRLF after each line). */
void demo_expand(const struct demo_scenario *sc, enum demo_reply which,
		 const char *arg, struct buf *out);
void demo_expand_text(const struct demo_scenario *sc, const char *tmpl,
		      const char *arg, struct buf *out);

/* Most clients one server serves at once; more get a 421. */
#define DEMO_MAX_CLIENTS 64
/* A client silent this long gets a 421 and is closed. */
#define DEMO_IDLE_TIMEOUT_MS (5 * 60 * 1000)
/* Distinct command + argument pairs remembered for "attempt" conditions
 * (greylisting); when the table is full it starts again empty. */
#define DEMO_MAX_ATTEMPTS 4096
/* Longest command line read (RFC 5321 allows 512; extensions more). */
#define DEMO_MAX_COMMAND 4096

struct demo_server;

/* Listens on ADDR:PORT ("127.0.0.1:0" picks a free port).  Loopback is
 * the default; returns NULL with *err set on failure. */
int demo_listen(const char *spec, char **bound, char **err);
/* Serves on an already listening socket; log (may be NULL) gets one
 * timestamped line per connection event. */
struct demo_server *demo_server_new(struct loop *l, int listen_fd,
				    const struct demo_scenario *sc, FILE *log);
void demo_server_free(struct demo_server *d);
/* TLS for the demo: a server context with a self-signed certificate for
 * domain, localhost and 127.0.0.1 made at start (demo-tls.c, no files). */
struct tls_server;
struct tls_server *demo_tls_server(const char *domain, char **err);
/* Offers STARTTLS (advertised in EHLO) with srv (not owned). */
void demo_server_set_tls(struct demo_server *d, struct tls_server *srv);
/* One more listening socket whose clients start with a TLS handshake
 * (implicit TLS, like port 465); needs demo_server_set_tls first. */
void demo_server_listen_implicit(struct demo_server *d, int listen_fd);
unsigned demo_server_clients(const struct demo_server *d);

/* The demo in a thread of its own, for "smtpscope" with no target. */
struct demo_thread;
struct demo_thread *demo_thread_start(const struct demo_scenario *sc,
				      char **target, char **err);
void demo_thread_stop(struct demo_thread *t);

/* The demo a session talks to, switched with /scenario. */
struct demo_ctl {
	/* Read the first time demo_ctl_catalog() asks for it (a session
	 * with a server of its own never reads the scenario files unless
	 * /scenario wants them): load_catalog fills it, its problems to
	 * errors; NULL leaves it empty. */
	struct demo_catalog catalog;
	void (*load_catalog)(struct demo_catalog *cat, struct buf *errors);
	bool catalog_loaded;
	struct demo_thread *thread;   /* NULL: not running */
	char *target;                 /* "127.0.0.1:PORT" while running */
	const struct demo_scenario *current;
};
/* Stops the running demo, if any, and starts sc on a new free port of
 * 127.0.0.1; false with *err (caller frees). */
bool demo_ctl_start(struct demo_ctl *d, const struct demo_scenario *sc, char **err);
void demo_ctl_stop(struct demo_ctl *d);
/* What to show when the scenario starts: where, its title and lesson. */
char *demo_ctl_intro(const struct demo_ctl *d);
/* The catalog, read now (load_catalog) if it was not; the problems of
 * that reading are appended to errors, one a line. */
struct demo_catalog *demo_ctl_catalog(struct demo_ctl *d, struct buf *errors);

#ifdef SMTPSCOPE_DEMO_INTERNAL
/* For src/demo-server.c and src/demo-smtp.c only. */
#include "smtpscope/stream.h"

enum demo_auth_step { DEMO_AUTH_NONE, DEMO_AUTH_PLAIN, DEMO_AUTH_LOGIN_USER,
		      DEMO_AUTH_LOGIN_PASS };

struct demo_conn {
	struct demo_server *srv;
	int fd;
	struct stream *st;    /* owns fd; TLS is pushed on it */
	struct tls_conn *tls; /* owned by st */
	bool hs;              /* TLS handshake in progress */
	bool tls_next;        /* 220 to STARTTLS queued: handshake once sent */
	unsigned id;
	char *peer;
	struct buf in, out;
	unsigned timer;       /* idle timeout */
	bool helo, mail, in_data, closing;
	bool implicit_greeting; /* implicit TLS: greet once the handshake is done */
	bool discarding;      /* rest of an over-long command line */
	bool mid_line;        /* DATA: in the middle of a long line */
	bool refused;         /* the greeting was not 2xx: only QUIT now */
	bool authed;
	enum demo_auth_step auth_step;
	char *auth_user;      /* LOGIN: the name given */
	char *mail_from;      /* the open transaction's sender */
	unsigned rcpts;
	unsigned long long data_bytes;
	unsigned counts[SMTP_V__COUNT]; /* by verb; SMTP_V_UNKNOWN: any other */
	/* A reply held back by a delay: input waits until it has gone. */
	struct buf held;
	bool paused, held_close;
	unsigned delay_timer;
	/* Set by a matching rule for the next reply. */
	bool rule_set, rule_disconnect;
	unsigned rule_delay_ms;
};

struct demo_attempt {
	char *key;
	unsigned long long n;
};

struct demo_server {
	struct loop *loop;
	int listen_fd;
	int implicit_fd;      /* implicit-TLS listener, or -1 */
	struct tls_server *tls;
	const struct demo_scenario *sc;
	FILE *log;
	struct demo_conn **conns;
	size_t nconns, cap;
	unsigned next_id;
	unsigned long queued;
	struct demo_attempt *attempts;
	size_t nattempts;
};

/* A line of the server's log, if it has one; fmt is translated here, so
 * callers mark it N_() (the in-process demo's thread has no log, and so
 * never calls gettext while /lang switches the language). */
void demo_log(struct demo_server *d, const struct demo_conn *c,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Queues a whole reply (CRLF-terminated lines); delay_ms holds it and
 * every later input back; close: the server closes once it is sent. */
void demo_send(struct demo_conn *c, const char *p, size_t n, unsigned delay_ms, bool close);
/* demo-smtp.c: the server's side of SMTP on one connection. */
void demo_greet(struct demo_conn *c);
void demo_reply(struct demo_conn *c, enum demo_reply which, const char *arg);
void demo_process(struct demo_conn *c);
void demo_conn_reset_tls(struct demo_conn *c);
void demo_conn_clear(struct demo_conn *c);
#endif

#endif
