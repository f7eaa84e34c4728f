/* kb-entry: the kinds of knowledge-base entry ([code], [enhanced],
 * [enhanced-class], [enhanced-subject], [diagnosis], [compare], [pattern],
 * [tls-error]; [rule] is in kb-rule.c, [extension] in kb-ext.c): for
 * each, its key table, a check of its header and its builder.  The
 * entries lexer reads the file and checks each entry against its table
 * before the builder sees it. */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "kb-private.h"

#define R ENTRY_REQUIRED
#define Q ENTRY_QUALIFIED
#define M ENTRY_REPEAT

/* ---- values ----------------------------------------------------------- */

/* The value of a plain field, kept in the kb; NULL if absent. */
const char *kb_get(struct kb *kb, struct entry *e, const char *key)
{
	char *v = entry_take(e, key);

	return v ? kb_keep(kb, v) : NULL;
}

/* Parses a whole decimal number in [lo, hi]; -1 if it is not one. */
static int kb_number(const char *s, size_t n, int lo, int hi)
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
bool kb_code_list(struct entry *e, int line, const char *s, int *out, size_t *n,
		  bool classes)
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
			entry_error(e, line, "\"%.*s\" is not a reply code%s (or the list has over %d)",
				    (int)len, s, classes ? " or a class like 5xx" : "", KB_MAX_RELATED);
			return false;
		}
		out[(*n)++] = v;
		s += len;
	}
	return true;
}

