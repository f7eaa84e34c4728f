/* ui-text: display columns of UTF-8 text, each event's text and height
 * (cached, so scrolling and drawing look only at what is on screen), the
 * session pane's scroll position and the selected reply. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/ui.h"

size_t ui_text_char(const char *s, size_t n, int *cols, bool *printable)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int w;

	memset(&st, 0, sizeof st);
	k = mbrtowc(&wc, s, n, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		*cols = 1;
		*printable = false;
		return 1;
	}
	w = wcwidth(wc);
	*printable = w >= 0 && (wc >= 0x20 && wc != 0x7f);
	*cols = *printable ? w : 1;
	return k;
}

size_t ui_text_rows(const char *s, size_t n, int width)
{
	size_t rows = 1, i = 0;
	int col = 0, w;
	bool ok;

	if (width < 1)
		width = 1;
	while (i < n) {
		i += ui_text_char(s + i, n - i, &w, &ok);
		if (col > 0 && col + w > width) {
			rows++;
			col = 0;
		}
		col += w;
	}
	return rows;
}

static void ui_cache_grow(struct ui_cache *c, size_t need)
{
	size_t old = c->cap;

	if (need <= c->cap)
		return;
	c->lines = xgrow(c->lines, &old, need, sizeof *c->lines);
	c->rows = xrealloc(c->rows, old * sizeof *c->rows);
	memset(c->lines + c->cap, 0, (old - c->cap) * sizeof *c->lines);
	memset(c->rows + c->cap, 0, (old - c->cap) * sizeof *c->rows);
	c->cap = old;
}

void ui_cache_free(struct ui_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		if (c->lines[i])
			printer_lines_free(c->lines[i]);
		free(c->lines[i]);
	}
	free(c->lines);
	free(c->rows);
	memset(c, 0, sizeof *c);
}

const struct printer_lines *ui_event_lines(struct ui *ui, size_t ev)
{
	struct ui_cache *c = &ui->cache;

	ui_cache_grow(c, ev + 1);
	if (c->lines[ev] == NULL) {
		c->lines[ev] = xcalloc(1, sizeof *c->lines[ev]);
		printer_lines_init(c->lines[ev]);
		printer_collect(&ui->opt->print, session_get(ui->f.session, ev), c->lines[ev]);
	}
	return c->lines[ev];
}

size_t ui_event_rows(struct ui *ui, size_t ev)
{
	struct ui_cache *c = &ui->cache;
	const struct printer_lines *l = ui_event_lines(ui, ev);

	if (c->width != ui->session.w) {
		memset(c->rows, 0, c->cap * sizeof *c->rows);
		c->width = ui->session.w;
	}
	if (c->rows[ev] == 0) {
		size_t rows = 0;

		for (size_t i = 0; i < l->n; i++)
			rows += ui_text_rows(l->line[i].text, l->line[i].len, c->width);
		/* An event printed as nothing still takes a row, as before. */
		c->rows[ev] = rows ? rows : 1;
	}
	return c->rows[ev];
}

size_t ui_newest_reply(const struct ui *ui)
{
	for (size_t i = session_count(ui->f.session); i-- > 0;)
		if (session_get(ui->f.session, i)->kind == SESSION_REPLY)
			return i;
	return SIZE_MAX;
}

size_t ui_selected_reply(const struct ui *ui)
{
	return ui->selected != SIZE_MAX ? ui->selected : ui_newest_reply(ui);
}

/* Scrolled so far up that the pane is not full: show the first page. */
static void ui_clamp_top(struct ui *ui)
{
	size_t h = (size_t)ui_pane_rows(ui, UI_FOCUS_SESSION), above = 0, i;

	for (i = ui->anchor + 1; i-- > 0 && above < h;)
		above += ui_event_rows(ui, i) - (i == ui->anchor ? ui->skip : 0);
	if (above >= h)
		return;
	/* Walk down from the first event until the pane is full. */
	above = 0;
	for (i = 0; i < session_count(ui->f.session); i++) {
		size_t r = ui_event_rows(ui, i);

		if (above + r >= h) {
			ui->anchor = i;
			ui->skip = above + r - h;
			return;
		}
		above += r;
	}
	ui->anchor = SIZE_MAX;
	ui->skip = 0;
}

void ui_scroll_session(struct ui *ui, long rows)
{
	size_t n = session_count(ui->f.session);

	if (n == 0)
		return;
	if (ui->anchor == SIZE_MAX) {
		if (rows >= 0)
			return;
		ui->anchor = n - 1;
		ui->skip = 0;
	}
	if (rows < 0) {
		ui->skip += (size_t)-rows;
		while (ui->skip >= ui_event_rows(ui, ui->anchor) && ui->anchor > 0) {
			ui->skip -= ui_event_rows(ui, ui->anchor);
			ui->anchor--;
		}
		if (ui->skip >= ui_event_rows(ui, ui->anchor))
			ui->skip = ui_event_rows(ui, ui->anchor) - 1;
		ui_clamp_top(ui);
		return;
	}
	while (rows > 0 && ui->anchor != SIZE_MAX) {
		if ((size_t)rows <= ui->skip) {
			ui->skip -= (size_t)rows;
			break;
		}
		rows -= (long)ui->skip + 1;
		if (ui->anchor + 1 >= n) {
			ui->anchor = SIZE_MAX;
			ui->skip = 0;
			break;
		}
		ui->anchor++;
		ui->skip = ui_event_rows(ui, ui->anchor) - 1;
	}
}

/* Moves the selection to the previous (dir < 0) or next reply and
 * brings it into view; past the newest, the selection follows again. */
void ui_select_step(struct ui *ui, int dir)
{
	size_t cur = ui_selected_reply(ui), n = session_count(ui->f.session), i;

	if (cur == SIZE_MAX)
		return;
	for (i = cur; dir < 0 ? i-- > 0 : ++i < n;) {
		if (session_get(ui->f.session, i)->kind != SESSION_REPLY)
			continue;
		ui->selected = i == ui_newest_reply(ui) && dir > 0 ? SIZE_MAX : i;
		ui->explain_top = 0;
		if (i < ui->first_shown || i > ui->last_shown) {
			ui->anchor = i;
			ui->skip = 0;
			if (dir < 0)
				ui_clamp_top(ui);
		}
		break;
	}
	ui->dirty = true;
}
