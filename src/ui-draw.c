/* ui-draw: layout and drawing of the panes, the status bar and the help
 * overlay.  Everything goes to stdscr and reaches the terminal in one
 * doupdate(); the work is bounded by the screen size. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/explain.h"
#include "smtpscope/hexdump.h"
#include "smtpscope/i18n.h"
#include "smtpscope/ui.h"

/* --raw dumps in the session pane: as many bytes a row as fit (after the
 * marker and the time); the cached lines go when that changes. */
static void ui_layout_raw(struct ui *ui)
{
	int used = 4 + (ui->opt_tui.print.timestamps ? 13 : 0);
	size_t per = hexdump_fit(ui->session.w > used ? (size_t)(ui->session.w - used) : 1,
				 SESSION_RAW_KEEP);

	if (per != ui->opt_tui.print.raw_per_row) {
		ui->opt_tui.print.raw_per_row = per;
		ui_cache_free(&ui->cache);
	}
}

/* Pane title rows sit above each rect. */
void ui_layout(struct ui *ui)
{
	int rows = LINES, cols = COLS, h = rows - 4;

	ui->too_small = cols < UI_MIN_COLS || rows < UI_MIN_ROWS;
	ui->side = cols >= UI_WIDE_COLS;
	ui->status = (struct ui_rect){ rows - 3, 0, 2, cols };
	ui->cmd = (struct ui_rect){ rows - 1, 0, 1, cols };
	if (ui->side) {
		int w = cols * 3 / 5;

		ui->session = (struct ui_rect){ 1, 0, h, w };
		ui->explain = (struct ui_rect){ 1, w + 1, h, cols - w - 1 };
	} else {
		int sh = (h - 1) * 3 / 5;

		ui->session = (struct ui_rect){ 1, 0, sh, cols };
		ui->explain = (struct ui_rect){ sh + 2, 0, h - 1 - sh, cols };
	}
	ui_layout_raw(ui);
	free(ui->row_ev);
	ui->row_ev = xcalloc((size_t)(ui->session.h > 0 ? ui->session.h : 1), sizeof *ui->row_ev);
	ui->nrow_ev = ui->session.h;
	ui->explain_w = 0; /* rewrap */
}

int ui_pane_rows(const struct ui *ui, enum ui_focus pane)
{
	int h = pane == UI_FOCUS_EXPLAIN ? ui->explain.h : ui->session.h;

	return h > 1 ? h : 1;
}

/* One row at most: returns the columns used.  Bytes that are not
 * printable characters are drawn as '?', whatever their origin. */
int ui_draw_text(int y, int x, int w, const char *s, size_t n, int attr)
{
	int col = 0, cw;
	bool ok;

	attron(attr);
	move(y, x);
	for (size_t i = 0; i < n;) {
		size_t k = ui_text_char(s + i, n - i, &cw, &ok);

		if (col + cw > w)
			break;
		if (ok)
			addnstr(s + i, (int)k);
		else
			addch('?');
		col += cw;
		i += k;
	}
	attroff(attr);
	return col;
}

/* Draws rows [from, to) of one wrapped line at y; returns rows drawn. */
static int ui_draw_wrapped(const struct ui_rect *r, int y, const char *s, size_t n,
			   size_t from, size_t to, int attr)
{
	size_t row = 0, i = 0, start = 0;
	int col = 0, cw, drawn = 0;
	bool ok;

	while (row < to) {
		size_t k = i < n ? ui_text_char(s + i, n - i, &cw, &ok) : 0;

		if (i >= n || (col > 0 && col + cw > r->w)) {
			if (row >= from)
				ui_draw_text(y + drawn++, r->x, r->w, s + start, i - start, attr);
			row++;
			col = 0;
			start = i;
			if (i >= n)
				break;
			continue;
		}
		col += cw;
		i += k;
	}
	return drawn;
}

