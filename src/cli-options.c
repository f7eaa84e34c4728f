/* cli-options: the table of smtpscope's options (one row each: see opt.h
 * for the fields), the checks across them, the operand, and --help. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtpscope/batch.h"
#include "smtpscope/cli-options.h"
#include "smtpscope/client.h"
#include "smtpscope/dns.h"
#include "smtpscope/export.h"
#include "smtpscope/i18n.h"
#include "smtpscope/opt-config.h"
#include "smtpscope/opt.h"
#include "smtpscope/tls.h"
#include "smtpscope/transport.h"
#include "smtpscope/transport-local.h"
#include "smtpscope/util.h"

/* The help texts below give the defaults as numbers. */
_Static_assert(CLIENT_DEFAULT_REPLY_TIMEOUT_MS == 30 * 1000, "--timeout's help says 30");
_Static_assert(CLIENT_DEFAULT_CONNECT_TIMEOUT_MS == 10 * 1000, "--connect-timeout's help says 10");
_Static_assert(CLIENT_DEFAULT_DOT_TIMEOUT_MS == 600 * 1000, "--dot-timeout's help says 600");
_Static_assert(sizeof DNS_ROOT_KEY == sizeof "/usr/share/dns/root.key",
	       "--trust-anchor's help names DNS_ROOT_KEY");

static bool cli_parse_seconds(const char *s, void *field)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v <= 0 || v > 86400)
		return false;
	*(int64_t *)field = (int64_t)(v * 1000.0);
	return true;
}

static bool cli_parse_tls_version(const char *s, void *field)
{
	return tls_parse_version(s, field);
}

/* --save FILE: the suffix says the format, so a wrong one is refused now
 * rather than when the session ends. */
static bool cli_parse_save(const char *s, void *field)
{
	enum export_format ef;

	if (!export_format_of(s, &ef))
		return false;
	*(const char **)field = s;
	return true;
}

static int cli_run_help(const struct opt_table *t, const struct opt_spec *s,
			const char *arg, void *base)
{
	(void)t, (void)s, (void)arg, (void)base;
	cli_usage(stdout);
	return 0;
}

static int cli_run_version(const struct opt_table *t, const struct opt_spec *s,
			   const char *arg, void *base)
{
	(void)t, (void)s, (void)arg, (void)base;
	printf("smtpscope %s\n", PACKAGE_VERSION);
	return 0;
}

/* --connect-to HOST:PORT:ADDR:PORT, repeatable: appended to the list. */
static int cli_run_connect_to(const struct opt_table *t, const struct opt_spec *s,
			      const char *arg, void *base)
{
	struct cli_options *o = base;
	char *err = NULL;
	int status;

	(void)s;
	if (transport_connect_to_add(&o->front.client.connect_to, arg, &err))
		return -1;
	status = opt_fail(t, "%s", err);
	free(err);
	return status;
}

/* A later source's --connect-to rules replace an earlier one's. */
static void cli_reset_connect_to(void *base)
{
	((struct cli_options *)base)->front.client.connect_to.n = 0;
}

/* --to, --header, --attach: repeatable, appended to the list the row's
 * field is, at most ONESHOT_MAX_LIST. */
static int cli_run_append(const struct opt_table *t, const struct opt_spec *s, const char *arg,
			  void *base)
{
	struct oneshot_list *l = (struct oneshot_list *)((char *)base + s->field);

	if (l->n == ONESHOT_MAX_LIST)
		return opt_fail(t, _("--%s at most %zu times"), s->name, (size_t)ONESHOT_MAX_LIST);
	l->v[l->n++] = arg;
	return -1;
}

/* A later source's --to, --header or --attach values replace an earlier
 * one's, as --connect-to's do. */
static void cli_reset_to(void *base)
{
	((struct cli_options *)base)->oneshot.to.n = 0;
}

static void cli_reset_headers(void *base)
{
	((struct cli_options *)base)->oneshot.headers.n = 0;
}

static void cli_reset_add_headers(void *base)
{
	((struct cli_options *)base)->oneshot.add_headers.n = 0;
}

static void cli_reset_attach(void *base)
{
	((struct cli_options *)base)->oneshot.attach.n = 0;
}

/* --auth [MECH,...]: "--auth PLAIN" takes the next word when it is a
 * list of mechanisms, so "--auth HOST" leaves HOST the operand. */