/* Lower-case letters, digits and hyphens, starting with a letter. */
static bool kb_valid_id(const char *s)
{
	if (!islower((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

bool kb_id_args(struct entry *e)
{
	if (kb_valid_id(e->args))
		return true;
	entry_error(e, e->line, "[%s %s]: a name is lower case letters, digits and hyphens",
		    e->kind->name, e->args);
	return false;
}

/* ---- [code NNN] ------------------------------------------------------- */

static const struct entry_key kb_code_keys[] = {
	{ "name", R, NULL }, { "summary", R, NULL }, { "description", R, NULL },
	{ "when", R, NULL }, { "fix", R, NULL }, { "differences", R, NULL },
	{ "related", R, NULL }, { "rfc", R, NULL }, { "diagnosis", R, NULL },
	{ "context", Q, NULL }, { "diagnosis", Q, NULL },
};

static bool kb_code_args(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	int code = kb_number(e->args, strlen(e->args), 200, 599);

	if (code < 0) {
		entry_error(e, e->line, "[code %s]: expected a three-digit code from 200 to 599",
			    e->args);
		return false;
	}
	if (kb->codes[code]) {
		entry_error(e, e->line, "[code %d] is already defined at %s:%d", code,
			    kb->codes[code]->file, kb->codes[code]->line);
		return false;
	}
	return true;
}

/* Every qualifier is a context name; false after errors (the list of
 * names is made only then: the parse of every start went through it). */
static bool kb_contexts_valid(struct entry *e)
{
	const char *names[KB_CTX__COUNT];
	bool ok = true;
	struct buf use;

	buf_init(&use);
	for (size_t i = 0; i < e->nfields; i++)
		if (e->fields[i].qual[0] && kb_ctx_from_name(e->fields[i].qual) == KB_CTX__COUNT) {
			if (use.len == 0) {
				for (int c = 0; c < KB_CTX__COUNT; c++)
					names[c] = kb_ctx_name((enum kb_ctx)c);
				entries_list(&use, names, KB_CTX__COUNT);
			}
			entry_error(e, e->fields[i].line, "unknown context \"%s\" (use %s)",
				    e->fields[i].qual, use.data);
			ok = false;
		}
	buf_free(&use);
	return ok;
}

static void kb_code_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	int code = kb_number(e->args, strlen(e->args), 200, 599);
	struct kb_code *c;

	if (!kb_contexts_valid(e))
		return;
	c = xcalloc(1, sizeof *c);
	c->code = code;
	c->file = e->file;
	c->line = e->line;
	for (size_t i = 0; i < e->nfields; i++) {
		struct entry_field *f = &e->fields[i];
		enum kb_ctx ctx_of = kb_ctx_from_name(f->qual);

		if (f->qual[0] == '\0')
			continue;
		if (strcmp(f->key, "context") == 0)
			c->context[ctx_of] = kb_keep(kb, buf_steal(&f->value));
		else
			c->ctx_diagnosis[ctx_of] = kb_keep(kb, buf_steal(&f->value));
	}
	c->name = kb_get(kb, e, "name");
	c->summary = kb_get(kb, e, "summary");
	c->description = kb_get(kb, e, "description");
	c->when = kb_get(kb, e, "when");
	c->fix = kb_get(kb, e, "fix");
	c->differences = kb_get(kb, e, "differences");
	c->rfc = kb_get(kb, e, "rfc");
	c->diagnosis = kb_get(kb, e, "diagnosis");
	if (!kb_code_list(e, entry_line(e, "related"), entry_get(e, "related"), c->related,
			  &c->nrelated, false)) {
		free(c);
		return;
	}
	kb->codes[code] = c;
	kb->ncodes++;
}

/* ---- [enhanced X.S.D] ------------------------------------------------- */

static const struct entry_key kb_enhanced_keys[] = {
	{ "name", R, NULL }, { "description", R, NULL }, { "fix", R, NULL },
	{ "basic", R, NULL }, { "rfc", R, NULL }, { "diagnosis", R, NULL },
	{ "deprecated", 0, NULL }, { "broad", 0, NULL },
};

/* "X.7.26" -> subject 7, detail 26. */
static bool kb_enhanced_code(const char *args, int *subject, int *detail)
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

static bool kb_enhanced_args(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	int subject, detail;

	if (!kb_enhanced_code(e->args, &subject, &detail)) {
		entry_error(e, e->line,
			    "[enhanced %s]: expected X.SUBJECT.DETAIL with subject 0-7 and detail 0-%d, e.g. X.1.1",
			    e->args, KB_MAX_DETAIL);
		return false;
	}
	if (kb->enh[subject][detail]) {
		entry_error(e, e->line, "[enhanced X.%d.%d] is already defined at %s:%d",
			    subject, detail, kb->enh[subject][detail]->file,
			    kb->enh[subject][detail]->line);
		return false;
	}
	return true;
}

static void kb_enhanced_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_enhanced *x = xcalloc(1, sizeof *x);

	kb_enhanced_code(e->args, &x->subject, &x->detail);
	x->file = e->file;
	x->line = e->line;
	x->name = kb_get(kb, e, "name");
	x->description = kb_get(kb, e, "description");
	x->fix = kb_get(kb, e, "fix");
	x->basic = kb_get(kb, e, "basic");
	x->rfc = kb_get(kb, e, "rfc");
	x->diagnosis = kb_get(kb, e, "diagnosis");
	x->deprecated = kb_get(kb, e, "deprecated");
	x->broad = kb_get(kb, e, "broad");
	kb->enh[x->subject][x->detail] = x;
	kb->nenh++;
}

/* ---- [enhanced-class C] and [enhanced-subject X.S] -------------------- */

static const struct entry_key kb_named_keys[] = {
	{ "name", R, NULL }, { "description", R, NULL },
};

/* The class's or subject's slot, or NULL after an error. */
static struct kb_named **kb_named_slot(struct kb *kb, struct entry *e)
{
	bool is_class = strcmp(e->kind->name, "enhanced-class") == 0;
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
		entry_error(e, e->line, is_class
			    ? "[enhanced-class %s]: expected 2, 4 or 5"
			    : "[enhanced-subject %s]: expected X.0 to X.7", e->args);
		return NULL;
	}
	return is_class ? &kb->classes[n] : &kb->subjects[n];
}

static bool kb_named_args(void *ctx, struct entry *e)
{
	struct kb_named **slot = kb_named_slot(ctx, e);

	if (slot && *slot) {
		entry_error(e, e->line, "[%s %s] is defined twice", e->kind->name, e->args);
		return false;
	}
	return slot != NULL;
}

static void kb_named_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_named **slot = kb_named_slot(kb, e);

	*slot = xcalloc(1, sizeof **slot);
	(*slot)->name = kb_get(kb, e, "name");
	(*slot)->description = kb_get(kb, e, "description");
}

/* ---- [diagnosis NAME] ------------------------------------------------- */

static const struct entry_key kb_diagnosis_keys[] = {
	{ "label", R, NULL }, { "description", R, NULL }, { "next", R, NULL },
};

static bool kb_diagnosis_args(void *ctx, struct entry *e)
{
	if (!kb_id_args(e))
		return false;
	if (kb_diagnosis(ctx, e->args)) {
		entry_error(e, e->line, "[diagnosis %s] is defined twice", e->args);
		return false;
	}
	return true;
}

