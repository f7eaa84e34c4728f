/* smtpscope: command-line entry point. */
#include "config.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtpscope/batch.h"
#include "smtpscope/cli.h"
#include "smtpscope/demo.h"
#include "smtpscope/export.h"
#include "smtpscope/kb.h"
#include "smtpscope/loop.h"
#include "smtpscope/tls.h"
#include "smtpscope/transport.h"
#include "smtpscope/ui.h"
#include "smtpscope/util.h"

#define SERVE_DEFAULT_LISTEN "127.0.0.1:2525"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: smtpscope [OPTIONS] [HOST[:PORT]]\n"
"       smtpscope --demo [SCENARIO]\n"
"       smtpscope serve [--scenario NAME] [--listen ADDR:PORT] [--tls-listen ADDR:PORT]\n"
"       smtpscope explain CODE [ENHANCED] | ENHANCED | --reply TEXT |\n"
"                         --compare CODE CODE | --check   (see explain --help)\n"
"\n"
"An interactive SMTP debugger. Lines you type are sent to the server as\n"
"SMTP commands; lines starting with / are local commands (/help lists\n"
"them). Every reply is shown with what its code means. Without HOST,\n"
"smtpscope starts its built-in demo server on 127.0.0.1 and connects to it.\n"
"\n"
"Options:\n"
"  -b, --batch              line mode: read stdin, print the transcript\n"
"                           (chosen automatically when stdin or stdout is\n"
"                           not a terminal; otherwise the terminal UI runs)\n"
"      --demo [SCENARIO]    talk to the built-in demo server (the default\n"
"                           when no HOST is given), playing a teaching\n"
"                           scenario (default: happy; /scenario lists them)\n"
"  -4, -6                   use IPv4 / IPv6 only\n"
"  -p, --port PORT          port when HOST has none (default 25)\n"
"  -t, --timeout SECONDS    wait this long for each reply (default %d)\n"
"      --connect-timeout SECONDS\n"
"                           give up connecting after this long (default %d)\n"
"      --rfc-timeouts       use RFC 5321 4.5.3.2 reply timeouts (5 min, DATA\n"
"                           2 min, after the final dot 10 min)\n"
"      --timestamps         prefix each transcript line with the time (UTC)\n"
"      --timing             show each reply's latency\n"
"      --raw-data           send bare LF / CR in message data unrepaired\n"
"      --save FILE          at the end, save the session: FILE.txt (transcript),\n"
"                           FILE.jsonl (one event per line), FILE.html (handout)\n"
"      --replay FILE        first re-run the lines of a saved session (.jsonl,\n"
"                           .txt) or a command list; differing replies are shown\n"
"\n"
"TLS:\n"
"      --tls                implicit TLS: handshake right after connecting\n"
"                           (default port 465)\n"
"      --starttls           send STARTTLS right after EHLO, then EHLO again;\n"
"                           a refusal ends the session (no plaintext)\n"
"      --auto-ehlo          after /starttls, send EHLO again automatically\n"
"      --sni NAME           server name to send and to verify (default: HOST)\n"
"      --no-sni             send no server name\n"
"      --cafile FILE, --capath DIR\n"
"                           trust these CAs instead of the system store\n"
"      --insecure           go on when the certificate cannot be verified\n"
"                           (every later line is marked insecure)\n"
"      --cert FILE, --key FILE\n"
"                           client certificate and key (PEM)\n"
"      --tls-min V, --tls-max V\n"
"                           protocol versions: 1.0, 1.1, 1.2, 1.3\n"
"      --ciphers LIST       cipher list for TLS 1.2 and older (OpenSSL syntax)\n"
"      --ciphersuites LIST  TLS 1.3 cipher suites\n"

