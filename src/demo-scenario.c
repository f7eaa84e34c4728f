/* demo-scenario: the scenario file parser (format: help/README.md).
 *
 * Sans-I/O, and written in the knowledge base's conventions (kb.c): a
 * file is entries, a header in square brackets, then "key: value" fields
 * with indented continuation lines; every problem is reported as
 * FILE:LINE and a scenario with any problem is not used at all.
 * A parsed scenario starts as a copy of the built-in one (the "happy"
 * server) and changes only what its file says. */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/demo.h"
#include "smtpscope/util.h"

/* The verbs an [on VERB] rule may name. */
static const char *const scn_verbs[] = {
	"EHLO", "HELO", "MAIL", "RCPT", "DATA", "DOT", "RSET", "NOOP", "VRFY",
	"EXPN", "HELP", "QUIT", "STARTTLS", "AUTH", "BDAT", "ETRN", "any",
};

enum scn_entry { SCN_NONE, SCN_SCENARIO, SCN_RULE, SCN_BAD };

struct scn_parser {
	const char *file;
	struct buf *errors;
	size_t nerrors;
	struct demo_scenario *sc;
	enum scn_entry entry;
	int entry_line;
	bool seen_scenario;
	/* the current field (continuations append to it) */
	char key[32];
	struct buf value;
	int field_line;
	bool in_field;
	/* fields given in this entry, for "given twice" */
	char seen[32][32];
	int seen_line[32];
	size_t nseen;
	size_t nehlo, nehlo_tls;
	bool greeting_given, ehlo_tls_given;
};

