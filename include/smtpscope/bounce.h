/* bounce: a bounce message (a delivery status notification) as received
 * -> who failed, how, where, and the server's words.  Sans-I/O.
 *
 * RFC 3464's multipart/report with a message/delivery-status part
 * (Reporting-MTA, Final-Recipient, Original-Recipient, Action, Status,
 * Remote-MTA, Diagnostic-Code, folded lines), and the common bounces that
 * are not RFC 3464: Postfix's, Exim's, qmail's, Sendmail's, Microsoft's,
 * Gmail's, Yahoo's, read from their human-readable text.  Headers are
 * unfolded, MIME parts split on their boundary, quoted-printable and
 * base64 parts decoded; every size is bounded and every string handed
 * out is escaped (util_escape), since the message is untrusted. */
#ifndef SMTPSCOPE_BOUNCE_H
#define SMTPSCOPE_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/verb.h"

/* Input above this is refused (BOUNCE_TOO_BIG). */
#define BOUNCE_MAX_INPUT (8u * 1024 * 1024)
/* Recipients kept per message. */
#define BOUNCE_MAX_RCPTS 256

enum bounce_format {
	BOUNCE_RFC3464,     /* multipart/report; report-type=delivery-status */
	BOUNCE_POSTFIX, BOUNCE_EXIM, BOUNCE_QMAIL, BOUNCE_SENDMAIL,
	BOUNCE_MICROSOFT, BOUNCE_GMAIL, BOUNCE_YAHOO,
	BOUNCE_OTHER,       /* recognised as a bounce by its words only */
	BOUNCE__COUNT
};

enum bounce_result {
	BOUNCE_OK,
	BOUNCE_EMPTY,       /* no bytes, or only white space */
	BOUNCE_BINARY,      /* NUL bytes or mostly non-text: not a message */
	BOUNCE_NOT_MESSAGE, /* no RFC 5322 header block */
	BOUNCE_NOT_BOUNCE,  /* a message, but no failed recipient in it */
	BOUNCE_TOO_BIG,     /* over BOUNCE_MAX_INPUT */
};

struct bounce_rcpt {
	char *recipient;        /* Final-Recipient's address (or the body's) */
	char *original;         /* Original-Recipient's, or NULL */
	char *action;           /* "failed", "delayed" ... lower case, or NULL */
	/* "5.1.1", or NULL: the reply's enhanced code when its class agrees
	 * with the Status field's (a reporting MTA often sums up as X.0.0,
	 * or gives its own 4.4.7 for the server's 4.4.5), else the Status
	 * field's, else a code the text gives (qmail's "(#5.1.1)"). */
	char *status;
	char *remote_mta;       /* Remote-MTA's name, or the host in the text */
	/* The server's words: Diagnostic-Code's text after its type
	 * ("smtp; 550 5.1.1 ..." -> "550 5.1.1 ..."), else the reply found in
	 * the text for this recipient, else the bounce's own words for the
	 * failure (Exim's "Unrouteable address"); continuation lines joined
	 * with a space.  NULL if the bounce gives neither. */
	char *diagnostic;
	char *diagnostic_type;  /* "smtp", "x-unix" ..., or NULL */
	/* The command the reply answered, when the bounce says it (Postfix's
	 * "(in reply to RCPT TO command)", Exim's "after RCPT TO:", qmail's
	 * "does not like recipient", Sendmail's ">>> RCPT To:"). */
	bool has_verb;
	enum smtp_verb verb;
};

struct bounce {
	enum bounce_format format;
	char *reporting_mta;    /* Reporting-MTA's name, or NULL */
	char *subject, *from;   /* the bounce's own header fields, or NULL */
	struct bounce_rcpt *rcpts;
	size_t nrcpts;
	bool truncated;         /* the text ends inside a MIME part or header */
};

void bounce_init(struct bounce *b);
void bounce_free(struct bounce *b);

/* Parses a whole message (any bytes).  BOUNCE_OK: b holds at least one
 * recipient; otherwise b is empty and the result says why. */
enum bounce_result bounce_parse(const char *data, size_t len, struct bounce *b);

/* "RFC 3464 delivery status notification", "Postfix bounce" ...: in
 * English (the JSON "format"), through _() where it is shown. */
const char *bounce_format_name(enum bounce_format f);
/* One sentence for a result other than BOUNCE_OK ("not a bounce message:
 * no failed recipient and no delivery-status part"), translated. */
const char *bounce_result_text(enum bounce_result r);

#endif
