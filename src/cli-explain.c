/* cli-explain: `smtpscope explain`, the knowledge base offline. */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtpscope/cli.h"
#include "smtpscope/demo.h"
#include "smtpscope/explain.h"
#include "smtpscope/reply.h"

#define CLI_WIDTH 78

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

static const char cli_explain_usage[] =
"Usage: smtpscope explain CODE [ENHANCED] [--after COMMAND] [--tls] [--json]\n"
"       smtpscope explain ENHANCED [--json]\n"
"       smtpscope explain --reply TEXT [--after COMMAND] [--tls] [--json]\n"
"       smtpscope explain --compare CODE CODE [--json]\n"
"       smtpscope explain --check\n"
"\n"
"CODE is a reply code (550), ENHANCED an enhanced status code (5.1.1).\n"
"TEXT is a reply as the server sent it; several lines may be given with\n"
"newlines, or joined on one line as relays and bounce messages show them.\n"
"COMMAND is what the reply answered: greeting, HELO, EHLO, MAIL, RCPT, DATA,\n"
"DOT (after the final dot), BDAT, RSET, VRFY, EXPN, HELP, NOOP, QUIT,\n"
"STARTTLS, AUTH, ETRN, ATRN.  --tls says TLS was active.  --check loads the\n"
"knowledge base and the demo's scenarios and reports every problem as\n"
"FILE:LINE.\n";

struct kb *cli_load_kb(size_t *errors)
{
	struct kb *kb = kb_new();
	size_t n = kb_load_dir(kb, kb_default_dir());

	for (size_t i = 0; i < kb_error_count(kb); i++)
		fprintf(stderr, "smtpscope: %s\n", kb_error(kb, i));
	if (errors)
		*errors = n;
	return kb;
}

static int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smtpscope explain: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(cli_explain_usage, stderr);
	return CLI_EXIT_USAGE;
}

