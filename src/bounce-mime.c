/* bounce-mime: a bounce message's MIME structure (RFC 5322 header
 * blocks, RFC 2045 and RFC 2046).  Fields unfolded, Content-Type and its
 * parameters, quoted-printable and base64 bodies decoded, and the walk
 * through multipart bodies, bounded in depth and number, that collects
 * the delivery-status parts and the human-readable text. */
#include "config.h"

#include <string.h>

#include "bounce-private.h"

#define MIME_MAX_DEPTH 8        /* multipart levels walked into */
#define TEXT_MAX (256u * 1024)  /* bytes of human-readable text kept */
#define BOUNDARY_MAX 200        /* RFC 2046 5.1.1 says 70; MTAs stretch it */
#define CTYPE_MAX 64

/* ---- header blocks (RFC 5322 2.2) ---- */

/* A field's first line: a name of visible ASCII but ':', then ':' (white
 * space before it is obsolete syntax, accepted). */
bool bounce_is_field_line(struct span line)
{
	size_t i = 0;

	while (i < line.n && (unsigned char)line.p[i] > ' ' && (unsigned char)line.p[i] < 0x7f && line.p[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < line.n && bounce_is_wsp(line.p[i]))
		i++;
	return i < line.n && line.p[i] == ':';
}

/* Splits m at its first empty line into the header block and the body.
 * False if m does not start with a header field.  *ended is false when no
 * empty line closes the block: the text stops inside it. */
bool bounce_split_header(struct span m, struct span *hdr, struct span *body, bool *ended)
{
	size_t pos = 0, start;
	struct span line;

	*ended = false;
	*hdr = m;
	*body = bounce_span_sub(m, m.n, m.n);
	while (start = pos, bounce_next_line(m, &pos, &line)) {
		if (bounce_blank(line)) {
			*hdr = bounce_span_sub(m, 0, start);
			*body = bounce_span_sub(m, pos, m.n);
			*ended = true;
			return true;
		}
		if (start == 0 && !bounce_is_field_line(line))
			return false;
	}
	return m.n > 0;
}

/* Appends the unfolded value of the first field called name in the
 * header block h; false if there is none. */
bool bounce_header_get(struct span h, const char *name, struct buf *out)
{
	size_t pos = 0, nlen = strlen(name);
	struct span line;

	while (bounce_next_line(h, &pos, &line)) {
		size_t i = nlen, from, to, look;
		struct span more;

		if (!bounce_span_istarts(line, name))
			continue;
		while (i < line.n && bounce_is_wsp(line.p[i]))
			i++;
		if (i >= line.n || line.p[i] != ':')
			continue;
		from = (size_t)(line.p - h.p) + i + 1;
		to = (size_t)(line.p - h.p) + line.n;
		/* the continuation lines start with white space */
		while (look = pos, bounce_next_line(h, &look, &more) && more.n && bounce_is_wsp(more.p[0])) {
			to = (size_t)(more.p - h.p) + more.n;
			pos = look;
		}
		bounce_add_unfolded(out, bounce_span_sub(h, from, to));
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
		for (i++; i < v.n && bounce_is_space(v.p[i]); i++)
			;
		if (!bounce_span_istarts(bounce_span_sub(v, i, v.n), name))
			continue;
		for (j = i + nlen; j < v.n && bounce_is_wsp(v.p[j]); j++)
			;
		if (j >= v.n || v.p[j] != '=')
			continue;
		for (j++; j < v.n && bounce_is_wsp(v.p[j]); j++)
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
			for (; j < v.n && v.p[j] != ';' && !bounce_is_space(v.p[j]); j++) {
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
	if (bounce_header_get(hdr, "Content-Type", &v)) {
		s = bounce_span_of_buf(&v);
		type = bounce_token_at(s, 0);
		for (size_t i = 0; i < type.n; i++)
			if (type.p[i] == ';')
				type.n = i;
		/* a type without its '/' is no type: the default, text/plain */
		if (type.n < CTYPE_MAX && memchr(type.p, '/', type.n)) {
			for (size_t i = 0; i < type.n; i++)
				ct->type[i] = bounce_lower(type.p[i]);
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
	if (bounce_is_digit(c))
		return c - '0';
	c = bounce_lower(c);
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
		while (j < s.n && bounce_is_wsp(s.p[j]))
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
	if (bounce_is_digit(c))
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
	bounce_header_get(hdr, "Content-Transfer-Encoding", &cte);
	enc = bounce_token_at(bounce_span_of_buf(&cte), 0);
	qp = bounce_span_ieq_lit(enc, "quoted-printable");
	b64 = bounce_span_ieq_lit(enc, "base64");
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

	bounce_find_any(s, copy_marks, &cut, NULL);
	while (cut > 0 && s.p[cut - 1] != '\n')
		cut--;
	return bounce_span_sub(s, 0, cut);
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

/* 1 for the delimiter line "--boundary", 2 for the close "--boundary--"
 * (RFC 2046 5.1.1: white space may follow), else 0. */
static int delimiter(struct span line, const char *bd, size_t bl)
{
	struct span rest;

	if (line.n < bl + 2 || line.p[0] != '-' || line.p[1] != '-' || memcmp(line.p + 2, bd, bl) != 0)
		return 0;
	rest = bounce_span_sub(line, bl + 2, line.n);
	if (rest.n >= 2 && rest.p[0] == '-' && rest.p[1] == '-')
		return bounce_blank(bounce_span_sub(rest, 2, rest.n)) ? 2 : 0;
	return bounce_blank(rest) ? 1 : 0;
}

static void walk_part(struct ctx *c, struct span part, int depth, bool in_report)
{
	struct span hdr, body;
	bool ended;

	if (!bounce_split_header(part, &hdr, &body, &ended)) {
		/* no header block: a text/plain part (RFC 2046 5.1.1) */
		hdr = bounce_span_sub(part, 0, 0);
		body = part;
	}
	bounce_walk(c, hdr, body, depth, in_report);
}

static void walk_multipart(struct ctx *c, struct span body, const char *bd, int depth, bool in_report)
{
	size_t bl = strlen(bd), pos = 0, start, part = 0;
	bool in_part = false;
	struct span line;

	while (start = pos, bounce_next_line(body, &pos, &line)) {
		int d = delimiter(line, bd, bl);

		if (d == 0)
			continue;
		if (in_part)
			walk_part(c, bounce_span_sub(body, part, start), depth, in_report);
		if (d == 2)
			return;
		in_part = true;
		part = pos;
	}
	if (in_part) {
		c->truncated = true;  /* no close delimiter: the text stops in a part */
		walk_part(c, bounce_span_sub(body, part, body.n), depth, in_report);
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

void bounce_walk(struct ctx *c, struct span hdr, struct span body, int depth, bool in_report)
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
