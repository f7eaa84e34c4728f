/* demo-catalog: reads the scenario files in help/scenarios/. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

/* A scenario file larger than this is surely a mistake. */
#define DEMO_SCN_FILE_MAX (256 * 1024)

static int demo_catalog_cmp(const void *a, const void *b)
{
	const struct demo_scenario *x = *(const struct demo_scenario *const *)a;
	const struct demo_scenario *y = *(const struct demo_scenario *const *)b;

	return strcmp(x->name, y->name);
}

/* Reads a file into text; false after an error. */
static bool demo_catalog_read(const char *path, struct buf *text, struct buf *errors)
{
	if (!util_read_file(path, DEMO_SCN_FILE_MAX, text)) {
		buf_printf(errors, _("%s:0: cannot read: %s\n"), path, strerror(errno));
		return false;
	}
	if (text->len > DEMO_SCN_FILE_MAX) {
		buf_printf(errors, _("%s:0: larger than %d bytes: not a scenario file\n"), path,
			   DEMO_SCN_FILE_MAX);
		return false;
	}
	return true;
}

/* Reads and parses one file; NULL after an error. */
static struct demo_scenario *demo_catalog_file(const char *path, struct buf *errors)
{
	struct demo_scenario *sc = NULL;
	struct buf text;

	buf_init(&text);
	if (demo_catalog_read(path, &text, errors))
		sc = demo_scenario_parse(path, text.data ? text.data : "", text.len, errors);
	buf_free(&text);
	return sc;
}

size_t demo_catalog_translate(struct demo_catalog *cat, const char *dir, const char *lang,
			      struct buf *errors)
{
	size_t problems = 0, ll = strcspn(lang, "_.@");

	for (size_t i = 0; i < cat->n; i++)
		if (cat->sc[i]->english_title) {
			cat->sc[i]->title = cat->sc[i]->english_title;
			cat->sc[i]->lesson = cat->sc[i]->english_lesson;
		}
	if (ll == 0 || ll > 8 || strncmp(lang, "en", 2) == 0 || strcmp(lang, "C") == 0)
		return 0;
	for (size_t i = 0; i < cat->n; i++) {
		char *path = xasprintf("%s/scenarios/%.*s/%s.scn", dir, (int)ll, lang,
				       cat->sc[i]->name);
		struct buf text;

		buf_init(&text);
		if (demo_catalog_read(path, &text, errors))
			problems += demo_scenario_translate(cat->sc[i], path,
							    text.data ? text.data : "", text.len,
							    errors);
		else
			problems++;
		buf_free(&text);
		free(path);
	}
	return problems;
}

static void demo_catalog_add(struct demo_catalog *cat, struct demo_scenario *sc)
{
	cat->sc = xrealloc(cat->sc, (cat->n + 1) * sizeof *cat->sc);
	cat->sc[cat->n++] = sc;
}

size_t demo_catalog_load(struct demo_catalog *cat, const char *dir, struct buf *errors)
{
	char *path = xasprintf("%s/scenarios", dir);
	DIR *d = opendir(path);
	struct dirent *de;
	size_t broken = 0;

	if (d == NULL) {
		buf_printf(errors, _("%s:0: cannot open the scenario folder: %s (set SMTPSCOPE_HELPDIR to the help folder)\n"),
			   path, strerror(errno));
		free(path);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct demo_scenario *sc;
		char *file;

		if (de->d_name[0] == '.' || n <= 4 || strcmp(de->d_name + n - 4, ".scn") != 0)
			continue;
		file = xasprintf("%s/%s", path, de->d_name);
		sc = demo_catalog_file(file, errors);
		free(file);
		if (sc)
			demo_catalog_add(cat, sc);
		else
			broken++;
	}
	closedir(d);
	free(path);
	if (cat->n > 1)
		qsort(cat->sc, cat->n, sizeof *cat->sc, demo_catalog_cmp);
	return broken;
}

struct demo_catalog *demo_ctl_catalog(struct demo_ctl *d, struct buf *errors)
{
	if (!d->catalog_loaded && d->load_catalog)
		d->load_catalog(&d->catalog, errors);
	d->catalog_loaded = true;
	return &d->catalog;
}

void demo_catalog_free(struct demo_catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		demo_scenario_free(cat->sc[i]);
	free(cat->sc);
	cat->sc = NULL;
	cat->n = 0;
}

const struct demo_scenario *demo_catalog_find(struct demo_catalog *cat,
					      const char *name, char **err)
{
	size_t n = strlen(name);
	struct demo_scenario *sc;
	struct buf errors;

	if (strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".scn") == 0)) {
		buf_init(&errors);
		sc = demo_catalog_file(name, &errors);
		if (sc == NULL) {
			util_chomp(errors.data, errors.len);
			*err = buf_steal(&errors);
			return NULL;
		}
		buf_free(&errors);
		demo_catalog_add(cat, sc); /* owned by the catalog from now on */
		return sc;
	}
	for (size_t i = 0; i < cat->n; i++)
		if (strcmp(cat->sc[i]->name, name) == 0)
			return cat->sc[i];
	if (strcmp(name, demo_default_scenario()->name) == 0)
		return demo_default_scenario();
	*err = xasprintf(_("no scenario \"%s\": /scenario lists them"), name);
	return NULL;
}
