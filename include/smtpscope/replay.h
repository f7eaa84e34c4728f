/* replay: re-running the commands of a saved session against the current
 * server and showing where the new replies differ from the saved ones.
 *
 * replay_parse() is sans-I/O.  It reads a session saved with /save or
 * --save (.jsonl or .txt: the lines the client sent, each with the first
 * line of the reply that followed it before the next line was sent) or a
 * plain command list (one line as typed per line; "#" comments and empty
 * lines skipped; no saved replies to compare).  Redacted lines ("***")
 * cannot be replayed and are skipped with a note.  The front-end runs one
 * step at a time once the previous one's replies are in (line mode: all
 * of them; the TUI: one per F8). */
#ifndef SMTPSCOPE_REPLAY_H
#define SMTPSCOPE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "smtpscope/session.h"

struct replay_step {
	char *line;      /* as typed */
	char *expected;  /* first line of the saved reply, or NULL */
};

struct replay {
	struct replay_step *steps;
	size_t n, next;        /* steps, and the next to run */
	size_t skipped;        /* redacted lines left out */
	size_t differences, compared;
	size_t mark;           /* session events before the running step */
	bool running;          /* a step was run and awaits its check */
	bool active;
	bool manual;           /* the TUI: a key per step */
	unsigned go;           /* steps the user asked for (manual) */
	char *name;
};

/* Fills r from a file's text; false with *err (caller frees). */
bool replay_parse(struct replay *r, const char *name, const char *text, size_t len,
		  char **err);
void replay_free(struct replay *r);
/* After a step ran and the front-end is idle: compares the first reply
 * recorded since r->mark with the saved one and notes a difference in
 * the session.  Returns true if they differ. */
bool replay_check(struct replay *r, struct session *s);

#endif
