/* export: a session as .txt, .jsonl or a self-contained .html handout. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtpscope/explain.h"
#include "smtpscope/export.h"
#include "smtpscope/hexdump.h"
#include "smtpscope/i18n.h"
#include "smtpscope/ladder.h"

bool export_format_of(const char *path, enum export_format *f)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/'))
		return false;
	if (util_strieq(dot, ".txt"))
		*f = EXPORT_TXT;
	else if (util_strieq(dot, ".jsonl"))
		*f = EXPORT_JSONL;
	else if (util_strieq(dot, ".html") || util_strieq(dot, ".htm"))
		*f = EXPORT_HTML;
	else
		return false;
	return true;
}

/* The event as it may be saved: a shallow copy whose raw bytes are the
 * redacted ones (held in tmp). */
static struct session_event export_event(const struct session *s, const struct session_event *ev,
					 struct buf *tmp)
{
	struct session_event copy = *ev;

	buf_clear(tmp);
	if (ev->kind == SESSION_SENT) {
		copy.redacted = session_redact(s, ev, tmp);
		copy.raw = tmp->data;
		copy.raw_len = tmp->len;
	}
	return copy;
}

/* ---- JSON lines --------------------------------------------------------- */

/* Text made visible (escapes, control bytes shown as \xNN) except the line
 * breaks of our own multi-line notes, which stay line breaks: JSON's
 * "\n", not a literal backslash and n. */
static void export_json_escaped(struct buf *out, const char *p, size_t n)
{
	struct buf b;

	buf_init(&b);
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;

		util_escape(&b, p, len);
		if (!nl)
			break;
		buf_addc(&b, '\n');
		n -= len + 1;
		p += len + 1;
	}
	util_json_string(out, b.data ? b.data : "");
	buf_free(&b);
}

static void export_json_time(struct buf *out, int64_t wall_us)
{
	time_t t = (time_t)(wall_us / 1000000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(out, "\"%s.%03dZ\"", s, (int)(wall_us / 1000 % 1000));
}

/* The raw bytes as an array of lines, each escaped, line ends removed. */
static void export_json_lines(struct buf *out, const char *p, size_t n)
{
	bool first = true;

	buf_addc(out, '[');
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n, shown = len;

		if (shown > 0 && p[shown - 1] == '\r')
			shown--;
		if (!first)
			buf_addc(out, ',');
		export_json_escaped(out, p, shown);
		first = false;
		if (!nl)
			break;
		n -= len + 1;
		p += len + 1;
	}
	buf_addc(out, ']');
}

/* A member's value: our own text, escaped, or null. */
static void export_json_text(struct buf *out, const char *key, const char *text)
{
	buf_printf(out, ",\"%s\":", key);
	if (text)
		export_json_escaped(out, text, strlen(text));
	else
		buf_adds(out, "null");
}

/* --raw: a read or write, its bytes in hex (none if it held a secret). */
static void export_json_raw(const struct session_event *ev, struct buf *out)
{
	buf_printf(out, ",\"raw\":{\"direction\":\"%s\",\"bytes\":%zu,\"hex\":",
		   ev->raw_write ? "write" : "read", ev->raw_total);
	if (ev->raw) {
		buf_addc(out, '"');
		hexdump_plain(out, ev->raw, ev->raw_len);
		buf_addc(out, '"');
	} else {
		buf_adds(out, "null");
	}
	export_json_text(out, "tls_records", ev->detail);
	buf_addc(out, '}');
}

static void export_jsonl_event(const struct printer_options *o, const struct session_event *ev,
			       struct buf *out)
{
	const struct reply *r = ev->reply;
	bool has_raw = ev->kind == SESSION_SENT || ev->kind == SESSION_REPLY;