/* A line's attributes from what it is: a reply in its class's colour
 * (reversed when its reply is selected), sent lines bold, warnings,
 * errors, notes and explanations in theirs; the TLS layer's own lines
 * in the default colour. */
static int ui_line_attr(const struct ui *ui, const struct printer_line *line, bool selected)
{
	switch (line->kind) {
	case PRINTER_REPLY:
		return ui_term_attr_pair(ui, ui_term_class_pair(line->reply_class)) |
		       (selected ? A_REVERSE : 0);
	case PRINTER_SENT:
		return A_BOLD;
	case PRINTER_WARN:
		return ui_term_attr_pair(ui, UI_P_WARN);
	case PRINTER_ERROR:
		return ui_term_attr_pair(ui, UI_P_ERROR) | A_BOLD;
	case PRINTER_EXPLAIN:
	case PRINTER_NOTE:
		return ui_term_attr_pair(ui, UI_P_NOTE);
	default:
		return 0;
	}
}

/* Rows [from, to) of event ev, placed from row y of the pane. */
static void ui_draw_event(struct ui *ui, size_t ev, size_t from, size_t to, int y)
{
	const struct printer_lines *l = ui_event_lines(ui, ev);
	static const struct printer_line none = { .kind = PRINTER_NOTE, .text = "" };
	bool sel = ev == ui_selected_reply(ui);
	size_t row = 0;

	/* An event printed as nothing still has its (empty) row. */
	for (size_t i = 0; i < (l->n ? l->n : 1); i++) {
		const struct printer_line *line = l->n ? &l->line[i] : &none;
		size_t r = ui_text_rows(line->text, line->len, ui->session.w);

		if (row + r > from && row < to) {
			size_t a = from > row ? from - row : 0, b = to - row < r ? to - row : r;
			int drawn = ui_draw_wrapped(&ui->session, ui->session.y + y, line->text,
						    line->len, a, b, ui_line_attr(ui, line, sel));

			for (int k = 0; k < drawn; k++)
				if (y + k < ui->nrow_ev)
					ui->row_ev[y + k] = ev;
			y += drawn;
		}
		row += r;
		if (row >= to)
			break;
	}
}

void ui_draw_title(const struct ui *ui, const struct ui_rect *r, enum ui_focus pane,
		   const char *title)
{
	int attr = ui->focus == pane ? A_REVERSE | A_BOLD : A_REVERSE;

	attron(attr);
	mvhline(r->y - 1, r->x, ' ', r->w);
	attroff(attr);
	ui_draw_text(r->y - 1, r->x + 1, r->w - 2, title, strlen(title), attr);
}

/* Bottom up from the anchor: only the events that show are touched. */
static void ui_draw_session(struct ui *ui)
{
	struct { size_t ev, from, to; } part[512];
	size_t n = session_count(ui->f.session), skip = ui->skip, i, np = 0;
	size_t h = (size_t)ui->session.h, used = 0;

	ui_draw_title(ui, &ui->session, UI_FOCUS_SESSION,
		      ui->anchor == SIZE_MAX ? _("Session (F7: ladder)") :
		      _("Session (scrolled: End follows; F7: ladder)"));
	for (int k = 0; k < ui->nrow_ev; k++)
		ui->row_ev[k] = SIZE_MAX;
	if (n == 0 || ui->session.h <= 0)
		return;
	i = ui->anchor == SIZE_MAX ? n - 1 : ui->anchor;
	if (ui->anchor == SIZE_MAX)
		skip = 0;
	for (;; i--) {
		size_t r, take;

		if (skip >= ui_event_rows(ui, i))
			skip = ui_event_rows(ui, i) - 1;
		r = ui_event_rows(ui, i) - skip;
		take = r < h - used ? r : h - used;

		part[np].ev = i;
		part[np].to = r;
		part[np].from = r - take;
		np++;
		used += take;
		skip = 0;
		if (used >= h || i == 0 || np == UTIL_ARRAY_LEN(part))
			break;
	}
	ui->last_shown = part[0].ev;
	ui->first_shown = part[np - 1].ev;
	for (int y = 0; np-- > 0;) {
		ui_draw_event(ui, part[np].ev, part[np].from, part[np].to, y);
		y += (int)(part[np].to - part[np].from);
	}
}