static int cli_run_auth(const struct opt_table *t, const struct opt_spec *s, const char *arg,
			void *base)
{
	struct oneshot_options *o = &((struct cli_options *)base)->oneshot;

	(void)s;
	if (arg && !oneshot_auth_list_ok(arg))
		return opt_fail(t, _("--auth wants mechanisms separated by commas: PLAIN, LOGIN, "
				     "CRAM-MD5, XOAUTH2, SCRAM-SHA-1, SCRAM-SHA-256 (got \"%s\")"), arg);
	o->auth = true;
	o->auth_mechs = arg;
	return -1;
}

/* A password in argv is visible to every user (ps, /proc): refused. */
static int cli_run_auth_password(const struct opt_table *t, const struct opt_spec *s,
				 const char *arg, void *base)
{
	(void)s, (void)arg, (void)base;
	fprintf(stderr, _("%s: --auth-password: a password on the command line can be read by "
			  "every user of this machine (ps, /proc, shell history); give it with "
			  "--password-env VAR or --password-file FILE\n"), t->prog);
	return t->usage_status;
}

static bool cli_parse_protocol(const char *s, void *field)
{
	const struct oneshot_protocol *p = oneshot_protocol_find(s);

	*(const struct oneshot_protocol **)field = p;
	return p != NULL;
}

static bool cli_parse_stop(const char *s, void *field)
{
	return oneshot_stop_parse(s, field);
}

#define F(member) offsetof(struct cli_options, member)
#define CLI_GENERAL N_("Options")
#define CLI_ONESHOT N_("One-shot transaction (swaks-style)")
#define CLI_TLS N_("TLS")
#define CLI_DNS N_("DNS (/dns TYPE NAME)")
#define CLI_AUTH N_("AUTH (/auth [MECH [USER]])")

