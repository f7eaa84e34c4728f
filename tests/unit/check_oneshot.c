/* oneshot: the swaks-style options turned into the steps of a typed
 * session (each --quit-after stage, --protocol, TLS, AUTH, --pipeline,
 * the MX), the checks across the options with what would be right, the
 * options as the command line gives them (--to no longer ambiguous, the
 * optional argument of --auth), and the message composed piece by piece
 * exactly as compose_message builds it whole. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/batch.h"
#include "smtpscope/cli-options.h"
#include "smtpscope/compose.h"
#include "smtpscope/oneshot.h"
#include "smtpscope/util.h"
#include "fixture.h"
#include "suites.h"

/* The plan of the words, one step a line: "LINE [when] {checks}". */
static char *plan_of(const char *const *words)
{
	static const char *const whens[] = { "", " [if STARTTLS]", " [if TLS]", " [if PIPELINING]",
					     " [unless PIPELINING]", " [if refused]" };
	static const char *const stages = "GHTAMRD.";
	struct oneshot_env env = { "client.test", "alice", false };
	struct cli_options o;
	struct oneshot_plan p;
	char *said, *err = NULL;
	struct buf b;

	ck_assert_msg(fixture_cli_parse(words, &o, &said) == -1, "refused: %s", said);
	free(said);
	env.has_target = o.front.target != NULL;
	ck_assert_msg(oneshot_plan_make(&o.oneshot, &env, &p, &err), "%s", err);
	buf_init(&b);
	for (size_t i = 0; i < p.n; i++) {
		const struct oneshot_step *st = &p.steps[i];

		switch (st->action) {
		case ONESHOT_LINE: buf_adds(&b, st->line); break;
		case ONESHOT_MESSAGE: buf_adds(&b, "<message>"); break;
		case ONESHOT_CLOSE: buf_adds(&b, "<close>"); break;
		case ONESHOT_QUIT: buf_adds(&b, "QUIT"); break;
		}
		buf_adds(&b, whens[st->when]);
		if (st->checks) {
			buf_adds(&b, " {");
			for (int k = 0; k < SMTP_STAGE__COUNT; k++)
				if (st->checks & (1u << k))
					buf_addc(&b, stages[k]);
			buf_addc(&b, '}');
		}
		buf_addc(&b, '\n');
	}
	oneshot_plan_free(&p);
	return buf_steal(&b);
}

#define PLAN_IS(want, ...) do { \
		static const char *const w_[] = { "smtpscope", __VA_ARGS__, NULL }; \
		char *got_ = plan_of(w_); \
		ck_assert_str_eq(got_, want); \
		free(got_); \
	} while (0)

START_TEST(plan_whole_transaction)
{
	/* ESMTP: EHLO, HELO only if EHLO is refused, then the envelope */
	PLAN_IS("EHLO client.test\n"
		"HELO client.test [if refused] {H}\n"
		"MAIL FROM:<me@x.test> {M}\n"
		"RCPT TO:<a@y.test>\n"
		"RCPT TO:<b@y.test>\n"
		"RCPT TO:<c@z.test> {R}\n"
		"DATA {D}\n"
		"<message> {.}\n"
		"QUIT\n",
		"--to", "a@y.test, b@y.test", "--to", "<c@z.test>", "-f", "me@x.test", "-s", "mx.test");
	/* no --server: the first recipient's MX; the defaults */
	PLAN_IS("/connect --mx \"a@y.test\" {G}\n"
		"EHLO me.test\n"
		"HELO me.test [if refused] {H}\n"
		"MAIL FROM:<alice@client.test> {M}\n"
		"RCPT TO:<a@y.test> {R}\n"
		"DATA {D}\n"
		"<message> {.}\n"
		"QUIT\n",
		"--to", "a@y.test", "--ehlo", "me.test");
	/* the null sender; HELO alone; LMTP's LHLO */
	PLAN_IS("HELO h {H}\nMAIL FROM:<> {M}\nRCPT TO:<a@y.test> {R}\nDATA {D}\n<message> {.}\nQUIT\n",
		"--to", "a@y.test", "--from", "", "--helo", "h", "--protocol", "smtp", "x.test");
	PLAN_IS("LHLO h {H}\nMAIL FROM:<> {M}\nRCPT TO:<a@y.test> {R}\nDATA {D}\n<message> {.}\nQUIT\n",
		"--to", "a@y.test", "--from", "<>", "--ehlo", "h", "--protocol", "LMTP", "x.test");
}
END_TEST

