/* cli-mtasts: `smtpscope mtasts DOMAIN`, the options around the MTA-STS
 * engine (mtasts-fetch.c): a resolver of its own, one check, the lines or
 * the JSON, the state's exit status. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/cli.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/loop.h"
#include "smtpscope/mtasts-fetch.h"
#include "smtpscope/transport.h"
#include "smtpscope/util.h"

enum { CLI_MTASTS_USAGE = 2 };
/* A wait longer than this is said on stderr, and again every interval. */
#define CLI_MTASTS_WAIT_MS 5000

/* The usage text, in pieces (one translatable message each). */
static void cli_mtasts_print_usage(FILE *f)
{
	fputs(_(
"Usage: smtpscope mtasts DOMAIN [--json] [OPTIONS]\n"), f);
	fputs("\n", f);
	/* "https:/" "/": tests/i18n/unmarked.py would read the // as a comment */
	fputs(_(
"Checks DOMAIN's MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) as a sending\n"
"MTA sees them: the TXT records _mta-sts.DOMAIN and _smtp._tls.DOMAIN and\n"
"the addresses of mta-sts.DOMAIN (each with its DNSSEC status), then, when\n"
"the record is valid, the policy fetched from\n"
"https:/" "/mta-sts.DOMAIN/.well-known/mta-sts.txt (certificate verified for\n"
"that name, no redirects, 200 and text/plain only, at most 64 KiB) and\n"
"checked.  Ends with the state and a sentence that says what it means.\n"), f);
	fputs("\n", f);
	fputs(_(
"  --json                the whole result as one JSON object (README)\n"
"  --timeout S           seconds for the policy fetch (default 60)\n"
"  --cafile FILE, --capath DIR  CA store for the policy server's certificate\n"
"  --resolver ADDR[@PORT], --recursive, --dns-config FILE,\n"
"  --trust-anchor FILE   the resolver, as for the session (README, DNS)\n"
"  --connect-to HOST:PORT:ADDR:PORT  fetch the policy from ADDR:PORT when it\n"
"                        is at HOST:PORT (mta-sts.DOMAIN:443), keeping HOST\n"
"                        for SNI and the certificate check (repeatable)\n"), f);
	fputs("\n", f);
	fputs(_(
"Exit status: 0 a valid policy in force (mode enforce, testing or none),\n"
"60 no MTA-STS record, 61 the record is invalid, 62 the policy could not be\n"
"fetched, 63 the policy is invalid, 64 a DNS lookup failed temporarily or\n"
"was bogus; 2 bad usage.\n"), f);
}

struct cli_mtasts {
	struct loop *loop;
	struct mtasts_check *check;
	struct mtasts_result *r;
	unsigned ticker;
	int64_t start_ms;
};

static int cli_mtasts_bad(const char *msg, const char *arg)
{
	fprintf(stderr, "smtpscope mtasts: %s", msg);
	if (arg)
		fprintf(stderr, _(" (got \"%s\")"), arg);
	fputs("\n\n", stderr);
	cli_mtasts_print_usage(stderr);
	return CLI_MTASTS_USAGE;
}

static void cli_mtasts_note(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "smtpscope mtasts: %s\n", text);
}

static void cli_mtasts_line(void *ctx, bool warn, const char *text)
{
	(void)ctx;
	printf("%s%s\n", warn ? "!!! " : "=== ", text);
}

static void cli_mtasts_done(void *ctx, struct mtasts_result *r)
{
	struct cli_mtasts *m = ctx;

	m->check = NULL;
	m->r = r;
	loop_stop(m->loop);
}

/* A long wait, said on stderr so that stdout stays the report. */
static void cli_mtasts_tick(void *ctx)
{
	struct cli_mtasts *m = ctx;

	m->ticker = loop_timer(m->loop, CLI_MTASTS_WAIT_MS, cli_mtasts_tick, m);
	if (m->check)
		fprintf(stderr, _("smtpscope mtasts: still waiting for %s: %lld s so far\n"),
			mtasts_waiting(m->check), (long long)((loop_now_ms() - m->start_ms) / 1000));
}

static bool cli_mtasts_seconds(const char *s, int *ms)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 3600)
		return false;
	*ms = (int)v * 1000;
	return true;
}

