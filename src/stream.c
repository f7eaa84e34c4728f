/* stream: layered byte stream over a socket. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtpscope/i18n.h"
#include "smtpscope/stream.h"
#include "smtpscope/util.h"

struct stream_layer {
	const struct stream_ops *ops;
	void *impl;
};

struct stream {
	int fd;
	int err;
	struct stream_layer top; /* ops == NULL: the plain socket is on top */
};

struct stream *stream_new_fd(int fd)
{
	struct stream *s = xcalloc(1, sizeof *s);

	s->fd = fd;
	return s;
}

void stream_push(struct stream *s, const struct stream_ops *ops, void *impl)
{
	s->top.ops = ops;
	s->top.impl = impl;
}

bool stream_layered(const struct stream *s)
{
	return s->top.ops != NULL;
}

int stream_fd(const struct stream *s)
{
	return s->fd;
}

enum stream_status stream_read(struct stream *s, char *buf, size_t cap, size_t *done)
{
	ssize_t n;

	*done = 0;
	if (s->top.ops)
		return s->top.ops->read(s->top.impl, buf, cap, done);
	do
		n = recv(s->fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		*done = (size_t)n;
		return STREAM_OK;
	}
	if (n == 0)
		return STREAM_EOF;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return STREAM_AGAIN;
	s->err = errno;
	return STREAM_ERROR;
}

enum stream_status stream_write(struct stream *s, const char *buf, size_t len, size_t *done)
{
	ssize_t n;

	*done = 0;
	if (s->top.ops)
		return s->top.ops->write(s->top.impl, buf, len, done);
	do
		n = send(s->fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0) {
		*done = (size_t)n;
		return n > 0 ? STREAM_OK : STREAM_AGAIN;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return STREAM_AGAIN;
	s->err = errno;
	return STREAM_ERROR;
}

short stream_events(struct stream *s, bool want_write)
{
	if (s->top.ops)
		return s->top.ops->events(s->top.impl, want_write);
	return (short)(POLLIN | (want_write ? POLLOUT : 0));
}

const char *stream_error(struct stream *s)
{
	if (s->top.ops)
		return s->top.ops->error(s->top.impl);
	return s->err ? strerror(s->err) : _("no error");
}

void stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	if (s->top.ops)
		s->top.ops->close(s->top.impl);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
