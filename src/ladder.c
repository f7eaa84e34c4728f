/* ladder: the session as an ASCII sequence diagram. */
#include "config.h"

#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/ladder.h"
#include "smtpscope/reply.h"

/* Printable ASCII only, at most max bytes, "..." when cut. */
static void ladder_label(const char *p, size_t n, size_t max, struct buf *out)
{
	size_t i;

	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	for (i = 0; i < n && i < max; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (i + 3 >= max && n > max) {
			buf_adds(out, "...");
			return;
		}
		buf_addc(out, ch >= 0x20 && ch < 0x7f ? (char)ch : '?');
	}
}

/* The bytes of text (len bytes) that fit in max columns, never cutting a
 * UTF-8 sequence, and their columns in *cols: a translated label (ASCII:
 * bytes and columns are the same). */
static size_t ladder_fit(const char *text, size_t len, size_t max, size_t *cols)
{
	size_t i = 0, c = 0;

	while (i < len) {
		size_t n = 1, w;

		while (i + n < len && ((unsigned char)text[i + n] & 0xc0) == 0x80)
			n++;
		w = util_display_width(text + i, n);
		if (c + w > max)
			break;
		c += w;
		i += n;
	}
	*cols = c;
	return i;
}

/* "  |-- label ------>|" or "  |<------ label --|" */
static void ladder_arrow(struct buf *out, size_t width, const char *label, bool right,
			 bool tls)
{
	char dash = tls ? '~' : '-';
	size_t inner = width - 4; /* between the two bars */
	size_t cols, len = ladder_fit(label, strlen(label), inner - 6, &cols), i, fill;

	fill = inner - cols - 4;
	buf_adds(out, "  |");
	if (right) {
		buf_addc(out, dash);
		buf_addc(out, dash);
		buf_addc(out, ' ');
		buf_add(out, label, len);
		buf_addc(out, ' ');
		for (i = 0; i + 1 < fill; i++)
			buf_addc(out, dash);
		buf_addc(out, '>');
	} else {
		buf_addc(out, '<');
		for (i = 0; i + 1 < fill; i++)
			buf_addc(out, dash);
		buf_addc(out, ' ');
		buf_add(out, label, len);
		buf_addc(out, ' ');
		buf_addc(out, dash);
		buf_addc(out, dash);
	}
	buf_adds(out, "|\n");
}

/* "  |======= text =======|" across the diagram. */
static void ladder_band(struct buf *out, size_t width, const char *text)
{
	size_t inner = width - 4, cols, len = ladder_fit(text, strlen(text), inner - 4, &cols), left, i;

	left = (inner - cols - 2) / 2;
	buf_adds(out, "  |");
	for (i = 0; i < left; i++)
		buf_addc(out, '=');
	buf_addc(out, ' ');
	buf_add(out, text, len);
	buf_addc(out, ' ');
	for (i = left + cols + 2; i < inner; i++)
		buf_addc(out, '=');
	buf_adds(out, "|\n");
}

