/* data: message content for DATA (RFC 5321 4.1.1.4, 4.5.2, 4.5.3.1.6).
 * Streams bytes in pieces of any size: normalises line endings to CRLF
 * (counting bare LF and bare CR), doubles a leading dot (transparency),
 * flags lines over 998 octets, and ends with CRLF "." CRLF. */
#ifndef SMTPSCOPE_DATA_H
#define SMTPSCOPE_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/util.h"

/* RFC 5321 4.5.3.1.6: 1000 octets per text line including CRLF. */
#define DATA_LINE_MAX 998

/* The header section of a message as it streams past (RFC 5322 2.1: the
 * header fields, then an empty line, then the body; 2.2: a field is a
 * name, a colon and a value, continued on lines that start with white
 * space; 3.6: Date and From are required, Message-ID SHOULD be there),
 * for the client-mistake warnings (data-headers.c).  Only the header
 * section is looked at: the body costs one test per call. */
#define DATA_HEADER_SCAN 128  /* the most of a line kept to read its name */
#define DATA_HEADER_SHOW 40   /* the most of a wrong line kept to show it */
struct data_headers {
	bool in_header;        /* no empty line yet */
	bool blank_seen;       /* an empty line ended the header section */
	bool mid_line;         /* bytes of the current line seen */
	size_t line;           /* the current line's number (1-based) */
	char cur[DATA_HEADER_SCAN];
	size_t cur_len;        /* bytes of the line kept in cur */
	size_t fields;         /* header fields seen */
	size_t bad_line;       /* the first line there that is no field, 0: none */
	char bad[DATA_HEADER_SHOW + 4];  /* "..." after a cut one */
	bool date, from, message_id;
};

void data_headers_init(struct data_headers *h);
/* n more input bytes (line ends LF or CRLF). */
void data_headers_feed(struct data_headers *h, const char *p, size_t n);
/* The message ended: a last line without its line end counts too. */
void data_headers_finish(struct data_headers *h);

struct data_encoder {
	bool raw;              /* keep bare LF/CR as they are (still counted) */
	bool at_line_start;
	bool pending_cr;       /* a CR was the last byte seen */
	size_t line_len;       /* octets in the current line so far */
	/* What was seen, for the warnings the caller shows. */
	size_t lines;          /* lines completed */
	size_t stuffed;        /* lines whose leading dot was doubled */
	size_t bare_lf;        /* LF without CR, turned into CRLF */
	size_t bare_cr;        /* CR without LF, turned into CRLF */
	size_t long_lines;     /* lines over DATA_LINE_MAX */
	size_t first_long_line; /* 1-based number of the first such line */
	size_t eight_bit;      /* octets with the 8th bit set (RFC 6152) */
	size_t in_bytes, out_bytes;
	bool had_nul;
	struct data_headers hdr;  /* the input's header section */
};

void data_encoder_init(struct data_encoder *d);
/* Appends the encoded form of n input bytes to out. */
void data_encode(struct data_encoder *d, const char *in, size_t n,
		 struct buf *out);
/* Ends the message: a CRLF if the last line had none, then ".\r\n". */
void data_finish(struct data_encoder *d, struct buf *out);

#endif
