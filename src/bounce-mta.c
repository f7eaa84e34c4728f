/* bounce-mta: a bounce's human-readable text, read the way the software
 * its wording names writes it (Postfix, Exim, qmail, Sendmail, Microsoft,
 * Gmail, Yahoo, Courier, OpenSMTPD), else the way any bounce does.  The
 * format is known by its wording; its locator finds each recipient's
 * block of text, its analyser reads in the block the server's words, the
 * remote host and the command they answered. */
#include "config.h"

#include <string.h>

#include "bounce-private.h"

#define WORD_MAX 16             /* a command's name ("STARTTLS") */
#define LIST_TOKENS_MAX 6       /* words on a line that names a recipient */
#define BLOCK_MAX (8u * 1024)   /* bytes of text read about one recipient */
#define TRANSCRIPT_MAX (32u * 1024)  /* of a session transcript, read for each */

/* ---- the commands that replies answered ---- */

#define NAMED SMTP_V__COUNT  /* a row whose command is the word after it */

/* Searched in this order, so a specific row comes before the general
 * one it is a case of. */
static const struct {
	const char *phrase;
	enum smtp_verb verb;
} verb_phrases[] = {
	/* Postfix: "(in reply to RCPT TO command)", "refused to talk to me" */
	{ "in reply to end of DATA command", SMTP_V_DOT },
	{ "in reply to ", NAMED },
	{ "refused to talk to me", SMTP_V_GREETING },
	{ "while receiving the initial server greeting", SMTP_V_GREETING },
	{ "while sending end of data", SMTP_V_DOT },
	{ "while sending ", NAMED },
	/* Exim: "SMTP error from remote mail server after RCPT TO:<x>:" */
	{ "after end of data", SMTP_V_DOT },
	{ "after pipelined end of data", SMTP_V_DOT },
	{ "after initial connection", SMTP_V_GREETING },
	{ "after pipelined ", NAMED },
	{ "from remote mail server after ", NAMED },
	{ "from remote mailer after ", NAMED },
	{ "SMTP timeout after ", NAMED },
	/* qmail: "192.0.2.1 does not like recipient." */
	{ "does not like recipient", SMTP_V_RCPT },
	{ "does not like sender", SMTP_V_MAIL },
	{ "failed on DATA command", SMTP_V_DATA },
	{ "failed after I sent the message", SMTP_V_DOT },
	{ "but greeting failed", SMTP_V_GREETING },
	{ "but sender was rejected", SMTP_V_MAIL },
	{ "but my name was rejected", SMTP_V_HELO },
	{ "most progress was ", NAMED },
	/* Yahoo: "550 5.1.1 <x>... User Unknown [RCPT_TO]" */
	{ "[RCPT_TO]", SMTP_V_RCPT },
	{ "[MAIL_FROM]", SMTP_V_MAIL },
};

/* The command named at the start of s ("RCPT TO:<x>", "MAIL FROM",
 * "DATA"); sets e's verb if it is one. */
static bool verb_word(struct entry *e, struct span s)
{
	char w[WORD_MAX];
	size_t i = 0, n = 0;
	enum smtp_verb v;

	while (i < s.n && bounce_is_space(s.p[i]))
		i++;
	while (i < s.n && bounce_is_alpha(s.p[i]) && n < WORD_MAX - 1)
		w[n++] = s.p[i++];
	if (n == 0 || (i < s.n && bounce_is_alpha(s.p[i])))
		return false;
	w[n] = '\0';
	v = smtp_verb_of(w);
	if (v == SMTP_V_UNKNOWN)
		return false;
	e->has_verb = true;
	e->verb = v;
	return true;
}

void bounce_verb_in(struct entry *e, struct span s)
{
	size_t end;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(verb_phrases) && !e->has_verb; i++) {
		if (!bounce_find_phrase(s, 0, verb_phrases[i].phrase, NULL, &end))
			continue;
		if (verb_phrases[i].verb != NAMED) {
			e->has_verb = true;
			e->verb = verb_phrases[i].verb;
		} else {
			verb_word(e, bounce_span_sub(s, end, s.n));
		}
	}
}

/* ---- reading a recipient's block of text ---- */

/* Shortens b to n bytes, and the white space before. */
static void buf_cut(struct buf *b, size_t n)
{
	while (n && bounce_is_space(b->data[n - 1]))
		n--;
	if (b->data) {
		b->len = n;
		b->data[n] = '\0';
	}
}

/* Cuts b where phrase starts: what a bounce adds after the server's
 * words (Postfix's "(in reply to RCPT TO command)", Yahoo's "[RCPT_TO]"). */
static void cut_at(struct buf *b, const char *phrase)
{
	size_t at;

	if (bounce_find_phrase(bounce_span_of_buf(b), 0, phrase, &at, NULL))
		buf_cut(b, at);
}

enum upto {
	UPTO_PARA,        /* to the next empty line: a wrapped paragraph */
	UPTO_LINE,        /* the line, and those after it that start with a
			   * reply code: qmail's lines are the server's */
	UPTO_TRANSCRIPT,  /* the line, and the "<<< " lines after it */
};

