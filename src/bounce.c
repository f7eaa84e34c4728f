/* bounce: a bounce message as received -> its failed recipients, each
 * with the server's words (bounce.h).
 *
 * Three passes.  The MIME walk (headers unfolded, parts split on their
 * boundary, bounded in depth and number, quoted-printable and base64
 * decoded) collects the delivery-status parts and the human-readable
 * text.  The delivery-status fields (RFC 3464 2, and RFC 6533's global
 * kind) name the recipients when there are any.  The text is then read
 * the way the software its wording names writes it (Postfix, Exim,
 * qmail, ...): it gives the recipients of a bounce that has no
 * delivery-status part, and for one that has, what the fields leave out,
 * chiefly the command the reply answered.
 *
 * Everything is a span of the input or of a decoded part until the end,
 * where each string handed out is cut to a bound and escaped
 * (util_escape): the message is untrusted. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/bounce.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

#define MIME_MAX_DEPTH 8        /* multipart levels walked into */
#define MIME_MAX_PARTS 64       /* parts looked at, in all */
#define DSN_MAX_PARTS 4         /* delivery-status parts read */
#define TEXT_MAX (256u * 1024)  /* bytes of human-readable text kept */
#define BOUNDARY_MAX 200        /* RFC 2046 5.1.1 says 70; MTAs stretch it */
#define CTYPE_MAX 64
#define TYPE_NAME_MAX 32        /* "rfc822", "smtp", "x-postfix" */
#define STATUS_MAX 12           /* "5.123.123" and its NUL */
#define WORD_MAX 16             /* a command's name ("STARTTLS") */
#define LIST_TOKENS_MAX 6       /* words on a line that names a recipient */
#define ADDR_MAX 256            /* RFC 5321 4.5.3.1.3: a path's length */
#define BLOCK_MAX (8u * 1024)   /* bytes of text read about one recipient */
#define TRANSCRIPT_MAX (32u * 1024)  /* of a session transcript, read for each */
#define TEXT_OUT_MAX 8192       /* bytes kept of a diagnostic or subject */
#define NAME_OUT_MAX 512        /* of an address, a host, an action */

/* ---- characters (ASCII only: no locale) ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return is_wsp(c) || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

/* c is one of set's bytes (never NUL, which strchr would find). */
static bool in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* ---- spans: a piece of the input or of a decoded part ---- */

struct span {
	const char *p;
	size_t n;
};

static struct span span_sub(struct span s, size_t from, size_t to)
{
	if (to > s.n)
		to = s.n;
	if (from > to)
		from = to;
	return (struct span){ s.p + from, to - from };
}

/* Never a null pointer, on which even adding 0 is undefined. */
static struct span span_of_buf(const struct buf *b)
{
	return (struct span){ b->data ? b->data : "", b->len };
}

static struct span trim(struct span s)
{
	while (s.n && is_space(s.p[0]))
		s.p++, s.n--;
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool blank(struct span s)
{
	return trim(s).n == 0;
}

static bool span_istarts(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.n < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s.p[i]) != lower(lit[i]))
			return false;
	return true;
}

static bool span_ieq(struct span a, struct span b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

static bool span_ieq_lit(struct span s, const char *lit)
{
	return span_ieq(s, (struct span){ lit, strlen(lit) });
}

/* Where needle occurs in hay, without regard to case; hay.n if nowhere. */
static size_t span_ifind(struct span hay, struct span needle)
{
	if (needle.n == 0 || needle.n > hay.n)
		return hay.n;
	for (size_t i = 0; i + needle.n <= hay.n; i++)
		if (lower(hay.p[i]) == lower(needle.p[0]) && span_ieq(span_sub(hay, i, i + needle.n), needle))
			return i;
	return hay.n;
}

/* The run of non-space bytes at s[i]. */
static struct span token_at(struct span s, size_t i)
{
	size_t j = i;

	while (j < s.n && !is_space(s.p[j]))
		j++;
	return span_sub(s, i, j);
}

static struct span strip_tail(struct span s, const char *set)
{
	while (s.n && in_set(s.p[s.n - 1], set))
		s.n--;
	return s;
}

/* "<x@example.com>" -> "x@example.com". */
static struct span strip_angle(struct span s)
{
	s = trim(s);
	if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>')
		s = trim(span_sub(s, 1, s.n - 1));
	return s;
}

static size_t count_tokens(struct span s)
{
	size_t n = 0;

	for (size_t i = 0; i < s.n; i++)
		if (!is_space(s.p[i]) && (i == 0 || is_space(s.p[i - 1])))
			n++;
	return n;
}

/* The line at *pos, without its LF or CRLF; *pos moves past it. */
static bool next_line(struct span s, size_t *pos, struct span *line)
{
	const char *start, *nl;
	size_t len;

	if (*pos >= s.n)
		return false;
	start = s.p + *pos;
	nl = memchr(start, '\n', s.n - *pos);
	len = nl ? (size_t)(nl - start) : s.n - *pos;
	*pos += len + (nl != NULL);
	if (len && start[len - 1] == '\r')
		len--;
	*line = (struct span){ start, len };
	return true;
}

/* ---- phrases: the wording that marks each format ---- */

/* Whether phrase matches s at i: letters without regard to case, each
 * space of phrase standing for a run of white space, line ends included,
 * since bounce texts are folded anywhere.  *end gets the offset past it. */
static bool phrase_at(struct span s, size_t i, const char *phrase, size_t *end)
{
	for (const char *q = phrase; *q; q++) {
		if (*q == ' ') {
			if (i >= s.n || !is_space(s.p[i]))
				return false;
			while (i < s.n && is_space(s.p[i]))
				i++;
		} else if (i < s.n && lower(s.p[i]) == lower(*q)) {
			i++;
		} else {
			return false;
		}
	}
	*end = i;
	return true;
}

/* A phrase that starts with a letter or digit must start a word ("host"
 * is not in "ghost"). */
static bool match_at(struct span s, size_t i, const char *phrase, size_t *end)
{
	if (is_alnum(phrase[0]) && i > 0 && is_alnum(s.p[i - 1]))
		return false;
	return phrase_at(s, i, phrase, end);
}

/* The first match of phrase in s at or after from; *at and *end (either
 * may be NULL) get where it starts and ends. */
static bool find_phrase(struct span s, size_t from, const char *phrase, size_t *at, size_t *end)
{
	bool letter = is_alpha(phrase[0]);
	char first = lower(phrase[0]);
	size_t e;

	/* the first byte tested the cheap way: whole texts are searched */
	for (size_t i = from; i < s.n; i++) {
		if (!letter) {
			const char *next = memchr(s.p + i, first, s.n - i);

			if (next == NULL)
				return false;
			i = (size_t)(next - s.p);
		} else if ((char)(s.p[i] | 0x20) != first) {
			continue;
		}
		if (match_at(s, i, phrase, &e)) {
			if (at)
				*at = i;
			if (end)
				*end = e;
			return true;
		}
	}
	return false;
}

/* The earliest match in s of any of a NULL-ended list of phrases, in one
 * pass: the bytes that can start one are marked first. */
static bool find_any(struct span s, const char *const *phrases, size_t *at, size_t *end)
{
	bool starts[256] = { false };
	size_t e;

	for (const char *const *q = phrases; *q; q++) {
		starts[(unsigned char)lower(**q)] = true;
		starts[(unsigned char)(is_alpha(**q) ? lower(**q) - ('a' - 'A') : **q)] = true;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (!starts[(unsigned char)s.p[i]])
			continue;
		for (const char *const *q = phrases; *q; q++)
			if (lower(s.p[i]) == lower(**q) && match_at(s, i, *q, &e)) {
				if (at)
					*at = i;
				if (end)
					*end = e;
				return true;
			}
	}
	return false;
}

/* Appends s with its lines trimmed and joined by one space: a folded
 * field or a wrapped paragraph, as one line. */
static void add_unfolded(struct buf *out, struct span s)
{
	size_t pos = 0;
	struct span line;

	while (next_line(s, &pos, &line)) {
		line = trim(line);
		if (line.n == 0)
			continue;
		if (out->len)
			buf_addc(out, ' ');
		buf_add(out, line.p, line.n);
	}
}

/* Shortens b to n bytes, and the white space before. */
static void buf_cut(struct buf *b, size_t n)
{
	while (n && is_space(b->data[n - 1]))
		n--;
	if (b->data) {
		b->len = n;
		b->data[n] = '\0';
	}
}

/* Cuts b where phrase starts: what a bounce adds after the server's
 * words (Postfix's "(in reply to RCPT TO command)", Yahoo's "[RCPT_TO]"). */
static void cut_at(struct buf *b, const char *phrase)
{
	size_t at;

	if (find_phrase(span_of_buf(b), 0, phrase, &at, NULL))
		buf_cut(b, at);
}

/* ---- addresses ---- */

/* An address as the bounces write them: local@domain, no white space. */
static bool is_address(struct span a)
{
	const char *at = a.n ? memchr(a.p, '@', a.n) : NULL;

	if (at == NULL || at == a.p || at == a.p + a.n - 1)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (is_space(a.p[i]) || in_set(a.p[i], "<>\"(),;"))
			return false;
	return true;
}

static bool local_char(char c)
{
	return is_alnum(c) || in_set(c, "!#$%&*+-/=?^_`{|}~.") || (unsigned char)c >= 0x80;
}

static bool domain_char(char c)
{
	return is_alnum(c) || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

/* The first address in s, among other words ("Neko<mailto:x@example.com>"). */
static bool address_in(struct span s, struct span *addr)
{
	for (size_t i = 0; i < s.n; i++) {
		size_t l = i, r = i + 1;

		if (s.p[i] != '@')
			continue;
		while (l > 0 && local_char(s.p[l - 1]))
			l--;
		while (r < s.n && domain_char(s.p[r]))
			r++;
		*addr = strip_tail(span_sub(s, l, r), ".");
		if (l < i && addr->n > i - l + 1)
			return true;
	}
	return false;
}

/* Where address a is named in s, as a whole word; low is s in lower case
 * (memmem is linear, where a naive search is quadratic in the worst case
 * and runs once per recipient). */
static bool find_address(struct span s, struct span low, struct span a, size_t *at)
{
	char needle[ADDR_MAX];
	size_t from = 0;

	if (a.n == 0 || a.n > ADDR_MAX)
		return false;
	for (size_t i = 0; i < a.n; i++)
		needle[i] = lower(a.p[i]);
	while (from < s.n) {
		const char *hit = memmem(low.p + from, low.n - from, needle, a.n);
		size_t i, j;

		if (hit == NULL)
			return false;
		i = (size_t)(hit - low.p);
		j = i + a.n;
		if ((i == 0 || !local_char(s.p[i - 1])) &&
		    (j >= s.n || !(domain_char(s.p[j]) && (s.p[j] != '.' || (j + 1 < s.n && domain_char(s.p[j + 1])))))) {
			*at = i;
			return true;
		}
		from = i + 1;
	}
	return false;
}

/* A host name as a bounce writes it: "mx.example.com", "192.0.2.1",
 * "mx.example.com[192.0.2.1]" (not a word such as "or"). */
static bool host_ok(struct span h)
{
	if (h.n == 0 || !(is_alnum(h.p[0]) || h.p[0] == '['))
		return false;
	for (size_t i = 0; i < h.n; i++)
		if (h.p[i] == '.' || h.p[i] == '[' || h.p[i] == ':')
			return true;
	return false;
}

/* ---- SMTP replies and enhanced codes in text ---- */

/* A reply's code at s[i]: three digits, 2xx to 5xx, standing alone (after
 * the start, white space or one of :#'"( ) and followed by the end, white
 * space or the '-' of a multi-line reply.  Not a digit of an address. */
static bool reply_code_at(struct span s, size_t i)
{
	if (i + 3 > s.n || s.p[i] < '2' || s.p[i] > '5' || !is_digit(s.p[i + 1]) || !is_digit(s.p[i + 2]))
		return false;
	if (i + 3 < s.n && !is_space(s.p[i + 3]) && s.p[i + 3] != '-')
		return false;
	return i == 0 || is_space(s.p[i - 1]) || in_set(s.p[i - 1], ":#'\"(");
}

static bool find_reply_code(struct span s, size_t from, size_t *at)
{
	for (size_t i = from; i < s.n; i++)
		if (reply_code_at(s, i)) {
			*at = i;
			return true;
		}
	return false;
}

/* An enhanced status code at s[i] (RFC 3463 2: class.subject.detail, the
 * class 2, 4 or 5, the others 1-3 digits), not part of a longer number
 * such as an IP address.  Its length, or 0. */
static size_t enhanced_at(struct span s, size_t i)
{
	size_t j = i + 1;

	if (i >= s.n || !in_set(s.p[i], "245") || (i > 0 && (is_digit(s.p[i - 1]) || s.p[i - 1] == '.')))
		return 0;
	for (int part = 0; part < 2; part++) {
		size_t digits = 0;

		if (j >= s.n || s.p[j] != '.')
			return 0;
		for (j++; j < s.n && is_digit(s.p[j]); j++)
			digits++;
		if (digits < 1 || digits > 3)
			return 0;
	}
	if (j < s.n && s.p[j] == '.' && j + 1 < s.n && is_digit(s.p[j + 1]))
		return 0;
	return j - i;
}

static void copy_code(char out[STATUS_MAX], struct span s, size_t i, size_t n)
{
	memcpy(out, s.p + i, n);
	out[n] = '\0';
}

/* The enhanced code of the reply in d ("550 5.1.1 ...", "550-5.2.1 ...",
 * Gmail's "554 554 5.7.1 ...", an X-Postfix "host H said: 554 5.6.0"),
 * if its class is the reply's. */
static bool reply_status(struct span d, char out[STATUS_MAX])
{
	size_t at, j, n;

	d = trim(d);
	if ((n = enhanced_at(d, 0)) != 0) {  /* a code with no basic code */
		copy_code(out, d, 0, n);
		return true;
	}
	if (!find_reply_code(d, 0, &at))
		return false;
	j = at + 3;
	if (j < d.n && (d.p[j] == ' ' || d.p[j] == '-'))
		j++;
	if (reply_code_at(d, j) && memcmp(d.p + j, d.p + at, 3) == 0) {
		j += 3;
		if (j < d.n && (d.p[j] == ' ' || d.p[j] == '-'))
			j++;
	}
	n = enhanced_at(d, j);
	if (n == 0 || d.p[j] != d.p[at])
		return false;
	copy_code(out, d, j, n);
	return true;
}

/* ---- what is found about one recipient ---- */

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

static void entry_init(struct entry *e)
{
	memset(e, 0, sizeof *e);
	buf_init(&e->remote);
	buf_init(&e->diag);
}

static void entry_free(struct entry *e)
{
	buf_free(&e->remote);
	buf_free(&e->diag);
}

static struct entry *entries_find(struct entries *es, struct span addr)
{
	for (size_t i = 0; i < es->n; i++)
		if (span_ieq(es->v[i].addr, addr))
			return &es->v[i];
	return NULL;
}

/* Moves *e into es (e is to be set up again); false, leaving *e, when
 * BOUNCE_MAX_RCPTS are kept already. */
static bool entries_push(struct entries *es, struct entry *e)
{
	if (es->n == BOUNCE_MAX_RCPTS)
		return false;
	es->v = xgrow(es->v, &es->cap, es->n + 1, sizeof *es->v);
	es->v[es->n++] = *e;
	return true;
}

/* Fills what e lacks with what f, the text's reading, says. */
static void entry_fill(struct entry *e, const struct entry *f)
{
	if (!e->has_verb && f->has_verb) {
		e->has_verb = true;
		e->verb = f->verb;
	}
	if (e->diag.len == 0)
		buf_add(&e->diag, f->diag.data, f->diag.len);
	if (e->remote.len == 0)
		buf_add(&e->remote, f->remote.data, f->remote.len);
	if (e->hint[0] == '\0')
		memcpy(e->hint, f->hint, sizeof e->hint);
}

static void entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		entry_free(&es->v[i]);
	free(es->v);
	memset(es, 0, sizeof *es);
}

/* ---- the parse ---- */

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

static void ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->text);
	buf_init(&c->low);
	buf_init(&c->failed_hdr);
	c->text_format = BOUNCE_OTHER;
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	buf_free(&c->text);
	buf_free(&c->low);
	buf_free(&c->failed_hdr);
	entries_free(&c->dsn_rcpts);
	entries_free(&c->text_rcpts);
}

