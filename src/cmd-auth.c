/* /auth [MECH [USER]] */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smtpscope/cmd.h"
#include "smtpscope/i18n.h"

/* /auth waits for its secret: the next input line. */
struct cmd_auth_pending {
	enum auth_mech mechs[AUTH_MECH__COUNT];
	size_t n;
	bool listed; /* MECH,MECH,...: in the order given */
	char *user;
};

void cmd_auth_pending_free(struct cmd_ctx *ctx)
{
	if (ctx->auth_pending) {
		free(ctx->auth_pending->user);
		free(ctx->auth_pending);
	}
	ctx->auth_pending = NULL;
}

/* The first line of a password file; warns when others may read it. */
static char *cmd_auth_read_file(struct cmd_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char line[4096];
	char *secret = NULL;

	if (f == NULL) {
		session_text(ctx->session, SESSION_ERROR, "--password-file %s: %s", path,
			     strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
		session_text(ctx->session, SESSION_WARN,
			     _("--password-file %s can be read by other users (chmod 600 it)"), path);
	if (fgets(line, sizeof line, f) != NULL) {
		util_chomp(line, strlen(line));
		secret = xstrdup(line);
	} else {
		session_text(ctx->session, SESSION_ERROR, _("--password-file %s is empty"), path);
	}
	memset(line, 0, sizeof line);
	fclose(f);
	return secret;
}

/* The secret from the options, or NULL: none given (*failed false) or
 * a source that does not work (*failed true, error recorded). */
static char *cmd_auth_secret_from_options(struct cmd_ctx *ctx, bool token, bool *failed)
{
	const struct cmd_auth_options *o = ctx->auth_opt;
	const char *var = o ? (token ? o->token_env : o->password_env) : NULL;
	const char *v;

	*failed = false;
	if (o && token && o->token)
		return xstrdup(o->token);
	if (var) {
		if ((v = getenv(var)) == NULL) {
			session_text(ctx->session, SESSION_ERROR, _("%s: the environment variable %s is not set"),
				     token ? "--token-env" : "--password-env", var);
			*failed = true;
			return NULL;
		}
		return xstrdup(v);
	}
	if (o && !token && o->password_file) {
		char *s = cmd_auth_read_file(ctx, o->password_file);
		*failed = s == NULL;
		return s;
	}
	return NULL;
}

/* The mechanisms /auth alone tries: what the server lists, strongest
 * first; XOAUTH2 alone when a token was given and it is listed. */
static size_t cmd_auth_plan(struct cmd_ctx *ctx, enum auth_mech *out)
{
	const struct caps *caps = smtp_caps(client_smtp(ctx->client));
	const enum auth_mech *order;
	size_t n, i, k = 0;

	if (ctx->auth_opt && (ctx->auth_opt->token || ctx->auth_opt->token_env) &&
	    caps_has_auth(caps, "XOAUTH2")) {
		out[0] = AUTH_XOAUTH2;
		return 1;
	}
	order = auth_mech_order(&n);
	for (i = 0; i < n; i++)
		if (caps_has_auth(caps, auth_mech_name(order[i])))
			out[k++] = order[i];
	return k;
}

/* MECH,MECH,...: those the server lists, in the order given (swaks'
 * --auth LIST); 0 after saying why there are none. */
static size_t cmd_auth_list(struct cmd_ctx *ctx, const char *list, enum auth_mech *out)
{
	const struct caps *caps = smtp_caps(client_smtp(ctx->client));
	char *copy = xstrdup(list), *save = NULL;
	size_t k = 0;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		enum auth_mech m;
		bool dup = false;

		if (!auth_mech_parse(w, &m)) {
			session_text(ctx->session, SESSION_ERROR,
				     _("unknown mechanism \"%s\": smtpscope speaks PLAIN, LOGIN, CRAM-MD5, "
				       "XOAUTH2, SCRAM-SHA-1 and SCRAM-SHA-256"), w);
			free(copy);
			return 0;
		}
		for (size_t i = 0; i < k; i++)
			dup |= out[i] == m;
		if (!dup && k < AUTH_MECH__COUNT && caps_has_auth(caps, auth_mech_name(m)))
			out[k++] = m;
	}
	free(copy);
	if (k == 0)
		session_text(ctx->session, SESSION_ERROR,
			     _("the server advertised none of %s (send EHLO first; many servers offer "
			       "AUTH only after STARTTLS)"), list);
	return k;
}

static void cmd_auth_go(struct cmd_ctx *ctx, const enum auth_mech *mechs, size_t n,
			bool listed, const char *user, const char *secret)
{
	struct buf names;
	size_t i;

	buf_init(&names);
	for (i = 0; i < n; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", auth_mech_name(mechs[i]));
	if (n > 1 && listed)
		session_text(ctx->session, SESSION_NOTE,
			     _("/auth: the server offers %s of those named; trying them in that order, "
			       "the next one only after 504 or 534"), names.data);
	else if (n > 1)
		session_text(ctx->session, SESSION_NOTE,
			     _("/auth: the server offers %s; trying them strongest first, the next one "
			       "only after 504 or 534"), names.data);
	buf_free(&names);
	client_auth(ctx->client, mechs, n, user, secret);
}

int cmd_auth_secret(struct cmd_ctx *ctx, const char *secret)
{
	struct cmd_auth_pending *p = ctx->auth_pending;

	if (p == NULL)
		return -1;
	ctx->auth_pending = NULL;
	cmd_auth_go(ctx, p->mechs, p->n, p->listed, p->user, secret);
	free(p->user);
	free(p);
	return 0;
}

static int cmd_auth_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum auth_mech mechs[AUTH_MECH__COUNT];
	const char *user = argc > 2 ? argv[2] : ctx->auth_opt ? ctx->auth_opt->user : NULL;
	size_t n;
	bool failed, listed = argc > 1 && strchr(argv[1], ',');
	char *secret;

	if (listed) {
		if ((n = cmd_auth_list(ctx, argv[1], mechs)) == 0)
			return -1;
	} else if (argc > 1) {
		if (!auth_mech_parse(argv[1], &mechs[0])) {
			session_text(ctx->session, SESSION_ERROR,
				     _("unknown mechanism \"%s\": smtpscope speaks PLAIN, LOGIN, CRAM-MD5, "
				       "XOAUTH2, SCRAM-SHA-1 and SCRAM-SHA-256"), argv[1]);
			return -1;
		}
		n = 1;
	} else if ((n = cmd_auth_plan(ctx, mechs)) == 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("the server advertised no AUTH mechanism smtpscope speaks (send EHLO first; "
			       "many servers offer AUTH only after STARTTLS); name one: %cauth MECH USER"),
			     CMD_PREFIX);
		return -1;
	}
	if (user == NULL) {
		session_text(ctx->session, SESSION_ERROR,
			     _("no user name: %cauth MECH USER, or --auth-user USER"), CMD_PREFIX);
		return -1;
	}
	secret = cmd_auth_secret_from_options(ctx, auth_mech_is_token(mechs[0]), &failed);
	if (failed)
		return -1;
	if (secret) {
		cmd_auth_go(ctx, mechs, n, listed, user, secret);
		auth_secret_free(secret);
		return 0;
	}
	cmd_auth_pending_free(ctx);
	ctx->auth_pending = xcalloc(1, sizeof *ctx->auth_pending);
	memcpy(ctx->auth_pending->mechs, mechs, n * sizeof mechs[0]);
	ctx->auth_pending->n = n;
	ctx->auth_pending->listed = listed;
	ctx->auth_pending->user = xstrdup(user);
	session_text(ctx->session, SESSION_NOTE,
		     _("%s for \"%s\": the next input line is taken as the %s; it is not shown, "
		       "sent as typed, or stored"),
		     argc > 1 ? auth_mech_name(mechs[0]) : "/auth", user,
		     auth_mech_is_token(mechs[0]) ? _("OAuth token") : _("password"));
	return 0;
}

const struct cmd_entry cmd_auth_entry = {
	.name = "auth",
	.args = N_("[MECH[,MECH...] [USER]]"),
	.summary = N_("authenticate (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, SCRAM-SHA-1/256)"),
	.help = N_("Runs the whole AUTH exchange (RFC 4954): the initial response where the "
		"mechanism allows it, each 334 challenge shown decoded and answered, SCRAM's "
		"server signature checked. Without MECH it tries what the server advertised, "
		"strongest first; MECH,MECH,... tries those of them the server advertised, in "
		"that order. USER defaults to --auth-user. The password comes from "
		"--password-env VAR or --password-file FILE, else it is asked for: the next "
		"line typed (masked, never in the history) or read in line mode. XOAUTH2 takes "
		"a token (--token, --token-env VAR, or the next line). The transcript shows "
		"AUTH PLAIN <redacted: user \"alice\"> unless --show-secrets; a warning comes "
		"first when the connection has no TLS."),
	.complete = CMD_COMPLETE_AUTH,
	.min_args = 0,
	.max_args = 2,
	.run = cmd_auth_run,
	.needs_connection = true,
};
