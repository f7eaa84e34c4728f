/* ui-term: the terminal — curses start and stop, colours, resizing, and
 * putting the terminal back even when the program crashes. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ui-lib-private.h"

#define SMTPSCOPE_UI_INTERNAL
#include "smtpscope/ui.h"

static SCREEN *ui_term_screen;
/* What the crash handler writes: leave the alternate screen, normal
 * attributes, visible cursor, mouse reporting off.  Built at start so
 * the handler only calls write() and tcsetattr(), both async-signal-safe. */
static char ui_term_reset[512];
static size_t ui_term_reset_len;
static struct termios ui_term_saved;
static bool ui_term_have_saved;
static const int ui_term_crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL };

static void ui_term_add_cap(const char *name)
{
	char *s = tigetstr((char *)name);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (ui_term_reset_len + n < sizeof ui_term_reset) {
		memcpy(ui_term_reset + ui_term_reset_len, s, n);
		ui_term_reset_len += n;
	}
}

static void ui_term_crash(int signo)
{
	if (ui_term_reset_len)
		(void)!write(STDOUT_FILENO, ui_term_reset, ui_term_reset_len);
	if (ui_term_have_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &ui_term_saved);
	signal(signo, SIG_DFL);
	raise(signo);
}

static void ui_term_crash_handlers(bool on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on ? ui_term_crash : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = on ? (int)SA_RESETHAND : 0;
	for (size_t i = 0; i < UTIL_ARRAY_LEN(ui_term_crash_signals); i++)
		sigaction(ui_term_crash_signals[i], &sa, NULL);
}

static void ui_term_colors(struct ui *ui)
{
	const char *nc = getenv("NO_COLOR");
	short bg = -1;

	ui->color = (nc == NULL || nc[0] == '\0') && has_colors();
	if (!ui->color)
		return;
	start_color();
	if (use_default_colors() == ERR)
		bg = COLOR_BLACK;
	init_pair(UI_P_2XX, COLOR_GREEN, bg);
	init_pair(UI_P_3XX, COLOR_CYAN, bg);
	init_pair(UI_P_4XX, COLOR_YELLOW, bg);
	init_pair(UI_P_5XX, COLOR_RED, bg);
	init_pair(UI_P_WARN, COLOR_YELLOW, bg);
	init_pair(UI_P_ERROR, COLOR_RED, bg);
	init_pair(UI_P_NOTE, COLOR_BLUE, bg);
	init_pair(UI_P_BAR, COLOR_BLUE, COLOR_WHITE);
	init_pair(UI_P_MSG, COLOR_MAGENTA, bg);
}

int ui_term_attr_pair(const struct ui *ui, enum ui_pair p)
{
	if (ui->color)
		return (int)COLOR_PAIR(p);
	/* Monochrome: keep errors and refusals visible. */
	return p == UI_P_5XX || p == UI_P_ERROR || p == UI_P_MSG ? A_BOLD :
	       p == UI_P_4XX || p == UI_P_WARN ? A_UNDERLINE : 0;
}

enum ui_pair ui_term_code_pair(int code)
{
	return ui_term_class_pair(code / 100);
}

enum ui_pair ui_term_class_pair(int reply_class)
{
	switch (reply_class) {
	case 2: return UI_P_2XX;
	case 3: return UI_P_3XX;
	case 4: return UI_P_4XX;
	case 5: return UI_P_5XX;
	default: return UI_P_WARN;
	}
}

bool ui_term_start(struct ui *ui)
{
	char *err = NULL;

	if (!ui_lib_open(&err)) {
		fprintf(stderr, "smtpscope: %s\n", err);
		free(err);
		return false;
	}
	ui_term_have_saved = tcgetattr(STDIN_FILENO, &ui_term_saved) == 0;
	ui_term_screen = newterm(NULL, stdout, stdin);
	if (ui_term_screen == NULL)
		return false;
	set_term(ui_term_screen);
	ui_term_reset_len = 0;
	ui_term_add_cap("rmcup");
	ui_term_add_cap("sgr0");
	ui_term_add_cap("cnorm");
	ui_term_add_cap("rmkx");
	ui_term_crash_handlers(true);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* tmux, screen and VT220-style terminals send Home and End as
	 * ESC [1~ and ESC [4~, which the xterm entries do not list: without
	 * this they would reach readline as characters. */
	if (key_defined("\033[1~") == 0)
		define_key("\033[1~", KEY_HOME);
	if (key_defined("\033[4~") == 0)
		define_key("\033[4~", KEY_END);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	ui_term_colors(ui);
	if (ui_term_reset_len + 16 < sizeof ui_term_reset && tigetstr((char *)"kmous") != NULL &&
	    tigetstr((char *)"kmous") != (char *)-1) {
		memcpy(ui_term_reset + ui_term_reset_len, "\033[?1000l", 8);
		ui_term_reset_len += 8;
	}
	return true;
}

void ui_term_stop(void)
{
	if (ui_term_screen == NULL)
		return;
	endwin();
	delscreen(ui_term_screen);
	ui_term_screen = NULL;
	ui_term_crash_handlers(false);
	ui_term_reset_len = 0;
}

/* SIGWINCH (merged) or KEY_RESIZE: take the size the kernel reports. */
void ui_term_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resize_term(ws.ws_row, ws.ws_col);
	ui_layout(ui);
	clearok(curscr, TRUE);
	ui->dirty = true;
}
