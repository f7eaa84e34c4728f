/* caps: the EHLO reply as a list of service extensions (RFC 5321 4.1.1.1,
 * and the RFCs of each extension).  Sans-I/O: built from a struct reply. */
#ifndef SMTPSCOPE_CAPS_H
#define SMTPSCOPE_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/reply.h"

/* Extensions smtpscope knows by name; everything else is CAP_OTHER and
 * kept as the server wrote it. */
enum cap_id {
	CAP_OTHER,
	CAP_SIZE,                /* RFC 1870 */
	CAP_AUTH,                /* RFC 4954 */
	CAP_STARTTLS,            /* RFC 3207 */
	CAP_PIPELINING,          /* RFC 2920 */
	CAP_8BITMIME,            /* RFC 6152 */
	CAP_SMTPUTF8,            /* RFC 6531 */
	CAP_CHUNKING,            /* RFC 3030 */
	CAP_BINARYMIME,          /* RFC 3030 */
	CAP_DSN,                 /* RFC 3461 */
	CAP_ENHANCEDSTATUSCODES, /* RFC 2034 */
	CAP_REQUIRETLS,          /* RFC 8689 */
	CAP_VRFY,
	CAP_ETRN,                /* RFC 1985 */
	CAP_HELP,
	CAP_DELIVERBY,           /* RFC 2852 */
	CAP_MTRK,                /* RFC 3885 */
	CAP__COUNT
};

struct cap {
	enum cap_id id;
	char *keyword;   /* upper-cased; "AUTH=LOGIN" is stored as AUTH */
	char *params;    /* the rest of the line as sent ("" if none) */
	char **argv;     /* params split at spaces */
	size_t argc;
	bool legacy;     /* written "KEYWORD=..." (old AUTH=LOGIN style) */
	bool malformed;  /* keyword has characters RFC 5321 does not allow */
};

struct caps {
	bool valid;          /* built from a 2xx EHLO reply */
	char *domain;        /* first line: the server's name for itself */
	char *greet;         /* first line: text after the domain */
	struct cap *items;
	size_t n;
	bool has[CAP__COUNT];
	bool size_declared;  /* SIZE with a number */
	unsigned long long size_max; /* 0 = no fixed limit announced */
};

void caps_init(struct caps *c);
void caps_free(struct caps *c);
/* Replaces c with the capabilities in an EHLO reply.  A non-2xx reply
 * gives an empty, invalid set. */
void caps_parse(struct caps *c, const struct reply *r);
const struct cap *caps_find(const struct caps *c, const char *keyword);
bool caps_has(const struct caps *c, enum cap_id id);
/* True if the AUTH extension lists mechanism mech (case-insensitive). */
bool caps_has_auth(const struct caps *c, const char *mech);
/* The canonical keyword for an id ("STARTTLS"), or NULL for CAP_OTHER. */
const char *caps_name(enum cap_id id);
/* A short one-line summary ("SIZE 10240000, PIPELINING, ...") into out. */
struct buf;
void caps_summary(const struct caps *c, struct buf *out);
/* What changed from before to after (e.g. before and after STARTTLS):
 * "+AUTH PLAIN LOGIN, ~SIZE 20480000 (was \"10240000\"), -STARTTLS" --
 * added keywords first in after's order, then removed ones.  Server text
 * is not escaped (the printer escapes).  Returns the number of changes. */
size_t caps_diff(const struct caps *before, const struct caps *after, struct buf *out);

#endif
