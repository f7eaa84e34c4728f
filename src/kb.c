/* kb: parser and lookups for the knowledge base (format: help/README.md).
 *
 * Sans-I/O: kb_parse() takes text, kb-load.c reads the files.  Each entry
 * is collected as a list of fields, checked against its type's field spec
 * (unknown, duplicate, missing and qualifier errors all carry FILE:LINE),
 * and only then turned into its struct, so a broken entry is reported
 * and left out whole rather than half-filled. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"


static const char *const kb_kind_names[] = {
	[KB_KIND_PROVIDER] = "provider", [KB_KIND_MTA] = "mta",
	[KB_KIND_FILTER] = "filter",     [KB_KIND_BLOCKLIST] = "blocklist",
};

/* The one map from verbs to knowledge-base contexts. */
static const enum kb_ctx kb_verb_ctx[SMTP_V__COUNT] = {
	[SMTP_V_UNKNOWN] = KB_CTX_ANY,       [SMTP_V_GREETING] = KB_CTX_GREETING,
	[SMTP_V_HELO] = KB_CTX_HELO,         [SMTP_V_EHLO] = KB_CTX_EHLO,
	[SMTP_V_LHLO] = KB_CTX_EHLO,         [SMTP_V_MAIL] = KB_CTX_MAIL,
	[SMTP_V_RCPT] = KB_CTX_RCPT,         [SMTP_V_DATA] = KB_CTX_DATA,
	[SMTP_V_DOT] = KB_CTX_DOT,           [SMTP_V_BDAT] = KB_CTX_BDAT,
	[SMTP_V_RSET] = KB_CTX_RSET,         [SMTP_V_VRFY] = KB_CTX_VRFY,
	[SMTP_V_EXPN] = KB_CTX_EXPN,         [SMTP_V_HELP] = KB_CTX_HELP,
	[SMTP_V_NOOP] = KB_CTX_NOOP,         [SMTP_V_QUIT] = KB_CTX_QUIT,
	[SMTP_V_STARTTLS] = KB_CTX_STARTTLS, [SMTP_V_AUTH] = KB_CTX_AUTH,
	[SMTP_V_AUTH_RESPONSE] = KB_CTX_AUTH, [SMTP_V_ETRN] = KB_CTX_ETRN,
	[SMTP_V_ATRN] = KB_CTX_ATRN,
};

enum kb_ctx kb_ctx_from_verb(enum smtp_verb v)
{
	return (size_t)v < SMTP_V__COUNT ? kb_verb_ctx[v] : KB_CTX_ANY;
}

/* A context is named by the data-file key of its first verb (LHLO's
 * replies are EHLO's). */
const char *kb_ctx_name(enum kb_ctx ctx)
{
	if (ctx == KB_CTX_ANY)
		return "any";
	for (size_t v = SMTP_V_UNKNOWN + 1; v < SMTP_V__COUNT; v++)
		if (kb_verb_ctx[v] == ctx)
			return verb_info((enum smtp_verb)v)->key;
	return "?";
}

enum kb_ctx kb_ctx_from_name(const char *name)
{
	enum kb_ctx c = strcmp(name, "any") == 0 ? KB_CTX_ANY
			: kb_ctx_from_verb(verb_from_key(name));

	return strcmp(kb_ctx_name(c), name) == 0 ? c : KB_CTX__COUNT;
}

const char *kb_kind_name(enum kb_pattern_kind kind)
{
	return (unsigned)kind < UTIL_ARRAY_LEN(kb_kind_names) ? kb_kind_names[kind] : "?";
}

struct kb *kb_new(void)
{
	return xcalloc(1, sizeof(struct kb));
}

void kb_free(struct kb *kb)
{
	if (kb == NULL)
		return;
	for (size_t i = 0; i < kb->nstrings; i++)
		free(kb->strings[i]);
	free(kb->strings);
	for (size_t i = 0; i < kb->nerrors; i++)
		free(kb->errors[i]);
	free(kb->errors);
	for (size_t i = 0; i < 1000; i++)
		free(kb->codes[i]);
	for (size_t s = 0; s < 8; s++) {
		for (size_t d = 0; d <= KB_MAX_DETAIL; d++)
			free(kb->enh[s][d]);
		free(kb->subjects[s]);
	}
	for (size_t i = 0; i < 6; i++)
		free(kb->classes[i]);
	free(kb->diags);
	free(kb->compares);
	for (size_t i = 0; i < kb->npatterns; i++) {
		regfree(&kb->patterns[i]->re);
		free(kb->patterns[i]->p.samples);
		free(kb->patterns[i]);
	}
	free(kb->patterns);
	for (size_t i = 0; i < kb->ntls; i++) {
		regfree(&kb->tls[i]->re);
		free(kb->tls[i]->t.samples);
		free(kb->tls[i]);
	}
	free(kb->tls);
	free(kb);
}

