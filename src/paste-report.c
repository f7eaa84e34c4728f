/* paste-report: pasted text read the way the mail services' reports write
 * it: Microsoft's non-delivery report, Gmail's bounce, RFC 3464's
 * Diagnostic-Code; and, in no wording known, the first reply code that
 * starts a word, or an enhanced code alone. */
#include "config.h"

#include <string.h>

#include "paste-private.h"

/* ---- Microsoft's ---- */

/* "<mx.example.com #5.0.0 smtp; 550 5.1.1 User unknown>": the reply
 * after "smtp;", the server before '#'.  *r gets the reply's start. */
static bool ms_angle(const char *c, const char *end, const char **r, struct span *server)
{
	const char *le = paste_line_end(c, end), *a, *sm, *hash;

	if (c == end || *c != '<')
		return false;
	sm = paste_find(c, c + paste_min_len(c, le, PASTE_MAX_NAME), "smtp;", &a);
	if (sm == NULL)
		return false;
	*r = paste_skip_blanks(a, le);
	if (!paste_code_at(*r, le))
		return false;
	hash = memchr(c, '#', (size_t)(sm - c));
	*server = paste_line_trimmed(c + 1, hash ? hash : c + 1);
	if (server->p == server->end)
		*server = no_span;
	return true;
}

/* The quote closing "Remote Server returned '...": the first one that
 * ends a line (the reply's own apostrophes, "it's", do not), else the
 * paragraph's last, else the paragraph's end. */
static const char *closing_quote(const char *c, const char *pe, char q)
{
	const char *last = NULL;

	for (const char *p = c; p < pe; p++) {
		if (*p != q)
			continue;
		last = p;
		if (paste_skip_blanks(p + 1, pe) == paste_line_end(p, pe))
			return p;
	}
	return last ? last : pe;
}

/* "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not
 * found'", "Remote Server returned '<mx.example.com #5.0.0 smtp; 550 ...>'",
 * "Remote Server at mx.example.com (192.0.2.1) returned '...'". */
static bool ms_returned(const struct text *t, struct found *f)
{
	const char *s = t->start, *end = t->end, *at, *p;

	while ((at = paste_find(s, end, "Remote Server ", &p)) != NULL) {
		const char *c, *r, *close;
		struct span server = no_span, angle_server;
		bool angle = false;
		size_t n;

		s = p;
		if ((n = paste_match(p, end, "at ")) != 0) {
			const char *le = paste_line_end(p, end);
			const char *stop = p + n + paste_min_len(p + n, le, PASTE_MAX_NAME);
			const char *ret = paste_find(p + n, stop, "returned", NULL);

			if (ret == NULL)
				continue;
			server = paste_line_trimmed(p + n, ret);
			p = ret;
		}
		if ((n = paste_match(p, end, "returned")) == 0)
			continue;
		c = paste_skip_blanks(p + n, end);
		if (c == end || (*c != '\'' && *c != '"'))
			continue;
		r = c + 1;
		if (!paste_code_at(r, end)) {
			if (!ms_angle(c + 1, end, &r, &angle_server))
				continue;
			angle = true;
			if (angle_server.p)
				server = angle_server;
		}
		close = closing_quote(r, paste_para_end(r, end), *c);
		while (close > r && paste_is_space(close[-1]))
			close--;
		if (angle && close > r && close[-1] == '>')
			close--;
		paste_found_reply(f, PASTE_MICROSOFT, r, close);
		f->server = server;
		paste_lines_before(t, paste_line_start(t, at), f);
		return true;
	}
	return false;
}

/* Exchange 2007's "#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##",
 * "mx.example.com #550 5.1.1 User unknown ##" and Exchange 2003's
 * "#< #5.1.1 smtp;550 5.1.1 User unknown> #SMTP#", each on a line. */
static bool ms_hash(const struct text *t, struct found *f)
{
	for (const char *l = t->start; l < t->end; l = paste_next_line(l, t->end)) {
		struct span line = paste_line_trimmed(l, t->end), server = no_span;
		const char *hash = memchr(line.p, '#', (size_t)(line.end - line.p));
		const char *r, *e;

		if (hash == NULL)
			continue;
		if (hash > line.p) {
			server = paste_line_trimmed(line.p, hash);
			if (!paste_host_shaped(server))
				continue;
		}
		r = hash + 1;
		if (paste_code_at(r, line.end)) {
			e = paste_find(r, line.end, "##", NULL);
			e = e ? e : line.end;
		} else if (ms_angle(r, line.end, &r, &server)) {
			/* The wrapper's '>', not one the reply holds. */
			for (e = line.end; e > r && e[-1] != '>'; e--)
				;
			e = e > r ? e - 1 : line.end;
		} else {
			continue;
		}
		while (e > r && paste_is_blank(e[-1]))
			e--;
		paste_found_reply(f, PASTE_MICROSOFT, r, e);
		f->server = server;
		paste_lines_before(t, l, f);
		return true;
	}
	return false;
}

bool paste_find_microsoft(const struct text *t, struct found *f)
{
	return ms_returned(t, f) || ms_hash(t, f);
}

