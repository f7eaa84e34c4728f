/* cli-explain: `smtpscope explain`, the knowledge base offline. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "smtpscope/bounce.h"
#include "smtpscope/cli.h"
#include "smtpscope/demo.h"
#include "smtpscope/diagnose.h"
#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"
#include "smtpscope/reply.h"

#define CLI_WIDTH 78

enum {
	CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2,
	CLI_EXIT_UNREADABLE = 3,   /* --bounce: the file cannot be read */
	CLI_EXIT_NOT_BOUNCE = 4,   /* --bounce: no bounce in it */
};

/* The usage text, in pieces (one translatable message each). */
static void cli_explain_usage(FILE *f)
{
	fputs(_(
"Usage: smtpscope explain CODE [ENHANCED] [--after COMMAND] [--tls] [--json]\n"
"       smtpscope explain ENHANCED [--json]\n"
"       smtpscope explain --reply TEXT [--after COMMAND] [--tls] [--json]\n"
"       smtpscope explain --bounce FILE|- [--json]\n"
"       smtpscope explain --compare CODE CODE [--json]\n"
"       smtpscope explain --check [--lang LL]\n"), f);
	fputs("\n", f);
	fputs(_(
"CODE is a reply code (550), ENHANCED an enhanced status code (5.1.1).\n"
"TEXT is a reply as you found it: the server's lines (with newlines, or\n"
"joined on one line as relays do), an enhanced code with its text\n"
"(5.7.3 Authentication unsuccessful), or a line of a bounce or log:\n"
"Postfix's \"host H[A] said: ... (in reply to RCPT TO command)\" and\n"
"\"status=bounced (...)\", Exim's \"SMTP error from remote mail server after\n"
"RCPT TO:<...>: ...\", Microsoft's \"Remote Server returned '...'\", Gmail's\n"
"\"The response was: ...\", \"Diagnostic-Code: smtp; ...\", Sendmail's \"<<<\"\n"
"lines, qmail's \"Remote host said: ...\".  The server and the command are\n"
"taken from the text when it names them.\n"), f);
	fputs(_(
"FILE is a whole bounce message (RFC 3464 or the common non-standard\n"
"ones; - reads standard input); each recipient is explained.\n"), f);
	fputs(_(
"COMMAND is what the reply answered: greeting, HELO, EHLO, MAIL, RCPT, DATA,\n"
"DOT (after the final dot), BDAT, RSET, VRFY, EXPN, HELP, NOOP, QUIT,\n"
"STARTTLS, AUTH, ETRN, ATRN.  --lang en|fr|ko picks the explanations'\n"
"language (default: from LANGUAGE, LC_ALL, LC_MESSAGES, LANG).\n"), f);
	fputs(_(
"--tls says TLS was active.  --check loads the\n"
"knowledge base and the demo's scenarios and reports every problem as\n"
"FILE:LINE, and checks that every rule's and pattern's samples are taken\n"
"by that rule or pattern first.\n"), f);
	fputs(_(
"Exit status: 0; 1 --check found problems; 2 usage error; 3 --bounce FILE\n"
"cannot be read; 4 --bounce input is not a bounce message.\n"), f);
}

static const char *cli_lang;

bool cli_set_lang(const char *lang)
{
	if (lang && !kb_lang_available(kb_default_dir(), lang)) {
		fprintf(stderr, _("smtpscope: --lang %s: no translation for it; use en, fr or ko\n"), lang);
		return false;
	}
	cli_lang = lang;
	i18n_init(lang);
	return true;
}

/* --check compiles every expression as it loads them, to report the bad
 * ones; everything else compiles each when first tried (kb.h). */
static bool cli_kb_eager;

struct kb *cli_load_kb(size_t *errors)
{
	struct kb *kb = kb_new();
	size_t n = cli_fill_kb(kb);

	if (errors)
		*errors = n;
	return kb;
}

size_t cli_fill_kb(struct kb *kb)
{
	size_t n = cli_read_kb(kb);

	cli_report_kb(kb);
	return n;
}

