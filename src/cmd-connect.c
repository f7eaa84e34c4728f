/* /connect HOST[:PORT] */
#include "config.h"

#include <stdlib.h>

#include "smtpscope/cmd.h"

static int cmd_connect_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *err = NULL;

	(void)argc;
	if (!client_connect(ctx->client, argv[1], ctx->default_port, &err))
		return cmd_fail(ctx, err, NULL);
	return 0;
}

const struct cmd_entry cmd_connect_entry = {
	.name = "connect",
	.args = "HOST[:PORT]",
	.summary = "connect to an SMTP server (port 25 unless given)",
	.help = "Closes any open connection and connects to HOST on PORT "
		"(default 25). IPv6 literals go in brackets: [::1]:2525. "
		"The server's greeting is the first reply.",
	.complete = CMD_COMPLETE_HOST,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_connect_run,
};
