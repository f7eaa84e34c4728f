/* entries: the one lexer for help/'s data files.  See
 * include/smtpscope/entries.h; the grammar is in help/README.md.
 *
 * Lines are read one at a time into the current entry; at the next header
 * (or the end) the entry is checked against its kind's key table and, if
 * it fits, handed to the kind's builder.  Problems of a line are reported
 * as the line is read, those of an entry when it ends. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/entries.h"

/* The reading of one file. */
struct entries {
	const struct entries_format *fmt;
	const char *file;
	void *ctx;
	entries_sink sink;
	size_t nerrors;
	struct entry e;
	enum { ENTRIES_NONE, ENTRIES_OPEN, ENTRIES_BROKEN } state; /* the current entry */
	/* Where a continuation line goes: nowhere (an error), the last
	 * field, or away (the line above was reported or is ignored). */
	enum { ENTRIES_NO_FIELD, ENTRIES_FIELD, ENTRIES_SKIP } cont;
};

char *entries_vmessage(const char *file, int line, const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s:%d: ", file, line);
	buf_vprintf(&b, fmt, ap);
	return buf_steal(&b);
}

static void entries_verror(struct entries *in, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void entries_verror(struct entries *in, int line, const char *fmt, va_list ap)
{
	char *msg = entries_vmessage(in->file, line, fmt, ap);

	in->sink(in->ctx, msg);
	free(msg);
	in->nerrors++;
}

static void entries_error(struct entries *in, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void entries_error(struct entries *in, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	entries_verror(in, line, fmt, ap);
	va_end(ap);
}

void entry_error(struct entry *e, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	entries_verror(e->in, line, fmt, ap);
	va_end(ap);
}

void entries_list(struct buf *out, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", words[i]);
}

/* ---- reading fields back ---------------------------------------------- */

/* strcmp(a, b) == 0, most often decided by the first byte: the key table
 * checks of every entry of every file at every start compare keys. */
static inline bool entries_streq(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

static struct entry_field *entry_field(const struct entry *e, const char *key)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (entries_streq(e->fields[i].key, key) && e->fields[i].qual[0] == '\0')
			return &e->fields[i];
	return NULL;
}

const char *entry_get(const struct entry *e, const char *key)
{
	const struct entry_field *f = entry_field(e, key);

	return f ? f->value.data : NULL;
}

char *entry_take(struct entry *e, const char *key)
{
	struct entry_field *f = entry_field(e, key);

	return f ? buf_steal(&f->value) : NULL;
}

int entry_line(const struct entry *e, const char *key)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (entries_streq(e->fields[i].key, key))
			return e->fields[i].line;
	return e->line;
}

static const struct entry_key *entry_key_row(const struct entry_kind *k, const char *key,
					     bool qualified)
{
	for (size_t i = 0; i < k->nkeys; i++)
		if (entries_streq(k->keys[i].key, key) &&
		    ((k->keys[i].flags & ENTRY_QUALIFIED) != 0) == qualified)
			return &k->keys[i];
	return NULL;
}

static int entry_value_index(const struct entry_key *ks, const char *v)
{
	for (int i = 0; ks->values[i]; i++)
		if (strcmp(ks->values[i], v) == 0)
			return i;
	return -1;
}

int entry_choice(const struct entry *e, const char *key)
{
	const struct entry_key *ks = entry_key_row(e->kind, key, false);
	const char *v = entry_get(e, key);

	return ks && ks->values && v ? entry_value_index(ks, v) : -1;
}

/* ---- the key table ---------------------------------------------------- */

/* "a [scenario] entry", "an [on] entry" */
static const char *entry_article(const struct entry *e)
{
	return strchr("aeiou", e->kind->name[0]) ? "an" : "a";
}

/* A field the table has no row for. */
static void entry_unknown_key(struct entry *e, const struct entry_field *f)
{
	if (entry_key_row(e->kind, f->key, f->qual[0] == '\0'))
		entry_error(e, f->line, f->qual[0] ? "\"%s\" takes no qualifier in %s [%s] entry"
				       : "\"%s\" needs a qualifier here (\"%s QUALIFIER: value\")",
			    f->key, f->qual[0] ? entry_article(e) : f->key, e->kind->name);
	else
		entry_error(e, f->line, "unknown key \"%s\" in %s [%s] entry", f->key,
			    entry_article(e), e->kind->name);
}

static void entry_check_field(struct entry *e, size_t i, const struct entry_key *ks)
{
	const struct entry_field *f = &e->fields[i];

	if (!(ks->flags & ENTRY_REPEAT))
		for (size_t j = 0; j < i; j++)
			if (entries_streq(e->fields[j].key, f->key) &&
			    strcmp(e->fields[j].qual, f->qual) == 0) {
				entry_error(e, f->line, "\"%s%s%s\" given twice (first on line %d)",
					    f->key, f->qual[0] ? " " : "", f->qual, e->fields[j].line);
				return;
			}
	if (f->cont_line && (ks->flags & ENTRY_ONE_LINE)) {
		entry_error(e, f->cont_line, "\"%s\" is one line; give it again for another line",
			    f->key);
		return;
	}
	if (f->value.len == 0) {
		entry_error(e, f->line, "\"%s\" is empty", f->key);
		return;
	}
	if (ks->values && entry_value_index(ks, f->value.data) < 0) {
		struct buf list;
		size_t n = 0;

		while (ks->values[n])
			n++;
		buf_init(&list);
		entries_list(&list, ks->values, n);
		entry_error(e, f->line, "\"%s\" wants %s, not \"%s\"", f->key, list.data, f->value.data);
		buf_free(&list);
	}
}

/* Checks the entry against its kind's key table; false after errors. */
static bool entry_check(struct entry *e)
{
	const struct entry_kind *k = e->kind;
	size_t before = e->in->nerrors;

	for (size_t i = 0; i < e->nfields; i++) {
		const struct entry_field *f = &e->fields[i];
		const struct entry_key *ks = entry_key_row(k, f->key, f->qual[0] != '\0');

		if (ks == NULL)
			entry_unknown_key(e, f);
		else
			entry_check_field(e, i, ks);
	}
	for (size_t r = 0; r < k->nkeys; r++) {
		const struct entry_key *ks = &k->keys[r];
		bool found = false;

		if (!(ks->flags & ENTRY_REQUIRED))
			continue;
		for (size_t i = 0; i < e->nfields && !found; i++)
			found = entries_streq(e->fields[i].key, ks->key) &&
				(e->fields[i].qual[0] != '\0') == ((ks->flags & ENTRY_QUALIFIED) != 0);
		if (!found)
			entry_error(e, e->line, "[%s%s%s] lacks the required field \"%s\"", k->name,
				    e->args[0] ? " " : "", e->args, ks->key);
	}
	return e->in->nerrors == before;
}

/* ---- lines ------------------------------------------------------------ */

static void entries_end(struct entries *in)
{
	struct entry *e = &in->e;
	struct entry_field *fields;
	size_t cap;

	if (in->state == ENTRIES_OPEN && (e->kind->args == NULL || e->kind->args(in->ctx, e)) &&
	    entry_check(e))
		e->kind->build(in->ctx, e);
	for (size_t i = 0; i < e->nfields; i++)
		buf_free(&e->fields[i].value);
	/* the array is kept for the next entry (freed by entries_parse) */
	fields = e->fields;
	cap = e->cap;
	memset(e, 0, sizeof *e);
	e->fields = fields;
	e->cap = cap;
	e->in = in;
	e->file = in->file;
	in->state = ENTRIES_NONE;
	in->cont = ENTRIES_NO_FIELD;
}

/* "[kind arguments]" */
static void entries_header(struct entries *in, int lineno, const char *s, size_t n)
{
	const struct entries_format *fmt = in->fmt;
	struct entry *e = &in->e;
	size_t klen, alen;
	const char *args;

	entries_end(in);
	in->state = ENTRIES_BROKEN;
	in->cont = ENTRIES_SKIP;
	e->line = lineno;
	if (n < 3 || s[n - 1] != ']') {
		entries_error(in, lineno, "a header is one line in square brackets, e.g. [%s]",
			      fmt->kinds[0].usage);
		return;
	}
	s++, n -= 2;
	for (klen = 0; klen < n && s[klen] != ' '; klen++)
		;
	for (args = s + klen; args < s + n && *args == ' '; args++)
		;
	alen = (size_t)(s + n - args);
	while (alen > 0 && args[alen - 1] == ' ')
		alen--;
	if (klen == 0 || alen >= sizeof e->args) {
		entries_error(in, lineno, "header too long or empty");
		return;
	}
	for (size_t i = 0; i < fmt->nkinds; i++)
		if (strlen(fmt->kinds[i].name) == klen && memcmp(fmt->kinds[i].name, s, klen) == 0)
			e->kind = &fmt->kinds[i];
	if (e->kind == NULL) {
		struct buf use;

		buf_init(&use);
		for (size_t i = 0; i < fmt->nkinds; i++)
			buf_printf(&use, "%s[%s]", i == 0 ? "" : i + 1 == fmt->nkinds ? " or " : ", ",
				   fmt->kinds[i].usage);
		entries_error(in, lineno, "unknown entry type [%.*s]: use %s", (int)klen, s, use.data);
		buf_free(&use);
		return;
	}
	memcpy(e->args, args, alen);
	in->state = ENTRIES_OPEN;
	in->cont = ENTRIES_NO_FIELD;
}

static bool entries_key_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			return false;
	return true;
}

