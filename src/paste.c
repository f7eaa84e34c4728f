/* paste: reply text as people paste it (paste.h).
 *
 * Three steps.  A recogniser per wording (Postfix's log line and bounce,
 * Sendmail's transcript, Exim's, qmail's, Microsoft's, Gmail's, RFC 3464's
 * Diagnostic-Code), tried in a fixed order, finds where the reply starts,
 * how far it runs, and what the words around it name: the server, the
 * command, the recipient.  The reply's lines are then put back together,
 * since bounces wrap a reply's text at any space.  Last, each line is
 * escaped and explain_text_to_wire() makes the wire form, splitting the
 * lines Postfix or a relay joined into one.  When no wording is known the
 * first reply code that starts a word is taken, or else an enhanced code
 * alone at the start of a line.
 *
 * The paste is untrusted: only its first PASTE_MAX_INPUT bytes are read,
 * every search is bounded by the end of the text (none reads past it), the
 * look-aheads that could make a search quadratic are capped, and nothing
 * leaves here unescaped. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"
#include "smtpscope/paste.h"
#include "smtpscope/util.h"

/* Bytes of the paste read: a bounce's text part is far smaller. */
#define PASTE_MAX_INPUT (64 * 1024)
/* Lines of one reply kept; real ones have fewer than twenty. */
#define PASTE_MAX_LINES 64
/* Bytes of one reply's text kept. */
#define PASTE_MAX_REPLY (16 * 1024)
/* Bytes of a server's name or a recipient kept (RFC 5321 4.5.3.1: a path
 * is at most 256 octets, a domain 255). */
#define PASTE_MAX_NAME 320
/* How far a clause before the reply may run (Exim's "after MAIL
 * FROM:<...> SIZE=123 BODY=8BITMIME:"), so that text with many markers
 * and no reply is not searched to its end from each of them. */
#define PASTE_MAX_CLAUSE 512

/* ---- characters (ASCII; no locale) ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return is_blank(c) || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* What may stand right before a pasted reply code: "said: 550",
 * "'550 ...'", "(550 ...)", "smtp;550". */
static bool is_opener(char c)
{
	return c != '\0' && strchr(":;(\"'", c) != NULL;
}

/* The bytes from p to end, at most cap. */
static size_t min_len(const char *p, const char *end, size_t cap)
{
	return (size_t)(end - p) < cap ? (size_t)(end - p) : cap;
}

/* ---- the text ---- */

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

