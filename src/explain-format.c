/* explain-format: an explanation as one line (transcript), as sections of
 * wrapped text (explain command, explanation pane) and as JSON. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"

/* Display columns of UTF-8 text: Korean and other wide characters take
 * two, so wrapped lines keep their width in any language. */
static size_t fmt_cols(const char *s, size_t n)
{
	return util_display_width(s, n);
}

/* Appends text word-wrapped to width columns, every line indented; "\n\n"
 * in the text starts a new paragraph.  width 0: no wrapping. */
static void fmt_wrap(struct buf *out, const char *text, size_t indent, size_t width)
{
	const char *p = text;
	size_t col = 0;

	while (*p) {
		size_t n;

		if (*p == '\n') {
			if (col > 0)
				buf_addc(out, '\n');
			if (p[1] == '\n')
				buf_addc(out, '\n');
			col = 0;
			p += p[1] == '\n' ? 2 : 1;
			continue;
		}
		if (*p == ' ') {
			p++;
			continue;
		}
		n = strcspn(p, " \n");
		if (col == 0) {
			for (size_t i = 0; i < indent; i++)
				buf_addc(out, ' ');
			col = indent;
		} else if (width && col + 1 + fmt_cols(p, n) > width) {
			buf_addc(out, '\n');
			for (size_t i = 0; i < indent; i++)
				buf_addc(out, ' ');
			col = indent;
		} else {
			buf_addc(out, ' ');
			col++;
		}
		buf_add(out, p, n);
		col += fmt_cols(p, n);
		p += n;
	}
	if (col > 0)
		buf_addc(out, '\n');
}

/* A heading, formatted, after a blank line when `gap`, and wrapped at
 * words like the text under it. */
