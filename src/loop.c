/* loop: poll()-based event loop with timers and a signal self-pipe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smtpscope/loop.h"
#include "smtpscope/util.h"

struct loop_watch {
	int fd;
	short events;
	loop_fd_cb cb;
	void *ctx;
	bool dead;
};

struct loop_timer {
	unsigned id;
	int64_t due;
	loop_timer_cb cb;
	void *ctx;
};

struct loop {
	struct loop_watch *w;
	size_t nw, wcap;
	struct loop_timer *t;
	size_t nt, tcap;
	unsigned next_id;
	bool stop;
	loop_signal_cb sig_cb;
	void *sig_ctx;
};

static int loop_sig_pipe[2] = { -1, -1 };

int64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);

	l->next_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	if (l->sig_cb && loop_sig_pipe[0] >= 0) {
		close(loop_sig_pipe[0]);
		close(loop_sig_pipe[1]);
		loop_sig_pipe[0] = loop_sig_pipe[1] = -1;
	}
	free(l->w);
	free(l->t);
	free(l);
}

static struct loop_watch *loop_find(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd && !l->w[i].dead)
			return &l->w[i];
	return NULL;
}

void loop_watch(struct loop *l, int fd, short events, loop_fd_cb cb, void *ctx)
{
	struct loop_watch *w = loop_find(l, fd);

	if (w == NULL) {
		l->w = xgrow(l->w, &l->wcap, l->nw + 1, sizeof *l->w);
		w = &l->w[l->nw++];
	}
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->ctx = ctx;
	w->dead = false;
}

void loop_set_events(struct loop *l, int fd, short events)
{
	struct loop_watch *w = loop_find(l, fd);

	if (w)
		w->events = events;
}

void loop_unwatch(struct loop *l, int fd)
{
	struct loop_watch *w = loop_find(l, fd);

	/* Marked, not removed: a callback may unwatch during dispatch. */
	if (w)
		w->dead = true;
}

unsigned loop_timer(struct loop *l, int64_t ms, loop_timer_cb cb, void *ctx)
{
	struct loop_timer *t;

	l->t = xgrow(l->t, &l->tcap, l->nt + 1, sizeof *l->t);
	t = &l->t[l->nt++];
	t->id = l->next_id++;
	if (l->next_id == 0)
		l->next_id = 1;
	t->due = loop_now_ms() + (ms < 0 ? 0 : ms);
	t->cb = cb;
	t->ctx = ctx;
	return t->id;
}

void loop_cancel(struct loop *l, unsigned id)
{
	size_t i;

	for (i = 0; i < l->nt; i++)
		if (l->t[i].id == id) {
			l->t[i] = l->t[--l->nt];
			return;
		}
}

static void loop_sig_handler(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	if (loop_sig_pipe[1] >= 0)
		(void)!write(loop_sig_pipe[1], &b, 1);
	errno = saved;
}

static void loop_sig_read(void *ctx, int fd, short revents)
{
	struct loop *l = ctx;
	unsigned char b[64];
	ssize_t n, i;

	(void)revents;
	while ((n = read(fd, b, sizeof b)) > 0)
		for (i = 0; i < n; i++)
			l->sig_cb(l->sig_ctx, b[i]);
}

void loop_signals(struct loop *l, const int *signals, int n,
		  loop_signal_cb cb, void *ctx)
{
	struct sigaction sa;
	int i;

	if (loop_sig_pipe[0] < 0) {
		if (pipe(loop_sig_pipe) != 0)
			return;
		for (i = 0; i < 2; i++) {
			fcntl(loop_sig_pipe[i], F_SETFL,
			      fcntl(loop_sig_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(loop_sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	l->sig_cb = cb;
	l->sig_ctx = ctx;
	loop_watch(l, loop_sig_pipe[0], POLLIN, loop_sig_read, l);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < n; i++)
		sigaction(signals[i], &sa, NULL);
}

static void loop_run_timers(struct loop *l)
{
	int64_t now = loop_now_ms();
	size_t i;

	for (i = 0; i < l->nt;) {
		if (l->t[i].due <= now) {
			struct loop_timer t = l->t[i];
			l->t[i] = l->t[--l->nt];
			t.cb(t.ctx);
			i = 0; /* the callback may have changed the list */
			continue;
		}
		i++;
	}
}

static void loop_compact(struct loop *l)
{
	size_t i, j = 0;

	for (i = 0; i < l->nw; i++)
		if (!l->w[i].dead)
			l->w[j++] = l->w[i];
	l->nw = j;
}

bool loop_once(struct loop *l, int max_ms)
{
	struct pollfd *pfd;
	size_t i, n;
	int64_t wait = max_ms, now = loop_now_ms();
	int rc;

	loop_compact(l);
	for (i = 0; i < l->nt; i++) {
		int64_t d = l->t[i].due - now;
		if (d < 0)
			d = 0;
		if (wait < 0 || d < wait)
			wait = d;
	}
	n = l->nw;
	pfd = xcalloc(n ? n : 1, sizeof *pfd);
	for (i = 0; i < n; i++) {
		pfd[i].fd = l->w[i].events ? l->w[i].fd : -1;
		pfd[i].events = l->w[i].events;
	}
	rc = poll(pfd, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
	if (rc < 0 && errno != EINTR) {
		free(pfd);
		return false;
	}
	for (i = 0; rc > 0 && i < n && !l->stop; i++) {
		struct loop_watch w;
		if (pfd[i].revents == 0 || pfd[i].fd < 0)
			continue;
		/* The list may move (watch added) or the fd be dropped. */
		if (i >= l->nw || l->w[i].dead || l->w[i].fd != pfd[i].fd)
			continue;
		w = l->w[i];
		w.cb(w.ctx, w.fd, pfd[i].revents);
	}
	free(pfd);
	if (!l->stop)
		loop_run_timers(l);
	return true;
}

bool loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop)
		if (!loop_once(l, -1))
			return false;
	return true;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

bool loop_stopped(const struct loop *l)
{
	return l->stop;
}
