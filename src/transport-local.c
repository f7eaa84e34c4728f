/* transport-local: unix:PATH sockets and --pipe programs (see
 * include/smtpscope/transport-local.h): parsing, the connect or the
 * spawn, each failure in words that say what to check, and the
 * program's life on the loop until it is reaped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport-private.h"
#include "smtpscope/i18n.h"
#include "smtpscope/transport-local.h"
#include "smtpscope/util.h"

/* How often a running program's end is looked for: soon after it was
 * started or poked (its output ended), then less and less often.  (No
 * pidfd: valgrind does not know pidfd_open, and no SIGCHLD handler: the
 * loop has one signal callback, the front-end's.) */
#define TRANSPORT_CHILD_POLL_MIN_MS 10
#define TRANSPORT_CHILD_POLL_MAX_MS 250
/* Reads of its standard error per wake-up, and when it has ended. */
#define TRANSPORT_CHILD_READS 16
#define TRANSPORT_CHILD_DRAIN_READS 64

#define TRANSPORT_SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* ---- targets ------------------------------------------------------------ */

static bool transport_parse_unix(const char *spec, struct transport_target *t, char **err)
{
	const char *path = spec + strlen(TRANSPORT_UNIX_PREFIX);
	size_t len = strlen(path);
	char *shown;

	memset(t, 0, sizeof *t);
	t->family = AF_UNSPEC;
	*err = NULL;
	if (len == 0) {
		*err = xstrdup(_("\"unix:\" needs the socket's path, e.g. unix:/run/dovecot/lmtp"));
		return false;
	}
	if (len > TRANSPORT_SUN_PATH_MAX) {
		shown = util_escape_dup(path, len);
		*err = xasprintf(_("the path of \"unix:%s\" is %zu bytes long; a UNIX socket's address holds at most %zu (use a shorter path, or a symbolic link to its directory)"),
				 shown, len, TRANSPORT_SUN_PATH_MAX);
		free(shown);
		return false;
	}
	t->path = xstrdup(path);
	return true;
}

bool transport_parse_connect(const char *spec, const char *default_port,
			     struct transport_target *t, char **err)
{
	if (spec && strncmp(spec, TRANSPORT_UNIX_PREFIX, strlen(TRANSPORT_UNIX_PREFIX)) == 0)
		return transport_parse_unix(spec, t, err);
	return transport_parse_target(spec, default_port, t, err);
}

bool transport_parse_pipe(const char *command, struct transport_target *t, char **err)
{
	memset(t, 0, sizeof *t);
	t->family = AF_UNSPEC;
	*err = NULL;
	if (command == NULL || command[strspn(command, " \t")] == '\0') {
		*err = xstrdup(_("--pipe needs the command of a program that speaks SMTP on its standard input and output, e.g. --pipe 'exim -bh 192.0.2.1' or --pipe 'sendmail -bs'"));
		return false;
	}
	t->command = xstrdup(command);
	return true;
}

char *transport_unix_name(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *un = (const void *)sa;
	size_t off = offsetof(struct sockaddr_un, sun_path), n = 0;
	char *shown, *name;

	if (len > off && len <= sizeof *un)
		n = strnlen(un->sun_path, len - off);
	if (n == 0)
		return xstrdup(_("unix socket"));
	shown = util_escape_dup(un->sun_path, n);
	name = xasprintf("%s%s", TRANSPORT_UNIX_PREFIX, shown);
	free(shown);
	return name;
}

/* ---- UNIX sockets --------------------------------------------------------- */

static bool transport_unix_addr(const char *path, struct sockaddr_un *sa)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (len > TRANSPORT_SUN_PATH_MAX)
		return false;
	memcpy(sa->sun_path, path, len + 1);
	return true;
}

static char *transport_user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? xstrdup(pw->pw_name) : xasprintf("%lu", (unsigned long)uid);
}

static char *transport_group_name(gid_t gid)
{
	struct group *gr = getgrgid(gid);

	return gr ? xstrdup(gr->gr_name) : xasprintf("%lu", (unsigned long)gid);
}

/* "mode 0600, owner dovecot, group mail", or NULL when stat fails. */
static char *transport_unix_owner(const char *path)
{
	struct stat st;
	char *u, *g, *s;

	if (stat(path, &st) != 0)
		return NULL;
	u = transport_user_name(st.st_uid);
	g = transport_group_name(st.st_gid);
	s = xasprintf(_("mode %04o, owner %s, group %s"), (unsigned)(st.st_mode & 07777), u, g);
	free(u);
	free(g);
	return s;
}

