/* reply: incremental, lenient, diagnosing SMTP reply parser.
 *
 * RFC 5321 4.2 (reply syntax), 4.2.1 (digits), 4.5.3.1.5 (512-octet reply
 * lines); RFC 2034 and RFC 3463 (enhanced status codes).
 *
 * The parser is keyed on the first line's code and on the separator after
 * the code: a reply ends at the first line whose fourth octet is not '-'.
 * Digits later in the text (Exim's "503-501 ...") never end a reply. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/reply.h"
#include "smtpscope/util.h"

struct reply_parser {
	struct buf line;       /* current line, at most REPLY_MAX_LINE bytes */
	size_t line_seen;      /* bytes of the current line, kept or not */
	char last[2];          /* the line's last two bytes, kept or not */
	struct reply *cur;     /* reply being assembled, or NULL */
	struct reply **queue;  /* completed replies, oldest first */
	size_t nqueue, qcap, qhead;
};

static const char *const reply_defect_names[REPLY_DEFECT__COUNT] = {
	[REPLY_DEFECT_BARE_LF] = N_("bare LF line ending (RFC 5321 requires CRLF)"),
	[REPLY_DEFECT_BARE_CR] = N_("bare CR inside a line"),
	[REPLY_DEFECT_MIXED_CODES] = N_("lines of one reply carry different codes"),
	[REPLY_DEFECT_NO_SEPARATOR] = N_("no space or hyphen after the code"),
	[REPLY_DEFECT_BAD_CODE] = N_("line does not start with a three-digit code"),
	[REPLY_DEFECT_CODE_RANGE] = N_("code outside the RFC 5321 range (2-5, 0-5, 0-9)"),
	[REPLY_DEFECT_LONG_LINE] = N_("line longer than 512 octets (RFC 5321 4.5.3.1.5)"),
	[REPLY_DEFECT_LINE_TRUNCATED] = N_("line longer than smtpscope keeps; rest dropped"),
	[REPLY_DEFECT_NUL] = N_("NUL octet in the text"),
	[REPLY_DEFECT_8BIT] = N_("8-bit octet in the text (replies are US-ASCII)"),
	[REPLY_DEFECT_CONTROL] = N_("control character in the text"),
	[REPLY_DEFECT_TOO_MANY_LINES] = N_("more lines than smtpscope keeps; lines dropped before the last"),
	[REPLY_DEFECT_TOO_BIG] = N_("reply larger than smtpscope keeps; lines dropped before the last"),
	[REPLY_DEFECT_INCOMPLETE] = N_("connection ended in the middle of the reply"),
	[REPLY_DEFECT_ENHANCED_CLASS] = N_("enhanced code's class differs from the reply's first digit"),
};

const char *reply_defect_name(enum reply_defect_kind kind)
{
	if ((int)kind < 0 || kind >= REPLY_DEFECT__COUNT)
		return _("unknown defect");
	return _(reply_defect_names[kind]);
}

struct reply_parser *reply_parser_new(void)
{
	struct reply_parser *p = xcalloc(1, sizeof *p);

	buf_init(&p->line);
	return p;
}

void reply_free(struct reply *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nlines; i++)
		free(r->lines[i].text);
	free(r->lines);
	free(r->raw);
	free(r);
}

size_t reply_parser_reset(struct reply_parser *p)
{
	size_t dropped = 0;

	if (p->cur)
		dropped += p->cur->raw_seen;
	while (p->qhead < p->nqueue) {
		dropped += p->queue[p->qhead]->raw_seen;
		reply_free(p->queue[p->qhead++]);
	}
	p->qhead = p->nqueue = 0;
	reply_free(p->cur);
	p->cur = NULL;
	buf_clear(&p->line);
	p->line_seen = 0;
	p->last[0] = p->last[1] = 0;
	return dropped;
}

void reply_parser_free(struct reply_parser *p)
{
	if (p == NULL)
		return;
	reply_parser_reset(p);
	free(p->queue);
	buf_free(&p->line);
	free(p);
}

bool reply_has_defect(const struct reply *r, enum reply_defect_kind kind)
{
	size_t i;

	for (i = 0; i < r->ndefects; i++)
		if (r->defects[i].kind == kind)
			return true;
	return false;
}

/* Records the first occurrence of each kind; later ones are counted. */
static void reply_add_defect(struct reply *r, enum reply_defect_kind kind,
			     size_t line)
{
	r->defects_seen++;
	if (reply_has_defect(r, kind) || r->ndefects >= REPLY_MAX_DEFECTS)
		return;
	r->defects[r->ndefects].kind = kind;
	r->defects[r->ndefects].line = line;
	r->ndefects++;
}

static struct reply *reply_new(void)
{
	struct reply *r = xcalloc(1, sizeof *r);

	r->code = -1;
	r->raw = xmemdup("", 0);
	return r;
}

/* Room kept in raw for a reply's last line, which is never dropped. */
#define REPLY_LAST_LINE_ROOM (REPLY_MAX_LINE + 2)