/* ---- header blocks (RFC 5322 2.2) ---- */

/* A field's first line: a name of visible ASCII but ':', then ':' (white
 * space before it is obsolete syntax, accepted). */
static bool is_field_line(struct span line)
{
	size_t i = 0;

	while (i < line.n && (unsigned char)line.p[i] > ' ' && (unsigned char)line.p[i] < 0x7f && line.p[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < line.n && is_wsp(line.p[i]))
		i++;
	return i < line.n && line.p[i] == ':';
}

/* Splits m at its first empty line into the header block and the body.
 * False if m does not start with a header field.  *ended is false when no
 * empty line closes the block: the text stops inside it. */
static bool split_header(struct span m, struct span *hdr, struct span *body, bool *ended)
{
	size_t pos = 0, start;
	struct span line;

	*ended = false;
	*hdr = m;
	*body = span_sub(m, m.n, m.n);
	while (start = pos, next_line(m, &pos, &line)) {
		if (blank(line)) {
			*hdr = span_sub(m, 0, start);
			*body = span_sub(m, pos, m.n);
			*ended = true;
			return true;
		}
		if (start == 0 && !is_field_line(line))
			return false;
	}
	return m.n > 0;
}

/* Appends the unfolded value of the first field called name in the
 * header block h; false if there is none. */
static bool header_get(struct span h, const char *name, struct buf *out)
{
	size_t pos = 0, nlen = strlen(name);
	struct span line;

	while (next_line(h, &pos, &line)) {
		size_t i = nlen, from, to, look;
		struct span more;

		if (!span_istarts(line, name))
			continue;
		while (i < line.n && is_wsp(line.p[i]))
			i++;
		if (i >= line.n || line.p[i] != ':')
			continue;
		from = (size_t)(line.p - h.p) + i + 1;
		to = (size_t)(line.p - h.p) + line.n;
		/* the continuation lines start with white space */
		while (look = pos, next_line(h, &look, &more) && more.n && is_wsp(more.p[0])) {
			to = (size_t)(more.p - h.p) + more.n;
			pos = look;
		}
		add_unfolded(out, span_sub(h, from, to));
		return true;
	}
	return false;
}

/* ---- MIME (RFC 2045, RFC 2046) ---- */

struct ctype {
	char type[CTYPE_MAX];           /* "multipart/report", lower case; "" if none */
	char boundary[BOUNDARY_MAX + 1];
};

/* The value of parameter name in a Content-Type value (RFC 2045 5.1:
 * "; name=token" or "; name=\"quoted\""), into out; false if it is
 * absent or longer than cap - 1. */
static bool ct_param(struct span v, const char *name, char *out, size_t cap)
{
	size_t i = 0, nlen = strlen(name);

	while (i < v.n) {
		bool quoted = false;
		size_t j, n = 0;

		for (; i < v.n && (quoted || v.p[i] != ';'); i++) {
			if (v.p[i] == '"')
				quoted = !quoted;
			else if (quoted && v.p[i] == '\\')
				i++;
		}
		for (i++; i < v.n && is_space(v.p[i]); i++)
			;
		if (!span_istarts(span_sub(v, i, v.n), name))
			continue;
		for (j = i + nlen; j < v.n && is_wsp(v.p[j]); j++)
			;
		if (j >= v.n || v.p[j] != '=')
			continue;
		for (j++; j < v.n && is_wsp(v.p[j]); j++)
			;
		if (j < v.n && v.p[j] == '"') {
			for (j++; j < v.n && v.p[j] != '"'; j++) {
				if (v.p[j] == '\\' && j + 1 < v.n)
					j++;
				if (n + 1 >= cap)
					return false;
				out[n++] = v.p[j];
			}
		} else {
			for (; j < v.n && v.p[j] != ';' && !is_space(v.p[j]); j++) {
				if (n + 1 >= cap)
					return false;
				out[n++] = v.p[j];
			}
		}
		out[n] = '\0';
		return n > 0;
	}
	return false;
}

static void content_type(struct span hdr, struct ctype *ct)
{
	struct buf v;
	struct span s, type;

	ct->type[0] = ct->boundary[0] = '\0';
	buf_init(&v);
	if (header_get(hdr, "Content-Type", &v)) {
		s = span_of_buf(&v);
		type = token_at(s, 0);
		for (size_t i = 0; i < type.n; i++)
			if (type.p[i] == ';')
				type.n = i;
		/* a type without its '/' is no type: the default, text/plain */
		if (type.n < CTYPE_MAX && memchr(type.p, '/', type.n)) {
			for (size_t i = 0; i < type.n; i++)
				ct->type[i] = lower(type.p[i]);
			ct->type[type.n] = '\0';
		}
		if (!ct_param(s, "boundary", ct->boundary, sizeof ct->boundary))
			ct->boundary[0] = '\0';
	}
	buf_free(&v);
}

static bool type_is(const struct ctype *ct, const char *type)
{
	return strcmp(ct->type, type) == 0;
}

static bool type_starts(const struct ctype *ct, const char *prefix)
{
	return strncmp(ct->type, prefix, strlen(prefix)) == 0;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 2045 6.7; a '=' that starts no escape is kept as it came. */
static void qp_decode(struct buf *out, struct span s)
{
	for (size_t i = 0; i < s.n; i++) {
		size_t j = i + 1;

		if (s.p[i] != '=') {
			buf_addc(out, s.p[i]);
			continue;
		}
		if (i + 2 < s.n && hex_value(s.p[i + 1]) >= 0 && hex_value(s.p[i + 2]) >= 0) {
			buf_addc(out, (char)(hex_value(s.p[i + 1]) * 16 + hex_value(s.p[i + 2])));
			i += 2;
			continue;
		}
		/* a soft line break: '=', perhaps white space, the line end */
		while (j < s.n && is_wsp(s.p[j]))
			j++;
		if (j + 1 < s.n && s.p[j] == '\r' && s.p[j + 1] == '\n')
			j++;
		if (j >= s.n || s.p[j] == '\n')
			i = j;
		else
			buf_addc(out, '=');
	}
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* RFC 2045 6.8; bytes outside the alphabet are skipped, '=' ends it. */
static void b64_decode(struct buf *out, struct span s)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < s.n && s.p[i] != '='; i++) {
		int v = b64_value(s.p[i]);

		if (v < 0)
			continue;
		acc = ((acc << 6) | (unsigned)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xffu));
		}
	}
}