/* Appends the reply that starts at offset at in s (perhaps on the next
 * line), joined into one line, to the empty out. */
static void take_reply(struct buf *out, struct span s, size_t at, enum upto upto)
{
	size_t pos = at;
	struct span line;
	bool first = true;

	while (pos < s.n && bounce_is_space(s.p[pos]))
		pos++;
	while (bounce_next_line(s, &pos, &line)) {
		struct span t = bounce_trim(line);

		if (!first) {
			if (t.n == 0 || (upto == UPTO_LINE && !bounce_reply_code_at(t, 0)) ||
			    (upto == UPTO_TRANSCRIPT && !bounce_span_istarts(t, "<<<")))
				break;
			if (upto == UPTO_TRANSCRIPT)
				t = bounce_trim(bounce_span_sub(t, 3, t.n));
		}
		first = false;
		if (t.n) {
			if (out->len)
				buf_addc(out, ' ');
			buf_add(out, t.p, t.n);
		}
	}
}

/* Whether the word before s[at] is "client": a blocklist's "Client host
 * [192.0.2.1] blocked" names the sender's host, not the remote one. */
static bool after_client(struct span s, size_t at)
{
	while (at > 0 && bounce_is_space(s.p[at - 1]))
		at--;
	return at >= 6 && bounce_span_ieq_lit(bounce_span_sub(s, at - 6, at), "client") &&
	       (at == 6 || !bounce_is_alnum(s.p[at - 7]));
}

/* The host named after phrase in s: "host mx.example.com[192.0.2.1]",
 * Exim's "host mx.example.com [192.0.2.1]:", into e->remote if it has
 * none.  Occurrences naming no host ("Host or domain name not found")
 * are passed over. */
static bool take_host(struct entry *e, struct span s, const char *phrase)
{
	size_t from = 0, at, end;

	while (e->remote.len == 0 && bounce_find_phrase(s, from, phrase, &at, &end)) {
		struct span h = bounce_strip_tail(bounce_token_at(s, end), ":;,.");
		size_t k = end + h.n;

		from = end;
		if (!bounce_host_ok(h) || after_client(s, at))
			continue;
		buf_add(&e->remote, h.p, h.n);
		while (k < s.n && bounce_in_set(s.p[k], ".:,"))
			k++;
		while (k < s.n && bounce_is_wsp(s.p[k]))
			k++;
		if (k < s.n && s.p[k] == '[') {
			struct span a = bounce_token_at(s, k);
			const char *close = memchr(a.p, ']', a.n);

			if (close) {
				buf_addc(&e->remote, ' ');
				buf_add(&e->remote, a.p, (size_t)(close - a.p) + 1);
			}
		}
	}
	return e->remote.len > 0;
}

/* qmail's "192.0.2.1 does not like recipient.": the host before phrase. */
static void take_host_before(struct entry *e, struct span s, const char *phrase)
{
	size_t at, i;

	if (e->remote.len || !bounce_find_phrase(s, 0, phrase, &at, NULL))
		return;
	while (at > 0 && bounce_is_space(s.p[at - 1]))
		at--;
	for (i = at; i > 0 && !bounce_is_space(s.p[i - 1]); i--)
		;
	if (bounce_host_ok(bounce_span_sub(s, i, at)))
		buf_add(&e->remote, s.p + i, at - i);
}

/* qmail's own code: "... (#5.1.1)". */
static void take_hint(struct entry *e, struct span s)
{
	size_t end, n;

	if (bounce_find_phrase(s, 0, "(#", NULL, &end) && (n = bounce_enhanced_at(s, end)) != 0)
		bounce_copy_code(e->hint, s, end, n);
}

/* A session transcript (Sendmail's, Courier's): the first "<<< " reply,
 * the command the ">>> " line before it sent. */
static bool take_transcript(struct entry *e, struct span blk)
{
	size_t pos = 0;
	struct span line, cmd = { "", 0 };

	while (bounce_next_line(blk, &pos, &line)) {
		struct span t = bounce_trim(line);

		if (bounce_span_istarts(t, ">>>")) {
			cmd = bounce_span_sub(t, 3, t.n);
		} else if (bounce_span_istarts(t, "<<<")) {
			take_reply(&e->diag, blk, (size_t)(t.p - blk.p) + 3, UPTO_TRANSCRIPT);
			verb_word(e, cmd);
			return true;
		}
	}
	return false;
}

typedef void analyse_fn(struct entry *e, struct span blk);

/* Postfix: "host mx.example.com[192.0.2.1] said: 550 5.1.1 ... (in reply
 * to RCPT TO command)", "... refused to talk to me: 554 ...", or its own
 * words ("mail for example.com loops back to myself"). */
