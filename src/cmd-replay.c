/* /replay FILE: re-run a saved session's commands (or a command list). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"
#include "smtpscope/replay.h"

/* A saved session larger than this is not one smtpscope wrote. */
#define CMD_REPLAY_MAX (16 * 1024 * 1024)

static int cmd_replay_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	FILE *f;
	struct buf text;
	char chunk[8192], *err = NULL;
	size_t n;
	bool ok;

	(void)argc;
	if (ctx->replay == NULL || ctx->replay->active) {
		session_text(ctx->session, SESSION_ERROR, _("a replay is already running"));
		return -1;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		session_text(ctx->session, SESSION_ERROR, _("cannot read %s: %s"), argv[1], strerror(errno));
		return -1;
	}
	buf_init(&text);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && text.len <= CMD_REPLAY_MAX)
		buf_add(&text, chunk, n);
	fclose(f);
	ok = text.len <= CMD_REPLAY_MAX &&
	     replay_parse(ctx->replay, argv[1], text.data ? text.data : "", text.len, &err);
	buf_free(&text);
	if (!ok)
		return cmd_fail(ctx, err, _("file too large to replay"));
	ctx->replay->active = true;
	ctx->replay->manual = ctx->replay_by_key;
	session_text(ctx->session, SESSION_NOTE, ngettext("replaying %zu line from %s%s%s",
						   "replaying %zu lines from %s%s%s", ctx->replay->n),
		     ctx->replay->n, argv[1],
		     ctx->replay->skipped ? _(" (redacted lines left out)") : "",
		     ctx->replay_by_key ? _(": F8 runs the next one") : "");
	return 0;
}

const struct cmd_entry cmd_replay_entry = {
	.name = "replay",
	.args = N_("FILE"),
	.summary = N_("re-run the commands of a saved session and show where replies differ"),
	.help = N_("Reads FILE, a session saved with /save or --save (.jsonl or .txt) or a "
		"plain list of lines to type, and runs its lines against the current "
		"server one by one, each once the replies to the one before are in (in "
		"the terminal UI, F8 runs the next). Where the new reply's code differs "
		"from the saved one, a warning says so; a summary ends the replay."),
	.complete = CMD_COMPLETE_FILE,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_replay_run,
};
