/* kb-ext: [extension KEYWORD] entries (help/kb/extensions.kb, format:
 * help/README.md): what each EHLO keyword offers a client, where it is
 * defined and what to try with it, for the explanation of a 250 to EHLO
 * keyword by keyword.  A keyword is written as RFC 5321 4.1.1.1 has it:
 * a letter or digit, then letters, digits and hyphens; it is found
 * whatever its case. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

#define R ENTRY_REQUIRED
#define O ENTRY_ONE_LINE

const struct entry_key kb_ext_keys[KB_EXT_NKEYS] = {
	{ "name", R | O, NULL }, { "rfc", R | O, NULL }, { "means", R, NULL },
	{ "try", R, NULL }, { "params", 0, NULL },
};

void kb_exts_free(struct kb *kb)
{
	for (size_t i = 0; i < kb->nexts; i++)
		free(kb->exts[i]);
	free(kb->exts);
}

static bool kb_ext_keyword_ok(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

const struct kb_extension *kb_extension(const struct kb *kb, const char *keyword)
{
	for (size_t i = 0; i < kb->nexts; i++)
		if (util_strieq(kb->exts[i]->keyword, keyword))
			return kb->exts[i];
	return NULL;
}

size_t kb_extension_count(const struct kb *kb)
{
	return kb->nexts;
}

const struct kb_extension *kb_extension_at(const struct kb *kb, size_t i)
{
	return i < kb->nexts ? kb->exts[i] : NULL;
}

/* An EHLO keyword, upper case, not defined before. */
bool kb_ext_args(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	const struct kb_extension *old;

	if (!kb_ext_keyword_ok(e->args)) {
		entry_error(e, e->line,
			    "[extension %s]: an EHLO keyword is a letter or digit, then letters, digits and hyphens (RFC 5321 4.1.1.1)",
			    e->args);
		return false;
	}
	for (const char *p = e->args; *p; p++)
		if (islower((unsigned char)*p)) {
			entry_error(e, e->line, "[extension %s]: write the keyword in upper case",
				    e->args);
			return false;
		}
	if ((old = kb_extension(kb, e->args)) != NULL) {
		entry_error(e, e->line, "[extension %s] is already defined at %s:%d", e->args,
			    old->file, old->line);
		return false;
	}
	return true;
}

void kb_ext_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_extension *x = xcalloc(1, sizeof *x);

	x->keyword = kb_keep(kb, xstrdup(e->args));
	x->name = kb_get(kb, e, "name");
	x->rfc = kb_get(kb, e, "rfc");
	x->means = kb_get(kb, e, "means");
	x->advice = kb_get(kb, e, "try");
	x->params = kb_get(kb, e, "params");
	x->file = e->file;
	x->line = e->line;
	kb->exts = xgrow(kb->exts, &kb->exts_cap, kb->nexts + 1, sizeof *kb->exts);
	kb->exts[kb->nexts++] = x;
}
