/* /compose [-f FROM] [-t TO]... [-s SUBJECT] [-b FILE] [-a FILE]... [--bdat] [--send]
 * /compose send */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "smtpscope/cmd.h"
#include "smtpscope/compose.h"
#include "smtpscope/i18n.h"

/* Files larger than this are not read into a message. */
#define CMD_COMPOSE_MAX_FILE (64L * 1024 * 1024)
/* Lines of the message shown for review; the rest is counted. */
#define CMD_COMPOSE_SHOW_LINES 60
#define CMD_COMPOSE_MAX_TO 32
#define CMD_COMPOSE_MAX_ATTACH 16

/* The message shown last, until it is sent or replaced. */
struct cmd_compose {
	struct buf msg;
	bool bdat;
};

void cmd_compose_free(struct cmd_ctx *ctx)
{
	if (ctx->compose) {
		buf_free(&ctx->compose->msg);
		free(ctx->compose);
	}
	ctx->compose = NULL;
}

/* A whole file into b; false with an error recorded. */
static bool cmd_compose_read(struct cmd_ctx *ctx, const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		session_text(ctx->session, SESSION_ERROR, _("cannot open %s: %s"), path, strerror(errno));
		return false;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(b, chunk, n);
		if (b->len > (size_t)CMD_COMPOSE_MAX_FILE) {
			session_text(ctx->session, SESSION_ERROR, _("%s is over %ld octets: not composed"),
				     path, CMD_COMPOSE_MAX_FILE);
			fclose(f);
			return false;
		}
	}
	if (ferror(f)) {
		session_text(ctx->session, SESSION_ERROR, _("reading %s failed"), path);
		fclose(f);
		return false;
	}
	fclose(f);
	return true;
}

/* Time and randomness for Message-ID and boundary. */
void cmd_compose_unique(char *out, size_t n)
{
	unsigned char r[9];
	size_t i, off;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		memset(r, 0, sizeof r);
	off = (size_t)snprintf(out, n, "%lld.", (long long)time(NULL));
	for (i = 0; i < sizeof r && off + 2 < n; i++, off += 2)
		snprintf(out + off, n - off, "%02x", r[i]);
}

/* The message in the transcript for review: its first lines. */
static void cmd_compose_show(struct cmd_ctx *ctx, const struct buf *m, bool bdat)
{
	struct buf t;
	size_t lines = 0, shown = 0, i;

	buf_init(&t);
	for (i = 0; i < m->len; i++) {
		if (m->data[i] == '\n') {
			lines++;
			continue;
		}
		if (lines < CMD_COMPOSE_SHOW_LINES && m->data[i] != '\r')
			buf_addc(&t, m->data[i]);
		if (lines < CMD_COMPOSE_SHOW_LINES && i + 1 < m->len && m->data[i + 1] == '\n') {
			buf_addc(&t, '\n');
			shown++;
		}
	}
	session_text(ctx->session, SESSION_NOTE,
		     _("composed message, %zu octets, %zu lines (%ccompose send sends it with %s):\n%.*s"),
		     m->len, lines, CMD_PREFIX, bdat ? "BDAT" : "DATA",
		     (int)(t.len > 0 ? t.len - 1 : 0), t.data ? t.data : "");
	if (lines > shown)
		session_text(ctx->session, SESSION_NOTE, _("(%zu more lines not shown)"), lines - shown);
	buf_free(&t);
}

static int cmd_compose_send(struct cmd_ctx *ctx)
{
	struct cmd_compose *c = ctx->compose;
	bool bdat;

	if (c == NULL) {
		session_text(ctx->session, SESSION_ERROR,
			     _("no composed message: %ccompose -t ADDR -s SUBJECT ... first"), CMD_PREFIX);
		return -1;
	}
	if (!cmd_connected(ctx, "compose send"))
		return -1;
	bdat = c->bdat && caps_has(smtp_caps(client_smtp(ctx->client)), CAP_CHUNKING);
	if (c->bdat && !bdat)
		session_text(ctx->session, SESSION_NOTE,
			     _("the server did not advertise CHUNKING: sending the message with DATA"));
	client_send_composed(ctx->client, c->msg.data, c->msg.len, _("composed message"), bdat);
	cmd_compose_free(ctx);
	return 0;
}

struct cmd_compose_args {
	const char *from, *subject, *body;
	const char *to[CMD_COMPOSE_MAX_TO];
	const char *attach[CMD_COMPOSE_MAX_ATTACH];
	size_t nto, nattach;
	bool bdat, send;
};

