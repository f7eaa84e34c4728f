/* /pipe CMD; CMD; ... */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

#define CMD_PIPE_MAX 100

/* Splits at a ';' followed by a blank or the end ("rfc822;a@b" inside
 * ORCPT= stays whole); blanks around each command are dropped.  Returns
 * the count, or -1 when there are more than max. */
static int cmd_pipe_split(const char *s, char **out, int max)
{
	int n = 0;

	while (*s) {
		const char *p = s, *end;
		size_t len;

		while (*p && !(*p == ';' && (p[1] == '\0' || p[1] == ' ' || p[1] == '\t')))
			p++;
		s += strspn(s, " \t");
		end = p;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		len = end > s ? (size_t)(end - s) : 0;
		if (len > 0) {
			if (n == max)
				return -1;
			out[n++] = xmemdup(s, len);
		}
		s = *p ? p + 1 : p;
	}
	return n;
}

static int cmd_pipe_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *lines[CMD_PIPE_MAX];
	int n, i;

	(void)argc;
	n = cmd_pipe_split(argv[1], lines, CMD_PIPE_MAX);
	if (n < 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("a group of more than %d commands: nothing sent; split it"), CMD_PIPE_MAX);
		for (i = 0; i < CMD_PIPE_MAX; i++)
			free(lines[i]);
		return -1;
	}
	if (n == 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("no command in the group: %cpipe MAIL FROM:<a@x>; RCPT TO:<b@y>; DATA"),
			     CMD_PREFIX);
		return -1;
	}
	client_pipeline(ctx->client, lines, (size_t)n);
	for (i = 0; i < n; i++)
		free(lines[i]);
	return 0;
}

const struct cmd_entry cmd_pipe_entry = {
	.name = "pipe",
	.args = N_("CMD; CMD; ..."),
	.summary = N_("send a group of commands in one write (PIPELINING)"),
	.help = N_("Sends the commands, separated by \"; \", in a single write, as RFC 2920 "
		"PIPELINING allows, and matches the replies to them in order; a note lists "
		"each command with its reply once the last one is in. Warns when the server "
		"did not advertise PIPELINING and when a command that must end a group "
		"(EHLO, HELO, LHLO, DATA, VRFY, EXPN, NOOP, QUIT, STARTTLS, AUTH) is not the "
		"last. A ';' not followed by a blank stays in the command (ORCPT=rfc822;a@b)."),
	.complete = CMD_COMPLETE_NONE,
	.min_args = 1,
	.max_args = 1,
	.raw_args = true,
	.run = cmd_pipe_run,
	.needs_connection = true,
};