static void analyse_postfix(struct entry *e, struct span blk)
{
	size_t end;

	if (!take_host(e, blk, "host "))
		take_host(e, blk, "connect to ");
	if (bounce_find_phrase(blk, 0, "said:", NULL, &end) ||
	    bounce_find_phrase(blk, 0, "refused to talk to me:", NULL, &end))
		take_reply(&e->diag, blk, end, UPTO_PARA);
	else
		take_reply(&e->diag, blk, 0, UPTO_PARA);
	cut_at(&e->diag, "(in reply to ");
	bounce_verb_in(e, blk);
}

/* Exim: "host mx.example.com [192.0.2.1]", "SMTP error from remote mail
 * server after RCPT TO:<x>:", then the reply, in either order; or its
 * own words ("Unrouteable address"). */
static void analyse_exim(struct entry *e, struct span blk)
{
	size_t from = 0, at;

	take_host(e, blk, "host ");
	if (bounce_find_phrase(blk, 0, "SMTP error from remote mail", NULL, &at))
		from = at;
	if (bounce_find_reply_code(blk, from, &at))
		take_reply(&e->diag, blk, at, UPTO_PARA);
	else
		take_reply(&e->diag, blk, 0, UPTO_PARA);
	bounce_verb_in(e, blk);
}

/* qmail and Yahoo ("192.0.2.1 does not like recipient." / "Remote host
 * said: 550 ..."), Courier's transcript. */
static void analyse_lines(struct entry *e, struct span blk)
{
	size_t end;

	if (!take_transcript(e, blk)) {
		if (bounce_find_phrase(blk, 0, "Remote host said:", NULL, &end) ||
		    bounce_find_phrase(blk, 0, "said:", NULL, &end))
			take_reply(&e->diag, blk, end, UPTO_LINE);
		else
			take_reply(&e->diag, blk, 0, UPTO_PARA);
	}
	take_host_before(e, blk, "does not like ");
	if (!take_host(e, blk, "Connected to "))
		take_host(e, blk, "remote host ");
	take_hint(e, blk);
	bounce_verb_in(e, blk);
	cut_at(&e->diag, "[RCPT_TO]");
	cut_at(&e->diag, "[MAIL_FROM]");
}

/* Sendmail's list: "<x@example.com>" then "(reason: 550 ...)" and
 * "(expanded from: <y>)"; the transcript is read later. */
static void analyse_sendmail(struct entry *e, struct span blk)
{
	size_t end;

	if (bounce_find_phrase(blk, 0, "(reason:", NULL, &end)) {
		struct buf *d = &e->diag;
		int depth = 1;

		take_reply(d, blk, end, UPTO_PARA);
		for (size_t i = 0; i < d->len; i++) {  /* to the ')' that closes it */
			depth += d->data[i] == '(' ? 1 : d->data[i] == ')' ? -1 : 0;
			if (depth == 0) {
				buf_cut(d, i);
				break;
			}
		}
	}
	if (bounce_find_phrase(blk, 0, "(expanded from:", NULL, &end)) {
		struct span o = bounce_span_sub(blk, end, blk.n);
		const char *close = memchr(o.p, ')', o.n);

		if (close)
			e->original = bounce_strip_angle(bounce_span_sub(o, 0, (size_t)(close - o.p)));
	}
}

/* A line that is "#550 5.1.1 ... ##" (Exchange 2007's). */
static bool hash_reply(struct span blk, size_t *at)
{
	size_t pos = 0;
	struct span line;

	while (bounce_next_line(blk, &pos, &line)) {
		struct span t = bounce_trim(line);

		if (t.n > 1 && t.p[0] == '#' && bounce_reply_code_at(t, 1)) {
			*at = (size_t)(t.p - blk.p) + 1;
			return true;
		}
	}
	return false;
}

/* Microsoft: "Remote Server returned '550 5.1.1 ...'" or "#550 5.1.1 ...
 * ##", the remote server perhaps alone on a line above it (Office 365);
 * else the reason given in words. */
static void analyse_microsoft(struct entry *e, struct span blk)
{
	size_t end, at, reply = blk.n, pos = 0, start;
	struct span line;
	struct buf *d = &e->diag;

	if (bounce_find_phrase(blk, 0, "Remote Server returned", &at, &end)) {
		reply = at;
		take_reply(d, blk, end, UPTO_PARA);
		if (d->len && d->data[0] == '\'')
			buf_consume(d, 1);
		for (size_t i = d->len; i > 0; i--)
			if (d->data[i - 1] == '\'') {
				buf_cut(d, i - 1);
				break;
			}
	} else if (hash_reply(blk, &at)) {
		reply = at;
		take_reply(d, blk, at, UPTO_PARA);
		cut_at(d, "##");
	} else {
		take_reply(d, blk, 0, UPTO_PARA);
	}
	while (start = pos, bounce_next_line(blk, &pos, &line) && start < reply) {
		struct span t = bounce_trim(line);

		if (bounce_host_ok(t) && bounce_count_tokens(t) == 1 && !memchr(t.p, '@', t.n) && t.p[t.n - 1] != ':') {
			buf_add(&e->remote, t.p, t.n);
			break;
		}
	}
}

/* Gmail: the details for every recipient named above them.  "The error
 * that the other server returned was: 550 ...", newer "The response from
 * the remote server was:" and the reply on the next line. */
