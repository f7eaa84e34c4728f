/* paste: reply text as people paste it -> the reply, the server that sent
 * it and the command it answered.  Sans-I/O.
 *
 * Users rarely have a bare reply: they copy a line of a bounce message or
 * a log.  paste_parse() recognises the common shapes and pulls out what
 * the explainer needs:
 *
 *   550 5.1.1 <x@example.com>: Recipient address rejected: ...    a reply
 *   5.7.3 Authentication unsuccessful                  an enhanced code only
 *   host mx.example.com[192.0.2.1] said: 550 5.1.1 ... (in reply to RCPT
 *     TO command)                                       Postfix's bounce
 *   ... status=bounced (host ... said: ... (in reply to ... command))
 *                                                       Postfix's log line
 *   SMTP error from remote mail server after RCPT TO:<x@example.com>:
 *     550 ...                                           Exim's
 *   Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; ...'
 *                                                       Microsoft's NDR
 *   The error that the other server returned was: 550 ...  /
 *   The response was: 550 ...                           Gmail's bounce
 *   Diagnostic-Code: smtp; 550 5.1.1 ...                RFC 3464's field
 *   <<< 550 5.1.1 ... / ... while talking to HOST: >>> RCPT To:<...>
 *                                                       Sendmail's transcript
 *   192.0.2.1 does not like recipient. Remote host said: 550 ...
 *                                                       qmail's
 *
 * Everything it returns is escaped text (util_escape): pasted bytes never
 * reach a terminal raw. */
#ifndef SMTPSCOPE_PASTE_H
#define SMTPSCOPE_PASTE_H

#include <stdbool.h>

#include "smtpscope/verb.h"

enum paste_format {
	PASTE_REPLY,          /* a reply as the server sent it */
	PASTE_ENHANCED_ONLY,  /* "5.7.3 text": no basic code */
	PASTE_POSTFIX,        /* "host H[A] said: ..." */
	PASTE_POSTFIX_LOG,    /* a Postfix log line: "status=bounced (...)" */
	PASTE_EXIM,           /* "SMTP error from remote mail server after ..." */
	PASTE_MICROSOFT,      /* "Remote Server returned '...'" */
	PASTE_GMAIL,          /* "The error that the other server returned was:" */
	PASTE_DSN,            /* "Diagnostic-Code: smtp; ..." or "smtp; ..." */
	PASTE_SENDMAIL,       /* "<<< 550 ..." transcript lines */
	PASTE_QMAIL,          /* "Remote host said: ..." */
	PASTE__COUNT
};

struct paste {
	enum paste_format format;
	/* The reply in wire form ("550-a\r\n550 b\r\n"), ready for the
	 * reply parser; NULL for PASTE_ENHANCED_ONLY. */
	char *wire;
	/* PASTE_ENHANCED_ONLY: the enhanced code ("5.7.3") and the text
	 * after it; NULL otherwise. */
	char *enhanced, *enhanced_text;
	/* Lines a relay had joined into one were split again. */
	bool rejoined;
	/* The server named around the reply ("mx.example.com[192.0.2.1]",
	 * "mx.example.com [192.0.2.1]", "192.0.2.1"), escaped; NULL if none. */
	char *server;
	/* The command the reply answered, when the text says it
	 * ("(in reply to RCPT TO command)": SMTP_V_RCPT, "end of DATA
	 * command" / "after end of data": SMTP_V_DOT, "after initial
	 * connection" / "refused to talk to me": SMTP_V_GREETING). */
	bool has_verb;
	enum smtp_verb verb;
	/* A recipient named around the reply ("RCPT TO:<x@example.com>",
	 * "to=<x@example.com>"), escaped; NULL if none. */
	char *recipient;
};

void paste_init(struct paste *p);
void paste_free(struct paste *p);

/* Reads pasted text (NUL-terminated; any bytes, any line ends).  True if
 * a reply or an enhanced code was found (*p filled; paste_free() it);
 * false if none was (*p left empty). */
bool paste_parse(const char *text, struct paste *p);

/* "Postfix bounce line", "Exim bounce line", ... for the explanation: in
 * English (the JSON "format"), through _() where it is shown. */
const char *paste_format_name(enum paste_format f);

#endif
