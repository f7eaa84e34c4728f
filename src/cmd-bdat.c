/* /bdat FILE [CHUNK-SIZE] */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

/* Chunks above this are refused: each is held in memory once. */
#define CMD_BDAT_MAX_CHUNK (64UL * 1024 * 1024)

static int cmd_bdat_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned long chunk = 0;
	char *err = NULL, *end;

	if (argc == 3) {
		chunk = strtoul(argv[2], &end, 10);
		if (argv[2][0] < '0' || argv[2][0] > '9' || *end || chunk == 0 ||
		    chunk > CMD_BDAT_MAX_CHUNK) {
			session_text(ctx->session, SESSION_ERROR,
				     _("chunk size \"%s\": give a number of octets from 1 to %lu"),
				     argv[2], CMD_BDAT_MAX_CHUNK);
			return -1;
		}
	}
	if (!client_send_bdat(ctx->client, argv[1], (size_t)chunk, &err))
		return cmd_fail(ctx, err, NULL);
	return 0;
}

const struct cmd_entry cmd_bdat_entry = {
	.name = "bdat",
	.args = N_("FILE [CHUNK-SIZE]"),
	.summary = N_("send a message file with BDAT (CHUNKING), exact octets"),
	.help = N_("Sends FILE as it is in chunks of CHUNK-SIZE octets (default 1048576): "
		"\"BDAT n\" with the exact count and the octets after it, the last chunk as "
		"\"BDAT n LAST\" (RFC 3030). No dot-stuffing, no end-of-data line, no "
		"line-ending repair; bare LF/CR and 8-bit octets are warned about unless MAIL "
		"said BODY=BINARYMIME (or BODY=8BITMIME for 8-bit). Chunks are pipelined when "
		"the server offers PIPELINING; after a refused chunk no more are sent."),
	.complete = CMD_COMPLETE_FILE,
	.min_args = 1,
	.max_args = 2,
	.run = cmd_bdat_run,
};
