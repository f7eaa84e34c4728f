/* /trace on|off: every SMTP state change noted with its cause. */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_trace_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct smtp *s = client_smtp(ctx->client);
	bool on = smtp_tracing(s);

	if (!cmd_switch(ctx, "trace", argc, argv, &on))
		return -1;
	smtp_set_trace(s, on);
	session_text(ctx->session, SESSION_NOTE, "%s",
		     smtp_tracing(s) ? _("trace is on: every state change is noted with its cause")
				     : _("trace is off"));
	return 0;
}

const struct cmd_entry cmd_trace_entry = {
	.name = "trace",
	.args = N_("[on|off]"),
	.summary = N_("note every SMTP state change with its cause"),
	.help = N_("With trace on, every change of the client's SMTP state is noted in the "
		"transcript with what caused it, after the reply that did: \"state GREETED "
		"-> READY on 250 to EHLO\", \"state READY -> TLS_START on 220 to STARTTLS\". "
		"A way to see how the protocol moves, and a debugging log. --trace turns it "
		"on from the start."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 1,
	.run = cmd_trace_run,
};
