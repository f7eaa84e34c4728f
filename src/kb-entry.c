/* kb-entry: one builder per knowledge-base entry type ([code],
 * [enhanced], [enhanced-class], [enhanced-subject], [diagnosis], [compare],
 * [pattern], [tls-error]); each checks its fields against its spec and
 * adds the entry, or reports why not. */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

/* ---- entry types ------------------------------------------------------ */

static void kb_finish_code(struct kb *kb, struct kb_entry *e)
{
	static const struct kb_key_spec spec[] = {
		{ "name", true, false, false }, { "summary", true, false, false },
		{ "description", true, false, false }, { "when", true, false, false },
		{ "fix", true, false, false }, { "differences", true, false, false },
		{ "related", true, false, false }, { "rfc", true, false, false },
		{ "diagnosis", true, false, false }, { "context", false, true, false },
		{ "diagnosis", false, true, false },
	};
	int code = kb_number(e->args, strlen(e->args), 200, 599);
	struct kb_code *c;

	if (code < 0) {
		kb_errorf(kb, e->file, e->line, "[code %s]: expected a three-digit code from 200 to 599",
			  e->args);
		return;
	}
	if (kb->codes[code]) {
		kb_errorf(kb, e->file, e->line, "[code %d] is already defined at %s:%d", code,
			  kb->codes[code]->file, kb->codes[code]->line);
		return;
	}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	c = xcalloc(1, sizeof *c);
	c->code = code;
	c->file = e->file;
	c->line = e->line;
	for (size_t i = 0; i < e->nfields; i++) {
		struct kb_field *f = &e->fields[i];
		enum kb_ctx ctx;

		if (f->qual[0] == '\0')
			continue;
		ctx = kb_ctx_from_name(f->qual);
		if (strcmp(f->key, "context") == 0)
			c->context[ctx] = kb_keep(kb, buf_steal(&f->value));
		else
			c->ctx_diagnosis[ctx] = kb_keep(kb, buf_steal(&f->value));
	}
	c->name = kb_get(kb, e, "name");
	c->summary = kb_get(kb, e, "summary");
	c->description = kb_get(kb, e, "description");
	c->when = kb_get(kb, e, "when");
	c->fix = kb_get(kb, e, "fix");
	c->differences = kb_get(kb, e, "differences");
	c->rfc = kb_get(kb, e, "rfc");
	c->diagnosis = kb_get(kb, e, "diagnosis");
	if (!kb_code_list(kb, e, kb_field_line(e, "related"), kb_get(kb, e, "related"),
			  c->related, &c->nrelated, false)) {
		free(c);
		return;
	}
	kb->codes[code] = c;
	kb->ncodes++;
}

/* "X.7.26" -> subject 7, detail 26. */
static bool kb_enhanced_args(const char *args, int *subject, int *detail)
{
	const char *dot;

	if ((args[0] != 'X' && args[0] != 'x') || args[1] != '.')
		return false;
	dot = strchr(args + 2, '.');
	if (dot == NULL)
		return false;
	*subject = kb_number(args + 2, (size_t)(dot - args - 2), 0, 7);
	*detail = kb_number(dot + 1, strlen(dot + 1), 0, KB_MAX_DETAIL);
	return *subject >= 0 && *detail >= 0;
}

static void kb_finish_enhanced(struct kb *kb, struct kb_entry *e)
{
	static const struct kb_key_spec spec[] = {
		{ "name", true, false, false }, { "description", true, false, false },
		{ "fix", true, false, false }, { "basic", true, false, false },
		{ "rfc", true, false, false }, { "diagnosis", true, false, false },
		{ "deprecated", false, false, false },
	};
	int subject, detail;
	struct kb_enhanced *x;

	if (!kb_enhanced_args(e->args, &subject, &detail)) {
		kb_errorf(kb, e->file, e->line,
			  "[enhanced %s]: expected X.SUBJECT.DETAIL with subject 0-7 and detail 0-%d, e.g. X.1.1",
			  e->args, KB_MAX_DETAIL);
		return;
	}
	if (kb->enh[subject][detail]) {
		kb_errorf(kb, e->file, e->line, "[enhanced X.%d.%d] is already defined at %s:%d",
			  subject, detail, kb->enh[subject][detail]->file,
			  kb->enh[subject][detail]->line);
		return;
	}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	x = xcalloc(1, sizeof *x);
	x->subject = subject;
	x->detail = detail;
	x->file = e->file;
	x->line = e->line;
	x->name = kb_get(kb, e, "name");
	x->description = kb_get(kb, e, "description");
	x->fix = kb_get(kb, e, "fix");
	x->basic = kb_get(kb, e, "basic");
	x->rfc = kb_get(kb, e, "rfc");
	x->diagnosis = kb_get(kb, e, "diagnosis");
	x->deprecated = kb_get(kb, e, "deprecated");
	kb->enh[subject][detail] = x;
	kb->nenh++;
}

