/* kb-load: reads the knowledge base files from the help folder. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smtpscope/kb.h"
#include "smtpscope/util.h"

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
static size_t kb_load_file(struct kb *kb, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf text;
	char chunk[8192];
	size_t n, errors;

	if (f == NULL) {
		kb_errorf(kb, path, 0, "cannot read: %s", strerror(errno));
		return 1;
	}
	buf_init(&text);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= KB_FILE_MAX)
		buf_add(&text, chunk, n);
	fclose(f);
	if (text.len > KB_FILE_MAX) {
		buf_free(&text);
		kb_errorf(kb, path, 0, "larger than %d bytes: not a knowledge base file", KB_FILE_MAX);
		return 1;
	}
	errors = kb_parse(kb, path, text.data, text.len);
	buf_free(&text);
	return errors;
}

size_t kb_load_dir(struct kb *kb, const char *dir)
{
	char *kbdir = xasprintf("%s/kb", dir);
	DIR *d = opendir(kbdir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, errors = 0;

	if (d == NULL) {
		kb_errorf(kb, kbdir, 0, "cannot open the knowledge base folder: %s (set SMTPSCOPE_HELPDIR to the help folder)",
			  strerror(errno));
		free(kbdir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!kb_is_kb_file(de->d_name))
			continue;
		names = xgrow(names, &cap, n + 1, sizeof *names);
		names[n++] = xasprintf("%s/%s", kbdir, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, kb_name_cmp);
	for (size_t i = 0; i < n; i++) {
		errors += kb_load_file(kb, names[i]);
		free(names[i]);
	}
	free(names);
	free(kbdir);
	if (n == 0) {
		kb_errorf(kb, dir, 0, "no *.kb files in %s/kb", dir);
		return 1;
	}
	return errors + kb_validate(kb);
}
