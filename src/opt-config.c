/* opt-config: options from a config file's text and from an environment
 * array, each through its row of the option table (opt_apply), so values
 * are checked and refused as on the command line, after "FILE:LINE: " or
 * the variable's name.  Sans-I/O: the caller reads the file and says who
 * may read it (opt-config-file.c); errors go to the stream given. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/i18n.h"
#include "smtpscope/opt-config.h"
#include "smtpscope/opt.h"
#include "smtpscope/util.h"

/* Option names longer than this get no "did you mean". */
#define OPT_CONFIG_NAME_MAX 63

void opt_config_free(struct opt_config *c)
{
	free(c->text);
	c->text = NULL;
}

bool opt_config_private(const struct opt_config_file *f)
{
	return (f->mode & 077) == 0 && f->owned;
}

int opt_config_run_file(const struct opt_table *t, const struct opt_spec *s,
			const char *arg, void *base)
{
	(void)t, (void)s, (void)arg, (void)base;
	return -1; /* done by opt_config_parse's scan */
}

int opt_config_run_none(const struct opt_table *t, const struct opt_spec *s,
			const char *arg, void *base)
{
	(void)t, (void)s, (void)arg, (void)base;
	return -1;
}

/* "SMTPSCOPE_OPT_" for prog "smtpscope" (caller frees). */
static char *opt_config_env_prefix(const struct opt_table *t)
{
	char *p = xasprintf("%s_OPT_", t->prog);

	for (char *q = p; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
		else if (*q == '-')
			*q = '_';
	return p;
}

/* Text a message may show as it is: nothing util_escape() would change
 * but a tab or a backslash (no control, invisible or invalid byte). */
static bool opt_config_plain(const char *p, size_t n)
{
	struct buf esc, want;
	bool same;

	buf_init(&esc);
	buf_init(&want);
	util_escape(&esc, p, n);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\')
			buf_adds(&want, "\\\\");
		else if (p[i] == '\t')
			buf_adds(&want, "\\t");
		else
			buf_addc(&want, p[i]);
	}
	same = esc.len == want.len && (esc.len == 0 || memcmp(esc.data, want.data, esc.len) == 0);
	buf_free(&esc);
	buf_free(&want);
	return same;
}

/* Edit distance of a and b (both at most OPT_CONFIG_NAME_MAX long). */
static size_t opt_config_distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t row[OPT_CONFIG_NAME_MAX + 1];

	for (size_t j = 0; j <= bn; j++)
		row[j] = j;
	for (size_t i = 1; i <= an; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= bn; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[bn];
}

/* The option name meant by an unknown one: the only one it starts, else
 * the nearest within two edits; NULL when none fits. */
static const char *opt_config_suggest(const struct opt_table *t, const char *name)
{
	size_t n = strlen(name), best = 3;
	const char *prefixed = NULL, *near = NULL;
	int prefixes = 0;

	if (n == 0 || n > OPT_CONFIG_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const char *o = t->specs[i].name;
		size_t d;

		if (o == NULL || strlen(o) > OPT_CONFIG_NAME_MAX || t->specs[i].cmdline_only)
			continue;
		if (strncmp(o, name, n) == 0) {
			prefixed = o;
			prefixes++;
		}
		d = opt_config_distance(name, n, o, strlen(o));
		if (d < best) {
			best = d;
			near = o;
		}
	}
	return prefixes == 1 ? prefixed : near;
}

static const struct opt_spec *opt_config_row(const struct opt_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->specs[i].name && strcmp(t->specs[i].name, name) == 0)
			return &t->specs[i];
	return NULL;
}

/* yes/no and their synonyms; false when value is neither. */
static bool opt_config_bool(const char *value, bool *on)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < UTIL_ARRAY_LEN(yes); i++) {
		if (util_strieq(value, yes[i]) || util_strieq(value, no[i])) {
			*on = util_strieq(value, yes[i]);
			return true;
		}
	}
	return false;
}

/* Row s given value (NULL: none) in a file (in_file) or the environment. */
static int opt_config_set(const struct opt_table *t, const struct opt_spec *s, const char *value,
			  bool in_file, void *base, struct opt_source *src)
{
	bool on;

	if (s->cmdline_only)
		return opt_fail_in(t, src, _("--%s can only be given on the command line"), s->name);
	if (s->arg) {
		if (value == NULL && !s->arg_optional)
			return opt_fail_in(t, src, _("--%s wants a value: %s %s"), s->name, s->name,
					   s->arg);
		return opt_apply(t, s, value, base, src);
	}
	if (value == NULL)
		return opt_apply(t, s, NULL, base, src);
	if (!opt_config_bool(value, &on))
		return opt_fail_in(t, src, in_file ?
				   _("--%s is a flag: write it alone, or with yes or no (1 or 0, true or false, on or off); got \"%s\"") :
				   _("--%s is a flag: give it 1 or 0 (yes or no, true or false, on or off); got \"%s\""),
				   s->name, value);
	if (on)
		return opt_apply(t, s, NULL, base, src);
	if (s->kind != OPT_FLAG)
		return opt_fail_in(t, src, _("--%s cannot be turned off; leave it out instead"), s->name);
	*(bool *)((char *)base + s->field) = false;
	return -1;
}

