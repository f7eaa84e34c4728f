/* printer: line-mode rendering of session events, one typed line at a
 * time. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtpscope/explain.h"
#include "smtpscope/hexdump.h"
#include "smtpscope/i18n.h"
#include "smtpscope/printer.h"

/* The marker of each kind: outside TLS, inside TLS. */
static const char *const printer_markers[][2] = {
	[PRINTER_NOTE] = { "=== ", "=== " },
	[PRINTER_SENT] = { " -> ", " ~> " },
	[PRINTER_REPLY] = { "<-  ", "<~  " },
	[PRINTER_EXPLAIN] = { "  # ", "  # " },
	[PRINTER_WARN] = { "!!! ", "!!! " },
	[PRINTER_ERROR] = { "*** ", "*** " },
	[PRINTER_TLS] = { "~~~ ", "~~~ " },
	[PRINTER_RAW] = { "  | ", "  | " },
};
#define PRINTER_MARKER_LEN 4

static const char printer_insecure[] = "(insecure) ";

/* One event being printed: the line in the making and where it goes. */
struct printer_out {
	const struct printer_options *o;
	const struct session_event *ev;
	printer_emit emit;
	void *ctx;
	struct buf b;
	struct printer_line line;
};

/* The class of a reply line read back from text: a valid code (RFC 5321
 * 4.2: digits 2-5, 0-5, 0-9, then a space, '-' or the end), else 0. */
static int printer_text_class(const char *t, size_t n)
{
	if (n < 3 || t[0] < '2' || t[0] > '5' || t[1] < '0' || t[1] > '5' ||
	    t[2] < '0' || t[2] > '9' || (n > 3 && t[3] != ' ' && t[3] != '-'))
		return 0;
	return t[0] - '0';
}

static int printer_class(const struct session_event *ev)
{
	return ev->reply ? reply_class(ev->reply) : 0;
}

/* Starts a line of kind k: the time, "(insecure) ", the marker. */
static void printer_begin(struct printer_out *p, enum printer_kind k)
{
	const struct session_event *ev = p->ev;

	buf_clear(&p->b);
	if (p->o->timestamps) {
		time_t t = (time_t)(ev->wall_us / 1000000);
		struct tm tm;
		char s[32];

		gmtime_r(&t, &tm);
		strftime(s, sizeof s, "%H:%M:%S", &tm);
		buf_printf(&p->b, "%s.%03d ", s, (int)(ev->wall_us / 1000 % 1000));
	}
	if (ev->insecure)
		buf_adds(&p->b, printer_insecure);
	buf_adds(&p->b, printer_markers[k][ev->encrypted]);
	p->line = (struct printer_line){
		.kind = k,
		.reply_class = k == PRINTER_REPLY ? printer_class(ev) : 0,
		.encrypted = ev->encrypted,
		.insecure = ev->insecure,
		.body = p->b.len,
	};
}

static void printer_end(struct printer_out *p)
{
	p->line.text = p->b.data;
	p->line.len = p->b.len;
	p->emit(p->ctx, &p->line);
}

/* One line of kind k: text escaped. */
static void printer_escaped(struct printer_out *p, enum printer_kind k, const char *t, size_t n)
{
	printer_begin(p, k);
	util_escape(&p->b, t, n);
	printer_end(p);
}

/* Raw bytes line by line, escaped; CRLF (or LF) ends a line. */
static void printer_raw(struct printer_out *p, enum printer_kind k, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) : n;
		size_t shown = len;

		if (nl && shown > 0 && s[shown - 1] == '\r')
			shown--;
		printer_escaped(p, k, s, shown);
		if (!nl)
			break;
		n -= len + 1;
		s += len + 1;
	}
}

/* What of an oversized reply was not kept: the exact lines and bytes. */
static void printer_dropped(struct printer_out *p, const struct reply *r)
{
	size_t cut = r->raw_seen - r->raw_len - r->dropped_bytes;

	if (r->dropped_first) {
		printer_begin(p, PRINTER_WARN);
		buf_printf(&p->b, _("lines %zu to %zu of this reply (%zu of %zu lines, %zu bytes) were not kept: smtpscope keeps the first %d lines and the last"),
			   r->dropped_first, r->dropped_last, r->dropped_last - r->dropped_first + 1,
			   r->lines_seen, r->dropped_bytes, REPLY_MAX_LINES - 1);
		printer_end(p);
	}
	if (r->raw_seen > r->raw_len + r->dropped_bytes) {
		printer_begin(p, PRINTER_WARN);
		buf_printf(&p->b, _("%zu bytes of over-long lines not kept (smtpscope keeps %d bytes of a line)"),
			   cut, REPLY_MAX_LINE);
		printer_end(p);
	}
}