static const struct opt_spec cli_specs[] = {
	{ .name = "batch", .letter = 'b', .kind = OPT_FLAG, .field = F(batch), .section = CLI_GENERAL,
	  .help = N_("line mode: read stdin, print the transcript\n"
		  "(chosen automatically when stdin or stdout is\n"
		  "not a terminal; otherwise the terminal UI runs)") },
	{ .name = "demo", .letter = 'D', .operand = "[SCENARIO]", .kind = OPT_FLAG,
	  .field = F(demo), .section = CLI_GENERAL,
	  .help = N_("talk to the built-in demo server (the default\n"
		  "when no HOST is given), playing a teaching\n"
		  "scenario (default: happy; /scenario lists them)") },
	{ .letter = '4', .kind = OPT_INT, .field = F(front.client.family), .value = AF_INET,
	  .section = CLI_GENERAL },
	{ .letter = '6', .kind = OPT_INT, .field = F(front.client.family), .value = AF_INET6,
	  .section = CLI_GENERAL, .help = N_("use IPv4 / IPv6 only") },
	{ .name = "port", .letter = 'p', .arg = "PORT", .kind = OPT_STRING, .field = F(port),
	  .section = CLI_GENERAL, .help = N_("port when HOST has none (default 25)") },
	{ .name = "timeout", .letter = 't', .arg = "SECONDS", .kind = OPT_PARSE,
	  .field = F(front.client.reply_timeout_ms), .parse = cli_parse_seconds,
	  .wants = N_("seconds between 0 and 86400, e.g. --timeout 30"), .section = CLI_GENERAL,
	  .help = N_("wait this long for each reply (default 30)") },
	{ .name = "dot-timeout", .arg = "SECONDS", .kind = OPT_PARSE,
	  .field = F(front.client.dot_timeout_ms), .parse = cli_parse_seconds,
	  .wants = N_("seconds between 0 and 86400, e.g. --dot-timeout 600"), .section = CLI_GENERAL,
	  .help = N_("wait this long for the reply to the final dot\n"
		  "(default 600: content filters can be slow)") },
	{ .name = "connect-timeout", .arg = "SECONDS", .kind = OPT_PARSE,
	  .field = F(front.client.connect_timeout_ms), .parse = cli_parse_seconds,
	  .wants = N_("seconds between 0 and 86400, e.g. --connect-timeout 10"), .section = CLI_GENERAL,
	  .help = N_("give up connecting after this long (default 10)") },
	{ .name = "rfc-timeouts", .kind = OPT_FLAG, .field = F(front.client.rfc_timeouts),
	  .section = CLI_GENERAL,
	  .help = N_("use RFC 5321 4.5.3.2 reply timeouts (5 min, DATA\n"
		  "2 min, after the final dot 10 min)") },
	{ .name = "connect-to", .arg = "HOST:PORT:ADDR:PORT", .kind = OPT_RUN,
	  .run = cli_run_connect_to, .reset = cli_reset_connect_to, .section = CLI_GENERAL,
	  .help = N_("connect to ADDR:PORT when HOST:PORT is asked for\n"
		  "(/connect, HOST, each MX of /connect --mx),\n"
		  "keeping HOST for SNI, certificate checks and the\n"
		  "report; empty HOST or PORT matches any; repeatable") },
	{ .name = "pipe", .arg = "COMMAND", .kind = OPT_STRING, .field = F(front.pipe),
	  .section = CLI_GENERAL,
	  .help = N_("talk SMTP to a program's standard input and\n"
		  "output instead of a HOST (run by /bin/sh -c, as\n"
		  "swaks does: 'exim -bh 192.0.2.1', 'sendmail -bs');\n"
		  "its standard error shown as notes") },
	{ .name = "timestamps", .kind = OPT_FLAG, .field = F(front.print.timestamps),
	  .section = CLI_GENERAL, .help = N_("prefix each transcript line with the time (UTC)") },
	{ .name = "timing", .kind = OPT_FLAG, .field = F(front.print.timing), .section = CLI_GENERAL,
	  .help = N_("show each reply's latency") },
	{ .name = "raw-data", .kind = OPT_FLAG, .field = F(front.client.data_raw),
	  .section = CLI_GENERAL, .help = N_("send bare LF / CR in message data unrepaired") },
	{ .name = "save", .arg = "FILE", .kind = OPT_PARSE, .field = F(front.save),
	  .parse = cli_parse_save, .wants = N_("a file name ending in .txt, .jsonl or .html"),
	  .section = CLI_GENERAL,
	  .help = N_("at the end, save the session: FILE.txt (transcript),\n"
		  "FILE.jsonl (one event per line), FILE.html (handout)") },
	{ .name = "replay", .arg = "FILE", .kind = OPT_STRING, .field = F(front.replay),
	  .section = CLI_GENERAL,
	  .help = N_("first re-run the lines of a saved session (.jsonl,\n"
		  ".txt) or a command list; differing replies are shown") },
	{ .name = "json", .kind = OPT_FLAG, .field = F(front.json), .section = CLI_GENERAL,
	  .help = N_("print the session as JSON lines (one event each,\n"
		  "as a .jsonl save) instead of the transcript;\n"
		  "line mode only") },

	{ .name = "to", .arg = "ADDR[,ADDR...]", .kind = OPT_RUN, .run = cli_run_append,
	  .reset = cli_reset_to,
	  .field = F(oneshot.to), .section = CLI_ONESHOT,
	  .help = N_("run a whole transaction to these recipients,\n"
		  "print it and exit with its status (repeatable)") },
	{ .name = "from", .letter = 'f', .arg = "ADDR", .kind = OPT_STRING, .field = F(oneshot.from),
	  .section = CLI_ONESHOT,
	  .help = N_("the sender, MAIL FROM and From: (default\n"
		  "LOGNAME@this host; \"\" for the null sender <>)") },
	{ .name = "server", .letter = 's', .arg = "HOST[:PORT]", .kind = OPT_STRING,
	  .field = F(oneshot.server), .section = CLI_ONESHOT,
	  .help = N_("the server, as the HOST operand (default: the\n"
		  "MX of the first recipient's domain)") },
	{ .name = "helo", .arg = "NAME", .kind = OPT_STRING, .field = F(oneshot.ehlo),
	  .section = CLI_ONESHOT },
	{ .name = "ehlo", .arg = "NAME", .kind = OPT_STRING, .field = F(oneshot.ehlo),
	  .section = CLI_ONESHOT, .help = N_("the EHLO/HELO/LHLO name (default: this host's)") },
	{ .name = "protocol", .arg = "NAME", .kind = OPT_PARSE, .field = F(oneshot.protocol),
	  .parse = cli_parse_protocol,
	  .wants = N_("SMTP, SSMTP, SSMTPA, SMTPS, ESMTP, ESMTPA, ESMTPS, ESMTPSA, LMTP, LMTPA, LMTPS or LMTPSA"),
	  .section = CLI_ONESHOT,
	  .help = N_("SMTP (HELO), ESMTP (EHLO, the default), ESMTPS\n"
		  "(+ STARTTLS), ESMTPA (+ AUTH), ESMTPSA, SSMTP\n"
		  "(implicit TLS), LMTP (LHLO, port 24), LMTPS, ...") },
	{ .name = "auth", .letter = 'a', .arg = "MECH[,MECH...]", .arg_optional = true,
	  .next_is_arg = oneshot_auth_list_ok, .kind = OPT_RUN, .run = cli_run_auth,
	  .section = CLI_ONESHOT,
	  .help = N_("authenticate: with what the server offers,\n"
		  "strongest first, or these in this order; the\n"
		  "user and the password as for /auth") },
	{ .name = "auth-password", .arg = "PASSWORD", .kind = OPT_RUN, .run = cli_run_auth_password,
	  .section = CLI_ONESHOT,
	  .help = N_("refused: visible to every user; give the\n"
		  "password in a variable or a file (AUTH options)") },
	{ .name = "header", .arg = "'NAME: VALUE'", .kind = OPT_RUN, .run = cli_run_append,
	  .reset = cli_reset_headers,
	  .field = F(oneshot.headers), .section = CLI_ONESHOT,
	  .help = N_("add a header field, or replace ours (Subject,\n"
		  "From, To, Date, Message-ID); repeatable;\n"
		  "--h-NAME VALUE gives 'NAME: VALUE' too") },
	{ .name = "add-header", .arg = "'NAME: VALUE'", .kind = OPT_RUN, .run = cli_run_append,
	  .reset = cli_reset_add_headers,
	  .field = F(oneshot.add_headers), .section = CLI_ONESHOT,
	  .help = N_("add a header field after the others, even one\n"
		  "named as ours; several in one, split by \\n;\n"
		  "repeatable") },
	{ .name = "body", .arg = "TEXT|@FILE|-", .kind = OPT_STRING, .field = F(oneshot.body),
	  .section = CLI_ONESHOT,
	  .help = N_("the text (\\n: a line break), a file (streamed,\n"
		  "any size) or standard input") },
	{ .name = "attach", .arg = "FILE", .kind = OPT_RUN, .run = cli_run_append,
	  .reset = cli_reset_attach,
	  .field = F(oneshot.attach), .section = CLI_ONESHOT, .help = N_("attach a file (base64, streamed); repeatable") },
	{ .name = "data", .letter = 'd', .arg = "TEXT|@FILE|-", .kind = OPT_STRING,
	  .field = F(oneshot.data), .section = CLI_ONESHOT,
	  .help = N_("send this prepared message as it is (dot-\n"
		  "stuffed) instead of composing one") },
	{ .name = "quit-after", .letter = 'q', .arg = "STAGE", .kind = OPT_PARSE,
	  .field = F(oneshot.quit_after), .parse = cli_parse_stop,
	  .wants = N_("CONNECT, BANNER, FIRST-EHLO, TLS, EHLO, AUTH, MAIL, RCPT, DATA or DOT"),
	  .section = CLI_ONESHOT,
	  .help = N_("stop with QUIT after CONNECT (BANNER), FIRST-\n"
		  "EHLO, TLS, EHLO, AUTH, MAIL, RCPT, DATA or DOT") },
	{ .name = "pipeline", .kind = OPT_FLAG, .field = F(oneshot.pipeline), .section = CLI_ONESHOT,
	  .help = N_("MAIL, RCPT and DATA in one write when the\n"
		  "server offers PIPELINING") },
	{ .name = "interactive", .kind = OPT_FLAG, .field = F(oneshot.interactive),
	  .section = CLI_ONESHOT,
	  .help = N_("the terminal UI on the transaction, the session\n"
		  "kept open to go on (QUIT only if asked)") },

	{ .name = "tls", .kind = OPT_FLAG, .field = F(front.client.implicit_tls), .section = CLI_TLS },
	{ .name = "tls-on-connect", .kind = OPT_FLAG, .field = F(front.client.implicit_tls),
	  .section = CLI_TLS },
	{ .name = "tlsc", .kind = OPT_FLAG, .field = F(front.client.implicit_tls), .section = CLI_TLS,
	  .help = N_("implicit TLS: handshake right after connecting\n"
		  "(default port 465)") },
	{ .name = "starttls", .kind = OPT_FLAG, .field = F(front.client.starttls), .section = CLI_TLS,
	  .help = N_("send STARTTLS right after EHLO, then EHLO again;\n"
		  "a refusal ends the session (no plaintext)") },
	{ .name = "tls-optional", .kind = OPT_FLAG, .field = F(oneshot.tls_optional),
	  .section = CLI_TLS },
	{ .name = "tls-optional-strict", .kind = OPT_FLAG, .field = F(oneshot.tls_optional),
	  .section = CLI_TLS,
	  .help = N_("one-shot: STARTTLS when the server offers it;\n"
		  "if TLS then fails the transaction stops") },
	{ .name = "auto-ehlo", .kind = OPT_FLAG, .field = F(front.client.auto_ehlo), .section = CLI_TLS,
	  .help = N_("after /starttls, send EHLO again automatically") },
	{ .name = "sni", .arg = "NAME", .kind = OPT_STRING, .field = F(front.client.tls.sni),
	  .section = CLI_TLS, .help = N_("server name to send and to verify (default: HOST)") },
	{ .name = "no-sni", .kind = OPT_FLAG, .field = F(front.client.tls.no_sni), .section = CLI_TLS,
	  .help = N_("send no server name") },
	{ .name = "cafile", .arg = "FILE", .kind = OPT_STRING, .field = F(front.client.tls.cafile),
	  .section = CLI_TLS },
	{ .name = "capath", .arg = "DIR", .kind = OPT_STRING, .field = F(front.client.tls.capath),
	  .section = CLI_TLS, .help = N_("trust these CAs instead of the system store") },
	{ .name = "dane", .kind = OPT_FLAG, .field = F(front.dane), .section = CLI_TLS,
	  .help = N_("look up TLSA at _PORT._tcp.HOST first; verify the\n"
		  "server by DANE where they are signed and usable") },
	{ .name = "insecure", .kind = OPT_FLAG, .field = F(front.client.tls.insecure),
	  .section = CLI_TLS,
	  .help = N_("go on when the certificate cannot be verified\n"
		  "(every later line is marked insecure)") },
	{ .name = "cert", .arg = "FILE", .kind = OPT_STRING, .field = F(front.client.tls.cert),
	  .section = CLI_TLS },
	{ .name = "key", .arg = "FILE", .kind = OPT_STRING, .field = F(front.client.tls.key),
	  .section = CLI_TLS, .help = N_("client certificate and key (PEM)") },
	{ .name = "tls-min", .arg = "V", .kind = OPT_PARSE,
	  .field = F(front.client.tls.min_version), .parse = cli_parse_tls_version,
	  .wants = N_("1.0, 1.1, 1.2 or 1.3"), .section = CLI_TLS },
	{ .name = "tls-max", .arg = "V", .kind = OPT_PARSE,
	  .field = F(front.client.tls.max_version), .parse = cli_parse_tls_version,
	  .wants = N_("1.0, 1.1, 1.2 or 1.3"), .section = CLI_TLS,
	  .help = N_("protocol versions: 1.0, 1.1, 1.2, 1.3") },
	{ .name = "ciphers", .arg = "LIST", .kind = OPT_STRING,
	  .field = F(front.client.tls.ciphers), .section = CLI_TLS,
	  .help = N_("cipher list for TLS 1.2 and older (OpenSSL syntax)") },
	{ .name = "ciphersuites", .arg = "LIST", .kind = OPT_STRING,
	  .field = F(front.client.tls.ciphersuites), .section = CLI_TLS,
	  .help = N_("TLS 1.3 cipher suites") },

	{ .name = "resolver", .arg = "ADDR[@PORT]", .kind = OPT_STRING, .field = F(front.dns.resolver),
	  .section = CLI_DNS,
	  .help = N_("forward DNS queries to this server (default:\n"
		  "/etc/resolv.conf's); answers are validated here") },
	{ .name = "recursive", .kind = OPT_FLAG, .field = F(front.dns.recursive), .section = CLI_DNS,
	  .help = N_("resolve from the root servers, no forwarder\n"
		  "(the way out of a resolver that strips DNSSEC)") },
	{ .name = "dns-config", .arg = "FILE", .kind = OPT_STRING, .field = F(front.dns.config),
	  .section = CLI_DNS,
	  .help = N_("an unbound configuration file, the whole resolver\n"
		  "set-up (local zones, trust anchors)") },
	{ .name = "trust-anchor", .arg = "FILE", .kind = OPT_STRING,
	  .field = F(front.dns.trust_anchor), .section = CLI_DNS,
	  .help = N_("DNSSEC trust anchor (DS or DNSKEY records; default\n"
		  "/usr/share/dns/root.key)") }, /* DNS_ROOT_KEY, asserted above */

	{ .name = "auth-user", .arg = "USER", .kind = OPT_STRING, .field = F(front.auth.user),
	  .section = CLI_AUTH, .help = N_("user name for /auth without USER") },
	{ .name = "password-env", .arg = "VAR", .kind = OPT_STRING,
	  .field = F(front.auth.password_env), .section = CLI_AUTH, .secret = true,
	  .help = N_("take the password from environment variable VAR") },
	{ .name = "password-file", .arg = "FILE", .kind = OPT_STRING,
	  .field = F(front.auth.password_file), .section = CLI_AUTH, .secret = true,
	  .help = N_("take it from the first line of FILE; without\n"
		  "either, /auth takes the next input line (masked\n"
		  "at the terminal, never stored)") },
	{ .name = "token", .arg = "TOKEN", .kind = OPT_STRING, .field = F(front.auth.token),
	  .section = CLI_AUTH, .secret = true },
	{ .name = "token-env", .arg = "VAR", .kind = OPT_STRING, .field = F(front.auth.token_env),
	  .section = CLI_AUTH, .secret = true, .help = N_("the OAuth 2.0 token for XOAUTH2") },
	{ .name = "trace", .kind = OPT_FLAG, .field = F(front.client.trace), .section = CLI_AUTH,
	  .help = N_("note every SMTP state change with its cause\n"
		  "(\"state GREETED -> READY on 250 to EHLO\");\n"
		  "in a session: /trace on|off") },
	{ .name = "raw", .kind = OPT_FLAG, .field = F(front.client.raw), .section = CLI_AUTH,
	  .help = N_("show every read and write as hex and ASCII, with\n"
		  "byte counts (inside TLS: decrypted, the TLS\n"
		  "records named); in a session: /raw on|off") },
	{ .name = "show-secrets", .kind = OPT_FLAG, .field = F(front.client.show_secrets),
	  .section = CLI_AUTH,
	  .help = N_("show SASL lines in the transcript as sent (by\n"
		  "default: AUTH PLAIN <redacted: user \"alice\">)") },
	{ .name = "lang", .arg = "LL", .kind = OPT_STRING, .field = F(lang), .section = CLI_AUTH,
	  .help = N_("messages and explanations in en, fr or ko") },
	{ .name = "config", .arg = "FILE", .kind = OPT_RUN, .run = opt_config_run_file,
	  .cmdline_only = true, .section = CLI_AUTH,
	  .help = N_("read options from FILE instead of\n"
		  "$XDG_CONFIG_HOME/smtpscope/config (default\n"
		  "~/.config/smtpscope/config)") },
	{ .name = "no-config", .kind = OPT_RUN, .run = opt_config_run_none, .cmdline_only = true,
	  .section = CLI_AUTH,
	  .help = N_("ignore the config file and the SMTPSCOPE_OPT_*\n"
		  "variables: only the command line counts") },
	{ .name = "help", .letter = 'h', .kind = OPT_RUN, .run = cli_run_help, .section = CLI_AUTH,
	  .cmdline_only = true, .help = N_("show this help") },
	{ .name = "version", .letter = 'V', .kind = OPT_RUN, .run = cli_run_version,
	  .section = CLI_AUTH, .cmdline_only = true, .help = N_("show the version") },
};

