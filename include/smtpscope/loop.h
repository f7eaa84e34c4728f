/* loop: one poll() loop for file descriptors, timers and signals.
 * Signals arrive through a self-pipe: the handler only writes a byte, and
 * the callback runs in the loop like any other event. */
#ifndef SMTPSCOPE_LOOP_H
#define SMTPSCOPE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(void *ctx, int fd, short revents);
typedef void (*loop_timer_cb)(void *ctx);
typedef void (*loop_signal_cb)(void *ctx, int signo);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for events (POLLIN / POLLOUT); one watch per fd. */
void loop_watch(struct loop *l, int fd, short events, loop_fd_cb cb, void *ctx);
void loop_set_events(struct loop *l, int fd, short events);
void loop_unwatch(struct loop *l, int fd);

/* A one-shot timer; returns an id > 0 for loop_cancel(). */
unsigned loop_timer(struct loop *l, int64_t ms, loop_timer_cb cb, void *ctx);
void loop_cancel(struct loop *l, unsigned id);

/* Routes these signals to cb (at most one loop per process does this). */
void loop_signals(struct loop *l, const int *signals, int n,
		  loop_signal_cb cb, void *ctx);

/* Runs until loop_stop(); returns false if poll() failed. */
bool loop_run(struct loop *l);
/* Runs one round (waits at most max_ms, -1 for the next event). */
bool loop_once(struct loop *l, int max_ms);
void loop_stop(struct loop *l);
bool loop_stopped(const struct loop *l);

int64_t loop_now_ms(void);

#endif
