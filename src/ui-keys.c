/* ui-keys: key routing.  Keys the UI keeps (resize, focus, scrolling,
 * help, mouse, Ctrl-C/L/D) never reach readline; the other KEY_* codes
 * are turned back into the escape sequences readline binds, and
 * characters are passed on as UTF-8. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/ui.h"

#define UI_CTRL(c) ((c) & 0x1f)
#define UI_ESC 27

static const struct { int key; const char *seq; } ui_keys_readline[] = {
	{ KEY_UP, "\033[A" },    { KEY_DOWN, "\033[B" },  { KEY_RIGHT, "\033[C" },
	{ KEY_LEFT, "\033[D" },  { KEY_HOME, "\033[H" },  { KEY_END, "\033[F" },
	{ KEY_DC, "\033[3~" },   { KEY_BACKSPACE, "\177" }, { KEY_ENTER, "\r" },
	{ KEY_IC, "\033[2~" },
};

static void ui_keys_scroll_explain(struct ui *ui, long rows)
{
	if (rows < 0 && (size_t)-rows > ui->explain_top)
		ui->explain_top = 0;
	else
		ui->explain_top += (size_t)rows;
	ui->dirty = true;
}

/* PgUp/PgDn/Home/End on the focused pane (the session from the command
 * line). */
static void ui_keys_scroll(struct ui *ui, int key)
{
	enum ui_focus pane = ui->focus == UI_FOCUS_EXPLAIN ? UI_FOCUS_EXPLAIN : UI_FOCUS_SESSION;
	long page = ui_pane_rows(ui, pane) > 2 ? ui_pane_rows(ui, pane) - 1 : 1;
	long rows = key == KEY_PPAGE ? -page : key == KEY_NPAGE ? page :
		    key == KEY_HOME ? -(long)(SIZE_MAX / 4) : (long)(SIZE_MAX / 4);

	if (pane == UI_FOCUS_EXPLAIN) {
		ui_keys_scroll_explain(ui, rows);
		return;
	}
	if (ui->f.ctx.ladder_view) {
		ui_ladder_scroll(ui, rows);
		return;
	}
	if (key == KEY_END) {
		ui->anchor = SIZE_MAX;
		ui->skip = 0;
	} else if (key == KEY_HOME) {
		ui->anchor = session_count(ui->f.session) ? 0 : SIZE_MAX;
		ui->skip = ui->anchor == 0 ? ui_event_rows(ui, 0) - 1 : 0;
		ui_scroll_session(ui, 0);
		ui_scroll_session(ui, -1);
	} else {
		ui_scroll_session(ui, rows);
	}
	ui->dirty = true;
}

static void ui_keys_mouse(struct ui *ui)
{
	MEVENT m;
	bool in_explain;

	if (getmouse(&m) != OK)
		return;
	in_explain = m.y >= ui->explain.y && m.y < ui->explain.y + ui->explain.h &&
		     m.x >= ui->explain.x && m.x < ui->explain.x + ui->explain.w;
	if (m.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		long d = m.bstate & BUTTON4_PRESSED ? -3 : 3;

		if (in_explain)
			ui_keys_scroll_explain(ui, d);
		else if (ui->f.ctx.ladder_view)
			ui_ladder_scroll(ui, d);
		else
			ui_scroll_session(ui, d);
	} else if (m.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
		int row = m.y - ui->session.y;

		if (m.x >= ui->session.x && m.x < ui->session.x + ui->session.w &&
		    row >= 0 && row < ui->nrow_ev && ui->row_ev[row] != SIZE_MAX &&
		    session_get(ui->f.session, ui->row_ev[row])->kind == SESSION_REPLY) {
			size_t ev = ui->row_ev[row];

			ui->selected = ev == ui_newest_reply(ui) ? SIZE_MAX : ev;
			ui->explain_top = 0;
			ui->focus = UI_FOCUS_SESSION;
		} else if (in_explain) {
			ui->focus = UI_FOCUS_EXPLAIN;
		}
	}
	ui->dirty = true;
}

static void ui_keys_help(struct ui *ui, int key, bool code)
{
	if ((!code && (key == UI_ESC || key == 'q' || key == 'Q')) || (code && key == KEY_F(1)))
		ui_request_help(ui, false);
	else if (code && (key == KEY_UP || key == KEY_PPAGE))
		ui->help_top = ui->help_top > (key == KEY_UP ? 1u : 10u) ?
			       ui->help_top - (key == KEY_UP ? 1u : 10u) : 0;
	else if (code && (key == KEY_DOWN || key == KEY_NPAGE))
		ui->help_top += key == KEY_DOWN ? 1 : 10;
	else if (code && key == KEY_RESIZE)
		ui->resize_pending = true;
	ui->dirty = true;
}

/* F9: the explanation pane shows the selected reply's bytes, or again
 * its explanation. */
static void ui_keys_raw(struct ui *ui, bool on)
{
	ui->explain_raw = on;
	ui->explain_w = 0; /* drawn again */
	ui->explain_top = 0;
	ui->dirty = true;
}

