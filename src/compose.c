/* compose: builds a test message.  See include/smtpscope/compose.h.
 * RFC 5322 3.3 (date), 3.6.4 (Message-ID), 2.1.1 (line length); RFC 2045
 * 6.8 (base64 in lines of 76), RFC 2046 5.1 (multipart), RFC 2047 2, 5
 * (encoded-words, at most 75 characters), RFC 2231 4 (parameter values). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/auth.h"
#include "smtpscope/compose.h"

/* Raw octets per encoded-word: 12 + 4 * 39 / 3 = 64 characters, so
 * "Subject: " and a word stay under 78. */
#define COMPOSE_WORD_RAW 39

static bool compose_plain(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	return strstr(s, "=?") == NULL;
}

/* The length of the UTF-8 sequence starting with c (1 for a stray byte). */
static size_t compose_utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

void compose_header(struct buf *out, const char *name, const char *value)
{
	size_t len = strlen(value), i = 0;

	buf_printf(out, "%s:", name);
	if (compose_plain(value)) {
		/* Folded before a blank that would pass 78 columns: the
		 * blank starts the next line (RFC 5322 2.2.3). */
		size_t col = strlen(name) + 2;
		const char *p = value;

		buf_addc(out, ' ');
		while (*p) {
			size_t w = 1 + strcspn(p + 1, " ");

			if (col + w > 78 && *p == ' ') {
				buf_adds(out, "\r\n");
				col = 0;
			}
			buf_add(out, p, w);
			col += w;
			p += w;
		}
		buf_adds(out, "\r\n");
		return;
	}
	while (i < len) {
		size_t n = 0;

		/* Never split a UTF-8 character between two words (RFC 2047 5). */
		while (i + n < len) {
			size_t c = compose_utf8_len((unsigned char)value[i + n]);
			if (n + c > COMPOSE_WORD_RAW)
				break;
			n += c;
		}
		if (n == 0)
			n = len - i < COMPOSE_WORD_RAW ? len - i : COMPOSE_WORD_RAW;
		buf_adds(out, i == 0 ? " =?UTF-8?B?" : "\r\n =?UTF-8?B?");
		auth_b64_encode(value + i, n, out);
		buf_adds(out, "?=");
		i += n;
	}
	buf_adds(out, "\r\n");
}

unsigned long long compose_b64_size(unsigned long long n)
{
	unsigned long long full = n / COMPOSE_B64_LINE, rest = n % COMPOSE_B64_LINE;

	return full * 78 + (rest ? 4 * ((rest + 2) / 3) + 2 : 0);
}

void compose_enc_init(struct compose_enc *e, bool text, bool base64)
{
	memset(e, 0, sizeof *e);
	e->text = text;
	e->base64 = base64;
}

static void compose_enc_line(struct compose_enc *e, struct buf *out)
{
	if (out) {
		auth_b64_encode((const char *)e->held, e->nheld, out);
		buf_adds(out, "\r\n");
	} else {
		e->count += compose_b64_size(e->nheld);
	}
	e->nheld = 0;
}

/* Octets after the text step: as they are, or into base64 lines. */
static void compose_enc_emit(struct compose_enc *e, const char *p, size_t n, struct buf *out)
{
	if (!e->base64) {
		if (out)
			buf_add(out, p, n);
		else
			e->count += n;
		return;
	}
	while (n > 0) {
		size_t take = COMPOSE_B64_LINE - e->nheld < n ? COMPOSE_B64_LINE - e->nheld : n;

		memcpy(e->held + e->nheld, p, take);
		e->nheld += take;
		p += take;
		n -= take;
		if (e->nheld == COMPOSE_B64_LINE)
			compose_enc_line(e, out);
	}
}

