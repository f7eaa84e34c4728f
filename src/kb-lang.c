/* kb-lang: the knowledge base in another language.  A translation file
 * (help/kb/LL/NAME.kb, format: help/README.md, "Translations") repeats an
 * English entry's header with the translated text of its fields; each
 * field replaces the English one, so whatever is not translated stays
 * English field by field, never half an entry in two languages.  An
 * entry's `source:` is a checksum of the English text it was translated
 * from; when the English changes, the translation is reported stale.
 * Sans-I/O: kb_parse_lang() takes text; kb-load.c reads the files. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

/* The translatable fields of each kind, in checksum order. */
static const char *const kb_lang_code_keys[] = {
	"name", "summary", "description", "when", "fix", "differences", NULL,
};
static const char *const kb_lang_enh_keys[] = {
	"name", "description", "fix", "broad", "deprecated", NULL,
};
static const char *const kb_lang_named_keys[] = { "name", "description", NULL };
static const char *const kb_lang_diag_keys[] = { "label", "description", "next", NULL };
static const char *const kb_lang_compare_keys[] = { "text", NULL };
static const char *const kb_lang_pattern_keys[] = { "means", "action", "enhanced-note", NULL };
static const char *const kb_lang_tls_keys[] = { "title", "cause", "next", NULL };
static const char *const kb_lang_rule_keys[] = { "note", NULL };
static const char *const kb_lang_ext_keys[] = { "name", "means", "try", "params", NULL };

/* ---- finding the English entry and its fields ------------------------ */

/* The English entry a header names, as the slots of its fields. */
struct kb_lang_target {
	const char *const *keys;       /* its translatable keys */
	const char **slot[8];          /* the field of each key */
	struct kb_code *code;          /* [code]: for its contexts */
};

static bool kb_lang_enh_args(const char *args, int *subject, int *detail)
{
	return sscanf(args, "X.%d.%d", subject, detail) == 2 && *subject >= 0 &&
	       *subject <= 7 && *detail >= 0 && *detail <= KB_MAX_DETAIL;
}

static struct kb_compare *kb_lang_compare(struct kb *kb, const char *args)
{
	for (size_t i = 0; i < kb->ncompares; i++) {
		struct kb_compare *c = &kb->compares[i];
		char list[8 * KB_MAX_COMPARE];
		size_t n = 0;

		for (size_t j = 0; j < c->ncodes; j++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%d", j ? " " : "",
					      c->codes[j]);
		if (strcmp(list, args) == 0)
			return c;
	}
	return NULL;
}

static struct kb_matcher *kb_lang_matcher(struct kb_matchers *list, const char *id)
{
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->v[i]->id, id) == 0)
			return list->v[i];
	return NULL;
}

static struct kb_rule_impl *kb_lang_rule(struct kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->nrules; i++)
		if (strcmp(kb->rules[i]->pub.id, id) == 0)
			return kb->rules[i];
	return NULL;
}

/* Fills t for the entry [kind args]; false if there is none. */
static bool kb_lang_find(struct kb *kb, const char *kind, const char *args,
			 struct kb_lang_target *t)
{
	int a, b;