void kb_errorf(struct kb *kb, const char *file, int line, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	buf_printf(&b, "%s:%d: ", file, line);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	kb->errors = xgrow(kb->errors, &kb->errors_cap, kb->nerrors + 1, sizeof *kb->errors);
	kb->errors[kb->nerrors++] = buf_steal(&b);
}

size_t kb_error_count(const struct kb *kb)
{
	return kb->nerrors;
}

const char *kb_error(const struct kb *kb, size_t i)
{
	return i < kb->nerrors ? kb->errors[i] : NULL;
}

/* Keeps s alive as long as the kb; returns it. */
const char *kb_keep(struct kb *kb, char *s)
{
	kb->strings = xgrow(kb->strings, &kb->strings_cap, kb->nstrings + 1,
			    sizeof *kb->strings);
	kb->strings[kb->nstrings++] = s;
	return s;
}

static void kb_entry_reset(struct kb_entry *e)
{
	for (size_t i = 0; i < e->nfields; i++)
		buf_free(&e->fields[i].value);
	free(e->fields);
	memset(e, 0, sizeof *e);
}


bool kb_spec_check(struct kb *kb, struct kb_entry *e,
			  const struct kb_key_spec *spec, size_t nspec)
{
	size_t before = kb->nerrors;

	for (size_t i = 0; i < e->nfields; i++) {
		struct kb_field *f = &e->fields[i];
		const struct kb_key_spec *ks = NULL;

		for (size_t k = 0; k < nspec; k++)
			if (strcmp(spec[k].key, f->key) == 0 &&
			    spec[k].qualified == (f->qual[0] != '\0'))
				ks = &spec[k];
		if (ks == NULL) {
			bool known = false;

			for (size_t k = 0; k < nspec; k++)
				known |= strcmp(spec[k].key, f->key) == 0;
			if (known && f->qual[0])
				kb_errorf(kb, e->file, f->line, "\"%s\" takes no qualifier in a [%s] entry",
					  f->key, e->type);
			else if (known)
				kb_errorf(kb, e->file, f->line, "\"%s\" needs a qualifier here (e.g. \"%s RCPT:\")",
					  f->key, f->key);
			else
				kb_errorf(kb, e->file, f->line, "unknown key \"%s\" in a [%s] entry",
					  f->key, e->type);
			continue;
		}
		if (f->qual[0] && kb_ctx_from_name(f->qual) == KB_CTX__COUNT)
			kb_errorf(kb, e->file, f->line,
				  "unknown context \"%s\" (use greeting, HELO, EHLO, MAIL, RCPT, DATA, DOT, BDAT, RSET, VRFY, EXPN, HELP, NOOP, QUIT, STARTTLS, AUTH, ETRN, ATRN or any)",
				  f->qual);
		if (!ks->repeatable)
			for (size_t j = 0; j < i; j++)
				if (strcmp(e->fields[j].key, f->key) == 0 &&
				    strcmp(e->fields[j].qual, f->qual) == 0)
					kb_errorf(kb, e->file, f->line, "\"%s%s%s\" given twice (first on line %d)",
						  f->key, f->qual[0] ? " " : "", f->qual, e->fields[j].line);
		if (f->value.len == 0)
			kb_errorf(kb, e->file, f->line, "\"%s\" is empty", f->key);
	}
	for (size_t k = 0; k < nspec; k++) {
		bool found = false;

		if (!spec[k].required)
			continue;
		for (size_t i = 0; i < e->nfields; i++)
			found |= strcmp(e->fields[i].key, spec[k].key) == 0;
		if (!found)
			kb_errorf(kb, e->file, e->line, "[%s %s] lacks the required field \"%s\"",
				  e->type, e->args, spec[k].key);
	}
	e->errors += kb->nerrors - before;
	return kb->nerrors == before;
}

