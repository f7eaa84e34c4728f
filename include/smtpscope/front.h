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

#include "smtpscope/batch.h"
#include "smtpscope/cmd.h"
#include "smtpscope/replay.h"
#include "smtpscope/util.h"

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
	struct replay replay; /* /replay in progress */
	size_t guided;        /* /guide: the reply event hinted last, + 1 */
};

/* Creates the loop, session and client; listener gets every event. */
void front_init(struct front *f, const struct batch_options *o,
		session_listener listener, void *listener_ctx);
/* Shows the intro and connects to the target, if any. */
void front_start(struct front *f, const struct batch_options *o);
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
/* A message is being typed (/data) or sent line by line (after a 354). */
bool front_in_message(const struct front *f);
/* Drops the message in progress: /data lines are forgotten; after a 354
 * the connection is closed, since SMTP has no way to take DATA back. */
void front_abandon_message(struct front *f, const char *why);

#endif