	buf_printf(out, "{\"index\":%zu,\"kind\":\"%s\",\"time\":", ev->index,
		   session_kind_name(ev->kind));
	export_json_time(out, ev->wall_us);
	export_json_text(out, "text", ev->text);
	buf_adds(out, ",\"lines\":");
	if (has_raw)
		export_json_lines(out, ev->raw, ev->raw_len);
	else
		buf_adds(out, "null");
	if (r && r->code >= 0)
		buf_printf(out, ",\"code\":%d", r->code);
	else
		buf_adds(out, ",\"code\":null");
	if (r && r->enhanced.present)
		buf_printf(out, ",\"enhanced\":\"%d.%d.%d\"", r->enhanced.cls, r->enhanced.subject,
			   r->enhanced.detail);
	else
		buf_adds(out, ",\"enhanced\":null");
	buf_adds(out, ",\"command\":");
	if (ev->kind == SESSION_REPLY)
		util_json_string(out, session_reply_to(ev));
	else
		buf_adds(out, "null");
	if (ev->kind == SESSION_REPLY && ev->answers != SIZE_MAX)
		buf_printf(out, ",\"answers\":%zu", ev->answers);
	else
		buf_adds(out, ",\"answers\":null");
	if (ev->latency_us >= 0)
		buf_printf(out, ",\"latency_ms\":%.1f", (double)ev->latency_us / 1000.0);
	else
		buf_adds(out, ",\"latency_ms\":null");
	buf_printf(out, ",\"encrypted\":%s,\"insecure\":%s,\"redacted\":%s",
		   ev->encrypted ? "true" : "false", ev->insecure ? "true" : "false",
		   ev->redacted ? "true" : "false");
	buf_adds(out, ",\"explanation\":");
	if (r) {
		struct explain_ctx ctx = { .has_verb = true, .verb = ev->verb, .tls_active = ev->encrypted };
		struct explanation x;
		struct buf b;

		buf_init(&b);
		explain_reply(o->kb, r, &ctx, &x);
		explain_format_short(&x, &b);
		explain_free(&x);
		export_json_escaped(out, b.data ? b.data : "", b.len);
		buf_free(&b);
	} else {
		buf_adds(out, "null");
	}
	export_json_text(out, "tls_failure", ev->kind == SESSION_TLS ? ev->detail : NULL);
	if (ev->kind == SESSION_RAW)
		export_json_raw(ev, out);
	buf_adds(out, "}\n");
}

void export_jsonl_line(const struct session *s, const struct printer_options *o,
		       const struct session_event *ev, struct buf *out)
{
	struct buf tmp;
	struct session_event copy;

	buf_init(&tmp);
	copy = export_event(s, ev, &tmp);
	export_jsonl_event(o, &copy, out);
	buf_free(&tmp);
}

/* ---- HTML --------------------------------------------------------------- */

/* Text that is valid UTF-8 already (escaped), entity-escaped for XHTML. */
static void export_html_text(struct buf *out, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addc(out, p[i]); break;
		}
	}
}

static const char export_css[] =
	"body{font-family:sans-serif;margin:2em;max-width:60em;color:#111}"
	"pre{font-family:monospace;font-size:0.95em;background:#f7f7f7;padding:1em;"
	"white-space:pre-wrap;border:1px solid #ddd}"
	".s{font-weight:bold}.x{color:#555;font-style:italic}.n{color:#06c}"
	".w{color:#a60}.e{color:#c00;font-weight:bold}.t{color:#608}.b{color:#777}"
	".r2{color:#070}.r3{color:#077}.r4{color:#a60}.r5{color:#c00}"
	"table{border-collapse:collapse}td{padding:0.2em 1em;border-bottom:1px solid #ddd}";

static void export_html_span(struct buf *out, const char *cls, const char *text, size_t n)
{
	buf_printf(out, "<span class=\"%s\">", cls);
	export_html_text(out, text, n);
	buf_adds(out, "</span>\n");
}

/* The CSS class of a transcript line, from its kind. */
static const char *export_line_class(const struct printer_line *line)
{
	static const char *const rc[] = { "r5", "r5", "r2", "r3", "r4", "r5" };
	static const char *const cls[] = {
		[PRINTER_NOTE] = "n", [PRINTER_SENT] = "s", [PRINTER_EXPLAIN] = "x",
		[PRINTER_WARN] = "w", [PRINTER_ERROR] = "e", [PRINTER_TLS] = "t",
		[PRINTER_RAW] = "b",
	};

	if (line->kind == PRINTER_REPLY)
		return rc[line->reply_class]; /* a code of no class as a refusal */
	return (size_t)line->kind < UTIL_ARRAY_LEN(cls) && cls[line->kind] ? cls[line->kind] : "n";
}

static void export_html_line(void *ctx, const struct printer_line *line)
{
	export_html_span(ctx, export_line_class(line), line->text, line->len);
}