/* Text: a CR, an LF or a CRLF each become one CRLF, in any split. */
void compose_enc_add(struct compose_enc *e, const char *p, size_t n, struct buf *out)
{
	if (!e->text) {
		compose_enc_emit(e, p, n, out);
		return;
	}
	while (n > 0) {
		size_t run = 0;

		if (e->cr && *p == '\n') { /* the LF of a CRLF already out */
			e->cr = false;
			p++, n--;
			continue;
		}
		e->cr = false;
		while (run < n && p[run] != '\r' && p[run] != '\n')
			run++;
		if (run > 0) {
			compose_enc_emit(e, p, run, out);
			e->open = true;
			p += run, n -= run;
			continue;
		}
		compose_enc_emit(e, "\r\n", 2, out);
		e->open = false;
		e->cr = *p == '\r';
		p++, n--;
	}
}

void compose_enc_end(struct compose_enc *e, struct buf *out)
{
	if (e->text && e->open)
		compose_enc_emit(e, "\r\n", 2, out);
	e->open = false;
	if (e->base64 && e->nheld > 0)
		compose_enc_line(e, out);
}

/* Plain ASCII text with short lines goes as 7bit, with CRLF; anything
 * else as base64, which every server carries. */
void compose_scan_add(struct compose_scan *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !s->not_7bit; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n') {
			s->col = 0;
			continue;
		}
		if (c >= 0x80 || c == '\0' || ++s->col > 998)
			s->not_7bit = true;
	}
}

static void compose_text_head(struct buf *out, bool seven)
{
	buf_printf(out, "Content-Type: text/plain; charset=%s\r\n"
		   "Content-Transfer-Encoding: %s\r\n\r\n",
		   seven ? "us-ascii" : "utf-8", seven ? "7bit" : "base64");
}

/* filename="x.pdf", or filename*=UTF-8''%C3%A9.pdf (RFC 2231 4). */
static void compose_filename(struct buf *out, const char *param, const char *name)
{
	bool plain = compose_plain(name) && strpbrk(name, "\"\\") == NULL;

	if (plain) {
		buf_printf(out, "; %s=\"%s\"", param, name);
		return;
	}
	buf_printf(out, "; %s*=UTF-8''", param);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~", *p))
			buf_addc(out, (char)*p);
		else
			buf_printf(out, "%%%02X", *p);
	}
}

static const char *compose_domain(const char *from)
{
	const char *at = strrchr(from, '@');
	static const char fallback[] = "smtpscope.invalid";

	return at && at[1] && at[1] != '>' ? at + 1 : fallback;
}

/* The length of a header line's name, or 0 when it has none. */
static size_t compose_field_name(const char *line)
{
	size_t n = strcspn(line, ":");

	return line[n] == ':' ? n : 0;
}

enum compose_header_error compose_header_check(const char *line)
{
	size_t n = compose_field_name(line);

	if (strchr(line, ':') == NULL)
		return COMPOSE_HEADER_NO_COLON;
	if (n == 0 || n > 76)
		return COMPOSE_HEADER_BAD_NAME;
	for (size_t i = 0; i < n; i++) /* RFC 5322 2.2: ftext */
		if ((unsigned char)line[i] < 33 || (unsigned char)line[i] > 126)
			return COMPOSE_HEADER_BAD_NAME;
	if (strpbrk(line, "\r\n"))
		return COMPOSE_HEADER_LINE_BREAK;
	if ((n == 12 && util_strnieq(line, "Content-Type", n)) ||
	    (n == 25 && util_strnieq(line, "Content-Transfer-Encoding", n)))
		return COMPOSE_HEADER_MIME;
	return COMPOSE_HEADER_OK;
}

/* Does a caller's line name this field? */
static bool compose_is_field(const char *line, const char *name)
{
	size_t n = compose_field_name(line);

	return n == strlen(name) && util_strnieq(line, name, n);
}

/* A caller's "Name: value" line (compose_header_check said yes), folded
 * and encoded as ours are. */
static void compose_user_line(struct buf *out, const char *line)
{
	char *field = xmemdup(line, compose_field_name(line));
	const char *v = line + strlen(field) + 1;

	v += strspn(v, " \t");
	compose_header(out, field, v);
	free(field);
}

/* The caller's lines named name (all, in order), or, when there are none
 * and name is not NULL, false: ours goes in.  name NULL: the lines that
 * name no field of ours. */