/* The body as its Content-Transfer-Encoding says, decoded. */
static struct span decode_body(struct ctx *c, struct span hdr, struct span body)
{
	struct buf cte, out;
	struct span enc;
	bool qp, b64;
	size_t n;

	buf_init(&cte);
	header_get(hdr, "Content-Transfer-Encoding", &cte);
	enc = token_at(span_of_buf(&cte), 0);
	qp = span_ieq_lit(enc, "quoted-printable");
	b64 = span_ieq_lit(enc, "base64");
	buf_free(&cte);
	if ((!qp && !b64) || c->nowned == MIME_MAX_PARTS)
		return body;
	buf_init(&out);
	if (qp)
		qp_decode(&out, body);
	else
		b64_decode(&out, body);
	n = out.len;
	c->owned[c->nowned++] = buf_steal(&out);
	return (struct span){ c->owned[c->nowned - 1], n };
}

/* Where the returned message starts in a bounce's text: what follows is
 * the original, not the bounce's words. */
static const char *const copy_marks[] = {
	"This is a copy of the message",                 /* Exim */
	"Below this line is a copy of the message",      /* qmail, Yahoo */
	"----- Original message -----",                  /* Gmail */
	"Original message headers:",                     /* Microsoft */
	"Below is a copy of the original message",       /* OpenSMTPD */
	"Included is a copy of the message header",      /* MXLogic */
	"The header of the original message is following",
	NULL,
};

static struct span cut_copy(struct span s)
{
	size_t cut = s.n;

	find_any(s, copy_marks, &cut, NULL);
	while (cut > 0 && s.p[cut - 1] != '\n')
		cut--;
	return span_sub(s, 0, cut);
}

static void add_text(struct ctx *c, struct span s)
{
	size_t room;

	s = cut_copy(s);
	if (c->text.len + 2 >= TEXT_MAX || s.n == 0)
		return;
	if (c->text.len)
		buf_add(&c->text, "\n\n", 2);
	room = TEXT_MAX - c->text.len;
	buf_add(&c->text, s.p, s.n < room ? s.n : room);
}

static void walk(struct ctx *c, struct span hdr, struct span body, int depth, bool in_report);

/* 1 for the delimiter line "--boundary", 2 for the close "--boundary--"
 * (RFC 2046 5.1.1: white space may follow), else 0. */
static int delimiter(struct span line, const char *bd, size_t bl)
{
	struct span rest;

	if (line.n < bl + 2 || line.p[0] != '-' || line.p[1] != '-' || memcmp(line.p + 2, bd, bl) != 0)
		return 0;
	rest = span_sub(line, bl + 2, line.n);
	if (rest.n >= 2 && rest.p[0] == '-' && rest.p[1] == '-')
		return blank(span_sub(rest, 2, rest.n)) ? 2 : 0;
	return blank(rest) ? 1 : 0;
}

static void walk_part(struct ctx *c, struct span part, int depth, bool in_report)
{
	struct span hdr, body;
	bool ended;

	if (!split_header(part, &hdr, &body, &ended)) {
		/* no header block: a text/plain part (RFC 2046 5.1.1) */
		hdr = span_sub(part, 0, 0);
		body = part;
	}
	walk(c, hdr, body, depth, in_report);
}

static void walk_multipart(struct ctx *c, struct span body, const char *bd, int depth, bool in_report)
{
	size_t bl = strlen(bd), pos = 0, start, part = 0;
	bool in_part = false;
	struct span line;

	while (start = pos, next_line(body, &pos, &line)) {
		int d = delimiter(line, bd, bl);

		if (d == 0)
			continue;
		if (in_part)
			walk_part(c, span_sub(body, part, start), depth, in_report);
		if (d == 2)
			return;
		in_part = true;
		part = pos;
	}
	if (in_part) {
		c->truncated = true;  /* no close delimiter: the text stops in a part */
		walk_part(c, span_sub(body, part, body.n), depth, in_report);
	} else {
		add_text(c, body);    /* no delimiter at all: read it as text */
	}
}

static bool is_dsn_type(const struct ctype *ct)
{
	const char *sub = strchr(ct->type, '/');

	/* message/delivery-status, message/global-delivery-status (RFC 6533),
	 * and the text/ or application/ that some MTAs write instead */
	return sub && (strcmp(sub, "/delivery-status") == 0 || strcmp(sub, "/global-delivery-status") == 0);
}

static void walk(struct ctx *c, struct span hdr, struct span body, int depth, bool in_report)
{
	struct ctype ct;

	if (c->nparts++ >= MIME_MAX_PARTS)
		return;
	content_type(hdr, &ct);
	if (type_starts(&ct, "multipart/")) {
		if (!ct.boundary[0])
			add_text(c, body);
		else if (depth < MIME_MAX_DEPTH)
			walk_multipart(c, body, ct.boundary, depth + 1,
				       in_report || type_is(&ct, "multipart/report"));
		return;
	}
	if (is_dsn_type(&ct)) {
		if (c->ndsn < DSN_MAX_PARTS)
			c->dsn[c->ndsn++] = decode_body(c, hdr, body);
	} else if (type_starts(&ct, "message/") || type_is(&ct, "text/rfc822-headers")) {
		/* the returned message, never the bounce's words; outside a
		 * report, perhaps a bounce forwarded as an attachment */
		if (!in_report && c->inner.p == NULL && !type_is(&ct, "text/rfc822-headers"))
			c->inner = body;
	} else if (ct.type[0] == '\0' || (type_starts(&ct, "text/") && !type_is(&ct, "text/html"))) {
		add_text(c, decode_body(c, hdr, body));
	}
}

/* ---- the delivery-status fields (RFC 3464 2.2, 2.3) ---- */

enum dsn_field {
	F_NONE,      /* not a field: prose */
	F_OTHER,     /* a field not needed here */
	F_REPORTING, F_ORIGINAL, F_FINAL, F_ACTION, F_STATUS, F_REMOTE, F_DIAG,
};

static const struct {
	const char *name;
	enum dsn_field field;
} dsn_fields[] = {
	{ "Reporting-MTA", F_REPORTING },
	{ "Original-Recipient", F_ORIGINAL },
	{ "Final-Recipient", F_FINAL },
	{ "Action", F_ACTION },
	{ "Status", F_STATUS },
	{ "Remote-MTA", F_REMOTE },
	{ "Diagnostic-Code", F_DIAG },
};

static enum dsn_field dsn_field_of(struct span line, size_t *value)
{
	const char *colon = line.n ? memchr(line.p, ':', line.n) : NULL;
	struct span name;

	if (colon == NULL || !is_field_line(line))
		return F_NONE;
	name = trim(span_sub(line, 0, (size_t)(colon - line.p)));
	*value = (size_t)(colon - line.p) + 1;
	for (size_t i = 0; i < UTIL_ARRAY_LEN(dsn_fields); i++)
		if (span_ieq_lit(name, dsn_fields[i].name))
			return dsn_fields[i].field;
	return F_OTHER;
}

/* "rfc822; x@example.com", "dns; mx.example.com", "smtp; 550 ...": the
 * type before the ';' (a short token, else there is none) and the rest. */
static struct span typed_value(struct span v, struct span *type)
{
	const char *semi = v.n ? memchr(v.p, ';', v.n) : NULL;
	struct span t;