/* The ladder's lines, each a span of its reply code's class. */
static void export_html_ladder(struct buf *out, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;
		int code = ladder_line_code(p, len);

		export_html_span(out, code >= 500 ? "r5" : code >= 400 ? "r4" : code >= 300 ? "r3" :
				      code ? "r2" : "n", p, len);
		if (!nl)
			break;
		n -= len + 1;
		p += len + 1;
	}
}

static void export_html(const struct session *s, const struct printer_options *o,
			struct buf *out)
{
	struct printer_options po = *o;
	struct buf tmp, text;
	size_t n = session_count(s);

	po.annotate = true;
	buf_init(&tmp);
	buf_init(&text);
	buf_printf(out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"%.2s\">\n",
		   i18n_lang());
	/* The translations are XHTML: no bare & or <, the tags kept. */
	buf_printf(out, "<head>\n<meta charset=\"utf-8\"/>\n<title>%s</title>\n<style>",
		   _("smtpscope session"));
	buf_adds(out, export_css);
	buf_printf(out, "</style>\n</head>\n<body>\n<h1>%s</h1>\n",
		   _("An SMTP session, explained"));
	if (n > 0) {
		export_json_time(&text, session_get(s, 0)->wall_us);
		export_html_text(&tmp, text.data + 1, text.len - 2);
		buf_clear(&text);
		buf_adds(out, "<p>");
		buf_printf(out, _("Recorded by smtpscope on %s (UTC). Lines marked <code>-&gt;</code> "
				  "were sent by the client, <code>&lt;-</code> came from the server, "
				  "<code>#</code> says what a reply means. Secrets are shown as ***."),
			   tmp.data ? tmp.data : "");
		buf_adds(out, "</p>\n");
		buf_clear(&tmp);
	}
	buf_printf(out, "<table>\n<tr><td class=\"r2\">%s</td><td class=\"r3\">%s</td>"
		   "<td class=\"r4\">%s</td><td class=\"r5\">%s</td></tr>\n"
		   "</table>\n<h2>%s</h2>\n<pre class=\"transcript\">", _("2xx done"),
		   _("3xx go on"), _("4xx try later"), _("5xx refused"), _("Transcript"));
	for (size_t i = 0; i < n; i++) {
		struct session_event ev = export_event(s, session_get(s, i), &tmp);

		printer_event_lines(&po, &ev, export_html_line, out);
	}
	buf_printf(out, "</pre>\n<h2>%s</h2>\n<pre class=\"ladder\">", _("Ladder"));
	buf_clear(&text);
	ladder_render(s, LADDER_DEFAULT_WIDTH, &text);
	export_html_ladder(out, text.data ? text.data : "", text.len);
	buf_adds(out, "</pre>\n</body>\n</html>\n");
	buf_free(&tmp);
	buf_free(&text);
}

void export_render(const struct session *s, const struct printer_options *o,
		   enum export_format f, struct buf *out)
{
	struct buf tmp;
	size_t n = session_count(s);

	if (f == EXPORT_HTML) {
		export_html(s, o, out);
		return;
	}
	buf_init(&tmp);
	for (size_t i = 0; i < n; i++) {
		struct session_event ev = export_event(s, session_get(s, i), &tmp);

		if (f == EXPORT_JSONL)
			export_jsonl_event(o, &ev, out);
		else
			printer_event(o, &ev, out);
	}
	buf_free(&tmp);
}

bool export_save(const struct session *s, const struct printer_options *o,
		 const char *path, char **err)
{
	enum export_format f;
	struct buf b;
	FILE *fp;
	bool ok;

	if (!export_format_of(path, &f)) {
		*err = xasprintf(_("cannot save to \"%s\": the name must end in .txt (transcript), "
				   ".jsonl (one event per line) or .html (a handout)"), path);
		return false;
	}
	fp = fopen(path, "w");
	if (fp == NULL) {
		*err = xasprintf(_("cannot save to \"%s\": %s"), path, strerror(errno));
		return false;
	}
	buf_init(&b);
	export_render(s, o, f, &b);
	ok = fwrite(b.data ? b.data : "", 1, b.len, fp) == b.len;
	ok = (fclose(fp) == 0) && ok;
	buf_free(&b);
	if (!ok)
		*err = xasprintf(_("cannot save to \"%s\": %s"), path, strerror(errno));
	return ok;
}
