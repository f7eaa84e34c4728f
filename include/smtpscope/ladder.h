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

#include <stddef.h>

#include "smtpscope/session.h"
#include "smtpscope/util.h"

#define LADDER_MIN_WIDTH 40
#define LADDER_DEFAULT_WIDTH 72

/* The reply code on a ladder line (for colouring), or 0. */
int ladder_line_code(const char *line, size_t len);
/* Appends the diagram, lines ending in '\n', at most width columns. */
void ladder_render(const struct session *s, size_t width, struct buf *out);

#endif