static void reply_add_raw(struct reply *r, const char *data, size_t n)
{
	r->raw = xrealloc(r->raw, r->raw_len + n + 1);
	memcpy(r->raw + r->raw_len, data, n);
	r->raw_len += n;
	r->raw[r->raw_len] = '\0';
}

/* Decides whether a non-final line is kept.  Once one line is dropped,
 * every later one but the last is too, so the dropped lines are one range
 * the user can be told about exactly. */
static bool reply_keep_line(struct reply *r, size_t bytes, size_t lineno)
{
	if (r->dropped_first)
		return false;
	if (r->nlines >= REPLY_MAX_LINES - 1) {
		reply_add_defect(r, REPLY_DEFECT_TOO_MANY_LINES, lineno);
		return false;
	}
	if (r->raw_len + bytes > REPLY_MAX_BYTES - REPLY_LAST_LINE_ROOM) {
		reply_add_defect(r, REPLY_DEFECT_TOO_BIG, lineno);
		return false;
	}
	return true;
}

/* Keeps one line (its text after the code, and its bytes in raw: the kept
 * bytes and the terminator it came with), or counts it as dropped. */
static void reply_store_line(struct reply *r, struct reply_line *rl,
			     const char *s, size_t len, size_t off,
			     const char *term, size_t wire, bool last)
{
	size_t lineno = r->lines_seen;

	if (!last && !reply_keep_line(r, len + strlen(term), lineno)) {
		if (!r->dropped_first)
			r->dropped_first = lineno;
		r->dropped_last = lineno;
		r->dropped_bytes += wire;
		return;
	}
	reply_add_raw(r, s, len);
	reply_add_raw(r, term, strlen(term));
	rl->text = xmemdup(s + off, len - off);
	rl->len = len - off;
	r->lines = xrealloc(r->lines, (r->nlines + 1) * sizeof *r->lines);
	r->lines[r->nlines++] = *rl;
}

static int digit(char c)
{
	return (c >= '0' && c <= '9') ? c - '0' : -1;
}

/* Reads 1-3 digits without a leading zero (RFC 3463 section 2). */
static const char *parse_num(const char *s, const char *end, int *out)
{
	int v = 0, n = 0;

	if (s >= end || digit(*s) < 0)
		return NULL;
	if (*s == '0' && s + 1 < end && digit(s[1]) >= 0)
		return NULL;
	while (s < end && digit(*s) >= 0 && n < 3) {
		v = v * 10 + digit(*s++);
		n++;
	}
	if (s < end && digit(*s) >= 0)
		return NULL;
	*out = v;
	return s;
}

static void reply_parse_enhanced(struct reply *r)
{
	const char *s, *end;
	int cls, subject, detail;

	if (r->nlines == 0)
		return;
	s = r->lines[0].text;
	end = s + r->lines[0].len;
	if (s >= end || (*s != '2' && *s != '4' && *s != '5'))
		return;
	cls = *s++ - '0';
	if (s >= end || *s++ != '.')
		return;
	if ((s = parse_num(s, end, &subject)) == NULL || s >= end || *s++ != '.')
		return;
	if ((s = parse_num(s, end, &detail)) == NULL)
		return;
	if (s < end && *s != ' ')
		return;
	r->enhanced.present = true;
	r->enhanced.cls = cls;
	r->enhanced.subject = subject;
	r->enhanced.detail = detail;
	if (r->code >= 0 && r->code / 100 != cls)
		reply_add_defect(r, REPLY_DEFECT_ENHANCED_CLASS, 1);
}

static void reply_scan_text(struct reply *r, const char *t, size_t n,
			    size_t lineno)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == 0)
			reply_add_defect(r, REPLY_DEFECT_NUL, lineno);
		else if (c >= 0x80)
			reply_add_defect(r, REPLY_DEFECT_8BIT, lineno);
		else if (c == '\r')
			reply_add_defect(r, REPLY_DEFECT_BARE_CR, lineno);
		else if ((c < 0x20 && c != '\t') || c == 0x7f)
			reply_add_defect(r, REPLY_DEFECT_CONTROL, lineno);
	}
}

static void reply_parser_complete(struct reply_parser *p)
{
	struct reply *r = p->cur;

	p->cur = NULL;
	r->valid = r->code >= 200 && r->code <= 599 && r->code / 10 % 10 <= 5;
	reply_parse_enhanced(r);
	if (p->qhead > 0 && p->qhead == p->nqueue)
		p->qhead = p->nqueue = 0;
	p->queue = xgrow(p->queue, &p->qcap, p->nqueue + 1, sizeof *p->queue);
	p->queue[p->nqueue++] = r;
}

