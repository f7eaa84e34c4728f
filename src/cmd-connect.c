/* /connect HOST[:PORT] | unix:PATH | --pipe COMMAND | --mx | --dane */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/dane.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/tlsa.h"
#include "smtpscope/transport.h"

/* /connect --dane: the TLSA lookup out, then the connection. */
struct cmd_dane_connect {
	struct cmd_ctx *ctx;
	struct dns *dns;
	char *host, *port;
	struct dns_query *q;
	struct dns_answer *ans;
	struct dane_host dh;
	bool decided;
};

void cmd_connect_dane_free(struct cmd_ctx *ctx)
{
	struct cmd_dane_connect *d = ctx->dane_connect;

	if (d == NULL)
		return;
	if (d->q)
		dns_cancel(d->dns, d->q);
	if (d->decided)
		dane_host_free(&d->dh);
	if (d->ans)
		dns_answer_free(d->ans);
	free(d->host);
	free(d->port);
	free(d);
	ctx->dane_connect = NULL;
}

static void cmd_dane_answer(void *arg, struct dns_answer *a)
{
	struct cmd_dane_connect *d = arg;
	struct cmd_ctx *ctx = d->ctx;
	enum session_kind k;

	d->q = NULL;
	d->ans = a;
	/* the host named is taken as the MX: its MX RRset is not asked */
	dane_host_decide(&d->dh, d->host, true, true, a);
	d->decided = true;
	k = d->dh.state == DANE_USABLE || d->dh.state == DANE_NONE ? SESSION_NOTE : SESSION_WARN;
	session_text(ctx->session, k, "DANE: %s%s", d->dh.why,
		     d->dh.state == DANE_USABLE ? _("; STARTTLS will verify the server with them") : "");
	if (d->dh.kb_text && ctx->kb) {
		const struct kb_tls_error *t = kb_tls_error_match(ctx->kb, d->dh.kb_text);

		if (t)
			session_text(ctx->session, SESSION_NOTE, "%s %s", t->title, t->next);
	}
	client_connect_route(ctx->client, &(struct client_route){
		.host = d->host, .port = d->port,
		.dane = d->dh.state == DANE_USABLE ? &d->dh.tls : NULL });
}

int cmd_connect_dane(struct cmd_ctx *ctx, const char *target)
{
	struct transport_target t;
	struct cmd_dane_connect *d;
	char *err = NULL, *name;
	struct dns *r;

	if (!transport_parse_target(target, ctx->default_port, &t, &err))
		return cmd_fail(ctx, err, NULL);
	if ((r = cmd_dns_resolver(ctx, &err)) == NULL) {
		transport_target_free(&t);
		return cmd_fail(ctx, err, _("the resolver could not be set up"));
	}
	cmd_connect_dane_free(ctx);
	d = xcalloc(1, sizeof *d);
	d->ctx = ctx;
	d->dns = r;
	d->host = xstrdup(t.host);
	d->port = xstrdup(t.port);
	transport_target_free(&t);
	ctx->dane_connect = d;
	name = tlsa_name(d->host, d->port);
	session_text(ctx->session, SESSION_NOTE, _("DANE: looking up TLSA %s before connecting"), name);
	d->q = dns_query(r, name, DNS_TLSA, cmd_dane_answer, d, &err);
	free(name);
	if (d->q == NULL) {
		cmd_connect_dane_free(ctx);
		return cmd_fail(ctx, err, _("the TLSA lookup could not be started"));
	}
	return 0;
}

/* /connect --pipe COMMAND: the words after --pipe joined by spaces (a
 * command with quotes of its own goes in double quotes, whole). */
static int cmd_connect_pipe(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct buf cmd;
	char *err = NULL;
	bool ok;

	if (argc < 3)
		return cmd_fail(ctx, xstrdup(_("usage: /connect --pipe COMMAND (a program that speaks "
					       "SMTP on its standard input and output, e.g. /connect "
					       "--pipe \"exim -bh 192.0.2.1\")")), NULL);
	buf_init(&cmd);
	for (int i = 2; i < argc; i++)
		buf_printf(&cmd, "%s%s", i > 2 ? " " : "", argv[i]);
	ok = client_connect_pipe(ctx->client, cmd.data, &err);
	buf_free(&cmd);
	return ok ? 0 : cmd_fail(ctx, err, NULL);
}

static int cmd_connect_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *err = NULL;

	if (strcmp(argv[1], "--dane") == 0) {
		if (argc != 3)
			return cmd_fail(ctx, xstrdup(_("usage: /connect --dane HOST[:PORT] (the TLSA "
						       "records first, then the connection, verified by "
						       "DANE)")), NULL);
		return cmd_connect_dane(ctx, argv[2]);
	}
	if (strcmp(argv[1], "--pipe") == 0)
		return cmd_connect_pipe(ctx, argc, argv);
	if (strcmp(argv[1], "--mx") == 0) {
		if (argc != 3)
			return cmd_fail(ctx, xstrdup(_("usage: /connect --mx ADDRESS|DOMAIN (connect to "
						       "the first MX of the domain that answers)")), NULL);
		return cmd_mx_start(ctx, argv[2], true);
	}
	if (argc != 2)
		return cmd_fail(ctx, xasprintf(_("usage: /connect %s (one target; --mx ADDRESS|DOMAIN "
						 "for a domain's MX)"), _(cmd_connect_entry.args)), NULL);
	if (!client_connect(ctx->client, argv[1], ctx->default_port, &err))
		return cmd_fail(ctx, err, NULL);
	return 0;
}

static const char *const cmd_connect_words[] = { "--mx", "--dane", "--pipe", NULL };

const struct cmd_entry cmd_connect_entry = {
	.name = "connect",
	.args = N_("HOST[:PORT] | unix:PATH | --pipe COMMAND | --mx ADDRESS|DOMAIN | --dane HOST[:PORT]"),
	.summary = N_("connect to an SMTP server (port 25 unless given), or to a domain's MX"),
	.help = N_("Closes any open connection and connects to HOST on PORT "
		"(default 25). IPv6 literals go in brackets: [::1]:2525. "
		"The server's greeting is the first reply. With --mx, looks up the domain "
		"(of an ADDRESS: its domain part) as /mx does and connects to its most preferred "
		"MX that answers, trying the next address, then the next host, when a connection "
		"is refused, times out or is unreachable; each attempt says which MX it is on "
		"(\"MX 2 of 3: mx2.example.org [192.0.2.3]\"), as the status bar does. The MX's "
		"name is used for SNI and the certificate check; --connect-to applies to each "
		"host, --port to all of them; the TLSA records of each MX host are looked up too, "
		"and STARTTLS verifies by DANE where they are DNSSEC-signed and usable. With "
		"--dane, HOST's TLSA records (_PORT._tcp.HOST) are looked up first and the "
		"connection verifies by DANE the same way (HOST is taken as the MX). "
		"unix:PATH connects to a UNIX socket (an LMTP socket: greet it with LHLO). "
		"--pipe COMMAND runs the program with /bin/sh -c and talks SMTP to its "
		"standard input and output (exim -bh 192.0.2.1, sendmail -bs); its standard "
		"error lines are shown as \"stderr:\" notes and its exit status when it ends. "
		"Over a UNIX socket or a program, TLS checks --sni NAME, else \"localhost\"."),
	.complete = CMD_COMPLETE_WORDS,
	.words = cmd_connect_words,
	.complete_next = CMD_COMPLETE_DOMAIN, /* after --mx */
	.min_args = 1,
	.max_args = 64, /* --pipe's words */
	.run = cmd_connect_run,
};
