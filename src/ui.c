/* ui: the terminal front-end's main loop — the shared front (client,
 * session, input queue) plus keys, signals and drawing. */
#include "config.h"

#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/loop.h"
#include "smtpscope/i18n.h"
#include "smtpscope/ui.h"

static void ui_on_event(void *ctx, const struct session_event *ev)
{
	struct ui *ui = ctx;

	(void)ev;
	ui->dirty = true;
}

static void ui_on_stdin(void *ctx, int fd, short revents)
{
	struct ui *ui = ctx;

	(void)fd;
	ui_keys_read(ui);
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		ui->f.done = true; /* the terminal went away */
}

static void ui_on_signal(void *ctx, int signo)
{
	struct ui *ui = ctx;

	if (signo == SIGWINCH)
		ui->resize_pending = true; /* a burst becomes one resize */
	else
		front_signalled(&ui->f, signo); /* SIGINT, SIGTERM, SIGHUP */
}

void ui_quit(struct ui *ui)
{
	if (ui->f.ctx.message_mode)
		front_abandon_message(&ui->f, "quit");
	front_drop_queued(&ui->f);
	cmd_execute(&ui->f.ctx, "quit");
	ui->dirty = true;
}

void ui_request_help(struct ui *ui, bool on)
{
	ui->help = on;
	ui->help_top = 0;
	ui->dirty = true;
}

/* After /lang: every line, the explanation and the ladder drawn again,
 * in the new language. */
static void ui_relang(struct ui *ui)
{
	ui->f.ctx.relang = false;
	ui_cache_free(&ui->cache);
	ui->explain_ev = SIZE_MAX;
	ui->explain_w = -1;
	ui->ladder.width = -1;
	ui->dirty = true;
}

static void ui_loop(struct ui *ui)
{
	while (!ui->f.done) {
		if (ui->f.ctx.relang)
			ui_relang(ui);
		if (ui->resize_pending) {
			ui->resize_pending = false;
			ui_term_resize(ui);
		}
		if (front_work(&ui->f)) {
			ui->dirty = true;
			continue;
		}
		int64_t waited, limit;
		/* While the reply to a message's end is awaited, the status
		 * bar counts the seconds. */
		bool ticking = client_awaiting_dot(ui->f.client, &waited, &limit);

		if (ui->dirty)
			ui_draw(ui);
		loop_once(ui->f.loop, ticking ? 1000 : -1);
		if (ticking)
			ui->dirty = true;
	}
}

static void ui_free(struct ui *ui)
{
	ui_cache_free(&ui->cache);
	ui_ladder_free(&ui->ladder);
	free(ui->row_ev);
	buf_free(&ui->explain_text);
	buf_free(&ui->matches);
	buf_free(&ui->scratch);
	front_free(&ui->f);
	free(ui);
}

int ui_run(const struct front_options *o)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
	struct ui *ui = xcalloc(1, sizeof *ui);
	int status;

	/* A UTF-8 locale for ncursesw's wide characters; a LANG the system
	 * never generated (fr_FR.UTF-8 on a fresh machine) still gets one,
	 * and its messages (i18n.c). */
	if (setlocale(LC_ALL, "") == NULL)
		setlocale(LC_CTYPE, "C.UTF-8");
	setlocale(LC_NUMERIC, "C"); /* "1.5 ms" as in line mode */
	i18n_init(i18n_lang());
	/* A person is there to answer: a failed verification asks. */
	ui->opt_tui = *o;
	ui->opt_tui.client.verify_ask = true;
	ui->opt = o = &ui->opt_tui;
	ui->anchor = ui->selected = ui->explain_ev = ui->ladder.top = SIZE_MAX;
	buf_init(&ui->ladder.text);
	buf_init(&ui->explain_text);
	buf_init(&ui->matches);
	buf_init(&ui->scratch);
	if (!ui_term_start(ui)) {
		free(ui);
		return -1;
	}
	front_init(&ui->f, o, ui_on_event, ui);
	ui->f.ctx.replay_by_key = true; /* /replay: F8 runs each step */
	ui->f.ctx.ladder_pane = true;   /* /ladder: the session pane's view */
	ui->f.interactive = true;
	ui_layout(ui);
	ui_rl_init(ui);
	loop_watch(ui->f.loop, STDIN_FILENO, POLLIN, ui_on_stdin, ui);
	/* After newterm: ours replaces curses' SIGWINCH handler. */
	loop_signals(ui->f.loop, sigs, (int)UTIL_ARRAY_LEN(sigs), ui_on_signal, ui);
	front_start(&ui->f, o);
	ui->dirty = true;
	ui_loop(ui);
	ui_rl_free();
	ui_term_stop();
	status = batch_exit_status(&ui->f, false);
	if (status != BATCH_EXIT_OK)
		fprintf(stderr, _("smtpscope: exit status %d: %s\n"), status, batch_exit_name(status));
	ui_free(ui);
	return status;
}
