/* kb: parser and lookups for the knowledge base (format: help/README.md).
 *
 * Sans-I/O: kb_parse() takes text, kb-load.c reads the files.  The
 * entries lexer reads the text and checks each entry against its kind's
 * key table (kb-entry.c) before the kind's builder turns it into its
 * struct, so a broken entry is reported (FILE:LINE) and left out whole
 * rather than half-filled. */
#include "config.h"

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

void kb_set_lazy_regex(struct kb *kb, bool lazy)
{
	kb->lazy_regex = lazy;
}

static void kb_matchers_free(struct kb_matchers *list)
{
	for (size_t i = 0; i < list->n; i++) {
		kb_regex_free(&list->v[i]->re);
		free(list->v[i]->samples);
		free(list->v[i]);
	}
	free(list->v);
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
	kb_matchers_free(&kb->patterns);
	kb_matchers_free(&kb->tls);
	kb_rules_free(kb);
	kb_exts_free(kb);
	free(kb->lang.v);
	kb_free(kb->retired);
	free(kb);
}

void kb_errorf(struct kb *kb, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kb->errors = xgrow(kb->errors, &kb->errors_cap, kb->nerrors + 1, sizeof *kb->errors);
	kb->errors[kb->nerrors++] = entries_vmessage(file, line, fmt, ap);
	va_end(ap);
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

void kb_sink(void *ctx, const char *message)
{
	struct kb *kb = ctx;

	kb->errors = xgrow(kb->errors, &kb->errors_cap, kb->nerrors + 1, sizeof *kb->errors);
	kb->errors[kb->nerrors++] = xstrdup(message);
}

size_t kb_parse(struct kb *kb, const char *file, const char *text, size_t len)
{
	return entries_parse(&kb_format, kb_keep(kb, xstrdup(file)), text, len, kb, kb_sink);
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
	for (size_t i = 0; i < kb->patterns.n; i++)
		kb_check_diag(kb, kb->patterns.v[i]->file, kb->patterns.v[i]->line, "diagnosis",
			      kb->patterns.v[i]->as.pattern.diagnosis);
	for (size_t i = 0; i < kb->nrules; i++)
		kb_check_diag(kb, kb->rules[i]->pub.file, kb->rules[i]->pub.line, "diagnosis",
			      kb->rules[i]->pub.diagnosis);
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
	for (size_t i = 0; i < kb->patterns.n; i++) {
		struct kb_matcher *m = kb->patterns.v[i];

		if (kb_pattern_applies(&m->as.pattern, code) && kb_regex_exec(&m->re, text, 0, NULL))
			return &m->as.pattern;
	}
	return NULL;
}

const struct kb_pattern *kb_pattern_at(const struct kb *kb, size_t i)
{
	return i < kb->patterns.n ? &kb->patterns.v[i]->as.pattern : NULL;
}

size_t kb_pattern_count(const struct kb *kb) { return kb->patterns.n; }
size_t kb_tls_error_count(const struct kb *kb) { return kb->tls.n; }

const struct kb_tls_error *kb_tls_error_match(const struct kb *kb, const char *text)
{
	for (size_t i = 0; kb && text && i < kb->tls.n; i++)
		if (kb_regex_exec(&kb->tls.v[i]->re, text, 0, NULL))
			return &kb->tls.v[i]->as.tls;
	return NULL;
}

const struct kb_tls_error *kb_tls_error_at(const struct kb *kb, size_t i)
{
	return i < kb->tls.n ? &kb->tls.v[i]->as.tls : NULL;
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
