/* front: what both front-ends (batch and the TUI) share.  It owns the
 * loop, the session, the client and the command context, and a queue of
 * input lines that it runs one at a time, each only once the replies the
 * previous one asked for have arrived, so the transcript reads in order.
 * After /data, lines are collected as a message up to a lone "."; after a
 * 354, lines are message content sent as they come. */
#ifndef SMTPSCOPE_FRONT_H
#define SMTPSCOPE_FRONT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/client.h"
#include "smtpscope/cmd.h"
#include "smtpscope/dns.h"
#include "smtpscope/printer.h"
#include "smtpscope/replay.h"
#include "smtpscope/util.h"

struct demo_ctl;

struct front;

/* What a session is run with, by either front-end (main fills it). */
struct front_options {
	const char *target;          /* HOST[:PORT] or unix:PATH, or NULL for none */
	const char *pipe;            /* --pipe COMMAND: a program instead, or NULL */
	const char *default_port;
	struct client_options client;
	struct printer_options print;
	struct cmd_auth_options auth;
	int in_fd, out_fd;
	const char *intro;           /* a note to print first, or NULL */
	bool interactive;            /* reading a person at a terminal */
	struct demo_ctl *demo;       /* the built-in server (/scenario), or NULL */
	struct kb *kb;               /* print.kb, which /lang reloads in place */
	const char *save;            /* --save FILE: export the session at the end */
	const char *replay;          /* --replay FILE: run its lines first */
	struct dns_options dns;      /* /dns: --resolver, --recursive, ... */
	bool dane;                   /* --dane: TLSA first, verified by DANE */
	bool json;                   /* --json: line mode prints JSON lines */
	/* More input, asked for when nothing is awaited and no typed line
	 * waits (a one-shot transaction's next step): true when it queued a
	 * line or started something, false when it has nothing (now or
	 * ever: the front then goes on as without it). */
	bool (*feed)(void *arg, struct front *f);
	void *feed_arg;
	/* Called once the connection is under way, before any reply is in:
	 * makes print.kb ready (main reads it on another thread, so that
	 * reading it overlaps the start, the connect and the wait for the
	 * greeting); NULL when print.kb is ready already. */
	void (*load_kb)(void *ctx);
	void *load_kb_ctx;
};

struct front {
	struct loop *loop;
	struct session *session;
	struct client *client;
	struct cmd_ctx ctx;
	struct buf in;        /* queued input, lines ending in LF */
	bool in_eof;          /* no more input will come */
	bool done;            /* the front-end should exit */
	bool interactive;     /* a person types: empty lines are ignored */
	bool eof_quit_sent;
	struct buf message;   /* /data lines collected so far */
	/* A script's DATA typed as a raw line: checked when its reply is
	 * in; without a 354 the lines up to the lone "." are message lines
	 * held back, never sent as commands (lines of a script, or typed
	 * ahead of the refusal; not what a person types after seeing it). */
	bool data_sent;
	bool holding;
	size_t held;          /* lines held back so far */
	size_t ahead;         /* queued lines typed while replies were awaited */
	struct replay replay; /* /replay in progress */
	size_t guided;        /* /guide: the reply event hinted last, + 1 */
	bool (*feed)(void *arg, struct front *f); /* front_options' */
	void *feed_arg;
	int exit_status;      /* decided by the feed (a one-shot's MX that is
			       * no host: could not connect), or 0 */
};

/* Creates the loop, session and client; listener gets every event. */
void front_init(struct front *f, const struct front_options *o,
		session_listener listener, void *listener_ctx);
/* Shows the intro and connects to the target, if any. */
void front_start(struct front *f, const struct front_options *o);
void front_free(struct front *f);

/* Queues input bytes / one whole line (no line ending). */
void front_add_input(struct front *f, const char *p, size_t n);
void front_queue_line(struct front *f, const char *line);
/* Does the next piece of work that needs no waiting: runs a queued line
 * when idle, finishes /quit, handles the end of input.  Returns false
 * when the caller should wait for events (loop_once). */
bool front_work(struct front *f);
/* Nothing is awaited from the server. */
bool front_idle(const struct front *f);
/* SIGINT, SIGTERM or SIGHUP arrived (the front-ends' loop_signals
 * handler): the session ends without QUIT, its connection is closed (a
 * --pipe program with it) as the front-end is freed, and the process
 * then ends by that signal (front_reraise), as a parent expects of a
 * program it signalled. */
void front_signalled(struct front *f, int signo);
/* After everything is freed and the terminal restored: ends the process
 * by the signal front_signalled() saw, if any; returns otherwise. */
void front_reraise(void);
/* A message is being typed (/data) or sent line by line (after a 354). */
bool front_in_message(const struct front *f);
/* The queue of typed lines, for the TUI: how many wait; dropping them
 * all (Ctrl-C, quit); whether one of them may carry a secret (an /auth or
 * AUTH line typed ahead, so what follows stays out of the history). */
size_t front_queued_lines(const struct front *f);
void front_drop_queued(struct front *f);
bool front_queued_secret(const struct front *f);
/* F8: one more /replay step, if a replay waits for the user. */
void front_replay_step(struct front *f);
/* Drops the message in progress: /data lines are forgotten; after a 354
 * the connection is closed, since SMTP has no way to take DATA back. */
void front_abandon_message(struct front *f, const char *why);

#endif
