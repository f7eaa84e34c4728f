/* i18n: the program's messages in the user's language, through GNU
 * gettext (po/fr.po, po/ko.po; glibc's libintl), and the choice of that
 * language, which the knowledge base's translations follow too. */
#ifndef SMTPSCOPE_I18N_H
#define SMTPSCOPE_I18N_H

#include <libintl.h>
#include <stddef.h>

/* A translatable message, and one marked for later translation. */
#define _(s) gettext(s)
#define N_(s) (s)

/* The language: given (--lang), else the first of LANGUAGE (its first
 * entry), LC_ALL, LC_MESSAGES and LANG that is set, as gettext looks;
 * "en" when none is.  "ll" or "ll_CC", without codeset or modifier. */
const char *i18n_choose(const char *given, char *buf, size_t size);

/* Chooses the language (as i18n_choose) and sets gettext up for it: the
 * catalogs of the installed program, or of the build tree when it runs
 * uninstalled.  A locale the system lacks still gets its messages. */
void i18n_init(const char *given);

/* The language i18n_init() chose ("fr", "ko_KR", "en"). */
const char *i18n_lang(void);

#endif