static void kb_finish_named(struct kb *kb, struct kb_entry *e, bool is_class)
{
	static const struct kb_key_spec spec[] = {
		{ "name", true, false, false }, { "description", true, false, false },
	};
	struct kb_named **slot;
	int n;

	if (is_class) {
		n = kb_number(e->args, strlen(e->args), 2, 5);
		if (n == 3)
			n = -1;
	} else {
		n = (e->args[0] == 'X' || e->args[0] == 'x') && e->args[1] == '.'
			? kb_number(e->args + 2, strlen(e->args + 2), 0, 7) : -1;
	}
	if (n < 0) {
		kb_errorf(kb, e->file, e->line, is_class
			  ? "[enhanced-class %s]: expected 2, 4 or 5"
			  : "[enhanced-subject %s]: expected X.0 to X.7", e->args);
		return;
	}
	slot = is_class ? &kb->classes[n] : &kb->subjects[n];
	if (*slot) {
		kb_errorf(kb, e->file, e->line, "[%s %s] is defined twice", e->type, e->args);
		return;
	}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	*slot = xcalloc(1, sizeof **slot);
	(*slot)->name = kb_get(kb, e, "name");
	(*slot)->description = kb_get(kb, e, "description");
}

bool kb_valid_id(const char *s)
{
	if (!islower((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static void kb_finish_diagnosis(struct kb *kb, struct kb_entry *e)
{
	static const struct kb_key_spec spec[] = {
		{ "label", true, false, false }, { "description", true, false, false },
		{ "next", true, false, false },
	};
	struct kb_diagnosis *d;

	if (!kb_valid_id(e->args)) {
		kb_errorf(kb, e->file, e->line,
			  "[diagnosis %s]: a name is lower case letters, digits and hyphens", e->args);
		return;
	}
	if (kb_diagnosis(kb, e->args)) {
		kb_errorf(kb, e->file, e->line, "[diagnosis %s] is defined twice", e->args);
		return;
	}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	kb->diags = xgrow(kb->diags, &kb->diags_cap, kb->ndiags + 1, sizeof *kb->diags);
	d = &kb->diags[kb->ndiags++];
	d->id = kb_keep(kb, xstrdup(e->args));
	d->label = kb_get(kb, e, "label");
	d->description = kb_get(kb, e, "description");
	d->next = kb_get(kb, e, "next");
}

static void kb_finish_compare(struct kb *kb, struct kb_entry *e)
{
	static const struct kb_key_spec spec[] = { { "text", true, false, false } };
	struct kb_compare c = { 0 };
	int tmp[KB_MAX_RELATED];
	size_t n;

	if (!kb_code_list(kb, e, e->line, e->args, tmp, &n, false))
		return;
	if (n < 2 || n > KB_MAX_COMPARE) {
		kb_errorf(kb, e->file, e->line, "[compare %s]: list 2 to %d codes", e->args,
			  KB_MAX_COMPARE);
		return;
	}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	memcpy(c.codes, tmp, n * sizeof *tmp);
	c.ncodes = n;
	c.text = kb_get(kb, e, "text");
	c.file = e->file;
	c.line = e->line;
	kb->compares = xgrow(kb->compares, &kb->compares_cap, kb->ncompares + 1,
			     sizeof *kb->compares);
	kb->compares[kb->ncompares++] = c;
}

static bool kb_pattern_kind(const char *s, enum kb_pattern_kind *kind)
{
	for (int i = KB_KIND_PROVIDER; i <= KB_KIND_BLOCKLIST; i++)
		if (strcmp(s, kb_kind_name((enum kb_pattern_kind)i)) == 0) {
			*kind = (enum kb_pattern_kind)i;
			return true;
		}
	return false;
}

/* Compiles a match field; false after an error. */
static bool kb_regex(struct kb *kb, struct kb_entry *e, const char *match, regex_t *re)
{
	int rc = regcomp(re, match, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	char msg[200];

	if (rc == 0)
		return true;
	regerror(rc, re, msg, sizeof msg);
	kb_errorf(kb, e->file, kb_field_line(e, "match"),
		  "match is not a valid POSIX extended regular expression: %s", msg);
	return false;
}

/* Every "sample" field, in order. */
static void kb_samples(struct kb *kb, struct kb_entry *e, const char ***samples, size_t *n)
{
	for (size_t i = 0; i < e->nfields; i++) {
		if (strcmp(e->fields[i].key, "sample") != 0)
			continue;
		*samples = xrealloc(*samples, (*n + 1) * sizeof **samples);
		(*samples)[(*n)++] = kb_keep(kb, buf_steal(&e->fields[i].value));
	}
}

static void kb_finish_pattern(struct kb *kb, struct kb_entry *e)
{
	static const struct kb_key_spec spec[] = {
		{ "who", true, false, false }, { "kind", true, false, false },
		{ "match", true, false, false }, { "codes", false, false, false },
		{ "means", true, false, false }, { "action", true, false, false },
		{ "diagnosis", true, false, false }, { "enhanced-note", false, false, false },
		{ "sample", true, false, true },
	};
	struct kb_pattern_slot *slot;
	const char *kind, *codes;

	if (!kb_valid_id(e->args)) {
		kb_errorf(kb, e->file, e->line,
			  "[pattern %s]: a name is lower case letters, digits and hyphens", e->args);
		return;
	}
	for (size_t i = 0; i < kb->npatterns; i++)
		if (strcmp(kb->patterns[i]->p.id, e->args) == 0) {
			kb_errorf(kb, e->file, e->line, "[pattern %s] is already defined at %s:%d",
				  e->args, kb->patterns[i]->p.file, kb->patterns[i]->p.line);
			return;
		}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	slot = xcalloc(1, sizeof *slot);
	kind = kb_get(kb, e, "kind");
	if (!kb_pattern_kind(kind, &slot->p.kind)) {
		kb_errorf(kb, e->file, kb_field_line(e, "kind"),
			  "kind \"%s\": use provider, mta, filter or blocklist", kind);
		free(slot);
		return;
	}
	codes = kb_get(kb, e, "codes");
	if (codes && !kb_code_list(kb, e, kb_field_line(e, "codes"), codes, slot->p.codes,
				   &slot->p.ncodes, true)) {
		free(slot);
		return;
	}
	slot->p.match = kb_get(kb, e, "match");
	if (!kb_regex(kb, e, slot->p.match, &slot->re)) {
		free(slot);
		return;
	}
	slot->p.id = kb_keep(kb, xstrdup(e->args));
	slot->p.file = e->file;
	slot->p.line = e->line;
	slot->p.who = kb_get(kb, e, "who");
	slot->p.means = kb_get(kb, e, "means");
	slot->p.action = kb_get(kb, e, "action");
	slot->p.diagnosis = kb_get(kb, e, "diagnosis");
	slot->p.enhanced_note = kb_get(kb, e, "enhanced-note");
	kb_samples(kb, e, &slot->p.samples, &slot->p.nsamples);
	kb->patterns = xgrow(kb->patterns, &kb->patterns_cap, kb->npatterns + 1,
			     sizeof *kb->patterns);
	kb->patterns[kb->npatterns++] = slot;
}

static void kb_finish_tls_error(struct kb *kb, struct kb_entry *e)
{
	static const struct kb_key_spec spec[] = {
		{ "match", true, false, false }, { "title", true, false, false },
		{ "cause", true, false, false }, { "next", true, false, false },
		{ "sample", false, false, true },
	};
	struct kb_tls_slot *slot;

	if (!kb_valid_id(e->args)) {
		kb_errorf(kb, e->file, e->line,
			  "[tls-error %s]: a name is lower case letters, digits and hyphens", e->args);
		return;
	}
	for (size_t i = 0; i < kb->ntls; i++)
		if (strcmp(kb->tls[i]->t.id, e->args) == 0) {
			kb_errorf(kb, e->file, e->line, "[tls-error %s] is already defined at %s:%d",
				  e->args, kb->tls[i]->t.file, kb->tls[i]->t.line);
			return;
		}
	if (!kb_spec_check(kb, e, spec, UTIL_ARRAY_LEN(spec)))
		return;
	slot = xcalloc(1, sizeof *slot);
	slot->t.match = kb_get(kb, e, "match");
	if (!kb_regex(kb, e, slot->t.match, &slot->re)) {
		free(slot);
		return;
	}
	slot->t.id = kb_keep(kb, xstrdup(e->args));
	slot->t.file = e->file;
	slot->t.line = e->line;
	slot->t.title = kb_get(kb, e, "title");
	slot->t.cause = kb_get(kb, e, "cause");
	slot->t.next = kb_get(kb, e, "next");
	kb_samples(kb, e, &slot->t.samples, &slot->t.nsamples);
	kb->tls = xgrow(kb->tls, &kb->tls_cap, kb->ntls + 1, sizeof *kb->tls);
	kb->tls[kb->ntls++] = slot;
}

void kb_finish(struct kb *kb, struct kb_entry *e)
{
	if (e->type[0] == '\0')
		return;
	if (strcmp(e->type, "code") == 0)
		kb_finish_code(kb, e);
	else if (strcmp(e->type, "enhanced") == 0)
		kb_finish_enhanced(kb, e);
	else if (strcmp(e->type, "enhanced-class") == 0)
		kb_finish_named(kb, e, true);
	else if (strcmp(e->type, "enhanced-subject") == 0)
		kb_finish_named(kb, e, false);
	else if (strcmp(e->type, "diagnosis") == 0)
		kb_finish_diagnosis(kb, e);
	else if (strcmp(e->type, "compare") == 0)
		kb_finish_compare(kb, e);
	else if (strcmp(e->type, "pattern") == 0)
		kb_finish_pattern(kb, e);
	else if (strcmp(e->type, "tls-error") == 0)
		kb_finish_tls_error(kb, e);
	else
		kb_errorf(kb, e->file, e->line,
			  "unknown entry type [%s]: use code, enhanced, enhanced-class, enhanced-subject, diagnosis, compare, pattern or tls-error",
			  e->type);
}
