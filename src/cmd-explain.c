/* /explain: the knowledge base inside a session — an earlier reply in its
 * context, a code, an enhanced code, or two codes compared. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/bounce.h"
#include "smtpscope/cmd.h"
#include "smtpscope/diagnose.h"
#include "smtpscope/explain.h"
#include "smtpscope/i18n.h"

#define CMD_EXPLAIN_WIDTH 76

static bool cmd_explain_is_code(const char *a)
{
	return strlen(a) == 3 && isdigit((unsigned char)a[0]) &&
	       isdigit((unsigned char)a[1]) && isdigit((unsigned char)a[2]);
}

/* The reply event chosen by the argument: none = newest, "-N" = N-th
 * newest, a command name = newest reply to it.  SIZE_MAX if none. */
static size_t cmd_explain_pick(const struct session *s, const char *arg)
{
	long back = 1;
	enum kb_ctx want = KB_CTX__COUNT;
	enum smtp_verb v;

	if (arg && arg[0] == '-') {
		char *end;

		back = strtol(arg + 1, &end, 10);
		if (*end != '\0' || back < 1)
			return SIZE_MAX;
	} else if (arg) {
		if (!explain_verb_from_name(arg, &v))
			return SIZE_MAX;
		want = kb_ctx_from_verb(v);
	}
	for (size_t i = session_count(s); i-- > 0;) {
		const struct session_event *ev = session_get(s, i);

		if (ev->kind != SESSION_REPLY)
			continue;
		if (want != KB_CTX__COUNT && kb_ctx_from_verb(ev->verb) != want)
			continue;
		if (--back == 0)
			return i;
	}
	return SIZE_MAX;
}

static int cmd_explain_event(struct cmd_ctx *ctx, const char *arg)
{
	size_t i = cmd_explain_pick(ctx->session, arg);
	const struct session_event *ev;
	struct explain_ctx ec = { 0 };
	struct explanation x;
	struct buf b;

	if (i == SIZE_MAX) {
		session_text(ctx->session, SESSION_ERROR,
			     arg ? _("no reply matches \"%s\": give -N for the N-th newest reply, a command (RCPT, DOT, greeting ...), or a code such as 550")
				 : _("no reply to explain yet%s: give a code instead, e.g. /explain 550"),
			     arg ? arg : "");
		return -1;
	}
	ev = session_get(ctx->session, i);
	ec.has_verb = true;
	ec.verb = ev->verb;
	ec.tls_active = ev->encrypted;
	explain_reply(ctx->kb, ev->reply, &ec, &x);
	buf_init(&b);
	buf_printf(&b, _("explanation of the reply to %s:\n"), _(session_reply_to(ev)));
	explain_format_long(&x, &b, CMD_EXPLAIN_WIDTH);
	session_text(ctx->session, SESSION_NOTE, "%s", b.data);
	buf_free(&b);
	explain_free(&x);
	return 0;
}

/* /explain TEXT: a reply, a bounce or log line pasted into the session. */
static int cmd_explain_paste(struct cmd_ctx *ctx, const char *text)
{
	struct paste p;
	struct explanation x;
	struct buf b;

	if (!diagnose_paste(ctx->kb, text, NULL, &p, &x))
		return -1;
	buf_init(&b);
	buf_printf(&b, _("explanation of the pasted %s"), _(paste_format_name(p.format)));
	if (p.server)
		buf_printf(&b, _(" from %s"), p.server);
	if (p.has_verb)
		buf_printf(&b, _(", in reply to %s"), smtp_verb_name(p.verb));
	buf_adds(&b, ":\n");
	explain_format_long(&x, &b, CMD_EXPLAIN_WIDTH);
	session_text(ctx->session, SESSION_NOTE, "%s", b.data);
	buf_free(&b);
	explain_free(&x);
	paste_free(&p);
	return 0;
}

/* /explain --bounce FILE: each recipient of a bounce message. */
static int cmd_explain_bounce(struct cmd_ctx *ctx, const char *path)
{
	struct buf data, out;
	struct bounce bn;
	enum bounce_result res;

	buf_init(&data);
	if (!util_read_file(path, BOUNCE_MAX_INPUT, &data)) {
		buf_free(&data);
		session_text(ctx->session, SESSION_ERROR, _("%cexplain --bounce %s: cannot read it: %s"),
			     CMD_PREFIX, path, strerror(errno));
		return -1;
	}
	res = bounce_parse(data.data ? data.data : "", data.len, &bn);
	buf_free(&data);
	if (res != BOUNCE_OK) {
		session_text(ctx->session, SESSION_ERROR, "%cexplain --bounce %s: %s", CMD_PREFIX,
			     path, bounce_result_text(res));
		return -1;
	}
	buf_init(&out);
	diagnose_bounce_format(ctx->kb, &bn, false, CMD_EXPLAIN_WIDTH, &out);
	session_text(ctx->session, SESSION_NOTE, "%s", out.data);
	buf_free(&out);
	bounce_free(&bn);
	return 0;
}