/* Returns false with an error recorded. */
static bool cmd_compose_parse(struct cmd_ctx *ctx, int argc, char **argv, struct cmd_compose_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (strcmp(o, "--bdat") == 0) {
			a->bdat = true, takes = false;
		} else if (strcmp(o, "--send") == 0) {
			a->send = true, takes = false;
		} else if (v == NULL) {
			break;
		} else if (strcmp(o, "-f") == 0 || strcmp(o, "--from") == 0) {
			a->from = v;
		} else if (strcmp(o, "-s") == 0 || strcmp(o, "--subject") == 0) {
			a->subject = v;
		} else if (strcmp(o, "-b") == 0 || strcmp(o, "--body") == 0) {
			a->body = v;
		} else if ((strcmp(o, "-t") == 0 || strcmp(o, "--to") == 0) && a->nto < CMD_COMPOSE_MAX_TO) {
			a->to[a->nto++] = v;
		} else if ((strcmp(o, "-a") == 0 || strcmp(o, "--attach") == 0) &&
			   a->nattach < CMD_COMPOSE_MAX_ATTACH) {
			a->attach[a->nattach++] = v;
		} else {
			break;
		}
		if (takes)
			i++;
		if (i + 1 == argc)
			return true;
	}
	if (argc == 1)
		return true;
	session_text(ctx->session, SESSION_ERROR,
		     _("usage: %ccompose [-f FROM] [-t TO]... [-s SUBJECT] [-b BODY-FILE] [-a FILE]... "
		       "[--bdat] [--send] (at most %d -t and %d -a), or %ccompose send"),
		     CMD_PREFIX, CMD_COMPOSE_MAX_TO, CMD_COMPOSE_MAX_ATTACH, CMD_PREFIX);
	return false;
}

static int cmd_compose_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cmd_compose_args a = { 0 };
	struct compose_options o = { 0 };
	struct compose_part parts[CMD_COMPOSE_MAX_ATTACH];
	struct buf files[CMD_COMPOSE_MAX_ATTACH + 1];
	const struct smtp *smtp = client_smtp(ctx->client);
	char unique[64];
	size_t i, nfiles = 0;
	bool ok = true;

	if (argc == 2 && strcmp(argv[1], "send") == 0)
		return cmd_compose_send(ctx);
	if (!cmd_compose_parse(ctx, argc, argv, &a))
		return -1;
	o.from = a.from ? a.from : smtp_mail_from(smtp);
	if (o.from == NULL || o.from[0] == '\0')
		o.from = "smtpscope@smtpscope.invalid";
	o.to = a.to;
	o.nto = a.nto ? a.nto : smtp_rcpt_accepted(smtp, a.to, CMD_COMPOSE_MAX_TO);
	if (o.nto > CMD_COMPOSE_MAX_TO)
		o.nto = CMD_COMPOSE_MAX_TO;
	if (o.nto == 0) {
		session_text(ctx->session, SESSION_ERROR,
			     _("no recipient: give -t ADDR (or have a RCPT accepted first)"));
		return -1;
	}
	o.subject = a.subject;
	for (i = 0; i <= a.nattach; i++)
		buf_init(&files[i]);
	if (a.body) {
		ok = cmd_compose_read(ctx, a.body, &files[nfiles]);
		o.body = files[nfiles].data ? files[nfiles].data : "";
		o.body_len = files[nfiles++].len;
	}
	for (i = 0; ok && i < a.nattach; i++, nfiles++) {
		const char *slash = strrchr(a.attach[i], '/');

		ok = cmd_compose_read(ctx, a.attach[i], &files[nfiles]);
		parts[i].name = slash ? slash + 1 : a.attach[i];
		parts[i].data = files[nfiles].data ? files[nfiles].data : "";
		parts[i].len = files[nfiles].len;
	}
	if (ok) {
		o.parts = parts;
		o.nparts = a.nattach;
		o.date = time(NULL);
		cmd_compose_unique(unique, sizeof unique);
		o.unique = unique;
		cmd_compose_free(ctx);
		ctx->compose = xcalloc(1, sizeof *ctx->compose);
		buf_init(&ctx->compose->msg);
		compose_message(&o, &ctx->compose->msg);
		ctx->compose->bdat = a.bdat;
		cmd_compose_show(ctx, &ctx->compose->msg, a.bdat);
	}
	for (i = 0; i <= a.nattach; i++)
		buf_free(&files[i]);
	if (!ok)
		return -1;
	return a.send ? cmd_compose_send(ctx) : 0;
}

const struct cmd_entry cmd_compose_entry = {
	.name = "compose",
	.args = N_("[-f FROM] [-t TO]... [-s SUBJECT] [-b FILE] [-a FILE]... [--bdat] [--send] | send"),
	.summary = N_("build a test message, show it, send it with /compose send"),
	.help = N_("Builds a standards-conforming message: Date, Message-ID, From (default: "
		"the MAIL FROM sent), To (default: the recipients accepted), Subject (non-ASCII "
		"text encoded per RFC 2047), MIME-Version; the body from FILE (-b; ASCII as "
		"7bit, anything else base64) and each -a FILE as a base64 attachment in a "
		"multipart/mixed. It is shown in the transcript; \"/compose send\" (or --send) "
		"sends it with DATA, or with BDAT when --bdat was given and the server offers "
		"CHUNKING."),
	.complete = CMD_COMPLETE_FILE,
	.min_args = 0,
	.max_args = CMD_MAX_ARGS,
	.run = cmd_compose_run,
};