/* name as a shell word, for a command to copy (caller frees). */
static char *opt_config_shell_word(const char *name)
{
	struct buf b;

	if (name[0] && name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789/._-+,:@%")] == '\0')
		return xstrdup(name);
	buf_init(&b);
	buf_addc(&b, '\'');
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addc(&b, *p);
	}
	buf_addc(&b, '\'');
	return buf_steal(&b);
}

/* A secret row in a file that is not private: why, and the fix. */
static int opt_config_secret(const struct opt_table *t, const struct opt_spec *s,
			     const struct opt_config_file *f, const char *shown,
			     struct opt_source *src)
{
	char *word;
	int status;

	if (!f->owned)
		return opt_fail_in(t, src, _("--%s gives a secret or where to find one, so %s must be private to you, but it belongs to another user: keep your own copy, and chmod 600 it"),
				   s->name, shown);
	word = opt_config_shell_word(shown);
	status = opt_fail_in(t, src, _("--%s gives a secret or where to find one, so %s must be private to you, but others may read or change it (mode %04o): run chmod 600 %s"),
			     s->name, shown, f->mode & 07777, word);
	free(word);
	return status;
}

/* "-p 25" in a file: the long name is what a file takes. */
static int opt_config_letter(const struct opt_table *t, const char *line, struct opt_source *src)
{
	for (size_t i = 0; line[1] && i < t->n; i++) {
		const struct opt_spec *s = &t->specs[i];

		if (s->letter != line[1])
			continue;
		if (s->name == NULL)
			return opt_fail_in(t, src, _("-%c has no long name, so it can only be given on the command line"),
					   s->letter);
		if (s->cmdline_only)
			return opt_fail_in(t, src, _("--%s can only be given on the command line"), s->name);
		return opt_fail_in(t, src, _("write the long name without dashes: \"%s%s%s\" for -%c"),
				   s->name, s->arg ? " " : "", s->arg ? s->arg : "", s->letter);
	}
	return opt_fail_in(t, src, _("write an option's long name without dashes, then its value (\"port 2525\")"));
}

static int opt_config_unknown(const struct opt_table *t, const char *name, struct opt_source *src)
{
	const char *meant = opt_config_suggest(t, name);

	if (meant)
		return opt_fail_in(t, src, _("unknown option \"%s\"; did you mean \"%s\"?"), name, meant);
	return opt_fail_in(t, src, _("unknown option \"%s\" (%s --help lists them)"), name, t->prog);
}

/* One line, trimmed and not a comment (NUL-terminated, cut in place). */
static int opt_config_line(const struct opt_table *t, const struct opt_config_file *f,
			   const char *shown, char *line, void *base, struct opt_source *src)
{
	const struct opt_spec *s;
	size_t n;
	char *value;

	if (line[0] == '-' && line[1] == '-')
		line += 2;
	else if (line[0] == '-')
		return opt_config_letter(t, line, src);
	n = strcspn(line, " \t=");
	if (n == 0)
		return opt_fail_in(t, src, _("a line starts with an option's long name, then its value (\"port 2525\")"));
	value = line + n + strspn(line + n, " \t");
	if (*value == '=')
		value += 1 + strspn(value + 1, " \t");
	line[n] = '\0';
	s = opt_config_row(t, line);
	if (s == NULL)
		return opt_config_unknown(t, line, src);
	if (s->secret && !s->cmdline_only && !opt_config_private(f))
		return opt_config_secret(t, s, f, shown, src);
	return opt_config_set(t, s, *value ? value : NULL, true, base, src);
}

/* Cuts the line [p, p + n) to its content: trailing and leading blanks
 * dropped; NULL for a blank line or a comment. */
static char *opt_config_trim(char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	p[n] = '\0';
	p += strspn(p, " \t");
	return *p == '\0' || *p == '#' ? NULL : p;
}

