/* opt-config: options from a config file's text and from the environment
 * through the rows of a table: the line format, every refusal with its
 * FILE:LINE or variable, the secret rule, and the precedence file <
 * environment < command line with real files (opt_config_parse); then
 * smtpscope's own table: its secret and command-line-only rows, and a
 * config file's --connect-to rules replaced by the command line's. */
#include "config.h"

#include <check.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpscope/cli-options.h"
#include "smtpscope/opt-config.h"
#include "smtpscope/opt.h"
#include "smtpscope/util.h"
#include "suites.h"

struct conf {
	bool flag, other;
	int four, six;
	const char *name, *secret;
	int num;
	const char *list[4];
	size_t nlist;
	int helped;
};

static bool conf_parse_num(const char *arg, void *field)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 0 || v > 99)
		return false;
	*(int *)field = (int)v;
	return true;
}

static int conf_run_list(const struct opt_table *t, const struct opt_spec *s, const char *arg,
			 void *base)
{
	struct conf *c = base;

	(void)s;
	if (strcmp(arg, "bad") == 0 || c->nlist == UTIL_ARRAY_LEN(c->list))
		return opt_fail(t, "--list: \"%s\" is no item", arg);
	c->list[c->nlist++] = arg;
	return -1;
}

static void conf_reset_list(void *base)
{
	((struct conf *)base)->nlist = 0;
}

static int conf_run_help(const struct opt_table *t, const struct opt_spec *s, const char *arg,
			 void *base)
{
	(void)t, (void)s, (void)arg;
	((struct conf *)base)->helped++;
	return 0;
}

#define CF(m) offsetof(struct conf, m)
static const struct opt_spec conf_specs[] = {
	{ .name = "flag", .letter = 'f', .kind = OPT_FLAG, .field = CF(flag), .section = "S",
	  .help = "a flag" },
	{ .name = "other-flag", .kind = OPT_FLAG, .field = CF(other), .section = "S", .help = "h" },
	{ .name = "four", .kind = OPT_INT, .field = CF(four), .value = 4, .section = "S",
	  .help = "h" },
	{ .letter = '6', .kind = OPT_INT, .field = CF(six), .value = 6, .section = "S", .help = "h" },
	{ .name = "name", .letter = 'n', .arg = "NAME", .kind = OPT_STRING, .field = CF(name),
	  .section = "S", .help = "h" },
	{ .name = "number", .arg = "N", .kind = OPT_PARSE, .field = CF(num), .parse = conf_parse_num,
	  .wants = "a number from 0 to 99", .section = "S", .help = "h" },
	{ .name = "list", .arg = "ITEM", .kind = OPT_RUN, .run = conf_run_list,
	  .reset = conf_reset_list, .section = "S", .help = "h" },
	{ .name = "secret", .arg = "S", .kind = OPT_STRING, .field = CF(secret), .secret = true,
	  .section = "S", .help = "h" },
	{ .name = "config", .arg = "FILE", .kind = OPT_RUN, .run = opt_config_run_file,
	  .cmdline_only = true, .section = "S", .help = "h" },
	{ .name = "no-config", .kind = OPT_RUN, .run = opt_config_run_none, .cmdline_only = true,
	  .section = "S", .help = "h" },
	{ .name = "help", .letter = 'h', .kind = OPT_RUN, .run = conf_run_help, .cmdline_only = true,
	  .section = "S", .help = "h" },
};
static const struct opt_table conf_table = {
	.prog = "test", .specs = conf_specs, .n = UTIL_ARRAY_LEN(conf_specs),
	.usage_status = 2, .usage_error = "test: try 'test --help'",
};

static const struct opt_config_file private_file = { "t.conf", 0600, true };

/* opt_config_text() on a copy of text (kept in *keep for the values);
 * *said gets what was said (caller frees). */
static int conf_text(const char *text, size_t len, const struct opt_config_file *f,
		     struct conf *c, char **keep, char **said)
{
	size_t n = 0;
	FILE *err = open_memstream(said, &n);
	int status;