/* F9: the reply's bytes as received, in rows that fit the pane. */
static void ui_explain_raw(struct ui *ui, const struct session_event *e)
{
	const struct reply *r = e->reply;
	size_t w = ui->explain.w > 1 ? (size_t)ui->explain.w - 1 : 1;

	buf_printf(&ui->explain_text,
		   ngettext("The %zu byte of this reply as received%s (F9 or Esc: the explanation again):",
			    "The %zu bytes of this reply as received%s (F9 or Esc: the explanation again):",
			    e->raw_len), e->raw_len,
		   e->encrypted ? _(", decrypted from TLS") : "");
	buf_adds(&ui->explain_text, "\n\n");
	hexdump(&ui->explain_text, e->raw, e->raw_len, hexdump_fit(w, e->raw_len), "");
	if (r && r->raw_seen > r->raw_len)
		buf_printf(&ui->explain_text,
			   ngettext("\n%zu more byte came with it and was not kept (smtpscope's limits on a reply)\n",
				    "\n%zu more bytes came with it and were not kept (smtpscope's limits on a reply)\n",
				    r->raw_seen - r->raw_len),
			   r->raw_seen - r->raw_len);
}

static void ui_explain_refresh(struct ui *ui, size_t ev)
{
	const struct session_event *e;
	struct explain_ctx ctx = { 0 };
	struct explanation x;

	if (ev == ui->explain_ev && ui->explain_w == ui->explain.w)
		return;
	ui->explain_ev = ev;
	ui->explain_w = ui->explain.w;
	buf_clear(&ui->explain_text);
	if (ev == SIZE_MAX) {
		buf_adds(&ui->explain_text, _("No reply yet. Each reply the server sends is explained here: what its digits say, its enhanced code, a diagnosis and the next step.\n\nF1 or /help: keys and commands."));
		return;
	}
	e = session_get(ui->f.session, ev);
	if (ui->explain_raw) {
		ui_explain_raw(ui, e);
		return;
	}
	ctx.has_verb = true;
	ctx.verb = e->verb;
	ctx.tls_active = e->encrypted;
	explain_reply(ui->opt->print.kb, e->reply, &ctx, &x);
	explain_format_long(&x, &ui->explain_text, (size_t)(ui->explain.w > 2 ? ui->explain.w - 1 : 1));
	explain_free(&x);
}

static void ui_draw_lines(const struct ui_rect *r, const char *t, size_t top, int attr)
{
	size_t row = 0;
	int y = 0;

	while (y < r->h) {
		size_t n = strcspn(t, "\n"), rows = ui_text_rows(t, n, r->w);

		if (row + rows > top) {
			size_t from = top > row ? top - row : 0;
			size_t to = from + (size_t)(r->h - y);

			y += ui_draw_wrapped(r, r->y + y, t, n, from, to < rows ? to : rows, attr);
		}
		row += rows;
		if (t[n] == '\0')
			break;
		t += n + 1;
	}
}

/* "reply 550 to RCPT"; a reply without a valid code says so instead of
 * showing a number that is none ("2500", "25O", or nothing). */
static void ui_explain_title(const struct session_event *ev, bool newest,
			     char *title, size_t size)
{
	const struct reply *r = ev->reply;
	char what[64];

	snprintf(what, sizeof what, "%s", _("malformed reply"));
	if (r->valid)
		snprintf(what, sizeof what, _("reply %03d"), r->code);
	else if (r->code >= 0)
		snprintf(what, sizeof what, _("reply %03d (malformed)"), r->code);
	snprintf(title, size, _("Explanation: %s to %.40s%s"), what, _(session_reply_to(ev)),
		 newest ? _(" (newest)") : "");
}