	memset(t, 0, sizeof *t);
	if (strcmp(kind, "code") == 0 && sscanf(args, "%d", &a) == 1 && a >= 200 && a <= 599 &&
	    kb->codes[a]) {
		struct kb_code *c = t->code = kb->codes[a];
		const char **s[] = { &c->name, &c->summary, &c->description, &c->when, &c->fix,
				     &c->differences };

		t->keys = kb_lang_code_keys;
		memcpy(t->slot, s, sizeof s);
	} else if (strcmp(kind, "enhanced") == 0 && kb_lang_enh_args(args, &a, &b) &&
		   kb->enh[a][b]) {
		struct kb_enhanced *x = kb->enh[a][b];
		const char **s[] = { &x->name, &x->description, &x->fix, &x->broad,
				     &x->deprecated };

		t->keys = kb_lang_enh_keys;
		memcpy(t->slot, s, sizeof s);
	} else if ((strcmp(kind, "enhanced-class") == 0 && sscanf(args, "%d", &a) == 1 &&
		    a >= 2 && a <= 5 && kb->classes[a]) ||
		   (strcmp(kind, "enhanced-subject") == 0 && sscanf(args, "X.%d", &a) == 1 &&
		    a >= 0 && a <= 7 && kb->subjects[a])) {
		struct kb_named *n = kind[9] == 'c' ? kb->classes[a] : kb->subjects[a];

		t->keys = kb_lang_named_keys;
		t->slot[0] = &n->name;
		t->slot[1] = &n->description;
	} else if (strcmp(kind, "diagnosis") == 0 && kb_diagnosis(kb, args)) {
		struct kb_diagnosis *d = (struct kb_diagnosis *)kb_diagnosis(kb, args);

		t->keys = kb_lang_diag_keys;
		t->slot[0] = &d->label;
		t->slot[1] = &d->description;
		t->slot[2] = &d->next;
	} else if (strcmp(kind, "compare") == 0 && kb_lang_compare(kb, args)) {
		t->keys = kb_lang_compare_keys;
		t->slot[0] = &kb_lang_compare(kb, args)->text;
	} else if (strcmp(kind, "pattern") == 0 && kb_lang_matcher(&kb->patterns, args)) {
		struct kb_pattern *p = &kb_lang_matcher(&kb->patterns, args)->as.pattern;

		t->keys = kb_lang_pattern_keys;
		t->slot[0] = &p->means;
		t->slot[1] = &p->action;
		t->slot[2] = &p->enhanced_note;
	} else if (strcmp(kind, "tls-error") == 0 && kb_lang_matcher(&kb->tls, args)) {
		struct kb_tls_error *x = &kb_lang_matcher(&kb->tls, args)->as.tls;

		t->keys = kb_lang_tls_keys;
		t->slot[0] = &x->title;
		t->slot[1] = &x->cause;
		t->slot[2] = &x->next;
	} else if (strcmp(kind, "rule") == 0 && kb_lang_rule(kb, args)) {
		t->keys = kb_lang_rule_keys;
		t->slot[0] = &kb_lang_rule(kb, args)->pub.note;
	} else if (strcmp(kind, "extension") == 0 && kb_extension(kb, args)) {
		struct kb_extension *x = (struct kb_extension *)kb_extension(kb, args);

		t->keys = kb_lang_ext_keys;
		t->slot[0] = &x->name;
		t->slot[1] = &x->means;
		t->slot[2] = &x->advice;
		t->slot[3] = &x->params;
	} else {
		return false;
	}
	return true;
}

/* The field key (qualifier qual, "" for none) of t, or NULL. */
static const char **kb_lang_slot(const struct kb_lang_target *t, const char *key,
				 const char *qual)
{
	if (t->code && strcmp(key, "context") == 0) {
		enum kb_ctx c = kb_ctx_from_name(qual);

		return c == KB_CTX__COUNT ? NULL : &t->code->context[c];
	}
	if (qual[0])
		return NULL;
	for (size_t i = 0; t->keys[i]; i++)
		if (strcmp(t->keys[i], key) == 0)
			return t->slot[i];
	return NULL;
}

/* ---- what was translated ----------------------------------------------- */

/* The English value of a slot: what it held before a translation. */
static const char *kb_lang_english(const struct kb *kb, const char **slot)
{
	for (size_t i = 0; i < kb->lang.n; i++)
		if (kb->lang.v[i].slot == slot)
			return kb->lang.v[i].english;
	return *slot;
}

/* The checksum of an entry's English text: its fields in key order,
 * then its contexts in context order (FNV-1a, 32 bits). */
static unsigned long kb_lang_checksum(const struct kb *kb, const struct kb_lang_target *t)
{
	unsigned long h = 2166136261ul;

	for (size_t i = 0; t->keys[i]; i++)
		h = util_fnv1a(h, kb_lang_english(kb, t->slot[i]));
	for (int c = 0; t->code && c < KB_CTX__COUNT; c++)
		h = util_fnv1a(h, kb_lang_english(kb, &t->code->context[c]));
	return h;
}

static void kb_lang_record(struct kb *kb, const char **slot, const char *value)
{
	for (size_t i = 0; i < kb->lang.n; i++)
		if (kb->lang.v[i].slot == slot) {
			*slot = value;
			return;
		}
	kb->lang.v = xgrow(kb->lang.v, &kb->lang.cap, kb->lang.n + 1, sizeof *kb->lang.v);
	kb->lang.v[kb->lang.n].slot = slot;
	kb->lang.v[kb->lang.n].english = *slot;
	kb->lang.n++;
	*slot = value;
}

static bool kb_lang_done(const struct kb *kb, const char **slot)
{
	for (size_t i = 0; i < kb->lang.n; i++)
		if (kb->lang.v[i].slot == slot)
			return true;
	return false;
}

