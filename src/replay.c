/* replay: parse a saved session or a command list; compare replies. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/printer.h"
#include "smtpscope/replay.h"
#include "smtpscope/util.h"
#include "smtpscope/i18n.h"

static void replay_add(struct replay *r, char *line, char *expected)
{
	r->steps = xrealloc(r->steps, (r->n + 1) * sizeof *r->steps);
	r->steps[r->n].line = line;
	r->steps[r->n].expected = expected;
	r->n++;
}

/* Undoes util_escape for what a client sends: \\, \t, \r, \n, \xHH. */
static char *replay_unescape(const char *p, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\' || i + 1 >= n) {
			buf_addc(&b, p[i]);
			continue;
		}
		i++;
		if (p[i] == 't')
			buf_addc(&b, '\t');
		else if (p[i] == 'x' && i + 2 < n + 0 && strchr("0123456789abcdefABCDEF", p[i + 1]) &&
			 strchr("0123456789abcdefABCDEF", p[i + 2])) {
			char hex[3] = { p[i + 1], p[i + 2], 0 };
			buf_addc(&b, (char)strtol(hex, NULL, 16));
			i += 2;
		} else if (p[i] == 'r' || p[i] == 'n') {
			/* a line ending: not part of the line */
		} else {
			buf_addc(&b, p[i]);
		}
	}
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

/* The value of the JSON string starting at p (after its quote), JSON
 * escapes undone (the \\u forms util_json_string writes for controls are
 * left out: escaped text holds none). */
static char *replay_json_string(const char **pp)
{
	const char *p = *pp;
	struct buf b;

	buf_init(&b);
	while (*p && *p != '"') {
		if (*p == '\\' && p[1]) {
			p++;
			buf_addc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p);
			p++;
		} else {
			buf_addc(&b, *p++);
		}
	}
	*pp = *p ? p + 1 : p;
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

/* The first element of the "lines" array of one JSONL event, or NULL. */
static char *replay_json_first_line(const char *ev)
{
	const char *p = strstr(ev, "\"lines\":[\"");

	if (p == NULL)
		return NULL;
	p += 10;
	return replay_json_string(&p);
}

/* Walks a saved session: kind/line pairs in order.  A reply's first line
 * is the expectation of the last step sent, if nothing was sent since. */
static void replay_event(struct replay *r, bool sent, char *text, bool *open)
{
	if (sent) {
		if (strcmp(text, "***") == 0 || (util_istarts(text, "AUTH ") && strstr(text, " ***"))) {
			r->skipped++;
			*open = false;
			free(text);
			return;
		}
		replay_add(r, text, NULL);
		*open = true;
	} else if (*open && r->n > 0) {
		r->steps[r->n - 1].expected = text;
		*open = false;
	} else {
		free(text);
	}
}

static void replay_parse_jsonl(struct replay *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool open = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *ev = xmemdup(p, (size_t)((nl ? nl : end) - p));
		bool sent = strstr(ev, "\"kind\":\"sent\"") != NULL;
		bool reply = strstr(ev, "\"kind\":\"reply\"") != NULL;
		char *first = (sent || reply) ? replay_json_first_line(ev) : NULL;

		if (first && sent) {
			char *raw = replay_unescape(first, strlen(first));

			free(first);
			first = raw;
		}
		if (first)
			replay_event(r, sent, first, &open);
		free(ev);
		p = nl ? nl + 1 : end;
	}
}

/* A saved transcript read back line by line: what the printer says each
 * line is (whatever time or "(insecure) " precedes its marker). */
static void replay_parse_txt(struct replay *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool open = false, reply_seen = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct printer_line line;

		if (printer_parse(p, n, &line)) {
			const char *body = p + line.body;
			size_t bn = n - line.body;

			if (line.kind == PRINTER_SENT) {
				replay_event(r, true, replay_unescape(body, bn), &open);
				reply_seen = false;
			} else if (line.kind == PRINTER_REPLY && !reply_seen) {
				replay_event(r, false, xmemdup(body, bn), &open);
				reply_seen = true; /* only a reply's first line */
			} else if (line.kind == PRINTER_EXPLAIN) {
				reply_seen = false; /* the next reply line starts another reply */
			}
		}
		p = nl ? nl + 1 : end;
	}
}

/* A saved transcript has lines the client sent; a command list has none
 * the printer would mark so. */
static bool replay_is_transcript(const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct printer_line line;

		if (printer_parse(p, (size_t)((nl ? nl : end) - p), &line) && line.kind == PRINTER_SENT)
			return true;
		p = nl ? nl + 1 : end;
	}
	return false;
}

/* Saved sessions hold message lines as sent, dot-stuffed; the replay
 * types them again, so the stuffing dot goes (RFC 5321 4.5.2). */
static void replay_unstuff(struct replay *r)
{
	bool in_message = false;

	for (size_t i = 0; i < r->n; i++) {
		char *line = r->steps[i].line;

		if (in_message && strcmp(line, ".") == 0)
			in_message = false;
		else if (in_message && line[0] == '.')
			memmove(line, line + 1, strlen(line));
		else if (!in_message && r->steps[i].expected &&
			 strncmp(r->steps[i].expected, "354", 3) == 0)
			in_message = true;
	}
}

static void replay_parse_list(struct replay *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char *line = xmemdup(p, n);

		util_chomp(line, n);
		if (line[0] == '\0' || line[0] == '#')
			free(line);
		else
			replay_add(r, line, NULL);
		p = nl ? nl + 1 : end;
	}
}

bool replay_parse(struct replay *r, const char *name, const char *text, size_t len,
		  char **err)
{
	size_t nl = strlen(name);

	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	if (nl > 6 && util_strieq(name + nl - 6, ".jsonl")) {
		replay_parse_jsonl(r, text, len);
		replay_unstuff(r);
	} else if (replay_is_transcript(text, len)) {
		replay_parse_txt(r, text, len);
		replay_unstuff(r);
	} else
		replay_parse_list(r, text, len);
	if (r->n == 0) {
		*err = xasprintf(_("%s: no commands to replay"), name);
		replay_free(r);
		return false;
	}
	return true;
}

void replay_free(struct replay *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->steps[i].line);
		free(r->steps[i].expected);
	}
	free(r->steps);
	free(r->name);
	memset(r, 0, sizeof *r);
}

bool replay_check(struct replay *r, struct session *s)
{
	const struct replay_step *st = &r->steps[r->next - 1];
	const struct session_event *got = NULL;
	char *now;
	bool differ;

	r->running = false;
	if (st->expected == NULL)
		return false;
	for (size_t i = r->mark; i < session_count(s) && got == NULL; i++)
		if (session_get(s, i)->kind == SESSION_REPLY)
			got = session_get(s, i);
	r->compared++;
	if (got == NULL) {
		r->differences++;
		session_text(s, SESSION_WARN, _("replay step %zu (%s): saved \"%s\", now no reply"),
			     r->next, st->line, st->expected);
		return true;
	}
	now = util_escape_dup(got->raw, strcspn(got->raw, "\r\n"));
	differ = strncmp(now, st->expected, 3) != 0;
	if (differ) {
		r->differences++;
		session_text(s, SESSION_WARN, _("replay step %zu (%s): saved \"%s\", now \"%s\""),
			     r->next, st->line, st->expected, now);
	} else if (strcmp(now, st->expected) != 0) {
		session_text(s, SESSION_NOTE, _("replay step %zu: the same code, other text (saved \"%s\")"),
			     r->next, st->expected);
	}
	free(now);
	return differ;
}