	*keep = xmemdup(text, len);
	status = opt_config_text(&conf_table, f, *keep, len, c, err);
	fclose(err);
	return status;
}

static int conf_env(char *const *env, struct conf *c, char **said)
{
	size_t n = 0;
	FILE *err = open_memstream(said, &n);
	int status = opt_config_env(&conf_table, env, c, err);

	fclose(err);
	return status;
}

START_TEST(text_format)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"   \t\n"
		"  # an indented comment\n"
		"flag\r\n"
		"name   a value # with a hash  \t\n"
		"--number=42\n"
		"four yes\n"
		"other-flag\n"
		"other-flag Off\n"
		"list\tone\n"
		"list = two\n"
		"secret s3cret";  /* no newline at the end */
	struct conf c = { 0 };
	char *keep, *said;

	ck_assert_msg(conf_text(text, sizeof text - 1, &private_file, &c, &keep, &said) == -1, "%s",
		      said);
	ck_assert_str_eq(said, "");
	ck_assert(c.flag && !c.other);
	ck_assert_int_eq(c.four, 4);
	ck_assert_str_eq(c.name, "a value # with a hash");
	ck_assert_int_eq(c.num, 42);
	ck_assert_uint_eq(c.nlist, 2);
	ck_assert_str_eq(c.list[0], "one");
	ck_assert_str_eq(c.list[1], "two");
	ck_assert_str_eq(c.secret, "s3cret");
	/* The values point into the kept text. */
	ck_assert(c.name > keep && c.name < keep + sizeof text);
	free(keep);
	free(said);
	/* An empty file, and one of comments only. */
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(conf_text("", 0, &private_file, &c, &keep, &said), -1);
	free(keep);
	free(said);
	ck_assert_int_eq(conf_text("#\n#\n", 4, &private_file, &c, &keep, &said), -1);
	ck_assert(!c.flag && c.name == NULL);
	free(keep);
	free(said);
}
END_TEST

/* Each bad line: its FILE:LINE, what is wrong and what would be right;
 * status 2; the lines after it are not applied. */
