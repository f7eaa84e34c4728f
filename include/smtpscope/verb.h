/* verb: the one table of SMTP verbs.  Everything that needs to know a verb
 * (the state machine, the knowledge base's contexts, the demo server's
 * [on VERB] rules, completion, the transcript) reads it from here, so a new
 * verb is one row.  Sans-I/O, no state. */
#ifndef SMTPSCOPE_VERB_H
#define SMTPSCOPE_VERB_H

#include <stdbool.h>
#include <stddef.h>

/* Pseudo-verbs stand for what a reply can answer without a command line:
 * the greeting, the end of message content, a SASL response. */
enum smtp_verb {
	SMTP_V_UNKNOWN, SMTP_V_GREETING, SMTP_V_HELO, SMTP_V_EHLO, SMTP_V_LHLO,
	SMTP_V_MAIL, SMTP_V_RCPT, SMTP_V_DATA, SMTP_V_DOT, SMTP_V_BDAT,
	SMTP_V_RSET, SMTP_V_VRFY, SMTP_V_EXPN, SMTP_V_HELP, SMTP_V_NOOP,
	SMTP_V_QUIT, SMTP_V_STARTTLS, SMTP_V_AUTH, SMTP_V_AUTH_RESPONSE,
	SMTP_V_ETRN, SMTP_V_ATRN, SMTP_V__COUNT
};

enum verb_flags {
	VERB_TYPED = 1u << 0,     /* a command line starts with it */
	VERB_ARG = 1u << 1,       /* takes an argument (MAIL FROM:<...>) */
	VERB_ARG_OPT = 1u << 2,   /* the argument is optional (HELP, AUTH's IR) */
	VERB_COMPLETE = 1u << 3,  /* offered by Tab completion */
	VERB_SCENARIO = 1u << 4,  /* a scenario's [on VERB] rule may name it */
	/* the client must see its reply before sending more: it ends a
	 * PIPELINING group (RFC 2920 3.1, RFC 3207 4, RFC 4954 4) */
	VERB_ENDS_GROUP = 1u << 5,
};

struct verb_info {
	enum smtp_verb verb;
	const char *name;       /* on the wire ("MAIL"); NULL for pseudo-verbs */
	const char *key;        /* in help/ data files: "MAIL", "DOT", "greeting" */
	const char *shown;      /* in the transcript: "MAIL", "end of data" */
	const char *complete;   /* what Tab inserts ("MAIL FROM:"), or NULL */
	unsigned flags;         /* enum verb_flags */
	const char *rfc;        /* where it is defined */
};

/* The row of a verb; SMTP_V_UNKNOWN's row for anything out of range. */
const struct verb_info *verb_info(enum smtp_verb v);
/* What the transcript calls it ("end of data", "greeting", "AUTH"), in
 * the user's language; verb_info()'s shown is the English. */
const char *smtp_verb_name(enum smtp_verb v);
/* The verb a typed command line starts with (case-insensitive, up to the
 * first space or tab), or SMTP_V_UNKNOWN. */
enum smtp_verb smtp_verb_of(const char *line);
/* The verb a data file names by its key ("RCPT", "DOT", "greeting";
 * case-sensitive, as the files are), or SMTP_V__COUNT. */
enum smtp_verb verb_from_key(const char *key);
/* The verb a person names: its key, wire name or transcript name
 * ("dot", "greeting", "end of data", "rcpt"), case-insensitive; for where
 * a user types a command name.  SMTP_V__COUNT if none. */
enum smtp_verb verb_from_name(const char *name);
/* The i-th verb with all of `flags`, in table order; false past the end.
 * For completion lists and the lists in error messages. */
bool verb_nth(unsigned flags, size_t i, enum smtp_verb *out);

#endif
