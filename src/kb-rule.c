/* kb-rule: [rule NAME] entries, the text-cue classifier (help/kb/rules.kb,
 * format: help/README.md).  A rule names the words that give a reply's
 * cause away ("greylisted", "blocked using", "SPF"), optionally narrowed
 * by code, enhanced code, the command answered and the TLS state, with
 * phrases that rule it out; the first rule that fits decides.
 *
 * Speed: the text is lower-cased once per query, a phrase is a strstr()
 * on it, and regular expressions (few) run only on rules whose
 * constraints passed, so a reply against the whole file costs
 * microseconds (bench/classify.sh). */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

#define R ENTRY_REQUIRED
#define M ENTRY_REPEAT
#define O ENTRY_ONE_LINE

static const char *const kb_rule_tls_values[] = { "any", "inactive", "active", NULL };

const struct entry_key kb_rule_keys[KB_RULE_NKEYS] = {
	{ "cue", M | O, NULL }, { "regex", M | O, NULL }, { "unless", M | O, NULL },
	{ "codes", 0, NULL }, { "enhanced", 0, NULL }, { "after", 0, NULL },
	{ "tls", 0, kb_rule_tls_values }, { "diagnosis", R, NULL }, { "note", 0, NULL },
	{ "sample", R | M, NULL }, { "unless-regex", M | O, NULL },
};

static void kb_rule_impl_free(struct kb_rule_impl *r)
{
	for (size_t i = 0; i < r->ncues; i++)
		if (r->cues[i].is_regex)
			kb_regex_free(&r->cues[i].re);
	for (size_t i = 0; i < r->nunless; i++)
		if (r->unless[i].is_regex)
			kb_regex_free(&r->unless[i].re);
	free(r->cues);
	free(r->unless);
	free(r->pub.samples);
	free(r);
}

void kb_rules_free(struct kb *kb)
{
	for (size_t i = 0; i < kb->nrules; i++)
		kb_rule_impl_free(kb->rules[i]);
	free(kb->rules);
}

/* A name, unique among the rules. */
bool kb_rule_args(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;

	if (!kb_id_args(e))
		return false;
	for (size_t i = 0; i < kb->nrules; i++)
		if (strcmp(kb->rules[i]->pub.id, e->args) == 0) {
			entry_error(e, e->line, "[rule %s] is already defined at %s:%d", e->args,
				    kb->rules[i]->pub.file, kb->rules[i]->pub.line);
			return false;
		}
	return true;
}

/* One part of "5.7.x": a number in [lo, hi] or x (-1); false if neither. */
static bool kb_enh_part(const char *s, size_t n, int lo, int hi, int *out)
{
	int v = 0;

	if (n == 1 && (s[0] == 'x' || s[0] == 'X')) {
		*out = -1;
		return true;
	}
	if (n == 0 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v >= lo && v <= hi;
}

/* "5.7.1 4.7.x x.7.26": enhanced codes, x for any part. */
static bool kb_enh_list(struct entry *e, const char *s, struct kb_rule *r)
{
	int line = entry_line(e, "enhanced");

	while (*s) {
		struct kb_enh_range g;
		const char *d1, *d2;
		size_t len;

		while (*s == ' ' || *s == ',')
			s++;
		len = strcspn(s, " ,");
		if (len == 0)
			break;
		d1 = memchr(s, '.', len);
		d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - s)) : NULL;
		if (d1 == NULL || d2 == NULL || r->nenhanced == KB_MAX_RELATED ||
		    !kb_enh_part(s, (size_t)(d1 - s), 2, 5, &g.cls) || g.cls == 3 ||
		    !kb_enh_part(d1 + 1, (size_t)(d2 - d1 - 1), 0, 7, &g.subject) ||
		    !kb_enh_part(d2 + 1, len - (size_t)(d2 + 1 - s), 0, 999, &g.detail)) {
			entry_error(e, line,
				    "enhanced \"%.*s\": give CLASS.SUBJECT.DETAIL with x for any part (5.7.1, 4.7.x, x.7.26), at most %d",
				    (int)len, s, KB_MAX_RELATED);
			return false;
		}
		r->enhanced[r->nenhanced++] = g;
		s += len;
	}
	return true;
}

