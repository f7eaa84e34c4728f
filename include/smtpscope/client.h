/* client: one SMTP connection driven by the loop.  It ties the edge
 * (transport, stream) to the core (reply parser, smtp state machine,
 * session): bytes read go to the parser, replies to the state machine,
 * commands to the socket, and every event to the session.  Both
 * front-ends (batch and TUI) and the local commands use it.
 *
 * Timeouts (RFC 5321 4.5.3.2 gives the server 5 minutes for most replies,
 * 2 for the 354, 10 after the final dot): an interactive debugger should
 * not sit for minutes, so the default is CLIENT_DEFAULT_REPLY_TIMEOUT_MS
 * for every reply, counted from the last byte exchanged while a reply is
 * awaited; --rfc-timeouts uses the RFC values instead. */
#ifndef SMTPSCOPE_CLIENT_H
#define SMTPSCOPE_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "smtpscope/loop.h"
#include "smtpscope/session.h"
#include "smtpscope/smtp.h"
#include "smtpscope/tls.h"
#include "smtpscope/transport.h"

#define CLIENT_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define CLIENT_DEFAULT_REPLY_TIMEOUT_MS 30000
/* The reply to the final dot (or BDAT LAST) comes after the server's
 * content filters have run: RFC 5321 4.5.3.2.6 allows 10 minutes. */
#define CLIENT_DEFAULT_DOT_TIMEOUT_MS (10 * 60 * 1000)

struct client_options {
	int64_t connect_timeout_ms;
	int64_t reply_timeout_ms;
	int64_t dot_timeout_ms;   /* the reply to the final dot / BDAT LAST */
	bool rfc_timeouts;
	int family;     /* AF_UNSPEC, AF_INET, AF_INET6 */
	bool data_raw;  /* send bare LF/CR in message data unrepaired */
	struct tls_options tls;
	bool implicit_tls; /* --tls: handshake right after connecting */
	bool starttls;     /* --starttls: STARTTLS right after the first EHLO */
	bool auto_ehlo;    /* send EHLO again after STARTTLS (with --starttls) */
	/* A failed verification without --insecure pauses the connection,
	 * nothing sent, until client_tls_decide() (the TUI asks); false
	 * (line mode): it closes at once. */
	bool verify_ask;
	bool show_secrets; /* --show-secrets: SASL lines in the transcript as sent */
	bool trace;        /* --trace: every state change noted with its cause */
	bool raw;          /* --raw: every read and write as a hex dump */
	struct transport_connect_to connect_to; /* --connect-to rules */
};

void client_options_default(struct client_options *o);

enum client_conn { CLIENT_IDLE, CLIENT_CONNECTING, CLIENT_UP, CLIENT_DOWN };

/* Why a connection did not do what was asked; the batch exit status. */
enum client_failure {
	CLIENT_FAIL_NONE,
	CLIENT_FAIL_CONNECT, /* DNS, refused, unreachable, connect timeout */
	CLIENT_FAIL_LOST,    /* closed or reset while a reply was awaited */
	CLIENT_FAIL_TIMEOUT, /* the server went silent */
	CLIENT_FAIL_TLS,     /* handshake or verification failed: closed */
};

struct client;

struct client *client_new(struct loop *l, struct session *s,
			  const struct client_options *o);
void client_free(struct client *c);

/* Starts connecting to HOST[:PORT] or unix:PATH; returns false with *err
 * (caller frees) when the target is malformed.  An open connection is
 * closed.  Over a UNIX socket (and a --pipe program) there is no host
 * name: TLS sends --sni NAME and checks the certificate for it, else it
 * checks "localhost". */
bool client_connect(struct client *c, const char *target,
		    const char *default_port, char **err);
/* --pipe COMMAND, /connect --pipe: SMTP with a program run by /bin/sh -c
 * (transport-local.h); its standard error lines are notes ("stderr:"),
 * its exit status or signal is noted when it ends, it is killed when it
 * outlives the connection.  A program the shell cannot find or run (exit
 * status 127 or 126 before a byte came) is a connect failure.  False with
 * *err when the command is empty. */
bool client_connect_pipe(struct client *c, const char *command, char **err);
/* A connection to a named host at a given address: host is the name
 * (SNI, certificate checks, the report), address where to connect (an
 * address or a name; NULL: host).  --connect-to applies to host and
 * port first.  done(arg, connected) runs once when this connect ends
 * (from the loop; not when it is abandoned: a new connect, close,
 * client_free); it may start another connect.  more: another attempt
 * follows a failure, so it is a warning, not an error.  label ("MX 2
 * of 3"), kept until the next connect, is client_route_label()'s. */
