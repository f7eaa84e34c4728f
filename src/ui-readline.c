/* ui-readline: GNU readline as a line editor inside curses, the way gdb's
 * TUI does it: the callback interface, fed one key's bytes at a time
 * through rl_getc_function; our rl_redisplay_function draws the line; no
 * signals, no terminal preparation, stray output to /dev/null.  Also
 * completion (shown on the status bar, never readline's pager) and the
 * history file, which never receives secrets. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UI_LIB_READLINE
#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/ui.h"
#include "smtpscope/i18n.h"

#define UI_RL_HISTORY_MAX 1000

static struct ui *ui_rl;           /* readline callbacks carry no context */
static unsigned char ui_rl_q[64];  /* bytes of the key being fed */
static size_t ui_rl_qhead, ui_rl_qlen;
static FILE *ui_rl_null;
static char *ui_rl_history;
static const char *const *ui_rl_cands;
static char **ui_rl_owned;         /* candidates built for this completion */

static int ui_rl_getc(FILE *f)
{
	(void)f;
	if (ui_rl_qlen == 0)
		return 0; /* not reached: we only call readline with input queued */
	ui_rl_qlen--;
	return ui_rl_q[ui_rl_qhead++];
}

static int ui_rl_available(void)
{
	return ui_rl_qlen > 0;
}

static void ui_rl_redisplay(void)
{
	if (ui_rl)
		ui_rl->dirty = true;
}

static void ui_rl_prep(int meta)
{
	(void)meta;
}

static void ui_rl_deprep(void)
{
}

void ui_rl_feed(const char *bytes, size_t n)
{
	if (n > sizeof ui_rl_q)
		n = sizeof ui_rl_q;
	memcpy(ui_rl_q, bytes, n);
	ui_rl_qhead = 0;
	ui_rl_qlen = n;
	buf_clear(&ui_rl->matches);
	while (ui_rl_qlen > 0)
		rl_callback_read_char();
}

/* ---- history -------------------------------------------------------- */

static char *ui_rl_history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir, *path;

	if (xdg && xdg[0] == '/')
		dir = xasprintf("%s/smtpscope", xdg);
	else if (home && home[0])
		dir = xasprintf("%s/.local/state/smtpscope", home);
	else
		return NULL;
	/* mkdir -p, private. */
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				free(dir);
				return NULL;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	path = xasprintf("%s/history", dir);
	free(dir);
	return path;
}

static void ui_rl_history_open(void)
{
	int fd;

	ui_rl_history = ui_rl_history_path();
	if (ui_rl_history == NULL)
		return;
	fd = open(ui_rl_history, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(ui_rl_history);
		ui_rl_history = NULL;
		return;
	}
	close(fd);
	read_history(ui_rl_history);
}

/* Secrets: SASL responses (after a 334, or typed while AUTH waits for its
 * reply) and the initial response of "AUTH MECH RESPONSE". */
static bool ui_rl_secret(const char *line)
{
	const struct smtp *s = client_smtp(ui_rl->f.client);
	const struct smtp_pending *p = smtp_pending_peek(s);
	enum smtp_verb v;

	if (smtp_state(s) == SMTP_AUTH || ui_rl->f.ctx.auth_pending)
		return true; /* a SASL line, or the password /auth waits for */
	if (front_queued_secret(&ui_rl->f))
		return true; /* typed ahead of an /auth or AUTH still queued */
	if (p && (p->verb == SMTP_V_AUTH || p->verb == SMTP_V_AUTH_RESPONSE))
		return true;
	v = smtp_verb_of(line);
	return v == SMTP_V_AUTH || v == SMTP_V_AUTH_RESPONSE;
}

static void ui_rl_remember(const char *line)
{
	char **argv = NULL, *safe = NULL;
	int argc = 0;

	if (line[0] == '\0' || front_in_message(&ui_rl->f))
		return;
	if (!ui_rl_secret(line)) {
		safe = xstrdup(line);
	} else if (line[0] == CMD_PREFIX && util_istarts(line + 1, "auth") &&
		   !ui_rl->f.ctx.auth_pending) {
		safe = xstrdup(line); /* /auth itself holds no secret */
	} else if (smtp_verb_of(line) == SMTP_V_AUTH && (argc = cmd_split(line, &argv)) >= 2) {
		safe = xasprintf("%s %s", argv[0], argv[1]); /* "AUTH MECH", never more */
	}
	if (argc > 0)
		cmd_split_free(argc, argv);
	if (safe == NULL)
		return;
	add_history(safe);
	free(safe);
	if (ui_rl_history)
		append_history(1, ui_rl_history);
}