"AUTH (/auth [MECH [USER]]):\n"
"      --auth-user USER     user name for /auth without USER\n"
"      --password-env VAR   take the password from environment variable VAR\n"
"      --password-file FILE take it from the first line of FILE; without\n"
"                           either, /auth takes the next input line (masked\n"
"                           at the terminal, never stored)\n"
"      --token TOKEN, --token-env VAR\n"
"                           the OAuth 2.0 token for XOAUTH2\n"
"      --trace              note every SMTP state change with its cause\n"
"                           (\"state GREETED -> READY on 250 to EHLO\");\n"
"                           in a session: /trace on|off\n"
"      --show-secrets       show SASL lines in the transcript as sent (by\n"
"                           default: AUTH PLAIN <redacted: user \"alice\">)\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n"
"\n"
"serve: run only the demo server, for other clients (telnet, swaks, mail\n"
"clients); --scenario NAME (or FILE.scn) picks what it plays (default happy);\n"
"--listen ADDR:PORT (default " SERVE_DEFAULT_LISTEN "). It offers\n"
"STARTTLS with a self-signed certificate made at start; --tls-listen ADDR:PORT\n"
"adds an implicit-TLS port (like 465). Ctrl-C stops it.\n"
"\n"
"The terminal UI: session pane (transcript), explanation pane (the selected\n"
"reply explained), status bar, command line (GNU readline; history in\n"
"$XDG_STATE_HOME/smtpscope/history, secrets never stored).  Keys:\n"
"  F1 or /help  help overlay (Esc, F1 or q closes)   F6  move focus\n"
"  F7 or /ladder  session pane: transcript <-> ladder diagram (live)\n"
"  F8           during /replay: run the next step\n"
"  Tab          complete verbs, /commands, AUTH mechanisms, files, codes\n"
"  Up/Down      history; in the session pane: select a reply\n"
"  PgUp/PgDn, Home/End  scroll the focused pane   mouse: wheel, click selects\n"
"  Ctrl-L redraw   Ctrl-C clear the line (asks before abandoning a message)\n"
"  Ctrl-D on an empty line, or /quit: send QUIT and exit\n"
"\n"
"Transcript markers: '=== ' note, ' -> ' sent, '<-  ' received,\n"
"' ~> ' / '<~  ' sent / received inside TLS, '~~~ ' TLS layer,\n"
"'  # ' meaning of the reply, '!!! ' warning, '*** ' error.\n"
"\n"
"Exit status: 0 success, 1 internal error, 2 usage, 3 connect failed,\n"
"4 connection lost or server silent, 21 greeting refused, 22 EHLO/HELO\n"
"refused, 23 MAIL refused, 24 no recipient accepted, 25 DATA refused,\n"
"26 message refused after the final dot, 27 TLS failed, 28 AUTH failed,\n"
"29 delivered but some recipients refused (see the recipient summary).\n",
		CLIENT_DEFAULT_REPLY_TIMEOUT_MS / 1000,
		CLIENT_DEFAULT_CONNECT_TIMEOUT_MS / 1000);
}

static bool parse_seconds(const char *s, int64_t *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v <= 0 || v > 86400)
		return false;
	*ms = (int64_t)(v * 1000.0);
	return true;
}

/* Loads the shipped scenarios (a broken file is reported, not fatal)
 * and finds one by name or file; NULL after saying why. */
static const struct demo_scenario *main_scenario(struct demo_catalog *cat, const char *name,
						 const char *who)
{
	const struct demo_scenario *sc;
	struct buf errors;
	char *err = NULL;

	buf_init(&errors);
	demo_catalog_load(cat, kb_default_dir(), &errors);
	for (const char *p = errors.data; p && *p; ) {
		const char *nl = strchr(p, '\n');

		fprintf(stderr, "%s: %.*s\n", who, (int)(nl - p), p);
		p = nl + 1;
	}
	buf_free(&errors);
	sc = demo_catalog_find(cat, name, &err);
	if (sc == NULL) {
		fprintf(stderr, "%s: %s\n", who, err);
		free(err);
	}
	return sc;
}