/* ---- Gmail's ---- */

static const char *const gmail_markers[] = {
	"The error that the other server returned was:",
	"The response from the remote server was:",
	"The response was:",
};

/* Gmail names the server before its words: "... rejected by the server
 * for the recipient domain example.com by mx.example.com. [192.0.2.1]." */
static struct span gmail_server(const struct text *t, const char *at)
{
	const char *s = t->start, *by, *a;
	struct span last = no_span;

	while ((by = paste_find(s, at, "by ", &a)) != NULL) {
		const char *ne = paste_token_end(a, at), *b = paste_skip_blanks(ne, at), *close;
		struct span name = paste_span_of(a, ne);

		s = a;
		if (name.end > name.p && name.end[-1] == '.')
			name.end--;
		if (b == at || *b != '[' || !paste_host_shaped(name))
			continue;
		close = memchr(b, ']', paste_min_len(b, at, 64));
		if (close)
			last = paste_span_of(a, close + 1);
	}
	return last;
}

bool paste_find_gmail(const struct text *t, struct found *f)
{
	for (size_t i = 0; i < UTIL_ARRAY_LEN(gmail_markers); i++) {
		const char *s = t->start, *at, *a;

		while ((at = paste_find(s, t->end, gmail_markers[i], &a)) != NULL) {
			const char *r = paste_skip_space(a, t->end);

			s = a;
			if (!paste_code_at(r, t->end))
				continue;
			paste_found_reply(f, PASTE_GMAIL, r, paste_reply_end(r, t->end));
			f->server = gmail_server(t, at);
			return true;
		}
	}
	return false;
}

/* ---- RFC 3464's ---- */

/* "Diagnostic-Code: smtp; 550 5.1.1 ..." with folded lines, or "smtp; 550
 * ..." (any case) quoted alone.  The type is usually smtp; whatever it
 * is, a reply code after it is a reply. */
bool paste_find_dsn(const struct text *t, struct found *f)
{
	const char *s, *at, *a;

	for (s = t->start; (at = paste_find(s, t->end, "Diagnostic-Code:", &a)) != NULL; s = a) {
		const char *r = paste_skip_blanks(a, t->end);
		const char *le = paste_line_end(r, t->end);
		const char *semi = memchr(r, ';', paste_min_len(r, le, 32));

		if (semi)
			r = paste_skip_space(semi + 1, t->end);
		if (paste_code_at(r, t->end)) {
			paste_found_reply(f, PASTE_DSN, r, paste_reply_end(r, t->end));
			return true;
		}
	}
	for (s = t->start; (at = paste_find(s, t->end, "smtp;", &a)) != NULL; s = a) {
		const char *r = paste_skip_space(a, t->end);

		if (paste_code_at(r, t->end)) {
			paste_found_reply(f, PASTE_DSN, r, paste_reply_end(r, t->end));
			return true;
		}
	}
	return false;
}

/* ---- anything else ---- */

/* The first enhanced code alone: at the start of a line ("5.7.3
 * Authentication unsuccessful") or after a colon, a semicolon, a quote or
 * '(' (.NET's "The server response was: 5.7.0 Authentication Required.").
 * After a word it is more likely a version or some other number. */
static const char *first_enhanced(const struct text *t, const char **code_end)
{
	char enh[16];

	for (const char *s = t->start; s + 1 < t->end; s++) {
		const char *b = s;
		size_t n;

		if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
			continue;
		while (paste_is_blank(b[-1]))
			b--;
		if (b[-1] != '\n' && !paste_is_opener(b[-1]))
			continue;
		if ((n = paste_enhanced_at(s, t->end, enh)) != 0) {
			*code_end = s + n;
			return s;
		}
	}
	return NULL;
}

/* "<x@example.com>: 550 ..." or "x@example.com: 550 ...": a failed
 * address alone before the reply on its line (MXLogic's and OpenSMTPD's
 * bounces). */
static struct span address_colon(const struct text *t, const char *r)
{
	struct span s = paste_line_trimmed(paste_line_start(t, r), r);

	if (s.p == s.end || s.end[-1] != ':')
		return no_span;
	s.end--;
	return paste_address_shaped(s) ? paste_address_at(s.p, s.end) : no_span;
}

/* The first reply code that starts a word, to the end of its paragraph;
 * or an enhanced code alone, if that comes first. */
bool paste_find_bare(const struct text *t, struct found *f)
{
	const char *r = paste_first_reply(t->start, t->end), *ce = NULL;
	const char *e = first_enhanced(t, &ce);

	if (e && (r == NULL || e < r)) {
		const char *te = paste_skip_blanks(ce, t->end);

		f->format = PASTE_ENHANCED_ONLY;
		f->enhanced = paste_span_of(e, ce);
		f->enhanced_text = paste_span_of(te, paste_para_end(te, t->end));
		return true;
	}
	if (r == NULL)
		return false;
	paste_found_reply(f, PASTE_REPLY, r, paste_para_end(r, t->end));
	f->recipient = address_colon(t, r);
	return true;
}
