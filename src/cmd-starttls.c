/* /starttls */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_starttls_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (smtp_tls(client_smtp(ctx->client))) {
		session_text(ctx->session, SESSION_ERROR,
			     _("TLS is already up on this connection (RFC 3207 4.2: no STARTTLS inside TLS)"));
		return -1;
	}
	client_command(ctx->client, "STARTTLS");
	return 0;
}

const struct cmd_entry cmd_starttls_entry = {
	.name = "starttls",
	.args = "",
	.summary = N_("send STARTTLS and, after its 220, do the TLS handshake"),
	.help = N_("Sends STARTTLS now (whatever the state: a debugger lets you try it "
		"early) and, once the server answers 220, does the TLS handshake and "
		"shows the protocol, cipher and certificate. A certificate that cannot "
		"be verified ends the connection before anything is sent, unless "
		"smtpscope runs with --insecure. After TLS the server forgets the EHLO "
		"from before: send EHLO again (--auto-ehlo does it); the capability "
		"changes are shown."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 0,
	.run = cmd_starttls_run,
	.needs_connection = true,
};