static void kb_diagnosis_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_diagnosis *d;

	kb->diags = xgrow(kb->diags, &kb->diags_cap, kb->ndiags + 1, sizeof *kb->diags);
	d = &kb->diags[kb->ndiags++];
	d->id = kb_keep(kb, xstrdup(e->args));
	d->label = kb_get(kb, e, "label");
	d->description = kb_get(kb, e, "description");
	d->next = kb_get(kb, e, "next");
	d->file = e->file;
	d->line = e->line;
}

/* ---- [compare A B ...] ------------------------------------------------ */

static const struct entry_key kb_compare_keys[] = { { "text", R, NULL } };

static bool kb_compare_codes(struct entry *e, struct kb_compare *c)
{
	int tmp[KB_MAX_RELATED];
	size_t n;

	if (!kb_code_list(e, e->line, e->args, tmp, &n, false))
		return false;
	if (n < 2 || n > KB_MAX_COMPARE) {
		entry_error(e, e->line, "[compare %s]: list 2 to %d codes", e->args, KB_MAX_COMPARE);
		return false;
	}
	memcpy(c->codes, tmp, n * sizeof *tmp);
	c->ncodes = n;
	return true;
}

static bool kb_compare_args(void *ctx, struct entry *e)
{
	struct kb_compare c;

	(void)ctx;
	return kb_compare_codes(e, &c);
}

static void kb_compare_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_compare c = { 0 };

	kb_compare_codes(e, &c);
	c.text = kb_get(kb, e, "text");
	c.file = e->file;
	c.line = e->line;
	kb->compares = xgrow(kb->compares, &kb->compares_cap, kb->ncompares + 1,
			     sizeof *kb->compares);
	kb->compares[kb->ncompares++] = c;
}

/* Every "sample:" field, kept in the kb. */
const char **kb_samples(struct kb *kb, struct entry *e, size_t *n)
{
	const char **v = NULL;

	*n = 0;
	for (size_t i = 0; i < e->nfields; i++) {
		if (strcmp(e->fields[i].key, "sample") != 0)
			continue;
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = kb_keep(kb, buf_steal(&e->fields[i].value));
	}
	return v;
}

/* ---- matchers: [pattern NAME] and [tls-error NAME] -------------------- */

static struct kb_matchers *kb_matchers_of(struct kb *kb, const struct entry *e)
{
	return strcmp(e->kind->name, "pattern") == 0 ? &kb->patterns : &kb->tls;
}

unsigned kb_name_hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A name, unique among the entries of its kind. */
static bool kb_matcher_args(void *ctx, struct entry *e)
{
	struct kb_matchers *list = kb_matchers_of(ctx, e);
	unsigned h;

	if (!kb_id_args(e))
		return false;
	h = kb_name_hash(e->args);
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i]->id_hash == h && strcmp(list->v[i]->id, e->args) == 0) {
			entry_error(e, e->line, "[%s %s] is already defined at %s:%d", e->kind->name,
				    e->args, list->v[i]->file, list->v[i]->line);
			return false;
		}
	return true;
}

/* glibc's regcomp copies a repeated part once per repetition ("x{3}" is
 * xxx, "x+" is xx*), so stacked and nested repetitions multiply: 40 "+"
 * in a row, or "((x{99}){99}){99}", take gigabytes before regcomp
 * returns (found by fuzz-kb).  An upper estimate of the atoms the
 * compiled expression holds; matches over KB_REGEX_MAX_COPIES are
 * refused before regcomp sees them. */
#define KB_REGEX_MAX_COPIES 100000UL
#define KB_REGEX_MAX_DEPTH 32

static unsigned long kb_sat(unsigned long v)
{
	return v > KB_REGEX_MAX_COPIES ? KB_REGEX_MAX_COPIES + 1 : v;
}

/* Skips a bracket expression at s ('['); returns what follows it. */
static const char *kb_skip_bracket(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')
		s++;
	while (*s && *s != ']') {
		if (s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			char close = s[1];

			for (s += 2; *s && !(s[0] == close && s[1] == ']'); s++)
				;
			s += *s ? 2 : 0;
		} else {
			s++;
		}
	}
	return *s ? s + 1 : s;
}

/* The copies one repetition operator at *sp makes (advancing *sp), or 0
 * if *sp is not one. */