static void printer_reply(struct printer_out *p)
{
	const struct session_event *ev = p->ev;
	const struct reply *r = ev->reply;

	printer_raw(p, PRINTER_REPLY, ev->raw, ev->raw_len);
	printer_dropped(p, r);
	for (size_t i = 0; i < r->ndefects; i++) {
		enum reply_defect_kind k = r->defects[i].kind;

		/* smtpscope's own limits, told above, are no defect of the reply;
		 * nor is UTF-8 text in an SMTPUTF8 transaction. */
		if (k == REPLY_DEFECT_TOO_MANY_LINES || k == REPLY_DEFECT_TOO_BIG ||
		    (k == REPLY_DEFECT_8BIT && ev->utf8 && util_utf8_valid(r->raw, r->raw_len)))
			continue;
		printer_begin(p, PRINTER_WARN);
		buf_printf(&p->b, k == REPLY_DEFECT_LINE_TRUNCATED ? _("%s (line %zu)")
			   : _("malformed reply: %s (line %zu)"),
			   reply_defect_name(k), r->defects[i].line);
		printer_end(p);
	}
	if (p->o->annotate) {
		struct explain_ctx ctx = { .has_verb = true, .verb = ev->verb, .tls_active = ev->encrypted };
		struct explanation x;

		explain_reply(p->o->kb, r, &ctx, &x);
		printer_begin(p, PRINTER_EXPLAIN);
		explain_format_short(&x, &p->b);
		explain_free(&x);
		buf_printf(&p->b, _(" [reply to %s]"), _(session_reply_to(ev)));
		if (p->o->timing && ev->latency_us >= 0)
			buf_printf(&p->b, " (%.1f ms)", (double)ev->latency_us / 1000.0);
		printer_end(p);
	}
}

/* One field of an explanation, "  #   label: text", escaped. */
static void printer_field(struct printer_out *p, const char *label, const char *text)
{
	printer_begin(p, PRINTER_EXPLAIN);
	buf_printf(&p->b, "%s%s", label, label[0] ? ": " : "");
	util_escape(&p->b, text, strlen(text));
	printer_end(p);
}

/* A TLS failure explained by the knowledge base's [tls-error] entries. */
static void printer_tls_failure(struct printer_out *p)
{
	const struct kb_tls_error *t = kb_tls_error_match(p->o->kb, p->ev->detail);

	if (!p->o->annotate)
		return;
	if (t == NULL) {
		printer_field(p, "", _("no explanation in the knowledge base for this TLS failure"));
		return;
	}
	printer_field(p, "", t->title);
	printer_field(p, _("likely cause"), t->cause);
	printer_field(p, _("next step"), t->next);
}

/* Our own texts may run to several lines (an explanation): each gets the
 * marker, and is escaped like everything else. */
static void printer_text(struct printer_out *p, enum printer_kind k)
{
	for (const char *t = p->ev->text ? p->ev->text : ""; ; ) {
		size_t n = strcspn(t, "\n");

		printer_escaped(p, k, t, n);
		if (t[n] == '\0')
			break;
		t += n + 1;
	}
}

/* --raw: what moved ("read 37 bytes (decrypted); TLS records: ..."),
 * then its bytes as hex + ASCII rows. */
static void printer_raw_dump(struct printer_out *p)
{
	const struct session_event *ev = p->ev;
	size_t per_row = p->o->raw_per_row ? p->o->raw_per_row : HEXDUMP_WIDE;
	int digits = hexdump_digits(ev->raw_len);

	printer_begin(p, PRINTER_RAW);
	buf_printf(&p->b, ev->raw_write ? ngettext("wrote %zu byte", "wrote %zu bytes", ev->raw_total)
			  : ngettext("read %zu byte", "read %zu bytes", ev->raw_total), ev->raw_total);
	if (ev->encrypted)
		buf_adds(&p->b, ev->raw_write ? _(" (before TLS encryption)") : _(" (decrypted)"));
	if (ev->detail) {
		buf_adds(&p->b, _("; TLS records: "));
		util_escape(&p->b, ev->detail, strlen(ev->detail));
	}
	if (ev->redacted)
		buf_adds(&p->b, _("; part of an AUTH exchange: not dumped, raw dumps never hold credentials"));
	else if (ev->raw_len == 0 && ev->raw_total > 0)
		buf_printf(&p->b, _("; not dumped: --raw keeps %d MiB of a connection's bytes"),
			   SESSION_RAW_BUDGET / (1024 * 1024));
	else if (ev->raw_len < ev->raw_total)
		buf_printf(&p->b, _("; the first %zu shown"), ev->raw_len);
	printer_end(p);
	for (size_t off = 0; off < ev->raw_len; off += per_row) {
		printer_begin(p, PRINTER_RAW);
		hexdump_row(&p->b, ev->raw + off, ev->raw_len - off, off, per_row, digits);
		printer_end(p);
	}
}