/* Runs the check on a loop and resolver of its own. */
static int cli_mtasts_run(const struct dns_options *dopt, const struct mtasts_options *mo, bool json)
{
	struct cli_mtasts m = { .loop = NULL };
	struct dns *dns;
	char *err = NULL;
	int status;

	m.loop = loop_new();
	if ((dns = dns_new(m.loop, dopt, &err)) == NULL) {
		fprintf(stderr, "smtpscope mtasts: %s\n", err ? err : _("the resolver could not be set up"));
		free(err);
		loop_free(m.loop);
		return CLI_MTASTS_USAGE;
	}
	if ((m.check = mtasts_start(m.loop, dns, mo, cli_mtasts_done, &m, &err)) == NULL) {
		fprintf(stderr, "smtpscope mtasts: %s\n", err ? err : _("the domain cannot be looked up"));
		free(err);
		dns_free(dns);
		loop_free(m.loop);
		return CLI_MTASTS_USAGE;
	}
	m.start_ms = loop_now_ms();
	m.ticker = loop_timer(m.loop, CLI_MTASTS_WAIT_MS, cli_mtasts_tick, &m);
	loop_run(m.loop);
	loop_cancel(m.loop, m.ticker);
	if (m.r == NULL) { /* the loop failed */
		mtasts_cancel(m.check);
		status = 1;
	} else if (json) {
		struct buf b;

		buf_init(&b);
		mtasts_result_json(m.r, &b);
		printf("%s\n", b.data);
		buf_free(&b);
		status = mtasts_exit_status(m.r->state);
	} else {
		mtasts_result_lines(m.r, cli_mtasts_line, NULL);
		status = mtasts_exit_status(m.r->state);
	}
	fflush(stdout);
	mtasts_result_free(m.r);
	dns_free(dns);
	loop_free(m.loop);
	return status;
}

int cli_mtasts_main(int argc, char **argv)
{
	enum { O_JSON = 256, O_TIMEOUT, O_CAFILE, O_CAPATH, O_RESOLVER, O_RECURSIVE, O_DNSCONF,
	       O_TA, O_CONNECT_TO };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, O_JSON },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "cafile", required_argument, NULL, O_CAFILE },
		{ "capath", required_argument, NULL, O_CAPATH },
		{ "resolver", required_argument, NULL, O_RESOLVER },
		{ "recursive", no_argument, NULL, O_RECURSIVE },
		{ "dns-config", required_argument, NULL, O_DNSCONF },
		{ "trust-anchor", required_argument, NULL, O_TA },
		{ "connect-to", required_argument, NULL, O_CONNECT_TO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dns_options dopt = { .note = cli_mtasts_note };
	struct transport_connect_to rules = { .n = 0 };
	struct mtasts_options mo = { .connect_to = &rules };
	bool json = false;
	char *err;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_TIMEOUT:
			if (!cli_mtasts_seconds(optarg, &mo.timeout_ms))
				return cli_mtasts_bad(_("--timeout wants seconds from 1 to 3600"), optarg);
			break;
		case O_CAFILE: mo.cafile = optarg; break;
		case O_CAPATH: mo.capath = optarg; break;
		case O_RESOLVER: dopt.resolver = optarg; break;
		case O_RECURSIVE: dopt.recursive = true; break;
		case O_DNSCONF: dopt.config = optarg; break;
		case O_TA: dopt.trust_anchor = optarg; break;
		case O_CONNECT_TO:
			if (!transport_connect_to_add(&rules, optarg, &err)) {
				status = cli_mtasts_bad(err, NULL);
				free(err);
				return status;
			}
			break;
		case 'h':
			cli_mtasts_print_usage(stdout);
			return 0;
		default:
			cli_mtasts_print_usage(stderr);
			return CLI_MTASTS_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_mtasts_bad(optind < argc ? _("one DOMAIN, not several") : _("which domain?"), NULL);
	mo.domain = argv[optind];
	if (strchr(mo.domain, '@')) {
		char *msg = xasprintf(_("a DOMAIN, not an address: smtpscope mtasts %s"), strrchr(mo.domain, '@') + 1);

		status = cli_mtasts_bad(msg, mo.domain);
		free(msg);
		return status;
	}
	if (dopt.config && (dopt.resolver || dopt.recursive))
		return cli_mtasts_bad(_("--dns-config is the whole resolver set-up: not with --resolver or --recursive"), NULL);
	return cli_mtasts_run(&dopt, &mo, json);
}
