/* /ladder: the session as a client <-> server sequence diagram. */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"
#include "smtpscope/ladder.h"

static int cmd_ladder_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct buf b;

	(void)argc;
	(void)argv;
	if (ctx->ladder_pane) {
		ctx->ladder_view = true; /* drawn live there; F7 goes back */
		return 0;
	}
	buf_init(&b);
	ladder_render(ctx->session, LADDER_DEFAULT_WIDTH, &b);
	util_chomp(b.data, b.len);
	session_text(ctx->session, SESSION_NOTE, "%s", b.data);
	buf_free(&b);
	return 0;
}

const struct cmd_entry cmd_ladder_entry = {
	.name = "ladder",
	.args = "",
	.summary = N_("draw the session as a client <-> server sequence diagram"),
	.help = N_("Prints the session so far as a ladder: commands as arrows to the "
		"server, replies (code first) as arrows back, message content as one "
		"arrow, TLS start marked, '~' arrows inside TLS. In the terminal UI "
		"it switches the session pane to the ladder, drawn as the session "
		"goes on (F7 toggles back to the transcript)."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 0,
	.run = cmd_ladder_run,
};