static void scn_error(struct scn_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void scn_error(struct scn_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	buf_printf(p->errors, "%s:%d: ", p->file, line);
	va_start(ap, fmt);
	buf_vprintf(p->errors, fmt, ap);
	va_end(ap);
	buf_addc(p->errors, '\n');
	p->nerrors++;
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

static bool scn_yes_no(const char *s, bool *out)
{
	if (strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* A reply line: three digits 200-599, then the end, a space or '-'. */
static bool scn_reply_line(const char *s)
{
	return s[0] >= '2' && s[0] <= '5' && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]) && (s[3] == '\0' || s[3] == ' ' || s[3] == '-');
}

/* Appends one line to a multi-line template ('\n' between lines). */
static void scn_add_line(struct scn_parser *p, const char **tmpl, const char *line)
{
	char *t = *tmpl ? xasprintf("%s\n%s", *tmpl, line) : xstrdup(line);

	*tmpl = scn_keep(p->sc, t);
}

/* The lines of a multi-line reply must agree: "NNN-" on all but the last,
 * "NNN " (or "NNN") on the last, all with the same code. */
static void scn_check_reply(struct scn_parser *p, const char *tmpl, int line)
{
	const char *s = tmpl;

	if (tmpl == NULL)
		return;
	while (s) {
		const char *nl = strchr(s, '\n');

		if (strncmp(s, tmpl, 3) != 0)
			scn_error(p, line, "the lines of one reply must share its code (%.3s, then %.3s)",
				  tmpl, s);
		if (nl && s[3] != '-')
			scn_error(p, line, "a reply line followed by another must have '-' after the code (\"%.3s-...\")", s);
		if (!nl && s[3] == '-')
			scn_error(p, line, "the last line of a reply has a space after the code, not '-'");
		s = nl ? nl + 1 : NULL;
	}
}

static struct demo_rule *scn_rule(struct scn_parser *p)
{
	return &p->sc->rules[p->sc->nrules - 1];
}

static bool scn_glob_field(const char *key)
{
	return strcmp(key, "to") == 0 || strcmp(key, "from") == 0 || strcmp(key, "arg") == 0;
}

/* Applies a finished field of an [on VERB] rule. */
static void scn_rule_field(struct scn_parser *p, const char *key, const char *v, int line)
{
	struct demo_rule *r = scn_rule(p);
	unsigned long long n;
	bool yes = false;

	if (scn_glob_field(key)) {
		const char *only = key[0] == 't' ? "RCPT" : key[0] == 'f' ? "MAIL" : NULL;
		const char *kept = scn_keep(p->sc, xstrdup(v));

		if (only && strcmp(r->verb, only) != 0)
			scn_error(p, line, "\"%s\" is a condition of [on %s] rules only", key, only);
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
			scn_error(p, line, "\"%s\" wants a number or a range (3, 2-5, 3-, -2), not \"%s\"",
				  key, v);
		if (key[0] == 's' && strcmp(r->verb, "MAIL") != 0 && strcmp(r->verb, "DOT") != 0)
			scn_error(p, line, "\"size\" is a condition of [on MAIL] (SIZE=) and [on DOT] rules only");
	} else if (strcmp(key, "tls") == 0 || strcmp(key, "authenticated") == 0) {
		if (!scn_yes_no(v, &yes))
			scn_error(p, line, "\"%s\" wants yes or no, not \"%s\"", key, v);
		if (key[0] == 't')
			r->tls = yes;
		else
			r->authenticated = yes;
	} else if (strcmp(key, "reply") == 0) {
		if (!scn_reply_line(v))
			scn_error(p, line, "a reply line starts with a code from 200 to 599: \"%s\"", v);
		scn_add_line(p, &r->reply, v);
	} else if (strcmp(key, "delay") == 0) {
		if (!scn_number(v, 60000, &n))
			scn_error(p, line, "\"delay\" wants milliseconds from 0 to 60000, not \"%s\"", v);
		else
			r->delay_ms = (unsigned)n;
	} else if (strcmp(key, "disconnect") == 0) {
		if (!scn_yes_no(v, &r->disconnect))
			scn_error(p, line, "\"disconnect\" wants yes or no, not \"%s\"", v);
	} else {
		scn_error(p, line, "unknown key \"%s\" in an [on %s] rule", key, r->verb);
	}
}

static void scn_keyword(struct scn_parser *p, const char **list, size_t *n, const char *v,
			int line)
{
	if (*n + 1 >= DEMO_MAX_KEYWORDS) {
		scn_error(p, line, "more than %d EHLO keywords", DEMO_MAX_KEYWORDS - 1);
		return;
	}
	list[(*n)++] = scn_keep(p->sc, xstrdup(v));
	list[*n] = NULL;
}

static void scn_user(struct scn_parser *p, const char *v, int line)
{
	const char *sp = strchr(v, ' ');
	struct demo_scenario *sc = p->sc;

	if (sp == NULL || sp == v || sp[1] == '\0' || strchr(sp + 1, ' ')) {
		scn_error(p, line, "\"user\" wants a name and a password: \"user: alice secret\"");
		return;
	}
	sc->users = xrealloc(sc->users, (sc->nusers + 1) * sizeof *sc->users);
	sc->users[sc->nusers].name = scn_keep(sc, xmemdup(v, (size_t)(sp - v)));
	sc->users[sc->nusers].password = scn_keep(sc, xstrdup(sp + 1));
	sc->nusers++;
}

/* Applies a finished field of the [scenario NAME] entry. */
static void scn_scenario_field(struct scn_parser *p, const char *key, const char *v, int line)
{
	struct demo_scenario *sc = p->sc;
	unsigned long long n;

	if (strcmp(key, "title") == 0) {
		sc->title = scn_keep(sc, xstrdup(v));
	} else if (strcmp(key, "lesson") == 0) {
		sc->lesson = scn_keep(sc, xstrdup(v));
	} else if (strcmp(key, "domain") == 0 || strcmp(key, "local-domain") == 0) {
		const char *kept = scn_keep(sc, xstrdup(v));

		if (strchr(v, ' ') || strchr(v, '@'))
			scn_error(p, line, "\"%s\" wants a domain name such as demo.test", key);
		if (key[0] == 'd')
			sc->domain = sc->local_domain = kept;
		else
			sc->local_domain = kept;
	} else if (strcmp(key, "greeting") == 0) {
		if (!p->greeting_given)
			sc->replies[DEMO_R_GREETING] = NULL;
		p->greeting_given = true;
		if (!scn_reply_line(v))
			scn_error(p, line, "a greeting line starts with a code from 200 to 599: \"%s\"", v);
		scn_add_line(p, &sc->replies[DEMO_R_GREETING], v);
	} else if (strcmp(key, "greeting-delay") == 0 || strcmp(key, "delay") == 0) {
		if (!scn_number(v, 60000, &n))
			scn_error(p, line, "\"%s\" wants milliseconds from 0 to 60000, not \"%s\"", key, v);
		else if (key[1] == 'r')
			sc->greeting_delay_ms = (unsigned)n;
		else
			sc->reply_delay_ms = (unsigned)n;
	} else if (strcmp(key, "greeting-disconnect") == 0 || strcmp(key, "auth-required") == 0) {
		if (!scn_yes_no(v, key[0] == 'g' ? &sc->greeting_disconnect : &sc->auth_required))
			scn_error(p, line, "\"%s\" wants yes or no, not \"%s\"", key, v);
	} else if (strcmp(key, "ehlo") == 0) {
		scn_keyword(p, sc->ehlo_keywords, &p->nehlo, v, line);
	} else if (strcmp(key, "ehlo-tls") == 0) {
		scn_keyword(p, sc->ehlo_tls_keywords, &p->nehlo_tls, v, line);
	} else if (strcmp(key, "size-limit") == 0 || strcmp(key, "max-recipients") == 0) {
		if (!scn_number(v, key[0] == 's' ? ULLONG_MAX : 100000, &n))
			scn_error(p, line, "\"%s\" wants a whole number, not \"%s\"", key, v);
		else if (key[0] == 's')
			sc->size_max = n;
		else
			sc->max_recipients = (unsigned)n;
	} else if (strcmp(key, "tls") == 0) {
		if (strcmp(v, "none") == 0)
			sc->tls = DEMO_TLS_NONE;
		else if (strcmp(v, "offered") == 0)
			sc->tls = DEMO_TLS_OFFERED;
		else if (strcmp(v, "required") == 0)
			sc->tls = DEMO_TLS_REQUIRED;
		else
			scn_error(p, line, "\"tls\" wants none, offered or required, not \"%s\"", v);
	} else if (strcmp(key, "auth") == 0) {
		for (const char *m = v; *m; m++)
			if (!isupper((unsigned char)*m) && !isdigit((unsigned char)*m) &&
			    *m != ' ' && *m != '-' && *m != '_') {
				scn_error(p, line, "\"auth\" wants mechanism names such as \"PLAIN LOGIN\"");
				break;
			}
		sc->auth_mechs = scn_keep(sc, xstrdup(v));
	} else if (strcmp(key, "user") == 0) {
		scn_user(p, v, line);
	} else {
		scn_error(p, line, "unknown key \"%s\" in a [scenario] entry", key);
	}
}

/* Keys a field may repeat: each one adds a line or an item. */
static bool scn_repeatable(const char *key)
{
	static const char *const keys[] = { "reply", "greeting", "ehlo", "ehlo-tls", "user" };

	for (size_t i = 0; i < UTIL_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

static void scn_field_end(struct scn_parser *p)
{
	const char *v;

	if (!p->in_field)
		return;
	p->in_field = false;
	v = p->value.data ? p->value.data : "";
	if (!scn_repeatable(p->key)) {
		for (size_t i = 0; i < p->nseen; i++)
			if (strcmp(p->seen[i], p->key) == 0) {
				scn_error(p, p->field_line, "\"%s\" given twice (first on line %d)",
					  p->key, p->seen_line[i]);
				return;
			}
		if (p->nseen < UTIL_ARRAY_LEN(p->seen)) {
			strcpy(p->seen[p->nseen], p->key);
			p->seen_line[p->nseen++] = p->field_line;
		}
	}
	if (*v == '\0') {
		scn_error(p, p->field_line, "\"%s\" is empty", p->key);
		return;
	}
	if (p->entry == SCN_SCENARIO)
		scn_scenario_field(p, p->key, v, p->field_line);
	else if (p->entry == SCN_RULE)
		scn_rule_field(p, p->key, v, p->field_line);
}

static bool scn_was_given(const struct scn_parser *p, const char *key)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (strcmp(p->seen[i], key) == 0)
			return true;
	return false;
}

static void scn_entry_end(struct scn_parser *p)
{
	scn_field_end(p);
	if (p->entry == SCN_SCENARIO) {
		if (!scn_was_given(p, "title"))
			scn_error(p, p->entry_line, "[scenario %s] lacks the required field \"title\"",
				  p->sc->name);
		if (!scn_was_given(p, "lesson"))
			scn_error(p, p->entry_line, "[scenario %s] lacks the required field \"lesson\"",
				  p->sc->name);
		scn_check_reply(p, p->sc->replies[DEMO_R_GREETING], p->entry_line);
	} else if (p->entry == SCN_RULE) {
		struct demo_rule *r = scn_rule(p);

		if (r->reply == NULL && r->delay_ms == 0 && !r->disconnect)
			scn_error(p, r->line, "[on %s] does nothing: give it a reply, a delay or disconnect",
				  r->verb);
		scn_check_reply(p, r->reply, r->line);
	}
	p->entry = SCN_NONE;
	p->nseen = 0;
}

static void scn_header(struct scn_parser *p, int line, const char *s, size_t n)
{
	char type[32] = "", arg[64] = "";
	const char *close = memchr(s, ']', n);
	size_t inner, tlen;

	scn_entry_end(p);
	p->entry = SCN_BAD;
	p->entry_line = line;
	if (close == NULL || close != s + n - 1) {
		scn_error(p, line, "a header is one line in square brackets, e.g. [on RCPT]");
		return;
	}
	inner = (size_t)(close - s - 1);
	tlen = strcspn(s + 1, " ]");
	if (tlen >= sizeof type || inner - tlen > sizeof arg) {
		scn_error(p, line, "header too long");
		return;
	}
	memcpy(type, s + 1, tlen);
	if (inner > tlen + 1)
		memcpy(arg, s + 2 + tlen, inner - tlen - 1);
	if (strcmp(type, "scenario") == 0) {
		if (p->seen_scenario) {
			scn_error(p, line, "a second [scenario] header: one scenario per file");
			return;
		}
		p->seen_scenario = true;
		if (arg[0] == '\0' || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(arg)) {
			scn_error(p, line, "[scenario NAME]: the name is lower-case letters, digits and '-'");
			return;
		}
		p->sc->name = scn_keep(p->sc, xstrdup(arg));
		p->entry = SCN_SCENARIO;
		return;
	}
	if (strcmp(type, "on") == 0) {
		struct demo_scenario *sc = p->sc;
		size_t i;

		if (!p->seen_scenario)
			scn_error(p, line, "the file must start with its [scenario NAME] entry");
		for (i = 0; i < UTIL_ARRAY_LEN(scn_verbs); i++)
			if (strcmp(scn_verbs[i], arg) == 0)
				break;
		if (i == UTIL_ARRAY_LEN(scn_verbs)) {
			scn_error(p, line, "[on %s]: unknown command (use EHLO, HELO, MAIL, RCPT, DATA, DOT, RSET, NOOP, VRFY, EXPN, HELP, QUIT, STARTTLS, AUTH, BDAT, ETRN or any)",
				  arg);
			return;
		}
		sc->rules = xrealloc(sc->rules, (sc->nrules + 1) * sizeof *sc->rules);
		memset(&sc->rules[sc->nrules], 0, sizeof *sc->rules);
		strcpy(sc->rules[sc->nrules].verb, scn_verbs[i]);
		sc->rules[sc->nrules].tls = sc->rules[sc->nrules].authenticated = -1;
		sc->rules[sc->nrules].line = line;
		sc->nrules++;
		p->entry = SCN_RULE;
		return;
	}
	scn_error(p, line, "unknown entry type [%s] (use [scenario NAME] or [on COMMAND])", type);
}

static void scn_field_start(struct scn_parser *p, int line, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t klen;

	scn_field_end(p);
	if (p->entry == SCN_NONE) {
		scn_error(p, line, "a field before any entry: start with [scenario NAME]");
		return;
	}
	if (colon == NULL) {
		scn_error(p, line, "expected \"key: value\" (continuation lines start with a space)");
		return;
	}
	klen = (size_t)(colon - s);
	if (klen == 0 || klen >= sizeof p->key || strspn(s, "abcdefghijklmnopqrstuvwxyz-") != klen) {
		scn_error(p, line, "\"%.*s\" is not a key (lower-case letters and '-')", (int)klen, s);
		return;
	}
	if (p->entry == SCN_BAD)
		return; /* the header was reported */
	memcpy(p->key, s, klen);
	p->key[klen] = '\0';
	buf_clear(&p->value);
	colon++;
	while (colon < s + n && (*colon == ' ' || *colon == '\t'))
		colon++;
	buf_add(&p->value, colon, (size_t)(s + n - colon));
	p->field_line = line;
	p->in_field = true;
}

static void scn_continuation(struct scn_parser *p, int line, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0)
		return;
	if (!p->in_field) {
		if (p->entry != SCN_BAD)
			scn_error(p, line, "a continuation line with no field above it");
		return;
	}
	if (scn_repeatable(p->key)) {
		scn_error(p, line, "\"%s\" is one line; give it again for another line", p->key);
		return;
	}
	if (n == 1 && s[0] == '.')
		buf_adds(&p->value, "\n");
	else {
		if (p->value.len > 0 && p->value.data[p->value.len - 1] != '\n')
			buf_addc(&p->value, ' ');
		buf_add(&p->value, s, n);
	}
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
	const char *end = text + len, *s = text;
	int lineno = 0;
	char *want;

	memset(&p, 0, sizeof p);
	p.file = file;
	p.errors = errors;
	p.sc = xcalloc(1, sizeof *p.sc);
	*p.sc = *demo_default_scenario();
	p.sc->owned = NULL;
	p.sc->nowned = p.sc->owned_cap = 0;
	p.sc->ehlo_tls_keywords[0] = NULL;
	p.sc->file = scn_keep(p.sc, xstrdup(file));
	buf_init(&p.value);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		const char *line = s;

		lineno++;
		s = nl ? nl + 1 : end;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (memchr(line, '\0', n)) {
			scn_error(&p, lineno, "NUL byte in the text");
			continue;
		}
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '[')
			scn_header(&p, lineno, line, n);
		else if (line[0] == ' ' || line[0] == '\t')
			scn_continuation(&p, lineno, line, n);
		else
			scn_field_start(&p, lineno, line, n);
	}
	scn_entry_end(&p);
	buf_free(&p.value);
	if (!p.seen_scenario)
		scn_error(&p, lineno > 0 ? lineno : 1, "no [scenario NAME] entry");
	want = scn_file_name(file);
	if (want && p.seen_scenario && strcmp(want, p.sc->name) != 0)
		scn_error(&p, 1, "the scenario is named \"%s\" but its file \"%s.scn\"",
			  p.sc->name, want);
	free(want);
	if (p.nerrors > 0) {
		demo_scenario_free(p.sc);
		return NULL;
	}
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