static const char *transport_file_kind(mode_t m)
{
	if (S_ISREG(m))
		return _("a regular file");
	if (S_ISDIR(m))
		return _("a directory");
	if (S_ISFIFO(m))
		return _("a named pipe (FIFO)");
	return _("a file of another kind");
}

/* No such file: says whether the directory is missing too. */
static char *transport_unix_missing(const char *path, const char *shown)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir, *dshown, *msg;

	if (slash == NULL || slash == path)
		return xasprintf(_("no UNIX socket at %s: there is no such file (is the server running, and is this the path it listens on?)"),
				 shown);
	dir = xmemdup(path, (size_t)(slash - path));
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		free(dir);
		return xasprintf(_("no UNIX socket at %s: there is no such file (is the server running, and is this the path it listens on?)"),
				 shown);
	}
	dshown = util_escape_dup(dir, strlen(dir));
	msg = xasprintf(_("no UNIX socket at %s: its directory %s does not exist (a typo in the path, or the server is not installed)"),
			shown, dshown);
	free(dshown);
	free(dir);
	return msg;
}

static char *transport_unix_denied(const char *path, const char *shown)
{
	char *owner = transport_unix_owner(path), *me = transport_user_name(geteuid()), *msg;

	if (owner)
		msg = xasprintf(_("permission denied connecting to the UNIX socket %s (%s): connecting needs write permission on the socket and search permission on every directory above it, and smtpscope runs as %s (run it as a user or group the socket allows)"),
				shown, owner, me);
	else
		msg = xasprintf(_("permission denied connecting to the UNIX socket %s: a directory above it may not be searched by %s, the user smtpscope runs as"),
				shown, me);
	free(owner);
	free(me);
	return msg;
}

/* The failure of a connect to path (errno e), classified and said. */
static void transport_unix_failure(struct transport_result *r, const char *path,
				   const char *shown, int e)
{
	struct stat st;

	switch (e) {
	case ENOENT:
	case ENOTDIR:
		r->error = TRANSPORT_ENOTFOUND;
		r->message = transport_unix_missing(path, shown);
		return;
	case EACCES:
	case EPERM:
		r->error = TRANSPORT_EDENIED;
		r->message = transport_unix_denied(path, shown);
		return;
	case ECONNREFUSED:
		if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			r->error = TRANSPORT_EOTHER;
			r->message = xasprintf(_("%s is %s, not a UNIX socket: expected the path of a server's socket (unix:PATH)"),
					       shown, transport_file_kind(st.st_mode));
			return;
		}
		r->error = TRANSPORT_EREFUSED;
		r->message = xasprintf(_("nothing accepts connections on the UNIX socket %s: the file is there, but the server that made it has stopped (a stale socket)"),
				       shown);
		return;
	case EAGAIN:
		r->error = TRANSPORT_EREFUSED;
		r->message = xasprintf(_("the server behind the UNIX socket %s has a full queue of connections waiting; try again"),
				       shown);
		return;
	default:
		r->error = TRANSPORT_EOTHER;
		r->message = xasprintf(_("cannot connect to the UNIX socket %s: %s"), shown, strerror(e));
		return;
	}
}

static void transport_unix_connect(struct transport_connect *c)
{
	struct transport_result *r = xcalloc(1, sizeof *r);
	char *shown = util_escape_dup(c->path, strlen(c->path));
	struct sockaddr_un sa;
	int fd = -1, e = ENAMETOOLONG;

	r->fd = -1;
	if (transport_unix_addr(c->path, &sa)) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		e = errno;
		/* A UNIX socket connects at once, or fails: never EINPROGRESS. */
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
			e = errno;
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0) {
		r->fd = fd;
		r->family = AF_UNIX;
		r->peer = xasprintf("%s%s", TRANSPORT_UNIX_PREFIX, shown);
		r->message = xasprintf(_("connected to the UNIX socket %s in %lld ms"), shown,
				       (long long)(loop_now_ms() - c->started));
	} else {
		transport_unix_failure(r, c->path, shown, e);
	}
	free(shown);
	transport_deliver(c, r);
}

