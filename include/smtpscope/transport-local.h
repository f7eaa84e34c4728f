/* transport-local: the two ways to reach a server on this machine that
 * are not a host and a port.
 *
 * unix:PATH, a UNIX-domain stream socket (Dovecot's LMTP socket,
 * Postfix's private sockets, `smtpscope serve --listen unix:PATH`).
 *
 * --pipe COMMAND, a program that speaks SMTP on its standard input and
 * output (`exim -bh 192.0.2.1`, `sendmail -bs`), as swaks does: run by
 * /bin/sh -c in a process group of its own, its standard input and output
 * one end of a socket pair (so the stream and TLS layers work on it as on
 * any socket), its standard error a pipe read line by line.  Every
 * descriptor smtpscope opens is close-on-exec, and the program gets only
 * 0, 1 and 2, with every signal at its default.  Its end is looked for
 * from the loop (a timer, soon after a sign that it ended): the exit
 * status or the signal is reported once it is reaped.  After its input is
 * closed it gets TRANSPORT_CHILD_TERM_MS to exit, then its process group
 * gets SIGTERM, then SIGKILL TRANSPORT_CHILD_KILL_MS later (the group:
 * sh -c does not always exec the command, and a shell that dies of the
 * SIGTERM leaves what it ran; a group that goes on after the leader ended
 * by itself is left alone, as a delivery it started may be); freeing it
 * kills and reaps it at once, so no program outlives the session and none
 * is left a zombie. */
#ifndef SMTPSCOPE_TRANSPORT_LOCAL_H
#define SMTPSCOPE_TRANSPORT_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "smtpscope/loop.h"
#include "smtpscope/transport.h"

#define TRANSPORT_UNIX_PREFIX "unix:"
#define TRANSPORT_PIPE_SHELL "/bin/sh"
/* One line of the program's standard error, at most; the rest of a longer
 * line is dropped (the line is marked cut). */
#define TRANSPORT_CHILD_LINE_MAX 1000
#define TRANSPORT_CHILD_TERM_MS 1000
#define TRANSPORT_CHILD_KILL_MS 1000

/* HOST[:PORT] as transport_parse_target() reads it, or unix:PATH (then
 * t->path is set, host and port are NULL).  False with *err (caller
 * frees): malformed, or a path too long for a socket address. */
bool transport_parse_connect(const char *spec, const char *default_port,
			     struct transport_target *t, char **err);
/* A --pipe target: t->command set (false with *err when empty). */
bool transport_parse_pipe(const char *command, struct transport_target *t, char **err);
/* "unix:PATH" for a socket address of the UNIX family, len bytes long
 * ("unix socket" when it has no name, as a client's has); escaped. */
char *transport_unix_name(const struct sockaddr *sa, socklen_t len);

/* A listening UNIX socket at path (non-blocking, close-on-exec); a stale
 * socket file nobody accepts on is replaced, anything else there is
 * refused.  -1 with *err. */
int transport_unix_listen(const char *path, char **err);
/* Closes a listening socket; a UNIX one's file is removed first (any
 * other socket is just closed). */
void transport_unix_close_listener(int fd);

/* How the program ended. */
struct transport_exit {
	bool signaled;    /* killed by a signal: code is its number */
	int code;         /* exit status, or the signal */
	bool by_us;       /* smtpscope sent that signal (it did not exit in time) */
};

struct transport_child_events {
	/* One line of its standard error (no line end, not NUL-terminated:
	 * any bytes; escape them), cut when longer than the cap. */
	void (*err_line)(void *ctx, const char *line, size_t len, bool cut);
	/* It was reaped; its last standard error lines came before. */
	void (*exited)(void *ctx, const struct transport_exit *e);
	/* After our signal ended it, its process group still ran and got
	 * sig too (may be NULL). */
	void (*group_signal)(void *ctx, int sig);
	void *ctx;
};

/* struct transport_child: the program of a --pipe connection, from a
 * transport_result (res->child). */
pid_t transport_child_pid(const struct transport_child *ch);
/* Watches its standard error and its end on l; ev is copied.  Before
 * this, what it writes waits in the pipe. */
void transport_child_watch(struct transport_child *ch, struct loop *l,
			   const struct transport_child_events *ev);
bool transport_child_alive(const struct transport_child *ch);
/* Alive, or its group still being ended after it (see group_signal). */
bool transport_child_busy(const struct transport_child *ch);
/* Its exit, once reaped (else NULL). */
const struct transport_exit *transport_child_exit(const struct transport_child *ch);
/* A sign that it may have ended (its output did): looks now, then soon
 * again.  The exited event may run (and free what it likes) inside. */
void transport_child_poke(struct transport_child *ch);
/* Its input is closed (the connection is down): the clock to SIGTERM and
 * SIGKILL starts. */
void transport_child_hangup(struct transport_child *ch);
/* Kills it (SIGKILL to its group) if it still runs, reaps it, frees it;
 * no event is called.  NULL is fine. */
void transport_child_free(struct transport_child *ch);

#endif
