/* paste-text: the helpers the readers of pasted text use (paste-private.h).
 * Lines of the normalised copy and pieces of them, never copies; ASCII
 * characters with no locale; the wording of a format matched with any
 * white space where it has a space; reply codes, enhanced codes, hosts
 * and addresses as bounces write them; the words that name a command;
 * and what a reader finds: where a reply ends, and the lines around it.
 * Every search is bounded by the end of the text. */
#include "config.h"

#include <string.h>

#include "smtpscope/explain.h"
#include "paste-private.h"

/* ---- characters (ASCII; no locale) ---- */

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ---- the text ---- */

const char *paste_skip_blanks(const char *p, const char *end)
{
	while (p < end && paste_is_blank(*p))
		p++;
	return p;
}

const char *paste_skip_space(const char *p, const char *end)
{
	while (p < end && paste_is_space(*p))
		p++;
	return p;
}

const char *paste_token_end(const char *p, const char *end)
{
	while (p < end && !paste_is_space(*p))
		p++;
	return p;
}

const char *paste_line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

const char *paste_next_line(const char *p, const char *end)
{
	const char *le = paste_line_end(p, end);
	return le < end ? le + 1 : end;
}

const char *paste_line_start(const struct text *t, const char *p)
{
	while (p > t->start && p[-1] != '\n')
		p--;
	return p;
}

/* The line before the one starting at l, or NULL at the top. */
const char *paste_prev_line(const struct text *t, const char *l)
{
	return l > t->start ? paste_line_start(t, l - 1) : NULL;
}

bool paste_line_blank(const char *l, const char *end)
{
	const char *le = paste_line_end(l, end);
	return paste_skip_blanks(l, le) == le;
}

/* A line without its indentation and trailing blanks. */
struct span paste_line_trimmed(const char *l, const char *end)
{
	const char *le = paste_line_end(l, end), *s = paste_skip_blanks(l, le);

	while (le > s && paste_is_blank(le[-1]))
		le--;
	return paste_span_of(s, le);
}

/* ---- matching ---- */

/* The length of pat matched at s, or 0.  ASCII case is ignored, and a
 * space in pat matches any run of white space, line breaks included:
 * bounces wrap their sentences anywhere. */
size_t paste_match(const char *s, const char *end, const char *pat)
{
	const char *p = s;

	for (; *pat; pat++) {
		if (*pat == ' ') {
			if (p == end || !paste_is_space(*p))
				return 0;
			p = paste_skip_space(p, end);
		} else if (p == end || to_lower(*p) != to_lower(*pat)) {
			return 0;
		} else {
			p++;
		}
	}
	return (size_t)(p - s);
}

/* The first match of pat in [s, end), not inside a word when pat starts
 * with a letter ("host" is not in "ghost"); *after, if asked, is just past
 * it.  s[-1] must be readable then: in the text it always is.  A pat that
 * starts with a space is tried only where white space starts, which finds
 * the same matches (the space takes the whole run) without reading a long
 * run again from each of its bytes. */
const char *paste_find(const char *s, const char *end, const char *pat, const char **after)
{
	bool word = paste_is_word(pat[0]), space = pat[0] == ' ';

	for (; s < end; s++) {
		size_t n;

		if ((word && paste_is_word(s[-1])) || (space && paste_is_space(s[-1])))
			continue;
		if ((n = paste_match(s, end, pat)) != 0) {
			if (after)
				*after = s + n;
			return s;
		}
	}
	return NULL;
}

/* The last match of pat in [s, end). */
const char *paste_find_last(const char *s, const char *end, const char *pat, const char **after)
{
	const char *at, *a, *last = NULL;

	while ((at = paste_find(s, end, pat, &a)) != NULL) {
		last = at;
		if (after)
			*after = a;
		s = at + 1;
	}
	return last;
}

/* A reply code starts at s: 2xx to 5xx, then a space, '-' or the end of
 * the line. */
bool paste_code_at(const char *s, const char *end)
{
	if (end - s < 3 || s[0] < '2' || s[0] > '5' || !paste_is_digit(s[1]) ||
	    !paste_is_digit(s[2]))
		return false;
	return end - s == 3 || paste_is_space(s[3]) || s[3] == '-';
}

/* The first reply code in [s, end) that starts a word: at the start of a
 * line or after white space, a quote, '(', ':' or ';'. */
const char *paste_first_reply(const char *s, const char *end)
{
	for (; s < end; s++)
		if (paste_code_at(s, end) && (paste_is_space(s[-1]) || paste_is_opener(s[-1])))
			return s;
	return NULL;
}

/* An enhanced status code at s ("5.7.3"), by explain's rules (class 2, 4
 * or 5, no leading zeros, not part of a longer dotted number such as an
 * IP address): its length, or 0.  text gets it. */
size_t paste_enhanced_at(const char *s, const char *end, char text[16])
{
	char copy[16];
	size_t n = paste_min_len(s, end, sizeof copy - 1);
	struct explain_enh e;

	memcpy(copy, s, n);
	copy[n] = '\0';
	memset(&e, 0, sizeof e);
	if (!explain_find_enhanced(copy, -1, &e) || e.source != EXPLAIN_ENH_START)
		return 0;
	memcpy(text, e.text, sizeof e.text);
	return strlen(e.text);
}

/* "mx.example.com", "192.0.2.1": letters, digits, '-' and at least one
 * dot, as Exchange lists the remote server on a line of its own. */
bool paste_host_shaped(struct span s)
{
	bool dot = false;

	if (s.p == s.end || (size_t)(s.end - s.p) > 255)
		return false;
	for (const char *p = s.p; p < s.end; p++) {
		if (*p == '.')
			dot = true;
		else if (!paste_is_word(*p) && *p != '-')
			return false;
	}
	return dot;
}