const struct opt_table cli_option_table = {
	.prog = "smtpscope",
	.specs = cli_specs,
	.n = UTIL_ARRAY_LEN(cli_specs),
	.usage_status = BATCH_EXIT_USAGE,
	.usage_error = N_("smtpscope: try 'smtpscope --help'"),
};

void cli_usage(FILE *f)
{
	fputs(_(
"Usage: smtpscope [OPTIONS] [HOST[:PORT]]\n"
"       smtpscope --to ADDR [--from ADDR] [--server HOST[:PORT]] [OPTIONS]\n"
"                         one whole transaction, swaks-style (One-shot below)\n"
"       smtpscope --demo [SCENARIO]\n"
"       smtpscope serve [--scenario NAME] [--listen ADDR:PORT] [--tls-listen ADDR:PORT]\n"
"                       [--cert FILE --key FILE]\n"
"       smtpscope explain CODE [ENHANCED] | ENHANCED | --reply TEXT |\n"
"                         --compare CODE CODE | --check   (see explain --help)\n"
"       smtpscope probe ADDRESS|DOMAIN [--from ADDRESS] [--json] (probe --help)\n"
"                         can ADDRESS get mail? every MX tried, never DATA;\n"
"                         exit status 0 or 40-57 by verdict\n"
"       smtpscope mtasts DOMAIN [--json] (mtasts --help)\n"
"                         the domain's MTA-STS policy and TLS-RPT record;\n"
"                         exit status 0 or 60-64 by state\n"), f);
	fputs("\n", f);
	fputs(_(
"An interactive SMTP debugger. Lines you type are sent to the server as\n"
"SMTP commands; lines starting with / are local commands (/help lists\n"
"them). Every reply is shown with what its code means. Without HOST,\n"
"smtpscope starts its built-in demo server on 127.0.0.1 and connects to it.\n"), f);
	opt_help(&cli_option_table, f);
	fputs("\n", f);
	fprintf(f, _(
"serve: run only the demo server, for other clients (telnet, swaks, mail\n"
"clients); --scenario NAME (or FILE.scn) picks what it plays (default happy);\n"
"--listen ADDR:PORT (default %s). It offers\n"
"STARTTLS with a self-signed certificate made at start, or with --cert FILE\n"
"(PEM, its chain may follow) and --key FILE; --tls-listen ADDR:PORT adds an\n"
"implicit-TLS port (like 465). Ctrl-C stops it.\n"), CLI_SERVE_DEFAULT_LISTEN);
	fputs("\n", f);
	fputs(_(
"Targets: HOST, HOST:PORT, [IPv6]:PORT, or unix:PATH for a UNIX socket (an\n"
"LMTP socket; serve --listen unix:PATH); --pipe COMMAND talks to a program\n"
"instead. Over either, TLS sends and checks --sni NAME, else \"localhost\".\n"), f);
	fputs("\n", f);
	fputs(_(
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
"  Ctrl-D on an empty line, or /quit: send QUIT and exit\n"), f);
	fputs(_("  F9           explanation pane: the selected reply's bytes (hex + ASCII)\n"), f);
	fputs("\n", f);
	fputs(_(
"Transcript markers: '=== ' note, ' -> ' sent, '<-  ' received,\n"
"' ~> ' / '<~  ' sent / received inside TLS, '~~~ ' TLS layer,\n"
"'  # ' meaning of the reply, '!!! ' warning, '*** ' error.\n"), f);
	fputs(_("'  | ' --raw: a read or write (\"read 37 bytes\"), then its bytes in hex.\n"), f);
	fputs("\n", f);
	fputs(_(
"Exit status: 0 success, 1 internal error, 2 usage, 3 connect failed,\n"
"4 connection lost or server silent, 5 a local command or input line\n"
"failed (line mode), 21 greeting refused, 22 EHLO/HELO refused, 23 MAIL\n"
"refused, 24 no recipient accepted, 25 DATA refused, 26 message refused\n"
"after the final dot, 27 TLS failed, 28 AUTH failed, 29 delivered but\n"
"some recipients refused (see the recipient summary), 30 a malformed\n"
"reply from the server (no valid reply code).\n"), f);
}

