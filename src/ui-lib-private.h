/* ui-lib-private.h: ncursesw and GNU readline, opened when the terminal UI
 * starts (dlopen) rather than linked, so that a start without it (line
 * mode, a one-shot, --version, explain) does not load them and libtinfo:
 * about 0.2 ms a start, a tenth of smtpscope --version.
 *
 * Every name the UI uses from them is a slot of a table filled by
 * ui_lib_open(), and the macros below turn the usual names into those
 * slots, so the code reads as plain curses and readline.  The program is
 * not linked with the libraries: a name used but missing here is a link
 * error, not a crash.  Include this after every system header (it
 * includes <curses.h>; <readline/readline.h> and <readline/history.h> too
 * with UI_LIB_READLINE defined first, which only src/ui-readline.c and
 * src/ui-lib.c do, since readline's headers define names such as CTRL).
 *
 * For src/ui*.c only (tests/layers.sh). */
#ifndef SMTPSCOPE_UI_LIB_PRIVATE_H
#define SMTPSCOPE_UI_LIB_PRIVATE_H

#include <stdbool.h>

#include <curses.h>

/* Opens both libraries and fills the tables, once (later calls return
 * the first one's answer).  False with *err (allocated): what is missing
 * and the Debian package to install; the caller then uses line mode. */
bool ui_lib_open(char **err);

/* X(name): the functions, then the variables, of ncursesw (and the
 * libtinfo it brings). */
#define UI_LIB_CURSES_FUNCTIONS(X) \
	X(clearok) X(curs_set) X(define_key) X(delscreen) X(doupdate) X(endwin) \
	X(getmouse) X(has_colors) X(init_pair) X(key_defined) X(keypad) \
	X(mouseinterval) X(mousemask) X(newterm) X(nodelay) X(noecho) X(nonl) \
	X(raw) X(resize_term) X(set_escdelay) X(set_term) X(start_color) \
	X(tigetstr) X(use_default_colors) X(waddch) X(waddnstr) X(wattr_off) \
	X(wattr_on) X(wclrtoeol) X(werase) X(wget_wch) X(wgetch) X(whline) \
	X(wmove) X(wnoutrefresh) X(wrefresh) X(wvline_set)
#define UI_LIB_CURSES_VARIABLES(X) X(COLS) X(LINES) X(_nc_wacs) X(curscr) X(stdscr)

#define UI_LIB_SLOT(name) __typeof__(name) *name;
struct ui_lib_curses {
	UI_LIB_CURSES_FUNCTIONS(UI_LIB_SLOT)
	UI_LIB_CURSES_VARIABLES(UI_LIB_SLOT)
};
extern struct ui_lib_curses ui_lib_curses;

#ifndef UI_LIB_NO_NAMES /* src/ui-lib.c: the tables' own names */
#define clearok(...) (*ui_lib_curses.clearok)(__VA_ARGS__)
#define curs_set(...) (*ui_lib_curses.curs_set)(__VA_ARGS__)
#define define_key(...) (*ui_lib_curses.define_key)(__VA_ARGS__)
#define delscreen(...) (*ui_lib_curses.delscreen)(__VA_ARGS__)
#define doupdate(...) (*ui_lib_curses.doupdate)(__VA_ARGS__)
#define endwin(...) (*ui_lib_curses.endwin)(__VA_ARGS__)
#define getmouse(...) (*ui_lib_curses.getmouse)(__VA_ARGS__)
#define has_colors(...) (*ui_lib_curses.has_colors)(__VA_ARGS__)
#define init_pair(...) (*ui_lib_curses.init_pair)(__VA_ARGS__)
#define key_defined(...) (*ui_lib_curses.key_defined)(__VA_ARGS__)
#define keypad(...) (*ui_lib_curses.keypad)(__VA_ARGS__)
#define mouseinterval(...) (*ui_lib_curses.mouseinterval)(__VA_ARGS__)
#define mousemask(...) (*ui_lib_curses.mousemask)(__VA_ARGS__)
#define newterm(...) (*ui_lib_curses.newterm)(__VA_ARGS__)
#define nodelay(...) (*ui_lib_curses.nodelay)(__VA_ARGS__)
#define noecho(...) (*ui_lib_curses.noecho)(__VA_ARGS__)
#define nonl(...) (*ui_lib_curses.nonl)(__VA_ARGS__)
#define raw(...) (*ui_lib_curses.raw)(__VA_ARGS__)
#define resize_term(...) (*ui_lib_curses.resize_term)(__VA_ARGS__)
#define set_escdelay(...) (*ui_lib_curses.set_escdelay)(__VA_ARGS__)
#define set_term(...) (*ui_lib_curses.set_term)(__VA_ARGS__)
#define start_color(...) (*ui_lib_curses.start_color)(__VA_ARGS__)
#define tigetstr(...) (*ui_lib_curses.tigetstr)(__VA_ARGS__)
#define use_default_colors(...) (*ui_lib_curses.use_default_colors)(__VA_ARGS__)
#define waddch(...) (*ui_lib_curses.waddch)(__VA_ARGS__)
#define waddnstr(...) (*ui_lib_curses.waddnstr)(__VA_ARGS__)
#define wattr_off(...) (*ui_lib_curses.wattr_off)(__VA_ARGS__)
#define wattr_on(...) (*ui_lib_curses.wattr_on)(__VA_ARGS__)
#define wclrtoeol(...) (*ui_lib_curses.wclrtoeol)(__VA_ARGS__)
#define werase(...) (*ui_lib_curses.werase)(__VA_ARGS__)
#define wget_wch(...) (*ui_lib_curses.wget_wch)(__VA_ARGS__)
#define wgetch(...) (*ui_lib_curses.wgetch)(__VA_ARGS__)
#define whline(...) (*ui_lib_curses.whline)(__VA_ARGS__)
#define wmove(...) (*ui_lib_curses.wmove)(__VA_ARGS__)
#define wnoutrefresh(...) (*ui_lib_curses.wnoutrefresh)(__VA_ARGS__)
#define wrefresh(...) (*ui_lib_curses.wrefresh)(__VA_ARGS__)
#define wvline_set(...) (*ui_lib_curses.wvline_set)(__VA_ARGS__)
#define COLS (*ui_lib_curses.COLS)
#define LINES (*ui_lib_curses.LINES)
#define _nc_wacs (*ui_lib_curses._nc_wacs)
#define curscr (*ui_lib_curses.curscr)
#define stdscr (*ui_lib_curses.stdscr)
#endif