int transport_unix_listen(const char *path, char **err)
{
	char *shown = util_escape_dup(path, strlen(path));
	struct sockaddr_un sa;
	struct stat st;
	int fd = -1;

	*err = NULL;
	if (!transport_unix_addr(path, &sa)) {
		*err = xasprintf(_("cannot listen on unix:%s: the path is longer than a UNIX socket's address holds (%zu bytes)"),
				 shown, TRANSPORT_SUN_PATH_MAX);
	} else if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		*err = xasprintf(_("cannot listen on unix:%s: the path exists and is %s (remove it, or choose another path)"),
				 shown, transport_file_kind(st.st_mode));
	} else if (lstat(path, &st) == 0) {
		/* A socket file: stale (refused) is replaced, a live one kept. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0)
			*err = xasprintf(_("cannot listen on unix:%s: a server already accepts connections there"),
					 shown);
		else if (errno == ECONNREFUSED && unlink(path) != 0)
			*err = xasprintf(_("cannot listen on unix:%s: removing the stale socket failed: %s"),
					 shown, strerror(errno));
		if (probe >= 0)
			close(probe);
	}
	if (*err == NULL) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
			*err = xasprintf(_("cannot listen on unix:%s: %s"), shown, strerror(errno));
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
	}
	free(shown);
	return fd;
}

void transport_unix_close_listener(int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;

	if (fd < 0)
		return;
	memset(&sa, 0, sizeof sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && sa.sun_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) && sa.sun_path[0] != '\0') {
		sa.sun_path[sizeof sa.sun_path - 1] = '\0';
		unlink(sa.sun_path);
	}
	close(fd);
}

/* ---- --pipe: the program ---------------------------------------------------- */

struct transport_child {
	pid_t pid;
	int err_fd;         /* its standard error; -1 once closed */
	struct loop *loop;
	struct transport_child_events ev;
	unsigned poll_timer, term_timer;
	int64_t poll_ms;    /* the next wait before looking again */
	bool reaped;
	int sent;           /* the last signal smtpscope sent it, or 0 */
	/* Reaped by our signal, with its group still running: the shell
	 * died, what it ran did not (sh -c does not always exec). */
	bool linger;
	struct transport_exit exit;
	char line[TRANSPORT_CHILD_LINE_MAX];
	size_t line_len;
	bool skipping;      /* the rest of a line over the cap */
};

/* Moves fd above 2, so the spawn's dup2 onto 0, 1 and 2 never meets it. */
static int transport_fd_high(int fd)
{
	int high;

	if (fd < 0 || fd > 2)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return high;
}

static void transport_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* /bin/sh -c COMMAND with io as 0 and 1, err as 2, nothing else open
 * (close-on-exec, and closefrom where the C library has it), every
 * signal at its default and none blocked, in a process group of its own.
 * Returns 0 or an errno value. */
static int transport_spawn(const char *command, int io, int err, pid_t *pid)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, io, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, io, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	posix_spawnattr_init(&at);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(pid, TRANSPORT_PIPE_SHELL, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

static struct transport_child *transport_child_new(pid_t pid, int err_fd)
{
	struct transport_child *ch = xcalloc(1, sizeof *ch);

	ch->pid = pid;
	ch->err_fd = err_fd;
	return ch;
}

static void transport_pipe_start(struct transport_connect *c)
{
	struct transport_result *r = xcalloc(1, sizeof *r);
	char *shown = util_escape_dup(c->command, strlen(c->command));
	int sv[2] = { -1, -1 }, ep[2] = { -1, -1 }, rc = 0;
	pid_t pid = -1;

	r->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe2(ep, O_CLOEXEC) != 0)
		rc = errno;
	for (size_t i = 0; i < 2; i++) {
		sv[i] = transport_fd_high(sv[i]);
		ep[i] = transport_fd_high(ep[i]);
	}
	if (rc == 0 && (sv[0] < 0 || sv[1] < 0 || ep[0] < 0 || ep[1] < 0))
		rc = EMFILE;
	if (rc == 0)
		rc = transport_spawn(c->command, sv[1], ep[1], &pid);
	for (size_t i = 1; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	if (rc != 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		if (ep[0] >= 0)
			close(ep[0]);
		r->error = TRANSPORT_EOTHER;
		r->message = xasprintf(_("cannot start %s -c %s for --pipe: %s"), TRANSPORT_PIPE_SHELL,
				       shown, strerror(rc));
	} else {
		transport_nonblock(sv[0]);
		transport_nonblock(ep[0]);
		r->fd = sv[0];
		r->family = AF_UNIX;
		r->child = transport_child_new(pid, ep[0]);
		r->peer = xasprintf("pipe: %s", shown);
		r->message = xasprintf(_("the program runs as process %ld (%s -c): SMTP over its standard input and output, its standard error shown as \"stderr:\" notes"),
				       (long)pid, TRANSPORT_PIPE_SHELL);
	}
	free(shown);
	transport_deliver(c, r);
}

void transport_local_start(struct transport_connect *c)
{
	if (c->command)
		transport_pipe_start(c);
	else
		transport_unix_connect(c);
}

pid_t transport_child_pid(const struct transport_child *ch)
{
	return ch->pid;
}

bool transport_child_alive(const struct transport_child *ch)
{
	return ch && !ch->reaped;
}

bool transport_child_busy(const struct transport_child *ch)
{
	return ch && (!ch->reaped || ch->linger);
}

const struct transport_exit *transport_child_exit(const struct transport_child *ch)
{
	return ch && ch->reaped ? &ch->exit : NULL;
}

/* One byte of its standard error into the line being gathered. */
static void transport_child_byte(struct transport_child *ch, char b)
{
	if (b == '\n') {
		size_t n = ch->line_len;

		if (n > 0 && ch->line[n - 1] == '\r')
			n--;
		if (!ch->skipping && ch->ev.err_line)
			ch->ev.err_line(ch->ev.ctx, ch->line, n, false);
		ch->line_len = 0;
		ch->skipping = false;
		return;
	}
	if (ch->skipping)
		return;
	if (ch->line_len == sizeof ch->line) {
		if (ch->ev.err_line)
			ch->ev.err_line(ch->ev.ctx, ch->line, ch->line_len, true);
		ch->line_len = 0;
		ch->skipping = true;
		return;
	}
	ch->line[ch->line_len++] = b;
}

static void transport_child_close_err(struct transport_child *ch)
{
	if (ch->err_fd < 0)
		return;
	if (ch->loop)
		loop_unwatch(ch->loop, ch->err_fd);
	close(ch->err_fd);
	ch->err_fd = -1;
	if (ch->line_len > 0 && !ch->skipping && ch->ev.err_line)
		ch->ev.err_line(ch->ev.ctx, ch->line, ch->line_len, false);
	ch->line_len = 0;
}

/* Reads what its standard error holds now, at most rounds reads. */
static void transport_child_read_err(struct transport_child *ch, int rounds)
{
	char buf[4096];

	while (ch->err_fd >= 0 && rounds-- > 0) {
		ssize_t n = read(ch->err_fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			transport_child_close_err(ch);
			return;
		}
		for (ssize_t i = 0; i < n; i++)
			transport_child_byte(ch, buf[i]);
	}
}

static void transport_child_stop_clock(struct transport_child *ch)
{
	if (ch->loop && ch->term_timer)
		loop_cancel(ch->loop, ch->term_timer);
	ch->term_timer = 0;
	ch->linger = false;
}

/* Any process left in its group (the leader's number names it while one
 * is: it cannot be reused until then). */
static bool transport_child_group_left(const struct transport_child *ch)
{
	return kill(-ch->pid, 0) == 0 || errno == EPERM;
}

static void transport_child_quiet(struct transport_child *ch)
{
	if (ch->loop && ch->poll_timer)
		loop_cancel(ch->loop, ch->poll_timer);
	ch->poll_timer = 0;
}

static void transport_child_record(struct transport_child *ch, int status)
{
	ch->reaped = true;
	if (WIFSIGNALED(status)) {
		ch->exit.signaled = true;
		ch->exit.code = WTERMSIG(status);
		ch->exit.by_us = ch->sent == ch->exit.code;
	} else {
		ch->exit.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
}

/* Reaps it if it has ended: its last standard error first, then the
 * exit.  True when it did: the callback came last and may have freed ch,
 * so the caller touches ch no more. */
static bool transport_child_try_reap(struct transport_child *ch)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(ch->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	if (r == ch->pid) {
		transport_child_record(ch, status);
	} else {
		ch->reaped = true; /* reaped by someone else: no status */
		ch->exit.code = -1;
	}
	transport_child_quiet(ch);
	/* The clock goes on for a group that outlives its leader only when
	 * it was smtpscope's signal that ended the leader. */
	if (ch->sent && ch->term_timer && transport_child_group_left(ch))
		ch->linger = true;
	else
		transport_child_stop_clock(ch);
	transport_child_read_err(ch, TRANSPORT_CHILD_DRAIN_READS);
	transport_child_close_err(ch);
	if (ch->ev.exited)
		ch->ev.exited(ch->ev.ctx, &ch->exit);
	return true;
}

static void transport_child_on_poll(void *ctx);

static void transport_child_schedule(struct transport_child *ch)
{
	if (ch->poll_timer)
		loop_cancel(ch->loop, ch->poll_timer);
	ch->poll_timer = loop_timer(ch->loop, ch->poll_ms, transport_child_on_poll, ch);
	ch->poll_ms = ch->poll_ms * 2 > TRANSPORT_CHILD_POLL_MAX_MS ? TRANSPORT_CHILD_POLL_MAX_MS
								  : ch->poll_ms * 2;
}

static void transport_child_on_poll(void *ctx)
{
	struct transport_child *ch = ctx;

	ch->poll_timer = 0;
	if (!transport_child_try_reap(ch))
		transport_child_schedule(ch);
}

void transport_child_poke(struct transport_child *ch)
{
	if (ch == NULL || ch->reaped || ch->loop == NULL)
		return;
	ch->poll_ms = TRANSPORT_CHILD_POLL_MIN_MS;
	if (!transport_child_try_reap(ch))
		transport_child_schedule(ch);
}

static void transport_child_on_err(void *ctx, int fd, short revents)
{
	struct transport_child *ch = ctx;

	(void)fd, (void)revents;
	transport_child_read_err(ch, TRANSPORT_CHILD_READS);
	if (ch->err_fd < 0)
		transport_child_poke(ch); /* its standard error ended: it may have */
}

void transport_child_watch(struct transport_child *ch, struct loop *l,
			   const struct transport_child_events *ev)
{
	ch->loop = l;
	ch->ev = *ev;
	if (ch->err_fd >= 0)
		loop_watch(l, ch->err_fd, POLLIN, transport_child_on_err, ch);
	ch->poll_ms = TRANSPORT_CHILD_POLL_MIN_MS;
	transport_child_schedule(ch);
}

/* The whole process group: a shell's pipeline goes with it.  Only while
 * the leader is not reaped, or its group lingers after our signal. */
static void transport_child_signal(struct transport_child *ch, int sig)
{
	if (ch->reaped && !ch->linger)
		return;
	if (ch->reaped) {
		if (kill(-ch->pid, sig) == 0 && ch->ev.group_signal)
			ch->ev.group_signal(ch->ev.ctx, sig);
		ch->linger = sig != SIGKILL && transport_child_group_left(ch);
		return;
	}
	ch->sent = sig;
	if (kill(-ch->pid, sig) != 0)
		kill(ch->pid, sig);
}

static void transport_child_on_kill(void *ctx)
{
	struct transport_child *ch = ctx;

	ch->term_timer = 0;
	transport_child_signal(ch, SIGKILL);
}

static void transport_child_on_term(void *ctx)
{
	struct transport_child *ch = ctx;

	ch->term_timer = 0;
	transport_child_signal(ch, SIGTERM);
	if (!ch->reaped || ch->linger)
		ch->term_timer = loop_timer(ch->loop, TRANSPORT_CHILD_KILL_MS,
					    transport_child_on_kill, ch);
}

void transport_child_hangup(struct transport_child *ch)
{
	if (ch == NULL || ch->reaped || ch->loop == NULL || ch->term_timer || ch->sent)
		return;
	ch->term_timer = loop_timer(ch->loop, TRANSPORT_CHILD_TERM_MS, transport_child_on_term, ch);
}

void transport_child_free(struct transport_child *ch)
{
	if (ch == NULL)
		return;
	if (!ch->reaped) {
		int status = 0;
		pid_t r;

		transport_child_signal(ch, SIGKILL);
		do
			r = waitpid(ch->pid, &status, 0);
		while (r < 0 && errno == EINTR);
		transport_child_record(ch, status);
	}
	ch->ev.group_signal = NULL;
	transport_child_signal(ch, SIGKILL); /* a lingering group */
	transport_child_stop_clock(ch);
	transport_child_quiet(ch);
	ch->ev.err_line = NULL; /* no event any more */
	transport_child_close_err(ch);
	free(ch);
}
