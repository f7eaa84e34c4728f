/* paste-mta: pasted text read the way the Unix MTAs write it: Postfix's
 * bounce and log lines, Sendmail's transcript, Exim's bounce and log line,
 * qmail's bounce.  Each reader finds the reply, how far it runs, and what
 * the words around it name: the server, the command, the recipient. */
#include "config.h"

#include <string.h>

#include "paste-private.h"

/* How far a clause before the reply may run (Exim's "after MAIL
 * FROM:<...> SIZE=123 BODY=8BITMIME:"), so that text with many markers
 * and no reply is not searched to its end from each of them. */
#define PASTE_MAX_CLAUSE 512

/* ---- Postfix's bounce ---- */

/* How Postfix's SMTP client quotes a server (smtp_proto.c, smtp_connect.c,
 * smtp_sasl_glue.c): the words around the server's name, then the reply. */
static const struct postfix_form {
	const char *before, *after;
	bool has_verb;
	enum smtp_verb verb;
} postfix_forms[] = {
	{ "host ", " said:", false, SMTP_V_UNKNOWN },
	{ "host ", " refused to talk to me:", true, SMTP_V_GREETING },
	{ "connect to ", ": server refused to talk to me:", true, SMTP_V_GREETING },
	{ "SASL authentication failed; server ", " said:", true, SMTP_V_AUTH },
};

/* The reply after "NAME said:" at name, or NULL; *server gets NAME. */
static const char *postfix_reply(const struct postfix_form *form, const char *name,
				 const char *end, struct span *server)
{
	const char *ne = paste_token_end(name, end), *r;
	size_t n;

	if (ne == name)
		return NULL;
	n = paste_match(ne, end, form->after);
	/* "connect to mx.example.com[192.0.2.1]: server refused ...": the
	 * colon ends the name's token. */
	if (n == 0 && ne - 1 > name && ne[-1] == ':') {
		ne--;
		n = paste_match(ne, end, form->after);
	}
	if (n == 0)
		return NULL;
	r = paste_skip_space(ne + n, end);
	if (!paste_code_at(r, end))
		return NULL;
	*server = paste_span_of(name, ne);
	return r;
}

/* Postfix starts a recipient's paragraph with its address:
 * "<x@example.com>: host ..." or "<x@example.com> (expanded from <y>):
 * host ...", the words before `at` possibly wrapped onto indented lines. */
static struct span leading_address(const struct text *t, const char *at)
{
	const char *l = paste_line_start(t, at), *p, *close, *prev;

	while (paste_is_blank(*l) && (prev = paste_prev_line(t, l)) != NULL &&
	       !paste_line_blank(prev, t->end))
		l = prev;
	p = paste_skip_blanks(l, at);
	if (p == at || *p != '<')
		return no_span;
	close = memchr(p, '>', (size_t)(at - p));
	return close ? paste_span_of(p + 1, close) : no_span;
}

bool paste_find_postfix(const struct text *t, struct found *f)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(postfix_forms); i++) {
		const struct postfix_form *form = &postfix_forms[i];
		const char *s = t->start, *at, *name, *r;

		while ((at = paste_find(s, t->end, form->before, &name)) != NULL) {
			s = name;
			if ((r = postfix_reply(form, name, t->end, &f->server)) == NULL)
				continue;
			paste_found_reply(f, PASTE_POSTFIX, r, paste_reply_end(r, t->end));
			f->recipient = leading_address(t, at);
			if (form->has_verb)
				paste_found_verb(f, form->verb);
			return true;
		}
	}
	return false;
}

/* ---- Postfix's log ---- */

/* The value of "key=" on a log line, up to a comma or a blank. */
static struct span log_field(const char *l, const char *le, const char *key)
{
	const char *a, *e;

	if (paste_find(l, le, key, &a) == NULL)
		return no_span;
	for (e = a; e < le && *e != ',' && !paste_is_blank(*e); e++)
		;
	return paste_span_of(a, e);
}

/* "relay=mx.example.com[192.0.2.1]:25" names the server (paste.c's
 * name_dup drops the port); "relay=none" none. */
static struct span log_relay(const char *l, const char *le)
{
	struct span s = log_field(l, le, "relay=");

	if (s.p == NULL || (s.end - s.p == 4 && paste_match(s.p, s.end, "none")))
		return no_span;
	return s;
}