	*type = span_sub(v, 0, 0);
	if (semi == NULL)
		return trim(v);
	t = trim(span_sub(v, 0, (size_t)(semi - v.p)));
	if (t.n == 0 || t.n > TYPE_NAME_MAX)
		return trim(v);
	for (size_t i = 0; i < t.n; i++)
		if (!is_alnum(t.p[i]) && !in_set(t.p[i], "-_."))
			return trim(v);
	*type = t;
	return trim(span_sub(v, (size_t)(semi - v.p) + 1, v.n));
}

/* A recipient field's address: angle brackets and a source route
 * ("@smtp.example.net:x@example.com", Sun's Messaging Server) dropped. */
static struct span dsn_address(struct span a)
{
	const char *colon;

	a = strip_angle(a);
	if (a.n && a.p[0] == '@' && (colon = memchr(a.p, ':', a.n)) != NULL)
		a = strip_angle(span_sub(a, (size_t)(colon - a.p) + 1, a.n));
	return a;
}

/* Status: "5.2.0 (LMTP transmission failure has occurred)" -> "5.2.0". */
static void status_of(struct span v, char out[STATUS_MAX])
{
	size_t n;

	v = trim(v);
	n = enhanced_at(v, 0);
	if (n)
		copy_code(out, v, 0, n);
}

/* Failed and delayed recipients are the bounce's; "delivered", "relayed"
 * and "expanded" ones are not.  Without an Action, the Status says. */
static bool dsn_wanted(const struct entry *e)
{
	if (span_ieq_lit(e->action, "failed") || span_ieq_lit(e->action, "delayed"))
		return true;
	if (span_ieq_lit(e->action, "delivered") || span_ieq_lit(e->action, "relayed") ||
	    span_ieq_lit(e->action, "expanded"))
		return false;
	return e->status[0] != '2';
}

/* Ends a recipient's block: kept if it is a failure. */
static void dsn_flush(struct ctx *c, struct entry *e)
{
	if (e->addr.n == 0)
		e->addr = e->original;
	if (e->addr.n) {
		c->dsn_blocks = true;
		if (dsn_wanted(e) && entries_push(&c->dsn_rcpts, e)) {
			entry_init(e);
			return;
		}
	}
	entry_free(e);
	entry_init(e);
}

static void dsn_apply(struct ctx *c, struct entry *e, enum dsn_field f, struct span v)
{
	struct span type, rest = typed_value(v, &type);

	switch (f) {
	case F_REPORTING:
		if (c->reporting.n == 0)
			c->reporting = token_at(rest, 0);
		break;
	case F_ORIGINAL:
		/* a second one, or a Final-Recipient already there without the
		 * empty line between blocks: the next recipient's */
		if (e->original.n)
			dsn_flush(c, e);
		e->original = dsn_address(rest);
		break;
	case F_FINAL:
		if (e->addr.n)
			dsn_flush(c, e);
		e->addr = dsn_address(rest);
		break;
	case F_ACTION:
		e->action = token_at(trim(v), 0);
		break;
	case F_STATUS:
		status_of(v, e->status);
		break;
	case F_REMOTE:
		if (e->remote.len == 0)
			buf_add(&e->remote, rest.p, token_at(rest, 0).n);
		break;
	case F_DIAG:
		if (e->diag.len == 0) {
			e->diag_type = type;
			add_unfolded(&e->diag, rest);
		}
		break;
	default:
		break;
	}
}

/* The fields, per message then per recipient, blocks separated by empty
 * lines, values folded onto lines that start with white space.  Lenient:
 * a new Final-Recipient starts a new recipient even with no empty line. */
static void parse_dsn(struct ctx *c, struct span d)
{
	struct entry cur;
	enum dsn_field f = F_NONE;
	size_t pos = 0, start, value = 0, from = 0, to = 0;
	struct span line;

	entry_init(&cur);
	while (start = pos, next_line(d, &pos, &line)) {
		if (line.n && is_wsp(line.p[0]) && !blank(line)) {
			if (f != F_NONE)
				to = start + line.n;
			continue;
		}
		dsn_apply(c, &cur, f, span_sub(d, from, to));
		f = F_NONE;
		if (blank(line)) {
			dsn_flush(c, &cur);
			continue;
		}
		f = dsn_field_of(line, &value);
		from = start + value;
		to = start + line.n;
	}
	dsn_apply(c, &cur, f, span_sub(d, from, to));
	dsn_flush(c, &cur);
	entry_free(&cur);
}

/* Delivery-status fields in a text part (some MTAs label them so):
 * unambiguous when a line starts with Final-Recipient and another with
 * Action or Status. */
static bool has_dsn_fields(struct span t)
{
	bool final = false, other = false;
	size_t pos = 0, value;
	struct span line;

	while (next_line(t, &pos, &line)) {
		enum dsn_field f = dsn_field_of(line, &value);

		final = final || f == F_FINAL;
		other = other || f == F_ACTION || f == F_STATUS;
	}
	return final && other;
}

/* ---- the commands that replies answered ---- */

#define NAMED SMTP_V__COUNT  /* a row whose command is the word after it */

/* Searched in this order, so a specific row comes before the general
 * one it is a case of. */
static const struct {
	const char *phrase;
	enum smtp_verb verb;
} verb_phrases[] = {
	/* Postfix: "(in reply to RCPT TO command)", "refused to talk to me" */
	{ "in reply to end of DATA command", SMTP_V_DOT },
	{ "in reply to ", NAMED },
	{ "refused to talk to me", SMTP_V_GREETING },
	{ "while receiving the initial server greeting", SMTP_V_GREETING },
	{ "while sending end of data", SMTP_V_DOT },
	{ "while sending ", NAMED },
	/* Exim: "SMTP error from remote mail server after RCPT TO:<x>:" */
	{ "after end of data", SMTP_V_DOT },
	{ "after pipelined end of data", SMTP_V_DOT },
	{ "after initial connection", SMTP_V_GREETING },
	{ "after pipelined ", NAMED },
	{ "from remote mail server after ", NAMED },
	{ "from remote mailer after ", NAMED },
	{ "SMTP timeout after ", NAMED },
	/* qmail: "192.0.2.1 does not like recipient." */
	{ "does not like recipient", SMTP_V_RCPT },
	{ "does not like sender", SMTP_V_MAIL },
	{ "failed on DATA command", SMTP_V_DATA },
	{ "failed after I sent the message", SMTP_V_DOT },
	{ "but greeting failed", SMTP_V_GREETING },
	{ "but sender was rejected", SMTP_V_MAIL },
	{ "but my name was rejected", SMTP_V_HELO },
	{ "most progress was ", NAMED },
	/* Yahoo: "550 5.1.1 <x>... User Unknown [RCPT_TO]" */
	{ "[RCPT_TO]", SMTP_V_RCPT },
	{ "[MAIL_FROM]", SMTP_V_MAIL },
};

/* The command named at the start of s ("RCPT TO:<x>", "MAIL FROM",
 * "DATA"); sets e's verb if it is one. */
static bool verb_word(struct entry *e, struct span s)
{
	char w[WORD_MAX];
	size_t i = 0, n = 0;
	enum smtp_verb v;

	while (i < s.n && is_space(s.p[i]))
		i++;
	while (i < s.n && is_alpha(s.p[i]) && n < WORD_MAX - 1)
		w[n++] = s.p[i++];
	if (n == 0 || (i < s.n && is_alpha(s.p[i])))
		return false;
	w[n] = '\0';
	v = smtp_verb_of(w);
	if (v == SMTP_V_UNKNOWN)
		return false;
	e->has_verb = true;
	e->verb = v;
	return true;
}

static void verb_in(struct entry *e, struct span s)
{
	size_t end;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(verb_phrases) && !e->has_verb; i++) {
		if (!find_phrase(s, 0, verb_phrases[i].phrase, NULL, &end))
			continue;
		if (verb_phrases[i].verb != NAMED) {
			e->has_verb = true;
			e->verb = verb_phrases[i].verb;
		} else {
			verb_word(e, span_sub(s, end, s.n));
		}
	}
}

/* ---- reading a recipient's block of text ---- */

enum upto {
	UPTO_PARA,        /* to the next empty line: a wrapped paragraph */
	UPTO_LINE,        /* the line, and those after it that start with a
			   * reply code: qmail's lines are the server's */
	UPTO_TRANSCRIPT,  /* the line, and the "<<< " lines after it */
};

/* Appends the reply that starts at offset at in s (perhaps on the next
 * line), joined into one line, to the empty out. */
static void take_reply(struct buf *out, struct span s, size_t at, enum upto upto)
{
	size_t pos = at;
	struct span line;
	bool first = true;

	while (pos < s.n && is_space(s.p[pos]))
		pos++;
	while (next_line(s, &pos, &line)) {
		struct span t = trim(line);

		if (!first) {
			if (t.n == 0 || (upto == UPTO_LINE && !reply_code_at(t, 0)) ||
			    (upto == UPTO_TRANSCRIPT && !span_istarts(t, "<<<")))
				break;
			if (upto == UPTO_TRANSCRIPT)
				t = trim(span_sub(t, 3, t.n));
		}
		first = false;
		if (t.n) {
			if (out->len)
				buf_addc(out, ' ');
			buf_add(out, t.p, t.n);
		}
	}
}

/* Whether the word before s[at] is "client": a blocklist's "Client host
 * [192.0.2.1] blocked" names the sender's host, not the remote one. */
static bool after_client(struct span s, size_t at)
{
	while (at > 0 && is_space(s.p[at - 1]))
		at--;
	return at >= 6 && span_ieq_lit(span_sub(s, at - 6, at), "client") && (at == 6 || !is_alnum(s.p[at - 7]));
}

/* The host named after phrase in s: "host mx.example.com[192.0.2.1]",
 * Exim's "host mx.example.com [192.0.2.1]:", into e->remote if it has
 * none.  Occurrences naming no host ("Host or domain name not found")
 * are passed over. */
