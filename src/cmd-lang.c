/* /lang [en|fr|ko]: the language of the explanations and the program's
 * messages, switched in a session. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"
#include "smtpscope/kb.h"
#include "smtpscope/util.h"

static const char *const cmd_lang_words[] = { "en", "fr", "ko", NULL };

/* What a language calls itself, for the note. */
static const char *cmd_lang_name(const char *lang)
{
	if (strncmp(lang, "fr", 2) == 0)
		return "français";
	if (strncmp(lang, "ko", 2) == 0)
		return "한국어";
	return "English";
}

/* "ll" or "ll_CC": two or three lower-case letters, then maybe an
 * underscore and two upper-case ones. */
static bool cmd_lang_valid(const char *s)
{
	size_t n = 0;

	while (islower((unsigned char)s[n]))
		n++;
	if (n < 2 || n > 3)
		return false;
	if (s[n] == '\0')
		return true;
	return s[n] == '_' && isupper((unsigned char)s[n + 1]) &&
	       isupper((unsigned char)s[n + 2]) && s[n + 3] == '\0';
}

static void cmd_lang_show(struct cmd_ctx *ctx)
{
	session_text(ctx->session, SESSION_NOTE,
		     _("language: %s (%s); %clang en, %clang fr or %clang ko switches"),
		     cmd_lang_name(i18n_lang()), i18n_lang(), CMD_PREFIX, CMD_PREFIX, CMD_PREFIX);
}

static int cmd_lang_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *want = argc > 1 ? argv[1] : NULL;
	struct kb *failed = NULL;
	struct buf errors;

	if (want == NULL) {
		cmd_lang_show(ctx);
		return 0;
	}
	if (!cmd_lang_valid(want) || !kb_lang_available(kb_default_dir(), want)) {
		session_text(ctx->session, SESSION_ERROR,
			     _("%clang %s: no translation for it; use en, fr or ko"), CMD_PREFIX,
			     want);
		return -1;
	}
	if (ctx->relang_kb &&
	    kb_switch_lang(ctx->relang_kb, kb_default_dir(), want, &failed) > 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("%clang %s: the knowledge base in that language has problems (%s); the language stays %s"),
			     CMD_PREFIX, want,
			     kb_error_count(failed) ? kb_error(failed, 0) : "?", i18n_lang());
		kb_free(failed);
		return -1;
	}
	i18n_init(want);
	buf_init(&errors);
	if (ctx->demo && ctx->demo->catalog_loaded) /* else read in this language */
		demo_catalog_translate(&ctx->demo->catalog, kb_default_dir(), want, &errors);
	cmd_warn_lines(ctx, errors.data);
	buf_free(&errors);
	ctx->relang = true;
	session_text(ctx->session, SESSION_NOTE,
		     _("language: %s. Explanations, headings and messages are in it from now "
		       "on; lines already written stay as they are."),
		     cmd_lang_name(i18n_lang()));
	return 0;
}

const struct cmd_entry cmd_lang_entry = {
	.name = "lang",
	.args = N_("[en|fr|ko]"),
	.summary = N_("the language of the explanations and messages: English, French, Korean"),
	.help = N_("Without an argument, shows the language in use. With one, switches the "
		   "explanations, the headings, the status bar and the program's messages to "
		   "English (en), French (fr) or Korean (ko), and redraws both panes; what the "
		   "server sends is shown as sent. The same as --lang at start."),
	.complete = CMD_COMPLETE_WORDS,
	.words = cmd_lang_words,
	.min_args = 0,
	.max_args = 1,
	.run = cmd_lang_run,
};