/* The value of an unqualified field, kept in the kb; NULL if absent. */
const char *kb_get(struct kb *kb, struct kb_entry *e, const char *key)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].key, key) == 0 && e->fields[i].qual[0] == '\0')
			return kb_keep(kb, buf_steal(&e->fields[i].value));
	return NULL;
}

/* Parses a whole decimal number in [lo, hi]; -1 if it is not one. */
int kb_number(const char *s, size_t n, int lo, int hi)
{
	long v = 0;

	if (n == 0 || n > 4)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < lo || v > hi ? -1 : (int)v;
}

/* "250 251 4xx": codes, or a class as its digit when classes are
 * allowed.  Returns false (after an error) on a bad word. */
bool kb_code_list(struct kb *kb, struct kb_entry *e, int line, const char *s,
			 int *out, size_t *n, bool classes)
{
	*n = 0;
	while (*s) {
		size_t len;
		int v;

		while (*s == ' ' || *s == ',')
			s++;
		len = strcspn(s, " ,");
		if (len == 0)
			break;
		if (classes && len == 3 && s[0] >= '2' && s[0] <= '5' &&
		    (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X'))
			v = s[0] - '0';
		else
			v = kb_number(s, len, 200, 599);
		if (v < 0 || *n == KB_MAX_RELATED) {
			kb_errorf(kb, e->file, line, "\"%.*s\" is not a reply code%s (or the list has over %d)",
				  (int)len, s, classes ? " or a class like 5xx" : "", KB_MAX_RELATED);
			e->errors++;
			return false;
		}
		out[(*n)++] = v;
		s += len;
	}
	return true;
}

int kb_field_line(const struct kb_entry *e, const char *key)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].key, key) == 0)
			return e->fields[i].line;
	return e->line;
}

/* ---- lines ------------------------------------------------------------ */

/* "[type args]" */
static bool kb_header(struct kb *kb, struct kb_entry *e, const char *file, int lineno,
		      const char *s, size_t n)
{
	size_t tlen;
	const char *args;

	if (n < 3 || s[n - 1] != ']') {
		kb_errorf(kb, file, lineno, "a header is \"[type arguments]\" on one line");
		return false;
	}
	s++, n -= 2;
	tlen = 0;
	while (tlen < n && s[tlen] != ' ')
		tlen++;
	args = s + tlen;
	while (args < s + n && *args == ' ')
		args++;
	if (tlen == 0 || tlen >= sizeof e->type || (size_t)(s + n - args) >= sizeof e->args) {
		kb_errorf(kb, file, lineno, "header too long or empty");
		return false;
	}
	e->file = file;
	e->line = lineno;
	memcpy(e->type, s, tlen);
	memcpy(e->args, args, (size_t)(s + n - args));
	while (strlen(e->args) && e->args[strlen(e->args) - 1] == ' ')
		e->args[strlen(e->args) - 1] = '\0';
	return true;
}

/* "key: value" or "key QUALIFIER: value" */
static void kb_field_start(struct kb *kb, struct kb_entry *e, const char *file, int lineno,
			   const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	const char *sp, *v;
	struct kb_field *f;
	size_t klen, qlen = 0;

	if (e->type[0] == '\0') {
		kb_errorf(kb, file, lineno, "a field outside any entry: start with a [header]");
		return;
	}
	if (colon == NULL) {
		kb_errorf(kb, file, lineno,
			  "expected \"key: value\", an indented continuation line, or a [header]");
		e->errors++;
		return;
	}
	sp = memchr(s, ' ', (size_t)(colon - s));
	klen = (size_t)((sp ? sp : colon) - s);
	if (sp) {
		qlen = (size_t)(colon - sp - 1);
		if (qlen == 0 || memchr(sp + 1, ' ', qlen)) {
			kb_errorf(kb, file, lineno, "a key has at most one qualifier: \"key QUALIFIER: value\"");
			e->errors++;
			return;
		}
	}
	if (klen == 0 || klen >= sizeof f->key || qlen >= sizeof f->qual) {
		kb_errorf(kb, file, lineno, "bad key");
		e->errors++;
		return;
	}
	for (size_t i = 0; i < klen; i++)
		if (!islower((unsigned char)s[i]) && s[i] != '-') {
			kb_errorf(kb, file, lineno, "keys are lower-case words (\"%.*s\")", (int)klen, s);
			e->errors++;
			return;
		}
	e->fields = xgrow(e->fields, &e->cap, e->nfields + 1, sizeof *e->fields);
	f = &e->fields[e->nfields++];
	memset(f, 0, sizeof *f);
	memcpy(f->key, s, klen);
	if (qlen)
		memcpy(f->qual, sp + 1, qlen);
	f->line = lineno;
	buf_init(&f->value);
	v = colon + 1;
	while (v < s + n && (*v == ' ' || *v == '\t'))
		v++;
	buf_add(&f->value, v, (size_t)(s + n - v));
}