/* Handles one line (p->line, terminator included when it had one). */
static void reply_parser_line(struct reply_parser *p, bool terminated)
{
	struct reply *r = p->cur;
	char *s = p->line.data ? p->line.data : "";
	size_t len = p->line.len, wire = p->line_seen;
	size_t lineno = r->lines_seen + 1;
	const char *term = "";
	bool truncated = p->line_seen > p->line.len;
	struct reply_line rl = { NULL, 0, -1, 0 };
	bool final = true;
	size_t off = 0;

	if (terminated) {
		bool crlf = p->line_seen >= 2 && p->last[0] == '\r';
		/* Drop the terminator from what was kept (a cut line may have
		 * lost it already). */
		if (len > 0 && s[len - 1] == '\n' && !truncated)
			len--;
		/* A line cut between its CR and LF kept the CR. */
		if (crlf && len > 0 && s[len - 1] == '\r' &&
		    p->line_seen - p->line.len <= 1)
			len--;
		term = crlf ? "\r\n" : "\n";
		if (!crlf) {
			reply_add_defect(r, REPLY_DEFECT_BARE_LF, lineno);
			wire++;
		}
	}
	if (truncated)
		reply_add_defect(r, REPLY_DEFECT_LINE_TRUNCATED, lineno);
	if (wire > REPLY_RFC_LINE_MAX)
		reply_add_defect(r, REPLY_DEFECT_LONG_LINE, lineno);

	bool digits = len >= 3 && digit(s[0]) >= 0 && digit(s[1]) >= 0 &&
		      digit(s[2]) >= 0;
	/* "2500" has no code: a four-digit number is not 250 and text. */
	bool four = digits && len > 3 && digit(s[3]) >= 0;

	if (digits && !four) {
		rl.code = digit(s[0]) * 100 + digit(s[1]) * 10 + digit(s[2]);
		if (s[0] < '2' || s[0] > '5' || s[1] > '5')
			reply_add_defect(r, REPLY_DEFECT_CODE_RANGE, lineno);
		off = 3;
		if (len == 3) {
			rl.sep = 0; /* "250" alone: legal last line, no text */
		} else if (s[3] == '-' || s[3] == ' ') {
			rl.sep = s[3];
			final = s[3] != '-';
			off = 4;
		} else {
			reply_add_defect(r, REPLY_DEFECT_NO_SEPARATOR, lineno);
		}
	} else {
		reply_add_defect(r, REPLY_DEFECT_BAD_CODE, lineno);
		/* Inside a multiline reply a line without a code is taken as a
		 * continuation, so the parser stays in step until the real last
		 * line; as a first line it can only be a reply of its own. */
		final = r->lines_seen == 0 || four;
	}
	if (r->lines_seen == 0)
		r->code = rl.code;
	else if (rl.code != r->code)
		reply_add_defect(r, REPLY_DEFECT_MIXED_CODES, lineno);

	reply_scan_text(r, s + off, len - off, lineno);
	r->lines_seen++;
	/* The last line read is always kept: the reply's end (or, cut
	 * short, the last thing the server said). */
	reply_store_line(r, &rl, s, len, off, term, p->line_seen,
			 final || !terminated);
	buf_clear(&p->line);
	p->line_seen = 0;
	p->last[0] = p->last[1] = 0;
	if (final)
		reply_parser_complete(p);
}

static void reply_parser_take(struct reply_parser *p, const char *data, size_t n)
{
	size_t room = REPLY_MAX_LINE > p->line.len ? REPLY_MAX_LINE - p->line.len : 0;

	if (p->cur == NULL)
		p->cur = reply_new();
	p->cur->raw_seen += n;
	buf_add(&p->line, data, n < room ? n : room);
	p->line_seen += n;
	if (n >= 2) {
		p->last[0] = data[n - 2];
		p->last[1] = data[n - 1];
	} else if (n == 1) {
		p->last[0] = p->last[1];
		p->last[1] = data[0];
	}
}

void reply_parser_feed(struct reply_parser *p, const char *data, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) + 1 : n;

		reply_parser_take(p, data, take);
		if (nl)
			reply_parser_line(p, true);
		data += take;
		n -= take;
	}
}

bool reply_parser_finish(struct reply_parser *p)
{
	if (p->cur == NULL)
		return false;
	/* One defect, on the line that was cut (or the last one read). */
	reply_add_defect(p->cur, REPLY_DEFECT_INCOMPLETE,
			 p->cur->lines_seen + (p->line_seen > 0));
	if (p->line_seen > 0)
		reply_parser_line(p, false);
	if (p->cur)
		reply_parser_complete(p);
	return true;
}

struct reply *reply_parser_next(struct reply_parser *p)
{
	if (p->qhead >= p->nqueue)
		return NULL;
	return p->queue[p->qhead++];
}

size_t reply_parser_pending_bytes(const struct reply_parser *p)
{
	return p->cur ? p->cur->raw_seen : 0;
}

size_t reply_parser_queued(const struct reply_parser *p)
{
	return p->nqueue - p->qhead;
}

const char *reply_enhanced_str(const struct reply *r, char *buf, size_t size)
{
	if (!r->enhanced.present) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	snprintf(buf, size, "%d.%d.%d", r->enhanced.cls, r->enhanced.subject,
		 r->enhanced.detail);
	return buf;
}

int reply_class(const struct reply *r)
{
	return r->valid ? r->code / 100 : 0;
}