static bool compose_user_fields(const struct compose_options *o, const char *name,
				struct buf *out)
{
	static const char *const ours[] = { "Date", "Message-ID", "From", "To", "Subject",
					    "MIME-Version" };
	bool any = false;

	for (size_t i = 0; i < o->nheaders; i++) {
		const char *line = o->headers[i];
		bool match = name != NULL && compose_is_field(line, name);

		for (size_t k = 0; name == NULL && k < UTIL_ARRAY_LEN(ours) && !match; k++)
			match = compose_is_field(line, ours[k]);
		if (match != (name != NULL))
			continue;
		compose_user_line(out, line);
		any = true;
	}
	return any;
}

char *compose_add_next(const char **p)
{
	const char *s = *p, *sep;
	size_t n;

	if (s == NULL || *s == '\0')
		return NULL;
	sep = strstr(s, "\\n");
	n = sep ? (size_t)(sep - s) : strlen(s);
	*p = sep ? sep + 2 : NULL;
	return xmemdup(s, n);
}

void compose_head(const struct compose_options *o, bool seven, struct buf *out)
{
	struct tm tm;
	char date[64];
	const char *dom = compose_domain(o->from);
	size_t dlen = strcspn(dom, ">"), i;

	gmtime_r(&o->date, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (!compose_user_fields(o, "Date", out))
		buf_printf(out, "Date: %s\r\n", date);
	if (!compose_user_fields(o, "Message-ID", out))
		buf_printf(out, "Message-ID: <%s@%.*s>\r\n", o->unique, (int)dlen, dom);
	if (!compose_user_fields(o, "From", out))
		compose_header(out, "From", o->from);
	if (!compose_user_fields(o, "To", out)) {
		buf_adds(out, "To:");
		for (i = 0; i < o->nto; i++)
			buf_printf(out, "%s %s", i ? ",\r\n" : "", o->to[i]);
		buf_adds(out, "\r\n");
	}
	if (!compose_user_fields(o, "Subject", out))
		compose_header(out, "Subject", o->subject ? o->subject : "smtpscope test message");
	if (!compose_user_fields(o, "MIME-Version", out))
		buf_adds(out, "MIME-Version: 1.0\r\n");
	compose_user_fields(o, NULL, out);
	for (i = 0; i < o->nadd_headers; i++) {
		const char *p = o->add_headers[i];
		char *line;

		while ((line = compose_add_next(&p)) != NULL) {
			compose_user_line(out, line);
			free(line);
		}
	}
	if (o->nparts > 0) {
		buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_%s\"\r\n\r\n"
			   "This is a message in MIME format.\r\n", o->unique);
		buf_printf(out, "\r\n--=_%s\r\n", o->unique);
	}
	compose_text_head(out, seven);
}

void compose_part_head(const struct compose_options *o, size_t i, struct buf *out)
{
	buf_printf(out, "\r\n--=_%s\r\nContent-Type: application/octet-stream", o->unique);
	compose_filename(out, "name", o->parts[i].name);
	buf_adds(out, "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment");
	compose_filename(out, "filename", o->parts[i].name);
	buf_adds(out, "\r\n\r\n");
}

void compose_tail(const struct compose_options *o, struct buf *out)
{
	if (o->nparts > 0)
		buf_printf(out, "\r\n--=_%s--\r\n", o->unique);
}

void compose_message(const struct compose_options *o, struct buf *out)
{
	const char *body = o->body ? o->body : COMPOSE_DEFAULT_BODY;
	size_t body_len = o->body ? o->body_len : strlen(COMPOSE_DEFAULT_BODY), i;
	struct compose_scan scan = { 0, false };
	struct compose_enc e;

	compose_scan_add(&scan, body, body_len);
	compose_head(o, !scan.not_7bit, out);
	compose_enc_init(&e, true, scan.not_7bit);
	compose_enc_add(&e, body, body_len, out);
	compose_enc_end(&e, out);
	for (i = 0; i < o->nparts; i++) {
		compose_part_head(o, i, out);
		compose_enc_init(&e, false, true);
		compose_enc_add(&e, o->parts[i].data, o->parts[i].len, out);
		compose_enc_end(&e, out);
	}
	compose_tail(o, out);
}
