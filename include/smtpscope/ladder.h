/* ladder: the session as a client <-> server sequence diagram in plain
 * ASCII, for a projector, the /ladder command and the HTML handout.
 *
 *   client                                                 server
 *     |-- EHLO me.example ------------------------------------>|
 *     |<----------------------------------- 250 demo.test Hello |
 *     |================ TLS started: TLSv1.3 ==================|
 *     |~~ EHLO me.example ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~>|
 *
 * Sent lines go right, replies left (their code first), message content
 * is one arrow, "~" arrows travelled inside TLS.  Server text is shown as
 * printable ASCII only.  Sans-I/O: reads a session, writes a buffer. */
#ifndef SMTPSCOPE_LADDER_H
#define SMTPSCOPE_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/session.h"
#include "smtpscope/util.h"

#define LADDER_MIN_WIDTH 40
#define LADDER_DEFAULT_WIDTH 72

/* A diagram drawn as the session grows: events are append-only, so the
 * lines of the events drawn so far never change (the TUI's ladder view
 * appends only what is new). */
struct ladder {
	size_t width;
	size_t next;        /* the first event not drawn yet */
	size_t msg_lines;   /* message content lines since the 354 */
	bool in_message, msg_tls;
};

/* The reply code on a ladder line (for colouring), or 0. */
int ladder_line_code(const char *line, size_t len);
/* Starts a diagram at most width columns wide: appends its header line. */
void ladder_start(struct ladder *l, size_t width, struct buf *out);
/* Appends the lines of the events not drawn yet, each ending in '\n'. */
void ladder_update(struct ladder *l, const struct session *s, struct buf *out);
/* The whole diagram at once (start + update). */
void ladder_render(const struct session *s, size_t width, struct buf *out);

#endif
