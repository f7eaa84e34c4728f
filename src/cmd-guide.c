/* /guide on|off: a hint after each reply of what to try next. */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_guide_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (!cmd_switch(ctx, "guide", argc, argv, &ctx->guide))
		return -1;
	session_text(ctx->session, SESSION_NOTE, "%s",
		     ctx->guide ? _("guided mode is on: after each reply, a hint of what to try next "
				    "(nothing is sent for you)")
				: _("guided mode is off"));
	return 0;
}

const struct cmd_entry cmd_guide_entry = {
	.name = "guide",
	.args = N_("[on|off]"),
	.summary = N_("guided mode: a hint after each reply of what to try next, and why"),
	.help = N_("With guided mode on, each reply (once all awaited replies are in) is "
		"followed by a hint of what a student could try next and why, from where "
		"the session stands and what the server offers. It never sends anything."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 1,
	.run = cmd_guide_run,
};
