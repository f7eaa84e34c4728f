/* /scenario [NAME]: list the demo's teaching scenarios, or switch to one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/demo.h"
#include "smtpscope/i18n.h"

/* The demo's catalog, read now if this is the first time, what was wrong
 * with its files shown as warnings. */
static struct demo_catalog *cmd_scenario_catalog(struct cmd_ctx *ctx)
{
	struct demo_catalog *cat;
	struct buf errors;

	buf_init(&errors);
	cat = demo_ctl_catalog(ctx->demo, &errors);
	cmd_warn_lines(ctx, errors.data);
	buf_free(&errors);
	return cat;
}

static void cmd_scenario_list(struct cmd_ctx *ctx)
{
	const struct demo_catalog *cat = cmd_scenario_catalog(ctx);

	if (cat->n == 0) {
		session_text(ctx->session, SESSION_NOTE,
			     _("no scenario files were found (help/scenarios); only the built-in \"happy\" server is there"));
		return;
	}
	session_text(ctx->session, SESSION_NOTE,
		     _("scenarios of the built-in demo server (%cscenario NAME switches; * is the current one):"),
		     CMD_PREFIX);
	for (size_t i = 0; i < cat->n; i++)
		session_text(ctx->session, SESSION_NOTE, "%c %-18s %s",
			     ctx->demo->current == cat->sc[i] ? '*' : ' ', cat->sc[i]->name,
			     cat->sc[i]->title);
}

static int cmd_scenario_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct demo_scenario *sc;
	char *err = NULL, *intro;

	if (ctx->demo == NULL) {
		session_text(ctx->session, SESSION_ERROR, _("the built-in demo server is not available here"));
		return -1;
	}
	if (argc == 1) {
		cmd_scenario_list(ctx);
		return 0;
	}
	sc = demo_catalog_find(cmd_scenario_catalog(ctx), argv[1], &err);
	if (sc == NULL)
		return cmd_fail(ctx, err, NULL);
	if (client_conn(ctx->client) == CLIENT_UP || client_conn(ctx->client) == CLIENT_CONNECTING)
		client_close(ctx->client, _("switching to another scenario"));
	if (!demo_ctl_start(ctx->demo, sc, &err))
		return cmd_fail(ctx, err, NULL);
	intro = demo_ctl_intro(ctx->demo);
	session_text(ctx->session, SESSION_NOTE, "%s", intro);
	free(intro);
	if (!client_connect(ctx->client, ctx->demo->target, ctx->default_port, &err))
		return cmd_fail(ctx, err, NULL);
	return 0;
}

const struct cmd_entry cmd_scenario_entry = {
	.name = "scenario",
	.args = N_("[NAME]"),
	.summary = N_("list the demo server's teaching scenarios, or switch to one"),
	.help = N_("Without an argument lists the scenarios of the built-in demo server "
		"with their titles. With a NAME (or a FILE.scn) closes the connection, "
		"restarts the demo server with that scenario, shows its lesson and "
		"connects to it."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 0,
	.max_args = 1,
	.run = cmd_scenario_run,
};
