/* opt-config-file: the I/O around opt-config's parser: argv scanned for
 * --config FILE and --no-config, the file found (XDG Base Directory),
 * opened, checked (a regular file, its size, its mode and owner for the
 * secret rule) and read; then the file, the environment and argv applied
 * in that order (opt_config_parse). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smtpscope/i18n.h"
#include "smtpscope/opt-config.h"
#include "smtpscope/opt.h"
#include "smtpscope/util.h"

/* What argv says about configuration. */
struct opt_config_scan {
	const char *file; /* --config FILE (the last one) */
	bool none;        /* --no-config */
	bool skip;        /* another cmdline_only row: --help, --version */
};

/* Walks argv with getopt_long as opt_parse will, silently, so option
 * arguments, clusters and prefixes ("--conf") are read the same way.  It
 * walks a copy: getopt_long moves the operands to the end, and opt_parse
 * must see the words in their order (an optional argument as the next
 * word: "--auth PLAIN HOST"). */
static void opt_config_scan(const struct opt_table *t, int argc, char **argv_in,
			    struct opt_config_scan *sc)
{
	struct option *longopts = opt_longopts(t);
	char *shortopts = opt_shortopts(t);
	char **argv = xcalloc((size_t)argc + 1, sizeof *argv);
	int c, saved = opterr;

	memcpy(argv, argv_in, (size_t)argc * sizeof *argv);
	memset(sc, 0, sizeof *sc);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct opt_spec *s = opt_find(t, c);

		if (s == NULL)
			continue; /* opt_parse will say what is wrong */
		if (s->run == opt_config_run_file)
			sc->file = optarg;
		else if (s->run == opt_config_run_none)
			sc->none = true;
		else if (s->cmdline_only)
			sc->skip = true;
	}
	opterr = saved;
	free(argv);
	free(shortopts);
	free(longopts);
}

/* Reads the open fd (at most OPT_CONFIG_MAX bytes) into out. */
static bool opt_config_read_fd(int fd, struct buf *out)
{
	char chunk[16384];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0;
		buf_add(out, chunk, (size_t)n);
		if (out->len > OPT_CONFIG_MAX)
			return true; /* the caller says "too big" */
	}
}

/* Opens and reads path into text and *f.  A missing default file (!given)
 * is no file: -1 with text empty and f->name NULL.  Else -1, or the usage
 * status after saying why on err. */
/* Whether the folders down to path's may be searched: a default file
 * under a HOME this user cannot enter (sudo -u, a service account) is no
 * file of theirs, not an error. */
static bool opt_config_dir_searchable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	bool ok;

	if (slash == NULL || slash == path)
		return true;
	dir = xmemdup(path, (size_t)(slash - path));
	ok = access(dir, X_OK) == 0;
	free(dir);
	return ok;
}

static int opt_config_read(const struct opt_table *t, const char *path, bool given,
			   struct buf *text, struct opt_config_file *f, FILE *err)
{
	char *shown = util_escape_dup(path, strlen(path));
	const char *why = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), status = -1;

	f->name = NULL;
	if (fd < 0 && !given && (errno == ENOENT || errno == ENOTDIR ||
				 (errno == EACCES && !opt_config_dir_searchable(path)))) {
		free(shown);
		return -1;
	}
	if (fd < 0 || fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = _("not a regular file");
	else if (!opt_config_read_fd(fd, text))
		why = strerror(errno);
	else if (text->len > OPT_CONFIG_MAX)
		why = _("bigger than 1 MiB, so not a config file");
	if (why) {
		fprintf(err, given ? _("%s: --config %s: cannot read it: %s\n") :
			_("%s: %s: cannot read it: %s (--no-config skips it)\n"), t->prog, shown, why);
		status = t->usage_status;
	} else {
		f->name = path;
		f->mode = (unsigned)(st.st_mode & 07777);
		f->owned = st.st_uid == geteuid();
	}
	if (fd >= 0)
		close(fd);
	free(shown);
	return status;
}

/* The file (--config's, else the default one) applied into base. */
static int opt_config_apply_file(const struct opt_table *t, const char *given, void *base,
				 struct opt_config *keep, char *const *env, FILE *err)
{
	char *path = given ? xstrdup(given) : opt_config_default_path(t, env);
	struct opt_config_file f = { NULL, 0, false };
	struct buf text;
	int status = -1;

	buf_init(&text);
	if (path)
		status = opt_config_read(t, path, given != NULL, &text, &f, err);
	if (status < 0 && f.name)
		status = opt_config_text(t, &f, text.data, text.len, base, err);
	if (f.name)
		keep->text = buf_steal(&text);
	else
		buf_free(&text);
	free(path);
	return status;
}

int opt_config_parse(const struct opt_table *t, int argc, char **argv, void *base,
		     struct opt_config *keep, char *const *env, FILE *err)
{
	struct opt_config_scan sc;
	int status = -1;

	keep->text = NULL;
	opt_config_scan(t, argc, argv, &sc);
	if (sc.file && sc.none) {
		fprintf(err, _("%s: --config FILE (read FILE) and --no-config (read none) exclude each other\n"),
			t->prog);
		return t->usage_status;
	}
	if (!sc.none && !sc.skip) {
		status = opt_config_apply_file(t, sc.file, base, keep, env, err);
		if (status < 0)
			status = opt_config_env(t, env, base, err);
	}
	if (status < 0)
		status = opt_parse(t, argc, argv, base, err);
	if (status >= 0)
		opt_config_free(keep); /* base is not used after an error or --help */
	return status;
}
