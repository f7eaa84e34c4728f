/* ui: the split-pane terminal front-end (curses + GNU readline), the
 * default when stdin and stdout are terminals.
 *
 *   session pane      the transcript, as the batch printer marks it,
 *                     each line coloured by its kind (the printer's),
 *                     replies by class; Up/Down select a reply;
 *                     or (F7, /ladder) the ladder diagram, drawn live
 *   explanation pane  the long explanation of the selected reply, or
 *                     (F9) its raw bytes as hex + ASCII
 *   status bar        target, connection, SMTP state, capabilities,
 *                     commands that make sense next
 *   command line      readline (callback interface, our own redisplay)
 *
 * Side by side from UI_WIDE_COLS columns, stacked below that.  Redrawing
 * costs what the screen holds, not what the transcript holds: the pane is
 * drawn from the bottom up and each event's wrapped height is cached.
 * Server bytes reach the screen only through util_escape (via printer),
 * and every string drawn goes through one routine that shows any byte a
 * terminal could interpret as '?'.
 *
 * Only src/ui*.c include curses or readline (tests/layers.sh). */
#ifndef SMTPSCOPE_UI_H
#define SMTPSCOPE_UI_H

#include "smtpscope/batch.h"

/* Runs a whole session in the terminal UI and returns an exit status as
 * batch_run() does, or -1 (nothing done) if the terminal cannot be used. */
int ui_run(const struct front_options *o);

/* `smtpscope probe` at a terminal (ui-probe.c): the steps live in the
 * session pane, the table, verdict and next step in the explanation pane,
 * the latest long-wait note there until the verdict; q or F10 quits (also
 * during the probe).  Returns the probe's exit status; the terminal is
 * restored and the result printed again on stdout so it stays visible. */
struct probe_options;
int ui_probe_run(struct probe_options *o);

#ifdef SMTPSCOPE_UI_INTERNAL
/* For src/ui*.c only; they include <curses.h> before this header. */
#include <stddef.h>

#include "smtpscope/front.h"
#include "smtpscope/ladder.h"
#include "smtpscope/printer.h"

#define UI_MIN_COLS 40
#define UI_MIN_ROWS 12
#define UI_WIDE_COLS 100
#define UI_KEYS_HELP_LINES 24

enum ui_focus { UI_FOCUS_CMD, UI_FOCUS_SESSION, UI_FOCUS_EXPLAIN, UI_FOCUS__COUNT };

/* Colour pairs (0: the terminal's default). */
enum ui_pair { UI_P_2XX = 1, UI_P_3XX, UI_P_4XX, UI_P_5XX, UI_P_WARN, UI_P_ERROR,
	       UI_P_NOTE, UI_P_BAR, UI_P_MSG, UI_P__COUNT };

struct ui_rect { int y, x, h, w; };

/* Per event: its lines as the printer gives them (NULL: not printed
 * yet), and its height in rows at `width` (0: not counted yet). */
struct ui_cache {
	struct printer_lines **lines;
	size_t *rows;
	size_t cap;
	int width;
};

/* The session pane's ladder view: the diagram's text at the pane's width,
 * grown as the session grows, and where each of its lines starts. */
struct ui_ladder {
	struct ladder lad;
	struct buf text;
	size_t *line;
	size_t nlines, cap;
	int width;           /* the text's width (0: not drawn yet) */
	size_t top;          /* first line shown; SIZE_MAX: follow the newest */
};

struct ui {
	const struct front_options *opt;
	struct front_options opt_tui;   /* *opt, with the TUI's own settings */
	struct front f;
	bool color, too_small, dirty, resize_pending, help, confirm, side;
	enum ui_focus focus;
	struct ui_rect session, explain, status, cmd; /* panes without titles */
	/* Session pane scroll: the bottom event shown (SIZE_MAX: follow the
	 * newest) and how many of its rows are hidden below the pane. */
	size_t anchor, skip;
	size_t *row_ev;          /* event on each row of the pane (mouse) */
	int nrow_ev;
	size_t first_shown, last_shown;
	size_t selected;         /* reply event chosen, SIZE_MAX: the newest */
	size_t explain_top, help_top;
	struct buf explain_text; /* explanation of explain_ev at explain_w */
	size_t explain_ev;
	int explain_w;
	bool explain_raw;        /* F9: the selected reply's bytes instead */
	struct ui_cache cache;
	struct ui_ladder ladder; /* shown instead of the transcript: f.ctx.ladder_view */
	struct buf matches;      /* completion matches on the status bar */
	struct buf scratch;
};

/* ui.c */
void ui_quit(struct ui *ui);
void ui_request_help(struct ui *ui, bool on);
/* ui-term.c: the terminal itself.  ui_term_start() opens ncursesw and
 * readline first (ui-lib-private.h); false, after saying why on stderr, when
 * they or the terminal cannot be used. */
bool ui_term_start(struct ui *ui);
void ui_term_stop(void);
void ui_term_resize(struct ui *ui);
int ui_term_attr_pair(const struct ui *ui, enum ui_pair p);
/* The colour of a reply code's class: 2xx green ... 5xx red. */
enum ui_pair ui_term_code_pair(int code);
/* The same from the class (2..5; any other: a warning's colour). */
enum ui_pair ui_term_class_pair(int reply_class);
/* ui-text.c: UTF-8 columns, event texts and heights, scrolling */
size_t ui_text_char(const char *s, size_t n, int *cols, bool *printable);
size_t ui_text_rows(const char *s, size_t n, int width);
const struct printer_lines *ui_event_lines(struct ui *ui, size_t ev);
size_t ui_event_rows(struct ui *ui, size_t ev);
void ui_cache_free(struct ui_cache *c);
size_t ui_newest_reply(const struct ui *ui);
size_t ui_selected_reply(const struct ui *ui);
void ui_scroll_session(struct ui *ui, long rows);
void ui_select_step(struct ui *ui, int dir);
/* ui-draw.c */
void ui_layout(struct ui *ui);
void ui_draw(struct ui *ui);
int ui_draw_text(int y, int x, int w, const char *s, size_t n, int attr);
int ui_pane_rows(const struct ui *ui, enum ui_focus pane);
void ui_draw_title(const struct ui *ui, const struct ui_rect *r, enum ui_focus pane,
		   const char *title);
/* ui-ladder.c: the ladder view of the session pane */
void ui_ladder_draw(struct ui *ui);
void ui_ladder_scroll(struct ui *ui, long rows);
void ui_ladder_free(struct ui_ladder *l);
/* ui-readline.c */
void ui_rl_init(struct ui *ui);
void ui_rl_free(void);
void ui_rl_feed(const char *bytes, size_t n);
void ui_rl_clear_line(void);
bool ui_rl_line_empty(void);
void ui_rl_draw(struct ui *ui, int y, int w);
/* ui-keys.c */
void ui_keys_read(struct ui *ui);
#endif

#endif
