/* ui-probe: `smtpscope probe` at a terminal (ui.h).  The probe engine
 * hands over its line-mode output line by line (probe_options.line); the
 * lines are kept and the panes drawn from the bottom: the steps in the
 * session pane, the result in the explanation pane.  The keyboard is
 * watched on the probe's own loop, so q or F10 answers during a wait. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/i18n.h"
#include "smtpscope/probe.h"
#include "smtpscope/ui.h"
#include "smtpscope/util.h"

struct uip_lines {
	char **l;
	size_t n, cap;
};

struct uip {
	struct ui *ui;            /* for the colours of ui_term_start */
	bool started, quit, done;
	struct loop *loop;
	struct uip_lines steps, result;
	char *wait;               /* the latest long-wait note, or NULL */
	size_t back;              /* the session pane scrolled back, in lines */
};

static void uip_add(struct uip_lines *ls, const char *text)
{
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 64;
		ls->l = xrealloc(ls->l, ls->cap * sizeof *ls->l);
	}
	ls->l[ls->n++] = xstrdup(text);
}

static void uip_free_lines(struct uip_lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->l[i]);
	free(ls->l);
}

/* The colour of a line, by the marker the probe's lines carry. */
static int uip_attr(const struct uip *u, const char *l)
{
	const char *m = l;

	if (*m == '[' && (m = strstr(l, "] ")) != NULL)
		m += 2;
	else
		m = l;
	while (*m == '(' && strchr(m, ')'))
		m = strchr(m, ')') + 1;
	while (*m == ' ')
		m++;
	if (!u->ui->color)
		return strncmp(m, "!!!", 3) == 0 || strncmp(m, "***", 3) == 0 ? A_BOLD : 0;
	if (strncmp(m, "!!!", 3) == 0)
		return ui_term_attr_pair(u->ui, UI_P_WARN);
	if (strncmp(m, "***", 3) == 0)
		return ui_term_attr_pair(u->ui, UI_P_ERROR);
	if (strncmp(m, "<-", 2) == 0 || strncmp(m, "<~", 2) == 0) {
		m += 2;
		while (*m == ' ')
			m++;
		return *m >= '2' && *m <= '5' ? ui_term_attr_pair(u->ui, ui_term_class_pair(*m - '0')) : 0;
	}
	if (strncmp(m, "===", 3) == 0 || *m == '#')
		return ui_term_attr_pair(u->ui, UI_P_NOTE);
	return 0;
}

/* Rows [y, y + h) drawn with the lines of ls that fit, wrapped, the
 * last one drawn being the one `back` lines before the end. */
static void uip_pane(const struct uip *u, const struct uip_lines *ls, size_t back, int y, int h)
{
	int row = y + h;

	for (size_t i = ls->n > back ? ls->n - back : 0; i-- > 0 && row > y;) {
		const char *s = ls->l[i];
		size_t n = strlen(s);
		int rows = (int)ui_text_rows(s, n, COLS);
		size_t at = 0;

		if (rows < 1)
			rows = 1;
		row -= rows;
		/* each row of the wrapped line, from its start */
		for (int r = 0; r < rows && at <= n; r++) {
			int cw;
			bool ok;
			size_t start = at;
			int col = 0;

			while (at < n) {
				size_t k = ui_text_char(s + at, n - at, &cw, &ok);

				if (col + cw > COLS)
					break;
				col += cw;
				at += k;
			}
			if (row + r >= y)
				ui_draw_text(row + r, 0, COLS, s + start, at - start, uip_attr(u, s));
			if (at == start)
				break;
		}
	}
}

static void uip_title(int y, const char *text)
{
	attron(A_REVERSE);
	move(y, 0);
	hline(' ', COLS);
	ui_draw_text(y, 1, COLS - 1, text, strlen(text), A_REVERSE);
	attroff(A_REVERSE);
}

/* Screen rows the lines take, wrapped. */
static int uip_rows(const struct uip_lines *ls)
{
	int rows = 0;

	for (size_t i = 0; i < ls->n; i++) {
		int r = (int)ui_text_rows(ls->l[i], strlen(ls->l[i]), COLS);

		rows += r < 1 ? 1 : r;
	}
	return rows;
}