/* The ')' closing the '(' at open, on its line.  Without one, the end of
 * the line less a ')' that ends it: the reply's own parentheses did not
 * balance ("... :-( (in reply to RCPT TO command))"). */
static const char *closing_paren(const char *open, const char *le)
{
	size_t depth = 0;

	for (const char *p = open; p < le; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return le - open > 1 && le[-1] == ')' ? le - 1 : le;
}

/* "to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, ..., dsn=5.1.1,
 * status=bounced (host mx.example.com[192.0.2.1] said: 550 ... (in reply to
 * RCPT TO command))": what the parentheses hold is a Postfix bounce line,
 * a bare reply ("status=sent (250 2.0.0 Ok: queued as 4AB)"), or Postfix's
 * own words ("connect to ...: Connection refused"), for which dsn= gives
 * the code. */
static bool log_status(const char *l, const char *le, struct found *f)
{
	const char *value, *a, *open, *r;
	struct text inner;
	struct span dsn;
	char enh[16];

	if (paste_find(l, le, "status=", &value) == NULL)
		return false;
	for (a = value; a < le && paste_is_word(*a); a++)
		;
	open = paste_skip_blanks(a, le);
	if (open == le || *open != '(')
		return false;
	inner.start = open + 1;
	inner.end = closing_paren(open, le);
	dsn = log_field(l, le, "dsn=");
	if (paste_find_postfix(&inner, f)) {
		f->format = PASTE_POSTFIX_LOG;
	} else if ((r = paste_first_reply(inner.start, inner.end)) != NULL) {
		paste_found_reply(f, PASTE_POSTFIX_LOG, r, inner.end);
		/* A delivery's "status=sent" quotes the reply to the dot. */
		if (a - value == 4 && paste_match(value, a, "sent"))
			paste_found_verb(f, SMTP_V_DOT);
	} else if (dsn.p && paste_enhanced_at(dsn.p, dsn.end, enh)) {
		f->format = PASTE_ENHANCED_ONLY;
		f->enhanced = dsn;
		f->enhanced_text = paste_span_of(inner.start, inner.end);
	} else {
		return false;
	}
	f->recipient = log_field(l, le, "to=");
	if (f->server.p == NULL)
		f->server = log_relay(l, le);
	return true;
}

/* Postfix's SMTP server refusing a client: "NOQUEUE: reject: RCPT from
 * unknown[192.0.2.1]: 550 5.1.1 <x@example.com>: Recipient address
 * rejected: ...; from=<a@example.org> to=<x@example.com> proto=ESMTP
 * helo=<h>".  The named host is the client, not a server: none is set. */
static bool log_reject(const char *l, const char *le, struct found *f)
{
	const char *a, *client, *r, *stop;
	enum smtp_verb v;
	size_t n, m;

	if (paste_find(l, le, "reject: ", &a) == NULL || !paste_verb_at(a, le, &v, &n) ||
	    (m = paste_match(a + n, le, " from ")) == 0)
		return false;
	client = a + n + m;
	r = paste_token_end(client, le);
	if (r == client || r[-1] != ':')
		return false;
	r = paste_skip_blanks(r, le);
	if (!paste_code_at(r, le))
		return false;
	stop = paste_find(r, le, "; from=<", NULL);
	paste_found_reply(f, PASTE_POSTFIX_LOG, r, stop ? stop : le);
	paste_found_verb(f, v);
	f->recipient = log_field(l, le, "to=");
	return true;
}

bool paste_find_postfix_log(const struct text *t, struct found *f)
{
	for (const char *l = t->start; l < t->end; l = paste_next_line(l, t->end)) {
		const char *le = paste_line_end(l, t->end);

		if (log_status(l, le, f) || log_reject(l, le, f))
			return true;
	}
	return false;
}

/* ---- Sendmail's transcript ---- */

/* Where the code starts on a "<<< 550 ..." line, or NULL. */
static const char *transcript_code(const char *l, const char *le)
{
	const char *s = paste_skip_blanks(l, le);

	if (le - s < 3 || memcmp(s, "<<<", 3) != 0)
		return NULL;
	s = paste_skip_blanks(s + 3, le);
	return paste_code_at(s, le) ? s : NULL;
}

/* The command on a ">>> RCPT To:<x@example.com>" line (at its ">>>"). */
static void transcript_verb(const char *cmd, struct found *f)
{
	struct span line = paste_line_trimmed(cmd + 3, f->reply.p);
	const char *colon;
	enum smtp_verb v;

	if (line.end - line.p == 1 && line.p[0] == '.') {
		paste_found_verb(f, SMTP_V_DOT);
		return;
	}
	if (!paste_verb_at(line.p, line.end, &v, NULL))
		return;
	paste_found_verb(f, v);
	colon = memchr(line.p, ':', (size_t)(line.end - line.p));
	if (v == SMTP_V_RCPT && colon)
		f->recipient = paste_address_at(colon + 1, line.end);
}

/* Sendmail's bounce without the transcript: "(reason: 550 5.1.1 ...)"
 * under the recipient. */
static bool sendmail_reason(const struct text *t, struct found *f)
{
	const char *s = t->start, *at, *a;

	while ((at = paste_find(s, t->end, "(reason: ", &a)) != NULL) {
		const char *le = paste_line_end(a, t->end);

		s = a;
		if (!paste_code_at(a, le))
			continue;
		paste_found_reply(f, PASTE_SENDMAIL, a, closing_paren(at, le));
		return true;
	}
	return false;
}

/* The end of the "<<<" lines of one reply that starts at l: "<<< 550-...",
 * ..., "<<< 550 ...". */
static const char *transcript_end(const char *l, const char *end)
{
	const char *le = paste_line_end(l, end), *c = transcript_code(l, le);

	while (c + 3 < le && c[3] == '-' && le < end) {
		const char *nl = le + 1, *nle = paste_line_end(nl, end);

		if ((c = transcript_code(nl, nle)) == NULL)
			break;
		le = nle;
	}
	return le;
}

/* "... while talking to mx.example.com.:", ">>> RCPT To:<x@example.com>",
 * "<<< 550 5.1.1 <x@example.com>... User unknown".  The <<< lines are the
 * server's reply, the last >>> line before them its command.  A
 * transcript may show a 354 before the refusal of the message, so the
 * first error reply is taken.  A line without <<< after them ("554 5.0.0
 * Service unavailable") is Sendmail's own summary: not the server's. */
bool paste_find_sendmail(const struct text *t, struct found *f)
{
	const char *cmd = NULL, *pick = NULL, *pick_end = NULL, *pick_cmd = NULL;
	const char *talk, *a, *l;

	for (l = t->start; l < t->end; l = paste_next_line(l, t->end)) {
		const char *le = paste_line_end(l, t->end), *s = paste_skip_blanks(l, le), *c;

		if (le - s >= 3 && memcmp(s, ">>>", 3) == 0) {
			cmd = s;
			continue;
		}
		if ((c = transcript_code(l, le)) == NULL)
			continue;
		if (pick == NULL || *c >= '4') {
			pick = l;
			pick_end = transcript_end(l, t->end);
			pick_cmd = cmd;
		}
		if (*c >= '4')
			break;
		l = paste_line_start(t, transcript_end(l, t->end));
	}
	if (pick == NULL)
		return sendmail_reason(t, f);
	paste_found_reply(f, PASTE_SENDMAIL, pick, pick_end);
	f->transcript = true;
	if ((talk = paste_find_last(t->start, pick, "while talking to ", &a)) != NULL)
		f->server = paste_span_of(a, paste_line_end(a, pick));
	if (pick_cmd)
		transcript_verb(pick_cmd, f);
	else if (talk)
		paste_found_verb(f, SMTP_V_GREETING); /* a reply before any command */
	return true;
}

/* ---- Exim's ---- */

static const char *const exim_markers[] = {
	"SMTP error from remote mail server after ",
	"SMTP error from remote mailer after ",
	"SMTP error from remote server after ",
};

/* Exim's "host NAME [ADDRESS]" (its log's "H=NAME [ADDRESS]"), at the
 * name.  The address in brackets is required: it tells a name from
 * words. */
static struct span exim_host(const char *p, const char *end)
{
	const char *ne = paste_token_end(p, end), *b = paste_skip_blanks(ne, end), *close;

	if (ne == p || b == ne || b == end || *b != '[')
		return no_span;
	close = memchr(b, ']', paste_min_len(b, paste_line_end(b, end), 64));
	return close ? paste_span_of(p, close + 1) : no_span;
}

/* The server named before the marker: "host NAME [ADDRESS]" on the line
 * before ("  x@example.com\n    host mx.example.com [192.0.2.1]\n    SMTP
 * error ..."), or "H=NAME [ADDRESS]" earlier on a log line. */
static struct span exim_host_before(const struct text *t, const char *at)
{
	const char *ls = paste_line_start(t, at), *from = paste_prev_line(t, ls), *a;
	struct span s;

	if (paste_find_last(from ? from : ls, at, "host ", &a) && (s = exim_host(a, at)).p)
		return s;
	if (paste_find_last(ls, at, "H=", &a) && (s = exim_host(a, at)).p)
		return s;
	return no_span;
}

/* After "SMTP error from remote mail server after ": the command ("RCPT
 * TO:<x@example.com>", "MAIL FROM:<a@example.org> SIZE=1543", "pipelined
 * DATA", "end of data", "initial connection", "EHLO mx.example.org"), a
 * colon, perhaps "host NAME [ADDRESS]:" (older Exims), and the reply. */
static bool exim_after(const struct text *t, const char *at, const char *p, struct found *f)
{
	const char *end = t->end, *q = p, *stop, *colon, *r;
	struct span rcpt = no_span, server = no_span;
	enum smtp_verb v = SMTP_V_UNKNOWN;
	bool has_verb;
	size_t n;

	q += paste_match(q, end, "pipelined ");
	has_verb = paste_verb_at(q, end, &v, &n);
	if (has_verb)
		q += n;
	/* The address's brackets may hold a colon: skip them. */
	if (q < end && *q == ':') {
		const char *a = paste_skip_space(q + 1, end), *close;

		if (a < end && *a == '<' &&
		    (close = memchr(a, '>', paste_min_len(a, end, PASTE_MAX_NAME))) != NULL) {
			if (has_verb && v == SMTP_V_RCPT)
				rcpt = paste_span_of(a + 1, close);
			q = close + 1;
		}
	}
	stop = q + paste_min_len(q, end, PASTE_MAX_CLAUSE);
	for (colon = q; colon < stop; colon++)
		if (*colon == ':' && (colon + 1 == end || paste_is_space(colon[1])))
			break;
	if (colon == stop)
		return false;
	r = paste_skip_space(colon + 1, end);
	if ((n = paste_match(r, end, "host ")) != 0 && (server = exim_host(r + n, end)).p) {
		r = paste_skip_blanks(server.end, end);
		if (r == end || *r != ':')
			return false;
		r = paste_skip_space(r + 1, end);
	}
	if (!paste_code_at(r, end))
		return false;
	paste_found_reply(f, PASTE_EXIM, r, paste_reply_end(r, end));
	f->server = server.p ? server : exim_host_before(t, at);
	f->recipient = rcpt;
	paste_lines_before(t, paste_line_start(t, at), f);
	if (has_verb)
		paste_found_verb(f, v);
	return true;
}

bool paste_find_exim(const struct text *t, struct found *f)
{
	const char *s, *at, *p;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(exim_markers); i++)
		for (s = t->start; (at = paste_find(s, t->end, exim_markers[i], &p)) != NULL; s = p)
			if (exim_after(t, at, p, f))
				return true;
	/* "host mx.example.com [192.0.2.1]: 550 ..." on its own. */
	for (s = t->start; (at = paste_find(s, t->end, "host ", &p)) != NULL; s = p) {
		struct span server = exim_host(p, t->end);
		const char *r;

		if (server.p == NULL)
			continue;
		r = paste_skip_blanks(server.end, t->end);
		if (r == t->end || *r != ':')
			continue;
		r = paste_skip_space(r + 1, t->end);
		if (!paste_code_at(r, t->end))
			continue;
		paste_found_reply(f, PASTE_EXIM, r, paste_reply_end(r, t->end));
		f->server = server;
		return true;
	}
	return false;
}