/* "x@example.com" or "<x@example.com>", alone. */
bool paste_address_shaped(struct span s)
{
	const char *at;

	if (s.p == s.end || (size_t)(s.end - s.p) > PASTE_MAX_NAME)
		return false;
	if (paste_token_end(s.p, s.end) != s.end)
		return false;
	at = memchr(s.p, '@', (size_t)(s.end - s.p));
	return at && at > s.p && at + 1 < s.end;
}

/* The address at p: "<x@example.com>" (what the brackets hold) or a bare
 * "x@example.com"; none without an '@'. */
struct span paste_address_at(const char *p, const char *end)
{
	const char *e;

	p = paste_skip_space(p, end);
	if (p < end && *p == '<') {
		e = memchr(p, '>', paste_min_len(p, end, PASTE_MAX_NAME));
		if (e == NULL)
			return no_span;
		p++;
	} else {
		e = p;
		while (e < end && !paste_is_space(*e) && *e != ',' && *e != '>')
			e++;
		while (e > p && (e[-1] == '.' || e[-1] == ':'))
			e--;
	}
	/* A source route ("@relay.example:x@example.com", RFC 5321 4.1.2)
	 * names relays, not the recipient. */
	if (p < e && *p == '@') {
		const char *colon = memchr(p, ':', (size_t)(e - p));

		if (colon)
			p = colon + 1;
	}
	if (e == p || memchr(p, '@', (size_t)(e - p)) == NULL)
		return no_span;
	return paste_span_of(p, e);
}

/* ---- commands ---- */

struct verb_word {
	const char *words;
	enum smtp_verb verb;
};

/* How bounces and logs name a command: Postfix's "(in reply to RCPT TO
 * command)" and "reject: RCPT from", Exim's "after RCPT TO:<x>", Sendmail's
 * ">>> RCPT To:<x>", qmail's "most progress was RCPT TO response".  The
 * words are matched at the start ("RSET probe" is RSET), so a longer row
 * comes before one it starts with. */
static const struct verb_word command_words[] = {
	{ "RCPT TO", SMTP_V_RCPT },
	{ "MAIL FROM", SMTP_V_MAIL },
	{ "end of DATA", SMTP_V_DOT },
	{ "END-OF-MESSAGE", SMTP_V_DOT },
	{ "DATA", SMTP_V_DATA },
	{ "BDAT", SMTP_V_BDAT },
	{ "EHLO", SMTP_V_EHLO },
	{ "HELO", SMTP_V_HELO },
	{ "LHLO", SMTP_V_LHLO },
	{ "STARTTLS", SMTP_V_STARTTLS },
	{ "AUTH", SMTP_V_AUTH },
	{ "final RSET", SMTP_V_RSET },
	{ "RSET", SMTP_V_RSET },
	{ "QUIT", SMTP_V_QUIT },
	{ "VRFY", SMTP_V_VRFY },
	{ "ETRN", SMTP_V_ETRN },
	{ "initial connection", SMTP_V_GREETING },
	{ "CONNECT", SMTP_V_GREETING },
	{ "RCPT", SMTP_V_RCPT },
	{ "MAIL", SMTP_V_MAIL },
};

/* The command named at s; *len gets the length of its words. */
bool paste_verb_at(const char *s, const char *end, enum smtp_verb *verb, size_t *len)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(command_words); i++) {
		size_t n = paste_match(s, end, command_words[i].words);

		if (n && (s + n == end || !paste_is_word(s[n]))) {
			*verb = command_words[i].verb;
			if (len)
				*len = n;
			return true;
		}
	}
	return false;
}

/* ---- what a recogniser finds ---- */

void paste_found_verb(struct found *f, enum smtp_verb v)
{
	f->has_verb = true;
	f->verb = v;
}

/* Where a reply that starts at r ends, as bounces lay one out: its first
 * line, then each line that is indented (wrapped text, a folded header
 * field) or starts with a code (the reply's own next line), up to a blank
 * line. */
const char *paste_reply_end(const char *r, const char *end)
{
	const char *e = paste_line_end(r, end);

	while (e < end) {
		const char *l = e + 1, *le = paste_line_end(l, end), *s = paste_skip_blanks(l, le);

		if (s == le || (s == l && !paste_code_at(s, le)))
			break;
		e = le;
	}
	return e;
}

/* Where the paragraph that r is in ends: before a blank line. */
const char *paste_para_end(const char *r, const char *end)
{
	const char *e = paste_line_end(r, end);

	while (e < end && !paste_line_blank(e + 1, end))
		e = paste_line_end(e + 1, end);
	return e;
}

void paste_found_reply(struct found *f, enum paste_format format, const char *r,
		       const char *end)
{
	f->format = format;
	f->reply = paste_span_of(r, end);
}

/* The lines before a reply's block may name its recipient and server on
 * lines of their own: Exchange's "x@example.com" and "mx.example.com"
 * before "Remote Server returned", Exim's failed address before "SMTP
 * error from ...".  Two lines up, within the paragraph. */
void paste_lines_before(const struct text *t, const char *l, struct found *f)
{
	for (int i = 0; i < 2 && (l = paste_prev_line(t, l)) != NULL; i++) {
		struct span s = paste_line_trimmed(l, t->end);

		if (s.p == s.end)
			break;
		if (f->server.p == NULL && paste_host_shaped(s))
			f->server = s;
		else if (f->recipient.p == NULL && paste_address_shaped(s))
			f->recipient = paste_address_at(s.p, s.end);
	}
}