int ladder_line_code(const char *line, size_t len)
{
	const char *lt = memchr(line, '<', len);

	if (lt == NULL || (size_t)(lt - line) != 3)
		return 0;
	for (const char *p = lt; p + 4 < line + len; p++)
		if (p[0] == ' ' && p[1] >= '2' && p[1] <= '5' && p[2] >= '0' && p[2] <= '9' &&
		    p[3] >= '0' && p[3] <= '9' && (p[4] == ' ' || p[4] == '-'))
			return (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	return 0;
}

void ladder_start(struct ladder *l, size_t width, struct buf *out)
{
	const char *client = _("client"), *server = _("server");
	size_t cc = util_display_width(client, strlen(client));
	size_t sc = util_display_width(server, strlen(server));

	*l = (struct ladder){ .width = width < LADDER_MIN_WIDTH ? LADDER_MIN_WIDTH : width };
	buf_adds(out, client);
	for (size_t i = cc + sc; i < l->width; i++)
		buf_addc(out, ' ');
	buf_adds(out, server);
	buf_addc(out, '\n');
}

/* Message content is one arrow, drawn at the final dot. */
static void ladder_message_line(struct ladder *l, const struct session_event *ev,
				struct buf *label, struct buf *out)
{
	if (ev->raw_len >= 1 && ev->raw[0] == '.' &&
	    (ev->raw_len == 1 || ev->raw[1] == '\r' || ev->raw[1] == '\n')) {
		buf_printf(label, ngettext("message: %zu line, then \".\"",
					   "message: %zu lines, then \".\"", l->msg_lines),
			   l->msg_lines);
		ladder_arrow(out, l->width, label->data, true, l->msg_tls);
		l->in_message = false;
	} else {
		l->msg_lines++;
	}
}

void ladder_update(struct ladder *l, const struct session *s, struct buf *out)
{
	size_t n = session_count(s), width = l->width;
	struct buf label, raw;

	buf_init(&label);
	buf_init(&raw);
	for (; l->next < n; l->next++) {
		const struct session_event *ev = session_get(s, l->next);

		buf_clear(&label);
		switch (ev->kind) {
		case SESSION_CONNECT:
			/* "connected to HOST port N", without the timing after it */
			ladder_label(ev->text, strcspn(ev->text, "("), width - 12, &label);
			if (label.len > 0 && label.data[label.len - 1] == ' ')
				label.data[--label.len] = '\0';
			ladder_band(out, width, label.data);
			break;
		case SESSION_CLOSE:
			ladder_band(out, width, _("connection closed"));
			break;
		case SESSION_SENT:
			if (l->in_message) {
				ladder_message_line(l, ev, &label, out);
				break;
			}
			buf_clear(&raw);
			session_redact(s, ev, &raw);
			ladder_label(raw.data, raw.len, width - 12, &label);
			ladder_arrow(out, width, label.data ? label.data : "", true, ev->encrypted);
			break;
		case SESSION_DATA:
			ladder_label(ev->text, strlen(ev->text), width - 12, &label);
			ladder_arrow(out, width, label.data ? label.data : "", true, ev->encrypted);
			break;
		case SESSION_REPLY: {
			const struct reply *r = ev->reply;
			const char *first = r->raw;
			const char *nl = memchr(first, '\n', r->raw_len);
			size_t flen = nl ? (size_t)(nl - first) : r->raw_len;

			ladder_label(first, flen, width - 14, &label);
			if (r->nlines > 1)
				buf_printf(&label, " (+%zu)", r->nlines - 1);
			ladder_arrow(out, width, label.data ? label.data : "", false, ev->encrypted);
			if (r->code == 354) {
				l->in_message = true;
				l->msg_lines = 0;
				l->msg_tls = ev->encrypted;
			}
			break;
		}
		case SESSION_TLS:
			if (ev->tls == SESSION_TLS_FAILED) {
				ladder_band(out, width, _("TLS FAILED"));
			} else if (ev->tls == SESSION_TLS_UNVERIFIED) {
				/* Still up: the user (or --insecure) may go on,
				 * and a close follows if not. */
				ladder_band(out, width, _("certificate NOT verified"));
			} else if (ev->tls == SESSION_TLS_UP) {
				/* the report's first words: "TLSv1.3, cipher ..." */
				buf_adds(&label, _("TLS started: "));
				ladder_label(ev->text, strcspn(ev->text, ",\n"), width - 30, &label);
				buf_printf(out, "  |%*s\n", (int)(width - 4), "|");
				ladder_band(out, width, label.data);
			}
			break;
		default:
			break;
		}
	}
	buf_free(&label);
	buf_free(&raw);
}

void ladder_render(const struct session *s, size_t width, struct buf *out)
{
	struct ladder l;

	ladder_start(&l, width, out);
	ladder_update(&l, s, out);
}