/* ---- lines ---------------------------------------------------------- */

static bool ui_rl_is_help(const char *line)
{
	char **argv = NULL;
	int argc;
	bool help;

	if (line[0] != CMD_PREFIX || line[1] == CMD_PREFIX)
		return false;
	argc = cmd_split(line + 1, &argv);
	help = argc == 1 && cmd_find(argv[0]) == &cmd_help_entry;
	if (argc >= 0)
		cmd_split_free(argc, argv);
	return help;
}

static void ui_rl_on_line(char *line)
{
	if (line == NULL) {
		ui_quit(ui_rl);
		return;
	}
	ui_rl_remember(line);
	if (!front_in_message(&ui_rl->f) && ui_rl_is_help(line))
		ui_request_help(ui_rl, true);
	else
		front_queue_line(&ui_rl->f, line);
	free(line);
	ui_rl->dirty = true;
}

void ui_rl_clear_line(void)
{
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	buf_clear(&ui_rl->matches);
	ui_rl->dirty = true;
}

bool ui_rl_line_empty(void)
{
	return rl_end == 0;
}

/* ---- completion ----------------------------------------------------- */

static char *ui_rl_generate(const char *text, int state)
{
	static size_t i, len;

	if (state == 0) {
		i = 0;
		len = strlen(text);
	}
	while (ui_rl_cands && ui_rl_cands[i]) {
		const char *c = ui_rl_cands[i++];

		if (util_strnieq(c, text, len))
			return xstrdup(c);
	}
	return NULL;
}

static void ui_rl_owned_free(void)
{
	for (size_t i = 0; ui_rl_owned && ui_rl_owned[i]; i++)
		free(ui_rl_owned[i]);
	free(ui_rl_owned);
	ui_rl_owned = NULL;
}

static void ui_rl_owned_add(size_t *n, char *s)
{
	ui_rl_owned = xrealloc(ui_rl_owned, (*n + 2) * sizeof *ui_rl_owned);
	ui_rl_owned[(*n)++] = s;
	ui_rl_owned[*n] = NULL;
}

/* The domains of the addresses sent in MAIL FROM and RCPT TO so far,
 * each once, for /mx and /connect --mx. */
static void ui_rl_cands_domains(void)
{
	const struct session *s = ui_rl->f.session;
	size_t k = 0, n = session_count(s);

	for (size_t i = 0; i < n; i++) {
		const struct session_event *ev = session_get(s, i);
		const char *at, *end;
		char *d;
		bool seen = false;

		if (ev->kind != SESSION_SENT || ev->raw == NULL ||
		    (!util_istarts(ev->raw, "MAIL FROM:") && !util_istarts(ev->raw, "RCPT TO:")))
			continue;
		end = memchr(ev->raw, '>', ev->raw_len);
		at = end ? memchr(ev->raw, '@', (size_t)(end - ev->raw)) : NULL;
		if (at == NULL || at + 1 == end)
			continue;
		d = util_escape_dup(at + 1, (size_t)(end - at - 1));
		for (size_t j = 0; j < k && !seen; j++)
			seen = util_strieq(ui_rl_owned[j], d);
		if (seen)
			free(d);
		else
			ui_rl_owned_add(&k, d);
	}
}

/* Local commands ("/help"), or names alone for /help's argument. */
static void ui_rl_cands_commands(bool prefix)
{
	size_t n, k = 0;
	const struct cmd_entry *const *t = cmd_table(&n);

	for (size_t i = 0; i < n; i++)
		ui_rl_owned_add(&k, xasprintf("%s%s", prefix ? "/" : "", t[i]->name));
}

/* The SMTP verbs, from the verb table ("MAIL FROM:", "EHLO" ...). */
static void ui_rl_cands_verbs(void)
{
	size_t k = 0;
	enum smtp_verb v;

	for (size_t i = 0; verb_nth(VERB_COMPLETE, i, &v); i++)
		ui_rl_owned_add(&k, xstrdup(verb_info(v)->complete));
}

static void ui_rl_cands_codes(void)
{
	size_t k = 0;

	for (int c = 200; c < 600; c++)
		if (kb_code(ui_rl->opt->print.kb, c))
			ui_rl_owned_add(&k, xasprintf("%d", c));
}