static void analyse_gmail(struct entry *e, struct span blk)
{
	static const char *const intro[] = {
		"The error that the other server returned was:",
		"The response from the remote server was:",
		"The response was:",
		NULL,
	};
	size_t end, from = 0;
	struct span line;

	if (bounce_find_any(blk, intro, NULL, &end)) {
		take_reply(&e->diag, blk, end, UPTO_PARA);
	} else {
		/* no reply quoted: the reason, below "Technical details of
		 * temporary failure:" */
		if (bounce_find_phrase(blk, 0, "Technical details of", NULL, &from))
			bounce_next_line(blk, &from, &line);
		take_reply(&e->diag, blk, from, UPTO_PARA);
	}
	/* "rejected by the server for the recipient domain example.com by
	 * mx.example.com. [192.0.2.1]." */
	if (bounce_find_phrase(blk, 0, "recipient domain ", NULL, &end)) {
		size_t after = end + bounce_token_at(blk, end).n;

		if (bounce_phrase_at(blk, after, " by ", &end))
			take_host(e, bounce_span_sub(blk, after, blk.n), "by ");
	}
	bounce_verb_in(e, blk);
}

/* Any other bounce: the shapes above, tried in turn. */
void bounce_analyse_generic(struct entry *e, struct span blk)
{
	static const char *const intro[] = {
		"Remote Server returned", "said:", "returned was:", "remote server was:",
		"The response was:", NULL,
	};
	size_t end, at;

	if (!take_transcript(e, blk)) {
		if (bounce_find_any(blk, intro, NULL, &end))
			take_reply(&e->diag, blk, end, UPTO_PARA);
		else if (bounce_find_reply_code(blk, 0, &at))
			take_reply(&e->diag, blk, at, UPTO_PARA);
		else
			take_reply(&e->diag, blk, 0, UPTO_PARA);
		cut_at(&e->diag, "(in reply to ");
	}
	take_host(e, blk, "host ");
	take_hint(e, blk);
	bounce_verb_in(e, blk);
	cut_at(&e->diag, "[RCPT_TO]");
	cut_at(&e->diag, "[MAIL_FROM]");
}

/* ---- finding each recipient's block in the text ---- */

/* A recipient's block, being gathered: the lines after its address, to
 * an empty line or the next address. */
struct hit {
	struct span addr, original;
	size_t start, end;      /* offsets of the block in the text */
	bool open, delayed;
};

static bool full(const struct ctx *c)
{
	return c->text_rcpts.n == BOUNCE_MAX_RCPTS;
}

static void hit_close(struct ctx *c, struct span t, struct hit *h, analyse_fn *fn)
{
	struct entry e;

	if (!h->open)
		return;
	h->open = false;
	/* named again: the first block stands */
	if (full(c) || bounce_entries_find(&c->text_rcpts, h->addr))
		return;
	bounce_entry_init(&e);
	e.addr = h->addr;
	e.original = h->original;
	e.delayed = h->delayed;
	fn(&e, bounce_span_sub(t, h->start, h->end - h->start > BLOCK_MAX ? h->start + BLOCK_MAX : h->end));
	if (!bounce_entries_push(&c->text_rcpts, &e))
		bounce_entry_free(&e);
}

static void hit_open(struct ctx *c, struct span t, struct hit *h, analyse_fn *fn,
		     struct span addr, struct span original, size_t start)
{
	hit_close(c, t, h, fn);
	*h = (struct hit){ addr, original, start, start, true, false };
}

/* "<x@example.com>: ..." or "<x@example.com> (expanded from
 * <y@example.com>): ..." opening a line; *rest gets the offset past the
 * colon. */
static bool angle_line(struct span line, struct span *addr, struct span *orig, size_t *rest)
{
	const char *gt = line.n ? memchr(line.p, '>', line.n) : NULL;
	size_t i, end;

	if (gt == NULL || line.p[0] != '<')
		return false;
	*addr = bounce_span_sub(line, 1, (size_t)(gt - line.p));
	*orig = bounce_span_sub(line, 0, 0);
	if (!bounce_is_address(*addr))
		return false;
	i = (size_t)(gt - line.p) + 1;
	if (bounce_phrase_at(line, i, " (expanded from <", &end)) {
		const char *close = memchr(line.p + end, '>', line.n - end);

		if (close == NULL || close + 1 >= line.p + line.n || close[1] != ')')
			return false;
		*orig = bounce_span_sub(line, end, (size_t)(close - line.p));
		i = (size_t)(close - line.p) + 2;
	}
	while (i < line.n && bounce_is_wsp(line.p[i]))
		i++;
	if (i >= line.n || line.p[i] != ':')
		return false;
	*rest = i + 1;
	return true;
}

/* Postfix, qmail, Yahoo, Courier: each recipient opens a line in angle
 * brackets; its block runs to an empty line. */
