/* /data: the message follows on the next lines, up to a lone ".". */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_data_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctx->message_mode = true;
	session_text(ctx->session, SESSION_NOTE,
		     _("enter the message; a line holding only \".\" ends it"));
	return 0;
}

const struct cmd_entry cmd_data_entry = {
	.name = "data",
	.args = "",
	.summary = N_("type a message: DATA is sent once it is complete"),
	.help = N_("Reads the message from the following lines, up to a line "
		"holding only \".\". Then sends DATA and, after the 354, the "
		"message with dots doubled and CRLF line endings. If DATA is "
		"refused the message is not sent, so its lines never reach the "
		"server as commands (unlike typing DATA by hand)."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 0,
	.run = cmd_data_run,
	.needs_connection = true,
};
