/* kb-load: reads the knowledge base files from the help folder. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kb-private.h"
#include "smtpscope/i18n.h"

/* A knowledge base file larger than this is surely a mistake. */
#define KB_FILE_MAX (4 * 1024 * 1024)

/* $SMTPSCOPE_HELPDIR, else the installed data dir, else (running from a
 * build tree that was never installed) the source tree's help/. */
const char *kb_default_dir(void)
{
	const char *env = getenv("SMTPSCOPE_HELPDIR");
	struct stat st;

	if (env && *env)
		return env;
	if (stat(SMTPSCOPE_HELPDIR "/kb", &st) == 0 && S_ISDIR(st.st_mode))
		return SMTPSCOPE_HELPDIR;
	if (stat(SMTPSCOPE_SRC_HELPDIR "/kb", &st) == 0 && S_ISDIR(st.st_mode))
		return SMTPSCOPE_SRC_HELPDIR;
	return SMTPSCOPE_HELPDIR;
}

static int kb_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool kb_is_kb_file(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".kb") == 0;
}

/* Reads one file and parses it; a read problem is one error. */
static size_t kb_load_file(struct kb *kb, const char *path, bool lang)
{
	FILE *f = fopen(path, "rb");
	struct buf text;
	char chunk[8192];
	size_t n, errors;

	if (f == NULL) {
		kb_errorf(kb, path, 0, _("cannot read: %s"), strerror(errno));
		return 1;
	}
	buf_init(&text);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= KB_FILE_MAX)
		buf_add(&text, chunk, n);
	fclose(f);
	if (text.len > KB_FILE_MAX) {
		buf_free(&text);
		kb_errorf(kb, path, 0, _("larger than %d bytes: not a knowledge base file"), KB_FILE_MAX);
		return 1;
	}
	errors = lang ? kb_parse_lang(kb, path, text.data, text.len)
		      : kb_parse(kb, path, text.data, text.len);
	buf_free(&text);
	return errors;
}

/* The *.kb files of a folder, in name order, each given to parse;
 * -1 if the folder cannot be opened, else the number of errors.  *nfiles
 * says how many there were. */
static long kb_load_folder(struct kb *kb, const char *folder, bool lang, size_t *nfiles)
{
	DIR *d = opendir(folder);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, errors = 0;

	*nfiles = 0;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!kb_is_kb_file(de->d_name))
			continue;
		names = xgrow(names, &cap, n + 1, sizeof *names);
		names[n++] = xasprintf("%s/%s", folder, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, kb_name_cmp);
	for (size_t i = 0; i < n; i++) {
		errors += kb_load_file(kb, names[i], lang);
		free(names[i]);
	}
	free(names);
	*nfiles = n;
	return (long)errors;
}

size_t kb_load_dir(struct kb *kb, const char *dir)
{
	char *kbdir = xasprintf("%s/kb", dir);
	size_t n;
	long errors = kb_load_folder(kb, kbdir, false, &n);

	if (errors < 0) {
		kb_errorf(kb, kbdir, 0, _("cannot open the knowledge base folder: %s (set SMTPSCOPE_HELPDIR to the help folder)"),
			  strerror(errno));
		free(kbdir);
		return 1;
	}
	free(kbdir);
	if (n == 0) {
		kb_errorf(kb, dir, 0, _("no *.kb files in %s/kb"), dir);
		return 1;
	}
	return (size_t)errors + kb_validate(kb);
}

size_t kb_load_lang(struct kb *kb, const char *dir, const char *lang)
{
	char ll[16];
	size_t len = strcspn(lang ? lang : "", "_.@"), n, total = 0, errors = 0;

	if (lang == NULL || len == 0 || len >= sizeof ll || strcmp(lang, "C") == 0 ||
	    strcmp(lang, "POSIX") == 0 || strncmp(lang, "en", len > 2 ? len : 2) == 0)
		return 0;
	memcpy(ll, lang, len);
	ll[len] = '\0';
	/* The language, then its country's variant over it ("fr", "fr_CA"). */
	for (int pass = 0; pass < 2; pass++) {
		size_t cc = pass ? strcspn(lang, ".@") : len;
		char *folder;
		long e;

		if (pass && (lang[len] != '_' || cc >= 16))
			break;
		folder = xasprintf("%s/kb/%.*s", dir, (int)cc, lang);
		e = kb_load_folder(kb, folder, true, &n);
		free(folder);
		if (e > 0)
			errors += (size_t)e;
		total += n;
	}
	kb_set_lang(kb, total ? ll : NULL);
	return errors;
}

size_t kb_switch_lang(struct kb *kb, const char *dir, const char *lang, struct kb **failed)
{
	struct kb *fresh = kb_new(), old;
	size_t problems;

	kb_set_lazy_regex(fresh, kb->lazy_regex);
	problems = kb_load_dir(fresh, dir);

	if (kb_lang_available(dir, lang))
		problems += kb_load_lang(fresh, dir, lang);
	*failed = NULL;
	if (problems) {
		*failed = fresh;
		return problems;
	}
	/* The contents change places: kb keeps its address (the front-end,
	 * the printer and the recipient summary hold it), and the old
	 * contents stay alive, since explanations already made point into
	 * them; kb_free() frees the chain. */
	old = *kb;
	*kb = *fresh;
	*fresh = old;
	kb->retired = fresh;
	return 0;
}

bool kb_lang_available(const char *dir, const char *lang)
{
	char ll[16];
	char *folder;
	struct stat st;
	bool ok;
	size_t n = strcspn(lang, "_");

	if (n == 0 || n >= sizeof ll || strcmp(lang, "C") == 0 || strcmp(lang, "POSIX") == 0 ||
	    strncmp(lang, "en", 2) == 0)
		return true;
	memcpy(ll, lang, n);
	ll[n] = '\0';
	folder = xasprintf("%s/kb/%s", dir, ll);
	ok = stat(folder, &st) == 0 && S_ISDIR(st.st_mode);
	free(folder);
	return ok;
}
