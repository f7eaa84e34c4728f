/* batch: the line-mode front-end.  Reads lines from an fd (stdin): a line
 * starting with "/" is a local command, any other line is sent to the
 * server; after a 354 lines are message content up to a lone ".".  Each
 * line waits until the replies it asked for have arrived, so the
 * transcript reads in order.  The annotated transcript goes to an fd
 * (stdout), and the session's outcome becomes the exit status. */
#ifndef SMTPSCOPE_BATCH_H
#define SMTPSCOPE_BATCH_H

#include <stdbool.h>

#include "smtpscope/client.h"
#include "smtpscope/front.h"

/* Exit statuses, by the first stage that failed (swaks uses the same
 * numbers where it has them). */
enum batch_exit {
	BATCH_EXIT_OK = 0,
	BATCH_EXIT_INTERNAL = 1,     /* smtpscope itself failed */
	BATCH_EXIT_USAGE = 2,        /* bad command line */
	BATCH_EXIT_CONNECT = 3,      /* DNS, refused, unreachable, timeout */
	BATCH_EXIT_LOST = 4,         /* connection lost or server silent */
	BATCH_EXIT_LOCAL = 5,        /* an input line failed here: unknown or
				      * failed local command, nothing to
				      * send it on */
	BATCH_EXIT_GREETING = 21,    /* greeting was not 2xx */
	BATCH_EXIT_HELO = 22,        /* EHLO/HELO refused */
	BATCH_EXIT_MAIL = 23,        /* MAIL refused */
	BATCH_EXIT_RCPT = 24,        /* no recipient accepted */
	BATCH_EXIT_DATA = 25,        /* DATA refused */
	BATCH_EXIT_DOT = 26,         /* message refused after the final dot */
	BATCH_EXIT_TLS = 27,         /* STARTTLS or TLS failed */
	BATCH_EXIT_AUTH = 28,        /* AUTH failed */
	BATCH_EXIT_PARTIAL = 29,     /* delivered, but some recipients refused */
	BATCH_EXIT_MALFORMED = 30,   /* the server sent a reply without a valid
				      * code (a malformed greeting included) */
};

/* Runs a whole session; returns an exit status from enum batch_exit. */
int batch_run(const struct front_options *o);
/* The exit status a finished session deserves; local: count input lines
 * that failed here (line mode: a script's mistake must not pass; the TUI
 * leaves a person's typos out). */
int batch_exit_status(const struct front *f, bool local);
const char *batch_exit_name(int status);

#endif