/* A key (lower-case letters and '-') and its qualifier, if any. */
static bool entries_key(struct entries *in, int lineno, const char *s, const char *colon,
			struct entry_field *f)
{
	const char *sp = memchr(s, ' ', (size_t)(colon - s));
	size_t klen = (size_t)((sp ? sp : colon) - s), qlen = 0;

	if (sp) {
		qlen = (size_t)(colon - sp - 1);
		if (qlen == 0 || memchr(sp + 1, ' ', qlen)) {
			entries_error(in, lineno,
				      "a key has at most one qualifier: \"key QUALIFIER: value\"");
			return false;
		}
	}
	if (klen == 0 || klen >= sizeof f->key || qlen >= sizeof f->qual ||
	    !entries_key_chars(s, klen)) {
		entries_error(in, lineno, "\"%.*s\" is not a key (lower-case letters and '-')",
			      (int)klen, s);
		return false;
	}
	memcpy(f->key, s, klen);
	if (qlen)
		memcpy(f->qual, sp + 1, qlen);
	return true;
}

/* "key: value" or "key QUALIFIER: value" */
static void entries_field(struct entries *in, int lineno, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	struct entry *e = &in->e;
	struct entry_field f;
	const char *v;

	in->cont = ENTRIES_SKIP;
	memset(&f, 0, sizeof f);
	if (in->state == ENTRIES_NONE) {
		entries_error(in, lineno, "a field before any entry: start with [%s]",
			      in->fmt->kinds[0].usage);
		return;
	}
	if (colon == NULL) {
		entries_error(in, lineno,
			      "expected \"key: value\", an indented continuation line, or a [header]");
		return;
	}
	if (!entries_key(in, lineno, s, colon, &f) || in->state == ENTRIES_BROKEN)
		return;
	f.line = lineno;
	buf_init(&f.value);
	for (v = colon + 1; v < s + n && (*v == ' ' || *v == '\t'); v++)
		;
	buf_add(&f.value, v, (size_t)(s + n - v));
	e->fields = xgrow(e->fields, &e->cap, e->nfields + 1, sizeof *e->fields);
	e->fields[e->nfields++] = f;
	in->cont = ENTRIES_FIELD;
}

