/* compose: a standards-conforming test message, sans-I/O (RFC 5322
 * header fields Date, Message-ID, From, To, Subject, MIME-Version; RFC
 * 2045-2047 MIME: non-ASCII header text as encoded-words, text and
 * attachments as base64 parts of a multipart/mixed, RFC 2231 for a
 * non-ASCII file name).  The caller reads the files and supplies the
 * time and the random part of the Message-ID and MIME boundary.
 *
 * Whole (compose_message) or piece by piece, for content too big to hold
 * (a 50 MB body file): the head, each part's content through an encoder
 * fed as it is read, each attachment's part header, the tail. */
#ifndef SMTPSCOPE_COMPOSE_H
#define SMTPSCOPE_COMPOSE_H

#include <stddef.h>
#include <time.h>

#include "smtpscope/util.h"

struct compose_part {
	const char *name;      /* the file name shown to the recipient */
	const char *data;
	size_t len;
};

struct compose_options {
	const char *from;      /* an address, or "Name <address>" */
	const char *const *to;
	size_t nto;
	const char *subject;   /* UTF-8 */
	const char *body;      /* NULL: COMPOSE_DEFAULT_BODY */
	size_t body_len;
	const struct compose_part *parts;
	size_t nparts;
	time_t date;
	const char *unique;    /* [A-Za-z0-9.]+, for Message-ID and boundary */
	/* "Name: value" lines (compose_header_check() said yes): one named
	 * like a field of ours (Date, Message-ID, From, To, Subject,
	 * MIME-Version) takes its place, the others follow MIME-Version. */
	const char *const *headers;
	size_t nheaders;
	/* --add-header: "Name: value" fields added after all the others,
	 * whatever their names; one argument may hold several, separated by
	 * a literal "\n" (backslash, n), as swaks takes them. */
	const char *const *add_headers;
	size_t nadd_headers;
};

/* The next field of an --add-header argument (allocated), or NULL after
 * the last; *p moves past it and its "\n" separator. */
char *compose_add_next(const char **p);

#define COMPOSE_DEFAULT_BODY "This is a test message composed by smtpscope.\r\n"

/* Base64 body lines: 57 octets make 76 characters (RFC 2045 6.8). */
#define COMPOSE_B64_LINE 57

/* Content encoded as it comes: text has its line breaks made CRLF (a
 * lone CR or LF too) and ends in one; base64 goes in lines of 76.  With
 * out NULL nothing is written and count adds up the octets that would be. */
struct compose_enc {
	bool text, base64;
	bool cr;    /* text: the last octet was a CR, its CRLF is out */
	bool open;  /* text: octets since the last line break */
	unsigned char held[COMPOSE_B64_LINE];
	size_t nheld;
	unsigned long long count;
};
void compose_enc_init(struct compose_enc *e, bool text, bool base64);
void compose_enc_add(struct compose_enc *e, const char *p, size_t n, struct buf *out);
void compose_enc_end(struct compose_enc *e, struct buf *out);

/* Whether text can go as 7bit (ASCII without NUL, lines of at most 998
 * octets), fed as it comes. */
struct compose_scan {
	size_t col;
	bool not_7bit;
};
void compose_scan_add(struct compose_scan *s, const char *p, size_t n);

/* The octets base64 in lines of 76 makes of n octets. */
unsigned long long compose_b64_size(unsigned long long n);

/* The pieces of compose_message, in order: the header and the text
 * part's header (seven: the text goes as 7bit, else base64), then the
 * text through compose_enc(text, !seven); for each attachment its part
 * header, then its octets through compose_enc(false, true); the tail. */
void compose_head(const struct compose_options *o, bool seven, struct buf *out);
void compose_part_head(const struct compose_options *o, size_t i, struct buf *out);
void compose_tail(const struct compose_options *o, struct buf *out);

/* Whether a "Name: value" line can be a header field of ours. */
enum compose_header_error {
	COMPOSE_HEADER_OK,
	COMPOSE_HEADER_NO_COLON,   /* no "Name:" */
	COMPOSE_HEADER_BAD_NAME,   /* empty, over 76, or not printable ASCII */
	COMPOSE_HEADER_LINE_BREAK, /* CR, LF or NUL in the value */
	COMPOSE_HEADER_MIME,       /* Content-Type / -Transfer-Encoding: ours */
};
enum compose_header_error compose_header_check(const char *line);

/* Appends the whole message, CRLF line endings, no line over 78 octets
 * except a From/To address that is itself longer. */
void compose_message(const struct compose_options *o, struct buf *out);
/* "Name: value" folded, the value as RFC 2047 B encoded-words of UTF-8
 * when it holds anything but printable ASCII; ends with CRLF. */
void compose_header(struct buf *out, const char *name, const char *value);

#endif
