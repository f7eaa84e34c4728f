/* cli-probe: `smtpscope probe ADDRESS|DOMAIN`, the options around the
 * probe engine (probe.c). */
#include "config.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtpscope/cli.h"
#include "smtpscope/client.h"
#include "smtpscope/dns.h"
#include "smtpscope/i18n.h"
#include "smtpscope/kb.h"
#include "smtpscope/probe.h"
#include "smtpscope/transport.h"
#include "smtpscope/ui.h"

enum { CLI_PROBE_USAGE = 2 };

static const char *const cli_probe_usage = N_(
"Usage: smtpscope probe ADDRESS|DOMAIN [--from ADDRESS] [--json] [--relay-test]\n"
"         [--blocklists [IP]] [OPTIONS]\n"
"\n"
"Does what a sending MTA does for ADDRESS's domain (RFC 5321 5.1), without\n"
"sending a message: the MX lookup (with its DNSSEC status), each MX host's\n"
"addresses, then for each (host, address), up to 4 at a time: connect,\n"
"greeting, reverse DNS of the address, EHLO, STARTTLS with the certificate\n"
"checked for the MX name, MAIL FROM, RCPT TO:<ADDRESS>, RSET, QUIT.  Never\n"
"DATA.  Ends with a table per MX and address and a verdict.  At a terminal\n"
"the steps show live in a terminal UI (q or F10 quits), the verdict in its\n"
"explanation pane; otherwise, or with --batch, line mode.\n"
"\n"
"  --from ADDRESS        MAIL FROM address (default: the null sender <>);\n"
"                        also shows its domain's SPF and DMARC records with\n"
"                        their DNSSEC status and a syntax check (README)\n"
"  --ehlo NAME           the EHLO name (default smtpscope.invalid)\n"
"  --json                the whole result as one JSON object (README)\n"
"  --batch               line mode even at a terminal (no TUI)\n"
"  -p, --port PORT       the SMTP port of every MX (default 25)\n"
"  --parallel N          sessions at once (default 4, 1 to 32)\n"
"  --connect-timeout S   seconds to wait for a connection (default 10)\n"
"  --timeout S           seconds to wait for a reply (default 30)\n"
"  --cafile FILE, --capath DIR  CA store for the certificate check\n"
"  --resolver ADDR[@PORT], --recursive, --dns-config FILE,\n"
"  --trust-anchor FILE   the resolver, as for the session (README, DNS)\n"
"  --connect-to HOST:PORT:ADDR:PORT  connect to ADDR:PORT instead of an MX\n"
"                        HOST at PORT, keeping HOST for the certificate check\n"
"                        and the report (curl's meaning; repeatable; empty\n"
"                        fields match any or keep the original)\n"
"  --seed N              the order of equal MX preferences (default: random)\n"
"  --relay-test          after RCPT, also RCPT TO:<relay-test@LABEL.invalid>, a\n"
"                        domain no server may accept: accepted = open relay\n"
"  --blocklists [IP]     look the sending address (each connection's local\n"
"                        address, or IP) up in the DNS blocklists (RFC 5782)\n"
"                        of help/blocklists.txt; IP as --blocklists=IP or the\n"
"                        next argument when it is an IPv4/IPv6 address\n"
"  --blocklists-file FILE  the list of blocklist zones (implies --blocklists)\n"
"\n"
"Exit status, by verdict: 0 deliverable (accepted over TLS), 40 accepted\n"
"without TLS, 41 Null MX, 42 no such domain, 43 DNS temporary failure,\n"
"44 DNSSEC bogus, 45 no MX address, 46 every MX unreachable, 47 port 25\n"
"blocked, 48 recipient unknown, 49 recipient refused, 50 greylisted,\n"
"51 sender refused, 52 policy refused (blocklist, 554 greeting), 53 other\n"
"temporary failure, 54 other refusal, 55 nothing to judge, 56 DANE fails at\n"
"every MX, 57 MTA-STS (enforce) fails at every MX; 2 bad usage.\n");

/* "smtpscope probe: MSG (got "ARG")", then the usage; ARG may be NULL. */
static int cli_probe_bad(const char *msg, const char *arg)
{
	fprintf(stderr, "smtpscope probe: %s", msg);
	if (arg)
		fprintf(stderr, _(" (got \"%s\")"), arg);
	fputs("\n\n", stderr);
	fputs(_(cli_probe_usage), stderr);
	return CLI_PROBE_USAGE;
}