static void ui_keys_code(struct ui *ui, int key)
{
	bool pane = ui->focus != UI_FOCUS_CMD;

	if (key == KEY_RESIZE) {
		ui->resize_pending = true;
	} else if (key == KEY_F(1)) {
		ui_request_help(ui, true);
	} else if (key == KEY_F(7)) {
		ui->f.ctx.ladder_view = !ui->f.ctx.ladder_view;
		ui->dirty = true;
	} else if (key == KEY_F(8)) {
		front_replay_step(&ui->f);
	} else if (key == KEY_F(9)) {
		ui_keys_raw(ui, !ui->explain_raw);
	} else if (key == KEY_F(6) || key == KEY_BTAB) {
		ui->focus = (enum ui_focus)((ui->focus + 1) % UI_FOCUS__COUNT);
		ui->dirty = true;
	} else if (key == KEY_MOUSE) {
		ui_keys_mouse(ui);
	} else if (key == KEY_PPAGE || key == KEY_NPAGE || (pane && (key == KEY_HOME || key == KEY_END))) {
		ui_keys_scroll(ui, key);
	} else if (ui->focus == UI_FOCUS_SESSION && ui->f.ctx.ladder_view &&
		   (key == KEY_UP || key == KEY_DOWN)) {
		ui_ladder_scroll(ui, key == KEY_UP ? -1 : 1);
	} else if (ui->focus == UI_FOCUS_SESSION && (key == KEY_UP || key == KEY_DOWN)) {
		ui_select_step(ui, key == KEY_UP ? -1 : 1);
	} else if (ui->focus == UI_FOCUS_EXPLAIN && (key == KEY_UP || key == KEY_DOWN)) {
		ui_keys_scroll_explain(ui, key == KEY_UP ? -1 : 1);
	} else {
		for (size_t i = 0; i < UTIL_ARRAY_LEN(ui_keys_readline); i++)
			if (ui_keys_readline[i].key == key)
				ui_rl_feed(ui_keys_readline[i].seq, strlen(ui_keys_readline[i].seq));
	}
}

static void ui_keys_cancel(struct ui *ui)
{
	if (front_in_message(&ui->f) && ui_rl_line_empty()) {
		ui->confirm = true;
	} else {
		ui_rl_clear_line();
		front_drop_queued(&ui->f); /* lines typed ahead are dropped too */
	}
	ui->dirty = true;
}

static void ui_keys_char(struct ui *ui, wint_t ch)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t n;

	if (ui->confirm) {
		ui->confirm = false;
		if (ch == 'y' || ch == 'Y')
			front_abandon_message(&ui->f, "Ctrl-C");
		ui->dirty = true;
		return;
	}
	switch (ch) {
	case UI_CTRL('L'):
		clearok(curscr, TRUE);
		ui->dirty = true;
		return;
	case UI_CTRL('C'):
		ui_keys_cancel(ui);
		return;
	case UI_CTRL('D'):
		if (ui_rl_line_empty()) {
			ui_quit(ui);
			return;
		}
		break;
	case UI_ESC: {
		wint_t next;

		/* Alt-x arrives as ESC x: pass both to readline.  A lone Esc
		 * only clears the completion list and the raw bytes (F9). */
		if (get_wch(&next) == OK) {
			ui_rl_feed("\033", 1);
			ch = next;
			break;
		}
		buf_clear(&ui->matches);
		if (ui->explain_raw)
			ui_keys_raw(ui, false);
		ui->dirty = true;
		return;
	}
	default:
		break;
	}
	if (ch >= 0x20 && ch != 0x7f)
		ui->focus = UI_FOCUS_CMD;
	memset(&st, 0, sizeof st);
	n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n != (size_t)-1 && n > 0)
		ui_rl_feed(mb, n);
}

/* The question after a failed certificate verification: y goes on, any
 * other key closes (a resize or the mouse is no answer). */
static void ui_keys_tls_answer(struct ui *ui, wint_t ch, bool code)
{
	MEVENT m;

	if (code && ch == KEY_RESIZE) {
		ui->resize_pending = true;
		return;
	}
	if (code && ch == KEY_MOUSE) {
		(void)getmouse(&m);
		return;
	}
	client_tls_decide(ui->f.client, !code && (ch == 'y' || ch == 'Y'));
	ui->dirty = true;
}

void ui_keys_read(struct ui *ui)
{
	wint_t ch;
	int r;

	while ((r = get_wch(&ch)) != ERR && !ui->f.done) {
		if (client_tls_question(ui->f.client))
			ui_keys_tls_answer(ui, ch, r == KEY_CODE_YES);
		else if (ui->help)
			ui_keys_help(ui, (int)ch, r == KEY_CODE_YES);
		else if (r == KEY_CODE_YES)
			ui_keys_code(ui, (int)ch);
		else
			ui_keys_char(ui, ch);
	}
}