static void ui_rl_cands_auth(void)
{
	const struct cap *c = caps_find(smtp_caps(client_smtp(ui_rl->f.client)), "AUTH");
	size_t k = 0;

	for (size_t i = 0; c && i < c->argc; i++)
		ui_rl_owned_add(&k, util_escape_dup(c->argv[i], strlen(c->argv[i])));
	if (k == 0)
		for (const char *const *m = (const char *const[]){ "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", NULL }; *m; m++)
			ui_rl_owned_add(&k, xstrdup(*m));
}

/* MAIL and RCPT parameters (RFC 1870, 6152, 3030, 6531, 3461, 8689, 4954)
 * for the extensions the server advertised; all of them before EHLO, as a
 * debugger lets you send what the server did not offer. */
static void ui_rl_cands_params(bool mail)
{
	static const struct { bool mail; enum cap_id cap; const char *param; } params[] = {
		{ true, CAP_SIZE, "SIZE=" }, { true, CAP_8BITMIME, "BODY=8BITMIME" },
		{ true, CAP_BINARYMIME, "BODY=BINARYMIME" }, { true, CAP_8BITMIME, "BODY=7BIT" },
		{ true, CAP_SMTPUTF8, "SMTPUTF8" }, { true, CAP_DSN, "RET=FULL" },
		{ true, CAP_DSN, "RET=HDRS" }, { true, CAP_DSN, "ENVID=" },
		{ true, CAP_REQUIRETLS, "REQUIRETLS" }, { true, CAP_AUTH, "AUTH=<>" },
		{ false, CAP_DSN, "NOTIFY=NEVER" }, { false, CAP_DSN, "NOTIFY=SUCCESS,FAILURE,DELAY" },
		{ false, CAP_DSN, "NOTIFY=FAILURE" }, { false, CAP_DSN, "ORCPT=rfc822;" },
	};
	const struct caps *caps = smtp_caps(client_smtp(ui_rl->f.client));
	size_t k = 0;

	for (size_t i = 0; i < UTIL_ARRAY_LEN(params); i++)
		if (params[i].mail == mail && (!caps->valid || caps_has(caps, params[i].cap)))
			ui_rl_owned_add(&k, xstrdup(params[i].param));
}

/* The verbs, and the commands the server's extensions add (ETRN, BDAT,
 * STARTTLS, AUTH, VRFY ...) come from the same list. */
static char **ui_rl_complete(const char *text, int start, int end)
{
	char first[32] = "";
	const struct cmd_entry *e = NULL;
	enum smtp_verb fv;
	char **m;

	(void)end;
	rl_attempted_completion_over = 1;
	rl_completion_append_character = ' ';
	ui_rl_owned_free();
	ui_rl_cands = NULL;
	sscanf(rl_line_buffer, "%31s", first);
	fv = smtp_verb_of(first);
	if (first[0] == CMD_PREFIX && start > 0)
		e = cmd_find(first + 1);
	if (start == 0 && text[0] == CMD_PREFIX) {
		ui_rl_cands_commands(true);
	} else if (start == 0) {
		ui_rl_cands_verbs();
	} else if (e && e->complete == CMD_COMPLETE_FILE) {
		return rl_completion_matches(text, rl_filename_completion_function);
	} else if (e && e->complete == CMD_COMPLETE_COMMAND) {
		ui_rl_cands_commands(false);
	} else if (e && e->complete == CMD_COMPLETE_WORDS && e->words &&
		   strspn(rl_line_buffer + strlen(first), " \t") + strlen(first) == (size_t)start) {
		ui_rl_cands = e->words;
	} else if (e && (e->complete == CMD_COMPLETE_DOMAIN ||
			 e->complete_next == CMD_COMPLETE_DOMAIN)) {
		ui_rl_cands_domains();
	} else if (e && e->complete == CMD_COMPLETE_CODE) {
		ui_rl_cands_codes();
	} else if (fv == SMTP_V_AUTH) {
		ui_rl_cands_auth();
	} else if ((fv == SMTP_V_MAIL || fv == SMTP_V_RCPT) &&
		   strchr(rl_line_buffer, '>') && rl_line_buffer + start > strchr(rl_line_buffer, '>')) {
		ui_rl_cands_params(fv == SMTP_V_MAIL);
		rl_completion_append_character = '\0';
	} else if (fv == SMTP_V_MAIL || fv == SMTP_V_RCPT) {
		ui_rl_cands = fv == SMTP_V_MAIL ? (const char *const[]){ "FROM:", NULL }
							  : (const char *const[]){ "TO:", NULL };
	}
	if (ui_rl_owned)
		ui_rl_cands = (const char *const *)ui_rl_owned;
	m = rl_completion_matches(text, ui_rl_generate);
	if (m && m[1] == NULL && m[0][0] && strchr(":=;", m[0][strlen(m[0]) - 1]))
		rl_completion_append_character = '\0';
	else if (m && m[1] == NULL && strchr(rl_line_buffer, '>') && start > 0 &&
		 (fv == SMTP_V_MAIL || fv == SMTP_V_RCPT))
		rl_completion_append_character = ' ';
	return m;
}

