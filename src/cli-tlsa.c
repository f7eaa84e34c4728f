/* cli-tlsa: `smtpscope tlsa HOST[:PORT]`: one client session (connect,
 * greeting, EHLO, STARTTLS, the handshake without refusing an unverified
 * certificate, EHLO, QUIT; implicit TLS on 465 or with --tls) while the
 * TLSA lookup at _PORT._tcp.HOST runs on the resolver; then the report
 * of tlsa.h: the records the chain calls for, each published record
 * compared with it, the DNSSEC status and a conclusion, whose exit status
 * this returns.  Line mode prints the transcript and the report; --json
 * the report alone, as one object on stdout. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/caps.h"
#include "smtpscope/cli.h"
#include "smtpscope/client.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/printer.h"
#include "smtpscope/session.h"
#include "smtpscope/smtp.h"
#include "smtpscope/tls.h"
#include "smtpscope/tlsa.h"
#include "smtpscope/transport.h"

enum { CLI_TLSA_USAGE = 2 };

/* The usage text, in pieces (one translatable message each). */
static void cli_tlsa_print_usage(FILE *f)
{
	fputs(_(
"Usage: smtpscope tlsa HOST[:PORT] [--json] [--tls] [--ehlo NAME] [OPTIONS]\n"), f);
	fputs("\n", f);
	fputs(_(
"The DANE check of one SMTP server (RFC 7672, RFC 6698, RFC 7671): connects\n"
"to HOST at PORT (default 25; implicit TLS on 465 or with --tls, else EHLO\n"
"and STARTTLS), takes the certificate chain without refusing an unverified\n"
"one, and prints the TLSA records that chain calls for (3 1 1: the server's\n"
"key, recommended; 2 1 1: its issuer's key), then the TLSA records DNS\n"
"publishes at _PORT._tcp.HOST, with their DNSSEC status, each compared with\n"
"the chain, and what a DANE sender will do.\n"), f);
	fputs("\n", f);
	fputs(_(
"  --json                the report as one JSON object (README)\n"
"  --tls                 implicit TLS (the default on port 465)\n"
"  --ehlo NAME           the EHLO name (default smtpscope.invalid)\n"
"  --connect-to HOST:PORT:ADDR:PORT  connect to ADDR:PORT instead of HOST\n"
"                        at PORT, keeping HOST for SNI and the TLSA name\n"
"                        (curl's meaning; repeatable)\n"
"  --resolver ADDR[@PORT], --recursive, --dns-config FILE,\n"
"  --trust-anchor FILE   the resolver, as for the session (README, DNS)\n"), f);
	fputs("\n", f);
	fputs(_(
"Exit status: 0 a DNSSEC-secure TLSA record matches the chain, 70 no TLSA\n"
"published, 71 secure TLSA but no usable record matches, 72 TLSA not\n"
"DNSSEC-secure (insecure), 73 TLSA bogus or a temporary DNS failure, 74 no\n"
"TLS (no connection, STARTTLS not offered or refused, handshake failed);\n"
"2 bad usage.\n"), f);
}

struct cli_tlsa {
	struct loop *loop;
	struct session *s;
	struct client *c;
	struct dns *dns;
	struct printer_options print;
	bool json;
	const char *ehlo;
	char *host, *port;
	unsigned timer;
	bool ehlo_sent;
	bool sent;          /* a command is out, its reply awaited */
	bool quit;          /* QUIT sent (or the connection is over) */
	bool dns_done;
	struct dns_answer *answer;
	char *dns_error;
	bool have_chain;
	struct tls_tlsa_chain chain;
	char *no_tls;       /* why there is no chain */
	bool finished;
};

static int cli_tlsa_bad(const char *msg, const char *arg)
{
	fprintf(stderr, "smtpscope tlsa: %s", msg);
	if (arg)
		fprintf(stderr, _(" (got \"%s\")"), arg);
	fputs("\n\n", stderr);
	cli_tlsa_print_usage(stderr);
	return CLI_TLSA_USAGE;
}