/* "RCPT MAIL DOT greeting": the contexts the rule applies after. */
static bool kb_after_list(struct entry *e, const char *s, unsigned *out)
{
	*out = 0;
	while (*s) {
		char name[32];
		size_t len;
		enum kb_ctx c;

		while (*s == ' ' || *s == ',')
			s++;
		len = strcspn(s, " ,");
		if (len == 0)
			break;
		snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), s);
		c = len < 31 ? kb_ctx_from_name(name) : KB_CTX__COUNT;
		if (c == KB_CTX__COUNT || c == KB_CTX_ANY) {
			entry_error(e, entry_line(e, "after"),
				    "after \"%.*s\": name the commands as the knowledge base does (RCPT, MAIL, DATA, DOT, greeting, EHLO, AUTH ...)",
				    (int)len, s);
			return false;
		}
		*out |= 1u << c;
		s += len;
	}
	return true;
}

static void kb_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The fields of one key as cues: phrases (lower-cased) or expressions.
 * False after an error. */
static bool kb_cues(struct kb *kb, struct entry *e, const char *key, bool regex,
		    struct kb_cue **v, size_t *n)
{
	for (size_t i = 0; i < e->nfields; i++) {
		struct entry_field *f = &e->fields[i];
		struct kb_cue c = { 0 };

		if (strcmp(f->key, key) != 0)
			continue;
		if (f->value.len == 0) {
			entry_error(e, f->line, "%s is empty: give a word or phrase", key);
			return false;
		}
		c.is_regex = regex;
		if (regex && !kb_regex_prepare(kb, e, f->line, key, f->value.data, 0, &c.re))
			return false;
		if (!regex) {
			char *p = buf_steal(&f->value);

			kb_lower(p);
			c.phrase = kb_keep(kb, p);
		}
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = c;
	}
	return true;
}

void kb_rule_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_rule_impl *r = xcalloc(1, sizeof *r);
	const char *codes = entry_get(e, "codes"), *enh = entry_get(e, "enhanced");
	const char *after = entry_get(e, "after");
	int tls = entry_choice(e, "tls");

	if (!kb_cues(kb, e, "cue", false, &r->cues, &r->ncues) ||
	    !kb_cues(kb, e, "regex", true, &r->cues, &r->ncues) ||
	    !kb_cues(kb, e, "unless", false, &r->unless, &r->nunless) ||
	    !kb_cues(kb, e, "unless-regex", true, &r->unless, &r->nunless))
		goto fail;
	if (r->ncues == 0) {
		entry_error(e, e->line, "[rule %s] has no cue: give at least one cue: or regex:",
			    e->args);
		goto fail;
	}
	if ((codes && !kb_code_list(e, entry_line(e, "codes"), codes, r->pub.codes,
				    &r->pub.ncodes, true)) ||
	    (enh && !kb_enh_list(e, enh, &r->pub)) ||
	    (after && !kb_after_list(e, after, &r->pub.contexts)))
		goto fail;
	r->pub.tls = tls <= 0 ? -1 : tls - 1;
	r->pub.id = kb_keep(kb, xstrdup(e->args));
	r->pub.diagnosis = kb_get(kb, e, "diagnosis");
	r->pub.note = kb_get(kb, e, "note");
	r->pub.samples = kb_samples(kb, e, &r->pub.nsamples);
	r->pub.file = e->file;
	r->pub.line = e->line;
	kb->rules = xgrow(kb->rules, &kb->rules_cap, kb->nrules + 1, sizeof *kb->rules);
	kb->rules[kb->nrules++] = r;
	return;
fail:
	kb_rule_impl_free(r);
}