struct client_route {
	const char *host, *port;
	const char *address;
	const char *label;
	/* DANE (RFC 7672): the host's TLSA records, when DANE applies to it;
	 * copied, so the TLS handshake of this connection verifies with them
	 * (tls.h, struct tls_dane).  NULL: Web-PKI verification. */
	const struct tls_dane *dane;
	/* Called after each TLS handshake of this connection that completed,
	 * once its report is in the session (before a failed verification
	 * is acted on); may be NULL. */
	void (*tls_done)(void *arg, const struct tls_conn *t);
	bool more;
	void (*done)(void *arg, bool connected);
	void *arg;
};
void client_connect_route(struct client *c, const struct client_route *r);
/* A route's done will not be called (its arg is going away). */
void client_route_forget(struct client *c, const void *arg);
/* The options the client was made with (--connect-to, -4/-6 ...). */
const struct client_options *client_options(const struct client *c);
/* The label of the current connection's route, or NULL. */
const char *client_route_label(const struct client *c);
/* How the last connect ended (TRANSPORT_OK, refused, timeout ...): typed,
 * so callers never read it from the message's words. */
enum transport_error client_connect_error(const struct client *c);
/* How a policy authenticated the peer of this connection ("MTA-STS-
 * verified", "MTA-STS FAILED"), for the status bar; copied, cleared by
 * the next connect; NULL clears it. */
void client_set_peer_auth(struct client *c, const char *text);
const char *client_peer_auth(const struct client *c);
/* --raw, /raw on|off: every read and write from now on recorded as a
 * SESSION_RAW event (inside TLS the decrypted bytes and the records they
 * came in); a write holding an AUTH secret is recorded without its bytes. */
void client_set_raw(struct client *c, bool on);
bool client_raw(const struct client *c);

/* Closes the connection from our side. */
void client_close(struct client *c, const char *why);

void client_command(struct client *c, const char *line);
/* AUTH driven by smtpscope: see smtp_auth_start(). */
void client_auth(struct client *c, const enum auth_mech *mechs, size_t n,
		 const char *user, const char *secret);
/* While in DATA: one typed line of the message, and its end. */
void client_data_line(struct client *c, const char *line);
void client_data_end(struct client *c);
/* Sends a whole message: DATA first unless a 354 is already in hand,
 * then the content (streamed, dot-stuffed, CRLF-repaired), then the dot.
 * client_send_message() takes typed lines separated by LF and shows
 * each in the transcript; a file is summarised in one event. */
bool client_send_file(struct client *c, const char *path, char **err);
/* /bdat: the file in BDAT chunks of `chunk` octets (0: 1 MiB), the last
 * one "BDAT n LAST"; pipelined when the server offers PIPELINING. */
bool client_send_bdat(struct client *c, const char *path, size_t chunk, char **err);
/* A composed message (CRLF already), sent as octets with DATA (the
 * transcript summarises it) or, with bdat, in BDAT chunks. */
void client_send_composed(struct client *c, const char *data, size_t len,
			  const char *label, bool bdat);
/* A message read piece by piece (a composed message too big to hold,
 * standard input): read(arg, p, n) gives up to n octets, 0 at its end, or
 * CLIENT_SOURCE_ERROR after saying why in the session (the connection is
 * then closed, so no truncated message is delivered); done(arg) once it
 * is no longer needed (also when the message never starts).  Sent as
 * octets with DATA, like a composed message, and summarised with label;
 * size, when known (else 0), is checked against SIZE. */
#define CLIENT_SOURCE_ERROR ((size_t)-1)
struct client_source {
	size_t (*read)(void *arg, char *p, size_t n);
	void (*done)(void *arg);
	void *arg;
};
void client_send_source(struct client *c, const struct client_source *src,
			unsigned long long size, const char *label);
/* /pipe: the lines in one write (smtp_pipeline). */
void client_pipeline(struct client *c, char *const *lines, size_t n);
void client_send_message(struct client *c, const char *data, size_t len,
			 const char *label);

/* Connecting, waiting for a reply, or with bytes still to send. */
bool client_busy(const struct client *c);
/* The whole message is sent and the reply to its end (the dot, BDAT
 * LAST) is awaited: how long so far, and how long it will be waited for. */
bool client_awaiting_dot(const struct client *c, int64_t *waited_ms, int64_t *limit_ms);
enum client_conn client_conn(const struct client *c);
enum client_failure client_failure(const struct client *c);
struct smtp *client_smtp(const struct client *c);
/* The TLS connection after a successful handshake (and, after a failed
 * verification, once the user chose to go on), or NULL. */
const struct tls_conn *client_tls(const struct client *c);
/* The local address of the connection ("192.0.2.1", "2001:db8::1"),
 * newly allocated; NULL when not connected. */
char *client_local_address(const struct client *c);
/* TLS went on with a certificate that was not verified (--insecure, or
 * the user said so). */
bool client_was_insecure(const struct client *c);
/* With verify_ask: while the connection is paused after a failed
 * verification, why it failed ("self-signed certificate"); else NULL. */
const char *client_tls_question(const struct client *c);
/* The answer: go on exactly as --insecure would, or close having sent
 * nothing over TLS.  Does nothing when no question is open. */
void client_tls_decide(struct client *c, bool go_on);
/* "host port N" as typed, "unix:PATH", "pipe: COMMAND" (escaped), or ""
 * when never connected. */
const char *client_target(const struct client *c);

#endif
