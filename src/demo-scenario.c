/* demo-scenario: the scenario file parser (format: help/README.md).
 *
 * Sans-I/O.  The entries lexer reads the file (the same grammar and
 * FILE:LINE errors as the knowledge base's) and checks each entry
 * against the key tables below; the builders here apply what it says.
 * A scenario with any problem is not used at all.  A parsed scenario
 * starts as a copy of the built-in one (the "happy" server) and changes
 * only what its file says. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/demo.h"
#include "smtpscope/entries.h"
#include "smtpscope/util.h"
#include "smtpscope/verb.h"

struct scn_parser {
	struct buf *errors;
	size_t nerrors;
	struct demo_scenario *sc;
	bool seen_scenario;
	size_t nehlo, nehlo_tls;
	bool greeting_given;
};

static void scn_sink(void *ctx, const char *message)
{
	struct scn_parser *p = ctx;

	buf_printf(p->errors, "%s\n", message);
	p->nerrors++;
}

/* A problem of the file as a whole (not of one entry). */
static void scn_error(struct scn_parser *p, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void scn_error(struct scn_parser *p, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = entries_vmessage(file, line, fmt, ap);
	va_end(ap);
	scn_sink(p, msg);
	free(msg);
}

static const char *scn_keep(struct demo_scenario *sc, char *s)
{
	sc->owned = xgrow(sc->owned, &sc->owned_cap, sc->nowned + 1, sizeof *sc->owned);
	sc->owned[sc->nowned++] = s;
	return s;
}

/* "1500" -> 1500; false if not a whole number up to max. */
static bool scn_number(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > (ULLONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* "3", "2-5", "3-" (3 or more), "-2" (up to 2). */
static bool scn_range(const char *s, struct demo_range *r)
{
	const char *dash = strchr(s, '-');
	char lo[32], hi[32];
	size_t n;

	r->set = true;
	r->lo = 0;
	r->hi = ULLONG_MAX;
	if (dash == NULL) {
		if (!scn_number(s, ULLONG_MAX, &r->lo))
			return false;
		r->hi = r->lo;
		return true;
	}
	n = (size_t)(dash - s);
	if (n >= sizeof lo || strlen(dash + 1) >= sizeof hi || (n == 0 && dash[1] == '\0'))
		return false;
	memcpy(lo, s, n);
	lo[n] = '\0';
	strcpy(hi, dash + 1);
	if (lo[0] && !scn_number(lo, ULLONG_MAX, &r->lo))
		return false;
	if (hi[0] && !scn_number(hi, ULLONG_MAX, &r->hi))
		return false;
	return r->lo <= r->hi;
}

/* "yes" or "no", which the key table has already required. */
static bool scn_yes(const char *s)
{
	return strcmp(s, "yes") == 0;
}

/* A reply line: three digits 200-599, then the end, a space or '-'. */
static bool scn_reply_line(const char *s)
{
	return s[0] >= '2' && s[0] <= '5' && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]) && (s[3] == '\0' || s[3] == ' ' || s[3] == '-');
}

/* Appends one reply line to a multi-line template ('\n' between lines);
 * a line that is not one is reported and left out, so every line of a
 * template has its three digits (scn_check_reply reads past them). */
static void scn_add_line(struct scn_parser *p, struct entry *e, const struct entry_field *f,
			 const char *what, const char **tmpl)
{
	const char *line = f->value.data;

	if (!scn_reply_line(line)) {
		entry_error(e, f->line, "a %s line starts with a code from 200 to 599: \"%s\"", what,
			    line);
		return;
	}
	*tmpl = scn_keep(p->sc, *tmpl ? xasprintf("%s\n%s", *tmpl, line) : xstrdup(line));
}

/* The lines of a multi-line reply must agree: "NNN-" on all but the last,
 * "NNN " (or "NNN") on the last, all with the same code. */
static void scn_check_reply(struct entry *e, const char *tmpl)
{
	const char *s = tmpl;

	if (tmpl == NULL)
		return;
	while (s) {
		const char *nl = strchr(s, '\n');

		if (strncmp(s, tmpl, 3) != 0)
			entry_error(e, e->line, "the lines of one reply must share its code (%.3s, then %.3s)",
				    tmpl, s);
		if (nl && s[3] != '-')
			entry_error(e, e->line, "a reply line followed by another must have '-' after the code (\"%.3s-...\")", s);
		if (!nl && s[3] == '-')
			entry_error(e, e->line, "the last line of a reply has a space after the code, not '-'");
		s = nl ? nl + 1 : NULL;
	}
}

/* The scenario shows each paragraph of a text (a lone "." in the file)
 * on a line of its own. */
static void scn_paragraphs_as_lines(struct buf *v)
{
	char *w = v->data;

	for (const char *r = v->data; r && *r; r++) {
		*w++ = *r;
		if (r[0] == '\n' && r[1] == '\n')
			r++;
	}
	if (w) {
		*w = '\0';
		v->len = (size_t)(w - v->data);
	}
}

/* ---- [on COMMAND] ----------------------------------------------------- */

static const char *const scn_yes_no[] = { "yes", "no", NULL };
static const char *const scn_tls_modes[] = { "none", "offered", "required", NULL };

#define R ENTRY_REQUIRED
#define L (ENTRY_REPEAT | ENTRY_ONE_LINE)

static const struct entry_key scn_rule_keys[] = {
	{ "to", 0, NULL }, { "from", 0, NULL }, { "arg", 0, NULL },
	{ "attempt", 0, NULL }, { "count", 0, NULL }, { "size", 0, NULL },
	{ "tls", 0, scn_yes_no }, { "authenticated", 0, scn_yes_no },
	{ "reply", L, NULL }, { "delay", 0, NULL }, { "disconnect", 0, scn_yes_no },
};

/* What a rule's header names: "any" (SMTP_V_UNKNOWN) or a verb the verb
 * table lets a scenario name; SMTP_V__COUNT if neither. */
static enum smtp_verb scn_rule_verb(const char *key)
{
	enum smtp_verb v = verb_from_key(key);

	if (strcmp(key, demo_rule_key(SMTP_V_UNKNOWN)) == 0)
		return SMTP_V_UNKNOWN;
	return v != SMTP_V__COUNT && (verb_info(v)->flags & VERB_SCENARIO) ? v : SMTP_V__COUNT;
}

static bool scn_rule_args(void *ctx, struct entry *e)
{
	struct scn_parser *p = ctx;
	const char *names[SMTP_V__COUNT + 1];
	size_t n = 0;
	struct buf use;
	enum smtp_verb v;

	if (!p->seen_scenario)
		entry_error(e, e->line, "the file must start with its [scenario NAME] entry");
	if (scn_rule_verb(e->args) != SMTP_V__COUNT)
		return true;
	while (verb_nth(VERB_SCENARIO, n, &v))
		names[n++] = verb_info(v)->key;
	names[n++] = demo_rule_key(SMTP_V_UNKNOWN);
	buf_init(&use);
	entries_list(&use, names, n);
	entry_error(e, e->line, "[on %s]: unknown command (use %s)", e->args, use.data);
	buf_free(&use);
	return false;
}

/* Applies a field of an [on COMMAND] rule. */
static void scn_rule_field(struct scn_parser *p, struct entry *e, struct demo_rule *r,
			   const struct entry_field *f)
{
	const char *key = f->key, *v = f->value.data;
	unsigned long long n;

	if (strcmp(key, "to") == 0 || strcmp(key, "from") == 0 || strcmp(key, "arg") == 0) {
		enum smtp_verb only = key[0] == 't' ? SMTP_V_RCPT : key[0] == 'f' ? SMTP_V_MAIL
						    : SMTP_V__COUNT;
		const char *kept = scn_keep(p->sc, xstrdup(v));

		if (only != SMTP_V__COUNT && r->verb != only)
			entry_error(e, f->line, "\"%s\" is a condition of [on %s] rules only", key,
				    demo_rule_key(only));
		if (key[0] == 't')
			r->to = kept;
		else if (key[0] == 'f')
			r->from = kept;
		else
			r->arg = kept;
	} else if (strcmp(key, "attempt") == 0 || strcmp(key, "count") == 0 ||
		   strcmp(key, "size") == 0) {
		struct demo_range *rg = key[0] == 'a' ? &r->attempt : key[0] == 'c' ? &r->count : &r->size;

		if (!scn_range(v, rg))
			entry_error(e, f->line, "\"%s\" wants a number or a range (3, 2-5, 3-, -2), not \"%s\"",
				    key, v);
		if (key[0] == 's' && r->verb != SMTP_V_MAIL && r->verb != SMTP_V_DOT)
			entry_error(e, f->line, "\"size\" is a condition of [on MAIL] (SIZE=) and [on DOT] rules only");
	} else if (strcmp(key, "tls") == 0) {
		r->tls = scn_yes(v);
	} else if (strcmp(key, "authenticated") == 0) {
		r->authenticated = scn_yes(v);
	} else if (strcmp(key, "reply") == 0) {
		scn_add_line(p, e, f, "reply", &r->reply);
	} else if (strcmp(key, "delay") == 0) {
		if (!scn_number(v, 60000, &n))
			entry_error(e, f->line, "\"delay\" wants milliseconds from 0 to 60000, not \"%s\"", v);
		else
			r->delay_ms = (unsigned)n;
	} else {
		r->disconnect = scn_yes(v);
	}
}

static void scn_rule_build(void *ctx, struct entry *e)
{
	struct scn_parser *p = ctx;
	struct demo_scenario *sc = p->sc;
	struct demo_rule *r;

	sc->rules = xrealloc(sc->rules, (sc->nrules + 1) * sizeof *sc->rules);
	r = &sc->rules[sc->nrules++];
	memset(r, 0, sizeof *r);
	r->verb = scn_rule_verb(e->args);
	r->tls = r->authenticated = -1;
	r->line = e->line;
	for (size_t i = 0; i < e->nfields; i++) {
		scn_paragraphs_as_lines(&e->fields[i].value);
		scn_rule_field(p, e, r, &e->fields[i]);
	}
	/* (a reply line left out as broken was reported; it still counts) */
	if (entry_get(e, "reply") == NULL && r->delay_ms == 0 && !r->disconnect)
		entry_error(e, e->line, "[on %s] does nothing: give it a reply, a delay or disconnect",
			    demo_rule_key(r->verb));
	scn_check_reply(e, r->reply);
}

/* ---- [scenario NAME] -------------------------------------------------- */

static const struct entry_key scn_scenario_keys[] = {
	{ "title", R, NULL }, { "lesson", R, NULL }, { "domain", 0, NULL },
	{ "local-domain", 0, NULL }, { "greeting", L, NULL }, { "greeting-delay", 0, NULL },
	{ "greeting-disconnect", 0, scn_yes_no }, { "delay", 0, NULL }, { "ehlo", L, NULL },
	{ "ehlo-tls", L, NULL }, { "size-limit", 0, NULL }, { "max-recipients", 0, NULL },
	{ "tls", 0, scn_tls_modes }, { "auth", 0, NULL }, { "auth-required", 0, scn_yes_no },
	{ "user", L, NULL },
};

static bool scn_scenario_args(void *ctx, struct entry *e)
{
	struct scn_parser *p = ctx;

	if (p->seen_scenario) {
		entry_error(e, e->line, "a second [scenario] header: one scenario per file");
		return false;
	}
	p->seen_scenario = true;
	if (e->args[0] == '\0' ||
	    strspn(e->args, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(e->args)) {
		entry_error(e, e->line, "[scenario NAME]: the name is lower-case letters, digits and '-'");
		return false;
	}
	p->sc->name = scn_keep(p->sc, xstrdup(e->args));
	return true;
}

static void scn_keyword(struct scn_parser *p, struct entry *e, const struct entry_field *f,
			const char **list, size_t *n)
{
	if (*n + 1 >= DEMO_MAX_KEYWORDS) {
		entry_error(e, f->line, "more than %d EHLO keywords", DEMO_MAX_KEYWORDS - 1);
		return;
	}
	list[(*n)++] = scn_keep(p->sc, xstrdup(f->value.data));
	list[*n] = NULL;
}

static void scn_user(struct scn_parser *p, struct entry *e, const struct entry_field *f)
{
	const char *v = f->value.data, *sp = strchr(v, ' ');
	struct demo_scenario *sc = p->sc;

	if (sp == NULL || sp == v || sp[1] == '\0' || strchr(sp + 1, ' ')) {
		entry_error(e, f->line, "\"user\" wants a name and a password: \"user: alice secret\"");
		return;
	}
	sc->users = xrealloc(sc->users, (sc->nusers + 1) * sizeof *sc->users);
	sc->users[sc->nusers].name = scn_keep(sc, xmemdup(v, (size_t)(sp - v)));
	sc->users[sc->nusers].password = scn_keep(sc, xstrdup(sp + 1));
	sc->nusers++;
}

/* Applies a field of the [scenario NAME] entry. */
static void scn_scenario_field(struct scn_parser *p, struct entry *e, const struct entry_field *f)
{
	struct demo_scenario *sc = p->sc;
	const char *key = f->key, *v = f->value.data;
	unsigned long long n;

	if (strcmp(key, "title") == 0) {
		sc->title = scn_keep(sc, xstrdup(v));
	} else if (strcmp(key, "lesson") == 0) {
		sc->lesson = scn_keep(sc, xstrdup(v));
	} else if (strcmp(key, "domain") == 0 || strcmp(key, "local-domain") == 0) {
		const char *kept = scn_keep(sc, xstrdup(v));

		if (strchr(v, ' ') || strchr(v, '@'))
			entry_error(e, f->line, "\"%s\" wants a domain name such as demo.test", key);
		if (key[0] == 'd')
			sc->domain = sc->local_domain = kept;
		else
			sc->local_domain = kept;
	} else if (strcmp(key, "greeting") == 0) {
		if (!p->greeting_given)
			sc->replies[DEMO_R_GREETING] = NULL;
		p->greeting_given = true;
		scn_add_line(p, e, f, "greeting", &sc->replies[DEMO_R_GREETING]);
	} else if (strcmp(key, "greeting-delay") == 0 || strcmp(key, "delay") == 0) {
		if (!scn_number(v, 60000, &n))
			entry_error(e, f->line, "\"%s\" wants milliseconds from 0 to 60000, not \"%s\"", key, v);
		else if (key[1] == 'r')
			sc->greeting_delay_ms = (unsigned)n;
		else
			sc->reply_delay_ms = (unsigned)n;
	} else if (strcmp(key, "greeting-disconnect") == 0) {
		sc->greeting_disconnect = scn_yes(v);
	} else if (strcmp(key, "auth-required") == 0) {
		sc->auth_required = scn_yes(v);
	} else if (strcmp(key, "ehlo") == 0) {
		scn_keyword(p, e, f, sc->ehlo_keywords, &p->nehlo);
	} else if (strcmp(key, "ehlo-tls") == 0) {
		scn_keyword(p, e, f, sc->ehlo_tls_keywords, &p->nehlo_tls);
	} else if (strcmp(key, "size-limit") == 0 || strcmp(key, "max-recipients") == 0) {
		if (!scn_number(v, key[0] == 's' ? ULLONG_MAX : 100000, &n))
			entry_error(e, f->line, "\"%s\" wants a whole number, not \"%s\"", key, v);
		else if (key[0] == 's')
			sc->size_max = n;
		else
			sc->max_recipients = (unsigned)n;
	} else if (strcmp(key, "tls") == 0) {
		static const enum demo_tls_mode modes[] = { DEMO_TLS_NONE, DEMO_TLS_OFFERED,
							    DEMO_TLS_REQUIRED };

		sc->tls = modes[entry_choice(e, "tls")];
	} else if (strcmp(key, "auth") == 0) {
		for (const char *m = v; *m; m++)
			if (!isupper((unsigned char)*m) && !isdigit((unsigned char)*m) &&
			    *m != ' ' && *m != '-' && *m != '_') {
				entry_error(e, f->line, "\"auth\" wants mechanism names such as \"PLAIN LOGIN\"");
				break;
			}
		sc->auth_mechs = scn_keep(sc, xstrdup(v));
	} else {
		scn_user(p, e, f);
	}
}

static void scn_scenario_build(void *ctx, struct entry *e)
{
	struct scn_parser *p = ctx;

	for (size_t i = 0; i < e->nfields; i++) {
		scn_paragraphs_as_lines(&e->fields[i].value);
		scn_scenario_field(p, e, &e->fields[i]);
	}
	scn_check_reply(e, p->sc->replies[DEMO_R_GREETING]);
}

#undef R
#undef L

static const struct entry_kind scn_kinds[] = {
	{ "scenario", "scenario NAME", scn_scenario_keys, UTIL_ARRAY_LEN(scn_scenario_keys),
	  scn_scenario_args, scn_scenario_build },
	{ "on", "on COMMAND", scn_rule_keys, UTIL_ARRAY_LEN(scn_rule_keys), scn_rule_args,
	  scn_rule_build },
};

static const struct entries_format scn_format = { scn_kinds, UTIL_ARRAY_LEN(scn_kinds) };

/* ---- translations: help/scenarios/LL/NAME.scn -------------------------- */

struct scn_lang {
	struct demo_scenario *sc;
	struct buf *errors;
	bool seen;
};

static const struct entry_key scn_lang_keys[] = {
	{ "title", 0, NULL }, { "lesson", 0, NULL }, { "source", ENTRY_ONE_LINE, NULL },
};

static void scn_lang_sink(void *ctx, const char *message)
{
	struct scn_lang *l = ctx;

	buf_printf(l->errors, "%s\n", message);
}

static bool scn_lang_args(void *ctx, struct entry *e)
{
	struct scn_lang *l = ctx;

	if (strcmp(e->args, l->sc->name) == 0)
		return true;
	entry_error(e, e->line, "[scenario %s]: this file translates the scenario \"%s\"",
		    e->args, l->sc->name);
	return false;
}

/* The checksum of the English title and lesson (as kb-lang.c's). */
static unsigned long scn_lang_checksum(const struct demo_scenario *sc)
{
	const char *title = sc->english_title ? sc->english_title : sc->title;
	const char *lesson = sc->english_title ? sc->english_lesson : sc->lesson;

	return util_fnv1a(util_fnv1a(2166136261ul, title), lesson);
}

static void scn_lang_build(void *ctx, struct entry *e)
{
	struct scn_lang *l = ctx;
	const char *source = entry_get(e, "source");
	char want[16];

	snprintf(want, sizeof want, "%08lx", scn_lang_checksum(l->sc));
	if (source == NULL || strcmp(source, want) != 0)
		entry_error(e, e->line,
			    "[scenario %s]: %s (the English text's checksum is now source: %s): check the translation against the English, then set it",
			    e->args, source ? "translated from an older English text" : "no source: checksum",
			    want);
	if (entry_get(e, "title") == NULL || entry_get(e, "lesson") == NULL)
		entry_error(e, e->line, "[scenario %s] %s: not translated", e->args,
			    entry_get(e, "title") ? "lesson" : "title");
	if (entry_get(e, "title"))
		l->sc->title = scn_keep(l->sc, entry_take(e, "title"));
	if (entry_get(e, "lesson"))
		l->sc->lesson = scn_keep(l->sc, entry_take(e, "lesson"));
	l->seen = true;
}

static const struct entry_kind scn_lang_kinds[] = {
	{ "scenario", "scenario NAME", scn_lang_keys, UTIL_ARRAY_LEN(scn_lang_keys),
	  scn_lang_args, scn_lang_build },
};

static const struct entries_format scn_lang_format = {
	scn_lang_kinds, UTIL_ARRAY_LEN(scn_lang_kinds)
};

size_t demo_scenario_translate(struct demo_scenario *sc, const char *file, const char *text,
			       size_t len, struct buf *errors)
{
	struct scn_lang l = { sc, errors, false };
	size_t n = entries_parse(&scn_lang_format, file, text, len, &l, scn_lang_sink);

	if (!l.seen && n == 0) {
		buf_printf(errors, "%s:0: no [scenario %s] entry\n", file, sc->name);
		n++;
	}
	return n;
}

const char *demo_rule_key(enum smtp_verb v)
{
	return v == SMTP_V_UNKNOWN ? "any" : verb_info(v)->key;
}

/* The base name of a path without ".scn", or NULL if it has none. */
static char *scn_file_name(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n <= 4 || strcmp(base + n - 4, ".scn") != 0)
		return NULL;
	return xmemdup(base, n - 4);
}

struct demo_scenario *demo_scenario_parse(const char *file, const char *text,
					  size_t len, struct buf *errors)
{
	struct scn_parser p;
	int lines = 0;
	char *want;

	memset(&p, 0, sizeof p);
	p.errors = errors;
	p.sc = xcalloc(1, sizeof *p.sc);
	*p.sc = *demo_default_scenario();
	p.sc->owned = NULL;
	p.sc->nowned = p.sc->owned_cap = 0;
	p.sc->ehlo_tls_keywords[0] = NULL;
	p.sc->file = scn_keep(p.sc, xstrdup(file));
	entries_parse(&scn_format, p.sc->file, text, len, &p, scn_sink);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n' || i + 1 == len;
	if (!p.seen_scenario)
		scn_error(&p, file, lines > 0 ? lines : 1, "no [scenario NAME] entry");
	want = scn_file_name(file);
	if (want && p.seen_scenario && strcmp(want, p.sc->name) != 0)
		scn_error(&p, file, 1, "the scenario is named \"%s\" but its file \"%s.scn\"",
			  p.sc->name, want);
	free(want);
	if (p.nerrors > 0) {
		demo_scenario_free(p.sc);
		return NULL;
	}
	p.sc->english_title = p.sc->title;
	p.sc->english_lesson = p.sc->lesson;
	return p.sc;
}

void demo_scenario_free(struct demo_scenario *sc)
{
	if (sc == NULL || sc == demo_default_scenario())
		return;
	for (size_t i = 0; i < sc->nowned; i++)
		free(sc->owned[i]);
	free(sc->owned);
	free(sc->users);
	free(sc->rules);
	free(sc);
}