static enum printer_kind printer_text_kind(enum session_kind k)
{
	switch (k) {
	case SESSION_WARN: return PRINTER_WARN;
	case SESSION_ERROR: return PRINTER_ERROR;
	default: return PRINTER_NOTE;
	}
}

void printer_event_lines(const struct printer_options *o, const struct session_event *ev,
			 printer_emit emit, void *ctx)
{
	struct printer_out p = { .o = o, .ev = ev, .emit = emit, .ctx = ctx };

	buf_init(&p.b);
	switch (ev->kind) {
	case SESSION_SENT:
		printer_raw(&p, PRINTER_SENT, ev->raw, ev->raw_len);
		break;
	case SESSION_REPLY:
		printer_reply(&p);
		break;
	case SESSION_RAW:
		printer_raw_dump(&p);
		break;
	case SESSION_TLS:
		printer_text(&p, ev->detail ? PRINTER_ERROR : PRINTER_TLS);
		if (ev->detail)
			printer_tls_failure(&p);
		break;
	default:
		printer_text(&p, printer_text_kind(ev->kind));
		break;
	}
	buf_free(&p.b);
}

static void printer_append(void *ctx, const struct printer_line *line)
{
	struct buf *out = ctx;

	buf_add(out, line->text, line->len);
	buf_addc(out, '\n');
}

void printer_event(const struct printer_options *o,
		   const struct session_event *ev, struct buf *out)
{
	printer_event_lines(o, ev, printer_append, out);
}

void printer_lines_init(struct printer_lines *l)
{
	memset(l, 0, sizeof *l);
	buf_init(&l->text);
}

static void printer_keep(void *ctx, const struct printer_line *line)
{
	struct printer_lines *l = ctx;

	l->line = xgrow(l->line, &l->cap, l->n + 1, sizeof *l->line);
	l->line[l->n++] = *line;
	printer_append(&l->text, line);
}

void printer_collect(const struct printer_options *o, const struct session_event *ev,
		     struct printer_lines *l)
{
	size_t off = 0;

	l->n = 0;
	buf_clear(&l->text);
	printer_event_lines(o, ev, printer_keep, l);
	/* The text moved as it grew: point each line at its place now. */
	for (size_t i = 0; i < l->n; i++) {
		l->line[i].text = l->text.data + off;
		off += l->line[i].len + 1;
	}
}

void printer_lines_free(struct printer_lines *l)
{
	free(l->line);
	buf_free(&l->text);
	memset(l, 0, sizeof *l);
}

/* "HH:MM:SS.mmm " as printer_begin writes it. */
static bool printer_is_time(const char *s, size_t n)
{
	static const char shape[] = "dd:dd:dd.ddd ";

	if (n < sizeof shape - 1)
		return false;
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return true;
}

bool printer_parse(const char *line, size_t len, struct printer_line *out)
{
	size_t at = 0, ni = sizeof printer_insecure - 1;

	memset(out, 0, sizeof *out);
	out->text = line;
	out->len = len;
	if (printer_is_time(line, len))
		at += 13;
	if (len - at >= ni && memcmp(line + at, printer_insecure, ni) == 0) {
		out->insecure = true;
		at += ni;
	}
	if (len - at < PRINTER_MARKER_LEN)
		return false;
	for (size_t k = 0; k < UTIL_ARRAY_LEN(printer_markers); k++)
		for (int tls = 0; tls < 2; tls++) {
			if (memcmp(line + at, printer_markers[k][tls], PRINTER_MARKER_LEN) != 0)
				continue;
			out->kind = (enum printer_kind)k;
			out->encrypted = tls && strcmp(printer_markers[k][0], printer_markers[k][1]) != 0;
			out->body = at + PRINTER_MARKER_LEN;
			if (out->kind == PRINTER_REPLY)
				out->reply_class = printer_text_class(line + out->body, len - out->body);
			return true;
		}
	return false;
}
