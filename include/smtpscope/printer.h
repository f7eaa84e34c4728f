/* printer: session events as transcript lines, each one typed.
 *
 * An event becomes one or more lines, and every line comes with what it
 * is (struct printer_line: its kind, a reply's class, TLS), so callers
 * colour, class or read lines by kind, never by looking at their text.
 * The text is the line as line mode prints it, with the markers swaks
 * users read:
 *   "=== "  PRINTER_NOTE     a local note, connection opened or closed
 *   " -> "  PRINTER_SENT     a line the client sent (" ~> " inside TLS)
 *   "<-  "  PRINTER_REPLY    a line the server sent ("<~  " inside TLS)
 *   "  # "  PRINTER_EXPLAIN  what the reply (or TLS failure) above means
 *   "!!! "  PRINTER_WARN     a warning (out of sequence, malformed reply, ...)
 *   "*** "  PRINTER_ERROR    an error (connection failed, timeout, TLS failure)
 *   "~~~ "  PRINTER_TLS      the TLS layer (handshake, certificate, verification)
 *   "  | "  PRINTER_RAW      --raw: a read or write ("read 37 bytes"), then
 *                            its bytes as hex + ASCII rows (hexdump.h)
 * preceded by the time ("HH:MM:SS.mmm ", UTC) with `timestamps`, and by
 * "(insecure) " on every line of TLS with an unverified peer.
 * Every server byte is escaped (util_escape) before it is printed. */
#ifndef SMTPSCOPE_PRINTER_H
#define SMTPSCOPE_PRINTER_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/kb.h"
#include "smtpscope/session.h"
#include "smtpscope/util.h"

struct printer_options {
	bool timestamps;  /* prefix each line with the wall-clock time */
	bool timing;      /* append reply latency to annotations */
	bool annotate;    /* the "  # " line after each reply */
	const struct kb *kb; /* what the annotations are drawn from */
	size_t raw_per_row;  /* bytes per row of a raw dump (0: 16) */
};

enum printer_kind {
	PRINTER_NOTE,
	PRINTER_SENT,
	PRINTER_REPLY,
	PRINTER_EXPLAIN,
	PRINTER_WARN,
	PRINTER_ERROR,
	PRINTER_TLS,
	PRINTER_RAW,
};

struct printer_line {
	enum printer_kind kind;
	int reply_class;   /* PRINTER_REPLY: 2..5, the code's first digit;
			    * 0 for any other code and any other kind */
	bool encrypted;    /* the event travelled inside TLS ("~>", "<~") */
	bool insecure;     /* marked "(insecure) ": TLS, peer not verified */
	const char *text;  /* the whole line as printed, without its '\n' */
	size_t len;
	size_t body;       /* text + body: after the time, "(insecure) " and
			    * the marker */
};

/* Called once per line, in order; line->text lives during the call only. */
typedef void (*printer_emit)(void *ctx, const struct printer_line *line);

void printer_event_lines(const struct printer_options *o, const struct session_event *ev,
			 printer_emit emit, void *ctx);
/* The lines as line mode prints them, each ending in '\n'; appended. */
void printer_event(const struct printer_options *o,
		   const struct session_event *ev, struct buf *out);

/* An event's lines, kept: text holds them one after another, each ending
 * in '\n'; line[i].text points into it. */
struct printer_lines {
	struct printer_line *line;
	size_t n, cap;
	struct buf text;
};

void printer_lines_init(struct printer_lines *l);
/* Replaces l's contents with the lines of ev. */
void printer_collect(const struct printer_options *o, const struct session_event *ev,
		     struct printer_lines *l);
void printer_lines_free(struct printer_lines *l);

/* Reads a line of a saved transcript (.txt) back: its kind, encrypted,
 * insecure, reply class and body, with text = line.  False if it bears
 * no marker. */
bool printer_parse(const char *line, size_t len, struct printer_line *out);

#endif
