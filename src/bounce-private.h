/* bounce-private: what the bounce*.c files share, and nobody else.
 *
 * bounce.c is the API: what is found about each recipient, and the end,
 * where the passes' findings are merged and handed out.  The helpers
 * every pass reads with (characters, spans, phrases, addresses, reply
 * codes) are in bounce-span.c; the passes are bounce-mime.c (header
 * blocks and the MIME walk), bounce-dsn.c (the delivery-status fields)
 * and bounce-mta.c (the human-readable text, read the way each MTA
 * writes it).  Not part of the bounce API. */
#ifndef SMTPSCOPE_BOUNCE_PRIVATE_H
#define SMTPSCOPE_BOUNCE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/bounce.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

#define MIME_MAX_PARTS 64       /* parts looked at, in all */
#define DSN_MAX_PARTS 4         /* delivery-status parts read */
#define STATUS_MAX 12           /* "5.123.123" and its NUL */

/* ---- characters (ASCII only: no locale) ----
 * Inline: every pass calls them per byte, and across files the compiler
 * could not inline them otherwise (the split cost 6 % of a parse). */

/* '0' to '9'. */
static inline bool bounce_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An ASCII letter. */
static inline bool bounce_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* An ASCII letter or digit. */
static inline bool bounce_is_alnum(char c)
{
	return bounce_is_alpha(c) || bounce_is_digit(c);
}

/* A space or a tab. */
static inline bool bounce_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* A space, a tab, CR, LF, FF or VT. */
static inline bool bounce_is_space(char c)
{
	return bounce_is_wsp(c) || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* c in lower case if it is an ASCII capital. */
static inline char bounce_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* c is one of set's bytes (never NUL, which strchr would find;
 * bounce-span.c). */
bool bounce_in_set(char c, const char *set);

/* ---- spans: a piece of the input or of a decoded part (bounce-span.c) ---- */

struct span {
	const char *p;
	size_t n;
};

/* The bytes [from, to) of s, both bounded by its length. */
struct span bounce_span_sub(struct span s, size_t from, size_t to);
/* b's bytes as a span, never with a null pointer. */
struct span bounce_span_of_buf(const struct buf *b);
/* s without its leading and trailing white space. */
struct span bounce_trim(struct span s);
/* s is empty or only white space. */
bool bounce_blank(struct span s);
/* s starts with lit, without regard to case. */
bool bounce_span_istarts(struct span s, const char *lit);
/* a and b are the same bytes, without regard to case. */
bool bounce_span_ieq(struct span a, struct span b);
/* s is lit, without regard to case. */
bool bounce_span_ieq_lit(struct span s, const char *lit);
/* Where needle occurs in hay, without regard to case; hay.n if nowhere. */
size_t bounce_span_ifind(struct span hay, struct span needle);
/* The run of non-space bytes at s[i]. */
struct span bounce_token_at(struct span s, size_t i);
/* s without the bytes of set at its end. */
struct span bounce_strip_tail(struct span s, const char *set);
/* s trimmed and out of its angle brackets: "<x@example.com>" -> "x@example.com". */
struct span bounce_strip_angle(struct span s);
/* How many words s has: runs of non-space bytes. */
size_t bounce_count_tokens(struct span s);
/* The line at *pos, without its LF or CRLF; *pos moves past it. */
bool bounce_next_line(struct span s, size_t *pos, struct span *line);

/* ---- phrases: the wording that marks each format (bounce-span.c) ---- */

/* Whether phrase matches s at i, each of its spaces any run of white
 * space; *end gets the offset past it. */
bool bounce_phrase_at(struct span s, size_t i, const char *phrase, size_t *end);
/* The first match of phrase in s at or after from, as a word. */
bool bounce_find_phrase(struct span s, size_t from, const char *phrase, size_t *at, size_t *end);
/* The earliest match in s of any of a NULL-ended list of phrases. */
bool bounce_find_any(struct span s, const char *const *phrases, size_t *at, size_t *end);
/* Appends s's lines trimmed and joined by one space. */
void bounce_add_unfolded(struct buf *out, struct span s);

/* ---- addresses and hosts (bounce-span.c) ---- */

/* a is an address as bounces write them: local@domain, no white space. */
bool bounce_is_address(struct span a);
/* The first address in s, among other words. */
bool bounce_address_in(struct span s, struct span *addr);
/* Where address a is named in s as a whole word; low is s in lower case. */
bool bounce_find_address(struct span s, struct span low, struct span a, size_t *at);
/* h is a host name or address as a bounce writes it. */
bool bounce_host_ok(struct span h);