static void cli_tlsa_no_tls(struct cli_tlsa *t, char *why)
{
	if (t->no_tls == NULL && !t->have_chain)
		t->no_tls = why;
	else
		free(why);
}

/* Both halves are in: the report. */
static void cli_tlsa_finish(struct cli_tlsa *t)
{
	if (t->finished || !t->dns_done || client_conn(t->c) == CLIENT_UP ||
	    client_conn(t->c) == CLIENT_CONNECTING)
		return;
	t->finished = true;
	loop_stop(t->loop);
}

static void cli_tlsa_step(void *ctx);

static void cli_tlsa_schedule(struct cli_tlsa *t)
{
	if (t->timer == 0)
		t->timer = loop_timer(t->loop, 0, cli_tlsa_step, t);
}

static void cli_tlsa_send(struct cli_tlsa *t, const char *line)
{
	t->sent = true;
	client_command(t->c, line);
}

static void cli_tlsa_quit(struct cli_tlsa *t)
{
	if (!t->quit) {
		t->quit = true;
		cli_tlsa_send(t, "QUIT");
	}
}

/* What to send next: EHLO after the greeting; STARTTLS after the first
 * EHLO; QUIT once the chain is in (the client sends the EHLO after the
 * handshake itself) or there will be none. */
static void cli_tlsa_step(void *ctx)
{
	struct cli_tlsa *t = ctx;
	struct smtp *sm = client_smtp(t->c);
	char *line;

	t->timer = 0;
	if (client_conn(t->c) != CLIENT_UP) {
		if (!t->have_chain)
			cli_tlsa_no_tls(t, xstrdup(_("the connection ended before TLS was up")));
		cli_tlsa_finish(t);
		return;
	}
	if (t->sent || t->quit || client_busy(t->c))
		return;
	switch (smtp_state(sm)) {
	case SMTP_WAIT_GREETING:
	case SMTP_TLS_START:
	case SMTP_QUITTING:
	case SMTP_CLOSED:
		break; /* what comes next comes by itself */
	case SMTP_GREETED:
		if (t->ehlo_sent) {
			/* after TLS the client sent EHLO itself; a refused one ends it */
			if (!t->have_chain)
				cli_tlsa_no_tls(t, xstrdup(_("EHLO was refused")));
			cli_tlsa_quit(t);
			break;
		}
		t->ehlo_sent = true;
		line = xasprintf("EHLO %s", t->ehlo);
		cli_tlsa_send(t, line);
		free(line);
		break;
	case SMTP_READY:
		if (t->have_chain || t->no_tls) {
			cli_tlsa_quit(t);
		} else if (smtp_tls(sm)) {
			cli_tlsa_no_tls(t, xstrdup(_("the server sent no certificate")));
			cli_tlsa_quit(t);
		} else if (!caps_has(smtp_caps(sm), CAP_STARTTLS)) {
			cli_tlsa_no_tls(t, xstrdup(_("the server does not offer STARTTLS")));
			cli_tlsa_quit(t);
		} else {
			cli_tlsa_send(t, "STARTTLS");
		}
		break;
	default:
		/* the greeting refused, EHLO refused ...: no TLS here */
		cli_tlsa_no_tls(t, xasprintf(_("the session did not get to TLS (state %s)"),
					     smtp_state_name(smtp_state(sm))));
		cli_tlsa_quit(t);
		break;
	}
}