int opt_config_text(const struct opt_table *t, const struct opt_config_file *f, char *text,
		    size_t len, void *base, FILE *err)
{
	struct opt_source src = { NULL, xcalloc(t->n, sizeof *src.seen), err };
	char *shown = util_escape_dup(f->name, strlen(f->name));
	size_t lineno = 0;
	int status = -1;

	for (char *p = text; status < 0 && p < text + len; ) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		char *line;

		lineno++;
		src.where = xasprintf("%s:%zu", shown, lineno);
		if (n > 0 && p[n - 1] == '\r')
			n--; /* CRLF */
		if (!opt_config_plain(p, n)) {
			char *esc = util_escape_dup(p, n);

			status = opt_fail_in(t, &src, _("the line holds a control character or a byte that is not text (shown escaped: %s)"),
					     esc);
			free(esc);
		} else if ((line = opt_config_trim(p, n)) != NULL) {
			status = opt_config_line(t, f, shown, line, base, &src);
		}
		free((char *)src.where);
		p = nl ? nl + 1 : text + len;
	}
	free(shown);
	free(src.seen);
	return status;
}

/* The row PREFIX + tail names (NAME upper-cased, "-" as "_"), or NULL. */
static const struct opt_spec *opt_config_env_row(const struct opt_table *t, const char *tail,
						 size_t n)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *o = t->specs[i].name;
		size_t k = 0;

		if (o == NULL || strlen(o) != n)
			continue;
		while (k < n && ((o[k] == '-' && tail[k] == '_') ||
				 (o[k] >= 'a' && o[k] <= 'z' && tail[k] == o[k] - 'a' + 'A') ||
				 (o[k] >= '0' && o[k] <= '9' && tail[k] == o[k])))
			k++;
		if (k == n)
			return &t->specs[i];
	}
	return NULL;
}

static int opt_config_env_unknown(const struct opt_table *t, const char *prefix,
				  const char *tail, size_t n, struct opt_source *src)
{
	char *name = xmemdup(tail, n), *var;
	const char *meant;
	int status;

	for (char *q = name; *q; q++)
		*q = *q == '_' ? '-' : (*q >= 'A' && *q <= 'Z') ? (char)(*q - 'A' + 'a') : *q;
	meant = opt_config_suggest(t, name);
	free(name);
	if (meant == NULL)
		return opt_fail_in(t, src, _("no such option (%s --help lists them; the variable is %sNAME, NAME in capitals with _ for -)"),
				   t->prog, prefix);
	var = xasprintf("%s%s", prefix, meant);
	for (char *q = var + strlen(prefix); *q; q++)
		*q = *q == '-' ? '_' : (*q >= 'a' && *q <= 'z') ? (char)(*q - 'a' + 'A') : *q;
	status = opt_fail_in(t, src, _("no such option; did you mean %s?"), var);
	free(var);
	return status;
}

/* One PREFIX entry: "PREFIX" + tail + "=" + value. */
static int opt_config_env_one(const struct opt_table *t, const char *prefix, const char *entry,
			      void *base, struct opt_source *src)
{
	const char *eq = strchr(entry, '='), *tail = entry + strlen(prefix), *value;
	const struct opt_spec *s;

	if (eq == NULL)
		return -1; /* not a variable */
	value = eq + 1;
	s = opt_config_env_row(t, tail, (size_t)(eq - tail));
	if (s == NULL)
		return opt_config_env_unknown(t, prefix, tail, (size_t)(eq - tail), src);
	if (*value == '\0')
		return opt_fail_in(t, src, _("empty: give a value, or unset the variable"));
	if (!opt_config_plain(value, strlen(value))) {
		char *esc = util_escape_dup(value, strlen(value));
		int status = opt_fail_in(t, src, _("the value holds a control character or a byte that is not text (shown escaped: %s)"),
					 esc);

		free(esc);
		return status;
	}
	return opt_config_set(t, s, value, false, base, src);
}

int opt_config_env(const struct opt_table *t, char *const *env, void *base, FILE *err)
{
	struct opt_source src = { NULL, xcalloc(t->n, sizeof *src.seen), err };
	char *prefix = opt_config_env_prefix(t);
	size_t plen = strlen(prefix);
	int status = -1;

	for (size_t i = 0; status < 0 && env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		char *var;

		if (strncmp(env[i], prefix, plen) != 0)
			continue;
		var = eq ? xmemdup(env[i], (size_t)(eq - env[i])) : xstrdup(env[i]);
		src.where = util_escape_dup(var, strlen(var));
		free(var);
		status = opt_config_env_one(t, prefix, env[i], base, &src);
		free((char *)src.where);
	}
	free(prefix);
	free(src.seen);
	return status;
}

/* NAME's value in env, or NULL. */
static const char *opt_config_getenv(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

char *opt_config_default_path(const struct opt_table *t, char *const *env)
{
	const char *xdg = opt_config_getenv(env, "XDG_CONFIG_HOME");
	const char *home = opt_config_getenv(env, "HOME");

	/* XDG Base Directory: a relative XDG_CONFIG_HOME is ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/%s/config", xdg, t->prog);
	if (home && home[0])
		return xasprintf("%s/.config/%s/config", home, t->prog);
	return NULL;
}