START_TEST(text_errors)
{
	static const struct {
		const char *line;
		const char *said;
	} cases[] = {
		{ "numbr 5", "test: t.conf:2: unknown option \"numbr\"; did you mean \"number\"?\n" },
		{ "oth 1", "test: t.conf:2: unknown option \"oth\"; did you mean \"other-flag\"?\n" },
		{ "zzzzzz", "test: t.conf:2: unknown option \"zzzzzz\" (test --help lists them)\n" },
		{ "-n x", "test: t.conf:2: write the long name without dashes: \"name NAME\" for -n\n" },
		{ "-f", "test: t.conf:2: write the long name without dashes: \"flag\" for -f\n" },
		{ "-6", "test: t.conf:2: -6 has no long name, so it can only be given on the command line\n" },
		{ "-h", "test: t.conf:2: --help can only be given on the command line\n" },
		{ "-x 1", "test: t.conf:2: write an option's long name without dashes, then its value (\"port 2525\")\n" },
		{ "= 5", "test: t.conf:2: a line starts with an option's long name, then its value (\"port 2525\")\n" },
		{ "number", "test: t.conf:2: --number wants a value: number N\n" },
		{ "name =", "test: t.conf:2: --name wants a value: name NAME\n" },
		{ "number 100", "test: t.conf:2: --number wants a number from 0 to 99 (got \"100\")\n" },
		{ "list bad", "test: t.conf:2: --list: \"bad\" is no item\n" },
		{ "flag maybe", "test: t.conf:2: --flag is a flag: write it alone, or with yes or no (1 or 0, true or false, on or off); got \"maybe\"\n" },
		{ "four no", "test: t.conf:2: --four cannot be turned off; leave it out instead\n" },
		{ "help", "test: t.conf:2: --help can only be given on the command line\n" },
		{ "config other.conf", "test: t.conf:2: --config can only be given on the command line\n" },
		{ "no-config", "test: t.conf:2: --no-config can only be given on the command line\n" },
		{ "name a\033]0;x\007", "test: t.conf:2: the line holds a control character or a byte that is not text (shown escaped: name a\\x1b]0;x\\x07)\n" },
		{ "name \xff\xfe", "test: t.conf:2: the line holds a control character or a byte that is not text (shown escaped: name \\xff\\xfe)\n" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		char *text = xasprintf("flag\n%s\nname after\n", cases[i].line), *keep, *said;
		struct conf c = { 0 };

		ck_assert_msg(conf_text(text, strlen(text), &private_file, &c, &keep, &said) == 2,
			      "case %zu", i);
		ck_assert_str_eq(said, cases[i].said);
		ck_assert(c.flag);
		ck_assert_msg(c.name == NULL, "case %zu: a line after the bad one was applied", i);
		free(text);
		free(keep);
		free(said);
	}
}
END_TEST

START_TEST(text_nul_byte)
{
	static const char text[] = "flag\nname a\0b\n";
	struct conf c = { 0 };
	char *keep, *said;

	ck_assert_int_eq(conf_text(text, sizeof text - 1, &private_file, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: t.conf:2: the line holds a control character or a byte that is not text (shown escaped: name a\\x00b)\n");
	free(keep);
	free(said);
}
END_TEST

/* A secret only in a file private to the user: mode 0600 or stricter,
 * and owned; the message says why and what to run. */
START_TEST(secret_needs_a_private_file)
{
	static const struct opt_config_file ok[] = {
		{ "f", 0600, true }, { "f", 0400, true }, { "f", 0700, true },
	};
	static const struct opt_config_file open644 = { "my conf", 0644, true };
	static const struct opt_config_file group = { "/h/c", 0640, true };
	static const struct opt_config_file theirs = { "/h/c", 0600, false };
	static const char text[] = "secret s3cret\n";
	struct conf c = { 0 };
	char *keep, *said;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(ok); i++) {
		ck_assert(opt_config_private(&ok[i]));
		ck_assert_int_eq(conf_text(text, sizeof text - 1, &ok[i], &c, &keep, &said), -1);
		ck_assert_str_eq(c.secret, "s3cret");
		free(keep);
		free(said);
	}
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(conf_text(text, sizeof text - 1, &open644, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: my conf:1: --secret gives a secret or where to find one, so my conf must be private to you, but others may read or change it (mode 0644): run chmod 600 'my conf'\n");
	ck_assert_ptr_null(c.secret);
	free(keep);
	free(said);
	ck_assert_int_eq(conf_text(text, sizeof text - 1, &group, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: /h/c:1: --secret gives a secret or where to find one, so /h/c must be private to you, but others may read or change it (mode 0640): run chmod 600 /h/c\n");
	free(keep);
	free(said);
	ck_assert_int_eq(conf_text(text, sizeof text - 1, &theirs, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: /h/c:1: --secret gives a secret or where to find one, so /h/c must be private to you, but it belongs to another user: keep your own copy, and chmod 600 it\n");
	free(keep);
	free(said);
	/* Other options are fine in a file anyone may read. */
	ck_assert_int_eq(conf_text("name x\n", 7, &open644, &c, &keep, &said), -1);
	ck_assert_str_eq(c.name, "x");
	free(keep);
	free(said);
}
END_TEST

START_TEST(env_applies_rows)
{
	static char *const env[] = {
		"PATH=/bin", "TEST_OPT_FLAG=1", "TEST_OPT_OTHER_FLAG=yes", "TEST_OPT_NAME=from env",
		"TEST_OPT_NUMBER=7", "TEST_OPT_SECRET=s", "TEST_OPT_LIST=one", "TEST_OPTX=1",
		"NOT_TEST_OPT_FLAG=junk", "TEST_OPT_FOUR=on", NULL,
	};
	static char *const off[] = { "TEST_OPT_FLAG=0", "TEST_OPT_OTHER_FLAG=False", NULL };
	struct conf c = { 0 };
	char *said;

	ck_assert_int_eq(conf_env(env, &c, &said), -1);
	ck_assert_str_eq(said, "");
	ck_assert(c.flag && c.other);
	ck_assert_str_eq(c.name, "from env");
	ck_assert_int_eq(c.num, 7);
	ck_assert_int_eq(c.four, 4);
	ck_assert_str_eq(c.secret, "s"); /* the environment is the user's own */
	ck_assert_uint_eq(c.nlist, 1);
	free(said);
	ck_assert_int_eq(conf_env(off, &c, &said), -1);
	ck_assert(!c.flag && !c.other);
	free(said);
	ck_assert_int_eq(conf_env(NULL, &c, &said), -1);
	free(said);
}
END_TEST

START_TEST(env_errors)
{
	static const struct {
		const char *entry;
		const char *said;
	} cases[] = {
		{ "TEST_OPT_NUMBR=1", "test: TEST_OPT_NUMBR: no such option; did you mean TEST_OPT_NUMBER?\n" },
		{ "TEST_OPT_OTHER=1", "test: TEST_OPT_OTHER: no such option; did you mean TEST_OPT_OTHER_FLAG?\n" },
		{ "TEST_OPT_ZZZZZZ=1", "test: TEST_OPT_ZZZZZZ: no such option (test --help lists them; the variable is TEST_OPT_NAME, NAME in capitals with _ for -)\n" },
		{ "TEST_OPT_name=x", "test: TEST_OPT_name: no such option; did you mean TEST_OPT_NAME?\n" },
		{ "TEST_OPT_NAME=", "test: TEST_OPT_NAME: empty: give a value, or unset the variable\n" },
		{ "TEST_OPT_FLAG=", "test: TEST_OPT_FLAG: empty: give a value, or unset the variable\n" },
		{ "TEST_OPT_FLAG=maybe", "test: TEST_OPT_FLAG: --flag is a flag: give it 1 or 0 (yes or no, true or false, on or off); got \"maybe\"\n" },
		{ "TEST_OPT_FOUR=0", "test: TEST_OPT_FOUR: --four cannot be turned off; leave it out instead\n" },
		{ "TEST_OPT_NUMBER=x", "test: TEST_OPT_NUMBER: --number wants a number from 0 to 99 (got \"x\")\n" },
		{ "TEST_OPT_LIST=bad", "test: TEST_OPT_LIST: --list: \"bad\" is no item\n" },
		{ "TEST_OPT_HELP=1", "test: TEST_OPT_HELP: --help can only be given on the command line\n" },
		{ "TEST_OPT_CONFIG=/x", "test: TEST_OPT_CONFIG: --config can only be given on the command line\n" },
		{ "TEST_OPT_NAME=a\033[2J", "test: TEST_OPT_NAME: the value holds a control character or a byte that is not text (shown escaped: a\\x1b[2J)\n" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		char *env[] = { "TEST_OPT_FLAG=1", (char *)cases[i].entry, "TEST_OPT_OTHER_FLAG=1", NULL };
		struct conf c = { 0 };
		char *said;

		ck_assert_msg(conf_env(env, &c, &said) == 2, "case %zu", i);
		ck_assert_str_eq(said, cases[i].said);
		ck_assert(c.flag && !c.other); /* stopped at the bad one */
		free(said);
	}
}
END_TEST

START_TEST(default_path)
{
	static char *const xdg[] = { "HOME=/home/u", "XDG_CONFIG_HOME=/x/conf", NULL };
	static char *const relative[] = { "XDG_CONFIG_HOME=conf", "HOME=/home/u", NULL };
	static char *const none[] = { "XDG_CONFIG_HOME=", "HOME=", NULL };
	char *p;

	p = opt_config_default_path(&conf_table, xdg);
	ck_assert_str_eq(p, "/x/conf/test/config");
	free(p);
	p = opt_config_default_path(&conf_table, relative); /* ignored, as XDG says */
	ck_assert_str_eq(p, "/home/u/.config/test/config");
	free(p);
	ck_assert_ptr_null(opt_config_default_path(&conf_table, none));
	ck_assert_ptr_null(opt_config_default_path(&conf_table, NULL));
}
END_TEST

/* A temporary $XDG_CONFIG_HOME with PROG/config holding text (NULL: no
 * file) in the given mode; returns the folder (caller removes it). */
static char *conf_home(const char *prog, const char *text, mode_t mode)
{
	char *dir = xstrdup("/tmp/check-config-XXXXXX"), *sub, *file;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	sub = xasprintf("%s/%s", dir, prog);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	if (text) {
		file = xasprintf("%s/config", sub);
		f = fopen(file, "w");
		ck_assert_ptr_nonnull(f);
		fputs(text, f);
		fclose(f);
		ck_assert_int_eq(chmod(file, mode), 0);
		free(file);
	}
	free(sub);
	return dir;
}

static void conf_home_remove(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* argv from the NULL-terminated words (at most 15); returns argc. */
static int conf_argv(const char *const *words, char **argv)
{
	int argc = 0;

	while (words[argc] && argc < 15) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	return argc;
}

/* opt_config_parse() over the words with env; *said what was said. */
static int conf_parse(const char *const *words, char *const *env, struct conf *c,
		      struct opt_config *keep, char **said)
{
	char *argv[16];
	int argc = conf_argv(words, argv), status, saved = opterr;
	size_t n = 0;
	FILE *err = open_memstream(said, &n);

	memset(c, 0, sizeof *c);
	opterr = 0;
	status = opt_config_parse(&conf_table, argc, argv, c, keep, env, err);
	opterr = saved;
	fclose(err);
	return status;
}

/* file < environment < command line; a repeatable option's values from a
 * later source replace an earlier source's; --no-config reads neither. */
START_TEST(precedence)
{
	char *dir = conf_home("test", "name file\nnumber 1\nlist a\nlist b\nflag\n", 0600);
	char *xdg = xasprintf("XDG_CONFIG_HOME=%s", dir);
	char *env[] = { xdg, "TEST_OPT_NUMBER=2", "TEST_OPT_LIST=c", NULL };
	static const char *const plain[] = { "test", NULL };
	static const char *const args[] = { "test", "--number", "3", "--list", "d", "--list=e",
		"OPERAND", NULL };
	static const char *const none[] = { "test", "--no-conf", "--name", "cmd", NULL };
	struct opt_config keep;
	struct conf c;
	char *said;

	ck_assert_int_eq(conf_parse(plain, env + 1, &c, &keep, &said), -1); /* no XDG, no HOME */
	ck_assert_ptr_null(c.name);
	ck_assert_int_eq(c.num, 2);
	opt_config_free(&keep);
	free(said);
	ck_assert_int_eq(conf_parse(plain, env, &c, &keep, &said), -1);
	ck_assert_str_eq(said, "");
	ck_assert_str_eq(c.name, "file");
	ck_assert(c.flag);
	ck_assert_int_eq(c.num, 2);
	ck_assert_uint_eq(c.nlist, 1);
	ck_assert_str_eq(c.list[0], "c");
	opt_config_free(&keep);
	free(said);
	ck_assert_int_eq(conf_parse(args, env, &c, &keep, &said), -1);
	ck_assert_str_eq(c.name, "file");
	ck_assert_int_eq(c.num, 3);
	ck_assert_uint_eq(c.nlist, 2);
	ck_assert_str_eq(c.list[0], "d");
	ck_assert_str_eq(c.list[1], "e");
	ck_assert_str_eq(args[optind], "OPERAND");
	opt_config_free(&keep);
	free(said);
	ck_assert_int_eq(conf_parse(none, env, &c, &keep, &said), -1);
	ck_assert_str_eq(c.name, "cmd");
	ck_assert(!c.flag && c.num == 0 && c.nlist == 0);
	ck_assert_ptr_null(keep.text);
	free(said);
	conf_home_remove(dir);
	free(xdg);
}
END_TEST

/* --config FILE instead of the default; errors name the file. */
START_TEST(explicit_and_default_files)
{
	char *dir = conf_home("test", "name default\n", 0644);
	char *xdg = xasprintf("XDG_CONFIG_HOME=%s", dir);
	char *other = xasprintf("%s/other", dir), *bad = xasprintf("%s/bad", dir);
	char *env[] = { xdg, NULL };
	const char *given[] = { "test", "--config", other, NULL };
	const char *missing[] = { "test", "--config", "/nonexistent/c", NULL };
	const char *folder[] = { "test", "--config", dir, NULL };
	const char *both[] = { "test", "--config", other, "--no-config", NULL };
	const char *badone[] = { "test", "--config=", bad, NULL, NULL };
	struct opt_config keep;
	struct conf c;
	FILE *f;
	char *said, *want;

	f = fopen(other, "w");
	fputs("name other\n", f);
	fclose(f);
	f = fopen(bad, "w");
	fputs("name ok\nnumber x\n", f);
	fclose(f);
	ck_assert_int_eq(conf_parse(given, env, &c, &keep, &said), -1);
	ck_assert_str_eq(c.name, "other");
	opt_config_free(&keep);
	free(said);
	ck_assert_int_eq(conf_parse(missing, env, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: --config /nonexistent/c: cannot read it: No such file or directory\n");
	ck_assert_ptr_null(keep.text);
	free(said);
	ck_assert_int_eq(conf_parse(folder, env, &c, &keep, &said), 2);
	want = xasprintf("test: --config %s: cannot read it: not a regular file\n", dir);
	ck_assert_str_eq(said, want);
	free(want);
	free(said);
	ck_assert_int_eq(conf_parse(both, env, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: --config FILE (read FILE) and --no-config (read none) exclude each other\n");
	free(said);
	/* "--config=" then a word: the empty name is the argument. */
	ck_assert_int_eq(conf_parse(badone, env, &c, &keep, &said), 2);
	ck_assert_str_eq(said, "test: --config : cannot read it: No such file or directory\n");
	free(said);
	badone[1] = "--config";
	ck_assert_int_eq(conf_parse(badone, env, &c, &keep, &said), 2);
	ck_assert_ptr_null(keep.text); /* freed after an error */
	want = xasprintf("test: %s:2: --number wants a number from 0 to 99 (got \"x\")\n", bad);
	ck_assert_str_eq(said, want);
	free(want);
	free(said);
	/* --help reads no configuration, so a broken one cannot stop it. */
	badone[3] = "--help";
	ck_assert_int_eq(conf_parse(badone, env, &c, &keep, &said), 0);
	ck_assert_int_eq(c.helped, 1);
	free(said);
	free(other);
	free(bad);
	free(xdg);
	conf_home_remove(dir);
}
END_TEST

/* A default file that is there but cannot be read is an error (with the
 * way around it); a missing one is no file; a real one's mode counts. */
START_TEST(default_file_checked)
{
	char *dir = conf_home("test", NULL, 0);
	char *xdg = xasprintf("XDG_CONFIG_HOME=%s", dir), *path = xasprintf("%s/test/config", dir);
	char *env[] = { xdg, NULL };
	static const char *const plain[] = { "test", NULL };
	struct opt_config keep;
	struct conf c;
	char *said, *want;
	FILE *f;

	ck_assert_int_eq(conf_parse(plain, env, &c, &keep, &said), -1);
	ck_assert_str_eq(said, "");
	free(said);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(conf_parse(plain, env, &c, &keep, &said), 2);
	want = xasprintf("test: %s: cannot read it: not a regular file (--no-config skips it)\n", path);
	ck_assert_str_eq(said, want);
	free(want);
	free(said);
	ck_assert_int_eq(rmdir(path), 0);
	f = fopen(path, "w");
	fputs("secret s3cret\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(conf_parse(plain, env, &c, &keep, &said), 2);
	ck_assert_ptr_nonnull(strstr(said, "(mode 0644): run chmod 600 "));
	free(said);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(conf_parse(plain, env, &c, &keep, &said), -1);
	ck_assert_str_eq(c.secret, "s3cret");
	opt_config_free(&keep);
	free(said);
	free(path);
	free(xdg);
	conf_home_remove(dir);
}
END_TEST

/* smtpscope's table: which rows are secret and which command-line only. */
START_TEST(cli_rows_marked)
{
	static const char *const secret[] = { "password-env", "password-file", "token", "token-env" };
	static const char *const only[] = { "config", "no-config", "help", "version" };
	const struct opt_table *t = &cli_option_table;

	for (size_t i = 0; i < t->n; i++) {
		const struct opt_spec *s = &t->specs[i];
		bool is_secret = false, is_only = false;

		for (size_t k = 0; s->name && k < UTIL_ARRAY_LEN(secret); k++)
			is_secret |= strcmp(s->name, secret[k]) == 0;
		for (size_t k = 0; s->name && k < UTIL_ARRAY_LEN(only); k++)
			is_only |= strcmp(s->name, only[k]) == 0;
		ck_assert_msg(s->secret == is_secret, "--%s secret", s->name);
		ck_assert_msg(s->cmdline_only == is_only, "--%s command-line only", s->name);
	}
}
END_TEST

/* Through smtpscope's table: a file's and the environment's values, the
 * command line's --connect-to rules replacing the file's. */
START_TEST(cli_sources)
{
	char *dir = conf_home("smtpscope", "connect-to a::127.0.0.1:1\nconnect-to c::127.0.0.1:3\n"
			      "starttls\ntimeout 5\nconnect-timeout 4\n", 0644);
	char *xdg = xasprintf("XDG_CONFIG_HOME=%s", dir);
	char *env[] = { xdg, "SMTPSCOPE_OPT_CONNECT_TIMEOUT=2.5", NULL };
	static const char *const words[] = { "smtpscope", "--connect-to", "b::127.0.0.1:2", "-t",
		"9", NULL };
	static const char *const alone[] = { "smtpscope", NULL };
	char *argv[16];
	struct cli_options o;
	struct opt_config keep;
	int argc = conf_argv(words, argv);

	memset(&o, 0, sizeof o);
	ck_assert_int_eq(opt_config_parse(&cli_option_table, argc, argv, &o, &keep, env, stderr), -1);
	ck_assert(o.front.client.starttls);
	ck_assert_int_eq(o.front.client.reply_timeout_ms, 9000);
	ck_assert_int_eq(o.front.client.connect_timeout_ms, 2500);
	ck_assert_uint_eq(o.front.client.connect_to.n, 1);
	ck_assert_str_eq(o.front.client.connect_to.spec[0], "b::127.0.0.1:2");
	opt_config_free(&keep);
	/* Without the command line's rule, the file's two stay, in order. */
	argc = conf_argv(alone, argv);
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(opt_config_parse(&cli_option_table, argc, argv, &o, &keep, env, stderr), -1);
	ck_assert_uint_eq(o.front.client.connect_to.n, 2);
	ck_assert_str_eq(o.front.client.connect_to.spec[1], "c::127.0.0.1:3");
	opt_config_free(&keep);
	free(xdg);
	conf_home_remove(dir);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, text_format);
	tcase_add_test(tc, text_errors);
	tcase_add_test(tc, text_nul_byte);
	tcase_add_test(tc, secret_needs_a_private_file);
	tcase_add_test(tc, env_applies_rows);
	tcase_add_test(tc, env_errors);
	tcase_add_test(tc, default_path);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, explicit_and_default_files);
	tcase_add_test(tc, default_file_checked);
	tcase_add_test(tc, cli_rows_marked);
	tcase_add_test(tc, cli_sources);
	suite_add_tcase(s, tc);
	return s;
}
