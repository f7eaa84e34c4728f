/* compose: a standards-conforming test message, sans-I/O (RFC 5322
 * header fields Date, Message-ID, From, To, Subject, MIME-Version; RFC
 * 2045-2047 MIME: non-ASCII header text as encoded-words, text and
 * attachments as base64 parts of a multipart/mixed, RFC 2231 for a
 * non-ASCII file name).  The caller reads the files and supplies the
 * time and the random part of the Message-ID and MIME boundary. */
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
	const char *body;      /* NULL: a short default text */
	size_t body_len;
	const struct compose_part *parts;
	size_t nparts;
	time_t date;
	const char *unique;    /* [A-Za-z0-9.]+, for Message-ID and boundary */
};

/* Appends the whole message, CRLF line endings, no line over 78 octets
 * except a From/To address that is itself longer. */
void compose_message(const struct compose_options *o, struct buf *out);
/* "Name: value" folded, the value as RFC 2047 B encoded-words of UTF-8
 * when it holds anything but printable ASCII; ends with CRLF. */
void compose_header(struct buf *out, const char *name, const char *value);

#endif