static void cli_tlsa_listener(void *ctx, const struct session_event *ev)
{
	struct cli_tlsa *t = ctx;

	if (!t->json) {
		struct buf lines;

		buf_init(&lines);
		printer_event(&t->print, ev, &lines);
		if (lines.len)
			fwrite(lines.data, 1, lines.len, stdout);
		fflush(stdout);
		buf_free(&lines);
	}
	if (t->c == NULL)
		return; /* the report, after the session */
	switch (ev->kind) {
	case SESSION_REPLY:
		t->sent = false;
		if (ev->verb == SMTP_V_STARTTLS && ev->reply && ev->reply->code != 220)
			cli_tlsa_no_tls(t, xasprintf(_("STARTTLS refused with %d"), ev->reply->code));
		else if (ev->verb == SMTP_V_STARTTLS)
			t->sent = true; /* the handshake, then the client's own EHLO */
		cli_tlsa_schedule(t);
		break;
	case SESSION_TLS:
		if (ev->tls == SESSION_TLS_UP || ev->tls == SESSION_TLS_UNVERIFIED) {
			const struct tls_conn *c = client_tls(t->c);

			if (c && !t->have_chain)
				t->have_chain = tls_tlsa_chain_of(c, &t->chain);
			if (!t->have_chain)
				cli_tlsa_no_tls(t, xstrdup(_("the server sent no certificate")));
		} else if (ev->tls == SESSION_TLS_FAILED) {
			cli_tlsa_no_tls(t, xasprintf(_("the TLS handshake failed: %s"),
						     ev->detail ? ev->detail : ev->text ? ev->text : "?"));
		}
		break;
	case SESSION_ERROR:
		if (!t->have_chain && ev->text)
			cli_tlsa_no_tls(t, xstrdup(ev->text));
		cli_tlsa_schedule(t);
		break;
	case SESSION_CLOSE:
		cli_tlsa_schedule(t);
		break;
	default:
		break;
	}
}

static void cli_tlsa_on_answer(void *ctx, struct dns_answer *a)
{
	struct cli_tlsa *t = ctx;

	t->answer = a;
	t->dns_done = true;
	cli_tlsa_finish(t);
}

static void cli_tlsa_dns_note(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "smtpscope tlsa: %s\n", text);
}

static int cli_tlsa_report(struct cli_tlsa *t)
{
	struct tlsa_report r;
	int status;

	tlsa_report_make(&r, &(struct tlsa_input){
		.host = t->host, .port = t->port, .chain = t->have_chain ? &t->chain : NULL,
		.no_tls = t->no_tls, .answer = t->answer, .dns_error = t->dns_error,
	});
	if (t->json) {
		fwrite(r.json.data, 1, r.json.len, stdout);
		fputc('\n', stdout);
	} else {
		tlsa_report_session(&r, t->s);
	}
	status = (int)r.status;
	tlsa_report_free(&r);
	return status;
}

/* The session and the lookup, run to their ends; the report's status. */
static int cli_tlsa_run(struct cli_tlsa *t, const struct client_options *co,
			const struct dns_options *dopt)
{
	char *name = tlsa_name(t->host, t->port), *err = NULL;
	struct dns_options d = *dopt;
	int status;

	t->loop = loop_new();
	d.note = cli_tlsa_dns_note;
	t->dns = dns_new(t->loop, &d, &err);
	if (t->dns == NULL) {
		fprintf(stderr, _("smtpscope tlsa: the resolver: %s\n"), err ? err : "?");
		free(err);
		free(name);
		loop_free(t->loop);
		return CLI_TLSA_USAGE;
	}
	if (dns_query(t->dns, name, DNS_TLSA, cli_tlsa_on_answer, t, &err) == NULL) {
		t->dns_error = err ? err : xstrdup(_("the lookup could not be started"));
		t->dns_done = true;
	}
	free(name);
	t->s = session_new(NULL);
	session_set_listener(t->s, cli_tlsa_listener, t);
	t->c = client_new(t->loop, t->s, co);
	client_connect_route(t->c, &(struct client_route){ .host = t->host, .port = t->port });
	while (!t->finished)
		if (!loop_run(t->loop)) {
			cli_tlsa_no_tls(t, xstrdup(_("the event loop failed")));
			break;
		}
	if (t->timer)
		loop_cancel(t->loop, t->timer);
	client_free(t->c);
	t->c = NULL;
	status = cli_tlsa_report(t);
	session_free(t->s);
	dns_answer_free(t->answer);
	dns_free(t->dns);
	loop_free(t->loop);
	return status;
}

