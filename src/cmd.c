/* cmd: the command table and dispatch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"
#include "smtpscope/util.h"

static const struct cmd_entry *const cmd_entries[] = {
	&cmd_auth_entry,     &cmd_bdat_entry,     &cmd_cert_entry,    &cmd_compose_entry,
	&cmd_connect_entry,  &cmd_data_entry,     &cmd_dns_entry,     &cmd_explain_entry,
	&cmd_guide_entry,
	&cmd_help_entry,     &cmd_ladder_entry,   &cmd_lang_entry,   &cmd_mtasts_entry,  &cmd_mx_entry,      &cmd_pipe_entry,
	&cmd_quit_entry,     &cmd_raw_entry,
	&cmd_replay_entry,   &cmd_save_entry,     &cmd_scenario_entry, &cmd_sendfile_entry,
	&cmd_starttls_entry, &cmd_tlsa_entry,     &cmd_trace_entry,
};

const struct cmd_entry *const *cmd_table(size_t *n)
{
	*n = UTIL_ARRAY_LEN(cmd_entries);
	return cmd_entries;
}

const struct cmd_entry *cmd_find(const char *name)
{
	const struct cmd_entry *found = NULL;
	size_t i, len = strlen(name);

	if (len == 0)
		return NULL;
	for (i = 0; i < UTIL_ARRAY_LEN(cmd_entries); i++) {
		if (util_strieq(cmd_entries[i]->name, name))
			return cmd_entries[i];
		if (util_strnieq(cmd_entries[i]->name, name, len)) {
			if (found)
				return NULL; /* ambiguous */
			found = cmd_entries[i];
		}
	}
	return found;
}

/* The raw_args command a line starts with, or NULL. */
static const struct cmd_entry *cmd_find_raw(const char *line)
{
	char *name = xmemdup(line, strcspn(line, " \t"));
	const struct cmd_entry *e = cmd_find(name);

	free(name);
	return e && e->raw_args ? e : NULL;
}

int cmd_split(const char *line, char ***argvp)
{
	char **argv = NULL;
	int argc = 0;
	const char *p = line;
	struct buf w;

	buf_init(&w);
	for (;;) {
		bool quoted = false, any = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		buf_clear(&w);
		while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
			any = true;
			if (*p == '"') {
				quoted = !quoted;
				p++;
			} else if (*p == '\\' && p[1]) {
				buf_addc(&w, p[1]);
				p += 2;
			} else {
				buf_addc(&w, *p++);
			}
		}
		if (quoted) {
			buf_free(&w);
			cmd_split_free(argc, argv);
			*argvp = NULL;
			return -1;
		}
		if (any) {
			argv = xrealloc(argv, (size_t)(argc + 2) * sizeof *argv);
			argv[argc++] = xstrdup(w.data ? w.data : "");
			argv[argc] = NULL;
		}
	}
	buf_free(&w);
	*argvp = argv;
	return argc;
}

void cmd_split_free(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* A raw_args command: argv[0] the name, argv[1] the rest as typed. */
static int cmd_split_raw(const char *line, char ***argvp)
{
	size_t n = strcspn(line, " \t");
	const char *rest = line + n + strspn(line + n, " \t");
	char **argv = xcalloc(3, sizeof *argv);
	int argc = 1;

	argv[0] = xmemdup(line, n);
	if (*rest)
		argv[argc++] = xstrdup(rest);
	*argvp = argv;
	return argc;
}

int cmd_execute(struct cmd_ctx *ctx, const char *line)
{
	char **argv = NULL;
	int argc, rc;
	const struct cmd_entry *e;

	line += strspn(line, " \t");
	e = cmd_find_raw(line);
	argc = e ? cmd_split_raw(line, &argv) : cmd_split(line, &argv);

	if (argc < 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("unbalanced double quote in \"%c%s\": close the quote"), CMD_PREFIX, line);
		return -1;
	}
	if (argc == 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("empty command: type %chelp for the list of local commands"), CMD_PREFIX);
		cmd_split_free(argc, argv);
		return -1;
	}
	e = cmd_find(argv[0]);
	if (e == NULL) {
		session_text(ctx->session, SESSION_ERROR,
			     _("unknown or ambiguous command \"%c%s\": type %chelp for the list (to send a line starting with \"%c\" to the server, double it)"),
			     CMD_PREFIX, argv[0], CMD_PREFIX, CMD_PREFIX);
		cmd_split_free(argc, argv);
		return -1;
	}
	if (argc - 1 < e->min_args || argc - 1 > e->max_args) {
		session_text(ctx->session, SESSION_ERROR, _("usage: %c%s%s%s (%s)"),
			     CMD_PREFIX, e->name, e->args[0] ? " " : "", e->args[0] ? _(e->args) : "",
			     _(e->summary));
		cmd_split_free(argc, argv);
		return -1;
	}
	if (e->needs_connection && !cmd_connected(ctx, e->name)) {
		cmd_split_free(argc, argv);
		return -1;
	}
	rc = e->run(ctx, argc, argv);
	cmd_split_free(argc, argv);
	return rc;
}

int cmd_fail(struct cmd_ctx *ctx, char *err, const char *fallback)
{
	session_text(ctx->session, SESSION_ERROR, "%s", err ? err : fallback);
	free(err);
	return -1;
}

void cmd_warn_lines(struct cmd_ctx *ctx, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		session_text(ctx->session, SESSION_WARN, "%.*s", (int)n, p);
		p += n + (nl != NULL);
	}
}

bool cmd_connected(struct cmd_ctx *ctx, const char *what)
{
	if (client_conn(ctx->client) == CLIENT_UP)
		return true;
	ctx->unconnected = true;
	session_text(ctx->session, SESSION_ERROR, _("not connected: %cconnect HOST[:PORT] first, then %c%s"),
		     CMD_PREFIX, CMD_PREFIX, what);
	return false;
}

bool cmd_switch(struct cmd_ctx *ctx, const char *name, int argc, char **argv, bool *flag)
{
	if (argc < 2)
		return true;
	if (util_strieq(argv[1], "on") || util_strieq(argv[1], "off")) {
		*flag = util_strieq(argv[1], "on");
		return true;
	}
	session_text(ctx->session, SESSION_ERROR, _("usage: %c%s on|off"), CMD_PREFIX, name);
	return false;
}

static int cmd_line(struct cmd_ctx *ctx, const char *line)
{
	if (line[0] == CMD_PREFIX && line[1] != CMD_PREFIX)
		return cmd_execute(ctx, line + 1);
	if (client_conn(ctx->client) != CLIENT_UP) {
		ctx->unconnected = true;
		session_text(ctx->session, SESSION_ERROR,
			     _("not connected, nothing sent: %cconnect HOST[:PORT] first"),
			     CMD_PREFIX);
		return -1;
	}
	/* "//x" sends "/x" to the server. */
	client_command(ctx->client, line[0] == CMD_PREFIX ? line + 1 : line);
	return 0;
}

int cmd_input(struct cmd_ctx *ctx, const char *line)
{
	int rc;

	ctx->unconnected = false;
	rc = cmd_line(ctx, line);
	/* A line refused because the server dropped the connection is the
	 * server's failure, which the exit status already tells. */
	if (rc < 0 && !(ctx->unconnected && client_failure(ctx->client) != CLIENT_FAIL_NONE))
		ctx->failures++;
	return rc;
}
