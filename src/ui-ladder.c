/* ui-ladder: the session pane's ladder view (F7, /ladder) — the session as
 * a client <-> server sequence diagram (ladder.c), drawn live for a
 * projector: reply arrows in their class colour, sent arrows and TLS
 * marks bold.  The diagram's text only grows (events are append-only), so
 * each redraw appends the new events' lines and draws only the rows on
 * screen; a new pane width redraws the whole diagram once. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/ui.h"
#include "smtpscope/i18n.h"

static void ui_ladder_index(struct ui_ladder *l, size_t from)
{
	for (size_t i = from; i < l->text.len; i++) {
		if (i != from && l->text.data[i - 1] != '\n')
			continue;
		if (l->nlines == l->cap)
			l->line = xgrow(l->line, &l->cap, l->nlines + 1, sizeof *l->line);
		l->line[l->nlines++] = i;
	}
}

/* The diagram at the pane's width, with the events not drawn yet. */
static void ui_ladder_update(struct ui *ui)
{
	struct ui_ladder *l = &ui->ladder;
	size_t from = l->text.len;

	if (l->width != ui->session.w) {
		buf_clear(&l->text);
		l->nlines = 0;
		l->width = ui->session.w;
		ladder_start(&l->lad, (size_t)(l->width > 0 ? l->width : 1), &l->text);
		from = 0;
	}
	ladder_update(&l->lad, ui->f.session, &l->text);
	ui_ladder_index(l, from);
}

static size_t ui_ladder_max_top(const struct ui *ui)
{
	size_t h = (size_t)ui_pane_rows(ui, UI_FOCUS_SESSION);

	return ui->ladder.nlines > h ? ui->ladder.nlines - h : 0;
}

void ui_ladder_scroll(struct ui *ui, long rows)
{
	struct ui_ladder *l = &ui->ladder;
	size_t max, top;

	ui_ladder_update(ui);
	max = ui_ladder_max_top(ui);
	top = l->top == SIZE_MAX || l->top > max ? max : l->top;
	if (rows < 0)
		top = (size_t)-rows > top ? 0 : top - (size_t)-rows;
	else
		top = (size_t)rows >= max - top ? max : top + (size_t)rows;
	l->top = top >= max ? SIZE_MAX : top; /* at the bottom: follow */
	ui->dirty = true;
}

static int ui_ladder_attr(const struct ui *ui, size_t i, const char *s, size_t n)
{
	int code = ladder_line_code(s, n);

	if (code)
		return A_BOLD | ui_term_attr_pair(ui, ui_term_code_pair(code));
	if (n > 4 && s[3] == '=')      /* a band: connection, TLS */
		return A_BOLD | ui_term_attr_pair(ui, memmem(s, n, "TLS", 3) ? UI_P_MSG : UI_P_NOTE);
	return i == 0 || (n > 2 && s[n - 2] == '>') ? A_BOLD : 0;
}

void ui_ladder_draw(struct ui *ui)
{
	struct ui_ladder *l = &ui->ladder;
	size_t top, h = ui->session.h > 0 ? (size_t)ui->session.h : 0;

	ui_ladder_update(ui);
	top = ui_ladder_max_top(ui);
	if (l->top != SIZE_MAX && l->top < top)
		top = l->top;
	ui_draw_title(ui, &ui->session, UI_FOCUS_SESSION,
		      top == ui_ladder_max_top(ui) || l->top == SIZE_MAX ?
		      _("Ladder: client <-> server (F7: transcript)") :
		      _("Ladder (scrolled: End follows; F7: transcript)"));
	for (int k = 0; k < ui->nrow_ev; k++)
		ui->row_ev[k] = SIZE_MAX; /* a click selects nothing here */
	for (size_t row = 0; row < h && top + row < l->nlines; row++) {
		size_t i = top + row, start = l->line[i];
		size_t end = i + 1 < l->nlines ? l->line[i + 1] : l->text.len;

		if (end > start && l->text.data[end - 1] == '\n')
			end--;
		ui_draw_text(ui->session.y + (int)row, ui->session.x, ui->session.w,
			     l->text.data + start, end - start,
			     ui_ladder_attr(ui, i, l->text.data + start, end - start));
	}
}

void ui_ladder_free(struct ui_ladder *l)
{
	buf_free(&l->text);
	free(l->line);
	memset(l, 0, sizeof *l);
}
