/* printer: line-mode rendering of session events. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "smtpscope/explain.h"
#include "smtpscope/printer.h"

static void printer_prefix(const struct printer_options *o,
			   const struct session_event *ev, struct buf *out,
			   const char *marker)
{
	if (o->timestamps) {
		time_t t = (time_t)(ev->wall_us / 1000000);
		struct tm tm;
		char s[32];

		gmtime_r(&t, &tm);
		strftime(s, sizeof s, "%H:%M:%S", &tm);
		buf_printf(out, "%s.%03d ", s, (int)(ev->wall_us / 1000 % 1000));
	}
	if (ev->insecure)
		buf_adds(out, "(insecure) ");
	buf_adds(out, marker);
}

/* Prints raw bytes line by line, escaped; CRLF (or LF) ends a line. */
static void printer_lines(const struct printer_options *o,
			  const struct session_event *ev, struct buf *out,
			  const char *marker, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n;
		size_t shown = len;

		if (nl && shown > 0 && p[shown - 1] == '\r')
			shown--;
		printer_prefix(o, ev, out, marker);
		util_escape(out, p, shown);
		buf_addc(out, '\n');
		if (!nl)
			break;
		n -= len + 1;
		p += len + 1;
	}
}

static void printer_reply(const struct printer_options *o,
			  const struct session_event *ev, struct buf *out)
{
	const struct reply *r = ev->reply;
	size_t i;

	printer_lines(o, ev, out, ev->encrypted ? "<~  " : "<-  ", ev->raw, ev->raw_len);
	if (r->raw_seen > r->raw_len) {
		printer_prefix(o, ev, out, "!!! ");
		buf_printf(out, "(%zu more bytes of this reply not kept)\n",
			   r->raw_seen - r->raw_len);
	}
	for (i = 0; i < r->ndefects; i++) {
		printer_prefix(o, ev, out, "!!! ");
		buf_printf(out, "malformed reply: %s (line %zu)\n",
			   reply_defect_name(r->defects[i].kind), r->defects[i].line);
	}
	if (o->annotate) {
		struct explain_ctx ctx = { .has_verb = true, .verb = ev->verb, .tls_active = ev->encrypted };
		struct explanation x;

		explain_reply(o->kb, r, &ctx, &x);
		printer_prefix(o, ev, out, "  # ");
		explain_format_short(&x, out);
		explain_free(&x);
		buf_printf(out, " [reply to %s]", session_reply_to(ev));
		if (o->timing && ev->latency_us >= 0)
			buf_printf(out, " (%.1f ms)", (double)ev->latency_us / 1000.0);
		buf_addc(out, '\n');
	}
}

/* Prints one field of an explanation, "  #   label: text", escaped. */
static void printer_field(const struct printer_options *o, const struct session_event *ev,
			  struct buf *out, const char *label, const char *text)
{
	printer_prefix(o, ev, out, "  # ");
	buf_printf(out, "%s%s", label, label[0] ? ": " : "");
	util_escape(out, text, strlen(text));
	buf_addc(out, '\n');
}

/* A TLS failure explained by the knowledge base's [tls-error] entries. */
static void printer_tls_failure(const struct printer_options *o,
				const struct session_event *ev, struct buf *out)
{
	const struct kb_tls_error *t = kb_tls_error_match(o->kb, ev->detail);

	if (!o->annotate)
		return;
	if (t == NULL) {
		printer_field(o, ev, out, "", "no explanation in the knowledge base for this TLS failure");
		return;
	}
	printer_field(o, ev, out, "", t->title);
	printer_field(o, ev, out, "likely cause", t->cause);
	printer_field(o, ev, out, "next step", t->next);
}

static void printer_text(const struct printer_options *o, const struct session_event *ev,
			 struct buf *out, const char *marker)
{
	/* Our own texts may run to several lines (an explanation): each
	 * gets the marker, and is escaped like everything else. */
	for (const char *t = ev->text ? ev->text : ""; ; ) {
		size_t n = strcspn(t, "\n");

		printer_prefix(o, ev, out, marker);
		util_escape(out, t, n);
		buf_addc(out, '\n');
		if (t[n] == '\0')
			break;
		t += n + 1;
	}
}

void printer_event(const struct printer_options *o,
		   const struct session_event *ev, struct buf *out)
{
	const char *marker;

	switch (ev->kind) {
	case SESSION_SENT:
		printer_lines(o, ev, out, ev->encrypted ? " ~> " : " -> ",
			      ev->raw, ev->raw_len);
		return;
	case SESSION_REPLY:
		printer_reply(o, ev, out);
		return;
	case SESSION_WARN:
		marker = "!!! ";
		break;
	case SESSION_ERROR:
		marker = "*** ";
		break;
	case SESSION_TLS:
		printer_text(o, ev, out, ev->detail ? "*** " : "~~~ ");
		if (ev->detail)
			printer_tls_failure(o, ev, out);
		return;
	default:
		marker = "=== ";
		break;
	}
	printer_text(o, ev, out, marker);
}
