/* /mtasts DOMAIN: a domain's MTA-STS and TLS-RPT inside the debugger, the
 * same check and report as `smtpscope mtasts` (mtasts-fetch.h), on the
 * resolver of /dns.  Until the report is in, cmd_dns_busy() holds the
 * front-end's queue. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"
#include "smtpscope/mtasts-fetch.h"

struct cmd_mtasts {
	struct mtasts_check *check;
	struct session *session;
};

void cmd_mtasts_free(struct cmd_ctx *ctx)
{
	if (ctx->mtasts == NULL)
		return;
	mtasts_cancel(ctx->mtasts->check);
	free(ctx->mtasts);
	ctx->mtasts = NULL;
}

static void cmd_mtasts_line(void *ctx, bool warn, const char *text)
{
	session_text(ctx, warn ? SESSION_WARN : SESSION_NOTE, "%s", text);
}

static void cmd_mtasts_done(void *vctx, struct mtasts_result *r)
{
	struct cmd_ctx *ctx = vctx;

	mtasts_result_lines(r, cmd_mtasts_line, ctx->mtasts->session);
	mtasts_result_free(r);
	ctx->mtasts->check = NULL; /* void once this runs */
	cmd_mtasts_free(ctx);
}

static int cmd_mtasts_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct client_options *co = client_options(ctx->client);
	struct mtasts_options o = { .domain = argv[1], .connect_to = &co->connect_to,
				    .cafile = co->tls.cafile, .capath = co->tls.capath };
	struct mtasts_check *check;
	struct dns *dns;
	char *err = NULL, *shown;

	(void)argc;
	if (ctx->mtasts)
		return cmd_fail(ctx, xstrdup(_("/mtasts: a check is still running")), NULL);
	if (strchr(argv[1], '@'))
		return cmd_fail(ctx, xasprintf(_("/mtasts wants a DOMAIN, not an address: /mtasts %s"),
					       strrchr(argv[1], '@') + 1), NULL);
	if ((dns = cmd_dns_resolver(ctx, &err)) == NULL)
		return cmd_fail(ctx, err, _("the resolver could not be set up"));
	if ((check = mtasts_start(ctx->loop, dns, &o, cmd_mtasts_done, ctx, &err)) == NULL)
		return cmd_fail(ctx, err, _("the check could not be started"));
	ctx->mtasts = xcalloc(1, sizeof *ctx->mtasts);
	ctx->mtasts->check = check;
	ctx->mtasts->session = ctx->session;
	shown = util_escape_dup(argv[1], strlen(argv[1]));
	session_text(ctx->session, SESSION_NOTE, _("MTA-STS of %s: %s ..."), shown, mtasts_waiting(check));
	free(shown);
	return 0;
}

const struct cmd_entry cmd_mtasts_entry = {
	.name = "mtasts",
	.args = N_("DOMAIN"),
	.summary = N_("check a domain's MTA-STS policy and TLS-RPT record"),
	/* "https:/" "/": tests/i18n/unmarked.py would read the // as a comment */
	.help = N_("Checks DOMAIN's MTA-STS (RFC 8461) as a sending MTA does: the TXT record at "
		"_mta-sts.DOMAIN, the addresses of mta-sts.DOMAIN, then the policy fetched from "
		"https:/" "/mta-sts.DOMAIN/.well-known/mta-sts.txt (certificate valid for that name, "
		"no redirects, 200 and text/plain only, at most 64 KiB) and checked, and the TLS-RPT "
		"record at _smtp._tls.DOMAIN (RFC 8460), each lookup with its DNSSEC status. Ends "
		"with the state (none, record-invalid, fetch-failed, policy-invalid, dns-failed, or "
		"the mode in force) and what it means for senders: a record whose policy cannot be "
		"fetched or is invalid leaves them delivering as without MTA-STS. Uses the session's "
		"resolver options, --connect-to rules and --cafile/--capath."),
	.complete = CMD_COMPLETE_DOMAIN,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_mtasts_run,
};