START_TEST(plan_tls_auth_pipeline)
{
	PLAN_IS("EHLO h {H}\n"
		"/starttls {T}\n"
		"EHLO h [if TLS] {H}\n"
		"/auth {A}\n"
		"MAIL FROM:<f@x.test> {M}\n"
		"RCPT TO:<a@y.test> {R}\n"
		"DATA {D}\n"
		"<message> {.}\n"
		"QUIT\n",
		"--to", "a@y.test", "-f", "f@x.test", "--ehlo", "h", "--starttls", "--auth",
		"--auth-user", "u", "--password-env", "PW", "x.test");
	/* --tls-optional: STARTTLS if offered; --auth LIST; --pipeline */
	PLAN_IS("EHLO h {H}\n"
		"/starttls [if STARTTLS] {T}\n"
		"EHLO h [if TLS] {H}\n"
		"/auth SCRAM-SHA-256,PLAIN {A}\n"
		"/pipe MAIL FROM:<f@x.test>; RCPT TO:<a@y.test>; RCPT TO:<b@y.test>; DATA [if PIPELINING] {MRD}\n"
		"MAIL FROM:<f@x.test> [unless PIPELINING] {M}\n"
		"RCPT TO:<a@y.test> [unless PIPELINING]\n"
		"RCPT TO:<b@y.test> [unless PIPELINING] {R}\n"
		"DATA [unless PIPELINING] {D}\n"
		"<message> {.}\n"
		"QUIT\n",
		"--to", "a@y.test,b@y.test", "-f", "f@x.test", "--ehlo", "h", "--tls-optional",
		"-a", "SCRAM-SHA-256,PLAIN", "--auth-user", "u", "--password-file", "/dev/null",
		"--pipeline", "x.test");
	/* ESMTPSA = EHLO + STARTTLS + AUTH; implicit TLS: no STARTTLS */
	PLAN_IS("EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\n/auth {A}\nMAIL FROM:<f@x.test> {M}\n"
		"RCPT TO:<a@y.test> {R}\nDATA {D}\n<message> {.}\nQUIT\n",
		"--to", "a@y.test", "-f", "f@x.test", "--ehlo", "h", "--protocol", "esmtpsa",
		"--auth-user", "u", "--password-env", "PW", "x.test");
	PLAN_IS("EHLO h\nHELO h [if refused] {H}\nMAIL FROM:<f@x.test> {M}\nRCPT TO:<a@y.test> {R}\n"
		"DATA {D}\n<message> {.}\nQUIT\n",
		"--to", "a@y.test", "-f", "f@x.test", "--ehlo", "h", "--tlsc", "x.test");
}
END_TEST