/* ---- the format ------------------------------------------------------- */

#define O ENTRY_ONE_LINE
#define Q ENTRY_QUALIFIED

static const struct entry_key kb_lang_keys_code[] = {
	{ "name", 0, NULL }, { "summary", 0, NULL }, { "description", 0, NULL },
	{ "when", 0, NULL }, { "fix", 0, NULL }, { "differences", 0, NULL },
	{ "context", Q, NULL }, { "source", O, NULL },
};
static const struct entry_key kb_lang_keys_enh[] = {
	{ "name", 0, NULL }, { "description", 0, NULL }, { "fix", 0, NULL },
	{ "broad", 0, NULL }, { "deprecated", 0, NULL }, { "source", O, NULL },
};
static const struct entry_key kb_lang_keys_named[] = {
	{ "name", 0, NULL }, { "description", 0, NULL }, { "source", O, NULL },
};
static const struct entry_key kb_lang_keys_diag[] = {
	{ "label", 0, NULL }, { "description", 0, NULL }, { "next", 0, NULL },
	{ "source", O, NULL },
};
static const struct entry_key kb_lang_keys_compare[] = {
	{ "text", 0, NULL }, { "source", O, NULL },
};
static const struct entry_key kb_lang_keys_pattern[] = {
	{ "means", 0, NULL }, { "action", 0, NULL }, { "enhanced-note", 0, NULL },
	{ "source", O, NULL },
};
static const struct entry_key kb_lang_keys_tls[] = {
	{ "title", 0, NULL }, { "cause", 0, NULL }, { "next", 0, NULL },
	{ "source", O, NULL },
};
static const struct entry_key kb_lang_keys_rule[] = {
	{ "note", 0, NULL }, { "source", O, NULL },
};
static const struct entry_key kb_lang_keys_ext[] = {
	{ "name", O, NULL }, { "means", 0, NULL }, { "try", 0, NULL }, { "params", 0, NULL },
	{ "source", O, NULL },
};

/* The header must name an English entry. */
static bool kb_lang_args(void *ctx, struct entry *e)
{
	struct kb_lang_target t;

	if (kb_lang_find(ctx, e->kind->name, e->args, &t))
		return true;
	entry_error(e, e->line, "[%s %s]: no such entry in the English knowledge base",
		    e->kind->name, e->args);
	return false;
}

static void kb_lang_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_lang_target t;
	const char *source = entry_get(e, "source");
	char want[16];

	kb_lang_find(kb, e->kind->name, e->args, &t);
	snprintf(want, sizeof want, "%08lx", kb_lang_checksum(kb, &t));
	for (size_t i = 0; i < e->nfields; i++) {
		struct entry_field *f = &e->fields[i];
		const char **slot;

		if (strcmp(f->key, "source") == 0)
			continue;
		slot = kb_lang_slot(&t, f->key, f->qual);
		if (slot == NULL || kb_lang_english(kb, slot) == NULL) {
			entry_error(e, f->line, "%s%s%s: the English entry has no such field to translate",
				    f->key, f->qual[0] ? " " : "", f->qual);
			continue;
		}
		kb_lang_record(kb, slot, kb_keep(kb, buf_steal(&f->value)));
	}
	if (source == NULL || strcmp(source, want) != 0)
		kb_errorf(kb, e->file, e->line,
			  "[%s %s]: %s (the English text's checksum is now source: %s): check the translation against the English, then set it",
			  e->kind->name, e->args,
			  source ? "translated from an older English text" : "no source: checksum",
			  want);
}

#define KB_LANG_KIND(name, keys) \
	{ name, name " ...", keys, UTIL_ARRAY_LEN(keys), kb_lang_args, kb_lang_build }

static const struct entry_kind kb_lang_kinds[] = {
	KB_LANG_KIND("code", kb_lang_keys_code),
	KB_LANG_KIND("enhanced", kb_lang_keys_enh),
	KB_LANG_KIND("enhanced-class", kb_lang_keys_named),
	KB_LANG_KIND("enhanced-subject", kb_lang_keys_named),
	KB_LANG_KIND("diagnosis", kb_lang_keys_diag),
	KB_LANG_KIND("compare", kb_lang_keys_compare),
	KB_LANG_KIND("pattern", kb_lang_keys_pattern),
	KB_LANG_KIND("tls-error", kb_lang_keys_tls),
	KB_LANG_KIND("rule", kb_lang_keys_rule),
	KB_LANG_KIND("extension", kb_lang_keys_ext),
};

