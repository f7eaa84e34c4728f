/* /sendfile PATH */
#include "config.h"

#include <stdlib.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_sendfile_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *err = NULL;

	(void)argc;
	if (!client_send_file(ctx->client, argv[1], &err))
		return cmd_fail(ctx, err, NULL);
	return 0;
}

const struct cmd_entry cmd_sendfile_entry = {
	.name = "sendfile",
	.args = N_("PATH"),
	.summary = N_("send a message file (e.g. .eml) as the message"),
	.help = N_("Sends DATA (unless the server already said 354), then the "
		"file: lines starting with \".\" are dot-stuffed, bare LF and "
		"CR become CRLF (with a warning; --raw-data keeps them), and "
		"the end-of-data line follows."),
	.complete = CMD_COMPLETE_FILE,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_sendfile_run,
	.needs_connection = true,
};