/* ---- qmail's ---- */

/* qmail-remote's sentences before "Remote host said:" (qmail-remote.c):
 * "192.0.2.1 does not like recipient.", "Connected to 192.0.2.1 but
 * greeting failed." ... */
static const struct qmail_marker {
	const char *words;
	bool host_first;   /* "HOST does not ...", else "Connected to HOST but ..." */
	enum smtp_verb verb;
} qmail_markers[] = {
	{ " does not like recipient.", true, SMTP_V_RCPT },
	{ " does not like sender.", true, SMTP_V_MAIL },
	{ " failed on DATA command", true, SMTP_V_DATA },
	{ " failed after I sent the message", true, SMTP_V_DOT },
	{ " but greeting failed", false, SMTP_V_GREETING },
	{ " but my name was rejected", false, SMTP_V_HELO },
	{ " but sender was rejected", false, SMTP_V_MAIL },
};

/* The host that a qmail marker at `at` names, or none. */
static struct span qmail_host(const struct text *t, const struct qmail_marker *m,
			      const char *at)
{
	const char *ls = paste_line_start(t, at), *h, *a;

	if (m->host_first) {
		for (h = at; h > ls && !paste_is_space(h[-1]); h--)
			;
		return h < at ? paste_span_of(h, at) : no_span;
	}
	if (paste_find_last(ls, at, "Connected to ", &a) == NULL || paste_token_end(a, at) != at ||
	    a == at)
		return no_span;
	return paste_span_of(a, at);
}

