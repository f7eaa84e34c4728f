/* export: a session saved as a file for later — an annotated transcript
 * (.txt, exactly what line mode prints), JSON lines (.jsonl, one event
 * per line, fields documented in README.md) or a self-contained HTML
 * handout (.html: the transcript with its explanations and the ladder
 * diagram, inline CSS, no external assets, well-formed XHTML).  The
 * format follows the file name's extension.
 *
 * --raw dumps are kept in every format (as printed in .txt and .html; in
 * .jsonl an event of kind "raw" with a "raw" member: direction, byte
 * count, the bytes kept in hex, the TLS records); they never hold a
 * secret (session.h).
 *
 * Secrets are redacted in every format: the initial response of an AUTH
 * command and every line sent after a 334 become "***", and the event is
 * marked "redacted".  Server bytes are escaped (util_escape) and, in
 * HTML, entity-escaped as well. */
#ifndef SMTPSCOPE_EXPORT_H
#define SMTPSCOPE_EXPORT_H

#include <stdbool.h>

#include "smtpscope/printer.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

enum export_format { EXPORT_TXT, EXPORT_JSONL, EXPORT_HTML };

/* By extension (.txt, .jsonl, .html/.htm); false for any other. */
bool export_format_of(const char *path, enum export_format *f);
/* Renders the whole session (sans-I/O). */
void export_render(const struct session *s, const struct printer_options *o,
		   enum export_format f, struct buf *out);
/* One event as a line of the .jsonl format (redacted the same way), for
 * --json as the session goes. */
void export_jsonl_line(const struct session *s, const struct printer_options *o,
		       const struct session_event *ev, struct buf *out);
/* Writes it to path; false with *err (caller frees). */
bool export_save(const struct session *s, const struct printer_options *o,
		 const char *path, char **err);

#endif
