/* client-private: what client.c (the connection, replies, TLS) and
 * client-message.c (message content streamed after 354 or in BDAT
 * chunks) share.  Not part of the client API. */
#ifndef SMTPSCOPE_CLIENT_PRIVATE_H
#define SMTPSCOPE_CLIENT_PRIVATE_H

#include "smtpscope/client.h"
#include "smtpscope/reply.h"
#include "smtpscope/stream.h"
#include "smtpscope/tls.h"
#include "smtpscope/transport.h"
#include "smtpscope/util.h"

/* Read at most this many chunks per wake-up, so one flooding server cannot
 * starve the rest of the loop. */
#define CLIENT_READ_CHUNK 16384
#define CLIENT_READS_PER_WAKE 16
/* Refill the output from a message source below this much queued. */
#define CLIENT_OUT_LOW 65536
/* /bdat without a chunk size. */
#define CLIENT_BDAT_CHUNK (1024 * 1024)

/* What the connection runs over (client-local.c for the last two). */
enum client_via { CLIENT_VIA_NET, CLIENT_VIA_UNIX, CLIENT_VIA_PIPE };

struct client {
	enum transport_error connect_error; /* the last connect's outcome */
	struct loop *loop;
	struct session *session;
	struct client_options opt;
	struct smtp *smtp;
	struct reply_parser *parser;
	struct transport_connect *connecting;
	struct stream *stream;
	enum client_conn conn;
	enum client_failure failure;
	struct buf out;
	unsigned timer;
	/* A plain connection with nothing from the server after a while: a
	 * hint that the port may expect TLS from the first byte. */
	unsigned silent_timer;
	bool heard;            /* some byte came since the connect */
	bool tls_port;         /* 465 / submissions: TLS from the first byte */
	char *target;
	char *host;            /* as typed: what TLS verifies */
	char *route_label;     /* "MX 2 of 3", or NULL */
	char *peer_auth;       /* client_set_peer_auth(), or NULL */
	void (*route_tls_done)(void *arg, const struct tls_conn *t);
	/* the route's DANE records, copied (dane.records and each data);
	 * opt.tls.dane points here while they apply */
	struct tls_dane dane;
	struct tls_dane_record *dane_records;
	char *dane_base;
	bool route_more;       /* a failure is followed by another attempt */
	void (*route_done)(void *arg, bool connected);
	void *route_arg;
	/* TLS: the connection is owned by the stream once pushed. */
	struct tls_conn *tls;
	bool tls_hs;           /* handshake in progress */
	bool tls_asking;       /* not verified: paused until client_tls_decide() */
	bool tls_implicit;     /* --tls: no STARTTLS, the greeting follows */
	bool starttls_sent;    /* --starttls sent it on the user's behalf */
	char *ehlo_arg;        /* the last EHLO/HELO argument, for EHLO again */
	bool ehlo_lmtp;
	bool was_insecure;     /* went on with an unverified certificate */
	/* A message waiting for its 354, or being streamed after it. */
	bool msg_pending;      /* DATA sent on our behalf, 354 awaited */
	bool msg_streaming;
	int msg_fd;            /* file source, or -1 */
	char *msg_mem;         /* buffer source */
	size_t msg_len, msg_off;
	char *msg_label;
	struct client_source msg_src; /* client_send_source(), or all NULL */
	bool msg_src_failed;          /* its read said CLIENT_SOURCE_ERROR */
	/* /bdat: chunks of bdat_chunk octets, each with its exact count. */
	bool msg_bdat;
	bool msg_quiet;        /* a buffer sent as octets, not as typed lines */
	size_t bdat_chunk;
	unsigned long long bdat_size, bdat_sent;
	char *bdat_buf;
	/* unix:PATH and --pipe (client-local.c): the program, kept after
	 * the connection until it is reaped; its end of file waits for its
	 * exit status (eof_held), so "command not found" is said as such. */
	enum client_via via;
	struct transport_child *child;
	bool eof_held;
	unsigned eof_timer;
	unsigned child_err_lines;
	/* --raw (client-raw.c): bytes ever queued and written on this
	 * connection, counted so a write is known to hold a secret when it
	 * overlaps [raw_secret_from, raw_secret_to), the bytes queued along
	 * with a line the session redacts. */
	unsigned long long raw_marked, raw_written;
	size_t raw_kept;       /* bytes the dumps kept (SESSION_RAW_BUDGET) */
	unsigned long long raw_secret_from, raw_secret_to;
	size_t raw_seen_ev;    /* session events already looked at */
	struct buf raw_tmp;
};

/* The message source is done with (closed, freed). */
void client_msg_clear(struct client *c);
/* A line was queued for sending: flush, arm the timer. */
void client_sent(struct client *c);
/* May the next BDAT chunk go now (pipelined, or the last one answered)? */
bool client_bdat_may_send(const struct client *c);
/* Moves message content into the output buffer while there is room. */
void client_pump_message(struct client *c);
/* --raw (client-raw.c): before a write, the bytes queued since the last
 * call looked at for secrets; after a read or write, its raw dump; at a
 * teardown, the counts start again. */
void client_raw_mark(struct client *c);
void client_raw_read(struct client *c, const char *p, size_t n);
void client_raw_wrote(struct client *c, const char *p, size_t n);
void client_raw_reset(struct client *c);

/* client.c: the connection is gone (teardown, state CLOSED); the peer
 * closed it (what it means depends on what was awaited). */
void client_down(struct client *c);
void client_on_eof(struct client *c);
/* client.c: what every connect starts with: the connection before
 * closed, its program ended, the route's fields kept; target is taken. */
void client_begin(struct client *c, const struct client_route *r, char *target);
/* client.c: starts connecting to t (client_on_connected follows). */
void client_dial(struct client *c, const struct transport_target *t);

/* client-local.c */
void client_connect_local(struct client *c, const struct transport_target *t);
/* The connect succeeded: res->child (if any) is taken and watched. */
void client_local_connected(struct client *c, struct transport_result *res);
/* The peer closed while its program still runs: true when the end of
 * file waits for the program's exit (or a short while). */
bool client_local_hold_eof(struct client *c);
/* The connection is torn down: the program gets its SIGTERM clock. */
void client_local_teardown(struct client *c);
/* The program of the connection before: killed if it runs, reaped,
 * forgotten (report: say so in the session). */
void client_local_drop(struct client *c, bool report);
/* Down, with the program not reaped yet. */
bool client_local_busy(const struct client *c);
/* TLS begins: over a UNIX socket or a program, which name is checked. */
void client_local_tls_note(struct client *c);
/* Nothing heard a while after connecting: true when it said why. */
bool client_local_silent(struct client *c, int seconds);

#endif