/* "<x@example.com>:" on one of the two lines before l. */
static struct span address_line_before(const struct text *t, const char *l)
{
	for (int i = 0; i < 2 && (l = paste_prev_line(t, l)) != NULL; i++) {
		struct span s = paste_line_trimmed(l, t->end);

		if (s.p < s.end && s.end[-1] == ':')
			s.end--;
		if (s.p < s.end && *s.p == '<' && s.end[-1] == '>' && paste_address_shaped(s))
			return paste_span_of(s.p + 1, s.end - 1);
	}
	return no_span;
}

/* "Remote host said: 550 ..." (qmail-remote), or "remote host 192.0.2.1
 * said: 550 ..." (a patched one's "Sorry, no SMTP connection got far
 * enough; most progress was RCPT TO response; remote host ..."). */
static const char *qmail_said(const struct text *t, const char **marker, struct span *server)
{
	const char *s = t->start, *at, *a, *r;

	while ((at = paste_find(s, t->end, "remote host ", &a)) != NULL) {
		const char *te = paste_token_end(a, t->end);
		size_t n;

		s = a;
		*server = no_span;
		if ((n = paste_match(a, t->end, "said:")) != 0) {
			r = paste_skip_space(a + n, t->end);
		} else if (te > a && (n = paste_match(te, t->end, " said:")) != 0) {
			*server = paste_span_of(a, te);
			r = paste_skip_space(te + n, t->end);
		} else {
			continue;
		}
		if (paste_code_at(r, t->end)) {
			*marker = at;
			return r;
		}
	}
	return NULL;
}