static unsigned long kb_repeat_factor(const char **sp)
{
	const char *s = *sp;
	unsigned long n = 0, m = 0;
	bool comma = false, has_m = false;

	if (*s == '*' || *s == '?') {
		*sp = s + 1;
		return 1;
	}
	if (*s == '+') {
		*sp = s + 1;
		return 2;
	}
	if (*s != '{' || !isdigit((unsigned char)s[1]))
		return 0;
	for (s++; isdigit((unsigned char)*s); s++)
		n = kb_sat(n * 10 + (unsigned long)(*s - '0'));
	if (*s == ',') {
		comma = true;
		for (s++; isdigit((unsigned char)*s); s++, has_m = true)
			m = kb_sat(m * 10 + (unsigned long)(*s - '0'));
	}
	if (*s != '}')
		return 0;
	*sp = s + 1;
	if (!comma)
		return n ? n : 1;
	return has_m ? (m > n ? m : n ? n : 1) : n + 1;
}

static unsigned long kb_regex_copies(const char *s)
{
	unsigned long sum[KB_REGEX_MAX_DEPTH + 1];
	size_t depth = 0;

	sum[0] = 0;
	while (*s) {
		unsigned long piece = 1, f;

		if (*s == '(') {
			if (++depth > KB_REGEX_MAX_DEPTH)
				return KB_REGEX_MAX_COPIES + 1;
			sum[depth] = 0;
			s++;
			continue;
		}
		if (*s == '|') {
			s++;
			continue;
		}
		if (*s == ')' && depth > 0) {
			piece = sum[depth--];
			s++;
		} else if (*s == '[') {
			s = kb_skip_bracket(s);
		} else if (*s == '\\' && s[1]) {
			s += 2;
		} else {
			s++;
		}
		while ((f = kb_repeat_factor(&s)) != 0)
			piece = kb_sat(piece * f);
		sum[depth] = kb_sat(sum[depth] + piece);
	}
	while (depth > 0) { /* unclosed: regcomp will say so */
		sum[depth - 1] = kb_sat(sum[depth - 1] + sum[depth]);
		depth--;
	}
	return sum[0];
}

/* Compiles r now; its regcomp() status. */
static int kb_regex_compile(struct kb_regex *r)
{
	int rc = regcomp(&r->re, r->src, REG_EXTENDED | REG_ICASE | r->flags);

	r->state = rc == 0 ? 1 : -1;
	return rc;
}

bool kb_regex_exec(struct kb_regex *r, const char *text, size_t nmatch, regmatch_t *m)
{
	if (r->state == 0)
		kb_regex_compile(r);
	return r->state > 0 && regexec(&r->re, text, nmatch, m, 0) == 0;
}

void kb_regex_free(struct kb_regex *r)
{
	if (r->state > 0)
		regfree(&r->re);
	r->state = 0;
}

bool kb_regex_prepare(struct kb *kb, struct entry *e, int line, const char *what,
		      const char *src, int flags, struct kb_regex *out)
{
	int rc;

	if (kb_regex_copies(src) > KB_REGEX_MAX_COPIES) {
		entry_error(e, line,
			    "%s repeats too much: over %lu atoms once compiled (nest or stack fewer repetitions)",
			    what, KB_REGEX_MAX_COPIES);
		return false;
	}
	out->src = kb_keep(kb, xstrdup(src));
	out->flags = flags;
	out->state = 0;
	if (kb->lazy_regex)
		return true;
	rc = kb_regex_compile(out);
	if (rc != 0) {
		char msg[200];

		regerror(rc, &out->re, msg, sizeof msg);
		entry_error(e, line, "%s is not a valid POSIX extended regular expression: %s",
			    what, msg);
		return false;
	}
	return true;
}

/* The shared builder: compiles the match, takes the samples and adds the
 * matcher to its kind's list.  NULL after an error. */
static struct kb_matcher *kb_matcher_build(struct kb *kb, struct entry *e)
{
	struct kb_matchers *list = kb_matchers_of(kb, e);
	struct kb_matcher *m = xcalloc(1, sizeof *m);

