/* /raw on|off: every read and write shown as hex + ASCII. */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_raw_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	bool on = client_raw(ctx->client);

	if (!cmd_switch(ctx, "raw", argc, argv, &on))
		return -1;
	client_set_raw(ctx->client, on);
	session_text(ctx->session, SESSION_NOTE, "%s",
		     on ? _("raw is on: every read and write is shown as hex and ASCII, with its "
			    "byte count (inside TLS: the decrypted bytes and the TLS records)")
			: _("raw is off"));
	return 0;
}

const struct cmd_entry cmd_raw_entry = {
	.name = "raw",
	.args = N_("[on|off]"),
	.summary = N_("show every read and write as hex and ASCII"),
	.help = N_("With raw on, each read from the server and each write to it is shown in "
		"the transcript as it happened: \"read 37 bytes\" or \"wrote 12 bytes\", then "
		"the bytes as hexdump -C shows them (offset, 16 bytes in hex, the printable "
		"ASCII with dots), so a stray CR, a bare LF, a NUL or a reply split across reads "
		"can be seen. Inside TLS the bytes are the decrypted ones, and the TLS records "
		"they came in are named with their sizes. A write holding AUTH credentials is "
		"shown by its size only. --raw turns it on from the start; F9 in the terminal UI "
		"shows the selected reply's bytes."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 1,
	.run = cmd_raw_run,
};