static void serve_on_signal(void *ctx, int signo)
{
	(void)signo;
	loop_stop(ctx);
}

static int serve_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-listen", required_argument, NULL, 'L' },
		{ "scenario", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_spec = SERVE_DEFAULT_LISTEN, *tls_spec = NULL;
	const char *scenario = "happy";
	const struct demo_scenario *sc;
	struct demo_catalog cat = { NULL, 0 };
	char *bound = NULL, *tls_bound = NULL, *err = NULL;
	struct loop *l;
	struct demo_server *d;
	struct tls_server *tls;
	int c, fd, tls_fd = -1;
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen_spec = optarg;
			break;
		case 'L':
			tls_spec = optarg;
			break;
		case 's':
			scenario = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "smtpscope serve: usage: smtpscope serve [--scenario NAME] [--listen ADDR:PORT]\n");
			return BATCH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "smtpscope serve: unexpected argument \"%s\"; usage: smtpscope serve [--listen ADDR:PORT]\n",
			argv[optind]);
		return BATCH_EXIT_USAGE;
	}
	sc = main_scenario(&cat, scenario, "smtpscope serve");
	if (sc == NULL) {
		demo_catalog_free(&cat);
		return BATCH_EXIT_USAGE;
	}
	fd = demo_listen(listen_spec, &bound, &err);
	if (fd < 0) {
		fprintf(stderr, "smtpscope serve: %s\n", err);
		free(err);
		demo_catalog_free(&cat);
		return BATCH_EXIT_USAGE;
	}
	if (tls_spec && (tls_fd = demo_listen(tls_spec, &tls_bound, &err)) < 0) {
		fprintf(stderr, "smtpscope serve: --tls-listen: %s\n", err);
		free(err);
		close(fd);
		free(bound);
		demo_catalog_free(&cat);
		return BATCH_EXIT_USAGE;
	}
	tls = demo_tls_server(sc->domain, &err);
	if (tls == NULL) {
		fprintf(stderr, "smtpscope serve: no STARTTLS: %s\n", err);
		free(err);
		err = NULL;
	}
	l = loop_new();
	d = demo_server_new(l, fd, sc, stdout);
	demo_server_set_tls(d, tls);
	if (tls_fd >= 0 && tls)
		demo_server_listen_implicit(d, tls_fd);
	else if (tls_fd >= 0)
		close(tls_fd);
	loop_signals(l, sigs, (int)UTIL_ARRAY_LEN(sigs), serve_on_signal, l);
	printf("smtpscope demo server listening on %s, scenario \"%s\": %s (Ctrl-C stops it)\n",
	       bound, sc->name, sc->title);
	if (tls_fd >= 0 && tls)
		printf("smtpscope demo server: implicit TLS on %s\n", tls_bound);
	fflush(stdout);
	loop_run(l);
	printf("smtpscope demo server stopped (%u client%s were still connected)\n",
	       demo_server_clients(d), demo_server_clients(d) == 1 ? "" : "s");
	demo_server_free(d);
	tls_server_free(tls);
	loop_free(l);
	free(bound);
	free(tls_bound);
	demo_catalog_free(&cat);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "demo", no_argument, NULL, 'D' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect-timeout", required_argument, NULL, 'C' },
		{ "rfc-timeouts", no_argument, NULL, 'R' },
		{ "timestamps", no_argument, NULL, 'T' },
		{ "timing", no_argument, NULL, 'L' },
		{ "raw-data", no_argument, NULL, 'r' },
		{ "tls", no_argument, NULL, 1000 },
		{ "starttls", no_argument, NULL, 1001 },
		{ "auto-ehlo", no_argument, NULL, 1002 },
		{ "sni", required_argument, NULL, 1003 },
		{ "no-sni", no_argument, NULL, 1004 },
		{ "cafile", required_argument, NULL, 1005 },
		{ "capath", required_argument, NULL, 1006 },
		{ "insecure", no_argument, NULL, 1007 },
		{ "cert", required_argument, NULL, 1008 },
		{ "key", required_argument, NULL, 1009 },
		{ "tls-min", required_argument, NULL, 1010 },
		{ "tls-max", required_argument, NULL, 1011 },
		{ "ciphers", required_argument, NULL, 1012 },
		{ "ciphersuites", required_argument, NULL, 1013 },
		{ "auth-user", required_argument, NULL, 1100 },
		{ "password-env", required_argument, NULL, 1101 },
		{ "password-file", required_argument, NULL, 1102 },
		{ "token", required_argument, NULL, 1103 },
		{ "token-env", required_argument, NULL, 1104 },
		{ "show-secrets", no_argument, NULL, 1105 },
		{ "trace", no_argument, NULL, 1106 },
		{ "save", required_argument, NULL, 1014 },
		{ "replay", required_argument, NULL, 1015 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct front_options o;
	struct demo_ctl demo;
	const char *scenario = "happy";
	char *intro = NULL;
	bool want_demo = false, force_batch = false, port_given = false;
	struct kb *kb;
	const struct demo_scenario *sc;
	int c, status;

	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return serve_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "explain") == 0)
		return cli_explain_main(argc - 1, argv + 1);

	memset(&o, 0, sizeof o);
	client_options_default(&o.client);
	o.default_port = TRANSPORT_DEFAULT_PORT;
	o.print.annotate = true;
	o.in_fd = STDIN_FILENO;
	o.out_fd = STDOUT_FILENO;
	while ((c = getopt_long(argc, argv, "bDp:t:46hV", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			force_batch = true;
			break;
		case 'D':
			want_demo = true;
			break;
		case 'p':
			o.default_port = optarg;
			port_given = true;
			break;
		case 't':
			if (!parse_seconds(optarg, &o.client.reply_timeout_ms)) {
				fprintf(stderr, "smtpscope: --timeout wants seconds between 0 and 86400, e.g. --timeout 30 (got \"%s\")\n", optarg);
				return BATCH_EXIT_USAGE;
			}
			break;
		case 'C':
			if (!parse_seconds(optarg, &o.client.connect_timeout_ms)) {
				fprintf(stderr, "smtpscope: --connect-timeout wants seconds between 0 and 86400, e.g. --connect-timeout 10 (got \"%s\")\n", optarg);
				return BATCH_EXIT_USAGE;
			}
			break;
		case 'R':
			o.client.rfc_timeouts = true;
			break;
		case 'T':
			o.print.timestamps = true;
			break;
		case 'L':
			o.print.timing = true;
			break;
		case 'r':
			o.client.data_raw = true;
			break;
		case '4':
			o.client.family = AF_INET;
			break;
		case 1000:
			o.client.implicit_tls = true;
			break;
		case 1001:
			o.client.starttls = true;
			break;
		case 1002:
			o.client.auto_ehlo = true;
			break;
		case 1003:
			o.client.tls.sni = optarg;
			break;
		case 1004:
			o.client.tls.no_sni = true;
			break;
		case 1005:
			o.client.tls.cafile = optarg;
			break;
		case 1006:
			o.client.tls.capath = optarg;
			break;
		case 1007:
			o.client.tls.insecure = true;
			break;
		case 1008:
			o.client.tls.cert = optarg;
			break;
		case 1009:
			o.client.tls.key = optarg;
			break;
		case 1010:
		case 1011:
			if (!tls_parse_version(optarg, c == 1010 ? &o.client.tls.min_version
							      : &o.client.tls.max_version)) {
				fprintf(stderr, "smtpscope: --tls-%s wants 1.0, 1.1, 1.2 or 1.3 (got \"%s\")\n",
					c == 1010 ? "min" : "max", optarg);
				return BATCH_EXIT_USAGE;
			}
			break;
		case 1012:
			o.client.tls.ciphers = optarg;
			break;
		case 1013:
			o.client.tls.ciphersuites = optarg;
			break;
		case 1014: {
			enum export_format ef;

			if (!export_format_of(optarg, &ef)) {
				fprintf(stderr, "smtpscope: --save wants a file name ending in .txt, .jsonl or .html (got \"%s\")\n", optarg);
				return BATCH_EXIT_USAGE;
			}
			o.save = optarg;
			break;
		}
		case 1015:
			o.replay = optarg;
			break;
		case '6':
			o.client.family = AF_INET6;
			break;
		case 1100:
			o.auth.user = optarg;
			break;
		case 1101:
			o.auth.password_env = optarg;
			break;
		case 1102:
			o.auth.password_file = optarg;
			break;
		case 1103:
			o.auth.token = optarg;
			break;
		case 1104:
			o.auth.token_env = optarg;
			break;
		case 1105:
			o.client.show_secrets = true;
			break;
		case 1106:
			o.client.trace = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("smtpscope %s\n", PACKAGE_VERSION);
			return 0;
		default:
			fprintf(stderr, "smtpscope: try 'smtpscope --help'\n");
			return BATCH_EXIT_USAGE;
		}
	}
	if (o.client.implicit_tls && o.client.starttls) {
		fprintf(stderr, "smtpscope: --tls (TLS from the first byte, port 465) and --starttls (plaintext, then STARTTLS, port 25/587) exclude each other\n");
		return BATCH_EXIT_USAGE;
	}
	if (o.client.tls.min_version && o.client.tls.max_version &&
	    o.client.tls.min_version > o.client.tls.max_version) {
		fprintf(stderr, "smtpscope: --tls-min is above --tls-max\n");
		return BATCH_EXIT_USAGE;
	}
	{
		char *err = NULL;

		if (!tls_options_check(&o.client.tls, &err)) {
			fprintf(stderr, "smtpscope: %s\n", err);
			free(err);
			return BATCH_EXIT_USAGE;
		}
	}
	if (o.client.implicit_tls && !port_given)
		o.default_port = "465"; /* RFC 8314 3.3 */
	if (argc - optind > 1) {
		fprintf(stderr, "smtpscope: one target at most (HOST[:PORT]); got \"%s\" and \"%s\"\n",
			argv[optind], argv[optind + 1]);
		return BATCH_EXIT_USAGE;
	}
	memset(&demo, 0, sizeof demo);
	if (optind < argc && want_demo) {
		scenario = argv[optind++]; /* --demo SCENARIO */
	} else if (optind < argc) {
		struct transport_target t;
		char *err = NULL;

		if (!transport_parse_target(argv[optind], o.default_port, &t, &err)) {
			fprintf(stderr, "smtpscope: %s\n", err);
			free(err);
			return BATCH_EXIT_USAGE;
		}
		transport_target_free(&t);
		o.target = argv[optind];
	}
	sc = main_scenario(&demo.catalog, scenario, "smtpscope");
	if (sc == NULL) {
		demo_catalog_free(&demo.catalog);
		return BATCH_EXIT_USAGE;
	}
	if (o.target == NULL) {
		char *err = NULL;

		if (!demo_ctl_start(&demo, sc, &err)) {
			fprintf(stderr, "smtpscope: %s\n", err);
			free(err);
			demo_catalog_free(&demo.catalog);
			return BATCH_EXIT_INTERNAL;
		}
		o.target = demo.target;
		intro = demo_ctl_intro(&demo);
		o.intro = intro;
	}
	o.demo = &demo;
	o.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	kb = cli_load_kb(NULL);
	o.print.kb = kb;
	status = -1;
	if (o.interactive && !force_batch)
		status = ui_run(&o); /* -1: the terminal cannot be used */
	if (status < 0)
		status = batch_run(&o);
	kb_free(kb);
	demo_ctl_stop(&demo);
	demo_catalog_free(&demo.catalog);
	free(intro);
	return status;
}
