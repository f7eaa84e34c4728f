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
 * leaves here unescaped.
 *
 * The recognisers are paste-mta.c's (Postfix, Sendmail, Exim, qmail) and
 * paste-report.c's (Microsoft, Gmail, RFC 3464, the bare reply), with the
 * helpers of paste-text.c (paste-private.h); this file holds the paste's
 * copy, the order the recognisers are tried in, the result put together
 * from what one found, and the API. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"
#include "smtpscope/paste.h"
#include "smtpscope/util.h"
#include "paste-private.h"

/* Bytes of the paste read: a bounce's text part is far smaller. */
#define PASTE_MAX_INPUT (64 * 1024)
/* Lines of one reply kept; real ones have fewer than twenty. */
#define PASTE_MAX_LINES 64
/* Bytes of one reply's text kept. */
#define PASTE_MAX_REPLY (16 * 1024)

/* ---- the text ---- */

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
		if (paste_find(t->start, t->end, recipient_markers[i], &a) == NULL)
			continue;
		a = paste_skip_space(a, t->end);
		a += paste_match(a, t->end, "rfc822;");
		f->recipient = paste_address_at(a, t->end);
	}
	/* RFC 3464's "Remote-MTA: dns; mx.example.com". */
	if (f->server.p == NULL && paste_find(t->start, t->end, "Remote-MTA:", &a)) {
		a = paste_skip_space(a, t->end);
		a += paste_match(a, t->end, "dns;");
		a = paste_skip_blanks(a, t->end);
		if (paste_token_end(a, t->end) > a)
			f->server = paste_span_of(a, paste_token_end(a, t->end));
	}
}

/* ---- the result ---- */

/* The words of s on one line, each run of white space made one space, at
 * most cap bytes (not escaped yet). */
static void words_of(struct span s, size_t cap, struct buf *out)
{
	buf_init(out);
	for (const char *p = paste_skip_space(s.p, s.end); p < s.end && out->len < cap; p++) {
		if (!paste_is_space(*p))
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
	if (raw.len && paste_is_digit(raw.data[raw.len - 1])) {
		size_t n = raw.len;

		while (n && paste_is_digit(raw.data[n - 1]))
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
	s = paste_line_trimmed(s.p, s.end);
	if (s.p < s.end && *s.p == '<')
		s.p++;
	if (s.p < s.end && s.end[-1] == '>')
		s.end--;
	if (s.p == s.end || memchr(s.p, '\n', (size_t)(s.end - s.p)))
		return NULL;
	return util_escape_dup(s.p, paste_min_len(s.p, s.end, PASTE_MAX_NAME));
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
	struct span s = paste_line_trimmed(l, f->reply.end);

	if (f->transcript && s.end - s.p >= 3 && memcmp(s.p, "<<<", 3) == 0)
		s.p = paste_skip_blanks(s.p + 3, s.end);
	return s;
}

/* True if every line of the reply starts with a code: then they are the
 * reply's own lines, not text a bounce wrapped. */
static bool lines_coded(const struct found *f)
{
	for (const char *l = f->reply.p; l < f->reply.end; l = paste_next_line(l, f->reply.end)) {
		struct span s = reply_line(f, l);

		if (s.p < s.end && !paste_code_at(s.p, s.end))
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
	     l = paste_next_line(l, f->reply.end)) {
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
			if (p[0] == '\\' && p + 1 < s.end && p[1] == 'n' &&
			    paste_code_at(p + 2, s.end) && nlines < PASTE_MAX_LINES) {
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
	at = paste_find_last(b->data, end, "(in reply to", &a);
	if (at == NULL || (a < end && !paste_is_space(*a)))
		return;
	a = paste_skip_space(a, end);
	if (!f->has_verb && paste_verb_at(a, end, &v, NULL))
		paste_found_verb(f, v);
	b->len = (size_t)(at - b->data);
	while (b->len && paste_is_space(b->data[b->len - 1]))
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
	for (const char *l = lines->data, *end = l + lines->len; l < end;
	     l = paste_next_line(l, end)) {
		util_escape(&esc, l, (size_t)(paste_line_end(l, end) - l));
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

		if (!paste_enhanced_at(f->enhanced.p, f->enhanced.end, enh))
			return false;
		p->enhanced = xstrdup(enh);
		p->enhanced_text = words_dup(f->enhanced_text);
	} else {
		struct buf lines;

		reply_lines(f, &lines);
		strip_in_reply_to(&lines, f);
		if (f->format == PASTE_GMAIL)
			drop_doubled_code(&lines);
		if (lines.len == 0 || !paste_code_at(lines.data, lines.data + lines.len) ||
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
	paste_find_postfix_log, paste_find_sendmail, paste_find_exim, paste_find_qmail,
	paste_find_microsoft, paste_find_gmail, paste_find_postfix, paste_find_dsn, paste_find_bare,
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
