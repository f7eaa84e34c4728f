/* demo: the built-in teaching SMTP server.
 *
 * What it answers comes from a scenario: a table of reply templates keyed
 * by situation, plus a few settings.  The default scenario is compiled in;
 * teaching scenarios loaded from help/ fill the same struct.  Templates
 * are not printf formats: "{arg}" is replaced by the command's argument
 * (escaped to printable ASCII) and "{domain}" by the server's name. */
#ifndef SMTPSCOPE_DEMO_H
#define SMTPSCOPE_DEMO_H

#include <stdbool.h>
#include <stdio.h>

#include "smtpscope/loop.h"

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
	DEMO_R__COUNT
};

struct demo_scenario {
	const char *name;
	const char *title;
	const char *domain;          /* the server's name */
	const char *local_domain;    /* mail for @local_domain is accepted */
	unsigned long long size_max; /* SIZE limit, bytes */
	unsigned max_recipients;
	const char *ehlo_keywords[16]; /* after the first EHLO line; NULL ends */
	const char *replies[DEMO_R__COUNT]; /* lines separated by '\n' */
};

const struct demo_scenario *demo_default_scenario(void);
/* Expands a template into an SMTP reply (CRLF after each line). */
struct buf;
void demo_expand(const struct demo_scenario *sc, enum demo_reply which,
		 const char *arg, struct buf *out);

/* Most clients one server serves at once; more get a 421. */
#define DEMO_MAX_CLIENTS 64
/* A client silent this long gets a 421 and is closed. */
#define DEMO_IDLE_TIMEOUT_MS (5 * 60 * 1000)
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

#endif