/* ---- SMTP replies and enhanced codes in text (bounce-span.c) ---- */

/* A reply's code, standing alone, at s[i]. */
bool bounce_reply_code_at(struct span s, size_t i);
/* The first reply code in s at or after from. */
bool bounce_find_reply_code(struct span s, size_t from, size_t *at);
/* The length of the enhanced status code at s[i], or 0. */
size_t bounce_enhanced_at(struct span s, size_t i);
/* The n bytes of s at i, a code, into out with a NUL. */
void bounce_copy_code(char out[STATUS_MAX], struct span s, size_t i, size_t n);
/* The enhanced code of the reply in d, if its class is the reply's. */
bool bounce_reply_status(struct span d, char out[STATUS_MAX]);

/* ---- what is found about one recipient (bounce.c) ---- */

struct entry {
	struct span addr, original;
	struct span action;          /* the Action field's word */
	char status[STATUS_MAX];     /* the Status field's code */
	char hint[STATUS_MAX];       /* a code the text gives: qmail's "(#5.1.1)" */
	struct buf remote, diag;
	struct span diag_type;
	bool delayed;                /* the text says so (there is no Action) */
	bool has_verb;
	enum smtp_verb verb;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

/* Sets up an empty e. */
void bounce_entry_init(struct entry *e);
/* Frees what e holds. */
void bounce_entry_free(struct entry *e);
/* The entry of es for addr, without regard to case; NULL if none. */
struct entry *bounce_entries_find(struct entries *es, struct span addr);
/* Moves *e into es; false, leaving *e, when BOUNCE_MAX_RCPTS are kept. */
bool bounce_entries_push(struct entries *es, struct entry *e);
/* Fills what e lacks with what f says. */
void bounce_entry_fill(struct entry *e, const struct entry *f);

/* ---- the parse (bounce.c) ---- */

/* One message's parse: what the MIME walk collects, then the recipients
 * the delivery-status fields and the text name. */
struct ctx {
	struct span hdr;                 /* the message's header block */
	struct span dsn[DSN_MAX_PARTS];  /* delivery-status parts, decoded */
	size_t ndsn;
	struct buf text;                 /* the human-readable parts, decoded */
	struct buf low;                  /* the same in lower case, once needed */
	bool low_made;
	char *owned[MIME_MAX_PARTS];     /* the decoded parts' bytes */
	size_t nowned, nparts;
	struct span inner;               /* a message/rfc822 part outside a report */
	bool truncated;
	struct entries dsn_rcpts, text_rcpts;
	bool dsn_blocks;                 /* the fields named recipients, failed or not */
	struct span reporting, text_reporting;
	struct buf failed_hdr;           /* X-Failed-Recipients */
	enum bounce_format text_format;
};

/* ---- header blocks and MIME (bounce-mime.c) ---- */

/* line is a header field's first line ("Name:"). */
bool bounce_is_field_line(struct span line);
/* Splits m into its header block and body; false if m starts with no field. */
bool bounce_split_header(struct span m, struct span *hdr, struct span *body, bool *ended);
/* Appends the unfolded value of the field name of h; false if there is none. */
bool bounce_header_get(struct span h, const char *name, struct buf *out);
/* Walks a part (its header block and body) into c's delivery-status
 * parts and text. */
void bounce_walk(struct ctx *c, struct span hdr, struct span body, int depth, bool in_report);

/* ---- the delivery-status fields (bounce-dsn.c) ---- */

/* Reads the fields of d into c's recipients (c->dsn_rcpts). */
void bounce_parse_dsn(struct ctx *c, struct span d);
/* t holds delivery-status fields, though in a text part. */
bool bounce_has_dsn_fields(struct span t);

/* ---- the human-readable text (bounce-mta.c) ---- */

/* Sets e's command from the wording of s that names it. */
void bounce_verb_in(struct entry *e, struct span s);
/* Reads e's reply, host, code and command from blk, any bounce's text. */
void bounce_analyse_generic(struct entry *e, struct span blk);
/* The block about address a in c's text, in no format known here. */
bool bounce_block_after(struct ctx *c, struct span a, struct span *blk);
/* Reads c's text, by the format its wording names, into c->text_rcpts. */
void bounce_locate_text(struct ctx *c);

#endif