/* "Raw bytes: reply 250 to EHLO (F9: explanation)" */
static void ui_explain_raw_title(const struct session_event *ev, char *title, size_t size)
{
	const struct reply *r = ev->reply;

	if (r->code >= 0)
		snprintf(title, size, _("Raw bytes: reply %03d to %.40s (F9: explanation)"), r->code,
			 session_reply_to(ev));
	else
		snprintf(title, size, _("Raw bytes: malformed reply to %.40s (F9: explanation)"),
			 session_reply_to(ev));
}

static void ui_draw_explain(struct ui *ui)
{
	size_t ev = ui_selected_reply(ui);
	char title[96];

	ui_explain_refresh(ui, ev);
	if (ev == SIZE_MAX)
		snprintf(title, sizeof title, "%s", _("Explanation"));
	else if (ui->explain_raw)
		ui_explain_raw_title(session_get(ui->f.session, ev), title, sizeof title);
	else
		ui_explain_title(session_get(ui->f.session, ev), ui->selected == SIZE_MAX,
				 title, sizeof title);
	ui_draw_title(ui, &ui->explain, UI_FOCUS_EXPLAIN, title);
	if (ui->side)
		mvvline_set(ui->explain.y - 1, ui->explain.x - 1, WACS_VLINE, ui->explain.h + 1);
	ui_draw_lines(&ui->explain, ui->explain_text.data ? ui->explain_text.data : "",
		      ui->explain_top, 0);
}

/* "a | b | c" of escaped, untrusted parts. */
/* One status row of parts joined by " | ", each escaped unless its bit in
 * `escaped` says it already is (escaping twice would show "\\xff"). */
static void ui_status_row_esc(struct ui *ui, int y, const char *const *parts, size_t n,
			      unsigned escaped)
{
	int attr = ui_term_attr_pair(ui, UI_P_BAR) | A_REVERSE;

	buf_clear(&ui->scratch);
	for (size_t i = 0; i < n; i++) {
		if (parts[i] == NULL || parts[i][0] == '\0')
			continue;
		if (ui->scratch.len)
			buf_adds(&ui->scratch, " | ");
		if (escaped & (1u << i))
			buf_adds(&ui->scratch, parts[i]);
		else
			util_escape(&ui->scratch, parts[i], strlen(parts[i]));
	}
	attron(attr);
	mvhline(y, 0, ' ', COLS);
	attroff(attr);
	ui_draw_text(y, 1, COLS - 2, ui->scratch.data ? ui->scratch.data : "", ui->scratch.len, attr);
}

static void ui_status_row(struct ui *ui, int y, const char *const *parts, size_t n)
{
	ui_status_row_esc(ui, y, parts, n, 0);
}

static const char *ui_conn_name(enum client_conn c)
{
	switch (c) {
	case CLIENT_CONNECTING: return _("connecting");
	case CLIENT_UP: return _("connected");
	case CLIENT_DOWN: return _("disconnected");
	default: return _("not connected");
	}
}

/* How the peer was authenticated, for the status bar: by DANE (its
 * TLSA records), by the domain's MTA-STS policy (/connect --mx), or by
 * the Web PKI (a trusted chain and the name). */
static const char *ui_tls_auth(const struct client *c, const struct tls_conn *t)
{
	struct tls_dane_result r;

	tls_dane_result(t, &r);
	if (r.state == TLS_DANE_VERIFIED)
		return _("DANE-verified");
	return client_peer_auth(c) ? client_peer_auth(c) : _("verified");
}