static void fmt_heading(struct buf *out, size_t width, bool gap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fmt_heading(struct buf *out, size_t width, bool gap, const char *fmt, ...)
{
	struct buf h;
	va_list ap;

	buf_init(&h);
	va_start(ap, fmt);
	buf_vprintf(&h, fmt, ap);
	va_end(ap);
	if (gap)
		buf_addc(out, '\n');
	fmt_wrap(out, h.data, 0, width);
	buf_free(&h);
}

/* A heading line, then the text wrapped under it. */
static void fmt_section(struct buf *out, const char *heading, const char *text, size_t width)
{
	if (text == NULL || *text == '\0')
		return;
	buf_printf(out, "\n%s\n", heading);
	fmt_wrap(out, text, 2, width);
}

/* The first sentence of a text, at most max bytes (cut at a word). */
static void fmt_first_sentence(struct buf *out, const char *text, size_t max)
{
	size_t n = 0, len = strlen(text);

	while (n < len) {
		if (text[n] == '\n' || (text[n] == '.' && (text[n + 1] == ' ' || text[n + 1] == '\0' ||
							    text[n + 1] == '\n'))) {
			n += text[n] == '.';
			break;
		}
		n++;
	}
	if (n > max) {
		n = max;
		while (n > 0 && text[n] != ' ')
			n--;
		buf_add(out, text, n ? n : max);
		buf_adds(out, "...");
		return;
	}
	buf_add(out, text, n);
}

static const char *fmt_enh_source(enum explain_enh_source s)
{
	switch (s) {
	case EXPLAIN_ENH_START: return "start";
	case EXPLAIN_ENH_HASH: return "hash";
	case EXPLAIN_ENH_TEXT: return "text";
	case EXPLAIN_ENH_GIVEN: return "given";
	default: return "none";
	}
}

static const char *fmt_enh_source_text(enum explain_enh_source s)
{
	switch (s) {
	case EXPLAIN_ENH_START: return _("at the start of the text, where RFC 2034 puts it");
	case EXPLAIN_ENH_HASH: return _("inside the text after '#'");
	case EXPLAIN_ENH_TEXT: return _("inside the text");
	case EXPLAIN_ENH_GIVEN: return _("as given");
	default: return "";
	}
}

void explain_wrap(struct buf *out, const char *text, size_t indent, size_t width)
{
	fmt_wrap(out, text, indent, width);
}

void explain_format_short(const struct explanation *x, struct buf *out)
{
	const char *line = x->context_meaning ? x->context_meaning
			   : x->entry ? x->entry->summary : x->class_meaning;

	if (x->code >= 0)
		buf_printf(out, "%03d", x->code);
	else
		buf_adds(out, "???");
	if (x->enh.source != EXPLAIN_ENH_NONE)
		buf_printf(out, " %s", x->enh.text);
	if (x->diagnosis)
		buf_printf(out, " %s", x->diagnosis->id);
	if (line) {
		buf_adds(out, ": ");
		fmt_first_sentence(out, line, 110);
	}
	if (x->pattern)
		buf_printf(out, " [%s: %s]", x->pattern->who, x->pattern->id);
	else if (x->rule_decided)
		buf_printf(out, " [rule %s: \"%s\"]", x->rule.rule->id, x->rule.cue);
	if (x->decoded)
		buf_printf(out, " [base64: \"%s\"]", x->decoded);
}

static void fmt_enhanced_long(const struct explanation *x, struct buf *out, size_t width)
{
	const struct explain_enh *e = &x->enh;

	if (e->source == EXPLAIN_ENH_NONE)
		return;
	fmt_heading(out, width, true, _("Enhanced code %s%s%s (%s)"), e->text,
		    e->entry ? " — " : "", e->entry ? e->entry->name : "",
		    fmt_enh_source_text(e->source));
	if (e->entry) {
		fmt_wrap(out, e->entry->description, 2, width);
		buf_printf(out, "  %s\n", _("What to do:"));
		fmt_wrap(out, e->entry->fix, 4, width);
		if (e->entry->broad) {
			buf_printf(out, "  %s\n", _("A broad code:"));
			fmt_wrap(out, e->entry->broad, 4, width);
		}
	}
	if (e->cls_entry)
		buf_printf(out, _("  class %d: %s\n"), e->cls, e->cls_entry->name);
	if (e->subject_entry)
		buf_printf(out, _("  subject %d: %s\n"), e->subject, e->subject_entry->name);
	if (e->entry)
		buf_printf(out, _("  registry: basic code %s; %s\n"), e->entry->basic, e->entry->rfc);
}

void explain_format_long(const struct explanation *x, struct buf *out, size_t width)
{
	const struct kb_code *c = x->entry;
	char head[64];

	if (x->code >= 0)
		snprintf(head, sizeof head, "%03d%s%s", x->code,
			 x->enh.source != EXPLAIN_ENH_NONE ? " " : "", x->enh.text);
	else if (x->enh.source == EXPLAIN_ENH_GIVEN)
		snprintf(head, sizeof head, _("Enhanced status code %s"), x->enh.text);
	else
		snprintf(head, sizeof head, "%s", _("(no code)"));
	if (x->code >= 0 || x->enh.source != EXPLAIN_ENH_GIVEN)
		fmt_heading(out, width, false, "%s — %s", head,
			    c ? c->name : _("no entry in the knowledge base"));
	else
		fmt_heading(out, width, false, "%s — %s", head,
			    x->enh.entry ? x->enh.entry->name : _("not in the IANA registry"));
	if (x->class_meaning)
		buf_printf(out, "  %dyz  %s\n", x->code / 100, x->class_meaning);
	if (x->category_meaning)
		buf_printf(out, "  x%dz  %s\n", x->code / 10 % 10, x->category_meaning);
	if (x->context_meaning) {
		char h[64];

		snprintf(h, sizeof h, _("As the reply to %s"), kb_ctx_name(x->ctx));
		fmt_section(out, x->ctx == KB_CTX_ANY ? _("As the reply to any command") : h,
			    x->context_meaning, width);
	}
	if (!x->has_ctx && c) {
		bool any = false;

		for (int i = 0; i < KB_CTX__COUNT; i++) {
			if (c->context[i] == NULL)
				continue;
			if (!any)
				buf_printf(out, "\n%s\n", _("Meaning by the command it answers"));
			any = true;
			buf_printf(out, "  %s\n", i == KB_CTX_DOT ? _("after the final dot (DOT)")
				   : i == KB_CTX_ANY ? _("any other command")
				   : i == KB_CTX_GREETING ? _("greeting") : kb_ctx_name((enum kb_ctx)i));
			fmt_wrap(out, c->context[i], 4, width);
		}
	}
	explain_format_extensions(x, out, width);
	if (x->decoded)
		buf_printf(out, _("\nDecoded from base64: \"%s\"\n"), x->decoded);
	if (x->diagnosis) {
		fmt_heading(out, width, true, _("Diagnosis: %s — %s (from the %s)"), x->diagnosis->id,
			    x->diagnosis->label, _(x->diagnosis_from));
		if (x->rule.rule && !x->pattern) {
			struct buf why;

			buf_init(&why);
			buf_printf(&why, _("%s \"%s\" (rule %s, %s:%d)."),
				   x->rule_decided ? _("Why: the text says") : _("The text agrees:"),
				   x->rule.cue, x->rule.rule->id, x->rule.rule->file, x->rule.rule->line);
			if (x->rule.rule->note)
				buf_printf(&why, " %s", x->rule.rule->note);
			fmt_wrap(out, why.data, 2, width);
			buf_free(&why);
		}
		fmt_wrap(out, x->diagnosis->description, 2, width);
		buf_printf(out, "  %s\n", _("Next step:"));
		fmt_wrap(out, x->diagnosis->next, 4, width);
	}
	if (x->pattern) {
		fmt_heading(out, width, true, _("Recognised: %s (%s; pattern %s)"), x->pattern->who,
			    kb_kind_name(x->pattern->kind), x->pattern->id);
		fmt_wrap(out, x->pattern->means, 2, width);
		buf_printf(out, "  %s\n", _("What to do:"));
		fmt_wrap(out, x->pattern->action, 4, width);
		if (x->pattern->enhanced_note) {
			buf_printf(out, "  %s\n", _("About its enhanced code:"));
			fmt_wrap(out, x->pattern->enhanced_note, 4, width);
		}
	}
	fmt_enhanced_long(x, out, width);
	if (c) {
		fmt_section(out, _("What it means"), c->description, width);
		fmt_section(out, _("When you see it"), c->when, width);
		fmt_section(out, _("How to fix it"), c->fix, width);
		fmt_section(out, _("Key differences"), c->differences, width);
		if (c->nrelated) {
			buf_printf(out, "\n%s", _("Related:"));
			for (size_t i = 0; i < c->nrelated; i++)
				buf_printf(out, " %d", c->related[i]);
			buf_printf(out, "  (smtpscope explain --compare %d %d)\n", c->code, c->related[0]);
		}
		buf_printf(out, _("Defined in: %s\n"), c->rfc);
	}
	if (x->nnotes) {
		buf_printf(out, "\n%s\n", _("Notes"));
		for (size_t i = 0; i < x->nnotes; i++) {
			struct buf note;

			buf_init(&note);
			buf_printf(&note, "- %s", x->notes[i]);
			fmt_wrap(out, note.data, 2, width);
			buf_free(&note);
		}
	}
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_key(struct buf *out, bool *first, const char *key)
{
	buf_adds(out, *first ? "" : ",");
	*first = false;
	util_json_string(out, key);
	buf_addc(out, ':');
}

static void json_str(struct buf *out, bool *first, const char *key, const char *val)
{
	util_json_member(out, first, key, val);
}

static void json_int(struct buf *out, bool *first, const char *key, int val)
{
	json_key(out, first, key);
	buf_printf(out, "%d", val);
}

static void json_enhanced(const struct explanation *x, struct buf *out)
{
	const struct explain_enh *e = &x->enh;
	bool f = true;

	if (e->source == EXPLAIN_ENH_NONE) {
		buf_adds(out, "null");
		return;
	}
	buf_addc(out, '{');
	json_str(out, &f, "code", e->text);
	json_str(out, &f, "source", fmt_enh_source(e->source));
	json_key(out, &f, "registered");
	buf_adds(out, e->entry ? "true" : "false");
	json_str(out, &f, "name", e->entry ? e->entry->name : NULL);
	json_str(out, &f, "description", e->entry ? e->entry->description : NULL);
	json_str(out, &f, "fix", e->entry ? e->entry->fix : NULL);
	json_str(out, &f, "class_meaning", e->cls_entry ? e->cls_entry->name : NULL);
	json_str(out, &f, "subject_meaning", e->subject_entry ? e->subject_entry->name : NULL);
	json_str(out, &f, "deprecated", e->entry ? e->entry->deprecated : NULL);
	buf_addc(out, '}');
}

static void json_diagnosis(const struct explanation *x, struct buf *out)
{
	bool f = true;

	if (x->diagnosis == NULL) {
		buf_adds(out, "null");
		return;
	}
	buf_addc(out, '{');
	json_str(out, &f, "id", x->diagnosis->id);
	json_str(out, &f, "label", x->diagnosis->label);
	json_str(out, &f, "description", x->diagnosis->description);
	json_str(out, &f, "next", x->diagnosis->next);
	json_str(out, &f, "from", x->diagnosis_from);
	json_key(out, &f, "rule");
	if (x->rule.rule && !x->pattern) {
		const struct kb_rule *r = x->rule.rule;
		bool g = true;

		buf_addc(out, '{');
		json_str(out, &g, "id", r->id);
		json_key(out, &g, "decided");
		buf_adds(out, x->rule_decided ? "true" : "false");
		json_str(out, &g, "cue", x->rule.cue);
		json_str(out, &g, "file", r->file);
		json_key(out, &g, "line");
		buf_printf(out, "%d", r->line);
		json_str(out, &g, "note", r->note);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_addc(out, '}');
}

static void json_provider(const struct explanation *x, struct buf *out)
{
	const struct kb_pattern *p = x->pattern;
	bool f = true;

	if (p == NULL) {
		buf_adds(out, "null");
		return;
	}
	buf_addc(out, '{');
	json_str(out, &f, "pattern", p->id);
	json_str(out, &f, "who", p->who);
	json_str(out, &f, "kind", kb_kind_name(p->kind));
	json_str(out, &f, "means", p->means);
	json_str(out, &f, "action", p->action);
	json_str(out, &f, "enhanced_note", p->enhanced_note);
	buf_addc(out, '}');
}

void explain_format_json(const struct explanation *x, struct buf *out)
{
	const struct kb_code *c = x->entry;
	bool f = true;

	buf_addc(out, '{');
	json_key(out, &f, "code");
	buf_printf(out, x->code >= 0 ? "%d" : "null", x->code);
	json_str(out, &f, "name", c ? c->name : NULL);
	json_str(out, &f, "summary", c ? c->summary : NULL);
	json_str(out, &f, "class_meaning", x->class_meaning);
	json_str(out, &f, "category_meaning", x->category_meaning);
	json_str(out, &f, "context", kb_ctx_name(x->ctx));
	json_str(out, &f, "context_meaning", x->context_meaning);
	json_key(out, &f, "enhanced");
	json_enhanced(x, out);
	json_key(out, &f, "diagnosis");
	json_diagnosis(x, out);
	json_key(out, &f, "provider");
	json_provider(x, out);
	json_str(out, &f, "description", c ? c->description : NULL);
	json_str(out, &f, "when", c ? c->when : NULL);
	json_str(out, &f, "fix", c ? c->fix : NULL);
	json_str(out, &f, "differences", c ? c->differences : NULL);
	json_key(out, &f, "related");
	buf_addc(out, '[');
	for (size_t i = 0; c && i < c->nrelated; i++)
		buf_printf(out, "%s%d", i ? "," : "", c->related[i]);
	buf_addc(out, ']');
	json_str(out, &f, "rfc", c ? c->rfc : NULL);
	json_str(out, &f, "text", x->text);
	json_str(out, &f, "decoded", x->decoded);
	json_key(out, &f, "extensions");
	explain_json_extensions(x, out);
	json_key(out, &f, "notes");
	buf_addc(out, '[');
	for (size_t i = 0; i < x->nnotes; i++) {
		if (i)
			buf_addc(out, ',');
		util_json_string(out, x->notes[i]);
	}
	buf_addc(out, ']');
	buf_addc(out, '}');
}

/* ---- comparisons ---------------------------------------------------------- */

static void compare_one_text(const struct kb *kb, int code, struct buf *out, size_t width)
{
	const struct kb_code *c = kb_code(kb, code);

	buf_printf(out, "%03d — %s\n", code, c ? c->name : _("no entry in the knowledge base"));
	buf_printf(out, "  %dyz %s; x%dz %s\n", code / 100,
		   explain_class(code) ? explain_class(code) : _("not a valid class"),
		   code / 10 % 10, explain_category(code) ? explain_category(code) : _("undefined"));
	if (c)
		fmt_wrap(out, c->summary, 2, width);
}

static void compare_one_json(const struct kb *kb, int code, struct buf *out)
{
	const struct kb_code *c = kb_code(kb, code);
	bool f = true;

	buf_addc(out, '{');
	json_int(out, &f, "code", code);
	json_str(out, &f, "name", c ? c->name : NULL);
	json_str(out, &f, "summary", c ? c->summary : NULL);
	json_str(out, &f, "class_meaning", explain_class(code));
	json_str(out, &f, "category_meaning", explain_category(code));
	json_str(out, &f, "differences", c ? c->differences : NULL);
	buf_addc(out, '}');
}

bool explain_compare(const struct kb *kb, int a, int b, bool json, struct buf *out)
{
	const struct kb_compare *cmp;

	if (a < 200 || a > 599 || b < 200 || b > 599)
		return false;
	cmp = kb_compare_find(kb, a, b);
	if (json) {
		bool f = true;

		buf_addc(out, '{');
		json_key(out, &f, "codes");
		buf_addc(out, '[');
		compare_one_json(kb, a, out);
		buf_addc(out, ',');
		compare_one_json(kb, b, out);
		buf_addc(out, ']');
		json_key(out, &f, "group");
		buf_addc(out, '[');
		for (size_t i = 0; cmp && i < cmp->ncodes; i++)
			buf_printf(out, "%s%d", i ? "," : "", cmp->codes[i]);
		buf_addc(out, ']');
		json_str(out, &f, "comparison", cmp ? cmp->text : NULL);
		buf_addc(out, '}');
		return true;
	}
	compare_one_text(kb, a, out, 78);
	buf_addc(out, '\n');
	compare_one_text(kb, b, out, 78);
	if (cmp) {
		buf_adds(out, _("\nHow they differ ("));
		for (size_t i = 0; i < cmp->ncodes; i++)
			buf_printf(out, "%s%d", i ? ", " : "", cmp->codes[i]);
		buf_adds(out, ")\n");
		fmt_wrap(out, cmp->text, 2, 78);
	} else {
		const struct kb_code *ca = kb_code(kb, a), *cb = kb_code(kb, b);

		buf_adds(out, _("\nNo comparison of these two is written; what each entry says about its neighbours:\n"));
		if (ca)
			fmt_section(out, "", ca->differences, 78);
		if (cb)
			fmt_section(out, "", cb->differences, 78);
	}
	return true;
}
