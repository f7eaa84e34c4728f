/* /quit */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_quit_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct smtp *smtp = client_smtp(ctx->client);
	enum smtp_state st = smtp_state(smtp);

	(void)argc;
	(void)argv;
	ctx->quit = true;
	if (client_conn(ctx->client) == CLIENT_UP && st != SMTP_QUITTING &&
	    st != SMTP_DATA && !smtp_closing(smtp))
		client_command(ctx->client, "QUIT");
	else if (client_conn(ctx->client) == CLIENT_UP && st == SMTP_DATA)
		client_close(ctx->client, _("quit in the middle of a message (the message was not ended, so it is not delivered)"));
	return 0;
}

const struct cmd_entry cmd_quit_entry = {
	.name = "quit",
	.args = "",
	.summary = N_("send QUIT (if connected) and exit"),
	.help = N_("Sends QUIT, waits for the server's 221 and exits. In the "
		"middle of a message it closes the connection instead, so the "
		"unfinished message is not delivered."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 0,
	.run = cmd_quit_run,
};
