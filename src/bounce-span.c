/* bounce-span: the helpers the bounce parser reads text with.  Spans of
 * the input or of a decoded part, never copies; ASCII characters with no
 * locale; the wording that marks a format found as phrases, folded or not;
 * addresses and hosts as the bounces write them; SMTP reply codes and
 * enhanced status codes in running text. */
#include "config.h"

#include <string.h>

#include "bounce-private.h"

#define ADDR_MAX 256            /* RFC 5321 4.5.3.1.3: a path's length */

/* ---- characters (ASCII only: no locale) ---- */

/* c is one of set's bytes (never NUL, which strchr would find). */
bool bounce_in_set(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* ---- spans: a piece of the input or of a decoded part ---- */

struct span bounce_span_sub(struct span s, size_t from, size_t to)
{
	if (to > s.n)
		to = s.n;
	if (from > to)
		from = to;
	return (struct span){ s.p + from, to - from };
}

/* Never a null pointer, on which even adding 0 is undefined. */
struct span bounce_span_of_buf(const struct buf *b)
{
	return (struct span){ b->data ? b->data : "", b->len };
}

struct span bounce_trim(struct span s)
{
	while (s.n && bounce_is_space(s.p[0]))
		s.p++, s.n--;
	while (s.n && bounce_is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool bounce_blank(struct span s)
{
	return bounce_trim(s).n == 0;
}

bool bounce_span_istarts(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.n < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (bounce_lower(s.p[i]) != bounce_lower(lit[i]))
			return false;
	return true;
}

bool bounce_span_ieq(struct span a, struct span b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (bounce_lower(a.p[i]) != bounce_lower(b.p[i]))
			return false;
	return true;
}

bool bounce_span_ieq_lit(struct span s, const char *lit)
{
	return bounce_span_ieq(s, (struct span){ lit, strlen(lit) });
}

/* Where needle occurs in hay, without regard to case; hay.n if nowhere. */
size_t bounce_span_ifind(struct span hay, struct span needle)
{
	if (needle.n == 0 || needle.n > hay.n)
		return hay.n;
	for (size_t i = 0; i + needle.n <= hay.n; i++)
		if (bounce_lower(hay.p[i]) == bounce_lower(needle.p[0]) &&
		    bounce_span_ieq(bounce_span_sub(hay, i, i + needle.n), needle))
			return i;
	return hay.n;
}

/* The run of non-space bytes at s[i]. */
struct span bounce_token_at(struct span s, size_t i)
{
	size_t j = i;

	while (j < s.n && !bounce_is_space(s.p[j]))
		j++;
	return bounce_span_sub(s, i, j);
}

struct span bounce_strip_tail(struct span s, const char *set)
{
	while (s.n && bounce_in_set(s.p[s.n - 1], set))
		s.n--;
	return s;
}

/* "<x@example.com>" -> "x@example.com". */
struct span bounce_strip_angle(struct span s)
{
	s = bounce_trim(s);
	if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>')
		s = bounce_trim(bounce_span_sub(s, 1, s.n - 1));
	return s;
}

size_t bounce_count_tokens(struct span s)
{
	size_t n = 0;

	for (size_t i = 0; i < s.n; i++)
		if (!bounce_is_space(s.p[i]) && (i == 0 || bounce_is_space(s.p[i - 1])))
			n++;
	return n;
}

/* The line at *pos, without its LF or CRLF; *pos moves past it. */
bool bounce_next_line(struct span s, size_t *pos, struct span *line)
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
bool bounce_phrase_at(struct span s, size_t i, const char *phrase, size_t *end)
{
	for (const char *q = phrase; *q; q++) {
		if (*q == ' ') {
			if (i >= s.n || !bounce_is_space(s.p[i]))
				return false;
			while (i < s.n && bounce_is_space(s.p[i]))
				i++;
		} else if (i < s.n && bounce_lower(s.p[i]) == bounce_lower(*q)) {
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
	if (bounce_is_alnum(phrase[0]) && i > 0 && bounce_is_alnum(s.p[i - 1]))
		return false;
	return bounce_phrase_at(s, i, phrase, end);
}

/* The first match of phrase in s at or after from; *at and *end (either
 * may be NULL) get where it starts and ends. */
bool bounce_find_phrase(struct span s, size_t from, const char *phrase, size_t *at, size_t *end)
{
	bool letter = bounce_is_alpha(phrase[0]);
	char first = bounce_lower(phrase[0]);
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
bool bounce_find_any(struct span s, const char *const *phrases, size_t *at, size_t *end)
{
	bool starts[256] = { false };
	size_t e;

	for (const char *const *q = phrases; *q; q++) {
		starts[(unsigned char)bounce_lower(**q)] = true;
		starts[(unsigned char)(bounce_is_alpha(**q) ? bounce_lower(**q) - ('a' - 'A') : **q)] = true;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (!starts[(unsigned char)s.p[i]])
			continue;
		for (const char *const *q = phrases; *q; q++)
			if (bounce_lower(s.p[i]) == bounce_lower(**q) && match_at(s, i, *q, &e)) {
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
void bounce_add_unfolded(struct buf *out, struct span s)
{
	size_t pos = 0;
	struct span line;

	while (bounce_next_line(s, &pos, &line)) {
		line = bounce_trim(line);
		if (line.n == 0)
			continue;
		if (out->len)
			buf_addc(out, ' ');
		buf_add(out, line.p, line.n);
	}
}

/* ---- addresses ---- */

/* An address as the bounces write them: local@domain, no white space. */
bool bounce_is_address(struct span a)
{
	const char *at = a.n ? memchr(a.p, '@', a.n) : NULL;

	if (at == NULL || at == a.p || at == a.p + a.n - 1)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (bounce_is_space(a.p[i]) || bounce_in_set(a.p[i], "<>\"(),;"))
			return false;
	return true;
}

static bool local_char(char c)
{
	return bounce_is_alnum(c) || bounce_in_set(c, "!#$%&*+-/=?^_`{|}~.") || (unsigned char)c >= 0x80;
}

static bool domain_char(char c)
{
	return bounce_is_alnum(c) || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

/* The first address in s, among other words ("Neko<mailto:x@example.com>"). */
bool bounce_address_in(struct span s, struct span *addr)
{
	for (size_t i = 0; i < s.n; i++) {
		size_t l = i, r = i + 1;

		if (s.p[i] != '@')
			continue;
		while (l > 0 && local_char(s.p[l - 1]))
			l--;
		while (r < s.n && domain_char(s.p[r]))
			r++;
		*addr = bounce_strip_tail(bounce_span_sub(s, l, r), ".");
		if (l < i && addr->n > i - l + 1)
			return true;
	}
	return false;
}

/* Where address a is named in s, as a whole word; low is s in lower case
 * (memmem is linear, where a naive search is quadratic in the worst case
 * and runs once per recipient). */
bool bounce_find_address(struct span s, struct span low, struct span a, size_t *at)
{
	char needle[ADDR_MAX];
	size_t from = 0;

	if (a.n == 0 || a.n > ADDR_MAX)
		return false;
	for (size_t i = 0; i < a.n; i++)
		needle[i] = bounce_lower(a.p[i]);
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
bool bounce_host_ok(struct span h)
{
	if (h.n == 0 || !(bounce_is_alnum(h.p[0]) || h.p[0] == '['))
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
bool bounce_reply_code_at(struct span s, size_t i)
{
	if (i + 3 > s.n || s.p[i] < '2' || s.p[i] > '5' || !bounce_is_digit(s.p[i + 1]) || !bounce_is_digit(s.p[i + 2]))
		return false;
	if (i + 3 < s.n && !bounce_is_space(s.p[i + 3]) && s.p[i + 3] != '-')
		return false;
	return i == 0 || bounce_is_space(s.p[i - 1]) || bounce_in_set(s.p[i - 1], ":#'\"(");
}

bool bounce_find_reply_code(struct span s, size_t from, size_t *at)
{
	for (size_t i = from; i < s.n; i++)
		if (bounce_reply_code_at(s, i)) {
			*at = i;
			return true;
		}
	return false;
}

/* An enhanced status code at s[i] (RFC 3463 2: class.subject.detail, the
 * class 2, 4 or 5, the others 1-3 digits), not part of a longer number
 * such as an IP address.  Its length, or 0. */
size_t bounce_enhanced_at(struct span s, size_t i)
{
	size_t j = i + 1;

	if (i >= s.n || !bounce_in_set(s.p[i], "245") || (i > 0 && (bounce_is_digit(s.p[i - 1]) || s.p[i - 1] == '.')))
		return 0;
	for (int part = 0; part < 2; part++) {
		size_t digits = 0;

		if (j >= s.n || s.p[j] != '.')
			return 0;
		for (j++; j < s.n && bounce_is_digit(s.p[j]); j++)
			digits++;
		if (digits < 1 || digits > 3)
			return 0;
	}
	if (j < s.n && s.p[j] == '.' && j + 1 < s.n && bounce_is_digit(s.p[j + 1]))
		return 0;
	return j - i;
}

void bounce_copy_code(char out[STATUS_MAX], struct span s, size_t i, size_t n)
{
	memcpy(out, s.p + i, n);
	out[n] = '\0';
}

/* The enhanced code of the reply in d ("550 5.1.1 ...", "550-5.2.1 ...",
 * Gmail's "554 554 5.7.1 ...", an X-Postfix "host H said: 554 5.6.0"),
 * if its class is the reply's. */
bool bounce_reply_status(struct span d, char out[STATUS_MAX])
{
	size_t at, j, n;

	d = bounce_trim(d);
	if ((n = bounce_enhanced_at(d, 0)) != 0) {  /* a code with no basic code */
		bounce_copy_code(out, d, 0, n);
		return true;
	}
	if (!bounce_find_reply_code(d, 0, &at))
		return false;
	j = at + 3;
	if (j < d.n && (d.p[j] == ' ' || d.p[j] == '-'))
		j++;
	if (bounce_reply_code_at(d, j) && memcmp(d.p + j, d.p + at, 3) == 0) {
		j += 3;
		if (j < d.n && (d.p[j] == ' ' || d.p[j] == '-'))
			j++;
	}
	n = bounce_enhanced_at(d, j);
	if (n == 0 || d.p[j] != d.p[at])
		return false;
	bounce_copy_code(out, d, j, n);
	return true;
}