static const struct entries_format kb_lang_format = {
	kb_lang_kinds, UTIL_ARRAY_LEN(kb_lang_kinds)
};

size_t kb_parse_lang(struct kb *kb, const char *file, const char *text, size_t len)
{
	size_t before = kb->nerrors;

	entries_parse(&kb_lang_format, kb_keep(kb, xstrdup(file)), text, len, kb,
		      kb_sink);
	return kb->nerrors - before;
}

/* ---- what is left in English ------------------------------------------- */

static size_t kb_lang_gaps_of(const struct kb *kb, const char *kind, const char *args,
			      const char *file, int line, struct buf *out)
{
	struct kb_lang_target t;
	size_t gaps = 0;

	if (!kb_lang_find((struct kb *)kb, kind, args, &t))
		return 0;
	for (size_t i = 0; t.keys[i]; i++)
		if (*t.slot[i] && !kb_lang_done(kb, t.slot[i])) {
			buf_printf(out, "%s:%d: [%s %s] %s: not translated\n", file, line, kind, args,
				   t.keys[i]);
			gaps++;
		}
	for (int c = 0; t.code && c < KB_CTX__COUNT; c++)
		if (t.code->context[c] && !kb_lang_done(kb, &t.code->context[c])) {
			buf_printf(out, "%s:%d: [%s %s] context %s: not translated\n", file, line,
				   kind, args, kb_ctx_name((enum kb_ctx)c));
			gaps++;
		}
	return gaps;
}

size_t kb_lang_gaps(const struct kb *kb, struct buf *out)
{
	size_t gaps = 0;
	char args[64];

	for (int c = 200; c < 600; c++)
		if (kb->codes[c]) {
			snprintf(args, sizeof args, "%d", c);
			gaps += kb_lang_gaps_of(kb, "code", args, kb->codes[c]->file,
						kb->codes[c]->line, out);
		}
	for (int s = 0; s < 8; s++)
		for (int d = 0; d <= KB_MAX_DETAIL; d++)
			if (kb->enh[s][d]) {
				snprintf(args, sizeof args, "X.%d.%d", s, d);
				gaps += kb_lang_gaps_of(kb, "enhanced", args, kb->enh[s][d]->file,
							kb->enh[s][d]->line, out);
			}
	for (size_t i = 0; i < kb->ndiags; i++)
		gaps += kb_lang_gaps_of(kb, "diagnosis", kb->diags[i].id, kb->diags[i].file,
					kb->diags[i].line, out);
	for (size_t i = 0; i < kb->ncompares; i++) {
		size_t n = 0;

		for (size_t j = 0; j < kb->compares[i].ncodes; j++)
			n += (size_t)snprintf(args + n, sizeof args - n, "%s%d", j ? " " : "",
					      kb->compares[i].codes[j]);
		gaps += kb_lang_gaps_of(kb, "compare", args, kb->compares[i].file,
					kb->compares[i].line, out);
	}
	for (size_t i = 0; i < kb->patterns.n; i++)
		gaps += kb_lang_gaps_of(kb, "pattern", kb->patterns.v[i]->id,
					kb->patterns.v[i]->file, kb->patterns.v[i]->line, out);
	for (size_t i = 0; i < kb->tls.n; i++)
		gaps += kb_lang_gaps_of(kb, "tls-error", kb->tls.v[i]->id, kb->tls.v[i]->file,
					kb->tls.v[i]->line, out);
	for (size_t i = 0; i < kb->nrules; i++)
		gaps += kb_lang_gaps_of(kb, "rule", kb->rules[i]->pub.id, kb->rules[i]->pub.file,
					kb->rules[i]->pub.line, out);
	for (size_t i = 0; i < kb->nexts; i++)
		gaps += kb_lang_gaps_of(kb, "extension", kb->exts[i]->keyword, kb->exts[i]->file,
					kb->exts[i]->line, out);
	return gaps;
}

void kb_set_lang(struct kb *kb, const char *lang)
{
	kb->lang_name = lang ? kb_keep(kb, xstrdup(lang)) : NULL;
}

const char *kb_lang(const struct kb *kb)
{
	return kb->lang_name;
}

size_t kb_lang_translated(const struct kb *kb)
{
	return kb->lang.n;
}