static void kb_continuation(struct kb *kb, struct kb_entry *e, const char *file, int lineno,
			    const char *s, size_t n)
{
	struct kb_field *f;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 0)
		return;
	if (e->nfields == 0) {
		kb_errorf(kb, file, lineno, "an indented line continues a field, but no field is open");
		e->errors++;
		return;
	}
	f = &e->fields[e->nfields - 1];
	if (n == 1 && *s == '.')
		buf_adds(&f->value, "\n\n");
	else {
		if (f->value.len && f->value.data[f->value.len - 1] != '\n')
			buf_addc(&f->value, ' ');
		buf_add(&f->value, s, n);
	}
}

size_t kb_parse(struct kb *kb, const char *file, const char *text, size_t len)
{
	size_t before = kb->nerrors;
	struct kb_entry e;
	const char *end = text + len, *p = text;
	int lineno = 0;

	memset(&e, 0, sizeof e);
	file = kb_keep(kb, xstrdup(file));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		const char *s = p;

		lineno++;
		p = nl ? nl + 1 : end;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (memchr(s, '\0', n)) {
			kb_errorf(kb, file, lineno, "NUL byte in the text");
			continue;
		}
		if (n == 0 || s[0] == '#')
			continue;
		if (s[0] == '[') {
			kb_finish(kb, &e);
			kb_entry_reset(&e);
			kb_header(kb, &e, file, lineno, s, n);
		} else if (s[0] == ' ' || s[0] == '\t') {
			kb_continuation(kb, &e, file, lineno, s, n);
		} else {
			kb_field_start(kb, &e, file, lineno, s, n);
		}
	}
	kb_finish(kb, &e);
	kb_entry_reset(&e);
	return kb->nerrors - before;
}

/* ---- cross-checks ----------------------------------------------------- */

static void kb_check_diag(struct kb *kb, const char *file, int line, const char *what,
			  const char *id)
{
	if (id && kb->ndiags > 0 && kb_diagnosis(kb, id) == NULL)
		kb_errorf(kb, file, line, "%s: unknown diagnosis \"%s\" (see [diagnosis] entries)",
			  what, id);
}

size_t kb_validate(struct kb *kb)
{
	size_t before = kb->nerrors;

	for (int code = 0; code < 1000; code++) {
		const struct kb_code *c = kb->codes[code];

		if (c == NULL)
			continue;
		kb_check_diag(kb, c->file, c->line, "diagnosis", c->diagnosis);
		for (int i = 0; i < KB_CTX__COUNT; i++)
			kb_check_diag(kb, c->file, c->line, "diagnosis for a context",
				      c->ctx_diagnosis[i]);
		for (size_t i = 0; i < c->nrelated; i++)
			if (kb->codes[c->related[i]] == NULL)
				kb_errorf(kb, c->file, c->line, "[code %d] relates to %d, which has no entry",
					  code, c->related[i]);
	}
	for (int s = 0; s < 8; s++)
		for (int d = 0; d <= KB_MAX_DETAIL; d++)
			if (kb->enh[s][d])
				kb_check_diag(kb, kb->enh[s][d]->file, kb->enh[s][d]->line,
					      "diagnosis", kb->enh[s][d]->diagnosis);
	for (size_t i = 0; i < kb->npatterns; i++)
		kb_check_diag(kb, kb->patterns[i]->p.file, kb->patterns[i]->p.line, "diagnosis",
			      kb->patterns[i]->p.diagnosis);
	for (size_t i = 0; i < kb->ncompares; i++)
		for (size_t j = 0; j < kb->compares[i].ncodes; j++)
			if (kb->codes[kb->compares[i].codes[j]] == NULL)
				kb_errorf(kb, kb->compares[i].file, kb->compares[i].line,
					  "[compare] lists %d, which has no [code] entry",
					  kb->compares[i].codes[j]);
	return kb->nerrors - before;
}

