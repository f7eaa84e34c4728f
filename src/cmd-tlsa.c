/* /tlsa [HOST[:PORT]]: the TLSA records the server's certificate chain
 * calls for, and those DNS publishes at _PORT._tcp.HOST compared with it
 * (tlsa.h; RFC 6698, RFC 7671, RFC 7672).  The lookup runs on the
 * resolver of /dns, so cmd_dns_busy() holds the front-end's queue until
 * its answer is in.  The callback gets the command context, which
 * outlives the resolver (freeing it cancels the lookup, with no
 * callback), and reads the base domain and port back from the name
 * asked; the chain is read when the answer comes, from the connection
 * the held queue kept as it was. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/tls.h"
#include "smtpscope/tlsa.h"
#include "smtpscope/transport.h"

static void cmd_tlsa_done(void *arg, struct dns_answer *a)
{
	struct cmd_ctx *ctx = arg;
	const struct tls_conn *t = client_tls(ctx->client);
	struct tls_tlsa_chain chain;
	bool have = t && tls_tlsa_chain_of(t, &chain);
	char *host = NULL, *port = NULL;
	struct tlsa_report r;

	if (!tlsa_name_split(a->qname, &host, &port)) {
		host = xstrdup(a->qname); /* cannot happen: the name was made by tlsa_name */
		port = xstrdup("?");
	}
	tlsa_report_make(&r, &(struct tlsa_input){
		.host = host, .port = port, .chain = have ? &chain : NULL,
		.no_tls = t ? _("the server sent no certificate")
			    : _("the TLS connection ended while the TLSA lookup was out"),
		.answer = a,
	});
	tlsa_report_session(&r, ctx->session);
	tlsa_report_free(&r);
	if (have)
		tls_tlsa_chain_free(&chain);
	free(host);
	free(port);
	dns_answer_free(a);
}

/* The host and port of the connection: client_target() is "HOST port PORT". */
static bool cmd_tlsa_current(struct cmd_ctx *ctx, char **host, char **port)
{
	const char *target = client_target(ctx->client), *p = NULL;

	for (const char *s = strstr(target, " port "); s; s = strstr(s + 1, " port "))
		p = s;
	if (p == NULL || p == target || p[6] == '\0')
		return false;
	*host = xmemdup(target, (size_t)(p - target));
	*port = xstrdup(p + 6);
	return true;
}

static int cmd_tlsa_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct transport_target tt = { 0 };
	char *host = NULL, *port = NULL, *name, *rev, *err = NULL;
	struct dns *d;
	bool started;

	if (client_tls(ctx->client) == NULL) {
		session_text(ctx->session, SESSION_ERROR,
			     _("no TLS connection: /starttls (or connect with --tls) first"));
		return -1;
	}
	if (!cmd_tlsa_current(ctx, &host, &port))
		return cmd_fail(ctx, NULL, _("/tlsa: which host? /tlsa HOST[:PORT]"));
	if (argc == 2) {
		if (!transport_parse_target(argv[1], port, &tt, &err)) {
			free(host);
			free(port);
			return cmd_fail(ctx, err, _("usage: /tlsa [HOST[:PORT]]"));
		}
		free(host);
		free(port);
		host = tt.host, port = tt.port;
	}
	if ((rev = dns_reverse_name(host)) != NULL) {
		char *shown = util_escape_dup(host, strlen(host));

		free(rev);
		session_text(ctx->session, SESSION_ERROR,
			     _("/tlsa: %s is an address, and TLSA records live under a host name: "
			       "/tlsa HOST[:PORT] names it"), shown);
		free(shown);
		free(host);
		free(port);
		return -1;
	}
	name = tlsa_name(host, port);
	free(host);
	free(port);
	d = cmd_dns_resolver(ctx, &err);
	started = d && dns_query(d, name, DNS_TLSA, cmd_tlsa_done, ctx, &err) != NULL;
	free(name);
	if (!started)
		return cmd_fail(ctx, err, _("the TLSA lookup could not be started"));
	return 0;
}

const struct cmd_entry cmd_tlsa_entry = {
	.name = "tlsa",
	.args = N_("[HOST[:PORT]]"),
	.summary = N_("the TLSA records for the server's chain, compared with DNS (DANE)"),
	.help = N_("Prints the TLSA records the current certificate chain calls for: \"3 1 1\" pins "
		"the server's own key (DANE-EE, recommended), \"2 1 1\" the issuer's key at depth 1 "
		"(DANE-TA); for a key rollover, publish the new key's 3 1 1 before switching. Then "
		"looks up TLSA at _PORT._tcp.HOST (the host and port connected to, or HOST[:PORT]) "
		"with its DNSSEC status and says of each published record whether it matches the "
		"chain (and at which depth), does not match, is unusable for SMTP (usages 0 and 1) "
		"or is malformed, and what a DANE sender will do (RFC 7672). Needs TLS: "
		"/starttls first. The resolver: --resolver, --recursive, --dns-config, "
		"--trust-anchor."),
	.complete = CMD_COMPLETE_HOST,
	.min_args = 0,
	.max_args = 1,
	.needs_connection = true,
	.run = cmd_tlsa_run,
};