size_t cli_read_kb(struct kb *kb)
{
	size_t n;
	const char *lang = i18n_lang();

	kb_set_lazy_regex(kb, !cli_kb_eager);
	n = kb_load_dir(kb, kb_default_dir());

	/* A language from the environment that has no translation is
	 * English, silently, as gettext does. */
	if (kb_lang_available(kb_default_dir(), lang))
		n += kb_load_lang(kb, kb_default_dir(), lang);
	return n;
}

void cli_report_kb(const struct kb *kb)
{
	for (size_t i = 0; i < kb_error_count(kb); i++)
		fprintf(stderr, "smtpscope: %s\n", kb_error(kb, i));
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
	cli_explain_usage(stderr);
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

/* Every sample of a provider pattern is matched by that pattern first,
 * and every sample of a text rule decided by that rule first (an earlier
 * entry that takes it hides the later one): each failure as FILE:LINE. */
static size_t cli_check_samples(const struct kb *kb, size_t *nsamples, double *ms)
{
	size_t problems = 0;
	struct buf why;
	double start;

	buf_init(&why);
	for (size_t i = 0; i < kb_pattern_count(kb); i++) {
		const struct kb_pattern *p = kb_pattern_at(kb, i);

		for (size_t s = 0; s < p->nsamples; s++) {
			const struct kb_pattern *got = kb_pattern_match(kb, atoi(p->samples[s]),
									p->samples[s]);

			if (got == p)
				continue;
			fprintf(stderr, "smtpscope: %s:%d: sample %zu of pattern %s is %s%s\n", p->file,
				p->line, s + 1, p->id, got ? "matched first by pattern " : "matched by no pattern",
				got ? got->id : "");
			problems++;
		}
	}
	/* The rules' samples are explained whole, as a session's replies
	 * are: their time is what diagnosing a reply costs. */
	*nsamples = 0;
	start = cli_now_ms();
	for (size_t i = 0; i < kb_rule_count(kb); i++) {
		const struct kb_rule *r = kb_rule_at(kb, i);

		for (size_t s = 0; s < r->nsamples; s++, (*nsamples)++) {
			buf_clear(&why);
			if (explain_rule_sample(kb, r, s, &why))
				continue;
			fprintf(stderr, "smtpscope: %s:%d: %s\n", r->file, r->line, why.data);
			problems++;
		}
	}
	*ms = cli_now_ms() - start;
	buf_free(&why);
	return problems;
}

/* The scenarios' titles and lessons in lang: each problem as FILE:LINE. */
static size_t cli_check_lang_scenarios(const char *lang)
{
	struct demo_catalog cat = { 0 };
	struct buf errors;
	size_t problems;

	buf_init(&errors);
	demo_catalog_load(&cat, kb_default_dir(), &errors);
	buf_clear(&errors); /* the English files' problems are reported once */
	problems = demo_catalog_translate(&cat, kb_default_dir(), lang, &errors);
	for (const char *p = errors.data; p && *p;) {
		size_t n = strcspn(p, "\n");

		fprintf(stderr, "smtpscope: %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	printf("translation %s of the scenarios: %zu scenario%s; %zu problem%s\n", lang, cat.n,
	       cat.n == 1 ? "" : "s", problems, problems == 1 ? "" : "s");
	buf_free(&errors);
	demo_catalog_free(&cat);
	return problems;
}

/* One language's translation: its problems (each as FILE:LINE on
 * stderr) are returned; the fields still in English are counted, and
 * listed too when list is set. */
static size_t cli_check_lang(const char *lang, bool list)
{
	struct kb *kb = kb_new();
	struct buf gaps;
	size_t english = kb_load_dir(kb, kb_default_dir()), problems, left;

	problems = kb_load_lang(kb, kb_default_dir(), lang);
	for (size_t i = english; i < kb_error_count(kb); i++)
		fprintf(stderr, "smtpscope: %s\n", kb_error(kb, i));
	buf_init(&gaps);
	left = kb_lang_gaps(kb, &gaps);
	/* A field left in English is a problem: a French or Korean class
	 * must never meet an English paragraph. */
	if (gaps.len && (list || left <= 20))
		fprintf(stderr, "%s", gaps.data);
	problems += left;
	printf("translation %s: %zu fields translated, %zu still in English%s; %zu problem%s\n",
	       lang, kb_lang_translated(kb), left,
	       left > 20 && !list ? " (--check --lang to list them)" : "", problems,
	       problems == 1 ? "" : "s");
	buf_free(&gaps);
	kb_free(kb);
	return problems + cli_check_lang_scenarios(lang);
}

/* Every translation folder under help/kb (fr, ko ...), or only lang. */
static size_t cli_check_langs(const char *lang)
{
	char *kbdir = xasprintf("%s/kb", kb_default_dir());
	DIR *d = lang ? NULL : opendir(kbdir);
	struct dirent *de;
	size_t problems = 0;

	if (lang && strncmp(lang, "en", 2) != 0)
		problems += cli_check_lang(lang, true);
	while (d && (de = readdir(d)) != NULL) {
		char *sub = xasprintf("%s/%s", kbdir, de->d_name);
		struct stat st;

		if (de->d_name[0] != '.' && stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			problems += cli_check_lang(de->d_name, false);
		free(sub);
	}
	if (d)
		closedir(d);
	free(kbdir);
	return problems;
}

static int cli_check(struct kb *kb, size_t errors, double load_ms)
{
	size_t nsamples;
	double ms;

	errors += cli_check_samples(kb, &nsamples, &ms);
	printf("knowledge base %s: %zu codes, %zu enhanced codes, %zu diagnoses, %zu comparisons, %zu patterns, %zu text rules, %zu EHLO keywords; %zu problem%s; loaded in %.2f ms\n",
	       kb_default_dir(), kb_code_count(kb), kb_enhanced_count(kb),
	       kb_diagnosis_count(kb), kb_compare_count(kb), kb_pattern_count(kb),
	       kb_rule_count(kb), kb_extension_count(kb), errors, errors == 1 ? "" : "s", load_ms);
	printf("text rules: %zu samples diagnosed in %.2f ms (%.1f us a reply)\n", nsamples, ms,
	       nsamples ? ms * 1000.0 / (double)nsamples : 0.0);
	errors += cli_check_langs(cli_lang);
	errors += cli_check_scenarios();
	return errors ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* "Read as: Postfix bounce line; server ...; in reply to RCPT". */
static void cli_pasted_line(const struct paste *p, struct buf *out)
{
	buf_printf(out, _("Read as: %s"), _(paste_format_name(p->format)));
	if (p->server)
		buf_printf(out, _("; server %s"), p->server);
	if (p->has_verb)
		buf_printf(out, _("; in reply to %s"), smtp_verb_name(p->verb));
	if (p->recipient)
		buf_printf(out, _("; recipient %s"), p->recipient);
	buf_adds(out, "\n\n");
}

static void cli_pasted_json(const struct paste *p, struct buf *out)
{
	bool f = true;

	buf_adds(out, "\"pasted\":{");
	util_json_member(out, &f, "format", paste_format_name(p->format));
	util_json_member(out, &f, "server", p->server);
	util_json_member(out, &f, "command", p->has_verb ? verb_info(p->verb)->key : NULL);
	util_json_member(out, &f, "recipient", p->recipient);
	buf_adds(out, "},");
}

static int cli_reply(struct kb *kb, const char *text, const struct explain_ctx *ctx, bool json)
{
	struct paste p;
	struct explanation x;
	struct buf out, one;

	if (!diagnose_paste(kb, text, ctx, &p, &x))
		return cli_usage_error(_("--reply: found no reply in \"%s\": give the server's reply (550 5.1.1 ...), an enhanced code with its text (5.7.3 ...), or a bounce or log line that quotes one"),
				       text);
	buf_init(&out);
	buf_init(&one);
	if (json) {
		/* The explanation's object, with what was read from the paste. */
		explain_format_json(&x, &one);
		buf_addc(&out, '{');
		cli_pasted_json(&p, &out);
		buf_adds(&out, one.data + 1);
		buf_addc(&out, '\n');
	} else {
		if (p.format != PASTE_REPLY || p.server)
			cli_pasted_line(&p, &out);
		explain_format_long(&x, &out, CLI_WIDTH);
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&one);
	buf_free(&out);
	explain_free(&x);
	paste_free(&p);
	return CLI_EXIT_OK;
}

static int cli_bounce(struct kb *kb, const char *path, bool json)
{
	struct buf data, out;
	struct bounce b;
	enum bounce_result res;

	buf_init(&data);
	if (!util_read_file(path, BOUNCE_MAX_INPUT, &data)) {
		fprintf(stderr, _("smtpscope explain: --bounce %s: cannot read it: %s\n"), path,
			strerror(errno));
		buf_free(&data);
		return CLI_EXIT_UNREADABLE;
	}
	res = bounce_parse(data.data ? data.data : "", data.len, &b);
	buf_free(&data);
	if (res != BOUNCE_OK) {
		fprintf(stderr, "smtpscope explain: --bounce %s: %s\n", path, bounce_result_text(res));
		return CLI_EXIT_NOT_BOUNCE;
	}
	buf_init(&out);
	diagnose_bounce_format(kb, &b, json, CLI_WIDTH, &out);
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	bounce_free(&b);
	return CLI_EXIT_OK;
}

static int cli_compare(struct kb *kb, const char *a, const char *b, bool json)
{
	struct buf out;
	int ca = cli_code(a), cb = cli_code(b);

	if (ca < 0 || cb < 0 || !(buf_init(&out), explain_compare(kb, ca, cb, json, &out)))
		return cli_usage_error(_("--compare wants two reply codes from 200 to 599, e.g. --compare 252 354 (got \"%s\")"),
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
		{ "bounce", required_argument, NULL, 'b' },
		{ "after", required_argument, NULL, 'a' },
		{ "compare", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "tls", no_argument, NULL, 't' },
		{ "check", no_argument, NULL, 'k' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct explain_ctx ctx = { 0 };
	const char *reply_text = NULL, *bounce_file = NULL;
	bool json = false, compare = false, check = false;
	struct explanation x;
	struct kb *kb;
	size_t errors;
	double load_ms;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:b:a:cjtkl:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': reply_text = optarg; break;
		case 'b': bounce_file = optarg; break;
		case 'a':
			ctx.has_verb = explain_verb_from_name(optarg, &ctx.verb);
			if (!ctx.has_verb)
				return cli_usage_error(_("--after \"%s\": not a command smtpscope knows"), optarg);
			break;
		case 'c': compare = true; break;
		case 'j': json = true; break;
		case 't': ctx.tls_active = true; break;
		case 'k': check = true; break;
		case 'l':
			if (!cli_set_lang(optarg))
				return CLI_EXIT_USAGE;
			break;
		case 'h': cli_explain_usage(stdout); return CLI_EXIT_OK;
		default: cli_explain_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!check && !reply_text && !bounce_file && argc == 0)
		return cli_usage_error("%s", _("say what to explain"));
	if (reply_text && bounce_file)
		return cli_usage_error("%s", _("give --reply or --bounce, not both"));
	if ((compare && argc != 2) || ((reply_text || bounce_file) && argc != 0) ||
	    (check && argc != 0) || argc > 2)
		return cli_usage_error(_("unexpected arguments starting at \"%s\""),
				       argc ? argv[0] : "");
	load_ms = cli_now_ms();
	cli_kb_eager = check;
	kb = cli_load_kb(&errors);
	load_ms = cli_now_ms() - load_ms;
	if (check)
		status = cli_check(kb, errors, load_ms);
	else if (compare)
		status = cli_compare(kb, argv[0], argv[1], json);
	else if (reply_text)
		status = cli_reply(kb, reply_text, &ctx, json);
	else if (bounce_file)
		status = cli_bounce(kb, bounce_file, json);
	else {
		int code = cli_code(argv[0]);
		const char *enh = argc == 2 ? argv[1] : NULL;

		if (code < 0 && argc == 1 && strchr(argv[0], '.'))
			enh = argv[0]; /* an enhanced code alone */
		else if (code < 200 || code > 599)
			return kb_free(kb), cli_usage_error(_("\"%s\" is not a reply code: give three digits from 200 to 599, e.g. 550, or an enhanced code such as 5.1.1"), argv[0]);
		if (!explain_code(kb, code, enh, &ctx, &x)) {
			kb_free(kb);
			return cli_usage_error(_("\"%s\" is not an enhanced status code: CLASS.SUBJECT.DETAIL with class 2, 4 or 5, e.g. 5.1.1"),
					       enh);
		}
		status = cli_print(&x, json);
		explain_free(&x);
	}
	kb_free(kb);
	return status;
}