/* ---- matching --------------------------------------------------------- */

static bool kb_rule_code_fits(const struct kb_rule *r, const struct kb_rule_query *q)
{
	if (r->ncodes == 0)
		return true;
	for (size_t i = 0; i < r->ncodes; i++) {
		int c = r->codes[i];

		if (q->code >= 0 ? (c == q->code || (c < 10 && c == q->code / 100))
				 : (q->has_enh && (c < 10 ? c : c / 100) == q->enh_cls))
			return true;
	}
	return false;
}

static bool kb_rule_enh_fits(const struct kb_rule *r, const struct kb_rule_query *q)
{
	if (r->nenhanced == 0)
		return true;
	if (!q->has_enh)
		return false;
	for (size_t i = 0; i < r->nenhanced; i++) {
		const struct kb_enh_range *g = &r->enhanced[i];

		if ((g->cls < 0 || g->cls == q->enh_cls) &&
		    (g->subject < 0 || g->subject == q->enh_subject) &&
		    (g->detail < 0 || g->detail == q->enh_detail))
			return true;
	}
	return false;
}

static bool kb_rule_applies(const struct kb_rule *r, const struct kb_rule_query *q)
{
	if (r->contexts && q->ctx != KB_CTX_ANY && !(r->contexts & (1u << q->ctx)))
		return false;
	if (r->tls >= 0 && r->tls != (int)q->tls_active)
		return false;
	return kb_rule_code_fits(r, q) && kb_rule_enh_fits(r, q);
}

/* Where a cue matches: its offset and length in the text; false if not. */
static bool kb_cue_find(struct kb_cue *c, const char *text, const char *lower,
			size_t *off, size_t *len)
{
	regmatch_t m[1];

	if (!c->is_regex) {
		const char *p = strstr(lower, c->phrase);

		if (p == NULL)
			return false;
		*off = (size_t)(p - lower);
		*len = strlen(c->phrase);
		return true;
	}
	if (!kb_regex_exec(&c->re, text, 1, m))
		return false;
	*off = (size_t)m[0].rm_so;
	*len = (size_t)(m[0].rm_eo - m[0].rm_so);
	return true;
}

bool kb_rule_match(const struct kb *kb, const struct kb_rule_query *q,
		   struct kb_rule_hit *hit)
{
	char *lower;
	bool found = false;

	memset(hit, 0, sizeof *hit);
	if (q->text == NULL || kb->nrules == 0)
		return false;
	lower = xstrdup(q->text);
	kb_lower(lower);
	for (size_t i = 0; i < kb->nrules && !found; i++) {
		const struct kb_rule_impl *r = kb->rules[i];
		size_t off = 0, len = 0, u = 0, uoff, ulen;
		size_t c;

		if (!kb_rule_applies(&r->pub, q))
			continue;
		for (c = 0; c < r->ncues; c++)
			if (kb_cue_find(&r->cues[c], q->text, lower, &off, &len))
				break;
		if (c == r->ncues)
			continue;
		while (u < r->nunless && !kb_cue_find(&r->unless[u], q->text, lower, &uoff, &ulen))
			u++;
		if (u < r->nunless)
			continue;
		hit->rule = &r->pub;
		/* Show whole words: "greylist" matched in "Greylisted". */
		while (off > 0 && isalnum((unsigned char)q->text[off - 1]))
			off--, len++;
		while (isalnum((unsigned char)q->text[off + len]))
			len++;
		if (len >= sizeof hit->cue)
			len = sizeof hit->cue - 1;
		memcpy(hit->cue, q->text + off, len);
		hit->cue[len] = '\0';
		found = true;
	}
	free(lower);
	return found;
}

const struct kb_rule *kb_rule_at(const struct kb *kb, size_t i)
{
	return i < kb->nrules ? &kb->rules[i]->pub : NULL;
}

size_t kb_rule_count(const struct kb *kb)
{
	return kb->nrules;
}