static void locate_angle(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start, rest;
	struct span line, addr, orig;

	while (start = pos, bounce_next_line(t, &pos, &line)) {
		if (angle_line(line, &addr, &orig, &rest))
			hit_open(c, t, &h, fn, addr, orig, start + rest);
		else if (bounce_blank(line))
			hit_close(c, t, &h, fn);
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* "x@example.com: 550 ..." opening a line (OpenSMTPD's). */
static void locate_bare(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start;
	struct span line;

	while (start = pos, bounce_next_line(t, &pos, &line)) {
		const char *colon = line.n ? memchr(line.p, ':', line.n) : NULL;
		struct span a = colon ? bounce_span_sub(line, 0, (size_t)(colon - line.p)) : line;

		if (colon && bounce_is_address(a))
			hit_open(c, t, &h, fn, a, bounce_span_sub(a, 0, 0), start + a.n + 1);
		else if (bounce_blank(line) || !bounce_is_wsp(line.p[0]))
			hit_close(c, t, &h, fn);
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* An Exim list line, indented: "  x@example.com", "  x@example.com:",
 * MXLogic's "  <x@example.com>: 550 ...".  *indent gets its indentation. */
static bool exim_line(struct span line, struct span *addr, size_t *rest, size_t *indent)
{
	size_t i = 0, j;

	while (i < line.n && bounce_is_wsp(line.p[i]))
		i++;
	if (i == 0 || i >= line.n)
		return false;
	*indent = i;
	if (line.p[i] == '<') {
		const char *gt = memchr(line.p + i, '>', line.n - i);

		if (gt == NULL)
			return false;
		*addr = bounce_span_sub(line, i + 1, (size_t)(gt - line.p));
		j = (size_t)(gt - line.p) + 1;
	} else {
		for (j = i; j < line.n && !bounce_is_space(line.p[j]) && line.p[j] != ':'; j++)
			;
		*addr = bounce_span_sub(line, i, j);
	}
	if (!bounce_is_address(*addr))
		return false;
	while (j < line.n && bounce_is_wsp(line.p[j]))
		j++;
	if (j < line.n && line.p[j] != ':')
		return false;
	*rest = j < line.n ? j + 1 : j;
	return true;
}

/* Exim: after "The following address(es) failed:", each address indented
 * on a line, the lines about it indented more below (where an address
 * may come again: "SMTP error ... after RCPT TO:\n    <x@example.com>:"). */
static void locate_exim(struct ctx *c, struct span t, analyse_fn *fn)
{
	static const char *const intro[] = {
		"failed:", "not yet been delivered is:", "not yet been delivered are:", NULL,
	};
	struct hit h = { .open = false };
	size_t pos = 0, start, rest, end, indent, list_indent = 0;
	struct span line, addr;

	if (bounce_find_any(t, intro, NULL, &end)) {
		pos = end;
		bounce_next_line(t, &pos, &line);
	}
	while (start = pos, bounce_next_line(t, &pos, &line)) {
		if (exim_line(line, &addr, &rest, &indent) && (list_indent == 0 || indent <= list_indent)) {
			list_indent = indent;
			hit_open(c, t, &h, fn, addr, bounce_span_sub(addr, 0, 0), start + rest);
		} else if (bounce_blank(line)) {
			hit_close(c, t, &h, fn);
		} else if (!bounce_is_wsp(line.p[0])) {
			hit_close(c, t, &h, fn);
			if (c->text_rcpts.n)
				break;
		}
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* Paragraphs whose first line names a recipient, alone on it or (not
 * alone) with a display name ("Neko<mailto:x@example.com>"): the rest of
 * the paragraph is its block.  Microsoft's layout. */
static void locate_paragraphs(struct ctx *c, struct span t, bool alone, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start;
	struct span line, addr;
	bool first = true;

	while (start = pos, bounce_next_line(t, &pos, &line)) {
		if (bounce_blank(line)) {
			hit_close(c, t, &h, fn);
			first = true;
			continue;
		}
		if (first) {
			struct span l = bounce_trim(line);
			bool named = alone ? bounce_is_address(addr = bounce_strip_angle(l))
					   : bounce_address_in(l, &addr) && bounce_count_tokens(l) <= LIST_TOKENS_MAX;

			if (named)
				hit_open(c, t, &h, fn, addr, bounce_span_sub(addr, 0, 0), start + line.n);
		}
		first = false;
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

static void locate_microsoft(struct ctx *c, struct span t, analyse_fn *fn)
{
	static const char *const lists[] = {
		"Delivery has failed to these recipients or",
		"Delivery is delayed to these recipients or",
		"Delivery to the following recipients failed",
		"rejected your message to the following",
		NULL,
	};
	size_t end;

	/* the section for administrators has the servers' words */
	if (bounce_find_phrase(t, 0, "Diagnostic information for administrators", NULL, &end))
		locate_paragraphs(c, bounce_span_sub(t, end, t.n), true, fn);
	if (c->text_rcpts.n == 0 && bounce_find_any(t, lists, NULL, &end))
		locate_paragraphs(c, bounce_span_sub(t, end, t.n), false, fn);
}

/* Gmail: "Delivery to the following recipient failed permanently:", the
 * addresses one a line, then the details for all of them; or "Your
 * message wasn't delivered to x@example.com because ...". */
static void locate_gmail(struct ctx *c, struct span t, analyse_fn *fn)
{
	size_t pos, start, list, end, at;
	struct span line, a, details;
	struct hit h = { .open = false };
	struct entry all, e;

	if (bounce_find_phrase(t, 0, "Delivery to the following recipient", NULL, &end)) {
		pos = end;
		bounce_next_line(t, &pos, &line);
		list = end = pos;
		while (start = pos, bounce_next_line(t, &pos, &line)) {
			if (bounce_blank(line) && end == list)
				continue;
			if (!bounce_is_address(bounce_strip_angle(line)))
				break;
			end = pos;
		}
		/* one reading of the details, for all of them */
		details = bounce_span_sub(t, end, end + BLOCK_MAX);
		bounce_entry_init(&all);
		fn(&all, details);
		for (pos = list; start = pos, bounce_next_line(t, &pos, &line) && start < end;) {
			a = bounce_strip_angle(line);
			if (!bounce_is_address(a) || full(c) || bounce_entries_find(&c->text_rcpts, a))
				continue;
			bounce_entry_init(&e);
			e.addr = a;
			bounce_entry_fill(&e, &all);
			if (!bounce_entries_push(&c->text_rcpts, &e))
				bounce_entry_free(&e);
		}
		bounce_entry_free(&all);
	} else if (bounce_find_phrase(t, 0, "wasn't delivered to ", &at, &end)) {
		a = bounce_strip_tail(bounce_token_at(t, end), ".,");
		if (bounce_is_address(a)) {
			h = (struct hit){ a, bounce_span_sub(a, 0, 0), 0, t.n - at, true, false };
			hit_close(c, bounce_span_sub(t, at, t.n), &h, fn);
		}
	}
}

/* Sendmail: "----- The following addresses had permanent fatal errors
 * -----" (or "transient non-fatal": delayed), each address on a line and
 * its reason indented below; then the transcript of the session. */
static void locate_sendmail_list(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct hit h = { .open = false };
	size_t pos = 0, start;
	struct span line;
	bool in_list = false, delayed = false;

	while (start = pos, bounce_next_line(t, &pos, &line)) {
		if (bounce_find_phrase(line, 0, "The following addresses had", NULL, NULL)) {
			hit_close(c, t, &h, fn);
			in_list = true;
			delayed = bounce_find_phrase(line, 0, "transient", NULL, NULL);
			continue;
		}
		if (!in_list)
			continue;
		if (bounce_blank(line) || bounce_find_phrase(line, 0, "-----", NULL, NULL)) {
			hit_close(c, t, &h, fn);
			in_list = false;
			continue;
		}
		if (!bounce_is_wsp(line.p[0])) {
			hit_open(c, t, &h, fn, bounce_strip_angle(line), bounce_span_sub(line, 0, 0), start + line.n);
			h.delayed = delayed;
		}
		if (h.open)
			h.end = start + line.n;
	}
	hit_close(c, t, &h, fn);
}

/* Recipients the transcript names in Sendmail's own lines, when there
 * is no list: "550 5.1.1 <x@example.com>... User unknown". */
static void sendmail_named(struct ctx *c, struct span tr)
{
	size_t pos = 0, at;
	struct span line;

	while (bounce_next_line(tr, &pos, &line) && !full(c)) {
		struct span t = bounce_trim(line), a;
		size_t i;
		struct entry e;

		if (bounce_span_istarts(t, ">>>") || bounce_span_istarts(t, "<<<") || bounce_span_istarts(t, "...") ||
		    !bounce_find_phrase(t, 0, "... ", &at, NULL))
			continue;
		for (i = at; i > 0 && !bounce_is_space(t.p[i - 1]); i--)
			;
		a = bounce_strip_angle(bounce_span_sub(t, i, at));
		if (!bounce_is_address(a) || bounce_entries_find(&c->text_rcpts, a))
			continue;
		bounce_entry_init(&e);
		e.addr = a;
		e.delayed = bounce_find_phrase(t, 0, "Deferred", NULL, NULL);
		buf_add(&e.diag, t.p, t.n);
		if (!bounce_entries_push(&c->text_rcpts, &e))
			bounce_entry_free(&e);
	}
}

/* Whether the exchange (cmd, reply) is the one that refused e: on pass 0
 * its command names e's address; on pass 1 its reply is the one e's
 * reason quotes (Sendmail abbreviates long ones); on pass 2, e is the
 * only recipient and this is the first exchange. */
static bool exchange_is(const struct entry *e, int pass, struct span cmd, struct span reply, bool only)
{
	size_t n;

	switch (pass) {
	case 0:
		return bounce_span_ifind(cmd, e->addr) < cmd.n;
	case 1:
		n = e->diag.len < reply.n ? e->diag.len : reply.n;
		if (n > 32)
			n = 32;
		return n >= 3 && bounce_span_ieq(bounce_span_sub(bounce_span_of_buf(&e->diag), 0, n),
						 bounce_span_sub(reply, 0, n));
	default:
		return only;
	}
}

/* The transcript: "... while talking to mx.example.com.:", ">>> RCPT
 * To:<x>", "<<< 550 5.1.1 ...": e's exchange gives the server's words in
 * full, the command, and the host. */
static void sendmail_exchange(struct entry *e, struct span tr, bool only)
{
	for (int pass = 0; pass < 3; pass++) {
		struct span line, cmd = { "", 0 }, host = { "", 0 };
		size_t pos = 0, end;

		while (bounce_next_line(tr, &pos, &line)) {
			struct span t = bounce_trim(line);

			if (bounce_find_phrase(t, 0, "while talking to ", NULL, &end)) {
				host = bounce_strip_tail(bounce_token_at(t, end), ":.");
			} else if (bounce_span_istarts(t, ">>>")) {
				cmd = bounce_trim(bounce_span_sub(t, 3, t.n));
			} else if (bounce_span_istarts(t, "<<<") &&
				   exchange_is(e, pass, cmd, bounce_trim(bounce_span_sub(t, 3, t.n)), only)) {
				buf_clear(&e->diag);
				take_reply(&e->diag, tr, (size_t)(t.p - tr.p) + 3, UPTO_TRANSCRIPT);
				verb_word(e, cmd);
				if (e->remote.len == 0 && bounce_host_ok(host))
					buf_add(&e->remote, host.p, host.n);
				return;
			}
		}
	}
}

static void locate_sendmail(struct ctx *c, struct span t, analyse_fn *fn)
{
	struct span tr = bounce_span_sub(t, t.n, t.n);
	size_t end;

	if (bounce_find_phrase(t, 0, "Transcript of session follows", NULL, &end))
		tr = bounce_span_sub(t, end, end + TRANSCRIPT_MAX);
	locate_sendmail_list(c, t, fn);
	if (c->text_rcpts.n == 0)
		sendmail_named(c, tr);
	for (size_t i = 0; i < c->text_rcpts.n; i++)
		sendmail_exchange(&c->text_rcpts.v[i], tr, c->text_rcpts.n == 1);
}

static struct span lower_text(struct ctx *c)
{
	if (!c->low_made) {
		buf_add(&c->low, c->text.data, c->text.len);
		for (size_t i = 0; i < c->low.len; i++)
			c->low.data[i] = bounce_lower(c->low.data[i]);
		c->low_made = true;
	}
	return bounce_span_of_buf(&c->low);
}

/* The block about address a in text that names it in no format known
 * here: from after its first mention to the end of that paragraph, or
 * the next paragraph if nothing follows it there. */
bool bounce_block_after(struct ctx *c, struct span a, struct span *blk)
{
	struct span t = bounce_span_of_buf(&c->text), line;
	size_t at, pos, start, from, to;
	bool seen = false;

	if (!bounce_find_address(t, lower_text(c), a, &at))
		return false;
	from = to = pos = at + a.n;
	while (start = pos, bounce_next_line(t, &pos, &line) && to - from < BLOCK_MAX) {
		if (bounce_blank(line)) {
			if (seen)
				break;
			continue;
		}
		if (!bounce_blank(bounce_span_sub(t, start > from ? start : from, start + line.n)))
			seen = true;
		to = start + line.n;
	}
	*blk = bounce_span_sub(t, from, to);
	return true;
}

/* The addresses of X-Failed-Recipients (Exim's, Gmail's), each read
 * where the text names it. */
static void locate_failed_header(struct ctx *c, analyse_fn *fn)
{
	struct span v, blk;
	size_t i = 0;

	buf_clear(&c->failed_hdr);
	if (!bounce_header_get(c->hdr, "X-Failed-Recipients", &c->failed_hdr))
		return;
	v = bounce_span_of_buf(&c->failed_hdr);
	while (i < v.n && !full(c)) {
		size_t j = i;
		struct span a;
		struct entry e;

		while (j < v.n && v.p[j] != ',')
			j++;
		a = bounce_strip_angle(bounce_span_sub(v, i, j));
		i = j + 1;
		if (!bounce_is_address(a) || bounce_entries_find(&c->text_rcpts, a))
			continue;
		bounce_entry_init(&e);
		e.addr = a;
		if (bounce_block_after(c, a, &blk))
			fn(&e, blk);
		if (!bounce_entries_push(&c->text_rcpts, &e))
			bounce_entry_free(&e);
	}
}

static void locate_generic(struct ctx *c, struct span t, analyse_fn *fn)
{
	locate_angle(c, t, fn);
	if (c->text_rcpts.n == 0)
		locate_bare(c, t, fn);
	if (c->text_rcpts.n == 0)
		locate_failed_header(c, fn);
}

/* The formats, known by their wording, in the order tried: Gmail before
 * Microsoft, whose "Delivery to the following recipients failed." starts
 * Gmail's plural. */
static const struct text_format {
	enum bounce_format format;
	const char *signs[7];   /* any one marks the format; NULL-ended */
	void (*locate)(struct ctx *c, struct span t, analyse_fn *fn);
	analyse_fn *analyse;
} text_formats[] = {
	{ BOUNCE_POSTFIX,
	  { "This is the mail system at host", "This is the Postfix program at host", NULL },
	  locate_angle, analyse_postfix },
	{ BOUNCE_QMAIL,
	  { "This is the qmail-send program", "I'm afraid I wasn't able to deliver your message", NULL },
	  locate_angle, analyse_lines },
	{ BOUNCE_YAHOO,
	  { "Sorry, we were unable to deliver your message to the following address", NULL },
	  locate_angle, analyse_lines },
	{ BOUNCE_EXIM,
	  { "This message was created automatically by mail delivery software", NULL },
	  locate_exim, analyse_exim },
	{ BOUNCE_SENDMAIL,
	  { "Transcript of session follows", "The following addresses had permanent fatal errors",
	    "The following addresses had transient non-fatal errors", NULL },
	  locate_sendmail, analyse_sendmail },
	{ BOUNCE_GMAIL,
	  { "Delivery to the following recipient failed permanently",
	    "Delivery to the following recipients failed permanently",
	    "Delivery to the following recipient has been delayed",
	    "Technical details of permanent failure", "Technical details of temporary failure",
	    "The response from the remote server was:", NULL },
	  locate_gmail, analyse_gmail },
	{ BOUNCE_MICROSOFT,
	  { "Diagnostic information for administrators", "Delivery has failed to these recipients",
	    "Delivery is delayed to these recipients", "Delivery to the following recipients failed",
	    NULL },
	  locate_microsoft, analyse_microsoft },
	{ BOUNCE_OTHER, { "running the Courier mail server", NULL }, locate_angle, analyse_lines },
	{ BOUNCE_OTHER,  /* OpenSMTPD */
	  { "please DO NOT REPLY to this e-mail",
	    "An error has occurred while attempting to deliver a message", NULL },
	  locate_bare, bounce_analyse_generic },
};

/* Wording that makes a text bounce a warning, not a failure. */
static const char *const delay_signs[] = {
	"THIS IS A WARNING",                      /* Postfix, Sendmail */
	"not yet been delivered",                 /* Exim */
	"Delivery to the following recipient has been delayed",  /* Gmail */
	"Technical details of temporary failure",
	"Delivery is delayed to these recipients",               /* Microsoft */
	NULL,
};

/* Where the text names the MTA that wrote it. */
static const char *const reporting_signs[] = {
	"This is the mail system at host ", "This is the Postfix program at host ",
	"This is the qmail-send program at ", "Generating server: ",
	"This is a delivery status notification from ", NULL,
};

/* A message with no wording known here is still read as a bounce when
 * its header says it is one. */
static bool looks_like_bounce(const struct ctx *c)
{
	static const char *const from_signs[] = { "MAILER-DAEMON", "postmaster", "Mail Delivery", NULL };
	static const char *const subject_signs[] = {
		"Undeliver", "Delivery Status Notification", "Returned mail", "Mail delivery failed",
		"failure notice", "Delivery failure", "Delivery Notification", "could not be delivered",
		"Delivery has failed", "Non remis", NULL,
	};
	struct buf v;
	bool yes;

	buf_init(&v);
	yes = bounce_header_get(c->hdr, "X-Failed-Recipients", &v);
	buf_clear(&v);
	yes = yes || (bounce_header_get(c->hdr, "From", &v) &&
		      bounce_find_any(bounce_span_of_buf(&v), from_signs, NULL, NULL));
	buf_clear(&v);
	yes = yes || (bounce_header_get(c->hdr, "Subject", &v) &&
		      bounce_find_any(bounce_span_of_buf(&v), subject_signs, NULL, NULL));
	buf_clear(&v);
	yes = yes || (bounce_header_get(c->hdr, "Return-Path", &v) &&
		      bounce_span_ieq_lit(bounce_trim(bounce_span_of_buf(&v)), "<>"));
	buf_free(&v);
	return yes;
}

void bounce_locate_text(struct ctx *c)
{
	struct span t = bounce_span_of_buf(&c->text);
	const struct text_format *f = NULL;
	size_t end;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(text_formats) && f == NULL; i++)
		if (bounce_find_any(t, text_formats[i].signs, NULL, NULL))
			f = &text_formats[i];
	if (f) {
		c->text_format = f->format;
		f->locate(c, t, f->analyse);
	}
	if (c->text_rcpts.n == 0 && (f || looks_like_bounce(c)))
		locate_generic(c, t, bounce_analyse_generic);
	if (bounce_find_any(t, delay_signs, NULL, NULL))
		for (size_t i = 0; i < c->text_rcpts.n; i++)
			c->text_rcpts.v[i].delayed = true;
	if (bounce_find_any(t, reporting_signs, NULL, &end))
		c->text_reporting = bounce_strip_tail(bounce_token_at(t, end), ".,:");
}
