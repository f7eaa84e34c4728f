/* ui-lib.c: ncursesw and readline opened when the terminal UI starts
 * (ui-lib-private.h says why and how). */
#include "config.h"

#include <stdlib.h>

#define UI_LIB_READLINE
#define UI_LIB_NO_NAMES
#include "ui-lib-private.h"

#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

/* configure: the libraries' run-time names */
#define UI_LIB_NCURSESW LIBNCURSESW_SONAME
#define UI_LIB_READLINE_SO LIBREADLINE_SONAME

struct ui_lib_curses ui_lib_curses;
struct ui_lib_readline ui_lib_readline;

#define UI_LIB_CURSES_SYM(name) { #name, (void **)&ui_lib_curses.name },
#define UI_LIB_READLINE_SYM(name) { #name, (void **)&ui_lib_readline.name },

static const struct util_sym ui_lib_curses_syms[] = {
	UI_LIB_CURSES_FUNCTIONS(UI_LIB_CURSES_SYM)
	UI_LIB_CURSES_VARIABLES(UI_LIB_CURSES_SYM)
};
static const struct util_sym ui_lib_readline_syms[] = {
	UI_LIB_READLINE_FUNCTIONS(UI_LIB_READLINE_SYM)
	UI_LIB_READLINE_VARIABLES(UI_LIB_READLINE_SYM)
};

/* One library; false with *err naming it and its Debian package. */
static bool ui_lib_one(const char *soname, const char *package, const struct util_sym *syms,
		       size_t n, char **err)
{
	char *why = util_dlsyms(soname, syms, n);

	if (why == NULL)
		return true;
	*err = xasprintf(_("cannot load %s (%s): %s; install the Debian package %s"),
			 soname, _("the terminal UI"), why, package);
	free(why);
	return false;
}

bool ui_lib_open(char **err)
{
	static int state; /* 0 not tried, 1 open, -1 failed */
	static char *why;

	if (state == 0) {
		bool ok = ui_lib_one(UI_LIB_NCURSESW, "libncursesw6", ui_lib_curses_syms,
				     UTIL_ARRAY_LEN(ui_lib_curses_syms), &why) &&
			  ui_lib_one(UI_LIB_READLINE_SO, "libreadline8", ui_lib_readline_syms,
				     UTIL_ARRAY_LEN(ui_lib_readline_syms), &why);

		state = ok ? 1 : -1;
	}
	if (state < 0)
		*err = xstrdup(why);
	return state > 0;
}
