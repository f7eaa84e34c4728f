/* compose: builds a test message.  See include/smtpscope/compose.h.
 * RFC 5322 3.3 (date), 3.6.4 (Message-ID), 2.1.1 (line length); RFC 2045
 * 6.8 (base64 in lines of 76), RFC 2046 5.1 (multipart), RFC 2047 2, 5
 * (encoded-words, at most 75 characters), RFC 2231 4 (parameter values). */
#include "config.h"

#include <string.h>

#include "smtpscope/auth.h"
#include "smtpscope/compose.h"

/* Raw octets per encoded-word: 12 + 4 * 39 / 3 = 64 characters, so
 * "Subject: " and a word stay under 78. */
#define COMPOSE_WORD_RAW 39
/* Base64 body lines: 57 octets make 76 characters (RFC 2045 6.8). */
#define COMPOSE_B64_LINE 57

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

static void compose_base64(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i += COMPOSE_B64_LINE) {
		auth_b64_encode(p + i, n - i < COMPOSE_B64_LINE ? n - i : COMPOSE_B64_LINE, out);
		buf_adds(out, "\r\n");
	}
}

/* Plain ASCII text with short lines goes as 7bit, with CRLF; anything
 * else as base64, which every server carries. */
static bool compose_7bit(const char *p, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\n') {
			col = 0;
			continue;
		}
		if (c >= 0x80 || c == '\0' || ++col > 998)
			return false;
	}
	return true;
}

/* Text with CRLF line breaks (a lone CR or LF becomes CRLF), ending in one. */
static void compose_crlf(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		if (p[i] == '\r' || p[i] == '\n')
			buf_adds(out, "\r\n");
		else
			buf_addc(out, p[i]);
	}
	if (n > 0 && p[n - 1] != '\n' && p[n - 1] != '\r')
		buf_adds(out, "\r\n");
}

static void compose_text(struct buf *out, const char *p, size_t n)
{
	bool seven = compose_7bit(p, n);

	buf_printf(out, "Content-Type: text/plain; charset=%s\r\n"
		   "Content-Transfer-Encoding: %s\r\n\r\n",
		   seven ? "us-ascii" : "utf-8", seven ? "7bit" : "base64");
	if (!seven) {
		/* Text in base64 still has CRLF line breaks (RFC 2045 6.8). */
		struct buf crlf;

		buf_init(&crlf);
		compose_crlf(&crlf, p, n);
		compose_base64(out, crlf.data ? crlf.data : "", crlf.len);
		buf_free(&crlf);
		return;
	}
	compose_crlf(out, p, n);
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

void compose_message(const struct compose_options *o, struct buf *out)
{
	static const char default_body[] =
		"This is a test message composed by smtpscope.\r\n";
	const char *body = o->body ? o->body : default_body;
	size_t body_len = o->body ? o->body_len : strlen(default_body), i;
	struct tm tm;
	char date[64];
	const char *dom = compose_domain(o->from);
	size_t dlen = strcspn(dom, ">");

	gmtime_r(&o->date, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "Date: %s\r\n", date);
	buf_printf(out, "Message-ID: <%s@%.*s>\r\n", o->unique, (int)dlen, dom);
	compose_header(out, "From", o->from);
	buf_adds(out, "To:");
	for (i = 0; i < o->nto; i++)
		buf_printf(out, "%s %s", i ? ",\r\n" : "", o->to[i]);
	buf_adds(out, "\r\n");
	compose_header(out, "Subject", o->subject ? o->subject : "smtpscope test message");
	buf_adds(out, "MIME-Version: 1.0\r\n");
	if (o->nparts == 0) {
		compose_text(out, body, body_len);
		return;
	}
	buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_%s\"\r\n\r\n"
		   "This is a message in MIME format.\r\n", o->unique);
	buf_printf(out, "\r\n--=_%s\r\n", o->unique);
	compose_text(out, body, body_len);
	for (i = 0; i < o->nparts; i++) {
		buf_printf(out, "\r\n--=_%s\r\nContent-Type: application/octet-stream", o->unique);
		compose_filename(out, "name", o->parts[i].name);
		buf_adds(out, "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment");
		compose_filename(out, "filename", o->parts[i].name);
		buf_adds(out, "\r\n\r\n");
		compose_base64(out, o->parts[i].data, o->parts[i].len);
	}
	buf_printf(out, "\r\n--=_%s--\r\n", o->unique);
}
