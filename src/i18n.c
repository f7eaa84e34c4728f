/* i18n: gettext set up for the chosen language (i18n.h). */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

static char i18n_current[32] = "en";

const char *i18n_choose(const char *given, char *buf, size_t size)
{
	static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v = given;

	for (size_t i = 0; (v == NULL || *v == '\0') && i < UTIL_ARRAY_LEN(vars); i++)
		v = getenv(vars[i]);
	if (v == NULL || *v == '\0' || strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0 ||
	    strncmp(v, "C.", 2) == 0)
		v = "en";
	/* LANGUAGE may list several ("fr:en"); a codeset or modifier is not
	 * part of the name. */
	snprintf(buf, size, "%.*s", (int)strcspn(v, ":.@"), v);
	return buf;
}

/* Where the catalog of lang is: installed, else the build tree's. */
static const char *i18n_dir(const char *lang)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof path, "%s/%.*s/LC_MESSAGES/%s.mo", LOCALEDIR,
		 (int)strcspn(lang, "_"), lang, PACKAGE);
	return stat(path, &st) == 0 ? LOCALEDIR : SMTPSCOPE_BUILD_LOCALEDIR;
}

void i18n_init(const char *given)
{
	char copy[sizeof i18n_current];
	const char *lang, *m;

	/* given may be i18n_lang()'s own buffer */
	snprintf(copy, sizeof copy, "%s", given ? given : "");
	lang = i18n_choose(copy[0] ? copy : NULL, i18n_current, sizeof i18n_current);
	m = setlocale(LC_MESSAGES, "");

	/* gettext reads LANGUAGE only outside the C locale; a user's locale
	 * that was never generated falls back to C, so take C.UTF-8 then. */
	if (m == NULL || strcmp(m, "C") == 0 || strcmp(m, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	setenv("LANGUAGE", lang, 1);
	bindtextdomain(PACKAGE, i18n_dir(lang));
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	/* getopt's own complaints come from the C library's catalog: in
	 * UTF-8 too, not as question marks in a C locale's ASCII. */
	bind_textdomain_codeset("libc", "UTF-8");
	textdomain(PACKAGE);
}

const char *i18n_lang(void)
{
	return i18n_current;
}
