/* /save FILE: the session so far as .txt, .jsonl or .html. */
#include "config.h"

#include <stdlib.h>

#include "smtpscope/cmd.h"
#include "smtpscope/export.h"
#include "smtpscope/i18n.h"

static int cmd_save_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct printer_options o = { .annotate = true, .kb = ctx->kb };
	char *err = NULL;
	size_t n = session_count(ctx->session);

	(void)argc;
	if (!export_save(ctx->session, &o, argv[1], &err))
		return cmd_fail(ctx, err, NULL);
	session_text(ctx->session, SESSION_NOTE, _("saved %zu events to %s (secrets redacted)"), n,
		     argv[1]);
	return 0;
}

const struct cmd_entry cmd_save_entry = {
	.name = "save",
	.args = N_("FILE"),
	.summary = N_("save the session: FILE.txt, FILE.jsonl or FILE.html (a handout)"),
	.help = N_("Writes the session so far, chosen by the file name's extension: .txt is "
		"the annotated transcript as line mode prints it, .jsonl one JSON object "
		"per event (fields in README.md), .html a self-contained handout with "
		"explanations and the ladder diagram. AUTH secrets are replaced by ***."),
	.complete = CMD_COMPLETE_FILE,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_save_run,
};