/* What no single row can see: options that exclude each other (the
 * files they name are cli_options_load's). */
static int cli_options_check(struct cli_options *o)
{
	const struct tls_options *tls = &o->front.client.tls;

	if (o->front.client.implicit_tls && o->front.client.starttls) {
		fputs(_("smtpscope: --tls (TLS from the first byte, port 465) and --starttls (plaintext, then STARTTLS, port 25/587) exclude each other\n"), stderr);
		return BATCH_EXIT_USAGE;
	}
	if (tls->min_version && tls->max_version && tls->min_version > tls->max_version) {
		fputs(_("smtpscope: --tls-min is above --tls-max\n"), stderr);
		return BATCH_EXIT_USAGE;
	}
	if (o->front.dns.config && (o->front.dns.resolver || o->front.dns.recursive ||
				    o->front.dns.trust_anchor)) {
		fputs(_("smtpscope: --dns-config is the whole resolver set-up: put the "
			"forwarder or trust anchor in the file instead of --resolver, --recursive "
			"or --trust-anchor\n"), stderr);
		return BATCH_EXIT_USAGE;
	}
	if (o->front.dns.resolver && o->front.dns.recursive) {
		fputs(_("smtpscope: --resolver (forward to that server) and --recursive "
			"(iterate from the root) exclude each other\n"), stderr);
		return BATCH_EXIT_USAGE;
	}
	if (o->front.pipe && (o->demo || o->front.dane)) {
		fprintf(stderr, _("smtpscope: --pipe talks to a program, so %s does not go with it\n"),
			o->demo ? "--demo" : "--dane");
		return BATCH_EXIT_USAGE;
	}
	if (o->port)
		o->front.default_port = o->port;
	else if (o->front.client.implicit_tls)
		o->front.default_port = "465"; /* RFC 8314 3.3 */
	return -1;
}