/* An indented line: more of the field above; a lone "." a new paragraph. */
static void entries_continuation(struct entries *in, int lineno, const char *s, size_t n)
{
	struct entry_field *f;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 0)
		return;
	if (in->cont != ENTRIES_FIELD) {
		if (in->cont == ENTRIES_NO_FIELD)
			entries_error(in, lineno,
				      "an indented line continues a field, but no field is open");
		return;
	}
	f = &in->e.fields[in->e.nfields - 1];
	if (f->cont_line == 0)
		f->cont_line = lineno;
	if (n == 1 && *s == '.') {
		buf_adds(&f->value, "\n\n");
		return;
	}
	if (f->value.len && f->value.data[f->value.len - 1] != '\n')
		buf_addc(&f->value, ' ');
	buf_add(&f->value, s, n);
}

size_t entries_parse(const struct entries_format *fmt, const char *file,
		     const char *text, size_t len, void *ctx, entries_sink sink)
{
	struct entries in;
	const char *end = text + len, *p = text;
	int lineno = 0;

	memset(&in, 0, sizeof in);
	in.fmt = fmt;
	in.file = file;
	in.ctx = ctx;
	in.sink = sink;
	in.e.in = &in;
	in.e.file = file;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		const char *s = p;

		lineno++;
		p = nl ? nl + 1 : end;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (memchr(s, '\0', n)) {
			entries_error(&in, lineno, "NUL byte in the text");
			continue;
		}
		if (n == 0 || s[0] == '#')
			continue;
		if (s[0] == '[')
			entries_header(&in, lineno, s, n);
		else if (s[0] == ' ' || s[0] == '\t')
			entries_continuation(&in, lineno, s, n);
		else
			entries_field(&in, lineno, s, n);
	}
	entries_end(&in);
	free(in.e.fields);
	return in.nerrors;
}