static bool take_host(struct entry *e, struct span s, const char *phrase)
{
	size_t from = 0, at, end;

	while (e->remote.len == 0 && find_phrase(s, from, phrase, &at, &end)) {
		struct span h = strip_tail(token_at(s, end), ":;,.");
		size_t k = end + h.n;

		from = end;
		if (!host_ok(h) || after_client(s, at))
			continue;
		buf_add(&e->remote, h.p, h.n);
		while (k < s.n && in_set(s.p[k], ".:,"))
			k++;
		while (k < s.n && is_wsp(s.p[k]))
			k++;
		if (k < s.n && s.p[k] == '[') {
			struct span a = token_at(s, k);
			const char *close = memchr(a.p, ']', a.n);

			if (close) {
				buf_addc(&e->remote, ' ');
				buf_add(&e->remote, a.p, (size_t)(close - a.p) + 1);
			}
		}
	}
	return e->remote.len > 0;
}

/* qmail's "192.0.2.1 does not like recipient.": the host before phrase. */
static void take_host_before(struct entry *e, struct span s, const char *phrase)
{
	size_t at, i;

	if (e->remote.len || !find_phrase(s, 0, phrase, &at, NULL))
		return;
	while (at > 0 && is_space(s.p[at - 1]))
		at--;
	for (i = at; i > 0 && !is_space(s.p[i - 1]); i--)
		;
	if (host_ok(span_sub(s, i, at)))
		buf_add(&e->remote, s.p + i, at - i);
}

/* qmail's own code: "... (#5.1.1)". */
static void take_hint(struct entry *e, struct span s)
{
	size_t end, n;

	if (find_phrase(s, 0, "(#", NULL, &end) && (n = enhanced_at(s, end)) != 0)
		copy_code(e->hint, s, end, n);
}

/* A session transcript (Sendmail's, Courier's): the first "<<< " reply,
 * the command the ">>> " line before it sent. */
static bool take_transcript(struct entry *e, struct span blk)
{
	size_t pos = 0;
	struct span line, cmd = { "", 0 };

	while (next_line(blk, &pos, &line)) {
		struct span t = trim(line);

		if (span_istarts(t, ">>>")) {
			cmd = span_sub(t, 3, t.n);
		} else if (span_istarts(t, "<<<")) {
			take_reply(&e->diag, blk, (size_t)(t.p - blk.p) + 3, UPTO_TRANSCRIPT);
			verb_word(e, cmd);
			return true;
		}
	}
	return false;
}

typedef void analyse_fn(struct entry *e, struct span blk);

/* Postfix: "host mx.example.com[192.0.2.1] said: 550 5.1.1 ... (in reply
 * to RCPT TO command)", "... refused to talk to me: 554 ...", or its own
 * words ("mail for example.com loops back to myself"). */
static void analyse_postfix(struct entry *e, struct span blk)
{
	size_t end;

	if (!take_host(e, blk, "host "))
		take_host(e, blk, "connect to ");
	if (find_phrase(blk, 0, "said:", NULL, &end) || find_phrase(blk, 0, "refused to talk to me:", NULL, &end))
		take_reply(&e->diag, blk, end, UPTO_PARA);
	else
		take_reply(&e->diag, blk, 0, UPTO_PARA);
	cut_at(&e->diag, "(in reply to ");
	verb_in(e, blk);
}

/* Exim: "host mx.example.com [192.0.2.1]", "SMTP error from remote mail
 * server after RCPT TO:<x>:", then the reply, in either order; or its
 * own words ("Unrouteable address"). */
static void analyse_exim(struct entry *e, struct span blk)
{
	size_t from = 0, at;

	take_host(e, blk, "host ");
	if (find_phrase(blk, 0, "SMTP error from remote mail", NULL, &at))
		from = at;
	if (find_reply_code(blk, from, &at))
		take_reply(&e->diag, blk, at, UPTO_PARA);
	else
		take_reply(&e->diag, blk, 0, UPTO_PARA);
	verb_in(e, blk);
}

/* qmail and Yahoo ("192.0.2.1 does not like recipient." / "Remote host
 * said: 550 ..."), Courier's transcript. */
static void analyse_lines(struct entry *e, struct span blk)
{
	size_t end;

	if (!take_transcript(e, blk)) {
		if (find_phrase(blk, 0, "Remote host said:", NULL, &end) || find_phrase(blk, 0, "said:", NULL, &end))
			take_reply(&e->diag, blk, end, UPTO_LINE);
		else
			take_reply(&e->diag, blk, 0, UPTO_PARA);
	}
	take_host_before(e, blk, "does not like ");
	if (!take_host(e, blk, "Connected to "))
		take_host(e, blk, "remote host ");
	take_hint(e, blk);
	verb_in(e, blk);
	cut_at(&e->diag, "[RCPT_TO]");
	cut_at(&e->diag, "[MAIL_FROM]");
}

/* Sendmail's list: "<x@example.com>" then "(reason: 550 ...)" and
 * "(expanded from: <y>)"; the transcript is read later. */
static void analyse_sendmail(struct entry *e, struct span blk)
{
	size_t end;

	if (find_phrase(blk, 0, "(reason:", NULL, &end)) {
		struct buf *d = &e->diag;
		int depth = 1;

		take_reply(d, blk, end, UPTO_PARA);
		for (size_t i = 0; i < d->len; i++) {  /* to the ')' that closes it */
			depth += d->data[i] == '(' ? 1 : d->data[i] == ')' ? -1 : 0;
			if (depth == 0) {
				buf_cut(d, i);
				break;
			}
		}
	}
	if (find_phrase(blk, 0, "(expanded from:", NULL, &end)) {
		struct span o = span_sub(blk, end, blk.n);
		const char *close = memchr(o.p, ')', o.n);

		if (close)
			e->original = strip_angle(span_sub(o, 0, (size_t)(close - o.p)));
	}
}

/* A line that is "#550 5.1.1 ... ##" (Exchange 2007's). */
static bool hash_reply(struct span blk, size_t *at)
{
	size_t pos = 0;
	struct span line;

	while (next_line(blk, &pos, &line)) {
		struct span t = trim(line);

		if (t.n > 1 && t.p[0] == '#' && reply_code_at(t, 1)) {
			*at = (size_t)(t.p - blk.p) + 1;
			return true;
		}
	}
	return false;
}

/* Microsoft: "Remote Server returned '550 5.1.1 ...'" or "#550 5.1.1 ...
 * ##", the remote server perhaps alone on a line above it (Office 365);
 * else the reason given in words. */
static void analyse_microsoft(struct entry *e, struct span blk)
{
	size_t end, at, reply = blk.n, pos = 0, start;
	struct span line;
	struct buf *d = &e->diag;

	if (find_phrase(blk, 0, "Remote Server returned", &at, &end)) {
		reply = at;
		take_reply(d, blk, end, UPTO_PARA);
		if (d->len && d->data[0] == '\'')
			buf_consume(d, 1);
		for (size_t i = d->len; i > 0; i--)
			if (d->data[i - 1] == '\'') {
				buf_cut(d, i - 1);
				break;
			}
	} else if (hash_reply(blk, &at)) {
		reply = at;
		take_reply(d, blk, at, UPTO_PARA);
		cut_at(d, "##");
	} else {
		take_reply(d, blk, 0, UPTO_PARA);
	}
	while (start = pos, next_line(blk, &pos, &line) && start < reply) {
		struct span t = trim(line);

		if (host_ok(t) && count_tokens(t) == 1 && !memchr(t.p, '@', t.n) && t.p[t.n - 1] != ':') {
			buf_add(&e->remote, t.p, t.n);
			break;
		}
	}
}

/* Gmail: the details for every recipient named above them.  "The error
 * that the other server returned was: 550 ...", newer "The response from
 * the remote server was:" and the reply on the next line. */
static void analyse_gmail(struct entry *e, struct span blk)
{
	static const char *const intro[] = {
		"The error that the other server returned was:",
		"The response from the remote server was:",
		"The response was:",
		NULL,
	};
	size_t end, from = 0;
	struct span line;

	if (find_any(blk, intro, NULL, &end)) {
		take_reply(&e->diag, blk, end, UPTO_PARA);
	} else {
		/* no reply quoted: the reason, below "Technical details of
		 * temporary failure:" */
		if (find_phrase(blk, 0, "Technical details of", NULL, &from))
			next_line(blk, &from, &line);
		take_reply(&e->diag, blk, from, UPTO_PARA);
	}
	/* "rejected by the server for the recipient domain example.com by
	 * mx.example.com. [192.0.2.1]." */
	if (find_phrase(blk, 0, "recipient domain ", NULL, &end)) {
		size_t after = end + token_at(blk, end).n;

		if (phrase_at(blk, after, " by ", &end))
			take_host(e, span_sub(blk, after, blk.n), "by ");
	}
	verb_in(e, blk);
}

/* Any other bounce: the shapes above, tried in turn. */
static void analyse_generic(struct entry *e, struct span blk)
{
	static const char *const intro[] = {
		"Remote Server returned", "said:", "returned was:", "remote server was:",
		"The response was:", NULL,
	};
	size_t end, at;

	if (!take_transcript(e, blk)) {
		if (find_any(blk, intro, NULL, &end))
			take_reply(&e->diag, blk, end, UPTO_PARA);
		else if (find_reply_code(blk, 0, &at))
			take_reply(&e->diag, blk, at, UPTO_PARA);
		else
			take_reply(&e->diag, blk, 0, UPTO_PARA);
		cut_at(&e->diag, "(in reply to ");
	}
	take_host(e, blk, "host ");
	take_hint(e, blk);
	verb_in(e, blk);
	cut_at(&e->diag, "[RCPT_TO]");
	cut_at(&e->diag, "[MAIL_FROM]");
}

/* ---- finding each recipient's block in the text ---- */

/* A recipient's block, being gathered: the lines after its address, to
 * an empty line or the next address. */
struct hit {
	struct span addr, original;
	size_t start, end;      /* offsets of the block in the text */
	bool open, delayed;
};

static bool full(const struct ctx *c)
{
	return c->text_rcpts.n == BOUNCE_MAX_RCPTS;
}

