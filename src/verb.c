/* verb: the one table of SMTP verbs.  See include/smtpscope/verb.h. */
#include "config.h"

#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

#define T VERB_TYPED
#define A VERB_ARG
#define O VERB_ARG_OPT
#define C VERB_COMPLETE
#define S VERB_SCENARIO
#define G VERB_ENDS_GROUP

static const struct verb_info verbs[SMTP_V__COUNT] = {
	[SMTP_V_UNKNOWN] = {SMTP_V_UNKNOWN, NULL, NULL, N_("unknown command"), NULL, 0, NULL},
	[SMTP_V_GREETING] = {SMTP_V_GREETING, NULL, "greeting", N_("greeting"), NULL, 0,
			     "RFC 5321 4.3.1"},
	[SMTP_V_HELO] = {SMTP_V_HELO, "HELO", "HELO", "HELO", "HELO", T | A | C | S | G,
			 "RFC 5321 4.1.1.1"},
	[SMTP_V_EHLO] = {SMTP_V_EHLO, "EHLO", "EHLO", "EHLO", "EHLO", T | A | C | S | G,
			 "RFC 5321 4.1.1.1"},
	[SMTP_V_LHLO] = {SMTP_V_LHLO, "LHLO", "LHLO", "LHLO", "LHLO", T | A | C | G,
			 "RFC 2033 4.1"},
	[SMTP_V_MAIL] = {SMTP_V_MAIL, "MAIL", "MAIL", "MAIL", "MAIL FROM:", T | A | C | S,
			 "RFC 5321 4.1.1.2"},
	[SMTP_V_RCPT] = {SMTP_V_RCPT, "RCPT", "RCPT", "RCPT", "RCPT TO:", T | A | C | S,
			 "RFC 5321 4.1.1.3"},
	[SMTP_V_DATA] = {SMTP_V_DATA, "DATA", "DATA", "DATA", "DATA", T | C | S | G,
			 "RFC 5321 4.1.1.4"},
	[SMTP_V_DOT] = {SMTP_V_DOT, NULL, "DOT", N_("end of data"), NULL, S,
			"RFC 5321 4.1.1.4"},
	[SMTP_V_BDAT] = {SMTP_V_BDAT, "BDAT", "BDAT", "BDAT", "BDAT", T | A | C | S,
			 "RFC 3030 2"},
	[SMTP_V_RSET] = {SMTP_V_RSET, "RSET", "RSET", "RSET", "RSET", T | C | S,
			 "RFC 5321 4.1.1.5"},
	[SMTP_V_VRFY] = {SMTP_V_VRFY, "VRFY", "VRFY", "VRFY", "VRFY", T | A | C | S | G,
			 "RFC 5321 4.1.1.6"},
	[SMTP_V_EXPN] = {SMTP_V_EXPN, "EXPN", "EXPN", "EXPN", "EXPN", T | A | C | S | G,
			 "RFC 5321 4.1.1.7"},
	[SMTP_V_HELP] = {SMTP_V_HELP, "HELP", "HELP", "HELP", "HELP", T | O | C | S,
			 "RFC 5321 4.1.1.8"},
	[SMTP_V_NOOP] = {SMTP_V_NOOP, "NOOP", "NOOP", "NOOP", "NOOP", T | O | C | S | G,
			 "RFC 5321 4.1.1.9"},
	[SMTP_V_QUIT] = {SMTP_V_QUIT, "QUIT", "QUIT", "QUIT", "QUIT", T | C | S | G,
			 "RFC 5321 4.1.1.10"},
	[SMTP_V_STARTTLS] = {SMTP_V_STARTTLS, "STARTTLS", "STARTTLS", "STARTTLS", "STARTTLS",
			     T | C | S | G, "RFC 3207 4"},
	[SMTP_V_AUTH] = {SMTP_V_AUTH, "AUTH", "AUTH", "AUTH", "AUTH", T | A | C | S | G,
			 "RFC 4954 4"},
	[SMTP_V_AUTH_RESPONSE] = {SMTP_V_AUTH_RESPONSE, NULL, "AUTH", N_("AUTH response"), NULL, 0,
				  "RFC 4954 4"},
	[SMTP_V_ETRN] = {SMTP_V_ETRN, "ETRN", "ETRN", "ETRN", "ETRN", T | A | C | S,
			 "RFC 1985"},
	[SMTP_V_ATRN] = {SMTP_V_ATRN, "ATRN", "ATRN", "ATRN", NULL, 0, "RFC 2645"},
};

#undef T
#undef A
#undef O
#undef C
#undef S
#undef G

const struct verb_info *verb_info(enum smtp_verb v)
{
	return &verbs[(size_t)v < SMTP_V__COUNT ? v : SMTP_V_UNKNOWN];
}

const char *smtp_verb_name(enum smtp_verb v)
{
	/* Never a "?" the user cannot read: an unknown verb is named so. */
	return (size_t)v < SMTP_V__COUNT && v != SMTP_V_UNKNOWN ? _(verbs[v].shown)
							      : _("an unknown command");
}

enum smtp_verb smtp_verb_of(const char *line)
{
	size_t n = 0;

	while (line[n] && line[n] != ' ' && line[n] != '\t')
		n++;
	for (size_t i = 0; i < SMTP_V__COUNT; i++) {
		const char *name = verbs[i].name;
		if ((verbs[i].flags & VERB_TYPED) && strlen(name) == n &&
		    util_strnieq(line, name, n))
			return (enum smtp_verb)i;
	}
	return SMTP_V_UNKNOWN;
}

enum smtp_verb verb_from_key(const char *key)
{
	/* AUTH_RESPONSE shares AUTH's key; the first row wins. */
	for (size_t i = 0; i < SMTP_V__COUNT; i++)
		if (verbs[i].key && verbs[i].key[0] == key[0] && strcmp(verbs[i].key, key) == 0)
			return (enum smtp_verb)i;
	return SMTP_V__COUNT;
}

static bool verb_ieq(const char *a, const char *b)
{
	return a && util_strieq(a, b);
}

enum smtp_verb verb_from_name(const char *name)
{
	for (size_t i = SMTP_V_UNKNOWN + 1; i < SMTP_V__COUNT; i++)
		if (verb_ieq(verbs[i].key, name) || verb_ieq(verbs[i].name, name) ||
		    verb_ieq(verbs[i].shown, name))
			return (enum smtp_verb)i;
	return SMTP_V__COUNT;
}

bool verb_nth(unsigned flags, size_t i, enum smtp_verb *out)
{
	for (size_t v = 0; v < SMTP_V__COUNT; v++)
		if ((verbs[v].flags & flags) == flags && i-- == 0) {
			*out = (enum smtp_verb)v;
			return true;
		}
	return false;
}