/* The old forms, in words: -N, COMMAND, CODE, ENHANCED, CODE ENHANCED,
 * CODE CODE.  1 if the words are none of them. */
static int cmd_explain_words(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct explanation x;
	struct buf b;
	const char *enh = NULL;
	int code = -1;

	if (argc == 1)
		return cmd_explain_event(ctx, NULL);
	if (argc == 2 && !cmd_explain_is_code(argv[1]) && !strchr(argv[1], '.')) {
		if (argv[1][0] != '-' && !explain_verb_from_name(argv[1], &(enum smtp_verb){ 0 }))
			return 1;
		return cmd_explain_event(ctx, argv[1]);
	}
	if (argc > 3)
		return 1;
	buf_init(&b);
	if (argc == 3 && cmd_explain_is_code(argv[1]) && cmd_explain_is_code(argv[2])) {
		if (explain_compare(ctx->kb, atoi(argv[1]), atoi(argv[2]), false, &b)) {
			session_text(ctx->session, SESSION_NOTE, "%s", b.data);
			buf_free(&b);
			return 0;
		}
	} else {
		if (cmd_explain_is_code(argv[1]))
			code = atoi(argv[1]);
		enh = argc == 3 ? argv[2] : code < 0 ? argv[1] : NULL;
		if ((code >= 0 || argc == 2) && explain_code(ctx->kb, code, enh, NULL, &x)) {
			explain_format_long(&x, &b, CMD_EXPLAIN_WIDTH);
			session_text(ctx->session, SESSION_NOTE, "%s", b.data);
			explain_free(&x);
			buf_free(&b);
			return 0;
		}
	}
	buf_free(&b);
	return 1;
}

static int cmd_explain_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *rest = argc > 1 ? argv[1] : "";
	char **words;
	int n, rc;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (strncmp(rest, "--bounce", 8) == 0 && (rest[8] == ' ' || rest[8] == '\0')) {
		for (rest += 8; *rest == ' '; rest++)
			;
		if (*rest)
			return cmd_explain_bounce(ctx, rest);
	} else if (strncmp(rest, "--reply ", 8) == 0) {
		if (cmd_explain_paste(ctx, rest + 8) == 0)
			return 0;
	} else if ((n = cmd_split(rest, &words)) >= 0) {
		char **args = xcalloc((size_t)n + 1, sizeof *args);

		args[0] = "explain";
		for (int i = 0; i < n; i++)
			args[i + 1] = words[i];
		rc = cmd_explain_words(ctx, n + 1, args);
		free(args);
		cmd_split_free(n, words);
		if (rc <= 0 || cmd_explain_paste(ctx, rest) == 0)
			return rc <= 0 ? rc : 0;
	} else if (cmd_explain_paste(ctx, rest) == 0) {
		return 0; /* an unbalanced quote in pasted text */
	}
	session_text(ctx->session, SESSION_ERROR,
		     _("cannot explain that: use %cexplain [-N | COMMAND], %cexplain CODE [ENHANCED] (550 5.1.1), %cexplain ENHANCED (5.7.26), %cexplain CODE CODE to compare (252 354), %cexplain TEXT for a pasted reply or bounce line, or %cexplain --bounce FILE"),
		     CMD_PREFIX, CMD_PREFIX, CMD_PREFIX, CMD_PREFIX, CMD_PREFIX, CMD_PREFIX);
	return -1;
}

const struct cmd_entry cmd_explain_entry = {
	.name = "explain",
	.args = N_("[-N | COMMAND | CODE [ENHANCED] | CODE CODE | TEXT | --bounce FILE]"),
	.summary = N_("explain a reply of this session, a code, pasted text or a bounce"),
	.help = N_("Without arguments, explains the newest reply in the context of the "
		"command it answered: the digits, the enhanced code, the diagnosis and "
		"next step, any provider hint, and how it differs from similar codes. "
		"-N picks the N-th newest reply, a command name (RCPT, DOT, greeting...) "
		"the newest reply to that command. A code (550), a code and an enhanced "
		"code (550 5.1.1) or an enhanced code alone (5.7.26) explain those from "
		"the knowledge base; two codes (252 354) are compared. Any other text is read "
		"as a pasted reply or a line of a bounce or log (Postfix's \"host ... said: "
		"...\", Exim's, Microsoft's, Gmail's, \"Diagnostic-Code: smtp; ...\"), with "
		"the server and the command taken from it; --reply TEXT forces that. "
		"--bounce FILE explains each recipient of a whole bounce message."),
	.complete = CMD_COMPLETE_CODE,
	.min_args = 0,
	.max_args = 1,
	.raw_args = true,
	.run = cmd_explain_run,
};