static void ui_rl_show_matches(char **matches, int num, int max)
{
	(void)max;
	buf_clear(&ui_rl->matches);
	buf_printf(&ui_rl->matches, _("%d matches:"), num);
	for (int i = 1; i <= num; i++) {
		buf_addc(&ui_rl->matches, ' ');
		buf_adds(&ui_rl->matches, matches[i]);
	}
	ui_rl->dirty = true;
}

/* ---- set-up and drawing --------------------------------------------- */

void ui_rl_init(struct ui *ui)
{
	ui_rl = ui;
	ui_rl_null = fopen("/dev/null", "w");
	rl_readline_name = "smtpscope";
	/* Words are separated by blanks only: "SIZE=", "NOTIFY=..." and
	 * "<a@b>" are single words of an SMTP line. */
	rl_completer_word_break_characters = (char *)" \t";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = ui_rl_prep;
	rl_deprep_term_function = ui_rl_deprep;
	rl_getc_function = ui_rl_getc;
	rl_input_available_hook = ui_rl_available;
	rl_redisplay_function = ui_rl_redisplay;
	rl_outstream = ui_rl_null;
	rl_attempted_completion_function = ui_rl_complete;
	rl_completion_display_matches_hook = ui_rl_show_matches;
	using_history();
	stifle_history(UI_RL_HISTORY_MAX);
	ui_rl_history_open();
	/* Matches go to the status bar, which costs nothing to show: list
	 * them on the first Tab.  Set before readline reads the user's
	 * inputrc, so a setting there still wins. */
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_callback_handler_install("", ui_rl_on_line);
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("page-completions", "off");
	rl_variable_bind("completion-ignore-case", "on");
}

void ui_rl_free(void)
{
	rl_callback_handler_remove();
	if (ui_rl_history)
		history_truncate_file(ui_rl_history, UI_RL_HISTORY_MAX);
	clear_history();
	ui_rl_owned_free();
	free(ui_rl_history);
	ui_rl_history = NULL;
	if (ui_rl_null)
		fclose(ui_rl_null);
	ui_rl_null = NULL;
	ui_rl = NULL;
}

/* Prompt, then the line scrolled so the cursor stays in view; columns
 * come from wcwidth, so wide characters keep the cursor in place. */
void ui_rl_draw(struct ui *ui, int y, int w)
{
	bool msg = front_in_message(&ui->f), secret = ui->f.ctx.auth_pending != NULL;
	const char *prompt = secret ? _("password (hidden): ") : msg ? _("[message] ") : "smtp> ";
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	char masked[64];
	size_t point = (size_t)rl_point, hs = 0, i;
	int pw, room, cw, col = 0, cur;
	bool ok;

	move(y, 0);
	clrtoeol();
	pw = ui_draw_text(y, 0, w, prompt, strlen(prompt),
			  msg ? ui_term_attr_pair(ui, UI_P_MSG) | A_BOLD | A_REVERSE : A_BOLD);
	room = w - pw - 1;
	if (room < 1)
		return;
	/* Drop characters from the left until the cursor fits. */
	for (;;) {
		for (col = 0, i = hs; i < point;) {
			i += ui_text_char(line + i, point - i, &cw, &ok);
			col += cw;
		}
		if (col <= room || hs >= point)
			break;
		hs += ui_text_char(line + hs, point - hs, &cw, &ok);
	}
	cur = col;
	if (secret) {
		/* Masked: one "*" per byte, at most a few, so neither the
		 * password nor its length shows. */
		size_t k = strlen(line) < 8 ? strlen(line) : 8;
		memset(masked, '*', k);
		ui_draw_text(y, pw, room, masked, k, 0);
		move(y, pw + (int)k);
		return;
	}
	ui_draw_text(y, pw, room, line + hs, strlen(line + hs), 0);
	move(y, pw + cur);
}