/* Three digits, or -1. */
static int cli_code(const char *s)
{
	if (strlen(s) != 3 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
		return -1;
	return atoi(s);
}

static int cli_print(const struct explanation *x, bool json)
{
	struct buf out;

	buf_init(&out);
	if (json)
		explain_format_json(x, &out);
	else
		explain_format_long(x, &out, CLI_WIDTH);
	fwrite(out.data, 1, out.len, stdout);
	if (json)
		putchar('\n');
	buf_free(&out);
	return CLI_EXIT_OK;
}

static double cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The scenario files in help/scenarios: each problem as FILE:LINE on
 * stderr; returns how many there were. */
static size_t cli_check_scenarios(void)
{
	struct demo_catalog cat = { 0 };
	struct buf errors;
	size_t problems = 0;

	buf_init(&errors);
	demo_catalog_load(&cat, kb_default_dir(), &errors);
	for (const char *p = errors.data; p && *p; problems++) {
		size_t n = strcspn(p, "\n");

		fprintf(stderr, "smtpscope: %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	printf("scenarios %s/scenarios: %zu scenario%s; %zu problem%s\n", kb_default_dir(),
	       cat.n, cat.n == 1 ? "" : "s", problems, problems == 1 ? "" : "s");
	buf_free(&errors);
	demo_catalog_free(&cat);
	return problems;
}

static int cli_check(struct kb *kb, size_t errors, double load_ms)
{
	printf("knowledge base %s: %zu codes, %zu enhanced codes, %zu diagnoses, %zu comparisons, %zu patterns; %zu problem%s; loaded in %.2f ms\n",
	       kb_default_dir(), kb_code_count(kb), kb_enhanced_count(kb),
	       kb_diagnosis_count(kb), kb_compare_count(kb), kb_pattern_count(kb),
	       errors, errors == 1 ? "" : "s", load_ms);
	errors += cli_check_scenarios();
	return errors ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int cli_reply(struct kb *kb, const char *text, const struct explain_ctx *ctx, bool json)
{
	bool rejoined;
	char *wire = explain_text_to_wire(text, &rejoined);
	struct reply_parser *p;
	struct reply *r;
	struct explanation x;
	int status;

	if (wire == NULL)
		return cli_usage_error("--reply: no line of \"%s\" starts with a three-digit reply code",
				       text);
	p = reply_parser_new();
	reply_parser_feed(p, wire, strlen(wire));
	reply_parser_finish(p);
	r = reply_parser_next(p);
	explain_reply(kb, r, ctx, &x);
	if (rejoined && x.nnotes < EXPLAIN_MAX_NOTES)
		x.notes[x.nnotes++] = xstrdup("these lines had been joined into one (as relays and bounce messages do); smtpscope split them again");
	status = cli_print(&x, json);
	explain_free(&x);
	reply_free(r);
	reply_parser_free(p);
	free(wire);
	return status;
}

static int cli_compare(struct kb *kb, const char *a, const char *b, bool json)
{
	struct buf out;
	int ca = cli_code(a), cb = cli_code(b);

	if (ca < 0 || cb < 0 || !(buf_init(&out), explain_compare(kb, ca, cb, json, &out)))
		return cli_usage_error("--compare wants two reply codes from 200 to 599, e.g. --compare 252 354 (got \"%s\")",
				       ca < 0 ? a : b);
	fwrite(out.data, 1, out.len, stdout);
	if (json)
		putchar('\n');
	buf_free(&out);
	return CLI_EXIT_OK;
}

int cli_explain_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reply", required_argument, NULL, 'r' },
		{ "after", required_argument, NULL, 'a' },
		{ "compare", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "tls", no_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct explain_ctx ctx = { 0 };
	const char *reply_text = NULL;
	bool json = false, compare = false, check = false;
	struct explanation x;
	struct kb *kb;
	size_t errors;
	double load_ms;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:a:cjtkh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reply_text = optarg; break;
		case 'a':
			ctx.has_verb = explain_verb_from_name(optarg, &ctx.verb);
			if (!ctx.has_verb)
				return cli_usage_error("--after \"%s\": not a command smtpscope knows", optarg);
			break;
		case 'c': compare = true; break;
		case 'j': json = true; break;
		case 't': ctx.tls_active = true; break;
		case 'k': check = true; break;
		case 'h': fputs(cli_explain_usage, stdout); return CLI_EXIT_OK;
		default: fputs(cli_explain_usage, stderr); return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!check && !reply_text && argc == 0)
		return cli_usage_error("%s", "say what to explain");
	if ((compare && argc != 2) || (reply_text && argc != 0) || (check && argc != 0) ||
	    argc > 2)
		return cli_usage_error("unexpected arguments starting at \"%s\"",
				       argc ? argv[0] : "");
	load_ms = cli_now_ms();
	kb = cli_load_kb(&errors);
	load_ms = cli_now_ms() - load_ms;
	if (check)
		status = cli_check(kb, errors, load_ms);
	else if (compare)
		status = cli_compare(kb, argv[0], argv[1], json);
	else if (reply_text)
		status = cli_reply(kb, reply_text, &ctx, json);
	else {
		int code = cli_code(argv[0]);
		const char *enh = argc == 2 ? argv[1] : NULL;

		if (code < 0 && argc == 1 && strchr(argv[0], '.'))
			enh = argv[0]; /* an enhanced code alone */
		else if (code < 200 || code > 599)
			return kb_free(kb), cli_usage_error("\"%s\" is not a reply code: give three digits from 200 to 599, e.g. 550, or an enhanced code such as 5.1.1", argv[0]);
		if (!explain_code(kb, code, enh, &ctx, &x)) {
			kb_free(kb);
			return cli_usage_error("\"%s\" is not an enhanced status code: CLASS.SUBJECT.DETAIL with class 2, 4 or 5, e.g. 5.1.1",
					       enh);
		}
		status = cli_print(&x, json);
		explain_free(&x);
	}
	kb_free(kb);
	return status;
}