/* Each stop point of --quit-after, with STARTTLS and AUTH in the way. */
START_TEST(plan_quit_after)
{
	static const struct { const char *stop, *want; } cases[] = {
		{ "BANNER", "QUIT\n" },
		{ "CONNECT", "QUIT\n" },
		{ "FIRST-EHLO", "EHLO h {H}\nQUIT\n" },
		{ "tls", "EHLO h {H}\n/starttls {T}\nQUIT\n" },
		{ "EHLO", "EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\nQUIT\n" },
		{ "AUTH", "EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\n/auth {A}\nQUIT\n" },
		{ "FROM", "EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\n/auth {A}\n"
			  "MAIL FROM:<f@x.test> {M}\nQUIT\n" },
		{ "RCPT", "EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\n/auth {A}\n"
			  "MAIL FROM:<f@x.test> {M}\nRCPT TO:<a@y.test> {R}\nQUIT\n" },
		{ "DATA", "EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\n/auth {A}\n"
			  "MAIL FROM:<f@x.test> {M}\nRCPT TO:<a@y.test> {R}\nDATA {D}\n<close>\n" },
		{ "DOT", "EHLO h {H}\n/starttls {T}\nEHLO h [if TLS] {H}\n/auth {A}\n"
			 "MAIL FROM:<f@x.test> {M}\nRCPT TO:<a@y.test> {R}\nDATA {D}\n<message> {.}\nQUIT\n" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		const char *const w[] = { "smtpscope", "--to", "a@y.test", "-f", "f@x.test", "--ehlo", "h",
					  "--starttls", "--auth", "--auth-user", "u", "--password-env",
					  "PW", "-q", cases[i].stop, "x.test", NULL };
		char *got = plan_of(w);

		ck_assert_msg(strcmp(got, cases[i].want) == 0, "%s:\n%s", cases[i].stop, got);
		free(got);
	}
	/* without STARTTLS, TLS and FIRST-EHLO stop after the only EHLO;
	 * with implicit TLS, TLS stops once it is up (at the greeting) */
	PLAN_IS("LHLO h {H}\nQUIT\n", "--to", "a@y.test", "--ehlo", "h", "--protocol", "LMTP",
		"-q", "TLS", "x.test");
	PLAN_IS("QUIT\n", "--to", "a@y.test", "--ehlo", "h", "--tls", "-q", "TLS", "x.test");
	/* pipelined up to RCPT: no DATA in the group */
	PLAN_IS("EHLO h\nHELO h [if refused] {H}\n"
		"/pipe MAIL FROM:<f@x.test>; RCPT TO:<a@y.test> [if PIPELINING] {MR}\n"
		"MAIL FROM:<f@x.test> [unless PIPELINING] {M}\nRCPT TO:<a@y.test> [unless PIPELINING] {R}\n"
		"QUIT\n",
		"--to", "a@y.test", "-f", "f@x.test", "--ehlo", "h", "--pipeline", "-q", "RCPT", "x.test");
	/* the terminal UI keeps the session: no QUIT unless asked */
	PLAN_IS("EHLO h\nHELO h [if refused] {H}\nMAIL FROM:<f@x.test> {M}\nRCPT TO:<a@y.test> {R}\n"
		"DATA {D}\n<message> {.}\n",
		"--to", "a@y.test", "-f", "f@x.test", "--ehlo", "h", "--interactive", "x.test");
}
END_TEST

START_TEST(options_and_ports)
{
	static const char *const to[] = { "smtpscope", "--to", "a@y.test", "x.test", NULL };
	static const char *const auth_next[] = { "smtpscope", "--auth", "PLAIN", "mx.test", "--to",
		"a@y.test", "--auth-user", "u", "--password-env", "PW", NULL };
	static const char *const auth_host[] = { "smtpscope", "--auth", "mx.test", "--to", "a@y.test",
		"--auth-user", "u", "--password-env", "PW", NULL };
	static const char *const lmtp[] = { "smtpscope", "--to", "a@y.test", "--protocol", "LMTP",
		"-s", "lmtp.test", NULL };
	static const char *const ssmtp[] = { "smtpscope", "--to", "a@y.test", "--protocol", "SSMTP",
		"x.test", NULL };
	static const char *const port[] = { "smtpscope", "--to", "a@y.test", "--protocol", "LMTP",
		"-p", "2424", "x.test", NULL };
	static const char *const tlsc[] = { "smtpscope", "--tls-on-connect", "x.test", NULL };
	static const char *const json[] = { "smtpscope", "--json", "x.test", NULL };
	struct cli_options o;
	char *said;

	/* --to is an option of its own, no prefix of --token */
	ck_assert_int_eq(fixture_cli_parse(to, &o, &said), -1);
	ck_assert_str_eq(said, "");
	free(said);
	ck_assert(oneshot_wanted(&o.oneshot));
	ck_assert_str_eq(o.oneshot.to.v[0], "a@y.test");
	ck_assert_str_eq(o.front.target, "x.test");
	ck_assert_str_eq(o.front.default_port, "25");
	ck_assert(!o.front.client.starttls && o.oneshot.tls == ONESHOT_TLS_NONE);
	/* "--auth PLAIN": the next word is its argument when it is a
	 * mechanism; "--auth HOST" leaves the operand alone */
	ck_assert_int_eq(fixture_cli_parse(auth_next, &o, &said), -1);
	free(said);
	ck_assert(o.oneshot.auth && o.oneshot.do_auth);
	ck_assert_str_eq(o.oneshot.auth_mechs, "PLAIN");
	ck_assert_str_eq(o.front.target, "mx.test");
	ck_assert_int_eq(fixture_cli_parse(auth_host, &o, &said), -1);
	free(said);
	ck_assert(o.oneshot.auth);
	ck_assert_ptr_null(o.oneshot.auth_mechs);
	ck_assert_str_eq(o.front.target, "mx.test");
	ck_assert_int_eq(fixture_cli_parse(lmtp, &o, &said), -1);
	free(said);
	ck_assert_str_eq(o.front.target, "lmtp.test");
	ck_assert_str_eq(o.front.default_port, "24");
	ck_assert(o.oneshot.hello == ONESHOT_LHLO);
	ck_assert_int_eq(fixture_cli_parse(ssmtp, &o, &said), -1);
	free(said);
	ck_assert_str_eq(o.front.default_port, "465");
	ck_assert(o.front.client.implicit_tls && o.oneshot.tls == ONESHOT_TLS_IMPLICIT);
	ck_assert_int_eq(fixture_cli_parse(port, &o, &said), -1);
	free(said);
	ck_assert_str_eq(o.front.default_port, "2424");
	/* swaks' spelling of implicit TLS; --json alone is line mode */
	ck_assert_int_eq(fixture_cli_parse(tlsc, &o, &said), -1);
	free(said);
	ck_assert(o.front.client.implicit_tls);
	ck_assert_str_eq(o.front.default_port, "465");
	ck_assert_int_eq(fixture_cli_parse(json, &o, &said), -1);
	free(said);
	ck_assert(o.front.json && !oneshot_wanted(&o.oneshot));
}
END_TEST

/* Usage errors: exit status 2 and what would be right. */
START_TEST(options_refused)
{
	static const struct {
		const char *words[12];
		const char *said;
	} cases[] = {
		{ { "smtpscope", "--from", "a@x.test", "mx.test", NULL },
		  "smtpscope: --from belongs to a one-shot transaction, which needs its recipients: give --to ADDR\n" },
		{ { "smtpscope", "--to", "a@y.test", "--server", "s.test", "mx.test", NULL },
		  "smtpscope: --server and a HOST operand both name the server: give one\n" },
		{ { "smtpscope", "--to", "a@y.test", "--json", "--interactive", NULL },
		  "smtpscope: --json prints JSON lines in line mode, and --interactive opens the terminal UI: give one of them\n" },
		{ { "smtpscope", "--to", "a@y.test", "--data", "x\\ny", "--body", "b", "s.test", NULL },
		  "smtpscope: --data sends a prepared message as it is, while --body, --attach, --header and --add-header build one: give either --data, or the others\n" },
		{ { "smtpscope", "--to", "a@y.test", "--header", "NoColon", "s.test", NULL },
		  "smtpscope: --header \"NoColon\": it wants 'Name: value', the name in printable ASCII without blanks\n" },
		{ { "smtpscope", "--to", "a@y.test", "--header", "Content-Type: text/html", "s.test", NULL },
		  "smtpscope: --header \"Content-Type: text/html\": the MIME header fields of the body are smtpscope's (give the whole message with --data @FILE to choose them)\n" },
		{ { "smtpscope", "--to", "a@y.test", "--body", "@/nonexistent/body.txt", "s.test", NULL },
		  "smtpscope: --body: cannot open /nonexistent/body.txt: No such file or directory\n" },
		{ { "smtpscope", "--to", "a@y.test", "--attach", "/", "s.test", NULL },
		  "smtpscope: --attach: / is not a regular file (give a file, or - for standard input)\n" },
		{ { "smtpscope", "--to", "a@y.test", "--auth", "--auth-user", "u", "s.test", NULL },
		  "smtpscope: --auth needs the password, never on the command line: give --password-env VAR or --password-file FILE (--token-env VAR for XOAUTH2), or run with --interactive to type it\n" },
		{ { "smtpscope", "--to", "a@y.test", "--auth", "--password-env", "PW", "s.test", NULL },
		  "smtpscope: --auth needs the user name: give --auth-user USER\n" },
		{ { "smtpscope", "--to", "a@y.test", "--auth=PLAIN,NTLM", NULL },
		  "smtpscope: --auth wants mechanisms separated by commas: PLAIN, LOGIN, CRAM-MD5, XOAUTH2, SCRAM-SHA-1, SCRAM-SHA-256 (got \"PLAIN,NTLM\")\n" },
		{ { "smtpscope", "--auth-password", "hunter2", NULL },
		  "smtpscope: --auth-password: a password on the command line can be read by every user of this machine (ps, /proc, shell history); give it with --password-env VAR or --password-file FILE\n" },
		{ { "smtpscope", "--to", "a@y.test", "--protocol", "SMTP", "--starttls", "s.test", NULL },
		  "smtpscope: --protocol SMTP sends HELO, and STARTTLS and AUTH need EHLO: give --protocol ESMTP (or ESMTPS, ESMTPA, ESMTPSA)\n" },
		{ { "smtpscope", "--to", "a@y.test", "--protocol", "SSMTP", "--starttls", "s.test", NULL },
		  "smtpscope: --protocol SSMTP (TLS from the first byte) and --starttls exclude each other\n" },
		{ { "smtpscope", "--to", "a@y.test", "--tlsc", "--protocol", "ESMTPS", "s.test", NULL },
		  "smtpscope: --tls (TLS from the first byte) and --protocol ESMTPS (STARTTLS) exclude each other; for STARTTLS give --starttls\n" },
		{ { "smtpscope", "--to", "a@y.test", "--protocol", "SMTPX", NULL },
		  "smtpscope: --protocol wants SMTP, SSMTP, SSMTPA, SMTPS, ESMTP, ESMTPA, ESMTPS, ESMTPSA, LMTP, LMTPA, LMTPS or LMTPSA (got \"SMTPX\")\n" },
		{ { "smtpscope", "--to", "a@y.test", "-q", "QUIT", NULL },
		  "smtpscope: --quit-after wants CONNECT, BANNER, FIRST-EHLO, TLS, EHLO, AUTH, MAIL, RCPT, DATA or DOT (got \"QUIT\")\n" },
		{ { "smtpscope", "--to", "a@y.test", "--server", "mx.test:abc", NULL },
		  "smtpscope: bad port in \"mx.test:abc\": expected a number from 1 to 65535 (25 for relay, 587 for submission, 465 for TLS from the first byte) or a service name such as smtp\n" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		struct cli_options o;
		char *said;

		ck_assert_msg(fixture_cli_parse(cases[i].words, &o, &said) == 2, "case %zu: %s", i, said);
		ck_assert_str_eq(said, cases[i].said);
		free(said);
	}
}
END_TEST

/* Addresses are checked when the plan is made. */
START_TEST(plan_refuses_addresses)
{
	static const struct { const char *to, *from, *said; } cases[] = {
		{ "a@y.test,,b@y.test", NULL,
		  "--to: \"\" is not an address: give local@domain (several separated by commas)" },
		{ "a b@y.test", NULL,
		  "--to: \"a b@y.test\" is not an address: give local@domain (several separated by commas)" },
		{ "a@y.test", "x\r\n@y", "--from: \"x\r\n@y\" is not an address: give local@domain (several separated by commas)" },
		{ "postmaster", NULL, "without --server, the domain of the first recipient names the MX: \"postmaster\" has none (give --server HOST)" },
	};

	for (size_t i = 0; i < UTIL_ARRAY_LEN(cases); i++) {
		struct oneshot_options o = { .to = { { cases[i].to }, 1 }, .from = cases[i].from };
		struct oneshot_env env = { "h", "u", i < 3 };
		struct oneshot_plan p;
		char *err = NULL;

		ck_assert(!oneshot_plan_make(&o, &env, &p, &err));
		ck_assert_str_eq(err, cases[i].said);
		free(err);
		oneshot_plan_free(&p);
	}
}
END_TEST

/* swaks' --h-NAME VALUE and --h-NAME=VALUE are --header 'NAME: VALUE';
 * after "--" they are operands; without a value, a usage error. */
START_TEST(cli_h_fields)
{
	static const char *const h[] = { "smtpscope", "--to", "a@y.test", "--h-Subject", "hi there",
					 "--h-X-A=b=c", "--add-header", "X-B: 1\\nX-C: 2", "x.test",
					 NULL };
	static const char *const h_last[] = { "smtpscope", "--to", "a@y.test", "--h-Subject", NULL };
	static const char *const h_after[] = { "smtpscope", "--to", "a@y.test", "--", "--h-X", NULL };
	struct cli_options o;
	char *said;

	ck_assert_int_eq(fixture_cli_parse(h, &o, &said), -1);
	ck_assert_str_eq(said, "");
	free(said);
	ck_assert_uint_eq(o.oneshot.headers.n, 2);
	ck_assert_str_eq(o.oneshot.headers.v[0], "Subject: hi there");
	ck_assert_str_eq(o.oneshot.headers.v[1], "X-A: b=c");
	ck_assert_uint_eq(o.oneshot.add_headers.n, 1);
	ck_assert_str_eq(o.oneshot.add_headers.v[0], "X-B: 1\\nX-C: 2");
	ck_assert_str_eq(o.front.target, "x.test");
	cli_options_free(&o);
	ck_assert_int_eq(fixture_cli_parse(h_last, &o, &said), BATCH_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(said, "--h-Subject needs a value: --h-NAME VALUE"));
	free(said);
	cli_options_free(&o);
	ck_assert_int_eq(fixture_cli_parse(h_after, &o, &said), -1);
	free(said);
	ck_assert_uint_eq(o.oneshot.headers.n, 0);
	ck_assert_str_eq(o.front.target, "--h-X");
	cli_options_free(&o);
}
END_TEST

/* --add-header: after every other field, even one named as ours; one
 * argument split at each literal "\n". */
START_TEST(compose_add_headers)
{
	static const char *const to[] = { "b@y.test" };
	static const char *const add[] = { "X-One: 1\\nTo: c@y.test", "X-Two: 2" };
	struct compose_options o = { .from = "a@x.test", .to = to, .nto = 1, .subject = "hi",
				     .date = 0, .unique = "u1", .add_headers = add, .nadd_headers = 2 };
	struct buf out;
	const char *p = "A: 1\\n\\nB: 2";
	char *line;

	buf_init(&out);
	compose_head(&o, true, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "MIME-Version: 1.0\r\nX-One: 1\r\nTo: c@y.test\r\nX-Two: 2\r\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "To: b@y.test\r\n"));
	buf_free(&out);
	line = compose_add_next(&p);
	ck_assert_str_eq(line, "A: 1");
	free(line);
	line = compose_add_next(&p); /* an empty field between two "\n" */
	ck_assert_str_eq(line, "");
	free(line);
	line = compose_add_next(&p);
	ck_assert_str_eq(line, "B: 2");
	free(line);
	ck_assert_ptr_null(compose_add_next(&p));
}
END_TEST

/* compose piece by piece, fed in any split, equals compose_message. */
START_TEST(compose_in_pieces)
{
	const char *to[] = { "b@y.test" };
	static const char body[] = "one\r\ntwo\rthree\n\nf\xc3\xbcnf\r";
	const char *headers[] = { "Subject: replaced", "X-Test: 1", "From: Al <a@x.test>" };
	struct compose_part parts[] = { { "p.bin", "0123456789abcdefghijklmnopqrstuvwxyz0123456789"
				  "abcdefghijklmnopqrstuvwxyz", 72 } };
	struct compose_options o = { .from = "a@x.test", .to = to, .nto = 1, .subject = "hi",
				     .body = body, .body_len = sizeof body - 1, .parts = parts,
				     .nparts = 1, .date = 0, .unique = "u3", .headers = headers,
				     .nheaders = 3 };
	struct buf whole, piece;
	struct compose_enc e;

	buf_init(&whole);
	compose_message(&o, &whole);
	ck_assert_ptr_nonnull(strstr(whole.data, "\r\nFrom: Al <a@x.test>\r\nTo: b@y.test\r\n"
				     "Subject: replaced\r\nMIME-Version: 1.0\r\nX-Test: 1\r\n"));
	ck_assert_ptr_null(strstr(whole.data, "Subject: hi"));
	for (size_t split = 1; split < sizeof body; split++) {
		unsigned long long counted;

		buf_init(&piece);
		compose_head(&o, false, &piece);
		compose_enc_init(&e, true, true);
		compose_enc_add(&e, body, split, &piece);
		compose_enc_add(&e, body + split, sizeof body - 1 - split, &piece);
		compose_enc_end(&e, &piece);
		compose_part_head(&o, 0, &piece);
		compose_enc_init(&e, false, true);
		for (size_t k = 0; k < parts[0].len; k += split)
			compose_enc_add(&e, parts[0].data + k,
					parts[0].len - k < split ? parts[0].len - k : split, &piece);
		compose_enc_end(&e, &piece);
		compose_tail(&o, &piece);
		ck_assert_str_eq(piece.data, whole.data);
		buf_free(&piece);
		/* counting without writing: the text's CRLF length */
		compose_enc_init(&e, true, false);
		compose_enc_add(&e, body, split, NULL);
		compose_enc_add(&e, body + split, sizeof body - 1 - split, NULL);
		compose_enc_end(&e, NULL);
		counted = e.count;
		ck_assert_uint_eq(counted, strlen("one\r\ntwo\r\nthree\r\n\r\nf\xc3\xbcnf\r\n"));
	}
	ck_assert_uint_eq(compose_b64_size(0), 0);
	ck_assert_uint_eq(compose_b64_size(57), 78);
	ck_assert_uint_eq(compose_b64_size(58), 78 + 4 + 2);
	ck_assert_int_eq(compose_header_check("X-A: b"), COMPOSE_HEADER_OK);
	ck_assert_int_eq(compose_header_check("X A: b"), COMPOSE_HEADER_BAD_NAME);
	ck_assert_int_eq(compose_header_check(": b"), COMPOSE_HEADER_BAD_NAME);
	ck_assert_int_eq(compose_header_check("X-A b"), COMPOSE_HEADER_NO_COLON);
	ck_assert_int_eq(compose_header_check("X-A: b\r\nBcc: c"), COMPOSE_HEADER_LINE_BREAK);
	ck_assert_int_eq(compose_header_check("content-transfer-encoding: 8bit"), COMPOSE_HEADER_MIME);
	buf_free(&whole);
}
END_TEST

START_TEST(stop_words_and_protocols)
{
	enum oneshot_stop s;

	ck_assert(oneshot_stop_parse("banner", &s) && s == ONESHOT_STOP_CONNECT);
	ck_assert(oneshot_stop_parse("TO", &s) && s == ONESHOT_STOP_RCPT);
	ck_assert(oneshot_stop_parse("first-lhlo", &s) && s == ONESHOT_STOP_FIRST_HELO);
	ck_assert(!oneshot_stop_parse("QUIT", &s));
	ck_assert(oneshot_protocol_find("lmtpsa")->auth);
	ck_assert(oneshot_protocol_find("SSMTPA")->tls == ONESHOT_TLS_IMPLICIT);
	ck_assert_ptr_null(oneshot_protocol_find("ESMTPX"));
	ck_assert(oneshot_auth_list_ok("PLAIN,scram-sha-256"));
	ck_assert(!oneshot_auth_list_ok("PLAIN,"));
	ck_assert(!oneshot_auth_list_ok("mx.example.org"));
}
END_TEST

Suite *oneshot_suite(void)
{
	Suite *s = suite_create("oneshot");
	TCase *tc = tcase_create("oneshot");

	tcase_add_test(tc, plan_whole_transaction);
	tcase_add_test(tc, cli_h_fields);
	tcase_add_test(tc, compose_add_headers);
	tcase_add_test(tc, plan_tls_auth_pipeline);
	tcase_add_test(tc, plan_quit_after);
	tcase_add_test(tc, options_and_ports);
	tcase_add_test(tc, options_refused);
	tcase_add_test(tc, plan_refuses_addresses);
	tcase_add_test(tc, compose_in_pieces);
	tcase_add_test(tc, stop_words_and_protocols);
	suite_add_tcase(s, tc);
	return s;
}