/* --pipe COMMAND: the command checked now (not empty). */
static int cli_options_pipe(struct cli_options *o)
{
	struct transport_target t;
	char *err = NULL;

	if (!transport_parse_pipe(o->front.pipe, &t, &err)) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		return BATCH_EXIT_USAGE;
	}
	transport_target_free(&t);
	return -1;
}

/* The operand: the scenario after --demo, or HOST[:PORT] or unix:PATH
 * (checked now). */
static int cli_options_operand(struct cli_options *o, int argc, char **argv)
{
	struct transport_target t;
	char *err = NULL;

	if (argc - optind > 1) {
		fprintf(stderr, _("smtpscope: one target at most (HOST[:PORT]); got \"%s\" and \"%s\"\n"),
			argv[optind], argv[optind + 1]);
		return BATCH_EXIT_USAGE;
	}
	if (optind == argc)
		return o->front.pipe ? cli_options_pipe(o) : -1;
	if (o->demo) {
		o->scenario = argv[optind]; /* --demo SCENARIO */
		return -1;
	}
	if (o->front.pipe) {
		fprintf(stderr, _("smtpscope: --pipe COMMAND is the server, so a HOST (\"%s\") does not go with it: give one or the other\n"),
			argv[optind]);
		return BATCH_EXIT_USAGE;
	}
	if (!transport_parse_connect(argv[optind], o->front.default_port, &t, &err)) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		return BATCH_EXIT_USAGE;
	}
	if (t.path && o->front.dane) {
		transport_target_free(&t);
		fputs(_("smtpscope: --dane looks up TLSA records under a host name, and a UNIX socket has none\n"), stderr);
		return BATCH_EXIT_USAGE;
	}
	transport_target_free(&t);
	o->front.target = argv[optind];
	return -1;
}