static void hit_close(struct ctx *c, struct span t, struct hit *h, analyse_fn *fn)
{
	struct entry e;

	if (!h->open)
		return;
	h->open = false;
	/* named again: the first block stands */
	if (full(c) || entries_find(&c->text_rcpts, h->addr))
		return;
	entry_init(&e);
	e.addr = h->addr;
	e.original = h->original;
	e.delayed = h->delayed;
	fn(&e, span_sub(t, h->start, h->end - h->start > BLOCK_MAX ? h->start + BLOCK_MAX : h->end));
	if (!entries_push(&c->text_rcpts, &e))
		entry_free(&e);
}

static void hit_open(struct ctx *c, struct span t, struct hit *h, analyse_fn *fn,
		     struct span addr, struct span original, size_t start)
{
	hit_close(c, t, h, fn);
	*h = (struct hit){ addr, original, start, start, true, false };
}

/* "<x@example.com>: ..." or "<x@example.com> (expanded from
 * <y@example.com>): ..." opening a line; *rest gets the offset past the
 * colon. */
static bool angle_line(struct span line, struct span *addr, struct span *orig, size_t *rest)
{
	const char *gt = line.n ? memchr(line.p, '>', line.n) : NULL;
	size_t i, end;

	if (gt == NULL || line.p[0] != '<')
		return false;
	*addr = span_sub(line, 1, (size_t)(gt - line.p));
	*orig = span_sub(line, 0, 0);
	if (!is_address(*addr))
		return false;
	i = (size_t)(gt - line.p) + 1;
	if (phrase_at(line, i, " (expanded from <", &end)) {
		const char *close = memchr(line.p + end, '>', line.n - end);

		if (close == NULL || close + 1 >= line.p + line.n || close[1] != ')')
			return false;
		*orig = span_sub(line, end, (size_t)(close - line.p));
		i = (size_t)(close - line.p) + 2;
	}
	while (i < line.n && is_wsp(line.p[i]))
		i++;
	if (i >= line.n || line.p[i] != ':')
		return false;
	*rest = i + 1;
	return true;
}

/* Postfix, qmail, Yahoo, Courier: each recipient opens a line in angle
 * brackets; its block runs to an empty line. */
