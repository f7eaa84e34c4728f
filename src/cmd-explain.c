/* /explain CODE */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/explain.h"

static int cmd_explain_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *a = argv[1];
	struct buf b;

	(void)argc;
	if (strlen(a) != 3 || !isdigit((unsigned char)a[0]) ||
	    !isdigit((unsigned char)a[1]) || !isdigit((unsigned char)a[2])) {
		session_text(ctx->session, SESSION_ERROR,
			     "\"%s\" is not a reply code: give three digits, e.g. %cexplain 550",
			     a, CMD_PREFIX);
		return -1;
	}
	buf_init(&b);
	explain_digits((a[0] - '0') * 100 + (a[1] - '0') * 10 + (a[2] - '0'), &b);
	session_text(ctx->session, SESSION_NOTE, "%s", b.data);
	buf_free(&b);
	return 0;
}

const struct cmd_entry cmd_explain_entry = {
	.name = "explain",
	.args = "CODE",
	.summary = "say what a reply code's digits mean",
	.help = "Explains a three-digit reply code by its class (first) and "
		"category (second) digit, as RFC 5321 4.2.1 defines them.",
	.complete = CMD_COMPLETE_CODE,
	.min_args = 1,
	.max_args = 1,
	.run = cmd_explain_run,
};
