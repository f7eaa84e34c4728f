/* /explain: the knowledge base inside a session — an earlier reply in its
 * context, a code, an enhanced code, or two codes compared. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/explain.h"

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
			     arg ? "no reply matches \"%s\": give -N for the N-th newest reply, a command (RCPT, DOT, greeting ...), or a code such as 550"
				 : "no reply to explain yet%s: give a code instead, e.g. /explain 550",
			     arg ? arg : "");
		return -1;
	}
	ev = session_get(ctx->session, i);
	ec.has_verb = true;
	ec.verb = ev->verb;
	ec.tls_active = ev->encrypted;
	explain_reply(ctx->kb, ev->reply, &ec, &x);
	buf_init(&b);
	buf_printf(&b, "explanation of the reply to %s:\n", session_reply_to(ev));
	explain_format_long(&x, &b, CMD_EXPLAIN_WIDTH);
	session_text(ctx->session, SESSION_NOTE, "%s", b.data);
	buf_free(&b);
	explain_free(&x);
	return 0;
}

static int cmd_explain_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct explanation x;
	struct buf b;
	const char *enh = NULL;
	int code = -1;

	if (argc == 1 || (argc == 2 && !cmd_explain_is_code(argv[1]) && !strchr(argv[1], '.')))
		return cmd_explain_event(ctx, argc == 2 ? argv[1] : NULL);
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
	session_text(ctx->session, SESSION_ERROR,
		     "cannot explain that: use %cexplain [-N | COMMAND], %cexplain CODE [ENHANCED] (550 5.1.1), %cexplain ENHANCED (5.7.26), or %cexplain CODE CODE to compare (252 354)",
		     CMD_PREFIX, CMD_PREFIX, CMD_PREFIX, CMD_PREFIX);
	return -1;
}

const struct cmd_entry cmd_explain_entry = {
	.name = "explain",
	.args = "[-N | COMMAND | CODE [ENHANCED] | CODE CODE]",
	.summary = "explain a reply of this session, a code, or two codes compared",
	.help = "Without arguments, explains the newest reply in the context of the "
		"command it answered: the digits, the enhanced code, the diagnosis and "
		"next step, any provider hint, and how it differs from similar codes. "
		"-N picks the N-th newest reply, a command name (RCPT, DOT, greeting...) "
		"the newest reply to that command. A code (550), a code and an enhanced "
		"code (550 5.1.1) or an enhanced code alone (5.7.26) explain those from "
		"the knowledge base; two codes (252 354) are compared.",
	.complete = CMD_COMPLETE_CODE,
	.min_args = 0,
	.max_args = 2,
	.run = cmd_explain_run,
};
