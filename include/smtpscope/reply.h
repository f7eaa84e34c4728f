/* reply: incremental parser for SMTP replies (RFC 5321 section 4.2).
 *
 * Sans-I/O: bytes go in with reply_parser_feed() in pieces of any size
 * (one byte at a time, or several replies in one read); complete replies
 * come out of reply_parser_next() in the order they arrived.  The parser
 * is lenient but diagnosing: every deviation from the RFC is recorded as
 * a defect on the reply it belongs to, and the parser stays in step.
 *
 * The raw bytes of each reply are kept exactly as received (up to
 * REPLY_MAX_BYTES); nothing here escapes or interprets them. */
#ifndef SMTPSCOPE_REPLY_H
#define SMTPSCOPE_REPLY_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including CRLF.
 * Longer lines are flagged (REPLY_DEFECT_LONG_LINE) but still accepted. */
#define REPLY_RFC_LINE_MAX 512
/* Bytes of one line we keep.  Beyond this the rest of the line is
 * discarded up to its LF (REPLY_DEFECT_LINE_TRUNCATED). */
#define REPLY_MAX_LINE 4096
/* Lines of one reply we keep: the first REPLY_MAX_LINES - 1 and always the
 * last one (it ends the reply and often carries a capability).  The lines
 * between are read and discarded (REPLY_DEFECT_TOO_MANY_LINES); the reply
 * says which (dropped_first .. dropped_last, dropped_bytes). */
#define REPLY_MAX_LINES 256
/* Raw bytes of one reply we keep, in whole lines.  A line that would go
 * past this (less room for the last line) is dropped with every line after
 * it but the last (REPLY_DEFECT_TOO_BIG); raw then holds the kept lines
 * only, so printing raw shows exactly what lines[] holds. */
#define REPLY_MAX_BYTES (64 * 1024)
/* Defects recorded per reply; more are counted, not stored. */
#define REPLY_MAX_DEFECTS 32

enum reply_defect_kind {
	REPLY_DEFECT_BARE_LF,        /* line ended with LF, not CRLF */
	REPLY_DEFECT_BARE_CR,        /* CR not followed by LF inside a line */
	REPLY_DEFECT_MIXED_CODES,    /* a line's code differs from the first */
	REPLY_DEFECT_NO_SEPARATOR,   /* 4th octet is neither SP nor '-' */
	REPLY_DEFECT_BAD_CODE,       /* line does not start with a 3-digit code
				      * ("25", "25O", "2500" are not codes) */
	REPLY_DEFECT_CODE_RANGE,     /* digits outside 2-5 / 0-5 / 0-9 */
	REPLY_DEFECT_LONG_LINE,      /* over 512 octets including CRLF */
	REPLY_DEFECT_LINE_TRUNCATED, /* over REPLY_MAX_LINE: rest dropped */
	REPLY_DEFECT_NUL,            /* NUL octet in the text */
	REPLY_DEFECT_8BIT,           /* octet >= 0x80 in the text */
	REPLY_DEFECT_CONTROL,        /* other control octet (ESC, ...) */
	REPLY_DEFECT_TOO_MANY_LINES, /* over REPLY_MAX_LINES */
	REPLY_DEFECT_TOO_BIG,        /* over REPLY_MAX_BYTES */
	REPLY_DEFECT_INCOMPLETE,     /* connection ended inside the reply */
	REPLY_DEFECT_ENHANCED_CLASS, /* enhanced code's class != 1st digit */
	REPLY_DEFECT__COUNT
};

struct reply_defect {
	enum reply_defect_kind kind;
	size_t line; /* 1-based line number within the reply */
};

struct reply_line {
	char *text;  /* after the code and separator, CRLF removed; NUL-ended */
	size_t len;  /* may contain NUL octets, so use len */
	int code;    /* this line's own code, -1 if it had none */
	char sep;    /* '-', ' ', or 0 (none / other) */
};

/* Enhanced status code (RFC 3463), as found at the start of the text of
 * the first line (RFC 2034 section 4). */
struct reply_enhanced {
	bool present;
	int cls, subject, detail;
};

struct reply {
	int code;              /* first line's code; -1 if it had no code */
	bool valid;            /* code has digits 2-5, 0-5, 0-9 (RFC 5321 4.2):
				* only then does it say success or failure */
	struct reply_enhanced enhanced;
	struct reply_line *lines;
	size_t nlines;         /* lines kept (at most REPLY_MAX_LINES) */
	size_t lines_seen;     /* lines read, kept or not */
	char *raw;             /* the bytes as received, NUL-ended */
	size_t raw_len;        /* bytes kept (at most REPLY_MAX_BYTES) */
	size_t raw_seen;       /* bytes read, kept or not */
	size_t dropped_first;  /* 1-based lines not kept: first .. last */
	size_t dropped_last;   /* (0 when every line was kept) */
	size_t dropped_bytes;  /* their bytes on the wire */
	struct reply_defect defects[REPLY_MAX_DEFECTS];
	size_t ndefects;       /* stored */
	size_t defects_seen;   /* including those not stored */
};

struct reply_parser;

struct reply_parser *reply_parser_new(void);
void reply_parser_free(struct reply_parser *p);
/* Consumes all n bytes; completed replies are queued. */
void reply_parser_feed(struct reply_parser *p, const char *data, size_t n);
/* The next complete reply (caller owns it), or NULL. */
struct reply *reply_parser_next(struct reply_parser *p);
/* At end of input: a reply cut short becomes a complete reply flagged
 * REPLY_DEFECT_INCOMPLETE.  Returns true if one was produced. */
bool reply_parser_finish(struct reply_parser *p);
/* Bytes of an unfinished reply held by the parser, and the number of
 * completed replies still queued: together they say whether the server
 * sent more than was asked for (the STARTTLS injection check). */
size_t reply_parser_pending_bytes(const struct reply_parser *p);
size_t reply_parser_queued(const struct reply_parser *p);
/* Forgets everything buffered and queued (returns the bytes dropped). */
size_t reply_parser_reset(struct reply_parser *p);

void reply_free(struct reply *r);
bool reply_has_defect(const struct reply *r, enum reply_defect_kind kind);
/* A short human description of a defect kind, e.g. "bare LF line ending". */
const char *reply_defect_name(enum reply_defect_kind kind);
/* The enhanced code as text ("5.1.1"), or "" if none.  buf >= 16 bytes. */
const char *reply_enhanced_str(const struct reply *r, char *buf, size_t size);
/* 2..5 for a valid code, otherwise 0: a malformed code ("2500", "600",
 * "260", no code) is never a success, a stage outcome or an answer. */
int reply_class(const struct reply *r);

#endif
