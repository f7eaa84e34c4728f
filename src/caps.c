/* caps: EHLO keyword parsing.
 *
 * RFC 5321 4.1.1.1: ehlo-line = ehlo-keyword *( SP ehlo-param ), keyword
 * = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-").  Keywords are case-insensitive.
 * Some old servers (and still some today) write "AUTH=LOGIN PLAIN", a
 * pre-standard form that clients accept as AUTH. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/util.h"
#include "smtpscope/i18n.h"

static const char *const cap_names[CAP__COUNT] = {
	[CAP_OTHER] = NULL,
	[CAP_SIZE] = "SIZE",
	[CAP_AUTH] = "AUTH",
	[CAP_STARTTLS] = "STARTTLS",
	[CAP_PIPELINING] = "PIPELINING",
	[CAP_8BITMIME] = "8BITMIME",
	[CAP_SMTPUTF8] = "SMTPUTF8",
	[CAP_CHUNKING] = "CHUNKING",
	[CAP_BINARYMIME] = "BINARYMIME",
	[CAP_DSN] = "DSN",
	[CAP_ENHANCEDSTATUSCODES] = "ENHANCEDSTATUSCODES",
	[CAP_REQUIRETLS] = "REQUIRETLS",
	[CAP_VRFY] = "VRFY",
	[CAP_ETRN] = "ETRN",
	[CAP_HELP] = "HELP",
	[CAP_DELIVERBY] = "DELIVERBY",
	[CAP_MTRK] = "MTRK",
};

const char *caps_name(enum cap_id id)
{
	if ((int)id <= 0 || id >= CAP__COUNT)
		return NULL;
	return cap_names[id];
}

static enum cap_id caps_lookup(const char *kw)
{
	int i;

	for (i = 1; i < CAP__COUNT; i++)
		if (strcmp(cap_names[i], kw) == 0)
			return (enum cap_id)i;
	return CAP_OTHER;
}

void caps_init(struct caps *c)
{
	memset(c, 0, sizeof *c);
}

void caps_free(struct caps *c)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		for (j = 0; j < c->items[i].argc; j++)
			free(c->items[i].argv[j]);
		free(c->items[i].argv);
		free(c->items[i].keyword);
		free(c->items[i].params);
	}
	free(c->items);
	free(c->domain);
	free(c->greet);
	caps_init(c);
}

static void cap_split(struct cap *cap)
{
	const char *s = cap->params;

	while (*s) {
		const char *e;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		e = s;
		while (*e && *e != ' ' && *e != '\t')
			e++;
		cap->argv = xrealloc(cap->argv, (cap->argc + 1) * sizeof *cap->argv);
		cap->argv[cap->argc++] = xmemdup(s, (size_t)(e - s));
		s = e;
	}
}

static bool keyword_char_ok(unsigned char ch, bool first)
{
	return isalnum(ch) || (!first && ch == '-');
}

static void caps_add_line(struct caps *c, const char *text, size_t len)
{
	struct cap cap;
	size_t k = 0, i;
	const char *params;

	memset(&cap, 0, sizeof cap);
	while (k < len && text[k] != ' ' && text[k] != '\t' && text[k] != '=')
		k++;
	if (k == 0)
		return;
	cap.keyword = xmemdup(text, k);
	for (i = 0; i < k; i++) {
		unsigned char ch = (unsigned char)cap.keyword[i];
		if (!keyword_char_ok(ch, i == 0))
			cap.malformed = true;
		cap.keyword[i] = (char)toupper(ch);
	}
	if (k < len && text[k] == '=') {
		cap.legacy = true;
		params = text + k + 1;
	} else {
		params = text + k;
		while (params < text + len && (*params == ' ' || *params == '\t'))
			params++;
	}
	cap.params = xmemdup(params, (size_t)(text + len - params));
	cap_split(&cap);
	cap.id = caps_lookup(cap.keyword);
	c->has[cap.id] = true;
	if (cap.id == CAP_SIZE && cap.argc > 0) {
		char *end;
		unsigned long long v = strtoull(cap.argv[0], &end, 10);
		if (*end == '\0' && isdigit((unsigned char)cap.argv[0][0])) {
			c->size_declared = true;
			c->size_max = v;
		}
	}
	c->items = xrealloc(c->items, (c->n + 1) * sizeof *c->items);
	c->items[c->n++] = cap;
}

void caps_parse(struct caps *c, const struct reply *r)
{
	size_t i;
	const char *t, *sp;

	caps_free(c);
	if (reply_class(r) != 2 || r->nlines == 0)
		return;
	c->valid = true;
	t = r->lines[0].text;
	sp = memchr(t, ' ', r->lines[0].len);
	if (sp) {
		c->domain = xmemdup(t, (size_t)(sp - t));
		c->greet = xstrdup(sp + 1);
	} else {
		c->domain = xmemdup(t, r->lines[0].len);
		c->greet = xstrdup("");
	}
	for (i = 1; i < r->nlines; i++)
		caps_add_line(c, r->lines[i].text, r->lines[i].len);
}

const struct cap *caps_find(const struct caps *c, const char *keyword)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (util_strieq(c->items[i].keyword, keyword))
			return &c->items[i];
	return NULL;
}

bool caps_has(const struct caps *c, enum cap_id id)
{
	return id > CAP_OTHER && id < CAP__COUNT && c->has[id];
}

bool caps_has_auth(const struct caps *c, const char *mech)
{
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		if (c->items[i].id != CAP_AUTH)
			continue;
		for (j = 0; j < c->items[i].argc; j++)
			if (util_strieq(c->items[i].argv[j], mech))
				return true;
	}
	return false;
}

void caps_summary(const struct caps *c, struct buf *out)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (i)
			buf_adds(out, ", ");
		util_escape(out, c->items[i].keyword, strlen(c->items[i].keyword));
		if (c->items[i].params[0]) {
			buf_addc(out, ' ');
			util_escape(out, c->items[i].params, strlen(c->items[i].params));
		}
	}
}

static void caps_item(const struct cap *it, char sign, struct buf *out)
{
	if (out->len)
		buf_adds(out, ", ");
	buf_addc(out, sign);
	buf_adds(out, it->keyword);
	if (it->params[0]) {
		buf_addc(out, ' ');
		buf_adds(out, it->params);
	}
}

size_t caps_diff(const struct caps *before, const struct caps *after, struct buf *out)
{
	size_t i, n = 0;

	for (i = 0; i < after->n; i++) {
		const struct cap *old = caps_find(before, after->items[i].keyword);

		if (old == NULL) {
			caps_item(&after->items[i], '+', out);
			n++;
		} else if (strcmp(old->params, after->items[i].params) != 0) {
			caps_item(&after->items[i], '~', out);
			buf_printf(out, _(" (was \"%s\")"), old->params);
			n++;
		}
	}
	for (i = 0; i < before->n; i++)
		if (caps_find(after, before->items[i].keyword) == NULL) {
			caps_item(&before->items[i], '-', out);
			n++;
		}
	return n;
}
