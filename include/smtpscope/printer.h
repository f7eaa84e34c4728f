/* printer: session events as plain text lines for line mode.
 *
 * Markers (as swaks users read them):
 *   "=== "  a local note, connection opened or closed
 *   " -> "  a line the client sent
 *   "<-  "  a line the server sent
 *   "  # "  what the reply above means
 *   "!!! "  a warning (out of sequence, malformed reply, ...)
 *   "*** "  an error (connection failed, timeout, ...)
 *   " ~> "  / "<~  "  sent / received inside TLS
 *   "~~~ "  the TLS layer (handshake, certificate, verification)
 *   "(insecure) " before every line of TLS with an unverified peer
 * Every server byte is escaped (util_escape) before it is printed. */
#ifndef SMTPSCOPE_PRINTER_H
#define SMTPSCOPE_PRINTER_H

#include <stdbool.h>

#include "smtpscope/kb.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

struct printer_options {
	bool timestamps;  /* prefix each line with the wall-clock time */
	bool timing;      /* append reply latency to annotations */
	bool annotate;    /* the "  # " line after each reply */
	const struct kb *kb; /* what the annotations are drawn from */
};

void printer_event(const struct printer_options *o,
		   const struct session_event *ev, struct buf *out);

#endif