static void uip_draw(struct uip *u)
{
	int res_h, ses_h;

	if (!u->started)
		return;
	erase();
	/* the explanation pane: what the result needs, up to half the screen */
	res_h = u->result.n ? uip_rows(&u->result) : 3;
	if (res_h > LINES / 2)
		res_h = LINES / 2;
	if (res_h < 3)
		res_h = 3;
	ses_h = LINES - res_h - 3;
	if (ses_h < 1)
		ses_h = 1;
	/* scrolled back no further than a full pane from the first line */
	if (u->back) {
		struct uip_lines head = u->steps;
		int rows;

		head.n = u->steps.n > u->back ? u->steps.n - u->back : 0;
		rows = uip_rows(&head);
		while (u->back > 0 && rows < ses_h) {
			int r = (int)ui_text_rows(u->steps.l[u->steps.n - u->back],
						  strlen(u->steps.l[u->steps.n - u->back]), COLS);

			rows += r < 1 ? 1 : r;
			u->back--;
		}
	}
	uip_title(0, u->back ? _("session: smtpscope probe (scrolled back: Down, PgDn or End for the latest)")
		  : _("session: smtpscope probe (the steps as they happen; Up, PgUp scroll back)"));
	uip_pane(u, &u->steps, u->back, 1, ses_h);
	uip_title(1 + ses_h, u->result.n ? _("explanation: the verdict") : _("explanation: probing..."));
	if (u->result.n) {
		uip_pane(u, &u->result, 0, 2 + ses_h, res_h);
	} else {
		struct uip_lines one = { 0 };
		char *l[1];

		l[0] = u->wait ? u->wait : (char *)_("the verdict comes here when every attempt has ended");
		one.l = l, one.n = 1;
		uip_pane(u, &one, 0, 2 + ses_h, res_h);
	}
	uip_title(LINES - 1, u->done ? _("probe done: q or F10 quits") : _("probing: q or F10 stops and quits"));
	refresh();
}

/* probe.c's "=== still waiting for ..." lines (the wait shown in the
 * explanation pane until the verdict): in English, or in the user's
 * language, whose translations of both waiting lines begin with the same
 * words as the first one's, up to its first conversion. */
static bool uip_is_wait(const char *text)
{
	const char *m = strstr(text, "=== "), *fmt;
	size_t n;

	if (m == NULL)
		return false;
	if (strncmp(m + 4, "still waiting for ", 18) == 0)
		return true;
	fmt = _("still waiting for %s: %lld s so far (a lookup gives up after %d s)");
	n = strcspn(fmt, "%");
	return n > 0 && strncmp(m + 4, fmt, n) == 0;
}

static void uip_line(void *ctx, const char *text, bool result)
{
	struct uip *u = ctx;

	if (!u->started) { /* no terminal after all: line mode */
		printf("%s\n", text);
		fflush(stdout);
		return;
	}
	uip_add(result ? &u->result : &u->steps, text);
	if (!result && uip_is_wait(text)) {
		free(u->wait);
		u->wait = xstrdup(text);
	}
	uip_draw(u);
}

/* Keys; true when the user asked to quit. */
static bool uip_keys(struct uip *u)
{
	int k;

	while ((k = getch()) != ERR) {
		if (k == 'q' || k == 'Q' || k == KEY_F(10) || k == 3 /* Ctrl-C, raw mode */) {
			u->quit = true;
			return true;
		}
		if (k == KEY_RESIZE)
			ui_term_resize(u->ui);
		else if (k == KEY_UP || k == KEY_PPAGE)
			u->back += k == KEY_UP ? 1 : (size_t)(LINES / 2);
		else if (k == KEY_DOWN || k == KEY_NPAGE)
			u->back -= u->back < (k == KEY_DOWN ? 1 : (size_t)(LINES / 2)) ? u->back
				   : k == KEY_DOWN ? 1 : (size_t)(LINES / 2);
		else if (k == KEY_END)
			u->back = 0;
		if (u->steps.n && u->back >= u->steps.n)
			u->back = u->steps.n - 1;
	}
	uip_draw(u);
	return false;
}

static void uip_on_key(void *ctx, int fd, short revents)
{
	struct uip *u = ctx;

	(void)fd, (void)revents;
	if (uip_keys(u))
		loop_stop(u->loop);
}

static void uip_attach(void *ctx, struct loop *loop)
{
	struct uip *u = ctx;

	u->loop = loop;
	if (!ui_term_start(u->ui))
		return;
	u->started = true;
	loop_watch(loop, STDIN_FILENO, POLLIN, uip_on_key, u);
	uip_draw(u);
}

int ui_probe_run(struct probe_options *o)
{
	struct uip u;
	int status;

	memset(&u, 0, sizeof u);
	u.ui = xcalloc(1, sizeof *u.ui);
	o->line = uip_line;
	o->attach = uip_attach;
	o->front_ctx = &u;
	status = probe_run(o);
	u.done = true;
	if (u.started && !u.quit) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

		uip_draw(&u);
		while (!uip_keys(&u))
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR) /* EINTR: a resize */
				break;
	}
	if (u.started)
		ui_term_stop();
	/* the result again on the restored terminal */
	for (size_t i = 0; i < u.result.n; i++)
		printf("%s\n", u.result.l[i]);
	if (u.quit && u.result.n == 0)
		printf("smtpscope probe: %s\n", _("stopped before the verdict"));
	fflush(stdout);
	uip_free_lines(&u.steps);
	uip_free_lines(&u.result);
	free(u.wait);
	free(u.ui);
	return status;
}