int cli_tlsa_main(int argc, char **argv)
{
	enum { O_JSON = 256, O_TLS, O_EHLO, O_CONNECT_TO, O_RESOLVER, O_RECURSIVE, O_DNSCONF,
	       O_TA };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "tls", no_argument, NULL, O_TLS },
		{ "ehlo", required_argument, NULL, O_EHLO },
		{ "connect-to", required_argument, NULL, O_CONNECT_TO },
		{ "resolver", required_argument, NULL, O_RESOLVER },
		{ "recursive", no_argument, NULL, O_RECURSIVE },
		{ "dns-config", required_argument, NULL, O_DNSCONF },
		{ "trust-anchor", required_argument, NULL, O_TA },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_tlsa t;
	struct client_options co;
	struct dns_options dopt;
	struct transport_target tt;
	char *err = NULL;
	int c, status;

	memset(&t, 0, sizeof t);
	memset(&dopt, 0, sizeof dopt);
	client_options_default(&co);
	t.ehlo = "smtpscope.invalid";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: t.json = true; break;
		case O_TLS: co.implicit_tls = true; break;
		case O_EHLO:
			if (*optarg == '\0' || strpbrk(optarg, " \t\r\n"))
				return cli_tlsa_bad(_("--ehlo wants a name without spaces"), optarg);
			t.ehlo = optarg;
			break;
		case O_CONNECT_TO:
			if (!transport_connect_to_add(&co.connect_to, optarg, &err)) {
				status = cli_tlsa_bad(err, NULL);
				free(err);
				return status;
			}
			break;
		case O_RESOLVER: dopt.resolver = optarg; break;
		case O_RECURSIVE: dopt.recursive = true; break;
		case O_DNSCONF: dopt.config = optarg; break;
		case O_TA: dopt.trust_anchor = optarg; break;
		case 'h':
			cli_tlsa_print_usage(stdout);
			return 0;
		default:
			cli_tlsa_print_usage(stderr);
			return CLI_TLSA_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_tlsa_bad(optind < argc ? _("one HOST[:PORT], not several")
				    : _("which server? smtpscope tlsa HOST[:PORT]"), NULL);
	if (dopt.config && (dopt.resolver || dopt.recursive))
		return cli_tlsa_bad(_("--dns-config is the whole resolver set-up: not with --resolver "
				      "or --recursive"), NULL);
	if (!transport_parse_target(argv[optind], "25", &tt, &err)) {
		status = cli_tlsa_bad(err, argv[optind]);
		free(err);
		return status;
	}
	t.port = tt.port;
	{
		char *rev = dns_reverse_name(tt.host);

		if (rev) {
			free(rev);
			transport_target_free(&tt);
			return cli_tlsa_bad(_("HOST is the name TLSA records live under, not an address "
					      "(use --connect-to HOST:PORT:ADDR:PORT to reach an address)"),
					    argv[optind]);
		}
	}
	/* The A-label form: what DNS is asked and the certificate names */
	if ((t.host = dns_name_to_ascii(tt.host, &err)) == NULL) {
		status = cli_tlsa_bad(err ? err : _("HOST is not a valid host name"), argv[optind]);
		free(err);
		transport_target_free(&tt);
		return status;
	}
	if (strcmp(t.port, "465") == 0)
		co.implicit_tls = true; /* RFC 8314 */
	co.tls.insecure = true;  /* the chain is the point, verified or not */
	co.verify_ask = false;
	co.starttls = false;
	co.auto_ehlo = true;     /* EHLO again after STARTTLS */
	t.print.kb = NULL;
	status = cli_tlsa_run(&t, &co, &dopt);
	if (t.have_chain)
		tls_tlsa_chain_free(&t.chain);
	free(t.no_tls);
	free(t.dns_error);
	free(t.host);
	transport_target_free(&tt);
	return status;
}