static void locate_angle(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start, rest;
	struct span line, addr, orig;

	while (start = pos, next_line(t, &pos, &line)) {
		if (angle_line(line, &addr, &orig, &rest))
			hit_open(c, t, &h, fn, addr, orig, start + rest);
		else if (blank(line))
			hit_close(c, t, &h, fn);
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* "x@example.com: 550 ..." opening a line (OpenSMTPD's). */
static void locate_bare(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start;
	struct span line;

	while (start = pos, next_line(t, &pos, &line)) {
		const char *colon = line.n ? memchr(line.p, ':', line.n) : NULL;
		struct span a = colon ? span_sub(line, 0, (size_t)(colon - line.p)) : line;

		if (colon && is_address(a))
			hit_open(c, t, &h, fn, a, span_sub(a, 0, 0), start + a.n + 1);
		else if (blank(line) || !is_wsp(line.p[0]))
			hit_close(c, t, &h, fn);
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* An Exim list line, indented: "  x@example.com", "  x@example.com:",
 * MXLogic's "  <x@example.com>: 550 ...".  *indent gets its indentation. */
static bool exim_line(struct span line, struct span *addr, size_t *rest, size_t *indent)
{
	size_t i = 0, j;

	while (i < line.n && is_wsp(line.p[i]))
		i++;
	if (i == 0 || i >= line.n)
		return false;
	*indent = i;
	if (line.p[i] == '<') {
		const char *gt = memchr(line.p + i, '>', line.n - i);

		if (gt == NULL)
			return false;
		*addr = span_sub(line, i + 1, (size_t)(gt - line.p));
		j = (size_t)(gt - line.p) + 1;
	} else {
		for (j = i; j < line.n && !is_space(line.p[j]) && line.p[j] != ':'; j++)
			;
		*addr = span_sub(line, i, j);
	}
	if (!is_address(*addr))
		return false;
	while (j < line.n && is_wsp(line.p[j]))
		j++;
	if (j < line.n && line.p[j] != ':')
		return false;
	*rest = j < line.n ? j + 1 : j;
	return true;
}

/* Exim: after "The following address(es) failed:", each address indented
 * on a line, the lines about it indented more below (where an address
 * may come again: "SMTP error ... after RCPT TO:\n    <x@example.com>:"). */
static void locate_exim(struct ctx *c, struct span t, analyse_fn *fn)
{
	static const char *const intro[] = {
		"failed:", "not yet been delivered is:", "not yet been delivered are:", NULL,
	};
	struct hit h = { .open = false };
	size_t pos = 0, start, rest, end, indent, list_indent = 0;
	struct span line, addr;

	if (find_any(t, intro, NULL, &end)) {
		pos = end;
		next_line(t, &pos, &line);
	}
	while (start = pos, next_line(t, &pos, &line)) {
		if (exim_line(line, &addr, &rest, &indent) && (list_indent == 0 || indent <= list_indent)) {
			list_indent = indent;
			hit_open(c, t, &h, fn, addr, span_sub(addr, 0, 0), start + rest);
		} else if (blank(line)) {
			hit_close(c, t, &h, fn);
		} else if (!is_wsp(line.p[0])) {
			hit_close(c, t, &h, fn);
			if (c->text_rcpts.n)
				break;
		}
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* Paragraphs whose first line names a recipient, alone on it or (not
 * alone) with a display name ("Neko<mailto:x@example.com>"): the rest of
 * the paragraph is its block.  Microsoft's layout. */
static void locate_paragraphs(struct ctx *c, struct span t, bool alone, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start;
	struct span line, addr;
	bool first = true;

	while (start = pos, next_line(t, &pos, &line)) {
		if (blank(line)) {
			hit_close(c, t, &h, fn);
			first = true;
			continue;
		}
		if (first) {
			struct span l = trim(line);
			bool named = alone ? is_address(addr = strip_angle(l))
					   : address_in(l, &addr) && count_tokens(l) <= LIST_TOKENS_MAX;

			if (named)
				hit_open(c, t, &h, fn, addr, span_sub(addr, 0, 0), start + line.n);
		}
		first = false;
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

static void locate_microsoft(struct ctx *c, struct span t, analyse_fn *fn)
{
	static const char *const lists[] = {
		"Delivery has failed to these recipients or",
		"Delivery is delayed to these recipients or",
		"Delivery to the following recipients failed",
		"rejected your message to the following",
		NULL,
	};
	size_t end;

	/* the section for administrators has the servers' words */
	if (find_phrase(t, 0, "Diagnostic information for administrators", NULL, &end))
		locate_paragraphs(c, span_sub(t, end, t.n), true, fn);
	if (c->text_rcpts.n == 0 && find_any(t, lists, NULL, &end))
		locate_paragraphs(c, span_sub(t, end, t.n), false, fn);
}

/* Gmail: "Delivery to the following recipient failed permanently:", the
 * addresses one a line, then the details for all of them; or "Your
 * message wasn't delivered to x@example.com because ...". */
static void locate_gmail(struct ctx *c, struct span t, analyse_fn *fn)
{
	size_t pos, start, list, end, at;
	struct span line, a, details;
	struct hit h = { .open = false };
	struct entry all, e;

	if (find_phrase(t, 0, "Delivery to the following recipient", NULL, &end)) {
		pos = end;
		next_line(t, &pos, &line);
		list = end = pos;
		while (start = pos, next_line(t, &pos, &line)) {
			if (blank(line) && end == list)
				continue;
			if (!is_address(strip_angle(line)))
				break;
			end = pos;
		}
		/* one reading of the details, for all of them */
		details = span_sub(t, end, end + BLOCK_MAX);
		entry_init(&all);
		fn(&all, details);
		for (pos = list; start = pos, next_line(t, &pos, &line) && start < end;) {
			a = strip_angle(line);
			if (!is_address(a) || full(c) || entries_find(&c->text_rcpts, a))
				continue;
			entry_init(&e);
			e.addr = a;
			entry_fill(&e, &all);
			if (!entries_push(&c->text_rcpts, &e))
				entry_free(&e);
		}
		entry_free(&all);
	} else if (find_phrase(t, 0, "wasn't delivered to ", &at, &end)) {
		a = strip_tail(token_at(t, end), ".,");
		if (is_address(a)) {
			h = (struct hit){ a, span_sub(a, 0, 0), 0, t.n - at, true, false };
			hit_close(c, span_sub(t, at, t.n), &h, fn);
		}
	}
}

/* Sendmail: "----- The following addresses had permanent fatal errors
 * -----" (or "transient non-fatal": delayed), each address on a line and
 * its reason indented below; then the transcript of the session. */
static void locate_sendmail_list(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start;
	struct span line;
	bool in_list = false, delayed = false;

	while (start = pos, next_line(t, &pos, &line)) {
		if (find_phrase(line, 0, "The following addresses had", NULL, NULL)) {
			hit_close(c, t, &h, fn);
			in_list = true;
			delayed = find_phrase(line, 0, "transient", NULL, NULL);
			continue;
		}
		if (!in_list)
			continue;
		if (blank(line) || find_phrase(line, 0, "-----", NULL, NULL)) {
			hit_close(c, t, &h, fn);
			in_list = false;
			continue;
		}
		if (!is_wsp(line.p[0])) {
			hit_open(c, t, &h, fn, strip_angle(line), span_sub(line, 0, 0), start + line.n);
			h.delayed = delayed;
		}
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* Recipients the transcript names in Sendmail's own lines, when there
 * is no list: "550 5.1.1 <x@example.com>... User unknown". */
static void sendmail_named(struct ctx *c, struct span tr)
{
	size_t pos = 0, at;
	struct span line;

	while (next_line(tr, &pos, &line) && !full(c)) {
		struct span t = trim(line), a;
		size_t i;
		struct entry e;

		if (span_istarts(t, ">>>") || span_istarts(t, "<<<") || span_istarts(t, "...") ||
		    !find_phrase(t, 0, "... ", &at, NULL))
			continue;
		for (i = at; i > 0 && !is_space(t.p[i - 1]); i--)
			;
		a = strip_angle(span_sub(t, i, at));
		if (!is_address(a) || entries_find(&c->text_rcpts, a))
			continue;
		entry_init(&e);
		e.addr = a;
		e.delayed = find_phrase(t, 0, "Deferred", NULL, NULL);
		buf_add(&e.diag, t.p, t.n);
		if (!entries_push(&c->text_rcpts, &e))
			entry_free(&e);
	}
}

/* Whether the exchange (cmd, reply) is the one that refused e: on pass 0
 * its command names e's address; on pass 1 its reply is the one e's
 * reason quotes (Sendmail abbreviates long ones); on pass 2, e is the
 * only recipient and this is the first exchange. */
static bool exchange_is(const struct entry *e, int pass, struct span cmd, struct span reply, bool only)
{
	size_t n;

	switch (pass) {
	case 0:
		return span_ifind(cmd, e->addr) < cmd.n;
	case 1:
		n = e->diag.len < reply.n ? e->diag.len : reply.n;
		if (n > 32)
			n = 32;
		return n >= 3 && span_ieq(span_sub(span_of_buf(&e->diag), 0, n), span_sub(reply, 0, n));
	default:
		return only;
	}
}

/* The transcript: "... while talking to mx.example.com.:", ">>> RCPT
 * To:<x>", "<<< 550 5.1.1 ...": e's exchange gives the server's words in
 * full, the command, and the host. */
static void sendmail_exchange(struct entry *e, struct span tr, bool only)
{
	for (int pass = 0; pass < 3; pass++) {
		struct span line, cmd = { "", 0 }, host = { "", 0 };
		size_t pos = 0, end;

		while (next_line(tr, &pos, &line)) {
			struct span t = trim(line);

			if (find_phrase(t, 0, "while talking to ", NULL, &end)) {
				host = strip_tail(token_at(t, end), ":.");
			} else if (span_istarts(t, ">>>")) {
				cmd = trim(span_sub(t, 3, t.n));
			} else if (span_istarts(t, "<<<") &&
				   exchange_is(e, pass, cmd, trim(span_sub(t, 3, t.n)), only)) {
				buf_clear(&e->diag);
				take_reply(&e->diag, tr, (size_t)(t.p - tr.p) + 3, UPTO_TRANSCRIPT);
				verb_word(e, cmd);
				if (e->remote.len == 0 && host_ok(host))
					buf_add(&e->remote, host.p, host.n);
				return;
			}
		}
	}
}

static void locate_sendmail(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct span tr = span_sub(t, t.n, t.n);
	size_t end;

	if (find_phrase(t, 0, "Transcript of session follows", NULL, &end))
		tr = span_sub(t, end, end + TRANSCRIPT_MAX);
	locate_sendmail_list(c, t, fn);
	if (c->text_rcpts.n == 0)
		sendmail_named(c, tr);
	for (size_t i = 0; i < c->text_rcpts.n; i++)
		sendmail_exchange(&c->text_rcpts.v[i], tr, c->text_rcpts.n == 1);
}

static struct span lower_text(struct ctx *c)
{
	if (!c->low_made) {
		buf_add(&c->low, c->text.data, c->text.len);
		for (size_t i = 0; i < c->low.len; i++)
			c->low.data[i] = lower(c->low.data[i]);
		c->low_made = true;
	}
	return span_of_buf(&c->low);
}

/* The block about address a in text that names it in no format known
 * here: from after its first mention to the end of that paragraph, or
 * the next paragraph if nothing follows it there. */
static bool block_after(struct ctx *c, struct span a, struct span *blk)
{
	struct span t = span_of_buf(&c->text), line;
	size_t at, pos, start, from, to;
	bool seen = false;

	if (!find_address(t, lower_text(c), a, &at))
		return false;
	from = to = pos = at + a.n;
	while (start = pos, next_line(t, &pos, &line) && to - from < BLOCK_MAX) {
		if (blank(line)) {
			if (seen)
				break;
			continue;
		}
		if (!blank(span_sub(t, start > from ? start : from, start + line.n)))
			seen = true;
		to = start + line.n;
	}
	*blk = span_sub(t, from, to);
	return true;
}

/* The addresses of X-Failed-Recipients (Exim's, Gmail's), each read
 * where the text names it. */
static void locate_failed_header(struct ctx *c, analyse_fn *fn)
{
	struct span v, blk;
	size_t i = 0;

	buf_clear(&c->failed_hdr);
	if (!header_get(c->hdr, "X-Failed-Recipients", &c->failed_hdr))
		return;
	v = span_of_buf(&c->failed_hdr);
	while (i < v.n && !full(c)) {
		size_t j = i;
		struct span a;
		struct entry e;

		while (j < v.n && v.p[j] != ',')
			j++;
		a = strip_angle(span_sub(v, i, j));
		i = j + 1;
		if (!is_address(a) || entries_find(&c->text_rcpts, a))
			continue;
		entry_init(&e);
		e.addr = a;
		if (block_after(c, a, &blk))
			fn(&e, blk);
		if (!entries_push(&c->text_rcpts, &e))
			entry_free(&e);
	}
}

static void locate_generic(struct ctx *c, struct span t, analyse_fn *fn)
{
	locate_angle(c, t, fn);
	if (c->text_rcpts.n == 0)
		locate_bare(c, t, fn);
	if (c->text_rcpts.n == 0)
		locate_failed_header(c, fn);
}

/* The formats, known by their wording, in the order tried: Gmail before
 * Microsoft, whose "Delivery to the following recipients failed." starts
 * Gmail's plural. */
static const struct text_format {
	enum bounce_format format;
	const char *signs[7];   /* any one marks the format; NULL-ended */
	void (*locate)(struct ctx *c, struct span t, analyse_fn *fn);
	analyse_fn *analyse;
} text_formats[] = {
	{ BOUNCE_POSTFIX,
	  { "This is the mail system at host", "This is the Postfix program at host", NULL },
	  locate_angle, analyse_postfix },
	{ BOUNCE_QMAIL,
	  { "This is the qmail-send program", "I'm afraid I wasn't able to deliver your message", NULL },
	  locate_angle, analyse_lines },
	{ BOUNCE_YAHOO,
	  { "Sorry, we were unable to deliver your message to the following address", NULL },
	  locate_angle, analyse_lines },
	{ BOUNCE_EXIM,
	  { "This message was created automatically by mail delivery software", NULL },
	  locate_exim, analyse_exim },
	{ BOUNCE_SENDMAIL,
	  { "Transcript of session follows", "The following addresses had permanent fatal errors",
	    "The following addresses had transient non-fatal errors", NULL },
	  locate_sendmail, analyse_sendmail },
	{ BOUNCE_GMAIL,
	  { "Delivery to the following recipient failed permanently",
	    "Delivery to the following recipients failed permanently",
	    "Delivery to the following recipient has been delayed",
	    "Technical details of permanent failure", "Technical details of temporary failure",
	    "The response from the remote server was:", NULL },
	  locate_gmail, analyse_gmail },
	{ BOUNCE_MICROSOFT,
	  { "Diagnostic information for administrators", "Delivery has failed to these recipients",
	    "Delivery is delayed to these recipients", "Delivery to the following recipients failed",
	    NULL },
	  locate_microsoft, analyse_microsoft },
	{ BOUNCE_OTHER, { "running the Courier mail server", NULL }, locate_angle, analyse_lines },
	{ BOUNCE_OTHER,  /* OpenSMTPD */
	  { "please DO NOT REPLY to this e-mail",
	    "An error has occurred while attempting to deliver a message", NULL },
	  locate_bare, analyse_generic },
};

/* Wording that makes a text bounce a warning, not a failure. */
static const char *const delay_signs[] = {
	"THIS IS A WARNING",                      /* Postfix, Sendmail */
	"not yet been delivered",                 /* Exim */
	"Delivery to the following recipient has been delayed",  /* Gmail */
	"Technical details of temporary failure",
	"Delivery is delayed to these recipients",               /* Microsoft */
	NULL,
};

/* Where the text names the MTA that wrote it. */
static const char *const reporting_signs[] = {
	"This is the mail system at host ", "This is the Postfix program at host ",
	"This is the qmail-send program at ", "Generating server: ",
	"This is a delivery status notification from ", NULL,
};

/* A message with no wording known here is still read as a bounce when
 * its header says it is one. */
static bool looks_like_bounce(const struct ctx *c)
{
	static const char *const from_signs[] = { "MAILER-DAEMON", "postmaster", "Mail Delivery", NULL };
	static const char *const subject_signs[] = {
		"Undeliver", "Delivery Status Notification", "Returned mail", "Mail delivery failed",
		"failure notice", "Delivery failure", "Delivery Notification", "could not be delivered",
		"Delivery has failed", "Non remis", NULL,
	};
	struct buf v;
	bool yes;

	buf_init(&v);
	yes = header_get(c->hdr, "X-Failed-Recipients", &v);
	buf_clear(&v);
	yes = yes || (header_get(c->hdr, "From", &v) && find_any(span_of_buf(&v), from_signs, NULL, NULL));
	buf_clear(&v);
	yes = yes || (header_get(c->hdr, "Subject", &v) && find_any(span_of_buf(&v), subject_signs, NULL, NULL));
	buf_clear(&v);
	yes = yes || (header_get(c->hdr, "Return-Path", &v) && span_ieq_lit(trim(span_of_buf(&v)), "<>"));
	buf_free(&v);
	return yes;
}

static void locate_text(struct ctx *c)
{
	struct span t = span_of_buf(&c->text);
	const struct text_format *f = NULL;
	size_t end;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(text_formats) && f == NULL; i++)
		if (find_any(t, text_formats[i].signs, NULL, NULL))
			f = &text_formats[i];
	if (f) {
		c->text_format = f->format;
		f->locate(c, t, f->analyse);
	}
	if (c->text_rcpts.n == 0 && (f || looks_like_bounce(c)))
		locate_generic(c, t, analyse_generic);
	if (find_any(t, delay_signs, NULL, NULL))
		for (size_t i = 0; i < c->text_rcpts.n; i++)
			c->text_rcpts.v[i].delayed = true;
	if (find_any(t, reporting_signs, NULL, &end))
		c->text_reporting = strip_tail(token_at(t, end), ".,:");
}

/* ---- the recipients handed out ---- */

/* What the text says about a recipient the fields name: the command
 * (which the fields never give), and whatever the fields left out. */
static void enrich(struct ctx *c, struct entry *e)
{
	struct entry *t = entries_find(&c->text_rcpts, e->addr), para;
	struct span blk;
	bool own = false, same = t != NULL;

	verb_in(e, span_of_buf(&e->diag));  /* X-Postfix: "... (in reply to end of DATA command)" */
	if (t == NULL && e->original.n)
		same = (t = entries_find(&c->text_rcpts, e->original)) != NULL;
	if (t == NULL && c->dsn_rcpts.n == 1 && c->text_rcpts.n == 1)
		t = &c->text_rcpts.v[0];  /* one each: the same, named otherwise */
	if (t == NULL && block_after(c, e->addr, &blk)) {
		entry_init(&para);
		analyse_generic(&para, blk);
		t = &para;
		own = true;
	}
	if (t) {
		entry_fill(e, t);
		if (e->original.n == 0 && same)  /* not from a text about another address */
			e->original = t->original;
	}
	if (own)
		entry_free(&para);
}

/* The status handed out.  The server's own enhanced code, when its class
 * agrees, is the more precise: a reporting MTA often sums up as X.0.0,
 * or gives its own view (Sendmail's 4.4.7, "delivery time expired", for
 * a 452 4.4.5 it kept getting).  Then the Status field, then the text's
 * ("(#5.1.1)"). */
static void settle_status(const struct entry *e, char out[STATUS_MAX])
{
	char r[STATUS_MAX];

	if (reply_status(span_of_buf(&e->diag), r) && (e->status[0] == '\0' || e->status[0] == r[0]))
		memcpy(out, r, STATUS_MAX);
	else if (e->status[0])
		memcpy(out, e->status, STATUS_MAX);
	else
		memcpy(out, e->hint, STATUS_MAX);
}

/* An escaped copy of at most max bytes (cut at a character's start), or
 * NULL for nothing. */
static char *out_text(struct span s, size_t max)
{
	if (s.n == 0)
		return NULL;
	if (s.n > max) {
		s.n = max;
		while (s.n > 0 && ((unsigned char)s.p[s.n] & 0xc0) == 0x80)
			s.n--;
	}
	return util_escape_dup(s.p, s.n);
}

static char *out_lower(struct span s)
{
	char *low, *out;

	if (s.n == 0)
		return NULL;
	if (s.n > NAME_OUT_MAX)
		s.n = NAME_OUT_MAX;
	low = xmemdup(s.p, s.n);
	for (size_t i = 0; i < s.n; i++)
		low[i] = lower(low[i]);
	out = util_escape_dup(low, s.n);
	free(low);
	return out;
}

static char *out_header(struct span hdr, const char *name)
{
	struct buf v;
	char *out;

	buf_init(&v);
	header_get(hdr, name, &v);
	out = out_text(span_of_buf(&v), TEXT_OUT_MAX);
	buf_free(&v);
	return out;
}

static void rcpt_out(struct bounce_rcpt *r, const struct entry *e)
{
	char status[STATUS_MAX];

	settle_status(e, status);
	r->recipient = out_text(e->addr, NAME_OUT_MAX);
	r->original = out_text(e->original, NAME_OUT_MAX);
	r->action = e->action.n ? out_lower(e->action) : xstrdup(e->delayed ? "delayed" : "failed");
	r->status = status[0] ? xstrdup(status) : NULL;
	r->remote_mta = out_text(span_of_buf(&e->remote), NAME_OUT_MAX);
	r->diagnostic = out_text(span_of_buf(&e->diag), TEXT_OUT_MAX);
	r->diagnostic_type = out_lower(e->diag_type);
	r->has_verb = e->has_verb;
	r->verb = e->has_verb ? e->verb : SMTP_V_UNKNOWN;
}

static enum bounce_result finish(struct ctx *c, struct bounce *b)
{
	struct entries *src;

	if (c->dsn_rcpts.n) {
		b->format = BOUNCE_RFC3464;
		src = &c->dsn_rcpts;
		for (size_t i = 0; i < src->n; i++)
			enrich(c, &src->v[i]);
	} else if (c->text_rcpts.n && !c->dsn_blocks) {
		b->format = c->text_format;
		src = &c->text_rcpts;
	} else {
		/* no recipient, or a report of deliveries only */
		return BOUNCE_NOT_BOUNCE;
	}
	b->rcpts = xcalloc(src->n, sizeof *b->rcpts);
	b->nrcpts = src->n;
	for (size_t i = 0; i < src->n; i++)
		rcpt_out(&b->rcpts[i], &src->v[i]);
	b->reporting_mta = out_text(c->reporting.n ? c->reporting : c->text_reporting, NAME_OUT_MAX);
	b->subject = out_header(c->hdr, "Subject");
	b->from = out_header(c->hdr, "From");
	b->truncated = c->truncated;
	return BOUNCE_OK;
}

static enum bounce_result parse_message(struct span m, struct bounce *b, int depth)
{
	struct ctx c;
	struct span line, body;
	size_t pos = 0, start;
	bool ended;
	enum bounce_result r;

	/* leading empty lines (pasted text), an mbox "From " line */
	while (start = pos, next_line(m, &pos, &line) && blank(line))
		;
	m = span_sub(m, start, m.n);
	if (m.n >= 5 && memcmp(m.p, "From ", 5) == 0) {
		pos = 0;
		next_line(m, &pos, &line);
		m = span_sub(m, pos, m.n);
	}
	ctx_init(&c);
	if (!split_header(m, &c.hdr, &body, &ended) || c.hdr.n == 0) {
		ctx_free(&c);
		return BOUNCE_NOT_MESSAGE;
	}
	c.truncated = !ended;
	walk(&c, c.hdr, body, 0, false);
	for (size_t i = 0; i < c.ndsn; i++)
		parse_dsn(&c, c.dsn[i]);
	if (c.ndsn == 0 && has_dsn_fields(span_of_buf(&c.text)))
		parse_dsn(&c, span_of_buf(&c.text));
	locate_text(&c);
	r = finish(&c, b);
	/* a bounce forwarded as an attachment: read the attached one */
	if (r != BOUNCE_OK && depth == 0 && c.inner.p) {
		struct span inner = c.inner;

		ctx_free(&c);
		return parse_message(inner, b, depth + 1) == BOUNCE_OK ? BOUNCE_OK : r;
	}
	ctx_free(&c);
	return r;
}

/* NUL bytes, or more than a tenth of control bytes other than white
 * space: not text. */
static bool is_binary(const char *p, size_t n)
{
	size_t odd = 0;

	if (memchr(p, '\0', n))
		return true;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && !is_space(p[i])) || p[i] == 0x7f)
			odd++;
	return odd > n / 10;
}

void bounce_init(struct bounce *b)
{
	memset(b, 0, sizeof *b);
	b->format = BOUNCE_OTHER;
}

void bounce_free(struct bounce *b)
{
	for (size_t i = 0; i < b->nrcpts; i++) {
		struct bounce_rcpt *r = &b->rcpts[i];

		free(r->recipient);
		free(r->original);
		free(r->action);
		free(r->status);
		free(r->remote_mta);
		free(r->diagnostic);
		free(r->diagnostic_type);
	}
	free(b->rcpts);
	free(b->reporting_mta);
	free(b->subject);
	free(b->from);
	bounce_init(b);
}

enum bounce_result bounce_parse(const char *data, size_t len, struct bounce *b)
{
	enum bounce_result r;

	bounce_init(b);
	if (data == NULL || len == 0)
		return BOUNCE_EMPTY;
	if (len > BOUNCE_MAX_INPUT)
		return BOUNCE_TOO_BIG;
	if (blank((struct span){ data, len }))
		return BOUNCE_EMPTY;
	if (is_binary(data, len))
		return BOUNCE_BINARY;
	r = parse_message((struct span){ data, len }, b, 0);
	if (r != BOUNCE_OK)
		bounce_free(b);
	return r;
}

const char *bounce_format_name(enum bounce_format f)
{
	static const char *const names[BOUNCE__COUNT] = {
		[BOUNCE_RFC3464] = N_("RFC 3464 delivery status notification"),
		[BOUNCE_POSTFIX] = N_("Postfix bounce"),
		[BOUNCE_EXIM] = N_("Exim bounce"),
		[BOUNCE_QMAIL] = N_("qmail bounce"),
		[BOUNCE_SENDMAIL] = N_("Sendmail bounce"),
		[BOUNCE_MICROSOFT] = N_("Microsoft Exchange / Office 365 bounce"),
		[BOUNCE_GMAIL] = N_("Gmail bounce"),
		[BOUNCE_YAHOO] = N_("Yahoo bounce"),
		[BOUNCE_OTHER] = N_("bounce (recognised by its wording)"),
	};

	return (size_t)f < BOUNCE__COUNT ? names[f] : N_("bounce");
}

const char *bounce_result_text(enum bounce_result r)
{
	switch (r) {
	case BOUNCE_OK:
		return _("a bounce message");
	case BOUNCE_EMPTY:
		return _("empty: no bytes, or only white space");
	case BOUNCE_BINARY:
		return _("not a message: NUL bytes or mostly control bytes (binary data?)");
	case BOUNCE_NOT_MESSAGE:
		return _("not a message: it does not start with a header block (From:, Subject: ...)");
	case BOUNCE_NOT_BOUNCE:
		return _("not a bounce message: no failed or delayed recipient in it");
	case BOUNCE_TOO_BIG:
		return _("too big: a bounce message is read up to 8 MiB");
	}
	return _("unknown result");
}