static void ui_draw_status(struct ui *ui)
{
	const struct smtp *s = client_smtp(ui->f.client);
	struct buf a, b, c;
	char queued[48] = "";
	size_t waiting = front_queued_lines(&ui->f);
	int64_t waited, limit;

	buf_init(&a);
	buf_init(&b);
	buf_init(&c);
	smtp_describe(s, &a);
	if (waiting)
		snprintf(queued, sizeof queued, _("lines waiting: %zu"), waiting);
	{
		const struct tls_conn *tls = client_tls(ui->f.client);
		char tlsbuf[64];

		/* TLS state, and a warning that stays as long as the session
		 * runs on a certificate nobody verified (--insecure). */
		if (client_tls_question(ui->f.client))
			snprintf(tlsbuf, sizeof tlsbuf, "%s", _("!! TLS paused: certificate NOT verified"));
		else if (client_was_insecure(ui->f.client))
			snprintf(tlsbuf, sizeof tlsbuf, _("!! INSECURE %s: certificate NOT verified"),
				 tls ? tls_protocol(tls) : "TLS");
		else if (tls && client_conn(ui->f.client) == CLIENT_UP)
			snprintf(tlsbuf, sizeof tlsbuf, "%s, %s", tls_protocol(tls),
				 ui_tls_auth(ui->f.client, tls));
		else
			snprintf(tlsbuf, sizeof tlsbuf, "%s", _("no TLS"));
		/* the route's label: which MX of how many (/connect --mx) */
		const char *p1[] = { client_target(ui->f.client)[0] ? client_target(ui->f.client) : _("no target"),
				     client_route_label(ui->f.client),
				     ui_conn_name(client_conn(ui->f.client)), tlsbuf, a.data, queued };
		ui_status_row(ui, ui->status.y, p1, UTIL_ARRAY_LEN(p1));
	}
	if (client_tls_question(ui->f.client)) {
		char *q = xasprintf(_("Certificate NOT verified (%s). Continue anyway? (y/N)"),
				    client_tls_question(ui->f.client));
		const char *p[] = { q };

		ui_status_row(ui, ui->status.y + 1, p, 1);
		free(q);
	} else if (ui->confirm) {
		const char *p[] = { _("Abandon the message in progress? (y/n)") };
		ui_status_row(ui, ui->status.y + 1, p, 1);
	} else if (ui->matches.len) {
		const char *p[] = { ui->matches.data };
		ui_status_row(ui, ui->status.y + 1, p, 1);
	} else if (client_awaiting_dot(ui->f.client, &waited, &limit)) {
		char *w = xasprintf(_("message sent: waiting %lld s of %lld for the server's reply to its end (content filters take time; --dot-timeout)"),
				    (long long)(waited / 1000), (long long)(limit / 1000));
		const char *p[] = { w };

		ui_status_row(ui, ui->status.y + 1, p, 1);
		free(w);
	} else {
		caps_summary(smtp_caps(s), &b);
		smtp_legal_next(s, &c);
		{
			char *caps = xasprintf(_("caps: %s"), b.len ? b.data
						: smtp_state(s) == SMTP_READY || smtp_state(s) == SMTP_MAIL ||
						  smtp_state(s) == SMTP_RCPT ? _("(none offered)") : _("(none yet: EHLO)"));
			char *next = xasprintf(_("next: %s"), c.len ? c.data : "-");
			const char *p2[] = { next, caps, _("F1 help") };

			/* caps_summary() escapes the server's bytes itself */
			ui_status_row_esc(ui, ui->status.y + 1, p2, UTIL_ARRAY_LEN(p2), 1u << 1);
			free(caps);
			free(next);
		}
	}
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

static const char *const ui_help_keys[] = {
	N_("Keys"),
	N_("  F1, /help        this help (Esc, F1 or q closes it)"),
	N_("  F6               move focus: command line -> session -> explanation"),
	N_("  F7, /ladder      session pane: transcript <-> ladder diagram (client"),
	N_("                   <-> server arrows, codes in colour), drawn live"),
	N_("  F8               during /replay: run the next step"),
	N_("  F9               explanation pane: the reply's raw bytes (F9, Esc: back)"),
	N_("  Tab              complete: SMTP verbs, /commands, AUTH mechanisms,"),
	N_("                   file names for /sendfile, codes for /explain"),
	N_("  Up, Down         command line: history; session pane: select a reply"),
	N_("                   (the explanation follows; the ladder scrolls);"),
	N_("                   explanation: scroll"),
	N_("  PgUp, PgDn       scroll the focused pane (the session from the"),
	N_("                   command line)"),
	N_("  Home, End        top / bottom of the focused pane; End follows the"),
	N_("                   newest lines again"),
	N_("  mouse            wheel scrolls, a click selects a reply"),
	N_("  Ctrl-L           redraw the screen"),
	N_("  Ctrl-C           clear the line; asks before abandoning a message"),
	N_("  Ctrl-D           on an empty line: send QUIT and exit (as /quit)"),
	N_("  Enter            send the line (runs when earlier replies are in)"),
	"",
	N_("Lines starting with / are local commands; any other line goes to the"),
	N_("server as typed (// sends a leading /). After a 354 or /data, lines"),
	N_("are the message (the prompt says [message]) up to a line with only \".\"."),
	"",
	N_("Local commands"),
};

#define ui_help_title _("smtpscope help - Esc, F1 or q closes; Up, Down, PgUp, PgDn scroll")

static void ui_draw_help(struct ui *ui)
{
	size_t n, i, nk = UTIL_ARRAY_LEN(ui_help_keys), total;
	const struct cmd_entry *const *t = cmd_table(&n);
	int h = LINES - 2, w = COLS - 2, y;

	total = nk + n;
	if (ui->help_top + (size_t)(h - 1) > total)
		ui->help_top = total > (size_t)(h - 1) ? total - (size_t)(h - 1) : 0;
	for (y = 0; y <= h; y++) {
		move(y, 0);
		clrtoeol();
	}
	attron(A_REVERSE | A_BOLD);
	mvhline(0, 0, ' ', COLS);
	attroff(A_REVERSE | A_BOLD);
	ui_draw_text(0, 1, COLS - 2, ui_help_title, strlen(ui_help_title), A_REVERSE | A_BOLD);
	for (y = 0, i = ui->help_top; y < h - 1 && i < total; y++, i++) {
		if (i < nk) {
			/* gettext("") would be the catalog's header */
			const char *k = ui_help_keys[i][0] ? _(ui_help_keys[i]) : "";

			ui_draw_text(2 + y, 2, w - 2, k, strlen(k),
				     ui_help_keys[i][0] == ' ' || !ui_help_keys[i][0] ? 0 : A_BOLD);
		} else {
			const struct cmd_entry *e = t[i - nk];
			char *line = xasprintf("  /%s%s%s  %s", e->name, e->args[0] ? " " : "",
					       e->args[0] ? _(e->args) : "", _(e->summary));

			ui_draw_text(2 + y, 2, w - 2, line, strlen(line), 0);
			free(line);
		}
	}
}

void ui_draw(struct ui *ui)
{
	erase();
	if (ui->too_small) {
		const char *m = _("terminal too small");
		char need[40];

		snprintf(need, sizeof need, _("(need %dx%d)"), UI_MIN_COLS, UI_MIN_ROWS);
		ui_draw_text(LINES / 2, COLS > 18 ? (COLS - 18) / 2 : 0, COLS, m, strlen(m), A_BOLD);
		if (LINES > 1)
			ui_draw_text(LINES / 2 + 1, 0, COLS, need, strlen(need), 0);
	} else {
		if (ui->f.ctx.ladder_view)
			ui_ladder_draw(ui);
		else
			ui_draw_session(ui);
		ui_draw_explain(ui);
		ui_draw_status(ui);
		if (ui->help && !client_tls_question(ui->f.client))
			ui_draw_help(ui);
		ui_rl_draw(ui, ui->cmd.y, ui->cmd.w);
	}
	if (ui->help || ui->too_small)
		curs_set(0);
	else
		curs_set(1);
	wnoutrefresh(stdscr);
	doupdate();
	ui->dirty = false;
}