	if (!kb_regex_prepare(kb, e, entry_line(e, "match"), "match", entry_get(e, "match"),
			      REG_NOSUB, &m->re)) {
		free(m);
		return NULL;
	}
	m->match = m->re.src;
	m->id = kb_keep(kb, xstrdup(e->args));
	m->id_hash = kb_name_hash(m->id);
	m->file = e->file;
	m->line = e->line;
	m->samples = kb_samples(kb, e, &m->nsamples);
	list->v = xgrow(list->v, &list->cap, list->n + 1, sizeof *list->v);
	list->v[list->n++] = m;
	return m;
}

static const struct entry_key kb_pattern_keys[] = {
	{ "who", R, NULL }, { "kind", R, NULL }, { "match", R, NULL },
	{ "codes", 0, NULL }, { "means", R, NULL }, { "action", R, NULL },
	{ "diagnosis", R, NULL }, { "enhanced-note", 0, NULL }, { "sample", R | M, NULL },
};

static bool kb_pattern_kind(const char *s, enum kb_pattern_kind *kind)
{
	for (int i = KB_KIND_PROVIDER; i <= KB_KIND_BLOCKLIST; i++)
		if (strcmp(s, kb_kind_name((enum kb_pattern_kind)i)) == 0) {
			*kind = (enum kb_pattern_kind)i;
			return true;
		}
	return false;
}

static void kb_pattern_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_pattern p = { 0 };
	const char *kind = entry_get(e, "kind"), *codes = entry_get(e, "codes");
	struct kb_matcher *m;

	if (!kb_pattern_kind(kind, &p.kind)) {
		entry_error(e, entry_line(e, "kind"),
			    "kind \"%s\": use provider, mta, filter or blocklist", kind);
		return;
	}
	if (codes && !kb_code_list(e, entry_line(e, "codes"), codes, p.codes, &p.ncodes, true))
		return;
	if ((m = kb_matcher_build(kb, e)) == NULL)
		return;
	KB_MATCHER_EXPOSE(&p, m);
	p.who = kb_get(kb, e, "who");
	p.means = kb_get(kb, e, "means");
	p.action = kb_get(kb, e, "action");
	p.diagnosis = kb_get(kb, e, "diagnosis");
	p.enhanced_note = kb_get(kb, e, "enhanced-note");
	m->as.pattern = p;
}

static const struct entry_key kb_tls_keys[] = {
	{ "match", R, NULL }, { "title", R, NULL }, { "cause", R, NULL },
	{ "next", R, NULL }, { "sample", M, NULL },
};

static void kb_tls_build(void *ctx, struct entry *e)
{
	struct kb *kb = ctx;
	struct kb_matcher *m = kb_matcher_build(kb, e);
	struct kb_tls_error *t;

	if (m == NULL)
		return;
	t = &m->as.tls;
	KB_MATCHER_EXPOSE(t, m);
	t->title = kb_get(kb, e, "title");
	t->cause = kb_get(kb, e, "cause");
	t->next = kb_get(kb, e, "next");
}

/* ---- the format ------------------------------------------------------- */

#define KB_KIND(name, usage, keys, args, build) \
	{ name, usage, keys, UTIL_ARRAY_LEN(keys), args, build }

static const struct entry_kind kb_kinds[] = {
	KB_KIND("code", "code NNN", kb_code_keys, kb_code_args, kb_code_build),
	KB_KIND("enhanced", "enhanced X.S.D", kb_enhanced_keys, kb_enhanced_args,
		kb_enhanced_build),
	KB_KIND("enhanced-class", "enhanced-class C", kb_named_keys, kb_named_args,
		kb_named_build),
	KB_KIND("enhanced-subject", "enhanced-subject X.S", kb_named_keys, kb_named_args,
		kb_named_build),
	KB_KIND("diagnosis", "diagnosis NAME", kb_diagnosis_keys, kb_diagnosis_args,
		kb_diagnosis_build),
	KB_KIND("compare", "compare A B ...", kb_compare_keys, kb_compare_args, kb_compare_build),
	KB_KIND("pattern", "pattern NAME", kb_pattern_keys, kb_matcher_args, kb_pattern_build),
	KB_KIND("tls-error", "tls-error NAME", kb_tls_keys, kb_matcher_args, kb_tls_build),
	KB_KIND("rule", "rule NAME", kb_rule_keys, kb_rule_args, kb_rule_build),
	KB_KIND("extension", "extension KEYWORD", kb_ext_keys, kb_ext_args, kb_ext_build),
};

const struct entries_format kb_format = { kb_kinds, UTIL_ARRAY_LEN(kb_kinds) };
