/* /help [COMMAND] */
#include "config.h"

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

static int cmd_help_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	size_t n, i;
	const struct cmd_entry *const *t = cmd_table(&n);
	const struct cmd_entry *e;

	if (argc == 2) {
		e = cmd_find(argv[1][0] == CMD_PREFIX ? argv[1] + 1 : argv[1]);
		if (e == NULL) {
			session_text(ctx->session, SESSION_ERROR,
				     _("no local command \"%s\": %chelp lists them"), argv[1], CMD_PREFIX);
			return -1;
		}
		session_text(ctx->session, SESSION_NOTE, "%c%s%s%s: %s", CMD_PREFIX,
			     e->name, e->args[0] ? " " : "", e->args[0] ? _(e->args) : "", _(e->help));
		return 0;
	}
	session_text(ctx->session, SESSION_NOTE,
		     _("lines starting with %c are local commands; any other line is sent to the server as typed (%c%c sends a leading %c):"),
		     CMD_PREFIX, CMD_PREFIX, CMD_PREFIX, CMD_PREFIX);
	for (i = 0; i < n; i++)
		session_text(ctx->session, SESSION_NOTE, "  %c%s%s%s  %s", CMD_PREFIX,
			     t[i]->name, t[i]->args[0] ? " " : "", t[i]->args[0] ? _(t[i]->args) : "",
			     _(t[i]->summary));
	return 0;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.args = N_("[COMMAND]"),
	.summary = N_("list local commands, or explain one"),
	.help = N_("Without an argument lists every local command; with one, "
		"shows what that command does."),
	.complete = CMD_COMPLETE_COMMAND,
	.min_args = 0,
	.max_args = 1,
	.run = cmd_help_run,
};