/* Where the paragraph that p is in starts: after a blank line. */
static const char *para_start(const struct text *t, const char *p)
{
	const char *l = paste_line_start(t, p), *prev;

	while ((prev = paste_prev_line(t, l)) != NULL && !paste_line_blank(prev, t->end))
		l = prev;
	return l;
}

bool paste_find_qmail(const struct text *t, struct found *f)
{
	const char *said, *r, *best = NULL, *a, *para;
	const struct qmail_marker *bm = NULL;
	struct span server;
	enum smtp_verb v;

	if ((r = qmail_said(t, &said, &server)) == NULL)
		return false;
	paste_found_reply(f, PASTE_QMAIL, r, paste_reply_end(r, t->end));
	/* The sentences of this recipient's paragraph, not an earlier one's. */
	para = para_start(t, said);
	for (size_t i = 0; i < UTIL_ARRAY_LEN(qmail_markers); i++) {
		const char *at = paste_find_last(para, said, qmail_markers[i].words, NULL);

		if (at && (best == NULL || at > best)) {
			best = at;
			bm = &qmail_markers[i];
		}
	}
	if (bm) {
		paste_found_verb(f, bm->verb);
		if (server.p == NULL)
			server = qmail_host(t, bm, best);
	} else if (paste_find_last(para, said, "most progress was ", &a) &&
		   paste_verb_at(a, said, &v, NULL)) {
		paste_found_verb(f, v);
	}
	if (server.p == NULL && paste_find(r, paste_para_end(r, t->end), "Giving up on ", &a))
		server = paste_span_of(a, paste_token_end(a, t->end));
	f->server = server;
	f->recipient = address_line_before(t, paste_line_start(t, best ? best : said));
	return true;
}