/* swaks' --h-NAME VALUE and --h-NAME=VALUE: --header 'NAME: VALUE', in a
 * copy of argv the options keep (up to a "--", as getopt reads them).
 * False after saying on stderr what would be right. */
static bool cli_options_h_fields(struct cli_options *o, int argc, char **argv)
{
	bool options = true, any = false;
	int k = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0 && !any; i++)
		any = strncmp(argv[i], "--h-", 4) == 0;
	if (!any)
		return true; /* argv as it is */
	o->argv = xcalloc(2 * (size_t)argc + 1, sizeof *o->argv); /* --h-N=V: two words */
	o->h_fields = xcalloc((size_t)argc, sizeof *o->h_fields);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *name = a + 4, *eq, *value;

		if (i > 0 && strcmp(a, "--") == 0)
			options = false;
		if (i == 0 || !options || strncmp(a, "--h-", 4) != 0 || a[4] == '\0' || a[4] == '=') {
			o->argv[k++] = argv[i];
			continue;
		}
		eq = strchr(name, '=');
		if (eq == NULL && i + 1 == argc) {
			fprintf(stderr, _("smtpscope: %s needs a value: --h-NAME VALUE adds the "
					  "header field NAME, as --header 'NAME: VALUE' does\n"), a);
			return false;
		}
		value = eq ? eq + 1 : argv[++i];
		o->argv[k++] = (char *)"--header";
		o->argv[k++] = o->h_fields[o->nh_fields++] =
			xasprintf("%.*s: %s", (int)(eq ? (size_t)(eq - name) : strlen(name)), name, value);
	}
	return true;
}