#ifdef UI_LIB_READLINE
#include <stdio.h> /* readline's headers need FILE */

#include <readline/history.h>
#include <readline/readline.h>

#define UI_LIB_READLINE_FUNCTIONS(X) \
	X(add_history) X(append_history) X(clear_history) X(history_truncate_file) \
	X(read_history) X(rl_callback_handler_install) X(rl_callback_handler_remove) \
	X(rl_callback_read_char) X(rl_completion_matches) \
	X(rl_filename_completion_function) X(rl_replace_line) X(rl_variable_bind) \
	X(stifle_history) X(using_history)
#define UI_LIB_READLINE_VARIABLES(X) \
	X(rl_attempted_completion_function) X(rl_attempted_completion_over) \
	X(rl_catch_signals) X(rl_catch_sigwinch) X(rl_change_environment) \
	X(rl_completer_word_break_characters) X(rl_completion_append_character) \
	X(rl_completion_display_matches_hook) X(rl_deprep_term_function) X(rl_end) \
	X(rl_getc_function) X(rl_input_available_hook) X(rl_line_buffer) \
	X(rl_outstream) X(rl_point) X(rl_prep_term_function) X(rl_readline_name) \
	X(rl_redisplay_function)

struct ui_lib_readline {
	UI_LIB_READLINE_FUNCTIONS(UI_LIB_SLOT)
	UI_LIB_READLINE_VARIABLES(UI_LIB_SLOT)
};
extern struct ui_lib_readline ui_lib_readline;

#ifndef UI_LIB_NO_NAMES
#define add_history(...) (*ui_lib_readline.add_history)(__VA_ARGS__)
#define append_history(...) (*ui_lib_readline.append_history)(__VA_ARGS__)
#define clear_history(...) (*ui_lib_readline.clear_history)(__VA_ARGS__)
#define history_truncate_file(...) (*ui_lib_readline.history_truncate_file)(__VA_ARGS__)
#define read_history(...) (*ui_lib_readline.read_history)(__VA_ARGS__)
#define rl_callback_handler_install(...) (*ui_lib_readline.rl_callback_handler_install)(__VA_ARGS__)
#define rl_callback_handler_remove(...) (*ui_lib_readline.rl_callback_handler_remove)(__VA_ARGS__)
#define rl_callback_read_char(...) (*ui_lib_readline.rl_callback_read_char)(__VA_ARGS__)
#define rl_completion_matches(...) (*ui_lib_readline.rl_completion_matches)(__VA_ARGS__)
#define rl_filename_completion_function (*ui_lib_readline.rl_filename_completion_function)
#define rl_replace_line(...) (*ui_lib_readline.rl_replace_line)(__VA_ARGS__)
#define rl_variable_bind(...) (*ui_lib_readline.rl_variable_bind)(__VA_ARGS__)
#define stifle_history(...) (*ui_lib_readline.stifle_history)(__VA_ARGS__)
#define using_history(...) (*ui_lib_readline.using_history)(__VA_ARGS__)
#define rl_attempted_completion_function (*ui_lib_readline.rl_attempted_completion_function)
#define rl_attempted_completion_over (*ui_lib_readline.rl_attempted_completion_over)
#define rl_catch_signals (*ui_lib_readline.rl_catch_signals)
#define rl_catch_sigwinch (*ui_lib_readline.rl_catch_sigwinch)
#define rl_change_environment (*ui_lib_readline.rl_change_environment)
#define rl_completer_word_break_characters (*ui_lib_readline.rl_completer_word_break_characters)
#define rl_completion_append_character (*ui_lib_readline.rl_completion_append_character)
#define rl_completion_display_matches_hook (*ui_lib_readline.rl_completion_display_matches_hook)
#define rl_deprep_term_function (*ui_lib_readline.rl_deprep_term_function)
#define rl_end (*ui_lib_readline.rl_end)
#define rl_getc_function (*ui_lib_readline.rl_getc_function)
#define rl_input_available_hook (*ui_lib_readline.rl_input_available_hook)
#define rl_line_buffer (*ui_lib_readline.rl_line_buffer)
#define rl_outstream (*ui_lib_readline.rl_outstream)
#define rl_point (*ui_lib_readline.rl_point)
#define rl_prep_term_function (*ui_lib_readline.rl_prep_term_function)
#define rl_readline_name (*ui_lib_readline.rl_readline_name)
#define rl_redisplay_function (*ui_lib_readline.rl_redisplay_function)
#endif
#endif /* UI_LIB_READLINE */

#endif
