/* paste-private: what the paste*.c files share, and nobody else.
 *
 * paste.c is the API: the paste's normalised copy, the recognisers tried
 * in order, and the result (the reply's lines put back together, escaped,
 * in wire form).  The helpers every reader uses (lines, matching, reply
 * and enhanced codes, hosts and addresses, the words that name a command,
 * where a reply ends) are in paste-text.c; the readers, one per wording,
 * are paste-mta.c (Postfix, Sendmail, Exim, qmail) and paste-report.c
 * (Microsoft, Gmail, RFC 3464's Diagnostic-Code, and a reply or an
 * enhanced code alone).  Not part of the paste API. */
#ifndef SMTPSCOPE_PASTE_PRIVATE_H
#define SMTPSCOPE_PASTE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "smtpscope/paste.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

/* Bytes of a server's name or a recipient kept (RFC 5321 4.5.3.1: a path
 * is at most 256 octets, a domain 255). */
#define PASTE_MAX_NAME 320

/* ---- characters (ASCII; no locale) ----
 * Inline: the readers call them per byte, and across files the compiler
 * could not inline them otherwise. */

/* A space or a tab. */
static inline bool paste_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A space, a tab or a line break (the copy's only one is LF). */
static inline bool paste_is_space(char c)
{
	return paste_is_blank(c) || c == '\n';
}

/* '0' to '9'. */
static inline bool paste_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An ASCII letter, a digit or '_'. */
static inline bool paste_is_word(char c)
{
	return paste_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* What may stand right before a pasted reply code: "said: 550",
 * "'550 ...'", "(550 ...)", "smtp;550". */
static inline bool paste_is_opener(char c)
{
	return c != '\0' && strchr(":;(\"'", c) != NULL;
}

/* The bytes from p to end, at most cap. */
static inline size_t paste_min_len(const char *p, const char *end, size_t cap)
{
	return (size_t)(end - p) < cap ? (size_t)(end - p) : cap;
}

/* ---- the text (paste-text.c) ---- */

/* The paste being read: a normalised copy, [start, end).  One '\n' comes
 * before start, so every position has a previous byte to look at. */
struct text {
	const char *start, *end;
};

/* A piece of it, [p, end); p NULL: none. */
struct span {
	const char *p, *end;
};

static const struct span no_span = { NULL, NULL };

/* The span [p, end). */
static inline struct span paste_span_of(const char *p, const char *end)
{
	struct span s = { p, end };
	return s;
}

/* p past its spaces and tabs, up to end. */
const char *paste_skip_blanks(const char *p, const char *end);
/* p past its white space, line breaks included, up to end. */
const char *paste_skip_space(const char *p, const char *end);
/* The end of the run of non-space bytes at p. */
const char *paste_token_end(const char *p, const char *end);
/* The end of p's line: its '\n', or end. */
const char *paste_line_end(const char *p, const char *end);
/* The start of the line after p's, or end. */
const char *paste_next_line(const char *p, const char *end);
/* The start of p's line. */
const char *paste_line_start(const struct text *t, const char *p);
/* The line before the one starting at l, or NULL at the top. */
const char *paste_prev_line(const struct text *t, const char *l);
/* The line at l is empty or only blanks. */
bool paste_line_blank(const char *l, const char *end);
/* A line without its indentation and trailing blanks. */
struct span paste_line_trimmed(const char *l, const char *end);

/* ---- matching (paste-text.c) ---- */

/* The length of pat matched at s, or 0: ASCII case ignored, a space any
 * run of white space. */
size_t paste_match(const char *s, const char *end, const char *pat);
/* The first match of pat in [s, end), not inside a word; *after past it. */
const char *paste_find(const char *s, const char *end, const char *pat, const char **after);
/* The last match of pat in [s, end). */
const char *paste_find_last(const char *s, const char *end, const char *pat, const char **after);
/* A reply code starts at s: 2xx to 5xx, then a space, '-' or the end. */
bool paste_code_at(const char *s, const char *end);
/* The first reply code in [s, end) that starts a word, or NULL. */
const char *paste_first_reply(const char *s, const char *end);
/* The length of the enhanced status code at s, or 0; text gets it. */
size_t paste_enhanced_at(const char *s, const char *end, char text[16]);
/* s is a host name or address alone ("mx.example.com", "192.0.2.1"). */
bool paste_host_shaped(struct span s);
/* s is an address alone ("x@example.com" or "<x@example.com>"). */
bool paste_address_shaped(struct span s);
/* The address at p, out of its brackets; none without an '@'. */
struct span paste_address_at(const char *p, const char *end);

/* ---- commands (paste-text.c) ---- */

/* The command named at s; *len gets the length of its words. */
bool paste_verb_at(const char *s, const char *end, enum smtp_verb *verb, size_t *len);

/* ---- what a recogniser finds (paste-text.c) ---- */

struct found {
	enum paste_format format;
	struct span reply;       /* the reply as pasted, from its first code */
	bool transcript;         /* its lines start with "<<<" (Sendmail) */
	struct span server, recipient;
	bool has_verb;
	enum smtp_verb verb;
	/* PASTE_ENHANCED_ONLY: the code and the words after it. */
	struct span enhanced, enhanced_text;
};

/* Sets the command f's reply answered. */
void paste_found_verb(struct found *f, enum smtp_verb v);
/* Where a reply that starts at r ends, as bounces lay one out. */
const char *paste_reply_end(const char *r, const char *end);
/* Where the paragraph that r is in ends: before a blank line. */
const char *paste_para_end(const char *r, const char *end);
/* Sets f's format and its reply, [r, end). */
void paste_found_reply(struct found *f, enum paste_format format, const char *r,
		       const char *end);
/* The server and recipient named on the two lines before l, if f lacks them. */
void paste_lines_before(const struct text *t, const char *l, struct found *f);

/* ---- the recognisers: true if one found a reply (f filled) ---- */

/* Postfix's bounce line: "host H[A] said: ..." (paste-mta.c). */
bool paste_find_postfix(const struct text *t, struct found *f);
/* Postfix's log line: "status=bounced (...)", "reject: ..." (paste-mta.c). */
bool paste_find_postfix_log(const struct text *t, struct found *f);
/* Sendmail's transcript, "<<< 550 ...", or its "(reason: ...)" (paste-mta.c). */
bool paste_find_sendmail(const struct text *t, struct found *f);
/* Exim's "SMTP error from remote mail server after ..." (paste-mta.c). */
bool paste_find_exim(const struct text *t, struct found *f);
/* qmail's "Remote host said: ..." (paste-mta.c). */
bool paste_find_qmail(const struct text *t, struct found *f);
/* Microsoft's "Remote Server returned '...'" and "#550 ... ##" (paste-report.c). */
bool paste_find_microsoft(const struct text *t, struct found *f);
/* Gmail's "The error that the other server returned was: ..." (paste-report.c). */
bool paste_find_gmail(const struct text *t, struct found *f);
/* RFC 3464's "Diagnostic-Code: smtp; ..." or "smtp; ..." (paste-report.c). */
bool paste_find_dsn(const struct text *t, struct found *f);
/* The first reply code that starts a word, or an enhanced code alone
 * (paste-report.c). */
bool paste_find_bare(const struct text *t, struct found *f);

#endif