static bool cli_probe_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool cli_probe_is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int cli_probe_main(int argc, char **argv)
{
	enum { O_FROM = 256, O_EHLO, O_JSON, O_PARALLEL, O_CTIMEOUT, O_TIMEOUT, O_CAFILE,
	       O_CAPATH, O_RESOLVER, O_RECURSIVE, O_DNSCONF, O_TA, O_SEED, O_BATCH,
	       O_RELAY, O_BLOCKLISTS, O_BLFILE, O_CONNECT_TO };
	static const struct option opts[] = {
		{ "from", required_argument, NULL, O_FROM },
		{ "ehlo", required_argument, NULL, O_EHLO },
		{ "json", no_argument, NULL, O_JSON },
		{ "batch", no_argument, NULL, O_BATCH },
		{ "port", required_argument, NULL, 'p' },
		{ "parallel", required_argument, NULL, O_PARALLEL },
		{ "connect-timeout", required_argument, NULL, O_CTIMEOUT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "cafile", required_argument, NULL, O_CAFILE },
		{ "capath", required_argument, NULL, O_CAPATH },
		{ "resolver", required_argument, NULL, O_RESOLVER },
		{ "recursive", no_argument, NULL, O_RECURSIVE },
		{ "dns-config", required_argument, NULL, O_DNSCONF },
		{ "trust-anchor", required_argument, NULL, O_TA },
		{ "seed", required_argument, NULL, O_SEED },
		{ "connect-to", required_argument, NULL, O_CONNECT_TO },
		{ "relay-test", no_argument, NULL, O_RELAY },
		{ "blocklists", optional_argument, NULL, O_BLOCKLISTS },
		{ "blocklists-file", required_argument, NULL, O_BLFILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe_options o;
	struct kb *kb;
	char *err;
	long v;
	int c, status;
	bool batch = false;

	memset(&o, 0, sizeof o);
	client_options_default(&o.client);
	o.out = stdout;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case O_FROM: o.from = optarg; break;
		case O_EHLO: o.ehlo = optarg; break;
		case O_JSON: o.json = true; break;
		case O_BATCH: batch = true; break;
		case 'p':
			if (!cli_probe_num(optarg, 1, 65535, &v))
				return cli_probe_bad(_("--port wants a number from 1 to 65535"), optarg);
			o.port = optarg;
			break;
		case O_PARALLEL:
			if (!cli_probe_num(optarg, 1, 32, &v))
				return cli_probe_bad(_("--parallel wants a number from 1 to 32"), optarg);
			o.parallel = (size_t)v;
			break;
		case O_CTIMEOUT:
		case O_TIMEOUT:
			if (!cli_probe_num(optarg, 1, 3600, &v))
				return cli_probe_bad(_("a timeout wants seconds from 1 to 3600"), optarg);
			if (c == O_CTIMEOUT)
				o.client.connect_timeout_ms = v * 1000;
			else
				o.client.reply_timeout_ms = v * 1000;
			break;
		case O_CAFILE: o.client.tls.cafile = optarg; break;
		case O_CAPATH: o.client.tls.capath = optarg; break;
		case O_RESOLVER: o.dns.resolver = optarg; break;
		case O_RECURSIVE: o.dns.recursive = true; break;
		case O_DNSCONF: o.dns.config = optarg; break;
		case O_TA: o.dns.trust_anchor = optarg; break;
		case O_SEED:
			if (!cli_probe_num(optarg, 1, 2147483647L, &v))
				return cli_probe_bad(_("--seed wants a positive number"), optarg);
			o.seed = (uint64_t)v;
			break;
		case O_CONNECT_TO:
			if (!transport_connect_to_add(&o.client.connect_to, optarg, &err)) {
				status = cli_probe_bad(err, NULL);
				free(err);
				return status;
			}
			break;
		case O_RELAY: o.relay_test = true; break;
		case O_BLOCKLISTS:
			o.blocklists = true;
			/* "--blocklists IP": the next argument when it is an address */
			if (optarg == NULL && optind < argc && cli_probe_is_ip(argv[optind]))
				optarg = argv[optind++];
			if (optarg && !cli_probe_is_ip(optarg))
				return cli_probe_bad(_("--blocklists wants an IPv4 or IPv6 address"), optarg);
			o.blocklist_ip = optarg;
			break;
		case O_BLFILE: o.blocklists = true, o.blocklists_file = optarg; break;
		case 'h':
			fputs(_(cli_probe_usage), stdout);
			return 0;
		default:
			fputs(_(cli_probe_usage), stderr);
			return CLI_PROBE_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_probe_bad(optind < argc ? _("one ADDRESS or DOMAIN, not several")
				     : _("which address or domain?"), NULL);
	o.target = argv[optind];
	if (o.dns.config && (o.dns.resolver || o.dns.recursive))
		return cli_probe_bad(_("--dns-config is the whole resolver set-up: not with --resolver or --recursive"), NULL);
	kb = cli_load_kb(NULL);
	o.kb = kb;
	if (!batch && !o.json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
		status = ui_probe_run(&o);
	else
		status = probe_run(&o);
	kb_free(kb);
	return status;
}