int cli_options_parse(struct cli_options *o, int argc, char **argv)
{
	char *err = NULL;
	int status;

	memset(o, 0, sizeof *o);
	if (!cli_options_h_fields(o, argc, argv))
		return BATCH_EXIT_USAGE;
	if (o->argv) {
		for (argc = 0; o->argv[argc]; argc++)
			;
		argv = o->argv;
	}
	client_options_default(&o->front.client);
	o->front.default_port = TRANSPORT_DEFAULT_PORT;
	o->front.print.annotate = true;
	o->front.in_fd = STDIN_FILENO;
	o->front.out_fd = STDOUT_FILENO;
	o->scenario = "happy";
	status = opt_config_parse(&cli_option_table, argc, argv, o, &o->config, environ, stderr);
	if (status < 0)
		status = cli_options_check(o);
	if (status < 0 && !oneshot_check(&o->oneshot, &o->front, optind < argc && !o->demo,
						 o->port != NULL, &err)) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		status = BATCH_EXIT_USAGE;
	}
	if (status < 0)
		status = cli_options_operand(o, argc, argv);
	return status;
}

int cli_options_load(const struct cli_options *o)
{
	char *err = NULL;

	if (tls_options_check(&o->front.client.tls, &err))
		return -1;
	fprintf(stderr, "smtpscope: %s\n", err);
	free(err);
	return BATCH_EXIT_USAGE;
}

void cli_options_free(struct cli_options *o)
{
	opt_config_free(&o->config);
	for (size_t i = 0; i < o->nh_fields; i++)
		free(o->h_fields[i]);
	free(o->h_fields);
	free(o->argv);
	o->argv = NULL;
	o->h_fields = NULL;
	o->nh_fields = 0;
}