static struct span span_of(const char *p, const char *end)
{
	struct span s = { p, end };
	return s;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

static const char *token_end(const char *p, const char *end)
{
	while (p < end && !is_space(*p))
		p++;
	return p;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

static const char *next_line(const char *p, const char *end)
{
	const char *le = line_end(p, end);
	return le < end ? le + 1 : end;
}

static const char *line_start(const struct text *t, const char *p)
{
	while (p > t->start && p[-1] != '\n')
		p--;
	return p;
}

/* The line before the one starting at l, or NULL at the top. */
static const char *prev_line(const struct text *t, const char *l)
{
	return l > t->start ? line_start(t, l - 1) : NULL;
}

static bool line_blank(const char *l, const char *end)
{
	const char *le = line_end(l, end);
	return skip_blanks(l, le) == le;
}

/* A line without its indentation and trailing blanks. */
static struct span line_trimmed(const char *l, const char *end)
{
	const char *le = line_end(l, end), *s = skip_blanks(l, le);

	while (le > s && is_blank(le[-1]))
		le--;
	return span_of(s, le);
}

/* Copies at most PASTE_MAX_INPUT bytes of the paste with its line ends
 * (CR LF, lone CR) made LF. */
static char *text_copy(const char *paste, struct text *t)
{
	size_t n = 0;
	char *copy, *w;

	while (n < PASTE_MAX_INPUT && paste[n])
		n++;
	copy = xmalloc(n + 2);
	w = copy;
	*w++ = '\n';
	for (size_t i = 0; i < n; i++) {
		if (paste[i] != '\r') {
			*w++ = paste[i];
			continue;
		}
		*w++ = '\n';
		if (i + 1 < n && paste[i + 1] == '\n')
			i++;
	}
	*w = '\0';
	t->start = copy + 1;
	t->end = w;
	return copy;
}

/* ---- matching ---- */

/* The length of pat matched at s, or 0.  ASCII case is ignored, and a
 * space in pat matches any run of white space, line breaks included:
 * bounces wrap their sentences anywhere. */
static size_t match(const char *s, const char *end, const char *pat)
{
	const char *p = s;

	for (; *pat; pat++) {
		if (*pat == ' ') {
			if (p == end || !is_space(*p))
				return 0;
			p = skip_space(p, end);
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
static const char *find(const char *s, const char *end, const char *pat, const char **after)
{
	bool word = is_word(pat[0]), space = pat[0] == ' ';

	for (; s < end; s++) {
		size_t n;

		if ((word && is_word(s[-1])) || (space && is_space(s[-1])))
			continue;
		if ((n = match(s, end, pat)) != 0) {
			if (after)
				*after = s + n;
			return s;
		}
	}
	return NULL;
}

/* The last match of pat in [s, end). */
static const char *find_last(const char *s, const char *end, const char *pat, const char **after)
{
	const char *at, *a, *last = NULL;

	while ((at = find(s, end, pat, &a)) != NULL) {
		last = at;
		if (after)
			*after = a;
		s = at + 1;
	}
	return last;
}

/* A reply code starts at s: 2xx to 5xx, then a space, '-' or the end of
 * the line. */
static bool code_at(const char *s, const char *end)
{
	if (end - s < 3 || s[0] < '2' || s[0] > '5' || !is_digit(s[1]) || !is_digit(s[2]))
		return false;
	return end - s == 3 || is_space(s[3]) || s[3] == '-';
}

/* The first reply code in [s, end) that starts a word: at the start of a
 * line or after white space, a quote, '(', ':' or ';'. */
static const char *first_reply(const char *s, const char *end)
{
	for (; s < end; s++)
		if (code_at(s, end) && (is_space(s[-1]) || is_opener(s[-1])))
			return s;
	return NULL;
}

/* An enhanced status code at s ("5.7.3"), by explain's rules (class 2, 4
 * or 5, no leading zeros, not part of a longer dotted number such as an
 * IP address): its length, or 0.  text gets it. */
static size_t enhanced_at(const char *s, const char *end, char text[16])
{
	char copy[16];
	size_t n = min_len(s, end, sizeof copy - 1);
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
static bool host_shaped(struct span s)
{
	bool dot = false;

	if (s.p == s.end || (size_t)(s.end - s.p) > 255)
		return false;
	for (const char *p = s.p; p < s.end; p++) {
		if (*p == '.')
			dot = true;
		else if (!is_word(*p) && *p != '-')
			return false;
	}
	return dot;
}

/* "x@example.com" or "<x@example.com>", alone. */
static bool address_shaped(struct span s)
{
	const char *at;

	if (s.p == s.end || (size_t)(s.end - s.p) > PASTE_MAX_NAME)
		return false;
	if (token_end(s.p, s.end) != s.end)
		return false;
	at = memchr(s.p, '@', (size_t)(s.end - s.p));
	return at && at > s.p && at + 1 < s.end;
}

/* The address at p: "<x@example.com>" (what the brackets hold) or a bare
 * "x@example.com"; none without an '@'. */
static struct span address_at(const char *p, const char *end)
{
	const char *e;

	p = skip_space(p, end);
	if (p < end && *p == '<') {
		e = memchr(p, '>', min_len(p, end, PASTE_MAX_NAME));
		if (e == NULL)
			return no_span;
		p++;
	} else {
		e = p;
		while (e < end && !is_space(*e) && *e != ',' && *e != '>')
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
	return span_of(p, e);
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
static bool verb_at(const char *s, const char *end, enum smtp_verb *verb, size_t *len)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(command_words); i++) {
		size_t n = match(s, end, command_words[i].words);

		if (n && (s + n == end || !is_word(s[n]))) {
			*verb = command_words[i].verb;
			if (len)
				*len = n;
			return true;
		}
	}
	return false;
}

/* ---- what a recogniser finds ---- */

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

static void found_verb(struct found *f, enum smtp_verb v)
{
	f->has_verb = true;
	f->verb = v;
}

/* Where a reply that starts at r ends, as bounces lay one out: its first
 * line, then each line that is indented (wrapped text, a folded header
 * field) or starts with a code (the reply's own next line), up to a blank
 * line. */
static const char *reply_end(const char *r, const char *end)
{
	const char *e = line_end(r, end);

	while (e < end) {
		const char *l = e + 1, *le = line_end(l, end), *s = skip_blanks(l, le);

		if (s == le || (s == l && !code_at(s, le)))
			break;
		e = le;
	}
	return e;
}

/* Where the paragraph that r is in ends: before a blank line. */
static const char *para_end(const char *r, const char *end)
{
	const char *e = line_end(r, end);

	while (e < end && !line_blank(e + 1, end))
		e = line_end(e + 1, end);
	return e;
}

/* Where the paragraph that p is in starts: after a blank line. */
static const char *para_start(const struct text *t, const char *p)
{
	const char *l = line_start(t, p), *prev;

	while ((prev = prev_line(t, l)) != NULL && !line_blank(prev, t->end))
		l = prev;
	return l;
}

static void found_reply(struct found *f, enum paste_format format, const char *r,
			const char *end)
{
	f->format = format;
	f->reply = span_of(r, end);
}

/* The lines before a reply's block may name its recipient and server on
 * lines of their own: Exchange's "x@example.com" and "mx.example.com"
 * before "Remote Server returned", Exim's failed address before "SMTP
 * error from ...".  Two lines up, within the paragraph. */
static void lines_before(const struct text *t, const char *l, struct found *f)
{
	for (int i = 0; i < 2 && (l = prev_line(t, l)) != NULL; i++) {
		struct span s = line_trimmed(l, t->end);

		if (s.p == s.end)
			break;
		if (f->server.p == NULL && host_shaped(s))
			f->server = s;
		else if (f->recipient.p == NULL && address_shaped(s))
			f->recipient = address_at(s.p, s.end);
	}
}

/* ---- Postfix's bounce ---- */

/* How Postfix's SMTP client quotes a server (smtp_proto.c, smtp_connect.c,
 * smtp_sasl_glue.c): the words around the server's name, then the reply. */
static const struct postfix_form {
	const char *before, *after;
	bool has_verb;
	enum smtp_verb verb;
} postfix_forms[] = {
	{ "host ", " said:", false, SMTP_V_UNKNOWN },
	{ "host ", " refused to talk to me:", true, SMTP_V_GREETING },
	{ "connect to ", ": server refused to talk to me:", true, SMTP_V_GREETING },
	{ "SASL authentication failed; server ", " said:", true, SMTP_V_AUTH },
};

/* The reply after "NAME said:" at name, or NULL; *server gets NAME. */
static const char *postfix_reply(const struct postfix_form *form, const char *name,
				 const char *end, struct span *server)
{
	const char *ne = token_end(name, end), *r;
	size_t n;

	if (ne == name)
		return NULL;
	n = match(ne, end, form->after);
	/* "connect to mx.example.com[192.0.2.1]: server refused ...": the
	 * colon ends the name's token. */
	if (n == 0 && ne - 1 > name && ne[-1] == ':') {
		ne--;
		n = match(ne, end, form->after);
	}
	if (n == 0)
		return NULL;
	r = skip_space(ne + n, end);
	if (!code_at(r, end))
		return NULL;
	*server = span_of(name, ne);
	return r;
}

/* Postfix starts a recipient's paragraph with its address:
 * "<x@example.com>: host ..." or "<x@example.com> (expanded from <y>):
 * host ...", the words before `at` possibly wrapped onto indented lines. */
static struct span leading_address(const struct text *t, const char *at)
{
	const char *l = line_start(t, at), *p, *close, *prev;

	while (is_blank(*l) && (prev = prev_line(t, l)) != NULL && !line_blank(prev, t->end))
		l = prev;
	p = skip_blanks(l, at);
	if (p == at || *p != '<')
		return no_span;
	close = memchr(p, '>', (size_t)(at - p));
	return close ? span_of(p + 1, close) : no_span;
}

static bool find_postfix(const struct text *t, struct found *f)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(postfix_forms); i++) {
		const struct postfix_form *form = &postfix_forms[i];
		const char *s = t->start, *at, *name, *r;

		while ((at = find(s, t->end, form->before, &name)) != NULL) {
			s = name;
			if ((r = postfix_reply(form, name, t->end, &f->server)) == NULL)
				continue;
			found_reply(f, PASTE_POSTFIX, r, reply_end(r, t->end));
			f->recipient = leading_address(t, at);
			if (form->has_verb)
				found_verb(f, form->verb);
			return true;
		}
	}
	return false;
}

/* ---- Postfix's log ---- */

/* The value of "key=" on a log line, up to a comma or a blank. */
static struct span log_field(const char *l, const char *le, const char *key)
{
	const char *a, *e;

	if (find(l, le, key, &a) == NULL)
		return no_span;
	for (e = a; e < le && *e != ',' && !is_blank(*e); e++)
		;
	return span_of(a, e);
}

/* "relay=mx.example.com[192.0.2.1]:25" names the server (name_dup drops
 * the port); "relay=none" none. */
static struct span log_relay(const char *l, const char *le)
{
	struct span s = log_field(l, le, "relay=");

	if (s.p == NULL || (s.end - s.p == 4 && match(s.p, s.end, "none")))
		return no_span;
	return s;
}

/* The ')' closing the '(' at open, on its line.  Without one, the end of
 * the line less a ')' that ends it: the reply's own parentheses did not
 * balance ("... :-( (in reply to RCPT TO command))"). */
static const char *closing_paren(const char *open, const char *le)
{
	size_t depth = 0;

	for (const char *p = open; p < le; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return le - open > 1 && le[-1] == ')' ? le - 1 : le;
}

/* "to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, ..., dsn=5.1.1,
 * status=bounced (host mx.example.com[192.0.2.1] said: 550 ... (in reply to
 * RCPT TO command))": what the parentheses hold is a Postfix bounce line,
 * a bare reply ("status=sent (250 2.0.0 Ok: queued as 4AB)"), or Postfix's
 * own words ("connect to ...: Connection refused"), for which dsn= gives
 * the code. */
static bool log_status(const char *l, const char *le, struct found *f)
{
	const char *value, *a, *open, *r;
	struct text inner;
	struct span dsn;
	char enh[16];

	if (find(l, le, "status=", &value) == NULL)
		return false;
	for (a = value; a < le && is_word(*a); a++)
		;
	open = skip_blanks(a, le);
	if (open == le || *open != '(')
		return false;
	inner.start = open + 1;
	inner.end = closing_paren(open, le);
	dsn = log_field(l, le, "dsn=");
	if (find_postfix(&inner, f)) {
		f->format = PASTE_POSTFIX_LOG;
	} else if ((r = first_reply(inner.start, inner.end)) != NULL) {
		found_reply(f, PASTE_POSTFIX_LOG, r, inner.end);
		/* A delivery's "status=sent" quotes the reply to the dot. */
		if (a - value == 4 && match(value, a, "sent"))
			found_verb(f, SMTP_V_DOT);
	} else if (dsn.p && enhanced_at(dsn.p, dsn.end, enh)) {
		f->format = PASTE_ENHANCED_ONLY;
		f->enhanced = dsn;
		f->enhanced_text = span_of(inner.start, inner.end);
	} else {
		return false;
	}
	f->recipient = log_field(l, le, "to=");
	if (f->server.p == NULL)
		f->server = log_relay(l, le);
	return true;
}

/* Postfix's SMTP server refusing a client: "NOQUEUE: reject: RCPT from
 * unknown[192.0.2.1]: 550 5.1.1 <x@example.com>: Recipient address
 * rejected: ...; from=<a@example.org> to=<x@example.com> proto=ESMTP
 * helo=<h>".  The named host is the client, not a server: none is set. */
static bool log_reject(const char *l, const char *le, struct found *f)
{
	const char *a, *client, *r, *stop;
	enum smtp_verb v;
	size_t n, m;

	if (find(l, le, "reject: ", &a) == NULL || !verb_at(a, le, &v, &n) ||
	    (m = match(a + n, le, " from ")) == 0)
		return false;
	client = a + n + m;
	r = token_end(client, le);
	if (r == client || r[-1] != ':')
		return false;
	r = skip_blanks(r, le);
	if (!code_at(r, le))
		return false;
	stop = find(r, le, "; from=<", NULL);
	found_reply(f, PASTE_POSTFIX_LOG, r, stop ? stop : le);
	found_verb(f, v);
	f->recipient = log_field(l, le, "to=");
	return true;
}

static bool find_postfix_log(const struct text *t, struct found *f)
{
	for (const char *l = t->start; l < t->end; l = next_line(l, t->end)) {
		const char *le = line_end(l, t->end);

		if (log_status(l, le, f) || log_reject(l, le, f))
			return true;
	}
	return false;
}

/* ---- Sendmail's transcript ---- */

/* Where the code starts on a "<<< 550 ..." line, or NULL. */
static const char *transcript_code(const char *l, const char *le)
{
	const char *s = skip_blanks(l, le);

	if (le - s < 3 || memcmp(s, "<<<", 3) != 0)
		return NULL;
	s = skip_blanks(s + 3, le);
	return code_at(s, le) ? s : NULL;
}

/* The command on a ">>> RCPT To:<x@example.com>" line (at its ">>>"). */
static void transcript_verb(const char *cmd, struct found *f)
{
	struct span line = line_trimmed(cmd + 3, f->reply.p);
	const char *colon;
	enum smtp_verb v;

	if (line.end - line.p == 1 && line.p[0] == '.') {
		found_verb(f, SMTP_V_DOT);
		return;
	}
	if (!verb_at(line.p, line.end, &v, NULL))
		return;
	found_verb(f, v);
	colon = memchr(line.p, ':', (size_t)(line.end - line.p));
	if (v == SMTP_V_RCPT && colon)
		f->recipient = address_at(colon + 1, line.end);
}

/* Sendmail's bounce without the transcript: "(reason: 550 5.1.1 ...)"
 * under the recipient. */
static bool sendmail_reason(const struct text *t, struct found *f)
{
	const char *s = t->start, *at, *a;

	while ((at = find(s, t->end, "(reason: ", &a)) != NULL) {
		const char *le = line_end(a, t->end);

		s = a;
		if (!code_at(a, le))
			continue;
		found_reply(f, PASTE_SENDMAIL, a, closing_paren(at, le));
		return true;
	}
	return false;
}

/* The end of the "<<<" lines of one reply that starts at l: "<<< 550-...",
 * ..., "<<< 550 ...". */
static const char *transcript_end(const char *l, const char *end)
{
	const char *le = line_end(l, end), *c = transcript_code(l, le);

	while (c + 3 < le && c[3] == '-' && le < end) {
		const char *nl = le + 1, *nle = line_end(nl, end);

		if ((c = transcript_code(nl, nle)) == NULL)
			break;
		le = nle;
	}
	return le;
}

/* "... while talking to mx.example.com.:", ">>> RCPT To:<x@example.com>",
 * "<<< 550 5.1.1 <x@example.com>... User unknown".  The <<< lines are the
 * server's reply, the last >>> line before them its command.  A
 * transcript may show a 354 before the refusal of the message, so the
 * first error reply is taken.  A line without <<< after them ("554 5.0.0
 * Service unavailable") is Sendmail's own summary: not the server's. */
static bool find_sendmail(const struct text *t, struct found *f)
{
	const char *cmd = NULL, *pick = NULL, *pick_end = NULL, *pick_cmd = NULL;
	const char *talk, *a, *l;

	for (l = t->start; l < t->end; l = next_line(l, t->end)) {
		const char *le = line_end(l, t->end), *s = skip_blanks(l, le), *c;

		if (le - s >= 3 && memcmp(s, ">>>", 3) == 0) {
			cmd = s;
			continue;
		}
		if ((c = transcript_code(l, le)) == NULL)
			continue;
		if (pick == NULL || *c >= '4') {
			pick = l;
			pick_end = transcript_end(l, t->end);
			pick_cmd = cmd;
		}
		if (*c >= '4')
			break;
		l = line_start(t, transcript_end(l, t->end));
	}
	if (pick == NULL)
		return sendmail_reason(t, f);
	found_reply(f, PASTE_SENDMAIL, pick, pick_end);
	f->transcript = true;
	if ((talk = find_last(t->start, pick, "while talking to ", &a)) != NULL)
		f->server = span_of(a, line_end(a, pick));
	if (pick_cmd)
		transcript_verb(pick_cmd, f);
	else if (talk)
		found_verb(f, SMTP_V_GREETING); /* a reply before any command */
	return true;
}

/* ---- Exim's ---- */

static const char *const exim_markers[] = {
	"SMTP error from remote mail server after ",
	"SMTP error from remote mailer after ",
	"SMTP error from remote server after ",
};

/* Exim's "host NAME [ADDRESS]" (its log's "H=NAME [ADDRESS]"), at the
 * name.  The address in brackets is required: it tells a name from
 * words. */
static struct span exim_host(const char *p, const char *end)
{
	const char *ne = token_end(p, end), *b = skip_blanks(ne, end), *close;

	if (ne == p || b == ne || b == end || *b != '[')
		return no_span;
	close = memchr(b, ']', min_len(b, line_end(b, end), 64));
	return close ? span_of(p, close + 1) : no_span;
}

/* The server named before the marker: "host NAME [ADDRESS]" on the line
 * before ("  x@example.com\n    host mx.example.com [192.0.2.1]\n    SMTP
 * error ..."), or "H=NAME [ADDRESS]" earlier on a log line. */
static struct span exim_host_before(const struct text *t, const char *at)
{
	const char *ls = line_start(t, at), *from = prev_line(t, ls), *a;
	struct span s;

	if (find_last(from ? from : ls, at, "host ", &a) && (s = exim_host(a, at)).p)
		return s;
	if (find_last(ls, at, "H=", &a) && (s = exim_host(a, at)).p)
		return s;
	return no_span;
}

/* After "SMTP error from remote mail server after ": the command ("RCPT
 * TO:<x@example.com>", "MAIL FROM:<a@example.org> SIZE=1543", "pipelined
 * DATA", "end of data", "initial connection", "EHLO mx.example.org"), a
 * colon, perhaps "host NAME [ADDRESS]:" (older Exims), and the reply. */
static bool exim_after(const struct text *t, const char *at, const char *p, struct found *f)
{
	const char *end = t->end, *q = p, *stop, *colon, *r;
	struct span rcpt = no_span, server = no_span;
	enum smtp_verb v = SMTP_V_UNKNOWN;
	bool has_verb;
	size_t n;

	q += match(q, end, "pipelined ");
	has_verb = verb_at(q, end, &v, &n);
	if (has_verb)
		q += n;
	/* The address's brackets may hold a colon: skip them. */
	if (q < end && *q == ':') {
		const char *a = skip_space(q + 1, end), *close;

		if (a < end && *a == '<' &&
		    (close = memchr(a, '>', min_len(a, end, PASTE_MAX_NAME))) != NULL) {
			if (has_verb && v == SMTP_V_RCPT)
				rcpt = span_of(a + 1, close);
			q = close + 1;
		}
	}
	stop = q + min_len(q, end, PASTE_MAX_CLAUSE);
	for (colon = q; colon < stop; colon++)
		if (*colon == ':' && (colon + 1 == end || is_space(colon[1])))
			break;
	if (colon == stop)
		return false;
	r = skip_space(colon + 1, end);
	if ((n = match(r, end, "host ")) != 0 && (server = exim_host(r + n, end)).p) {
		r = skip_blanks(server.end, end);
		if (r == end || *r != ':')
			return false;
		r = skip_space(r + 1, end);
	}
	if (!code_at(r, end))
		return false;
	found_reply(f, PASTE_EXIM, r, reply_end(r, end));
	f->server = server.p ? server : exim_host_before(t, at);
	f->recipient = rcpt;
	lines_before(t, line_start(t, at), f);
	if (has_verb)
		found_verb(f, v);
	return true;
}

static bool find_exim(const struct text *t, struct found *f)
{
	const char *s, *at, *p;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(exim_markers); i++)
		for (s = t->start; (at = find(s, t->end, exim_markers[i], &p)) != NULL; s = p)
			if (exim_after(t, at, p, f))
				return true;
	/* "host mx.example.com [192.0.2.1]: 550 ..." on its own. */
	for (s = t->start; (at = find(s, t->end, "host ", &p)) != NULL; s = p) {
		struct span server = exim_host(p, t->end);
		const char *r;

		if (server.p == NULL)
			continue;
		r = skip_blanks(server.end, t->end);
		if (r == t->end || *r != ':')
			continue;
		r = skip_space(r + 1, t->end);
		if (!code_at(r, t->end))
			continue;
		found_reply(f, PASTE_EXIM, r, reply_end(r, t->end));
		f->server = server;
		return true;
	}
	return false;
}

/* ---- qmail's ---- */

/* qmail-remote's sentences before "Remote host said:" (qmail-remote.c):
 * "192.0.2.1 does not like recipient.", "Connected to 192.0.2.1 but
 * greeting failed." ... */
static const struct qmail_marker {
	const char *words;
	bool host_first;   /* "HOST does not ...", else "Connected to HOST but ..." */
	enum smtp_verb verb;
} qmail_markers[] = {
	{ " does not like recipient.", true, SMTP_V_RCPT },
	{ " does not like sender.", true, SMTP_V_MAIL },
	{ " failed on DATA command", true, SMTP_V_DATA },
	{ " failed after I sent the message", true, SMTP_V_DOT },
	{ " but greeting failed", false, SMTP_V_GREETING },
	{ " but my name was rejected", false, SMTP_V_HELO },
	{ " but sender was rejected", false, SMTP_V_MAIL },
};

/* The host that a qmail marker at `at` names, or none. */
static struct span qmail_host(const struct text *t, const struct qmail_marker *m,
			      const char *at)
{
	const char *ls = line_start(t, at), *h, *a;

	if (m->host_first) {
		for (h = at; h > ls && !is_space(h[-1]); h--)
			;
		return h < at ? span_of(h, at) : no_span;
	}
	if (find_last(ls, at, "Connected to ", &a) == NULL || token_end(a, at) != at || a == at)
		return no_span;
	return span_of(a, at);
}

/* "<x@example.com>:" on one of the two lines before l. */
static struct span address_line_before(const struct text *t, const char *l)
{
	for (int i = 0; i < 2 && (l = prev_line(t, l)) != NULL; i++) {
		struct span s = line_trimmed(l, t->end);

		if (s.p < s.end && s.end[-1] == ':')
			s.end--;
		if (s.p < s.end && *s.p == '<' && s.end[-1] == '>' && address_shaped(s))
			return span_of(s.p + 1, s.end - 1);
	}
	return no_span;
}

/* "Remote host said: 550 ..." (qmail-remote), or "remote host 192.0.2.1
 * said: 550 ..." (a patched one's "Sorry, no SMTP connection got far
 * enough; most progress was RCPT TO response; remote host ..."). */
static const char *qmail_said(const struct text *t, const char **marker, struct span *server)
{
	const char *s = t->start, *at, *a, *r;

	while ((at = find(s, t->end, "remote host ", &a)) != NULL) {
		const char *te = token_end(a, t->end);
		size_t n;

		s = a;
		*server = no_span;
		if ((n = match(a, t->end, "said:")) != 0) {
			r = skip_space(a + n, t->end);
		} else if (te > a && (n = match(te, t->end, " said:")) != 0) {
			*server = span_of(a, te);
			r = skip_space(te + n, t->end);
		} else {
			continue;
		}
		if (code_at(r, t->end)) {
			*marker = at;
			return r;
		}
	}
	return NULL;
}

static bool find_qmail(const struct text *t, struct found *f)
{
	const char *said, *r, *best = NULL, *a, *para;
	const struct qmail_marker *bm = NULL;
	struct span server;
	enum smtp_verb v;

	if ((r = qmail_said(t, &said, &server)) == NULL)
		return false;
	found_reply(f, PASTE_QMAIL, r, reply_end(r, t->end));
	/* The sentences of this recipient's paragraph, not an earlier one's. */
	para = para_start(t, said);
	for (size_t i = 0; i < UTIL_ARRAY_LEN(qmail_markers); i++) {
		const char *at = find_last(para, said, qmail_markers[i].words, NULL);

		if (at && (best == NULL || at > best)) {
			best = at;
			bm = &qmail_markers[i];
		}
	}
	if (bm) {
		found_verb(f, bm->verb);
		if (server.p == NULL)
			server = qmail_host(t, bm, best);
	} else if (find_last(para, said, "most progress was ", &a) && verb_at(a, said, &v, NULL)) {
		found_verb(f, v);
	}
	if (server.p == NULL && find(r, para_end(r, t->end), "Giving up on ", &a))
		server = span_of(a, token_end(a, t->end));
	f->server = server;
	f->recipient = address_line_before(t, line_start(t, best ? best : said));
	return true;
}

/* ---- Microsoft's ---- */

/* "<mx.example.com #5.0.0 smtp; 550 5.1.1 User unknown>": the reply
 * after "smtp;", the server before '#'.  *r gets the reply's start. */
static bool ms_angle(const char *c, const char *end, const char **r, struct span *server)
{
	const char *le = line_end(c, end), *a, *sm, *hash;

	if (c == end || *c != '<')
		return false;
	sm = find(c, c + min_len(c, le, PASTE_MAX_NAME), "smtp;", &a);
	if (sm == NULL)
		return false;
	*r = skip_blanks(a, le);
	if (!code_at(*r, le))
		return false;
	hash = memchr(c, '#', (size_t)(sm - c));
	*server = line_trimmed(c + 1, hash ? hash : c + 1);
	if (server->p == server->end)
		*server = no_span;
	return true;
}

/* The quote closing "Remote Server returned '...": the first one that
 * ends a line (the reply's own apostrophes, "it's", do not), else the
 * paragraph's last, else the paragraph's end. */
static const char *closing_quote(const char *c, const char *pe, char q)
{
	const char *last = NULL;

	for (const char *p = c; p < pe; p++) {
		if (*p != q)
			continue;
		last = p;
		if (skip_blanks(p + 1, pe) == line_end(p, pe))
			return p;
	}
	return last ? last : pe;
}

/* "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not
 * found'", "Remote Server returned '<mx.example.com #5.0.0 smtp; 550 ...>'",
 * "Remote Server at mx.example.com (192.0.2.1) returned '...'". */
static bool ms_returned(const struct text *t, struct found *f)
{
	const char *s = t->start, *end = t->end, *at, *p;

	while ((at = find(s, end, "Remote Server ", &p)) != NULL) {
		const char *c, *r, *close;
		struct span server = no_span, angle_server;
		bool angle = false;
		size_t n;

		s = p;
		if ((n = match(p, end, "at ")) != 0) {
			const char *le = line_end(p, end);
			const char *ret = find(p + n, p + n + min_len(p + n, le, PASTE_MAX_NAME),
					       "returned", NULL);

			if (ret == NULL)
				continue;
			server = line_trimmed(p + n, ret);
			p = ret;
		}
		if ((n = match(p, end, "returned")) == 0)
			continue;
		c = skip_blanks(p + n, end);
		if (c == end || (*c != '\'' && *c != '"'))
			continue;
		r = c + 1;
		if (!code_at(r, end)) {
			if (!ms_angle(c + 1, end, &r, &angle_server))
				continue;
			angle = true;
			if (angle_server.p)
				server = angle_server;
		}
		close = closing_quote(r, para_end(r, end), *c);
		while (close > r && is_space(close[-1]))
			close--;
		if (angle && close > r && close[-1] == '>')
			close--;
		found_reply(f, PASTE_MICROSOFT, r, close);
		f->server = server;
		lines_before(t, line_start(t, at), f);
		return true;
	}
	return false;
}

/* Exchange 2007's "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##",
 * "mx.example.com #550 5.1.1 User unknown ##" and Exchange 2003's
 * "#< #5.1.1 smtp;550 5.1.1 User unknown> #SMTP#", each on a line. */
static bool ms_hash(const struct text *t, struct found *f)
{
	for (const char *l = t->start; l < t->end; l = next_line(l, t->end)) {
		struct span line = line_trimmed(l, t->end), server = no_span;
		const char *hash = memchr(line.p, '#', (size_t)(line.end - line.p));
		const char *r, *e;

		if (hash == NULL)
			continue;
		if (hash > line.p) {
			server = line_trimmed(line.p, hash);
			if (!host_shaped(server))
				continue;
		}
		r = hash + 1;
		if (code_at(r, line.end)) {
			e = find(r, line.end, "##", NULL);
			e = e ? e : line.end;
		} else if (ms_angle(r, line.end, &r, &server)) {
			/* The wrapper's '>', not one the reply holds. */
			for (e = line.end; e > r && e[-1] != '>'; e--)
				;
			e = e > r ? e - 1 : line.end;
		} else {
			continue;
		}
		while (e > r && is_blank(e[-1]))
			e--;
		found_reply(f, PASTE_MICROSOFT, r, e);
		f->server = server;
		lines_before(t, l, f);
		return true;
	}
	return false;
}

static bool find_microsoft(const struct text *t, struct found *f)
{
	return ms_returned(t, f) || ms_hash(t, f);
}

/* ---- Gmail's ---- */

static const char *const gmail_markers[] = {
	"The error that the other server returned was:",
	"The response from the remote server was:",
	"The response was:",
};

/* Gmail names the server before its words: "... rejected by the server
 * for the recipient domain example.com by mx.example.com. [192.0.2.1]." */
static struct span gmail_server(const struct text *t, const char *at)
{
	const char *s = t->start, *by, *a;
	struct span last = no_span;

	while ((by = find(s, at, "by ", &a)) != NULL) {
		const char *ne = token_end(a, at), *b = skip_blanks(ne, at), *close;
		struct span name = span_of(a, ne);

		s = a;
		if (name.end > name.p && name.end[-1] == '.')
			name.end--;
		if (b == at || *b != '[' || !host_shaped(name))
			continue;
		close = memchr(b, ']', min_len(b, at, 64));
		if (close)
			last = span_of(a, close + 1);
	}
	return last;
}

static bool find_gmail(const struct text *t, struct found *f)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(gmail_markers); i++) {
		const char *s = t->start, *at, *a;

		while ((at = find(s, t->end, gmail_markers[i], &a)) != NULL) {
			const char *r = skip_space(a, t->end);

			s = a;
			if (!code_at(r, t->end))
				continue;
			found_reply(f, PASTE_GMAIL, r, reply_end(r, t->end));
			f->server = gmail_server(t, at);
			return true;
		}
	}
	return false;
}

/* ---- RFC 3464's ---- */

/* "Diagnostic-Code: smtp; 550 5.1.1 ..." with folded lines, or "smtp; 550
 * ..." (any case) quoted alone.  The type is usually smtp; whatever it
 * is, a reply code after it is a reply. */
static bool find_dsn(const struct text *t, struct found *f)
{
	const char *s, *at, *a;

	for (s = t->start; (at = find(s, t->end, "Diagnostic-Code:", &a)) != NULL; s = a) {
		const char *r = skip_blanks(a, t->end);
		const char *le = line_end(r, t->end);
		const char *semi = memchr(r, ';', min_len(r, le, 32));

		if (semi)
			r = skip_space(semi + 1, t->end);
		if (code_at(r, t->end)) {
			found_reply(f, PASTE_DSN, r, reply_end(r, t->end));
			return true;
		}
	}
	for (s = t->start; (at = find(s, t->end, "smtp;", &a)) != NULL; s = a) {
		const char *r = skip_space(a, t->end);

		if (code_at(r, t->end)) {
			found_reply(f, PASTE_DSN, r, reply_end(r, t->end));
			return true;
		}
	}
	return false;
}

/* ---- anything else ---- */

/* The first enhanced code alone: at the start of a line ("5.7.3
 * Authentication unsuccessful") or after a colon, a semicolon, a quote or
 * '(' (.NET's "The server response was: 5.7.0 Authentication Required.").
 * After a word it is more likely a version or some other number. */
static const char *first_enhanced(const struct text *t, const char **code_end)
{
	char enh[16];

	for (const char *s = t->start; s + 1 < t->end; s++) {
		const char *b = s;
		size_t n;

		if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
			continue;
		while (is_blank(b[-1]))
			b--;
		if (b[-1] != '\n' && !is_opener(b[-1]))
			continue;
		if ((n = enhanced_at(s, t->end, enh)) != 0) {
			*code_end = s + n;
			return s;
		}
	}
	return NULL;
}

/* "<x@example.com>: 550 ..." or "x@example.com: 550 ...": a failed
 * address alone before the reply on its line (MXLogic's and OpenSMTPD's
 * bounces). */
static struct span address_colon(const struct text *t, const char *r)
{
	struct span s = line_trimmed(line_start(t, r), r);

	if (s.p == s.end || s.end[-1] != ':')
		return no_span;
	s.end--;
	return address_shaped(s) ? address_at(s.p, s.end) : no_span;
}

/* The first reply code that starts a word, to the end of its paragraph;
 * or an enhanced code alone, if that comes first. */
static bool find_bare(const struct text *t, struct found *f)
{
	const char *r = first_reply(t->start, t->end), *ce = NULL;
	const char *e = first_enhanced(t, &ce);

	if (e && (r == NULL || e < r)) {
		const char *te = skip_blanks(ce, t->end);

		f->format = PASTE_ENHANCED_ONLY;
		f->enhanced = span_of(e, ce);
		f->enhanced_text = span_of(te, para_end(te, t->end));
		return true;
	}
	if (r == NULL)
		return false;
	found_reply(f, PASTE_REPLY, r, para_end(r, t->end));
	f->recipient = address_colon(t, r);
	return true;
}

/* ---- around the reply ---- */

/* Fields and sentences that name the failed recipient wherever they stand
 * (RFC 3464's Final-Recipient, Exim's X-Failed-Recipients header,
 * Gmail's and Sendmail's sentences), for a paste whose reply did not. */
static const char *const recipient_markers[] = {
	"Final-Recipient:",
	"X-Failed-Recipients:",
	"Delivery to the following recipient failed permanently:",
	"Delivery to the following recipient has been delayed:",
	"wasn't delivered to ",
	"wasn\xe2\x80\x99t delivered to ",
	"had permanent fatal errors -----",
	"had transient non-fatal errors -----",
};

static void context_fallbacks(const struct text *t, struct found *f)
{
	const char *a;

	for (size_t i = 0; f->recipient.p == NULL && i < UTIL_ARRAY_LEN(recipient_markers); i++) {
		if (find(t->start, t->end, recipient_markers[i], &a) == NULL)
			continue;
		a = skip_space(a, t->end);
		a += match(a, t->end, "rfc822;");
		f->recipient = address_at(a, t->end);
	}
	/* RFC 3464's "Remote-MTA: dns; mx.example.com". */
	if (f->server.p == NULL && find(t->start, t->end, "Remote-MTA:", &a)) {
		a = skip_space(a, t->end);
		a += match(a, t->end, "dns;");
		a = skip_blanks(a, t->end);
		if (token_end(a, t->end) > a)
			f->server = span_of(a, token_end(a, t->end));
	}
}

/* ---- the result ---- */

/* The words of s on one line, each run of white space made one space, at
 * most cap bytes (not escaped yet). */
static void words_of(struct span s, size_t cap, struct buf *out)
{
	buf_init(out);
	for (const char *p = skip_space(s.p, s.end); p < s.end && out->len < cap; p++) {
		if (!is_space(*p))
			buf_addc(out, *p);
		else if (out->data[out->len - 1] != ' ')
			buf_addc(out, ' ');
	}
	while (out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
}

/* A server's name for the report, escaped, and the dot that ends a fully
 * qualified name dropped ("mx.example.com. [192.0.2.1]" ->
 * "mx.example.com [192.0.2.1]"). */
static char *name_dup(struct span s)
{
	struct buf raw;
	char *dot, *out = NULL;

	if (s.p == NULL)
		return NULL;
	words_of(s, PASTE_MAX_NAME, &raw);
	while (raw.len && strchr(".:", raw.data[raw.len - 1]))
		raw.data[--raw.len] = '\0';
	/* "mx.example.com[192.0.2.1]:25": the port is not the server's name. */
	if (raw.len && is_digit(raw.data[raw.len - 1])) {
		size_t n = raw.len;

		while (n && is_digit(raw.data[n - 1]))
			n--;
		if (n >= 2 && raw.data[n - 1] == ':' && raw.data[n - 2] == ']')
			raw.data[raw.len = n - 1] = '\0';
	}
	if (raw.len && (dot = strstr(raw.data, ". [")) != NULL) {
		memmove(dot, dot + 1, raw.len - (size_t)(dot - raw.data));
		raw.len--;
	}
	if (raw.len)
		out = util_escape_dup(raw.data, raw.len);
	buf_free(&raw);
	return out;
}

static char *address_dup(struct span s)
{
	if (s.p == NULL)
		return NULL;
	s = line_trimmed(s.p, s.end);
	if (s.p < s.end && *s.p == '<')
		s.p++;
	if (s.p < s.end && s.end[-1] == '>')
		s.end--;
	if (s.p == s.end || memchr(s.p, '\n', (size_t)(s.end - s.p)))
		return NULL;
	return util_escape_dup(s.p, min_len(s.p, s.end, PASTE_MAX_NAME));
}

/* Words as one line, escaped. */
static char *words_dup(struct span s)
{
	struct buf raw;
	char *out;

	words_of(s, PASTE_MAX_REPLY, &raw);
	out = util_escape_dup(raw.data ? raw.data : "", raw.len);
	buf_free(&raw);
	return out;
}

/* Each line of the reply, its indentation and "<<<" gone. */
static struct span reply_line(const struct found *f, const char *l)
{
	struct span s = line_trimmed(l, f->reply.end);

	if (f->transcript && s.end - s.p >= 3 && memcmp(s.p, "<<<", 3) == 0)
		s.p = skip_blanks(s.p + 3, s.end);
	return s;
}

/* True if every line of the reply starts with a code: then they are the
 * reply's own lines, not text a bounce wrapped. */
static bool lines_coded(const struct found *f)
{
	for (const char *l = f->reply.p; l < f->reply.end; l = next_line(l, f->reply.end)) {
		struct span s = reply_line(f, l);

		if (s.p < s.end && !code_at(s.p, s.end))
			return false;
	}
	return true;
}

/* The reply's lines, '\n' between them, tabs made spaces.  A bounce wraps
 * a reply's text at any space, so its lines are joined again unless each
 * starts with a code; explain_text_to_wire() then splits what Postfix or a
 * relay joined into one line ("550-a 550 b").  A bare reply keeps its
 * lines, as `explain` does.  Exim's log writes a line break as "\n". */
static void reply_lines(const struct found *f, struct buf *out)
{
	bool join = f->format != PASTE_REPLY && !lines_coded(f);
	size_t nlines = 1;

	buf_init(out);
	for (const char *l = f->reply.p; l < f->reply.end && out->len < PASTE_MAX_REPLY;
	     l = next_line(l, f->reply.end)) {
		struct span s = reply_line(f, l);

		if (s.p == s.end)
			continue;
		if (out->len && !join && nlines == PASTE_MAX_LINES)
			break;
		if (out->len) {
			buf_addc(out, join ? ' ' : '\n');
			nlines += !join;
		}
		for (const char *p = s.p; p < s.end && out->len < PASTE_MAX_REPLY; p++) {
			if (p[0] == '\\' && p + 1 < s.end && p[1] == 'n' && code_at(p + 2, s.end) &&
			    nlines < PASTE_MAX_LINES) {
				buf_addc(out, '\n');
				nlines++;
				p++;
				continue;
			}
			buf_addc(out, *p == '\t' ? ' ' : *p);
		}
	}
}

/* Postfix ends its quote of a reply with "(in reply to RCPT TO
 * command)": not the server's words, but they say what it answered. */
static void strip_in_reply_to(struct buf *b, struct found *f)
{
	const char *end, *at, *a;
	enum smtp_verb v;

	if (b->len == 0)
		return;
	end = b->data + b->len;
	at = find_last(b->data, end, "(in reply to", &a);
	if (at == NULL || (a < end && !is_space(*a)))
		return;
	a = skip_space(a, end);
	if (!f->has_verb && verb_at(a, end, &v, NULL))
		found_verb(f, v);
	b->len = (size_t)(at - b->data);
	while (b->len && is_space(b->data[b->len - 1]))
		b->len--;
	b->data[b->len] = '\0';
}

/* Gmail's older bounces repeat the code: "554 554 5.7.1 Service
 * unavailable". */
static void drop_doubled_code(struct buf *b)
{
	if (b->len >= 7 && memcmp(b->data, b->data + 4, 3) == 0 && b->data[3] == ' ' &&
	    (b->len == 7 || b->data[7] == ' ' || b->data[7] == '-')) {
		buf_consume(b, 4);
	}
}

/* The lines escaped one by one, then in wire form. */
static char *escaped_wire(const struct buf *lines, bool *rejoined)
{
	struct buf esc;
	char *wire;

	buf_init(&esc);
	for (const char *l = lines->data, *end = l + lines->len; l < end; l = next_line(l, end)) {
		util_escape(&esc, l, (size_t)(line_end(l, end) - l));
		buf_addc(&esc, '\n');
	}
	wire = explain_text_to_wire(esc.data ? esc.data : "", rejoined);
	buf_free(&esc);
	return wire;
}

static bool paste_fill(const struct text *t, struct found *f, struct paste *p)
{
	context_fallbacks(t, f);
	if (f->format == PASTE_ENHANCED_ONLY) {
		char enh[16];

		if (!enhanced_at(f->enhanced.p, f->enhanced.end, enh))
			return false;
		p->enhanced = xstrdup(enh);
		p->enhanced_text = words_dup(f->enhanced_text);
	} else {
		struct buf lines;

		reply_lines(f, &lines);
		strip_in_reply_to(&lines, f);
		if (f->format == PASTE_GMAIL)
			drop_doubled_code(&lines);
		if (lines.len == 0 || !code_at(lines.data, lines.data + lines.len) ||
		    (p->wire = escaped_wire(&lines, &p->rejoined)) == NULL) {
			buf_free(&lines);
			return false;
		}
		buf_free(&lines);
	}
	p->format = f->format;
	p->has_verb = f->has_verb;
	p->verb = f->has_verb ? f->verb : SMTP_V_UNKNOWN;
	p->server = name_dup(f->server);
	p->recipient = address_dup(f->recipient);
	return true;
}

/* ---- entry points ---- */

typedef bool (*recogniser)(const struct text *t, struct found *f);

/* Most specific first: a Postfix log line quotes a Postfix bounce line;
 * Sendmail's, Exim's, Microsoft's and Gmail's bounces carry an RFC 3464
 * part too, whose Diagnostic-Code says less; the last takes any reply. */
static const recogniser recognisers[] = {
	find_postfix_log, find_sendmail, find_exim, find_qmail, find_microsoft,
	find_gmail, find_postfix, find_dsn, find_bare,
};

void paste_init(struct paste *p)
{
	memset(p, 0, sizeof *p);
	p->verb = SMTP_V_UNKNOWN;
}

void paste_free(struct paste *p)
{
	free(p->wire);
	free(p->enhanced);
	free(p->enhanced_text);
	free(p->server);
	free(p->recipient);
	paste_init(p);
}

bool paste_parse(const char *text, struct paste *p)
{
	struct text t;
	char *copy = text_copy(text, &t);
	bool ok = false;

	paste_init(p);
	for (size_t i = 0; i < UTIL_ARRAY_LEN(recognisers) && !ok; i++) {
		struct found f;

		memset(&f, 0, sizeof f);
		if (recognisers[i](&t, &f))
			ok = paste_fill(&t, &f, p);
		if (!ok)
			paste_free(p);
	}
	free(copy);
	return ok;
}

const char *paste_format_name(enum paste_format f)
{
	static const char *const names[PASTE__COUNT] = {
		[PASTE_REPLY] = N_("reply"),
		[PASTE_ENHANCED_ONLY] = N_("enhanced status code"),
		[PASTE_POSTFIX] = N_("Postfix bounce line"),
		[PASTE_POSTFIX_LOG] = N_("Postfix log line"),
		[PASTE_EXIM] = N_("Exim bounce line"),
		[PASTE_MICROSOFT] = N_("Microsoft non-delivery report"),
		[PASTE_GMAIL] = N_("Gmail bounce"),
		[PASTE_DSN] = N_("RFC 3464 Diagnostic-Code"),
		[PASTE_SENDMAIL] = N_("Sendmail transcript"),
		[PASTE_QMAIL] = N_("qmail bounce"),
	};

	return (unsigned)f < PASTE__COUNT ? names[f] : N_("pasted text");
}