/* ---- lookups ---------------------------------------------------------- */

const struct kb_code *kb_code(const struct kb *kb, int code)
{
	return code >= 0 && code < 1000 ? kb->codes[code] : NULL;
}

const struct kb_enhanced *kb_enhanced(const struct kb *kb, int subject, int detail)
{
	if (subject < 0 || subject > 7 || detail < 0 || detail > KB_MAX_DETAIL)
		return NULL;
	return kb->enh[subject][detail];
}

const struct kb_named *kb_enhanced_class(const struct kb *kb, int cls)
{
	return cls >= 0 && cls < 6 ? kb->classes[cls] : NULL;
}

const struct kb_named *kb_enhanced_subject(const struct kb *kb, int subject)
{
	return subject >= 0 && subject < 8 ? kb->subjects[subject] : NULL;
}

const struct kb_diagnosis *kb_diagnosis(const struct kb *kb, const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < kb->ndiags; i++)
		if (strcmp(kb->diags[i].id, id) == 0)
			return &kb->diags[i];
	return NULL;
}

static bool kb_compare_has(const struct kb_compare *c, int code)
{
	for (size_t i = 0; i < c->ncodes; i++)
		if (c->codes[i] == code)
			return true;
	return false;
}

const struct kb_compare *kb_compare_find(const struct kb *kb, int a, int b)
{
	const struct kb_compare *best = NULL;

	/* The smallest group naming both is the most to the point. */
	for (size_t i = 0; i < kb->ncompares; i++)
		if (kb_compare_has(&kb->compares[i], a) && kb_compare_has(&kb->compares[i], b) &&
		    (best == NULL || kb->compares[i].ncodes < best->ncodes))
			best = &kb->compares[i];
	return best;
}

static bool kb_pattern_applies(const struct kb_pattern *p, int code)
{
	if (p->ncodes == 0)
		return true;
	for (size_t i = 0; i < p->ncodes; i++)
		if (p->codes[i] == code || (p->codes[i] < 10 && p->codes[i] == code / 100))
			return true;
	return false;
}

const struct kb_pattern *kb_pattern_match(const struct kb *kb, int code, const char *text)
{
	for (size_t i = 0; i < kb->npatterns; i++) {
		const struct kb_pattern_slot *s = kb->patterns[i];

		if (kb_pattern_applies(&s->p, code) && regexec(&s->re, text, 0, NULL, 0) == 0)
			return &s->p;
	}
	return NULL;
}

const struct kb_pattern *kb_pattern_at(const struct kb *kb, size_t i)
{
	return i < kb->npatterns ? &kb->patterns[i]->p : NULL;
}

size_t kb_pattern_count(const struct kb *kb) { return kb->npatterns; }
size_t kb_tls_error_count(const struct kb *kb) { return kb->ntls; }

const struct kb_tls_error *kb_tls_error_match(const struct kb *kb, const char *text)
{
	for (size_t i = 0; kb && text && i < kb->ntls; i++)
		if (regexec(&kb->tls[i]->re, text, 0, NULL, 0) == 0)
			return &kb->tls[i]->t;
	return NULL;
}

const struct kb_tls_error *kb_tls_error_at(const struct kb *kb, size_t i)
{
	return i < kb->ntls ? &kb->tls[i]->t : NULL;
}
size_t kb_code_count(const struct kb *kb) { return kb->ncodes; }
size_t kb_enhanced_count(const struct kb *kb) { return kb->nenh; }
size_t kb_diagnosis_count(const struct kb *kb) { return kb->ndiags; }
size_t kb_compare_count(const struct kb *kb) { return kb->ncompares; }

const struct kb_diagnosis *kb_diagnosis_at(const struct kb *kb, size_t i)
{
	return i < kb->ndiags ? &kb->diags[i] : NULL;
}

const struct kb_compare *kb_compare_at(const struct kb *kb, size_t i)
{
	return i < kb->ncompares ? &kb->compares[i] : NULL;
}
